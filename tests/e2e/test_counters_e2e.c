/* test_counters_e2e.c - the TCP counters of a network namespace, on real
 * sockets, through the public API and both Linux backends.
 *
 * The test process moves into a private namespace A of its own; a child
 * moves into another, B, and there makes connections when told. A handle
 * on B (its netns option "pid:CHILD") must see exactly what the child
 * caused: 5 connections over 127.0.0.1 and 1 over ::1, each accepted, and
 * 1 connection refused by a closed port. A handle on A (the caller's own)
 * must see none of it. Needs root (namespaces); skips without. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lo_up.h"
#include "loopback_addr.h"
#include "sockstate.h"

enum { CONNECTIONS4 = 5, CONNECTIONS6 = 1, CONNECTIONS = CONNECTIONS4 + CONNECTIONS6 };

static pid_t child = -1;
static int control = -1;            /* the parent's end of the socketpair */
static char child_netns[32];        /* "pid:N" */
static int have_namespaces;

/* ---- the child, in namespace B ---- */

static uint16_t bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                      : ((struct sockaddr_in *)&ss)->sin_port);
}

/* A listener of the family on loopback and n connections to it, every one
 * accepted; the sockets stay open (fds kept in fds[], 256 at most). 0 or
 * -1. */
static int connect_accept(int family, int n, int *fds, int *nfds)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback_addr(family, 0, &ss);
	int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	/* Room for the listener and both ends of each connection. */
	if (*nfds + 1 + 2 * n > 256 || l < 0 ||
	    bind(l, (struct sockaddr *)&ss, len) != 0 || listen(l, n) != 0)
		return -1;
	fds[(*nfds)++] = l;
	len = loopback_addr(family, bound_port(l), &ss);
	for (int i = 0; i < n; i++) {
		int c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (c < 0 || connect(c, (struct sockaddr *)&ss, len) != 0)
			return -1;
		fds[(*nfds)++] = c;
		/* accept() returns once the server has the whole handshake. */
		c = accept(l, NULL, NULL);
		if (c < 0)
			return -1;
		fds[(*nfds)++] = c;
	}
	return 0;
}

/* One connect to a port nothing listens on: refused by a reset. */
static int refused(void)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback_addr(AF_INET, 0, &ss);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint16_t port;
	int rc;

	/* A port bound and let go is a port nothing listens on. */
	if (s < 0 || bind(s, (struct sockaddr *)&ss, len) != 0)
		return -1;
	port = bound_port(s);
	close(s);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	len = loopback_addr(AF_INET, port, &ss);
	rc = connect(s, (struct sockaddr *)&ss, len) == -1 && errno == ECONNREFUSED ? 0 : -1;
	close(s);
	return rc;
}

/* Commands on the socketpair: 'c' make the connections (answer 'd', or
 * 'e' on a failure), 'q' quit. Answers 'r' once in B with lo up. */
static int child_main(int fd)
{
	static int fds[256];
	int nfds = 0;
	char cmd;

	if (unshare(CLONE_NEWNET) != 0 || lo_up() != 0)
		return 77;
	if (write(fd, "r", 1) != 1)
		return 1;
	while (read(fd, &cmd, 1) == 1 && cmd == 'c') {
		int ok = connect_accept(AF_INET, CONNECTIONS4, fds, &nfds) == 0 &&
		         connect_accept(AF_INET6, CONNECTIONS6, fds, &nfds) == 0 &&
		         refused() == 0;

		if (write(fd, ok ? "d" : "e", 1) != 1)
			return 1;
		if (!ok)
			return 1;
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return 0;
}

/* ---- the parent, in namespace A ---- */

static int group_setup(void **unused)
{
	int pair[2];
	char ready = 0;

	(void)unused;
	if (unshare(CLONE_NEWNET) != 0 || lo_up() != 0) {
		print_message("counters e2e: no private network namespace (%s): skipped\n",
		              strerror(errno));
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
		return -1;
	fflush(NULL);
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		close(pair[0]);
		_exit(child_main(pair[1]));
	}
	close(pair[1]);
	control = pair[0];
	if (read(control, &ready, 1) != 1 || ready != 'r')
		return -1;
	snprintf(child_netns, sizeof child_netns, "pid:%d", (int)child);
	have_namespaces = 1;
	return 0;
}

static int group_teardown(void **unused)
{
	int status;

	(void)unused;
	if (control >= 0) {
		(void)!write(control, "q", 1);
		close(control);
	}
	if (child > 0 && waitpid(child, &status, 0) == child)
		return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
	return 0;
}

static sockstate_handle *open_handle(const char *backend, const char *netns,
                                     const char *capture_dir)
{
	sockstate_options o = {.size = sizeof o, .backend = backend, .netns = netns,
	                       .capture_dir = capture_dir};
	sockstate_handle *h = NULL;

	if (sockstate_open(&h, &o) != 0)
		print_message("sockstate_open(%s, %s): %s\n", backend, netns ? netns : "own",
		              sockstate_errdetail(NULL));
	assert_non_null(h);
	assert_string_equal(sockstate_backend(h), backend);
	return h;
}

static sockstate_tcp_counters get(sockstate_handle *h)
{
	sockstate_tcp_counters c = {.size = sizeof c};
	int rc = sockstate_tcp_counters_get(h, &c);

	if (rc != 0)
		print_message("sockstate_tcp_counters_get: %s\n", sockstate_errdetail(h));
	assert_int_equal(rc, 0);
	assert_string_equal(c.source, "/proc/net/snmp /proc/net/netstat");
	/* Linux 6.x keeps every counter of the table. */
	assert_int_equal(c.valid, (UINT64_C(1) << SOCKSTATE_COUNTER_COUNT) - 1);
	return c;
}

static void make_connections(void)
{
	char answer = 0;

	assert_int_equal(write(control, "c", 1), 1);
	assert_int_equal(read(control, &answer, 1), 1);
	assert_int_equal(answer, 'd');
}

static uint64_t delta(const sockstate_tcp_counters *after, const sockstate_tcp_counters *before,
                      sockstate_counter c)
{
	assert_true(after->value[c] >= before->value[c]);
	return after->value[c] - before->value[c];
}

/* What the child's round of connections does to B's counters, exactly:
 * 6 handshakes of 3 segments each way, one SYN refused by one RST. */
static void check_round(const sockstate_tcp_counters *b0, const sockstate_tcp_counters *b1)
{
	static const struct {
		sockstate_counter c;
		uint64_t want;
	} deltas[] = {
		{SOCKSTATE_COUNTER_ACTIVE_OPENS, CONNECTIONS + 1},
		{SOCKSTATE_COUNTER_PASSIVE_OPENS, CONNECTIONS},
		{SOCKSTATE_COUNTER_ATTEMPT_FAILS, 1},
		{SOCKSTATE_COUNTER_RESETS_SENT, 1},
		{SOCKSTATE_COUNTER_ESTABLISHED_RESETS, 0},
		{SOCKSTATE_COUNTER_SEGMENTS_SENT, 3 * CONNECTIONS + 2},
		{SOCKSTATE_COUNTER_SEGMENTS_RECEIVED, 3 * CONNECTIONS + 2},
		{SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED, 0},
		{SOCKSTATE_COUNTER_SYN_RETRANSMITS, 0},
		{SOCKSTATE_COUNTER_LISTEN_OVERFLOWS, 0},
		{SOCKSTATE_COUNTER_LISTEN_DROPS, 0},
		{SOCKSTATE_COUNTER_TIMEOUTS, 0},
		{SOCKSTATE_COUNTER_ABORTS_ON_CLOSE, 0},
	};

	for (size_t i = 0; i < sizeof deltas / sizeof deltas[0]; i++) {
		print_message("  %s +%llu\n", sockstate_counter_name(deltas[i].c),
		              (unsigned long long)delta(b1, b0, deltas[i].c));
		assert_int_equal(delta(b1, b0, deltas[i].c), deltas[i].want);
	}
}

/* Nothing happened in A: every counter as it was. */
static void check_untouched(const sockstate_tcp_counters *a0, const sockstate_tcp_counters *a1)
{
	for (int k = 0; k < SOCKSTATE_COUNTER_COUNT; k++)
		assert_int_equal(a1->value[k], a0->value[k]);
}

static void run_backend(const char *backend)
{
	sockstate_handle *a, *b;
	sockstate_tcp_counters a0, a1, b0, b1;

	if (!have_namespaces)
		skip();
	a = open_handle(backend, NULL, NULL);
	b = open_handle(backend, child_netns, NULL);
	a0 = get(a);
	b0 = get(b);
	make_connections();
	a1 = get(a);
	b1 = get(b);
	check_round(&b0, &b1);
	check_untouched(&a0, &a1);
	/* A private namespace starts from zero; the caller's saw no opens. */
	assert_int_equal(a1.value[SOCKSTATE_COUNTER_ACTIVE_OPENS], 0);
	assert_true(b1.value[SOCKSTATE_COUNTER_ACTIVE_OPENS] >= CONNECTIONS + 1);
	assert_string_equal(b1.native[SOCKSTATE_COUNTER_ACTIVE_OPENS], "TcpActiveOpens");
	sockstate_close(a);
	sockstate_close(b);
}

static void test_netlink_backend(void **unused)
{
	(void)unused;
	run_backend("linux-netlink");
}

static void test_proc_backend(void **unused)
{
	(void)unused;
	run_backend("linux-proc");
}

/* The Tcp line of a /proc/PID/net/snmp, read here by its own parse: the
 * column named `name`. */
static uint64_t snmp_column(const char *path, const char *name)
{
	char names[1024], values[1024];
	FILE *f = fopen(path, "r");
	uint64_t found = UINT64_MAX;

	assert_non_null(f);
	while (fgets(names, sizeof names, f) && fgets(values, sizeof values, f)) {
		char *ns, *vs, *n, *v;

		if (strncmp(names, "Tcp:", 4) != 0)
			continue;
		n = strtok_r(names + 4, " \n", &ns);
		v = strtok_r(values + 4, " \n", &vs);
		for (; n && v; n = strtok_r(NULL, " \n", &ns), v = strtok_r(NULL, " \n", &vs))
			if (strcmp(n, name) == 0)
				found = strtoull(v, NULL, 10);
	}
	fclose(f);
	assert_int_not_equal(found, UINT64_MAX);
	return found;
}

/* The handle's answer is B's own file, as that namespace's process sees
 * it; and with a capture directory, the files as read are kept. */
static void test_same_as_the_namespace_file(void **unused)
{
	char dir[] = "/tmp/sockstate-counters-XXXXXX", path[64], file[128];
	sockstate_handle *b;
	sockstate_tcp_counters c;
	FILE *f;

	(void)unused;
	if (!have_namespaces)
		skip();
	assert_non_null(mkdtemp(dir));
	b = open_handle("linux-netlink", child_netns, dir);
	c = get(b);
	snprintf(path, sizeof path, "/proc/%d/net/snmp", (int)child);
	assert_int_equal(c.value[SOCKSTATE_COUNTER_ACTIVE_OPENS], snmp_column(path, "ActiveOpens"));
	assert_int_equal(c.value[SOCKSTATE_COUNTER_PASSIVE_OPENS],
	                 snmp_column(path, "PassiveOpens"));
	assert_int_equal(c.value[SOCKSTATE_COUNTER_RESETS_SENT], snmp_column(path, "OutRsts"));
	assert_true(c.value[SOCKSTATE_COUNTER_ACTIVE_OPENS] > 0);
	snprintf(file, sizeof file, "%s/proc_net_snmp.txt", dir);
	assert_int_equal(c.value[SOCKSTATE_COUNTER_ACTIVE_OPENS], snmp_column(file, "ActiveOpens"));
	assert_int_equal(unlink(file), 0);
	snprintf(file, sizeof file, "%s/proc_net_netstat.txt", dir);
	f = fopen(file, "r");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(dir), 0);
	sockstate_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netlink_backend),
		cmocka_unit_test(test_proc_backend),
		cmocka_unit_test(test_same_as_the_namespace_file),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
