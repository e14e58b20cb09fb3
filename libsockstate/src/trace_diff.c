/* trace_diff.c - what changed between two listings, as transitions: the
 * poll source's logic, pure (no OS call, no clock), so every OS's poll
 * (and the BSD backends, which cannot run here) is proven by unit tests.
 *
 * Sockets are followed by cookie where the backend gives one (Linux
 * netlink), else by family, endpoints and whether they listen: two
 * listings cannot tell a connection from a new one on the same four
 * endpoints, so such a reuse between two listings looks like one
 * connection's change of state. */
#include <stdlib.h>
#include <string.h>

#include "trace_internal.h"

/* RFC 9293's diagram without its resets and aborts, each state's next
 * states in the order a search should prefer them (the usual way first:
 * FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT before the simultaneous close);
 * 0 (UNKNOWN, never a next state) ends a list. */
static const uint8_t next_states[SOCKSTATE_STATE_COUNT][4] = {
	[SOCKSTATE_CLOSED] = {SOCKSTATE_SYN_SENT, SOCKSTATE_LISTEN, SOCKSTATE_BOUND},
	[SOCKSTATE_BOUND] = {SOCKSTATE_SYN_SENT, SOCKSTATE_LISTEN, SOCKSTATE_CLOSED},
	[SOCKSTATE_LISTEN] = {SOCKSTATE_SYN_RECEIVED, SOCKSTATE_SYN_SENT, SOCKSTATE_CLOSED},
	[SOCKSTATE_SYN_SENT] = {SOCKSTATE_ESTABLISHED, SOCKSTATE_SYN_RECEIVED, SOCKSTATE_CLOSED},
	[SOCKSTATE_SYN_RECEIVED] = {SOCKSTATE_ESTABLISHED, SOCKSTATE_FIN_WAIT_1,
	                            SOCKSTATE_LISTEN},
	[SOCKSTATE_ESTABLISHED] = {SOCKSTATE_FIN_WAIT_1, SOCKSTATE_CLOSE_WAIT},
	[SOCKSTATE_FIN_WAIT_1] = {SOCKSTATE_FIN_WAIT_2, SOCKSTATE_CLOSING},
	[SOCKSTATE_FIN_WAIT_2] = {SOCKSTATE_TIME_WAIT},
	[SOCKSTATE_CLOSING] = {SOCKSTATE_TIME_WAIT},
	[SOCKSTATE_CLOSE_WAIT] = {SOCKSTATE_LAST_ACK},
	[SOCKSTATE_LAST_ACK] = {SOCKSTATE_CLOSED},
	[SOCKSTATE_TIME_WAIT] = {SOCKSTATE_CLOSED},
	[SOCKSTATE_DELETE_TCB] = {SOCKSTATE_CLOSED},
};

/* A step of the diagram the search leaves out (it would shorten the usual
 * way), still one step when seen. */
static int rare_step(sockstate_state from, sockstate_state to)
{
	return from == SOCKSTATE_FIN_WAIT_1 && to == SOCKSTATE_TIME_WAIT;
}

static int one_step(sockstate_state from, sockstate_state to)
{
	for (size_t i = 0; i < 4 && next_states[from][i]; i++)
		if (next_states[from][i] == to)
			return 1;
	return rare_step(from, to);
}

size_t sockstate__diff_path(sockstate_state from, sockstate_state to,
                            sockstate_state path[SOCKSTATE_STATE_COUNT], int *direct)
{
	uint8_t prev[SOCKSTATE_STATE_COUNT];
	uint8_t queue[SOCKSTATE_STATE_COUNT];
	size_t head = 0, tail = 0, n = 0;

	*direct = from < SOCKSTATE_STATE_COUNT && to < SOCKSTATE_STATE_COUNT &&
	          one_step(from, to);
	path[0] = to;
	if (*direct || from >= SOCKSTATE_STATE_COUNT || to >= SOCKSTATE_STATE_COUNT)
		return 1;
	memset(prev, 0xff, sizeof prev);
	prev[from] = (uint8_t)from;
	queue[tail++] = (uint8_t)from;
	while (head < tail && prev[to] == 0xff) {
		uint8_t at = queue[head++];

		/* A socket that closed does not come back: no way passes
		 * through CLOSED. */
		if (at == SOCKSTATE_CLOSED && at != from)
			continue;

		for (size_t i = 0; i < 4 && next_states[at][i]; i++) {
			uint8_t next = next_states[at][i];

			if (prev[next] != 0xff)
				continue;
			prev[next] = at;
			queue[tail++] = next;
		}
	}
	if (prev[to] == 0xff)
		return 1;
	for (uint8_t at = (uint8_t)to; at != from; at = prev[at])
		n++;
	for (size_t i = n, at = to; i > 0; at = prev[at])
		path[--i] = (sockstate_state)at;
	return n;
}

/* ---- keys ---- */

static int listener_like(uint8_t state)
{
	return state == SOCKSTATE_LISTEN || state == SOCKSTATE_BOUND;
}

uint64_t sockstate__diff_key(const sockstate_socket *s)
{
	uint64_t h = SOCKSTATE__FNV_SEED;
	uint8_t listens = (uint8_t)listener_like(s->state);

	if ((s->valid & SOCKSTATE_HAS_COOKIE) && s->cookie)
		return s->cookie;
	h = sockstate__fnv1a(h, &s->family, 1);
	h = sockstate__fnv1a(h, &listens, 1);
	h = sockstate__fnv1a(h, s->local.addr, 16);
	h = sockstate__fnv1a(h, &s->local.port, 2);
	h = sockstate__fnv1a(h, &s->local.scope_id, 4);
	h = sockstate__fnv1a(h, s->remote.addr, 16);
	h = sockstate__fnv1a(h, &s->remote.port, 2);
	h = sockstate__fnv1a(h, &s->remote.scope_id, 4);
	return h | SOCKSTATE__TUPLE_KEY_BIT;
}

/* ---- the table ---- */

static sockstate__diff_entry *find(const sockstate__diff_table *t, uint64_t key)
{
	if (!t->slot)
		return NULL;
	for (size_t i = sockstate__slot_of(key, t->mask);; i = (i + 1) & t->mask) {
		if (t->slot[i].key == key)
			return &t->slot[i];
		if (t->slot[i].key == 0)
			return NULL;
	}
}

static sockstate__diff_entry *place(sockstate__diff_table *t, uint64_t key)
{
	size_t i = sockstate__slot_of(key, t->mask);

	while (t->slot[i].key != 0)
		i = (i + 1) & t->mask;
	t->slot[i].key = key;
	t->used++;
	return &t->slot[i];
}

static int grow(sockstate__diff_table *t)
{
	size_t slots = t->slot ? (t->mask + 1) * 2 : 1024;
	sockstate__diff_table bigger = {calloc(slots, sizeof *t->slot), slots - 1, 0};

	if (!bigger.slot)
		return SOCKSTATE_ENOMEM;
	for (size_t i = 0; t->slot && i <= t->mask; i++)
		if (t->slot[i].key)
			*place(&bigger, t->slot[i].key) = t->slot[i];
	free(t->slot);
	*t = bigger;
	return 0;
}

void sockstate__diff_free(sockstate__diff_table *t)
{
	free(t->slot);
	memset(t, 0, sizeof *t);
}

/* ---- events ---- */

static void event_of(sockstate_event *ev, const sockstate__diff_entry *e, int64_t now_ns)
{
	sockstate__event_init(ev, SOCKSTATE_EVENT_TRANSITION, SOCKSTATE_TRACE_POLL);
	ev->family = e->family;
	ev->local = e->local;
	ev->remote = e->remote;
	ev->time_ns = now_ns;
	if (e->has_cookie) {
		ev->cookie = e->cookie;
		ev->flags |= SOCKSTATE_EV_HAS_COOKIE;
	}
	if (e->pid >= 0) {
		ev->pid = e->pid;
		ev->flags |= SOCKSTATE_EV_HAS_PID;
	}
	if (e->process[0]) {
		ev->process = e->process;
		ev->flags |= SOCKSTATE_EV_HAS_PROCESS;
	}
}

/* The transitions from e's state to `to` (native code and name of `to`
 * when it was seen), at now_ns. */
static int emit_path(const sockstate__diff_entry *e, sockstate_state to, int32_t to_code,
                     const char *to_name, int64_t now_ns, sockstate__trace_emit_fn emit,
                     void *ctx)
{
	sockstate_state path[SOCKSTATE_STATE_COUNT];
	int direct;
	size_t n = sockstate__diff_path((sockstate_state)e->state, to, path, &direct);
	sockstate_event ev;
	int rc = 0;

	event_of(&ev, e, now_ns);
	ev.old_state = e->state;
	ev.old_native_code = e->native_code;
	ev.old_native_name = e->native_name;
	if (e->since_ns > 0 && e->since_ns <= now_ns) {
		ev.in_old_state_ns = now_ns - e->since_ns;
		ev.flags |= SOCKSTATE_EV_HAS_IN_OLD;
	}
	if (!direct)
		ev.flags |= SOCKSTATE_EV_INFERRED;
	for (size_t i = 0; i < n && rc == 0; i++) {
		sockstate__event_state(&ev, 1, path[i]);
		if (i + 1 == n && to_name) {
			ev.new_native_code = to_code;
			ev.new_native_name = to_name;
		}
		rc = emit(ctx, &ev);
		/* The next step starts where this one ended, at an unknown
		 * moment. */
		ev.old_state = ev.new_state;
		ev.old_native_code = ev.new_native_code;
		ev.old_native_name = ev.new_native_name;
		ev.in_old_state_ns = -1;
		ev.flags &= ~(uint32_t)SOCKSTATE_EV_HAS_IN_OLD;
	}
	return rc;
}

static void entry_set(sockstate__diff_entry *e, const sockstate_socket *s, int64_t since_ns)
{
	e->family = s->family;
	e->state = s->state;
	e->native_code = s->native_code;
	e->native_name = s->native_name;
	e->local = s->local;
	e->remote = s->remote;
	e->since_ns = since_ns;
	e->has_cookie = (s->valid & SOCKSTATE_HAS_COOKIE) && s->cookie;
	e->cookie = e->has_cookie ? s->cookie : 0;
	e->pid = (s->valid & SOCKSTATE_HAS_PID) ? s->pid : -1;
	e->process[0] = '\0';
	if ((s->valid & SOCKSTATE_HAS_PROCESS) && s->process) {
		size_t n = strlen(s->process);

		if (n >= sizeof e->process)
			n = sizeof e->process - 1;
		memcpy(e->process, s->process, n);
		e->process[n] = '\0';
	}
	e->seen = 1;
}

int sockstate__diff_note(sockstate__diff_table *t, const sockstate_socket *s,
                         int64_t now_ns, int baseline, sockstate__trace_emit_fn emit,
                         void *ctx)
{
	uint64_t key = sockstate__diff_key(s);
	sockstate__diff_entry *e = find(t, key);
	sockstate__diff_entry born;
	int rc;

	if (e) {
		/* A socket listed twice in one listing (a dump repeats one
		 * at a chunk boundary) changes nothing. */
		if (e->seen && e->state == s->state)
			return 0;
		if (e->state != s->state) {
			/* Keep the owner once known: a TIME_WAIT socket has
			 * none in the listing. */
			int32_t pid = e->pid;
			char process[sizeof e->process];

			memcpy(process, e->process, sizeof process);
			rc = emit_path(e, (sockstate_state)s->state, s->native_code,
			               s->native_name, now_ns, emit, ctx);
			entry_set(e, s, now_ns);
			if (e->pid < 0) {
				e->pid = pid;
				memcpy(e->process, process, sizeof process);
			}
			return rc;
		}
		e->seen = 1;
		return 0;
	}
	if ((t->used + 1) * 4 > (t->slot ? t->mask + 1 : 0) * 3 && (rc = grow(t)) < 0)
		return rc;
	e = place(t, key);
	entry_set(e, s, baseline ? 0 : now_ns);
	if (baseline)
		return 0;
	/* New since the last listing: born CLOSED, which only the steps
	 * to SYN_SENT, LISTEN and BOUND leave in one. */
	born = *e;
	born.state = SOCKSTATE_CLOSED;
	born.native_code = -1;
	born.native_name = NULL;
	born.since_ns = 0;
	{
		sockstate_state path[SOCKSTATE_STATE_COUNT];
		int direct;
		sockstate_event ev;

		sockstate__diff_path(SOCKSTATE_CLOSED, (sockstate_state)s->state, path, &direct);
		/* A passive open and an active one reach ESTABLISHED by two
		 * ways: say only where it came from, marked inferred. */
		event_of(&ev, &born, now_ns);
		sockstate__event_state(&ev, 0, SOCKSTATE_CLOSED);
		ev.new_state = s->state;
		ev.new_native_code = s->native_code;
		ev.new_native_name = s->native_name;
		if (!direct)
			ev.flags |= SOCKSTATE_EV_INFERRED;
		return emit(ctx, &ev);
	}
}

int sockstate__diff_sweep(sockstate__diff_table *t, int64_t now_ns,
                          sockstate__trace_emit_fn emit, void *ctx)
{
	sockstate__diff_table kept;
	int rc = 0;

	if (!t->slot)
		return 0;
	for (size_t i = 0; i <= t->mask && rc == 0; i++)
		if (t->slot[i].key && !t->slot[i].seen)
			rc = emit_path(&t->slot[i], SOCKSTATE_CLOSED, -1, NULL, now_ns, emit, ctx);
	/* Rebuilt rather than deleted from in place: a listing's worth of
	 * work anyway, and no run of the open addressing breaks. */
	kept = (sockstate__diff_table){calloc(t->mask + 1, sizeof *t->slot), t->mask, 0};
	if (!kept.slot)
		return rc < 0 ? rc : SOCKSTATE_ENOMEM;
	for (size_t i = 0; i <= t->mask; i++) {
		if (!t->slot[i].key || !t->slot[i].seen)
			continue;
		t->slot[i].seen = 0;
		*place(&kept, t->slot[i].key) = t->slot[i];
	}
	free(t->slot);
	*t = kept;
	return rc;
}
