/* diagnose_decide.c - from what was seen to findings: a pure function of
 * the facts (the sockets, two samples of the TCP counters, the ephemeral
 * port range, the probe's outcome) that makes no system call, so every
 * rule is unit-tested on constructed facts with its thresholds at their
 * edges (tests/unit/test_diagnose.c). docs/DIAGNOSE.md says why each
 * threshold is what it is.
 *
 * Scope: with a port, the server-side rules look at the sockets whose
 * local port it is; with a destination (`to`), the client-side rules at
 * the sockets towards it (and, when it is a loopback address, the
 * server-side rules at its port too: the service is on this host);
 * with neither, every rule looks at every socket. Counters are
 * host-wide: the rules that rest on them alone run in every scope that
 * includes their side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose_internal.h"
#include "outbuf.h"

#define LANGS SOCKSTATE__LANG_COUNT

/* What the caller gets: the public struct first, the rest private. */
struct diagnosis_impl {
	sockstate_diagnosis pub;
	sockstate_snapshot *kept;          /* freed with the diagnosis */
	const char *const *headlines;      /* [count][LANGS] */
};

/* One finding while deciding. */
struct pending {
	sockstate_finding f;
	size_t first_socket;               /* its sockets in builder.ev */
	char *headline[LANGS];
	uint16_t ports[6];                 /* the local ports of all its
	                                      sockets, as found */
	size_t nports;
	int more_ports;                    /* and others beyond those */
};

struct builder {
	const struct sockstate__diag_facts *in;
	struct pending *items;
	size_t n, cap;
	sockstate_socket *ev;              /* evidence sockets, all findings */
	size_t nev, evcap;
	uint8_t checks[SOCKSTATE_FINDING_MAX];
	uint32_t notes[SOCKSTATE_FINDING_MAX];
	int oom;
	/* the scope */
	int host_wide;
	int32_t port;                      /* server side: -1 none */
	uint8_t addr_family;               /* with port: the address asked */
	sockstate_endpoint addr;
	int to_given;
	/* the counters */
	int counters;                      /* a first sample */
	int window;                        /* and a second */
	uint64_t both_known;               /* known in every sample taken */
	uint64_t delta[SOCKSTATE_COUNTER_MAX];
	uint64_t delta_known;              /* a change could be computed */
};

/* ---- addresses ---- */

/* The address of (family, ep) in one form: an IPv4-mapped IPv6 address
 * is its IPv4 address, as a listener or a filter sees it. */
struct addr {
	uint8_t family;
	uint8_t bytes[16];
};

static int is_mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(a, prefix, sizeof prefix) == 0;
}

static struct addr addr_of(uint8_t family, const sockstate_endpoint *ep)
{
	struct addr a;

	memset(&a, 0, sizeof a);
	a.family = family;
	if (family == SOCKSTATE_FAMILY_IPV6 && is_mapped(ep->addr)) {
		a.family = SOCKSTATE_FAMILY_IPV4;
		memcpy(a.bytes, ep->addr + 12, 4);
	} else {
		memcpy(a.bytes, ep->addr, family == SOCKSTATE_FAMILY_IPV4 ? 4 : 16);
	}
	return a;
}

static int addr_equal(struct addr a, struct addr b)
{
	return a.family == b.family && memcmp(a.bytes, b.bytes, 16) == 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* 0.0.0.0 or :: (not a mapped 0.0.0.0: that is an IPv4 socket's view). */
static int is_wildcard(uint8_t family, const sockstate_endpoint *ep)
{
	return all_zero(ep->addr, family == SOCKSTATE_FAMILY_IPV4 ? 4 : 16);
}

static int is_loopback(uint8_t family, const sockstate_endpoint *ep)
{
	struct addr a = addr_of(family, ep);

	if (a.family == SOCKSTATE_FAMILY_IPV4)
		return a.bytes[0] == 127;
	return all_zero(a.bytes, 15) && a.bytes[15] == 1;
}

static int remote_is(const sockstate_socket *s, uint8_t family, const sockstate_endpoint *to)
{
	return s->remote.port == to->port &&
	       addr_equal(addr_of(s->family, &s->remote), addr_of(family, to));
}

/* ---- the scope ---- */

static int in_server(const struct builder *b, const sockstate_socket *s)
{
	return b->host_wide || (b->port >= 0 && s->local.port == (uint16_t)b->port);
}

static int in_client(const struct builder *b, const sockstate_socket *s)
{
	const sockstate_diagnose_options *o = b->in->o;

	return b->host_wide || (b->to_given && remote_is(s, o->to_family, &o->to));
}

static int server_side(const struct builder *b)
{
	return b->host_wide || b->port >= 0;
}

static int client_side(const struct builder *b)
{
	return b->host_wide || b->to_given;
}

/* ---- counters ---- */

static void counters_prepare(struct builder *b)
{
	const sockstate_tcp_counters *x = b->in->before, *y = b->in->after;

	b->counters = x != NULL;
	b->window = x != NULL && y != NULL;
	b->both_known = x ? x->valid : 0;
	if (b->window)
		b->both_known &= y->valid;
	for (unsigned k = 0; b->window && k < SOCKSTATE_COUNTER_COUNT; k++) {
		/* A counter that went down (a 32-bit one wrapped: macOS,
		 * Windows) has no change we could trust. */
		if ((b->both_known & SOCKSTATE_COUNTER_BIT(k)) && y->value[k] >= x->value[k]) {
			b->delta[k] = y->value[k] - x->value[k];
			b->delta_known |= SOCKSTATE_COUNTER_BIT(k);
		}
	}
}

static int delta_of(const struct builder *b, sockstate_counter k, uint64_t *v)
{
	*v = b->delta[k];
	return (b->delta_known & SOCKSTATE_COUNTER_BIT(k)) != 0;
}

/* The notes of a rule that rests on changes of the counters in mask:
 * returns 1 when at least one of them has a change to judge. */
static int counters_usable(struct builder *b, sockstate_finding_code code, uint64_t mask)
{
	if (!b->counters) {
		b->notes[code] |= SOCKSTATE_NOTE_NO_COUNTERS;
		return 0;
	}
	if ((b->both_known & mask) != mask)
		b->notes[code] |= SOCKSTATE_NOTE_COUNTER_UNKNOWN;
	if (!(b->both_known & mask))
		return 0;
	if (!b->window) {
		b->notes[code] |= SOCKSTATE_NOTE_SINCE_BOOT;
		return 0;
	}
	return (b->delta_known & mask) != 0;
}

/* A rule none of whose parts could be used: not judged when a second
 * sample would have let its counters speak (SINCE_BOOT is only noted
 * when one of them is known), else not checked. */
static void cannot_judge(struct builder *b, sockstate_finding_code code)
{
	b->checks[code] = (b->notes[code] & SOCKSTATE_NOTE_SINCE_BOOT)
	                  ? SOCKSTATE_CHECK_NOT_JUDGED : SOCKSTATE_CHECK_NOT_CHECKED;
}

static void not_asked(struct builder *b, sockstate_finding_code code, uint32_t note)
{
	b->checks[code] = SOCKSTATE_CHECK_NOT_ASKED;
	b->notes[code] |= note;
}

/* ---- findings ---- */

static struct pending *add(struct builder *b, sockstate_finding_code code,
                           sockstate_severity sev, unsigned variant)
{
	struct pending *p;

	if (b->oom)
		return NULL;
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 8;
		struct pending *items = realloc(b->items, cap * sizeof *items);

		if (!items) {
			b->oom = 1;
			return NULL;
		}
		b->items = items;
		b->cap = cap;
	}
	p = &b->items[b->n++];
	memset(p, 0, sizeof *p);
	p->f.size = sizeof p->f;
	p->f.code = (uint8_t)code;
	p->f.severity = (uint8_t)sev;
	p->f.variant = (uint8_t)variant;
	p->f.pid = -1;
	p->first_socket = b->nev;
	b->checks[code] = SOCKSTATE_CHECK_FOUND;
	return p;
}

/* One more socket the finding rests on: counted, and kept while there is
 * room (the finding's sockets must be the last ones added). */
static void evidence(struct builder *b, struct pending *p, const sockstate_socket *s)
{
	size_t j;

	if (!p)
		return;
	p->f.sockets_total++;
	for (j = 0; j < p->nports && p->ports[j] != s->local.port; j++)
		;
	if (j == p->nports && p->nports < sizeof p->ports / sizeof p->ports[0])
		p->ports[p->nports++] = s->local.port;
	else if (j == p->nports)
		p->more_ports = 1;
	if (p->f.socket_count == SOCKSTATE_FINDING_SOCKETS_MAX || b->oom)
		return;
	if (b->nev == b->evcap) {
		size_t cap = b->evcap ? 2 * b->evcap : 32;
		sockstate_socket *ev = realloc(b->ev, cap * sizeof *ev);

		if (!ev) {
			b->oom = 1;
			return;
		}
		b->ev = ev;
		b->evcap = cap;
	}
	b->ev[b->nev++] = *s;
	p->f.socket_count++;
}

/* ---- text of a headline ---- */

static void endpoint_text(char *buf, size_t len, uint8_t family, const sockstate_endpoint *ep,
                          int with_port)
{
	char tmp[80];           /* no zone name: a numeric scope fits */

	if (with_port && sockstate__fmt_endpoint_port(tmp, sizeof tmp, family, ep, NULL) > 0) {
		snprintf(buf, len, "%s", tmp);
		return;
	}
	if (sockstate_endpoint_format((sockstate_family)family, ep, tmp, sizeof tmp) < 0)
		snprintf(tmp, sizeof tmp, "?");
	snprintf(buf, len, "%s", tmp);
}

/* x/y as a percentage with one decimal ("85.7"; "80" when whole). */
static void percent_text(char *buf, size_t len, uint64_t x, uint64_t y)
{
	uint64_t tenths = y ? (x * 1000 + y / 2) / y : 0;

	if (tenths % 10 == 0)
		snprintf(buf, len, "%llu", (unsigned long long)(tenths / 10));
	else
		snprintf(buf, len, "%llu.%llu", (unsigned long long)(tenths / 10),
		         (unsigned long long)(tenths % 10));
}

static void seconds_text(char *buf, size_t len, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	snprintf(buf, len, "%lld.%lld", (long long)(ms / 1000), (long long)(ms % 1000 / 100));
}

/* The texts every headline may use, from the finding and the facts. */
struct text_bufs {
	char local[80], remote[80], address[80], listeners[256], owner[300], ports[64];
	char percent[24], seconds[24], ms[24], error[128];
};

static void headline_args(const struct builder *b, const struct pending *p,
                          struct text_bufs *t, struct sockstate__text_args *a)
{
	const sockstate_finding *f = &p->f;
	const sockstate_probe *probe = b->in->probe;
	uint16_t ports[6];
	size_t nports, more;

	memset(a, 0, sizeof *a);
	a->count = f->count;
	a->limit = f->limit;
	a->port = b->port >= 0 ? (uint32_t)b->port : f->local.port;
	endpoint_text(t->local, sizeof t->local, f->family, &f->local, f->local.port != 0);
	endpoint_text(t->remote, sizeof t->remote, f->family, &f->remote, 1);
	endpoint_text(t->address, sizeof t->address, b->addr_family, &b->addr, 0);
	a->local = t->local;
	a->remote = t->remote;
	a->address = t->address;

	/* listeners: the endpoints of the sockets kept; ports: the distinct
	 * local ports of all its sockets, ascending */
	t->listeners[0] = '\0';
	for (size_t i = 0; i < f->socket_count; i++) {
		const sockstate_socket *s = &b->ev[p->first_socket + i];
		char ep[80];
		size_t used = strlen(t->listeners);

		endpoint_text(ep, sizeof ep, s->family, &s->local, 1);
		snprintf(t->listeners + used, sizeof t->listeners - used, "%s%s",
		         i ? ", " : "", ep);
	}
	memcpy(ports, p->ports, p->nports * sizeof ports[0]);
	nports = p->nports;
	more = (size_t)p->more_ports;
	for (size_t i = 1; i < nports; i++)
		for (size_t j = i; j > 0 && ports[j - 1] > ports[j]; j--) {
			uint16_t tmp = ports[j];
			ports[j] = ports[j - 1];
			ports[j - 1] = tmp;
		}
	t->ports[0] = '\0';
	for (size_t i = 0; i < nports; i++) {
		size_t used = strlen(t->ports);
		snprintf(t->ports + used, sizeof t->ports - used, "%s%u", i ? ", " : "",
		         (unsigned)ports[i]);
	}
	if (more)
		strncat(t->ports, ", ...", sizeof t->ports - strlen(t->ports) - 1);
	a->listeners = t->listeners;
	a->ports = t->ports;
	a->nports = nports + more;

	if (f->process)
		snprintf(t->owner, sizeof t->owner, "%s (pid %d)", f->process, f->pid);
	else
		snprintf(t->owner, sizeof t->owner, "pid %d", f->pid);
	a->owner = t->owner;
	percent_text(t->percent, sizeof t->percent, f->count, f->limit);
	a->percent = t->percent;
	seconds_text(t->seconds, sizeof t->seconds, b->in->window_ms);
	if (f->code == SOCKSTATE_FINDING_CONNECTION_TIMEOUT)
		seconds_text(t->seconds, sizeof t->seconds, probe->timeout_ms);
	a->seconds = t->seconds;
	snprintf(t->ms, sizeof t->ms, "%u", (unsigned)probe->elapsed_ms);
	a->ms = t->ms;
	snprintf(t->error, sizeof t->error, "%s",
	         probe->os_error_name ? probe->os_error_name
	         : b->in->probe_message ? b->in->probe_message : "?");
	a->error = t->error;
	a->backend = b->in->backend;
}

static void headlines_render(struct builder *b)
{
	for (size_t i = 0; i < b->n && !b->oom; i++) {
		struct pending *p = &b->items[i];
		struct sockstate__text_args args;
		struct text_bufs t;

		headline_args(b, p, &t, &args);
		for (int l = 0; l < LANGS && !b->oom; l++) {
			const char *tmpl = sockstate__headline((sockstate_finding_code)p->f.code,
			                                       p->f.variant, l);
			char buf[640];
			size_t n = sockstate__expand(tmpl ? tmpl : "?", &args, buf, sizeof buf);

			p->headline[l] = malloc(n + 1);
			if (!p->headline[l]) {
				b->oom = 1;
				break;
			}
			memcpy(p->headline[l], buf, n + 1);
		}
	}
}

/* ---- grouping: sockets sorted by a key of bytes ---- */

#define KEY_BYTES 40

struct keyed {
	uint8_t k[KEY_BYTES];
	size_t idx;                         /* into the facts' sockets */
};

static int keyed_cmp(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	int c = memcmp(a->k, b->k, KEY_BYTES);

	if (c)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void key_u16(uint8_t *k, uint16_t v)
{
	k[0] = (uint8_t)(v >> 8);
	k[1] = (uint8_t)v;
}

/* 17 bytes: the address in one form (family first). */
static void key_addr(uint8_t *k, uint8_t family, const sockstate_endpoint *ep)
{
	struct addr a = addr_of(family, ep);

	k[0] = a.family;
	memcpy(k + 1, a.bytes, 16);
}

/* Sort n keyed sockets (v may be NULL when n is 0). */
static struct keyed *keyed_sort(struct keyed *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof *v, keyed_cmp);
	return v;
}

static struct keyed *keyed_new(struct builder *b)
{
	struct keyed *v = malloc((b->in->count ? b->in->count : 1) * sizeof *v);

	if (!v)
		b->oom = 1;
	return v;
}

/* The end of the group that starts at i: keys equal in their first len
 * bytes. */
static size_t group_end(const struct keyed *v, size_t n, size_t i, size_t len)
{
	size_t j = i + 1;

	while (j < n && memcmp(v[j].k, v[i].k, len) == 0)
		j++;
	return j;
}

static const sockstate_socket *sock(const struct builder *b, size_t i)
{
	return &b->in->sockets[i];
}

/* ---- the rules ---- */

enum serve { SERVES_NO, SERVES_YES, SERVES_UNKNOWN };

/* Does listener l take connections to address a? */
static enum serve serves(const sockstate_socket *l, struct addr a)
{
	struct addr la = addr_of(l->family, &l->local);

	if (addr_equal(la, a))
		return SERVES_YES;
	if (!is_wildcard(l->family, &l->local))
		return SERVES_NO;
	if (l->family == SOCKSTATE_FAMILY_IPV4)
		return a.family == SOCKSTATE_FAMILY_IPV4 ? SERVES_YES : SERVES_NO;
	if (a.family == SOCKSTATE_FAMILY_IPV6)
		return SERVES_YES;
	/* [::] and an IPv4 client: dual-stack unless IPV6_V6ONLY */
	if (!(l->valid & SOCKSTATE_HAS_V6ONLY))
		return SERVES_UNKNOWN;
	return (l->local.flags & SOCKSTATE_ENDPOINT_V6ONLY) ? SERVES_NO : SERVES_YES;
}

static int v6only_wildcard(const sockstate_socket *l)
{
	return l->family == SOCKSTATE_FAMILY_IPV6 && is_wildcard(l->family, &l->local) &&
	       (l->valid & SOCKSTATE_HAS_V6ONLY) && (l->local.flags & SOCKSTATE_ENDPOINT_V6ONLY);
}

/* The listeners of one port and what they take. */
struct port_listeners {
	size_t n;
	enum serve ipv4;                  /* does any take IPv4 clients */
	const sockstate_socket *v6only;   /* a [::] listener with V6ONLY */
};

static struct port_listeners listeners_of(const struct builder *b, uint16_t port)
{
	static const sockstate_endpoint any_v4;
	struct addr v4 = addr_of(SOCKSTATE_FAMILY_IPV4, &any_v4);
	struct port_listeners pl = {0, SERVES_NO, NULL};

	for (size_t i = 0; i < b->in->count; i++) {
		const sockstate_socket *s = sock(b, i);
		enum serve sv;

		if (s->state != SOCKSTATE_LISTEN || s->local.port != port)
			continue;
		pl.n++;
		/* Any IPv4 address: the listener's own when it is IPv4 or
		 * mapped, else what a wildcard says of 0.0.0.0's family. */
		if (addr_of(s->family, &s->local).family == SOCKSTATE_FAMILY_IPV4)
			sv = SERVES_YES;
		else
			sv = is_wildcard(s->family, &s->local) ? serves(s, v4) : SERVES_NO;
		if (sv == SERVES_YES || (sv == SERVES_UNKNOWN && pl.ipv4 == SERVES_NO))
			pl.ipv4 = sv;
		if (v6only_wildcard(s) && !pl.v6only)
			pl.v6only = s;
	}
	return pl;
}

static void listener_counters(struct pending *p)
{
	if (p)
		p->f.counters = SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_RESETS_SENT);
}

static void set_local(struct pending *p, const sockstate_socket *s)
{
	if (!p)
		return;
	p->f.family = s->family;
	p->f.local = s->local;
	p->f.local.flags = 0;
}

static void rule_ipv6_only_host_wide(struct builder *b)
{
	const sockstate_finding_code code = SOCKSTATE_FINDING_IPV6_ONLY_LISTENER;

	for (size_t i = 0; i < b->in->count; i++) {
		const sockstate_socket *s = sock(b, i);
		struct port_listeners pl;
		int first = 1;

		if (s->state != SOCKSTATE_LISTEN || s->family != SOCKSTATE_FAMILY_IPV6 ||
		    !is_wildcard(s->family, &s->local))
			continue;
		/* once per port: at its first [::] listener */
		for (size_t j = 0; j < i && first; j++) {
			const sockstate_socket *t = sock(b, j);
			first = !(t->state == SOCKSTATE_LISTEN && t->family == SOCKSTATE_FAMILY_IPV6 &&
			          t->local.port == s->local.port && is_wildcard(t->family, &t->local));
		}
		if (!first)
			continue;
		pl = listeners_of(b, s->local.port);
		if (pl.ipv4 == SERVES_NO && pl.v6only) {
			struct pending *p = add(b, code, SOCKSTATE_SEVERITY_INFO, 0);
			set_local(p, pl.v6only);
			evidence(b, p, pl.v6only);
			listener_counters(p);
		} else if (pl.ipv4 == SERVES_UNKNOWN) {
			b->notes[code] |= SOCKSTATE_NOTE_NO_V6ONLY;
		}
	}
}

static void rule_listeners(struct builder *b)
{
	const sockstate_finding_code none = SOCKSTATE_FINDING_NO_LISTENER,
	                             elsewhere = SOCKSTATE_FINDING_LISTENER_NOT_ON_ADDRESS,
	                             v6only = SOCKSTATE_FINDING_IPV6_ONLY_LISTENER;
	uint16_t port = (uint16_t)b->port;
	struct port_listeners pl;
	struct pending *p;

	if (b->port < 0) {
		not_asked(b, none, SOCKSTATE_NOTE_NEEDS_PORT);
		not_asked(b, elsewhere, SOCKSTATE_NOTE_NEEDS_PORT);
		if (b->host_wide)
			rule_ipv6_only_host_wide(b);
		else
			not_asked(b, v6only, SOCKSTATE_NOTE_NEEDS_PORT);
		return;
	}
	pl = listeners_of(b, port);
	if (pl.n == 0) {
		p = add(b, none, SOCKSTATE_SEVERITY_CRITICAL, 0);
		for (size_t i = 0; i < b->in->count; i++)
			if (sock(b, i)->local.port == port)
				evidence(b, p, sock(b, i));
		if (p) {
			p->f.count = p->f.sockets_total;
			p->f.family = b->addr_family ? b->addr_family : SOCKSTATE_FAMILY_IPV4;
			if (b->addr_family)
				p->f.local = b->addr;
			p->f.local.port = port;
		}
		listener_counters(p);
		return;
	}

	if (b->addr_family) {
		struct addr a = addr_of(b->addr_family, &b->addr);
		enum serve best = SERVES_NO;

		for (size_t i = 0; i < b->in->count; i++) {
			const sockstate_socket *s = sock(b, i);
			enum serve sv;

			if (s->state != SOCKSTATE_LISTEN || s->local.port != port)
				continue;
			sv = serves(s, a);
			if (sv == SERVES_YES || (sv == SERVES_UNKNOWN && best == SERVES_NO))
				best = sv;
		}
		if (best == SERVES_YES)
			return;
		if (best == SERVES_UNKNOWN) {
			b->checks[elsewhere] = b->checks[v6only] = SOCKSTATE_CHECK_NOT_CHECKED;
			b->notes[elsewhere] |= SOCKSTATE_NOTE_NO_V6ONLY;
			b->notes[v6only] |= SOCKSTATE_NOTE_NO_V6ONLY;
			return;
		}
		if (a.family == SOCKSTATE_FAMILY_IPV4 && pl.ipv4 == SERVES_NO && pl.v6only) {
			/* the one reason IPv4 clients are refused */
			p = add(b, v6only, SOCKSTATE_SEVERITY_CRITICAL, 0);
			set_local(p, pl.v6only);
			evidence(b, p, pl.v6only);
			listener_counters(p);
			return;
		}
		p = add(b, elsewhere, SOCKSTATE_SEVERITY_CRITICAL, 0);
		for (size_t i = 0; i < b->in->count; i++)
			if (sock(b, i)->state == SOCKSTATE_LISTEN && sock(b, i)->local.port == port)
				evidence(b, p, sock(b, i));
		if (p) {
			p->f.family = b->addr_family;
			p->f.local = b->addr;
			p->f.local.port = port;
			p->f.count = p->f.sockets_total;
		}
		listener_counters(p);
		return;
	}

	/* No address asked: loopback only, and IPv6 only. */
	b->notes[elsewhere] |= SOCKSTATE_NOTE_NEEDS_ADDRESS;
	{
		size_t loop = 0;

		for (size_t i = 0; i < b->in->count; i++) {
			const sockstate_socket *s = sock(b, i);
			if (s->state == SOCKSTATE_LISTEN && s->local.port == port &&
			    is_loopback(s->family, &s->local))
				loop++;
		}
		if (loop == pl.n) {
			p = add(b, elsewhere, SOCKSTATE_SEVERITY_WARNING, 1);
			for (size_t i = 0; i < b->in->count; i++)
				if (sock(b, i)->state == SOCKSTATE_LISTEN &&
				    sock(b, i)->local.port == port)
					evidence(b, p, sock(b, i));
			if (p) {
				p->f.local.port = port;
				p->f.count = p->f.sockets_total;
			}
			listener_counters(p);
		}
	}
	if (pl.ipv4 == SERVES_NO && pl.v6only) {
		p = add(b, v6only, SOCKSTATE_SEVERITY_WARNING, 0);
		set_local(p, pl.v6only);
		evidence(b, p, pl.v6only);
		listener_counters(p);
	} else if (pl.ipv4 == SERVES_UNKNOWN) {
		b->checks[v6only] = SOCKSTATE_CHECK_NOT_CHECKED;
		b->notes[v6only] |= SOCKSTATE_NOTE_NO_V6ONLY;
	}
}

/* The listener's backlog, or 0 when this backend does not give it
 * (linux-proc prints none; Windows has no queues). */
static uint32_t backlog_of(const sockstate_socket *l)
{
	return (l->valid & SOCKSTATE_HAS_QUEUES) ? l->tx_queue : 0;
}

static void rule_accept_queue(struct builder *b)
{
	const sockstate_finding_code code = SOCKSTATE_FINDING_ACCEPT_QUEUE_OVERFLOW;
	const uint64_t mask = SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_LISTEN_OVERFLOWS) |
	                      SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_LISTEN_DROPS);
	size_t listeners = 0, blind = 0, full = 0;
	uint64_t dropped = 0;
	int counted;

	if (!server_side(b)) {
		not_asked(b, code, SOCKSTATE_NOTE_NEEDS_PORT);
		return;
	}
	for (size_t i = 0; i < b->in->count; i++) {
		const sockstate_socket *s = sock(b, i);
		uint32_t backlog;
		struct pending *p;

		if (s->state != SOCKSTATE_LISTEN || !in_server(b, s))
			continue;
		listeners++;
		backlog = backlog_of(s);
		if (backlog == 0) {
			blind++;
			continue;
		}
		if (s->rx_queue < backlog)
			continue;
		full++;
		p = add(b, code, SOCKSTATE_SEVERITY_CRITICAL, 0);
		set_local(p, s);
		evidence(b, p, s);
		if (p) {
			p->f.count = s->rx_queue;
			p->f.limit = backlog;
			p->f.pid = s->pid;
			p->f.process = s->process;
			p->f.counters = mask;
		}
	}
	if (blind)
		b->notes[code] |= SOCKSTATE_NOTE_NO_BACKLOG;
	counted = counters_usable(b, code, mask);
	if (counted && !delta_of(b, SOCKSTATE_COUNTER_LISTEN_DROPS, &dropped))
		delta_of(b, SOCKSTATE_COUNTER_LISTEN_OVERFLOWS, &dropped);
	if (!full && dropped > 0) {
		struct pending *p = add(b, code, SOCKSTATE_SEVERITY_WARNING, 1);

		if (p) {
			p->f.count = dropped;
			p->f.counters = mask;
		}
	}
	if (!full && !dropped && listeners && blind == listeners && !counted)
		cannot_judge(b, code);
}

static void rule_syn_received(struct builder *b)
{
	const sockstate_finding_code code = SOCKSTATE_FINDING_SYN_RECEIVED_PILE;
	const uint64_t mask = SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_SYNCOOKIES_SENT) |
	                      SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_REQUEST_QUEUE_FULL_DROPS);
	uint64_t cookies = 0, queue_full = 0;
	struct keyed *v;
	size_t n = 0, piles = 0;
	int overflow;

	if (!server_side(b)) {
		not_asked(b, code, SOCKSTATE_NOTE_NEEDS_PORT);
		return;
	}
	if (counters_usable(b, code, mask)) {
		delta_of(b, SOCKSTATE_COUNTER_SYNCOOKIES_SENT, &cookies);
		delta_of(b, SOCKSTATE_COUNTER_REQUEST_QUEUE_FULL_DROPS, &queue_full);
	}
	overflow = cookies > 0 || queue_full > 0;
	v = keyed_new(b);
	if (!v)
		return;
	for (size_t i = 0; i < b->in->count; i++) {
		const sockstate_socket *s = sock(b, i);

		if (s->state != SOCKSTATE_SYN_RECEIVED || !in_server(b, s))
			continue;
		memset(v[n].k, 0, KEY_BYTES);
		key_u16(v[n].k, s->local.port);
		v[n].idx = i;
		n++;
	}
	keyed_sort(v, n);
	for (size_t i = 0; i < n;) {
		size_t end = group_end(v, n, i, 2), stuck = 0;
		const sockstate_socket *first = sock(b, v[i].idx), *listener = NULL;
		uint32_t backlog = 0;
		int queue_at_limit;
		struct pending *p;

		/* Stuck: the SYN-ACK was sent again (no final ACK for a
		 * second); where the OS does not say, every one counts. */
		for (size_t j = i; j < end; j++) {
			const sockstate_socket *s = sock(b, v[j].idx);
			if (!(s->valid & SOCKSTATE_HAS_TIMER)) {
				b->notes[code] |= SOCKSTATE_NOTE_NO_RETRANSMITS;
				stuck++;
			} else if (s->retransmits >= 1) {
				stuck++;
			}
		}
		if (stuck < SOCKSTATE__SYN_RECEIVED_PILE) {
			i = end;
			continue;
		}
		for (size_t k = 0; k < b->in->count && !listener; k++)
			if (sock(b, k)->state == SOCKSTATE_LISTEN &&
			    sock(b, k)->local.port == first->local.port)
				listener = sock(b, k);
		if (listener)
			backlog = backlog_of(listener);
		queue_at_limit = backlog > 0 && end - i >= backlog;
		p = add(b, code, overflow || queue_at_limit ? SOCKSTATE_SEVERITY_CRITICAL
		                                           : SOCKSTATE_SEVERITY_WARNING,
		        overflow || queue_at_limit ? 1 : 0);
		set_local(p, listener ? listener : first);
		for (size_t j = i; j < end; j++)
			evidence(b, p, sock(b, v[j].idx));
		if (p) {
			p->f.count = stuck;
			p->f.limit = backlog;
			p->f.counters = mask;
			if (listener) {
				p->f.pid = listener->pid;
				p->f.process = listener->process;
			}
		}
		piles++;
		i = end;
	}
	free(v);
	if (!piles && overflow) {
		struct pending *p = add(b, code, SOCKSTATE_SEVERITY_WARNING, 2);

		if (p) {
			p->f.count = cookies ? cookies : queue_full;
			p->f.counters = mask;
		}
	}
}

static void rule_close_wait(struct builder *b)
{
	const sockstate_finding_code code = SOCKSTATE_FINDING_CLOSE_WAIT_LEAK;
	struct keyed *v = keyed_new(b);
	size_t n = 0;

	if (!v)
		return;
	for (size_t i = 0; i < b->in->count; i++) {
		const sockstate_socket *s = sock(b, i);
		int32_t pid;

		if (s->state != SOCKSTATE_CLOSE_WAIT || !(in_server(b, s) || in_client(b, s)))
			continue;
		pid = (s->valid & SOCKSTATE_HAS_PID) ? s->pid : -1;
		if (pid < 0)
			b->notes[code] |= SOCKSTATE_NOTE_OWNERS_UNKNOWN;
		memset(v[n].k, 0, KEY_BYTES);
		/* by pid; the unknown owner (-1) sorts first */
		key_u16(v[n].k, (uint16_t)(((uint32_t)pid + 0x80000000u) >> 16));
		key_u16(v[n].k + 2, (uint16_t)((uint32_t)pid + 0x80000000u));
		v[n].idx = i;
		n++;
	}
	keyed_sort(v, n);
	for (size_t i = 0; i < n;) {
		size_t end = group_end(v, n, i, 4), count = end - i;
		const sockstate_socket *first = sock(b, v[i].idx);
		int known = (first->valid & SOCKSTATE_HAS_PID) && first->pid >= 0;
		struct pending *p;

		if (count >= SOCKSTATE__CLOSE_WAIT_WARNING) {
			int critical = count >= SOCKSTATE__CLOSE_WAIT_CRITICAL;

			p = add(b, code, critical ? SOCKSTATE_SEVERITY_CRITICAL
			                          : SOCKSTATE_SEVERITY_WARNING, known ? 0 : 1);
			for (size_t j = i; j < end; j++)
				evidence(b, p, sock(b, v[j].idx));
			if (p) {
				p->f.count = count;
				p->f.limit = critical ? SOCKSTATE__CLOSE_WAIT_CRITICAL
				                      : SOCKSTATE__CLOSE_WAIT_WARNING;
				p->f.pid = known ? first->pid : -1;
				p->f.process = known && (first->valid & SOCKSTATE_HAS_PROCESS)
				               ? first->process : NULL;
			}
		}
		i = end;
	}
	free(v);
}

/* Was s (in SYN_SENT) in SYN_SENT already at the start of the window? */
static int seen_before(const struct builder *b, const sockstate_socket *s)
{
	for (size_t i = 0; i < b->in->syn_sent_before_count; i++) {
		const sockstate_socket *t = &b->in->syn_sent_before[i];

		if (t->family == s->family && t->local.port == s->local.port &&
		    t->remote.port == s->remote.port &&
		    memcmp(t->local.addr, s->local.addr, 16) == 0 &&
		    memcmp(t->remote.addr, s->remote.addr, 16) == 0)
			return 1;
	}
	return 0;
}

static void rule_syn_sent(struct builder *b)
{
	const sockstate_finding_code code = SOCKSTATE_FINDING_SYN_SENT_UNANSWERED;
	struct keyed *v;
	size_t n = 0, blind = 0, total = 0;

	if (!client_side(b)) {
		not_asked(b, code, SOCKSTATE_NOTE_NEEDS_TO);
		return;
	}
	v = keyed_new(b);
	if (!v)
		return;
	for (size_t i = 0; i < b->in->count; i++) {
		const sockstate_socket *s = sock(b, i);
		int unanswered;

		if (s->state != SOCKSTATE_SYN_SENT || !in_client(b, s))
			continue;
		total++;
		if (s->valid & SOCKSTATE_HAS_TIMER) {
			unanswered = s->retransmits >= 1 ||
			             (b->in->two_looks && seen_before(b, s));
		} else {
			blind++;
			unanswered = b->in->two_looks && seen_before(b, s);
		}
		if (!unanswered)
			continue;
		memset(v[n].k, 0, KEY_BYTES);
		key_addr(v[n].k, s->family, &s->remote);
		key_u16(v[n].k + 17, s->remote.port);
		v[n].idx = i;
		n++;
	}
	if (blind)
		b->notes[code] |= SOCKSTATE_NOTE_NO_RETRANSMITS;
	if (blind && !b->in->two_looks) {
		b->notes[code] |= SOCKSTATE_NOTE_SINCE_BOOT;
		if (blind == total && total)
			b->checks[code] = SOCKSTATE_CHECK_NOT_JUDGED;
	}
	keyed_sort(v, n);
	for (size_t i = 0; i < n;) {
		size_t end = group_end(v, n, i, 19);
		const sockstate_socket *first = sock(b, v[i].idx);
		struct pending *p = add(b, code, b->to_given ? SOCKSTATE_SEVERITY_CRITICAL
		                                             : SOCKSTATE_SEVERITY_WARNING, 0);

		for (size_t j = i; j < end; j++)
			evidence(b, p, sock(b, v[j].idx));
		if (p) {
			p->f.family = first->family;
			p->f.remote = first->remote;
			p->f.count = end - i;
			p->f.counters = SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_SYN_RETRANSMITS) |
			                SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_ATTEMPT_FAILS);
			p->f.pid = (first->valid & SOCKSTATE_HAS_PID) ? first->pid : -1;
			p->f.process = (first->valid & SOCKSTATE_HAS_PROCESS) ? first->process : NULL;
		}
		i = end;
	}
	free(v);
}

/* States that hold a local port towards a destination. */
static int holds_port(const sockstate_socket *s)
{
	switch (s->state) {
	case SOCKSTATE_SYN_SENT:
	case SOCKSTATE_ESTABLISHED:
	case SOCKSTATE_FIN_WAIT_1:
	case SOCKSTATE_FIN_WAIT_2:
	case SOCKSTATE_CLOSE_WAIT:
	case SOCKSTATE_CLOSING:
	case SOCKSTATE_LAST_ACK:
	case SOCKSTATE_TIME_WAIT:
		return s->remote.port != 0;
	default:
		return 0;
	}
}

static int in_range(const struct builder *b, uint16_t port)
{
	return port >= b->in->port_first && port <= b->in->port_last;
}

static uint64_t range_size(const struct builder *b)
{
	return (uint64_t)b->in->port_last - b->in->port_first + 1;
}

/* The sockets of the client scope that hold an ephemeral port, keyed by
 * (local address, destination) then local port; *n of them. */
static struct keyed *ports_by_destination(struct builder *b, size_t *n)
{
	struct keyed *v = keyed_new(b);

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < b->in->count; i++) {
		const sockstate_socket *s = sock(b, i);
		uint8_t *k = v[*n].k;

		if (!holds_port(s) || !in_range(b, s->local.port) || !in_client(b, s))
			continue;
		memset(k, 0, KEY_BYTES);
		key_addr(k, s->family, &s->remote);
		key_u16(k + 17, s->remote.port);
		key_addr(k + 19, s->family, &s->local);
		key_u16(k + 36, s->local.port);
		v[*n].idx = i;
		(*n)++;
	}
	return keyed_sort(v, *n);
}

/* Distinct local ports in the group [i, end): keys differ in the port. */
static uint64_t distinct_ports(const struct keyed *v, size_t i, size_t end)
{
	uint64_t d = 0;

	for (size_t j = i; j < end; j++)
		if (j == i || memcmp(v[j].k + 36, v[j - 1].k + 36, 2) != 0)
			d++;
	return d;
}

static void rule_ephemeral(struct builder *b)
{
	const sockstate_finding_code code = SOCKSTATE_FINDING_EPHEMERAL_PORTS_LOW;
	uint64_t size;
	struct keyed *v;
	size_t n;

	if (!client_side(b)) {
		not_asked(b, code, SOCKSTATE_NOTE_NEEDS_TO);
		return;
	}
	if (b->in->port_last == 0) {
		b->notes[code] |= SOCKSTATE_NOTE_NO_PORT_RANGE;
		b->checks[code] = SOCKSTATE_CHECK_NOT_CHECKED;
		return;
	}
	if (b->in->port_range_assumed)
		b->notes[code] |= SOCKSTATE_NOTE_PORT_RANGE_ASSUMED;
	size = range_size(b);
	v = ports_by_destination(b, &n);
	if (!v)
		return;
	for (size_t i = 0; i < n;) {
		size_t end = group_end(v, n, i, 36);
		uint64_t used = distinct_ports(v, i, end);
		const sockstate_socket *first = sock(b, v[i].idx);
		struct pending *p;

		if (used * 100 < size * SOCKSTATE__PORTS_WARNING_PCT) {
			i = end;
			continue;
		}
		p = add(b, code, used * 100 >= size * SOCKSTATE__PORTS_CRITICAL_PCT
		                 ? SOCKSTATE_SEVERITY_CRITICAL : SOCKSTATE_SEVERITY_WARNING, 0);
		for (size_t j = i; j < end; j++)
			evidence(b, p, sock(b, v[j].idx));
		if (p) {
			p->f.family = first->family;
			p->f.local = first->local;
			p->f.local.port = 0;
			p->f.local.flags = 0;
			p->f.remote = first->remote;
			p->f.count = used;
			p->f.limit = size;
		}
		i = end;
	}
	free(v);
}

static void rule_time_wait(struct builder *b)
{
	const sockstate_finding_code code = SOCKSTATE_FINDING_TIME_WAIT_PILE;
	const uint64_t mask = SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_TIME_WAIT_OVERFLOWS);
	uint64_t overflows = 0;
	int range = b->in->port_last != 0, counted;
	struct pending *p = NULL;

	if (!client_side(b)) {
		not_asked(b, code, SOCKSTATE_NOTE_NEEDS_TO);
		return;
	}
	if (!range)
		b->notes[code] |= SOCKSTATE_NOTE_NO_PORT_RANGE;
	else if (b->in->port_range_assumed)
		b->notes[code] |= SOCKSTATE_NOTE_PORT_RANGE_ASSUMED;
	if (range) {
		uint64_t size = range_size(b), n = 0;

		for (size_t i = 0; i < b->in->count; i++) {
			const sockstate_socket *s = sock(b, i);
			n += s->state == SOCKSTATE_TIME_WAIT && in_range(b, s->local.port) &&
			     in_client(b, s);
		}
		if (n * 100 >= size * SOCKSTATE__TIME_WAIT_PCT && n > 0) {
			p = add(b, code, SOCKSTATE_SEVERITY_WARNING, 0);
			for (size_t i = 0; i < b->in->count; i++) {
				const sockstate_socket *s = sock(b, i);
				if (s->state == SOCKSTATE_TIME_WAIT && in_range(b, s->local.port) &&
				    in_client(b, s))
					evidence(b, p, s);
			}
			if (p) {
				p->f.count = n;
				p->f.limit = size;
				p->f.counters = mask;
			}
		}
	}
	counted = counters_usable(b, code, mask);
	if (counted)
		delta_of(b, SOCKSTATE_COUNTER_TIME_WAIT_OVERFLOWS, &overflows);
	if (overflows > 0) {
		p = add(b, code, SOCKSTATE_SEVERITY_WARNING, 1);
		if (p) {
			p->f.count = overflows;
			p->f.counters = mask;
		}
	}
	if (!range && !counted && b->checks[code] != SOCKSTATE_CHECK_FOUND)
		cannot_judge(b, code);
}

static void rule_retransmissions(struct builder *b)
{
	const sockstate_finding_code code = SOCKSTATE_FINDING_RETRANSMISSIONS_HIGH;
	const uint64_t mask = SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_SEGMENTS_SENT) |
	                      SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED);
	uint64_t sent = 0, again = 0;
	struct pending *p;

	if (!counters_usable(b, code, mask) || !delta_of(b, SOCKSTATE_COUNTER_SEGMENTS_SENT, &sent) ||
	    !delta_of(b, SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED, &again)) {
		cannot_judge(b, code);
		return;
	}
	if (sent < SOCKSTATE__RETRANS_MIN_SENT ||
	    again * 1000 < sent * SOCKSTATE__RETRANS_WARNING_PERMILLE)
		return;
	p = add(b, code, again * 1000 >= sent * SOCKSTATE__RETRANS_CRITICAL_PERMILLE
	                 ? SOCKSTATE_SEVERITY_CRITICAL : SOCKSTATE_SEVERITY_WARNING, 0);
	if (p) {
		p->f.count = again;
		p->f.limit = sent;
		p->f.counters = mask | SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_TIMEOUTS);
	}
}

static void rule_probe(struct builder *b)
{
	static const sockstate_finding_code codes[] = {
		SOCKSTATE_FINDING_CONNECTION_REFUSED, SOCKSTATE_FINDING_CONNECTION_TIMEOUT,
		SOCKSTATE_FINDING_NO_ROUTE, SOCKSTATE_FINDING_NO_EPHEMERAL_PORT,
	};
	const sockstate_probe *probe = b->in->probe;
	const sockstate_diagnose_options *o = b->in->o;
	sockstate_finding_code code;
	struct pending *p;

	if (probe->result == SOCKSTATE_PROBE_NONE) {
		for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
			not_asked(b, codes[i], b->to_given ? SOCKSTATE_NOTE_NEEDS_PROBE
			                                   : SOCKSTATE_NOTE_NEEDS_TO);
		return;
	}
	switch (probe->result) {
	case SOCKSTATE_PROBE_REFUSED:
		code = SOCKSTATE_FINDING_CONNECTION_REFUSED;
		break;
	case SOCKSTATE_PROBE_TIMEOUT:
		code = SOCKSTATE_FINDING_CONNECTION_TIMEOUT;
		break;
	case SOCKSTATE_PROBE_NO_ROUTE:
		code = SOCKSTATE_FINDING_NO_ROUTE;
		break;
	case SOCKSTATE_PROBE_NO_PORT:
		code = SOCKSTATE_FINDING_NO_EPHEMERAL_PORT;
		break;
	default:
		return;
	}
	p = add(b, code, SOCKSTATE_SEVERITY_CRITICAL,
	        code == SOCKSTATE_FINDING_CONNECTION_TIMEOUT && probe->syn_retransmits < 0);
	if (!p)
		return;
	p->f.family = o->to_family;
	p->f.remote = o->to;
	if (code == SOCKSTATE_FINDING_CONNECTION_TIMEOUT) {
		p->f.count = probe->syn_retransmits >= 0 ? (uint64_t)probe->syn_retransmits + 1 : 0;
		p->f.counters = SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_SYN_RETRANSMITS);
	} else if (code == SOCKSTATE_FINDING_CONNECTION_REFUSED) {
		p->f.counters = SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_ATTEMPT_FAILS);
	} else if (code == SOCKSTATE_FINDING_NO_EPHEMERAL_PORT && b->in->port_last) {
		/* the ports towards it, from every local address */
		size_t n;
		struct keyed *v = ports_by_destination(b, &n);

		for (size_t i = 0; v && i < n; i++) {
			const sockstate_socket *s = sock(b, v[i].idx);
			if (remote_is(s, o->to_family, &o->to)) {
				p->f.count += i == 0 || memcmp(v[i].k + 36, v[i - 1].k + 36, 2) != 0 ||
				              memcmp(v[i].k, v[i - 1].k, 36) != 0;
				evidence(b, p, s);
			}
		}
		p->f.limit = range_size(b);
		free(v);
	}
}

/* ---- the result ---- */

static int pending_cmp(const void *x, const void *y)
{
	const struct pending *a = x, *b = y;

	if (a->f.severity != b->f.severity)
		return a->f.severity > b->f.severity ? -1 : 1;
	if (a->f.code != b->f.code)
		return a->f.code < b->f.code ? -1 : 1;
	return a->first_socket < b->first_socket ? -1 : a->first_socket > b->first_socket;
}

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

static int pack(struct builder *b, sockstate_diagnosis **out)
{
	const struct sockstate__diag_facts *in = b->in;
	size_t strings = 0, msg_len = in->probe_message ? strlen(in->probe_message) + 1 : 0;
	size_t at_findings = ALIGN8(sizeof(struct diagnosis_impl));
	size_t at_sockets = ALIGN8(at_findings + b->n * sizeof(sockstate_finding));
	size_t at_heads = ALIGN8(at_sockets + b->nev * sizeof(sockstate_socket));
	size_t at_text = at_heads + b->n * LANGS * sizeof(const char *);
	struct diagnosis_impl *d;
	sockstate_finding *findings;
	sockstate_socket *sockets;
	const char **heads;
	char *text;
	size_t ev = 0;

	for (size_t i = 0; i < b->n; i++)
		for (int l = 0; l < LANGS; l++)
			strings += strlen(b->items[i].headline[l]) + 1;
	d = calloc(1, at_text + strings + msg_len);
	if (!d)
		return SOCKSTATE_ENOMEM;
	findings = (sockstate_finding *)((char *)d + at_findings);
	sockets = (sockstate_socket *)((char *)d + at_sockets);
	heads = (const char **)((char *)d + at_heads);
	text = (char *)d + at_text;

	if (b->n > 1) /* an empty list may be a NULL array, which qsort must not get */
		qsort(b->items, b->n, sizeof *b->items, pending_cmp);
	for (size_t i = 0; i < b->n; i++) {
		const struct pending *p = &b->items[i];

		findings[i] = p->f;
		if (p->f.socket_count)
			memcpy(sockets + ev, b->ev + p->first_socket,
			       p->f.socket_count * sizeof *sockets);
		findings[i].sockets = p->f.socket_count ? sockets + ev : NULL;
		ev += p->f.socket_count;
		for (int l = 0; l < LANGS; l++) {
			size_t len = strlen(p->headline[l]) + 1;

			memcpy(text, p->headline[l], len);
			heads[i * LANGS + (size_t)l] = text;
			text += len;
		}
	}

	sockstate_diagnosis *pub = &d->pub;
	int lang = sockstate__lang_index(in->o->lang);

	pub->size = sizeof *pub;
	pub->lang = sockstate__lang_code(lang);
	pub->backend = in->backend;
	if (in->sys)
		pub->sys = *in->sys;
	pub->asked = *in->o;
	pub->asked.lang = pub->lang;
	pub->count = b->n;
	pub->findings = b->n ? findings : NULL;
	for (size_t i = 0; i < b->n; i++)
		findings[i].headline = heads[i * LANGS + (size_t)lang];
	d->headlines = heads;
	memcpy(pub->checks, b->checks, sizeof pub->checks);
	memcpy(pub->checks_notes, b->notes, sizeof pub->checks_notes);
	pub->before.size = sizeof pub->before;
	pub->after.size = sizeof pub->after;
	if (in->before) {
		pub->before = *in->before;
		pub->flags |= SOCKSTATE_DIAGNOSIS_COUNTERS;
	}
	if (in->after) {
		pub->after = *in->after;
		pub->flags |= SOCKSTATE_DIAGNOSIS_WINDOW;
		pub->window_ms = in->window_ms;
	}
	pub->counters_known = b->both_known;
	pub->counters_error = in->counters_error;
	if (in->port_last) {
		pub->port_first = in->port_first;
		pub->port_last = in->port_last;
		pub->port_range_source = in->port_range_source;
		pub->flags |= SOCKSTATE_DIAGNOSIS_PORT_RANGE;
	}
	pub->probe = *in->probe;
	if (msg_len) {
		memcpy(text, in->probe_message, msg_len);
		pub->probe.os_message = text;
	} else {
		pub->probe.os_message = NULL;
	}
	pub->sockets_seen = in->count;
	for (size_t i = 0; i < in->count; i++)
		pub->owners_unknown += in->sockets[i].state == SOCKSTATE_CLOSE_WAIT &&
		                       !(in->sockets[i].valid & SOCKSTATE_HAS_PID);
	*out = pub;
	return 0;
}

static void scope_prepare(struct builder *b)
{
	const sockstate_diagnose_options *o = b->in->o;

	b->port = o->port;
	b->addr_family = o->port >= 0 ? o->addr_family : 0;
	b->addr = o->addr;
	b->to_given = o->to_family != 0;
	/* A destination on this host: its service is here to look at. */
	if (b->port < 0 && b->to_given && is_loopback(o->to_family, &o->to)) {
		b->port = o->to.port;
		b->addr_family = o->to_family;
		b->addr = o->to;
	}
	b->addr.port = 0;
	b->host_wide = b->port < 0 && !b->to_given;
}

int sockstate__diagnose_decide(const struct sockstate__diag_facts *facts,
                               sockstate_diagnosis **out)
{
	struct builder b;
	int rc;

	*out = NULL;
	memset(&b, 0, sizeof b);
	b.in = facts;
	scope_prepare(&b);
	counters_prepare(&b);
	rule_listeners(&b);
	rule_accept_queue(&b);
	rule_syn_received(&b);
	rule_close_wait(&b);
	rule_syn_sent(&b);
	rule_ephemeral(&b);
	rule_time_wait(&b);
	rule_retransmissions(&b);
	rule_probe(&b);
	headlines_render(&b);
	rc = b.oom ? SOCKSTATE_ENOMEM : pack(&b, out);
	for (size_t i = 0; i < b.n; i++)
		for (int l = 0; l < LANGS; l++)
			free(b.items[i].headline[l]);
	free(b.items);
	free(b.ev);
	return rc;
}

void sockstate__diagnosis_keep(sockstate_diagnosis *d, sockstate_snapshot *snap)
{
	struct diagnosis_impl *impl = (struct diagnosis_impl *)d;

	sockstate_snapshot_free(impl->kept);
	impl->kept = snap;
}

const char *sockstate__finding_headline(const sockstate_diagnosis *d,
                                        const sockstate_finding *f, int lang)
{
	const struct diagnosis_impl *impl = (const struct diagnosis_impl *)d;
	size_t i = (size_t)(f - d->findings);

	if (lang < 0 || lang >= LANGS || i >= d->count)
		return f->headline;
	return impl->headlines[i * LANGS + (size_t)lang];
}

SOCKSTATE_API void sockstate_diagnosis_free(sockstate_diagnosis *d)
{
	struct diagnosis_impl *impl = (struct diagnosis_impl *)d;

	if (!d)
		return;
	sockstate_snapshot_free(impl->kept);
	free(impl);
}

SOCKSTATE_API int sockstate_diagnosis_worst(const sockstate_diagnosis *d)
{
	int worst = 0;

	for (size_t i = 0; d && i < d->count; i++)
		if (d->findings[i].severity > worst)
			worst = d->findings[i].severity;
	return worst;
}
