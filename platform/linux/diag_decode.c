/* diag_decode.c - NETLINK_SOCK_DIAG replies to records.
 *
 * A bounds-checked walk over a caller's buffer, in libmnl's spirit but not
 * through mnl_cb_run: that loop stops silently at a message whose length
 * does not fit (we must report it as EPARSE), ignores the error NLMSG_DONE
 * carries, and needs an aligned buffer. Every header is copied out with
 * memcpy before use, so buffers straight from a file work too.
 * No syscalls, no allocation.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <sys/socket.h>

#include "diag_internal.h"

/* The last tcp_info field we read, and so how much of it must arrive. */
#define TCP_INFO_NEEDED \
	(offsetof(struct tcp_info, tcpi_total_retrans) + \
	 sizeof(((struct tcp_info *)0)->tcpi_total_retrans))

/* Kernel state numbers go up to 13 (TCP_BOUND_INACTIVE); a code past the
 * cache is looked up each time. */
#define STATE_CACHE_SIZE 16

/* sockstate__native_state per kernel code, looked up once per decode call
 * rather than once per record. */
struct state_cache {
	uint32_t filled;
	uint8_t state[STATE_CACHE_SIZE];
	const char *name[STATE_CACHE_SIZE];
};

static void state_lookup(struct state_cache *c, uint8_t code, sockstate_socket *s)
{
	sockstate_state state;
	const char *name;

	if (code < STATE_CACHE_SIZE && (c->filled & (1u << code))) {
		s->state = c->state[code];
		s->native_name = c->name[code];
		return;
	}
	sockstate__native_state(SOCKSTATE__ORIGIN_LINUX, code, &state, &name);
	s->state = (uint8_t)state;
	s->native_name = name;
	if (code < STATE_CACHE_SIZE) {
		c->state[code] = (uint8_t)state;
		c->name[code] = name;
		c->filled |= 1u << code;
	}
}

/* Step past a message or attribute of len bytes and its padding to 4
 * bytes; the last one in a buffer may lack its padding. */
static size_t step(size_t len, size_t left)
{
	size_t padded = (len + 3u) & ~(size_t)3u;

	return padded < left ? padded : left;
}

int sockstate__diag_errno_code(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return SOCKSTATE_EPERM;
	case ENOMEM:
		return SOCKSTATE_ENOMEM;
	case ENOENT:
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
	case EOPNOTSUPP:
		return SOCKSTATE_EUNAVAIL;
	case EINTR:
	case EAGAIN:
	case EBUSY:
	case ENOBUFS:
		return SOCKSTATE_EAGAIN;
	default:
		return SOCKSTATE_EIO;
	}
}

int sockstate__diag_scan(const void *buf, size_t len, uint32_t *count,
                         uint16_t *flags, const char **why)
{
	const unsigned char *p = buf;
	size_t off = 0;

	*count = 0;
	*flags = 0;
	*why = NULL;
	while (off < len) {
		struct nlmsghdr nlh;

		if (len - off < sizeof nlh) {
			*why = "truncated netlink header";
			return SOCKSTATE_EPARSE;
		}
		memcpy(&nlh, p + off, sizeof nlh);
		if (nlh.nlmsg_len < sizeof nlh) {
			*why = "netlink message shorter than its header";
			return SOCKSTATE_EPARSE;
		}
		if (nlh.nlmsg_len > len - off) {
			*why = "netlink message runs past the end of the reply";
			return SOCKSTATE_EPARSE;
		}
		(*count)++;
		*flags |= nlh.nlmsg_flags;
		off += step(nlh.nlmsg_len, len - off);
	}
	return 0;
}

static void endpoint_fill(sockstate_endpoint *ep, uint8_t family,
                          const uint32_t words[4], uint16_t port_be, uint32_t ifindex)
{
	ep->port = ntohs(port_be);
	if (family == SOCKSTATE_FAMILY_IPV4) {
		memcpy(ep->addr, words, 4);
		return;
	}
	memcpy(ep->addr, words, 16);
	/* fe80::/10: the address means something only with its interface. */
	if (ep->addr[0] == 0xfe && (ep->addr[1] & 0xc0) == 0x80)
		ep->scope_id = ifindex;
}

/* What the attributes of one socket message told us. */
struct diag_attrs {
	int full_socket;             /* INET_DIAG_SHUTDOWN seen */
	int v6only;                  /* INET_DIAG_SKV6ONLY: -1 absent, 0, 1 */
	size_t info_len;             /* bytes of tcp_info received */
	struct tcp_info info;        /* zero beyond info_len */
};

static int attrs_walk(const unsigned char *p, size_t len, struct diag_attrs *a,
                      const char **why)
{
	size_t off = 0;

	while (off < len) {
		struct nlattr nla;
		size_t payload;

		if (len - off < sizeof nla) {
			*why = "truncated attribute header";
			return SOCKSTATE_EPARSE;
		}
		memcpy(&nla, p + off, sizeof nla);
		if (nla.nla_len < sizeof nla) {
			*why = "attribute shorter than its header";
			return SOCKSTATE_EPARSE;
		}
		if (nla.nla_len > len - off) {
			*why = "attribute runs past the end of its message";
			return SOCKSTATE_EPARSE;
		}
		payload = nla.nla_len - NLA_HDRLEN;
		switch (nla.nla_type & NLA_TYPE_MASK) {
		case INET_DIAG_SHUTDOWN:
			if (payload < 1) {
				*why = "INET_DIAG_SHUTDOWN attribute is empty";
				return SOCKSTATE_EPARSE;
			}
			a->full_socket = 1;
			break;
		case INET_DIAG_SKV6ONLY:
			if (payload < 1) {
				*why = "INET_DIAG_SKV6ONLY attribute is empty";
				return SOCKSTATE_EPARSE;
			}
			a->v6only = p[off + NLA_HDRLEN] != 0;
			break;
		case INET_DIAG_INFO:
			a->info_len = payload < sizeof a->info ? payload : sizeof a->info;
			memset(&a->info, 0, sizeof a->info);
			memcpy(&a->info, p + off + NLA_HDRLEN, a->info_len);
			break;
		default:
			break;
		}
		off += step(nla.nla_len, len - off);
	}
	return 0;
}

static int socket_decode(const unsigned char *p, size_t len, struct state_cache *cache,
                         sockstate_socket *s, const char **why)
{
	struct inet_diag_msg m;
	struct diag_attrs a;
	size_t attrs_at = NLMSG_ALIGN(sizeof m);
	uint8_t family;
	int rc;

	if (len < sizeof m) {
		*why = "SOCK_DIAG_BY_FAMILY message shorter than struct inet_diag_msg";
		return SOCKSTATE_EPARSE;
	}
	memcpy(&m, p, sizeof m);
	if (m.idiag_family == AF_INET)
		family = SOCKSTATE_FAMILY_IPV4;
	else if (m.idiag_family == AF_INET6)
		family = SOCKSTATE_FAMILY_IPV6;
	else {
		*why = "inet_diag_msg family is neither AF_INET nor AF_INET6";
		return SOCKSTATE_EPARSE;
	}
	a.full_socket = 0;
	a.v6only = -1;
	a.info_len = 0;
	if (len > attrs_at) {
		rc = attrs_walk(p + attrs_at, len - attrs_at, &a, why);
		if (rc < 0)
			return rc;
	}

	sockstate__socket_init(s);
	s->family = family;
	s->native_code = m.idiag_state;
	state_lookup(cache, m.idiag_state, s);
	endpoint_fill(&s->local, family, m.id.idiag_src, m.id.idiag_sport, m.id.idiag_if);
	endpoint_fill(&s->remote, family, m.id.idiag_dst, m.id.idiag_dport, m.id.idiag_if);
	s->ifindex = m.id.idiag_if;
	s->valid |= SOCKSTATE_HAS_IFINDEX;
	/* The kernel says it of IPv6 sockets in LISTEN and CLOSE (bound)
	 * only, unasked. */
	if (family == SOCKSTATE_FAMILY_IPV6 && a.v6only >= 0) {
		s->valid |= SOCKSTATE_HAS_V6ONLY;
		if (a.v6only)
			s->local.flags |= SOCKSTATE_ENDPOINT_V6ONLY;
	}
	if (m.id.idiag_cookie[0] != INET_DIAG_NOCOOKIE ||
	    m.id.idiag_cookie[1] != INET_DIAG_NOCOOKIE) {
		s->cookie = (uint64_t)m.id.idiag_cookie[1] << 32 | m.id.idiag_cookie[0];
		s->valid |= SOCKSTATE_HAS_COOKIE;
	}
	if (m.idiag_timer <= SOCKSTATE_TIMER_PROBE) {
		s->timer = m.idiag_timer;
		s->retransmits = m.idiag_retrans;
		s->expires_ms = m.idiag_expires;
		s->valid |= SOCKSTATE_HAS_TIMER;
	}
	s->rx_queue = m.idiag_rqueue;
	s->tx_queue = m.idiag_wqueue;
	s->valid |= SOCKSTATE_HAS_QUEUES;
	if (a.full_socket) {
		s->uid = m.idiag_uid;
		s->valid |= SOCKSTATE_HAS_UID;
	}
	if (m.idiag_inode) {
		s->inode = m.idiag_inode;
		s->valid |= SOCKSTATE_HAS_INODE;
	}
	if (a.info_len >= TCP_INFO_NEEDED) {
		s->rtt_us = a.info.tcpi_rtt;
		s->rttvar_us = a.info.tcpi_rttvar;
		s->snd_cwnd = a.info.tcpi_snd_cwnd;
		s->total_retrans = a.info.tcpi_total_retrans;
		s->valid |= SOCKSTATE_HAS_TCP_INFO;
	}
	return 0;
}

/* NLMSG_ERROR and NLMSG_DONE carry an int error first (negative errno). */
static int payload_error(const unsigned char *payload, size_t len, int *err)
{
	if (len < sizeof *err)
		return -1;
	memcpy(err, payload, sizeof *err);
	return 0;
}

static int kernel_error(sockstate__diag_result *res, int err, const char *why)
{
	/* A negative errno; anything else (garbage) reads as EIO. */
	res->os_errno = err < 0 && err > -4096 ? -err : EIO;
	res->why = why;
	return sockstate__diag_errno_code(res->os_errno);
}

int sockstate__diag_decode(const void *buf, size_t len, uint32_t seq,
                           uint32_t portid, sockstate__diag_record_fn cb,
                           void *ctx, sockstate__diag_result *res)
{
	const unsigned char *p = buf;
	struct state_cache cache;
	size_t off = 0;
	int rc;

	memset(res, 0, sizeof *res);
	cache.filled = 0;
	while (off < len) {
		struct nlmsghdr nlh;
		const unsigned char *payload;
		size_t payload_len;
		sockstate_socket s;
		int err;

		res->offset = off;
		if (len - off < sizeof nlh) {
			res->why = "truncated netlink header";
			return SOCKSTATE_EPARSE;
		}
		memcpy(&nlh, p + off, sizeof nlh);
		if (nlh.nlmsg_len < NLMSG_HDRLEN) {
			res->why = "netlink message shorter than its header";
			return SOCKSTATE_EPARSE;
		}
		if (nlh.nlmsg_len > len - off) {
			res->why = "netlink message runs past the end of the reply";
			return SOCKSTATE_EPARSE;
		}
		if (seq && nlh.nlmsg_seq && nlh.nlmsg_seq != seq) {
			res->why = "reply carries another request's sequence number";
			return SOCKSTATE_EPARSE;
		}
		if (portid && nlh.nlmsg_pid && nlh.nlmsg_pid != portid) {
			res->why = "reply is addressed to another netlink port";
			return SOCKSTATE_EPARSE;
		}
		payload = p + off + NLMSG_HDRLEN;
		payload_len = nlh.nlmsg_len - NLMSG_HDRLEN;

		switch (nlh.nlmsg_type) {
		case NLMSG_NOOP:
		case NLMSG_OVERRUN:
			break;
		case NLMSG_DONE:
			res->done = 1;
			/* Kernels before 4.x send no payload here. */
			if (payload_error(payload, payload_len, &err) == 0 && err < 0)
				return kernel_error(res, err, "the kernel ended the dump with an error");
			return 0;
		case NLMSG_ERROR:
			if (payload_error(payload, payload_len, &err) < 0) {
				res->why = "NLMSG_ERROR too short to hold its error";
				return SOCKSTATE_EPARSE;
			}
			/* The last message of the request, error or ACK. */
			res->done = 1;
			if (err == 0)
				return 0;
			return kernel_error(res, err, "the kernel refused the request");
		case SOCK_DIAG_BY_FAMILY:
		case TCPDIAG_GETSOCK: /* replies carry the request's type */
			rc = socket_decode(payload, payload_len, &cache, &s, &res->why);
			if (rc < 0)
				return rc;
			res->records++;
			rc = cb(ctx, &s, s.inode);
			if (rc != 0)
				return rc;
			break;
		default:
			res->why = "unexpected netlink message type";
			return SOCKSTATE_EPARSE;
		}
		off += step(nlh.nlmsg_len, len - off);
	}
	res->offset = off;
	return 0;
}
