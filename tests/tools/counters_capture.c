/* counters_capture.c - save /proc/net/snmp and /proc/net/netstat as the
 * library reads them, as test fixtures, and print what it decoded.
 *
 * Not built by default (a developer tool). Build it against the library:
 *   cc -std=c11 -Ilibsockstate/include tests/tools/counters_capture.c \
 *      -Lbuild -lsockstate -o /tmp/counters_capture
 * Run it where the counters to capture live:
 *   counters_capture DIR [NETNS]
 * The handle's capture directory is DIR, so the files land in
 * DIR/proc_net_snmp.txt and DIR/proc_net_netstat.txt; NETNS (a name under
 * /run/netns, a path or pid:PID) reads another namespace's. It prints one
 * counter a line, "name value native" ("-" when unknown): the lines of
 * the fixture's .expect file. */
#include <stdio.h>

#include "sockstate.h"

int main(int argc, char **argv)
{
	sockstate_options opts = {.size = sizeof opts};
	sockstate_tcp_counters c = {.size = sizeof c};
	sockstate_handle *h;
	int rc;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: counters_capture DIR [NETNS]\n");
		return 2;
	}
	opts.capture_dir = argv[1];
	opts.netns = argc > 2 ? argv[2] : NULL;
	if (sockstate_open(&h, &opts) != 0) {
		fprintf(stderr, "counters_capture: %s\n", sockstate_errdetail(NULL));
		return 3;
	}
	rc = sockstate_tcp_counters_get(h, &c);
	if (rc != 0) {
		fprintf(stderr, "counters_capture: %s: %s\n", sockstate_strerror(rc),
		        sockstate_errdetail(h));
		sockstate_close(h);
		return 3;
	}
	for (int k = 0; k < SOCKSTATE_COUNTER_COUNT; k++) {
		if (c.valid & SOCKSTATE_COUNTER_BIT(k))
			printf("%s %llu %s\n", sockstate_counter_name(k),
			       (unsigned long long)c.value[k], c.native[k]);
		else
			printf("%s - -\n", sockstate_counter_name(k));
	}
	sockstate_close(h);
	return 0;
}
