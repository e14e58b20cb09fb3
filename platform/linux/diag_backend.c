/* diag_backend.c - the "linux-netlink" backend: sock_diag dumps (one walk
 * for both families, or one for the family asked), with the state mask,
 * the family and the port/address filters pushed into the kernel's
 * request; a big unfiltered walk runs as two halves at once
 * (diag_split.c).
 *
 * The netlink socket is opened once per handle and kept across dumps
 * (diag_io.c), so a handle keeps answering for the network namespace it
 * was opened in (or the one its options name, see netns.h). */
#include <stdlib.h>

#include <linux/inet_diag.h>
#include <sys/socket.h>

#include "counters_internal.h"
#include "diag_internal.h"
#include "netns.h"
#include "pidmap.h"

/* Without pushdown every table is walked: bits 1-12 as `ss -a` asks, and
 * 13 for the bound-but-inactive sockets, so the core sees all. */
#define ALL_KERNEL_STATES 0x3ffeu
/* Bits 1-12: the states every socket but a bound-only one is in. */
#define DEFAULT_KERNEL_STATES 0x1ffeu

/* The backend's state: the io, and beside it what only the split dump
 * keeps. The split is the backend's choice, so diag_io.c never calls up
 * into diag_split.c (which builds on it). */
struct diag_state {
	sockstate__diag_io io;
	sockstate__diag_split split;
};

static int diag_open(sockstate_handle *h, void **out)
{
	struct diag_state *st = malloc(sizeof *st);
	int rc;

	*out = NULL;
	if (!st)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "malloc: out of memory");
	rc = sockstate__diag_io_open(&st->io, h);
	if (rc < 0) {
		free(st);
		return rc;
	}
	sockstate__diag_split_open(&st->split, &st->io);
	*out = st;
	return 0;
}

static void diag_close(void *state)
{
	struct diag_state *st = state;

	if (!st)
		return;
	sockstate__diag_split_close(&st->split);
	sockstate__diag_io_close(&st->io);
	free(st);
}

/* Between the decoder and the core: what the kernel was asked to filter
 * it filtered, but one check per record keeps `pushed` exact even where
 * the kernel's tables could surprise us (a TCP_CLOSE socket reads as
 * BOUND; see state_names.c). */
struct emit_filter {
	uint32_t states;
	uint32_t families;
	sockstate__emit_fn emit;
	void *emit_ctx;
	uint32_t records;            /* what the kernel sent, before the check */
};

static int emit_filtered(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct emit_filter *f = ctx;

	f->records++;
	if (!(f->states & SOCKSTATE_STATE_BIT(s->state)) ||
	    !(f->families & (1u << s->family)))
		return 0;
	return f->emit(f->emit_ctx, s, owner_key);
}

static int diag_enumerate(void *state, sockstate_handle *h, sockstate__plan *plan,
                          sockstate__emit_fn emit, void *emit_ctx)
{
	struct diag_state *st = state;
	static const struct {
		uint8_t af;
		sockstate_family family;
	} dumps[] = {
		{AF_INET, SOCKSTATE_FAMILY_IPV4},
		{AF_INET6, SOCKSTATE_FAMILY_IPV6},
	};
	const uint32_t both = (1u << SOCKSTATE_FAMILY_IPV4) | (1u << SOCKSTATE_FAMILY_IPV6);
	unsigned char bytecode[SOCKSTATE__DIAG_BYTECODE_MAX];
	struct emit_filter f = {
		.states = SOCKSTATE_STATES_ALL,
		.families = both,
		.emit = emit,
		.emit_ctx = emit_ctx,
	};
	sockstate__diag_request req = {.states = ALL_KERNEL_STATES};
	uint32_t pushed = 0;
	int rc;

	if (plan->may_push) {
		f.states = plan->states;
		f.families = plan->q->families ? plan->q->families & both : both;
		req.states = sockstate__diag_states(plan->states);
		pushed = SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY;
		rc = sockstate__diag_bytecode(plan->q, bytecode, sizeof bytecode, &pushed);
		if (rc < 0)
			return sockstate__fail(h, rc, "sock_diag filter does not fit %zu bytes",
			                       sizeof bytecode);
		req.bytecode = rc ? bytecode : NULL;
		req.bytecode_len = (size_t)rc;
	}
	plan->pushed = pushed;
	if (plan->want_tcp_info)
		req.ext |= 1u << (INET_DIAG_INFO - 1);
	/* No kernel bit asks for these states (UNKNOWN, DELETE_TCB alone). */
	if (!req.states)
		return 0;
	if (f.families == both) {
		req.family = AF_UNSPEC; /* one walk for both (diag_io.c) */
		if (sockstate__diag_split_wanted(&st->split, h, &req, plan->cpus_busy))
			rc = sockstate__diag_split_dump(&st->io, &st->split, h, &req, emit_filtered,
			                                &f);
		else
			rc = sockstate__diag_dump(&st->io, h, &req, emit_filtered, &f);
		/* A whole dump's size decides whether the next one splits. */
		if (rc == 0 && !req.bytecode_len &&
		    (req.states & DEFAULT_KERNEL_STATES) == DEFAULT_KERNEL_STATES)
			st->split.population = f.records;
		return rc;
	}
	for (size_t i = 0; i < sizeof dumps / sizeof dumps[0]; i++) {
		if (!(f.families & (1u << dumps[i].family)))
			continue;
		req.family = dumps[i].af;
		rc = sockstate__diag_dump(&st->io, h, &req, emit_filtered, &f);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static size_t diag_population(void *state)
{
	const struct diag_state *st = state;

	return st->split.population;
}

static int diag_ifname(void *state, uint32_t index, char *buf, size_t len)
{
	const struct diag_state *st = state;

	return sockstate__diag_ifname(&st->io, index, buf, len);
}

static int diag_owners(void *state, sockstate_handle *h, sockstate__owners *map,
                       const char **source)
{
	(void)state;
	return sockstate__linux_owners(h, map, source);
}

/* The counters of the namespace this handle's socket was opened in. */
static int diag_tcp_counters(sockstate_handle *h, void *state, sockstate_tcp_counters *out)
{
	const struct diag_state *st = state;

	return sockstate__linux_tcp_counters(h, st->io.has_netns ? st->io.netns_fd : -1, out);
}

const sockstate__backend sockstate__linux_netlink_backend = {
	.name = "linux-netlink",
	.can_filter = SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY | SOCKSTATE__F_PORTS |
	              SOCKSTATE__F_ADDRS,
	.fills = SOCKSTATE__DIAG_FILLS,
	.open = diag_open,
	.enumerate = diag_enumerate,
	.close = diag_close,
	.owners = diag_owners,
	.netns_list = sockstate__linux_netns_list,
	.population = diag_population,
	.tcp_counters = diag_tcp_counters,
	.ifname = diag_ifname,
};
