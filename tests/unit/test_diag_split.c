/* test_diag_split.c - the split dump (diag_split.c) on real sockets in a
 * private network namespace: some 6,000 sockets whose ports cross many
 * 4096-port stripes, listed as one walk (threads never) and as two halves
 * at once (threads always), must be the same set (family, endpoints,
 * state) with the same counts; a listing stopped by its callback, or
 * failed by it, mid-dump leaves both sockets usable; with threads auto the
 * rule splits a big dump from a handle's first on (sockstat's counters
 * guess its size at open). That the split ran is seen from the callback:
 * the worker thread is alive while records arrive (/proc/self/task), and
 * sp.splits. The checks run in a child forked before any thread ran, so
 * the fork rule (sockstate.h) does not hold them to one thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag_internal.h"
#include "loopback_addr.h"
#include "netns_child.h"

/* Listening ports in stripes 0, 1, 2, 3, 4, 8, 10 and 15 (clients'
 * ephemeral ports, 32768-60999, add stripes 8-14). */
static const uint16_t v4_ports[] = {1000, 5000, 9000, 13000, 20000, 33000, 45000, 65000};
static const uint16_t v6_ports[] = {4095, 4096};
#define NV4 (sizeof v4_ports / sizeof v4_ports[0])
#define NV6 (sizeof v6_ports / sizeof v6_ports[0])
#define PER_V4 330                  /* connections per IPv4 listener */
#define PER_V6 200
#define CONNECTIONS (NV4 * PER_V4 + NV6 * PER_V6)
#define MAX_ROWS (2 * CONNECTIONS + 256)

struct row {
	uint8_t family, state;
	sockstate_endpoint local, remote;
};

struct listing {
	size_t n;
	long before[64];            /* thread ids of this process before the call */
	size_t nbefore;
	int new_thread;             /* cb saw a thread that was not there */
	struct row *row;
	uint64_t *cookie;
	size_t stop_at;             /* 0: never; else stop (or fail) there */
	int stop_value;
};

/* The ids of this process's threads into ids (up to cap); how many.
 * A thread joined a moment ago may still be listed while it is reaped:
 * comparing ids, not counts, is not fooled by it. */
static size_t tasks_now(long *ids, size_t cap)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && n < cap)
			ids[n++] = strtol(e->d_name, NULL, 10);
	closedir(d);
	return n;
}

/* Is a thread alive now that was not there when l was reset? */
static int tasks_new(const struct listing *l)
{
	long now[64];
	size_t n = tasks_now(now, 64);

	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < l->nbefore && l->before[j] != now[i])
			j++;
		if (j == l->nbefore)
			return 1;
	}
	return 0;
}

static int collect(const sockstate_socket *s, void *ctx)
{
	struct listing *l = ctx;
	struct row r;

	if ((l->n == 0 || l->n == 1000) && !l->new_thread)
		l->new_thread = tasks_new(l);
	if (l->n == MAX_ROWS)
		return SOCKSTATE_ERANGE;
	memset(&r, 0, sizeof r);
	r.family = (uint8_t)s->family;
	r.state = (uint8_t)s->state;
	r.local = s->local;
	r.remote = s->remote;
	l->row[l->n] = r;
	l->cookie[l->n] = s->cookie;
	l->n++;
	if (l->stop_at && l->n == l->stop_at)
		return l->stop_value;
	return 0;
}

/* The record-level callback of sockstate__diag_dump. */
static int collect_raw(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	(void)owner_key;
	return collect(s, ctx);
}

static int row_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct row));
}

static int u64_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	return *x < *y ? -1 : *x > *y;
}

static void listing_reset(struct listing *l, size_t stop_at, int stop_value)
{
	l->n = 0;
	l->nbefore = tasks_now(l->before, 64);
	l->new_thread = 0;
	l->stop_at = stop_at;
	l->stop_value = stop_value;
}

/* Sorted rows; 0 when no cookie came twice. */
static int listing_finish(struct listing *l)
{
	qsort(l->row, l->n, sizeof l->row[0], row_cmp);
	qsort(l->cookie, l->n, sizeof l->cookie[0], u64_cmp);
	for (size_t i = 1; i < l->n; i++)
		if (l->cookie[i] == l->cookie[i - 1])
			return -1;
	return 0;
}

/* ---- the namespace's sockets ---- */

static int listen_on(int af, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback_addr(af, port, &ss);
	int fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0)
		return -1;
	return fd;
}

/* n connections to port, each accepted (both ends stay open). */
static int connect_many(int af, uint16_t port, int lfd, int n)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback_addr(af, port, &ss);

	for (int i = 0; i < n; i++) {
		int c = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (c < 0 || connect(c, (struct sockaddr *)&ss, len) < 0 ||
		    accept(lfd, NULL, NULL) < 0)
			return -1;
	}
	return 0;
}

/* Listeners and bound sockets first: their ports are then not taken by
 * a client's ephemeral one. */
static int build_population(void)
{
	struct rlimit rl = {.rlim_cur = 3 * CONNECTIONS, .rlim_max = 3 * CONNECTIONS};
	struct sockaddr_storage ss;
	int l4[NV4], l6[NV6];

	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || lo_up() < 0)
		return -1;
	for (size_t i = 0; i < NV4; i++)
		if ((l4[i] = listen_on(AF_INET, v4_ports[i])) < 0)
			return -1;
	for (size_t i = 0; i < NV6; i++)
		if ((l6[i] = listen_on(AF_INET6, v6_ports[i])) < 0)
			return -1;
	/* Two bound-only sockets (BOUND, for "state all"): remote port 0. */
	for (int i = 0; i < 2; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		socklen_t len = loopback_addr(AF_INET, (uint16_t)(40000 + 4096 * i), &ss);
		if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0)
			return -1;
	}
	for (size_t i = 0; i < NV4; i++)
		if (connect_many(AF_INET, v4_ports[i], l4[i], PER_V4) < 0)
			return -1;
	for (size_t i = 0; i < NV6; i++)
		if (connect_many(AF_INET6, v6_ports[i], l6[i], PER_V6) < 0)
			return -1;
	return 0;
}

/* ---- the checks, in the namespace's child ---- */

static int open_with_threads(sockstate_handle **h, sockstate_threads threads)
{
	sockstate_options o = {.size = sizeof o, .backend = "linux-netlink", .threads = threads};

	return sockstate_open(h, &o);
}

static struct listing one, two;

#define CHECK(cond, code)                                                              \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "line %d: %s\n", __LINE__, #cond);             \
			return code;                                                   \
		}                                                                      \
	} while (0)

/* The same query through a one-walk handle and a split one. */
static int compare_query(sockstate_handle *seq, sockstate_handle *split, const char *states,
                         size_t expect_established)
{
	sockstate_query q;
	sockstate_counts c1 = {.size = sizeof c1}, c2 = {.size = sizeof c2};
	size_t established = 0;

	sockstate_query_init(&q);
	if (states && sockstate_query_set(&q, "state", states) < 0)
		return 1;
	listing_reset(&one, 0, 0);
	listing_reset(&two, 0, 0);
	CHECK(sockstate_foreach(seq, &q, collect, &one) == 0, 2);
	CHECK(sockstate_foreach(split, &q, collect, &two) == 0, 3);
	/* One walk: no thread of ours; split: the worker is alive while
	 * records arrive (a sanitizer's runtime may add threads of its own).
	 * Only a half longer than the worker's pool (4 datagrams of ~270
	 * records) keeps it waiting until the callback has run: a small
	 * result (LISTEN alone) may be read whole before the first record. */
	CHECK(!one.new_thread, 4);
	CHECK(two.n < 4000 || two.new_thread, 5);
	CHECK(listing_finish(&one) == 0 && listing_finish(&two) == 0, 6);
	CHECK(one.n == two.n, 7);
	CHECK(memcmp(one.row, two.row, one.n * sizeof one.row[0]) == 0, 8);
	for (size_t i = 0; i < one.n; i++)
		established += one.row[i].state == SOCKSTATE_ESTABLISHED;
	CHECK(established == expect_established, 9);
	CHECK(sockstate_count(seq, &q, &c1) == 0 && sockstate_count(split, &q, &c2) == 0, 10);
	CHECK(c1.total == one.n && c2.total == one.n, 11);
	CHECK(memcmp(c1.by_family_state, c2.by_family_state, sizeof c1.by_family_state) == 0,
	      12);
	fprintf(stderr, "state %s: %zu sockets both ways\n", states ? states : "default", one.n);
	return 0;
}

/* Stopped (> 0) or failed (< 0) by the callback at several points, then
 * listed whole on the same handle: both sockets were drained. */
static int stop_then_list(sockstate_handle *split, size_t total)
{
	static const size_t at[] = {1, 2000, CONNECTIONS, 2 * CONNECTIONS};
	static const int value[] = {5, SOCKSTATE_ERANGE};

	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
		for (size_t v = 0; v < 2; v++) {
			listing_reset(&two, at[i], value[v]);
			CHECK(sockstate_foreach(split, NULL, collect, &two) == value[v], 20);
			CHECK(two.n == at[i], 21);
			listing_reset(&two, 0, 0);
			CHECK(sockstate_foreach(split, NULL, collect, &two) == 0, 22);
			CHECK(two.n == total && two.new_thread, 23);
			CHECK(listing_finish(&two) == 0, 24);
		}
	return 0;
}

/* The io and the split directly, on a handle with threads always:
 * sp.splits counts, and after a stop both sockets are still open
 * (drained, not closed). */
static int direct_io(sockstate_handle *h, size_t total)
{
	const sockstate__diag_request req = {.family = AF_UNSPEC, .states = 0x1ffe};
	sockstate__diag_io io;
	sockstate__diag_split sp;
	int rc = 0;

	CHECK(sockstate__diag_io_open(&io, h) == 0, 30);
	sockstate__diag_split_open(&sp, &io);
	CHECK(sockstate__diag_split_wanted(&sp, h, &req, 0), 31);
	listing_reset(&two, 0, 0);
	if (sockstate__diag_split_dump(&io, &sp, h, &req, collect_raw, &two) != 0 ||
	    two.n != total || sp.splits != 1)
		rc = 32;
	listing_reset(&two, 3000, 7);
	if (!rc && (sockstate__diag_split_dump(&io, &sp, h, &req, collect_raw, &two) != 7 ||
	            !io.main.nl || !sp.half.nl || sp.splits != 1))
		rc = 33;
	listing_reset(&two, 0, 0);
	if (!rc && (sockstate__diag_split_dump(&io, &sp, h, &req, collect_raw, &two) != 0 ||
	            two.n != total || sp.splits != 2 || listing_finish(&two) != 0))
		rc = 34;
	sockstate__diag_split_close(&sp);
	sockstate__diag_io_close(&io);
	return rc;
}

/* threads auto, on more than one CPU: the first big dump splits
 * already (the open-time guess from /proc/thread-self/net/sockstat{,6}), and so
 * does the next (the first one's size); on one CPU neither does. */
static int auto_rule(void)
{
	sockstate_handle *h;
	cpu_set_t set;
	int rc = 0;

	CHECK(open_with_threads(&h, SOCKSTATE_THREADS_AUTO) == 0, 40);
	CHECK(sched_getaffinity(0, sizeof set, &set) == 0, 41);
	listing_reset(&one, 0, 0);
	if (sockstate_foreach(h, NULL, collect, &one) != 0 ||
	    one.new_thread != (CPU_COUNT(&set) > 1))
		rc = 42;
	/* The rule itself: the CPUs the core keeps busy (the owner map's
	 * thread) are not the split's; a small population never splits. */
	if (!rc) {
		const sockstate__diag_request req = {.family = AF_UNSPEC, .states = 0x1ffe};
		sockstate__diag_io io;
		sockstate__diag_split sp;
		int cpus = CPU_COUNT(&set);

		CHECK(sockstate__diag_io_open(&io, h) == 0, 44);
		sockstate__diag_split_open(&sp, &io);
		sp.population = SOCKSTATE__DIAG_SPLIT_MIN;
		if (sockstate__diag_split_wanted(&sp, h, &req, 0) != (cpus > 1) ||
		    sockstate__diag_split_wanted(&sp, h, &req, 1) != (cpus > 2))
			rc = 45;
		sp.population = SOCKSTATE__DIAG_SPLIT_MIN - 1;
		if (!rc && sockstate__diag_split_wanted(&sp, h, &req, 0))
			rc = 46;
		/* Listeners alone: a small table of their own, never split. */
		const sockstate__diag_request listeners = {.family = AF_UNSPEC,
		                                           .states = 1u << 10};
		sp.population = SOCKSTATE__DIAG_SPLIT_MIN;
		if (!rc && sockstate__diag_split_wanted(&sp, h, &listeners, 0))
			rc = 47;
		sockstate__diag_split_close(&sp);
		sockstate__diag_io_close(&io);
	}
	listing_reset(&two, 0, 0);
	if (!rc && (sockstate_foreach(h, NULL, collect, &two) != 0 ||
	            two.new_thread != (CPU_COUNT(&set) > 1) || two.n != one.n))
		rc = 43;
	sockstate_close(h);
	return rc;
}

static int split_child(void)
{
	sockstate_handle *seq, *split;
	int rc;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 77;
	}
	one.row = calloc(MAX_ROWS, sizeof *one.row);
	two.row = calloc(MAX_ROWS, sizeof *two.row);
	one.cookie = calloc(MAX_ROWS, sizeof *one.cookie);
	two.cookie = calloc(MAX_ROWS, sizeof *two.cookie);
	if (!one.row || !two.row || !one.cookie || !two.cookie)
		return 2;
	if (build_population() < 0) {
		fprintf(stderr, "building the sockets: %s\n", strerror(errno));
		return 2;
	}
	if (open_with_threads(&seq, SOCKSTATE_THREADS_NEVER) < 0 ||
	    open_with_threads(&split, SOCKSTATE_THREADS_ALWAYS) < 0)
		return 3;
	rc = compare_query(seq, split, NULL, 2 * CONNECTIONS);
	if (!rc)
		rc = compare_query(seq, split, "all", 2 * CONNECTIONS);
	if (!rc)
		rc = compare_query(seq, split, "listen,established", 2 * CONNECTIONS);
	if (!rc)
		rc = compare_query(seq, split, "listen", 0);
	if (!rc)
		rc = stop_then_list(split, 2 * CONNECTIONS + NV4 + NV6);
	if (!rc)
		rc = direct_io(split, 2 * CONNECTIONS + NV4 + NV6);
	if (!rc)
		rc = auto_rule();
	if (rc)
		fprintf(stderr, "detail: %s\n", sockstate_errdetail(split));
	sockstate_close(seq);
	sockstate_close(split);
	return rc;
}

static void test_split_equals_one_walk(void **unused)
{
	(void)unused;
	run_child(split_child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_equals_one_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
