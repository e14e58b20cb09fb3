/* test_diag_bytecode.c - what linux-netlink pushes into the kernel's
 * request: the idiag_states mask, the exact bytecode for each filter, a
 * model of the kernel's audit and interpreter (net/ipv4/inet_diag.c)
 * that every compiled program must pass and that must keep exactly the
 * sockets the core keeps, and the same queries run on real sockets in a
 * private network namespace with pushdown on and off. */
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
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core_internal.h"
#include "diag_internal.h"
#include "netns_child.h"

#define OP_LEN ((int)sizeof(struct inet_diag_bc_op))
#define BIT(s) SOCKSTATE_STATE_BIT(s)

/* ---- the state mask ---- */

static void test_states_mask(void **unused)
{
	(void)unused;
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_ESTABLISHED)), 1u << 1);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_SYN_SENT)), 1u << 2);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_SYN_RECEIVED)),
	                 1u << 3 | 1u << 12);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_FIN_WAIT_1)), 1u << 4);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_FIN_WAIT_2)), 1u << 5);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_TIME_WAIT)), 1u << 6);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_CLOSED)), 1u << 7);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_CLOSE_WAIT)), 1u << 8);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_LAST_ACK)), 1u << 9);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_LISTEN)), 1u << 10);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_CLOSING)), 1u << 11);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_BOUND)), 1u << 13);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_UNKNOWN)), 0);
	assert_int_equal(sockstate__diag_states(BIT(SOCKSTATE_DELETE_TCB)), 0);
	assert_int_equal(sockstate__diag_states(0), 0);
	/* The default set is what `ss -a` asks for: bits 1-12. */
	assert_int_equal(sockstate__diag_states(SOCKSTATE_STATES_DEFAULT), 0x1ffe);
	assert_int_equal(sockstate__diag_states(SOCKSTATE_STATES_ALL), 0x3ffe);
}

/* ---- exact programs ---- */

struct op {
	int code, yes, no;
};

static struct op op_at(const unsigned char *bc, int at)
{
	struct inet_diag_bc_op o;

	memcpy(&o, bc + at, sizeof o);
	return (struct op){o.code, o.yes, o.no};
}

static void assert_op(const unsigned char *bc, int at, int code, int yes, int no)
{
	struct op o = op_at(bc, at);

	assert_int_equal(o.code, code);
	assert_int_equal(o.yes, yes);
	assert_int_equal(o.no, no);
}

static void assert_port_pair(const unsigned char *bc, int at, int remote, int port,
                             int fail_at)
{
	assert_op(bc, at, remote ? INET_DIAG_BC_D_GE : INET_DIAG_BC_S_GE, 8, fail_at - at);
	assert_int_equal(op_at(bc, at + 4).no, port);
	assert_op(bc, at + 8, remote ? INET_DIAG_BC_D_LE : INET_DIAG_BC_S_LE, 8,
	          fail_at - at - 8);
	assert_int_equal(op_at(bc, at + 12).no, port);
}

static sockstate_query query(const char *key, const char *value)
{
	sockstate_query q;

	sockstate_query_init(&q);
	if (key)
		assert_int_equal(sockstate_query_set(&q, key, value), 0);
	return q;
}

static int compile(const sockstate_query *q, unsigned char *bc, uint32_t *pushed)
{
	*pushed = 0;
	return sockstate__diag_bytecode(q, bc, SOCKSTATE__DIAG_BYTECODE_MAX, pushed);
}

static void test_no_filter(void **unused)
{
	unsigned char bc[SOCKSTATE__DIAG_BYTECODE_MAX];
	sockstate_query q = query(NULL, NULL);
	uint32_t pushed;

	(void)unused;
	q.port = -7;  /* any negative port is "any", as in the core */
	assert_int_equal(compile(&q, bc, &pushed), 0);
	assert_int_equal(pushed, SOCKSTATE__F_PORTS | SOCKSTATE__F_ADDRS);
}

static void test_sport_program(void **unused)
{
	unsigned char bc[SOCKSTATE__DIAG_BYTECODE_MAX];
	sockstate_query q = query("sport", "80");
	uint32_t pushed;

	(void)unused;
	assert_int_equal(compile(&q, bc, &pushed), 16);
	assert_port_pair(bc, 0, 0, 80, 16 + 4);
	assert_int_equal(pushed, SOCKSTATE__F_PORTS | SOCKSTATE__F_ADDRS);
}

/* port P: (S_GE P; S_LE P) JMP over (D_GE P; D_LE P); the local pair's
 * failure lands on the remote pair, the remote pair's rejects. */
static void test_port_either_program(void **unused)
{
	unsigned char bc[SOCKSTATE__DIAG_BYTECODE_MAX];
	sockstate_query q = query("port", "65535");
	uint32_t pushed;

	(void)unused;
	assert_int_equal(compile(&q, bc, &pushed), 36);
	assert_port_pair(bc, 0, 0, 65535, 20);
	assert_op(bc, 16, INET_DIAG_BC_JMP, 4, 20);
	assert_port_pair(bc, 20, 1, 65535, 36 + 4);
}

static void test_prefix_programs(void **unused)
{
	unsigned char bc[SOCKSTATE__DIAG_BYTECODE_MAX];
	struct inet_diag_hostcond hc;
	sockstate_query q = query("saddr", "10.1.2.3/24");
	const uint8_t net4[4] = {10, 1, 2, 0};
	uint8_t net6[16];
	uint32_t pushed;

	(void)unused;
	assert_int_equal(compile(&q, bc, &pushed), 16);
	assert_op(bc, 0, INET_DIAG_BC_S_COND, 16, 20);
	memcpy(&hc, bc + 4, sizeof hc);
	assert_int_equal(hc.family, AF_INET);
	assert_int_equal(hc.prefix_len, 24);
	assert_int_equal(hc.port, -1);
	assert_memory_equal(bc + 12, net4, 4);

	/* addr (either side), IPv6: 28-byte conditions around a JMP. */
	q = query("addr", "2001:db8::/32");
	inet_pton(AF_INET6, "2001:db8::", net6);
	assert_int_equal(compile(&q, bc, &pushed), 60);
	assert_op(bc, 0, INET_DIAG_BC_S_COND, 28, 32);
	memcpy(&hc, bc + 4, sizeof hc);
	assert_int_equal(hc.family, AF_INET6);
	assert_int_equal(hc.prefix_len, 32);
	assert_int_equal(hc.port, -1);
	assert_memory_equal(bc + 12, net6, 16);
	assert_op(bc, 28, INET_DIAG_BC_JMP, 4, 32);
	assert_op(bc, 32, INET_DIAG_BC_D_COND, 28, 60 + 4 - 32);
	assert_memory_equal(bc + 32 + 12, net6, 16);
	assert_int_equal(pushed, SOCKSTATE__F_PORTS | SOCKSTATE__F_ADDRS);

	/* daddr 0.0.0.0/0: a prefix of no bits still says "IPv4 (or
	 * IPv4-mapped)", so it is compiled, not dropped. */
	q = query("daddr", "0.0.0.0/0");
	assert_int_equal(compile(&q, bc, &pushed), 16);
	assert_op(bc, 0, INET_DIAG_BC_D_COND, 16, 20);
	memcpy(&hc, bc + 4, sizeof hc);
	assert_int_equal(hc.family, AF_INET);
	assert_int_equal(hc.prefix_len, 0);
}

/* Every filter at once, IPv6 prefixes: the longest program. */
static sockstate_query worst_query(void)
{
	sockstate_query q = query("port", "1");

	assert_int_equal(sockstate_query_set(&q, "sport", "2"), 0);
	assert_int_equal(sockstate_query_set(&q, "dport", "3"), 0);
	assert_int_equal(sockstate_query_set(&q, "addr", "2001:db8::1"), 0);
	assert_int_equal(sockstate_query_set(&q, "saddr", "2001:db8::2"), 0);
	assert_int_equal(sockstate_query_set(&q, "daddr", "2001:db8::3"), 0);
	return q;
}

static void test_worst_case_and_erange(void **unused)
{
	unsigned char bc[SOCKSTATE__DIAG_BYTECODE_MAX];
	sockstate_query q = worst_query();
	uint32_t pushed = 0;

	(void)unused;
	assert_int_equal(compile(&q, bc, &pushed), 184);
	assert_true(184 <= SOCKSTATE__DIAG_BYTECODE_MAX);
	assert_port_pair(bc, 0, 0, 1, 20);
	assert_op(bc, 16, INET_DIAG_BC_JMP, 4, 20);
	assert_port_pair(bc, 20, 1, 1, 188);
	assert_port_pair(bc, 36, 0, 2, 188);
	assert_port_pair(bc, 52, 1, 3, 188);
	assert_op(bc, 68, INET_DIAG_BC_S_COND, 28, 32);
	assert_op(bc, 96, INET_DIAG_BC_JMP, 4, 32);
	assert_op(bc, 100, INET_DIAG_BC_D_COND, 28, 188 - 100);
	assert_op(bc, 128, INET_DIAG_BC_S_COND, 28, 188 - 128);
	assert_op(bc, 156, INET_DIAG_BC_D_COND, 28, 188 - 156);

	pushed = 0x40;
	assert_int_equal(sockstate__diag_bytecode(&q, bc, 183, &pushed), SOCKSTATE_ERANGE);
	assert_int_equal(pushed, 0x40);
}

/* What the kernel cannot do exactly stays with the core. */
static void test_not_pushable(void **unused)
{
	unsigned char bc[SOCKSTATE__DIAG_BYTECODE_MAX];
	sockstate_query q = query("saddr", "10.0.0.0/8");
	uint32_t pushed;

	(void)unused;
	q.dport = 70000;
	assert_int_equal(compile(&q, bc, &pushed), 16);
	assert_int_equal(pushed, SOCKSTATE__F_ADDRS);
	assert_op(bc, 0, INET_DIAG_BC_S_COND, 16, 20);

	q = query("sport", "80");
	q.addr.family = SOCKSTATE_FAMILY_IPV4;
	q.addr.bits = 33;
	assert_int_equal(compile(&q, bc, &pushed), 16);
	assert_int_equal(pushed, SOCKSTATE__F_PORTS);

	q = query("sport", "80");
	q.daddr.family = 9;
	assert_int_equal(compile(&q, bc, &pushed), 16);
	assert_int_equal(pushed, SOCKSTATE__F_PORTS);

	q = query(NULL, NULL);
	q.saddr.family = SOCKSTATE_FAMILY_IPV6;
	q.saddr.bits = 129;
	q.port = 65536;
	assert_int_equal(compile(&q, bc, &pushed), 0);
	assert_int_equal(pushed, 0);
}

/* ---- a model of the kernel ---- */

/* inet_diag_bc_audit and valid_cc, as the kernel checks a program before
 * it runs it: 1 accepted, 0 refused (-EINVAL). */
static int reached_by_yes(const unsigned char *bc, int len, int target)
{
	int at = 0;

	while (at < len) {
		struct op o = op_at(bc, at);
		if (at == target)
			return 1;
		if (o.yes < 4 || o.yes % 4)
			return 0;
		at += o.yes;
	}
	return at == target;
}

static int kernel_audit(const unsigned char *bc, int len)
{
	int at = 0;

	if (len < OP_LEN)
		return 0;
	while (at < len) {
		struct op o = op_at(bc, at);
		int left = len - at, min = OP_LEN;

		switch (o.code) {
		case INET_DIAG_BC_S_COND:
		case INET_DIAG_BC_D_COND: {
			struct inet_diag_hostcond hc;
			int addr_len;

			min += (int)sizeof hc;
			if (left < min)
				return 0;
			memcpy(&hc, bc + at + OP_LEN, sizeof hc);
			if (hc.family == AF_UNSPEC)
				addr_len = 0;
			else if (hc.family == AF_INET)
				addr_len = 4;
			else if (hc.family == AF_INET6)
				addr_len = 16;
			else
				return 0;
			min += addr_len;
			if (left < min || hc.prefix_len > 8 * addr_len)
				return 0;
			break;
		}
		case INET_DIAG_BC_S_GE:
		case INET_DIAG_BC_S_LE:
		case INET_DIAG_BC_D_GE:
		case INET_DIAG_BC_D_LE:
		case INET_DIAG_BC_S_EQ:
		case INET_DIAG_BC_D_EQ:
			min += OP_LEN;
			if (left < min)
				return 0;
			break;
		case INET_DIAG_BC_JMP:
		case INET_DIAG_BC_NOP:
			break;
		default:
			return 0;
		}
		if (o.code != INET_DIAG_BC_NOP) {
			if (o.no < min || o.no > left + 4 || o.no % 4)
				return 0;
			if (o.no < left && !reached_by_yes(bc, len, at + o.no))
				return 0;
		}
		if (o.yes < min || o.yes > left + 4 || o.yes % 4)
			return 0;
		at += o.yes;
	}
	return at == len;
}

struct entry {
	int family;                 /* AF_INET, AF_INET6 */
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
};

static int bits_equal(const uint8_t *a, const uint8_t *b, int bits)
{
	for (int i = 0; i < bits; i++) {
		uint8_t mask = (uint8_t)(0x80u >> (i % 8));
		if ((a[i / 8] & mask) != (b[i / 8] & mask))
			return 0;
	}
	return 1;
}

static int hostcond_holds(const unsigned char *p, int remote, const struct entry *e)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	struct inet_diag_hostcond hc;
	const uint8_t *addr = remote ? e->daddr : e->saddr;
	const uint8_t *want = p + sizeof hc;

	memcpy(&hc, p, sizeof hc);
	if (hc.port != -1 && hc.port != (remote ? e->dport : e->sport))
		return 0;
	if (hc.family != AF_UNSPEC && hc.family != e->family) {
		return e->family == AF_INET6 && hc.family == AF_INET &&
		       !memcmp(addr, mapped, 12) && bits_equal(addr + 12, want, hc.prefix_len);
	}
	return hc.prefix_len == 0 || bits_equal(addr, want, hc.prefix_len);
}

/* inet_diag_bc_run: 1 when the program accepts the socket. */
static int kernel_run(const unsigned char *bc, int len, const struct entry *e)
{
	int at = 0, left = len;

	while (left > 0) {
		struct op o = op_at(bc, at);
		/* A compare's argument is the next op; a JMP may be the last. */
		int arg = left >= 2 * OP_LEN ? op_at(bc, at + OP_LEN).no : -1, yes = 1;

		switch (o.code) {
		case INET_DIAG_BC_NOP: break;
		case INET_DIAG_BC_JMP: yes = 0; break;
		case INET_DIAG_BC_S_GE: yes = e->sport >= arg; break;
		case INET_DIAG_BC_S_LE: yes = e->sport <= arg; break;
		case INET_DIAG_BC_D_GE: yes = e->dport >= arg; break;
		case INET_DIAG_BC_D_LE: yes = e->dport <= arg; break;
		case INET_DIAG_BC_S_EQ: yes = e->sport == arg; break;
		case INET_DIAG_BC_D_EQ: yes = e->dport == arg; break;
		case INET_DIAG_BC_S_COND:
			yes = hostcond_holds(bc + at + OP_LEN, 0, e);
			break;
		case INET_DIAG_BC_D_COND:
			yes = hostcond_holds(bc + at + OP_LEN, 1, e);
			break;
		default: fail_msg("op %d", o.code);
		}
		at += yes ? o.yes : o.no;
		left -= yes ? o.yes : o.no;
	}
	return left == 0;
}

static struct entry entry_of(const sockstate_socket *s)
{
	struct entry e = {.sport = s->local.port, .dport = s->remote.port};

	e.family = s->family == SOCKSTATE_FAMILY_IPV4 ? AF_INET : AF_INET6;
	memcpy(e.saddr, s->local.addr, 16);
	memcpy(e.daddr, s->remote.addr, 16);
	return e;
}

/* ---- the model against the core ---- */

static const char *const v4_addrs[] = {"127.0.0.1", "10.1.2.3", "10.1.3.4", "0.0.0.0"};
static const char *const v6_addrs[] = {"::1", "2001:db8::1", "fe80::1", "::",
                                       "::ffff:10.1.2.3", "::ffff:127.0.0.1",
                                       "::10.1.2.3", "::ffff:0:10.1.2.3"};
static const uint16_t ports[] = {0, 80, 443, 65535};

#define NV4 (sizeof v4_addrs / sizeof v4_addrs[0])
#define NV6 (sizeof v6_addrs / sizeof v6_addrs[0])
#define NPORTS (sizeof ports / sizeof ports[0])
#define MAX_SOCKETS ((NV4 * NV4 + NV6 * NV6) * NPORTS * NPORTS)

static size_t make_sockets(sockstate_socket *out)
{
	size_t n = 0;

	for (int fam = 0; fam < 2; fam++) {
		const char *const *addrs = fam ? v6_addrs : v4_addrs;
		size_t na = fam ? NV6 : NV4;

		for (size_t l = 0; l < na; l++)
			for (size_t r = 0; r < na; r++)
				for (size_t lp = 0; lp < NPORTS; lp++)
					for (size_t rp = 0; rp < NPORTS; rp++) {
						sockstate_socket *s = &out[n++];
						int af = fam ? AF_INET6 : AF_INET;

						sockstate__socket_init(s);
						s->family = fam ? SOCKSTATE_FAMILY_IPV6
						                : SOCKSTATE_FAMILY_IPV4;
						s->state = SOCKSTATE_ESTABLISHED;
						assert_int_equal(inet_pton(af, addrs[l], s->local.addr), 1);
						assert_int_equal(inet_pton(af, addrs[r], s->remote.addr), 1);
						s->local.port = ports[lp];
						s->remote.port = ports[rp];
					}
	}
	return n;
}

static const char *const prefixes[] = {
	NULL, "10.1.2.3", "10.1.0.0/16", "10.1.2.0/23", "0.0.0.0/0", "127.0.0.0/8",
	"::1", "2001:db8::/32", "::/0", "::ffff:10.1.2.3", "::ffff:0:0/96", "fe80::/10",
	"::/96", "10.1.3.4/31",
};
static const char *const port_values[] = {NULL, "0", "80", "443", "65535", "7"};

#define NPREFIXES (sizeof prefixes / sizeof prefixes[0])
#define NPORTVALS (sizeof port_values / sizeof port_values[0])

/* Run q through compile + model + the core's remaining filters, and
 * through the core alone; they must keep the same sockets. */
static void check_query(const sockstate_query *q_in, const sockstate_socket *s, size_t n,
                        size_t *kept_total)
{
	unsigned char bc[SOCKSTATE__DIAG_BYTECODE_MAX];
	sockstate_query q;
	uint32_t pushed = SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY;
	int len;

	sockstate__query_normalize(q_in, &q);
	len = sockstate__diag_bytecode(&q, bc, sizeof bc, &pushed);
	assert_true(len >= 0);
	if (len)
		assert_true(kernel_audit(bc, len));
	for (size_t i = 0; i < n; i++) {
		struct entry e = entry_of(&s[i]);
		int by_kernel = (len == 0 || kernel_run(bc, len, &e)) &&
		                sockstate__match(&q, &s[i], pushed);
		int by_core = sockstate_query_match(q_in, &s[i]);

		if (by_kernel != by_core) {
			char l[64], r[64];
			sockstate_endpoint_format(s[i].family, &s[i].local, l, sizeof l);
			sockstate_endpoint_format(s[i].family, &s[i].remote, r, sizeof r);
			fail_msg("socket %s:%u -> %s:%u: kernel %d, core %d (port %d sport %d "
			         "dport %d, prefix families %u/%u/%u bits %u/%u/%u)",
			         l, s[i].local.port, r, s[i].remote.port, by_kernel, by_core,
			         q.port, q.sport, q.dport, q.addr.family, q.saddr.family,
			         q.daddr.family, q.addr.bits, q.saddr.bits, q.daddr.bits);
		}
		*kept_total += (size_t)by_core;
	}
}

static void set_prefix(sockstate_query *q, const char *key, const char *value)
{
	if (value)
		assert_int_equal(sockstate_query_set(q, key, value), 0);
}

static void set_port(sockstate_query *q, const char *key, const char *value)
{
	if (value)
		assert_int_equal(sockstate_query_set(q, key, value), 0);
}

static void test_model_matches_core(void **unused)
{
	static sockstate_socket s[MAX_SOCKETS];
	size_t n = make_sockets(s), kept = 0, queries = 0;
	uint32_t seed = 2024;

	(void)unused;
	assert_int_equal(n, MAX_SOCKETS);
	/* Each filter alone, over every value. */
	for (size_t i = 0; i < NPREFIXES; i++) {
		static const char *const keys[] = {"addr", "saddr", "daddr"};
		for (size_t k = 0; k < 3; k++) {
			sockstate_query q = query(NULL, NULL);
			q.states = SOCKSTATE_STATES_ALL;
			set_prefix(&q, keys[k], prefixes[i]);
			check_query(&q, s, n, &kept);
			queries++;
		}
	}
	for (size_t i = 0; i < NPORTVALS; i++) {
		static const char *const keys[] = {"port", "sport", "dport"};
		for (size_t k = 0; k < 3; k++) {
			sockstate_query q = query(NULL, NULL);
			q.states = SOCKSTATE_STATES_ALL;
			set_port(&q, keys[k], port_values[i]);
			check_query(&q, s, n, &kept);
			queries++;
		}
	}
	/* Random combinations of all six. */
	for (int round = 0; round < 1500; round++) {
		sockstate_query q = query(NULL, NULL);
		const char *pick[6];

		for (int k = 0; k < 6; k++) {
			seed = seed * 1103515245u + 12345u;
			pick[k] = k < 3 ? port_values[(seed >> 8) % NPORTVALS]
			                : prefixes[(seed >> 8) % NPREFIXES];
			/* Mostly no filter, so combinations keep some sockets. */
			if ((seed >> 20) % 3)
				pick[k] = NULL;
		}
		q.states = SOCKSTATE_STATES_ALL;
		set_port(&q, "port", pick[0]);
		set_port(&q, "sport", pick[1]);
		set_port(&q, "dport", pick[2]);
		set_prefix(&q, "addr", pick[3]);
		set_prefix(&q, "saddr", pick[4]);
		set_prefix(&q, "daddr", pick[5]);
		check_query(&q, s, n, &kept);
		queries++;
	}
	/* The queries kept sockets (not a test passing on empty results). */
	assert_true(kept > queries);
	print_message("%zu queries over %zu sockets, %zu kept\n", queries, n, kept);
}

/* ---- the split dump's halves ---- */

static int stripe_parity(uint16_t port)
{
	return (port >> 12) & 1;
}

/* Run both halves on one socket: exactly one accepts, the one its
 * stripes say. */
static void check_split(const unsigned char bc[2][SOCKSTATE__DIAG_SPLIT_BYTECODE_LEN],
                        int family, uint16_t sport, uint16_t dport)
{
	struct entry e = {.family = family, .sport = sport, .dport = dport};
	int a = kernel_run(bc[0], SOCKSTATE__DIAG_SPLIT_BYTECODE_LEN, &e);
	int b = kernel_run(bc[1], SOCKSTATE__DIAG_SPLIT_BYTECODE_LEN, &e);
	int want_b = stripe_parity(sport) ^ stripe_parity(dport);

	if (a + b != 1 || b != want_b)
		fail_msg("sport %u dport %u: half 0 %d, half 1 %d", sport, dport, a, b);
}

static void test_split_halves(void **unused)
{
	static unsigned char bc[2][SOCKSTATE__DIAG_SPLIT_BYTECODE_LEN];
	uint16_t edge[3 * 16 + 4];
	size_t nedge = 0, in_b = 0, pairs = 0;
	uint32_t seed = 77;

	(void)unused;
	for (int half = 0; half < 2; half++) {
		assert_int_equal(sockstate__diag_split_bytecode(half, bc[half], sizeof bc[half]),
		                 SOCKSTATE__DIAG_SPLIT_BYTECODE_LEN);
		assert_true(kernel_audit(bc[half], SOCKSTATE__DIAG_SPLIT_BYTECODE_LEN));
		/* Only the ops the oldest kernels know. */
		for (int at = 0; at < SOCKSTATE__DIAG_SPLIT_BYTECODE_LEN;) {
			struct op o = op_at(bc[half], at);
			assert_true(o.code == INET_DIAG_BC_S_LE || o.code == INET_DIAG_BC_D_LE ||
			            o.code == INET_DIAG_BC_JMP);
			at += o.yes;
		}
	}
	assert_int_equal(sockstate__diag_split_bytecode(0, bc[0], 551), SOCKSTATE_ERANGE);
	assert_memory_not_equal(bc[0], bc[1], sizeof bc[0]);

	/* Every stripe boundary, its neighbours, and the ends. */
	for (unsigned k = 1; k < 16; k++) {
		edge[nedge++] = (uint16_t)(k * 4096 - 1);
		edge[nedge++] = (uint16_t)(k * 4096);
		edge[nedge++] = (uint16_t)(k * 4096 + 1);
	}
	edge[nedge++] = 0;
	edge[nedge++] = 1;
	edge[nedge++] = 65534;
	edge[nedge++] = 65535;
	for (size_t i = 0; i < nedge; i++)
		for (size_t j = 0; j < nedge; j++) {
			check_split(bc, AF_INET, edge[i], edge[j]);
			check_split(bc, AF_INET6, edge[i], edge[j]);
			pairs += 2;
		}
	/* Listeners and bound sockets: remote port 0; every local port. */
	for (uint32_t p = 0; p <= 65535; p++) {
		check_split(bc, AF_INET, (uint16_t)p, 0);
		pairs++;
	}
	/* Random pairs, and the balance of a server's and a client's. */
	for (int i = 0; i < 200000; i++) {
		uint16_t sport, dport;

		seed = seed * 1103515245u + 12345u;
		sport = (uint16_t)(seed >> 16);
		seed = seed * 1103515245u + 12345u;
		dport = (uint16_t)(seed >> 16);
		check_split(bc, AF_INET6, sport, dport);
		pairs++;
		in_b += (size_t)(stripe_parity(sport) ^ stripe_parity(dport));
	}
	assert_true(in_b > 90000 && in_b < 110000);
	in_b = 0;
	for (uint32_t eph = 32768; eph < 61000; eph++) {
		struct entry server = {.family = AF_INET, .sport = 443, .dport = (uint16_t)eph};
		in_b += (size_t)kernel_run(bc[1], SOCKSTATE__DIAG_SPLIT_BYTECODE_LEN, &server);
	}
	/* 28232 ephemeral ports, 7 stripes and a part: near half each. */
	assert_true(in_b > 12000 && in_b < 16300);
	print_message("%zu (sport, dport) pairs, each in exactly one half\n", pairs);
}

/* ---- real sockets: pushdown on and off give the same listing ---- */

#define LAB_MAX 128

struct lab_row {
	uint64_t cookie;
	uint8_t family, state;
	sockstate_endpoint local, remote;
};

struct lab_list {
	size_t n;
	struct lab_row row[LAB_MAX];
};

static int lab_collect(const sockstate_socket *s, void *ctx)
{
	struct lab_list *l = ctx;

	if (l->n == LAB_MAX)
		return SOCKSTATE_ERANGE;
	l->row[l->n++] = (struct lab_row){s->cookie, s->family, s->state, s->local,
	                                  s->remote};
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct lab_row *x = a, *y = b;
	return x->cookie < y->cookie ? -1 : x->cookie > y->cookie;
}

static int lab_listen(int af, const char *addr, uint16_t port, int v6only)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	memset(&ss, 0, sizeof ss);
	if (af == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		inet_pton(AF_INET, addr, &a->sin_addr);
		len = sizeof *a;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &a->sin6_addr);
		len = sizeof *a;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0)
		return -1;
	if (v6only >= 0 && listen(fd, 16) < 0)
		return -1;
	return fd;
}

/* A connection to addr:port, accepted on lfd; close_first makes the
 * client close first (TIME_WAIT on its side once the server closes). */
static int lab_connect(int af, const char *addr, uint16_t port, int lfd, int close_both)
{
	int c = lab_listen(af, af == AF_INET ? "0.0.0.0" : "::", 0, -1);
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int a;

	if (c < 0)
		return -1;
	memset(&ss, 0, sizeof ss);
	if (af == AF_INET) {
		struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
		sa->sin_family = AF_INET;
		sa->sin_port = htons(port);
		inet_pton(AF_INET, addr, &sa->sin_addr);
		len = sizeof *sa;
	} else {
		struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;
		sa->sin6_family = AF_INET6;
		sa->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &sa->sin6_addr);
		len = sizeof *sa;
	}
	if (connect(c, (struct sockaddr *)&ss, len) < 0)
		return -1;
	a = accept(lfd, NULL, NULL);
	if (a < 0)
		return -1;
	if (close_both) {
		close(c);
		usleep(20000);
		close(a);
	}
	return 0;
}

/* The lab's queries, with the number of sockets each must list. */
static const struct {
	const char *key[3], *value[3];
	size_t expect;
} lab_queries[] = {
	{{NULL}, {NULL}, 17},                            /* default states */
	{{"state"}, {"all"}, 19},                        /* + 2 BOUND */
	{{"state"}, {"bound"}, 2},
	{{"state"}, {"listen"}, 3},
	{{"state"}, {"time-wait"}, 2},
	{{"state", "family"}, {"established,listen", "6"}, 7},
	{{"port"}, {"7101"}, 14},
	{{"sport"}, {"7101"}, 7},
	{{"dport"}, {"7101"}, 7},
	{{"port", "state"}, {"7102", "all"}, 3},
	{{"addr"}, {"127.0.0.1"}, 10},                   /* v4 + mapped v6 */
	{{"addr"}, {"0.0.0.0/0"}, 10},
	{{"addr"}, {"::ffff:127.0.0.1"}, 1},             /* the mapped socket only */
	{{"saddr", "state"}, {"127.0.0.0/8", "all"}, 11},
	{{"saddr"}, {"::1"}, 6},
	{{"daddr", "state"}, {"::/0", "all"}, 9},
	{{"daddr", "port"}, {"::1", "7101"}, 5},
	{{"saddr", "dport", "state"}, {"127.0.0.2", "0", "all"}, 1},
	{{"addr", "sport"}, {"10.0.0.0/8", "7101"}, 0},
	{{"port", "family"}, {"7101", "4"}, 8},
};

#define NLAB (sizeof lab_queries / sizeof lab_queries[0])

/* In the child: build the lab, run each query both ways. Exit 0, 77
 * (skip: no namespace), or 10 + the failing query's index. */
static int lab_child(void)
{
	sockstate_options o = {.size = sizeof o, .backend = "linux-netlink"};
	sockstate_handle *h;
	int l4, l6, ld;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 77;
	}
	if (lo_up() < 0)
		return 2;
	l4 = lab_listen(AF_INET, "127.0.0.1", 7101, 0);
	l6 = lab_listen(AF_INET6, "::1", 7101, 1);
	ld = lab_listen(AF_INET6, "::", 7102, 0);
	if (l4 < 0 || l6 < 0 || ld < 0)
		return 3;
	/* 3 v4 and 2 v6 connections to 7101, one v4 to the dual-stack 7102
	 * (its server side is ::ffff:127.0.0.1), one closed v4 and one closed
	 * v6 connection (TIME_WAIT), two bound-only sockets. */
	for (int i = 0; i < 3; i++)
		if (lab_connect(AF_INET, "127.0.0.1", 7101, l4, 0) < 0)
			return 4;
	for (int i = 0; i < 2; i++)
		if (lab_connect(AF_INET6, "::1", 7101, l6, 0) < 0)
			return 4;
	if (lab_connect(AF_INET, "127.0.0.1", 7102, ld, 0) < 0 ||
	    lab_connect(AF_INET, "127.0.0.1", 7101, l4, 1) < 0 ||
	    lab_connect(AF_INET6, "::1", 7101, l6, 1) < 0)
		return 4;
	if (lab_listen(AF_INET, "127.0.0.2", 7103, -1) < 0 ||
	    lab_listen(AF_INET6, "::1", 7104, -1) < 0)
		return 5;
	if (sockstate_open(&h, &o) < 0) {
		fprintf(stderr, "sockstate_open: %s\n", sockstate_errdetail(NULL));
		return 6;
	}
	for (size_t i = 0; i < NLAB; i++) {
		static struct lab_list pushed, plain;
		sockstate_query q;
		int rc1, rc2;

		sockstate_query_init(&q);
		for (int k = 0; k < 3 && lab_queries[i].key[k]; k++)
			if (sockstate_query_set(&q, lab_queries[i].key[k], lab_queries[i].value[k]))
				return 7;
		pushed.n = plain.n = 0;
		rc1 = sockstate_foreach(h, &q, lab_collect, &pushed);
		q.flags |= SOCKSTATE_Q_NO_PUSHDOWN;
		rc2 = sockstate_foreach(h, &q, lab_collect, &plain);
		qsort(pushed.row, pushed.n, sizeof pushed.row[0], row_cmp);
		qsort(plain.row, plain.n, sizeof plain.row[0], row_cmp);
		if (rc1 || rc2 || pushed.n != plain.n || pushed.n != lab_queries[i].expect ||
		    memcmp(pushed.row, plain.row, pushed.n * sizeof pushed.row[0])) {
			fprintf(stderr, "query %zu (%s=%s): rc %d/%d, %zu with pushdown, %zu "
			        "without, %zu expected (%s)\n", i,
			        lab_queries[i].key[0] ? lab_queries[i].key[0] : "-",
			        lab_queries[i].value[0] ? lab_queries[i].value[0] : "-", rc1, rc2,
			        pushed.n, plain.n, lab_queries[i].expect, sockstate_errdetail(h));
			sockstate_close(h);
			return 10 + (int)i;
		}
	}
	sockstate_close(h);
	return 0;
}


/* ---- real sockets: a dump spanning several datagrams, stopped early ---- */

#define BULK 400

struct stop_after {
	size_t seen, stop_at;
};

static int stop_cb(const sockstate_socket *s, void *ctx)
{
	struct stop_after *st = ctx;

	(void)s;
	return ++st->seen == st->stop_at ? 5 : 0;
}

static int cookie_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	return *x < *y ? -1 : *x > *y;
}

struct cookie_list {
	size_t n;
	uint64_t c[2 * BULK + 8];
};

static int cookie_collect(const sockstate_socket *s, void *ctx)
{
	struct cookie_list *l = ctx;

	if (l->n == sizeof l->c / sizeof l->c[0])
		return SOCKSTATE_ERANGE;
	l->c[l->n++] = s->cookie;
	return 0;
}

/* 2 * BULK + 1 sockets (about 3 datagrams): a listing stopped at the
 * first record, in the middle and at the end returns the callback's
 * value, and the handle's next listing is whole, without repeats. */
static int bulk_child(void)
{
	sockstate_options o = {.size = sizeof o, .backend = "linux-netlink"};
	static const size_t stops[] = {1, BULK, 2 * BULK + 1};
	static struct cookie_list all;
	sockstate_handle *h;
	int l;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 77;
	}
	if (lo_up() < 0 || (l = lab_listen(AF_INET, "127.0.0.1", 7201, 0)) < 0)
		return 2;
	for (int i = 0; i < BULK; i++)
		if (lab_connect(AF_INET, "127.0.0.1", 7201, l, 0) < 0)
			return 3;
	if (sockstate_open(&h, &o) < 0)
		return 4;
	for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
		struct stop_after st = {.stop_at = stops[i]};
		int rc = sockstate_foreach(h, NULL, stop_cb, &st);

		if (rc != 5 || st.seen != stops[i]) {
			fprintf(stderr, "stop at %zu: rc %d after %zu\n", stops[i], rc, st.seen);
			return 10 + (int)i;
		}
		all.n = 0;
		rc = sockstate_foreach(h, NULL, cookie_collect, &all);
		if (rc != 0 || all.n != 2 * BULK + 1) {
			fprintf(stderr, "after stop at %zu: rc %d, %zu sockets (%s)\n", stops[i],
			        rc, all.n, sockstate_errdetail(h));
			return 20 + (int)i;
		}
		qsort(all.c, all.n, sizeof all.c[0], cookie_cmp);
		for (size_t k = 1; k < all.n; k++)
			if (all.c[k] == all.c[k - 1])
				return 30;
	}
	sockstate_close(h);
	return 0;
}

static void test_real_sockets_pushdown_equals_user_space(void **unused)
{
	(void)unused;
	run_child(lab_child);
}

static void test_real_sockets_stop_then_list_again(void **unused)
{
	(void)unused;
	run_child(bulk_child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states_mask),
		cmocka_unit_test(test_no_filter),
		cmocka_unit_test(test_sport_program),
		cmocka_unit_test(test_port_either_program),
		cmocka_unit_test(test_prefix_programs),
		cmocka_unit_test(test_worst_case_and_erange),
		cmocka_unit_test(test_not_pushable),
		cmocka_unit_test(test_model_matches_core),
		cmocka_unit_test(test_split_halves),
		cmocka_unit_test(test_real_sockets_pushdown_equals_user_space),
		cmocka_unit_test(test_real_sockets_stop_then_list_again),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
