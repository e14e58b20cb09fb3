/* test_address.c - address text both ways: RFC 5952 output, strict input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core_internal.h"

static sockstate_endpoint endpoint_of(const char *text)
{
	sockstate_prefix p;
	sockstate_endpoint ep;

	assert_int_equal(sockstate_prefix_parse(text, &p), 0);
	memset(&ep, 0, sizeof ep);
	memcpy(ep.addr, p.addr, sizeof ep.addr);
	return ep;
}

static void assert_format6(const char *in, const char *want)
{
	sockstate_endpoint ep = endpoint_of(in);
	char buf[64];

	assert_int_equal(sockstate_endpoint_format(SOCKSTATE_FAMILY_IPV6, &ep, buf, sizeof buf),
	                 (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_rfc5952_output(void **unused)
{
	(void)unused;
	assert_format6("::", "::");
	assert_format6("::1", "::1");
	assert_format6("2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1");
	assert_format6("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");   /* one zero group stays */
	assert_format6("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");      /* leftmost of a tie */
	assert_format6("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");            /* longest run */
	assert_format6("2001:DB8::ABCD", "2001:db8::abcd");
	assert_format6("::ffff:192.0.2.1", "::ffff:192.0.2.1");
	assert_format6("fe80::1", "fe80::1");
	assert_format6("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0");
	assert_format6("0:0:1::", "0:0:1::");
}

static void test_ipv4_output_and_scope(void **unused)
{
	sockstate_endpoint ep = endpoint_of("192.0.2.255");
	char buf[64];

	(void)unused;
	assert_int_equal(sockstate_endpoint_format(SOCKSTATE_FAMILY_IPV4, &ep, buf, sizeof buf), 11);
	assert_string_equal(buf, "192.0.2.255");
	/* A zone on a link-local address; index 999999 names no interface. */
	ep = endpoint_of("fe80::1");
	ep.scope_id = 999999;
	assert_true(sockstate_endpoint_format(SOCKSTATE_FAMILY_IPV6, &ep, buf, sizeof buf) > 0);
	assert_string_equal(buf, "fe80::1%999999");
	ep.scope_id = 1; /* lo on Linux */
	assert_true(sockstate_endpoint_format(SOCKSTATE_FAMILY_IPV6, &ep, buf, sizeof buf) > 0);
	assert_true(!strncmp(buf, "fe80::1%", 8) && strlen(buf) > 8);
	/* too small a buffer is ERANGE with an empty string, never overflow */
	ep = endpoint_of("2001:db8::1");
	assert_int_equal(sockstate_endpoint_format(SOCKSTATE_FAMILY_IPV6, &ep, buf, 5),
	                 SOCKSTATE_ERANGE);
	assert_string_equal(buf, "");
	assert_int_equal(sockstate_endpoint_format(3, &ep, buf, sizeof buf), SOCKSTATE_EINVAL);
}

static void test_prefix_parse(void **unused)
{
	sockstate_prefix p;
	static const uint8_t net[4] = {10, 1, 0, 0};

	(void)unused;
	assert_int_equal(sockstate_prefix_parse("10.1.2.3/16", &p), 0);
	assert_int_equal(p.family, SOCKSTATE_FAMILY_IPV4);
	assert_int_equal(p.bits, 16);
	assert_memory_equal(p.addr, net, 4); /* host bits cleared */
	assert_int_equal(sockstate_prefix_parse("[::1]", &p), 0);
	assert_int_equal(p.family, SOCKSTATE_FAMILY_IPV6);
	assert_int_equal(p.bits, 128);
	assert_int_equal(p.addr[15], 1);
	assert_int_equal(sockstate_prefix_parse("fe80::/10", &p), 0);
	assert_int_equal(p.bits, 10);
	assert_int_equal(sockstate_prefix_parse("::ffff:1.2.3.4", &p), 0);
	assert_int_equal(p.addr[10], 0xff);
	assert_int_equal(p.addr[15], 4);
	assert_int_equal(sockstate_prefix_parse("0.0.0.0/0", &p), 0);
	assert_int_equal(p.bits, 0);
}

static void test_prefix_parse_rejects(void **unused)
{
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4/", "1.2.3.4/x",
		"1..2.3", "1.2.3.4 ", " 1.2.3.4", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3",
		"12345::", "::g", ":1::", "1::2:", "[::1", "::1]", "fe80::1%eth0", "[]",
		"1:2:3:4:5:6:7", "::1.2.3", "1.2.3.4/-1", "localhost",
	};
	sockstate_prefix p;

	(void)unused;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (sockstate_prefix_parse(bad[i], &p) != SOCKSTATE_EINVAL)
			fail_msg("'%s' should be EINVAL", bad[i]);
	}
	assert_int_equal(sockstate_prefix_parse("1.2.3.4/33", &p), SOCKSTATE_ERANGE);
	assert_int_equal(sockstate_prefix_parse("::/129", &p), SOCKSTATE_ERANGE);
	assert_int_equal(sockstate_prefix_parse(NULL, &p), SOCKSTATE_EINVAL);
}

static void test_port_parse(void **unused)
{
	uint16_t port = 0;

	(void)unused;
	assert_int_equal(sockstate_port_parse("0", &port), 0);
	assert_int_equal(port, 0);
	assert_int_equal(sockstate_port_parse("65535", &port), 0);
	assert_int_equal(port, 65535);
	assert_int_equal(sockstate_port_parse("65536", &port), SOCKSTATE_ERANGE);
	assert_int_equal(sockstate_port_parse("99999999999999999999999", &port), SOCKSTATE_ERANGE);
	assert_int_equal(sockstate_port_parse("-1", &port), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_port_parse("+80", &port), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_port_parse("80 ", &port), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_port_parse("", &port), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_port_parse("http", &port), SOCKSTATE_EINVAL);
	assert_int_equal(port, 65535); /* untouched on error */
}

static void test_hex(void **unused)
{
	uint64_t v;

	(void)unused;
	assert_int_equal(sockstate__parse_hex_u64("0A", 2, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(sockstate__parse_hex_u64("ffffffffffffffff", 16, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(sockstate__parse_hex_u64("1ffffffffffffffff", 17, &v), -1);
	assert_int_equal(sockstate__parse_hex_u64("0x", 2, &v), -1);
	assert_int_equal(sockstate__parse_hex_u64("", 0, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5952_output),
		cmocka_unit_test(test_ipv4_output_and_scope),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_prefix_parse_rejects),
		cmocka_unit_test(test_port_parse),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
