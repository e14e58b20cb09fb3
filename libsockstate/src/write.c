/* write.c - the public writers: validate the arguments, pick the format,
 * write through one buffer. */
#include <errno.h>
#include <unistd.h>

#include "writer_internal.h"

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

/* What o's appended members add to a document, and its end. */
static void json_extras(sockstate__out *out, const sockstate_write_opts *o)
{
	const sockstate_tcp_counters *c = sockstate__write_opts_tcp_counters(o);
	const sockstate_diagnosis *d = sockstate__write_opts_diagnosis(o);

	if (c)
		sockstate__json_tcp_counters(out, c);
	if (d)
		sockstate__json_findings(out, d);
}

static void prom_extras(sockstate__out *out, const sockstate_write_opts *o,
                        const char *backend)
{
	const sockstate_tcp_counters *c = sockstate__write_opts_tcp_counters(o);

	if (c)
		sockstate__prom_tcp_counters(out, c);
	sockstate__prom_info(out, backend);
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
	int err = sockstate__write_opts_check(o);
	if (err == 0)
		err = snapshot_check(snap);
	if (err != 0)
		return err;
	switch (o->format) {
	case SOCKSTATE_FORMAT_TABLE:
		sockstate__table_snapshot(out, snap, o->flags);
		break;
	case SOCKSTATE_FORMAT_JSON:
		sockstate__json_snapshot(out, snap, o->flags);
		json_extras(out, o);
		sockstate__out_str(out, "}\n");
		break;
	case SOCKSTATE_FORMAT_CSV:
		sockstate__csv_snapshot(out, snap, o->flags);
		break;
	case SOCKSTATE_FORMAT_PROMETHEUS:
		sockstate__prom_snapshot(out, snap, o->port);
		prom_extras(out, o, snap->backend);
		break;
	}
	return sockstate__out_finish(out);
}

int sockstate__counts_write_out(const sockstate_counts *c,
                                const sockstate_sysinfo *sys, const char *backend,
                                const sockstate_write_opts *o, sockstate__out *out)
{
	int err = sockstate__write_opts_check(o);
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
		json_extras(out, o);
		sockstate__out_str(out, "}\n");
		break;
	case SOCKSTATE_FORMAT_CSV:
		sockstate__csv_counts(out, c, o->flags);
		break;
	case SOCKSTATE_FORMAT_PROMETHEUS:
		sockstate__prom_counts(out, c);
		prom_extras(out, o, backend);
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
