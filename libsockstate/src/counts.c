/* counts.c - per-state counts: a consumer of the run that keeps no
 * record, with the per-port counts of the Prometheus output beside it,
 * the sums of several counts (one per network namespace), and the one
 * rule for which states a writer shows. */
#include <stddef.h>
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

SOCKSTATE_API void sockstate_port_counts_add(sockstate_port_counts *ports, size_t n,
                                             const sockstate_socket *s)
{
	unsigned state = s->state < SOCKSTATE_STATE_COUNT ? s->state : SOCKSTATE_UNKNOWN;

	for (size_t i = 0; i < n; i++) {
		if (s->local.port == ports[i].port)
			ports[i].local[state]++;
		if (s->remote.port == ports[i].port)
			ports[i].remote[state]++;
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
	if (rc == 0) {
		c.states = sockstate__query_states(q);
		*out = c;
	}
	return rc;
}

struct port_count {
	sockstate_counts *c;
	sockstate_port_counts *ports;
	size_t n;
};

static int port_count_one(const sockstate_socket *s, void *ctx)
{
	struct port_count *pc = ctx;

	sockstate_counts_add(pc->c, s);
	sockstate_port_counts_add(pc->ports, pc->n, s);
	return 0;
}

SOCKSTATE_API int sockstate_count_ports(sockstate_handle *h, const sockstate_query *q,
                                        sockstate_counts *c, sockstate_port_counts *ports,
                                        size_t n)
{
	struct port_count pc = {c, ports, n};

	if (!h || !c || c->size < sizeof *c || (n && !ports))
		return SOCKSTATE_EINVAL;
	if (n > SOCKSTATE_PORTS_MAX)
		return SOCKSTATE_ERANGE;
	for (size_t i = 0; i < n; i++)
		if (ports[i].size < sizeof ports[i])
			return SOCKSTATE_EINVAL;
	/* Counted as soon as the walk starts: a failure leaves partial
	 * counts of these states, never counts of states not asked for. */
	c->states |= sockstate__query_states(q);
	return sockstate__run(h, q, port_count_one, &pc);
}

/* c->states, where c is big enough to hold it; 0 (unknown) otherwise. */
static uint32_t counted_states(const sockstate_counts *c)
{
	if (c->size < offsetof(sockstate_counts, states) + sizeof c->states)
		return 0;
	return c->states & SOCKSTATE_STATES_ALL;
}

SOCKSTATE_API void sockstate_counts_merge(sockstate_counts *dst, const sockstate_counts *src)
{
	uint32_t states;

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
	states = counted_states(src);
	if (!states && src->total)
		states = SOCKSTATE_STATES_ALL;
	if (dst->size >= offsetof(sockstate_counts, states) + sizeof dst->states)
		dst->states |= states;
}

SOCKSTATE_API uint32_t sockstate_counts_states(const sockstate_counts *c)
{
	uint32_t shown;

	if (!c)
		return 0;
	shown = counted_states(c);
	if (!shown)
		return SOCKSTATE_STATES_ALL;
	for (unsigned s = 0; s < SOCKSTATE_STATE_COUNT; s++)
		if (c->by_state[s])
			shown |= SOCKSTATE_STATE_BIT(s);
	return shown;
}
