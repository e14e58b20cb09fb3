/* tcpstat_macos.c - the TCP counters of the "macos-sysctl" backend:
 * net.inet.tcp.stats, a struct tcpstat of u_int32_t fields.
 *
 * macOS 15 (xnu 11215) inserted three tcps_rack_* fields in the middle of
 * the struct, moving every field after them by 12 bytes: one build must
 * read the struct of the release it runs on, whatever SDK built it. So
 * this file declares both layouts (the layout facts, docs/BSD.md), the
 * decoder picks the one of the kernel's size, and the SDK's own struct is
 * asserted at compile time to be one of them.
 *
 * macOS answers zeros, not an error, to a caller other than root while
 * net.inet.tcp.disable_access_to_stats is set (the default): those zeros
 * would be guesses, so such a call fails with SOCKSTATE_EPERM. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/sysctl.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/tcp_var.h>

#include <stddef.h>
#include <unistd.h>

#include "pcblist_internal.h"

/* Offsets the same in macOS 13, 14 and 15: the fields before the three
 * that macOS 15 inserted. */
enum {
	MAC_CONNATTEMPT = 0,
	MAC_ACCEPTS = 4,
	MAC_DROPS = 12,
	MAC_CONNDROPS = 16,
	MAC_TIMEOUTDROP = 36,
	MAC_REXMTTIMEO = 40,
	MAC_KEEPDROPS = 56,
	MAC_SNDTOTAL = 60,
	MAC_SNDREXMITPACK = 72,
	MAC_RCVTOTAL = 100,
	MAC_RCVBADSUM = 112,
	MAC_RCVBADOFF = 116,
	MAC_RCVSHORT = 124,
	MAC_PERSISTDROP = 228,
	MAC_LISTENDROP = 240,
};

/* The fields after the insertion, and the whole struct, per release. */
enum {
	MAC13_SIZE = 976,            /* macOS 13 and 14 (xnu 8792 to 10063) */
	MAC13_RXTFINDROP = 360,
	MAC13_DROP_AFTER_SLEEP = 608,
	MAC15_SIZE = 992,            /* macOS 15 (xnu 11215 and later) */
	MAC15_RXTFINDROP = 372,
	MAC15_DROP_AFTER_SLEEP = 620,
};

#define ONE(off) {{off}, 1, 0}

/* The fields, as counters.c names them for macOS. */
#define MACOS_TCPSTAT(label, bytes, rxtfindrop, drop_after_sleep)                     \
	{                                                                             \
		.name = label, .os = SOCKSTATE__COUNTERS_MACOS, .size = bytes, .width = 4, \
		.field = {                                                            \
			[SOCKSTATE_COUNTER_ACTIVE_OPENS] = ONE(MAC_CONNATTEMPT),       \
			[SOCKSTATE_COUNTER_PASSIVE_OPENS] = ONE(MAC_ACCEPTS),          \
			[SOCKSTATE_COUNTER_ATTEMPT_FAILS] = ONE(MAC_CONNDROPS),        \
			[SOCKSTATE_COUNTER_ESTABLISHED_RESETS] = ONE(MAC_DROPS),       \
			[SOCKSTATE_COUNTER_SEGMENTS_RECEIVED] = ONE(MAC_RCVTOTAL),     \
			[SOCKSTATE_COUNTER_SEGMENTS_SENT] =                            \
				{{MAC_SNDTOTAL, MAC_SNDREXMITPACK}, 2, 1u << 1},       \
			[SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED] = ONE(MAC_SNDREXMITPACK), \
			[SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED] =                    \
				{{MAC_RCVBADSUM, MAC_RCVBADOFF, MAC_RCVSHORT}, 3, 0},  \
			[SOCKSTATE_COUNTER_TIMEOUTS] = ONE(MAC_REXMTTIMEO),            \
			[SOCKSTATE_COUNTER_LISTEN_OVERFLOWS] = ONE(MAC_LISTENDROP),    \
			[SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT] =                        \
				{{MAC_TIMEOUTDROP, rxtfindrop, drop_after_sleep,       \
				  MAC_PERSISTDROP, MAC_KEEPDROPS}, 5, 0},              \
		},                                                                    \
	}

static const sockstate__tcpstat_layout macos13 =
	MACOS_TCPSTAT("macOS 13-14", MAC13_SIZE, MAC13_RXTFINDROP, MAC13_DROP_AFTER_SLEEP);
static const sockstate__tcpstat_layout macos15 =
	MACOS_TCPSTAT("macOS 15", MAC15_SIZE, MAC15_RXTFINDROP, MAC15_DROP_AFTER_SLEEP);

const sockstate__tcpstat_layout *const sockstate__bsd_tcpstat_layouts[] = {&macos13, &macos15};
const size_t sockstate__bsd_tcpstat_layout_count = 2;

/* The SDK this builds with has one of the two. */
#define AT(field, off) (offsetof(struct tcpstat, field) == (off))
_Static_assert(sizeof(((struct tcpstat *)0)->tcps_connattempt) == 4,
               "struct tcpstat counts in u_int32_t");
_Static_assert(AT(tcps_connattempt, MAC_CONNATTEMPT) && AT(tcps_accepts, MAC_ACCEPTS) &&
               AT(tcps_drops, MAC_DROPS) && AT(tcps_conndrops, MAC_CONNDROPS) &&
               AT(tcps_timeoutdrop, MAC_TIMEOUTDROP) && AT(tcps_rexmttimeo, MAC_REXMTTIMEO) &&
               AT(tcps_keepdrops, MAC_KEEPDROPS) && AT(tcps_sndtotal, MAC_SNDTOTAL) &&
               AT(tcps_sndrexmitpack, MAC_SNDREXMITPACK) && AT(tcps_rcvtotal, MAC_RCVTOTAL) &&
               AT(tcps_rcvbadsum, MAC_RCVBADSUM) && AT(tcps_rcvbadoff, MAC_RCVBADOFF) &&
               AT(tcps_rcvshort, MAC_RCVSHORT) && AT(tcps_persistdrop, MAC_PERSISTDROP) &&
               AT(tcps_listendrop, MAC_LISTENDROP),
               "struct tcpstat: the fields before macOS 15's insertion");
_Static_assert(sizeof(struct tcpstat) == MAC15_SIZE
                       ? AT(tcps_rxtfindrop, MAC15_RXTFINDROP) &&
                         AT(tcps_drop_after_sleep, MAC15_DROP_AFTER_SLEEP)
                       : sizeof(struct tcpstat) == MAC13_SIZE &&
                         AT(tcps_rxtfindrop, MAC13_RXTFINDROP) &&
                         AT(tcps_drop_after_sleep, MAC13_DROP_AFTER_SLEEP),
               "struct tcpstat is macOS 13-14's or macOS 15's");

static const sockstate__sysctl_src os_sysctl = {sockstate__bsd_sysctl, NULL};

int sockstate__bsd_tcp_counters(sockstate_handle *h, void *state, sockstate_tcp_counters *out)
{
	int hidden = 0;
	size_t len = sizeof hidden;

	(void)state;
	if (geteuid() != 0 &&
	    sysctlbyname("net.inet.tcp.disable_access_to_stats", &hidden, &len, NULL, 0) == 0 &&
	    hidden != 0)
		return sockstate__fail(h, SOCKSTATE_EPERM, "sysctl net.inet.tcp.stats: macOS "
		                       "answers zeros to callers other than root while "
		                       "net.inet.tcp.disable_access_to_stats is %d", hidden);
	return sockstate__tcpstat_read(h, &os_sysctl, sockstate__bsd_tcpstat_layouts,
	                               sockstate__bsd_tcpstat_layout_count, out);
}
