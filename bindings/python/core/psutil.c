/* psutil.c - psutil's listings of connections built from a snapshot:
 * psutil.net_connections()'s sconn (fd, family, type, laddr, raddr,
 * status, pid) and Process.connections()'s pconn (the same without pid),
 * of the package's namedtuple classes, for sockstate.net_connections and
 * sockstate.process_connections. Built in C for speed, as Connection
 * objects are (records.c), sharing their caches. */

#include "core.h"

static PyTypeObject *g_sconn, *g_pconn, *g_addr;
static PyObject *g_statuses;  /* psutil's CONN_* strings, by library state */
static PyObject *g_no_addr;   /* () */

/* A tuple subclass whose instances are plain tuples underneath (a
 * namedtuple class: no __dict__, no slots of its own). */
static int plain_tuple_type(PyObject *obj, const char *what)
{
	PyTypeObject *t = (PyTypeObject *)obj;

	if (!PyType_Check(obj) || !PyType_IsSubtype(t, &PyTuple_Type) ||
	    t->tp_basicsize != PyTuple_Type.tp_basicsize ||
	    t->tp_itemsize != PyTuple_Type.tp_itemsize) {
		PyErr_Format(PyExc_TypeError, "_setup_psutil: %s must be a namedtuple class", what);
		return 0;
	}
	return 1;
}

/* _setup_psutil(sconn, pconn, addr, statuses): the classes, and psutil's
 * status string for each library state (a tuple indexed by its number). */
PyObject *sockstate_py_setup_psutil(PyObject *self, PyObject *args)
{
	PyObject *sconn, *pconn, *addr, *statuses;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOOO!:_setup_psutil", &sconn, &pconn, &addr,
	                      &PyTuple_Type, &statuses))
		return NULL;
	if (!plain_tuple_type(sconn, "sconn") || !plain_tuple_type(pconn, "pconn") ||
	    !plain_tuple_type(addr, "addr"))
		return NULL;
	if (PyTuple_GET_SIZE(statuses) != SOCKSTATE_STATE_COUNT) {
		PyErr_SetString(PyExc_ValueError, "_setup_psutil: one status per library state");
		return NULL;
	}
	for (int i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		if (!PyUnicode_Check(PyTuple_GET_ITEM(statuses, i))) {
			PyErr_SetString(PyExc_TypeError, "_setup_psutil: statuses are str");
			return NULL;
		}
	}
	if (!g_no_addr && !(g_no_addr = PyTuple_New(0)))
		return NULL;
	Py_INCREF(statuses);
	Py_XSETREF(g_statuses, statuses);
	Py_INCREF(sconn);
	Py_XSETREF(g_sconn, (PyTypeObject *)sconn);
	Py_INCREF(pconn);
	Py_XSETREF(g_pconn, (PyTypeObject *)pconn);
	Py_INCREF(addr);
	Py_XSETREF(g_addr, (PyTypeObject *)addr);
	Py_RETURN_NONE;
}

/* psutil's address: (ip, port), or () where the port is 0 (a listener's
 * remote end), as psutil decides it on every OS. */
static PyObject *psutil_addr(struct build_cache *c, uint8_t family,
                             const sockstate_endpoint *ep, const char *zone)
{
	if (ep->port == 0) {
		Py_INCREF(g_no_addr);
		return g_no_addr;
	}
	return sockstate_py_pair_obj(c, g_addr, family, ep, zone);
}

/* with_pid: an sconn (net_connections) rather than a pconn. */
static PyObject *psutil_conn(struct build_cache *c, const sockstate_socket *s,
                             uint32_t with_pid)
{
	Py_ssize_t n = with_pid ? 7 : 6;
	PyObject *item[7];
	PyObject *conn;

	if (s->family < 1 || s->family > 2 || !sockstate_py_families[s->family])
		return sockstate_py_raise_lib(SOCKSTATE_EINVAL, "listing sockets",
		                              "a record with an unknown family");
	item[0] = sockstate_py_minus_one;
	Py_INCREF(item[0]);
	item[1] = sockstate_py_families[s->family];
	Py_INCREF(item[1]);
	item[2] = sockstate_py_sock_stream;
	Py_INCREF(item[2]);
	item[3] = psutil_addr(c, s->family, &s->local, s->zone);
	item[4] = psutil_addr(c, s->family, &s->remote, s->zone);
	item[5] = PyTuple_GET_ITEM(g_statuses, s->state < SOCKSTATE_STATE_COUNT ? s->state
	                                                                        : SOCKSTATE_UNKNOWN);
	Py_INCREF(item[5]);
	item[6] = !with_pid ? NULL : (s->valid & SOCKSTATE_HAS_PID) ? sockstate_py_pid_obj(c, s->pid)
	                                                            : none_ref();
	conn = item[3] && item[4] && (!with_pid || item[6])
	       ? sockstate_py_tuple_new(with_pid ? g_sconn : g_pconn, n) : NULL;
	for (Py_ssize_t i = 0; i < n; i++) {
		if (conn)
			PyTuple_SET_ITEM(conn, i, item[i]);
		else
			Py_XDECREF(item[i]);
	}
	return conn;
}

/* psutil_connections(handles, query, with_pid) -> list of sconn (with_pid)
 * or pconn, for the sockets matching query (which asks for owners). */
PyObject *sockstate_py_psutil_connections(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj;
	sockstate_snapshot *snap;
	int with_pid;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOp:psutil_connections", &cap, &qobj, &with_pid))
		return NULL;
	if (!sockstate_py_ready())
		return NULL;
	if (!g_sconn) {
		PyErr_SetString(PyExc_RuntimeError,
		                "sockstate._core.psutil_connections before _setup_psutil()");
		return NULL;
	}
	snap = sockstate_py_snapshot(cap, qobj, SOCKSTATE_SORT_NONE);
	if (!snap)
		return NULL;
	return sockstate_py_list_from(snap, psutil_conn, (uint32_t)with_pid);
}
