/* outbuf.c - the buffered output the writers append to, its helpers for
 * numbers and text (escaped for each format), and the field formats every
 * writer shares. */
#include "outbuf.h"

const sockstate_state sockstate__state_order[SOCKSTATE_STATE_COUNT] = {
	SOCKSTATE_CLOSED,      SOCKSTATE_LISTEN,     SOCKSTATE_SYN_SENT,
	SOCKSTATE_SYN_RECEIVED, SOCKSTATE_ESTABLISHED, SOCKSTATE_FIN_WAIT_1,
	SOCKSTATE_FIN_WAIT_2,  SOCKSTATE_CLOSE_WAIT, SOCKSTATE_CLOSING,
	SOCKSTATE_LAST_ACK,    SOCKSTATE_TIME_WAIT,  SOCKSTATE_DELETE_TCB,
	SOCKSTATE_BOUND,       SOCKSTATE_UNKNOWN,
};

/* ---- the buffer ---- */

void sockstate__out_init(sockstate__out *out, sockstate_write_fn fn, void *ctx)
{
	out->fn = fn;
	out->ctx = ctx;
	out->err = 0;
	out->len = 0;
	out->cap = SOCKSTATE__OUT_CAP;
}

int sockstate__out_flush(sockstate__out *out)
{
	if (out->err == 0 && out->len > 0) {
		int r = out->fn(out->ctx, out->buf, out->len);
		/* The contract asks for 0 or a negative code; a positive
		 * answer still stops us, reported as an I/O failure. */
		if (r != 0)
			out->err = r < 0 ? r : SOCKSTATE_EIO;
	}
	out->len = 0;
	return out->err;
}

int sockstate__out_finish(sockstate__out *out)
{
	return sockstate__out_flush(out);
}

void sockstate__out_bytes(sockstate__out *out, const char *p, size_t n)
{
	while (n > 0 && out->err == 0) {
		if (out->len == out->cap && sockstate__out_flush(out) != 0)
			return;
		size_t room = out->cap - out->len;
		size_t take = n < room ? n : room;
		memcpy(out->buf + out->len, p, take);
		out->len += take;
		p += take;
		n -= take;
	}
}

void sockstate__out_spaces(sockstate__out *out, size_t n)
{
	while (n > 0) {
		size_t take = n < SOCKSTATE__OUT_RESERVE ? n : SOCKSTATE__OUT_RESERVE;
		char *p = sockstate__out_reserve(out, take);
		if (p == NULL)
			return;
		memset(p, ' ', take);
		out->len += take;
		n -= take;
	}
}

/* ---- numbers ---- */

size_t sockstate__fmt_u64(char *buf, uint64_t v)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	memcpy(buf, tmp + sizeof tmp - n, n);
	return n;
}

size_t sockstate__fmt_i64(char *buf, int64_t v)
{
	if (v >= 0)
		return sockstate__fmt_u64(buf, (uint64_t)v);
	buf[0] = '-';
	/* -(v + 1) + 1 avoids overflowing on INT64_MIN. */
	return 1 + sockstate__fmt_u64(buf + 1, (uint64_t)(-(v + 1)) + 1u);
}

void sockstate__out_u64(sockstate__out *out, uint64_t v)
{
	char *p = sockstate__out_reserve(out, 20);
	if (p != NULL)
		out->len += sockstate__fmt_u64(p, v);
}

void sockstate__out_i64(sockstate__out *out, int64_t v)
{
	char *p = sockstate__out_reserve(out, 21);
	if (p != NULL)
		out->len += sockstate__fmt_i64(p, v);
}

/* ---- text ---- */

int sockstate__utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char b = p[0];
	int need;
	unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */

	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF) {
		need = 1;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 2;
		if (b == 0xE0)
			lo = 0xA0;      /* no overlong forms */
		else if (b == 0xED)
			hi = 0x9F;      /* no UTF-16 surrogates */
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 3;
		if (b == 0xF0)
			lo = 0x90;      /* no overlong forms */
		else if (b == 0xF4)
			hi = 0x8F;      /* nothing above U+10FFFF */
	} else {
		return -1;          /* a stray continuation byte, C0, C1, F5-FF */
	}
	if (n < 2 || p[1] < lo || p[1] > hi)
		return -1;
	for (int i = 2; i <= need; i++)
		if ((size_t)i >= n || p[i] < 0x80 || p[i] > 0xBF)
			return -i;
	return need + 1;
}

/* Copy the UTF-8 sequence at *p, or write `bad` (the format's spelling of
 * U+FFFD) for an invalid one; advance past what was read. */
static void out_utf8_or(sockstate__out *out, const unsigned char **p, size_t *n,
                        const char *bad, size_t bad_len)
{
	int len = sockstate__utf8_seq(*p, *n);

	if (len > 0) {
		sockstate__out_bytes(out, (const char *)*p, (size_t)len);
	} else {
		sockstate__out_bytes(out, bad, bad_len);
		len = -len;
	}
	*p += len;
	*n -= (size_t)len;
}

void sockstate__out_json_str(sockstate__out *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (s == NULL) {
		sockstate__out_bytes(out, "null", 4);
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	sockstate__out_char(out, '"');
	while (n > 0) {
		/* The common case: a run of bytes that pass through. */
		size_t run = 0;
		while (run < n && p[run] >= 0x20 && p[run] < 0x7F && p[run] != '"' &&
		       p[run] != '\\')
			run++;
		if (run > 0) {
			sockstate__out_bytes(out, (const char *)p, run);
			p += run;
			n -= run;
			continue;
		}
		unsigned char b = *p;
		if (b >= 0x80) {
			out_utf8_or(out, &p, &n, "\\ufffd", 6);
			continue;
		}
		char *o = sockstate__out_reserve(out, 6);
		if (o == NULL)
			return;
		size_t w = 2;
		o[0] = '\\';
		switch (b) {
		case '"': o[1] = '"'; break;
		case '\\': o[1] = '\\'; break;
		case '\b': o[1] = 'b'; break;
		case '\f': o[1] = 'f'; break;
		case '\n': o[1] = 'n'; break;
		case '\r': o[1] = 'r'; break;
		case '\t': o[1] = 't'; break;
		default:
			memcpy(o + 1, "u00", 3);
			o[4] = hex[b >> 4];
			o[5] = hex[b & 15];
			w = 6;
			break;
		}
		out->len += w;
		p++;
		n--;
	}
	sockstate__out_char(out, '"');
}

void sockstate__out_csv_str(sockstate__out *out, const char *s)
{
	if (s == NULL)
		return;
	size_t n = strlen(s);
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	const unsigned char *p = (const unsigned char *)s;
	if (quote)
		sockstate__out_char(out, '"');
	while (n > 0) {
		size_t run = 0;
		while (run < n && p[run] < 0x80 && p[run] != '"')
			run++;
		if (run > 0) {
			sockstate__out_bytes(out, (const char *)p, run);
			p += run;
			n -= run;
			continue;
		}
		if (*p == '"') {
			sockstate__out_bytes(out, "\"\"", 2);
			p++;
			n--;
			continue;
		}
		out_utf8_or(out, &p, &n, "\xEF\xBF\xBD", 3);
	}
	if (quote)
		sockstate__out_char(out, '"');
}

size_t sockstate__out_text_str(sockstate__out *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), cols = 0;
	while (n > 0) {
		size_t run = 0;
		while (run < n && p[run] >= 0x20 && p[run] < 0x7F)
			run++;
		if (run > 0) {
			sockstate__out_bytes(out, (const char *)p, run);
			p += run;
			n -= run;
			cols += run;
			continue;
		}
		int len = *p < 0x80 ? -1 : sockstate__utf8_seq(p, n);
		/* U+0080-U+009F (C2 80-9F) are the C1 controls. */
		if (len > 0 && !(len == 2 && p[0] == 0xC2 && p[1] < 0xA0)) {
			sockstate__out_bytes(out, (const char *)p, (size_t)len);
		} else {
			sockstate__out_char(out, '?');
			if (len < 0)
				len = -len;
		}
		p += len;
		n -= (size_t)len;
		cols++;
	}
	return cols;
}

/* ---- shared field formats ---- */

const char *sockstate__family_name(uint8_t family)
{
	switch (family) {
	case SOCKSTATE_FAMILY_IPV4: return "ipv4";
	case SOCKSTATE_FAMILY_IPV6: return "ipv6";
	default: return NULL;
	}
}

int sockstate__fmt_endpoint_port(char *buf, size_t buflen, uint8_t family,
                                 const sockstate_endpoint *ep)
{
	char addr[64];
	int alen = sockstate_endpoint_format((sockstate_family)family, ep, addr,
	                                     sizeof addr);
	if (alen < 0)
		return alen;
	/* 1 + 63 + 2 + 5 digits always fits the documented 80 bytes. */
	if (buflen < (size_t)alen + 9)
		return SOCKSTATE_ERANGE;
	size_t n = 0;
	if (family == SOCKSTATE_FAMILY_IPV6)
		buf[n++] = '[';
	memcpy(buf + n, addr, (size_t)alen);
	n += (size_t)alen;
	if (family == SOCKSTATE_FAMILY_IPV6)
		buf[n++] = ']';
	buf[n++] = ':';
	n += sockstate__fmt_u64(buf + n, ep->port);
	buf[n] = '\0';
	return (int)n;
}

SOCKSTATE_API const char *sockstate_timer_name(int timer)
{
	static const char *const names[] = {
		[SOCKSTATE_TIMER_OFF] = "off",
		[SOCKSTATE_TIMER_RETRANSMIT] = "retransmit",
		[SOCKSTATE_TIMER_KEEPALIVE] = "keepalive",
		[SOCKSTATE_TIMER_TIME_WAIT] = "time_wait",
		[SOCKSTATE_TIMER_PROBE] = "probe",
	};

	if (timer < 0 || (size_t)timer >= sizeof names / sizeof names[0])
		return NULL;
	return names[timer];
}

int sockstate__snapshot_has_netns(const sockstate_snapshot *snap)
{
	for (size_t i = 0; i < snap->count; i++)
		if (snap->sockets[i].netns != NULL)
			return 1;
	return 0;
}

static void put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

size_t sockstate__fmt_iso8601(char *buf, int64_t t)
{
	/* 253402300800 is 10000-01-01T00:00:00Z. */
	if (t <= 0 || t >= INT64_C(253402300800)) {
		buf[0] = '\0';
		return 0;
	}
	int64_t days = t / 86400;
	unsigned secs = (unsigned)(t % 86400);

	/* Civil date from days since 1970-01-01 in the proleptic Gregorian
	 * calendar: shift the epoch to 0000-03-01 so the leap day ends a
	 * year, split into 400-year eras (146097 days), then into years of a
	 * March-based calendar, then into months of 153-day five-month
	 * cycles. t > 0 here, so no negative division. */
	int64_t z = days + 719468;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;                              /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);        /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                             /* [0, 11], March = 0 */
	unsigned day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	unsigned month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	unsigned year = (unsigned)(yoe + era * 400 + (month <= 2));

	put2(buf, year / 100);
	put2(buf + 2, year % 100);
	buf[4] = '-';
	put2(buf + 5, month);
	buf[7] = '-';
	put2(buf + 8, day);
	buf[10] = 'T';
	put2(buf + 11, secs / 3600);
	buf[13] = ':';
	put2(buf + 14, secs / 60 % 60);
	buf[16] = ':';
	put2(buf + 17, secs % 60);
	buf[19] = 'Z';
	buf[20] = '\0';
	return 20;
}
