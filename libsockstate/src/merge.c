/* merge.c - several enumerations as one: counts added up, snapshots
 * concatenated into one allocation (one handle per network namespace is
 * the usual reason). */
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

SOCKSTATE_API void sockstate_counts_merge(sockstate_counts *dst, const sockstate_counts *src)
{
	if (!dst || !src)
		return;
	dst->total += src->total;
	for (size_t s = 0; s < SOCKSTATE_STATE_COUNT; s++) {
		dst->by_state[s] += src->by_state[s];
		dst->by_family_state[0][s] += src->by_family_state[0][s];
		dst->by_family_state[1][s] += src->by_family_state[1][s];
	}
	dst->rx_queue_total += src->rx_queue_total;
	dst->tx_queue_total += src->tx_queue_total;
}

static size_t align_up(size_t n)
{
	return (n + 15u) & ~(size_t)15u;
}

/* Strings are copied once per distinct pointer in a row: records of one
 * part share their process names, netns label and zones, so this keeps the copy
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
