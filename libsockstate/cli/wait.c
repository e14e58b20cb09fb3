/* wait.c - `sockstate wait`: poll a listen or drain condition with one
 * kernel-filtered query per check until it holds (exit 0) or the timeout
 * passes (exit 1: the sockets still in the way on stdout, one line each,
 * the reason on stderr). Between checks the tool sleeps the interval; it
 * never spins. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* "2 sockets (ESTABLISHED 1, CLOSE_WAIT 1)" into buf. */
static void describe_blockers(const sockstate_snapshot *snap, char *buf, size_t len)
{
	uint64_t by_state[SOCKSTATE_STATE_COUNT] = {0};
	size_t used;
	int first = 1;

	for (size_t i = 0; i < snap->count; i++)
		if (snap->sockets[i].state < SOCKSTATE_STATE_COUNT)
			by_state[snap->sockets[i].state]++;
	used = (size_t)snprintf(buf, len, "%zu socket%s (", snap->count,
	                        snap->count == 1 ? "" : "s");
	for (int s = 0; s < SOCKSTATE_STATE_COUNT && used < len; s++) {
		if (!by_state[s])
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s %llu", first ? "" : ", ",
		                         sockstate_state_name((sockstate_state)s),
		                         (unsigned long long)by_state[s]);
		first = 0;
	}
	if (used < len)
		snprintf(buf + used, len - used, ")");
}

static int write_blockers(const struct cli_args *a, const sockstate_snapshot *snap,
                          struct cli_error *e)
{
	sockstate_write_opts wo;
	struct cli_output out;
	int code = cli_output_open(&out, NULL, e);
	int rc;

	if (code != CLI_EXIT_OK)
		return code;
	memset(&wo, 0, sizeof wo);
	wo.size = sizeof wo;
	wo.format = SOCKSTATE_FORMAT_TABLE;
	wo.flags = a->write_flags;
	wo.port = -1;
	rc = sockstate_snapshot_write(snap, &wo, cli_output_write, &out);
	if (rc != SOCKSTATE_OK) {
		cli_output_write_error(&out, rc, e);
		cli_output_abort(&out);
		return cli_exit_code(rc);
	}
	return cli_output_commit(&out, e);
}

static int timed_out(const struct cli_args *a, sockstate_handle *h,
                     const sockstate_wait_cond *cond, struct cli_error *e)
{
	sockstate_snapshot *blockers = NULL;
	char what[256];
	int code;
	/* The last look lists what blocks; it may find the way clear. */
	int rc = sockstate_wait_check(h, cond, a->query.flags & SOCKSTATE_Q_PIDS, &blockers);

	if (rc < 0) {
		cli_library_error(e, "wait", rc, sockstate_errdetail(h));
		return cli_exit_code(rc);
	}
	if (rc == 1)
		return CLI_EXIT_OK;
	if (cond->kind == SOCKSTATE_WAIT_LISTEN) {
		sockstate_snapshot_free(blockers);
		cli_error_set(e, "wait: timed out after %gs: nothing listens on port %d",
		              a->timeout, (int)cond->port);
		return CLI_EXIT_NOT_MET;
	}
	describe_blockers(blockers, what, sizeof what);
	code = write_blockers(a, blockers, e);
	sockstate_snapshot_free(blockers);
	if (code != CLI_EXIT_OK)
		return code;
	cli_error_set(e, "wait: timed out after %gs: port %d is not drained: %s still "
	              "there", a->timeout, (int)cond->port, what);
	return CLI_EXIT_NOT_MET;
}

int cli_wait(const struct cli_args *a, struct cli_error *e)
{
	struct cli_handle_set set;
	sockstate_wait_cond cond = a->wait;
	sockstate_handle *h;
	double deadline;
	int code;

	code = cli_handles_open(a, &set, e);
	if (code != CLI_EXIT_OK)
		return code;
	h = set.h[0];
	cond.families = a->query.families;
	deadline = cli_monotonic() + a->timeout;
	for (;;) {
		int rc = sockstate_wait_check(h, &cond, 0, NULL);
		double now;

		if (rc < 0) {
			cli_library_error(e, "wait", rc, sockstate_errdetail(h));
			code = cli_exit_code(rc);
			break;
		}
		if (rc == 1) {
			code = CLI_EXIT_OK;
			break;
		}
		now = cli_monotonic();
		if (now >= deadline) {
			code = timed_out(a, h, &cond, e);
			break;
		}
		cli_sleep(deadline - now < a->interval ? deadline - now : a->interval);
	}
	code = cli_handles_finish(&set, code, e);
	cli_handles_close(&set);
	return code;
}
