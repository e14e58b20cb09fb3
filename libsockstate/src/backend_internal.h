/* backend_internal.h - the seam between the core and the platform folders.
 *
 * Never installed. The core includes this; each platform/<os>/ implements
 * it. Nothing here names an OS: CMake builds exactly one platform folder,
 * which defines sockstate__platform_backends and the sockstate__platform_*
 * functions below.
 */
#ifndef SOCKSTATE_BACKEND_INTERNAL_H
#define SOCKSTATE_BACKEND_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "sockstate.h"

/* GCC's "printf" means the target's C library, which for MinGW is
 * msvcrt's (no %zu); our C11 code gets MinGW's C99 printf, whose formats
 * are gnu_printf's. Clang knows no gnu_printf. */
#if defined(__GNUC__) && !defined(__clang__)
#define SOCKSTATE__PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#elif defined(__GNUC__)
#define SOCKSTATE__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SOCKSTATE__PRINTF(a, b)
#endif

/* ---- what a backend can filter itself (sockstate__plan.pushed) ---- */
enum sockstate__filter_bits {
	SOCKSTATE__F_STATES = 1u << 0,  /* only sockets in plan->states emitted */
	SOCKSTATE__F_FAMILY = 1u << 1,  /* only families in q->families */
	SOCKSTATE__F_PORTS = 1u << 2,   /* port, sport, dport */
	SOCKSTATE__F_ADDRS = 1u << 3,   /* addr, saddr, daddr */
	SOCKSTATE__F_UID = 1u << 4      /* uid */
};

/* One run of a query, as the core hands it to a backend. */
typedef struct sockstate__plan {
	const sockstate_query *q;   /* normalized: states never 0 */
	uint32_t states;            /* == q->states */
	int may_push;               /* 0 when SOCKSTATE_Q_NO_PUSHDOWN */
	int want_tcp_info;          /* q->flags & SOCKSTATE_Q_TCP_INFO */
	uint32_t pushed;            /* OUT: SOCKSTATE__F_* the backend applied
	                               exactly; the core applies the rest */
	int cpus_busy;              /* threads the core runs beside this walk
	                               (the owner map's task): a backend that
	                               would spread its walk over CPUs leaves
	                               these to them */
} sockstate__plan;

/* The core's per-record entry point. s is the backend's record (the core
 * may complete it: pids, process); owner_key joins it to the owner map
 * (Linux: the inode; FreeBSD: the kernel socket address; 0: none).
 * Returns 0 to go on, >0 to stop (pass it up unchanged), <0 an error. */
typedef int (*sockstate__emit_fn)(void *emit_ctx, sockstate_socket *s,
                                  uint64_t owner_key);

typedef struct sockstate__owners sockstate__owners;

typedef struct sockstate__backend {
	const char *name;           /* JSON backend name */
	uint32_t can_filter;        /* SOCKSTATE__F_* it may push down */
	uint32_t fills;             /* SOCKSTATE_HAS_* it fills itself */
	/* Probe and acquire. Returns 0 and *state, or SOCKSTATE_EUNAVAIL (the
	 * core then tries the next backend) or another negative code; sets
	 * the handle's error detail on failure. */
	int (*open)(sockstate_handle *h, void **state);
	/* Run one plan: call emit once per socket until it says stop.
	 * Returns 0, emit's positive value, or a negative code. */
	int (*enumerate)(void *state, sockstate_handle *h, sockstate__plan *plan,
	                 sockstate__emit_fn emit, void *emit_ctx);
	void (*close)(void *state);
	/* Fill map with owner_key -> pid and pid -> name for the sockets the
	 * caller may see, and *source with the pid_source name. A backend
	 * whose records carry their pid themselves adds only pid -> name.
	 * Called before enumerate when the query wants pids; NULL when the
	 * backend cannot map owners. Returns 0 or a negative code. */
	int (*owners)(void *state, sockstate_handle *h, sockstate__owners *map,
	              const char **source);
	/* Appended members: zero in backends that predate them. */
	/* Call found once per network namespace the caller can see (see
	 * sockstate_netns_list for the order and the specs). Non-NULL also
	 * means the backend honours the handle's netns option
	 * (sockstate__handle_netns): its open and enumerate work inside that
	 * namespace. NULL: the core refuses the option for this backend.
	 * Returns 0, found's negative code, or a negative code. */
	int (*netns_list)(sockstate_handle *h,
	                  int (*found)(void *ctx, const char *spec, uint64_t inode,
	                               int32_t pid, int current),
	                  void *ctx);
	/* How many records a whole walk on this handle delivers: the last
	 * whole walk's count, or the OS's own counters' before the first; 0
	 * unknown. The core builds the owner map first, rather than beside
	 * the walk, for a table bigger than it would hold (run.c). NULL:
	 * always unknown. */
	size_t (*population)(void *state);
	/* Read the TCP counters of the handle's namespace (or the system)
	 * into out, which the core has cleared (sockstate__tcp_counters_clear):
	 * set out->source and each counter the OS keeps
	 * (sockstate__tcp_counter_set). NULL: the core answers ENOTSUP.
	 * Returns 0 or a negative code, detail on h. */
	int (*tcp_counters)(sockstate_handle *h, void *state, sockstate_tcp_counters *out);
	/* The name of interface index (a record's zone) into buf (len
	 * bytes), as the backend's network namespace names it: 0, or -1
	 * when it has none. Called on the caller's thread during enumerate.
	 * NULL: the core asks sockstate__platform_ifname, which answers for
	 * the calling thread's namespace (and names nothing for a handle
	 * with a netns option). */
	int (*ifname)(void *state, uint32_t index, char *buf, size_t len);
	/* 1: the backend reads the handle's replay file
	 * (sockstate__handle_replay), never the OS. The core opens it for a
	 * handle with that option, and only for one. */
	int replay;
} sockstate__backend;

/* ---- supplied by the platform folder ---- */

/* NULL-terminated, in preference order. */
extern const sockstate__backend *const sockstate__platform_backends[];

/* Machine facts (hostname, uname, time); fields it cannot get stay "". */
int sockstate__platform_sysinfo(sockstate_sysinfo *out);

/* The interface name of index into buf; 0 if found, else -1. */
int sockstate__platform_ifname(uint32_t index, char *buf, size_t len);

/* One function run beside the caller (the owner map, built while the
 * backend enumerates). Start fn(arg) on a new thread and set *task to
 * join it by; returns 0. Returns SOCKSTATE_ENOTSUP, having run nothing,
 * when this platform or the moment offers no thread (then the caller
 * runs fn itself, in order). fn must not call sockstate__fail with a
 * handle the caller uses meanwhile: see sockstate__fail_redirect. */
typedef struct sockstate__task sockstate__task;
int sockstate__platform_task_start(sockstate__task **task, void (*fn)(void *arg),
                                   void *arg);
/* Wait for the task to end and release it. */
void sockstate__platform_task_join(sockstate__task *task);

/* Developer option (sockstate_options.capture_dir): create the file
 * `name` (no '/') in the handle's capture directory for writing. The
 * caller may be root and the directory a path anyone typed, so the file
 * is never opened through a symbolic link nor over an existing file, and
 * only in a directory no one but its owner (the caller, or root) may
 * write to. *fd is -1 when the handle has no capture directory. Returns
 * 0, SOCKSTATE_EPERM (a directory others may write to), SOCKSTATE_EIO
 * (detail on h: the file exists, no such directory...). */
int sockstate__platform_capture_open(sockstate_handle *h, const char *name, int *fd);

/* 1 in the child of a fork() from a process that had run a second thread
 * (or in its own fork() children), until exec; else 0. Where the C library
 * cannot tell whether a second thread ever ran, every fork() child counts.
 * Windows has no fork: 0. Read it through sockstate__handle_threads. */
int sockstate__platform_forked_from_threads(void);

/* Whether this build can honour the pid_source option name (neither NULL
 * nor "auto", which the core accepts itself). Returns 0, or
 * SOCKSTATE_EUNAVAIL (a source this build lacks) or SOCKSTATE_EINVAL
 * (unknown), with the reason set by sockstate__fail(NULL, ...). */
int sockstate__platform_pid_source_check(const char *name);

/* What diagnose asks of the OS beyond the backend (every platform folder
 * gives both; the fake platform of the unit tests too). */

/* The ephemeral (dynamic) port range of h's network namespace, or of the
 * system: *first..*last and where it came from (*source, static).
 * Returns 0 (read from the OS), 1 (the OS's documented default, which
 * the OS gives no call to read: Windows), or a negative code when it is
 * unknown (detail on h). */
int sockstate__platform_port_range(sockstate_handle *h, uint32_t *first, uint32_t *last,
                                   const char **source);

/* One TCP connect from h's network namespace to (family, to), given up
 * after timeout_ms. Fills *out: result, os_error and its name, the local
 * end it got, syn_retransmits (-1 unknown), elapsed_ms, timeout_ms,
 * family, to; the OS's sentence for the error into msg (msglen bytes,
 * "" when connected). Returns 0 when there is an outcome (a refused or
 * timed-out connect is one), or a negative code when no socket could
 * be made (detail on h). */
int sockstate__platform_probe(sockstate_handle *h, uint8_t family, const sockstate_endpoint *to,
                              uint32_t timeout_ms, sockstate_probe *out, char *msg,
                              size_t msglen);

/* ---- supplied by the core, for backends ---- */

/* Record the last error's detail on h: "call: message". Returns code. */
int sockstate__fail(sockstate_handle *h, int code, const char *fmt, ...)
	SOCKSTATE__PRINTF(3, 4);

/* Send this thread's sockstate__fail details to buf (len bytes) instead
 * of the handle's, until called again with NULL: a task running beside
 * the caller keeps its error apart from the caller's. */
void sockstate__fail_redirect(char *buf, size_t len);

/* The detail the last sockstate__fail on this thread left (the redirect
 * buffer when one is set, else h's): what a backend reads back to reuse
 * a failed call's text. */
const char *sockstate__fail_last(const sockstate_handle *h);

/* The handle's options, as sockstate_open got them (never NULL). */
const char *sockstate__handle_pid_source_option(const sockstate_handle *h);

/* Say why the current query maps owners the way it does (one line, for
 * sockstate_pid_source_reason; the core empties it when a query starts). */
void sockstate__set_pid_source_reason(sockstate_handle *h, const char *fmt, ...)
	SOCKSTATE__PRINTF(2, 3);

/* Per-handle state a platform keeps across queries (a loaded BPF program),
 * empty at open. The platform stores its state and a release function
 * here; sockstate_close calls release(state) when release is set. */
typedef struct sockstate__platform_slot {
	void *state;
	void (*release)(void *state);
} sockstate__platform_slot;
sockstate__platform_slot *sockstate__handle_platform_slot(sockstate_handle *h);

/* Whether h may start helper threads: its threads option, but
 * SOCKSTATE_THREADS_NEVER in a forked child of a threaded process (the
 * fork rule of sockstate.h). Every choice to start a thread reads this. */
sockstate_threads sockstate__handle_threads(const sockstate_handle *h);

/* The handle's netns option (a spec as sockstate_options.netns takes it),
 * or NULL for the caller's own namespace. */
const char *sockstate__handle_netns(const sockstate_handle *h);

/* The handle's replay option (a file of captured dumps), or NULL. */
const char *sockstate__handle_replay(const sockstate_handle *h);

/* Whether the handle is in capture mode (a developer option: backends
 * that support it save raw OS replies to this directory), or NULL. */
const char *sockstate__handle_capture_dir(const sockstate_handle *h);

/* Write n bytes to a capture file (sockstate__platform_capture_open).
 * Returns 0 or SOCKSTATE_EIO (detail on h). */
int sockstate__capture_write(sockstate_handle *h, int fd, const void *p, size_t n);

/* Start a record: zero it, size set, unknowns set to -1 with bits clear. */
void sockstate__socket_init(sockstate_socket *s);

/* The i-th alternative of q's port and address filters (i <= alt_count):
 * 0 is the one in q's own fields (port ... daddr), 1.. those in q->alt. */
sockstate_query_alt sockstate__query_alt(const sockstate_query *q, size_t i);

/* ---- the one state table (state_names.c) ---- */

/* Where a spelling or number comes from. */
typedef enum sockstate__origin {
	SOCKSTATE__ORIGIN_RFC = 0,       /* RFC 9293 / our normalized names */
	SOCKSTATE__ORIGIN_LINUX,         /* kernel numbers; ss spellings */
	SOCKSTATE__ORIGIN_NETTOOLS,      /* net-tools netstat */
	SOCKSTATE__ORIGIN_PROC_HEX,      /* /proc/net/tcp "st" column */
	SOCKSTATE__ORIGIN_BSD,           /* TCPS_* numbers; BSD netstat */
	SOCKSTATE__ORIGIN_NETBSD_SHORT,  /* NetBSD netstat -A short names */
	SOCKSTATE__ORIGIN_WINDOWS,       /* MIB_TCP_STATE numbers; netstat.exe */
	SOCKSTATE__ORIGIN_MIB,           /* MIB_TCP_STATE_* constant names */
	SOCKSTATE__ORIGIN_POWERSHELL,    /* Get-NetTCPConnection */
	SOCKSTATE__ORIGIN_PSUTIL,        /* psutil CONN_* */
	SOCKSTATE__ORIGIN_COUNT
} sockstate__origin;

/* The native state of an OS: code -> normalized state and the name the
 * OS's usual tool prints (origin LINUX: as ss; BSD: as BSD netstat;
 * WINDOWS: as netstat.exe). Unknown code: state SOCKSTATE_UNKNOWN and
 * name "UNKNOWN". Never fails. */
void sockstate__native_state(sockstate__origin origin, int32_t code,
                             sockstate_state *state, const char **name);

/* ---- the one counter table (counters.c) ---- */

/* Whose native names: one column of the table per OS. */
typedef enum sockstate__counter_os {
	SOCKSTATE__COUNTERS_LINUX = 0,   /* nstat's: "TcpExtListenOverflows" */
	SOCKSTATE__COUNTERS_FREEBSD,     /* struct tcpstat fields */
	SOCKSTATE__COUNTERS_MACOS,
	SOCKSTATE__COUNTERS_WINDOWS,     /* MIB_TCPSTATS fields, both families */
	SOCKSTATE__COUNTERS_OS_COUNT
} sockstate__counter_os;

/* The native name of counter c on os (several: "a + b - c"), or NULL where os
 * does not keep it (then it is unknown there). Static. */
const char *sockstate__counter_native(sockstate_counter c, sockstate__counter_os os);

/* Linux: the counter that the column named column[0..clen) of a
 * /proc/net/snmp or netstat line beginning "prefix:" (prefix[0..plen))
 * holds, or -1 when it is none of ours. */
int sockstate__counter_linux_column(const char *prefix, size_t plen, const char *column,
                                    size_t clen);

/* The bytes of sockstate_tcp_counters' first version: a caller's struct
 * (its size) must hold at least these. */
#define SOCKSTATE__TCP_COUNTERS_FIRST_SIZE \
	(offsetof(sockstate_tcp_counters, source) + sizeof(const char *))

/* Empty *c: no counter known (values 0, natives NULL), count set, source
 * as given; c->size is kept (at most sizeof), and only that much is
 * written. */
void sockstate__tcp_counters_clear(sockstate_tcp_counters *c, const char *source);

/* Counter k is known: value v, its native name on os. */
void sockstate__tcp_counter_set(sockstate_tcp_counters *c, sockstate_counter k, uint64_t v,
                                sockstate__counter_os os);

/* ---- owner map (owners.c): key -> pids, pid -> process name ---- */

struct sockstate__owners;
sockstate__owners *sockstate__owners_new(void);
void sockstate__owners_free(sockstate__owners *m);
/* Empty the map, keeping its memory for the next query. */
void sockstate__owners_reset(sockstate__owners *m);
/* Add one (key, pid); duplicates are folded. Returns 0 or ENOMEM. */
int sockstate__owners_add(sockstate__owners *m, uint64_t key, int32_t pid);
/* Name pid (copied, up to 255 bytes). Returns 0 or ENOMEM. */
int sockstate__owners_name(sockstate__owners *m, int32_t pid, const char *name);
/* Add every (key, pid), pid name and unreadable note of src, an
 * unfinished map, to dst. Returns 0 or ENOMEM. */
int sockstate__owners_merge(sockstate__owners *dst, const sockstate__owners *src);
/* What the walk could not read: `processes` more processes whose sockets
 * it could not list (permission), and, when hidden, that some processes
 * could not even be seen (/proc hidepid): their sockets, found by the
 * enumeration without an owner, are reported as unreadable
 * (sockstate_owners_unreadable), not as having none. */
void sockstate__owners_note_unreadable(sockstate__owners *m, uint32_t processes,
                                       int hidden);
/* The processes noted unreadable so far; *hidden (may be NULL): whether
 * some were hidden. */
uint32_t sockstate__owners_unreadable(const sockstate__owners *m, int *hidden);
/* Sort and index after the last add; before any find. Returns 0/ENOMEM. */
int sockstate__owners_finish(sockstate__owners *m);
/* Owners of key: ascending pids, count in *n; NULL and 0 if none. */
const int32_t *sockstate__owners_find(const sockstate__owners *m, uint64_t key,
                                      uint32_t *n);
/* Name of pid, or NULL. */
const char *sockstate__owners_pid_name(const sockstate__owners *m, int32_t pid);
/* The bytes m has allocated (what it costs per socket descriptor is
 * this over the descriptors added: tests and benchmarks). */
size_t sockstate__owners_memory(const sockstate__owners *m);

/* ---- open addressing over 64-bit keys (owner index, repeat sets) ---- */

/* The first slot of key in a table of mask + 1 slots (a power of two, at
 * most 2^32): Fibonacci hashing, whose high product bits spread inodes
 * and cookies, however regular, over the table. */
static inline size_t sockstate__slot_of(uint64_t key, size_t mask)
{
	return (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & mask;
}

/* ---- text helpers shared by decoders and writers ---- */

/* Parse exactly len bytes of hex (no prefix) into *out; 0 or -1. */
int sockstate__parse_hex_u64(const char *s, size_t len, uint64_t *out);

#endif /* SOCKSTATE_BACKEND_INTERNAL_H */
