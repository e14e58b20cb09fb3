/* wait.c - wait_check: one check of a listen or drain condition. The
 * seconds and counts of wait and watch are parsed in Python (cli). */

#include "core.h"

/* wait_check(handle, kind, port, states, families, excludes, flags, wflags)
 *   -> (holds, blockers, table): one check of a listen (kind 1) or drain
 * (kind 2) condition. excludes: prefixes from prefix_parse. When it does
 * not hold and flags is not -1: blockers is the list of Connection in the
 * way, table the same as `sockstate wait` prints them (write_flags
 * wflags); else both None. */
PyObject *sockstate_py_wait_check(PyObject *self, PyObject *args)
{
	PyObject *cap, *excl, *seq = NULL, *conns = NULL, *table = NULL, *ret = NULL;
	sockstate_handle *h;
	sockstate_wait_cond c;
	sockstate_prefix *pfx = NULL;
	sockstate_snapshot *blockers = NULL;
	unsigned long states, families, wflags;
	int kind, port, flags, rc;
	Py_ssize_t n;
	(void)self;

	if (!PyArg_ParseTuple(args, "OiikkOik:wait_check", &cap, &kind, &port, &states,
	                      &families, &excl, &flags, &wflags))
		return NULL;
	if (!sockstate_py_ready() || !(h = sockstate_py_handle_get(cap)))
		return NULL;
	if (!(seq = PySequence_Fast(excl, "excludes must be a sequence")))
		return NULL;
	n = PySequence_Fast_GET_SIZE(seq);
	if (n > 0 && !(pfx = PyMem_Calloc((size_t)n, sizeof *pfx))) {
		PyErr_NoMemory();
		goto out;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *b = PySequence_Fast_GET_ITEM(seq, i);
		if (!PyBytes_Check(b) || PyBytes_GET_SIZE(b) != (Py_ssize_t)sizeof *pfx) {
			PyErr_SetString(PyExc_TypeError, "not a prefix made by prefix_parse()");
			goto out;
		}
		memcpy(&pfx[i], PyBytes_AS_STRING(b), sizeof *pfx);
	}
	if (port < 0 || port > 65535) {
		sockstate_py_raise_input(SOCKSTATE_ERANGE, "port: %d is out of range (0-65535)",
		                         port);
		goto out;
	}
	sockstate_wait_cond_init(&c, (sockstate_wait_kind)kind, (uint16_t)port);
	c.states = (uint32_t)states;
	c.families = (uint32_t)families;
	c.exclude_remote = pfx;
	c.exclude_count = (size_t)n;
	Py_BEGIN_ALLOW_THREADS
	rc = sockstate_wait_check(h, &c, flags < 0 ? 0 : (uint32_t)flags,
	                          flags < 0 ? NULL : &blockers);
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		sockstate_py_raise_lib(rc, "wait", sockstate_errdetail(h));
		goto out;
	}
	if (rc == 1 || !blockers) {
		sockstate_snapshot_free(blockers);
		ret = Py_BuildValue("(OOO)", rc == 1 ? Py_True : Py_False, Py_None, Py_None);
		goto out;
	}
	{
		sockstate_write_opts o = sockstate_py_write_opts(SOCKSTATE_FORMAT_TABLE, wflags,
		                                                 -1);
		struct membuf m = {NULL, 0, 0};
		int wr;
		Py_BEGIN_ALLOW_THREADS
		wr = sockstate_snapshot_write(blockers, &o, sockstate_py_membuf_write, &m);
		Py_END_ALLOW_THREADS
		table = sockstate_py_membuf_bytes(&m, wr);
	}
	conns = table ? sockstate_py_connections_from(blockers) : NULL;
	if (!table)
		sockstate_snapshot_free(blockers);
	if (conns)
		ret = Py_BuildValue("(OOO)", Py_False, conns, table);
out:
	Py_XDECREF(conns);
	Py_XDECREF(table);
	Py_XDECREF(seq);
	PyMem_Free(pfx);
	return ret;
}
