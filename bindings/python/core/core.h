/* core.h - what the C files of the extension `sockstate._core` share.
 *
 * ../sockstate.i holds SWIG's declarations only: the module, the plain
 * library functions and constants SWIG wraps, and the sockstate_py_*
 * functions below, registered with %native under their Python names
 * (sockstate_py_open is `open`). Their C is here, a file per topic:
 *
 *   errors.c     library errors as the package's exception classes; text
 *                arguments
 *   handles.c    handle capsules and sets; open, close, abandon, backend,
 *                pid_source, pid_source_reason, owners_unreadable, backends
 *   query.c      filters into a query (bytes holding a sockstate_query)
 *   parse.c      state, states, state_describe, sort_key, format_parse,
 *                group_keys_parse, prefix_parse
 *   records.c    the struct sequence types; the per-socket object builders
 *                with their caches
 *   enumerate.c  snapshots and counts over a handle set; connections, counts
 *   render.c     the library's writers into bytes; render, render_counts,
 *                render_metrics
 *   psutil.c     psutil's result shapes: _setup_psutil, psutil_connections
 *   groups.c     count_groups
 *   wait.c       wait_check
 *   netns.c      netns_list
 *   trace.c      the Event and PathStep types; trace_open, trace_read,
 *                trace_close: connection lifecycle events
 *   diagnose.c   tcp_counters, diagnose
 *   cli.c        cli_main, cli_subcommand_at: the C command-line tool
 *                (libsockstate/cli) run in-process for python -m sockstate
 *   setup.c      what the package hands over at import (_setup), sysinfo,
 *                and the module's init
 *
 * An entry point takes (self, args), all positional, and returns a new
 * reference, or NULL with an exception set. Every symbol shared between
 * the files is declared here and named sockstate_py_*; the rest is static.
 * The files are compiled with hidden visibility (and the library linked in
 * with its symbols excluded), so the extension exports PyInit__core only.
 */
#ifndef SOCKSTATE_PY_CORE_H
#define SOCKSTATE_PY_CORE_H

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockstate.h"
/* cli_printable: text for a message, as the command line shows it. */
#include "cli.h"

/* ---- setup.c: what the package hands over at import (_setup) ---- */

extern PyObject *sockstate_py_states[SOCKSTATE_STATE_COUNT]; /* State members by code */
extern PyObject *sockstate_py_families[3];   /* [1] AF_INET, [2] AF_INET6 */
extern PyObject *sockstate_py_sock_stream;   /* socket.SOCK_STREAM (psutil's `type`) */
extern PyObject *sockstate_py_minus_one;     /* psutil's `fd` is -1 when unknown */
extern PyObject *sockstate_py_error;         /* sockstate.Error */
extern PyObject *sockstate_py_error_classes; /* dict: code -> class */
extern PyObject *sockstate_py_timer_names[5];

/* The module's init (sockstate.i's %init): adds the types. 0 or -1. */
int sockstate_py_init(PyObject *m);
/* 1 once _setup has run; else 0 with RuntimeError set. */
int sockstate_py_ready(void);

PyObject *sockstate_py_setup(PyObject *self, PyObject *args);
PyObject *sockstate_py_sysinfo(PyObject *self, PyObject *args);

/* ---- errors.c ---- */

/* A failed library call: "<what>: <library message>[: <detail>]". NULL. */
PyObject *sockstate_py_raise_lib(int code, const char *what, const char *detail);
/* Bad input: one line from a printf format. NULL. */
PyObject *sockstate_py_raise_input(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The bytes of a str or bytes argument (a new reference; *text points into
 * it), or NULL with the error set; label names it in messages. */
PyObject *sockstate_py_text_arg(PyObject *obj, const char *label, const char **text);

static inline PyObject *none_ref(void)
{
	Py_INCREF(Py_None);
	return Py_None;
}

/* ---- handles.c ---- */

/* The handles a call runs on: one capsule, or a list/tuple of them (one
 * per network namespace, as --all-netns opens them). */
struct handle_set {
	sockstate_handle *one[1];
	sockstate_handle **h;
	size_t n;
};

/* The open handle in capsule cap, or NULL with the error set. */
sockstate_handle *sockstate_py_handle_get(PyObject *cap);
/* The same for a call whose one argument is a handle (format "O:name"). */
sockstate_handle *sockstate_py_handle_arg(PyObject *args, const char *format);
int sockstate_py_handles_get(PyObject *obj, struct handle_set *set);
void sockstate_py_handles_release(struct handle_set *set);

/* A handle opened with these options (None or text each, as open()
 * takes them), the GIL released meanwhile: 0, or -1 with the error set. */
int sockstate_py_open_handle(PyObject *backend, PyObject *pid_source, PyObject *capture_dir,
                             PyObject *netns, PyObject *replay, sockstate_handle **out);

PyObject *sockstate_py_open(PyObject *self, PyObject *args);
PyObject *sockstate_py_close(PyObject *self, PyObject *args);
PyObject *sockstate_py_abandon(PyObject *self, PyObject *args);
PyObject *sockstate_py_backend(PyObject *self, PyObject *args);
PyObject *sockstate_py_pid_source(PyObject *self, PyObject *args);
PyObject *sockstate_py_pid_source_reason(PyObject *self, PyObject *args);
PyObject *sockstate_py_owners_unreadable(PyObject *self, PyObject *args);
PyObject *sockstate_py_backends(PyObject *self, PyObject *args);

/* ---- query.c ---- */

/* A query made by query(): 0, or -1 with TypeError set. */
int sockstate_py_query_get(PyObject *obj, sockstate_query *q);

PyObject *sockstate_py_query(PyObject *self, PyObject *args);
PyObject *sockstate_py_query_info(PyObject *self, PyObject *args);

/* ---- parse.c ---- */

/* A state list the library refused, as the C CLI words it; bad points
 * into text. NULL. */
PyObject *sockstate_py_raise_states(const char *label, const char *text, const char *bad);

PyObject *sockstate_py_state_parse(PyObject *self, PyObject *args);
PyObject *sockstate_py_states_parse(PyObject *self, PyObject *args);
PyObject *sockstate_py_state_describe(PyObject *self, PyObject *args);
PyObject *sockstate_py_sort_key(PyObject *self, PyObject *args);
PyObject *sockstate_py_format_parse(PyObject *self, PyObject *args);
PyObject *sockstate_py_group_keys_parse(PyObject *self, PyObject *args);
PyObject *sockstate_py_prefix_parse(PyObject *self, PyObject *args);

/* ---- records.c ---- */

/* Immutable objects shared within one call (addresses, names...). */
struct build_cache;

/* The struct sequence types, added to module m. 0 or -1. */
int sockstate_py_add_types(PyObject *m);
/* One struct sequence type made from desc into *slot and added to m as
 * name. 0 or -1. */
int sockstate_py_add_type(PyObject *m, const char *name, PyTypeObject **slot,
                          PyStructSequence_Desc *desc);
/* seq (a struct sequence) with items[0..n) in it, the items stolen; when
 * any of them is NULL (its error set), all are dropped with seq: NULL. */
PyObject *sockstate_py_seq_fill(PyObject *seq, PyObject **items, int n);
/* A new, empty cache, or NULL with MemoryError set. */
struct build_cache *sockstate_py_cache_new(void);
void sockstate_py_cache_free(struct build_cache *c);
uint64_t sockstate_py_endpoint_hash(uint8_t family, const sockstate_endpoint *ep);
/* zone: the record's or group's zone name (sockstate_socket.zone), NULL
 * for none (the index is shown); or sockstate_py_zone_lookup for what
 * carries no zone name (a trace event): the interface is named now, as
 * the calling thread's namespace names it (sockstate_endpoint_format). */
extern const char sockstate_py_zone_lookup[];
PyObject *sockstate_py_ip_text(struct build_cache *c, uint8_t family,
                               const sockstate_endpoint *ep, const char *zone,
                               uint64_t hash);
PyObject *sockstate_py_address_obj(struct build_cache *c, uint8_t family,
                                   const sockstate_endpoint *ep, const char *zone);
/* (ip, port) as a 2-tuple of type (a namedtuple class: psutil's addr),
 * shared as sockstate_py_address_obj shares Addresses. */
PyObject *sockstate_py_pair_obj(struct build_cache *c, PyTypeObject *type,
                                uint8_t family, const sockstate_endpoint *ep,
                                const char *zone);
/* A new tuple of n items (NULL) of type: the tuple type itself or a
 * subclass with no fields of its own (a namedtuple class). */
PyObject *sockstate_py_tuple_new(PyTypeObject *type, Py_ssize_t n);
PyObject *sockstate_py_process_obj(struct build_cache *c, const char *name);
/* The int pid, shared by every record of that owner. */
PyObject *sockstate_py_pid_obj(struct build_cache *c, int32_t pid);
/* NativeState(code, name) (name static: the cache keys on its pointer). */
PyObject *sockstate_py_native_obj(struct build_cache *c, int32_t code, const char *name);
PyObject *sockstate_py_connection_obj(struct build_cache *c, const sockstate_socket *s,
                                      uint32_t query_flags);

/* ---- enumerate.c ---- */

/* One snapshot over handles (one capsule or a list of them) with query
 * (from query()), sorted by sort (SOCKSTATE_SORT_NONE: as taken), the GIL
 * released meanwhile; NULL with the error set. */
sockstate_snapshot *sockstate_py_snapshot(PyObject *handles, PyObject *query, int sort);
/* The counts over handles with query, added up, the GIL released
 * meanwhile: 0, or -1 with the error set. *first, *last (either may be
 * NULL): the first handle and the last one counted. */
int sockstate_py_count(PyObject *handles, PyObject *query, sockstate_counts *c,
                       sockstate_handle **first, sockstate_handle **last);
/* A list of Connection for snap's records; frees snap. */
PyObject *sockstate_py_connections_from(sockstate_snapshot *snap);
/* One record as a new object, arg as the caller passed it. */
typedef PyObject *(*sockstate_py_record_fn)(struct build_cache *c, const sockstate_socket *s,
                                            uint32_t arg);
/* A list of build(cache, record, arg) for snap's records, made with one
 * cache and no garbage collection meanwhile; frees snap. */
PyObject *sockstate_py_list_from(sockstate_snapshot *snap, sockstate_py_record_fn build,
                                 uint32_t arg);

PyObject *sockstate_py_connections(PyObject *self, PyObject *args);
PyObject *sockstate_py_counts(PyObject *self, PyObject *args);

/* ---- render.c ---- */

/* Output into memory, for the writers. */
struct membuf {
	char *data;
	size_t len, cap;
};

/* A sockstate_write_fn appending to a struct membuf. */
int sockstate_py_membuf_write(void *ctx, const char *buf, size_t len);
/* What a writer returning rc wrote into m: bytes, or NULL with the error
 * set (rc < 0 is raised as a writing error). Frees m's data either way. */
PyObject *sockstate_py_membuf_bytes(struct membuf *m, int rc);
sockstate_write_opts sockstate_py_write_opts(int format, unsigned long wflags, int port);
/* str, or None for NULL. */
PyObject *sockstate_py_pid_source_obj(const char *src);

PyObject *sockstate_py_render(PyObject *self, PyObject *args);
PyObject *sockstate_py_render_counts(PyObject *self, PyObject *args);
PyObject *sockstate_py_render_metrics(PyObject *self, PyObject *args);

/* ---- psutil.c: psutil's listings (sockstate.net_connections) ---- */

PyObject *sockstate_py_setup_psutil(PyObject *self, PyObject *args);
PyObject *sockstate_py_psutil_connections(PyObject *self, PyObject *args);

/* ---- groups.c, wait.c, netns.c ---- */

PyObject *sockstate_py_count_groups(PyObject *self, PyObject *args);
PyObject *sockstate_py_wait_check(PyObject *self, PyObject *args);
PyObject *sockstate_py_netns_list(PyObject *self, PyObject *args);

/* ---- trace.c ---- */

/* The Event and PathStep types, added to module m. 0 or -1. */
int sockstate_py_add_trace_types(PyObject *m);

PyObject *sockstate_py_trace_open(PyObject *self, PyObject *args);
PyObject *sockstate_py_trace_read(PyObject *self, PyObject *args);
PyObject *sockstate_py_trace_close(PyObject *self, PyObject *args);
/* ---- diagnose.c ---- */

PyObject *sockstate_py_tcp_counters(PyObject *self, PyObject *args);
PyObject *sockstate_py_diagnose(PyObject *self, PyObject *args);

/* ---- cli.c ---- */

PyObject *sockstate_py_cli_main(PyObject *self, PyObject *args);
PyObject *sockstate_py_cli_subcommand_at(PyObject *self, PyObject *args);

#endif
