/* test_tcptable_decode.c - the Windows TCP table decoder on constructed
 * tables, natively on Linux: every MIB_TCP_STATE on IPv4 and IPv6, exact
 * endpoints and scope ids, ports with garbage upper bits, pids, listener
 * peers, unknown state codes, truncated tables and counts larger than the
 * buffer, state filtering and stopping; and the grow-and-retry loop
 * around GetExtendedTcpTable against a table that grows between calls.
 * Tables are written byte by byte
 * as Windows lays them out (little-endian DWORDs), so the test does not
 * depend on the byte order of the machine running it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "windows_internal.h"

#define ROW4 sizeof(sockstate__win_tcprow4)
#define ROW6 sizeof(sockstate__win_tcprow6)
#define MAX_ROWS 16
#define TABLE_CAP (SOCKSTATE__WIN_TABLE_HEADER + MAX_ROWS * ROW6 + 64)

/* ---- building tables ---- */

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A port DWORD: network order in the low 16 bits, `junk` above. */
static void put_port(uint8_t *p, uint16_t port, uint16_t junk)
{
	p[0] = (uint8_t)(port >> 8);
	p[1] = (uint8_t)port;
	p[2] = (uint8_t)junk;
	p[3] = (uint8_t)(junk >> 8);
}

struct end4 {
	uint8_t addr[4];
	uint16_t port;
};

struct end6 {
	uint8_t addr[16];
	uint32_t scope;
	uint16_t port;
};

struct table {
	uint8_t bytes[TABLE_CAP];
	uint32_t rows;
	size_t len;
};

static void table_init(struct table *t)
{
	memset(t->bytes, 0xEE, sizeof t->bytes); /* garbage beyond the table */
	t->rows = 0;
	t->len = SOCKSTATE__WIN_TABLE_HEADER;
	put_le32(t->bytes, 0);
}

static void add_row4(struct table *t, uint32_t state, struct end4 l, struct end4 r,
                     uint32_t pid, uint16_t junk)
{
	uint8_t *row = t->bytes + t->len;

	assert_true(t->rows < MAX_ROWS);
	put_le32(row + offsetof(sockstate__win_tcprow4, state), state);
	memcpy(row + offsetof(sockstate__win_tcprow4, local_addr), l.addr, 4);
	put_port(row + offsetof(sockstate__win_tcprow4, local_port), l.port, junk);
	memcpy(row + offsetof(sockstate__win_tcprow4, remote_addr), r.addr, 4);
	put_port(row + offsetof(sockstate__win_tcprow4, remote_port), r.port, junk);
	put_le32(row + offsetof(sockstate__win_tcprow4, owning_pid), pid);
	t->len += ROW4;
	put_le32(t->bytes, ++t->rows);
}

static void add_row6(struct table *t, uint32_t state, struct end6 l, struct end6 r,
                     uint32_t pid, uint16_t junk)
{
	uint8_t *row = t->bytes + t->len;

	assert_true(t->rows < MAX_ROWS);
	memcpy(row + offsetof(sockstate__win_tcprow6, local_addr), l.addr, 16);
	put_le32(row + offsetof(sockstate__win_tcprow6, local_scope_id), l.scope);
	put_port(row + offsetof(sockstate__win_tcprow6, local_port), l.port, junk);
	memcpy(row + offsetof(sockstate__win_tcprow6, remote_addr), r.addr, 16);
	put_le32(row + offsetof(sockstate__win_tcprow6, remote_scope_id), r.scope);
	put_port(row + offsetof(sockstate__win_tcprow6, remote_port), r.port, junk);
	put_le32(row + offsetof(sockstate__win_tcprow6, state), state);
	put_le32(row + offsetof(sockstate__win_tcprow6, owning_pid), pid);
	t->len += ROW6;
	put_le32(t->bytes, ++t->rows);
}

/* ---- collecting records ---- */

struct got {
	sockstate_socket recs[MAX_ROWS];
	unsigned n;
	unsigned stop_at;   /* return stop_rc on this record (1-based); 0 never */
	int stop_rc;
};

static int collect(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct got *g = ctx;

	assert_int_equal(owner_key, 0);
	assert_int_equal(s->size, sizeof *s);
	assert_true(g->n < MAX_ROWS);
	g->recs[g->n++] = *s;
	if (g->stop_at && g->n == g->stop_at)
		return g->stop_rc;
	return 0;
}

static int decode(const struct table *t, size_t len, unsigned family, uint32_t states,
                  int with_pids, struct got *g, const char **why)
{
	sockstate__tcptable_sink sink = {
		.states = states, .with_pids = with_pids, .emit = collect, .emit_ctx = g,
	};

	return sockstate__tcptable_decode(t->bytes, len, family, &sink, why);
}

/* The same from a heap copy of exactly len bytes, so a sanitizer sees any
 * read past the end. */
static int decode_exact(const struct table *t, size_t len, unsigned family, struct got *g,
                        const char **why)
{
	sockstate__tcptable_sink sink = {
		.states = SOCKSTATE_STATES_ALL, .with_pids = 1, .emit = collect, .emit_ctx = g,
	};
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, t->bytes, len);
	rc = sockstate__tcptable_decode(copy, len, family, &sink, why);
	if (rc != SOCKSTATE_EPARSE)
		assert_int_equal(sockstate__tcptable_size(copy, len, family) != 0, 1);
	free(copy);
	return rc;
}

/* The MIB_TCP_STATE numbers, as netstat.exe names them. */
static const struct {
	uint32_t code;
	sockstate_state state;
	const char *native;
} mib_states[] = {
	{1, SOCKSTATE_CLOSED, "CLOSED"},
	{2, SOCKSTATE_LISTEN, "LISTENING"},
	{3, SOCKSTATE_SYN_SENT, "SYN_SENT"},
	{4, SOCKSTATE_SYN_RECEIVED, "SYN_RECEIVED"},
	{5, SOCKSTATE_ESTABLISHED, "ESTABLISHED"},
	{6, SOCKSTATE_FIN_WAIT_1, "FIN_WAIT_1"},
	{7, SOCKSTATE_FIN_WAIT_2, "FIN_WAIT_2"},
	{8, SOCKSTATE_CLOSE_WAIT, "CLOSE_WAIT"},
	{9, SOCKSTATE_CLOSING, "CLOSING"},
	{10, SOCKSTATE_LAST_ACK, "LAST_ACK"},
	{11, SOCKSTATE_TIME_WAIT, "TIME_WAIT"},
	{12, SOCKSTATE_DELETE_TCB, "DELETE_TCB"},
};
#define N_MIB_STATES (sizeof mib_states / sizeof mib_states[0])

static const struct end4 client4 = {{192, 0, 2, 10}, 50123};
static const struct end4 server4 = {{198, 51, 100, 7}, 443};
static const struct end6 link6 = {
	{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 12, 5985};
static const struct end6 peer6 = {
	{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55},
	12, 61000};

static void assert_end4(const sockstate_endpoint *ep, struct end4 want)
{
	static const uint8_t zero[12];

	assert_memory_equal(ep->addr, want.addr, 4);
	assert_memory_equal(ep->addr + 4, zero, 12);
	assert_int_equal(ep->port, want.port);
	assert_int_equal(ep->scope_id, 0);
}

static void assert_end6(const sockstate_endpoint *ep, struct end6 want)
{
	assert_memory_equal(ep->addr, want.addr, 16);
	assert_int_equal(ep->port, want.port);
	assert_int_equal(ep->scope_id, want.scope);
}

static void assert_no_extras(const sockstate_socket *s)
{
	assert_int_equal(s->uid, -1);
	assert_int_equal(s->inode, 0);
	assert_null(s->process);
	assert_int_equal(s->rx_queue, 0);
	assert_int_equal(s->tx_queue, 0);
	assert_int_equal(s->valid & ~(uint32_t)SOCKSTATE_HAS_PID, 0);
}

/* ---- tests ---- */

static void test_every_state_ipv4(void **unused)
{
	struct table t;
	struct got g = {0};
	const char *why = NULL;

	(void)unused;
	table_init(&t);
	for (size_t i = 0; i < N_MIB_STATES; i++)
		add_row4(&t, mib_states[i].code, client4, server4, 1000 + (uint32_t)i, 0);
	assert_int_equal(decode(&t, t.len, SOCKSTATE__WIN_AF_INET, SOCKSTATE_STATES_ALL, 1,
	                        &g, &why), 0);
	assert_null(why);
	assert_int_equal(g.n, N_MIB_STATES);
	for (size_t i = 0; i < N_MIB_STATES; i++) {
		const sockstate_socket *s = &g.recs[i];

		assert_int_equal(s->family, SOCKSTATE_FAMILY_IPV4);
		assert_int_equal(s->state, mib_states[i].state);
		assert_int_equal(s->native_code, (int32_t)mib_states[i].code);
		assert_string_equal(s->native_name, mib_states[i].native);
		assert_end4(&s->local, client4);
		if (mib_states[i].state == SOCKSTATE_LISTEN)
			assert_end4(&s->remote, (struct end4){{0, 0, 0, 0}, 0});
		else
			assert_end4(&s->remote, server4);
		assert_int_equal(s->pid, 1000 + (int32_t)i);
		assert_int_equal(s->pid_count, 1);
		assert_null(s->pids);
		assert_int_equal(s->valid, SOCKSTATE_HAS_PID);
		assert_no_extras(s);
	}
}

static void test_every_state_ipv6(void **unused)
{
	struct table t;
	struct got g = {0};
	const char *why = NULL;

	(void)unused;
	table_init(&t);
	for (size_t i = 0; i < N_MIB_STATES; i++)
		add_row6(&t, mib_states[i].code, link6, peer6, 2000 + (uint32_t)i, 0);
	assert_int_equal(decode(&t, t.len, SOCKSTATE__WIN_AF_INET6, SOCKSTATE_STATES_ALL, 1,
	                        &g, &why), 0);
	assert_null(why);
	assert_int_equal(g.n, N_MIB_STATES);
	for (size_t i = 0; i < N_MIB_STATES; i++) {
		const sockstate_socket *s = &g.recs[i];

		assert_int_equal(s->family, SOCKSTATE_FAMILY_IPV6);
		assert_int_equal(s->state, mib_states[i].state);
		assert_int_equal(s->native_code, (int32_t)mib_states[i].code);
		assert_string_equal(s->native_name, mib_states[i].native);
		assert_end6(&s->local, link6);
		if (mib_states[i].state == SOCKSTATE_LISTEN)
			assert_end6(&s->remote, (struct end6){{0}, 0, 0});
		else
			assert_end6(&s->remote, peer6);
		assert_int_equal(s->pid, 2000 + (int32_t)i);
		assert_int_equal(s->valid, SOCKSTATE_HAS_PID);
		assert_no_extras(s);
	}
}

/* The upper 16 bits of a port DWORD are undefined: whatever they hold,
 * the port is the low 16 bits, byte-swapped from network order. */
static void test_ports_ignore_upper_bits(void **unused)
{
	static const uint16_t junk[] = {0x0000, 0xFFFF, 0xABCD, 0x0001, 0x8000};
	static const struct end4 any4 = {{0, 0, 0, 0}, 0};

	(void)unused;
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		struct table t4, t6;
		struct got g4 = {0}, g6 = {0};
		const char *why = NULL;

		table_init(&t4);
		add_row4(&t4, 5, (struct end4){{127, 0, 0, 1}, 0x1F90}, (struct end4){{127, 0, 0, 2}, 0x0102},
		         7, junk[i]);
		add_row4(&t4, 2, (struct end4){{0, 0, 0, 0}, 65535}, any4, 7, junk[i]);
		assert_int_equal(decode(&t4, t4.len, SOCKSTATE__WIN_AF_INET, SOCKSTATE_STATES_ALL, 0,
		                        &g4, &why), 0);
		assert_int_equal(g4.n, 2);
		assert_int_equal(g4.recs[0].local.port, 8080);
		assert_int_equal(g4.recs[0].remote.port, 258);
		assert_int_equal(g4.recs[1].local.port, 65535);
		assert_int_equal(g4.recs[1].remote.port, 0);

		table_init(&t6);
		add_row6(&t6, 5, link6, peer6, 7, junk[i]);
		assert_int_equal(decode(&t6, t6.len, SOCKSTATE__WIN_AF_INET6, SOCKSTATE_STATES_ALL,
		                        0, &g6, &why), 0);
		assert_int_equal(g6.n, 1);
		assert_int_equal(g6.recs[0].local.port, 5985);
		assert_int_equal(g6.recs[0].remote.port, 61000);
		assert_null(why);
	}
}

/* pid only when asked; 0 (TIME_WAIT rows on Windows, every row on Wine)
 * and values beyond int32 are unknown, never a number. */
static void test_pids(void **unused)
{
	static const uint32_t pids[] = {4, 0, 0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu};
	static const int32_t want[] = {4, -1, 0x7FFFFFFF, -1, -1};
	struct table t;
	struct got asked = {0}, not_asked = {0};
	const char *why = NULL;

	(void)unused;
	table_init(&t);
	for (size_t i = 0; i < sizeof pids / sizeof pids[0]; i++)
		add_row4(&t, 5, client4, server4, pids[i], 0);
	assert_int_equal(decode(&t, t.len, SOCKSTATE__WIN_AF_INET, SOCKSTATE_STATES_ALL, 1,
	                        &asked, &why), 0);
	assert_int_equal(decode(&t, t.len, SOCKSTATE__WIN_AF_INET, SOCKSTATE_STATES_ALL, 0,
	                        &not_asked, &why), 0);
	assert_int_equal(asked.n, 5);
	assert_int_equal(not_asked.n, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(asked.recs[i].pid, want[i]);
		assert_int_equal(asked.recs[i].pid_count, want[i] >= 0 ? 1 : 0);
		assert_int_equal(asked.recs[i].valid, want[i] >= 0 ? SOCKSTATE_HAS_PID : 0);
		assert_null(asked.recs[i].pids);
		assert_int_equal(not_asked.recs[i].pid, -1);
		assert_int_equal(not_asked.recs[i].pid_count, 0);
		assert_int_equal(not_asked.recs[i].valid, 0);
	}
	assert_null(why);
}

/* A listener's remote fields mean nothing on Windows: no peer, whatever
 * bytes are there; other states keep theirs, even all zero. */
static void test_listener_has_no_peer(void **unused)
{
	struct table t4, t6;
	struct got g4 = {0}, g6 = {0};
	const char *why = NULL;
	const struct end4 zero4 = {{0, 0, 0, 0}, 0};

	(void)unused;
	table_init(&t4);
	add_row4(&t4, 2, (struct end4){{0, 0, 0, 0}, 445}, (struct end4){{10, 9, 8, 7}, 4242}, 4, 0x1234);
	add_row4(&t4, 1, (struct end4){{0, 0, 0, 0}, 445}, zero4, 4, 0);
	assert_int_equal(decode(&t4, t4.len, SOCKSTATE__WIN_AF_INET, SOCKSTATE_STATES_ALL, 0,
	                        &g4, &why), 0);
	assert_int_equal(g4.n, 2);
	assert_end4(&g4.recs[0].local, (struct end4){{0, 0, 0, 0}, 445});
	assert_end4(&g4.recs[0].remote, zero4);
	assert_int_equal(g4.recs[1].state, SOCKSTATE_CLOSED);
	assert_end4(&g4.recs[1].remote, zero4);

	table_init(&t6);
	add_row6(&t6, 2, link6, peer6, 4, 0);
	assert_int_equal(decode(&t6, t6.len, SOCKSTATE__WIN_AF_INET6, SOCKSTATE_STATES_ALL, 0,
	                        &g6, &why), 0);
	assert_int_equal(g6.n, 1);
	assert_end6(&g6.recs[0].local, link6);
	assert_end6(&g6.recs[0].remote, (struct end6){{0}, 0, 0});
	assert_null(why);
}

/* Codes outside MIB_TCP_STATE are UNKNOWN with the code kept (-1 when it
 * does not fit an int32), never a near state. */
static void test_unknown_state_codes(void **unused)
{
	static const uint32_t codes[] = {0, 13, 99, 0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu};
	static const int32_t want[] = {0, 13, 99, 0x7FFFFFFF, -1, -1};
	struct table t;
	struct got g = {0};
	const char *why = NULL;

	(void)unused;
	table_init(&t);
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		add_row6(&t, codes[i], link6, peer6, 8, 0);
	assert_int_equal(decode(&t, t.len, SOCKSTATE__WIN_AF_INET6, SOCKSTATE_STATES_ALL, 0,
	                        &g, &why), 0);
	assert_int_equal(g.n, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(g.recs[i].state, SOCKSTATE_UNKNOWN);
		assert_int_equal(g.recs[i].native_code, want[i]);
		assert_string_equal(g.recs[i].native_name, "UNKNOWN");
		assert_end6(&g.recs[i].remote, peer6);
	}
	/* The default state set excludes only BOUND: unknown rows are listed. */
	memset(&g, 0, sizeof g);
	assert_int_equal(decode(&t, t.len, SOCKSTATE__WIN_AF_INET6, SOCKSTATE_STATES_DEFAULT, 0,
	                        &g, &why), 0);
	assert_int_equal(g.n, 6);
	assert_null(why);
}

/* Every length short of the whole table is refused before any record is
 * emitted; bytes after the table are ignored. */
static void test_truncated_tables(void **unused)
{
	struct table t4, t6;
	const char *why;

	(void)unused;
	table_init(&t4);
	for (int i = 0; i < 3; i++)
		add_row4(&t4, 5, client4, server4, 77, 0);
	table_init(&t6);
	for (int i = 0; i < 3; i++)
		add_row6(&t6, 5, link6, peer6, 77, 0);
	assert_int_equal(t4.len, 4 + 3 * 24);
	assert_int_equal(t6.len, 4 + 3 * 56);
	for (int fam = 0; fam < 2; fam++) {
		const struct table *t = fam ? &t6 : &t4;
		unsigned family = fam ? SOCKSTATE__WIN_AF_INET6 : SOCKSTATE__WIN_AF_INET;

		for (size_t len = 0; len < t->len; len++) {
			struct got g = {0};

			why = NULL;
			assert_int_equal(decode_exact(t, len, family, &g, &why), SOCKSTATE_EPARSE);
			assert_int_equal(g.n, 0);
			assert_string_equal(why, len < 4
			                    ? "shorter than the table header (dwNumEntries)"
			                    : "dwNumEntries claims more rows than the buffer holds");
			assert_int_equal(sockstate__tcptable_size(t->bytes, len, family), 0);
		}
		for (size_t extra = 0; extra <= 64; extra += 13) {
			struct got g = {0};

			why = NULL;
			assert_int_equal(decode_exact(t, t->len + extra, family, &g, &why), 0);
			assert_null(why);
			assert_int_equal(g.n, 3);
			assert_int_equal(sockstate__tcptable_size(t->bytes, t->len + extra, family),
			                 t->len);
		}
	}
}

/* dwNumEntries far beyond the buffer (up to 2^32-1: no overflow), and an
 * empty table. */
static void test_count_larger_than_buffer(void **unused)
{
	static const uint32_t counts[] = {2, 1000, 0x0AAAAAAB, 0x80000000u, 0xFFFFFFFFu};
	struct table t;
	struct got g = {0};
	const char *why = NULL;

	(void)unused;
	table_init(&t);
	add_row4(&t, 5, client4, server4, 1, 0);
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		put_le32(t.bytes, counts[i]);
		why = NULL;
		for (unsigned fam = 0; fam < 2; fam++) {
			unsigned family = fam ? SOCKSTATE__WIN_AF_INET6 : SOCKSTATE__WIN_AF_INET;

			assert_int_equal(decode_exact(&t, t.len, family, &g, &why), SOCKSTATE_EPARSE);
			assert_string_equal(why, "dwNumEntries claims more rows than the buffer holds");
			assert_int_equal(sockstate__tcptable_size(t.bytes, t.len, family), 0);
		}
		assert_int_equal(g.n, 0);
	}
	put_le32(t.bytes, 0);
	why = NULL;
	assert_int_equal(decode(&t, 4, SOCKSTATE__WIN_AF_INET, SOCKSTATE_STATES_ALL, 1, &g, &why),
	                 0);
	assert_int_equal(decode(&t, 4, SOCKSTATE__WIN_AF_INET6, SOCKSTATE_STATES_ALL, 1, &g,
	                        &why), 0);
	assert_null(why);
	assert_int_equal(g.n, 0);
	assert_int_equal(sockstate__tcptable_size(t.bytes, 4, SOCKSTATE__WIN_AF_INET), 4);
}

/* Linux's AF_INET6 (10) is not Windows' (23). */
static void test_bad_family(void **unused)
{
	struct table t;
	struct got g = {0};
	const char *why = NULL;

	(void)unused;
	table_init(&t);
	add_row4(&t, 5, client4, server4, 1, 0);
	assert_int_equal(decode(&t, t.len, 10, SOCKSTATE_STATES_ALL, 1, &g, &why),
	                 SOCKSTATE_EINVAL);
	assert_string_equal(why, "address family is neither AF_INET (2) nor AF_INET6 (23)");
	assert_int_equal(g.n, 0);
	assert_int_equal(sockstate__tcptable_size(t.bytes, t.len, 10), 0);
}

/* Only rows in the sink's states, in table order. */
static void test_state_filter(void **unused)
{
	struct table t;
	struct got g = {0};
	const char *why = NULL;
	uint32_t states = SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN) |
	                  SOCKSTATE_STATE_BIT(SOCKSTATE_TIME_WAIT) |
	                  SOCKSTATE_STATE_BIT(SOCKSTATE_UNKNOWN);

	(void)unused;
	table_init(&t);
	for (size_t i = 0; i < N_MIB_STATES; i++) {
		struct end4 l = client4;

		l.port = (uint16_t)(40000 + i);
		add_row4(&t, mib_states[i].code, l, server4, 5, 0);
	}
	add_row4(&t, 42, client4, server4, 5, 0);
	assert_int_equal(decode(&t, t.len, SOCKSTATE__WIN_AF_INET, states, 0, &g, &why), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.recs[0].state, SOCKSTATE_LISTEN);
	assert_int_equal(g.recs[0].local.port, 40001);
	assert_int_equal(g.recs[1].state, SOCKSTATE_TIME_WAIT);
	assert_int_equal(g.recs[1].local.port, 40010);
	assert_int_equal(g.recs[2].state, SOCKSTATE_UNKNOWN);
	assert_int_equal(g.recs[2].native_code, 42);
	assert_null(why);
}

/* emit's positive value stops the walk and comes back unchanged; so does
 * its error, with *why untouched. */
static void test_emit_stops(void **unused)
{
	struct table t;
	const char *why = NULL;

	(void)unused;
	table_init(&t);
	for (int i = 0; i < 4; i++)
		add_row6(&t, 5, link6, peer6, 9, 0);
	{
		struct got g = {.stop_at = 2, .stop_rc = 7};
		assert_int_equal(decode(&t, t.len, SOCKSTATE__WIN_AF_INET6, SOCKSTATE_STATES_ALL, 0,
		                        &g, &why), 7);
		assert_int_equal(g.n, 2);
	}
	{
		struct got g = {.stop_at = 3, .stop_rc = SOCKSTATE_ENOMEM};
		assert_int_equal(decode(&t, t.len, SOCKSTATE__WIN_AF_INET6, SOCKSTATE_STATES_ALL, 0,
		                        &g, &why), SOCKSTATE_ENOMEM);
		assert_int_equal(g.n, 3);
	}
	assert_null(why);
}

/* The buffer needs no alignment: the same table one byte further on. */
static void test_unaligned_buffer(void **unused)
{
	static uint8_t shifted[TABLE_CAP + 1];
	struct table t;
	struct got g = {0};
	const char *why = NULL;
	sockstate__tcptable_sink sink = {
		.states = SOCKSTATE_STATES_ALL, .with_pids = 1, .emit = collect, .emit_ctx = &g,
	};

	(void)unused;
	table_init(&t);
	add_row6(&t, 8, link6, peer6, 321, 0xBEEF);
	add_row6(&t, 12, peer6, link6, 322, 0xBEEF);
	memcpy(shifted + 1, t.bytes, t.len);
	assert_int_equal(sockstate__tcptable_decode(shifted + 1, t.len, SOCKSTATE__WIN_AF_INET6,
	                                            &sink, &why), 0);
	assert_null(why);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.recs[0].state, SOCKSTATE_CLOSE_WAIT);
	assert_end6(&g.recs[0].local, link6);
	assert_end6(&g.recs[0].remote, peer6);
	assert_int_equal(g.recs[0].pid, 321);
	assert_int_equal(g.recs[1].state, SOCKSTATE_DELETE_TCB);
	assert_string_equal(g.recs[1].native_name, "DELETE_TCB");
	assert_end6(&g.recs[1].local, peer6);
	assert_end6(&g.recs[1].remote, link6);
	assert_int_equal(g.recs[1].pid, 322);
}

/* Zones belong to link-local addresses only: whatever scope a row gives
 * ::1, a global or a mapped address (Wine: 0x1000, 0xFFFFFFFF) is 0. */
static void test_zones_only_link_local(void **unused)
{
	static const struct end6 loopback = {{[15] = 1}, 0x1000, 22000};
	static const struct end6 global = {
		{0x20, 0x01, 0x0d, 0xb8, [15] = 0x42}, 0xFFFFFFFFu, 443};
	static const struct end6 mapped = {
		{[10] = 0xff, [11] = 0xff, 127, 0, 0, 1}, 7, 22120};
	static const struct end6 link_zone0 = {{0xfe, 0x80, [15] = 9}, 0, 1};
	static const struct end6 link_febf = {{0xfe, 0xbf, [15] = 9}, 3, 2};
	static const struct end6 site_fec0 = {{0xfe, 0xc0, [15] = 9}, 3, 3};
	struct table t;
	struct got g = {0};
	const char *why = NULL;

	(void)unused;
	table_init(&t);
	add_row6(&t, 5, loopback, global, 0, 0);
	add_row6(&t, 5, mapped, link6, 0, 0);
	add_row6(&t, 5, link_zone0, link_febf, 0, 0);
	add_row6(&t, 5, site_fec0, peer6, 0, 0);
	assert_int_equal(decode(&t, t.len, SOCKSTATE__WIN_AF_INET6, SOCKSTATE_STATES_ALL, 0, &g,
	                        &why), 0);
	assert_null(why);
	assert_int_equal(g.n, 4);
	assert_memory_equal(g.recs[0].local.addr, loopback.addr, 16);
	assert_int_equal(g.recs[0].local.scope_id, 0);
	assert_int_equal(g.recs[0].remote.scope_id, 0);
	assert_int_equal(g.recs[1].local.scope_id, 0);
	assert_int_equal(g.recs[1].remote.scope_id, 12);
	assert_int_equal(g.recs[2].local.scope_id, 0);
	assert_int_equal(g.recs[2].remote.scope_id, 3);
	assert_int_equal(g.recs[3].local.scope_id, 0);
	assert_int_equal(g.recs[3].remote.scope_id, 12);
}

/* An IPv4-mapped IPv6 row keeps its 16 bytes; family stays IPv6. */
static void test_mapped_ipv6(void **unused)
{
	static const struct end6 mapped = {
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1}, 0, 22120};
	static const struct end6 mapped_peer = {
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2}, 0, 22121};
	struct table t;
	struct got g = {0};
	const char *why = NULL;

	(void)unused;
	table_init(&t);
	add_row6(&t, 5, mapped, mapped_peer, 0, 0);
	assert_int_equal(decode(&t, t.len, SOCKSTATE__WIN_AF_INET6, SOCKSTATE_STATES_ALL, 1, &g,
	                        &why), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.recs[0].family, SOCKSTATE_FAMILY_IPV6);
	assert_end6(&g.recs[0].local, mapped);
	assert_end6(&g.recs[0].remote, mapped_peer);
	assert_int_equal(g.recs[0].valid, 0);
	assert_null(why);
}

/* ---- the grow-and-retry loop (tcptable_fetch.c) ---- */

/* A table whose size is needs[call] bytes at each call: it fits a buffer
 * that large, else the call says how much it needs now. After the last
 * entry the size stays. fail_with, when set, is every call's answer. */
struct fake_table {
	size_t needs[16];
	int n_needs;
	int calls;
	uint32_t fail_with;
	size_t filled;           /* the size the last successful call had */
};

static uint32_t fake_get(void *ctx, void *buf, uint32_t *size, unsigned win_family)
{
	struct fake_table *t = ctx;
	int i = t->calls < t->n_needs ? t->calls : t->n_needs - 1;
	size_t need = t->needs[i];

	assert_int_equal(win_family, SOCKSTATE__WIN_AF_INET6);
	t->calls++;
	if (t->fail_with)
		return t->fail_with;
	if (need > *size) {
		*size = (uint32_t)need;
		return SOCKSTATE__WIN_ERROR_INSUFFICIENT_BUFFER;
	}
	memset(buf, 0xab, need); /* the whole table is written: ASan checks */
	t->filled = *size;
	return SOCKSTATE__WIN_NO_ERROR;
}

static void test_fill_fits_at_once(void **state)
{
	struct fake_table t = {.needs = {1000}, .n_needs = 1};
	sockstate__tcptable_buf b = {0};
	uint32_t os_error = 99;
	size_t len = 0;

	(void)state;
	assert_int_equal(sockstate__tcptable_fill(NULL, SOCKSTATE__WIN_AF_INET6, &b, fake_get,
	                                          &t, &len, &os_error), 0);
	assert_int_equal(t.calls, 1);
	assert_int_equal(b.cap, 64 * 1024); /* the first buffer */
	assert_int_equal(len, b.cap);
	assert_int_equal(os_error, 0);
	free(b.data);
}

/* The table outgrows the buffer between the size answer and the copy,
 * twice; the third call fits, and the buffer is kept for the next. */
static void test_fill_table_grows_between_calls(void **state)
{
	struct fake_table t = {.needs = {100000, 200000, 240000}, .n_needs = 3};
	sockstate__tcptable_buf b = {0};
	uint32_t os_error;
	size_t len;

	(void)state;
	assert_int_equal(sockstate__tcptable_fill(NULL, SOCKSTATE__WIN_AF_INET6, &b, fake_get,
	                                          &t, &len, &os_error), 0);
	assert_int_equal(t.calls, 3);
	/* 200000 asked for, plus a quarter and 4096 of headroom: 240000 fits. */
	assert_int_equal(b.cap, 200000 + 50000 + 4096);
	assert_int_equal(len, b.cap);
	assert_int_equal(t.filled, b.cap);

	t = (struct fake_table){.needs = {240000}, .n_needs = 1};
	assert_int_equal(sockstate__tcptable_fill(NULL, SOCKSTATE__WIN_AF_INET6, &b, fake_get,
	                                          &t, &len, &os_error), 0);
	assert_int_equal(t.calls, 1); /* the kept buffer fits at once */
	free(b.data);
}

static void test_fill_gives_up_when_it_keeps_growing(void **state)
{
	struct fake_table t = {.n_needs = SOCKSTATE__TCPTABLE_TRIES + 1};
	sockstate__tcptable_buf b = {0};
	sockstate_handle *h;
	uint32_t os_error;
	size_t len = 1;

	(void)state;
	/* Each answer outgrows the buffer the last one led to. */
	for (int i = 0; i < t.n_needs; i++)
		t.needs[i] = (size_t)100000 << i;
	assert_int_equal(sockstate_open(&h, NULL), 0);
	assert_int_equal(sockstate__tcptable_fill(h, SOCKSTATE__WIN_AF_INET6, &b, fake_get,
	                                          &t, &len, &os_error), SOCKSTATE_EAGAIN);
	assert_int_equal(t.calls, SOCKSTATE__TCPTABLE_TRIES);
	assert_int_equal(len, 0);
	assert_int_equal(os_error, 0);
	assert_non_null(strstr(sockstate_errdetail(h), "outgrew the buffer 8 times"));
	assert_non_null(strstr(sockstate_errdetail(h), "AF_INET6"));
	sockstate_close(h);
	free(b.data);
}

static void test_fill_passes_os_errors_up(void **state)
{
	struct fake_table t = {.needs = {10}, .n_needs = 1, .fail_with = 5 /* ACCESS_DENIED */};
	sockstate__tcptable_buf b = {0};
	uint32_t os_error;
	size_t len = 1;

	(void)state;
	assert_int_equal(sockstate__tcptable_fill(NULL, SOCKSTATE__WIN_AF_INET6, &b, fake_get,
	                                          &t, &len, &os_error), SOCKSTATE_EIO);
	assert_int_equal(os_error, 5);
	assert_int_equal(t.calls, 1);
	assert_int_equal(len, 0);
	free(b.data);
}

/* A size near 4 GiB plus headroom no longer fits the call's DWORD. */
static void test_fill_refuses_tables_beyond_a_dword(void **state)
{
	struct fake_table t = {.needs = {(size_t)UINT32_MAX - 10}, .n_needs = 1};
	sockstate__tcptable_buf b = {0};
	uint32_t os_error;
	size_t len;

	(void)state;
	assert_int_equal(sockstate__tcptable_fill(NULL, SOCKSTATE__WIN_AF_INET6, &b, fake_get,
	                                          &t, &len, &os_error), SOCKSTATE_ENOMEM);
	assert_int_equal(b.cap, 64 * 1024); /* unchanged, still usable */
	free(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_state_ipv4),
		cmocka_unit_test(test_every_state_ipv6),
		cmocka_unit_test(test_ports_ignore_upper_bits),
		cmocka_unit_test(test_pids),
		cmocka_unit_test(test_listener_has_no_peer),
		cmocka_unit_test(test_unknown_state_codes),
		cmocka_unit_test(test_truncated_tables),
		cmocka_unit_test(test_count_larger_than_buffer),
		cmocka_unit_test(test_bad_family),
		cmocka_unit_test(test_state_filter),
		cmocka_unit_test(test_emit_stops),
		cmocka_unit_test(test_unaligned_buffer),
		cmocka_unit_test(test_mapped_ipv6),
		cmocka_unit_test(test_zones_only_link_local),
		cmocka_unit_test(test_fill_fits_at_once),
		cmocka_unit_test(test_fill_table_grows_between_calls),
		cmocka_unit_test(test_fill_gives_up_when_it_keeps_growing),
		cmocka_unit_test(test_fill_passes_os_errors_up),
		cmocka_unit_test(test_fill_refuses_tables_beyond_a_dword),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
