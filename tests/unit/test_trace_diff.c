/* test_trace_diff.c - the poll source's diff of listings (trace_diff.c),
 * pure: the ways between states, keys by cookie and by tuple, and the
 * exact events constructed listings give, inferred or seen. This is what
 * proves the poll source on the BSDs, which cannot run here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "trace_internal.h"

#define MAX_EVENTS 16

struct got {
	sockstate_event ev[MAX_EVENTS];
	char process[MAX_EVENTS][64];
	size_t n;
};

static int collect(void *ctx, const sockstate_event *ev)
{
	struct got *g = ctx;

	assert_true(g->n < MAX_EVENTS);
	g->ev[g->n] = *ev;
	if (ev->process)
		snprintf(g->process[g->n], sizeof g->process[0], "%s", ev->process);
	g->n++;
	return 0;
}

static sockstate_socket conn(uint16_t lport, uint16_t rport, sockstate_state st)
{
	sockstate_socket s;

	memset(&s, 0, sizeof s);
	s.size = sizeof s;
	s.pid = -1;
	s.uid = -1;
	s.family = SOCKSTATE_FAMILY_IPV4;
	s.local.addr[0] = 127;
	s.local.addr[3] = 1;
	s.remote = s.local;
	s.local.port = lport;
	s.remote.port = rport;
	s.state = (uint8_t)st;
	s.native_code = 100 + st; /* recognizable, not any OS's */
	s.native_name = sockstate_state_name(st);
	return s;
}

static void expect(const sockstate_event *ev, sockstate_state from, sockstate_state to,
                   int inferred)
{
	assert_int_equal(ev->kind, SOCKSTATE_EVENT_TRANSITION);
	assert_int_equal(ev->source, SOCKSTATE_TRACE_POLL);
	assert_int_equal(ev->old_state, from);
	assert_int_equal(ev->new_state, to);
	assert_int_equal(!!(ev->flags & SOCKSTATE_EV_INFERRED), inferred);
	assert_int_equal(ev->cause, SOCKSTATE_CAUSE_UNKNOWN);
}

static void test_paths(void **unused)
{
	sockstate_state path[SOCKSTATE_STATE_COUNT];
	int direct = -1;

	(void)unused;
	/* One step of the diagram: seen. */
	assert_int_equal(sockstate__diff_path(SOCKSTATE_SYN_SENT, SOCKSTATE_ESTABLISHED, path,
	                                      &direct), 1);
	assert_int_equal(direct, 1);
	assert_int_equal(path[0], SOCKSTATE_ESTABLISHED);
	assert_int_equal(sockstate__diff_path(SOCKSTATE_FIN_WAIT_1, SOCKSTATE_TIME_WAIT, path,
	                                      &direct), 1);
	assert_int_equal(direct, 1);
	/* The closer's usual way, not the simultaneous close. */
	assert_int_equal(sockstate__diff_path(SOCKSTATE_ESTABLISHED, SOCKSTATE_TIME_WAIT, path,
	                                      &direct), 3);
	assert_int_equal(direct, 0);
	assert_int_equal(path[0], SOCKSTATE_FIN_WAIT_1);
	assert_int_equal(path[1], SOCKSTATE_FIN_WAIT_2);
	assert_int_equal(path[2], SOCKSTATE_TIME_WAIT);
	/* The peer's way out. */
	assert_int_equal(sockstate__diff_path(SOCKSTATE_ESTABLISHED, SOCKSTATE_CLOSED, path,
	                                      &direct), 3);
	assert_int_equal(path[0], SOCKSTATE_CLOSE_WAIT);
	assert_int_equal(path[1], SOCKSTATE_LAST_ACK);
	assert_int_equal(path[2], SOCKSTATE_CLOSED);
	/* No way back (none passes through CLOSED): one inferred jump. */
	assert_int_equal(sockstate__diff_path(SOCKSTATE_TIME_WAIT, SOCKSTATE_ESTABLISHED, path,
	                                      &direct), 1);
	assert_int_equal(direct, 0);
	assert_int_equal(sockstate__diff_path(SOCKSTATE_CLOSE_WAIT, SOCKSTATE_FIN_WAIT_2, path,
	                                      &direct), 1);
	assert_int_equal(direct, 0);
	assert_int_equal(path[0], SOCKSTATE_FIN_WAIT_2);
	assert_int_equal(sockstate__diff_path(SOCKSTATE_ESTABLISHED, SOCKSTATE_STATE_COUNT,
	                                      path, &direct), 1);
	assert_int_equal(direct, 0);
}

static void test_keys(void **unused)
{
	sockstate_socket a = conn(40000, 80, SOCKSTATE_ESTABLISHED);
	sockstate_socket b = a;
	sockstate_socket listener = conn(80, 0, SOCKSTATE_LISTEN);
	sockstate_socket bound = listener;

	(void)unused;
	b.state = SOCKSTATE_TIME_WAIT;
	assert_int_equal(sockstate__diff_key(&a), sockstate__diff_key(&b));
	bound.state = SOCKSTATE_BOUND;
	/* A listener and a bound socket are one lineage; a connection on
	 * the same endpoints is not. */
	assert_int_equal(sockstate__diff_key(&listener), sockstate__diff_key(&bound));
	b = listener;
	b.state = SOCKSTATE_SYN_SENT;
	assert_int_not_equal(sockstate__diff_key(&listener), sockstate__diff_key(&b));
	b = a;
	b.remote.port = 81;
	assert_int_not_equal(sockstate__diff_key(&a), sockstate__diff_key(&b));
	/* The cookie, where there is one, is the key. */
	a.cookie = 77;
	a.valid |= SOCKSTATE_HAS_COOKIE;
	assert_int_equal(sockstate__diff_key(&a), 77);
	assert_int_not_equal(sockstate__diff_key(&b), 0);
}

/* Three listings: a baseline, a change seen in one step, a change across
 * several states, and sockets that appear and vanish. */
static void test_listings(void **unused)
{
	sockstate__diff_table t = {0};
	sockstate_socket client = conn(40000, 80, SOCKSTATE_SYN_SENT);
	sockstate_socket server = conn(80, 40000, SOCKSTATE_ESTABLISHED);
	sockstate_socket listener = conn(80, 0, SOCKSTATE_LISTEN);
	struct got g = {.n = 0};

	(void)unused;
	client.pid = 42;
	client.valid |= SOCKSTATE_HAS_PID | SOCKSTATE_HAS_PROCESS;
	client.process = "curl";
	/* Baseline: learn, say nothing. */
	assert_int_equal(sockstate__diff_note(&t, &client, 1000, 1, collect, &g), 0);
	assert_int_equal(sockstate__diff_note(&t, &server, 1000, 1, collect, &g), 0);
	assert_int_equal(sockstate__diff_note(&t, &listener, 1000, 1, collect, &g), 0);
	assert_int_equal(sockstate__diff_sweep(&t, 1000, collect, &g), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(t.used, 3);

	/* Second listing: the client is ESTABLISHED (one step: seen), the
	 * server's peer closed (CLOSE_WAIT, one step), the listener is gone,
	 * and a socket never seen before sits in TIME_WAIT. The client is
	 * listed twice (a dump's repeat), which changes nothing. */
	client.state = SOCKSTATE_ESTABLISHED;
	client.native_code = 105;
	client.native_name = "ESTABLISHED";
	server.state = SOCKSTATE_CLOSE_WAIT;
	{
		sockstate_socket tw = conn(40001, 80, SOCKSTATE_TIME_WAIT);

		assert_int_equal(sockstate__diff_note(&t, &client, 2000, 0, collect, &g), 0);
		assert_int_equal(sockstate__diff_note(&t, &client, 2000, 0, collect, &g), 0);
		assert_int_equal(sockstate__diff_note(&t, &server, 2000, 0, collect, &g), 0);
		assert_int_equal(sockstate__diff_note(&t, &tw, 2000, 0, collect, &g), 0);
	}
	assert_int_equal(sockstate__diff_sweep(&t, 2000, collect, &g), 0);
	assert_int_equal(g.n, 4);
	expect(&g.ev[0], SOCKSTATE_SYN_SENT, SOCKSTATE_ESTABLISHED, 0);
	assert_int_equal(g.ev[0].old_native_code, 100 + SOCKSTATE_SYN_SENT);
	assert_int_equal(g.ev[0].new_native_code, 105);
	assert_string_equal(g.ev[0].new_native_name, "ESTABLISHED");
	assert_int_equal(g.ev[0].pid, 42);
	assert_string_equal(g.process[0], "curl");
	assert_int_equal(g.ev[0].time_ns, 2000);
	assert_int_equal(g.ev[0].local.port, 40000);
	assert_int_equal(g.ev[0].remote.port, 80);
	/* Its old state was there at the baseline: how long is unknown. */
	assert_false(g.ev[0].flags & SOCKSTATE_EV_HAS_IN_OLD);
	expect(&g.ev[1], SOCKSTATE_ESTABLISHED, SOCKSTATE_CLOSE_WAIT, 0);
	expect(&g.ev[2], SOCKSTATE_CLOSED, SOCKSTATE_TIME_WAIT, 1);
	assert_int_equal(g.ev[2].local.port, 40001);
	assert_int_equal(g.ev[2].old_native_code, -1);
	assert_null(g.ev[2].old_native_name);
	expect(&g.ev[3], SOCKSTATE_LISTEN, SOCKSTATE_CLOSED, 0);
	assert_int_equal(g.ev[3].local.port, 80);
	assert_int_equal(g.ev[3].remote.port, 0);
	assert_int_equal(t.used, 3);

	/* Third listing: the client went through FIN_WAIT_1 and FIN_WAIT_2
	 * to TIME_WAIT and lost its owner in the listing (TIME_WAIT has
	 * none): the owner is kept. The server is gone from CLOSE_WAIT. */
	g.n = 0;
	client.state = SOCKSTATE_TIME_WAIT;
	client.native_code = 100 + SOCKSTATE_TIME_WAIT;
	client.native_name = "TIME_WAIT";
	client.valid &= ~(uint32_t)(SOCKSTATE_HAS_PID | SOCKSTATE_HAS_PROCESS);
	client.pid = -1;
	client.process = NULL;
	assert_int_equal(sockstate__diff_note(&t, &client, 3500, 0, collect, &g), 0);
	{
		sockstate_socket tw = conn(40001, 80, SOCKSTATE_TIME_WAIT);

		assert_int_equal(sockstate__diff_note(&t, &tw, 3500, 0, collect, &g), 0);
	}
	assert_int_equal(sockstate__diff_sweep(&t, 3500, collect, &g), 0);
	assert_int_equal(g.n, 5);
	expect(&g.ev[0], SOCKSTATE_ESTABLISHED, SOCKSTATE_FIN_WAIT_1, 1);
	/* Seen entering ESTABLISHED at 2000: gone from it 1500 ns later. */
	assert_true(g.ev[0].flags & SOCKSTATE_EV_HAS_IN_OLD);
	assert_int_equal(g.ev[0].in_old_state_ns, 1500);
	expect(&g.ev[1], SOCKSTATE_FIN_WAIT_1, SOCKSTATE_FIN_WAIT_2, 1);
	assert_false(g.ev[1].flags & SOCKSTATE_EV_HAS_IN_OLD);
	expect(&g.ev[2], SOCKSTATE_FIN_WAIT_2, SOCKSTATE_TIME_WAIT, 1);
	assert_int_equal(g.ev[2].new_native_code, 100 + SOCKSTATE_TIME_WAIT);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(g.ev[i].pid, 42);
	expect(&g.ev[3], SOCKSTATE_CLOSE_WAIT, SOCKSTATE_LAST_ACK, 1);
	expect(&g.ev[4], SOCKSTATE_LAST_ACK, SOCKSTATE_CLOSED, 1);
	assert_int_equal(g.ev[4].local.port, 80);
	assert_int_equal(t.used, 2);
	sockstate__diff_free(&t);
}

/* Thousands of sockets: the table grows, and a sweep that drops half
 * keeps the other half findable. */
static void test_many(void **unused)
{
	sockstate__diff_table t = {0};
	struct got g = {.n = 0};

	(void)unused;
	for (uint16_t i = 0; i < 5000; i++) {
		sockstate_socket s = conn((uint16_t)(10000 + i), 80, SOCKSTATE_ESTABLISHED);

		assert_int_equal(sockstate__diff_note(&t, &s, 1, 1, collect, &g), 0);
	}
	assert_int_equal(sockstate__diff_sweep(&t, 1, collect, &g), 0);
	assert_int_equal(t.used, 5000);
	for (uint16_t i = 0; i < 5000; i += 2) {
		sockstate_socket s = conn((uint16_t)(10000 + i), 80, SOCKSTATE_ESTABLISHED);

		assert_int_equal(sockstate__diff_note(&t, &s, 2, 0, collect, &g), 0);
	}
	/* 2,500 vanished: each leaves by three inferred steps, too many to
	 * collect: count them instead. */
	{
		size_t gone = 0;

		for (size_t i = 0; i <= t.mask; i++)
			gone += t.slot[i].key && !t.slot[i].seen;
		assert_int_equal(gone, 2500);
	}
	sockstate__diff_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_listings),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
