/* churn_main.c - churn PORT CONNECTIONS THREADS: run tests/trace/churn.c
 * in the caller's network namespace (run it in a private one) and print
 * what it made. Exit 0, 1 when it failed, 2 on bad usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "churn.h"

int main(int argc, char **argv)
{
	struct churn_result r;
	long port, n, threads;

	if (argc != 4 || (port = strtol(argv[1], NULL, 10)) < 1 || port > 65535 ||
	    (n = strtol(argv[2], NULL, 10)) < 1 || (threads = strtol(argv[3], NULL, 10)) < 1 ||
	    threads > 64) {
		fprintf(stderr, "usage: churn PORT CONNECTIONS THREADS (1-64)\n");
		return 2;
	}
	if (churn_run((uint16_t)port, (uint64_t)n, (int)threads, &r) != 0) {
		fprintf(stderr, "churn: %s\n", strerror(errno));
		return 1;
	}
	printf("made %llu failed %llu seconds %.3f rate %.0f/s\n", (unsigned long long)r.made,
	       (unsigned long long)r.failed, r.seconds, (double)r.made / r.seconds);
	return r.failed ? 1 : 0;
}
