/* test_bsd_live.c - the FreeBSD / macOS backend on real sockets, through
 * the public API only: a listener, a connection seen from both ends, a
 * half-closed one (FIN_WAIT_2 / CLOSE_WAIT), IPv6 where the host has ::1,
 * exact ports, states, native names, uid and owning pid (kern.file on
 * FreeBSD, so_last_pid on macOS), and the same answer with filtering in
 * the backend or in the core. Built on FreeBSD and macOS only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockstate.h"

struct conn {
	int family;
	int listener, client, server;
	uint16_t port;        /* the listener's */
	uint16_t client_port;
};

static void conn_open(struct conn *c, int family)
{
	struct sockaddr_storage ss;
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in)
	                                  : sizeof(struct sockaddr_in6);

	memset(&ss, 0, sizeof ss);
	c->family = family;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
	}
	c->listener = socket(family, SOCK_STREAM, 0);
	assert_true(c->listener >= 0);
	assert_int_equal(bind(c->listener, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(listen(c->listener, 16), 0);
	assert_int_equal(getsockname(c->listener, (struct sockaddr *)&ss, &len), 0);
	c->port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                  : ((struct sockaddr_in6 *)&ss)->sin6_port);
	c->client = socket(family, SOCK_STREAM, 0);
	assert_true(c->client >= 0);
	assert_int_equal(connect(c->client, (struct sockaddr *)&ss, len), 0);
	c->server = accept(c->listener, NULL, NULL);
	assert_true(c->server >= 0);
	assert_int_equal(getsockname(c->client, (struct sockaddr *)&ss, &len), 0);
	c->client_port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                         : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void conn_close(struct conn *c)
{
	close(c->client);
	close(c->server);
	close(c->listener);
}

static const char *expected_pid_source(sockstate_handle *h)
{
	return strcmp(sockstate_backend(h), "freebsd-sysctl") == 0 ? "freebsd-kern-file"
	                                                            : "macos-so-last-pid";
}

/* The snapshot of the sockets on c's listener port, with pids. */
static sockstate_snapshot *take(sockstate_handle *h, const struct conn *c,
                                const char *states, uint32_t flags)
{
	sockstate_snapshot *snap = NULL;
	sockstate_query q;
	char port[8];

	sockstate_query_init(&q);
	snprintf(port, sizeof port, "%u", c->port);
	assert_int_equal(sockstate_query_set(&q, "port", port), 0);
	if (states)
		assert_int_equal(sockstate_query_set(&q, "state", states), 0);
	q.flags = SOCKSTATE_Q_PIDS | flags;
	assert_int_equal(sockstate_snapshot_take(h, &q, &snap), 0);
	return snap;
}

static const sockstate_socket *find(const sockstate_snapshot *snap, sockstate_state state,
                                    uint16_t local_port, uint16_t remote_port)
{
	const sockstate_socket *hit = NULL;

	for (size_t i = 0; i < snap->count; i++) {
		const sockstate_socket *s = &snap->sockets[i];

		if (s->state == state && s->local.port == local_port &&
		    s->remote.port == remote_port) {
			assert_null(hit); /* exactly one */
			hit = s;
		}
	}
	assert_non_null(hit);
	return hit;
}

static void check_mine(const sockstate_socket *s, int family, const char *addr)
{
	char text[64];

	assert_int_equal(s->family, family == AF_INET ? SOCKSTATE_FAMILY_IPV4
	                                              : SOCKSTATE_FAMILY_IPV6);
	assert_true(sockstate_endpoint_format((sockstate_family)s->family, &s->local, text,
	                                      sizeof text) > 0);
	assert_string_equal(text, addr);
	assert_true(s->valid & SOCKSTATE_HAS_UID);
	assert_int_equal(s->uid, (int64_t)geteuid());
	assert_true(s->valid & SOCKSTATE_HAS_PID);
	assert_int_equal(s->pid, (int32_t)getpid());
	assert_true(s->valid & SOCKSTATE_HAS_PROCESS);
	assert_string_equal(s->process, "test_bsd_live");
}

static void connection_both_ends(int family, const char *addr)
{
	sockstate_handle *h = NULL;
	sockstate_snapshot *snap;
	const sockstate_socket *s;
	struct conn c;

	assert_int_equal(sockstate_open(&h, NULL), 0);
	conn_open(&c, family);
	snap = take(h, &c, NULL, 0);
	assert_string_equal(snap->backend, sockstate_backend(h));
	assert_string_equal(snap->pid_source, expected_pid_source(h));
	assert_int_equal(snap->count, 3);

	s = find(snap, SOCKSTATE_LISTEN, c.port, 0);
	check_mine(s, family, addr);
	assert_int_equal(s->native_code, 1);
	assert_string_equal(s->native_name, "LISTEN");
	s = find(snap, SOCKSTATE_ESTABLISHED, c.port, c.client_port);
	check_mine(s, family, addr);
	assert_int_equal(s->native_code, 4);
	assert_string_equal(s->native_name, "ESTABLISHED");
	s = find(snap, SOCKSTATE_ESTABLISHED, c.client_port, c.port);
	check_mine(s, family, addr);
	sockstate_snapshot_free(snap);
	conn_close(&c);
	sockstate_close(h);
}

static void test_ipv4_connection(void **unused)
{
	(void)unused;
	connection_both_ends(AF_INET, "127.0.0.1");
}

static void test_ipv6_connection(void **unused)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	(void)unused;
	if (fd < 0)
		skip();
	close(fd);
	connection_both_ends(AF_INET6, "::1");
}

/* shutdown(SHUT_WR) on the client: it waits in FIN_WAIT_2, the server
 * in CLOSE_WAIT; the same with the core filtering instead. */
static void test_half_closed(void **unused)
{
	sockstate_handle *h = NULL;
	sockstate_snapshot *snap = NULL, *snap_core;
	struct conn c;
	const sockstate_socket *s;

	(void)unused;
	assert_int_equal(sockstate_open(&h, NULL), 0);
	conn_open(&c, AF_INET);
	assert_int_equal(shutdown(c.client, SHUT_WR), 0);
	for (int i = 0; i < 200; i++) {
		snap = take(h, &c, "FIN_WAIT_2,CLOSE_WAIT", 0);
		if (snap->count == 2)
			break;
		sockstate_snapshot_free(snap);
		snap = NULL;
		usleep(10000);
	}
	assert_non_null(snap);
	s = find(snap, SOCKSTATE_FIN_WAIT_2, c.client_port, c.port);
	assert_int_equal(s->native_code, 9);
	assert_string_equal(s->native_name, "FIN_WAIT_2");
	s = find(snap, SOCKSTATE_CLOSE_WAIT, c.port, c.client_port);
	assert_int_equal(s->native_code, 5);
	assert_string_equal(s->native_name, "CLOSE_WAIT");
	check_mine(s, AF_INET, "127.0.0.1");

	snap_core = take(h, &c, "FIN_WAIT_2,CLOSE_WAIT", SOCKSTATE_Q_NO_PUSHDOWN);
	assert_int_equal(snap_core->count, snap->count);
	for (size_t i = 0; i < snap->count; i++) {
		assert_int_equal(snap_core->sockets[i].state, snap->sockets[i].state);
		assert_int_equal(snap_core->sockets[i].local.port, snap->sockets[i].local.port);
		assert_int_equal(snap_core->sockets[i].remote.port,
		                 snap->sockets[i].remote.port);
	}
	sockstate_snapshot_free(snap_core);
	sockstate_snapshot_free(snap);
	conn_close(&c);
	sockstate_close(h);
}

static void test_counts(void **unused)
{
	sockstate_handle *h = NULL;
	sockstate_counts counts;
	sockstate_query q;
	struct conn c;
	char port[8];

	(void)unused;
	assert_int_equal(sockstate_open(&h, NULL), 0);
	conn_open(&c, AF_INET);
	sockstate_query_init(&q);
	snprintf(port, sizeof port, "%u", c.port);
	assert_int_equal(sockstate_query_set(&q, "port", port), 0);
	assert_int_equal(sockstate_count(h, &q, &counts), 0);
	assert_true(counts.total == 3);
	assert_true(counts.by_state[SOCKSTATE_LISTEN] == 1);
	assert_true(counts.by_state[SOCKSTATE_ESTABLISHED] == 2);
	assert_true(counts.by_family_state[SOCKSTATE_FAMILY_IPV4 - 1][SOCKSTATE_LISTEN] == 1);
	conn_close(&c);
	sockstate_close(h);
}

/* The system's TCP counters: every counter this OS keeps is known, the
 * others unknown; a connection of ours moves the opens. macOS answers a
 * caller other than root with zeros while disable_access_to_stats is set:
 * that is EPERM, and the test says so and skips. */
static void test_tcp_counters(void **unused)
{
	sockstate_tcp_counters before = {.size = sizeof before}, after = {.size = sizeof after};
	sockstate_handle *h = NULL;
	struct conn c;
	int rc;

	(void)unused;
	assert_int_equal(sockstate_open(&h, NULL), 0);
	rc = sockstate_tcp_counters_get(h, &before);
	if (rc == SOCKSTATE_EPERM) {
		print_message("TCP counters: %s\n", sockstate_errdetail(h));
		sockstate_close(h);
		skip();
	}
	assert_int_equal(rc, 0);
	assert_string_equal(before.source, "sysctl net.inet.tcp.stats");
	assert_true(before.valid & SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_ACTIVE_OPENS));
	assert_false(before.valid & SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_RESETS_SENT));
	assert_null(before.native[SOCKSTATE_COUNTER_RESETS_SENT]);
	assert_string_equal(before.native[SOCKSTATE_COUNTER_ACTIVE_OPENS], "tcps_connattempt");
	conn_open(&c, AF_INET);
	assert_int_equal(sockstate_tcp_counters_get(h, &after), 0);
	/* Other programs may connect meanwhile: at least ours. */
	assert_true(after.value[SOCKSTATE_COUNTER_ACTIVE_OPENS] >=
	            before.value[SOCKSTATE_COUNTER_ACTIVE_OPENS] + 1);
	assert_true(after.value[SOCKSTATE_COUNTER_PASSIVE_OPENS] >=
	            before.value[SOCKSTATE_COUNTER_PASSIVE_OPENS] + 1);
	assert_int_equal(after.valid, before.valid);
	conn_close(&c);
	sockstate_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_connection),
		cmocka_unit_test(test_ipv6_connection),
		cmocka_unit_test(test_half_closed),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_tcp_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
