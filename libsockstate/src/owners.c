/* owners.c - the owner map: key (Linux inode, FreeBSD socket address)
 * -> ascending pids, and pid -> process name.
 *
 * Filled by a platform's owner walk in any order, then finished once.
 * Its memory is what a million-socket `-p` listing pays per socket
 * descriptor, so every byte is counted (at most 42 per descriptor
 * allocated, 36 touched; the bound is 48; docs/ARCHITECTURE.md "Owners"):
 *   - a walk adds 12-byte entries (key, pid) to one array, grown by half
 *     again at a time (at most 18 bytes a descriptor allocated);
 *   - finish sorts them by key with a radix sort into a second array of
 *     the same size (12 bytes; no qsort, whose merge sort would take a
 *     third), folds repeats, and writes the result into whichever array
 *     the sort did not end in: the keys (8 bytes) then the pids (4), so
 *     the owners of a key are one contiguous run of pids that records
 *     point at;
 *   - a hash index over the first position of each key's run, at most
 *     two thirds full, finds a key in one probe (4 bytes a slot: 6 to 12
 *     bytes a key).
 * The two arrays swap roles from one query to the next and, with the
 * index, are kept across reset() so a monitoring loop allocates once. */
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

/* One (key, pid) as a walk adds it: three 32-bit words, so the array of
 * them has no padding. */
struct owner_entry {
	uint32_t key_lo, key_hi;
	int32_t pid;
};

struct pid_name {
	int32_t pid;
	uint32_t offset;  /* into pool */
};

struct sockstate__owners {
	struct owner_entry *fill;   /* the entries a walk adds */
	size_t nfill, cap_fill;
	struct owner_entry *other;  /* the sort's second array; after finish
	                               it holds keys[] then pids[] */
	size_t cap_other;
	const uint64_t *keys;       /* after finish: sorted, one per (key,
	                               pid) pair */
	const int32_t *pids;        /* parallel to keys */
	size_t nkeys;
	uint32_t *index;            /* after finish: open addressing over the
	                               first position of each key's run, + 1
	                               (0: free) */
	size_t index_mask;
	struct pid_name *names;
	size_t nnames, cap_names;
	char *pool;
	size_t pool_len, pool_cap;
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

/* Room for need entries in *array (*cap of them now): by half again at
 * a time, so the slack a walk leaves is at most 6 bytes a descriptor. */
static int grow_entries(struct owner_entry **array, size_t *cap, size_t need)
{
	size_t ncap = *cap + *cap / 2;
	struct owner_entry *p;

	if (need <= *cap)
		return 0;
	if (ncap < need)
		ncap = need;
	if (ncap < 256)
		ncap = 256;
	p = realloc(*array, ncap * sizeof *p);
	if (!p)
		return SOCKSTATE_ENOMEM;
	*array = p;
	*cap = ncap;
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
	free(m->other);
	free(m->index);
	free(m->names);
	free(m->pool);
	free(m);
}

void sockstate__owners_reset(sockstate__owners *m)
{
	m->nfill = m->nkeys = m->nnames = m->pool_len = 0;
	m->keys = NULL;
	m->pids = NULL;
}

int sockstate__owners_add(sockstate__owners *m, uint64_t key, int32_t pid)
{
	if (m->nfill == m->cap_fill && grow_entries(&m->fill, &m->cap_fill, m->nfill + 1))
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
	if (grow_entries(&dst->fill, &dst->cap_fill, dst->nfill + src->nfill))
		return SOCKSTATE_ENOMEM;
	if (src->nfill)
		memcpy(dst->fill + dst->nfill, src->fill, src->nfill * sizeof *src->fill);
	dst->nfill += src->nfill;
	for (size_t i = 0; i < src->nnames; i++)
		if (sockstate__owners_name(dst, src->names[i].pid,
		                           src->pool + src->names[i].offset) < 0)
			return SOCKSTATE_ENOMEM;
	return 0;
}

static uint64_t entry_key(const struct owner_entry *e)
{
	return (uint64_t)e->key_hi << 32 | e->key_lo;
}

/* Byte d (0: lowest) of an entry's key. */
static unsigned key_byte(const struct owner_entry *e, unsigned d)
{
	return (unsigned)((d < 4 ? e->key_lo >> (8 * d) : e->key_hi >> (8 * (d - 4))) & 0xffu);
}

/* Sort the n entries of *a by key, stable (a walk's order of pids within
 * a key is kept for the fold below), using *b (room for n) as the other
 * half: a least-significant-byte-first radix sort that skips the bytes
 * every key shares (a host's inodes differ in three or four). Returns
 * the array that holds the result, *a or *b. */
static struct owner_entry *sort_by_key(struct owner_entry *a, struct owner_entry *b,
                                       size_t n)
{
	static const size_t zero[256];
	size_t count[8][256];

	for (unsigned d = 0; d < 8; d++)
		memcpy(count[d], zero, sizeof zero);
	for (size_t i = 0; i < n; i++)
		for (unsigned d = 0; d < 8; d++)
			count[d][key_byte(&a[i], d)]++;
	for (unsigned d = 0; d < 8; d++) {
		size_t at = 0;

		if (count[d][key_byte(&a[0], d)] == n)
			continue; /* every key has this byte */
		for (unsigned v = 0; v < 256; v++) {
			size_t c = count[d][v];
			count[d][v] = at;
			at += c;
		}
		for (size_t i = 0; i < n; i++)
			b[count[d][key_byte(&a[i], d)]++] = a[i];
		struct owner_entry *t = a;
		a = b;
		b = t;
	}
	return a;
}

static int pid_cmp(const void *x, const void *y)
{
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;

	return (a > b) - (a < b);
}

static int name_cmp(const void *a, const void *b)
{
	const struct pid_name *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* pids[0..n) ascending. Owners of one socket are few (a fork, a prefork
 * pool), so insertion sort, unless they are many. */
static void sort_pids(int32_t *pids, size_t n)
{
	if (n > 32) {
		qsort(pids, n, sizeof *pids, pid_cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		int32_t v = pids[i];
		size_t j = i;

		for (; j > 0 && pids[j - 1] > v; j--)
			pids[j] = pids[j - 1];
		pids[j] = v;
	}
}

/* sorted[0..n) (by key) into keys[] and pids[], each key's pids ascending
 * and each (key, pid) once (a process holding a socket on two fds).
 * Returns how many pairs remain. keys and pids may lie in memory sorted
 * does not. */
static size_t fold(const struct owner_entry *sorted, size_t n, uint64_t *keys,
                   int32_t *pids)
{
	size_t out = 0;

	for (size_t i = 0; i < n;) {
		uint64_t key = entry_key(&sorted[i]);
		size_t first = out, run;

		for (; i < n && entry_key(&sorted[i]) == key; i++)
			pids[out++] = sorted[i].pid;
		run = out - first;
		sort_pids(pids + first, run);
		out = first;
		for (size_t k = 0; k < run; k++) {
			if (k && pids[first + k] == pids[out - 1])
				continue;
			keys[out] = key;
			pids[out++] = pids[first + k];
		}
	}
	return out;
}

/* Every record of a query looks its key up once: a hash index (built
 * where the map is built, often on its own thread) makes that one probe
 * instead of a binary search's ~20 cache misses. At most two thirds
 * full: linear probing stays short (2 probes to find, 5 to miss, on
 * average) at 6 to 12 bytes per key. */
static int index_build(sockstate__owners *m)
{
	size_t slots = 64;

	while (2 * slots < 3 * m->nkeys)
		slots *= 2;
	if (slots - 1 > m->index_mask || !m->index) {
		uint32_t *p = realloc(m->index, slots * sizeof *p);
		if (!p)
			return SOCKSTATE_ENOMEM;
		m->index = p;
		m->index_mask = slots - 1;
	}
	memset(m->index, 0, (m->index_mask + 1) * sizeof *m->index);
	for (size_t i = 0; i < m->nkeys; i++) {
		size_t j;

		if (i && m->keys[i - 1] == m->keys[i])
			continue;
		for (j = sockstate__slot_of(m->keys[i], m->index_mask); m->index[j];
		     j = (j + 1) & m->index_mask)
			;
		m->index[j] = (uint32_t)i + 1;
	}
	return 0;
}

static void swap_arrays(sockstate__owners *m)
{
	struct owner_entry *t = m->fill;
	size_t cap = m->cap_fill;

	m->fill = m->other;
	m->cap_fill = m->cap_other;
	m->other = t;
	m->cap_other = cap;
}

int sockstate__owners_finish(sockstate__owners *m)
{
	size_t n = m->nfill;
	struct owner_entry *sorted;
	uint64_t *keys;
	int32_t *pids;

	m->nkeys = 0;
	if (n > UINT32_MAX - 1)
		return SOCKSTATE_ENOMEM;
	/* Exactly as many as were added: no slack on top of the walk's. */
	if (m->cap_other < n || !m->other) {
		struct owner_entry *p = realloc(m->other, (n ? n : 1) * sizeof *p);

		if (!p)
			return SOCKSTATE_ENOMEM;
		m->other = p;
		m->cap_other = n ? n : 1;
	}
	sorted = n ? sort_by_key(m->fill, m->other, n) : m->fill;
	/* The result goes into the array the sort did not end in: keys in
	 * its first 8n bytes, pids in its last 4n. */
	if (sorted == m->fill)
		swap_arrays(m);
	keys = (uint64_t *)(void *)m->fill;
	pids = (int32_t *)(void *)((char *)m->fill + n * sizeof *keys);
	m->nkeys = fold(sorted, n, keys, pids);
	m->keys = keys;
	m->pids = pids;
	/* The sorted entries are spent: their array takes the next walk. */
	m->nfill = 0;
	swap_arrays(m);
	if (index_build(m)) {
		m->nkeys = 0; /* finds nothing rather than a stale index */
		return SOCKSTATE_ENOMEM;
	}
	if (m->nnames)
		qsort(m->names, m->nnames, sizeof *m->names, name_cmp);
	return 0;
}

const int32_t *sockstate__owners_find(const sockstate__owners *m, uint64_t key,
                                      uint32_t *n)
{
	size_t first = 0, end;

	*n = 0;
	if (!m->index || !m->nkeys)
		return NULL;
	for (size_t j = sockstate__slot_of(key, m->index_mask);; j = (j + 1) & m->index_mask) {
		if (!m->index[j])
			return NULL;
		first = m->index[j] - 1;
		if (m->keys[first] == key)
			break;
	}
	for (end = first; end < m->nkeys && m->keys[end] == key; end++)
		;
	*n = (uint32_t)(end - first);
	return &m->pids[first];
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

void sockstate__owners_storage(const sockstate__owners *m,
                               const int32_t **pids, size_t *npids,
                               const char **pool, size_t *pool_len)
{
	*pids = m->pids;
	*npids = m->nkeys;
	*pool = m->pool;
	*pool_len = m->pool_len;
}

size_t sockstate__owners_memory(const sockstate__owners *m)
{
	return m->cap_fill * sizeof *m->fill + m->cap_other * sizeof *m->other +
	       (m->index ? (m->index_mask + 1) * sizeof *m->index : 0) +
	       m->cap_names * sizeof *m->names + m->pool_cap;
}
