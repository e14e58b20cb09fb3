/* check_lossless.c - under a bounded churn (tests/trace/churn.c: 60,000
 * connections from four threads in a second process, in a private
 * network namespace), the bpf source reports exactly as many connects as
 * the churn made, or says how many events it lost. The reader reads as a
 * program would, on its own thread of control, while the churn runs.
 * Exit 0 passed, 1 failed, 77 skipped (not root, or no BPF here). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sockstate.h"
#include "churn.h"
#include "../unit/lo_up.h"

#define PORT 7100
#define CONNECTIONS 60000
#define THREADS 4
#define QUIET_READS 4

int main(void)
{
	sockstate_trace_options o;
	struct churn_result made;
	sockstate_handle *h = NULL;
	sockstate_trace *t = NULL;
	sockstate_query q;
	uint64_t connects = 0, events = 0, lost = 0;
	int fds[2], status, quiet = 0, rc;
	pid_t churner;

	if (unshare(CLONE_NEWNET) != 0 || lo_up() != 0) {
		printf("check_lossless: skipped: no private network namespace (needs root)\n");
		return 77;
	}
	if (sockstate_open(&h, NULL) < 0)
		return 1;
	sockstate_query_init(&q);
	q.port = PORT;
	sockstate_trace_options_init(&o);
	o.source = SOCKSTATE_TRACE_BPF;
	if (sockstate_trace_open(h, &q, &o, &t) < 0) {
		printf("check_lossless: skipped: %s\n", sockstate_errdetail(h));
		sockstate_close(h);
		return 77;
	}
	if (pipe(fds) != 0)
		return 1;
	fflush(NULL);
	churner = fork();
	if (churner < 0)
		return 1;
	if (churner == 0) {
		close(fds[0]);
		rc = churn_run(PORT, CONNECTIONS, THREADS, &made);
		if (write(fds[1], &made, sizeof made) != (ssize_t)sizeof made)
			_exit(2);
		_exit(rc == 0 ? 0 : 1);
	}
	close(fds[1]);
	/* Read while the churn runs, then until the ring stays empty. */
	for (;;) {
		sockstate_event ev;

		rc = sockstate_trace_read(t, &ev, 250);
		if (rc < 0) {
			printf("check_lossless: read: %s: %s\n", sockstate_strerror(rc),
			       sockstate_errdetail(h));
			kill(churner, SIGKILL);
			waitpid(churner, &status, 0);
			return 1;
		}
		if (rc == 0) {
			if (waitpid(churner, &status, WNOHANG) == churner || quiet > 0)
				quiet++;
			if (quiet >= QUIET_READS)
				break;
			continue;
		}
		if (ev.kind == SOCKSTATE_EVENT_LOST) {
			lost += ev.lost;
			continue;
		}
		events++;
		if (ev.old_state == SOCKSTATE_CLOSED && ev.new_state == SOCKSTATE_SYN_SENT &&
		    ev.remote.port == PORT)
			connects++;
	}
	if (read(fds[0], &made, sizeof made) != (ssize_t)sizeof made ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("check_lossless: the churn failed\n");
		return 1;
	}
	printf("check_lossless: the churn made %llu connections (%llu failed) in %.2f s "
	       "(%.0f/s); the trace read %llu events, %llu connects, lost %llu\n",
	       (unsigned long long)made.made, (unsigned long long)made.failed, made.seconds,
	       (double)made.made / made.seconds, (unsigned long long)events,
	       (unsigned long long)connects, (unsigned long long)lost);
	sockstate_trace_close(t);
	sockstate_close(h);
	if (made.failed != 0 || made.made != CONNECTIONS / THREADS * THREADS) {
		printf("check_lossless: FAILED: the churn did not make every connection\n0 passed, 1 failed\n");
		return 1;
	}
	if (lost == 0 ? connects == made.made
	              : connects < made.made && connects + lost >= made.made) {
		printf("check_lossless: %s\n1 passed, 0 failed\n",
		       lost ? "events were lost, and the trace said how many"
		            : "every connect reported, nothing lost");
		return 0;
	}
	printf("check_lossless: FAILED: %llu connects reported for %llu made, %llu lost\n"
	       "0 passed, 1 failed\n", (unsigned long long)connects,
	       (unsigned long long)made.made, (unsigned long long)lost);
	return 1;
}
