/* tcptable_decode.c - a GetExtendedTcpTable table (TCP_TABLE_OWNER_PID_*)
 * to records. Pure: no OS calls, no allocation, no <windows.h>, so it is
 * unit-tested on Linux with constructed tables. Every field is read from
 * bytes at the documented offsets (windows_internal.h), never through a
 * cast of the buffer: the caller's buffer needs no alignment, and the
 * result does not depend on the byte order of the machine decoding. */
#include <string.h>

#include "windows_internal.h"

/* The low 16 bits of the port DWORD are its first two bytes, in network
 * order; the upper two bytes are undefined and ignored. */
static uint16_t port_of(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static size_t row_size(unsigned win_family)
{
	switch (win_family) {
	case SOCKSTATE__WIN_AF_INET:
		return sizeof(sockstate__win_tcprow4);
	case SOCKSTATE__WIN_AF_INET6:
		return sizeof(sockstate__win_tcprow6);
	default:
		return 0;
	}
}

size_t sockstate__tcptable_size(const void *buf, size_t len, unsigned win_family)
{
	size_t row = row_size(win_family);
	uint32_t rows;

	if (row == 0 || len < SOCKSTATE__WIN_TABLE_HEADER)
		return 0;
	rows = sockstate__win_le32(buf);
	/* Divide rather than multiply: a hostile count cannot overflow. */
	if (rows > (len - SOCKSTATE__WIN_TABLE_HEADER) / row)
		return 0;
	return SOCKSTATE__WIN_TABLE_HEADER + (size_t)rows * row;
}

static void set_state(sockstate_socket *s, uint32_t code)
{
	sockstate_state state;
	const char *name;

	s->native_code = code <= INT32_MAX ? (int32_t)code : -1;
	sockstate__native_state(SOCKSTATE__ORIGIN_WINDOWS, s->native_code, &state, &name);
	s->state = (uint8_t)state;
	s->native_name = name;
}

static void set_pid(sockstate_socket *s, uint32_t pid)
{
	if (pid == 0 || pid > INT32_MAX)
		return;
	s->pid = (int32_t)pid;
	s->pid_count = 1;
	s->valid |= SOCKSTATE_HAS_PID;
}

/* A zone means something only for a link-local address (fe80::/10), and
 * only there do the Linux backends report one. Windows gives a zone for
 * others too, and Wine its own numbers (0x1000 for ::1, 0xFFFFFFFF for an
 * address it does not know): 0, "none", for all of those. */
static uint32_t zone_of(const uint8_t *addr, const uint8_t *scope_dword)
{
	if (addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80)
		return sockstate__win_le32(scope_dword);
	return 0;
}

/* A LISTEN row's remote fields have no meaning: report no peer, as every
 * other OS does for a listener. */
static void clear_listener_peer(sockstate_socket *s)
{
	if (s->state == SOCKSTATE_LISTEN)
		memset(&s->remote, 0, sizeof s->remote);
}

static void decode_row4(const uint8_t *row, int with_pids, sockstate_socket *s)
{
	sockstate__socket_init(s);
	s->family = SOCKSTATE_FAMILY_IPV4;
	set_state(s, sockstate__win_le32(row + offsetof(sockstate__win_tcprow4, state)));
	memcpy(s->local.addr, row + offsetof(sockstate__win_tcprow4, local_addr), 4);
	s->local.port = port_of(row + offsetof(sockstate__win_tcprow4, local_port));
	memcpy(s->remote.addr, row + offsetof(sockstate__win_tcprow4, remote_addr), 4);
	s->remote.port = port_of(row + offsetof(sockstate__win_tcprow4, remote_port));
	clear_listener_peer(s);
	if (with_pids)
		set_pid(s, sockstate__win_le32(row + offsetof(sockstate__win_tcprow4, owning_pid)));
}

static void decode_row6(const uint8_t *row, int with_pids, sockstate_socket *s)
{
	sockstate__socket_init(s);
	s->family = SOCKSTATE_FAMILY_IPV6;
	set_state(s, sockstate__win_le32(row + offsetof(sockstate__win_tcprow6, state)));
	memcpy(s->local.addr, row + offsetof(sockstate__win_tcprow6, local_addr), 16);
	s->local.scope_id = zone_of(s->local.addr,
	                            row + offsetof(sockstate__win_tcprow6, local_scope_id));
	s->local.port = port_of(row + offsetof(sockstate__win_tcprow6, local_port));
	memcpy(s->remote.addr, row + offsetof(sockstate__win_tcprow6, remote_addr), 16);
	s->remote.scope_id = zone_of(s->remote.addr,
	                             row + offsetof(sockstate__win_tcprow6, remote_scope_id));
	s->remote.port = port_of(row + offsetof(sockstate__win_tcprow6, remote_port));
	clear_listener_peer(s);
	if (with_pids)
		set_pid(s, sockstate__win_le32(row + offsetof(sockstate__win_tcprow6, owning_pid)));
}

int sockstate__tcptable_decode(const void *buf, size_t len, unsigned win_family,
                               const sockstate__tcptable_sink *sink, const char **why)
{
	const uint8_t *p = buf;
	size_t row = row_size(win_family);
	uint32_t rows;

	if (row == 0) {
		*why = "address family is neither AF_INET (2) nor AF_INET6 (23)";
		return SOCKSTATE_EINVAL;
	}
	if (len < SOCKSTATE__WIN_TABLE_HEADER) {
		*why = "shorter than the table header (dwNumEntries)";
		return SOCKSTATE_EPARSE;
	}
	if (sockstate__tcptable_size(buf, len, win_family) == 0) {
		*why = "dwNumEntries claims more rows than the buffer holds";
		return SOCKSTATE_EPARSE;
	}
	rows = sockstate__win_le32(p);
	p += SOCKSTATE__WIN_TABLE_HEADER;
	for (uint32_t i = 0; i < rows; i++, p += row) {
		sockstate_socket s;
		int rc;

		if (win_family == SOCKSTATE__WIN_AF_INET)
			decode_row4(p, sink->with_pids, &s);
		else
			decode_row6(p, sink->with_pids, &s);
		if (!(sink->states & SOCKSTATE_STATE_BIT(s.state)))
			continue;
		rc = sink->emit(sink->emit_ctx, &s, 0);
		if (rc != 0)
			return rc;
	}
	return 0;
}
