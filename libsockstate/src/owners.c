/* owners.c - the owner map: key (Linux inode, FreeBSD socket address)
 * -> ascending pids, and pid -> process name.
 *
 * Filled by a platform's owner walk in any order, then finished once:
 * pairs are sorted and split into parallel key/pid arrays, so the owners
 * of a key are one contiguous run of pids that records can point at, and
 * a hash index finds a key's run in one probe.
 * Memory is kept across reset() so a monitoring loop allocates once. */
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

struct owner_pair {
	uint64_t key;
	int32_t pid;
};

struct pid_name {
	int32_t pid;
	uint32_t offset;  /* into pool */
};

struct sockstate__owners {
	struct owner_pair *pairs;
	size_t npairs, cap_pairs;
	uint64_t *keys;   /* after finish: sorted unique-pair keys */
	int32_t *pids;    /* parallel to keys */
	size_t nkeys, cap_keys, cap_pids;
	uint32_t *index;  /* after finish: open addressing over the first
	                     position of each key's run, + 1 (0: free) */
	size_t index_mask;
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

sockstate__owners *sockstate__owners_new(void)
{
	return calloc(1, sizeof(sockstate__owners));
}

void sockstate__owners_free(sockstate__owners *m)
{
	if (!m)
		return;
	free(m->pairs);
	free(m->keys);
	free(m->pids);
	free(m->index);
	free(m->names);
	free(m->pool);
	free(m);
}

void sockstate__owners_reset(sockstate__owners *m)
{
	m->npairs = m->nkeys = m->nnames = m->pool_len = 0;
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
	if (grow((void **)&m->pairs, &m->cap_pairs, m->npairs + 1, sizeof *m->pairs))
		return SOCKSTATE_ENOMEM;
	m->pairs[m->npairs++] = (struct owner_pair){key, pid};
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
	for (size_t i = 0; i < src->npairs; i++)
		if (sockstate__owners_add(dst, src->pairs[i].key, src->pairs[i].pid) < 0)
			return SOCKSTATE_ENOMEM;
	for (size_t i = 0; i < src->nnames; i++)
		if (sockstate__owners_name(dst, src->names[i].pid,
		                           src->pool + src->names[i].offset) < 0)
			return SOCKSTATE_ENOMEM;
	sockstate__owners_note_unreadable(dst, src->unreadable, src->hidden);
	return 0;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct owner_pair *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int name_cmp(const void *a, const void *b)
{
	const struct pid_name *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Every record of a query looks its key up once: a hash index (built
 * where the map is built, often on its own thread) makes that one probe
 * instead of a binary search's ~16 cache misses. At most half full. */
static int index_build(sockstate__owners *m)
{
	size_t slots = 64;

	while (slots < 2 * m->nkeys)
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

int sockstate__owners_finish(sockstate__owners *m)
{
	size_t n = 0;

	if (m->npairs)
		qsort(m->pairs, m->npairs, sizeof *m->pairs, pair_cmp);
	if (grow((void **)&m->keys, &m->cap_keys, m->npairs, sizeof *m->keys) ||
	    grow((void **)&m->pids, &m->cap_pids, m->npairs, sizeof *m->pids))
		return SOCKSTATE_ENOMEM;
	for (size_t i = 0; i < m->npairs; i++) {
		if (n && m->keys[n - 1] == m->pairs[i].key && m->pids[n - 1] == m->pairs[i].pid)
			continue; /* a process holding the socket on two fds */
		m->keys[n] = m->pairs[i].key;
		m->pids[n] = m->pairs[i].pid;
		n++;
	}
	m->nkeys = n;
	if (n > UINT32_MAX - 1)
		return SOCKSTATE_ENOMEM;
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
