/* state_names.c - the one table of TCP state spellings and numbers.
 *
 * Every OS and tool spelling we know, with where it comes from, the
 * normalized state it means and the OS's number for it. Naming (state
 * names, a backend's native code -> native name) and parsing (any
 * spelling -> state) both read this table and nothing else.
 * docs/STATE-NAMES.md is the same table for people; keep them in step.
 *
 * Parsing rules, chosen so that no two spellings of different states can
 * meet (tests/unit/test_state_names.c proves it on every row):
 *   - ASCII letters compare case-insensitively;
 *   - '-', '_' and ' ' are alike and are dropped before comparing, but
 *     each must sit between two letters or digits: no leading, trailing
 *     or doubled separator, so " LISTEN" and "LISTEN " are errors (we
 *     reject rather than trim: a stray space in a state list is more
 *     often a quoting mistake than intent);
 *   - exactly two hex digits ("0A"), optionally after "0x", are a
 *     /proc/net/tcp "st" code; any other number is an error, so "10" or
 *     "7" is never taken for a decimal state number of some OS;
 *   - anything else that is not a whole spelling is an error, never the
 *     nearest match.
 */
#include <string.h>

#include "state_internal.h"

#define ROW(spelling, origin, state, code) \
	{spelling, SOCKSTATE__ORIGIN_##origin, SOCKSTATE_##state, code}

/* Grouped by origin in enum order (native lookups binary-search the
 * origin); within an origin, the first row with a code is the name the
 * OS's tool prints for it. The first SOCKSTATE_STATE_COUNT rows are our
 * normalized names indexed by state. */
static const sockstate__state_row rows[] = {
	/* Our normalized names: RFC 9293 plus the extras. */
	ROW("UNKNOWN", RFC, UNKNOWN, -1),
	ROW("CLOSED", RFC, CLOSED, -1),
	ROW("LISTEN", RFC, LISTEN, -1),
	ROW("SYN_SENT", RFC, SYN_SENT, -1),
	ROW("SYN_RECEIVED", RFC, SYN_RECEIVED, -1),
	ROW("ESTABLISHED", RFC, ESTABLISHED, -1),
	ROW("FIN_WAIT_1", RFC, FIN_WAIT_1, -1),
	ROW("FIN_WAIT_2", RFC, FIN_WAIT_2, -1),
	ROW("CLOSE_WAIT", RFC, CLOSE_WAIT, -1),
	ROW("CLOSING", RFC, CLOSING, -1),
	ROW("LAST_ACK", RFC, LAST_ACK, -1),
	ROW("TIME_WAIT", RFC, TIME_WAIT, -1),
	ROW("DELETE_TCB", RFC, DELETE_TCB, -1),
	ROW("BOUND", RFC, BOUND, -1),

	/* Linux kernel numbers (include/net/tcp_states.h), spelled as ss
	 * prints them. */
	ROW("ESTAB", LINUX, ESTABLISHED, 1),
	ROW("SYN-SENT", LINUX, SYN_SENT, 2),
	ROW("SYN-RECV", LINUX, SYN_RECEIVED, 3),
	ROW("FIN-WAIT-1", LINUX, FIN_WAIT_1, 4),
	ROW("FIN-WAIT-2", LINUX, FIN_WAIT_2, 5),
	ROW("TIME-WAIT", LINUX, TIME_WAIT, 6),
	/* TCP_CLOSE (7) reaches user space only for bound-but-inactive
	 * sockets: a socket entering TCP_CLOSE is unhashed from the
	 * listening and established tables that /proc/net/tcp and the
	 * sock_diag dump walk, and only a dump asking for request bit 13
	 * (TCP_BOUND_INACTIVE) walks the bind hash, whose sockets it reports
	 * with state 7. So a 7 in a reply is a bound socket, printed by ss as
	 * UNCONN, never a closed connection. */
	ROW("UNCONN", LINUX, BOUND, 7),
	ROW("CLOSE-WAIT", LINUX, CLOSE_WAIT, 8),
	ROW("LAST-ACK", LINUX, LAST_ACK, 9),
	ROW("LISTEN", LINUX, LISTEN, 10),
	ROW("CLOSING", LINUX, CLOSING, 11),
	/* TCP_NEW_SYN_RECV: the half-open request socket; diag and /proc
	 * already report it as 3, we fold it the same way if it shows. */
	ROW("SYN-RECV", LINUX, SYN_RECEIVED, 12),
	/* TCP_BOUND_INACTIVE: a request bit only; replies say 7. */
	ROW("UNCONN", LINUX, BOUND, 13),
	ROW("BOUND-INACTIVE", LINUX, BOUND, -1),

	/* net-tools netstat (gettext may translate them; these are the C
	 * locale's), on Linux numbers. */
	ROW("ESTABLISHED", NETTOOLS, ESTABLISHED, 1),
	ROW("SYN_SENT", NETTOOLS, SYN_SENT, 2),
	ROW("SYN_RECV", NETTOOLS, SYN_RECEIVED, 3),
	ROW("FIN_WAIT1", NETTOOLS, FIN_WAIT_1, 4),
	ROW("FIN_WAIT2", NETTOOLS, FIN_WAIT_2, 5),
	ROW("TIME_WAIT", NETTOOLS, TIME_WAIT, 6),
	ROW("CLOSE", NETTOOLS, CLOSED, 7),
	ROW("CLOSE_WAIT", NETTOOLS, CLOSE_WAIT, 8),
	ROW("LAST_ACK", NETTOOLS, LAST_ACK, 9),
	ROW("LISTEN", NETTOOLS, LISTEN, 10),
	ROW("CLOSING", NETTOOLS, CLOSING, 11),

	/* /proc/net/tcp "st": the Linux number as two hex digits. 07 is
	 * TCP_CLOSE by name, as net-tools and psutil read it; /proc never
	 * lists bound-inactive sockets (see UNCONN above). */
	ROW("01", PROC_HEX, ESTABLISHED, 1),
	ROW("02", PROC_HEX, SYN_SENT, 2),
	ROW("03", PROC_HEX, SYN_RECEIVED, 3),
	ROW("04", PROC_HEX, FIN_WAIT_1, 4),
	ROW("05", PROC_HEX, FIN_WAIT_2, 5),
	ROW("06", PROC_HEX, TIME_WAIT, 6),
	ROW("07", PROC_HEX, CLOSED, 7),
	ROW("08", PROC_HEX, CLOSE_WAIT, 8),
	ROW("09", PROC_HEX, LAST_ACK, 9),
	ROW("0A", PROC_HEX, LISTEN, 10),
	ROW("0B", PROC_HEX, CLOSING, 11),

	/* BSD TCPS_* numbers (FreeBSD, macOS, NetBSD, OpenBSD tcp_fsm.h),
	 * spelled as BSD netstat prints them. Not Linux's order. */
	ROW("CLOSED", BSD, CLOSED, 0),
	ROW("LISTEN", BSD, LISTEN, 1),
	ROW("SYN_SENT", BSD, SYN_SENT, 2),
	ROW("SYN_RCVD", BSD, SYN_RECEIVED, 3),
	ROW("ESTABLISHED", BSD, ESTABLISHED, 4),
	ROW("CLOSE_WAIT", BSD, CLOSE_WAIT, 5),
	ROW("FIN_WAIT_1", BSD, FIN_WAIT_1, 6),
	ROW("CLOSING", BSD, CLOSING, 7),
	ROW("LAST_ACK", BSD, LAST_ACK, 8),
	ROW("FIN_WAIT_2", BSD, FIN_WAIT_2, 9),
	ROW("TIME_WAIT", BSD, TIME_WAIT, 10),

	/* NetBSD netstat -A: six-letter names, same numbers. */
	ROW("CLOSED", NETBSD_SHORT, CLOSED, 0),
	ROW("LISTEN", NETBSD_SHORT, LISTEN, 1),
	ROW("SYNSEN", NETBSD_SHORT, SYN_SENT, 2),
	ROW("SYSRCV", NETBSD_SHORT, SYN_RECEIVED, 3),
	ROW("ESTABL", NETBSD_SHORT, ESTABLISHED, 4),
	ROW("CLWAIT", NETBSD_SHORT, CLOSE_WAIT, 5),
	ROW("FWAIT1", NETBSD_SHORT, FIN_WAIT_1, 6),
	ROW("CLOSNG", NETBSD_SHORT, CLOSING, 7),
	ROW("LASTAK", NETBSD_SHORT, LAST_ACK, 8),
	ROW("FWAIT2", NETBSD_SHORT, FIN_WAIT_2, 9),
	ROW("TMWAIT", NETBSD_SHORT, TIME_WAIT, 10),

	/* Windows MIB_TCP_STATE numbers (tcpmib.h; CLOSING=9, LAST_ACK=10,
	 * unlike RFC 1213), spelled as netstat.exe prints them; 100 is the
	 * Bound state of Get-NetTCPConnection and netstat -q. */
	ROW("CLOSED", WINDOWS, CLOSED, 1),
	ROW("LISTENING", WINDOWS, LISTEN, 2),
	ROW("SYN_SENT", WINDOWS, SYN_SENT, 3),
	ROW("SYN_RECEIVED", WINDOWS, SYN_RECEIVED, 4),
	ROW("ESTABLISHED", WINDOWS, ESTABLISHED, 5),
	ROW("FIN_WAIT_1", WINDOWS, FIN_WAIT_1, 6),
	ROW("FIN_WAIT_2", WINDOWS, FIN_WAIT_2, 7),
	ROW("CLOSE_WAIT", WINDOWS, CLOSE_WAIT, 8),
	ROW("CLOSING", WINDOWS, CLOSING, 9),
	ROW("LAST_ACK", WINDOWS, LAST_ACK, 10),
	ROW("TIME_WAIT", WINDOWS, TIME_WAIT, 11),
	ROW("DELETE_TCB", WINDOWS, DELETE_TCB, 12),
	ROW("BOUND", WINDOWS, BOUND, 100),

	/* The tcpmib.h constant names themselves. */
	ROW("MIB_TCP_STATE_CLOSED", MIB, CLOSED, 1),
	ROW("MIB_TCP_STATE_LISTEN", MIB, LISTEN, 2),
	ROW("MIB_TCP_STATE_SYN_SENT", MIB, SYN_SENT, 3),
	ROW("MIB_TCP_STATE_SYN_RCVD", MIB, SYN_RECEIVED, 4),
	ROW("MIB_TCP_STATE_ESTAB", MIB, ESTABLISHED, 5),
	ROW("MIB_TCP_STATE_FIN_WAIT1", MIB, FIN_WAIT_1, 6),
	ROW("MIB_TCP_STATE_FIN_WAIT2", MIB, FIN_WAIT_2, 7),
	ROW("MIB_TCP_STATE_CLOSE_WAIT", MIB, CLOSE_WAIT, 8),
	ROW("MIB_TCP_STATE_CLOSING", MIB, CLOSING, 9),
	ROW("MIB_TCP_STATE_LAST_ACK", MIB, LAST_ACK, 10),
	ROW("MIB_TCP_STATE_TIME_WAIT", MIB, TIME_WAIT, 11),
	ROW("MIB_TCP_STATE_DELETE_TCB", MIB, DELETE_TCB, 12),

	/* PowerShell Get-NetTCPConnection State (same numbers as the MIB). */
	ROW("Closed", POWERSHELL, CLOSED, 1),
	ROW("Listen", POWERSHELL, LISTEN, 2),
	ROW("SynSent", POWERSHELL, SYN_SENT, 3),
	ROW("SynReceived", POWERSHELL, SYN_RECEIVED, 4),
	ROW("Established", POWERSHELL, ESTABLISHED, 5),
	ROW("FinWait1", POWERSHELL, FIN_WAIT_1, 6),
	ROW("FinWait2", POWERSHELL, FIN_WAIT_2, 7),
	ROW("CloseWait", POWERSHELL, CLOSE_WAIT, 8),
	ROW("Closing", POWERSHELL, CLOSING, 9),
	ROW("LastAck", POWERSHELL, LAST_ACK, 10),
	ROW("TimeWait", POWERSHELL, TIME_WAIT, 11),
	ROW("DeleteTCB", POWERSHELL, DELETE_TCB, 12),
	ROW("Bound", POWERSHELL, BOUND, 100),

	/* psutil: the CONN_* constant names and the strings they hold.
	 * CONN_NONE ("NONE", UDP/UNIX) and CONN_IDLE ("IDLE", illumos) are
	 * not TCP states of ours and are left out on purpose. */
	ROW("CONN_ESTABLISHED", PSUTIL, ESTABLISHED, -1),
	ROW("CONN_SYN_SENT", PSUTIL, SYN_SENT, -1),
	ROW("CONN_SYN_RECV", PSUTIL, SYN_RECEIVED, -1),
	ROW("CONN_FIN_WAIT1", PSUTIL, FIN_WAIT_1, -1),
	ROW("CONN_FIN_WAIT2", PSUTIL, FIN_WAIT_2, -1),
	ROW("CONN_TIME_WAIT", PSUTIL, TIME_WAIT, -1),
	ROW("CONN_CLOSE", PSUTIL, CLOSED, -1),
	ROW("CONN_CLOSE_WAIT", PSUTIL, CLOSE_WAIT, -1),
	ROW("CONN_LAST_ACK", PSUTIL, LAST_ACK, -1),
	ROW("CONN_LISTEN", PSUTIL, LISTEN, -1),
	ROW("CONN_CLOSING", PSUTIL, CLOSING, -1),
	ROW("CONN_DELETE_TCB", PSUTIL, DELETE_TCB, -1),
	ROW("CONN_BOUND", PSUTIL, BOUND, -1),
	ROW("ESTABLISHED", PSUTIL, ESTABLISHED, -1),
	ROW("SYN_SENT", PSUTIL, SYN_SENT, -1),
	ROW("SYN_RECV", PSUTIL, SYN_RECEIVED, -1),
	ROW("FIN_WAIT1", PSUTIL, FIN_WAIT_1, -1),
	ROW("FIN_WAIT2", PSUTIL, FIN_WAIT_2, -1),
	ROW("TIME_WAIT", PSUTIL, TIME_WAIT, -1),
	ROW("CLOSE", PSUTIL, CLOSED, -1),
	ROW("CLOSE_WAIT", PSUTIL, CLOSE_WAIT, -1),
	ROW("LAST_ACK", PSUTIL, LAST_ACK, -1),
	ROW("LISTEN", PSUTIL, LISTEN, -1),
	ROW("CLOSING", PSUTIL, CLOSING, -1),
	ROW("DELETE_TCB", PSUTIL, DELETE_TCB, -1),
	ROW("BOUND", PSUTIL, BOUND, -1),
};

#define ROW_COUNT (sizeof rows / sizeof rows[0])

/* Longest spelling without separators, with room to spare: a longer text
 * cannot be a spelling. */
#define KEY_MAX 40

static const char *const origin_names[SOCKSTATE__ORIGIN_COUNT] = {
	[SOCKSTATE__ORIGIN_RFC] = "normalized (RFC 9293)",
	[SOCKSTATE__ORIGIN_LINUX] = "ss",
	[SOCKSTATE__ORIGIN_NETTOOLS] = "net-tools netstat",
	[SOCKSTATE__ORIGIN_PROC_HEX] = "/proc/net/tcp",
	[SOCKSTATE__ORIGIN_BSD] = "BSD netstat",
	[SOCKSTATE__ORIGIN_NETBSD_SHORT] = "NetBSD netstat -A",
	[SOCKSTATE__ORIGIN_WINDOWS] = "Windows netstat",
	[SOCKSTATE__ORIGIN_MIB] = "MIB_TCP_STATE",
	[SOCKSTATE__ORIGIN_POWERSHELL] = "PowerShell",
	[SOCKSTATE__ORIGIN_PSUTIL] = "psutil",
};

const sockstate__state_row *sockstate__state_row_at(size_t i)
{
	return i < ROW_COUNT ? &rows[i] : NULL;
}

const char *sockstate__origin_name(sockstate__origin origin)
{
	if ((unsigned)origin >= SOCKSTATE__ORIGIN_COUNT)
		return NULL;
	return origin_names[origin];
}

SOCKSTATE_API const char *sockstate_state_name(sockstate_state s)
{
	if ((unsigned)s >= SOCKSTATE_STATE_COUNT)
		return NULL;
	return rows[s].spelling;
}

/* ASCII only: the C library's toupper() follows the locale. */
static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static int is_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9');
}

static int is_separator(char c)
{
	return c == '-' || c == '_' || c == ' ';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = upper(c);
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* text as a /proc "st" code: "0A" or "0x0A". Returns the value or -1. */
static int proc_hex_code(const char *text, size_t len)
{
	if (len == 4 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		text += 2;
		len = 2;
	}
	if (len != 2)
		return -1;
	int hi = hex_value(text[0]), lo = hex_value(text[1]);
	if (hi < 0 || lo < 0)
		return -1;
	return hi * 16 + lo;
}

/* text without its separators, upper-cased, into key. Returns the key's
 * length, or -1 if text is not shaped like a spelling. */
static int make_key(const char *text, size_t len, char key[KEY_MAX])
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (is_separator(c)) {
			if (i == 0 || i + 1 == len || !is_alnum(text[i - 1]) ||
			    !is_alnum(text[i + 1]))
				return -1;
			continue;
		}
		if (!is_alnum(c) || n == KEY_MAX)
			return -1;
		key[n++] = upper(c);
	}
	return n ? (int)n : -1;
}

static int spelling_matches(const char *spelling, const char *key, size_t keylen)
{
	size_t n = 0;
	for (; *spelling; spelling++) {
		if (is_separator(*spelling))
			continue;
		if (n == keylen || upper(*spelling) != key[n])
			return 0;
		n++;
	}
	return n == keylen;
}

int sockstate__state_parse_n(const char *text, size_t len, sockstate_state *out)
{
	if (!text || !out)
		return SOCKSTATE_EINVAL;

	int code = proc_hex_code(text, len);
	if (code >= 0) {
		for (size_t i = 0; i < ROW_COUNT; i++)
			if (rows[i].origin == SOCKSTATE__ORIGIN_PROC_HEX &&
			    rows[i].code == code) {
				*out = rows[i].state;
				return 0;
			}
		return SOCKSTATE_EINVAL;
	}

	char key[KEY_MAX];
	int keylen = make_key(text, len, key);
	if (keylen < 0)
		return SOCKSTATE_EINVAL;
	for (size_t i = 0; i < ROW_COUNT; i++) {
		/* Hex codes only in their exact two-digit form ("0-A" is not
		 * one). */
		if (rows[i].origin == SOCKSTATE__ORIGIN_PROC_HEX)
			continue;
		if (spelling_matches(rows[i].spelling, key, (size_t)keylen)) {
			*out = rows[i].state;
			return 0;
		}
	}
	return SOCKSTATE_EINVAL;
}

SOCKSTATE_API int sockstate_state_parse(const char *text, sockstate_state *out)
{
	if (!text)
		return SOCKSTATE_EINVAL;
	return sockstate__state_parse_n(text, strlen(text), out);
}

/* ---- suggestions for a refused name ("did you mean ...?") ---- */

/* The letters and digits of s (at most len bytes), upper-cased: the form
 * in which spellings are compared. Returns the length, or -1 if it is
 * longer than KEY_MAX. */
static int loose_key(const char *s, size_t len, char key[KEY_MAX])
{
	size_t n = 0;

	for (size_t i = 0; i < len && s[i] != '\0'; i++) {
		if (is_separator(s[i]))
			continue;
		if (n == KEY_MAX)
			return -1;
		key[n++] = upper(s[i]);
	}
	return (int)n;
}

/* The optimal string alignment distance between a and b: the fewest
 * letters inserted, deleted, replaced, or adjacent pairs swapped, that
 * turn one into the other. */
static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
	size_t d[KEY_MAX + 1][KEY_MAX + 1];

	for (size_t i = 0; i <= na; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= nb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= na; i++) {
		for (size_t j = 1; j <= nb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[na][nb];
}

SOCKSTATE_API uint32_t sockstate_state_suggest(const char *text)
{
	char key[KEY_MAX], row_key[KEY_MAX];
	sockstate_state parsed;
	int keylen;
	size_t allowed, best = (size_t)-1;
	uint32_t mask = 0;

	if (text == NULL || sockstate_state_parse(text, &parsed) == 0)
		return 0;
	keylen = loose_key(text, strlen(text), key);
	/* Short names are too near to too much: "FOO" suggests nothing. */
	if (keylen < 4)
		return 0;
	allowed = keylen <= 6 ? 1 : 2;
	for (size_t i = 0; i < ROW_COUNT; i++) {
		/* Two hex digits are a code, not a name to spell out. */
		if (rows[i].origin == SOCKSTATE__ORIGIN_PROC_HEX)
			continue;
		int n = loose_key(rows[i].spelling, strlen(rows[i].spelling), row_key);
		if (n < 0)
			continue;
		size_t d = edit_distance(key, (size_t)keylen, row_key, (size_t)n);
		if (d > allowed || d > best)
			continue;
		if (d < best)
			mask = 0;
		best = d;
		mask |= SOCKSTATE_STATE_BIT(rows[i].state);
	}
	return mask;
}

static int is_all(const char *item, size_t len)
{
	return len == 3 && upper(item[0]) == 'A' && upper(item[1]) == 'L' &&
	       upper(item[2]) == 'L';
}

SOCKSTATE_API int sockstate_states_parse(const char *text, uint32_t *mask,
                                         const char **bad)
{
	if (bad)
		*bad = text;
	if (!text || !mask)
		return SOCKSTATE_EINVAL;

	uint32_t states = 0;
	const char *item = text;
	for (;;) {
		const char *comma = strchr(item, ',');
		size_t len = comma ? (size_t)(comma - item) : strlen(item);
		sockstate_state s;
		if (is_all(item, len)) {
			states |= SOCKSTATE_STATES_ALL;
		} else if (len == 0 || sockstate__state_parse_n(item, len, &s) != 0) {
			if (bad)
				*bad = item;
			return SOCKSTATE_EINVAL;
		} else {
			states |= SOCKSTATE_STATE_BIT(s);
		}
		if (!comma)
			break;
		item = comma + 1;
	}
	*mask = states;
	if (bad)
		*bad = NULL;
	return 0;
}

/* First row of origin: rows are grouped by origin in ascending order. */
static size_t origin_first_row(sockstate__origin origin)
{
	size_t lo = 0, hi = ROW_COUNT;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rows[mid].origin < origin)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void sockstate__native_state(sockstate__origin origin, int32_t code,
                             sockstate_state *state, const char **name)
{
	const sockstate__state_row *found = &rows[SOCKSTATE_UNKNOWN];
	if ((unsigned)origin < SOCKSTATE__ORIGIN_COUNT && code >= 0) {
		for (size_t i = origin_first_row(origin);
		     i < ROW_COUNT && rows[i].origin == origin; i++)
			if (rows[i].code == code) {
				found = &rows[i];
				break;
			}
	}
	if (state)
		*state = found->state;
	if (name)
		*name = found->spelling;
}
