/* bench_floor.c - the floor under any sock_diag listing: dump every TCP
 * socket (IPv4, then IPv6) and only count the messages.
 *
 *   bench_floor [--repeat R] [--port P | --reject-all] [--one-walk]
 *               [--bufsize BYTES]
 *
 * Asks for the states a default sockstate query asks for (kernel bits
 * 1-12, as `ss -a` does), with nothing but the socket message itself
 * (idiag_ext 0), and walks the reply's message headers without decoding a
 * payload. --port P adds the kernel filter "local or remote port is P"
 * (the condition sockstate pushes down for --port), so a filtered query
 * has its floor too. One netlink socket and one receive buffer serve
 * every repetition (a long-running caller's view); --bufsize is the
 * buffer recvmsg gets (the kernel fills at most about 32 KiB per
 * datagram).
 *
 * Two diagnostics, to see where the kernel's time goes: --reject-all
 * sends a filter that refuses every socket (the walk of the socket tables
 * alone, no message built); --one-walk asks for both families in one dump
 * through the older TCPDIAG_GETSOCK request (struct inet_diag_req), which
 * the kernel serves with family AF_UNSPEC: one walk of the established
 * table instead of one per family.
 *
 * Prints one JSON line: sockets counted (by the last repetition), the
 * median and minimum wall seconds and the median CPU seconds of one dump
 * of both families (with --repeat > 1, after one untimed dump that warms
 * the buffer), every repetition's times, and the process's peak RSS. Exit 0, 1 on a
 * netlink failure (one line on stderr), 2 on bad usage. Not a test:
 * tests/bench/run.py runs it beside the library and the OS's tools. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bench_util.h"

/* Kernel TCP states 1 (ESTABLISHED) to 12 (NEW_SYN_RECV). */
#define DEFAULT_KERNEL_STATES 0x1ffeu
#define MAX_REPEAT 1000

struct floor_opts {
	int repeat;
	int port;            /* -1: no filter */
	int reject_all;
	int one_walk;
	size_t bufsize;
};

/* The request's filter: none, a port, or refuse everything. */
struct floor_filter {
	int port;
	int reject_all;
};

/* "sport == P || dport == P" in inet_diag bytecode, laid out so every
 * `yes` steps to the next op and every `no` jumps forward to an op
 * boundary, the end (accept) or the end + 4 (reject), as the kernel's
 * audit wants:
 *    0 S_GE P   no -> 20        8 S_LE P   no -> 20
 *   16 JMP      -> 36 (accept)
 *   20 D_GE P   no -> 40       28 D_LE P   no -> 40
 *   36 end */
static size_t port_bytecode(struct inet_diag_bc_op *ops, uint16_t port)
{
	const struct inet_diag_bc_op prog[] = {
		{INET_DIAG_BC_S_GE, 8, 20}, {0, 0, port},
		{INET_DIAG_BC_S_LE, 8, 12}, {0, 0, port},
		{INET_DIAG_BC_JMP, 4, 20},
		{INET_DIAG_BC_D_GE, 8, 20}, {0, 0, port},
		{INET_DIAG_BC_D_LE, 8, 12}, {0, 0, port},
	};

	memcpy(ops, prog, sizeof prog);
	return sizeof prog;
}

/* family AF_UNSPEC: one TCPDIAG_GETSOCK dump of both families. */
static int dump_send(struct mnl_socket *nl, uint8_t family, uint32_t seq,
                     const struct floor_filter *f)
{
	uint32_t words[64];
	struct nlmsghdr *nlh;

	memset(words, 0, sizeof words);
	nlh = mnl_nlmsg_put_header(words);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (family == AF_UNSPEC) {
		struct inet_diag_req *req = mnl_nlmsg_put_extra_header(nlh, sizeof *req);

		nlh->nlmsg_type = TCPDIAG_GETSOCK;
		req->idiag_family = AF_INET;
		req->idiag_states = DEFAULT_KERNEL_STATES;
	} else {
		struct inet_diag_req_v2 *req = mnl_nlmsg_put_extra_header(nlh, sizeof *req);

		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		req->sdiag_family = family;
		req->sdiag_protocol = IPPROTO_TCP;
		req->idiag_states = DEFAULT_KERNEL_STATES;
	}
	if (f->port >= 0) {
		struct inet_diag_bc_op ops[16];
		size_t len = port_bytecode(ops, (uint16_t)f->port);

		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, len, ops);
	} else if (f->reject_all) {
		/* One jump past the end + 4: every socket rejected. */
		const struct inet_diag_bc_op reject = {INET_DIAG_BC_JMP, 4, 8};

		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, sizeof reject, &reject);
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		fprintf(stderr, "bench_floor: sendto: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Messages of one dump until NLMSG_DONE; -1 on failure. */
static long dump_count(struct mnl_socket *nl, uint8_t family, uint32_t seq,
                       const struct floor_filter *f, unsigned char *buf, size_t bufsize)
{
	long count = 0;

	if (dump_send(nl, family, seq, f) < 0)
		return -1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, bufsize);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(void *)buf;
		int len = (int)n;

		if (n < 0) {
			fprintf(stderr, "bench_floor: recvfrom: %s\n", strerror(errno));
			return -1;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type == NLMSG_DONE)
				return count;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
				fprintf(stderr, "bench_floor: the kernel refused the dump: %s\n",
				        strerror(-e->error));
				return -1;
			}
			count++;
		}
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_floor [--repeat R] [--port P | --reject-all] "
	        "[--one-walk] [--bufsize BYTES]\n");
	return 2;
}

static int parse_opts(int argc, char **argv, struct floor_opts *o)
{
	o->repeat = 1;
	o->port = -1;
	o->reject_all = 0;
	o->one_walk = 0;
	o->bufsize = 32768;
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		long v;

		if (!strcmp(argv[i], "--reject-all")) {
			o->reject_all = 1;
			continue;
		}
		if (!strcmp(argv[i], "--one-walk")) {
			o->one_walk = 1;
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		v = strtol(argv[i + 1], &end, 10);
		if (*argv[i + 1] == '\0' || *end != '\0')
			return -1;
		if (!strcmp(argv[i], "--repeat") && v >= 1 && v <= MAX_REPEAT)
			o->repeat = (int)v;
		else if (!strcmp(argv[i], "--port") && v >= 0 && v <= 65535)
			o->port = (int)v;
		else if (!strcmp(argv[i], "--bufsize") && v >= 8192 && v <= (1L << 24))
			o->bufsize = (size_t)v;
		else
			return -1;
		i++;
	}
	return o->reject_all && o->port >= 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	static double times[MAX_REPEAT], cpu[MAX_REPEAT], sorted[MAX_REPEAT];
	double median, min, cpu_median, cpu_min;
	struct floor_opts o;
	struct floor_filter f;
	struct mnl_socket *nl;
	unsigned char *buf;
	long sockets = 0;
	uint32_t seq = 0;

	if (parse_opts(argc, argv, &o) < 0)
		return usage();
	f.port = o.port;
	f.reject_all = o.reject_all;
	buf = malloc(o.bufsize);
	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!buf || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "bench_floor: netlink socket: %s\n", strerror(errno));
		return 1;
	}
	/* With repetitions, one untimed dump first (r = -1) warms the buffer
	 * and the socket, as a long-running caller has them; a single run is
	 * the whole program's work, for whole-process timing. */
	for (int r = o.repeat > 1 ? -1 : 0; r < o.repeat; r++) {
		double t0 = bench_now_s(), c0 = bench_cpu_s();
		long n;

		if (o.one_walk) {
			n = dump_count(nl, AF_UNSPEC, ++seq, &f, buf, o.bufsize);
		} else {
			n = dump_count(nl, AF_INET, ++seq, &f, buf, o.bufsize);
			if (n >= 0) {
				long v6 = dump_count(nl, AF_INET6, ++seq, &f, buf, o.bufsize);
				n = v6 < 0 ? -1 : n + v6;
			}
		}
		if (n < 0)
			return 1;
		if (r >= 0) {
			times[r] = bench_now_s() - t0;
			cpu[r] = bench_cpu_s() - c0;
		}
		sockets = n;
	}
	mnl_socket_close(nl);
	free(buf);
	bench_median(times, o.repeat, sorted, &median, &min);
	bench_median(cpu, o.repeat, sorted, &cpu_median, &cpu_min);
	printf("{\"program\": \"bench_floor\", \"sockets\": %ld, \"repeat\": %d, "
	       "\"median_s\": %.6f, \"min_s\": %.6f, \"cpu_median_s\": %.6f, "
	       "\"maxrss_kib\": %ld, \"seconds\": [",
	       sockets, o.repeat, median, min, cpu_median, bench_peak_rss_kib());
	for (int r = 0; r < o.repeat; r++)
		printf("%s%.6f", r ? ", " : "", times[r]);
	printf("], \"cpu_seconds\": [");
	for (int r = 0; r < o.repeat; r++)
		printf("%s%.6f", r ? ", " : "", cpu[r]);
	printf("]}\n");
	return 0;
}
