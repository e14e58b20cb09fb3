/* write_fields.c - what every format says alike about a snapshot or a
 * record, beyond the bytes of outbuf.c: the snapshot's fields appended in
 * 0.2 as far as its size holds them, and IPV6_V6ONLY. A leaf of the
 * writers, as outbuf.c is. */
#include <stddef.h>

#include "writer_internal.h"

uint32_t sockstate__snapshot_states(const sockstate_snapshot *snap)
{
	if (snap->size < offsetof(sockstate_snapshot, states) + sizeof snap->states ||
	    snap->states == 0)
		return SOCKSTATE_STATES_ALL;
	return snap->states;
}

uint64_t sockstate__snapshot_owners_unreadable(const sockstate_snapshot *snap)
{
	if (snap->size < offsetof(sockstate_snapshot, owners_unreadable) +
	                 sizeof snap->owners_unreadable)
		return 0;
	return snap->owners_unreadable;
}

int sockstate__dual_stack_wildcard(const sockstate_socket *s)
{
	static const uint8_t any[16];

	return s->family == SOCKSTATE_FAMILY_IPV6 && (s->valid & SOCKSTATE_HAS_V6ONLY) &&
	       !(s->local.flags & SOCKSTATE_ENDPOINT_V6ONLY) &&
	       memcmp(s->local.addr, any, sizeof any) == 0;
}

const char *sockstate__v6only_text(const sockstate_socket *s)
{
	if (!(s->valid & SOCKSTATE_HAS_V6ONLY))
		return NULL;
	return (s->local.flags & SOCKSTATE_ENDPOINT_V6ONLY) ? "true" : "false";
}
