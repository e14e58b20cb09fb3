/* test_proc_decode.c - /proc/net/tcp{,6}: captured files decoded to exact
 * records through every buffer size, malformed lines refused with their
 * line number, and the linux-proc backend on a live socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture_text.h"
#include "proc_internal.h"

#define FIXTURE(name) SOCKSTATE_FIXTURES "/linux/" name

/* The kernel's header lines; the IPv4 one padded to 149 columns. */
#define HEADER4_TEXT                                                             \
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "      \
	"retrnsmt   uid  timeout inode"
#define HEADER4                                                                  \
	HEADER4_TEXT "                           "                                 \
	"                          \n"
#define HEADER6                                                                  \
	"  sl  local_address                         remote_address             " \
	"           st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "     \
	"inode\n"
/* A full-socket line as the kernel prints it (127.0.0.1:8002 LISTEN). */
#define GOOD4                                                                    \
	"   0: 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "      \
	"00000000     0        0 35089 1 000000000152840e 100 0 0 10 0\n"

static sockstate_handle *open_proc(void)
{
	/* The /proc walk, not the BPF iterator: this file tests /proc. */
	sockstate_options o = {.size = sizeof o, .backend = "linux-proc",
	                       .pid_source = "procfs"};
	sockstate_handle *h = NULL;

	assert_int_equal(sockstate_open(&h, &o), 0);
	return h;
}

static int little_endian(void)
{
	const uint16_t one = 1;
	return *(const uint8_t *)&one == 1;
}

/* ---- rendering records as the .expect files spell them ---- */

struct render {
	sockstate__proc_table *t;
	char *out;
	size_t len, cap;
	unsigned records;
	int stop_at;         /* return 7 on this record (1-based); 0 never */
};

static void endpoint_text(sockstate_family family, const sockstate_endpoint *ep,
                          char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	assert_non_null(inet_ntop(family == SOCKSTATE_FAMILY_IPV6 ? AF_INET6 : AF_INET,
	                          ep->addr, addr, sizeof addr));
	if (family == SOCKSTATE_FAMILY_IPV6)
		snprintf(buf, len, "[%s]:%u", addr, ep->port);
	else
		snprintf(buf, len, "%s:%u", addr, ep->port);
}

static int render_emit(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct render *r = ctx;
	char local[64], remote[64], uid[24] = "-", inode[24] = "-", valid[64] = "";
	char line[512];
	int n;

	assert_int_equal(owner_key, s->inode);
	assert_int_equal(s->size, sizeof *s);
	assert_int_equal(s->pid, -1);
	assert_int_equal(s->valid & ~(uint32_t)(SOCKSTATE_HAS_UID | SOCKSTATE_HAS_INODE |
	                                        SOCKSTATE_HAS_QUEUES | SOCKSTATE_HAS_TIMER),
	                 0);
	endpoint_text(s->family, &s->local, local, sizeof local);
	endpoint_text(s->family, &s->remote, remote, sizeof remote);
	if (s->valid & SOCKSTATE_HAS_UID) {
		snprintf(uid, sizeof uid, "%lld", (long long)s->uid);
		strcat(valid, "uid,");
	} else {
		assert_int_equal(s->uid, -1);
	}
	if (s->valid & SOCKSTATE_HAS_INODE) {
		snprintf(inode, sizeof inode, "%llu", (unsigned long long)s->inode);
		strcat(valid, "inode,");
	} else {
		assert_int_equal(s->inode, 0);
	}
	if (s->valid & SOCKSTATE_HAS_QUEUES)
		strcat(valid, "queues,");
	if (s->valid & SOCKSTATE_HAS_TIMER)
		strcat(valid, "timer,");
	valid[strlen(valid) - 1] = '\0';
	n = snprintf(line, sizeof line,
	             "%u %s %s %s %s %d/%s uid=%s inode=%s tx=%u rx=%u timer=%u retrans=%u "
	             "expires_ms=%u valid=%s\n",
	             r->t->line, s->family == SOCKSTATE_FAMILY_IPV6 ? "ipv6" : "ipv4",
	             local, remote, sockstate_state_name((sockstate_state)s->state),
	             s->native_code, s->native_name, uid, inode, s->tx_queue, s->rx_queue,
	             s->timer, s->retransmits, s->expires_ms, valid);
	assert_true(n > 0 && (size_t)n < sizeof line);
	if (r->len + (size_t)n + 1 > r->cap) {
		r->cap = (r->cap + (size_t)n + 1) * 2;
		r->out = realloc(r->out, r->cap);
		assert_non_null(r->out);
	}
	memcpy(r->out + r->len, line, (size_t)n + 1);
	r->len += (size_t)n;
	r->records++;
	return r->stop_at && (int)r->records == r->stop_at ? 7 : 0;
}

static void check_fixture(const char *txt, const char *expect, const char *name,
                          sockstate_family family)
{
	static const size_t caps[] = {200, 233, 512, 4096, 65536};
	sockstate_handle *h = open_proc();
	char *want = expected_records(expect);

	if (!little_endian()) {
		free(want);
		sockstate_close(h);
		skip(); /* the capture's address words are little-endian text */
	}
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		char *buf = malloc(caps[i]);
		sockstate__proc_table t = {
			.name = name, .family = family, .clock_ticks = 100,
			.states = SOCKSTATE_STATES_ALL, .emit = render_emit, .capture_fd = -1,
		};
		struct render r = {.t = &t};

		t.emit_ctx = &r;
		assert_non_null(buf);
		assert_int_equal(sockstate__proc_read_path(h, txt, buf, caps[i], &t), 0);
		assert_int_equal(t.line, 18);
		assert_int_equal(r.records, 17);
		assert_non_null(r.out);
		assert_string_equal(r.out, want);
		free(r.out);
		free(buf);
	}
	free(want);
	sockstate_close(h);
}

static void test_fixture_tcp(void **unused)
{
	(void)unused;
	check_fixture(FIXTURE("proc_tcp.txt"), FIXTURE("proc_tcp.expect"), "/proc/net/tcp",
	              SOCKSTATE_FAMILY_IPV4);
}

static void test_fixture_tcp6(void **unused)
{
	(void)unused;
	check_fixture(FIXTURE("proc_tcp6.txt"), FIXTURE("proc_tcp6.expect"),
	              "/proc/net/tcp6", SOCKSTATE_FAMILY_IPV6);
}

/* States are filtered before emit; a positive emit value stops the read;
 * capture_fd receives the bytes exactly as read. */
static void test_state_filter_stop_and_capture(void **unused)
{
	sockstate_handle *h = open_proc();
	char buf[4096];
	sockstate__proc_table t = {
		.name = "/proc/net/tcp", .family = SOCKSTATE_FAMILY_IPV4, .clock_ticks = 100,
		.states = SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN) |
		          SOCKSTATE_STATE_BIT(SOCKSTATE_TIME_WAIT),
		.emit = render_emit, .capture_fd = -1,
	};
	struct render r = {.t = &t};
	char *copy, *orig;
	size_t copy_len, orig_len;
	char capture_path[] = "/tmp/test_proc_capture_XXXXXX";

	(void)unused;
	t.emit_ctx = &r;
	assert_int_equal(sockstate__proc_read_path(h, FIXTURE("proc_tcp.txt"), buf,
	                                           sizeof buf, &t), 0);
	assert_int_equal(r.records, 7); /* 6 LISTEN, 1 TIME_WAIT */
	assert_non_null(strstr(r.out, "14 ipv4 127.0.0.1:51208 127.0.0.1:8003 TIME_WAIT "));
	assert_null(strstr(r.out, "ESTABLISHED"));
	free(r.out);

	r = (struct render){.t = &t, .stop_at = 3};
	t.states = SOCKSTATE_STATES_ALL;
	t.capture_fd = mkstemp(capture_path);
	assert_true(t.capture_fd >= 0);
	assert_int_equal(sockstate__proc_read_path(h, FIXTURE("proc_tcp.txt"), buf,
	                                           sizeof buf, &t), 7);
	assert_int_equal(r.records, 3);
	assert_int_equal(t.line, 4);
	free(r.out);
	close(t.capture_fd);
	copy = slurp(capture_path, &copy_len);
	orig = slurp(FIXTURE("proc_tcp.txt"), &orig_len);
	assert_int_equal(copy_len, orig_len); /* the file fits one read */
	assert_memory_equal(copy, orig, orig_len);
	unlink(capture_path);
	free(copy);
	free(orig);
	sockstate_close(h);
}

/* A missing file (IPv6 disabled) has no sockets. */
static void test_missing_file_is_empty(void **unused)
{
	sockstate_handle *h = open_proc();
	char buf[512];
	sockstate__proc_table t = {
		.name = "/proc/net/tcp6", .family = SOCKSTATE_FAMILY_IPV6, .clock_ticks = 100,
		.states = SOCKSTATE_STATES_ALL, .emit = render_emit, .capture_fd = -1,
	};
	struct render r = {.t = &t};

	(void)unused;
	t.emit_ctx = &r;
	assert_int_equal(sockstate__proc_read_path(h, "/nonexistent/tcp6", buf, sizeof buf, &t),
	                 0);
	assert_int_equal(r.records, 0);
	sockstate_close(h);
}

/* ---- one line, decoded directly ---- */

static void test_decode_fields(void **unused)
{
	const uint8_t want_local[4] = {192, 0, 2, 10}, want_remote[4] = {198, 51, 100, 7};
	uint32_t local_word, remote_word;
	sockstate_socket s;
	const char *why = NULL;
	char line[256];

	(void)unused;
	/* Print the words the way this machine's kernel would: the native
	 * u32 holding the network-order bytes. */
	memcpy(&local_word, want_local, 4);
	memcpy(&remote_word, want_remote, 4);
	snprintf(line, sizeof line,
	         "  12: %08X:0016 %08X:C350 01 0000002A:00000010 02:0000012C 00000005 "
	         " 1000        0 4294967296 1 0000000000000000 20 4 30 10 -1",
	         local_word, remote_word);
	assert_int_equal(sockstate__proc_decode_line(line, strlen(line), SOCKSTATE_FAMILY_IPV4,
	                                             100, &s, &why), 0);
	assert_int_equal(s.family, SOCKSTATE_FAMILY_IPV4);
	assert_memory_equal(s.local.addr, want_local, 4);
	assert_memory_equal(s.remote.addr, want_remote, 4);
	assert_int_equal(s.local.addr[4] | s.local.addr[15], 0);
	assert_int_equal(s.local.port, 22);
	assert_int_equal(s.remote.port, 50000);
	assert_int_equal(s.local.scope_id, 0);
	assert_int_equal(s.state, SOCKSTATE_ESTABLISHED);
	assert_int_equal(s.native_code, 1);
	assert_string_equal(s.native_name, "ESTAB");
	assert_int_equal(s.tx_queue, 42);
	assert_int_equal(s.rx_queue, 16);
	assert_int_equal(s.timer, SOCKSTATE_TIMER_KEEPALIVE);
	assert_int_equal(s.expires_ms, 3000);
	assert_int_equal(s.retransmits, 5);
	assert_int_equal(s.uid, 1000);
	assert_int_equal(s.inode, 4294967296ull);
	assert_int_equal(s.pid, -1);
	assert_int_equal(s.valid, SOCKSTATE_HAS_UID | SOCKSTATE_HAS_INODE |
	                          SOCKSTATE_HAS_QUEUES | SOCKSTATE_HAS_TIMER);

	/* Another USER_HZ (alpha's 1024): ticks scale to ms. */
	assert_int_equal(sockstate__proc_decode_line(line, strlen(line), SOCKSTATE_FAMILY_IPV4,
	                                             1024, &s, &why), 0);
	assert_int_equal(s.expires_ms, 300 * 1000 / 1024);
}

static void test_decode_ipv6_words(void **unused)
{
	const uint8_t want[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	                          0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78};
	uint32_t w[4];
	sockstate_socket s;
	const char *why = NULL;
	char line[300];

	(void)unused;
	memcpy(w, want, sizeof w);
	snprintf(line, sizeof line,
	         "   3: %08X%08X%08X%08X:01BB 00000000000000000000000000000000:0000 0A "
	         "00000000:00000080 00:00000000 00000000     0        0 777 1 "
	         "0000000000000000 100 0 0 10 0",
	         w[0], w[1], w[2], w[3]);
	assert_int_equal(sockstate__proc_decode_line(line, strlen(line), SOCKSTATE_FAMILY_IPV6,
	                                             100, &s, &why), 0);
	assert_int_equal(s.family, SOCKSTATE_FAMILY_IPV6);
	assert_memory_equal(s.local.addr, want, 16);
	assert_int_equal(s.local.port, 443);
	assert_int_equal(s.state, SOCKSTATE_LISTEN);
	assert_string_equal(s.native_name, "LISTEN");
	assert_int_equal(s.rx_queue, 128); /* LISTEN: the accept backlog */
	assert_int_equal(s.inode, 777);
	/* The same line is not an IPv4 line. */
	assert_int_equal(sockstate__proc_decode_line(line, strlen(line), SOCKSTATE_FAMILY_IPV4,
	                                             100, &s, &why), SOCKSTATE_EPARSE);
}

/* A state no table knows is reported as such, not refused or guessed. */
static void test_decode_unknown_state(void **unused)
{
	const char *line = "   0: 0100007F:1F42 00000000:0000 2F 00000000:00000000 "
	                   "00:00000000 00000000     0        0 1 1 0";
	sockstate_socket s;
	const char *why = NULL;

	(void)unused;
	assert_int_equal(sockstate__proc_decode_line(line, strlen(line), SOCKSTATE_FAMILY_IPV4,
	                                             100, &s, &why), 0);
	assert_int_equal(s.state, SOCKSTATE_UNKNOWN);
	assert_int_equal(s.native_code, 0x2F);
	assert_string_equal(s.native_name, "UNKNOWN");
}

static void test_header_recognised_exactly(void **unused)
{
	const char *one_letter_more = HEADER4_TEXT "s";

	(void)unused;
	assert_int_equal(sockstate__proc_is_header(HEADER4, strlen(HEADER4) - 1,
	                                           SOCKSTATE_FAMILY_IPV4), 1);
	assert_int_equal(strlen(HEADER4), 150);
	assert_int_equal(sockstate__proc_is_header(HEADER4, 96, SOCKSTATE_FAMILY_IPV4), 1);
	assert_int_equal(sockstate__proc_is_header(HEADER4, 95, SOCKSTATE_FAMILY_IPV4), 0);
	assert_int_equal(sockstate__proc_is_header(HEADER6, strlen(HEADER6) - 1,
	                                           SOCKSTATE_FAMILY_IPV6), 1);
	assert_int_equal(sockstate__proc_is_header(HEADER4, strlen(HEADER4) - 1,
	                                           SOCKSTATE_FAMILY_IPV6), 0);
	assert_int_equal(sockstate__proc_is_header(HEADER6, strlen(HEADER6) - 1,
	                                           SOCKSTATE_FAMILY_IPV4), 0);
	assert_int_equal(sockstate__proc_is_header(one_letter_more, strlen(one_letter_more),
	                                           SOCKSTATE_FAMILY_IPV4), 0);
	assert_int_equal(sockstate__proc_is_header("", 0, SOCKSTATE_FAMILY_IPV4), 0);
}

/* ---- malformed input through the reader: EPARSE with the line ---- */

static int count_emit(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	(void)s;
	(void)owner_key;
	(*(unsigned *)ctx)++;
	return 0;
}

/* Read text as a file; return the code, the bad line and the records. */
static int read_text(sockstate_handle *h, const char *text, sockstate_family family,
                     unsigned *line, unsigned *records)
{
	char buf[1024];
	int fds[2], rc;
	size_t len = strlen(text);
	sockstate__proc_table t = {
		.name = family == SOCKSTATE_FAMILY_IPV6 ? "/proc/net/tcp6" : "/proc/net/tcp",
		.family = family, .clock_ticks = 100, .states = SOCKSTATE_STATES_ALL,
		.emit = count_emit, .emit_ctx = records, .capture_fd = -1,
	};

	*records = 0;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], text, len), (ssize_t)len);
	close(fds[1]);
	rc = sockstate__proc_read_fd(h, fds[0], buf, sizeof buf, &t);
	close(fds[0]);
	*line = t.line;
	return rc;
}

struct bad_case {
	const char *what;
	const char *line;       /* the third line, after HEADER4 and GOOD4 */
	const char *why;        /* expected in the detail */
};

static void test_malformed_lines(void **unused)
{
	static const struct bad_case cases[] = {
		{"short line", "   1: 0100007F:1F42\n", "missing remote address"},
		{"bad hex in address",
		 "   1: 0100007G:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000000     0        0 1 1 0\n", "local address"},
		{"address too short",
		 "   1: 100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000000     0        0 1 1 0\n", "local address"},
		{"address too long",
		 "   1: 0100007F00:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000000     0        0 1 1 0\n", "local address"},
		{"IPv6 address in the IPv4 file",
		 "   1: 00000000000000000000000001000000:1F42 00000000:0000 0A 00000000:00000000 "
		 "00:00000000 00000000     0        0 1 1 0\n", "local address"},
		{"port of 5 digits",
		 "   1: 0100007F:1F420 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000000     0        0 1 1 0\n", "local address"},
		{"non-hex state",
		 "   1: 0100007F:1F42 00000000:0000 0Z 00000000:00000000 00:00000000 "
		 "00000000     0        0 1 1 0\n", "st:"},
		{"state of 3 digits",
		 "   1: 0100007F:1F42 00000000:0000 00A 00000000:00000000 00:00000000 "
		 "00000000     0        0 1 1 0\n", "st:"},
		{"queue over 32 bits",
		 "   1: 0100007F:1F42 00000000:0000 0A 100000000:00000000 00:00000000 "
		 "00000000     0        0 1 1 0\n", "tx_queue:rx_queue"},
		{"queue without colon",
		 "   1: 0100007F:1F42 00000000:0000 0A 00000000 00000000 00:00000000 "
		 "00000000     0        0 1 1 0\n", "tx_queue:rx_queue"},
		{"timer the kernel never prints",
		 "   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 05:00000000 "
		 "00000000     0        0 1 1 0\n", "tr:"},
		{"expiry over 32 bits of ticks",
		 "   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 01:100000000 "
		 "00000000     0        0 1 1 0\n", "tm->when"},
		{"expiry over 32 bits of ms",
		 "   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 01:FFFFFFFF "
		 "00000000     0        0 1 1 0\n", "tm->when"},
		{"retransmits over 255",
		 "   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000100     0        0 1 1 0\n", "retrnsmt"},
		{"uid over 32 bits",
		 "   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000000 4294967296        0 1 1 0\n", "uid"},
		{"negative uid",
		 "   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000000    -1        0 1 1 0\n", "uid"},
		{"inode over 64 bits",
		 "   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000000     0        0 18446744073709551616 1 0\n", "inode"},
		{"inode in hex",
		 "   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000000     0        0 1A 1 0\n", "inode"},
		{"missing inode",
		 "   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000000     0        0\n", "missing inode"},
		{"missing timeout and inode",
		 "   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000000     0\n", "missing timeout"},
		{"no sl colon",
		 "   1 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000000     0        0 1 1 0\n", "sl:"},
		{"empty line", "\n", "empty line"},
		{"blank line", "      \n", "empty line"},
		{"no trailing newline",
		 "   1: 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 "
		 "00000000     0        0 1 1 0", "no newline at the end"},
	};
	sockstate_handle *h = open_proc();

	(void)unused;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[1024], want[128];
		unsigned line = 0, records = 0;

		snprintf(text, sizeof text, "%s%s%s", HEADER4, GOOD4, cases[i].line);
		print_message("case: %s\n", cases[i].what);
		assert_int_equal(read_text(h, text, SOCKSTATE_FAMILY_IPV4, &line, &records),
		                 SOCKSTATE_EPARSE);
		assert_int_equal(line, 3);
		assert_int_equal(records, 1); /* the good line came out first */
		snprintf(want, sizeof want, "/proc/net/tcp line 3: %s", cases[i].why);
		assert_memory_equal(sockstate_errdetail(h), want, strlen(want));
	}
	sockstate_close(h);
}

static void test_malformed_ipv6_and_header(void **unused)
{
	sockstate_handle *h = open_proc();
	unsigned line = 0, records = 0;
	char text[1024], long_line[1100], big[1500];

	(void)unused;
	/* An IPv6 address of 31 digits. */
	snprintf(text, sizeof text, "%s%s", HEADER6,
	         "   0: 0000000000000000000000001000000:232E 00000000000000000000000000000000"
	         ":0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0\n");
	assert_int_equal(read_text(h, text, SOCKSTATE_FAMILY_IPV6, &line, &records),
	                 SOCKSTATE_EPARSE);
	assert_int_equal(line, 2);
	assert_string_equal(sockstate_errdetail(h), "/proc/net/tcp6 line 2: local address: "
	                                            "expected 32 hex digits ':' 4 hex digits");
	/* The IPv4 header in the IPv6 file. */
	snprintf(text, sizeof text, "%s", HEADER4);
	assert_int_equal(read_text(h, text, SOCKSTATE_FAMILY_IPV6, &line, &records),
	                 SOCKSTATE_EPARSE);
	assert_int_equal(line, 1);
	assert_string_equal(sockstate_errdetail(h), "/proc/net/tcp6 line 1: not the header line");
	/* A socket line where the header should be. */
	assert_int_equal(read_text(h, GOOD4, SOCKSTATE_FAMILY_IPV4, &line, &records),
	                 SOCKSTATE_EPARSE);
	assert_int_equal(line, 1);
	assert_int_equal(records, 0);
	/* An empty file. */
	assert_int_equal(read_text(h, "", SOCKSTATE_FAMILY_IPV4, &line, &records),
	                 SOCKSTATE_EPARSE);
	assert_int_equal(line, 1);
	assert_string_equal(sockstate_errdetail(h), "/proc/net/tcp line 1: empty file, no header");
	/* A line longer than the buffer (1024 bytes in read_text). */
	memset(long_line, ' ', sizeof long_line - 2);
	long_line[sizeof long_line - 2] = '\n';
	long_line[sizeof long_line - 1] = '\0';
	snprintf(big, sizeof big, "%s%s%s", HEADER4, GOOD4, long_line);
	assert_int_equal(read_text(h, big, SOCKSTATE_FAMILY_IPV4, &line, &records),
	                 SOCKSTATE_EPARSE);
	assert_int_equal(line, 3);
	assert_int_equal(records, 1);
	assert_string_equal(sockstate_errdetail(h), "/proc/net/tcp line 3: longer than 1024 bytes");
	/* Header and good lines only: fine. */
	snprintf(text, sizeof text, "%s%s%s", HEADER4, GOOD4, GOOD4);
	assert_int_equal(read_text(h, text, SOCKSTATE_FAMILY_IPV4, &line, &records), 0);
	assert_int_equal(line, 3);
	assert_int_equal(records, 2);
	sockstate_close(h);
}

/* ---- the backend on this machine's live table ---- */

struct find_ctx {
	uint16_t port;
	uint64_t inode;
	unsigned seen;
	sockstate_socket found;
};

static int find_emit(const sockstate_socket *s, void *ctx)
{
	struct find_ctx *f = ctx;

	if (s->local.port == f->port && s->inode == f->inode) {
		f->seen++;
		f->found = *s;
	}
	return 0;
}

static void test_backend_live_socket(void **unused)
{
	const uint8_t loopback[4] = {127, 0, 0, 1};
	sockstate_handle *h = open_proc();
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t slen = sizeof sin;
	struct stat st;
	struct find_ctx f = {0};
	sockstate_query q;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)unused;
	assert_string_equal(sockstate_backend(h), "linux-proc");
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 5), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	assert_int_equal(fstat(fd, &st), 0);
	f.port = ntohs(sin.sin_port);
	f.inode = st.st_ino;

	assert_int_equal(sockstate_foreach(h, NULL, find_emit, &f), 0);
	assert_int_equal(f.seen, 1);
	assert_int_equal(f.found.family, SOCKSTATE_FAMILY_IPV4);
	assert_memory_equal(f.found.local.addr, loopback, 4);
	assert_int_equal(f.found.state, SOCKSTATE_LISTEN);
	assert_int_equal(f.found.native_code, 10);
	assert_int_equal(f.found.uid, (int64_t)getuid());
	assert_int_equal(f.found.valid & SOCKSTATE_HAS_PID, 0);

	/* Family and state filters, pushed down or not, agree. */
	for (int push = 0; push < 2; push++) {
		sockstate_query_init(&q);
		q.flags = push ? 0 : SOCKSTATE_Q_NO_PUSHDOWN;
		q.families = 1u << SOCKSTATE_FAMILY_IPV6;
		f.seen = 0;
		assert_int_equal(sockstate_foreach(h, &q, find_emit, &f), 0);
		assert_int_equal(f.seen, 0);
		q.families = 1u << SOCKSTATE_FAMILY_IPV4;
		q.states = SOCKSTATE_STATE_BIT(SOCKSTATE_ESTABLISHED);
		assert_int_equal(sockstate_foreach(h, &q, find_emit, &f), 0);
		assert_int_equal(f.seen, 0);
		q.states = SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN);
		assert_int_equal(sockstate_foreach(h, &q, find_emit, &f), 0);
		assert_int_equal(f.seen, 1);
	}

	/* With pids: the owner is this process. */
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	f.seen = 0;
	assert_int_equal(sockstate_foreach(h, &q, find_emit, &f), 0);
	assert_int_equal(f.seen, 1);
	assert_int_equal(f.found.pid, getpid());
	assert_int_equal(f.found.pid_count, 1);
	assert_string_equal(sockstate_pid_source(h), "procfs");
	close(fd);
	sockstate_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_tcp),
		cmocka_unit_test(test_fixture_tcp6),
		cmocka_unit_test(test_state_filter_stop_and_capture),
		cmocka_unit_test(test_missing_file_is_empty),
		cmocka_unit_test(test_decode_fields),
		cmocka_unit_test(test_decode_ipv6_words),
		cmocka_unit_test(test_decode_unknown_state),
		cmocka_unit_test(test_header_recognised_exactly),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_malformed_ipv6_and_header),
		cmocka_unit_test(test_backend_live_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
