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
 *                pid_source, pid_source_reason, backends
 *   query.c      filters into a query (bytes holding a sockstate_query)
 *   parse.c      state, states, state_describe, sort_key, format_parse,
 *                group_keys_parse, prefix_parse
 *   records.c    the struct sequence types; the per-socket object builders
 *                with their caches
 *   enumerate.c  snapshots and counts over a handle set; connections, counts
 *   render.c     the library's writers into bytes; render, render_counts
 *   groups.c     count_groups
 *   wait.c       wait_check
 *   netns.c      netns_list
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

PyObject *sockstate_py_open(PyObject *self, PyObject *args);
PyObject *sockstate_py_close(PyObject *self, PyObject *args);
PyObject *sockstate_py_abandon(PyObject *self, PyObject *args);
PyObject *sockstate_py_backend(PyObject *self, PyObject *args);
PyObject *sockstate_py_pid_source(PyObject *self, PyObject *args);
PyObject *sockstate_py_pid_source_reason(PyObject *self, PyObject *args);
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
/* A new, empty cache, or NULL with MemoryError set. */
struct build_cache *sockstate_py_cache_new(void);
void sockstate_py_cache_free(struct build_cache *c);
uint64_t sockstate_py_endpoint_hash(uint8_t family, const sockstate_endpoint *ep);
PyObject *sockstate_py_ip_text(struct build_cache *c, uint8_t family,
                               const sockstate_endpoint *ep, uint64_t hash);
PyObject *sockstate_py_address_obj(struct build_cache *c, uint8_t family,
                                   const sockstate_endpoint *ep);
PyObject *sockstate_py_process_obj(struct build_cache *c, const char *name);
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

/* ---- groups.c, wait.c, netns.c ---- */

PyObject *sockstate_py_count_groups(PyObject *self, PyObject *args);
PyObject *sockstate_py_wait_check(PyObject *self, PyObject *args);
PyObject *sockstate_py_netns_list(PyObject *self, PyObject *args);

/* ---- diagnose.c ---- */

PyObject *sockstate_py_tcp_counters(PyObject *self, PyObject *args);
PyObject *sockstate_py_diagnose(PyObject *self, PyObject *args);

/* ---- cli.c ---- */

PyObject *sockstate_py_cli_main(PyObject *self, PyObject *args);
PyObject *sockstate_py_cli_subcommand_at(PyObject *self, PyObject *args);

#endif
