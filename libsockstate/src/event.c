/* event.c - the event record: the names of its sources, causes and kinds,
 * and how a source starts and fills one. A leaf of the trace: the sources
 * (trace_poll.c, trace_diff.c, platform/<os>/) and the stream (trace.c)
 * build on it. */
#include <string.h>

#include "core_internal.h"
#include "trace_internal.h"

static const char *const source_names[] = {
	[SOCKSTATE_TRACE_AUTO] = "auto",
	[SOCKSTATE_TRACE_BPF] = "bpf",
	[SOCKSTATE_TRACE_SOCK_DIAG_DESTROY] = "sock-diag-destroy",
	[SOCKSTATE_TRACE_POLL] = "poll",
};

static const char *const cause_names[] = {
	[SOCKSTATE_CAUSE_UNKNOWN] = "unknown",
	[SOCKSTATE_CAUSE_NORMAL] = "normal",
	[SOCKSTATE_CAUSE_RST_RECEIVED] = "rst-received",
	[SOCKSTATE_CAUSE_RST_SENT] = "rst-sent",
	[SOCKSTATE_CAUSE_SYN_TIMEOUT] = "syn-timeout",
	[SOCKSTATE_CAUSE_TIMEOUT] = "timeout",
};

static const char *const kind_names[] = {
	[SOCKSTATE_EVENT_TRANSITION] = "transition",
	[SOCKSTATE_EVENT_SUMMARY] = "summary",
	[SOCKSTATE_EVENT_LOST] = "lost",
};

#define COUNT_OF(a) (sizeof(a) / sizeof(a)[0])

SOCKSTATE_API const char *sockstate_event_source_name(sockstate_event_source s)
{
	return (unsigned)s < COUNT_OF(source_names) ? source_names[s] : NULL;
}

SOCKSTATE_API int sockstate_event_source_parse(const char *text,
                                               sockstate_event_source *out)
{
	for (size_t i = 0; text && out && i < COUNT_OF(source_names); i++) {
		if (!strcmp(text, source_names[i])) {
			*out = (sockstate_event_source)i;
			return 0;
		}
	}
	return SOCKSTATE_EINVAL;
}

SOCKSTATE_API const char *sockstate_cause_name(sockstate_cause c)
{
	return (unsigned)c < COUNT_OF(cause_names) ? cause_names[c] : NULL;
}

SOCKSTATE_API const char *sockstate_event_kind_name(sockstate_event_kind k)
{
	return (unsigned)k < COUNT_OF(kind_names) ? kind_names[k] : NULL;
}

void sockstate__event_init(sockstate_event *ev, sockstate_event_kind kind,
                           sockstate_event_source source)
{
	memset(ev, 0, sizeof *ev);
	ev->size = sizeof *ev;
	ev->kind = (uint8_t)kind;
	ev->source = (uint8_t)source;
	ev->old_native_code = -1;
	ev->new_native_code = -1;
	ev->in_old_state_ns = -1;
	ev->pid = -1;
	ev->duration_ns = -1;
}

void sockstate__event_native(sockstate_event *ev, int which, sockstate__origin origin,
                             int32_t code)
{
	sockstate_state st;
	const char *name;

	sockstate__native_state(origin, code, &st, &name);
	if (which) {
		ev->new_state = (uint8_t)st;
		ev->new_native_code = code;
		ev->new_native_name = name;
	} else {
		ev->old_state = (uint8_t)st;
		ev->old_native_code = code;
		ev->old_native_name = name;
	}
}

void sockstate__event_state(sockstate_event *ev, int which, sockstate_state st)
{
	if (which) {
		ev->new_state = (uint8_t)st;
		ev->new_native_code = -1;
		ev->new_native_name = NULL;
	} else {
		ev->old_state = (uint8_t)st;
		ev->old_native_code = -1;
		ev->old_native_name = NULL;
	}
}
