/* pcblist_macos.c - the "macos-sysctl" backend: net.inet.tcp.pcblist_n
 * for the sockets (pid from each socket's so_last_pid), kern.proc.all for
 * process names.
 *
 * The pcblist_n records (xinpcb_n, xsocket_n, xsockbuf_n, xtcpcb_n, the
 * XSO_* kinds) are PRIVATE in xnu: Apple's SDK strips them, so this file
 * declares its own copies from the layout facts (docs/BSD.md), naming only
 * the fields we read and keeping the rest as opaque words of the same
 * size. xnu packs them to 4 bytes (#pragma pack(4)); we do the same. In
 * the compile-check against xnu's own headers (-DPRIVATE) every size and
 * offset is asserted equal to the real one. Supported: macOS 13 (xnu 8792)
 * and later, whose xsocket_n is 104 bytes; earlier releases send a
 * shorter one, which the decoder refuses (EABI). */
#include <sys/types.h>
#include <sys/sysctl.h>

#include <netinet/tcp_fsm.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef PRIVATE
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <netinet/in.h>
#include <netinet/in_pcb.h>
#include <netinet/tcp_var.h>
#endif

#include "pcblist_internal.h"

#define FIELD_SIZE(type, field) sizeof(((type *)0)->field)

/* The BSD rows of the state table are TCPS_* numbers. */
_Static_assert(TCPS_CLOSED == 0 && TCPS_LISTEN == 1 && TCPS_SYN_SENT == 2 &&
               TCPS_SYN_RECEIVED == 3 && TCPS_ESTABLISHED == 4 &&
               TCPS_CLOSE_WAIT == 5 && TCPS_FIN_WAIT_1 == 6 && TCPS_CLOSING == 7 &&
               TCPS_LAST_ACK == 8 && TCPS_FIN_WAIT_2 == 9 && TCPS_TIME_WAIT == 10 &&
               TCP_NSTATES == 11, "TCPS_* numbering differs from the BSD state table");

/* Record kinds (XSO_*) and inp_vflag bits (INP_*) as xnu defines them. */
enum {
	MAC_XSO_SOCKET = 0x001,
	MAC_XSO_RCVBUF = 0x002,
	MAC_XSO_SNDBUF = 0x004,
	MAC_XSO_INPCB = 0x010,
	MAC_XSO_TCPCB = 0x020,
	MAC_INP_IPV4 = 0x1,
	MAC_INP_IPV6 = 0x2,
	MAC_IN6P_IPV6_V6ONLY = 0x8000
};

#pragma pack(push, 4)

struct mac_xinpgen {
	uint32_t len;
	uint32_t count;
	uint64_t gen;
	uint64_t sogen;
};

/* An in6_addr, or an IPv4 address in its last 4 bytes; 4-byte aligned
 * like xnu's unions of in_addr_4in6 and in6_addr. */
union mac_addr {
	uint8_t bytes[16];
	uint32_t words[4];
};

struct mac_xinpcb_n {
	uint32_t len;
	uint32_t kind;
	uint64_t inpp;
	uint16_t fport;
	uint16_t lport;
	uint32_t ppcb_gencnt[4];
	int32_t flags;
	uint32_t flow;
	uint8_t vflag;
	uint8_t ttl_proto_pad[3];
	union mac_addr faddr;
	union mac_addr laddr;
	uint32_t depend4_depend6_flowhash_flags2[6];
};

struct mac_xsocket_n {
	uint32_t len;
	uint32_t kind;
	uint64_t so;
	uint32_t type_options_linger_state_pcb_proto_family[7];
	int16_t qlen;
	int16_t incqlen;
	int16_t qlimit;
	int16_t timeo_error_pad[3];
	int32_t pgid_oobmark[2];
	uint32_t uid;
	int32_t last_pid;
	int32_t e_pid;
	uint32_t gencnt_flags_counts_filter[7];
};

struct mac_xsockbuf_n {
	uint32_t len;
	uint32_t kind;
	uint32_t cc;
	uint32_t hiwat_mbcnt_mbmax_lowat_flags_timeo[5];
};

struct mac_xtcpcb_n {
	uint32_t len;
	uint32_t kind;
	uint32_t segq_dupacks_timers[7];
	int32_t state;
	uint32_t flags_to_ssthresh_prev[41];
};

#pragma pack(pop)

/* The layout facts, as the decoder and the unit tests rely on them. */
_Static_assert(sizeof(struct mac_xinpgen) == 24, "xinpgen: 24 bytes");
_Static_assert(sizeof(struct mac_xinpcb_n) == 104, "xinpcb_n: 104 bytes");
_Static_assert(offsetof(struct mac_xinpcb_n, flags) == 36 &&
               offsetof(struct mac_xinpcb_n, vflag) == 44 &&
               offsetof(struct mac_xinpcb_n, faddr) == 48 &&
               offsetof(struct mac_xinpcb_n, laddr) == 64, "xinpcb_n offsets");
_Static_assert(sizeof(struct mac_xsocket_n) == 104, "xsocket_n: 104 bytes");
_Static_assert(offsetof(struct mac_xsocket_n, qlen) == 44 &&
               offsetof(struct mac_xsocket_n, qlimit) == 48 &&
               offsetof(struct mac_xsocket_n, uid) == 64 &&
               offsetof(struct mac_xsocket_n, last_pid) == 68, "xsocket_n offsets");
_Static_assert(sizeof(struct mac_xsockbuf_n) == 32, "xsockbuf_n: 32 bytes");
_Static_assert(sizeof(struct mac_xtcpcb_n) == 204 &&
               offsetof(struct mac_xtcpcb_n, state) == 36, "xtcpcb_n layout");

#ifdef PRIVATE
/* Only where xnu's PRIVATE headers are at hand (the compile-check):
 * our copies against the real structs. */
#define SAME_SIZE(ours, theirs) \
	_Static_assert(sizeof(struct ours) == sizeof(struct theirs), #ours " size")
#define SAME_FIELD(ours, of, theirs, tf) \
	_Static_assert(offsetof(struct ours, of) == offsetof(struct theirs, tf) && \
	               FIELD_SIZE(struct ours, of) == FIELD_SIZE(struct theirs, tf), \
	               #ours "." #of " vs " #theirs "." #tf)

SAME_SIZE(mac_xinpgen, xinpgen);
SAME_FIELD(mac_xinpgen, len, xinpgen, xig_len);
SAME_FIELD(mac_xinpgen, gen, xinpgen, xig_gen);
SAME_SIZE(mac_xinpcb_n, xinpcb_n);
SAME_FIELD(mac_xinpcb_n, len, xinpcb_n, xi_len);
SAME_FIELD(mac_xinpcb_n, kind, xinpcb_n, xi_kind);
SAME_FIELD(mac_xinpcb_n, fport, xinpcb_n, inp_fport);
SAME_FIELD(mac_xinpcb_n, lport, xinpcb_n, inp_lport);
SAME_FIELD(mac_xinpcb_n, flags, xinpcb_n, inp_flags);
SAME_FIELD(mac_xinpcb_n, vflag, xinpcb_n, inp_vflag);
SAME_FIELD(mac_xinpcb_n, faddr, xinpcb_n, inp_dependfaddr);
SAME_FIELD(mac_xinpcb_n, laddr, xinpcb_n, inp_dependladdr);
SAME_SIZE(mac_xsocket_n, xsocket_n);
SAME_FIELD(mac_xsocket_n, len, xsocket_n, xso_len);
SAME_FIELD(mac_xsocket_n, kind, xsocket_n, xso_kind);
SAME_FIELD(mac_xsocket_n, so, xsocket_n, xso_so);
SAME_FIELD(mac_xsocket_n, qlen, xsocket_n, so_qlen);
SAME_FIELD(mac_xsocket_n, qlimit, xsocket_n, so_qlimit);
SAME_FIELD(mac_xsocket_n, uid, xsocket_n, so_uid);
SAME_FIELD(mac_xsocket_n, last_pid, xsocket_n, so_last_pid);
SAME_SIZE(mac_xsockbuf_n, xsockbuf_n);
SAME_FIELD(mac_xsockbuf_n, len, xsockbuf_n, xsb_len);
SAME_FIELD(mac_xsockbuf_n, kind, xsockbuf_n, xsb_kind);
SAME_FIELD(mac_xsockbuf_n, cc, xsockbuf_n, sb_cc);
SAME_SIZE(mac_xtcpcb_n, xtcpcb_n);
SAME_FIELD(mac_xtcpcb_n, len, xtcpcb_n, xt_len);
SAME_FIELD(mac_xtcpcb_n, kind, xtcpcb_n, xt_kind);
SAME_FIELD(mac_xtcpcb_n, state, xtcpcb_n, t_state);
_Static_assert(MAC_XSO_SOCKET == XSO_SOCKET && MAC_XSO_RCVBUF == XSO_RCVBUF &&
               MAC_XSO_SNDBUF == XSO_SNDBUF && MAC_XSO_INPCB == XSO_INPCB &&
               MAC_XSO_TCPCB == XSO_TCPCB, "XSO_* kinds");
_Static_assert(MAC_INP_IPV4 == INP_IPV4 && MAC_INP_IPV6 == INP_IPV6 &&
               MAC_IN6P_IPV6_V6ONLY == IN6P_IPV6_V6ONLY, "INP_* flags");
#endif /* PRIVATE */

_Static_assert(FIELD_SIZE(struct kinfo_proc, kp_proc.p_pid) == 4, "pid_t is 32-bit");

const sockstate__macos_layout sockstate__macos_pcblist_layout = {
	.sysctl = "net.inet.tcp.pcblist_n",
	.gen = {
		.size = sizeof(struct mac_xinpgen),
		.len_size = FIELD_SIZE(struct mac_xinpgen, len),
		.gen_off = offsetof(struct mac_xinpgen, gen),
	},
	.kind_inpcb = MAC_XSO_INPCB,
	.kind_socket = MAC_XSO_SOCKET,
	.kind_rcvbuf = MAC_XSO_RCVBUF,
	.kind_sndbuf = MAC_XSO_SNDBUF,
	.kind_tcpcb = MAC_XSO_TCPCB,
	.xinpcb_size = sizeof(struct mac_xinpcb_n),
	.inp = {
		.vflag_off = offsetof(struct mac_xinpcb_n, vflag),
		.lport_off = offsetof(struct mac_xinpcb_n, lport),
		.fport_off = offsetof(struct mac_xinpcb_n, fport),
		.laddr_off = offsetof(struct mac_xinpcb_n, laddr),
		.faddr_off = offsetof(struct mac_xinpcb_n, faddr),
		.flags_off = offsetof(struct mac_xinpcb_n, flags),
		.v6only_flag = MAC_IN6P_IPV6_V6ONLY,
		.ipv4_flag = MAC_INP_IPV4,
		.ipv6_flag = MAC_INP_IPV6,
	},
	.xsocket_size = sizeof(struct mac_xsocket_n),
	.so_off = offsetof(struct mac_xsocket_n, so),
	.qlen_off = offsetof(struct mac_xsocket_n, qlen),
	.qlimit_off = offsetof(struct mac_xsocket_n, qlimit),
	.uid_off = offsetof(struct mac_xsocket_n, uid),
	.last_pid_off = offsetof(struct mac_xsocket_n, last_pid),
	.xsockbuf_size = sizeof(struct mac_xsockbuf_n),
	.sb_cc_off = offsetof(struct mac_xsockbuf_n, cc),
	.xtcpcb_size = sizeof(struct mac_xtcpcb_n),
	.state_off = offsetof(struct mac_xtcpcb_n, state),
};

/* struct kinfo_proc is public: the real header gives its layout. */
const sockstate__kproc_layout sockstate__bsd_proc_layout = {
	.sysctl = "kern.proc.all",
	.size = sizeof(struct kinfo_proc),
	.size_field_size = 0,
	.pid_off = offsetof(struct kinfo_proc, kp_proc.p_pid),
	.comm_off = offsetof(struct kinfo_proc, kp_proc.p_comm),
	.comm_len = FIELD_SIZE(struct kinfo_proc, kp_proc.p_comm),
};

const char sockstate__bsd_pid_source[] = "macos-so-last-pid";

static const sockstate__sysctl_src os_sysctl = {sockstate__bsd_sysctl, NULL};

struct mac_state {
	sockstate__sysctl_buf pcbs;   /* kept across queries */
	sockstate__sysctl_buf procs;
};

static int mac_open(sockstate_handle *h, void **out)
{
	return sockstate__bsd_open(h, sockstate__macos_pcblist_layout.sysctl, sizeof(struct mac_state), out);
}

static void mac_close(void *state)
{
	struct mac_state *st = state;

	if (!st)
		return;
	sockstate__sysctl_buf_free(&st->pcbs);
	sockstate__sysctl_buf_free(&st->procs);
	free(st);
}

static int mac_enumerate(void *state, sockstate_handle *h, sockstate__plan *plan,
                         sockstate__emit_fn emit, void *emit_ctx)
{
	const sockstate__macos_layout *L = &sockstate__macos_pcblist_layout;
	struct mac_state *st = state;
	sockstate__pcb_sink sink = {
		.states = SOCKSTATE_STATES_ALL,
		.families = 1u << SOCKSTATE_FAMILY_IPV4 | 1u << SOCKSTATE_FAMILY_IPV6,
		.with_pids = (plan->q->flags & SOCKSTATE_Q_PIDS) != 0,
		.emit = emit,
		.emit_ctx = emit_ctx,
	};
	int rc;

	sockstate__bsd_sink_plan(&sink, plan);
	rc = sockstate__pcblist_read(h, &os_sysctl, L->sysctl, &L->gen, &st->pcbs);
	if (rc == 0)
		rc = sockstate__sysctl_capture(h, L->sysctl, &st->pcbs);
	if (rc < 0)
		return rc;
	rc = sockstate__macos_pcblist_decode(st->pcbs.data, st->pcbs.len, L, &sink);
	if (rc < 0 && sink.detail[0])
		return sockstate__fail(h, rc, "%s", sink.detail);
	return rc;
}

/* The records carry their pid; the map only names processes. A process
 * table the caller may not read leaves names unknown: the failed call
 * becomes the pid source reason and the error detail is cleared. */
static int mac_owners(void *state, sockstate_handle *h, sockstate__owners *map,
                      const char **source)
{
	const sockstate__kproc_layout *L = &sockstate__bsd_proc_layout;
	struct mac_state *st = state;
	char detail[SOCKSTATE__PCB_DETAIL_LEN];
	int rc;

	*source = sockstate__bsd_pid_source;
	sockstate__set_pid_source_reason(h, "macOS names no owner of a socket, only the "
	                                 "process that used it last (so_last_pid)");
	rc = sockstate__sysctl_read(h, &os_sysctl, L->sysctl, &st->procs);
	if (rc == 0) {
		rc = sockstate__kproc_names(st->procs.data, st->procs.len, L, map, detail,
		                            sizeof detail);
		if (rc < 0)
			return sockstate__fail(h, rc, "%s", rc == SOCKSTATE_ENOMEM
			                       ? "out of memory for process names" : detail);
	} else if (rc == SOCKSTATE_EPERM) {
		sockstate__set_pid_source_reason(h, "%s: process names unknown",
		                                 sockstate__fail_last(h));
		sockstate__fail(h, 0, "%s", "");
	} else {
		return rc;
	}
	rc = sockstate__owners_finish(map);
	if (rc < 0)
		return sockstate__fail(h, rc, "out of memory for the owner map");
	return 0;
}

const sockstate__backend sockstate__bsd_pcblist_backend = {
	.name = "macos-sysctl",
	.can_filter = SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY,
	.fills = SOCKSTATE_HAS_UID | SOCKSTATE_HAS_QUEUES | SOCKSTATE_HAS_PID,
	.open = mac_open,
	.enumerate = mac_enumerate,
	.close = mac_close,
	.owners = mac_owners,
	.tcp_counters = sockstate__bsd_tcp_counters,
};
