/* churn.c - enumerations stay right while the socket table churns.
 *
 *   rel_churn [--seconds S] [--workers N] [--cli PATH] [--min-rate R]
 *             [--mode NAME]...
 *
 * In a private network namespace (skipped, exit 77, where none can be
 * made: churning the host's own table would disturb the machine), N
 * worker processes (default 2) open and close loopback connections as
 * fast as they can - connect, accept, close; most end with a reset, one in
 * eight with FIN, so TIME_WAIT sockets come and go too - while this
 * process holds a population of long-lived sockets (LISTEN, ESTABLISHED,
 * FIN_WAIT_2, CLOSE_WAIT on 127.0.0.1 and ::1) and enumerates for S
 * seconds (default 10), round robin: netlink streaming, with owners,
 * snapshot, counts, with a state filter pushed into the kernel; the /proc
 * backend; and, with --cli, the command-line tool on both backends
 * (--mode limits the round to the modes named: stream, pids, snapshot,
 * count, filtered, proc, cli, cli-proc).
 *
 * Every enumeration must succeed (exit status 0 for the tool) and report
 * each long-lived socket exactly once, in its state. The connection rate
 * the workers reached is printed and must be at least R per second
 * (default 5000; the figure proves the table really churned).
 * Exit 0, 1 (with every failure counted and the first described), 77. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rel_util.h"

struct shared {
	volatile int stop;
	volatile unsigned long connections[64];
};

/* ---- the workers ---- */

/* A listener on the loopback address of af; -1 if af does not work. */
static int churn_listener(int af, struct sockaddr_storage *ss, socklen_t *len)
{
	int fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(ss, 0, sizeof *ss);
	if (af == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		*len = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof *a;
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)ss, *len) != 0 || listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)ss, len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void churn_worker(struct shared *sh, int index)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int af = (index & 1) ? AF_INET6 : AF_INET;
	int lfd = churn_listener(af, &ss, &len);
	const struct linger rst = {.l_onoff = 1, .l_linger = 0};
	unsigned long n = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (lfd < 0 && af == AF_INET6) { /* no IPv6 here: churn IPv4 */
		af = AF_INET;
		lfd = churn_listener(af, &ss, &len);
	}
	if (lfd < 0)
		_exit(3);
	while (!sh->stop) {
		int c = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0), s;

		if (c < 0)
			_exit(4);
		if (connect(c, (struct sockaddr *)&ss, len) != 0) {
			close(c); /* out of ports for a moment: TIME_WAIT */
			continue;
		}
		s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (n % 8 == 0) {
			/* FIN both ways: the side that closes first keeps a
			 * TIME_WAIT for a minute (up to tcp_max_tw_buckets). */
			if (s >= 0)
				close(s);
			close(c);
		} else {
			setsockopt(c, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
			close(c);
			if (s >= 0)
				close(s);
		}
		n++;
		if ((n & 255) == 0)
			sh->connections[index] = n;
	}
	sh->connections[index] = n;
	_exit(0);
}

/* ---- the enumerations ---- */

enum mode {
	M_STREAM, M_PIDS, M_SNAPSHOT, M_COUNT, M_FILTERED, M_PROC, M_CLI, M_CLI_PROC, M_COUNT_OF
};
static const char *const mode_key[M_COUNT_OF] = {
	"stream", "pids", "snapshot", "count", "filtered", "proc", "cli", "cli-proc",
};
static const char *const mode_name[M_COUNT_OF] = {
	"netlink streaming", "netlink streaming with owners", "netlink snapshot",
	"netlink counts", "netlink, state filter in the kernel", "/proc streaming",
	"CLI (linux-netlink)", "CLI (linux-proc)",
};

struct tally {
	unsigned long runs, complete, failed;
	double records;
	char first[512];
};

static void note_failure(struct tally *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note_failure(struct tally *t, const char *fmt, ...)
{
	va_list ap;

	t->failed++;
	if (t->first[0])
		return;
	va_start(ap, fmt);
	vsnprintf(t->first, sizeof t->first, fmt, ap);
	va_end(ap);
}

static void conclude(struct tally *t, rel_population *pop, rel_verdict *v, int rc,
                     const char *detail)
{
	t->runs++;
	t->records += (double)v->records;
	if (rc != 0) {
		note_failure(t, "failed: %s (%s)", sockstate_strerror(rc), detail);
		return;
	}
	rel_check_end(pop, v);
	if (!rel_verdict_ok(v)) {
		char what[128];
		snprintf(what, sizeof what, "%zu missing, %zu repeated, %zu in a wrong state",
		         v->missing, v->repeated, v->wrong_state);
		note_failure(t, "%s; first: %s", what, v->first_problem);
		return;
	}
	t->complete++;
}

/* Parse the tool's CSV (no header) into records for the check. */
static void cli_check(const char *out, rel_population *pop, rel_verdict *v)
{
	const char *line = out;

	while (*line) {
		const char *end = strchr(line, '\n');
		char buf[512], *field[8], *save = NULL;
		sockstate_socket s;
		sockstate_state st;
		size_t len = end ? (size_t)(end - line) : strlen(line);
		int n = 0;

		if (len >= sizeof buf)
			len = sizeof buf - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		buf[strcspn(buf, "\r")] = '\0';
		for (char *f = strtok_r(buf, ",", &save); f && n < 8; f = strtok_r(NULL, ",", &save))
			field[n++] = f;
		line = end ? end + 1 : line + len;
		if (n < 8)
			continue;
		memset(&s, 0, sizeof s);
		s.size = sizeof s;
		s.pid = -1;
		s.family = !strcmp(field[0], "ipv6") ? SOCKSTATE_FAMILY_IPV6 : SOCKSTATE_FAMILY_IPV4;
		if (sockstate_state_parse(field[1], &st) != 0)
			continue;
		s.state = (uint8_t)st;
		if (inet_pton(s.family == SOCKSTATE_FAMILY_IPV6 ? AF_INET6 : AF_INET, field[4],
		              s.local.addr) != 1 ||
		    inet_pton(s.family == SOCKSTATE_FAMILY_IPV6 ? AF_INET6 : AF_INET, field[6],
		              s.remote.addr) != 1)
			continue;
		s.local.port = (uint16_t)atoi(field[5]);
		s.remote.port = (uint16_t)atoi(field[7]);
		rel_check_record(pop, &s, 0, v);
	}
}

/* Run the tool, capture its stdout; returns its exit status (or -1). */
static int run_cli(const char *cli, const char *backend, char **out, size_t *len)
{
	int pipefd[2], status;
	size_t cap = 1 << 20;
	pid_t pid;

	*len = 0;
	*out = malloc(cap);
	if (!*out || pipe(pipefd) != 0)
		rel_fail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		execl(cli, cli, "--csv", "-n", "--backend", backend, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		ssize_t n;
		if (*len + 65536 > cap) {
			cap *= 2;
			*out = realloc(*out, cap);
			if (!*out)
				rel_fail("out of memory");
		}
		n = read(pipefd[0], *out + *len, cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	(*out)[*len] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void enumerate(enum mode m, sockstate_handle *nl, sockstate_handle *proc,
                      const char *cli, rel_population *pop, struct tally *t)
{
	rel_verdict v;
	struct rel_check_ctx ctx = {.p = pop, .v = &v, .with_pids = m == M_PIDS};
	sockstate_query q;
	int rc = 0;

	memset(&v, 0, sizeof v);
	rel_check_begin(pop);
	sockstate_query_init(&q);
	switch (m) {
	case M_STREAM:
		rc = sockstate_foreach(nl, &q, rel_check_cb, &ctx);
		break;
	case M_PIDS:
		q.flags |= SOCKSTATE_Q_PIDS;
		rc = sockstate_foreach(nl, &q, rel_check_cb, &ctx);
		break;
	case M_FILTERED:
		if (sockstate_query_set(&q, "state", "LISTEN,ESTABLISHED,FIN_WAIT_2,CLOSE_WAIT"))
			rel_fail("sockstate_query_set");
		rc = sockstate_foreach(nl, &q, rel_check_cb, &ctx);
		break;
	case M_PROC:
		rc = sockstate_foreach(proc, &q, rel_check_cb, &ctx);
		break;
	case M_SNAPSHOT: {
		sockstate_snapshot *snap;
		rc = sockstate_snapshot_take(nl, &q, &snap);
		if (rc == 0) {
			for (size_t i = 0; i < snap->count; i++)
				rel_check_record(pop, &snap->sockets[i], 0, &v);
			sockstate_snapshot_free(snap);
		}
		break;
	}
	case M_COUNT: {
		sockstate_counts c;
		size_t want[SOCKSTATE_STATE_COUNT] = {0};
		rc = sockstate_count(nl, &q, &c);
		t->runs++;
		if (rc != 0) {
			note_failure(t, "failed: %s (%s)", sockstate_strerror(rc),
			             sockstate_errdetail(nl));
			return;
		}
		t->records += (double)c.total;
		/* Churn adds sockets: only "at least the long-lived ones". */
		for (size_t i = 0; i < pop->n; i++)
			want[pop->v[i].state]++;
		for (int st = 0; st < SOCKSTATE_STATE_COUNT; st++)
			if (c.by_state[st] < want[st]) {
				note_failure(t, "%llu %s, fewer than the %zu held",
				             (unsigned long long)c.by_state[st],
				             sockstate_state_name((sockstate_state)st), want[st]);
				return;
			}
		t->complete++;
		return;
	}
	case M_CLI:
	case M_CLI_PROC: {
		char *out = NULL;
		size_t len;
		int code = run_cli(cli, m == M_CLI ? "linux-netlink" : "linux-proc", &out, &len);
		if (code != 0) {
			t->runs++;
			note_failure(t, "exit status %d", code);
			free(out);
			return;
		}
		cli_check(out, pop, &v);
		free(out);
		conclude(t, pop, &v, 0, "");
		return;
	}
	case M_COUNT_OF:
		return;
	}
	conclude(t, pop, &v, rc, sockstate_errdetail(m == M_PROC ? proc : nl));
}

static unsigned long total_connections(const struct shared *sh, int workers)
{
	unsigned long n = 0;

	for (int i = 0; i < workers; i++)
		n += sh->connections[i];
	return n;
}

int main(int argc, char **argv)
{
	double seconds = 10, min_rate = 5000, t0, t1, elapsed;
	int workers = 2, failed = 0;
	const char *cli = NULL, *why = "";
	struct shared *sh;
	pid_t pids[64];
	sockstate_handle *nl, *proc;
	sockstate_options o = {.size = sizeof o};
	rel_population pop;
	struct tally tally[M_COUNT_OF];
	unsigned long c0, c1;
	unsigned modes = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--workers") && i + 1 < argc)
			workers = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--cli") && i + 1 < argc)
			cli = argv[++i];
		else if (!strcmp(argv[i], "--min-rate") && i + 1 < argc)
			min_rate = atof(argv[++i]);
		else if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
			int m = 0;
			for (i++; m < M_COUNT_OF && strcmp(argv[i], mode_key[m]); m++)
				;
			if (m == M_COUNT_OF) {
				fprintf(stderr, "%s: unknown mode '%s'\n", argv[0], argv[i]);
				return 2;
			}
			modes |= 1u << m;
		} else {
			fprintf(stderr, "usage: %s [--seconds S] [--workers N] [--cli PATH] "
			        "[--min-rate R] [--mode NAME]...\n", argv[0]);
			return 2;
		}
	}
	if (!modes)
		modes = (1u << M_COUNT_OF) - 1;
	if (workers < 1 || workers > 64 || seconds <= 0) {
		fprintf(stderr, "%s: workers 1-64, seconds > 0\n", argv[0]);
		return 2;
	}
	if (!rel_enter_private_world(&why))
		rel_skip("%s: the churn test runs only in a private network namespace", why);
	rel_raise_nofile();
	/* Many short connections: a wide port range, TIME_WAIT bounded. */
	rel_sysctl("net/ipv4/ip_local_port_range", "1024 65000");
	rel_sysctl("net/ipv4/tcp_max_tw_buckets", "16384");
	rel_sysctl("net/ipv4/tcp_tw_reuse", "1");

	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		rel_fail("mmap: %s", strerror(errno));
	memset(sh, 0, sizeof *sh);
	/* Workers first: they must not inherit the long-lived sockets (an
	 * inherited descriptor would make them owners too). */
	for (int i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			rel_fail("fork: %s", strerror(errno));
		if (pids[i] == 0)
			churn_worker(sh, i);
	}
	rel_population_make(&pop, 8, 16, 4);

	o.backend = "linux-netlink";
	if (sockstate_open(&nl, &o) != 0)
		rel_fail("sockstate_open(linux-netlink): %s", sockstate_errdetail(NULL));
	o.backend = "linux-proc";
	if (sockstate_open(&proc, &o) != 0)
		rel_fail("sockstate_open(linux-proc): %s", sockstate_errdetail(NULL));

	memset(tally, 0, sizeof tally);
	usleep(200000); /* let the churn get going */
	c0 = total_connections(sh, workers);
	t0 = rel_now();
	for (unsigned long round = 0; rel_now() - t0 < seconds; round++) {
		enum mode m = (enum mode)(round % M_COUNT_OF);
		if (!(modes & (1u << m)) || ((m == M_CLI || m == M_CLI_PROC) && !cli))
			continue;
		enumerate(m, nl, proc, cli, &pop, &tally[m]);
	}
	t1 = rel_now();
	c1 = total_connections(sh, workers);
	elapsed = t1 - t0;
	sh->stop = 1;
	for (int i = 0; i < workers; i++) {
		int status;
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			rel_fail("churn worker %d ended with status %d", i, status);
	}

	printf("churn: %d workers opened and closed %.0f loopback connections per second "
	       "for %.1f s (%lu in all), %zu long-lived sockets held\n", workers,
	       (double)(c1 - c0) / elapsed, elapsed, c1 - c0, pop.n);
	for (int m = 0; m < M_COUNT_OF; m++) {
		struct tally *t = &tally[m];
		if (!t->runs)
			continue;
		printf("churn: %-38s %5lu runs, %5lu complete, %lu failed, %.0f sockets each%s%s\n",
		       mode_name[m], t->runs, t->complete, t->failed,
		       t->runs ? t->records / (double)t->runs : 0.0, t->first[0] ? ": " : "",
		       t->first);
		if (t->failed)
			failed = 1;
	}
	if ((double)(c1 - c0) / elapsed < min_rate) {
		fprintf(stderr, "FAIL: the churn reached %.0f connections/s, below %.0f: the "
		        "table did not churn enough to prove anything\n",
		        (double)(c1 - c0) / elapsed, min_rate);
		failed = 1;
	}
	sockstate_close(nl);
	sockstate_close(proc);
	rel_population_free(&pop);
	return failed;
}
