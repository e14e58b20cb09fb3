/* diag_bytecode.c - the part of a query the kernel can filter: the
 * idiag_states mask and INET_DIAG_REQ_BYTECODE. Pure.
 *
 * The kernel's machine (inet_diag_bc_run): a program of ops
 * {code, yes, no}, each a condition followed by its argument; the program
 * counter moves forward by `yes` bytes when the condition holds and by
 * `no` bytes when it does not. A socket is accepted when the counter
 * lands exactly on the end, rejected when it jumps past it (by convention
 * to end + 4). JMP always takes `no`; NOP always `yes`. The audit
 * (inet_diag_bc_audit) wants every `yes` to be at least the op's own
 * length, every jump 4-aligned, at most end + 4, and landing on an op that
 * the chain of `yes` steps reaches: so we lay ops out in a line with `yes`
 * = their length and only ever jump forward to an op boundary.
 *
 * Conditions, as the kernel evaluates them on a socket (sport, dport in
 * host order; saddr, daddr as stored: IPv4 one word, IPv6 four):
 *   S_GE/S_LE/D_GE/D_LE n: port >= n / port <= n (n in the next op's `no`)
 *   S_COND/D_COND hostcond{family, prefix_len, port, addr}: port -1 is
 *     any port; family AF_UNSPEC any address; an AF_INET condition on an
 *     AF_INET6 socket holds for an IPv4-mapped address (::ffff:a.b.c.d)
 *     whose last word matches; otherwise the families must be equal and the
 *     first prefix_len bits equal (prefix_len 0: any).
 * That is sockstate__match's prefix rule exactly (query.c), so a compiled
 * filter keeps the same sockets as the core would.
 */
#include <string.h>

#include <linux/inet_diag.h>
#include <sys/socket.h>

#include "diag_internal.h"

/* Kernel TCP state numbers (include/net/tcp_states.h), as request bits. */
enum {
	K_ESTABLISHED = 1,
	K_SYN_SENT = 2,
	K_SYN_RECV = 3,
	K_FIN_WAIT1 = 4,
	K_FIN_WAIT2 = 5,
	K_TIME_WAIT = 6,
	K_CLOSE = 7,
	K_CLOSE_WAIT = 8,
	K_LAST_ACK = 9,
	K_LISTEN = 10,
	K_CLOSING = 11,
	K_NEW_SYN_RECV = 12,
	K_BOUND_INACTIVE = 13
};

#define KBIT(k) (1u << (k))

uint32_t sockstate__diag_states(uint32_t states)
{
	static const uint32_t kernel_bits[SOCKSTATE_STATE_COUNT] = {
		[SOCKSTATE_UNKNOWN] = 0,
		[SOCKSTATE_CLOSED] = KBIT(K_CLOSE),
		[SOCKSTATE_LISTEN] = KBIT(K_LISTEN),
		[SOCKSTATE_SYN_SENT] = KBIT(K_SYN_SENT),
		[SOCKSTATE_SYN_RECEIVED] = KBIT(K_SYN_RECV) | KBIT(K_NEW_SYN_RECV),
		[SOCKSTATE_ESTABLISHED] = KBIT(K_ESTABLISHED),
		[SOCKSTATE_FIN_WAIT_1] = KBIT(K_FIN_WAIT1),
		[SOCKSTATE_FIN_WAIT_2] = KBIT(K_FIN_WAIT2),
		[SOCKSTATE_CLOSE_WAIT] = KBIT(K_CLOSE_WAIT),
		[SOCKSTATE_CLOSING] = KBIT(K_CLOSING),
		[SOCKSTATE_LAST_ACK] = KBIT(K_LAST_ACK),
		[SOCKSTATE_TIME_WAIT] = KBIT(K_TIME_WAIT),
		[SOCKSTATE_DELETE_TCB] = 0,
		[SOCKSTATE_BOUND] = KBIT(K_BOUND_INACTIVE),
	};
	uint32_t bits = 0;

	for (unsigned s = 0; s < SOCKSTATE_STATE_COUNT; s++)
		if (states & SOCKSTATE_STATE_BIT(s))
			bits |= kernel_bits[s];
	return bits;
}

/* ---- the program ---- */

/* One condition: a port (an S_GE, S_LE pair: 16 bytes) or a prefix (one
 * S_COND/D_COND with its hostcond: 12 + address bytes). */
struct cond {
	int remote;                  /* D_* rather than S_* */
	int is_port;
	uint16_t port;
	const sockstate_prefix *prefix;
};

/* A clause: one condition, or an OR of two (either side). */
struct clause {
	struct cond a, b;
	int either;
};

#define MAX_CLAUSES 6

/* A writer that only counts when buf is NULL (the sizing pass). */
struct prog {
	unsigned char *buf;
	size_t len;                  /* bytes emitted so far */
	size_t total;                /* final length, known in the second pass */
};

static void put_op(struct prog *g, unsigned char code, size_t yes, size_t no)
{
	struct inet_diag_bc_op op = {
		.code = code,
		.yes = (unsigned char)yes,
		.no = (unsigned short)no,
	};

	if (g->buf)
		memcpy(g->buf + g->len, &op, sizeof op);
	g->len += sizeof op;
}

static void put_bytes(struct prog *g, const void *p, size_t n)
{
	if (g->buf)
		memcpy(g->buf + g->len, p, n);
	g->len += n;
}

static size_t prefix_addr_len(const sockstate_prefix *p)
{
	return p->family == SOCKSTATE_FAMILY_IPV4 ? 4 : 16;
}

static size_t cond_len(const struct cond *c)
{
	if (c->is_port)
		return 2 * 2 * sizeof(struct inet_diag_bc_op);
	return sizeof(struct inet_diag_bc_op) + sizeof(struct inet_diag_hostcond) +
	       prefix_addr_len(c->prefix);
}

/* Emit c; when it fails, jump to the absolute offset fail_at. */
static void put_cond(struct prog *g, const struct cond *c, size_t fail_at)
{
	if (c->is_port) {
		static const unsigned char ge[2] = {INET_DIAG_BC_S_GE, INET_DIAG_BC_D_GE};
		static const unsigned char le[2] = {INET_DIAG_BC_S_LE, INET_DIAG_BC_D_LE};
		size_t op_len = 2 * sizeof(struct inet_diag_bc_op);

		put_op(g, ge[c->remote], op_len, fail_at - g->len);
		put_op(g, 0, 0, c->port);
		put_op(g, le[c->remote], op_len, fail_at - g->len);
		put_op(g, 0, 0, c->port);
		return;
	}
	struct inet_diag_hostcond hc;
	size_t addr_len = prefix_addr_len(c->prefix);

	memset(&hc, 0, sizeof hc);
	hc.family = c->prefix->family == SOCKSTATE_FAMILY_IPV4 ? AF_INET : AF_INET6;
	hc.prefix_len = c->prefix->bits;
	hc.port = -1;
	put_op(g, c->remote ? INET_DIAG_BC_D_COND : INET_DIAG_BC_S_COND, cond_len(c),
	       fail_at - g->len);
	put_bytes(g, &hc, sizeof hc);
	put_bytes(g, c->prefix->addr, addr_len);
}

/* One alternative: its clauses, ANDed. */
struct alt {
	struct clause cl[MAX_CLAUSES];
	size_t n;
};

static size_t clause_len(const struct clause *c)
{
	if (!c->either)
		return cond_len(&c->a);
	return cond_len(&c->a) + sizeof(struct inet_diag_bc_op) + cond_len(&c->b);
}

static size_t alt_len(const struct alt *a)
{
	size_t len = 0;

	for (size_t i = 0; i < a->n; i++)
		len += clause_len(&a->cl[i]);
	return len;
}

/* Every clause of a must hold; a failing one jumps to fail_at. An OR
 * clause is  a [fail: to b]; JMP over b; b [fail: fail_at]  so reaching
 * its end means a or b held. */
static void put_alt(struct prog *g, const struct alt *a, size_t fail_at)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct clause *c = &a->cl[i];

		if (!c->either) {
			put_cond(g, &c->a, fail_at);
			continue;
		}
		size_t b_at = g->len + cond_len(&c->a) + sizeof(struct inet_diag_bc_op);

		put_cond(g, &c->a, b_at);
		put_op(g, INET_DIAG_BC_JMP, sizeof(struct inet_diag_bc_op),
		       sizeof(struct inet_diag_bc_op) + cond_len(&c->b));
		put_cond(g, &c->b, fail_at);
	}
}

/* The program: the alternatives one after the other. Each but the last
 * ends in a JMP to the end (accept) and sends its failures to the next;
 * the last one's failures reject (jump to total + 4). */
static void put_program(struct prog *g, const struct alt *alts, size_t n)
{
	const size_t op_len = sizeof(struct inet_diag_bc_op);
	size_t reject = g->total + op_len;

	for (size_t i = 0; i + 1 < n; i++) {
		put_alt(g, &alts[i], g->len + alt_len(&alts[i]) + op_len);
		put_op(g, INET_DIAG_BC_JMP, op_len, g->total - g->len);
	}
	if (n)
		put_alt(g, &alts[n - 1], reject);
}

/* ---- from the query ---- */

/* 1: a filter to compile; 0: no filter; -1: one we cannot express. */
static int port_filter(int32_t port)
{
	if (port < 0)
		return 0;
	return port <= 65535 ? 1 : -1;
}

static int prefix_filter(const sockstate_prefix *p)
{
	if (!p->family)
		return 0;
	if (p->family == SOCKSTATE_FAMILY_IPV4)
		return p->bits <= 32 ? 1 : -1;
	if (p->family == SOCKSTATE_FAMILY_IPV6)
		return p->bits <= 128 ? 1 : -1;
	return -1;
}

static void add_port(struct alt *a, int32_t port, int remote, int either)
{
	struct cond c = {.is_port = 1, .port = (uint16_t)port, .remote = remote};

	a->cl[a->n] = (struct clause){.a = c, .b = c, .either = either};
	a->cl[a->n].b.remote = 1;
	a->n++;
}

static void add_prefix(struct alt *a, const sockstate_prefix *p, int remote, int either)
{
	struct cond c = {.prefix = p, .remote = remote};

	a->cl[a->n] = (struct clause){.a = c, .b = c, .either = either};
	a->cl[a->n].b.remote = 1;
	a->n++;
}

/* The groups of one alternative that can be expressed exactly:
 * SOCKSTATE__F_PORTS, SOCKSTATE__F_ADDRS. */
static uint32_t alt_groups(const sockstate_query_alt *q)
{
	uint32_t groups = 0;

	if (port_filter(q->port) >= 0 && port_filter(q->sport) >= 0 &&
	    port_filter(q->dport) >= 0)
		groups |= SOCKSTATE__F_PORTS;
	if (prefix_filter(&q->addr) >= 0 && prefix_filter(&q->saddr) >= 0 &&
	    prefix_filter(&q->daddr) >= 0)
		groups |= SOCKSTATE__F_ADDRS;
	return groups;
}

/* The clauses of the groups of q to compile. */
static void alt_clauses(const sockstate_query_alt *q, uint32_t groups, struct alt *a)
{
	a->n = 0;
	if (groups & SOCKSTATE__F_PORTS) {
		if (port_filter(q->port))
			add_port(a, q->port, 0, 1);
		if (port_filter(q->sport))
			add_port(a, q->sport, 0, 0);
		if (port_filter(q->dport))
			add_port(a, q->dport, 1, 0);
	}
	if (groups & SOCKSTATE__F_ADDRS) {
		if (prefix_filter(&q->addr))
			add_prefix(a, &q->addr, 0, 1);
		if (prefix_filter(&q->saddr))
			add_prefix(a, &q->saddr, 0, 0);
		if (prefix_filter(&q->daddr))
			add_prefix(a, &q->daddr, 1, 0);
	}
}

int sockstate__diag_bytecode(const sockstate_query *q, void *buf, size_t cap,
                             uint32_t *pushed)
{
	const uint32_t both = SOCKSTATE__F_PORTS | SOCKSTATE__F_ADDRS;
	size_t nalts = 1 + (q->alt_count <= SOCKSTATE_QUERY_ALT_MAX ? q->alt_count
	                                                            : SOCKSTATE_QUERY_ALT_MAX);
	struct alt alts[1 + SOCKSTATE_QUERY_ALT_MAX];
	sockstate_query_alt views[1 + SOCKSTATE_QUERY_ALT_MAX];
	struct prog g = {0};
	uint32_t groups = both;

	for (size_t i = 0; i < nalts; i++) {
		views[i] = sockstate__query_alt(q, i);
		groups &= alt_groups(&views[i]);
	}
	/* Alternatives are compiled whole or not at all: the core could not
	 * complete an OR of which the kernel kept only one part. */
	if (nalts > 1 && groups != both)
		return 0;
	for (size_t i = 0; i < nalts; i++) {
		alt_clauses(&views[i], groups, &alts[i]);
		/* An empty alternative keeps every socket: so does the OR. */
		if (alts[i].n == 0 && nalts > 1) {
			*pushed |= groups;
			return 0;
		}
	}

	put_program(&g, alts, nalts);
	if (g.len > cap)
		return SOCKSTATE_ERANGE;
	g.total = g.len;
	g.len = 0;
	g.buf = buf;
	put_program(&g, alts, nalts);
	*pushed |= groups;
	return (int)g.len;
}

/* ---- the split dump's two halves ---- */

/* A port's stripe: which of 16 runs of 4096 ports it lies in; we only
 * need its parity. */
#define STRIPE_SHIFT 12
#define STRIPES (65536u >> STRIPE_SHIFT)

#define OP_LEN sizeof(struct inet_diag_bc_op)

/* Bytes of a parity tree over n stripes (n a power of two): n - 1
 * compares (an op and its argument) and n jumps. */
static size_t tree_len(unsigned n)
{
	return (n - 1) * 2 * OP_LEN + n * OP_LEN;
}

/* Jump to odd_at when the port's stripe is odd, to even_at when it is
 * even, for ports in the n stripes from first on: S_LE (D_LE) at the
 * middle, its `yes` the lower half's tree right after it, its `no` the
 * upper half's after that; a single stripe is a JMP. */
static void put_parity(struct prog *g, int remote, unsigned first, unsigned n,
                       size_t odd_at, size_t even_at)
{
	if (n == 1) {
		put_op(g, INET_DIAG_BC_JMP, OP_LEN, ((first & 1) ? odd_at : even_at) - g->len);
		return;
	}
	unsigned half = n / 2;
	size_t upper_at = g->len + 2 * OP_LEN + tree_len(half);

	put_op(g, remote ? INET_DIAG_BC_D_LE : INET_DIAG_BC_S_LE, 2 * OP_LEN,
	       upper_at - g->len);
	put_op(g, 0, 0, ((first + half) << STRIPE_SHIFT) - 1);
	put_parity(g, remote, first, half, odd_at, even_at);
	put_parity(g, remote, first + half, half, odd_at, even_at);
}

/* Three trees: the local port's, then the remote port's for an even
 * local stripe, then for an odd one. The remote trees' jumps land on the
 * end (accept) or past it (reject). */
int sockstate__diag_split_bytecode(int half, void *buf, size_t cap)
{
	const size_t tree = tree_len(STRIPES);
	const size_t accept = 3 * tree, reject = accept + OP_LEN;
	/* Half 0 keeps equal parities, half 1 different ones. */
	const size_t same = half ? reject : accept, differ = half ? accept : reject;
	struct prog g = {.buf = buf};

	if (cap < SOCKSTATE__DIAG_SPLIT_BYTECODE_LEN)
		return SOCKSTATE_ERANGE;
	put_parity(&g, 0, 0, STRIPES, 2 * tree, tree);
	put_parity(&g, 1, 0, STRIPES, differ, same);
	put_parity(&g, 1, 0, STRIPES, same, differ);
	return (int)g.len;
}
