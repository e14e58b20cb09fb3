/* pcblist_internal.h - the BSD backends "freebsd-sysctl" and
 * "macos-sysctl": the sysctl reader (pcblist_io.c), the decoders
 * (pcblist_decode.c shared, pcblist_freebsd_decode.c,
 * pcblist_macos_decode.c: pure, no OS headers, so they also run in the
 * Linux unit tests) and the two backends (pcblist_freebsd.c,
 * pcblist_macos.c: the only files that see the OS's record structs).
 * Never installed.
 *
 * What the kernels answer (FreeBSD sys/netinet/tcp_subr.c tcp_pcblist,
 * xnu bsd/netinet/in_pcblist.c get_pcblist_n):
 *
 *   struct xinpgen            head: count and generation before the copy
 *   record ... record         one per TCP socket (see below)
 *   struct xinpgen            tail: generation after the copy
 *
 * FreeBSD (12 and later): each record is one struct xtcpcb (embedding
 * xinpcb, which embeds xsocket), starting with its ksize_t length;
 * records follow each other by that length. macOS (net.inet.tcp.pcblist_n):
 * each socket is a run of kind-tagged records {u32 len, u32 kind, ...}
 * (xinpcb_n first, then xsocket_n, two xsockbuf_n, xsockstat_n, xtcpcb_n),
 * each padded to a multiple of 8 bytes; when there is no PCB at all the
 * kernel writes the head only.
 *
 * The decoders never see an OS struct: they read the few fields they need
 * at byte offsets given by a layout description. On the OS the backends
 * fill those descriptions with offsetof() (FreeBSD: on the system's
 * structs; macOS: on our declarations of its PRIVATE ones); the unit
 * tests fill them from the layout facts checked against the headers
 * (docs/BSD.md), so the same walking code runs on Linux on constructed
 * buffers. Fields are read with memcpy: no alignment is assumed.
 */
#ifndef SOCKSTATE_PCBLIST_INTERNAL_H
#define SOCKSTATE_PCBLIST_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "backend_internal.h"

/* The backend this build offers: freebsd-sysctl or macos-sysctl, from
 * whichever of pcblist_freebsd.c / pcblist_macos.c CMake compiled. */
extern const sockstate__backend sockstate__bsd_pcblist_backend;

/* Its pid_source name ("freebsd-kern-file" or "macos-so-last-pid"): the
 * only owner map this build has, so the pid_source option takes "auto". */
extern const char sockstate__bsd_pid_source[];

/* Room for a decoder's one-line reason on EPARSE / EABI. */
#define SOCKSTATE__PCB_DETAIL_LEN 256

/* ---- layout descriptions: byte offsets from the start of a record ---- */

/* struct xinpgen: FreeBSD's starts with a 64-bit ksize_t, macOS's with a
 * u_int32_t; both carry a 64-bit generation. */
typedef struct sockstate__xinpgen_layout {
	uint32_t size;          /* sizeof(struct xinpgen) */
	uint32_t len_size;      /* width of xig_len: 8 or 4 */
	uint32_t gen_off;       /* xig_gen, 64-bit */
} sockstate__xinpgen_layout;

/* The address part of an inpcb export. Addresses are 16-byte unions
 * (in6_addr, or an IPv4 address in the last 4 bytes); ports are network
 * order; vflag says which of the two the socket uses. */
typedef struct sockstate__inpcb_layout {
	uint32_t vflag_off;     /* u_char inp_vflag */
	uint32_t lport_off;     /* u_short, network order */
	uint32_t fport_off;
	uint32_t laddr_off;     /* 16 bytes */
	uint32_t faddr_off;
	uint32_t flags_off;     /* int inp_flags */
	uint32_t v6only_flag;   /* IN6P_IPV6_V6ONLY in inp_flags */
	uint8_t ipv4_flag;      /* INP_IPV4 */
	uint8_t ipv6_flag;      /* INP_IPV6 */
} sockstate__inpcb_layout;

/* FreeBSD net.inet.tcp.pcblist: one struct xtcpcb per socket. Offsets of
 * the xinpcb and xsocket fields are from the start of the xtcpcb. */
typedef struct sockstate__freebsd_layout {
	const char *sysctl;     /* "net.inet.tcp.pcblist", for messages */
	sockstate__xinpgen_layout gen;
	uint32_t xtcpcb_size;   /* every record's xt_len must equal it */
	sockstate__inpcb_layout inp;
	uint32_t state_off;     /* int32_t t_state */
	uint32_t so_off;        /* kvaddr_t xso_so: 0 when no socket */
	uint32_t uid_off;       /* uid_t so_uid */
	uint32_t qlen_off;      /* uint32_t so_qlen */
	uint32_t qlimit_off;    /* uint32_t so_qlimit */
	uint32_t rcv_cc_off;    /* uint32_t so_rcv.sb_cc */
	uint32_t snd_cc_off;    /* uint32_t so_snd.sb_cc */
} sockstate__freebsd_layout;

/* FreeBSD kern.file: an array of struct xfile, each starting with its
 * ksize_t size. */
typedef struct sockstate__xfile_layout {
	const char *sysctl;     /* "kern.file" */
	uint32_t size;          /* sizeof(struct xfile) */
	uint32_t pid_off;       /* pid_t xf_pid */
	uint32_t type_off;      /* short xf_type */
	uint32_t data_off;      /* kvaddr_t xf_data: the struct socket */
	int16_t dtype_socket;   /* DTYPE_SOCKET */
} sockstate__xfile_layout;

/* A process table (FreeBSD kern.proc.proc, macOS kern.proc.all): an array
 * of struct kinfo_proc. FreeBSD's starts with an int ki_structsize that
 * must equal size; macOS's has no size field (size_field_size 0). */
typedef struct sockstate__kproc_layout {
	const char *sysctl;
	uint32_t size;          /* sizeof(struct kinfo_proc): the stride */
	uint32_t size_field_size; /* 4 (FreeBSD) or 0 (macOS) */
	uint32_t pid_off;       /* pid_t */
	uint32_t comm_off;      /* char[comm_len], NUL-terminated if shorter */
	uint32_t comm_len;
} sockstate__kproc_layout;

/* macOS net.inet.tcp.pcblist_n: kind-tagged records. Offsets are from the
 * start of the record of that kind. Each record: u32 len at 0, u32 kind
 * at 4. */
typedef struct sockstate__macos_layout {
	const char *sysctl;     /* "net.inet.tcp.pcblist_n" */
	sockstate__xinpgen_layout gen;
	uint32_t kind_inpcb, kind_socket, kind_rcvbuf, kind_sndbuf, kind_tcpcb;
	uint32_t xinpcb_size;   /* struct xinpcb_n */
	sockstate__inpcb_layout inp;
	uint32_t xsocket_size;  /* struct xsocket_n */
	uint32_t so_off;        /* u_int64_t xso_so: 0 when no kernel socket */
	uint32_t qlen_off;      /* short so_qlen */
	uint32_t qlimit_off;    /* short so_qlimit */
	uint32_t uid_off;       /* uid_t so_uid */
	uint32_t last_pid_off;  /* pid_t so_last_pid */
	uint32_t xsockbuf_size; /* struct xsockbuf_n */
	uint32_t sb_cc_off;     /* u_int32_t sb_cc */
	uint32_t xtcpcb_size;   /* struct xtcpcb_n */
	uint32_t state_off;     /* int t_state */
} sockstate__macos_layout;

/* The layouts the backends derive from the OS's structs (each defined by
 * the backend file of its OS; the unit tests use their own facts). */
extern const sockstate__freebsd_layout sockstate__freebsd_pcblist_layout;
extern const sockstate__xfile_layout sockstate__freebsd_file_layout;
extern const sockstate__macos_layout sockstate__macos_pcblist_layout;
extern const sockstate__kproc_layout sockstate__bsd_proc_layout; /* either OS */

/* ---- pcblist_decode.c: framing and helpers shared by both decoders ---- */

/* Where the records of a pcblist reply lie. */
typedef struct sockstate__pcb_frame {
	size_t first;           /* offset of the first record */
	size_t end;             /* offset of the tail xinpgen (== len when
	                           the reply has a head only) */
	uint64_t head_gen;
	uint64_t tail_gen;      /* == head_gen when there is no tail */
	int has_tail;
} sockstate__pcb_frame;

/* Find the head and tail xinpgen of buf[0..len). The head is at 0; the
 * tail is the last g->size bytes; a reply of exactly one xinpgen is a
 * head alone (macOS with no PCB). Both must declare xig_len == g->size.
 * Returns 0, SOCKSTATE_EABI (the head declares another size: another
 * layout) or SOCKSTATE_EPARSE (shorter than an xinpgen, no room for a
 * tail, or a tail declaring another size, which is what a truncated copy
 * looks like), with the reason in detail. */
int sockstate__pcb_frame_find(const void *buf, size_t len,
                              const sockstate__xinpgen_layout *g, const char *what,
                              sockstate__pcb_frame *f, char *detail, size_t dlen);

/* What the walkers emit into, filter by, and explain with. */
typedef struct sockstate__pcb_sink {
	uint32_t states;        /* emit only states in this mask */
	uint32_t families;      /* emit only 1u << family in this mask */
	int with_pids;          /* macOS: take the pid from so_last_pid */
	sockstate__emit_fn emit;
	void *emit_ctx;
	uint32_t records;       /* OUT: records decoded (emitted or not) */
	char detail[SOCKSTATE__PCB_DETAIL_LEN]; /* OUT: why, on EPARSE/EABI */
} sockstate__pcb_sink;

/* Fill family, local and remote of s from the inpcb fields at rec. A
 * socket with INP_IPV6 set is IPv6 (a dual-stack "tcp46" socket too, as
 * Linux reports one), else with INP_IPV4 IPv4; with neither it is no
 * Internet socket (returns -1, as netstat and sockstat skip it). A
 * link-local IPv6 address carries its zone in bytes 2-3 inside the kernel
 * (KAME's embedded scope): it moves to scope_id and the bytes are
 * cleared. An IPv6 socket's IPV6_V6ONLY comes from inp_flags
 * (SOCKSTATE_HAS_V6ONLY, whatever its state). Returns 0 or -1. */
int sockstate__pcb_endpoints(const unsigned char *rec, const sockstate__inpcb_layout *L,
                             sockstate_socket *s);

/* Add pid -> command name for every process of a kinfo_proc array
 * (unknown pids and empty names skipped). Returns 0, SOCKSTATE_ENOMEM,
 * or SOCKSTATE_EABI (the length is not a whole number of records, or a
 * FreeBSD record's ki_structsize is not L->size), reason in detail. */
int sockstate__kproc_names(const void *buf, size_t len, const sockstate__kproc_layout *L,
                           sockstate__owners *map, char *detail, size_t dlen);

/* Little helpers for reading unaligned native-endian fields. */
uint64_t sockstate__pcb_u64(const unsigned char *p);
uint32_t sockstate__pcb_u32(const unsigned char *p);
uint16_t sockstate__pcb_u16(const unsigned char *p);
/* A length field of width 4 or 8. */
uint64_t sockstate__pcb_len(const unsigned char *p, uint32_t width);

/* ---- pcblist_freebsd_decode.c ---- */

/* Walk a net.inet.tcp.pcblist reply: every record between head and tail
 * must declare xt_len == L->xtcpcb_size (else SOCKSTATE_EABI: a layout
 * this build does not know) and lie whole before the tail (else
 * SOCKSTATE_EPARSE: truncated). Each record becomes one sockstate_socket
 * (state from t_state through the BSD state table; uid and queues only
 * when the record has a socket, i.e. xso_so != 0: syncache entries and
 * sockets already closed by their process have none) and is emitted, if
 * its state and family pass the sink, with owner_key = xso_so.
 * Returns 0, emit's positive value, emit's negative code, or
 * SOCKSTATE_EPARSE / SOCKSTATE_EABI with sink->detail set. */
int sockstate__freebsd_pcblist_decode(const void *buf, size_t len,
                                      const sockstate__freebsd_layout *L,
                                      sockstate__pcb_sink *sink);

/* Add (xf_data, xf_pid) to map for every socket descriptor of a kern.file
 * reply, as sockstat(1) joins them. Every record must declare xf_size ==
 * L->size and the reply must hold whole records (else SOCKSTATE_EABI).
 * Returns 0, SOCKSTATE_ENOMEM or SOCKSTATE_EABI, reason in detail. */
int sockstate__freebsd_files_decode(const void *buf, size_t len,
                                    const sockstate__xfile_layout *L,
                                    sockstate__owners *map, char *detail, size_t dlen);

/* ---- pcblist_macos_decode.c ---- */

/* Walk a net.inet.tcp.pcblist_n reply. A socket starts at an xinpcb_n
 * record and runs to the next one or the tail; it must hold one xsocket_n
 * and one xtcpcb_n, and may hold one xsockbuf_n of each direction (queues
 * are known only with both). Kinds this build does not read (xsockstat_n,
 * or ones a later release adds) are stepped over by their length. A
 * record of a kind we read whose length is not the size this build knows
 * is SOCKSTATE_EABI (macOS 13 and later are known); a record shorter
 * than its 8-byte header, one reaching past the tail, a kind twice in one
 * socket or a socket without its xsocket_n / xtcpcb_n is SOCKSTATE_EPARSE.
 * Records are 8-byte padded: the next starts at the length rounded up.
 * Emitted with owner_key 0; with sink->with_pids, pid = so_last_pid (the
 * last process that used the socket; 0 means none: left unknown).
 * Returns as sockstate__freebsd_pcblist_decode. */
int sockstate__macos_pcblist_decode(const void *buf, size_t len,
                                    const sockstate__macos_layout *L,
                                    sockstate__pcb_sink *sink);

/* ---- tcpstat_decode.c: net.inet.tcp.stats to TCP counters ---- */

/* At most this many native fields add up to one counter (macOS's
 * timeout aborts). */
#define SOCKSTATE__TCPSTAT_PARTS 5

/* Where one counter's native field(s) lie in a struct tcpstat: byte
 * offsets, added up, but those whose bit is set in minus taken away;
 * parts 0 where the OS does not keep the counter. The fields are the ones
 * the counter table names for the layout's OS, in its order
 * (sockstate__counter_native: "a + b - c"). */
typedef struct sockstate__tcpstat_field {
	uint32_t off[SOCKSTATE__TCPSTAT_PARTS];
	uint32_t parts;
	uint32_t minus;             /* bit i: subtract off[i] */
} sockstate__tcpstat_field;

/* One struct tcpstat as a kernel hands it over. */
typedef struct sockstate__tcpstat_layout {
	const char *name;           /* for messages: "FreeBSD", "macOS 15" */
	sockstate__counter_os os;   /* whose native names */
	uint32_t size;              /* sizeof(struct tcpstat) */
	uint32_t width;             /* of every field: 8 (FreeBSD's uint64_t)
	                               or 4 (macOS's u_int32_t) */
	sockstate__tcpstat_field field[SOCKSTATE_COUNTER_COUNT];
} sockstate__tcpstat_layout;

/* Decode buf[0..len) (a copy of a struct tcpstat; no alignment needed)
 * with the one of layouts[0..n) whose size is len, into out: each counter
 * the layout has fields for is set (their sum and difference, native
 * names from the table), except one whose difference would be negative
 * (a copy whose fields were not read at one moment): it stays unknown.
 * No syscalls, no allocation. Returns 0, SOCKSTATE_EABI when no
 * layout has that size (a kernel this build does not know), or
 * SOCKSTATE_EINVAL for a layout whose field lies outside its size; the
 * reason in detail. */
int sockstate__tcpstat_decode(const void *buf, size_t len,
                              const sockstate__tcpstat_layout *const *layouts, size_t n,
                              sockstate_tcp_counters *out, char *detail, size_t dlen);

/* ---- pcblist_io.c: read a sysctl into a growing buffer ---- */

/* The OS call, injected so the retry logic runs in tests: like
 * sysctlbyname(name, buf, len, NULL, 0) (buf NULL asks for the size),
 * returning 0 or the errno. */
typedef int (*sockstate__sysctl_fn)(void *ctx, const char *name, void *buf, size_t *len);

typedef struct sockstate__sysctl_src {
	sockstate__sysctl_fn fn;
	void *ctx;
} sockstate__sysctl_src;

/* A buffer kept by the backend across queries. */
typedef struct sockstate__sysctl_buf {
	unsigned char *data;
	size_t cap;
	size_t len;             /* bytes of the last reply */
} sockstate__sysctl_buf;

/* Tries before giving up with SOCKSTATE_EAGAIN. */
#define SOCKSTATE__SYSCTL_GROW_TRIES 8  /* reply outgrew the buffer */
#define SOCKSTATE__PCBLIST_TRIES 5      /* generation changed during copy */

/* Read sysctl name into b: ask the size, allocate it with a quarter more
 * headroom (keeping a larger buffer from before), read; if the table
 * outgrew even that (ENOMEM), double and read again, up to
 * SOCKSTATE__SYSCTL_GROW_TRIES times. Returns 0, SOCKSTATE_EAGAIN (still
 * too small), SOCKSTATE_ENOMEM, SOCKSTATE_EUNAVAIL (ENOENT: no such
 * sysctl), SOCKSTATE_EPERM or SOCKSTATE_EIO, detail on h
 * ("sysctlbyname(kern.file): ..."). */
int sockstate__sysctl_read(sockstate_handle *h, const sockstate__sysctl_src *src,
                           const char *name, sockstate__sysctl_buf *b);

/* Read a pcblist sysctl until the head and tail generations agree (no
 * socket was created or freed while the kernel copied), at most
 * SOCKSTATE__PCBLIST_TRIES times, then SOCKSTATE_EAGAIN. A malformed or
 * unknown head/tail is returned at once (EPARSE / EABI). Returns 0 or a
 * negative code, detail on h. */
int sockstate__pcblist_read(sockstate_handle *h, const sockstate__sysctl_src *src,
                            const char *name, const sockstate__xinpgen_layout *g,
                            sockstate__sysctl_buf *b);

/* Developer option: save b's reply as <capture dir>/<name>.bin when h has
 * a capture directory. Returns 0 or SOCKSTATE_EIO. */
int sockstate__sysctl_capture(sockstate_handle *h, const char *name,
                              const sockstate__sysctl_buf *b);

void sockstate__sysctl_buf_free(sockstate__sysctl_buf *b);

/* Read net.inet.tcp.stats and decode it with layouts (see
 * sockstate__tcpstat_decode) into out, source "sysctl net.inet.tcp.stats";
 * with a capture directory, the reply is saved as net.inet.tcp.stats.bin.
 * Returns 0 or a negative code, detail on h. */
int sockstate__tcpstat_read(sockstate_handle *h, const sockstate__sysctl_src *src,
                            const sockstate__tcpstat_layout *const *layouts, size_t n,
                            sockstate_tcp_counters *out);

/* ---- tcpstat_freebsd.c / tcpstat_macos.c (the one CMake builds) ---- */

/* The layouts of struct tcpstat this build reads: FreeBSD's from its
 * headers; macOS's, each release's that this build knows. */
extern const sockstate__tcpstat_layout *const sockstate__bsd_tcpstat_layouts[];
extern const size_t sockstate__bsd_tcpstat_layout_count;

/* The backends' tcp_counters. */
int sockstate__bsd_tcp_counters(sockstate_handle *h, void *state, sockstate_tcp_counters *out);

/* ---- platform.c ---- */

/* sysctlbyname(3), as a sockstate__sysctl_fn (ctx unused). */
int sockstate__bsd_sysctl(void *ctx, const char *name, void *buf, size_t *len);

/* A backend's open: probe the sysctl `name` (does it answer here?), then
 * give *state a zeroed block of state_size bytes (the backend's, freed by
 * its close). Returns 0, SOCKSTATE_EUNAVAIL with the OS's reason on h, or
 * SOCKSTATE_ENOMEM; *state is NULL on error. */
int sockstate__bsd_open(sockstate_handle *h, const char *name, size_t state_size,
                        void **state);

/* What a backend's walk filters itself: plan's states and families into
 * sink (when plan may push), and plan->pushed says so. */
void sockstate__bsd_sink_plan(sockstate__pcb_sink *sink, sockstate__plan *plan);

#endif /* SOCKSTATE_PCBLIST_INTERNAL_H */
