/* core_internal.h - what the core's own files share; never installed. */
#ifndef SOCKSTATE_CORE_INTERNAL_H
#define SOCKSTATE_CORE_INTERNAL_H

#include <stddef.h>

#include "backend_internal.h"

/* Run q on h: the backend enumerates, the core joins owners and applies
 * what the backend did not filter, then calls cb per record (cb as in
 * sockstate_foreach). Records' pids/process point into h's owner map,
 * valid until the next run on h. */
int sockstate__run(sockstate_handle *h, const sockstate_query *q,
                   sockstate_socket_cb cb, void *ctx);

/* What a consumer that keeps every record is given: s (to copy) and its
 * owner key. Returns 0 or a negative code, which ends the run. */
typedef int (*sockstate__keep_fn)(void *ctx, const sockstate_socket *s,
                                  uint64_t owner_key);

/* sockstate__run for a consumer that keeps every record anyway (a
 * snapshot), so that no record is copied twice. When the owner map is
 * built beside the walk, records reach keep before they are joined, the
 * pid filter not yet applied, and *join_later is set to 1: the consumer
 * then passes what it kept to sockstate__join_kept. Otherwise they arrive
 * joined and filtered (owner key 0) and *join_later is 0. Returns as
 * sockstate__run. */
int sockstate__run_keep(sockstate_handle *h, const sockstate_query *q,
                        sockstate__keep_fn keep, void *ctx, int *join_later);

/* Join n kept records to h's owner map (by their keys, parallel to
 * recs; NULL: every key 0, the records may carry their pid) and drop, in
 * place and in order, those q's pid filter refuses (q may be NULL).
 * Returns how many remain. */
size_t sockstate__join_kept(sockstate_handle *h, const sockstate_query *q,
                            sockstate_socket *recs, const uint64_t *owner_keys, size_t n);

/* The interface names the records of h's last run point at for their
 * zone: len bytes from *names (NULL, 0: none), for a snapshot to copy. */
void sockstate__handle_zone_storage(const sockstate_handle *h, const char **names,
                                    size_t *len);

/* The owner map of h's last run (for snapshots to copy), or NULL. */
const sockstate__owners *sockstate__handle_owners(const sockstate_handle *h);

/* The backend h was opened on (never NULL for an open handle). */
const sockstate__backend *sockstate__handle_backend(const sockstate_handle *h);

/* That backend's state, for the backend's functions the core calls. */
void *sockstate__handle_backend_state(const sockstate_handle *h);

/* Empty h's error detail, as a call that starts does. */
void sockstate__handle_clear_detail(sockstate_handle *h);

/* Backend name and pid source of h's last run. */
const char *sockstate__handle_last_pid_source(const sockstate_handle *h);

/* sockstate_query_match, skipping the filters in `skip` (SOCKSTATE__F_*)
 * that the backend applied already. */
int sockstate__match(const sockstate_query *q, const sockstate_socket *s,
                     uint32_t skip);

/* The size of the first sockstate_query, before alt_count was appended:
 * the least a caller's query.size may say. */
#define SOCKSTATE__QUERY_MIN_SIZE offsetof(sockstate_query, alt_count)

/* q normalized: states set, pid implies Q_PIDS, families set; a shorter
 * (older) struct read as far as its size says, the rest defaults. */
void sockstate__query_normalize(const sockstate_query *in, sockstate_query *out);

/* The states a run of q looks at: q's mask, or the default set when q is
 * NULL or its mask 0. */
uint32_t sockstate__query_states(const sockstate_query *q);

/* The owner map's process names (one pool of NUL-terminated names that
 * records' `process` point into), so a snapshot can copy it whole and
 * rebase the records' pointers into its own block. */
void sockstate__owners_names(const sockstate__owners *m, const char **pool,
                             size_t *pool_len);

/* A decimal number 0..max, digits only. Returns 0, SOCKSTATE_EINVAL or
 * SOCKSTATE_ERANGE. */
int sockstate__parse_unsigned(const char *text, uint64_t max, uint64_t *out);

/* The name of ep's zone interface as the calling thread's namespace
 * names it now, into buf (len bytes): buf, or NULL (no zone, no name).
 * For what carries no zone of its own (trace events); address.c. */
const char *sockstate__zone_lookup(uint8_t family, const sockstate_endpoint *ep, char *buf,
                                   size_t len);

#endif /* SOCKSTATE_CORE_INTERNAL_H */
