/* test_writers.c - the output writers: exact bytes of every format for
 * hand-built snapshots and counts, the same bytes whatever the buffer size,
 * sink errors, argument checks, and the text helpers underneath.
 *
 * Set SOCKSTATE_TEST_JSON_DIR to a directory to also save every JSON
 * document written here (tests/unit/validate_schema.py checks them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "write_sink.h"
#include "writer_internal.h"

static sockstate_write_opts opts(sockstate_format f, uint32_t flags, int32_t port)
{
	sockstate_write_opts o;
	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.format = f;
	o.flags = flags;
	o.port = port;
	return o;
}

/* Buffer sizes every output is also written with: the smallest allowed,
 * odd ones that split numbers and escapes, and a medium one. */
static const size_t small_caps[] = {SOCKSTATE__OUT_RESERVE, 65, 97, 1000};

static sockstate__out *out_new(struct sink *k, size_t cap)
{
	sockstate__out *out = malloc(sizeof *out);
	assert_non_null(out);
	sockstate__out_init(out, sink_write, k);
	out->cap = cap;
	return out;
}

/* Write snap through the public call, then through every small buffer;
 * all must give the same bytes. Returns them (free it). */
static char *render(const sockstate_snapshot *snap, sockstate_format f,
                    uint32_t flags, int32_t port)
{
	sockstate_write_opts o = opts(f, flags, port);
	struct sink k = {0};
	assert_int_equal(sockstate_snapshot_write(snap, &o, sink_write, &k), 0);
	assert_non_null(k.data);
	for (size_t i = 0; i < sizeof small_caps / sizeof small_caps[0]; i++) {
		struct sink small = {0};
		sockstate__out *out = out_new(&small, small_caps[i]);
		assert_int_equal(sockstate__snapshot_write_out(snap, &o, out), 0);
		assert_true(small.max_chunk <= small_caps[i]);
		assert_int_equal(small.len, k.len);
		assert_memory_equal(small.data, k.data, k.len);
		free(out);
		sink_reset(&small);
	}
	return k.data;
}

static char *render_counts(const sockstate_counts *c, const sockstate_sysinfo *sys,
                           const char *backend, sockstate_format f, uint32_t flags)
{
	sockstate_write_opts o = opts(f, flags, -1);
	struct sink k = {0};
	assert_int_equal(sockstate_counts_write(c, sys, backend, &o, sink_write, &k), 0);
	assert_non_null(k.data);
	for (size_t i = 0; i < sizeof small_caps / sizeof small_caps[0]; i++) {
		struct sink small = {0};
		sockstate__out *out = out_new(&small, small_caps[i]);
		assert_int_equal(sockstate__counts_write_out(c, sys, backend, &o, out), 0);
		assert_int_equal(small.len, k.len);
		assert_memory_equal(small.data, k.data, k.len);
		free(out);
		sink_reset(&small);
	}
	return k.data;
}

/* ---- the hand-built snapshot ---- */

enum { NREC = 5 };
static const int32_t pids_r0[] = {1234};
static const int32_t pids_r1[] = {1240, 1250};
static const int32_t pids_r4[] = {4321};

static void set_addr(sockstate_endpoint *ep, const char *hex16, uint16_t port)
{
	/* hex16: 32 hex digits, or 8 for IPv4 */
	memset(ep, 0, sizeof *ep);
	for (size_t i = 0; hex16[2 * i] != '\0'; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex16 + 2 * i, "%2x", &v), 1);
		ep->addr[i] = (uint8_t)v;
	}
	ep->port = port;
}

static void record(sockstate_socket *s, uint8_t family, sockstate_state state,
                   int32_t code, const char *native)
{
	memset(s, 0, sizeof *s);
	s->size = sizeof *s;
	s->family = family;
	s->state = (uint8_t)state;
	s->native_code = code;
	s->native_name = native;
	s->pid = -1;
	s->uid = -1;
}

static void make_snapshot(sockstate_snapshot *snap, sockstate_socket *r)
{
	sockstate_socket *s;

	s = &r[0]; /* IPv4 listener, one owner */
	record(s, SOCKSTATE_FAMILY_IPV4, SOCKSTATE_LISTEN, 10, "LISTEN");
	set_addr(&s->local, "7f000001", 22);
	set_addr(&s->remote, "00000000", 0);
	s->valid = SOCKSTATE_HAS_PID | SOCKSTATE_HAS_PROCESS | SOCKSTATE_HAS_UID |
	           SOCKSTATE_HAS_INODE | SOCKSTATE_HAS_QUEUES;
	s->pid = 1234, s->pid_count = 1, s->pids = pids_r0, s->process = "sshd";
	s->uid = 0, s->inode = 12345, s->rx_queue = 0, s->tx_queue = 128;

	s = &r[1]; /* IPv6, two owners, a name with a quote and a newline */
	record(s, SOCKSTATE_FAMILY_IPV6, SOCKSTATE_ESTABLISHED, 1, "ESTAB");
	set_addr(&s->local, "20010db8000000000000000000000001", 443);
	set_addr(&s->remote, "20010db8000000000000000000000002", 50000);
	s->valid = SOCKSTATE_HAS_PID | SOCKSTATE_HAS_PROCESS | SOCKSTATE_HAS_UID |
	           SOCKSTATE_HAS_INODE | SOCKSTATE_HAS_QUEUES | SOCKSTATE_HAS_IFINDEX |
	           SOCKSTATE_HAS_TCP_INFO;
	s->pid = 1240, s->pid_count = 2, s->pids = pids_r1, s->process = "ngi\"nx\n";
	s->uid = 33, s->inode = 2222, s->rx_queue = 5, s->tx_queue = 7, s->ifindex = 3;
	s->rtt_us = 1500, s->rttvar_us = 250, s->snd_cwnd = 10, s->total_retrans = 2;

	s = &r[2]; /* IPv4-mapped, nothing known but the endpoints */
	record(s, SOCKSTATE_FAMILY_IPV6, SOCKSTATE_TIME_WAIT, 6, "TIME-WAIT");
	set_addr(&s->local, "00000000000000000000ffffc0000201", 8080);
	set_addr(&s->remote, "00000000000000000000ffffc6336407", 40000);

	s = &r[3]; /* link-local with a zone no interface has; a name with
	              UTF-8, an invalid byte, a control character and a comma */
	record(s, SOCKSTATE_FAMILY_IPV6, SOCKSTATE_CLOSE_WAIT, 8, "CLOSE-WAIT");
	set_addr(&s->local, "fe800000000000000000000000000001", 22);
	set_addr(&s->remote, "fe800000000000000000000000000002", 1000);
	s->local.scope_id = s->remote.scope_id = 999999;
	s->valid = SOCKSTATE_HAS_PID | SOCKSTATE_HAS_PROCESS | SOCKSTATE_HAS_UID |
	           SOCKSTATE_HAS_INODE | SOCKSTATE_HAS_QUEUES;
	s->pid = 77, s->pid_count = 1, s->pids = NULL; /* pid only, no list */
	s->process = "caf\xc3\xa9\xff\x01,x";
	s->uid = 1000, s->inode = 77777;

	s = &r[4]; /* pid known, process name not */
	record(s, SOCKSTATE_FAMILY_IPV4, SOCKSTATE_SYN_SENT, 2, "SYN-SENT");
	set_addr(&s->local, "0a000005", 51000);
	set_addr(&s->remote, "c0000250", 80);
	s->valid = SOCKSTATE_HAS_PID | SOCKSTATE_HAS_UID | SOCKSTATE_HAS_INODE |
	           SOCKSTATE_HAS_QUEUES;
	s->pid = 4321, s->pid_count = 1, s->pids = pids_r4;
	s->uid = 1000, s->inode = 5, s->rx_queue = 0, s->tx_queue = 1;

	memset(snap, 0, sizeof *snap);
	snap->size = sizeof *snap;
	snap->count = NREC;
	snap->sockets = r;
	snap->backend = "linux-netlink";
	snap->pid_source = "procfs";
	snap->query_flags = SOCKSTATE_Q_PIDS;
	strcpy(snap->sys.host, "web-1");
	strcpy(snap->sys.os_name, "Linux");
	strcpy(snap->sys.os_release, "6.1.0-13-amd64");
	strcpy(snap->sys.os_version, "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)");
	strcpy(snap->sys.machine, "x86_64");
	snap->sys.taken_at = 1795532400; /* 2026-11-24T15:00:00Z */
}

/* ---- table ---- */

static void test_table_snapshot(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);

	char *t = render(&snap, SOCKSTATE_FORMAT_TABLE, 0, -1);
	assert_string_equal(t,
		"State        Native       Recv-Q Send-Q Local Address:Port                              Peer Address:Port\n"
		"LISTEN       LISTEN       0      128    127.0.0.1:22                                    0.0.0.0:0\n"
		"ESTABLISHED  ESTAB        5      7      [2001:db8::1]:443                               [2001:db8::2]:50000\n"
		"TIME_WAIT    TIME-WAIT    -      -      [::ffff:192.0.2.1]:8080                         [::ffff:198.51.100.7]:40000\n"
		"CLOSE_WAIT   CLOSE-WAIT   0      0      [fe80::1%999999]:22                             [fe80::2%999999]:1000\n"
		"SYN_SENT     SYN-SENT     0      1      10.0.0.5:51000                                  192.0.2.80:80\n");
	free(t);

	t = render(&snap, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_PIDS | SOCKSTATE_W_NO_HEADER, -1);
	assert_string_equal(t,
		"LISTEN       LISTEN       0      128    127.0.0.1:22                                    0.0.0.0:0                                       1234     sshd\n"
		"ESTABLISHED  ESTAB        5      7      [2001:db8::1]:443                               [2001:db8::2]:50000                             1240,1250 ngi\"nx?\n"
		"TIME_WAIT    TIME-WAIT    -      -      [::ffff:192.0.2.1]:8080                         [::ffff:198.51.100.7]:40000                     -        -\n"
		"CLOSE_WAIT   CLOSE-WAIT   0      0      [fe80::1%999999]:22                             [fe80::2%999999]:1000                           77       caf\xc3\xa9??,x\n"
		"SYN_SENT     SYN-SENT     0      1      10.0.0.5:51000                                  192.0.2.80:80                                   4321     -\n");
	free(t);

	t = render(&snap, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_PIDS, -1);
	const char *header =
		"State        Native       Recv-Q Send-Q Local Address:Port                              Peer Address:Port                               Pid      Process\n";
	assert_memory_equal(t, header, strlen(header));
	free(t);
}

/* Timers as Linux reports them, one of each kind, and one unknown. */
static void set_timers(sockstate_socket *r)
{
	static const struct {
		uint8_t timer, retransmits;
		uint32_t expires_ms;
	} t[NREC] = {
		{SOCKSTATE_TIMER_OFF, 0, 0},
		{SOCKSTATE_TIMER_KEEPALIVE, 0, 7500},
		{SOCKSTATE_TIMER_TIME_WAIT, 0, 48000},
		{SOCKSTATE_TIMER_RETRANSMIT, 3, 125000},
		{SOCKSTATE_TIMER_PROBE, 1, 50},
	};
	for (size_t i = 0; i + 1 < NREC; i++) {
		r[i].valid |= SOCKSTATE_HAS_TIMER;
		r[i].timer = t[i].timer;
		r[i].retransmits = t[i].retransmits;
		r[i].expires_ms = t[i].expires_ms;
	}
	/* The last one's backend has no timers. */
}

static void test_timers(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);
	set_timers(r);

	assert_string_equal(sockstate_timer_name(SOCKSTATE_TIMER_TIME_WAIT), "time_wait");
	assert_string_equal(sockstate_timer_name(SOCKSTATE_TIMER_RETRANSMIT), "retransmit");
	assert_null(sockstate_timer_name(5));
	assert_null(sockstate_timer_name(-1));

	/* As ss -o words them: timer:(timewait,48sec,0) without the wrapper. */
	char *t = render(&snap, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_TIMERS, -1);
	assert_string_equal(t,
		"State        Native       Recv-Q Send-Q Local Address:Port                              Peer Address:Port                               Timer\n"
		"LISTEN       LISTEN       0      128    127.0.0.1:22                                    0.0.0.0:0                                       off\n"
		"ESTABLISHED  ESTAB        5      7      [2001:db8::1]:443                               [2001:db8::2]:50000                             keepalive,7.500ms,0\n"
		"TIME_WAIT    TIME-WAIT    -      -      [::ffff:192.0.2.1]:8080                         [::ffff:198.51.100.7]:40000                     timewait,48sec,0\n"
		"CLOSE_WAIT   CLOSE-WAIT   0      0      [fe80::1%999999]:22                             [fe80::2%999999]:1000                           on,2min5sec,3\n"
		"SYN_SENT     SYN-SENT     0      1      10.0.0.5:51000                                  192.0.2.80:80                                   -\n");
	free(t);

	r[4].valid |= SOCKSTATE_HAS_TIMER;
	r[4].timer = SOCKSTATE_TIMER_PROBE, r[4].retransmits = 1, r[4].expires_ms = 50;
	t = render(&snap, SOCKSTATE_FORMAT_TABLE,
	           SOCKSTATE_W_TIMERS | SOCKSTATE_W_PIDS | SOCKSTATE_W_NO_HEADER, -1);
	assert_string_equal(t,
		"LISTEN       LISTEN       0      128    127.0.0.1:22                                    0.0.0.0:0                                       1234     sshd             off\n"
		"ESTABLISHED  ESTAB        5      7      [2001:db8::1]:443                               [2001:db8::2]:50000                             1240,1250 ngi\"nx?          keepalive,7.500ms,0\n"
		"TIME_WAIT    TIME-WAIT    -      -      [::ffff:192.0.2.1]:8080                         [::ffff:198.51.100.7]:40000                     -        -                timewait,48sec,0\n"
		"CLOSE_WAIT   CLOSE-WAIT   0      0      [fe80::1%999999]:22                             [fe80::2%999999]:1000                           77       caf\xc3\xa9??,x         on,2min5sec,3\n"
		"SYN_SENT     SYN-SENT     0      1      10.0.0.5:51000                                  192.0.2.80:80                                   4321     -                persist,050ms,1\n");
	free(t);
	r[4].valid &= ~(uint32_t)SOCKSTATE_HAS_TIMER;

	t = render(&snap, SOCKSTATE_FORMAT_CSV, SOCKSTATE_W_TIMERS, -1);
	assert_string_equal(t,
		"family,state,native_state,native_code,local_address,local_port,"
		"remote_address,remote_port,rx_queue,tx_queue,uid,inode,"
		"timer,timer_expires_ms,timer_retransmits\r\n"
		"ipv4,LISTEN,LISTEN,10,127.0.0.1,22,0.0.0.0,0,0,128,0,12345,off,0,0\r\n"
		"ipv6,ESTABLISHED,ESTAB,1,2001:db8::1,443,2001:db8::2,50000,5,7,33,2222,keepalive,7500,0\r\n"
		"ipv6,TIME_WAIT,TIME-WAIT,6,::ffff:192.0.2.1,8080,::ffff:198.51.100.7,40000,,,,,time_wait,48000,0\r\n"
		"ipv6,CLOSE_WAIT,CLOSE-WAIT,8,fe80::1%999999,22,fe80::2%999999,1000,0,0,1000,77777,retransmit,125000,3\r\n"
		"ipv4,SYN_SENT,SYN-SENT,2,10.0.0.5,51000,192.0.2.80,80,0,1,1000,5,,,\r\n");
	free(t);

	/* JSON: a "timer" object per socket, null where unknown; none at all
	 * without the flag. */
	t = render(&snap, SOCKSTATE_FORMAT_JSON, SOCKSTATE_W_TIMERS, -1);
	assert_non_null(strstr(t, "\"tx_queue\":128,\"timer\":{\"kind\":\"off\","
	                          "\"expires_ms\":0,\"retransmits\":0}}"));
	assert_non_null(strstr(t, "\"total_retrans\":2},\"timer\":{\"kind\":\"keepalive\","
	                          "\"expires_ms\":7500,\"retransmits\":0}}"));
	assert_non_null(strstr(t, "\"timer\":{\"kind\":\"time_wait\",\"expires_ms\":48000,"
	                          "\"retransmits\":0}}"));
	assert_non_null(strstr(t, "\"tx_queue\":1,\"timer\":null}"));
	save_json("snapshot_timers", t);
	free(t);
	t = render(&snap, SOCKSTATE_FORMAT_JSON, 0, -1);
	assert_null(strstr(t, "\"timer\""));
	free(t);
}

static void test_table_overflow_keeps_a_space(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r); /* for the facts; the one record is ours */
	record(&r[0], SOCKSTATE_FAMILY_IPV6, SOCKSTATE_SYN_RECEIVED, 4, "SYN_RECEIVED");
	set_addr(&r[0].local, "ffffffffffffffffffffffffffffffff", 65535);
	set_addr(&r[0].remote, "fe80ffffffffffffffffffffffffffff", 65535);
	r[0].remote.scope_id = 999999;
	r[0].valid = SOCKSTATE_HAS_QUEUES;
	r[0].rx_queue = 4294967295u;
	r[0].tx_queue = 1234567;
	snap.count = 1;
	char *t = render(&snap, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_NO_HEADER, -1);
	assert_string_equal(t,
		"SYN_RECEIVED SYN_RECEIVED 4294967295 1234567 "
		"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535 "
		"[fe80:ffff:ffff:ffff:ffff:ffff:ffff:ffff%999999]:65535\n");
	free(t);
}

static void test_table_empty_process_name(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);
	r[0].process = "";
	snap.count = 1;
	char *t = render(&snap, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_PIDS | SOCKSTATE_W_NO_HEADER, -1);
	assert_string_equal(t,
		"LISTEN       LISTEN       0      128    127.0.0.1:22                                    0.0.0.0:0                                       1234     -\n");
	free(t);
}

static sockstate_counts sample_counts(void)
{
	sockstate_counts c;
	memset(&c, 0, sizeof c);
	c.size = sizeof c;
	c.by_family_state[0][SOCKSTATE_LISTEN] = 3;
	c.by_family_state[1][SOCKSTATE_LISTEN] = 2;
	c.by_family_state[0][SOCKSTATE_ESTABLISHED] = 10;
	c.by_family_state[1][SOCKSTATE_TIME_WAIT] = 1;
	c.by_family_state[0][SOCKSTATE_UNKNOWN] = 1;
	for (int s = 0; s < SOCKSTATE_STATE_COUNT; s++) {
		c.by_state[s] = c.by_family_state[0][s] + c.by_family_state[1][s];
		c.total += c.by_state[s];
	}
	c.rx_queue_total = 17;
	c.tx_queue_total = 4000000000000ull;
	return c;
}

static void test_table_counts(void **unused)
{
	(void)unused;
	sockstate_counts c = sample_counts();
	char *t = render_counts(&c, NULL, NULL, SOCKSTATE_FORMAT_TABLE, 0);
	assert_string_equal(t,
		"State        Count\n"
		"CLOSED       0\n"
		"LISTEN       5\n"
		"SYN_SENT     0\n"
		"SYN_RECEIVED 0\n"
		"ESTABLISHED  10\n"
		"FIN_WAIT_1   0\n"
		"FIN_WAIT_2   0\n"
		"CLOSE_WAIT   0\n"
		"CLOSING      0\n"
		"LAST_ACK     0\n"
		"TIME_WAIT    1\n"
		"DELETE_TCB   0\n"
		"BOUND        0\n"
		"UNKNOWN      1\n"
		"TOTAL        17\n");
	free(t);
	t = render_counts(&c, NULL, NULL, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_NO_HEADER);
	assert_memory_equal(t, "CLOSED       0\n", 15);
	free(t);
}

/* ---- JSON ---- */

/* The version the header declares, as the writers print it. */
#define STR2(x) #x
#define STR(x) STR2(x)
#define VERSION STR(SOCKSTATE_VERSION_MAJOR) "." STR(SOCKSTATE_VERSION_MINOR) "." \
	STR(SOCKSTATE_VERSION_PATCH)

#define JSON_HEAD                                                               \
	"{\"schema\":\"sockstate/1\",\n"                                          \
	" \"host\":\"web-1\",\n"                                                  \
	" \"os\":{\"name\":\"Linux\",\"release\":\"6.1.0-13-amd64\","             \
	"\"version\":\"#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)\","    \
	"\"machine\":\"x86_64\"},\n"                                              \
	" \"backend\":\"linux-netlink\",\n"                                       \
	" \"library_version\":\"" VERSION "\",\n"                  \
	" \"taken_at\":\"2026-11-24T15:00:00Z\",\n"


static void test_json_snapshot(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);
	assert_string_equal(sockstate_version(), VERSION);

	char *t = render(&snap, SOCKSTATE_FORMAT_JSON, 0, -1);
	assert_string_equal(t,
		JSON_HEAD
		" \"pid_source\":\"procfs\",\n"
		" \"total\":5,\n"
		" \"counts\":{\"LISTEN\":1,\"SYN_SENT\":1,\"ESTABLISHED\":1,\"CLOSE_WAIT\":1,\"TIME_WAIT\":1},\n"
		" \"sockets\":[\n"
		"  {\"family\":\"ipv4\",\"local\":{\"address\":\"127.0.0.1\",\"port\":22},"
		"\"remote\":{\"address\":\"0.0.0.0\",\"port\":0},\"state\":\"LISTEN\","
		"\"native_state\":{\"code\":10,\"name\":\"LISTEN\"},\"pid\":1234,\"pids\":[1234],"
		"\"process\":\"sshd\",\"uid\":0,\"inode\":12345,\"rx_queue\":0,\"tx_queue\":128},\n"
		"  {\"family\":\"ipv6\",\"local\":{\"address\":\"2001:db8::1\",\"port\":443},"
		"\"remote\":{\"address\":\"2001:db8::2\",\"port\":50000},\"state\":\"ESTABLISHED\","
		"\"native_state\":{\"code\":1,\"name\":\"ESTAB\"},\"pid\":1240,\"pids\":[1240,1250],"
		"\"process\":\"ngi\\\"nx\\n\",\"uid\":33,\"inode\":2222,\"rx_queue\":5,\"tx_queue\":7,"
		"\"interface\":3,\"tcp_info\":{\"rtt_us\":1500,\"rttvar_us\":250,\"snd_cwnd\":10,"
		"\"total_retrans\":2}},\n"
		"  {\"family\":\"ipv6\",\"local\":{\"address\":\"::ffff:192.0.2.1\",\"port\":8080},"
		"\"remote\":{\"address\":\"::ffff:198.51.100.7\",\"port\":40000},\"state\":\"TIME_WAIT\","
		"\"native_state\":{\"code\":6,\"name\":\"TIME-WAIT\"},\"pid\":null,\"pids\":[],"
		"\"process\":null,\"uid\":null,\"inode\":null,\"rx_queue\":null,\"tx_queue\":null},\n"
		"  {\"family\":\"ipv6\",\"local\":{\"address\":\"fe80::1%999999\",\"port\":22},"
		"\"remote\":{\"address\":\"fe80::2%999999\",\"port\":1000},\"state\":\"CLOSE_WAIT\","
		"\"native_state\":{\"code\":8,\"name\":\"CLOSE-WAIT\"},\"pid\":77,\"pids\":[77],"
		"\"process\":\"caf\xc3\xa9\\ufffd\\u0001,x\",\"uid\":1000,\"inode\":77777,"
		"\"rx_queue\":0,\"tx_queue\":0},\n"
		"  {\"family\":\"ipv4\",\"local\":{\"address\":\"10.0.0.5\",\"port\":51000},"
		"\"remote\":{\"address\":\"192.0.2.80\",\"port\":80},\"state\":\"SYN_SENT\","
		"\"native_state\":{\"code\":2,\"name\":\"SYN-SENT\"},\"pid\":4321,\"pids\":[4321],"
		"\"process\":null,\"uid\":1000,\"inode\":5,\"rx_queue\":0,\"tx_queue\":1}\n"
		" ]}\n");
	save_json("snapshot", t);
	free(t);
}

static void test_json_without_pids_or_facts(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);
	/* Not asked for pids: no "pids" key, pid_source null. Empty facts
	 * and an unknown time are null. */
	snap.query_flags = 0;
	snap.pid_source = NULL;
	snap.count = 1;
	snap.sys.host[0] = '\0';
	snap.sys.os_version[0] = '\0';
	snap.sys.taken_at = 0;
	r[0].valid = SOCKSTATE_HAS_QUEUES;
	char *t = render(&snap, SOCKSTATE_FORMAT_JSON, SOCKSTATE_W_PIDS, -1);
	assert_string_equal(t,
		"{\"schema\":\"sockstate/1\",\n"
		" \"host\":null,\n"
		" \"os\":{\"name\":\"Linux\",\"release\":\"6.1.0-13-amd64\",\"version\":null,"
		"\"machine\":\"x86_64\"},\n"
		" \"backend\":\"linux-netlink\",\n"
		" \"library_version\":\"" VERSION "\",\n"
		" \"taken_at\":null,\n"
		" \"pid_source\":null,\n"
		" \"total\":1,\n"
		" \"counts\":{\"LISTEN\":1},\n"
		" \"sockets\":[\n"
		"  {\"family\":\"ipv4\",\"local\":{\"address\":\"127.0.0.1\",\"port\":22},"
		"\"remote\":{\"address\":\"0.0.0.0\",\"port\":0},\"state\":\"LISTEN\","
		"\"native_state\":{\"code\":10,\"name\":\"LISTEN\"},\"pid\":null,"
		"\"process\":null,\"uid\":null,\"inode\":null,\"rx_queue\":0,\"tx_queue\":128}\n"
		" ]}\n");
	save_json("snapshot_nopids", t);
	free(t);

	snap.count = 0;
	t = render(&snap, SOCKSTATE_FORMAT_JSON, 0, -1);
	assert_string_equal(t,
		"{\"schema\":\"sockstate/1\",\n"
		" \"host\":null,\n"
		" \"os\":{\"name\":\"Linux\",\"release\":\"6.1.0-13-amd64\",\"version\":null,"
		"\"machine\":\"x86_64\"},\n"
		" \"backend\":\"linux-netlink\",\n"
		" \"library_version\":\"" VERSION "\",\n"
		" \"taken_at\":null,\n"
		" \"pid_source\":null,\n"
		" \"total\":0,\n"
		" \"counts\":{},\n"
		" \"sockets\":[]}\n");
	save_json("snapshot_empty", t);
	free(t);
}

static void test_json_counts(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);
	sockstate_counts c = sample_counts();

	char *t = render_counts(&c, &snap.sys, "linux-proc", SOCKSTATE_FORMAT_JSON, 0);
	assert_string_equal(t,
		"{\"schema\":\"sockstate/1\",\n"
		" \"host\":\"web-1\",\n"
		" \"os\":{\"name\":\"Linux\",\"release\":\"6.1.0-13-amd64\","
		"\"version\":\"#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)\","
		"\"machine\":\"x86_64\"},\n"
		" \"backend\":\"linux-proc\",\n"
		" \"library_version\":\"" VERSION "\",\n"
		" \"taken_at\":\"2026-11-24T15:00:00Z\",\n"
		" \"pid_source\":null,\n"
		" \"total\":17,\n"
		" \"counts\":{\"CLOSED\":0,\"LISTEN\":5,\"SYN_SENT\":0,\"SYN_RECEIVED\":0,"
		"\"ESTABLISHED\":10,\"FIN_WAIT_1\":0,\"FIN_WAIT_2\":0,\"CLOSE_WAIT\":0,"
		"\"CLOSING\":0,\"LAST_ACK\":0,\"TIME_WAIT\":1,\"DELETE_TCB\":0,\"BOUND\":0,"
		"\"UNKNOWN\":1}}\n");
	save_json("counts", t);
	free(t);

	t = render_counts(&c, NULL, NULL, SOCKSTATE_FORMAT_JSON, 0);
	assert_string_equal(t,
		"{\"schema\":\"sockstate/1\",\n"
		" \"host\":null,\n"
		" \"os\":null,\n"
		" \"backend\":null,\n"
		" \"library_version\":\"" VERSION "\",\n"
		" \"taken_at\":null,\n"
		" \"pid_source\":null,\n"
		" \"total\":17,\n"
		" \"counts\":{\"CLOSED\":0,\"LISTEN\":5,\"SYN_SENT\":0,\"SYN_RECEIVED\":0,"
		"\"ESTABLISHED\":10,\"FIN_WAIT_1\":0,\"FIN_WAIT_2\":0,\"CLOSE_WAIT\":0,"
		"\"CLOSING\":0,\"LAST_ACK\":0,\"TIME_WAIT\":1,\"DELETE_TCB\":0,\"BOUND\":0,"
		"\"UNKNOWN\":1}}\n");
	save_json("counts_nosys", t);
	free(t);
}

/* ---- CSV ---- */

static void test_csv_snapshot(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);

	char *t = render(&snap, SOCKSTATE_FORMAT_CSV, 0, -1);
	assert_string_equal(t,
		"family,state,native_state,native_code,local_address,local_port,"
		"remote_address,remote_port,rx_queue,tx_queue,uid,inode\r\n"
		"ipv4,LISTEN,LISTEN,10,127.0.0.1,22,0.0.0.0,0,0,128,0,12345\r\n"
		"ipv6,ESTABLISHED,ESTAB,1,2001:db8::1,443,2001:db8::2,50000,5,7,33,2222\r\n"
		"ipv6,TIME_WAIT,TIME-WAIT,6,::ffff:192.0.2.1,8080,::ffff:198.51.100.7,40000,,,,\r\n"
		"ipv6,CLOSE_WAIT,CLOSE-WAIT,8,fe80::1%999999,22,fe80::2%999999,1000,0,0,1000,77777\r\n"
		"ipv4,SYN_SENT,SYN-SENT,2,10.0.0.5,51000,192.0.2.80,80,0,1,1000,5\r\n");
	free(t);

	t = render(&snap, SOCKSTATE_FORMAT_CSV, SOCKSTATE_W_PIDS, -1);
	assert_string_equal(t,
		"family,state,native_state,native_code,local_address,local_port,"
		"remote_address,remote_port,rx_queue,tx_queue,uid,inode,pid,process,pids\r\n"
		"ipv4,LISTEN,LISTEN,10,127.0.0.1,22,0.0.0.0,0,0,128,0,12345,1234,sshd,1234\r\n"
		"ipv6,ESTABLISHED,ESTAB,1,2001:db8::1,443,2001:db8::2,50000,5,7,33,2222,"
		"1240,\"ngi\"\"nx\n\",1240 1250\r\n"
		"ipv6,TIME_WAIT,TIME-WAIT,6,::ffff:192.0.2.1,8080,::ffff:198.51.100.7,40000,,,,,,,\r\n"
		"ipv6,CLOSE_WAIT,CLOSE-WAIT,8,fe80::1%999999,22,fe80::2%999999,1000,0,0,1000,77777,"
		"77,\"caf\xc3\xa9\xef\xbf\xbd\x01,x\",77\r\n"
		"ipv4,SYN_SENT,SYN-SENT,2,10.0.0.5,51000,192.0.2.80,80,0,1,1000,5,4321,,4321\r\n");
	free(t);

	snap.count = 1;
	t = render(&snap, SOCKSTATE_FORMAT_CSV, SOCKSTATE_W_NO_HEADER, -1);
	assert_string_equal(t, "ipv4,LISTEN,LISTEN,10,127.0.0.1,22,0.0.0.0,0,0,128,0,12345\r\n");
	free(t);
}

static void test_csv_counts(void **unused)
{
	(void)unused;
	sockstate_counts c = sample_counts();
	char *t = render_counts(&c, NULL, NULL, SOCKSTATE_FORMAT_CSV, 0);
	assert_string_equal(t,
		"state,ipv4,ipv6,total\r\n"
		"CLOSED,0,0,0\r\n"
		"LISTEN,3,2,5\r\n"
		"SYN_SENT,0,0,0\r\n"
		"SYN_RECEIVED,0,0,0\r\n"
		"ESTABLISHED,10,0,10\r\n"
		"FIN_WAIT_1,0,0,0\r\n"
		"FIN_WAIT_2,0,0,0\r\n"
		"CLOSE_WAIT,0,0,0\r\n"
		"CLOSING,0,0,0\r\n"
		"LAST_ACK,0,0,0\r\n"
		"TIME_WAIT,0,1,1\r\n"
		"DELETE_TCB,0,0,0\r\n"
		"BOUND,0,0,0\r\n"
		"UNKNOWN,1,0,1\r\n");
	free(t);
}

/* ---- Prometheus ---- */

static const char prom_states[][13] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
	"FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT", "DELETE_TCB",
	"BOUND", "UNKNOWN",
};

/* Expected exposition, built line by line from the rule "every family x
 * every state, in this order", with the values that differ from 0. */
static char *prom_expected(const uint64_t v[2][SOCKSTATE_STATE_COUNT], uint64_t rx,
                           uint64_t tx, int port, const uint64_t pv[2][SOCKSTATE_STATE_COUNT],
                           const char *backend)
{
	size_t cap = 16384, n = 0;
	char *e = malloc(cap);
	assert_non_null(e);
	n += (size_t)snprintf(e + n, cap - n,
		"# HELP sockstate_tcp_sockets TCP sockets by address family and normalized state.\n"
		"# TYPE sockstate_tcp_sockets gauge\n");
	for (int f = 0; f < 2; f++)
		for (int i = 0; i < SOCKSTATE_STATE_COUNT; i++)
			n += (size_t)snprintf(e + n, cap - n,
				"sockstate_tcp_sockets{family=\"%s\",state=\"%s\"} %llu\n",
				f == 0 ? "ipv4" : "ipv6", prom_states[i],
				(unsigned long long)v[f][i]);
	n += (size_t)snprintf(e + n, cap - n,
		"# HELP sockstate_tcp_receive_queue_bytes Bytes received and not yet read, "
		"summed over the listed TCP sockets (listening sockets excluded).\n"
		"# TYPE sockstate_tcp_receive_queue_bytes gauge\n"
		"sockstate_tcp_receive_queue_bytes %llu\n"
		"# HELP sockstate_tcp_send_queue_bytes Bytes sent and not yet acknowledged, "
		"summed over the listed TCP sockets (listening sockets excluded).\n"
		"# TYPE sockstate_tcp_send_queue_bytes gauge\n"
		"sockstate_tcp_send_queue_bytes %llu\n",
		(unsigned long long)rx, (unsigned long long)tx);
	if (port >= 0) {
		n += (size_t)snprintf(e + n, cap - n,
			"# HELP sockstate_tcp_port_sockets TCP sockets whose local or remote "
			"port is the given port, by normalized state.\n"
			"# TYPE sockstate_tcp_port_sockets gauge\n");
		for (int side = 0; side < 2; side++)
			for (int i = 0; i < SOCKSTATE_STATE_COUNT; i++)
				n += (size_t)snprintf(e + n, cap - n,
					"sockstate_tcp_port_sockets{port=\"%d\",side=\"%s\",state=\"%s\"} %llu\n",
					port, side == 0 ? "local" : "remote", prom_states[i],
					(unsigned long long)pv[side][i]);
	}
	n += (size_t)snprintf(e + n, cap - n,
		"# HELP sockstate_info The backend and library version that produced these metrics.\n"
		"# TYPE sockstate_info gauge\n"
		"sockstate_info{backend=\"%s\",version=\"" VERSION "\"} 1\n", backend);
	assert_true(n < cap);
	return e;
}

/* Index in prom_states (the writers' order) of a state. */
static int ord(sockstate_state s)
{
	for (int i = 0; i < SOCKSTATE_STATE_COUNT; i++)
		if (strcmp(prom_states[i], sockstate_state_name(s)) == 0)
			return i;
	fail();
	return -1;
}

static void test_prometheus_counts(void **unused)
{
	(void)unused;
	sockstate_counts c = sample_counts();
	uint64_t v[2][SOCKSTATE_STATE_COUNT] = {{0}};
	v[0][ord(SOCKSTATE_LISTEN)] = 3;
	v[1][ord(SOCKSTATE_LISTEN)] = 2;
	v[0][ord(SOCKSTATE_ESTABLISHED)] = 10;
	v[1][ord(SOCKSTATE_TIME_WAIT)] = 1;
	v[0][ord(SOCKSTATE_UNKNOWN)] = 1;
	char *want = prom_expected(v, 17, 4000000000000ull, -1, NULL, "we\\ird\"\n");
	char *t = render_counts(&c, NULL, "we\\ird\"\n", SOCKSTATE_FORMAT_PROMETHEUS, 0);
	/* the backend label value comes out escaped */
	assert_non_null(strstr(t, "sockstate_info{backend=\"we\\\\ird\\\"\\n\",version=\"" VERSION "\"} 1\n"));
	/* everything before the info metric is exact */
	size_t head = (size_t)(strstr(want, "# HELP sockstate_info") - want);
	assert_memory_equal(t, want, head);
	free(t);
	free(want);

	want = prom_expected(v, 17, 4000000000000ull, -1, NULL, "");
	t = render_counts(&c, NULL, NULL, SOCKSTATE_FORMAT_PROMETHEUS, 0);
	assert_string_equal(t, want);
	free(t);
	free(want);
}

static void test_prometheus_snapshot(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);
	uint64_t v[2][SOCKSTATE_STATE_COUNT] = {{0}};
	v[0][ord(SOCKSTATE_LISTEN)] = 1;
	v[0][ord(SOCKSTATE_SYN_SENT)] = 1;
	v[1][ord(SOCKSTATE_ESTABLISHED)] = 1;
	v[1][ord(SOCKSTATE_TIME_WAIT)] = 1;
	v[1][ord(SOCKSTATE_CLOSE_WAIT)] = 1;
	/* Queues: ESTABLISHED 5/7, CLOSE_WAIT 0/0, SYN_SENT 0/1; the
	 * listener's backlog is not bytes (test_prometheus_listen_queues). */
	r[0].tx_queue = 0;
	char *want = prom_expected(v, 5, 8, -1, NULL, "linux-netlink");
	char *t = render(&snap, SOCKSTATE_FORMAT_PROMETHEUS, 0, -1);
	assert_string_equal(t, want);
	free(t);
	free(want);

	/* Port 22: the listener and the CLOSE_WAIT socket locally; port
	 * 1000 would be remote only. Flags do not matter here. */
	uint64_t pv[2][SOCKSTATE_STATE_COUNT] = {{0}};
	pv[0][ord(SOCKSTATE_LISTEN)] = 1;
	pv[0][ord(SOCKSTATE_CLOSE_WAIT)] = 1;
	want = prom_expected(v, 5, 8, 22, pv, "linux-netlink");
	t = render(&snap, SOCKSTATE_FORMAT_PROMETHEUS, SOCKSTATE_W_PIDS, 22);
	assert_string_equal(t, want);
	free(t);
	free(want);

	memset(pv, 0, sizeof pv);
	pv[1][ord(SOCKSTATE_CLOSE_WAIT)] = 1;
	want = prom_expected(v, 5, 8, 1000, pv, "linux-netlink");
	t = render(&snap, SOCKSTATE_FORMAT_PROMETHEUS, 0, 1000);
	assert_string_equal(t, want);
	free(t);
	free(want);
}

/* A listener's queues are its accept backlog and backlog limit, not
 * bytes: the byte totals leave them out (sockstate_counts_add does). */
static void test_prometheus_listen_queues(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);
	r[0].rx_queue = 3;
	r[0].tx_queue = 4096;
	snap.count = 2; /* the listener and the ESTABLISHED socket (5/7) */
	uint64_t v[2][SOCKSTATE_STATE_COUNT] = {{0}};
	v[0][ord(SOCKSTATE_LISTEN)] = 1;
	v[1][ord(SOCKSTATE_ESTABLISHED)] = 1;
	char *want = prom_expected(v, 5, 7, -1, NULL, "linux-netlink");
	char *t = render(&snap, SOCKSTATE_FORMAT_PROMETHEUS, 0, -1);
	assert_string_equal(t, want);
	free(t);
	free(want);
}

/* Every series line once, every HELP and TYPE once and before its series,
 * whatever the input. */
static void test_prometheus_series_unique(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);
	char *t = render(&snap, SOCKSTATE_FORMAT_PROMETHEUS, 0, 443);
	char *lines[256];
	size_t n = 0, series = 0;
	for (char *save = NULL, *l = strtok_r(t, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save)) {
		assert_true(n < 256);
		lines[n++] = l;
	}
	for (size_t i = 0; i < n; i++) {
		if (lines[i][0] != '#') {
			series++;
			*strrchr(lines[i], ' ') = '\0'; /* drop the value */
		}
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(lines[i], lines[j]);
	}
	/* 28 family x state, 2 queue totals, 28 port side x state, 1 info */
	assert_int_equal(series, 28 + 2 + 28 + 1);
	assert_int_equal(n, series + 2 * 5);
	free(t);
}

/* ---- sizes, sinks and errors ---- */

static void test_large_output_chunks(void **unused)
{
	(void)unused;
	enum { N = 3000 };
	sockstate_socket base[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, base);
	sockstate_socket *r = calloc(N, sizeof *r);
	assert_non_null(r);
	for (size_t i = 0; i < N; i++) {
		r[i] = base[i % NREC];
		r[i].local.port = (uint16_t)(i + 1);
	}
	snap.sockets = r;
	snap.count = N;
	static const sockstate_format formats[] = {SOCKSTATE_FORMAT_TABLE,
		SOCKSTATE_FORMAT_JSON, SOCKSTATE_FORMAT_CSV};
	for (size_t f = 0; f < 3; f++) {
		sockstate_write_opts o = opts(formats[f], SOCKSTATE_W_PIDS, -1);
		struct sink k = {0};
		assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), 0);
		assert_true(k.len > 2 * SOCKSTATE__OUT_CAP);
		assert_true(k.calls >= 3);
		assert_true(k.max_chunk <= SOCKSTATE__OUT_CAP);
		assert_true(k.max_chunk > SOCKSTATE__OUT_CAP - SOCKSTATE__OUT_RESERVE);
		char *small = render(&snap, formats[f], SOCKSTATE_W_PIDS, -1);
		assert_string_equal(small, k.data);
		free(small);
		/* one line per socket plus the header (JSON: 10 lines of head,
		 * 1 closing); the ESTABLISHED record's name holds a newline
		 * that only CSV keeps raw */
		size_t lines = 0;
		for (size_t i = 0; i < k.len; i++)
			lines += k.data[i] == '\n';
		size_t want = formats[f] == SOCKSTATE_FORMAT_JSON ? N + 11 :
		              formats[f] == SOCKSTATE_FORMAT_CSV ? N + 1 + N / NREC : N + 1;
		assert_int_equal(lines, want);
		sink_reset(&k);
	}
	free(r);
}

static void test_sink_error_stops(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);
	for (int f = SOCKSTATE_FORMAT_TABLE; f <= SOCKSTATE_FORMAT_PROMETHEUS; f++) {
		sockstate_write_opts o = opts((sockstate_format)f, 0, 80);
		/* fail on the second chunk of a small buffer */
		struct sink k = {0};
		k.fail_at = 2;
		k.fail_code = SOCKSTATE_EIO;
		sockstate__out *out = out_new(&k, SOCKSTATE__OUT_RESERVE);
		assert_int_equal(sockstate__snapshot_write_out(&snap, &o, out), SOCKSTATE_EIO);
		assert_int_equal(k.calls, 2); /* never called again */
		free(out);
		sink_reset(&k);

		/* the public call: one chunk, which fails */
		k.fail_at = 1;
		k.fail_code = SOCKSTATE_EPERM;
		assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k),
		                 SOCKSTATE_EPERM);
		assert_int_equal(k.calls, 1);
		sink_reset(&k);

		/* a positive answer is not success either */
		k.fail_at = 1;
		k.fail_code = 1;
		sockstate_counts c = sample_counts();
		assert_int_equal(sockstate_counts_write(&c, NULL, NULL, &o, sink_write, &k),
		                 SOCKSTATE_EIO);
		sink_reset(&k);
	}
}

static void test_bad_arguments(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);
	sockstate_counts c = sample_counts();
	struct sink k = {0};
	sockstate_write_opts o = opts(SOCKSTATE_FORMAT_JSON, 0, -1);

	assert_int_equal(sockstate_snapshot_write(&snap, &o, NULL, &k), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_snapshot_write(NULL, &o, sink_write, &k), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_snapshot_write(&snap, NULL, sink_write, &k), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_counts_write(NULL, NULL, NULL, &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_counts_write(&c, NULL, NULL, &o, NULL, &k), SOCKSTATE_EINVAL);

	o.size = 0; /* a zero-initialized struct: port 0 was not meant */
	assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), SOCKSTATE_EINVAL);
	o = opts((sockstate_format)4, 0, -1);
	assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_counts_write(&c, NULL, NULL, &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	o = opts(SOCKSTATE_FORMAT_PROMETHEUS, 0, 65536);
	assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), SOCKSTATE_EINVAL);
	o = opts(SOCKSTATE_FORMAT_PROMETHEUS, 0, -2);
	assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), SOCKSTATE_EINVAL);

	/* a record no format can print is refused before any output */
	o = opts(SOCKSTATE_FORMAT_TABLE, 0, -1);
	r[3].family = 3;
	assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), SOCKSTATE_EINVAL);
	r[3].family = SOCKSTATE_FAMILY_IPV6;
	r[4].state = SOCKSTATE_STATE_COUNT;
	assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), SOCKSTATE_EINVAL);
	r[4].state = SOCKSTATE_SYN_SENT;
	snap.sockets = NULL;
	assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), SOCKSTATE_EINVAL);
	assert_int_equal(k.calls, 0);

	/* and an empty, valid snapshot writes just the header */
	snap.count = 0;
	assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), 0);
	assert_int_equal(k.calls, 1);
	assert_int_equal(k.len, 106);
	sink_reset(&k);
}

static void test_format_parse(void **unused)
{
	(void)unused;
	sockstate_format f = SOCKSTATE_FORMAT_CSV;
	assert_int_equal(sockstate_format_parse("table", &f), 0);
	assert_int_equal(f, SOCKSTATE_FORMAT_TABLE);
	assert_int_equal(sockstate_format_parse("json", &f), 0);
	assert_int_equal(f, SOCKSTATE_FORMAT_JSON);
	assert_int_equal(sockstate_format_parse("csv", &f), 0);
	assert_int_equal(f, SOCKSTATE_FORMAT_CSV);
	assert_int_equal(sockstate_format_parse("prometheus", &f), 0);
	assert_int_equal(f, SOCKSTATE_FORMAT_PROMETHEUS);
	assert_int_equal(sockstate_format_parse("JSON", &f), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_format_parse("", &f), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_format_parse("jsonx", &f), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_format_parse(NULL, &f), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_format_parse("json", NULL), SOCKSTATE_EINVAL);
	assert_int_equal(f, SOCKSTATE_FORMAT_PROMETHEUS); /* untouched on error */
}

static void test_write_fd(void **unused)
{
	(void)unused;
	FILE *f = tmpfile();
	assert_non_null(f);
	int fd = fileno(f);
	static char big[300000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	assert_int_equal(sockstate_write_fd(&fd, big, sizeof big), 0);
	assert_int_equal(sockstate_write_fd(&fd, "end", 3), 0);
	assert_int_equal(sockstate_write_fd(&fd, "", 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	static char back[sizeof big + 10];
	size_t got = 0;
	ssize_t n;
	while ((n = read(fd, back + got, sizeof back - got)) > 0)
		got += (size_t)n;
	assert_int_equal(got, sizeof big + 3);
	assert_memory_equal(back, big, sizeof big);
	assert_memory_equal(back + sizeof big, "end", 3);
	fclose(f);

	int bad = -1;
	assert_int_equal(sockstate_write_fd(&bad, "x", 1), SOCKSTATE_EIO);
	assert_int_equal(sockstate_write_fd(NULL, "x", 1), SOCKSTATE_EINVAL);
}

/* ---- helpers underneath ---- */

static void test_numbers(void **unused)
{
	(void)unused;
	char buf[32];
	assert_int_equal(sockstate__fmt_u64(buf, 0), 1);
	assert_memory_equal(buf, "0", 1);
	assert_int_equal(sockstate__fmt_u64(buf, UINT64_MAX), 20);
	assert_memory_equal(buf, "18446744073709551615", 20);
	assert_int_equal(sockstate__fmt_i64(buf, -1), 2);
	assert_memory_equal(buf, "-1", 2);
	assert_int_equal(sockstate__fmt_i64(buf, INT64_MIN), 20);
	assert_memory_equal(buf, "-9223372036854775808", 20);
	assert_int_equal(sockstate__fmt_i64(buf, INT64_MAX), 19);
	assert_memory_equal(buf, "9223372036854775807", 19);
	assert_int_equal(sockstate__fmt_u64(buf, 1000000), 7);
	assert_memory_equal(buf, "1000000", 7);
}

static void test_iso8601(void **unused)
{
	(void)unused;
	char buf[32];
	assert_int_equal(sockstate__fmt_iso8601(buf, 1795532400), 20);
	assert_string_equal(buf, "2026-11-24T15:00:00Z");
	assert_int_equal(sockstate__fmt_iso8601(buf, 1), 20);
	assert_string_equal(buf, "1970-01-01T00:00:01Z");
	assert_int_equal(sockstate__fmt_iso8601(buf, 951782400), 20);
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	assert_int_equal(sockstate__fmt_iso8601(buf, 4107542399), 20);
	assert_string_equal(buf, "2100-02-28T23:59:59Z");
	assert_int_equal(sockstate__fmt_iso8601(buf, 4107542400), 20);
	assert_string_equal(buf, "2100-03-01T00:00:00Z"); /* 2100 is no leap year */
	assert_int_equal(sockstate__fmt_iso8601(buf, INT64_C(253402300799)), 20);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	assert_int_equal(sockstate__fmt_iso8601(buf, INT64_C(253402300800)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sockstate__fmt_iso8601(buf, 0), 0);
	assert_int_equal(sockstate__fmt_iso8601(buf, -86400), 0);
	assert_int_equal(sockstate__fmt_iso8601(buf, INT64_MAX), 0);

	/* against the C library over four centuries, in odd steps */
	for (int64_t t = 1; t < INT64_C(12700000000); t += 7777777) {
		time_t tt = (time_t)t;
		struct tm tm;
		char want[32];
		assert_non_null(gmtime_r(&tt, &tm));
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
		assert_int_equal(sockstate__fmt_iso8601(buf, t), 20);
		assert_string_equal(buf, want);
	}
}

static void test_utf8_seq(void **unused)
{
	(void)unused;
	static const struct {
		const char *bytes;
		size_t n;
		int want;
	} cases[] = {
		{"a", 1, 1},
		{"\xc3\xa9", 2, 2},             /* é */
		{"\xe2\x82\xac", 3, 3},         /* € */
		{"\xf0\x9f\x98\x80", 4, 4},     /* U+1F600 */
		{"\xf4\x8f\xbf\xbf", 4, 4},     /* U+10FFFF */
		{"\xef\xbf\xbd", 3, 3},         /* U+FFFD itself */
		{"\x80", 1, -1},                /* stray continuation */
		{"\xbf\x80", 2, -1},
		{"\xc0\xaf", 2, -1},            /* overlong '/' */
		{"\xc1\xbf", 2, -1},
		{"\xe0\x80\xaf", 3, -1},        /* overlong, 3 bytes */
		{"\xed\xa0\x80", 3, -1},        /* surrogate D800 */
		{"\xf0\x80\x80\xaf", 4, -1},    /* overlong, 4 bytes */
		{"\xf4\x90\x80\x80", 4, -1},    /* above U+10FFFF */
		{"\xf5\x80\x80\x80", 4, -1},
		{"\xff", 1, -1},
		{"\xc3", 1, -1},                /* cut short */
		{"\xc3" "a", 2, -1},
		{"\xe2\x82", 2, -2},            /* cut short after a good byte */
		{"\xe2\x82" "a", 3, -2},
		{"\xf0\x9f\x98", 3, -3},
		{"\xf0\x9f\x98" "a", 4, -3},
		{"\xf0\x9f" "a", 3, -2},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(sockstate__utf8_seq((const unsigned char *)cases[i].bytes,
		                                     cases[i].n), cases[i].want);
}

typedef void (*str_fn)(sockstate__out *, const char *);

static char *via(str_fn fn, const char *s)
{
	struct sink k = {0};
	sockstate__out *out = out_new(&k, SOCKSTATE__OUT_RESERVE);
	fn(out, s);
	assert_int_equal(sockstate__out_finish(out), 0);
	free(out);
	if (k.data == NULL)
		return calloc(1, 1);
	return k.data;
}

static void assert_via(str_fn fn, const char *in, const char *want)
{
	char *got = via(fn, in);
	assert_string_equal(got, want);
	free(got);
}

static void text_str(sockstate__out *out, const char *s)
{
	sockstate__out_text_str(out, s);
}

static void test_json_str(void **unused)
{
	(void)unused;
	str_fn j = sockstate__out_json_str;
	assert_via(j, NULL, "null");
	assert_via(j, "", "\"\"");
	assert_via(j, "plain", "\"plain\"");
	assert_via(j, "a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	assert_via(j, "\b\f\n\r\t\x01\x1f\x7f", "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"");
	assert_via(j, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	           "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* one \ufffd per maximal ill-formed subpart, as Python's "replace" */
	assert_via(j, "a\xff" "b", "\"a\\ufffdb\"");
	assert_via(j, "\xe2\x82" "x", "\"\\ufffdx\"");
	assert_via(j, "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	assert_via(j, "\xc0\xaf", "\"\\ufffd\\ufffd\"");
	assert_via(j, "end\xf0\x9f\x98", "\"end\\ufffd\"");
	/* a long string crosses many 64-byte flushes intact */
	char longs[1000];
	memset(longs, 'x', sizeof longs - 1);
	longs[sizeof longs - 1] = '\0';
	longs[500] = '"';
	char *got = via(j, longs);
	assert_int_equal(strlen(got), 1000 + 2);
	assert_memory_equal(got + 501, "\\\"", 2);
	free(got);
}

static void test_csv_str(void **unused)
{
	(void)unused;
	str_fn c = sockstate__out_csv_str;
	assert_via(c, NULL, "");
	assert_via(c, "", "");
	assert_via(c, "sshd", "sshd");
	assert_via(c, "a b", "a b");
	assert_via(c, "a,b", "\"a,b\"");
	assert_via(c, "say \"hi\"", "\"say \"\"hi\"\"\"");
	assert_via(c, "two\nlines", "\"two\nlines\"");
	assert_via(c, "cr\r", "\"cr\r\"");
	assert_via(c, "tab\there", "tab\there");
	assert_via(c, "caf\xc3\xa9\xff", "caf\xc3\xa9\xef\xbf\xbd");
}

static void test_text_str(void **unused)
{
	(void)unused;
	assert_via(text_str, "nginx: worker", "nginx: worker");
	assert_via(text_str, "a\nb\tc\x1b[31m", "a?b?c?[31m");
	assert_via(text_str, "del\x7f", "del?");
	assert_via(text_str, "caf\xc3\xa9", "caf\xc3\xa9");
	assert_via(text_str, "c1\xc2\x9b" "x", "c1?x");   /* C1 CSI */
	assert_via(text_str, "nbsp\xc2\xa0", "nbsp\xc2\xa0");
	assert_via(text_str, "bad\xff\xe2\x82", "bad??");

	struct sink k = {0};
	sockstate__out *out = out_new(&k, SOCKSTATE__OUT_RESERVE);
	assert_int_equal(sockstate__out_text_str(out, "caf\xc3\xa9\xff\x01"), 6);
	assert_int_equal(sockstate__out_finish(out), 0);
	free(out);
	sink_reset(&k);
}

static void test_spaces_and_pad(void **unused)
{
	(void)unused;
	struct sink k = {0};
	sockstate__out *out = out_new(&k, SOCKSTATE__OUT_RESERVE);
	sockstate__out_spaces(out, 130);
	sockstate__out_char(out, '|');
	sockstate__out_pad(out, 10, 4);
	sockstate__out_char(out, '|');
	sockstate__out_pad(out, 1, 4);
	sockstate__out_char(out, '|');
	assert_int_equal(sockstate__out_finish(out), 0);
	assert_int_equal(k.len, 130 + 1 + 1 + 1 + 3 + 1);
	for (size_t i = 0; i < 130; i++)
		assert_int_equal(k.data[i], ' ');
	assert_string_equal(k.data + 130, "| |   |");
	free(out);
	sink_reset(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_snapshot),
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_table_overflow_keeps_a_space),
		cmocka_unit_test(test_table_empty_process_name),
		cmocka_unit_test(test_table_counts),
		cmocka_unit_test(test_json_snapshot),
		cmocka_unit_test(test_json_without_pids_or_facts),
		cmocka_unit_test(test_json_counts),
		cmocka_unit_test(test_csv_snapshot),
		cmocka_unit_test(test_csv_counts),
		cmocka_unit_test(test_prometheus_counts),
		cmocka_unit_test(test_prometheus_snapshot),
		cmocka_unit_test(test_prometheus_listen_queues),
		cmocka_unit_test(test_prometheus_series_unique),
		cmocka_unit_test(test_large_output_chunks),
		cmocka_unit_test(test_sink_error_stops),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_write_fd),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_utf8_seq),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_csv_str),
		cmocka_unit_test(test_text_str),
		cmocka_unit_test(test_spaces_and_pad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
