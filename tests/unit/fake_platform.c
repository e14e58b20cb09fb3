/* fake_platform.c - a platform folder made for tests: one backend whose
 * sockets, owners and failures the test sets (fake_platform.h), and a
 * task that runs when it is joined, so a test decides exactly when the
 * owner map is built relative to the walk. The core links to it alone:
 * that it does proves the core needs no OS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_platform.h"
#include "trace_internal.h"

struct fake_world fake;

static int fake_open(sockstate_handle *h, void **state)
{
	(void)h;
	*state = &fake;
	return 0;
}

static void fake_close(void *state)
{
	(void)state;
}

static int fake_enumerate(void *state, sockstate_handle *h, sockstate__plan *plan,
                          sockstate__emit_fn emit, void *emit_ctx)
{
	struct fake_world *w = state;

	w->enumerations++;
	w->last_cpus_busy = plan->cpus_busy;
	w->owners_ready_at_walk = w->owners_built;
	plan->pushed = w->pushed;
	for (size_t i = 0; i < w->count; i++) {
		sockstate_socket s = w->sockets[i];
		int rc;

		if (w->fail_at_socket == (long)i)
			return sockstate__fail(h, SOCKSTATE_EIO, "fake: recv: walk broke at %zu", i);
		if ((w->pushed & SOCKSTATE__F_STATES) &&
		    !(plan->states & SOCKSTATE_STATE_BIT(s.state)))
			continue;
		w->emitted++;
		rc = emit(emit_ctx, &s, w->owner_keys[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int fake_owners(void *state, sockstate_handle *h, sockstate__owners *map,
                       const char **source)
{
	struct fake_world *w = state;

	w->owners_built++;
	if (w->owners_error)
		return sockstate__fail(h, w->owners_error, "fake: owners: %s",
		                       "no rights to the fds");
	for (size_t i = 0; i < w->owner_count; i++) {
		if (sockstate__owners_add(map, w->owners[i].key, w->owners[i].pid) < 0)
			return SOCKSTATE_ENOMEM;
		if (sockstate__owners_name(map, w->owners[i].pid, w->owners[i].name) < 0)
			return SOCKSTATE_ENOMEM;
	}
	*source = "fake";
	return sockstate__owners_finish(map);
}

static size_t fake_population(void *state)
{
	const struct fake_world *w = state;

	return w->population;
}

static const sockstate__backend fake_backend = {
	.name = "fake",
	.can_filter = SOCKSTATE__F_STATES,
	.fills = SOCKSTATE_HAS_QUEUES,
	.open = fake_open,
	.enumerate = fake_enumerate,
	.close = fake_close,
	.owners = fake_owners,
	.population = fake_population,
};

const sockstate__backend *const sockstate__platform_backends[] = {&fake_backend, NULL};

int sockstate__platform_sysinfo(sockstate_sysinfo *out)
{
	snprintf(out->host, sizeof out->host, "fakehost");
	snprintf(out->os_name, sizeof out->os_name, "FakeOS");
	return 0;
}

int sockstate__platform_ifname(uint32_t index, char *buf, size_t len)
{
	return snprintf(buf, len, "fake%u", (unsigned)index) > 0 ? 0 : -1;
}

/* The task runs at join: by then the walk is over, the worst order for
 * the engine (every record held). */
struct sockstate__task {
	void (*fn)(void *arg);
	void *arg;
};

int sockstate__platform_task_start(sockstate__task **task, void (*fn)(void *arg),
                                   void *arg)
{
	*task = NULL;
	if (!fake.threads_available)
		return SOCKSTATE_ENOTSUP;
	*task = malloc(sizeof **task);
	if (!*task)
		return SOCKSTATE_ENOTSUP;
	(*task)->fn = fn;
	(*task)->arg = arg;
	fake.tasks_started++;
	return 0;
}

void sockstate__platform_task_join(sockstate__task *task)
{
	if (!task)
		return;
	task->fn(task->arg);
	free(task);
}

int sockstate__platform_forked_from_threads(void)
{
	return fake.forked_from_threads;
}

/* No trace source of its own: poll, the core's, is all there is. */
const sockstate__trace_source *const sockstate__platform_trace_sources[] = {NULL};

int64_t sockstate__platform_clock_ns(int monotonic)
{
	(void)monotonic;
	return ++fake.clock_ns;
}

void sockstate__platform_sleep_ms(int ms)
{
	fake.clock_ns += (int64_t)ms * 1000000;
}

/* diagnose's port range and probe: what the test put in the world. */
int sockstate__platform_port_range(sockstate_handle *h, uint32_t *first, uint32_t *last,
                                   const char **source)
{
	(void)h;
	*first = fake.port_first;
	*last = fake.port_last;
	*source = "fake";
	return fake.port_last ? 0 : SOCKSTATE_ENOTSUP;
}

int sockstate__platform_probe(sockstate_handle *h, uint8_t family, const sockstate_endpoint *to,
                              uint32_t timeout_ms, sockstate_probe *out, char *msg,
                              size_t msglen)
{
	(void)h;
	*out = fake.probe;
	out->family = family;
	out->to = *to;
	out->timeout_ms = timeout_ms;
	snprintf(msg, msglen, "%s", fake.probe_message ? fake.probe_message : "");
	fake.probes++;
	return 0;
}

int sockstate__platform_pid_source_check(const char *name)
{
	return strcmp(name, "fake") == 0 ? 0 : SOCKSTATE_EINVAL;
}

void fake_reset(void)
{
	free(fake.sockets);
	free(fake.owner_keys);
	free(fake.owners);
	memset(&fake, 0, sizeof fake);
	fake.fail_at_socket = -1;
	fake.threads_available = 1;
}

void fake_add_socket(sockstate_state state, uint16_t lport, uint16_t rport,
                     uint64_t owner_key)
{
	sockstate_socket *s;

	/* Doubling at each power of two: worlds of 70,000 sockets (the
	 * bounded hold's tests) stay quick under ASan, whose realloc always
	 * copies. */
	if ((fake.count & (fake.count - 1)) == 0) {
		size_t room = fake.count ? 2 * fake.count : 1;

		fake.sockets = realloc(fake.sockets, room * sizeof *fake.sockets);
		fake.owner_keys = realloc(fake.owner_keys, room * sizeof *fake.owner_keys);
		if (!fake.sockets || !fake.owner_keys)
			abort();
	}
	s = &fake.sockets[fake.count];
	sockstate__socket_init(s);
	s->family = SOCKSTATE_FAMILY_IPV4;
	s->state = (uint8_t)state;
	s->native_code = (int32_t)state;
	s->native_name = sockstate_state_name(state);
	s->local.addr[0] = 127;
	s->local.addr[3] = 1;
	s->local.port = lport;
	s->remote.addr[0] = 127;
	s->remote.addr[3] = 1;
	s->remote.port = rport;
	fake.owner_keys[fake.count] = owner_key;
	fake.count++;
}

void fake_add_owner(uint64_t key, int32_t pid, const char *name)
{
	if ((fake.owner_count & (fake.owner_count - 1)) == 0) {
		size_t room = fake.owner_count ? 2 * fake.owner_count : 1;

		fake.owners = realloc(fake.owners, room * sizeof *fake.owners);
		if (!fake.owners)
			abort();
	}
	fake.owners[fake.owner_count].key = key;
	fake.owners[fake.owner_count].pid = pid;
	fake.owners[fake.owner_count].name = name;
	fake.owner_count++;
}
