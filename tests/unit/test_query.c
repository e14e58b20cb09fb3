/* test_query.c - filters from text, and the user-space match with the
 * kernel's semantics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core_internal.h"

static sockstate_socket sock(uint8_t family, const char *local, uint16_t lport,
                             const char *remote, uint16_t rport, sockstate_state state)
{
	sockstate_socket s;
	sockstate_prefix p;

	sockstate__socket_init(&s);
	s.family = family;
	s.state = (uint8_t)state;
	assert_int_equal(sockstate_prefix_parse(local, &p), 0);
	memcpy(s.local.addr, p.addr, 16);
	assert_int_equal(sockstate_prefix_parse(remote, &p), 0);
	memcpy(s.remote.addr, p.addr, 16);
	s.local.port = lport;
	s.remote.port = rport;
	return s;
}

static int matches(const char *key, const char *value, const sockstate_socket *s)
{
	sockstate_query q;

	sockstate_query_init(&q);
	assert_int_equal(sockstate_query_set(&q, key, value), 0);
	return sockstate_query_match(&q, s);
}

static void test_defaults(void **unused)
{
	sockstate_query q;
	sockstate_socket s = sock(SOCKSTATE_FAMILY_IPV4, "127.0.0.1", 80, "0.0.0.0", 0,
	                          SOCKSTATE_LISTEN);

	(void)unused;
	sockstate_query_init(&q);
	assert_int_equal(q.size, sizeof q);
	assert_int_equal(q.port, -1);
	assert_int_equal(q.pid, -1);
	assert_true(q.uid == -1);
	assert_true(sockstate_query_match(&q, &s));
	assert_true(sockstate_query_match(NULL, &s));
	s.state = SOCKSTATE_BOUND; /* not in the default set */
	assert_false(sockstate_query_match(&q, &s));
	assert_true(matches("state", "all", &s));
}

static void test_ports(void **unused)
{
	sockstate_socket s = sock(SOCKSTATE_FAMILY_IPV4, "10.0.0.1", 40000, "10.0.0.2", 443,
	                          SOCKSTATE_ESTABLISHED);

	(void)unused;
	assert_true(matches("port", "443", &s));
	assert_true(matches("port", "40000", &s));
	assert_false(matches("port", "80", &s));
	assert_true(matches("dport", "443", &s));
	assert_false(matches("sport", "443", &s));
	assert_true(matches("sport", "40000", &s));
}

static void test_prefixes_like_the_kernel(void **unused)
{
	sockstate_socket v4 = sock(SOCKSTATE_FAMILY_IPV4, "192.0.2.7", 1, "198.51.100.1", 2,
	                           SOCKSTATE_ESTABLISHED);
	sockstate_socket mapped = sock(SOCKSTATE_FAMILY_IPV6, "::ffff:192.0.2.7", 1,
	                               "::ffff:198.51.100.1", 2, SOCKSTATE_ESTABLISHED);
	sockstate_socket v6 = sock(SOCKSTATE_FAMILY_IPV6, "2001:db8::7", 1, "::1", 2,
	                           SOCKSTATE_ESTABLISHED);

	(void)unused;
	assert_true(matches("saddr", "192.0.2.0/24", &v4));
	assert_true(matches("saddr", "192.0.2.0/24", &mapped)); /* as inet_diag does */
	assert_false(matches("saddr", "192.0.2.0/24", &v6));
	assert_false(matches("saddr", "192.0.3.0/24", &v4));
	assert_true(matches("daddr", "198.51.100.1", &v4));
	assert_true(matches("addr", "198.51.100.0/25", &mapped));
	assert_true(matches("addr", "2001:db8::/32", &v6));
	assert_false(matches("addr", "2001:db8::/32", &v4));
	/* an IPv6 prefix never matches an IPv4 socket, even a mapped one */
	assert_false(matches("saddr", "::ffff:192.0.2.7", &v4));
	assert_true(matches("saddr", "::ffff:192.0.2.7", &mapped));
	assert_true(matches("saddr", "0.0.0.0/0", &v4));
	assert_false(matches("saddr", "0.0.0.0/0", &v6));
	assert_true(matches("saddr", "2001:db8::4/126", &v6));
	assert_false(matches("saddr", "2001:db8::4/127", &v6));
}

static void test_family_pid_uid(void **unused)
{
	sockstate_socket s = sock(SOCKSTATE_FAMILY_IPV6, "::1", 5, "::1", 6,
	                          SOCKSTATE_ESTABLISHED);
	static const int32_t owners[] = {100, 200};

	(void)unused;
	assert_true(matches("family", "6", &s));
	assert_false(matches("family", "ipv4", &s));
	assert_true(matches("family", "all", &s));
	assert_false(matches("pid", "200", &s)); /* unknown owner never matches */
	s.valid |= SOCKSTATE_HAS_PID;
	s.pid = 100;
	s.pids = owners;
	s.pid_count = 2;
	assert_true(matches("pid", "200", &s));
	assert_false(matches("pid", "300", &s));
	assert_false(matches("uid", "0", &s));
	s.valid |= SOCKSTATE_HAS_UID;
	s.uid = 0;
	assert_true(matches("uid", "0", &s));
	assert_false(matches("uid", "1000", &s));
}

static void test_set_rejects(void **unused)
{
	sockstate_query q, before;

	(void)unused;
	sockstate_query_init(&q);
	before = q;
	assert_int_equal(sockstate_query_set(&q, "port", "70000"), SOCKSTATE_ERANGE);
	assert_int_equal(sockstate_query_set(&q, "port", "-1"), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_query_set(&q, "pid", "0"), SOCKSTATE_ERANGE);
	assert_int_equal(sockstate_query_set(&q, "pid", "2147483648"), SOCKSTATE_ERANGE);
	assert_int_equal(sockstate_query_set(&q, "uid", "4294967295"), SOCKSTATE_ERANGE);
	assert_int_equal(sockstate_query_set(&q, "family", "5"), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_query_set(&q, "addr", "1.2.3.4/40"), SOCKSTATE_ERANGE);
	assert_int_equal(sockstate_query_set(&q, "colour", "red"), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_query_set(&q, NULL, "1"), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_query_set(&q, "port", NULL), SOCKSTATE_EINVAL);
	assert_memory_equal(&q, &before, sizeof q);
	assert_int_equal(sockstate_query_set(&q, "uid", "4294967294"), 0);
	assert_true(q.uid == 4294967294LL);
}

/* Alternatives: "sport 80, or dport 80", and ss's
 * "( src 0.0.0.0 or src 10.0.0.1 ) and dst 10.0.0.2" as the two
 * alternatives it means. */
static void test_or_alternatives(void **unused)
{
	sockstate_socket out = sock(SOCKSTATE_FAMILY_IPV4, "10.0.0.1", 80, "10.0.0.2", 40000,
	                            SOCKSTATE_ESTABLISHED);
	sockstate_socket in = sock(SOCKSTATE_FAMILY_IPV4, "10.0.0.1", 40001, "10.0.0.2", 80,
	                           SOCKSTATE_ESTABLISHED);
	sockstate_socket other = sock(SOCKSTATE_FAMILY_IPV4, "10.0.0.1", 22, "10.0.0.2", 40002,
	                              SOCKSTATE_ESTABLISHED);
	sockstate_socket listener = sock(SOCKSTATE_FAMILY_IPV4, "0.0.0.0", 22, "0.0.0.0", 0,
	                                 SOCKSTATE_LISTEN);
	sockstate_socket peer2 = sock(SOCKSTATE_FAMILY_IPV4, "10.0.0.1", 22, "10.0.0.2", 50312,
	                              SOCKSTATE_ESTABLISHED);
	sockstate_socket peer1 = sock(SOCKSTATE_FAMILY_IPV4, "10.0.0.1", 22, "10.0.0.1", 36266,
	                              SOCKSTATE_ESTABLISHED);
	sockstate_query q;

	(void)unused;
	sockstate_query_init(&q);
	assert_int_equal(sockstate_query_or(&q), SOCKSTATE_EINVAL); /* nothing to OR */
	assert_int_equal(sockstate_query_set(&q, "sport", "80"), 0);
	assert_int_equal(sockstate_query_or(&q), 0);
	assert_int_equal(q.alt_count, 1);
	assert_int_equal(sockstate_query_set(&q, "dport", "80"), 0);
	assert_int_equal(q.sport, 80);
	assert_int_equal(q.dport, -1);
	assert_int_equal(q.alt[0].dport, 80);
	assert_int_equal(q.alt[0].sport, -1);
	assert_true(sockstate_query_match(&q, &out));
	assert_true(sockstate_query_match(&q, &in));
	assert_false(sockstate_query_match(&q, &other));
	/* States apply to every alternative. */
	assert_int_equal(sockstate_query_set(&q, "state", "listen"), 0);
	assert_false(sockstate_query_match(&q, &out));
	assert_false(sockstate_query_match(&q, &in));

	sockstate_query_init(&q);
	assert_int_equal(sockstate_query_set(&q, "saddr", "0.0.0.0"), 0);
	assert_int_equal(sockstate_query_set(&q, "daddr", "10.0.0.2"), 0);
	assert_int_equal(sockstate_query_or(&q), 0);
	assert_int_equal(sockstate_query_set(&q, "saddr", "10.0.0.1"), 0);
	assert_int_equal(sockstate_query_set(&q, "daddr", "10.0.0.2"), 0);
	assert_true(sockstate_query_match(&q, &peer2));
	assert_false(sockstate_query_match(&q, &peer1));
	assert_false(sockstate_query_match(&q, &listener));

	/* An alternative left empty passes every socket. */
	assert_int_equal(sockstate_query_or(&q), 0);
	assert_true(sockstate_query_match(&q, &listener));
	assert_true(sockstate_query_match(&q, &peer1));
}

static void test_or_limits(void **unused)
{
	sockstate_query q, before;

	(void)unused;
	sockstate_query_init(&q);
	for (int i = 0; i < SOCKSTATE_QUERY_ALT_MAX; i++) {
		assert_int_equal(sockstate_query_set(&q, "port", "1"), 0);
		assert_int_equal(sockstate_query_or(&q), 0);
	}
	assert_int_equal(sockstate_query_set(&q, "port", "1"), 0);
	before = q;
	assert_int_equal(sockstate_query_or(&q), SOCKSTATE_ERANGE);
	assert_memory_equal(&q, &before, sizeof q);
	/* A bad value goes nowhere, in an alternative too. */
	assert_int_equal(sockstate_query_set(&q, "saddr", "10.0.0.0/33"), SOCKSTATE_ERANGE);
	assert_memory_equal(&q, &before, sizeof q);
	assert_int_equal(sockstate_query_or(NULL), SOCKSTATE_EINVAL);
	q.alt_count = SOCKSTATE_QUERY_ALT_MAX + 1;
	assert_int_equal(sockstate_query_set(&q, "port", "2"), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_query_or(&q), SOCKSTATE_EINVAL);
}

/* A caller built against the first header: its struct ends before
 * alt_count, and what lies beyond it is not the caller's to read. */
static void test_query_of_an_older_size(void **unused)
{
	sockstate_socket s = sock(SOCKSTATE_FAMILY_IPV4, "10.0.0.1", 80, "10.0.0.2", 40000,
	                          SOCKSTATE_ESTABLISHED);
	sockstate_query q;

	(void)unused;
	sockstate_query_init(&q);
	q.size = SOCKSTATE__QUERY_MIN_SIZE;
	memset(&q.alt_count, 0xa5, sizeof q - SOCKSTATE__QUERY_MIN_SIZE);
	assert_int_equal(sockstate_query_set(&q, "dport", "40000"), 0);
	assert_int_equal(q.dport, 40000);
	assert_int_equal(q.alt_count, 0xa5a5a5a5u); /* untouched */
	assert_true(sockstate_query_match(&q, &s));
	assert_int_equal(sockstate_query_set(&q, "dport", "1"), 0);
	assert_false(sockstate_query_match(&q, &s));
	assert_int_equal(sockstate_query_or(&q), SOCKSTATE_EINVAL);
	q.size = SOCKSTATE__QUERY_MIN_SIZE - 1;
	assert_int_equal(sockstate_query_set(&q, "dport", "2"), SOCKSTATE_EINVAL);
}

static void test_sort_key_parse(void **unused)
{
	sockstate_sort_key k = SOCKSTATE_SORT_NONE;

	(void)unused;
	assert_int_equal(sockstate_sort_key_parse("process", &k), 0);
	assert_int_equal(k, SOCKSTATE_SORT_PROCESS);
	assert_int_equal(sockstate_sort_key_parse("State", &k), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_sort_key_parse(NULL, &k), SOCKSTATE_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_prefixes_like_the_kernel),
		cmocka_unit_test(test_family_pid_uid),
		cmocka_unit_test(test_set_rejects),
		cmocka_unit_test(test_or_alternatives),
		cmocka_unit_test(test_or_limits),
		cmocka_unit_test(test_query_of_an_older_size),
		cmocka_unit_test(test_sort_key_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
