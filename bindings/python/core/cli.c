/* cli.c - the `sockstate` command-line tool run in-process for
 * `python -m sockstate`: the same parser, messages, writers and exit
 * codes (libsockstate/cli, linked into the extension), with the program
 * named as Python users type it.
 *
 * cli_main(argv)           -> the exit code; writes to fds 1 and 2
 * cli_subcommand_at(argv)  -> the index of the subcommand's word, or -1
 * argv: a sequence of bytes, without the program name. */
#include "core.h"

#include "cli.h"

/* argv as C strings behind a placeholder program name; the tuple keeps
 * the bytes alive and unchanged while the GIL is released. NULL with the
 * error set. */
static PyObject *argv_get(PyObject *args, const char *name, char ***argv, int *argc)
{
	PyObject *seq, *tuple;
	Py_ssize_t n;

	if (!PyArg_ParseTuple(args, "O", &seq))
		return NULL;
	tuple = PySequence_Tuple(seq);
	if (!tuple)
		return NULL;
	n = PyTuple_GET_SIZE(tuple);
	if (n > 1 << 20) {
		Py_DECREF(tuple);
		PyErr_Format(PyExc_ValueError, "%s: too many arguments", name);
		return NULL;
	}
	*argv = PyMem_Calloc((size_t)n + 2, sizeof **argv);
	if (!*argv) {
		Py_DECREF(tuple);
		PyErr_NoMemory();
		return NULL;
	}
	(*argv)[0] = "sockstate";
	for (Py_ssize_t i = 0; i < n; i++) {
		char *text;
		Py_ssize_t len;

		if (PyBytes_AsStringAndSize(PyTuple_GET_ITEM(tuple, i), &text, &len) < 0 ||
		    (Py_ssize_t)strlen(text) != len) {
			if (!PyErr_Occurred())
				PyErr_Format(PyExc_ValueError, "%s: argument %zd holds a NUL byte",
				             name, i + 1);
			PyMem_Free(*argv);
			Py_DECREF(tuple);
			return NULL;
		}
		(*argv)[i + 1] = text;
	}
	*argc = (int)n + 1;
	return tuple;
}

PyObject *sockstate_py_cli_main(PyObject *self, PyObject *args)
{
	char **argv;
	int argc, code;
	PyObject *keep = argv_get(args, "cli_main", &argv, &argc);

	(void)self;
	if (!keep)
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	code = cli_main(argc, argv, &cli_program_python);
	Py_END_ALLOW_THREADS
	PyMem_Free(argv);
	Py_DECREF(keep);
	return PyLong_FromLong(code);
}

PyObject *sockstate_py_cli_subcommand_at(PyObject *self, PyObject *args)
{
	char **argv;
	int argc, at;
	PyObject *keep = argv_get(args, "cli_subcommand_at", &argv, &argc);

	(void)self;
	if (!keep)
		return NULL;
	at = cli_subcommand_at(argc, argv);
	PyMem_Free(argv);
	Py_DECREF(keep);
	return PyLong_FromLong(at < 0 ? -1 : at - 1);
}
