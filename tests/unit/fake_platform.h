/* fake_platform.h - the world the fake backend (fake_platform.c) shows:
 * its sockets, their owners, and the failures a test asks for. */
#ifndef SOCKSTATE_TEST_FAKE_PLATFORM_H
#define SOCKSTATE_TEST_FAKE_PLATFORM_H

#include "core_internal.h"

struct fake_owner {
	uint64_t key;
	int32_t pid;
	const char *name;
};

struct fake_world {
	/* what the test sets */
	sockstate_socket *sockets;
	uint64_t *owner_keys;         /* parallel to sockets */
	size_t count;
	struct fake_owner *owners;
	size_t owner_count;
	uint32_t pushed;              /* SOCKSTATE__F_* the walk claims */
	long fail_at_socket;          /* -1: never; else EIO there */
	int owners_error;             /* 0, or the owner map's error */
	int threads_available;        /* 0: task_start says ENOTSUP */
	int forked_from_threads;      /* 1: the fork rule holds */
	size_t population;            /* what the backend expects a walk
	                                 to deliver (0: unknown) */
	/* what the test reads */
	int enumerations;
	int owners_built;
	int owners_ready_at_walk;     /* owner maps built when the walk began */
	int tasks_started;
	int last_cpus_busy;
	size_t emitted;               /* records the walk handed to emit */
	int64_t clock_ns;             /* the platform clock: ticks per read */
	/* diagnose: the port range (last 0: unknown) and the probe's outcome */
	uint32_t port_first, port_last;
	sockstate_probe probe;
	const char *probe_message;
	int probes;                   /* probes made */
};

extern struct fake_world fake;

/* Empty world: no sockets, no owners, no failure, threads available. */
void fake_reset(void);
/* An IPv4 socket 127.0.0.1:lport -> 127.0.0.1:rport in state, joined to
 * the owner map by owner_key (0: none). */
void fake_add_socket(sockstate_state state, uint16_t lport, uint16_t rport,
                     uint64_t owner_key);
void fake_add_owner(uint64_t key, int32_t pid, const char *name);

#endif
