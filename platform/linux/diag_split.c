/* diag_split.c - one sock_diag dump run as two at once: the kernel builds
 * one message per socket in the context of the thread that reads the
 * socket, single-threaded, so a big dump is bound by one CPU. Two dumps,
 * each carrying a program that keeps one half of the sockets by their
 * ports (sockstate__diag_split_bytecode), read by two threads, let two
 * CPUs build them.
 *
 * The calling thread sends half 0 on the backend's socket and half 1 on a
 * second one (opened the first time, in the handle's namespace, as the
 * first was). A worker thread only receives half 1's datagrams into a
 * pool of SOCKSTATE__DIAG_POOL buffers and waits when all are full; the
 * calling thread reads half 0 itself and decodes both, so the callback
 * (the user's code) and sockstate__fail (the handle's detail buffer) run
 * on the calling thread only, and memory stays bounded by the pool.
 * Everything diag_io.c does for one stream it does for each: its own
 * cookies against repeats, restart, drain or close. The thread, its lock
 * and its condition live for one call; only the sockets and the buffers
 * stay with the handle (nothing a fork could inherit half-held).
 *
 * When to split (sockstate__diag_split_wanted), so that a thread is only
 * paid for where it wins:
 *   - the handle may start threads (sockstate__handle_threads: not
 *     SOCKSTATE_THREADS_NEVER, not in a forked child of a threaded
 *     process);
 *   - the request asks for both families in one walk, for more than the
 *     listeners (those alone are a small table of their own) and carries
 *     no bytecode of its own (a pushed-down filter already makes the
 *     kernel send few messages; its walk is cheap);
 *   - not in capture mode (a capture is one dump's datagrams, in order);
 *   - more than one CPU is usable (sched_getaffinity at open) beyond
 *     those the core keeps busy meanwhile (plan->cpus_busy: the owner
 *     map's thread; on two CPUs, a third thread only made every one of
 *     them wait: 47.6 against 45.3 ms, 72 against 58 ms of CPU, for
 *     Python's connections(processes=True) at 50k);
 *   - the last whole dump on this handle (both families, no bytecode,
 *     every default state) delivered at least SOCKSTATE__DIAG_SPLIT_MIN
 *     records; before the first, the kernel's counters say how many there
 *     are (/proc/thread-self/net/sockstat{,6}: TCP inuse + tw, TCP6 inuse; read
 *     at open, not for a handle on another namespace, whose first dump is
 *     one walk and measures).
 * SOCKSTATE_THREADS_ALWAYS (for tests) splits whenever the first three
 * conditions hold, whatever the CPUs and the size.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "diag_internal.h"

/* A receive on a dump never waits: the kernel queues the next datagram
 * before the last one's recvmsg returns. Should a dump's end ever go
 * unseen, this bounds the worker's wait, and the socket is closed. */
#define HALF_RECV_TIMEOUT_S 5
/* idiag_states bit of TCP_LISTEN: a dump of listeners alone walks only
 * the small listening table, not worth two. */
#define LISTENERS_ONLY (1u << 10)

/* The value after `key` on the line that starts with `line` ("TCP:"), or
 * 0 if there is none. */
static uint64_t sockstat_field(const char *text, size_t len, const char *line,
                               const char *key)
{
	size_t line_len = strlen(line), key_len = strlen(key);

	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len;

		if (end - at > line_len && !memcmp(text + at, line, line_len)) {
			for (size_t i = at + line_len; i + key_len + 1 < end; i++) {
				uint64_t v = 0;

				if (text[i] != ' ' || memcmp(text + i + 1, key, key_len) ||
				    text[i + 1 + key_len] != ' ')
					continue;
				for (i += key_len + 2; i < end && text[i] >= '0' && text[i] <= '9'; i++)
					v = v * 10 + (uint64_t)(text[i] - '0');
				return v;
			}
			return 0;
		}
		at = end + 1;
	}
	return 0;
}

uint64_t sockstate__diag_sockstat_count(const char *text, size_t len)
{
	uint64_t n = sockstat_field(text, len, "TCP:", "inuse");

	n += sockstat_field(text, len, "TCP:", "tw");
	n += sockstat_field(text, len, "TCP6:", "inuse");
	return n > UINT32_MAX ? UINT32_MAX : n;
}

/* Both files of the calling thread's namespace, one after the other. */
static uint32_t sockstat_estimate(void)
{
	static const char *const paths[] = {"/proc/thread-self/net/sockstat",
	                                    "/proc/thread-self/net/sockstat6"};
	char text[2048];
	size_t len = 0;

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		ssize_t n;

		if (fd < 0)
			continue;
		while (len < sizeof text &&
		       ((n = read(fd, text + len, sizeof text - len)) > 0 ||
		        (n < 0 && errno == EINTR)))
			len += n > 0 ? (size_t)n : 0;
		close(fd);
	}
	return (uint32_t)sockstate__diag_sockstat_count(text, len);
}

void sockstate__diag_split_open(sockstate__diag_split *sp, const sockstate__diag_io *io)
{
	cpu_set_t set;

	memset(sp, 0, sizeof *sp);
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		sp->cpus = CPU_COUNT(&set);
	else /* more CPUs than a cpu_set_t holds */
		sp->cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	/* The first dump's size, guessed from the kernel's own counters, so
	 * a one-shot caller (the CLI, an Ansible module) splits too. A handle
	 * for another namespace starts with no guess: its first dump is one
	 * walk and measures. */
	if (sp->cpus > 1 && !io->has_netns)
		sp->population = sockstat_estimate();
}

void sockstate__diag_split_close(sockstate__diag_split *sp)
{
	sockstate__diag_stream_free(&sp->half);
	for (int i = 0; i < SOCKSTATE__DIAG_POOL; i++)
		free(sp->pool[i]);
	memset(sp, 0, sizeof *sp);
}

int sockstate__diag_split_wanted(const sockstate__diag_split *sp, sockstate_handle *h,
                                 const sockstate__diag_request *req, int cpus_busy)
{
	sockstate_threads threads = sockstate__handle_threads(h);

	if (threads == SOCKSTATE_THREADS_NEVER || req->family != AF_UNSPEC ||
	    req->bytecode_len || !(req->states & ~LISTENERS_ONLY) ||
	    sockstate__handle_capture_dir(h))
		return 0;
	if (threads == SOCKSTATE_THREADS_ALWAYS)
		return 1;
	return sp->cpus > 1 + cpus_busy && sp->population >= SOCKSTATE__DIAG_SPLIT_MIN;
}

/* ---- the worker: half 1's datagrams into the pool ---- */

struct worker {
	sockstate__diag_io *io;      /* its buffer size (cap) */
	sockstate__diag_split *sp;   /* sp->half and sp->pool are the
	                                worker's until it is joined, but for
	                                the slots it has queued */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t len[SOCKSTATE__DIAG_POOL];
	unsigned head, count;        /* queued slots, oldest first */
	int finished;                /* nothing more will be queued */
	ssize_t error;               /* -errno of the receive it stopped on */
	int lost;                    /* its dump's end was not found */
	int stop;                    /* the caller wants no more */
};

/* The caller stopped: read and drop the rest of half 1 (the datagram in
 * slot, n bytes, first). */
static void worker_drain(struct worker *w, unsigned slot, size_t n)
{
	int lost = sockstate__diag_drain(&w->sp->half, w->sp->pool[slot], w->io->cap, n) < 0;

	pthread_mutex_lock(&w->lock);
	w->lost = lost;
	w->finished = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void worker_run(void *arg)
{
	struct worker *w = arg;
	const sockstate__diag_stream *st = &w->sp->half;

	for (;;) {
		unsigned slot;
		ssize_t n;
		int end;

		pthread_mutex_lock(&w->lock);
		while (w->count == SOCKSTATE__DIAG_POOL && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		slot = (w->head + w->count) % SOCKSTATE__DIAG_POOL;
		if (w->stop) {
			pthread_mutex_unlock(&w->lock);
			worker_drain(w, slot, 0);
			return;
		}
		pthread_mutex_unlock(&w->lock);

		n = sockstate__diag_recv(st->nl, w->sp->pool[slot], w->io->cap);
		end = n < 0 ? -1 : sockstate__diag_holds_end(w->sp->pool[slot], (size_t)n, st->seq);

		pthread_mutex_lock(&w->lock);
		if (w->stop && n >= 0 && end == 0) {
			pthread_mutex_unlock(&w->lock);
			worker_drain(w, slot, (size_t)n);
			return;
		}
		/* Here a stop comes with the dump's end (or its loss). */
		if (n < 0)
			w->error = n;
		else if (!w->stop)
			w->len[slot] = (size_t)n, w->count++;
		if (end < 0)
			w->lost = 1;
		if (end != 0)
			w->finished = 1;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->lock);
		if (end != 0)
			return;
	}
}

/* Tell the worker to stop (it drains half 1 unless its end was seen),
 * join it, and close the second socket if its dump's end was lost. */
static void worker_join(struct worker *w, sockstate__task *thread)
{
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	w->count = 0;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	sockstate__platform_task_join(thread);
	if (w->lost)
		sockstate__diag_stream_close(&w->sp->half);
}

/* ---- the calling thread: read half 0, decode both ---- */

/* Decode half 1's oldest queued datagram; with wait, wait for one. *got
 * says whether there was one (or the worker's end to report). */
static int take_queued(struct worker *w, sockstate_handle *h,
                       const sockstate__diag_request *req, sockstate__diag_sink *sink,
                       sockstate__diag_next *next, int wait, int *got)
{
	sockstate__diag_io *io = w->io;
	unsigned slot;
	size_t len;
	ssize_t error;
	int rc;

	pthread_mutex_lock(&w->lock);
	while (wait && w->count == 0 && !w->finished)
		pthread_cond_wait(&w->cond, &w->lock);
	*got = w->count > 0 || w->finished;
	slot = w->head;
	len = w->len[slot];
	error = w->error;
	if (w->count == 0) {
		pthread_mutex_unlock(&w->lock);
		if (!*got)
			return 0;
		*next = SOCKSTATE__DIAG_LOST;
		if (error < 0) /* the receive error the worker stopped on */
			return sockstate__diag_take(&w->sp->half, h, req, NULL, error, io->cap, sink, next);
		return sockstate__fail(h, SOCKSTATE_EPARSE, "sock_diag dump (half 1 of 2): "
		                       "ended without its last message");
	}
	pthread_mutex_unlock(&w->lock);

	rc = sockstate__diag_take(&w->sp->half, h, req, w->sp->pool[slot], (ssize_t)len, io->cap,
	                          sink, next);

	pthread_mutex_lock(&w->lock);
	w->head = (w->head + 1) % SOCKSTATE__DIAG_POOL;
	w->count--;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

/* Until both dumps end or something stops them: half 1's queued
 * datagrams first (the worker goes on while a slot is free), then one of
 * half 0's; once half 0 is done, wait for half 1's. */
static int merge(struct worker *w, sockstate_handle *h, const sockstate__diag_request *req,
                 sockstate__diag_sink *sink)
{
	sockstate__diag_io *io = w->io;
	sockstate__diag_next a = SOCKSTATE__DIAG_MORE, b = SOCKSTATE__DIAG_MORE;
	int rc = 0;

	while (rc == 0 && (a == SOCKSTATE__DIAG_MORE || b == SOCKSTATE__DIAG_MORE)) {
		if (b == SOCKSTATE__DIAG_MORE) {
			int got;

			rc = take_queued(w, h, req, sink, &b, a != SOCKSTATE__DIAG_MORE, &got);
			if (got)
				continue;
		}
		if (a == SOCKSTATE__DIAG_MORE) {
			ssize_t n = sockstate__diag_recv(io->main.nl, io->buf, io->cap);

			rc = sockstate__diag_take(&io->main, h, req, io->buf, n, io->cap, sink, &a);
			sockstate__diag_settle(&io->main, io->buf, io->cap, n < 0 ? 0 : (size_t)n, a);
		}
	}
	/* Half 1 stopped the dump: half 0's rest is read and dropped. */
	if (a == SOCKSTATE__DIAG_MORE)
		sockstate__diag_settle(&io->main, io->buf, io->cap, 0, SOCKSTATE__DIAG_DRAIN);
	return rc;
}

/* The second socket and the pool, the first time. 0, or -1: no split. */
static int half_ready(sockstate__diag_io *io, sockstate__diag_split *sp, sockstate_handle *h,
                      const sockstate__diag_request *half)
{
	const struct timeval timeout = {.tv_sec = HALF_RECV_TIMEOUT_S};
	int opened = !sp->half.nl, rc;

	for (int i = 0; i < SOCKSTATE__DIAG_POOL; i++)
		if (!sp->pool[i] && !(sp->pool[i] = malloc(SOCKSTATE__DIAG_BUF_SIZE)))
			return -1;
	rc = sockstate__diag_start(io, &sp->half, h, half);
	if (opened && sp->half.nl)
		(void)setsockopt(mnl_socket_get_fd(sp->half.nl), SOL_SOCKET, SO_RCVTIMEO,
		                 &timeout, sizeof timeout);
	return rc < 0 ? -1 : 0;
}

int sockstate__diag_split_dump(sockstate__diag_io *io, sockstate__diag_split *sp,
                               sockstate_handle *h, const sockstate__diag_request *req,
                               sockstate__diag_record_fn cb, void *ctx)
{
	unsigned char bytecode[2][SOCKSTATE__DIAG_SPLIT_BYTECODE_LEN];
	sockstate__diag_request half[2] = {*req, *req};
	sockstate__diag_sink sink = {.cb = cb, .ctx = ctx};
	struct worker w;
	sockstate__task *thread;
	int rc;

	for (int i = 0; i < 2; i++) {
		half[i].bytecode = bytecode[i];
		half[i].bytecode_len = (size_t)sockstate__diag_split_bytecode(i, bytecode[i],
		                                                              sizeof bytecode[i]);
	}
	/* Without a second socket or buffers, one walk still answers. */
	if (half_ready(io, sp, h, &half[1]) < 0)
		return sockstate__diag_dump(io, h, req, cb, ctx);
	memset(&w, 0, sizeof w);
	w.io = io;
	w.sp = sp;
	if (pthread_mutex_init(&w.lock, NULL) != 0)
		goto no_thread;
	if (pthread_cond_init(&w.cond, NULL) != 0) {
		pthread_mutex_destroy(&w.lock);
		goto no_thread;
	}
	/* A thread of its own, born with every signal blocked (posix.c). */
	if (sockstate__platform_task_start(&thread, worker_run, &w) != 0) {
		pthread_cond_destroy(&w.cond);
		pthread_mutex_destroy(&w.lock);
		goto no_thread;
	}
	rc = sockstate__diag_start(io, &io->main, h, &half[0]);
	if (rc == 0)
		rc = merge(&w, h, req, &sink);
	worker_join(&w, thread);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	/* Interrupted before anything was delivered: as one walk, which
	 * restarts on its own. */
	if (rc == SOCKSTATE__DIAG_RESTART)
		return sockstate__diag_dump(io, h, req, cb, ctx);
	if (rc == 0)
		sp->splits++;
	return rc;

no_thread:
	sockstate__diag_settle(&sp->half, sp->pool[0], io->cap, 0, SOCKSTATE__DIAG_DRAIN);
	return sockstate__diag_dump(io, h, req, cb, ctx);
}
