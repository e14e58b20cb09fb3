/* fuzz_proc_decode.c - the /proc/net/tcp{,6} parser
 * (platform/linux/proc_decode.c) and the reader that splits the file into
 * lines (proc_io.c), on whole files.
 *
 * Input: the text of one file. It is read as an IPv4 file and as an IPv6
 * file. Seeds: the real files of tests/fixtures/linux, captures of the
 * state lab, and constructed edge cases (make_seeds.py).
 *
 * Checked, beyond "no crash, no read outside the line":
 *   - every record holds the decoder invariants (fuzz_common.h);
 *   - a model: splitting the text at newlines and decoding line by line
 *     gives exactly what sockstate__proc_read_fd emits and the same
 *     verdict and line number, with a 64 KiB buffer (as the backend) and
 *     with a 256-byte one (lines carried across many reads, long lines
 *     refused);
 *   - a decoded line printed back in the kernel's own format decodes to
 *     the same record (state, addresses, ports, queues, timer, uid,
 *     inode);
 *   - the same text read as /proc/net/sockstat{,6} counts at most
 *     UINT32_MAX sockets (sockstate__diag_sockstat_count). */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "diag_internal.h"
#include "proc_internal.h"

#define CLOCK_TICKS 100
#define BIG_CAP (64u * 1024u)
#define SMALL_CAP 256u

static sockstate_handle *handle(void)
{
	static sockstate_handle *h;
	sockstate_options o = {.size = sizeof o, .backend = "linux-proc"};

	if (!h && sockstate_open(&h, &o) != 0) {
		fprintf(stderr, "fuzz_proc_decode: sockstate_open: %s\n", sockstate_errdetail(NULL));
		abort();
	}
	return h;
}

/* ---- printed back as the kernel prints it ---- */

static void check_round_trip(const sockstate_socket *s, sockstate_family family)
{
	char line[512];
	size_t n = 0;
	unsigned words = family == SOCKSTATE_FAMILY_IPV6 ? 4 : 1;
	const sockstate_endpoint *ends[2] = {&s->local, &s->remote};
	sockstate_socket again;
	const char *why = NULL;

	n += (size_t)snprintf(line + n, sizeof line - n, "%4d:", 7);
	for (int e = 0; e < 2; e++) {
		n += (size_t)snprintf(line + n, sizeof line - n, " ");
		for (unsigned w = 0; w < words; w++) {
			uint32_t word;
			memcpy(&word, ends[e]->addr + 4 * w, sizeof word);
			n += (size_t)snprintf(line + n, sizeof line - n, "%08X", word);
		}
		n += (size_t)snprintf(line + n, sizeof line - n, ":%04X", ends[e]->port);
	}
	n += (size_t)snprintf(line + n, sizeof line - n,
	                      " %02X %08X:%08X %02X:%08X %08X %5lld %8d %llu 1 "
	                      "0000000000000000 100 0 0 10 0",
	                      (unsigned)s->native_code, s->tx_queue, s->rx_queue, s->timer, 0u,
	                      (unsigned)s->retransmits,
	                      (s->valid & SOCKSTATE_HAS_UID) ? (long long)s->uid : 0LL, 0,
	                      (unsigned long long)s->inode);
	FUZZ_CHECK(n < sizeof line);
	if (sockstate__proc_decode_line(line, n, family, CLOCK_TICKS, &again, &why) != 0) {
		fprintf(stderr, "round trip refused (%s): %s\n", why, line);
		abort();
	}
	FUZZ_CHECK(again.family == s->family && again.state == s->state);
	FUZZ_CHECK(again.native_code == s->native_code);
	FUZZ_CHECK(strcmp(again.native_name, s->native_name) == 0);
	FUZZ_CHECK(memcmp(&again.local, &s->local, sizeof s->local) == 0);
	FUZZ_CHECK(memcmp(&again.remote, &s->remote, sizeof s->remote) == 0);
	FUZZ_CHECK(again.tx_queue == s->tx_queue && again.rx_queue == s->rx_queue);
	FUZZ_CHECK(again.timer == s->timer && again.retransmits == s->retransmits);
	FUZZ_CHECK(again.valid == s->valid && again.uid == s->uid && again.inode == s->inode);
}

/* ---- the model: lines in order, as proc_io.c promises ---- */

struct verdict {
	int rc;                   /* 0 or SOCKSTATE_EPARSE */
	unsigned line;            /* lines read; on EPARSE the bad one */
	uint32_t emitted;
	uint64_t digest;
};

static uint64_t mix(uint64_t h, const sockstate_socket *s)
{
	const unsigned char *b = (const unsigned char *)s;

	/* The record up to the pointers that differ from run to run. */
	for (size_t i = 0; i < offsetof(sockstate_socket, native_name); i++)
		h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	b = (const unsigned char *)&s->local;
	for (size_t i = 0; i < 2 * sizeof s->local; i++)
		h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	h = (h ^ s->inode) * UINT64_C(0x100000001b3);
	h = (h ^ (uint64_t)s->uid) * UINT64_C(0x100000001b3);
	return h;
}

static void model(const char *text, size_t size, sockstate_family family, uint32_t states,
                  size_t cap, struct verdict *v)
{
	size_t start = 0;

	memset(v, 0, sizeof *v);
	while (start < size) {
		const char *nl = memchr(text + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - (text + start)) : size - start;
		sockstate_socket s;
		const char *why;

		v->line++;
		/* The line and its newline must fit the buffer. */
		if (len >= cap || !nl) {
			v->rc = SOCKSTATE_EPARSE;
			return;
		}
		if (v->line == 1) {
			if (!sockstate__proc_is_header(text + start, len, family)) {
				v->rc = SOCKSTATE_EPARSE;
				return;
			}
		} else if (sockstate__proc_decode_line(text + start, len, family, CLOCK_TICKS, &s,
		                                       &why) != 0) {
			FUZZ_CHECK(why != NULL && why[0] != '\0');
			v->rc = SOCKSTATE_EPARSE;
			return;
		} else {
			fuzz_check_record(&s, SOCKSTATE_HAS_UID | SOCKSTATE_HAS_INODE |
			                      SOCKSTATE_HAS_QUEUES | SOCKSTATE_HAS_TIMER);
			FUZZ_CHECK(s.family == family);
			FUZZ_CHECK(s.valid & SOCKSTATE_HAS_QUEUES);
			FUZZ_CHECK(s.valid & SOCKSTATE_HAS_TIMER);
			check_round_trip(&s, family);
			if (states & SOCKSTATE_STATE_BIT(s.state)) {
				v->emitted++;
				v->digest = mix(v->digest, &s);
			}
		}
		start += len + 1;
	}
	if (v->line == 0) {
		v->line = 1;
		v->rc = SOCKSTATE_EPARSE;
	}
}

/* ---- the reader, on a memory file ---- */

static int on_emit(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct verdict *v = ctx;

	FUZZ_CHECK(owner_key == s->inode);
	v->emitted++;
	v->digest = mix(v->digest, s);
	return 0;
}

static void reader(int fd, sockstate_family family, uint32_t states, size_t cap,
                   struct verdict *v)
{
	static char buf[BIG_CAP];
	sockstate__proc_table t = {
		.name = family == SOCKSTATE_FAMILY_IPV6 ? "/proc/net/tcp6" : "/proc/net/tcp",
		.family = family,
		.clock_ticks = CLOCK_TICKS,
		.states = states,
		.emit = on_emit,
		.emit_ctx = v,
		.capture_fd = -1,
	};

	memset(v, 0, sizeof *v);
	FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);
	v->rc = sockstate__proc_read_fd(handle(), fd, buf, cap, &t);
	v->line = t.line;
	if (v->rc != 0)
		FUZZ_CHECK(sockstate_errdetail(handle())[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	const char *text = (const char *)data;
	const sockstate_family families[] = {SOCKSTATE_FAMILY_IPV4, SOCKSTATE_FAMILY_IPV6};
	const uint32_t states[] = {SOCKSTATE_STATES_ALL, SOCKSTATE_STATES_DEFAULT,
	                           SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN)};

	if (fd < 0) {
		fd = memfd_create("fuzz-proc", MFD_CLOEXEC);
		FUZZ_CHECK(fd >= 0);
	}
	FUZZ_CHECK(ftruncate(fd, 0) == 0);
	FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);

	for (size_t f = 0; f < 2; f++) {
		for (size_t c = 0; c < 2; c++) {
			size_t cap = c ? SMALL_CAP : BIG_CAP;
			uint32_t mask = states[(size + f + c) % 3];
			struct verdict want, got;

			model(text, size, families[f], mask, cap, &want);
			reader(fd, families[f], mask, cap, &got);
			if (got.rc != want.rc || got.line != want.line ||
			    got.emitted != want.emitted || got.digest != want.digest) {
				fprintf(stderr, "reader (cap %zu, family %d): rc %d line %u emitted %u; "
				        "model: rc %d line %u emitted %u\n", cap, families[f], got.rc,
				        got.line, got.emitted, want.rc, want.line, want.emitted);
				abort();
			}
		}
	}
	/* The same text as /proc/net/sockstat{,6} (diag_split.c's guess):
	 * never beyond a uint32_t, and no byte after `size` read (ASan). */
	FUZZ_CHECK(sockstate__diag_sockstat_count(text, size) <= UINT32_MAX);
	return 0;
}
