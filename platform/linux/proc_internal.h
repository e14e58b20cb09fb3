/* proc_internal.h - the /proc/net/tcp{,6} backend "linux-proc": its
 * decoder (proc_decode.c, pure), its reader (proc_io.c) and the backend
 * (proc_backend.c). Never installed.
 *
 * The file format, as the kernel prints it (net/ipv4/tcp_ipv4.c,
 * net/ipv6/tcp_ipv6.c), one socket per line after a header line:
 *
 *   sl local_address rem_address st tx_queue:rx_queue tr:tm->when
 *   retrnsmt uid timeout inode [more columns we do not read]
 *
 *   "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu ..."
 *
 * Addresses are the raw network-order words printed with %08X, so their
 * text depends on the byte order of the machine that printed them (on
 * little-endian "0100007F" is 127.0.0.1); IPv6 is four such words. Ports
 * are host-order hex. tm->when is in clock ticks (USER_HZ, which is what
 * sysconf(_SC_CLK_TCK) returns: 100 on every architecture but alpha).
 * IPv4 lines are space-padded to 149 columns, IPv6 lines are not.
 */
#ifndef SOCKSTATE_PROC_INTERNAL_H
#define SOCKSTATE_PROC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "backend_internal.h"

extern const sockstate__backend sockstate__linux_proc_backend;

/* ---- proc_decode.c: one line, no syscalls, no allocation ---- */

/* Is line (len bytes, no newline) exactly the kernel's header line of the
 * family's file (trailing padding allowed)? Returns 1 or 0. */
int sockstate__proc_is_header(const char *line, size_t len, sockstate_family family);

/* Decode one socket line (len bytes, no newline) of the family's file into
 * *s (initialised here). clock_ticks is USER_HZ, for expires_ms. uid and
 * inode are left unknown where the kernel prints placeholders (the uid of
 * a TIME_WAIT row; inode 0 of TIME_WAIT and request rows).
 * Returns 0, or SOCKSTATE_EPARSE with *why a static phrase naming the bad
 * field (nothing in *s is then meaningful). */
int sockstate__proc_decode_line(const char *line, size_t len, sockstate_family family,
                                long clock_ticks, sockstate_socket *s, const char **why);

/* ---- proc_io.c: read a table, decode, filter by state, emit ---- */

/* One table to read, and what to do with its records. */
typedef struct sockstate__proc_table {
	const char *name;           /* for messages: "/proc/net/tcp6" */
	sockstate_family family;
	long clock_ticks;           /* USER_HZ */
	uint32_t states;            /* emit only records in these states */
	sockstate__emit_fn emit;    /* called with owner_key = the inode */
	void *emit_ctx;
	int capture_fd;             /* -1, or where to copy every byte read */
	unsigned line;              /* OUT: lines read; on EPARSE, the bad one */
} sockstate__proc_table;

/* Stream the table open on fd through buf (cap bytes, reused: memory does
 * not grow with the number of sockets; a line longer than cap is EPARSE,
 * the kernel's are under 200 bytes). Line 1 must be the header. Each read
 * is a separate snapshot of part of the kernel's table: between reads
 * sockets can come and go, so under churn a socket may be missed or
 * listed twice, as with a netlink dump.
 * Returns 0, emit's positive value, or a negative code (detail on h:
 * "/proc/net/tcp6 line 7: ..." for EPARSE, or the failing call). */
int sockstate__proc_read_fd(sockstate_handle *h, int fd, char *buf, size_t cap,
                            sockstate__proc_table *t);

/* Open path and stream it as above. A missing file (ENOENT: IPv6 disabled
 * at boot) has no sockets: returns 0. */
int sockstate__proc_read_path(sockstate_handle *h, const char *path, char *buf,
                              size_t cap, sockstate__proc_table *t);

#endif /* SOCKSTATE_PROC_INTERNAL_H */
