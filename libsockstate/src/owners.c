/* owners.c - the owner map: key (Linux inode, FreeBSD socket address)
 * -> ascending pids, and pid -> process name.
 *
 * Filled by a platform's owner walk in any order, then finished once.
 * Its memory is what a million-socket `-p` listing pays per socket
 * descriptor, and its lookups what it pays per socket listed, so both
 * are counted (docs/ARCHITECTURE.md "Owners"):
 *   - a walk adds 12-byte entries (key, pid) to one array, grown by half
 *     again at a time (12 bytes a descriptor touched, at most 18
 *     allocated);
 *   - finish inserts them into an open-addressing table of the same
 *     12-byte entries, at most 70% full (17 bytes a descriptor), where a
 *     lookup finds the key and its pid in one cache line: the record
 *     points at that pid. A key with several owners (a fork, a prefork
 *     pool) is rare: its entry refers to a run of ascending pids in a
 *     side array instead.
 * No sort, no second array of the walk's size: at most 35 bytes a
 * descriptor allocated, 29 touched (the bound is 48). The arrays
 * are kept across reset() so a monitoring loop allocates once. */
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

/* One (key, pid): three 32-bit words, so arrays of them have no
 * padding. Key 0 is no socket (an empty slot of the table). In the
 * table, a negative pid refers to a run in the side array. */
struct owner_entry {
	uint32_t key_lo, key_hi;
	int32_t pid;
};

struct pid_name {
	int32_t pid;
	uint32_t offset;  /* into pool */
};

/* A table entry's pid while finish gathers its several owners. */
#define SEVERAL_OWNERS (-1)

struct sockstate__owners {
	struct owner_entry *fill;   /* what the walk added */
	size_t nfill, cap_fill;
	struct owner_entry *table;  /* after finish: size slots */
	size_t size, cap_table;
	int32_t *side;              /* runs: count, then that many pids */
	size_t nside, cap_side;
	struct pid_name *names;
	size_t nnames, cap_names;
	char *pool;
	size_t pool_len, pool_cap;
	uint32_t unreadable;  /* processes whose sockets the walk could not read */
	int hidden;           /* processes the walk could not even see */
};

static int grow(void **array, size_t *cap, size_t need, size_t item)
{
	size_t ncap = *cap ? *cap : 256;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*array, ncap * item);
	if (!p)
		return SOCKSTATE_ENOMEM;
	*array = p;
	*cap = ncap;
	return 0;
}

/* Room for need entries in the walk's array: by half again at a time, so
 * the slack is at most 6 bytes a descriptor. */
static int grow_fill(sockstate__owners *m, size_t need)
{
	size_t ncap = m->cap_fill + m->cap_fill / 2;
	struct owner_entry *p;

	if (need <= m->cap_fill)
		return 0;
	if (ncap < need)
		ncap = need;
	if (ncap < 256)
		ncap = 256;
	p = realloc(m->fill, ncap * sizeof *p);
	if (!p)
		return SOCKSTATE_ENOMEM;
	m->fill = p;
	m->cap_fill = ncap;
	return 0;
}

sockstate__owners *sockstate__owners_new(void)
{
	return calloc(1, sizeof(sockstate__owners));
}

void sockstate__owners_free(sockstate__owners *m)
{
	if (!m)
		return;
	free(m->fill);
	free(m->table);
	free(m->side);
	free(m->names);
	free(m->pool);
	free(m);
}

void sockstate__owners_reset(sockstate__owners *m)
{
	m->nfill = m->size = m->nside = m->nnames = m->pool_len = 0;
	m->unreadable = 0;
	m->hidden = 0;
}

void sockstate__owners_note_unreadable(sockstate__owners *m, uint32_t processes, int hidden)
{
	m->unreadable += processes;
	if (hidden)
		m->hidden = 1;
}

uint32_t sockstate__owners_unreadable(const sockstate__owners *m, int *hidden)
{
	if (hidden)
		*hidden = m->hidden;
	return m->unreadable;
}

int sockstate__owners_add(sockstate__owners *m, uint64_t key, int32_t pid)
{
	if (key == 0)
		return 0; /* no socket has it: the table's empty slot */
	if (m->nfill == m->cap_fill && grow_fill(m, m->nfill + 1))
		return SOCKSTATE_ENOMEM;
	m->fill[m->nfill++] = (struct owner_entry){(uint32_t)key, (uint32_t)(key >> 32), pid};
	return 0;
}

int sockstate__owners_name(sockstate__owners *m, int32_t pid, const char *name)
{
	size_t len = strnlen(name, 255);

	if (grow((void **)&m->names, &m->cap_names, m->nnames + 1, sizeof *m->names) ||
	    grow((void **)&m->pool, &m->pool_cap, m->pool_len + len + 1, 1))
		return SOCKSTATE_ENOMEM;
	memcpy(m->pool + m->pool_len, name, len);
	m->pool[m->pool_len + len] = '\0';
	m->names[m->nnames++] = (struct pid_name){pid, (uint32_t)m->pool_len};
	m->pool_len += len + 1;
	return 0;
}

int sockstate__owners_merge(sockstate__owners *dst, const sockstate__owners *src)
{
	/* One exact growth, not one per entry: the two halves of a /proc
	 * walk meet here at their biggest. */
	if (grow_fill(dst, dst->nfill + src->nfill))
		return SOCKSTATE_ENOMEM;
	if (src->nfill)
		memcpy(dst->fill + dst->nfill, src->fill, src->nfill * sizeof *src->fill);
	dst->nfill += src->nfill;
	for (size_t i = 0; i < src->nnames; i++)
		if (sockstate__owners_name(dst, src->names[i].pid,
		                           src->pool + src->names[i].offset) < 0)
			return SOCKSTATE_ENOMEM;
	sockstate__owners_note_unreadable(dst, src->unreadable, src->hidden);
	return 0;
}

static uint64_t entry_key(const struct owner_entry *e)
{
	return (uint64_t)e->key_hi << 32 | e->key_lo;
}

/* The first slot of key in a table of size slots (any size): Fibonacci
 * hashing's high bits, scaled to the size by a multiplication. */
static size_t first_slot(uint64_t key, size_t size)
{
	uint64_t h = (key * UINT64_C(0x9E3779B97F4A7C15)) >> 32;

	return (size_t)((h * (uint64_t)size) >> 32);
}

/* key's slot: its entry, or the empty one where it would go. */
static struct owner_entry *slot_of(const sockstate__owners *m, uint64_t key)
{
	size_t j = first_slot(key, m->size);

	for (;;) {
		struct owner_entry *e = &m->table[j];

		if ((e->key_lo | e->key_hi) == 0 || entry_key(e) == key)
			return e;
		if (++j == m->size)
			j = 0;
	}
}

static int entry_cmp(const void *a, const void *b)
{
	const struct owner_entry *x = a, *y = b;
	uint64_t kx = entry_key(x), ky = entry_key(y);

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int name_cmp(const void *a, const void *b)
{
	const struct pid_name *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The keys with several owners: every (key, pid) of theirs is gathered
 * at the front of the walk's array (its entries are spent once in the
 * table), sorted, and each key's pids, ascending and each once (a
 * process may hold a socket on two fds), become a run in the side
 * array, which its table entry then refers to. */
static int several_owners(sockstate__owners *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nfill; i++)
		if (slot_of(m, entry_key(&m->fill[i]))->pid == SEVERAL_OWNERS)
			m->fill[n++] = m->fill[i];
	if (n == 0)
		return 0;
	qsort(m->fill, n, sizeof *m->fill, entry_cmp);
	if (grow((void **)&m->side, &m->cap_side, 2 * n, sizeof *m->side))
		return SOCKSTATE_ENOMEM;
	for (size_t i = 0; i < n;) {
		uint64_t key = entry_key(&m->fill[i]);
		size_t run = m->nside++;

		m->side[run] = 0;
		for (; i < n && entry_key(&m->fill[i]) == key; i++) {
			if (m->side[run] && m->side[m->nside - 1] == m->fill[i].pid)
				continue;
			m->side[m->nside++] = m->fill[i].pid;
			m->side[run]++;
		}
		slot_of(m, key)->pid = -1 - (int32_t)run;
	}
	return 0;
}

int sockstate__owners_finish(sockstate__owners *m)
{
	/* At most 70% full: linear probing stays short (about 1.7 probes to
	 * find, 6 to miss, on average). */
	size_t size = m->nfill + m->nfill * 3 / 7 + 1;

	if (size > UINT32_MAX)
		return SOCKSTATE_ENOMEM;
	/* Exactly the size (no doubling): its slack would be 17 bytes a
	 * descriptor more. */
	if (size > m->cap_table) {
		struct owner_entry *p = realloc(m->table, size * sizeof *p);

		if (!p) {
			m->size = 0; /* finds nothing rather than a stale table */
			return SOCKSTATE_ENOMEM;
		}
		m->table = p;
		m->cap_table = size;
	}
	m->size = size;
	memset(m->table, 0, size * sizeof *m->table);
	m->nside = 0;
	for (size_t i = 0; i < m->nfill; i++) {
		const struct owner_entry *e = &m->fill[i];
		struct owner_entry *t = slot_of(m, entry_key(e));

		if ((t->key_lo | t->key_hi) == 0)
			*t = *e;
		else if (t->pid != e->pid)
			t->pid = SEVERAL_OWNERS;
	}
	if (several_owners(m) < 0) {
		m->size = 0;
		return SOCKSTATE_ENOMEM;
	}
	m->nfill = 0;
	if (m->nnames)
		qsort(m->names, m->nnames, sizeof *m->names, name_cmp);
	return 0;
}

const int32_t *sockstate__owners_find(const sockstate__owners *m, uint64_t key,
                                      uint32_t *n)
{
	const struct owner_entry *e;

	*n = 0;
	if (!m->size || key == 0)
		return NULL;
	e = slot_of(m, key);
	if ((e->key_lo | e->key_hi) == 0)
		return NULL;
	if (e->pid >= 0) {
		*n = 1;
		return &e->pid;
	}
	*n = (uint32_t)m->side[-1 - e->pid];
	return &m->side[-e->pid];
}

const char *sockstate__owners_pid_name(const sockstate__owners *m, int32_t pid)
{
	size_t lo = 0, hi = m->nnames;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->names[mid].pid == pid)
			return m->pool + m->names[mid].offset;
		if (m->names[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void sockstate__owners_names(const sockstate__owners *m, const char **pool,
                             size_t *pool_len)
{
	*pool = m->pool;
	*pool_len = m->pool_len;
}

size_t sockstate__owners_memory(const sockstate__owners *m)
{
	return m->cap_fill * sizeof *m->fill + m->cap_table * sizeof *m->table +
	       m->cap_side * sizeof *m->side + m->cap_names * sizeof *m->names +
	       m->pool_cap;
}
