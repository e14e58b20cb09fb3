/* tcptable_backend.c - the "windows-iphlpapi" backend: IP Helper's
 * GetExtendedTcpTable for IPv4 and IPv6, TCP_TABLE_OWNER_PID_ALL (the
 * *_CONNECTIONS classes leave listeners out, and Wine's return only
 * ESTABLISHED rows).
 *
 * It filters families (by choosing which tables to ask for) and states
 * (before emitting); ports and addresses are left to the core. Each row
 * carries its owner's pid, so owners() only names processes: one
 * Toolhelp snapshot, which gives every process's executable name without
 * opening the process (QueryFullProcessImageName would need a handle,
 * which protected processes, and other users' without elevation, refuse).
 * Windows gives no
 * uid, inode, queues or timers here: they stay unknown.
 *
 * Windows copies whole tables, so memory grows with the number of
 * sockets (one buffer, kept across queries), unlike the Linux backends. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <tlhelp32.h>

#include <errno.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "windows_internal.h"

struct win_state {
	sockstate__tcptable_buf buf;
};

static int win_open(sockstate_handle *h, void **out)
{
	struct win_state *st;
	int rc;

	*out = NULL;
	rc = sockstate__tcptable_probe(h);
	if (rc < 0)
		return rc;
	st = calloc(1, sizeof *st);
	if (!st)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "calloc: out of memory");
	*out = st;
	return 0;
}

static void win_close(void *state)
{
	struct win_state *st = state;

	if (!st)
		return;
	free(st->buf.data);
	free(st);
}

/* Developer option: keep each table as Windows wrote it, for fixtures. */
static int capture(sockstate_handle *h, const char *file, const void *table, size_t len)
{
	int fd, rc = sockstate__platform_capture_open(h, file, &fd);

	if (rc < 0 || fd < 0)
		return rc;
	rc = sockstate__capture_write(h, fd, table, len);
	if (_close(fd) != 0 && rc == 0)
		rc = sockstate__fail(h, SOCKSTATE_EIO, "close(capture file %s): %s", file,
		                     strerror(errno));
	return rc;
}

static int win_enumerate(void *state, sockstate_handle *h, sockstate__plan *plan,
                         sockstate__emit_fn emit, void *emit_ctx)
{
	struct win_state *st = state;
	const struct {
		sockstate_family family;
		unsigned win_family;
		const char *capture_file;
	} tables[] = {
		{SOCKSTATE_FAMILY_IPV4, SOCKSTATE__WIN_AF_INET, "tcptable_ipv4.bin"},
		{SOCKSTATE_FAMILY_IPV6, SOCKSTATE__WIN_AF_INET6, "tcptable_ipv6.bin"},
	};
	sockstate__tcptable_sink sink = {
		.states = SOCKSTATE_STATES_ALL,
		.with_pids = (plan->q->flags & SOCKSTATE_Q_PIDS) != 0,
		.emit = emit,
		.emit_ctx = emit_ctx,
	};
	uint32_t families = plan->q->families;

	if (plan->may_push) {
		sink.states = plan->states;
		plan->pushed |= SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY;
	} else {
		families = (1u << SOCKSTATE_FAMILY_IPV4) | (1u << SOCKSTATE_FAMILY_IPV6);
	}
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		const char *why = NULL;
		size_t len;
		int rc;

		if (!(families & (1u << tables[i].family)))
			continue;
		rc = sockstate__tcptable_fetch(h, tables[i].win_family, &st->buf, &len);
		if (rc < 0)
			return rc;
		rc = capture(h, tables[i].capture_file, st->buf.data,
		             sockstate__tcptable_size(st->buf.data, len, tables[i].win_family));
		if (rc < 0)
			return rc;
		rc = sockstate__tcptable_decode(st->buf.data, len, tables[i].win_family,
		                                &sink, &why);
		if (why)
			return sockstate__fail(h, rc, "GetExtendedTcpTable(%s) table: %s",
			                       tables[i].win_family == SOCKSTATE__WIN_AF_INET6
			                               ? "AF_INET6" : "AF_INET", why);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* A process name as UTF-8, or 0 when it cannot be converted. */
static int utf8_name(const WCHAR *wide, char *out, int cap)
{
	return WideCharToMultiByte(CP_UTF8, 0, wide, -1, out, cap, NULL, NULL) > 0;
}

static int win_owners(void *state, sockstate_handle *h, sockstate__owners *map,
                      const char **source)
{
	PROCESSENTRY32W pe;
	HANDLE snap;
	BOOL more;
	int rc = 0;

	(void)state;
	sockstate__set_pid_source_reason(h, "each TCP table row carries its owner's pid; "
	                                 "names from a process snapshot");
	snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
	if (snap == INVALID_HANDLE_VALUE)
		return sockstate__win_fail(h, GetLastError(), "CreateToolhelp32Snapshot");
	memset(&pe, 0, sizeof pe);
	pe.dwSize = sizeof pe;
	for (more = Process32FirstW(snap, &pe); more && rc == 0;
	     more = Process32NextW(snap, &pe)) {
		char name[256];

		/* pid 0 is the idle process, which owns no socket. */
		if (pe.th32ProcessID == 0 || pe.th32ProcessID > INT32_MAX)
			continue;
		if (utf8_name(pe.szExeFile, name, (int)sizeof name))
			rc = sockstate__owners_name(map, (int32_t)pe.th32ProcessID, name);
	}
	CloseHandle(snap);
	if (rc < 0)
		return sockstate__fail(h, rc, "process names: out of memory");
	rc = sockstate__owners_finish(map);
	if (rc < 0)
		return sockstate__fail(h, rc, "owner map: out of memory");
	*source = "windows";
	return 0;
}

const sockstate__backend sockstate__windows_iphlpapi_backend = {
	.name = "windows-iphlpapi",
	.can_filter = SOCKSTATE__F_STATES | SOCKSTATE__F_FAMILY,
	.fills = SOCKSTATE_HAS_PID,
	.open = win_open,
	.enumerate = win_enumerate,
	.close = win_close,
	.owners = win_owners,
	.tcp_counters = sockstate__win_tcp_counters,
};
