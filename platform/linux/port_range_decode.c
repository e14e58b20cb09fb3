/* port_range_decode.c - the ephemeral port range as Linux prints it in
 * /proc/sys/net/ipv4/ip_local_port_range ("32768\t60999\n"). */
#include "port_range.h"

/* A decimal number at *p (after blanks), 1-65535; advances *p. */
static int number(const char **p, const char *end, uint32_t *out)
{
	uint32_t v = 0;
	const char *start;

	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	start = *p;
	while (*p < end && **p >= '0' && **p <= '9' && *p - start < 6)
		v = v * 10 + (uint32_t)(*(*p)++ - '0');
	if (*p == start || v == 0 || v > 65535)
		return -1;
	*out = v;
	return 0;
}

int sockstate__port_range_decode(const char *buf, size_t len, uint32_t *first, uint32_t *last)
{
	const char *p = buf, *end = buf + len;
	uint32_t a, b;

	if (number(&p, end, &a) != 0 || p == end || (*p != ' ' && *p != '\t') ||
	    number(&p, end, &b) != 0 || a > b)
		return -1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '\n')
		p++;
	if (p != end)
		return -1;
	*first = a;
	*last = b;
	return 0;
}
