/* cli.h - the pieces of the `sockstate` command-line tool.
 *
 * The tool is a user of the public API only (sockstate.h). One table
 * (cli_spec.c) describes every subcommand, option, exit code and example:
 * the parser reads it and --help is rendered from it, so the two cannot
 * disagree and a man page can be generated from the same table later.
 */
#ifndef SOCKSTATE_CLI_H
#define SOCKSTATE_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "sockstate.h"

/* GCC's "printf" means the target's C library, which for MinGW is
 * msvcrt's (no %zu); our C11 code gets MinGW's C99 printf, whose formats
 * are gnu_printf's. Clang knows no gnu_printf. */
#if defined(__GNUC__) && !defined(__clang__)
#define CLI_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#elif defined(__GNUC__)
#define CLI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CLI_PRINTF(fmt, args)
#endif

/* Exit codes (DESIGN.md, "The command line"). */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_NOT_MET = 1,   /* a condition not met (wait, checks) */
	CLI_EXIT_USAGE = 2,     /* bad usage or bad input */
	CLI_EXIT_OS = 3,        /* the OS refused or failed */
	CLI_EXIT_PARTIAL = 4    /* partial result */
};

/* cli_exit_code - the exit code for a library result (0 or SOCKSTATE_E*).
 * The only mapping from library errors to exit codes. */
int cli_exit_code(int err);

struct cli_args;

/* cli_query_exit_code - cli_exit_code for the run of a command line's
 * query: with --replay, malformed data is the user's file (2), not the
 * OS failing. */
int cli_query_exit_code(const struct cli_args *a, int err);

enum cli_command {
	CLI_CMD_NONE = 0,
	CLI_CMD_LIST = 1,
	CLI_CMD_SUMMARY = 2,
	CLI_CMD_EXPLAIN = 3,
	CLI_CMD_WAIT = 4,
	CLI_CMD_WATCH = 5,
	CLI_CMD_SNAPSHOT = 6,   /* python -m sockstate only: list --format json */
	CLI_CMD_REPORT = 7,     /* python -m sockstate only, run by the package */
	CLI_CMD_HELP = 8,       /* help [SUBCOMMAND] */
	CLI_CMD_TRACE = 9,
	CLI_CMD_COUNTERS = 10,  /* the kernel's TCP counters */
	CLI_CMD_DIAGNOSE = 11   /* findings from states, counters, a probe */
};

#define CLI_IN(cmd) (1u << (unsigned)(cmd))
/* The commands that run one query and write its result. */
#define CLI_IN_QUERY \
	(CLI_IN(CLI_CMD_LIST) | CLI_IN(CLI_CMD_SUMMARY) | CLI_IN(CLI_CMD_SNAPSHOT))
/* Where the format options apply. */
#define CLI_IN_FORMAT (CLI_IN(CLI_CMD_LIST) | CLI_IN(CLI_CMD_SUMMARY) | CLI_IN(CLI_CMD_TRACE))
/* Where the socket filters apply: the queries, watch and trace. */
#define CLI_IN_FILTER (CLI_IN_QUERY | CLI_IN(CLI_CMD_WATCH) | CLI_IN(CLI_CMD_TRACE))
#define CLI_IN_ANY \
	(CLI_IN_QUERY | CLI_IN(CLI_CMD_EXPLAIN) | CLI_IN(CLI_CMD_WAIT) | \
	 CLI_IN(CLI_CMD_WATCH) | CLI_IN(CLI_CMD_HELP) | CLI_IN(CLI_CMD_TRACE) | \
	 CLI_IN(CLI_CMD_COUNTERS) | CLI_IN(CLI_CMD_DIAGNOSE))
/* The commands that ask one handle for something else than a listing. */
#define CLI_IN_HANDLE (CLI_IN(CLI_CMD_COUNTERS) | CLI_IN(CLI_CMD_DIAGNOSE))

/* Which program runs the command line: the `sockstate` tool, or the
 * Python package's `python -m sockstate`, which offers two subcommands
 * more (snapshot, run here; report, run by the package itself). One
 * parser, one --help, one set of messages serve both. */
enum cli_program_id {
	CLI_PROG_TOOL = 1u << 0,
	CLI_PROG_PYTHON = 1u << 1,
	CLI_PROG_ALL = CLI_PROG_TOOL | CLI_PROG_PYTHON
};

struct cli_program {
	enum cli_program_id id;
	const char *name;       /* as messages and --help spell it */
	const char *version;    /* the program's own version */
};

extern const struct cli_program cli_program_tool;
extern const struct cli_program cli_program_python;

/* cli_main - run one command line (argv[0] is ignored) as prog, writing
 * to file descriptors 1 and 2, and return the exit code (never exits).
 * What `main` runs, and what the Python package runs in-process. */
int cli_main(int argc, char **argv, const struct cli_program *prog);

/* cli_subcommand_at - the index in argv of the word that names the
 * subcommand (the first positional word, options' values skipped as the
 * parser skips them), or -1 when there is none. The Python package asks
 * it to find `report`, which it runs itself. */
int cli_subcommand_at(int argc, char **argv);

enum cli_option_id {
	CLI_OPT_STATE,
	CLI_OPT_PORT,
	CLI_OPT_SPORT,
	CLI_OPT_DPORT,
	CLI_OPT_ADDR,
	CLI_OPT_SADDR,
	CLI_OPT_DADDR,
	CLI_OPT_OR,
	CLI_OPT_PID,
	CLI_OPT_UID,
	CLI_OPT_IPV4,
	CLI_OPT_IPV6,
	CLI_OPT_BACKEND,
	CLI_OPT_REPLAY,
	CLI_OPT_PID_SOURCE,
	CLI_OPT_FORMAT,
	CLI_OPT_JSON,
	CLI_OPT_CSV,
	CLI_OPT_OUTPUT,
	CLI_OPT_PROCESSES,
	CLI_OPT_SORT,
	CLI_OPT_TCP_INFO,
	CLI_OPT_TIMERS,
	CLI_OPT_NO_HEADER,
	CLI_OPT_CSV_FORMULA_SAFE,
	CLI_OPT_VERBOSE,
	CLI_OPT_SUMMARY,
	CLI_OPT_EXPLAIN,
	CLI_OPT_LANG,
	CLI_OPT_HELP,
	CLI_OPT_VERSION,
	CLI_OPT_NETNS,
	CLI_OPT_ALL_NETNS,
	CLI_OPT_BY,
	CLI_OPT_TOP,
	CLI_OPT_LISTEN,
	CLI_OPT_DRAINED,
	CLI_OPT_STATES,
	CLI_OPT_EXCLUDE_REMOTE,
	CLI_OPT_TIMEOUT,
	CLI_OPT_INTERVAL,
	CLI_OPT_WATCH,
	CLI_OPT_SOURCE,
	CLI_OPT_DURATION,
	CLI_OPT_MAX_EVENTS,     /* --count N (trace) */
	CLI_OPT_TO,
	CLI_OPT_PROBE,
	CLI_OPT_COUNT
};

/* Help sections, in the order --help prints them. */
enum cli_group {
	CLI_GROUP_FILTER,
	CLI_GROUP_OUTPUT,
	CLI_GROUP_SUMMARY,
	CLI_GROUP_WAIT,
	CLI_GROUP_WATCH,
	CLI_GROUP_TRACE,
	CLI_GROUP_EXPLAIN,
	CLI_GROUP_DIAGNOSE,
	CLI_GROUP_GENERAL,
	CLI_GROUP_COUNT
};

struct cli_option_spec {
	enum cli_option_id id;
	const char *long_name;  /* without the leading "--" */
	char short_name;        /* 0 when there is none */
	const char *value_name; /* NULL for a flag */
	unsigned commands;      /* CLI_IN(...) where the option is valid */
	enum cli_group group;
	const char *help;       /* lines separated by '\n' */
};

/* Options whose value is optional and only ever given as --opt=VALUE
 * (--watch[=S]): a separate word after them is never their value. */
int cli_option_value_optional(enum cli_option_id id);

struct cli_subcommand_spec {
	enum cli_command cmd;
	unsigned programs;      /* CLI_PROG_* that offer it */
	const char *name;
	const char *usage;      /* the synopsis line after the program name */
	const char *help;
	const char *label;      /* as the list of subcommands names it
	                           ("explain STATE"); NULL: the name */
};

struct cli_text_row {
	const char *left;
	const char *right;
	unsigned programs;      /* CLI_PROG_* whose --help shows the row;
	                           0: every program */
};

extern const struct cli_option_spec cli_options[CLI_OPT_COUNT];
extern const struct cli_subcommand_spec cli_subcommands[];
extern const size_t cli_subcommand_count;
extern const char *const cli_group_titles[CLI_GROUP_COUNT];
/* python -m sockstate's titles where they differ, else NULL. */
extern const char *const cli_group_titles_python[CLI_GROUP_COUNT];
/* The titles of one subcommand's help (SUBCOMMAND --help), where every
 * option shown applies: consecutive groups with one title are one
 * section. */
extern const char *const cli_group_titles_command[CLI_GROUP_COUNT];
extern const char *const cli_group_title_where;
extern const char *const cli_help_intro;
extern const char *const cli_help_intro_python;
extern const char *const cli_help_states;
extern const struct cli_text_row cli_exit_rows[];
extern const size_t cli_exit_row_count;
extern const struct cli_text_row cli_environment_rows[];
extern const size_t cli_environment_row_count;
extern const struct cli_text_row cli_example_rows[];
extern const size_t cli_example_row_count;

const char *cli_command_name(enum cli_command cmd);

/* The subcommand prog offers under name, or NULL. */
const struct cli_subcommand_spec *cli_subcommand_find(const struct cli_program *prog,
                                                      const char *name);

/* How the list of subcommands names c: its label, else its name. */
const char *cli_subcommand_label(const struct cli_subcommand_spec *c);

/* ---- errors.c: the one way a failure reaches the user ---- */

/* One line for stderr, without the "sockstate: " prefix or newline. */
struct cli_error {
	char msg[512];
};

void cli_error_set(struct cli_error *e, const char *fmt, ...) CLI_PRINTF(2, 3);

/* cli_say - "sockstate: line" on stderr. */
void cli_say(const char *line);

/* Copy text into buf as one printable line: control bytes escaped as
 * \xNN, cut with "..." past max_bytes. Returns buf. */
const char *cli_printable(const char *text, size_t max_bytes, char *buf,
                          size_t buflen);

/* The names --by takes, in the order of their columns, for messages. */
#define CLI_GROUP_KEY_NAMES "port, local, remote, pid, process, uid, netns"

/* " (did you mean CLOSE_WAIT?)" for a state name the library refused
 * when a state is spelled near it (sockstate_state_suggest), else "";
 * into buf (CLI_STATE_HINT_MAX bytes suffice). Returns buf. */
#define CLI_STATE_HINT_MAX 256
const char *cli_state_hint(const char *name, char *buf, size_t buflen);

enum cli_action {
	CLI_ACTION_RUN = 0,
	CLI_ACTION_HELP,
	CLI_ACTION_VERSION
};

/* How many --exclude-remote prefixes one command line may give. */
#define CLI_EXCLUDE_MAX 64

/* Everything the command line asked for. */
struct cli_args {
	enum cli_action action;
	enum cli_command cmd;
	sockstate_query query;
	sockstate_format format;
	sockstate_sort_key sort;
	uint32_t write_flags;       /* SOCKSTATE_W_* */
	uint16_t ports[SOCKSTATE_PORTS_MAX]; /* --port, each once; one is the
	                               query's filter (query.port), except
	                               with --format prometheus: the ports of
	                               the per-port series */
	size_t nports;
	int verbose;
	const char *output;         /* -o FILE; NULL or "-" is stdout */
	const char *backend;        /* NULL: auto */
	const char *replay;         /* --replay FILE, or NULL */
	const char *pid_source;     /* NULL: auto */
	sockstate_state explain_state;  /* UNKNOWN with explain_list */
	int explain_list;           /* explain without STATE: list them */
	enum cli_command help_topic; /* help SUBCOMMAND, SUBCOMMAND --help;
	                               CLI_CMD_NONE: the whole text */
	const char *lang;           /* explicit --lang, or NULL */
	const char *netns;          /* --netns, or NULL */
	int all_netns;              /* --all-netns */
	uint32_t group_keys;        /* --by (SOCKSTATE_GROUP_*), 0 none */
	size_t top;                 /* --top N (summary, watch); 0 unset */
	sockstate_wait_cond wait;   /* --listen/--drained, --states */
	sockstate_prefix exclude[CLI_EXCLUDE_MAX]; /* --exclude-remote */
	double timeout;             /* --timeout seconds (wait; diagnose's
	                               probe); < 0 unset */
	double interval;            /* --interval seconds; < 0 unset */
	/* trace */
	sockstate_event_source trace_source; /* --source; AUTO unset */
	int trace_summaries;        /* --summary: summaries instead of transitions */
	double duration;            /* --duration seconds; < 0 unset */
	size_t max_events;          /* --count N; 0 unset */
	uint8_t to_family;          /* diagnose --to ADDR:PORT, 0 none */
	sockstate_endpoint to;
	int probe;                  /* diagnose --probe */
};

/* cli_parse - argv into *a, as prog's grammar. Returns CLI_EXIT_OK, or
 * CLI_EXIT_USAGE with the reason in *e. Never prints. */
int cli_parse(int argc, char **argv, const struct cli_program *prog,
              struct cli_args *a, struct cli_error *e);

/* cli_ports_add - the ports of text ("443", "80,443"), each checked by
 * sockstate_port_parse, added to ports[0..*n) unless there already, at
 * most SOCKSTATE_PORTS_MAX in all. Returns CLI_EXIT_OK, or
 * CLI_EXIT_USAGE with "<label>: why" in *e. (--port, and Python's
 * metrics(port=...).) */
int cli_ports_add(const char *label, const char *text, uint16_t *ports, size_t *n,
                  struct cli_error *e);

/* cli_snapshot_take - one snapshot of the n handles h[0..n) (several
 * namespaces merge into one, in order) into *snap, the caller's to free.
 * Returns 0 or a library code; on failure *failed is the handle whose
 * detail explains it. (list --sort, and Python's sorted listings.) */
int cli_snapshot_take(sockstate_handle *const *h, size_t n, const sockstate_query *q,
                      sockstate_snapshot **snap, sockstate_handle **failed);

/* cli_help_render - prog's full --help text into a malloc'ed string (NULL
 * when out of memory). */
char *cli_help_render(const struct cli_program *prog);

/* cli_help_render_command - the help of one subcommand of prog (its
 * usage, what it does, the options valid with it, its examples), as
 * cli_help_render returns it. */
char *cli_help_render_command(const struct cli_program *prog, enum cli_command cmd);

/* listing.c: list (and snapshot) and summary. */
int cli_list(const struct cli_args *a, struct cli_error *e);
int cli_summary(const struct cli_args *a, struct cli_error *e);

/* diagnose.c: the TCP counters (counters), the findings (diagnose:
 * exit 1 when one is a warning or worse). */
int cli_counters(const struct cli_args *a, struct cli_error *e);
int cli_diagnose(const struct cli_args *a, struct cli_error *e);
/* Output: standard output; or FILE written atomically (a temporary file
 * beside it, fsync, rename); or, when FILE is a character device or a
 * FIFO, written into (outfile.c, docs/SECURITY.md). */
struct cli_output {
	int fd;
	int is_file;                /* a temporary file to rename over path */
	int through;                /* fd is the device or FIFO at path */
	int saved_errno;            /* errno of the first failed write */
	char *shown;                /* FILE as given, for messages */
	char *path;                 /* where it leads, links resolved */
	char *tmp_path;             /* the temporary file while it exists */
};

/* cli_std_streams_check - call first thing: puts /dev/null on each of
 * descriptors 0-2 that is closed (so no socket or file the tool opens
 * later lands there: a netlink socket as fd 1 would get the table), and
 * remembers whether standard output was closed: cli_output_open for
 * standard output then fails with "standard output: Bad file descriptor"
 * (exit 3). */
void cli_std_streams_check(void);

/* CLI_EXIT_OK, or CLI_EXIT_OS with *e when standard output was closed at
 * the start (for a writer that does not go through cli_output_open). */
int cli_stdout_check(struct cli_error *e);

int cli_output_open(struct cli_output *o, const char *path, struct cli_error *e);
/* A sockstate_write_fn over a struct cli_output. */
int cli_output_write(void *ctx, const char *buf, size_t len);
/* Make the output final (file: fsync + rename). On failure the temporary
 * file is removed and *e says why. Returns CLI_EXIT_OK or CLI_EXIT_OS. */
int cli_output_commit(struct cli_output *o, struct cli_error *e);
/* Drop the output (file: remove the temporary file). */
void cli_output_abort(struct cli_output *o);
/* Describe the failure of the last write for *e. */
void cli_output_write_error(const struct cli_output *o, int err,
                            struct cli_error *e);

/* explain: the state's explanation in the chosen language on *out. */
int cli_explain(const struct cli_args *a, struct cli_error *e);

/* The language for explain: lang_option if given, else LC_ALL,
 * LC_MESSAGES, LANG (the first set), reduced to "en" or "es". */
const char *cli_pick_language(const char *lang_option);

/* "<what>: <library message>[: <detail>]" into *e (detail: the failing
 * OS call, from sockstate_errdetail). */
void cli_library_error(struct cli_error *e, const char *what, int err,
                       const char *detail);

/* The handles one command runs on: one (the caller's network namespace,
 * or --netns), or one per network namespace (--all-netns), in the order
 * sockstate_netns_list gives them. */
struct cli_handle_set {
	sockstate_handle **h;
	size_t n;
	char **failed;              /* a message per namespace not opened */
	size_t nfailed;
};

/* Open the handles a asks for. --all-netns: a namespace that cannot be
 * entered is recorded in set->failed and skipped. Returns CLI_EXIT_OK with
 * at least one handle, or an exit code with *e (nothing to free then). */
int cli_handles_open(const struct cli_args *a, struct cli_handle_set *set,
                     struct cli_error *e);
void cli_handles_close(struct cli_handle_set *set);
/* After the output (code CLI_EXIT_OK, or CLI_EXIT_NOT_MET with what was
 * in the way written): one line on stderr when owners were asked for and
 * some could not be read (the exit code stays); then, after a whole
 * output, one line per namespace that failed and CLI_EXIT_PARTIAL with a
 * summary in *e; code itself when none failed or code is not
 * CLI_EXIT_OK. */
int cli_handles_finish(const struct cli_handle_set *set, int code, struct cli_error *e);

/* Seconds as --timeout and --interval take them: decimal, "1.5", ".5",
 * at most 1e6. Returns 0 or -1. */
int cli_parse_seconds(const char *text, double *out);
/* Sleep s seconds (interrupted early by a signal). */
void cli_sleep(double s);
/* A monotonic clock in seconds. */
double cli_monotonic(void);

/* wait: poll the condition until it holds (0) or --timeout (1). */
int cli_wait(const struct cli_args *a, struct cli_error *e);

/* watch: redraw the summary until SIGINT/SIGTERM (0). */
int cli_watch(const struct cli_args *a, struct cli_error *e);

/* trace: one line per event until SIGINT/SIGTERM, --duration or --count
 * (0). */
int cli_trace(const struct cli_args *a, struct cli_error *e);

/* SIGINT and SIGTERM as a request to stop (watch, trace): catch them
 * (cli_stop_requested() then says whether one came; a sleep is cut
 * short), and give the previous actions back at the end. One command at
 * a time. */
void cli_stop_catch(void);
int cli_stop_requested(void);
void cli_stop_release(void);

#endif /* SOCKSTATE_CLI_H */
