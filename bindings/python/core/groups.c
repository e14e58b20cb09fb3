/* groups.c - count_groups: one grouped count over every handle, as
 * `summary --by` makes it. */

#include "core.h"

/* One group as a tuple: (port, local Address, remote ip, process, uid,
 * netns, total, by_state tuple, pid); keys not grouped on are None. */
#define GROUP_FIELDS 9

static PyObject *group_tuple(struct build_cache *c, const sockstate_group *g)
{
	uint32_t k = g->keys;
	PyObject *f[GROUP_FIELDS] = {NULL};
	PyObject *t;

	f[0] = (k & SOCKSTATE_GROUP_PORT) ? PyLong_FromLong(g->port) : none_ref();
	f[1] = (k & SOCKSTATE_GROUP_LOCAL) ? sockstate_py_address_obj(c, g->family, &g->local)
	                                    : none_ref();
	f[2] = (k & SOCKSTATE_GROUP_REMOTE)
	       ? sockstate_py_ip_text(c, g->family, &g->remote,
	                              sockstate_py_endpoint_hash(g->family, &g->remote))
	       : none_ref();
	f[3] = (k & SOCKSTATE_GROUP_PROCESS) && g->process ? sockstate_py_process_obj(c, g->process)
	                                                    : none_ref();
	f[4] = (k & SOCKSTATE_GROUP_UID) && g->uid >= 0 ? PyLong_FromLongLong(g->uid)
	                                                 : none_ref();
	f[5] = (k & SOCKSTATE_GROUP_NETNS) && g->netns ? sockstate_py_process_obj(c, g->netns)
	                                                : none_ref();
	f[6] = PyLong_FromUnsignedLongLong(g->total);
	f[7] = PyTuple_New(SOCKSTATE_STATE_COUNT);
	for (int i = 0; f[7] && i < SOCKSTATE_STATE_COUNT; i++) {
		PyObject *n = PyLong_FromUnsignedLongLong(g->by_state[i]);
		if (!n) {
			Py_CLEAR(f[7]);
			break;
		}
		PyTuple_SET_ITEM(f[7], i, n);
	}
	f[8] = (k & SOCKSTATE_GROUP_PID) && g->pid >= 0 ? PyLong_FromLong(g->pid)
	                                                : none_ref();
	for (int i = 0; i < GROUP_FIELDS; i++) {
		if (!f[i]) {
			for (int j = 0; j < GROUP_FIELDS; j++)
				Py_XDECREF(f[j]);
			return NULL;
		}
	}
	t = PyTuple_New(GROUP_FIELDS);
	if (!t) {
		for (int j = 0; j < GROUP_FIELDS; j++)
			Py_DECREF(f[j]);
		return NULL;
	}
	for (int i = 0; i < GROUP_FIELDS; i++)
		PyTuple_SET_ITEM(t, i, f[i]);
	return t;
}

/* count_groups(handles, query, keys, top, format, write_flags, text)
 *   -> (groups, by_state, total, text or None, pid_source, backend):
 * one grouped count over every handle. groups: the first `top` (0: all)
 * by rank, as group_tuple makes them; by_state: the totals per state,
 * indexed by the library's numbers; text: when asked (format >= 0), the
 * groups through sockstate_groups_write as `summary --by` writes them
 * (format -2: the table without host facts, as `watch` shows it). */
PyObject *sockstate_py_count_groups(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj, *list = NULL, *states = NULL, *text = NULL, *src = NULL;
	PyObject *ret = NULL;
	struct handle_set set;
	sockstate_handle *failed = NULL;
	sockstate_groups *g = NULL;
	sockstate_query q;
	sockstate_sysinfo sys;
	struct build_cache *cache = NULL;
	struct membuf m = {NULL, 0, 0};
	const sockstate_counts *tot;
	unsigned long keys, wflags;
	Py_ssize_t top;
	int format, rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOknik:count_groups", &cap, &qobj, &keys, &top,
	                      &format, &wflags))
		return NULL;
	if (!sockstate_py_ready() || sockstate_py_query_get(qobj, &q) < 0)
		return NULL;
	rc = sockstate_groups_new((uint32_t)keys, &g);
	if (rc < 0)
		return sockstate_py_raise_lib(rc, "grouping sockets", "");
	if (sockstate_py_handles_get(cap, &set) < 0) {
		sockstate_groups_free(g);
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	for (size_t i = 0; i < set.n && rc == 0; i++) {
		failed = set.h[i];
		rc = sockstate_groups_fill(set.h[i], &q, g);
	}
	if (rc == 0 && format != -1) {
		int wformat = format == -2 ? SOCKSTATE_FORMAT_TABLE : format;
		sockstate_write_opts o = sockstate_py_write_opts(wformat, wflags, -1);
		if (format == -2) {
			rc = sockstate_groups_write(g, (size_t)(top > 0 ? top : 0), NULL, NULL,
			                            &o, sockstate_py_membuf_write, &m);
		} else {
			sockstate_sysinfo_get(&sys);
			rc = sockstate_groups_write(g, (size_t)(top > 0 ? top : 0), &sys,
			                            sockstate_backend(set.h[0]), &o,
			                            sockstate_py_membuf_write, &m);
		}
		if (rc < 0)
			failed = NULL;
	}
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		if (failed)
			sockstate_py_raise_lib(rc, "counting sockets", sockstate_errdetail(failed));
		else
			sockstate_py_raise_lib(rc, "writing", "");
		goto out;
	}
	if (!(cache = sockstate_py_cache_new()))
		goto out;
	size_t n = sockstate_groups_size(g);
	if (top > 0 && (size_t)top < n)
		n = (size_t)top;
	if (!(list = PyList_New((Py_ssize_t)n)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		PyObject *t = group_tuple(cache, sockstate_groups_get(g, i));
		if (!t)
			goto out;
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	tot = sockstate_groups_totals(g);
	if (!(states = PyTuple_New(SOCKSTATE_STATE_COUNT)))
		goto out;
	for (int i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		PyObject *v = PyLong_FromUnsignedLongLong(tot->by_state[i]);
		if (!v)
			goto out;
		PyTuple_SET_ITEM(states, i, v);
	}
	if (format != -1) {
		if (!(text = sockstate_py_membuf_bytes(&m, rc)))
			goto out;
	} else {
		text = none_ref();
	}
	if (!(src = sockstate_py_pid_source_obj(sockstate_pid_source(set.h[set.n - 1]))))
		goto out;
	ret = Py_BuildValue("(OOKOOs)", list, states, (unsigned long long)tot->total, text,
	                    src, sockstate_backend(set.h[0]));
out:
	free(m.data);
	Py_XDECREF(list);
	Py_XDECREF(states);
	Py_XDECREF(text);
	Py_XDECREF(src);
	sockstate_py_cache_free(cache);
	sockstate_groups_free(g);
	sockstate_py_handles_release(&set);
	return ret;
}
