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

/* The TCP counters `sockstate summary --format prometheus` carries, into
 * *c, when asked and handles is one handle (several namespaces have no
 * one set of counters): 1 read, 0 none (not asked, several handles, or a
 * backend that reads none), -1 with the error set. */
static int summary_counters(PyObject *handles, int want, sockstate_tcp_counters *c)
{
	struct handle_set set;
	int rc = 0;

	memset(c, 0, sizeof *c);
	c->size = sizeof *c;
	if (!want || sockstate_py_handles_get(handles, &set) < 0)
		return want ? -1 : 0;
	if (set.n == 1) {
		Py_BEGIN_ALLOW_THREADS
		rc = sockstate_tcp_counters_get(set.h[0], c);
		Py_END_ALLOW_THREADS
		if (rc < 0 && rc != SOCKSTATE_ENOTSUP) {
			sockstate_py_raise_lib(rc, "reading the TCP counters",
			                       sockstate_errdetail(set.h[0]));
			sockstate_py_handles_release(&set);
			return -1;
		}
		rc = rc == 0;
	}
	sockstate_py_handles_release(&set);
	return rc;
}

/* render(handle, query, sort, format, write_flags, port, counters)
 *   -> (bytes, count, pid_source): the snapshot through
 * sockstate_snapshot_write, as `sockstate list` writes it; counters true:
 * with the TCP counters, as `sockstate summary --format prometheus
 * --port P` writes it. */
PyObject *sockstate_py_render(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj, *bytes, *src;
	sockstate_snapshot *snap;
	sockstate_tcp_counters tc;
	sockstate_write_opts o;
	struct membuf m = {NULL, 0, 0};
	int sort, format, port, counters, rc;
	unsigned long wflags;
	size_t count;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOiikip:render", &cap, &qobj, &sort, &format,
	                      &wflags, &port, &counters))
		return NULL;
	if ((counters = summary_counters(cap, counters, &tc)) < 0)
		return NULL;
	if (!(snap = sockstate_py_snapshot(cap, qobj, sort)))
		return NULL;
	o = sockstate_py_write_opts(format, wflags, port);
	if (counters)
		o.tcp_counters = &tc;
	count = snap->count;
	src = sockstate_py_pid_source_obj(snap->pid_source);
	if (!src) {
		sockstate_snapshot_free(snap);
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	rc = sockstate_snapshot_write(snap, &o, sockstate_py_membuf_write, &m);
	sockstate_snapshot_free(snap);
	Py_END_ALLOW_THREADS
	bytes = sockstate_py_membuf_bytes(&m, rc);
	if (!bytes) {
		Py_DECREF(src);
		return NULL;
	}
	return Py_BuildValue("(NnN)", bytes, (Py_ssize_t)count, src);
}

/* render_counts(handle, query, format, write_flags, port, counters)
 *   -> (bytes, total, pid_source): the counts through
 * sockstate_counts_write, as `sockstate summary` writes them (counters
 * true: with the TCP counters, as its Prometheus output has them). */
PyObject *sockstate_py_render_counts(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj, *bytes, *src;
	sockstate_handle *h, *last;
	sockstate_counts c;
	sockstate_sysinfo sys;
	sockstate_tcp_counters tc;
	sockstate_write_opts o;
	struct membuf m = {NULL, 0, 0};
	int format, port, counters, rc;
	unsigned long wflags;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOikip:render_counts", &cap, &qobj, &format,
	                      &wflags, &port, &counters))
		return NULL;
	o = sockstate_py_write_opts(format, wflags, port);
	if ((counters = summary_counters(cap, counters, &tc)) < 0)
		return NULL;
	if (counters)
		o.tcp_counters = &tc;
	if (sockstate_py_count(cap, qobj, &c, &h, &last) < 0)
		return NULL;
	/* As the C tool: the pid source of the last handle counted. */
	if (!(src = sockstate_py_pid_source_obj(sockstate_pid_source(last))))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	sockstate_sysinfo_get(&sys);
	rc = sockstate_counts_write(&c, &sys, sockstate_backend(h), &o,
	                            sockstate_py_membuf_write, &m);
	Py_END_ALLOW_THREADS
	bytes = sockstate_py_membuf_bytes(&m, rc);
	if (!bytes) {
		Py_DECREF(src);
		return NULL;
	}
	return Py_BuildValue("(NKN)", bytes, (unsigned long long)c.total, src);
}
