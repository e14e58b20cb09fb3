/* fuzz_diag_capture.c - capture files, as `sockstate --replay FILE` and
 * the linux-replay backend read them (platform/linux/diag_replay.c, and
 * sockstate__diag_capture_decode in diag_decode.c).
 *
 * Input: the bytes of a capture file (one or more sock_diag dumps,
 * concatenated, as capture mode or `ss -D` saves them), or anything else.
 * Seeds: the fixtures of tests/fixtures/linux, alone and concatenated,
 * and the decoder's edge cases (corpus/diag_capture).
 *
 * Checked, beyond "no crash, no read outside the buffer":
 *   - the verdict is 0, or SOCKSTATE_EPARSE with a reason and a byte
 *     offset inside the file (a dump ended in a kernel error included,
 *     its errno kept);
 *   - read in pieces of any size (1 byte, or a few for a big file; an odd
 *     size; all at once) the file gives the same verdict, the same records
 *     and the same offset;
 *   - every record holds the decoder's invariants (fuzz_common.h);
 *   - through the public API (a handle with the replay option on the
 *     same bytes in a memfd, every state asked): the same verdict and the
 *     same records, so a bad file is one error, never a crash. */
#include <sys/mman.h>
#include <unistd.h>

#include "diag_internal.h"
#include "fuzz_common.h"

struct tally {
	uint32_t records;
	uint64_t digest;
};

static void tally_add(struct tally *t, const sockstate_socket *s)
{
	t->records++;
	t->digest = fuzz_record_digest(t->digest, s);
}

static int on_record(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	fuzz_check_record(s, FUZZ_DECODER_BITS);
	FUZZ_CHECK(owner_key == s->inode);
	tally_add(ctx, s);
	return 0;
}

static int on_socket(const sockstate_socket *s, void *ctx)
{
	tally_add(ctx, s);
	return 0;
}

struct verdict {
	int rc;
	size_t offset;
	int os_errno;
	struct tally t;
};

/* Read data as the replay backend does, chunk bytes at a time. */
static void read_in_pieces(const uint8_t *data, size_t size, size_t chunk, struct verdict *v)
{
	sockstate__diag_capture c = {0};
	sockstate__diag_result res;
	uint8_t *window = malloc(size + 1);
	size_t have = 0, fed = 0;
	int eof = 0;

	if (!window)
		abort();
	memset(v, 0, sizeof *v);
	do {
		size_t n = size - fed < chunk ? size - fed : chunk, used = 0;

		memcpy(window + have, data + fed, n);
		fed += n;
		have += n;
		eof = n == 0;
		v->rc = sockstate__diag_capture_decode(&c, window, have, eof, &used, on_record,
		                                       &v->t, &res);
		FUZZ_CHECK(used <= have);
		memmove(window, window + used, have - used);
		have -= used;
	} while (!eof && v->rc == 0);
	free(window);
	FUZZ_CHECK(v->rc == 0 || v->rc == SOCKSTATE_EPARSE);
	FUZZ_CHECK(res.records <= v->t.records);
	if (v->rc == SOCKSTATE_EPARSE) {
		FUZZ_CHECK(res.why != NULL && res.why[0] != '\0');
		FUZZ_CHECK(res.offset <= size);
		v->offset = res.offset;
		v->os_errno = res.os_errno;
	} else {
		FUZZ_CHECK(c.dumps > 0 && !c.in_dump && c.offset == size);
	}
}

static void same(const struct verdict *a, const struct verdict *b)
{
	FUZZ_CHECK(a->rc == b->rc && a->offset == b->offset && a->os_errno == b->os_errno);
	FUZZ_CHECK(a->t.records == b->t.records && a->t.digest == b->t.digest);
}

/* One handle on one memfd for every input (each query reads the file
 * again): opening a handle per input would cost its 1 MiB buffer each
 * time. */
static sockstate_handle *api_handle;
static int api_fd = -1;

static void api_open(void)
{
	sockstate_options o = {.size = sizeof o};
	char path[64];

	api_fd = memfd_create("capture", MFD_CLOEXEC);
	if (api_fd < 0)
		return;
	snprintf(path, sizeof path, "/proc/self/fd/%d", api_fd);
	o.replay = path;
	FUZZ_CHECK(sockstate_open(&api_handle, &o) == 0);
	FUZZ_CHECK(!strcmp(sockstate_backend(api_handle), "linux-replay"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verdict whole, bytes, odd;
	struct tally api = {0};

	read_in_pieces(data, size, size + 1, &whole);
	/* Byte by byte costs a call per byte: small files only. */
	read_in_pieces(data, size, size <= 600 ? 1 : 2 + size % 7, &bytes);
	read_in_pieces(data, size, 1 + size % 61, &odd);
	same(&whole, &bytes);
	same(&whole, &odd);

	/* The same bytes as a file, through the public API. */
	if (api_fd < 0)
		api_open();
	if (api_fd >= 0 && ftruncate(api_fd, 0) == 0 &&
	    pwrite(api_fd, data, size, 0) == (ssize_t)size) {
		sockstate_query q;

		sockstate_query_init(&q);
		q.states = SOCKSTATE_STATES_ALL;
		FUZZ_CHECK(sockstate_foreach(api_handle, &q, on_socket, &api) == whole.rc);
		FUZZ_CHECK(api.records == whole.t.records && api.digest == whole.t.digest);
		if (whole.rc)
			FUZZ_CHECK(strstr(sockstate_errdetail(api_handle), "replay /proc/self/fd/"));
	}
	return 0;
}
