/* trace_sources.c - FreeBSD and macOS offer no event source of their own
 * yet: traces there use the core's poll (docs/TRACE.md). */
#include "trace_internal.h"

const sockstate__trace_source *const sockstate__platform_trace_sources[] = {NULL};
