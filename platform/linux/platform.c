/* platform.c - what Linux offers the core: its backends in preference
 * order, machine facts, interface names. */
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "backend_internal.h"
#include "diag_internal.h"
#include "proc_internal.h"

const sockstate__backend *const sockstate__platform_backends[] = {
	&sockstate__linux_netlink_backend,
	&sockstate__linux_proc_backend,
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
