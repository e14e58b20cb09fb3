/* handle.c - the library context: backend choice, options, the getters,
 * and the error details of the last call. The run of one query is
 * run.c's. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handle_internal.h"

#ifndef SOCKSTATE_VERSION_STRING
#define SOCKSTATE_VERSION_STRING "0.0.0"
#endif


static _Thread_local char open_error[512];
/* Where this thread's sockstate__fail details go instead (a task beside
 * the caller: sockstate__fail_redirect). */
static _Thread_local char *fail_redirect;
static _Thread_local size_t fail_redirect_len;

SOCKSTATE_API const char *sockstate_version(void)
{
	return SOCKSTATE_VERSION_STRING;
}

int sockstate__fail(sockstate_handle *h, int code, const char *fmt, ...)
{
	va_list ap;
	char *dst = h ? h->detail : open_error;
	size_t len = h ? sizeof h->detail : sizeof open_error;

	if (fail_redirect) {
		dst = fail_redirect;
		len = fail_redirect_len;
	}

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
	return code;
}

void sockstate__fail_redirect(char *buf, size_t len)
{
	fail_redirect = buf;
	fail_redirect_len = buf ? len : 0;
}

const char *sockstate__fail_last(const sockstate_handle *h)
{
	if (fail_redirect)
		return fail_redirect;
	return h ? h->detail : open_error;
}

const char *sockstate__handle_pid_source_option(const sockstate_handle *h)
{
	return h->pid_source_option;
}

void sockstate__set_pid_source_reason(sockstate_handle *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->pid_source_reason, sizeof h->pid_source_reason, fmt, ap);
	va_end(ap);
}

sockstate__platform_slot *sockstate__handle_platform_slot(sockstate_handle *h)
{
	return &h->platform;
}

const char *sockstate__handle_capture_dir(const sockstate_handle *h)
{
	return h->capture_dir;
}


const char *sockstate__handle_netns(const sockstate_handle *h)
{
	return h->netns;
}

const sockstate__backend *sockstate__handle_backend(const sockstate_handle *h)
{
	return h ? h->backend : NULL;
}

void *sockstate__handle_backend_state(const sockstate_handle *h)
{
	return h->backend_state;
}

void sockstate__handle_clear_detail(sockstate_handle *h)
{
	h->detail[0] = '\0';
}

/* Options appended after the first release: read only what the caller's
 * struct holds. */
#define OPTION_GIVEN(opts, field) \
	((opts) && (opts)->size >= offsetof(sockstate_options, field) + sizeof (opts)->field)

const sockstate__owners *sockstate__handle_owners(const sockstate_handle *h)
{
	return h->last_pid_source ? h->owners : NULL;
}

const char *sockstate__handle_last_pid_source(const sockstate_handle *h)
{
	return h->last_pid_source;
}

void sockstate__socket_init(sockstate_socket *s)
{
	memset(s, 0, sizeof *s);
	s->size = sizeof *s;
	s->pid = -1;
	s->uid = -1;
}

SOCKSTATE_API const char *const *sockstate_backends(void)
{
	enum { MAX_BACKENDS = 8, EMPTY, FILLING, READY };
	static const char *names[MAX_BACKENDS + 1];
	static atomic_int state = EMPTY;
	int expected = EMPTY;

	/* Filled once: two threads writing the array at the same time is a
	 * data race even when they write the same values. The loser of the
	 * exchange waits for the winner's few stores. */
	if (atomic_load_explicit(&state, memory_order_acquire) == READY)
		return names;
	if (atomic_compare_exchange_strong(&state, &expected, FILLING)) {
		size_t n = 0;
		for (; sockstate__platform_backends[n] && n < MAX_BACKENDS; n++)
			names[n] = sockstate__platform_backends[n]->name;
		names[n] = NULL;
		atomic_store_explicit(&state, READY, memory_order_release);
	}
	while (atomic_load_explicit(&state, memory_order_acquire) != READY)
		;
	return names;
}

static int pid_source_option_check(const char *pid_source)
{
	if (!pid_source || !strcmp(pid_source, "auto"))
		return 0;
	return sockstate__platform_pid_source_check(pid_source);
}

static int backend_try(sockstate_handle *h, const sockstate__backend *b)
{
	void *state = NULL;
	int rc = b->open(h, &state);

	if (rc < 0)
		return rc;
	h->backend = b;
	h->backend_state = state;
	return 0;
}

static int backend_choose(sockstate_handle *h, const char *wanted)
{
	const sockstate__backend *const *b = sockstate__platform_backends;
	int rc = SOCKSTATE_EUNAVAIL;
	int any = !wanted || !strcmp(wanted, "auto");

	for (; *b; b++) {
		if (!any && strcmp((*b)->name, wanted))
			continue;
		if (h->netns && !(*b)->netns_list) {
			rc = sockstate__fail(h, SOCKSTATE_ENOTSUP,
			                     "backend %s cannot enter a network namespace",
			                     (*b)->name);
			if (!any)
				break;
			continue;
		}
		rc = backend_try(h, *b);
		if (rc == 0)
			return 0;
		if (!any || rc != SOCKSTATE_EUNAVAIL)
			break;
	}
	if (!any && !*b)
		return sockstate__fail(NULL, SOCKSTATE_EINVAL,
		                       "unknown backend '%s' for this build", wanted);
	return sockstate__fail(NULL, rc, "%s", h->detail[0] ? h->detail
	                       : "no backend works here");
}

SOCKSTATE_API int sockstate_open(sockstate_handle **out, const sockstate_options *opts)
{
	sockstate_handle *h;
	const char *pid_source = opts ? opts->pid_source : NULL;
	int rc;

	open_error[0] = '\0';
	if (!out)
		return sockstate__fail(NULL, SOCKSTATE_EINVAL, "no place for the handle");
	*out = NULL;
	if (opts && opts->size < offsetof(sockstate_options, capture_dir))
		return sockstate__fail(NULL, SOCKSTATE_EINVAL, "options.size is too small");
	rc = pid_source_option_check(pid_source);
	if (rc < 0)
		return rc;
	h = calloc(1, sizeof *h);
	if (!h)
		return sockstate__fail(NULL, SOCKSTATE_ENOMEM, "out of memory");
	snprintf(h->pid_source_option, sizeof h->pid_source_option, "%s",
	         pid_source ? pid_source : "auto");
	if (OPTION_GIVEN(opts, capture_dir) && opts->capture_dir) {
		h->capture_dir = strdup(opts->capture_dir);
		if (!h->capture_dir) {
			sockstate_close(h);
			return sockstate__fail(NULL, SOCKSTATE_ENOMEM, "out of memory");
		}
	}
	if (OPTION_GIVEN(opts, netns) && opts->netns) {
		h->netns = strdup(opts->netns);
		if (!h->netns) {
			sockstate_close(h);
			return sockstate__fail(NULL, SOCKSTATE_ENOMEM, "out of memory");
		}
	}
	h->owners = sockstate__owners_new();
	if (!h->owners) {
		sockstate_close(h);
		return sockstate__fail(NULL, SOCKSTATE_ENOMEM, "out of memory");
	}
	rc = backend_choose(h, opts ? opts->backend : NULL);
	if (rc < 0) {
		sockstate_close(h);
		return rc;
	}
	h->detail[0] = '\0';
	*out = h;
	return 0;
}

SOCKSTATE_API void sockstate_close(sockstate_handle *h)
{
	if (!h)
		return;
	if (h->backend)
		h->backend->close(h->backend_state);
	if (h->platform.release)
		h->platform.release(h->platform.state);
	sockstate__owners_free(h->owners);
	free(h->zones);
	free(h->capture_dir);
	free(h->netns);
	free(h);
}

SOCKSTATE_API const char *sockstate_backend(const sockstate_handle *h)
{
	return h && h->backend ? h->backend->name : NULL;
}

SOCKSTATE_API const char *sockstate_pid_source(const sockstate_handle *h)
{
	return h ? h->last_pid_source : NULL;
}

SOCKSTATE_API const char *sockstate_pid_source_reason(const sockstate_handle *h)
{
	return h ? h->pid_source_reason : "";
}

SOCKSTATE_API uint64_t sockstate_owners_unreadable(sockstate_handle *h, const char **why)
{
	int hidden = 0;
	uint32_t processes;

	if (why)
		*why = "";
	if (!h || !h->owners_unreadable)
		return 0;
	processes = sockstate__owners_unreadable(h->owners, &hidden);
	if (processes && hidden)
		snprintf(h->owners_reason, sizeof h->owners_reason,
		         "the descriptors of %u processes could not be read (permission "
		         "denied), and other processes are hidden from this user (/proc "
		         "hidepid)", (unsigned)processes);
	else if (processes)
		snprintf(h->owners_reason, sizeof h->owners_reason,
		         "the descriptors of %u process%s could not be read (permission denied)",
		         (unsigned)processes, processes == 1 ? "" : "es");
	else
		snprintf(h->owners_reason, sizeof h->owners_reason,
		         "other users' processes are hidden from this user (/proc hidepid)");
	if (why)
		*why = h->owners_reason;
	return h->owners_unreadable;
}

SOCKSTATE_API const char *sockstate_errdetail(const sockstate_handle *h)
{
	return h ? h->detail : open_error;
}
