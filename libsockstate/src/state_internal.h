/* state_internal.h - read access to the one state table (state_names.c)
 * for the core, tests and tools that list every spelling. Never installed.
 */
#ifndef SOCKSTATE_STATE_INTERNAL_H
#define SOCKSTATE_STATE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "backend_internal.h"

/* One row of the table: a spelling an OS or tool uses, where it comes
 * from, the normalized state it means, and the OS's number for it
 * (-1 when the spelling has no number of its own, e.g. psutil strings). */
typedef struct sockstate__state_row {
	const char *spelling;
	sockstate__origin origin;
	sockstate_state state;
	int32_t code;
} sockstate__state_row;

/* Row i of the table, or NULL when i is past the end. Rows are grouped
 * by origin in enum order; the first SOCKSTATE_STATE_COUNT rows are the
 * normalized names in sockstate_state order. Static. */
const sockstate__state_row *sockstate__state_row_at(size_t i);

/* The name of an origin for documents and messages ("ss", "BSD netstat",
 * ...), or NULL outside the enum. Static. */
const char *sockstate__origin_name(sockstate__origin origin);

/* sockstate_state_parse over exactly len bytes of text (not NUL-ended):
 * for callers that split a list themselves. Same rules and errors. */
int sockstate__state_parse_n(const char *text, size_t len,
                             sockstate_state *out);

#endif /* SOCKSTATE_STATE_INTERNAL_H */
