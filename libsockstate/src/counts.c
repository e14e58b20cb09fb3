/* counts.c - per-state counts: a consumer of the run that keeps no
 * record, and the sums of several counts (one per network namespace). */
#include <string.h>

#include "core_internal.h"

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

