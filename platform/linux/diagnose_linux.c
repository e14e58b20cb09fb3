/* diagnose_linux.c - what diagnose asks Linux, inside the handle's
 * network namespace: the ephemeral port range
 * (/proc/sys/net/ipv4/ip_local_port_range is per namespace, and a
 * /proc/sys file answers for the namespace of the thread that opens it)
 * and the probe's socket (a socket belongs for life to the namespace of
 * the thread that made it; the connect itself runs in the caller's). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns.h"
#include "port_range.h"
#include "posix_internal.h"

static const char range_path[] = "/proc/sys/net/ipv4/ip_local_port_range";

int sockstate__platform_port_range(sockstate_handle *h, uint32_t *first, uint32_t *last,
                                   const char **source)
{
	char buf[64];
	ssize_t n;
	int ns_fd, fd, rc;

	*source = range_path;
	rc = sockstate__netns_open(h, &ns_fd);
	if (rc < 0)
		return rc;
	fd = sockstate__netns_open_file(h, ns_fd, range_path);
	if (ns_fd >= 0)
		close(ns_fd);
	if (fd < 0)
		return fd;
	do
		n = read(fd, buf, sizeof buf - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return sockstate__fail(h, SOCKSTATE_EIO, "read(%s): %s", range_path, strerror(errno));
	if (sockstate__port_range_decode(buf, (size_t)n, first, last) != 0)
		return sockstate__fail(h, SOCKSTATE_EPARSE, "%s: not two port numbers", range_path);
	return 0;
}

/* SYNs sent again, from the socket's TCP_INFO (a SYN retransmission
 * counts in tcpi_total_retrans). */
static int syn_retransmits(int fd)
{
	struct tcp_info info;
	socklen_t len = sizeof info;

	memset(&info, 0, sizeof info);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
	    len < offsetof(struct tcp_info, tcpi_total_retrans) + sizeof info.tcpi_total_retrans)
		return -1;
	return (int)info.tcpi_total_retrans;
}

int sockstate__platform_probe(sockstate_handle *h, uint8_t family, const sockstate_endpoint *to,
                              uint32_t timeout_ms, sockstate_probe *out, char *msg,
                              size_t msglen)
{
	int ns_fd, saved, fd, err, rc;

	rc = sockstate__netns_open(h, &ns_fd);
	if (rc < 0)
		return rc;
	rc = sockstate__netns_enter(h, ns_fd, &saved);
	if (rc < 0) {
		if (ns_fd >= 0)
			close(ns_fd);
		return rc;
	}
	fd = socket(family == SOCKSTATE_FAMILY_IPV4 ? AF_INET : AF_INET6,
	            SOCK_STREAM | SOCK_CLOEXEC, 0);
	err = errno;
	rc = sockstate__netns_leave(h, saved);
	if (ns_fd >= 0)
		close(ns_fd);
	if (fd < 0)
		return sockstate__fail(h, err == EACCES || err == EPERM ? SOCKSTATE_EPERM : SOCKSTATE_EIO,
		                       "socket(AF_INET%s, SOCK_STREAM): %s",
		                       family == SOCKSTATE_FAMILY_IPV4 ? "" : "6", strerror(err));
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return sockstate__posix_probe(fd, family, to, timeout_ms, syn_retransmits, out, msg, msglen);
}
