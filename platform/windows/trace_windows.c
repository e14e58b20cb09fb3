/* trace_windows.c - the event stream on Windows: no source of its own
 * (traces use the core's poll, docs/TRACE.md), the clocks and the sleep. */
#include <windows.h>

#include "trace_internal.h"

const sockstate__trace_source *const sockstate__platform_trace_sources[] = {NULL};

/* 100 ns ticks between 1601-01-01 (FILETIME's epoch) and 1970-01-01. */
#define FILETIME_UNIX_EPOCH 116444736000000000LL

int64_t sockstate__platform_clock_ns(int monotonic)
{
	if (monotonic) {
		LARGE_INTEGER now, freq;

		QueryPerformanceCounter(&now);
		QueryPerformanceFrequency(&freq);
		/* Seconds and the rest apart, so the product cannot overflow. */
		return (int64_t)(now.QuadPart / freq.QuadPart) * 1000000000 +
		       (int64_t)(now.QuadPart % freq.QuadPart) * 1000000000 / freq.QuadPart;
	} else {
		FILETIME ft;
		ULARGE_INTEGER t;

		GetSystemTimePreciseAsFileTime(&ft);
		t.LowPart = ft.dwLowDateTime;
		t.HighPart = ft.dwHighDateTime;
		return ((int64_t)t.QuadPart - FILETIME_UNIX_EPOCH) * 100;
	}
}

void sockstate__platform_sleep_ms(int ms)
{
	Sleep((DWORD)ms);
}
