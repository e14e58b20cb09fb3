/* fuzz_pcblist_common.h - what the two BSD pcblist targets share: the
 * record check of the walkers' output, an owner-map run of the process
 * table decoder, and the framing check. Layouts are the facts the unit
 * tests use (tests/bsd/pcblist_facts.h), so these run on Linux. */
#ifndef SOCKSTATE_FUZZ_PCBLIST_COMMON_H
#define SOCKSTATE_FUZZ_PCBLIST_COMMON_H

#include "fuzz_common.h"
#include "pcblist_facts.h"

static const uint32_t pcb_state_masks[4] = {
	SOCKSTATE_STATES_ALL, SOCKSTATE_STATES_DEFAULT,
	SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN),
	SOCKSTATE_STATE_BIT(SOCKSTATE_ESTABLISHED) | SOCKSTATE_STATE_BIT(SOCKSTATE_TIME_WAIT),
};

struct pcb_tally {
	sockstate__pcb_sink *sink;
	uint32_t emitted;
	uint32_t stop_after;
	uint32_t allowed;
	int owner_key_zero;         /* macOS: no owner key */
	uint64_t digest;
};

static int pcb_on_record(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct pcb_tally *t = ctx;
	const unsigned char *b = (const unsigned char *)s;

	fuzz_check_record(s, t->allowed);
	FUZZ_CHECK(t->sink->states & SOCKSTATE_STATE_BIT(s->state));
	FUZZ_CHECK(t->sink->families & (1u << s->family));
	if (t->owner_key_zero)
		FUZZ_CHECK(owner_key == 0);
	for (size_t i = offsetof(sockstate_socket, local); i < offsetof(sockstate_socket, pids);
	     i++)
		t->digest = (t->digest ^ b[i]) * UINT64_C(0x100000001b3);
	t->digest = (t->digest ^ owner_key) * UINT64_C(0x100000001b3);
	t->emitted++;
	if (t->stop_after && t->emitted == t->stop_after)
		return 11;
	return 0;
}

static void pcb_check_verdict(int rc, const sockstate__pcb_sink *sink, const struct pcb_tally *t)
{
	FUZZ_CHECK(rc == 0 || rc == 11 || rc == SOCKSTATE_EPARSE || rc == SOCKSTATE_EABI);
	if (rc == SOCKSTATE_EPARSE || rc == SOCKSTATE_EABI)
		FUZZ_CHECK(sink->detail[0] != '\0' && memchr(sink->detail, '\0',
		                                             sizeof sink->detail) != NULL);
	FUZZ_CHECK(sink->records >= t->emitted);
}

/* The framing every pcblist walk starts with: a frame it accepts lies
 * inside the reply. */
static void pcb_check_frame(const uint8_t *data, size_t size, const sockstate__xinpgen_layout *g)
{
	sockstate__pcb_frame f;
	char detail[SOCKSTATE__PCB_DETAIL_LEN] = "";
	int rc = sockstate__pcb_frame_find(data, size, g, "fuzz", &f, detail, sizeof detail);

	FUZZ_CHECK(rc == 0 || rc == SOCKSTATE_EPARSE || rc == SOCKSTATE_EABI);
	if (rc != 0) {
		FUZZ_CHECK(detail[0] != '\0');
		return;
	}
	FUZZ_CHECK(f.first == g->size && f.first <= f.end && f.end <= size);
	FUZZ_CHECK(f.has_tail ? f.end + g->size == size : f.end == size);
	if (!f.has_tail)
		FUZZ_CHECK(f.tail_gen == f.head_gen);
}

/* A process table into an owner map: never outside the contract. */
static void pcb_check_kproc(const uint8_t *data, size_t size, const sockstate__kproc_layout *L)
{
	sockstate__owners *map = sockstate__owners_new();
	char detail[SOCKSTATE__PCB_DETAIL_LEN] = "";
	int rc;

	FUZZ_CHECK(map != NULL);
	rc = sockstate__kproc_names(data, size, L, map, detail, sizeof detail);
	FUZZ_CHECK(rc == 0 || rc == SOCKSTATE_EABI || rc == SOCKSTATE_ENOMEM);
	if (rc == SOCKSTATE_EABI)
		FUZZ_CHECK(detail[0] != '\0');
	if (rc == 0 && size >= L->size) {
		/* The first record's pid, if named, has a name within comm_len. */
		int32_t pid;
		const char *name;
		memcpy(&pid, data + L->pid_off, sizeof pid);
		FUZZ_CHECK(sockstate__owners_finish(map) == 0);
		name = sockstate__owners_pid_name(map, pid);
		if (name)
			FUZZ_CHECK(name[0] != '\0' && strlen(name) <= L->comm_len);
	}
	sockstate__owners_free(map);
}

#endif /* SOCKSTATE_FUZZ_PCBLIST_COMMON_H */
