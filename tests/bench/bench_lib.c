/* bench_lib.c - the library timed from inside one process, as a program
 * that links it sees it.
 *
 *   bench_lib foreach|snapshot|count [--repeat R] [--port P] [-p]
 *             [--pid-source auto|procfs|bpf] [--backend NAME]
 *
 * Opens one handle (timed apart), runs the query once untimed (a
 * long-running caller's warm state: buffers, a loaded BPF program), then
 * R times more, each timed:
 *   foreach   sockstate_foreach with a callback that only counts;
 *   snapshot  sockstate_snapshot_take then sockstate_snapshot_free;
 *   count     sockstate_count.
 * --port P filters on "local or remote port is P"; -p maps owners
 * (SOCKSTATE_Q_PIDS) through --pid-source.
 *
 * Prints one JSON line: sockets seen (last repetition), the median and
 * minimum wall seconds and the median CPU seconds per query, the open's
 * seconds, the pid source used, the process's peak RSS, and for snapshot
 * the bytes the snapshot keeps allocated while held (heap in use after
 * the take minus before it, from glibc's mallinfo2). Exit 0, 1 when the
 * library fails (its message on stderr), 2 on bad usage. Not a test:
 * tests/bench/run.py runs it beside the kernel floor and the OS's tools. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "sockstate.h"

#include "bench_util.h"

#define MAX_REPEAT 1000

enum bench_mode { MODE_FOREACH, MODE_SNAPSHOT, MODE_COUNT };

struct bench_opts {
	enum bench_mode mode;
	const char *mode_name;
	int repeat;
	int pids;
	const char *port;
	const char *pid_source;
	const char *backend;
};

static int count_cb(const sockstate_socket *s, void *ctx)
{
	(void)s;
	(*(uint64_t *)ctx)++;
	return 0;
}

/* Heap bytes in use: the arenas' allocated chunks plus mmapped blocks. */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_lib foreach|snapshot|count [--repeat R] [--port P] "
	        "[-p] [--pid-source SRC] [--backend NAME]\n");
	return 2;
}

static int parse_opts(int argc, char **argv, struct bench_opts *o)
{
	static const char *const modes[] = {"foreach", "snapshot", "count"};

	memset(o, 0, sizeof *o);
	o->repeat = 1;
	if (argc < 2)
		return -1;
	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++)
		if (!strcmp(argv[1], modes[m])) {
			o->mode = (enum bench_mode)m;
			o->mode_name = modes[m];
		}
	if (!o->mode_name)
		return -1;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-p")) {
			o->pids = 1;
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		if (!strcmp(argv[i], "--repeat")) {
			char *end = NULL;
			long v = strtol(argv[i + 1], &end, 10);
			if (*end != '\0' || v < 1 || v > MAX_REPEAT)
				return -1;
			o->repeat = (int)v;
		} else if (!strcmp(argv[i], "--port")) {
			o->port = argv[i + 1];
		} else if (!strcmp(argv[i], "--pid-source")) {
			o->pid_source = argv[i + 1];
		} else if (!strcmp(argv[i], "--backend")) {
			o->backend = argv[i + 1];
		} else {
			return -1;
		}
		i++;
	}
	return 0;
}

static int fail(const char *what, int rc, const sockstate_handle *h)
{
	const char *detail = h ? sockstate_errdetail(h) : sockstate_errdetail(NULL);

	fprintf(stderr, "bench_lib: %s: %s%s%s\n", what, sockstate_strerror(rc),
	        detail[0] ? ": " : "", detail);
	return 1;
}

/* One query; *sockets gets how many it listed. */
static int run_once(const struct bench_opts *o, sockstate_handle *h,
                    const sockstate_query *q, uint64_t *sockets, size_t *retained)
{
	sockstate_snapshot *snap = NULL;
	sockstate_counts counts;
	size_t before;
	int rc = 0;

	*sockets = 0;
	switch (o->mode) {
	case MODE_FOREACH:
		rc = sockstate_foreach(h, q, count_cb, sockets);
		break;
	case MODE_SNAPSHOT:
		before = heap_in_use();
		rc = sockstate_snapshot_take(h, q, &snap);
		if (rc == 0) {
			*retained = heap_in_use() - before;
			*sockets = snap->count;
		}
		sockstate_snapshot_free(snap);
		break;
	case MODE_COUNT:
		rc = sockstate_count(h, q, &counts);
		if (rc == 0)
			*sockets = counts.total;
		break;
	}
	return rc;
}

int main(int argc, char **argv)
{
	static double times[MAX_REPEAT], cpu[MAX_REPEAT], sorted[MAX_REPEAT];
	double median, min, cpu_median, cpu_min;
	struct bench_opts o;
	sockstate_options opts;
	sockstate_handle *h = NULL;
	sockstate_query q;
	uint64_t sockets = 0;
	size_t retained = 0;
	double t0, c0, open_s;
	const char *pid_source;
	int rc;

	if (parse_opts(argc, argv, &o) < 0)
		return usage();
	sockstate_query_init(&q);
	if (o.port && (rc = sockstate_query_set(&q, "port", o.port)) < 0) {
		fail("--port", rc, NULL);
		return 2;
	}
	if (o.pids)
		q.flags |= SOCKSTATE_Q_PIDS;
	memset(&opts, 0, sizeof opts);
	opts.size = sizeof opts;
	opts.backend = o.backend;
	opts.pid_source = o.pid_source;
	t0 = bench_now_s();
	rc = sockstate_open(&h, &opts);
	open_s = bench_now_s() - t0;
	if (rc < 0)
		return fail("sockstate_open", rc, NULL);
	/* One untimed query first: buffers allocated, a BPF program loaded,
	 * caches warm, as a long-running caller has them. */
	rc = run_once(&o, h, &q, &sockets, &retained);
	if (rc < 0) {
		fail(o.mode_name, rc, h);
		sockstate_close(h);
		return 1;
	}
	for (int r = 0; r < o.repeat; r++) {
		t0 = bench_now_s();
		c0 = bench_cpu_s();
		rc = run_once(&o, h, &q, &sockets, &retained);
		times[r] = bench_now_s() - t0;
		cpu[r] = bench_cpu_s() - c0;
		if (rc < 0) {
			fail(o.mode_name, rc, h);
			sockstate_close(h);
			return 1;
		}
	}
	pid_source = sockstate_pid_source(h);
	bench_median(times, o.repeat, sorted, &median, &min);
	bench_median(cpu, o.repeat, sorted, &cpu_median, &cpu_min);
	printf("{\"program\": \"bench_lib\", \"mode\": \"%s\", \"backend\": \"%s\", "
	       "\"pid_source\": %s%s%s, \"sockets\": %llu, \"repeat\": %d, "
	       "\"open_s\": %.6f, \"median_s\": %.6f, \"min_s\": %.6f, \"cpu_median_s\": %.6f, "
	       "\"maxrss_kib\": %ld, \"retained_bytes\": %zu, \"seconds\": [",
	       o.mode_name, sockstate_backend(h), pid_source ? "\"" : "",
	       pid_source ? pid_source : "null", pid_source ? "\"" : "",
	       (unsigned long long)sockets, o.repeat, open_s,
	       median, min, cpu_median, bench_peak_rss_kib(), retained);
	for (int r = 0; r < o.repeat; r++)
		printf("%s%.6f", r ? ", " : "", times[r]);
	printf("], \"cpu_seconds\": [");
	for (int r = 0; r < o.repeat; r++)
		printf("%s%.6f", r ? ", " : "", cpu[r]);
	printf("]}\n");
	sockstate_close(h);
	return 0;
}
