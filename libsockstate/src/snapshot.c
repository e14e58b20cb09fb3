/* snapshot.c - an owned array of records, one allocation.
 *
 * With pids, records arrive before the owner map is ready (it is built
 * beside the walk: sockstate__run_keep) and are joined in place
 * afterwards, with the owner keys kept in a side array meanwhile.
 *
 * Records are gathered straight into the block that becomes the snapshot:
 * its head is reserved for the snapshot header, the records follow, and
 * the block grows by realloc (which moves pages rather than copying them
 * for large blocks). At the end it is resized once to hold the records'
 * pids and the owner map's names behind the records, and the records'
 * pointers are rebased into it: sockstate_snapshot_free is one free(),
 * and the peak memory of a snapshot is its growth slack, not a second
 * copy.
 *
 * Also here: several snapshots merged into one, sorting, and the machine
 * facts a snapshot carries. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_internal.h"

static size_t align_up(size_t n)
{
	return (n + 15u) & ~(size_t)15u;
}

#define RECORDS_OFFSET align_up(sizeof(sockstate_snapshot))

struct gather {
	char *block;      /* header space, then n records */
	size_t n, cap;    /* records held, records room */
	uint64_t *owner_keys; /* parallel to the records, while they wait
	                         for the owner map (sockstate__run_keep);
	                         NULL until the first key that is not 0 */
};

/* Room for the key of every record the block has room for; the keys
 * before the first one that is not 0 are 0. */
static int gather_keys(struct gather *g)
{
	uint64_t *keys = realloc(g->owner_keys, g->cap * sizeof *keys);

	if (!keys)
		return SOCKSTATE_ENOMEM;
	if (!g->owner_keys)
		memset(keys, 0, g->n * sizeof *keys);
	g->owner_keys = keys;
	return 0;
}

static sockstate_socket *gather_records(const struct gather *g)
{
	return (sockstate_socket *)(void *)(g->block + RECORDS_OFFSET);
}

static int gather_one(void *ctx, const sockstate_socket *s, uint64_t owner_key)
{
	struct gather *g = ctx;

	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 1024;
		char *p = realloc(g->block, RECORDS_OFFSET + ncap * sizeof *s);

		if (!p)
			return SOCKSTATE_ENOMEM;
		g->block = p;
		g->cap = ncap;
		if (g->owner_keys && gather_keys(g) < 0)
			return SOCKSTATE_ENOMEM;
	}
	if (owner_key && !g->owner_keys && gather_keys(g) < 0)
		return SOCKSTATE_ENOMEM;
	if (g->owner_keys)
		g->owner_keys[g->n] = owner_key;
	gather_records(g)[g->n++] = *s;
	return 0;
}

/* p moved from [from, from + len) to to, if it pointed there. */
static const char *rebase(const char *p, const char *from, size_t len, const char *to)
{
	if (p && from && p >= from && p < from + len)
		return to + (p - from);
	return p;
}

/* Resize the gathered block to its final size, with what the records
 * point at behind them: each record's run of pids (a socket of one owner
 * costs 4 bytes), the owner map's pool of process names and the zone
 * names. Returns the snapshot, or NULL (then g->block is still g's to
 * free). */
static sockstate_snapshot *snapshot_pack(struct gather *g, const sockstate_handle *h)
{
	/* Every record of one handle carries the same netns label (or none). */
	const char *netns = sockstate__handle_netns(h);
	const sockstate__owners *owners = sockstate__handle_owners(h);
	size_t netns_size = netns ? strlen(netns) + 1 : 0;
	const char *pool = NULL, *zones = NULL;
	size_t npids = 0, pool_len = 0, zones_len = 0, off_pids, off_pool, total, p = 0;
	const sockstate_socket *gathered = gather_records(g);
	sockstate_snapshot *snap;
	sockstate_socket *recs;
	int32_t *pids;
	char *base, *netns_copy, *zones_copy;

	if (owners)
		sockstate__owners_names(owners, &pool, &pool_len);
	sockstate__handle_zone_storage(h, &zones, &zones_len);
	for (size_t i = 0; i < g->n; i++)
		if (gathered[i].pids)
			npids += gathered[i].pid_count;
	off_pids = RECORDS_OFFSET + align_up(g->n * sizeof(sockstate_socket));
	off_pool = off_pids + align_up(npids * sizeof *pids);
	total = off_pool + pool_len + 1 + netns_size + zones_len;
	base = realloc(g->block, total);
	if (!base)
		return NULL;
	g->block = NULL;
	snap = (sockstate_snapshot *)(void *)base;
	memset(snap, 0, sizeof *snap);
	snap->size = sizeof *snap;
	snap->count = g->n;
	recs = (sockstate_socket *)(void *)(base + RECORDS_OFFSET);
	snap->sockets = recs;
	pids = (int32_t *)(void *)(base + off_pids);
	if (pool_len)
		memcpy(base + off_pool, pool, pool_len);
	base[off_pool + pool_len] = '\0';
	netns_copy = base + off_pool + pool_len + 1;
	if (netns_size)
		memcpy(netns_copy, netns, netns_size);
	zones_copy = netns_copy + netns_size;
	if (zones_len)
		memcpy(zones_copy, zones, zones_len);
	for (size_t i = 0; i < g->n; i++) {
		sockstate_socket *s = &recs[i];

		/* The owner map's runs are still the handle's: copy each. */
		if (s->pids) {
			memcpy(pids + p, s->pids, s->pid_count * sizeof *pids);
			s->pids = pids + p;
			p += s->pid_count;
		}
		s->process = rebase(s->process, pool, pool_len, base + off_pool);
		s->zone = rebase(s->zone, zones, zones_len, zones_copy);
		if (s->netns)
			s->netns = netns_size ? netns_copy : NULL;
	}
	return snap;
}

SOCKSTATE_API int sockstate_snapshot_take(sockstate_handle *h, const sockstate_query *q,
                                          sockstate_snapshot **out)
{
	struct gather g = {0};
	sockstate_snapshot *snap;
	int join_later, rc;

	if (!out)
		return SOCKSTATE_EINVAL;
	*out = NULL;
	rc = sockstate__run_keep(h, q, gather_one, &g, &join_later);
	if (rc == 0 && join_later && g.n) {
		sockstate_query nq;

		sockstate__query_normalize(q, &nq);
		g.n = sockstate__join_kept(h, &nq, gather_records(&g), g.owner_keys, g.n);
	}
	free(g.owner_keys);
	if (rc < 0) {
		free(g.block);
		return rc;
	}
	snap = snapshot_pack(&g, h);
	if (!snap) {
		free(g.block);
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "out of memory for the snapshot");
	}
	snap->backend = sockstate_backend(h);
	snap->pid_source = sockstate__handle_last_pid_source(h);
	snap->query_flags = q ? q->flags : 0;
	if (q && q->pid >= 0)
		snap->query_flags |= SOCKSTATE_Q_PIDS;
	snap->states = sockstate__query_states(q);
	snap->owners_unreadable = sockstate_owners_unreadable(h, NULL);
	sockstate_sysinfo_get(&snap->sys);
	*out = snap;
	return 0;
}

SOCKSTATE_API void sockstate_snapshot_free(sockstate_snapshot *snap)
{
	free(snap);
}

/* ---- several snapshots as one (one handle per network namespace) ---- */

/* Strings are copied once per distinct pointer in a row: records of one
 * part share their process names and netns label, so this keeps the copy
 * close to the parts' own size without a lookup table. */
struct string_copier {
	char *pool;
	size_t len;
	const char *last_src[3];
	const char *last_dst[3];
};

static size_t string_room(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *string_copy(struct string_copier *c, int slot, const char *s)
{
	char *dst;
	size_t n;

	if (!s)
		return NULL;
	if (s == c->last_src[slot])
		return c->last_dst[slot];
	n = strlen(s) + 1;
	dst = c->pool + c->len;
	memcpy(dst, s, n);
	c->len += n;
	c->last_src[slot] = s;
	c->last_dst[slot] = dst;
	return dst;
}

SOCKSTATE_API int sockstate_snapshot_merge(const sockstate_snapshot *const *parts, size_t n,
                                           sockstate_snapshot **out)
{
	size_t records = 0, npids = 0, pool = 0, off_recs, off_pids, off_pool;
	struct string_copier strings = {0};
	sockstate_snapshot *snap;
	int32_t *pids;
	char *base;
	size_t r = 0, p = 0;

	if (!out)
		return SOCKSTATE_EINVAL;
	*out = NULL;
	if (n && !parts)
		return SOCKSTATE_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!parts[i] || (parts[i]->count && !parts[i]->sockets))
			return SOCKSTATE_EINVAL;
		records += parts[i]->count;
		for (size_t k = 0; k < parts[i]->count; k++) {
			const sockstate_socket *s = &parts[i]->sockets[k];
			if (s->pids)
				npids += s->pid_count;
			/* The worst case: no two records share a string. */
			pool += string_room(s->process) + string_room(s->netns) +
			        string_room(s->zone);
		}
	}
	off_recs = align_up(sizeof *snap);
	off_pids = off_recs + align_up(records * sizeof *snap->sockets);
	off_pool = off_pids + align_up(npids * sizeof *pids);
	base = malloc(off_pool + pool + 1);
	if (!base)
		return SOCKSTATE_ENOMEM;
	snap = (sockstate_snapshot *)(void *)base;
	memset(snap, 0, sizeof *snap);
	snap->size = sizeof *snap;
	snap->count = records;
	snap->sockets = (sockstate_socket *)(void *)(base + off_recs);
	pids = (int32_t *)(void *)(base + off_pids);
	strings.pool = base + off_pool;
	for (size_t i = 0; i < n; i++) {
		const sockstate_snapshot *part = parts[i];

		memset(strings.last_src, 0, sizeof strings.last_src);
		for (size_t k = 0; k < part->count; k++) {
			sockstate_socket *s = &snap->sockets[r++];

			*s = part->sockets[k];
			if (s->pids) {
				memcpy(pids + p, s->pids, s->pid_count * sizeof *pids);
				s->pids = pids + p;
				p += s->pid_count;
			}
			s->process = string_copy(&strings, 0, s->process);
			s->netns = string_copy(&strings, 1, s->netns);
			s->zone = string_copy(&strings, 2, s->zone);
		}
		if (!snap->pid_source)
			snap->pid_source = part->pid_source;
		snap->query_flags |= part->query_flags;
		if (part->size >= sizeof *part) {
			snap->states |= part->states;
			snap->owners_unreadable += part->owners_unreadable;
		} else {
			snap->states = SOCKSTATE_STATES_ALL; /* not known: hide nothing */
		}
	}
	if (n) {
		snap->backend = parts[0]->backend;
		snap->sys = parts[0]->sys;
	} else {
		sockstate_sysinfo_get(&snap->sys);
	}
	*out = snap;
	return 0;
}

/* ---- sorting ---- */

SOCKSTATE_API int sockstate_sort_key_parse(const char *text, sockstate_sort_key *out)
{
	static const char *const names[] = {"none", "state", "local", "remote", "pid", "process"};

	for (size_t i = 0; text && i < sizeof names / sizeof names[0]; i++) {
		if (!strcmp(text, names[i])) {
			if (out)
				*out = (sockstate_sort_key)i;
			return 0;
		}
	}
	return SOCKSTATE_EINVAL;
}

static int cmp_u(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int cmp_endpoint(const sockstate_socket *a, const sockstate_socket *b,
                        const sockstate_endpoint *ea, const sockstate_endpoint *eb)
{
	int c = cmp_u(a->family, b->family);

	if (c)
		return c;
	c = memcmp(ea->addr, eb->addr, sizeof ea->addr);
	if (c)
		return c;
	return cmp_u(ea->port, eb->port);
}

/* Unknown pids sort last. */
static int cmp_pid(const sockstate_socket *a, const sockstate_socket *b)
{
	int ka = (a->valid & SOCKSTATE_HAS_PID) != 0, kb = (b->valid & SOCKSTATE_HAS_PID) != 0;

	if (ka != kb)
		return kb - ka;
	return ka ? cmp_u((uint64_t)(int64_t)a->pid, (uint64_t)(int64_t)b->pid) : 0;
}

static int cmp_process(const sockstate_socket *a, const sockstate_socket *b)
{
	int c;

	if (!a->process != !b->process)
		return a->process ? -1 : 1;
	if (a->process && (c = strcmp(a->process, b->process)) != 0)
		return c;
	return cmp_pid(a, b);
}

struct sort_item {
	const sockstate_socket *rec;
	size_t index;
	sockstate_sort_key key;
};

static int sort_item_cmp(const void *pa, const void *pb)
{
	const struct sort_item *x = pa, *y = pb;
	const sockstate_socket *a = x->rec, *b = y->rec;
	int c = 0;

	switch (x->key) {
	case SOCKSTATE_SORT_STATE:
		c = cmp_u(a->state, b->state);
		if (!c)
			c = cmp_endpoint(a, b, &a->local, &b->local);
		break;
	case SOCKSTATE_SORT_LOCAL:
		c = cmp_endpoint(a, b, &a->local, &b->local);
		break;
	case SOCKSTATE_SORT_REMOTE:
		c = cmp_endpoint(a, b, &a->remote, &b->remote);
		break;
	case SOCKSTATE_SORT_PID:
		c = cmp_pid(a, b);
		break;
	case SOCKSTATE_SORT_PROCESS:
		c = cmp_process(a, b);
		break;
	case SOCKSTATE_SORT_NONE:
		break;
	}
	return c ? c : cmp_u(x->index, y->index); /* stable */
}

SOCKSTATE_API int sockstate_snapshot_sort(sockstate_snapshot *snap, sockstate_sort_key key)
{
	struct sort_item *items;
	sockstate_socket *sorted;

	if (!snap || key < SOCKSTATE_SORT_NONE || key > SOCKSTATE_SORT_PROCESS)
		return SOCKSTATE_EINVAL;
	if (key == SOCKSTATE_SORT_NONE || snap->count < 2)
		return 0;
	items = malloc(snap->count * sizeof *items);
	sorted = malloc(snap->count * sizeof *sorted);
	if (!items || !sorted) {
		free(items);
		free(sorted);
		return SOCKSTATE_ENOMEM;
	}
	for (size_t i = 0; i < snap->count; i++)
		items[i] = (struct sort_item){&snap->sockets[i], i, key};
	qsort(items, snap->count, sizeof *items, sort_item_cmp);
	for (size_t i = 0; i < snap->count; i++)
		sorted[i] = *items[i].rec;
	memcpy(snap->sockets, sorted, snap->count * sizeof *sorted);
	free(items);
	free(sorted);
	return 0;
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
