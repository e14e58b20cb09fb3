/* test_e2e_linux.c - real sockets, found exactly, through the public API:
 * streaming, snapshot and counts; both backends; pushed-down filters equal
 * to user-space ones; owners are this process, mapped beside the walk. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockstate.h"

/* What the test holds: each expected socket by endpoints and state. */
struct expect {
	sockstate_family family;
	char local[64];
	uint16_t lport;
	char remote[64];
	uint16_t rport;
	sockstate_state state;
	const char *native;
	int owned;        /* an fd of this process holds it */
	int seen;
};

enum { MAX_EXPECT = 32 };
static struct expect expected[MAX_EXPECT];
static size_t nexpected;
static uint16_t ports[8];   /* listening ports: our filter of everything */
static size_t nports;
static int in_private_netns;

static void lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (fd >= 0)
		close(fd);
}

static socklen_t make_addr(int family, const char *text, uint16_t port,
                           struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		inet_pton(AF_INET, text, &a->sin_addr);
		return sizeof *a;
	}
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	a6->sin6_family = AF_INET6;
	a6->sin6_port = htons(port);
	inet_pton(AF_INET6, text, &a6->sin6_addr);
	return sizeof *a6;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void expect_add(sockstate_family fam, const char *l, uint16_t lp, const char *r,
                       uint16_t rp, sockstate_state st, const char *native, int owned)
{
	struct expect *e = &expected[nexpected++];

	e->family = fam;
	snprintf(e->local, sizeof e->local, "%s", l);
	e->lport = lp;
	snprintf(e->remote, sizeof e->remote, "%s", r);
	e->rport = rp;
	e->state = st;
	e->native = native;
	e->owned = owned;
}

/* Listener, one accepted connection (two ESTABLISHED ends), and one
 * connection the client closed first (TIME_WAIT on its side). */
static void hold_family(int family, const char *addr)
{
	sockstate_family fam = family == AF_INET ? SOCKSTATE_FAMILY_IPV4 : SOCKSTATE_FAMILY_IPV6;
	const char *any = family == AF_INET ? "0.0.0.0" : "::";
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, addr, 0, &ss);
	int one = 1, lfd, cfd, sfd, tfd, tsfd;
	uint16_t lport, cport, tport;

	lfd = socket(family, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	assert_int_equal(bind(lfd, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(listen(lfd, 16), 0);
	lport = local_port(lfd);
	ports[nports++] = lport;
	len = make_addr(family, addr, lport, &ss);

	cfd = socket(family, SOCK_STREAM, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&ss, len), 0);
	sfd = accept(lfd, NULL, NULL);
	assert_true(sfd >= 0);
	cport = local_port(cfd);

	tfd = socket(family, SOCK_STREAM, 0);
	assert_int_equal(connect(tfd, (struct sockaddr *)&ss, len), 0);
	tsfd = accept(lfd, NULL, NULL);
	assert_true(tsfd >= 0);
	tport = local_port(tfd);
	close(tfd);   /* active close: client goes FIN_WAIT_2 ... */
	close(tsfd);  /* ... and TIME_WAIT once the server's FIN arrives */

	(void)any;
	expect_add(fam, addr, lport, any, 0, SOCKSTATE_LISTEN, "LISTEN", 1);
	expect_add(fam, addr, cport, addr, lport, SOCKSTATE_ESTABLISHED, "ESTAB", 1);
	expect_add(fam, addr, lport, addr, cport, SOCKSTATE_ESTABLISHED, "ESTAB", 1);
	expect_add(fam, addr, tport, addr, lport, SOCKSTATE_TIME_WAIT, "TIME-WAIT", 0);
}

static int ours(const sockstate_socket *s)
{
	for (size_t i = 0; i < nports; i++)
		if (s->local.port == ports[i] || s->remote.port == ports[i])
			return 1;
	return 0;
}

static struct expect *expect_find(const sockstate_socket *s)
{
	char l[64], r[64];

	sockstate_endpoint_format(s->family, &s->local, l, sizeof l);
	sockstate_endpoint_format(s->family, &s->remote, r, sizeof r);
	for (size_t i = 0; i < nexpected; i++) {
		struct expect *e = &expected[i];
		if (e->family == s->family && !strcmp(e->local, l) && e->lport == s->local.port &&
		    !strcmp(e->remote, r) && e->rport == s->remote.port)
			return e;
	}
	return NULL;
}

struct seen {
	int pids;
	size_t count;
	int unexpected;
};

static int check_record(const sockstate_socket *s, void *ctx)
{
	struct seen *seen = ctx;
	struct expect *e;

	if (!ours(s))
		return 0;
	e = expect_find(s);
	if (!e) {
		char l[64];
		sockstate_endpoint_format(s->family, &s->local, l, sizeof l);
		print_message("unexpected socket %s:%u state %s\n", l, s->local.port,
		              sockstate_state_name(s->state));
		seen->unexpected++;
		return 0;
	}
	assert_int_equal(s->size, sizeof *s);
	assert_int_equal(s->state, e->state);
	assert_string_equal(s->native_name, e->native);
	if (e->state == SOCKSTATE_TIME_WAIT) {
		/* the kernel keeps no owner for a timewait socket: uid and
		 * inode are unknown, not 0 */
		assert_false(s->valid & (SOCKSTATE_HAS_UID | SOCKSTATE_HAS_INODE));
	} else {
		assert_true(s->valid & SOCKSTATE_HAS_UID);
		assert_true(s->uid == (int64_t)getuid());
		assert_true((s->valid & SOCKSTATE_HAS_INODE) && s->inode != 0);
	}
	if (seen->pids && e->owned) {
		assert_true(s->valid & SOCKSTATE_HAS_PID);
		assert_int_equal(s->pid, getpid());
		assert_int_equal(s->pid_count, 1);
		assert_true(s->valid & SOCKSTATE_HAS_PROCESS);
		assert_string_equal(s->process, "e2e-sockstate");
	} else {
		assert_false(s->valid & SOCKSTATE_HAS_PID);
		assert_int_equal(s->pid, -1);
	}
	e->seen++;
	seen->count++;
	return 0;
}

static void reset_seen(void)
{
	for (size_t i = 0; i < nexpected; i++)
		expected[i].seen = 0;
}

static void assert_all_seen_once(const struct seen *seen)
{
	assert_int_equal(seen->unexpected, 0);
	for (size_t i = 0; i < nexpected; i++) {
		if (expected[i].seen != 1)
			fail_msg("%s:%u %s seen %d times", expected[i].local, expected[i].lport,
			         sockstate_state_name(expected[i].state), expected[i].seen);
	}
	assert_int_equal(seen->count, nexpected);
}

static int wait_for_time_wait(void)
{
	sockstate_handle *h;
	sockstate_query q;
	sockstate_counts c;

	assert_int_equal(sockstate_open(&h, NULL), 0);
	sockstate_query_init(&q);
	q.states = SOCKSTATE_STATE_BIT(SOCKSTATE_TIME_WAIT);
	for (int i = 0; i < 2000; i++) {
		uint64_t ours_tw = 0;
		for (size_t p = 0; p < nports; p++) {
			q.port = ports[p];
			assert_int_equal(sockstate_count(h, &q, &c), 0);
			ours_tw += c.by_state[SOCKSTATE_TIME_WAIT];
		}
		if (ours_tw == nports)
			break;
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL); /* polling a state: no readiness signal exists */
	}
	sockstate_close(h);
	return 0;
}

static int setup(void **unused)
{
	(void)unused;
	in_private_netns = unshare(CLONE_NEWNET) == 0;
	if (in_private_netns)
		lo_up();
	print_message("e2e: %s\n", in_private_netns ? "in a private network namespace"
	              : "on the host's loopback (no namespace: not root?)");
	prctl(PR_SET_NAME, "e2e-sockstate");
	hold_family(AF_INET, "127.0.0.1");
	hold_family(AF_INET6, "::1");
	return wait_for_time_wait();
}

/* The pid source a default handle uses here: the BPF iterator when this
 * caller may use it (root, where built), else the /proc walk. */
static const char *expected_pid_source(void)
{
	sockstate_options o = {.size = sizeof o, .pid_source = "bpf"};
	sockstate_handle *h;
	sockstate_counts c;
	sockstate_query q;
	const char *source = "procfs";

	if (sockstate_open(&h, &o) != 0)
		return source;
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	if (sockstate_count(h, &q, &c) == 0)
		source = "bpf-iter";
	sockstate_close(h);
	return source;
}

static void run_backend(const char *backend, int pids)
{
	sockstate_options o = {.size = sizeof o, .backend = backend};
	sockstate_handle *h;
	sockstate_query q;
	struct seen seen = {.pids = pids};

	assert_int_equal(sockstate_open(&h, &o), 0);
	assert_string_equal(sockstate_backend(h), backend);
	sockstate_query_init(&q);
	if (pids)
		q.flags |= SOCKSTATE_Q_PIDS;
	reset_seen();
	assert_int_equal(sockstate_foreach(h, &q, check_record, &seen), 0);
	assert_all_seen_once(&seen);
	if (pids)
		assert_string_equal(sockstate_pid_source(h), expected_pid_source());
	sockstate_close(h);
}

static void test_netlink_streaming(void **unused) { (void)unused; run_backend("linux-netlink", 0); }
static void test_netlink_pids(void **unused) { (void)unused; run_backend("linux-netlink", 1); }
static void test_proc_streaming(void **unused) { (void)unused; run_backend("linux-proc", 0); }
static void test_proc_pids(void **unused) { (void)unused; run_backend("linux-proc", 1); }

static void test_snapshot_and_counts(void **unused)
{
	sockstate_handle *h;
	sockstate_snapshot *snap;
	sockstate_counts c;
	sockstate_query q;
	struct seen seen = {.pids = 1};

	(void)unused;
	assert_int_equal(sockstate_open(&h, NULL), 0);
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	q.port = ports[0];
	assert_int_equal(sockstate_snapshot_take(h, &q, &snap), 0);
	assert_string_equal(snap->backend, "linux-netlink");
	assert_string_equal(snap->pid_source, expected_pid_source());
	assert_int_equal(snap->count, 4); /* the IPv4 half */
	reset_seen();
	for (size_t i = 0; i < snap->count; i++)
		check_record(&snap->sockets[i], &seen);
	assert_int_equal(seen.count, 4);
	assert_int_equal(sockstate_snapshot_sort(snap, SOCKSTATE_SORT_STATE), 0);
	assert_int_equal(snap->sockets[0].state, SOCKSTATE_LISTEN);
	assert_int_equal(snap->sockets[3].state, SOCKSTATE_TIME_WAIT);
	sockstate_snapshot_free(snap);

	assert_int_equal(sockstate_count(h, &q, &c), 0);
	assert_int_equal(c.total, 4);
	assert_int_equal(c.by_state[SOCKSTATE_LISTEN], 1);
	assert_int_equal(c.by_state[SOCKSTATE_ESTABLISHED], 2);
	assert_int_equal(c.by_state[SOCKSTATE_TIME_WAIT], 1);
	assert_int_equal(c.by_family_state[0][SOCKSTATE_ESTABLISHED], 2);
	assert_int_equal(c.by_family_state[1][SOCKSTATE_ESTABLISHED], 0);
	sockstate_close(h);
}

struct collect {
	char keys[64][160];
	size_t n;
};

static int collect_one(const sockstate_socket *s, void *ctx)
{
	struct collect *c = ctx;
	char l[64], r[64];

	if (!ours(s) || c->n == 64)
		return 0;
	sockstate_endpoint_format(s->family, &s->local, l, sizeof l);
	sockstate_endpoint_format(s->family, &s->remote, r, sizeof r);
	snprintf(c->keys[c->n++], sizeof c->keys[0], "%s:%u %s:%u %s", l, s->local.port,
	         r, s->remote.port, sockstate_state_name(s->state));
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static size_t query_keys(sockstate_handle *h, const sockstate_query *q, struct collect *c)
{
	c->n = 0;
	assert_int_equal(sockstate_foreach(h, q, collect_one, c), 0);
	qsort(c->keys, c->n, sizeof c->keys[0], key_cmp);
	return c->n;
}

/* Every filter, pushed into the kernel and applied in user space only,
 * returns the same sockets; the expected count proves the filter bites. */
static void test_pushdown_equals_userspace(void **unused)
{
	char port0[8], port1[8], lport[8];
	struct {
		const char *key;
		const char *value;
		size_t want;
	} cases[] = {
		{"port", port0, 4}, {"sport", port0, 2}, {"dport", port1, 2},
		{"sport", lport, 1}, {"state", "ESTAB", 4}, {"state", "LISTEN,TIME-WAIT", 4},
		{"addr", "127.0.0.0/8", 4}, {"saddr", "::1", 4}, {"daddr", "::", 1},
		{"family", "6", 4}, {"daddr", "0.0.0.0/0", 4}, {"state", "SYN_SENT", 0},
	};
	static struct collect pushed, user;
	sockstate_handle *h;

	(void)unused;
	snprintf(port0, sizeof port0, "%u", ports[0]);
	snprintf(port1, sizeof port1, "%u", ports[1]);
	snprintf(lport, sizeof lport, "%u", expected[1].lport); /* an IPv4 client */
	assert_int_equal(sockstate_open(&h, NULL), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sockstate_query q;
		sockstate_query_init(&q);
		assert_int_equal(sockstate_query_set(&q, cases[i].key, cases[i].value), 0);
		size_t n = query_keys(h, &q, &pushed);
		q.flags |= SOCKSTATE_Q_NO_PUSHDOWN;
		assert_int_equal(query_keys(h, &q, &user), n);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(pushed.keys[k], user.keys[k]);
		if (n != cases[i].want)
			fail_msg("--%s %s: %zu sockets, want %zu", cases[i].key, cases[i].value, n,
			         cases[i].want);
	}
	sockstate_close(h);
}

static void test_pid_filter(void **unused)
{
	sockstate_handle *h;
	sockstate_query q;
	sockstate_counts c;
	char pid[16];

	(void)unused;
	assert_int_equal(sockstate_open(&h, NULL), 0);
	sockstate_query_init(&q);
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	assert_int_equal(sockstate_query_set(&q, "pid", pid), 0);
	q.port = ports[1];
	assert_int_equal(sockstate_count(h, &q, &c), 0);
	assert_int_equal(c.total, 3); /* TIME_WAIT has no owner */
	sockstate_close(h);
}

/* ---- the owner map built beside the walk (run.c) ---- */

struct stopper {
	int stop_at;      /* return 7 from this record on, counting from 1 */
	int calls;
	int owned;        /* records with this process as their owner */
};

static int stop_or_count(const sockstate_socket *s, void *ctx)
{
	struct stopper *st = ctx;

	if ((s->valid & SOCKSTATE_HAS_PID) && s->pid == getpid())
		st->owned++;
	return ++st->calls == st->stop_at ? 7 : 0;
}

/* Many more sockets than one chunk of held records (1,024) holds: every
 * one comes back joined, a stop in the second chunk is returned and frees
 * the rest (ASan/LSan would see a leak), and the handle works after it. */
enum { LISTENERS = 2500 };
static int many_fds[LISTENERS];
static int many_open;

/* Also when an assertion ends the test early: the tests after it need
 * their descriptors. */
static int close_many(void **unused)
{
	(void)unused;
	while (many_open > 0)
		close(many_fds[--many_open]);
	return 0;
}

static void test_pids_beside_walk_many(void **unused)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct rlimit lim;
	sockstate_handle *h;
	sockstate_query q;
	struct stopper st = {0};
	struct seen seen = {.pids = 1};

	(void)unused;
	if (!in_private_netns)
		skip(); /* 2,500 listeners on the host's loopback: not ours to make */
	/* A soft limit of 1,024 (common under sudo) is raised to the hard one. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &lim), 0);
	if (lim.rlim_cur < LISTENERS + 100) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
		if (lim.rlim_cur < LISTENERS + 100)
			skip();
	}
	inet_pton(AF_INET, "127.0.0.9", &a.sin_addr);
	for (int i = 0; i < LISTENERS; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		assert_true(fd >= 0);
		many_fds[many_open++] = fd;
		assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
		assert_int_equal(listen(fd, 1), 0);
	}
	assert_int_equal(sockstate_open(&h, NULL), 0);
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	assert_int_equal(sockstate_query_set(&q, "saddr", "127.0.0.9"), 0);
	assert_int_equal(sockstate_foreach(h, &q, stop_or_count, &st), 0);
	assert_int_equal(st.calls, LISTENERS);
	assert_int_equal(st.owned, LISTENERS);

	st = (struct stopper){.stop_at = 1500};
	assert_int_equal(sockstate_foreach(h, &q, stop_or_count, &st), 7);
	assert_int_equal(st.calls, 1500);
	/* Closed first: their ephemeral ports may equal the suite's ports. */
	close_many(NULL);

	/* The same handle, the sockets the rest of the suite checks. */
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	reset_seen();
	for (size_t p = 0; p < nports; p++) {
		q.port = ports[p];
		assert_int_equal(sockstate_foreach(h, &q, check_record, &seen), 0);
	}
	assert_all_seen_once(&seen);
	sockstate_close(h);
}

/* The map's failure, met on its own thread, is the query's error with
 * the map's own detail, as when the map was built first. */
static void test_pids_beside_walk_error(void **unused)
{
	pid_t child;
	int status;

	(void)unused;
	if (strcmp(expected_pid_source(), "bpf-iter") != 0)
		skip(); /* the BPF source is what can be refused here */
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		sockstate_options o = {.size = sizeof o, .pid_source = "bpf"};
		sockstate_handle *h;
		sockstate_query q;
		struct stopper st = {0};
		int rc;

		if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
			_exit(10);
		if (sockstate_open(&h, &o) != 0)
			_exit(11);
		sockstate_query_init(&q);
		q.flags = SOCKSTATE_Q_PIDS;
		rc = sockstate_foreach(h, &q, stop_or_count, &st);
		if (rc != SOCKSTATE_EPERM)
			_exit(12);
		if (!strstr(sockstate_errdetail(h), "pid source bpf"))
			_exit(13);
		if (st.calls != 0)
			_exit(14); /* nothing reaches the callback */
		sockstate_close(h);
		_exit(0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_open_errors(void **unused)
{
	sockstate_options o = {.size = sizeof o, .backend = "freebsd-sysctl"};
	sockstate_handle *h = (sockstate_handle *)&o;

	(void)unused;
	assert_int_equal(sockstate_open(&h, &o), SOCKSTATE_EINVAL);
	assert_null(h);
	assert_non_null(strstr(sockstate_errdetail(NULL), "freebsd-sysctl"));
	o.backend = NULL;
	o.pid_source = "magic";
	assert_int_equal(sockstate_open(&h, &o), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_open(NULL, NULL), SOCKSTATE_EINVAL);
	assert_non_null(sockstate_backends()[0]);
	assert_string_equal(sockstate_backends()[0], "linux-netlink");
	assert_string_equal(sockstate_backends()[1], "linux-proc");
	assert_null(sockstate_backends()[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netlink_streaming),
		cmocka_unit_test(test_netlink_pids),
		cmocka_unit_test(test_proc_streaming),
		cmocka_unit_test(test_proc_pids),
		cmocka_unit_test(test_snapshot_and_counts),
		cmocka_unit_test(test_pushdown_equals_userspace),
		cmocka_unit_test(test_pid_filter),
		cmocka_unit_test_teardown(test_pids_beside_walk_many, close_many),
		cmocka_unit_test(test_pids_beside_walk_error),
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
