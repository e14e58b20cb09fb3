/* test_trace_live.c - sockstate_trace on real sockets, each test in a
 * private network namespace (a forked child unshares one), asserting the
 * exact events of the connections it makes: a refused connect, a connect
 * whose SYNs nft drops, a normal close seen from both ends, and the
 * summaries; with each source forced in turn (bpf as root,
 * sock-diag-destroy as root and as nobody, poll), auto's choice, and
 * loss reported with its count when the reader does not read.
 *
 * With SOCKSTATE_TRACE_NDJSON set, every event read is appended there as
 * JSON, for the schema test. Readiness, never sleeps: each step reads
 * events until the one it waits for comes (a bounded number of reads). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockstate.h"
#include "../unit/netns_child.h"

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "line %d: %s\n", __LINE__, #cond);           \
			return 1;                                                    \
		}                                                                    \
	} while (0)

/* Every read waits at most this long for its event; a step gives up
 * after this many empty reads (the slowest step, a SYN timeout with one
 * retry, takes about 3 s). */
#define READ_MS 250
#define EMPTY_READS_MAX 80
#define LOG_MAX 4096

struct log {
	sockstate_event ev[LOG_MAX];
	char process[LOG_MAX][64];
	size_t n;
	uint64_t lost;
	size_t lost_events;
};

static struct log *log_new(void)
{
	return calloc(1, sizeof(struct log));
}

static void ndjson(const sockstate_event *ev)
{
	const char *path = getenv("SOCKSTATE_TRACE_NDJSON");
	sockstate_write_opts o = {.size = sizeof o, .format = SOCKSTATE_FORMAT_JSON};
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	sockstate_event_write(ev, &o, sockstate_write_fd, &fd);
	close(fd);
}

/* Read one event (waiting READ_MS at most) into the log. 1, 0 or < 0. */
static int read_one(sockstate_trace *t, struct log *log)
{
	sockstate_event ev;
	int rc = sockstate_trace_read(t, &ev, READ_MS);

	if (rc != 1)
		return rc;
	ndjson(&ev);
	if (ev.kind == SOCKSTATE_EVENT_LOST) {
		log->lost += ev.lost;
		log->lost_events++;
		return 1;
	}
	if (log->n < LOG_MAX) {
		log->ev[log->n] = ev;
		if (ev.process)
			snprintf(log->process[log->n], sizeof log->process[0], "%s", ev.process);
		log->n++;
	}
	return 1;
}

/* The index of the first transition (or summary) from `from` to `to`
 * whose local or remote port is port, or -1. */
static long find(const struct log *log, sockstate_event_kind kind, uint16_t port,
                 int port_is_local, sockstate_state from, sockstate_state to)
{
	for (size_t i = 0; i < log->n; i++) {
		const sockstate_event *e = &log->ev[i];
		uint16_t p = port_is_local ? e->local.port : e->remote.port;

		if (e->kind == kind && p == port && e->old_state == from && e->new_state == to)
			return (long)i;
	}
	return -1;
}

/* Read until find() succeeds; its index, or -1 after EMPTY_READS_MAX
 * reads that gave nothing. */
static long wait_for(sockstate_trace *t, struct log *log, sockstate_event_kind kind,
                     uint16_t port, int port_is_local, sockstate_state from,
                     sockstate_state to)
{
	int empty = 0;
	long at;

	while ((at = find(log, kind, port, port_is_local, from, to)) < 0 &&
	       empty < EMPTY_READS_MAX) {
		int rc = read_one(t, log);

		if (rc < 0)
			return -1;
		empty = rc == 0 ? empty + 1 : 0;
	}
	return at;
}

/* Read what is ready, without waiting for more. */
static void drain(sockstate_trace *t, struct log *log)
{
	sockstate_event ev;

	while (sockstate_trace_read(t, &ev, 0) == 1) {
		ndjson(&ev);
		if (ev.kind == SOCKSTATE_EVENT_LOST) {
			log->lost += ev.lost;
			log->lost_events++;
		} else if (log->n < LOG_MAX) {
			log->ev[log->n++] = ev;
		}
	}
}

/* ---- sockets ---- */

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int listen_on(uint16_t port)
{
	struct sockaddr_in a = loopback(port);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4096) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A connect; nonblocking when wait is 0 (then it may still be going). */
static int connect_to(uint16_t port, int wait)
{
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (wait ? 0 : SOCK_NONBLOCK), 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && (wait || errno != EINPROGRESS)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;

	if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		return 0;
	return ntohs(a.sin_port);
}

static int enter_private_netns(void)
{
	if (unshare(CLONE_NEWNET) != 0)
		return 77;
	return lo_up() == 0 ? 0 : 1;
}

static int open_trace(sockstate_handle **h, sockstate_trace **t, sockstate_event_source src,
                      uint32_t flags, int port, uint32_t interval_ms)
{
	sockstate_trace_options o;
	sockstate_query q;
	int rc = sockstate_open(h, NULL);

	if (rc < 0)
		return rc;
	sockstate_trace_options_init(&o);
	o.source = src;
	o.flags = flags;
	o.interval_ms = interval_ms;
	sockstate_query_init(&q);
	q.port = port;
	rc = sockstate_trace_open(*h, &q, &o, t);
	if (rc < 0) {
		fprintf(stderr, "trace %s: %s\n", sockstate_event_source_name(src),
		        sockstate_errdetail(*h));
		sockstate_close(*h);
		*h = NULL;
	}
	return rc;
}

/* ---- scenarios (in the child, in its namespace) ---- */

/* Nothing listens on the port: the connect is refused by a reset. */
static int refused(sockstate_event_source src)
{
	const uint16_t port = 7001;
	int destroy = src == SOCKSTATE_TRACE_SOCK_DIAG_DESTROY;
	struct sockaddr_in to = loopback(port);
	sockstate_handle *h = NULL;
	sockstate_trace *t = NULL;
	struct log *log = log_new();
	const sockstate_event *e;
	uint16_t cport;
	long at;
	int fd;

	CHECK(log != NULL);
	/* A failed connect() clears the socket's peer (tcp_disconnect)
	 * before the socket is freed: the destroy message has none to
	 * filter by. */
	CHECK(open_trace(&h, &t, src, SOCKSTATE_TRACE_SUMMARIES, destroy ? -1 : port, 0) == 0);
	CHECK(strcmp(sockstate_trace_source(t), sockstate_event_source_name(src)) == 0);
	CHECK((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0);
	CHECK(connect(fd, (struct sockaddr *)&to, sizeof to) != 0 && errno == ECONNREFUSED);
	cport = port_of(fd);
	CHECK(cport != 0 && close(fd) == 0);
	if (destroy) {
		/* The socket's end: where it was before, the message does
		 * not say. */
		at = wait_for(t, log, SOCKSTATE_EVENT_TRANSITION, cport, 1, SOCKSTATE_UNKNOWN,
		              SOCKSTATE_CLOSED);
		CHECK(at >= 0);
		e = &log->ev[at];
		CHECK(e->remote.port == 0);
		CHECK(e->cause == SOCKSTATE_CAUSE_UNKNOWN);
		CHECK(e->flags & SOCKSTATE_EV_HAS_COOKIE);
		CHECK(e->flags & SOCKSTATE_EV_HAS_BYTES);
		CHECK(e->bytes_acked == 0 && e->bytes_received == 0);
		/* No summary: with no peer left it cannot be told from a
		 * listener's end. */
		drain(t, log);
		CHECK(log->n == 1);
	} else {
		at = wait_for(t, log, SOCKSTATE_EVENT_TRANSITION, port, 0, SOCKSTATE_SYN_SENT,
		              SOCKSTATE_CLOSED);
		CHECK(at >= 0);
		e = &log->ev[at];
		CHECK(e->local.port == cport);
		CHECK(e->cause == SOCKSTATE_CAUSE_RST_RECEIVED);
		CHECK(e->syn_retransmits == 0);
		CHECK(e->flags & SOCKSTATE_EV_HAS_IN_OLD);
		CHECK(e->flags & SOCKSTATE_EV_HAS_COOKIE);
		CHECK(e->pid == getpid());
		CHECK(strcmp(e->old_native_name, "SYN-SENT") == 0);
		CHECK(strcmp(e->new_native_name, "CLOSE") == 0);
		/* The connect's first event: the kernel picks the port
		 * after it. */
		at = find(log, SOCKSTATE_EVENT_TRANSITION, port, 0, SOCKSTATE_CLOSED,
		          SOCKSTATE_SYN_SENT);
		CHECK(at >= 0 && log->ev[at].local.port == 0);
		at = wait_for(t, log, SOCKSTATE_EVENT_SUMMARY, port, 0, SOCKSTATE_SYN_SENT,
		              SOCKSTATE_CLOSED);
		CHECK(at >= 0);
		e = &log->ev[at];
		CHECK(e->cause == SOCKSTATE_CAUSE_RST_RECEIVED);
		CHECK(e->local.port == cport);
		CHECK(e->path_len == 2 && e->path[0].state == SOCKSTATE_SYN_SENT &&
		      e->path[1].state == SOCKSTATE_CLOSED);
		CHECK(e->path[0].ns == log->ev[find(log, SOCKSTATE_EVENT_TRANSITION, port, 0,
		                                    SOCKSTATE_SYN_SENT,
		                                    SOCKSTATE_CLOSED)].in_old_state_ns);
		CHECK(e->flags & SOCKSTATE_EV_HAS_DURATION);
		CHECK(e->duration_ns == e->path[0].ns);
		CHECK(e->pid == getpid());
		/* Exactly these three events: the connect, the reset, the
		 * summary. */
		drain(t, log);
		CHECK(log->n == 3);
	}
	CHECK(log->lost_events == 0);
	sockstate_trace_close(t);
	sockstate_close(h);
	free(log);
	return 0;
}

/* A connection, a few bytes each way, closed in order: the client shuts
 * down its side first (FIN_WAIT_1, FIN_WAIT_2), the server reads the end
 * and closes (CLOSE_WAIT, LAST_ACK, CLOSED), the client then sits in
 * TIME_WAIT. Between the steps the test waits for the trace to report
 * the state it held, so even poll sees each one. */
static int normal_close(sockstate_event_source src)
{
	const uint16_t port = 7002;
	sockstate_handle *h = NULL;
	sockstate_trace *t = NULL;
	struct log *log = log_new();
	int listener, client, server;
	uint16_t cport;
	char buf[16];
	long at;

	CHECK(log != NULL);
	CHECK(open_trace(&h, &t, src, SOCKSTATE_TRACE_SUMMARIES, port, 20) == 0);
	/* poll: the first listing is the baseline, before any socket. */
	CHECK(sockstate_trace_read(t, &(sockstate_event){0}, 0) == 0);
	CHECK((listener = listen_on(port)) >= 0);
	CHECK((client = connect_to(port, 1)) >= 0);
	CHECK((server = accept(listener, NULL, NULL)) >= 0);
	cport = port_of(client);
	CHECK(send(client, "hello", 5, 0) == 5 && recv(server, buf, sizeof buf, 0) == 5);
	CHECK(send(server, "hi", 2, 0) == 2 && recv(client, buf, sizeof buf, 0) == 2);
	/* sock-diag-destroy sees only ends. */
	CHECK(src == SOCKSTATE_TRACE_SOCK_DIAG_DESTROY ||
	      wait_for(t, log, SOCKSTATE_EVENT_TRANSITION, port, 1, SOCKSTATE_CLOSED,
	               SOCKSTATE_LISTEN) >= 0);

	CHECK(shutdown(client, SHUT_WR) == 0);
	if (src != SOCKSTATE_TRACE_SOCK_DIAG_DESTROY) {
		CHECK(wait_for(t, log, SOCKSTATE_EVENT_TRANSITION, cport, 1,
		               SOCKSTATE_FIN_WAIT_1, SOCKSTATE_FIN_WAIT_2) >= 0);
		CHECK(wait_for(t, log, SOCKSTATE_EVENT_TRANSITION, cport, 0,
		               SOCKSTATE_ESTABLISHED, SOCKSTATE_CLOSE_WAIT) >= 0);
	}
	CHECK(recv(server, buf, sizeof buf, 0) == 0);
	CHECK(close(server) == 0);
	if (src == SOCKSTATE_TRACE_SOCK_DIAG_DESTROY) {
		/* The client's socket is freed when it is closed: its close
		 * into TIME_WAIT came first. */
		CHECK(close(client) == 0);
		at = wait_for(t, log, SOCKSTATE_EVENT_TRANSITION, cport, 0, SOCKSTATE_UNKNOWN,
		              SOCKSTATE_CLOSED);
		CHECK(at >= 0);
		CHECK(log->ev[at].flags & SOCKSTATE_EV_HAS_BYTES);
		/* The server's counters: 2 bytes sent and the FIN (bytes_acked
		 * counts sequence space), 5 received and the FIN. */
		CHECK(log->ev[at].bytes_acked == 3 && log->ev[at].bytes_received == 6);
		at = wait_for(t, log, SOCKSTATE_EVENT_TRANSITION, cport, 1, SOCKSTATE_UNKNOWN,
		              SOCKSTATE_CLOSED);
		CHECK(at >= 0);
		/* The client's: the SYN too. */
		CHECK(log->ev[at].bytes_acked == 7 && log->ev[at].bytes_received == 3);
		CHECK(close(listener) == 0);
		drain(t, log);
		CHECK(log->lost_events == 0);
		sockstate_trace_close(t);
		sockstate_close(h);
		free(log);
		return 0;
	}
	/* The closer: FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT. */
	CHECK(wait_for(t, log, SOCKSTATE_EVENT_TRANSITION, cport, 1, SOCKSTATE_FIN_WAIT_2,
	               SOCKSTATE_TIME_WAIT) >= 0);
	CHECK(find(log, SOCKSTATE_EVENT_TRANSITION, cport, 1, SOCKSTATE_ESTABLISHED,
	           SOCKSTATE_FIN_WAIT_1) >= 0);
	/* The other side: CLOSE_WAIT -> LAST_ACK -> CLOSED. */
	CHECK(wait_for(t, log, SOCKSTATE_EVENT_TRANSITION, cport, 0, SOCKSTATE_LAST_ACK,
	               SOCKSTATE_CLOSED) >= 0);
	CHECK(find(log, SOCKSTATE_EVENT_TRANSITION, cport, 0, SOCKSTATE_CLOSE_WAIT,
	           SOCKSTATE_LAST_ACK) >= 0);
	/* Summaries: the client's whole path, the server child's. */
	at = wait_for(t, log, SOCKSTATE_EVENT_SUMMARY, cport, 1,
	              src == SOCKSTATE_TRACE_BPF ? SOCKSTATE_SYN_SENT : SOCKSTATE_ESTABLISHED,
	              SOCKSTATE_TIME_WAIT);
	CHECK(at >= 0);
	{
		const sockstate_event *s = &log->ev[at];
		static const sockstate_state bpf_path[] = {
			SOCKSTATE_SYN_SENT, SOCKSTATE_ESTABLISHED, SOCKSTATE_FIN_WAIT_1,
			SOCKSTATE_FIN_WAIT_2, SOCKSTATE_TIME_WAIT};
		const sockstate_state *want = bpf_path + (src == SOCKSTATE_TRACE_BPF ? 0 : 1);
		uint32_t n = src == SOCKSTATE_TRACE_BPF ? 5 : 4;

		CHECK(s->path_len == n);
		for (uint32_t i = 0; i < n; i++)
			CHECK(s->path[i].state == want[i]);
		CHECK(s->cause == (src == SOCKSTATE_TRACE_BPF ? SOCKSTATE_CAUSE_NORMAL
		                                              : SOCKSTATE_CAUSE_UNKNOWN));
		if (src == SOCKSTATE_TRACE_BPF) {
			int64_t sum = 0;

			for (uint32_t i = 0; i + 1 < n; i++) {
				CHECK(s->path[i].ns >= 0);
				sum += s->path[i].ns;
			}
			CHECK(s->path[n - 1].ns == -1);
			CHECK(s->flags & SOCKSTATE_EV_HAS_DURATION);
			CHECK(s->duration_ns == sum);
			CHECK(s->flags & SOCKSTATE_EV_HAS_BYTES);
			CHECK(s->bytes_acked == 7 && s->bytes_received == 3);
			CHECK(s->pid == getpid());
		} else {
			/* Born between two listings: its start is unknown, and
			 * FIN_WAIT_2 was held until a listing saw it. */
			CHECK(!(s->flags & SOCKSTATE_EV_HAS_DURATION));
			CHECK(s->path[3].ns == -1);
			CHECK(s->path[2].ns > 0);
		}
	}
	at = wait_for(t, log, SOCKSTATE_EVENT_SUMMARY, cport, 0,
	              src == SOCKSTATE_TRACE_BPF ? SOCKSTATE_SYN_RECEIVED : SOCKSTATE_ESTABLISHED,
	              SOCKSTATE_CLOSED);
	CHECK(at >= 0);
	if (src == SOCKSTATE_TRACE_BPF) {
		CHECK(log->ev[at].path_len == 5);
		CHECK(log->ev[at].path[3].state == SOCKSTATE_LAST_ACK);
		CHECK(log->ev[at].bytes_acked == 3 && log->ev[at].bytes_received == 6);
		/* The child socket's owner is known from its close. */
		CHECK(log->ev[at].pid == getpid());
	}
	CHECK(close(client) == 0 && close(listener) == 0);
	CHECK(wait_for(t, log, SOCKSTATE_EVENT_TRANSITION, port, 1, SOCKSTATE_LISTEN,
	               SOCKSTATE_CLOSED) >= 0);
	CHECK(log->lost_events == 0);
	sockstate_trace_close(t);
	sockstate_close(h);
	free(log);
	return 0;
}

/* The SYNs the nft counter of syn_timeout() saw leave, or -1. */
static int syns_sent(void)
{
	FILE *p = popen("nft list counter inet sockstate_trace_test syns", "r");
	char line[256];
	int packets = -1;

	if (!p)
		return -1;
	while (fgets(line, sizeof line, p)) {
		const char *at = strstr(line, "packets ");

		if (at)
			packets = atoi(at + 8);
	}
	pclose(p);
	return packets;
}

/* SYNs to the port are dropped (nft, in this namespace only) and the
 * namespace's tcp_syn_retries is 1: the connect gives up after one
 * retransmission. */
static int syn_timeout(void)
{
	const uint16_t port = 7003;
	sockstate_handle *h = NULL;
	sockstate_trace *t = NULL;
	struct log *log = log_new();
	FILE *f;
	int fd, syns;
	long at;

	CHECK(log != NULL);
	f = fopen("/proc/sys/net/ipv4/tcp_syn_retries", "w");
	CHECK(f != NULL);
	CHECK(fputs("1\n", f) >= 0 && fclose(f) == 0);
	/* Dropped on the way in; counted on the way out. */
	if (system("nft -f - <<'EOF'\n"
	           "table inet sockstate_trace_test {\n"
	           "  chain input {\n"
	           "    type filter hook input priority 0;\n"
	           "    tcp dport 7003 drop\n"
	           "  }\n"
	           "  chain output {\n"
	           "    type filter hook output priority 0;\n"
	           "    tcp dport 7003 counter name syns\n"
	           "  }\n"
	           "  counter syns {}\n"
	           "}\n"
	           "EOF\n") != 0) {
		fprintf(stderr, "nft is missing or failed (Debian: nftables)\n");
		return 1;
	}
	CHECK(open_trace(&h, &t, SOCKSTATE_TRACE_BPF, SOCKSTATE_TRACE_SUMMARIES, port, 0) == 0);
	CHECK((fd = connect_to(port, 0)) >= 0);
	at = wait_for(t, log, SOCKSTATE_EVENT_TRANSITION, port, 0, SOCKSTATE_SYN_SENT,
	              SOCKSTATE_CLOSED);
	CHECK(at >= 0);
	CHECK(log->ev[at].cause == SOCKSTATE_CAUSE_SYN_TIMEOUT);
	/* Every SYN but the first is a retransmission: as many as the
	 * kernel sent (with tcp_syn_retries 1 it sends two, at 1 s and 3 s,
	 * then gives up). */
	syns = syns_sent();
	CHECK(syns >= 2);
	CHECK(log->ev[at].syn_retransmits == syns - 1);
	at = wait_for(t, log, SOCKSTATE_EVENT_SUMMARY, port, 0, SOCKSTATE_SYN_SENT,
	              SOCKSTATE_CLOSED);
	CHECK(at >= 0);
	CHECK(log->ev[at].cause == SOCKSTATE_CAUSE_SYN_TIMEOUT);
	CHECK(log->ev[at].syn_retransmits == syns - 1);
	drain(t, log);
	CHECK(log->n == 3);
	close(fd);
	sockstate_trace_close(t);
	sockstate_close(h);
	free(log);
	return 0;
}

/* The reader does not read while 7,000 connections come and go (reset
 * by the client, so each makes exactly six transitions): the 4 MiB ring
 * overflows, and what was read plus what was reported lost is exactly
 * what happened. */
enum { BURST = 7000, PER_CONNECTION = 6 };

static int lost_counted(void)
{
	const uint16_t port = 7004;
	struct linger hard = {.l_onoff = 1, .l_linger = 0};
	sockstate_handle *h = NULL;
	sockstate_trace *t = NULL;
	struct log *log = log_new();
	uint64_t seen = 0;
	int listener, empty = 0;

	CHECK(log != NULL);
	CHECK(open_trace(&h, &t, SOCKSTATE_TRACE_BPF, 0, port, 0) == 0);
	CHECK((listener = listen_on(port)) >= 0);
	for (int i = 0; i < BURST; i++) {
		int c = connect_to(port, 1), s;

		CHECK(c >= 0);
		CHECK((s = accept(listener, NULL, NULL)) >= 0);
		CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, &hard, sizeof hard) == 0);
		close(c);
		close(s);
	}
	close(listener);
	/* Now read everything: events, and the lost event's count. */
	while (empty < 4) {
		sockstate_event ev;
		int rc = sockstate_trace_read(t, &ev, READ_MS);

		CHECK(rc >= 0);
		if (rc == 0) {
			empty++;
			continue;
		}
		if (ev.kind == SOCKSTATE_EVENT_LOST) {
			CHECK(ev.lost > 0);
			log->lost += ev.lost;
			log->lost_events++;
			ndjson(&ev);
		} else {
			CHECK(ev.kind == SOCKSTATE_EVENT_TRANSITION);
			seen++;
		}
	}
	fprintf(stderr, "lost: %llu read, %llu lost in %zu lost event(s)\n",
	        (unsigned long long)seen, (unsigned long long)log->lost, log->lost_events);
	CHECK(log->lost_events >= 1);
	CHECK(log->lost == sockstate_trace_lost(t));
	/* The listener's two (CLOSED -> LISTEN, LISTEN -> CLOSED) too. */
	CHECK(seen + log->lost == (uint64_t)BURST * PER_CONNECTION + 2);
	sockstate_trace_close(t);
	sockstate_close(h);
	free(log);
	return 0;
}

/* ---- the children ---- */

static int child_bpf(void)
{
	int rc = enter_private_netns();

	if (rc)
		return rc;
	if (geteuid() != 0)
		return 77;
	rc = refused(SOCKSTATE_TRACE_BPF);
	return rc ? rc : normal_close(SOCKSTATE_TRACE_BPF);
}

static int child_syn_timeout(void)
{
	int rc = enter_private_netns();

	return rc ? rc : syn_timeout();
}

static int child_lost(void)
{
	int rc = enter_private_netns();

	return rc ? rc : lost_counted();
}

static int child_destroy(void)
{
	int rc = enter_private_netns();

	if (rc)
		return rc;
	rc = refused(SOCKSTATE_TRACE_SOCK_DIAG_DESTROY);
	return rc ? rc : normal_close(SOCKSTATE_TRACE_SOCK_DIAG_DESTROY);
}

/* After the namespace is made, as nobody: this kernel lets anyone join
 * the destroy groups (docs/TRACE.md). auto then picks sock-diag-destroy
 * and says why not bpf; bpf forced is refused. */
static int child_destroy_nobody(void)
{
	struct passwd *nobody = getpwnam("nobody");
	sockstate_handle *h = NULL;
	sockstate_trace *t = NULL;
	int rc = enter_private_netns();

	if (rc)
		return rc;
	CHECK(nobody != NULL);
	CHECK(setgid(nobody->pw_gid) == 0 && setuid(nobody->pw_uid) == 0);
	CHECK(open_trace(&h, &t, SOCKSTATE_TRACE_AUTO, 0, -1, 0) == 0);
	CHECK(strcmp(sockstate_trace_source(t), "sock-diag-destroy") == 0);
	CHECK(strstr(sockstate_trace_source_reason(t), "not bpf: the caller lacks CAP_BPF") !=
	      NULL);
	sockstate_trace_close(t);
	sockstate_close(h);
	CHECK(open_trace(&h, &t, SOCKSTATE_TRACE_BPF, 0, -1, 0) == SOCKSTATE_EPERM);
	rc = refused(SOCKSTATE_TRACE_SOCK_DIAG_DESTROY);
	return rc ? rc : normal_close(SOCKSTATE_TRACE_SOCK_DIAG_DESTROY);
}

static int child_poll(void)
{
	int rc = enter_private_netns();

	return rc ? rc : normal_close(SOCKSTATE_TRACE_POLL);
}

static int child_auto_and_errors(void)
{
	sockstate_trace_options o;
	sockstate_handle *h = NULL;
	sockstate_trace *t = NULL;
	int rc = enter_private_netns();

	if (rc)
		return rc;
	CHECK(open_trace(&h, &t, SOCKSTATE_TRACE_AUTO, 0, -1, 0) == 0);
	CHECK(strcmp(sockstate_trace_source(t), "bpf") == 0);
	CHECK(strcmp(sockstate_trace_source_reason(t),
	             "bpf: the caller may load BPF tracing programs") == 0);
	CHECK(sockstate_trace_fd(t) >= 0);
	/* bpf wakes a reader only for a batch: look at least this often. */
	CHECK(sockstate_trace_timeout_ms(t) == 10);
	sockstate_trace_close(t);
	sockstate_trace_options_init(&o);
	o.source = 9;
	CHECK(sockstate_trace_open(h, NULL, &o, &t) == SOCKSTATE_EINVAL && t == NULL);
	CHECK(strstr(sockstate_errdetail(h), "unknown trace source 9") != NULL);
	sockstate_trace_options_init(&o);
	o.size = 4;
	CHECK(sockstate_trace_open(h, NULL, &o, &t) == SOCKSTATE_EINVAL);
	sockstate_trace_options_init(&o);
	o.flags = 1u << 7;
	CHECK(sockstate_trace_open(h, NULL, &o, &t) == SOCKSTATE_EINVAL);
	CHECK(sockstate_trace_open(NULL, NULL, NULL, &t) == SOCKSTATE_EINVAL);
	CHECK(sockstate_trace_open(h, NULL, NULL, NULL) == SOCKSTATE_EINVAL);
	CHECK(sockstate_trace_read(NULL, &(sockstate_event){0}, 0) == SOCKSTATE_EINVAL);
	CHECK(sockstate_trace_fd(NULL) == -1);
	sockstate_trace_close(NULL);
	/* poll: no descriptor, a timeout instead. */
	o.source = SOCKSTATE_TRACE_POLL;
	o.interval_ms = 60000;
	o.flags = 0;
	CHECK(sockstate_trace_open(h, NULL, &o, &t) == 0);
	CHECK(sockstate_trace_fd(t) == -1);
	CHECK(sockstate_trace_read(t, &(sockstate_event){0}, 0) == 0);
	rc = sockstate_trace_timeout_ms(t);
	CHECK(rc > 0 && rc <= 60000);
	sockstate_trace_close(t);
	sockstate_close(h);
	return 0;
}

static void test_bpf(void **unused)
{
	(void)unused;
	run_child(child_bpf);
}

static void test_bpf_syn_timeout(void **unused)
{
	(void)unused;
	run_child(child_syn_timeout);
}

static void test_bpf_lost(void **unused)
{
	(void)unused;
	run_child(child_lost);
}

static void test_sock_diag_destroy(void **unused)
{
	(void)unused;
	run_child(child_destroy);
}

static void test_sock_diag_destroy_nobody(void **unused)
{
	(void)unused;
	run_child(child_destroy_nobody);
}

static void test_poll(void **unused)
{
	(void)unused;
	run_child(child_poll);
}

static void test_auto_and_errors(void **unused)
{
	(void)unused;
	run_child(child_auto_and_errors);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_and_errors),
		cmocka_unit_test(test_bpf),
		cmocka_unit_test(test_bpf_syn_timeout),
		cmocka_unit_test(test_bpf_lost),
		cmocka_unit_test(test_sock_diag_destroy),
		cmocka_unit_test(test_sock_diag_destroy_nobody),
		cmocka_unit_test(test_poll),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
