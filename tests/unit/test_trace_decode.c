/* test_trace_decode.c - the Linux trace sources' decoders: a BPF ring
 * record (constructed as trace.bpf.c writes it) into an event, and the
 * sock_diag destroy groups' messages, which are dump replies' messages:
 * replayed from the captured fixture diag_info_ipv6.bin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <linux/types.h>

#include "trace_linux.h"
#include "bpf/transition_record.h"

static void test_bpf_record(void **unused)
{
	struct sockstate_bpf_transition r;
	sockstate_event ev;
	char comm[17];

	(void)unused;
	memset(&r, 0, sizeof r);
	r.ktime_ns = 5000;
	r.in_old_ns = 1200;
	r.cookie = 99;
	r.family = AF_INET6;
	r.saddr[15] = 1;
	r.daddr[15] = 1;
	r.sport = 40000;
	r.dport = 443;
	r.old_state = 2;  /* TCP_SYN_SENT */
	r.new_state = 7;  /* TCP_CLOSE */
	r.cause = SOCKSTATE_BPF_CAUSE_SYN_TIMEOUT;
	r.syn_retransmits = 3;
	r.flags = SOCKSTATE_BPF_HAS_PID | SOCKSTATE_BPF_HAS_IN_OLD | SOCKSTATE_BPF_HAS_BYTES;
	r.pid = 4242;
	r.bytes_acked = 1;
	memcpy(r.comm, "0123456789abcdef", 16); /* a full comm has no NUL */
	assert_int_equal(sockstate__trace_bpf_decode(&r, sizeof r, 1000000, &ev, comm), 0);
	assert_int_equal(ev.kind, SOCKSTATE_EVENT_TRANSITION);
	assert_int_equal(ev.source, SOCKSTATE_TRACE_BPF);
	assert_int_equal(ev.family, SOCKSTATE_FAMILY_IPV6);
	assert_int_equal(ev.local.addr[15], 1);
	assert_int_equal(ev.local.port, 40000);
	assert_int_equal(ev.remote.port, 443);
	assert_int_equal(ev.old_state, SOCKSTATE_SYN_SENT);
	assert_string_equal(ev.old_native_name, "SYN-SENT");
	/* TCP_CLOSE in a transition is a closed socket, not ss's UNCONN. */
	assert_int_equal(ev.new_state, SOCKSTATE_CLOSED);
	assert_int_equal(ev.new_native_code, 7);
	assert_string_equal(ev.new_native_name, "CLOSE");
	assert_int_equal(ev.cause, SOCKSTATE_CAUSE_SYN_TIMEOUT);
	assert_int_equal(ev.syn_retransmits, 3);
	assert_int_equal(ev.time_ns, 1005000);
	assert_int_equal(ev.in_old_state_ns, 1200);
	assert_int_equal(ev.cookie, 99);
	assert_int_equal(ev.pid, 4242);
	assert_string_equal(ev.process, "0123456789abcdef");
	assert_int_equal(ev.bytes_acked, 1);
	assert_int_equal(ev.flags, SOCKSTATE_EV_HAS_COOKIE | SOCKSTATE_EV_HAS_IN_OLD |
	                           SOCKSTATE_EV_HAS_BYTES | SOCKSTATE_EV_HAS_PID |
	                           SOCKSTATE_EV_HAS_PROCESS);

	/* IPv4 in the first four bytes; unknowns stay unknown; an unknown
	 * cause number is unknown. */
	memset(&r, 0, sizeof r);
	r.family = AF_INET;
	r.saddr[0] = 127;
	r.old_state = 10;
	r.new_state = 12; /* TCP_NEW_SYN_RECV */
	r.cause = 200;
	assert_int_equal(sockstate__trace_bpf_decode(&r, sizeof r, 0, &ev, comm), 0);
	assert_int_equal(ev.family, SOCKSTATE_FAMILY_IPV4);
	assert_int_equal(ev.local.addr[0], 127);
	assert_int_equal(ev.old_state, SOCKSTATE_LISTEN);
	assert_int_equal(ev.new_state, SOCKSTATE_SYN_RECEIVED);
	assert_int_equal(ev.cause, SOCKSTATE_CAUSE_UNKNOWN);
	assert_int_equal(ev.pid, -1);
	assert_null(ev.process);
	assert_int_equal(ev.in_old_state_ns, -1);
	assert_int_equal(ev.flags, SOCKSTATE_EV_HAS_COOKIE);

	/* Wrong sizes and families are refused. */
	assert_int_equal(sockstate__trace_bpf_decode(&r, sizeof r - 1, 0, &ev, comm),
	                 SOCKSTATE_EPARSE);
	r.family = 1;
	assert_int_equal(sockstate__trace_bpf_decode(&r, sizeof r, 0, &ev, comm),
	                 SOCKSTATE_EPARSE);
	assert_int_equal(sockstate__bpf_transition_size, 104);
}

static void test_state_mask(void **unused)
{
	(void)unused;
	/* CLOSED is TCP_CLOSE (7); SYN_RECEIVED both 3 and NEW_SYN_RECV. */
	assert_int_equal(sockstate__trace_bpf_state_mask(SOCKSTATE_STATE_BIT(SOCKSTATE_CLOSED)),
	                 1u << 7);
	assert_int_equal(sockstate__trace_bpf_state_mask(
	                         SOCKSTATE_STATE_BIT(SOCKSTATE_SYN_RECEIVED)),
	                 1u << 3 | 1u << 12);
	assert_int_equal(sockstate__trace_bpf_state_mask(SOCKSTATE_STATE_BIT(SOCKSTATE_BOUND)), 0);
	assert_int_equal(sockstate__trace_bpf_state_mask(SOCKSTATE_STATES_ALL), 0x1ffe);
}

struct got {
	sockstate_event ev[64];
	size_t n;
};

static int collect(void *ctx, const sockstate_event *ev)
{
	struct got *g = ctx;

	assert_true(g->n < 64);
	g->ev[g->n++] = *ev;
	return 0;
}

static unsigned char *fixture(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	unsigned char *buf = malloc(1 << 16);

	snprintf(path, sizeof path, "%s/linux/%s", SOCKSTATE_FIXTURES, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static void test_destroy_messages(void **unused)
{
	struct got *g = calloc(1, sizeof *g);
	size_t len;
	unsigned char *buf = fixture("diag_info_ipv6.bin", &len);
	int n;

	(void)unused;
	assert_non_null(g);
	n = sockstate__trace_destroy_decode(buf, len, 777, collect, g);
	/* One event per socket message of the capture (its .expect lists
	 * 7); NLMSG_DONE ends it. */
	assert_int_equal(n, 7);
	assert_int_equal(g->n, 7);
	assert_int_equal(g->ev[0].source, SOCKSTATE_TRACE_SOCK_DIAG_DESTROY);
	assert_int_equal(g->ev[0].old_state, SOCKSTATE_UNKNOWN);
	assert_int_equal(g->ev[0].old_native_code, -1);
	assert_int_equal(g->ev[0].new_state, SOCKSTATE_LISTEN);
	assert_int_equal(g->ev[0].local.port, 7007);
	assert_int_equal(g->ev[0].cookie, 220829);
	assert_int_equal(g->ev[0].time_ns, 777);
	/* A listener's tcp_info: nothing acknowledged or received. */
	assert_true(g->ev[0].flags & SOCKSTATE_EV_HAS_BYTES);
	assert_int_equal(g->ev[0].bytes_acked, 0);
	/* The TIME_WAIT socket carries no tcp_info: no bytes. */
	assert_int_equal(g->ev[4].new_state, SOCKSTATE_TIME_WAIT);
	assert_int_equal(g->ev[4].cookie, 220833);
	assert_false(g->ev[4].flags & SOCKSTATE_EV_HAS_BYTES);
	/* A truncated datagram is malformed, never guessed. */
	assert_int_equal(sockstate__trace_destroy_decode(buf, 30, 0, collect, g),
	                 SOCKSTATE_EPARSE);
	free(buf);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bpf_record),
		cmocka_unit_test(test_state_mask),
		cmocka_unit_test(test_destroy_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
