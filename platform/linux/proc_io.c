/* proc_io.c - read /proc/net/tcp{,6} a buffer at a time and hand each
 * line to the decoder.
 *
 * The kernel prints these files a chunk per read() (a page or so), each
 * chunk a fresh look at the live table resumed from the previous one's
 * position: there is no atomic view, and under churn a socket can be
 * skipped or listed twice between chunks, as in a netlink dump. The
 * buffer is reused and only a partial last line is carried from one read
 * to the next, so memory does not grow with the number of sockets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc_internal.h"

static int errno_code(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
		return SOCKSTATE_EPERM;
	case ENOENT:
		return SOCKSTATE_ENOENT;
	case ENOMEM:
		return SOCKSTATE_ENOMEM;
	default:
		return SOCKSTATE_EIO;
	}
}

static int one_line(sockstate_handle *h, const char *line, size_t len,
                    sockstate__proc_table *t)
{
	sockstate_socket s;
	const char *why;

	if (++t->line == 1) {
		if (!sockstate__proc_is_header(line, len, t->family))
			return sockstate__fail(h, SOCKSTATE_EPARSE,
			                       "%s line 1: not the header line", t->name);
		return 0;
	}
	if (sockstate__proc_decode_line(line, len, t->family, t->clock_ticks, &s, &why) < 0)
		return sockstate__fail(h, SOCKSTATE_EPARSE, "%s line %u: %s", t->name,
		                       t->line, why);
	if (!(t->states & SOCKSTATE_STATE_BIT(s.state)))
		return 0;
	return t->emit(t->emit_ctx, &s, s.inode);
}

int sockstate__proc_read_fd(sockstate_handle *h, int fd, char *buf, size_t cap,
                            sockstate__proc_table *t)
{
	size_t have = 0; /* bytes of an unfinished line at buf[0] */
	int rc;

	t->line = 0;
	for (;;) {
		ssize_t n = read(fd, buf + have, cap - have);
		size_t start = 0, end;
		const char *scan = buf + have, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sockstate__fail(h, errno_code(errno), "read(%s): %s", t->name,
			                       strerror(errno));
		if (n == 0)
			break;
		if (t->capture_fd >= 0 &&
		    (rc = sockstate__capture_write(h, t->capture_fd, buf + have, (size_t)n)) < 0)
			return rc;
		end = have + (size_t)n;
		while ((nl = memchr(scan, '\n', (size_t)(buf + end - scan))) != NULL) {
			rc = one_line(h, buf + start, (size_t)(nl - (buf + start)), t);
			if (rc != 0)
				return rc;
			start = (size_t)(nl + 1 - buf);
			scan = nl + 1;
		}
		have = end - start;
		if (have == cap) {
			t->line++;
			return sockstate__fail(h, SOCKSTATE_EPARSE,
			                       "%s line %u: longer than %zu bytes", t->name,
			                       t->line, cap);
		}
		memmove(buf, buf + start, have);
	}
	if (have > 0) {
		t->line++;
		return sockstate__fail(h, SOCKSTATE_EPARSE, "%s line %u: no newline at the end",
		                       t->name, t->line);
	}
	if (t->line == 0) {
		t->line = 1;
		return sockstate__fail(h, SOCKSTATE_EPARSE, "%s line 1: empty file, no header",
		                       t->name);
	}
	return 0;
}

int sockstate__proc_read_path(sockstate_handle *h, const char *path, char *buf,
                              size_t cap, sockstate__proc_table *t)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	t->line = 0;
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return sockstate__fail(h, errno_code(errno), "open(%s): %s", path,
		                       strerror(errno));
	rc = sockstate__proc_read_fd(h, fd, buf, cap, t);
	close(fd);
	return rc;
}
