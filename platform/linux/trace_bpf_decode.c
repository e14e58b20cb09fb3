/* trace_bpf_decode.c - a ring record of bpf/trace.bpf.c into an event;
 * no syscalls, so unit tests feed it constructed records. */
#include <string.h>
#include <sys/socket.h>

#include <linux/types.h>

#include "trace_linux.h"
#include "bpf/transition_record.h"

typedef struct sockstate_bpf_transition transition;

const size_t sockstate__bpf_transition_size = sizeof(transition);

/* The kernel's TCP_* numbers that have a normalized state (1..12;
 * TCP_NEW_SYN_RECV is SYN_RECEIVED). */
#define LINUX_STATE_MAX 12

/* TCP_CLOSE: a listing shows it only for a bound, inactive socket (ss:
 * UNCONN, our BOUND); in a transition it is a socket closed, named as
 * the kernel and net-tools name it. */
#define LINUX_TCP_CLOSE 7

static sockstate__origin origin_of(int32_t code)
{
	return code == LINUX_TCP_CLOSE ? SOCKSTATE__ORIGIN_NETTOOLS : SOCKSTATE__ORIGIN_LINUX;
}

void sockstate__trace_linux_state(sockstate_event *ev, int which, int32_t code)
{
	sockstate__event_native(ev, which, origin_of(code), code);
}

uint32_t sockstate__trace_bpf_state_mask(uint32_t mask)
{
	uint32_t kernel = 0;

	for (int32_t code = 1; code <= LINUX_STATE_MAX; code++) {
		sockstate_state st;
		const char *name;

		sockstate__native_state(origin_of(code), code, &st, &name);
		if (mask & SOCKSTATE_STATE_BIT(st))
			kernel |= 1u << code;
	}
	return kernel;
}

static const uint8_t causes[] = {
	[SOCKSTATE_BPF_CAUSE_UNKNOWN] = SOCKSTATE_CAUSE_UNKNOWN,
	[SOCKSTATE_BPF_CAUSE_NORMAL] = SOCKSTATE_CAUSE_NORMAL,
	[SOCKSTATE_BPF_CAUSE_RST_RECEIVED] = SOCKSTATE_CAUSE_RST_RECEIVED,
	[SOCKSTATE_BPF_CAUSE_RST_SENT] = SOCKSTATE_CAUSE_RST_SENT,
	[SOCKSTATE_BPF_CAUSE_SYN_TIMEOUT] = SOCKSTATE_CAUSE_SYN_TIMEOUT,
	[SOCKSTATE_BPF_CAUSE_TIMEOUT] = SOCKSTATE_CAUSE_TIMEOUT,
};

int sockstate__trace_bpf_decode(const void *rec, size_t len, int64_t wall_minus_mono_ns,
                                sockstate_event *ev, char comm[17])
{
	transition r;

	if (len != sizeof r)
		return SOCKSTATE_EPARSE;
	memcpy(&r, rec, sizeof r);
	sockstate__event_init(ev, SOCKSTATE_EVENT_TRANSITION, SOCKSTATE_TRACE_BPF);
	if (r.family == AF_INET) {
		ev->family = SOCKSTATE_FAMILY_IPV4;
		memcpy(ev->local.addr, r.saddr, 4);
		memcpy(ev->remote.addr, r.daddr, 4);
	} else if (r.family == AF_INET6) {
		ev->family = SOCKSTATE_FAMILY_IPV6;
		memcpy(ev->local.addr, r.saddr, 16);
		memcpy(ev->remote.addr, r.daddr, 16);
	} else {
		return SOCKSTATE_EPARSE;
	}
	ev->local.port = r.sport;
	ev->remote.port = r.dport;
	sockstate__trace_linux_state(ev, 0, r.old_state);
	sockstate__trace_linux_state(ev, 1, r.new_state);
	ev->cause = r.cause < sizeof causes ? causes[r.cause] : SOCKSTATE_CAUSE_UNKNOWN;
	ev->syn_retransmits = r.syn_retransmits;
	ev->time_ns = (int64_t)r.ktime_ns + wall_minus_mono_ns;
	ev->cookie = r.cookie;
	ev->flags |= SOCKSTATE_EV_HAS_COOKIE;
	if (r.flags & SOCKSTATE_BPF_HAS_IN_OLD) {
		ev->in_old_state_ns = (int64_t)r.in_old_ns;
		ev->flags |= SOCKSTATE_EV_HAS_IN_OLD;
	}
	if (r.flags & SOCKSTATE_BPF_HAS_BYTES) {
		ev->bytes_acked = r.bytes_acked;
		ev->bytes_received = r.bytes_received;
		ev->flags |= SOCKSTATE_EV_HAS_BYTES;
	}
	if ((r.flags & SOCKSTATE_BPF_HAS_PID) && r.pid > 0) {
		ev->pid = r.pid;
		memcpy(comm, r.comm, SOCKSTATE_BPF_TRACE_COMM_LEN);
		comm[SOCKSTATE_BPF_TRACE_COMM_LEN] = '\0';
		ev->process = comm;
		ev->flags |= SOCKSTATE_EV_HAS_PID | SOCKSTATE_EV_HAS_PROCESS;
	}
	return 0;
}
