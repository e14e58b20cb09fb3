/* diagnose_windows.c - what diagnose asks Windows: the ephemeral port
 * range and the probe.
 *
 * The range: Windows keeps it in the TCP/IP stack's own store (what
 * `netsh int ipv4 show dynamicport tcp` prints) and offers no documented
 * call to read it, so this answers the documented default of Windows
 * Vista and later, 49152-65535 (KB 929851), and says it is the default:
 * diagnose marks the checks that use it. The probe: one non-blocking
 * Winsock connect, waited for with select(); the outcome from SO_ERROR. */
#include <winsock2.h>
#include <ws2tcpip.h>

#include <stdio.h>
#include <string.h>

#include "windows_internal.h"

int sockstate__platform_port_range(sockstate_handle *h, uint32_t *first, uint32_t *last,
                                   const char **source)
{
	(void)h;
	*first = 49152;
	*last = 65535;
	*source = "default";
	return 1;
}

static sockstate_probe_result result_of(int err, const char **name)
{
	static const struct {
		int err;
		const char *name;
		sockstate_probe_result result;
	} map[] = {
		{WSAECONNREFUSED, "WSAECONNREFUSED", SOCKSTATE_PROBE_REFUSED},
		{WSAECONNRESET, "WSAECONNRESET", SOCKSTATE_PROBE_REFUSED},
		{WSAETIMEDOUT, "WSAETIMEDOUT", SOCKSTATE_PROBE_TIMEOUT},
		{WSAEHOSTUNREACH, "WSAEHOSTUNREACH", SOCKSTATE_PROBE_NO_ROUTE},
		{WSAENETUNREACH, "WSAENETUNREACH", SOCKSTATE_PROBE_NO_ROUTE},
		{WSAENETDOWN, "WSAENETDOWN", SOCKSTATE_PROBE_NO_ROUTE},
		{WSAEHOSTDOWN, "WSAEHOSTDOWN", SOCKSTATE_PROBE_NO_ROUTE},
		{WSAEACCES, "WSAEACCES", SOCKSTATE_PROBE_NO_ROUTE},
		{WSAEADDRNOTAVAIL, "WSAEADDRNOTAVAIL", SOCKSTATE_PROBE_NO_PORT},
		{WSAENOBUFS, "WSAENOBUFS", SOCKSTATE_PROBE_NO_PORT},
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].err == err) {
			*name = map[i].name;
			return map[i].result;
		}
	*name = NULL;
	return SOCKSTATE_PROBE_ERROR;
}

static void failed(sockstate_probe *out, int err, char *msg, size_t msglen)
{
	DWORD n;

	out->os_error = err;
	out->result = result_of(err, &out->os_error_name);
	n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
	                   (DWORD)err, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), msg,
	                   (DWORD)msglen, NULL);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == ' ' ||
	                 msg[n - 1] == '.'))
		n--;
	if (n == 0)
		snprintf(msg, msglen, "Windows socket error %d", err);
	else
		msg[n] = '\0';
}

int sockstate__platform_probe(sockstate_handle *h, uint8_t family, const sockstate_endpoint *to,
                              uint32_t timeout_ms, sockstate_probe *out, char *msg,
                              size_t msglen)
{
	struct sockaddr_storage ss;
	int len, rc, done = 0;
	u_long nonblocking = 1;
	ULONGLONG start;
	WSADATA wsa;
	SOCKET s;

	memset(out, 0, sizeof *out);
	out->family = family;
	out->to = *to;
	out->timeout_ms = timeout_ms;
	out->syn_retransmits = -1;
	msg[0] = '\0';
	if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
		return sockstate__fail(h, SOCKSTATE_EIO, "WSAStartup: failed");
	memset(&ss, 0, sizeof ss);
	if (family == SOCKSTATE_FAMILY_IPV4) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(to->port);
		memcpy(&in->sin_addr, to->addr, 4);
		len = (int)sizeof *in;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(to->port);
		memcpy(&in6->sin6_addr, to->addr, 16);
		in6->sin6_scope_id = to->scope_id;
		len = (int)sizeof *in6;
	}
	s = socket(ss.ss_family, SOCK_STREAM, IPPROTO_TCP);
	if (s == INVALID_SOCKET) {
		int err = WSAGetLastError();

		WSACleanup();
		return sockstate__fail(h, err == WSAEACCES ? SOCKSTATE_EPERM : SOCKSTATE_EIO,
		                       "socket: Windows socket error %d", err);
	}
	ioctlsocket(s, FIONBIO, &nonblocking);
	start = GetTickCount64();
	rc = connect(s, (struct sockaddr *)&ss, len);
	if (rc == 0) {
		done = 1;
	} else if (WSAGetLastError() != WSAEWOULDBLOCK) {
		failed(out, WSAGetLastError(), msg, msglen);
		done = -1;
	} else {
		struct sockaddr_storage local;
		int llen = (int)sizeof local;

		if (getsockname(s, (struct sockaddr *)&local, &llen) == 0) {
			if (local.ss_family == AF_INET) {
				memcpy(out->local.addr, &((struct sockaddr_in *)&local)->sin_addr, 4);
				out->local.port = ntohs(((struct sockaddr_in *)&local)->sin_port);
			} else {
				memcpy(out->local.addr, &((struct sockaddr_in6 *)&local)->sin6_addr, 16);
				out->local.port = ntohs(((struct sockaddr_in6 *)&local)->sin6_port);
			}
		}
	}
	while (!done) {
		ULONGLONG spent = GetTickCount64() - start;
		fd_set wr, ex;
		struct timeval tv;
		int err = 0, elen = (int)sizeof err;

		if (spent >= timeout_ms)
			break;
		FD_ZERO(&wr);
		FD_ZERO(&ex);
		FD_SET(s, &wr);
		FD_SET(s, &ex);
		tv.tv_sec = (long)((timeout_ms - spent) / 1000);
		tv.tv_usec = (long)((timeout_ms - spent) % 1000 * 1000);
		rc = select(0, NULL, &wr, &ex, &tv);
		if (rc <= 0)
			break;
		getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&err, &elen);
		if (FD_ISSET(s, &wr) && err == 0) {
			done = 1;
		} else {
			failed(out, err ? err : WSAECONNREFUSED, msg, msglen);
			done = -1;
		}
	}
	out->elapsed_ms = (uint32_t)(GetTickCount64() - start);
	if (done == 1) {
		out->result = SOCKSTATE_PROBE_CONNECTED;
	} else if (done == 0) {
		out->os_error = WSAETIMEDOUT;
		out->result = SOCKSTATE_PROBE_TIMEOUT;
		out->os_error_name = "WSAETIMEDOUT";
		snprintf(msg, msglen, "no answer within %u ms", (unsigned)timeout_ms);
	}
	closesocket(s);
	WSACleanup();
	return 0;
}
