/* diagnose.c - tcp_counters and diagnose: the kernel's TCP counters as
 * Python values, and the library's diagnosis as its own documents (the
 * sockstate-diagnosis/1 JSON, from which the package builds Finding
 * objects, and the table `sockstate diagnose` prints), the GIL released
 * while the OS is asked and the window passes. */

#include "core.h"

/* tcp_counters(handle) -> (source, ((name, value or None, native or
 * None), ...)) in the library's order. */
PyObject *sockstate_py_tcp_counters(PyObject *self, PyObject *args)
{
	sockstate_handle *h = sockstate_py_handle_arg(args, "O:tcp_counters");
	sockstate_tcp_counters c;
	PyObject *rows, *ret;
	int rc;
	(void)self;

	if (!h)
		return NULL;
	memset(&c, 0, sizeof c);
	c.size = sizeof c;
	Py_BEGIN_ALLOW_THREADS
	rc = sockstate_tcp_counters_get(h, &c);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return sockstate_py_raise_lib(rc, "reading the TCP counters", sockstate_errdetail(h));
	if (!(rows = PyTuple_New(SOCKSTATE_COUNTER_COUNT)))
		return NULL;
	for (unsigned k = 0; k < SOCKSTATE_COUNTER_COUNT; k++) {
		int known = (c.valid & SOCKSTATE_COUNTER_BIT(k)) != 0;
		PyObject *row = known
			? Py_BuildValue("(sKs)", sockstate_counter_name((sockstate_counter)k),
			                (unsigned long long)c.value[k], c.native[k])
			: Py_BuildValue("(sOO)", sockstate_counter_name((sockstate_counter)k),
			                Py_None, Py_None);
		if (!row) {
			Py_DECREF(rows);
			return NULL;
		}
		PyTuple_SET_ITEM(rows, k, row);
	}
	ret = Py_BuildValue("(zN)", c.source, rows);
	return ret;
}

/* The options of diagnose from Python's arguments, with the messages
 * `sockstate diagnose` gives for the same mistakes. 0, or -1 with the
 * error set. */
static int options_from(PyObject *port, PyObject *addr, PyObject *to, int probe,
                        double interval, double timeout, PyObject *lang,
                        sockstate_diagnose_options *o)
{
	const char *text;
	PyObject *b;
	int rc;

	sockstate_diagnose_options_init(o);
	if (port != Py_None) {
		long v = PyLong_AsLong(port);

		if (v == -1 && PyErr_Occurred())
			return -1;
		if (v < 0 || v > 65535) {
			sockstate_py_raise_input(SOCKSTATE_ERANGE, "port: %ld is out of range (0-65535)", v);
			return -1;
		}
		o->port = (int32_t)v;
	}
	if (addr != Py_None) {
		sockstate_prefix p;

		if (!(b = sockstate_py_text_arg(addr, "addr", &text)))
			return -1;
		rc = sockstate_prefix_parse(text, &p);
		if (rc == 0 && p.bits != (p.family == SOCKSTATE_FAMILY_IPV4 ? 32 : 128))
			rc = SOCKSTATE_ERANGE;
		if (rc < 0) {
			sockstate_py_raise_input(SOCKSTATE_EINVAL, "addr: '%.64s' is not one IP address",
			                         text);
			Py_DECREF(b);
			return -1;
		}
		Py_DECREF(b);
		if (o->port < 0) {
			sockstate_py_raise_input(SOCKSTATE_EINVAL, "addr: only with port (the address "
			                         "of that port's service)");
			return -1;
		}
		o->addr_family = p.family;
		memcpy(o->addr.addr, p.addr, sizeof o->addr.addr);
	}
	if (to != Py_None) {
		sockstate_family family;

		if (!(b = sockstate_py_text_arg(to, "to", &text)))
			return -1;
		rc = sockstate_endpoint_parse(text, &family, &o->to);
		if (rc < 0) {
			if (rc == SOCKSTATE_ERANGE)
				sockstate_py_raise_input(rc, "to: '%.64s': port out of range (0-65535)",
				                         text);
			else
				sockstate_py_raise_input(rc, "to: '%.64s' is not ADDR:PORT (an IP address, "
				                         "not a name; [v6]:PORT for IPv6)", text);
			Py_DECREF(b);
			return -1;
		}
		Py_DECREF(b);
		o->to_family = (uint8_t)family;
	}
	if (probe) {
		if (!o->to_family) {
			sockstate_py_raise_input(SOCKSTATE_EINVAL, "probe: only with to=\"ADDR:PORT\"");
			return -1;
		}
		o->flags |= SOCKSTATE_DIAG_PROBE;
	}
	if (!(interval >= 0 && interval <= 3600) || !(timeout > 0 && timeout <= 3600)) {
		sockstate_py_raise_input(SOCKSTATE_ERANGE, "%s: %g is out of range (%s)",
		                         interval >= 0 && interval <= 3600 ? "timeout" : "interval",
		                         interval >= 0 && interval <= 3600 ? timeout : interval,
		                         interval >= 0 && interval <= 3600 ? "above 0, at most 3600"
		                                                            : "0-3600 seconds");
		return -1;
	}
	o->interval_ms = (uint32_t)(interval * 1000.0 + 0.5);
	o->probe_timeout_ms = (uint32_t)(timeout * 1000.0 + 0.5);
	if (o->probe_timeout_ms == 0)
		o->probe_timeout_ms = 1;
	if (lang != Py_None) {
		sockstate_finding_info info;

		if (!(b = sockstate_py_text_arg(lang, "lang", &text)))
			return -1;
		if (!text[0] || sockstate_finding_describe(SOCKSTATE_FINDING_NO_LISTENER, text,
		                                           &info) != 0) {
			sockstate_py_raise_input(SOCKSTATE_EINVAL, "lang: unsupported language '%.64s' "
			                         "(en, es)", text);
			Py_DECREF(b);
			return -1;
		}
		o->lang = cli_pick_language(text);
		Py_DECREF(b);
	} else {
		o->lang = cli_pick_language(NULL);
	}
	return 0;
}

/* diagnose(handle, port, addr, to, probe, interval, timeout, lang)
 *   -> (json, table, worst): the sockstate-diagnosis/1 document and the
 * table as bytes, and the highest severity found (0 none). */
PyObject *sockstate_py_diagnose(PyObject *self, PyObject *args)
{
	PyObject *cap, *port, *addr, *to, *lang, *json = NULL, *table = NULL;
	sockstate_diagnose_options o;
	sockstate_diagnosis *d = NULL;
	sockstate_handle *h;
	double interval, timeout;
	int probe, rc, worst;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOOOpddO:diagnose", &cap, &port, &addr, &to, &probe,
	                      &interval, &timeout, &lang))
		return NULL;
	if (!sockstate_py_ready() || !(h = sockstate_py_handle_get(cap)))
		return NULL;
	if (options_from(port, addr, to, probe, interval, timeout, lang, &o) < 0)
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = sockstate_diagnose(h, &o, &d);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return sockstate_py_raise_lib(rc, "diagnosing", sockstate_errdetail(h));
	for (int f = 0; f < 2; f++) {
		sockstate_write_opts w = sockstate_py_write_opts(f ? SOCKSTATE_FORMAT_TABLE
		                                                   : SOCKSTATE_FORMAT_JSON, 0, -1);
		struct membuf m = {NULL, 0, 0};
		PyObject *bytes;

		Py_BEGIN_ALLOW_THREADS
		rc = sockstate_diagnosis_write(d, &w, sockstate_py_membuf_write, &m);
		Py_END_ALLOW_THREADS
		bytes = sockstate_py_membuf_bytes(&m, rc);
		if (!bytes)
			break;
		*(f ? &table : &json) = bytes;
	}
	worst = sockstate_diagnosis_worst(d);
	sockstate_diagnosis_free(d);
	if (!json || !table) {
		Py_XDECREF(json);
		Py_XDECREF(table);
		return NULL;
	}
	return Py_BuildValue("(NNi)", json, table, worst);
}
