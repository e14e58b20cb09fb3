/* bench_trace.c - what tracing costs a workload, and how fast a reader
 * drains events. In a private network namespace (run as root), rounds of
 * a connection churn (tests/trace/churn.c: CONNECTIONS connections from
 * four threads, each reset by its client) alternate: without a trace,
 * then with a trace of SOURCE read by a thread of this process as a
 * program would. Prints the median churn rate of each side by side, the
 * cost in percent, and the events per second the reader took. Then the
 * reader alone: a burst that the ring holds (no reading meanwhile),
 * drained as fast as the reader goes.
 *   bench_trace [SOURCE [CONNECTIONS [ROUNDS]]]   (bpf, 20000, 7)
 * Not a test: timings are not assertions (docs/TRACE.md has figures). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "sockstate.h"
#include "bench_util.h"
#include "../trace/churn.h"
#include "../unit/lo_up.h"

#define PORT 7200
#define THREADS 4
#define ROUNDS_MAX 51

struct reader {
	sockstate_trace *t;
	atomic_int stop;
	uint64_t events, lost;
	double cpu_s;       /* the reader thread's own CPU time */
};

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *read_events(void *arg)
{
	struct reader *r = arg;
	sockstate_event ev;
	int quiet = 0;
	double cpu = thread_cpu_s();

	/* Until told to stop, then until the source is quiet. */
	while (quiet < 2) {
		int rc = sockstate_trace_read(r->t, &ev, 100);

		if (rc < 0)
			break;
		if (rc == 0) {
			quiet += atomic_load(&r->stop);
			continue;
		}
		if (ev.kind == SOCKSTATE_EVENT_LOST)
			r->lost += ev.lost;
		else
			r->events++;
	}
	r->cpu_s = thread_cpu_s() - cpu;
	return NULL;
}

static int open_trace(sockstate_handle **h, sockstate_trace **t, sockstate_event_source src)
{
	sockstate_trace_options o;
	sockstate_query q;

	if (sockstate_open(h, NULL) < 0)
		return -1;
	sockstate_query_init(&q);
	q.port = PORT;
	sockstate_trace_options_init(&o);
	o.source = src;
	o.interval_ms = 100;
	if (sockstate_trace_open(*h, &q, &o, t) < 0) {
		fprintf(stderr, "bench_trace: %s\n", sockstate_errdetail(*h));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	sockstate_event_source src = SOCKSTATE_TRACE_BPF;
	long n = argc > 2 ? atol(argv[2]) : 20000;
	int rounds = argc > 3 ? atoi(argv[3]) : 7;
	double bare[ROUNDS_MAX], traced[ROUNDS_MAX], rate[ROUNDS_MAX], scratch[ROUNDS_MAX];
	double cpu_per_event[ROUNDS_MAX];
	double bare_med, traced_med, rate_med, cpu_med, lo;
	uint64_t lost = 0;

	if ((argc > 1 && sockstate_event_source_parse(argv[1], &src) < 0) || n < 100 ||
	    rounds < 1 || rounds > ROUNDS_MAX) {
		fprintf(stderr, "usage: bench_trace [bpf|sock-diag-destroy|poll "
		                "[CONNECTIONS [ROUNDS (1-51)]]]\n");
		return 2;
	}
	if (unshare(CLONE_NEWNET) != 0 || lo_up() != 0) {
		fprintf(stderr, "bench_trace: needs root (a private network namespace)\n");
		return 3;
	}
	for (int i = 0; i < rounds; i++) {
		struct churn_result r;
		struct reader rd = {.t = NULL};
		sockstate_handle *h = NULL;
		pthread_t tid;
		double start;

		if (churn_run(PORT, (uint64_t)n, THREADS, &r) != 0)
			return 1;
		bare[i] = (double)r.made / r.seconds;
		if (open_trace(&h, &rd.t, src) < 0)
			return 3;
		pthread_create(&tid, NULL, read_events, &rd);
		start = bench_now_s();
		if (churn_run(PORT, (uint64_t)n, THREADS, &r) != 0)
			return 1;
		traced[i] = (double)r.made / r.seconds;
		atomic_store(&rd.stop, 1);
		pthread_join(tid, NULL);
		rate[i] = (double)rd.events / (bench_now_s() - start);
		cpu_per_event[i] = rd.events ? rd.cpu_s / (double)rd.events : 0;
		lost += rd.lost;
		sockstate_trace_close(rd.t);
		sockstate_close(h);
	}
	bench_median(bare, rounds, scratch, &bare_med, &lo);
	bench_median(traced, rounds, scratch, &traced_med, &lo);
	bench_median(rate, rounds, scratch, &rate_med, &lo);
	bench_median(cpu_per_event, rounds, scratch, &cpu_med, &lo);
	printf("source %s, %ld connections x %d rounds, %d client threads\n",
	       sockstate_event_source_name(src), n, rounds, THREADS);
	printf("churn without a trace  %10.0f connections/s (median)\n", bare_med);
	printf("churn while traced     %10.0f connections/s (median)\n", traced_med);
	printf("cost to the workload   %9.1f %%\n", 100.0 * (1.0 - traced_med / bare_med));
	printf("events read meanwhile  %10.0f events/s (median), %llu lost in all\n", rate_med,
	       (unsigned long long)lost);
	printf("reader CPU per event   %10.2f us (median; the reader shares the CPUs)\n",
	       cpu_med * 1e6);

	/* The reader alone: a burst it does not read, then drained. */
	if (src == SOCKSTATE_TRACE_BPF) {
		struct churn_result r;
		struct reader rd = {.t = NULL};
		sockstate_handle *h = NULL;
		double start;

		if (open_trace(&h, &rd.t, src) < 0 || churn_run(PORT, 5000, THREADS, &r) != 0)
			return 1;
		atomic_store(&rd.stop, 1);
		start = bench_now_s();
		read_events(&rd);
		/* The two quiet reads of 100 ms ended it: not the reader's. */
		printf("drain of a held burst  %10.0f events/s (%llu events, %llu lost)\n",
		       (double)rd.events / (bench_now_s() - start - 0.2),
		       (unsigned long long)rd.events, (unsigned long long)rd.lost);
		sockstate_trace_close(rd.t);
		sockstate_close(h);
	}
	return 0;
}
