/* fuzz_counters_decode.c - the TCP counter decoders on the same bytes:
 * Linux's /proc/net/snmp and netstat text (platform/linux/
 * counters_decode.c), BSD's struct tcpstat (platform/bsd/
 * tcpstat_decode.c, with the layout facts of FreeBSD 14.2 and macOS 13-14
 * and 15) and Windows' MIB_TCPSTATS pair (platform/windows/
 * tcpstats_decode.c); and the counters writer on what the text gave.
 *
 * Input: any bytes. Read as one /proc/net file; as a struct tcpstat of
 * its own length (refused unless a layout has it) and padded or cut to
 * each layout's size; as two MIB_TCPSTATS. Seeds: the fixture files of
 * tests/fixtures/linux and constructed cases (make_seeds.py).
 *
 * Checked, beyond "no crash, no read outside the input":
 *   - text: the verdict is 0 or EPARSE; a reason starts "line N:" and is
 *     printable ASCII; a known counter carries the table's Linux name and
 *     the value a plain reading of the text by column name gives, and
 *     appending a pair of lines of an unknown prefix changes nothing;
 *   - tcpstat: a length no layout has is EABI with a reason; at a known
 *     size each counter is the sum (less the parts taken away) of the
 *     facts' fields the table names, unknown where that is negative;
 *   - MIB_TCPSTATS: each counter is its field summed over both families;
 *   - every unknown counter has no native name; the writers write every
 *     format of the text's counters without failing. */
#include "fuzz_common.h"
#include "counters_internal.h"
#include "pcblist_facts.h"
#include "windows_internal.h"

static sockstate_tcp_counters cleared(void)
{
	sockstate_tcp_counters c = {.size = sizeof c};

	sockstate__tcp_counters_clear(&c, NULL);
	return c;
}

static void check_unknowns(const sockstate_tcp_counters *c)
{
	FUZZ_CHECK((c->valid >> SOCKSTATE_COUNTER_COUNT) == 0);
	for (int k = 0; k < SOCKSTATE_COUNTER_MAX; k++)
		if (!(c->valid & SOCKSTATE_COUNTER_BIT(k)))
			FUZZ_CHECK(c->native[k] == NULL && c->value[k] == 0);
}

/* ---- Linux text ---- */

/* The value of column `column` in lines beginning "prefix:", read the
 * plain way (the first pair of lines with that prefix); -1 when absent. */
static int model_value(const char *text, size_t len, const char *prefix, const char *column,
                       uint64_t *out)
{
	size_t plen = strlen(prefix), clen = strlen(column), pos = 0;

	while (pos < len) {
		const char *names = text + pos, *nl = memchr(names, '\n', len - pos);
		const char *values, *vnl;

		if (!nl)
			return -1;
		values = nl + 1;
		vnl = values < text + len ? memchr(values, '\n', (size_t)(text + len - values)) : NULL;
		if (!vnl)
			return -1;
		if ((size_t)(nl - names) > plen && !memcmp(names, prefix, plen) && names[plen] == ':') {
			const char *n = names + plen + 1, *v = values + plen + 1;

			for (;;) {
				const char *ns, *vs;
				size_t nn, vn;

				while (n < nl && *n == ' ')
					n++;
				while (v < vnl && *v == ' ')
					v++;
				if (n >= nl || v >= vnl)
					break;
				ns = n;
				vs = v;
				while (n < nl && *n != ' ')
					n++;
				while (v < vnl && *v != ' ')
					v++;
				nn = (size_t)(n - ns);
				vn = (size_t)(v - vs);
				if (nn == clen && !memcmp(ns, column, clen)) {
					uint64_t x = 0;

					for (size_t i = 0; i < vn; i++) {
						FUZZ_CHECK(vs[i] >= '0' && vs[i] <= '9');
						FUZZ_CHECK(!__builtin_mul_overflow(x, 10, &x));
						FUZZ_CHECK(!__builtin_add_overflow(x, (uint64_t)(vs[i] - '0'),
						                                   &x));
					}
					*out = x;
					return 0;
				}
			}
		}
		pos = (size_t)(vnl + 1 - text);
	}
	return -1;
}

static int null_sink(void *ctx, const char *buf, size_t len)
{
	(void)buf;
	*(size_t *)ctx += len;
	return 0;
}

static void write_all(const sockstate_tcp_counters *c)
{
	for (int f = SOCKSTATE_FORMAT_TABLE; f <= SOCKSTATE_FORMAT_PROMETHEUS; f++) {
		sockstate_write_opts o = {.size = sizeof o, .format = (sockstate_format)f, .port = -1};
		size_t n = 0;

		FUZZ_CHECK(sockstate_tcp_counters_write(c, NULL, "linux-proc", &o, null_sink, &n) == 0);
		FUZZ_CHECK(n > 0);
	}
}

static void text(const char *data, size_t size)
{
	static const char extra[] = "FuzzExt: A B\nFuzzExt: 1 2\n";
	sockstate_tcp_counters c = cleared(), again = cleared();
	char why[160] = "";
	char *longer;
	int rc = sockstate__linux_counters_decode(data, size, &c, why, sizeof why);

	check_unknowns(&c);
	if (rc != 0) {
		FUZZ_CHECK(rc == SOCKSTATE_EPARSE);
		FUZZ_CHECK(!strncmp(why, "line ", 5) && strlen(why) < sizeof why);
		for (const char *p = why; *p; p++)
			FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
		return;
	}
	for (int k = 0; k < SOCKSTATE_COUNTER_COUNT; k++) {
		const char *native = sockstate__counter_native((sockstate_counter)k,
		                                               SOCKSTATE__COUNTERS_LINUX);
		size_t plen = strncmp(native, "TcpExt", 6) == 0 ? 6 : 3;
		char prefix[8];
		uint64_t v;

		memcpy(prefix, native, plen);
		prefix[plen] = '\0';
		if (!(c.valid & SOCKSTATE_COUNTER_BIT(k))) {
			FUZZ_CHECK(model_value(data, size, prefix, native + plen, &v) != 0);
			continue;
		}
		FUZZ_CHECK(strcmp(c.native[k], native) == 0);
		FUZZ_CHECK(model_value(data, size, prefix, native + plen, &v) == 0);
		FUZZ_CHECK(v == c.value[k]);
	}
	write_all(&c);

	longer = malloc(size + sizeof extra);
	FUZZ_CHECK(longer != NULL);
	memcpy(longer, data, size);
	memcpy(longer + size, extra, sizeof extra - 1);
	FUZZ_CHECK(sockstate__linux_counters_decode(longer, size + sizeof extra - 1, &again, why,
	                                            sizeof why) == 0);
	FUZZ_CHECK(again.valid == c.valid);
	FUZZ_CHECK(memcmp(again.value, c.value, sizeof c.value) == 0);
	free(longer);
}

/* ---- BSD struct tcpstat ---- */

static uint64_t field(const unsigned char *p, uint32_t off, uint32_t width)
{
	if (width == 8) {
		uint64_t v;
		memcpy(&v, p + off, 8);
		return v;
	}
	uint32_t v32;
	memcpy(&v32, p + off, 4);
	return v32;
}

static void tcpstat(const uint8_t *data, size_t size)
{
	static const fact_tcpstat *const facts[] = {&fact_freebsd_tcpstat, &fact_macos13_tcpstat,
	                                            &fact_macos15_tcpstat};
	static sockstate__tcpstat_layout L[3];
	static int built;
	static unsigned char copy[1024];

	if (!built) {
		for (int i = 0; i < 3; i++)
			FUZZ_CHECK(fact_tcpstat_layout(facts[i], &L[i]) == 0);
		built = 1;
	}
	const sockstate__tcpstat_layout *freebsd[] = {&L[0]}, *macos[] = {&L[1], &L[2]};
	const struct {
		const sockstate__tcpstat_layout *const *set;
		size_t n;
	} sets[] = {{freebsd, 1}, {macos, 2}};

	for (size_t s = 0; s < 2; s++) {
		sockstate_tcp_counters c = cleared();
		char detail[SOCKSTATE__PCB_DETAIL_LEN] = "";
		int known = 0, rc;

		for (size_t i = 0; i < sets[s].n; i++)
			known |= sets[s].set[i]->size == size;
		rc = sockstate__tcpstat_decode(data, size, sets[s].set, sets[s].n, &c, detail,
		                               sizeof detail);
		FUZZ_CHECK(rc == (known ? 0 : SOCKSTATE_EABI));
		FUZZ_CHECK(known || (detail[0] && c.valid == 0));
		check_unknowns(&c);
	}
	for (int i = 0; i < 3; i++) {
		const sockstate__tcpstat_layout *one[] = {&L[i]};
		sockstate_tcp_counters c = cleared();
		char detail[SOCKSTATE__PCB_DETAIL_LEN];

		memset(copy, 0, sizeof copy);
		memcpy(copy, data, size < L[i].size ? size : L[i].size);
		FUZZ_CHECK(sockstate__tcpstat_decode(copy, L[i].size, one, 1, &c, detail,
		                                     sizeof detail) == 0);
		check_unknowns(&c);
		for (int k = 0; k < SOCKSTATE_COUNTER_COUNT; k++) {
			const sockstate__tcpstat_field *f = &L[i].field[k];
			uint64_t plus = 0, minus = 0;
			int known;

			for (uint32_t p = 0; p < f->parts; p++) {
				uint64_t v = field(copy, f->off[p], L[i].width);

				if (f->minus & (1u << p))
					minus += v;
				else
					plus += v;
			}
			/* A negative difference is unknown, never a number. */
			known = f->parts > 0 && minus <= plus;
			FUZZ_CHECK(!!(c.valid & SOCKSTATE_COUNTER_BIT(k)) == known);
			FUZZ_CHECK(c.value[k] == (known ? plus - minus : 0));
		}
	}
}

/* ---- Windows MIB_TCPSTATS, both families ---- */

static void tcpstats(const uint8_t *data, size_t size)
{
	/* MIB_TCPSTATS' fields by their documented offsets (not the decoder's
	 * struct): dwActiveOpens at 16 ... dwOutRsts at 52. */
	static const struct {
		sockstate_counter c;
		size_t off;
	} mib[] = {
		{SOCKSTATE_COUNTER_ACTIVE_OPENS, 16}, {SOCKSTATE_COUNTER_PASSIVE_OPENS, 20},
		{SOCKSTATE_COUNTER_ATTEMPT_FAILS, 24}, {SOCKSTATE_COUNTER_ESTABLISHED_RESETS, 28},
		{SOCKSTATE_COUNTER_SEGMENTS_RECEIVED, 36}, {SOCKSTATE_COUNTER_SEGMENTS_SENT, 40},
		{SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED, 44},
		{SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED, 48}, {SOCKSTATE_COUNTER_RESETS_SENT, 52},
	};
	uint8_t two[120] = {0};

	memcpy(two, data, size < sizeof two ? size : sizeof two);
	for (int with6 = 0; with6 < 2; with6++) {
		sockstate_tcp_counters c = cleared();

		sockstate__tcpstats_decode(two, with6 ? two + 60 : NULL, &c);
		check_unknowns(&c);
		FUZZ_CHECK(__builtin_popcountll(c.valid) == 9);
		for (size_t i = 0; i < sizeof mib / sizeof mib[0]; i++) {
			const uint8_t *a = two + mib[i].off, *b = two + 60 + mib[i].off;
			uint64_t want = (uint64_t)(a[0] | a[1] << 8 | a[2] << 16 | (uint32_t)a[3] << 24);

			if (with6)
				want += (uint64_t)(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
			FUZZ_CHECK(c.valid & SOCKSTATE_COUNTER_BIT(mib[i].c));
			FUZZ_CHECK(c.value[mib[i].c] == want);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	text((const char *)data, size);
	tcpstat(data, size);
	tcpstats(data, size);
	return 0;
}
