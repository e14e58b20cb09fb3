/* write_counters.c - the TCP counters as a table, the sockstate/1
 * document with its "tcp_counters", CSV, or Prometheus counters
 * (docs/OUTPUT.md). Every format lists the counters in the enum's order;
 * an unknown one is "-", null or an empty field, and Prometheus leaves it
 * out: never a 0 that was not counted. */
#include "backend_internal.h"
#include "writer_internal.h"

/* The table's columns: the longest name ("request_queue_full_drops") and
 * a gap; a 64-bit value's 20 digits, right-aligned. A metric's name:
 * "sockstate_tcp_" + the longest name + "_total" and its NUL fit 64. */
enum { W_NAME = 26, W_VALUE = 20 };

static int known(const sockstate_tcp_counters *c, size_t k)
{
	return (c->valid & SOCKSTATE_COUNTER_BIT(k)) != 0;
}

/* The native name of a known counter; NULL for an unknown one. */
static const char *native_of(const sockstate_tcp_counters *c, size_t k)
{
	return known(c, k) ? c->native[k] : NULL;
}

static void put_right(sockstate__out *out, const char *text, size_t len, size_t width)
{
	sockstate__out_spaces(out, len < width ? width - len : 0);
	sockstate__out_bytes(out, text, len);
}

static void table(sockstate__out *out, const sockstate_tcp_counters *c, uint32_t flags)
{
	if (!(flags & SOCKSTATE_W_NO_HEADER)) {
		sockstate__out_str(out, "Counter");
		sockstate__out_pad(out, 7, W_NAME);
		put_right(out, "Value", 5, W_VALUE);
		sockstate__out_str(out, "  Native\n");
	}
	for (size_t k = 0; k < SOCKSTATE_COUNTER_COUNT && out->err == 0; k++) {
		const char *name = sockstate_counter_name((sockstate_counter)k);
		const char *native = native_of(c, k);
		char num[20];
		size_t n = known(c, k) ? sockstate__fmt_u64(num, c->value[k]) : 0;

		sockstate__out_str(out, name);
		sockstate__out_pad(out, strlen(name), W_NAME);
		if (known(c, k))
			put_right(out, num, n, W_VALUE);
		else
			put_right(out, "-", 1, W_VALUE);
		sockstate__out_str(out, "  ");
		if (native)
			sockstate__out_text_str(out, native);
		else
			sockstate__out_char(out, '-');
		sockstate__out_char(out, '\n');
	}
}

void sockstate__json_tcp_counters(sockstate__out *out, const sockstate_tcp_counters *c)
{
	sockstate__out_str(out, ",\n \"tcp_counters\":{\"source\":");
	sockstate__out_json_str(out, c->source);
	sockstate__out_str(out, ",\n  \"counters\":{");
	for (size_t k = 0; k < SOCKSTATE_COUNTER_COUNT; k++) {
		sockstate__out_str(out, k ? ",\n   \"" : "\n   \"");
		sockstate__out_str(out, sockstate_counter_name((sockstate_counter)k));
		sockstate__out_str(out, "\":{\"value\":");
		if (known(c, k))
			sockstate__out_u64(out, c->value[k]);
		else
			sockstate__out_str(out, "null");
		sockstate__out_str(out, ",\"native\":");
		sockstate__out_json_str(out, native_of(c, k));
		sockstate__out_char(out, '}');
	}
	sockstate__out_str(out, "\n  }}");
}

static void json(sockstate__out *out, const sockstate_tcp_counters *c,
                 const sockstate_sysinfo *sys, const char *backend)
{
	sockstate__json_head(out, sys, backend, NULL, 0);
	sockstate__json_tcp_counters(out, c);
	sockstate__out_str(out, "}\n");
}

static void csv(sockstate__out *out, const sockstate_tcp_counters *c, uint32_t flags)
{
	if (!(flags & SOCKSTATE_W_NO_HEADER))
		sockstate__out_str(out, "counter,value,native\r\n");
	for (size_t k = 0; k < SOCKSTATE_COUNTER_COUNT && out->err == 0; k++) {
		sockstate__out_str(out, sockstate_counter_name((sockstate_counter)k));
		sockstate__out_char(out, ',');
		if (known(c, k))
			sockstate__out_u64(out, c->value[k]);
		sockstate__out_char(out, ',');
		sockstate__out_csv_str(out, native_of(c, k), flags);
		sockstate__out_bytes(out, "\r\n", 2);
	}
}

/* sockstate_tcp_<name>_total (as the format names a counter) into buf,
 * which holds 64 bytes; returns its length. */
static size_t metric_name(char *buf, size_t k)
{
	static const char prefix[] = "sockstate_tcp_", suffix[] = "_total";
	const char *name = sockstate_counter_name((sockstate_counter)k);
	size_t n = strlen(name);

	memcpy(buf, prefix, sizeof prefix - 1);
	memcpy(buf + sizeof prefix - 1, name, n);
	memcpy(buf + sizeof prefix - 1 + n, suffix, sizeof suffix);
	return sizeof prefix - 1 + n + sizeof suffix - 1;
}

void sockstate__prom_tcp_counters(sockstate__out *out, const sockstate_tcp_counters *c)
{
	for (size_t k = 0; k < SOCKSTATE_COUNTER_COUNT && out->err == 0; k++) {
		sockstate_counter_info info;
		char name[64];
		size_t len;

		if (!known(c, k))
			continue;
		len = metric_name(name, k);
		sockstate_counter_describe((sockstate_counter)k, "en", &info);
		sockstate__prom_help_type(out, name, info.meaning, "counter");
		sockstate__out_bytes(out, name, len);
		sockstate__out_char(out, ' ');
		sockstate__out_u64(out, c->value[k]);
		sockstate__out_char(out, '\n');
	}
}

int sockstate__tcp_counters_write_out(const sockstate_tcp_counters *c,
                                      const sockstate_sysinfo *sys, const char *backend,
                                      const sockstate_write_opts *o, sockstate__out *out)
{
	int err = sockstate__write_opts_check(o);

	if (err != 0)
		return err;
	if (c == NULL || c->size < SOCKSTATE__TCP_COUNTERS_FIRST_SIZE)
		return SOCKSTATE_EINVAL;
	switch (o->format) {
	case SOCKSTATE_FORMAT_TABLE:
		table(out, c, o->flags);
		break;
	case SOCKSTATE_FORMAT_JSON:
		json(out, c, sys, backend);
		break;
	case SOCKSTATE_FORMAT_CSV:
		csv(out, c, o->flags);
		break;
	case SOCKSTATE_FORMAT_PROMETHEUS:
		sockstate__prom_tcp_counters(out, c);
		sockstate__prom_info(out, backend);
		break;
	}
	return sockstate__out_finish(out);
}

SOCKSTATE_API int sockstate_tcp_counters_write(const sockstate_tcp_counters *c,
                                               const sockstate_sysinfo *sys,
                                               const char *backend,
                                               const sockstate_write_opts *o,
                                               sockstate_write_fn fn, void *ctx)
{
	sockstate__out out;

	if (fn == NULL)
		return SOCKSTATE_EINVAL;
	sockstate__out_init(&out, fn, ctx);
	return sockstate__tcp_counters_write_out(c, sys, backend, o, &out);
}
