/* bpf_rights.c - whether the caller may use the library's BPF programs,
 * read from its effective capabilities (the owner map's iterator and the
 * trace's tracepoints ask the same). */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "pidmap_bpf.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int has_cap(const struct __user_cap_data_struct *caps, unsigned cap)
{
	return (caps[cap / 32].effective >> (cap % 32)) & 1u;
}

const char *sockstate__bpf_missing_rights(int need_ptrace)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];

	memset(caps, 0, sizeof caps);
	if (syscall(SYS_capget, &hdr, caps) != 0)
		return "capget() failed, so the caller's capabilities are unknown";
	if (!has_cap(caps, CAP_SYS_ADMIN) &&
	    !(has_cap(caps, CAP_BPF) && has_cap(caps, CAP_PERFMON)))
		return "the caller lacks CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)";
	if (need_ptrace && !has_cap(caps, CAP_SYS_PTRACE))
		return "the caller lacks CAP_SYS_PTRACE: BPF would show sockets of "
		       "processes whose descriptors /proc hides from it";
	return NULL;
}
