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

#include <string.h>

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

/* struct tcpstat (sysctl net.inet.tcp.stats): the fields the TCP counters
 * read, by name, at their byte offsets, printed by clang from the headers
 * (docs/BSD.md says how).
 *   FreeBSD 14.2 (sys/netinet/tcp_var.h): 984 bytes, every field a
 *   uint64_t; the same on amd64, aarch64 and i386. Fields are appended
 *   from release to release (the size grows; these offsets stay).
 *   macOS: every field a u_int32_t (a few u_int64_t near the end); 976
 *   bytes in macOS 13 and 14 (xnu 8792 to 10063), 992 from macOS 15 (xnu
 *   11215 to 11417), which inserted tcps_rack_recovery_episode,
 *   tcps_rack_reordering_timeout_recovery_episode and tcps_rack_rexmits
 *   before tcps_bg_rcvtotal: every field after them moved by 12 bytes. */
typedef struct fact_tcpstat_field {
	const char *name;
	uint32_t off;
} fact_tcpstat_field;

typedef struct fact_tcpstat {
	const char *name;           /* as the layout names itself */
	sockstate__counter_os os;
	uint32_t size;
	uint32_t width;
	const fact_tcpstat_field *fields;
	size_t count;
} fact_tcpstat;

static const fact_tcpstat_field fact_freebsd_tcpstat_fields[] = {
	{"tcps_connattempt", 0},    {"tcps_accepts", 8},        {"tcps_drops", 24},
	{"tcps_conndrops", 32},     {"tcps_timeoutdrop", 80},   {"tcps_rexmttimeo", 88},
	{"tcps_keepdrops", 120},    {"tcps_sndtotal", 136},     {"tcps_sndrexmitpack", 160},
	{"tcps_rcvtotal", 224},     {"tcps_rcvbadsum", 248},    {"tcps_rcvbadoff", 256},
	{"tcps_rcvshort", 272},     {"tcps_persistdrop", 480},  {"tcps_listendrop", 504},
	{"tcps_sc_sendcookie", 624}, {"tcps_sc_recvcookie", 632},
};

/* The fields before macOS 15's insertion, then the two it moved. */
#define FACT_MACOS_TCPSTAT_COMMON                                                \
	{"tcps_connattempt", 0},  {"tcps_accepts", 4},       {"tcps_drops", 12},   \
	{"tcps_conndrops", 16},   {"tcps_timeoutdrop", 36},  {"tcps_rexmttimeo", 40}, \
	{"tcps_keepdrops", 56},   {"tcps_sndtotal", 60},     {"tcps_sndrexmitpack", 72}, \
	{"tcps_rcvtotal", 100},   {"tcps_rcvbadsum", 112},   {"tcps_rcvbadoff", 116}, \
	{"tcps_rcvshort", 124},   {"tcps_persistdrop", 228}, {"tcps_listendrop", 240}
static const fact_tcpstat_field fact_macos13_tcpstat_fields[] = {
	FACT_MACOS_TCPSTAT_COMMON, {"tcps_rxtfindrop", 360}, {"tcps_drop_after_sleep", 608},
};
static const fact_tcpstat_field fact_macos15_tcpstat_fields[] = {
	FACT_MACOS_TCPSTAT_COMMON, {"tcps_rxtfindrop", 372}, {"tcps_drop_after_sleep", 620},
};

#define FACT_FIELDS(a) a, sizeof a / sizeof a[0]
static const fact_tcpstat fact_freebsd_tcpstat = {
	"FreeBSD", SOCKSTATE__COUNTERS_FREEBSD, 984, 8, FACT_FIELDS(fact_freebsd_tcpstat_fields)};
static const fact_tcpstat fact_macos13_tcpstat = {
	"macOS 13-14", SOCKSTATE__COUNTERS_MACOS, 976, 4, FACT_FIELDS(fact_macos13_tcpstat_fields)};
static const fact_tcpstat fact_macos15_tcpstat = {
	"macOS 15", SOCKSTATE__COUNTERS_MACOS, 992, 4, FACT_FIELDS(fact_macos15_tcpstat_fields)};

/* The offset of the field named name[0..len), or -1 when the facts do not
 * name it. */
static inline long fact_tcpstat_offset(const fact_tcpstat *f, const char *name, size_t len)
{
	for (size_t i = 0; i < f->count; i++)
		if (strlen(f->fields[i].name) == len && !strncmp(f->fields[i].name, name, len))
			return (long)f->fields[i].off;
	return -1;
}

/* The layout the decoder needs, built from the facts and the counter
 * table's native names for the OS (each "a + b - c" split into its
 * fields, c marked as taken away):
 * what the backends' layouts must equal. Returns 0, or -1 when the table
 * names a field the facts do not place (or more fields than a layout
 * holds). */
static inline int fact_tcpstat_layout(const fact_tcpstat *f, sockstate__tcpstat_layout *out)
{
	memset(out, 0, sizeof *out);
	out->name = f->name;
	out->os = f->os;
	out->size = f->size;
	out->width = f->width;
	for (int c = 0; c < SOCKSTATE_COUNTER_COUNT; c++) {
		const char *p = sockstate__counter_native((sockstate_counter)c, f->os);
		int minus = 0;

		while (p && *p) {
			size_t len = strcspn(p, " ");
			long off = fact_tcpstat_offset(f, p, len);

			if (off < 0 || out->field[c].parts == SOCKSTATE__TCPSTAT_PARTS)
				return -1;
			if (minus)
				out->field[c].minus |= 1u << out->field[c].parts;
			out->field[c].off[out->field[c].parts++] = (uint32_t)off;
			p += len;
			minus = !strncmp(p, " - ", 3);
			if (!strncmp(p, " + ", 3) || minus)
				p += 3;
		}
	}
	return 0;
}

/* Do a backend's layout and one built from facts read the same fields
 * (offsets, in the table's order), with the same width? The sizes are
 * the build's own and are not compared: FreeBSD's grows by release. */
static inline int fact_tcpstat_same_fields(const sockstate__tcpstat_layout *a,
                                           const sockstate__tcpstat_layout *b)
{
	if (a->os != b->os || a->width != b->width)
		return 0;
	for (int c = 0; c < SOCKSTATE_COUNTER_COUNT; c++) {
		if (a->field[c].parts != b->field[c].parts || a->field[c].minus != b->field[c].minus)
			return 0;
		for (uint32_t i = 0; i < a->field[c].parts; i++)
			if (a->field[c].off[i] != b->field[c].off[i])
				return 0;
	}
	return 1;
}

#endif /* SOCKSTATE_TEST_PCBLIST_FACTS_H */
