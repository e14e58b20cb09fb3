/* trace_poll.c - the source every OS has: list the sockets at an
 * interval through the handle's backend and diff each listing against
 * the last (trace_diff.c). The first listing only learns what is there.
 * A socket that comes and goes between two listings is never seen; one
 * that passed through states between them gets the way between, marked
 * inferred. OS-free: the backend lists, the platform gives the clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"
#include "trace_internal.h"

struct poll_state {
	sockstate_query q;          /* the listing's query */
	int interval_ms;
	int64_t next_ns;            /* monotonic: when the next listing is due */
	int baseline;               /* the next listing is the first */
	sockstate__diff_table table;
	/* during one listing */
	int64_t wall_ns;
	sockstate__trace_emit_fn emit;
	void *emit_ctx;
	int emitted;
};

static int poll_open(sockstate_handle *h, const sockstate_query *q,
                     const sockstate_trace_options *o, void **state, char *why,
                     size_t why_len)
{
	struct poll_state *p = calloc(1, sizeof *p);

	(void)h;
	if (!p) {
		snprintf(why, why_len, "out of memory");
		return SOCKSTATE_ENOMEM;
	}
	p->q = *q;
	/* Every state is listed, so a socket leaving the asked ones is seen
	 * to leave; the events are filtered afterwards. The owner filter is
	 * left to the events too: a TIME_WAIT socket has no owner, and must
	 * not look closed for it. */
	p->q.states |= SOCKSTATE_STATES_DEFAULT;
	p->q.pid = -1;
	p->interval_ms = (int)(o->interval_ms > 86400000u ? 86400000u : o->interval_ms);
	p->baseline = 1;
	p->next_ns = sockstate__platform_clock_ns(1);
	snprintf(why, why_len, "a listing every %d ms, diffed with the last", p->interval_ms);
	*state = p;
	return 0;
}

static int counted(void *ctx, const sockstate_event *ev)
{
	struct poll_state *p = ctx;

	p->emitted++;
	return p->emit(p->emit_ctx, ev);
}

static int note(const sockstate_socket *s, void *ctx)
{
	struct poll_state *p = ctx;

	return sockstate__diff_note(&p->table, s, p->wall_ns, p->baseline, counted, p);
}

static int listing(struct poll_state *p, sockstate_handle *h)
{
	int rc;

	p->wall_ns = sockstate__platform_clock_ns(0);
	p->emitted = 0;
	rc = sockstate__run(h, &p->q, note, p);
	/* After the first listing every socket was seen: nothing to emit,
	 * only the marks to clear. */
	if (rc == 0)
		rc = sockstate__diff_sweep(&p->table, p->wall_ns, counted, p);
	p->baseline = 0;
	return rc < 0 ? rc : p->emitted;
}

static int poll_timeout_ms(const void *state)
{
	const struct poll_state *p = state;
	int64_t left = p->next_ns - sockstate__platform_clock_ns(1);

	return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

static int poll_read(void *state, sockstate_handle *h, int timeout_ms,
                     sockstate__trace_emit_fn emit, void *ctx)
{
	struct poll_state *p = state;
	int due_ms = poll_timeout_ms(p);
	int64_t now;

	if (due_ms > 0) {
		if (timeout_ms == 0)
			return 0;
		sockstate__platform_sleep_ms(timeout_ms < 0 || due_ms < timeout_ms ? due_ms
		                                                               : timeout_ms);
		if (poll_timeout_ms(p) > 0)
			return 0;
	}
	p->emit = emit;
	p->emit_ctx = ctx;
	now = sockstate__platform_clock_ns(1);
	/* On schedule, unless a reader fell a whole interval behind. */
	p->next_ns += (int64_t)p->interval_ms * 1000000;
	if (p->next_ns < now)
		p->next_ns = now + (int64_t)p->interval_ms * 1000000;
	return listing(p, h);
}

static void poll_close(void *state)
{
	struct poll_state *p = state;

	if (!p)
		return;
	sockstate__diff_free(&p->table);
	free(p);
}

const sockstate__trace_source sockstate__trace_poll_source = {
	.id = SOCKSTATE_TRACE_POLL,
	.open = poll_open,
	.read = poll_read,
	.fd = NULL,
	.timeout_ms = poll_timeout_ms,
	.close = poll_close,
};
