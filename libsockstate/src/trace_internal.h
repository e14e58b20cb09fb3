/* trace_internal.h - the event stream's seam (sockstate_trace_*): the
 * sources a platform offers, the clock, and the pure parts the core keeps
 * (the poll diff, the per-connection summary) so unit tests reach them.
 * Never installed; nothing here names an OS. */
#ifndef SOCKSTATE_TRACE_INTERNAL_H
#define SOCKSTATE_TRACE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "backend_internal.h"

/* Where a source hands its events: ev is the source's (the core copies
 * what it keeps; ev->process may point into the source's memory for the
 * call only). An event whose old and new states are equal is no
 * transition: it ends the socket's life in that state (bpf: a socket
 * handed to a timewait socket in FIN_WAIT_2), and only its summary is
 * shown. Returns 0 or a negative code, which the source returns. */
typedef int (*sockstate__trace_emit_fn)(void *ctx, const sockstate_event *ev);

/* One source of events. */
typedef struct sockstate__trace_source {
	sockstate_event_source id;
	/* Probe and start on h for q (normalized, never NULL) with o
	 * (complete: sizes checked, defaults filled). Returns 0 and *state,
	 * with why it may run in why; or SOCKSTATE_EUNAVAIL /
	 * SOCKSTATE_EPERM (the caller may try the next source) or another
	 * code, with the reason in why (one line). */
	int (*open)(sockstate_handle *h, const sockstate_query *q,
	            const sockstate_trace_options *o, void **state, char *why,
	            size_t why_len);
	/* Wait up to timeout_ms (-1: no limit, 0: not at all) until events
	 * are ready, then hand over those ready, a bounded batch (so the
	 * core's queue stays small while the OS's own buffer takes the
	 * back-pressure). Returns how many were handed over (0: timeout) or a
	 * negative code with the detail on h. */
	int (*read)(void *state, sockstate_handle *h, int timeout_ms,
	            sockstate__trace_emit_fn emit, void *ctx);
	/* The descriptor to poll, or -1. */
	int (*fd)(const void *state);
	/* Milliseconds until read has work without the fd, or -1. */
	int (*timeout_ms)(const void *state);
	void (*close)(void *state);
} sockstate__trace_source;

/* ---- supplied by the platform folder ---- */

/* The platform's own sources, best first, NULL-terminated (may be
 * empty: poll, the core's, is always last). */
extern const sockstate__trace_source *const sockstate__platform_trace_sources[];

/* Nanoseconds on the wall clock (UTC since the epoch) or on a clock that
 * never jumps (monotonic, from an arbitrary start). */
int64_t sockstate__platform_clock_ns(int monotonic);

/* Sleep about ms milliseconds (>= 0). */
void sockstate__platform_sleep_ms(int ms);

/* ---- keys ---- */

/* FNV-1a over n bytes, from h (start with SOCKSTATE__FNV_SEED): the keys
 * of sockets known by their endpoints only have to keep distinct
 * sockets apart. Such keys set the top bit, so they never meet a cookie
 * (a counter). */
#define SOCKSTATE__FNV_SEED UINT64_C(0xCBF29CE484222325)
#define SOCKSTATE__TUPLE_KEY_BIT UINT64_C(0x8000000000000000)
static inline uint64_t sockstate__fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * UINT64_C(0x100000001B3);
	return h;
}

/* ---- the core's poll source (trace_poll.c) ---- */

extern const sockstate__trace_source sockstate__trace_poll_source;

/* ---- the listing diff (trace_diff.c, pure) ---- */

/* What the poll source remembers of one socket between listings. */
typedef struct sockstate__diff_entry {
	uint64_t key;               /* sockstate__diff_key */
	uint64_t cookie;
	int64_t since_ns;           /* when a listing first saw its state; 0
	                               when it was there at the first one */
	sockstate_endpoint local;
	sockstate_endpoint remote;
	int32_t native_code;
	const char *native_name;    /* static */
	int32_t pid;                /* -1 unknown */
	uint8_t family;
	uint8_t state;
	uint8_t has_cookie;
	uint8_t seen;               /* in the current listing */
	char process[64];           /* "" unknown */
} sockstate__diff_entry;

/* Every socket of one listing, by key. */
typedef struct sockstate__diff_table {
	sockstate__diff_entry *slot; /* open addressing; key 0 marks free */
	size_t mask;                 /* slots - 1 */
	size_t used;
} sockstate__diff_table;

/* The key of s: its cookie where it has one, else a hash of its family,
 * endpoints and whether it is a listener (LISTEN, BOUND) or a connection,
 * so a listener and a connection on one port stay apart. Never 0. */
uint64_t sockstate__diff_key(const sockstate_socket *s);

/* Record s, seen by the listing at now_ns, into t (growing it). If it was
 * there already in another state, emit the transitions since (see
 * sockstate__diff_path); a new socket emits CLOSED -> its state unless
 * `baseline` (the first listing, which only learns). Returns 0,
 * SOCKSTATE_ENOMEM or emit's code. */
int sockstate__diff_note(sockstate__diff_table *t, const sockstate_socket *s,
                         int64_t now_ns, int baseline, sockstate__trace_emit_fn emit,
                         void *ctx);

/* After a listing: emit `state -> CLOSED` (by sockstate__diff_path) for
 * every socket not seen in it and drop it; clear `seen` on the others.
 * Returns 0 or emit's code. */
int sockstate__diff_sweep(sockstate__diff_table *t, int64_t now_ns,
                          sockstate__trace_emit_fn emit, void *ctx);

void sockstate__diff_free(sockstate__diff_table *t);

/* The way from one state to another through RFC 9293's diagram (the
 * normal steps; no resets), as the states after `from` up to and
 * including `to`, into path (room for SOCKSTATE_STATE_COUNT). Returns the
 * number of steps: 1 when the change is one step of the diagram (seen,
 * not inferred), more when states were passed between two listings
 * (inferred), or 1 with path[0] = to when the diagram has no way (then
 * inferred too: *direct tells, 1 only for a step of the diagram). */
size_t sockstate__diff_path(sockstate_state from, sockstate_state to,
                            sockstate_state path[SOCKSTATE_STATE_COUNT], int *direct);

/* ---- per-connection summaries (trace_summary.c, pure) ---- */

typedef struct sockstate__summary_conn sockstate__summary_conn;

typedef struct sockstate__summaries {
	sockstate__summary_conn **slot; /* open addressing by key */
	size_t mask;
	size_t used;
	size_t limit;               /* connections followed at most */
	uint64_t dropped;           /* connections not followed (limit) */
	char last_process[64];      /* the last summary's process name */
} sockstate__summaries;

/* The key the summaries follow ev's socket by: its cookie, else its
 * family and endpoints. Never 0. */
uint64_t sockstate__summary_key(const sockstate_event *ev);

/* Follow one transition. When it ends the connection (new state CLOSED
 * or TIME_WAIT, or the no-change end above) fill *out with the summary
 * event and return 1 (out->process then points into s, valid until the
 * next call); else 0; SOCKSTATE_ENOMEM when a new connection cannot be
 * followed (it is counted in `dropped`, nothing else changes). */
int sockstate__summary_note(sockstate__summaries *s, const sockstate_event *ev,
                            sockstate_event *out);

void sockstate__summaries_free(sockstate__summaries *s);

/* ---- shared by trace.c and the sources ---- */

/* Start an event of kind for source: zeroed, size set, unknowns -1. */
void sockstate__event_init(sockstate_event *ev, sockstate_event_kind kind,
                           sockstate_event_source source);

/* Set ev's old (which 0) or new (which 1) state from the OS's own code
 * (sockstate__native_state). */
void sockstate__event_native(sockstate_event *ev, int which, sockstate__origin origin,
                             int32_t code);

/* Set ev's old or new state from a normalized one, with no native name
 * (code -1, name NULL): what a source infers. */
void sockstate__event_state(sockstate_event *ev, int which, sockstate_state st);

#endif /* SOCKSTATE_TRACE_INTERNAL_H */
