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

/* render(handles, query, sort, format, write_flags, port, extras)
 *   -> (bytes, count, pid_source): the listing as `sockstate list` writes
 * it: streamed (nothing per socket kept but the text), or, sorted or as
 * Prometheus, through a snapshot (sockstate_snapshot_write); with extras
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
	const char *pid_source = NULL;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOiikii:render", &cap, &qobj, &sort, &format,
	                      &wflags, &port, &extras))
		return NULL;
	if (extras_read(cap, extras, &x) < 0)
		return NULL;
	o = sockstate_py_write_opts(format, wflags, port);
	extras_into(&x, &o);
	if (sort == SOCKSTATE_SORT_NONE && format != SOCKSTATE_FORMAT_PROMETHEUS) {
		struct handle_set set;
		sockstate_handle *failed = NULL;
		sockstate_query q;

		if (sockstate_py_query_get(qobj, &q) < 0 ||
		    sockstate_py_handles_get(cap, &set) < 0) {
			sockstate_diagnosis_free(x.diagnosis);
			return NULL;
		}
		Py_BEGIN_ALLOW_THREADS
		rc = stream_nogil(&set, &q, &o, &m, &count, &pid_source, &failed);
		sockstate_diagnosis_free(x.diagnosis);
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
		if (!(snap = sockstate_py_snapshot(cap, qobj, sort))) {
			sockstate_diagnosis_free(x.diagnosis);
			return NULL;
		}
		count = snap->count;
		pid_source = snap->pid_source;
		Py_BEGIN_ALLOW_THREADS
		rc = sockstate_snapshot_write(snap, &o, sockstate_py_membuf_write, &m);
		sockstate_snapshot_free(snap);
		sockstate_diagnosis_free(x.diagnosis);
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

/* render_metrics(handles, ports) -> bytes: the Prometheus output of
 * `sockstate summary --format prometheus --port PORTS`: every state of
 * both families over the whole of each handle's namespace, added up, and
 * the per-port series of each port, and the TCP counters (one handle);
 * ports is "" or a comma list, read as --port reads it (its messages
 * under the label "port"). */
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

	struct extras x;

	if (!PyArg_ParseTuple(args, "OO:render_metrics", &handles, &text_obj))
		return NULL;
	if (!(text_bytes = sockstate_py_text_arg(text_obj, "port", &text)))
		return NULL;
	if (text[0] && cli_ports_add("port", text, numbers, &n, &e) != CLI_EXIT_OK) {
		Py_DECREF(text_bytes);
		return sockstate_py_raise_input(SOCKSTATE_EINVAL, "%s", e.msg);
	}
	Py_DECREF(text_bytes);
	/* As the C tool's summary --format prometheus: the TCP counters too. */
	if (extras_read(handles, 1, &x) < 0)
		return NULL;
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
	extras_into(&x, &o);
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
