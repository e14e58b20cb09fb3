/* trace_clock.c - the event stream's clocks and its sleep, as Linux,
 * FreeBSD and macOS give them (trace_internal.h). */
#include <errno.h>
#include <time.h>

#include "trace_internal.h"

int64_t sockstate__platform_clock_ns(int monotonic)
{
	struct timespec ts;

	if (clock_gettime(monotonic ? CLOCK_MONOTONIC : CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sockstate__platform_sleep_ms(int ms)
{
	struct timespec left = {ms / 1000, (long)(ms % 1000) * 1000000};

	while (nanosleep(&left, &left) != 0 && errno == EINTR)
		;
}
