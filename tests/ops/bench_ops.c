/* bench_ops - the cost of the operator features against a plain count,
 * timed in one process, medians of R rounds (each round runs every case
 * once, in the same order, so drift of a busy machine spreads over all):
 *
 *   count         sockstate_count + the counts table written to a sink
 *   groups_port   sockstate_groups_fill by port + the top-10 table
 *   wait_drained  one sockstate_wait_check --drained PORT
 *   wait_listen   one sockstate_wait_check --listen PORT
 *
 *   bench_ops [ROUNDS] [PORT]
 *
 * Prints one JSON line: sockets, port groups, per case the median ms and
 * its ratio to count. Not a test (nothing is asserted); run it inside a
 * population, e.g.
 *   tests/bench/population.py run 50000 -- build/tests/ops/bench_ops 31 2000 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sockstate.h"

enum { CASES = 4 };

static const char *const names[CASES] = {"count", "groups_port", "wait_drained",
                                         "wait_listen"};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int sink(void *ctx, const char *buf, size_t len)
{
	(void)buf;
	*(size_t *)ctx += len;
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 21;
	int port = argc > 2 ? atoi(argv[2]) : 2000;
	sockstate_handle *h = NULL;
	sockstate_write_opts o;
	double *t[CASES];
	unsigned long long sockets = 0, groups = 0;
	size_t bytes = 0;

	if (rounds < 1 || port < 0 || port > 65535) {
		fprintf(stderr, "usage: bench_ops [ROUNDS] [PORT]\n");
		return 2;
	}
	if (sockstate_open(&h, NULL) != 0) {
		fprintf(stderr, "bench_ops: %s\n", sockstate_errdetail(NULL));
		return 3;
	}
	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.format = SOCKSTATE_FORMAT_TABLE;
	o.port = -1;
	for (int c = 0; c < CASES; c++)
		t[c] = calloc((size_t)rounds, sizeof *t[c]);
	for (int r = -2; r < rounds; r++) { /* two rounds to warm up */
		sockstate_counts counts;
		sockstate_groups *g = NULL;
		sockstate_wait_cond drained, listen;
		double mark[CASES + 1];

		sockstate_wait_cond_init(&drained, SOCKSTATE_WAIT_DRAINED, (uint16_t)port);
		sockstate_wait_cond_init(&listen, SOCKSTATE_WAIT_LISTEN, (uint16_t)port);
		mark[0] = now();
		sockstate_count(h, NULL, &counts);
		sockstate_counts_write(&counts, NULL, "bench", &o, sink, &bytes);
		mark[1] = now();
		sockstate_groups_new(SOCKSTATE_GROUP_PORT, &g);
		sockstate_groups_fill(h, NULL, g);
		sockstate_groups_write(g, 10, NULL, NULL, &o, sink, &bytes);
		mark[2] = now();
		sockstate_wait_check(h, &drained, 0, NULL);
		mark[3] = now();
		sockstate_wait_check(h, &listen, 0, NULL);
		mark[4] = now();
		if (r >= 0)
			for (int c = 0; c < CASES; c++)
				t[c][r] = mark[c + 1] - mark[c];
		sockets = counts.total;
		groups = sockstate_groups_size(g);
		sockstate_groups_free(g);
	}
	printf("{\"sockets\":%llu,\"port_groups\":%llu,\"rounds\":%d", sockets, groups, rounds);
	for (int c = 0; c < CASES; c++)
		qsort(t[c], (size_t)rounds, sizeof *t[c], by_value);
	for (int c = 0; c < CASES; c++)
		printf(",\"%s\":{\"median_ms\":%.3f,\"vs_count\":%.3f}", names[c],
		       t[c][rounds / 2] * 1e3, t[c][rounds / 2] / t[0][rounds / 2]);
	printf("}\n");
	for (int c = 0; c < CASES; c++)
		free(t[c]);
	sockstate_close(h);
	return 0;
}
