/* test_errors.c - every code has a name and a message; others do not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sockstate.h"

static void test_every_code_named(void **unused)
{
	(void)unused;
	for (int code = 0; code >= SOCKSTATE_EABI; code--) {
		assert_string_not_equal(sockstate_strerror(code), "unknown error");
		assert_true(!strncmp(sockstate_errname(code), "SOCKSTATE_", 10));
		assert_string_not_equal(sockstate_errname(code), "SOCKSTATE_UNKNOWN");
	}
	assert_string_equal(sockstate_errname(SOCKSTATE_EPERM), "SOCKSTATE_EPERM");
	assert_string_equal(sockstate_strerror(0), "success");
	assert_string_equal(sockstate_strerror(SOCKSTATE_EABI - 1), "unknown error");
	assert_string_equal(sockstate_strerror(1), "unknown error");
	assert_string_equal(sockstate_errname(-1000), "SOCKSTATE_UNKNOWN");
}

static void test_version(void **unused)
{
	char want[32];

	(void)unused;
	snprintf(want, sizeof want, "%d.%d.%d", SOCKSTATE_VERSION_MAJOR,
	         SOCKSTATE_VERSION_MINOR, SOCKSTATE_VERSION_PATCH);
	assert_string_equal(sockstate_version(), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_named),
		cmocka_unit_test(test_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
