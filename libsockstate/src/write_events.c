/* write_events.c - one trace event per line: a table line (like bcc's
 * tcpstates), a CSV row, or a JSON object (NDJSON,
 * docs/schema/sockstate-event-1.json) whose family, local and remote are
 * the snapshot's own and whose states sit beside their native {code,name}
 * as the snapshot's state does. */
#include "core_internal.h"
#include "writer_internal.h"

/* ---- shared pieces ---- */

/* "2026-12-04T15:00:00.123456789Z" (digits: 9 = ns, 3 = ms) into buf
 * (>= 31 bytes, NUL written). Returns the length, 0 when unknown. */
static size_t fmt_time(char *buf, int64_t ns, int digits)
{
	int64_t secs = ns / 1000000000;
	uint64_t frac = (uint64_t)(ns % 1000000000);
	size_t n;

	if (ns <= 0 || sockstate__fmt_iso8601(buf, secs) == 0)
		return 0;
	n = 19;
	buf[n++] = '.';
	for (int i = 0; i < 9 - digits; i++)
		frac /= 10;
	for (int i = digits - 1; i >= 0; i--, frac /= 10)
		buf[n + (size_t)i] = (char)('0' + frac % 10);
	n += (size_t)digits;
	buf[n++] = 'Z';
	buf[n] = '\0';
	return n;
}

static const char *state_name(uint8_t st)
{
	return sockstate_state_name((sockstate_state)st);
}

static int known(const sockstate_event *ev, uint32_t bit)
{
	return (ev->flags & bit) != 0;
}

/* ---- JSON ---- */

static void json_native(sockstate__out *out, int32_t code, const char *name)
{
	if (code < 0 && name == NULL) {
		sockstate__out_bytes(out, "null", 4);
		return;
	}
	sockstate__out_str(out, "{\"code\":");
	sockstate__out_i64(out, code);
	sockstate__out_str(out, ",\"name\":");
	sockstate__out_json_str(out, name);
	sockstate__out_char(out, '}');
}

static void json_i64_or_null(sockstate__out *out, const char *key, int is_known, int64_t v)
{
	sockstate__out_str(out, key);
	if (is_known)
		sockstate__out_i64(out, v);
	else
		sockstate__out_bytes(out, "null", 4);
}

static void json_path(sockstate__out *out, const sockstate_event *ev)
{
	sockstate__out_str(out, ",\"path\":[");
	for (uint32_t i = 0; i < ev->path_len && i < SOCKSTATE_EVENT_PATH_MAX; i++) {
		const sockstate_state_span *p = &ev->path[i];

		if (i > 0)
			sockstate__out_char(out, ',');
		sockstate__out_str(out, "{\"state\":\"");
		sockstate__out_str(out, state_name(p->state));
		sockstate__out_str(out, "\",\"native_state\":");
		json_native(out, p->native_code, p->native_name);
		json_i64_or_null(out, ",\"ns\":", p->ns >= 0, p->ns);
		sockstate__out_char(out, '}');
	}
	sockstate__out_char(out, ']');
}

/* An event carries no zone name of its own: its interface is named as
 * the caller's namespace names it now (a handle on another namespace
 * would name another interface: then the index is shown). */
static const char *event_zone(const sockstate_event *ev, const sockstate_endpoint *ep,
                              char *buf, size_t len)
{
	return ev->netns ? NULL : sockstate__zone_lookup(ev->family, ep, buf, len);
}

static void json_event(sockstate__out *out, const sockstate_event *ev)
{
	char when[32], zone[64];

	sockstate__out_str(out, "{\"kind\":\"");
	sockstate__out_str(out, sockstate_event_kind_name((sockstate_event_kind)ev->kind));
	sockstate__out_str(out, "\",\"time\":");
	sockstate__out_json_str(out, fmt_time(when, ev->time_ns, 9) ? when : NULL);
	sockstate__out_str(out, ",\"source\":\"");
	sockstate__out_str(out, sockstate_event_source_name((sockstate_event_source)ev->source));
	sockstate__out_char(out, '"');
	if (ev->kind == SOCKSTATE_EVENT_LOST) {
		json_i64_or_null(out, ",\"lost\":", ev->lost > 0, (int64_t)ev->lost);
		sockstate__out_str(out, "}\n");
		return;
	}
	sockstate__out_str(out, ",\"family\":\"");
	sockstate__out_str(out, sockstate__family_name(ev->family));
	sockstate__out_str(out, "\",\"local\":");
	sockstate__json_endpoint(out, ev->family, &ev->local,
	                         event_zone(ev, &ev->local, zone, sizeof zone));
	sockstate__out_str(out, ",\"remote\":");
	sockstate__json_endpoint(out, ev->family, &ev->remote,
	                         event_zone(ev, &ev->remote, zone, sizeof zone));
	sockstate__out_str(out, ",\"old_state\":\"");
	sockstate__out_str(out, state_name(ev->old_state));
	sockstate__out_str(out, "\",\"old_native_state\":");
	json_native(out, ev->old_native_code, ev->old_native_name);
	sockstate__out_str(out, ",\"new_state\":\"");
	sockstate__out_str(out, state_name(ev->new_state));
	sockstate__out_str(out, "\",\"new_native_state\":");
	json_native(out, ev->new_native_code, ev->new_native_name);
	sockstate__out_str(out, ",\"cause\":\"");
	sockstate__out_str(out, sockstate_cause_name((sockstate_cause)ev->cause));
	sockstate__out_str(out, "\",\"syn_retransmits\":");
	sockstate__out_u64(out, ev->syn_retransmits);
	sockstate__out_str(out, known(ev, SOCKSTATE_EV_INFERRED) ? ",\"inferred\":true"
	                                                         : ",\"inferred\":false");
	json_i64_or_null(out, ",\"in_old_state_ns\":", known(ev, SOCKSTATE_EV_HAS_IN_OLD),
	                 ev->in_old_state_ns);
	sockstate__out_str(out, ",\"cookie\":");
	if (known(ev, SOCKSTATE_EV_HAS_COOKIE))
		sockstate__out_u64(out, ev->cookie);
	else
		sockstate__out_bytes(out, "null", 4);
	json_i64_or_null(out, ",\"pid\":", known(ev, SOCKSTATE_EV_HAS_PID) && ev->pid >= 0,
	                 ev->pid);
	sockstate__out_str(out, ",\"process\":");
	sockstate__out_json_str(out, known(ev, SOCKSTATE_EV_HAS_PROCESS) ? ev->process : NULL);
	sockstate__out_str(out, ",\"netns\":");
	sockstate__out_json_str(out, ev->netns);
	if (ev->kind == SOCKSTATE_EVENT_SUMMARY) {
		int bytes = known(ev, SOCKSTATE_EV_HAS_BYTES);

		json_i64_or_null(out, ",\"duration_ns\":", known(ev, SOCKSTATE_EV_HAS_DURATION),
		                 ev->duration_ns);
		json_i64_or_null(out, ",\"bytes_acked\":", bytes, (int64_t)ev->bytes_acked);
		json_i64_or_null(out, ",\"bytes_received\":", bytes, (int64_t)ev->bytes_received);
		json_path(out, ev);
		sockstate__out_str(out, known(ev, SOCKSTATE_EV_PATH_CUT) ? ",\"path_cut\":true"
		                                                         : ",\"path_cut\":false");
	}
	sockstate__out_str(out, "}\n");
}

/* ---- CSV ---- */

static const char csv_header[] =
	"kind,time,source,family,local_address,local_port,remote_address,remote_port,"
	"old_state,old_native_code,old_native_name,new_state,new_native_code,"
	"new_native_name,cause,syn_retransmits,inferred,in_old_state_ns,cookie,pid,"
	"process,netns,duration_ns,bytes_acked,bytes_received,path,lost\r\n";

static void csv_i64(sockstate__out *out, int is_known, int64_t v)
{
	sockstate__out_char(out, ',');
	if (is_known)
		sockstate__out_i64(out, v);
}

static void csv_state(sockstate__out *out, uint8_t st, int32_t code, const char *name,
                      uint32_t flags)
{
	sockstate__out_char(out, ',');
	sockstate__out_str(out, state_name(st));
	csv_i64(out, code >= 0, code);
	sockstate__out_char(out, ',');
	sockstate__out_csv_str(out, name, flags);
}

static void csv_event(sockstate__out *out, const sockstate_event *ev, uint32_t flags)
{
	int conn = ev->kind != SOCKSTATE_EVENT_LOST;
	char when[32], zone[64];

	sockstate__out_str(out, sockstate_event_kind_name((sockstate_event_kind)ev->kind));
	sockstate__out_char(out, ',');
	if (fmt_time(when, ev->time_ns, 9))
		sockstate__out_str(out, when);
	sockstate__out_char(out, ',');
	sockstate__out_str(out, sockstate_event_source_name((sockstate_event_source)ev->source));
	if (!conn) {
		/* family .. bytes_received and path are empty. */
		sockstate__out_str(out, ",,,,,,,,,,,,,,,,,,,,,,,");
		csv_i64(out, ev->lost > 0, (int64_t)ev->lost);
		sockstate__out_bytes(out, "\r\n", 2);
		return;
	}
	sockstate__out_char(out, ',');
	sockstate__out_str(out, sockstate__family_name(ev->family));
	sockstate__csv_endpoint(out, ev->family, &ev->local,
	                        event_zone(ev, &ev->local, zone, sizeof zone), flags);
	sockstate__csv_endpoint(out, ev->family, &ev->remote,
	                        event_zone(ev, &ev->remote, zone, sizeof zone), flags);
	csv_state(out, ev->old_state, ev->old_native_code, ev->old_native_name, flags);
	csv_state(out, ev->new_state, ev->new_native_code, ev->new_native_name, flags);
	sockstate__out_char(out, ',');
	sockstate__out_str(out, sockstate_cause_name((sockstate_cause)ev->cause));
	csv_i64(out, 1, ev->syn_retransmits);
	sockstate__out_str(out, known(ev, SOCKSTATE_EV_INFERRED) ? ",true" : ",false");
	csv_i64(out, known(ev, SOCKSTATE_EV_HAS_IN_OLD), ev->in_old_state_ns);
	sockstate__out_char(out, ',');
	if (known(ev, SOCKSTATE_EV_HAS_COOKIE))
		sockstate__out_u64(out, ev->cookie);
	csv_i64(out, known(ev, SOCKSTATE_EV_HAS_PID) && ev->pid >= 0, ev->pid);
	sockstate__out_char(out, ',');
	if (known(ev, SOCKSTATE_EV_HAS_PROCESS))
		sockstate__out_csv_str(out, ev->process, flags);
	sockstate__out_char(out, ',');
	sockstate__out_csv_str(out, ev->netns, flags);
	int summary = ev->kind == SOCKSTATE_EVENT_SUMMARY;
	int bytes = summary && known(ev, SOCKSTATE_EV_HAS_BYTES);
	csv_i64(out, summary && known(ev, SOCKSTATE_EV_HAS_DURATION), ev->duration_ns);
	csv_i64(out, bytes, (int64_t)ev->bytes_acked);
	csv_i64(out, bytes, (int64_t)ev->bytes_received);
	/* The path as "STATE:ns" items separated by spaces (ns empty when
	 * unknown), so the field never needs quotes. */
	sockstate__out_char(out, ',');
	for (uint32_t i = 0; summary && i < ev->path_len && i < SOCKSTATE_EVENT_PATH_MAX; i++) {
		if (i > 0)
			sockstate__out_char(out, ' ');
		sockstate__out_str(out, state_name(ev->path[i].state));
		sockstate__out_char(out, ':');
		if (ev->path[i].ns >= 0)
			sockstate__out_i64(out, ev->path[i].ns);
	}
	sockstate__out_str(out, ",\r\n");
}

/* ---- table ---- */

enum {
	W_TIME = 25,     /* "2026-12-04T15:00:00.123Z" + 1 */
	W_SOURCE = 18,   /* "sock-diag-destroy" + 1 */
	W_ENDPOINT = 48, /* as the snapshot table's */
	W_STATES = 29,   /* "SYN_RECEIVED -> ESTABLISHED" + 2 */
	W_CAUSE = 18,    /* "rst-received(127)" + 1: the SYNs sent again */
	W_MS = 11,
	W_PID = 9
};

static void cell(sockstate__out *out, const char *s, size_t width)
{
	size_t n = strlen(s);

	sockstate__out_bytes(out, s, n);
	sockstate__out_pad(out, n, width);
}

/* Milliseconds with three decimals, "-" when unknown, into buf (>= 32). */
static const char *fmt_ms(char *buf, int is_known, int64_t ns)
{
	size_t n;

	if (!is_known || ns < 0)
		return "-";
	n = sockstate__fmt_i64(buf, ns / 1000000);
	buf[n++] = '.';
	buf[n++] = (char)('0' + ns / 100000 % 10);
	buf[n++] = (char)('0' + ns / 10000 % 10);
	buf[n++] = (char)('0' + ns / 1000 % 10);
	buf[n] = '\0';
	return buf;
}

/* The cause, with the SYNs sent again in brackets when there were any
 * ("syn-timeout(2)"), into buf (>= 24 bytes). */
static const char *table_cause(char *buf, const sockstate_event *ev)
{
	const char *name = sockstate_cause_name((sockstate_cause)ev->cause);
	size_t n = strlen(name);

	memcpy(buf, name, n);
	if (ev->syn_retransmits > 0) {
		buf[n++] = '(';
		n += sockstate__fmt_i64(buf + n, ev->syn_retransmits);
		buf[n++] = ')';
	}
	buf[n] = '\0';
	return buf;
}

static void table_endpoint(sockstate__out *out, const sockstate_event *ev,
                           const sockstate_endpoint *ep)
{
	char text[SOCKSTATE__ENDPOINT_TEXT], zone[64];
	int n = sockstate__fmt_endpoint_port(text, sizeof text, ev->family, ep,
	                                     event_zone(ev, ep, zone, sizeof zone));
	size_t cols;

	if (n < 0) {
		text[0] = '?';
		n = 1;
	}
	/* The zone is an interface name: anyone's choice of bytes. */
	cols = sockstate__out_text(out, text, (size_t)n, SOCKSTATE__TEXT_TABLE);
	sockstate__out_pad(out, cols, W_ENDPOINT);
}

static void table_owner(sockstate__out *out, const sockstate_event *ev)
{
	char num[24];

	if (known(ev, SOCKSTATE_EV_HAS_PID) && ev->pid >= 0) {
		num[sockstate__fmt_i64(num, ev->pid)] = '\0';
		cell(out, num, W_PID);
	} else {
		cell(out, "-", W_PID);
	}
	if (known(ev, SOCKSTATE_EV_HAS_PROCESS) && ev->process && ev->process[0])
		sockstate__out_text_str(out, ev->process);
	else
		sockstate__out_char(out, '-');
}

static void table_event(sockstate__out *out, const sockstate_event *ev)
{
	char text[32], ms[32];

	cell(out, fmt_time(text, ev->time_ns, 3) ? text : "-", W_TIME);
	cell(out, sockstate_event_source_name((sockstate_event_source)ev->source), W_SOURCE);
	if (ev->kind == SOCKSTATE_EVENT_LOST) {
		sockstate__out_str(out, "LOST ");
		if (ev->lost > 0) {
			sockstate__out_u64(out, ev->lost);
			sockstate__out_str(out, " events\n");
		} else {
			sockstate__out_str(out, "events (the OS did not say how many)\n");
		}
		return;
	}
	table_endpoint(out, ev, &ev->local);
	table_endpoint(out, ev, &ev->remote);
	if (ev->kind == SOCKSTATE_EVENT_SUMMARY) {
		sockstate__out_str(out, "SUMMARY ");
		for (uint32_t i = 0; i < ev->path_len && i < SOCKSTATE_EVENT_PATH_MAX; i++) {
			if (i > 0)
				sockstate__out_str(out, " > ");
			sockstate__out_str(out, state_name(ev->path[i].state));
			if (ev->path[i].ns >= 0) {
				sockstate__out_char(out, '(');
				sockstate__out_str(out, fmt_ms(ms, 1, ev->path[i].ns));
				sockstate__out_str(out, "ms)");
			}
		}
		sockstate__out_str(out, " cause=");
		sockstate__out_str(out, table_cause(text, ev));
		sockstate__out_str(out, " ms=");
		sockstate__out_str(out, fmt_ms(ms, known(ev, SOCKSTATE_EV_HAS_DURATION),
		                               ev->duration_ns));
		if (known(ev, SOCKSTATE_EV_HAS_BYTES)) {
			sockstate__out_str(out, " tx=");
			sockstate__out_u64(out, ev->bytes_acked);
			sockstate__out_str(out, " rx=");
			sockstate__out_u64(out, ev->bytes_received);
		}
		sockstate__out_char(out, ' ');
		table_owner(out, ev);
		sockstate__out_char(out, '\n');
		return;
	}
	sockstate__out_str(out, state_name(ev->old_state));
	sockstate__out_str(out, known(ev, SOCKSTATE_EV_INFERRED) ? " ~> " : " -> ");
	sockstate__out_str(out, state_name(ev->new_state));
	sockstate__out_pad(out, strlen(state_name(ev->old_state)) + 4 +
	                            strlen(state_name(ev->new_state)), W_STATES);
	cell(out, table_cause(text, ev), W_CAUSE);
	cell(out, fmt_ms(ms, known(ev, SOCKSTATE_EV_HAS_IN_OLD), ev->in_old_state_ns), W_MS);
	table_owner(out, ev);
	sockstate__out_char(out, '\n');
}

static void table_header(sockstate__out *out)
{
	cell(out, "Time", W_TIME);
	cell(out, "Source", W_SOURCE);
	cell(out, "Local Address:Port", W_ENDPOINT);
	cell(out, "Peer Address:Port", W_ENDPOINT);
	cell(out, "Old -> New", W_STATES);
	cell(out, "Cause", W_CAUSE);
	cell(out, "Ms", W_MS);
	cell(out, "Pid", W_PID);
	sockstate__out_str(out, "Process\n");
}

/* ---- entry points ---- */

static int opts_check(const sockstate_write_opts *o)
{
	if (o == NULL || o->size < SOCKSTATE_WRITE_OPTS_FIRST_SIZE)
		return SOCKSTATE_EINVAL;
	if (o->format != SOCKSTATE_FORMAT_TABLE && o->format != SOCKSTATE_FORMAT_JSON &&
	    o->format != SOCKSTATE_FORMAT_CSV)
		return SOCKSTATE_EINVAL;
	return 0;
}

static int event_check(const sockstate_event *ev)
{
	if (ev == NULL || ev->size < sizeof *ev ||
	    sockstate_event_kind_name((sockstate_event_kind)ev->kind) == NULL ||
	    ev->source == SOCKSTATE_TRACE_AUTO ||
	    sockstate_event_source_name((sockstate_event_source)ev->source) == NULL)
		return SOCKSTATE_EINVAL;
	if (ev->kind == SOCKSTATE_EVENT_LOST)
		return 0;
	if (sockstate__family_name(ev->family) == NULL ||
	    ev->old_state >= SOCKSTATE_STATE_COUNT || ev->new_state >= SOCKSTATE_STATE_COUNT ||
	    sockstate_cause_name((sockstate_cause)ev->cause) == NULL)
		return SOCKSTATE_EINVAL;
	for (uint32_t i = 0; ev->kind == SOCKSTATE_EVENT_SUMMARY && i < ev->path_len; i++)
		if (i >= SOCKSTATE_EVENT_PATH_MAX || ev->path[i].state >= SOCKSTATE_STATE_COUNT)
			return SOCKSTATE_EINVAL;
	return 0;
}

int sockstate__event_write_out(const sockstate_event *ev, const sockstate_write_opts *o,
                               sockstate__out *out)
{
	int err = opts_check(o);

	if (err == 0)
		err = event_check(ev);
	if (err != 0)
		return err;
	if (o->format == SOCKSTATE_FORMAT_JSON)
		json_event(out, ev);
	else if (o->format == SOCKSTATE_FORMAT_CSV)
		csv_event(out, ev, o->flags);
	else
		table_event(out, ev);
	return sockstate__out_finish(out);
}

SOCKSTATE_API int sockstate_event_write(const sockstate_event *ev,
                                        const sockstate_write_opts *o,
                                        sockstate_write_fn fn, void *ctx)
{
	sockstate__out out;

	if (fn == NULL)
		return SOCKSTATE_EINVAL;
	sockstate__out_init(&out, fn, ctx);
	return sockstate__event_write_out(ev, o, &out);
}

SOCKSTATE_API int sockstate_event_write_header(const sockstate_write_opts *o,
                                               sockstate_write_fn fn, void *ctx)
{
	sockstate__out out;
	int err = opts_check(o);

	if (err != 0 || fn == NULL)
		return SOCKSTATE_EINVAL;
	sockstate__out_init(&out, fn, ctx);
	if (o->format == SOCKSTATE_FORMAT_TABLE)
		table_header(&out);
	else if (o->format == SOCKSTATE_FORMAT_CSV)
		sockstate__out_str(&out, csv_header);
	return sockstate__out_finish(&out);
}
