/* setup.c - what the package hands over at import (_setup), the module's
 * init (sockstate.i's %init), sysinfo. */

#include "core.h"

PyObject *sockstate_py_states[SOCKSTATE_STATE_COUNT]; /* State members by code */
PyObject *sockstate_py_families[3];   /* [1] AF_INET, [2] AF_INET6 */
PyObject *sockstate_py_sock_stream;   /* socket.SOCK_STREAM (psutil's `type`) */
PyObject *sockstate_py_minus_one;     /* psutil's `fd` is -1 when unknown */
PyObject *sockstate_py_error;         /* sockstate.Error */
PyObject *sockstate_py_error_classes; /* dict: code -> class */
PyObject *sockstate_py_timer_names[5];

int sockstate_py_ready(void)
{
	if (!sockstate_py_states[0] || !sockstate_py_families[1] || !sockstate_py_error) {
		PyErr_SetString(PyExc_RuntimeError,
		                "sockstate._core used before sockstate._setup()");
		return 0;
	}
	return 1;
}

/* _setup(states, af_inet, af_inet6, sock_stream, error, error_classes)
 * states: the State members indexed by the library's numbers. */
PyObject *sockstate_py_setup(PyObject *self, PyObject *args)
{
	PyObject *states, *af4, *af6, *stream, *error, *classes;
	(void)self;

	if (!PyArg_ParseTuple(args, "O!OOOOO!:_setup", &PyTuple_Type, &states, &af4,
	                      &af6, &stream, &error, &PyDict_Type, &classes))
		return NULL;
	if (PyTuple_GET_SIZE(states) != SOCKSTATE_STATE_COUNT) {
		PyErr_SetString(PyExc_ValueError, "_setup: one State per library state");
		return NULL;
	}
	for (int i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		PyObject *m = PyTuple_GET_ITEM(states, i);
		Py_INCREF(m);
		Py_XSETREF(sockstate_py_states[i], m);
	}
	Py_INCREF(af4);
	Py_XSETREF(sockstate_py_families[SOCKSTATE_FAMILY_IPV4], af4);
	Py_INCREF(af6);
	Py_XSETREF(sockstate_py_families[SOCKSTATE_FAMILY_IPV6], af6);
	Py_INCREF(stream);
	Py_XSETREF(sockstate_py_sock_stream, stream);
	Py_INCREF(error);
	Py_XSETREF(sockstate_py_error, error);
	Py_INCREF(classes);
	Py_XSETREF(sockstate_py_error_classes, classes);
	if (!sockstate_py_minus_one && !(sockstate_py_minus_one = PyLong_FromLong(-1)))
		return NULL;
	for (int i = 0; i < 5; i++)
		if (!sockstate_py_timer_names[i] &&
		    !(sockstate_py_timer_names[i] =
		      PyUnicode_InternFromString(sockstate_timer_name(i))))
			return NULL;
	Py_RETURN_NONE;
}

/* sysinfo() -> dict (host, os_name, os_release, os_version, machine, taken_at) */
PyObject *sockstate_py_sysinfo(PyObject *self, PyObject *args)
{
	sockstate_sysinfo sys;
	(void)self;

	if (!PyArg_ParseTuple(args, ":sysinfo"))
		return NULL;
	sockstate_sysinfo_get(&sys);
	return Py_BuildValue("{s:s,s:s,s:s,s:s,s:s,s:L}", "host", sys.host,
	                     "os_name", sys.os_name, "os_release", sys.os_release,
	                     "os_version", sys.os_version, "machine", sys.machine,
	                     "taken_at", (long long)sys.taken_at);
}

int sockstate_py_init(PyObject *m)
{
	return sockstate_py_add_types(m);
}
