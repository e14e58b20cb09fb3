/* test_write_events.c - the event writers (write_events.c), byte for
 * byte: a transition, an inferred one, a summary and a lost event in
 * JSON, CSV and table form, headers, and argument checks. With
 * SOCKSTATE_EVENTS_NDJSON set, the JSON lines are also written to that
 * file, for the schema test (tests/unit/validate_events.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trace_internal.h"
#include "writer_internal.h"

struct sink {
	char text[4096];
	size_t len;
};

static int to_sink(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;

	assert_true(s->len + len < sizeof s->text);
	memcpy(s->text + s->len, buf, len);
	s->len += len;
	s->text[s->len] = '\0';
	return 0;
}

static const char *write_one(const sockstate_event *ev, sockstate_format format)
{
	static struct sink s;
	sockstate_write_opts o = {.size = sizeof o, .format = format};
	const char *path = getenv("SOCKSTATE_EVENTS_NDJSON");

	s.len = 0;
	s.text[0] = '\0';
	assert_int_equal(sockstate_event_write(ev, &o, to_sink, &s), 0);
	if (path && format == SOCKSTATE_FORMAT_JSON) {
		FILE *f = fopen(path, "a");

		assert_non_null(f);
		fputs(s.text, f);
		fclose(f);
	}
	return s.text;
}

/* 2026-12-04T15:00:00.000001234Z */
#define WHEN (INT64_C(1796396400) * 1000000000 + 1234)

static sockstate_event refused(void)
{
	sockstate_event ev;

	sockstate__event_init(&ev, SOCKSTATE_EVENT_TRANSITION, SOCKSTATE_TRACE_BPF);
	ev.family = SOCKSTATE_FAMILY_IPV4;
	ev.local.addr[0] = 127;
	ev.local.addr[3] = 1;
	ev.remote = ev.local;
	ev.local.port = 40000;
	ev.remote.port = 9;
	sockstate__event_native(&ev, 0, SOCKSTATE__ORIGIN_LINUX, 2);
	sockstate__event_native(&ev, 1, SOCKSTATE__ORIGIN_NETTOOLS, 7);
	ev.cause = SOCKSTATE_CAUSE_RST_RECEIVED;
	ev.time_ns = WHEN;
	ev.in_old_state_ns = 42000;
	ev.cookie = 4097;
	ev.pid = 77;
	ev.process = "cu\"rl";
	ev.flags |= SOCKSTATE_EV_HAS_IN_OLD | SOCKSTATE_EV_HAS_COOKIE | SOCKSTATE_EV_HAS_PID |
	            SOCKSTATE_EV_HAS_PROCESS;
	return ev;
}

static void test_transition(void **unused)
{
	sockstate_event ev = refused();

	(void)unused;
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_JSON),
		"{\"kind\":\"transition\",\"time\":\"2026-12-04T15:00:00.000001234Z\","
		"\"source\":\"bpf\",\"family\":\"ipv4\","
		"\"local\":{\"address\":\"127.0.0.1\",\"port\":40000},"
		"\"remote\":{\"address\":\"127.0.0.1\",\"port\":9},"
		"\"old_state\":\"SYN_SENT\",\"old_native_state\":{\"code\":2,\"name\":\"SYN-SENT\"},"
		"\"new_state\":\"CLOSED\",\"new_native_state\":{\"code\":7,\"name\":\"CLOSE\"},"
		"\"cause\":\"rst-received\",\"syn_retransmits\":0,\"inferred\":false,"
		"\"in_old_state_ns\":42000,\"cookie\":4097,\"pid\":77,\"process\":\"cu\\\"rl\","
		"\"netns\":null}\n");
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_CSV),
		"transition,2026-12-04T15:00:00.000001234Z,bpf,ipv4,127.0.0.1,40000,127.0.0.1,9,"
		"SYN_SENT,2,SYN-SENT,CLOSED,7,CLOSE,rst-received,0,false,42000,4097,77,"
		"\"cu\"\"rl\",,,,,,\r\n");
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_TABLE),
		"2026-12-04T15:00:00.000Z bpf               127.0.0.1:40000"
		"                                 127.0.0.1:9"
		"                                     SYN_SENT -> CLOSED           rst-received      "
		"0.042      77       cu\"rl\n");
	/* The SYNs sent again beside the cause. */
	ev.cause = SOCKSTATE_CAUSE_SYN_TIMEOUT;
	ev.syn_retransmits = 127;
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_TABLE),
		"2026-12-04T15:00:00.000Z bpf               127.0.0.1:40000"
		"                                 127.0.0.1:9"
		"                                     SYN_SENT -> CLOSED           syn-timeout(127)  "
		"0.042      77       cu\"rl\n");

	/* Inferred by poll, from a state with no native name, nothing known. */
	sockstate__event_init(&ev, SOCKSTATE_EVENT_TRANSITION, SOCKSTATE_TRACE_POLL);
	ev.family = SOCKSTATE_FAMILY_IPV6;
	ev.local.addr[15] = 1;
	ev.remote.addr[15] = 1;
	ev.local.port = 80;
	ev.remote.port = 50000;
	ev.old_state = SOCKSTATE_CLOSE_WAIT;
	ev.new_state = SOCKSTATE_LAST_ACK;
	ev.time_ns = WHEN;
	ev.flags = SOCKSTATE_EV_INFERRED;
	ev.netns = "blue";
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_JSON),
		"{\"kind\":\"transition\",\"time\":\"2026-12-04T15:00:00.000001234Z\","
		"\"source\":\"poll\",\"family\":\"ipv6\","
		"\"local\":{\"address\":\"::1\",\"port\":80},"
		"\"remote\":{\"address\":\"::1\",\"port\":50000},"
		"\"old_state\":\"CLOSE_WAIT\",\"old_native_state\":null,"
		"\"new_state\":\"LAST_ACK\",\"new_native_state\":null,"
		"\"cause\":\"unknown\",\"syn_retransmits\":0,\"inferred\":true,"
		"\"in_old_state_ns\":null,\"cookie\":null,\"pid\":null,\"process\":null,"
		"\"netns\":\"blue\"}\n");
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_TABLE),
		"2026-12-04T15:00:00.000Z poll              [::1]:80"
		"                                        [::1]:50000"
		"                                     CLOSE_WAIT ~> LAST_ACK       unknown           "
		"-          -        -\n");
}

static void test_summary_and_lost(void **unused)
{
	sockstate_event ev = refused();

	(void)unused;
	ev.kind = SOCKSTATE_EVENT_SUMMARY;
	ev.old_state = SOCKSTATE_SYN_SENT;
	ev.cause = SOCKSTATE_CAUSE_SYN_TIMEOUT;
	ev.syn_retransmits = 2;
	ev.duration_ns = 3000000000;
	ev.bytes_acked = 0;
	ev.bytes_received = 0;
	ev.flags |= SOCKSTATE_EV_HAS_DURATION | SOCKSTATE_EV_HAS_BYTES;
	ev.flags &= ~(uint32_t)SOCKSTATE_EV_HAS_IN_OLD;
	ev.path_len = 2;
	ev.path[0] = (sockstate_state_span){.state = SOCKSTATE_SYN_SENT, .native_code = 2,
	                                    .native_name = "SYN-SENT", .ns = 3000000000};
	ev.path[1] = (sockstate_state_span){.state = SOCKSTATE_CLOSED, .native_code = 7,
	                                    .native_name = "CLOSE", .ns = -1};
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_JSON),
		"{\"kind\":\"summary\",\"time\":\"2026-12-04T15:00:00.000001234Z\","
		"\"source\":\"bpf\",\"family\":\"ipv4\","
		"\"local\":{\"address\":\"127.0.0.1\",\"port\":40000},"
		"\"remote\":{\"address\":\"127.0.0.1\",\"port\":9},"
		"\"old_state\":\"SYN_SENT\",\"old_native_state\":{\"code\":2,\"name\":\"SYN-SENT\"},"
		"\"new_state\":\"CLOSED\",\"new_native_state\":{\"code\":7,\"name\":\"CLOSE\"},"
		"\"cause\":\"syn-timeout\",\"syn_retransmits\":2,\"inferred\":false,"
		"\"in_old_state_ns\":null,\"cookie\":4097,\"pid\":77,\"process\":\"cu\\\"rl\","
		"\"netns\":null,\"duration_ns\":3000000000,\"bytes_acked\":0,\"bytes_received\":0,"
		"\"path\":[{\"state\":\"SYN_SENT\",\"native_state\":{\"code\":2,\"name\":\"SYN-SENT\"},"
		"\"ns\":3000000000},{\"state\":\"CLOSED\",\"native_state\":{\"code\":7,"
		"\"name\":\"CLOSE\"},\"ns\":null}],\"path_cut\":false}\n");
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_CSV),
		"summary,2026-12-04T15:00:00.000001234Z,bpf,ipv4,127.0.0.1,40000,127.0.0.1,9,"
		"SYN_SENT,2,SYN-SENT,CLOSED,7,CLOSE,syn-timeout,2,false,,4097,77,\"cu\"\"rl\",,"
		"3000000000,0,0,SYN_SENT:3000000000 CLOSED:,\r\n");
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_TABLE),
		"2026-12-04T15:00:00.000Z bpf               127.0.0.1:40000"
		"                                 127.0.0.1:9"
		"                                     SUMMARY SYN_SENT(3000.000ms) > CLOSED "
		"cause=syn-timeout(2) ms=3000.000 tx=0 rx=0 77       cu\"rl\n");

	sockstate__event_init(&ev, SOCKSTATE_EVENT_LOST, SOCKSTATE_TRACE_BPF);
	ev.time_ns = WHEN;
	ev.lost = 12;
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_JSON),
		"{\"kind\":\"lost\",\"time\":\"2026-12-04T15:00:00.000001234Z\","
		"\"source\":\"bpf\",\"lost\":12}\n");
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_CSV),
		"lost,2026-12-04T15:00:00.000001234Z,bpf,,,,,,,,,,,,,,,,,,,,,,,,12\r\n");
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_TABLE),
		"2026-12-04T15:00:00.000Z bpf               LOST 12 events\n");
	ev.source = SOCKSTATE_TRACE_SOCK_DIAG_DESTROY;
	ev.lost = 0;
	assert_string_equal(write_one(&ev, SOCKSTATE_FORMAT_JSON),
		"{\"kind\":\"lost\",\"time\":\"2026-12-04T15:00:00.000001234Z\","
		"\"source\":\"sock-diag-destroy\",\"lost\":null}\n");
}

static void test_headers_and_errors(void **unused)
{
	sockstate_write_opts o = {.size = sizeof o, .format = SOCKSTATE_FORMAT_CSV};
	sockstate_event ev = refused();
	struct sink s = {.len = 0};

	(void)unused;
	assert_int_equal(sockstate_event_write_header(&o, to_sink, &s), 0);
	/* One header field per field of a row. */
	{
		size_t commas = 0;
		const char *row = write_one(&ev, SOCKSTATE_FORMAT_CSV);

		for (const char *p = s.text; *p; p++)
			commas += *p == ',';
		assert_int_equal(commas, 26);
		commas = 0;
		for (const char *p = row; *p; p++)
			commas += *p == ',';
		assert_int_equal(commas, 26);
	}
	s.len = 0;
	o.format = SOCKSTATE_FORMAT_JSON;
	assert_int_equal(sockstate_event_write_header(&o, to_sink, &s), 0);
	assert_int_equal(s.len, 0);
	o.format = SOCKSTATE_FORMAT_TABLE;
	assert_int_equal(sockstate_event_write_header(&o, to_sink, &s), 0);
	assert_true(strncmp(s.text, "Time                     Source            Local", 48) == 0);
	o.format = SOCKSTATE_FORMAT_PROMETHEUS;
	assert_int_equal(sockstate_event_write(&ev, &o, to_sink, &s), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_event_write_header(&o, to_sink, &s), SOCKSTATE_EINVAL);
	o.format = SOCKSTATE_FORMAT_JSON;
	s.len = 0;
	ev.kind = 0;
	assert_int_equal(sockstate_event_write(&ev, &o, to_sink, &s), SOCKSTATE_EINVAL);
	ev = refused();
	ev.family = 9;
	assert_int_equal(sockstate_event_write(&ev, &o, to_sink, &s), SOCKSTATE_EINVAL);
	ev = refused();
	ev.new_state = SOCKSTATE_STATE_COUNT;
	assert_int_equal(sockstate_event_write(&ev, &o, to_sink, &s), SOCKSTATE_EINVAL);
	ev = refused();
	ev.source = SOCKSTATE_TRACE_AUTO;
	assert_int_equal(sockstate_event_write(&ev, &o, to_sink, &s), SOCKSTATE_EINVAL);
	ev = refused();
	ev.kind = SOCKSTATE_EVENT_SUMMARY;
	ev.path_len = SOCKSTATE_EVENT_PATH_MAX + 1;
	assert_int_equal(sockstate_event_write(&ev, &o, to_sink, &s), SOCKSTATE_EINVAL);
	ev = refused();
	ev.size = 8;
	assert_int_equal(sockstate_event_write(&ev, &o, to_sink, &s), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_event_write(NULL, &o, to_sink, &s), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_event_write(&ev, &o, NULL, &s), SOCKSTATE_EINVAL);
	assert_int_equal(s.len, 0);
}

/* Through a small buffer, every flush path gives the same bytes. */
static void test_small_buffer(void **unused)
{
	sockstate_write_opts o = {.size = sizeof o, .format = SOCKSTATE_FORMAT_JSON};
	sockstate_event ev = refused();
	struct sink s = {.len = 0};
	sockstate__out *out = malloc(sizeof *out);

	(void)unused;
	assert_non_null(out);
	sockstate__out_init(out, to_sink, &s);
	out->cap = SOCKSTATE__OUT_RESERVE;
	assert_int_equal(sockstate__event_write_out(&ev, &o, out), 0);
	assert_string_equal(s.text, write_one(&ev, SOCKSTATE_FORMAT_JSON));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transition),
		cmocka_unit_test(test_summary_and_lost),
		cmocka_unit_test(test_headers_and_errors),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
