/* test_owners.c - the owner map: several owners per key, folded repeats,
 * names, reuse after reset, the hash index under collisions. */
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

/* The hash index: keys that all share one slot (k << 60: the
 * multiplicative hash leaves their slot bits 0 for any table below 2^28
 * slots), runs of several pids among them, and a map reused for a bigger
 * then a smaller set, where a stale index would answer for keys no longer
 * there. */
static void test_index_collisions_and_reuse(void **unused)
{
	sockstate__owners *m = sockstate__owners_new();
	const int32_t *pids;
	uint32_t n;

	(void)unused;
	for (int round = 0; round < 3; round++) {
		uint64_t count = round == 1 ? 5000 : 300;

		sockstate__owners_reset(m);
		for (uint64_t k = 1; k <= count; k++) {
			uint64_t key = k << 32;
			assert_int_equal(sockstate__owners_add(m, key, (int32_t)k), 0);
			if (k % 7 == 0) /* a second owner: a run of two */
				assert_int_equal(sockstate__owners_add(m, key, (int32_t)k + 100000), 0);
		}
		for (uint64_t k = 1; k < 16; k++) {
			assert_int_equal(sockstate__owners_add(m, k << 60, (int32_t)k + 7000000), 0);
			if (k % 2)
				assert_int_equal(sockstate__owners_add(m, k << 60, 1), 0);
		}
		assert_int_equal(sockstate__owners_finish(m), 0);
		for (uint64_t k = 1; k < 16; k++) {
			pids = sockstate__owners_find(m, k << 60, &n);
			assert_non_null(pids);
			assert_int_equal(n, k % 2 ? 2 : 1);
			assert_int_equal(pids[n - 1], (int32_t)k + 7000000);
			if (n == 2)
				assert_int_equal(pids[0], 1);
		}
		for (uint64_t k = 1; k <= count; k++) {
			pids = sockstate__owners_find(m, k << 32, &n);
			assert_non_null(pids);
			assert_int_equal(n, k % 7 == 0 ? 2 : 1);
			assert_int_equal(pids[0], (int32_t)k);
			if (n == 2)
				assert_int_equal(pids[1], (int32_t)k + 100000);
		}
		/* Absent keys: in the same slots, beyond the set, and 0. */
		assert_null(sockstate__owners_find(m, (count + 1) << 32, &n));
		assert_int_equal(n, 0);
		assert_null(sockstate__owners_find(m, 5001ull << 32, &n));
		assert_null(sockstate__owners_find(m, (1ull << 32) + 1, &n));
		assert_null(sockstate__owners_find(m, 3ull << 59, &n)); /* the full slot */
		assert_null(sockstate__owners_find(m, 0, &n));
		if (round == 2) /* after the 5,000: none of those is found now */
			assert_null(sockstate__owners_find(m, 4000ull << 32, &n));
	}
	sockstate__owners_free(m);
}

/* The million-socket bound (issue #23): the map costs at most 48 bytes
 * per socket descriptor it was given, at every size (the growth slack
 * and the index's power-of-two table included), and keeps answering
 * right: inode-like keys, fifty processes, a socket in two of them, a
 * process that holds one socket on two fds. Reused for a smaller walk,
 * it allocates nothing more. */
static void test_bytes_per_descriptor(void **unused)
{
	static const size_t sizes[] = {1000, 65536, 99999, 262145, 300000};
	sockstate__owners *m = sockstate__owners_new();
	size_t peak = 0;

	(void)unused;
	for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
		size_t n = sizes[t], added = 0, memory;

		sockstate__owners_reset(m);
		for (size_t i = 0; i < n; i++, added++) {
			uint64_t inode = 30000000 + i * 7 % n * 3;
			assert_int_equal(sockstate__owners_add(m, inode, (int32_t)(1000 + i % 50)), 0);
			if (i % 1000 == 0) { /* shared with a child; held twice */
				assert_int_equal(sockstate__owners_add(m, inode, 9999), 0);
				assert_int_equal(sockstate__owners_add(m, inode, (int32_t)(1000 + i % 50)), 0);
				added += 2;
			}
		}
		assert_int_equal(sockstate__owners_finish(m), 0);
		memory = sockstate__owners_memory(m);
		assert_true(memory <= 48 * added + 16384);
		for (size_t i = 0; i < n; i += 997) {
			uint64_t inode = 30000000 + i * 7 % n * 3;
			uint32_t k;
			const int32_t *pids = sockstate__owners_find(m, inode, &k);

			assert_non_null(pids);
			assert_int_equal(k, i % 1000 == 0 ? 2 : 1);
			assert_int_equal(pids[0], (int32_t)(1000 + i % 50));
			if (k == 2)
				assert_int_equal(pids[1], 9999);
		}
		if (memory > peak)
			peak = memory;
	}
	/* The largest walk's memory serves a smaller one. */
	sockstate__owners_reset(m);
	for (uint64_t k = 1; k <= 1000; k++)
		assert_int_equal(sockstate__owners_add(m, k, 1), 0);
	assert_int_equal(sockstate__owners_finish(m), 0);
	assert_true(sockstate__owners_memory(m) <= peak);
	sockstate__owners_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_and_names),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_index_collisions_and_reuse),
		cmocka_unit_test(test_bytes_per_descriptor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
