/* groups_internal.h - what the groups writer needs of groups.c; never
 * installed. */
#ifndef SOCKSTATE_GROUPS_INTERNAL_H
#define SOCKSTATE_GROUPS_INTERNAL_H

#include "sockstate.h"

/* Rank g's best `want` groups (0: all), so sockstate_groups_get(g, i)
 * for i < want costs nothing more. Returns 0 or SOCKSTATE_ENOMEM. */
int sockstate__groups_rank(sockstate_groups *g, size_t want);

/* The backend and pid source of the first run that fed g, or NULL. */
const char *sockstate__groups_backend(const sockstate_groups *g);
const char *sockstate__groups_pid_source(const sockstate_groups *g);
/* The sockets of every fill whose owner could not be read. */
uint64_t sockstate__groups_owners_unreadable(const sockstate_groups *g);

#endif /* SOCKSTATE_GROUPS_INTERNAL_H */
