/* diag_io.c - the only file that touches the NETLINK_SOCK_DIAG socket:
 * send one dump request, receive its datagrams into the backend's buffer,
 * hand each to the decoder, drop repeats by cookie, restart a dump the
 * kernel marks interrupted. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "diag_internal.h"
#include "netns.h"

/* A hint: dumps queue one datagram at a time, so this only matters if
 * something else ever fills the queue. The kernel caps it at rmem_max. */
#define RCVBUF_HINT (1024 * 1024)

static const char *family_name(uint8_t family)
{
	if (family == AF_UNSPEC)
		return "IPv4+IPv6";
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* ---- the socket ---- */

void sockstate__diag_stream_close(sockstate__diag_stream *st)
{
	if (st->nl)
		mnl_socket_close(st->nl);
	st->nl = NULL;
	st->portid = 0;
}

static int open_errno_code(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
		return SOCKSTATE_EUNAVAIL;
	case ENOMEM:
	case ENOBUFS:
		return SOCKSTATE_ENOMEM;
	default:
		return SOCKSTATE_EIO;
	}
}

static int socket_open(const sockstate__diag_io *io, sockstate__diag_stream *st,
                       sockstate_handle *h)
{
	int rcvbuf = RCVBUF_HINT;
	int saved = -1, rc;

	/* The socket answers for the namespace it is created in, for good:
	 * enter the handle's only for this call (see netns.h). */
	if (io->has_netns && (rc = sockstate__netns_enter(h, io->netns_fd, &saved)) < 0)
		return rc;
	st->nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!st->nl) {
		int err = errno;
		sockstate__netns_leave(h, saved);
		return sockstate__fail(h, open_errno_code(err), "socket(NETLINK_SOCK_DIAG): %s",
		                       strerror(err));
	}
	rc = sockstate__netns_leave(h, saved);
	if (rc < 0) {
		sockstate__diag_stream_close(st);
		return rc;
	}
	/* Only a hint (see RCVBUF_HINT): a refusal changes nothing. */
	(void)setsockopt(mnl_socket_get_fd(st->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	                 sizeof rcvbuf);
	if (mnl_socket_bind(st->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;
		sockstate__diag_stream_close(st);
		return sockstate__fail(h, open_errno_code(err), "bind(NETLINK_SOCK_DIAG): %s",
		                       strerror(err));
	}
	st->portid = mnl_socket_get_portid(st->nl);
	return 0;
}

/* Both families in one walk of the kernel's tables: only the old
 * TCPDIAG_GETSOCK request can ask for that (its dump runs with family
 * AF_UNSPEC), and the walk of the established table is most of a dump's
 * cost, above all when a filter keeps few sockets. Bytecode, states and
 * the extension bits work there as in SOCK_DIAG_BY_FAMILY. */
static void request_put_both(struct nlmsghdr *nlh, const sockstate__diag_request *req)
{
	struct inet_diag_req *r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);

	nlh->nlmsg_type = TCPDIAG_GETSOCK;
	r->idiag_family = AF_UNSPEC;
	r->idiag_ext = req->ext;
	r->idiag_states = req->states;
}

static void request_put_family(struct nlmsghdr *nlh, const sockstate__diag_request *req)
{
	struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r->sdiag_family = req->family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_ext = req->ext;
	r->idiag_states = req->states;
}

static int request_send(sockstate__diag_stream *st, sockstate_handle *h,
                        const sockstate__diag_request *req)
{
	/* Header, request, one attribute (a filter of every alternative is
	 * the longest, SOCKSTATE__DIAG_BYTECODE_MAX): under 2 KiB. */
	uint32_t words[512];
	struct nlmsghdr *nlh;

	memset(words, 0, sizeof words);
	nlh = mnl_nlmsg_put_header(words);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	if (++st->seq == 0)
		st->seq = 1;
	nlh->nlmsg_seq = st->seq;
	if (req->family == AF_UNSPEC)
		request_put_both(nlh, req);
	else
		request_put_family(nlh, req);
	if (req->bytecode_len) {
		if (!mnl_attr_put_check(nlh, sizeof words, INET_DIAG_REQ_BYTECODE,
		                        req->bytecode_len, req->bytecode))
			return sockstate__fail(h, SOCKSTATE_EINVAL,
			                       "sock_diag request: %zu bytes of filter do not fit",
			                       req->bytecode_len);
	}
	for (;;) {
		if (mnl_socket_sendto(st->nl, nlh, nlh->nlmsg_len) >= 0)
			return 0;
		if (errno != EINTR)
			break;
	}
	int err = errno;
	return sockstate__fail(h, sockstate__diag_errno_code(err),
	                       "sendto(NETLINK_SOCK_DIAG): %s", strerror(err));
}

ssize_t sockstate__diag_recv(struct mnl_socket *nl, void *buf, size_t cap)
{
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = {.iov_base = buf, .iov_len = cap};
		struct msghdr msg = {
			.msg_name = &from, .msg_namelen = sizeof from,
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		ssize_t n;

		memset(&from, 0, sizeof from);
		/* MSG_TRUNC: the return value is the datagram's real length,
		 * so a reply larger than the buffer is seen, not cut short. */
		n = recvmsg(mnl_socket_get_fd(nl), &msg, MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		/* Any process may send to our port; only the kernel's count. */
		if (msg.msg_namelen < sizeof from || from.nl_pid != 0)
			continue;
		if ((size_t)n > cap)
			return -EMSGSIZE;
		return n;
	}
}

static int recv_fail(sockstate_handle *h, ssize_t n, size_t cap)
{
	int err = (int)-n;

	if (err == EMSGSIZE)
		return sockstate__fail(h, SOCKSTATE_EIO, "recvmsg(NETLINK_SOCK_DIAG): a reply "
		                       "does not fit the %zu-byte buffer", cap);
	return sockstate__fail(h, sockstate__diag_errno_code(err),
	                       "recvmsg(NETLINK_SOCK_DIAG): %s", strerror(err));
}

int sockstate__diag_holds_end(const void *buf, size_t n, uint32_t seq)
{
	const unsigned char *p = buf;
	size_t off = 0;

	while (n - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr nlh;

		memcpy(&nlh, p + off, sizeof nlh);
		if (nlh.nlmsg_len < sizeof nlh || nlh.nlmsg_len > n - off)
			return -1;
		if (nlh.nlmsg_seq == seq &&
		    (nlh.nlmsg_type == NLMSG_DONE || nlh.nlmsg_type == NLMSG_ERROR))
			return 1;
		if (NLMSG_ALIGN(nlh.nlmsg_len) >= n - off)
			break;
		off += NLMSG_ALIGN(nlh.nlmsg_len);
	}
	return 0;
}

int sockstate__diag_drain(const sockstate__diag_stream *st, unsigned char *buf,
                          size_t cap, size_t n)
{
	while (st->nl) {
		ssize_t got;
		int end = sockstate__diag_holds_end(buf, n, st->seq);

		if (end == 1)
			return 0;
		if (end < 0)
			break;
		got = sockstate__diag_recv(st->nl, buf, cap);
		if (got < 0)
			break;
		n = (size_t)got;
	}
	return -1;
}

/* Read and drop the rest of a dump we stopped reading, so the socket, and
 * the network namespace it was opened in, serves the next dump; or close
 * it: the next dump opens a new one. */
void sockstate__diag_settle(sockstate__diag_stream *st, unsigned char *buf, size_t cap,
                            size_t n, sockstate__diag_next next)
{
	if (next == SOCKSTATE__DIAG_LOST ||
	    (next == SOCKSTATE__DIAG_DRAIN && sockstate__diag_drain(st, buf, cap, n) < 0))
		sockstate__diag_stream_close(st);
}

/* ---- capture (developer option) ---- */

static int capture_open(sockstate_handle *h, const sockstate__diag_request *req,
                        uint32_t seq, int *fd)
{
	char name[64];

	*fd = -1;
	if (!sockstate__handle_capture_dir(h))
		return 0;
	snprintf(name, sizeof name, "diag-%ld-%u-%s.bin", (long)getpid(), seq,
	         req->family == AF_UNSPEC ? "both" : req->family == AF_INET ? "ipv4" : "ipv6");
	return sockstate__platform_capture_open(h, name, fd);
}

/* ---- repeats: cookies of this datagram and the previous one ---- */

static int cookies_has(const sockstate__diag_cookies *set, uint64_t cookie)
{
	if (!set->slot)
		return 0;
	for (uint32_t i = (uint32_t)sockstate__slot_of(cookie, set->mask);; i = (i + 1) & set->mask) {
		if (set->slot[i] == cookie)
			return 1;
		if (set->slot[i] == 0)
			return 0;
	}
}

/* Returns 1 when added, 0 when already there. The set never fills: it has
 * twice as many slots as the datagram has messages. */
static int cookies_add(sockstate__diag_cookies *set, uint64_t cookie)
{
	for (uint32_t i = (uint32_t)sockstate__slot_of(cookie, set->mask);; i = (i + 1) & set->mask) {
		if (set->slot[i] == cookie)
			return 0;
		if (set->slot[i] == 0) {
			set->slot[i] = cookie;
			return 1;
		}
	}
}

/* Make seen[0] an empty set for a datagram of `messages` messages, after
 * keeping the last one's as seen[1]. */
static int cookies_next(sockstate__diag_stream *st, sockstate_handle *h, uint32_t messages)
{
	sockstate__diag_cookies prev = st->seen[0];
	sockstate__diag_cookies *cur = &st->seen[0];
	size_t slots = 64;

	st->seen[0] = st->seen[1];
	st->seen[1] = prev;
	while (slots < 2 * (size_t)messages)
		slots *= 2;
	if (!cur->slot || (size_t)cur->mask + 1 < slots) {
		uint64_t *slot = calloc(slots, sizeof *slot);
		if (!slot)
			return sockstate__fail(h, SOCKSTATE_ENOMEM,
			                       "out of memory for %zu cookies", slots);
		free(cur->slot);
		cur->slot = slot;
		cur->mask = (uint32_t)(slots - 1);
		return 0;
	}
	memset(cur->slot, 0, ((size_t)cur->mask + 1) * sizeof *cur->slot);
	return 0;
}

static void cookies_clear(sockstate__diag_stream *st)
{
	for (int i = 0; i < 2; i++)
		if (st->seen[i].slot)
			memset(st->seen[i].slot, 0,
			       ((size_t)st->seen[i].mask + 1) * sizeof *st->seen[i].slot);
}

/* ---- one dump ---- */

struct dump {
	sockstate__diag_stream *st;
	sockstate__diag_sink *sink;
};

static int dump_record(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct dump *d = ctx;

	if ((s->valid & SOCKSTATE_HAS_COOKIE) && s->cookie) {
		if (cookies_has(&d->st->seen[1], s->cookie) ||
		    !cookies_add(&d->st->seen[0], s->cookie))
			return 0;
	}
	d->sink->delivered++;
	return d->sink->cb(d->sink->ctx, s, owner_key);
}

/* The dump cannot go on: restart it if nothing reached cb yet. */
static int dump_interrupted(sockstate_handle *h, const sockstate__diag_request *req,
                            const sockstate__diag_sink *sink, const char *what)
{
	if (sink->delivered == 0)
		return SOCKSTATE__DIAG_RESTART;
	return sockstate__fail(h, SOCKSTATE_EAGAIN,
	                       "sock_diag dump (%s): %s after %u sockets were listed; "
	                       "listing them again would repeat them", family_name(req->family),
	                       what, sink->delivered);
}

static int decode_fail(sockstate_handle *h, const sockstate__diag_request *req,
                       const sockstate__diag_result *res, int rc, ssize_t n)
{
	if (res->os_errno)
		return sockstate__fail(h, rc, "sock_diag dump (%s): %s: %s",
		                       family_name(req->family), res->why, strerror(res->os_errno));
	return sockstate__fail(h, rc, "sock_diag dump (%s): %s at byte %zu of a %zd-byte reply",
	                       family_name(req->family), res->why, res->offset, n);
}

int sockstate__diag_start(sockstate__diag_io *io, sockstate__diag_stream *st,
                          sockstate_handle *h, const sockstate__diag_request *req)
{
	int rc;

	if (!st->nl) {
		rc = socket_open(io, st, h);
		if (rc < 0)
			return rc;
	}
	rc = request_send(st, h, req);
	if (rc < 0)
		return rc;
	cookies_clear(st);
	return 0;
}

int sockstate__diag_take(sockstate__diag_stream *st, sockstate_handle *h,
                         const sockstate__diag_request *req, const unsigned char *buf,
                         ssize_t n, size_t cap, sockstate__diag_sink *sink,
                         sockstate__diag_next *next)
{
	struct dump d = {.st = st, .sink = sink};
	sockstate__diag_result res;
	const char *why;
	uint32_t messages;
	uint16_t flags;
	int rc;

	/* Datagrams were lost (ENOBUFS: the end may be among them), nothing
	 * came, or garbage came: where the dump ends is anyone's guess. */
	*next = SOCKSTATE__DIAG_LOST;
	if (n == -ENOBUFS)
		return dump_interrupted(h, req, sink, "the socket overran (ENOBUFS)");
	if (n < 0)
		return recv_fail(h, n, cap);
	rc = sockstate__diag_scan(buf, (size_t)n, &messages, &flags, &why);
	if (rc < 0)
		return sockstate__fail(h, rc, "sock_diag dump (%s): %s (message %u)",
		                       family_name(req->family), why, messages + 1);
	*next = SOCKSTATE__DIAG_DRAIN;
	if (flags & NLM_F_DUMP_INTR)
		return dump_interrupted(h, req, sink, "the kernel marked the dump interrupted");
	rc = cookies_next(st, h, messages);
	if (rc < 0)
		return rc;
	rc = sockstate__diag_decode(buf, (size_t)n, st->seq, st->portid, dump_record, &d, &res);
	if (rc < 0 && res.why)
		decode_fail(h, req, &res, rc, n);
	if (rc == SOCKSTATE_EPARSE)
		*next = SOCKSTATE__DIAG_LOST;
	else if (res.done)
		*next = SOCKSTATE__DIAG_DONE;
	else if (rc == 0)
		*next = SOCKSTATE__DIAG_MORE;
	return rc;
}

static int dump_once(sockstate__diag_io *io, sockstate_handle *h,
                     const sockstate__diag_request *req, sockstate__diag_sink *sink)
{
	sockstate__diag_stream *st = &io->main;
	sockstate__diag_next next = SOCKSTATE__DIAG_MORE;
	int capture_fd = -1, rc;

	rc = sockstate__diag_start(io, st, h, req);
	if (rc < 0)
		return rc;
	/* The probe's empty dump is not worth a file. */
	if (req->states) {
		rc = capture_open(h, req, st->seq, &capture_fd);
		if (rc < 0) {
			sockstate__diag_settle(st, io->buf, io->cap, 0, SOCKSTATE__DIAG_DRAIN);
			return rc;
		}
	}
	while (next == SOCKSTATE__DIAG_MORE) {
		ssize_t n = sockstate__diag_recv(st->nl, io->buf, io->cap);

		if (n >= 0 && capture_fd >= 0) {
			rc = sockstate__capture_write(h, capture_fd, io->buf, (size_t)n);
			if (rc < 0) {
				sockstate__diag_settle(st, io->buf, io->cap, (size_t)n,
				                       SOCKSTATE__DIAG_DRAIN);
				break;
			}
		}
		rc = sockstate__diag_take(st, h, req, io->buf, n, io->cap, sink, &next);
		sockstate__diag_settle(st, io->buf, io->cap, n < 0 ? 0 : (size_t)n, next);
	}
	if (capture_fd >= 0)
		close(capture_fd);
	return rc;
}

int sockstate__diag_dump(sockstate__diag_io *io, sockstate_handle *h,
                         const sockstate__diag_request *req,
                         sockstate__diag_record_fn cb, void *ctx)
{
	sockstate__diag_sink sink = {.cb = cb, .ctx = ctx};

	for (int attempt = 0;; attempt++) {
		int rc = dump_once(io, h, req, &sink);

		if (rc != SOCKSTATE__DIAG_RESTART)
			return rc;
		if (attempt == SOCKSTATE__DIAG_MAX_RESTARTS)
			return sockstate__fail(h, SOCKSTATE_EAGAIN,
			                       "sock_diag dump (%s) was interrupted %d times in a "
			                       "row: the socket table keeps changing",
			                       family_name(req->family), attempt + 1);
	}
}

/* ---- open, probe, close ---- */

static int record_unexpected(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	(void)ctx;
	(void)s;
	(void)owner_key;
	return 0;
}

int sockstate__diag_io_open(sockstate__diag_io *io, sockstate_handle *h)
{
	/* idiag_states 0 walks no table; the answer (DONE, or ENOENT when no
	 * TCP handler is registered) proves the whole path works. */
	const sockstate__diag_request probe = {.family = AF_INET};
	int rc;

	memset(io, 0, sizeof *io);
	rc = sockstate__netns_open(h, &io->netns_fd);
	if (rc < 0)
		return rc;
	io->has_netns = io->netns_fd >= 0;
	io->buf = malloc(SOCKSTATE__DIAG_BUF_SIZE);
	if (!io->buf) {
		sockstate__diag_io_close(io);
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "out of memory for the %u-byte "
		                       "netlink buffer", SOCKSTATE__DIAG_BUF_SIZE);
	}
	io->cap = SOCKSTATE__DIAG_BUF_SIZE;
	rc = socket_open(io, &io->main, h);
	/* Not being let into the namespace is not a missing backend. */
	if (rc < 0 && io->has_netns && rc != SOCKSTATE_EUNAVAIL) {
		sockstate__diag_io_close(io);
		return rc;
	}
	if (rc == 0)
		rc = sockstate__diag_dump(io, h, &probe, record_unexpected, NULL);
	if (rc < 0) {
		sockstate__diag_io_close(io);
		if (rc != SOCKSTATE_ENOMEM)
			rc = SOCKSTATE_EUNAVAIL;
		return rc;
	}
	return 0;
}

void sockstate__diag_stream_free(sockstate__diag_stream *st)
{
	sockstate__diag_stream_close(st);
	free(st->seen[0].slot);
	free(st->seen[1].slot);
}

void sockstate__diag_io_close(sockstate__diag_io *io)
{
	sockstate__diag_stream_free(&io->main);
	if (io->has_netns)
		close(io->netns_fd);
	free(io->buf);
	memset(io, 0, sizeof *io);
}

int sockstate__diag_ifname(const sockstate__diag_io *io, uint32_t index, char *buf,
                           size_t len)
{
	struct ifreq ifr;

	if (!io->main.nl || index == 0 || index > INT32_MAX || len == 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_ifindex = (int)index;
	/* An interface request answers for the namespace of the socket it
	 * is made on, whatever the calling thread's. */
	if (ioctl(mnl_socket_get_fd(io->main.nl), SIOCGIFNAME, &ifr) < 0)
		return -1;
	snprintf(buf, len, "%.*s", (int)sizeof ifr.ifr_name, ifr.ifr_name);
	return 0;
}
