/* counters_io.c - read /proc/net/snmp and /proc/net/netstat of a network
 * namespace whole and hand them to the decoder (counters_internal.h).
 *
 * Each file is one seq_file generated at the first read, so reading to
 * the end gives one consistent print of the namespace's counters (the
 * two files are two moments, microseconds apart). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counters_internal.h"
#include "netns.h"
#include "proc_internal.h"

static const struct counters_file {
	const char *thread_self;    /* the calling thread's namespace */
	const char *proc_net;       /* before Linux 3.17 */
	const char *name;           /* for messages */
	const char *capture;
} files[] = {
	{"/proc/thread-self/net/snmp", "/proc/net/snmp", "/proc/net/snmp", "proc_net_snmp.txt"},
	{"/proc/thread-self/net/netstat", "/proc/net/netstat", "/proc/net/netstat",
	 "proc_net_netstat.txt"},
};

/* The whole of fd into buf (cap bytes): *len. Returns 0 or a negative
 * code (a file longer than cap is EPARSE). */
static int read_all(sockstate_handle *h, int fd, const char *name, char *buf, size_t cap,
                    size_t *len)
{
	char probe;

	*len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + *len, cap - *len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sockstate__fail(h, errno == EACCES || errno == EPERM ? SOCKSTATE_EPERM
			                       : SOCKSTATE_EIO, "read(%s): %s", name, strerror(errno));
		if (n == 0)
			return 0;
		*len += (size_t)n;
		if (*len == cap)
			break;
	}
	while (read(fd, &probe, 1) < 0 && errno == EINTR)
		;
	return sockstate__fail(h, SOCKSTATE_EPARSE, "%s: longer than %zu bytes", name, cap);
}

/* One file: open it in the namespace, read, keep a copy when capturing,
 * decode. Returns 0, SOCKSTATE_ENOENT (no such file: no detail) or a
 * negative code. */
static int read_file(sockstate_handle *h, int ns_fd, const struct counters_file *f,
                     char *buf, sockstate_tcp_counters *out)
{
	char why[160];
	size_t len = 0;
	int fd = sockstate__netns_open_file(h, ns_fd, f->thread_self);
	int capture = -1, rc;

	if (fd == SOCKSTATE_ENOENT && ns_fd < 0)
		fd = sockstate__netns_open_file(h, -1, f->proc_net);
	if (fd < 0)
		return fd;
	rc = read_all(h, fd, f->name, buf, SOCKSTATE__COUNTERS_FILE_MAX, &len);
	close(fd);
	if (rc == 0)
		rc = sockstate__platform_capture_open(h, f->capture, &capture);
	if (rc == 0 && capture >= 0)
		rc = sockstate__capture_write(h, capture, buf, len);
	if (capture >= 0)
		close(capture);
	if (rc == 0 && sockstate__linux_counters_decode(buf, len, out, why, sizeof why) != 0)
		rc = sockstate__fail(h, SOCKSTATE_EPARSE, "%s %s", f->name, why);
	return rc;
}

int sockstate__linux_tcp_counters(sockstate_handle *h, int ns_fd, sockstate_tcp_counters *out)
{
	char *buf = malloc(SOCKSTATE__COUNTERS_FILE_MAX);
	size_t missing = 0;
	int rc = 0;

	if (!buf)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "malloc: out of memory");
	out->source = "/proc/net/snmp /proc/net/netstat";
	for (size_t i = 0; i < sizeof files / sizeof files[0] && rc == 0; i++) {
		rc = read_file(h, ns_fd, &files[i], buf, out);
		if (rc == SOCKSTATE_ENOENT) {
			missing++;
			rc = 0;
		}
	}
	free(buf);
	if (rc == 0 && missing == sizeof files / sizeof files[0])
		rc = sockstate__fail(h, SOCKSTATE_ENOENT, "open(%s): no such file, nor %s",
		                     files[0].thread_self, files[1].thread_self);
	return rc;
}
