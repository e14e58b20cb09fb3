/* test_diag_decode.c - NETLINK_SOCK_DIAG replies to records: messages
 * built here field by field, captured kernel replies replayed against
 * their readable .expect, and every malformed shape refused with its code
 * (run under ASan: every buffer is allocated to its exact length, so a
 * read past it is caught). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <sys/socket.h>

#include "diag_internal.h"

#define FIXTURE(name) SOCKSTATE_FIXTURES "/linux/" name

/* Bytes of tcp_info the decoder needs (up to tcpi_total_retrans). */
#define INFO_NEEDED \
	(offsetof(struct tcp_info, tcpi_total_retrans) + sizeof(uint32_t))

/* ---- a small message builder ---- */

struct msgbuf {
	unsigned char b[16384];
	size_t len;
	size_t msg_at;               /* where the open message starts */
};

static void put(struct msgbuf *m, const void *p, size_t n)
{
	assert_true(m->len + n <= sizeof m->b);
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void pad4(struct msgbuf *m)
{
	static const unsigned char zero[4];
	put(m, zero, (4 - m->len % 4) % 4);
}

static void msg_begin(struct msgbuf *m, uint16_t type, uint16_t flags, uint32_t seq,
                      uint32_t pid)
{
	struct nlmsghdr h = {.nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq,
	                     .nlmsg_pid = pid};

	pad4(m);
	m->msg_at = m->len;
	put(m, &h, sizeof h);
}

/* Close the open message: its length is everything since msg_begin. */
static void msg_end(struct msgbuf *m)
{
	uint32_t len = (uint32_t)(m->len - m->msg_at);
	memcpy(m->b + m->msg_at + offsetof(struct nlmsghdr, nlmsg_len), &len, sizeof len);
}

static void put_attr(struct msgbuf *m, uint16_t type, const void *p, size_t n)
{
	struct nlattr a = {.nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = type};

	pad4(m);
	put(m, &a, sizeof a);
	put(m, p, n);
}

static void put_shutdown(struct msgbuf *m)
{
	const uint8_t how = 0;
	put_attr(m, INET_DIAG_SHUTDOWN, &how, 1);
}

static void put_int_msg(struct msgbuf *m, uint16_t type, int value)
{
	msg_begin(m, type, NLM_F_MULTI, 0, 0);
	put(m, &value, sizeof value);
	msg_end(m);
}

static struct inet_diag_msg diag4(uint8_t state, const char *src, uint16_t sport,
                                  const char *dst, uint16_t dport)
{
	struct inet_diag_msg d;

	memset(&d, 0, sizeof d);
	d.idiag_family = AF_INET;
	d.idiag_state = state;
	d.id.idiag_sport = htons(sport);
	d.id.idiag_dport = htons(dport);
	assert_int_equal(inet_pton(AF_INET, src, &d.id.idiag_src[0]), 1);
	assert_int_equal(inet_pton(AF_INET, dst, &d.id.idiag_dst[0]), 1);
	d.idiag_uid = 1000;
	d.idiag_inode = 4242;
	d.id.idiag_cookie[0] = 0x11223344;
	d.id.idiag_cookie[1] = 0x5;
	return d;
}

static struct inet_diag_msg diag6(uint8_t state, const char *src, uint16_t sport,
                                  const char *dst, uint16_t dport)
{
	struct inet_diag_msg d = diag4(state, "0.0.0.0", sport, "0.0.0.0", dport);

	d.idiag_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, src, d.id.idiag_src), 1);
	assert_int_equal(inet_pton(AF_INET6, dst, d.id.idiag_dst), 1);
	return d;
}

/* One socket message: the inet_diag_msg and, if full, the SHUTDOWN
 * attribute every full socket carries. */
static void put_socket(struct msgbuf *m, const struct inet_diag_msg *d, int full)
{
	msg_begin(m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0, 0);
	put(m, d, sizeof *d);
	if (full)
		put_shutdown(m);
	msg_end(m);
}

/* A copy of m's bytes in a block of exactly n bytes, for ASan. */
static unsigned char *exact(const void *p, size_t n)
{
	unsigned char *c = malloc(n ? n : 1);
	assert_non_null(c);
	if (n)
		memcpy(c, p, n);
	return c;
}

/* ---- collecting records ---- */

#define MAX_RECORDS 64

struct got {
	size_t n;
	sockstate_socket s[MAX_RECORDS];
	uint64_t key[MAX_RECORDS];
	size_t stop_after;           /* return stop_value after this many */
	int stop_value;
};

static int collect(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct got *g = ctx;

	assert_true(g->n < MAX_RECORDS);
	g->s[g->n] = *s;
	g->key[g->n] = owner_key;
	g->n++;
	if (g->stop_after && g->n == g->stop_after)
		return g->stop_value;
	return 0;
}

static int decode(const struct msgbuf *m, struct got *g, sockstate__diag_result *res)
{
	unsigned char *c = exact(m->b, m->len);
	int rc = sockstate__diag_decode(c, m->len, 0, 0, collect, g, res);
	free(c);
	return rc;
}

/* ---- records, field by field ---- */

static void test_ipv4_record(void **unused)
{
	struct msgbuf m = {.len = 0};
	struct inet_diag_msg d = diag4(1, "192.0.2.1", 22, "198.51.100.7", 51000);
	sockstate__diag_result res;
	struct got g = {.n = 0};
	const sockstate_socket *s = &g.s[0];
	const uint8_t local[4] = {192, 0, 2, 1}, remote[4] = {198, 51, 100, 7};

	(void)unused;
	d.idiag_timer = 2;
	d.idiag_retrans = 3;
	d.idiag_expires = 7000;
	d.idiag_rqueue = 11;
	d.idiag_wqueue = 12;
	d.id.idiag_if = 5;
	put_socket(&m, &d, 1);
	assert_int_equal(decode(&m, &g, &res), 0);
	assert_int_equal(res.done, 0);
	assert_int_equal(res.records, 1);
	assert_int_equal(g.n, 1);
	assert_int_equal(s->size, sizeof(sockstate_socket));
	assert_int_equal(s->family, SOCKSTATE_FAMILY_IPV4);
	assert_int_equal(s->state, SOCKSTATE_ESTABLISHED);
	assert_int_equal(s->native_code, 1);
	assert_string_equal(s->native_name, "ESTAB");
	assert_memory_equal(s->local.addr, local, 4);
	assert_memory_equal(s->remote.addr, remote, 4);
	for (int i = 4; i < 16; i++) {
		assert_int_equal(s->local.addr[i], 0);
		assert_int_equal(s->remote.addr[i], 0);
	}
	assert_int_equal(s->local.port, 22);
	assert_int_equal(s->remote.port, 51000);
	assert_int_equal(s->local.scope_id, 0);
	assert_int_equal(s->remote.scope_id, 0);
	assert_int_equal(s->uid, 1000);
	assert_int_equal(s->inode, 4242);
	assert_int_equal(g.key[0], 4242);
	assert_int_equal(s->cookie, UINT64_C(0x511223344));
	assert_int_equal(s->rx_queue, 11);
	assert_int_equal(s->tx_queue, 12);
	assert_int_equal(s->ifindex, 5);
	assert_int_equal(s->timer, SOCKSTATE_TIMER_KEEPALIVE);
	assert_int_equal(s->retransmits, 3);
	assert_int_equal(s->expires_ms, 7000);
	assert_int_equal(s->pid, -1);
	assert_int_equal(s->pid_count, 0);
	assert_null(s->pids);
	assert_null(s->process);
	assert_int_equal(s->rtt_us, 0);
	assert_int_equal(s->valid, SOCKSTATE_HAS_UID | SOCKSTATE_HAS_INODE |
	                           SOCKSTATE_HAS_QUEUES | SOCKSTATE_HAS_IFINDEX |
	                           SOCKSTATE_HAS_TIMER | SOCKSTATE_HAS_COOKIE);
}

static void test_ipv6_record_and_scope(void **unused)
{
	struct msgbuf m = {.len = 0};
	struct inet_diag_msg ll = diag6(10, "fe80::1", 7006, "::", 0);
	struct inet_diag_msg global = diag6(1, "2001:db8::1", 443, "fe80::9", 40000);
	struct inet_diag_msg mapped = diag6(1, "::ffff:127.0.0.1", 7007, "::ffff:127.0.0.1",
	                                    55364);
	sockstate__diag_result res;
	struct got g = {.n = 0};
	uint8_t a[16];

	(void)unused;
	ll.id.idiag_if = 3;
	global.id.idiag_if = 4;
	put_socket(&m, &ll, 1);
	put_socket(&m, &global, 1);
	put_socket(&m, &mapped, 1);
	assert_int_equal(decode(&m, &g, &res), 0);
	assert_int_equal(g.n, 3);

	assert_int_equal(g.s[0].family, SOCKSTATE_FAMILY_IPV6);
	assert_int_equal(g.s[0].state, SOCKSTATE_LISTEN);
	assert_string_equal(g.s[0].native_name, "LISTEN");
	inet_pton(AF_INET6, "fe80::1", a);
	assert_memory_equal(g.s[0].local.addr, a, 16);
	assert_int_equal(g.s[0].local.scope_id, 3);   /* link-local: zone */
	assert_int_equal(g.s[0].remote.scope_id, 0);  /* :: is not link-local */
	assert_int_equal(g.s[0].local.port, 7006);
	assert_int_equal(g.s[0].ifindex, 3);

	inet_pton(AF_INET6, "2001:db8::1", a);
	assert_memory_equal(g.s[1].local.addr, a, 16);
	assert_int_equal(g.s[1].local.scope_id, 0);   /* global: no zone */
	assert_int_equal(g.s[1].remote.scope_id, 4);  /* fe80::9 */
	assert_int_equal(g.s[1].ifindex, 4);

	inet_pton(AF_INET6, "::ffff:127.0.0.1", a);
	assert_memory_equal(g.s[2].local.addr, a, 16);
	assert_memory_equal(g.s[2].remote.addr, a, 16);
	assert_int_equal(g.s[2].remote.port, 55364);
}

/* A full socket's message with INET_DIAG_SKV6ONLY = v6only, after the
 * SHUTDOWN attribute or before it. */
static void put_socket_v6only(struct msgbuf *m, const struct inet_diag_msg *d,
                              uint8_t v6only, int after_shutdown)
{
	msg_begin(m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0, 0);
	put(m, d, sizeof *d);
	if (after_shutdown)
		put_shutdown(m);
	put_attr(m, INET_DIAG_SKV6ONLY, &v6only, 1);
	if (!after_shutdown)
		put_shutdown(m);
	msg_end(m);
}

/* INET_DIAG_SKV6ONLY, which the kernel adds unasked to IPv6 sockets in
 * LISTEN and CLOSE: a dual-stack wildcard listener (0), an IPv6-only one
 * (1), a bound socket (1), an IPv6 connection without the attribute
 * (unknown), and an IPv4 message carrying one (ignored: never said of
 * IPv4). */
static void test_v6only_attribute(void **unused)
{
	struct msgbuf m = {.len = 0};
	struct inet_diag_msg dual = diag6(10, "::", 443, "::", 0);
	struct inet_diag_msg only = diag6(10, "::", 444, "::", 0);
	struct inet_diag_msg bound = diag6(7, "::1", 445, "::", 0);
	struct inet_diag_msg conn = diag6(1, "::1", 446, "::1", 50000);
	struct inet_diag_msg four = diag4(10, "0.0.0.0", 447, "0.0.0.0", 0);
	sockstate__diag_result res;
	struct got g = {.n = 0};

	(void)unused;
	put_socket_v6only(&m, &dual, 0, 1);
	put_socket_v6only(&m, &only, 1, 0);  /* the attribute before SHUTDOWN */
	put_socket_v6only(&m, &bound, 1, 1);
	put_socket(&m, &conn, 1);
	put_socket_v6only(&m, &four, 1, 1);
	assert_int_equal(decode(&m, &g, &res), 0);
	assert_int_equal(g.n, 5);

	assert_true(g.s[0].valid & SOCKSTATE_HAS_V6ONLY);
	assert_int_equal(g.s[0].local.flags, 0);
	assert_true(g.s[1].valid & SOCKSTATE_HAS_V6ONLY);
	assert_int_equal(g.s[1].local.flags, SOCKSTATE_ENDPOINT_V6ONLY);
	assert_int_equal(g.s[1].remote.flags, 0);
	assert_int_equal(g.s[2].state, SOCKSTATE_BOUND);
	assert_true(g.s[2].valid & SOCKSTATE_HAS_V6ONLY);
	assert_int_equal(g.s[2].local.flags, SOCKSTATE_ENDPOINT_V6ONLY);
	assert_false(g.s[3].valid & SOCKSTATE_HAS_V6ONLY);
	assert_int_equal(g.s[3].local.flags, 0);
	assert_int_equal(g.s[4].family, SOCKSTATE_FAMILY_IPV4);
	assert_false(g.s[4].valid & SOCKSTATE_HAS_V6ONLY);
	assert_int_equal(g.s[4].local.flags, 0);
	/* everything else as without the attribute */
	assert_int_equal(g.s[1].local.port, 444);
	assert_true(g.s[1].valid & SOCKSTATE_HAS_UID);
}

static void test_every_state(void **unused)
{
	static const struct {
		uint8_t code;
		sockstate_state state;
		const char *name;
	} rows[] = {
		{1, SOCKSTATE_ESTABLISHED, "ESTAB"},
		{2, SOCKSTATE_SYN_SENT, "SYN-SENT"},
		{3, SOCKSTATE_SYN_RECEIVED, "SYN-RECV"},
		{4, SOCKSTATE_FIN_WAIT_1, "FIN-WAIT-1"},
		{5, SOCKSTATE_FIN_WAIT_2, "FIN-WAIT-2"},
		{6, SOCKSTATE_TIME_WAIT, "TIME-WAIT"},
		{7, SOCKSTATE_BOUND, "UNCONN"},
		{8, SOCKSTATE_CLOSE_WAIT, "CLOSE-WAIT"},
		{9, SOCKSTATE_LAST_ACK, "LAST-ACK"},
		{10, SOCKSTATE_LISTEN, "LISTEN"},
		{11, SOCKSTATE_CLOSING, "CLOSING"},
		{12, SOCKSTATE_SYN_RECEIVED, "SYN-RECV"},
		{13, SOCKSTATE_BOUND, "UNCONN"},
		{0, SOCKSTATE_UNKNOWN, "UNKNOWN"},
		{14, SOCKSTATE_UNKNOWN, "UNKNOWN"},
		{255, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	};
	const size_t n = sizeof rows / sizeof rows[0];
	struct msgbuf m = {.len = 0};
	sockstate__diag_result res;
	struct got g = {.n = 0};

	(void)unused;
	/* Twice over, so the second pass reads the decoder's state cache. */
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			struct inet_diag_msg d = diag4(rows[i].code, "127.0.0.1", 1, "127.0.0.1", 2);
			put_socket(&m, &d, 1);
		}
	assert_int_equal(decode(&m, &g, &res), 0);
	assert_int_equal(g.n, 2 * n);
	for (size_t i = 0; i < 2 * n; i++) {
		assert_int_equal(g.s[i].native_code, rows[i % n].code);
		assert_int_equal(g.s[i].state, rows[i % n].state);
		assert_string_equal(g.s[i].native_name, rows[i % n].name);
	}
}

/* TIME_WAIT and request sockets: no SHUTDOWN attribute, uid and inode 0
 * are the kernel's placeholders, so both stay unknown. */
static void test_placeholders_unknown(void **unused)
{
	struct msgbuf m = {.len = 0};
	struct inet_diag_msg tw = diag4(6, "127.0.0.1", 41250, "127.0.0.1", 7001);
	struct inet_diag_msg orphan = diag4(4, "127.0.0.1", 41251, "127.0.0.1", 7001);
	sockstate__diag_result res;
	struct got g = {.n = 0};

	(void)unused;
	tw.idiag_uid = 0;
	tw.idiag_inode = 0;
	tw.idiag_timer = 3;
	tw.idiag_expires = 59000;
	orphan.idiag_inode = 0;      /* closed by its process, still a full socket */
	orphan.id.idiag_cookie[0] = orphan.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	orphan.idiag_timer = 9;      /* no timer we know */
	put_socket(&m, &tw, 0);
	put_socket(&m, &orphan, 1);
	assert_int_equal(decode(&m, &g, &res), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.s[0].valid, SOCKSTATE_HAS_QUEUES | SOCKSTATE_HAS_IFINDEX |
	                               SOCKSTATE_HAS_TIMER | SOCKSTATE_HAS_COOKIE);
	assert_int_equal(g.s[0].uid, -1);
	assert_int_equal(g.s[0].inode, 0);
	assert_int_equal(g.key[0], 0);
	assert_int_equal(g.s[0].timer, SOCKSTATE_TIMER_TIME_WAIT);
	assert_int_equal(g.s[0].expires_ms, 59000);
	assert_int_equal(g.s[1].valid, SOCKSTATE_HAS_UID | SOCKSTATE_HAS_QUEUES |
	                               SOCKSTATE_HAS_IFINDEX);
	assert_int_equal(g.s[1].uid, 1000);
	assert_int_equal(g.s[1].cookie, 0);
	assert_int_equal(g.s[1].timer, 0);
	assert_int_equal(g.s[1].expires_ms, 0);
}

/* ---- tcp_info ---- */

static void put_info_socket(struct msgbuf *m, size_t info_len)
{
	unsigned char raw[sizeof(struct tcp_info) + 40];
	struct tcp_info info;
	struct inet_diag_msg d = diag4(1, "127.0.0.1", 5, "127.0.0.1", 6);
	const uint32_t cong = 0x72626200; /* "bbr" and a NUL, an unknown attribute */

	memset(&info, 0, sizeof info);
	info.tcpi_rtt = 20;
	info.tcpi_rttvar = 10;
	info.tcpi_snd_cwnd = 42;
	info.tcpi_total_retrans = 7;
	memset(raw, 0xab, sizeof raw);
	memcpy(raw, &info, sizeof info < info_len ? sizeof info : info_len);
	msg_begin(m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0, 0);
	put(m, &d, sizeof d);
	put_shutdown(m);
	put_attr(m, INET_DIAG_INFO, raw, info_len);
	put_attr(m, INET_DIAG_CONG, &cong, sizeof cong);
	msg_end(m);
}

static void test_tcp_info(void **unused)
{
	const size_t lens[] = {sizeof(struct tcp_info), sizeof(struct tcp_info) + 40,
	                       INFO_NEEDED, INFO_NEEDED - 1, 64, 0};
	const int complete[] = {1, 1, 1, 0, 0, 0};

	(void)unused;
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		struct msgbuf m = {.len = 0};
		sockstate__diag_result res;
		struct got g = {.n = 0};

		put_info_socket(&m, lens[i]);
		assert_int_equal(decode(&m, &g, &res), 0);
		assert_int_equal(g.n, 1);
		if (complete[i]) {
			assert_true(g.s[0].valid & SOCKSTATE_HAS_TCP_INFO);
			assert_int_equal(g.s[0].rtt_us, 20);
			assert_int_equal(g.s[0].rttvar_us, 10);
			assert_int_equal(g.s[0].snd_cwnd, 42);
			assert_int_equal(g.s[0].total_retrans, 7);
		} else {
			assert_false(g.s[0].valid & SOCKSTATE_HAS_TCP_INFO);
			assert_int_equal(g.s[0].rtt_us, 0);
			assert_int_equal(g.s[0].snd_cwnd, 0);
			assert_int_equal(g.s[0].total_retrans, 0);
		}
		assert_true(g.s[0].valid & SOCKSTATE_HAS_UID);
	}
}

/* ---- multi-part dumps ---- */

static void build_dump(struct msgbuf *m, size_t sockets, int done)
{
	for (size_t i = 0; i < sockets; i++) {
		struct inet_diag_msg d = diag4(1, "127.0.0.1", (uint16_t)(1000 + i), "127.0.0.1",
		                               80);
		d.id.idiag_cookie[0] = (uint32_t)(i + 1);
		d.id.idiag_cookie[1] = 0;
		put_socket(m, &d, 1);
	}
	if (done)
		put_int_msg(m, NLMSG_DONE, 0);
}

static void test_dump_one_buffer(void **unused)
{
	struct msgbuf m = {.len = 0};
	sockstate__diag_result res;
	struct got g = {.n = 0};

	(void)unused;
	build_dump(&m, 3, 1);
	assert_int_equal(decode(&m, &g, &res), 0);
	assert_int_equal(res.done, 1);
	assert_int_equal(res.records, 3);
	assert_int_equal(g.n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(g.s[i].local.port, 1000 + i);
		assert_int_equal(g.s[i].cookie, i + 1);
	}
}

static void test_dump_across_buffers(void **unused)
{
	struct msgbuf first = {.len = 0}, second = {.len = 0};
	sockstate__diag_result res;
	struct got g = {.n = 0};

	(void)unused;
	build_dump(&first, 2, 0);
	{
		struct inet_diag_msg d = diag6(10, "::1", 7001, "::", 0);
		put_socket(&second, &d, 1);
	}
	put_int_msg(&second, NLMSG_DONE, 0);
	assert_int_equal(decode(&first, &g, &res), 0);
	assert_int_equal(res.done, 0);
	assert_int_equal(res.records, 2);
	assert_int_equal(decode(&second, &g, &res), 0);
	assert_int_equal(res.done, 1);
	assert_int_equal(res.records, 1);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.s[2].family, SOCKSTATE_FAMILY_IPV6);
	assert_int_equal(g.s[2].local.port, 7001);
}

/* Kernels before 4.x end a dump with an empty NLMSG_DONE; anything after
 * NLMSG_DONE is not read. NLMSG_NOOP is skipped. */
static void test_done_variants(void **unused)
{
	struct msgbuf m = {.len = 0};
	sockstate__diag_result res;
	struct got g = {.n = 0};

	(void)unused;
	msg_begin(&m, NLMSG_NOOP, 0, 0, 0);
	msg_end(&m);
	build_dump(&m, 1, 0);
	msg_begin(&m, NLMSG_DONE, NLM_F_MULTI, 0, 0);
	msg_end(&m);
	put(&m, "garbage after the end", 21);
	assert_int_equal(decode(&m, &g, &res), 0);
	assert_int_equal(res.done, 1);
	assert_int_equal(g.n, 1);
}

static void test_done_with_error(void **unused)
{
	struct msgbuf m = {.len = 0};
	sockstate__diag_result res;
	struct got g = {.n = 0};

	(void)unused;
	build_dump(&m, 1, 0);
	put_int_msg(&m, NLMSG_DONE, -EPERM);
	assert_int_equal(decode(&m, &g, &res), SOCKSTATE_EPERM);
	assert_int_equal(res.done, 1);
	assert_int_equal(res.os_errno, EPERM);
	assert_non_null(res.why);
	assert_int_equal(g.n, 1);
}

static void test_nlmsg_error(void **unused)
{
	struct msgbuf m = {.len = 0};
	sockstate__diag_result res;
	struct got g = {.n = 0};
	struct nlmsgerr err;

	(void)unused;
	memset(&err, 0, sizeof err);
	err.error = -ENOENT;
	msg_begin(&m, NLMSG_ERROR, 0, 0, 0);
	put(&m, &err, sizeof err);
	msg_end(&m);
	assert_int_equal(decode(&m, &g, &res), SOCKSTATE_EUNAVAIL);
	assert_int_equal(res.os_errno, ENOENT);
	assert_int_equal(res.done, 1);
	assert_string_equal(res.why, "the kernel refused the request");

	/* error 0 is an ACK: the request's end. */
	m.len = 0;
	put_int_msg(&m, NLMSG_ERROR, 0);
	assert_int_equal(decode(&m, &g, &res), 0);
	assert_int_equal(res.done, 1);
	assert_int_equal(res.os_errno, 0);

	/* Too short to hold its int. */
	m.len = 0;
	msg_begin(&m, NLMSG_ERROR, 0, 0, 0);
	put(&m, "ab", 2);
	msg_end(&m);
	assert_int_equal(decode(&m, &g, &res), SOCKSTATE_EPARSE);
	assert_int_equal(g.n, 0);
}

static void test_errno_codes(void **unused)
{
	(void)unused;
	assert_int_equal(sockstate__diag_errno_code(EPERM), SOCKSTATE_EPERM);
	assert_int_equal(sockstate__diag_errno_code(EACCES), SOCKSTATE_EPERM);
	assert_int_equal(sockstate__diag_errno_code(ENOMEM), SOCKSTATE_ENOMEM);
	assert_int_equal(sockstate__diag_errno_code(ENOENT), SOCKSTATE_EUNAVAIL);
	assert_int_equal(sockstate__diag_errno_code(EAFNOSUPPORT), SOCKSTATE_EUNAVAIL);
	assert_int_equal(sockstate__diag_errno_code(EPROTONOSUPPORT), SOCKSTATE_EUNAVAIL);
	assert_int_equal(sockstate__diag_errno_code(EOPNOTSUPP), SOCKSTATE_EUNAVAIL);
	assert_int_equal(sockstate__diag_errno_code(EINTR), SOCKSTATE_EAGAIN);
	assert_int_equal(sockstate__diag_errno_code(ENOBUFS), SOCKSTATE_EAGAIN);
	assert_int_equal(sockstate__diag_errno_code(EINVAL), SOCKSTATE_EIO);
	assert_int_equal(sockstate__diag_errno_code(0), SOCKSTATE_EIO);
}

/* ---- the callback's word is final ---- */

static void test_callback_stop_and_error(void **unused)
{
	struct msgbuf m = {.len = 0};
	sockstate__diag_result res;
	struct got g = {.n = 0, .stop_after = 2, .stop_value = 7};

	(void)unused;
	build_dump(&m, 4, 1);
	assert_int_equal(decode(&m, &g, &res), 7);
	assert_int_equal(g.n, 2);
	assert_int_equal(res.done, 0);
	assert_int_equal(res.records, 2);

	g = (struct got){.n = 0, .stop_after = 1, .stop_value = SOCKSTATE_ENOMEM};
	assert_int_equal(decode(&m, &g, &res), SOCKSTATE_ENOMEM);
	assert_int_equal(g.n, 1);
}

/* ---- sequence number and port id ---- */

static void test_seq_and_portid(void **unused)
{
	struct msgbuf m = {.len = 0};
	struct inet_diag_msg d = diag4(10, "127.0.0.1", 7001, "0.0.0.0", 0);
	sockstate__diag_result res;
	struct got g = {.n = 0};
	unsigned char *c;

	(void)unused;
	msg_begin(&m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 9, 77);
	put(&m, &d, sizeof d);
	msg_end(&m);
	c = exact(m.b, m.len);
	assert_int_equal(sockstate__diag_decode(c, m.len, 9, 77, collect, &g, &res), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(sockstate__diag_decode(c, m.len, 8, 77, collect, &g, &res),
	                 SOCKSTATE_EPARSE);
	assert_string_equal(res.why, "reply carries another request's sequence number");
	assert_int_equal(sockstate__diag_decode(c, m.len, 9, 78, collect, &g, &res),
	                 SOCKSTATE_EPARSE);
	assert_string_equal(res.why, "reply is addressed to another netlink port");
	free(c);
	assert_int_equal(g.n, 1);

	/* A message carrying 0 is accepted (libmnl's rule). */
	m.len = 0;
	put_socket(&m, &d, 1);
	c = exact(m.b, m.len);
	assert_int_equal(sockstate__diag_decode(c, m.len, 9, 77, collect, &g, &res), 0);
	free(c);
	assert_int_equal(g.n, 2);
}

/* ---- malformed input: a clear code, nothing out of bounds ---- */

static void expect_parse_error(const struct msgbuf *m, size_t records, const char *why)
{
	sockstate__diag_result res;
	struct got g = {.n = 0};

	assert_int_equal(decode(m, &g, &res), SOCKSTATE_EPARSE);
	assert_int_equal(g.n, records);
	assert_string_equal(res.why, why);
}

static void set_len(struct msgbuf *m, size_t at, uint32_t len)
{
	memcpy(m->b + at + offsetof(struct nlmsghdr, nlmsg_len), &len, sizeof len);
}

static void test_truncated_header(void **unused)
{
	struct msgbuf m = {.len = 0};

	(void)unused;
	build_dump(&m, 1, 0);
	put(&m, "\x10\x00\x00\x00\x03\x00", 6);  /* 6 bytes of a next header */
	expect_parse_error(&m, 1, "truncated netlink header");
}

static void test_truncated_payload(void **unused)
{
	struct msgbuf m = {.len = 0};
	struct inet_diag_msg d = diag4(1, "127.0.0.1", 1, "127.0.0.1", 2);

	(void)unused;
	msg_begin(&m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0, 0);
	put(&m, &d, 40);   /* the message says 56 bytes: consistent, but short */
	msg_end(&m);
	expect_parse_error(&m, 0,
	                   "SOCK_DIAG_BY_FAMILY message shorter than struct inet_diag_msg");
}

static void test_nlmsg_len_bad(void **unused)
{
	const uint32_t lens[] = {0, 15, 0xffffffffu};
	const char *why[] = {"netlink message shorter than its header",
	                     "netlink message shorter than its header",
	                     "netlink message runs past the end of the reply"};

	(void)unused;
	for (size_t i = 0; i < 3; i++) {
		struct msgbuf m = {.len = 0};
		build_dump(&m, 2, 1);
		set_len(&m, m.len - NLMSG_HDRLEN - 4, lens[i]);  /* the DONE */
		expect_parse_error(&m, 2, why[i]);
	}
	/* Beyond the buffer by one byte: the end of the data is cut off. */
	{
		struct msgbuf m = {.len = 0};
		build_dump(&m, 1, 1);
		m.len--;
		expect_parse_error(&m, 1, "netlink message runs past the end of the reply");
	}
}

static void test_wrong_type_and_family(void **unused)
{
	struct msgbuf m = {.len = 0};
	struct inet_diag_msg d = diag4(1, "127.0.0.1", 1, "127.0.0.1", 2);

	(void)unused;
	build_dump(&m, 1, 0);
	msg_begin(&m, 16 /* RTM_NEWLINK */, 0, 0, 0);
	put(&m, &d, sizeof d);
	msg_end(&m);
	expect_parse_error(&m, 1, "unexpected netlink message type");

	m.len = 0;
	d.idiag_family = AF_UNIX;
	put_socket(&m, &d, 1);
	expect_parse_error(&m, 0, "inet_diag_msg family is neither AF_INET nor AF_INET6");
}

/* The one-walk request for both families (TCPDIAG_GETSOCK) gets replies
 * of its own type, IPv4 and IPv6 mixed: both decode. */
static void test_both_families_reply_type(void **unused)
{
	struct msgbuf m = {.len = 0};
	struct inet_diag_msg d4 = diag4(10, "127.0.0.1", 80, "0.0.0.0", 0);
	struct inet_diag_msg d6 = diag6(1, "::1", 443, "::1", 5000);
	struct got g = {.n = 0};
	sockstate__diag_result res;

	(void)unused;
	msg_begin(&m, TCPDIAG_GETSOCK, NLM_F_MULTI, 0, 0);
	put(&m, &d4, sizeof d4);
	put_shutdown(&m);
	msg_end(&m);
	msg_begin(&m, TCPDIAG_GETSOCK, NLM_F_MULTI, 0, 0);
	put(&m, &d6, sizeof d6);
	put_shutdown(&m);
	msg_end(&m);
	assert_int_equal(decode(&m, &g, &res), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.s[0].family, SOCKSTATE_FAMILY_IPV4);
	assert_int_equal(g.s[0].state, SOCKSTATE_LISTEN);
	assert_int_equal(g.s[0].local.port, 80);
	assert_int_equal(g.s[1].family, SOCKSTATE_FAMILY_IPV6);
	assert_int_equal(g.s[1].state, SOCKSTATE_ESTABLISHED);
	assert_int_equal(g.s[1].remote.port, 5000);
}

static void test_attribute_bad(void **unused)
{
	struct inet_diag_msg d = diag4(1, "127.0.0.1", 1, "127.0.0.1", 2);
	struct msgbuf m;
	struct nlattr a;

	(void)unused;
	/* Length beyond its message. */
	m.len = 0;
	msg_begin(&m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0, 0);
	put(&m, &d, sizeof d);
	a = (struct nlattr){.nla_len = 64, .nla_type = INET_DIAG_INFO};
	put(&m, &a, sizeof a);
	put(&m, "0123456789abcdef", 16);
	msg_end(&m);
	put_int_msg(&m, NLMSG_DONE, 0);  /* bytes exist after it: still refused */
	expect_parse_error(&m, 0, "attribute runs past the end of its message");

	/* Shorter than its own header. */
	m.len = 0;
	msg_begin(&m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0, 0);
	put(&m, &d, sizeof d);
	a = (struct nlattr){.nla_len = 2, .nla_type = INET_DIAG_SHUTDOWN};
	put(&m, &a, sizeof a);
	msg_end(&m);
	expect_parse_error(&m, 0, "attribute shorter than its header");

	/* Two stray bytes where a header would start. */
	m.len = 0;
	msg_begin(&m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0, 0);
	put(&m, &d, sizeof d);
	put(&m, "\x08\x00", 2);
	msg_end(&m);
	expect_parse_error(&m, 0, "truncated attribute header");

	/* A one-byte attribute with no byte. */
	static const struct {
		uint16_t type;
		const char *why;
	} empty[] = {
		{INET_DIAG_SHUTDOWN, "INET_DIAG_SHUTDOWN attribute is empty"},
		{INET_DIAG_SKV6ONLY, "INET_DIAG_SKV6ONLY attribute is empty"},
	};
	for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
		m.len = 0;
		msg_begin(&m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0, 0);
		put(&m, &d, sizeof d);
		put_attr(&m, empty[i].type, "", 0);
		msg_end(&m);
		expect_parse_error(&m, 0, empty[i].why);
	}
}

/* The last attribute and message of a buffer may lack their padding. */
static void test_unpadded_tail(void **unused)
{
	struct msgbuf m = {.len = 0};
	struct inet_diag_msg d = diag4(1, "127.0.0.1", 1, "127.0.0.1", 2);
	sockstate__diag_result res;
	struct got g = {.n = 0};

	(void)unused;
	put_socket(&m, &d, 1);        /* ends in a 5-byte attribute */
	assert_int_equal(m.len % 4, 1);
	assert_int_equal(decode(&m, &g, &res), 0);
	assert_int_equal(g.n, 1);
	assert_true(g.s[0].valid & SOCKSTATE_HAS_UID);
}

static void test_scan(void **unused)
{
	struct msgbuf m = {.len = 0};
	uint32_t count;
	uint16_t flags;
	const char *why;
	unsigned char *c;

	(void)unused;
	build_dump(&m, 3, 1);
	c = exact(m.b, m.len);
	assert_int_equal(sockstate__diag_scan(c, m.len, &count, &flags, &why), 0);
	assert_int_equal(count, 4);
	assert_int_equal(flags, NLM_F_MULTI);
	assert_null(why);
	free(c);

	msg_begin(&m, NLMSG_DONE, NLM_F_MULTI | NLM_F_DUMP_INTR, 0, 0);
	msg_end(&m);
	c = exact(m.b, m.len);
	assert_int_equal(sockstate__diag_scan(c, m.len, &count, &flags, &why), 0);
	assert_int_equal(count, 5);
	assert_int_equal(flags, NLM_F_MULTI | NLM_F_DUMP_INTR);
	free(c);

	set_len(&m, 0, 3);
	c = exact(m.b, m.len);
	assert_int_equal(sockstate__diag_scan(c, m.len, &count, &flags, &why),
	                 SOCKSTATE_EPARSE);
	assert_int_equal(count, 0);
	assert_string_equal(why, "netlink message shorter than its header");
	free(c);

	assert_int_equal(sockstate__diag_scan(m.b, 0, &count, &flags, &why), 0);
	assert_int_equal(count, 0);
}

/* Every prefix of a valid dump, and many corrupted copies: each decodes
 * to 0 or EPARSE, never past its buffer (ASan), never a record invented
 * from a cut message. */
static void test_every_truncation_and_corruption(void **unused)
{
	struct msgbuf m = {.len = 0};
	struct inet_diag_msg d = diag6(1, "fe80::1", 7, "::1", 8);
	size_t boundaries[8], nb = 0;
	uint32_t seed = 12345;

	(void)unused;
	put_info_socket(&m, sizeof(struct tcp_info));
	boundaries[nb++] = m.len;
	put_socket(&m, &d, 1);
	boundaries[nb++] = m.len;
	put_int_msg(&m, NLMSG_DONE, 0);
	boundaries[nb++] = m.len;

	for (size_t len = 0; len <= m.len; len++) {
		unsigned char *c = exact(m.b, len);
		sockstate__diag_result res;
		struct got g = {.n = 0};
		int rc = sockstate__diag_decode(c, len, 0, 0, collect, &g, &res);
		size_t whole = 0;

		for (size_t i = 0; i < nb; i++)
			if (boundaries[i] <= len)
				whole = i + 1;
		free(c);
		if (rc == 0) {
			/* Only at a message boundary, or inside the last message's
			 * padding (the socket message ends in a 5-byte attribute). */
			assert_true(len == 0 || len == m.len ||
			            (whole > 0 && len - boundaries[whole - 1] < 4));
			assert_int_equal(g.n, whole < 2 ? whole : 2);
		} else {
			assert_int_equal(rc, SOCKSTATE_EPARSE);
			assert_true(g.n <= whole);
		}
	}
	for (int round = 0; round < 20000; round++) {
		unsigned char *c = exact(m.b, m.len);
		sockstate__diag_result res;
		struct got g = {.n = 0};
		int flips = 1 + round % 4, rc;

		for (int f = 0; f < flips; f++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % m.len;
			seed = seed * 1103515245u + 12345u;
			c[at] = (unsigned char)(seed >> 16);
		}
		rc = sockstate__diag_decode(c, m.len, 0, 0, collect, &g, &res);
		free(c);
		assert_true(rc == 0 || rc == SOCKSTATE_EPARSE || rc < 0);
		assert_true(g.n <= 2);
	}
}

/* ---- captured replies ---- */

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void addr_text(const sockstate_socket *s, const sockstate_endpoint *ep, char *out,
                      size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(s->family == SOCKSTATE_FAMILY_IPV4 ? AF_INET : AF_INET6, ep->addr, a,
	          sizeof a);
	if (ep->scope_id)
		snprintf(out, len, "%s%%%u", a, ep->scope_id);
	else
		snprintf(out, len, "%s", a);
}

/* One record as the .expect files spell it; '-' is unknown. */
static void render(const sockstate_socket *s, char *out, size_t len)
{
	char local[80], remote[80], uid[24] = "-", inode[24] = "-", cookie[24] = "-";
	char timer[48] = "-", info[64] = "-";
	const char *v6only = "-";

	addr_text(s, &s->local, local, sizeof local);
	addr_text(s, &s->remote, remote, sizeof remote);
	if (s->valid & SOCKSTATE_HAS_UID)
		snprintf(uid, sizeof uid, "%lld", (long long)s->uid);
	if (s->valid & SOCKSTATE_HAS_INODE)
		snprintf(inode, sizeof inode, "%llu", (unsigned long long)s->inode);
	if (s->valid & SOCKSTATE_HAS_COOKIE)
		snprintf(cookie, sizeof cookie, "%llu", (unsigned long long)s->cookie);
	if (s->valid & SOCKSTATE_HAS_TIMER)
		snprintf(timer, sizeof timer, "%u/%u/%u", s->timer, s->retransmits,
		         s->expires_ms);
	if (s->valid & SOCKSTATE_HAS_TCP_INFO)
		snprintf(info, sizeof info, "rtt=%u/%u,cwnd=%u,retrans=%u", s->rtt_us,
		         s->rttvar_us, s->snd_cwnd, s->total_retrans);
	if (s->valid & SOCKSTATE_HAS_V6ONLY)
		v6only = (s->local.flags & SOCKSTATE_ENDPOINT_V6ONLY) ? "1" : "0";
	assert_true(s->valid & SOCKSTATE_HAS_QUEUES);
	assert_true(s->valid & SOCKSTATE_HAS_IFINDEX);
	snprintf(out, len, "%s %s %d/%s %s:%u %s:%u uid=%s inode=%s cookie=%s rq=%u tq=%u "
	         "if=%u timer=%s info=%s v6only=%s",
	         s->family == SOCKSTATE_FAMILY_IPV4 ? "ipv4" : "ipv6",
	         sockstate_state_name((sockstate_state)s->state), s->native_code,
	         s->native_name, local, s->local.port, remote, s->remote.port, uid, inode,
	         cookie, s->rx_queue, s->tx_queue, s->ifindex, timer, info, v6only);
}

struct rendered {
	char text[8192];
	size_t len;
};

static int render_one(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct rendered *r = ctx;
	char line[512];

	assert_int_equal(owner_key, s->inode);
	render(s, line, sizeof line);
	r->len += (size_t)snprintf(r->text + r->len, sizeof r->text - r->len, "%s\n", line);
	assert_true(r->len < sizeof r->text);
	return 0;
}

/* The .expect without its '#' comment lines. */
static void expect_lines(const char *path, char *out, size_t cap)
{
	size_t len, n = 0;
	unsigned char *text = slurp(path, &len);
	char *line = (char *)text, *end;

	for (; *line; line = end + 1) {
		end = strchr(line, '\n');
		assert_non_null(end);
		if (line[0] != '#') {
			assert_true(n + (size_t)(end - line) + 2 <= cap);
			memcpy(out + n, line, (size_t)(end - line) + 1);
			n += (size_t)(end - line) + 1;
		}
	}
	out[n] = '\0';
	free(text);
}

static void check_fixture(const char *bin, const char *expect, size_t records)
{
	static char want[8192];
	struct rendered r = {.len = 0};
	sockstate__diag_result res;
	size_t len;
	unsigned char *buf = slurp(bin, &len);
	unsigned char *c = exact(buf, len);

	free(buf);
	assert_int_equal(sockstate__diag_decode(c, len, 0, 0, render_one, &r, &res), 0);
	assert_int_equal(res.done, 1);
	assert_int_equal(res.records, records);
	expect_lines(expect, want, sizeof want);
	if (strcmp(r.text, want))
		print_message("decoded %s:\n%s", bin, r.text);
	assert_string_equal(r.text, want);

	/* Replayed one message per buffer, as if each came in its own
	 * datagram: the same records. */
	{
		struct rendered piecewise = {.len = 0};
		size_t off = 0;

		while (off < len) {
			struct nlmsghdr h;
			size_t step;
			unsigned char *one;

			memcpy(&h, c + off, sizeof h);
			step = NLMSG_ALIGN(h.nlmsg_len) < len - off ? NLMSG_ALIGN(h.nlmsg_len)
			                                            : len - off;
			one = exact(c + off, step);
			assert_int_equal(sockstate__diag_decode(one, step, 0, 0, render_one,
			                                        &piecewise, &res), 0);
			free(one);
			off += step;
		}
		assert_int_equal(res.done, 1);
		assert_string_equal(piecewise.text, want);
	}
	free(c);
}

static void test_fixture_lo_ipv4(void **unused)
{
	(void)unused;
	check_fixture(FIXTURE("diag_lo_ipv4.bin"), FIXTURE("diag_lo_ipv4.expect"), 15);
}

static void test_fixture_lo_ipv6(void **unused)
{
	(void)unused;
	check_fixture(FIXTURE("diag_lo_ipv6.bin"), FIXTURE("diag_lo_ipv6.expect"), 8);
}

static void test_fixture_info_ipv6(void **unused)
{
	(void)unused;
	check_fixture(FIXTURE("diag_info_ipv6.bin"), FIXTURE("diag_info_ipv6.expect"), 7);
}

/* A captured reply cut at every byte and with its types rewritten: only
 * 0 or EPARSE (or a kernel error a corrupted DONE now carries). */
static void test_fixture_truncated_and_retyped(void **unused)
{
	size_t len;
	unsigned char *buf = slurp(FIXTURE("diag_lo_ipv6.bin"), &len);

	(void)unused;
	for (size_t cut = 0; cut < len; cut++) {
		unsigned char *c = exact(buf, cut);
		struct rendered r = {.len = 0};
		sockstate__diag_result res;
		int rc = sockstate__diag_decode(c, cut, 0, 0, render_one, &r, &res);

		assert_true(rc == 0 || rc == SOCKSTATE_EPARSE);
		assert_int_equal(res.done, 0);
		free(c);
	}
	/* The first message's type turned into RTM_NEWLINK. */
	{
		unsigned char *c = exact(buf, len);
		const uint16_t type = 16;
		struct rendered r = {.len = 0};
		sockstate__diag_result res;

		memcpy(c + offsetof(struct nlmsghdr, nlmsg_type), &type, sizeof type);
		assert_int_equal(sockstate__diag_decode(c, len, 0, 0, render_one, &r, &res),
		                 SOCKSTATE_EPARSE);
		assert_int_equal(res.records, 0);
		assert_int_equal(res.offset, 0);
		free(c);
	}
	free(buf);
}

/* The open-time guess of a dump's size from the kernel's counters. */
static void test_sockstat_count(void **state)
{
	static const char both[] =
		"sockets: used 8\n"
		"TCP: inuse 35046 orphan 90 tw 14990 alloc 35050 mem 160\n"
		"UDP: inuse 3 mem 0\n"
		"FRAG: inuse 0 memory 0\n"
		"TCP6: inuse 16664\n"
		"UDP6: inuse 9\n";
	static const char no_tw_field[] = "TCP: inuse 12 orphan 0\nTCP6: inuse 5";
	static const char cut_short[] = "TCP: inuse 1234";

	(void)state;
	assert_int_equal(sockstate__diag_sockstat_count(both, sizeof both - 1),
	                 35046 + 14990 + 16664);
	/* The first n bytes only: no line past them counts. */
	assert_int_equal(sockstate__diag_sockstat_count(both, 16 + 20), 35046);
	assert_int_equal(sockstate__diag_sockstat_count(no_tw_field, sizeof no_tw_field - 1),
	                 17);
	assert_int_equal(sockstate__diag_sockstat_count(cut_short, 13), 12);
	assert_int_equal(sockstate__diag_sockstat_count("", 0), 0);
	assert_int_equal(sockstate__diag_sockstat_count("UDP: inuse 7\n", 13), 0);
	assert_int_equal(sockstate__diag_sockstat_count("TCP: inuse 99999999999\n", 23),
	                 UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_record),
		cmocka_unit_test(test_ipv6_record_and_scope),
		cmocka_unit_test(test_v6only_attribute),
		cmocka_unit_test(test_every_state),
		cmocka_unit_test(test_placeholders_unknown),
		cmocka_unit_test(test_tcp_info),
		cmocka_unit_test(test_dump_one_buffer),
		cmocka_unit_test(test_dump_across_buffers),
		cmocka_unit_test(test_done_variants),
		cmocka_unit_test(test_done_with_error),
		cmocka_unit_test(test_nlmsg_error),
		cmocka_unit_test(test_errno_codes),
		cmocka_unit_test(test_callback_stop_and_error),
		cmocka_unit_test(test_seq_and_portid),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_truncated_payload),
		cmocka_unit_test(test_nlmsg_len_bad),
		cmocka_unit_test(test_wrong_type_and_family),
		cmocka_unit_test(test_both_families_reply_type),
		cmocka_unit_test(test_attribute_bad),
		cmocka_unit_test(test_unpadded_tail),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_every_truncation_and_corruption),
		cmocka_unit_test(test_fixture_lo_ipv4),
		cmocka_unit_test(test_fixture_lo_ipv6),
		cmocka_unit_test(test_fixture_info_ipv6),
		cmocka_unit_test(test_fixture_truncated_and_retyped),
		cmocka_unit_test(test_sockstat_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
