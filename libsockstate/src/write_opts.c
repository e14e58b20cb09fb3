/* write_opts.c - the writers' options, checked and read the same way by
 * every writer (a leaf: the formats and the dispatcher call it). A
 * caller built against an older header passes a smaller struct: its
 * `size` says which appended members exist. */
#include <stddef.h>

#include "backend_internal.h"
#include "writer_internal.h"

_Static_assert(offsetof(sockstate_write_opts, ports) == SOCKSTATE_WRITE_OPTS_FIRST_SIZE,
               "the appended members follow the first version's fields");

int sockstate__write_opts_check(const sockstate_write_opts *o)
{
	if (o == NULL || o->size < SOCKSTATE_WRITE_OPTS_FIRST_SIZE)
		return SOCKSTATE_EINVAL;
	if ((unsigned)o->format > SOCKSTATE_FORMAT_PROMETHEUS)
		return SOCKSTATE_EINVAL;
	if (o->port > 65535 || o->port < -1)
		return SOCKSTATE_EINVAL;
	return 0;
}

/* An appended member of o, when o's size holds it. */
#define APPENDED(o, member) \
	((o)->size >= offsetof(sockstate_write_opts, member) + sizeof((o)->member) \
	 ? (o)->member : NULL)

const sockstate_tcp_counters *sockstate__write_opts_tcp_counters(const sockstate_write_opts *o)
{
	const sockstate_tcp_counters *c = APPENDED(o, tcp_counters);

	return c && c->size >= SOCKSTATE__TCP_COUNTERS_FIRST_SIZE ? c : NULL;
}

const sockstate_diagnosis *sockstate__write_opts_diagnosis(const sockstate_write_opts *o)
{
	return APPENDED(o, diagnosis);
}
