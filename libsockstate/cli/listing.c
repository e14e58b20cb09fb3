/* listing.c - the commands that run one query and write its result:
 * list (a snapshot; snapshot is list in JSON) and summary (counts, or
 * groups with --by). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static double now_seconds(void)
{
#ifdef TIME_UTC
	struct timespec ts;

	if (timespec_get(&ts, TIME_UTC) == 0)
		return 0.0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
#else
	/* Older C runtimes (MinGW's msvcrt) lack timespec_get; their clock()
	 * counts wall time since the process started, which is what we need. */
	return (double)clock() / CLOCKS_PER_SEC;
#endif
}

static void say_verbose(const struct cli_args *a, sockstate_handle *h,
                        const char *pid_source, unsigned long long sockets,
                        double started)
{
	if (!a->verbose)
		return;
	fprintf(stderr, "sockstate: backend %s, pid source %s, %llu sockets, "
	        "%.1f ms\n", sockstate_backend(h),
	        pid_source != NULL ? pid_source : "none", sockets,
	        (now_seconds() - started) * 1e3);
	/* Why that pid source (e.g. why not the BPF iterator), when asked. */
	if (pid_source != NULL && sockstate_pid_source_reason(h)[0] != '\0')
		fprintf(stderr, "sockstate: pid source %s: %s\n", pid_source,
		        sockstate_pid_source_reason(h));
}

static sockstate_write_opts write_opts(const struct cli_args *a)
{
	sockstate_write_opts wo;

	memset(&wo, 0, sizeof wo);
	wo.size = sizeof wo;
	wo.format = a->format;
	wo.flags = a->write_flags;
	wo.port = a->prometheus_port;
	return wo;
}

/* What to write: a snapshot, or counts (or groups) with the facts of
 * their taking, and what the document carries besides (extras). */
struct emit {
	const struct cli_args *a;
	const sockstate_snapshot *snap;
	const sockstate_counts *counts;
	const sockstate_sysinfo *sys;
	const char *backend;
	sockstate_groups *groups;
	const struct extras *extras;
};

/* What a document carries besides its sockets or counts: the TCP
 * counters (summary --format prometheus, python -m sockstate snapshot)
 * and the host-wide findings (snapshot, for the report). */
struct extras {
	sockstate_tcp_counters counters;
	int have_counters;
	sockstate_diagnosis *diagnosis;
	int partial;                /* one could not be had: exit 4 */
};

static int wants_counters(const struct cli_args *a)
{
	return a->cmd == CLI_CMD_SNAPSHOT ||
	       (a->cmd == CLI_CMD_SUMMARY && a->format == SOCKSTATE_FORMAT_PROMETHEUS);
}

/* Read the extras a's document carries from h (one handle: several
 * namespaces have no one set of counters). A backend that reads no
 * counters has none to give; any other failure is a line on stderr, and
 * the document is written without it (exit 4). */
static void extras_read(const struct cli_args *a, const struct cli_handle_set *set,
                        struct extras *x)
{
	sockstate_handle *h = set->h[0];
	struct cli_error e;
	int rc;

	memset(x, 0, sizeof *x);
	x->counters.size = sizeof x->counters;
	if (set->n != 1 || !wants_counters(a))
		return;
	rc = sockstate_tcp_counters_get(h, &x->counters);
	if (rc == SOCKSTATE_OK) {
		x->have_counters = 1;
	} else if (rc != SOCKSTATE_ENOTSUP) {
		cli_library_error(&e, "TCP counters left out", rc, sockstate_errdetail(h));
		cli_say(e.msg);
		x->partial = 1;
	}
	if (a->cmd != CLI_CMD_SNAPSHOT)
		return;
	{
		sockstate_diagnose_options o;

		sockstate_diagnose_options_init(&o);
		o.interval_ms = 0;
		rc = sockstate_diagnose(h, &o, &x->diagnosis);
		if (rc != SOCKSTATE_OK) {
			cli_library_error(&e, "findings left out", rc, sockstate_errdetail(h));
			cli_say(e.msg);
			x->partial = 1;
		}
	}
}

static void extras_free(struct extras *x)
{
	sockstate_diagnosis_free(x->diagnosis);
	x->diagnosis = NULL;
}

/* A partial document (an extra left out) exits 4 once written. */
static int extras_finish(const struct extras *x, int code, struct cli_error *e)
{
	if (code != CLI_EXIT_OK || !x->partial)
		return code;
	cli_error_set(e, "partial result: the document was written without what "
	              "could not be read");
	return CLI_EXIT_PARTIAL;
}

static int emit_output(const struct emit *m, struct cli_error *e)
{
	sockstate_write_opts wo = write_opts(m->a);
	struct cli_output out;
	int code;
	int rc;

	if (m->extras && m->extras->have_counters)
		wo.tcp_counters = &m->extras->counters;
	if (m->extras)
		wo.diagnosis = m->extras->diagnosis;

	code = cli_output_open(&out, m->a->output, e);
	if (code != CLI_EXIT_OK)
		return code;
	if (m->snap != NULL)
		rc = sockstate_snapshot_write(m->snap, &wo, cli_output_write, &out);
	else if (m->groups != NULL)
		rc = sockstate_groups_write(m->groups, m->a->top, m->sys, m->backend, &wo,
		                            cli_output_write, &out);
	else
		rc = sockstate_counts_write(m->counts, m->sys, m->backend, &wo,
		                            cli_output_write, &out);
	if (rc != SOCKSTATE_OK) {
		cli_output_write_error(&out, rc, e);
		cli_output_abort(&out);
		return cli_exit_code(rc);
	}
	return cli_output_commit(&out, e);
}

/* One snapshot of every handle of the set (several namespaces merge into
 * one). On failure *failed is the handle whose detail explains it. */
static int take_snapshot(const struct cli_args *a, const struct cli_handle_set *set,
                         sockstate_snapshot **snap, sockstate_handle **failed)
{
	sockstate_snapshot **parts;
	int rc = SOCKSTATE_OK;

	*failed = set->h[0];
	if (set->n == 1)
		return sockstate_snapshot_take(set->h[0], &a->query, snap);
	parts = calloc(set->n, sizeof *parts);
	if (parts == NULL)
		return SOCKSTATE_ENOMEM;
	for (size_t i = 0; i < set->n && rc == SOCKSTATE_OK; i++) {
		*failed = set->h[i];
		rc = sockstate_snapshot_take(set->h[i], &a->query, &parts[i]);
	}
	if (rc == SOCKSTATE_OK)
		rc = sockstate_snapshot_merge((const sockstate_snapshot *const *)parts,
		                              set->n, snap);
	for (size_t i = 0; i < set->n; i++)
		sockstate_snapshot_free(parts[i]);
	free(parts);
	return rc;
}

int cli_list(const struct cli_args *a, struct cli_error *e)
{
	double started = now_seconds();
	struct cli_handle_set set;
	sockstate_handle *h = NULL;
	sockstate_snapshot *snap = NULL;
	const char *what = "listing sockets";
	struct extras x;
	int code;
	int rc;

	code = cli_handles_open(a, &set, e);
	if (code != CLI_EXIT_OK)
		return code;
	rc = take_snapshot(a, &set, &snap, &h);
	if (rc == SOCKSTATE_OK && a->sort != SOCKSTATE_SORT_NONE) {
		what = "sorting sockets";
		rc = sockstate_snapshot_sort(snap, a->sort);
	}
	say_verbose(a, h, snap != NULL ? snap->pid_source : sockstate_pid_source(h),
	            snap != NULL ? (unsigned long long)snap->count : 0, started);
	if (rc != SOCKSTATE_OK) {
		cli_library_error(e, what, rc, sockstate_errdetail(h));
		code = cli_exit_code(rc);
	} else {
		struct emit m = {a, snap, NULL, NULL, NULL, NULL, &x};

		extras_read(a, &set, &x);
		code = extras_finish(&x, emit_output(&m, e), e);
		extras_free(&x);
	}
	sockstate_snapshot_free(snap);
	code = cli_handles_finish(&set, code, e);
	cli_handles_close(&set);
	return code;
}

/* Counts, or groups with --by, over every handle of the set. */
static int count_all(const struct cli_args *a, const struct cli_handle_set *set,
                     sockstate_counts *counts, sockstate_groups *groups,
                     sockstate_handle **failed)
{
	int rc = SOCKSTATE_OK;

	memset(counts, 0, sizeof *counts);
	counts->size = sizeof *counts;
	for (size_t i = 0; i < set->n && rc == SOCKSTATE_OK; i++) {
		sockstate_counts one;

		*failed = set->h[i];
		if (groups != NULL) {
			rc = sockstate_groups_fill(set->h[i], &a->query, groups);
			continue;
		}
		rc = sockstate_count(set->h[i], &a->query, &one);
		if (rc == SOCKSTATE_OK)
			sockstate_counts_merge(counts, &one);
	}
	if (rc == SOCKSTATE_OK && groups != NULL)
		*counts = *sockstate_groups_totals(groups);
	return rc;
}

static int count_only(const struct cli_args *a, struct cli_error *e)
{
	double started = now_seconds();
	struct cli_handle_set set;
	sockstate_handle *h = NULL;
	sockstate_groups *groups = NULL;
	sockstate_counts counts;
	sockstate_sysinfo sys;
	int code;
	int rc = SOCKSTATE_OK;

	code = cli_handles_open(a, &set, e);
	if (code != CLI_EXIT_OK)
		return code;
	h = set.h[0];
	if (a->group_keys != 0)
		rc = sockstate_groups_new(a->group_keys, &groups);
	if (rc == SOCKSTATE_OK)
		rc = count_all(a, &set, &counts, groups, &h);
	say_verbose(a, h, sockstate_pid_source(h),
	            rc == SOCKSTATE_OK ? (unsigned long long)counts.total : 0,
	            started);
	if (rc != SOCKSTATE_OK) {
		cli_library_error(e, "counting sockets", rc, sockstate_errdetail(h));
		code = cli_exit_code(rc);
	} else {
		struct extras x;
		struct emit m = {a, NULL, &counts, &sys, sockstate_backend(h), groups, &x};

		sockstate_sysinfo_get(&sys);
		extras_read(a, &set, &x);
		code = extras_finish(&x, emit_output(&m, e), e);
		extras_free(&x);
	}
	sockstate_groups_free(groups);
	code = cli_handles_finish(&set, code, e);
	cli_handles_close(&set);
	return code;
}

int cli_summary(const struct cli_args *a, struct cli_error *e)
{
	/* The per-port series needs the records of that port (few, as
	 * --port also filters); every other summary keeps none. */
	if (a->format == SOCKSTATE_FORMAT_PROMETHEUS && a->prometheus_port >= 0)
		return cli_list(a, e);
	return count_only(a, e);
}
