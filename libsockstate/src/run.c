/* run.c - the run of one query, the data flow docs/ARCHITECTURE.md
 * draws: plan what the backend filters itself, enumerate, join each
 * record to its owners (the owner map built beside the walk, records
 * held until it is ready), apply what the backend did not filter, hand
 * each record to the consumer (a callback, a snapshot, counts, groups, a
 * wait check). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handle_internal.h"

/* ---- one run ---- */

struct run {
	const sockstate_query *q;
	const sockstate__plan *plan;
	const sockstate__owners *owners; /* NULL when pids not asked */
	sockstate_socket_cb cb;
	void *ctx;
	const char *netns;               /* the label records carry */
	sockstate__keep_fn keep;         /* a consumer that keeps records
	                                    itself (sockstate__run_keep) */
	void *keep_ctx;
	int *join_later;
};

static void owners_join(const sockstate__owners *m, sockstate_socket *s,
                        uint64_t owner_key)
{
	if (!(s->valid & SOCKSTATE_HAS_PID) && owner_key) {
		uint32_t n = 0;
		const int32_t *pids = sockstate__owners_find(m, owner_key, &n);

		if (n) {
			s->pid = pids[0];
			s->pids = pids;
			s->pid_count = n;
			s->valid |= SOCKSTATE_HAS_PID;
		}
	}
	if ((s->valid & SOCKSTATE_HAS_PID) && !(s->valid & SOCKSTATE_HAS_PROCESS)) {
		s->process = sockstate__owners_pid_name(m, s->pid);
		if (s->process)
			s->valid |= SOCKSTATE_HAS_PROCESS;
	}
}

static int run_emit(void *emit_ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct run *run = emit_ctx;

	if (run->owners)
		owners_join(run->owners, s, owner_key);
	s->netns = run->netns;
	if (!sockstate__match(run->q, s, run->plan->pushed))
		return 0;
	return run->cb(s, run->ctx);
}

static int owners_load(sockstate_handle *h)
{
	const char *source = NULL;
	int rc;

	sockstate__owners_reset(h->owners);
	if (!h->backend->owners)
		return sockstate__fail(h, SOCKSTATE_ENOTSUP,
		                       "backend %s cannot map sockets to processes",
		                       h->backend->name);
	rc = h->backend->owners(h->backend_state, h, h->owners, &source);
	if (rc < 0)
		return rc;
	h->last_pid_source = source;
	return 0;
}

/* ---- the owner map beside the walk ----
 *
 * Mapping sockets to processes (a /proc/[pid]/fd walk or the BPF
 * iterator) takes about as long as the walk of the socket table, and the
 * two do not depend on each other until a record is joined to its owner.
 * So, where the platform gives a thread, the map is built on one while
 * the backend walks: records the query keeps are held, with their owner
 * keys, until the map is ready, then joined and handed to the callback
 * in the caller's thread, in the backend's order. The price is memory,
 * about 170 bytes a held record, so the hold is bounded: at HOLD_MAX
 * records the walk waits for the map (the backend's socket or file
 * simply is not read meanwhile), the held records are replayed and the
 * rest streams. A table the backend expects to be bigger than the hold
 * gets its map first, so that its walk may use every CPU (a split dump).
 * A consumer that keeps every record anyway (a snapshot) holds them
 * itself and joins them in place (sockstate__run_keep), so nothing is
 * copied twice and nothing is bounded. */

/* sockstate__match skipping every filter but the pid one, which needs
 * the join. */
#define ONLY_PID_FILTER (SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY | SOCKSTATE__F_PORTS | \
                         SOCKSTATE__F_ADDRS | SOCKSTATE__F_UID)

struct owners_job {
	sockstate_handle *h;
	int rc;
	char detail[512];              /* its error, kept off the handle's */
};

static void owners_job_run(void *arg)
{
	struct owners_job *job = arg;

	sockstate__fail_redirect(job->detail, sizeof job->detail);
	job->rc = owners_load(job->h);
	sockstate__fail_redirect(NULL, 0);
}

/* Chunks of about 170 KiB: big enough that malloc maps them and gives
 * them back to the system as soon as they are replayed. At most
 * HOLD_CHUNKS of them (about 11 MiB) wait for the map. */
enum { HELD_PER_CHUNK = 1024, HOLD_CHUNKS = 64 };
#define HOLD_MAX ((size_t)HELD_PER_CHUNK * HOLD_CHUNKS)

struct held_chunk {
	struct held_chunk *next;
	size_t n;
	uint64_t owner_key[HELD_PER_CHUNK];
	sockstate_socket rec[HELD_PER_CHUNK];
};

/* Held in chunks here, or by a consumer that keeps them anyway. */
struct held {
	sockstate_handle *h;
	struct run *run;
	sockstate_query before_join;   /* run->q but its pid filter */
	struct held_chunk *head, *tail;
	size_t count;                  /* records held now */
	sockstate__task *task;         /* the map's, until joined */
	struct owners_job job;
	int map_ready;                 /* joined: the rest streams */
};

/* Wait for the map. Its failure is the query's error (as when it was
 * built before the walk): returned, with its detail on the handle. */
static int held_join(struct held *held)
{
	sockstate__platform_task_join(held->task);
	held->task = NULL;
	held->map_ready = 1;
	if (held->job.rc < 0) {
		snprintf(held->h->detail, sizeof held->h->detail, "%s", held->job.detail);
		return held->job.rc;
	}
	return 0;
}

/* Join, check the pid filter, hand over; each chunk is freed once done. */
static int held_replay(struct held *held)
{
	const struct run *run = held->run;
	int rc = 0;

	while (held->head && rc == 0) {
		struct held_chunk *c = held->head;

		for (size_t i = 0; i < c->n && rc == 0; i++) {
			sockstate_socket *s = &c->rec[i];

			owners_join(run->owners, s, c->owner_key[i]);
			if (sockstate__match(run->q, s, ONLY_PID_FILTER))
				rc = run->cb(s, run->ctx);
		}
		held->head = c->next;
		held->count -= c->n;
		free(c);
	}
	if (!held->head)
		held->tail = NULL;
	return rc;
}

static int held_emit(void *emit_ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct held *held = emit_ctx;
	struct held_chunk *c = held->tail;
	int rc;

	if (held->map_ready)
		return run_emit(held->run, s, owner_key);
	s->netns = held->run->netns;
	if (!sockstate__match(&held->before_join, s, held->run->plan->pushed))
		return 0;
	if (held->run->keep)
		return held->run->keep(held->run->keep_ctx, s, owner_key);
	if (held->count == HOLD_MAX) {
		/* Held enough: wait for the map, then stream. */
		if ((rc = held_join(held)) != 0 || (rc = held_replay(held)) != 0)
			return rc;
		return run_emit(held->run, s, owner_key);
	}
	if (!c || c->n == HELD_PER_CHUNK) {
		c = malloc(sizeof *c);
		if (!c)
			return sockstate__fail(held->h, SOCKSTATE_ENOMEM,
			                       "out of memory holding records for the owner map");
		c->next = NULL;
		c->n = 0;
		if (held->tail)
			held->tail->next = c;
		else
			held->head = c;
		held->tail = c;
	}
	c->owner_key[c->n] = owner_key;
	c->rec[c->n++] = *s;
	held->count++;
	return 0;
}

static void held_free(struct held *held)
{
	while (held->head) {
		struct held_chunk *c = held->head;

		held->head = c->next;
		free(c);
	}
	held->tail = NULL;
	held->count = 0;
}

/* Whether the backend expects this handle's whole walk to hold more
 * records than the hold may keep (then the map comes first). */
static int table_outgrows_hold(const sockstate_handle *h)
{
	return h->backend->population &&
	       h->backend->population(h->backend_state) > HOLD_MAX;
}

static int run_with_owners(sockstate_handle *h, struct run *run, sockstate__plan *plan)
{
	struct held held = {.h = h, .run = run, .before_join = *run->q};
	int rc, map_rc;

	held.job.h = h;
	/* A pid filter keeps few records, and only the map can tell which:
	 * holding every other record for it would cost the whole table. So
	 * then, as for a table bigger than the hold, or where there is no
	 * thread, the map first, then the walk streams. */
	if (run->q->pid >= 0 || (!run->keep && table_outgrows_hold(h)) ||
	    sockstate__platform_task_start(&held.task, owners_job_run, &held.job) < 0) {
		rc = owners_load(h);
		if (rc < 0)
			return rc;
		return h->backend->enumerate(h->backend_state, h, plan, run_emit, run);
	}
	held.before_join.pid = -1;
	plan->cpus_busy = 1;
	rc = h->backend->enumerate(h->backend_state, h, plan, held_emit, &held);
	if (!held.map_ready) {
		map_rc = held_join(&held);
		if (map_rc < 0)
			rc = map_rc;
		else if (rc == 0 && run->keep)
			*run->join_later = 1;
		else if (rc == 0)
			rc = held_replay(&held);
	}
	held_free(&held);
	return rc;
}

static int keep_joined(const sockstate_socket *s, void *ctx)
{
	const struct run *run = ctx;

	return run->keep(run->keep_ctx, s, 0);
}

/* sockstate__run, or sockstate__run_keep when keep is set. */
static int run_query(sockstate_handle *h, const sockstate_query *q_in,
                     sockstate_socket_cb cb, void *ctx,
                     sockstate__keep_fn keep, void *keep_ctx, int *join_later)
{
	sockstate_query q;
	sockstate__plan plan;
	struct run run;

	if (!h || !(cb || keep))
		return SOCKSTATE_EINVAL;
	if (q_in && q_in->size < sizeof *q_in)
		return sockstate__fail(h, SOCKSTATE_EINVAL, "query.size is too small: "
		                       "initialise it with sockstate_query_init()");
	h->detail[0] = '\0';
	sockstate__query_normalize(q_in, &q);
	h->last_pid_source = NULL;
	h->pid_source_reason[0] = '\0';
	plan = (sockstate__plan){
		.q = &q,
		.states = q.states,
		.may_push = !(q.flags & SOCKSTATE_Q_NO_PUSHDOWN),
		.want_tcp_info = !!(q.flags & SOCKSTATE_Q_TCP_INFO),
	};
	run = (struct run){
		.q = &q, .plan = &plan, .cb = cb, .ctx = ctx,
		.owners = (q.flags & SOCKSTATE_Q_PIDS) ? h->owners : NULL,
		.netns = h->netns,
		.keep = keep, .keep_ctx = keep_ctx, .join_later = join_later,
	};
	if (keep) {
		*join_later = 0;
		run.cb = keep_joined;
		run.ctx = &run;
	}
	if (q.flags & SOCKSTATE_Q_PIDS)
		return run_with_owners(h, &run, &plan);
	return h->backend->enumerate(h->backend_state, h, &plan, run_emit, &run);
}

int sockstate__run(sockstate_handle *h, const sockstate_query *q,
                   sockstate_socket_cb cb, void *ctx)
{
	if (!cb)
		return SOCKSTATE_EINVAL;
	return run_query(h, q, cb, ctx, NULL, NULL, NULL);
}

int sockstate__run_keep(sockstate_handle *h, const sockstate_query *q,
                        sockstate__keep_fn keep, void *ctx, int *join_later)
{
	if (!keep || !join_later)
		return SOCKSTATE_EINVAL;
	return run_query(h, q, NULL, NULL, keep, ctx, join_later);
}

size_t sockstate__join_kept(sockstate_handle *h, const sockstate_query *q,
                            sockstate_socket *recs, const uint64_t *owner_keys, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		owners_join(h->owners, &recs[i], owner_keys ? owner_keys[i] : 0);
		if (q && !sockstate__match(q, &recs[i], ONLY_PID_FILTER))
			continue;
		if (kept != i)
			recs[kept] = recs[i];
		kept++;
	}
	return kept;
}

SOCKSTATE_API int sockstate_foreach(sockstate_handle *h, const sockstate_query *q,
                                    sockstate_socket_cb cb, void *ctx)
{
	return sockstate__run(h, q, cb, ctx);
}

