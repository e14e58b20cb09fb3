/* write_json.c - the "sockstate/1" document (docs/schema/sockstate-1.json).
 *
 * Layout, fixed so identical input gives identical bytes: one top-level key
 * per line, one socket per line, no spaces inside objects:
 *   {"schema":"sockstate/1",
 *    "host":...,
 *    ...
 *    "sockets":[
 *     {...},
 *     {...}
 *    ],
 *    "total":2,
 *    "counts":{...}}
 * The sockets are written as they come (a listing streams), so
 * owners_unreadable, "total" and "counts" follow them. Unknown values are
 * null; an empty machine fact ("") is unknown too. */
#include "writer_internal.h"

/* A machine fact: "" means the OS did not say. */
static void put_fact(sockstate__out *out, const char *s)
{
	sockstate__out_json_str(out, s != NULL && s[0] != '\0' ? s : NULL);
}

static void put_u64_or_null(sockstate__out *out, int known, uint64_t v)
{
	if (known)
		sockstate__out_u64(out, v);
	else
		sockstate__out_bytes(out, "null", 4);
}

/* ,\n "owners_unreadable":N */
static void put_owners_unreadable(sockstate__out *out, uint64_t n)
{
	sockstate__out_str(out, ",\n \"owners_unreadable\":");
	sockstate__out_u64(out, n);
}

/* The head's keys schema ... pid_source. */
static void head_facts(sockstate__out *out, const sockstate_sysinfo *sys,
                       const char *backend, const char *pid_source)
{
	sockstate__json_facts(out, "sockstate/1", sys, backend);
	sockstate__out_str(out, ",\n \"pid_source\":");
	put_fact(out, pid_source);
}

void sockstate__json_facts(sockstate__out *out, const char *schema,
                           const sockstate_sysinfo *sys, const char *backend)
{
	sockstate__out_str(out, "{\"schema\":");
	sockstate__out_json_str(out, schema);
	sockstate__out_str(out, ",\n \"host\":");
	if (sys != NULL) {
		put_fact(out, sys->host);
		sockstate__out_str(out, ",\n \"os\":{\"name\":");
		put_fact(out, sys->os_name);
		sockstate__out_str(out, ",\"release\":");
		put_fact(out, sys->os_release);
		sockstate__out_str(out, ",\"version\":");
		put_fact(out, sys->os_version);
		sockstate__out_str(out, ",\"machine\":");
		put_fact(out, sys->machine);
		sockstate__out_char(out, '}');
	} else {
		sockstate__out_str(out, "null,\n \"os\":null");
	}
	sockstate__out_str(out, ",\n \"backend\":");
	put_fact(out, backend);
	sockstate__out_str(out, ",\n \"library_version\":");
	sockstate__out_json_str(out, sockstate_version());
	sockstate__out_str(out, ",\n \"taken_at\":");
	char when[21];
	put_fact(out, sys != NULL && sockstate__fmt_iso8601(when, sys->taken_at) > 0
	                      ? when
	                      : NULL);
}

void sockstate__json_head(sockstate__out *out, const sockstate_sysinfo *sys,
                          const char *backend, const char *pid_source,
                          uint64_t owners_unreadable)
{
	head_facts(out, sys, backend, pid_source);
	if (pid_source != NULL)
		put_owners_unreadable(out, owners_unreadable);
}

/* "total":N,\n "counts":{...}: the states that have sockets and those in
 * `zeros`; always in sockstate__state_order. */
void sockstate__json_counts_keys(sockstate__out *out,
                                 const uint64_t by_state[SOCKSTATE_STATE_COUNT],
                                 uint64_t total, uint32_t zeros)
{
	sockstate__out_str(out, ",\n \"total\":");
	sockstate__out_u64(out, total);
	sockstate__out_str(out, ",\n \"counts\":{");
	int first = 1;
	for (size_t i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		sockstate_state st = sockstate__state_order[i];
		if (by_state[st] == 0 && !(zeros & SOCKSTATE_STATE_BIT(st)))
			continue;
		if (!first)
			sockstate__out_char(out, ',');
		first = 0;
		sockstate__out_char(out, '"');
		sockstate__out_str(out, sockstate_state_name(st));
		sockstate__out_str(out, "\":");
		sockstate__out_u64(out, by_state[st]);
	}
	sockstate__out_char(out, '}');
}

void sockstate__json_endpoint(sockstate__out *out, uint8_t family,
                              const sockstate_endpoint *ep, const char *zone)
{
	char addr[SOCKSTATE__ENDPOINT_TEXT];
	int n = sockstate_endpoint_format_zone((sockstate_family)family, ep, zone, addr,
	                                       sizeof addr);
	sockstate__out_str(out, "{\"address\":");
	sockstate__out_json_str(out, n >= 0 ? addr : NULL);
	sockstate__out_str(out, ",\"port\":");
	sockstate__out_u64(out, ep->port);
	sockstate__out_char(out, '}');
}

/* ,"timer":{"kind":"time_wait","expires_ms":48000,"retransmits":0} or
 * ,"timer":null when the backend has no timers. */
static void put_timer(sockstate__out *out, const sockstate_socket *s)
{
	const char *kind = sockstate_timer_name(s->timer);

	sockstate__out_str(out, ",\"timer\":");
	if (!(s->valid & SOCKSTATE_HAS_TIMER) || kind == NULL) {
		sockstate__out_bytes(out, "null", 4);
		return;
	}
	sockstate__out_str(out, "{\"kind\":\"");
	sockstate__out_str(out, kind);
	sockstate__out_str(out, "\",\"expires_ms\":");
	sockstate__out_u64(out, s->expires_ms);
	sockstate__out_str(out, ",\"retransmits\":");
	sockstate__out_u64(out, s->retransmits);
	sockstate__out_char(out, '}');
}

void sockstate__json_socket(sockstate__out *out, const sockstate_socket *s, int with_pids,
                            int with_netns, int with_timers)
{
	int pid_known = (s->valid & SOCKSTATE_HAS_PID) && s->pid >= 0;

	sockstate__out_str(out, "{\"family\":\"");
	sockstate__out_str(out, sockstate__family_name(s->family));
	sockstate__out_str(out, "\",\"local\":");
	sockstate__json_endpoint(out, s->family, &s->local, s->zone);
	sockstate__out_str(out, ",\"remote\":");
	sockstate__json_endpoint(out, s->family, &s->remote, s->zone);
	sockstate__out_str(out, ",\"state\":\"");
	sockstate__out_str(out, sockstate_state_name((sockstate_state)s->state));
	sockstate__out_str(out, "\",\"native_state\":{\"code\":");
	sockstate__out_i64(out, s->native_code);
	sockstate__out_str(out, ",\"name\":");
	sockstate__out_json_str(out, s->native_name);
	sockstate__out_str(out, "},\"pid\":");
	if (pid_known)
		sockstate__out_i64(out, s->pid);
	else
		sockstate__out_bytes(out, "null", 4);
	if (with_pids) {
		sockstate__out_str(out, ",\"pids\":[");
		if (pid_known && s->pids != NULL && s->pid_count > 0) {
			for (uint32_t i = 0; i < s->pid_count; i++) {
				if (i > 0)
					sockstate__out_char(out, ',');
				sockstate__out_i64(out, s->pids[i]);
			}
		} else if (pid_known) {
			sockstate__out_i64(out, s->pid);
		}
		sockstate__out_char(out, ']');
	}
	sockstate__out_str(out, ",\"process\":");
	sockstate__out_json_str(out, (s->valid & SOCKSTATE_HAS_PROCESS) ? s->process : NULL);
	sockstate__out_str(out, ",\"uid\":");
	if ((s->valid & SOCKSTATE_HAS_UID) && s->uid >= 0)
		sockstate__out_i64(out, s->uid);
	else
		sockstate__out_bytes(out, "null", 4);
	sockstate__out_str(out, ",\"inode\":");
	put_u64_or_null(out, (s->valid & SOCKSTATE_HAS_INODE) != 0, s->inode);
	int queues = (s->valid & SOCKSTATE_HAS_QUEUES) != 0;
	sockstate__out_str(out, ",\"rx_queue\":");
	put_u64_or_null(out, queues, s->rx_queue);
	sockstate__out_str(out, ",\"tx_queue\":");
	put_u64_or_null(out, queues, s->tx_queue);
	sockstate__out_str(out, ",\"v6only\":");
	const char *v6only = sockstate__v6only_text(s);
	sockstate__out_str(out, v6only != NULL ? v6only : "null");
	if ((s->valid & SOCKSTATE_HAS_IFINDEX) && s->ifindex != 0) {
		sockstate__out_str(out, ",\"interface\":");
		sockstate__out_u64(out, s->ifindex);
	}
	if (s->valid & SOCKSTATE_HAS_TCP_INFO) {
		sockstate__out_str(out, ",\"tcp_info\":{\"rtt_us\":");
		sockstate__out_u64(out, s->rtt_us);
		sockstate__out_str(out, ",\"rttvar_us\":");
		sockstate__out_u64(out, s->rttvar_us);
		sockstate__out_str(out, ",\"snd_cwnd\":");
		sockstate__out_u64(out, s->snd_cwnd);
		sockstate__out_str(out, ",\"total_retrans\":");
		sockstate__out_u64(out, s->total_retrans);
		sockstate__out_char(out, '}');
	}
	if (with_timers)
		put_timer(out, s);
	if (with_netns) {
		sockstate__out_str(out, ",\"netns\":");
		sockstate__out_json_str(out, s->netns);
	}
	sockstate__out_char(out, '}');
}

void sockstate__json_listing_begin(sockstate__out *out, const sockstate__listing *l)
{
	head_facts(out, l->sys, l->backend, l->pid_source);
	sockstate__out_str(out, ",\n \"sockets\":[");
}

void sockstate__json_listing_socket(sockstate__out *out, const sockstate_socket *s,
                                    int first, const sockstate__listing *l)
{
	sockstate__out_bytes(out, first ? "\n  " : ",\n  ", first ? 3 : 4);
	sockstate__json_socket(out, s, l->pids_key, l->netns,
	                       (l->flags & SOCKSTATE_W_TIMERS) != 0);
}

/* After the sockets, which a stream cannot count before it writes them:
 * owners_unreadable (when owners were mapped), the total and the counts
 * (the states that have sockets); the closing brace is the caller's. */
void sockstate__json_listing_end(sockstate__out *out, const sockstate__listing *l,
                                 uint64_t total,
                                 const uint64_t by_state[SOCKSTATE_STATE_COUNT])
{
	sockstate__out_str(out, total > 0 ? "\n ]" : "]");
	if (l->pid_source != NULL)
		put_owners_unreadable(out, l->owners_unreadable);
	sockstate__json_counts_keys(out, by_state, total, 0);
}

void sockstate__json_counts(sockstate__out *out, const sockstate_counts *c,
                            const sockstate_sysinfo *sys, const char *backend)
{
	sockstate__json_head(out, sys, backend, NULL, 0);
	sockstate__json_counts_keys(out, c->by_state, c->total, sockstate_counts_states(c));
}
