/* proc_backend.c - the "linux-proc" backend: /proc/net/tcp and tcp6, for
 * systems where sock_diag is missing or refused.
 *
 * It filters families (by choosing which files to read) and states (before
 * emitting); ports and addresses are left to the core. It fills uid,
 * inode, queues and timers; owners come from the /proc/<pid>/fd walk.
 *
 * The files are read through /proc/thread-self/net, which shows the
 * network namespace of the calling thread (a thread that called setns()
 * sees its new namespace; /proc/net follows the thread group leader).
 * Kernels before 3.17 have no thread-self: there /proc/net is used. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counters_internal.h"
#include "netns.h"
#include "pidmap.h"
#include "proc_internal.h"

/* The kernel hands at most a page of lines per read() (seq_file); a
 * larger buffer costs only memory and takes more from a kernel that
 * gives more. */
#define PROC_BUF_SIZE (64u * 1024u)

/* The sockets one enumeration has emitted, to drop the repeats a table
 * read under churn contains: each read() is a fresh look resumed by
 * position, and when the kernel cannot resume where it stopped it counts
 * from the start again, so a busy table can list many sockets twice.
 * Keys: the inode of a full socket, else (TIME_WAIT, request sockets) a
 * hash of its endpoints and state with the top bit set; 0 marks a free
 * slot. The slots are kept for the next enumeration: 8 bytes per socket,
 * twice. So this fallback's memory grows with the table, unlike netlink's:
 * a repeat can come from anywhere in it. */
struct key_set {
	uint64_t *slot;
	size_t mask;                /* slots - 1, or 0 when none yet */
	size_t count;
};

struct proc_state {
	const char *tcp_path;
	const char *tcp6_path;
	long clock_ticks;
	int netns_fd;               /* -1, or the handle's network namespace */
	struct key_set seen;
	char buf[PROC_BUF_SIZE];
};

static uint64_t socket_key(const sockstate_socket *s)
{
	const unsigned char *parts[2] = {(const unsigned char *)&s->local,
	                                 (const unsigned char *)&s->remote};
	/* The state too: a timewait and a request socket can share endpoints. */
	uint64_t h = (UINT64_C(0xcbf29ce484222325) ^ s->family) * UINT64_C(0x100000001b3) ^ s->state;

	if (s->inode)
		return s->inode;
	for (int i = 0; i < 2; i++)
		for (size_t k = 0; k < sizeof s->local; k++)
			h = (h ^ parts[i][k]) * UINT64_C(0x100000001b3);
	return h | UINT64_C(1) << 63;
}

/* Returns 1 when key is new (and now kept), 0 for a repeat, -1 when out
 * of memory. */
static int key_set_add(struct key_set *set, uint64_t key)
{
	if (2 * (set->count + 1) > set->mask + 1) {
		size_t slots = set->mask ? 2 * (set->mask + 1) : 1024;
		uint64_t *slot = calloc(slots, sizeof *slot);
		if (!slot)
			return -1;
		for (size_t i = 0; set->mask && i <= set->mask; i++) {
			size_t j;
			if (!set->slot[i])
				continue;
			for (j = sockstate__slot_of(set->slot[i], slots - 1);
			     slot[j]; j = (j + 1) & (slots - 1))
				;
			slot[j] = set->slot[i];
		}
		free(set->slot);
		set->slot = slot;
		set->mask = slots - 1;
	}
	for (size_t i = sockstate__slot_of(key, set->mask);;
	     i = (i + 1) & set->mask) {
		if (set->slot[i] == key)
			return 0;
		if (!set->slot[i]) {
			set->slot[i] = key;
			set->count++;
			return 1;
		}
	}
}

static void key_set_clear(struct key_set *set)
{
	if (set->slot)
		memset(set->slot, 0, (set->mask + 1) * sizeof *set->slot);
	set->count = 0;
}

struct emit_once {
	struct key_set *seen;
	sockstate_handle *h;
	sockstate__emit_fn emit;
	void *emit_ctx;
};

static int emit_once(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct emit_once *e = ctx;
	int added = key_set_add(e->seen, socket_key(s));

	if (added < 0)
		return sockstate__fail(e->h, SOCKSTATE_ENOMEM, "out of memory for the sockets "
		                       "already listed");
	return added ? e->emit(e->emit_ctx, s, owner_key) : 0;
}

static int readable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void proc_close(void *state)
{
	struct proc_state *st = state;

	if (st && st->netns_fd >= 0)
		close(st->netns_fd);
	if (st)
		free(st->seen.slot);
	free(st);
}

/* The backend inside the handle's network namespace: its tables through
 * /proc/thread-self/net, opened while the thread is in the namespace. */
static int proc_open_netns(sockstate_handle *h, void **out)
{
	struct proc_state *st = malloc(sizeof *st);
	int fd, rc;

	if (!st)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "malloc: out of memory");
	st->tcp_path = "/proc/thread-self/net/tcp";
	st->tcp6_path = "/proc/thread-self/net/tcp6";
	st->seen = (struct key_set){0};
	st->clock_ticks = sysconf(_SC_CLK_TCK);
	if (st->clock_ticks <= 0)
		st->clock_ticks = 100; /* USER_HZ on all but alpha */
	rc = sockstate__netns_open(h, &st->netns_fd);
	if (rc < 0) {
		free(st);
		return rc;
	}
	fd = sockstate__netns_open_file(h, st->netns_fd, st->tcp_path);
	if (fd < 0) {
		proc_close(st);
		return fd == SOCKSTATE_ENOENT
		       ? sockstate__fail(h, SOCKSTATE_EUNAVAIL,
		                         "open(/proc/thread-self/net/tcp): no such file")
		       : fd;
	}
	close(fd);
	*out = st;
	return 0;
}

static int proc_open(sockstate_handle *h, void **out)
{
	static const char *const paths[][2] = {
		{"/proc/thread-self/net/tcp", "/proc/thread-self/net/tcp6"},
		{"/proc/net/tcp", "/proc/net/tcp6"}, /* before Linux 3.17 */
	};
	struct proc_state *st;
	size_t i = 0;
	int err = readable(paths[0][0]);

	*out = NULL;
	if (sockstate__handle_netns(h))
		return proc_open_netns(h, out);
	if (err == -ENOENT) {
		i = 1;
		err = readable(paths[i][0]);
	}
	if (err < 0)
		return sockstate__fail(h, SOCKSTATE_EUNAVAIL, "open(%s): %s", paths[i][0],
		                       strerror(-err));
	st = malloc(sizeof *st);
	if (!st)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "malloc: out of memory");
	st->tcp_path = paths[i][0];
	st->seen = (struct key_set){0};
	st->tcp6_path = paths[i][1];
	st->netns_fd = -1;
	st->clock_ticks = sysconf(_SC_CLK_TCK);
	if (st->clock_ticks <= 0)
		st->clock_ticks = 100; /* USER_HZ on all but alpha */
	*out = st;
	return 0;
}


/* One table of the handle's namespace; a missing one (tcp6 with IPv6
 * disabled) has no sockets. */
static int read_in_netns(sockstate_handle *h, struct proc_state *st, const char *path,
                         sockstate__proc_table *t)
{
	int fd = sockstate__netns_open_file(h, st->netns_fd, path);
	int rc;

	t->line = 0;
	if (fd == SOCKSTATE_ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	rc = sockstate__proc_read_fd(h, fd, st->buf, sizeof st->buf, t);
	close(fd);
	return rc;
}

static int proc_enumerate(void *state, sockstate_handle *h, sockstate__plan *plan,
                          sockstate__emit_fn emit, void *emit_ctx)
{
	struct proc_state *st = state;
	const struct {
		sockstate_family family;
		const char *path, *name, *capture_file;
	} tables[] = {
		{SOCKSTATE_FAMILY_IPV4, st->tcp_path, "/proc/net/tcp", "proc_tcp.txt"},
		{SOCKSTATE_FAMILY_IPV6, st->tcp6_path, "/proc/net/tcp6", "proc_tcp6.txt"},
	};
	uint32_t families = plan->q->families;
	uint32_t states = SOCKSTATE_STATES_ALL;

	if (plan->may_push) {
		states = plan->states;
		plan->pushed |= SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY;
	} else {
		families = (1u << SOCKSTATE_FAMILY_IPV4) | (1u << SOCKSTATE_FAMILY_IPV6);
	}
	struct emit_once once = {.seen = &st->seen, .h = h, .emit = emit, .emit_ctx = emit_ctx};

	key_set_clear(&st->seen);
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		sockstate__proc_table t = {
			.name = tables[i].name,
			.family = tables[i].family,
			.clock_ticks = st->clock_ticks,
			.states = states,
			.emit = emit_once,
			.emit_ctx = &once,
		};
		int rc;

		if (!(families & (1u << tables[i].family)))
			continue;
		/* Developer option: a copy of each file as read, for fixtures. */
		rc = sockstate__platform_capture_open(h, tables[i].capture_file, &t.capture_fd);
		if (rc < 0)
			return rc;
		if (st->netns_fd >= 0)
			rc = read_in_netns(h, st, tables[i].path, &t);
		else
			rc = sockstate__proc_read_path(h, tables[i].path, st->buf, sizeof st->buf,
			                               &t);
		if (t.capture_fd >= 0)
			close(t.capture_fd);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int proc_owners(void *state, sockstate_handle *h, sockstate__owners *map,
                       const char **source)
{
	(void)state;
	return sockstate__linux_owners(h, map, source);
}

/* The counters of the namespace the handle's tables are read in. */
static int proc_tcp_counters(sockstate_handle *h, void *state, sockstate_tcp_counters *out)
{
	const struct proc_state *st = state;

	return sockstate__linux_tcp_counters(h, st->netns_fd, out);
}

const sockstate__backend sockstate__linux_proc_backend = {
	.name = "linux-proc",
	.can_filter = SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY,
	.fills = SOCKSTATE_HAS_UID | SOCKSTATE_HAS_INODE | SOCKSTATE_HAS_QUEUES |
	         SOCKSTATE_HAS_TIMER,
	.open = proc_open,
	.enumerate = proc_enumerate,
	.close = proc_close,
	.owners = proc_owners,
	.netns_list = sockstate__linux_netns_list,
	.tcp_counters = proc_tcp_counters,
};
