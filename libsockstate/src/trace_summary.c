/* trace_summary.c - one summary per connection when it ends (bcc
 * tcplife's idea, from any source): its endpoints, owner, duration, bytes
 * where the source knows them, every state it went through with the time
 * in each, and how it ended. Pure: it only follows the events it is
 * given, so the unit tests feed it constructed ones. */
#include <stdlib.h>
#include <string.h>

#include "trace_internal.h"

/* Connections followed at once, at about 600 bytes each: a lost close
 * (a ring overrun) leaves one behind, so the table cannot grow without
 * bound. */
#define FOLLOWED_MAX 65536u

struct sockstate__summary_conn {
	uint64_t key;
	int64_t start_ns;           /* when it was born, 0 unknown */
	int64_t entered_ns;         /* when it entered its last state, 0 unknown */
	sockstate_event sum;        /* the summary being built */
	char process[64];
};

uint64_t sockstate__summary_key(const sockstate_event *ev)
{
	uint64_t h = SOCKSTATE__FNV_SEED;

	if ((ev->flags & SOCKSTATE_EV_HAS_COOKIE) && ev->cookie)
		return ev->cookie;
	/* Only a bpf connect's first event lacks its local port, and bpf
	 * events always carry their cookie. */
	h = sockstate__fnv1a(h, &ev->family, 1);
	h = sockstate__fnv1a(h, ev->local.addr, 16);
	h = sockstate__fnv1a(h, &ev->local.port, 2);
	h = sockstate__fnv1a(h, ev->remote.addr, 16);
	h = sockstate__fnv1a(h, &ev->remote.port, 2);
	return h | SOCKSTATE__TUPLE_KEY_BIT;
}

static size_t slot_find(const sockstate__summaries *s, uint64_t key)
{
	size_t i = sockstate__slot_of(key, s->mask);

	while (s->slot[i] && s->slot[i]->key != key)
		i = (i + 1) & s->mask;
	return i;
}

static int grow(sockstate__summaries *s)
{
	size_t slots = s->slot ? (s->mask + 1) * 2 : 256;
	sockstate__summary_conn **bigger = calloc(slots, sizeof *bigger);
	sockstate__summaries old = *s;

	if (!bigger)
		return SOCKSTATE_ENOMEM;
	s->slot = bigger;
	s->mask = slots - 1;
	for (size_t i = 0; old.slot && i <= old.mask; i++)
		if (old.slot[i])
			s->slot[slot_find(s, old.slot[i]->key)] = old.slot[i];
	free(old.slot);
	return 0;
}

/* Take slot i out and shift the rest of its run back (so lookups still
 * find them). */
static void slot_clear(sockstate__summaries *s, size_t hole)
{
	s->slot[hole] = NULL;
	for (size_t i = (hole + 1) & s->mask; s->slot[i]; i = (i + 1) & s->mask) {
		size_t home = sockstate__slot_of(s->slot[i]->key, s->mask);

		if (((i - home) & s->mask) >= ((i - hole) & s->mask)) {
			s->slot[hole] = s->slot[i];
			s->slot[i] = NULL;
			hole = i;
		}
	}
	s->used--;
}

void sockstate__summaries_free(sockstate__summaries *s)
{
	for (size_t i = 0; s->slot && i <= s->mask; i++)
		free(s->slot[i]);
	free(s->slot);
	memset(s, 0, sizeof *s);
}

static void path_add(sockstate__summary_conn *c, uint8_t state, int32_t code,
                     const char *name)
{
	sockstate_event *sum = &c->sum;

	if (state == SOCKSTATE_UNKNOWN)
		return;
	if (sum->path_len == SOCKSTATE_EVENT_PATH_MAX) {
		sum->flags |= SOCKSTATE_EV_PATH_CUT;
		return;
	}
	sum->path[sum->path_len] = (sockstate_state_span){
		.state = state, .native_code = code, .native_name = name, .ns = -1,
	};
	sum->path_len++;
}

/* A connection seen for the first time, by ev. */
static sockstate__summary_conn *conn_start(const sockstate_event *ev, uint64_t key)
{
	sockstate__summary_conn *c = calloc(1, sizeof *c);
	int born;

	if (!c)
		return NULL;
	c->key = key;
	c->sum = *ev;
	c->sum.kind = SOCKSTATE_EVENT_SUMMARY;
	c->sum.flags &= SOCKSTATE_EV_HAS_COOKIE;
	c->sum.cause = SOCKSTATE_CAUSE_UNKNOWN;
	c->sum.process = NULL;
	c->sum.pid = -1;
	c->sum.in_old_state_ns = -1;
	c->sum.duration_ns = -1;
	c->sum.path_len = 0;
	/* Born under the trace's eyes: a new socket leaves CLOSED, a
	 * server's child socket starts in SYN_RECEIVED from its listener's
	 * state. Else it was there before: its first state's start is
	 * known only when the source measured it. */
	born = ev->old_state == SOCKSTATE_CLOSED ||
	       (ev->old_state == SOCKSTATE_LISTEN && ev->new_state == SOCKSTATE_SYN_RECEIVED);
	if (born) {
		/* An inferred birth happened at an unknown moment. */
		if (!(ev->flags & SOCKSTATE_EV_INFERRED))
			c->start_ns = ev->time_ns;
	} else {
		path_add(c, ev->old_state, ev->old_native_code, ev->old_native_name);
		if (c->sum.path_len && (ev->flags & SOCKSTATE_EV_HAS_IN_OLD))
			c->sum.path[0].ns = ev->in_old_state_ns;
	}
	return c;
}

/* Follow ev on c: the time of the state it leaves, the state it enters,
 * its latest endpoints and owner. */
static void conn_step(sockstate__summary_conn *c, const sockstate_event *ev)
{
	sockstate_event *sum = &c->sum;

	if (sum->path_len && sum->path[sum->path_len - 1].ns < 0 &&
	    !(sum->flags & SOCKSTATE_EV_PATH_CUT)) {
		if (ev->flags & SOCKSTATE_EV_HAS_IN_OLD)
			sum->path[sum->path_len - 1].ns = ev->in_old_state_ns;
		else if (c->entered_ns && ev->time_ns >= c->entered_ns)
			sum->path[sum->path_len - 1].ns = ev->time_ns - c->entered_ns;
	}
	if (ev->old_state != ev->new_state)
		path_add(c, ev->new_state, ev->new_native_code, ev->new_native_name);
	/* An inferred step happened at an unknown moment. */
	c->entered_ns = (ev->flags & SOCKSTATE_EV_INFERRED) ? 0 : ev->time_ns;
	if (ev->local.port || !sum->local.port)
		sum->local = ev->local;
	sum->remote = ev->remote;
	if (ev->flags & SOCKSTATE_EV_HAS_PID) {
		sum->pid = ev->pid;
		sum->flags |= SOCKSTATE_EV_HAS_PID;
	}
	if ((ev->flags & SOCKSTATE_EV_HAS_PROCESS) && ev->process) {
		size_t n = strlen(ev->process);

		if (n >= sizeof c->process)
			n = sizeof c->process - 1;
		memcpy(c->process, ev->process, n);
		c->process[n] = '\0';
		sum->flags |= SOCKSTATE_EV_HAS_PROCESS;
	}
	sum->flags |= ev->flags & SOCKSTATE_EV_INFERRED;
}

/* Was c a connection: did it have a peer, or leave the states of a
 * socket that has none? A listener's life gets no summary. */
static int was_connection(const sockstate__summary_conn *c)
{
	if (c->sum.remote.port != 0)
		return 1;
	for (uint32_t i = 0; i < c->sum.path_len; i++) {
		uint8_t st = c->sum.path[i].state;

		if (st != SOCKSTATE_LISTEN && st != SOCKSTATE_BOUND && st != SOCKSTATE_CLOSED)
			return 1;
	}
	return 0;
}

static int ends(const sockstate_event *ev)
{
	return ev->new_state == SOCKSTATE_CLOSED || ev->new_state == SOCKSTATE_TIME_WAIT ||
	       ev->old_state == ev->new_state;
}

/* The finished summary of c, ended by ev, into out. */
static void conn_finish(sockstate__summary_conn *c, const sockstate_event *ev,
                        sockstate_event *out)
{
	*out = c->sum;
	out->time_ns = ev->time_ns;
	out->cause = ev->cause;
	out->old_state = out->path_len ? out->path[0].state : SOCKSTATE_UNKNOWN;
	out->old_native_code = out->path_len ? out->path[0].native_code : -1;
	out->old_native_name = out->path_len ? out->path[0].native_name : NULL;
	out->new_state = ev->new_state;
	out->new_native_code = ev->new_native_code;
	out->new_native_name = ev->new_native_name;
	out->syn_retransmits = ev->syn_retransmits;
	out->process = (out->flags & SOCKSTATE_EV_HAS_PROCESS) ? c->process : NULL;
	if (c->start_ns && ev->time_ns >= c->start_ns) {
		out->duration_ns = ev->time_ns - c->start_ns;
		out->flags |= SOCKSTATE_EV_HAS_DURATION;
	}
	if (ev->flags & SOCKSTATE_EV_HAS_BYTES) {
		out->bytes_acked = ev->bytes_acked;
		out->bytes_received = ev->bytes_received;
		out->flags |= SOCKSTATE_EV_HAS_BYTES;
	}
}

int sockstate__summary_note(sockstate__summaries *s, const sockstate_event *ev,
                            sockstate_event *out)
{
	uint64_t key = sockstate__summary_key(ev);
	sockstate__summary_conn *c = NULL;
	size_t i = 0;

	if (s->slot) {
		i = slot_find(s, key);
		c = s->slot[i];
	}
	if (!c) {
		size_t limit = s->limit ? s->limit : FOLLOWED_MAX;

		if (s->used >= limit) {
			s->dropped++;
			return 0;
		}
		if ((s->used + 1) * 4 > (s->slot ? s->mask + 1 : 0) * 3 && grow(s) < 0) {
			s->dropped++;
			return SOCKSTATE_ENOMEM;
		}
		c = conn_start(ev, key);
		if (!c) {
			s->dropped++;
			return SOCKSTATE_ENOMEM;
		}
		i = slot_find(s, key);
		s->slot[i] = c;
		s->used++;
	}
	conn_step(c, ev);
	if (!ends(ev))
		return 0;
	if (!was_connection(c)) {
		slot_clear(s, i);
		free(c);
		return 0;
	}
	conn_finish(c, ev, out);
	/* The process name must outlive c: the caller copies the event
	 * before the next note (trace.c queues it with its name). */
	slot_clear(s, i);
	memcpy(s->last_process, c->process, sizeof s->last_process);
	if (out->process)
		out->process = s->last_process;
	free(c);
	return 1;
}
