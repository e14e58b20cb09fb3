/* fuzz_pcblist_macos.c - the macOS pcblist_n walker (platform/bsd/
 * pcblist_decode.c and pcblist_macos_decode.c), portable C run here with
 * the layout facts of tests/bsd/pcblist_facts.h.
 *
 * Input: byte 0 picks the state filter (bits 0-1), the families (bits
 * 2-3), whether owners are read from so_last_pid (bit 4) and where the
 * callback says stop (bits 5-7); the rest is one net.inet.tcp.pcblist_n
 * reply (head xinpgen, kind-tagged records, tail xinpgen), also read as a
 * kern.proc.all process table. Seeds: constructed replies
 * (make_seeds.py) from the same facts.
 *
 * Checked as in fuzz_pcblist_freebsd.c; records carry owner key 0 and a
 * pid only when asked (so_last_pid, 0 meaning none). */
#include "fuzz_pcblist_common.h"

static int run_walk(const uint8_t *buf, size_t len, uint8_t opt, uint32_t stop_after,
                    struct pcb_tally *t, sockstate__pcb_sink *sink)
{
	static const uint32_t fams[4] = {6u, 2u, 4u, 6u};

	memset(sink, 0, sizeof *sink);
	memset(t, 0, sizeof *t);
	sink->states = pcb_state_masks[opt & 3];
	sink->families = fams[(opt >> 2) & 3];
	sink->with_pids = (opt >> 4) & 1;
	sink->emit = pcb_on_record;
	sink->emit_ctx = t;
	t->sink = sink;
	t->stop_after = stop_after;
	t->owner_key_zero = 1;
	t->allowed = SOCKSTATE_HAS_UID | SOCKSTATE_HAS_QUEUES | SOCKSTATE_HAS_V6ONLY |
	             (sink->with_pids ? SOCKSTATE_HAS_PID : 0);
	return sockstate__macos_pcblist_decode(buf, len, &fact_macos, sink);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = size ? data[0] : 0;
	const uint8_t *reply = size ? data + 1 : data;
	size_t len = size ? size - 1 : 0;
	sockstate__pcb_sink sink, sink2;
	struct pcb_tally t, t2;
	uint8_t *copy;
	int rc, rc2;

	pcb_check_frame(reply, len, &fact_macos.gen);

	rc = run_walk(reply, len, opt, 0, &t, &sink);
	pcb_check_verdict(rc, &sink, &t);
	FUZZ_CHECK(rc != 11);

	copy = malloc(len + 1);
	if (!copy)
		abort();
	if (len)
		memcpy(copy + 1, reply, len);
	rc2 = run_walk(copy + 1, len, opt, 0, &t2, &sink2);
	FUZZ_CHECK(rc2 == rc && t2.emitted == t.emitted && t2.digest == t.digest);
	free(copy);

	if (t.emitted > 0) {
		uint32_t k = 1 + (uint32_t)(opt >> 5) % t.emitted;
		rc2 = run_walk(reply, len, opt, k, &t2, &sink2);
		FUZZ_CHECK(rc2 == 11 && t2.emitted == k);
	}
	pcb_check_kproc(reply, len, &fact_macos_proc);
	return 0;
}
