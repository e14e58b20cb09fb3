/* query.c - filters: set from text, normalize, and match in user space
 * with exactly the kernel's semantics (an IPv4 prefix also matches
 * IPv4-mapped IPv6 sockets, as inet_diag's hostcond does). */
#include <string.h>

#include "core_internal.h"

#define FAMILIES_BOTH ((1u << SOCKSTATE_FAMILY_IPV4) | (1u << SOCKSTATE_FAMILY_IPV6))

SOCKSTATE_API void sockstate_query_init(sockstate_query *q)
{
	if (!q)
		return;
	memset(q, 0, sizeof *q);
	q->size = sizeof *q;
	q->port = q->sport = q->dport = -1;
	q->pid = -1;
	q->uid = -1;
}

void sockstate__query_normalize(const sockstate_query *in, sockstate_query *out)
{
	if (in)
		*out = *in;
	else
		sockstate_query_init(out);
	out->size = sizeof *out;
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

	if (!q || !key || !value || q->size < sizeof *q)
		return SOCKSTATE_EINVAL;
	n = *q;
	if (!strcmp(key, "state"))
		rc = sockstate_states_parse(value, &n.states, NULL);
	else if (!strcmp(key, "port"))
		rc = set_port(&n.port, value);
	else if (!strcmp(key, "sport"))
		rc = set_port(&n.sport, value);
	else if (!strcmp(key, "dport"))
		rc = set_port(&n.dport, value);
	else if (!strcmp(key, "addr"))
		rc = sockstate_prefix_parse(value, &n.addr);
	else if (!strcmp(key, "saddr"))
		rc = sockstate_prefix_parse(value, &n.saddr);
	else if (!strcmp(key, "daddr"))
		rc = sockstate_prefix_parse(value, &n.daddr);
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
	if (rc == 0)
		*q = n;
	return rc;
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

int sockstate__match(const sockstate_query *q, const sockstate_socket *s, uint32_t skip)
{
	if (!(skip & SOCKSTATE__F_STATES) &&
	    !(q->states & SOCKSTATE_STATE_BIT(s->state)))
		return 0;
	if (!(skip & SOCKSTATE__F_FAMILY) && !(q->families & (1u << s->family)))
		return 0;
	if (!(skip & SOCKSTATE__F_PORTS)) {
		if (q->port >= 0 && s->local.port != q->port && s->remote.port != q->port)
			return 0;
		if (q->sport >= 0 && s->local.port != q->sport)
			return 0;
		if (q->dport >= 0 && s->remote.port != q->dport)
			return 0;
	}
	if (!(skip & SOCKSTATE__F_ADDRS)) {
		if (q->addr.family && !prefix_match(&q->addr, s->family, &s->local) &&
		    !prefix_match(&q->addr, s->family, &s->remote))
			return 0;
		if (q->saddr.family && !prefix_match(&q->saddr, s->family, &s->local))
			return 0;
		if (q->daddr.family && !prefix_match(&q->daddr, s->family, &s->remote))
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
