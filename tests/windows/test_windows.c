/* test_windows.c - the Windows backend where only Windows (or Wine) can
 * check it: the decoder on tables built from the SDK's own MIB_* structs,
 * GetExtendedTcpTable's grow-and-retry, this program's own sockets seen
 * through the public API (pushed-down and user-space filters agree), the
 * TCP counters (MIB_TCPSTATS decoded, and live), machine facts, Win32
 * error mapping, the pid source option, and a trace through the poll
 * source. "test_windows.exe counters" prints the counters instead, for
 * check_wine.py.
 *
 * No test framework (Debian has no MinGW cmocka): each check prints a
 * line when it fails, each test "ok" or "FAIL", and the last line is
 * "N passed, N failed". Exit 0 only when nothing failed.
 *
 * Under Wine every row's pid is 0 (unknown to us), so pid checks apply
 * only where the OS reports a pid. */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockstate.h"
#include "windows_internal.h"

static int check_failures;

static void check(int ok, const char *what, const char *file, int line)
{
	if (!ok) {
		printf("  %s:%d: check failed: %s\n", file, line, what);
		check_failures++;
	}
}

#define CHECK(cond) check(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ(a, b)                                                               \
	do {                                                                         \
		long long a_ = (long long)(a), b_ = (long long)(b);                  \
		if (a_ != b_)                                                        \
			printf("  %s:%d: %s is %lld, expected %lld\n", __FILE__, __LINE__, \
			       #a, a_, b_);                                          \
		check(a_ == b_, #a " == " #b, __FILE__, __LINE__);                   \
	} while (0)
#define CHECK_STR(a, b)                                                              \
	do {                                                                         \
		const char *a_ = (a), *b_ = (b);                                     \
		int same_ = a_ && b_ && strcmp(a_, b_) == 0;                         \
		if (!same_)                                                          \
			printf("  %s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__,  \
			       __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
		check(same_, #a " == " #b, __FILE__, __LINE__);                      \
	} while (0)

/* ---- collecting records ---- */

#define MAX_RECS 8

struct got {
	sockstate_socket recs[MAX_RECS];
	unsigned n;
};

static int collect(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct got *g = ctx;

	CHECK_EQ(owner_key, 0);
	if (g->n < MAX_RECS)
		g->recs[g->n] = *s;
	g->n++;
	return 0;
}

static void set_port(DWORD *field, uint16_t port, uint16_t junk)
{
	/* Network order in the low 16 bits, as Windows fills it. */
	*field = (DWORD)htons(port) | (DWORD)junk << 16;
}

/* ---- tests ---- */

/* A table laid out by the SDK's structs decodes to exactly what was put. */
static void test_sdk_layout_ipv4(void)
{
	static const uint8_t local[4] = {192, 0, 2, 1}, remote[4] = {198, 51, 100, 7};
	size_t len = offsetof(MIB_TCPTABLE_OWNER_PID, table) + 2 * sizeof(MIB_TCPROW_OWNER_PID);
	MIB_TCPTABLE_OWNER_PID *t = calloc(1, len);
	struct got g = {0};
	sockstate__tcptable_sink sink = {SOCKSTATE_STATES_ALL, 1, collect, &g};
	const char *why = NULL;

	if (!t) {
		CHECK(t != NULL);
		return;
	}
	t->dwNumEntries = 2;
	t->table[0].dwState = MIB_TCP_STATE_ESTAB;
	memcpy(&t->table[0].dwLocalAddr, local, 4);
	set_port(&t->table[0].dwLocalPort, 8080, 0xABCD);
	memcpy(&t->table[0].dwRemoteAddr, remote, 4);
	set_port(&t->table[0].dwRemotePort, 443, 0xFFFF);
	t->table[0].dwOwningPid = 4242;
	t->table[1].dwState = MIB_TCP_STATE_LISTEN;
	set_port(&t->table[1].dwLocalPort, 445, 0);
	memcpy(&t->table[1].dwRemoteAddr, remote, 4); /* no meaning in LISTEN */
	set_port(&t->table[1].dwRemotePort, 1234, 0);
	t->table[1].dwOwningPid = 4;

	CHECK_EQ(sockstate__tcptable_decode(t, len, AF_INET, &sink, &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(g.n, 2);
	CHECK_EQ(g.recs[0].family, SOCKSTATE_FAMILY_IPV4);
	CHECK_EQ(g.recs[0].state, SOCKSTATE_ESTABLISHED);
	CHECK_STR(g.recs[0].native_name, "ESTABLISHED");
	CHECK(memcmp(g.recs[0].local.addr, local, 4) == 0);
	CHECK_EQ(g.recs[0].local.port, 8080);
	CHECK(memcmp(g.recs[0].remote.addr, remote, 4) == 0);
	CHECK_EQ(g.recs[0].remote.port, 443);
	CHECK_EQ(g.recs[0].pid, 4242);
	CHECK_EQ(g.recs[1].state, SOCKSTATE_LISTEN);
	CHECK_STR(g.recs[1].native_name, "LISTENING");
	CHECK_EQ(g.recs[1].local.port, 445);
	CHECK_EQ(g.recs[1].remote.port, 0);
	CHECK_EQ(g.recs[1].remote.addr[0], 0);
	CHECK_EQ(g.recs[1].pid, 4);
	free(t);
}

static void test_sdk_layout_ipv6(void)
{
	static const uint8_t local[16] = {0xfe, 0x80, [15] = 1};
	static const uint8_t remote[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x42};
	size_t len = offsetof(MIB_TCP6TABLE_OWNER_PID, table) + 2 * sizeof(MIB_TCP6ROW_OWNER_PID);
	MIB_TCP6TABLE_OWNER_PID *t = calloc(1, len);
	struct got g = {0};
	sockstate__tcptable_sink sink = {SOCKSTATE_STATES_ALL, 1, collect, &g};
	const char *why = NULL;

	if (!t) {
		CHECK(t != NULL);
		return;
	}
	t->dwNumEntries = 2;
	memcpy(t->table[0].ucLocalAddr, local, 16);
	t->table[0].dwLocalScopeId = 12;
	set_port(&t->table[0].dwLocalPort, 5985, 0x1111);
	memcpy(t->table[0].ucRemoteAddr, remote, 16);
	t->table[0].dwRemoteScopeId = 0xFFFFFFFF; /* not link-local: no zone */
	set_port(&t->table[0].dwRemotePort, 61000, 0x2222);
	t->table[0].dwState = MIB_TCP_STATE_TIME_WAIT;
	t->table[0].dwOwningPid = 0;
	memcpy(t->table[1].ucLocalAddr, remote, 16);
	set_port(&t->table[1].dwLocalPort, 80, 0);
	memcpy(t->table[1].ucRemoteAddr, local, 16);
	t->table[1].dwRemoteScopeId = 7;
	set_port(&t->table[1].dwRemotePort, 40000, 0);
	t->table[1].dwState = MIB_TCP_STATE_DELETE_TCB;
	t->table[1].dwOwningPid = 1234;

	CHECK_EQ(sockstate__tcptable_decode(t, len, AF_INET6, &sink, &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(g.n, 2);
	CHECK_EQ(g.recs[0].family, SOCKSTATE_FAMILY_IPV6);
	CHECK_EQ(g.recs[0].state, SOCKSTATE_TIME_WAIT);
	CHECK(memcmp(g.recs[0].local.addr, local, 16) == 0);
	CHECK_EQ(g.recs[0].local.scope_id, 12);
	CHECK_EQ(g.recs[0].local.port, 5985);
	CHECK(memcmp(g.recs[0].remote.addr, remote, 16) == 0);
	CHECK_EQ(g.recs[0].remote.scope_id, 0);
	CHECK_EQ(g.recs[0].remote.port, 61000);
	CHECK_EQ(g.recs[0].pid, -1);
	CHECK_EQ(g.recs[0].valid & SOCKSTATE_HAS_PID, 0);
	CHECK_EQ(g.recs[1].state, SOCKSTATE_DELETE_TCB);
	CHECK_STR(g.recs[1].native_name, "DELETE_TCB");
	CHECK_EQ(g.recs[1].native_code, 12);
	CHECK_EQ(g.recs[1].remote.scope_id, 7);
	CHECK_EQ(g.recs[1].remote.port, 40000);
	CHECK_EQ(g.recs[1].pid, 1234);
	free(t);
}

/* ---- live sockets ---- */

struct live {
	SOCKET listener4, client4, server4, listener6;
	uint16_t port4, client_port4, port6;
};

static uint16_t local_port(SOCKET s)
{
	struct sockaddr_storage ss;
	int len = (int)sizeof ss;

	if (getsockname(s, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* A listener on 127.0.0.1, a connection to it (both ends), and a
 * listener on ::1 (0 when this system has no IPv6 loopback). */
static int live_open(struct live *l)
{
	struct sockaddr_in a4 = {.sin_family = AF_INET};
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};

	memset(l, 0xff, sizeof *l);
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l->listener4 = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	if (l->listener4 == INVALID_SOCKET ||
	    bind(l->listener4, (struct sockaddr *)&a4, sizeof a4) != 0 ||
	    listen(l->listener4, 8) != 0)
		return -1;
	l->port4 = local_port(l->listener4);
	a4.sin_port = htons(l->port4);
	l->client4 = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	if (l->client4 == INVALID_SOCKET ||
	    connect(l->client4, (struct sockaddr *)&a4, sizeof a4) != 0)
		return -1;
	l->server4 = accept(l->listener4, NULL, NULL);
	if (l->server4 == INVALID_SOCKET)
		return -1;
	l->client_port4 = local_port(l->client4);

	a6.sin6_addr = in6addr_loopback;
	l->port6 = 0;
	l->listener6 = socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
	if (l->listener6 != INVALID_SOCKET &&
	    bind(l->listener6, (struct sockaddr *)&a6, sizeof a6) == 0 &&
	    listen(l->listener6, 8) == 0)
		l->port6 = local_port(l->listener6);
	return 0;
}

static void live_close(struct live *l)
{
	SOCKET all[] = {l->listener4, l->client4, l->server4, l->listener6};

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (all[i] != INVALID_SOCKET)
			closesocket(all[i]);
}

static const sockstate_socket *find(const sockstate_snapshot *snap, uint8_t family,
                                    uint16_t lport, uint16_t rport)
{
	for (size_t i = 0; i < snap->count; i++) {
		const sockstate_socket *s = &snap->sockets[i];
		if (s->family == family && s->local.port == lport && s->remote.port == rport)
			return s;
	}
	return NULL;
}

static void check_owner(const sockstate_socket *s)
{
	/* Wine reports pid 0 (unknown) on every row; Windows our own pid. */
	if (!(s->valid & SOCKSTATE_HAS_PID))
		return;
	CHECK_EQ(s->pid, (long long)GetCurrentProcessId());
	CHECK_EQ(s->pid_count, 1);
	CHECK(s->valid & SOCKSTATE_HAS_PROCESS);
	CHECK_STR(s->process, "test_windows.exe");
}

static void test_live_sockets(void)
{
	static const uint8_t loopback4[4] = {127, 0, 0, 1};
	static const uint8_t loopback6[16] = {[15] = 1};
	sockstate_handle *h = NULL;
	sockstate_snapshot *snap = NULL;
	sockstate_query q;
	struct live l;
	const sockstate_socket *s;

	if (live_open(&l) != 0) {
		printf("  sockets: error %d\n", WSAGetLastError());
		CHECK(!"could not open the test's own sockets");
		live_close(&l);
		return;
	}
	CHECK_EQ(sockstate_open(&h, NULL), 0);
	if (!h) {
		live_close(&l);
		return;
	}
	CHECK_STR(sockstate_backend(h), "windows-iphlpapi");
	sockstate_query_init(&q);
	q.states = SOCKSTATE_STATES_ALL;
	q.flags = SOCKSTATE_Q_PIDS;
	CHECK_EQ(sockstate_snapshot_take(h, &q, &snap), 0);
	if (snap) {
		CHECK_STR(snap->backend, "windows-iphlpapi");
		CHECK_STR(snap->pid_source, "windows");
		s = find(snap, SOCKSTATE_FAMILY_IPV4, l.port4, 0);
		CHECK(s != NULL);
		if (s) {
			CHECK_EQ(s->state, SOCKSTATE_LISTEN);
			CHECK_EQ(s->native_code, 2);
			CHECK_STR(s->native_name, "LISTENING");
			CHECK(memcmp(s->local.addr, loopback4, 4) == 0);
			check_owner(s);
		}
		s = find(snap, SOCKSTATE_FAMILY_IPV4, l.client_port4, l.port4);
		CHECK(s != NULL);
		if (s) {
			CHECK_EQ(s->state, SOCKSTATE_ESTABLISHED);
			CHECK_STR(s->native_name, "ESTABLISHED");
			CHECK(memcmp(s->remote.addr, loopback4, 4) == 0);
			check_owner(s);
		}
		s = find(snap, SOCKSTATE_FAMILY_IPV4, l.port4, l.client_port4);
		CHECK(s != NULL);
		if (s)
			CHECK_EQ(s->state, SOCKSTATE_ESTABLISHED);
		if (l.port6) {
			s = find(snap, SOCKSTATE_FAMILY_IPV6, l.port6, 0);
			CHECK(s != NULL);
			if (s) {
				CHECK_EQ(s->state, SOCKSTATE_LISTEN);
				CHECK(memcmp(s->local.addr, loopback6, 16) == 0);
				CHECK_EQ(s->local.scope_id, 0);
			}
		} else {
			printf("  (no IPv6 loopback here: IPv6 not checked live)\n");
		}
	}
	sockstate_snapshot_free(snap);
	sockstate_close(h);
	live_close(&l);
}

struct keys {
	char text[8][48];
	unsigned n;
};

static int key_of(const sockstate_socket *s, void *ctx)
{
	struct keys *k = ctx;

	if (k->n < 8)
		snprintf(k->text[k->n], sizeof k->text[0], "%u %u>%u %u", s->family,
		         s->local.port, s->remote.port, s->state);
	k->n++;
	return 0;
}

/* The states and family this backend filters itself give the same
 * listing as the core's filter in user space. Each query also names one
 * of our ports (a filter the core applies), so other programs' sockets
 * coming and going between the two calls cannot make a difference. */
static void test_pushdown_matches_user_space(void)
{
	sockstate_handle *h = NULL;
	struct live l;

	if (live_open(&l) != 0 || sockstate_open(&h, NULL) != 0) {
		CHECK(!"could not open the test's sockets or a handle");
		live_close(&l);
		sockstate_close(h);
		return;
	}
	{
		const struct {
			const char *key, *value;
			uint16_t port;
			unsigned want;
		} filters[] = {
			{"state", "listen", l.port4, 1},
			{"state", "established,time_wait", l.port4, 2},
			{"family", "4", l.client_port4, 2},
			{"family", "6", l.port6, 1},
		};

		for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
			sockstate_query q;
			struct keys pushed = {0}, user = {0};

			if (filters[i].port == 0)
				continue; /* no IPv6 loopback */
			sockstate_query_init(&q);
			CHECK_EQ(sockstate_query_set(&q, filters[i].key, filters[i].value), 0);
			q.port = filters[i].port;
			CHECK_EQ(sockstate_foreach(h, &q, key_of, &pushed), 0);
			q.flags |= SOCKSTATE_Q_NO_PUSHDOWN;
			CHECK_EQ(sockstate_foreach(h, &q, key_of, &user), 0);
			CHECK_EQ(pushed.n, filters[i].want);
			CHECK_EQ(user.n, filters[i].want);
			CHECK(memcmp(pushed.text, user.text, sizeof pushed.text) == 0);
		}
	}
	sockstate_close(h);
	live_close(&l);
}

/* A buffer too small for the table grows until the table fits. */
static void test_fetch_grows(void)
{
	sockstate_handle *h = NULL;
	sockstate__tcptable_buf b = {malloc(8), 8};
	struct live l;
	size_t len = 0;
	unsigned families[] = {AF_INET, AF_INET6};

	if (live_open(&l) != 0 || !b.data || sockstate_open(&h, NULL) != 0) {
		CHECK(!"could not set up");
		live_close(&l);
		sockstate_close(h);
		free(b.data);
		return;
	}
	for (size_t i = 0; i < 2; i++) {
		size_t table;

		CHECK_EQ(sockstate__tcptable_fetch(h, families[i], &b, &len), 0);
		CHECK_EQ(len, b.cap);
		table = sockstate__tcptable_size(b.data, len, families[i]);
		CHECK(table >= SOCKSTATE__WIN_TABLE_HEADER);
		if (families[i] == AF_INET) {
			CHECK(b.cap > 8);   /* three sockets at least: it had to grow */
			CHECK(table >= SOCKSTATE__WIN_TABLE_HEADER + 3 * sizeof(MIB_TCPROW_OWNER_PID));
		}
	}
	sockstate_close(h);
	live_close(&l);
	free(b.data);
}

/* ---- TCP counters ---- */

/* MIB_TCPSTATS built with the SDK's own struct decodes to the sums. */
static void test_tcpstats_sdk_layout(void)
{
	MIB_TCPSTATS v4, v6;
	sockstate_tcp_counters c = {.size = sizeof c};

	memset(&v4, 0xEE, sizeof v4);
	memset(&v6, 0xEE, sizeof v6);
	v4.dwActiveOpens = 10, v6.dwActiveOpens = 1;
	v4.dwPassiveOpens = 20, v6.dwPassiveOpens = 2;
	v4.dwAttemptFails = 30, v6.dwAttemptFails = 3;
	v4.dwEstabResets = 40, v6.dwEstabResets = 4;
	v4.dwInSegs = 50, v6.dwInSegs = 5;
	v4.dwOutSegs = 60, v6.dwOutSegs = 6;
	v4.dwRetransSegs = 70, v6.dwRetransSegs = 7;
	v4.dwInErrs = 80, v6.dwInErrs = 8;
	v4.dwOutRsts = 0xFFFFFFFFu, v6.dwOutRsts = 9;
	sockstate__tcp_counters_clear(&c, NULL);
	sockstate__tcpstats_decode(&v4, &v6, &c);
	CHECK_EQ(c.value[SOCKSTATE_COUNTER_ACTIVE_OPENS], 11);
	CHECK_EQ(c.value[SOCKSTATE_COUNTER_PASSIVE_OPENS], 22);
	CHECK_EQ(c.value[SOCKSTATE_COUNTER_ATTEMPT_FAILS], 33);
	CHECK_EQ(c.value[SOCKSTATE_COUNTER_ESTABLISHED_RESETS], 44);
	CHECK_EQ(c.value[SOCKSTATE_COUNTER_SEGMENTS_RECEIVED], 55);
	CHECK_EQ(c.value[SOCKSTATE_COUNTER_SEGMENTS_SENT], 66);
	CHECK_EQ(c.value[SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED], 77);
	CHECK_EQ(c.value[SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED], 88);
	CHECK(c.value[SOCKSTATE_COUNTER_RESETS_SENT] == 0xFFFFFFFFull + 9);
	CHECK_STR(c.native[SOCKSTATE_COUNTER_RESETS_SENT], "dwOutRsts (AF_INET + AF_INET6)");
	CHECK(!(c.valid & SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_LISTEN_OVERFLOWS)));
	CHECK(c.native[SOCKSTATE_COUNTER_LISTEN_OVERFLOWS] == NULL);
}

/* What MIB_TCPSTATS holds: known; the rest unknown, never 0. */
#define WINDOWS_COUNTERS                                                               \
	(SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_ACTIVE_OPENS) |                        \
	 SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_PASSIVE_OPENS) |                       \
	 SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_ATTEMPT_FAILS) |                       \
	 SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_ESTABLISHED_RESETS) |                  \
	 SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_RESETS_SENT) |                         \
	 SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_SEGMENTS_RECEIVED) |                   \
	 SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_SEGMENTS_SENT) |                       \
	 SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED) |              \
	 SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED))

/* This program's connection moves the system's opens (other programs'
 * may move them too: at least ours). */
static void test_tcp_counters_live(void)
{
	sockstate_tcp_counters before = {.size = sizeof before}, after = {.size = sizeof after};
	sockstate_handle *h = NULL;
	struct live l;

	CHECK_EQ(sockstate_open(&h, NULL), 0);
	if (!h)
		return;
	CHECK_EQ(sockstate_tcp_counters_get(h, &before), 0);
	CHECK_STR(before.source, "GetTcpStatisticsEx");
	CHECK_EQ(before.valid, WINDOWS_COUNTERS);
	CHECK_STR(before.native[SOCKSTATE_COUNTER_ACTIVE_OPENS],
	          "dwActiveOpens (AF_INET + AF_INET6)");
	if (live_open(&l) != 0) {
		CHECK(!"could not open the test's own sockets");
	} else {
		CHECK_EQ(sockstate_tcp_counters_get(h, &after), 0);
		CHECK(after.value[SOCKSTATE_COUNTER_ACTIVE_OPENS] >=
		      before.value[SOCKSTATE_COUNTER_ACTIVE_OPENS] + 1);
		CHECK(after.value[SOCKSTATE_COUNTER_PASSIVE_OPENS] >=
		      before.value[SOCKSTATE_COUNTER_PASSIVE_OPENS] + 1);
		CHECK_EQ(after.valid, WINDOWS_COUNTERS);
	}
	live_close(&l);
	sockstate_close(h);
}

/* "test_windows.exe counters": for tests/windows/check_wine.py, each
 * family's MIB_TCPSTATS as the system answers it, then the library's
 * counters as a JSON document. Returns the exit status. */
static int print_counters(void)
{
	static const struct {
		ULONG family;
		const char *name;
	} families[] = {{AF_INET, "AF_INET"}, {AF_INET6, "AF_INET6"}};
	sockstate_tcp_counters c = {.size = sizeof c};
	sockstate_write_opts o = {.size = sizeof o, .format = SOCKSTATE_FORMAT_JSON, .port = -1};
	sockstate_sysinfo si;
	sockstate_handle *h = NULL;
	int fd = 1, rc;

	for (size_t i = 0; i < 2; i++) {
		MIB_TCPSTATS st;
		ULONG err = GetTcpStatisticsEx(&st, families[i].family);

		if (err != NO_ERROR) {
			printf("stats %s error %lu\n", families[i].name, (unsigned long)err);
			continue;
		}
		printf("stats %s ActiveOpens=%lu PassiveOpens=%lu AttemptFails=%lu "
		       "EstabResets=%lu InSegs=%lu OutSegs=%lu RetransSegs=%lu InErrs=%lu "
		       "OutRsts=%lu\n", families[i].name, (unsigned long)st.dwActiveOpens,
		       (unsigned long)st.dwPassiveOpens, (unsigned long)st.dwAttemptFails,
		       (unsigned long)st.dwEstabResets, (unsigned long)st.dwInSegs,
		       (unsigned long)st.dwOutSegs, (unsigned long)st.dwRetransSegs,
		       (unsigned long)st.dwInErrs, (unsigned long)st.dwOutRsts);
	}
	if (sockstate_open(&h, NULL) != 0) {
		printf("sockstate_open: %s\n", sockstate_errdetail(NULL));
		return 1;
	}
	rc = sockstate_tcp_counters_get(h, &c);
	if (rc != 0) {
		printf("sockstate_tcp_counters_get: %s\n", sockstate_errdetail(h));
		sockstate_close(h);
		return 1;
	}
	sockstate_sysinfo_get(&si);
	fflush(stdout);
	rc = sockstate_tcp_counters_write(&c, &si, sockstate_backend(h), &o, sockstate_write_fd,
	                                  &fd);
	sockstate_close(h);
	return rc == 0 ? 0 : 1;
}

static void test_sysinfo(void)
{
	sockstate_sysinfo si;
	unsigned major = 0, minor = 0, build = 0;

	CHECK_EQ(sockstate_sysinfo_get(&si), 0);
	CHECK_STR(si.os_name, "Windows");
	CHECK_STR(si.machine, "AMD64");
	CHECK(si.host[0] != '\0');
	CHECK_EQ(sscanf(si.os_release, "%u.%u", &major, &minor), 2);
	CHECK(major >= 6);
	CHECK_EQ(sscanf(si.os_version, "%u.%u.%u", &major, &minor, &build), 3);
	CHECK(si.taken_at > 1600000000);
}

static void test_errors(void)
{
	sockstate_handle *h = NULL;

	CHECK_EQ(sockstate__win_error_code(ERROR_ACCESS_DENIED), SOCKSTATE_EPERM);
	CHECK_EQ(sockstate__win_error_code(ERROR_NOT_ENOUGH_MEMORY), SOCKSTATE_ENOMEM);
	CHECK_EQ(sockstate__win_error_code(ERROR_NOT_SUPPORTED), SOCKSTATE_ENOTSUP);
	CHECK_EQ(sockstate__win_error_code(ERROR_INVALID_PARAMETER), SOCKSTATE_EIO);
	CHECK_EQ(sockstate_open(&h, NULL), 0);
	if (!h)
		return;
	CHECK_EQ(sockstate__win_fail(h, ERROR_ACCESS_DENIED, "OpenThing"), SOCKSTATE_EPERM);
	CHECK(strncmp(sockstate_errdetail(h), "OpenThing: ", 11) == 0);
	CHECK(strstr(sockstate_errdetail(h), " (error 5)") != NULL);
	sockstate_close(h);
}

static void test_pid_source_option(void)
{
	static const struct {
		const char *name;
		int rc;
	} options[] = {
		{"auto", 0}, {"windows", 0}, {"procfs", SOCKSTATE_EUNAVAIL},
		{"bpf", SOCKSTATE_EUNAVAIL}, {"bogus", SOCKSTATE_EINVAL},
	};
	const char *const *names = sockstate_backends();

	CHECK_STR(names[0], "windows-iphlpapi");
	CHECK(names[1] == NULL);
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		sockstate_options o = {.size = sizeof o, .pid_source = options[i].name};
		sockstate_handle *h = NULL;
		sockstate_counts c;
		sockstate_query q;

		CHECK_EQ(sockstate_open(&h, &o), options[i].rc);
		if (options[i].rc != 0) {
			CHECK(h == NULL);
			CHECK(strstr(sockstate_errdetail(NULL), options[i].name) != NULL);
			continue;
		}
		if (!h)
			continue;
		sockstate_query_init(&q);
		q.flags = SOCKSTATE_Q_PIDS;
		CHECK_EQ(sockstate_count(h, &q, &c), 0);
		CHECK_STR(sockstate_pid_source(h), "windows");
		CHECK(strstr(sockstate_pid_source_reason(h), "carries its owner's pid") != NULL);
		sockstate_close(h);
	}
}

/* ---- the trace's poll source (the one Windows has) ---- */

struct seen {
	sockstate_event ev[64];
	unsigned n;
};

/* Read until an event old -> new on lport/rport comes (or 60 reads of
 * 100 ms give nothing new); 1 if it came. */
static int wait_event(sockstate_trace *t, struct seen *s, uint16_t lport, uint16_t rport,
                      sockstate_state from, sockstate_state to)
{
	for (int empty = 0; empty < 60;) {
		for (unsigned i = 0; i < s->n; i++) {
			const sockstate_event *e = &s->ev[i];

			if (e->local.port == lport && e->remote.port == rport &&
			    e->old_state == from && e->new_state == to)
				return 1;
		}
		if (s->n == 64)
			return 0;
		int rc = sockstate_trace_read(t, &s->ev[s->n], 100);
		if (rc < 0)
			return 0;
		if (rc == 0)
			empty++;
		else
			s->n++;
	}
	return 0;
}

/* A listener, a connection, and its close, seen by a poll trace. */
static void test_trace_poll(void)
{
	sockstate_trace_options o;
	sockstate_handle *h = NULL;
	sockstate_trace *t = NULL;
	sockstate_event ev;
	struct seen *s = calloc(1, sizeof *s);
	struct live l;

	CHECK(s != NULL);
	CHECK_EQ(sockstate_open(&h, NULL), 0);
	if (!h || !s) {
		free(s);
		return;
	}
	sockstate_trace_options_init(&o);
	o.source = SOCKSTATE_TRACE_POLL;
	o.interval_ms = 50;
	o.flags = SOCKSTATE_TRACE_SUMMARIES;
	CHECK_EQ(sockstate_trace_open(h, NULL, &o, &t), 0);
	if (!t) {
		sockstate_close(h);
		free(s);
		return;
	}
	CHECK_STR(sockstate_trace_source(t), "poll");
	CHECK_EQ(sockstate_trace_fd(t), -1);
	/* The first listing is the baseline. */
	CHECK_EQ(sockstate_trace_read(t, &ev, 0), 0);
	if (live_open(&l) != 0) {
		CHECK(!"could not open the test's own sockets");
	} else {
		CHECK(wait_event(t, s, l.port4, 0, SOCKSTATE_CLOSED, SOCKSTATE_LISTEN));
		/* Both ends appear established: how they got there was not
		 * seen. */
		CHECK(wait_event(t, s, l.client_port4, l.port4, SOCKSTATE_CLOSED,
		                 SOCKSTATE_ESTABLISHED));
		CHECK(wait_event(t, s, l.port4, l.client_port4, SOCKSTATE_CLOSED,
		                 SOCKSTATE_ESTABLISHED));
		for (unsigned i = 0; i < s->n; i++) {
			CHECK_EQ(s->ev[i].source, SOCKSTATE_TRACE_POLL);
			if (s->ev[i].new_state == SOCKSTATE_ESTABLISHED) {
				CHECK(s->ev[i].flags & SOCKSTATE_EV_INFERRED);
				CHECK_STR(s->ev[i].new_native_name, "ESTABLISHED");
				CHECK_EQ(s->ev[i].new_native_code, 5);
			}
		}
		/* The client closes first: the server's side waits in
		 * CLOSE_WAIT, one step it was seen to take. */
		closesocket(l.client4);
		l.client4 = INVALID_SOCKET;
		CHECK(wait_event(t, s, l.port4, l.client_port4, SOCKSTATE_ESTABLISHED,
		                 SOCKSTATE_CLOSE_WAIT));
	}
	live_close(&l);
	sockstate_trace_close(t);
	sockstate_close(h);
	free(s);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{"sdk_layout_ipv4", test_sdk_layout_ipv4},
		{"sdk_layout_ipv6", test_sdk_layout_ipv6},
		{"live_sockets", test_live_sockets},
		{"pushdown_matches_user_space", test_pushdown_matches_user_space},
		{"fetch_grows", test_fetch_grows},
		{"tcpstats_sdk_layout", test_tcpstats_sdk_layout},
		{"tcp_counters_live", test_tcp_counters_live},
		{"sysinfo", test_sysinfo},
		{"errors", test_errors},
		{"pid_source_option", test_pid_source_option},
		{"trace_poll", test_trace_poll},
	};
	WSADATA wsa;
	int passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 2 && strcmp(argv[1], "counters") == 0)
		return print_counters();
	if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
		printf("WSAStartup failed\n0 passed, 1 failed\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		int before = check_failures;

		tests[i].fn();
		if (check_failures == before) {
			printf("ok   %s\n", tests[i].name);
			passed++;
		} else {
			printf("FAIL %s\n", tests[i].name);
			failed++;
		}
	}
	WSACleanup();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
