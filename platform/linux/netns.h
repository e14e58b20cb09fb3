/* netns.h - network namespaces: open one by spec, enter it for a moment
 * from the calling thread, and list every namespace the caller can see.
 *
 * A socket (netlink, or a /proc/net file) belongs to the namespace of the
 * thread that opened it, for its whole life. So a backend enters the
 * handle's namespace only around the call that opens its socket or file,
 * and leaves at once: everything else, the caller's callbacks included,
 * runs in the caller's own namespace. setns(CLONE_NEWNET) affects only the
 * calling thread, so other threads of the process are never disturbed. */
#ifndef SOCKSTATE_NETNS_H
#define SOCKSTATE_NETNS_H

#include <stdint.h>

#include "backend_internal.h"

/* Open the network namespace the handle's netns option names ("NAME" under
 * /run/netns, a path, or "pid:PID") into *fd; *fd = -1 when the handle has
 * none. Returns 0, SOCKSTATE_ENOENT (no such namespace or process),
 * SOCKSTATE_EPERM (may not open it), SOCKSTATE_EINVAL (malformed spec, not
 * a network namespace), SOCKSTATE_EIO; detail on h. */
int sockstate__netns_open(sockstate_handle *h, int *fd);

/* Move the calling thread into ns_fd. *saved gets what
 * sockstate__netns_leave needs to come back: -1 when nothing was entered
 * (ns_fd is -1, or already the thread's namespace: no privilege needed).
 * Returns 0, SOCKSTATE_EPERM (needs CAP_SYS_ADMIN), SOCKSTATE_EIO;
 * detail on h. */
int sockstate__netns_enter(sockstate_handle *h, int ns_fd, int *saved);

/* Back to the namespace saved by sockstate__netns_enter (nothing when
 * saved is -1). Returns 0 or SOCKSTATE_EIO (the thread could not return:
 * detail on h). */
int sockstate__netns_leave(sockstate_handle *h, int saved);

/* Open path (read-only) as the namespace ns_fd shows it: a /proc/net file
 * answers for the namespace of the thread that opened it, so the thread
 * enters ns_fd for the open only (nothing when ns_fd is -1) and reads from
 * its own. Returns the fd; SOCKSTATE_ENOENT, with no detail, when there is
 * no such file (so a caller can take that for "none"); or another
 * negative code with the detail on h. */
int sockstate__netns_open_file(sockstate_handle *h, int ns_fd, const char *path);

/* The backends' netns_list (see backend_internal.h): /run/netns by name,
 * then the namespaces of processes, each once by inode. */
int sockstate__linux_netns_list(sockstate_handle *h,
                                int (*found)(void *ctx, const char *spec, uint64_t inode,
                                             int32_t pid, int current),
                                void *ctx);

#endif /* SOCKSTATE_NETNS_H */
