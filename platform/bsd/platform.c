/* platform.c - what FreeBSD and macOS offer the core: the backend this
 * build has (pcblist_freebsd.c or pcblist_macos.c, chosen by CMake),
 * machine facts, interface names, and the one sysctl call. */
#include <sys/types.h>
#include <sys/sysctl.h>
#include <sys/utsname.h>

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend_internal.h"
#include "pcblist_internal.h"

const sockstate__backend *const sockstate__platform_backends[] = {
	&sockstate__bsd_pcblist_backend,
	NULL,
};

/* Copy, truncating: utsname fields may be longer than ours. */
static void copy_field(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

#define COPY_FIELD(dst, src) copy_field((dst), sizeof(dst), (src))

int sockstate__platform_sysinfo(sockstate_sysinfo *out)
{
	struct utsname u;

	if (gethostname(out->host, sizeof out->host - 1) != 0)
		out->host[0] = '\0';
	if (uname(&u) == 0) {
		COPY_FIELD(out->os_name, u.sysname);
		COPY_FIELD(out->os_release, u.release);
		COPY_FIELD(out->os_version, u.version);
		COPY_FIELD(out->machine, u.machine);
	}
	return 0;
}

int sockstate__platform_ifname(uint32_t index, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	if (!if_indextoname(index, name))
		return -1;
	snprintf(buf, len, "%s", name);
	return 0;
}

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
