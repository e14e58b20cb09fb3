/* threads.c - separate handles used from several threads at once are
 * independent (the thread rule of sockstate.h).
 *
 *   rel_threads [--threads N] [--rounds R] [--pid-source SRC] [--host-netns]
 *
 * Holds a population of real sockets (in private network, mount and pid
 * namespaces when it can, see rel_util.h), then starts N threads (default
 * 8) at once. Each opens its own
 * handle (backends alternate between the threads: linux-netlink and
 * linux-proc) and runs R rounds (default 200) of streaming, snapshot and
 * counts, owners mapped every other round, checking its own view of the
 * population every time; each also uses the handle-less functions the
 * header calls safe from any thread (state names and parsing, strerror,
 * the backend list, address formatting, the writers). A second build of
 * this program, rel_threads_tsan, compiles it and the whole library with
 * ThreadSanitizer: there any data race is a failure.
 * Exit 0, 1 (first problem), 2 usage. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rel_util.h"

struct worker {
	pthread_t thread;
	int index;
	long rounds;
	const char *backend;
	const char *pid_source;
	int private_ns;
	rel_population pop;        /* this thread's own `seen` counts */
	char error[512];
	long enumerations;
};

static pthread_barrier_t start_line;

static int discard(void *ctx, const char *buf, size_t len)
{
	(void)buf;
	*(size_t *)ctx += len;
	return 0;
}

#define WFAIL(...)                                                           \
	do {                                                                 \
		snprintf(w->error, sizeof w->error, __VA_ARGS__);            \
		goto out;                                                    \
	} while (0)

static int handle_free_calls(struct worker *w)
{
	sockstate_state st;
	uint32_t mask;
	const char *const *names = sockstate_backends();
	char text[64];
	sockstate_endpoint ep = {.port = 80};

	if (sockstate_state_parse("syn-recv", &st) != 0 || st != SOCKSTATE_SYN_RECEIVED)
		return -1;
	if (sockstate_states_parse("ESTAB,LISTEN", &mask, NULL) != 0 ||
	    mask != (SOCKSTATE_STATE_BIT(SOCKSTATE_ESTABLISHED) |
	             SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN)))
		return -1;
	if (strcmp(sockstate_state_name(SOCKSTATE_TIME_WAIT), "TIME_WAIT") != 0 ||
	    strcmp(sockstate_strerror(SOCKSTATE_EPERM), sockstate_strerror(-3)) != 0)
		return -1;
	if (!names || !names[0])
		return -1;
	ep.addr[0] = 127;
	ep.addr[3] = (uint8_t)w->index;
	if (sockstate_endpoint_format(SOCKSTATE_FAMILY_IPV4, &ep, text, sizeof text) < 0)
		return -1;
	return 0;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	sockstate_options o = {.size = sizeof o, .backend = w->backend,
	                       .pid_source = w->pid_source};
	sockstate_handle *h = NULL;
	int rc;

	pthread_barrier_wait(&start_line);
	rc = sockstate_open(&h, &o);
	if (rc != 0)
		WFAIL("thread %d: sockstate_open(%s): %s", w->index, w->backend,
		      sockstate_errdetail(NULL));
	for (long round = 0; round < w->rounds; round++) {
		int pids = (int)(round & 1);
		sockstate_query q;
		rel_verdict v;
		struct rel_check_ctx ctx = {.p = &w->pop, .v = &v, .with_pids = pids};
		sockstate_snapshot *snap = NULL;
		sockstate_counts counts;
		size_t bytes = 0;

		sockstate_query_init(&q);
		if (pids)
			q.flags |= SOCKSTATE_Q_PIDS;

		memset(&v, 0, sizeof v);
		rel_check_begin(&w->pop);
		rc = sockstate_foreach(h, &q, rel_check_cb, &ctx);
		rel_check_end(&w->pop, &v);
		if (rc != 0)
			WFAIL("thread %d round %ld: foreach: %s (%s)", w->index, round,
			      sockstate_strerror(rc), sockstate_errdetail(h));
		if (!rel_verdict_ok(&v))
			WFAIL("thread %d round %ld: foreach: %s", w->index, round, v.first_problem);

		memset(&v, 0, sizeof v);
		rel_check_begin(&w->pop);
		rc = sockstate_snapshot_take(h, &q, &snap);
		if (rc != 0)
			WFAIL("thread %d round %ld: snapshot: %s (%s)", w->index, round,
			      sockstate_strerror(rc), sockstate_errdetail(h));
		for (size_t i = 0; i < snap->count; i++)
			rel_check_record(&w->pop, &snap->sockets[i], pids, &v);
		rel_check_end(&w->pop, &v);
		{
			sockstate_write_opts wo = {.size = sizeof wo, .format = SOCKSTATE_FORMAT_JSON,
			                           .port = -1};
			rc = sockstate_snapshot_write(snap, &wo, discard, &bytes);
		}
		sockstate_snapshot_free(snap);
		if (!rel_verdict_ok(&v))
			WFAIL("thread %d round %ld: snapshot: %s", w->index, round, v.first_problem);
		if (rc != 0 || bytes == 0)
			WFAIL("thread %d round %ld: writing JSON: %s", w->index, round,
			      sockstate_strerror(rc));

		rc = sockstate_count(h, NULL, &counts);
		if (rc != 0)
			WFAIL("thread %d round %ld: count: %s (%s)", w->index, round,
			      sockstate_strerror(rc), sockstate_errdetail(h));
		if (counts.by_state[SOCKSTATE_LISTEN] < 1 ||
		    (w->private_ns && counts.total != w->pop.n))
			WFAIL("thread %d round %ld: count: total %llu, %zu held", w->index, round,
			      (unsigned long long)counts.total, w->pop.n);
		if (handle_free_calls(w) != 0)
			WFAIL("thread %d round %ld: a handle-free call answered wrongly", w->index,
			      round);
		w->enumerations += 3;
	}
out:
	sockstate_close(h);
	return NULL;
}

int main(int argc, char **argv)
{
	static const char *const backends[] = {"linux-netlink", "linux-proc"};
	int nthreads = 8, private_ns = 1, failed = 0;
	long rounds = 200, total = 0;
	const char *pid_source = NULL, *why = "";
	struct worker *w;
	rel_population pop;
	double t0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			nthreads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atol(argv[++i]);
		else if (!strcmp(argv[i], "--pid-source") && i + 1 < argc)
			pid_source = argv[++i];
		else if (!strcmp(argv[i], "--host-netns"))
			private_ns = 0;
		else {
			fprintf(stderr, "usage: %s [--threads N] [--rounds R] [--pid-source SRC] "
			        "[--host-netns]\n", argv[0]);
			return 2;
		}
	}
	if (nthreads < 1 || nthreads > 256 || rounds < 1) {
		fprintf(stderr, "%s: threads 1-256, rounds >= 1\n", argv[0]);
		return 2;
	}
	/* Before any thread: a thread that unshares alone would be alone. */
	if (private_ns) {
		private_ns = rel_enter_private_world(&why);
		if (!private_ns)
			printf("threads: %s: using the host's namespaces\n", why);
	}
	rel_population_make(&pop, 2, 3, 1);

	w = calloc((size_t)nthreads, sizeof *w);
	if (!w || pthread_barrier_init(&start_line, NULL, (unsigned)nthreads) != 0)
		rel_fail("out of memory");
	t0 = rel_now();
	for (int i = 0; i < nthreads; i++) {
		w[i].index = i;
		w[i].rounds = rounds;
		w[i].backend = backends[i % 2];
		w[i].pid_source = pid_source;
		w[i].private_ns = private_ns;
		rel_population_clone(&pop, &w[i].pop);
		if (pthread_create(&w[i].thread, NULL, run, &w[i]) != 0)
			rel_fail("pthread_create");
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].error[0]) {
			fprintf(stderr, "FAIL: %s\n", w[i].error);
			failed = 1;
		}
		total += w[i].enumerations;
		rel_population_free(&w[i].pop);
	}
	printf("threads: %d threads, one handle each (linux-netlink and linux-proc), "
	       "%ld enumerations in %.1f s, %zu sockets each, %s\n", nthreads, total,
	       rel_now() - t0, pop.n, failed ? "FAILED" : "every one complete and right");
	pthread_barrier_destroy(&start_line);
	free(w);
	rel_population_free(&pop);
	return failed;
}
