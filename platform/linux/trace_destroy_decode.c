/* trace_destroy_decode.c - a datagram of the sock_diag destroy groups
 * into events: each message is a socket as a dump reply carries it
 * (diag_decode.c decodes the record), sent when the kernel frees the
 * socket, with its tcp_info. Pure. */
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/tcp.h>

#include "diag_internal.h"
#include "trace_linux.h"

/* The bytes of tcp_info up to the last counter read here. */
#define INFO_NEEDED \
	(offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(__u64))

struct one {
	sockstate_socket rec;
	int found;
};

static int keep(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct one *one = ctx;

	(void)owner_key;
	one->rec = *s;
	one->found = 1;
	return 0;
}

/* bytes_acked and bytes_received from msg's INET_DIAG_INFO, if long
 * enough. */
static int bytes_of(const struct nlmsghdr *msg, sockstate_event *ev)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, msg, sizeof(struct inet_diag_msg)) {
		struct tcp_info info;

		if (mnl_attr_get_type(a) != INET_DIAG_INFO ||
		    mnl_attr_get_payload_len(a) < INFO_NEEDED)
			continue;
		memset(&info, 0, sizeof info);
		memcpy(&info, mnl_attr_get_payload(a), INFO_NEEDED);
		ev->bytes_acked = info.tcpi_bytes_acked;
		ev->bytes_received = info.tcpi_bytes_received;
		ev->flags |= SOCKSTATE_EV_HAS_BYTES;
		return 1;
	}
	return 0;
}

int sockstate__trace_destroy_decode(const void *buf, size_t len, int64_t wall_ns,
                                    sockstate__trace_emit_fn emit, void *ctx)
{
	const struct nlmsghdr *msg = buf;
	int left = len > INT32_MAX ? INT32_MAX : (int)len;
	int n = 0, rc;

	for (; mnl_nlmsg_ok(msg, left); msg = mnl_nlmsg_next(msg, &left)) {
		struct one one = {.found = 0};
		sockstate__diag_result res;
		sockstate_event ev;

		/* diag_decode checks the message and every attribute's
		 * bounds before the walk below reads them. */
		rc = sockstate__diag_decode(msg, msg->nlmsg_len, 0, 0, keep, &one, &res);
		if (rc < 0)
			return rc;
		if (!one.found)
			continue;
		sockstate__event_init(&ev, SOCKSTATE_EVENT_TRANSITION,
		                      SOCKSTATE_TRACE_SOCK_DIAG_DESTROY);
		ev.family = one.rec.family;
		ev.local = one.rec.local;
		ev.remote = one.rec.remote;
		sockstate__trace_linux_state(&ev, 1, one.rec.native_code);
		ev.time_ns = wall_ns;
		if (one.rec.valid & SOCKSTATE_HAS_COOKIE) {
			ev.cookie = one.rec.cookie;
			ev.flags |= SOCKSTATE_EV_HAS_COOKIE;
		}
		bytes_of(msg, &ev);
		rc = emit(ctx, &ev);
		if (rc < 0)
			return rc;
		n++;
	}
	if (left != 0)
		return SOCKSTATE_EPARSE;
	return n;
}
