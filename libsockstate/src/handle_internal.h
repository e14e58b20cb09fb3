/* handle_internal.h - the handle's fields, for the two files that own
 * them: handle.c (open, close, getters, error details) and run.c (the
 * run of one query). Everything else goes through the accessors in
 * core_internal.h and backend_internal.h. */
#ifndef SOCKSTATE_HANDLE_INTERNAL_H
#define SOCKSTATE_HANDLE_INTERNAL_H

#include "core_internal.h"

/* The interface names of the zones the current run's records carry, each
 * looked up once per run in the handle's network namespace (an interface
 * may be renamed, or its index reused, between runs). Records point into
 * it until the next run; a snapshot copies it. Allocated (run.c) at the
 * first record with a zone. */
enum { SOCKSTATE__ZONE_NAMES_MAX = 256, SOCKSTATE__ZONE_NAME_SIZE = 16 /* IFNAMSIZ */ };
struct sockstate__zone_names {
	size_t n;
	uint32_t index[SOCKSTATE__ZONE_NAMES_MAX];
	char name[SOCKSTATE__ZONE_NAMES_MAX][SOCKSTATE__ZONE_NAME_SIZE]; /* "": no name */
};

struct sockstate_handle {
	const sockstate__backend *backend;
	void *backend_state;
	sockstate__owners *owners;     /* reused across runs */
	const char *last_pid_source;   /* static, or NULL */
	char pid_source_reason[256];
	uint64_t owners_unreadable;    /* of the last run (run.c) */
	char owners_reason[160];       /* sockstate_owners_unreadable's why */
	sockstate__platform_slot platform;
	char pid_source_option[16];
	char *capture_dir;
	char *netns;                   /* the netns option, or NULL */
	struct sockstate__zone_names *zones;
	char detail[512];
};

#endif /* SOCKSTATE_HANDLE_INTERNAL_H */
