/* pcblist_facts.h - the record layouts of FreeBSD and macOS as facts
 * (sizes and byte offsets), for the tests that build and walk records
 * without the OS's headers.
 *
 * Checked against the real headers (docs/BSD.md says how):
 *   FreeBSD 14.2 (sys/netinet/in_pcb.h, tcp_var.h, sys/socketvar.h,
 *   sys/file.h, sys/user.h) for x86_64 and aarch64; xtcpcb, xinpgen,
 *   xsocket and xfile are the same since FreeBSD 12 (fields only renamed
 *   or carved from spares). i386 differs (inp_vflag at 396, a 768-byte
 *   kinfo_proc): the backend takes offsets from the headers it is built
 *   with, these facts are for LP64.
 *   macOS: xnu 8792 (macOS 13) to 11417 (PRIVATE sections of
 *   bsd/netinet/in_pcb.h, tcp_var.h, bsd/sys/socketvar.h; pack(4), the
 *   same on x86_64 and arm64), struct kinfo_proc of sys/sysctl.h (x86_64).
 */
#ifndef SOCKSTATE_TEST_PCBLIST_FACTS_H
#define SOCKSTATE_TEST_PCBLIST_FACTS_H

#include "pcblist_internal.h"

/* FreeBSD struct xtcpcb (744 bytes): xt_len u64 at 0; xt_inp (struct
 * xinpcb) at 8, whose xi_socket (struct xsocket) is at 8 + 8 = 16 and
 * whose inp_inc (struct in_conninfo) is at 8 + 248 = 256: inc_ie at
 * +4, ie_fport +4, ie_lport +6, ie_dependfaddr +8, ie_dependladdr +24;
 * inp_flags i32 at 8 + 356 = 364 (IN6P_IPV6_V6ONLY 0x8000); t_state i32
 * at 568. */
static const sockstate__freebsd_layout fact_freebsd = {
	.sysctl = "net.inet.tcp.pcblist",
	.gen = {.size = 64, .len_size = 8, .gen_off = 16},
	.xtcpcb_size = 744,
	.inp = {
		.vflag_off = 400,
		.lport_off = 262,
		.fport_off = 260,
		.laddr_off = 280,
		.faddr_off = 264,
		.flags_off = 364,
		.v6only_flag = 0x8000,
		.ipv4_flag = 0x1,
		.ipv6_flag = 0x2,
	},
	.state_off = 568,
	.so_off = 24,
	.uid_off = 136,
	.qlen_off = 120,
	.qlimit_off = 128,
	.rcv_cc_off = 184,
	.snd_cc_off = 220,
};

/* FreeBSD struct xfile (128 bytes): xf_size u64 at 0, xf_pid at 8,
 * xf_type short at 32, xf_data u64 at 56; DTYPE_SOCKET 2. */
static const sockstate__xfile_layout fact_xfile = {
	.sysctl = "kern.file",
	.size = 128,
	.pid_off = 8,
	.type_off = 32,
	.data_off = 56,
	.dtype_socket = 2,
};

/* FreeBSD amd64 struct kinfo_proc (KINFO_PROC_SIZE 1088): ki_structsize
 * int at 0, ki_pid at 72, ki_comm[COMMLEN + 1 = 20] at 447. */
static const sockstate__kproc_layout fact_freebsd_proc = {
	.sysctl = "kern.proc.proc",
	.size = 1088,
	.size_field_size = 4,
	.pid_off = 72,
	.comm_off = 447,
	.comm_len = 20,
};

/* macOS (pack(4)): xinpgen 24 (xig_len u32 at 0, xig_gen u64 at 8);
 * xinpcb_n 104 (inp_fport 16, inp_lport 18, inp_vflag 44, foreign
 * address 48, local 64, inp_flags int at 36 with IN6P_IPV6_V6ONLY
 * 0x8000); xsocket_n 104 (xso_so 8, so_qlen short 44,
 * so_qlimit short 48, so_uid 64, so_last_pid 68); xsockbuf_n 32 (sb_cc
 * 8); xsockstat_n 136; xtcpcb_n 204 (t_state 36). Kinds: XSO_SOCKET 0x1,
 * XSO_RCVBUF 0x2, XSO_SNDBUF 0x4, XSO_STATS 0x8, XSO_INPCB 0x10,
 * XSO_TCPCB 0x20. macOS 12 and earlier: xsocket_n of 76 bytes. */
static const sockstate__macos_layout fact_macos = {
	.sysctl = "net.inet.tcp.pcblist_n",
	.gen = {.size = 24, .len_size = 4, .gen_off = 8},
	.kind_inpcb = 0x10,
	.kind_socket = 0x1,
	.kind_rcvbuf = 0x2,
	.kind_sndbuf = 0x4,
	.kind_tcpcb = 0x20,
	.xinpcb_size = 104,
	.inp = {
		.vflag_off = 44,
		.lport_off = 18,
		.fport_off = 16,
		.laddr_off = 64,
		.faddr_off = 48,
		.flags_off = 36,
		.v6only_flag = 0x8000,
		.ipv4_flag = 0x1,
		.ipv6_flag = 0x2,
	},
	.xsocket_size = 104,
	.so_off = 8,
	.qlen_off = 44,
	.qlimit_off = 48,
	.uid_off = 64,
	.last_pid_off = 68,
	.xsockbuf_size = 32,
	.sb_cc_off = 8,
	.xtcpcb_size = 204,
	.state_off = 36,
};

#define FACT_MACOS_XSO_STATS 0x8u
#define FACT_MACOS_XSOCKSTAT_SIZE 136u

/* macOS x86_64 struct kinfo_proc (648 bytes, no size field):
 * kp_proc.p_pid at 40, kp_proc.p_comm[MAXCOMLEN + 1 = 17] at 243. */
static const sockstate__kproc_layout fact_macos_proc = {
	.sysctl = "kern.proc.all",
	.size = 648,
	.size_field_size = 0,
	.pid_off = 40,
	.comm_off = 243,
	.comm_len = 17,
};

#endif /* SOCKSTATE_TEST_PCBLIST_FACTS_H */
