/* fuzz_tcptable_decode.c - the Windows GetExtendedTcpTable decoder
 * (platform/windows/tcptable_decode.c), which is portable C and runs here.
 *
 * Input: byte 0 picks the family (bit 0: AF_INET6 = 23, else AF_INET = 2),
 * whether owners are read (bit 1) and the state filter (bits 2-3: all,
 * the default set, LISTEN only, ESTABLISHED and TIME_WAIT); the rest is
 * the buffer GetExtendedTcpTable filled (dwNumEntries, then the rows).
 * Seeds: constructed tables (make_seeds.py), including Wine's oddities
 * (pid 0 on every row, zone 0x1000 on ::1).
 *
 * Checked:
 *   - every record holds the decoder invariants (fuzz_common.h), its
 *     state is in the filter, and a listener has no peer;
 *   - sockstate__tcptable_size and the decoder agree: a table the size
 *     function refuses decodes to EPARSE with nothing emitted (the whole
 *     table is checked before the first emit); one it accepts decodes to
 *     0 with exactly the rows in the filter (all of them when the filter
 *     is every state), and never reads past the size it gave;
 *   - the same bytes at an odd address decode to the same records;
 *   - a callback that says stop after k records gets k calls and its
 *     own value back. */
#include "fuzz_common.h"
#include "windows_internal.h"

struct tally {
	uint32_t records;
	uint32_t stop_after;
	uint32_t states;
	uint32_t allowed;
	uint64_t digest;
};

static int on_record(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct tally *t = ctx;
	const unsigned char *b = (const unsigned char *)s;

	fuzz_check_record(s, t->allowed);
	FUZZ_CHECK(owner_key == 0);
	FUZZ_CHECK(t->states & SOCKSTATE_STATE_BIT(s->state));
	if (s->state == SOCKSTATE_LISTEN)
		FUZZ_CHECK(fuzz_all_zero((const uint8_t *)&s->remote, sizeof s->remote));
	for (size_t i = offsetof(sockstate_socket, local); i < offsetof(sockstate_socket, pids);
	     i++)
		t->digest = (t->digest ^ b[i]) * UINT64_C(0x100000001b3);
	t->records++;
	if (t->stop_after && t->records == t->stop_after)
		return 9;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t masks[4] = {
		SOCKSTATE_STATES_ALL, SOCKSTATE_STATES_DEFAULT,
		SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN),
		SOCKSTATE_STATE_BIT(SOCKSTATE_ESTABLISHED) | SOCKSTATE_STATE_BIT(SOCKSTATE_TIME_WAIT),
	};
	uint8_t opt = size ? data[0] : 0;
	const uint8_t *table = size ? data + 1 : data;
	size_t len = size ? size - 1 : 0;
	unsigned family = (opt & 1) ? SOCKSTATE__WIN_AF_INET6 : SOCKSTATE__WIN_AF_INET;
	size_t row = family == SOCKSTATE__WIN_AF_INET ? 24 : 56;
	struct tally all = {0}, odd = {0}, stopped = {0};
	sockstate__tcptable_sink sink = {.with_pids = (opt >> 1) & 1, .emit = on_record};
	size_t used = sockstate__tcptable_size(table, len, family);
	const char *why = NULL;
	uint8_t *copy;
	int rc;

	all.states = odd.states = stopped.states = masks[(opt >> 2) & 3];
	all.allowed = odd.allowed = stopped.allowed = sink.with_pids ? SOCKSTATE_HAS_PID : 0;
	sink.states = all.states;

	/* The size function: header plus whole rows, inside the buffer. */
	if (used) {
		uint32_t rows = (uint32_t)table[0] | (uint32_t)table[1] << 8 |
		                (uint32_t)table[2] << 16 | (uint32_t)table[3] << 24;
		FUZZ_CHECK(used <= len && used == 4 + (size_t)rows * row);
	}

	sink.emit_ctx = &all;
	rc = sockstate__tcptable_decode(table, len, family, &sink, &why);
	if (!used) {
		FUZZ_CHECK(rc == SOCKSTATE_EPARSE && why != NULL && all.records == 0);
		return 0;
	}
	FUZZ_CHECK(rc == 0 && why == NULL);
	FUZZ_CHECK(all.records <= (used - 4) / row);
	if (all.states == SOCKSTATE_STATES_ALL)
		FUZZ_CHECK(all.records == (used - 4) / row);

	/* Only the bytes the size function counted are read: decoding them
	 * alone, at an odd address, gives the same records. */
	copy = malloc(used + 1);
	if (!copy)
		abort();
	memcpy(copy + 1, table, used);
	sink.emit_ctx = &odd;
	rc = sockstate__tcptable_decode(copy + 1, used, family, &sink, &why);
	FUZZ_CHECK(rc == 0 && odd.records == all.records && odd.digest == all.digest);
	free(copy);

	if (all.records > 0) {
		stopped.stop_after = 1 + (uint32_t)(len % all.records);
		sink.emit_ctx = &stopped;
		rc = sockstate__tcptable_decode(table, len, family, &sink, &why);
		FUZZ_CHECK(rc == 9 && stopped.records == stopped.stop_after);
	}

	/* A family Windows does not have. */
	why = NULL;
	FUZZ_CHECK(sockstate__tcptable_decode(table, len, 10, &sink, &why) == SOCKSTATE_EINVAL &&
	           why != NULL);
	return 0;
}
