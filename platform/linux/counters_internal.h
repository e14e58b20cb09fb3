/* counters_internal.h - the TCP counters of a network namespace, as
 * Linux prints them: the decoder of /proc/net/snmp and /proc/net/netstat
 * (counters_decode.c, pure) and their reader (counters_io.c), which both
 * Linux backends use. Never installed.
 *
 * Both files are pairs of lines, a line of names then a line of values,
 * each beginning with the same "Prefix:" (net/ipv4/proc.c):
 *
 *   Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens ...
 *   Tcp: 1 200 120000 -1 1560 1547 ...
 *   TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed ...
 *   TcpExt: 0 0 0 ...
 *
 * Columns are found by name, never by position: kernels add columns
 * (TcpExt has grown from 2.6 to 6.x, and other tools that read it by
 * offset broke each time), distributions backport some, and a column our
 * table names may be missing from an older kernel (its counter is then
 * unknown). Values are unsigned decimals, except MaxConn's -1.
 */
#ifndef SOCKSTATE_COUNTERS_INTERNAL_H
#define SOCKSTATE_COUNTERS_INTERNAL_H

#include <stddef.h>

#include "backend_internal.h"

/* A longer line is malformed: the longest the kernel prints (TcpExt's
 * names, about 2.2 KB on 6.18) is far below. */
#define SOCKSTATE__COUNTERS_LINE_MAX 16384u
/* A longer file is malformed (netstat is about 4 KB). */
#define SOCKSTATE__COUNTERS_FILE_MAX 65536u

/* Decode one file's text (text[0..len), every line ending in '\n') into
 * out: each column our table knows (sockstate__counter_linux_column) is
 * set with its value and native name; other columns and lines are
 * skipped. No syscalls, no allocation.
 * Returns 0, or SOCKSTATE_EPARSE with a one-line reason in why ("line 8:
 * Tcp has 15 names but 14 values"): an empty file, a line without a
 * "Prefix:", names without a line of values, values under another prefix,
 * as many names as values, a value that is not a decimal number (or a
 * negative one in a column we read), a column we read given twice, a line
 * longer than SOCKSTATE__COUNTERS_LINE_MAX, no newline at the end. On
 * error out may hold part of the file's counters: the caller discards
 * them. */
int sockstate__linux_counters_decode(const char *text, size_t len,
                                     sockstate_tcp_counters *out, char *why,
                                     size_t why_len);

/* The backends' tcp_counters: read /proc/net/snmp and /proc/net/netstat
 * as the namespace ns_fd shows them (-1: the calling thread's own),
 * through /proc/thread-self/net (kernels before 3.17: /proc/net), into
 * out. A missing file leaves its counters unknown; neither file is
 * SOCKSTATE_ENOENT. With the handle's capture_dir, each file is saved
 * there as read (proc_net_snmp.txt, proc_net_netstat.txt). Returns 0 or
 * a negative code, detail on h. */
int sockstate__linux_tcp_counters(sockstate_handle *h, int ns_fd, sockstate_tcp_counters *out);

#endif /* SOCKSTATE_COUNTERS_INTERNAL_H */
