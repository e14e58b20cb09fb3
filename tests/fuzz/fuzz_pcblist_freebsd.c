/* fuzz_pcblist_freebsd.c - the FreeBSD decoders (platform/bsd/
 * pcblist_decode.c and pcblist_freebsd_decode.c), portable C run here
 * with the layout facts of tests/bsd/pcblist_facts.h.
 *
 * Input: byte 0 picks the state filter (bits 0-1), the families (bits
 * 2-3: both, IPv4, IPv6, both) and where the callback says stop (the
 * rest); the remaining bytes are one sysctl reply, read three ways: as
 * net.inet.tcp.pcblist (head xinpgen, xtcpcb records, tail xinpgen), as
 * kern.file (xfile records) and as kern.proc.proc (kinfo_proc records).
 * Seeds: constructed replies (make_seeds.py) from the same facts.
 *
 * Checked: records hold the decoder invariants and pass the sink's
 * filters; EPARSE/EABI come with a reason; the framing lies inside the
 * reply; the same bytes at an odd address give the same records; a
 * callback's stop value comes back after exactly that many records; the
 * owner-map decoders stay within their contracts and leak nothing. */
#include "fuzz_pcblist_common.h"

static int run_walk(const uint8_t *buf, size_t len, uint8_t opt, uint32_t stop_after,
                    struct pcb_tally *t, sockstate__pcb_sink *sink)
{
	static const uint32_t fams[4] = {6u, 2u, 4u, 6u};

	memset(sink, 0, sizeof *sink);
	memset(t, 0, sizeof *t);
	sink->states = pcb_state_masks[opt & 3];
	sink->families = fams[(opt >> 2) & 3];
	sink->emit = pcb_on_record;
	sink->emit_ctx = t;
	t->sink = sink;
	t->stop_after = stop_after;
	t->allowed = SOCKSTATE_HAS_UID | SOCKSTATE_HAS_QUEUES | SOCKSTATE_HAS_V6ONLY;
	return sockstate__freebsd_pcblist_decode(buf, len, &fact_freebsd, sink);
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

	pcb_check_frame(reply, len, &fact_freebsd.gen);

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
		uint32_t k = 1 + (uint32_t)(opt >> 4) % t.emitted;
		rc2 = run_walk(reply, len, opt, k, &t2, &sink2);
		FUZZ_CHECK(rc2 == 11 && t2.emitted == k);
	}

	/* kern.file into an owner map */
	{
		sockstate__owners *map = sockstate__owners_new();
		char detail[SOCKSTATE__PCB_DETAIL_LEN] = "";
		FUZZ_CHECK(map != NULL);
		rc = sockstate__freebsd_files_decode(reply, len, &fact_xfile, map, detail,
		                                     sizeof detail);
		FUZZ_CHECK(rc == 0 || rc == SOCKSTATE_EABI || rc == SOCKSTATE_ENOMEM);
		if (rc == SOCKSTATE_EABI)
			FUZZ_CHECK(detail[0] != '\0');
		if (rc == 0)
			FUZZ_CHECK(sockstate__owners_finish(map) == 0);
		sockstate__owners_free(map);
	}
	pcb_check_kproc(reply, len, &fact_freebsd_proc);
	return 0;
}
