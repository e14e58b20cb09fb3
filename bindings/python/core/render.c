/* render.c - the library's writers into memory, the GIL released while
 * they format: render (as `sockstate list`, streamed through
 * sockstate_writer), render_counts (as `summary`), render_metrics (as
 * `summary --format prometheus`). */

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

/* The listing streamed through the library's writer into m, handle by
 * handle, as the C tool writes it; without the GIL. *count, *pid_source:
 * the records written and the first pid source of the handles. */
static int stream_nogil(const struct handle_set *set, const sockstate_query *q,
                        const sockstate_write_opts *o, struct membuf *m, size_t *count,
                        const char **pid_source, sockstate_handle **failed)
{
	sockstate_writer *w = NULL;
	int rc = sockstate_writer_new(o, NULL, sockstate_py_membuf_write, m, &w);

	for (size_t i = 0; i < set->n && rc == 0; i++) {
		*failed = set->h[i];
		rc = sockstate_writer_fill(w, set->h[i], q);
		if (!*pid_source)
			*pid_source = sockstate_pid_source(set->h[i]);
	}
	if (rc == 0)
		rc = sockstate_writer_end(w);
	*count = (size_t)sockstate_writer_count(w);
	sockstate_writer_free(w);
	return rc;
}

/* render(handles, query, sort, format, write_flags, port)
 *   -> (bytes, count, pid_source): the listing as `sockstate list` writes
 * it: streamed (nothing per socket kept but the text), or, sorted or as
 * Prometheus, through a snapshot (sockstate_snapshot_write). */
PyObject *sockstate_py_render(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj, *bytes, *src;
	sockstate_snapshot *snap;
	sockstate_write_opts o;
	struct membuf m = {NULL, 0, 0};
	int sort, format, port, rc;
	unsigned long wflags;
	size_t count;
	const char *pid_source = NULL;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOiiki:render", &cap, &qobj, &sort, &format,
	                      &wflags, &port))
		return NULL;
	o = sockstate_py_write_opts(format, wflags, port);
	if (sort == SOCKSTATE_SORT_NONE && format != SOCKSTATE_FORMAT_PROMETHEUS) {
		struct handle_set set;
		sockstate_handle *failed = NULL;
		sockstate_query q;

		if (sockstate_py_query_get(qobj, &q) < 0 ||
		    sockstate_py_handles_get(cap, &set) < 0)
			return NULL;
		Py_BEGIN_ALLOW_THREADS
		rc = stream_nogil(&set, &q, &o, &m, &count, &pid_source, &failed);
		Py_END_ALLOW_THREADS
		if (rc < 0) {
			sockstate_py_raise_lib(rc, "listing sockets",
			                       failed ? sockstate_errdetail(failed) : "");
			sockstate_py_handles_release(&set);
			free(m.data);
			return NULL;
		}
		sockstate_py_handles_release(&set);
	} else {
		if (!(snap = sockstate_py_snapshot(cap, qobj, sort)))
			return NULL;
		count = snap->count;
		pid_source = snap->pid_source;
		Py_BEGIN_ALLOW_THREADS
		rc = sockstate_snapshot_write(snap, &o, sockstate_py_membuf_write, &m);
		sockstate_snapshot_free(snap);
		Py_END_ALLOW_THREADS
	}
	if (!(src = sockstate_py_pid_source_obj(pid_source))) {
		free(m.data);
		return NULL;
	}
	bytes = sockstate_py_membuf_bytes(&m, rc);
	if (!bytes) {
		Py_DECREF(src);
		return NULL;
	}
	return Py_BuildValue("(NnN)", bytes, (Py_ssize_t)count, src);
}

/* render_counts(handle, query, format, write_flags, port)
 *   -> (bytes, total, pid_source): the counts through
 * sockstate_counts_write, as `sockstate summary` writes them. */
PyObject *sockstate_py_render_counts(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj, *bytes, *src;
	sockstate_handle *h, *last;
	sockstate_counts c;
	sockstate_sysinfo sys;
	sockstate_write_opts o;
	struct membuf m = {NULL, 0, 0};
	int format, port, rc;
	unsigned long wflags;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOiki:render_counts", &cap, &qobj, &format,
	                      &wflags, &port))
		return NULL;
	o = sockstate_py_write_opts(format, wflags, port);
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

/* render_metrics(handles, ports) -> bytes: the Prometheus output of
 * `sockstate summary --format prometheus --port PORTS`: every state of
 * both families over the whole of each handle's namespace, added up, and
 * the per-port series of each port; ports is "" or a comma list, read as
 * --port reads it (its messages under the label "port"). */
PyObject *sockstate_py_render_metrics(PyObject *self, PyObject *args)
{
	sockstate_port_counts ports[SOCKSTATE_PORTS_MAX];
	uint16_t numbers[SOCKSTATE_PORTS_MAX];
	PyObject *handles, *text_obj, *text_bytes;
	struct handle_set set;
	struct membuf m = {NULL, 0, 0};
	struct cli_error e;
	sockstate_handle *failed = NULL;
	sockstate_counts counts;
	sockstate_sysinfo sys;
	sockstate_write_opts o;
	sockstate_query q;
	const char *text;
	size_t n = 0;
	int rc = 0;
	(void)self;

	if (!PyArg_ParseTuple(args, "OO:render_metrics", &handles, &text_obj))
		return NULL;
	if (!(text_bytes = sockstate_py_text_arg(text_obj, "port", &text)))
		return NULL;
	if (text[0] && cli_ports_add("port", text, numbers, &n, &e) != CLI_EXIT_OK) {
		Py_DECREF(text_bytes);
		return sockstate_py_raise_input(SOCKSTATE_EINVAL, "%s", e.msg);
	}
	Py_DECREF(text_bytes);
	if (sockstate_py_handles_get(handles, &set) < 0)
		return NULL;
	memset(&counts, 0, sizeof counts);
	counts.size = sizeof counts;
	memset(ports, 0, sizeof ports);
	for (size_t i = 0; i < n; i++) {
		ports[i].size = sizeof ports[i];
		ports[i].port = numbers[i];
	}
	sockstate_query_init(&q);
	q.states = SOCKSTATE_STATES_ALL;
	o = sockstate_py_write_opts(SOCKSTATE_FORMAT_PROMETHEUS, 0, -1);
	o.ports = ports;
	o.nports = n;
	Py_BEGIN_ALLOW_THREADS
	for (size_t i = 0; i < set.n && rc == 0; i++) {
		failed = set.h[i];
		rc = sockstate_count_ports(set.h[i], &q, &counts, ports, n);
	}
	if (rc == 0) {
		sockstate_sysinfo_get(&sys);
		rc = sockstate_counts_write(&counts, &sys, sockstate_backend(set.h[0]), &o,
		                            sockstate_py_membuf_write, &m);
		failed = NULL;
	}
	Py_END_ALLOW_THREADS
	if (rc < 0 && failed) {
		free(m.data);
		sockstate_py_raise_lib(rc, "counting sockets", sockstate_errdetail(failed));
		sockstate_py_handles_release(&set);
		return NULL;
	}
	sockstate_py_handles_release(&set);
	return sockstate_py_membuf_bytes(&m, rc);
}
