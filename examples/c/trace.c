/* trace.c - print TCP state transitions as they happen, like bcc's
 * tcpstates, with a summary line per connection that ends (tcplife).
 *   trace [SOURCE [SECONDS [PORT]]]
 * SOURCE: auto (default), bpf, sock-diag-destroy or poll. Runs until
 * SECONDS have passed (default: until killed), watching PORT only if
 * given. Exit 0, 2 on bad usage, 3 when the trace cannot start.
 * Build: cc trace.c $(pkg-config --cflags --libs sockstate) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sockstate.h>

int main(int argc, char **argv)
{
	sockstate_write_opts out = {.size = sizeof out, .format = SOCKSTATE_FORMAT_TABLE};
	sockstate_trace_options o;
	sockstate_event_source source = SOCKSTATE_TRACE_AUTO;
	sockstate_handle *h = NULL;
	sockstate_trace *t = NULL;
	sockstate_query q;
	sockstate_event ev;
	int fd = 1, seconds = argc > 2 ? atoi(argv[2]) : 0, rc;
	time_t end;

	if (argc > 4 || (argc > 1 && sockstate_event_source_parse(argv[1], &source) < 0)) {
		fprintf(stderr, "usage: trace [auto|bpf|sock-diag-destroy|poll [SECONDS [PORT]]]\n");
		return 2;
	}
	sockstate_query_init(&q);
	if (argc > 3 && sockstate_query_set(&q, "port", argv[3]) < 0) {
		fprintf(stderr, "trace: bad port '%s'\n", argv[3]);
		return 2;
	}
	rc = sockstate_open(&h, NULL);
	if (rc < 0) {
		fprintf(stderr, "trace: %s: %s\n", sockstate_strerror(rc), sockstate_errdetail(NULL));
		return 3;
	}
	sockstate_trace_options_init(&o);
	o.source = source;
	o.flags = SOCKSTATE_TRACE_SUMMARIES;
	rc = sockstate_trace_open(h, &q, &o, &t);
	if (rc < 0) {
		fprintf(stderr, "trace: %s: %s\n", sockstate_strerror(rc), sockstate_errdetail(h));
		sockstate_close(h);
		return 3;
	}
	fprintf(stderr, "trace: source %s (%s)\n", sockstate_trace_source(t),
	        sockstate_trace_source_reason(t));
	sockstate_event_write_header(&out, sockstate_write_fd, &fd);
	end = time(NULL) + seconds;
	while (seconds <= 0 || time(NULL) < end) {
		rc = sockstate_trace_read(t, &ev, 200);
		if (rc < 0) {
			fprintf(stderr, "trace: %s: %s\n", sockstate_strerror(rc),
			        sockstate_errdetail(h));
			break;
		}
		if (rc == 1 && sockstate_event_write(&ev, &out, sockstate_write_fd, &fd) < 0)
			break;
	}
	sockstate_trace_close(t);
	sockstate_close(h);
	return rc < 0 ? 3 : 0;
}
