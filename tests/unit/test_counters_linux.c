/* test_counters_linux.c - /proc/net/snmp and /proc/net/netstat decoded by
 * column name (platform/linux/counters_decode.c): a capture of this
 * machine's files against its .expect, columns reordered, added and
 * missing, and every kind of malformed file refused with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "counters_internal.h"
#include "fixture_text.h"

#define FIXTURE(name) SOCKSTATE_FIXTURES "/linux/" name

/* The Tcp lines of Linux 6.18's /proc/net/snmp. */
#define TCP_NAMES                                                                \
	"Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens "     \
	"AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs "  \
	"OutRsts InCsumErrors\n"
#define TCP_VALUES "Tcp: 1 200 120000 -1 11 12 13 14 15 16 17 18 19 20 21\n"

static sockstate_tcp_counters empty(void)
{
	sockstate_tcp_counters c = {.size = sizeof c};

	sockstate__tcp_counters_clear(&c, NULL);
	return c;
}

static int decode(const char *text, sockstate_tcp_counters *c, char *why, size_t n)
{
	why[0] = '\0';
	return sockstate__linux_counters_decode(text, strlen(text), c, why, n);
}

static void assert_counter(const sockstate_tcp_counters *c, sockstate_counter k,
                           uint64_t value, const char *native)
{
	assert_true(c->valid & SOCKSTATE_COUNTER_BIT(k));
	assert_int_equal(c->value[k], value);
	assert_string_equal(c->native[k], native);
}

static void assert_unknown(const sockstate_tcp_counters *c, sockstate_counter k)
{
	assert_false(c->valid & SOCKSTATE_COUNTER_BIT(k));
	assert_int_equal(c->value[k], 0);
	assert_null(c->native[k]);
}

/* The Tcp counters of TCP_VALUES, as TCP_NAMES orders them. */
static void assert_tcp_values(const sockstate_tcp_counters *c)
{
	assert_counter(c, SOCKSTATE_COUNTER_ACTIVE_OPENS, 11, "TcpActiveOpens");
	assert_counter(c, SOCKSTATE_COUNTER_PASSIVE_OPENS, 12, "TcpPassiveOpens");
	assert_counter(c, SOCKSTATE_COUNTER_ATTEMPT_FAILS, 13, "TcpAttemptFails");
	assert_counter(c, SOCKSTATE_COUNTER_ESTABLISHED_RESETS, 14, "TcpEstabResets");
	assert_counter(c, SOCKSTATE_COUNTER_SEGMENTS_RECEIVED, 16, "TcpInSegs");
	assert_counter(c, SOCKSTATE_COUNTER_SEGMENTS_SENT, 17, "TcpOutSegs");
	assert_counter(c, SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED, 18, "TcpRetransSegs");
	assert_counter(c, SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED, 19, "TcpInErrs");
	assert_counter(c, SOCKSTATE_COUNTER_RESETS_SENT, 20, "TcpOutRsts");
}

/* The counters as the .expect file spells them: "name value native". */
static char *render(const sockstate_tcp_counters *c)
{
	size_t cap = 4096, n = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	for (int k = 0; k < SOCKSTATE_COUNTER_COUNT; k++) {
		if (c->valid & SOCKSTATE_COUNTER_BIT(k))
			n += (size_t)snprintf(out + n, cap - n, "%s %llu %s\n",
			                      sockstate_counter_name((sockstate_counter)k),
			                      (unsigned long long)c->value[k], c->native[k]);
		else
			n += (size_t)snprintf(out + n, cap - n, "%s - -\n",
			                      sockstate_counter_name((sockstate_counter)k));
		assert_true(n < cap);
	}
	return out;
}

static void test_fixture(void **unused)
{
	sockstate_tcp_counters c = empty();
	size_t snmp_len, netstat_len;
	char *snmp = slurp(FIXTURE("proc_net_snmp.txt"), &snmp_len);
	char *netstat = slurp(FIXTURE("proc_net_netstat.txt"), &netstat_len);
	char *want = expected_records(FIXTURE("proc_net_counters.expect"));
	char why[160] = "", *got;

	(void)unused;
	assert_int_equal(sockstate__linux_counters_decode(snmp, snmp_len, &c, why, sizeof why), 0);
	/* snmp alone holds the MIB-II counters, netstat the TcpExt ones. */
	assert_int_equal(c.valid, 0x1ffu);
	assert_int_equal(sockstate__linux_counters_decode(netstat, netstat_len, &c, why,
	                                                  sizeof why), 0);
	assert_string_equal(why, "");
	assert_int_equal(c.valid, (UINT64_C(1) << SOCKSTATE_COUNTER_COUNT) - 1);
	got = render(&c);
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(snmp);
	free(netstat);
}

static void test_kernel_layout(void **unused)
{
	sockstate_tcp_counters c = empty();
	char why[160];

	(void)unused;
	assert_int_equal(decode("Ip: Forwarding DefaultTTL\nIp: 2 64\n" TCP_NAMES TCP_VALUES
	                        "Udp: InDatagrams NoPorts\nUdp: 26 0\n",
	                        &c, why, sizeof why), 0);
	assert_tcp_values(&c);
	assert_int_equal(c.valid, 0x1ffu);
	assert_unknown(&c, SOCKSTATE_COUNTER_LISTEN_OVERFLOWS);
}

static void test_columns_reordered(void **unused)
{
	sockstate_tcp_counters c = empty();
	char why[160];

	(void)unused;
	/* Every column in reverse: found by name, not by place. */
	assert_int_equal(decode("Tcp: InCsumErrors OutRsts InErrs RetransSegs OutSegs InSegs "
	                        "CurrEstab EstabResets AttemptFails PassiveOpens ActiveOpens "
	                        "MaxConn RtoMax RtoMin RtoAlgorithm\n"
	                        "Tcp: 21 20 19 18 17 16 15 14 13 12 11 -1 120000 200 1\n",
	                        &c, why, sizeof why), 0);
	assert_tcp_values(&c);
}

static void test_new_column_ignored(void **unused)
{
	sockstate_tcp_counters c = empty();
	char why[160];

	(void)unused;
	/* A later kernel's new columns, one before ours and one among them,
	 * and a new line of a new prefix. */
	assert_int_equal(decode("TcpExt: TCPBrandNew ListenOverflows TCPNewer ListenDrops\n"
	                        "TcpExt: 99 5 -7 6\n"
	                        "FutureExt: A B\nFutureExt: 1 2\n",
	                        &c, why, sizeof why), 0);
	assert_counter(&c, SOCKSTATE_COUNTER_LISTEN_OVERFLOWS, 5, "TcpExtListenOverflows");
	assert_counter(&c, SOCKSTATE_COUNTER_LISTEN_DROPS, 6, "TcpExtListenDrops");
	assert_int_equal(c.valid, SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_LISTEN_OVERFLOWS) |
	                          SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_LISTEN_DROPS));
}

static void test_missing_column_unknown(void **unused)
{
	sockstate_tcp_counters c = empty();
	char why[160];

	(void)unused;
	/* An older kernel's files: no OutRsts, no TCPReqQFullDrop. */
	assert_int_equal(decode("Tcp: ActiveOpens PassiveOpens InErrs\nTcp: 1 2 3\n"
	                        "TcpExt: SyncookiesSent TCPTimeouts\nTcpExt: 4 5\n",
	                        &c, why, sizeof why), 0);
	assert_counter(&c, SOCKSTATE_COUNTER_ACTIVE_OPENS, 1, "TcpActiveOpens");
	assert_counter(&c, SOCKSTATE_COUNTER_PASSIVE_OPENS, 2, "TcpPassiveOpens");
	assert_counter(&c, SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED, 3, "TcpInErrs");
	assert_counter(&c, SOCKSTATE_COUNTER_SYNCOOKIES_SENT, 4, "TcpExtSyncookiesSent");
	assert_counter(&c, SOCKSTATE_COUNTER_TIMEOUTS, 5, "TcpExtTCPTimeouts");
	assert_unknown(&c, SOCKSTATE_COUNTER_RESETS_SENT);
	assert_unknown(&c, SOCKSTATE_COUNTER_REQUEST_QUEUE_FULL_DROPS);
	assert_int_equal(__builtin_popcountll(c.valid), 5);
}

static void test_prefix_must_match(void **unused)
{
	sockstate_tcp_counters c = empty();
	char why[160];

	(void)unused;
	/* A column of ours under another line's prefix is not ours: Udp's
	 * InErrs is not Tcp's, and "Tcp" + "ExtListenOverflows" is not
	 * "TcpExt" + "ListenOverflows". */
	assert_int_equal(decode("Udp: InErrs\nUdp: 7\nTcp: ExtListenOverflows\nTcp: 8\n",
	                        &c, why, sizeof why), 0);
	assert_int_equal(c.valid, 0);
}

static void test_largest_value(void **unused)
{
	sockstate_tcp_counters c = empty();
	char why[160];

	(void)unused;
	assert_int_equal(decode("Tcp: InSegs\nTcp: 18446744073709551615\n", &c, why, sizeof why),
	                 0);
	assert_counter(&c, SOCKSTATE_COUNTER_SEGMENTS_RECEIVED, UINT64_MAX, "TcpInSegs");
}

static void test_malformed(void **unused)
{
	static char long_line[SOCKSTATE__COUNTERS_LINE_MAX + 64];
	static const struct {
		const char *text;
		const char *why;
	} cases[] = {
		{"", "line 1: empty file"},
		{"Tcp: ActiveOpens PassiveOpens\nTcp: 1\n", "line 2: Tcp has 2 names but 1 values"},
		{"Tcp: ActiveOpens\nTcp: 1 2\n", "line 2: Tcp has 1 names but 2 values"},
		{"Tcp: ActiveOpens\nTcp: 1x\n", "line 2: Tcp ActiveOpens is \"1x\", not a number"},
		{"Tcp: Unknown\nTcp: x\n", "line 2: Tcp Unknown is \"x\", not a number"},
		{"Tcp: MaxConn\nTcp: -\n", "line 2: Tcp MaxConn is \"-\", not a number"},
		{"Tcp: ActiveOpens\nTcp: -1\n", "line 2: TcpActiveOpens is negative"},
		{"Tcp: InSegs\nTcp: 18446744073709551616\n",
		 "line 2: Tcp InSegs is \"18446744073709551616\", not a number"},
		{"Tcp: ActiveOpens ActiveOpens\nTcp: 1 2\n", "line 2: TcpActiveOpens given twice"},
		{"Tcp: ActiveOpens\nTcp: 1\nTcp: ActiveOpens\nTcp: 1\n",
		 "line 4: TcpActiveOpens given twice"},
		{"Tcp: ActiveOpens\n", "line 1: Tcp names without a line of values"},
		{"Tcp: ActiveOpens\nUdp: 1\n", "line 2: not the values of Tcp (line 1)"},
		{"Tcp: ActiveOpens\nTcp 1\n", "line 2: not the values of Tcp (line 1)"},
		{"ActiveOpens\n1\n", "line 1: no \"Name:\" at the start"},
		{": ActiveOpens\n: 1\n", "line 1: no \"Name:\" at the start"},
		{"Tcp: ActiveOpens\nTcp: 1", "line 2: no newline at the end"},
		{"Tcp: ActiveOpens\tPassiveOpens\nTcp: 1\t2\n",
		 "line 2: Tcp ActiveOpens?PassiveOpens is \"1?2\", not a number"},
		{"\x1b[2J: A\n\x1b[2J: 1\x07\n", "line 2: ?[2J A is \"1?\", not a number"},
		{long_line, "line 1: longer than 16384 bytes"},
	};

	(void)unused;
	memset(long_line, 'A', sizeof long_line - 2);
	long_line[sizeof long_line - 2] = '\n';
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sockstate_tcp_counters c = empty();
		char why[160];

		print_message("case %zu: %s\n", i, cases[i].why);
		assert_int_equal(decode(cases[i].text, &c, why, sizeof why), SOCKSTATE_EPARSE);
		assert_string_equal(why, cases[i].why);
	}
}

/* The reason is cut, never overrun, in a small buffer. */
static void test_reason_truncated(void **unused)
{
	sockstate_tcp_counters c = empty();
	char why[12];

	(void)unused;
	memset(why, 'z', sizeof why);
	assert_int_equal(sockstate__linux_counters_decode("Tcp: A\nTcp: 1 2\n", 16, &c, why, 8),
	                 SOCKSTATE_EPARSE);
	assert_string_equal(why, "line 2:");
	assert_int_equal(why[8], 'z');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_kernel_layout),
		cmocka_unit_test(test_columns_reordered),
		cmocka_unit_test(test_new_column_ignored),
		cmocka_unit_test(test_missing_column_unknown),
		cmocka_unit_test(test_prefix_must_match),
		cmocka_unit_test(test_largest_value),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_reason_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
