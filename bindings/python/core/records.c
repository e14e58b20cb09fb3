/* records.c - the struct sequence types (Address, NativeState, TcpInfo,
 * Connection) and the builders of a record's objects, with caches of the
 * immutable ones, per call: no SWIG proxy object is made per socket. */

#include "core.h"

static PyTypeObject *g_address_type;
static PyTypeObject *g_native_state_type;
static PyTypeObject *g_tcp_info_type;
static PyTypeObject *g_connection_type;

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
	CF_FD = CF_VISIBLE, CF_TYPE, CF_STATUS, CF_NETNS, CF_V6ONLY,
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
	[CF_V6ONLY] = {"v6only", "IPv6 socket: True when IPv6-only (IPV6_V6ONLY), False when dual-stack (a [::] listener then answers IPv4 too); None when the OS does not say, and for IPv4"},
	[CF_COUNT] = {NULL, NULL}};
static PyStructSequence_Desc connection_desc = {
	"sockstate.Connection",
	"Connection: one TCP socket, immutable (a struct sequence).\n\n"
	"The tuple holds family, laddr, raddr, state, native_state, pid, pids,\n"
	"process, uid, inode, rx_queue, tx_queue, tcp_info. For psutil users,\n"
	"fd (-1), type (SOCK_STREAM) and status (== state) are attributes too;\n"
	"netns names the network namespace of a Handle(netns=...); v6only\n"
	"whether an IPv6 socket is IPv6-only (None: not known).\n"
	"Unknown values are None.",
	connection_fields, CF_VISIBLE};

#define IP_SLOTS 1024u
#define EP_SLOTS 2048u
#define PROC_SLOTS 256u
#define PID_SLOTS 256u
#define NATIVE_SLOTS 32u

struct ip_slot {
	PyObject *obj;
	uint8_t family;
	uint32_t scope;
	const char *zone;   /* the record's zone name: one pointer per name
	                       in a snapshot, which outlives the cache */
	uint8_t addr[16];
};

struct ep_slot {
	PyObject *obj;
	uint8_t family;
	uint16_t port;
	uint32_t scope;
	const char *zone;
	uint8_t addr[16];
};

struct pid_slot {
	int32_t pid;
	PyObject *obj;
};

struct build_cache {
	struct ip_slot ip[IP_SLOTS];
	struct ep_slot ep[EP_SLOTS];        /* Address objects */
	struct ep_slot pair[EP_SLOTS];      /* psutil's addr tuples */
	struct { const char *ptr; PyObject *obj; } proc[PROC_SLOTS];
	struct pid_slot pid1[PID_SLOTS];   /* (pid,) */
	struct pid_slot pidint[PID_SLOTS]; /* pid */
	struct { int32_t code; const char *name; PyObject *obj; } native[NATIVE_SLOTS];
	unsigned nnative;
	int64_t uid;
	PyObject *uid_obj;
};

struct build_cache *sockstate_py_cache_new(void)
{
	struct build_cache *c = PyMem_Calloc(1, sizeof *c);

	if (!c)
		PyErr_NoMemory();
	return c;
}

void sockstate_py_cache_free(struct build_cache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < IP_SLOTS; i++)
		Py_XDECREF(c->ip[i].obj);
	for (unsigned i = 0; i < EP_SLOTS; i++) {
		Py_XDECREF(c->ep[i].obj);
		Py_XDECREF(c->pair[i].obj);
	}
	for (unsigned i = 0; i < PROC_SLOTS; i++)
		Py_XDECREF(c->proc[i].obj);
	for (unsigned i = 0; i < PID_SLOTS; i++) {
		Py_XDECREF(c->pid1[i].obj);
		Py_XDECREF(c->pidint[i].obj);
	}
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

uint64_t sockstate_py_endpoint_hash(uint8_t family, const sockstate_endpoint *ep)
{
	uint64_t a, b;

	memcpy(&a, ep->addr, 8);
	memcpy(&b, ep->addr + 8, 8);
	return mix64(a * UINT64_C(0x9e3779b97f4a7c15) ^ mix64(b ^ family ^
	             ((uint64_t)ep->scope_id << 8)));
}

const char sockstate_py_zone_lookup[] = "";

/* The address text of ep, shared by every endpoint with the same address
 * and zone (the interface named in the record's own namespace). */
PyObject *sockstate_py_ip_text(struct build_cache *c, uint8_t family,
                               const sockstate_endpoint *ep, const char *zone,
                               uint64_t hash)
{
	struct ip_slot *slot = &c->ip[hash & (IP_SLOTS - 1)];
	char buf[96];
	int n;

	if (slot->obj && slot->family == family && slot->scope == ep->scope_id &&
	    slot->zone == zone && !memcmp(slot->addr, ep->addr, 16)) {
		Py_INCREF(slot->obj);
		return slot->obj;
	}
	n = zone == sockstate_py_zone_lookup
	    ? sockstate_endpoint_format((sockstate_family)family, ep, buf, sizeof buf)
	    : sockstate_endpoint_format_zone((sockstate_family)family, ep, zone, buf, sizeof buf);
	if (n < 0)
		return sockstate_py_raise_lib(n, "formatting an address", "");
	PyObject *text = PyUnicode_DecodeUTF8(buf, n, "replace");
	if (!text)
		return NULL;
	Py_XSETREF(slot->obj, text);
	Py_INCREF(text);
	slot->family = family;
	slot->scope = ep->scope_id;
	slot->zone = zone;
	memcpy(slot->addr, ep->addr, 16);
	return text;
}

/* A struct sequence or tuple the cyclic GC need not follow: its items are
 * strings, ints, None, enum members and other such objects, never a
 * container that could lead back to it. Untracked, a million of them
 * cost no collection anything (a young collection walks every tracked
 * object made since the last one). */
static PyObject *untracked(PyObject *obj)
{
	if (obj)
		PyObject_GC_UnTrack(obj);
	return obj;
}

PyObject *sockstate_py_tuple_new(PyTypeObject *type, Py_ssize_t n)
{
	if (type == &PyTuple_Type)
		return PyTuple_New(n);
	/* What tuple.__new__ does for a subclass (a namedtuple has no slots
	 * of its own), without the Python code of the class's __new__. */
	return type->tp_alloc(type, n);
}

/* An (ip, port) pair for ep, shared by every record with the same
 * endpoint (a listener's local end repeats in each of its connections):
 * an Address (type NULL, slots c->ep) or a 2-tuple of type `type`. */
static PyObject *endpoint_pair(struct build_cache *c, struct ep_slot *slots,
                               PyTypeObject *type, uint8_t family,
                               const sockstate_endpoint *ep, const char *zone)
{
	uint64_t hash = sockstate_py_endpoint_hash(family, ep);
	struct ep_slot *slot = &slots[mix64(hash ^ ep->port) & (EP_SLOTS - 1)];
	PyObject *addr, *ip, *port;

	if (slot->obj && slot->family == family && slot->port == ep->port &&
	    slot->scope == ep->scope_id && slot->zone == zone &&
	    !memcmp(slot->addr, ep->addr, 16)) {
		Py_INCREF(slot->obj);
		return slot->obj;
	}
	ip = sockstate_py_ip_text(c, family, ep, zone, hash);
	if (!ip)
		return NULL;
	port = PyLong_FromLong(ep->port);
	addr = !port ? NULL : type ? sockstate_py_tuple_new(type, 2)
	                           : PyStructSequence_New(g_address_type);
	if (!addr) {
		Py_DECREF(ip);
		Py_XDECREF(port);
		return NULL;
	}
	PyTuple_SET_ITEM(addr, 0, ip);
	PyTuple_SET_ITEM(addr, 1, port);
	untracked(addr);
	Py_XSETREF(slot->obj, addr);
	Py_INCREF(addr);
	slot->family = family;
	slot->port = ep->port;
	slot->scope = ep->scope_id;
	slot->zone = zone;
	memcpy(slot->addr, ep->addr, 16);
	return addr;
}

/* Address(ip, port), shared by every record with the same endpoint (a
 * listener's local end repeats in each of its connections). */
PyObject *sockstate_py_address_obj(struct build_cache *c, uint8_t family,
                                   const sockstate_endpoint *ep, const char *zone)
{
	return endpoint_pair(c, c->ep, NULL, family, ep, zone);
}

PyObject *sockstate_py_pair_obj(struct build_cache *c, PyTypeObject *type,
                                uint8_t family, const sockstate_endpoint *ep,
                                const char *zone)
{
	return endpoint_pair(c, c->pair, type, family, ep, zone);
}

PyObject *sockstate_py_native_obj(struct build_cache *c, int32_t native_code,
                                  const char *name)
{
	PyObject *obj, *code, *text;

	for (unsigned i = 0; i < c->nnative; i++) {
		if (c->native[i].code == native_code && c->native[i].name == name) {
			Py_INCREF(c->native[i].obj);
			return c->native[i].obj;
		}
	}
	code = PyLong_FromLong(native_code);
	text = PyUnicode_DecodeUTF8(name, (Py_ssize_t)strlen(name), "replace");
	obj = code && text ? PyStructSequence_New(g_native_state_type) : NULL;
	if (!obj) {
		Py_XDECREF(code);
		Py_XDECREF(text);
		return NULL;
	}
	PyStructSequence_SET_ITEM(obj, 0, code);
	PyStructSequence_SET_ITEM(obj, 1, text);
	untracked(obj);
	if (c->nnative < NATIVE_SLOTS) {
		c->native[c->nnative].code = native_code;
		c->native[c->nnative].name = name;
		c->native[c->nnative].obj = obj;
		c->nnative++;
		Py_INCREF(obj);
	}
	return obj;
}

/* Process names live in the snapshot's pool, one string per process. */
PyObject *sockstate_py_process_obj(struct build_cache *c, const char *name)
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

/* make(pid), made once per pid and call: slots is its cache. */
static PyObject *per_pid(struct pid_slot *slots, int32_t pid, PyObject *(*make)(int32_t))
{
	struct pid_slot *slot = &slots[mix64((uint64_t)(uint32_t)pid) & (PID_SLOTS - 1)];
	PyObject *obj;

	if (slot->obj && slot->pid == pid) {
		Py_INCREF(slot->obj);
		return slot->obj;
	}
	obj = make(pid);
	if (!obj)
		return NULL;
	Py_XSETREF(slot->obj, obj);
	Py_INCREF(obj);
	slot->pid = pid;
	return obj;
}

static PyObject *pid_int(int32_t pid)
{
	return PyLong_FromLong(pid);
}

static PyObject *pid_tuple(int32_t pid)
{
	return untracked(Py_BuildValue("(i)", (int)pid));
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
		return untracked(t);
	}
	return per_pid(c->pid1, s->pid, pid_tuple);
}

PyObject *sockstate_py_pid_obj(struct build_cache *c, int32_t pid)
{
	return per_pid(c->pidint, pid, pid_int);
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

static PyObject *u32_or_none(int valid, uint32_t v)
{
	return valid ? PyLong_FromUnsignedLong(v) : none_ref();
}

PyObject *sockstate_py_seq_fill(PyObject *seq, PyObject **items, int n)
{
	for (int i = 0; i < n; i++) {
		if (!items[i]) {
			for (int j = 0; j < n; j++)
				Py_XDECREF(items[j]);
			Py_DECREF(seq);
			return NULL;
		}
	}
	for (int i = 0; i < n; i++)
		PyStructSequence_SET_ITEM(seq, i, items[i]);
	return seq;
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
	if (timer && s->timer < 5 && sockstate_py_timer_names[s->timer]) {
		v[4] = sockstate_py_timer_names[s->timer];
		Py_INCREF(v[4]);
	} else {
		v[4] = none_ref();
	}
	v[5] = u32_or_none(timer, s->retransmits);
	v[6] = u32_or_none(timer, s->expires_ms);
	return untracked(sockstate_py_seq_fill(obj, v, 7));
}

PyObject *sockstate_py_connection_obj(struct build_cache *c, const sockstate_socket *s,
                                      uint32_t query_flags)
{
	PyObject *f[CF_COUNT] = {NULL};
	PyObject *state, *conn;
	uint32_t valid = s->valid;

	if (s->family < 1 || s->family > 2 || !sockstate_py_families[s->family])
		return sockstate_py_raise_lib(SOCKSTATE_EINVAL, "listing sockets",
		                              "a record with an unknown family");
	state = sockstate_py_states[s->state < SOCKSTATE_STATE_COUNT ? s->state
	                                                             : SOCKSTATE_UNKNOWN];
	conn = PyStructSequence_New(g_connection_type);
	if (!conn)
		return NULL;
	f[CF_FAMILY] = sockstate_py_families[s->family];
	Py_INCREF(f[CF_FAMILY]);
	f[CF_LADDR] = sockstate_py_address_obj(c, s->family, &s->local, s->zone);
	f[CF_RADDR] = sockstate_py_address_obj(c, s->family, &s->remote, s->zone);
	f[CF_STATE] = state;
	Py_INCREF(state);
	f[CF_NATIVE_STATE] = sockstate_py_native_obj(c, s->native_code,
	                                             s->native_name ? s->native_name : "UNKNOWN");
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
	                ? sockstate_py_process_obj(c, s->process) : none_ref();
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
	f[CF_FD] = sockstate_py_minus_one;
	Py_INCREF(f[CF_FD]);
	f[CF_TYPE] = sockstate_py_sock_stream;
	Py_INCREF(f[CF_TYPE]);
	f[CF_STATUS] = state;
	Py_INCREF(state);
	f[CF_NETNS] = s->netns ? sockstate_py_process_obj(c, s->netns) : none_ref();
	if (valid & SOCKSTATE_HAS_V6ONLY) {
		f[CF_V6ONLY] = (s->local.flags & SOCKSTATE_ENDPOINT_V6ONLY) ? Py_True : Py_False;
		Py_INCREF(f[CF_V6ONLY]);
	} else {
		f[CF_V6ONLY] = none_ref();
	}
	return untracked(sockstate_py_seq_fill(conn, f, CF_COUNT));
}

int sockstate_py_add_type(PyObject *m, const char *name, PyTypeObject **slot,
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

int sockstate_py_add_types(PyObject *m)
{
	if (sockstate_py_add_type(m, "Address", &g_address_type, &address_desc) < 0 ||
	    sockstate_py_add_type(m, "NativeState", &g_native_state_type, &native_state_desc) < 0 ||
	    sockstate_py_add_type(m, "TcpInfo", &g_tcp_info_type, &tcp_info_desc) < 0 ||
	    sockstate_py_add_type(m, "Connection", &g_connection_type, &connection_desc) < 0)
		return -1;
	return 0;
}
