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
	/* The streaming writer, fed the same records one by one, writes the
	 * same bytes (a table: when its look-ahead, 1,000 records, holds it
	 * whole). */
	if (f != SOCKSTATE_FORMAT_PROMETHEUS &&
	    (f != SOCKSTATE_FORMAT_TABLE || snap->count <= 1000)) {
		struct sink streamed = {0};
		sockstate_writer *w = NULL;

		if (sockstate__snapshot_has_netns(snap))
			o.flags |= SOCKSTATE_W_NETNS;
		assert_int_equal(sockstate_writer_new(&o, &snap->sys, sink_write, &streamed, &w), 0);
		assert_int_equal(sockstate_writer_source(w, snap->backend, snap->pid_source,
		                                         snap->query_flags,
		                                         sockstate__snapshot_owners_unreadable(snap)),
		                 0);
		for (size_t i = 0; i < snap->count; i++)
			assert_int_equal(sockstate_writer_add(w, &snap->sockets[i]), 0);
		assert_int_equal(sockstate_writer_count(w), snap->count);
		assert_int_equal(sockstate_writer_end(w), 0);
		sockstate_writer_free(w);
		assert_int_equal(streamed.len, k.len);
		assert_memory_equal(streamed.data, k.data, k.len);
		sink_reset(&streamed);
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
		"State       Native     Recv-Q Send-Q Local Address           Peer Address\n"
		"LISTEN      LISTEN     0      128    127.0.0.1:22            0.0.0.0:0\n"
		"ESTABLISHED ESTAB      5      7      [2001:db8::1]:443       [2001:db8::2]:50000\n"
		"TIME_WAIT   TIME-WAIT  -      -      [::ffff:192.0.2.1]:8080 [::ffff:198.51.100.7]:40000\n"
		"CLOSE_WAIT  CLOSE-WAIT 0      0      [fe80::1%999999]:22     [fe80::2%999999]:1000\n"
		"SYN_SENT    SYN-SENT   0      1      10.0.0.5:51000          192.0.2.80:80\n");
	free(t);

	/* Without a header the columns fit the values alone. */
	t = render(&snap, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_PIDS | SOCKSTATE_W_NO_HEADER, -1);
	assert_string_equal(t,
		"LISTEN      LISTEN     0 128 127.0.0.1:22            0.0.0.0:0                   1234      sshd\n"
		"ESTABLISHED ESTAB      5 7   [2001:db8::1]:443       [2001:db8::2]:50000         1240,1250 ngi\"nx?\n"
		"TIME_WAIT   TIME-WAIT  - -   [::ffff:192.0.2.1]:8080 [::ffff:198.51.100.7]:40000 -         -\n"
		"CLOSE_WAIT  CLOSE-WAIT 0 0   [fe80::1%999999]:22     [fe80::2%999999]:1000       77        caf\xc3\xa9??,x\n"
		"SYN_SENT    SYN-SENT   0 1   10.0.0.5:51000          192.0.2.80:80               4321      -\n");
	free(t);

	t = render(&snap, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_PIDS, -1);
	const char *header =
		"State       Native     Recv-Q Send-Q Local Address           Peer Address                Pid       Process\n";
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
		"State       Native     Recv-Q Send-Q Local Address           Peer Address                Timer\n"
		"LISTEN      LISTEN     0      128    127.0.0.1:22            0.0.0.0:0                   off\n"
		"ESTABLISHED ESTAB      5      7      [2001:db8::1]:443       [2001:db8::2]:50000         keepalive,7.500ms,0\n"
		"TIME_WAIT   TIME-WAIT  -      -      [::ffff:192.0.2.1]:8080 [::ffff:198.51.100.7]:40000 timewait,48sec,0\n"
		"CLOSE_WAIT  CLOSE-WAIT 0      0      [fe80::1%999999]:22     [fe80::2%999999]:1000       on,2min5sec,3\n"
		"SYN_SENT    SYN-SENT   0      1      10.0.0.5:51000          192.0.2.80:80               -\n");
	free(t);

	r[4].valid |= SOCKSTATE_HAS_TIMER;
	r[4].timer = SOCKSTATE_TIMER_PROBE, r[4].retransmits = 1, r[4].expires_ms = 50;
	t = render(&snap, SOCKSTATE_FORMAT_TABLE,
	           SOCKSTATE_W_TIMERS | SOCKSTATE_W_PIDS | SOCKSTATE_W_NO_HEADER, -1);
	assert_string_equal(t,
		"LISTEN      LISTEN     0 128 127.0.0.1:22            0.0.0.0:0                   1234      sshd     off\n"
		"ESTABLISHED ESTAB      5 7   [2001:db8::1]:443       [2001:db8::2]:50000         1240,1250 ngi\"nx?  keepalive,7.500ms,0\n"
		"TIME_WAIT   TIME-WAIT  - -   [::ffff:192.0.2.1]:8080 [::ffff:198.51.100.7]:40000 -         -        timewait,48sec,0\n"
		"CLOSE_WAIT  CLOSE-WAIT 0 0   [fe80::1%999999]:22     [fe80::2%999999]:1000       77        caf\xc3\xa9??,x on,2min5sec,3\n"
		"SYN_SENT    SYN-SENT   0 1   10.0.0.5:51000          192.0.2.80:80               4321      -        persist,050ms,1\n");
	free(t);
	r[4].valid &= ~(uint32_t)SOCKSTATE_HAS_TIMER;

	t = render(&snap, SOCKSTATE_FORMAT_CSV, SOCKSTATE_W_TIMERS, -1);
	assert_string_equal(t,
		"family,state,native_state,native_code,local_address,local_port,"
		"remote_address,remote_port,rx_queue,tx_queue,uid,inode,v6only,"
		"timer,timer_expires_ms,timer_retransmits\r\n"
		"ipv4,LISTEN,LISTEN,10,127.0.0.1,22,0.0.0.0,0,0,128,0,12345,,off,0,0\r\n"
		"ipv6,ESTABLISHED,ESTAB,1,2001:db8::1,443,2001:db8::2,50000,5,7,33,2222,,keepalive,7500,0\r\n"
		"ipv6,TIME_WAIT,TIME-WAIT,6,::ffff:192.0.2.1,8080,::ffff:198.51.100.7,40000,,,,,,time_wait,48000,0\r\n"
		"ipv6,CLOSE_WAIT,CLOSE-WAIT,8,fe80::1%999999,22,fe80::2%999999,1000,0,0,1000,77777,,retransmit,125000,3\r\n"
		"ipv4,SYN_SENT,SYN-SENT,2,10.0.0.5,51000,192.0.2.80,80,0,1,1000,5,,,,\r\n");
	free(t);

	/* JSON: a "timer" object per socket, null where unknown; none at all
	 * without the flag. */
	t = render(&snap, SOCKSTATE_FORMAT_JSON, SOCKSTATE_W_TIMERS, -1);
	assert_non_null(strstr(t, "\"tx_queue\":128,\"v6only\":null,\"timer\":{\"kind\":\"off\","
	                          "\"expires_ms\":0,\"retransmits\":0}}"));
	assert_non_null(strstr(t, "\"total_retrans\":2},\"timer\":{\"kind\":\"keepalive\","
	                          "\"expires_ms\":7500,\"retransmits\":0}}"));
	assert_non_null(strstr(t, "\"timer\":{\"kind\":\"time_wait\",\"expires_ms\":48000,"
	                          "\"retransmits\":0}}"));
	assert_non_null(strstr(t, "\"tx_queue\":1,\"v6only\":null,\"timer\":null}"));
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
	assert_string_equal(t, "LISTEN LISTEN 0 128 127.0.0.1:22 0.0.0.0:0 1234 -\n");
	free(t);
}

/* The columns a terminal shows for a line (tests: every line of a table
 * must fit the screen). */
static size_t line_columns(const char *line, size_t len)
{
	char buf[512];

	assert_true(len < sizeof buf);
	memcpy(buf, line, len);
	buf[len] = '\0';
	return sockstate__text_width(buf);
}

/* Issue #22's golden table: an 80-column terminal, IPv6, owners with
 * non-ASCII names (precomposed, combining, wide) and a netns column after
 * them, which shows whether the Process column was padded by what the
 * terminal shows rather than by bytes. */
static void test_table_fits_80_columns(void **unused)
{
	static const int32_t server[] = {4242}, client[] = {4250};
	sockstate_socket r[NREC]; /* make_snapshot fills NREC; 4 are used */
	sockstate_snapshot snap;

	(void)unused;
	make_snapshot(&snap, r); /* the facts */
	record(&r[0], SOCKSTATE_FAMILY_IPV6, SOCKSTATE_LISTEN, 10, "LISTEN");
	set_addr(&r[0].local, "00000000000000000000000000000001", 8080);
	set_addr(&r[0].remote, "00000000000000000000000000000000", 0);
	r[0].tx_queue = 4096;
	r[0].pids = server;
	r[0].process = "my srv \xc3\xbc";                  /* "my srv ü" */
	record(&r[1], SOCKSTATE_FAMILY_IPV6, SOCKSTATE_ESTABLISHED, 1, "ESTAB");
	set_addr(&r[1].local, "00000000000000000000000000000001", 8080);
	set_addr(&r[1].remote, "00000000000000000000000000000001", 40312);
	r[1].pids = server;
	r[1].process = "my srv \xc3\xbc";
	record(&r[2], SOCKSTATE_FAMILY_IPV6, SOCKSTATE_ESTABLISHED, 1, "ESTAB");
	set_addr(&r[2].local, "00000000000000000000000000000001", 40312);
	set_addr(&r[2].remote, "00000000000000000000000000000001", 8080);
	r[2].pids = client;
	r[2].process = "\xe5\xae\xa2\xe6\x88\xb7";          /* two wide: 4 columns */
	record(&r[3], SOCKSTATE_FAMILY_IPV6, SOCKSTATE_ESTABLISHED, 1, "ESTAB");
	set_addr(&r[3].local, "00000000000000000000000000000001", 40314);
	set_addr(&r[3].remote, "00000000000000000000000000000001", 8080);
	r[3].pids = client;
	r[3].process = "cafe\xcc\x81";                      /* e + U+0301: 4 */
	for (int i = 0; i < 4; i++) {
		r[i].valid = SOCKSTATE_HAS_PID | SOCKSTATE_HAS_PROCESS | SOCKSTATE_HAS_QUEUES;
		r[i].pid = r[i].pids[0];
		r[i].pid_count = 1;
		r[i].netns = "blue";
	}
	snap.count = 4;
	char *t = render(&snap, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_PIDS, -1);
	assert_string_equal(t,
		"State       Native Recv-Q Send-Q Local Address Peer Address Pid  Process  Netns\n"
		"LISTEN      LISTEN 0      4096   [::1]:8080    [::]:0       4242 my srv \xc3\xbc blue\n"
		"ESTABLISHED ESTAB  0      0      [::1]:8080    [::1]:40312  4242 my srv \xc3\xbc blue\n"
		"ESTABLISHED ESTAB  0      0      [::1]:40312   [::1]:8080   4250 \xe5\xae\xa2\xe6\x88\xb7     blue\n"
		"ESTABLISHED ESTAB  0      0      [::1]:40314   [::1]:8080   4250 cafe\xcc\x81     blue\n");
	for (const char *line = t; *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t len = (size_t)(end - line);

		const char *last = end;

		while (last[-1] != ' ')
			last--;
		assert_true(line_columns(line, len) <= 80);
		/* Netns starts in the same terminal column on every line. */
		assert_int_equal(line_columns(line, (size_t)(last - line)), 74);
		line = end + 1;
	}
	free(t);
}

/* What a terminal shows, and what the table pads by. */
static void test_text_width(void **unused)
{
	static const struct {
		const char *text;
		size_t columns;
	} cases[] = {
		{"sshd", 4},
		{"my srv \xc3\xbc", 8},          /* precomposed: one column */
		{"u\xcc\x88", 1},                /* combining diaeresis: none */
		{"\xe5\xae\xa2", 2},             /* CJK: wide */
		{"\xef\xbc\xa1", 2},             /* fullwidth A */
		{"\xf0\xa0\x80\x80", 2},         /* plane 2 */
		{"a\x01" "b", 3},                /* a control character shows as '?' */
		{"\xc2\x85", 1},                 /* C1 */
		{"\xff\xfe", 2},                 /* two ill-formed bytes: two '?' */
		{"\xe2\x80\x8b", 0},             /* zero width space */
		{"", 0},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sink k = {0};
		sockstate__out *out = out_new(&k, SOCKSTATE__OUT_CAP);

		assert_int_equal(sockstate__text_width(cases[i].text), cases[i].columns);
		assert_int_equal(sockstate__out_text_str(out, cases[i].text), cases[i].columns);
		free(out);
		sink_reset(&k);
	}
	assert_int_equal(sockstate__codepoint_width(0x41), 1);
	assert_int_equal(sockstate__codepoint_width(0x301), 0);
	assert_int_equal(sockstate__codepoint_width(0xAD), 1);
	assert_int_equal(sockstate__codepoint_width(0x1160), 0);
	assert_int_equal(sockstate__codepoint_width(0xAC00), 2);
	assert_int_equal(sockstate__codepoint_width(0x1F600), 2);
	assert_int_equal(sockstate__codepoint_width(0x10FFFF), 1);
}

/* ---- the streaming writer ---- */

static void ipv4_record(sockstate_socket *s, const char *local, uint16_t lport,
                        uint16_t rport)
{
	record(s, SOCKSTATE_FAMILY_IPV4, SOCKSTATE_ESTABLISHED, 1, "ESTAB");
	set_addr(&s->local, local, lport);
	set_addr(&s->remote, "7f000001", rport);
	s->valid = SOCKSTATE_HAS_QUEUES;
}

/* A table longer than the look-ahead (1,000 records): its widths come
 * from the records seen, with room for what the rest may hold (the
 * longest state name, a five-digit port after the widest address); a
 * later, longer value pushes its line right by what it overflows,
 * keeping one space. */
static void test_stream_table_past_the_look_ahead(void **unused)
{
	sockstate_write_opts o = opts(SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_NO_HEADER, -1);
	sockstate_writer *w = NULL;
	struct sink k = {0};
	sockstate_socket s;
	const char *line;

	(void)unused;
	assert_int_equal(sockstate_writer_new(&o, NULL, sink_write, &k, &w), 0);
	ipv4_record(&s, "7f000001", 80, 1);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(sockstate_writer_add(w, &s), 0);
	assert_int_equal(k.calls, 0); /* all held */
	/* The one that finds the look-ahead full is measured too. */
	assert_int_equal(sockstate_writer_add(w, &s), 0);
	ipv4_record(&s, "0ac8c8c8", 65535, 2);     /* 10.200.200.200:65535 */
	assert_int_equal(sockstate_writer_add(w, &s), 0);
	assert_int_equal(sockstate_writer_end(w), 0);
	assert_int_equal(sockstate_writer_count(w), 1002);
	sockstate_writer_free(w);
	/* State: SYN_RECEIVED's 12; Local: "127.0.0.1" + ":65535". */
	assert_memory_equal(k.data,
		"ESTABLISHED  ESTAB        0 0 127.0.0.1:80    127.0.0.1:1\n",
		strlen("ESTABLISHED  ESTAB        0 0 127.0.0.1:80    127.0.0.1:1\n"));
	line = strstr(k.data, "10.200");
	assert_non_null(line);
	assert_string_equal(line - strlen("ESTABLISHED  ESTAB        0 0 "),
		"ESTABLISHED  ESTAB        0 0 10.200.200.200:65535 127.0.0.1:2\n");
	sink_reset(&k);
}

/* The netns column or key: asked for (several namespaces will feed the
 * writer), or carried by the first record (JSON, CSV). */
static void test_stream_netns(void **unused)
{
	sockstate_write_opts o = opts(SOCKSTATE_FORMAT_CSV, SOCKSTATE_W_NO_HEADER | SOCKSTATE_W_NETNS, -1);
	sockstate_writer *w = NULL;
	struct sink k = {0};
	sockstate_socket s;

	(void)unused;
	ipv4_record(&s, "7f000001", 80, 1);
	assert_int_equal(sockstate_writer_new(&o, NULL, sink_write, &k, &w), 0);
	assert_int_equal(sockstate_writer_add(w, &s), 0);
	s.netns = "blue";
	assert_int_equal(sockstate_writer_add(w, &s), 0);
	assert_int_equal(sockstate_writer_end(w), 0);
	sockstate_writer_free(w);
	assert_string_equal(k.data,
		"ipv4,ESTABLISHED,ESTAB,1,127.0.0.1,80,127.0.0.1,1,0,0,,,,\r\n"
		"ipv4,ESTABLISHED,ESTAB,1,127.0.0.1,80,127.0.0.1,1,0,0,,,blue,\r\n");
	sink_reset(&k);

	o = opts(SOCKSTATE_FORMAT_JSON, 0, -1);
	assert_int_equal(sockstate_writer_new(&o, NULL, sink_write, &k, &w), 0);
	assert_int_equal(sockstate_writer_add(w, &s), 0);
	s.netns = NULL;
	assert_int_equal(sockstate_writer_add(w, &s), 0);
	assert_int_equal(sockstate_writer_end(w), 0);
	sockstate_writer_free(w);
	assert_non_null(strstr(k.data, "\"netns\":\"blue\"},\n"));
	assert_non_null(strstr(k.data, "\"netns\":null}\n ],\n \"total\":2,\n"
	                                " \"counts\":{\"ESTABLISHED\":2}}\n"));
	save_json("stream_netns", k.data);
	sink_reset(&k);
}

static void test_stream_errors(void **unused)
{
	sockstate_write_opts o = opts(SOCKSTATE_FORMAT_JSON, 0, -1);
	sockstate_writer *w = (sockstate_writer *)1;
	struct sink k = {0};
	sockstate_socket s;

	(void)unused;
	ipv4_record(&s, "7f000001", 80, 1);
	/* Arguments: refused before anything is made. */
	assert_int_equal(sockstate_writer_new(&o, NULL, NULL, &k, &w), SOCKSTATE_EINVAL);
	assert_null(w);
	assert_int_equal(sockstate_writer_new(&o, NULL, sink_write, &k, NULL), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_writer_new(NULL, NULL, sink_write, &k, &w), SOCKSTATE_EINVAL);
	o = opts(SOCKSTATE_FORMAT_PROMETHEUS, 0, -1);
	assert_int_equal(sockstate_writer_new(&o, NULL, sink_write, &k, &w), SOCKSTATE_EINVAL);
	o = opts(SOCKSTATE_FORMAT_JSON, 0, -1);
	o.size = 0;
	assert_int_equal(sockstate_writer_new(&o, NULL, sink_write, &k, &w), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_writer_add(NULL, &s), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_writer_end(NULL), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_writer_fill(NULL, NULL, NULL), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_writer_source(NULL, NULL, NULL, 0, 0), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_writer_count(NULL), 0);
	sockstate_writer_free(NULL);
	assert_int_equal(k.calls, 0);

	/* A bad record is refused and the listing goes on; nothing after
	 * the end. The empty JSON listing is still a whole document. */
	o = opts(SOCKSTATE_FORMAT_JSON, 0, -1);
	assert_int_equal(sockstate_writer_new(&o, NULL, sink_write, &k, &w), 0);
	s.family = 9;
	assert_int_equal(sockstate_writer_add(w, &s), SOCKSTATE_EINVAL);
	s.family = SOCKSTATE_FAMILY_IPV4;
	s.state = SOCKSTATE_STATE_COUNT;
	assert_int_equal(sockstate_writer_add(w, &s), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_writer_add(w, NULL), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_writer_count(w), 0);
	assert_int_equal(sockstate_writer_end(w), 0);
	assert_int_equal(sockstate_writer_end(w), SOCKSTATE_EINVAL);
	s.state = SOCKSTATE_ESTABLISHED;
	assert_int_equal(sockstate_writer_add(w, &s), SOCKSTATE_EINVAL);
	sockstate_writer_free(w);
	assert_non_null(strstr(k.data, " \"sockets\":[],\n \"total\":0,\n \"counts\":{}}\n"));
	save_json("stream_empty", k.data);
	sink_reset(&k);

	/* The sink's error stops the writer and stays. */
	k.fail_at = 1;
	k.fail_code = SOCKSTATE_EIO;
	o = opts(SOCKSTATE_FORMAT_CSV, 0, -1);
	assert_int_equal(sockstate_writer_new(&o, NULL, sink_write, &k, &w), 0);
	for (int i = 0; i < 2000 && sockstate_writer_add(w, &s) == 0; i++)
		;
	assert_int_equal(sockstate_writer_add(w, &s), SOCKSTATE_EIO);
	assert_int_equal(sockstate_writer_end(w), SOCKSTATE_EIO);
	sockstate_writer_free(w);
	assert_int_equal(k.calls, 1);
	sink_reset(&k);

	/* A table's look-ahead with no record still writes its header. */
	o = opts(SOCKSTATE_FORMAT_TABLE, 0, -1);
	assert_int_equal(sockstate_writer_new(&o, NULL, sink_write, &k, &w), 0);
	assert_int_equal(sockstate_writer_end(w), 0);
	sockstate_writer_free(w);
	assert_string_equal(k.data, "State Native Recv-Q Send-Q Local Address Peer Address\n");
	sink_reset(&k);
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

/* The count table of sample_counts(), every state shown; its BOUND line
 * (after DELETE_TCB) is cut where BOUND was not counted. */
#define SAMPLE_TABLE_TO_BOUND                                               \
	"State        Count\n"                                                \
	"CLOSED       0\n"                                                    \
	"LISTEN       5\n"                                                    \
	"SYN_SENT     0\n"                                                    \
	"SYN_RECEIVED 0\n"                                                    \
	"ESTABLISHED  10\n"                                                   \
	"FIN_WAIT_1   0\n"                                                    \
	"FIN_WAIT_2   0\n"                                                    \
	"CLOSE_WAIT   0\n"                                                    \
	"CLOSING      0\n"                                                    \
	"LAST_ACK     0\n"                                                    \
	"TIME_WAIT    1\n"                                                    \
	"DELETE_TCB   0\n"
#define SAMPLE_TABLE_AFTER_BOUND "UNKNOWN      1\n" "TOTAL        17\n"

static void test_table_counts(void **unused)
{
	(void)unused;
	sockstate_counts c = sample_counts();
	char *t = render_counts(&c, NULL, NULL, SOCKSTATE_FORMAT_TABLE, 0);
	assert_string_equal(t, SAMPLE_TABLE_TO_BOUND "BOUND        0\n" SAMPLE_TABLE_AFTER_BOUND);
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
		" \"sockets\":[\n"
		"  {\"family\":\"ipv4\",\"local\":{\"address\":\"127.0.0.1\",\"port\":22},"
		"\"remote\":{\"address\":\"0.0.0.0\",\"port\":0},\"state\":\"LISTEN\","
		"\"native_state\":{\"code\":10,\"name\":\"LISTEN\"},\"pid\":1234,\"pids\":[1234],"
		"\"process\":\"sshd\",\"uid\":0,\"inode\":12345,\"rx_queue\":0,\"tx_queue\":128,\"v6only\":null},\n"
		"  {\"family\":\"ipv6\",\"local\":{\"address\":\"2001:db8::1\",\"port\":443},"
		"\"remote\":{\"address\":\"2001:db8::2\",\"port\":50000},\"state\":\"ESTABLISHED\","
		"\"native_state\":{\"code\":1,\"name\":\"ESTAB\"},\"pid\":1240,\"pids\":[1240,1250],"
		"\"process\":\"ngi\\\"nx\\n\",\"uid\":33,\"inode\":2222,\"rx_queue\":5,\"tx_queue\":7,\"v6only\":null,"
		"\"interface\":3,\"tcp_info\":{\"rtt_us\":1500,\"rttvar_us\":250,\"snd_cwnd\":10,"
		"\"total_retrans\":2}},\n"
		"  {\"family\":\"ipv6\",\"local\":{\"address\":\"::ffff:192.0.2.1\",\"port\":8080},"
		"\"remote\":{\"address\":\"::ffff:198.51.100.7\",\"port\":40000},\"state\":\"TIME_WAIT\","
		"\"native_state\":{\"code\":6,\"name\":\"TIME-WAIT\"},\"pid\":null,\"pids\":[],"
		"\"process\":null,\"uid\":null,\"inode\":null,\"rx_queue\":null,\"tx_queue\":null,\"v6only\":null},\n"
		"  {\"family\":\"ipv6\",\"local\":{\"address\":\"fe80::1%999999\",\"port\":22},"
		"\"remote\":{\"address\":\"fe80::2%999999\",\"port\":1000},\"state\":\"CLOSE_WAIT\","
		"\"native_state\":{\"code\":8,\"name\":\"CLOSE-WAIT\"},\"pid\":77,\"pids\":[77],"
		"\"process\":\"caf\xc3\xa9\\ufffd\\u0001,x\",\"uid\":1000,\"inode\":77777,"
		"\"rx_queue\":0,\"tx_queue\":0,\"v6only\":null},\n"
		"  {\"family\":\"ipv4\",\"local\":{\"address\":\"10.0.0.5\",\"port\":51000},"
		"\"remote\":{\"address\":\"192.0.2.80\",\"port\":80},\"state\":\"SYN_SENT\","
		"\"native_state\":{\"code\":2,\"name\":\"SYN-SENT\"},\"pid\":4321,\"pids\":[4321],"
		"\"process\":null,\"uid\":1000,\"inode\":5,\"rx_queue\":0,\"tx_queue\":1,\"v6only\":null}\n"
		" ],\n"
		" \"owners_unreadable\":0,\n"
		" \"total\":5,\n"
		" \"counts\":{\"LISTEN\":1,\"SYN_SENT\":1,\"ESTABLISHED\":1,\"CLOSE_WAIT\":1,\"TIME_WAIT\":1}}\n");
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
		" \"sockets\":[\n"
		"  {\"family\":\"ipv4\",\"local\":{\"address\":\"127.0.0.1\",\"port\":22},"
		"\"remote\":{\"address\":\"0.0.0.0\",\"port\":0},\"state\":\"LISTEN\","
		"\"native_state\":{\"code\":10,\"name\":\"LISTEN\"},\"pid\":null,"
		"\"process\":null,\"uid\":null,\"inode\":null,\"rx_queue\":0,\"tx_queue\":128,\"v6only\":null}\n"
		" ],\n"
		" \"total\":1,\n"
		" \"counts\":{\"LISTEN\":1}}\n");
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
		" \"sockets\":[],\n"
		" \"total\":0,\n"
		" \"counts\":{}}\n");
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
		"remote_address,remote_port,rx_queue,tx_queue,uid,inode,v6only\r\n"
		"ipv4,LISTEN,LISTEN,10,127.0.0.1,22,0.0.0.0,0,0,128,0,12345,\r\n"
		"ipv6,ESTABLISHED,ESTAB,1,2001:db8::1,443,2001:db8::2,50000,5,7,33,2222,\r\n"
		"ipv6,TIME_WAIT,TIME-WAIT,6,::ffff:192.0.2.1,8080,::ffff:198.51.100.7,40000,,,,,\r\n"
		"ipv6,CLOSE_WAIT,CLOSE-WAIT,8,fe80::1%999999,22,fe80::2%999999,1000,0,0,1000,77777,\r\n"
		"ipv4,SYN_SENT,SYN-SENT,2,10.0.0.5,51000,192.0.2.80,80,0,1,1000,5,\r\n");
	free(t);

	t = render(&snap, SOCKSTATE_FORMAT_CSV, SOCKSTATE_W_PIDS, -1);
	assert_string_equal(t,
		"family,state,native_state,native_code,local_address,local_port,"
		"remote_address,remote_port,rx_queue,tx_queue,uid,inode,pid,process,pids,v6only\r\n"
		"ipv4,LISTEN,LISTEN,10,127.0.0.1,22,0.0.0.0,0,0,128,0,12345,1234,sshd,1234,\r\n"
		"ipv6,ESTABLISHED,ESTAB,1,2001:db8::1,443,2001:db8::2,50000,5,7,33,2222,"
		"1240,\"ngi\"\"nx?\",1240 1250,\r\n"
		"ipv6,TIME_WAIT,TIME-WAIT,6,::ffff:192.0.2.1,8080,::ffff:198.51.100.7,40000,,,,,,,,\r\n"
		"ipv6,CLOSE_WAIT,CLOSE-WAIT,8,fe80::1%999999,22,fe80::2%999999,1000,0,0,1000,77777,"
		"77,\"caf\xc3\xa9\xef\xbf\xbd?,x\",77,\r\n"
		"ipv4,SYN_SENT,SYN-SENT,2,10.0.0.5,51000,192.0.2.80,80,0,1,1000,5,4321,,4321,\r\n");
	free(t);

	snap.count = 1;
	t = render(&snap, SOCKSTATE_FORMAT_CSV, SOCKSTATE_W_NO_HEADER, -1);
	assert_string_equal(t, "ipv4,LISTEN,LISTEN,10,127.0.0.1,22,0.0.0.0,0,0,128,0,12345,\r\n");
	free(t);
}

/* ---- names other users choose ---- */

/* An interface named with ESC and BEL (any user can make one in a user
 * namespace) and a process whose name sets the terminal's clipboard
 * (OSC 52): one link-local connection. */
#define HOSTILE_ZONE "e\x1b]0;x\x07"
#define HOSTILE_PROCESS "\x1b]52;c;aGk=\x07\xc2\x9b"

static void hostile_record(sockstate_socket *s)
{
	static const int32_t pid[1] = {42};

	memset(s, 0, sizeof *s);
	s->size = sizeof *s;
	s->family = SOCKSTATE_FAMILY_IPV6;
	s->state = SOCKSTATE_ESTABLISHED;
	s->native_code = 1;
	s->native_name = "ESTAB";
	s->local.addr[0] = 0xfe;
	s->local.addr[1] = 0x80;
	s->local.addr[15] = 1;
	s->local.scope_id = 7;
	s->local.port = 22;
	s->remote = s->local;
	s->remote.addr[15] = 2;
	s->remote.port = 40000;
	s->valid = SOCKSTATE_HAS_PID | SOCKSTATE_HAS_PROCESS;
	s->pid = 42;
	s->pid_count = 1;
	s->pids = pid;
	s->process = HOSTILE_PROCESS;
	s->uid = -1;
	s->zone = HOSTILE_ZONE;
}

/* No control character but the line ends, and no C1 in UTF-8 either. */
static void assert_no_controls(const char *text, int crlf)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '\n' || (crlf && *p == '\r' && p[1] == '\n'))
			continue;
		assert_true(*p >= 0x20 && *p != 0x7f);
		assert_false(*p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0);
	}
}

static void test_hostile_names_every_format(void **unused)
{
	(void)unused;
	sockstate_socket r[1];
	sockstate_snapshot snap;
	char *t;

	hostile_record(&r[0]);
	memset(&snap, 0, sizeof snap);
	snap.size = sizeof snap;
	snap.count = 1;
	snap.sockets = r;

	t = render(&snap, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_PIDS | SOCKSTATE_W_NO_HEADER, -1);
	assert_string_equal(t, "ESTABLISHED ESTAB - - [fe80::1%e?]0;x?]:22 [fe80::2%e?]0;x?]:40000 "
	                       "42 ?]52;c;aGk=??\n");
	assert_no_controls(t, 0);
	free(t);

	t = render(&snap, SOCKSTATE_FORMAT_CSV, SOCKSTATE_W_PIDS | SOCKSTATE_W_NO_HEADER, -1);
	assert_string_equal(t, "ipv6,ESTABLISHED,ESTAB,1,fe80::1%e?]0;x?,22,fe80::2%e?]0;x?,"
	                       "40000,,,,,42,?]52;c;aGk=??,42,\r\n");
	assert_no_controls(t, 1);
	free(t);

	t = render(&snap, SOCKSTATE_FORMAT_JSON, 0, -1);
	assert_non_null(strstr(t, "{\"address\":\"fe80::1%e\\u001b]0;x\\u0007\",\"port\":22}"));
	assert_non_null(strstr(t, "\"process\":\"\\u001b]52;c;aGk=\\u0007\\u009b\""));
	assert_no_controls(t, 0);
	free(t);
}

static void test_hostile_zone_in_groups(void **unused)
{
	(void)unused;
	static const struct {
		sockstate_format format;
		const char *want;
	} cases[] = {
		{SOCKSTATE_FORMAT_TABLE,
		 "[fe80::1%e?]0;x?]:22  1      1\n"
		 "TOTAL                 1      1\n"},
		{SOCKSTATE_FORMAT_CSV,
		 "fe80::1%e?]0;x?,22,1,0,0,0,0,1,0,0,0,0,0,0,0,0,0\r\n"},
	};
	sockstate_socket s;
	sockstate_groups *g = NULL;

	hostile_record(&s);
	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_LOCAL, &g), 0);
	assert_int_equal(sockstate_groups_add(g, &s), 0);
	assert_string_equal(sockstate_groups_get(g, 0)->zone, HOSTILE_ZONE);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sockstate_write_opts o = opts(cases[i].format, SOCKSTATE_W_NO_HEADER, -1);
		struct sink k = {0};

		assert_int_equal(sockstate_groups_write(g, 0, NULL, NULL, &o, sink_write, &k), 0);
		assert_string_equal(k.data, cases[i].want);
		sink_reset(&k);
	}
	sockstate_groups_free(g);
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

/* ---- honest results: what was not counted is not shown as 0 ---- */

/* counts of the default states (BOUND not counted) with nothing bound:
 * no format shows BOUND; a BOUND socket counted anyway (counts_add)
 * shows; unknown states (0, or a struct from before the field) show
 * every state, as before. */
static void test_counts_leave_out_states_not_counted(void **unused)
{
	(void)unused;
	sockstate_counts c = sample_counts();
	static const sockstate_format formats[] = {SOCKSTATE_FORMAT_TABLE,
		SOCKSTATE_FORMAT_JSON, SOCKSTATE_FORMAT_CSV, SOCKSTATE_FORMAT_PROMETHEUS};
	static const char *const bound[] = {"\nBOUND ", "\"BOUND\":", "\nBOUND,",
		"state=\"BOUND\""};

	c.states = SOCKSTATE_STATES_DEFAULT;
	assert_int_equal(sockstate_counts_states(&c), SOCKSTATE_STATES_DEFAULT);
	for (size_t f = 0; f < 4; f++) {
		char *t = render_counts(&c, NULL, "linux-netlink", formats[f], 0);
		assert_null(strstr(t, bound[f]));
		assert_non_null(strstr(t, formats[f] == SOCKSTATE_FORMAT_JSON ? "\"CLOSED\":0" :
		                          formats[f] == SOCKSTATE_FORMAT_CSV ? "CLOSED,0,0,0" :
		                          formats[f] == SOCKSTATE_FORMAT_TABLE ? "CLOSED       0" :
		                          "state=\"CLOSED\"} 0"));
		free(t);
	}
	char *t = render_counts(&c, NULL, NULL, SOCKSTATE_FORMAT_TABLE, 0);
	assert_string_equal(t, SAMPLE_TABLE_TO_BOUND SAMPLE_TABLE_AFTER_BOUND);
	free(t);

	/* Only LISTEN counted: the others are left out, not zeros. */
	c = sample_counts();
	memset(c.by_state, 0, sizeof c.by_state);
	memset(c.by_family_state, 0, sizeof c.by_family_state);
	c.by_state[SOCKSTATE_LISTEN] = c.total = 2;
	c.by_family_state[0][SOCKSTATE_LISTEN] = 2;
	c.states = SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN);
	t = render_counts(&c, NULL, NULL, SOCKSTATE_FORMAT_CSV, 0);
	assert_string_equal(t, "state,ipv4,ipv6,total\r\nLISTEN,2,0,2\r\n");
	free(t);
	t = render_counts(&c, NULL, NULL, SOCKSTATE_FORMAT_JSON, 0);
	assert_non_null(strstr(t, "\"total\":2,\n \"counts\":{\"LISTEN\":2}}\n"));
	free(t);

	/* A BOUND socket added by hand to the default counts shows. */
	c = sample_counts();
	c.states = SOCKSTATE_STATES_DEFAULT;
	sockstate_socket b;
	record(&b, SOCKSTATE_FAMILY_IPV4, SOCKSTATE_BOUND, 7, "UNCONN");
	sockstate_counts_add(&c, &b);
	assert_true(sockstate_counts_states(&c) & SOCKSTATE_STATE_BIT(SOCKSTATE_BOUND));
	t = render_counts(&c, NULL, NULL, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_NO_HEADER);
	assert_non_null(strstr(t, "\nBOUND        1\n"));
	free(t);

	/* Unknown: every state, as a caller built before 0.2 gets it. */
	c = sample_counts();
	assert_int_equal(sockstate_counts_states(&c), SOCKSTATE_STATES_ALL);
	c.states = SOCKSTATE_STATES_DEFAULT;
	c.size = offsetof(sockstate_counts, states);
	assert_int_equal(sockstate_counts_states(&c), SOCKSTATE_STATES_ALL);
	t = render_counts(&c, NULL, NULL, SOCKSTATE_FORMAT_TABLE, 0);
	assert_non_null(strstr(t, "\nBOUND        0\n"));
	free(t);
	assert_int_equal(sockstate_counts_states(NULL), 0);
}

/* Merging keeps what each part counted; a part that does not know (but
 * counted sockets) hides nothing. */
static void test_counts_merge_states(void **unused)
{
	(void)unused;
	sockstate_counts all, part = sample_counts(), old = sample_counts();

	memset(&all, 0, sizeof all);
	all.size = sizeof all;
	part.states = SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN);
	sockstate_counts_merge(&all, &part);
	assert_int_equal(all.states, SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN));
	part.states = SOCKSTATE_STATE_BIT(SOCKSTATE_ESTABLISHED);
	sockstate_counts_merge(&all, &part);
	assert_int_equal(all.states, SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN) |
	                             SOCKSTATE_STATE_BIT(SOCKSTATE_ESTABLISHED));
	assert_int_equal(all.total, 2 * part.total);
	sockstate_counts_merge(&all, &old);
	assert_int_equal(all.states, SOCKSTATE_STATES_ALL);
}

/* The per-port series of sockstate_counts_write: one block per port, in
 * the order given, only the counted states; refused when they would
 * repeat a series or pass the cap. */
static void test_prometheus_ports(void **unused)
{
	(void)unused;
	sockstate_counts c = sample_counts();
	sockstate_port_counts ports[SOCKSTATE_PORTS_MAX + 1];
	sockstate_write_opts o = opts(SOCKSTATE_FORMAT_PROMETHEUS, 0, -1);
	struct sink k = {0};

	c.states = SOCKSTATE_STATES_ALL;
	memset(ports, 0, sizeof ports);
	for (size_t i = 0; i <= SOCKSTATE_PORTS_MAX; i++) {
		ports[i].size = sizeof ports[i];
		ports[i].port = (uint16_t)(8000 + i);
	}
	ports[0].port = 443;
	ports[0].local[SOCKSTATE_ESTABLISHED] = 7;
	ports[0].local[SOCKSTATE_LISTEN] = 1;
	ports[1].port = 80;
	ports[1].remote[SOCKSTATE_TIME_WAIT] = 2;
	o.ports = ports;
	o.nports = 2;
	assert_int_equal(sockstate_counts_write(&c, NULL, "b", &o, sink_write, &k), 0);
	const char *p443 = strstr(k.data, "sockstate_tcp_port_sockets{port=\"443\",side=\"local\","
	                                  "state=\"ESTABLISHED\"} 7\n");
	const char *p80 = strstr(k.data, "sockstate_tcp_port_sockets{port=\"80\",side=\"remote\","
	                                 "state=\"TIME_WAIT\"} 2\n");
	assert_non_null(p443);
	assert_non_null(p80);
	assert_true(p443 < p80);
	assert_non_null(strstr(k.data, "{port=\"443\",side=\"local\",state=\"LISTEN\"} 1\n"));
	assert_non_null(strstr(k.data, "{port=\"80\",side=\"local\",state=\"LISTEN\"} 0\n"));
	/* one HELP/TYPE pair, 2 ports x 2 sides x 14 states */
	size_t series = 0;
	for (const char *q = k.data; (q = strstr(q, "\nsockstate_tcp_port_sockets{")); q++)
		series++;
	assert_int_equal(series, 56);
	assert_non_null(strstr(k.data, "# TYPE sockstate_tcp_port_sockets gauge\n"));
	assert_null(strstr(strstr(k.data, "# TYPE sockstate_tcp_port_sockets") + 1,
	                   "# TYPE sockstate_tcp_port_sockets"));
	sink_reset(&k);

	/* Default states: no BOUND series, per port either. */
	c.states = SOCKSTATE_STATES_DEFAULT;
	assert_int_equal(sockstate_counts_write(&c, NULL, "b", &o, sink_write, &k), 0);
	assert_null(strstr(k.data, "BOUND"));
	sink_reset(&k);

	/* Refused before anything is written. */
	ports[1].port = 443;
	assert_int_equal(sockstate_counts_write(&c, NULL, "b", &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	ports[1].port = 80;
	o.nports = SOCKSTATE_PORTS_MAX + 1;
	assert_int_equal(sockstate_counts_write(&c, NULL, "b", &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	o.nports = 1;
	o.ports = NULL;
	assert_int_equal(sockstate_counts_write(&c, NULL, "b", &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	o.ports = ports;
	ports[0].size = 4;
	assert_int_equal(sockstate_counts_write(&c, NULL, "b", &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	assert_int_equal(k.calls, 0);
	ports[0].size = sizeof ports[0];
	/* Options of the size before 0.2: no per-port series, no error. */
	o.size = offsetof(sockstate_write_opts, ports);
	assert_int_equal(sockstate_counts_write(&c, NULL, "b", &o, sink_write, &k), 0);
	assert_null(strstr(k.data, "sockstate_tcp_port_sockets"));
	sink_reset(&k);

	/* sockstate_port_counts_add: each side of each port. */
	sockstate_socket s;
	record(&s, SOCKSTATE_FAMILY_IPV4, SOCKSTATE_ESTABLISHED, 1, "ESTAB");
	s.local.port = 80;
	s.remote.port = 80;
	memset(ports, 0, 2 * sizeof ports[0]);
	ports[0].port = 80;
	ports[1].port = 443;
	sockstate_port_counts_add(ports, 2, &s);
	assert_int_equal(ports[0].local[SOCKSTATE_ESTABLISHED], 1);
	assert_int_equal(ports[0].remote[SOCKSTATE_ESTABLISHED], 1);
	assert_int_equal(ports[1].local[SOCKSTATE_ESTABLISHED], 0);
}

/* IPV6_V6ONLY where it is known: the table shows a dual-stack wildcard
 * listener as `*:PORT` (as ss) and an IPv6-only one as `[::]:PORT`; JSON
 * and CSV say true, false or null (unknown, and for IPv4). */
static void test_v6only_in_every_format(void **unused)
{
	(void)unused;
	sockstate_socket r[4];
	sockstate_snapshot snap;

	for (int i = 0; i < 3; i++) {
		record(&r[i], SOCKSTATE_FAMILY_IPV6, SOCKSTATE_LISTEN, 10, "LISTEN");
		set_addr(&r[i].local, "00000000000000000000000000000000", (uint16_t)(443 + i));
		set_addr(&r[i].remote, "00000000000000000000000000000000", 0);
	}
	r[0].valid = SOCKSTATE_HAS_V6ONLY;
	r[1].valid = SOCKSTATE_HAS_V6ONLY;
	r[1].local.flags = SOCKSTATE_ENDPOINT_V6ONLY;
	record(&r[3], SOCKSTATE_FAMILY_IPV4, SOCKSTATE_LISTEN, 10, "LISTEN");
	set_addr(&r[3].local, "00000000", 446);
	set_addr(&r[3].remote, "00000000", 0);
	memset(&snap, 0, sizeof snap);
	snap.size = sizeof snap;
	snap.count = 4;
	snap.sockets = r;
	snap.backend = "linux-netlink";

	char *t = render(&snap, SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_NO_HEADER, -1);
	assert_string_equal(t,
		"LISTEN LISTEN - - *:443       [::]:0\n"
		"LISTEN LISTEN - - [::]:444    [::]:0\n"
		"LISTEN LISTEN - - [::]:445    [::]:0\n"
		"LISTEN LISTEN - - 0.0.0.0:446 0.0.0.0:0\n");
	free(t);
	t = render(&snap, SOCKSTATE_FORMAT_CSV, SOCKSTATE_W_NO_HEADER, -1);
	assert_string_equal(t,
		"ipv6,LISTEN,LISTEN,10,::,443,::,0,,,,,false\r\n"
		"ipv6,LISTEN,LISTEN,10,::,444,::,0,,,,,true\r\n"
		"ipv6,LISTEN,LISTEN,10,::,445,::,0,,,,,\r\n"
		"ipv4,LISTEN,LISTEN,10,0.0.0.0,446,0.0.0.0,0,,,,,\r\n");
	free(t);
	t = render(&snap, SOCKSTATE_FORMAT_JSON, 0, -1);
	assert_non_null(strstr(t, "\"port\":443},\"remote\""));
	assert_non_null(strstr(t, "\"tx_queue\":null,\"v6only\":false}"));
	assert_non_null(strstr(t, "\"tx_queue\":null,\"v6only\":true}"));
	const char *third = strstr(t, "\"port\":445}");
	assert_non_null(third);
	assert_non_null(strstr(third, "\"tx_queue\":null,\"v6only\":null}"));
	save_json("v6only", t);
	free(t);
}

/* owners_unreadable: in a snapshot document with pids, never without;
 * the Prometheus form of a snapshot leaves out the states it did not
 * list. */
static void test_snapshot_honest_keys(void **unused)
{
	(void)unused;
	sockstate_socket r[NREC];
	sockstate_snapshot snap;
	make_snapshot(&snap, r);

	snap.owners_unreadable = 3;
	char *t = render(&snap, SOCKSTATE_FORMAT_JSON, 0, -1);
	/* After the sockets, as a stream counts it. */
	assert_non_null(strstr(t, "\n ],\n \"owners_unreadable\":3,\n \"total\":5,\n"));
	free(t);
	snap.pid_source = NULL;
	t = render(&snap, SOCKSTATE_FORMAT_JSON, 0, -1);
	assert_null(strstr(t, "owners_unreadable"));
	free(t);

	snap.states = SOCKSTATE_STATES_DEFAULT;
	t = render(&snap, SOCKSTATE_FORMAT_PROMETHEUS, 0, 22);
	assert_null(strstr(t, "BOUND"));
	assert_non_null(strstr(t, "{family=\"ipv6\",state=\"DELETE_TCB\"} 0\n"));
	assert_non_null(strstr(t, "{port=\"22\",side=\"local\",state=\"LISTEN\"} 1\n"));
	free(t);
	/* A snapshot struct from before 0.2: every state. */
	snap.size = offsetof(sockstate_snapshot, states);
	t = render(&snap, SOCKSTATE_FORMAT_PROMETHEUS, 0, -1);
	assert_non_null(strstr(t, "{family=\"ipv4\",state=\"BOUND\"} 0\n"));
	free(t);
}

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
		/* one line per socket plus the header (JSON: 11 lines of head,
		 * 1 closing); the newline in the ESTABLISHED record's name
		 * reaches no format raw */
		size_t lines = 0;
		for (size_t i = 0; i < k.len; i++)
			lines += k.data[i] == '\n';
		size_t want = formats[f] == SOCKSTATE_FORMAT_JSON ? N + 12 : N + 1;
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
	assert_int_equal(k.len, strlen("State Native Recv-Q Send-Q Local Address Peer Address\n"));
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
	/* C1 controls (U+0080-U+009F; CSI is U+009B) are escaped too. */
	assert_via(j, "c1\xc2\x9b\xc2\x80\xc2\xa0", "\"c1\\u009b\\u0080\xc2\xa0\"");
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

static uint32_t csv_flags;

static void csv_str(sockstate__out *out, const char *s)
{
	sockstate__out_csv_str(out, s, csv_flags);
}

static void test_csv_str(void **unused)
{
	static const struct {
		uint32_t flags;
		const char *in, *want;
	} cases[] = {
		{0, NULL, ""},
		{0, "", ""},
		{0, "sshd", "sshd"},
		{0, "a b", "a b"},
		{0, "a,b", "\"a,b\""},
		{0, "say \"hi\"", "\"say \"\"hi\"\"\""},
		/* No control character reaches whoever cats the file: not
		 * even inside quotes (OSC 52 would set the clipboard). */
		{0, "two\nlines", "two?lines"},
		{0, "cr\r", "cr?"},
		{0, "tab\there", "tab?here"},
		{0, "\x1b]52;c;aGk=\x07", "?]52;c;aGk=?"},
		{0, "c1\xc2\x9b" "x", "c1?x"},
		{0, "caf\xc3\xa9\xff", "caf\xc3\xa9\xef\xbf\xbd"},
		/* Formulas stay text unless asked otherwise (OWASP). */
		{0, "=1+1", "=1+1"},
		{SOCKSTATE_W_CSV_FORMULA_SAFE, "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""},
		{SOCKSTATE_W_CSV_FORMULA_SAFE, "+1", "\"'+1\""},
		{SOCKSTATE_W_CSV_FORMULA_SAFE, "-1", "\"'-1\""},
		{SOCKSTATE_W_CSV_FORMULA_SAFE, "@SUM(A1)", "\"'@SUM(A1)\""},
		{SOCKSTATE_W_CSV_FORMULA_SAFE, "\tx", "\"'?x\""},
		{SOCKSTATE_W_CSV_FORMULA_SAFE, "\rx", "\"'?x\""},
		{SOCKSTATE_W_CSV_FORMULA_SAFE, "a=b", "a=b"},
		{SOCKSTATE_W_CSV_FORMULA_SAFE, "sshd", "sshd"},
		{SOCKSTATE_W_CSV_FORMULA_SAFE, "", ""},
		{SOCKSTATE_W_CSV_FORMULA_SAFE, NULL, ""},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		csv_flags = cases[i].flags;
		assert_via(csv_str, cases[i].in, cases[i].want);
	}
	csv_flags = 0;
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
		cmocka_unit_test(test_table_fits_80_columns),
		cmocka_unit_test(test_text_width),
		cmocka_unit_test(test_stream_table_past_the_look_ahead),
		cmocka_unit_test(test_stream_netns),
		cmocka_unit_test(test_stream_errors),
		cmocka_unit_test(test_table_counts),
		cmocka_unit_test(test_json_snapshot),
		cmocka_unit_test(test_json_without_pids_or_facts),
		cmocka_unit_test(test_json_counts),
		cmocka_unit_test(test_csv_snapshot),
		cmocka_unit_test(test_hostile_names_every_format),
		cmocka_unit_test(test_hostile_zone_in_groups),
		cmocka_unit_test(test_csv_counts),
		cmocka_unit_test(test_prometheus_counts),
		cmocka_unit_test(test_prometheus_snapshot),
		cmocka_unit_test(test_prometheus_listen_queues),
		cmocka_unit_test(test_prometheus_series_unique),
		cmocka_unit_test(test_counts_leave_out_states_not_counted),
		cmocka_unit_test(test_counts_merge_states),
		cmocka_unit_test(test_prometheus_ports),
		cmocka_unit_test(test_v6only_in_every_format),
		cmocka_unit_test(test_snapshot_honest_keys),
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
