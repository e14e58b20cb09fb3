/* diag_internal.h - the NETLINK_SOCK_DIAG backend "linux-netlink": its
 * decoder (diag_decode.c, pure), its filter compiler (diag_bytecode.c,
 * pure), its socket I/O (diag_io.c, the only file that touches the
 * netlink socket), the split dump (diag_split.c: two halves at once on two
 * threads, through diag_io.c's steps) and the backend (diag_backend.c).
 * Never installed.
 *
 * One dump, as the kernel answers it (net/ipv4/inet_diag.c and
 * tcp_diag.c): we send SOCK_DIAG_BY_FAMILY with NLM_F_DUMP and a struct
 * inet_diag_req_v2 (sdiag_protocol IPPROTO_TCP, the idiag_states bit mask,
 * idiag_ext for optional attributes, and optionally an
 * INET_DIAG_REQ_BYTECODE attribute); the kernel answers with datagrams
 * of at most ~32 KiB (whatever our receive buffer), each holding whole
 * messages: one SOCK_DIAG_BY_FAMILY message per socket (struct
 * inet_diag_msg, then attributes), and finally NLMSG_DONE, whose payload
 * is an int error on kernels since 4.x. A request the kernel refuses is
 * answered by NLMSG_ERROR. Ports are network order, addresses raw
 * network-order words (IPv4 in idiag_src[0]).
 */
#ifndef SOCKSTATE_DIAG_INTERNAL_H
#define SOCKSTATE_DIAG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "backend_internal.h"

extern const sockstate__backend sockstate__linux_netlink_backend;
/* "linux-replay" (diag_replay.c): the handle's replay file, read with
 * sockstate__diag_capture_decode; every filter is the core's. */
extern const sockstate__backend sockstate__linux_replay_backend;

/* What a sock_diag record carries (live or replayed): the backends'
 * `fills`. */
#define SOCKSTATE__DIAG_FILLS                                                 \
	(SOCKSTATE_HAS_UID | SOCKSTATE_HAS_INODE | SOCKSTATE_HAS_QUEUES |     \
	 SOCKSTATE_HAS_IFINDEX | SOCKSTATE_HAS_TIMER | SOCKSTATE_HAS_TCP_INFO | \
	 SOCKSTATE_HAS_COOKIE)

/* ---- diag_decode.c: bytes to records; no syscalls, no allocation ---- */

/* Called once per socket message with the record (valid during the call;
 * the callee may complete it) and its owner key (the inode, 0 unknown).
 * Returns 0 to go on, >0 to stop (passed up unchanged), <0 an error. */
typedef int (*sockstate__diag_record_fn)(void *ctx, sockstate_socket *s,
                                         uint64_t owner_key);

/* What one decode call found, for the caller's error detail. */
typedef struct sockstate__diag_result {
	int done;              /* the request's last message was reached:
	                          NLMSG_DONE or NLMSG_ERROR (error or ACK) */
	uint32_t records;      /* records handed to the callback */
	int os_errno;          /* the kernel's errno from NLMSG_ERROR or
	                          NLMSG_DONE, else 0 */
	size_t offset;         /* byte offset of the message where decoding
	                          stopped on an error or a stop */
	const char *why;       /* static phrase naming what was wrong, or NULL */
} sockstate__diag_result;

/* Decode the netlink messages in buf[0..len) (one or more whole replies,
 * e.g. one recv'd datagram or several concatenated) and call cb per
 * socket. seq and portid, when not 0, must match each message's own (a
 * message carrying 0 is accepted, as libmnl does). buf needs no alignment.
 *
 * Per message: NLMSG_NOOP and NLMSG_OVERRUN are skipped; NLMSG_DONE ends
 * the walk (bytes after it are ignored) with res->done set, or with the
 * kernel's error if its payload carries a negative int; NLMSG_ERROR with
 * error 0 is an ACK (done), otherwise the kernel's error; a
 * SOCK_DIAG_BY_FAMILY message must hold a struct inet_diag_msg of family
 * AF_INET or AF_INET6, and every attribute after it must lie inside the
 * message; any other type is EPARSE. NLM_F_DUMP_INTR is not looked at
 * here (see sockstate__diag_scan).
 *
 * Records: family, state (sockstate__native_state, origin LINUX, code =
 * the kernel's idiag_state), endpoints (ports host order; IPv6 scope_id =
 * idiag_if for link-local addresses only), ifindex, cookie, timer,
 * retransmits, expires_ms and queues always; inode when not 0; uid only
 * for full sockets (the kernel writes a placeholder 0 for TIME_WAIT and
 * request sockets: we know a full socket by its INET_DIAG_SHUTDOWN
 * attribute, which the kernel puts on every full socket and on no other);
 * IPV6_V6ONLY (SOCKSTATE_HAS_V6ONLY, the local end's
 * SOCKSTATE_ENDPOINT_V6ONLY) for an IPv6 socket whose message carries
 * INET_DIAG_SKV6ONLY (the kernel adds it unasked to IPv6 sockets in LISTEN
 * and CLOSE: listeners and bound ones; an IPv4 message's is ignored);
 * rtt_us, rttvar_us, snd_cwnd and total_retrans (SOCKSTATE_HAS_TCP_INFO)
 * only when an INET_DIAG_INFO attribute long enough to hold all four
 * arrived (a shorter one, from an older kernel, is copied but not
 * trusted).
 *
 * Returns 0 (all of buf consumed, or NLMSG_DONE reached: see res->done),
 * cb's positive value, cb's negative code, SOCKSTATE_EPARSE for
 * malformed input (res->why says what, res->offset where; records before
 * it were already delivered), or the kernel's error mapped by
 * sockstate__diag_errno_code (res->os_errno holds it). Never reads
 * outside buf. */
int sockstate__diag_decode(const void *buf, size_t len, uint32_t seq,
                           uint32_t portid, sockstate__diag_record_fn cb,
                           void *ctx, sockstate__diag_result *res);

/* Check the message headers of buf[0..len) without decoding payloads:
 * every nlmsg_len is at least a header and lies inside buf. *count gets
 * the number of messages, *flags the OR of their nlmsg_flags (so the
 * caller sees NLM_F_DUMP_INTR before any record is delivered).
 * Returns 0 or SOCKSTATE_EPARSE (*why set, *count = messages before the
 * bad one). */
int sockstate__diag_scan(const void *buf, size_t len, uint32_t *count,
                         uint16_t *flags, const char **why);

/* A file of captured dumps (what capture mode writes, or `ss -D`: the
 * datagrams of one or more dumps, concatenated, each dump ending in
 * NLMSG_DONE or an ACK), decoded as it is read, in pieces of any size. */
typedef struct sockstate__diag_capture {
	uint64_t offset;       /* bytes of the file consumed so far */
	uint32_t dumps;        /* dumps that reached their end */
	int in_dump;           /* a dump has begun and not ended */
} sockstate__diag_capture;

/* Decode the whole messages at the start of buf[0..len), the next bytes
 * of the capture c (start from a zeroed c), calling cb per socket; *used
 * gets the bytes consumed, to drop before the next call (a message cut
 * by the end of buf waits for it, with its padding). eof: nothing follows
 * buf; then everything must be consumed, the last dump ended and at least
 * one dump read. Returns 0, cb's value, or SOCKSTATE_EPARSE with res->why
 * and res->offset (from the start of the file) saying what and where; a
 * dump the kernel ended with an error (NLMSG_DONE or NLMSG_ERROR carrying
 * one) is EPARSE too, its errno in res->os_errno. No syscalls, no
 * allocation. */
int sockstate__diag_capture_decode(sockstate__diag_capture *c, const void *buf,
                                   size_t len, int eof, size_t *used,
                                   sockstate__diag_record_fn cb, void *ctx,
                                   sockstate__diag_result *res);

/* A kernel errno (positive) as our code: EPERM/EACCES -> EPERM; ENOMEM ->
 * ENOMEM; ENOENT (no tcp_diag handler), EAFNOSUPPORT, EPROTONOSUPPORT,
 * EOPNOTSUPP -> EUNAVAIL; EINTR, EAGAIN, EBUSY, ENOBUFS -> EAGAIN;
 * anything else -> EIO. */
int sockstate__diag_errno_code(int err);

/* ---- diag_bytecode.c: the pushed-down request; pure ---- */

/* Bytecode for every filter sockstate__diag_bytecode can express fits in
 * this many bytes (the worst case: 1 + SOCKSTATE_QUERY_ALT_MAX
 * alternatives, each with all six filters and IPv6 prefixes (184 bytes),
 * and a JMP between each two, 1500). */
#define SOCKSTATE__DIAG_BYTECODE_MAX 1536

/* Our state mask to the kernel's idiag_states bits: LISTEN -> 1<<10,
 * SYN_RECEIVED -> 1<<3 | 1<<12 (TCP_NEW_SYN_RECV), CLOSED -> 1<<7, BOUND ->
 * 1<<13 (TCP_BOUND_INACTIVE: the bind-table walk, kernels >= 6.8; older
 * ones ignore the bit), the RFC states to their Linux numbers, UNKNOWN and
 * DELETE_TCB -> nothing. */
uint32_t sockstate__diag_states(uint32_t states);

/* Compile q's port filters (port, sport, dport) and address filters
 * (addr, saddr, daddr) into inet_diag_bc_op bytecode in buf (cap bytes),
 * all of them ANDed, "either side" filters as an OR of the two sides.
 * A group is compiled only when every filter in it can be expressed
 * exactly as sockstate_query_match decides it (ports 0-65535 or < 0 for
 * none; prefixes of family IPv4 with bits <= 32 or IPv6 with bits <= 128);
 * the groups compiled are ORed into *pushed (SOCKSTATE__F_PORTS,
 * SOCKSTATE__F_ADDRS), the rest are left to the core. With alternatives
 * (q->alt_count, sockstate_query_or) the program is an OR of one such
 * AND per alternative, compiled only when both groups of every
 * alternative can be (else nothing is, and nothing pushed); an empty
 * alternative makes the program empty (every socket passes). Ports compile to an
 * S_GE/S_LE (D_GE/D_LE) pair, which every kernel knows (S_EQ is 4.17+);
 * prefixes to S_COND/D_COND host conditions, whose IPv4 form also matches
 * IPv4-mapped IPv6 sockets, as the core does.
 * Returns the length in bytes (0: nothing to filter), or SOCKSTATE_ERANGE
 * if cap is too small (SOCKSTATE__DIAG_BYTECODE_MAX always suffices);
 * *pushed is then unchanged. */
int sockstate__diag_bytecode(const sockstate_query *q, void *buf, size_t cap,
                             uint32_t *pushed);

/* The split dump (diag_split.c) runs two dumps at once, each keeping one
 * half of the sockets by their ports alone, so that every socket lies in
 * exactly one half whatever it is: a port's stripe is (port >> 12) & 1
 * (16 runs of 4096 ports); half 0 keeps the sockets whose local and
 * remote stripes are equal, half 1 those where they differ. A server's
 * sockets (one local port, ephemeral remote ones) and a client's both
 * split about evenly; a listener (remote port 0) goes by its own port.
 * A socket's ports do not change while it is in the kernel's tables. */
#define SOCKSTATE__DIAG_SPLIT_BYTECODE_LEN 552

/* Write half 0's or half 1's program into buf: three trees of S_LE/D_LE
 * compares and JMPs, every `yes` the next op, every `no` forward onto the
 * chain of `yes` steps or to the end (accept) or end + 4 (reject), as the
 * kernel's audit wants. Returns SOCKSTATE__DIAG_SPLIT_BYTECODE_LEN, or
 * SOCKSTATE_ERANGE if cap is smaller. */
int sockstate__diag_split_bytecode(int half, void *buf, size_t cap);

/* ---- diag_io.c: the netlink socket ---- */

struct mnl_socket;

/* A cookie set: open addressing, 0 marks a free slot. */
typedef struct sockstate__diag_cookies {
	uint64_t *slot;
	uint32_t mask;               /* slots - 1; slots is a power of two */
} sockstate__diag_cookies;

/* One netlink socket and the dump it runs (the split dump has two). */
typedef struct sockstate__diag_stream {
	struct mnl_socket *nl;       /* NULL after a dump whose end was lost:
	                                reopened by the next one */
	uint32_t portid;
	uint32_t seq;
	sockstate__diag_cookies seen[2]; /* this datagram's, the previous one's */
} sockstate__diag_stream;

/* Datagrams the split dump's second thread may hold ahead of the
 * decoder (it waits when all are full). */
#define SOCKSTATE__DIAG_POOL 4

/* The backend's state: one socket and one receive buffer, reused by every
 * dump (no allocation per socket; the cookie sets grow only with the
 * number of messages in one datagram), and what the split dump keeps
 * across dumps: its socket and its buffers, never a thread or a lock. */
typedef struct sockstate__diag_io {
	sockstate__diag_stream main;
	unsigned char *buf;
	size_t cap;
	int has_netns;               /* the handle names a network namespace: */
	int netns_fd;                /* sockets are (re)opened inside it */
} sockstate__diag_io;

/* What only the split dump keeps (diag_split.c), beside the io it builds
 * on: the backend (diag_backend.c) holds both, so the io knows nothing
 * of the split. */
typedef struct sockstate__diag_split {
	sockstate__diag_stream half; /* the second socket, opened by the first
	                                split dump (in the io's namespace) */
	unsigned char *pool[SOCKSTATE__DIAG_POOL]; /* SOCKSTATE__DIAG_BUF_SIZE
	                                each, allocated with the second socket */
	int cpus;                    /* CPUs this process may run on, at open */
	uint32_t population;         /* records the last whole dump delivered
	                                (see sockstate__diag_split_wanted) */
	uint32_t splits;             /* split dumps completed (for tests) */
} sockstate__diag_split;

/* The receive buffer: the kernel fills at most ~32 KiB per datagram
 * whatever we offer, so a bigger buffer only guards against a future
 * kernel writing larger ones (untouched pages cost no memory). */
#define SOCKSTATE__DIAG_BUF_SIZE (1024u * 1024u)
/* How often one dump is restarted after the kernel said it was
 * interrupted (NLM_F_DUMP_INTR) or the socket overran (ENOBUFS). */
#define SOCKSTATE__DIAG_MAX_RESTARTS 3

/* One dump request. */
typedef struct sockstate__diag_request {
	uint8_t family;              /* AF_INET, AF_INET6, or AF_UNSPEC: both
	                                in one walk (TCPDIAG_GETSOCK) */
	uint8_t ext;                 /* idiag_ext bits, e.g. INET_DIAG_INFO */
	uint32_t states;             /* idiag_states (kernel bits) */
	const void *bytecode;        /* or NULL */
	size_t bytecode_len;
} sockstate__diag_request;

/* Allocate the buffer, open and bind the socket, and probe it with an
 * empty dump (idiag_states 0: the kernel walks nothing but answers only if
 * sock_diag has a TCP handler). Returns 0, SOCKSTATE_EUNAVAIL (the socket
 * cannot be opened: EPERM, EACCES, EAFNOSUPPORT, EPROTONOSUPPORT; or the
 * probe fails), SOCKSTATE_ENOMEM; detail on h. On error io holds nothing. */
int sockstate__diag_io_open(sockstate__diag_io *io, sockstate_handle *h);

/* Run one dump and call cb per socket, in the kernel's order.
 *
 * Not atomic (see DESIGN.md): the kernel walks its hash tables one
 * datagram at a time and resumes by position, so a socket created or
 * closed meanwhile can make it skip one socket or repeat one at a
 * datagram boundary, without saying so. A repeat is always of a socket
 * sent in the same or the previous datagram (the resume point is in the
 * bucket it stopped in), so cookies remembered for those two datagrams
 * drop repeats with memory bounded by one datagram. A skip cannot be
 * seen: a socket that changed during the dump may be missing.
 *
 * If the kernel marks a datagram NLM_F_DUMP_INTR (inet_diag does not set
 * it today, but netlink may) or the socket overruns (ENOBUFS), the dump
 * restarts from scratch when no record of it has reached cb yet (up to
 * SOCKSTATE__DIAG_MAX_RESTARTS times); once records were delivered a
 * restart would deliver them twice, so the dump ends with
 * SOCKSTATE_EAGAIN instead. Either way the exhausted case is
 * SOCKSTATE_EAGAIN with a detail that says which.
 *
 * When cb stops the dump, or something fails midway, the rest of the
 * kernel's dump is read and dropped, so the socket keeps serving the
 * handle; after malformed data, a receive error or an overrun, where the
 * dump's end cannot be found, the socket is closed instead and the next
 * dump opens a new one (in the handle's namespace).
 * When sockstate__handle_capture_dir(h) is set, each datagram is also
 * appended to <dir>/diag-<pid>-<seq>-<ipv4|ipv6>.bin (a developer option
 * for test fixtures).
 * Returns 0, cb's value (>0 stop, <0 error), or a negative code with the
 * detail on h. */
int sockstate__diag_dump(sockstate__diag_io *io, sockstate_handle *h,
                         const sockstate__diag_request *req,
                         sockstate__diag_record_fn cb, void *ctx);

/* ---- diag_io.c: one stream, step by step (for diag_split.c) ---- */

/* Records on their way to the callback. */
typedef struct sockstate__diag_sink {
	sockstate__diag_record_fn cb;
	void *ctx;
	uint32_t delivered;          /* records that reached cb */
} sockstate__diag_sink;

/* What a stream needs after one datagram. */
typedef enum sockstate__diag_next {
	SOCKSTATE__DIAG_MORE,        /* its next datagram */
	SOCKSTATE__DIAG_DONE,        /* nothing: the dump ended */
	SOCKSTATE__DIAG_DRAIN,       /* stopped midway: read and drop the rest */
	SOCKSTATE__DIAG_LOST         /* its end cannot be found: close it */
} sockstate__diag_next;

/* Returned for a dump that must run again from scratch (interrupted or
 * overrun before any record reached cb): below every SOCKSTATE_E* code,
 * since cb's own values pass through the same return. */
#define SOCKSTATE__DIAG_RESTART (-1000)

/* Open st's socket if it is closed (in the handle's namespace), send req
 * on it and forget the last dump's cookies. Returns 0 or a negative code,
 * detail on h. */
int sockstate__diag_start(sockstate__diag_io *io, sockstate__diag_stream *st,
                          sockstate_handle *h, const sockstate__diag_request *req);

/* Receive one datagram from the kernel into buf. Returns its length, or
 * -errno (-EMSGSIZE: longer than cap). Touches nothing else: any thread. */
ssize_t sockstate__diag_recv(struct mnl_socket *nl, void *buf, size_t cap);

/* Does buf[0..n) hold the last message of the dump numbered seq? 1 yes,
 * 0 no, -1 malformed. Pure: any thread. */
int sockstate__diag_holds_end(const void *buf, size_t n, uint32_t seq);

/* Read and drop the rest of st's dump (buf, cap bytes, holds its current
 * datagram, n bytes). Returns 0 at its end, -1 when the end is lost (a
 * receive error or garbage: the caller closes the socket). Any thread. */
int sockstate__diag_drain(const sockstate__diag_stream *st, unsigned char *buf,
                          size_t cap, size_t n);

/* Hand one received datagram of st (n: sockstate__diag_recv's result) to
 * the decoder and sink->cb, dropping repeats by st's cookies. *next says
 * what st needs now (MORE only when 0 is returned). Returns 0, cb's value,
 * SOCKSTATE__DIAG_RESTART (nothing delivered yet: see sockstate__diag_dump)
 * or a negative code, detail on h: the calling thread's. */
int sockstate__diag_take(sockstate__diag_stream *st, sockstate_handle *h,
                         const sockstate__diag_request *req, const unsigned char *buf,
                         ssize_t n, size_t cap, sockstate__diag_sink *sink,
                         sockstate__diag_next *next);

/* Do what next says with the datagram in buf (n bytes): DRAIN reads the
 * rest (closing st if that fails), LOST closes st. */
void sockstate__diag_settle(sockstate__diag_stream *st, unsigned char *buf, size_t cap,
                            size_t n, sockstate__diag_next next);

/* Close st's socket (its cookie sets stay for the next one). */
void sockstate__diag_stream_close(sockstate__diag_stream *st);

/* Close st's socket and free its cookie sets. Safe on a zeroed st. */
void sockstate__diag_stream_free(sockstate__diag_stream *st);

/* ---- diag_split.c: two halves at once ---- */

/* Split when a dump is at least this many records (the last whole one's). */
#define SOCKSTATE__DIAG_SPLIT_MIN 4096

/* How many TCP sockets the kernel's counters in sockstat text (the
 * contents of /proc/net/sockstat and sockstat6, concatenated, len bytes,
 * no terminator needed) say there are: "TCP:" inuse + tw, plus "TCP6:"
 * inuse; a missing field counts 0; at most UINT32_MAX. Pure. */
uint64_t sockstate__diag_sockstat_count(const char *text, size_t len);

/* After sockstate__diag_io_open (the backend calls it): zero sp, count
 * the CPUs this process may run on (sched_getaffinity), and, for an io
 * on the caller's own namespace with more than one CPU, set
 * sp->population from the kernel's sockstat counters. */
void sockstate__diag_split_open(sockstate__diag_split *sp, const sockstate__diag_io *io);

/* Release what sp holds (its socket, its pool). Safe on a zeroed or
 * closed sp. */
void sockstate__diag_split_close(sockstate__diag_split *sp);

/* Whether req should run as a split dump on this handle: see the rule in
 * diag_split.c. */
int sockstate__diag_split_wanted(const sockstate__diag_split *sp, sockstate_handle *h,
                                 const sockstate__diag_request *req, int cpus_busy);

/* Run req (AF_UNSPEC, no bytecode of its own) as two dumps at once: half
 * 0 on io's socket, read by the calling thread; half 1 on the second
 * socket (sp's), read by a thread of its own into sp->pool. cb runs on the
 * calling thread only, in no fixed order between the halves. Guarantees
 * as sockstate__diag_dump: an interrupted or overrun dump with nothing
 * delivered yet runs again as one walk (sockstate__diag_dump); after a
 * stop or an error both dumps are drained (or a socket whose end is lost
 * closed). The thread is joined before this returns. Returns 0, cb's
 * value, or a negative code with the detail on h. */
int sockstate__diag_split_dump(sockstate__diag_io *io, sockstate__diag_split *sp,
                               sockstate_handle *h, const sockstate__diag_request *req,
                               sockstate__diag_record_fn cb, void *ctx);

/* Release everything io holds. Safe on a zeroed or closed io. */
void sockstate__diag_io_close(sockstate__diag_io *io);

/* The name of interface index in io's network namespace (the handle's:
 * its socket was opened there) into buf (len bytes). Returns 0, or -1
 * when there is none or no socket is open. */
int sockstate__diag_ifname(const sockstate__diag_io *io, uint32_t index, char *buf,
                           size_t len);

#endif /* SOCKSTATE_DIAG_INTERNAL_H */
