/* windows_internal.h - the IP Helper backend "windows-iphlpapi": its
 * decoder (tcptable_decode.c, pure and portable: it also builds and runs
 * in the Linux unit tests), its reader (tcptable_io.c, the only file that
 * calls GetExtendedTcpTable) and the backend (tcptable_backend.c).
 * Never installed. This header compiles without <windows.h>.
 *
 * What GetExtendedTcpTable(buf, &size, FALSE, family,
 * TCP_TABLE_OWNER_PID_ALL, 0) writes, as documented for tcpmib.h:
 *
 *   MIB_TCPTABLE_OWNER_PID  { DWORD dwNumEntries; MIB_TCPROW_OWNER_PID  table[]; }
 *   MIB_TCP6TABLE_OWNER_PID { DWORD dwNumEntries; MIB_TCP6ROW_OWNER_PID table[]; }
 *
 * Rows start at byte 4 (every row member is a DWORD or bytes). DWORDs are
 * the machine's own little-endian numbers, except that addresses are in
 * network order and ports are network order in the low 16 bits of a
 * DWORD whose upper 16 bits are undefined: (p[0] << 8) | p[1] of the
 * DWORD's bytes. In a LISTEN row the remote address and port have no
 * meaning. The family is Windows' AF_INET (2) or AF_INET6 (23, not
 * Linux's 10).
 */
#ifndef SOCKSTATE_WINDOWS_INTERNAL_H
#define SOCKSTATE_WINDOWS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "backend_internal.h"

#define SOCKSTATE__WIN_AF_INET 2u
#define SOCKSTATE__WIN_AF_INET6 23u

/* MIB_TCPROW_OWNER_PID, 24 bytes. */
typedef struct sockstate__win_tcprow4 {
	uint32_t state;          /* MIB_TCP_STATE: 1 CLOSED .. 12 DELETE_TCB */
	uint8_t local_addr[4];   /* network order */
	uint8_t local_port[4];   /* network order in bytes 0-1; 2-3 undefined */
	uint8_t remote_addr[4];
	uint8_t remote_port[4];
	uint32_t owning_pid;
} sockstate__win_tcprow4;

/* MIB_TCP6ROW_OWNER_PID, 56 bytes, the state after the endpoints. */
typedef struct sockstate__win_tcprow6 {
	uint8_t local_addr[16];
	uint32_t local_scope_id;
	uint8_t local_port[4];
	uint8_t remote_addr[16];
	uint32_t remote_scope_id;
	uint8_t remote_port[4];
	uint32_t state;
	uint32_t owning_pid;
} sockstate__win_tcprow6;

/* The table header: dwNumEntries, then the rows. */
#define SOCKSTATE__WIN_TABLE_HEADER 4u

_Static_assert(sizeof(sockstate__win_tcprow4) == 24, "MIB_TCPROW_OWNER_PID is 24 bytes");
_Static_assert(offsetof(sockstate__win_tcprow4, owning_pid) == 20, "IPv4 row: pid at 20");
_Static_assert(sizeof(sockstate__win_tcprow6) == 56, "MIB_TCP6ROW_OWNER_PID is 56 bytes");
_Static_assert(offsetof(sockstate__win_tcprow6, remote_addr) == 24, "IPv6 row: remote at 24");
_Static_assert(offsetof(sockstate__win_tcprow6, state) == 48, "IPv6 row: state at 48");
_Static_assert(offsetof(sockstate__win_tcprow6, owning_pid) == 52, "IPv6 row: pid at 52");

/* MIB_TCPSTATS, what GetTcpStatisticsEx(stats, family) fills for one
 * family: RFC 1213's TCP group as 15 DWORDs, 60 bytes. The counters wrap
 * at 2^32 (GetTcpStatisticsEx2's 64-bit ones need Windows 10). */
typedef struct sockstate__win_tcpstats {
	uint32_t rto_algorithm;
	uint32_t rto_min;
	uint32_t rto_max;
	uint32_t max_conn;
	uint32_t active_opens;   /* dwActiveOpens */
	uint32_t passive_opens;  /* dwPassiveOpens */
	uint32_t attempt_fails;  /* dwAttemptFails */
	uint32_t estab_resets;   /* dwEstabResets */
	uint32_t curr_estab;     /* a gauge, not a counter: not read */
	uint32_t in_segs;        /* dwInSegs */
	uint32_t out_segs;       /* dwOutSegs */
	uint32_t retrans_segs;   /* dwRetransSegs */
	uint32_t in_errs;        /* dwInErrs */
	uint32_t out_rsts;       /* dwOutRsts */
	uint32_t num_conns;
} sockstate__win_tcpstats;

_Static_assert(sizeof(sockstate__win_tcpstats) == 60, "MIB_TCPSTATS is 60 bytes");
_Static_assert(offsetof(sockstate__win_tcpstats, active_opens) == 16 &&
               offsetof(sockstate__win_tcpstats, out_rsts) == 52,
               "MIB_TCPSTATS: dwActiveOpens at 16, dwOutRsts at 52");

extern const sockstate__backend sockstate__windows_iphlpapi_backend;

/* A DWORD as Windows stores it: little-endian. */
static inline uint32_t sockstate__win_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ---- tcptable_decode.c: bytes to records; no OS calls, no allocation ---- */

/* Where decoded rows go, and which. */
typedef struct sockstate__tcptable_sink {
	uint32_t states;            /* emit only rows in these states */
	int with_pids;              /* fill pid from the row (pid 0, which
	                               Windows gives TIME_WAIT rows and Wine
	                               every row, stays unknown) */
	sockstate__emit_fn emit;    /* called with owner_key 0: the pid is
	                               in the record already */
	void *emit_ctx;
} sockstate__tcptable_sink;

/* The bytes the table in buf[0..len) occupies (header and dwNumEntries
 * rows of the family's layout), or 0 when len cannot hold them (or the
 * family is neither 2 nor 23). */
size_t sockstate__tcptable_size(const void *buf, size_t len, unsigned win_family);

/* Decode the table GetExtendedTcpTable wrote into buf[0..len) (len: the
 * buffer's size; bytes after the last row are ignored; buf needs no
 * alignment) for win_family 2 or 23, and call sink->emit per row whose
 * state is in sink->states, in the table's order. Every record has its
 * family, endpoints (IPv6: the scope id of link-local addresses, 0 for
 * others), state and native code/name;
 * unknown state codes are SOCKSTATE_UNKNOWN with the code kept (-1 when
 * it does not fit an int32). The whole table is checked before the first
 * emit: a header that claims more rows than len holds emits nothing.
 * Returns 0, emit's positive value or negative code, SOCKSTATE_EINVAL
 * (bad family) or SOCKSTATE_EPARSE; for EINVAL/EPARSE *why is a static
 * phrase naming the fault, otherwise it is left untouched. */
int sockstate__tcptable_decode(const void *buf, size_t len, unsigned win_family,
                               const sockstate__tcptable_sink *sink, const char **why);

/* ---- tcpstats_decode.c: MIB_TCPSTATS to TCP counters; portable ---- */

/* Sum the two families' MIB_TCPSTATS (each 60 bytes as Windows writes
 * them, little-endian; no alignment needed) into out's counters, native
 * names "dwActiveOpens (AF_INET + AF_INET6)"; v6 NULL when the system has
 * no IPv6 (it adds nothing then). The counters MIB_TCPSTATS lacks stay
 * unknown. No OS calls, no allocation; never fails. */
void sockstate__tcpstats_decode(const void *v4, const void *v6, sockstate_tcp_counters *out);

/* ---- tcpstats_io.c (Windows only): the backend's tcp_counters ---- */

int sockstate__win_tcp_counters(sockstate_handle *h, void *state, sockstate_tcp_counters *out);

/* ---- tcptable_fetch.c: the grow-and-retry loop; portable ---- */

/* The two Win32 answers the loop tells apart (static-asserted against
 * <windows.h> in tcptable_io.c). */
#define SOCKSTATE__WIN_NO_ERROR 0u
#define SOCKSTATE__WIN_ERROR_INSUFFICIENT_BUFFER 122u

/* One GetExtendedTcpTable(buf, size, FALSE, win_family,
 * TCP_TABLE_OWNER_PID_ALL, 0): *size in is buf's size, out (on
 * INSUFFICIENT_BUFFER) the size the table needs now. Returns the Win32
 * error code. */
typedef uint32_t (*sockstate__tcptable_get_fn)(void *ctx, void *buf, uint32_t *size,
                                               unsigned win_family);

/* ---- tcptable_io.c (Windows only): ask for a table ---- */

/* A buffer reused across queries; grows, never shrinks. */
typedef struct sockstate__tcptable_buf {
	void *data;
	size_t cap;
} sockstate__tcptable_buf;

/* Bounded retries while the table outgrows the buffer between the size
 * query and the copy; then SOCKSTATE_EAGAIN. */
#define SOCKSTATE__TCPTABLE_TRIES 8

/* Fill b with the family's TCP_TABLE_OWNER_PID_ALL table: an empty b
 * starts at 64 KiB; on ERROR_INSUFFICIENT_BUFFER it grows to the size
 * Windows asked for plus headroom, at most SOCKSTATE__TCPTABLE_TRIES calls
 * in all. *len is then the buffer's size to decode.
 * Returns 0 or a negative code with the failing call on h. */
int sockstate__tcptable_fetch(sockstate_handle *h, unsigned win_family,
                              sockstate__tcptable_buf *b, size_t *len);

/* The loop of sockstate__tcptable_fetch with the call given: an empty b
 * starts at 64 KiB; on INSUFFICIENT_BUFFER it grows to the size asked
 * for plus headroom, at most SOCKSTATE__TCPTABLE_TRIES calls in all.
 * Returns 0 (*len = the buffer's size to decode); SOCKSTATE_ENOMEM or
 * SOCKSTATE_EAGAIN with the detail on h; or, when the call failed
 * otherwise, SOCKSTATE_EIO with *os_error = its Win32 code and no detail
 * (the caller names the call). *os_error is 0 on every other return. */
int sockstate__tcptable_fill(sockstate_handle *h, unsigned win_family,
                             sockstate__tcptable_buf *b, sockstate__tcptable_get_fn get,
                             void *get_ctx, size_t *len, uint32_t *os_error);

/* Can this system answer at all? 0, or SOCKSTATE_EUNAVAIL with detail. */
int sockstate__tcptable_probe(sockstate_handle *h);

/* ---- platform.c (Windows only): Win32 errors ---- */

/* The one map from a Win32 error code to ours. */
int sockstate__win_error_code(uint32_t win_error);

/* Record "call: Windows' message (code N)" on h; returns our code. */
int sockstate__win_fail(sockstate_handle *h, uint32_t win_error, const char *call);

#endif /* SOCKSTATE_WINDOWS_INTERNAL_H */
