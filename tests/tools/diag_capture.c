/* diag_capture.c - save raw NETLINK_SOCK_DIAG replies as test fixtures.
 *
 * Not built by default (a developer tool). Build it against the library:
 *   cc -std=c11 -Ilibsockstate/include tests/tools/diag_capture.c \
 *      -Lbuild -lsockstate -o /tmp/diag_capture
 * Run it where the sockets to capture live (a private namespace):
 *   diag_capture DIR [all] [info] [4|6]
 * ("all": BOUND too; "info": tcp_info; 4 or 6: one family only).
 * It lists every socket through the linux-netlink backend with the
 * handle's capture directory set to DIR, so each dump's datagrams land in
 * DIR/diag-<pid>-<seq>-<ipv4|ipv6>.bin, and prints what the library
 * decoded, one socket a line, for checking against `ss -tanei`. */
#include <stdio.h>
#include <string.h>

#include "sockstate.h"

static int print_one(const sockstate_socket *s, void *ctx)
{
	char local[64], remote[64];

	(void)ctx;
	sockstate_endpoint_format(s->family, &s->local, local, sizeof local);
	sockstate_endpoint_format(s->family, &s->remote, remote, sizeof remote);
	printf("%s %s %d/%s %s:%u %s:%u uid=%lld inode=%llu cookie=%llu if=%u\n",
	       s->family == SOCKSTATE_FAMILY_IPV4 ? "ipv4" : "ipv6",
	       sockstate_state_name(s->state), s->native_code, s->native_name, local,
	       s->local.port, remote, s->remote.port,
	       (s->valid & SOCKSTATE_HAS_UID) ? (long long)s->uid : -1LL,
	       (unsigned long long)s->inode, (unsigned long long)s->cookie, s->ifindex);
	return 0;
}

int main(int argc, char **argv)
{
	sockstate_options opts = {.size = sizeof opts, .backend = "linux-netlink"};
	sockstate_handle *h;
	sockstate_query q;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [all] [info] [4|6]\n", argv[0]);
		return 2;
	}
	opts.capture_dir = argv[1];
	rc = sockstate_open(&h, &opts);
	if (rc < 0) {
		fprintf(stderr, "sockstate_open: %s\n", sockstate_errdetail(NULL));
		return 3;
	}
	sockstate_query_init(&q);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "all"))
			q.states = SOCKSTATE_STATES_ALL;
		else if (!strcmp(argv[i], "info"))
			q.flags |= SOCKSTATE_Q_TCP_INFO;
		else if (sockstate_query_set(&q, "family", argv[i]) < 0) {
			fprintf(stderr, "%s: unknown word '%s'\n", argv[0], argv[i]);
			return 2;
		}
	}
	rc = sockstate_foreach(h, &q, print_one, NULL);
	if (rc < 0)
		fprintf(stderr, "sockstate_foreach: %s: %s\n", sockstate_strerror(rc),
		        sockstate_errdetail(h));
	sockstate_close(h);
	return rc < 0 ? 3 : 0;
}
