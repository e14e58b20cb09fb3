/* pidmap_bpf.h - socket owners from a BPF task_file iterator, the fast
 * path of the owner map (docs/BPF.md). */
#ifndef SOCKSTATE_PIDMAP_BPF_H
#define SOCKSTATE_PIDMAP_BPF_H

#include "backend_internal.h"

/* sockstate__bpf_owners - fill map as sockstate__linux_proc_owners does,
 * for TCP sockets, from the kernel-side iterator; then finish it.
 *
 * Used only when the caller may both use BPF (CAP_BPF and CAP_PERFMON, or
 * CAP_SYS_ADMIN) and read every process's descriptors (CAP_SYS_PTRACE),
 * so it never shows more than the /proc walk would; checked on every
 * call, since a process may drop privileges after loading. The program is
 * loaded on the first call and kept in h's platform slot until
 * sockstate_close; a load that fails is not retried on that handle.
 *
 * Pids are those of the caller's pid namespace; each process's sockets
 * are listed once however many threads share its descriptor table.
 *
 * Returns 0 with *source = "bpf-iter". Otherwise map may be partly
 * filled (reset it before using it again) and, when the handle's
 * pid_source option is "auto", the return is SOCKSTATE_EUNAVAIL whatever
 * failed, with the reason set (sockstate__set_pid_source_reason) and no
 * error detail, so the caller can walk /proc instead; when it is "bpf",
 * the return is SOCKSTATE_EPERM (missing capabilities), SOCKSTATE_EUNAVAIL
 * (not built, no kernel support, the load refused), SOCKSTATE_EIO or
 * SOCKSTATE_ENOMEM, with the error detail set. */
int sockstate__bpf_owners(sockstate_handle *h, sockstate__owners *map,
                          const char **source);

/* NULL if the caller may load and run the library's BPF tracing
 * programs (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) and, when
 * need_ptrace, read every process's descriptors (CAP_SYS_PTRACE); else
 * why not, in one line. Static string (bpf_rights.c). */
const char *sockstate__bpf_missing_rights(int need_ptrace);

/* 1 if this library was built with the BPF owner map, else 0. */
int sockstate__bpf_built(void);

#endif /* SOCKSTATE_PIDMAP_BPF_H */
