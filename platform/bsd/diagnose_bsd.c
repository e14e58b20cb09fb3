/* diagnose_bsd.c - what diagnose asks FreeBSD and macOS: the ephemeral
 * port range (sysctl net.inet.ip.portrange.first and .last; the host's,
 * or the caller's VNET jail's) and the probe's socket (the connect is
 * POSIX's, platform/posix/probe.c). How many SYNs the probe sent again
 * is not read here: FreeBSD's and macOS's TCP_INFO differ from each
 * other and from Linux's, and this build has no BSD to check them on. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysctl.h>
#include <sys/types.h>

#include "posix_internal.h"

static const char first_name[] = "net.inet.ip.portrange.first";
static const char last_name[] = "net.inet.ip.portrange.last";

static int read_int(sockstate_handle *h, const char *name, int *out)
{
	size_t len = sizeof *out;

	if (sysctlbyname(name, out, &len, NULL, 0) != 0 || len != sizeof *out)
		return sockstate__fail(h, errno == EPERM ? SOCKSTATE_EPERM : SOCKSTATE_EIO,
		                       "sysctl %s: %s", name, strerror(errno));
	return 0;
}

int sockstate__platform_port_range(sockstate_handle *h, uint32_t *first, uint32_t *last,
                                   const char **source)
{
	int a, b, rc;

	*source = "sysctl net.inet.ip.portrange.first/last";
	rc = read_int(h, first_name, &a);
	if (rc == 0)
		rc = read_int(h, last_name, &b);
	if (rc < 0)
		return rc;
	if (a < 1 || b > 65535 || a > b)
		return sockstate__fail(h, SOCKSTATE_EPARSE, "sysctl %s..%s: %d..%d", first_name,
		                       last_name, a, b);
	*first = (uint32_t)a;
	*last = (uint32_t)b;
	return 0;
}

int sockstate__platform_probe(sockstate_handle *h, uint8_t family, const sockstate_endpoint *to,
                              uint32_t timeout_ms, sockstate_probe *out, char *msg,
                              size_t msglen)
{
	int fd = socket(family == SOCKSTATE_FAMILY_IPV4 ? AF_INET : AF_INET6, SOCK_STREAM, 0);

	if (fd < 0)
		return sockstate__fail(h, errno == EACCES || errno == EPERM ? SOCKSTATE_EPERM
		                       : SOCKSTATE_EIO, "socket: %s", strerror(errno));
	return sockstate__posix_probe(fd, family, to, timeout_ms, NULL, out, msg, msglen);
}
