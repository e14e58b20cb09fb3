/* platform.c - what Linux offers the core: its backends in preference
 * order (linux-replay is chosen for a replay file, and only for one).
 * Machine facts, interface names and tasks are POSIX's
 * (platform/posix/posix.c). */
#include "backend_internal.h"
#include "diag_internal.h"
#include "proc_internal.h"

const sockstate__backend *const sockstate__platform_backends[] = {
	&sockstate__linux_netlink_backend,
	&sockstate__linux_proc_backend,
	&sockstate__linux_replay_backend,
	NULL,
};
