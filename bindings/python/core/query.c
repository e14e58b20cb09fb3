/* query.c - the filters, through the library's own parser, into one
 * sockstate_query that travels to the other calls as bytes. */

#include "core.h"

/* A query travels as bytes holding one sockstate_query (see query()). */
int sockstate_py_query_get(PyObject *obj, sockstate_query *q)
{
	if (!PyBytes_Check(obj) || PyBytes_GET_SIZE(obj) != (Py_ssize_t)sizeof *q) {
		PyErr_SetString(PyExc_TypeError, "not a query made by _core.query()");
		return -1;
	}
	memcpy(q, PyBytes_AS_STRING(obj), sizeof *q);
	return 0;
}

/* One filter through sockstate_query_set, refused as the C CLI words it. */
static int query_value(sockstate_query *q, const char *label, const char *key,
                       const char *value, const char *what, const char *range)
{
	char show_buf[96];
	int rc = sockstate_query_set(q, key, value);

	if (rc == SOCKSTATE_OK)
		return 0;
	if (rc == SOCKSTATE_ERANGE && range != NULL)
		sockstate_py_raise_input(rc, "%s: %s is out of range (%s)", label,
		                         cli_printable(value, 64, show_buf, sizeof show_buf),
		                         range);
	else if (rc == SOCKSTATE_ERANGE)
		sockstate_py_raise_input(rc, "%s: '%s': prefix length out of range "
		                         "(0-32 for IPv4, 0-128 for IPv6)", label,
		                         cli_printable(value, 64, show_buf, sizeof show_buf));
	else
		sockstate_py_raise_input(rc, "%s: '%s' is not %s", label,
		                         cli_printable(value, 64, show_buf, sizeof show_buf),
		                         what);
	return -1;
}

static int query_set_one(sockstate_query *q, const char *key, const char *val,
                         const char *label)
{
	if (!strcmp(key, "state")) {
		const char *bad = NULL;
		uint32_t mask;
		if (sockstate_states_parse(val, &mask, &bad) < 0) {
			sockstate_py_raise_states(label, val, bad);
			return -1;
		}
		return query_value(q, label, key, val, "a list of state names", NULL);
	}
	if (!strcmp(key, "port") || !strcmp(key, "sport") || !strcmp(key, "dport"))
		return query_value(q, label, key, val, "a port number (0-65535)", "0-65535");
	if (!strcmp(key, "addr") || !strcmp(key, "saddr") || !strcmp(key, "daddr"))
		return query_value(q, label, key, val, "an IP address or prefix", NULL);
	if (!strcmp(key, "pid"))
		return query_value(q, label, key, val, "a process id", "1-2147483647");
	if (!strcmp(key, "uid"))
		return query_value(q, label, key, val, "a numeric user id", "0-4294967294");
	if (!strcmp(key, "family"))
		return query_value(q, label, key, val, "4, 6, ipv4, ipv6 or all", NULL);
	sockstate_py_raise_input(SOCKSTATE_EINVAL, "%s: unknown filter", label);
	return -1;
}

/* query(filters, flags) -> bytes. filters: a sequence of (key, value,
 * label) applied in order with sockstate_query_set; key as that function
 * takes it, value str or bytes, label names the value in messages. */
PyObject *sockstate_py_query(PyObject *self, PyObject *args)
{
	PyObject *filters, *seq;
	unsigned long flags = 0;
	sockstate_query q;
	(void)self;

	if (!PyArg_ParseTuple(args, "O|k:query", &filters, &flags))
		return NULL;
	sockstate_query_init(&q);
	q.flags = (uint32_t)flags;
	seq = PySequence_Fast(filters, "query: filters must be a sequence of tuples");
	if (!seq)
		return NULL;
	for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
		PyObject *t = PySequence_Fast_GET_ITEM(seq, i), *vb;
		const char *key, *label, *val;
		int rc;

		if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3 ||
		    !PyUnicode_Check(PyTuple_GET_ITEM(t, 0)) ||
		    !PyUnicode_Check(PyTuple_GET_ITEM(t, 2))) {
			Py_DECREF(seq);
			PyErr_SetString(PyExc_TypeError,
			                "query: each filter is a (key, value, label) tuple");
			return NULL;
		}
		key = PyUnicode_AsUTF8(PyTuple_GET_ITEM(t, 0));
		label = key ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(t, 2)) : NULL;
		if (!label || !(vb = sockstate_py_text_arg(PyTuple_GET_ITEM(t, 1), label, &val))) {
			Py_DECREF(seq);
			return NULL;
		}
		rc = query_set_one(&q, key, val, label);
		Py_DECREF(vb);
		if (rc < 0) {
			Py_DECREF(seq);
			return NULL;
		}
	}
	Py_DECREF(seq);
	return PyBytes_FromStringAndSize((const char *)&q, sizeof q);
}

/* query_info(query) -> dict of the query's fields (for tests). */
PyObject *sockstate_py_query_info(PyObject *self, PyObject *args)
{
	PyObject *qobj;
	sockstate_query q;
	(void)self;

	if (!PyArg_ParseTuple(args, "O:query_info", &qobj) || sockstate_py_query_get(qobj, &q) < 0)
		return NULL;
	return Py_BuildValue("{s:k,s:k,s:k,s:i,s:i,s:i,s:i,s:L,s:i,s:i,s:i}",
	                     "states", (unsigned long)q.states,
	                     "families", (unsigned long)q.families,
	                     "flags", (unsigned long)q.flags,
	                     "port", (int)q.port, "sport", (int)q.sport,
	                     "dport", (int)q.dport, "pid", (int)q.pid,
	                     "uid", (long long)q.uid,
	                     "addr_bits", q.addr.family ? (int)q.addr.bits : -1,
	                     "saddr_bits", q.saddr.family ? (int)q.saddr.bits : -1,
	                     "daddr_bits", q.daddr.family ? (int)q.daddr.bits : -1);
}
