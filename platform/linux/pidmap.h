/* pidmap.h - socket owners: one walk of /proc/<pid>/fd, or the BPF iterator. */
#ifndef SOCKSTATE_PIDMAP_H
#define SOCKSTATE_PIDMAP_H

#include "backend_internal.h"

/* sockstate__linux_owners - the owner map for h's query: from the BPF
 * iterator (pidmap_bpf.h) when the pid_source option allows it and the
 * caller may use it, else from the /proc walk below; *source says which
 * ("bpf-iter" or "procfs") and sockstate_pid_source_reason() why. With
 * the option "bpf" there is no fallback: its error is returned. */
int sockstate__linux_owners(sockstate_handle *h, sockstate__owners *map,
                            const char **source);

/* sockstate__linux_proc_owners - add (socket inode, pid) to map for every
 * socket fd of every process this caller may inspect, and the name
 * (/proc/<pid>/comm) of each pid that owns at least one socket; then
 * finish the map. *source = "procfs". Processes (thread group leaders, as
 * /proc lists them) that vanish during the walk or refuse access are
 * skipped: their sockets simply have no known owner. Unprivileged callers
 * see their own processes only.
 * Returns 0, or SOCKSTATE_EIO / SOCKSTATE_ENOMEM (/proc unreadable, out
 * of descriptors or memory), with the detail on h. */
int sockstate__linux_proc_owners(sockstate_handle *h, sockstate__owners *map,
                                 const char **source);

/* The same walk by `walkers` threads (1 or 2: 2 takes every other process
 * on a second thread, into a map of its own merged at the end).
 * sockstate__linux_proc_owners uses 2 where two CPUs are usable. */
int sockstate__linux_proc_owners_walkers(sockstate_handle *h, sockstate__owners *map,
                                         const char **source, int walkers);

#endif /* SOCKSTATE_PIDMAP_H */
