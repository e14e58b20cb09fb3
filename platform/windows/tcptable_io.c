/* tcptable_io.c - the only file that calls GetExtendedTcpTable: the
 * call, for the grow-and-retry loop in tcptable_fetch.c, and the probe. */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

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

_Static_assert(NO_ERROR == SOCKSTATE__WIN_NO_ERROR, "NO_ERROR");
_Static_assert(ERROR_INSUFFICIENT_BUFFER == SOCKSTATE__WIN_ERROR_INSUFFICIENT_BUFFER,
               "ERROR_INSUFFICIENT_BUFFER");

static const char *call_name(unsigned win_family)
{
	return win_family == SOCKSTATE__WIN_AF_INET6 ? "GetExtendedTcpTable(AF_INET6)"
	                                             : "GetExtendedTcpTable(AF_INET)";
}

static uint32_t table_get(void *ctx, void *buf, uint32_t *size, unsigned win_family)
{
	DWORD dsize = *size;
	DWORD err = GetExtendedTcpTable(buf, &dsize, FALSE, (ULONG)win_family,
	                                TCP_TABLE_OWNER_PID_ALL, 0);

	(void)ctx;
	*size = dsize;
	return err;
}

int sockstate__tcptable_fetch(sockstate_handle *h, unsigned win_family,
                              sockstate__tcptable_buf *b, size_t *len)
{
	uint32_t os_error;
	int rc = sockstate__tcptable_fill(h, win_family, b, table_get, NULL, len, &os_error);

	if (os_error != SOCKSTATE__WIN_NO_ERROR)
		return sockstate__win_fail(h, os_error, call_name(win_family));
	return rc;
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
