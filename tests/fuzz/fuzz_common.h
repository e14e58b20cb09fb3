/* fuzz_common.h - what every fuzz target shares: the libFuzzer entry
 * point's prototype, a check that stops the run loudly, and the
 * invariants every decoded record must hold.
 *
 * A target is a plain C file defining LLVMFuzzerTestOneInput. It is built
 * twice: with -fsanitize=fuzzer (SOCKSTATE_FUZZ=ON, clang) into a real
 * fuzzer, and in every build with replay.c into a program that feeds it
 * the corpus and the regression inputs (ctest label "fuzz"). */
#ifndef SOCKSTATE_FUZZ_COMMON_H
#define SOCKSTATE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_internal.h"
#include "sockstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken invariant is a finding: say which and abort, so libFuzzer
 * keeps the input and the replay runner fails. */
#define FUZZ_CHECK(cond)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",     \
			        __FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

/* Valid bits a decoder may set (owners are the core's, never a
 * decoder's). */
#define FUZZ_DECODER_BITS                                                    \
	(SOCKSTATE_HAS_UID | SOCKSTATE_HAS_INODE | SOCKSTATE_HAS_QUEUES |    \
	 SOCKSTATE_HAS_IFINDEX | SOCKSTATE_HAS_TIMER | SOCKSTATE_HAS_TCP_INFO | \
	 SOCKSTATE_HAS_COOKIE | SOCKSTATE_HAS_V6ONLY)

static inline int fuzz_all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* flags: the bits the endpoint may carry (a record's local end: V6ONLY). */
static inline void fuzz_check_endpoint(uint8_t family, const sockstate_endpoint *ep,
                                       uint16_t flags)
{
	char text[64];
	int n = sockstate_endpoint_format((sockstate_family)family, ep, text, sizeof text);

	FUZZ_CHECK(n > 0 && (size_t)n < sizeof text && strlen(text) == (size_t)n);
	FUZZ_CHECK((ep->flags & ~flags) == 0);
	if (family == SOCKSTATE_FAMILY_IPV4) {
		FUZZ_CHECK(fuzz_all_zero(ep->addr + 4, 12));
		FUZZ_CHECK(ep->scope_id == 0);
	} else if (ep->scope_id) {
		/* A zone only on link-local fe80::/10. */
		FUZZ_CHECK(ep->addr[0] == 0xfe && (ep->addr[1] & 0xc0) == 0x80);
	}
}

/* What a decoder (not the core) hands out for one socket; allowed is the
 * backend's SOCKSTATE_HAS_* set (HAS_PID only for a decoder that reads
 * owners from the OS's own rows). */
static inline void fuzz_check_record(const sockstate_socket *s, uint32_t allowed)
{
	sockstate_counts c;

	FUZZ_CHECK(s->size == sizeof *s);
	FUZZ_CHECK(s->family == SOCKSTATE_FAMILY_IPV4 || s->family == SOCKSTATE_FAMILY_IPV6);
	FUZZ_CHECK(s->state < SOCKSTATE_STATE_COUNT);
	FUZZ_CHECK(s->native_name != NULL && s->native_name[0] != '\0');
	FUZZ_CHECK(sockstate_state_name((sockstate_state)s->state) != NULL);
	FUZZ_CHECK((s->valid & ~allowed) == 0);
	/* A decoder that reads owners from the OS's rows (Windows) fills the
	 * inline pid only; the side list and names are the core's. */
	if (s->valid & SOCKSTATE_HAS_PID)
		FUZZ_CHECK(s->pid > 0 && s->pid_count == 1);
	else
		FUZZ_CHECK(s->pid == -1 && s->pid_count == 0);
	FUZZ_CHECK(s->pids == NULL && s->process == NULL && s->netns == NULL);
	if (!(s->valid & SOCKSTATE_HAS_UID))
		FUZZ_CHECK(s->uid == -1);
	else
		FUZZ_CHECK(s->uid >= 0 && s->uid <= UINT32_MAX);
	FUZZ_CHECK(!(s->valid & SOCKSTATE_HAS_INODE) == (s->inode == 0));
	if (!(s->valid & SOCKSTATE_HAS_COOKIE))
		FUZZ_CHECK(s->cookie == 0);
	if (s->valid & SOCKSTATE_HAS_TIMER)
		FUZZ_CHECK(s->timer <= SOCKSTATE_TIMER_PROBE);
	else
		FUZZ_CHECK(s->timer == 0 && s->retransmits == 0 && s->expires_ms == 0);
	if (!(s->valid & SOCKSTATE_HAS_TCP_INFO))
		FUZZ_CHECK(s->rtt_us == 0 && s->rttvar_us == 0 && s->snd_cwnd == 0 &&
		           s->total_retrans == 0);
	/* IPV6_V6ONLY is known of IPv6 sockets only, and set only when known. */
	FUZZ_CHECK(!(s->valid & SOCKSTATE_HAS_V6ONLY) || s->family == SOCKSTATE_FAMILY_IPV6);
	fuzz_check_endpoint(s->family, &s->local,
	                    (s->valid & SOCKSTATE_HAS_V6ONLY) ? SOCKSTATE_ENDPOINT_V6ONLY : 0);
	fuzz_check_endpoint(s->family, &s->remote, 0);

	memset(&c, 0, sizeof c);
	sockstate_counts_add(&c, s);
	FUZZ_CHECK(c.total == 1 && c.by_state[s->state] == 1);
}

/* A NUL-terminated copy of the input (parsers take C strings). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif /* SOCKSTATE_FUZZ_COMMON_H */
