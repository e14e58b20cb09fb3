/* wait.c - drain and readiness conditions, each evaluated with one query
 * the backend filters itself (Linux: the local port and the states in the
 * kernel's sock_diag request), stopping at the first socket that settles
 * the answer. The polling loop belongs to the caller: the CLI and the
 * Python package sleep between checks. */
#include <string.h>

#include "core_internal.h"

/* What an exclusion match needs checked: the remote address only. */
#define EXCLUDE_SKIP \
	(SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY | SOCKSTATE__F_PORTS | SOCKSTATE__F_UID)

SOCKSTATE_API void sockstate_wait_cond_init(sockstate_wait_cond *c, sockstate_wait_kind kind,
                                            uint16_t port)
{
	if (!c)
		return;
	memset(c, 0, sizeof *c);
	c->size = sizeof *c;
	c->kind = kind;
	c->port = port;
}

static int cond_check(const sockstate_wait_cond *c)
{
	if (!c || c->size < sizeof *c)
		return SOCKSTATE_EINVAL;
	if (c->kind != SOCKSTATE_WAIT_LISTEN && c->kind != SOCKSTATE_WAIT_DRAINED)
		return SOCKSTATE_EINVAL;
	if (c->port < 0 || c->port > 65535 || (c->states & ~SOCKSTATE_STATES_ALL))
		return SOCKSTATE_EINVAL;
	if (c->exclude_count && !c->exclude_remote)
		return SOCKSTATE_EINVAL;
	for (size_t i = 0; i < c->exclude_count; i++) {
		const sockstate_prefix *p = &c->exclude_remote[i];
		/* A family-0 prefix means "no filter" in a query, which here
		 * would exclude everything: refuse it. */
		if (!((p->family == SOCKSTATE_FAMILY_IPV4 && p->bits <= 32) ||
		      (p->family == SOCKSTATE_FAMILY_IPV6 && p->bits <= 128)))
			return SOCKSTATE_EINVAL;
	}
	return 0;
}

struct probe {
	const sockstate_wait_cond *c;
	sockstate_query exclude;    /* normalized; daddr set per prefix */
};

static int excluded(struct probe *p, const sockstate_socket *s)
{
	if (p->c->kind != SOCKSTATE_WAIT_DRAINED)
		return 0;
	for (size_t i = 0; i < p->c->exclude_count; i++) {
		p->exclude.daddr = p->c->exclude_remote[i];
		if (sockstate__match(&p->exclude, s, EXCLUDE_SKIP))
			return 1;
	}
	return 0;
}

/* Stop at the first socket that is not excluded. */
static int first_blocker(const sockstate_socket *s, void *ctx)
{
	return excluded(ctx, s) ? 0 : 1;
}

/* Keep only the records that block: excluded ones are dropped in place. */
static void snapshot_drop_excluded(struct probe *p, sockstate_snapshot *snap)
{
	size_t kept = 0;

	for (size_t i = 0; i < snap->count; i++)
		if (!excluded(p, &snap->sockets[i]))
			snap->sockets[kept++] = snap->sockets[i];
	snap->count = kept;
}

SOCKSTATE_API int sockstate_wait_check(sockstate_handle *h, const sockstate_wait_cond *c,
                                       uint32_t flags, sockstate_snapshot **blockers)
{
	struct probe probe = {.c = c};
	sockstate_snapshot *snap = NULL;
	sockstate_query q;
	int rc;

	if (blockers)
		*blockers = NULL;
	if (!h)
		return SOCKSTATE_EINVAL;
	rc = cond_check(c);
	if (rc < 0)
		return sockstate__fail(h, rc, "wait condition: bad kind, port, states or "
		                       "excluded prefix");
	sockstate_query_init(&q);
	q.sport = c->port;
	q.families = c->families;
	q.states = c->kind == SOCKSTATE_WAIT_LISTEN ? SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN)
	           : c->states ? c->states : SOCKSTATE_WAIT_DRAIN_DEFAULT;
	sockstate__query_normalize(NULL, &probe.exclude);
	if (!blockers || c->kind == SOCKSTATE_WAIT_LISTEN) {
		rc = sockstate_foreach(h, &q, first_blocker, &probe);
		if (rc < 0)
			return rc;
		/* LISTEN holds when a listener was found; a drain when none was. */
		if ((rc > 0) == (c->kind == SOCKSTATE_WAIT_LISTEN))
			return 1;
		if (!blockers)
			return 0;
		/* Nothing listens: no socket to show, an empty listing. */
		rc = sockstate_snapshot_merge(NULL, 0, &snap);
		if (rc < 0)
			return sockstate__fail(h, rc, "out of memory");
		snap->backend = sockstate_backend(h);
		*blockers = snap;
		return 0;
	}
	q.flags = flags & SOCKSTATE_Q_PIDS;
	rc = sockstate_snapshot_take(h, &q, &snap);
	if (rc < 0)
		return rc;
	snapshot_drop_excluded(&probe, snap);
	if (snap->count == 0) {
		sockstate_snapshot_free(snap);
		return 1;
	}
	*blockers = snap;
	return 0;
}
