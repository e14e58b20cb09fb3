/* dispatch.c - one command line, run: parse it, run the subcommand, map
 * the outcome to an exit code. Every failure is one line on stderr.
 * `sockstate` (main.c) and `python -m sockstate` both come through
 * cli_main. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int write_stdout(const char *text, struct cli_error *e)
{
	struct cli_output out;
	int rc;

	if (cli_output_open(&out, NULL, e) != CLI_EXIT_OK)
		return CLI_EXIT_OS;
	rc = cli_output_write(&out, text, strlen(text));
	if (rc != SOCKSTATE_OK) {
		cli_output_write_error(&out, rc, e);
		cli_output_abort(&out);
		return CLI_EXIT_OS;
	}
	return cli_output_commit(&out, e);
}

/* The whole --help, or one subcommand's (help SUBCOMMAND, SUBCOMMAND
 * --help). */
static int run_help(const struct cli_program *prog, enum cli_command topic,
                    struct cli_error *e)
{
	char *text = topic == CLI_CMD_NONE ? cli_help_render(prog)
	                                   : cli_help_render_command(prog, topic);
	int code;

	if (text == NULL) {
		cli_error_set(e, "--help: out of memory");
		return CLI_EXIT_OS;
	}
	code = write_stdout(text, e);
	free(text);
	return code;
}

static int run_version(const struct cli_program *prog, struct cli_error *e)
{
	char line[512];
	size_t len;
	const char *const *b = sockstate_backends();

	len = (size_t)snprintf(line, sizeof line, "sockstate %s (libsockstate %s; "
	                       "backends:", prog->version,
	                       sockstate_version());
	for (size_t i = 0; b != NULL && b[i] != NULL && len < sizeof line; i++)
		len += (size_t)snprintf(line + len, sizeof line - len, "%s %s",
		                        i ? "," : "", b[i]);
	if (len < sizeof line)
		snprintf(line + len, sizeof line - len, ")\n");
	else
		memcpy(line + sizeof line - 3, ")\n", 3);
	return write_stdout(line, e);
}

static int report(int code, const struct cli_error *e)
{
	if (code != CLI_EXIT_OK)
		cli_say(e->msg);
	return code;
}

static int run(const struct cli_args *a, const struct cli_program *prog,
               struct cli_error *e)
{
	switch (a->action) {
	case CLI_ACTION_HELP:
		return run_help(prog, a->help_topic, e);
	case CLI_ACTION_VERSION:
		return run_version(prog, e);
	case CLI_ACTION_RUN:
		break;
	}
	switch (a->cmd) {
	case CLI_CMD_SUMMARY:
		return cli_summary(a, e);
	case CLI_CMD_EXPLAIN:
		return cli_explain(a, e);
	case CLI_CMD_WAIT:
		return cli_wait(a, e);
	case CLI_CMD_WATCH:
		return cli_watch(a, e);
	case CLI_CMD_TRACE:
		return cli_trace(a, e);
	case CLI_CMD_COUNTERS:
		return cli_counters(a, e);
	case CLI_CMD_DIAGNOSE:
		return cli_diagnose(a, e);
	case CLI_CMD_HELP:
		return run_help(prog, a->help_topic, e);
	case CLI_CMD_REPORT:
		cli_error_set(e, "report: run by the Python package itself");
		return CLI_EXIT_USAGE;
	case CLI_CMD_LIST:
	case CLI_CMD_SNAPSHOT:
	case CLI_CMD_NONE:
	default:
		return cli_list(a, e);
	}
}

int cli_main(int argc, char **argv, const struct cli_program *prog)
{
	struct cli_args a;
	struct cli_error e;
	int code;

	cli_std_streams_check();
	code = cli_parse(argc, argv, prog, &a, &e);
	if (code == CLI_EXIT_OK)
		code = run(&a, prog, &e);
	/* watch writes through stdio; the caller may go on (Python). */
	fflush(stdout);
	return report(code, &e);
}
