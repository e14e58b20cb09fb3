/* trace_sources.c - Linux's own trace sources, best first (then the
 * core's poll): every transition from BPF where the caller may load it,
 * else each socket's end from the sock_diag destroy groups. */
#include "trace_linux.h"

const sockstate__trace_source *const sockstate__platform_trace_sources[] = {
	&sockstate__trace_bpf_source,
	&sockstate__trace_destroy_source,
	NULL,
};
