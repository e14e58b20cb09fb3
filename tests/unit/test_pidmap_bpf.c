/* test_pidmap_bpf.c - the BPF owner map against the /proc walk, on real
 * processes: thousands of sockets in several processes, one of them
 * multi-threaded and two sharing sockets across a fork, give the same map
 * pid by pid and inode by inode; non-TCP sockets stay out; an ordinary
 * user, a root that lost CAP_SYS_PTRACE and the "procfs" option fall back
 * to the walk and say why; inside a private pid namespace the pids are
 * that namespace's; a thread with its own descriptor table, and the
 * threads of a process whose main thread has exited, are counted; a
 * thousand queries on one handle grow neither fds nor memory.
 *
 * Everything here needs root and a kernel that loads the program: without
 * them each test says why and skips. Children report to the parent over a
 * pipe (cmocka's asserts live in the parent) and die with it. */
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
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include "pidmap.h"
#include "pidmap_bpf.h"

/* In a child: on a failed check say where, and end with status 1. */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "child check failed, line %d: %s (%s)\n", \
			        __LINE__, #cond, strerror(errno));             \
			_exit(1);                                              \
		}                                                              \
	} while (0)

static const char *why_no_bpf;

/* Does the BPF owner map work for this caller? If not, why_no_bpf says. */
static int bpf_usable(void)
{
	static char why[300];
	sockstate_options o = {.size = sizeof o, .pid_source = "bpf"};
	sockstate_handle *h;
	sockstate__owners *map;
	const char *source = NULL;
	int rc;

	if (!sockstate__bpf_built()) {
		why_no_bpf = "built without BPF (SOCKSTATE_BPF=OFF)";
		return 0;
	}
	if (sockstate_open(&h, &o) != 0) {
		snprintf(why, sizeof why, "sockstate_open: %s", sockstate_errdetail(NULL));
		why_no_bpf = why;
		return 0;
	}
	map = sockstate__owners_new();
	rc = map ? sockstate__linux_owners(h, map, &source) : SOCKSTATE_ENOMEM;
	snprintf(why, sizeof why, "%s", sockstate_errdetail(h));
	why_no_bpf = why;
	sockstate__owners_free(map);
	sockstate_close(h);
	return rc == 0;
}

#define SKIP_UNLESS_BPF()                                                      \
	do {                                                                   \
		if (!bpf_usable()) {                                           \
			print_message("skipped: needs root and a kernel that " \
			              "loads the BPF iterator: %s\n", why_no_bpf); \
			skip();                                                \
		}                                                              \
	} while (0)

static sockstate_handle *open_with(const char *pid_source)
{
	sockstate_options o = {.size = sizeof o, .pid_source = pid_source};
	sockstate_handle *h = NULL;

	assert_int_equal(sockstate_open(&h, &o), 0);
	return h;
}

static uint64_t inode_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return 0;
	return st.st_ino;
}

/* A TCP listener on the loopback of family (port chosen by the kernel),
 * or -1. */
static int listener(int family)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(family, SOCK_STREAM, 0);

	memset(&ss, 0, sizeof ss);
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *a;
	}
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 512) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Connect to lfd; the accepted end into *server. Returns the client. */
static int connect_to(int lfd, int *server)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd;

	if (getsockname(lfd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) != 0)
		return -1;
	*server = accept(lfd, NULL, NULL);
	return *server < 0 ? -1 : fd;
}

/* ---- the population: processes that hold sockets and report them ---- */

enum { KIND_TCP = 1, KIND_OTHER = 2, KIND_END = 3 };

/* One line of a child's report: it holds socket ino (as process pid), or
 * (KIND_END) it is done, and comm is its name. One write: atomic. */
struct report {
	uint64_t ino;
	int32_t pid;
	int32_t kind;
	char comm[16];
};

static void report(int out, uint64_t ino, int kind)
{
	struct report r = {.ino = ino, .pid = getpid(), .kind = kind};

	if (kind == KIND_END)
		prctl(PR_GET_NAME, r.comm, 0, 0, 0);
	CHECK(write(out, &r, sizeof r) == (ssize_t)sizeof r);
}

static void report_fd(int out, int fd, int kind)
{
	CHECK(fd >= 0);
	report(out, inode_of(fd), kind);
}

/* Wait for the parent to close its end of done, then go. */
static void hold_until_done(int done)
{
	char byte;

	while (read(done, &byte, 1) > 0)
		;
}

static void child_setup(const char *name, int done_w)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	close(done_w);
	CHECK(prctl(PR_SET_NAME, name, 0, 0, 0) == 0);
}

/* Listeners and connections of both families, unbound sockets, and UDP,
 * UNIX and MPTCP sockets that the BPF map must leave out. */
static void worker(int out, int done, int pairs)
{
	int fams[2] = {AF_INET, AF_INET6};
	int unix_pair[2], mptcp;

	for (int f = 0; f < 2; f++) {
		int lfd = listener(fams[f]);

		if (lfd < 0) /* no IPv6 loopback here: IPv4 twice */
			lfd = listener(AF_INET);
		report_fd(out, lfd, KIND_TCP);
		for (int i = 0; i < pairs; i++) {
			int server = -1, client = connect_to(lfd, &server);

			report_fd(out, client, KIND_TCP);
			report_fd(out, server, KIND_TCP);
		}
	}
	for (int i = 0; i < 50; i++)
		report_fd(out, socket(i % 2 ? AF_INET6 : AF_INET, SOCK_STREAM, 0), KIND_TCP);
	report_fd(out, socket(AF_INET, SOCK_DGRAM, 0), KIND_OTHER);
	/* A stream socket of an inet family that is not TCP, where the
	 * kernel has MPTCP. */
	mptcp = socket(AF_INET, SOCK_STREAM, 262 /* IPPROTO_MPTCP */);
	if (mptcp >= 0)
		report_fd(out, mptcp, KIND_OTHER);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, unix_pair) == 0);
	report_fd(out, unix_pair[0], KIND_OTHER);
	report_fd(out, unix_pair[1], KIND_OTHER);
	report(out, 0, KIND_END);
	close(out);
	hold_until_done(done);
}

struct thread_arg {
	int lfd, out, done, index;
	pthread_barrier_t *reported;
};

/* Each thread has a name of its own; the process keeps the leader's. */
static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	char name[16];

	snprintf(name, sizeof name, "bpfpop-t%d", a->index);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	for (int i = 0; i < 60; i++) {
		int server = -1, client = connect_to(a->lfd, &server);

		report_fd(a->out, client, KIND_TCP);
		report_fd(a->out, server, KIND_TCP);
	}
	pthread_barrier_wait(a->reported);
	hold_until_done(a->done);
	return NULL;
}

static void threaded(int out, int done)
{
	enum { THREADS = 4 };
	pthread_t t[THREADS];
	struct thread_arg args[THREADS];
	pthread_barrier_t reported;
	int lfd = listener(AF_INET);

	report_fd(out, lfd, KIND_TCP);
	CHECK(pthread_barrier_init(&reported, NULL, THREADS + 1) == 0);
	for (int i = 0; i < THREADS; i++) {
		args[i] = (struct thread_arg){lfd, out, done, i, &reported};
		CHECK(pthread_create(&t[i], NULL, thread_main, &args[i]) == 0);
	}
	pthread_barrier_wait(&reported);
	report(out, 0, KIND_END);
	close(out);
	hold_until_done(done);
	_exit(0); /* the threads end with the process */
}

/* A holds 201 sockets; its child B inherits them, closes 100 and makes 10
 * of its own: 101 sockets with two owners. */
static void forked_pair(int out, int done)
{
	enum { PAIRS = 100 };
	int fds[2 * PAIRS];
	int lfd = listener(AF_INET);
	pid_t b;

	report_fd(out, lfd, KIND_TCP);
	for (int i = 0; i < PAIRS; i++) {
		fds[2 * i] = connect_to(lfd, &fds[2 * i + 1]);
		report_fd(out, fds[2 * i], KIND_TCP);
		report_fd(out, fds[2 * i + 1], KIND_TCP);
	}
	b = fork();
	CHECK(b >= 0);
	if (b == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		CHECK(prctl(PR_SET_NAME, "bpfpop-fb", 0, 0, 0) == 0);
		report_fd(out, lfd, KIND_TCP);
		for (int i = 0; i < 2 * PAIRS; i++) {
			if (i < PAIRS)
				close(fds[i]);
			else
				report_fd(out, fds[i], KIND_TCP);
		}
		for (int i = 0; i < 10; i++)
			report_fd(out, socket(AF_INET, SOCK_STREAM, 0), KIND_TCP);
		report(out, 0, KIND_END);
		close(out);
		hold_until_done(done);
		_exit(0);
	}
	report(out, 0, KIND_END);
	close(out);
	hold_until_done(done);
	kill(b, SIGKILL);
	waitpid(b, NULL, 0);
}

enum { WORKERS = 4, WORKER_PAIRS = 150, REPORTERS = WORKERS + 1 + 2, MAX_PIDS = 16 };

static struct population {
	pid_t children[WORKERS + 2];
	int nchildren;
	int done_w;
	struct report *rows;
	size_t nrows;
	sockstate__owners *expected;   /* TCP inode -> pids, names */
} pop;

static pid_t spawn(const char *name, void (*body)(int, int), int out, int done_r)
{
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0) {
		child_setup(name, pop.done_w);
		body(out, done_r);
		_exit(0);
	}
	pop.children[pop.nchildren++] = p;
	return p;
}

static void worker_body(int out, int done)
{
	worker(out, done, WORKER_PAIRS);
}

static int population_up(void **unused)
{
	int rep[2], done[2], ends = 0;
	size_t cap = 8192;

	(void)unused;
	if (geteuid() != 0)
		return 0; /* the tests skip, each saying why */
	memset(&pop, 0, sizeof pop);
	if (pipe(rep) != 0 || pipe(done) != 0)
		return -1;
	pop.done_w = done[1];
	for (int i = 0; i < WORKERS; i++) {
		char name[16];

		snprintf(name, sizeof name, "bpfpop-w%d", i);
		spawn(name, worker_body, rep[1], done[0]);
	}
	spawn("bpfpop-thr", threaded, rep[1], done[0]);
	spawn("bpfpop-fa", forked_pair, rep[1], done[0]);
	close(rep[1]);
	close(done[0]);

	pop.rows = malloc(cap * sizeof *pop.rows);
	pop.expected = sockstate__owners_new();
	if (!pop.rows || !pop.expected)
		return -1;
	while (ends < REPORTERS) {
		struct report r;
		ssize_t n = read(rep[0], &r, sizeof r);

		if (n != (ssize_t)sizeof r) {
			fprintf(stderr, "population: a child ended before reporting\n");
			return -1;
		}
		if (pop.nrows == cap) {
			struct report *more = realloc(pop.rows, 2 * cap * sizeof *more);
			if (!more)
				return -1;
			pop.rows = more;
			cap *= 2;
		}
		pop.rows[pop.nrows++] = r;
		if (r.kind == KIND_TCP && sockstate__owners_add(pop.expected, r.ino, r.pid))
			return -1;
		if (r.kind == KIND_END) {
			ends++;
			if (sockstate__owners_name(pop.expected, r.pid, r.comm))
				return -1;
		}
	}
	close(rep[0]);
	return sockstate__owners_finish(pop.expected) == 0 ? 0 : -1;
}

static int population_down(void **unused)
{
	(void)unused;
	if (!pop.expected)
		return 0;
	close(pop.done_w);
	for (int i = 0; i < pop.nchildren; i++)
		waitpid(pop.children[i], NULL, 0);
	free(pop.rows);
	sockstate__owners_free(pop.expected);
	memset(&pop, 0, sizeof pop);
	return 0;
}

/* ---- comparing maps ---- */

static int same_owners(const sockstate__owners *a, const sockstate__owners *b, uint64_t ino)
{
	uint32_t na = 0, nb = 0;
	const int32_t *pa = sockstate__owners_find(a, ino, &na);
	const int32_t *pb = sockstate__owners_find(b, ino, &nb);

	return na == nb && (na == 0 || !memcmp(pa, pb, na * sizeof *pa));
}

static void assert_owners_equal(const sockstate__owners *want, const sockstate__owners *got,
                                uint64_t ino)
{
	uint32_t nw = 0, ng = 0;
	const int32_t *pw = sockstate__owners_find(want, ino, &nw);
	const int32_t *pg = sockstate__owners_find(got, ino, &ng);

	if (nw != ng)
		print_message("inode %llu: %u owners, expected %u\n",
		              (unsigned long long)ino, ng, nw);
	assert_int_equal(ng, nw);
	for (uint32_t i = 0; i < nw; i++)
		assert_int_equal(pg[i], pw[i]);
}

static void assert_names_equal(const sockstate__owners *a, const sockstate__owners *b,
                               int32_t pid)
{
	const char *na = sockstate__owners_pid_name(a, pid);
	const char *nb = sockstate__owners_pid_name(b, pid);

	assert_non_null(na);
	assert_non_null(nb);
	assert_string_equal(na, nb);
}

static sockstate__owners *owners_via(sockstate_handle *h, int proc_walk, const char **source)
{
	sockstate__owners *map = sockstate__owners_new();

	assert_non_null(map);
	if (proc_walk)
		assert_int_equal(sockstate__linux_proc_owners(h, map, source), 0);
	else
		assert_int_equal(sockstate__linux_owners(h, map, source), 0);
	return map;
}

struct inodes {
	uint64_t *v;
	size_t n, cap;
};

static int collect_inode(const sockstate_socket *s, void *ctx)
{
	struct inodes *in = ctx;

	if (in->n == in->cap) {
		size_t cap = in->cap ? 2 * in->cap : 4096;
		uint64_t *v = realloc(in->v, cap * sizeof *v);
		if (!v)
			return -1;
		in->v = v;
		in->cap = cap;
	}
	if (s->inode)
		in->v[in->n++] = s->inode;
	return 0;
}

/* The population's every socket: BPF == /proc walk == what the children
 * hold; and every TCP socket of the machine that stayed put meanwhile. */
static void test_population_bpf_equals_proc_walk(void **unused)
{
	sockstate_handle *hb, *hp, *hn;
	sockstate__owners *bpf1, *proc, *bpf2;
	sockstate_options no = {.size = sizeof no, .backend = "linux-netlink"};
	sockstate_query q;
	struct inodes all = {0};
	const char *source = NULL;
	size_t tcp = 0, compared = 0, moved = 0;
	int32_t pids[MAX_PIDS];
	size_t npids = 0;

	(void)unused;
	SKIP_UNLESS_BPF();
	hb = open_with("bpf");
	hp = open_with("procfs");
	bpf1 = owners_via(hb, 0, &source);
	assert_string_equal(source, "bpf-iter");
	proc = owners_via(hp, 1, &source);
	assert_string_equal(source, "procfs");
	bpf2 = owners_via(hb, 0, &source);
	assert_string_equal(source, "bpf-iter");

	for (size_t i = 0; i < pop.nrows; i++) {
		const struct report *r = &pop.rows[i];
		uint32_t n = 9;

		if (r->kind == KIND_TCP) {
			assert_owners_equal(pop.expected, bpf1, r->ino);
			assert_owners_equal(pop.expected, proc, r->ino);
			tcp++;
		} else if (r->kind == KIND_OTHER) {
			/* The walk sees every socket; BPF only TCP ones. */
			assert_null(sockstate__owners_find(bpf1, r->ino, &n));
			assert_int_equal(n, 0);
			assert_non_null(sockstate__owners_find(proc, r->ino, &n));
			assert_int_equal(n, 1);
		} else {
			assert_true(npids < MAX_PIDS);
			pids[npids++] = r->pid;
		}
	}
	assert_int_equal(npids, REPORTERS);
	assert_true(tcp > 3000);
	for (size_t i = 0; i < npids; i++) {
		assert_names_equal(pop.expected, bpf1, pids[i]);
		assert_names_equal(pop.expected, proc, pids[i]);
	}

	/* Beyond ours: each TCP socket sock_diag lists, unless it changed
	 * owners between the two BPF passes around the walk. */
	assert_int_equal(sockstate_open(&hn, &no), 0);
	sockstate_query_init(&q);
	q.states = SOCKSTATE_STATES_ALL;
	assert_int_equal(sockstate_foreach(hn, &q, collect_inode, &all), 0);
	for (size_t i = 0; i < all.n; i++) {
		uint32_t n = 0;
		const int32_t *owners;

		if (!same_owners(bpf1, bpf2, all.v[i])) {
			moved++;
			continue;
		}
		assert_owners_equal(bpf1, proc, all.v[i]);
		owners = sockstate__owners_find(bpf1, all.v[i], &n);
		for (uint32_t k = 0; k < n; k++) {
			const char *before = sockstate__owners_pid_name(bpf1, owners[k]);
			const char *after = sockstate__owners_pid_name(bpf2, owners[k]);

			/* A process may exec (and change its name) meanwhile. */
			if (before && after && !strcmp(before, after))
				assert_names_equal(bpf1, proc, owners[k]);
		}
		compared++;
	}
	print_message("%zu population sockets equal; %zu of %zu listed TCP sockets "
	              "compared, %zu changed meanwhile\n", tcp, compared, all.n, moved);
	assert_true(compared > 2000);

	free(all.v);
	sockstate_close(hn);
	sockstate__owners_free(bpf1);
	sockstate__owners_free(bpf2);
	sockstate__owners_free(proc);
	sockstate_close(hb);
	sockstate_close(hp);
}

/* ---- the choice, and why ---- */

static void test_auto_uses_bpf_procfs_option_forces_walk(void **unused)
{
	sockstate_handle *h;
	sockstate_query q;
	sockstate_counts c;

	(void)unused;
	SKIP_UNLESS_BPF();
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;

	h = open_with(NULL);
	assert_null(sockstate_pid_source(h));
	assert_string_equal(sockstate_pid_source_reason(h), "");
	assert_int_equal(sockstate_count(h, &q, &c), 0);
	assert_string_equal(sockstate_pid_source(h), "bpf-iter");
	assert_string_equal(sockstate_pid_source_reason(h),
	                    "the caller may use BPF and read every process's fds");
	/* A query without pids says nothing about them. */
	assert_int_equal(sockstate_count(h, NULL, &c), 0);
	assert_null(sockstate_pid_source(h));
	assert_string_equal(sockstate_pid_source_reason(h), "");
	sockstate_close(h);

	h = open_with("procfs");
	assert_int_equal(sockstate_count(h, &q, &c), 0);
	assert_string_equal(sockstate_pid_source(h), "procfs");
	assert_string_equal(sockstate_pid_source_reason(h), "the pid_source option asks for procfs");
	sockstate_close(h);

	h = open_with("bpf");
	assert_int_equal(sockstate_count(h, &q, &c), 0);
	assert_string_equal(sockstate_pid_source(h), "bpf-iter");
	assert_string_equal(sockstate_pid_source_reason(h), "the pid_source option asks for bpf");
	assert_string_equal(sockstate_errdetail(h), "");
	sockstate_close(h);
}

static void test_pid_source_option_checked_at_open(void **unused)
{
	sockstate_options o = {.size = sizeof o, .pid_source = "ebpf"};
	sockstate_handle *h = (sockstate_handle *)&o;

	(void)unused;
	assert_int_equal(sockstate_open(&h, &o), SOCKSTATE_EINVAL);
	assert_null(h);
	assert_string_equal(sockstate_errdetail(NULL), "unknown pid source 'ebpf' (auto, procfs, bpf)");
	o.pid_source = "bpf";
	if (sockstate__bpf_built()) {
		assert_int_equal(sockstate_open(&h, &o), 0);
		sockstate_close(h);
	} else {
		assert_int_equal(sockstate_open(&h, &o), SOCKSTATE_EUNAVAIL);
		assert_string_equal(sockstate_errdetail(NULL),
		                    "pid source 'bpf' is not built into this library");
	}
}

static int set_effective_caps(int keep_ptrace)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, caps) != 0)
		return -1;
	if (keep_ptrace)
		caps[CAP_SYS_PTRACE / 32].effective |= 1u << (CAP_SYS_PTRACE % 32);
	else
		caps[CAP_SYS_PTRACE / 32].effective &= ~(1u << (CAP_SYS_PTRACE % 32));
	return (int)syscall(SYS_capset, &hdr, caps);
}

/* Root that drops CAP_SYS_PTRACE after the program is loaded: the next
 * query walks /proc, and forcing bpf is refused. */
static int ptrace_dropped_child(void)
{
	sockstate_handle *h = NULL, *forced = NULL;
	sockstate_options fo = {.size = sizeof fo, .pid_source = "bpf"};
	sockstate_query q;
	sockstate_counts c;

	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	CHECK(sockstate_open(&h, NULL) == 0);
	CHECK(sockstate_count(h, &q, &c) == 0);
	CHECK(!strcmp(sockstate_pid_source(h), "bpf-iter"));
	CHECK(set_effective_caps(0) == 0);
	CHECK(sockstate_count(h, &q, &c) == 0);
	CHECK(!strcmp(sockstate_pid_source(h), "procfs"));
	CHECK(!strcmp(sockstate_pid_source_reason(h),
	              "the caller lacks CAP_SYS_PTRACE: BPF would show sockets of "
	              "processes whose descriptors /proc hides from it"));
	CHECK(!strcmp(sockstate_errdetail(h), ""));
	CHECK(sockstate_open(&forced, &fo) == 0);
	CHECK(sockstate_count(forced, &q, &c) == SOCKSTATE_EPERM);
	CHECK(!strcmp(sockstate_errdetail(forced),
	              "pid source bpf: the caller lacks CAP_SYS_PTRACE: BPF would show "
	              "sockets of processes whose descriptors /proc hides from it"));
	CHECK(set_effective_caps(1) == 0); /* permitted still: back again */
	CHECK(sockstate_count(h, &q, &c) == 0);
	CHECK(!strcmp(sockstate_pid_source(h), "bpf-iter"));
	sockstate_close(forced);
	sockstate_close(h);
	return 0;
}

/* An ordinary user: no BPF; the walk, of its own processes, as the walk
 * alone gives it. */
static int nobody_child(void)
{
	sockstate_handle *h = NULL, *forced = NULL;
	sockstate_options fo = {.size = sizeof fo, .pid_source = "bpf"};
	sockstate__owners *via_auto, *via_walk;
	const char *source = NULL;
	const int32_t *pids;
	uint32_t n = 0;
	int lfd, server = -1, client;
	uint64_t inos[3];

	CHECK(setgid(65534) == 0 && setuid(65534) == 0);
	/* A uid change makes the process non-dumpable, which hides even its
	 * own /proc/self/fd; a normal unprivileged program is dumpable. */
	CHECK(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
	lfd = listener(AF_INET);
	client = connect_to(lfd, &server);
	CHECK(lfd >= 0 && client >= 0);
	inos[0] = inode_of(lfd);
	inos[1] = inode_of(client);
	inos[2] = inode_of(server);
	CHECK(sockstate_open(&h, NULL) == 0);
	CHECK((via_auto = sockstate__owners_new()) && (via_walk = sockstate__owners_new()));
	CHECK(sockstate__linux_owners(h, via_auto, &source) == 0);
	CHECK(!strcmp(source, "procfs"));
	CHECK(!strcmp(sockstate_pid_source_reason(h), sockstate__bpf_built()
	              ? "the caller lacks CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)"
	              : "this library was built without the BPF pid source"));
	CHECK(sockstate__linux_proc_owners(h, via_walk, &source) == 0);
	for (int i = 0; i < 3; i++) {
		pids = sockstate__owners_find(via_auto, inos[i], &n);
		CHECK(n == 1 && pids[0] == getpid());
		CHECK(same_owners(via_auto, via_walk, inos[i]));
	}
	CHECK(!strcmp(sockstate__owners_pid_name(via_auto, getpid()), "bpfpop-nobody"));
	if (!sockstate__bpf_built())
		fo.pid_source = "procfs"; /* "bpf" cannot even be opened */
	CHECK(sockstate_open(&forced, &fo) == 0);
	sockstate__owners_reset(via_auto);
	if (sockstate__bpf_built()) {
		CHECK(sockstate__linux_owners(forced, via_auto, &source) == SOCKSTATE_EPERM);
		CHECK(!strcmp(sockstate_errdetail(forced), "pid source bpf: the caller "
		              "lacks CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)"));
	}
	sockstate__owners_free(via_auto);
	sockstate__owners_free(via_walk);
	sockstate_close(forced);
	sockstate_close(h);
	return 0;
}

static void run_child(int (*body)(void), const char *name)
{
	int status = -1;
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		prctl(PR_SET_NAME, name, 0, 0, 0);
		_exit(body());
	}
	assert_int_equal(waitpid(p, &status, 0), p);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_root_without_ptrace_falls_back(void **unused)
{
	(void)unused;
	SKIP_UNLESS_BPF();
	run_child(ptrace_dropped_child, "bpfpop-noptrace");
}

static void test_ordinary_user_falls_back(void **unused)
{
	(void)unused;
	if (geteuid() != 0) {
		print_message("skipped: needs root to become another user\n");
		skip();
	}
	run_child(nobody_child, "bpfpop-nobody");
}

/* ---- a private pid namespace (as `unshare -pf --mount-proc`) ---- */

static int mount_private_proc(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return -1;
	return mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* Runs as pid 1 of a new pid namespace: a listener of its own, a socket
 * shared with its child (pid 2), and the test's socket out of sight. */
static int pidns_init(uint64_t outside_ino)
{
	sockstate_handle *h = NULL;
	sockstate__owners *bpf, *walk;
	const char *source = NULL;
	const int32_t *pids;
	uint32_t n = 0;
	int lfd, server = -1, client, hold[2];
	uint64_t mine, shared;
	char byte;
	pid_t kid;

	CHECK(getpid() == 1);
	CHECK(mount_private_proc() == 0);
	lfd = listener(AF_INET);
	client = connect_to(lfd, &server);
	CHECK(lfd >= 0 && client >= 0);
	mine = inode_of(lfd);
	shared = inode_of(client);
	CHECK(pipe(hold) == 0);
	kid = fork();
	CHECK(kid >= 0);
	if (kid == 0) {
		prctl(PR_SET_NAME, "bpfpop-ns2", 0, 0, 0);
		close(lfd);
		close(server);
		close(hold[1]);
		(void)!read(hold[0], &byte, 1);
		_exit(0);
	}
	CHECK(kid == 2);
	close(hold[0]);
	/* Let the child drop its copies before looking. */
	for (int i = 0; i < 1000; i++) {
		char path[64];
		struct stat st;

		snprintf(path, sizeof path, "/proc/2/fd/%d", lfd);
		if (stat(path, &st) != 0)
			break;
		usleep(1000);
	}
	CHECK(prctl(PR_SET_NAME, "bpfpop-ns1", 0, 0, 0) == 0);
	CHECK(sockstate_open(&h, NULL) == 0);
	CHECK((bpf = sockstate__owners_new()) && (walk = sockstate__owners_new()));
	CHECK(sockstate__linux_owners(h, bpf, &source) == 0);
	CHECK(!strcmp(source, "bpf-iter"));
	CHECK(sockstate__linux_proc_owners(h, walk, &source) == 0);
	/* Our listener and the accepted end: pid 1 only. */
	pids = sockstate__owners_find(bpf, mine, &n);
	CHECK(n == 1 && pids[0] == 1);
	pids = sockstate__owners_find(bpf, inode_of(server), &n);
	CHECK(n == 1 && pids[0] == 1);
	/* The client end: both hold it. */
	pids = sockstate__owners_find(bpf, shared, &n);
	CHECK(n == 2 && pids[0] == 1 && pids[1] == 2);
	/* The parent's listener lives in a process this namespace cannot
	 * see. */
	CHECK(sockstate__owners_find(bpf, outside_ino, &n) == NULL && n == 0);
	CHECK(sockstate__owners_find(walk, outside_ino, &n) == NULL && n == 0);
	CHECK(same_owners(bpf, walk, mine));
	CHECK(same_owners(bpf, walk, shared));
	CHECK(same_owners(bpf, walk, inode_of(server)));
	CHECK(!strcmp(sockstate__owners_pid_name(bpf, 1), "bpfpop-ns1"));
	CHECK(!strcmp(sockstate__owners_pid_name(bpf, 2), "bpfpop-ns2"));
	CHECK(!strcmp(sockstate__owners_pid_name(walk, 2), "bpfpop-ns2"));
	close(hold[1]);
	CHECK(waitpid(kid, NULL, 0) == kid);
	sockstate__owners_free(bpf);
	sockstate__owners_free(walk);
	sockstate_close(h);
	return 0;
}

static int outside_fd;
static uint64_t outside_ino;

static int pidns_parent(void)
{
	int status = -1;
	pid_t init;

	close(outside_fd); /* only the test process holds it now */
	CHECK(unshare(CLONE_NEWPID | CLONE_NEWNS) == 0);
	init = fork();
	CHECK(init >= 0);
	if (init == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		_exit(pidns_init(outside_ino));
	}
	CHECK(waitpid(init, &status, 0) == init);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

static void test_private_pid_namespace(void **unused)
{
	(void)unused;
	SKIP_UNLESS_BPF();
	outside_fd = listener(AF_INET);
	assert_true(outside_fd >= 0);
	outside_ino = inode_of(outside_fd);
	run_child(pidns_parent, "bpfpop-nsparent");
	close(outside_fd);
}

/* ---- a thread with a descriptor table of its own ---- */

struct own_table {
	int ready[2], done[2];
	uint64_t ino;
};

static void *own_table_thread(void *p)
{
	struct own_table *t = p;
	int fd;
	char byte;

	/* The done pipe's read end is not shared any more after this: the
	 * copy stays usable. */
	CHECK(unshare(CLONE_FILES) == 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	t->ino = inode_of(fd);
	CHECK(write(t->ready[1], "r", 1) == 1);
	(void)!read(t->done[0], &byte, 1);
	return NULL;
}

/* The kernel walks descriptor tables: a socket only that thread holds is
 * the process's, though /proc/<pid>/fd (the leader's table) omits it. */
static void test_thread_with_own_table(void **unused)
{
	struct own_table t;
	sockstate_handle *h;
	sockstate__owners *bpf, *walk;
	const char *source = NULL;
	const int32_t *pids;
	pthread_t thread;
	uint32_t n = 0;
	char byte;
	int leader_fd;

	(void)unused;
	SKIP_UNLESS_BPF();
	memset(&t, 0, sizeof t);
	assert_int_equal(pipe(t.ready), 0);
	assert_int_equal(pipe(t.done), 0);
	leader_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(leader_fd >= 0);
	assert_int_equal(pthread_create(&thread, NULL, own_table_thread, &t), 0);
	assert_int_equal(read(t.ready[0], &byte, 1), 1);

	h = open_with("bpf");
	bpf = owners_via(h, 0, &source);
	walk = owners_via(h, 1, &source);
	pids = sockstate__owners_find(bpf, t.ino, &n);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], getpid());
	assert_null(sockstate__owners_find(walk, t.ino, &n));
	/* The leader's socket once, not once per thread. */
	pids = sockstate__owners_find(bpf, inode_of(leader_fd), &n);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], getpid());
	assert_true(same_owners(bpf, walk, inode_of(leader_fd)));

	assert_int_equal(write(t.done[1], "d", 1), 1);
	assert_int_equal(pthread_join(thread, NULL), 0);
	close(leader_fd);
	close(t.ready[0]);
	close(t.ready[1]);
	close(t.done[0]);
	close(t.done[1]);
	sockstate__owners_free(bpf);
	sockstate__owners_free(walk);
	sockstate_close(h);
}

/* ---- a process whose main thread has exited ---- */

static int leader_gone_report[2];

static void *survivor_thread(void *unused)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint64_t ino = inode_of(fd);

	(void)unused;
	/* Report only once the leader is a zombie with no files. */
	for (int i = 0; i < 1000; i++) {
		char path[64];
		struct stat st;

		snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)getpid(), fd);
		if (stat(path, &st) != 0)
			break;
		usleep(1000);
	}
	CHECK(write(leader_gone_report[1], &ino, sizeof ino) == (ssize_t)sizeof ino);
	for (;;)
		pause();
	return NULL;
}

/* /proc/<pid>/fd is the leader's table, empty once the leader has exited;
 * the kernel still walks the table the other threads share. */
static void test_exited_leader(void **unused)
{
	sockstate_handle *h;
	sockstate__owners *bpf, *walk;
	const char *source = NULL;
	const int32_t *pids;
	uint64_t ino = 0;
	uint32_t n = 0;
	pid_t child;

	(void)unused;
	SKIP_UNLESS_BPF();
	assert_int_equal(pipe(leader_gone_report), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pthread_t t;

		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		prctl(PR_SET_NAME, "bpfpop-noleader", 0, 0, 0);
		CHECK(pthread_create(&t, NULL, survivor_thread, NULL) == 0);
		pthread_exit(NULL);
	}
	assert_int_equal(read(leader_gone_report[0], &ino, sizeof ino), sizeof ino);

	h = open_with("bpf");
	bpf = owners_via(h, 0, &source);
	walk = owners_via(h, 1, &source);
	pids = sockstate__owners_find(bpf, ino, &n);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], child);
	assert_string_equal(sockstate__owners_pid_name(bpf, child), "bpfpop-noleader");
	assert_null(sockstate__owners_find(walk, ino, &n));

	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, NULL, 0), child);
	close(leader_gone_report[0]);
	close(leader_gone_report[1]);
	sockstate__owners_free(bpf);
	sockstate__owners_free(walk);
	sockstate_close(h);
}

/* ---- a thousand queries on one handle ---- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* In a pid and network namespace of its own, so nothing else changes
 * what the queries find: fds and heap in use must not move. */
static int no_growth_child(const char *pid_source, const char *want_source)
{
	sockstate_options o = {.size = sizeof o, .pid_source = pid_source};
	sockstate_handle *h = NULL;
	sockstate_query q;
	sockstate_counts c;
	struct mallinfo2 before, after;
	int fds;

	CHECK(getpid() == 1);
	CHECK(mount_private_proc() == 0);
	for (int i = 0; i < 200; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET};

		CHECK(fd >= 0);
		if (i % 2)
			CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 1) == 0);
	}
	CHECK(sockstate_open(&h, &o) == 0);
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	for (int i = 0; i < 10; i++)
		CHECK(sockstate_count(h, &q, &c) == 0);
	CHECK(c.total == 100);
	CHECK(!strcmp(sockstate_pid_source(h), want_source));
	fds = count_fds();
	before = mallinfo2();
	for (int i = 0; i < 1000; i++)
		CHECK(sockstate_count(h, &q, &c) == 0);
	after = mallinfo2();
	CHECK(c.total == 100);
	CHECK(!strcmp(sockstate_pid_source(h), want_source));
	if (count_fds() != fds || after.uordblks != before.uordblks) {
		fprintf(stderr, "%s: fds %d -> %d, heap in use %zu -> %zu\n", want_source, fds,
		        count_fds(), before.uordblks, after.uordblks);
		return 1;
	}
	sockstate_close(h);
	return 0;
}

static const char *growth_source, *growth_want;

static int no_growth_parent(void)
{
	int status = -1;
	pid_t init;

	CHECK(unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET) == 0);
	init = fork();
	CHECK(init >= 0);
	if (init == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		_exit(no_growth_child(growth_source, growth_want));
	}
	CHECK(waitpid(init, &status, 0) == init);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

static void test_thousand_queries_no_growth(void **unused)
{
	(void)unused;
	SKIP_UNLESS_BPF();
	growth_source = "bpf";
	growth_want = "bpf-iter";
	run_child(no_growth_parent, "bpfpop-growth");
	growth_source = "procfs";
	growth_want = "procfs";
	run_child(no_growth_parent, "bpfpop-growth");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_population_bpf_equals_proc_walk),
		cmocka_unit_test(test_auto_uses_bpf_procfs_option_forces_walk),
		cmocka_unit_test(test_pid_source_option_checked_at_open),
		cmocka_unit_test(test_root_without_ptrace_falls_back),
		cmocka_unit_test(test_ordinary_user_falls_back),
		cmocka_unit_test(test_private_pid_namespace),
		cmocka_unit_test(test_thread_with_own_table),
		cmocka_unit_test(test_exited_leader),
		cmocka_unit_test(test_thousand_queries_no_growth),
	};

	return cmocka_run_group_tests(tests, population_up, population_down);
}
