/* writer_internal.h - the formats (write_*.c) and the dispatcher that
 * picks one (write.c); never installed. */
#ifndef SOCKSTATE_WRITER_INTERNAL_H
#define SOCKSTATE_WRITER_INTERNAL_H

#include "outbuf.h"

/* JSON pieces the documents share (write_json.c): the keys before
 * "total" (schema ... pid_source), and ",\n \"total\":N,\n \"counts\":{...}"
 * (every state when with_zeros, else those with sockets). */
void sockstate__json_head(sockstate__out *out, const sockstate_sysinfo *sys,
                          const char *backend, const char *pid_source);
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
                                 uint64_t total, int with_zeros);

/* One endpoint as the snapshot writes it: JSON {"address":...,"port":N}
 * (write_json.c); CSV ",address,port" (write_csv.c). */
void sockstate__json_endpoint(sockstate__out *out, uint8_t family,
                              const sockstate_endpoint *ep);
void sockstate__csv_endpoint(sockstate__out *out, uint8_t family,
                             const sockstate_endpoint *ep);

/* ---- the formats (write_*.c); errors stay in out->err ---- */

void sockstate__table_snapshot(sockstate__out *out, const sockstate_snapshot *snap,
                               uint32_t flags);
void sockstate__table_counts(sockstate__out *out, const sockstate_counts *c,
                             uint32_t flags);
/* The JSON documents but their closing "}\n", which the dispatcher
 * (write.c) writes after what the options' appended members add. */
void sockstate__json_snapshot(sockstate__out *out, const sockstate_snapshot *snap,
                              uint32_t flags);void sockstate__json_counts(sockstate__out *out, const sockstate_counts *c,
                            const sockstate_sysinfo *sys, const char *backend);
void sockstate__csv_snapshot(sockstate__out *out, const sockstate_snapshot *snap,
                             uint32_t flags);
void sockstate__csv_counts(sockstate__out *out, const sockstate_counts *c,
                           uint32_t flags);
/* The Prometheus families but sockstate_info, which the dispatcher
 * writes last. port: per-port series for this port, -1 none. */
void sockstate__prom_snapshot(sockstate__out *out, const sockstate_snapshot *snap,
                              int32_t port);
void sockstate__prom_counts(sockstate__out *out, const sockstate_counts *c);
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

/* Options every format shares (write_opts.c, a leaf): a size that holds
 * the first version, a known format, a port in range. Returns 0 or
 * SOCKSTATE_EINVAL. */
int sockstate__write_opts_check(const sockstate_write_opts *o);

/* The public writers minus the buffer: validate, write into out, finish.
 * Tests call these with a small out->cap to exercise every flush path. */
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
