/* platform.c - what FreeBSD and macOS offer the core: the backend this
 * build has (pcblist_freebsd.c or pcblist_macos.c, chosen by CMake) and
 * the one sysctl call. Machine facts, interface names and tasks are
 * POSIX's (platform/posix/posix.c). */
#include <sys/types.h>
#include <sys/sysctl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_internal.h"
#include "pcblist_internal.h"

const sockstate__backend *const sockstate__platform_backends[] = {
	&sockstate__bsd_pcblist_backend,
	NULL,
};

int sockstate__platform_pid_source_check(const char *name)
{
	if (!strcmp(name, "procfs") || !strcmp(name, "bpf"))
		return sockstate__fail(NULL, SOCKSTATE_EUNAVAIL, "pid source '%s' is Linux's; "
		                       "this build maps owners with %s only (use auto)", name,
		                       sockstate__bsd_pid_source);
	return sockstate__fail(NULL, SOCKSTATE_EINVAL,
	                       "unknown pid source '%s' (auto)", name);
}

int sockstate__bsd_sysctl(void *ctx, const char *name, void *buf, size_t *len)
{
	(void)ctx;
	if (sysctlbyname(name, buf, len, NULL, 0) != 0)
		return errno;
	return 0;
}

int sockstate__bsd_open(sockstate_handle *h, const char *name, size_t state_size,
                        void **state)
{
	size_t need = 0;
	int err = sockstate__bsd_sysctl(NULL, name, NULL, &need);

	*state = NULL;
	if (err)
		return sockstate__fail(h, SOCKSTATE_EUNAVAIL, "sysctlbyname(%s): %s", name,
		                       strerror(err));
	*state = calloc(1, state_size);
	if (!*state)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "malloc: out of memory");
	return 0;
}

void sockstate__bsd_sink_plan(sockstate__pcb_sink *sink, sockstate__plan *plan)
{
	if (!plan->may_push)
		return;
	sink->states = plan->states;
	sink->families = plan->q->families;
	plan->pushed |= SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY;
}
