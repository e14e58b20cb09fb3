/* netns.c - netns_list: the network namespaces a handle can see. */

#include "core.h"

/* netns_list(handle) -> list of (spec, pid or None, inode, current). */
PyObject *sockstate_py_netns_list(PyObject *self, PyObject *args)
{
	PyObject *list;
	sockstate_handle *h;
	sockstate_netns *ns = NULL;
	size_t count = 0;
	int rc;
	(void)self;

	if (!(h = sockstate_py_handle_arg(args, "O:netns_list")))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = sockstate_netns_list(h, &ns, &count);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return sockstate_py_raise_lib(rc, "listing network namespaces",
		                              sockstate_errdetail(h));
	list = PyList_New((Py_ssize_t)count);
	for (size_t i = 0; list && i < count; i++) {
		PyObject *t = Py_BuildValue("(sNKO)", ns[i].spec,
		                            ns[i].pid >= 0 ? PyLong_FromLong(ns[i].pid)
		                                           : none_ref(),
		                            (unsigned long long)ns[i].inode,
		                            ns[i].current ? Py_True : Py_False);
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	sockstate_netns_list_free(ns);
	return list;
}
