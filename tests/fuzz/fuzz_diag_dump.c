/* fuzz_diag_dump.c - a whole sock_diag dump through the real receive loop
 * of platform/linux/diag_io.c, against a fake kernel the input scripts.
 *
 * diag_io.c is linked unchanged; its calls to libmnl's socket functions,
 * recvmsg and setsockopt are redirected at link time (-Wl,--wrap=SYMBOL,
 * see CMakeLists.txt) to the fake below, so no netlink socket is opened.
 * That reaches what the pure decoder target cannot: the restart after
 * NLM_F_DUMP_INTR or ENOBUFS, the drain of an abandoned dump, repeats
 * dropped by cookie across datagram boundaries, replies that do not fit
 * the buffer, datagrams from other senders, EINTR on send and receive.
 *
 * Input: byte 0 picks the family (bit 0) and how many records the
 * callback takes before it says stop (the rest; 0 = never); then a script
 * of operations, each one byte (op % 8), consumed one per recvmsg:
 *   0  a datagram: u16 little-endian length, then that many bytes
 *   1  the same, with the request's sequence number and our port stamped
 *      into every whole message header (so real captures are accepted)
 *   2  recvmsg fails with EINTR          3  ... with ENOBUFS
 *   4  ... with the errno in the next byte
 *   5  a datagram (as 1) from another process's port: must be ignored
 *   6  a datagram longer than the buffer (MSG_TRUNC says so)
 *   7  the next send fails once with the errno in the next byte
 * When the script runs out, the fake kernel ends every dump with a
 * stamped NLMSG_DONE. Two dumps run on one io, then it is closed.
 *
 * Checked: every record holds the decoder invariants; no socket cookie is
 * delivered twice within a datagram or in two consecutive ones (what the
 * cookie sets promise); a dump returns 0, the callback's value, or a
 * negative code with an error detail; the io opens no more sockets than
 * it closes (no descriptor leak on any path); no leak (LeakSanitizer). */
#include <errno.h>
#include <sys/socket.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>

#include "diag_internal.h"
#include "fuzz_common.h"

#define FAKE_FD 1000000           /* no real descriptor has this number */
#define FAKE_PORTID 4242u
#define FAKE_BUF_CAP 16384u       /* small: long replies reach EMSGSIZE */
#define MAX_RECVS 4096u           /* a runaway loop is a finding */
#define STOP_VALUE 5

/* struct mnl_socket is opaque: any distinct address will do. */
static char fake_socket_object;

static struct fake_kernel {
	const uint8_t *in;
	size_t left;
	int open_sockets;             /* opened - closed */
	uint32_t seq;                 /* of the last request sent */
	int send_errno;               /* fail the next send once */
	unsigned recvs;
	unsigned datagrams;           /* kernel datagrams handed out this dump */
	unsigned char out[65536 + 64];
} fk;

/* ---- the wrapped calls (declared here: -Wl,--wrap gives them these
 * names, no header does) ---- */

struct mnl_socket;
struct mnl_socket *__wrap_mnl_socket_open2(int bus, int flags);
int __wrap_mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid);
unsigned int __wrap_mnl_socket_get_portid(const struct mnl_socket *nl);
int __wrap_mnl_socket_get_fd(const struct mnl_socket *nl);
int __wrap_mnl_socket_close(struct mnl_socket *nl);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags);
int __wrap_setsockopt(int fd, int level, int name, const void *val, socklen_t len);

struct mnl_socket *__wrap_mnl_socket_open2(int bus, int flags)
{
	FUZZ_CHECK(bus == NETLINK_SOCK_DIAG);
	(void)flags;
	fk.open_sockets++;
	return (struct mnl_socket *)(void *)&fake_socket_object;
}

int __wrap_mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid)
{
	FUZZ_CHECK(nl == (void *)&fake_socket_object);
	(void)groups;
	(void)pid;
	return 0;
}

unsigned int __wrap_mnl_socket_get_portid(const struct mnl_socket *nl)
{
	FUZZ_CHECK(nl == (const void *)&fake_socket_object);
	return FAKE_PORTID;
}

int __wrap_mnl_socket_get_fd(const struct mnl_socket *nl)
{
	FUZZ_CHECK(nl == (const void *)&fake_socket_object);
	return FAKE_FD;
}

int __wrap_mnl_socket_close(struct mnl_socket *nl)
{
	FUZZ_CHECK(nl == (void *)&fake_socket_object);
	fk.open_sockets--;
	FUZZ_CHECK(fk.open_sockets >= 0);
	return 0;
}

int __wrap_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	FUZZ_CHECK(fd == FAKE_FD);
	(void)level;
	(void)name;
	(void)val;
	(void)len;
	return 0;
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	struct nlmsghdr nlh;

	FUZZ_CHECK(nl == (const void *)&fake_socket_object);
	FUZZ_CHECK(fk.open_sockets == 1);
	FUZZ_CHECK(len >= sizeof nlh);
	if (fk.send_errno) {
		errno = fk.send_errno;
		fk.send_errno = 0;
		return -1;
	}
	memcpy(&nlh, buf, sizeof nlh);
	FUZZ_CHECK(nlh.nlmsg_len == len);
	FUZZ_CHECK(nlh.nlmsg_flags & NLM_F_DUMP);
	fk.seq = nlh.nlmsg_seq;
	return (ssize_t)len;
}

static int take(void *dst, size_t n)
{
	if (fk.left < n)
		return -1;
	memcpy(dst, fk.in, n);
	fk.in += n;
	fk.left -= n;
	return 0;
}

static void stamp(unsigned char *p, size_t n)
{
	size_t off = 0;

	while (n - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr nlh;

		memcpy(&nlh, p + off, sizeof nlh);
		nlh.nlmsg_seq = fk.seq;
		nlh.nlmsg_pid = FAKE_PORTID;
		memcpy(p + off, &nlh, sizeof nlh);
		if (nlh.nlmsg_len < sizeof nlh || nlh.nlmsg_len > n - off ||
		    NLMSG_ALIGN(nlh.nlmsg_len) >= n - off)
			break;
		off += NLMSG_ALIGN(nlh.nlmsg_len);
	}
}

/* The end of every dump once the script is spent. */
static size_t done_message(unsigned char *p)
{
	struct nlmsghdr nlh = {
		.nlmsg_len = NLMSG_LENGTH(sizeof(int)),
		.nlmsg_type = NLMSG_DONE,
		.nlmsg_flags = NLM_F_MULTI,
		.nlmsg_seq = fk.seq,
		.nlmsg_pid = FAKE_PORTID,
	};
	int err = 0;

	memcpy(p, &nlh, sizeof nlh);
	memcpy(p + NLMSG_HDRLEN, &err, sizeof err);
	return nlh.nlmsg_len;
}

static ssize_t deliver(struct msghdr *msg, const unsigned char *p, size_t n, uint32_t from)
{
	struct sockaddr_nl *sa = msg->msg_name;
	size_t room = msg->msg_iov[0].iov_len;

	FUZZ_CHECK(msg->msg_iovlen == 1 && sa && msg->msg_namelen >= sizeof *sa);
	memset(sa, 0, sizeof *sa);
	sa->nl_family = AF_NETLINK;
	sa->nl_pid = from;
	msg->msg_namelen = sizeof *sa;
	memcpy(msg->msg_iov[0].iov_base, p, n < room ? n : room);
	if (from == 0)
		fk.datagrams++;
	return (ssize_t)n; /* MSG_TRUNC: the datagram's own length */
}

ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags)
{
	uint8_t op, arg;
	uint16_t len;

	FUZZ_CHECK(fd == FAKE_FD);
	FUZZ_CHECK(fk.open_sockets == 1);
	FUZZ_CHECK(flags & MSG_TRUNC);
	FUZZ_CHECK(++fk.recvs <= MAX_RECVS);
	for (;;) {
		if (take(&op, 1) < 0)
			return deliver(msg, fk.out, done_message(fk.out), 0);
		switch (op % 8) {
		case 0:
		case 1:
		case 5:
			if (take(&len, sizeof len) < 0)
				len = 0;
			if (len > fk.left)
				len = (uint16_t)fk.left;
			take(fk.out, len);
			if (op % 8 != 0)
				stamp(fk.out, len);
			return deliver(msg, fk.out, len, op % 8 == 5 ? 4343u : 0u);
		case 2:
			errno = EINTR;
			return -1;
		case 3:
			errno = ENOBUFS;
			return -1;
		case 4:
			errno = take(&arg, 1) == 0 && arg ? arg : EIO;
			return -1;
		case 6:
			/* Nothing is copied beyond the buffer; only the length says
			 * the reply was longer. */
			deliver(msg, fk.out, 0, 0);
			return (ssize_t)msg->msg_iov[0].iov_len + 1;
		case 7:
			fk.send_errno = take(&arg, 1) == 0 && arg ? arg : EINTR;
			continue; /* not a reply: read the next operation */
		}
	}
}

/* ---- the target ---- */

#define MAX_KEPT 1024

struct seen {
	uint32_t stop_after;
	uint32_t records;
	unsigned datagram;            /* fk.datagrams when cur was filled */
	size_t ncur, nprev;
	uint64_t cur[MAX_KEPT], prev[MAX_KEPT];
};

static int contains(const uint64_t *set, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == v)
			return 1;
	return 0;
}

static int on_record(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct seen *w = ctx;

	fuzz_check_record(s, FUZZ_DECODER_BITS);
	FUZZ_CHECK(owner_key == s->inode);
	if (fk.datagrams != w->datagram) {
		/* A new datagram: the last one's become the previous set
		 * (or nothing, if datagrams went by without a record). */
		if (fk.datagrams == w->datagram + 1) {
			memcpy(w->prev, w->cur, w->ncur * sizeof *w->cur);
			w->nprev = w->ncur;
		} else {
			w->nprev = 0;
		}
		w->ncur = 0;
		w->datagram = fk.datagrams;
	}
	if ((s->valid & SOCKSTATE_HAS_COOKIE) && s->cookie) {
		FUZZ_CHECK(!contains(w->cur, w->ncur, s->cookie));
		FUZZ_CHECK(!contains(w->prev, w->nprev, s->cookie));
		if (w->ncur < MAX_KEPT)
			w->cur[w->ncur++] = s->cookie;
	}
	w->records++;
	if (w->stop_after && w->records == w->stop_after)
		return STOP_VALUE;
	return 0;
}

static sockstate_handle *handle(void)
{
	static sockstate_handle *h;
	/* Only for error details: the /proc backend opens no netlink. */
	sockstate_options o = {.size = sizeof o, .backend = "linux-proc"};

	if (!h && sockstate_open(&h, &o) != 0) {
		fprintf(stderr, "fuzz_diag_dump: sockstate_open: %s\n", sockstate_errdetail(NULL));
		abort();
	}
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sockstate_handle *h = handle();
	sockstate__diag_request req = {.states = 0xfff};
	sockstate__diag_io io;
	uint8_t first = size ? data[0] : 0;

	memset(&fk, 0, sizeof fk);
	fk.in = data + (size ? 1 : 0);
	fk.left = size ? size - 1 : 0;
	memset(&io, 0, sizeof io);
	io.buf = malloc(FAKE_BUF_CAP);
	if (!io.buf)
		abort();
	io.cap = FAKE_BUF_CAP;
	req.family = (first & 1) ? AF_INET6 : AF_INET;
	if (first & 2)
		req.ext = 1u << (INET_DIAG_INFO - 1);

	for (int dump = 0; dump < 2; dump++) {
		static struct seen w;
		int rc;

		memset(&w, 0, sizeof w);
		w.stop_after = first >> 2;
		fk.datagrams = 0;
		rc = sockstate__diag_dump(&io, h, &req, on_record, &w);
		FUZZ_CHECK(rc <= 0 || rc == STOP_VALUE);
		if (rc == STOP_VALUE)
			FUZZ_CHECK(w.records == w.stop_after);
		if (rc < 0) {
			FUZZ_CHECK(strcmp(sockstate_errname(rc), "SOCKSTATE_UNKNOWN") != 0);
			FUZZ_CHECK(sockstate_errdetail(h)[0] != '\0');
		}
		/* Open, or closed and forgotten: never a half state. */
		FUZZ_CHECK(fk.open_sockets == (io.main.nl != NULL));
	}
	sockstate__diag_io_close(&io);
	FUZZ_CHECK(fk.open_sockets == 0);
	return 0;
}
