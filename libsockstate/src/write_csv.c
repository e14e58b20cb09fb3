/* write_csv.c - RFC 4180 CSV: CRLF line ends, a header row, a field quoted
 * only when it holds ',', '"', CR or LF. An unknown value is the empty
 * field. */
#include "writer_internal.h"

static void put_u64_field(sockstate__out *out, int known, uint64_t v)
{
	sockstate__out_char(out, ',');
	if (known)
		sockstate__out_u64(out, v);
}

void sockstate__csv_endpoint(sockstate__out *out, uint8_t family,
                             const sockstate_endpoint *ep)
{
	char addr[64];
	int n = sockstate_endpoint_format((sockstate_family)family, ep, addr, sizeof addr);
	sockstate__out_char(out, ',');
	if (n >= 0)
		sockstate__out_csv_str(out, addr);
	sockstate__out_char(out, ',');
	sockstate__out_u64(out, ep->port);
}

static void put_socket(sockstate__out *out, const sockstate_socket *s, uint32_t flags,
                       int netns)
{
	sockstate__out_str(out, sockstate__family_name(s->family));
	sockstate__out_char(out, ',');
	sockstate__out_str(out, sockstate_state_name((sockstate_state)s->state));
	sockstate__out_char(out, ',');
	sockstate__out_csv_str(out, s->native_name);
	sockstate__out_char(out, ',');
	sockstate__out_i64(out, s->native_code);
	sockstate__csv_endpoint(out, s->family, &s->local);
	sockstate__csv_endpoint(out, s->family, &s->remote);
	int queues = (s->valid & SOCKSTATE_HAS_QUEUES) != 0;
	put_u64_field(out, queues, s->rx_queue);
	put_u64_field(out, queues, s->tx_queue);
	sockstate__out_char(out, ',');
	if ((s->valid & SOCKSTATE_HAS_UID) && s->uid >= 0)
		sockstate__out_i64(out, s->uid);
	put_u64_field(out, (s->valid & SOCKSTATE_HAS_INODE) != 0, s->inode);
	if (flags & SOCKSTATE_W_PIDS) {
		int pid_known = (s->valid & SOCKSTATE_HAS_PID) && s->pid >= 0;
		sockstate__out_char(out, ',');
		if (pid_known)
			sockstate__out_i64(out, s->pid);
		sockstate__out_char(out, ',');
		if (s->valid & SOCKSTATE_HAS_PROCESS)
			sockstate__out_csv_str(out, s->process);
		/* Every owner, space-separated, so the field never needs
		 * quotes. */
		sockstate__out_char(out, ',');
		if (pid_known && s->pids != NULL && s->pid_count > 0) {
			for (uint32_t i = 0; i < s->pid_count; i++) {
				if (i > 0)
					sockstate__out_char(out, ' ');
				sockstate__out_i64(out, s->pids[i]);
			}
		} else if (pid_known) {
			sockstate__out_i64(out, s->pid);
		}
	}
	if (netns) {
		sockstate__out_char(out, ',');
		sockstate__out_csv_str(out, s->netns);
	}
	if (flags & SOCKSTATE_W_TIMERS) {
		const char *kind = (s->valid & SOCKSTATE_HAS_TIMER) ? sockstate_timer_name(s->timer)
		                                                    : NULL;
		sockstate__out_char(out, ',');
		if (kind != NULL)
			sockstate__out_str(out, kind);
		put_u64_field(out, kind != NULL, s->expires_ms);
		put_u64_field(out, kind != NULL, s->retransmits);
	}
	sockstate__out_bytes(out, "\r\n", 2);
}

void sockstate__csv_snapshot(sockstate__out *out, const sockstate_snapshot *snap,
                             uint32_t flags)
{
	int netns = sockstate__snapshot_has_netns(snap);
	if (!(flags & SOCKSTATE_W_NO_HEADER)) {
		sockstate__out_str(out, "family,state,native_state,native_code,"
		                        "local_address,local_port,remote_address,"
		                        "remote_port,rx_queue,tx_queue,uid,inode");
		if (flags & SOCKSTATE_W_PIDS)
			sockstate__out_str(out, ",pid,process,pids");
		if (netns)
			sockstate__out_str(out, ",netns");
		if (flags & SOCKSTATE_W_TIMERS)
			sockstate__out_str(out, ",timer,timer_expires_ms,timer_retransmits");
		sockstate__out_bytes(out, "\r\n", 2);
	}
	for (size_t i = 0; i < snap->count && out->err == 0; i++)
		put_socket(out, &snap->sockets[i], flags, netns);
}

void sockstate__csv_counts(sockstate__out *out, const sockstate_counts *c,
                           uint32_t flags)
{
	if (!(flags & SOCKSTATE_W_NO_HEADER))
		sockstate__out_str(out, "state,ipv4,ipv6,total\r\n");
	for (size_t i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		sockstate_state st = sockstate__state_order[i];
		sockstate__out_str(out, sockstate_state_name(st));
		sockstate__out_char(out, ',');
		sockstate__out_u64(out, c->by_family_state[SOCKSTATE_FAMILY_IPV4 - 1][st]);
		sockstate__out_char(out, ',');
		sockstate__out_u64(out, c->by_family_state[SOCKSTATE_FAMILY_IPV6 - 1][st]);
		sockstate__out_char(out, ',');
		sockstate__out_u64(out, c->by_state[st]);
		sockstate__out_bytes(out, "\r\n", 2);
	}
}
