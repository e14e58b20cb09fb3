/* test_counters_windows.c - MIB_TCPSTATS of both families to TCP counters
 * (platform/windows/tcpstats_decode.c), on structs built byte by byte as
 * Windows lays them out (little-endian DWORDs at their documented
 * offsets): each counter the sum of its field over IPv4 and IPv6, in 64
 * bits; the fields that are no counter (RTO, CurrEstab, NumConns) never
 * read; what MIB_TCPSTATS lacks unknown. Runs on any OS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "windows_internal.h"

#define STATS 60

/* The fields MIB_TCPSTATS names, in its order, and what each is ours. */
static const struct {
	const char *name;
	int counter;        /* -1: not a counter of ours */
} mib[15] = {
	{"dwRtoAlgorithm", -1}, {"dwRtoMin", -1}, {"dwRtoMax", -1}, {"dwMaxConn", -1},
	{"dwActiveOpens", SOCKSTATE_COUNTER_ACTIVE_OPENS},
	{"dwPassiveOpens", SOCKSTATE_COUNTER_PASSIVE_OPENS},
	{"dwAttemptFails", SOCKSTATE_COUNTER_ATTEMPT_FAILS},
	{"dwEstabResets", SOCKSTATE_COUNTER_ESTABLISHED_RESETS},
	{"dwCurrEstab", -1},
	{"dwInSegs", SOCKSTATE_COUNTER_SEGMENTS_RECEIVED},
	{"dwOutSegs", SOCKSTATE_COUNTER_SEGMENTS_SENT},
	{"dwRetransSegs", SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED},
	{"dwInErrs", SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED},
	{"dwOutRsts", SOCKSTATE_COUNTER_RESETS_SENT},
	{"dwNumConns", -1},
};

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Field i of one family holds base + i (base picks the family). */
static void fill(uint8_t *stats, uint32_t base)
{
	for (int i = 0; i < 15; i++)
		put_le32(stats + 4 * i, base + (uint32_t)i);
}

static sockstate_tcp_counters decode(const uint8_t *v4, const uint8_t *v6)
{
	sockstate_tcp_counters c = {.size = sizeof c};

	sockstate__tcp_counters_clear(&c, NULL);
	sockstate__tcpstats_decode(v4, v6, &c);
	assert_string_equal(c.source, "GetTcpStatisticsEx");
	return c;
}

static void check(const sockstate_tcp_counters *c, uint64_t base4, uint64_t base6, int with6)
{
	uint64_t kept = 0;

	for (int i = 0; i < 15; i++) {
		char native[64];
		int k = mib[i].counter;

		if (k < 0)
			continue;
		kept |= SOCKSTATE_COUNTER_BIT(k);
		snprintf(native, sizeof native, "%s (AF_INET + AF_INET6)", mib[i].name);
		assert_string_equal(c->native[k], native);
		assert_int_equal(c->value[k], base4 + (uint64_t)i + (with6 ? base6 + (uint64_t)i : 0));
	}
	assert_int_equal(c->valid, kept);
	assert_int_equal(__builtin_popcountll(kept), 9);
	for (int k = 0; k < SOCKSTATE_COUNTER_COUNT; k++)
		if (!(kept & SOCKSTATE_COUNTER_BIT(k)))
			assert_null(c->native[k]);
}

static void test_both_families_summed(void **unused)
{
	static uint8_t buf[2 * STATS + 3];
	sockstate_tcp_counters c;

	(void)unused;
	/* Unaligned, and different per family. */
	fill(buf + 1, 1000);
	fill(buf + 1 + STATS, 500000);
	c = decode(buf + 1, buf + 1 + STATS);
	check(&c, 1000, 500000, 1);
	assert_int_equal(c.value[SOCKSTATE_COUNTER_ACTIVE_OPENS], 1004 + 500004);
	assert_false(c.valid & SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_LISTEN_OVERFLOWS));
	assert_false(c.valid & SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_TIMEOUTS));
}

static void test_no_ipv6(void **unused)
{
	uint8_t v4[STATS];
	sockstate_tcp_counters c;

	(void)unused;
	fill(v4, 7);
	c = decode(v4, NULL);
	check(&c, 7, 0, 0);
}

/* DWORD counters near their wrap add up beyond 32 bits. */
static void test_sum_in_64_bits(void **unused)
{
	uint8_t v4[STATS], v6[STATS];
	sockstate_tcp_counters c;

	(void)unused;
	fill(v4, 0xFFFFFF00u);
	fill(v6, 0xFFFFFF00u);
	c = decode(v4, v6);
	check(&c, 0xFFFFFF00u, 0xFFFFFF00u, 1);
	assert_true(c.value[SOCKSTATE_COUNTER_RESETS_SENT] > UINT32_MAX);
}

/* The bytes are little-endian whatever machine decodes them. */
static void test_byte_order(void **unused)
{
	uint8_t v4[STATS] = {0};
	sockstate_tcp_counters c;

	(void)unused;
	v4[16] = 0x01;          /* dwActiveOpens = 0x04030201 */
	v4[17] = 0x02;
	v4[18] = 0x03;
	v4[19] = 0x04;
	c = decode(v4, NULL);
	assert_int_equal(c.value[SOCKSTATE_COUNTER_ACTIVE_OPENS], 0x04030201u);
	assert_int_equal(c.value[SOCKSTATE_COUNTER_PASSIVE_OPENS], 0);
	assert_true(c.valid & SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_PASSIVE_OPENS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_families_summed),
		cmocka_unit_test(test_no_ipv6),
		cmocka_unit_test(test_sum_in_64_bits),
		cmocka_unit_test(test_byte_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
