/* write.c - the public writers of counts (and what every writer shares:
 * the format names, the options check, a file descriptor sink): validate
 * the arguments, pick the format, write through one buffer. Socket
 * listings, streamed or from a snapshot, are write_stream.c's. */
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include "backend_internal.h"
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

/* The counts' size before 0.2 appended fields: still accepted, the
 * appended fields then read as unknown. */
#define COUNTS_SIZE_0_1 offsetof(sockstate_counts, states)

void sockstate__write_json_extras(sockstate__out *out, const sockstate_tcp_counters *c,
                                  const sockstate_diagnosis *d)
{
	if (c)
		sockstate__json_tcp_counters(out, c);
	if (d)
		sockstate__json_findings(out, d);
	sockstate__out_str(out, "}\n");
}

void sockstate__write_prom_extras(sockstate__out *out, const sockstate_tcp_counters *c,
                                  const char *backend)
{
	if (c)
		sockstate__prom_tcp_counters(out, c);
	sockstate__prom_info(out, backend);
}

/* o's per-port counts (none when o predates them): at most
 * SOCKSTATE_PORTS_MAX, each whole, no port twice (a series must not
 * repeat). */
static int opts_ports(const sockstate_write_opts *o, const sockstate_port_counts **ports,
                      size_t *n)
{
	*ports = NULL;
	*n = 0;
	if (o->size < offsetof(sockstate_write_opts, nports) + sizeof o->nports ||
	    o->nports == 0)
		return 0;
	if (o->nports > SOCKSTATE_PORTS_MAX || o->ports == NULL)
		return SOCKSTATE_EINVAL;
	for (size_t i = 0; i < o->nports; i++) {
		if (o->ports[i].size < sizeof o->ports[i])
			return SOCKSTATE_EINVAL;
		for (size_t j = 0; j < i; j++)
			if (o->ports[j].port == o->ports[i].port)
				return SOCKSTATE_EINVAL;
	}
	*ports = o->ports;
	*n = o->nports;
	return 0;
}

int sockstate__counts_write_out(const sockstate_counts *c,
                                const sockstate_sysinfo *sys, const char *backend,
                                const sockstate_write_opts *o, sockstate__out *out)
{
	const sockstate_port_counts *ports;
	size_t nports;
	int err = sockstate__write_opts_check(o);
	if (err == 0)
		err = opts_ports(o, &ports, &nports);
	if (err != 0)
		return err;
	if (c == NULL || c->size < COUNTS_SIZE_0_1)
		return SOCKSTATE_EINVAL;
	switch (o->format) {
	case SOCKSTATE_FORMAT_TABLE:
		sockstate__table_counts(out, c, o->flags);
		break;
	case SOCKSTATE_FORMAT_JSON:
		sockstate__json_counts(out, c, sys, backend);
		sockstate__write_json_extras(out, sockstate__write_opts_tcp_counters(o),
		                             sockstate__write_opts_diagnosis(o));
		break;
	case SOCKSTATE_FORMAT_CSV:
		sockstate__csv_counts(out, c, o->flags);
		break;
	case SOCKSTATE_FORMAT_PROMETHEUS:
		sockstate__prom_counts(out, c, ports, nports);
		sockstate__write_prom_extras(out, sockstate__write_opts_tcp_counters(o), backend);
		break;
	}
	return sockstate__out_finish(out);
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

/* The developer option's capture files (backend_internal.h): the same
 * writes, with the failure on the handle. */
int sockstate__capture_write(sockstate_handle *h, int fd, const void *p, size_t n)
{
	errno = 0;
	if (sockstate_write_fd(&fd, p, n) == 0)
		return 0;
	return sockstate__fail(h, SOCKSTATE_EIO, "write(capture file): %s",
	                       strerror(errno ? errno : EIO));
}
