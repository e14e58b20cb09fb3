/* diagnose_internal.h - what diagnose's files share (never installed):
 * the words and headlines of the one table of texts (state_describe.c),
 * the facts a diagnosis rests on, and the pure decision over them
 * (diagnose_decide.c), which unit tests run on constructed facts. */
#ifndef SOCKSTATE_DIAGNOSE_INTERNAL_H
#define SOCKSTATE_DIAGNOSE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sockstate.h"

/* ---- the languages (state_describe.c) ---- */

#define SOCKSTATE__LANG_COUNT 2

/* The index of lang (0 English, 1 Spanish), as sockstate_state_describe
 * reads it, or -1 when unknown. */
int sockstate__lang_index(const char *lang);
/* "en" or "es" for an index; NULL outside. */
const char *sockstate__lang_code(int lang);

/* ---- the words the diagnosis writers and headlines use ---- */
enum sockstate__word {
	SOCKSTATE__W_INFO,          /* severities as the table prints them */
	SOCKSTATE__W_WARNING,
	SOCKSTATE__W_CRITICAL,
	SOCKSTATE__W_SOCKETS,       /* labels of a finding's lines */
	SOCKSTATE__W_COUNTERS,
	SOCKSTATE__W_MEANING,
	SOCKSTATE__W_ADVICE,
	SOCKSTATE__W_PROBE,         /* labels of the closing lines */
	SOCKSTATE__W_WINDOW,
	SOCKSTATE__W_UNCHECKED,
	SOCKSTATE__W_MORE,          /* "... and {count} more" */
	SOCKSTATE__W_NO_PROBLEM,
	SOCKSTATE__W_WINDOW_DELTA,  /* "TCP counters compared over {seconds} s" */
	SOCKSTATE__W_WINDOW_BOOT,
	SOCKSTATE__W_WINDOW_NONE,
	SOCKSTATE__W_IN_SECONDS,    /* "in {seconds} s" */
	SOCKSTATE__W_SINCE_BOOT,
	SOCKSTATE__W_SEEN,          /* "{count} sockets looked at, backend {backend}" */
	SOCKSTATE__W_PROBE_OK,      /* "{remote}: connected in {ms} ms" */
	SOCKSTATE__W_PROBE_FAIL,    /* "{remote}: {error} after {ms} ms" */
	SOCKSTATE__W_OWNER_UNKNOWN, /* "owner unknown" */
	SOCKSTATE__W_QUEUE,         /* "queue {count} of {limit}" */
	SOCKSTATE__W_RETRANSMITS,   /* "{count} retransmitted" */
	SOCKSTATE__W_NOT_ASKED,     /* check statuses, as the table says them */
	SOCKSTATE__W_NOT_CHECKED,
	SOCKSTATE__W_NOT_JUDGED,
	SOCKSTATE__W_NOTE_FIRST,    /* one per SOCKSTATE_NOTE_* bit, in order */
	SOCKSTATE__W_COUNT = SOCKSTATE__W_NOTE_FIRST + SOCKSTATE_NOTE_COUNT
};

/* The word in language lang (an index); never NULL for valid input. */
const char *sockstate__word(enum sockstate__word w, int lang);

/* A finding's headlines: at most this many variants per code. */
#define SOCKSTATE__VARIANTS 3
/* The headline template of (code, variant) in lang, or NULL when the
 * code has no such variant. Placeholders: see sockstate__expand. */
const char *sockstate__headline(sockstate_finding_code code, unsigned variant, int lang);

/* ---- filling a template ---- */

/* The values a template may name: {port} {local} {remote} {address}
 * {listeners} {owner} {ports} {count} {limit} {percent} {seconds} {ms}
 * {error} {backend}; {s:one|many} picks by count, {p:one|many} by
 * nports (one when it is 1). A NULL string prints as "?". */
struct sockstate__text_args {
	uint64_t count, limit, nports;
	uint32_t port;
	const char *local, *remote, *address, *listeners, *owner, *ports;
	const char *percent, *seconds, *ms, *error, *backend;
};

/* tmpl with args into buf (len bytes, always NUL-ended, cut if too
 * short). Returns the length written. */
size_t sockstate__expand(const char *tmpl, const struct sockstate__text_args *args,
                         char *buf, size_t len);

/* ---- the facts a diagnosis rests on (diagnose.c gathers them) ---- */

struct sockstate__diag_facts {
	const sockstate_diagnose_options *o;    /* normalized, lang set */
	const sockstate_socket *sockets;        /* every socket, owners where
	                                           readable */
	size_t count;
	const sockstate_socket *syn_sent_before; /* the SYN_SENT sockets at
	                                           the start of the window */
	size_t syn_sent_before_count;
	int two_looks;                          /* syn_sent_before was taken
	                                           (a window > 0) */
	const sockstate_tcp_counters *before;   /* NULL: none could be read */
	const sockstate_tcp_counters *after;    /* NULL: one sample */
	int counters_error;                     /* why before is NULL */
	int64_t window_ms;
	uint32_t port_first, port_last;         /* 0, 0: unknown */
	const char *port_range_source;
	int port_range_assumed;                 /* the OS's default, not read */
	const sockstate_probe *probe;           /* result NONE when not asked */
	const char *probe_message;              /* the OS's sentence, or NULL */
	const char *backend;
	const sockstate_sysinfo *sys;
};

/* The thresholds (docs/DIAGNOSE.md says why each). */
enum {
	SOCKSTATE__CLOSE_WAIT_WARNING = 10,   /* CLOSE_WAIT of one process */
	SOCKSTATE__CLOSE_WAIT_CRITICAL = 100,
	SOCKSTATE__SYN_RECEIVED_PILE = 10,    /* half-open on one port */
	SOCKSTATE__PORTS_WARNING_PCT = 80,    /* of the ephemeral range, to one
	                                         destination */
	SOCKSTATE__PORTS_CRITICAL_PCT = 95,
	SOCKSTATE__TIME_WAIT_PCT = 50,        /* outgoing TIME_WAIT, of the range */
	SOCKSTATE__RETRANS_MIN_SENT = 1000,   /* segments sent in the window */
	SOCKSTATE__RETRANS_WARNING_PERMILLE = 10,  /* 1 % */
	SOCKSTATE__RETRANS_CRITICAL_PERMILLE = 100 /* 10 % */
};

/* Decide: the findings and the checks of facts, as one diagnosis (*out,
 * free with sockstate_diagnosis_free). No system call: only the facts.
 * The diagnosis copies what it keeps but the strings the evidence
 * sockets point to (process, pids, netns), which stay the caller's: the
 * caller hands their owner over with sockstate__diagnosis_keep. Returns
 * 0 or SOCKSTATE_ENOMEM. */
int sockstate__diagnose_decide(const struct sockstate__diag_facts *facts,
                               sockstate_diagnosis **out);

/* Let d free snap with itself (the snapshot its evidence points into). */
void sockstate__diagnosis_keep(sockstate_diagnosis *d, sockstate_snapshot *snap);

/* A finding's headline in lang (an index): d's own language's is
 * f->headline; the others are kept beside it for the writers. */
const char *sockstate__finding_headline(const sockstate_diagnosis *d,
                                        const sockstate_finding *f, int lang);

#endif /* SOCKSTATE_DIAGNOSE_INTERNAL_H */
