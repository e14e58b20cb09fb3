/* writer_internal.h - the formats (write_*.c) and the dispatcher that
 * picks one (write.c); never installed. */
#ifndef SOCKSTATE_WRITER_INTERNAL_H
#define SOCKSTATE_WRITER_INTERNAL_H

#include "outbuf.h"

/* JSON pieces the documents share (write_json.c): the keys before
 * "total" (schema ... pid_source, and owners_unreadable when pid_source
 * is not NULL: owners were mapped), and ",\n \"total\":N,\n
 * \"counts\":{...}" (the states that have sockets, and those in `zeros`
 * even when they have none). A socket listing writes owners_unreadable,
 * total and counts after its sockets instead (write_stream.c). */
void sockstate__json_head(sockstate__out *out, const sockstate_sysinfo *sys,
                          const char *backend, const char *pid_source,
                          uint64_t owners_unreadable);
/* The first keys of every document: {"schema":schema, host, os, backend,
 * library_version, taken_at (no comma after the last). */
void sockstate__json_facts(sockstate__out *out, const char *schema,
                           const sockstate_sysinfo *sys, const char *backend);
/* One socket as "sockstate/1" writes it (no leading indent or comma);
 * with_timers: its "timer" key. */
void sockstate__json_socket(sockstate__out *out, const sockstate_socket *s, int with_pids,
                            int with_netns, int with_timers);
void sockstate__json_counts_keys(sockstate__out *out,
                                 const uint64_t by_state[SOCKSTATE_STATE_COUNT],
                                 uint64_t total, uint32_t zeros);

/* The snapshot fields appended in 0.2, where snap is big enough to hold
 * them: the states it listed (every state when unknown) and its owners
 * that could not be read. */
uint32_t sockstate__snapshot_states(const sockstate_snapshot *snap);
uint64_t sockstate__snapshot_owners_unreadable(const sockstate_snapshot *snap);

/* Is s a dual-stack IPv6 wildcard socket (local address ::, known not to
 * be IPv6-only)? The table shows its local end as `*:PORT`, as ss does. */
int sockstate__dual_stack_wildcard(const sockstate_socket *s);

/* "true", "false" or NULL (unknown): s's IPV6_V6ONLY as JSON and CSV
 * spell it. */
const char *sockstate__v6only_text(const sockstate_socket *s);

/* One endpoint as the snapshot writes it: JSON {"address":...,"port":N}
 * (write_json.c); CSV ",address,port" (write_csv.c; flags:
 * SOCKSTATE_W_*). zone: the interface name of a link-local address's
 * zone, as sockstate_endpoint_format_zone takes it (escaped here). */
void sockstate__json_endpoint(sockstate__out *out, uint8_t family,
                              const sockstate_endpoint *ep, const char *zone);
void sockstate__csv_endpoint(sockstate__out *out, uint8_t family,
                             const sockstate_endpoint *ep, const char *zone,
                             uint32_t flags);

/* ---- the formats (write_*.c); errors stay in out->err ---- */

/* What a socket listing (table, JSON, CSV) knows before its first
 * record (write_stream.c decides it). */
typedef struct sockstate__listing {
	uint32_t flags;             /* SOCKSTATE_W_* */
	int pids_key;               /* JSON: a "pids" key per socket (the
	                               query asked for owners) */
	int netns;                  /* a netns column (table, CSV) or key
	                               (JSON) */
	const sockstate_sysinfo *sys;  /* JSON head; NULL: unknown facts */
	const char *backend;
	const char *pid_source;
	uint64_t owners_unreadable; /* JSON, after the sockets (with a pid
	                               source) */
} sockstate__listing;

/* The socket table's columns, in order. */
enum sockstate__table_column {
	SOCKSTATE__T_STATE, SOCKSTATE__T_NATIVE, SOCKSTATE__T_RECV_Q,
	SOCKSTATE__T_SEND_Q, SOCKSTATE__T_LOCAL, SOCKSTATE__T_PEER,
	SOCKSTATE__T_PID, SOCKSTATE__T_PROCESS, SOCKSTATE__T_NETNS,
	SOCKSTATE__T_TIMER, SOCKSTATE__T_COLS
};

/* The widths of the socket table's columns, in terminal columns, as
 * measured (write_table.c). */
typedef struct sockstate__table_widths {
	size_t col[SOCKSTATE__T_COLS];  /* the widest cell, header included */
	size_t addr[2];                 /* the widest local, peer address
	                                   (brackets included, port not) */
} sockstate__table_widths;

/* Widths of the headers alone (flags: SOCKSTATE_W_*; without a header,
 * nothing yet). */
void sockstate__table_widths_init(sockstate__table_widths *w, uint32_t flags);
/* Widen w to s's cells. */
void sockstate__table_measure(sockstate__table_widths *w, const sockstate_socket *s);
/* Widen w for rows it has not measured: room for the longest name of
 * the states in the mask, a five-digit port after the widest address,
 * a seven-digit pid. */
void sockstate__table_room(sockstate__table_widths *w, uint32_t states);
/* The header line (the caller skips it for SOCKSTATE_W_NO_HEADER), and
 * one record's line. */
void sockstate__table_header(sockstate__out *out, const sockstate__table_widths *w,
                             const sockstate__listing *l);
void sockstate__table_row(sockstate__out *out, const sockstate_socket *s,
                          const sockstate__table_widths *w, const sockstate__listing *l);
void sockstate__table_counts(sockstate__out *out, const sockstate_counts *c,
                             uint32_t flags);
/* The document's head up to "sockets":[, one socket (first: the first
 * of the document), and the end: "]," owners_unreadable (with a pid
 * source), total and counts. The JSON documents (these and counts) leave
 * out their closing "}\n": the caller writes it after what the options'
 * appended members add (sockstate__write_json_extras). */
void sockstate__json_listing_begin(sockstate__out *out, const sockstate__listing *l);
void sockstate__json_listing_socket(sockstate__out *out, const sockstate_socket *s,
                                    int first, const sockstate__listing *l);
void sockstate__json_listing_end(sockstate__out *out, const sockstate__listing *l,
                                 uint64_t total,
                                 const uint64_t by_state[SOCKSTATE_STATE_COUNT]);
void sockstate__json_counts(sockstate__out *out, const sockstate_counts *c,
                            const sockstate_sysinfo *sys, const char *backend);

/* The header row (nothing for SOCKSTATE_W_NO_HEADER), one socket's row. */
void sockstate__csv_listing_header(sockstate__out *out, const sockstate__listing *l);
void sockstate__csv_listing_socket(sockstate__out *out, const sockstate_socket *s,
                                   const sockstate__listing *l);
void sockstate__csv_counts(sockstate__out *out, const sockstate_counts *c,
                           uint32_t flags);
/* The Prometheus families but sockstate_info, which the dispatcher
 * writes last. port: per-port series for this port, -1 none. */
void sockstate__prom_snapshot(sockstate__out *out, const sockstate_snapshot *snap,
                              int32_t port);
/* ports[0..n): the per-port series, checked already. */
void sockstate__prom_counts(sockstate__out *out, const sockstate_counts *c,
                            const sockstate_port_counts *ports, size_t n);
/* Grouped counts (write_groups.c): g ranked, rows the first `shown`. */
void sockstate__table_groups(sockstate__out *out, sockstate_groups *g, size_t shown,
                             uint32_t flags);
void sockstate__json_groups(sockstate__out *out, sockstate_groups *g, size_t shown,
                            const sockstate_sysinfo *sys, const char *backend);
void sockstate__csv_groups(sockstate__out *out, sockstate_groups *g, size_t shown,
                           uint32_t flags);

/* Prometheus pieces the writers share (write_prometheus.c): a family's
 * "# HELP" and "# TYPE" lines (type "gauge", "counter"), and the
 * sockstate_info{backend,version} family. */
void sockstate__prom_help_type(sockstate__out *out, const char *name, const char *help,
                               const char *type);
void sockstate__prom_info(sockstate__out *out, const char *backend);

/* TCP counters (write_counters.c). The JSON piece is the document's
 * ",\n \"tcp_counters\":{...}" key, for any document that carries them;
 * the Prometheus piece, the counters' families (no sockstate_info). */
void sockstate__json_tcp_counters(sockstate__out *out, const sockstate_tcp_counters *c);
void sockstate__prom_tcp_counters(sockstate__out *out, const sockstate_tcp_counters *c);

/* A diagnosis' findings as the snapshot document carries them
 * (write_diagnosis.c): ",\n \"findings\":[...]", every text in every
 * language. */
void sockstate__json_findings(sockstate__out *out, const sockstate_diagnosis *d);

/* o's appended members, NULL when o is too small to hold them (an older
 * caller's struct) or they are unset. */
const sockstate_tcp_counters *sockstate__write_opts_tcp_counters(const sockstate_write_opts *o);
const sockstate_diagnosis *sockstate__write_opts_diagnosis(const sockstate_write_opts *o);

/* What the options' appended members add at a document's end (write.c):
 * JSON, the "tcp_counters" and "findings" keys (either may be NULL) and
 * the closing "}\n"; Prometheus, the counters' families and
 * sockstate_info last. */
void sockstate__write_json_extras(sockstate__out *out, const sockstate_tcp_counters *c,
                                  const sockstate_diagnosis *d);
void sockstate__write_prom_extras(sockstate__out *out, const sockstate_tcp_counters *c,
                                  const char *backend);

/* Options every format shares (write_opts.c, a leaf): a size that holds
 * the first version, a known format, a port in range. Returns 0 or
 * SOCKSTATE_EINVAL. */
int sockstate__write_opts_check(const sockstate_write_opts *o);

/* The public writers minus the buffer: validate, write into out, finish.
 * Tests call these with a small out->cap to exercise every flush path.
 * (write_stream.c: a snapshot goes through the streaming writer; write.c:
 * counts.) */
int sockstate__snapshot_write_out(const sockstate_snapshot *snap,
                                  const sockstate_write_opts *o,
                                  sockstate__out *out);
/* sockstate_event_write minus the buffer (write_events.c). */
int sockstate__event_write_out(const sockstate_event *ev, const sockstate_write_opts *o,
                               sockstate__out *out);

int sockstate__counts_write_out(const sockstate_counts *c,
                                const sockstate_sysinfo *sys, const char *backend,
                                const sockstate_write_opts *o, sockstate__out *out);
int sockstate__tcp_counters_write_out(const sockstate_tcp_counters *c,
                                      const sockstate_sysinfo *sys, const char *backend,
                                      const sockstate_write_opts *o, sockstate__out *out);
int sockstate__diagnosis_write_out(const sockstate_diagnosis *d, const sockstate_write_opts *o,
                                   sockstate__out *out);

#endif /* SOCKSTATE_WRITER_INTERNAL_H */
