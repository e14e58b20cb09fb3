/* core_internal.h - what the core's own files share; never installed. */
#ifndef SOCKSTATE_CORE_INTERNAL_H
#define SOCKSTATE_CORE_INTERNAL_H

#include "backend_internal.h"

/* Run q on h: the backend enumerates, the core joins owners and applies
 * what the backend did not filter, then calls cb per record (cb as in
 * sockstate_foreach). Records' pids/process point into h's owner map,
 * valid until the next run on h. */
int sockstate__run(sockstate_handle *h, const sockstate_query *q,
                   sockstate_socket_cb cb, void *ctx);

/* The owner map of h's last run (for snapshots to copy), or NULL. */
const sockstate__owners *sockstate__handle_owners(const sockstate_handle *h);

/* The backend h was opened on (never NULL for an open handle). */
const sockstate__backend *sockstate__handle_backend(const sockstate_handle *h);

/* Backend name and pid source of h's last run. */
const char *sockstate__handle_last_pid_source(const sockstate_handle *h);

/* sockstate_query_match, skipping the filters in `skip` (SOCKSTATE__F_*)
 * that the backend applied already. */
int sockstate__match(const sockstate_query *q, const sockstate_socket *s,
                     uint32_t skip);

/* q normalized: states set, pid implies Q_PIDS, families set. */
void sockstate__query_normalize(const sockstate_query *in, sockstate_query *out);

/* The owner map's storage, so a snapshot can copy it whole and rebase
 * the records' pointers into its own block. */
void sockstate__owners_storage(const sockstate__owners *m,
                               const int32_t **pids, size_t *npids,
                               const char **pool, size_t *pool_len);

/* A decimal number 0..max, digits only. Returns 0, SOCKSTATE_EINVAL or
 * SOCKSTATE_ERANGE. */
int sockstate__parse_unsigned(const char *text, uint64_t max, uint64_t *out);

#endif /* SOCKSTATE_CORE_INTERNAL_H */
