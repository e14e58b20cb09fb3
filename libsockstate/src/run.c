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

/* ---- zone names ---- */

/* The name of interface index in the handle's namespace, or NULL (none,
 * out of memory, or more interfaces in one run than the table holds:
 * then the address shows the index, as for a nameless one). */
static const char *zone_name(sockstate_handle *h, uint32_t index)
{
	struct sockstate__zone_names *z = h->zones;
	char *name;
	int rc;

	if (!z && !(z = h->zones = calloc(1, sizeof *z)))
		return NULL;
	for (size_t i = 0; i < z->n; i++)
		if (z->index[i] == index)
			return z->name[i][0] ? z->name[i] : NULL;
	if (z->n == SOCKSTATE__ZONE_NAMES_MAX)
		return NULL;
	name = z->name[z->n];
	if (h->backend->ifname)
		rc = h->backend->ifname(h->backend_state, index, name, SOCKSTATE__ZONE_NAME_SIZE);
	else if (h->netns)
		rc = -1; /* the caller's namespace would name another interface */
	else
		rc = sockstate__platform_ifname(index, name, SOCKSTATE__ZONE_NAME_SIZE);
	if (rc != 0)
		name[0] = '\0';
	z->index[z->n++] = index;
	return name[0] ? name : NULL;
}

/* A record's zone: its endpoints' scope is one interface. */
static void zone_set(sockstate_handle *h, sockstate_socket *s)
{
	uint32_t index = s->local.scope_id ? s->local.scope_id : s->remote.scope_id;

	s->zone = index ? zone_name(h, index) : NULL;
}

void sockstate__handle_zone_storage(const sockstate_handle *h, const char **names,
                                    size_t *len)
{
	*names = h->zones ? h->zones->name[0] : NULL;
	*len = h->zones ? h->zones->n * SOCKSTATE__ZONE_NAME_SIZE : 0;
}

/* ---- one run ---- */

struct run {
	sockstate_handle *h;
	const sockstate_query *q;
	sockstate_query before_join;     /* q but its pid filter, which needs
	                                    the join */
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

/* Join s to h's owner map. A socket with an owner key (it belongs to a
 * file) but no owner found, while the walk could not read every process,
 * is counted as one whose owner could not be read; TIME_WAIT sockets
 * belong to no file, whatever key a backend gives them. */
static void owners_join(sockstate_handle *h, sockstate_socket *s, uint64_t owner_key)
{
	const sockstate__owners *m = h->owners;

	if (!(s->valid & SOCKSTATE_HAS_PID) && owner_key) {
		uint32_t n = 0;
		const int32_t *pids = sockstate__owners_find(m, owner_key, &n);
		int hidden;

		if (n) {
			s->pid = pids[0];
			s->pids = pids;
			s->pid_count = n;
			s->valid |= SOCKSTATE_HAS_PID;
		} else if (s->state != SOCKSTATE_TIME_WAIT &&
		           (sockstate__owners_unreadable(m, &hidden) || hidden)) {
			h->owners_unreadable++;
		}
	}
	if ((s->valid & SOCKSTATE_HAS_PID) && !(s->valid & SOCKSTATE_HAS_PROCESS)) {
		s->process = sockstate__owners_pid_name(m, s->pid);
		if (s->process)
			s->valid |= SOCKSTATE_HAS_PROCESS;
	}
}

/* sockstate__match skipping every filter but the pid one, which needs
 * the join. */
#define ONLY_PID_FILTER (SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY | SOCKSTATE__F_PORTS | \
                         SOCKSTATE__F_ADDRS | SOCKSTATE__F_UID)

/* Every filter but the pid one first, so that only the records the query
 * keeps are joined (and counted when their owner cannot be read). */
static int run_emit(void *emit_ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct run *run = emit_ctx;

	s->netns = run->netns;
	zone_set(run->h, s);
	if (!sockstate__match(&run->before_join, s, run->plan->pushed))
		return 0;
	if (run->owners) {
		owners_join(run->h, s, owner_key);
		if (!sockstate__match(run->q, s, ONLY_PID_FILTER))
			return 0;
	}
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
 * about 180 bytes a held record, so the hold is bounded: at HOLD_MAX
 * records the walk waits for the map (the backend's socket or file
 * simply is not read meanwhile), the held records are replayed and the
 * rest streams. A table the backend expects to be bigger than the hold
 * gets its map first, so that its walk may use every CPU (a split dump).
 * A consumer that keeps every record anyway (a snapshot) holds them
 * itself and joins them in place (sockstate__run_keep), so nothing is
 * copied twice and nothing is bounded. */

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

/* Chunks of about 180 KiB: big enough that malloc maps them and gives
 * them back to the system as soon as they are replayed. At most
 * HOLD_CHUNKS of them (about 12 MiB) wait for the map. */
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

			owners_join(held->h, s, c->owner_key[i]);
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
	zone_set(held->h, s);
	if (!sockstate__match(&held->run->before_join, s, held->run->plan->pushed))
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
	struct held held = {.h = h, .run = run};
	int rc, map_rc;

	held.job.h = h;
	/* A pid filter keeps few records, and only the map can tell which:
	 * holding every other record for it would cost the whole table. So
	 * then, as for a table bigger than the hold, or where no thread may be
	 * started or none is to be had, the map first, then the walk streams. */
	if (run->q->pid >= 0 || sockstate__handle_threads(h) == SOCKSTATE_THREADS_NEVER ||
	    (!run->keep && table_outgrows_hold(h)) ||
	    sockstate__platform_task_start(&held.task, owners_job_run, &held.job) < 0) {
		rc = owners_load(h);
		if (rc < 0)
			return rc;
		return h->backend->enumerate(h->backend_state, h, plan, run_emit, run);
	}
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
	if (q_in && q_in->size < SOCKSTATE__QUERY_MIN_SIZE)
		return sockstate__fail(h, SOCKSTATE_EINVAL, "query.size is too small: "
		                       "initialise it with sockstate_query_init()");
	h->detail[0] = '\0';
	sockstate__query_normalize(q_in, &q);
	h->last_pid_source = NULL;
	h->pid_source_reason[0] = '\0';
	h->owners_unreadable = 0;
	if (h->zones)
		h->zones->n = 0;
	plan = (sockstate__plan){
		.q = &q,
		.states = q.states,
		.may_push = !(q.flags & SOCKSTATE_Q_NO_PUSHDOWN),
		.want_tcp_info = !!(q.flags & SOCKSTATE_Q_TCP_INFO),
	};
	run = (struct run){
		.h = h, .q = &q, .before_join = q, .plan = &plan, .cb = cb, .ctx = ctx,
		.owners = (q.flags & SOCKSTATE_Q_PIDS) ? h->owners : NULL,
		.netns = h->netns,
		.keep = keep, .keep_ctx = keep_ctx, .join_later = join_later,
	};
	run.before_join.pid = -1;
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
		owners_join(h, &recs[i], owner_keys ? owner_keys[i] : 0);
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

