/* counters.c - the one table of TCP counters: each normalized counter's
 * name and the native counter(s) every OS keeps for it; naming, parsing
 * and the call that asks the handle's backend for the values.
 *
 * Which native counter stands for which normalized one is decided here
 * only, from the OSes' sources (docs/COUNTERS.md says why for each):
 * the Linux column a /proc/net file names, the BSD struct tcpstat fields,
 * the Windows MIB_TCPSTATS fields. A counter an OS does not keep has no
 * native name there, so it is reported unknown, never 0. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core_internal.h"

struct counter_row {
	const char *name;
	const char *linux_prefix;   /* the /proc/net line: "Tcp", "TcpExt" */
	const char *linux_column;   /* its column: "ListenOverflows" */
	const char *linux_native;   /* as nstat prints it: the two joined */
	const char *freebsd;        /* struct tcpstat field(s): "a + b - c" */
	const char *macos;
	const char *windows;        /* MIB_TCPSTATS field */
	const char *windows_native; /* the field, summed over both families */
};

#define LINUX(prefix, column) \
	.linux_prefix = prefix, .linux_column = column, .linux_native = prefix column
#define WINDOWS(field) .windows = field, .windows_native = field " (AF_INET + AF_INET6)"

static const struct counter_row rows[SOCKSTATE_COUNTER_COUNT] = {
	[SOCKSTATE_COUNTER_ACTIVE_OPENS] = {"active_opens", LINUX("Tcp", "ActiveOpens"),
		.freebsd = "tcps_connattempt", .macos = "tcps_connattempt",
		WINDOWS("dwActiveOpens")},
	[SOCKSTATE_COUNTER_PASSIVE_OPENS] = {"passive_opens", LINUX("Tcp", "PassiveOpens"),
		.freebsd = "tcps_accepts", .macos = "tcps_accepts", WINDOWS("dwPassiveOpens")},
	[SOCKSTATE_COUNTER_ATTEMPT_FAILS] = {"attempt_fails", LINUX("Tcp", "AttemptFails"),
		.freebsd = "tcps_conndrops", .macos = "tcps_conndrops",
		WINDOWS("dwAttemptFails")},
	[SOCKSTATE_COUNTER_ESTABLISHED_RESETS] = {"established_resets",
		LINUX("Tcp", "EstabResets"), .freebsd = "tcps_drops", .macos = "tcps_drops",
		WINDOWS("dwEstabResets")},
	/* The BSDs count RSTs only among all control segments (tcps_sndctrl). */
	[SOCKSTATE_COUNTER_RESETS_SENT] = {"resets_sent", LINUX("Tcp", "OutRsts"),
		WINDOWS("dwOutRsts")},
	[SOCKSTATE_COUNTER_SEGMENTS_RECEIVED] = {"segments_received", LINUX("Tcp", "InSegs"),
		.freebsd = "tcps_rcvtotal", .macos = "tcps_rcvtotal", WINDOWS("dwInSegs")},
	/* Linux and Windows count no retransmission here (RFC 1213's
	 * tcpOutSegs); the BSDs' total has them, so take them out again, as
	 * FreeBSD's SNMP agent does. */
	[SOCKSTATE_COUNTER_SEGMENTS_SENT] = {"segments_sent", LINUX("Tcp", "OutSegs"),
		.freebsd = "tcps_sndtotal - tcps_sndrexmitpack",
		.macos = "tcps_sndtotal - tcps_sndrexmitpack", WINDOWS("dwOutSegs")},
	[SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED] = {"segments_retransmitted",
		LINUX("Tcp", "RetransSegs"), .freebsd = "tcps_sndrexmitpack",
		.macos = "tcps_sndrexmitpack", WINDOWS("dwRetransSegs")},
	/* As FreeBSD's SNMP agent (bsnmpd) computes tcpInErrs. */
	[SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED] = {"bad_segments_received",
		LINUX("Tcp", "InErrs"),
		.freebsd = "tcps_rcvbadsum + tcps_rcvbadoff + tcps_rcvshort",
		.macos = "tcps_rcvbadsum + tcps_rcvbadoff + tcps_rcvshort",
		WINDOWS("dwInErrs")},
	[SOCKSTATE_COUNTER_TIMEOUTS] = {"timeouts", LINUX("TcpExt", "TCPTimeouts"),
		.freebsd = "tcps_rexmttimeo", .macos = "tcps_rexmttimeo"},
	/* FreeBSD counts the server's SYN-ACK retransmits only: not the same. */
	[SOCKSTATE_COUNTER_SYN_RETRANSMITS] = {"syn_retransmits",
		LINUX("TcpExt", "TCPSynRetrans")},
	[SOCKSTATE_COUNTER_LISTEN_OVERFLOWS] = {"listen_overflows",
		LINUX("TcpExt", "ListenOverflows"), .freebsd = "tcps_listendrop",
		.macos = "tcps_listendrop"},
	[SOCKSTATE_COUNTER_LISTEN_DROPS] = {"listen_drops", LINUX("TcpExt", "ListenDrops")},
	[SOCKSTATE_COUNTER_REQUEST_QUEUE_FULL_DROPS] = {"request_queue_full_drops",
		LINUX("TcpExt", "TCPReqQFullDrop")},
	/* xnu has the tcps_sc_* fields but no syncache: they never move. */
	[SOCKSTATE_COUNTER_SYNCOOKIES_SENT] = {"syncookies_sent",
		LINUX("TcpExt", "SyncookiesSent"), .freebsd = "tcps_sc_sendcookie"},
	[SOCKSTATE_COUNTER_SYNCOOKIES_RECEIVED] = {"syncookies_received",
		LINUX("TcpExt", "SyncookiesRecv"), .freebsd = "tcps_sc_recvcookie"},
	[SOCKSTATE_COUNTER_SYNCOOKIES_FAILED] = {"syncookies_failed",
		LINUX("TcpExt", "SyncookiesFailed")},
	/* Linux counts here every connection its retransmit, persist or
	 * keepalive timer gave up on; the BSDs count each of those apart (and
	 * xnu's retransmit timer in one of three). */
	[SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT] = {"aborts_on_timeout",
		LINUX("TcpExt", "TCPAbortOnTimeout"),
		.freebsd = "tcps_timeoutdrop + tcps_persistdrop + tcps_keepdrops",
		.macos = "tcps_timeoutdrop + tcps_rxtfindrop + tcps_drop_after_sleep"
		         " + tcps_persistdrop + tcps_keepdrops"},
	[SOCKSTATE_COUNTER_ABORTS_ON_DATA] = {"aborts_on_data",
		LINUX("TcpExt", "TCPAbortOnData")},
	[SOCKSTATE_COUNTER_ABORTS_ON_CLOSE] = {"aborts_on_close",
		LINUX("TcpExt", "TCPAbortOnClose")},
	[SOCKSTATE_COUNTER_ABORTS_ON_MEMORY] = {"aborts_on_memory",
		LINUX("TcpExt", "TCPAbortOnMemory")},
	[SOCKSTATE_COUNTER_TIME_WAIT_OVERFLOWS] = {"time_wait_overflows",
		LINUX("TcpExt", "TCPTimeWaitOverflow")},
};

_Static_assert(SOCKSTATE_COUNTER_COUNT <= SOCKSTATE_COUNTER_MAX,
               "sockstate_tcp_counters has no room for more counters");
_Static_assert(SOCKSTATE_COUNTER_MAX <= 64, "valid is a 64-bit mask");

SOCKSTATE_API const char *sockstate_counter_name(sockstate_counter c)
{
	return (unsigned)c < SOCKSTATE_COUNTER_COUNT ? rows[c].name : NULL;
}

const char *sockstate__counter_native(sockstate_counter c, sockstate__counter_os os)
{
	if ((unsigned)c >= SOCKSTATE_COUNTER_COUNT)
		return NULL;
	switch (os) {
	case SOCKSTATE__COUNTERS_LINUX: return rows[c].linux_native;
	case SOCKSTATE__COUNTERS_FREEBSD: return rows[c].freebsd;
	case SOCKSTATE__COUNTERS_MACOS: return rows[c].macos;
	case SOCKSTATE__COUNTERS_WINDOWS: return rows[c].windows_native;
	default: return NULL;
	}
}

int sockstate__counter_linux_column(const char *prefix, size_t plen, const char *column,
                                    size_t clen)
{
	for (size_t c = 0; c < SOCKSTATE_COUNTER_COUNT; c++) {
		const struct counter_row *r = &rows[c];

		if (r->linux_prefix && strlen(r->linux_prefix) == plen &&
		    !memcmp(r->linux_prefix, prefix, plen) && strlen(r->linux_column) == clen &&
		    !memcmp(r->linux_column, column, clen))
			return (int)c;
	}
	return -1;
}

/* '-', '_' and ' ' are one character; letters compare without case. */
static int same_name(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a, y = *b;

		if (x == '-' || x == ' ')
			x = '_';
		if (y == '-' || y == ' ')
			y = '_';
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
		if (x == '\0')
			return 1;
	}
}

/* A native name names the counter alone: not one field of a sum. */
static int spells(const char *native, const char *text)
{
	return native && !strchr(native, ' ') && same_name(native, text);
}

SOCKSTATE_API int sockstate_counter_parse(const char *text, sockstate_counter *out)
{
	if (!text || !out)
		return SOCKSTATE_EINVAL;
	for (size_t c = 0; c < SOCKSTATE_COUNTER_COUNT; c++) {
		const struct counter_row *r = &rows[c];

		if (spells(r->name, text) || spells(r->linux_native, text) ||
		    spells(r->linux_column, text) || spells(r->freebsd, text) ||
		    spells(r->macos, text) || spells(r->windows, text)) {
			*out = (sockstate_counter)c;
			return 0;
		}
	}
	return SOCKSTATE_EINVAL;
}

void sockstate__tcp_counters_clear(sockstate_tcp_counters *c, const char *source)
{
	size_t size = c->size < sizeof *c ? c->size : sizeof *c;

	memset(c, 0, size);
	c->size = (uint32_t)size;
	c->count = SOCKSTATE_COUNTER_COUNT;
	c->source = source;
}

void sockstate__tcp_counter_set(sockstate_tcp_counters *c, sockstate_counter k, uint64_t v,
                                sockstate__counter_os os)
{
	c->value[k] = v;
	c->native[k] = sockstate__counter_native(k, os);
	c->valid |= SOCKSTATE_COUNTER_BIT(k);
}

SOCKSTATE_API int sockstate_tcp_counters_get(sockstate_handle *h, sockstate_tcp_counters *out)
{
	const sockstate__backend *b = sockstate__handle_backend(h);
	int rc;

	if (!h || !out || out->size < SOCKSTATE__TCP_COUNTERS_FIRST_SIZE)
		return SOCKSTATE_EINVAL;
	sockstate__tcp_counters_clear(out, NULL);
	sockstate__handle_clear_detail(h);
	if (!b->tcp_counters)
		return sockstate__fail(h, SOCKSTATE_ENOTSUP, "backend %s reads no TCP counters",
		                       b->name);
	rc = b->tcp_counters(h, sockstate__handle_backend_state(h), out);
	if (rc < 0)
		sockstate__tcp_counters_clear(out, NULL);
	return rc;
}
