/* trace_bpf_io.c - the "bpf" trace source: loads bpf/trace.bpf.c (a
 * light skeleton, like the owner map's: no libbpf at run time, nothing
 * printed) with the trace's filter in its read-only globals, attaches
 * its tracepoints, and reads its ring buffer directly from the two
 * mappings the kernel gives (the consumer page, and the producer page
 * with the data mapped twice, so a record that wraps reads as one).
 *
 * One program per trace: the filter is part of what is loaded, so the
 * kernel drops what the trace does not ask for before it costs a record.
 * The ring is 4 MiB; while nobody reads it fills, then records are
 * counted as lost (the program's lost_records) and reported by a lost
 * event at the next read. The program wakes a waiting reader only once
 * 64 KiB of records wait; below that the reader looks every LOOK_MS. */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/types.h>

#include "netns.h"
#include "pidmap_bpf.h"
#include "trace_linux.h"

/* The generated skeleton does arithmetic on void pointers (a GNU C
 * extension bpftool relies on). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpointer-arith"
#include "trace.lskel.h"
#pragma GCC diagnostic pop

/* Records handed over per read: the rest wait in the ring, which is
 * where the back-pressure belongs. */
#define BATCH 1024
/* The program wakes the reader only once 64 KiB wait (a wakeup per
 * record costs a busy machine a context switch per transition), so a
 * reader looks this often by itself: no event waits longer unseen. */
#define LOOK_MS 10

struct bpf_trace {
	struct trace_bpf *skel;
	unsigned char *consumer;    /* one page: consumer_pos, ours to write */
	unsigned char *producer;    /* producer_pos page, then the data twice */
	size_t page, ring_size;
	int64_t wall_minus_mono;
	uint64_t lost_reported;
	char comm[17];
};

/* The size the program declared (bpf/trace.bpf.c): read back from the
 * map, so the two cannot disagree. */
static int ring_size_of(int fd, size_t *size)
{
	struct bpf_map_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof info);
	memset(&attr, 0, sizeof attr);
	attr.info.bpf_fd = (__u32)fd;
	attr.info.info_len = sizeof info;
	attr.info.info = (__u64)(uintptr_t)&info;
	if (skel_sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof attr) < 0)
		return -1;
	*size = info.max_entries;
	return 0;
}

static int map_ring(struct bpf_trace *b, char *why, size_t why_len)
{
	int fd = b->skel->maps.events.map_fd;
	void *p;

	b->page = (size_t)sysconf(_SC_PAGESIZE);
	if (ring_size_of(fd, &b->ring_size) < 0) {
		snprintf(why, why_len, "bpf(BPF_OBJ_GET_INFO_BY_FD): %s", strerror(errno));
		return SOCKSTATE_EIO;
	}
	p = mmap(NULL, b->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(why, why_len, "mmap(ring consumer page): %s", strerror(errno));
		return SOCKSTATE_EIO;
	}
	b->consumer = p;
	p = mmap(NULL, b->page + 2 * b->ring_size, PROT_READ, MAP_SHARED, fd, (off_t)b->page);
	if (p == MAP_FAILED) {
		snprintf(why, why_len, "mmap(ring data): %s", strerror(errno));
		return SOCKSTATE_EIO;
	}
	b->producer = p;
	return 0;
}

/* The inode of the network namespace the handle answers for. */
static int netns_inode(sockstate_handle *h, uint32_t *inum, char *why, size_t why_len)
{
	struct stat st;
	int fd = -1, rc;

	rc = sockstate__netns_open(h, &fd);
	if (rc < 0) {
		snprintf(why, why_len, "%s", sockstate_errdetail(h));
		return rc;
	}
	rc = fd >= 0 ? fstat(fd, &st) : stat("/proc/thread-self/ns/net", &st);
	if (fd >= 0)
		close(fd);
	if (rc != 0) {
		snprintf(why, why_len, "stat(network namespace): %s", strerror(errno));
		return SOCKSTATE_EIO;
	}
	*inum = (uint32_t)st.st_ino;
	return 0;
}

static void bpf_close(void *state)
{
	struct bpf_trace *b = state;

	if (!b)
		return;
	if (b->producer)
		munmap(b->producer, b->page + 2 * b->ring_size);
	if (b->consumer)
		munmap(b->consumer, b->page);
	if (b->skel)
		trace_bpf__destroy(b->skel);
	free(b);
}

static int64_t wall_minus_mono(void)
{
	return sockstate__platform_clock_ns(0) - sockstate__platform_clock_ns(1);
}

static int bpf_open(sockstate_handle *h, const sockstate_query *q,
                    const sockstate_trace_options *o, void **state, char *why,
                    size_t why_len)
{
	const char *missing = sockstate__bpf_missing_rights(0);
	struct bpf_trace *b;
	uint32_t inum = 0;
	int rc;

	(void)o;
	if (missing) {
		snprintf(why, why_len, "%s", missing);
		return SOCKSTATE_EPERM;
	}
	rc = netns_inode(h, &inum, why, why_len);
	if (rc < 0)
		return rc;
	b = calloc(1, sizeof *b);
	if (!b || !(b->skel = trace_bpf__open()) || !b->skel->rodata) {
		bpf_close(b);
		snprintf(why, why_len, "out of memory");
		return SOCKSTATE_ENOMEM;
	}
	b->skel->rodata->netns_inum = inum;
	b->skel->rodata->families = (q->families >> SOCKSTATE_FAMILY_IPV4 & 1u) |
	                            (q->families >> SOCKSTATE_FAMILY_IPV6 & 1u) << 1;
	b->skel->rodata->state_mask = sockstate__trace_bpf_state_mask(q->states);
	b->skel->rodata->port_either = q->port;
	b->skel->rodata->port_local = q->sport;
	b->skel->rodata->port_remote = q->dport;
	if (trace_bpf__load(b->skel) != 0 || trace_bpf__attach(b->skel) != 0) {
		int e = errno;

		bpf_close(b);
		snprintf(why, why_len, "the kernel refused the BPF program: %s", strerror(e));
		return SOCKSTATE_EUNAVAIL;
	}
	rc = map_ring(b, why, why_len);
	if (rc < 0) {
		bpf_close(b);
		return rc;
	}
	b->wall_minus_mono = wall_minus_mono();
	snprintf(why, why_len, "the caller may load BPF tracing programs");
	*state = b;
	return 0;
}

/* A lost event for what the program counted since the last one. */
static int report_lost(struct bpf_trace *b, sockstate__trace_emit_fn emit, void *ctx)
{
	uint64_t lost = __atomic_load_n(&b->skel->bss->lost_records, __ATOMIC_RELAXED);
	sockstate_event ev;

	if (lost == b->lost_reported)
		return 0;
	sockstate__event_init(&ev, SOCKSTATE_EVENT_LOST, SOCKSTATE_TRACE_BPF);
	ev.lost = lost - b->lost_reported;
	ev.time_ns = sockstate__platform_clock_ns(0);
	b->lost_reported = lost;
	return emit(ctx, &ev);
}

/* Hand over the records ready in the ring, at most BATCH. */
static int drain(struct bpf_trace *b, sockstate_handle *h, sockstate__trace_emit_fn emit,
                 void *ctx)
{
	_Atomic uint64_t *consumer_pos = (_Atomic uint64_t *)b->consumer;
	_Atomic uint64_t *producer_pos = (_Atomic uint64_t *)b->producer;
	const unsigned char *data = b->producer + b->page;
	uint64_t cons = atomic_load_explicit(consumer_pos, memory_order_acquire);
	uint64_t prod = atomic_load_explicit(producer_pos, memory_order_acquire);
	int n = 0, rc = 0;

	while (cons < prod && n < BATCH && rc == 0) {
		const unsigned char *at = data + (cons & (b->ring_size - 1));
		uint32_t len = atomic_load_explicit((const _Atomic uint32_t *)at, memory_order_acquire);
		uint32_t size = len & ~(uint32_t)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		sockstate_event ev;

		if (len & BPF_RINGBUF_BUSY_BIT)
			break;      /* still being written */
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			rc = sockstate__trace_bpf_decode(at + BPF_RINGBUF_HDR_SZ, size,
			                                 b->wall_minus_mono, &ev, b->comm);
			if (rc < 0)
				rc = sockstate__fail(h, rc, "BPF ring: a record of %u bytes, "
				                     "expected %zu", size,
				                     sockstate__bpf_transition_size);
			else
				rc = emit(ctx, &ev);
			n++;
		}
		cons += (BPF_RINGBUF_HDR_SZ + size + 7) & ~(uint64_t)7;
		atomic_store_explicit(consumer_pos, cons, memory_order_release);
	}
	if (rc == 0)
		rc = report_lost(b, emit, ctx);
	return rc < 0 ? rc : n;
}

static int bpf_fd(const void *state)
{
	const struct bpf_trace *b = state;

	return b->skel->maps.events.map_fd;
}

static int bpf_read(void *state, sockstate_handle *h, int timeout_ms,
                    sockstate__trace_emit_fn emit, void *ctx)
{
	struct bpf_trace *b = state;
	struct pollfd p = {.fd = bpf_fd(b), .events = POLLIN};
	int rc = drain(b, h, emit, ctx);

	if (rc != 0 || timeout_ms == 0)
		return rc;
	rc = poll(&p, 1, timeout_ms < 0 || timeout_ms > LOOK_MS ? LOOK_MS : timeout_ms);
	if (rc < 0 && errno != EINTR)
		return sockstate__fail(h, SOCKSTATE_EIO, "poll(BPF ring): %s", strerror(errno));
	return drain(b, h, emit, ctx);
}

static int bpf_timeout_ms(const void *state)
{
	(void)state;
	return LOOK_MS;
}

const sockstate__trace_source sockstate__trace_bpf_source = {
	.id = SOCKSTATE_TRACE_BPF,
	.open = bpf_open,
	.read = bpf_read,
	.fd = bpf_fd,
	.timeout_ms = bpf_timeout_ms,
	.close = bpf_close,
};
