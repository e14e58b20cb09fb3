/* test_pcblist_decode.c - the BSD decoders on constructed replies: every
 * TCPS_* state both ways, FreeBSD xtcpcb and kern.file walks, macOS
 * kind-tagged walks, process tables, and every refusal (generation
 * framing, truncation, a record length this build does not know, unknown
 * kinds, unaligned buffers). Layouts come from pcblist_facts.h, so this
 * runs on any OS; on FreeBSD and macOS test_*_layout.c checks the facts
 * against the backend's own layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "pcblist_facts.h"

/* ---- building replies ---- */

struct buf {
	unsigned char *p;
	size_t len, cap;
};

/* Append n zero bytes; returns their offset. */
static size_t grow(struct buf *b, size_t n)
{
	size_t off = b->len;

	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		assert_non_null(b->p);
		b->cap = cap;
	}
	memset(b->p + off, 0, n);
	b->len += n;
	return off;
}

static void put16(struct buf *b, size_t off, uint16_t v)
{
	memcpy(b->p + off, &v, sizeof v);
}

static void put32(struct buf *b, size_t off, uint32_t v)
{
	memcpy(b->p + off, &v, sizeof v);
}

static void put64(struct buf *b, size_t off, uint64_t v)
{
	memcpy(b->p + off, &v, sizeof v);
}

static void put_port(struct buf *b, size_t off, uint16_t port)
{
	b->p[off] = (unsigned char)(port >> 8);
	b->p[off + 1] = (unsigned char)port;
}

/* An address into a 16-byte in_dependaddr union: IPv6 whole, IPv4 in the
 * last four bytes. */
static void put_addr(struct buf *b, size_t off, const char *text)
{
	if (strchr(text, ':'))
		assert_int_equal(inet_pton(AF_INET6, text, b->p + off), 1);
	else
		assert_int_equal(inet_pton(AF_INET, text, b->p + off + 12), 1);
}

static void put_xinpgen(struct buf *b, const sockstate__xinpgen_layout *g, uint64_t gen)
{
	size_t off = grow(b, g->size);

	if (g->len_size == 8)
		put64(b, off, g->size);
	else
		put32(b, off, g->size);
	put64(b, off + g->gen_off, gen);
}

static void buf_free(struct buf *b)
{
	free(b->p);
	*b = (struct buf){0};
}

/* ---- collecting what the walkers emit ---- */

struct seen {
	size_t n;
	sockstate_socket s[32];
	uint64_t key[32];
	size_t stop_at;   /* return stop_value on this record (1-based), 0 never */
	int stop_value;
};

static int collect(void *ctx, sockstate_socket *s, uint64_t key)
{
	struct seen *seen = ctx;

	assert_true(seen->n < 32);
	seen->s[seen->n] = *s;
	seen->key[seen->n] = key;
	seen->n++;
	return seen->n == seen->stop_at ? seen->stop_value : 0;
}

static sockstate__pcb_sink sink_all(struct seen *seen)
{
	sockstate__pcb_sink sink;

	memset(&sink, 0, sizeof sink);
	sink.states = SOCKSTATE_STATES_ALL;
	sink.families = 1u << SOCKSTATE_FAMILY_IPV4 | 1u << SOCKSTATE_FAMILY_IPV6;
	sink.emit = collect;
	sink.emit_ctx = seen;
	return sink;
}

/* The address of ep as text, zone left out (scope_id is checked apart). */
static const char *addr_text(const sockstate_socket *s, const sockstate_endpoint *ep)
{
	static char text[2][64];
	static int which;
	sockstate_endpoint plain = *ep;
	char *out = text[which++ & 1];

	plain.scope_id = 0;
	assert_true(sockstate_endpoint_format((sockstate_family)s->family, &plain, out, 64) > 0);
	return out;
}

/* ---- the state mapping: every TCPS_* value both ways ---- */

static const struct {
	int32_t code;
	sockstate_state state;
	const char *netstat;
} tcps[] = {
	{0, SOCKSTATE_CLOSED, "CLOSED"},
	{1, SOCKSTATE_LISTEN, "LISTEN"},
	{2, SOCKSTATE_SYN_SENT, "SYN_SENT"},
	{3, SOCKSTATE_SYN_RECEIVED, "SYN_RCVD"},
	{4, SOCKSTATE_ESTABLISHED, "ESTABLISHED"},
	{5, SOCKSTATE_CLOSE_WAIT, "CLOSE_WAIT"},
	{6, SOCKSTATE_FIN_WAIT_1, "FIN_WAIT_1"},
	{7, SOCKSTATE_CLOSING, "CLOSING"},
	{8, SOCKSTATE_LAST_ACK, "LAST_ACK"},
	{9, SOCKSTATE_FIN_WAIT_2, "FIN_WAIT_2"},
	{10, SOCKSTATE_TIME_WAIT, "TIME_WAIT"},
};
#define NTCPS (sizeof tcps / sizeof tcps[0])

static void test_tcps_both_ways(void **unused)
{
	unsigned seen_states = 0;

	(void)unused;
	for (size_t i = 0; i < NTCPS; i++) {
		sockstate_state state = SOCKSTATE_UNKNOWN, parsed = SOCKSTATE_UNKNOWN;
		const char *name = NULL;

		/* code -> normalized state and the name BSD netstat prints */
		sockstate__native_state(SOCKSTATE__ORIGIN_BSD, tcps[i].code, &state, &name);
		assert_int_equal(state, tcps[i].state);
		assert_string_equal(name, tcps[i].netstat);
		/* that name -> the same normalized state */
		assert_int_equal(sockstate_state_parse(name, &parsed), 0);
		assert_int_equal(parsed, tcps[i].state);
		/* and no two codes share a state */
		assert_false(seen_states & SOCKSTATE_STATE_BIT(state));
		seen_states |= SOCKSTATE_STATE_BIT(state);
	}
	/* every RFC 9293 state is some TCPS_* value */
	for (int s = SOCKSTATE_CLOSED; s <= SOCKSTATE_TIME_WAIT; s++)
		assert_true(seen_states & SOCKSTATE_STATE_BIT(s));
	/* numbers outside TCPS_* are UNKNOWN, never a neighbour */
	{
		const int32_t bad[] = {11, -1, 12, 255, INT32_MIN};

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			sockstate_state state = SOCKSTATE_CLOSED;
			const char *name = NULL;

			sockstate__native_state(SOCKSTATE__ORIGIN_BSD, bad[i], &state, &name);
			assert_int_equal(state, SOCKSTATE_UNKNOWN);
			assert_string_equal(name, "UNKNOWN");
		}
	}
}

/* ---- FreeBSD: net.inet.tcp.pcblist ---- */

struct fbsd_rec {
	uint8_t vflag;
	uint32_t inp_flags;
	const char *laddr, *faddr;
	uint16_t lport, fport;
	int32_t state;
	uint64_t so;
	uint32_t uid, qlen, qlimit, rcv, snd;
};

static size_t fbsd_add(struct buf *b, const struct fbsd_rec *r)
{
	const sockstate__freebsd_layout *L = &fact_freebsd;
	size_t off = grow(b, L->xtcpcb_size);

	put64(b, off, L->xtcpcb_size);
	b->p[off + L->inp.vflag_off] = r->vflag;
	put32(b, off + L->inp.flags_off, r->inp_flags);
	put_addr(b, off + L->inp.laddr_off, r->laddr);
	put_addr(b, off + L->inp.faddr_off, r->faddr);
	put_port(b, off + L->inp.lport_off, r->lport);
	put_port(b, off + L->inp.fport_off, r->fport);
	put32(b, off + L->state_off, (uint32_t)r->state);
	put64(b, off + L->so_off, r->so);
	put32(b, off + L->uid_off, r->uid);
	put32(b, off + L->qlen_off, r->qlen);
	put32(b, off + L->qlimit_off, r->qlimit);
	put32(b, off + L->rcv_cc_off, r->rcv);
	put32(b, off + L->snd_cc_off, r->snd);
	return off;
}

/* A FreeBSD reply: head, the records, tail with the same generation. */
static void fbsd_reply(struct buf *b, const struct fbsd_rec *recs, size_t n)
{
	put_xinpgen(b, &fact_freebsd.gen, 41);
	for (size_t i = 0; i < n; i++)
		fbsd_add(b, &recs[i]);
	put_xinpgen(b, &fact_freebsd.gen, 41);
}

static const struct fbsd_rec fbsd_sample[] = {
	/* an established IPv4 connection with its socket */
	{.vflag = 0x1, .laddr = "192.0.2.10", .faddr = "198.51.100.7", .lport = 22,
	 .fport = 50123, .state = 4, .so = 0xfffff80012345000u, .uid = 1001,
	 .qlen = 99, .qlimit = 98, .rcv = 17, .snd = 4096},
	/* an IPv6 listener on a link-local address (zone 4 embedded) */
	{.vflag = 0x2, .laddr = "fe80:4::1", .faddr = "::", .lport = 8080, .fport = 0,
	 .state = 1, .so = 0xfffff80012346000u, .uid = 0, .qlen = 3, .qlimit = 128,
	 .rcv = 77, .snd = 66},
	/* a syncache entry: no socket, so no uid, queues or owner */
	{.vflag = 0x1, .laddr = "192.0.2.10", .faddr = "203.0.113.5", .lport = 22,
	 .fport = 40000, .state = 3, .so = 0, .uid = 0},
	/* a dual-stack ("tcp46") listener: reported as IPv6 */
	{.vflag = 0x3, .laddr = "::", .faddr = "::", .lport = 443, .state = 1,
	 .so = 0xfffff80012347000u, .uid = 80, .qlen = 0, .qlimit = 511},
	/* neither INP_IPV4 nor INP_IPV6: not an Internet socket, skipped */
	{.vflag = 0x4, .laddr = "::", .faddr = "::", .lport = 1, .state = 0,
	 .so = 0xfffff80012348000u},
};
#define NSAMPLE (sizeof fbsd_sample / sizeof fbsd_sample[0])

static void test_freebsd_records(void **unused)
{
	struct buf b = {0};
	struct seen seen = {0};
	sockstate__pcb_sink sink = sink_all(&seen);
	const sockstate_socket *s;

	(void)unused;
	fbsd_reply(&b, fbsd_sample, NSAMPLE);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd, &sink), 0);
	assert_int_equal(sink.records, 5);
	assert_int_equal(seen.n, 4);

	s = &seen.s[0];
	assert_int_equal(s->size, sizeof *s);
	assert_int_equal(s->family, SOCKSTATE_FAMILY_IPV4);
	assert_string_equal(addr_text(s, &s->local), "192.0.2.10");
	assert_string_equal(addr_text(s, &s->remote), "198.51.100.7");
	assert_int_equal(s->local.port, 22);
	assert_int_equal(s->remote.port, 50123);
	assert_int_equal(s->state, SOCKSTATE_ESTABLISHED);
	assert_int_equal(s->native_code, 4);
	assert_string_equal(s->native_name, "ESTABLISHED");
	assert_int_equal(s->valid, SOCKSTATE_HAS_UID | SOCKSTATE_HAS_QUEUES);
	assert_int_equal(s->uid, 1001);
	assert_int_equal(s->rx_queue, 17);
	assert_int_equal(s->tx_queue, 4096);
	assert_int_equal(s->pid, -1);
	assert_int_equal(s->pid_count, 0);
	assert_true(seen.key[0] == 0xfffff80012345000u);

	s = &seen.s[1];
	assert_int_equal(s->family, SOCKSTATE_FAMILY_IPV6);
	assert_string_equal(addr_text(s, &s->local), "fe80::1");
	assert_int_equal(s->local.scope_id, 4);
	assert_string_equal(addr_text(s, &s->remote), "::");
	assert_int_equal(s->remote.scope_id, 0);
	assert_int_equal(s->local.port, 8080);
	assert_int_equal(s->state, SOCKSTATE_LISTEN);
	assert_string_equal(s->native_name, "LISTEN");
	/* a listener's queues are its accept backlog and limit */
	assert_int_equal(s->rx_queue, 3);
	assert_int_equal(s->tx_queue, 128);
	assert_int_equal(s->uid, 0);
	assert_int_equal(s->valid, SOCKSTATE_HAS_UID | SOCKSTATE_HAS_QUEUES |
	                           SOCKSTATE_HAS_V6ONLY);
	assert_int_equal(s->local.flags, 0);

	s = &seen.s[2];
	assert_int_equal(s->state, SOCKSTATE_SYN_RECEIVED);
	assert_int_equal(s->native_code, 3);
	assert_string_equal(s->native_name, "SYN_RCVD");
	assert_string_equal(addr_text(s, &s->remote), "203.0.113.5");
	assert_int_equal(s->remote.port, 40000);
	assert_int_equal(s->valid, 0);
	assert_int_equal(s->uid, -1);
	assert_int_equal(s->rx_queue, 0);
	assert_true(seen.key[2] == 0);

	s = &seen.s[3];
	assert_int_equal(s->family, SOCKSTATE_FAMILY_IPV6);
	assert_string_equal(addr_text(s, &s->local), "::");
	assert_int_equal(s->local.port, 443);
	assert_int_equal(s->tx_queue, 511);
	assert_int_equal(s->uid, 80);
	buf_free(&b);
}

/* Every TCPS_* value through the walker: code, name and state. */
static void test_freebsd_every_state(void **unused)
{
	struct fbsd_rec recs[NTCPS + 1];
	struct buf b = {0};
	struct seen seen = {0};
	sockstate__pcb_sink sink = sink_all(&seen);

	(void)unused;
	for (size_t i = 0; i <= NTCPS; i++)
		recs[i] = (struct fbsd_rec){.vflag = 0x1, .laddr = "127.0.0.1",
		                            .faddr = "127.0.0.2", .lport = (uint16_t)(1000 + i),
		                            .state = i < NTCPS ? tcps[i].code : 42, .so = 1};
	fbsd_reply(&b, recs, NTCPS + 1);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd, &sink), 0);
	assert_int_equal(seen.n, NTCPS + 1);
	for (size_t i = 0; i < NTCPS; i++) {
		assert_int_equal(seen.s[i].local.port, 1000 + i);
		assert_int_equal(seen.s[i].native_code, tcps[i].code);
		assert_string_equal(seen.s[i].native_name, tcps[i].netstat);
		assert_int_equal(seen.s[i].state, tcps[i].state);
	}
	assert_int_equal(seen.s[NTCPS].native_code, 42);
	assert_int_equal(seen.s[NTCPS].state, SOCKSTATE_UNKNOWN);
	assert_string_equal(seen.s[NTCPS].native_name, "UNKNOWN");
	buf_free(&b);
}

static void test_freebsd_filters_and_stop(void **unused)
{
	struct buf b = {0};
	struct seen seen = {0};
	sockstate__pcb_sink sink = sink_all(&seen);

	(void)unused;
	fbsd_reply(&b, fbsd_sample, NSAMPLE);

	/* LISTEN only */
	sink.states = SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd, &sink), 0);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.s[0].local.port, 8080);
	assert_int_equal(seen.s[1].local.port, 443);

	/* IPv4 only */
	seen = (struct seen){0};
	sink = sink_all(&seen);
	sink.families = 1u << SOCKSTATE_FAMILY_IPV4;
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd, &sink), 0);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.s[0].remote.port, 50123);
	assert_int_equal(seen.s[1].remote.port, 40000);

	/* emit's stop value comes back at once */
	seen = (struct seen){.stop_at = 2, .stop_value = 7};
	sink = sink_all(&seen);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd, &sink), 7);
	assert_int_equal(seen.n, 2);

	/* and so does an error of emit's */
	seen = (struct seen){.stop_at = 1, .stop_value = SOCKSTATE_ENOMEM};
	sink = sink_all(&seen);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd, &sink),
	                 SOCKSTATE_ENOMEM);
	assert_int_equal(seen.n, 1);
	assert_string_equal(sink.detail, "");
	buf_free(&b);
}

static void test_freebsd_empty_and_unaligned(void **unused)
{
	struct buf b = {0};
	struct seen seen = {0}, seen2 = {0};
	sockstate__pcb_sink sink = sink_all(&seen);
	unsigned char *odd;

	(void)unused;
	fbsd_reply(&b, NULL, 0);
	assert_int_equal(b.len, 128);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd, &sink), 0);
	assert_int_equal(sink.records, 0);
	assert_int_equal(seen.n, 0);
	buf_free(&b);

	/* The same reply one byte off any alignment decodes the same. */
	fbsd_reply(&b, fbsd_sample, NSAMPLE);
	odd = malloc(b.len + 1);
	assert_non_null(odd);
	memcpy(odd + 1, b.p, b.len);
	sink = sink_all(&seen);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd, &sink), 0);
	sink = sink_all(&seen2);
	assert_int_equal(sockstate__freebsd_pcblist_decode(odd + 1, b.len, &fact_freebsd, &sink),
	                 0);
	assert_int_equal(seen2.n, 4);
	assert_memory_equal(seen.s, seen2.s, sizeof seen.s[0] * 4);
	assert_memory_equal(seen.key, seen2.key, sizeof seen.key[0] * 4);
	free(odd);
	buf_free(&b);
}

/* A record whose xt_len is not the xtcpcb this build knows is refused,
 * never read with the wrong offsets. */
static void test_freebsd_unknown_record_length(void **unused)
{
	const uint64_t lengths[] = {700, 800, 0, 64};
	(void)unused;

	for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
		struct buf b = {0};
		struct seen seen = {0};
		sockstate__pcb_sink sink = sink_all(&seen);
		char want[SOCKSTATE__PCB_DETAIL_LEN];

		fbsd_reply(&b, fbsd_sample, 2);
		put64(&b, 64 + 744, lengths[i]);
		assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd,
		                                                   &sink), SOCKSTATE_EABI);
		snprintf(want, sizeof want, "net.inet.tcp.pcblist: record at offset 808 "
		         "declares %llu bytes; this build knows struct xtcpcb of 744 bytes "
		         "(FreeBSD 12 and later)", (unsigned long long)lengths[i]);
		assert_string_equal(sink.detail, want);
		assert_int_equal(seen.n, 1);
		buf_free(&b);
	}
}

static void test_freebsd_truncated(void **unused)
{
	struct buf b = {0};
	struct seen seen = {0};
	sockstate__pcb_sink sink = sink_all(&seen);
	size_t off;

	(void)unused;
	/* The copy cut inside a record: what should be the tail is not. */
	fbsd_reply(&b, fbsd_sample, 2);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len - 100, &fact_freebsd,
	                                                   &sink), SOCKSTATE_EPARSE);
	assert_string_equal(sink.detail, "net.inet.tcp.pcblist: trailing xinpgen at offset "
	                    "1452 declares 0 bytes, not 64: the reply is truncated or of a "
	                    "layout this build does not know");
	buf_free(&b);

	/* A whole-looking record that does not fit before the tail. */
	put_xinpgen(&b, &fact_freebsd.gen, 5);
	off = grow(&b, 400);
	put64(&b, off, 744);
	put_xinpgen(&b, &fact_freebsd.gen, 5);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd, &sink),
	                 SOCKSTATE_EPARSE);
	assert_string_equal(sink.detail, "net.inet.tcp.pcblist: record at offset 64 is "
	                    "truncated: 400 of 744 bytes before the trailing xinpgen");
	buf_free(&b);

	/* Bytes too few to hold even a length. */
	fbsd_reply(&b, fbsd_sample, 1);
	grow(&b, 4);
	memmove(b.p + b.len - 64, b.p + b.len - 68, 64);
	memset(b.p + b.len - 68, 0, 4);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd, &sink),
	                 SOCKSTATE_EPARSE);
	assert_string_equal(sink.detail, "net.inet.tcp.pcblist: 4 stray bytes at offset 808 "
	                    "before the trailing xinpgen");
	assert_int_equal(seen.n, 1); /* the whole record before them */
	seen.n = 0;
	buf_free(&b);

	/* Shorter than one xinpgen; a head with no room for the tail. */
	fbsd_reply(&b, NULL, 0);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, 63, &fact_freebsd, &sink),
	                 SOCKSTATE_EPARSE);
	assert_string_equal(sink.detail, "net.inet.tcp.pcblist: reply of 63 bytes is shorter "
	                    "than its xinpgen header (64 bytes)");
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, 100, &fact_freebsd, &sink),
	                 SOCKSTATE_EPARSE);
	assert_string_equal(sink.detail, "net.inet.tcp.pcblist: reply of 100 bytes is "
	                    "truncated: no room for the trailing xinpgen");
	/* A head of another size is another layout. */
	put64(&b, 0, 56);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd, &sink),
	                 SOCKSTATE_EABI);
	assert_string_equal(sink.detail, "net.inet.tcp.pcblist: xinpgen header declares 56 "
	                    "bytes; this build knows 64");
	assert_int_equal(seen.n, 0);
	buf_free(&b);
}

/* The framing the reader's retry rests on: head and tail generations. */
static void test_frame_generations(void **unused)
{
	struct buf b = {0};
	sockstate__pcb_frame f;
	char detail[SOCKSTATE__PCB_DETAIL_LEN];

	(void)unused;
	put_xinpgen(&b, &fact_freebsd.gen, 100);
	fbsd_add(&b, &fbsd_sample[0]);
	put_xinpgen(&b, &fact_freebsd.gen, 103);
	assert_int_equal(sockstate__pcb_frame_find(b.p, b.len, &fact_freebsd.gen, "x", &f,
	                                           detail, sizeof detail), 0);
	assert_int_equal(f.first, 64);
	assert_int_equal(f.end, 64 + 744);
	assert_true(f.head_gen == 100);
	assert_true(f.tail_gen == 103);
	assert_int_equal(f.has_tail, 1);
	buf_free(&b);

	/* macOS with no PCB at all: the head alone. */
	put_xinpgen(&b, &fact_macos.gen, 9);
	assert_int_equal(b.len, 24);
	assert_int_equal(sockstate__pcb_frame_find(b.p, b.len, &fact_macos.gen, "x", &f,
	                                           detail, sizeof detail), 0);
	assert_int_equal(f.first, 24);
	assert_int_equal(f.end, 24);
	assert_int_equal(f.has_tail, 0);
	assert_true(f.head_gen == 9 && f.tail_gen == 9);
	buf_free(&b);
}

/* ---- FreeBSD: kern.file joined on the socket address ---- */

static void put_xfile(struct buf *b, uint64_t size, int32_t pid, int16_t type,
                      uint64_t data)
{
	size_t off = grow(b, fact_xfile.size);

	put64(b, off, size);
	put32(b, off + fact_xfile.pid_off, (uint32_t)pid);
	put16(b, off + fact_xfile.type_off, (uint16_t)type);
	put64(b, off + fact_xfile.data_off, data);
}

static void test_freebsd_files(void **unused)
{
	sockstate__owners *map = sockstate__owners_new();
	char detail[SOCKSTATE__PCB_DETAIL_LEN];
	struct buf b = {0};
	const int32_t *pids;
	uint32_t n = 0;

	(void)unused;
	assert_non_null(map);
	put_xfile(&b, 128, 200, 2, 0xA000);  /* a socket in pid 200 */
	put_xfile(&b, 128, 100, 1, 0xA000);  /* a vnode whose data looks alike */
	put_xfile(&b, 128, 100, 2, 0xA000);  /* the same socket in pid 100 */
	put_xfile(&b, 128, 100, 2, 0xA000);  /* ... on a second descriptor */
	put_xfile(&b, 128, 100, 2, 0xB000);
	put_xfile(&b, 128, 300, 2, 0);       /* no data: no socket to join */
	assert_int_equal(sockstate__freebsd_files_decode(b.p, b.len, &fact_xfile, map, detail,
	                                                 sizeof detail), 0);
	assert_int_equal(sockstate__owners_finish(map), 0);
	pids = sockstate__owners_find(map, 0xA000, &n);
	assert_int_equal(n, 2);
	assert_int_equal(pids[0], 100);
	assert_int_equal(pids[1], 200);
	pids = sockstate__owners_find(map, 0xB000, &n);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], 100);
	assert_null(sockstate__owners_find(map, 0, &n));
	assert_int_equal(n, 0);

	/* A record of another size, or a reply not made of whole records. */
	put64(&b, 128, 120);
	assert_int_equal(sockstate__freebsd_files_decode(b.p, b.len, &fact_xfile, map, detail,
	                                                 sizeof detail), SOCKSTATE_EABI);
	assert_string_equal(detail, "kern.file: record at offset 128 declares 120 bytes; "
	                    "this build knows struct xfile of 128");
	assert_int_equal(sockstate__freebsd_files_decode(b.p, 200, &fact_xfile, map, detail,
	                                                 sizeof detail), SOCKSTATE_EABI);
	assert_string_equal(detail, "kern.file: reply of 200 bytes is not a whole number of "
	                    "128-byte xfile records");
	sockstate__owners_free(map);
	buf_free(&b);
}

/* ---- process names (kern.proc.proc, kern.proc.all) ---- */

static void put_proc(struct buf *b, const sockstate__kproc_layout *L, uint32_t size,
                     int32_t pid, const char *comm)
{
	size_t off = grow(b, L->size);

	if (L->size_field_size == 4)
		put32(b, off, size);
	put32(b, off + L->pid_off, (uint32_t)pid);
	memcpy(b->p + off + L->comm_off, comm, strnlen(comm, L->comm_len));
}

static void test_proc_names(void **unused)
{
	const sockstate__kproc_layout *layouts[] = {&fact_freebsd_proc, &fact_macos_proc};

	(void)unused;
	for (size_t i = 0; i < 2; i++) {
		const sockstate__kproc_layout *L = layouts[i];
		sockstate__owners *map = sockstate__owners_new();
		char detail[SOCKSTATE__PCB_DETAIL_LEN];
		char full[32];
		struct buf b = {0};

		assert_non_null(map);
		/* a name filling the whole field, without a NUL */
		memset(full, 'x', sizeof full);
		full[L->comm_len] = '\0';
		put_proc(&b, L, L->size, 1, "init");
		put_proc(&b, L, L->size, 812, "sshd");
		put_proc(&b, L, L->size, 900, full);
		put_proc(&b, L, L->size, 901, "");
		assert_int_equal(sockstate__kproc_names(b.p, b.len, L, map, detail,
		                                        sizeof detail), 0);
		assert_int_equal(sockstate__owners_finish(map), 0);
		assert_string_equal(sockstate__owners_pid_name(map, 1), "init");
		assert_string_equal(sockstate__owners_pid_name(map, 812), "sshd");
		assert_string_equal(sockstate__owners_pid_name(map, 900), full);
		assert_int_equal(strlen(sockstate__owners_pid_name(map, 900)), L->comm_len);
		assert_null(sockstate__owners_pid_name(map, 901));
		assert_null(sockstate__owners_pid_name(map, 2));

		assert_int_equal(sockstate__kproc_names(b.p, b.len - 1, L, map, detail,
		                                        sizeof detail), SOCKSTATE_EABI);
		if (L->size_field_size == 4) {
			assert_string_equal(detail, "kern.proc.proc: reply of 4351 bytes is not a "
			                    "whole number of 1088-byte kinfo_proc records");
			put32(&b, L->size, 1000);
			assert_int_equal(sockstate__kproc_names(b.p, b.len, L, map, detail,
			                                        sizeof detail), SOCKSTATE_EABI);
			assert_string_equal(detail, "kern.proc.proc: record at offset 1088 declares "
			                    "1000 bytes; this build knows kinfo_proc of 1088");
		} else {
			assert_string_equal(detail, "kern.proc.all: reply of 2591 bytes is not a "
			                    "whole number of 648-byte kinfo_proc records");
		}
		sockstate__owners_free(map);
		buf_free(&b);
	}
}

/* ---- macOS: net.inet.tcp.pcblist_n ---- */

struct mac_sock {
	uint8_t vflag;
	uint32_t inp_flags;
	const char *laddr, *faddr;
	uint16_t lport, fport;
	int32_t state;
	uint64_t so;
	uint32_t uid;
	int32_t last_pid;
	int16_t qlen, qlimit;
	uint32_t rcv, snd;
};

static size_t round8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

/* One kind-tagged record of len bytes (padded to 8); returns its offset. */
static size_t mac_record(struct buf *b, uint32_t kind, uint32_t len)
{
	size_t off = grow(b, round8(len));

	put32(b, off, len);
	put32(b, off + 4, kind);
	return off;
}

static void mac_inpcb(struct buf *b, const struct mac_sock *m)
{
	const sockstate__macos_layout *L = &fact_macos;
	size_t off = mac_record(b, L->kind_inpcb, L->xinpcb_size);

	b->p[off + L->inp.vflag_off] = m->vflag;
	put32(b, off + L->inp.flags_off, m->inp_flags);
	put_addr(b, off + L->inp.laddr_off, m->laddr);
	put_addr(b, off + L->inp.faddr_off, m->faddr);
	put_port(b, off + L->inp.lport_off, m->lport);
	put_port(b, off + L->inp.fport_off, m->fport);
}

static void mac_socket(struct buf *b, const struct mac_sock *m, uint32_t len)
{
	const sockstate__macos_layout *L = &fact_macos;
	size_t off = mac_record(b, L->kind_socket, len);

	if (len < L->xsocket_size)
		return;
	put64(b, off + L->so_off, m->so);
	put32(b, off + L->uid_off, m->uid);
	put32(b, off + L->last_pid_off, (uint32_t)m->last_pid);
	put16(b, off + L->qlen_off, (uint16_t)m->qlen);
	put16(b, off + L->qlimit_off, (uint16_t)m->qlimit);
}

static void mac_sockbuf(struct buf *b, uint32_t kind, uint32_t cc)
{
	size_t off = mac_record(b, kind, fact_macos.xsockbuf_size);

	put32(b, off + fact_macos.sb_cc_off, cc);
}

static void mac_tcpcb(struct buf *b, int32_t state)
{
	size_t off = mac_record(b, fact_macos.kind_tcpcb, fact_macos.xtcpcb_size);

	put32(b, off + fact_macos.state_off, (uint32_t)state);
}

/* One socket as get_pcblist_n writes it. */
static void mac_add(struct buf *b, const struct mac_sock *m)
{
	mac_inpcb(b, m);
	mac_socket(b, m, fact_macos.xsocket_size);
	mac_sockbuf(b, fact_macos.kind_rcvbuf, m->rcv);
	mac_sockbuf(b, fact_macos.kind_sndbuf, m->snd);
	mac_record(b, FACT_MACOS_XSO_STATS, FACT_MACOS_XSOCKSTAT_SIZE);
	mac_tcpcb(b, m->state);
}

static const struct mac_sock mac_sample[] = {
	{.vflag = 0x1, .laddr = "10.0.0.5", .faddr = "93.184.216.34", .lport = 49152,
	 .fport = 443, .state = 4, .so = 0x1234abcd5678ef00u, .uid = 501, .last_pid = 4242,
	 .qlen = 5, .qlimit = 6, .rcv = 1500, .snd = 0},
	{.vflag = 0x2, .laddr = "::1", .faddr = "::", .lport = 631, .state = 1,
	 .so = 0x1234abcd5678ef80u, .uid = 0, .last_pid = 77, .qlen = 2, .qlimit = 128},
	/* a flow of the user-space stack: no kernel socket, pid known */
	{.vflag = 0x2, .laddr = "fe80:9::2", .faddr = "fe80:9::3", .lport = 5000,
	 .fport = 6000, .state = 6, .so = 0, .uid = 0, .last_pid = 300},
	/* a PCB whose socket is gone: no pid either */
	{.vflag = 0x1, .laddr = "10.0.0.5", .faddr = "10.0.0.6", .lport = 80, .fport = 81,
	 .state = 10, .so = 0, .last_pid = 0},
};
#define NMAC (sizeof mac_sample / sizeof mac_sample[0])

static void mac_reply(struct buf *b, const struct mac_sock *socks, size_t n)
{
	put_xinpgen(b, &fact_macos.gen, 7);
	for (size_t i = 0; i < n; i++)
		mac_add(b, &socks[i]);
	put_xinpgen(b, &fact_macos.gen, 7);
}

static void test_macos_records(void **unused)
{
	struct buf b = {0};
	struct seen seen = {0};
	sockstate__pcb_sink sink = sink_all(&seen);
	const sockstate_socket *s;

	(void)unused;
	mac_reply(&b, mac_sample, NMAC);
	/* 104 + 104 + 32 + 32 + 136 + 208 (204 padded) per socket */
	assert_int_equal(b.len, 24 + NMAC * 616 + 24);
	sink.with_pids = 1;
	assert_int_equal(sockstate__macos_pcblist_decode(b.p, b.len, &fact_macos, &sink), 0);
	assert_int_equal(sink.records, 4);
	assert_int_equal(seen.n, 4);

	s = &seen.s[0];
	assert_int_equal(s->family, SOCKSTATE_FAMILY_IPV4);
	assert_string_equal(addr_text(s, &s->local), "10.0.0.5");
	assert_string_equal(addr_text(s, &s->remote), "93.184.216.34");
	assert_int_equal(s->local.port, 49152);
	assert_int_equal(s->remote.port, 443);
	assert_int_equal(s->state, SOCKSTATE_ESTABLISHED);
	assert_string_equal(s->native_name, "ESTABLISHED");
	assert_int_equal(s->valid, SOCKSTATE_HAS_UID | SOCKSTATE_HAS_QUEUES | SOCKSTATE_HAS_PID);
	assert_int_equal(s->uid, 501);
	assert_int_equal(s->rx_queue, 1500);
	assert_int_equal(s->tx_queue, 0);
	assert_int_equal(s->pid, 4242);
	assert_int_equal(s->pid_count, 1);
	assert_null(s->pids);
	assert_true(seen.key[0] == 0);

	s = &seen.s[1];
	assert_int_equal(s->family, SOCKSTATE_FAMILY_IPV6);
	assert_string_equal(addr_text(s, &s->local), "::1");
	assert_int_equal(s->state, SOCKSTATE_LISTEN);
	assert_int_equal(s->rx_queue, 2);
	assert_int_equal(s->tx_queue, 128);
	assert_int_equal(s->pid, 77);

	s = &seen.s[2];
	assert_string_equal(addr_text(s, &s->local), "fe80::2");
	assert_string_equal(addr_text(s, &s->remote), "fe80::3");
	assert_int_equal(s->local.scope_id, 9);
	assert_int_equal(s->remote.scope_id, 9);
	assert_int_equal(s->state, SOCKSTATE_FIN_WAIT_1);
	assert_string_equal(s->native_name, "FIN_WAIT_1");
	assert_int_equal(s->valid, SOCKSTATE_HAS_PID | SOCKSTATE_HAS_V6ONLY);
	assert_int_equal(s->uid, -1);
	assert_int_equal(s->pid, 300);

	s = &seen.s[3];
	assert_int_equal(s->state, SOCKSTATE_TIME_WAIT);
	assert_int_equal(s->valid, 0);
	assert_int_equal(s->pid, -1);
	assert_int_equal(s->pid_count, 0);

	/* Without pids asked for, none is reported. */
	seen = (struct seen){0};
	sink = sink_all(&seen);
	assert_int_equal(sockstate__macos_pcblist_decode(b.p, b.len, &fact_macos, &sink), 0);
	assert_int_equal(seen.n, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(seen.s[i].pid, -1);
		assert_false(seen.s[i].valid & SOCKSTATE_HAS_PID);
	}
	assert_int_equal(seen.s[0].valid, SOCKSTATE_HAS_UID | SOCKSTATE_HAS_QUEUES);

	/* Filters and stop, as for FreeBSD. */
	seen = (struct seen){0};
	sink = sink_all(&seen);
	sink.families = 1u << SOCKSTATE_FAMILY_IPV6;
	sink.states = SOCKSTATE_STATE_BIT(SOCKSTATE_FIN_WAIT_1) |
	              SOCKSTATE_STATE_BIT(SOCKSTATE_TIME_WAIT);
	assert_int_equal(sockstate__macos_pcblist_decode(b.p, b.len, &fact_macos, &sink), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.s[0].local.port, 5000);
	seen = (struct seen){.stop_at = 3, .stop_value = 2};
	sink = sink_all(&seen);
	assert_int_equal(sockstate__macos_pcblist_decode(b.p, b.len, &fact_macos, &sink), 2);
	assert_int_equal(seen.n, 3);
	buf_free(&b);
}

/* IPV6_V6ONLY from inp_flags, on both OSes: a dual-stack wildcard
 * listener (INP_IPV4 | INP_IPV6, the flag clear), an IPv6-only one (the
 * flag set), and an IPv4 socket, of which it is never said. */
static void check_v6only(const struct seen *seen)
{
	assert_int_equal(seen->n, 3);
	assert_int_equal(seen->s[0].family, SOCKSTATE_FAMILY_IPV6);
	assert_true(seen->s[0].valid & SOCKSTATE_HAS_V6ONLY);
	assert_int_equal(seen->s[0].local.flags, 0);
	assert_int_equal(seen->s[0].remote.flags, 0);
	assert_int_equal(seen->s[1].family, SOCKSTATE_FAMILY_IPV6);
	assert_true(seen->s[1].valid & SOCKSTATE_HAS_V6ONLY);
	assert_int_equal(seen->s[1].local.flags, SOCKSTATE_ENDPOINT_V6ONLY);
	assert_int_equal(seen->s[1].remote.flags, 0);
	assert_int_equal(seen->s[2].family, SOCKSTATE_FAMILY_IPV4);
	assert_false(seen->s[2].valid & SOCKSTATE_HAS_V6ONLY);
	assert_int_equal(seen->s[2].local.flags, 0);
}

static void test_v6only_from_inp_flags(void **unused)
{
	static const struct fbsd_rec fbsd[] = {
		{.vflag = 0x3, .laddr = "::", .faddr = "::", .lport = 443, .state = 1,
		 .so = 0xfffff80012347000u},
		{.vflag = 0x2, .inp_flags = 0x8000, .laddr = "::", .faddr = "::",
		 .lport = 444, .state = 1, .so = 0xfffff80012349000u},
		{.vflag = 0x1, .inp_flags = 0x8000, .laddr = "0.0.0.0", .faddr = "0.0.0.0",
		 .lport = 445, .state = 1, .so = 0xfffff8001234a000u},
	};
	static const struct mac_sock mac[] = {
		{.vflag = 0x3, .laddr = "::", .faddr = "::", .lport = 443, .state = 1,
		 .so = 0x1234abcd5678ef80u},
		{.vflag = 0x2, .inp_flags = 0x8000, .laddr = "::", .faddr = "::",
		 .lport = 444, .state = 1, .so = 0x1234abcd5678efc0u},
		{.vflag = 0x1, .inp_flags = 0x8000, .laddr = "0.0.0.0", .faddr = "0.0.0.0",
		 .lport = 445, .state = 1, .so = 0x1234abcd5678f000u},
	};
	struct buf b = {0};
	struct seen seen = {0};
	sockstate__pcb_sink sink = sink_all(&seen);

	(void)unused;
	fbsd_reply(&b, fbsd, 3);
	assert_int_equal(sockstate__freebsd_pcblist_decode(b.p, b.len, &fact_freebsd, &sink), 0);
	check_v6only(&seen);
	buf_free(&b);

	b = (struct buf){0};
	seen = (struct seen){0};
	sink = sink_all(&seen);
	mac_reply(&b, mac, 3);
	assert_int_equal(sockstate__macos_pcblist_decode(b.p, b.len, &fact_macos, &sink), 0);
	check_v6only(&seen);
	buf_free(&b);
}

/* Kinds we do not read are stepped over wherever they sit; the socket's
 * own records may come in any order after its xinpcb_n. */
static void test_macos_unknown_kinds_and_order(void **unused)
{
	const struct mac_sock *m = &mac_sample[0];
	struct buf b = {0};
	struct seen seen = {0};
	sockstate__pcb_sink sink = sink_all(&seen);
	size_t off;

	(void)unused;
	put_xinpgen(&b, &fact_macos.gen, 1);
	off = mac_record(&b, 0x400, 13);     /* before any socket */
	b.p[off + 12] = 0xff;
	mac_inpcb(&b, m);
	mac_tcpcb(&b, m->state);
	mac_record(&b, 0x800, 40);           /* inside a socket */
	mac_sockbuf(&b, fact_macos.kind_sndbuf, 9);
	mac_socket(&b, m, fact_macos.xsocket_size);
	mac_sockbuf(&b, fact_macos.kind_rcvbuf, 8);
	mac_add(&b, &mac_sample[1]);
	mac_record(&b, 0x1000, 8);           /* after the last one */
	put_xinpgen(&b, &fact_macos.gen, 1);
	assert_int_equal(sockstate__macos_pcblist_decode(b.p, b.len, &fact_macos, &sink), 0);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.s[0].local.port, 49152);
	assert_int_equal(seen.s[0].rx_queue, 8);
	assert_int_equal(seen.s[0].tx_queue, 9);
	assert_int_equal(seen.s[0].uid, 501);
	assert_int_equal(seen.s[1].local.port, 631);
	buf_free(&b);

	/* Without both socket buffers, queues are unknown; uid still known. */
	seen = (struct seen){0};
	sink = sink_all(&seen);
	put_xinpgen(&b, &fact_macos.gen, 1);
	mac_inpcb(&b, m);
	mac_socket(&b, m, fact_macos.xsocket_size);
	mac_sockbuf(&b, fact_macos.kind_rcvbuf, 8);
	mac_tcpcb(&b, m->state);
	put_xinpgen(&b, &fact_macos.gen, 1);
	assert_int_equal(sockstate__macos_pcblist_decode(b.p, b.len, &fact_macos, &sink), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.s[0].valid, SOCKSTATE_HAS_UID);
	assert_int_equal(seen.s[0].rx_queue, 0);
	buf_free(&b);
}

static void test_macos_head_only_and_unaligned(void **unused)
{
	struct buf b = {0};
	struct seen seen = {0}, seen2 = {0};
	sockstate__pcb_sink sink = sink_all(&seen);
	unsigned char *odd;

	(void)unused;
	put_xinpgen(&b, &fact_macos.gen, 3);
	assert_int_equal(sockstate__macos_pcblist_decode(b.p, b.len, &fact_macos, &sink), 0);
	assert_int_equal(seen.n, 0);
	buf_free(&b);

	mac_reply(&b, mac_sample, NMAC);
	odd = malloc(b.len + 3);
	assert_non_null(odd);
	memcpy(odd + 3, b.p, b.len);
	sink = sink_all(&seen);
	sink.with_pids = 1;
	assert_int_equal(sockstate__macos_pcblist_decode(b.p, b.len, &fact_macos, &sink), 0);
	sink = sink_all(&seen2);
	sink.with_pids = 1;
	assert_int_equal(sockstate__macos_pcblist_decode(odd + 3, b.len, &fact_macos, &sink),
	                 0);
	assert_int_equal(seen2.n, 4);
	assert_memory_equal(seen.s, seen2.s, sizeof seen.s[0] * 4);
	free(odd);
	buf_free(&b);
}

/* A decode that must fail with code and exactly this detail. */
static void expect_macos_fail(const struct buf *b, int code, const char *detail)
{
	struct seen seen = {0};
	sockstate__pcb_sink sink = sink_all(&seen);

	assert_int_equal(sockstate__macos_pcblist_decode(b->p, b->len, &fact_macos, &sink),
	                 code);
	assert_string_equal(sink.detail, detail);
}

static void test_macos_refusals(void **unused)
{
	const struct mac_sock *m = &mac_sample[0];
	struct buf b = {0};

	(void)unused;
	/* macOS 12's shorter xsocket_n: a layout this build does not know */
	put_xinpgen(&b, &fact_macos.gen, 1);
	mac_inpcb(&b, m);
	mac_socket(&b, m, 76);
	mac_tcpcb(&b, m->state);
	put_xinpgen(&b, &fact_macos.gen, 1);
	expect_macos_fail(&b, SOCKSTATE_EABI, "net.inet.tcp.pcblist_n: xsocket_n record at "
	                  "offset 128 declares 76 bytes; this build knows 104 (macOS 13 and "
	                  "later)");
	buf_free(&b);

	/* a longer xtcpcb_n of some later release: refused too */
	put_xinpgen(&b, &fact_macos.gen, 1);
	mac_inpcb(&b, m);
	mac_record(&b, fact_macos.kind_tcpcb, 212);
	put_xinpgen(&b, &fact_macos.gen, 1);
	expect_macos_fail(&b, SOCKSTATE_EABI, "net.inet.tcp.pcblist_n: xtcpcb_n record at "
	                  "offset 128 declares 212 bytes; this build knows 204 (macOS 13 and "
	                  "later)");
	buf_free(&b);

	/* a record shorter than its own header */
	put_xinpgen(&b, &fact_macos.gen, 1);
	mac_record(&b, 0x400, 4);
	put_xinpgen(&b, &fact_macos.gen, 1);
	expect_macos_fail(&b, SOCKSTATE_EPARSE, "net.inet.tcp.pcblist_n: record at offset 24 "
	                  "declares 4 bytes, less than its own header");
	buf_free(&b);

	/* a record running past the tail */
	put_xinpgen(&b, &fact_macos.gen, 1);
	mac_inpcb(&b, m);
	put32(&b, 24, 200);
	put_xinpgen(&b, &fact_macos.gen, 1);
	expect_macos_fail(&b, SOCKSTATE_EPARSE, "net.inet.tcp.pcblist_n: record at offset 24 "
	                  "(kind 0x10, 200 bytes) is truncated: it runs past the trailing "
	                  "xinpgen");
	buf_free(&b);

	/* a copy cut short: the last bytes are no xinpgen */
	mac_reply(&b, mac_sample, 2);
	b.len -= 24;
	expect_macos_fail(&b, SOCKSTATE_EPARSE, "net.inet.tcp.pcblist_n: trailing xinpgen at "
	                  "offset 1232 declares 0 bytes, not 24: the reply is truncated or of "
	                  "a layout this build does not know");
	buf_free(&b);

	/* stray bytes too few for a record header */
	put_xinpgen(&b, &fact_macos.gen, 1);
	grow(&b, 4);
	put_xinpgen(&b, &fact_macos.gen, 1);
	expect_macos_fail(&b, SOCKSTATE_EPARSE, "net.inet.tcp.pcblist_n: 4 stray bytes at "
	                  "offset 24 before the trailing xinpgen");
	buf_free(&b);

	/* one kind twice in a socket */
	put_xinpgen(&b, &fact_macos.gen, 1);
	mac_inpcb(&b, m);
	mac_socket(&b, m, fact_macos.xsocket_size);
	mac_socket(&b, m, fact_macos.xsocket_size);
	mac_tcpcb(&b, m->state);
	put_xinpgen(&b, &fact_macos.gen, 1);
	expect_macos_fail(&b, SOCKSTATE_EPARSE, "net.inet.tcp.pcblist_n: second xsocket_n "
	                  "record at offset 232 in the socket at offset 24");
	buf_free(&b);

	/* a socket without its xtcpcb_n (the next xinpcb_n ends it) */
	put_xinpgen(&b, &fact_macos.gen, 1);
	mac_inpcb(&b, m);
	mac_socket(&b, m, fact_macos.xsocket_size);
	mac_add(&b, &mac_sample[1]);
	put_xinpgen(&b, &fact_macos.gen, 1);
	expect_macos_fail(&b, SOCKSTATE_EPARSE, "net.inet.tcp.pcblist_n: socket at offset 24 "
	                  "has no xtcpcb_n record");
	buf_free(&b);

	/* ... or without its xsocket_n, at the tail */
	put_xinpgen(&b, &fact_macos.gen, 1);
	mac_inpcb(&b, m);
	mac_tcpcb(&b, m->state);
	put_xinpgen(&b, &fact_macos.gen, 1);
	expect_macos_fail(&b, SOCKSTATE_EPARSE, "net.inet.tcp.pcblist_n: socket at offset 24 "
	                  "has no xsocket_n record");
	buf_free(&b);

	/* a socket's record before any xinpcb_n */
	put_xinpgen(&b, &fact_macos.gen, 1);
	mac_tcpcb(&b, 4);
	put_xinpgen(&b, &fact_macos.gen, 1);
	expect_macos_fail(&b, SOCKSTATE_EPARSE, "net.inet.tcp.pcblist_n: xtcpcb_n record at "
	                  "offset 24 comes before any xinpcb_n");
	buf_free(&b);

	/* a head of another size */
	put_xinpgen(&b, &fact_macos.gen, 1);
	put32(&b, 0, 32);
	put_xinpgen(&b, &fact_macos.gen, 1);
	expect_macos_fail(&b, SOCKSTATE_EABI, "net.inet.tcp.pcblist_n: xinpgen header "
	                  "declares 32 bytes; this build knows 24");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcps_both_ways),
		cmocka_unit_test(test_freebsd_records),
		cmocka_unit_test(test_freebsd_every_state),
		cmocka_unit_test(test_freebsd_filters_and_stop),
		cmocka_unit_test(test_freebsd_empty_and_unaligned),
		cmocka_unit_test(test_freebsd_unknown_record_length),
		cmocka_unit_test(test_freebsd_truncated),
		cmocka_unit_test(test_frame_generations),
		cmocka_unit_test(test_freebsd_files),
		cmocka_unit_test(test_proc_names),
		cmocka_unit_test(test_macos_records),
		cmocka_unit_test(test_v6only_from_inp_flags),
		cmocka_unit_test(test_macos_unknown_kinds_and_order),
		cmocka_unit_test(test_macos_head_only_and_unaligned),
		cmocka_unit_test(test_macos_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
