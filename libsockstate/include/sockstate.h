/* sockstate.h - which TCP sockets exist, in which state, owned by whom.
 *
 * The one public header of libsockstate. Everything a user may call is here.
 *
 * Thread rule (holds for every function unless it says otherwise): a handle
 * is used by one thread at a time; separate handles are independent and may
 * be used from different threads at once. Functions that take no handle
 * (state names, parsers, writers over a snapshot) are safe from any thread.
 * A call may run part of its work on a helper thread of its own, joined
 * before it returns (sockstate_threads); callbacks always run on the
 * calling thread.
 *
 * Fork rule: in the child of a fork() from a process that had already run
 * a second thread, and in that child's own fork() children, until exec, no
 * handle starts a helper thread, whatever sockstate_options.threads says:
 * every call runs on the calling thread alone and gives the same answers.
 * (A thread of the parent that was inside pthread_create, or inside an
 * allocator that does not guard itself across fork, leaves its locks and
 * caches half-updated in the child: a thread started there can wait for
 * ever or free memory twice.) "Had run a second thread" is what the C
 * library says: glibc's __libc_single_threaded turns false at the first
 * pthread_create, the library's own helper threads included, and stays
 * false; where the C library cannot say (FreeBSD, macOS, musl), every
 * fork() child is taken for one. The library sees a fork through
 * pthread_atfork from the moment it is loaded: not one made before (a
 * dlopen in the child), nor vfork(), _Fork() or a bare clone().
 * What such a child may do: POSIX allows it only async-signal-safe calls,
 * which this library's are not (they allocate and open files); with a C
 * library whose malloc survives fork (glibc's does), it may open handles
 * of its own and use them. It must not use a handle its parent opened: the
 * handle's OS sockets are shared with the parent, and if a thread of the
 * parent was inside a call on it at the fork, its memory is half-updated.
 * It may close such a handle if no thread was using it at the fork (only
 * the child's copies of its descriptors go); else it should forget it.
 *
 * Error rule: functions that can fail return 0 (or a count) on success and a
 * negative SOCKSTATE_E* code on failure; sockstate_strerror() names the code
 * and sockstate_errdetail() gives the failing OS call of the last error on a
 * handle. The library never aborts, exits or prints.
 *
 * Ownership rule: whatever the library allocates for you has a free
 * function here; a failed call leaves its outputs zeroed with nothing to
 * free.
 */
#ifndef SOCKSTATE_H
#define SOCKSTATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(SOCKSTATE_SHARED_BUILD)
#define SOCKSTATE_API __declspec(dllexport)
#elif defined(_WIN32) && !defined(SOCKSTATE_STATIC)
#define SOCKSTATE_API __declspec(dllimport)
#elif defined(__GNUC__)
#define SOCKSTATE_API __attribute__((visibility("default")))
#else
#define SOCKSTATE_API
#endif

/* ======================================================================
 * Version
 * ==================================================================== */

#define SOCKSTATE_VERSION_MAJOR 0
#define SOCKSTATE_VERSION_MINOR 1
#define SOCKSTATE_VERSION_PATCH 0

/* sockstate_version - the library's version as "MAJOR.MINOR.PATCH".
 * Returns a static string; never fails. */
SOCKSTATE_API const char *sockstate_version(void);

/* ======================================================================
 * Errors
 * ==================================================================== */

/* Every code is negative; 0 is success. The list is fixed: new codes are
 * appended, none changes meaning. This one list (name, number, the
 * message sockstate_strerror gives) makes both the enum below and the
 * library's table of names and messages. */
#define SOCKSTATE_ERRORS(X)                                                      \
	X(SOCKSTATE_OK, 0, "success")                                            \
	/* a bad argument, name, address or option */                           \
	X(SOCKSTATE_EINVAL, -1, "invalid argument")                              \
	X(SOCKSTATE_ENOMEM, -2, "out of memory")                                 \
	/* the OS refused: permission */                                         \
	X(SOCKSTATE_EPERM, -3, "permission denied by the operating system")      \
	/* no backend, or the named one, works here */                           \
	X(SOCKSTATE_EUNAVAIL, -4, "no usable backend on this system")            \
	/* the OS or a file handed malformed data */                             \
	X(SOCKSTATE_EPARSE, -5, "malformed data from the operating system or a capture file") \
	/* an OS call failed (see sockstate_errdetail) */                        \
	X(SOCKSTATE_EIO, -6, "an operating system call failed")                  \
	/* the socket table kept changing; retries ran out */                    \
	X(SOCKSTATE_EAGAIN, -7, "the socket table kept changing; retries ran out") \
	/* not supported by this backend or OS */                                \
	X(SOCKSTATE_ENOTSUP, -8, "not supported on this backend")                \
	/* a value out of range (port, prefix, count) */                         \
	X(SOCKSTATE_ERANGE, -9, "value out of range")                            \
	/* a named thing (namespace, file) does not exist */                     \
	X(SOCKSTATE_ENOENT, -10, "no such file, namespace or object")            \
	/* an OS record layout this build does not know */                       \
	X(SOCKSTATE_EABI, -11, "unknown operating system record layout")

#define SOCKSTATE_ERROR_ENUM_(name, number, message) name = number,
enum sockstate_error { SOCKSTATE_ERRORS(SOCKSTATE_ERROR_ENUM_) };
#undef SOCKSTATE_ERROR_ENUM_

/* sockstate_strerror - a static English sentence for any int: the message
 * of a SOCKSTATE_E* code, "success" for 0, "unknown error" otherwise.
 * Never returns NULL. */
SOCKSTATE_API const char *sockstate_strerror(int err);

/* sockstate_errname - the code's symbolic name ("SOCKSTATE_EPERM"), or
 * "SOCKSTATE_UNKNOWN" for a number that is not a code. Never NULL. */
SOCKSTATE_API const char *sockstate_errname(int err);

/* ======================================================================
 * Normalized states
 * ==================================================================== */

/* RFC 9293 names plus the extras some OS reports. The numbers are ours and
 * stable; they are not any OS's numbers. */
typedef enum sockstate_state {
	SOCKSTATE_UNKNOWN = 0,      /* the OS reported a code no table knows */
	SOCKSTATE_CLOSED = 1,
	SOCKSTATE_LISTEN = 2,
	SOCKSTATE_SYN_SENT = 3,
	SOCKSTATE_SYN_RECEIVED = 4,
	SOCKSTATE_ESTABLISHED = 5,
	SOCKSTATE_FIN_WAIT_1 = 6,
	SOCKSTATE_FIN_WAIT_2 = 7,
	SOCKSTATE_CLOSE_WAIT = 8,
	SOCKSTATE_CLOSING = 9,
	SOCKSTATE_LAST_ACK = 10,
	SOCKSTATE_TIME_WAIT = 11,
	SOCKSTATE_DELETE_TCB = 12,  /* Windows: the TCB is being deleted */
	SOCKSTATE_BOUND = 13,       /* bound, neither listening nor connected */
	SOCKSTATE_STATE_COUNT = 14
} sockstate_state;

/* A set of states is a bit mask of SOCKSTATE_STATE_BIT(state). */
#define SOCKSTATE_STATE_BIT(s) (1u << (unsigned)(s))
#define SOCKSTATE_STATES_ALL ((1u << SOCKSTATE_STATE_COUNT) - 1u)
/* The default set: every state but BOUND, as `ss -a` and /proc list them. */
#define SOCKSTATE_STATES_DEFAULT \
	(SOCKSTATE_STATES_ALL & ~SOCKSTATE_STATE_BIT(SOCKSTATE_BOUND))

/* sockstate_state_name - the normalized name ("SYN_RECEIVED"), or NULL for
 * a value outside the enum. Static string. */
SOCKSTATE_API const char *sockstate_state_name(sockstate_state s);

/* sockstate_state_parse - any common spelling of any OS or tool to the
 * normalized state: RFC names, Linux ss ("SYN-RECV", "ESTAB", "UNCONN"),
 * net-tools ("FIN_WAIT1"), the /proc/net/tcp hex code ("0A"), BSD netstat
 * ("SYN_RCVD"), Windows netstat ("LISTENING"), MIB names
 * ("MIB_TCP_STATE_SYN_RCVD"), PowerShell ("SynReceived"), psutil
 * ("CONN_ESTABLISHED"). Case-insensitive; '-', '_' and ' ' are alike.
 * Returns 0, or SOCKSTATE_EINVAL for an unknown or NULL name (psutil's
 * NONE and illumos' IDLE are not TCP states: EINVAL). *out untouched on
 * error. */
SOCKSTATE_API int sockstate_state_parse(const char *text, sockstate_state *out);

/* sockstate_states_parse - a comma-separated list of names (each as
 * sockstate_state_parse takes it; "all" means every state, BOUND included)
 * into a mask. Returns 0 or SOCKSTATE_EINVAL (empty list, empty item, or
 * unknown name; *bad, if not NULL, then points at the offending item in
 * text). */
SOCKSTATE_API int sockstate_states_parse(const char *text, uint32_t *mask,
                                         const char **bad);

/* sockstate_state_suggest - for a name sockstate_state_parse refuses,
 * the states whose spellings (of every OS and tool) are nearest to it,
 * as a mask, when they are near: at most one letter inserted, deleted,
 * replaced or swapped with its neighbour for a name of 4-6 letters, two
 * for a longer one (case and '-', '_', ' ' ignored). "CLOSED_WAIT" gives
 * CLOSE_WAIT; "FIN_WAIT" both FIN_WAIT_1 and FIN_WAIT_2. For "did you
 * mean" messages only: parsing never takes a near match. Returns 0 when
 * nothing is near, for a name of 3 letters or fewer, for a name that
 * parses, and for NULL. */
SOCKSTATE_API uint32_t sockstate_state_suggest(const char *text);

/* Which end of a connection sees a state. */
typedef enum sockstate_side {
	SOCKSTATE_SIDE_BOTH = 0,
	SOCKSTATE_SIDE_SERVER = 1,  /* the passive opener */
	SOCKSTATE_SIDE_CLIENT = 2,  /* the active opener */
	SOCKSTATE_SIDE_CLOSER = 3,  /* whichever side closes first */
	SOCKSTATE_SIDE_PEER = 4,    /* whichever side closes second */
	SOCKSTATE_SIDE_NONE = 5     /* no connection (BOUND, CLOSED, UNKNOWN) */
} sockstate_side;

/* An explanation of one state, for people troubleshooting. */
typedef struct sockstate_state_info {
	sockstate_state state;
	sockstate_side side;
	const char *name;       /* normalized name */
	const char *meaning;    /* one or two sentences */
	const char *seen_by;    /* which side sees it, in words */
	const char *pile_means; /* what many sockets in this state usually mean */
} sockstate_state_info;

/* sockstate_state_describe - explain s in lang ("en" or "es"; NULL, "" or
 * a locale such as "es_ES.UTF-8" are accepted and reduced to the first two
 * letters; anything else is EINVAL). Fills *out with static strings.
 * Returns 0 or SOCKSTATE_EINVAL. */
SOCKSTATE_API int sockstate_state_describe(sockstate_state s, const char *lang,
                                           sockstate_state_info *out);

/* ======================================================================
 * Records
 * ==================================================================== */

typedef enum sockstate_family {
	SOCKSTATE_FAMILY_IPV4 = 1,
	SOCKSTATE_FAMILY_IPV6 = 2
} sockstate_family;

/* One end of a connection. IPv4 addresses are in addr[0..3], network byte
 * order, the rest zero; IPv6 in all 16 bytes. port is in host order.
 * scope_id is the IPv6 zone (interface index), 0 when none. flags:
 * SOCKSTATE_ENDPOINT_* bits, set on a record's local end only (were
 * `reserved_`, always 0, before 0.2). */
typedef struct sockstate_endpoint {
	uint8_t addr[16];
	uint32_t scope_id;
	uint16_t port;
	uint16_t flags;
} sockstate_endpoint;

/* Bits of sockstate_endpoint.flags. */
enum sockstate_endpoint_flags {
	/* The socket is IPv6-only (IPV6_V6ONLY): an IPv6 wildcard listener
	 * with it answers IPv6 only, one without it (a dual-stack one)
	 * IPv4 too. Meaningful only when the record's SOCKSTATE_HAS_V6ONLY
	 * bit is set (the OS told); clear, it is unknown. */
	SOCKSTATE_ENDPOINT_V6ONLY = 1u << 0
};

/* Valid bits of sockstate_socket.valid: a field whose bit is clear is
 * unknown (its value is then -1 or 0 and means nothing). */
enum sockstate_valid {
	SOCKSTATE_HAS_PID = 1u << 0,       /* pid, pid_count, pids */
	SOCKSTATE_HAS_PROCESS = 1u << 1,   /* process */
	SOCKSTATE_HAS_UID = 1u << 2,       /* uid */
	SOCKSTATE_HAS_INODE = 1u << 3,     /* inode (Linux) */
	SOCKSTATE_HAS_QUEUES = 1u << 4,    /* rx_queue, tx_queue */
	SOCKSTATE_HAS_IFINDEX = 1u << 5,   /* ifindex */
	SOCKSTATE_HAS_TIMER = 1u << 6,     /* timer, retransmits, expires_ms */
	SOCKSTATE_HAS_TCP_INFO = 1u << 7,  /* rtt_us, rttvar_us, snd_cwnd,
	                                      total_retrans */
	SOCKSTATE_HAS_COOKIE = 1u << 8,    /* cookie */
	SOCKSTATE_HAS_V6ONLY = 1u << 9     /* SOCKSTATE_ENDPOINT_V6ONLY in
	                                      local.flags: known for IPv6
	                                      sockets where the OS says
	                                      (Linux netlink: listening and
	                                      bound ones; FreeBSD, macOS:
	                                      every one); never for IPv4,
	                                      linux-proc or Windows */
};

/* Linux socket timers (the `timer` field), as /proc/net/tcp numbers them. */
enum sockstate_timer {
	SOCKSTATE_TIMER_OFF = 0,
	SOCKSTATE_TIMER_RETRANSMIT = 1,
	SOCKSTATE_TIMER_KEEPALIVE = 2,
	SOCKSTATE_TIMER_TIME_WAIT = 3,
	SOCKSTATE_TIMER_PROBE = 4
};

/* sockstate_timer_name - "off", "retransmit", "keepalive", "time_wait" or
 * "probe" (as JSON and CSV write them), or NULL for another value.
 * Static string. */
SOCKSTATE_API const char *sockstate_timer_name(int timer);

/* One TCP socket. Handed out by pointer; `size` is the number of bytes the
 * library filled, so later versions can append fields without breaking
 * callers built against this one: read a field only if it lies below
 * `size`. Copy the struct to keep it; the pointers inside (native_name is
 * static; process and pids live as long as the snapshot, or during the
 * callback) must then not outlive their owner. */
typedef struct sockstate_socket {
	uint32_t size;
	uint32_t valid;             /* SOCKSTATE_HAS_* */
	uint8_t family;             /* sockstate_family */
	uint8_t state;              /* sockstate_state */
	uint8_t timer;              /* sockstate_timer */
	uint8_t retransmits;        /* unanswered retransmits of the timer */
	int32_t native_code;        /* the OS's own state number */
	const char *native_name;    /* as the OS's usual tool prints it */
	sockstate_endpoint local;
	sockstate_endpoint remote;
	int32_t pid;                /* lowest owning pid, -1 unknown */
	uint32_t pid_count;         /* number of owning processes, 0 unknown */
	const int32_t *pids;        /* pid_count pids, ascending, or NULL */
	const char *process;        /* name of `pid`, or NULL */
	int64_t uid;                /* owner uid (Windows: unknown), -1 */
	uint64_t inode;             /* Linux socket inode, 0 unknown */
	uint64_t cookie;            /* kernel socket cookie (Linux netlink) */
	uint32_t rx_queue;          /* LISTEN: accept backlog; else unread */
	uint32_t tx_queue;          /* LISTEN: max backlog (linux-proc: 0,
	                               /proc does not print it); else unacked */
	uint32_t ifindex;           /* bound interface, 0 none */
	uint32_t expires_ms;        /* time left on the timer */
	uint32_t rtt_us;
	uint32_t rttvar_us;
	uint32_t snd_cwnd;          /* in segments */
	uint32_t total_retrans;
	const char *netns;          /* the network namespace, as the handle's
	                               netns option names it; NULL when the
	                               handle has none (the caller's own) */
	const char *zone;           /* the name of the interface the
	                               endpoints' IPv6 zone numbers (a
	                               socket's link-local ends are on one
	                               interface: local.scope_id, else
	                               remote.scope_id), looked up in the
	                               handle's network namespace when the
	                               record was read; NULL when no endpoint
	                               has a zone or the interface has no
	                               name. Any bytes but NUL: another user
	                               can name an interface with control
	                               characters (the writers escape it) */
} sockstate_socket;

/* sockstate_endpoint_format - write the address of ep as text into buf:
 * IPv4 dotted quad; IPv6 in RFC 5952 canonical form, IPv4-mapped as
 * "::ffff:192.0.2.1", with "%zone" when ep is link-local and scope_id is
 * set (the interface's name, looked up now in the calling thread's
 * network namespace, else the number). Port is not written. For a
 * record's endpoint prefer sockstate_endpoint_format_zone with the
 * record's zone: it names the interface in the record's namespace.
 * The zone is the interface's name as is: it may hold control
 * characters; escape the text before it reaches a terminal.
 * Returns the length written (excluding NUL) or SOCKSTATE_ERANGE when
 * buflen is too small (64 bytes always suffice), SOCKSTATE_EINVAL for a
 * bad family or a NULL argument. */
SOCKSTATE_API int sockstate_endpoint_format(sockstate_family family,
                                            const sockstate_endpoint *ep,
                                            char *buf, size_t buflen);

/* sockstate_endpoint_format_zone - as sockstate_endpoint_format, but the
 * zone of a link-local address is spelled `zone` (a record's or group's
 * zone field) and nothing is looked up; NULL zone: the number. Returns
 * as sockstate_endpoint_format (64 bytes suffice when zone is at most 15
 * bytes, as interface names are). */
SOCKSTATE_API int sockstate_endpoint_format_zone(sockstate_family family,
                                                 const sockstate_endpoint *ep,
                                                 const char *zone, char *buf,
                                                 size_t buflen);

/* ======================================================================
 * Queries (filters)
 * ==================================================================== */

/* An address prefix: family 0 means "no filter". bits is the prefix
 * length (32 or 128 for a single address). An IPv4 prefix also matches
 * IPv4-mapped IPv6 sockets, as the Linux kernel's own filter does. */
typedef struct sockstate_prefix {
	uint8_t family;             /* 0, or sockstate_family */
	uint8_t bits;
	uint8_t addr[16];
} sockstate_prefix;

/* Query flags. */
enum sockstate_query_flags {
	SOCKSTATE_Q_PIDS = 1u << 0,         /* map owners: pid, pids, process */
	SOCKSTATE_Q_TCP_INFO = 1u << 1,     /* fill rtt, cwnd, ... (netlink) */
	SOCKSTATE_Q_NO_PUSHDOWN = 1u << 2   /* filter in user space only (for
	                                       tests: results are identical) */
};

/* How many alternatives of the port and address filters a query holds
 * beside its first one (sockstate_query_or). */
#define SOCKSTATE_QUERY_ALT_MAX 7

/* One more alternative of a query's six port and address filters
 * (sockstate_query_or): the fields mean what the same fields of
 * sockstate_query mean (ports -1 and prefix family 0: any). */
typedef struct sockstate_query_alt {
	int32_t port;
	int32_t sport;
	int32_t dport;
	sockstate_prefix addr;
	sockstate_prefix saddr;
	sockstate_prefix daddr;
} sockstate_query_alt;

/* What to list. Start from sockstate_query_init(); every filter is "any"
 * until set. A socket is listed when it passes every filter that is set;
 * with alternatives (sockstate_query_or), the six port and address filters
 * pass when every one set in at least one alternative passes. */
typedef struct sockstate_query {
	uint32_t size;              /* sizeof(sockstate_query), set by init */
	uint32_t states;            /* state mask; 0 = SOCKSTATE_STATES_DEFAULT */
	uint32_t families;          /* mask of 1<<family; 0 = both */
	uint32_t flags;             /* SOCKSTATE_Q_* */
	int32_t port;               /* local or remote port, -1 any */
	int32_t sport;              /* local port, -1 any */
	int32_t dport;              /* remote port, -1 any */
	int32_t pid;                /* owned by this pid (implies Q_PIDS), -1 */
	int64_t uid;                /* owned by this uid, -1 any */
	sockstate_prefix addr;      /* local or remote address in prefix */
	sockstate_prefix saddr;     /* local address in prefix */
	sockstate_prefix daddr;     /* remote address in prefix */
	/* Appended (a query of an older, shorter size has no alternatives):
	 * port ... daddr above are the first alternative of the port and
	 * address filters; these are the others, in use: alt[0..alt_count). */
	uint32_t alt_count;         /* 0 .. SOCKSTATE_QUERY_ALT_MAX */
	sockstate_query_alt alt[SOCKSTATE_QUERY_ALT_MAX];
} sockstate_query;

/* sockstate_query_init - reset q to "every socket in the default states". */
SOCKSTATE_API void sockstate_query_init(sockstate_query *q);

/* sockstate_query_set - set one filter from text, as the CLI options
 * spell them. key: "state" (list, see sockstate_states_parse), "port",
 * "sport", "dport" (0-65535), "addr", "saddr", "daddr" (address or
 * address/prefix, IPv4 or IPv6, "[v6]" brackets allowed; these six go to
 * the last alternative sockstate_query_or started, if any), "pid"
 * (1-2147483647), "uid" (0-4294967294), "family" ("4", "6", "ipv4",
 * "ipv6", "inet", "inet6", "all"). Returns 0, SOCKSTATE_EINVAL for an
 * unknown key or malformed value, SOCKSTATE_ERANGE for a number out of
 * range. q is unchanged on error. */
SOCKSTATE_API int sockstate_query_set(sockstate_query *q, const char *key,
                                      const char *value);

/* sockstate_query_or - start another alternative of the port and address
 * filters: those set by sockstate_query_set from now on form it, and a
 * socket passes the six when it passes every one set in the alternative
 * before or in this one (or in any other: "sport 80, or dport 80", "saddr
 * A and daddr C, or saddr B and daddr C"). States, family, pid and uid
 * apply to every alternative. An alternative left empty passes every
 * socket. On Linux netlink the alternatives go into the kernel's filter
 * together, as one program. Returns 0, SOCKSTATE_EINVAL (q NULL or not
 * from sockstate_query_init, or the current alternative has no port or
 * address filter: it would pass every socket), SOCKSTATE_ERANGE (already
 * SOCKSTATE_QUERY_ALT_MAX alternatives besides the first). q is
 * unchanged on error. */
SOCKSTATE_API int sockstate_query_or(sockstate_query *q);

/* sockstate_prefix_parse - "192.0.2.0/24", "::1", "[fe80::1]", "10.0.0.1"
 * into *out (a plain address gets the full length). Host bits beyond the
 * prefix are cleared. Returns 0, SOCKSTATE_EINVAL (malformed) or
 * SOCKSTATE_ERANGE (prefix length too long). */
SOCKSTATE_API int sockstate_prefix_parse(const char *text, sockstate_prefix *out);

/* sockstate_port_parse - a decimal port 0-65535 (no sign, no spaces).
 * Returns 0, SOCKSTATE_EINVAL (not a number) or SOCKSTATE_ERANGE. */
SOCKSTATE_API int sockstate_port_parse(const char *text, uint16_t *out);

/* sockstate_query_match - does s pass every filter of q (the user-space
 * filter, exactly as the kernel's would)? The pid filter needs the record's
 * pids. Returns 1 or 0. */
SOCKSTATE_API int sockstate_query_match(const sockstate_query *q,
                                        const sockstate_socket *s);

/* ======================================================================
 * Handle
 * ==================================================================== */

typedef struct sockstate_handle sockstate_handle;

/* Options for sockstate_open. */
typedef struct sockstate_options {
	uint32_t size;              /* sizeof(sockstate_options) */
	const char *backend;        /* NULL or "auto": the first that works;
	                               else a name from sockstate_backends() */
	const char *pid_source;     /* NULL/"auto", "procfs" (or "bpf" where
	                               built) */
	const char *capture_dir;    /* developer option: backends that can
	                               save each raw OS reply as a file here
	                               (test fixtures); NULL normally */
	const char *netns;          /* NULL: the caller's network namespace.
	                               Else enumerate inside another one:
	                               "NAME" (/run/netns/NAME), a path to a
	                               namespace file (anything with a '/'),
	                               or "pid:PID" (that process's). Records
	                               carry this string as their netns.
	                               Linux only (elsewhere ENOTSUP). */
	const char *replay;         /* NULL: ask the OS. Else a file holding
	                               captured sock_diag dumps (what
	                               capture_dir saves, or `ss -D FILE`; one
	                               or several, concatenated): the handle
	                               lists the sockets in it instead, backend
	                               "linux-replay", every filter applied in
	                               user space, no owners (Q_PIDS: ENOTSUP).
	                               Read again by each query. Builds with
	                               the Linux decoder only (elsewhere
	                               ENOTSUP). */

	uint32_t threads;           /* a sockstate_threads: may calls on the
	                               handle use a helper thread (a struct
	                               too short to hold it: AUTO) */
} sockstate_options;

/* Where a call may run part of its work on a helper thread: with
 * SOCKSTATE_Q_PIDS the owner map is built beside the walk of the socket
 * table (Linux, FreeBSD, macOS; not with a pid filter, which builds the
 * map first); on Linux the /proc owner walk runs in two halves, and a big
 * unfiltered netlink dump runs as two dumps at once. Each thread lives
 * within one call. The fork rule (top of this header) overrides every
 * value. Windows never starts one. */
typedef enum sockstate_threads {
	SOCKSTATE_THREADS_AUTO = 0,   /* where it pays: the owner map beside
	                                 the walk always; the /proc walk in
	                                 two where two CPUs are usable; the
	                                 dump in two when the last one held
	                                 at least 4,096 sockets and a CPU is
	                                 usable beyond the caller's and the
	                                 owner map thread's */
	SOCKSTATE_THREADS_NEVER = 1,  /* every call on the calling thread
	                                 alone: the owner map first, then the
	                                 walk streams; one dump; one /proc
	                                 walk (embedders who fork, valgrind) */
	SOCKSTATE_THREADS_ALWAYS = 2  /* a second thread wherever the work can
	                                 be split, whatever the CPUs and the
	                                 table's size (tests) */
} sockstate_threads;

/* sockstate_open - create a handle on the first backend that works here
 * (or the one opts names). opts may be NULL. On success *out owns the
 * handle (free with sockstate_close). Returns 0, SOCKSTATE_EINVAL (unknown
 * backend name, or opts->threads not a sockstate_threads value),
 * SOCKSTATE_EUNAVAIL (none, or the named one, works here;
 * sockstate_errdetail(NULL) then says why), SOCKSTATE_ENOMEM. *out is NULL on
 * error.
 * With opts->netns: the handle answers for that network namespace for its
 * whole life (the namespace is entered only for a moment, by the calling
 * thread, to open the OS's socket or file there; callbacks run in the
 * caller's own namespace). Further errors: SOCKSTATE_ENOENT (no such
 * namespace or process), SOCKSTATE_EPERM (not allowed to enter it: needs
 * CAP_SYS_ADMIN), SOCKSTATE_EINVAL (malformed, or not a network namespace
 * file), SOCKSTATE_ENOTSUP (no backend here can enter one).
 * With opts->replay: nothing of the OS is asked; the file is opened here
 * (kept open, read by each query). Further errors: SOCKSTATE_ENOENT (no
 * such file), SOCKSTATE_EPERM (not readable), SOCKSTATE_EINVAL (not a
 * regular file, or given with netns, capture_dir or a backend other than
 * "linux-replay"), SOCKSTATE_ENOTSUP (this build has no Linux decoder).
 * Naming backend "linux-replay" without a replay file is EINVAL. A file
 * that is not a whole capture (truncated, malformed, a dump without its
 * end, or a dump the kernel ended with an error) makes the queries fail
 * with SOCKSTATE_EPARSE, the byte offset in sockstate_errdetail(h). */
SOCKSTATE_API int sockstate_open(sockstate_handle **out,
                                 const sockstate_options *opts);

/* sockstate_close - release h and everything it holds. NULL is fine. */
SOCKSTATE_API void sockstate_close(sockstate_handle *h);

/* sockstate_backend - the JSON name of h's backend ("linux-netlink", ...).
 * Static string. */
SOCKSTATE_API const char *sockstate_backend(const sockstate_handle *h);

/* sockstate_backends - the backends this build offers for asking the OS,
 * NULL-terminated, in preference order ("linux-replay", which reads a
 * replay file instead, is not among them). Static. */
SOCKSTATE_API const char *const *sockstate_backends(void);

/* sockstate_pid_source - how the last query with SOCKSTATE_Q_PIDS mapped
 * owners ("procfs", "bpf-iter", "windows", ...), or NULL if none yet. */
SOCKSTATE_API const char *sockstate_pid_source(const sockstate_handle *h);

/* sockstate_pid_source_reason - why the last query with SOCKSTATE_Q_PIDS
 * mapped owners the way sockstate_pid_source() says, in one line (e.g.
 * "the caller lacks CAP_BPF and CAP_SYS_ADMIN"), or "" when there is
 * nothing to say or no such query yet. Valid until the next call on h. */
SOCKSTATE_API const char *sockstate_pid_source_reason(const sockstate_handle *h);

/* sockstate_owners_unreadable - after a query that mapped owners
 * (SOCKSTATE_Q_PIDS): how many of the sockets it matched belong to some
 * process (they have an owner key: on Linux a socket inode) whose
 * descriptors the caller could not read, so that their pid, pids and
 * process are unknown although they have an owner. Sockets with no owner
 * by nature (TIME_WAIT, a connection still in a listener's accept queue,
 * one its process has closed: inode 0 on Linux) are never counted, and
 * neither is a socket whose owner was simply not found while every
 * process could be read (it was opened or closed during the walk). With
 * a pid filter it counts the sockets that passed every other filter
 * (any of them may be the pid's). *why, if not NULL, gets one line saying
 * why (e.g. "the descriptors of 37 processes could not be read:
 * permission denied"), "" when the count is 0; valid until the next call
 * on h. 0 too after a query without owners, or on a NULL h.
 * Linux's /proc walk knows what it could not read; the BPF iterator
 * reads every process; elsewhere 0. */
SOCKSTATE_API uint64_t sockstate_owners_unreadable(sockstate_handle *h,
                                                   const char **why);

/* sockstate_errdetail - one line on the last error on h: the failing OS
 * call and the OS's message (e.g. "socket(NETLINK_SOCK_DIAG): Operation
 * not permitted"), or "" after success. Valid until the next call on h.
 * h NULL: why the last sockstate_open on this thread failed (a
 * thread-local string, "" if it did not). */
SOCKSTATE_API const char *sockstate_errdetail(const sockstate_handle *h);

/* ======================================================================
 * Enumeration: streaming, snapshot, counts
 * ==================================================================== */

/* Callback for sockstate_foreach: s is valid only during the call. Return
 * 0 to go on, >0 to stop (that value is returned by sockstate_foreach). */
typedef int (*sockstate_socket_cb)(const sockstate_socket *s, void *ctx);

/* sockstate_foreach - call cb once per TCP socket that matches q.
 * q: filter, or NULL for all in the default states; read during the call.
 * Returns 0, cb's positive value, or a negative code, with one line on
 * what failed in sockstate_errdetail(h):
 *   SOCKSTATE_EINVAL   h or cb NULL, q->size smaller than the first
 *                      sockstate_query's (not initialised with
 *                      sockstate_query_init);
 *   SOCKSTATE_ENOMEM   out of memory;
 *   SOCKSTATE_EPERM    the OS refused (e.g. pid_source "bpf" without the
 *                      rights);
 *   SOCKSTATE_EUNAVAIL pid_source "bpf" and the kernel refused the
 *                      program;
 *   SOCKSTATE_ENOTSUP  Q_PIDS on a backend that cannot map owners (a
 *                      replay);
 *   SOCKSTATE_EIO      an OS call failed;
 *   SOCKSTATE_EPARSE   the OS's reply (or the replay file) was malformed;
 *   SOCKSTATE_EAGAIN   the table kept changing under the walk (BSD,
 *                      Windows, an interrupted netlink dump) and the
 *                      retries ran out;
 *   SOCKSTATE_EABI     the OS's record layout is not the one this build
 *                      knows (BSD).
 * Records already passed to cb stay passed; the call may fail after some.
 * Memory does not grow with the number of sockets, except with Q_PIDS:
 * then the owner map grows with the number of socket fds (at most 48
 * bytes each, about 30 on Linux), and, where the library builds the map
 * on a second thread while the OS is walked (sockstate_threads; Linux,
 * FreeBSD, macOS; not with a pid filter, nor for a table the backend
 * expects to hold more than 65,536 records: those build the map first),
 * the records matching every filter are held until the map is ready
 * (about 180 bytes each, at most 65,536 of them: then the walk waits for
 * the map and the rest streams), so cb's first call may come late in the
 * walk.
 * cb always runs on the calling thread. Order: as the OS lists them,
 * except that on Linux a big unfiltered listing is read as two halves at
 * once and the halves interleave, so the order may differ from run to
 * run: sort (sockstate_snapshot_sort) where order matters. cb may fork(),
 * but a helper thread of this call may be running meanwhile: the child
 * falls under the fork rule (top of this header) and must not use h, on
 * which this call is still under way. */
SOCKSTATE_API int sockstate_foreach(sockstate_handle *h, const sockstate_query *q,
                                    sockstate_socket_cb cb, void *ctx);

/* Facts about the machine and the moment a snapshot was taken. */
typedef struct sockstate_sysinfo {
	char host[256];
	char os_name[64];           /* "Linux", "FreeBSD", "Darwin", "Windows" */
	char os_release[128];
	char os_version[256];
	char machine[64];
	int64_t taken_at;           /* seconds since the Unix epoch, UTC */
} sockstate_sysinfo;

/* An owned array of records with the facts of its taking. */
typedef struct sockstate_snapshot {
	uint32_t size;              /* sizeof(sockstate_snapshot) */
	size_t count;
	sockstate_socket *sockets;  /* count records (sortable in place) */
	const char *backend;        /* static */
	const char *pid_source;     /* static, NULL when pids not asked */
	uint32_t query_flags;       /* the query's flags */
	sockstate_sysinfo sys;
	/* Appended in 0.2 (read them only below `size`): */
	uint32_t states;            /* the states the query listed (its
	                               state mask, normalized); a state
	                               outside it was not looked at */
	uint64_t owners_unreadable; /* with pids: how many records have an
	                               owner the caller could not read (see
	                               sockstate_owners_unreadable); else 0 */
} sockstate_snapshot;

/* sockstate_snapshot_take - every socket matching q into one owned
 * snapshot (*out; free with sockstate_snapshot_free). Records keep the
 * order sockstate_foreach gives them (see there: not always the same from
 * run to run). Returns 0 or a negative code, those of sockstate_foreach
 * (SOCKSTATE_EINVAL also for a NULL out); *out is NULL on error. */
SOCKSTATE_API int sockstate_snapshot_take(sockstate_handle *h,
                                          const sockstate_query *q,
                                          sockstate_snapshot **out);

/* sockstate_snapshot_free - free a snapshot and all it points to. NULL is
 * fine. */
SOCKSTATE_API void sockstate_snapshot_free(sockstate_snapshot *snap);

/* Sort keys. Ties keep the snapshot's order (the sort is stable). */
typedef enum sockstate_sort_key {
	SOCKSTATE_SORT_NONE = 0,
	SOCKSTATE_SORT_STATE,       /* normalized state, then local */
	SOCKSTATE_SORT_LOCAL,       /* family, local address, local port */
	SOCKSTATE_SORT_REMOTE,      /* family, remote address, remote port */
	SOCKSTATE_SORT_PID,         /* pid, unknown last */
	SOCKSTATE_SORT_PROCESS      /* process name, unknown last, then pid */
} sockstate_sort_key;

/* sockstate_sort_key_parse - "state", "local", "remote", "pid", "process"
 * or "none". Returns 0 or SOCKSTATE_EINVAL. */
SOCKSTATE_API int sockstate_sort_key_parse(const char *text,
                                           sockstate_sort_key *out);

/* sockstate_snapshot_sort - stable sort of snap's records by key.
 * Returns 0, SOCKSTATE_EINVAL (bad key) or SOCKSTATE_ENOMEM. */
SOCKSTATE_API int sockstate_snapshot_sort(sockstate_snapshot *snap,
                                          sockstate_sort_key key);

/* Per-state counts. */
typedef struct sockstate_counts {
	uint32_t size;                             /* sizeof(sockstate_counts) */
	uint64_t total;
	uint64_t by_state[SOCKSTATE_STATE_COUNT];
	uint64_t by_family_state[2][SOCKSTATE_STATE_COUNT]; /* [family-1][s] */
	uint64_t rx_queue_total;
	uint64_t tx_queue_total;
	/* Appended in 0.2 (a writer reads it only below `size`): */
	uint32_t states;            /* the states that were counted (the
	                               query's state mask): a 0 in a state
	                               outside it means "not looked at", not
	                               "none", so the writers leave such a
	                               state out (sockstate_counts_states).
	                               0: unknown (counts made with
	                               sockstate_counts_add alone, or by a
	                               caller built before 0.2) */
} sockstate_counts;

/* sockstate_count - count the sockets matching q per normalized state (and
 * family) into *out, which is zeroed first; out->states is q's state set
 * (the default one when q leaves it 0). No record is kept: memory does
 * not grow with the number of sockets. Returns 0 or a negative code, those
 * of sockstate_foreach (SOCKSTATE_EINVAL also for a NULL out); *out is
 * zeroed on error. */
SOCKSTATE_API int sockstate_count(sockstate_handle *h, const sockstate_query *q,
                                  sockstate_counts *out);

/* sockstate_counts_add - add one record to *c (for callers that count
 * their own stream or snapshot). c->states is left as it is. */
SOCKSTATE_API void sockstate_counts_add(sockstate_counts *c,
                                        const sockstate_socket *s);

/* sockstate_counts_merge - add every count of src to dst (e.g. the counts
 * of several network namespaces, one handle each), and src's counted
 * states to dst's (a src whose states are unknown but that counted
 * sockets makes them every state, so that no count is hidden). */
SOCKSTATE_API void sockstate_counts_merge(sockstate_counts *dst,
                                          const sockstate_counts *src);

/* sockstate_counts_states - the states a writer shows for c, as a mask:
 * those counted (c->states) and any other that has sockets; every state
 * when c->states is unknown (0, or c->size too small to hold it). The one
 * rule behind every counts writer and Python's counts(): a state that
 * was not counted is left out rather than shown as 0. c NULL: 0. */
SOCKSTATE_API uint32_t sockstate_counts_states(const sockstate_counts *c);

/* The most ports one count or one Prometheus output may name: each adds
 * 28 series (2 sides x 14 states), so at most 896 per-port series. */
#define SOCKSTATE_PORTS_MAX 32

/* The sockets whose local or remote port is `port`, per side and state:
 * what the Prometheus series sockstate_tcp_port_sockets{port,side,state}
 * say. A socket with the port at both ends counts on both sides. */
typedef struct sockstate_port_counts {
	uint32_t size;              /* sizeof(sockstate_port_counts) */
	uint16_t port;              /* set by the caller */
	uint16_t reserved_;
	uint64_t local[SOCKSTATE_STATE_COUNT];  /* by state: local port */
	uint64_t remote[SOCKSTATE_STATE_COUNT]; /* by state: remote port */
} sockstate_port_counts;

/* sockstate_port_counts_add - add s to every ports[i] (n of them) whose
 * port it has (for callers that count their own stream or snapshot). */
SOCKSTATE_API void sockstate_port_counts_add(sockstate_port_counts *ports, size_t n,
                                             const sockstate_socket *s);

/* sockstate_count_ports - one pass over the sockets matching q, adding
 * each to *c (as sockstate_count counts; c->states gains q's states) and
 * to each ports[i] whose port it has. Nothing is reset: start from zeroed
 * structs with their size (and each ports[i].port) set, so that several
 * handles (network namespaces) add up, as sockstate_groups_fill does. No
 * record is kept. The host-wide Prometheus output of the command line
 * and Python is this with a query of every state (states
 * SOCKSTATE_STATES_ALL) and no filter.
 * Returns 0, SOCKSTATE_EINVAL (h or c NULL, a size too small, ports NULL
 * with n > 0), SOCKSTATE_ERANGE (n > SOCKSTATE_PORTS_MAX), or the codes
 * of sockstate_foreach (then c and ports hold what was added before the
 * failure). */
SOCKSTATE_API int sockstate_count_ports(sockstate_handle *h, const sockstate_query *q,
                                        sockstate_counts *c, sockstate_port_counts *ports,
                                        size_t n);

/* sockstate_snapshot_merge - one new snapshot (*out, free with
 * sockstate_snapshot_free) holding the records of parts[0..n) in that
 * order, with copies of their pids, process names and netns labels; the
 * parts are unchanged and may be freed at once. Machine facts and backend
 * come from the first part, pid_source from the first that has one,
 * query_flags and states are OR'ed, owners_unreadable summed (a part
 * whose size predates states makes them every state). n may be 0 (an
 * empty snapshot of this machine).
 * Returns 0, SOCKSTATE_EINVAL (NULL out, or a NULL part), SOCKSTATE_ENOMEM;
 * *out is NULL on error. Thread-safe (no handle). */
SOCKSTATE_API int sockstate_snapshot_merge(const sockstate_snapshot *const *parts,
                                           size_t n, sockstate_snapshot **out);

/* ======================================================================
 * Grouped counts: per-state counts within groups of sockets that share a
 * key (local port, local endpoint, remote address, owning pid, process
 * name, uid, network namespace, or any combination), computed in one pass
 * in memory that grows with the number of groups, not of sockets.
 * ==================================================================== */

/* Group keys; combine with |. */
enum sockstate_group_key {
	SOCKSTATE_GROUP_PORT = 1u << 0,     /* local port (both families) */
	SOCKSTATE_GROUP_LOCAL = 1u << 1,    /* local address and port */
	SOCKSTATE_GROUP_REMOTE = 1u << 2,   /* remote address (not port) */
	SOCKSTATE_GROUP_PROCESS = 1u << 3,  /* process name of the lowest
	                                       owner (maps owners) */
	SOCKSTATE_GROUP_UID = 1u << 4,      /* owner uid */
	SOCKSTATE_GROUP_NETNS = 1u << 5,    /* the record's netns label */
	SOCKSTATE_GROUP_PID = 1u << 6       /* the lowest owning pid (maps
	                                       owners): one group per process
	                                       where PROCESS joins every
	                                       process of one name */
};
#define SOCKSTATE_GROUP_KEYS_ALL 0x7fu

/* sockstate_group_keys_parse - a comma-separated list of key names
 * ("port", "local", "remote", "process", "uid", "netns", "pid"; a name may
 * repeat) OR'ed into *keys (which the caller zeroes first, so several
 * lists add up). Returns 0 or SOCKSTATE_EINVAL (empty list or item,
 * unknown name; *bad, if not NULL, then points at the bad item). */
SOCKSTATE_API int sockstate_group_keys_parse(const char *text, uint32_t *keys,
                                             const char **bad);

/* sockstate_group_key_name - the name of one key bit ("port"), or NULL. */
SOCKSTATE_API const char *sockstate_group_key_name(uint32_t key);

/* One group: its key and its counts. Only the fields of the grouping's
 * keys mean something; the others are zero (uid: -1). */
typedef struct sockstate_group {
	uint32_t size;              /* sizeof(sockstate_group) */
	uint32_t keys;              /* the grouping's keys */
	uint8_t family;             /* LOCAL or REMOTE: the family of the
	                               address(es); else 0 */
	uint8_t reserved_;
	uint16_t port;              /* PORT: the local port */
	sockstate_endpoint local;   /* LOCAL: address and port */
	sockstate_endpoint remote;  /* REMOTE: address (port 0) */
	const char *process;        /* PROCESS: the name, NULL when unknown
	                               (no owner found, e.g. TIME_WAIT) */
	int64_t uid;                /* UID: the uid, -1 when unknown */
	const char *netns;          /* NETNS: the label, NULL for the caller's
	                               own namespace */
	uint64_t total;
	uint64_t by_state[SOCKSTATE_STATE_COUNT];
	int32_t pid;                /* PID: the lowest owning pid, -1 when
	                               unknown (no owner found) */
	const char *zone;           /* LOCAL, REMOTE: the records' zone (see
	                               sockstate_socket.zone), or NULL */
} sockstate_group;

/* An accumulator of groups. Like a handle, used by one thread at a time. */
typedef struct sockstate_groups sockstate_groups;

/* sockstate_groups_new - an empty accumulator for these keys.
 * Returns 0, SOCKSTATE_EINVAL (keys 0 or unknown bits), SOCKSTATE_ENOMEM;
 * *out is NULL on error. */
SOCKSTATE_API int sockstate_groups_new(uint32_t keys, sockstate_groups **out);

/* sockstate_groups_free - NULL is fine. */
SOCKSTATE_API void sockstate_groups_free(sockstate_groups *g);

/* sockstate_groups_fill - add every socket matching q to g, in one pass
 * with no record kept (q as sockstate_count takes it; the PROCESS and
 * PID keys add SOCKSTATE_Q_PIDS). g keeps adding up across calls, so the sockets
 * of several handles (network namespaces) can be grouped together; it
 * also remembers the backend and pid source of the first call that had
 * them, and adds up the queries' states and their owners the caller could
 * not read (sockstate_owners_unreadable). Returns 0 or a negative code
 * (then g holds what was added before the failure). */
SOCKSTATE_API int sockstate_groups_fill(sockstate_handle *h, const sockstate_query *q,
                                        sockstate_groups *g);

/* sockstate_groups_add - add one record to g (for callers that group their
 * own stream or snapshot). Returns 0 or SOCKSTATE_ENOMEM. */
SOCKSTATE_API int sockstate_groups_add(sockstate_groups *g, const sockstate_socket *s);

/* sockstate_groups_size - the number of groups in g. */
SOCKSTATE_API size_t sockstate_groups_size(const sockstate_groups *g);

/* sockstate_groups_get - the i-th group by rank: total descending, ties by
 * key ascending (port, then local, remote, pid, process, uid, netns;
 * unknown last). Ranks g first if anything was added since the last ranking (so
 * it is not thread-safe even on a g no one adds to). The pointer is valid
 * until the next add or free. NULL when i is out of range. */
SOCKSTATE_API const sockstate_group *sockstate_groups_get(sockstate_groups *g, size_t i);

/* sockstate_groups_totals - the counts of every socket added to g (what
 * sockstate_count would have said; states: those of every query that
 * filled g). */
SOCKSTATE_API const sockstate_counts *sockstate_groups_totals(const sockstate_groups *g);

/* sockstate_groups_keys - the keys g was made with. */
SOCKSTATE_API uint32_t sockstate_groups_keys(const sockstate_groups *g);

/* ======================================================================
 * Wait conditions: drain and readiness checks with one filtered query
 * ==================================================================== */

typedef enum sockstate_wait_kind {
	SOCKSTATE_WAIT_LISTEN = 1,  /* something listens on the local port */
	SOCKSTATE_WAIT_DRAINED = 2  /* no socket on the local port is in one
	                               of the states (remote addresses in
	                               exclude_remote aside) */
} sockstate_wait_kind;

/* The states that block a drain unless told otherwise: every state but
 * LISTEN and TIME_WAIT (and BOUND, which no default includes). */
#define SOCKSTATE_WAIT_DRAIN_DEFAULT                                         \
	(SOCKSTATE_STATES_DEFAULT & ~(SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN) | \
	                              SOCKSTATE_STATE_BIT(SOCKSTATE_TIME_WAIT)))

typedef struct sockstate_wait_cond {
	uint32_t size;              /* sizeof(sockstate_wait_cond), set by init */
	uint32_t kind;              /* sockstate_wait_kind */
	int32_t port;               /* the local port, 0-65535 */
	uint32_t states;            /* DRAINED: the states that block; 0 =
	                               SOCKSTATE_WAIT_DRAIN_DEFAULT */
	uint32_t families;          /* mask of 1<<family; 0 = both */
	uint32_t reserved_;
	const sockstate_prefix *exclude_remote; /* DRAINED: sockets whose remote
	                               address is in one of these prefixes do
	                               not block (an IPv4 prefix also covers
	                               IPv4-mapped IPv6); may be NULL */
	size_t exclude_count;
} sockstate_wait_cond;

/* sockstate_wait_cond_init - c for kind on port, every other field at its
 * default. */
SOCKSTATE_API void sockstate_wait_cond_init(sockstate_wait_cond *c,
                                            sockstate_wait_kind kind, uint16_t port);

/* sockstate_wait_check - evaluate c once. One query, filtered as deep as
 * the backend allows (Linux netlink: the states and the local port go into
 * the kernel's request, so the kernel walks its tables but sends only the
 * matching sockets; the dump stops at the first socket that settles the
 * answer). No sleeping and no loop: the caller polls.
 * flags: SOCKSTATE_Q_PIDS to map the owners of the blockers (only when
 * blockers is not NULL and c does not hold). blockers: NULL, or where to
 * put, when c does not hold, a snapshot of every socket that blocks it (a
 * DRAINED condition's sockets; empty for LISTEN), free with
 * sockstate_snapshot_free; NULL when c holds.
 * Returns 1 (holds), 0 (does not), or a negative code: SOCKSTATE_EINVAL
 * (bad kind, port, size, or states empty after parsing), others as
 * sockstate_foreach. */
SOCKSTATE_API int sockstate_wait_check(sockstate_handle *h, const sockstate_wait_cond *c,
                                       uint32_t flags, sockstate_snapshot **blockers);

/* ======================================================================
 * Network namespaces (Linux)
 * ==================================================================== */

/* One network namespace found by sockstate_netns_list. */
typedef struct sockstate_netns {
	uint32_t size;              /* sizeof(sockstate_netns) */
	int32_t pid;                /* the lowest pid seen in it but the
	                               caller's own (the caller's only when
	                               it is alone there), -1 if none */
	const char *spec;           /* for sockstate_options.netns: "NAME"
	                               (under /run/netns) or "pid:PID" */
	uint64_t inode;             /* the namespace's identity; 0 when the
	                               caller may not read it (see
	                               sockstate_netns_list) */
	int current;                /* 1: the calling thread's own */
} sockstate_netns;

/* sockstate_netns_list - every network namespace the caller can see, each
 * once (by inode): those named under /run/netns, sorted by name, then
 * those of running processes not named there, by that pid (spec
 * "pid:PID"; a namespace only the caller is in comes last). The caller is
 * passed over because it is gone once it has answered: a spec names a
 * process that stays. Last, the namespaces only processes the caller may
 * not inspect are in (another user's, when not root): each once, told
 * apart by their /proc/PID/net, as "pid:PID" with inode 0 (unknown);
 * opening one fails as entering any other namespace without privilege
 * does, so a caller that lists and opens them all learns what it could
 * not see (a namespace named under /run/netns whose processes are all
 * such may then appear twice: once by name, once by pid). h: any open
 * handle (its backend must support
 * namespaces). *out is one allocation, free with sockstate_netns_list_free.
 * Returns 0, SOCKSTATE_ENOTSUP, SOCKSTATE_ENOMEM, SOCKSTATE_EIO (detail on
 * h); *out NULL and *count 0 on error. */
SOCKSTATE_API int sockstate_netns_list(sockstate_handle *h, sockstate_netns **out,
                                       size_t *count);

/* sockstate_netns_list_free - NULL is fine. */
SOCKSTATE_API void sockstate_netns_list_free(sockstate_netns *list);

/* ======================================================================
 * TCP counters: the kernel's TCP statistics for the handle's network
 * namespace (Linux) or the whole system, under one vocabulary, each value
 * beside the name the OS gives it (as the states keep their native names)
 * ==================================================================== */

/* The normalized counters. The numbers are ours and stable: new counters
 * are appended, none changes meaning. Each counts events since the
 * system (or the network namespace) started; docs/COUNTERS.md gives each
 * one's native name per OS and what it means for a troubleshooter. */
typedef enum sockstate_counter {
	SOCKSTATE_COUNTER_ACTIVE_OPENS = 0,       /* connections this host opened */
	SOCKSTATE_COUNTER_PASSIVE_OPENS = 1,      /* connections it accepted */
	SOCKSTATE_COUNTER_ATTEMPT_FAILS = 2,      /* opens that failed */
	SOCKSTATE_COUNTER_ESTABLISHED_RESETS = 3, /* open connections reset */
	SOCKSTATE_COUNTER_RESETS_SENT = 4,        /* segments sent with RST */
	SOCKSTATE_COUNTER_SEGMENTS_RECEIVED = 5,
	SOCKSTATE_COUNTER_SEGMENTS_SENT = 6,
	SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED = 7,
	SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED = 8,
	SOCKSTATE_COUNTER_TIMEOUTS = 9,           /* retransmission timeouts */
	SOCKSTATE_COUNTER_SYN_RETRANSMITS = 10,
	SOCKSTATE_COUNTER_LISTEN_OVERFLOWS = 11,  /* accept queue was full */
	SOCKSTATE_COUNTER_LISTEN_DROPS = 12,      /* SYNs a listener dropped */
	SOCKSTATE_COUNTER_REQUEST_QUEUE_FULL_DROPS = 13,
	SOCKSTATE_COUNTER_SYNCOOKIES_SENT = 14,
	SOCKSTATE_COUNTER_SYNCOOKIES_RECEIVED = 15,
	SOCKSTATE_COUNTER_SYNCOOKIES_FAILED = 16,
	SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT = 17,
	SOCKSTATE_COUNTER_ABORTS_ON_DATA = 18,
	SOCKSTATE_COUNTER_ABORTS_ON_CLOSE = 19,
	SOCKSTATE_COUNTER_ABORTS_ON_MEMORY = 20,
	SOCKSTATE_COUNTER_TIME_WAIT_OVERFLOWS = 21,
	SOCKSTATE_COUNTER_COUNT = 22
} sockstate_counter;

/* Room for counters in sockstate_tcp_counters: SOCKSTATE_COUNTER_COUNT
 * grows up to it without moving any field of the struct. */
#define SOCKSTATE_COUNTER_MAX 64
/* A set of counters (sockstate_tcp_counters.valid) is a bit mask. */
#define SOCKSTATE_COUNTER_BIT(c) (UINT64_C(1) << (unsigned)(c))

/* sockstate_counter_name - the normalized name ("listen_overflows"), or
 * NULL for a value outside the enum. Static string. */
SOCKSTATE_API const char *sockstate_counter_name(sockstate_counter c);

/* sockstate_counter_parse - a counter's normalized name, or one native
 * name of one OS: Linux as nstat prints it ("TcpExtListenOverflows") or
 * as the /proc/net file's column ("ListenOverflows"), the BSD struct
 * tcpstat field ("tcps_listendrop"), the Windows MIB_TCPSTATS field
 * ("dwAttemptFails"). Case-insensitive; '-', '_' and ' ' are alike.
 * Returns 0, or SOCKSTATE_EINVAL for NULL, an unknown name, or a name
 * that is only a part of a counter (one field of a sum). *out untouched
 * on error. */
SOCKSTATE_API int sockstate_counter_parse(const char *text, sockstate_counter *out);

/* An explanation of one counter, for people troubleshooting. */
typedef struct sockstate_counter_info {
	sockstate_counter counter;
	sockstate_side side;        /* whose events it counts: SERVER (the
	                               listening side), CLIENT (the opening
	                               side), or BOTH */
	const char *name;           /* normalized name */
	const char *meaning;        /* what it counts, one or two sentences */
	const char *counted_by;     /* which side's events, in words */
	const char *growth_means;   /* what it usually means when it grows */
} sockstate_counter_info;

/* sockstate_counter_describe - explain c in lang (as
 * sockstate_state_describe takes it: "en", "es", NULL, "" or a locale).
 * Fills *out with static strings. Returns 0 or SOCKSTATE_EINVAL (c outside
 * the enum, unknown lang, NULL out). */
SOCKSTATE_API int sockstate_counter_describe(sockstate_counter c, const char *lang,
                                             sockstate_counter_info *out);

/* The counters of one moment. Set `size` to sizeof(sockstate_tcp_counters)
 * before a call fills it: a struct from an older build is then filled
 * only as far as it reaches (fields are appended, never moved; new
 * counters take free slots of the arrays). */
typedef struct sockstate_tcp_counters {
	uint32_t size;              /* IN: sizeof(sockstate_tcp_counters);
	                               OUT: the bytes filled */
	uint32_t count;             /* OUT: the counters this library knows
	                               (its SOCKSTATE_COUNTER_COUNT) */
	uint64_t valid;             /* SOCKSTATE_COUNTER_BIT(c) set: value[c]
	                               is known. Clear: the OS does not count
	                               it (value 0, native NULL), never a
	                               guess */
	uint64_t value[SOCKSTATE_COUNTER_MAX];
	const char *native[SOCKSTATE_COUNTER_MAX]; /* the OS's own name of
	                               value[c] (static): "TcpExtListenOverflows",
	                               "tcps_listendrop", "dwAttemptFails
	                               (AF_INET + AF_INET6)". A value made of
	                               several native counters names them
	                               all: "a + b", "a - b" */
	const char *source;         /* where they were read (static):
	                               "/proc/net/snmp /proc/net/netstat",
	                               "sysctl net.inet.tcp.stats",
	                               "GetTcpStatisticsEx" */
} sockstate_tcp_counters;

/* sockstate_tcp_counters_get - read the TCP counters of h's network
 * namespace (h's netns option, or the caller's own; Linux reads
 * /proc/net/snmp and /proc/net/netstat by column name, opened inside that
 * namespace) or of the whole system (FreeBSD and macOS: sysctl
 * net.inet.tcp.stats; Windows: GetTcpStatisticsEx, IPv4 and IPv6
 * summed). out->size must be set (see the struct). Counters this OS does
 * not keep are unknown (valid bit clear), never 0.
 * Returns 0, SOCKSTATE_EINVAL (NULL argument, out->size too small),
 * SOCKSTATE_ENOTSUP (h's backend reads no counters), SOCKSTATE_EPERM
 * (macOS: not root while net.inet.tcp.disable_access_to_stats is set,
 * when the kernel would answer zeros), SOCKSTATE_ENOENT (Linux: neither
 * file exists), SOCKSTATE_EPARSE (a malformed file: detail names the line),
 * SOCKSTATE_EABI (BSD: a struct tcpstat of a size this build does not
 * know), SOCKSTATE_ENOMEM, SOCKSTATE_EIO; detail on h. On error *out
 * holds no counter (valid 0) and keeps its size. */
SOCKSTATE_API int sockstate_tcp_counters_get(sockstate_handle *h,
                                             sockstate_tcp_counters *out);

/* ======================================================================
 * Diagnosis: the socket states, the TCP counters over a window and, when
 * asked, one probe connection, turned into findings (each with a stable
 * code, a severity, its evidence, what it means and what to do, in
 * English or Spanish). docs/DIAGNOSE.md lists every code, what triggers
 * it and which OS can see it.
 * ==================================================================== */

/* The findings. The numbers are ours and stable: new codes are
 * appended, none changes meaning. */
typedef enum sockstate_finding_code {
	SOCKSTATE_FINDING_NO_LISTENER = 0,              /* nothing listens on P */
	SOCKSTATE_FINDING_LISTENER_NOT_ON_ADDRESS = 1,  /* P listens, not on the
	                                                   address asked, or on
	                                                   loopback only */
	SOCKSTATE_FINDING_IPV6_ONLY_LISTENER = 2,       /* [::]:P is IPv6-only */
	SOCKSTATE_FINDING_ACCEPT_QUEUE_OVERFLOW = 3,
	SOCKSTATE_FINDING_SYN_RECEIVED_PILE = 4,
	SOCKSTATE_FINDING_CLOSE_WAIT_LEAK = 5,
	SOCKSTATE_FINDING_SYN_SENT_UNANSWERED = 6,
	SOCKSTATE_FINDING_EPHEMERAL_PORTS_LOW = 7,
	SOCKSTATE_FINDING_TIME_WAIT_PILE = 8,
	SOCKSTATE_FINDING_RETRANSMISSIONS_HIGH = 9,
	SOCKSTATE_FINDING_CONNECTION_REFUSED = 10,      /* the probe's */
	SOCKSTATE_FINDING_CONNECTION_TIMEOUT = 11,      /* the probe's */
	SOCKSTATE_FINDING_NO_ROUTE = 12,                /* the probe's */
	SOCKSTATE_FINDING_NO_EPHEMERAL_PORT = 13,       /* the probe's */
	SOCKSTATE_FINDING_COUNT = 14
} sockstate_finding_code;

/* Room for codes in the per-code arrays of sockstate_diagnosis: the
 * count grows up to it without moving any field. */
#define SOCKSTATE_FINDING_MAX 32

/* sockstate_finding_name - the code's stable name ("no-listener",
 * "accept-queue-overflow", ...), or NULL outside the enum. Static. */
SOCKSTATE_API const char *sockstate_finding_name(sockstate_finding_code c);

/* sockstate_finding_parse - a name as sockstate_finding_name gives it
 * (case-insensitive; '-', '_' and ' ' alike) into *out. Returns 0 or
 * SOCKSTATE_EINVAL (*out untouched). */
SOCKSTATE_API int sockstate_finding_parse(const char *text, sockstate_finding_code *out);

typedef enum sockstate_severity {
	SOCKSTATE_SEVERITY_INFO = 1,     /* worth knowing; not a fault */
	SOCKSTATE_SEVERITY_WARNING = 2,  /* likely to hurt, or hurting some */
	SOCKSTATE_SEVERITY_CRITICAL = 3  /* connections fail now */
} sockstate_severity;

/* sockstate_severity_name - "info", "warning", "critical", or NULL. */
SOCKSTATE_API const char *sockstate_severity_name(sockstate_severity s);

/* sockstate_severity_parse - one of those names into *out. Returns 0 or
 * SOCKSTATE_EINVAL (*out untouched). */
SOCKSTATE_API int sockstate_severity_parse(const char *text, sockstate_severity *out);

/* An explanation of one finding, from the same table as the states' and
 * the counters' explanations. */
typedef struct sockstate_finding_info {
	sockstate_finding_code code;
	sockstate_side side;        /* whose matter: SERVER (a listener's),
	                               CLIENT (a connecting side's), BOTH */
	const char *name;           /* the code's name */
	const char *title;          /* what is wrong, in a few words */
	const char *meaning;        /* what it means, two or three sentences */
	const char *whose;          /* whose problem it is, in words */
	const char *advice;         /* what to do */
} sockstate_finding_info;

/* sockstate_finding_describe - explain c in lang (as
 * sockstate_state_describe takes it). Fills *out with static strings.
 * Returns 0 or SOCKSTATE_EINVAL (c outside the enum, unknown lang, NULL
 * out). */
SOCKSTATE_API int sockstate_finding_describe(sockstate_finding_code c, const char *lang,
                                             sockstate_finding_info *out);

/* sockstate_endpoint_parse - "ADDR:PORT" ("192.0.2.1:443", "[::1]:80",
 * "[fe80::1%2]:22") into *family and *out (port in host order). The
 * address must be literal: no name is resolved. Returns 0,
 * SOCKSTATE_EINVAL (malformed, NULL argument) or SOCKSTATE_ERANGE (port
 * above 65535); the outputs are untouched on error. */
SOCKSTATE_API int sockstate_endpoint_parse(const char *text, sockstate_family *family,
                                           sockstate_endpoint *out);

/* What to diagnose. Start from sockstate_diagnose_options_init. */
typedef struct sockstate_diagnose_options {
	uint32_t size;              /* sizeof(sockstate_diagnose_options) */
	uint32_t flags;             /* SOCKSTATE_DIAG_* */
	int32_t port;               /* a local port whose service to look at,
	                               -1: none (host-wide findings only) */
	uint8_t addr_family;        /* with port: the local address clients
	                               use (addr), or 0: any */
	uint8_t to_family;          /* a destination (to) to look at, or 0 */
	uint16_t reserved_;
	sockstate_endpoint addr;    /* its port is ignored */
	sockstate_endpoint to;      /* address and port */
	uint32_t interval_ms;       /* between the two counter samples; 0:
	                               one sample, the totals since boot
	                               (findings that need a change say they
	                               could not judge it). Default 1000 */
	uint32_t probe_timeout_ms;  /* SOCKSTATE_DIAG_PROBE: how long the
	                               connect may take; 0 = 3000 */
	const char *lang;           /* the texts' language, as
	                               sockstate_state_describe takes it */
} sockstate_diagnose_options;

enum sockstate_diagnose_flags {
	/* One connect to `to`, with probe_timeout_ms: its outcome becomes a
	 * finding (connection-refused, connection-timeout, no-route,
	 * no-ephemeral-port) or the probe's success. Needs to_family. */
	SOCKSTATE_DIAG_PROBE = 1u << 0
};

/* sockstate_diagnose_options_init - size set, no port, address or
 * destination, interval 1000 ms, probe timeout 3000 ms, lang NULL. */
SOCKSTATE_API void sockstate_diagnose_options_init(sockstate_diagnose_options *o);

/* How far a check could look (sockstate_diagnosis.checks). */
typedef enum sockstate_check_status {
	SOCKSTATE_CHECK_CLEAR = 0,       /* looked at: nothing found (notes say
	                                    which part could not be used) */
	SOCKSTATE_CHECK_FOUND = 1,       /* at least one finding of the code */
	SOCKSTATE_CHECK_NOT_ASKED = 2,   /* needs options not given (a port, a
	                                    destination, the probe) */
	SOCKSTATE_CHECK_NOT_CHECKED = 3, /* this OS or backend does not give
	                                    what it rests on (notes say what) */
	SOCKSTATE_CHECK_NOT_JUDGED = 4   /* it rests on changes of counters,
	                                    and there was one sample only */
} sockstate_check_status;

/* sockstate_check_status_name - "clear", "found", "not-asked",
 * "not-checked", "not-judged", or NULL. */
SOCKSTATE_API const char *sockstate_check_status_name(sockstate_check_status s);

/* Why a check could not use something (bits of checks_notes[code]). */
enum sockstate_check_note {
	SOCKSTATE_NOTE_NEEDS_PORT = 1u << 0,      /* needs a port */
	SOCKSTATE_NOTE_NEEDS_ADDRESS = 1u << 1,   /* (with a port) an address */
	SOCKSTATE_NOTE_NEEDS_TO = 1u << 2,        /* needs a destination */
	SOCKSTATE_NOTE_NEEDS_PROBE = 1u << 3,     /* needs the probe */
	SOCKSTATE_NOTE_NO_COUNTERS = 1u << 4,     /* the TCP counters could not
	                                             be read here */
	SOCKSTATE_NOTE_COUNTER_UNKNOWN = 1u << 5, /* a counter it uses is one
	                                             this OS does not keep */
	SOCKSTATE_NOTE_SINCE_BOOT = 1u << 6,      /* one sample: totals since
	                                             boot, no change to judge */
	SOCKSTATE_NOTE_NO_BACKLOG = 1u << 7,      /* listeners' backlog unknown
	                                             (linux-proc, Windows) */
	SOCKSTATE_NOTE_NO_V6ONLY = 1u << 8,       /* IPV6_V6ONLY unknown
	                                             (linux-proc, Windows) */
	SOCKSTATE_NOTE_NO_PORT_RANGE = 1u << 9,   /* ephemeral range unknown */
	SOCKSTATE_NOTE_PORT_RANGE_ASSUMED = 1u << 10, /* the OS's documented
	                                             default, not read */
	SOCKSTATE_NOTE_NO_RETRANSMITS = 1u << 11, /* sockets' retransmission
	                                             counts unknown: SYN_SENT
	                                             judged by two looks */
	SOCKSTATE_NOTE_OWNERS_UNKNOWN = 1u << 12  /* some sockets' owners could
	                                             not be read */
};
#define SOCKSTATE_NOTE_COUNT 13

/* sockstate_check_note_name - the name of one note bit ("since-boot",
 * "no-backlog", ...), or NULL. */
SOCKSTATE_API const char *sockstate_check_note_name(uint32_t note);

/* One finding. Read a field only below `size` (fields are appended). Its
 * pointers live as long as the diagnosis that holds it. */
typedef struct sockstate_finding {
	uint32_t size;
	uint8_t code;               /* sockstate_finding_code */
	uint8_t severity;           /* sockstate_severity */
	uint8_t variant;            /* which of the code's headlines (0, 1...;
	                               docs/DIAGNOSE.md) */
	uint8_t family;             /* of local and remote; 0 when neither */
	const char *headline;       /* what was found, with its numbers, in
	                               the diagnosis' language */
	sockstate_endpoint local;   /* the local endpoint it is about (a
	                               listener; with the port asked, the
	                               address asked), else zero */
	sockstate_endpoint remote;  /* the destination it is about, else zero */
	int32_t pid;                /* the process it is about, -1 none */
	uint32_t reserved_;
	const char *process;        /* its name, NULL unknown */
	uint64_t count;             /* what it counts (sockets, ports, events) */
	uint64_t limit;             /* what count is measured against (a
	                               backlog, the port range's size, the
	                               segments sent), 0 none */
	uint64_t counters;          /* SOCKSTATE_COUNTER_BITs of the counters
	                               it rests on (their changes, or totals,
	                               are in the diagnosis) */
	const sockstate_socket *sockets; /* some of the sockets it rests on */
	size_t socket_count;        /* how many there (at most
	                               SOCKSTATE_FINDING_SOCKETS_MAX) */
	uint64_t sockets_total;     /* how many it rests on in all */
} sockstate_finding;

/* A finding lists at most this many of its sockets. */
#define SOCKSTATE_FINDING_SOCKETS_MAX 8

/* The probe's outcome (sockstate_diagnosis.probe.result). */
typedef enum sockstate_probe_result {
	SOCKSTATE_PROBE_NONE = 0,        /* no probe asked */
	SOCKSTATE_PROBE_CONNECTED = 1,
	SOCKSTATE_PROBE_REFUSED = 2,     /* a reset (or ICMP port unreachable)
	                                    came back */
	SOCKSTATE_PROBE_TIMEOUT = 3,     /* no answer within the timeout */
	SOCKSTATE_PROBE_NO_ROUTE = 4,    /* host or network unreachable, or the
	                                    local system forbade it */
	SOCKSTATE_PROBE_NO_PORT = 5,     /* no free local port (EADDRNOTAVAIL) */
	SOCKSTATE_PROBE_ERROR = 6        /* another error: see os_error */
} sockstate_probe_result;

/* sockstate_probe_result_name - "none", "connected", "refused",
 * "timeout", "no-route", "no-port", "error", or NULL. */
SOCKSTATE_API const char *sockstate_probe_result_name(sockstate_probe_result r);

typedef struct sockstate_probe {
	uint32_t result;            /* sockstate_probe_result */
	int32_t os_error;           /* the OS's error number (errno, or the
	                               WSA code), 0 when connected */
	const char *os_error_name;  /* "ECONNREFUSED", "WSAETIMEDOUT"...,
	                               NULL when connected; static */
	const char *os_message;     /* the OS's sentence, or NULL */
	uint8_t family;             /* of local and to */
	uint8_t reserved_[3];
	int32_t syn_retransmits;    /* SYNs sent again before the outcome, as
	                               the socket's TCP_INFO tells (Linux); -1
	                               unknown */
	sockstate_endpoint local;   /* the local end it got, port 0 unknown */
	sockstate_endpoint to;
	uint32_t timeout_ms;
	uint32_t elapsed_ms;        /* from connect to the outcome */
} sockstate_probe;

/* Everything one diagnosis found and rests on: one owned object, free
 * with sockstate_diagnosis_free. Read a field only below `size`. */
typedef struct sockstate_diagnosis {
	uint32_t size;
	uint32_t flags;             /* SOCKSTATE_DIAGNOSIS_* */
	const char *lang;           /* "en" or "es": the headlines' language */
	const char *backend;        /* static */
	sockstate_sysinfo sys;      /* taken at the end of the window */
	sockstate_diagnose_options asked; /* the options, normalized (lang:
	                               this diagnosis' own) */
	size_t count;
	const sockstate_finding *findings; /* most severe first, then by code,
	                               then as found */
	uint8_t checks[SOCKSTATE_FINDING_MAX];       /* sockstate_check_status
	                               per code (below SOCKSTATE_FINDING_COUNT) */
	uint32_t checks_notes[SOCKSTATE_FINDING_MAX]; /* SOCKSTATE_NOTE_* bits */
	int64_t window_ms;          /* between the two counter samples; 0 with
	                               one sample */
	sockstate_tcp_counters before; /* the first sample (with one sample:
	                               the totals since boot) */
	sockstate_tcp_counters after;  /* the second (valid 0 with one) */
	uint64_t counters_known;    /* counters known in every sample taken */
	int counters_error;         /* 0, or why none could be read (a
	                               SOCKSTATE_E* code; ENOTSUP: this backend
	                               reads none) */
	uint32_t port_first;        /* the ephemeral port range (both 0:
	                               unknown) */
	uint32_t port_last;
	const char *port_range_source; /* where it was read ("/proc/sys/net/
	                               ipv4/ip_local_port_range", "sysctl
	                               net.inet.ip.portrange.first/last"), or
	                               "default" (Windows: the documented
	                               default, not read); static */
	sockstate_probe probe;      /* result NONE when not asked */
	size_t sockets_seen;        /* the sockets looked at */
	uint64_t owners_unknown;    /* of them, sockets in CLOSE_WAIT whose
	                               owner could not be read */
} sockstate_diagnosis;

enum sockstate_diagnosis_flags {
	SOCKSTATE_DIAGNOSIS_COUNTERS = 1u << 0,   /* `before` was read */
	SOCKSTATE_DIAGNOSIS_WINDOW = 1u << 1,     /* and `after`: changes known */
	SOCKSTATE_DIAGNOSIS_PORT_RANGE = 1u << 2  /* port_first..port_last */
};

/* sockstate_diagnose - look at h's network namespace (or system) and
 * decide: read the TCP counters, list the SYN_SENT sockets, read the
 * ephemeral port range, make the probe if asked (one non-blocking connect
 * from h's namespace, timed out at probe_timeout_ms), wait until
 * interval_ms has passed since the first sample (sleeping: the call
 * takes at least that long, or the probe's time if longer), read the
 * counters again and list every socket with its owners where the
 * caller may read them; then turn what it saw into findings
 * (docs/DIAGNOSE.md: each rule and its thresholds). The findings rest on
 * what the caller may see: owners of other users' sockets need root.
 * A part that cannot be had is no error: the checks that needed it say
 * so (checks, checks_notes).
 * o: NULL for the defaults (host-wide, 1 s, English).
 * *out: free with sockstate_diagnosis_free.
 * Returns 0; SOCKSTATE_EINVAL (NULL h or out, o->size too small, a bad
 * family or port, addr without port, PROBE without to, unknown lang or
 * flag); or what listing the sockets returned (as sockstate_foreach:
 * SOCKSTATE_EPERM, SOCKSTATE_EIO, ...; detail in sockstate_errdetail(h)).
 * *out is NULL on error. */
SOCKSTATE_API int sockstate_diagnose(sockstate_handle *h, const sockstate_diagnose_options *o,
                                     sockstate_diagnosis **out);

/* sockstate_diagnosis_free - NULL is fine. */
SOCKSTATE_API void sockstate_diagnosis_free(sockstate_diagnosis *d);

/* sockstate_diagnosis_worst - the highest severity among d's findings,
 * or 0 when it has none (NULL: 0). */
SOCKSTATE_API int sockstate_diagnosis_worst(const sockstate_diagnosis *d);

/* ======================================================================
 * Output writers (the CLI and the Python package both use these, so their
 * outputs are byte-identical)
 * ==================================================================== */

typedef enum sockstate_format {
	SOCKSTATE_FORMAT_TABLE = 0,
	SOCKSTATE_FORMAT_JSON = 1,      /* the "sockstate/1" document */
	SOCKSTATE_FORMAT_CSV = 2,
	SOCKSTATE_FORMAT_PROMETHEUS = 3 /* text exposition format */
} sockstate_format;

/* sockstate_format_parse - "table", "json", "csv", "prometheus".
 * Returns 0 or SOCKSTATE_EINVAL. */
SOCKSTATE_API int sockstate_format_parse(const char *text, sockstate_format *out);

/* Where writers put their bytes: called with chunks of up to 64 KiB.
 * Return 0, or a negative SOCKSTATE_E* code to stop the writer (which then
 * returns it). */
typedef int (*sockstate_write_fn)(void *ctx, const char *buf, size_t len);

/* Writer options. */
typedef struct sockstate_write_opts {
	uint32_t size;              /* sizeof(sockstate_write_opts) */
	sockstate_format format;
	uint32_t flags;             /* SOCKSTATE_W_* */
	int32_t port;               /* prometheus, sockstate_snapshot_write:
	                               the per-port series of this port,
	                               counted from the records; -1 none */
	/* Appended in 0.2 (read only when `size` covers them): */
	const sockstate_port_counts *ports; /* prometheus,
	                               sockstate_counts_write: a per-port
	                               series for each (sockstate_count_ports
	                               fills them); ignored elsewhere */
	size_t nports;              /* 0..SOCKSTATE_PORTS_MAX, no port twice */
	const sockstate_tcp_counters *tcp_counters; /* snapshot and counts
	                               writers: JSON gets a "tcp_counters"
	                               object, Prometheus the counters' series
	                               (as sockstate_tcp_counters_write), NULL
	                               none */
	const sockstate_diagnosis *diagnosis; /* snapshot writer, JSON: a
	                               "findings" array (each finding's texts
	                               in every language), NULL none */
} sockstate_write_opts;

/* The bytes of sockstate_write_opts' first version: the least `size` a
 * writer takes. */
#define SOCKSTATE_WRITE_OPTS_FIRST_SIZE 16u

enum sockstate_write_flags {
	SOCKSTATE_W_NO_HEADER = 1u << 0, /* table, csv: no header line */
	SOCKSTATE_W_PIDS = 1u << 1,      /* table, csv: pid/process columns
	                                    (json always has them) */
	SOCKSTATE_W_TIMERS = 1u << 2,    /* the socket's timer (its kind, the
	                                    time left, the retries), as `ss -o`
	                                    shows it: table, a column after
	                                    netns "timewait,48sec,0" ("off"; "-"
	                                    when the backend has no timers);
	                                    csv, columns timer,
	                                    timer_expires_ms, timer_retransmits;
	                                    json, a "timer" object per socket
	                                    (null when unknown). Socket
	                                    listings only (snapshot and
	                                    streaming writers). */
	SOCKSTATE_W_CSV_FORMULA_SAFE = 1u << 3, /* csv: a text field that
	                                    starts with = + - @ TAB or CR gets
	                                    a leading ' (and quotes), so a
	                                    spreadsheet does not run it as a
	                                    formula (OWASP, "CSV injection") */
	SOCKSTATE_W_NETNS = 1u << 4      /* a netns column (table, csv) or
	                                    key (json) even if no record
	                                    carries a label: what several
	                                    handles (namespaces) feeding one
	                                    streaming writer set, since it
	                                    cannot look at every record first */
};

/* Text that comes from outside (process names, interface names in
 * zones, netns labels, host facts) is written so that it cannot reach a
 * terminal as a control sequence, in every format, by one function:
 * well-formed UTF-8 passes; each ill-formed subpart becomes U+FFFD (the
 * table: '?'); control characters (C0, DEL, C1) become '?' in the table,
 * CSV and Prometheus label values, and \u00XX in JSON (which keeps the
 * exact text). docs/OUTPUT.md and docs/SECURITY.md give the details. */

/* sockstate_snapshot_write - write snap in o->format through fn.
 * Table: one line per socket, like `ss -tan`, with the normalized and the
 * native state, each column as wide as its widest cell (counted in
 * terminal columns); a dual-stack IPv6 wildcard listener (local address
 * ::, SOCKSTATE_HAS_V6ONLY set and the V6ONLY flag clear) shows its local
 * end as `*:PORT`, as ss does. JSON: the "sockstate/1" document, ending
 * in a newline (per socket "v6only": true, false or null; with pids,
 * "owners_unreadable", after the sockets). CSV: RFC 4180 with a header
 * row, its v6only column true, false or empty. Prometheus: the counts of
 * the snapshot's records, only the states it listed (snap->states), plus
 * the per-port series of o->port when >= 0 (o->ports is not used here):
 * its series describe what was listed, so the host-wide series need an
 * unfiltered snapshot of every state, or sockstate_count_ports.
 * When any record carries a netns label (or o->flags has
 * SOCKSTATE_W_NETNS), the table and CSV gain a netns column and JSON
 * sockets a "netns" key (the others: CSV empty, JSON null). Table, JSON
 * and CSV are the streaming writer's bytes (sockstate_writer_new) for the
 * same records, except that a table longer than its look-ahead is
 * measured whole here.
 * Returns 0, fn's error (a positive return from fn counts as
 * SOCKSTATE_EIO), or SOCKSTATE_EINVAL (NULL argument, o->size too small,
 * bad format, o->port outside -1..65535, a record with a bad family or
 * state); argument checks run before anything is written. */
SOCKSTATE_API int sockstate_snapshot_write(const sockstate_snapshot *snap,
                                           const sockstate_write_opts *o,
                                           sockstate_write_fn fn, void *ctx);

/* The streaming writer: a socket listing (table, JSON, CSV) written as
 * its records come, so that listing a table costs memory that does not
 * grow with the number of sockets. Like a handle, a writer is used by one
 * thread at a time. */
typedef struct sockstate_writer sockstate_writer;

/* sockstate_writer_new - a writer of one listing in o->format through fn,
 * fed by sockstate_writer_fill or sockstate_writer_add and finished by
 * sockstate_writer_end: the bytes sockstate_snapshot_write gives for the
 * same records, but
 *   - JSON: "owners_unreadable", "total" and "counts" follow "sockets"
 *     (they are counted as the sockets are written);
 *   - table: the columns' widths are decided before the first row, from
 *     a look-ahead of up to 1,000 records (copied, with their pids and
 *     strings; about 220 KiB). A listing that ends within it is measured
 *     whole, as a snapshot is. A longer one gets room for what is known
 *     without reading on (the longest name of the states the query lets
 *     through, a five-digit port after the widest address seen, a
 *     seven-digit pid), and a later, longer value pushes the rest of its
 *     line right (docs/OUTPUT.md);
 *   - the netns column or key appears with SOCKSTATE_W_NETNS, or when
 *     the first record (the table: any record of the look-ahead)
 *     carries a label.
 * Nothing else per socket is kept. sys: the machine facts for the JSON
 * head (copied), or NULL to take them now (sockstate_sysinfo_get).
 * *out: free with sockstate_writer_free. Returns 0, SOCKSTATE_EINVAL
 * (NULL fn or out, o refused as sockstate_snapshot_write refuses it, or
 * Prometheus: that is counts, see sockstate_counts_write, or
 * sockstate_snapshot_write for per-port series), SOCKSTATE_ENOMEM; *out
 * is NULL on error. */
SOCKSTATE_API int sockstate_writer_new(const sockstate_write_opts *o,
                                       const sockstate_sysinfo *sys,
                                       sockstate_write_fn fn, void *ctx,
                                       sockstate_writer **out);

/* sockstate_writer_source - what the records come from, for the JSON
 * head and its sockets: backend and pid_source (static strings or NULL;
 * the first non-NULL of each is kept), the query's flags
 * (SOCKSTATE_Q_PIDS: every JSON socket gets "pids"; OR'ed in), and
 * owners_unreadable (see sockstate_owners_unreadable; summed, and written
 * after the sockets, with a pid source). sockstate_writer_fill calls it
 * itself. Backend, pid source and flags are ignored once the head is
 * written (the first record of JSON or CSV, the end of the table's
 * look-ahead). Returns 0 or SOCKSTATE_EINVAL (NULL w). */
SOCKSTATE_API int sockstate_writer_source(sockstate_writer *w, const char *backend,
                                          const char *pid_source, uint32_t query_flags,
                                          uint64_t owners_unreadable);

/* sockstate_writer_add - write one record, or hold a copy of it in the
 * table's look-ahead. s is read during the call only. Returns 0,
 * SOCKSTATE_EINVAL (NULL argument, a record with a bad family or state:
 * refused, nothing written, the writer goes on; or after
 * sockstate_writer_end), SOCKSTATE_ENOMEM (the look-ahead), or fn's error
 * (a positive return from fn counts as SOCKSTATE_EIO), which is then
 * returned by every later call. */
SOCKSTATE_API int sockstate_writer_add(sockstate_writer *w, const sockstate_socket *s);

/* sockstate_writer_fill - add every socket matching q on h, as
 * sockstate_foreach runs q (q NULL: the default query), telling w h's
 * backend, the run's pid source and q's flags first
 * (sockstate_writer_source). Several handles (one per network
 * namespace) may fill one writer in turn. The listing of a query with
 * SOCKSTATE_Q_PIDS costs the owner map besides (see sockstate_foreach).
 * Returns 0, a code of sockstate_foreach (detail in
 * sockstate_errdetail(h)), or an error of sockstate_writer_add. A failure
 * may come after records were written: the listing is then incomplete,
 * and only sockstate_writer_free is left to call. */
SOCKSTATE_API int sockstate_writer_fill(sockstate_writer *w, sockstate_handle *h,
                                        const sockstate_query *q);

/* sockstate_writer_count - the records added to w so far (0 for NULL). */
SOCKSTATE_API uint64_t sockstate_writer_count(const sockstate_writer *w);

/* sockstate_writer_end - finish the listing: the table's look-ahead (its
 * header first, even with no record), JSON's closing "total" and
 * "counts", and the last bytes to fn. Call once. Returns 0, fn's first
 * error, or SOCKSTATE_EINVAL (NULL w, called twice). */
SOCKSTATE_API int sockstate_writer_end(sockstate_writer *w);

/* sockstate_writer_free - release w (NULL is fine). A writer freed before
 * sockstate_writer_end leaves its listing unfinished. */
SOCKSTATE_API void sockstate_writer_free(sockstate_writer *w);

/* sockstate_counts_write - write per-state counts as a table ("STATE
 * COUNT" lines and a total), a JSON object, CSV, or the Prometheus gauge
 * sockstate_tcp_sockets{state,family}, with the per-port series
 * sockstate_tcp_port_sockets{port,side,state} of each of o->ports (in
 * that order). Every state sockstate_counts_states(c) names is written,
 * zeros included; a state that was not counted is left out (Prometheus:
 * its series too, per port as well). sys may be NULL (then the JSON's
 * host facts are null). o->port is ignored. Returns as above, and
 * SOCKSTATE_EINVAL for o->nports over SOCKSTATE_PORTS_MAX, o->ports NULL
 * with nports > 0, a port count with a size too small, or one port
 * twice. */
SOCKSTATE_API int sockstate_counts_write(const sockstate_counts *c,
                                         const sockstate_sysinfo *sys,
                                         const char *backend,
                                         const sockstate_write_opts *o,
                                         sockstate_write_fn fn, void *ctx);

/* sockstate_groups_write - write g's groups by rank, the first `top` of
 * them (0: all). Table: a column per key (port, local, remote, pid,
 * process, uid, netns, in that order), Total, and a column per state
 * that has sockets, then a "(N more)" row for the groups cut and a TOTAL
 * row. JSON: the counts document with "group_by", "groups_total" and
 * "groups" (docs/OUTPUT.md), and "owners_unreadable" when the groups
 * mapped owners. CSV: the key columns, total, and every state of
 * sockstate_counts_states(sockstate_groups_totals(g)) (a state not
 * counted has no column). Prometheus is not offered (a group per port or peer has no bound
 * on its cardinality): SOCKSTATE_EINVAL. sys and backend as for
 * sockstate_counts_write (backend NULL: the one g remembers). Ranks g
 * first if needed. Returns as above. */
SOCKSTATE_API int sockstate_groups_write(sockstate_groups *g, size_t top,
                                         const sockstate_sysinfo *sys,
                                         const char *backend,
                                         const sockstate_write_opts *o,
                                         sockstate_write_fn fn, void *ctx);

/* sockstate_tcp_counters_write - write c in o->format, every counter in
 * the enum's order. Table: "Counter Value Native" lines, "-" for an
 * unknown value and native name. JSON: the sockstate/1 document's head
 * (host facts from sys, which may be NULL; backend) and "tcp_counters":
 * {"source":..., "counters":{"active_opens":{"value":N,"native":"..."},
 * ...}}, unknown values and names null (docs/OUTPUT.md). CSV: the header
 * counter,value,native and a row per counter, unknown fields empty.
 * Prometheus: one counter family per known counter,
 * sockstate_tcp_<name>_total, with its HELP and TYPE lines, and
 * sockstate_info{backend,version}; unknown counters are left out, never
 * written as 0. o->port is ignored. Returns 0, fn's error (a positive
 * return counts as SOCKSTATE_EIO), or SOCKSTATE_EINVAL (NULL c, o or fn,
 * c->size or o->size too small, bad format); argument checks run before
 * anything is written. */
SOCKSTATE_API int sockstate_tcp_counters_write(const sockstate_tcp_counters *c,
                                               const sockstate_sysinfo *sys,
                                               const char *backend,
                                               const sockstate_write_opts *o,
                                               sockstate_write_fn fn, void *ctx);

/* sockstate_diagnosis_write - d in o->format, in d's language. TABLE:
 * one block per finding, most severe first: "SEVERITY  code: headline",
 * then labelled lines (the sockets and counters it rests on, what it
 * means, what to do), then the probe's outcome, the counters' window and
 * the checks that could not be made; "No problem found." when there is
 * no finding. JSON: the "sockstate-diagnosis/1" document
 * (docs/schema/sockstate-diagnosis-1.json), ending in a newline. CSV and
 * PROMETHEUS are not offered. o->port and o->flags are ignored.
 * Returns 0, fn's error (a positive return counts as SOCKSTATE_EIO), or
 * SOCKSTATE_EINVAL (NULL argument, a size too small, another format),
 * checked before anything is written. Thread-safe (no handle). */
SOCKSTATE_API int sockstate_diagnosis_write(const sockstate_diagnosis *d,
                                            const sockstate_write_opts *o,
                                            sockstate_write_fn fn, void *ctx);

/* sockstate_write_fd - a ready sockstate_write_fn: ctx points to an int
 * file descriptor; writes everything, retrying short writes and EINTR.
 * Returns 0 or SOCKSTATE_EIO. */
SOCKSTATE_API int sockstate_write_fd(void *ctx, const char *buf, size_t len);

/* sockstate_sysinfo_get - fill *out with this machine's facts and the
 * current time. Returns 0 (fields the OS does not give are ""). */
SOCKSTATE_API int sockstate_sysinfo_get(sockstate_sysinfo *out);

/* ======================================================================
 * Connection lifecycle events (trace): one event per state transition
 * of a TCP socket, a summary per connection when it ends, and an event
 * that counts what was lost. docs/TRACE.md says what each source can
 * see, on which OS, with which privilege, at what cost.
 * ==================================================================== */

/* Where events come from. */
typedef enum sockstate_event_source {
	SOCKSTATE_TRACE_AUTO = 0,              /* the best one allowed here */
	SOCKSTATE_TRACE_BPF = 1,               /* Linux, CAP_BPF+CAP_PERFMON:
	                                          every transition, as it
	                                          happens, with causes */
	SOCKSTATE_TRACE_SOCK_DIAG_DESTROY = 2, /* Linux: one event per socket
	                                          destroyed, with tcp_info */
	SOCKSTATE_TRACE_POLL = 3               /* every OS: listings diffed
	                                          at an interval */
} sockstate_event_source;

/* sockstate_event_source_name - "auto", "bpf", "sock-diag-destroy",
 * "poll", or NULL outside the enum. Static. */
SOCKSTATE_API const char *sockstate_event_source_name(sockstate_event_source s);

/* sockstate_event_source_parse - one of those names into *out. Returns 0
 * or SOCKSTATE_EINVAL (*out untouched). */
SOCKSTATE_API int sockstate_event_source_parse(const char *text,
                                               sockstate_event_source *out);

/* Why a transition happened, where the source knows. */
typedef enum sockstate_cause {
	SOCKSTATE_CAUSE_UNKNOWN = 0,
	SOCKSTATE_CAUSE_NORMAL = 1,       /* a step of the protocol, or a
	                                     close with no error */
	SOCKSTATE_CAUSE_RST_RECEIVED = 2, /* the peer reset it (a refused
	                                     connect, a reset connection) */
	SOCKSTATE_CAUSE_RST_SENT = 3,     /* this side reset it */
	SOCKSTATE_CAUSE_SYN_TIMEOUT = 4,  /* a connect that got no answer:
	                                     syn_retransmits says how many
	                                     SYNs were sent again */
	SOCKSTATE_CAUSE_TIMEOUT = 5       /* retransmissions or keepalives
	                                     timed out in another state */
} sockstate_cause;

/* sockstate_cause_name - "unknown", "normal", "rst-received",
 * "rst-sent", "syn-timeout", "timeout", or NULL outside the enum. */
SOCKSTATE_API const char *sockstate_cause_name(sockstate_cause c);

typedef enum sockstate_event_kind {
	SOCKSTATE_EVENT_TRANSITION = 1, /* old_state -> new_state */
	SOCKSTATE_EVENT_SUMMARY = 2,    /* a connection ended: its path */
	SOCKSTATE_EVENT_LOST = 3        /* `lost` events were dropped */
} sockstate_event_kind;

/* sockstate_event_kind_name - "transition", "summary", "lost", or NULL. */
SOCKSTATE_API const char *sockstate_event_kind_name(sockstate_event_kind k);

/* sockstate_event.flags: what is known. A field whose bit is clear is
 * unknown (-1 or 0). */
enum sockstate_event_flags {
	SOCKSTATE_EV_INFERRED = 1u << 0,     /* poll: not seen, but the only
	                                        way between two listings */
	SOCKSTATE_EV_HAS_COOKIE = 1u << 1,   /* cookie */
	SOCKSTATE_EV_HAS_PID = 1u << 2,      /* pid */
	SOCKSTATE_EV_HAS_PROCESS = 1u << 3,  /* process */
	SOCKSTATE_EV_HAS_IN_OLD = 1u << 4,   /* in_old_state_ns */
	SOCKSTATE_EV_HAS_BYTES = 1u << 5,    /* bytes_acked, bytes_received */
	SOCKSTATE_EV_HAS_DURATION = 1u << 6, /* summary: duration_ns (the
	                                        connection's start was seen) */
	SOCKSTATE_EV_PATH_CUT = 1u << 7      /* summary: more states than
	                                        SOCKSTATE_EVENT_PATH_MAX; the
	                                        first ones are kept */
};

/* A summary's path holds at most this many states. */
#define SOCKSTATE_EVENT_PATH_MAX 16

/* One state of a connection's path, and how long it stayed there. */
typedef struct sockstate_state_span {
	uint8_t state;              /* sockstate_state */
	uint8_t reserved_[3];
	int32_t native_code;        /* as the source reported it */
	const char *native_name;    /* static */
	int64_t ns;                 /* time in it, -1 unknown (the last state,
	                               or one entered before the trace began) */
} sockstate_state_span;

/* One event. `size` is the number of bytes the library filled: later
 * versions append fields (read a field only if it lies below size). The
 * struct may be copied; its pointers: native names are static, process
 * and netns stay valid until the next sockstate_trace_read or
 * sockstate_trace_close on the trace that gave it. */
typedef struct sockstate_event {
	uint32_t size;
	uint32_t flags;             /* SOCKSTATE_EV_* */
	uint8_t kind;               /* sockstate_event_kind */
	uint8_t source;             /* sockstate_event_source, never AUTO */
	uint8_t family;             /* sockstate_family; 0 in a lost event */
	uint8_t cause;              /* sockstate_cause */
	uint8_t old_state;          /* sockstate_state; UNKNOWN when the
	                               source cannot tell (sock-diag-destroy) */
	uint8_t new_state;          /* a summary: the state it ended in */
	uint16_t syn_retransmits;   /* bpf: SYNs sent again, else 0 */
	int32_t old_native_code;    /* the OS's own numbers and names (Linux
	                               as ss spells them), -1 and NULL */
	int32_t new_native_code;    /* when unknown */
	const char *old_native_name;
	const char *new_native_name;
	sockstate_endpoint local;   /* bpf: a connect's first event (CLOSED
	                               -> SYN_SENT) has local port 0: the
	                               kernel picks the port after it */
	sockstate_endpoint remote;
	uint64_t cookie;            /* the kernel's socket cookie (Linux) */
	int64_t time_ns;            /* wall clock, ns since the Unix epoch,
	                               UTC: when it happened (poll: the
	                               listing that saw it) */
	int64_t in_old_state_ns;    /* how long the socket was in old_state;
	                               a summary: -1 */
	int32_t pid;                /* the owner, where known, else -1 */
	uint32_t reserved_;
	const char *process;        /* its name, or NULL */
	const char *netns;          /* the handle's netns option, or NULL */
	/* SOCKSTATE_EVENT_SUMMARY: */
	int64_t duration_ns;        /* from its first state to its end */
	uint64_t bytes_acked;       /* sent and acknowledged */
	uint64_t bytes_received;
	uint32_t path_len;
	uint32_t reserved2_;
	sockstate_state_span path[SOCKSTATE_EVENT_PATH_MAX];
	/* SOCKSTATE_EVENT_LOST: */
	uint64_t lost;              /* events dropped since the last lost
	                               event; 0 when the OS does not say how
	                               many (a netlink overrun) */
} sockstate_event;

/* Options of sockstate_trace_open. */
typedef struct sockstate_trace_options {
	uint32_t size;              /* sizeof(sockstate_trace_options) */
	uint32_t source;            /* sockstate_event_source */
	uint32_t interval_ms;       /* poll: between listings; 0 = 1000 */
	uint32_t flags;             /* SOCKSTATE_TRACE_* */
} sockstate_trace_options;

enum sockstate_trace_flags {
	SOCKSTATE_TRACE_SUMMARIES = 1u << 0,     /* a summary event per
	                                            connection that ends */
	SOCKSTATE_TRACE_NO_TRANSITIONS = 1u << 1 /* summaries and lost events
	                                            only */
};

/* sockstate_trace_options_init - source auto, interval 1000 ms, no
 * summaries. */
SOCKSTATE_API void sockstate_trace_options_init(sockstate_trace_options *o);

/* An open event stream. */
typedef struct sockstate_trace sockstate_trace;

/* sockstate_trace_open - start watching the sockets q selects on h
 * (h's network namespace) and put the stream in *out (free with
 * sockstate_trace_close, before h is closed).
 * q: NULL for all, else as sockstate_foreach takes it; a transition
 *    passes the state filter when its old or its new state is in the
 *    set (states 0: every transition); the other filters apply to the
 *    event's endpoints and owner. bpf filters the namespace, families,
 *    ports and states in the kernel; the rest is filtered here. q is
 *    copied.
 * o: NULL for the defaults. o->source AUTO picks bpf where this caller
 *    may load it, else sock-diag-destroy where it may join the groups,
 *    else poll; sockstate_trace_source_reason() says why. A source that
 *    was asked for and cannot run is an error.
 * Thread rule: the trace uses h (poll lists through it): h and the trace
 * are used by one thread at a time, together.
 * Returns 0; SOCKSTATE_EINVAL (NULL h or out, a size too small, an
 * unknown source or flag); SOCKSTATE_EUNAVAIL (the source is not built
 * or not offered on this OS); SOCKSTATE_EPERM (not allowed);
 * SOCKSTATE_ENOMEM; SOCKSTATE_EIO. Details in sockstate_errdetail(h).
 * *out is NULL on error. */
SOCKSTATE_API int sockstate_trace_open(sockstate_handle *h, const sockstate_query *q,
                                       const sockstate_trace_options *o,
                                       sockstate_trace **out);

/* sockstate_trace_read - the next event into *ev (its size set by the
 * library), waiting up to timeout_ms (0: do not wait, -1: until one
 * comes). Events of one socket come in the order they happened; the
 * events of different sockets in the order the source gave them (bpf:
 * per CPU, so two sockets' events may interleave out of time order).
 * Back-pressure: bpf and sock-diag-destroy queue in the kernel (a 4 MiB
 * ring; the socket's receive buffer) while nobody reads; what does not
 * fit is lost and reported by a SOCKSTATE_EVENT_LOST event, never
 * hidden. poll lists at its interval only while read is called.
 * Returns 1 (an event), 0 (timeout), or a negative code (then ev is
 * zeroed): SOCKSTATE_EINVAL, SOCKSTATE_EIO (the OS failed; detail on the
 * handle), SOCKSTATE_ENOMEM. */
SOCKSTATE_API int sockstate_trace_read(sockstate_trace *t, sockstate_event *ev,
                                       int timeout_ms);

/* sockstate_trace_fd - a descriptor for event loops (do not read it
 * yourself): wait until it polls readable or sockstate_trace_timeout_ms
 * passes, then call sockstate_trace_read with timeout 0 until it returns
 * 0. bpf: the ring, readable once 64 KiB of events wait (smaller batches
 * wait for the timeout, 10 ms); sock-diag-destroy: the netlink socket;
 * -1 when the source has none (poll). Events already queued inside the
 * library do not make it readable. */
SOCKSTATE_API int sockstate_trace_fd(const sockstate_trace *t);

/* sockstate_trace_timeout_ms - how long an event loop may wait before
 * calling sockstate_trace_read even if the fd stays quiet: 0 when events
 * are queued, the time to the next listing (poll), 10 (bpf), or -1 (no
 * limit: sock-diag-destroy). */
SOCKSTATE_API int sockstate_trace_timeout_ms(const sockstate_trace *t);

/* sockstate_trace_source - the source t runs: "bpf", "sock-diag-destroy"
 * or "poll". Static. */
SOCKSTATE_API const char *sockstate_trace_source(const sockstate_trace *t);

/* sockstate_trace_source_reason - one line on why that source (e.g.
 * "bpf: the caller lacks CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)"),
 * valid while t is open. */
SOCKSTATE_API const char *sockstate_trace_source_reason(const sockstate_trace *t);

/* sockstate_trace_lost - events lost since the trace opened (those that
 * the lost events report; uncounted overruns add nothing). */
SOCKSTATE_API uint64_t sockstate_trace_lost(const sockstate_trace *t);

/* sockstate_trace_close - stop and free t. NULL is fine. */
SOCKSTATE_API void sockstate_trace_close(sockstate_trace *t);

/* sockstate_event_write - one event through fn in o->format: TABLE one
 * line like bcc's tcpstates (time, source, local, peer, old -> new,
 * cause, ms in the old state, pid, process); CSV one RFC 4180 row (see
 * sockstate_event_write_header); JSON one object on one line (NDJSON,
 * docs/schema/sockstate-event-1.json). PROMETHEUS is not offered.
 * Returns 0, fn's error, or SOCKSTATE_EINVAL (NULL argument, o->size too
 * small, bad format, an event with a bad kind, family or state),
 * checked before anything is written. Thread-safe (no handle). */
SOCKSTATE_API int sockstate_event_write(const sockstate_event *ev,
                                        const sockstate_write_opts *o,
                                        sockstate_write_fn fn, void *ctx);

/* sockstate_event_write_header - the header line of o->format (TABLE,
 * CSV); nothing for JSON. Returns as above. */
SOCKSTATE_API int sockstate_event_write_header(const sockstate_write_opts *o,
                                               sockstate_write_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* SOCKSTATE_H */
