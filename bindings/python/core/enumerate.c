/* enumerate.c - one snapshot or one count over a set of handles, the GIL
 * released while the OS is asked; connections and counts. */

#include "core.h"

static int take(const struct handle_set *set, const sockstate_query *q, int sort,
                sockstate_snapshot **snap)
{
	const char *what = "listing sockets";
	sockstate_handle *failed = set->h[0];
	int rc;

	*snap = NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = cli_snapshot_take(set->h, set->n, q, snap, &failed);
	if (rc == 0 && sort != SOCKSTATE_SORT_NONE) {
		what = "sorting sockets";
		rc = sockstate_snapshot_sort(*snap, (sockstate_sort_key)sort);
	}
	if (rc < 0) {
		sockstate_snapshot_free(*snap);
		*snap = NULL;
	}
	Py_END_ALLOW_THREADS
	if (rc < 0)
		sockstate_py_raise_lib(rc, what, sockstate_errdetail(failed));
	return rc;
}

/* The counts of every handle of the set, added up; without the GIL. */
static int count_nogil(const struct handle_set *set, const sockstate_query *q,
                       sockstate_counts *c, sockstate_handle **failed)
{
	int rc = 0;

	memset(c, 0, sizeof *c);
	c->size = sizeof *c;
	for (size_t i = 0; i < set->n && rc == 0; i++) {
		sockstate_counts one;
		*failed = set->h[i];
		rc = sockstate_count(set->h[i], q, &one);
		if (rc == 0)
			sockstate_counts_merge(c, &one);
	}
	return rc;
}

sockstate_snapshot *sockstate_py_snapshot(PyObject *handles, PyObject *query, int sort)
{
	struct handle_set set;
	sockstate_query q;
	sockstate_snapshot *snap = NULL;

	if (sockstate_py_query_get(query, &q) < 0 ||
	    sockstate_py_handles_get(handles, &set) < 0)
		return NULL;
	take(&set, &q, sort, &snap);
	sockstate_py_handles_release(&set);
	return snap;
}

int sockstate_py_count(PyObject *handles, PyObject *query, sockstate_counts *c,
                       sockstate_handle **first, sockstate_handle **last)
{
	struct handle_set set;
	sockstate_handle *failed = NULL;
	sockstate_query q;
	int rc;

	if (sockstate_py_query_get(query, &q) < 0 ||
	    sockstate_py_handles_get(handles, &set) < 0)
		return -1;
	if (first)
		*first = set.h[0];
	Py_BEGIN_ALLOW_THREADS
	rc = count_nogil(&set, &q, c, &failed);
	Py_END_ALLOW_THREADS
	sockstate_py_handles_release(&set);
	if (rc < 0) {
		sockstate_py_raise_lib(rc, "counting sockets", sockstate_errdetail(failed));
		return -1;
	}
	if (last)
		*last = failed;
	return 0;
}

/* connections(handles, query, sort) -> list of Connection */
PyObject *sockstate_py_connections(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj;
	sockstate_snapshot *snap;
	int sort = SOCKSTATE_SORT_NONE;
	(void)self;

	if (!PyArg_ParseTuple(args, "OO|i:connections", &cap, &qobj, &sort))
		return NULL;
	if (!sockstate_py_ready() || !(snap = sockstate_py_snapshot(cap, qobj, sort)))
		return NULL;
	return sockstate_py_connections_from(snap);
}

/* A list of Connection for snap's records; frees snap. */
PyObject *sockstate_py_connections_from(sockstate_snapshot *snap)
{
	return sockstate_py_list_from(snap, sockstate_py_connection_obj, snap->query_flags);
}

PyObject *sockstate_py_list_from(sockstate_snapshot *snap, sockstate_py_record_fn build,
                                 uint32_t arg)
{
	struct build_cache *cache;
	PyObject *list;

#if PY_VERSION_HEX >= 0x030A0000
	/* Every object made here lives on in the list: a collection in the
	 * middle would only walk them (and the rest of the heap) for nothing. */
	int gc_was_on = PyGC_Disable();
#endif
	cache = sockstate_py_cache_new();
	list = cache ? PyList_New((Py_ssize_t)snap->count) : NULL;
	for (size_t i = 0; list && i < snap->count; i++) {
		PyObject *conn = build(cache, &snap->sockets[i], arg);
		if (!conn) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, conn);
	}
	sockstate_py_cache_free(cache);
#if PY_VERSION_HEX >= 0x030A0000
	if (gc_was_on)
		PyGC_Enable();
#endif
	sockstate_snapshot_free(snap);
	return list;
}

static PyObject *counts_dict(const sockstate_counts *c);

/* counts(handles, query) -> {State: int}, every state counted (zeros
 * included; a state not counted is left out, as the writers leave it) in
 * the writers' order: CLOSED ... BOUND, then UNKNOWN. */
PyObject *sockstate_py_counts(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj;
	sockstate_counts c;
	(void)self;

	if (!PyArg_ParseTuple(args, "OO:counts", &cap, &qobj))
		return NULL;
	if (!sockstate_py_ready() || sockstate_py_count(cap, qobj, &c, NULL, NULL) < 0)
		return NULL;
	return counts_dict(&c);
}

/* {State: n} for every state sockstate_counts_states(c) names, in the
 * writers' order. */
static PyObject *counts_dict(const sockstate_counts *c)
{
	uint32_t shown = sockstate_counts_states(c);
	PyObject *dict = PyDict_New();
	if (!dict)
		return NULL;
	for (int k = 0; k < SOCKSTATE_STATE_COUNT; k++) {
		int s = k + 1 < SOCKSTATE_STATE_COUNT ? k + 1 : SOCKSTATE_UNKNOWN;
		if (!(shown & SOCKSTATE_STATE_BIT(s)))
			continue;
		PyObject *n = PyLong_FromUnsignedLongLong(c->by_state[s]);
		if (!n || PyDict_SetItem(dict, sockstate_py_states[s], n) < 0) {
			Py_XDECREF(n);
			Py_DECREF(dict);
			return NULL;
		}
		Py_DECREF(n);
	}
	return dict;
}
