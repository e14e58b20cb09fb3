/* sockstate.i - the SWIG declarations of the private extension
 * `sockstate._core`.
 *
 * Thin on purpose: the public API is the hand-written package beside this
 * file (sockstate/). The extension is what must be fast or must be the
 * library's own code; its C is in core/ (core/core.h lists the files):
 *   - results are built in C: a snapshot becomes a list of Connection
 *     struct sequences, counts become one dict, and no SWIG proxy object
 *     is ever made per socket;
 *   - the GIL is released while the OS is asked (snapshot, count) and while
 *     the writers format;
 *   - every parser is the library's (states, filters, sort keys, formats);
 *   - library errors become the package's exception classes, registered
 *     by the package at import (_setup).
 * This file only declares: the plain library functions SWIG wraps as they
 * are, the constants, and core/'s functions registered with %native.
 *
 * Built with `swig -python -interface _core`: the C module is `_core`; the
 * proxy module SWIG also writes (core.py) is not used or installed.
 */
%module core

%begin %{
#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
%}

%{
#include "core.h"
%}

/* ---- plain functions SWIG wraps as they are ---- */
%rename(version) sockstate_version;
const char *sockstate_version(void);
%rename(strerror) sockstate_strerror;
const char *sockstate_strerror(int err);
%rename(errname) sockstate_errname;
const char *sockstate_errname(int err);
%rename(state_name) sockstate_state_name;
const char *sockstate_state_name(int s);

/* ---- constants the package needs ---- */
%constant int STATE_COUNT = SOCKSTATE_STATE_COUNT;
%constant int Q_PIDS = SOCKSTATE_Q_PIDS;
%constant int Q_TCP_INFO = SOCKSTATE_Q_TCP_INFO;
%constant int Q_NO_PUSHDOWN = SOCKSTATE_Q_NO_PUSHDOWN;
%constant int W_NO_HEADER = SOCKSTATE_W_NO_HEADER;
%constant int W_PIDS = SOCKSTATE_W_PIDS;
%constant int W_NETNS = SOCKSTATE_W_NETNS;
%constant int W_TIMERS = SOCKSTATE_W_TIMERS;
%constant int SORT_NONE = SOCKSTATE_SORT_NONE;
%constant int SORT_PID = SOCKSTATE_SORT_PID;
%constant int SORT_PROCESS = SOCKSTATE_SORT_PROCESS;
%constant int FORMAT_TABLE = SOCKSTATE_FORMAT_TABLE;
%constant int FORMAT_JSON = SOCKSTATE_FORMAT_JSON;
%constant int FORMAT_CSV = SOCKSTATE_FORMAT_CSV;
%constant int FORMAT_PROMETHEUS = SOCKSTATE_FORMAT_PROMETHEUS;
%constant int EINVAL = SOCKSTATE_EINVAL;
%constant int ENOMEM = SOCKSTATE_ENOMEM;
%constant int EPERM = SOCKSTATE_EPERM;
%constant int EUNAVAIL = SOCKSTATE_EUNAVAIL;
%constant int EPARSE = SOCKSTATE_EPARSE;
%constant int EIO = SOCKSTATE_EIO;
%constant int EAGAIN = SOCKSTATE_EAGAIN;
%constant int ENOTSUP = SOCKSTATE_ENOTSUP;
%constant int ERANGE = SOCKSTATE_ERANGE;
%constant int ENOENT = SOCKSTATE_ENOENT;
%constant int EABI = SOCKSTATE_EABI;
%constant int GROUP_PORT = SOCKSTATE_GROUP_PORT;
%constant int WAIT_LISTEN = SOCKSTATE_WAIT_LISTEN;
%constant int WAIT_DRAINED = SOCKSTATE_WAIT_DRAINED;
%constant int WAIT_DRAIN_DEFAULT = SOCKSTATE_WAIT_DRAIN_DEFAULT;
%constant int STATES_ALL = SOCKSTATE_STATES_ALL;
%constant int TRACE_SUMMARIES = SOCKSTATE_TRACE_SUMMARIES;
%constant int TRACE_NO_TRANSITIONS = SOCKSTATE_TRACE_NO_TRANSITIONS;

/* ---- functions of core/ (core.h), registered as they are ---- */
%native(_setup) PyObject *sockstate_py_setup(PyObject *self, PyObject *args);
%native(state_parse) PyObject *sockstate_py_state_parse(PyObject *self, PyObject *args);
%native(states_parse) PyObject *sockstate_py_states_parse(PyObject *self, PyObject *args);
%native(state_describe) PyObject *sockstate_py_state_describe(PyObject *self, PyObject *args);
%native(query) PyObject *sockstate_py_query(PyObject *self, PyObject *args);
%native(query_info) PyObject *sockstate_py_query_info(PyObject *self, PyObject *args);
%native(sort_key) PyObject *sockstate_py_sort_key(PyObject *self, PyObject *args);
%native(format_parse) PyObject *sockstate_py_format_parse(PyObject *self, PyObject *args);
%native(open) PyObject *sockstate_py_open(PyObject *self, PyObject *args);
%native(close) PyObject *sockstate_py_close(PyObject *self, PyObject *args);
%native(abandon) PyObject *sockstate_py_abandon(PyObject *self, PyObject *args);
%native(backend) PyObject *sockstate_py_backend(PyObject *self, PyObject *args);
%native(pid_source) PyObject *sockstate_py_pid_source(PyObject *self, PyObject *args);
%native(backends) PyObject *sockstate_py_backends(PyObject *self, PyObject *args);
%native(pid_source_reason) PyObject *sockstate_py_pid_source_reason(PyObject *self, PyObject *args);
%native(owners_unreadable) PyObject *sockstate_py_owners_unreadable(PyObject *self, PyObject *args);
%native(connections) PyObject *sockstate_py_connections(PyObject *self, PyObject *args);
%native(_setup_psutil) PyObject *sockstate_py_setup_psutil(PyObject *self, PyObject *args);
%native(psutil_connections) PyObject *sockstate_py_psutil_connections(PyObject *self, PyObject *args);
%native(counts) PyObject *sockstate_py_counts(PyObject *self, PyObject *args);
%native(render) PyObject *sockstate_py_render(PyObject *self, PyObject *args);
%native(render_counts) PyObject *sockstate_py_render_counts(PyObject *self, PyObject *args);
%native(render_metrics) PyObject *sockstate_py_render_metrics(PyObject *self, PyObject *args);
%native(sysinfo) PyObject *sockstate_py_sysinfo(PyObject *self, PyObject *args);
%native(group_keys_parse) PyObject *sockstate_py_group_keys_parse(PyObject *self, PyObject *args);
%native(prefix_parse) PyObject *sockstate_py_prefix_parse(PyObject *self, PyObject *args);
%native(count_groups) PyObject *sockstate_py_count_groups(PyObject *self, PyObject *args);
%native(wait_check) PyObject *sockstate_py_wait_check(PyObject *self, PyObject *args);
%native(netns_list) PyObject *sockstate_py_netns_list(PyObject *self, PyObject *args);
%native(trace_open) PyObject *sockstate_py_trace_open(PyObject *self, PyObject *args);
%native(trace_read) PyObject *sockstate_py_trace_read(PyObject *self, PyObject *args);
%native(trace_close) PyObject *sockstate_py_trace_close(PyObject *self, PyObject *args);
%native(tcp_counters) PyObject *sockstate_py_tcp_counters(PyObject *self, PyObject *args);
%native(diagnose) PyObject *sockstate_py_diagnose(PyObject *self, PyObject *args);
%native(cli_main) PyObject *sockstate_py_cli_main(PyObject *self, PyObject *args);
%native(cli_subcommand_at) PyObject *sockstate_py_cli_subcommand_at(PyObject *self, PyObject *args);

%init %{
	if (sockstate_py_init(m) < 0)
		return NULL;
%}
