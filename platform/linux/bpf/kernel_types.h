/* kernel_types.h - the few kernel types pidmap.bpf.c and trace.bpf.c
 * read, by name only.
 *
 * Written by hand instead of a generated vmlinux.h: the build needs no BTF
 * from the build machine and the object stays small. Every struct is
 * marked preserve_access_index, so each field access becomes a CO-RE
 * relocation that the running kernel resolves against its own BTF: the
 * offsets and the member order below do not have to match any kernel, only
 * the names and the types of the fields used do. */
#ifndef SOCKSTATE_BPF_KERNEL_TYPES_H
#define SOCKSTATE_BPF_KERNEL_TYPES_H

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

enum {
	AF_INET = 2,
	AF_INET6 = 10,
	SOCK_STREAM = 1,
	IPPROTO_TCP = 6,
	TASK_COMM_LEN = 16,
};

/* The few BPF UAPI numbers trace.bpf.c names (include/uapi/linux/bpf.h). */
enum {
	BPF_MAP_TYPE_SK_STORAGE = 24,
	BPF_MAP_TYPE_RINGBUF = 27,
	BPF_F_NO_PREALLOC = 1,
	BPF_SK_STORAGE_GET_F_CREATE = 1,
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
	BPF_RB_AVAIL_DATA = 0,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct seq_file;
struct pid_namespace;
struct files_struct;

struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	unsigned int level;
	struct upid numbers[1];
};

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *group_leader;
	struct pid *thread_pid;
	struct files_struct *files;
	char comm[TASK_COMM_LEN];
};

struct inode {
	unsigned long i_ino;
};

struct file {
	struct inode *f_inode;
};

struct ns_common {
	unsigned int inum;
};

struct net {
	struct ns_common ns;
};

typedef struct {
	struct net *net;
} possible_net_t;

struct in6_addr {
	__u8 s6_addr[16];
};

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	possible_net_t skc_net;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
};

struct sock {
	struct sock_common __sk_common;
	__u16 sk_type;
	__u16 sk_protocol;
	int sk_err;
	__u8 sk_shutdown;
};

struct inet_sock {
	__be16 inet_sport;
};

struct tcp_sock {
	__u64 bytes_received;
	__u64 bytes_acked;
};

struct proto_ops {
	int family;
};

struct socket {
	short type;
	struct sock *sk;
	const struct proto_ops *ops;
};

#pragma clang attribute pop

/* The iterator's context is not relocated: its layout is the program
 * type's ABI (one 8-byte slot per argument of the kernel's
 * bpf_iter_task_file(meta, task, fd, file)), and each relocated type
 * costs the kernel a search of its BTF at every load. */
struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};

struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
};

#endif /* SOCKSTATE_BPF_KERNEL_TYPES_H */
