/* platform.c - what Windows offers the core: its backend, machine facts,
 * interface names, and the one map from Win32 error codes to ours. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "windows_internal.h"

const sockstate__backend *const sockstate__platform_backends[] = {
	&sockstate__windows_iphlpapi_backend,
	NULL,
};

int sockstate__win_error_code(uint32_t win_error)
{
	switch (win_error) {
	case ERROR_ACCESS_DENIED:
	case ERROR_PRIVILEGE_NOT_HELD:
		return SOCKSTATE_EPERM;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
		return SOCKSTATE_ENOMEM;
	case ERROR_NOT_SUPPORTED:
	case ERROR_CALL_NOT_IMPLEMENTED:
		return SOCKSTATE_ENOTSUP;
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
		return SOCKSTATE_ENOENT;
	default:
		return SOCKSTATE_EIO;
	}
}

/* Windows' own sentence for the code, in English where the system has
 * it (the library's other messages are English), without its trailing
 * period and line break. */
static void win_message(DWORD err, char *buf, DWORD len)
{
	const DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS;
	DWORD n = FormatMessageA(flags, NULL, err, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US),
	                         buf, len, NULL);

	if (n == 0)
		n = FormatMessageA(flags, NULL, err, 0, buf, len, NULL);
	if (n == 0) {
		snprintf(buf, len, "Windows error");
		return;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
	                 buf[n - 1] == '.'))
		n--;
	buf[n] = '\0';
}

int sockstate__win_fail(sockstate_handle *h, uint32_t win_error, const char *call)
{
	char msg[256];

	win_message(win_error, msg, sizeof msg);
	return sockstate__fail(h, sockstate__win_error_code(win_error), "%s: %s (error %lu)",
	                       call, msg, (unsigned long)win_error);
}

/* The one pid source here: the TCP table's own pid column. The other
 * platforms' sources are named, so a script written for Linux gets a
 * clear refusal rather than "unknown". */
int sockstate__platform_pid_source_check(const char *name)
{
	if (!strcmp(name, "windows"))
		return 0;
	if (!strcmp(name, "procfs") || !strcmp(name, "bpf"))
		return sockstate__fail(NULL, SOCKSTATE_EUNAVAIL,
		                       "pid source '%s' does not exist on Windows (auto, windows)",
		                       name);
	return sockstate__fail(NULL, SOCKSTATE_EINVAL, "unknown pid source '%s' (auto, windows)",
	                       name);
}

/* ---- machine facts ---- */

/* RtlGetVersion tells the truth; GetVersionEx reports 6.2 to programs
 * without a compatibility manifest. */
typedef LONG(WINAPI *rtl_get_version_fn)(RTL_OSVERSIONINFOW *);

static int os_version(RTL_OSVERSIONINFOW *v)
{
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	FARPROC proc = ntdll ? GetProcAddress(ntdll, "RtlGetVersion") : NULL;
	rtl_get_version_fn get;

	if (!proc)
		return -1;
	/* Through void (*)(void): the one cast between function pointer
	 * types that compilers accept without a warning. */
	get = (rtl_get_version_fn)(void (*)(void))proc;
	memset(v, 0, sizeof *v);
	v->dwOSVersionInfoSize = sizeof *v;
	return get(v) == 0 ? 0 : -1;
}

/* As Windows spells PROCESSOR_ARCHITECTURE. */
static const char *machine_name(WORD arch)
{
	switch (arch) {
	case PROCESSOR_ARCHITECTURE_AMD64:
		return "AMD64";
	case PROCESSOR_ARCHITECTURE_INTEL:
		return "x86";
	case PROCESSOR_ARCHITECTURE_ARM:
		return "ARM";
	case PROCESSOR_ARCHITECTURE_ARM64:
		return "ARM64";
	case PROCESSOR_ARCHITECTURE_IA64:
		return "IA64";
	default:
		return "";
	}
}

int sockstate__platform_sysinfo(sockstate_sysinfo *out)
{
	DWORD len = (DWORD)sizeof out->host;
	RTL_OSVERSIONINFOW v;
	SYSTEM_INFO si;

	if (!GetComputerNameExA(ComputerNameDnsHostname, out->host, &len))
		out->host[0] = '\0';
	snprintf(out->os_name, sizeof out->os_name, "Windows");
	/* As Python's platform module: version "10.0.19045". */
	if (os_version(&v) == 0) {
		snprintf(out->os_release, sizeof out->os_release, "%lu.%lu",
		         (unsigned long)v.dwMajorVersion, (unsigned long)v.dwMinorVersion);
		snprintf(out->os_version, sizeof out->os_version, "%lu.%lu.%lu",
		         (unsigned long)v.dwMajorVersion, (unsigned long)v.dwMinorVersion,
		         (unsigned long)v.dwBuildNumber);
	}
	GetNativeSystemInfo(&si);
	snprintf(out->machine, sizeof out->machine, "%s",
	         machine_name(si.wProcessorArchitecture));
	return 0;
}

/* Windows writes IPv6 zones as the interface index ("fe80::1%12", as
 * netstat and ping print them and as its address parsers take them); its
 * interface names are not zone syntax. So the core prints the number. */
int sockstate__platform_ifname(uint32_t index, char *buf, size_t len)
{
	(void)index;
	(void)buf;
	(void)len;
	return -1;
}

/* The table's rows carry their pid, so the owner map here is only the
 * process names of one Toolhelp snapshot: too little work to pay for a
 * thread. The core runs it in order. */
int sockstate__platform_task_start(sockstate__task **task, void (*fn)(void *arg),
                                   void *arg)
{
	(void)fn;
	(void)arg;
	*task = NULL;
	return SOCKSTATE_ENOTSUP;
}

void sockstate__platform_task_join(sockstate__task *task)
{
	(void)task;
}

/* Never over an existing file (nor a link in its place): _O_EXCL. Who
 * may write to the directory is its ACL's business, not checked here. */
int sockstate__platform_capture_open(sockstate_handle *h, const char *name, int *fd)
{
	const char *dir = sockstate__handle_capture_dir(h);
	char path[4096];

	*fd = -1;
	if (!dir)
		return 0;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
		return sockstate__fail(h, SOCKSTATE_EINVAL, "capture directory name too long");
	*fd = _open(path, _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY | _O_NOINHERIT,
	            _S_IREAD | _S_IWRITE);
	if (*fd < 0)
		return sockstate__fail(h, SOCKSTATE_EIO, "capture file %s: %s", path,
		                       strerror(errno));
	return 0;
}
