/* tcpstats_decode.c - the MIB_TCPSTATS of both families to TCP counters.
 * Pure: no OS calls, no allocation, no <windows.h>, so it is unit-tested
 * on Linux with constructed structs. Fields are read from bytes at their
 * documented offsets (windows_internal.h), little-endian, whatever the
 * machine decoding.
 *
 * Windows keeps TCP statistics per family; the normalized counters are
 * the host's, so each is the sum of the two, and its native name says so.
 * MIB_TCPSTATS is RFC 1213's TCP group: nothing there counts listen
 * overflows, SYN cookies, timeouts or aborts, which stay unknown. */
#include <stddef.h>

#include "windows_internal.h"

static const struct {
	sockstate_counter counter;
	size_t off;
} fields[] = {
	{SOCKSTATE_COUNTER_ACTIVE_OPENS, offsetof(sockstate__win_tcpstats, active_opens)},
	{SOCKSTATE_COUNTER_PASSIVE_OPENS, offsetof(sockstate__win_tcpstats, passive_opens)},
	{SOCKSTATE_COUNTER_ATTEMPT_FAILS, offsetof(sockstate__win_tcpstats, attempt_fails)},
	{SOCKSTATE_COUNTER_ESTABLISHED_RESETS, offsetof(sockstate__win_tcpstats, estab_resets)},
	{SOCKSTATE_COUNTER_SEGMENTS_RECEIVED, offsetof(sockstate__win_tcpstats, in_segs)},
	{SOCKSTATE_COUNTER_SEGMENTS_SENT, offsetof(sockstate__win_tcpstats, out_segs)},
	{SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED,
	 offsetof(sockstate__win_tcpstats, retrans_segs)},
	{SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED, offsetof(sockstate__win_tcpstats, in_errs)},
	{SOCKSTATE_COUNTER_RESETS_SENT, offsetof(sockstate__win_tcpstats, out_rsts)},
};

void sockstate__tcpstats_decode(const void *v4, const void *v6, sockstate_tcp_counters *out)
{
	const uint8_t *a = v4, *b = v6;

	out->source = "GetTcpStatisticsEx";
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		uint64_t sum = sockstate__win_le32(a + fields[i].off);

		if (b)
			sum += sockstate__win_le32(b + fields[i].off);
		sockstate__tcp_counter_set(out, fields[i].counter, sum, SOCKSTATE__COUNTERS_WINDOWS);
	}
}
