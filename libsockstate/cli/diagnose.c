/* diagnose.c - `sockstate counters` (the kernel's TCP counters through
 * the library's writer) and `sockstate diagnose` (the library's findings
 * through its writer; exit 1 when one is a warning or worse). The
 * decisions are the library's (sockstate_diagnose): this file only
 * turns the command line into options and writes the result. */
#include <string.h>

#include "cli.h"

/* Write through the output a writer that fills it; the exit code. */
static int write_with(const struct cli_args *a, struct cli_error *e,
                      int (*write)(const void *what, const sockstate_write_opts *o,
                                   struct cli_output *out),
                      const void *what)
{
	sockstate_write_opts wo;
	struct cli_output out;
	int code = cli_output_open(&out, a->output, e);
	int rc;

	if (code != CLI_EXIT_OK)
		return code;
	memset(&wo, 0, sizeof wo);
	wo.size = sizeof wo;
	wo.format = a->format;
	wo.flags = a->write_flags;
	wo.port = -1;
	rc = write(what, &wo, &out);
	if (rc != SOCKSTATE_OK) {
		cli_output_write_error(&out, rc, e);
		cli_output_abort(&out);
		return cli_exit_code(rc);
	}
	return cli_output_commit(&out, e);
}

struct counters_doc {
	const sockstate_tcp_counters *c;
	const sockstate_sysinfo *sys;
	const char *backend;
};

static int write_counters(const void *what, const sockstate_write_opts *o,
                          struct cli_output *out)
{
	const struct counters_doc *d = what;

	return sockstate_tcp_counters_write(d->c, d->sys, d->backend, o, cli_output_write, out);
}

int cli_counters(const struct cli_args *a, struct cli_error *e)
{
	struct cli_handle_set set;
	sockstate_tcp_counters c;
	sockstate_sysinfo sys;
	int code = cli_handles_open(a, &set, e);
	int rc;

	if (code != CLI_EXIT_OK)
		return code;
	memset(&c, 0, sizeof c);
	c.size = sizeof c;
	rc = sockstate_tcp_counters_get(set.h[0], &c);
	if (rc != SOCKSTATE_OK) {
		cli_library_error(e, "reading the TCP counters", rc, sockstate_errdetail(set.h[0]));
		code = cli_exit_code(rc);
	} else {
		struct counters_doc d = {&c, &sys, sockstate_backend(set.h[0])};

		sockstate_sysinfo_get(&sys);
		code = write_with(a, e, write_counters, &d);
	}
	cli_handles_close(&set);
	return code;
}

static int write_diagnosis(const void *what, const sockstate_write_opts *o,
                           struct cli_output *out)
{
	return sockstate_diagnosis_write(what, o, cli_output_write, out);
}

static uint32_t milliseconds(double seconds)
{
	return (uint32_t)(seconds * 1000.0 + 0.5);
}

/* The line on stderr that says why the exit status is 1. */
static void say_found(const sockstate_diagnosis *d, struct cli_error *e)
{
	size_t by[SOCKSTATE_SEVERITY_CRITICAL + 1] = {0};

	for (size_t i = 0; i < d->count; i++)
		if (d->findings[i].severity <= SOCKSTATE_SEVERITY_CRITICAL)
			by[d->findings[i].severity]++;
	cli_error_set(e, "diagnose: %zu critical, %zu warning, %zu info",
	              by[SOCKSTATE_SEVERITY_CRITICAL], by[SOCKSTATE_SEVERITY_WARNING],
	              by[SOCKSTATE_SEVERITY_INFO]);
}

int cli_diagnose(const struct cli_args *a, struct cli_error *e)
{
	struct cli_handle_set set;
	sockstate_diagnose_options o;
	sockstate_diagnosis *d = NULL;
	int code = cli_handles_open(a, &set, e);
	int rc;

	if (code != CLI_EXIT_OK)
		return code;
	sockstate_diagnose_options_init(&o);
	o.port = a->query.port;
	if (a->query.addr.family) {
		o.addr_family = a->query.addr.family;
		memcpy(o.addr.addr, a->query.addr.addr, sizeof o.addr.addr);
	}
	if (a->to_family) {
		o.to_family = a->to_family;
		o.to = a->to;
	}
	if (a->probe)
		o.flags |= SOCKSTATE_DIAG_PROBE;
	o.interval_ms = milliseconds(a->interval);
	o.probe_timeout_ms = milliseconds(a->timeout);
	o.lang = cli_pick_language(a->lang);
	rc = sockstate_diagnose(set.h[0], &o, &d);
	if (rc != SOCKSTATE_OK) {
		cli_library_error(e, "diagnosing", rc, sockstate_errdetail(set.h[0]));
		code = cli_exit_code(rc);
	} else {
		code = write_with(a, e, write_diagnosis, d);
		if (code == CLI_EXIT_OK && sockstate_diagnosis_worst(d) >= SOCKSTATE_SEVERITY_WARNING) {
			say_found(d, e);
			code = CLI_EXIT_NOT_MET;
		}
	}
	sockstate_diagnosis_free(d);
	cli_handles_close(&set);
	return code;
}
