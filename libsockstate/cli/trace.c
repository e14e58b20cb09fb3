/* trace.c - `sockstate trace`: connection lifecycle events as they
 * happen (sockstate_trace_*), one line each through the library's event
 * writers: a table line, a CSV row or a JSON object (NDJSON). It ends at
 * SIGINT or SIGTERM, after --duration seconds or --count events, with
 * exit 0 once what was read is written. On a terminal or a pipe each
 * line is written as its event comes (the reader may be grep); into a
 * file, in batches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* The longest one read waits: a stop request is seen at least this
 * often (the library's waits do not end at a signal). */
#define READ_SLICE_MS 100

/* Standard output, written per event or in batches. */
struct sink {
	struct cli_output out;
	int per_event;
	int rc;                     /* the first write error */
	size_t len;
	char buf[65536];
};

static int sink_flush(struct sink *s)
{
	if (s->len > 0 && s->rc == SOCKSTATE_OK)
		s->rc = cli_output_write(&s->out, s->buf, s->len);
	s->len = 0;
	return s->rc;
}

/* A sockstate_write_fn into the batch. */
static int sink_write(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;

	if (s->len + n > sizeof s->buf && sink_flush(s) != SOCKSTATE_OK)
		return s->rc;
	if (n > sizeof s->buf) {
		s->rc = cli_output_write(&s->out, p, n);
		return s->rc;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return SOCKSTATE_OK;
}

static int is_regular_file(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

struct tracer {
	const struct cli_args *a;
	sockstate_handle *h;
	sockstate_trace *t;
	sockstate_write_opts wo;
	size_t events;              /* written, lost-event lines aside */
	struct sink sink;
};

static sockstate_trace_options trace_options(const struct cli_args *a)
{
	sockstate_trace_options o;

	sockstate_trace_options_init(&o);
	o.source = a->trace_source;
	if (a->interval > 0)
		o.interval_ms = a->interval * 1e3 < 1 ? 1 : (uint32_t)(a->interval * 1e3 + 0.5);
	if (a->trace_summaries)
		o.flags = SOCKSTATE_TRACE_SUMMARIES | SOCKSTATE_TRACE_NO_TRANSITIONS;
	return o;
}

static int write_failed(struct tracer *tr, int rc, struct cli_error *e)
{
	cli_output_write_error(&tr->sink.out, rc, e);
	return CLI_EXIT_OS;
}

static int write_event(struct tracer *tr, const sockstate_event *ev, struct cli_error *e)
{
	int rc = sockstate_event_write(ev, &tr->wo, sink_write, &tr->sink);

	if (rc == SOCKSTATE_OK && tr->sink.per_event)
		rc = sink_flush(&tr->sink);
	if (rc != SOCKSTATE_OK)
		return write_failed(tr, rc, e);
	if (ev->kind != SOCKSTATE_EVENT_LOST)
		tr->events++;
	return CLI_EXIT_OK;
}

/* How long the next read may wait, or -1 once --duration is over. */
static int next_wait_ms(double end)
{
	double left_ms;

	if (end <= 0)
		return READ_SLICE_MS;
	left_ms = (end - cli_monotonic()) * 1e3;
	if (left_ms <= 0)
		return -1;
	return left_ms < READ_SLICE_MS ? (int)left_ms + 1 : READ_SLICE_MS;
}

/* Read and write events until a stop request, the end of --duration or
 * --count. The first read does not wait (poll takes its first listing
 * there): only then is the trace said to be watching. */
static int follow(struct tracer *tr, struct cli_error *e)
{
	const struct cli_args *a = tr->a;
	double end = a->duration > 0 ? cli_monotonic() + a->duration : 0;
	sockstate_event ev;

	for (int first = 1; !cli_stop_requested(); first = 0) {
		int wait_ms = first ? 0 : next_wait_ms(end);
		int rc;

		if (wait_ms < 0)
			break;
		rc = sockstate_trace_read(tr->t, &ev, wait_ms);
		if (rc < 0) {
			cli_library_error(e, "trace: reading events", rc, sockstate_errdetail(tr->h));
			return cli_exit_code(rc);
		}
		if (first && a->verbose)
			fprintf(stderr, "sockstate: trace source %s\n",
			        sockstate_trace_source_reason(tr->t));
		if (rc == 0) {
			if (sink_flush(&tr->sink) != SOCKSTATE_OK)
				return write_failed(tr, tr->sink.rc, e);
			continue;
		}
		rc = write_event(tr, &ev, e);
		if (rc != CLI_EXIT_OK)
			return rc;
		if (a->max_events > 0 && tr->events >= a->max_events)
			break;
	}
	return CLI_EXIT_OK;
}

static int run_trace(struct tracer *tr, struct cli_error *e)
{
	sockstate_trace_options o = trace_options(tr->a);
	int code;
	int rc;

	rc = sockstate_trace_open(tr->h, &tr->a->query, &o, &tr->t);
	if (rc != SOCKSTATE_OK) {
		cli_library_error(e, "trace", rc, sockstate_errdetail(tr->h));
		return cli_exit_code(rc);
	}
	code = cli_output_open(&tr->sink.out, NULL, e);
	if (code != CLI_EXIT_OK)
		return code;
	tr->sink.per_event = !is_regular_file(tr->sink.out.fd);
	if (!(tr->wo.flags & SOCKSTATE_W_NO_HEADER)) {
		rc = sockstate_event_write_header(&tr->wo, sink_write, &tr->sink);
		if (rc == SOCKSTATE_OK)
			rc = sink_flush(&tr->sink);
		if (rc != SOCKSTATE_OK)
			code = write_failed(tr, rc, e);
	}
	if (code == CLI_EXIT_OK) {
		cli_stop_catch();
		code = follow(tr, e);
		cli_stop_release();
	}
	if (sink_flush(&tr->sink) != SOCKSTATE_OK && code == CLI_EXIT_OK)
		code = write_failed(tr, tr->sink.rc, e);
	if (tr->a->verbose)
		fprintf(stderr, "sockstate: trace: %zu events, %llu lost\n", tr->events,
		        (unsigned long long)sockstate_trace_lost(tr->t));
	/* Standard output: nothing to commit, nothing can fail. */
	(void)cli_output_commit(&tr->sink.out, e);
	return code;
}

int cli_trace(const struct cli_args *a, struct cli_error *e)
{
	struct cli_handle_set set;
	struct tracer *tr;
	int code;

	/* The sink's batch is too big for the stack of a thread that runs
	 * cli_main (Python's). */
	tr = calloc(1, sizeof *tr);
	if (tr == NULL) {
		cli_error_set(e, "out of memory");
		return CLI_EXIT_OS;
	}
	code = cli_handles_open(a, &set, e);
	if (code == CLI_EXIT_OK) {
		tr->a = a;
		tr->h = set.h[0];
		tr->wo.size = sizeof tr->wo;
		tr->wo.format = a->format;
		tr->wo.flags = a->write_flags;
		tr->wo.port = -1;
		code = run_trace(tr, e);
		sockstate_trace_close(tr->t);
		cli_handles_close(&set);
	}
	free(tr);
	return code;
}
