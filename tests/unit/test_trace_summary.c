/* test_trace_summary.c - per-connection summaries (trace_summary.c) from
 * constructed events: the path and the time in each state, duration,
 * bytes, owner, how it ended; connections seen mid-life; listeners get
 * none; the table's limit; and the names of causes, kinds and sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "trace_internal.h"

static sockstate_event step(uint64_t cookie, sockstate_state from, sockstate_state to,
                            int64_t at, int64_t in_old)
{
	sockstate_event ev;

	sockstate__event_init(&ev, SOCKSTATE_EVENT_TRANSITION, SOCKSTATE_TRACE_BPF);
	ev.family = SOCKSTATE_FAMILY_IPV6;
	ev.local.addr[15] = 1;
	ev.remote.addr[15] = 1;
	ev.local.port = 50000;
	ev.remote.port = 443;
	ev.cookie = cookie;
	ev.flags |= SOCKSTATE_EV_HAS_COOKIE;
	sockstate__event_state(&ev, 0, from);
	sockstate__event_state(&ev, 1, to);
	ev.cause = SOCKSTATE_CAUSE_NORMAL;
	ev.time_ns = at;
	if (in_old >= 0) {
		ev.in_old_state_ns = in_old;
		ev.flags |= SOCKSTATE_EV_HAS_IN_OLD;
	}
	return ev;
}

/* A client's whole life: connect (port not picked yet), established,
 * active close into TIME_WAIT. */
static void test_client_life(void **unused)
{
	sockstate__summaries s = {0};
	sockstate_event ev, out;

	(void)unused;
	ev = step(9, SOCKSTATE_CLOSED, SOCKSTATE_SYN_SENT, 1000, -1);
	ev.local.port = 0;
	ev.pid = 321;
	ev.process = "curl";
	ev.flags |= SOCKSTATE_EV_HAS_PID | SOCKSTATE_EV_HAS_PROCESS;
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 0);
	ev = step(9, SOCKSTATE_SYN_SENT, SOCKSTATE_ESTABLISHED, 1300, 300);
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 0);
	ev = step(9, SOCKSTATE_ESTABLISHED, SOCKSTATE_FIN_WAIT_1, 5300, 4000);
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 0);
	ev = step(9, SOCKSTATE_FIN_WAIT_1, SOCKSTATE_FIN_WAIT_2, 5350, 50);
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 0);
	assert_int_equal(s.used, 1);
	ev = step(9, SOCKSTATE_FIN_WAIT_2, SOCKSTATE_TIME_WAIT, 5360, 10);
	ev.bytes_acked = 1234;
	ev.bytes_received = 99;
	ev.flags |= SOCKSTATE_EV_HAS_BYTES;
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 1);
	assert_int_equal(s.used, 0);

	assert_int_equal(out.kind, SOCKSTATE_EVENT_SUMMARY);
	assert_int_equal(out.source, SOCKSTATE_TRACE_BPF);
	assert_int_equal(out.cookie, 9);
	assert_int_equal(out.local.port, 50000);
	assert_int_equal(out.remote.port, 443);
	assert_int_equal(out.pid, 321);
	assert_string_equal(out.process, "curl");
	assert_true(out.flags & SOCKSTATE_EV_HAS_DURATION);
	assert_int_equal(out.duration_ns, 4360);
	assert_true(out.flags & SOCKSTATE_EV_HAS_BYTES);
	assert_int_equal(out.bytes_acked, 1234);
	assert_int_equal(out.bytes_received, 99);
	assert_int_equal(out.cause, SOCKSTATE_CAUSE_NORMAL);
	assert_int_equal(out.old_state, SOCKSTATE_SYN_SENT);
	assert_int_equal(out.new_state, SOCKSTATE_TIME_WAIT);
	assert_int_equal(out.path_len, 5);
	static const struct {
		sockstate_state state;
		int64_t ns;
	} want[] = {
		{SOCKSTATE_SYN_SENT, 300}, {SOCKSTATE_ESTABLISHED, 4000},
		{SOCKSTATE_FIN_WAIT_1, 50}, {SOCKSTATE_FIN_WAIT_2, 10},
		{SOCKSTATE_TIME_WAIT, -1},
	};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(out.path[i].state, want[i].state);
		assert_int_equal(out.path[i].ns, want[i].ns);
	}
	assert_false(out.flags & SOCKSTATE_EV_INFERRED);
	sockstate__summaries_free(&s);
}

/* Seen mid-life, without the source's measure of the first state:
 * unknown time there, no duration; a refused connect; a listener. */
static void test_partial_lives(void **unused)
{
	sockstate__summaries s = {0};
	sockstate_event ev, out;

	(void)unused;
	/* Times from the events' own clock when no in_old is given. */
	ev = step(1, SOCKSTATE_ESTABLISHED, SOCKSTATE_CLOSE_WAIT, 100, -1);
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 0);
	ev = step(1, SOCKSTATE_CLOSE_WAIT, SOCKSTATE_LAST_ACK, 700, -1);
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 0);
	ev = step(1, SOCKSTATE_LAST_ACK, SOCKSTATE_CLOSED, 750, -1);
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 1);
	assert_false(out.flags & SOCKSTATE_EV_HAS_DURATION);
	assert_int_equal(out.duration_ns, -1);
	assert_false(out.flags & SOCKSTATE_EV_HAS_BYTES);
	assert_int_equal(out.path_len, 4);
	assert_int_equal(out.path[0].state, SOCKSTATE_ESTABLISHED);
	assert_int_equal(out.path[0].ns, -1);
	assert_int_equal(out.path[1].ns, 600);
	assert_int_equal(out.path[2].ns, 50);
	assert_int_equal(out.path[3].state, SOCKSTATE_CLOSED);

	/* A refused connect: reset, with its retransmits. */
	ev = step(2, SOCKSTATE_CLOSED, SOCKSTATE_SYN_SENT, 10, -1);
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 0);
	ev = step(2, SOCKSTATE_SYN_SENT, SOCKSTATE_CLOSED, 3010, 3000);
	ev.cause = SOCKSTATE_CAUSE_SYN_TIMEOUT;
	ev.syn_retransmits = 2;
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 1);
	assert_int_equal(out.cause, SOCKSTATE_CAUSE_SYN_TIMEOUT);
	assert_int_equal(out.syn_retransmits, 2);
	assert_int_equal(out.duration_ns, 3000);
	assert_int_equal(out.path_len, 2);

	/* A listener's life is no connection. */
	ev = step(3, SOCKSTATE_CLOSED, SOCKSTATE_LISTEN, 10, -1);
	ev.remote.port = 0;
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 0);
	ev = step(3, SOCKSTATE_LISTEN, SOCKSTATE_CLOSED, 20, 10);
	ev.remote.port = 0;
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 0);

	/* A socket handed to a timewait socket in FIN_WAIT_2: no change,
	 * but its end. */
	ev = step(4, SOCKSTATE_ESTABLISHED, SOCKSTATE_FIN_WAIT_1, 10, -1);
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 0);
	ev = step(4, SOCKSTATE_FIN_WAIT_1, SOCKSTATE_FIN_WAIT_2, 20, 10);
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 0);
	ev = step(4, SOCKSTATE_FIN_WAIT_2, SOCKSTATE_FIN_WAIT_2, 25, 5);
	assert_int_equal(sockstate__summary_note(&s, &ev, &out), 1);
	assert_int_equal(out.new_state, SOCKSTATE_FIN_WAIT_2);
	assert_int_equal(out.path_len, 3);
	assert_int_equal(out.path[2].state, SOCKSTATE_FIN_WAIT_2);
	assert_int_equal(out.path[2].ns, 5);
	assert_int_equal(s.used, 0);
	sockstate__summaries_free(&s);
}

/* Without cookies (poll on /proc or Windows) a connection is known by
 * its endpoints: many clients of one server differ by their ports. */
static void test_tuple_keys_and_limit(void **unused)
{
	sockstate__summaries s = {.limit = 2};
	sockstate_event a = step(0, SOCKSTATE_CLOSED, SOCKSTATE_SYN_SENT, 1, -1);
	sockstate_event b, out;

	(void)unused;
	a.flags &= ~(uint32_t)SOCKSTATE_EV_HAS_COOKIE;
	b = a;
	b.new_state = SOCKSTATE_ESTABLISHED;
	assert_int_equal(sockstate__summary_key(&a), sockstate__summary_key(&b));
	b.local.port = 50001;
	assert_int_not_equal(sockstate__summary_key(&a), sockstate__summary_key(&b));
	b = a;
	b.remote.port = 444;
	assert_int_not_equal(sockstate__summary_key(&a), sockstate__summary_key(&b));
	assert_int_equal(sockstate__summary_note(&s, &a, &out), 0);
	assert_int_equal(sockstate__summary_note(&s, &b, &out), 0);
	b.remote.port = 445;
	assert_int_equal(sockstate__summary_note(&s, &b, &out), 0);
	assert_int_equal(s.used, 2);
	assert_int_equal(s.dropped, 1);
	sockstate__summaries_free(&s);
}

static void test_names(void **unused)
{
	sockstate_event_source src = SOCKSTATE_TRACE_BPF;

	(void)unused;
	assert_string_equal(sockstate_cause_name(SOCKSTATE_CAUSE_RST_RECEIVED), "rst-received");
	assert_string_equal(sockstate_cause_name(SOCKSTATE_CAUSE_SYN_TIMEOUT), "syn-timeout");
	assert_null(sockstate_cause_name((sockstate_cause)6));
	assert_string_equal(sockstate_event_kind_name(SOCKSTATE_EVENT_LOST), "lost");
	assert_null(sockstate_event_kind_name((sockstate_event_kind)0));
	assert_string_equal(sockstate_event_source_name(SOCKSTATE_TRACE_SOCK_DIAG_DESTROY),
	                    "sock-diag-destroy");
	assert_int_equal(sockstate_event_source_parse("poll", &src), 0);
	assert_int_equal(src, SOCKSTATE_TRACE_POLL);
	assert_int_equal(sockstate_event_source_parse("ebpf", &src), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_event_source_parse(NULL, &src), SOCKSTATE_EINVAL);
	assert_int_equal(src, SOCKSTATE_TRACE_POLL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_life),
		cmocka_unit_test(test_partial_lives),
		cmocka_unit_test(test_tuple_keys_and_limit),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
