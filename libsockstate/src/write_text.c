/* write_text.c - text that comes from outside, as each format spells it.
 *
 * Process names, the interface names in IPv6 zones, netns labels and the
 * host's facts are chosen by other users or other machines: a process
 * can name itself ESC ] 52 ... BEL (the terminal's clipboard), and any
 * user can make an interface named with control characters in a user
 * namespace of their own. Every such field goes through one function,
 * sockstate__out_text, in every format, so none can reach a terminal as
 * a control sequence or break a line (docs/SECURITY.md). */
#include "outbuf.h"

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

/* Bytes a style writes as they are: printable ASCII but its quote and
 * escape characters. */
static int passes(unsigned char b, enum sockstate__text_style style)
{
	if (b < 0x20 || b >= 0x7F)
		return 0;
	switch (style) {
	case SOCKSTATE__TEXT_JSON:
	case SOCKSTATE__TEXT_LABEL:
		return b != '"' && b != '\\';
	case SOCKSTATE__TEXT_CSV:
		return b != '"';
	case SOCKSTATE__TEXT_TABLE:
	default:
		return 1;
	}
}

/* How a style spells one character it does not pass: a control
 * character (C0, DEL, or C1: code point cp) or a quote or escape
 * character. Into e (8 bytes); returns the length. */
static size_t spell_special(unsigned cp, enum sockstate__text_style style, char *e)
{
	static const char hex[] = "0123456789abcdef";

	switch (style) {
	case SOCKSTATE__TEXT_JSON:
		e[0] = '\\';
		switch (cp) {
		case '"': e[1] = '"'; return 2;
		case '\\': e[1] = '\\'; return 2;
		case '\b': e[1] = 'b'; return 2;
		case '\f': e[1] = 'f'; return 2;
		case '\n': e[1] = 'n'; return 2;
		case '\r': e[1] = 'r'; return 2;
		case '\t': e[1] = 't'; return 2;
		default:
			memcpy(e + 1, "u00", 3);
			e[4] = hex[(cp >> 4) & 15];
			e[5] = hex[cp & 15];
			return 6;
		}
	case SOCKSTATE__TEXT_LABEL:
		if (cp == '"' || cp == '\\' || cp == '\n') {
			e[0] = '\\';
			e[1] = cp == '\n' ? 'n' : (char)cp;
			return 2;
		}
		break;
	case SOCKSTATE__TEXT_CSV:
		if (cp == '"') {
			memcpy(e, "\"\"", 2);
			return 2;
		}
		break;
	case SOCKSTATE__TEXT_TABLE:
	default:
		break;
	}
	e[0] = '?';
	return 1;
}

/* The code point of the well-formed sequence p[0..len). */
static uint32_t utf8_decode(const unsigned char *p, int len)
{
	static const unsigned char lead_mask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
	uint32_t cp = p[0] & lead_mask[len];

	for (int i = 1; i < len; i++)
		cp = cp << 6 | (p[i] & 0x3Fu);
	return cp;
}

size_t sockstate__out_text(sockstate__out *out, const char *s, size_t n,
                           enum sockstate__text_style style)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t cols = 0;

	while (n > 0) {
		size_t run = 0;
		char e[8];
		size_t elen;
		int len;

		/* The common case: a run of bytes that pass through. */
		while (run < n && passes(p[run], style))
			run++;
		if (run > 0) {
			if (out)
				sockstate__out_bytes(out, (const char *)p, run);
			p += run;
			n -= run;
			cols += run;
			continue;
		}
		len = sockstate__utf8_seq(p, n);
		if (len == 1) {
			elen = spell_special(*p, style, e);
		} else if (len == 2 && p[0] == 0xC2 && p[1] < 0xA0) {
			/* U+0080-U+009F: the C1 controls (CSI is U+009B). */
			elen = spell_special(p[1], style, e);
		} else if (len > 0) {
			if (out)
				sockstate__out_bytes(out, (const char *)p, (size_t)len);
			/* What the terminal shows of it: a combining mark none,
			 * a wide character two (one is added below). */
			cols += (size_t)sockstate__codepoint_width(utf8_decode(p, len));
			cols--;
			elen = 0;
		} else if (style == SOCKSTATE__TEXT_JSON) {
			memcpy(e, "\\ufffd", 6);
			elen = 6;
		} else if (style == SOCKSTATE__TEXT_TABLE) {
			e[0] = '?';
			elen = 1;
		} else {
			memcpy(e, "\xEF\xBF\xBD", 3);
			elen = 3;
		}
		if (len < 0)
			len = -len;
		if (out && elen)
			sockstate__out_bytes(out, e, elen);
		p += len;
		n -= (size_t)len;
		cols++;
	}
	return cols;
}

void sockstate__out_json_str(sockstate__out *out, const char *s)
{
	if (s == NULL) {
		sockstate__out_bytes(out, "null", 4);
		return;
	}
	sockstate__out_char(out, '"');
	sockstate__out_text(out, s, strlen(s), SOCKSTATE__TEXT_JSON);
	sockstate__out_char(out, '"');
}

/* OWASP's list: a cell starting with one of these is a formula to
 * Excel, LibreOffice and Google Sheets. */
static int starts_formula(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

void sockstate__out_csv_str(sockstate__out *out, const char *s, uint32_t flags)
{
	int defuse, quote;

	if (s == NULL)
		return;
	defuse = (flags & SOCKSTATE_W_CSV_FORMULA_SAFE) && starts_formula(s);
	quote = defuse || strpbrk(s, ",\"") != NULL;
	if (quote)
		sockstate__out_char(out, '"');
	if (defuse)
		sockstate__out_char(out, '\'');
	sockstate__out_text(out, s, strlen(s), SOCKSTATE__TEXT_CSV);
	if (quote)
		sockstate__out_char(out, '"');
}

size_t sockstate__out_text_str(sockstate__out *out, const char *s)
{
	return sockstate__out_text(out, s, strlen(s), SOCKSTATE__TEXT_TABLE);
}

size_t sockstate__text_width(const char *s)
{
	return sockstate__out_text(NULL, s, strlen(s), SOCKSTATE__TEXT_TABLE);
}

int sockstate__fmt_endpoint_port(char *buf, size_t buflen, uint8_t family,
                                 const sockstate_endpoint *ep, const char *zone)
{
	char addr[80];
	int alen = sockstate_endpoint_format_zone((sockstate_family)family, ep, zone, addr,
	                                          sizeof addr);
	if (alen < 0)
		return alen;
	/* '[' + address + "]:" + 5 digits + NUL. */
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
