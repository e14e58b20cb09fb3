/* trace_bpf_off.c - the "bpf" trace source of a build without BPF
 * (SOCKSTATE_BPF=OFF, or clang, bpftool or libbpf's headers missing):
 * never available, so traces use sock-diag-destroy or poll. */
#include <stdio.h>

#include "trace_linux.h"

static int bpf_off_open(sockstate_handle *h, const sockstate_query *q,
                        const sockstate_trace_options *o, void **state, char *why,
                        size_t why_len)
{
	(void)h;
	(void)q;
	(void)o;
	(void)state;
	snprintf(why, why_len, "this library was built without BPF");
	return SOCKSTATE_EUNAVAIL;
}

const sockstate__trace_source sockstate__trace_bpf_source = {
	.id = SOCKSTATE_TRACE_BPF,
	.open = bpf_off_open,
};
