/* fuzz_query_set.c - the filter parser as the CLI and Python use it:
 * sockstate_query_set with every key, and the address/prefix and port
 * parsers underneath (libsockstate/src/query.c, address.c).
 *
 * Input: byte 0 picks the key (state, port, sport, dport, addr, saddr,
 * daddr, pid, uid, family, or the rest of the input up to '=' as a key of
 * its own); the rest is the value, as typed after --KEY.
 *
 * Checked:
 *   - the verdict is 0, SOCKSTATE_EINVAL or SOCKSTATE_ERANGE, and the
 *     query is untouched on error and changed only in its own field on
 *     success;
 *   - numbers against a model: digits only, no sign, no space; ports
 *     0-65535, pid 1-2147483647, uid 0-4294967294; too big is ERANGE,
 *     not a number is EINVAL;
 *   - addresses against the C library's inet_pton (the same text is an
 *     address for both or for neither, with the same bytes), prefixes
 *     against a model of "/LEN" (0-32 or 0-128), host bits cleared, and a
 *     parsed prefix printed with sockstate_endpoint_format and parsed
 *     again is the same prefix;
 *   - a socket built to pass the new filter passes it in
 *     sockstate_query_match (an IPv4 prefix also matching the socket's
 *     IPv4-mapped IPv6 twin, as the kernel's filter does). */
#include <arpa/inet.h>

#include "fuzz_common.h"

static const char *const keys[] = {"state", "port", "sport", "dport", "addr", "saddr",
                                   "daddr", "pid",  "uid",   "family"};
#define NKEYS (sizeof keys / sizeof keys[0])

/* ---- models ---- */

/* Digits only, nonempty, value <= max: 0; too big: ERANGE; else EINVAL. */
static int model_number(const char *v, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;
	int big = 0;

	if (!*v)
		return SOCKSTATE_EINVAL;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return SOCKSTATE_EINVAL;
		if (n > (UINT64_MAX - 9) / 10)
			big = 1;
		else
			n = n * 10 + (uint64_t)(*p - '0');
	}
	if (big || n > max)
		return SOCKSTATE_ERANGE;
	*out = n;
	return 0;
}

static int model_prefix(const char *v, sockstate_prefix *out)
{
	const char *slash = strchr(v, '/');
	size_t len = slash ? (size_t)(slash - v) : strlen(v);
	char *addr = fuzz_strndup((const uint8_t *)v, len);
	uint64_t bits;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (len >= 2 && addr[0] == '[' && addr[len - 1] == ']') {
		addr[len - 1] = '\0';
		if (inet_pton(AF_INET6, addr + 1, out->addr) == 1)
			out->family = SOCKSTATE_FAMILY_IPV6;
	} else if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = SOCKSTATE_FAMILY_IPV4;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = SOCKSTATE_FAMILY_IPV6;
	}
	free(addr);
	if (!out->family)
		return SOCKSTATE_EINVAL;
	out->bits = out->family == SOCKSTATE_FAMILY_IPV4 ? 32 : 128;
	if (slash) {
		rc = model_number(slash + 1, out->bits, &bits);
		if (rc)
			return rc;
		out->bits = (uint8_t)bits;
	}
	for (unsigned b = out->bits; b < 128; b++)
		out->addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	return 0;
}

/* ---- a socket that passes every filter of q ---- */

static void put_prefix(sockstate_endpoint *ep, const sockstate_prefix *p, uint8_t family)
{
	memset(ep->addr, 0, sizeof ep->addr);
	if (p->family == family) {
		memcpy(ep->addr, p->addr, family == SOCKSTATE_FAMILY_IPV4 ? 4 : 16);
	} else { /* an IPv4 prefix on an IPv6 socket: the mapped address */
		ep->addr[10] = ep->addr[11] = 0xff;
		memcpy(ep->addr + 12, p->addr, 4);
	}
}

/* Build, in family, a socket that passes q; 0 if q's filters cannot all
 * hold for one socket of that family (then nothing is checked). */
static int passing_socket(const sockstate_query *q, uint8_t family, sockstate_socket *s,
                          int32_t *pid)
{
	const sockstate_prefix *prefixes[3] = {&q->addr, &q->saddr, &q->daddr};
	uint32_t states = q->states ? q->states : SOCKSTATE_STATES_DEFAULT;
	uint32_t families = q->families ? q->families
	                    : (1u << SOCKSTATE_FAMILY_IPV4) | (1u << SOCKSTATE_FAMILY_IPV6);

	if (!(families & (1u << family)))
		return 0;
	if (q->addr.family && q->saddr.family && q->daddr.family)
		return 0;
	for (int i = 0; i < 3; i++)
		if (prefixes[i]->family == SOCKSTATE_FAMILY_IPV6 && family != SOCKSTATE_FAMILY_IPV6)
			return 0;
	memset(s, 0, sizeof *s);
	s->size = sizeof *s;
	s->family = family;
	for (unsigned st = 0; st < SOCKSTATE_STATE_COUNT; st++)
		if (states & SOCKSTATE_STATE_BIT(st)) {
			s->state = (uint8_t)st;
			break;
		}
	s->local.port = (uint16_t)(q->sport >= 0 ? q->sport : q->port >= 0 ? q->port : 0);
	s->remote.port = (uint16_t)(q->dport >= 0 ? q->dport : q->port >= 0 ? q->port : 0);
	if (q->port >= 0 && s->local.port != q->port && s->remote.port != q->port)
		return 0;
	if (q->saddr.family)
		put_prefix(&s->local, &q->saddr, family);
	else if (q->addr.family)
		put_prefix(&s->local, &q->addr, family);
	if (q->daddr.family)
		put_prefix(&s->remote, &q->daddr, family);
	else if (q->addr.family && q->saddr.family)
		put_prefix(&s->remote, &q->addr, family);
	s->pid = -1;
	s->uid = -1;
	if (q->uid >= 0) {
		s->uid = q->uid;
		s->valid |= SOCKSTATE_HAS_UID;
	}
	if (q->pid >= 0) {
		*pid = q->pid;
		s->pid = *pid;
		s->pids = pid;
		s->pid_count = 1;
		s->valid |= SOCKSTATE_HAS_PID;
	}
	return 1;
}

static void check_match(const sockstate_query *q)
{
	static const uint8_t families[] = {SOCKSTATE_FAMILY_IPV4, SOCKSTATE_FAMILY_IPV6};
	sockstate_socket s;
	int32_t pid;

	/* IPv4 prefixes also hold the IPv6 socket with the mapped address. */
	for (size_t i = 0; i < 2; i++)
		if (passing_socket(q, families[i], &s, &pid))
			FUZZ_CHECK(sockstate_query_match(q, &s) == 1);
}

/* ---- the target ---- */

static void check_prefix_invariants(const sockstate_prefix *p)
{
	unsigned max = p->family == SOCKSTATE_FAMILY_IPV4 ? 32 : 128;
	sockstate_endpoint ep;
	sockstate_prefix again;
	char text[80];
	int n;

	FUZZ_CHECK(p->family == SOCKSTATE_FAMILY_IPV4 || p->family == SOCKSTATE_FAMILY_IPV6);
	FUZZ_CHECK(p->bits <= max);
	for (unsigned b = p->bits; b < 128; b++)
		FUZZ_CHECK(!(p->addr[b / 8] & (0x80u >> (b % 8))));

	memset(&ep, 0, sizeof ep);
	memcpy(ep.addr, p->addr, sizeof ep.addr);
	n = sockstate_endpoint_format((sockstate_family)p->family, &ep, text, sizeof text - 5);
	FUZZ_CHECK(n > 0);
	snprintf(text + n, sizeof text - (size_t)n, "/%u", p->bits);
	FUZZ_CHECK(sockstate_prefix_parse(text, &again) == 0);
	FUZZ_CHECK(memcmp(&again, p, sizeof again) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *input = fuzz_strndup(size ? data + 1 : data, size ? size - 1 : 0);
	const char *key, *value = input;
	char *own_key = NULL;
	sockstate_query q, before;
	uint64_t number = 0;
	int rc, want = 0;

	if (size && data[0] % (NKEYS + 1) < NKEYS) {
		key = keys[data[0] % (NKEYS + 1)];
	} else {
		char *eq = strchr(input, '=');
		own_key = fuzz_strndup((const uint8_t *)input, eq ? (size_t)(eq - input) : 0);
		key = own_key;
		value = eq ? eq + 1 : input;
	}

	sockstate_query_init(&q);
	/* Other filters already set must survive a set of this one. */
	if (size && (data[0] & 0x80)) {
		FUZZ_CHECK(sockstate_query_set(&q, "port", "443") == 0);
		FUZZ_CHECK(sockstate_query_set(&q, "daddr", "10.0.0.0/8") == 0);
		q.flags = SOCKSTATE_Q_TCP_INFO;
	}
	before = q;
	rc = sockstate_query_set(&q, key, value);
	FUZZ_CHECK(rc == 0 || rc == SOCKSTATE_EINVAL || rc == SOCKSTATE_ERANGE);
	if (rc != 0) {
		FUZZ_CHECK(memcmp(&q, &before, sizeof q) == 0);
		goto done;
	}

	/* Only the key's own field changed. */
	{
		sockstate_query other = q;
		if (!strcmp(key, "state"))
			other.states = before.states;
		else if (!strcmp(key, "port"))
			other.port = before.port;
		else if (!strcmp(key, "sport"))
			other.sport = before.sport;
		else if (!strcmp(key, "dport"))
			other.dport = before.dport;
		else if (!strcmp(key, "addr"))
			other.addr = before.addr;
		else if (!strcmp(key, "saddr"))
			other.saddr = before.saddr;
		else if (!strcmp(key, "daddr"))
			other.daddr = before.daddr;
		else if (!strcmp(key, "pid"))
			other.pid = before.pid;
		else if (!strcmp(key, "uid"))
			other.uid = before.uid;
		else if (!strcmp(key, "family"))
			other.families = before.families;
		else
			FUZZ_CHECK(!"an unknown key was accepted");
		FUZZ_CHECK(memcmp(&other, &before, sizeof other) == 0);
	}
	check_match(&q);

done:
	/* The verdict against the models, key by key. */
	if (!strcmp(key, "port") || !strcmp(key, "sport") || !strcmp(key, "dport")) {
		uint16_t port = 0;
		int32_t got = !strcmp(key, "port") ? q.port : !strcmp(key, "sport") ? q.sport : q.dport;
		want = model_number(value, 65535, &number);
		FUZZ_CHECK(rc == want);
		FUZZ_CHECK(sockstate_port_parse(value, &port) == want);
		if (want == 0)
			FUZZ_CHECK(got == (int32_t)number && port == number);
	} else if (!strcmp(key, "pid")) {
		want = model_number(value, INT32_MAX, &number);
		if (want == 0 && number == 0)
			want = SOCKSTATE_ERANGE;
		FUZZ_CHECK(rc == want);
		if (want == 0)
			FUZZ_CHECK(q.pid == (int32_t)number);
	} else if (!strcmp(key, "uid")) {
		want = model_number(value, UINT32_MAX - 1u, &number);
		FUZZ_CHECK(rc == want);
		if (want == 0)
			FUZZ_CHECK(q.uid == (int64_t)number);
	} else if (!strcmp(key, "addr") || !strcmp(key, "saddr") || !strcmp(key, "daddr")) {
		sockstate_prefix model, parsed;
		const sockstate_prefix *got = !strcmp(key, "addr") ? &q.addr
		                              : !strcmp(key, "saddr") ? &q.saddr : &q.daddr;
		want = model_prefix(value, &model);
		if (rc != want) {
			fprintf(stderr, "prefix '%s': library %d, model %d\n", value, rc, want);
			abort();
		}
		FUZZ_CHECK(sockstate_prefix_parse(value, &parsed) == want);
		if (want == 0) {
			FUZZ_CHECK(memcmp(got, &model, sizeof model) == 0);
			FUZZ_CHECK(memcmp(&parsed, &model, sizeof model) == 0);
			check_prefix_invariants(got);
		}
	} else if (!strcmp(key, "family")) {
		static const char *const ok[] = {"4", "6", "ipv4", "ipv6", "inet", "inet6", "all",
		                                 "any"};
		want = SOCKSTATE_EINVAL;
		for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
			if (!strcmp(value, ok[i]))
				want = 0;
		FUZZ_CHECK(rc == want);
	} else if (!strcmp(key, "state")) {
		uint32_t mask;
		want = sockstate_states_parse(value, &mask, NULL);
		FUZZ_CHECK(rc == want);
		if (want == 0)
			FUZZ_CHECK(q.states == mask);
	} else {
		FUZZ_CHECK(rc == SOCKSTATE_EINVAL);
	}
	free(own_key);
	free(input);
	return 0;
}
