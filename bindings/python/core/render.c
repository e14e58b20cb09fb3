/* render.c - the library's writers into memory, the GIL released while
 * they format: render (as `sockstate list`), render_counts (as `summary`). */

#include "core.h"

int sockstate_py_membuf_write(void *ctx, const char *buf, size_t len)
{
	struct membuf *m = ctx;

	if (len > m->cap - m->len) {
		size_t ncap = m->cap ? m->cap : 65536;
		while (ncap - m->len < len) {
			if (ncap > SIZE_MAX / 2)
				return SOCKSTATE_ENOMEM;
			ncap *= 2;
		}
		char *p = realloc(m->data, ncap);
		if (!p)
			return SOCKSTATE_ENOMEM;
		m->data = p;
		m->cap = ncap;
	}
	memcpy(m->data + m->len, buf, len);
	m->len += len;
	return 0;
}

PyObject *sockstate_py_membuf_bytes(struct membuf *m, int rc)
{
	PyObject *b = NULL;

	if (rc < 0)
		sockstate_py_raise_lib(rc, "writing", "");
	else
		b = PyBytes_FromStringAndSize(m->data ? m->data : "", (Py_ssize_t)m->len);
	free(m->data);
	m->data = NULL;
	return b;
}

sockstate_write_opts sockstate_py_write_opts(int format, unsigned long wflags, int port)
{
	sockstate_write_opts o;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.format = (sockstate_format)format;
	o.flags = (uint32_t)wflags;
	o.port = port;
	return o;
}

PyObject *sockstate_py_pid_source_obj(const char *src)
{
	if (!src)
		Py_RETURN_NONE;
	return PyUnicode_FromString(src);
}

/* What a document carries besides its sockets or counts (extras): 1 the
 * TCP counters (`summary --format prometheus`), 2 those and the
 * host-wide findings of a diagnosis with one look (`python -m sockstate
 * snapshot`). Only over one handle: several namespaces have no one set. */
struct extras {
	sockstate_tcp_counters counters;
	int have_counters;
	sockstate_diagnosis *diagnosis;
};

/* Read the extras asked (0: none) into *x, the GIL released. 0, or -1
 * with the error set (a backend that reads no counters has none). */
static int extras_read(PyObject *handles, int want, struct extras *x)
{
	struct handle_set set;
	int rc = 0;

	memset(x, 0, sizeof *x);
	x->counters.size = sizeof x->counters;
	if (!want)
		return 0;
	if (sockstate_py_handles_get(handles, &set) < 0)
		return -1;
	if (set.n == 1) {
		sockstate_diagnose_options o;

		sockstate_diagnose_options_init(&o);
		o.interval_ms = 0;
		Py_BEGIN_ALLOW_THREADS
		rc = sockstate_tcp_counters_get(set.h[0], &x->counters);
		if (rc == 0 || rc == SOCKSTATE_ENOTSUP) {
			x->have_counters = rc == 0;
			rc = want > 1 ? sockstate_diagnose(set.h[0], &o, &x->diagnosis) : 0;
		}
		Py_END_ALLOW_THREADS
		if (rc < 0)
			sockstate_py_raise_lib(rc, want > 1 && x->have_counters ? "diagnosing"
			                       : "reading the TCP counters",
			                       sockstate_errdetail(set.h[0]));
	}
	sockstate_py_handles_release(&set);
	return rc < 0 ? -1 : 0;
}

static void extras_into(const struct extras *x, sockstate_write_opts *o)
{
	o->tcp_counters = x->have_counters ? &x->counters : NULL;
	o->diagnosis = x->diagnosis;
}

/* render(handle, query, sort, format, write_flags, port, extras)
 *   -> (bytes, count, pid_source): the snapshot through
 * sockstate_snapshot_write, as `sockstate list` writes it; with extras
 * (see struct extras): as `summary --format prometheus --port P` (1) or
 * `python -m sockstate snapshot` (2) writes it. */
PyObject *sockstate_py_render(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj, *bytes, *src;
	sockstate_snapshot *snap;
	struct extras x;
	sockstate_write_opts o;
	struct membuf m = {NULL, 0, 0};
	int sort, format, port, extras, rc;
	unsigned long wflags;
	size_t count;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOiikii:render", &cap, &qobj, &sort, &format,
	                      &wflags, &port, &extras))
		return NULL;
	if (!(snap = sockstate_py_snapshot(cap, qobj, sort)))
		return NULL;
	if (extras_read(cap, extras, &x) < 0) {
		sockstate_snapshot_free(snap);
		return NULL;
	}
	o = sockstate_py_write_opts(format, wflags, port);
	extras_into(&x, &o);
	count = snap->count;
	src = sockstate_py_pid_source_obj(snap->pid_source);
	if (!src) {
		sockstate_snapshot_free(snap);
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	rc = sockstate_snapshot_write(snap, &o, sockstate_py_membuf_write, &m);
	sockstate_snapshot_free(snap);
	sockstate_diagnosis_free(x.diagnosis);
	Py_END_ALLOW_THREADS
	bytes = sockstate_py_membuf_bytes(&m, rc);
	if (!bytes) {
		Py_DECREF(src);
		return NULL;
	}
	return Py_BuildValue("(NnN)", bytes, (Py_ssize_t)count, src);
}

/* render_counts(handle, query, format, write_flags, port, extras)
 *   -> (bytes, total, pid_source): the counts through
 * sockstate_counts_write, as `sockstate summary` writes them (extras 1:
 * with the TCP counters, as its Prometheus output has them). */
PyObject *sockstate_py_render_counts(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj, *bytes, *src;
	sockstate_handle *h, *last;
	sockstate_counts c;
	sockstate_sysinfo sys;
	struct extras x;
	sockstate_write_opts o;
	struct membuf m = {NULL, 0, 0};
	int format, port, extras, rc;
	unsigned long wflags;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOikii:render_counts", &cap, &qobj, &format,
	                      &wflags, &port, &extras))
		return NULL;
	o = sockstate_py_write_opts(format, wflags, port);
	if (extras_read(cap, extras, &x) < 0)
		return NULL;
	extras_into(&x, &o);
	if (sockstate_py_count(cap, qobj, &c, &h, &last) < 0)
		return NULL;
	/* As the C tool: the pid source of the last handle counted. */
	if (!(src = sockstate_py_pid_source_obj(sockstate_pid_source(last))))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	sockstate_sysinfo_get(&sys);
	rc = sockstate_counts_write(&c, &sys, sockstate_backend(h), &o,
	                            sockstate_py_membuf_write, &m);
	sockstate_diagnosis_free(x.diagnosis);
	Py_END_ALLOW_THREADS
	bytes = sockstate_py_membuf_bytes(&m, rc);
	if (!bytes) {
		Py_DECREF(src);
		return NULL;
	}
	return Py_BuildValue("(NKN)", bytes, (unsigned long long)c.total, src);
}
