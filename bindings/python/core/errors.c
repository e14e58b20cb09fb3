/* errors.c - library errors as the package's exception classes (registered
 * by the package at import, see setup.c), worded as the C CLI words them;
 * text arguments (str or bytes) as the library takes them. */

#include "core.h"

#include <stdarg.h>
#include <stdio.h>

/* Raise the class registered for code with message (bytes, UTF-8; bytes
 * that are not become surrogates, as os.fsdecode would make them), and
 * attributes code, name and detail as sockstate.Error documents them.
 * ENOMEM is MemoryError. */
static PyObject *raise_error(int code, const char *message, const char *detail)
{
	PyObject *cls = NULL, *key, *exc, *msg;

	if (code == SOCKSTATE_ENOMEM)
		return PyErr_NoMemory();
	msg = PyUnicode_DecodeUTF8(message, (Py_ssize_t)strlen(message), "surrogateescape");
	if (!msg)
		return NULL;
	if (!sockstate_py_error) {
		PyErr_SetObject(PyExc_RuntimeError, msg);
		Py_DECREF(msg);
		return NULL;
	}
	key = PyLong_FromLong(code);
	if (!key) {
		Py_DECREF(msg);
		return NULL;
	}
	if (sockstate_py_error_classes)
		cls = PyDict_GetItemWithError(sockstate_py_error_classes, key);
	Py_DECREF(key);
	if (!cls && PyErr_Occurred()) {
		Py_DECREF(msg);
		return NULL;
	}
	exc = PyObject_CallOneArg(cls ? cls : sockstate_py_error, msg);
	Py_DECREF(msg);
	if (!exc)
		return NULL;
	PyObject *v_code = PyLong_FromLong(code);
	PyObject *v_name = PyUnicode_FromString(sockstate_errname(code));
	PyObject *v_detail = PyUnicode_DecodeUTF8(detail ? detail : "",
	                                          detail ? (Py_ssize_t)strlen(detail) : 0,
	                                          "surrogateescape");
	int bad = !v_code || !v_name || !v_detail ||
	          PyObject_SetAttrString(exc, "code", v_code) < 0 ||
	          PyObject_SetAttrString(exc, "name", v_name) < 0 ||
	          PyObject_SetAttrString(exc, "detail", v_detail) < 0;
	Py_XDECREF(v_code);
	Py_XDECREF(v_name);
	Py_XDECREF(v_detail);
	if (!bad)
		PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
	Py_DECREF(exc);
	return NULL;
}

/* A failed library call, worded as the C CLI words it:
 * "<what>: <library message>[: <failing OS call and its message>]". */
PyObject *sockstate_py_raise_lib(int code, const char *what, const char *detail)
{
	char msg[1024], show_buf[320];

	if (detail && *detail)
		snprintf(msg, sizeof msg, "%s: %s: %s", what, sockstate_strerror(code),
		         cli_printable(detail, 300, show_buf, sizeof show_buf));
	else
		snprintf(msg, sizeof msg, "%s: %s", what, sockstate_strerror(code));
	return raise_error(code, msg, detail);
}

/* Bad input: one line from a printf format. */
PyObject *sockstate_py_raise_input(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return raise_error(code, msg, "");
}

/* The bytes of a str (UTF-8; surrogates from undecodable argv bytes go
 * back to those bytes) or bytes argument, as a new reference; *text points
 * into it. A NUL inside is bad input, reported under label. */
PyObject *sockstate_py_text_arg(PyObject *obj, const char *label, const char **text)
{
	PyObject *b;

	if (PyUnicode_Check(obj)) {
		b = PyUnicode_AsEncodedString(obj, "utf-8", "surrogateescape");
		if (!b)
			return NULL;
	} else if (PyBytes_Check(obj)) {
		b = obj;
		Py_INCREF(b);
	} else {
		PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", label,
		             Py_TYPE(obj)->tp_name);
		return NULL;
	}
	if (strlen(PyBytes_AS_STRING(b)) != (size_t)PyBytes_GET_SIZE(b)) {
		Py_DECREF(b);
		sockstate_py_raise_input(SOCKSTATE_EINVAL, "%s: contains a NUL character", label);
		return NULL;
	}
	*text = PyBytes_AS_STRING(b);
	return b;
}
