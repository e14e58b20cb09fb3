/* handle.c - the library context: backend choice, the run of one query
 * (enumerate, join owners built beside the walk, filter the rest),
 * streaming and counts. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_internal.h"

#ifndef SOCKSTATE_VERSION_STRING
#define SOCKSTATE_VERSION_STRING "0.0.0"
#endif

struct sockstate_handle {
	const sockstate__backend *backend;
	void *backend_state;
	sockstate__owners *owners;     /* reused across runs */
	const char *last_pid_source;   /* static, or NULL */
	char pid_source_reason[256];
	sockstate__platform_slot platform;
	char pid_source_option[16];
	char *capture_dir;
	char *netns;                   /* the netns option, or NULL */
	sockstate_threads threads;     /* the threads option */
	char detail[512];
};

static _Thread_local char open_error[512];
/* Where this thread's sockstate__fail details go instead (a task beside
 * the caller: sockstate__fail_redirect). */
static _Thread_local char *fail_redirect;
static _Thread_local size_t fail_redirect_len;

SOCKSTATE_API const char *sockstate_version(void)
{
	return SOCKSTATE_VERSION_STRING;
}

int sockstate__fail(sockstate_handle *h, int code, const char *fmt, ...)
{
	va_list ap;
	char *dst = h ? h->detail : open_error;
	size_t len = h ? sizeof h->detail : sizeof open_error;

	if (fail_redirect) {
		dst = fail_redirect;
		len = fail_redirect_len;
	}

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
	return code;
}

void sockstate__fail_redirect(char *buf, size_t len)
{
	fail_redirect = buf;
	fail_redirect_len = buf ? len : 0;
}

const char *sockstate__fail_last(const sockstate_handle *h)
{
	if (fail_redirect)
		return fail_redirect;
	return h ? h->detail : open_error;
}

const char *sockstate__handle_pid_source_option(const sockstate_handle *h)
{
	return h->pid_source_option;
}

void sockstate__set_pid_source_reason(sockstate_handle *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->pid_source_reason, sizeof h->pid_source_reason, fmt, ap);
	va_end(ap);
}

sockstate__platform_slot *sockstate__handle_platform_slot(sockstate_handle *h)
{
	return &h->platform;
}

const char *sockstate__handle_capture_dir(const sockstate_handle *h)
{
	return h->capture_dir;
}

const char *sockstate__handle_netns(const sockstate_handle *h)
{
	return h->netns;
}

const sockstate__backend *sockstate__handle_backend(const sockstate_handle *h)
{
	return h ? h->backend : NULL;
}

sockstate_threads sockstate__handle_threads(const sockstate_handle *h)
{
	if (sockstate__platform_forked_from_threads())
		return SOCKSTATE_THREADS_NEVER;
	return h->threads;
}

/* Options appended after the first release: read only what the caller's
 * struct holds. */
#define OPTION_GIVEN(opts, field) \
	((opts) && (opts)->size >= offsetof(sockstate_options, field) + sizeof (opts)->field)

const sockstate__owners *sockstate__handle_owners(const sockstate_handle *h)
{
	return h->last_pid_source ? h->owners : NULL;
}

const char *sockstate__handle_last_pid_source(const sockstate_handle *h)
{
	return h->last_pid_source;
}

void sockstate__socket_init(sockstate_socket *s)
{
	memset(s, 0, sizeof *s);
	s->size = sizeof *s;
	s->pid = -1;
	s->uid = -1;
}

SOCKSTATE_API const char *const *sockstate_backends(void)
{
	enum { MAX_BACKENDS = 8, EMPTY, FILLING, READY };
	static const char *names[MAX_BACKENDS + 1];
	static atomic_int state = EMPTY;
	int expected = EMPTY;

	/* Filled once: two threads writing the array at the same time is a
	 * data race even when they write the same values. The loser of the
	 * exchange waits for the winner's few stores. */
	if (atomic_load_explicit(&state, memory_order_acquire) == READY)
		return names;
	if (atomic_compare_exchange_strong(&state, &expected, FILLING)) {
		size_t n = 0;
		for (; sockstate__platform_backends[n] && n < MAX_BACKENDS; n++)
			names[n] = sockstate__platform_backends[n]->name;
		names[n] = NULL;
		atomic_store_explicit(&state, READY, memory_order_release);
	}
	while (atomic_load_explicit(&state, memory_order_acquire) != READY)
		;
	return names;
}

SOCKSTATE_API const char *sockstate_open_error(void)
{
	return open_error;
}

static int pid_source_option_check(const char *pid_source)
{
	if (!pid_source || !strcmp(pid_source, "auto"))
		return 0;
	return sockstate__platform_pid_source_check(pid_source);
}

static int backend_try(sockstate_handle *h, const sockstate__backend *b)
{
	void *state = NULL;
	int rc = b->open(h, &state);

	if (rc < 0)
		return rc;
	h->backend = b;
	h->backend_state = state;
	return 0;
}

static int backend_choose(sockstate_handle *h, const char *wanted)
{
	const sockstate__backend *const *b = sockstate__platform_backends;
	int rc = SOCKSTATE_EUNAVAIL;
	int any = !wanted || !strcmp(wanted, "auto");

	for (; *b; b++) {
		if (!any && strcmp((*b)->name, wanted))
			continue;
		if (h->netns && !(*b)->netns_list) {
			rc = sockstate__fail(h, SOCKSTATE_ENOTSUP,
			                     "backend %s cannot enter a network namespace",
			                     (*b)->name);
			if (!any)
				break;
			continue;
		}
		rc = backend_try(h, *b);
		if (rc == 0)
			return 0;
		if (!any || rc != SOCKSTATE_EUNAVAIL)
			break;
	}
	if (!any && !*b)
		return sockstate__fail(NULL, SOCKSTATE_EINVAL,
		                       "unknown backend '%s' for this build", wanted);
	return sockstate__fail(NULL, rc, "%s", h->detail[0] ? h->detail
	                       : "no backend works here");
}

SOCKSTATE_API int sockstate_open(sockstate_handle **out, const sockstate_options *opts)
{
	sockstate_handle *h;
	const char *pid_source = opts ? opts->pid_source : NULL;
	int rc;

	open_error[0] = '\0';
	if (!out)
		return sockstate__fail(NULL, SOCKSTATE_EINVAL, "no place for the handle");
	*out = NULL;
	if (opts && opts->size < offsetof(sockstate_options, capture_dir))
		return sockstate__fail(NULL, SOCKSTATE_EINVAL, "options.size is too small");
	rc = pid_source_option_check(pid_source);
	if (rc < 0)
		return rc;
	if (OPTION_GIVEN(opts, threads) && opts->threads > SOCKSTATE_THREADS_ALWAYS)
		return sockstate__fail(NULL, SOCKSTATE_EINVAL, "options.threads %u is not 0 "
		                       "(auto), 1 (never) or 2 (always)", (unsigned)opts->threads);
	h = calloc(1, sizeof *h);
	if (!h)
		return sockstate__fail(NULL, SOCKSTATE_ENOMEM, "out of memory");
	snprintf(h->pid_source_option, sizeof h->pid_source_option, "%s",
	         pid_source ? pid_source : "auto");
	if (OPTION_GIVEN(opts, capture_dir) && opts->capture_dir) {
		h->capture_dir = strdup(opts->capture_dir);
		if (!h->capture_dir) {
			sockstate_close(h);
			return sockstate__fail(NULL, SOCKSTATE_ENOMEM, "out of memory");
		}
	}
	if (OPTION_GIVEN(opts, threads))
		h->threads = (sockstate_threads)opts->threads;
	if (OPTION_GIVEN(opts, netns) && opts->netns) {
		h->netns = strdup(opts->netns);
		if (!h->netns) {
			sockstate_close(h);
			return sockstate__fail(NULL, SOCKSTATE_ENOMEM, "out of memory");
		}
	}
	h->owners = sockstate__owners_new();
	if (!h->owners) {
		sockstate_close(h);
		return sockstate__fail(NULL, SOCKSTATE_ENOMEM, "out of memory");
	}
	rc = backend_choose(h, opts ? opts->backend : NULL);
	if (rc < 0) {
		sockstate_close(h);
		return rc;
	}
	h->detail[0] = '\0';
	*out = h;
	return 0;
}

SOCKSTATE_API void sockstate_close(sockstate_handle *h)
{
	if (!h)
		return;
	if (h->backend)
		h->backend->close(h->backend_state);
	if (h->platform.release)
		h->platform.release(h->platform.state);
	sockstate__owners_free(h->owners);
	free(h->capture_dir);
	free(h->netns);
	free(h);
}

SOCKSTATE_API const char *sockstate_backend(const sockstate_handle *h)
{
	return h && h->backend ? h->backend->name : NULL;
}

SOCKSTATE_API const char *sockstate_pid_source(const sockstate_handle *h)
{
	return h ? h->last_pid_source : NULL;
}

SOCKSTATE_API const char *sockstate_pid_source_reason(const sockstate_handle *h)
{
	return h ? h->pid_source_reason : "";
}

SOCKSTATE_API const char *sockstate_errdetail(const sockstate_handle *h)
{
	return h ? h->detail : open_error;
}

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
 * in the caller's thread, in the backend's order. The price is memory:
 * the held records (about 170 bytes each) for the length of the query.
 * A consumer that keeps every record anyway (a snapshot) holds them
 * itself and joins them in place (sockstate__run_keep), so nothing is
 * copied twice. */

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
 * them back to the system as soon as they are replayed. */
enum { HELD_PER_CHUNK = 1024 };

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
};

static int held_emit(void *emit_ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct held *held = emit_ctx;
	struct held_chunk *c = held->tail;

	s->netns = held->run->netns;
	if (!sockstate__match(&held->before_join, s, held->run->plan->pushed))
		return 0;
	if (held->run->keep)
		return held->run->keep(held->run->keep_ctx, s, owner_key);
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
		free(c);
	}
	return rc;
}

static void held_free(struct held *held)
{
	while (held->head) {
		struct held_chunk *c = held->head;

		held->head = c->next;
		free(c);
	}
	held->tail = NULL;
}

static int run_with_owners(sockstate_handle *h, struct run *run, sockstate__plan *plan)
{
	struct owners_job job = {.h = h};
	struct held held = {.h = h, .run = run, .before_join = *run->q};
	sockstate__task *task;
	int rc;

	/* A pid filter keeps few records, and only the map can tell which:
	 * holding every other record for it would cost the whole table. So
	 * then, as where no thread may be started or none is to be had, the
	 * map first, then the walk streams. */
	if (run->q->pid >= 0 || sockstate__handle_threads(h) == SOCKSTATE_THREADS_NEVER ||
	    sockstate__platform_task_start(&task, owners_job_run, &job) < 0) {
		rc = owners_load(h);
		if (rc < 0)
			return rc;
		return h->backend->enumerate(h->backend_state, h, plan, run_emit, run);
	}
	held.before_join.pid = -1;
	plan->cpus_busy = 1;
	rc = h->backend->enumerate(h->backend_state, h, plan, held_emit, &held);
	sockstate__platform_task_join(task);
	/* The map's failure first, as when it was built before the walk. */
	if (job.rc < 0) {
		snprintf(h->detail, sizeof h->detail, "%s", job.detail);
		rc = job.rc;
	} else if (rc == 0 && run->keep) {
		*run->join_later = 1;
	} else if (rc == 0) {
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

/* ---- counts ---- */

SOCKSTATE_API void sockstate_counts_add(sockstate_counts *c, const sockstate_socket *s)
{
	unsigned state = s->state < SOCKSTATE_STATE_COUNT ? s->state : SOCKSTATE_UNKNOWN;

	c->total++;
	c->by_state[state]++;
	if (s->family == SOCKSTATE_FAMILY_IPV4 || s->family == SOCKSTATE_FAMILY_IPV6)
		c->by_family_state[s->family - 1][state]++;
	/* A listener's queues are its accept backlog and limit, not bytes. */
	if ((s->valid & SOCKSTATE_HAS_QUEUES) && s->state != SOCKSTATE_LISTEN) {
		c->rx_queue_total += s->rx_queue;
		c->tx_queue_total += s->tx_queue;
	}
}

static int count_one(const sockstate_socket *s, void *ctx)
{
	sockstate_counts_add(ctx, s);
	return 0;
}

SOCKSTATE_API int sockstate_count(sockstate_handle *h, const sockstate_query *q,
                                  sockstate_counts *out)
{
	sockstate_counts c;
	int rc;

	if (!out)
		return SOCKSTATE_EINVAL;
	memset(out, 0, sizeof *out);
	memset(&c, 0, sizeof c);
	c.size = sizeof c;
	rc = sockstate__run(h, q, count_one, &c);
	if (rc == 0)
		*out = c;
	return rc;
}

/* ---- machine facts ---- */

SOCKSTATE_API int sockstate_sysinfo_get(sockstate_sysinfo *out)
{
	if (!out)
		return SOCKSTATE_EINVAL;
	memset(out, 0, sizeof *out);
	sockstate__platform_sysinfo(out);
	out->taken_at = (int64_t)time(NULL);
	return 0;
}
