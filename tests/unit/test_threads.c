/* test_threads.c - the threads option and the fork rule (handle.c,
 * posix.c), on five sockets of a private network namespace that this
 * process enters itself (a forked helper would be under the fork rule).
 * Thread starts are counted at pthread_create itself: the test links with
 * -Wl,--wrap=pthread_create, so every call the library makes comes here.
 * Three queries drive the three schemes: a whole dump (the split dump);
 * owners with a port filter (the owner map's task beside the walk, and
 * the /proc walk in two; the port goes into the kernel's request, which
 * is then never split); owners with a pid filter (the map first, by the
 * /proc walk in two, then a whole dump: the kernel cannot filter by
 * pid).
 * `test_threads inside-a-call` runs the one case left to builds without a
 * sanitizer (tests/CMakeLists.txt says why). */
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
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define HAVE_LIBC_SINGLE_THREADED 1
#endif
#endif

#include "sockstate.h"
#include "netns_child.h"

static atomic_uint thread_starts;

int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);

int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg)
{
	atomic_fetch_add(&thread_starts, 1);
	return __real_pthread_create(thread, attr, fn, arg);
}

/* The namespace's only TCP sockets: a listener and two connections,
 * both ends open. */
#define SOCKETS 5
static int in_netns;
static uint16_t port;

static int make_population(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, len) < 0 || listen(lfd, 8) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	port = ntohs(a.sin_port);
	for (int i = 0; i < 2; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (c < 0 || connect(c, (struct sockaddr *)&a, len) < 0 ||
		    accept4(lfd, NULL, NULL, SOCK_CLOEXEC) < 0)
			return -1;
	}
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET) < 0) {
		print_message("no private network namespace (%s): needs root\n", strerror(errno));
		return 0;
	}
	if (lo_up() < 0 || make_population() < 0) {
		print_message("making the sockets: %s\n", strerror(errno));
		return -1;
	}
	in_netns = 1;
	return 0;
}

static int threads_alive(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static sockstate_handle *open_threads(uint32_t size, sockstate_threads threads)
{
	sockstate_options o = {.size = size, .backend = "linux-netlink",
	                       .pid_source = "procfs", .threads = threads};
	sockstate_handle *h = NULL;

	return sockstate_open(&h, &o) == 0 ? h : NULL;
}

/* What a stream saw: how many records, and whether a thread but the
 * caller was alive at one of them. */
struct stream {
	size_t n;
	int crowded;
};

static int see(const sockstate_socket *s, void *ctx)
{
	struct stream *st = ctx;

	(void)s;
	st->n++;
	if (threads_alive() != 1)
		st->crowded = 1;
	return 0;
}

enum scheme { WHOLE_DUMP, OWNERS_BY_PORT, OWNERS_BY_PID, SCHEMES };

/* Thread starts of one call; -1 when its answer is wrong: not every
 * socket, or (when owners is set) a socket not held by exactly the
 * nowners pids of owners, ascending. The pid filter is owners[0]. */
static int starts_of(sockstate_handle *h, enum scheme scheme, const int32_t *owners,
                     uint32_t nowners)
{
	unsigned before = atomic_load(&thread_starts);
	sockstate_snapshot *snap = NULL;
	sockstate_query q;
	struct stream st = {0};
	int ok;

	if (scheme == WHOLE_DUMP) {
		ok = sockstate_foreach(h, NULL, see, &st) == 0 && st.n == SOCKETS;
		return ok ? (int)(atomic_load(&thread_starts) - before) : -1;
	}
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	if (scheme == OWNERS_BY_PORT)
		q.port = port;
	else
		q.pid = owners[0];
	ok = sockstate_snapshot_take(h, &q, &snap) == 0 && snap->count == SOCKETS;
	for (size_t i = 0; ok && owners && i < snap->count; i++) {
		const sockstate_socket *s = &snap->sockets[i];

		ok = s->pid_count == nowners && !memcmp(s->pids, owners, nowners * sizeof *owners);
	}
	sockstate_snapshot_free(snap);
	return ok ? (int)(atomic_load(&thread_starts) - before) : -1;
}

static int cpus_usable(void)
{
	cpu_set_t set;

	assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
	return CPU_COUNT(&set);
}

static void assert_starts(uint32_t size, sockstate_threads threads, const int want[SCHEMES])
{
	const int32_t me = getpid();
	sockstate_handle *h = open_threads(size, threads);

	assert_non_null(h);
	for (int s = 0; s < SCHEMES; s++) {
		int got = starts_of(h, (enum scheme)s, &me, 1);

		if (got != want[s])
			fail_msg("threads=%d size=%u scheme %d: %d thread starts, want %d "
			         "(-1: a wrong answer; detail: %s)", (int)threads, size, s, got,
			         want[s], sockstate_errdetail(h));
	}
	sockstate_close(h);
}

/* ---- the fork rule, from a process that never ran a thread ----
 * First of the tests: once a thread has run, glibc remembers it. */

/* A handle with threads always splits a whole dump, as in any process:
 * 0, else 10 + the starts seen (9: a wrong answer). */
static int single_threaded_child(void)
{
	sockstate_handle *h = open_threads(sizeof(sockstate_options), SOCKSTATE_THREADS_ALWAYS);
	int got = h ? starts_of(h, WHOLE_DUMP, NULL, 0) : -2;
#ifdef HAVE_LIBC_SINGLE_THREADED
	const int want = 1;
#else
	const int want = 0; /* the C library cannot tell: every child is held */
#endif

	sockstate_close(h);
	return got == want ? 0 : 10 + got;
}

static void test_fork_of_a_single_threaded_process_may_use_threads(void **unused)
{
	(void)unused;
	if (!in_netns)
		skip();
#ifdef HAVE_LIBC_SINGLE_THREADED
	if (!__libc_single_threaded) {
		print_message("a thread ran before this test: nothing to see\n");
		skip();
	}
#endif
	run_child(single_threaded_child);
}

/* ---- the option ---- */

static void test_threads_option_is_checked(void **unused)
{
	sockstate_options o = {.size = sizeof o, .threads = SOCKSTATE_THREADS_ALWAYS + 1};
	sockstate_handle *h = NULL;

	(void)unused;
	assert_int_equal(sockstate_open(&h, &o), SOCKSTATE_EINVAL);
	assert_null(h);
	assert_string_equal(sockstate_errdetail(NULL),
	                    "options.threads 3 is not 0 (auto), 1 (never) or 2 (always)");
	/* A caller built before the member: its struct ends at netns. */
	o.size = offsetof(sockstate_options, threads);
	assert_int_equal(sockstate_open(&h, &o), 0);
	sockstate_close(h);
}

static void test_never_starts_no_thread(void **unused)
{
	const int want[SCHEMES] = {0, 0, 0};

	(void)unused;
	if (!in_netns)
		skip();
	assert_starts(sizeof(sockstate_options), SOCKSTATE_THREADS_NEVER, want);
}

static void test_always_splits_every_scheme(void **unused)
{
	/* The dump in two; the map's task and the second /proc walker; the
	 * second walker, then the dump in two. */
	const int want[SCHEMES] = {1, 2, 2};

	(void)unused;
	if (!in_netns)
		skip();
	assert_starts(sizeof(sockstate_options), SOCKSTATE_THREADS_ALWAYS, want);
}

static void test_auto_follows_the_rules(void **unused)
{
	/* Five sockets are too few to split a dump; the map's task always;
	 * the second walker where two CPUs are usable. */
	const int two = cpus_usable() > 1;
	const int want[SCHEMES] = {0, 1 + two, two};

	(void)unused;
	if (!in_netns)
		skip();
	assert_starts(sizeof(sockstate_options), SOCKSTATE_THREADS_AUTO, want);
	assert_starts(offsetof(sockstate_options, threads), SOCKSTATE_THREADS_AUTO, want);
}

/* ---- the fork rule, from a process with a second thread ---- */

/* In the child: with its own handles (auto, always) every scheme's
 * answer is right (each socket held by the parent and the child) and
 * no thread starts: 0, else which check failed. */
static int forked_child_checks(void)
{
	const sockstate_threads values[] = {SOCKSTATE_THREADS_AUTO, SOCKSTATE_THREADS_ALWAYS};
	int32_t owners[2] = {getppid(), getpid()};

	if (owners[0] > owners[1])
		owners[0] = owners[1], owners[1] = getppid();
	for (size_t v = 0; v < 2; v++) {
		sockstate_handle *h = open_threads(sizeof(sockstate_options), values[v]);
		struct stream st = {0};

		if (!h)
			return 10;
		for (int s = 0; s < SCHEMES; s++) {
			int got = starts_of(h, (enum scheme)s, owners, 2);

			if (got != 0) {
				fprintf(stderr, "child %d, threads=%d, scheme %d: %d thread starts "
				        "(-1: a wrong answer; detail: %s)\n", (int)getpid(),
				        (int)values[v], s, got, sockstate_errdetail(h));
				return 20 + (int)v * SCHEMES + s;
			}
		}
		/* Nothing but the caller runs while records come. */
		if (sockstate_foreach(h, NULL, see, &st) != 0 || st.n != SOCKETS || st.crowded)
			return 30;
		sockstate_close(h);
	}
	return 0;
}

/* The second thread waits on a pipe at the fork, holding no lock of
 * malloc's or anyone's: the child is the only thread of a threaded
 * process, with nothing half-done around it. */
struct parked {
	int ready[2], go[2];
};

static void *park(void *arg)
{
	struct parked *p = arg;
	char c = 0;

	if (write(p->ready[1], &c, 1) == 1)
		(void)!read(p->go[0], &c, 1);
	return NULL;
}

static void test_fork_child_of_a_threaded_process_starts_no_thread(void **unused)
{
	struct parked p;
	pthread_t t;
	char c;

	(void)unused;
	if (!in_netns)
		skip();
	assert_int_equal(pipe(p.ready), 0);
	assert_int_equal(pipe(p.go), 0);
	assert_int_equal(__real_pthread_create(&t, NULL, park, &p), 0);
	assert_int_equal(read(p.ready[0], &c, 1), 1);
	run_child(forked_child_checks);
	assert_int_equal(write(p.go[1], &c, 1), 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	for (int i = 0; i < 2; i++) {
		close(p.ready[i]);
		close(p.go[i]);
	}
}

/* ---- the same with a thread inside a call, its helpers running ---- */

#define FORKS 20

struct busy {
	sockstate_handle *h;
	atomic_int stop;
	int started[2];             /* written once the first round is done */
	int wrong;
};

/* Owners and a whole dump, over and over, with every helper thread (a
 * child of the moment owns the sockets too: owners are not checked). */
static void *busy_run(void *arg)
{
	struct busy *b = arg;
	int first = 1;

	while (!atomic_load(&b->stop)) {
		if (starts_of(b->h, OWNERS_BY_PORT, NULL, 0) != 2 ||
		    starts_of(b->h, WHOLE_DUMP, NULL, 0) != 1)
			b->wrong++;
		if (first && write(b->started[1], "s", 1) != 1)
			b->wrong++;
		first = 0;
	}
	return NULL;
}

static void test_fork_while_a_thread_is_inside_a_call(void **unused)
{
	struct busy b = {0};
	pthread_t t;
	char c;

	(void)unused;
	if (!in_netns)
		skip();
	b.h = open_threads(sizeof(sockstate_options), SOCKSTATE_THREADS_ALWAYS);
	assert_non_null(b.h);
	assert_int_equal(pipe(b.started), 0);
	assert_int_equal(__real_pthread_create(&t, NULL, busy_run, &b), 0);
	assert_int_equal(read(b.started[0], &c, 1), 1);
	for (int i = 0; i < FORKS; i++)
		run_child(forked_child_checks);
	atomic_store(&b.stop, 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(b.wrong, 0);
	close(b.started[0]);
	close(b.started[1]);
	sockstate_close(b.h);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_of_a_single_threaded_process_may_use_threads),
		cmocka_unit_test(test_threads_option_is_checked),
		cmocka_unit_test(test_never_starts_no_thread),
		cmocka_unit_test(test_always_splits_every_scheme),
		cmocka_unit_test(test_auto_follows_the_rules),
		cmocka_unit_test(test_fork_child_of_a_threaded_process_starts_no_thread),
	};
	const struct CMUnitTest inside_a_call[] = {
		cmocka_unit_test(test_fork_while_a_thread_is_inside_a_call),
	};

	if (argc > 1 && !strcmp(argv[1], "inside-a-call"))
		return cmocka_run_group_tests(inside_a_call, group_setup, NULL);
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
