/* tcpstat_decode.c - a struct tcpstat (sysctl net.inet.tcp.stats) to TCP
 * counters (pcblist_internal.h). Pure: no OS header, no syscalls, no
 * allocation, so it runs in the unit tests on constructed buffers.
 *
 * The kernel copies its whole struct; its size tells which layout it is.
 * FreeBSD appends fields from release to release, and macOS 15 inserted
 * three in the middle (moving every field after them): a size this build
 * has no layout for is refused, never read at the offsets of another. */
#include <stdio.h>
#include <string.h>

#include "pcblist_internal.h"

static const sockstate__tcpstat_layout *layout_of(const sockstate__tcpstat_layout *const *layouts,
                                                  size_t n, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (layouts[i]->size == len)
			return layouts[i];
	return NULL;
}

/* "976 (macOS 13-14), 992 (macOS 15)" into buf. */
static void known_sizes(const sockstate__tcpstat_layout *const *layouts, size_t n, char *buf,
                        size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%u (%s)", i ? ", " : "",
		                 layouts[i]->size, layouts[i]->name);
		if (w < 0)
			return;
		used += (size_t)w;
	}
}

int sockstate__tcpstat_decode(const void *buf, size_t len,
                              const sockstate__tcpstat_layout *const *layouts, size_t n,
                              sockstate_tcp_counters *out, char *detail, size_t dlen)
{
	const sockstate__tcpstat_layout *L = layout_of(layouts, n, len);
	const unsigned char *p = buf;
	char sizes[160];

	if (!L) {
		known_sizes(layouts, n, sizes, sizeof sizes);
		snprintf(detail, dlen, "net.inet.tcp.stats: the kernel's struct tcpstat has %zu "
		         "bytes; this build knows %s", len, sizes);
		return SOCKSTATE_EABI;
	}
	for (size_t c = 0; c < SOCKSTATE_COUNTER_COUNT; c++) {
		const sockstate__tcpstat_field *f = &L->field[c];
		uint64_t plus = 0, minus = 0;

		if (f->parts == 0 || f->parts > SOCKSTATE__TCPSTAT_PARTS ||
		    !sockstate__counter_native((sockstate_counter)c, L->os))
			continue;
		for (uint32_t i = 0; i < f->parts; i++) {
			if (f->off[i] > L->size || L->size - f->off[i] < L->width) {
				snprintf(detail, dlen, "struct tcpstat (%s): counter %s at %u, beyond "
				         "its %u bytes", L->name,
				         sockstate_counter_name((sockstate_counter)c), f->off[i],
				         L->size);
				return SOCKSTATE_EINVAL;
			}
			if (f->minus & (1u << i))
				minus += sockstate__pcb_len(p + f->off[i], L->width);
			else
				plus += sockstate__pcb_len(p + f->off[i], L->width);
		}
		/* The kernel sums each per-CPU counter apart: a total read
		 * before its part grew can come out smaller. Not a number. */
		if (minus > plus)
			continue;
		sockstate__tcp_counter_set(out, (sockstate_counter)c, plus - minus, L->os);
	}
	return 0;
}
