/* faults.c - the paths the OS takes only under load, provoked on demand:
 * NLM_F_DUMP_INTR, ENOBUFS and EINTR on the netlink socket, EINTR and EIO
 * on the /proc read. Each must end in a complete answer (retried) or a
 * clear error - never a silent short answer - and the handle must work
 * again afterwards.
 *
 *   rel_faults [--host-netns]
 *
 * The seam: this program is linked with -Wl,--wrap=recvmsg,
 * --wrap=mnl_socket_sendto and --wrap=read (see CMakeLists.txt), so the
 * library's own calls to those functions (platform/linux/diag_io.c and
 * proc_io.c, unchanged) land in the __wrap_ functions below, which pass
 * through to the real call unless a fault is armed. Nothing in the
 * library knows; no build of the library differs.
 *
 * The population is large enough (400 listeners per family, in a private
 * network namespace when it can) that one dump takes several datagrams, so a
 * fault can strike before any record was delivered (restart) or after
 * (EAGAIN: restarting would list sockets twice).
 * Exit 0, 1 (first problem). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "rel_util.h"

/* per family: about 48 KiB of replies, two datagrams or more each */
#define LISTENERS 400

/* ---- the armed fault ---- */

enum fault {
	F_NONE,
	F_RECV_EINTR,         /* recvmsg number `at` fails with EINTR */
	F_RECV_ENOBUFS,       /* ... with ENOBUFS */
	F_RECV_ENOBUFS_ALL,   /* every recvmsg from `at` on: ENOBUFS */
	F_DUMP_INTR,          /* datagram number `at` is marked NLM_F_DUMP_INTR */
	F_DUMP_INTR_ALL,      /* every datagram from `at` on */
	F_SEND_EINTR,         /* the next send fails once with EINTR */
	F_READ_EINTR,         /* the next read fails once with EINTR */
	F_READ_EIO            /* the next read fails with EIO */
};

static struct {
	enum fault fault;
	unsigned at;
	unsigned recvs;       /* recvmsg calls since armed */
	unsigned sends;       /* requests sent since armed */
	unsigned fired;
} inj;

static void arm(enum fault f, unsigned at)
{
	memset(&inj, 0, sizeof inj);
	inj.fault = f;
	inj.at = at;
}

ssize_t __real_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags);
struct mnl_socket;
ssize_t __real_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len);

ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags)
{
	unsigned n = ++inj.recvs;
	ssize_t got;

	if ((inj.fault == F_RECV_EINTR || inj.fault == F_RECV_ENOBUFS) && n == inj.at) {
		inj.fired++;
		errno = inj.fault == F_RECV_EINTR ? EINTR : ENOBUFS;
		return -1;
	}
	if (inj.fault == F_RECV_ENOBUFS_ALL && n >= inj.at) {
		inj.fired++;
		errno = ENOBUFS;
		return -1;
	}
	got = __real_recvmsg(fd, msg, flags);
	if (got >= (ssize_t)sizeof(struct nlmsghdr) &&
	    ((inj.fault == F_DUMP_INTR && n == inj.at) ||
	     (inj.fault == F_DUMP_INTR_ALL && n >= inj.at))) {
		struct nlmsghdr nlh;
		memcpy(&nlh, msg->msg_iov[0].iov_base, sizeof nlh);
		nlh.nlmsg_flags |= NLM_F_DUMP_INTR;
		memcpy(msg->msg_iov[0].iov_base, &nlh, sizeof nlh);
		inj.fired++;
	}
	return got;
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	inj.sends++;
	if (inj.fault == F_SEND_EINTR && !inj.fired) {
		inj.fired++;
		errno = EINTR;
		return -1;
	}
	return __real_mnl_socket_sendto(nl, buf, len);
}

ssize_t __wrap_read(int fd, void *buf, size_t len)
{
	if ((inj.fault == F_READ_EINTR && !inj.fired) || inj.fault == F_READ_EIO) {
		inj.fired++;
		errno = inj.fault == F_READ_EINTR ? EINTR : EIO;
		return -1;
	}
	return __real_read(fd, buf, len);
}

/* ---- the checks ---- */

static rel_population pop;
static int private_ns = 1;
static unsigned passed;
static unsigned baseline_sends; /* requests one enumeration sends */

enum how { STREAM, SNAPSHOT, COUNT };
static const char *const how_name[] = {"streaming", "snapshot", "counts"};

/* One enumeration of kind how; returns its code, and checks that a
 * success is complete and a failure leaves nothing behind. */
static int enumerate(sockstate_handle *h, enum how how, const char *scenario)
{
	rel_verdict v;
	struct rel_check_ctx ctx = {.p = &pop, .v = &v};
	sockstate_snapshot *snap = (sockstate_snapshot *)&v; /* must become NULL */
	sockstate_counts counts;
	int rc;

	memset(&v, 0, sizeof v);
	rel_check_begin(&pop);
	switch (how) {
	case STREAM:
		rc = sockstate_foreach(h, NULL, rel_check_cb, &ctx);
		break;
	case SNAPSHOT:
		rc = sockstate_snapshot_take(h, NULL, &snap);
		if (rc == 0)
			for (size_t i = 0; i < snap->count; i++)
				rel_check_record(&pop, &snap->sockets[i], 0, &v);
		else if (snap != NULL)
			rel_fail("%s, snapshot: failed (%d) but left *out set", scenario, rc);
		sockstate_snapshot_free(snap);
		break;
	case COUNT:
		memset(&counts, 0xff, sizeof counts);
		rc = sockstate_count(h, NULL, &counts);
		if (rc == 0) {
			if (counts.by_state[SOCKSTATE_LISTEN] < pop.n ||
			    (private_ns && counts.total != pop.n))
				rel_fail("%s, counts: %llu LISTEN of %zu held", scenario,
				         (unsigned long long)counts.by_state[SOCKSTATE_LISTEN], pop.n);
			return 0;
		}
		for (size_t i = 0; i < sizeof counts; i++)
			if (((unsigned char *)&counts)[i])
				rel_fail("%s, counts: failed (%d) but left counts behind", scenario, rc);
		return rc;
	}
	if (rc != 0)
		return rc;
	rel_check_end(&pop, &v);
	if (!rel_verdict_ok(&v))
		rel_fail("%s, %s: a complete answer was promised: %zu missing, %zu repeated; "
		         "first: %s", scenario, how_name[how], v.missing, v.repeated,
		         v.first_problem);
	if (private_ns && v.records != pop.n)
		rel_fail("%s, %s: %zu records, %zu held", scenario, how_name[how], v.records, pop.n);
	return 0;
}

/* restarts: how many more requests than a clean enumeration the fault
 * must cause (a restarted dump, a resent request). */
static void expect_complete(sockstate_handle *h, enum fault f, unsigned at,
                            const char *scenario, unsigned restarts)
{
	for (int how = STREAM; how <= COUNT; how++) {
		int rc;

		arm(f, at);
		rc = enumerate(h, (enum how)how, scenario);
		if (rc != 0)
			rel_fail("%s, %s: %s (%s)", scenario, how_name[how], sockstate_strerror(rc),
			         sockstate_errdetail(h));
		if (f != F_NONE && !inj.fired)
			rel_fail("%s, %s: the fault never struck", scenario, how_name[how]);
		if (inj.sends < baseline_sends + restarts)
			rel_fail("%s, %s: %u requests sent, %u without the fault: no restart",
			         scenario, how_name[how], inj.sends, baseline_sends);
		passed++;
	}
	printf("faults: %-58s complete, retried\n", scenario);
}

static void expect_error(sockstate_handle *h, enum fault f, unsigned at, const char *scenario,
                         int code, const char *detail_has)
{
	for (int how = STREAM; how <= COUNT; how++) {
		int rc;
		char detail[512];

		arm(f, at);
		rc = enumerate(h, (enum how)how, scenario);
		snprintf(detail, sizeof detail, "%s", sockstate_errdetail(h));
		if (rc != code)
			rel_fail("%s, %s: %s (%s), expected %s", scenario, how_name[how],
			         rc ? sockstate_errname(rc) : "success", detail,
			         sockstate_errname(code));
		if (!strstr(detail, detail_has))
			rel_fail("%s, %s: detail '%s' does not say '%s'", scenario, how_name[how],
			         detail, detail_has);
		/* The same handle answers completely once the fault is gone. */
		arm(F_NONE, 0);
		rc = enumerate(h, (enum how)how, scenario);
		if (rc != 0)
			rel_fail("%s, %s: the next call failed too: %s (%s)", scenario,
			         how_name[how], sockstate_strerror(rc), sockstate_errdetail(h));
		passed++;
		if (how == STREAM)
			printf("faults: %-58s %s: \"%s\"\n", scenario, sockstate_errname(code), detail);
	}
}

static sockstate_handle *open_backend(const char *backend)
{
	sockstate_options o = {.size = sizeof o, .backend = backend};
	sockstate_handle *h;

	arm(F_NONE, 0);
	if (sockstate_open(&h, &o) != 0)
		rel_fail("sockstate_open(%s): %s", backend, sockstate_errdetail(NULL));
	return h;
}

int main(int argc, char **argv)
{
	sockstate_handle *h;
	const char *why = "";

	if (argc > 1 && !strcmp(argv[1], "--host-netns"))
		private_ns = 0;
	else if (argc > 1) {
		fprintf(stderr, "usage: %s [--host-netns]\n", argv[0]);
		return 2;
	}
	if (private_ns && !rel_enter_netns(&why)) {
		printf("faults: %s: using the host's network namespace\n", why);
		private_ns = 0;
	}
	rel_raise_nofile();
	rel_population_make(&pop, LISTENERS, 0, 0);

	/* How many datagrams is one dump? The faults below need >= 2. */
	h = open_backend("linux-netlink");
	arm(F_NONE, 0);
	if (enumerate(h, STREAM, "baseline") != 0)
		rel_fail("baseline: %s", sockstate_errdetail(h));
	baseline_sends = inj.sends;
	printf("faults: baseline: %zu sockets, %u requests, %u datagrams\n", pop.n, inj.sends,
	       inj.recvs);
	if (inj.recvs < inj.sends + 2)
		rel_fail("a dump of %zu sockets fit in %u datagrams: cannot strike between "
		         "datagrams", pop.n, inj.recvs);

	expect_complete(h, F_RECV_EINTR, 1, "recvmsg EINTR", 0);
	expect_complete(h, F_SEND_EINTR, 0, "sendto EINTR", 1);
	expect_complete(h, F_RECV_ENOBUFS, 1, "ENOBUFS before any record", 1);
	expect_complete(h, F_DUMP_INTR, 1, "NLM_F_DUMP_INTR before any record", 1);
	expect_error(h, F_RECV_ENOBUFS, 2, "ENOBUFS after records were delivered",
	             SOCKSTATE_EAGAIN, "ENOBUFS");
	expect_error(h, F_DUMP_INTR, 2, "NLM_F_DUMP_INTR after records were delivered",
	             SOCKSTATE_EAGAIN, "interrupted");
	expect_error(h, F_RECV_ENOBUFS_ALL, 1, "ENOBUFS on every attempt", SOCKSTATE_EAGAIN,
	             "times in a row");
	expect_error(h, F_DUMP_INTR_ALL, 1, "NLM_F_DUMP_INTR on every attempt", SOCKSTATE_EAGAIN,
	             "times in a row");
	sockstate_close(h);

	h = open_backend("linux-proc");
	baseline_sends = 0; /* no netlink requests here */
	expect_complete(h, F_READ_EINTR, 0, "/proc read EINTR", 0);
	expect_error(h, F_READ_EIO, 0, "/proc read EIO", SOCKSTATE_EIO, "read(/proc/net/tcp");
	sockstate_close(h);

	printf("faults: %u checks passed, every failure a clear error, every retry "
	       "complete\n", passed);
	rel_population_free(&pop);
	return 0;
}
