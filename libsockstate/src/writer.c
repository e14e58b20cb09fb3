/* writer.c - the buffered output, its append helpers, and the public
 * writer entry points that validate arguments and pick a format. */
#include <errno.h>
#include <unistd.h>

#include "writer_internal.h"

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

/* ---- shared field formats ---- */

const char *sockstate__family_name(uint8_t family)
{
	switch (family) {
	case SOCKSTATE_FAMILY_IPV4: return "ipv4";
	case SOCKSTATE_FAMILY_IPV6: return "ipv6";
	default: return NULL;
	}
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

/* ---- public entry points ---- */

SOCKSTATE_API int sockstate_format_parse(const char *text, sockstate_format *out)
{
	static const struct {
		const char *name;
		sockstate_format format;
	} formats[] = {
		{"table", SOCKSTATE_FORMAT_TABLE},
		{"json", SOCKSTATE_FORMAT_JSON},
		{"csv", SOCKSTATE_FORMAT_CSV},
		{"prometheus", SOCKSTATE_FORMAT_PROMETHEUS},
	};
	if (text == NULL || out == NULL)
		return SOCKSTATE_EINVAL;
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		if (strcmp(text, formats[i].name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	}
	return SOCKSTATE_EINVAL;
}

/* Options every format shares: known format, port in range. */
static int opts_check(const sockstate_write_opts *o)
{
	if (o == NULL || o->size < sizeof *o)
		return SOCKSTATE_EINVAL;
	if ((unsigned)o->format > SOCKSTATE_FORMAT_PROMETHEUS)
		return SOCKSTATE_EINVAL;
	if (o->port > 65535 || o->port < -1)
		return SOCKSTATE_EINVAL;
	return 0;
}

/* Every record must name a family and a state we can print, so a
 * malformed snapshot is refused before a byte is written. */
static int snapshot_check(const sockstate_snapshot *snap)
{
	if (snap == NULL || snap->size < sizeof *snap ||
	    (snap->count > 0 && snap->sockets == NULL))
		return SOCKSTATE_EINVAL;
	for (size_t i = 0; i < snap->count; i++) {
		const sockstate_socket *s = &snap->sockets[i];
		if (sockstate__family_name(s->family) == NULL ||
		    s->state >= SOCKSTATE_STATE_COUNT)
			return SOCKSTATE_EINVAL;
	}
	return 0;
}

int sockstate__snapshot_write_out(const sockstate_snapshot *snap,
                                  const sockstate_write_opts *o,
                                  sockstate__out *out)
{
	int err = opts_check(o);
	if (err == 0)
		err = snapshot_check(snap);
	if (err != 0)
		return err;
	switch (o->format) {
	case SOCKSTATE_FORMAT_TABLE:
		sockstate__table_snapshot(out, snap, o->flags);
		break;
	case SOCKSTATE_FORMAT_JSON:
		sockstate__json_snapshot(out, snap);
		break;
	case SOCKSTATE_FORMAT_CSV:
		sockstate__csv_snapshot(out, snap, o->flags);
		break;
	case SOCKSTATE_FORMAT_PROMETHEUS:
		sockstate__prom_snapshot(out, snap, o->port);
		break;
	}
	return sockstate__out_finish(out);
}

int sockstate__counts_write_out(const sockstate_counts *c,
                                const sockstate_sysinfo *sys, const char *backend,
                                const sockstate_write_opts *o, sockstate__out *out)
{
	int err = opts_check(o);
	if (err != 0)
		return err;
	if (c == NULL || c->size < sizeof *c)
		return SOCKSTATE_EINVAL;
	switch (o->format) {
	case SOCKSTATE_FORMAT_TABLE:
		sockstate__table_counts(out, c, o->flags);
		break;
	case SOCKSTATE_FORMAT_JSON:
		sockstate__json_counts(out, c, sys, backend);
		break;
	case SOCKSTATE_FORMAT_CSV:
		sockstate__csv_counts(out, c, o->flags);
		break;
	case SOCKSTATE_FORMAT_PROMETHEUS:
		sockstate__prom_counts(out, c, backend);
		break;
	}
	return sockstate__out_finish(out);
}

SOCKSTATE_API int sockstate_snapshot_write(const sockstate_snapshot *snap,
                                           const sockstate_write_opts *o,
                                           sockstate_write_fn fn, void *ctx)
{
	sockstate__out out;
	if (fn == NULL)
		return SOCKSTATE_EINVAL;
	sockstate__out_init(&out, fn, ctx);
	return sockstate__snapshot_write_out(snap, o, &out);
}

SOCKSTATE_API int sockstate_counts_write(const sockstate_counts *c,
                                         const sockstate_sysinfo *sys,
                                         const char *backend,
                                         const sockstate_write_opts *o,
                                         sockstate_write_fn fn, void *ctx)
{
	sockstate__out out;
	if (fn == NULL)
		return SOCKSTATE_EINVAL;
	sockstate__out_init(&out, fn, ctx);
	return sockstate__counts_write_out(c, sys, backend, o, &out);
}

SOCKSTATE_API int sockstate_write_fd(void *ctx, const char *buf, size_t len)
{
	if (ctx == NULL)
		return SOCKSTATE_EINVAL;
	int fd = *(const int *)ctx;
	while (len > 0) {
		/* Windows' write() takes an unsigned int count: stay below. */
		unsigned chunk = len > (1u << 30) ? (1u << 30) : (unsigned)len;
		ssize_t w = write(fd, buf, chunk);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return SOCKSTATE_EIO;
		}
		if (w == 0)
			return SOCKSTATE_EIO;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}
