/* test_counters_write.c - sockstate_tcp_counters_write: the exact bytes
 * of every format for hand-built counters (known, known zero, unknown, a
 * sum's native name), the same bytes whatever the buffer size, unknown
 * counters never written as 0, sink errors and argument checks.
 *
 * Set SOCKSTATE_TEST_JSON_DIR to a directory to also save the JSON
 * documents written here; the test unit.counters_json_schema does, and
 * checks them with tests/unit/validate_schema.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend_internal.h"
#include "write_sink.h"
#include "writer_internal.h"

static sockstate_write_opts opts(sockstate_format f, uint32_t flags)
{
	sockstate_write_opts o = {.size = sizeof o, .format = f, .flags = flags, .port = -1};
	return o;
}

/* Three known counters (one of them 0, one the largest value with a sum
 * for its native name); the rest unknown. */
static sockstate_tcp_counters sample(void)
{
	sockstate_tcp_counters c = {.size = sizeof c};

	sockstate__tcp_counters_clear(&c, "/proc/net/snmp /proc/net/netstat");
	sockstate__tcp_counter_set(&c, SOCKSTATE_COUNTER_ACTIVE_OPENS, 1560,
	                           SOCKSTATE__COUNTERS_LINUX);
	sockstate__tcp_counter_set(&c, SOCKSTATE_COUNTER_LISTEN_OVERFLOWS, 0,
	                           SOCKSTATE__COUNTERS_LINUX);
	sockstate__tcp_counter_set(&c, SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT, UINT64_MAX,
	                           SOCKSTATE__COUNTERS_FREEBSD);
	return c;
}

static sockstate_sysinfo facts(void)
{
	sockstate_sysinfo s;

	memset(&s, 0, sizeof s);
	strcpy(s.host, "web-1");
	strcpy(s.os_name, "Linux");
	strcpy(s.os_release, "6.18.0");
	strcpy(s.os_version, "#1 SMP");
	strcpy(s.machine, "x86_64");
	s.taken_at = 1764864000; /* 2025-12-04T16:00:00Z */
	return s;
}

static char *written(const sockstate_tcp_counters *c, const sockstate_sysinfo *sys,
                     sockstate_format f, uint32_t flags)
{
	struct sink k = {0};
	sockstate_write_opts o = opts(f, flags);

	assert_int_equal(sockstate_tcp_counters_write(c, sys, "linux-netlink", &o, sink_write,
	                                              &k), 0);
	assert_non_null(k.data);
	return k.data;
}

/* What a line of the table, CSV or JSON says of counter k: built here with
 * printf, apart from the writer's own formatting. */
__attribute__((format(printf, 3, 4)))
static void append(char **text, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*text + *len, 8192 - *len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && *len + (size_t)n < 8192);
	*len += (size_t)n;
}

static const char *value_text(const sockstate_tcp_counters *c, int k, char *buf,
                              const char *unknown)
{
	if (!(c->valid & SOCKSTATE_COUNTER_BIT(k)))
		return unknown;
	snprintf(buf, 24, "%llu", (unsigned long long)c->value[k]);
	return buf;
}

static void test_table(void **unused)
{
	sockstate_tcp_counters c = sample();
	char *want = malloc(8192), *got, num[24];
	size_t n = 0;

	(void)unused;
	assert_non_null(want);
	append(&want, &n, "%-26s%20s  %s\n", "Counter", "Value", "Native");
	for (int k = 0; k < SOCKSTATE_COUNTER_COUNT; k++)
		append(&want, &n, "%-26s%20s  %s\n", sockstate_counter_name((sockstate_counter)k),
		       value_text(&c, k, num, "-"),
		       (c.valid & SOCKSTATE_COUNTER_BIT(k)) ? c.native[k] : "-");
	got = written(&c, NULL, SOCKSTATE_FORMAT_TABLE, 0);
	assert_string_equal(got, want);
	assert_non_null(strstr(got, "\nactive_opens                              1560  "
	                            "TcpActiveOpens\n"));
	assert_non_null(strstr(got, "\nlisten_overflows                             0  "
	                            "TcpExtListenOverflows\n"));
	assert_non_null(strstr(got, "\naborts_on_timeout         18446744073709551615  "
	                            "tcps_timeoutdrop + tcps_persistdrop + tcps_keepdrops\n"));
	assert_non_null(strstr(got, "\nlisten_drops                                 -  -\n"));
	free(got);
	got = written(&c, NULL, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_NO_HEADER);
	assert_string_equal(got, strchr(want, '\n') + 1);
	free(got);
	free(want);
}

static void test_csv(void **unused)
{
	sockstate_tcp_counters c = sample();
	char *want = malloc(8192), *got, num[24];
	size_t n = 0;

	(void)unused;
	assert_non_null(want);
	append(&want, &n, "counter,value,native\r\n");
	for (int k = 0; k < SOCKSTATE_COUNTER_COUNT; k++)
		append(&want, &n, "%s,%s,%s\r\n", sockstate_counter_name((sockstate_counter)k),
		       value_text(&c, k, num, ""),
		       (c.valid & SOCKSTATE_COUNTER_BIT(k)) ? c.native[k] : "");
	got = written(&c, NULL, SOCKSTATE_FORMAT_CSV, 0);
	assert_string_equal(got, want);
	assert_non_null(strstr(got, "\r\nlisten_drops,,\r\n"));
	free(got);
	got = written(&c, NULL, SOCKSTATE_FORMAT_CSV, SOCKSTATE_W_NO_HEADER);
	assert_string_equal(got, strstr(want, "\r\n") + 2);
	free(got);
	free(want);
}

static void test_json(void **unused)
{
	sockstate_tcp_counters c = sample();
	sockstate_sysinfo sys = facts();
	char *want = malloc(8192), *got, num[24];
	size_t n = 0;

	(void)unused;
	assert_non_null(want);
	append(&want, &n, "{\"schema\":\"sockstate/1\",\n \"host\":\"web-1\",\n"
	                  " \"os\":{\"name\":\"Linux\",\"release\":\"6.18.0\",\"version\":"
	                  "\"#1 SMP\",\"machine\":\"x86_64\"},\n \"backend\":\"linux-netlink\",\n"
	                  " \"library_version\":\"%s\",\n \"taken_at\":\"2025-12-04T16:00:00Z\",\n"
	                  " \"pid_source\":null,\n \"tcp_counters\":{\"source\":"
	                  "\"/proc/net/snmp /proc/net/netstat\",\n  \"counters\":{",
	       sockstate_version());
	for (int k = 0; k < SOCKSTATE_COUNTER_COUNT; k++) {
		int known = (c.valid & SOCKSTATE_COUNTER_BIT(k)) != 0;

		append(&want, &n, "%s\n   \"%s\":{\"value\":%s,\"native\":%s%s%s}", k ? "," : "",
		       sockstate_counter_name((sockstate_counter)k), value_text(&c, k, num, "null"),
		       known ? "\"" : "", known ? c.native[k] : "null", known ? "\"" : "");
	}
	append(&want, &n, "\n  }}}\n");
	got = written(&c, &sys, SOCKSTATE_FORMAT_JSON, 0);
	assert_string_equal(got, want);
	assert_non_null(strstr(got, "\"listen_drops\":{\"value\":null,\"native\":null}"));
	assert_non_null(strstr(got, "\"listen_overflows\":{\"value\":0,"
	                            "\"native\":\"TcpExtListenOverflows\"}"));
	save_json("counters", got);
	free(got);
	/* No machine facts: host and os null; no counter known: all null. */
	sockstate__tcp_counters_clear(&c, NULL);
	got = written(&c, NULL, SOCKSTATE_FORMAT_JSON, 0);
	assert_non_null(strstr(got, "\n \"host\":null,\n \"os\":null,\n"));
	assert_non_null(strstr(got, "\"tcp_counters\":{\"source\":null,"));
	assert_null(strstr(got, "\"value\":0"));
	save_json("counters-none-known", got);
	free(got);
	free(want);
}

static void test_prometheus(void **unused)
{
	sockstate_tcp_counters c = sample();
	char *want = malloc(8192), *got;
	size_t n = 0;

	(void)unused;
	assert_non_null(want);
	for (int k = 0; k < SOCKSTATE_COUNTER_COUNT; k++) {
		sockstate_counter_info info;
		const char *name = sockstate_counter_name((sockstate_counter)k);

		if (!(c.valid & SOCKSTATE_COUNTER_BIT(k)))
			continue;
		assert_int_equal(sockstate_counter_describe((sockstate_counter)k, "en", &info), 0);
		append(&want, &n, "# HELP sockstate_tcp_%s_total %s\n"
		                  "# TYPE sockstate_tcp_%s_total counter\n"
		                  "sockstate_tcp_%s_total %llu\n",
		       name, info.meaning, name, name, (unsigned long long)c.value[k]);
	}
	append(&want, &n, "# HELP sockstate_info The backend and library version that "
	                  "produced these metrics.\n# TYPE sockstate_info gauge\n"
	                  "sockstate_info{backend=\"linux-netlink\",version=\"%s\"} 1\n",
	       sockstate_version());
	got = written(&c, NULL, SOCKSTATE_FORMAT_PROMETHEUS, 0);
	assert_string_equal(got, want);
	/* Unknown counters are absent, never 0. */
	assert_null(strstr(got, "listen_drops"));
	assert_non_null(strstr(got, "\nsockstate_tcp_listen_overflows_total 0\n"));
	assert_non_null(strstr(got, "\nsockstate_tcp_aborts_on_timeout_total "
	                            "18446744073709551615\n"));
	free(got);
	free(want);
}

/* Through every buffer size, the bytes are the same. */
static void test_buffer_sizes(void **unused)
{
	static sockstate__out out;
	static const size_t caps[] = {SOCKSTATE__OUT_RESERVE, 65, 100, 333, 4096};
	sockstate_tcp_counters c = sample();
	sockstate_sysinfo sys = facts();

	(void)unused;
	for (int f = SOCKSTATE_FORMAT_TABLE; f <= SOCKSTATE_FORMAT_PROMETHEUS; f++) {
		char *whole = written(&c, &sys, (sockstate_format)f, 0);

		for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
			struct sink k = {0};
			sockstate_write_opts o = opts((sockstate_format)f, 0);

			sockstate__out_init(&out, sink_write, &k);
			out.cap = caps[i];
			assert_int_equal(sockstate__tcp_counters_write_out(&c, &sys, "linux-netlink",
			                                                   &o, &out), 0);
			assert_string_equal(k.data, whole);
			if (caps[i] < strlen(whole))
				assert_true(k.calls > 1);
			sink_reset(&k);
		}
		free(whole);
	}
}

static void test_sink_errors(void **unused)
{
	sockstate_tcp_counters c = sample();
	sockstate_write_opts o = opts(SOCKSTATE_FORMAT_JSON, 0);
	struct sink k = {.fail_at = 1, .fail_code = SOCKSTATE_ENOMEM};

	(void)unused;
	assert_int_equal(sockstate_tcp_counters_write(&c, NULL, NULL, &o, sink_write, &k),
	                 SOCKSTATE_ENOMEM);
	assert_int_equal(k.calls, 1);
	sink_reset(&k);
	k.fail_at = 1;
	k.fail_code = 7; /* positive: still a failure, as EIO */
	assert_int_equal(sockstate_tcp_counters_write(&c, NULL, NULL, &o, sink_write, &k),
	                 SOCKSTATE_EIO);
	sink_reset(&k);
}

static void test_arguments(void **unused)
{
	sockstate_tcp_counters c = sample();
	sockstate_write_opts o = opts(SOCKSTATE_FORMAT_TABLE, 0);
	struct sink k = {0};

	(void)unused;
	assert_int_equal(sockstate_tcp_counters_write(NULL, NULL, NULL, &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_tcp_counters_write(&c, NULL, NULL, NULL, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_tcp_counters_write(&c, NULL, NULL, &o, NULL, &k),
	                 SOCKSTATE_EINVAL);
	c.size = SOCKSTATE__TCP_COUNTERS_FIRST_SIZE - 1;
	assert_int_equal(sockstate_tcp_counters_write(&c, NULL, NULL, &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	c.size = sizeof c;
	o.format = (sockstate_format)4;
	assert_int_equal(sockstate_tcp_counters_write(&c, NULL, NULL, &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	o = opts(SOCKSTATE_FORMAT_TABLE, 0);
	o.size = SOCKSTATE_WRITE_OPTS_FIRST_SIZE - 1;
	assert_int_equal(sockstate_tcp_counters_write(&c, NULL, NULL, &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	assert_int_equal(k.calls, 0); /* nothing written on a refusal */
	/* An older caller's options, without the appended members: taken. */
	o.size = SOCKSTATE_WRITE_OPTS_FIRST_SIZE;
	assert_int_equal(sockstate_tcp_counters_write(&c, NULL, NULL, &o, sink_write, &k), 0);
	sink_reset(&k);
	/* o->port is ignored by this writer, but still checked like all. */
	o = opts(SOCKSTATE_FORMAT_CSV, 0);
	o.port = 80;
	assert_int_equal(sockstate_tcp_counters_write(&c, NULL, NULL, &o, sink_write, &k), 0);
	sink_reset(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_buffer_sizes),
		cmocka_unit_test(test_sink_errors),
		cmocka_unit_test(test_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
