/* tcpstat_freebsd.c - the TCP counters of the "freebsd-sysctl" backend:
 * net.inet.tcp.stats, a struct tcpstat (the system's own, or a VNET
 * jail's), read at the offsets of the fields the counter table names for
 * FreeBSD, taken with offsetof from the headers this build sees. Every
 * field is a uint64_t (counter(9), FreeBSD 11 and later). */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/tcp_var.h>

#include <stddef.h>

#include "pcblist_internal.h"

#define FIELD(f) offsetof(struct tcpstat, f)
#define ONE(a) {{FIELD(a)}, 1, 0}
#define THREE(a, b, c) {{FIELD(a), FIELD(b), FIELD(c)}, 3, 0}
#define A_MINUS_B(a, b) {{FIELD(a), FIELD(b)}, 2, 1u << 1}

_Static_assert(sizeof(((struct tcpstat *)0)->tcps_connattempt) == 8,
               "struct tcpstat counts in uint64_t");

/* The fields, as counters.c names them for FreeBSD. */
static const sockstate__tcpstat_layout freebsd = {
	.name = "FreeBSD",
	.os = SOCKSTATE__COUNTERS_FREEBSD,
	.size = sizeof(struct tcpstat),
	.width = 8,
	.field = {
		[SOCKSTATE_COUNTER_ACTIVE_OPENS] = ONE(tcps_connattempt),
		[SOCKSTATE_COUNTER_PASSIVE_OPENS] = ONE(tcps_accepts),
		[SOCKSTATE_COUNTER_ATTEMPT_FAILS] = ONE(tcps_conndrops),
		[SOCKSTATE_COUNTER_ESTABLISHED_RESETS] = ONE(tcps_drops),
		[SOCKSTATE_COUNTER_SEGMENTS_RECEIVED] = ONE(tcps_rcvtotal),
		[SOCKSTATE_COUNTER_SEGMENTS_SENT] = A_MINUS_B(tcps_sndtotal, tcps_sndrexmitpack),
		[SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED] = ONE(tcps_sndrexmitpack),
		[SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED] =
			THREE(tcps_rcvbadsum, tcps_rcvbadoff, tcps_rcvshort),
		[SOCKSTATE_COUNTER_TIMEOUTS] = ONE(tcps_rexmttimeo),
		[SOCKSTATE_COUNTER_LISTEN_OVERFLOWS] = ONE(tcps_listendrop),
		[SOCKSTATE_COUNTER_SYNCOOKIES_SENT] = ONE(tcps_sc_sendcookie),
		[SOCKSTATE_COUNTER_SYNCOOKIES_RECEIVED] = ONE(tcps_sc_recvcookie),
		[SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT] =
			THREE(tcps_timeoutdrop, tcps_persistdrop, tcps_keepdrops),
	},
};

const sockstate__tcpstat_layout *const sockstate__bsd_tcpstat_layouts[] = {&freebsd};
const size_t sockstate__bsd_tcpstat_layout_count = 1;

static const sockstate__sysctl_src os_sysctl = {sockstate__bsd_sysctl, NULL};

int sockstate__bsd_tcp_counters(sockstate_handle *h, void *state, sockstate_tcp_counters *out)
{
	(void)state;
	return sockstate__tcpstat_read(h, &os_sysctl, sockstate__bsd_tcpstat_layouts,
	                               sockstate__bsd_tcpstat_layout_count, out);
}
