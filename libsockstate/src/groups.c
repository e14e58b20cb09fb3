/* groups.c - per-state counts within groups of sockets that share a key.
 *
 * One pass over the stream: each record's key (only the fields the
 * grouping uses, the rest zero) is hashed over those fields into an
 * open-addressing index; a new key appends a group to fixed-size blocks
 * (never moved, so growing copies nothing). Names (process, netns) are
 * interned into one string pool, so a key is a fixed-size struct compared
 * with memcmp, and memory grows with the number of groups and distinct
 * names, never with the number of sockets.
 *
 * Ranking (total descending, ties by key) happens when asked, and only as
 * far as asked: the writers want the top N, found with a small heap in
 * one pass, so a grouped count with --top costs about one hash lookup per
 * socket over a plain count. The public form of the ranked groups
 * (pub[]) is built then, with names pointing into the pool, which may move
 * while groups are added: hence "valid until the next add". */
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"
#include "groups_internal.h"

/* The hashed identity of a group. Padding is zeroed with the rest. */
struct group_key {
	uint8_t laddr[16];
	uint8_t raddr[16];
	uint32_t lscope;
	uint32_t rscope;
	uint32_t uid;       /* UID_UNKNOWN: none (uids are 32 bits on every OS) */
	int32_t pid;        /* the lowest owner; -1: none */
	uint32_t process;   /* pool offset + 1; 0: none */
	uint32_t netns;     /* pool offset + 1; 0: none */
	uint16_t port;
	uint16_t lport;
	uint8_t family;
	uint8_t pad_[3];    /* 64 bytes: one cache line */
};

#define UID_UNKNOWN UINT32_MAX

/* One interned name; the table holds pool offsets + 1. */
struct names {
	char *pool;
	size_t len, cap;
	uint32_t *slot;
	size_t mask;        /* slots - 1 */
	size_t used;
};

/* Groups live in blocks that never move: no copying as they grow. */
#define BLOCK_SHIFT 10
#define BLOCK_SIZE (1u << BLOCK_SHIFT)

/* Key and counts in two cache lines: a lookup that hits touches little
 * more than these. A state's count stops at UINT32_MAX (4 billion sockets
 * of one state in one group is not a machine we can count on). */
struct group_rec {
	struct group_key key;
	uint64_t total;
	uint32_t by_state[SOCKSTATE_STATE_COUNT];
};

/* An index slot: the key's hash (compared before the key itself) and the
 * group's index + 1 (0: empty). */
struct slot {
	uint32_t hash;
	uint32_t index;
};

struct sockstate_groups {
	uint32_t keys;
	sockstate_counts totals;
	const char *backend;        /* static */
	const char *pid_source;     /* static */
	struct group_rec **blocks;
	size_t nblocks;
	size_t n;                   /* groups */
	struct slot *slot;
	size_t mask;                /* slots - 1 */
	struct names names;
	/* The ranking: order[0..ranked) are the best groups, best first, and
	 * pub[] their public form; dirty once anything is added after. */
	uint32_t *order;
	sockstate_group *pub;
	size_t order_cap;
	size_t ranked;
	int dirty;
};

static const struct {
	const char *name;
	uint32_t key;
} key_names[] = {
	{"port", SOCKSTATE_GROUP_PORT},
	{"local", SOCKSTATE_GROUP_LOCAL},
	{"remote", SOCKSTATE_GROUP_REMOTE},
	{"process", SOCKSTATE_GROUP_PROCESS},
	{"uid", SOCKSTATE_GROUP_UID},
	{"netns", SOCKSTATE_GROUP_NETNS},
	{"pid", SOCKSTATE_GROUP_PID},
};

SOCKSTATE_API const char *sockstate_group_key_name(uint32_t key)
{
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (key_names[i].key == key)
			return key_names[i].name;
	return NULL;
}

SOCKSTATE_API int sockstate_group_keys_parse(const char *text, uint32_t *keys,
                                             const char **bad)
{
	uint32_t found = 0;
	const char *p = text;

	if (!text || !keys) {
		if (bad)
			*bad = text;
		return SOCKSTATE_EINVAL;
	}
	for (;;) {
		size_t len = strcspn(p, ",");
		size_t i = 0;

		for (; i < sizeof key_names / sizeof key_names[0]; i++)
			if (strlen(key_names[i].name) == len && !memcmp(key_names[i].name, p, len))
				break;
		if (i == sizeof key_names / sizeof key_names[0]) {
			if (bad)
				*bad = p;
			return SOCKSTATE_EINVAL;
		}
		found |= key_names[i].key;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*keys |= found;
	return 0;
}

/* ---- hashing ---- */

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v * UINT64_C(0x9E3779B97F4A7C15);
	h = (h << 27) | (h >> 37);
	return h * UINT64_C(0xBF58476D1CE4E5B9);
}

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = n, w;

	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		h = mix(h, w);
	}
	for (w = 0; n > 0; n--)
		w = (w << 8) | b[n - 1];
	h = mix(h, w);
	return h ^ (h >> 31);
}

/* Grow a table of uint32 slots (0: empty) to at least twice `used`, and
 * re-insert each entry by rehash(ctx, entry). */
static int table_grow(uint32_t **slot, size_t *mask, size_t used,
                      uint64_t (*rehash)(const void *ctx, uint32_t entry), const void *ctx)
{
	size_t slots = 64, old = *slot ? *mask + 1 : 0;
	uint32_t *fresh, *prev = *slot;

	while (slots < 2 * (used + 1))
		slots *= 2;
	if (slots <= old)
		return 0;
	fresh = calloc(slots, sizeof *fresh);
	if (!fresh)
		return SOCKSTATE_ENOMEM;
	for (size_t i = 0; i < old; i++) {
		if (!prev[i])
			continue;
		size_t j = (size_t)rehash(ctx, prev[i]) & (slots - 1);
		while (fresh[j])
			j = (j + 1) & (slots - 1);
		fresh[j] = prev[i];
	}
	free(prev);
	*slot = fresh;
	*mask = slots - 1;
	return 0;
}

/* ---- names ---- */

static uint64_t name_rehash(const void *ctx, uint32_t entry)
{
	const struct names *t = ctx;
	const char *s = t->pool + entry - 1;

	return hash_bytes(s, strlen(s));
}

/* The pool offset + 1 of s, interning it first. 0 and ENOMEM on failure
 * (*rc set). */
static uint32_t name_intern(struct names *t, const char *s, int *rc)
{
	size_t len = strlen(s);
	uint64_t h = hash_bytes(s, len);
	size_t j;

	if (2 * (t->used + 1) > (t->slot ? t->mask + 1 : 0) &&
	    (*rc = table_grow(&t->slot, &t->mask, t->used, name_rehash, t)) < 0)
		return 0;
	for (j = (size_t)h & t->mask; t->slot[j]; j = (j + 1) & t->mask) {
		const char *have = t->pool + t->slot[j] - 1;
		if (!strncmp(have, s, len + 1))
			return t->slot[j];
	}
	if (t->len + len + 1 > t->cap || t->len + len + 1 >= UINT32_MAX) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		char *pool;

		while (cap < t->len + len + 1)
			cap *= 2;
		if (cap >= UINT32_MAX || !(pool = realloc(t->pool, cap))) {
			*rc = SOCKSTATE_ENOMEM;
			return 0;
		}
		t->pool = pool;
		t->cap = cap;
	}
	memcpy(t->pool + t->len, s, len + 1);
	t->slot[j] = (uint32_t)t->len + 1;
	t->len += len + 1;
	t->used++;
	return t->slot[j];
}

/* ---- the accumulator ---- */

SOCKSTATE_API int sockstate_groups_new(uint32_t keys, sockstate_groups **out)
{
	sockstate_groups *g;

	if (!out)
		return SOCKSTATE_EINVAL;
	*out = NULL;
	if (!keys || (keys & ~SOCKSTATE_GROUP_KEYS_ALL))
		return SOCKSTATE_EINVAL;
	g = calloc(1, sizeof *g);
	if (!g)
		return SOCKSTATE_ENOMEM;
	g->keys = keys;
	g->totals.size = sizeof g->totals;
	*out = g;
	return 0;
}

SOCKSTATE_API void sockstate_groups_free(sockstate_groups *g)
{
	if (!g)
		return;
	for (size_t b = 0; b < g->nblocks; b++)
		free(g->blocks[b]);
	free(g->blocks);
	free(g->slot);
	free(g->order);
	free(g->pub);
	free(g->names.pool);
	free(g->names.slot);
	free(g);
}

static struct group_rec *rec_at(const sockstate_groups *g, size_t i)
{
	return &g->blocks[i >> BLOCK_SHIFT][i & (BLOCK_SIZE - 1)];
}

/* The key of s under g's keys, and its hash over the fields in use only
 * (a port alone costs one mix, not ten). */
static int key_of(sockstate_groups *g, const sockstate_socket *s, struct group_key *k,
                  uint64_t *hash)
{
	uint64_t h = g->keys;
	int rc = 0;

	memset(k, 0, sizeof *k);
	k->uid = UID_UNKNOWN;
	k->pid = -1;
	if (g->keys & SOCKSTATE_GROUP_PORT) {
		k->port = s->local.port;
		h = mix(h, k->port);
	}
	if (g->keys & (SOCKSTATE_GROUP_LOCAL | SOCKSTATE_GROUP_REMOTE))
		k->family = s->family;
	if (g->keys & SOCKSTATE_GROUP_LOCAL) {
		memcpy(k->laddr, s->local.addr, sizeof k->laddr);
		k->lscope = s->local.scope_id;
		k->lport = s->local.port;
		h = mix(h, hash_bytes(k->laddr, sizeof k->laddr));
		h = mix(h, ((uint64_t)k->lscope << 24) | ((uint64_t)k->lport << 8) | k->family);
	}
	if (g->keys & SOCKSTATE_GROUP_REMOTE) {
		memcpy(k->raddr, s->remote.addr, sizeof k->raddr);
		k->rscope = s->remote.scope_id;
		h = mix(h, hash_bytes(k->raddr, sizeof k->raddr));
		h = mix(h, ((uint64_t)k->rscope << 8) | k->family);
	}
	if ((g->keys & SOCKSTATE_GROUP_UID) && (s->valid & SOCKSTATE_HAS_UID) &&
	    s->uid >= 0 && s->uid < UID_UNKNOWN)
		k->uid = (uint32_t)s->uid;
	if ((g->keys & SOCKSTATE_GROUP_PID) && (s->valid & SOCKSTATE_HAS_PID) && s->pid >= 0)
		k->pid = s->pid;
	if (g->keys & (SOCKSTATE_GROUP_UID | SOCKSTATE_GROUP_PID))
		h = mix(h, ((uint64_t)k->uid << 32) | (uint32_t)k->pid);
	if ((g->keys & SOCKSTATE_GROUP_PROCESS) && (s->valid & SOCKSTATE_HAS_PROCESS) &&
	    s->process && !(k->process = name_intern(&g->names, s->process, &rc)))
		return rc;
	if ((g->keys & SOCKSTATE_GROUP_NETNS) && s->netns &&
	    !(k->netns = name_intern(&g->names, s->netns, &rc)))
		return rc;
	if (g->keys & (SOCKSTATE_GROUP_PROCESS | SOCKSTATE_GROUP_NETNS))
		h = mix(h, ((uint64_t)k->process << 32) | k->netns);
	*hash = h ^ (h >> 29);
	return 0;
}

/* Double the index (at least 64 slots, at most half full), placing each
 * group by its stored hash. */
static int index_grow(sockstate_groups *g)
{
	size_t slots = g->slot ? (g->mask + 1) * 2 : 64;
	struct slot *fresh = calloc(slots, sizeof *fresh);

	if (!fresh)
		return SOCKSTATE_ENOMEM;
	for (size_t i = 0; g->slot && i <= g->mask; i++) {
		size_t j;

		if (!g->slot[i].index)
			continue;
		for (j = g->slot[i].hash & (slots - 1); fresh[j].index; j = (j + 1) & (slots - 1))
			;
		fresh[j] = g->slot[i];
	}
	free(g->slot);
	g->slot = fresh;
	g->mask = slots - 1;
	return 0;
}

/* A new group for key k at slot j; groups live in fixed blocks, so
 * growing never copies them. */
static int group_append(sockstate_groups *g, const struct group_key *k, uint32_t hash,
                        size_t j)
{
	struct group_rec *r;

	if (g->n >= UINT32_MAX - 1)
		return SOCKSTATE_ENOMEM;
	if ((g->n >> BLOCK_SHIFT) == g->nblocks) {
		struct group_rec **blocks = realloc(g->blocks, (g->nblocks + 1) * sizeof *blocks);

		if (!blocks)
			return SOCKSTATE_ENOMEM;
		g->blocks = blocks;
		blocks[g->nblocks] = malloc(BLOCK_SIZE * sizeof **blocks);
		if (!blocks[g->nblocks])
			return SOCKSTATE_ENOMEM;
		g->nblocks++;
	}
	r = rec_at(g, g->n);
	r->key = *k;
	r->total = 0;
	memset(r->by_state, 0, sizeof r->by_state);
	g->slot[j].hash = hash;
	g->slot[j].index = (uint32_t)(++g->n);
	return 0;
}

SOCKSTATE_API int sockstate_groups_add(sockstate_groups *g, const sockstate_socket *s)
{
	struct group_key k;
	struct group_rec *r = NULL;
	uint64_t h64 = 0;
	uint32_t h;
	size_t j;
	int rc;

	if (!g || !s)
		return SOCKSTATE_EINVAL;
	rc = key_of(g, s, &k, &h64);
	if (rc < 0)
		return rc;
	h = (uint32_t)h64;
	if (2 * (g->n + 1) > (g->slot ? g->mask + 1 : 0) && (rc = index_grow(g)) < 0)
		return rc;
	for (j = h & g->mask; g->slot[j].index; j = (j + 1) & g->mask) {
		if (g->slot[j].hash != h)
			continue;
		r = rec_at(g, g->slot[j].index - 1);
		if (!memcmp(&r->key, &k, sizeof k))
			break;
		r = NULL;
	}
	if (!r) {
		rc = group_append(g, &k, h, j);
		if (rc < 0)
			return rc;
		r = rec_at(g, g->n - 1);
	}
	r->total++;
	{
		uint32_t *n = &r->by_state[s->state < SOCKSTATE_STATE_COUNT ? s->state
		                                                         : SOCKSTATE_UNKNOWN];
		if (*n != UINT32_MAX)
			++*n;
	}
	sockstate_counts_add(&g->totals, s);
	g->dirty = 1;
	return 0;
}

static int add_one(const sockstate_socket *s, void *ctx)
{
	return sockstate_groups_add(ctx, s);
}

SOCKSTATE_API int sockstate_groups_fill(sockstate_handle *h, const sockstate_query *q,
                                        sockstate_groups *g)
{
	sockstate_query nq;
	int rc;

	if (!h || !g)
		return SOCKSTATE_EINVAL;
	if (q && q->size < sizeof *q)
		return sockstate__fail(h, SOCKSTATE_EINVAL, "query.size is too small: "
		                       "initialise it with sockstate_query_init()");
	if (q)
		nq = *q;
	else
		sockstate_query_init(&nq);
	if (g->keys & (SOCKSTATE_GROUP_PROCESS | SOCKSTATE_GROUP_PID))
		nq.flags |= SOCKSTATE_Q_PIDS;
	rc = sockstate__run(h, &nq, add_one, g);
	if (!g->backend)
		g->backend = sockstate_backend(h);
	if (!g->pid_source)
		g->pid_source = sockstate_pid_source(h);
	return rc;
}

/* ---- ranking ---- */

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* Names, unknown (0) last. */
static int cmp_name(const struct names *t, uint32_t a, uint32_t b)
{
	if (!a || !b)
		return (a == 0) - (b == 0);
	return strcmp(t->pool + a - 1, t->pool + b - 1);
}

/* < 0 when group ia ranks before ib: more sockets first, then by key;
 * never 0 for two different groups. */
static int rank_cmp_index(const sockstate_groups *g, uint32_t ia, uint32_t ib)
{
	const struct group_rec *ra = rec_at(g, ia), *rb = rec_at(g, ib);
	const struct group_key *a = &ra->key, *b = &rb->key;
	int c = cmp_u64(rb->total, ra->total);

	if (!c)
		c = cmp_u64(a->port, b->port);
	if (!c)
		c = cmp_u64(a->family, b->family);
	if (!c)
		c = memcmp(a->laddr, b->laddr, sizeof a->laddr);
	if (!c)
		c = cmp_u64(a->lport, b->lport);
	if (!c)
		c = cmp_u64(a->lscope, b->lscope);
	if (!c)
		c = memcmp(a->raddr, b->raddr, sizeof a->raddr);
	if (!c)
		c = cmp_u64(a->rscope, b->rscope);
	/* Unknown last: -1 as unsigned, and UID_UNKNOWN, are the largest. */
	if (!c)
		c = cmp_u64((uint32_t)a->pid, (uint32_t)b->pid);
	if (!c)
		c = cmp_name(&g->names, a->process, b->process);
	if (!c)
		c = cmp_u64(a->uid, b->uid);
	if (!c)
		c = cmp_name(&g->names, a->netns, b->netns);
	return c ? c : cmp_u64(ia, ib);
}

/* qsort has no context argument in C11: each item carries its own. */
struct rank_item {
	const sockstate_groups *g;
	uint32_t index;
};

static int rank_cmp(const void *pa, const void *pb)
{
	const struct rank_item *x = pa, *y = pb;

	return rank_cmp_index(x->g, x->index, y->index);
}

/* The top `want` of n groups into order[0..want), best first: a heap of
 * the best seen so far with the worst of them at the root, so a group that
 * cannot enter (the usual case) costs one comparison. */
static void select_top(const sockstate_groups *g, uint32_t *heap, size_t want)
{
	size_t have = 0;

	for (uint32_t i = 0; i < g->n; i++) {
		size_t at;

		if (have < want) {
			/* Sift up: parents are worse than children. */
			for (at = have++; at > 0 && rank_cmp_index(g, heap[(at - 1) / 2], i) < 0;
			     at = (at - 1) / 2)
				heap[at] = heap[(at - 1) / 2];
			heap[at] = i;
			continue;
		}
		if (rank_cmp_index(g, i, heap[0]) > 0)
			continue;
		/* Replace the root and sift down. */
		for (at = 0;;) {
			size_t child = 2 * at + 1;

			if (child >= want)
				break;
			if (child + 1 < want && rank_cmp_index(g, heap[child + 1], heap[child]) > 0)
				child++;
			if (rank_cmp_index(g, heap[child], i) < 0)
				break;
			heap[at] = heap[child];
			at = child;
		}
		heap[at] = i;
	}
}

/* Make order[0..want) the first `want` groups by rank (want 0: all), and
 * pub[] their public form. */
static int groups_rank(sockstate_groups *g, size_t want)
{
	size_t n = g->n;
	struct rank_item *items;

	if (want == 0 || want > n)
		want = n;
	if (!g->dirty && g->ranked >= want)
		return 0;
	if (g->order_cap < n) {
		uint32_t *order = realloc(g->order, n * sizeof *order);
		sockstate_group *pub;

		if (!order)
			return SOCKSTATE_ENOMEM;
		g->order = order;
		pub = realloc(g->pub, n * sizeof *pub);
		if (!pub)
			return SOCKSTATE_ENOMEM;
		g->pub = pub;
		g->order_cap = n;
	}
	if (want < n)
		select_top(g, g->order, want);
	else
		for (uint32_t i = 0; i < n; i++)
			g->order[i] = i;
	items = malloc((want ? want : 1) * sizeof *items);
	if (!items)
		return SOCKSTATE_ENOMEM;
	for (size_t i = 0; i < want; i++)
		items[i] = (struct rank_item){g, g->order[i]};
	qsort(items, want, sizeof *items, rank_cmp);
	for (size_t i = 0; i < want; i++) {
		const struct group_rec *r = rec_at(g, items[i].index);
		const struct group_key *k = &r->key;
		sockstate_group *grp = &g->pub[i];

		g->order[i] = items[i].index;
		memset(grp, 0, sizeof *grp);
		grp->size = sizeof *grp;
		grp->keys = g->keys;
		grp->family = k->family;
		grp->port = k->port;
		memcpy(grp->local.addr, k->laddr, sizeof k->laddr);
		grp->local.scope_id = k->lscope;
		grp->local.port = k->lport;
		memcpy(grp->remote.addr, k->raddr, sizeof k->raddr);
		grp->remote.scope_id = k->rscope;
		grp->uid = k->uid == UID_UNKNOWN ? -1 : (int64_t)k->uid;
		grp->pid = k->pid;
		grp->process = k->process ? g->names.pool + k->process - 1 : NULL;
		grp->netns = k->netns ? g->names.pool + k->netns - 1 : NULL;
		grp->total = r->total;
		for (size_t st = 0; st < SOCKSTATE_STATE_COUNT; st++)
			grp->by_state[st] = r->by_state[st];
	}
	free(items);
	g->ranked = want;
	g->dirty = 0;
	return 0;
}

int sockstate__groups_rank(sockstate_groups *g, size_t want)
{
	return groups_rank(g, want);
}

SOCKSTATE_API size_t sockstate_groups_size(const sockstate_groups *g)
{
	return g ? g->n : 0;
}

SOCKSTATE_API const sockstate_group *sockstate_groups_get(sockstate_groups *g, size_t i)
{
	if (!g || i >= g->n)
		return NULL;
	if ((g->dirty || i >= g->ranked) && groups_rank(g, 0) < 0)
		return NULL;
	return &g->pub[i];
}

SOCKSTATE_API const sockstate_counts *sockstate_groups_totals(const sockstate_groups *g)
{
	return g ? &g->totals : NULL;
}

SOCKSTATE_API uint32_t sockstate_groups_keys(const sockstate_groups *g)
{
	return g ? g->keys : 0;
}

const char *sockstate__groups_backend(const sockstate_groups *g)
{
	return g->backend;
}

const char *sockstate__groups_pid_source(const sockstate_groups *g)
{
	return g->pid_source;
}
