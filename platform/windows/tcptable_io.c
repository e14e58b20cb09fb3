/* tcptable_io.c - the only file that calls GetExtendedTcpTable.
 *
 * Windows copies the whole table at once into the caller's buffer, so
 * there is no partial read: either it fits, or the call says how much is
 * needed now. The table can grow between that answer and the next call,
 * so the buffer grows with headroom and the call is retried a bounded
 * number of times. The buffer is kept for the next query. */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include <stdlib.h>

#include "windows_internal.h"

/* Our layouts are the SDK's. */
_Static_assert(sizeof(MIB_TCPROW_OWNER_PID) == sizeof(sockstate__win_tcprow4),
               "IPv4 row size");
_Static_assert(offsetof(MIB_TCPROW_OWNER_PID, dwState) ==
               offsetof(sockstate__win_tcprow4, state), "IPv4 dwState");
_Static_assert(offsetof(MIB_TCPROW_OWNER_PID, dwLocalAddr) ==
               offsetof(sockstate__win_tcprow4, local_addr), "IPv4 dwLocalAddr");
_Static_assert(offsetof(MIB_TCPROW_OWNER_PID, dwLocalPort) ==
               offsetof(sockstate__win_tcprow4, local_port), "IPv4 dwLocalPort");
_Static_assert(offsetof(MIB_TCPROW_OWNER_PID, dwRemoteAddr) ==
               offsetof(sockstate__win_tcprow4, remote_addr), "IPv4 dwRemoteAddr");
_Static_assert(offsetof(MIB_TCPROW_OWNER_PID, dwRemotePort) ==
               offsetof(sockstate__win_tcprow4, remote_port), "IPv4 dwRemotePort");
_Static_assert(offsetof(MIB_TCPROW_OWNER_PID, dwOwningPid) ==
               offsetof(sockstate__win_tcprow4, owning_pid), "IPv4 dwOwningPid");
_Static_assert(offsetof(MIB_TCPTABLE_OWNER_PID, table) == SOCKSTATE__WIN_TABLE_HEADER,
               "IPv4 rows after dwNumEntries");

_Static_assert(sizeof(MIB_TCP6ROW_OWNER_PID) == sizeof(sockstate__win_tcprow6),
               "IPv6 row size");
_Static_assert(offsetof(MIB_TCP6ROW_OWNER_PID, ucLocalAddr) ==
               offsetof(sockstate__win_tcprow6, local_addr), "IPv6 ucLocalAddr");
_Static_assert(offsetof(MIB_TCP6ROW_OWNER_PID, dwLocalScopeId) ==
               offsetof(sockstate__win_tcprow6, local_scope_id), "IPv6 dwLocalScopeId");
_Static_assert(offsetof(MIB_TCP6ROW_OWNER_PID, dwLocalPort) ==
               offsetof(sockstate__win_tcprow6, local_port), "IPv6 dwLocalPort");
_Static_assert(offsetof(MIB_TCP6ROW_OWNER_PID, ucRemoteAddr) ==
               offsetof(sockstate__win_tcprow6, remote_addr), "IPv6 ucRemoteAddr");
_Static_assert(offsetof(MIB_TCP6ROW_OWNER_PID, dwRemoteScopeId) ==
               offsetof(sockstate__win_tcprow6, remote_scope_id), "IPv6 dwRemoteScopeId");
_Static_assert(offsetof(MIB_TCP6ROW_OWNER_PID, dwRemotePort) ==
               offsetof(sockstate__win_tcprow6, remote_port), "IPv6 dwRemotePort");
_Static_assert(offsetof(MIB_TCP6ROW_OWNER_PID, dwState) ==
               offsetof(sockstate__win_tcprow6, state), "IPv6 dwState");
_Static_assert(offsetof(MIB_TCP6ROW_OWNER_PID, dwOwningPid) ==
               offsetof(sockstate__win_tcprow6, owning_pid), "IPv6 dwOwningPid");
_Static_assert(offsetof(MIB_TCP6TABLE_OWNER_PID, table) == SOCKSTATE__WIN_TABLE_HEADER,
               "IPv6 rows after dwNumEntries");

_Static_assert(AF_INET == SOCKSTATE__WIN_AF_INET, "AF_INET");
_Static_assert(AF_INET6 == SOCKSTATE__WIN_AF_INET6, "AF_INET6");
_Static_assert(MIB_TCP_STATE_CLOSED == 1 && MIB_TCP_STATE_LISTEN == 2 &&
               MIB_TCP_STATE_CLOSING == 9 && MIB_TCP_STATE_LAST_ACK == 10 &&
               MIB_TCP_STATE_TIME_WAIT == 11 && MIB_TCP_STATE_DELETE_TCB == 12,
               "MIB_TCP_STATE numbers as the state table has them");

/* Room for sockets that appear between calls. */
#define INITIAL_CAP (64u * 1024u)
#define HEADROOM(need) ((need) / 4 + 4096u)

static const char *call_name(unsigned win_family)
{
	return win_family == SOCKSTATE__WIN_AF_INET6 ? "GetExtendedTcpTable(AF_INET6)"
	                                             : "GetExtendedTcpTable(AF_INET)";
}

static int grow(sockstate_handle *h, sockstate__tcptable_buf *b, size_t need)
{
	void *p;

	if (need <= b->cap)
		return 0;
	if (need > (size_t)MAXDWORD)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "TCP table of %zu bytes: too large",
		                       need);
	p = realloc(b->data, need);
	if (!p)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "realloc(%zu): out of memory", need);
	b->data = p;
	b->cap = need;
	return 0;
}

int sockstate__tcptable_fetch(sockstate_handle *h, unsigned win_family,
                              sockstate__tcptable_buf *b, size_t *len)
{
	int rc = b->cap ? 0 : grow(h, b, INITIAL_CAP);

	*len = 0;
	if (rc < 0)
		return rc;
	for (int tries = 0; tries < SOCKSTATE__TCPTABLE_TRIES; tries++) {
		DWORD size = (DWORD)b->cap;
		DWORD err = GetExtendedTcpTable(b->data, &size, FALSE, (ULONG)win_family,
		                                TCP_TABLE_OWNER_PID_ALL, 0);

		switch (err) {
		case NO_ERROR:
			*len = b->cap;
			return 0;
		case ERROR_INSUFFICIENT_BUFFER:
			rc = grow(h, b, (size_t)size + HEADROOM((size_t)size));
			if (rc < 0)
				return rc;
			continue;
		default:
			return sockstate__win_fail(h, err, call_name(win_family));
		}
	}
	return sockstate__fail(h, SOCKSTATE_EAGAIN,
	                       "%s: the table outgrew the buffer %d times (last %zu bytes)",
	                       call_name(win_family), SOCKSTATE__TCPTABLE_TRIES, b->cap);
}

int sockstate__tcptable_probe(sockstate_handle *h)
{
	DWORD size = 0;
	DWORD err = GetExtendedTcpTable(NULL, &size, FALSE, AF_INET,
	                                TCP_TABLE_OWNER_PID_ALL, 0);

	if (err == NO_ERROR || err == ERROR_INSUFFICIENT_BUFFER)
		return 0;
	sockstate__win_fail(h, err, call_name(SOCKSTATE__WIN_AF_INET));
	return SOCKSTATE_EUNAVAIL;
}
