/* trace.bpf.c - TCP state transitions as they happen, for sockstate_trace.
 *
 * sock:inet_sock_set_state gives every state change of every full TCP
 * socket; tcp:tcp_receive_reset and tcp:tcp_send_reset mark a socket that
 * a reset is about to close, tcp:tcp_retransmit_skb counts the SYNs a
 * connecting socket sent again. One record per transition goes into a
 * ring buffer (transition_record.h); a full ring counts the record as
 * lost.
 *
 * A full socket that reaches TIME_WAIT is replaced by a timewait socket
 * (tcp_time_wait(), then tcp_done()), and the tracepoint shows only its
 * close: FIN_WAIT2 -> CLOSE or CLOSING -> CLOSE. No tracepoint says so,
 * and an fentry on tcp_time_wait() is refused on kernels without
 * ftrace's direct calls, so the program tells by what tcp_done() has not
 * yet changed: with no reset and no error on the socket, CLOSING -> CLOSE
 * is the move to TIME_WAIT, and so is FIN_WAIT2 -> CLOSE once the peer's
 * FIN arrived (RCV_SHUTDOWN, which tcp_done() sets only after the state);
 * without that FIN the timewait socket holds the connection in FIN_WAIT2.
 * The timewait socket's own end fires nothing: TIME_WAIT is never seen
 * to end.
 *
 * Filtered here, before anything is written: the network namespace, the
 * families, the ports and the states user space asks for (read-only
 * globals set before loading). Per socket, in the socket's own storage
 * (BPF socket local storage, freed with the socket), the program keeps
 * when it entered its state, its SYN retransmits, whether a reset was
 * seen, and the process whose system call made a transition.
 *
 * Pids: a transition in softirq context runs on whatever task the CPU
 * was in, so "current" is trusted only for the transitions a system call
 * makes (connect, listen, close, shutdown), and remembered for the
 * socket's later ones.
 *
 * The license string is what the kernel checks (the ring buffer and the
 * probe reads are GPL-only helpers). This file is offered under the
 * project's MIT license or the GPL-2.0. */
#include "kernel_types.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "transition_record.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The kernel's TCP states (include/net/tcp_states.h). */
enum {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT = 2,
	TCP_FIN_WAIT1 = 4,
	TCP_FIN_WAIT2 = 5,
	TCP_TIME_WAIT = 6,
	TCP_CLOSE = 7,
	TCP_LAST_ACK = 9,
	TCP_LISTEN = 10,
	TCP_CLOSING = 11,
	TCP_NEW_SYN_RECV = 12,
};

enum {
	RCV_SHUTDOWN = 1,
	ECONNRESET = 104,
	ETIMEDOUT = 110,
	ECONNREFUSED = 111,
};

/* Set by user space before loading. */
const volatile __u32 netns_inum = 0;      /* 0: every namespace */
const volatile __u32 families = 3;        /* bit 0 IPv4, bit 1 IPv6 */
const volatile __u32 state_mask = 0xffff; /* 1 << TCP_*: old or new in it */
const volatile int port_either = -1;      /* -1: any */
const volatile int port_local = -1;
const volatile int port_remote = -1;

/* Records the ring had no room for. */
__u64 lost_records = 0;

/* The reader is woken only once this much waits (it also looks every
 * few milliseconds by itself): a wakeup per record would cost a busy
 * machine a context switch per transition. */
#define WAKEUP_BYTES (64 * 1024)

enum sock_flags {
	SEEN_RST_IN = 1u << 0,
	SEEN_RST_OUT = 1u << 1,
	HAS_SINCE = 1u << 2,
	HAS_OWNER = 1u << 3,
};

struct sock_track {
	__u64 since_ns;
	__u32 flags;
	__u16 syn_retransmits;
	__u16 pad;
	__s32 pid;
	char comm[SOCKSTATE_BPF_TRACE_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/* Socket local storage: kept on the socket itself, so no table to look
 * up under a lock, nothing to delete, nothing to leak when a close is
 * missed: it goes with the socket. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sock_track);
} socks SEC(".maps");

/* The local port as inet_sock keeps it: skc_num is cleared when a
 * closing socket gives its port back, just before the tracepoint fires. */
static __always_inline __u16 local_port(const struct sock *sk)
{
	const struct inet_sock *inet = (const struct inet_sock *)sk;

	return bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
}

static __always_inline int port_ok(int want, __u16 a, __u16 b)
{
	return want < 0 || a == want || b == want;
}

/* A full TCP socket this trace asks about. */
static __always_inline int wanted(const struct sock *sk)
{
	const struct sock_common *c = &sk->__sk_common;
	unsigned short family;
	__u16 lport, rport;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	family = c->skc_family;
	if (!((family == AF_INET && (families & 1)) || (family == AF_INET6 && (families & 2))))
		return 0;
	if (netns_inum && c->skc_net.net->ns.inum != netns_inum)
		return 0;
	lport = local_port(sk);
	rport = bpf_ntohs(c->skc_dport);
	return port_ok(port_either, lport, rport) && port_ok(port_local, lport, lport) &&
	       port_ok(port_remote, rport, rport);
}

static __always_inline struct sock_track *track_of(const struct sock *sk)
{
	return bpf_sk_storage_get(&socks, (void *)sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
}

/* Transitions only a system call of the socket's own process makes. */
static __always_inline int by_syscall(int oldstate, int newstate)
{
	return newstate == TCP_SYN_SENT || newstate == TCP_LISTEN ||
	       newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK ||
	       (newstate == TCP_CLOSE && oldstate == TCP_LISTEN);
}

static __always_inline __u8 close_cause(const struct sock *sk, const struct sock_track *t,
                                        int oldstate)
{
	int err = sk->sk_err;

	if (t->flags & SEEN_RST_IN)
		return SOCKSTATE_BPF_CAUSE_RST_RECEIVED;
	if (t->flags & SEEN_RST_OUT)
		return SOCKSTATE_BPF_CAUSE_RST_SENT;
	if (err == ECONNREFUSED || err == ECONNRESET)
		return SOCKSTATE_BPF_CAUSE_RST_RECEIVED;
	if (err == ETIMEDOUT)
		return oldstate == TCP_SYN_SENT ? SOCKSTATE_BPF_CAUSE_SYN_TIMEOUT
		                                : SOCKSTATE_BPF_CAUSE_TIMEOUT;
	return err ? SOCKSTATE_BPF_CAUSE_UNKNOWN : SOCKSTATE_BPF_CAUSE_NORMAL;
}

/* The substate of the timewait socket a closing socket was handed to, or
 * 0 when it really closed (see the top of this file). */
static __always_inline int timewait_state(const struct sock *sk, const struct sock_track *t,
                                          int oldstate)
{
	if ((t->flags & (SEEN_RST_IN | SEEN_RST_OUT)) || sk->sk_err)
		return 0;
	if (oldstate == TCP_CLOSING)
		return TCP_TIME_WAIT;
	if (oldstate == TCP_FIN_WAIT2)
		return (sk->sk_shutdown & RCV_SHUTDOWN) ? TCP_TIME_WAIT : TCP_FIN_WAIT2;
	return 0;
}

static __always_inline void fill_tuple(struct sockstate_bpf_transition *r,
                                       const struct sock *sk)
{
	const struct sock_common *c = &sk->__sk_common;

	r->family = c->skc_family;
	r->sport = local_port(sk);
	r->dport = bpf_ntohs(c->skc_dport);
	__builtin_memset(r->saddr, 0, sizeof r->saddr);
	__builtin_memset(r->daddr, 0, sizeof r->daddr);
	if (r->family == AF_INET) {
		__u32 s = c->skc_rcv_saddr, d = c->skc_daddr;

		__builtin_memcpy(r->saddr, &s, 4);
		__builtin_memcpy(r->daddr, &d, 4);
	} else {
		bpf_probe_read_kernel(r->saddr, sizeof r->saddr,
		                      __builtin_preserve_access_index(&c->skc_v6_rcv_saddr));
		bpf_probe_read_kernel(r->daddr, sizeof r->daddr,
		                      __builtin_preserve_access_index(&c->skc_v6_daddr));
	}
}

/* Wake the reader with the record that makes the waiting data cross
 * WAKEUP_BYTES (reserved records count already), once, not with every
 * record after it: each wakeup is an irq_work. */
static __always_inline __u64 wakeup_flag(void)
{
	__u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 record = (sizeof(struct sockstate_bpf_transition) + 8 + 7) & ~7ull;

	return waiting >= WAKEUP_BYTES && waiting < WAKEUP_BYTES + record ? BPF_RB_FORCE_WAKEUP
	                                                                  : BPF_RB_NO_WAKEUP;
}

/* A BTF tracepoint's context: its arguments, 8 bytes each. */
#define ARG(type, i) ((type)ctx[i])

SEC("tp_btf/inet_sock_set_state")
int on_set_state(unsigned long long *ctx)
{
	const struct sock *sk = ARG(const struct sock *, 0);
	int oldstate = ARG(int, 1), newstate = ARG(int, 2);
	struct sockstate_bpf_transition *r;
	struct sock_track untracked = {}, *t;
	__u64 cookie, now;
	int shown = newstate, timewait = 0;

	if (!wanted(sk))
		return 0;
	cookie = bpf_get_socket_cookie((void *)sk);
	now = bpf_ktime_get_ns();
	/* No storage (out of memory): the transition is still reported,
	 * without what the storage would have known. */
	t = track_of(sk);
	if (!t)
		t = &untracked;
	if (by_syscall(oldstate, newstate)) {
		t->pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(t->comm, sizeof t->comm);
		t->flags |= HAS_OWNER;
	}
	if (newstate == TCP_CLOSE)
		timewait = timewait_state(sk, t, oldstate);
	if (timewait)
		shown = timewait;
	if (state_mask & ((1u << oldstate) | (1u << shown))) {
		r = bpf_ringbuf_reserve(&events, sizeof *r, 0);
		if (!r) {
			__sync_fetch_and_add(&lost_records, 1);
		} else {
			r->ktime_ns = now;
			r->cookie = cookie;
			r->old_state = oldstate;
			r->new_state = shown;
			r->flags = 0;
			r->in_old_ns = 0;
			if (t->flags & HAS_SINCE) {
				r->in_old_ns = now - t->since_ns;
				r->flags |= SOCKSTATE_BPF_HAS_IN_OLD;
			}
			r->syn_retransmits = t->syn_retransmits;
			r->cause = SOCKSTATE_BPF_CAUSE_NORMAL;
			if (newstate == TCP_CLOSE && !timewait)
				r->cause = close_cause(sk, t, oldstate);
			if (timewait)
				r->flags |= SOCKSTATE_BPF_TIMEWAIT;
			r->pid = -1;
			__builtin_memset(r->comm, 0, sizeof r->comm);
			if (t->flags & HAS_OWNER) {
				r->pid = t->pid;
				__builtin_memcpy(r->comm, t->comm, sizeof r->comm);
				r->flags |= SOCKSTATE_BPF_HAS_PID;
			}
			r->bytes_acked = 0;
			r->bytes_received = 0;
			if (newstate == TCP_CLOSE) {
				const struct tcp_sock *tp = (const struct tcp_sock *)sk;

				r->bytes_acked = BPF_CORE_READ(tp, bytes_acked);
				r->bytes_received = BPF_CORE_READ(tp, bytes_received);
				r->flags |= SOCKSTATE_BPF_HAS_BYTES;
			}
			fill_tuple(r, sk);
			bpf_ringbuf_submit(r, wakeup_flag());
		}
	}
	if (t != &untracked) {
		t->since_ns = now;
		t->flags |= HAS_SINCE;
	}
	return 0;
}

/* A full socket: not a timewait or request socket, whose struct ends
 * before sk_protocol. */
static __always_inline int full_and_wanted(const struct sock *sk)
{
	unsigned char state;

	if (!sk)
		return 0;
	state = sk->__sk_common.skc_state;
	return state != TCP_TIME_WAIT && state != TCP_NEW_SYN_RECV && wanted(sk);
}

static __always_inline void mark(const struct sock *sk, __u32 flag)
{
	struct sock_track *t;

	if (!full_and_wanted(sk))
		return;
	t = track_of(sk);
	if (t)
		t->flags |= flag;
}

SEC("tp_btf/tcp_receive_reset")
int on_rst_in(unsigned long long *ctx)
{
	mark(ARG(const struct sock *, 0), SEEN_RST_IN);
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int on_rst_out(unsigned long long *ctx)
{
	mark(ARG(const struct sock *, 0), SEEN_RST_OUT);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int on_retransmit(unsigned long long *ctx)
{
	const struct sock *sk = ARG(const struct sock *, 0);
	struct sock_track *t;

	if (!sk || sk->__sk_common.skc_state != TCP_SYN_SENT || !wanted(sk))
		return 0;
	t = track_of(sk);
	if (t)
		t->syn_retransmits++;
	return 0;
}
