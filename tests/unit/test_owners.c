/* test_owners.c - the owner map: several owners per key, folded repeats,
 * names, reuse after reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core_internal.h"

static void test_keys_and_names(void **unused)
{
	sockstate__owners *m = sockstate__owners_new();
	const int32_t *pids;
	uint32_t n = 99;

	(void)unused;
	assert_non_null(m);
	assert_int_equal(sockstate__owners_add(m, 500, 30), 0);
	assert_int_equal(sockstate__owners_add(m, 7, 1), 0);
	assert_int_equal(sockstate__owners_add(m, 500, 10), 0);
	assert_int_equal(sockstate__owners_add(m, 500, 30), 0); /* same socket, 2nd fd */
	assert_int_equal(sockstate__owners_add(m, 500, 20), 0);
	assert_int_equal(sockstate__owners_name(m, 30, "worker"), 0);
	assert_int_equal(sockstate__owners_name(m, 10, "master"), 0);
	assert_int_equal(sockstate__owners_finish(m), 0);

	pids = sockstate__owners_find(m, 500, &n);
	assert_int_equal(n, 3);
	assert_int_equal(pids[0], 10);
	assert_int_equal(pids[1], 20);
	assert_int_equal(pids[2], 30);
	pids = sockstate__owners_find(m, 7, &n);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], 1);
	assert_null(sockstate__owners_find(m, 8, &n));
	assert_int_equal(n, 0);
	assert_null(sockstate__owners_find(m, 0, &n));
	assert_null(sockstate__owners_find(m, UINT64_MAX, &n));
	assert_string_equal(sockstate__owners_pid_name(m, 10), "master");
	assert_string_equal(sockstate__owners_pid_name(m, 30), "worker");
	assert_null(sockstate__owners_pid_name(m, 20));

	sockstate__owners_reset(m);
	assert_int_equal(sockstate__owners_finish(m), 0);
	assert_null(sockstate__owners_find(m, 500, &n));
	assert_null(sockstate__owners_pid_name(m, 10));
	sockstate__owners_free(m);
	sockstate__owners_free(NULL);
}

static void test_many(void **unused)
{
	sockstate__owners *m = sockstate__owners_new();
	uint32_t n;

	(void)unused;
	for (uint64_t k = 20000; k > 0; k--)
		assert_int_equal(sockstate__owners_add(m, k * 3, (int32_t)(k % 97) + 1), 0);
	assert_int_equal(sockstate__owners_finish(m), 0);
	for (uint64_t k = 1; k <= 20000; k += 1111) {
		const int32_t *pids = sockstate__owners_find(m, k * 3, &n);
		assert_int_equal(n, 1);
		assert_int_equal(pids[0], (int32_t)(k % 97) + 1);
		assert_null(sockstate__owners_find(m, k * 3 + 1, &n));
	}
	sockstate__owners_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_and_names),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
