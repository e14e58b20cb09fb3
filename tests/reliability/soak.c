/* soak.c - many enumerations in one process: nothing leaks, nothing is
 * lost.
 *
 *   rel_soak [--rounds N] [--backend NAME] [--pid-source SRC] [--no-rss]
 *            [--host-netns]
 *
 * Holds a population of real sockets (listeners, ESTABLISHED pairs,
 * FIN_WAIT_2/CLOSE_WAIT pairs, IPv4 and IPv6) in private network, mount
 * and pid namespaces (so the owner walk sees this test's processes only
 * and the machine's other work cannot change its memory; without root,
 * or with --host-netns, in the host's namespaces), opens one
 * handle, and runs N rounds (default 10,000). Each round enumerates three
 * ways - streaming (sockstate_foreach), snapshot (sockstate_snapshot_take,
 * then written in every format), counts (sockstate_count) - with owners
 * mapped on odd rounds, and checks that every socket of the population is
 * there exactly once in its state (with owners: owned by this process),
 * and that the counts agree. After a warm-up it records the descriptor
 * count and resident memory; at every 1,000th round and at the end the
 * descriptor count must be unchanged, and at the end resident memory may
 * have grown by less than 256 KiB (--no-rss skips that: under valgrind or
 * a sanitizer memory is not the program's own).
 *
 * Prints the figures docs/RELIABILITY.md reports. Exit 0, 1 (with the
 * first problem), 2 usage. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rel_util.h"

#define RSS_GROWTH_MAX_KIB 256
#define FD_CHECK_EVERY 1000

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

struct sink {
	size_t bytes;
};

static int count_bytes(void *ctx, const char *buf, size_t len)
{
	(void)buf;
	((struct sink *)ctx)->bytes += len;
	return 0;
}

static void require(const char *what, long round, const rel_verdict *v, int rc,
                    sockstate_handle *h)
{
	if (rc != 0)
		rel_fail("round %ld, %s: %s (%s)", round, what, sockstate_strerror(rc),
		         sockstate_errdetail(h));
	if (!rel_verdict_ok(v))
		rel_fail("round %ld, %s: %zu missing, %zu repeated, %zu in a wrong state, "
		         "%zu with a wrong owner; first: %s", round, what, v->missing,
		         v->repeated, v->wrong_state, v->wrong_owner, v->first_problem);
}

int main(int argc, char **argv)
{
	long rounds = 10000, warmup;
	const char *backend = NULL, *pid_source = NULL, *why = "", *used_pid_source = NULL;
	int check_rss = !SANITIZED, private_ns = 1;
	sockstate_options o = {.size = sizeof o};
	sockstate_handle *h;
	rel_population pop;
	int fd0 = 0, rc;
	long rss0 = 0, rss1;
	double t0;
	size_t written = 0, per_state_expected[SOCKSTATE_STATE_COUNT] = {0};

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atol(argv[++i]);
		else if (!strcmp(argv[i], "--backend") && i + 1 < argc)
			backend = argv[++i];
		else if (!strcmp(argv[i], "--pid-source") && i + 1 < argc)
			pid_source = argv[++i];
		else if (!strcmp(argv[i], "--no-rss"))
			check_rss = 0;
		else if (!strcmp(argv[i], "--host-netns"))
			private_ns = 0;
		else {
			fprintf(stderr, "usage: %s [--rounds N] [--backend NAME] [--pid-source SRC] "
			        "[--no-rss] [--host-netns]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1)
		rounds = 1;
	warmup = rounds < 500 ? rounds / 10 : 50;

	if (private_ns) {
		private_ns = rel_enter_private_world(&why);
		if (!private_ns)
			printf("soak: %s: using the host's namespaces\n", why);
		else if (private_ns == 1)
			printf("soak: no pid namespace here: owners are looked for among "
			       "every process of the machine\n");
	}
	rel_population_make(&pop, 3, 4, 2);
	for (size_t i = 0; i < pop.n; i++)
		per_state_expected[pop.v[i].state]++;

	o.backend = backend;
	o.pid_source = pid_source;
	rc = sockstate_open(&h, &o);
	if (rc != 0)
		rel_fail("sockstate_open: %s", sockstate_errdetail(NULL));

	t0 = rel_now();
	for (long round = 0; round < rounds + warmup; round++) {
		int pids = round & 1;
		long r = round - warmup;
		sockstate_query q;
		rel_verdict v;
		struct rel_check_ctx ctx = {.p = &pop, .v = &v, .with_pids = pids};
		sockstate_snapshot *snap = NULL;
		sockstate_counts counts;

		if (round == warmup) {
			fd0 = rel_fd_count();
			rss0 = rel_rss_kib();
			t0 = rel_now();
		}
		sockstate_query_init(&q);
		if (pids)
			q.flags |= SOCKSTATE_Q_PIDS;

		/* streaming */
		memset(&v, 0, sizeof v);
		rel_check_begin(&pop);
		rc = sockstate_foreach(h, &q, rel_check_cb, &ctx);
		rel_check_end(&pop, &v);
		require(pids ? "streaming with owners" : "streaming", r, &v, rc, h);
		if (pids)
			used_pid_source = sockstate_pid_source(h);
		if (private_ns && v.records != pop.n)
			rel_fail("round %ld: streaming listed %zu sockets, the namespace holds %zu",
			         r, v.records, pop.n);

		/* snapshot, and every writer over it now and then */
		memset(&v, 0, sizeof v);
		rel_check_begin(&pop);
		rc = sockstate_snapshot_take(h, &q, &snap);
		if (rc == 0)
			for (size_t i = 0; i < snap->count; i++)
				rel_check_record(&pop, &snap->sockets[i], pids, &v);
		rel_check_end(&pop, &v);
		require(pids ? "snapshot with owners" : "snapshot", r, &v, rc, h);
		if (round % 10 == 0) {
			for (int f = SOCKSTATE_FORMAT_TABLE; f <= SOCKSTATE_FORMAT_PROMETHEUS; f++) {
				sockstate_write_opts wo = {.size = sizeof wo, .format = (sockstate_format)f,
				                           .flags = SOCKSTATE_W_PIDS, .port = -1};
				struct sink sink = {0};
				rc = sockstate_snapshot_write(snap, &wo, count_bytes, &sink);
				if (rc != 0 || sink.bytes == 0)
					rel_fail("round %ld: writing format %d: %s", r, f,
					         sockstate_strerror(rc));
				written += sink.bytes;
			}
		}
		sockstate_snapshot_free(snap);

		/* counts: no owners (they do not change counts) */
		q.flags &= ~(uint32_t)SOCKSTATE_Q_PIDS;
		rc = sockstate_count(h, &q, &counts);
		if (rc != 0)
			rel_fail("round %ld, counts: %s (%s)", r, sockstate_strerror(rc),
			         sockstate_errdetail(h));
		for (int st = 0; st < SOCKSTATE_STATE_COUNT; st++) {
			if (private_ns ? counts.by_state[st] != per_state_expected[st]
			               : counts.by_state[st] < per_state_expected[st])
				rel_fail("round %ld, counts: %llu %s, expected %s%zu", r,
				         (unsigned long long)counts.by_state[st],
				         sockstate_state_name((sockstate_state)st),
				         private_ns ? "" : "at least ", per_state_expected[st]);
		}

		if (round >= warmup && (r + 1) % FD_CHECK_EVERY == 0 && rel_fd_count() != fd0)
			rel_fail("round %ld: %d descriptors open, %d after the warm-up", r + 1,
			         rel_fd_count(), fd0);
	}
	{
		double secs = rel_now() - t0;
		int fd1 = rel_fd_count();

		rss1 = rel_rss_kib();
		printf("soak: %ld rounds (%ld streaming, %ld snapshot, %ld counts; owners mapped "
		       "on half the streaming and snapshot rounds), %zu sockets each, backend %s, "
		       "pid source %s, %s namespaces, %.1f s (%.0f enumerations/s), "
		       "%zu bytes written\n", rounds, rounds, rounds, rounds, pop.n,
		       sockstate_backend(h), used_pid_source ? used_pid_source : "none",
		       private_ns == 2 ? "private network, mount and pid"
		       : private_ns ? "a private network" : "the host's",
		       secs, 3.0 * (double)rounds / secs,
		       written);
		printf("soak: descriptors %d -> %d; resident memory %ld KiB -> %ld KiB (%+ld KiB)%s\n",
		       fd0, fd1, rss0, rss1, rss1 - rss0,
		       check_rss ? "" : " (not checked here)");
		if (fd1 != fd0)
			rel_fail("descriptors: %d after the warm-up, %d at the end", fd0, fd1);
		if (check_rss && rss1 - rss0 >= RSS_GROWTH_MAX_KIB)
			rel_fail("resident memory grew by %ld KiB (limit %d KiB)", rss1 - rss0,
			         RSS_GROWTH_MAX_KIB);
	}
	sockstate_close(h);
	rel_population_free(&pop);
	return 0;
}
