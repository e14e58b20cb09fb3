/* query.c - filters: set from text, normalize, and match in user space
 * with exactly the kernel's semantics (an IPv4 prefix also matches
 * IPv4-mapped IPv6 sockets, as inet_diag's hostcond does). */
#include <string.h>

#include "core_internal.h"

#define FAMILIES_BOTH ((1u << SOCKSTATE_FAMILY_IPV4) | (1u << SOCKSTATE_FAMILY_IPV6))

static void alt_init(sockstate_query_alt *a)
{
	memset(a, 0, sizeof *a);
	a->port = a->sport = a->dport = -1;
}

SOCKSTATE_API void sockstate_query_init(sockstate_query *q)
{
	if (!q)
		return;
	memset(q, 0, sizeof *q);
	q->size = sizeof *q;
	q->port = q->sport = q->dport = -1;
	q->pid = -1;
	q->uid = -1;
	for (size_t i = 0; i < SOCKSTATE_QUERY_ALT_MAX; i++)
		alt_init(&q->alt[i]);
}

void sockstate__query_normalize(const sockstate_query *in, sockstate_query *out)
{
	sockstate_query_init(out);
	/* A caller built against an older header has a shorter struct: its
	 * fields, and the defaults for those it does not have. */
	if (in)
		memcpy(out, in, in->size < sizeof *out ? in->size : sizeof *out);
	out->size = sizeof *out;
	if (out->alt_count > SOCKSTATE_QUERY_ALT_MAX)
		out->alt_count = SOCKSTATE_QUERY_ALT_MAX;
	if (!out->states)
		out->states = SOCKSTATE_STATES_DEFAULT;
	out->families &= FAMILIES_BOTH;
	if (!out->families)
		out->families = FAMILIES_BOTH;
	if (out->pid >= 0)
		out->flags |= SOCKSTATE_Q_PIDS;
}

uint32_t sockstate__query_states(const sockstate_query *q)
{
	return q && q->states ? q->states : SOCKSTATE_STATES_DEFAULT;
}

sockstate_query_alt sockstate__query_alt(const sockstate_query *q, size_t i)
{
	if (i == 0)
		return (sockstate_query_alt){q->port, q->sport, q->dport,
		                             q->addr, q->saddr, q->daddr};
	return q->alt[i - 1];
}

/* Where sockstate_query_set puts the six port and address filters: the
 * alternative sockstate_query_or started last, or the first. */
static void alt_store(sockstate_query *q, const sockstate_query_alt *a)
{
	if (q->alt_count == 0) {
		q->port = a->port;
		q->sport = a->sport;
		q->dport = a->dport;
		q->addr = a->addr;
		q->saddr = a->saddr;
		q->daddr = a->daddr;
	} else {
		q->alt[q->alt_count - 1] = *a;
	}
}

static int alt_empty(const sockstate_query_alt *a)
{
	return a->port < 0 && a->sport < 0 && a->dport < 0 && !a->addr.family &&
	       !a->saddr.family && !a->daddr.family;
}

static int set_port(int32_t *dst, const char *value)
{
	uint16_t port;
	int rc = sockstate_port_parse(value, &port);

	if (rc == 0)
		*dst = port;
	return rc;
}

static int set_family(uint32_t *dst, const char *v)
{
	if (!strcmp(v, "4") || !strcmp(v, "ipv4") || !strcmp(v, "inet"))
		*dst = 1u << SOCKSTATE_FAMILY_IPV4;
	else if (!strcmp(v, "6") || !strcmp(v, "ipv6") || !strcmp(v, "inet6"))
		*dst = 1u << SOCKSTATE_FAMILY_IPV6;
	else if (!strcmp(v, "all") || !strcmp(v, "any"))
		*dst = FAMILIES_BOTH;
	else
		return SOCKSTATE_EINVAL;
	return 0;
}

SOCKSTATE_API int sockstate_query_set(sockstate_query *q, const char *key,
                                      const char *value)
{
	sockstate_query n;
	uint64_t number;
	int rc;

	sockstate_query_alt a;
	size_t size;

	if (!q || !key || !value || q->size < SOCKSTATE__QUERY_MIN_SIZE)
		return SOCKSTATE_EINVAL;
	/* Only as much of q as its size says is the caller's (an older,
	 * shorter struct ends before the alternatives). */
	size = q->size < sizeof n ? q->size : sizeof n;
	sockstate_query_init(&n);
	memcpy(&n, q, size);
	if (n.alt_count > SOCKSTATE_QUERY_ALT_MAX)
		return SOCKSTATE_EINVAL;
	a = sockstate__query_alt(&n, n.alt_count);
	if (!strcmp(key, "state"))
		rc = sockstate_states_parse(value, &n.states, NULL);
	else if (!strcmp(key, "port"))
		rc = set_port(&a.port, value);
	else if (!strcmp(key, "sport"))
		rc = set_port(&a.sport, value);
	else if (!strcmp(key, "dport"))
		rc = set_port(&a.dport, value);
	else if (!strcmp(key, "addr"))
		rc = sockstate_prefix_parse(value, &a.addr);
	else if (!strcmp(key, "saddr"))
		rc = sockstate_prefix_parse(value, &a.saddr);
	else if (!strcmp(key, "daddr"))
		rc = sockstate_prefix_parse(value, &a.daddr);
	else if (!strcmp(key, "family"))
		rc = set_family(&n.families, value);
	else if (!strcmp(key, "pid")) {
		rc = sockstate__parse_unsigned(value, INT32_MAX, &number);
		if (rc == 0 && number == 0)
			rc = SOCKSTATE_ERANGE;
		n.pid = (int32_t)number;
	} else if (!strcmp(key, "uid")) {
		rc = sockstate__parse_unsigned(value, UINT32_MAX - 1u, &number);
		n.uid = (int64_t)number;
	} else
		rc = SOCKSTATE_EINVAL;
	if (rc == 0) {
		alt_store(&n, &a);
		memcpy(q, &n, size);
	}
	return rc;
}

SOCKSTATE_API int sockstate_query_or(sockstate_query *q)
{
	sockstate_query_alt current;

	if (!q || q->size < sizeof *q || q->alt_count > SOCKSTATE_QUERY_ALT_MAX)
		return SOCKSTATE_EINVAL;
	current = sockstate__query_alt(q, q->alt_count);
	if (alt_empty(&current))
		return SOCKSTATE_EINVAL;
	if (q->alt_count == SOCKSTATE_QUERY_ALT_MAX)
		return SOCKSTATE_ERANGE;
	alt_init(&q->alt[q->alt_count++]);
	return 0;
}

/* ---- matching ---- */

static int bits_match(const uint8_t *addr, const uint8_t *prefix, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(addr, prefix, whole))
		return 0;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff00u >> rest);
		return (addr[whole] & mask) == (prefix[whole] & mask);
	}
	return 1;
}

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static int prefix_match(const sockstate_prefix *p, uint8_t family,
                        const sockstate_endpoint *ep)
{
	if (p->family == family)
		return bits_match(ep->addr, p->addr, p->bits);
	if (p->family == SOCKSTATE_FAMILY_IPV4 && family == SOCKSTATE_FAMILY_IPV6 &&
	    !memcmp(ep->addr, v4mapped, sizeof v4mapped))
		return bits_match(ep->addr + 12, p->addr, p->bits);
	return 0;
}

static int pid_match(const sockstate_socket *s, int32_t pid)
{
	if (!(s->valid & SOCKSTATE_HAS_PID))
		return 0;
	if (!s->pids)
		return s->pid == pid;
	for (uint32_t i = 0; i < s->pid_count; i++)
		if (s->pids[i] == pid)
			return 1;
	return 0;
}

/* One alternative's port filters (when F_PORTS is not in skip) and
 * address filters (F_ADDRS). */
static int alt_match(const sockstate_query_alt *a, const sockstate_socket *s, uint32_t skip)
{
	if (!(skip & SOCKSTATE__F_PORTS)) {
		if (a->port >= 0 && s->local.port != a->port && s->remote.port != a->port)
			return 0;
		if (a->sport >= 0 && s->local.port != a->sport)
			return 0;
		if (a->dport >= 0 && s->remote.port != a->dport)
			return 0;
	}
	if (!(skip & SOCKSTATE__F_ADDRS)) {
		if (a->addr.family && !prefix_match(&a->addr, s->family, &s->local) &&
		    !prefix_match(&a->addr, s->family, &s->remote))
			return 0;
		if (a->saddr.family && !prefix_match(&a->saddr, s->family, &s->local))
			return 0;
		if (a->daddr.family && !prefix_match(&a->daddr, s->family, &s->remote))
			return 0;
	}
	return 1;
}

int sockstate__match(const sockstate_query *q, const sockstate_socket *s, uint32_t skip)
{
	const uint32_t ports_addrs = SOCKSTATE__F_PORTS | SOCKSTATE__F_ADDRS;
	uint32_t skip_pa = skip & ports_addrs;

	if (!(skip & SOCKSTATE__F_STATES) &&
	    !(q->states & SOCKSTATE_STATE_BIT(s->state)))
		return 0;
	if (!(skip & SOCKSTATE__F_FAMILY) && !(q->families & (1u << s->family)))
		return 0;
	/* Across alternatives the ports and addresses of one alternative hold
	 * together: a filter that applied one part of each could not be
	 * completed here. */
	if (q->alt_count && skip_pa != ports_addrs)
		skip_pa = 0;
	if (skip_pa != ports_addrs) {
		sockstate_query_alt first = sockstate__query_alt(q, 0);
		int any = alt_match(&first, s, skip_pa);

		for (uint32_t i = 0; !any && i < q->alt_count; i++)
			any = alt_match(&q->alt[i], s, skip_pa);
		if (!any)
			return 0;
	}
	if (!(skip & SOCKSTATE__F_UID) && q->uid >= 0 &&
	    (!(s->valid & SOCKSTATE_HAS_UID) || s->uid != q->uid))
		return 0;
	if (q->pid >= 0 && !pid_match(s, q->pid))
		return 0;
	return 1;
}

SOCKSTATE_API int sockstate_query_match(const sockstate_query *q,
                                        const sockstate_socket *s)
{
	sockstate_query n;

	if (!s)
		return 0;
	sockstate__query_normalize(q, &n);
	return sockstate__match(&n, s, 0);
}
