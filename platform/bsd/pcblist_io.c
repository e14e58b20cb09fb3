/* pcblist_io.c - read a sysctl table into a buffer the backend keeps:
 * size it, allocate with headroom, grow while the table outgrows it, and
 * for the pcblists read again while the head and tail generations differ.
 *
 * The OS call comes in as a function (sockstate__bsd_sysctl on the OS), so
 * this logic is tested on Linux with a scripted one. A sysctl copy is not
 * atomic: the kernel walks its live list while copying out, and the
 * generation in the tail xinpgen tells whether a PCB was created or freed
 * meanwhile; a reply whose generations agree is a consistent picture. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcblist_internal.h"

/* Far beyond any real table (a million sockets are some 700 MB on
 * macOS): a size above this is a broken answer, not a big table. */
#define SYSCTL_MAX_BYTES ((size_t)1 << 31)

static int errno_code(int e)
{
	switch (e) {
	case ENOENT:
		return SOCKSTATE_EUNAVAIL;
	case EPERM:
	case EACCES:
		return SOCKSTATE_EPERM;
	case ENOMEM:
		return SOCKSTATE_ENOMEM;
	default:
		return SOCKSTATE_EIO;
	}
}

static int buf_reserve(sockstate_handle *h, const char *name, sockstate__sysctl_buf *b,
                       size_t want)
{
	unsigned char *p;

	if (want <= b->cap)
		return 0;
	if (want > SYSCTL_MAX_BYTES)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "sysctlbyname(%s): a reply of "
		                       "%zu bytes is more than this library reads", name, want);
	p = realloc(b->data, want);
	if (!p)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "malloc(%zu) for %s: out of memory",
		                       want, name);
	b->data = p;
	b->cap = want;
	return 0;
}

int sockstate__sysctl_read(sockstate_handle *h, const sockstate__sysctl_src *src,
                           const char *name, sockstate__sysctl_buf *b)
{
	size_t need = 0, want;
	int err, rc;

	b->len = 0;
	err = src->fn(src->ctx, name, NULL, &need);
	if (err)
		return sockstate__fail(h, errno_code(err), "sysctlbyname(%s): %s", name,
		                       strerror(err));
	/* The kernel's own estimate already has some slack (FreeBSD's
	 * pcblist adds an eighth, kern.file none): a quarter more and a page
	 * keep a growing table from costing a second round trip. */
	want = need > SYSCTL_MAX_BYTES ? need : need + need / 4 + 4096;
	rc = buf_reserve(h, name, b, want);
	if (rc < 0)
		return rc;
	for (int tries = 1;; tries++) {
		size_t len = b->cap;

		err = src->fn(src->ctx, name, b->data, &len);
		if (!err) {
			b->len = len;
			return 0;
		}
		if (err != ENOMEM)
			return sockstate__fail(h, errno_code(err), "sysctlbyname(%s): %s", name,
			                       strerror(err));
		if (tries == SOCKSTATE__SYSCTL_GROW_TRIES)
			break;
		rc = buf_reserve(h, name, b, b->cap * 2);
		if (rc < 0)
			return rc;
	}
	return sockstate__fail(h, SOCKSTATE_EAGAIN, "sysctlbyname(%s): the table "
	                       "outgrew a %zu-byte buffer %d times in a row", name, b->cap,
	                       SOCKSTATE__SYSCTL_GROW_TRIES);
}

int sockstate__pcblist_read(sockstate_handle *h, const sockstate__sysctl_src *src,
                            const char *name, const sockstate__xinpgen_layout *g,
                            sockstate__sysctl_buf *b)
{
	char detail[SOCKSTATE__PCB_DETAIL_LEN];
	sockstate__pcb_frame f = {0};

	for (int tries = 0; tries < SOCKSTATE__PCBLIST_TRIES; tries++) {
		int rc = sockstate__sysctl_read(h, src, name, b);

		if (rc < 0)
			return rc;
		rc = sockstate__pcb_frame_find(b->data, b->len, g, name, &f, detail,
		                               sizeof detail);
		if (rc < 0)
			return sockstate__fail(h, rc, "%s", detail);
		if (f.head_gen == f.tail_gen)
			return 0;
	}
	return sockstate__fail(h, SOCKSTATE_EAGAIN, "%s: the socket table changed during "
	                       "each of %d reads (last generations %llu and %llu)", name,
	                       SOCKSTATE__PCBLIST_TRIES, (unsigned long long)f.head_gen,
	                       (unsigned long long)f.tail_gen);
}

int sockstate__sysctl_capture(sockstate_handle *h, const char *name,
                              const sockstate__sysctl_buf *b)
{
	char file[256];
	int fd, rc;

	if ((size_t)snprintf(file, sizeof file, "%s.bin", name) >= sizeof file)
		return sockstate__fail(h, SOCKSTATE_EINVAL, "capture file name too long");
	rc = sockstate__platform_capture_open(h, file, &fd);
	if (rc < 0 || fd < 0)
		return rc;
	rc = sockstate__capture_write(h, fd, b->data, b->len);
	if (close(fd) != 0 && rc == 0)
		rc = sockstate__fail(h, SOCKSTATE_EIO, "close(capture file %s): %s", file,
		                     strerror(errno));
	return rc;
}

void sockstate__sysctl_buf_free(sockstate__sysctl_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->cap = 0;
	b->len = 0;
}

int sockstate__tcpstat_read(sockstate_handle *h, const sockstate__sysctl_src *src,
                            const sockstate__tcpstat_layout *const *layouts, size_t n,
                            sockstate_tcp_counters *out)
{
	static const char name[] = "net.inet.tcp.stats";
	sockstate__sysctl_buf b = {0};
	char detail[SOCKSTATE__PCB_DETAIL_LEN];
	int rc = sockstate__sysctl_read(h, src, name, &b);

	if (rc == 0)
		rc = sockstate__sysctl_capture(h, name, &b);
	if (rc == 0) {
		rc = sockstate__tcpstat_decode(b.data, b.len, layouts, n, out, detail,
		                               sizeof detail);
		if (rc < 0)
			rc = sockstate__fail(h, rc, "%s", detail);
	}
	sockstate__sysctl_buf_free(&b);
	if (rc == 0)
		out->source = "sysctl net.inet.tcp.stats";
	return rc;
}
