/* probe.c - diagnose's probe as Linux, FreeBSD and macOS make it: one
 * non-blocking connect on a socket the platform made (in the handle's
 * network namespace, on Linux), waited for with poll(2) up to the
 * timeout; its outcome read from SO_ERROR, the local end it got from
 * getsockname, and, where the platform can tell, how many SYNs it sent
 * again (from the socket's own TCP_INFO, before it is closed). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "posix_internal.h"

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static socklen_t sockaddr_of(uint8_t family, const sockstate_endpoint *ep,
                             struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (family == SOCKSTATE_FAMILY_IPV4) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(ep->port);
		memcpy(&in->sin_addr, ep->addr, 4);
		return sizeof *in;
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(ep->port);
	memcpy(&in6->sin6_addr, ep->addr, 16);
	in6->sin6_scope_id = ep->scope_id;
	return sizeof *in6;
}

static void endpoint_of(const struct sockaddr_storage *ss, sockstate_endpoint *ep)
{
	memset(ep, 0, sizeof *ep);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		memcpy(ep->addr, &in->sin_addr, 4);
		ep->port = ntohs(in->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		memcpy(ep->addr, &in6->sin6_addr, 16);
		ep->port = ntohs(in6->sin6_port);
		ep->scope_id = in6->sin6_scope_id;
	}
}

/* The outcome an errno means, and its name. */
static sockstate_probe_result result_of(int err, const char **name)
{
	static const struct {
		int err;
		const char *name;
		sockstate_probe_result result;
	} map[] = {
		{ECONNREFUSED, "ECONNREFUSED", SOCKSTATE_PROBE_REFUSED},
		{ECONNRESET, "ECONNRESET", SOCKSTATE_PROBE_REFUSED},
		{ETIMEDOUT, "ETIMEDOUT", SOCKSTATE_PROBE_TIMEOUT},
		{EHOSTUNREACH, "EHOSTUNREACH", SOCKSTATE_PROBE_NO_ROUTE},
		{ENETUNREACH, "ENETUNREACH", SOCKSTATE_PROBE_NO_ROUTE},
		{ENETDOWN, "ENETDOWN", SOCKSTATE_PROBE_NO_ROUTE},
		{EHOSTDOWN, "EHOSTDOWN", SOCKSTATE_PROBE_NO_ROUTE},
		/* a firewall rule of this host refused to send */
		{EPERM, "EPERM", SOCKSTATE_PROBE_NO_ROUTE},
		{EACCES, "EACCES", SOCKSTATE_PROBE_NO_ROUTE},
		{EADDRNOTAVAIL, "EADDRNOTAVAIL", SOCKSTATE_PROBE_NO_PORT},
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].err == err) {
			*name = map[i].name;
			return map[i].result;
		}
	*name = NULL;
	return SOCKSTATE_PROBE_ERROR;
}

static void failed(sockstate_probe *out, int err, char *msg, size_t msglen)
{
	out->os_error = err;
	out->result = result_of(err, &out->os_error_name);
	snprintf(msg, msglen, "%s", strerror(err));
}

int sockstate__posix_probe(int fd, uint8_t family, const sockstate_endpoint *to,
                           uint32_t timeout_ms, int (*syn_retransmits)(int fd),
                           sockstate_probe *out, char *msg, size_t msglen)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(family, to, &ss);
	int64_t start = monotonic_ms(), left;
	int flags = fcntl(fd, F_GETFL);
	int rc;

	memset(out, 0, sizeof *out);
	out->family = family;
	out->to = *to;
	out->timeout_ms = timeout_ms;
	out->syn_retransmits = -1;
	msg[0] = '\0';
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		failed(out, errno, msg, msglen);
		close(fd);
		return 0;
	}
	rc = connect(fd, (struct sockaddr *)&ss, len);
	if (rc != 0 && errno != EINPROGRESS && errno != EINTR) {
		failed(out, errno, msg, msglen);
		out->elapsed_ms = (uint32_t)(monotonic_ms() - start);
		close(fd);
		return 0;
	}
	/* The local end, now: a failed connect gives its port back. */
	len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		endpoint_of(&ss, &out->local);
	while (rc != 0 && (left = start + (int64_t)timeout_ms - monotonic_ms()) > 0) {
		struct pollfd p = {fd, POLLOUT, 0};
		int n = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		int err = 0;
		socklen_t elen = sizeof err;

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
			err = errno;
		if (err == 0) {
			rc = 0;
			break;
		}
		failed(out, err, msg, msglen);
		rc = 1;
		break;
	}
	out->elapsed_ms = (uint32_t)(monotonic_ms() - start);
	if (syn_retransmits)
		out->syn_retransmits = syn_retransmits(fd);
	if (rc == 0) {
		out->result = SOCKSTATE_PROBE_CONNECTED;
	} else if (out->result == SOCKSTATE_PROBE_NONE) {
		/* no answer within the timeout: what connect(2) would say later */
		out->os_error = ETIMEDOUT;
		out->result = SOCKSTATE_PROBE_TIMEOUT;
		out->os_error_name = "ETIMEDOUT";
		snprintf(msg, msglen, "no answer within %u ms", (unsigned)timeout_ms);
	}
	close(fd);
	return 0;
}
