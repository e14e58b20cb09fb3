/* diagnose.c - sockstate_diagnose: ask the OS for what a diagnosis rests
 * on, then hand it to the decision (diagnose_decide.c), which is pure.
 *
 * The order makes the window of the counters hold the probe: first
 * sample, the SYN_SENT sockets, the port range, the probe, a sleep until
 * the interval has passed, second sample, then every socket with its
 * owners (the state at the end of the window). */
#include <string.h>

#include "core_internal.h"
#include "diagnose_internal.h"
#include "trace_internal.h"

enum { DEFAULT_INTERVAL_MS = 1000, DEFAULT_PROBE_TIMEOUT_MS = 3000,
       MAX_MS = 3600 * 1000 };

#define OPTIONS_FIRST_SIZE \
	(offsetof(sockstate_diagnose_options, lang) + sizeof(const char *))

SOCKSTATE_API void sockstate_diagnose_options_init(sockstate_diagnose_options *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof *o);
	o->size = sizeof *o;
	o->port = -1;
	o->interval_ms = DEFAULT_INTERVAL_MS;
	o->probe_timeout_ms = DEFAULT_PROBE_TIMEOUT_MS;
}

static int family_ok(uint8_t f)
{
	return f == SOCKSTATE_FAMILY_IPV4 || f == SOCKSTATE_FAMILY_IPV6;
}

/* in (or the defaults) checked and completed into *o. */
static int options_normalize(const sockstate_diagnose_options *in, sockstate_diagnose_options *o)
{
	int lang;

	sockstate_diagnose_options_init(o);
	if (!in)
		in = o;
	if (in->size < OPTIONS_FIRST_SIZE)
		return SOCKSTATE_EINVAL;
	memcpy(o, in, OPTIONS_FIRST_SIZE);
	o->size = sizeof *o;
	if ((o->flags & ~(uint32_t)SOCKSTATE_DIAG_PROBE) || o->port < -1 || o->port > 65535 ||
	    (o->addr_family && (!family_ok(o->addr_family) || o->port < 0)) ||
	    (o->to_family && !family_ok(o->to_family)) ||
	    ((o->flags & SOCKSTATE_DIAG_PROBE) && !o->to_family) ||
	    o->interval_ms > MAX_MS || o->probe_timeout_ms > MAX_MS)
		return SOCKSTATE_EINVAL;
	lang = sockstate__lang_index(o->lang);
	if (lang < 0)
		return SOCKSTATE_EINVAL;
	o->lang = sockstate__lang_code(lang);
	if (!o->probe_timeout_ms)
		o->probe_timeout_ms = DEFAULT_PROBE_TIMEOUT_MS;
	if (!o->addr_family)
		memset(&o->addr, 0, sizeof o->addr);
	if (!o->to_family)
		memset(&o->to, 0, sizeof o->to);
	return 0;
}

static int64_t now_ms(void)
{
	return sockstate__platform_clock_ns(1) / 1000000;
}

/* Every socket in state (a mask), with owners when wanted and the
 * backend can map them. */
static int sockets_in(sockstate_handle *h, uint32_t states, int owners,
                      sockstate_snapshot **out)
{
	sockstate_query q;
	int rc;

	sockstate_query_init(&q);
	q.states = states;
	if (owners)
		q.flags |= SOCKSTATE_Q_PIDS | SOCKSTATE_Q_TCP_INFO;
	rc = sockstate_snapshot_take(h, &q, out);
	if (rc == SOCKSTATE_ENOTSUP && owners)
		return sockets_in(h, states, 0, out);
	return rc;
}

SOCKSTATE_API int sockstate_diagnose(sockstate_handle *h, const sockstate_diagnose_options *in,
                                     sockstate_diagnosis **out)
{
	sockstate_diagnose_options o;
	sockstate_tcp_counters before, after;
	sockstate_snapshot *syn_sent = NULL, *all = NULL;
	sockstate_probe probe;
	sockstate_sysinfo sys;
	struct sockstate__diag_facts f;
	char message[256] = "";
	int64_t t0, t1;
	int rc;

	if (out)
		*out = NULL;
	if (!h || !out || options_normalize(in, &o) != 0)
		return SOCKSTATE_EINVAL;
	memset(&f, 0, sizeof f);
	memset(&probe, 0, sizeof probe);
	probe.syn_retransmits = -1;
	f.o = &o;
	f.probe = &probe;
	f.backend = sockstate_backend(h);

	memset(&before, 0, sizeof before);
	before.size = sizeof before;
	after = before;
	t0 = now_ms();
	f.counters_error = sockstate_tcp_counters_get(h, &before);
	if (f.counters_error == 0)
		f.before = &before;

	if (o.interval_ms > 0) {
		rc = sockets_in(h, SOCKSTATE_STATE_BIT(SOCKSTATE_SYN_SENT), 0, &syn_sent);
		if (rc < 0)
			return rc;
		f.syn_sent_before = syn_sent->sockets;
		f.syn_sent_before_count = syn_sent->count;
		f.two_looks = 1;
	}

	rc = sockstate__platform_port_range(h, &f.port_first, &f.port_last, &f.port_range_source);
	if (rc < 0 || f.port_first > f.port_last || f.port_last > 65535)
		f.port_first = f.port_last = 0;
	f.port_range_assumed = rc == 1;

	if (o.flags & SOCKSTATE_DIAG_PROBE) {
		rc = sockstate__platform_probe(h, o.to_family, &o.to, o.probe_timeout_ms, &probe,
		                               message, sizeof message);
		if (rc < 0) {
			sockstate_snapshot_free(syn_sent);
			return rc;
		}
		f.probe_message = message[0] ? message : NULL;
	}

	if (o.interval_ms > 0) {
		int64_t left = t0 + (int64_t)o.interval_ms - now_ms();

		if (left > 0)
			sockstate__platform_sleep_ms((int)left);
		if (f.before && sockstate_tcp_counters_get(h, &after) == 0) {
			f.after = &after;
			t1 = now_ms();
			f.window_ms = t1 - t0;
		}
	}

	rc = sockets_in(h, SOCKSTATE_STATES_DEFAULT, 1, &all);
	if (rc < 0) {
		sockstate_snapshot_free(syn_sent);
		return rc;
	}
	f.sockets = all->sockets;
	f.count = all->count;
	sockstate_sysinfo_get(&sys);
	f.sys = &sys;

	rc = sockstate__diagnose_decide(&f, out);
	sockstate_snapshot_free(syn_sent);
	if (rc < 0) {
		sockstate_snapshot_free(all);
		return rc;
	}
	sockstate__diagnosis_keep(*out, all);
	/* what could not be had is in the diagnosis, not an error */
	sockstate__handle_clear_detail(h);
	return 0;
}
