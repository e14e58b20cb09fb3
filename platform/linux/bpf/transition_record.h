/* transition_record.h - what trace.bpf.c writes into its ring buffer per
 * TCP state transition, and trace_bpf_decode.c reads: one fixed-size
 * record in the machine's byte order. Included by both sides: the BPF
 * side defines the __u* types itself (kernel_types.h), user space gets
 * them from <linux/types.h>. */
#ifndef SOCKSTATE_BPF_TRANSITION_RECORD_H
#define SOCKSTATE_BPF_TRANSITION_RECORD_H

#define SOCKSTATE_BPF_TRACE_COMM_LEN 16

/* Why a socket reached CLOSE, as the program saw it. */
enum sockstate_bpf_cause {
	SOCKSTATE_BPF_CAUSE_UNKNOWN = 0,
	SOCKSTATE_BPF_CAUSE_NORMAL = 1,       /* a protocol step, or a close
	                                         with no error on the socket */
	SOCKSTATE_BPF_CAUSE_RST_RECEIVED = 2, /* tcp:tcp_receive_reset, or
	                                         sk_err ECONNREFUSED/ECONNRESET */
	SOCKSTATE_BPF_CAUSE_RST_SENT = 3,     /* tcp:tcp_send_reset */
	SOCKSTATE_BPF_CAUSE_SYN_TIMEOUT = 4,  /* SYN_SENT -> CLOSE, ETIMEDOUT */
	SOCKSTATE_BPF_CAUSE_TIMEOUT = 5       /* other states, ETIMEDOUT */
};

enum sockstate_bpf_transition_flags {
	SOCKSTATE_BPF_HAS_PID = 1u << 0,      /* pid and comm: the process
	                                         whose system call made this
	                                         or an earlier transition */
	SOCKSTATE_BPF_HAS_IN_OLD = 1u << 1,   /* in_old_ns: the program saw
	                                         the socket enter old_state */
	SOCKSTATE_BPF_HAS_BYTES = 1u << 2,    /* bytes_acked, bytes_received */
	SOCKSTATE_BPF_TIMEWAIT = 1u << 3      /* the socket was handed to a
	                                         timewait socket: new_state is
	                                         its substate (TIME_WAIT, or
	                                         FIN_WAIT2 then old_state too) */
};

/* One transition of one socket. States are the kernel's TCP_* numbers,
 * family AF_INET or AF_INET6, addresses in network order (IPv4 in the
 * first four bytes), ports in host order. */
struct sockstate_bpf_transition {
	__u64 ktime_ns;           /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 in_old_ns;          /* time since the socket entered old_state */
	__u64 cookie;             /* the socket cookie, as sock_diag's */
	__u64 bytes_acked;
	__u64 bytes_received;
	__u8 saddr[16];
	__u8 daddr[16];
	__s32 pid;
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u8 old_state;
	__u8 new_state;
	__u8 cause;               /* enum sockstate_bpf_cause */
	__u8 flags;               /* SOCKSTATE_BPF_* */
	__u16 syn_retransmits;    /* SYNs sent again while in SYN_SENT */
	char comm[SOCKSTATE_BPF_TRACE_COMM_LEN];
};

#endif /* SOCKSTATE_BPF_TRANSITION_RECORD_H */
