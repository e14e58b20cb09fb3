/* nonetlink.c - run with netlink sockets forbidden, as a seccomp profile
 * of a container or a sandbox may forbid them.
 *
 *   rel_nonetlink --probe        check the library itself (below)
 *   rel_nonetlink -- CMD ARGS... run CMD under the same filter
 *
 * Installs a seccomp filter (PR_SET_NO_NEW_PRIVS, then PR_SET_SECCOMP
 * with a classic BPF program) under which socket(AF_NETLINK, ...) fails
 * with EPERM and every other system call is allowed; the filter is kept
 * across execve. --probe then opens a handle without naming a backend,
 * checks that the library fell back to linux-proc by itself and says so
 * (sockstate_backend), that a listener this program holds is listed, and
 * that asking for linux-netlink by name fails with the OS's refusal in
 * the error detail. Exit 0, 1 (fail), 2 usage, 77 (seccomp unavailable
 * or an architecture this filter does not know). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rel_util.h"

#if defined(__x86_64__)
#define REL_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define REL_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define REL_AUDIT_ARCH AUDIT_ARCH_RISCV64
#endif

static int forbid_netlink(const char **why)
{
#if defined(REL_AUDIT_ARCH) && defined(__NR_socket)
	struct sock_filter code[] = {
		/* Another architecture's calls (e.g. 32-bit compat): allowed;
		 * this program and the tool it runs are native. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, REL_AUDIT_ARCH, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 2),
		/* The low 32 bits of the first argument: the domain. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
	};
	struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		*why = "prctl(PR_SET_NO_NEW_PRIVS) failed";
		return -1;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		*why = "prctl(PR_SET_SECCOMP) failed: no seccomp filters here";
		return -1;
	}
	return 0;
#else
	*why = "no seccomp filter for this architecture in rel_nonetlink";
	return -1;
#endif
}

static int probe(void)
{
	sockstate_options o = {.size = sizeof o};
	sockstate_handle *h;
	rel_population pop;
	rel_verdict v;
	struct rel_check_ctx ctx = {.p = &pop, .v = &v, .with_pids = 1};
	sockstate_query q;
	int fd, rc;

	/* The filter works: a netlink socket is refused... */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 4 /* NETLINK_SOCK_DIAG */);
	if (fd >= 0 || errno != EPERM)
		rel_fail("socket(AF_NETLINK) was not refused with EPERM (fd %d, %s)", fd,
		         strerror(errno));
	/* ...and nothing else is. */
	rel_population_make(&pop, 1, 1, 0);

	rc = sockstate_open(&h, NULL);
	if (rc != 0)
		rel_fail("sockstate_open without a backend name: %s (%s)", sockstate_strerror(rc),
		         sockstate_errdetail(NULL));
	if (strcmp(sockstate_backend(h), "linux-proc") != 0)
		rel_fail("backend %s, expected the fallback linux-proc", sockstate_backend(h));
	sockstate_query_init(&q);
	q.flags |= SOCKSTATE_Q_PIDS;
	memset(&v, 0, sizeof v);
	rel_check_begin(&pop);
	rc = sockstate_foreach(h, &q, rel_check_cb, &ctx);
	rel_check_end(&pop, &v);
	if (rc != 0)
		rel_fail("listing through %s: %s (%s)", sockstate_backend(h), sockstate_strerror(rc),
		         sockstate_errdetail(h));
	if (!rel_verdict_ok(&v))
		rel_fail("listing through %s: %s", sockstate_backend(h), v.first_problem);
	printf("nonetlink: socket(AF_NETLINK) refused; sockstate_open chose %s by itself, "
	       "pid source %s; %zu of %zu held sockets listed with their owner\n",
	       sockstate_backend(h), sockstate_pid_source(h) ? sockstate_pid_source(h) : "none",
	       pop.n - v.missing, pop.n);
	sockstate_close(h);

	o.backend = "linux-netlink";
	rc = sockstate_open(&h, &o);
	if (rc != SOCKSTATE_EUNAVAIL || !strstr(sockstate_errdetail(NULL), "Operation not permitted"))
		rel_fail("sockstate_open(linux-netlink) under the filter: %s (%s); expected "
		         "SOCKSTATE_EUNAVAIL naming the refusal", sockstate_errname(rc),
		         sockstate_errdetail(NULL));
	printf("nonetlink: asking for linux-netlink by name: %s (\"%s\")\n",
	       sockstate_errname(rc), sockstate_errdetail(NULL));
	rel_population_free(&pop);
	return 0;
}

int main(int argc, char **argv)
{
	const char *why = "";

	if (argc < 2 || (strcmp(argv[1], "--probe") && (strcmp(argv[1], "--") || argc < 3))) {
		fprintf(stderr, "usage: %s --probe | -- CMD ARGS...\n", argv[0]);
		return 2;
	}
	if (forbid_netlink(&why) != 0)
		rel_skip("%s", why);
	if (!strcmp(argv[1], "--probe"))
		return probe();
	execvp(argv[2], argv + 2);
	fprintf(stderr, "rel_nonetlink: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
