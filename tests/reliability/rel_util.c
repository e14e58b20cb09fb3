/* rel_util.c - see rel_util.h. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rel_util.h"

/* Linux's tcpi_state numbers (include/net/tcp_states.h). */
enum { K_ESTABLISHED = 1, K_FIN_WAIT2 = 5, K_CLOSE_WAIT = 8, K_LISTEN = 10 };

void rel_fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void rel_skip(const char *fmt, ...)
{
	va_list ap;

	printf("SKIP: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(REL_SKIP);
}

int rel_enter_netns(const char **why)
{
	struct ifreq ifr;
	int fd;

	if (unshare(CLONE_NEWNET) != 0) {
		*why = errno == EPERM ? "unshare(CLONE_NEWNET): not permitted (needs root)"
		                      : "unshare(CLONE_NEWNET) failed";
		return 0;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		rel_fail("socket(AF_INET) in the new namespace: %s", strerror(errno));
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		rel_fail("SIOCGIFFLAGS(lo): %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		rel_fail("SIOCSIFFLAGS(lo up): %s", strerror(errno));
	close(fd);
	return 1;
}

int rel_enter_private_world(const char **why)
{
	pid_t child;
	int status;

	if (unshare(CLONE_NEWNS | CLONE_NEWPID) != 0 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0)
		return rel_enter_netns(why);
	fflush(stdout);
	fflush(stderr);
	child = fork();
	if (child < 0)
		rel_fail("fork: %s", strerror(errno));
	if (child > 0) {
		/* Pass ctest's timeout on; the namespace dies with its pid 1. */
		signal(SIGTERM, SIG_IGN);
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		/* _exit: a leak checker at exit would need a new task, which a
		 * process whose pid namespace has died cannot make. */
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		rel_fail("mount(/proc) in the new pid namespace: %s", strerror(errno));
	/* The namespace's init stays a bare reaper and the test runs as its
	 * child: init cannot be ptraced, which LeakSanitizer needs to stop
	 * the world at exit. */
	child = fork();
	if (child < 0)
		rel_fail("fork: %s", strerror(errno));
	if (child > 0) {
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!rel_enter_netns(why))
		rel_fail("a pid namespace but no network namespace: %s", *why);
	return 2;
}

int rel_sysctl(const char *name, const char *value)
{
	char path[256];
	int fd, ok;

	snprintf(path, sizeof path, "/proc/sys/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok ? 0 : -1;
}

void rel_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int rel_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		rel_fail("opendir(/proc/self/fd): %s", strerror(errno));
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

long rel_rss_kib(void)
{
	long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (!f || fscanf(f, "%ld %ld", &size, &resident) != 2)
		rel_fail("reading /proc/self/statm");
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double rel_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the population ---- */

void rel_endpoint_of(int fd, int peer, uint8_t *family, sockstate_endpoint *ep)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	memset(ep, 0, sizeof *ep);
	if ((peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
	          : getsockname(fd, (struct sockaddr *)&ss, &len)) != 0)
		rel_fail("get%sname: %s", peer ? "peer" : "sock", strerror(errno));
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
		*family = SOCKSTATE_FAMILY_IPV4;
		memcpy(ep->addr, &sin->sin_addr, 4);
		ep->port = ntohs(sin->sin_port);
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
		*family = SOCKSTATE_FAMILY_IPV6;
		memcpy(ep->addr, &sin6->sin6_addr, 16);
		ep->port = ntohs(sin6->sin6_port);
	}
}

static void add(rel_population *p, int fd, sockstate_state state, int peer_known)
{
	rel_sock *s;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->v = realloc(p->v, p->cap * sizeof *p->v);
		if (!p->v)
			rel_fail("out of memory");
	}
	s = &p->v[p->n++];
	memset(s, 0, sizeof *s);
	s->fd = fd;
	s->owned = 1;
	s->state = (uint8_t)state;
	rel_endpoint_of(fd, 0, &s->family, &s->local);
	if (peer_known)
		rel_endpoint_of(fd, 1, &s->family, &s->remote);
}

static int tcp_socket(int af)
{
	int fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		rel_fail("socket: %s", strerror(errno));
	return fd;
}

static socklen_t loopback(int af, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof *sin;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = in6addr_loopback;
	return sizeof *sin6;
}

static int listener(int af)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(af, &ss);
	int fd = tcp_socket(af);

	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 64) != 0)
		rel_fail("bind/listen on loopback: %s", strerror(errno));
	return fd;
}

static void connect_pair(int lfd, int *client, int *server)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(lfd, (struct sockaddr *)&ss, &len) != 0)
		rel_fail("getsockname: %s", strerror(errno));
	*client = tcp_socket(ss.ss_family);
	if (connect(*client, (struct sockaddr *)&ss, len) != 0)
		rel_fail("connect on loopback: %s", strerror(errno));
	*server = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (*server < 0)
		rel_fail("accept: %s", strerror(errno));
}

static int ipv6_works(void)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(AF_INET6, &ss);
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
	close(fd);
	return ok;
}

static int kernel_state(sockstate_state s)
{
	switch (s) {
	case SOCKSTATE_LISTEN: return K_LISTEN;
	case SOCKSTATE_ESTABLISHED: return K_ESTABLISHED;
	case SOCKSTATE_FIN_WAIT_2: return K_FIN_WAIT2;
	case SOCKSTATE_CLOSE_WAIT: return K_CLOSE_WAIT;
	default: return -1;
	}
}

static int all_settled(const rel_population *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct tcp_info info;
		socklen_t len = sizeof info;

		if (getsockopt(p->v[i].fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
			rel_fail("getsockopt(TCP_INFO): %s", strerror(errno));
		if (info.tcpi_state != kernel_state((sockstate_state)p->v[i].state))
			return 0;
	}
	return 1;
}

void rel_population_make(rel_population *p, unsigned listeners, unsigned pairs,
                         unsigned half_closed)
{
	const int families[] = {AF_INET, AF_INET6};
	FILE *f;

	memset(p, 0, sizeof *p);
	p->pid = (int32_t)getpid();
	f = fopen("/proc/self/comm", "re");
	if (f && fgets(p->comm, sizeof p->comm, f))
		p->comm[strcspn(p->comm, "\n")] = '\0';
	if (f)
		fclose(f);

	for (size_t fi = 0; fi < 2; fi++) {
		int af = families[fi], lfd;

		if (af == AF_INET6 && !ipv6_works())
			continue;
		for (unsigned i = 0; i < listeners; i++)
			add(p, listener(af), SOCKSTATE_LISTEN, 0);
		/* Pairs connect to a listener that is closed afterwards. */
		lfd = listener(af);
		for (unsigned i = 0; i < pairs + half_closed; i++) {
			int c, s;
			connect_pair(lfd, &c, &s);
			if (i < pairs) {
				add(p, c, SOCKSTATE_ESTABLISHED, 1);
				add(p, s, SOCKSTATE_ESTABLISHED, 1);
			} else {
				if (shutdown(c, SHUT_WR) != 0)
					rel_fail("shutdown: %s", strerror(errno));
				add(p, c, SOCKSTATE_FIN_WAIT_2, 1);
				add(p, s, SOCKSTATE_CLOSE_WAIT, 1);
			}
		}
		close(lfd);
	}
	for (int tries = 0; !all_settled(p); tries++) {
		if (tries == 5000)
			rel_fail("the test's sockets did not reach their states in 5 s");
		usleep(1000);
	}
}

void rel_population_free(rel_population *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].fd >= 0)
			close(p->v[i].fd);
	free(p->v);
	memset(p, 0, sizeof *p);
}

void rel_population_clone(const rel_population *src, rel_population *dst)
{
	*dst = *src;
	dst->v = malloc(src->n * sizeof *src->v);
	if (!dst->v)
		rel_fail("out of memory");
	memcpy(dst->v, src->v, src->n * sizeof *src->v);
	for (size_t i = 0; i < dst->n; i++)
		dst->v[i].fd = -1;
	dst->cap = dst->n;
}

/* ---- checking an enumeration ---- */

static int same_endpoint(const sockstate_endpoint *a, const sockstate_endpoint *b)
{
	return a->port == b->port && memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

void rel_check_begin(rel_population *p)
{
	for (size_t i = 0; i < p->n; i++)
		p->v[i].seen = 0;
}

static void problem(rel_verdict *v, const char *what, const sockstate_socket *s)
{
	char l[64], r[64];

	if (v->first_problem[0])
		return;
	sockstate_endpoint_format((sockstate_family)s->family, &s->local, l, sizeof l);
	sockstate_endpoint_format((sockstate_family)s->family, &s->remote, r, sizeof r);
	snprintf(v->first_problem, sizeof v->first_problem, "%s: %s:%u -> %s:%u %s pid %d",
	         what, l, s->local.port, r, s->remote.port,
	         sockstate_state_name((sockstate_state)s->state), (int)s->pid);
}

void rel_check_record(rel_population *p, const sockstate_socket *s, int with_pids,
                      rel_verdict *v)
{
	v->records++;
	for (size_t i = 0; i < p->n; i++) {
		rel_sock *want = &p->v[i];

		if (want->family != s->family || want->local.port != s->local.port ||
		    want->remote.port != s->remote.port ||
		    !same_endpoint(&want->local, &s->local) ||
		    !same_endpoint(&want->remote, &s->remote))
			continue;
		if (++want->seen == 2) {
			v->repeated++;
			problem(v, "listed twice", s);
		}
		if (s->state != want->state) {
			v->wrong_state++;
			problem(v, "wrong state", s);
		}
		if (with_pids && want->owned) {
			if (!(s->valid & SOCKSTATE_HAS_PID) || s->pid != p->pid ||
			    ((s->valid & SOCKSTATE_HAS_PROCESS) &&
			     (!s->process || strcmp(s->process, p->comm) != 0))) {
				v->wrong_owner++;
				problem(v, "wrong owner", s);
			}
		}
		return;
	}
}

void rel_check_end(rel_population *p, rel_verdict *v)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].seen)
			continue;
		v->missing++;
		if (!v->first_problem[0]) {
			char l[64], r[64];
			rel_sock *s = &p->v[i];
			sockstate_endpoint_format((sockstate_family)s->family, &s->local, l, sizeof l);
			sockstate_endpoint_format((sockstate_family)s->family, &s->remote, r,
			                          sizeof r);
			snprintf(v->first_problem, sizeof v->first_problem,
			         "missing: %s:%u -> %s:%u %s", l, s->local.port, r, s->remote.port,
			         sockstate_state_name((sockstate_state)s->state));
		}
	}
}

int rel_check_cb(const sockstate_socket *s, void *ctx)
{
	struct rel_check_ctx *c = ctx;

	rel_check_record(c->p, s, c->with_pids, c->v);
	return 0;
}

int rel_verdict_ok(const rel_verdict *v)
{
	return !v->missing && !v->repeated && !v->wrong_state && !v->wrong_owner;
}
