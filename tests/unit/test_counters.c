/* test_counters.c - the one counter table (libsockstate/src/counters.c):
 * names, every spelling parsed back to its counter and to no other, the
 * native names each OS is decided to keep (and the ones it does not),
 * the explanations in both languages, and the argument checks of
 * sockstate_tcp_counters_get. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend_internal.h"

#define BIT(c) SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_##c)
#define ALL ((UINT64_C(1) << SOCKSTATE_COUNTER_COUNT) - 1)

/* What each OS keeps, as decided in counters.c and docs/COUNTERS.md: a
 * change to the table must change this on purpose. */
static const uint64_t kept[SOCKSTATE__COUNTERS_OS_COUNT] = {
	[SOCKSTATE__COUNTERS_LINUX] = ALL,
	[SOCKSTATE__COUNTERS_FREEBSD] =
		BIT(ACTIVE_OPENS) | BIT(PASSIVE_OPENS) | BIT(ATTEMPT_FAILS) |
		BIT(ESTABLISHED_RESETS) | BIT(SEGMENTS_RECEIVED) | BIT(SEGMENTS_SENT) |
		BIT(SEGMENTS_RETRANSMITTED) | BIT(BAD_SEGMENTS_RECEIVED) | BIT(TIMEOUTS) |
		BIT(LISTEN_OVERFLOWS) | BIT(SYNCOOKIES_SENT) | BIT(SYNCOOKIES_RECEIVED) |
		BIT(ABORTS_ON_TIMEOUT),
	[SOCKSTATE__COUNTERS_MACOS] =
		BIT(ACTIVE_OPENS) | BIT(PASSIVE_OPENS) | BIT(ATTEMPT_FAILS) |
		BIT(ESTABLISHED_RESETS) | BIT(SEGMENTS_RECEIVED) | BIT(SEGMENTS_SENT) |
		BIT(SEGMENTS_RETRANSMITTED) | BIT(BAD_SEGMENTS_RECEIVED) | BIT(TIMEOUTS) |
		BIT(LISTEN_OVERFLOWS) | BIT(ABORTS_ON_TIMEOUT),
	[SOCKSTATE__COUNTERS_WINDOWS] =
		BIT(ACTIVE_OPENS) | BIT(PASSIVE_OPENS) | BIT(ATTEMPT_FAILS) |
		BIT(ESTABLISHED_RESETS) | BIT(RESETS_SENT) | BIT(SEGMENTS_RECEIVED) |
		BIT(SEGMENTS_SENT) | BIT(SEGMENTS_RETRANSMITTED) | BIT(BAD_SEGMENTS_RECEIVED),
};

static void test_names(void **unused)
{
	(void)unused;
	for (int c = 0; c < SOCKSTATE_COUNTER_COUNT; c++) {
		const char *name = sockstate_counter_name((sockstate_counter)c);

		assert_non_null(name);
		assert_true(strlen(name) > 0 && strlen(name) <= 24);
		for (const char *p = name; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
		for (int d = 0; d < c; d++)
			assert_string_not_equal(name, sockstate_counter_name((sockstate_counter)d));
	}
	assert_string_equal(sockstate_counter_name(SOCKSTATE_COUNTER_LISTEN_OVERFLOWS),
	                    "listen_overflows");
	assert_null(sockstate_counter_name(SOCKSTATE_COUNTER_COUNT));
	assert_null(sockstate_counter_name((sockstate_counter)-1));
}

/* Every spelling the table gives a counter parses to that counter: no
 * two counters share one. */
static void test_every_spelling_parses_back(void **unused)
{
	size_t spellings = 0;

	(void)unused;
	for (int c = 0; c < SOCKSTATE_COUNTER_COUNT; c++) {
		const char *names[2 + SOCKSTATE__COUNTERS_OS_COUNT];
		size_t n = 0;

		names[n++] = sockstate_counter_name((sockstate_counter)c);
		for (int os = 0; os < SOCKSTATE__COUNTERS_OS_COUNT; os++) {
			const char *native = sockstate__counter_native((sockstate_counter)c,
			                                               (sockstate__counter_os)os);
			if (native && !strchr(native, ' '))
				names[n++] = native;
		}
		for (size_t i = 0; i < n; i++) {
			sockstate_counter got = SOCKSTATE_COUNTER_COUNT;

			assert_int_equal(sockstate_counter_parse(names[i], &got), 0);
			assert_int_equal(got, c);
			spellings++;
		}
	}
	assert_true(spellings > SOCKSTATE_COUNTER_COUNT);
}

static void test_parse_spellings(void **unused)
{
	static const struct {
		const char *text;
		sockstate_counter want;
	} good[] = {
		{"listen_overflows", SOCKSTATE_COUNTER_LISTEN_OVERFLOWS},
		{"LISTEN-OVERFLOWS", SOCKSTATE_COUNTER_LISTEN_OVERFLOWS},
		{"listen overflows", SOCKSTATE_COUNTER_LISTEN_OVERFLOWS},
		{"TcpExtListenOverflows", SOCKSTATE_COUNTER_LISTEN_OVERFLOWS},
		{"ListenOverflows", SOCKSTATE_COUNTER_LISTEN_OVERFLOWS},
		{"tcps_listendrop", SOCKSTATE_COUNTER_LISTEN_OVERFLOWS},
		{"TcpActiveOpens", SOCKSTATE_COUNTER_ACTIVE_OPENS},
		{"activeopens", SOCKSTATE_COUNTER_ACTIVE_OPENS},
		{"tcps_connattempt", SOCKSTATE_COUNTER_ACTIVE_OPENS},
		{"dwActiveOpens", SOCKSTATE_COUNTER_ACTIVE_OPENS},
		{"dwAttemptFails", SOCKSTATE_COUNTER_ATTEMPT_FAILS},
		{"tcps_conndrops", SOCKSTATE_COUNTER_ATTEMPT_FAILS},
		{"OutRsts", SOCKSTATE_COUNTER_RESETS_SENT},
		{"dwOutRsts", SOCKSTATE_COUNTER_RESETS_SENT},
		{"tcps_sc_sendcookie", SOCKSTATE_COUNTER_SYNCOOKIES_SENT},
		{"TCPAbortOnTimeout", SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT},
	};
	static const char *const bad[] = {
		"", "listen", "listen_overflow", "overflows", "TcpExt", "Tcp",
		/* one field of a sum is not the counter */
		"tcps_keepdrops", "tcps_persistdrop", "tcps_rcvbadoff", "tcps_sndtotal",
		"tcps_sndtotal - tcps_sndrexmitpack",
		/* native counters of no counter of ours */
		"MaxConn", "CurrEstab", "tcps_sndctrl", "dwNumConns",
		"dwActiveOpens (AF_INET + AF_INET6)", "listen_overflows ",
	};

	(void)unused;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		sockstate_counter got = SOCKSTATE_COUNTER_COUNT;

		assert_int_equal(sockstate_counter_parse(good[i].text, &got), 0);
		assert_int_equal(got, good[i].want);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sockstate_counter got = SOCKSTATE_COUNTER_COUNT;

		print_message("refused: \"%s\"\n", bad[i]);
		assert_int_equal(sockstate_counter_parse(bad[i], &got), SOCKSTATE_EINVAL);
		assert_int_equal(got, SOCKSTATE_COUNTER_COUNT);
	}
	assert_int_equal(sockstate_counter_parse(NULL, NULL), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_counter_parse("timeouts", NULL), SOCKSTATE_EINVAL);
}

static void test_what_each_os_keeps(void **unused)
{
	(void)unused;
	for (int os = 0; os < SOCKSTATE__COUNTERS_OS_COUNT; os++) {
		for (int c = 0; c < SOCKSTATE_COUNTER_COUNT; c++) {
			const char *native = sockstate__counter_native((sockstate_counter)c,
			                                               (sockstate__counter_os)os);
			int want = (kept[os] & SOCKSTATE_COUNTER_BIT(c)) != 0;

			print_message("os %d %s: %s\n", os,
			              sockstate_counter_name((sockstate_counter)c),
			              native ? native : "(unknown)");
			assert_int_equal(native != NULL, want);
		}
	}
	assert_null(sockstate__counter_native(SOCKSTATE_COUNTER_COUNT,
	                                      SOCKSTATE__COUNTERS_LINUX));
	assert_null(sockstate__counter_native(SOCKSTATE_COUNTER_TIMEOUTS,
	                                      SOCKSTATE__COUNTERS_OS_COUNT));
}

/* A counter made of several native ones says so, and they are these. */
static void test_sums_say_so(void **unused)
{
	(void)unused;
	assert_string_equal(sockstate__counter_native(SOCKSTATE_COUNTER_SEGMENTS_SENT,
	                                              SOCKSTATE__COUNTERS_MACOS),
	                    "tcps_sndtotal - tcps_sndrexmitpack");
	assert_string_equal(sockstate__counter_native(SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT,
	                                              SOCKSTATE__COUNTERS_FREEBSD),
	                    "tcps_timeoutdrop + tcps_persistdrop + tcps_keepdrops");
	assert_string_equal(sockstate__counter_native(SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT,
	                                              SOCKSTATE__COUNTERS_MACOS),
	                    "tcps_timeoutdrop + tcps_rxtfindrop + tcps_drop_after_sleep"
	                    " + tcps_persistdrop + tcps_keepdrops");
	assert_string_equal(sockstate__counter_native(SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED,
	                                              SOCKSTATE__COUNTERS_FREEBSD),
	                    "tcps_rcvbadsum + tcps_rcvbadoff + tcps_rcvshort");
	for (int c = 0; c < SOCKSTATE_COUNTER_COUNT; c++) {
		const char *w = sockstate__counter_native((sockstate_counter)c,
		                                          SOCKSTATE__COUNTERS_WINDOWS);
		const char *tail = " (AF_INET + AF_INET6)";

		if (!w)
			continue;
		assert_true(strncmp(w, "dw", 2) == 0);
		assert_string_equal(w + strlen(w) - strlen(tail), tail);
	}
}

/* The Linux columns: found under their own line's prefix only. */
static void test_linux_columns(void **unused)
{
	(void)unused;
	assert_int_equal(sockstate__counter_linux_column("TcpExt", 6, "ListenOverflows", 15),
	                 SOCKSTATE_COUNTER_LISTEN_OVERFLOWS);
	assert_int_equal(sockstate__counter_linux_column("Tcp", 3, "OutRsts", 7),
	                 SOCKSTATE_COUNTER_RESETS_SENT);
	assert_int_equal(sockstate__counter_linux_column("Tcp", 3, "ExtListenOverflows", 18), -1);
	assert_int_equal(sockstate__counter_linux_column("Udp", 3, "InErrs", 6), -1);
	assert_int_equal(sockstate__counter_linux_column("Tcp", 3, "OutRst", 6), -1);
	assert_int_equal(sockstate__counter_linux_column("Tc", 2, "pOutRsts", 8), -1);
	for (int c = 0; c < SOCKSTATE_COUNTER_COUNT; c++) {
		const char *native = sockstate__counter_native((sockstate_counter)c,
		                                               SOCKSTATE__COUNTERS_LINUX);
		size_t plen = strncmp(native, "TcpExt", 6) == 0 ? 6 : 3;

		assert_int_equal(sockstate__counter_linux_column(native, plen, native + plen,
		                                                 strlen(native) - plen), c);
	}
}

static void test_describe_every_counter(void **unused)
{
	(void)unused;
	for (int c = 0; c < SOCKSTATE_COUNTER_COUNT; c++) {
		sockstate_counter_info en, es;

		assert_int_equal(sockstate_counter_describe((sockstate_counter)c, "en", &en), 0);
		assert_int_equal(sockstate_counter_describe((sockstate_counter)c, "es", &es), 0);
		assert_int_equal(en.counter, c);
		assert_string_equal(en.name, sockstate_counter_name((sockstate_counter)c));
		assert_string_equal(es.name, en.name);
		assert_int_equal(es.side, en.side);
		assert_true(en.side <= SOCKSTATE_SIDE_CLOSER);
		assert_true(strlen(en.meaning) > 20 && strlen(en.counted_by) > 5 &&
		            strlen(en.growth_means) > 20);
		assert_true(strlen(es.meaning) > 20 && strlen(es.counted_by) > 5 &&
		            strlen(es.growth_means) > 20);
		assert_string_not_equal(en.meaning, es.meaning);
		assert_string_not_equal(en.growth_means, es.growth_means);
		/* One line each: Prometheus HELP and table cells take them. */
		assert_null(strpbrk(en.meaning, "\n\\"));
		assert_null(strpbrk(en.growth_means, "\n\\"));
		for (int d = 0; d < c; d++) {
			sockstate_counter_info other;

			assert_int_equal(sockstate_counter_describe((sockstate_counter)d, "en",
			                                            &other), 0);
			assert_string_not_equal(en.meaning, other.meaning);
		}
	}
}

static void test_describe_arguments(void **unused)
{
	sockstate_counter_info d;
	sockstate_state_info s;

	(void)unused;
	assert_int_equal(sockstate_counter_describe(SOCKSTATE_COUNTER_TIMEOUTS, NULL, &d), 0);
	assert_int_equal(d.side, SOCKSTATE_SIDE_BOTH);
	assert_string_equal(d.counted_by, "Both sides (the sender of the unacknowledged data).");
	assert_int_equal(sockstate_counter_describe(SOCKSTATE_COUNTER_LISTEN_OVERFLOWS,
	                                            "es_ES.UTF-8", &d), 0);
	assert_int_equal(d.side, SOCKSTATE_SIDE_SERVER);
	assert_string_equal(d.counted_by, "El servidor (el lado que escucha).");
	assert_int_equal(sockstate_counter_describe(SOCKSTATE_COUNTER_TIME_WAIT_OVERFLOWS, "en",
	                                            &d), 0);
	assert_int_equal(d.side, SOCKSTATE_SIDE_CLOSER);
	assert_int_equal(sockstate_counter_describe(SOCKSTATE_COUNTER_TIMEOUTS, "fr", &d),
	                 SOCKSTATE_EINVAL);
	assert_null(d.meaning);
	assert_int_equal(sockstate_counter_describe(SOCKSTATE_COUNTER_COUNT, "en", &d),
	                 SOCKSTATE_EINVAL);
	assert_null(d.name);
	assert_int_equal(sockstate_counter_describe((sockstate_counter)-1, "en", &d),
	                 SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_counter_describe(SOCKSTATE_COUNTER_TIMEOUTS, "en", NULL),
	                 SOCKSTATE_EINVAL);
	/* The states' rows are where they were in the shared table. */
	assert_int_equal(sockstate_state_describe(SOCKSTATE_BOUND, "en", &s), 0);
	assert_int_equal(s.side, SOCKSTATE_SIDE_NONE);
	assert_non_null(strstr(s.meaning, "bound to a local address"));
	assert_int_equal(sockstate_state_describe(SOCKSTATE_STATE_COUNT, "en", &s),
	                 SOCKSTATE_EINVAL);
}

static void test_clear_and_set(void **unused)
{
	sockstate_tcp_counters c;

	(void)unused;
	memset(&c, 0xa5, sizeof c);
	c.size = sizeof c + 100;  /* a later, larger struct: only ours is filled */
	sockstate__tcp_counters_clear(&c, "here");
	assert_int_equal(c.size, sizeof c);
	assert_int_equal(c.count, SOCKSTATE_COUNTER_COUNT);
	assert_int_equal(c.valid, 0);
	assert_string_equal(c.source, "here");
	for (int k = 0; k < SOCKSTATE_COUNTER_MAX; k++) {
		assert_int_equal(c.value[k], 0);
		assert_null(c.native[k]);
	}
	sockstate__tcp_counter_set(&c, SOCKSTATE_COUNTER_TIMEOUTS, 7, SOCKSTATE__COUNTERS_MACOS);
	assert_int_equal(c.valid, BIT(TIMEOUTS));
	assert_int_equal(c.value[SOCKSTATE_COUNTER_TIMEOUTS], 7);
	assert_string_equal(c.native[SOCKSTATE_COUNTER_TIMEOUTS], "tcps_rexmttimeo");
}

static void test_get_arguments(void **unused)
{
	sockstate_tcp_counters c;
	sockstate_handle *h = NULL;
	int rc;

	(void)unused;
	memset(&c, 0x5a, sizeof c);
	c.size = sizeof c;
	assert_int_equal(sockstate_tcp_counters_get(NULL, &c), SOCKSTATE_EINVAL);
	assert_int_equal(c.valid, UINT64_C(0x5a5a5a5a5a5a5a5a)); /* untouched */
	assert_int_equal(sockstate_open(&h, NULL), 0);
	assert_int_equal(sockstate_tcp_counters_get(h, NULL), SOCKSTATE_EINVAL);
	c.size = (uint32_t)(sizeof c - 1);
	assert_int_equal(sockstate_tcp_counters_get(h, &c), SOCKSTATE_EINVAL);
	assert_int_equal(c.valid, UINT64_C(0x5a5a5a5a5a5a5a5a));
	c.size = 0;
	assert_int_equal(sockstate_tcp_counters_get(h, &c), SOCKSTATE_EINVAL);
	/* A struct of this build: filled (where the OS has counters). */
	c.size = sizeof c;
	rc = sockstate_tcp_counters_get(h, &c);
	assert_true(rc == 0 || rc == SOCKSTATE_ENOTSUP || rc == SOCKSTATE_EPERM);
	assert_int_equal(c.size, sizeof c);
	assert_int_equal(c.count, SOCKSTATE_COUNTER_COUNT);
	if (rc == 0) {
		assert_non_null(c.source);
		assert_int_not_equal(c.valid, 0);
		assert_string_equal(sockstate_errdetail(h), "");
	} else {
		assert_int_equal(c.valid, 0);
		assert_string_not_equal(sockstate_errdetail(h), "");
	}
	sockstate_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_every_spelling_parses_back),
		cmocka_unit_test(test_parse_spellings),
		cmocka_unit_test(test_what_each_os_keeps),
		cmocka_unit_test(test_sums_say_so),
		cmocka_unit_test(test_linux_columns),
		cmocka_unit_test(test_describe_every_counter),
		cmocka_unit_test(test_describe_arguments),
		cmocka_unit_test(test_clear_and_set),
		cmocka_unit_test(test_get_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
