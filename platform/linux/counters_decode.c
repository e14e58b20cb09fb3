/* counters_decode.c - /proc/net/snmp and /proc/net/netstat text to TCP
 * counters, by column name (counters_internal.h). Pure: no syscalls, no
 * allocation; every read stays inside the caller's text. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "counters_internal.h"

/* A token of the file, shown in a message: at most 32 bytes, anything but
 * printable ASCII as '?', so the detail stays one clean line. */
static const char *shown(const char *p, size_t n, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < n && i + 1 < size && i < 32; i++)
		buf[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
	buf[i] = '\0';
	return buf;
}

static int fail(char *why, size_t why_len, const char *fmt, ...)
	SOCKSTATE__PRINTF(3, 4);

static int fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return SOCKSTATE_EPARSE;
}

/* The next line of text[*pos..len) without its newline; *line counts it.
 * Returns 0, or EPARSE for a line that is too long or not ended. */
static int take_line(const char *text, size_t len, size_t *pos, unsigned *line,
                     const char **start, size_t *n, char *why, size_t why_len)
{
	size_t left = len - *pos;
	size_t look = left < SOCKSTATE__COUNTERS_LINE_MAX + 1 ? left
	                                                       : SOCKSTATE__COUNTERS_LINE_MAX + 1;
	const char *nl = memchr(text + *pos, '\n', look);

	++*line;
	if (!nl && left > SOCKSTATE__COUNTERS_LINE_MAX)
		return fail(why, why_len, "line %u: longer than %u bytes", *line,
		            SOCKSTATE__COUNTERS_LINE_MAX);
	if (!nl)
		return fail(why, why_len, "line %u: no newline at the end", *line);
	*start = text + *pos;
	*n = (size_t)(nl - *start);
	*pos += *n + 1;
	return 0;
}

/* The next space-separated token of [*p, end); length 0 at the end. */
static size_t next_token(const char **p, const char *end, const char **tok)
{
	while (*p < end && **p == ' ')
		++*p;
	*tok = *p;
	while (*p < end && **p != ' ')
		++*p;
	return (size_t)(*p - *tok);
}

static unsigned count_tokens(const char *p, const char *end)
{
	const char *tok;
	unsigned n = 0;

	while (next_token(&p, end, &tok) > 0)
		n++;
	return n;
}

/* A decimal number, "-" allowed (MaxConn prints -1). Returns 0 (*v set),
 * 1 for a negative number, -1 for no number (or one beyond 64 bits). */
static int parse_value(const char *s, size_t n, uint64_t *v)
{
	int negative = n > 0 && s[0] == '-';
	uint64_t x = 0;
	size_t i = (size_t)negative;

	if (i == n)
		return -1;
	for (; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return negative;
}

/* One pair of lines: names[0..nn) and values[0..vn), the text after the
 * common "prefix:". line is the values' line. */
static int decode_pair(const char *prefix, size_t plen, const char *names, size_t nn,
                       const char *values, size_t vn, unsigned line,
                       sockstate_tcp_counters *out, char *why, size_t why_len)
{
	const char *np = names, *nend = names + nn, *vp = values, *vend = values + vn;
	char a[40], b[40], d[40];

	for (;;) {
		const char *name, *value;
		size_t nl = next_token(&np, nend, &name);
		size_t vl = next_token(&vp, vend, &value);
		uint64_t v = 0;
		int sign, c;

		if (nl == 0 && vl == 0)
			return 0;
		if (nl == 0 || vl == 0)
			return fail(why, why_len, "line %u: %s has %u names but %u values", line,
			            shown(prefix, plen, a, sizeof a), count_tokens(names, nend),
			            count_tokens(values, vend));
		sign = parse_value(value, vl, &v);
		if (sign < 0)
			return fail(why, why_len, "line %u: %s %s is \"%s\", not a number", line,
			            shown(prefix, plen, a, sizeof a), shown(name, nl, b, sizeof b),
			            shown(value, vl, d, sizeof d));
		c = sockstate__counter_linux_column(prefix, plen, name, nl);
		if (c < 0)
			continue;
		if (sign > 0)
			return fail(why, why_len, "line %u: %s%s is negative", line,
			            shown(prefix, plen, a, sizeof a), shown(name, nl, b, sizeof b));
		if (out->valid & SOCKSTATE_COUNTER_BIT(c))
			return fail(why, why_len, "line %u: %s%s given twice", line,
			            shown(prefix, plen, a, sizeof a), shown(name, nl, b, sizeof b));
		sockstate__tcp_counter_set(out, (sockstate_counter)c, v, SOCKSTATE__COUNTERS_LINUX);
	}
}

int sockstate__linux_counters_decode(const char *text, size_t len,
                                     sockstate_tcp_counters *out, char *why,
                                     size_t why_len)
{
	size_t pos = 0;
	unsigned line = 0;
	char a[40];

	if (len == 0)
		return fail(why, why_len, "line 1: empty file");
	while (pos < len) {
		const char *names, *values, *colon;
		size_t nn, vn, plen;
		int rc = take_line(text, len, &pos, &line, &names, &nn, why, why_len);

		if (rc)
			return rc;
		colon = memchr(names, ':', nn);
		if (!colon || colon == names)
			return fail(why, why_len, "line %u: no \"Name:\" at the start", line);
		plen = (size_t)(colon - names);
		if (pos == len)
			return fail(why, why_len, "line %u: %s names without a line of values",
			            line, shown(names, plen, a, sizeof a));
		rc = take_line(text, len, &pos, &line, &values, &vn, why, why_len);
		if (rc)
			return rc;
		if (vn <= plen || memcmp(values, names, plen + 1) != 0)
			return fail(why, why_len, "line %u: not the values of %s (line %u)", line,
			            shown(names, plen, a, sizeof a), line - 1);
		rc = decode_pair(names, plen, names + plen + 1, nn - plen - 1, values + plen + 1,
		                 vn - plen - 1, line, out, why, why_len);
		if (rc)
			return rc;
	}
	return 0;
}
