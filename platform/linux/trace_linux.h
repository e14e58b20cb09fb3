/* trace_linux.h - the Linux event sources of sockstate_trace
 * (docs/TRACE.md): "bpf" (trace_bpf_io.c asks the kernel,
 * trace_bpf_decode.c turns its records into events) and
 * "sock-diag-destroy" (trace_destroy_io.c joins the sock_diag destroy
 * groups, trace_destroy_decode.c decodes what they send). Never
 * installed. */
#ifndef SOCKSTATE_TRACE_LINUX_H
#define SOCKSTATE_TRACE_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include "trace_internal.h"

extern const sockstate__trace_source sockstate__trace_bpf_source;
extern const sockstate__trace_source sockstate__trace_destroy_source;

/* ---- trace_bpf_decode.c: pure ---- */

/* The size of one ring record (struct sockstate_bpf_transition). */
extern const size_t sockstate__bpf_transition_size;

/* One ring record rec[0..len) into *ev (source bpf): states by the
 * kernel's numbers (ss names), the wall time (the record's monotonic
 * time + wall_minus_mono_ns), the cause, the owner (its name copied into
 * comm, which ev->process then points to). Returns 0, or SOCKSTATE_EPARSE
 * when len is not a record's size or the family is neither AF_INET nor
 * AF_INET6. */
int sockstate__trace_bpf_decode(const void *rec, size_t len, int64_t wall_minus_mono_ns,
                                sockstate_event *ev, char comm[17]);

/* Set ev's old (which 0) or new (which 1) state from the kernel's TCP_*
 * number: as ss names it, but TCP_CLOSE, which in a transition is a
 * closed socket (CLOSED, "CLOSE"), not ss's bound one (UNCONN). */
void sockstate__trace_linux_state(sockstate_event *ev, int which, int32_t code);

/* The kernel's TCP states (1 << TCP_*) that stand for the normalized
 * states in mask: what the program filters by. */
uint32_t sockstate__trace_bpf_state_mask(uint32_t mask);

/* ---- trace_destroy_decode.c: pure ---- */

/* Every socket message in buf[0..len) (one datagram of the destroy
 * groups) as one event (source sock-diag-destroy): old state UNKNOWN
 * (the message says only where it ended), new state as the kernel
 * reports it, endpoints, cookie, time wall_ns, and bytes_acked and
 * bytes_received from its tcp_info when it carries one long enough.
 * Returns the number of events, SOCKSTATE_EPARSE, or emit's code. */
int sockstate__trace_destroy_decode(const void *buf, size_t len, int64_t wall_ns,
                                    sockstate__trace_emit_fn emit, void *ctx);

#endif /* SOCKSTATE_TRACE_LINUX_H */
