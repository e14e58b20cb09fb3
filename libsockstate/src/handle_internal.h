/* handle_internal.h - the handle's fields, for the two files that own
 * them: handle.c (open, close, getters, error details) and run.c (the
 * run of one query). Everything else goes through the accessors in
 * core_internal.h and backend_internal.h. */
#ifndef SOCKSTATE_HANDLE_INTERNAL_H
#define SOCKSTATE_HANDLE_INTERNAL_H

#include "core_internal.h"

struct sockstate_handle {
	const sockstate__backend *backend;
	void *backend_state;
	sockstate__owners *owners;     /* reused across runs */
	const char *last_pid_source;   /* static, or NULL */
	char pid_source_reason[256];
	sockstate__platform_slot platform;
	char pid_source_option[16];
	char *capture_dir;
	char *netns;                   /* the netns option, or NULL */
	sockstate_threads threads;     /* the threads option */
	char detail[512];
};

#endif /* SOCKSTATE_HANDLE_INTERNAL_H */
