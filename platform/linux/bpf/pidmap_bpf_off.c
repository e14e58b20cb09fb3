/* pidmap_bpf_off.c - the BPF owner map of a build without it
 * (SOCKSTATE_BPF=OFF, or clang, bpftool or libbpf's headers missing):
 * never available, so owners always come from the /proc walk. */
#include <string.h>

#include "pidmap_bpf.h"

int sockstate__bpf_built(void)
{
	return 0;
}

int sockstate__bpf_owners(sockstate_handle *h, sockstate__owners *map,
                          const char **source)
{
	(void)map;
	(void)source;
	/* sockstate_open refuses the option "bpf" in this build already. */
	if (!strcmp(sockstate__handle_pid_source_option(h), "bpf"))
		return sockstate__fail(h, SOCKSTATE_EUNAVAIL,
		                       "pid source 'bpf' is not built into this library");
	sockstate__set_pid_source_reason(h, "this library was built without the BPF pid source");
	return SOCKSTATE_EUNAVAIL;
}
