/* sockstate.i - the private extension `sockstate._core`.
 *
 * Thin on purpose: the public API is the hand-written package beside this
 * file (sockstate/). What lives here is what must be fast or must be the
 * library's own code:
 *   - results are built in C: a snapshot becomes a list of Connection
 *     struct sequences, counts become one dict, and no SWIG proxy object
 *     is ever made per socket;
 *   - the GIL is released while the OS is asked (snapshot, count) and while
 *     the writers format;
 *   - every parser is the library's (states, filters, sort keys, formats);
 *   - library errors become the package's exception classes, registered
 *     by the package at import (_setup).
 *
 * Built with `swig -python -interface _core`: the C module is `_core`; the
 * proxy module SWIG also writes (core.py) is not used or installed.
 */
%module core

%begin %{
#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
%}

%{
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockstate.h"

/* ====================================================================
 * What the package hands over at import (_setup)
 * ================================================================== */

static PyObject *g_states[SOCKSTATE_STATE_COUNT]; /* State members by code */
static PyObject *g_families[3];   /* [1] AF_INET, [2] AF_INET6 */
static PyObject *g_sock_stream;   /* socket.SOCK_STREAM (psutil's `type`) */
static PyObject *g_minus_one;     /* psutil's `fd` is -1 when unknown */
static PyObject *g_error;         /* sockstate.Error */
static PyObject *g_error_classes; /* dict: code -> class */
static PyObject *g_timer_names[5];

static PyTypeObject *g_address_type;
static PyTypeObject *g_native_state_type;
static PyTypeObject *g_tcp_info_type;
static PyTypeObject *g_connection_type;

/* ====================================================================
 * Errors
 * ================================================================== */

/* The user's text for a message, as the C CLI shows it (cli_printable):
 * control bytes as \xNN, cut with "..." past max_bytes. */
static const char *show(const char *text, size_t max_bytes, char *buf, size_t buflen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (buflen == 0)
		return buf;
	for (size_t i = 0; text[i] != '\0'; i++) {
		unsigned char c = (unsigned char)text[i];
		if (i >= max_bytes || n + 5 >= buflen) {
			if (n + 4 <= buflen) {
				memcpy(buf + n, "...", 3);
				n += 3;
			}
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			buf[n++] = '\\';
			buf[n++] = 'x';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		} else {
			buf[n++] = (char)c;
		}
	}
	buf[n] = '\0';
	return buf;
}

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
	if (!g_error) {
		PyErr_SetObject(PyExc_RuntimeError, msg);
		Py_DECREF(msg);
		return NULL;
	}
	key = PyLong_FromLong(code);
	if (!key) {
		Py_DECREF(msg);
		return NULL;
	}
	if (g_error_classes)
		cls = PyDict_GetItemWithError(g_error_classes, key);
	Py_DECREF(key);
	if (!cls && PyErr_Occurred()) {
		Py_DECREF(msg);
		return NULL;
	}
	exc = PyObject_CallOneArg(cls ? cls : g_error, msg);
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
static PyObject *raise_lib(int code, const char *what, const char *detail)
{
	char msg[1024], show_buf[320];

	if (detail && *detail)
		snprintf(msg, sizeof msg, "%s: %s: %s", what, sockstate_strerror(code),
		         show(detail, 300, show_buf, sizeof show_buf));
	else
		snprintf(msg, sizeof msg, "%s: %s", what, sockstate_strerror(code));
	return raise_error(code, msg, detail);
}

/* Bad input: one line from a printf format. */
static PyObject *raise_input(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static PyObject *raise_input(int code, const char *fmt, ...)
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
static PyObject *text_arg(PyObject *obj, const char *label, const char **text)
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
		raise_input(SOCKSTATE_EINVAL, "%s: contains a NUL character", label);
		return NULL;
	}
	*text = PyBytes_AS_STRING(b);
	return b;
}

/* ====================================================================
 * Handles: a capsule around a box, so close() can empty it
 * ================================================================== */

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

static sockstate_handle *handle_get(PyObject *cap)
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

/* The handles a call runs on: one capsule, or a list/tuple of them (one
 * per network namespace, as --all-netns opens them). */
struct handle_set {
	sockstate_handle *one[1];
	sockstate_handle **h;
	size_t n;
};

static int handles_get(PyObject *obj, struct handle_set *set)
{
	set->h = set->one;
	set->n = 0;
	if (PyCapsule_CheckExact(obj)) {
		if (!(set->one[0] = handle_get(obj)))
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
		if (!(set->h[i] = handle_get(PySequence_Fast_GET_ITEM(obj, i)))) {
			PyMem_Free(set->h);
			set->h = set->one;
			return -1;
		}
	}
	set->n = (size_t)n;
	return 0;
}

static void handles_release(struct handle_set *set)
{
	if (set->h != set->one)
		PyMem_Free(set->h);
	set->h = set->one;
	set->n = 0;
}

/* A query travels as bytes holding one sockstate_query (see query()). */
static int query_get(PyObject *obj, sockstate_query *q)
{
	if (!PyBytes_Check(obj) || PyBytes_GET_SIZE(obj) != (Py_ssize_t)sizeof *q) {
		PyErr_SetString(PyExc_TypeError, "not a query made by _core.query()");
		return -1;
	}
	memcpy(q, PyBytes_AS_STRING(obj), sizeof *q);
	return 0;
}

/* ====================================================================
 * Struct sequences
 * ================================================================== */

static PyStructSequence_Field address_fields[] = {
	{"ip", "the address as text (RFC 5952 for IPv6, %zone when scoped)"},
	{"port", "the port (int)"},
	{NULL, NULL}};
static PyStructSequence_Desc address_desc = {
	"sockstate.Address",
	"Address(ip, port): one end of a connection, like psutil's addr.",
	address_fields, 2};

static PyStructSequence_Field native_state_fields[] = {
	{"code", "the OS's own state number"},
	{"name", "the state as the OS's usual tool prints it (ss: ESTAB)"},
	{NULL, NULL}};
static PyStructSequence_Desc native_state_desc = {
	"sockstate.NativeState",
	"NativeState(code, name): the state in the OS's own terms.",
	native_state_fields, 2};

static PyStructSequence_Field tcp_info_fields[] = {
	{"rtt_us", "smoothed round-trip time in microseconds, or None"},
	{"rttvar_us", "round-trip time variance in microseconds, or None"},
	{"snd_cwnd", "congestion window in segments, or None"},
	{"total_retrans", "retransmitted segments over the connection's life, or None"},
	{"timer", "the pending timer: off, retransmit, keepalive, time_wait, probe; or None"},
	{"retransmits", "unanswered retransmits of the timer, or None"},
	{"expires_ms", "time left on the timer in milliseconds, or None"},
	{NULL, NULL}};
static PyStructSequence_Desc tcp_info_desc = {
	"sockstate.TcpInfo",
	"TcpInfo: TCP internals of one socket, where the backend has them.",
	tcp_info_fields, 7};

enum conn_field {
	CF_FAMILY, CF_LADDR, CF_RADDR, CF_STATE, CF_NATIVE_STATE, CF_PID,
	CF_PIDS, CF_PROCESS, CF_UID, CF_INODE, CF_RX_QUEUE, CF_TX_QUEUE,
	CF_TCP_INFO,
	CF_VISIBLE,             /* the fields above are the tuple */
	CF_FD = CF_VISIBLE, CF_TYPE, CF_STATUS, CF_NETNS,
	CF_COUNT
};

static PyStructSequence_Field connection_fields[] = {
	[CF_FAMILY] = {"family", "socket.AF_INET or socket.AF_INET6"},
	[CF_LADDR] = {"laddr", "local Address(ip, port)"},
	[CF_RADDR] = {"raddr", "remote Address(ip, port); ('0.0.0.0', 0) or ('::', 0) when unconnected"},
	[CF_STATE] = {"state", "the normalized State"},
	[CF_NATIVE_STATE] = {"native_state", "NativeState(code, name) as the OS has it"},
	[CF_PID] = {"pid", "lowest owning pid, or None (unknown or not asked)"},
	[CF_PIDS] = {"pids", "every owning pid (tuple) when processes were asked, else None"},
	[CF_PROCESS] = {"process", "name of pid, or None"},
	[CF_UID] = {"uid", "owner uid, or None"},
	[CF_INODE] = {"inode", "socket inode (Linux), or None"},
	[CF_RX_QUEUE] = {"rx_queue", "LISTEN: accept backlog; else unread bytes; or None"},
	[CF_TX_QUEUE] = {"tx_queue", "LISTEN: max backlog; else unacknowledged bytes; or None"},
	[CF_TCP_INFO] = {"tcp_info", "TcpInfo when tcp_info=True was asked and the backend has TCP internals (netlink), else None"},
	[CF_FD] = {"fd", "psutil compatibility: always -1 (no descriptor is opened)"},
	[CF_TYPE] = {"type", "psutil compatibility: socket.SOCK_STREAM"},
	[CF_STATUS] = {"status", "psutil compatibility: the same State as `state`"},
	[CF_NETNS] = {"netns", "the network namespace as the handle's netns option names it, or None (the caller's own)"},
	[CF_COUNT] = {NULL, NULL}};
static PyStructSequence_Desc connection_desc = {
	"sockstate.Connection",
	"Connection: one TCP socket, immutable (a struct sequence).\n\n"
	"The tuple holds family, laddr, raddr, state, native_state, pid, pids,\n"
	"process, uid, inode, rx_queue, tx_queue, tcp_info. For psutil users,\n"
	"fd (-1), type (SOCK_STREAM) and status (== state) are attributes too;\n"
	"netns names the network namespace of a Handle(netns=...).\n"
	"Unknown values are None.",
	connection_fields, CF_VISIBLE};

/* ====================================================================
 * Building connections: caches of immutable objects, per call
 * ================================================================== */

#define IP_SLOTS 1024u
#define EP_SLOTS 2048u
#define PROC_SLOTS 256u
#define PID_SLOTS 256u
#define NATIVE_SLOTS 32u

struct ip_slot {
	PyObject *obj;
	uint8_t family;
	uint32_t scope;
	uint8_t addr[16];
};

struct ep_slot {
	PyObject *obj;
	uint8_t family;
	uint16_t port;
	uint32_t scope;
	uint8_t addr[16];
};

struct build_cache {
	struct ip_slot ip[IP_SLOTS];
	struct ep_slot ep[EP_SLOTS];
	struct { const char *ptr; PyObject *obj; } proc[PROC_SLOTS];
	struct { int32_t pid; PyObject *obj; } pid1[PID_SLOTS];
	struct { int32_t code; const char *name; PyObject *obj; } native[NATIVE_SLOTS];
	unsigned nnative;
	int64_t uid;
	PyObject *uid_obj;
};

static void build_cache_free(struct build_cache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < IP_SLOTS; i++)
		Py_XDECREF(c->ip[i].obj);
	for (unsigned i = 0; i < EP_SLOTS; i++)
		Py_XDECREF(c->ep[i].obj);
	for (unsigned i = 0; i < PROC_SLOTS; i++)
		Py_XDECREF(c->proc[i].obj);
	for (unsigned i = 0; i < PID_SLOTS; i++)
		Py_XDECREF(c->pid1[i].obj);
	for (unsigned i = 0; i < c->nnative; i++)
		Py_XDECREF(c->native[i].obj);
	Py_XDECREF(c->uid_obj);
	PyMem_Free(c);
}

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 31;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 29;
	h *= UINT64_C(0x94d049bb133111eb);
	h ^= h >> 32;
	return h;
}

static uint64_t endpoint_hash(uint8_t family, const sockstate_endpoint *ep)
{
	uint64_t a, b;

	memcpy(&a, ep->addr, 8);
	memcpy(&b, ep->addr + 8, 8);
	return mix64(a * UINT64_C(0x9e3779b97f4a7c15) ^ mix64(b ^ family ^
	             ((uint64_t)ep->scope_id << 8)));
}

/* The address text of ep, shared by every endpoint with the same address. */
static PyObject *ip_text(struct build_cache *c, uint8_t family,
                         const sockstate_endpoint *ep, uint64_t hash)
{
	struct ip_slot *slot = &c->ip[hash & (IP_SLOTS - 1)];
	char buf[64];
	int n;

	if (slot->obj && slot->family == family && slot->scope == ep->scope_id &&
	    !memcmp(slot->addr, ep->addr, 16)) {
		Py_INCREF(slot->obj);
		return slot->obj;
	}
	n = sockstate_endpoint_format((sockstate_family)family, ep, buf, sizeof buf);
	if (n < 0)
		return raise_lib(n, "formatting an address", "");
	PyObject *text = PyUnicode_DecodeUTF8(buf, n, "replace");
	if (!text)
		return NULL;
	Py_XSETREF(slot->obj, text);
	Py_INCREF(text);
	slot->family = family;
	slot->scope = ep->scope_id;
	memcpy(slot->addr, ep->addr, 16);
	return text;
}

/* Address(ip, port), shared by every record with the same endpoint (a
 * listener's local end repeats in each of its connections). */
static PyObject *address_obj(struct build_cache *c, uint8_t family,
                             const sockstate_endpoint *ep)
{
	uint64_t hash = endpoint_hash(family, ep);
	struct ep_slot *slot = &c->ep[mix64(hash ^ ep->port) & (EP_SLOTS - 1)];
	PyObject *addr, *ip, *port;

	if (slot->obj && slot->family == family && slot->port == ep->port &&
	    slot->scope == ep->scope_id && !memcmp(slot->addr, ep->addr, 16)) {
		Py_INCREF(slot->obj);
		return slot->obj;
	}
	ip = ip_text(c, family, ep, hash);
	if (!ip)
		return NULL;
	port = PyLong_FromLong(ep->port);
	addr = port ? PyStructSequence_New(g_address_type) : NULL;
	if (!addr) {
		Py_DECREF(ip);
		Py_XDECREF(port);
		return NULL;
	}
	PyStructSequence_SET_ITEM(addr, 0, ip);
	PyStructSequence_SET_ITEM(addr, 1, port);
	Py_XSETREF(slot->obj, addr);
	Py_INCREF(addr);
	slot->family = family;
	slot->port = ep->port;
	slot->scope = ep->scope_id;
	memcpy(slot->addr, ep->addr, 16);
	return addr;
}

static PyObject *native_state_obj(struct build_cache *c, const sockstate_socket *s)
{
	const char *name = s->native_name ? s->native_name : "UNKNOWN";
	PyObject *obj, *code, *text;

	for (unsigned i = 0; i < c->nnative; i++) {
		if (c->native[i].code == s->native_code && c->native[i].name == name) {
			Py_INCREF(c->native[i].obj);
			return c->native[i].obj;
		}
	}
	code = PyLong_FromLong(s->native_code);
	text = PyUnicode_DecodeUTF8(name, (Py_ssize_t)strlen(name), "replace");
	obj = code && text ? PyStructSequence_New(g_native_state_type) : NULL;
	if (!obj) {
		Py_XDECREF(code);
		Py_XDECREF(text);
		return NULL;
	}
	PyStructSequence_SET_ITEM(obj, 0, code);
	PyStructSequence_SET_ITEM(obj, 1, text);
	if (c->nnative < NATIVE_SLOTS) {
		c->native[c->nnative].code = s->native_code;
		c->native[c->nnative].name = name;
		c->native[c->nnative].obj = obj;
		c->nnative++;
		Py_INCREF(obj);
	}
	return obj;
}

/* Process names live in the snapshot's pool, one string per process. */
static PyObject *process_obj(struct build_cache *c, const char *name)
{
	unsigned i = (unsigned)(mix64((uint64_t)(uintptr_t)name) & (PROC_SLOTS - 1));
	PyObject *text;

	if (c->proc[i].obj && c->proc[i].ptr == name) {
		Py_INCREF(c->proc[i].obj);
		return c->proc[i].obj;
	}
	/* As the JSON writer does: each ill-formed UTF-8 part is U+FFFD. */
	text = PyUnicode_DecodeUTF8(name, (Py_ssize_t)strlen(name), "replace");
	if (!text)
		return NULL;
	Py_XSETREF(c->proc[i].obj, text);
	Py_INCREF(text);
	c->proc[i].ptr = name;
	return text;
}

static PyObject *pids_obj(struct build_cache *c, const sockstate_socket *s)
{
	PyObject *t;

	if (s->pids && s->pid_count > 1) {
		t = PyTuple_New(s->pid_count);
		if (!t)
			return NULL;
		for (uint32_t i = 0; i < s->pid_count; i++) {
			PyObject *v = PyLong_FromLong(s->pids[i]);
			if (!v) {
				Py_DECREF(t);
				return NULL;
			}
			PyTuple_SET_ITEM(t, i, v);
		}
		return t;
	}
	unsigned i = (unsigned)(mix64((uint64_t)(uint32_t)s->pid) & (PID_SLOTS - 1));
	if (c->pid1[i].obj && c->pid1[i].pid == s->pid) {
		Py_INCREF(c->pid1[i].obj);
		return c->pid1[i].obj;
	}
	t = Py_BuildValue("(i)", (int)s->pid);
	if (!t)
		return NULL;
	Py_XSETREF(c->pid1[i].obj, t);
	Py_INCREF(t);
	c->pid1[i].pid = s->pid;
	return t;
}

static PyObject *uid_obj(struct build_cache *c, int64_t uid)
{
	if (!c->uid_obj || c->uid != uid) {
		PyObject *v = PyLong_FromLongLong(uid);
		if (!v)
			return NULL;
		Py_XSETREF(c->uid_obj, v);
		c->uid = uid;
	}
	Py_INCREF(c->uid_obj);
	return c->uid_obj;
}

static PyObject *none_ref(void)
{
	Py_INCREF(Py_None);
	return Py_None;
}

static PyObject *u32_or_none(int valid, uint32_t v)
{
	return valid ? PyLong_FromUnsignedLong(v) : none_ref();
}

static PyObject *tcp_info_obj(const sockstate_socket *s)
{
	int info = !!(s->valid & SOCKSTATE_HAS_TCP_INFO);
	int timer = !!(s->valid & SOCKSTATE_HAS_TIMER);
	PyObject *obj = PyStructSequence_New(g_tcp_info_type);
	PyObject *v[7];

	if (!obj)
		return NULL;
	v[0] = u32_or_none(info, s->rtt_us);
	v[1] = u32_or_none(info, s->rttvar_us);
	v[2] = u32_or_none(info, s->snd_cwnd);
	v[3] = u32_or_none(info, s->total_retrans);
	if (timer && s->timer < 5 && g_timer_names[s->timer]) {
		v[4] = g_timer_names[s->timer];
		Py_INCREF(v[4]);
	} else {
		v[4] = none_ref();
	}
	v[5] = u32_or_none(timer, s->retransmits);
	v[6] = u32_or_none(timer, s->expires_ms);
	for (int i = 0; i < 7; i++) {
		if (!v[i]) {
			for (int j = 0; j < 7; j++)
				Py_XDECREF(v[j]);
			Py_DECREF(obj);
			return NULL;
		}
	}
	for (int i = 0; i < 7; i++)
		PyStructSequence_SET_ITEM(obj, i, v[i]);
	return obj;
}

static PyObject *connection_obj(struct build_cache *c, const sockstate_socket *s,
                                uint32_t query_flags)
{
	PyObject *f[CF_COUNT] = {NULL};
	PyObject *state, *conn;
	uint32_t valid = s->valid;

	if (s->family < 1 || s->family > 2 || !g_families[s->family])
		return raise_lib(SOCKSTATE_EINVAL, "listing sockets", "a record with an unknown family");
	state = g_states[s->state < SOCKSTATE_STATE_COUNT ? s->state : SOCKSTATE_UNKNOWN];
	conn = PyStructSequence_New(g_connection_type);
	if (!conn)
		return NULL;
	f[CF_FAMILY] = g_families[s->family];
	Py_INCREF(f[CF_FAMILY]);
	f[CF_LADDR] = address_obj(c, s->family, &s->local);
	f[CF_RADDR] = address_obj(c, s->family, &s->remote);
	f[CF_STATE] = state;
	Py_INCREF(state);
	f[CF_NATIVE_STATE] = native_state_obj(c, s);
	if (valid & SOCKSTATE_HAS_PID) {
		f[CF_PIDS] = pids_obj(c, s);
		/* The lowest pid is the first of pids: share its int. */
		if (f[CF_PIDS] && PyTuple_GET_SIZE(f[CF_PIDS]) > 0) {
			f[CF_PID] = PyTuple_GET_ITEM(f[CF_PIDS], 0);
			Py_INCREF(f[CF_PID]);
		} else {
			f[CF_PID] = PyLong_FromLong(s->pid);
		}
	} else {
		f[CF_PID] = none_ref();
		if (query_flags & SOCKSTATE_Q_PIDS)
			f[CF_PIDS] = PyTuple_New(0);
		else
			f[CF_PIDS] = none_ref();
	}
	f[CF_PROCESS] = (valid & SOCKSTATE_HAS_PROCESS) && s->process
	                ? process_obj(c, s->process) : none_ref();
	f[CF_UID] = (valid & SOCKSTATE_HAS_UID) ? uid_obj(c, s->uid) : none_ref();
	f[CF_INODE] = (valid & SOCKSTATE_HAS_INODE)
	              ? PyLong_FromUnsignedLongLong(s->inode) : none_ref();
	f[CF_RX_QUEUE] = u32_or_none(valid & SOCKSTATE_HAS_QUEUES, s->rx_queue);
	f[CF_TX_QUEUE] = u32_or_none(valid & SOCKSTATE_HAS_QUEUES, s->tx_queue);
	/* Present exactly where the JSON writer writes a tcp_info object. */
	if ((query_flags & SOCKSTATE_Q_TCP_INFO) && (valid & SOCKSTATE_HAS_TCP_INFO))
		f[CF_TCP_INFO] = tcp_info_obj(s);
	else
		f[CF_TCP_INFO] = none_ref();
	f[CF_FD] = g_minus_one;
	Py_INCREF(f[CF_FD]);
	f[CF_TYPE] = g_sock_stream;
	Py_INCREF(f[CF_TYPE]);
	f[CF_STATUS] = state;
	Py_INCREF(state);
	f[CF_NETNS] = s->netns ? process_obj(c, s->netns) : none_ref();
	for (int i = 0; i < CF_COUNT; i++) {
		if (!f[i]) {
			for (int j = 0; j < CF_COUNT; j++)
				Py_XDECREF(f[j]);
			Py_DECREF(conn);
			return NULL;
		}
	}
	for (int i = 0; i < CF_COUNT; i++)
		PyStructSequence_SET_ITEM(conn, i, f[i]);
	return conn;
}

static int ready(void)
{
	if (!g_states[0] || !g_families[1] || !g_error) {
		PyErr_SetString(PyExc_RuntimeError,
		                "sockstate._core used before sockstate._setup()");
		return 0;
	}
	return 1;
}

/* ====================================================================
 * Output into memory, for the writers
 * ================================================================== */

struct membuf {
	char *data;
	size_t len, cap;
};

static int membuf_write(void *ctx, const char *buf, size_t len)
{
	struct membuf *m = ctx;

	if (len > m->cap - m->len) {
		size_t ncap = m->cap ? m->cap : 65536;
		while (ncap - m->len < len) {
			if (ncap > SIZE_MAX / 2)
				return SOCKSTATE_ENOMEM;
			ncap *= 2;
		}
		char *p = realloc(m->data, ncap);
		if (!p)
			return SOCKSTATE_ENOMEM;
		m->data = p;
		m->cap = ncap;
	}
	memcpy(m->data + m->len, buf, len);
	m->len += len;
	return 0;
}

static PyObject *membuf_bytes(struct membuf *m)
{
	PyObject *b = PyBytes_FromStringAndSize(m->data ? m->data : "", (Py_ssize_t)m->len);

	free(m->data);
	m->data = NULL;
	return b;
}

/* ====================================================================
 * The functions (%native below registers them; all positional)
 * ================================================================== */

/* _setup(states, af_inet, af_inet6, sock_stream, error, error_classes)
 * states: the State members indexed by the library's numbers. */
static PyObject *py_setup(PyObject *self, PyObject *args)
{
	PyObject *states, *af4, *af6, *stream, *error, *classes;
	static const char *const timers[5] = {"off", "retransmit", "keepalive",
	                                      "time_wait", "probe"};
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
		Py_XSETREF(g_states[i], m);
	}
	Py_INCREF(af4);
	Py_XSETREF(g_families[SOCKSTATE_FAMILY_IPV4], af4);
	Py_INCREF(af6);
	Py_XSETREF(g_families[SOCKSTATE_FAMILY_IPV6], af6);
	Py_INCREF(stream);
	Py_XSETREF(g_sock_stream, stream);
	Py_INCREF(error);
	Py_XSETREF(g_error, error);
	Py_INCREF(classes);
	Py_XSETREF(g_error_classes, classes);
	if (!g_minus_one && !(g_minus_one = PyLong_FromLong(-1)))
		return NULL;
	for (int i = 0; i < 5; i++)
		if (!g_timer_names[i] && !(g_timer_names[i] = PyUnicode_InternFromString(timers[i])))
			return NULL;
	Py_RETURN_NONE;
}

/* state_parse(text) -> int. */
static PyObject *py_state_parse(PyObject *self, PyObject *args)
{
	PyObject *obj, *b;
	sockstate_state st;
	const char *text;
	char show_buf[96];
	int rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "O:state_parse", &obj))
		return NULL;
	if (!(b = text_arg(obj, "state", &text)))
		return NULL;
	rc = sockstate_state_parse(text, &st);
	if (rc < 0)
		raise_input(SOCKSTATE_EINVAL, "unknown state name '%s'",
		            show(text, 64, show_buf, sizeof show_buf));
	Py_DECREF(b);
	return rc < 0 ? NULL : PyLong_FromLong((long)st);
}

/* The message for a state list the library refused, as the C CLI words it;
 * bad points into text. */
static PyObject *raise_states(const char *label, const char *text, const char *bad)
{
	char show_buf[96], item[96];
	size_t len;

	if (text[0] == '\0')
		return raise_input(SOCKSTATE_EINVAL, "%s: empty list of states", label);
	if (!bad || bad < text || bad > text + strlen(text))
		return raise_input(SOCKSTATE_EINVAL, "%s: '%s' is not a list of state names",
		                   label, show(text, 64, show_buf, sizeof show_buf));
	len = strcspn(bad, ",");
	if (len == 0)
		return raise_input(SOCKSTATE_EINVAL, "%s: empty state name in '%s'", label,
		                   show(text, 64, show_buf, sizeof show_buf));
	if (len >= sizeof item)
		len = sizeof item - 1;
	memcpy(item, bad, len);
	item[len] = '\0';
	return raise_input(SOCKSTATE_EINVAL, "%s: unknown state name '%s'", label,
	                   show(item, 64, show_buf, sizeof show_buf));
}

/* states_parse(text, label) -> int mask. */
static PyObject *py_states_parse(PyObject *self, PyObject *args)
{
	PyObject *obj, *b;
	const char *text, *bad = NULL, *label = "state";
	uint32_t mask = 0;
	int rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "O|s:states_parse", &obj, &label))
		return NULL;
	if (!(b = text_arg(obj, label, &text)))
		return NULL;
	rc = sockstate_states_parse(text, &mask, &bad);
	if (rc < 0)
		raise_states(label, text, bad);
	Py_DECREF(b);
	return rc < 0 ? NULL : PyLong_FromUnsignedLong(mask);
}

/* state_describe(code, lang) -> (name, side, meaning, seen_by, pile_means) */
static PyObject *py_state_describe(PyObject *self, PyObject *args)
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
		return raise_input(SOCKSTATE_EINVAL, "no state numbered %d", code);
	if (lang_obj != Py_None && !(b = text_arg(lang_obj, "lang", &lang)))
		return NULL;
	rc = sockstate_state_describe((sockstate_state)code, lang, &info);
	if (rc < 0)
		raise_input(SOCKSTATE_EINVAL, "lang: unsupported language '%s' (en, es)",
		            show(lang ? lang : "", 64, show_buf, sizeof show_buf));
	Py_XDECREF(b);
	if (rc < 0)
		return NULL;
	return Py_BuildValue("(sssss)", info.name,
	                     (unsigned)info.side < 6 ? sides[info.side] : "none",
	                     info.meaning, info.seen_by, info.pile_means);
}

/* One filter through sockstate_query_set, refused as the C CLI words it. */
static int query_value(sockstate_query *q, const char *label, const char *key,
                       const char *value, const char *what, const char *range)
{
	char show_buf[96];
	int rc = sockstate_query_set(q, key, value);

	if (rc == SOCKSTATE_OK)
		return 0;
	if (rc == SOCKSTATE_ERANGE && range != NULL)
		raise_input(rc, "%s: %s is out of range (%s)", label,
		            show(value, 64, show_buf, sizeof show_buf), range);
	else if (rc == SOCKSTATE_ERANGE)
		raise_input(rc, "%s: '%s': prefix length out of range "
		            "(0-32 for IPv4, 0-128 for IPv6)", label,
		            show(value, 64, show_buf, sizeof show_buf));
	else
		raise_input(rc, "%s: '%s' is not %s", label,
		            show(value, 64, show_buf, sizeof show_buf), what);
	return -1;
}

static int query_set_one(sockstate_query *q, const char *key, const char *val,
                         const char *label)
{
	if (!strcmp(key, "state")) {
		const char *bad = NULL;
		uint32_t mask;
		if (sockstate_states_parse(val, &mask, &bad) < 0) {
			raise_states(label, val, bad);
			return -1;
		}
		return query_value(q, label, key, val, "a list of state names", NULL);
	}
	if (!strcmp(key, "port") || !strcmp(key, "sport") || !strcmp(key, "dport"))
		return query_value(q, label, key, val, "a port number (0-65535)", "0-65535");
	if (!strcmp(key, "addr") || !strcmp(key, "saddr") || !strcmp(key, "daddr"))
		return query_value(q, label, key, val, "an IP address or prefix", NULL);
	if (!strcmp(key, "pid"))
		return query_value(q, label, key, val, "a process id", "1-2147483647");
	if (!strcmp(key, "uid"))
		return query_value(q, label, key, val, "a numeric user id", "0-4294967294");
	if (!strcmp(key, "family"))
		return query_value(q, label, key, val, "4, 6, ipv4, ipv6 or all", NULL);
	raise_input(SOCKSTATE_EINVAL, "%s: unknown filter", label);
	return -1;
}

/* query(filters, flags) -> bytes. filters: a sequence of (key, value,
 * label) applied in order with sockstate_query_set; key as that function
 * takes it, value str or bytes, label names the value in messages. */
static PyObject *py_query(PyObject *self, PyObject *args)
{
	PyObject *filters, *seq;
	unsigned long flags = 0;
	sockstate_query q;
	(void)self;

	if (!PyArg_ParseTuple(args, "O|k:query", &filters, &flags))
		return NULL;
	sockstate_query_init(&q);
	q.flags = (uint32_t)flags;
	seq = PySequence_Fast(filters, "query: filters must be a sequence of tuples");
	if (!seq)
		return NULL;
	for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
		PyObject *t = PySequence_Fast_GET_ITEM(seq, i), *vb;
		const char *key, *label, *val;
		int rc;

		if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3 ||
		    !PyUnicode_Check(PyTuple_GET_ITEM(t, 0)) ||
		    !PyUnicode_Check(PyTuple_GET_ITEM(t, 2))) {
			Py_DECREF(seq);
			PyErr_SetString(PyExc_TypeError,
			                "query: each filter is a (key, value, label) tuple");
			return NULL;
		}
		key = PyUnicode_AsUTF8(PyTuple_GET_ITEM(t, 0));
		label = key ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(t, 2)) : NULL;
		if (!label || !(vb = text_arg(PyTuple_GET_ITEM(t, 1), label, &val))) {
			Py_DECREF(seq);
			return NULL;
		}
		rc = query_set_one(&q, key, val, label);
		Py_DECREF(vb);
		if (rc < 0) {
			Py_DECREF(seq);
			return NULL;
		}
	}
	Py_DECREF(seq);
	return PyBytes_FromStringAndSize((const char *)&q, sizeof q);
}

/* query_info(query) -> dict of the query's fields (for tests). */
static PyObject *py_query_info(PyObject *self, PyObject *args)
{
	PyObject *qobj;
	sockstate_query q;
	(void)self;

	if (!PyArg_ParseTuple(args, "O:query_info", &qobj) || query_get(qobj, &q) < 0)
		return NULL;
	return Py_BuildValue("{s:k,s:k,s:k,s:i,s:i,s:i,s:i,s:L,s:i,s:i,s:i}",
	                     "states", (unsigned long)q.states,
	                     "families", (unsigned long)q.families,
	                     "flags", (unsigned long)q.flags,
	                     "port", (int)q.port, "sport", (int)q.sport,
	                     "dport", (int)q.dport, "pid", (int)q.pid,
	                     "uid", (long long)q.uid,
	                     "addr_bits", q.addr.family ? (int)q.addr.bits : -1,
	                     "saddr_bits", q.saddr.family ? (int)q.saddr.bits : -1,
	                     "daddr_bits", q.daddr.family ? (int)q.daddr.bits : -1);
}

/* sort_key(text, label) -> int */
static PyObject *py_sort_key(PyObject *self, PyObject *args)
{
	PyObject *obj, *b;
	const char *text, *label = "sort";
	char show_buf[96];
	sockstate_sort_key key;
	int rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "O|s:sort_key", &obj, &label))
		return NULL;
	if (!(b = text_arg(obj, label, &text)))
		return NULL;
	rc = sockstate_sort_key_parse(text, &key);
	if (rc < 0)
		raise_input(SOCKSTATE_EINVAL, "%s: unknown sort key '%s' (state, local, "
		            "remote, pid, process, none)", label,
		            show(text, 64, show_buf, sizeof show_buf));
	Py_DECREF(b);
	return rc < 0 ? NULL : PyLong_FromLong((long)key);
}

/* format_parse(text, label) -> int */
static PyObject *py_format_parse(PyObject *self, PyObject *args)
{
	PyObject *obj, *b;
	const char *text, *label = "format";
	char show_buf[96];
	sockstate_format fmt;
	int rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "O|s:format_parse", &obj, &label))
		return NULL;
	if (!(b = text_arg(obj, label, &text)))
		return NULL;
	rc = sockstate_format_parse(text, &fmt);
	if (rc < 0)
		raise_input(SOCKSTATE_EINVAL, "%s: unknown format '%s' (table, json, "
		            "csv, prometheus)", label, show(text, 64, show_buf, sizeof show_buf));
	Py_DECREF(b);
	return rc < 0 ? NULL : PyLong_FromLong((long)fmt);
}

/* open(backend, pid_source, capture_dir, netns) -> handle capsule; None =
 * auto (the caller's namespace).
 * Refused as the C CLI words it: "backend NAME|auto: <message>: <why>". */
static PyObject *py_open(PyObject *self, PyObject *args)
{
	PyObject *bobj = Py_None, *pobj = Py_None, *cobj = Py_None, *nobj = Py_None;
	PyObject *bb = NULL, *pb = NULL, *cb = NULL, *nb = NULL, *cap = NULL;
	sockstate_options opts;
	struct handle_box *box = NULL;
	sockstate_handle *h = NULL;
	char detail[512], what[128];
	int rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "|OOOO:open", &bobj, &pobj, &cobj, &nobj))
		return NULL;
	memset(&opts, 0, sizeof opts);
	opts.size = sizeof opts;
	if ((bobj != Py_None && !(bb = text_arg(bobj, "backend", &opts.backend))) ||
	    (pobj != Py_None && !(pb = text_arg(pobj, "pid_source", &opts.pid_source))) ||
	    (cobj != Py_None && !(cb = text_arg(cobj, "capture_dir", &opts.capture_dir))) ||
	    (nobj != Py_None && !(nb = text_arg(nobj, "netns", &opts.netns))))
		goto out;
	box = PyMem_Malloc(sizeof *box);
	if (!box) {
		PyErr_NoMemory();
		goto out;
	}
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
			         ? show(opts.backend, 40, show_buf, sizeof show_buf) : "auto");
		raise_lib(rc, what, detail);
		goto out;
	}
	box->h = h;
	cap = PyCapsule_New(box, HANDLE_CAPSULE, handle_capsule_free);
	if (cap)
		box = NULL;
	else
		sockstate_close(h);
out:
	PyMem_Free(box);
	Py_XDECREF(bb);
	Py_XDECREF(pb);
	Py_XDECREF(cb);
	Py_XDECREF(nb);
	return cap;
}

/* close(handle): idempotent. */
static PyObject *py_close(PyObject *self, PyObject *args)
{
	PyObject *cap;
	struct handle_box *box;
	(void)self;

	if (!PyArg_ParseTuple(args, "O:close", &cap))
		return NULL;
	box = PyCapsule_GetPointer(cap, HANDLE_CAPSULE);
	if (!box)
		return NULL;
	sockstate_close(box->h);
	box->h = NULL;
	Py_RETURN_NONE;
}

/* abandon(handle): forget the handle without closing it (a child after
 * fork whose parent was using it at that moment: its state may be torn). */
static PyObject *py_abandon(PyObject *self, PyObject *args)
{
	PyObject *cap;
	struct handle_box *box;
	(void)self;

	if (!PyArg_ParseTuple(args, "O:abandon", &cap))
		return NULL;
	box = PyCapsule_GetPointer(cap, HANDLE_CAPSULE);
	if (!box)
		return NULL;
	box->h = NULL;
	Py_RETURN_NONE;
}

/* backend(handle) -> str */
static PyObject *py_backend(PyObject *self, PyObject *args)
{
	PyObject *cap;
	sockstate_handle *h;
	(void)self;

	if (!PyArg_ParseTuple(args, "O:backend", &cap) || !(h = handle_get(cap)))
		return NULL;
	return PyUnicode_FromString(sockstate_backend(h));
}

/* pid_source(handle) -> str or None (how the last query mapped owners) */
static PyObject *py_pid_source(PyObject *self, PyObject *args)
{
	PyObject *cap;
	sockstate_handle *h;
	const char *src;
	(void)self;

	if (!PyArg_ParseTuple(args, "O:pid_source", &cap) || !(h = handle_get(cap)))
		return NULL;
	src = sockstate_pid_source(h);
	if (!src)
		Py_RETURN_NONE;
	return PyUnicode_FromString(src);
}

/* pid_source_reason(handle) -> str: why the last query with owners mapped
 * them as it did ("" when nothing to say) */
static PyObject *py_pid_source_reason(PyObject *self, PyObject *args)
{
	PyObject *cap;
	sockstate_handle *h;
	const char *why;
	(void)self;

	if (!PyArg_ParseTuple(args, "O:pid_source_reason", &cap) || !(h = handle_get(cap)))
		return NULL;
	why = sockstate_pid_source_reason(h);
	return PyUnicode_DecodeUTF8(why ? why : "", why ? (Py_ssize_t)strlen(why) : 0,
	                            "replace");
}

/* backends() -> tuple of the backend names this build offers */
static PyObject *py_backends(PyObject *self, PyObject *args)
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

/* One snapshot of every handle of the set (several merge into one, in
 * order), sorted by key; without the GIL. On failure *failed is the
 * handle whose detail explains it. */
static int take_nogil(const struct handle_set *set, const sockstate_query *q,
                      sockstate_snapshot **snap, sockstate_handle **failed)
{
	sockstate_snapshot **parts;
	int rc = 0;

	*failed = set->h[0];
	if (set->n == 1)
		return sockstate_snapshot_take(set->h[0], q, snap);
	parts = calloc(set->n, sizeof *parts);
	if (!parts)
		return SOCKSTATE_ENOMEM;
	for (size_t i = 0; i < set->n && rc == 0; i++) {
		*failed = set->h[i];
		rc = sockstate_snapshot_take(set->h[i], q, &parts[i]);
	}
	if (rc == 0)
		rc = sockstate_snapshot_merge((const sockstate_snapshot *const *)parts,
		                              set->n, snap);
	for (size_t i = 0; i < set->n; i++)
		sockstate_snapshot_free(parts[i]);
	free(parts);
	return rc;
}

static int take(const struct handle_set *set, const sockstate_query *q, int sort,
                sockstate_snapshot **snap)
{
	const char *what = "listing sockets";
	sockstate_handle *failed = set->h[0];
	int rc;

	*snap = NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = take_nogil(set, q, snap, &failed);
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
		raise_lib(rc, what, sockstate_errdetail(failed));
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

static PyObject *connections_from(sockstate_snapshot *snap);

/* connections(handles, query, sort) -> list of Connection */
static PyObject *py_connections(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj;
	struct handle_set set;
	sockstate_query q;
	sockstate_snapshot *snap = NULL;
	int sort = SOCKSTATE_SORT_NONE, rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "OO|i:connections", &cap, &qobj, &sort))
		return NULL;
	if (!ready() || query_get(qobj, &q) < 0 || handles_get(cap, &set) < 0)
		return NULL;
	rc = take(&set, &q, sort, &snap);
	handles_release(&set);
	if (rc < 0)
		return NULL;
	return connections_from(snap);
}

/* A list of Connection for snap's records; frees snap. */
static PyObject *connections_from(sockstate_snapshot *snap)
{
	struct build_cache *cache;
	PyObject *list;

#if PY_VERSION_HEX >= 0x030A0000
	/* Every object made here lives on in the list: a collection in the
	 * middle would only walk them (and the rest of the heap) for nothing. */
	int gc_was_on = PyGC_Disable();
#endif
	cache = PyMem_Calloc(1, sizeof *cache);
	list = cache ? PyList_New((Py_ssize_t)snap->count) : NULL;
	if (!cache)
		PyErr_NoMemory();
	for (size_t i = 0; list && i < snap->count; i++) {
		PyObject *conn = connection_obj(cache, &snap->sockets[i], snap->query_flags);
		if (!conn) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, conn);
	}
	build_cache_free(cache);
#if PY_VERSION_HEX >= 0x030A0000
	if (gc_was_on)
		PyGC_Enable();
#endif
	sockstate_snapshot_free(snap);
	return list;
}

static PyObject *counts_dict(const uint64_t *by_state);

/* counts(handles, query) -> {State: int}, every state (zeros included) in
 * the writers' order: CLOSED ... BOUND, then UNKNOWN. */
static PyObject *py_counts(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj;
	struct handle_set set;
	sockstate_handle *failed = NULL;
	sockstate_query q;
	sockstate_counts c;
	int rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "OO:counts", &cap, &qobj))
		return NULL;
	if (!ready() || query_get(qobj, &q) < 0 || handles_get(cap, &set) < 0)
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = count_nogil(&set, &q, &c, &failed);
	Py_END_ALLOW_THREADS
	handles_release(&set);
	if (rc < 0)
		return raise_lib(rc, "counting sockets", sockstate_errdetail(failed));
	return counts_dict(c.by_state);
}

/* {State: n} for every state in the writers' order. */
static PyObject *counts_dict(const uint64_t *by_state)
{
	PyObject *dict = PyDict_New();
	if (!dict)
		return NULL;
	for (int k = 0; k < SOCKSTATE_STATE_COUNT; k++) {
		int s = k + 1 < SOCKSTATE_STATE_COUNT ? k + 1 : SOCKSTATE_UNKNOWN;
		PyObject *n = PyLong_FromUnsignedLongLong(by_state[s]);
		if (!n || PyDict_SetItem(dict, g_states[s], n) < 0) {
			Py_XDECREF(n);
			Py_DECREF(dict);
			return NULL;
		}
		Py_DECREF(n);
	}
	return dict;
}

static sockstate_write_opts write_opts(int format, unsigned long wflags, int port)
{
	sockstate_write_opts o;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.format = (sockstate_format)format;
	o.flags = (uint32_t)wflags;
	o.port = port;
	return o;
}

static PyObject *pid_source_obj(const char *src)
{
	if (!src)
		Py_RETURN_NONE;
	return PyUnicode_FromString(src);
}

/* render(handle, query, sort, format, write_flags, port)
 *   -> (bytes, count, pid_source): the snapshot through
 * sockstate_snapshot_write, as `sockstate list` writes it. */
static PyObject *py_render(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj, *bytes, *src;
	struct handle_set set;
	sockstate_query q;
	sockstate_snapshot *snap = NULL;
	sockstate_write_opts o;
	struct membuf m = {NULL, 0, 0};
	int sort, format, port, rc;
	unsigned long wflags;
	size_t count;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOiiki:render", &cap, &qobj, &sort, &format,
	                      &wflags, &port))
		return NULL;
	if (query_get(qobj, &q) < 0 || handles_get(cap, &set) < 0)
		return NULL;
	rc = take(&set, &q, sort, &snap);
	handles_release(&set);
	if (rc < 0)
		return NULL;
	o = write_opts(format, wflags, port);
	count = snap->count;
	src = pid_source_obj(snap->pid_source);
	if (!src) {
		sockstate_snapshot_free(snap);
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	rc = sockstate_snapshot_write(snap, &o, membuf_write, &m);
	sockstate_snapshot_free(snap);
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		free(m.data);
		Py_DECREF(src);
		return raise_lib(rc, "writing", "");
	}
	bytes = membuf_bytes(&m);
	if (!bytes) {
		Py_DECREF(src);
		return NULL;
	}
	return Py_BuildValue("(NnN)", bytes, (Py_ssize_t)count, src);
}

/* render_counts(handle, query, format, write_flags, port)
 *   -> (bytes, total, pid_source): the counts through
 * sockstate_counts_write, as `sockstate summary` writes them. */
static PyObject *py_render_counts(PyObject *self, PyObject *args)
{
	PyObject *cap, *qobj, *bytes, *src;
	struct handle_set set;
	sockstate_handle *h, *failed = NULL;
	sockstate_query q;
	sockstate_counts c;
	sockstate_sysinfo sys;
	sockstate_write_opts o;
	struct membuf m = {NULL, 0, 0};
	int format, port, rc;
	unsigned long wflags;
	(void)self;

	if (!PyArg_ParseTuple(args, "OOiki:render_counts", &cap, &qobj, &format,
	                      &wflags, &port))
		return NULL;
	if (query_get(qobj, &q) < 0 || handles_get(cap, &set) < 0)
		return NULL;
	o = write_opts(format, wflags, port);
	h = set.h[0];
	Py_BEGIN_ALLOW_THREADS
	rc = count_nogil(&set, &q, &c, &failed);
	Py_END_ALLOW_THREADS
	handles_release(&set);
	if (rc < 0)
		return raise_lib(rc, "counting sockets", sockstate_errdetail(failed));
	/* As the C tool: the pid source of the last handle counted. */
	if (!(src = pid_source_obj(sockstate_pid_source(failed))))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	sockstate_sysinfo_get(&sys);
	rc = sockstate_counts_write(&c, &sys, sockstate_backend(h), &o, membuf_write, &m);
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		free(m.data);
		Py_DECREF(src);
		return raise_lib(rc, "writing", "");
	}
	bytes = membuf_bytes(&m);
	if (!bytes) {
		Py_DECREF(src);
		return NULL;
	}
	return Py_BuildValue("(NKN)", bytes, (unsigned long long)c.total, src);
}

/* group_keys_parse(text, label) -> int: "port,remote" into a key mask,
 * refused as the C CLI words it. */
static PyObject *py_group_keys_parse(PyObject *self, PyObject *args)
{
	PyObject *obj, *b;
	const char *text, *label = "by", *bad = NULL;
	char show_buf[96], item[96];
	uint32_t keys = 0;
	size_t len;
	int rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "O|s:group_keys_parse", &obj, &label))
		return NULL;
	if (!(b = text_arg(obj, label, &text)))
		return NULL;
	rc = sockstate_group_keys_parse(text, &keys, &bad);
	if (rc < 0) {
		if (!bad)
			bad = text;
		len = strcspn(bad, ",");
		if (len == 0) {
			raise_input(SOCKSTATE_EINVAL, "%s: empty key in '%s'", label,
			            show(text, 64, show_buf, sizeof show_buf));
		} else {
			if (len >= sizeof item)
				len = sizeof item - 1;
			memcpy(item, bad, len);
			item[len] = '\0';
			raise_input(SOCKSTATE_EINVAL, "%s: unknown key '%s' (port, local, "
			            "remote, process, uid, netns)", label,
			            show(item, 64, show_buf, sizeof show_buf));
		}
	}
	Py_DECREF(b);
	return rc < 0 ? NULL : PyLong_FromUnsignedLong(keys);
}

/* prefix_parse(text, label) -> bytes holding one sockstate_prefix. */
static PyObject *py_prefix_parse(PyObject *self, PyObject *args)
{
	PyObject *obj, *b;
	const char *text, *label = "prefix";
	char show_buf[96];
	sockstate_prefix pfx;
	int rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "O|s:prefix_parse", &obj, &label))
		return NULL;
	if (!(b = text_arg(obj, label, &text)))
		return NULL;
	rc = sockstate_prefix_parse(text, &pfx);
	if (rc == SOCKSTATE_ERANGE)
		raise_input(rc, "%s: '%s': prefix length out of range (0-32 for IPv4, "
		            "0-128 for IPv6)", label, show(text, 64, show_buf, sizeof show_buf));
	else if (rc < 0)
		raise_input(rc, "%s: '%s' is not an IP address or prefix", label,
		            show(text, 64, show_buf, sizeof show_buf));
	Py_DECREF(b);
	return rc < 0 ? NULL : PyBytes_FromStringAndSize((const char *)&pfx, sizeof pfx);
}

/* One group as a tuple: (port, local Address, remote ip, process, uid,
 * netns, total, by_state tuple); keys not grouped on are None. */
static PyObject *group_tuple(struct build_cache *c, const sockstate_group *g)
{
	uint32_t k = g->keys;
	PyObject *f[8] = {NULL};
	PyObject *t;

	f[0] = (k & SOCKSTATE_GROUP_PORT) ? PyLong_FromLong(g->port) : none_ref();
	f[1] = (k & SOCKSTATE_GROUP_LOCAL) ? address_obj(c, g->family, &g->local)
	                                    : none_ref();
	f[2] = (k & SOCKSTATE_GROUP_REMOTE)
	       ? ip_text(c, g->family, &g->remote, endpoint_hash(g->family, &g->remote))
	       : none_ref();
	f[3] = (k & SOCKSTATE_GROUP_PROCESS) && g->process ? process_obj(c, g->process)
	                                                    : none_ref();
	f[4] = (k & SOCKSTATE_GROUP_UID) && g->uid >= 0 ? PyLong_FromLongLong(g->uid)
	                                                 : none_ref();
	f[5] = (k & SOCKSTATE_GROUP_NETNS) && g->netns ? process_obj(c, g->netns)
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
	for (int i = 0; i < 8; i++) {
		if (!f[i]) {
			for (int j = 0; j < 8; j++)
				Py_XDECREF(f[j]);
			return NULL;
		}
	}
	t = PyTuple_New(8);
	if (!t) {
		for (int j = 0; j < 8; j++)
			Py_DECREF(f[j]);
		return NULL;
	}
	for (int i = 0; i < 8; i++)
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
static PyObject *py_count_groups(PyObject *self, PyObject *args)
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
	if (!ready() || query_get(qobj, &q) < 0)
		return NULL;
	rc = sockstate_groups_new((uint32_t)keys, &g);
	if (rc < 0)
		return raise_lib(rc, "grouping sockets", "");
	if (handles_get(cap, &set) < 0) {
		sockstate_groups_free(g);
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	for (size_t i = 0; i < set.n && rc == 0; i++) {
		failed = set.h[i];
		rc = sockstate_groups_fill(set.h[i], &q, g);
	}
	if (rc == 0 && format != -1) {
		sockstate_write_opts o = write_opts(format == -2 ? SOCKSTATE_FORMAT_TABLE
		                                    : format, wflags, -1);
		if (format == -2) {
			rc = sockstate_groups_write(g, (size_t)(top > 0 ? top : 0), NULL, NULL,
			                            &o, membuf_write, &m);
		} else {
			sockstate_sysinfo_get(&sys);
			rc = sockstate_groups_write(g, (size_t)(top > 0 ? top : 0), &sys,
			                            sockstate_backend(set.h[0]), &o,
			                            membuf_write, &m);
		}
		if (rc < 0)
			failed = NULL;
	}
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		if (failed)
			raise_lib(rc, "counting sockets", sockstate_errdetail(failed));
		else
			raise_lib(rc, "writing", "");
		goto out;
	}
	cache = PyMem_Calloc(1, sizeof *cache);
	if (!cache) {
		PyErr_NoMemory();
		goto out;
	}
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
		if (!(text = membuf_bytes(&m)))
			goto out;
	} else {
		text = none_ref();
	}
	if (!(src = pid_source_obj(sockstate_pid_source(set.h[set.n - 1]))))
		goto out;
	ret = Py_BuildValue("(OOKOOs)", list, states, (unsigned long long)tot->total, text,
	                    src, sockstate_backend(set.h[0]));
out:
	free(m.data);
	Py_XDECREF(list);
	Py_XDECREF(states);
	Py_XDECREF(text);
	Py_XDECREF(src);
	build_cache_free(cache);
	sockstate_groups_free(g);
	handles_release(&set);
	return ret;
}

/* wait_check(handle, kind, port, states, families, excludes, flags, wflags)
 *   -> (holds, blockers, table): one check of a listen (kind 1) or drain
 * (kind 2) condition. excludes: prefixes from prefix_parse. When it does
 * not hold and flags is not -1: blockers is the list of Connection in the
 * way, table the same as `sockstate wait` prints them (write_flags
 * wflags); else both None. */
static PyObject *py_wait_check(PyObject *self, PyObject *args)
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
	if (!ready() || !(h = handle_get(cap)))
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
		raise_input(SOCKSTATE_ERANGE, "port: %d is out of range (0-65535)", port);
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
		raise_lib(rc, "wait", sockstate_errdetail(h));
		goto out;
	}
	if (rc == 1 || !blockers) {
		sockstate_snapshot_free(blockers);
		ret = Py_BuildValue("(OOO)", rc == 1 ? Py_True : Py_False, Py_None, Py_None);
		goto out;
	}
	{
		sockstate_write_opts o = write_opts(SOCKSTATE_FORMAT_TABLE, wflags, -1);
		struct membuf m = {NULL, 0, 0};
		int wr;
		Py_BEGIN_ALLOW_THREADS
		wr = sockstate_snapshot_write(blockers, &o, membuf_write, &m);
		Py_END_ALLOW_THREADS
		if (wr < 0) {
			free(m.data);
			sockstate_snapshot_free(blockers);
			raise_lib(wr, "writing", "");
			goto out;
		}
		table = membuf_bytes(&m);
	}
	conns = table ? connections_from(blockers) : NULL;
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

/* netns_list(handle) -> list of (spec, pid or None, inode, current). */
static PyObject *py_netns_list(PyObject *self, PyObject *args)
{
	PyObject *cap, *list;
	sockstate_handle *h;
	sockstate_netns *ns = NULL;
	size_t count = 0;
	int rc;
	(void)self;

	if (!PyArg_ParseTuple(args, "O:netns_list", &cap) || !(h = handle_get(cap)))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = sockstate_netns_list(h, &ns, &count);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return raise_lib(rc, "listing network namespaces", sockstate_errdetail(h));
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

/* seconds / counts for wait and watch are parsed in Python (cli). */

/* sysinfo() -> dict (host, os_name, os_release, os_version, machine, taken_at) */
static PyObject *py_sysinfo(PyObject *self, PyObject *args)
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

static int add_type(PyObject *m, const char *name, PyTypeObject **slot,
                    PyStructSequence_Desc *desc)
{
	*slot = PyStructSequence_NewType(desc);
	if (!*slot)
		return -1;
	Py_INCREF(*slot);
	if (PyModule_AddObject(m, name, (PyObject *)*slot) < 0) {
		Py_DECREF(*slot);
		return -1;
	}
	return 0;
}
%}

/* ---- plain functions SWIG wraps as they are ---- */
%rename(version) sockstate_version;
const char *sockstate_version(void);
%rename(strerror) sockstate_strerror;
const char *sockstate_strerror(int err);
%rename(errname) sockstate_errname;
const char *sockstate_errname(int err);
%rename(state_name) sockstate_state_name;
const char *sockstate_state_name(int s);

/* ---- constants the package needs ---- */
%constant int STATE_COUNT = SOCKSTATE_STATE_COUNT;
%constant int Q_PIDS = SOCKSTATE_Q_PIDS;
%constant int Q_TCP_INFO = SOCKSTATE_Q_TCP_INFO;
%constant int Q_NO_PUSHDOWN = SOCKSTATE_Q_NO_PUSHDOWN;
%constant int W_NO_HEADER = SOCKSTATE_W_NO_HEADER;
%constant int W_PIDS = SOCKSTATE_W_PIDS;
%constant int SORT_NONE = SOCKSTATE_SORT_NONE;
%constant int SORT_PID = SOCKSTATE_SORT_PID;
%constant int SORT_PROCESS = SOCKSTATE_SORT_PROCESS;
%constant int FORMAT_TABLE = SOCKSTATE_FORMAT_TABLE;
%constant int FORMAT_JSON = SOCKSTATE_FORMAT_JSON;
%constant int FORMAT_CSV = SOCKSTATE_FORMAT_CSV;
%constant int FORMAT_PROMETHEUS = SOCKSTATE_FORMAT_PROMETHEUS;
%constant int EINVAL = SOCKSTATE_EINVAL;
%constant int ENOMEM = SOCKSTATE_ENOMEM;
%constant int EPERM = SOCKSTATE_EPERM;
%constant int EUNAVAIL = SOCKSTATE_EUNAVAIL;
%constant int EPARSE = SOCKSTATE_EPARSE;
%constant int EIO = SOCKSTATE_EIO;
%constant int EAGAIN = SOCKSTATE_EAGAIN;
%constant int ENOTSUP = SOCKSTATE_ENOTSUP;
%constant int ERANGE = SOCKSTATE_ERANGE;
%constant int ENOENT = SOCKSTATE_ENOENT;
%constant int EABI = SOCKSTATE_EABI;
%constant int GROUP_PORT = SOCKSTATE_GROUP_PORT;
%constant int WAIT_LISTEN = SOCKSTATE_WAIT_LISTEN;
%constant int WAIT_DRAINED = SOCKSTATE_WAIT_DRAINED;
%constant int WAIT_DRAIN_DEFAULT = SOCKSTATE_WAIT_DRAIN_DEFAULT;
%constant int STATES_ALL = SOCKSTATE_STATES_ALL;

/* ---- hand-written functions (above), registered as they are ---- */
%native(_setup) PyObject *py_setup(PyObject *self, PyObject *args);
%native(state_parse) PyObject *py_state_parse(PyObject *self, PyObject *args);
%native(states_parse) PyObject *py_states_parse(PyObject *self, PyObject *args);
%native(state_describe) PyObject *py_state_describe(PyObject *self, PyObject *args);
%native(query) PyObject *py_query(PyObject *self, PyObject *args);
%native(query_info) PyObject *py_query_info(PyObject *self, PyObject *args);
%native(sort_key) PyObject *py_sort_key(PyObject *self, PyObject *args);
%native(format_parse) PyObject *py_format_parse(PyObject *self, PyObject *args);
%native(open) PyObject *py_open(PyObject *self, PyObject *args);
%native(close) PyObject *py_close(PyObject *self, PyObject *args);
%native(abandon) PyObject *py_abandon(PyObject *self, PyObject *args);
%native(backend) PyObject *py_backend(PyObject *self, PyObject *args);
%native(pid_source) PyObject *py_pid_source(PyObject *self, PyObject *args);
%native(backends) PyObject *py_backends(PyObject *self, PyObject *args);
%native(pid_source_reason) PyObject *py_pid_source_reason(PyObject *self, PyObject *args);
%native(connections) PyObject *py_connections(PyObject *self, PyObject *args);
%native(counts) PyObject *py_counts(PyObject *self, PyObject *args);
%native(render) PyObject *py_render(PyObject *self, PyObject *args);
%native(render_counts) PyObject *py_render_counts(PyObject *self, PyObject *args);
%native(sysinfo) PyObject *py_sysinfo(PyObject *self, PyObject *args);
%native(group_keys_parse) PyObject *py_group_keys_parse(PyObject *self, PyObject *args);
%native(prefix_parse) PyObject *py_prefix_parse(PyObject *self, PyObject *args);
%native(count_groups) PyObject *py_count_groups(PyObject *self, PyObject *args);
%native(wait_check) PyObject *py_wait_check(PyObject *self, PyObject *args);
%native(netns_list) PyObject *py_netns_list(PyObject *self, PyObject *args);

%init %{
	if (add_type(m, "Address", &g_address_type, &address_desc) < 0 ||
	    add_type(m, "NativeState", &g_native_state_type, &native_state_desc) < 0 ||
	    add_type(m, "TcpInfo", &g_tcp_info_type, &tcp_info_desc) < 0 ||
	    add_type(m, "Connection", &g_connection_type, &connection_desc) < 0)
		return NULL;
%}
