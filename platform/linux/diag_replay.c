/* diag_replay.c - the "linux-replay" backend: the sockets of a capture
 * file (sock_diag dumps as capture mode or `ss -D` saved them) instead of
 * the kernel's. The only file that reads the capture; the bytes go to
 * sockstate__diag_capture_decode (diag_decode.c) as they come, so memory
 * stays one buffer whatever the file's size. Nothing is filtered here:
 * the core applies every filter, as it would to the kernel's answer. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag_internal.h"
#include "netns.h"

/* Reads of this size; a message longer than the buffer cannot be one. */
#define REPLAY_BUF_SIZE (1024u * 1024u)

struct replay {
	int fd;
	unsigned char *buf;
	const char *path;            /* the handle's, for messages */
};

static void replay_close(void *state)
{
	struct replay *r = state;

	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r);
}

static int replay_open(sockstate_handle *h, void **out)
{
	struct replay *r = calloc(1, sizeof *r);
	struct stat st;

	*out = NULL;
	if (!r)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "malloc: out of memory");
	r->path = sockstate__handle_replay(h);
	r->fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (r->fd < 0) {
		int err = errno;
		replay_close(r);
		return sockstate__fail(h, sockstate__linux_path_errno_code(err), "open(%s): %s",
		                       sockstate__handle_replay(h), strerror(err));
	}
	/* Read again by every query: a pipe or a terminal could not be. */
	if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		replay_close(r);
		return sockstate__fail(h, SOCKSTATE_EINVAL, "replay %s: not a regular file",
		                       sockstate__handle_replay(h));
	}
	r->buf = malloc(REPLAY_BUF_SIZE);
	if (!r->buf) {
		replay_close(r);
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "out of memory for the %u-byte "
		                       "replay buffer", REPLAY_BUF_SIZE);
	}
	*out = r;
	return 0;
}

static int replay_enumerate(void *state, sockstate_handle *h, sockstate__plan *plan,
                            sockstate__emit_fn emit, void *emit_ctx)
{
	struct replay *r = state;
	sockstate__diag_capture c = {0};
	sockstate__diag_result res;
	size_t have = 0;
	int eof = 0;

	plan->pushed = 0;
	if (lseek(r->fd, 0, SEEK_SET) < 0) {
		int err = errno;
		return sockstate__fail(h, SOCKSTATE_EIO, "lseek(%s): %s", r->path, strerror(err));
	}
	while (!eof) {
		ssize_t n = read(r->fd, r->buf + have, REPLAY_BUF_SIZE - have);
		size_t used;
		int rc;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			return sockstate__fail(h, SOCKSTATE_EIO, "read(%s): %s", r->path,
			                       strerror(err));
		}
		eof = n == 0;
		have += (size_t)n;
		rc = sockstate__diag_capture_decode(&c, r->buf, have, eof, &used, emit,
		                                    emit_ctx, &res);
		if (rc == SOCKSTATE_EPARSE && res.os_errno)
			return sockstate__fail(h, rc, "replay %s: byte %zu: %s: %s", r->path,
			                       res.offset, res.why, strerror(res.os_errno));
		if (rc == SOCKSTATE_EPARSE)
			return sockstate__fail(h, rc, "replay %s: byte %zu: %s", r->path,
			                       res.offset, res.why);
		if (rc != 0)
			return rc;
		memmove(r->buf, r->buf + used, have - used);
		have -= used;
		if (have == REPLAY_BUF_SIZE)
			return sockstate__fail(h, SOCKSTATE_EPARSE, "replay %s: byte %llu: a "
			                       "netlink message longer than %u bytes", r->path,
			                       (unsigned long long)c.offset, REPLAY_BUF_SIZE);
	}
	return 0;
}

const sockstate__backend sockstate__linux_replay_backend = {
	.name = "linux-replay",
	.can_filter = 0,
	.fills = SOCKSTATE__DIAG_FILLS,
	.open = replay_open,
	.enumerate = replay_enumerate,
	.close = replay_close,
	.replay = 1,
};
