/* parse.c - the library's parsers for the words the package takes (states,
 * sort keys, formats, group keys, prefixes), refused as the C CLI words it;
 * a state's description. */

#include "core.h"

/* The text of a call taking (text, label) (format "O|s:name"): its bytes, a
 * new reference (*text points into them), or NULL with the error set;
 * *label keeps the caller's default unless given. */
static PyObject *word_arg(PyObject *args, const char *format, const char **label,
                          const char **text)
{
	PyObject *obj;

	if (!PyArg_ParseTuple(args, format, &obj, label))
		return NULL;
	return sockstate_py_text_arg(obj, *label, text);
}

/* The item of a comma-separated list that starts at bad, into item (cut to
 * size); its length before the cut, 0 for an empty one. */
static size_t list_item(const char *bad, char *item, size_t size)
{
	size_t len = strcspn(bad, ","), n = len < size ? len : size - 1;

	memcpy(item, bad, n);
	item[n] = '\0';
	return len;
}

/* "<label>: unknown <what> '<text>' (<choices>)", as the C CLI words it. */
static PyObject *raise_unknown(const char *label, const char *what, const char *text,
                               const char *choices)
{
	char show_buf[96];

	return sockstate_py_raise_input(SOCKSTATE_EINVAL, "%s: unknown %s '%s' (%s)", label, what,
	                                cli_printable(text, 64, show_buf, sizeof show_buf),
	                                choices);
}

/* state_parse(text) -> int. */
PyObject *sockstate_py_state_parse(PyObject *self, PyObject *args)
{
	PyObject *obj, *b;
	sockstate_state st;
	const char *text;
	char show_buf[96], hint[CLI_STATE_HINT_MAX];
	int rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "O:state_parse", &obj))
		return NULL;
	if (!(b = sockstate_py_text_arg(obj, "state", &text)))
		return NULL;
	rc = sockstate_state_parse(text, &st);
	if (rc < 0)
		sockstate_py_raise_input(SOCKSTATE_EINVAL, "unknown state name '%s'%s",
		                         cli_printable(text, 64, show_buf, sizeof show_buf),
		                         cli_state_hint(text, hint, sizeof hint));
	Py_DECREF(b);
	return rc < 0 ? NULL : PyLong_FromLong((long)st);
}

/* The message for a state list the library refused, as the C CLI words it;
 * bad points into text. */
PyObject *sockstate_py_raise_states(const char *label, const char *text, const char *bad)
{
	char show_buf[96], item[96], hint[CLI_STATE_HINT_MAX];

	if (text[0] == '\0')
		return sockstate_py_raise_input(SOCKSTATE_EINVAL, "%s: empty list of states",
		                                label);
	if (!bad || bad < text || bad > text + strlen(text))
		return sockstate_py_raise_input(SOCKSTATE_EINVAL,
		                                "%s: '%s' is not a list of state names", label,
		                                cli_printable(text, 64, show_buf,
		                                                  sizeof show_buf));
	if (list_item(bad, item, sizeof item) == 0)
		return sockstate_py_raise_input(SOCKSTATE_EINVAL, "%s: empty state name in '%s'",
		                                label, cli_printable(text, 64, show_buf,
		                                                         sizeof show_buf));
	return sockstate_py_raise_input(SOCKSTATE_EINVAL, "%s: unknown state name '%s'%s", label,
	                                cli_printable(item, 64, show_buf, sizeof show_buf),
	                                cli_state_hint(item, hint, sizeof hint));
}

/* states_parse(text, label) -> int mask. */
PyObject *sockstate_py_states_parse(PyObject *self, PyObject *args)
{
	PyObject *b;
	const char *text, *bad = NULL, *label = "state";
	uint32_t mask = 0;
	int rc;
	(void)self;

	if (!(b = word_arg(args, "O|s:states_parse", &label, &text)))
		return NULL;
	rc = sockstate_states_parse(text, &mask, &bad);
	if (rc < 0)
		sockstate_py_raise_states(label, text, bad);
	Py_DECREF(b);
	return rc < 0 ? NULL : PyLong_FromUnsignedLong(mask);
}

/* state_describe(code, lang) -> (name, side, meaning, seen_by, pile_means) */
PyObject *sockstate_py_state_describe(PyObject *self, PyObject *args)
{
	static const char *const sides[] = {"both", "server", "client", "closer",
	                                    "peer", "none"};
	int code, rc;
	PyObject *lang_obj = Py_None, *b = NULL;
	const char *lang = NULL;
	char show_buf[96];
	sockstate_state_info info;
	(void)self;

	if (!PyArg_ParseTuple(args, "i|O:state_describe", &code, &lang_obj))
		return NULL;
	if (code < 0 || code >= SOCKSTATE_STATE_COUNT)
		return sockstate_py_raise_input(SOCKSTATE_EINVAL, "no state numbered %d", code);
	if (lang_obj != Py_None && !(b = sockstate_py_text_arg(lang_obj, "lang", &lang)))
		return NULL;
	rc = sockstate_state_describe((sockstate_state)code, lang, &info);
	if (rc < 0)
		sockstate_py_raise_input(SOCKSTATE_EINVAL,
		                         "lang: unsupported language '%s' (en, es)",
		                         cli_printable(lang ? lang : "", 64, show_buf,
		                                           sizeof show_buf));
	Py_XDECREF(b);
	if (rc < 0)
		return NULL;
	return Py_BuildValue("(sssss)", info.name,
	                     (unsigned)info.side < 6 ? sides[info.side] : "none",
	                     info.meaning, info.seen_by, info.pile_means);
}

/* sort_key(text, label) -> int */
PyObject *sockstate_py_sort_key(PyObject *self, PyObject *args)
{
	PyObject *b;
	const char *text, *label = "sort";
	sockstate_sort_key key;
	int rc;
	(void)self;

	if (!(b = word_arg(args, "O|s:sort_key", &label, &text)))
		return NULL;
	rc = sockstate_sort_key_parse(text, &key);
	if (rc < 0)
		raise_unknown(label, "sort key", text, "state, local, remote, pid, process, none");
	Py_DECREF(b);
	return rc < 0 ? NULL : PyLong_FromLong((long)key);
}

/* format_parse(text, label) -> int */
PyObject *sockstate_py_format_parse(PyObject *self, PyObject *args)
{
	PyObject *b;
	const char *text, *label = "format";
	sockstate_format fmt;
	int rc;
	(void)self;

	if (!(b = word_arg(args, "O|s:format_parse", &label, &text)))
		return NULL;
	rc = sockstate_format_parse(text, &fmt);
	if (rc < 0)
		raise_unknown(label, "format", text, "table, json, csv, prometheus");
	Py_DECREF(b);
	return rc < 0 ? NULL : PyLong_FromLong((long)fmt);
}

/* group_keys_parse(text, label) -> int: "port,remote" into a key mask,
 * refused as the C CLI words it. */
PyObject *sockstate_py_group_keys_parse(PyObject *self, PyObject *args)
{
	PyObject *b;
	const char *text, *label = "by", *bad = NULL;
	char show_buf[96], item[96];
	uint32_t keys = 0;
	int rc;
	(void)self;

	if (!(b = word_arg(args, "O|s:group_keys_parse", &label, &text)))
		return NULL;
	rc = sockstate_group_keys_parse(text, &keys, &bad);
	if (rc < 0) {
		if (!bad)
			bad = text;
		if (list_item(bad, item, sizeof item) == 0)
			sockstate_py_raise_input(SOCKSTATE_EINVAL, "%s: empty key in '%s'", label,
			                         cli_printable(text, 64, show_buf,
			                                           sizeof show_buf));
		else
			raise_unknown(label, "key", item, CLI_GROUP_KEY_NAMES);
	}
	Py_DECREF(b);
	return rc < 0 ? NULL : PyLong_FromUnsignedLong(keys);
}

/* prefix_parse(text, label) -> bytes holding one sockstate_prefix. */
PyObject *sockstate_py_prefix_parse(PyObject *self, PyObject *args)
{
	PyObject *b;
	const char *text, *label = "prefix";
	char show_buf[96];
	sockstate_prefix pfx;
	int rc;
	(void)self;

	if (!(b = word_arg(args, "O|s:prefix_parse", &label, &text)))
		return NULL;
	rc = sockstate_prefix_parse(text, &pfx);
	if (rc == SOCKSTATE_ERANGE)
		sockstate_py_raise_input(rc, "%s: '%s': prefix length out of range (0-32 for "
		                         "IPv4, 0-128 for IPv6)", label,
		                         cli_printable(text, 64, show_buf, sizeof show_buf));
	else if (rc < 0)
		sockstate_py_raise_input(rc, "%s: '%s' is not an IP address or prefix", label,
		                         cli_printable(text, 64, show_buf, sizeof show_buf));
	Py_DECREF(b);
	return rc < 0 ? NULL : PyBytes_FromStringAndSize((const char *)&pfx, sizeof pfx);
}
