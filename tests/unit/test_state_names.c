/* test_state_names.c - the state table: every spelling of every OS parses
 * to its state, every native code names its state as the OS's tool does,
 * no spelling means two states, unknown names are errors; and every state
 * is explained in English and Spanish. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "state_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct spelling {
	const char *text;
	sockstate_state state;
};

struct native {
	sockstate__origin origin;
	int32_t code;
	sockstate_state state;
	const char *name;
};

/* Written from the OSes' headers and tools (docs/STATE-NAMES.md), not
 * from the table under test. */
static const struct spelling spellings[] = {
	/* normalized */
	{"UNKNOWN", SOCKSTATE_UNKNOWN}, {"CLOSED", SOCKSTATE_CLOSED},
	{"LISTEN", SOCKSTATE_LISTEN}, {"SYN_SENT", SOCKSTATE_SYN_SENT},
	{"SYN_RECEIVED", SOCKSTATE_SYN_RECEIVED},
	{"ESTABLISHED", SOCKSTATE_ESTABLISHED},
	{"FIN_WAIT_1", SOCKSTATE_FIN_WAIT_1}, {"FIN_WAIT_2", SOCKSTATE_FIN_WAIT_2},
	{"CLOSE_WAIT", SOCKSTATE_CLOSE_WAIT}, {"CLOSING", SOCKSTATE_CLOSING},
	{"LAST_ACK", SOCKSTATE_LAST_ACK}, {"TIME_WAIT", SOCKSTATE_TIME_WAIT},
	{"DELETE_TCB", SOCKSTATE_DELETE_TCB}, {"BOUND", SOCKSTATE_BOUND},
	/* ss */
	{"ESTAB", SOCKSTATE_ESTABLISHED}, {"SYN-SENT", SOCKSTATE_SYN_SENT},
	{"SYN-RECV", SOCKSTATE_SYN_RECEIVED}, {"FIN-WAIT-1", SOCKSTATE_FIN_WAIT_1},
	{"FIN-WAIT-2", SOCKSTATE_FIN_WAIT_2}, {"TIME-WAIT", SOCKSTATE_TIME_WAIT},
	{"UNCONN", SOCKSTATE_BOUND}, {"CLOSE-WAIT", SOCKSTATE_CLOSE_WAIT},
	{"LAST-ACK", SOCKSTATE_LAST_ACK}, {"BOUND-INACTIVE", SOCKSTATE_BOUND},
	/* net-tools netstat */
	{"SYN_RECV", SOCKSTATE_SYN_RECEIVED}, {"FIN_WAIT1", SOCKSTATE_FIN_WAIT_1},
	{"FIN_WAIT2", SOCKSTATE_FIN_WAIT_2}, {"CLOSE", SOCKSTATE_CLOSED},
	/* /proc/net/tcp st */
	{"01", SOCKSTATE_ESTABLISHED}, {"02", SOCKSTATE_SYN_SENT},
	{"03", SOCKSTATE_SYN_RECEIVED}, {"04", SOCKSTATE_FIN_WAIT_1},
	{"05", SOCKSTATE_FIN_WAIT_2}, {"06", SOCKSTATE_TIME_WAIT},
	{"07", SOCKSTATE_CLOSED}, {"08", SOCKSTATE_CLOSE_WAIT},
	{"09", SOCKSTATE_LAST_ACK}, {"0A", SOCKSTATE_LISTEN},
	{"0B", SOCKSTATE_CLOSING}, {"0x0A", SOCKSTATE_LISTEN},
	{"0x01", SOCKSTATE_ESTABLISHED}, {"0X0b", SOCKSTATE_CLOSING},
	{"0a", SOCKSTATE_LISTEN},
	/* BSD netstat */
	{"SYN_RCVD", SOCKSTATE_SYN_RECEIVED},
	/* NetBSD netstat -A */
	{"SYNSEN", SOCKSTATE_SYN_SENT}, {"SYSRCV", SOCKSTATE_SYN_RECEIVED},
	{"ESTABL", SOCKSTATE_ESTABLISHED}, {"CLWAIT", SOCKSTATE_CLOSE_WAIT},
	{"FWAIT1", SOCKSTATE_FIN_WAIT_1}, {"CLOSNG", SOCKSTATE_CLOSING},
	{"LASTAK", SOCKSTATE_LAST_ACK}, {"FWAIT2", SOCKSTATE_FIN_WAIT_2},
	{"TMWAIT", SOCKSTATE_TIME_WAIT},
	/* Windows netstat */
	{"LISTENING", SOCKSTATE_LISTEN},
	/* MIB_TCP_STATE */
	{"MIB_TCP_STATE_CLOSED", SOCKSTATE_CLOSED},
	{"MIB_TCP_STATE_LISTEN", SOCKSTATE_LISTEN},
	{"MIB_TCP_STATE_SYN_SENT", SOCKSTATE_SYN_SENT},
	{"MIB_TCP_STATE_SYN_RCVD", SOCKSTATE_SYN_RECEIVED},
	{"MIB_TCP_STATE_ESTAB", SOCKSTATE_ESTABLISHED},
	{"MIB_TCP_STATE_FIN_WAIT1", SOCKSTATE_FIN_WAIT_1},
	{"MIB_TCP_STATE_FIN_WAIT2", SOCKSTATE_FIN_WAIT_2},
	{"MIB_TCP_STATE_CLOSE_WAIT", SOCKSTATE_CLOSE_WAIT},
	{"MIB_TCP_STATE_CLOSING", SOCKSTATE_CLOSING},
	{"MIB_TCP_STATE_LAST_ACK", SOCKSTATE_LAST_ACK},
	{"MIB_TCP_STATE_TIME_WAIT", SOCKSTATE_TIME_WAIT},
	{"MIB_TCP_STATE_DELETE_TCB", SOCKSTATE_DELETE_TCB},
	/* PowerShell */
	{"Closed", SOCKSTATE_CLOSED}, {"Listen", SOCKSTATE_LISTEN},
	{"SynSent", SOCKSTATE_SYN_SENT}, {"SynReceived", SOCKSTATE_SYN_RECEIVED},
	{"Established", SOCKSTATE_ESTABLISHED}, {"FinWait1", SOCKSTATE_FIN_WAIT_1},
	{"FinWait2", SOCKSTATE_FIN_WAIT_2}, {"CloseWait", SOCKSTATE_CLOSE_WAIT},
	{"Closing", SOCKSTATE_CLOSING}, {"LastAck", SOCKSTATE_LAST_ACK},
	{"TimeWait", SOCKSTATE_TIME_WAIT}, {"DeleteTCB", SOCKSTATE_DELETE_TCB},
	{"Bound", SOCKSTATE_BOUND},
	/* psutil constants and strings */
	{"CONN_ESTABLISHED", SOCKSTATE_ESTABLISHED},
	{"CONN_SYN_SENT", SOCKSTATE_SYN_SENT},
	{"CONN_SYN_RECV", SOCKSTATE_SYN_RECEIVED},
	{"CONN_FIN_WAIT1", SOCKSTATE_FIN_WAIT_1},
	{"CONN_FIN_WAIT2", SOCKSTATE_FIN_WAIT_2},
	{"CONN_TIME_WAIT", SOCKSTATE_TIME_WAIT}, {"CONN_CLOSE", SOCKSTATE_CLOSED},
	{"CONN_CLOSE_WAIT", SOCKSTATE_CLOSE_WAIT},
	{"CONN_LAST_ACK", SOCKSTATE_LAST_ACK}, {"CONN_LISTEN", SOCKSTATE_LISTEN},
	{"CONN_CLOSING", SOCKSTATE_CLOSING},
	{"CONN_DELETE_TCB", SOCKSTATE_DELETE_TCB}, {"CONN_BOUND", SOCKSTATE_BOUND},
	/* case and separator variants */
	{"listen", SOCKSTATE_LISTEN}, {"Estab", SOCKSTATE_ESTABLISHED},
	{"syn-recv", SOCKSTATE_SYN_RECEIVED}, {"Syn Recv", SOCKSTATE_SYN_RECEIVED},
	{"syn_rcvd", SOCKSTATE_SYN_RECEIVED}, {"SYN RCVD", SOCKSTATE_SYN_RECEIVED},
	{"syn received", SOCKSTATE_SYN_RECEIVED},
	{"SYN-RECEIVED", SOCKSTATE_SYN_RECEIVED},
	{"fin wait 1", SOCKSTATE_FIN_WAIT_1}, {"FIN-WAIT_1", SOCKSTATE_FIN_WAIT_1},
	{"finwait2", SOCKSTATE_FIN_WAIT_2}, {"time wait", SOCKSTATE_TIME_WAIT},
	{"TIMEWAIT", SOCKSTATE_TIME_WAIT}, {"close-wait", SOCKSTATE_CLOSE_WAIT},
	{"last ack", SOCKSTATE_LAST_ACK}, {"mib-tcp-state-estab", SOCKSTATE_ESTABLISHED},
	{"conn established", SOCKSTATE_ESTABLISHED},
	{"Delete TCB", SOCKSTATE_DELETE_TCB}, {"deletetcb", SOCKSTATE_DELETE_TCB},
	{"listening", SOCKSTATE_LISTEN}, {"unconn", SOCKSTATE_BOUND},
	{"bound inactive", SOCKSTATE_BOUND}, {"unknown", SOCKSTATE_UNKNOWN},
};

static const struct native natives[] = {
	/* Linux: kernel numbers, ss spellings */
	{SOCKSTATE__ORIGIN_LINUX, 1, SOCKSTATE_ESTABLISHED, "ESTAB"},
	{SOCKSTATE__ORIGIN_LINUX, 2, SOCKSTATE_SYN_SENT, "SYN-SENT"},
	{SOCKSTATE__ORIGIN_LINUX, 3, SOCKSTATE_SYN_RECEIVED, "SYN-RECV"},
	{SOCKSTATE__ORIGIN_LINUX, 4, SOCKSTATE_FIN_WAIT_1, "FIN-WAIT-1"},
	{SOCKSTATE__ORIGIN_LINUX, 5, SOCKSTATE_FIN_WAIT_2, "FIN-WAIT-2"},
	{SOCKSTATE__ORIGIN_LINUX, 6, SOCKSTATE_TIME_WAIT, "TIME-WAIT"},
	{SOCKSTATE__ORIGIN_LINUX, 7, SOCKSTATE_BOUND, "UNCONN"},
	{SOCKSTATE__ORIGIN_LINUX, 8, SOCKSTATE_CLOSE_WAIT, "CLOSE-WAIT"},
	{SOCKSTATE__ORIGIN_LINUX, 9, SOCKSTATE_LAST_ACK, "LAST-ACK"},
	{SOCKSTATE__ORIGIN_LINUX, 10, SOCKSTATE_LISTEN, "LISTEN"},
	{SOCKSTATE__ORIGIN_LINUX, 11, SOCKSTATE_CLOSING, "CLOSING"},
	{SOCKSTATE__ORIGIN_LINUX, 12, SOCKSTATE_SYN_RECEIVED, "SYN-RECV"},
	{SOCKSTATE__ORIGIN_LINUX, 13, SOCKSTATE_BOUND, "UNCONN"},
	{SOCKSTATE__ORIGIN_LINUX, 0, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	{SOCKSTATE__ORIGIN_LINUX, 14, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	{SOCKSTATE__ORIGIN_LINUX, -1, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	{SOCKSTATE__ORIGIN_LINUX, 255, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	/* BSD: TCPS_* numbers, BSD netstat spellings */
	{SOCKSTATE__ORIGIN_BSD, 0, SOCKSTATE_CLOSED, "CLOSED"},
	{SOCKSTATE__ORIGIN_BSD, 1, SOCKSTATE_LISTEN, "LISTEN"},
	{SOCKSTATE__ORIGIN_BSD, 2, SOCKSTATE_SYN_SENT, "SYN_SENT"},
	{SOCKSTATE__ORIGIN_BSD, 3, SOCKSTATE_SYN_RECEIVED, "SYN_RCVD"},
	{SOCKSTATE__ORIGIN_BSD, 4, SOCKSTATE_ESTABLISHED, "ESTABLISHED"},
	{SOCKSTATE__ORIGIN_BSD, 5, SOCKSTATE_CLOSE_WAIT, "CLOSE_WAIT"},
	{SOCKSTATE__ORIGIN_BSD, 6, SOCKSTATE_FIN_WAIT_1, "FIN_WAIT_1"},
	{SOCKSTATE__ORIGIN_BSD, 7, SOCKSTATE_CLOSING, "CLOSING"},
	{SOCKSTATE__ORIGIN_BSD, 8, SOCKSTATE_LAST_ACK, "LAST_ACK"},
	{SOCKSTATE__ORIGIN_BSD, 9, SOCKSTATE_FIN_WAIT_2, "FIN_WAIT_2"},
	{SOCKSTATE__ORIGIN_BSD, 10, SOCKSTATE_TIME_WAIT, "TIME_WAIT"},
	{SOCKSTATE__ORIGIN_BSD, 11, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	{SOCKSTATE__ORIGIN_BSD, -1, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	/* Windows: MIB_TCP_STATE numbers, netstat.exe spellings */
	{SOCKSTATE__ORIGIN_WINDOWS, 1, SOCKSTATE_CLOSED, "CLOSED"},
	{SOCKSTATE__ORIGIN_WINDOWS, 2, SOCKSTATE_LISTEN, "LISTENING"},
	{SOCKSTATE__ORIGIN_WINDOWS, 3, SOCKSTATE_SYN_SENT, "SYN_SENT"},
	{SOCKSTATE__ORIGIN_WINDOWS, 4, SOCKSTATE_SYN_RECEIVED, "SYN_RECEIVED"},
	{SOCKSTATE__ORIGIN_WINDOWS, 5, SOCKSTATE_ESTABLISHED, "ESTABLISHED"},
	{SOCKSTATE__ORIGIN_WINDOWS, 6, SOCKSTATE_FIN_WAIT_1, "FIN_WAIT_1"},
	{SOCKSTATE__ORIGIN_WINDOWS, 7, SOCKSTATE_FIN_WAIT_2, "FIN_WAIT_2"},
	{SOCKSTATE__ORIGIN_WINDOWS, 8, SOCKSTATE_CLOSE_WAIT, "CLOSE_WAIT"},
	{SOCKSTATE__ORIGIN_WINDOWS, 9, SOCKSTATE_CLOSING, "CLOSING"},
	{SOCKSTATE__ORIGIN_WINDOWS, 10, SOCKSTATE_LAST_ACK, "LAST_ACK"},
	{SOCKSTATE__ORIGIN_WINDOWS, 11, SOCKSTATE_TIME_WAIT, "TIME_WAIT"},
	{SOCKSTATE__ORIGIN_WINDOWS, 12, SOCKSTATE_DELETE_TCB, "DELETE_TCB"},
	{SOCKSTATE__ORIGIN_WINDOWS, 100, SOCKSTATE_BOUND, "BOUND"},
	{SOCKSTATE__ORIGIN_WINDOWS, 0, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	{SOCKSTATE__ORIGIN_WINDOWS, 13, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	{SOCKSTATE__ORIGIN_WINDOWS, 99, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	/* the other origins' numbers */
	{SOCKSTATE__ORIGIN_NETTOOLS, 3, SOCKSTATE_SYN_RECEIVED, "SYN_RECV"},
	{SOCKSTATE__ORIGIN_NETTOOLS, 7, SOCKSTATE_CLOSED, "CLOSE"},
	{SOCKSTATE__ORIGIN_PROC_HEX, 10, SOCKSTATE_LISTEN, "0A"},
	{SOCKSTATE__ORIGIN_NETBSD_SHORT, 3, SOCKSTATE_SYN_RECEIVED, "SYSRCV"},
	{SOCKSTATE__ORIGIN_MIB, 5, SOCKSTATE_ESTABLISHED, "MIB_TCP_STATE_ESTAB"},
	{SOCKSTATE__ORIGIN_POWERSHELL, 100, SOCKSTATE_BOUND, "Bound"},
	{SOCKSTATE__ORIGIN_POWERSHELL, 12, SOCKSTATE_DELETE_TCB, "DeleteTCB"},
	/* origins without numbers, and no origin at all */
	{SOCKSTATE__ORIGIN_RFC, 1, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	{SOCKSTATE__ORIGIN_PSUTIL, 1, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	{SOCKSTATE__ORIGIN_COUNT, 1, SOCKSTATE_UNKNOWN, "UNKNOWN"},
	{(sockstate__origin)-1, 1, SOCKSTATE_UNKNOWN, "UNKNOWN"},
};

static const char *const state_names[SOCKSTATE_STATE_COUNT] = {
	"UNKNOWN", "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED",
	"ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",
	"LAST_ACK", "TIME_WAIT", "DELETE_TCB", "BOUND",
};

static size_t row_count(void)
{
	size_t n = 0;
	while (sockstate__state_row_at(n))
		n++;
	return n;
}

/* The test's own reading of the comparison rule: upper case, separators
 * dropped. */
static void key_of(const char *s, char *key, size_t size)
{
	size_t n = 0;
	for (; *s && n + 1 < size; s++) {
		if (*s == '-' || *s == '_' || *s == ' ')
			continue;
		key[n++] = (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s;
	}
	key[n] = '\0';
}

static void test_state_name(void **unused)
{
	(void)unused;
	for (int s = 0; s < SOCKSTATE_STATE_COUNT; s++)
		assert_string_equal(sockstate_state_name((sockstate_state)s),
		                    state_names[s]);
	assert_null(sockstate_state_name(SOCKSTATE_STATE_COUNT));
	assert_null(sockstate_state_name((sockstate_state)-1));
	assert_null(sockstate_state_name((sockstate_state)200));
}

static void test_table_shape(void **unused)
{
	(void)unused;
	size_t n = row_count();
	assert_int_equal(n, 136);
	for (size_t i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		const sockstate__state_row *r = sockstate__state_row_at(i);
		assert_int_equal(r->origin, SOCKSTATE__ORIGIN_RFC);
		assert_int_equal(r->state, (sockstate_state)i);
		assert_int_equal(r->code, -1);
	}
	for (size_t i = 0; i < n; i++) {
		const sockstate__state_row *r = sockstate__state_row_at(i);
		assert_non_null(r->spelling);
		assert_true(strlen(r->spelling) > 0);
		assert_in_range(r->state, 0, SOCKSTATE_STATE_COUNT - 1);
		assert_in_range(r->origin, 0, SOCKSTATE__ORIGIN_COUNT - 1);
		assert_true(r->code >= -1 && r->code <= 100);
		/* native lookups binary-search the origin */
		if (i > 0)
			assert_true(sockstate__state_row_at(i - 1)->origin <= r->origin);
	}
	assert_null(sockstate__state_row_at(n));
	assert_null(sockstate__state_row_at((size_t)-1));

	/* every origin has its rows and a name */
	static const size_t rows_of[SOCKSTATE__ORIGIN_COUNT] = {
		[SOCKSTATE__ORIGIN_RFC] = 14, [SOCKSTATE__ORIGIN_LINUX] = 14,
		[SOCKSTATE__ORIGIN_NETTOOLS] = 11, [SOCKSTATE__ORIGIN_PROC_HEX] = 11,
		[SOCKSTATE__ORIGIN_BSD] = 11, [SOCKSTATE__ORIGIN_NETBSD_SHORT] = 11,
		[SOCKSTATE__ORIGIN_WINDOWS] = 13, [SOCKSTATE__ORIGIN_MIB] = 12,
		[SOCKSTATE__ORIGIN_POWERSHELL] = 13, [SOCKSTATE__ORIGIN_PSUTIL] = 26,
	};
	for (int o = 0; o < SOCKSTATE__ORIGIN_COUNT; o++) {
		size_t rows = 0;
		for (size_t i = 0; i < n; i++)
			rows += sockstate__state_row_at(i)->origin == (sockstate__origin)o;
		assert_int_equal(rows, rows_of[o]);
		assert_non_null(sockstate__origin_name((sockstate__origin)o));
	}
	assert_string_equal(sockstate__origin_name(SOCKSTATE__ORIGIN_LINUX), "ss");
	assert_string_equal(sockstate__origin_name(SOCKSTATE__ORIGIN_WINDOWS),
	                    "Windows netstat");
	assert_null(sockstate__origin_name(SOCKSTATE__ORIGIN_COUNT));
	assert_null(sockstate__origin_name((sockstate__origin)-1));
}

static void test_every_row_parses(void **unused)
{
	(void)unused;
	for (size_t i = 0; sockstate__state_row_at(i); i++) {
		const sockstate__state_row *r = sockstate__state_row_at(i);
		sockstate_state s = (sockstate_state)99;
		assert_int_equal(sockstate_state_parse(r->spelling, &s), 0);
		assert_int_equal(s, r->state);
	}
}

static void test_every_coded_row_is_native(void **unused)
{
	(void)unused;
	/* A numbered row either names its code or follows an earlier row of
	 * the same origin and code that means the same state. */
	for (size_t i = 0; sockstate__state_row_at(i); i++) {
		const sockstate__state_row *r = sockstate__state_row_at(i);
		if (r->code < 0)
			continue;
		sockstate_state s;
		const char *name;
		sockstate__native_state(r->origin, r->code, &s, &name);
		assert_int_equal(s, r->state);
		sockstate_state again;
		assert_int_equal(sockstate_state_parse(name, &again), 0);
		assert_int_equal(again, r->state);
	}
}

static void test_no_spelling_means_two_states(void **unused)
{
	(void)unused;
	size_t n = row_count();
	for (size_t i = 0; i < n; i++) {
		char a[64];
		key_of(sockstate__state_row_at(i)->spelling, a, sizeof a);
		for (size_t j = i + 1; j < n; j++) {
			char b[64];
			key_of(sockstate__state_row_at(j)->spelling, b, sizeof b);
			if (strcmp(a, b) == 0)
				assert_int_equal(sockstate__state_row_at(i)->state,
				                 sockstate__state_row_at(j)->state);
		}
	}
}

static void test_known_spellings(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < COUNT(spellings); i++) {
		sockstate_state s = (sockstate_state)99;
		int rc = sockstate_state_parse(spellings[i].text, &s);
		if (rc != 0 || s != spellings[i].state)
			fail_msg("\"%s\": rc %d state %d, want %d", spellings[i].text,
			         rc, (int)s, (int)spellings[i].state);
	}
}

static void test_native_state(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < COUNT(natives); i++) {
		sockstate_state s = (sockstate_state)99;
		const char *name = NULL;
		sockstate__native_state(natives[i].origin, natives[i].code, &s, &name);
		if (s != natives[i].state || !name ||
		    strcmp(name, natives[i].name) != 0)
			fail_msg("origin %d code %d: state %d name %s, want %d %s",
			         (int)natives[i].origin, natives[i].code, (int)s,
			         name ? name : "(null)", (int)natives[i].state,
			         natives[i].name);
	}
	/* either output may be NULL */
	sockstate_state s = SOCKSTATE_UNKNOWN;
	sockstate__native_state(SOCKSTATE__ORIGIN_LINUX, 10, &s, NULL);
	assert_int_equal(s, SOCKSTATE_LISTEN);
	const char *name = NULL;
	sockstate__native_state(SOCKSTATE__ORIGIN_BSD, 3, NULL, &name);
	assert_string_equal(name, "SYN_RCVD");
	sockstate__native_state(SOCKSTATE__ORIGIN_BSD, 3, NULL, NULL);
}

static void test_native_names_parse_back(void **unused)
{
	(void)unused;
	/* What a backend reports as native_name is accepted back as a filter
	 * for the same state. */
	static const sockstate__origin origins[] = {
		SOCKSTATE__ORIGIN_LINUX, SOCKSTATE__ORIGIN_BSD,
		SOCKSTATE__ORIGIN_WINDOWS};
	for (size_t o = 0; o < COUNT(origins); o++)
		for (int32_t code = -2; code <= 101; code++) {
			sockstate_state s, back;
			const char *name;
			sockstate__native_state(origins[o], code, &s, &name);
			assert_int_equal(sockstate_state_parse(name, &back), 0);
			assert_int_equal(back, s);
		}
}

static void test_round_trip(void **unused)
{
	(void)unused;
	for (int i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		sockstate_state s = (sockstate_state)99;
		assert_int_equal(
			sockstate_state_parse(sockstate_state_name((sockstate_state)i), &s),
			0);
		assert_int_equal(s, (sockstate_state)i);
	}
}

static void test_rejected(void **unused)
{
	(void)unused;
	static const char *const bad[] = {
		"", "NONE", "IDLE", "CONN_NONE", "CONN_IDLE", "ESTABLISHEDX",
		"SYN", "ESTA", "FIN_WAIT", "FINWAIT", "CLOSE_", "12", "10", "11",
		"7", "1", "0", "00", "0C", "0D", "FF", "0x0C", "0x", "0xA", "0x00A",
		"0x0A0", "x0A", "0-A", "0 A", "0A ", " 0A", " LISTEN", "LISTEN ",
		"-LISTEN", "LISTEN-", "_LISTEN", "SYN__SENT", "SYN--SENT",
		"SYN -SENT", "LISTEN\n", "LISTEN\t", "\tLISTEN", "LISTEN,ESTAB",
		"all", "ALL", "UNDEF", "NEW_SYN_RECV", "TCP_LISTEN", "LISTEN.",
		"\xc3\x89STABLISHED", "ESTABLISHED\xc2\xa0", "-", "_", " ",
		"SYN_RCVD*", "MIB_TCP_STATE_", "CONN_",
	};
	for (size_t i = 0; i < COUNT(bad); i++) {
		sockstate_state s = (sockstate_state)99;
		int rc = sockstate_state_parse(bad[i], &s);
		if (rc != SOCKSTATE_EINVAL || s != (sockstate_state)99)
			fail_msg("\"%s\" accepted: rc %d state %d", bad[i], rc, (int)s);
	}

	sockstate_state s = (sockstate_state)99;
	assert_int_equal(sockstate_state_parse(NULL, &s), SOCKSTATE_EINVAL);
	assert_int_equal(s, (sockstate_state)99);
	assert_int_equal(sockstate_state_parse("LISTEN", NULL), SOCKSTATE_EINVAL);

	char longname[300];
	memset(longname, 'A', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_int_equal(sockstate_state_parse(longname, &s), SOCKSTATE_EINVAL);
	/* a spelling followed by a long tail is not that spelling */
	memcpy(longname, "LISTEN", 6);
	assert_int_equal(sockstate_state_parse(longname, &s), SOCKSTATE_EINVAL);
	assert_int_equal(s, (sockstate_state)99);
}

/* "Did you mean": the nearest spellings' states, only when near. */
static void test_suggest(void **unused)
{
	(void)unused;
	/* One letter too many, too few, replaced, or two swapped. */
	assert_int_equal(sockstate_state_suggest("CLOSED_WAIT"),
	                 SOCKSTATE_STATE_BIT(SOCKSTATE_CLOSE_WAIT));
	assert_int_equal(sockstate_state_suggest("LISTN"), SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN));
	assert_int_equal(sockstate_state_suggest("ESTABLISHEF"),
	                 SOCKSTATE_STATE_BIT(SOCKSTATE_ESTABLISHED));
	assert_int_equal(sockstate_state_suggest("time-wiat"),
	                 SOCKSTATE_STATE_BIT(SOCKSTATE_TIME_WAIT));
	/* Any OS's spelling counts: "SYN_RECVD" is one from ss's SYN-RECV. */
	assert_int_equal(sockstate_state_suggest("SYN_RECVD"),
	                 SOCKSTATE_STATE_BIT(SOCKSTATE_SYN_RECEIVED));
	/* Two states equally near: both. */
	assert_int_equal(sockstate_state_suggest("FIN_WAIT"),
	                 SOCKSTATE_STATE_BIT(SOCKSTATE_FIN_WAIT_1) |
	                 SOCKSTATE_STATE_BIT(SOCKSTATE_FIN_WAIT_2));
	/* Nothing near, too short to guess, a valid name, NULL, too long. */
	assert_int_equal(sockstate_state_suggest("FOO"), 0);
	assert_int_equal(sockstate_state_suggest("NONE"), 0);
	assert_int_equal(sockstate_state_suggest("IDLE"), 0);
	assert_int_equal(sockstate_state_suggest("BOGUS"), 0);
	assert_int_equal(sockstate_state_suggest("0C"), 0);
	assert_int_equal(sockstate_state_suggest("ESTAB"), 0);
	assert_int_equal(sockstate_state_suggest(NULL), 0);
	assert_int_equal(sockstate_state_suggest(
		"ESTABLISHEDESTABLISHEDESTABLISHEDESTABLISHEDESTABLISHED"), 0);
	/* Parsing itself never takes a near match. */
	sockstate_state s = SOCKSTATE_UNKNOWN;
	assert_int_equal(sockstate_state_parse("CLOSED_WAIT", &s), SOCKSTATE_EINVAL);
	assert_int_equal(s, SOCKSTATE_UNKNOWN);
}

static void test_parse_n(void **unused)
{
	(void)unused;
	sockstate_state s = (sockstate_state)99;
	assert_int_equal(sockstate__state_parse_n("LISTENING", 6, &s), 0);
	assert_int_equal(s, SOCKSTATE_LISTEN);
	assert_int_equal(sockstate__state_parse_n("0A0B", 2, &s), 0);
	assert_int_equal(s, SOCKSTATE_LISTEN);
	assert_int_equal(sockstate__state_parse_n("ESTAB,LISTEN", 5, &s), 0);
	assert_int_equal(s, SOCKSTATE_ESTABLISHED);
	s = (sockstate_state)99;
	assert_int_equal(sockstate__state_parse_n("LISTEN", 0, &s), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate__state_parse_n("LISTEN", 5, &s), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate__state_parse_n("LIS\0EN", 6, &s), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate__state_parse_n(NULL, 3, &s), SOCKSTATE_EINVAL);
	assert_int_equal(s, (sockstate_state)99);
}

#define BIT(s) SOCKSTATE_STATE_BIT(SOCKSTATE_##s)

static void test_states_parse(void **unused)
{
	(void)unused;
	uint32_t mask = 0;
	const char *bad = "x";

	assert_int_equal(sockstate_states_parse("LISTEN", &mask, &bad), 0);
	assert_int_equal(mask, BIT(LISTEN));
	assert_null(bad);

	assert_int_equal(sockstate_states_parse("LISTEN,ESTAB,syn-recv", &mask, &bad), 0);
	assert_int_equal(mask, BIT(LISTEN) | BIT(ESTABLISHED) | BIT(SYN_RECEIVED));

	assert_int_equal(sockstate_states_parse("SYN_RCVD,SynReceived,03", &mask, NULL), 0);
	assert_int_equal(mask, BIT(SYN_RECEIVED));

	assert_int_equal(sockstate_states_parse("all", &mask, &bad), 0);
	assert_int_equal(mask, SOCKSTATE_STATES_ALL);
	assert_true(mask & BIT(BOUND));
	assert_int_equal(mask, 0x3fffu);
	assert_int_equal(sockstate_states_parse("ALL", &mask, &bad), 0);
	assert_int_equal(mask, SOCKSTATE_STATES_ALL);
	assert_int_equal(sockstate_states_parse("listen,All", &mask, &bad), 0);
	assert_int_equal(mask, SOCKSTATE_STATES_ALL);

	assert_int_equal(sockstate_states_parse("UNCONN,TIME-WAIT", &mask, &bad), 0);
	assert_int_equal(mask, BIT(BOUND) | BIT(TIME_WAIT));
	assert_int_equal(sockstate_states_parse("UNKNOWN", &mask, &bad), 0);
	assert_int_equal(mask, BIT(UNKNOWN));
	assert_int_equal(mask, 1u);

	/* errors: mask untouched, bad at the offending item */
	static const struct {
		const char *text;
		size_t bad_at;
	} errors[] = {
		{"", 0},
		{",", 0},
		{",LISTEN", 0},
		{"LISTEN,", 7},
		{"LISTEN,,ESTAB", 7},
		{"LISTEN,NONE", 7},
		{"LISTEN, ESTAB", 7},
		{"LISTEN ,ESTAB", 0},
		{"ESTAB,LISTEN,IDLE,CLOSED", 13},
		{"FOO", 0},
		{"alll", 0},
		{"all,", 4},
		{"12,LISTEN", 0},
	};
	for (size_t i = 0; i < COUNT(errors); i++) {
		mask = 0xdeadu;
		bad = NULL;
		int rc = sockstate_states_parse(errors[i].text, &mask, &bad);
		if (rc != SOCKSTATE_EINVAL || mask != 0xdeadu ||
		    bad != errors[i].text + errors[i].bad_at)
			fail_msg("\"%s\": rc %d mask %#x bad at %td, want %zu",
			         errors[i].text, rc, (unsigned)mask,
			         bad ? bad - errors[i].text : (ptrdiff_t)-1,
			         errors[i].bad_at);
	}

	bad = "x";
	assert_int_equal(sockstate_states_parse(NULL, &mask, &bad), SOCKSTATE_EINVAL);
	assert_null(bad);
	assert_int_equal(sockstate_states_parse("LISTEN", NULL, &bad), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_states_parse("NONE", &mask, NULL), SOCKSTATE_EINVAL);
	assert_int_equal(mask, 0xdeadu);
}

/* Valid UTF-8 (no overlongs, no surrogates). Returns 1 if s is, and
 * counts non-ASCII characters in *wide. */
static int utf8_ok(const char *text, int *wide)
{
	const unsigned char *s = (const unsigned char *)text;
	*wide = 0;
	while (*s) {
		unsigned c = *s;
		int extra;
		unsigned min;
		if (c < 0x80) {
			s++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			extra = 1, min = 0x80, c &= 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			extra = 2, min = 0x800, c &= 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			extra = 3, min = 0x10000, c &= 0x07;
		} else {
			return 0;
		}
		s++;
		for (int i = 0; i < extra; i++, s++) {
			if ((*s & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (*s & 0x3fu);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
		(*wide)++;
	}
	return 1;
}

static void test_describe_every_state(void **unused)
{
	(void)unused;
	static const sockstate_side sides[SOCKSTATE_STATE_COUNT] = {
		[SOCKSTATE_UNKNOWN] = SOCKSTATE_SIDE_NONE,
		[SOCKSTATE_CLOSED] = SOCKSTATE_SIDE_NONE,
		[SOCKSTATE_LISTEN] = SOCKSTATE_SIDE_SERVER,
		[SOCKSTATE_SYN_SENT] = SOCKSTATE_SIDE_CLIENT,
		[SOCKSTATE_SYN_RECEIVED] = SOCKSTATE_SIDE_SERVER,
		[SOCKSTATE_ESTABLISHED] = SOCKSTATE_SIDE_BOTH,
		[SOCKSTATE_FIN_WAIT_1] = SOCKSTATE_SIDE_CLOSER,
		[SOCKSTATE_FIN_WAIT_2] = SOCKSTATE_SIDE_CLOSER,
		[SOCKSTATE_CLOSE_WAIT] = SOCKSTATE_SIDE_PEER,
		[SOCKSTATE_CLOSING] = SOCKSTATE_SIDE_CLOSER,
		[SOCKSTATE_LAST_ACK] = SOCKSTATE_SIDE_PEER,
		[SOCKSTATE_TIME_WAIT] = SOCKSTATE_SIDE_CLOSER,
		[SOCKSTATE_DELETE_TCB] = SOCKSTATE_SIDE_BOTH,
		[SOCKSTATE_BOUND] = SOCKSTATE_SIDE_NONE,
	};
	sockstate_state_info en[SOCKSTATE_STATE_COUNT], es[SOCKSTATE_STATE_COUNT];
	int spanish_accents = 0;
	for (int i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		sockstate_state s = (sockstate_state)i;
		assert_int_equal(sockstate_state_describe(s, "en", &en[i]), 0);
		assert_int_equal(sockstate_state_describe(s, "es", &es[i]), 0);
		const sockstate_state_info *pair[2] = {&en[i], &es[i]};
		for (int l = 0; l < 2; l++) {
			const sockstate_state_info *d = pair[l];
			assert_int_equal(d->state, s);
			assert_int_equal(d->side, sides[i]);
			assert_string_equal(d->name, state_names[i]);
			const char *texts[3] = {d->meaning, d->seen_by, d->pile_means};
			for (int t = 0; t < 3; t++) {
				int wide;
				assert_non_null(texts[t]);
				assert_true(strlen(texts[t]) >= 10);
				assert_true(utf8_ok(texts[t], &wide));
				if (l == 0)
					assert_int_equal(wide, 0);
				else
					spanish_accents += wide;
				/* a sentence, ending in a full stop */
				assert_int_equal(texts[t][strlen(texts[t]) - 1], '.');
			}
		}
		assert_string_not_equal(en[i].meaning, es[i].meaning);
		assert_string_not_equal(en[i].seen_by, es[i].seen_by);
		assert_string_not_equal(en[i].pile_means, es[i].pile_means);
	}
	assert_true(spanish_accents > 50);
	/* no two states share a meaning or a diagnosis */
	for (int i = 0; i < SOCKSTATE_STATE_COUNT; i++)
		for (int j = i + 1; j < SOCKSTATE_STATE_COUNT; j++) {
			assert_string_not_equal(en[i].meaning, en[j].meaning);
			assert_string_not_equal(es[i].meaning, es[j].meaning);
			assert_string_not_equal(en[i].pile_means, en[j].pile_means);
			assert_string_not_equal(es[i].pile_means, es[j].pile_means);
		}

	/* the troubleshooting facts people come for */
	assert_non_null(strstr(en[SOCKSTATE_CLOSE_WAIT].pile_means, "leak"));
	assert_non_null(strstr(es[SOCKSTATE_CLOSE_WAIT].pile_means, "fuga"));
	assert_non_null(strstr(en[SOCKSTATE_TIME_WAIT].pile_means, "ephemeral"));
	assert_non_null(strstr(es[SOCKSTATE_TIME_WAIT].pile_means, "efímeros"));
	assert_non_null(strstr(en[SOCKSTATE_TIME_WAIT].pile_means, "keep-alive"));
	assert_non_null(strstr(en[SOCKSTATE_SYN_RECEIVED].pile_means, "backlog"));
	assert_non_null(strstr(en[SOCKSTATE_SYN_RECEIVED].pile_means, "SYN flood"));
	assert_non_null(strstr(en[SOCKSTATE_SYN_SENT].pile_means, "firewall"));
	assert_non_null(strstr(es[SOCKSTATE_SYN_SENT].pile_means, "cortafuegos"));
	assert_non_null(strstr(en[SOCKSTATE_LISTEN].pile_means, "exposed"));
	assert_non_null(strstr(en[SOCKSTATE_FIN_WAIT_2].pile_means, "not closing"));
	assert_non_null(strstr(en[SOCKSTATE_DELETE_TCB].meaning, "Windows"));
	assert_non_null(strstr(es[SOCKSTATE_DELETE_TCB].meaning, "Windows"));
	assert_string_equal(es[SOCKSTATE_ESTABLISHED].seen_by, "Ambos lados.");
	assert_string_equal(en[SOCKSTATE_ESTABLISHED].seen_by, "Both sides.");
}

static void test_describe_lang(void **unused)
{
	(void)unused;
	sockstate_state_info en, es, d;
	assert_int_equal(sockstate_state_describe(SOCKSTATE_LISTEN, "en", &en), 0);
	assert_int_equal(sockstate_state_describe(SOCKSTATE_LISTEN, "es", &es), 0);

	static const char *const english[] = {
		NULL, "", "en", "EN", "En", "en_US", "en_GB.UTF-8", "en-US", "en.UTF-8",
		"en@quot", "C", "C.UTF-8", "POSIX"};
	for (size_t i = 0; i < COUNT(english); i++) {
		assert_int_equal(sockstate_state_describe(SOCKSTATE_LISTEN, english[i], &d), 0);
		assert_ptr_equal(d.meaning, en.meaning);
		assert_ptr_equal(d.pile_means, en.pile_means);
	}
	static const char *const spanish[] = {
		"es", "ES", "es_ES.UTF-8", "es_MX", "es-AR", "es@euro", "es.UTF-8"};
	for (size_t i = 0; i < COUNT(spanish); i++) {
		assert_int_equal(sockstate_state_describe(SOCKSTATE_LISTEN, spanish[i], &d), 0);
		assert_ptr_equal(d.meaning, es.meaning);
		assert_ptr_equal(d.seen_by, es.seen_by);
	}
	static const char *const unknown[] = {
		"fr", "xx", "de_DE.UTF-8", "e", "s", "c", "posix", "eng", "english",
		"spanish", "esp", "en US", " en", "C_", "CC", "fr_ES"};
	for (size_t i = 0; i < COUNT(unknown); i++) {
		memset(&d, 0x5a, sizeof d);
		assert_int_equal(sockstate_state_describe(SOCKSTATE_LISTEN, unknown[i], &d),
		                 SOCKSTATE_EINVAL);
		assert_null(d.meaning);
		assert_null(d.name);
		assert_int_equal(d.state, 0);
	}

	memset(&d, 0x5a, sizeof d);
	assert_int_equal(sockstate_state_describe(SOCKSTATE_STATE_COUNT, "en", &d),
	                 SOCKSTATE_EINVAL);
	assert_null(d.meaning);
	assert_int_equal(sockstate_state_describe((sockstate_state)-1, "es", &d),
	                 SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_state_describe(SOCKSTATE_LISTEN, "en", NULL),
	                 SOCKSTATE_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_name),
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_every_row_parses),
		cmocka_unit_test(test_every_coded_row_is_native),
		cmocka_unit_test(test_no_spelling_means_two_states),
		cmocka_unit_test(test_known_spellings),
		cmocka_unit_test(test_native_state),
		cmocka_unit_test(test_native_names_parse_back),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_parse_n),
		cmocka_unit_test(test_states_parse),
		cmocka_unit_test(test_describe_every_state),
		cmocka_unit_test(test_describe_lang),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
