/* bench_util.h - what the benchmark programs share: the wall and CPU
 * clocks, the median of a run's times, and the process's own peak RSS. */
#ifndef SOCKSTATE_BENCH_UTIL_H
#define SOCKSTATE_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds this process has used, user and system: unlike wall time,
 * not inflated by other jobs waiting for the same cores. */
static inline double bench_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median and minimum of times[0..n), n >= 1; scratch holds n doubles. */
static inline void bench_median(const double *times, int n, double *scratch,
                                double *median, double *min)
{
	memcpy(scratch, times, (size_t)n * sizeof *times);
	qsort(scratch, (size_t)n, sizeof *scratch, bench_cmp_double);
	*median = n % 2 ? scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2;
	*min = scratch[0];
}

/* The peak RSS of this process's own address space (VmHWM), in KiB, or
 * -1. Not getrusage's ru_maxrss: that starts at the peak of the address
 * space exec replaced, i.e. the parent's when it spawned us with vfork. */
static inline long bench_peak_rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

#endif /* SOCKSTATE_BENCH_UTIL_H */
