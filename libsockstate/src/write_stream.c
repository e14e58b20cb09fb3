/* write_stream.c - a socket listing (table, JSON, CSV) written record by
 * record: the streaming writer (sockstate_writer_*), and the snapshot
 * writer, which is the same writer fed a snapshot.
 *
 * Nothing per socket is kept but the counts JSON ends with, except by
 * the table, whose columns fit their content: it measures a look-ahead
 * of up to AHEAD_ROWS records (copied, with their pids and strings,
 * into one fixed block) before its first row. A listing that ends
 * within the look-ahead is measured whole; a longer one gets the room
 * its kinds of values need (sockstate__table_room) and streams. A
 * snapshot is measured whole (its records are in memory anyway). */
#include <stddef.h>
#include <stdlib.h>

#include "core_internal.h"
#include "writer_internal.h"

/* The look-ahead: about 220 KiB, allocated on the table's first record. */
enum { AHEAD_ROWS = 1000, AHEAD_POOL = 64 * 1024 };

struct ahead {
	size_t n;
	size_t pool_len;
	sockstate_socket rec[AHEAD_ROWS];
	char pool[AHEAD_POOL];          /* the records' pids and strings */
};

struct sockstate_writer {
	sockstate__out *out;            /* the writer's own, or the one a
	                                   snapshot is written through */
	sockstate_format format;
	sockstate__listing l;
	sockstate_sysinfo sys;
	const sockstate_tcp_counters *tcp_counters; /* the options' appended */
	const sockstate_diagnosis *diagnosis;       /* members, or NULL */
	uint32_t states;                /* what the queries let through, for
	                                   the table's room; 0: every state */
	int begun;                      /* the head is written (the table:
	                                   its widths are decided) */
	int ended;
	int err;                        /* the sink's first error, sticky */
	uint64_t total;
	uint64_t by_state[SOCKSTATE_STATE_COUNT];
	sockstate__table_widths widths;
	struct ahead *ahead;            /* the table's, until it begins */
};

/* What sockstate_writer_new allocates: the writer and its buffer. */
struct writer_block {
	sockstate_writer w;
	sockstate__out out;
};

static int record_check(const sockstate_socket *s)
{
	return s != NULL && sockstate__family_name(s->family) != NULL &&
	       s->state < SOCKSTATE_STATE_COUNT ? 0 : SOCKSTATE_EINVAL;
}

/* A writer over out, formats table, json or csv. */
static int writer_init(sockstate_writer *w, const sockstate_write_opts *o,
                       const sockstate_sysinfo *sys, sockstate__out *out)
{
	int rc = sockstate__write_opts_check(o);

	if (rc != 0)
		return rc;
	if (o->format == SOCKSTATE_FORMAT_PROMETHEUS)
		return SOCKSTATE_EINVAL;
	memset(w, 0, sizeof *w);
	w->out = out;
	w->format = o->format;
	w->l.flags = o->flags;
	w->l.netns = (o->flags & SOCKSTATE_W_NETNS) != 0;
	w->l.sys = &w->sys;
	if (sys)
		w->sys = *sys;
	else
		sockstate_sysinfo_get(&w->sys);
	sockstate__table_widths_init(&w->widths, o->flags);
	w->tcp_counters = sockstate__write_opts_tcp_counters(o);
	w->diagnosis = sockstate__write_opts_diagnosis(o);
	return 0;
}

/* Write the head: the table's header (its widths now final), JSON's
 * keys up to "sockets":[, CSV's header row. first: the first record, or
 * NULL at the end of an empty listing. */
static void begin(sockstate_writer *w, const sockstate_socket *first)
{
	w->begun = 1;
	if (first && first->netns)
		w->l.netns = 1;
	switch (w->format) {
	case SOCKSTATE_FORMAT_TABLE:
		if (!(w->l.flags & SOCKSTATE_W_NO_HEADER))
			sockstate__table_header(w->out, &w->widths, &w->l);
		break;
	case SOCKSTATE_FORMAT_JSON:
		sockstate__json_listing_begin(w->out, &w->l);
		break;
	default:
		sockstate__csv_listing_header(w->out, &w->l);
		break;
	}
}

static void put_record(sockstate_writer *w, const sockstate_socket *s)
{
	switch (w->format) {
	case SOCKSTATE_FORMAT_TABLE:
		sockstate__table_row(w->out, s, &w->widths, &w->l);
		break;
	case SOCKSTATE_FORMAT_JSON:
		sockstate__json_listing_socket(w->out, s, w->total == 1, &w->l);
		break;
	default:
		sockstate__csv_listing_socket(w->out, s, &w->l);
		break;
	}
}

/* ---- the table's look-ahead ---- */

static void *pool_take(struct ahead *a, const void *src, size_t len)
{
	char *p;

	a->pool_len = (a->pool_len + 7u) & ~(size_t)7u;
	if (len > AHEAD_POOL - a->pool_len)
		return NULL;
	p = a->pool + a->pool_len;
	memcpy(p, src, len);
	a->pool_len += len;
	return p;
}

/* Copy s, its pids and strings into the look-ahead; 0, or -1 when it
 * is full (nothing taken). */
static int ahead_hold(struct ahead *a, const sockstate_socket *s)
{
	size_t mark = a->pool_len;
	sockstate_socket *r;

	if (a->n == AHEAD_ROWS)
		return -1;
	r = &a->rec[a->n];
	*r = *s;
	if (s->pids && s->pid_count &&
	    !(r->pids = pool_take(a, s->pids, s->pid_count * sizeof *s->pids)))
		goto full;
	if (s->process && !(r->process = pool_take(a, s->process, strlen(s->process) + 1)))
		goto full;
	if (s->netns && !(r->netns = pool_take(a, s->netns, strlen(s->netns) + 1)))
		goto full;
	a->n++;
	return 0;
full:
	a->pool_len = mark;
	return -1;
}

/* Decide the table's widths (whole: every row was measured; else room
 * for the rest) and write what the look-ahead held. */
static void ahead_flush(sockstate_writer *w, int whole)
{
	struct ahead *a = w->ahead;

	if (!whole)
		sockstate__table_room(&w->widths, w->states ? w->states : SOCKSTATE_STATES_ALL);
	for (size_t i = 0; a && i < a->n; i++)
		if (a->rec[i].netns)
			w->l.netns = 1;
	begin(w, NULL);
	for (size_t i = 0; a && i < a->n && w->out->err == 0; i++)
		sockstate__table_row(w->out, &a->rec[i], &w->widths, &w->l);
	free(a);
	w->ahead = NULL;
}

/* ---- the writer ---- */

SOCKSTATE_API int sockstate_writer_new(const sockstate_write_opts *o,
                                       const sockstate_sysinfo *sys,
                                       sockstate_write_fn fn, void *ctx,
                                       sockstate_writer **out)
{
	struct writer_block *b;
	int rc;

	if (!out)
		return SOCKSTATE_EINVAL;
	*out = NULL;
	if (!fn)
		return SOCKSTATE_EINVAL;
	b = malloc(sizeof *b);
	if (!b)
		return SOCKSTATE_ENOMEM;
	rc = writer_init(&b->w, o, sys, &b->out);
	if (rc != 0) {
		free(b);
		return rc;
	}
	sockstate__out_init(&b->out, fn, ctx);
	*out = &b->w;
	return 0;
}

SOCKSTATE_API void sockstate_writer_free(sockstate_writer *w)
{
	if (!w)
		return;
	free(w->ahead);
	free((struct writer_block *)(void *)w);
}

SOCKSTATE_API int sockstate_writer_source(sockstate_writer *w, const char *backend,
                                          const char *pid_source, uint32_t query_flags,
                                          uint64_t owners_unreadable)
{
	if (!w)
		return SOCKSTATE_EINVAL;
	/* Written after the sockets: it adds up to the end. */
	w->l.owners_unreadable += owners_unreadable;
	if (w->begun)
		return 0;
	if (!w->l.backend)
		w->l.backend = backend;
	if (!w->l.pid_source)
		w->l.pid_source = pid_source;
	if (query_flags & SOCKSTATE_Q_PIDS)
		w->l.pids_key = 1;
	return 0;
}

SOCKSTATE_API int sockstate_writer_add(sockstate_writer *w, const sockstate_socket *s)
{
	if (!w || w->ended || record_check(s) != 0)
		return SOCKSTATE_EINVAL;
	if (w->err)
		return w->err;
	w->total++;
	w->by_state[s->state]++;
	if (!w->begun && w->format == SOCKSTATE_FORMAT_TABLE) {
		if (!w->ahead) {
			if (!(w->ahead = malloc(sizeof *w->ahead))) {
				w->total--;
				w->by_state[s->state]--;
				return SOCKSTATE_ENOMEM;
			}
			w->ahead->n = w->ahead->pool_len = 0;
		}
		sockstate__table_measure(&w->widths, s);
		if (ahead_hold(w->ahead, s) == 0)
			return 0;
		ahead_flush(w, 0);
	} else if (!w->begun) {
		begin(w, s);
	}
	put_record(w, s);
	return w->err = w->out->err;
}

SOCKSTATE_API uint64_t sockstate_writer_count(const sockstate_writer *w)
{
	return w ? w->total : 0;
}

SOCKSTATE_API int sockstate_writer_end(sockstate_writer *w)
{
	if (!w || w->ended)
		return SOCKSTATE_EINVAL;
	w->ended = 1;
	if (w->err)
		return w->err;
	if (!w->begun && w->format == SOCKSTATE_FORMAT_TABLE)
		ahead_flush(w, 1);
	else if (!w->begun)
		begin(w, NULL);
	if (w->format == SOCKSTATE_FORMAT_JSON) {
		sockstate__json_listing_end(w->out, &w->l, w->total, w->by_state);
		sockstate__write_json_extras(w->out, w->tcp_counters, w->diagnosis);
	}
	return w->err = sockstate__out_finish(w->out);
}

/* ---- filled by a query ---- */

struct fill {
	sockstate_writer *w;
	sockstate_handle *h;
	int wants_pids;
	int rc;
};

static int fill_one(const sockstate_socket *s, void *ctx)
{
	struct fill *f = ctx;

	/* The owner map is ready before the first record arrives. */
	if (f->wants_pids)
		sockstate_writer_source(f->w, NULL, sockstate_pid_source(f->h), 0, 0);
	f->rc = sockstate_writer_add(f->w, s);
	return f->rc < 0;
}

SOCKSTATE_API int sockstate_writer_fill(sockstate_writer *w, sockstate_handle *h,
                                        const sockstate_query *q)
{
	sockstate_query nq;
	struct fill f = {w, h, 0, 0};
	int rc;

	if (!w || !h || w->ended)
		return SOCKSTATE_EINVAL;
	if (q && q->size < sizeof *q)
		return sockstate__fail(h, SOCKSTATE_EINVAL, "query.size is too small: "
		                       "initialise it with sockstate_query_init()");
	sockstate__query_normalize(q, &nq);
	f.wants_pids = (nq.flags & SOCKSTATE_Q_PIDS) != 0;
	w->states |= nq.states;
	sockstate_writer_source(w, sockstate_backend(h), NULL, nq.flags, 0);
	rc = sockstate_foreach(h, q, fill_one, &f);
	if (rc > 0)
		rc = f.rc;
	if (rc == 0 && f.wants_pids)
		sockstate_writer_source(w, NULL, sockstate_pid_source(h), 0,
		                        sockstate_owners_unreadable(h, NULL));
	return rc;
}

/* ---- a snapshot, through the same writer ---- */

/* A snapshot's size before 0.2 appended fields: still accepted, the
 * appended fields then read as unknown (write_fields.c). */
#define SNAPSHOT_SIZE_0_1 offsetof(sockstate_snapshot, states)

/* Every record must name a family and a state we can print, so a
 * malformed snapshot is refused before a byte is written. */
static int snapshot_check(const sockstate_snapshot *snap)
{
	if (snap == NULL || snap->size < SNAPSHOT_SIZE_0_1 ||
	    (snap->count > 0 && snap->sockets == NULL))
		return SOCKSTATE_EINVAL;
	for (size_t i = 0; i < snap->count; i++)
		if (record_check(&snap->sockets[i]) != 0)
			return SOCKSTATE_EINVAL;
	return 0;
}

int sockstate__snapshot_write_out(const sockstate_snapshot *snap,
                                  const sockstate_write_opts *o,
                                  sockstate__out *out)
{
	sockstate_writer w;
	int rc = sockstate__write_opts_check(o);

	if (rc == 0)
		rc = snapshot_check(snap);
	if (rc != 0)
		return rc;
	if (o->format == SOCKSTATE_FORMAT_PROMETHEUS) {
		sockstate__prom_snapshot(out, snap, o->port);
		sockstate__write_prom_extras(out, sockstate__write_opts_tcp_counters(o),
		                             snap->backend);
		return sockstate__out_finish(out);
	}
	rc = writer_init(&w, o, &snap->sys, out);
	if (rc != 0)
		return rc;
	sockstate_writer_source(&w, snap->backend, snap->pid_source, snap->query_flags,
	                        sockstate__snapshot_owners_unreadable(snap));
	if (sockstate__snapshot_has_netns(snap))
		w.l.netns = 1;
	/* The whole table is at hand: measured whole, no look-ahead. */
	if (w.format == SOCKSTATE_FORMAT_TABLE) {
		for (size_t i = 0; i < snap->count; i++)
			sockstate__table_measure(&w.widths, &snap->sockets[i]);
		begin(&w, NULL);
	}
	for (size_t i = 0; i < snap->count && rc == 0; i++)
		rc = sockstate_writer_add(&w, &snap->sockets[i]);
	if (rc != 0)
		return rc;
	return sockstate_writer_end(&w);
}

SOCKSTATE_API int sockstate_snapshot_write(const sockstate_snapshot *snap,
                                           const sockstate_write_opts *o,
                                           sockstate_write_fn fn, void *ctx)
{
	sockstate__out out;

	if (fn == NULL)
		return SOCKSTATE_EINVAL;
	sockstate__out_init(&out, fn, ctx);
	return sockstate__snapshot_write_out(snap, o, &out);
}
