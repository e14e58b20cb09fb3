/* bench_pairs.c - hold N loopback TCP sockets, as established pairs, in a
 * private network namespace: the million-socket population of the
 * benchmarks (population.py makes the mixed ones; at a million its Python
 * would take minutes, this takes seconds).
 *
 *   bench_pairs hold N [--workers W]      control on stdin/stdout (run.py)
 *   bench_pairs run N [--workers W] -- CMD ARGS...
 *
 * Makes a network namespace of its own (unshare(CLONE_NEWNET), so root),
 * brings lo up, widens the ephemeral port range there, and has W worker
 * processes (by default as few as RLIMIT_NOFILE allows: 9,990 pairs
 * each, both ends held) each connect to a listener of its own and accept:
 * worker w listens on 127.0.w.1 (every third worker on ::1) port 5000 + w,
 * so a --port 5000 filter matches worker 0's sockets only. N/2 pairs and
 * W listeners: N + W sockets, all ESTABLISHED but the listeners.
 *
 * Readiness is a handshake, never a sleep: each worker writes one byte
 * once its pairs exist, then the holder checks the namespace's own count
 * (/proc/net/sockstat and sockstat6: TCP sockets in use) against the plan.
 *
 * `hold` prints `ready {json}` (the same facts as population.py hold:
 * sockets, by_state, workers, netns, filter_port, port_matches) and reads
 * commands on stdin: `renew` answers `ready` again (established pairs do
 * not expire), `quit` or the end of input tears down. `run` runs CMD
 * inside the namespace with POPULATION_NETNS and POPULATION_PORT set.
 * Exit status: 0 (or CMD's); 1 the population could not be made; 2 bad
 * usage; 77 no namespace here (not root). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_SKIP = 77,
	/* Under RLIMIT_NOFILE (20000 here): the pairs' two ends, the
	 * listener, stdio and the two pipes. */
	PAIRS_PER_WORKER = 9990,
	MAX_WORKERS = 250,
	PORT_BASE = 5000,
	/* connect() this many, then accept them: fewer switches between the
	 * two ends than one at a time, within the listener's backlog. */
	BATCH = 512
};

struct plan {
	long sockets;       /* asked: 2 * pairs */
	int workers;
	long pairs[MAX_WORKERS];
};

static void say(const char *what, const char *why)
{
	fprintf(stderr, "bench_pairs: %s%s%s\n", what, why[0] ? ": " : "", why);
}

static int ipv6_worker(int w)
{
	return w % 3 == 2;
}

static int make_plan(long sockets, int workers, struct plan *p)
{
	long pairs = sockets / 2;

	if (sockets < 2 || sockets % 2)
		return -1;
	if (workers <= 0)
		workers = (int)((pairs + PAIRS_PER_WORKER - 1) / PAIRS_PER_WORKER);
	if (workers > MAX_WORKERS || (pairs + workers - 1) / workers > PAIRS_PER_WORKER)
		return -1;
	p->sockets = sockets;
	p->workers = workers;
	for (int w = 0; w < workers; w++)
		p->pairs[w] = pairs / workers + (w < pairs % workers);
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int namespace_up(void)
{
	struct ifreq ifr;
	int fd;

	if (unshare(CLONE_NEWNET) != 0)
		return -2;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		return close(fd), -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		return close(fd), -1;
	close(fd);
	/* Above the listeners' ports (5000 + w): a client must never take one
	 * first. 55,536 ports per destination, each worker needs 9,990. */
	return write_file("/proc/sys/net/ipv4/ip_local_port_range", "10000 65535");
}

static socklen_t listener_address(int w, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (ipv6_worker(w)) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons((uint16_t)(PORT_BASE + w));
		return sizeof *a;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(0x7f000001u | ((uint32_t)w << 8));
	a->sin_port = htons((uint16_t)(PORT_BASE + w));
	return sizeof *a;
}

/* The worker's pairs; the descriptors stay open until the process ends. */
static int hold_pairs(int w, long pairs)
{
	struct sockaddr_storage ss;
	socklen_t len = listener_address(w, &ss);
	int one = 1, lfd;

	lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(lfd, (struct sockaddr *)&ss, len) != 0 || listen(lfd, BATCH * 2) != 0)
		return -1;
	for (long done = 0; done < pairs;) {
		long batch = pairs - done < BATCH ? pairs - done : BATCH;

		for (long i = 0; i < batch; i++) {
			int c = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

			if (c < 0 || connect(c, (struct sockaddr *)&ss, len) != 0)
				return -1;
		}
		for (long i = 0; i < batch; i++)
			if (accept4(lfd, NULL, NULL, SOCK_CLOEXEC) < 0)
				return -1;
		done += batch;
	}
	return 0;
}

/* Runs in the forked child: hold, say so on `ready`, then wait for the
 * holder to go (its end of `stay` closes). */
static void worker(int w, long pairs, int ready, int stay)
{
	struct rlimit rl;
	char name[16], byte = 'r';

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	snprintf(name, sizeof name, "bench-pairs-%d", w);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	signal(SIGINT, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (hold_pairs(w, pairs) != 0) {
		fprintf(stderr, "bench_pairs: worker %d: %s\n", w, strerror(errno));
		_exit(EXIT_FAILED);
	}
	if (write(ready, &byte, 1) != 1)
		_exit(EXIT_FAILED);
	/* So the holder sees the end of the pipe once every worker has
	 * answered or died, rather than wait for one that failed. */
	close(ready);
	while (read(stay, &byte, 1) > 0)
		;
	_exit(0);
}

/* TCP sockets in use in this namespace ("TCP: inuse N", "TCP6: inuse N"). */
static long sockets_in_use(void)
{
	static const char *const files[] = {"/proc/net/sockstat", "/proc/net/sockstat6"};
	static const char *const keys[] = {"TCP: inuse ", "TCP6: inuse "};
	long total = 0;

	for (int i = 0; i < 2; i++) {
		char line[256];
		long n = -1;
		FILE *f = fopen(files[i], "re");

		if (!f)
			return -1;
		while (fgets(line, sizeof line, f)) {
			size_t k = strlen(keys[i]);

			if (!strncmp(line, keys[i], k)) {
				n = strtol(line + k, NULL, 10);
				break;
			}
		}
		fclose(f);
		if (n < 0)
			return -1;
		total += n;
	}
	return total;
}

struct holder {
	pid_t pids[MAX_WORKERS];
	int stay;           /* write end: closing it ends the workers */
};

static int build(const struct plan *p, struct holder *hd)
{
	int ready[2], stay[2];
	long in_use;
	char byte;
	int rc = namespace_up();

	if (rc == -2)
		return EXIT_SKIP;
	if (rc != 0 || pipe2(ready, O_CLOEXEC) != 0 || pipe2(stay, O_CLOEXEC) != 0)
		return EXIT_FAILED;
	for (int w = 0; w < p->workers; w++) {
		pid_t pid = fork();

		if (pid < 0)
			return EXIT_FAILED;
		if (pid == 0) {
			close(ready[0]);
			close(stay[1]);
			worker(w, p->pairs[w], ready[1], stay[0]);
		}
		hd->pids[w] = pid;
	}
	close(ready[1]);
	close(stay[0]);
	hd->stay = stay[1];
	for (int w = 0; w < p->workers; w++)
		if (read(ready[0], &byte, 1) != 1)
			return close(ready[0]), EXIT_FAILED;
	close(ready[0]);
	in_use = sockets_in_use();
	if (in_use != p->sockets + p->workers) {
		fprintf(stderr, "bench_pairs: the namespace holds %ld TCP sockets, not %ld\n",
		        in_use, p->sockets + p->workers);
		return EXIT_FAILED;
	}
	return 0;
}

static void teardown(const struct plan *p, struct holder *hd)
{
	close(hd->stay);
	for (int w = 0; w < p->workers; w++)
		if (hd->pids[w] > 0)
			waitpid(hd->pids[w], NULL, 0);
}

static void print_facts(const struct plan *p, const struct holder *hd)
{
	printf("ready {\"sockets\": %ld, \"by_state\": {\"ESTABLISHED\": %ld, \"LISTEN\": %d}, "
	       "\"workers\": [", p->sockets + p->workers, p->sockets, p->workers);
	for (int w = 0; w < p->workers; w++)
		printf("%s%d", w ? ", " : "", (int)hd->pids[w]);
	printf("], \"holder\": %d, \"netns\": \"/proc/%d/ns/net\", \"filter_port\": %d, "
	       "\"port_matches\": %ld, \"kind\": \"pairs\"}\n", (int)getpid(), (int)getpid(),
	       PORT_BASE, 1 + 2 * p->pairs[0]);
	fflush(stdout);
}

static int cmd_hold(const struct plan *p)
{
	struct holder hd = {{0}, -1};
	char line[64];
	int rc = build(p, &hd);

	if (rc != 0) {
		if (hd.stay >= 0)
			teardown(p, &hd);
		return rc;
	}
	print_facts(p, &hd);
	while (fgets(line, sizeof line, stdin)) {
		if (!strcmp(line, "renew\n"))
			print_facts(p, &hd);
		else if (!strcmp(line, "quit\n"))
			break;
	}
	teardown(p, &hd);
	return 0;
}

static int cmd_run(const struct plan *p, char **argv)
{
	struct holder hd = {{0}, -1};
	char netns[64], port[16];
	int status = 0, rc = build(p, &hd);
	pid_t pid;

	if (rc != 0) {
		if (hd.stay >= 0)
			teardown(p, &hd);
		return rc;
	}
	snprintf(netns, sizeof netns, "/proc/%d/ns/net", (int)getpid());
	snprintf(port, sizeof port, "%d", PORT_BASE);
	setenv("POPULATION_NETNS", netns, 1);
	setenv("POPULATION_PORT", port, 1);
	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		say(argv[0], "cannot run it");
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	teardown(p, &hd);
	if (pid < 0)
		return EXIT_FAILED;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	struct plan p;
	int workers = 0, i = 3;
	char *end;
	long n;

	if (argc < 3 || (strcmp(argv[1], "hold") && strcmp(argv[1], "run"))) {
		fprintf(stderr, "usage: bench_pairs hold N [--workers W]\n"
		                "       bench_pairs run N [--workers W] -- CMD ARGS...\n");
		return EXIT_USAGE;
	}
	n = strtol(argv[2], &end, 10);
	if (*end || n <= 0) {
		say(argv[2], "not a number of sockets");
		return EXIT_USAGE;
	}
	if (i + 1 < argc && !strcmp(argv[i], "--workers")) {
		workers = atoi(argv[i + 1]);
		i += 2;
	}
	if (make_plan(n, workers, &p) != 0) {
		say(argv[2], "sockets must be an even number, at most 9,990 pairs per "
		    "worker and 250 workers");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "hold"))
		return cmd_hold(&p);
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		say("run", "no command given");
		return EXIT_USAGE;
	}
	return cmd_run(&p, argv + i);
}
