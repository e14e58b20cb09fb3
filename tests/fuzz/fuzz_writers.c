/* fuzz_writers.c - the output writers (libsockstate/src/outbuf.c, write.c and
 * write_*.c) on snapshots and counts built from the input.
 *
 * What reaches a writer from outside: process names (any local user can
 * name a process anything with prctl(PR_SET_NAME): control characters,
 * quotes, commas, ill-formed UTF-8), interface names in IPv6 zones (any
 * user can make one, named with ESC or BEL, in a user namespace), host
 * and OS facts, network namespace labels, addresses, numbers, and the
 * time. Native state names and backend names are the library's own
 * static strings.
 *
 * Input: a few option bytes, then up to 8 records (every field from the
 * input; strings length-prefixed, up to 63 bytes), then the machine facts.
 *
 * Checked, for every format:
 *   - argument checks first: EINVAL exactly when a record has a family or
 *     state outside the enums or the port option is outside -1..65535,
 *     and then nothing was written;
 *   - the output is well-formed UTF-8;
 *   - JSON: one well-formed JSON value (RFC 8259) whose "sockets" array
 *     has one element per record;
 *   - CSV: RFC 4180, every row with as many fields as the header, one row
 *     per record;
 *   - table: one line per record (plus the header);
 *   - Prometheus: every line a comment or "name{labels} value";
 *   - no format carries a raw control character (C0, DEL, or C1 as
 *     UTF-8: C2 80-9F) but its own line ends (docs/SECURITY.md);
 *   - the records grouped (sockstate_groups_write) by keys from the
 *     input: the same checks for the table, JSON and CSV;
 *   - a sink that fails on its k-th chunk stops the writer with its code.
 */
#include "fuzz_common.h"
#include "state_internal.h"

#define MAX_RECORDS 8
#define MAX_OUT (4u << 20)
#define SINK_ERROR SOCKSTATE_EIO

/* ---- reading the input ---- */

struct cursor {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct cursor *c, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v << 8;
		if (c->left) {
			v |= *c->p++;
			c->left--;
		}
	}
	return v;
}

/* A string of up to max-1 bytes without NUL into buf. */
static void take_str(struct cursor *c, char *buf, size_t max)
{
	size_t n = (size_t)take(c, 1) % max, i = 0;

	for (; i < n && c->left; i++) {
		buf[i] = (char)take(c, 1);
		if (!buf[i])
			buf[i] = '\x01';
	}
	buf[i] = '\0';
}

/* ---- checks of the output ---- */

struct sink {
	char *buf;
	size_t len;
	unsigned chunks;
	unsigned fail_at;       /* 0: never */
};

static int sink_write(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;

	FUZZ_CHECK(len > 0 && len <= 65536);
	if (s->fail_at && ++s->chunks == s->fail_at)
		return SINK_ERROR;
	FUZZ_CHECK(s->len + len <= MAX_OUT);
	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	return 0;
}

static int utf8_valid(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char b = p[i];
		size_t need;
		unsigned lo = 0x80, hi = 0xBF;

		if (b < 0x80) {
			i++;
			continue;
		}
		if (b >= 0xC2 && b <= 0xDF)
			need = 1;
		else if (b >= 0xE0 && b <= 0xEF)
			need = 2, lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
		else if (b >= 0xF0 && b <= 0xF4)
			need = 3, lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
		else
			return 0;
		if (i + need >= n)
			return 0;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (size_t k = 2; k <= need; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xBF)
				return 0;
		i += need + 1;
	}
	return 1;
}

/* A strict RFC 8259 recognizer. Returns the end of the value, or NULL. */
struct json {
	const char *end;
	long sockets;           /* elements of the top object's "sockets" */
};

static const char *json_value(struct json *j, const char *p, int depth, int top_sockets);

static const char *json_ws(const struct json *j, const char *p)
{
	while (p < j->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

static int hexdig(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char *json_string(const struct json *j, const char *p)
{
	if (p >= j->end || *p++ != '"')
		return NULL;
	while (p < j->end) {
		unsigned char c = (unsigned char)*p++;
		if (c == '"')
			return p;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			if (p >= j->end)
				return NULL;
			c = (unsigned char)*p++;
			if (c == 'u') {
				if (j->end - p < 4 || !hexdig(p[0]) || !hexdig(p[1]) || !hexdig(p[2]) ||
				    !hexdig(p[3]))
					return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", c)) {
				return NULL;
			}
		}
	}
	return NULL;
}

static const char *json_number(const struct json *j, const char *p)
{
	const char *start;

	if (p < j->end && *p == '-')
		p++;
	if (p >= j->end)
		return NULL;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return NULL;
	}
	if (p < j->end && *p == '.') {
		start = ++p;
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
		if (p == start)
			return NULL;
	}
	if (p < j->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < j->end && (*p == '+' || *p == '-'))
			p++;
		start = p;
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
		if (p == start)
			return NULL;
	}
	return p;
}

static const char *json_value(struct json *j, const char *p, int depth, int top_sockets)
{
	if (depth > 16)
		return NULL;
	p = json_ws(j, p);
	if (p >= j->end)
		return NULL;
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		int object = *p == '{';
		long n = 0;

		p = json_ws(j, p + 1);
		if (p < j->end && *p == close) {
			if (top_sockets && !object)
				j->sockets = 0;
			return p + 1;
		}
		for (;;) {
			int is_sockets = 0;
			if (object) {
				const char *key = json_ws(j, p);
				p = json_string(j, key);
				if (!p)
					return NULL;
				is_sockets = depth == 0 && p - key == 9 && !memcmp(key, "\"sockets\"", 9);
				p = json_ws(j, p);
				if (p >= j->end || *p++ != ':')
					return NULL;
			}
			p = json_value(j, p, depth + 1, is_sockets);
			if (!p)
				return NULL;
			n++;
			p = json_ws(j, p);
			if (p < j->end && *p == ',') {
				p++;
				continue;
			}
			if (p < j->end && *p == close)
				break;
			return NULL;
		}
		if (top_sockets && !object)
			j->sockets = n;
		return p + 1;
	}
	if (*p == '"')
		return json_string(j, p);
	if (j->end - p >= 4 && !memcmp(p, "true", 4))
		return p + 4;
	if (j->end - p >= 5 && !memcmp(p, "false", 5))
		return p + 5;
	if (j->end - p >= 4 && !memcmp(p, "null", 4))
		return p + 4;
	return json_number(j, p);
}

static void check_json(const struct sink *s, long want_sockets)
{
	struct json j = {.end = s->buf + s->len, .sockets = -1};
	const char *p = json_value(&j, s->buf, 0, 0);

	if (!p || json_ws(&j, p) != j.end) {
		fprintf(stderr, "not JSON:\n%.*s\n", (int)s->len, s->buf);
		abort();
	}
	FUZZ_CHECK(j.sockets == want_sockets);
}

/* RFC 4180: returns the number of rows; every row must have `fields`
 * fields (the first row's count when fields is 0). */
static long check_csv(const struct sink *s, size_t *fields)
{
	const char *p = s->buf, *end = s->buf + s->len;
	long rows = 0;

	while (p < end) {
		size_t n = 1;
		for (;;) {
			if (p < end && *p == '"') {
				p++;
				for (;;) {
					FUZZ_CHECK(p < end);
					if (*p == '"') {
						if (p + 1 < end && p[1] == '"') {
							p += 2;
							continue;
						}
						p++;
						break;
					}
					p++;
				}
			} else {
				while (p < end && *p != ',' && *p != '\r' && *p != '\n') {
					FUZZ_CHECK(*p != '"');
					p++;
				}
			}
			FUZZ_CHECK(p < end);
			if (*p == ',') {
				p++;
				n++;
				continue;
			}
			FUZZ_CHECK(end - p >= 2 && p[0] == '\r' && p[1] == '\n');
			p += 2;
			break;
		}
		if (*fields == 0)
			*fields = n;
		FUZZ_CHECK(n == *fields);
		rows++;
	}
	return rows;
}

/* No control character reaches a terminal from any format: C0 but the
 * format's own line ends (LF; CSV: CR LF), DEL, and C1 (U+0080-U+009F,
 * C2 80-9F in UTF-8; the output is valid UTF-8, so C1 has no other
 * spelling). */
static void check_no_controls(const struct sink *s, int crlf)
{
	for (size_t i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->buf[i];
		if (c == '\n' && (!crlf || (i > 0 && s->buf[i - 1] == '\r')))
			continue;
		if (c == '\r' && crlf && i + 1 < s->len && s->buf[i + 1] == '\n')
			continue;
		FUZZ_CHECK(c >= 0x20 && c != 0x7f);
		FUZZ_CHECK(!(c == 0xc2 && i + 1 < s->len &&
		             (unsigned char)s->buf[i + 1] >= 0x80 &&
		             (unsigned char)s->buf[i + 1] < 0xa0));
	}
}

static long check_text_lines(const struct sink *s)
{
	long lines = 0;

	check_no_controls(s, 0);
	for (size_t i = 0; i < s->len; i++)
		lines += s->buf[i] == '\n';
	FUZZ_CHECK(s->len == 0 || s->buf[s->len - 1] == '\n');
	return lines;
}

static void check_prometheus(const struct sink *s)
{
	const char *p = s->buf, *end = s->buf + s->len;

	check_text_lines(s);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *q = p;

		FUZZ_CHECK(nl != NULL);
		if (*p != '#') {
			FUZZ_CHECK((*q >= 'a' && *q <= 'z') || *q == '_');
			while (q < nl && ((*q >= 'a' && *q <= 'z') || *q == '_'))
				q++;
			if (*q == '{') {
				/* label="value" pairs; values escape \ " and newline */
				q++;
				while (q < nl && *q != '}') {
					while (q < nl && *q != '=')
						q++;
					FUZZ_CHECK(q + 1 < nl && q[1] == '"');
					q += 2;
					while (q < nl && *q != '"')
						q += *q == '\\' ? 2 : 1;
					FUZZ_CHECK(q < nl);
					q++;
					if (*q == ',')
						q++;
				}
				FUZZ_CHECK(q < nl);
				q++;
			}
			FUZZ_CHECK(*q == ' ');
			q++;
			FUZZ_CHECK(q < nl);
			for (; q < nl; q++)
				FUZZ_CHECK(*q >= '0' && *q <= '9');
		}
		p = nl + 1;
	}
}

/* ---- the target ---- */

struct records {
	sockstate_socket s[MAX_RECORDS];
	char process[MAX_RECORDS][64];
	char netns[MAX_RECORDS][64];
	char zone[MAX_RECORDS][16];     /* IFNAMSIZ: what an interface name holds */
	int32_t pids[MAX_RECORDS][4];
};

/* The records grouped by keys, written in each format the groups have;
 * the checks of the snapshot's formats. */
static void check_groups(const struct records *r, size_t n, uint32_t keys, uint32_t flags,
                         size_t top, const sockstate_sysinfo *sys)
{
	static char outbuf[MAX_OUT];
	static const sockstate_format formats[] = {SOCKSTATE_FORMAT_TABLE, SOCKSTATE_FORMAT_JSON,
	                                           SOCKSTATE_FORMAT_CSV};
	sockstate_groups *g = NULL;
	size_t count, shown;

	FUZZ_CHECK(sockstate_groups_new(keys, &g) == 0);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(sockstate_groups_add(g, &r->s[i]) == 0);
	count = sockstate_groups_size(g);
	shown = top && top < count ? top : count;
	for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
		struct sink sink = {.buf = outbuf};
		sockstate_write_opts o;
		long header = (flags & SOCKSTATE_W_NO_HEADER) ? 0 : 1;

		memset(&o, 0, sizeof o);
		o.size = sizeof o;
		o.format = formats[f];
		o.flags = flags;
		o.port = -1;
		FUZZ_CHECK(sockstate_groups_write(g, top, sys, "linux-netlink", &o, sink_write,
		                                  &sink) == 0);
		FUZZ_CHECK(utf8_valid((const unsigned char *)sink.buf, sink.len));
		if (formats[f] == SOCKSTATE_FORMAT_JSON) {
			check_json(&sink, -1);
			check_no_controls(&sink, 0);
		} else if (formats[f] == SOCKSTATE_FORMAT_CSV) {
			size_t fields = 0;
			FUZZ_CHECK(check_csv(&sink, &fields) == (long)shown + header);
			check_no_controls(&sink, 1);
		} else {
			/* The groups, "(N more)" when some were cut, TOTAL. */
			FUZZ_CHECK(check_text_lines(&sink) ==
			           header + (long)shown + (shown < count) + 1);
		}
	}
	sockstate_groups_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct records r;
	static char outbuf[MAX_OUT];
	struct cursor c = {data, size};
	sockstate_snapshot snap;
	sockstate_counts counts;
	sockstate_write_opts o;
	size_t n;
	int bad_record = 0;
	uint8_t opt = (uint8_t)take(&c, 1);
	uint8_t fail = (uint8_t)take(&c, 1);
	int32_t port = (int32_t)(int16_t)take(&c, 2);

	memset(&r, 0, sizeof r);
	n = (size_t)take(&c, 1) % (MAX_RECORDS + 1);
	for (size_t i = 0; i < n; i++) {
		sockstate_socket *s = &r.s[i];
		sockstate_state st;
		uint8_t kind = (uint8_t)take(&c, 1);

		s->size = sizeof *s;
		s->valid = (uint32_t)take(&c, 2);
		s->family = (uint8_t)(take(&c, 1) % 4);      /* 0 and 3: bad */
		s->state = (uint8_t)(take(&c, 1) % 16);      /* 14, 15: bad */
		if (s->family < 1 || s->family > 2 || s->state >= SOCKSTATE_STATE_COUNT)
			bad_record = 1;
		s->native_code = (int32_t)take(&c, 1) - 8;
		sockstate__native_state((sockstate__origin)(kind % SOCKSTATE__ORIGIN_COUNT),
		                        s->native_code, &st, &s->native_name);
		for (int e = 0; e < 2; e++) {
			sockstate_endpoint *ep = e ? &s->remote : &s->local;
			uint64_t hi = take(&c, 8), lo = take(&c, 8);
			memcpy(ep->addr, &hi, 8);
			memcpy(ep->addr + 8, &lo, 8);
			if (s->family == SOCKSTATE_FAMILY_IPV4)
				memset(ep->addr + 4, 0, 12);
			ep->port = (uint16_t)take(&c, 2);
			ep->scope_id = (kind & 0x80) ? (uint32_t)take(&c, 1) : 0;
		}
		s->pid = (int32_t)take(&c, 4);
		s->pid_count = (uint32_t)take(&c, 1) % 5;
		for (uint32_t k = 0; k < s->pid_count; k++)
			r.pids[i][k] = (int32_t)take(&c, 4);
		s->pids = s->pid_count && (kind & 0x40) ? r.pids[i] : NULL;
		take_str(&c, r.process[i], sizeof r.process[i]);
		s->process = (kind & 0x20) ? r.process[i] : NULL;
		take_str(&c, r.netns[i], sizeof r.netns[i]);
		s->netns = (kind & 0x10) ? r.netns[i] : NULL;
		take_str(&c, r.zone[i], sizeof r.zone[i]);
		s->zone = (kind & 0x08) && r.zone[i][0] ? r.zone[i] : NULL;
		s->uid = (int64_t)take(&c, 8);
		s->inode = take(&c, 8);
		s->rx_queue = (uint32_t)take(&c, 4);
		s->tx_queue = (uint32_t)take(&c, 4);
	}

	memset(&snap, 0, sizeof snap);
	snap.size = sizeof snap;
	snap.count = n;
	snap.sockets = r.s;
	snap.backend = (opt & 0x40) ? "linux-netlink" : NULL;
	snap.pid_source = (opt & 0x80) ? "procfs" : NULL;
	snap.query_flags = (uint32_t)take(&c, 1);
	take_str(&c, snap.sys.host, sizeof snap.sys.host);
	take_str(&c, snap.sys.os_name, sizeof snap.sys.os_name);
	take_str(&c, snap.sys.os_release, sizeof snap.sys.os_release);
	take_str(&c, snap.sys.os_version, sizeof snap.sys.os_version);
	take_str(&c, snap.sys.machine, sizeof snap.sys.machine);
	snap.sys.taken_at = (int64_t)take(&c, 8);

	memset(&counts, 0, sizeof counts);
	counts.size = sizeof counts;
	for (size_t i = 0; i < n && !bad_record; i++)
		sockstate_counts_add(&counts, &r.s[i]);

	for (int f = SOCKSTATE_FORMAT_TABLE; f <= SOCKSTATE_FORMAT_PROMETHEUS; f++) {
		for (int what = 0; what < 2; what++) {
			struct sink sink = {.buf = outbuf, .fail_at = fail % 4};
			int expect_einval = (what == 0 && bad_record) || port > 65535 || port < -1;
			int rc;

			memset(&o, 0, sizeof o);
			o.size = sizeof o;
			o.format = (sockstate_format)f;
			o.flags = opt & 3;
			if (opt & 0x20)
				o.flags |= SOCKSTATE_W_CSV_FORMULA_SAFE;
			o.port = port;
			if (what == 0)
				rc = sockstate_snapshot_write(&snap, &o, sink_write, &sink);
			else
				rc = sockstate_counts_write(&counts, (opt & 4) ? NULL : &snap.sys,
				                            snap.backend, &o, sink_write, &sink);
			if (expect_einval) {
				FUZZ_CHECK(rc == SOCKSTATE_EINVAL && sink.len == 0 && sink.chunks == 0);
				continue;
			}
			if (sink.fail_at) {
				FUZZ_CHECK(rc == (sink.chunks >= sink.fail_at ? SINK_ERROR : 0));
				continue;
			}
			FUZZ_CHECK(rc == 0);
			FUZZ_CHECK(utf8_valid((const unsigned char *)sink.buf, sink.len));
			switch (f) {
			case SOCKSTATE_FORMAT_JSON:
				check_json(&sink, what == 0 ? (long)n : -1);
				check_no_controls(&sink, 0);
				break;
			case SOCKSTATE_FORMAT_CSV: {
				size_t fields = 0;
				long rows = check_csv(&sink, &fields);
				long header = (o.flags & SOCKSTATE_W_NO_HEADER) ? 0 : 1;
				FUZZ_CHECK(rows == (what == 0 ? (long)n : SOCKSTATE_STATE_COUNT) + header);
				check_no_controls(&sink, 1);
				break;
			}
			case SOCKSTATE_FORMAT_TABLE: {
				long lines = check_text_lines(&sink);
				if (what == 0)
					FUZZ_CHECK(lines == (long)n +
					           ((o.flags & SOCKSTATE_W_NO_HEADER) ? 0 : 1));
				break;
			}
			case SOCKSTATE_FORMAT_PROMETHEUS:
				check_prometheus(&sink);
				break;
			}
		}
	}

	if (!bad_record) {
		uint32_t keys = (uint32_t)take(&c, 1) & SOCKSTATE_GROUP_KEYS_ALL;
		check_groups(&r, n, keys ? keys : SOCKSTATE_GROUP_LOCAL,
		             (opt & 1) | ((opt & 0x20) ? SOCKSTATE_W_CSV_FORMULA_SAFE : 0),
		             (size_t)take(&c, 1) % 4, (opt & 4) ? NULL : &snap.sys);
	}

	/* Sorting such a snapshot keeps every record (bad ones included). */
	if (!bad_record) {
		sockstate_sort_key key = (sockstate_sort_key)(opt >> 3) % 6;
		size_t before = snap.count;
		FUZZ_CHECK(sockstate_snapshot_sort(&snap, key) == 0);
		FUZZ_CHECK(snap.count == before);
	}
	return 0;
}
