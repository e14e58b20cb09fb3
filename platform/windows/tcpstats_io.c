/* tcpstats_io.c - the only file that calls GetTcpStatisticsEx: once per
 * family, then the decoder sums them (tcpstats_decode.c). */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include "windows_internal.h"

/* Our layout is the SDK's. */
_Static_assert(sizeof(MIB_TCPSTATS) == sizeof(sockstate__win_tcpstats), "MIB_TCPSTATS size");
#define SAME(ours, theirs) \
	_Static_assert(offsetof(sockstate__win_tcpstats, ours) == \
	               offsetof(MIB_TCPSTATS, theirs), #theirs)
SAME(active_opens, dwActiveOpens);
SAME(passive_opens, dwPassiveOpens);
SAME(attempt_fails, dwAttemptFails);
SAME(estab_resets, dwEstabResets);
SAME(in_segs, dwInSegs);
SAME(out_segs, dwOutSegs);
SAME(retrans_segs, dwRetransSegs);
SAME(in_errs, dwInErrs);
SAME(out_rsts, dwOutRsts);

int sockstate__win_tcp_counters(sockstate_handle *h, void *state, sockstate_tcp_counters *out)
{
	MIB_TCPSTATS v4, v6;
	ULONG err;

	(void)state;
	err = GetTcpStatisticsEx(&v4, AF_INET);
	if (err != NO_ERROR)
		return sockstate__win_fail(h, err, "GetTcpStatisticsEx(AF_INET)");
	err = GetTcpStatisticsEx(&v6, AF_INET6);
	/* No IPv6 stack: no IPv6 connection to count. */
	if (err != NO_ERROR && err != ERROR_NOT_SUPPORTED)
		return sockstate__win_fail(h, err, "GetTcpStatisticsEx(AF_INET6)");
	sockstate__tcpstats_decode(&v4, err == NO_ERROR ? &v6 : NULL, out);
	return 0;
}
