/* write_diagnosis.c - a diagnosis as a table for people (one block per
 * finding, most severe first, in the diagnosis' language) or as the
 * "sockstate-diagnosis/1" JSON document
 * (docs/schema/sockstate-diagnosis-1.json); and its findings as the
 * "sockstate/1" snapshot carries them, every text in every language, so
 * the report shows them in its own language without the library.
 *
 * JSON layout, fixed so identical input gives identical bytes: one
 * top-level key per line, one finding and one check per line. */
#include <stdio.h>

#include "diagnose_internal.h"
#include "writer_internal.h"

/* The table's width: text wraps before this column. */
enum { WIDTH = 78, INDENT = 2 };

/* ---- common pieces ---- */

static enum sockstate__word severity_of(uint8_t severity)
{
	switch (severity) {
	case SOCKSTATE_SEVERITY_CRITICAL:
		return SOCKSTATE__W_CRITICAL;
	case SOCKSTATE_SEVERITY_WARNING:
		return SOCKSTATE__W_WARNING;
	default:
		return SOCKSTATE__W_INFO;
	}
}

/* Display columns of UTF-8 text (code points; every text here is ours). */
static size_t columns(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* text wrapped at WIDTH, as words: the caller has written up to column
 * `at`; lines after the first start at column `indent`. Ends the line. */
static void wrapped(sockstate__out *out, const char *text, size_t at, size_t indent)
{
	const char *p = text;
	int first = 1;

	for (;;) {
		const char *end;
		size_t len, cols;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		for (end = p; *end && *end != ' '; end++)
			;
		len = (size_t)(end - p);
		cols = columns(p, len);
		if (!first && at + 1 + cols > WIDTH) {
			sockstate__out_char(out, '\n');
			sockstate__out_spaces(out, indent);
			at = indent;
		} else if (!first) {
			sockstate__out_char(out, ' ');
			at++;
		}
		sockstate__out_bytes(out, p, len);
		at += cols;
		first = 0;
		p = end;
	}
	sockstate__out_char(out, '\n');
}

/* The width of the label column in lang: the longest label and two. */
static size_t label_width(int lang)
{
	static const enum sockstate__word labels[] = {
		SOCKSTATE__W_SOCKETS, SOCKSTATE__W_COUNTERS, SOCKSTATE__W_MEANING,
		SOCKSTATE__W_ADVICE, SOCKSTATE__W_PROBE, SOCKSTATE__W_WINDOW,
		SOCKSTATE__W_UNCHECKED,
	};
	size_t w = 0;

	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
		const char *s = sockstate__word(labels[i], lang);
		size_t c = columns(s, strlen(s));
		if (c > w)
			w = c;
	}
	return w + 2;
}

static void label(sockstate__out *out, enum sockstate__word w, int lang, size_t width)
{
	const char *s = sockstate__word(w, lang);

	sockstate__out_spaces(out, INDENT);
	sockstate__out_str(out, s);
	sockstate__out_spaces(out, width - columns(s, strlen(s)));
}

/* A word of the table with its placeholders filled. */
static void word_into(char *buf, size_t len, enum sockstate__word w, int lang,
                      const struct sockstate__text_args *a)
{
	sockstate__expand(sockstate__word(w, lang), a, buf, len);
}

static void seconds_of(char *buf, size_t len, int64_t ms)
{
	snprintf(buf, len, "%lld.%lld", (long long)(ms / 1000), (long long)(ms % 1000 / 100));
}

/* ---- the table ---- */

/* One socket on a line of the sockets' column (starting at column at):
 * its state and endpoints, the queue of a listener, retransmissions, and
 * its owner unless the finding's headline names it (pid: the one it
 * names, else -1), on a line of its own when it would not fit. */
static void table_socket(sockstate__out *out, const sockstate_socket *s, int lang,
                         size_t at, int32_t pid)
{
	/* The line is written as it is: endpoints without interface names
	 * (numeric scopes), so no byte in it is another user's. */
	char ep[SOCKSTATE__ENDPOINT_TEXT], buf[160], line[400], owner[320];
	struct sockstate__text_args a;
	size_t n;

	memset(&a, 0, sizeof a);
	n = (size_t)snprintf(line, sizeof line, "%s ",
	                     sockstate_state_name((sockstate_state)s->state));
	if (sockstate__fmt_endpoint_port(ep, sizeof ep, s->family, &s->local, NULL) > 0)
		n += (size_t)snprintf(line + n, sizeof line - n, "%s", ep);
	if (s->state == SOCKSTATE_LISTEN) {
		if ((s->valid & SOCKSTATE_HAS_QUEUES) && s->tx_queue > 0) {
			a.count = s->rx_queue;
			a.limit = s->tx_queue;
			word_into(buf, sizeof buf, SOCKSTATE__W_QUEUE, lang, &a);
			n += (size_t)snprintf(line + n, sizeof line - n, ", %s", buf);
		}
	} else if (sockstate__fmt_endpoint_port(ep, sizeof ep, s->family, &s->remote, NULL) > 0) {
		n += (size_t)snprintf(line + n, sizeof line - n, " -> %s", ep);
	}
	if ((s->valid & SOCKSTATE_HAS_TIMER) && s->retransmits > 0) {
		a.count = s->retransmits;
		word_into(buf, sizeof buf, SOCKSTATE__W_RETRANSMITS, lang, &a);
		snprintf(line + n, sizeof line - n, ", %s", buf);
	}
	sockstate__out_str(out, line);
	at += columns(line, strlen(line));
	if (pid >= 0 && (s->valid & SOCKSTATE_HAS_PID) && s->pid == pid) {
		sockstate__out_char(out, '\n');
		return;
	}
	if ((s->valid & SOCKSTATE_HAS_PID) && s->pid >= 0)
		snprintf(owner, sizeof owner, "pid %d", (int)s->pid);
	else
		snprintf(owner, sizeof owner, "%s", sockstate__word(SOCKSTATE__W_OWNER_UNKNOWN, lang));
	n = columns(owner, strlen(owner));
	if ((s->valid & SOCKSTATE_HAS_PROCESS) && s->process && (s->valid & SOCKSTATE_HAS_PID))
		n += 3 + columns(s->process, strlen(s->process));
	if (at + 2 + n > WIDTH) {
		sockstate__out_str(out, ",\n");
		sockstate__out_spaces(out, at - columns(line, strlen(line)) + 2);
	} else {
		sockstate__out_str(out, ", ");
	}
	sockstate__out_str(out, owner);
	if ((s->valid & SOCKSTATE_HAS_PROCESS) && s->process && (s->valid & SOCKSTATE_HAS_PID)) {
		sockstate__out_str(out, " (");
		sockstate__out_text_str(out, s->process);
		sockstate__out_char(out, ')');
	}
	sockstate__out_char(out, '\n');
}

static int window_of(const sockstate_diagnosis *d)
{
	return (d->flags & SOCKSTATE_DIAGNOSIS_WINDOW) != 0;
}

/* "listen_overflows +14 (TcpExtListenOverflows), ... in 1.0 s", or the
 * totals "since boot"; nothing when none of f's counters is known. */
static void table_counters(sockstate__out *out, const sockstate_diagnosis *d,
                           const sockstate_finding *f, int lang, size_t width)
{
	char buf[96];
	struct sockstate__text_args a;
	int any = 0;
	size_t at = INDENT + width;

	for (unsigned k = 0; k < SOCKSTATE_COUNTER_COUNT; k++) {
		uint64_t bit = SOCKSTATE_COUNTER_BIT(k), v;
		char item[160];

		if (!(f->counters & bit) || !(d->counters_known & bit))
			continue;
		if (window_of(d)) {
			if (d->after.value[k] < d->before.value[k])
				continue;
			v = d->after.value[k] - d->before.value[k];
		} else {
			v = d->before.value[k];
		}
		snprintf(item, sizeof item, "%s%s %s%llu (%s)", any ? ", " : "",
		         sockstate_counter_name((sockstate_counter)k), window_of(d) ? "+" : "",
		         (unsigned long long)v, d->before.native[k] ? d->before.native[k] : "?");
		if (!any)
			label(out, SOCKSTATE__W_COUNTERS, lang, width);
		else if (at + columns(item, strlen(item)) > WIDTH) {
			sockstate__out_str(out, ",\n");
			sockstate__out_spaces(out, INDENT + width);
			at = INDENT + width;
			memmove(item, item + 2, strlen(item + 2) + 1);
		}
		sockstate__out_str(out, item);
		at += columns(item, strlen(item));
		any = 1;
	}
	if (!any)
		return;
	memset(&a, 0, sizeof a);
	seconds_of(buf, sizeof buf, d->window_ms);
	a.seconds = buf;
	{
		char tail[96];

		if (window_of(d))
			word_into(tail, sizeof tail, SOCKSTATE__W_IN_SECONDS, lang, &a);
		else
			snprintf(tail, sizeof tail, "%s", sockstate__word(SOCKSTATE__W_SINCE_BOOT, lang));
		sockstate__out_char(out, ' ');
		sockstate__out_str(out, tail);
	}
	sockstate__out_char(out, '\n');
}

static void table_finding(sockstate__out *out, const sockstate_diagnosis *d,
                          const sockstate_finding *f, int lang, size_t width)
{
	const char *sev = sockstate__word(severity_of(f->severity), lang);
	const char *name = sockstate_finding_name((sockstate_finding_code)f->code);
	sockstate_finding_info info;
	struct sockstate__text_args a;
	char more[64];

	sockstate_finding_describe((sockstate_finding_code)f->code, sockstate__lang_code(lang),
	                           &info);
	sockstate__out_str(out, sev);
	sockstate__out_char(out, ' ');
	sockstate__out_str(out, name);
	sockstate__out_str(out, ": ");
	wrapped(out, sockstate__finding_headline(d, f, lang),
	        columns(sev, strlen(sev)) + 3 + strlen(name), INDENT);
	for (size_t i = 0; i < f->socket_count; i++) {
		if (i == 0)
			label(out, SOCKSTATE__W_SOCKETS, lang, width);
		else
			sockstate__out_spaces(out, INDENT + width);
		table_socket(out, &f->sockets[i], lang, INDENT + width,
		             f->code == SOCKSTATE_FINDING_CLOSE_WAIT_LEAK ? f->pid : -1);
	}
	if (f->sockets_total > f->socket_count) {
		memset(&a, 0, sizeof a);
		a.count = f->sockets_total - f->socket_count;
		word_into(more, sizeof more, SOCKSTATE__W_MORE, lang, &a);
		sockstate__out_spaces(out, INDENT + width);
		sockstate__out_str(out, more);
		sockstate__out_char(out, '\n');
	}
	table_counters(out, d, f, lang, width);
	label(out, SOCKSTATE__W_MEANING, lang, width);
	wrapped(out, info.meaning, INDENT + width, INDENT + width);
	label(out, SOCKSTATE__W_ADVICE, lang, width);
	wrapped(out, info.advice, INDENT + width, INDENT + width);
	sockstate__out_char(out, '\n');
}

static void table_probe(sockstate__out *out, const sockstate_diagnosis *d, int lang,
                        size_t width)
{
	const sockstate_probe *p = &d->probe;
	struct sockstate__text_args a;
	char to[SOCKSTATE__ENDPOINT_TEXT], ms[24], error[300], line[480];

	if (p->result == SOCKSTATE_PROBE_NONE)
		return;
	memset(&a, 0, sizeof a);
	if (sockstate__fmt_endpoint_port(to, sizeof to, p->family, &p->to, NULL) < 0)
		snprintf(to, sizeof to, "?");
	snprintf(ms, sizeof ms, "%u", (unsigned)p->elapsed_ms);
	if (p->os_error_name && p->os_message)
		snprintf(error, sizeof error, "%s (%s)", p->os_error_name, p->os_message);
	else
		snprintf(error, sizeof error, "%s",
		         p->os_error_name ? p->os_error_name : p->os_message ? p->os_message : "?");
	a.remote = to;
	a.ms = ms;
	a.error = error;
	word_into(line, sizeof line,
	          p->result == SOCKSTATE_PROBE_CONNECTED ? SOCKSTATE__W_PROBE_OK
	                                                 : SOCKSTATE__W_PROBE_FAIL, lang, &a);
	label(out, SOCKSTATE__W_PROBE, lang, width);
	wrapped(out, line, INDENT + width, INDENT + width);
}

static void table_window(sockstate__out *out, const sockstate_diagnosis *d, int lang,
                         size_t width)
{
	struct sockstate__text_args a;
	char seconds[24], first[200], seen[160], line[400];
	enum sockstate__word w = SOCKSTATE__W_WINDOW_NONE;

	memset(&a, 0, sizeof a);
	seconds_of(seconds, sizeof seconds, d->window_ms);
	a.seconds = seconds;
	a.error = sockstate_strerror(d->counters_error);
	if (window_of(d))
		w = SOCKSTATE__W_WINDOW_DELTA;
	else if (d->flags & SOCKSTATE_DIAGNOSIS_COUNTERS)
		w = SOCKSTATE__W_WINDOW_BOOT;
	word_into(first, sizeof first, w, lang, &a);
	a.count = d->sockets_seen;
	a.backend = d->backend;
	word_into(seen, sizeof seen, SOCKSTATE__W_SEEN, lang, &a);
	snprintf(line, sizeof line, "%s; %s", first, seen);
	label(out, SOCKSTATE__W_WINDOW, lang, width);
	wrapped(out, line, INDENT + width, INDENT + width);
}

/* The checks that could not be made: "code (not checked: why, why)". */
static void table_unchecked(sockstate__out *out, const sockstate_diagnosis *d, int lang,
                            size_t width)
{
	char line[2048];
	size_t used = 0;

	line[0] = '\0';
	for (unsigned c = 0; c < SOCKSTATE_FINDING_COUNT; c++) {
		uint8_t st = d->checks[c];
		enum sockstate__word w;

		if (st == SOCKSTATE_CHECK_NOT_CHECKED)
			w = SOCKSTATE__W_NOT_CHECKED;
		else if (st == SOCKSTATE_CHECK_NOT_JUDGED)
			w = SOCKSTATE__W_NOT_JUDGED;
		else
			continue;
		used += (size_t)snprintf(line + used, sizeof line - used, "%s%s (%s",
		                         used ? "; " : "",
		                         sockstate_finding_name((sockstate_finding_code)c),
		                         sockstate__word(w, lang));
		for (unsigned n = 0, first = 1; n < SOCKSTATE_NOTE_COUNT && used < sizeof line; n++) {
			if (!(d->checks_notes[c] & (1u << n)))
				continue;
			used += (size_t)snprintf(line + used, sizeof line - used, "%s%s",
			                         first ? ": " : ", ",
			                         sockstate__word((enum sockstate__word)
			                                         (SOCKSTATE__W_NOTE_FIRST + n), lang));
			first = 0;
		}
		if (used < sizeof line)
			used += (size_t)snprintf(line + used, sizeof line - used, ")");
		if (used >= sizeof line)
			used = sizeof line - 1;
	}
	if (!used)
		return;
	label(out, SOCKSTATE__W_UNCHECKED, lang, width);
	wrapped(out, line, INDENT + width, INDENT + width);
}

static void table(sockstate__out *out, const sockstate_diagnosis *d)
{
	int lang = sockstate__lang_index(d->lang);
	size_t width = label_width(lang);

	if (d->count == 0) {
		sockstate__out_str(out, sockstate__word(SOCKSTATE__W_NO_PROBLEM, lang));
		sockstate__out_str(out, "\n\n");
	}
	for (size_t i = 0; i < d->count && out->err == 0; i++)
		table_finding(out, d, &d->findings[i], lang, width);
	table_probe(out, d, lang, width);
	table_window(out, d, lang, width);
	table_unchecked(out, d, lang, width);
}

/* ---- JSON ---- */

static void json_endpoint_or_null(sockstate__out *out, uint8_t family,
                                  const sockstate_endpoint *ep, int present)
{
	if (present && family)
		sockstate__json_endpoint(out, family, ep, NULL);
	else
		sockstate__out_str(out, "null");
}

static int endpoint_set(const sockstate_endpoint *ep)
{
	for (size_t i = 0; i < sizeof ep->addr; i++)
		if (ep->addr[i])
			return 1;
	return ep->port != 0;
}

static void json_counters(sockstate__out *out, const sockstate_diagnosis *d, uint64_t mask)
{
	int first = 1;

	sockstate__out_str(out, "{");
	for (unsigned k = 0; k < SOCKSTATE_COUNTER_COUNT; k++) {
		uint64_t bit = SOCKSTATE_COUNTER_BIT(k);
		int known = (d->counters_known & bit) != 0;

		if (!(mask & bit))
			continue;
		if (!first)
			sockstate__out_char(out, ',');
		first = 0;
		sockstate__out_char(out, '"');
		sockstate__out_str(out, sockstate_counter_name((sockstate_counter)k));
		sockstate__out_str(out, window_of(d) ? "\":{\"delta\":" : "\":{\"total\":");
		if (known && window_of(d) && d->after.value[k] >= d->before.value[k])
			sockstate__out_u64(out, d->after.value[k] - d->before.value[k]);
		else if (known && !window_of(d))
			sockstate__out_u64(out, d->before.value[k]);
		else
			sockstate__out_str(out, "null");
		sockstate__out_str(out, ",\"native\":");
		sockstate__out_json_str(out, known ? d->before.native[k] : NULL);
		sockstate__out_char(out, '}');
	}
	sockstate__out_char(out, '}');
}

static void json_texts(sockstate__out *out, const sockstate_diagnosis *d,
                       const sockstate_finding *f, int lang)
{
	sockstate_finding_info info;

	sockstate_finding_describe((sockstate_finding_code)f->code, sockstate__lang_code(lang),
	                           &info);
	sockstate__out_str(out, "\"headline\":");
	sockstate__out_json_str(out, sockstate__finding_headline(d, f, lang));
	sockstate__out_str(out, ",\"title\":");
	sockstate__out_json_str(out, info.title);
	sockstate__out_str(out, ",\"meaning\":");
	sockstate__out_json_str(out, info.meaning);
	sockstate__out_str(out, ",\"whose\":");
	sockstate__out_json_str(out, info.whose);
	sockstate__out_str(out, ",\"advice\":");
	sockstate__out_json_str(out, info.advice);
}

/* One finding. lang >= 0: its texts flat, in that language; -1: a
 * "text" object with every language. */
static void json_finding(sockstate__out *out, const sockstate_diagnosis *d,
                         const sockstate_finding *f, int lang)
{
	sockstate__out_str(out, "  {\"code\":\"");
	sockstate__out_str(out, sockstate_finding_name((sockstate_finding_code)f->code));
	sockstate__out_str(out, "\",\"severity\":\"");
	sockstate__out_str(out, sockstate_severity_name((sockstate_severity)f->severity));
	sockstate__out_str(out, "\",\"variant\":");
	sockstate__out_u64(out, f->variant);
	sockstate__out_char(out, ',');
	if (lang >= 0) {
		json_texts(out, d, f, lang);
	} else {
		sockstate__out_str(out, "\"text\":{");
		for (int l = 0; l < SOCKSTATE__LANG_COUNT; l++) {
			sockstate__out_str(out, l ? ",\"" : "\"");
			sockstate__out_str(out, sockstate__lang_code(l));
			sockstate__out_str(out, "\":{");
			json_texts(out, d, f, l);
			sockstate__out_char(out, '}');
		}
		sockstate__out_char(out, '}');
	}
	sockstate__out_str(out, ",\"local\":");
	json_endpoint_or_null(out, f->family, &f->local, endpoint_set(&f->local));
	sockstate__out_str(out, ",\"remote\":");
	json_endpoint_or_null(out, f->family, &f->remote, endpoint_set(&f->remote));
	sockstate__out_str(out, ",\"pid\":");
	if (f->pid >= 0)
		sockstate__out_i64(out, f->pid);
	else
		sockstate__out_str(out, "null");
	sockstate__out_str(out, ",\"process\":");
	sockstate__out_json_str(out, f->process);
	sockstate__out_str(out, ",\"count\":");
	sockstate__out_u64(out, f->count);
	sockstate__out_str(out, ",\"limit\":");
	if (f->limit)
		sockstate__out_u64(out, f->limit);
	else
		sockstate__out_str(out, "null");
	sockstate__out_str(out, ",\"counters\":");
	json_counters(out, d, f->counters);
	sockstate__out_str(out, ",\"sockets_total\":");
	sockstate__out_u64(out, f->sockets_total);
	sockstate__out_str(out, ",\"sockets\":[");
	for (size_t i = 0; i < f->socket_count; i++) {
		if (i)
			sockstate__out_char(out, ',');
		sockstate__json_socket(out, &f->sockets[i], 1, f->sockets[i].netns != NULL, 1);
	}
	sockstate__out_str(out, "]}");
}

static void json_findings_array(sockstate__out *out, const sockstate_diagnosis *d, int lang)
{
	sockstate__out_str(out, ",\n \"findings\":[");
	for (size_t i = 0; i < d->count && out->err == 0; i++) {
		sockstate__out_str(out, i ? ",\n" : "\n");
		json_finding(out, d, &d->findings[i], lang);
	}
	sockstate__out_str(out, d->count ? "\n ]" : "]");
}

void sockstate__json_findings(sockstate__out *out, const sockstate_diagnosis *d)
{
	json_findings_array(out, d, -1);
}

static void json_asked(sockstate__out *out, const sockstate_diagnosis *d)
{
	const sockstate_diagnose_options *o = &d->asked;

	sockstate__out_str(out, ",\n \"asked\":{\"port\":");
	if (o->port >= 0)
		sockstate__out_i64(out, o->port);
	else
		sockstate__out_str(out, "null");
	sockstate__out_str(out, ",\"address\":");
	if (o->addr_family) {
		char text[64];
		int n = sockstate_endpoint_format((sockstate_family)o->addr_family, &o->addr, text,
		                                  sizeof text);
		sockstate__out_json_str(out, n >= 0 ? text : NULL);
	} else {
		sockstate__out_str(out, "null");
	}
	sockstate__out_str(out, ",\"to\":");
	json_endpoint_or_null(out, o->to_family, &o->to, o->to_family != 0);
	sockstate__out_str(out, ",\"probe\":");
	sockstate__out_str(out, (o->flags & SOCKSTATE_DIAG_PROBE) ? "true" : "false");
	sockstate__out_str(out, ",\"interval_ms\":");
	sockstate__out_u64(out, o->interval_ms);
	sockstate__out_str(out, ",\"probe_timeout_ms\":");
	sockstate__out_u64(out, o->probe_timeout_ms);
	sockstate__out_char(out, '}');
}

static void json_probe(sockstate__out *out, const sockstate_probe *p)
{
	sockstate__out_str(out, ",\n \"probe\":");
	if (p->result == SOCKSTATE_PROBE_NONE) {
		sockstate__out_str(out, "null");
		return;
	}
	sockstate__out_str(out, "{\"to\":");
	sockstate__json_endpoint(out, p->family, &p->to, NULL);
	sockstate__out_str(out, ",\"local\":");
	json_endpoint_or_null(out, p->family, &p->local, p->local.port != 0);
	sockstate__out_str(out, ",\"result\":\"");
	sockstate__out_str(out, sockstate_probe_result_name((sockstate_probe_result)p->result));
	sockstate__out_str(out, "\",\"os_error\":");
	if (p->result == SOCKSTATE_PROBE_CONNECTED)
		sockstate__out_str(out, "null");
	else
		sockstate__out_i64(out, p->os_error);
	sockstate__out_str(out, ",\"os_error_name\":");
	sockstate__out_json_str(out, p->os_error_name);
	sockstate__out_str(out, ",\"os_message\":");
	sockstate__out_json_str(out, p->os_message);
	sockstate__out_str(out, ",\"elapsed_ms\":");
	sockstate__out_u64(out, p->elapsed_ms);
	sockstate__out_str(out, ",\"timeout_ms\":");
	sockstate__out_u64(out, p->timeout_ms);
	sockstate__out_str(out, ",\"syn_retransmits\":");
	if (p->syn_retransmits >= 0)
		sockstate__out_i64(out, p->syn_retransmits);
	else
		sockstate__out_str(out, "null");
	sockstate__out_char(out, '}');
}

static void json_checks(sockstate__out *out, const sockstate_diagnosis *d)
{
	sockstate__out_str(out, ",\n \"checks\":[");
	for (unsigned c = 0; c < SOCKSTATE_FINDING_COUNT; c++) {
		int first = 1;

		sockstate__out_str(out, c ? ",\n  {\"code\":\"" : "\n  {\"code\":\"");
		sockstate__out_str(out, sockstate_finding_name((sockstate_finding_code)c));
		sockstate__out_str(out, "\",\"status\":\"");
		sockstate__out_str(out, sockstate_check_status_name((sockstate_check_status)
		                                                    d->checks[c]));
		sockstate__out_str(out, "\",\"notes\":[");
		for (unsigned n = 0; n < SOCKSTATE_NOTE_COUNT; n++) {
			if (!(d->checks_notes[c] & (1u << n)))
				continue;
			sockstate__out_str(out, first ? "\"" : ",\"");
			sockstate__out_str(out, sockstate_check_note_name(1u << n));
			sockstate__out_char(out, '"');
			first = 0;
		}
		sockstate__out_str(out, "]}");
	}
	sockstate__out_str(out, "\n ]");
}

static void json(sockstate__out *out, const sockstate_diagnosis *d)
{
	int lang = sockstate__lang_index(d->lang);
	uint64_t by[SOCKSTATE_SEVERITY_CRITICAL + 1] = {0};

	for (size_t i = 0; i < d->count; i++)
		if (d->findings[i].severity <= SOCKSTATE_SEVERITY_CRITICAL)
			by[d->findings[i].severity]++;
	sockstate__json_facts(out, "sockstate-diagnosis/1", &d->sys, d->backend);
	sockstate__out_str(out, ",\n \"lang\":");
	sockstate__out_json_str(out, d->lang);
	json_asked(out, d);
	sockstate__out_str(out, ",\n \"window\":{\"counters\":\"");
	sockstate__out_str(out, window_of(d) ? "delta"
	                   : (d->flags & SOCKSTATE_DIAGNOSIS_COUNTERS) ? "since-boot" : "none");
	sockstate__out_str(out, "\",\"ms\":");
	if (window_of(d))
		sockstate__out_i64(out, d->window_ms);
	else
		sockstate__out_str(out, "null");
	sockstate__out_str(out, ",\"error\":");
	sockstate__out_json_str(out, d->counters_error ? sockstate_errname(d->counters_error)
	                                               : NULL);
	sockstate__out_str(out, "},\n \"ephemeral_ports\":");
	if (d->flags & SOCKSTATE_DIAGNOSIS_PORT_RANGE) {
		sockstate__out_str(out, "{\"first\":");
		sockstate__out_u64(out, d->port_first);
		sockstate__out_str(out, ",\"last\":");
		sockstate__out_u64(out, d->port_last);
		sockstate__out_str(out, ",\"source\":");
		sockstate__out_json_str(out, d->port_range_source);
		sockstate__out_char(out, '}');
	} else {
		sockstate__out_str(out, "null");
	}
	json_probe(out, &d->probe);
	sockstate__out_str(out, ",\n \"sockets_seen\":");
	sockstate__out_u64(out, d->sockets_seen);
	sockstate__out_str(out, ",\n \"summary\":{\"critical\":");
	sockstate__out_u64(out, by[SOCKSTATE_SEVERITY_CRITICAL]);
	sockstate__out_str(out, ",\"warning\":");
	sockstate__out_u64(out, by[SOCKSTATE_SEVERITY_WARNING]);
	sockstate__out_str(out, ",\"info\":");
	sockstate__out_u64(out, by[SOCKSTATE_SEVERITY_INFO]);
	sockstate__out_char(out, '}');
	json_findings_array(out, d, lang);
	json_checks(out, d);
	sockstate__out_str(out, "}\n");
}

int sockstate__diagnosis_write_out(const sockstate_diagnosis *d, const sockstate_write_opts *o,
                                   sockstate__out *out)
{
	int err = sockstate__write_opts_check(o);

	if (err != 0)
		return err;
	if (d == NULL || d->size < sizeof *d || sockstate__lang_index(d->lang) < 0)
		return SOCKSTATE_EINVAL;
	switch (o->format) {
	case SOCKSTATE_FORMAT_TABLE:
		table(out, d);
		break;
	case SOCKSTATE_FORMAT_JSON:
		json(out, d);
		break;
	default:
		return SOCKSTATE_EINVAL;
	}
	return sockstate__out_finish(out);
}

SOCKSTATE_API int sockstate_diagnosis_write(const sockstate_diagnosis *d,
                                            const sockstate_write_opts *o,
                                            sockstate_write_fn fn, void *ctx)
{
	sockstate__out out;

	if (fn == NULL)
		return SOCKSTATE_EINVAL;
	sockstate__out_init(&out, fn, ctx);
	return sockstate__diagnosis_write_out(d, o, &out);
}
