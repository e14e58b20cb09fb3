/* clock.c - seconds as the options spell them, a monotonic clock, and a
 * sleep a signal cuts short (wait and watch: the only places the tool
 * sleeps). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <time.h>

#ifdef _WIN32
#include <windows.h>
#endif

#include "cli.h"

#define SECONDS_MAX 1000000.0

/* Digits, at most one '.', at least one digit; no sign, no exponent, so
 * "1e3", "-1" and "inf" are refused without locale-dependent strtod. */
int cli_parse_seconds(const char *text, double *out)
{
	double v = 0, scale = 1;
	int digits = 0, dot = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (*p < '0' || *p > '9' || digits > 12)
			return -1;
		digits++;
		if (dot) {
			scale /= 10;
			v += (*p - '0') * scale;
		} else {
			v = v * 10 + (*p - '0');
		}
	}
	if (digits == 0 || v > SECONDS_MAX)
		return -1;
	*out = v;
	return 0;
}

#ifdef _WIN32

double cli_monotonic(void)
{
	return (double)GetTickCount64() / 1e3;
}

void cli_sleep(double s)
{
	if (s > 0)
		Sleep((DWORD)(s * 1e3));
}

#else

double cli_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One nanosleep: a signal (SIGINT in watch) ends it early on purpose. */
void cli_sleep(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	(void)nanosleep(&ts, NULL);
}

#endif
