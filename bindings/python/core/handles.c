/* handles.c - a handle is a capsule around a box, so close() can empty it;
 * a call runs on one handle or on a set of them (one per network
 * namespace). open, close, abandon, and what a handle says of itself. */

#include "core.h"

struct handle_box {
	sockstate_handle *h;
};

#define HANDLE_CAPSULE "sockstate._core.handle"

static void handle_capsule_free(PyObject *cap)
{
	struct handle_box *box = PyCapsule_GetPointer(cap, HANDLE_CAPSULE);

	if (box) {
		sockstate_close(box->h);
		PyMem_Free(box);
	}
}

sockstate_handle *sockstate_py_handle_get(PyObject *cap)
{
	struct handle_box *box = PyCapsule_GetPointer(cap, HANDLE_CAPSULE);

	if (!box)
		return NULL;
	if (!box->h) {
		PyErr_SetString(PyExc_ValueError, "the sockstate handle is closed");
		return NULL;
	}
	return box->h;
}



int sockstate_py_handles_get(PyObject *obj, struct handle_set *set)
{
	set->h = set->one;
	set->n = 0;
	if (PyCapsule_CheckExact(obj)) {
		if (!(set->one[0] = sockstate_py_handle_get(obj)))
			return -1;
		set->n = 1;
		return 0;
	}
	if (!PyList_Check(obj) && !PyTuple_Check(obj)) {
		PyErr_SetString(PyExc_TypeError, "a handle or a list of handles");
		return -1;
	}
	Py_ssize_t n = PySequence_Fast_GET_SIZE(obj);
	if (n < 1) {
		PyErr_SetString(PyExc_ValueError, "an empty list of handles");
		return -1;
	}
	set->h = PyMem_Calloc((size_t)n, sizeof *set->h);
	if (!set->h) {
		set->h = set->one;
		PyErr_NoMemory();
		return -1;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		if (!(set->h[i] = sockstate_py_handle_get(PySequence_Fast_GET_ITEM(obj, i)))) {
			PyMem_Free(set->h);
			set->h = set->one;
			return -1;
		}
	}
	set->n = (size_t)n;
	return 0;
}

void sockstate_py_handles_release(struct handle_set *set)
{
	if (set->h != set->one)
		PyMem_Free(set->h);
	set->h = set->one;
	set->n = 0;
}

/* A handle opened with these options (each None, or str/bytes), the GIL
 * released meanwhile: 0, or -1 with the error set, refused as the C CLI
 * words it: "backend NAME|auto: <message>: <why>". */
int sockstate_py_open_handle(PyObject *bobj, PyObject *pobj, PyObject *cobj, PyObject *nobj,
                             sockstate_handle **out)
{
	PyObject *bb = NULL, *pb = NULL, *cb = NULL, *nb = NULL;
	sockstate_options opts;
	sockstate_handle *h = NULL;
	char detail[512], what[128];
	int rc = -1;

	*out = NULL;
	memset(&opts, 0, sizeof opts);
	opts.size = sizeof opts;
	if ((bobj != Py_None && !(bb = sockstate_py_text_arg(bobj, "backend", &opts.backend))) ||
	    (pobj != Py_None && !(pb = sockstate_py_text_arg(pobj, "pid_source", &opts.pid_source))) ||
	    (cobj != Py_None && !(cb = sockstate_py_text_arg(cobj, "capture_dir", &opts.capture_dir))) ||
	    (nobj != Py_None && !(nb = sockstate_py_text_arg(nobj, "netns", &opts.netns))))
		goto out;
	/* The open error is thread-local: copy it on this thread. */
	Py_BEGIN_ALLOW_THREADS
	rc = sockstate_open(&h, &opts);
	if (rc < 0)
		snprintf(detail, sizeof detail, "%s", sockstate_errdetail(NULL));
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		char show_buf[48];
		/* The library's detail names the namespace already. */
		if (opts.netns)
			snprintf(what, sizeof what, "netns");
		else
			snprintf(what, sizeof what, "backend %s", opts.backend
			         ? cli_printable(opts.backend, 40, show_buf, sizeof show_buf) : "auto");
		sockstate_py_raise_lib(rc, what, detail);
		rc = -1;
		goto out;
	}
	*out = h;
	rc = 0;
out:
	Py_XDECREF(bb);
	Py_XDECREF(pb);
	Py_XDECREF(cb);
	Py_XDECREF(nb);
	return rc;
}

/* open(backend, pid_source, capture_dir, netns) -> handle capsule; None =
 * auto (the caller's namespace). */
PyObject *sockstate_py_open(PyObject *self, PyObject *args)
{
	PyObject *bobj = Py_None, *pobj = Py_None, *cobj = Py_None, *nobj = Py_None;
	PyObject *cap;
	struct handle_box *box;
	sockstate_handle *h;
	(void)self;

	if (!PyArg_ParseTuple(args, "|OOOO:open", &bobj, &pobj, &cobj, &nobj))
		return NULL;
	box = PyMem_Malloc(sizeof *box);
	if (!box)
		return PyErr_NoMemory();
	if (sockstate_py_open_handle(bobj, pobj, cobj, nobj, &h) < 0) {
		PyMem_Free(box);
		return NULL;
	}
	box->h = h;
	cap = PyCapsule_New(box, HANDLE_CAPSULE, handle_capsule_free);
	if (!cap) {
		sockstate_close(h);
		PyMem_Free(box);
	}
	return cap;
}

/* The box of a call's one argument, a handle capsule (format "O:name"). */
static struct handle_box *box_arg(PyObject *args, const char *format)
{
	PyObject *cap;

	if (!PyArg_ParseTuple(args, format, &cap))
		return NULL;
	return PyCapsule_GetPointer(cap, HANDLE_CAPSULE);
}

sockstate_handle *sockstate_py_handle_arg(PyObject *args, const char *format)
{
	PyObject *cap;

	if (!PyArg_ParseTuple(args, format, &cap))
		return NULL;
	return sockstate_py_handle_get(cap);
}

/* close(handle): idempotent. */
PyObject *sockstate_py_close(PyObject *self, PyObject *args)
{
	struct handle_box *box;
	(void)self;

	if (!(box = box_arg(args, "O:close")))
		return NULL;
	sockstate_close(box->h);
	box->h = NULL;
	Py_RETURN_NONE;
}

/* abandon(handle): forget the handle without closing it (a child after
 * fork whose parent was using it at that moment: its state may be torn). */
PyObject *sockstate_py_abandon(PyObject *self, PyObject *args)
{
	struct handle_box *box;
	(void)self;

	if (!(box = box_arg(args, "O:abandon")))
		return NULL;
	box->h = NULL;
	Py_RETURN_NONE;
}

/* backend(handle) -> str */
PyObject *sockstate_py_backend(PyObject *self, PyObject *args)
{
	sockstate_handle *h;
	(void)self;

	if (!(h = sockstate_py_handle_arg(args, "O:backend")))
		return NULL;
	return PyUnicode_FromString(sockstate_backend(h));
}

/* pid_source(handle) -> str or None (how the last query mapped owners) */
PyObject *sockstate_py_pid_source(PyObject *self, PyObject *args)
{
	sockstate_handle *h;
	(void)self;

	if (!(h = sockstate_py_handle_arg(args, "O:pid_source")))
		return NULL;
	return sockstate_py_pid_source_obj(sockstate_pid_source(h));
}

/* pid_source_reason(handle) -> str: why the last query with owners mapped
 * them as it did ("" when nothing to say) */
PyObject *sockstate_py_pid_source_reason(PyObject *self, PyObject *args)
{
	sockstate_handle *h;
	const char *why;
	(void)self;

	if (!(h = sockstate_py_handle_arg(args, "O:pid_source_reason")))
		return NULL;
	why = sockstate_pid_source_reason(h);
	return PyUnicode_DecodeUTF8(why ? why : "", why ? (Py_ssize_t)strlen(why) : 0,
	                            "replace");
}

/* owners_unreadable(handles) -> (count, why): how many sockets of the last
 * query on the handles (added up) have an owner that could not be read,
 * and why (the first handle's reason); (0, "") when none. */
PyObject *sockstate_py_owners_unreadable(PyObject *self, PyObject *args)
{
	PyObject *handles;
	struct handle_set set;
	unsigned long long total = 0;
	const char *why = "";
	(void)self;

	if (!PyArg_ParseTuple(args, "O:owners_unreadable", &handles) ||
	    sockstate_py_handles_get(handles, &set) < 0)
		return NULL;
	for (size_t i = 0; i < set.n; i++) {
		const char *one;
		uint64_t n = sockstate_owners_unreadable(set.h[i], &one);

		if (n && !total)
			why = one;
		total += n;
	}
	PyObject *r = Py_BuildValue("(Ks)", total, why);
	sockstate_py_handles_release(&set);
	return r;
}

/* backends() -> tuple of the backend names this build offers */
PyObject *sockstate_py_backends(PyObject *self, PyObject *args)
{
	const char *const *names = sockstate_backends();
	PyObject *list;
	(void)self;

	if (!PyArg_ParseTuple(args, ":backends"))
		return NULL;
	list = PyList_New(0);
	if (!list)
		return NULL;
	for (; names && *names; names++) {
		PyObject *s = PyUnicode_FromString(*names);
		if (!s || PyList_Append(list, s) < 0) {
			Py_XDECREF(s);
			Py_DECREF(list);
			return NULL;
		}
		Py_DECREF(s);
	}
	Py_SETREF(list, PyList_AsTuple(list));
	return list;
}
