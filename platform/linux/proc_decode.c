/* proc_decode.c - one line of /proc/net/tcp{,6} into a record.
 *
 * Strict: every field we read must have the kernel's shape (hex widths,
 * separators, ranges), otherwise the line is SOCKSTATE_EPARSE and nothing
 * is guessed. Columns after the inode are not read. No syscalls, no
 * allocation: the fuzzer and the unit tests drive this on plain strings. */
#include <string.h>

#include "proc_internal.h"

/* The kernel's header lines, without the padding of the IPv4 one. */
static const char header_ipv4[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
	"retrnsmt   uid  timeout inode";
static const char header_ipv6[] =
	"  sl  local_address                         remote_address                        "
	"st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

/* The highest timer number the kernel prints. */
#define PROC_TIMER_MAX SOCKSTATE_TIMER_PROBE

typedef struct cursor {
	const char *p;
	const char *end;
} cursor;

int sockstate__proc_is_header(const char *line, size_t len, sockstate_family family)
{
	const char *want = family == SOCKSTATE_FAMILY_IPV6 ? header_ipv6 : header_ipv4;
	size_t want_len = family == SOCKSTATE_FAMILY_IPV6 ? sizeof header_ipv6 - 1
	                                                   : sizeof header_ipv4 - 1;

	while (len > want_len && line[len - 1] == ' ')
		len--;
	return len == want_len && memcmp(line, want, len) == 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int skip_spaces(cursor *c)
{
	const char *start = c->p;

	while (c->p < c->end && *c->p == ' ')
		c->p++;
	return c->p > start;
}

/* A run of 1..max_digits hex digits (exactly max_digits when exact),
 * ended by the end of the line, a space or a colon (not consumed). */
static int take_hex(cursor *c, unsigned max_digits, int exact, uint64_t *out)
{
	uint64_t v = 0;
	unsigned n = 0;

	for (; c->p < c->end && *c->p != ' ' && *c->p != ':'; c->p++, n++) {
		int d = hex_digit(*c->p);
		if (d < 0 || n == max_digits)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	if (n == 0 || (exact && n != max_digits))
		return -1;
	*out = v;
	return 0;
}

/* Decimal digits (after an optional '-' when is_signed) worth at most max
 * (the magnitude, for a negative number), ended like take_hex. */
static int take_decimal(cursor *c, int is_signed, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned n = 0;

	if (is_signed && c->p < c->end && *c->p == '-')
		c->p++;
	for (; c->p < c->end && *c->p != ' ' && *c->p != ':'; c->p++, n++) {
		unsigned d = (unsigned)(*c->p - '0');
		if (d > 9 || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (n == 0)
		return -1;
	*out = v;
	return 0;
}

/* The field just read ends here: at a space or the end of the line. */
static int at_field_end(const cursor *c)
{
	return c->p == c->end || *c->p == ' ';
}

static int take_char(cursor *c, char want)
{
	if (c->p >= c->end || *c->p != want)
		return -1;
	c->p++;
	return 0;
}

/* A field after the first: at least one space, then something. */
static int next_field(cursor *c)
{
	return skip_spaces(c) && c->p < c->end ? 0 : -1;
}

/* "%08X:%04X" (IPv4) or "%08X%08X%08X%08X:%04X" (IPv6). Each 32-bit word
 * is the kernel's network-order word printed as a host number: storing
 * the number as a native u32 gives back the kernel's bytes. */
static int take_endpoint(cursor *c, sockstate_family family, sockstate_endpoint *ep)
{
	unsigned words = family == SOCKSTATE_FAMILY_IPV6 ? 4 : 1;
	uint64_t port;

	for (unsigned w = 0; w < words; w++, c->p += 8) {
		cursor word;
		uint64_t v;
		uint32_t native;

		if (c->end - c->p < 8)
			return -1;
		word = (cursor){c->p, c->p + 8};
		if (take_hex(&word, 8, 1, &v) < 0)
			return -1;
		native = (uint32_t)v;
		memcpy(ep->addr + 4 * w, &native, sizeof native);
	}
	if (take_char(c, ':') < 0 || take_hex(c, 4, 1, &port) < 0)
		return -1;
	ep->port = (uint16_t)port;
	return 0;
}

#define FAIL(text) do { *why = (text); return SOCKSTATE_EPARSE; } while (0)

int sockstate__proc_decode_line(const char *line, size_t len, sockstate_family family,
                                long clock_ticks, sockstate_socket *s, const char **why)
{
	cursor c = {line, line + len};
	uint64_t v, st, tx, rx, timer, when, retrans, uid, inode;
	sockstate_state state;
	const char *native_name;

	sockstate__socket_init(s);
	s->family = (uint8_t)family;

	skip_spaces(&c);
	if (c.p == c.end)
		FAIL("empty line");
	if (take_decimal(&c, 0, UINT32_MAX, &v) < 0 || take_char(&c, ':') < 0)
		FAIL("sl: expected a decimal number and ':'");
	if (next_field(&c) < 0)
		FAIL("missing local address");
	if (take_endpoint(&c, family, &s->local) < 0 || !at_field_end(&c))
		FAIL(family == SOCKSTATE_FAMILY_IPV6
		     ? "local address: expected 32 hex digits ':' 4 hex digits"
		     : "local address: expected 8 hex digits ':' 4 hex digits");
	if (next_field(&c) < 0)
		FAIL("missing remote address");
	if (take_endpoint(&c, family, &s->remote) < 0 || !at_field_end(&c))
		FAIL(family == SOCKSTATE_FAMILY_IPV6
		     ? "remote address: expected 32 hex digits ':' 4 hex digits"
		     : "remote address: expected 8 hex digits ':' 4 hex digits");
	if (next_field(&c) < 0)
		FAIL("missing state");
	if (take_hex(&c, 2, 1, &st) < 0 || !at_field_end(&c))
		FAIL("st: expected 2 hex digits");
	if (next_field(&c) < 0)
		FAIL("missing tx_queue:rx_queue");
	if (take_hex(&c, 8, 0, &tx) < 0 || take_char(&c, ':') < 0 ||
	    take_hex(&c, 8, 0, &rx) < 0 || !at_field_end(&c))
		FAIL("tx_queue:rx_queue: expected two 32-bit hex numbers");
	if (next_field(&c) < 0)
		FAIL("missing tr:tm->when");
	if (take_hex(&c, 2, 0, &timer) < 0 || take_char(&c, ':') < 0 ||
	    take_hex(&c, 16, 0, &when) < 0 || !at_field_end(&c))
		FAIL("tr:tm->when: expected two hex numbers");
	if (timer > PROC_TIMER_MAX)
		FAIL("tr: not a timer the kernel prints (0-4)");
	if (when > UINT32_MAX)
		FAIL("tm->when: out of range");
	if (next_field(&c) < 0)
		FAIL("missing retrnsmt");
	if (take_hex(&c, 8, 0, &retrans) < 0 || !at_field_end(&c))
		FAIL("retrnsmt: expected a hex number");
	if (retrans > UINT8_MAX)
		FAIL("retrnsmt: out of range");
	if (next_field(&c) < 0)
		FAIL("missing uid");
	if (take_decimal(&c, 0, UINT32_MAX, &uid) < 0 || !at_field_end(&c))
		FAIL("uid: expected a 32-bit decimal number");
	if (next_field(&c) < 0)
		FAIL("missing timeout");
	if (take_decimal(&c, 1, (uint64_t)INT32_MAX + 1, &v) < 0 || !at_field_end(&c))
		FAIL("timeout: expected a decimal number");
	if (next_field(&c) < 0)
		FAIL("missing inode");
	if (take_decimal(&c, 0, UINT64_MAX, &inode) < 0 || !at_field_end(&c))
		FAIL("inode: expected a decimal number");

	/* Ticks to ms (when < 2^32, so this cannot overflow). */
	v = when * 1000u / (uint64_t)(clock_ticks > 0 ? clock_ticks : 100);
	if (v > UINT32_MAX)
		FAIL("tm->when: out of range");

	sockstate__native_state(SOCKSTATE__ORIGIN_LINUX, (int32_t)st, &state, &native_name);
	s->state = (uint8_t)state;
	s->native_code = (int32_t)st;
	s->native_name = native_name;
	/* LISTEN: the kernel prints the accept backlog as rx_queue. */
	s->tx_queue = (uint32_t)tx;
	s->rx_queue = (uint32_t)rx;
	s->timer = (uint8_t)timer;
	s->retransmits = (uint8_t)retrans;
	s->expires_ms = (uint32_t)v;
	s->valid |= SOCKSTATE_HAS_QUEUES | SOCKSTATE_HAS_TIMER;
	/* TIME_WAIT rows (state TIME_WAIT, or FIN_WAIT2 as a timewait
	 * substate) are the only ones with timer 3, and print uid 0 as a
	 * placeholder. Request (SYN_RECV) rows print their listener's uid. */
	if (timer != SOCKSTATE_TIMER_TIME_WAIT) {
		s->uid = (int64_t)uid;
		s->valid |= SOCKSTATE_HAS_UID;
	}
	if (inode) { /* 0: no socket file (TIME_WAIT, request, not yet accepted) */
		s->inode = inode;
		s->valid |= SOCKSTATE_HAS_INODE;
	}
	return 0;
}
