/* listing.c - the commands that run one query and write its result:
 * list (streamed through the library's writer, or a snapshot when
 * sorted; snapshot is list in JSON), summary (counts, or groups with
 * --by), and either in Prometheus format (the host's counts with the
 * per-port series of the ports named). */
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

/* What to write: a snapshot, or counts (or groups) with the facts of
 * their taking, the per-port counts of a Prometheus output, and what
 * the document carries besides (extras). */
struct emit {
	const struct cli_args *a;
	const sockstate_snapshot *snap;
	const sockstate_counts *counts;
	const sockstate_sysinfo *sys;
	const char *backend;
	sockstate_groups *groups;
	const sockstate_port_counts *ports;
	size_t nports;
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
	/* list --format prometheus is summary's output, counters included. */
	return a->cmd == CLI_CMD_SNAPSHOT || a->format == SOCKSTATE_FORMAT_PROMETHEUS;
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

static sockstate_write_opts write_opts(const struct emit *m)
{
	sockstate_write_opts wo;

	memset(&wo, 0, sizeof wo);
	wo.size = sizeof wo;
	wo.format = m->a->format;
	wo.flags = m->a->write_flags;
	wo.port = -1;
	wo.ports = m->ports;
	wo.nports = m->nports;
	if (m->extras && m->extras->have_counters)
		wo.tcp_counters = &m->extras->counters;
	if (m->extras)
		wo.diagnosis = m->extras->diagnosis;
	return wo;
}

static int emit_output(const struct emit *m, struct cli_error *e)
{
	sockstate_write_opts wo = write_opts(m);
	struct cli_output out;
	int code;
	int rc;

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

int cli_snapshot_take(sockstate_handle *const *h, size_t n, const sockstate_query *q,
                      sockstate_snapshot **snap, sockstate_handle **failed)
{
	sockstate_snapshot **parts;
	int rc = SOCKSTATE_OK;

	*failed = h[0];
	if (n == 1)
		return sockstate_snapshot_take(h[0], q, snap);
	parts = calloc(n, sizeof *parts);
	if (parts == NULL)
		return SOCKSTATE_ENOMEM;
	for (size_t i = 0; i < n && rc == SOCKSTATE_OK; i++) {
		*failed = h[i];
		rc = sockstate_snapshot_take(h[i], q, &parts[i]);
	}
	if (rc == SOCKSTATE_OK)
		rc = sockstate_snapshot_merge((const sockstate_snapshot *const *)parts, n,
		                              snap);
	for (size_t i = 0; i < n; i++)
		sockstate_snapshot_free(parts[i]);
	free(parts);
	return rc;
}

static int count_only(const struct cli_args *a, struct cli_error *e);

/* A listing held whole, to be sorted (--sort). */
static int list_sorted(const struct cli_args *a, const struct cli_handle_set *set,
                       double started, struct cli_error *e)
{
	sockstate_handle *h = NULL;
	sockstate_snapshot *snap = NULL;
	const char *what = "listing sockets";
	struct extras x;
	int code;
	int rc;

	rc = cli_snapshot_take(set->h, set->n, &a->query, &snap, &h);
	if (rc == SOCKSTATE_OK) {
		what = "sorting sockets";
		rc = sockstate_snapshot_sort(snap, a->sort);
	}
	say_verbose(a, h, snap != NULL ? snap->pid_source : sockstate_pid_source(h),
	            snap != NULL ? (unsigned long long)snap->count : 0, started);
	if (rc != SOCKSTATE_OK) {
		cli_library_error(e, what, rc, sockstate_errdetail(h));
		code = cli_query_exit_code(a, rc);
	} else {
		struct emit m = {a, snap, NULL, NULL, NULL, NULL, NULL, 0, &x};

		extras_read(a, set, &x);
		code = extras_finish(&x, emit_output(&m, e), e);
		extras_free(&x);
	}
	sockstate_snapshot_free(snap);
	return code;
}

/* The listing written as the sockets come (sockstate_writer_fill per
 * handle): memory does not grow with the number of sockets. A failure
 * after the first bytes leaves standard output incomplete (a file is not
 * replaced). */
static int list_streamed(const struct cli_args *a, const struct cli_handle_set *set,
                         double started, struct cli_error *e)
{
	struct extras x;
	struct emit m = {a, NULL, NULL, NULL, NULL, NULL, NULL, 0, &x};
	sockstate_write_opts wo;
	sockstate_handle *h = set->h[0];
	sockstate_writer *w = NULL;
	struct cli_output out;
	int code;
	int rc;

	extras_read(a, set, &x);
	wo = write_opts(&m);

	/* Namespaces: the column is there from the first row. */
	if (a->netns != NULL || a->all_netns)
		wo.flags |= SOCKSTATE_W_NETNS;
	code = cli_output_open(&out, a->output, e);
	if (code != CLI_EXIT_OK) {
		extras_free(&x);
		return code;
	}
	rc = sockstate_writer_new(&wo, NULL, cli_output_write, &out, &w);
	for (size_t i = 0; i < set->n && rc == SOCKSTATE_OK; i++) {
		h = set->h[i];
		rc = sockstate_writer_fill(w, h, &a->query);
	}
	if (rc == SOCKSTATE_OK)
		rc = sockstate_writer_end(w);
	say_verbose(a, h, sockstate_pid_source(h),
	            w != NULL ? (unsigned long long)sockstate_writer_count(w) : 0, started);
	sockstate_writer_free(w);
	if (rc == SOCKSTATE_OK) {
		code = extras_finish(&x, cli_output_commit(&out, e), e);
		extras_free(&x);
		return code;
	}
	extras_free(&x);
	if (out.saved_errno != 0)
		cli_output_write_error(&out, rc, e);
	else
		cli_library_error(e, "listing sockets", rc, sockstate_errdetail(h));
	cli_output_abort(&out);
	return out.saved_errno != 0 ? cli_exit_code(rc) : cli_query_exit_code(a, rc);
}

int cli_list(const struct cli_args *a, struct cli_error *e)
{
	double started = now_seconds();
	struct cli_handle_set set;
	int code;

	if (a->format == SOCKSTATE_FORMAT_PROMETHEUS)
		return count_only(a, e);
	code = cli_handles_open(a, &set, e);
	if (code != CLI_EXIT_OK)
		return code;
	if (a->sort != SOCKSTATE_SORT_NONE)
		code = list_sorted(a, &set, started, e);
	else
		code = list_streamed(a, &set, started, e);
	code = cli_handles_finish(&set, code, e);
	cli_handles_close(&set);
	return code;
}

/* What a count is made of: per state (and family), and beside it the
 * groups of --by, or the per-port counts of a Prometheus output. */
struct tally {
	sockstate_counts counts;
	sockstate_groups *groups;
	sockstate_port_counts ports[SOCKSTATE_PORTS_MAX];
	size_t nports;
};

/* The counts of every handle of the set, added up. A Prometheus output
 * counts every state of both families, whatever the filters (the parser
 * refuses them there): its series describe the whole host, with each
 * --port's own series counted in the same pass. */
static int count_all(const struct cli_args *a, const struct cli_handle_set *set,
                     struct tally *t, sockstate_handle **failed)
{
	sockstate_query host;
	int rc = SOCKSTATE_OK;

	memset(&t->counts, 0, sizeof t->counts);
	t->counts.size = sizeof t->counts;
	sockstate_query_init(&host);
	host.states = SOCKSTATE_STATES_ALL;
	for (size_t i = 0; i < set->n && rc == SOCKSTATE_OK; i++) {
		sockstate_counts one;

		*failed = set->h[i];
		if (t->groups != NULL) {
			rc = sockstate_groups_fill(set->h[i], &a->query, t->groups);
			continue;
		}
		if (a->format == SOCKSTATE_FORMAT_PROMETHEUS) {
			rc = sockstate_count_ports(set->h[i], &host, &t->counts, t->ports,
			                           t->nports);
			continue;
		}
		rc = sockstate_count(set->h[i], &a->query, &one);
		if (rc == SOCKSTATE_OK)
			sockstate_counts_merge(&t->counts, &one);
	}
	if (rc == SOCKSTATE_OK && t->groups != NULL)
		t->counts = *sockstate_groups_totals(t->groups);
	return rc;
}

static int count_only(const struct cli_args *a, struct cli_error *e)
{
	double started = now_seconds();
	struct cli_handle_set set;
	sockstate_handle *h = NULL;
	struct tally t;
	sockstate_sysinfo sys;
	int code;
	int rc = SOCKSTATE_OK;

	code = cli_handles_open(a, &set, e);
	if (code != CLI_EXIT_OK)
		return code;
	h = set.h[0];
	memset(&t, 0, sizeof t);
	if (a->format == SOCKSTATE_FORMAT_PROMETHEUS) {
		for (; t.nports < a->nports; t.nports++) {
			t.ports[t.nports].size = sizeof t.ports[t.nports];
			t.ports[t.nports].port = a->ports[t.nports];
		}
	}
	if (a->group_keys != 0)
		rc = sockstate_groups_new(a->group_keys, &t.groups);
	if (rc == SOCKSTATE_OK)
		rc = count_all(a, &set, &t, &h);
	say_verbose(a, h, sockstate_pid_source(h),
	            rc == SOCKSTATE_OK ? (unsigned long long)t.counts.total : 0,
	            started);
	if (rc != SOCKSTATE_OK) {
		cli_library_error(e, "counting sockets", rc, sockstate_errdetail(h));
		code = cli_query_exit_code(a, rc);
	} else {
		struct extras x;
		struct emit m = {a, NULL, &t.counts, &sys, sockstate_backend(h), t.groups,
		                 t.ports, t.nports, &x};

		sockstate_sysinfo_get(&sys);
		extras_read(a, &set, &x);
		code = extras_finish(&x, emit_output(&m, e), e);
		extras_free(&x);
	}
	sockstate_groups_free(t.groups);
	code = cli_handles_finish(&set, code, e);
	cli_handles_close(&set);
	return code;
}

/* summary, and list in Prometheus format, which is the same counts. */
int cli_summary(const struct cli_args *a, struct cli_error *e)
{
	return count_only(a, e);
}
