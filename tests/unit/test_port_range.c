/* test_port_range.c - /proc/sys/net/ipv4/ip_local_port_range's text into
 * the ephemeral range (platform/linux/port_range_decode.c): what Linux
 * prints, and every malformed text refused, never guessed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "port_range.h"

static int decode(const char *text, uint32_t *first, uint32_t *last)
{
	return sockstate__port_range_decode(text, strlen(text), first, last);
}

static void test_what_linux_prints(void **unused)
{
	uint32_t a = 0, b = 0;

	(void)unused;
	assert_int_equal(decode("32768\t60999\n", &a, &b), 0);
	assert_int_equal(a, 32768);
	assert_int_equal(b, 60999);
	assert_int_equal(decode("40000 40009", &a, &b), 0);
	assert_int_equal(b - a + 1, 10);
	assert_int_equal(decode("1024\t1024\n", &a, &b), 0); /* one port */
	assert_int_equal(decode("1 65535\n", &a, &b), 0);
}

static void test_malformed_is_refused(void **unused)
{
	static const char *const bad[] = {
		"", "\n", "32768\n", "32768 \n", "60999 32768\n", "0 100\n", "1 65536\n",
		"32768\t60999\nx", "32768\t60999\n\n", "a 1\n", "1 b\n", "-1 5\n",
		"1234567 1\n", "32768,60999\n",
	};
	uint32_t a = 7, b = 9;

	(void)unused;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(decode(bad[i], &a, &b), -1);
		assert_int_equal(a, 7);
		assert_int_equal(b, 9);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_what_linux_prints),
		cmocka_unit_test(test_malformed_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
