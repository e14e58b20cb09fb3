/* owner_record.h - what pidmap.bpf.c writes per socket, and
 * pidmap_bpf.c reads: one fixed-size record, in the machine's byte order.
 * Included by both sides: the BPF side defines the __u* types itself
 * (kernel_types.h), user space gets them from <linux/types.h>. */
#ifndef SOCKSTATE_BPF_OWNER_RECORD_H
#define SOCKSTATE_BPF_OWNER_RECORD_H

#define SOCKSTATE_BPF_COMM_LEN 16

/* One open TCP socket file of one process. pid is the process (thread
 * group) id as the reader's pid namespace numbers it; comm is that
 * process's name, as /proc/<pid>/comm shows it, NUL-padded. */
struct sockstate_bpf_owner {
	__u64 inode;   /* the socket's inode: st_ino, sock_diag's idiag_inode */
	__s32 pid;
	__s32 fd;
	union {
		char comm[SOCKSTATE_BPF_COMM_LEN];
		__u64 comm_words[SOCKSTATE_BPF_COMM_LEN / 8];
	};
};

#endif /* SOCKSTATE_BPF_OWNER_RECORD_H */
