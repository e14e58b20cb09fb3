/* platform.c - what FreeBSD and macOS offer the core: the backend this
 * build has (pcblist_freebsd.c or pcblist_macos.c, chosen by CMake) and
 * the one sysctl call. Machine facts, interface names and tasks are
 * POSIX's (platform/posix/posix.c). */
#include <sys/types.h>
#include <sys/sysctl.h>

#include <errno.h>
#include <stdio.h>
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

int sockstate__bsd_probe(sockstate_handle *h, const char *name)
{
	size_t need = 0;
	int err = sockstate__bsd_sysctl(NULL, name, NULL, &need);

	if (err)
		return sockstate__fail(h, SOCKSTATE_EUNAVAIL, "sysctlbyname(%s): %s", name,
		                       strerror(err));
	return 0;
}
