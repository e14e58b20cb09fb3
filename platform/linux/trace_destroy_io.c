/* trace_destroy_io.c - the "sock-diag-destroy" trace source: a netlink
 * socket in the handle's network namespace joined to the sock_diag
 * destroy groups of TCP over IPv4 and IPv6 (what `ss -E` listens to).
 * The kernel sends one message per TCP socket it frees, with its
 * tcp_info; a socket that moves to TIME_WAIT is freed then, and its
 * timewait socket's end is not sent. Messages wait in the socket's
 * receive buffer; when it overflows the kernel says only that some were
 * lost (ENOBUFS), which becomes a lost event without a count. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "netns.h"
#include "trace_linux.h"

/* Datagrams read per call: the rest wait in the socket. */
#define BATCH 64
/* Asked for; SO_RCVBUFFORCE (CAP_NET_ADMIN) may exceed net.core.rmem_max. */
#define RCVBUF (8 * 1024 * 1024)
#define DATAGRAM_MAX (64 * 1024)

struct destroy_trace {
	int fd;
	unsigned char buf[DATAGRAM_MAX];
};

static void destroy_close(void *state)
{
	struct destroy_trace *d = state;

	if (!d)
		return;
	if (d->fd >= 0)
		close(d->fd);
	free(d);
}

/* The socket, made inside the handle's namespace (the destroy groups
 * are per namespace). */
static int socket_in_netns(sockstate_handle *h, int *fd, char *why, size_t why_len)
{
	int ns_fd = -1, saved = -1, rc, e;

	rc = sockstate__netns_open(h, &ns_fd);
	if (rc == 0)
		rc = sockstate__netns_enter(h, ns_fd, &saved);
	if (rc < 0) {
		if (ns_fd >= 0)
			close(ns_fd);
		snprintf(why, why_len, "%s", sockstate_errdetail(h));
		return rc;
	}
	*fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_SOCK_DIAG);
	e = errno;
	rc = sockstate__netns_leave(h, saved);
	if (ns_fd >= 0)
		close(ns_fd);
	if (*fd < 0) {
		snprintf(why, why_len, "socket(NETLINK_SOCK_DIAG): %s", strerror(e));
		return e == EPERM || e == EACCES ? SOCKSTATE_EPERM : SOCKSTATE_EUNAVAIL;
	}
	if (rc < 0) {
		snprintf(why, why_len, "%s", sockstate_errdetail(h));
		close(*fd);
		*fd = -1;
	}
	return rc;
}

static int destroy_open(sockstate_handle *h, const sockstate_query *q,
                        const sockstate_trace_options *o, void **state, char *why,
                        size_t why_len)
{
	static const int groups[] = {SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY};
	struct sockaddr_nl local = {.nl_family = AF_NETLINK};
	struct destroy_trace *d = malloc(sizeof *d);
	int size = RCVBUF, rc;

	(void)q;
	(void)o;
	if (!d) {
		snprintf(why, why_len, "out of memory");
		return SOCKSTATE_ENOMEM;
	}
	d->fd = -1;
	rc = socket_in_netns(h, &d->fd, why, why_len);
	if (rc < 0) {
		destroy_close(d);
		return rc;
	}
	if (bind(d->fd, (struct sockaddr *)&local, sizeof local) != 0) {
		snprintf(why, why_len, "bind(NETLINK_SOCK_DIAG): %s", strerror(errno));
		destroy_close(d);
		return SOCKSTATE_EIO;
	}
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		if (setsockopt(d->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i],
		               sizeof groups[i]) != 0) {
			int e = errno;

			snprintf(why, why_len, "joining the sock_diag destroy group %d: %s",
			         groups[i], strerror(e));
			destroy_close(d);
			return e == EPERM || e == EACCES ? SOCKSTATE_EPERM : SOCKSTATE_EUNAVAIL;
		}
	}
	if (setsockopt(d->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
		(void)setsockopt(d->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	snprintf(why, why_len, "the caller may join the sock_diag destroy groups");
	*state = d;
	return 0;
}

static int lost_unknown(sockstate__trace_emit_fn emit, void *ctx)
{
	sockstate_event ev;

	/* The kernel does not say how many: lost stays 0. */
	sockstate__event_init(&ev, SOCKSTATE_EVENT_LOST, SOCKSTATE_TRACE_SOCK_DIAG_DESTROY);
	ev.time_ns = sockstate__platform_clock_ns(0);
	return emit(ctx, &ev);
}

/* Hand over the datagrams waiting, at most BATCH. */
static int drain(struct destroy_trace *d, sockstate_handle *h,
                 sockstate__trace_emit_fn emit, void *ctx)
{
	int total = 0;

	for (int i = 0; i < BATCH; i++) {
		ssize_t got = recv(d->fd, d->buf, sizeof d->buf, MSG_DONTWAIT);
		int rc;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (got < 0 && errno == ENOBUFS) {
			rc = lost_unknown(emit, ctx);
		} else if (got < 0) {
			return sockstate__fail(h, SOCKSTATE_EIO, "recv(sock_diag destroy): %s",
			                       strerror(errno));
		} else {
			rc = sockstate__trace_destroy_decode(d->buf, (size_t)got,
			                                     sockstate__platform_clock_ns(0),
			                                     emit, ctx);
			if (rc == SOCKSTATE_EPARSE)
				return sockstate__fail(h, rc, "sock_diag destroy: a malformed "
				                       "message in a datagram of %zd bytes", got);
		}
		if (rc < 0)
			return rc;
		total += rc > 0 ? rc : 1;
	}
	return total;
}

static int destroy_fd(const void *state)
{
	const struct destroy_trace *d = state;

	return d->fd;
}

static int destroy_read(void *state, sockstate_handle *h, int timeout_ms,
                        sockstate__trace_emit_fn emit, void *ctx)
{
	struct destroy_trace *d = state;
	struct pollfd p = {.fd = d->fd, .events = POLLIN};
	int rc = drain(d, h, emit, ctx);

	if (rc != 0 || timeout_ms == 0)
		return rc;
	rc = poll(&p, 1, timeout_ms);
	if (rc < 0 && errno != EINTR)
		return sockstate__fail(h, SOCKSTATE_EIO, "poll(sock_diag destroy): %s",
		                       strerror(errno));
	return rc > 0 ? drain(d, h, emit, ctx) : 0;
}

const sockstate__trace_source sockstate__trace_destroy_source = {
	.id = SOCKSTATE_TRACE_SOCK_DIAG_DESTROY,
	.open = destroy_open,
	.read = destroy_read,
	.fd = destroy_fd,
	.timeout_ms = NULL,
	.close = destroy_close,
};
