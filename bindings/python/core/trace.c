/* trace.c - connection lifecycle events (sockstate_trace_*): a trace
 * opened on a handle of its own, read one Event at a time with the GIL
 * released, closed at once or when its capsule goes.
 *
 * A trace holds its handle for its whole life and a handle is used by one
 * thread at a time, so the capsule owns both: the package's generator
 * never shares the module's default handle. */

#include "core.h"

#include <datetime.h>

static PyTypeObject *g_event_type;
static PyTypeObject *g_path_step_type;

enum ev_field {
	EF_KIND, EF_TIME, EF_TIME_NS, EF_SOURCE, EF_FAMILY, EF_LADDR, EF_RADDR,
	EF_OLD_STATE, EF_NEW_STATE, EF_OLD_NATIVE, EF_NEW_NATIVE, EF_CAUSE,
	EF_SYN_RETRANSMITS, EF_INFERRED, EF_IN_OLD_STATE, EF_COOKIE, EF_PID,
	EF_PROCESS, EF_NETNS, EF_DURATION, EF_BYTES_ACKED, EF_BYTES_RECEIVED,
	EF_PATH, EF_PATH_CUT, EF_LOST,
	EF_COUNT
};

static PyStructSequence_Field event_fields[] = {
	[EF_KIND] = {"kind", "\"transition\", \"summary\" (a connection ended) or \"lost\""},
	[EF_TIME] = {"time", "when, a datetime in UTC (microseconds; poll: the listing that saw it)"},
	[EF_TIME_NS] = {"time_ns", "the same in nanoseconds since the Unix epoch (int)"},
	[EF_SOURCE] = {"source", "\"bpf\", \"sock-diag-destroy\" or \"poll\""},
	[EF_FAMILY] = {"family", "socket.AF_INET or socket.AF_INET6; None in a lost event"},
	[EF_LADDR] = {"laddr", "local Address(ip, port)"},
	[EF_RADDR] = {"raddr", "remote Address(ip, port)"},
	[EF_OLD_STATE] = {"old_state", "the State before (UNKNOWN where the source cannot tell)"},
	[EF_NEW_STATE] = {"new_state", "the State after; a summary: the state it ended in"},
	[EF_OLD_NATIVE] = {"old_native_state", "NativeState as the OS names it, or None (inferred)"},
	[EF_NEW_NATIVE] = {"new_native_state", "NativeState as the OS names it, or None (inferred)"},
	[EF_CAUSE] = {"cause", "\"normal\", \"rst-received\", \"rst-sent\", \"syn-timeout\", "
	                       "\"timeout\" or \"unknown\""},
	[EF_SYN_RETRANSMITS] = {"syn_retransmits", "SYNs sent again (bpf), else 0"},
	[EF_INFERRED] = {"inferred", "True: not seen, the only way between two listings (poll)"},
	[EF_IN_OLD_STATE] = {"in_old_state", "seconds in old_state (float), or None"},
	[EF_COOKIE] = {"cookie", "the kernel's socket cookie (Linux), or None"},
	[EF_PID] = {"pid", "the owner's pid, or None"},
	[EF_PROCESS] = {"process", "the owner's name, or None"},
	[EF_NETNS] = {"netns", "the trace's netns option, or None (the caller's own)"},
	[EF_DURATION] = {"duration", "a summary: seconds from its first state to its end, or None"},
	[EF_BYTES_ACKED] = {"bytes_acked", "a summary: bytes sent and acknowledged, or None"},
	[EF_BYTES_RECEIVED] = {"bytes_received", "a summary: bytes received, or None"},
	[EF_PATH] = {"path", "a summary: tuple of PathStep(state, native_state, seconds); else None"},
	[EF_PATH_CUT] = {"path_cut", "a summary: True when only the first states were kept"},
	[EF_LOST] = {"lost", "a lost event: events dropped since the last one (None: the OS "
	                     "did not say how many); else None"},
	[EF_COUNT] = {NULL, NULL}};
static PyStructSequence_Desc event_desc = {
	"sockstate.Event",
	"Event: one connection lifecycle event (sockstate.trace()), immutable.\n\n"
	"kind is \"transition\" (old_state -> new_state), \"summary\" (a\n"
	"connection ended: its path, duration and bytes) or \"lost\" (lost\n"
	"says how many events were dropped). Unknown values are None.",
	event_fields, EF_COUNT};

static PyStructSequence_Field path_step_fields[] = {
	{"state", "the State"},
	{"native_state", "NativeState as the source reported it, or None"},
	{"seconds", "time in it (float), or None (the last, or entered before the trace)"},
	{NULL, NULL}};
static PyStructSequence_Desc path_step_desc = {
	"sockstate.PathStep",
	"PathStep(state, native_state, seconds): one state of a summary's path.",
	path_step_fields, 3};

int sockstate_py_add_trace_types(PyObject *m)
{
	PyDateTime_IMPORT;
	if (!PyDateTimeAPI)
		return -1;
	if (sockstate_py_add_type(m, "Event", &g_event_type, &event_desc) < 0 ||
	    sockstate_py_add_type(m, "PathStep", &g_path_step_type, &path_step_desc) < 0)
		return -1;
	return 0;
}

/* ---- the capsule ---- */

struct trace_box {
	sockstate_handle *h;
	sockstate_trace *t;
	struct build_cache *cache;  /* addresses and native states seen */
	int reading;                /* a read runs without the GIL */
};

#define TRACE_CAPSULE "sockstate._core.trace"

static void box_close(struct trace_box *box)
{
	sockstate_trace_close(box->t);
	sockstate_close(box->h);
	sockstate_py_cache_free(box->cache);
	box->t = NULL;
	box->h = NULL;
	box->cache = NULL;
}

static void trace_capsule_free(PyObject *cap)
{
	struct trace_box *box = PyCapsule_GetPointer(cap, TRACE_CAPSULE);

	if (box) {
		box_close(box);
		PyMem_Free(box);
	}
}

/* The open trace of a call's capsule, not being read by another thread;
 * NULL with the error set. */
static struct trace_box *box_get(PyObject *cap)
{
	struct trace_box *box = PyCapsule_GetPointer(cap, TRACE_CAPSULE);

	if (!box)
		return NULL;
	if (!box->t) {
		PyErr_SetString(PyExc_ValueError, "the trace is closed");
		return NULL;
	}
	if (box->reading) {
		PyErr_SetString(PyExc_RuntimeError, "the trace is being read by another thread");
		return NULL;
	}
	return box;
}

/* trace_open(backend, pid_source, netns, query, source, interval_ms, flags)
 *   -> trace capsule. A handle of its own with those options (None: auto,
 * the caller's namespace), then the trace: source None or "auto", "bpf",
 * "sock-diag-destroy", "poll"; interval_ms 0 = the library's default;
 * flags SOCKSTATE_TRACE_*. */
PyObject *sockstate_py_trace_open(PyObject *self, PyObject *args)
{
	PyObject *bobj, *pobj, *nobj, *qobj, *sobj, *sb = NULL, *cap = NULL;
	sockstate_event_source source = SOCKSTATE_TRACE_AUTO;
	sockstate_trace_options o;
	struct trace_box *box = NULL;
	unsigned long interval_ms, flags;
	sockstate_query q;
	const char *text;
	char detail[512];
	int rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOOOOkk:trace_open", &bobj, &pobj, &nobj, &qobj, &sobj,
	                      &interval_ms, &flags))
		return NULL;
	if (!sockstate_py_ready() || sockstate_py_query_get(qobj, &q) < 0)
		return NULL;
	if (sobj != Py_None) {
		char show_buf[96];

		if (!(sb = sockstate_py_text_arg(sobj, "source", &text)))
			return NULL;
		rc = sockstate_event_source_parse(text, &source);
		if (rc < 0) {
			sockstate_py_raise_input(rc, "source: unknown source '%s' (auto, bpf, "
			                         "sock-diag-destroy, poll)",
			                         cli_printable(text, 64, show_buf, sizeof show_buf));
			goto out;
		}
	}
	if (!(box = PyMem_Calloc(1, sizeof *box))) {
		PyErr_NoMemory();
		goto out;
	}
	if (!(box->cache = sockstate_py_cache_new()) ||
	    sockstate_py_open_handle(bobj, pobj, Py_None, nobj, &box->h) < 0)
		goto out;
	sockstate_trace_options_init(&o);
	o.source = source;
	o.interval_ms = (uint32_t)(interval_ms > UINT32_MAX ? UINT32_MAX : interval_ms);
	o.flags = (uint32_t)flags;
	/* Loading a BPF program takes a while. */
	Py_BEGIN_ALLOW_THREADS
	rc = sockstate_trace_open(box->h, &q, &o, &box->t);
	if (rc < 0)
		snprintf(detail, sizeof detail, "%s", sockstate_errdetail(box->h));
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		sockstate_py_raise_lib(rc, "trace", detail);
		goto out;
	}
	cap = PyCapsule_New(box, TRACE_CAPSULE, trace_capsule_free);
	if (cap)
		box = NULL;
out:
	if (box) {
		box_close(box);
		PyMem_Free(box);
	}
	Py_XDECREF(sb);
	return cap;
}

/* ---- one event as an Event ---- */

static PyObject *text_or_none(const char *s)
{
	if (!s)
		return none_ref();
	return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

static PyObject *seconds_or_none(int known, int64_t ns)
{
	return known && ns >= 0 ? PyFloat_FromDouble((double)ns / 1e9) : none_ref();
}

static PyObject *native_or_none(struct build_cache *c, int32_t code, const char *name)
{
	if (code < 0 && !name)
		return none_ref();
	return sockstate_py_native_obj(c, code, name ? name : "UNKNOWN");
}

static PyObject *state_obj(uint8_t st)
{
	PyObject *s = sockstate_py_states[st < SOCKSTATE_STATE_COUNT ? st : SOCKSTATE_UNKNOWN];

	Py_INCREF(s);
	return s;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* ns since the epoch as an aware datetime in UTC; the civil date from the
 * day number as in Howard Hinnant's days_from_civil, reversed. */
static PyObject *utc_datetime(int64_t ns)
{
	int64_t secs = floor_div(ns, 1000000000), days = floor_div(secs, 86400);
	int64_t sod = secs - days * 86400, z = days + 719468;
	int64_t era = floor_div(z, 146097), doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int day = (int)(doy - (153 * mp + 2) / 5 + 1), month = (int)(mp < 10 ? mp + 3 : mp - 9);
	int year = (int)(yoe + era * 400 + (month <= 2));

	if (ns <= 0 || year < 1 || year > 9999)
		return none_ref();
	return PyDateTimeAPI->DateTime_FromDateAndTime(
		year, month, day, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60),
		(int)((ns - secs * 1000000000) / 1000), PyDateTime_TimeZone_UTC,
		PyDateTimeAPI->DateTimeType);
}

static PyObject *path_obj(struct build_cache *c, const sockstate_event *ev)
{
	uint32_t n = ev->path_len < SOCKSTATE_EVENT_PATH_MAX ? ev->path_len
	                                                      : SOCKSTATE_EVENT_PATH_MAX;
	PyObject *path = PyTuple_New(n);

	for (uint32_t i = 0; path && i < n; i++) {
		const sockstate_state_span *sp = &ev->path[i];
		PyObject *step = PyStructSequence_New(g_path_step_type);
		PyObject *v[3];

		if (!step) {
			Py_CLEAR(path);
			break;
		}
		v[0] = state_obj(sp->state);
		v[1] = native_or_none(c, sp->native_code, sp->native_name);
		v[2] = seconds_or_none(1, sp->ns);
		if (!(step = sockstate_py_seq_fill(step, v, 3))) {
			Py_CLEAR(path);
			break;
		}
		PyTuple_SET_ITEM(path, i, step);
	}
	return path;
}

static PyObject *flag_obj(uint32_t flags, uint32_t bit)
{
	return PyBool_FromLong((flags & bit) != 0);
}

static PyObject *event_obj(struct build_cache *c, const sockstate_event *ev)
{
	PyObject *f[EF_COUNT] = {NULL};
	PyObject *obj = PyStructSequence_New(g_event_type);
	int lost = ev->kind == SOCKSTATE_EVENT_LOST;
	int summary = ev->kind == SOCKSTATE_EVENT_SUMMARY;
	int bytes = summary && (ev->flags & SOCKSTATE_EV_HAS_BYTES);
	const char *zone;

	if (!obj)
		return NULL;
	f[EF_KIND] = text_or_none(sockstate_event_kind_name((sockstate_event_kind)ev->kind));
	f[EF_TIME] = utc_datetime(ev->time_ns);
	f[EF_TIME_NS] = ev->time_ns > 0 ? PyLong_FromLongLong(ev->time_ns) : none_ref();
	f[EF_SOURCE] = text_or_none(sockstate_event_source_name((sockstate_event_source)ev->source));
	f[EF_LOST] = lost && ev->lost > 0 ? PyLong_FromUnsignedLongLong(ev->lost) : none_ref();
	if (lost || ev->family < 1 || ev->family > 2) {
		for (int i = EF_FAMILY; i < EF_LOST; i++)
			f[i] = none_ref();
		return sockstate_py_seq_fill(obj, f, EF_COUNT);
	}
	f[EF_FAMILY] = sockstate_py_families[ev->family];
	Py_INCREF(f[EF_FAMILY]);
	/* An event has no zone name: named here, unless it comes from
	 * another namespace, where this one's names would be another's. */
	zone = ev->netns ? NULL : sockstate_py_zone_lookup;
	f[EF_LADDR] = sockstate_py_address_obj(c, ev->family, &ev->local, zone);
	f[EF_RADDR] = sockstate_py_address_obj(c, ev->family, &ev->remote, zone);
	f[EF_OLD_STATE] = state_obj(ev->old_state);
	f[EF_NEW_STATE] = state_obj(ev->new_state);
	f[EF_OLD_NATIVE] = native_or_none(c, ev->old_native_code, ev->old_native_name);
	f[EF_NEW_NATIVE] = native_or_none(c, ev->new_native_code, ev->new_native_name);
	f[EF_CAUSE] = text_or_none(sockstate_cause_name((sockstate_cause)ev->cause));
	f[EF_SYN_RETRANSMITS] = PyLong_FromLong(ev->syn_retransmits);
	f[EF_INFERRED] = flag_obj(ev->flags, SOCKSTATE_EV_INFERRED);
	f[EF_IN_OLD_STATE] = seconds_or_none(ev->flags & SOCKSTATE_EV_HAS_IN_OLD,
	                                     ev->in_old_state_ns);
	f[EF_COOKIE] = ev->flags & SOCKSTATE_EV_HAS_COOKIE ? PyLong_FromUnsignedLongLong(ev->cookie)
	                                                   : none_ref();
	f[EF_PID] = ev->flags & SOCKSTATE_EV_HAS_PID && ev->pid >= 0 ? PyLong_FromLong(ev->pid)
	                                                             : none_ref();
	/* Valid until the next read: a new str each time, never cached. */
	f[EF_PROCESS] = text_or_none(ev->flags & SOCKSTATE_EV_HAS_PROCESS ? ev->process : NULL);
	f[EF_NETNS] = text_or_none(ev->netns);
	f[EF_DURATION] = seconds_or_none(summary && (ev->flags & SOCKSTATE_EV_HAS_DURATION),
	                                 ev->duration_ns);
	f[EF_BYTES_ACKED] = bytes ? PyLong_FromUnsignedLongLong(ev->bytes_acked) : none_ref();
	f[EF_BYTES_RECEIVED] = bytes ? PyLong_FromUnsignedLongLong(ev->bytes_received)
	                             : none_ref();
	f[EF_PATH] = summary ? path_obj(c, ev) : none_ref();
	f[EF_PATH_CUT] = summary ? flag_obj(ev->flags, SOCKSTATE_EV_PATH_CUT) : none_ref();
	return sockstate_py_seq_fill(obj, f, EF_COUNT);
}

/* trace_read(trace, timeout_ms) -> Event, or None when none came within
 * timeout_ms (0: do not wait). The GIL is released while waiting. */
PyObject *sockstate_py_trace_read(PyObject *self, PyObject *args)
{
	struct trace_box *box;
	sockstate_event ev;
	PyObject *cap;
	char detail[512];
	int timeout_ms, rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "Oi:trace_read", &cap, &timeout_ms))
		return NULL;
	if (!(box = box_get(cap)))
		return NULL;
	if (timeout_ms < 0)
		timeout_ms = 0;
	box->reading = 1;
	Py_BEGIN_ALLOW_THREADS
	rc = sockstate_trace_read(box->t, &ev, timeout_ms);
	if (rc < 0)
		snprintf(detail, sizeof detail, "%s", sockstate_errdetail(box->h));
	Py_END_ALLOW_THREADS
	box->reading = 0;
	if (rc < 0)
		return sockstate_py_raise_lib(rc, "trace: reading events", detail);
	if (rc == 0)
		return none_ref();
	return event_obj(box->cache, &ev);
}

/* trace_close(trace): the trace and its handle; idempotent. */
PyObject *sockstate_py_trace_close(PyObject *self, PyObject *args)
{
	struct trace_box *box;
	PyObject *cap;
	(void)self;

	if (!PyArg_ParseTuple(args, "O:trace_close", &cap))
		return NULL;
	if (!(box = PyCapsule_GetPointer(cap, TRACE_CAPSULE)))
		return NULL;
	if (box->reading) {
		PyErr_SetString(PyExc_RuntimeError, "the trace is being read by another thread");
		return NULL;
	}
	box_close(box);
	Py_RETURN_NONE;
}
