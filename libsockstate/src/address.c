/* address.c - addresses as text, both ways, without the OS: RFC 5952
 * output and a strict parser, so every platform prints and accepts the
 * same text. */
#include <string.h>

#include "core_internal.h"

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* ---- output ---- */

struct text {
	char *buf;
	size_t len, cap;
	int overflow;
};

static void put_char(struct text *t, char c)
{
	if (t->len + 1 < t->cap)
		t->buf[t->len] = c;
	else
		t->overflow = 1;
	t->len++;
}

static void put_str(struct text *t, const char *s)
{
	while (*s)
		put_char(t, *s++);
}

static void put_dec(struct text *t, unsigned v)
{
	char digits[10];
	int n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		put_char(t, digits[--n]);
}

static void put_hex16(struct text *t, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 12;

	while (shift > 0 && !((v >> shift) & 0xf))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		put_char(t, hex[(v >> shift) & 0xf]);
}

static void put_ipv4(struct text *t, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			put_char(t, '.');
		put_dec(t, a[i]);
	}
}

/* RFC 5952: lowercase, no leading zeros, the longest run (leftmost on a
 * tie) of two or more zero groups becomes "::". */
static void put_ipv6(struct text *t, const uint8_t *a)
{
	unsigned group[8];
	int best = -1, best_len = 0;

	if (!memcmp(a, v4mapped_prefix, sizeof v4mapped_prefix)) {
		put_str(t, "::ffff:");
		put_ipv4(t, a + 12);
		return;
	}
	for (int i = 0; i < 8; i++)
		group[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && group[j] == 0)
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			put_str(t, "::");
			i += best_len - 1;
			continue;
		}
		if (i && i != best + best_len)
			put_char(t, ':');
		put_hex16(t, group[i]);
	}
}

static int is_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

SOCKSTATE_API int sockstate_endpoint_format_zone(sockstate_family family,
                                                 const sockstate_endpoint *ep,
                                                 const char *zone, char *buf,
                                                 size_t buflen)
{
	struct text t = {buf, 0, buflen, 0};

	if (!ep || !buf)
		return SOCKSTATE_EINVAL;
	if (family == SOCKSTATE_FAMILY_IPV4) {
		put_ipv4(&t, ep->addr);
	} else if (family == SOCKSTATE_FAMILY_IPV6) {
		put_ipv6(&t, ep->addr);
		if (ep->scope_id && is_link_local(ep->addr)) {
			put_char(&t, '%');
			if (zone)
				put_str(&t, zone);
			else
				put_dec(&t, ep->scope_id);
		}
	} else {
		return SOCKSTATE_EINVAL;
	}
	if (t.overflow || buflen == 0) {
		if (buflen)
			buf[0] = '\0';
		return SOCKSTATE_ERANGE;
	}
	buf[t.len] = '\0';
	return (int)t.len;
}

const char *sockstate__zone_lookup(uint8_t family, const sockstate_endpoint *ep, char *buf,
                                   size_t len)
{
	if (ep && ep->scope_id && family == SOCKSTATE_FAMILY_IPV6 && is_link_local(ep->addr) &&
	    sockstate__platform_ifname(ep->scope_id, buf, len) == 0)
		return buf;
	return NULL;
}

SOCKSTATE_API int sockstate_endpoint_format(sockstate_family family,
                                            const sockstate_endpoint *ep,
                                            char *buf, size_t buflen)
{
	char name[64];

	return sockstate_endpoint_format_zone(family, ep,
	                                      sockstate__zone_lookup(family, ep, name, sizeof name),
	                                      buf, buflen);
}

/* ---- input ---- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sockstate__parse_hex_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 16)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int d = hex_value(s[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* Dotted quad, exactly four decimal parts 0-255, no leading zeros
 * (an octal-looking "010" is refused rather than guessed). */
static int parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0;
		size_t start = i;

		if (part) {
			if (i >= len || s[i] != '.')
				return -1;
			start = ++i;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
			return -1;
		out[part] = (uint8_t)v;
	}
	return i == len ? 0 : -1;
}

static int parse_ipv6(const char *s, size_t len, uint8_t out[16])
{
	uint8_t bytes[16];
	int n = 0, gap = -1;
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (len && s[0] == ':') {
		return -1;
	}
	while (i < len) {
		size_t start = i;
		unsigned v = 0;
		int digits = 0;

		while (i < len && hex_value(s[i]) >= 0 && digits < 5) {
			v = v << 4 | (unsigned)hex_value(s[i++]);
			digits++;
		}
		if (i < len && s[i] == '.') { /* embedded IPv4 as the last 32 bits */
			if (n > 12 || parse_ipv4(s + start, len - start, bytes + n))
				return -1;
			n += 4;
			i = len;
			break;
		}
		if (digits == 0 || digits > 4 || n > 14)
			return -1;
		bytes[n++] = (uint8_t)(v >> 8);
		bytes[n++] = (uint8_t)v;
		if (i == len)
			break;
		if (s[i] != ':')
			return -1;
		i++;
		if (i < len && s[i] == ':') {
			if (gap >= 0)
				return -1;
			gap = n;
			i++;
		} else if (i == len) {
			return -1; /* a trailing single ':' */
		}
	}
	if (gap < 0 && n != 16)
		return -1;
	if (gap >= 0 && n > 14)
		return -1;
	memset(out, 0, 16);
	if (gap < 0) {
		memcpy(out, bytes, 16);
	} else {
		memcpy(out, bytes, (size_t)gap);
		memcpy(out + 16 - (n - gap), bytes + gap, (size_t)(n - gap));
	}
	return 0;
}

static int parse_decimal(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	int too_big = 0;

	if (len == 0)
		return SOCKSTATE_EINVAL;
	/* Every character must be a digit before the value is judged: "70000x"
	 * is not a number at all (EINVAL), not a number out of range. */
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return SOCKSTATE_EINVAL;
		if (v > max || v > (UINT64_MAX - 9) / 10)
			too_big = 1; /* keep checking digits; stop growing */
		else
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (too_big || v > max)
		return SOCKSTATE_ERANGE;
	*out = v;
	return 0;
}

int sockstate__parse_unsigned(const char *text, uint64_t max, uint64_t *out)
{
	if (!text)
		return SOCKSTATE_EINVAL;
	return parse_decimal(text, strlen(text), max, out);
}

SOCKSTATE_API int sockstate_port_parse(const char *text, uint16_t *out)
{
	uint64_t v;
	int rc = sockstate__parse_unsigned(text, 65535, &v);

	if (rc == 0 && out)
		*out = (uint16_t)v;
	return rc;
}

static void prefix_clear_host_bits(sockstate_prefix *p)
{
	unsigned total = p->family == SOCKSTATE_FAMILY_IPV4 ? 32 : 128;

	for (unsigned bit = p->bits; bit < total; bit++)
		p->addr[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
}

SOCKSTATE_API int sockstate_prefix_parse(const char *text, sockstate_prefix *out)
{
	sockstate_prefix p;
	const char *slash, *addr = text;
	size_t addr_len;
	uint64_t bits;
	int rc;

	if (!text || !out)
		return SOCKSTATE_EINVAL;
	memset(&p, 0, sizeof p);
	slash = strchr(text, '/');
	addr_len = slash ? (size_t)(slash - text) : strlen(text);
	if (addr_len >= 2 && addr[0] == '[' && addr[addr_len - 1] == ']') {
		addr++;
		addr_len -= 2;
		if (parse_ipv6(addr, addr_len, p.addr))
			return SOCKSTATE_EINVAL;
		p.family = SOCKSTATE_FAMILY_IPV6;
	} else if (parse_ipv4(addr, addr_len, p.addr) == 0) {
		p.family = SOCKSTATE_FAMILY_IPV4;
	} else if (parse_ipv6(addr, addr_len, p.addr) == 0) {
		p.family = SOCKSTATE_FAMILY_IPV6;
	} else {
		return SOCKSTATE_EINVAL;
	}
	p.bits = p.family == SOCKSTATE_FAMILY_IPV4 ? 32 : 128;
	if (slash) {
		rc = parse_decimal(slash + 1, strlen(slash + 1), p.bits, &bits);
		if (rc < 0)
			return rc;
		p.bits = (uint8_t)bits;
	}
	prefix_clear_host_bits(&p);
	*out = p;
	return 0;
}

SOCKSTATE_API int sockstate_endpoint_parse(const char *text, sockstate_family *family,
                                           sockstate_endpoint *out)
{
	sockstate_endpoint ep;
	sockstate_family fam;
	const char *colon, *port_text;
	uint64_t port, zone = 0;
	int rc;

	if (!text || !family || !out)
		return SOCKSTATE_EINVAL;
	memset(&ep, 0, sizeof ep);
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		const char *pct;
		size_t len;

		if (!close || close[1] != ':')
			return SOCKSTATE_EINVAL;
		len = (size_t)(close - text - 1);
		/* A zone, as the address's own text gives it: a number. */
		pct = memchr(text + 1, '%', len);
		if (pct) {
			rc = parse_decimal(pct + 1, (size_t)(close - pct - 1), UINT32_MAX, &zone);
			if (rc < 0)
				return SOCKSTATE_EINVAL;
			len = (size_t)(pct - text - 1);
		}
		if (parse_ipv6(text + 1, len, ep.addr))
			return SOCKSTATE_EINVAL;
		ep.scope_id = (uint32_t)zone;
		fam = SOCKSTATE_FAMILY_IPV6;
		port_text = close + 2;
	} else {
		colon = strchr(text, ':');
		if (!colon || strchr(colon + 1, ':') ||
		    parse_ipv4(text, (size_t)(colon - text), ep.addr))
			return SOCKSTATE_EINVAL;
		fam = SOCKSTATE_FAMILY_IPV4;
		port_text = colon + 1;
	}
	rc = parse_decimal(port_text, strlen(port_text), 65535, &port);
	if (rc < 0)
		return rc;
	ep.port = (uint16_t)port;
	*family = fam;
	*out = ep;
	return 0;
}
