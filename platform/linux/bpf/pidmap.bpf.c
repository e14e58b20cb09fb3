/* pidmap.bpf.c - which process owns which TCP socket, walked in the kernel.
 *
 * An iter/task_file program: reading its iterator runs it once per open
 * file of every task the reader's pid namespace can see. It writes one
 * struct sockstate_bpf_owner per TCP socket file and nothing for any other
 * file, so user space gets only the pairs it needs.
 *
 * Costs, measured at 35k socket fds: the walk itself (an empty program)
 * is about 6 ms; what this program adds is mostly cache misses, one per
 * kernel object it touches per socket. So a socket is known for TCP by
 * its proto_ops pointer (in the struct socket, which is read anyway)
 * once the first TCP socket of each family has shown which pointer that
 * is, not by its struct sock, and the process name is copied with two
 * plain loads, not a helper call.
 *
 * Pids are the process ids as the reader's pid namespace numbers them:
 * the task's own tgid field is the host's number, wrong inside a
 * container. In the initial pid namespace (user space says so before
 * loading) that tgid is the answer; deeper, the number is read from the
 * process's struct pid at the level of the reader's namespace.
 *
 * Threads: a thread that shares its leader's descriptor table (every
 * pthread, CLONE_FILES) would list the leader's files again, so it is
 * skipped (kernels since 5.10 skip those themselves; this keeps older ones
 * right). A thread with a table of its own (unshare(CLONE_FILES)) is
 * walked, and its sockets are listed under its process.
 *
 * The license string is what the kernel checks: bpf_seq_write and the
 * probe reads are GPL-only helpers. This file is offered under the
 * project's MIT license or the GPL-2.0. */
#include "kernel_types.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "owner_record.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before loading: 1 when the reader lives in the initial
 * pid namespace. Read-only once loaded, so the verifier drops the branch
 * this reader never takes. */
const volatile int reader_in_initial_pid_ns = 0;

/* The proto_ops of TCP over IPv4 and over IPv6 (inet_stream_ops,
 * inet6_stream_ops), learned from the first socket of each that passes
 * the full test: a socket's ops are one load from its struct socket, and
 * the ops themselves stay in cache. Every reader learns the same two
 * addresses, so readers that share the program cannot disagree. */
const struct proto_ops *tcp_ops[2];

static __always_inline int is_tcp(struct file *file)
{
	struct socket *sock = bpf_sock_from_file(file);
	const struct proto_ops *ops;
	struct sock *sk;
	int family;

	if (!sock)
		return 0;
	ops = sock->ops;
	if (!ops)
		return 0;
	if (ops == tcp_ops[0] || ops == tcp_ops[1])
		return 1;
	/* The full test: a stream socket of the inet families (UNIX stream
	 * sockets stop here, before touching their sock) whose protocol is
	 * TCP (not MPTCP, SCTP or SMC, which share the type and families). */
	if (sock->type != SOCK_STREAM)
		return 0;
	family = ops->family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	sk = sock->sk;
	if (!sk || sk->sk_protocol != IPPROTO_TCP)
		return 0;
	tcp_ops[family == AF_INET6] = ops;
	return 1;
}

/* The thread group id of task as the reader's pid namespace numbers it,
 * or 0. */
static __always_inline int reader_tgid(struct task_struct *task,
                                       struct task_struct *leader)
{
	struct task_struct *reader;
	const struct upid *numbers;
	unsigned int level;
	struct upid up;
	int tgid = task->tgid;

	if (reader_in_initial_pid_ns)
		return tgid;
	/* The reader's namespace is as deep as the reader's own pid (the
	 * reader is the task reading the iterator: current). Not the
	 * BTF-typed bpf_get_current_task_btf(): verifying it costs about
	 * 2 ms at each load. */
	reader = (struct task_struct *)bpf_get_current_task();
	level = BPF_CORE_READ(reader, thread_pid, level);
	numbers = __builtin_preserve_access_index(&leader->thread_pid->numbers[0]);
	if (bpf_probe_read_kernel(&up, sizeof up, numbers + level))
		return 0;
	return up.nr;
}

SEC("iter/task_file")
int sockstate_owners(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct task_struct *leader;
	struct sockstate_bpf_owner rec;
	const __u64 *comm;

	if (!task || !file || !is_tcp(file))
		return 0;
	leader = task->group_leader;
	if (task->pid != task->tgid && task->files == leader->files)
		return 0;
	rec.pid = reader_tgid(task, leader);
	if (rec.pid <= 0)
		return 0;
	rec.inode = file->f_inode->i_ino;
	rec.fd = (__s32)ctx->fd;
	comm = (const __u64 *)leader->comm;
	rec.comm_words[0] = comm[0];
	rec.comm_words[1] = comm[1];
	bpf_seq_write(ctx->meta->seq, &rec, sizeof rec);
	return 0;
}
