/* test_counters_bsd.c - struct tcpstat (net.inet.tcp.stats) to TCP
 * counters (platform/bsd/tcpstat_decode.c), on constructed structs laid
 * out by the layout facts of FreeBSD 14.2 and macOS 13-14 and 15: every
 * counter read from its own field(s) and no other, sums summed, the
 * release picked by the struct's size, any other size refused (EABI),
 * and the read through a scripted sysctl. Runs on any OS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>

#include "pcblist_facts.h"

static sockstate_tcp_counters empty(void)
{
	sockstate_tcp_counters c = {.size = sizeof c};

	sockstate__tcp_counters_clear(&c, NULL);
	return c;
}

static sockstate__tcpstat_layout layout(const fact_tcpstat *f)
{
	sockstate__tcpstat_layout L;

	assert_int_equal(fact_tcpstat_layout(f, &L), 0);
	return L;
}

/* A value for each field the facts place, unlike any other: the field's
 * offset times a large odd number, so a sum of the wrong fields cannot
 * match; the later a field, the larger (a total comes before its parts:
 * differences stay positive). Fits 32 bits for macOS. */
static uint64_t value_at(uint32_t off, uint32_t width)
{
	uint64_t v = (uint64_t)(1000 - off) * 1000003u;

	return width == 8 ? v << 20 : v;
}

/* A struct tcpstat of f's size: every byte 0xEE (a field we must not
 * read would show), the facts' fields set to value_at. Returned at
 * buf + skew, so no alignment is assumed. */
static unsigned char *tcpstat(const fact_tcpstat *f, unsigned char *buf, size_t skew)
{
	unsigned char *p = buf + skew;

	memset(p, 0xEE, f->size);
	for (size_t i = 0; i < f->count; i++) {
		uint64_t v = value_at(f->fields[i].off, f->width);

		if (f->width == 8) {
			memcpy(p + f->fields[i].off, &v, 8);
		} else {
			uint32_t v32 = (uint32_t)v;
			memcpy(p + f->fields[i].off, &v32, 4);
		}
	}
	return p;
}

/* Each known counter holds the sum of its native fields, by name. */
static void assert_counters(const sockstate_tcp_counters *c, const fact_tcpstat *f,
                            uint64_t kept)
{
	assert_int_equal(c->valid, kept);
	for (int k = 0; k < SOCKSTATE_COUNTER_COUNT; k++) {
		const char *native = sockstate__counter_native((sockstate_counter)k, f->os);
		uint64_t want = 0;

		if (!(kept & SOCKSTATE_COUNTER_BIT(k))) {
			assert_null(c->native[k]);
			assert_int_equal(c->value[k], 0);
			continue;
		}
		assert_string_equal(c->native[k], native);
		for (const char *p = native, *sign = "+"; *p;) {
			size_t len = strcspn(p, " ");
			long off = fact_tcpstat_offset(f, p, len);

			assert_true(off >= 0);
			if (*sign == '-')
				want -= value_at((uint32_t)off, f->width);
			else
				want += value_at((uint32_t)off, f->width);
			p += len;
			sign = p + 1;
			if (*p)
				p += 3;
		}
		assert_int_equal(c->value[k], want);
	}
}

#define BIT(c) SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_##c)
#define KEPT_BY_BOTH                                                                     \
	(BIT(ACTIVE_OPENS) | BIT(PASSIVE_OPENS) | BIT(ATTEMPT_FAILS) |                   \
	 BIT(ESTABLISHED_RESETS) | BIT(SEGMENTS_RECEIVED) | BIT(SEGMENTS_SENT) |         \
	 BIT(SEGMENTS_RETRANSMITTED) | BIT(BAD_SEGMENTS_RECEIVED) | BIT(TIMEOUTS) |       \
	 BIT(LISTEN_OVERFLOWS) | BIT(ABORTS_ON_TIMEOUT))
#define KEPT_BY_FREEBSD (KEPT_BY_BOTH | BIT(SYNCOOKIES_SENT) | BIT(SYNCOOKIES_RECEIVED))
#define KEPT_BY_MACOS KEPT_BY_BOTH

static void test_facts_place_every_field_the_table_names(void **unused)
{
	const fact_tcpstat *all[] = {&fact_freebsd_tcpstat, &fact_macos13_tcpstat,
	                             &fact_macos15_tcpstat};

	(void)unused;
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		sockstate__tcpstat_layout L = layout(all[i]);
		uint64_t placed = 0;

		for (int k = 0; k < SOCKSTATE_COUNTER_COUNT; k++)
			if (L.field[k].parts)
				placed |= SOCKSTATE_COUNTER_BIT(k);
		assert_int_equal(placed, all[i]->os == SOCKSTATE__COUNTERS_FREEBSD
		                         ? KEPT_BY_FREEBSD : KEPT_BY_MACOS);
		/* Sums: 3 fields of bad segments, 3 (FreeBSD) or 5 (macOS) of
		 * timeout aborts. */
		assert_int_equal(L.field[SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED].parts, 3);
		assert_int_equal(L.field[SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT].parts,
		                 all[i]->os == SOCKSTATE__COUNTERS_FREEBSD ? 3 : 5);
		/* Segments sent: the total less the retransmitted. */
		assert_int_equal(L.field[SOCKSTATE_COUNTER_SEGMENTS_SENT].parts, 2);
		assert_int_equal(L.field[SOCKSTATE_COUNTER_SEGMENTS_SENT].minus, 1u << 1);
		assert_int_equal(L.field[SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT].minus, 0);
	}
}

static void test_freebsd(void **unused)
{
	static unsigned char buf[2048];
	sockstate__tcpstat_layout L = layout(&fact_freebsd_tcpstat);
	const sockstate__tcpstat_layout *layouts[] = {&L};
	char detail[SOCKSTATE__PCB_DETAIL_LEN] = "";

	(void)unused;
	for (size_t skew = 0; skew < 8; skew += 3) {
		sockstate_tcp_counters c = empty();
		unsigned char *p = tcpstat(&fact_freebsd_tcpstat, buf, skew);

		assert_int_equal(sockstate__tcpstat_decode(p, 984, layouts, 1, &c, detail,
		                                           sizeof detail), 0);
		assert_counters(&c, &fact_freebsd_tcpstat, KEPT_BY_FREEBSD);
		assert_string_equal(c.native[SOCKSTATE_COUNTER_LISTEN_OVERFLOWS], "tcps_listendrop");
		assert_null(c.native[SOCKSTATE_COUNTER_RESETS_SENT]);
		assert_null(c.native[SOCKSTATE_COUNTER_SYN_RETRANSMITS]);
	}
	assert_string_equal(detail, "");
}

/* Values that fill 64 bits add up in 64 bits. */
static void test_freebsd_large_values(void **unused)
{
	static unsigned char buf[984];
	sockstate__tcpstat_layout L = layout(&fact_freebsd_tcpstat);
	const sockstate__tcpstat_layout *layouts[] = {&L};
	sockstate_tcp_counters c = empty();
	uint64_t big = UINT64_C(1) << 62;
	char detail[SOCKSTATE__PCB_DETAIL_LEN];

	(void)unused;
	memset(buf, 0, sizeof buf);
	memcpy(buf + 248, &big, 8);   /* tcps_rcvbadsum */
	memcpy(buf + 256, &big, 8);   /* tcps_rcvbadoff */
	memcpy(buf + 0, &big, 8);     /* tcps_connattempt */
	assert_int_equal(sockstate__tcpstat_decode(buf, sizeof buf, layouts, 1, &c, detail,
	                                           sizeof detail), 0);
	assert_int_equal(c.value[SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED], 2 * big);
	assert_int_equal(c.value[SOCKSTATE_COUNTER_ACTIVE_OPENS], big);
	assert_int_equal(c.value[SOCKSTATE_COUNTER_PASSIVE_OPENS], 0);
	assert_true(c.valid & BIT(PASSIVE_OPENS)); /* a known 0 */
}

/* A total read before its part grew (the kernel sums each per-CPU counter
 * apart) would give a negative difference: unknown, not a guess. */
static void test_negative_difference_unknown(void **unused)
{
	static unsigned char buf[984];
	sockstate__tcpstat_layout L = layout(&fact_freebsd_tcpstat);
	const sockstate__tcpstat_layout *layouts[] = {&L};
	sockstate_tcp_counters c = empty();
	uint64_t total = 100, retransmitted = 101;
	char detail[SOCKSTATE__PCB_DETAIL_LEN];

	(void)unused;
	memset(buf, 0, sizeof buf);
	memcpy(buf + 136, &total, 8);          /* tcps_sndtotal */
	memcpy(buf + 160, &retransmitted, 8);  /* tcps_sndrexmitpack */
	assert_int_equal(sockstate__tcpstat_decode(buf, sizeof buf, layouts, 1, &c, detail,
	                                           sizeof detail), 0);
	assert_false(c.valid & BIT(SEGMENTS_SENT));
	assert_null(c.native[SOCKSTATE_COUNTER_SEGMENTS_SENT]);
	assert_int_equal(c.value[SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED], 101);
	/* Equal: 0 sent beyond retransmissions, a known 0. */
	total = 101;
	memcpy(buf + 136, &total, 8);
	c = empty();
	assert_int_equal(sockstate__tcpstat_decode(buf, sizeof buf, layouts, 1, &c, detail,
	                                           sizeof detail), 0);
	assert_true(c.valid & BIT(SEGMENTS_SENT));
	assert_int_equal(c.value[SOCKSTATE_COUNTER_SEGMENTS_SENT], 0);
}

/* One build reads macOS 13-14's struct and macOS 15's, each at its own
 * offsets: the fields the other release has there are left alone. */
static void test_macos_both_releases(void **unused)
{
	static unsigned char buf[2048];
	sockstate__tcpstat_layout L13 = layout(&fact_macos13_tcpstat);
	sockstate__tcpstat_layout L15 = layout(&fact_macos15_tcpstat);
	const sockstate__tcpstat_layout *layouts[] = {&L13, &L15};
	const fact_tcpstat *releases[] = {&fact_macos13_tcpstat, &fact_macos15_tcpstat};
	char detail[SOCKSTATE__PCB_DETAIL_LEN];

	(void)unused;
	for (size_t r = 0; r < 2; r++) {
		sockstate_tcp_counters c = empty();
		unsigned char *p = tcpstat(releases[r], buf, 1);

		assert_int_equal(sockstate__tcpstat_decode(p, releases[r]->size, layouts, 2, &c,
		                                           detail, sizeof detail), 0);
		assert_counters(&c, releases[r], KEPT_BY_MACOS);
		assert_string_equal(c.native[SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT],
		                    "tcps_timeoutdrop + tcps_rxtfindrop + tcps_drop_after_sleep"
		                    " + tcps_persistdrop + tcps_keepdrops");
		/* xnu keeps the syncache fields but never moves them. */
		assert_null(c.native[SOCKSTATE_COUNTER_SYNCOOKIES_SENT]);
	}
}

static void test_other_sizes_refused(void **unused)
{
	static unsigned char buf[2048];
	sockstate__tcpstat_layout F = layout(&fact_freebsd_tcpstat);
	sockstate__tcpstat_layout L13 = layout(&fact_macos13_tcpstat);
	sockstate__tcpstat_layout L15 = layout(&fact_macos15_tcpstat);
	const sockstate__tcpstat_layout *freebsd[] = {&F}, *macos[] = {&L13, &L15};
	static const size_t freebsd_sizes[] = {0, 8, 976, 983, 985, 992, 1000};
	static const size_t macos_sizes[] = {0, 4, 975, 980, 984, 993};
	char detail[SOCKSTATE__PCB_DETAIL_LEN];

	(void)unused;
	memset(buf, 0, sizeof buf);
	for (size_t i = 0; i < sizeof freebsd_sizes / sizeof freebsd_sizes[0]; i++) {
		sockstate_tcp_counters c = empty();
		char want[200];

		assert_int_equal(sockstate__tcpstat_decode(buf, freebsd_sizes[i], freebsd, 1, &c,
		                                           detail, sizeof detail), SOCKSTATE_EABI);
		snprintf(want, sizeof want, "net.inet.tcp.stats: the kernel's struct tcpstat has "
		         "%zu bytes; this build knows 984 (FreeBSD)", freebsd_sizes[i]);
		assert_string_equal(detail, want);
		assert_int_equal(c.valid, 0);
	}
	for (size_t i = 0; i < sizeof macos_sizes / sizeof macos_sizes[0]; i++) {
		sockstate_tcp_counters c = empty();
		char want[200];

		assert_int_equal(sockstate__tcpstat_decode(buf, macos_sizes[i], macos, 2, &c, detail,
		                                           sizeof detail), SOCKSTATE_EABI);
		snprintf(want, sizeof want, "net.inet.tcp.stats: the kernel's struct tcpstat has "
		         "%zu bytes; this build knows 976 (macOS 13-14), 992 (macOS 15)",
		         macos_sizes[i]);
		assert_string_equal(detail, want);
		assert_int_equal(c.valid, 0);
	}
}

/* A layout with a field past its size is a bug of ours: refused. */
static void test_broken_layout(void **unused)
{
	static unsigned char buf[984];
	sockstate__tcpstat_layout L = layout(&fact_freebsd_tcpstat);
	const sockstate__tcpstat_layout *layouts[] = {&L};
	sockstate_tcp_counters c = empty();
	char detail[SOCKSTATE__PCB_DETAIL_LEN];

	(void)unused;
	L.field[SOCKSTATE_COUNTER_TIMEOUTS].off[0] = 980; /* 8 bytes from 980: past 984 */
	assert_int_equal(sockstate__tcpstat_decode(buf, sizeof buf, layouts, 1, &c, detail,
	                                           sizeof detail), SOCKSTATE_EINVAL);
	assert_string_equal(detail, "struct tcpstat (FreeBSD): counter timeouts at 980, beyond "
	                            "its 984 bytes");
}

/* ---- through a scripted sysctl ---- */

struct fake {
	const fact_tcpstat *f;
	size_t size;            /* what the kernel's struct is */
	int err;                /* errno of every call */
	int calls;
};

static int fake_sysctl(void *ctx, const char *name, void *buf, size_t *len)
{
	static unsigned char tmp[2048];
	struct fake *k = ctx;

	assert_string_equal(name, "net.inet.tcp.stats");
	k->calls++;
	if (k->err)
		return k->err;
	if (!buf) {
		*len = k->size;
		return 0;
	}
	assert_true(*len >= k->size);
	memcpy(buf, tcpstat(k->f, tmp, 0), k->size);
	*len = k->size;
	return 0;
}

static void test_read(void **unused)
{
	sockstate__tcpstat_layout L = layout(&fact_freebsd_tcpstat);
	const sockstate__tcpstat_layout *layouts[] = {&L};
	struct fake k = {.f = &fact_freebsd_tcpstat, .size = 984};
	sockstate__sysctl_src src = {fake_sysctl, &k};
	sockstate_tcp_counters c = empty();
	sockstate_handle *h = NULL;

	(void)unused;
	assert_int_equal(sockstate_open(&h, NULL), 0);
	assert_int_equal(sockstate__tcpstat_read(h, &src, layouts, 1, &c), 0);
	assert_string_equal(c.source, "sysctl net.inet.tcp.stats");
	assert_counters(&c, &fact_freebsd_tcpstat, KEPT_BY_FREEBSD);
	assert_int_equal(k.calls, 2); /* the size, then the struct */

	/* A newer kernel's longer struct: refused, said on the handle. */
	c = empty();
	k.size = 1000;
	assert_int_equal(sockstate__tcpstat_read(h, &src, layouts, 1, &c), SOCKSTATE_EABI);
	assert_string_equal(sockstate_errdetail(h), "net.inet.tcp.stats: the kernel's struct "
	                    "tcpstat has 1000 bytes; this build knows 984 (FreeBSD)");
	assert_null(c.source);

	/* No such sysctl; not allowed. */
	k.err = ENOENT;
	assert_int_equal(sockstate__tcpstat_read(h, &src, layouts, 1, &c), SOCKSTATE_EUNAVAIL);
	assert_non_null(strstr(sockstate_errdetail(h), "net.inet.tcp.stats"));
	k.err = EPERM;
	assert_int_equal(sockstate__tcpstat_read(h, &src, layouts, 1, &c), SOCKSTATE_EPERM);
	assert_int_equal(c.valid, 0);
	sockstate_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_place_every_field_the_table_names),
		cmocka_unit_test(test_freebsd),
		cmocka_unit_test(test_freebsd_large_values),
		cmocka_unit_test(test_negative_difference_unknown),
		cmocka_unit_test(test_macos_both_releases),
		cmocka_unit_test(test_other_sizes_refused),
		cmocka_unit_test(test_broken_layout),
		cmocka_unit_test(test_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
