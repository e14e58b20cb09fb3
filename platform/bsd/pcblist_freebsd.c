/* pcblist_freebsd.c - the "freebsd-sysctl" backend: net.inet.tcp.pcblist
 * for the sockets, kern.file joined on the socket's kernel address for
 * their owners (as sockstat(1) does), kern.proc.proc for process names.
 *
 * The only FreeBSD file that sees the OS's structs: it turns them into
 * the layout descriptions the pure decoders read (offsetof on the real
 * headers), so a build on another FreeBSD release follows its headers,
 * and a kernel whose records differ from them is refused (EABI) by the
 * length checks. Supported: FreeBSD 12 and later (the xtcpcb/xinpcb/
 * xsocket/xfile layouts of fixed-width fields that 12 introduced; 11's
 * embedded struct inpcb does not compile here). */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <sys/sysctl.h>
#include <sys/user.h>

#include <netinet/in.h>
#include <netinet/in_pcb.h> /* with sys/socketvar.h, before tcp_var.h: */
#include <netinet/tcp_fsm.h> /* tcp_var.h declares xtcpcb only then */
#include <netinet/tcp_var.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pcblist_internal.h"

#define FIELD_SIZE(type, field) sizeof(((type *)0)->field)

/* The BSD rows of the state table are TCPS_* numbers. */
_Static_assert(TCPS_CLOSED == 0 && TCPS_LISTEN == 1 && TCPS_SYN_SENT == 2 &&
               TCPS_SYN_RECEIVED == 3 && TCPS_ESTABLISHED == 4 &&
               TCPS_CLOSE_WAIT == 5 && TCPS_FIN_WAIT_1 == 6 && TCPS_CLOSING == 7 &&
               TCPS_LAST_ACK == 8 && TCPS_FIN_WAIT_2 == 9 && TCPS_TIME_WAIT == 10 &&
               TCP_NSTATES == 11, "TCPS_* numbering differs from the BSD state table");

/* The widths the decoders read the fields with. */
_Static_assert(FIELD_SIZE(struct xinpgen, xig_len) == 8, "xig_len is a ksize_t");
_Static_assert(FIELD_SIZE(struct xinpgen, xig_gen) == 8, "xig_gen is 64-bit");
_Static_assert(FIELD_SIZE(struct xtcpcb, xt_len) == 8, "xt_len is a ksize_t");
_Static_assert(FIELD_SIZE(struct xtcpcb, t_state) == 4, "t_state is 32-bit");
_Static_assert(FIELD_SIZE(struct xinpcb, inp_vflag) == 1, "inp_vflag is a byte");
_Static_assert(FIELD_SIZE(struct xinpcb, inp_flags) == 4, "inp_flags is 32-bit");
_Static_assert(FIELD_SIZE(struct in_endpoints, ie_lport) == 2, "ports are 16-bit");
_Static_assert(FIELD_SIZE(struct in_endpoints, ie_dependladdr) == 16,
               "addresses are 16-byte unions");
_Static_assert(FIELD_SIZE(struct xsocket, xso_so) == 8, "xso_so is a kvaddr_t");
_Static_assert(FIELD_SIZE(struct xsocket, so_uid) == 4 &&
               FIELD_SIZE(struct xsocket, so_qlen) == 4 &&
               FIELD_SIZE(struct xsocket, so_qlimit) == 4 &&
               FIELD_SIZE(struct xsockbuf, sb_cc) == 4, "32-bit socket counters");
_Static_assert(FIELD_SIZE(struct xfile, xf_size) == 8 &&
               FIELD_SIZE(struct xfile, xf_data) == 8 &&
               FIELD_SIZE(struct xfile, xf_type) == 2 &&
               FIELD_SIZE(struct xfile, xf_pid) == 4, "xfile field widths");
_Static_assert(FIELD_SIZE(struct kinfo_proc, ki_structsize) == 4 &&
               FIELD_SIZE(struct kinfo_proc, ki_pid) == 4, "kinfo_proc field widths");

#define XT_INP(field) offsetof(struct xtcpcb, xt_inp.field)
#define XT_SO(field) offsetof(struct xtcpcb, xt_inp.xi_socket.field)

const sockstate__freebsd_layout sockstate__freebsd_pcblist_layout = {
	.sysctl = "net.inet.tcp.pcblist",
	.gen = {
		.size = sizeof(struct xinpgen),
		.len_size = FIELD_SIZE(struct xinpgen, xig_len),
		.gen_off = offsetof(struct xinpgen, xig_gen),
	},
	.xtcpcb_size = sizeof(struct xtcpcb),
	.inp = {
		.vflag_off = XT_INP(inp_vflag),
		.lport_off = XT_INP(inp_inc.inc_ie.ie_lport),
		.fport_off = XT_INP(inp_inc.inc_ie.ie_fport),
		.laddr_off = XT_INP(inp_inc.inc_ie.ie_dependladdr),
		.faddr_off = XT_INP(inp_inc.inc_ie.ie_dependfaddr),
		.flags_off = XT_INP(inp_flags),
		.v6only_flag = IN6P_IPV6_V6ONLY,
		.ipv4_flag = INP_IPV4,
		.ipv6_flag = INP_IPV6,
	},
	.state_off = offsetof(struct xtcpcb, t_state),
	.so_off = XT_SO(xso_so),
	.uid_off = XT_SO(so_uid),
	.qlen_off = XT_SO(so_qlen),
	.qlimit_off = XT_SO(so_qlimit),
	.rcv_cc_off = XT_SO(so_rcv.sb_cc),
	.snd_cc_off = XT_SO(so_snd.sb_cc),
};

const sockstate__xfile_layout sockstate__freebsd_file_layout = {
	.sysctl = "kern.file",
	.size = sizeof(struct xfile),
	.pid_off = offsetof(struct xfile, xf_pid),
	.type_off = offsetof(struct xfile, xf_type),
	.data_off = offsetof(struct xfile, xf_data),
	.dtype_socket = DTYPE_SOCKET,
};

const sockstate__kproc_layout sockstate__bsd_proc_layout = {
	.sysctl = "kern.proc.proc",
	.size = sizeof(struct kinfo_proc),
	.size_field_size = FIELD_SIZE(struct kinfo_proc, ki_structsize),
	.pid_off = offsetof(struct kinfo_proc, ki_pid),
	.comm_off = offsetof(struct kinfo_proc, ki_comm),
	.comm_len = FIELD_SIZE(struct kinfo_proc, ki_comm),
};

const char sockstate__bsd_pid_source[] = "freebsd-kern-file";

static const sockstate__sysctl_src os_sysctl = {sockstate__bsd_sysctl, NULL};

struct fbsd_state {
	sockstate__sysctl_buf pcbs;   /* kept across queries */
	sockstate__sysctl_buf files;
	sockstate__sysctl_buf procs;
};

static int fbsd_open(sockstate_handle *h, void **out)
{
	return sockstate__bsd_open(h, sockstate__freebsd_pcblist_layout.sysctl, sizeof(struct fbsd_state), out);
}

static void fbsd_close(void *state)
{
	struct fbsd_state *st = state;

	if (!st)
		return;
	sockstate__sysctl_buf_free(&st->pcbs);
	sockstate__sysctl_buf_free(&st->files);
	sockstate__sysctl_buf_free(&st->procs);
	free(st);
}

static int fbsd_enumerate(void *state, sockstate_handle *h, sockstate__plan *plan,
                          sockstate__emit_fn emit, void *emit_ctx)
{
	const sockstate__freebsd_layout *L = &sockstate__freebsd_pcblist_layout;
	struct fbsd_state *st = state;
	sockstate__pcb_sink sink = {
		.states = SOCKSTATE_STATES_ALL,
		.families = 1u << SOCKSTATE_FAMILY_IPV4 | 1u << SOCKSTATE_FAMILY_IPV6,
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
	rc = sockstate__freebsd_pcblist_decode(st->pcbs.data, st->pcbs.len, L, &sink);
	if (rc < 0 && sink.detail[0])
		return sockstate__fail(h, rc, "%s", sink.detail);
	return rc;
}

/* A table the caller may not read leaves owners (or names) unknown
 * rather than failing the query: the failed call becomes the pid source
 * reason, and the error detail is cleared again. */
static int readable_or_unknown(sockstate_handle *h, int rc, const char *unknown)
{
	if (rc != SOCKSTATE_EPERM)
		return rc;
	sockstate__set_pid_source_reason(h, "%s: %s unknown", sockstate__fail_last(h),
	                                 unknown);
	return sockstate__fail(h, 0, "%s", "");
}

static int fbsd_owners(void *state, sockstate_handle *h, sockstate__owners *map,
                       const char **source)
{
	const sockstate__xfile_layout *F = &sockstate__freebsd_file_layout;
	const sockstate__kproc_layout *P = &sockstate__bsd_proc_layout;
	struct fbsd_state *st = state;
	char detail[SOCKSTATE__PCB_DETAIL_LEN];
	int rc;

	*source = sockstate__bsd_pid_source;
	rc = sockstate__sysctl_read(h, &os_sysctl, F->sysctl, &st->files);
	if (rc == 0) {
		rc = sockstate__freebsd_files_decode(st->files.data, st->files.len, F, map,
		                                     detail, sizeof detail);
		if (rc < 0)
			return sockstate__fail(h, rc, "%s", rc == SOCKSTATE_ENOMEM
			                       ? "out of memory for the owner map" : detail);
	} else if ((rc = readable_or_unknown(h, rc, "owners")) < 0) {
		return rc;
	}
	rc = sockstate__sysctl_read(h, &os_sysctl, P->sysctl, &st->procs);
	if (rc == 0) {
		rc = sockstate__kproc_names(st->procs.data, st->procs.len, P, map, detail,
		                            sizeof detail);
		if (rc < 0)
			return sockstate__fail(h, rc, "%s", rc == SOCKSTATE_ENOMEM
			                       ? "out of memory for process names" : detail);
	} else if ((rc = readable_or_unknown(h, rc, "process names")) < 0) {
		return rc;
	}
	rc = sockstate__owners_finish(map);
	if (rc < 0)
		return sockstate__fail(h, rc, "out of memory for the owner map");
	return 0;
}

const sockstate__backend sockstate__bsd_pcblist_backend = {
	.name = "freebsd-sysctl",
	.can_filter = SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY,
	.fills = SOCKSTATE_HAS_UID | SOCKSTATE_HAS_QUEUES,
	.open = fbsd_open,
	.enumerate = fbsd_enumerate,
	.close = fbsd_close,
	.owners = fbsd_owners,
	.tcp_counters = sockstate__bsd_tcp_counters,
};
