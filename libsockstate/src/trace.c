/* trace.c - the event stream (sockstate_trace_*): picks a source, filters
 * what it hands over by the query, follows connections for their
 * summaries, and queues events for the reader. Sources: the platform's
 * own (trace_internal.h), then the core's poll. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"
#include "trace_internal.h"

/* An event and its process name, which must outlive the source's call. */
struct queued {
	sockstate_event ev;
	char process[64];
};

struct sockstate_trace {
	sockstate_handle *h;
	const sockstate__trace_source *src;
	void *state;
	sockstate_query q;          /* normalized */
	uint32_t flags;             /* SOCKSTATE_TRACE_* */
	sockstate__summaries sums;
	struct queued *queue;       /* a ring of cap entries */
	size_t head, count, cap;
	char process[64];           /* the name of the event last read */
	uint64_t lost;
	char reason[640];
};

SOCKSTATE_API void sockstate_trace_options_init(sockstate_trace_options *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof *o);
	o->size = sizeof *o;
	o->source = SOCKSTATE_TRACE_AUTO;
	o->interval_ms = 1000;
}

/* ---- the queue ---- */

static int queue_push(sockstate_trace *t, const sockstate_event *ev)
{
	struct queued *q;

	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct queued *bigger = malloc(cap * sizeof *bigger);

		if (!bigger)
			return sockstate__fail(t->h, SOCKSTATE_ENOMEM, "out of memory queueing events");
		for (size_t i = 0; i < t->count; i++)
			bigger[i] = t->queue[(t->head + i) % t->cap];
		free(t->queue);
		t->queue = bigger;
		t->cap = cap;
		t->head = 0;
	}
	q = &t->queue[(t->head + t->count) % t->cap];
	q->ev = *ev;
	q->process[0] = '\0';
	if (ev->process) {
		size_t n = strlen(ev->process);

		if (n >= sizeof q->process)
			n = sizeof q->process - 1;
		memcpy(q->process, ev->process, n);
		q->process[n] = '\0';
	}
	t->count++;
	return 0;
}

static void queue_pop(sockstate_trace *t, sockstate_event *ev)
{
	struct queued *q = &t->queue[t->head];

	*ev = q->ev;
	memcpy(t->process, q->process, sizeof t->process);
	ev->process = ev->process ? t->process : NULL;
	ev->netns = sockstate__handle_netns(t->h);
	t->head = (t->head + 1) % t->cap;
	t->count--;
}

/* ---- filtering ---- */

static int state_in(uint32_t mask, uint8_t st)
{
	return st < SOCKSTATE_STATE_COUNT && (mask & SOCKSTATE_STATE_BIT(st));
}

/* The query but its states, on the event's endpoints and owner. */
static int endpoints_match(const sockstate_trace *t, const sockstate_event *ev)
{
	sockstate_socket s;

	sockstate__socket_init(&s);
	s.family = ev->family;
	s.local = ev->local;
	s.remote = ev->remote;
	if (ev->flags & SOCKSTATE_EV_HAS_PID) {
		s.pid = ev->pid;
		s.pids = &ev->pid;
		s.pid_count = 1;
		s.valid |= SOCKSTATE_HAS_PID;
	}
	return sockstate__match(&t->q, &s, SOCKSTATE__F_STATES);
}

static int summary_matches(const sockstate_trace *t, const sockstate_event *sum)
{
	if (state_in(t->q.states, sum->new_state))
		return 1;
	for (uint32_t i = 0; i < sum->path_len; i++)
		if (state_in(t->q.states, sum->path[i].state))
			return 1;
	return 0;
}

/* Where sources hand their events. */
static int take(void *ctx, const sockstate_event *ev)
{
	sockstate_trace *t = ctx;
	sockstate_event sum;
	int rc;

	if (ev->kind == SOCKSTATE_EVENT_LOST) {
		t->lost += ev->lost;
		return queue_push(t, ev);
	}
	if (!endpoints_match(t, ev))
		return 0;
	if (!(t->flags & SOCKSTATE_TRACE_NO_TRANSITIONS) && ev->old_state != ev->new_state &&
	    (state_in(t->q.states, ev->old_state) || state_in(t->q.states, ev->new_state)) &&
	    (rc = queue_push(t, ev)) < 0)
		return rc;
	if (!(t->flags & SOCKSTATE_TRACE_SUMMARIES))
		return 0;
	rc = sockstate__summary_note(&t->sums, ev, &sum);
	if (rc == 1 && summary_matches(t, &sum))
		return queue_push(t, &sum);
	/* A connection the summaries cannot follow costs its summary only. */
	return rc == SOCKSTATE_ENOMEM ? 0 : rc;
}

/* ---- open, read, close ---- */

static int source_try(sockstate_trace *t, const sockstate__trace_source *src,
                      const sockstate_query *q, const sockstate_trace_options *o,
                      char *why, size_t why_len)
{
	why[0] = '\0';
	int rc = src->open(t->h, q, o, &t->state, why, why_len);

	if (rc == 0)
		t->src = src;
	return rc;
}

static void reason_add(char *reason, size_t len, const char *name, const char *why)
{
	size_t used = strlen(reason);

	if (used < len)
		snprintf(reason + used, len - used, "%s%s: %s", used ? "; " : "", name, why);
}

/* The first source that opens (AUTO), or the one asked for. */
static int source_choose(sockstate_trace *t, const sockstate_trace_options *o,
                         const sockstate_query *q)
{
	sockstate_event_source wanted = (sockstate_event_source)o->source;
	const sockstate__trace_source *const *native = sockstate__platform_trace_sources;
	const sockstate__trace_source *all[8];
	char tried[400] = "", why[200];
	size_t n = 0;
	int rc;

	for (; *native && n + 1 < sizeof all / sizeof all[0]; native++)
		all[n++] = *native;
	all[n++] = &sockstate__trace_poll_source;
	for (size_t i = 0; i < n; i++) {
		const char *name = sockstate_event_source_name((sockstate_event_source)all[i]->id);

		if (wanted != SOCKSTATE_TRACE_AUTO && all[i]->id != wanted)
			continue;
		rc = source_try(t, all[i], q, o, why, sizeof why);
		if (rc == 0) {
			if (wanted != SOCKSTATE_TRACE_AUTO)
				snprintf(t->reason, sizeof t->reason, "%s: asked for (%.200s)", name, why);
			else if (tried[0])
				snprintf(t->reason, sizeof t->reason, "%s: %.200s; not %.380s", name, why, tried);
			else
				snprintf(t->reason, sizeof t->reason, "%s: %s", name, why);
			return 0;
		}
		if (wanted != SOCKSTATE_TRACE_AUTO ||
		    (rc != SOCKSTATE_EUNAVAIL && rc != SOCKSTATE_EPERM))
			return sockstate__fail(t->h, rc, "trace source %s: %s", name, why);
		reason_add(tried, sizeof tried, name, why);
	}
	return sockstate__fail(t->h, SOCKSTATE_EUNAVAIL,
	                       "trace source %s is not offered on this OS or in this build",
	                       sockstate_event_source_name(wanted));
}

SOCKSTATE_API int sockstate_trace_open(sockstate_handle *h, const sockstate_query *q,
                                       const sockstate_trace_options *o,
                                       sockstate_trace **out)
{
	sockstate_trace_options opts;
	sockstate_query for_source;
	sockstate_trace *t;
	int rc;

	if (!out)
		return SOCKSTATE_EINVAL;
	*out = NULL;
	if (!h)
		return SOCKSTATE_EINVAL;
	sockstate_trace_options_init(&opts);
	if (o) {
		if (o->size < sizeof *o)
			return sockstate__fail(h, SOCKSTATE_EINVAL, "trace options.size is too small: "
			                       "initialise them with sockstate_trace_options_init()");
		opts = *o;
	}
	if (opts.source > SOCKSTATE_TRACE_POLL)
		return sockstate__fail(h, SOCKSTATE_EINVAL, "unknown trace source %u", opts.source);
	if (opts.flags & ~(uint32_t)(SOCKSTATE_TRACE_SUMMARIES | SOCKSTATE_TRACE_NO_TRANSITIONS))
		return sockstate__fail(h, SOCKSTATE_EINVAL, "unknown trace flags 0x%x", opts.flags);
	if (q && q->size < sizeof *q)
		return sockstate__fail(h, SOCKSTATE_EINVAL, "query.size is too small: "
		                       "initialise it with sockstate_query_init()");
	if (opts.interval_ms == 0)
		opts.interval_ms = 1000;
	t = calloc(1, sizeof *t);
	if (!t)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "out of memory");
	t->h = h;
	t->flags = opts.flags;
	sockstate__query_normalize(q, &t->q);
	/* A source gets every state when summaries want whole paths. */
	for_source = t->q;
	if (opts.flags & SOCKSTATE_TRACE_SUMMARIES)
		for_source.states = SOCKSTATE_STATES_ALL;
	rc = source_choose(t, &opts, &for_source);
	if (rc < 0) {
		free(t);
		return rc;
	}
	*out = t;
	return 0;
}

SOCKSTATE_API int sockstate_trace_read(sockstate_trace *t, sockstate_event *ev,
                                       int timeout_ms)
{
	int64_t deadline;

	if (!ev)
		return SOCKSTATE_EINVAL;
	memset(ev, 0, sizeof *ev);
	if (!t)
		return SOCKSTATE_EINVAL;
	deadline = sockstate__platform_clock_ns(1) + (int64_t)timeout_ms * 1000000;
	for (;;) {
		int64_t left_ns = deadline - sockstate__platform_clock_ns(1);
		int left_ms, rc;

		if (t->count) {
			queue_pop(t, ev);
			return 1;
		}
		left_ms = timeout_ms < 0 ? -1 : left_ns <= 0 ? 0 : (int)((left_ns + 999999) / 1000000);
		rc = t->src->read(t->state, t->h, left_ms, take, t);
		if (rc < 0)
			return rc;
		/* rc > 0 with nothing queued: all filtered out; more may be
		 * ready. */
		if (!t->count && rc == 0 && left_ms == 0)
			return 0;
	}
}

SOCKSTATE_API int sockstate_trace_fd(const sockstate_trace *t)
{
	return t && t->src->fd ? t->src->fd(t->state) : -1;
}

SOCKSTATE_API int sockstate_trace_timeout_ms(const sockstate_trace *t)
{
	if (!t)
		return -1;
	if (t->count)
		return 0;
	return t->src->timeout_ms ? t->src->timeout_ms(t->state) : -1;
}

SOCKSTATE_API const char *sockstate_trace_source(const sockstate_trace *t)
{
	return t ? sockstate_event_source_name((sockstate_event_source)t->src->id) : NULL;
}

SOCKSTATE_API const char *sockstate_trace_source_reason(const sockstate_trace *t)
{
	return t ? t->reason : "";
}

SOCKSTATE_API uint64_t sockstate_trace_lost(const sockstate_trace *t)
{
	return t ? t->lost : 0;
}

SOCKSTATE_API void sockstate_trace_close(sockstate_trace *t)
{
	if (!t)
		return;
	t->src->close(t->state);
	sockstate__summaries_free(&t->sums);
	free(t->queue);
	free(t);
}
