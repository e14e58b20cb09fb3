/* cli_spec.c - the one description of the command line: subcommands,
 * options, exit codes, environment and examples. The parser and --help
 * both read it; docs/CLI.md carries the rendered text. */
#include <string.h>

#include "cli.h"

#ifndef SOCKSTATE_CLI_VERSION
#define SOCKSTATE_CLI_VERSION "unknown"
#endif

const char *const cli_help_intro =
	"List the TCP sockets of this machine: endpoints, owners, and the state\n"
	"in one vocabulary on every OS (RFC 9293 names: LISTEN, ESTABLISHED,\n"
	"TIME_WAIT...) beside the OS's own spelling (Linux ss: ESTAB, SYN-RECV).\n"
	"Options may come before or after the subcommand; --opt=VALUE and\n"
	"--opt VALUE are alike.";

const char *const cli_help_intro_python =
	"List the TCP sockets of this machine: endpoints, owners, and the state\n"
	"in one vocabulary on every OS (RFC 9293 names: LISTEN, ESTABLISHED,\n"
	"TIME_WAIT...) beside the OS's own spelling (Linux ss: ESTAB, SYN-RECV).\n"
	"Options may come before or after the subcommand; --opt=VALUE and\n"
	"--opt VALUE are alike. The grammar, output and exit codes are those of\n"
	"the sockstate command.";

const struct cli_subcommand_spec cli_subcommands[] = {
	{CLI_CMD_LIST, CLI_PROG_ALL, "list",
	 "[list] [FILTERS] [--format F] [-o FILE] [-p] [--sort KEY] [-n]",
	 "one line per socket (the default subcommand)", NULL},
	{CLI_CMD_SUMMARY, CLI_PROG_ALL, "summary",
	 "summary [FILTERS] [--by KEY,...] [--top N] [--format F] [-o FILE]",
	 "count sockets per state (with --by: per group);\n"
	 "keeps no per-socket record", NULL},
	{CLI_CMD_EXPLAIN, CLI_PROG_ALL, "explain", "explain [STATE] [--lang en|es]",
	 "what a state means, which side sees it, what a pile\n"
	 "of them usually means; without STATE, every state\n"
	 "in a line", "explain [STATE]"},
	{CLI_CMD_WAIT, CLI_PROG_ALL, "wait",
	 "wait (--listen PORT | --drained PORT) [--states S,...] [-p]\n"
	 "[--exclude-remote PREFIX]... [--timeout S] [--interval S]",
	 "poll until something listens on PORT, or until no\n"
	 "connection is left on it; exit 1 at the timeout", NULL},
	{CLI_CMD_WATCH, CLI_PROG_ALL, "watch", "watch [FILTERS] [--interval S] [--top N]",
	 "redraw the counts per state, their change, and the\n"
	 "busiest ports until Ctrl-C", NULL},
	{CLI_CMD_TRACE, CLI_PROG_ALL, "trace",
	 "trace [FILTERS] [--summary] [--duration S] [--count N]\n"
	 "[--source SRC] [--interval S] [--format F] [-p] [-n]",
	 "one line per TCP state transition as it happens\n"
	 "(--summary: per connection that ends), until\n"
	 "Ctrl-C, --duration or --count", NULL},
	{CLI_CMD_COUNTERS, CLI_PROG_ALL, "counters",
	 "counters [--format F] [-o FILE] [-n] [--netns NS]",
	 "the kernel's TCP counters (refused connections,\n"
	 "accept queue overflows, retransmissions...) in one\n"
	 "vocabulary, each beside the OS's own name", NULL},
	{CLI_CMD_DIAGNOSE, CLI_PROG_ALL, "diagnose",
	 "diagnose [--port PORT [--addr ADDR]] [--to ADDR:PORT [--probe]]\n"
	 "[--interval S] [--timeout S] [--lang en|es]\n"
	 "[--format table|json] [-o FILE] [--netns NS]",
	 "what is wrong, from the states, the TCP counters\n"
	 "over --interval and a probe: findings with their\n"
	 "evidence and what to do; exit 1 on a warning", NULL},
	{CLI_CMD_SNAPSHOT, CLI_PROG_PYTHON, "snapshot",
	 "snapshot [FILTERS] [-o FILE.json] [-p] [--sort KEY] [--tcp-info]",
	 "the \"sockstate/1\" JSON document (as list --format\n"
	 "json) with the TCP counters and the host-wide\n"
	 "findings (for report); this package's addition", NULL},
	{CLI_CMD_REPORT, CLI_PROG_PYTHON, "report",
	 "report FILE.json... [-o OUT] [--format html|md] [--lang en|es]",
	 "several machines' snapshots side by side (HTML or\n"
	 "Markdown; report --help says more); this package's\n"
	 "addition", NULL},
	{CLI_CMD_HELP, CLI_PROG_ALL, "help", "help [SUBCOMMAND]",
	 "every subcommand and option (as --help), or\n"
	 "SUBCOMMAND's usage, options and examples (as\n"
	 "SUBCOMMAND --help)", "help [SUBCOMMAND]"},
};
const size_t cli_subcommand_count =
	sizeof cli_subcommands / sizeof cli_subcommands[0];

const char *const cli_group_titles[CLI_GROUP_COUNT] = {
	[CLI_GROUP_FILTER] = "Filters (list, summary, watch, trace; a socket must pass all, --or aside):",
	[CLI_GROUP_OUTPUT] = "Output (list, summary, trace, counters, diagnose):",
	[CLI_GROUP_SUMMARY] = "summary:",
	[CLI_GROUP_WAIT] = "wait:",
	[CLI_GROUP_WATCH] = "wait, watch, trace:",
	[CLI_GROUP_TRACE] = "trace:",
	[CLI_GROUP_EXPLAIN] = "explain:",
	[CLI_GROUP_DIAGNOSE] = "diagnose (also --port, --addr, --interval, --timeout, --lang):",
	[CLI_GROUP_GENERAL] = "General:",
};

/* python -m sockstate's titles where they differ (it has snapshot too);
 * NULL: cli_group_titles'. */
const char *const cli_group_titles_python[CLI_GROUP_COUNT] = {
	[CLI_GROUP_FILTER] = "Filters (list, summary, watch, trace, snapshot; all must pass, --or aside):",
	[CLI_GROUP_OUTPUT] = "Output (list, summary, trace, counters, diagnose; snapshot: its --help):",
};

const char *const cli_group_titles_command[CLI_GROUP_COUNT] = {
	[CLI_GROUP_FILTER] = "Filters (a socket must pass every one given):",
	[CLI_GROUP_OUTPUT] = "Output:",
	[CLI_GROUP_SUMMARY] = "Options:",
	[CLI_GROUP_WAIT] = "Options:",
	[CLI_GROUP_WATCH] = "Options:",
	[CLI_GROUP_TRACE] = "Options:",
	[CLI_GROUP_EXPLAIN] = "Options:",
	[CLI_GROUP_DIAGNOSE] = "Options:",
	[CLI_GROUP_GENERAL] = "General:",
};

/* The filters' title in the help of a subcommand that takes them to
 * choose where to look, not which sockets to list (CLI_IN_HANDLE). */
const char *const cli_group_title_where = "Where to look:";

/* Indexed by id: cli_options[i].id == i (the parser relies on it). */
const struct cli_option_spec cli_options[CLI_OPT_COUNT] = {
	[CLI_OPT_STATE] = {CLI_OPT_STATE, "state", 0, "S[,S...]", CLI_IN_FILTER,
		CLI_GROUP_FILTER,
		"only these states, in any OS's spelling: ESTAB,\n"
		"Established, SYN_RCVD, MIB_TCP_STATE_LISTEN, 0A...\n"
		"(default: all but BOUND; \"all\" includes BOUND)"},
	[CLI_OPT_PORT] = {CLI_OPT_PORT, "port", 0, "PORT",
		CLI_IN_FILTER | CLI_IN(CLI_CMD_DIAGNOSE), CLI_GROUP_FILTER,
		"local or remote port is PORT (0-65535); with\n"
		"--format prometheus: the host's counts plus each\n"
		"PORT's own series (repeat it or P,P...; at most\n"
		"32); diagnose: the local port of the service"},
	[CLI_OPT_SPORT] = {CLI_OPT_SPORT, "sport", 0, "PORT", CLI_IN_FILTER,
		CLI_GROUP_FILTER, "local port is PORT"},
	[CLI_OPT_DPORT] = {CLI_OPT_DPORT, "dport", 0, "PORT", CLI_IN_FILTER,
		CLI_GROUP_FILTER, "remote port is PORT"},
	[CLI_OPT_ADDR] = {CLI_OPT_ADDR, "addr", 0, "ADDR[/LEN]",
		CLI_IN_FILTER | CLI_IN(CLI_CMD_DIAGNOSE), CLI_GROUP_FILTER,
		"local or remote address in the prefix (IPv4 or\n"
		"IPv6, [v6] brackets allowed; an IPv4 prefix also\n"
		"matches IPv4-mapped IPv6 sockets); diagnose: the\n"
		"address clients connect to, with --port"},
	[CLI_OPT_SADDR] = {CLI_OPT_SADDR, "saddr", 0, "ADDR[/LEN]", CLI_IN_FILTER,
		CLI_GROUP_FILTER, "local address in the prefix"},
	[CLI_OPT_DADDR] = {CLI_OPT_DADDR, "daddr", 0, "ADDR[/LEN]", CLI_IN_FILTER,
		CLI_GROUP_FILTER, "remote address in the prefix"},
	[CLI_OPT_OR] = {CLI_OPT_OR, "or", 0, NULL, CLI_IN_FILTER, CLI_GROUP_FILTER,
		"start another group of --port, --sport, --dport,\n"
		"--addr, --saddr, --daddr (at most 8 groups): a\n"
		"socket must pass every one of one group; the other\n"
		"filters apply to every group (--sport 80 --or\n"
		"--dport 80)"},
	[CLI_OPT_PID] = {CLI_OPT_PID, "pid", 0, "PID", CLI_IN_FILTER,
		CLI_GROUP_FILTER, "owned by process PID (maps owners, as -p does)"},
	[CLI_OPT_UID] = {CLI_OPT_UID, "uid", 0, "UID", CLI_IN_QUERY | CLI_IN(CLI_CMD_WATCH),
		CLI_GROUP_FILTER, "owned by numeric user id UID\n"
		"(not trace: events carry no uid)"},
	[CLI_OPT_IPV4] = {CLI_OPT_IPV4, "ipv4", '4', NULL, CLI_IN_FILTER,
		CLI_GROUP_FILTER, "IPv4 sockets (with -6: both families)"},
	[CLI_OPT_IPV6] = {CLI_OPT_IPV6, "ipv6", '6', NULL, CLI_IN_FILTER,
		CLI_GROUP_FILTER, "IPv6 sockets"},
	[CLI_OPT_BACKEND] = {CLI_OPT_BACKEND, "backend", 0, "NAME",
		CLI_IN_FILTER | CLI_IN(CLI_CMD_WAIT) | CLI_IN_HANDLE,
		CLI_GROUP_FILTER,
		"read sockets through NAME (auto, or one --version\n"
		"lists, e.g. linux-netlink, linux-proc)"},
	[CLI_OPT_REPLAY] = {CLI_OPT_REPLAY, "replay", 0, "FILE", CLI_IN_QUERY,
		CLI_GROUP_FILTER,
		"list, summary: the sockets in FILE, sock_diag dumps\n"
		"saved earlier (capture_dir, ss -D FILE), not this\n"
		"machine's (backend linux-replay, no owners); a bad\n"
		"FILE is exit 2"},
	[CLI_OPT_PID_SOURCE] = {CLI_OPT_PID_SOURCE, "pid-source", 0, "SRC",
		CLI_IN_FILTER | CLI_IN(CLI_CMD_DIAGNOSE), CLI_GROUP_FILTER,
		"how owners are found: auto, procfs or bpf"},
	[CLI_OPT_FORMAT] = {CLI_OPT_FORMAT, "format", 0, "F", CLI_IN_FORMAT | CLI_IN_HANDLE,
		CLI_GROUP_OUTPUT,
		"table (default), json (the \"sockstate/1\" document;\n"
		"trace: one object per line; diagnose:\n"
		"\"sockstate-diagnosis/1\"), csv (RFC 4180) or\n"
		"prometheus (text exposition; not trace, diagnose)"},
	[CLI_OPT_JSON] = {CLI_OPT_JSON, "json", 0, NULL, CLI_IN_FORMAT | CLI_IN_HANDLE,
		CLI_GROUP_OUTPUT, "same as --format json"},
	[CLI_OPT_CSV] = {CLI_OPT_CSV, "csv", 0, NULL,
		CLI_IN_FORMAT | CLI_IN(CLI_CMD_COUNTERS),
		CLI_GROUP_OUTPUT, "same as --format csv"},
	[CLI_OPT_OUTPUT] = {CLI_OPT_OUTPUT, "output", 'o', "FILE", CLI_IN_QUERY | CLI_IN_HANDLE,
		CLI_GROUP_OUTPUT,
		"write to FILE atomically (a temporary file beside\n"
		"it, then rename: FILE is untouched on failure);\n"
		"a device or FIFO is written into; - means\n"
		"standard output"},
	[CLI_OPT_PROCESSES] = {CLI_OPT_PROCESSES, "processes", 'p', NULL,
		CLI_IN(CLI_CMD_LIST) | CLI_IN(CLI_CMD_WAIT) | CLI_IN(CLI_CMD_SNAPSHOT) |
		CLI_IN(CLI_CMD_TRACE),
		CLI_GROUP_OUTPUT,
		"map owners: pid and process columns (json: pid,\n"
		"process, pids are always present, null unless -p;\n"
		"trace: --source poll maps them at each listing,\n"
		"bpf names them anyway)"},
	[CLI_OPT_SORT] = {CLI_OPT_SORT, "sort", 0, "KEY",
		CLI_IN(CLI_CMD_LIST) | CLI_IN(CLI_CMD_SNAPSHOT),
		CLI_GROUP_OUTPUT,
		"state, local, remote, pid, process or none (the\n"
		"OS's order, written as the sockets come: the\n"
		"default); pid and process imply -p; a sort holds\n"
		"the whole listing in memory first"},
	[CLI_OPT_TCP_INFO] = {CLI_OPT_TCP_INFO, "tcp-info", 0, NULL,
		CLI_IN(CLI_CMD_LIST) | CLI_IN(CLI_CMD_SNAPSHOT), CLI_GROUP_OUTPUT,
		"also fetch TCP internals (rtt, cwnd, retransmits)\n"
		"where the backend has them; implies --timers"},
	[CLI_OPT_TIMERS] = {CLI_OPT_TIMERS, "timers", 0, NULL,
		CLI_IN(CLI_CMD_LIST) | CLI_IN(CLI_CMD_SNAPSHOT), CLI_GROUP_OUTPUT,
		"each socket's timer as ss -o shows it: a Timer\n"
		"column (timewait,48sec,0: kind, time left,\n"
		"retries); csv: timer, timer_expires_ms,\n"
		"timer_retransmits; json: a \"timer\" object (Linux)"},
	[CLI_OPT_NO_HEADER] = {CLI_OPT_NO_HEADER, "no-header", 'n', NULL,
		CLI_IN_FORMAT | CLI_IN(CLI_CMD_COUNTERS), CLI_GROUP_OUTPUT,
		"table, csv: no header line"},
	[CLI_OPT_CSV_FORMULA_SAFE] = {CLI_OPT_CSV_FORMULA_SAFE, "csv-formula-safe", 0, NULL,
		CLI_IN_FORMAT, CLI_GROUP_OUTPUT,
		"csv: a cell that starts with = + - @ gets a\n"
		"leading ' so a spreadsheet shows it as text"},
	[CLI_OPT_VERBOSE] = {CLI_OPT_VERBOSE, "verbose", 0, NULL,
		CLI_IN_QUERY | CLI_IN(CLI_CMD_TRACE), CLI_GROUP_OUTPUT,
		"one line on stderr: backend, pid source, count,\n"
		"time taken (trace: the source and why, once it\n"
		"watches; at the end, the events and losses)"},
	[CLI_OPT_SUMMARY] = {CLI_OPT_SUMMARY, "summary", 0, NULL, CLI_IN_FORMAT,
		CLI_GROUP_GENERAL,
		"same as the summary subcommand; with trace:\n"
		"one line per connection that ends (its states,\n"
		"the time in each, how it ended), not one per\n"
		"transition"},
	[CLI_OPT_EXPLAIN] = {CLI_OPT_EXPLAIN, "explain", 0, "STATE",
		CLI_IN(CLI_CMD_EXPLAIN), CLI_GROUP_GENERAL,
		"same as explain STATE"},
	[CLI_OPT_LANG] = {CLI_OPT_LANG, "lang", 0, "en|es",
		CLI_IN(CLI_CMD_EXPLAIN) | CLI_IN(CLI_CMD_DIAGNOSE), CLI_GROUP_EXPLAIN,
		"language of the explanation (diagnose: of the\n"
		"findings); default from LC_ALL, LC_MESSAGES or\n"
		"LANG, else en"},
	[CLI_OPT_HELP] = {CLI_OPT_HELP, "help", 'h', NULL, CLI_IN_ANY,
		CLI_GROUP_GENERAL,
		"this text (after a subcommand: that subcommand's),\n"
		"then exit 0"},
	[CLI_OPT_VERSION] = {CLI_OPT_VERSION, "version", 'V', NULL, CLI_IN_ANY,
		CLI_GROUP_GENERAL,
		"versions of the tool and library, and the backends"},
	[CLI_OPT_NETNS] = {CLI_OPT_NETNS, "netns", 0, "NS",
		CLI_IN_FILTER | CLI_IN(CLI_CMD_WAIT) | CLI_IN_HANDLE, CLI_GROUP_FILTER,
		"inside network namespace NS (Linux): a name under\n"
		"/run/netns, a path, or pid:PID; sockets are tagged\n"
		"with NS (a table column, JSON \"netns\"); wait,\n"
		"counters and diagnose too (its probe starts there)"},
	[CLI_OPT_ALL_NETNS] = {CLI_OPT_ALL_NETNS, "all-netns", 0, NULL,
		CLI_IN_QUERY | CLI_IN(CLI_CMD_WATCH), CLI_GROUP_FILTER,
		"every network namespace (/run/netns, then those of\n"
		"processes), each tagged; one that cannot be entered\n"
		"is a line on stderr and exit 4, the rest is shown\n"
		"(not trace: it watches one namespace)"},
	[CLI_OPT_BY] = {CLI_OPT_BY, "by", 0, "KEY[,KEY...]", CLI_IN(CLI_CMD_SUMMARY),
		CLI_GROUP_SUMMARY,
		"counts per group: port (local port), local\n"
		"(address:port), remote (address), pid (each\n"
		"process), process (each name), uid, netns;\n"
		"repeatable; largest groups first (table, json,\n"
		"csv)"},
	[CLI_OPT_TOP] = {CLI_OPT_TOP, "top", 0, "N",
		CLI_IN(CLI_CMD_SUMMARY) | CLI_IN(CLI_CMD_WATCH), CLI_GROUP_SUMMARY,
		"only the N largest groups (watch: the N busiest\n"
		"ports, default 10)"},
	[CLI_OPT_LISTEN] = {CLI_OPT_LISTEN, "listen", 0, "PORT", CLI_IN(CLI_CMD_WAIT),
		CLI_GROUP_WAIT, "until a socket listens on local port PORT"},
	[CLI_OPT_DRAINED] = {CLI_OPT_DRAINED, "drained", 0, "PORT", CLI_IN(CLI_CMD_WAIT),
		CLI_GROUP_WAIT,
		"until no socket on local port PORT is in --states"},
	[CLI_OPT_STATES] = {CLI_OPT_STATES, "states", 0, "S[,S...]", CLI_IN(CLI_CMD_WAIT),
		CLI_GROUP_WAIT,
		"the states that keep PORT from being drained, in\n"
		"any OS's spelling (default: all but LISTEN,\n"
		"TIME_WAIT and BOUND)"},
	[CLI_OPT_EXCLUDE_REMOTE] = {CLI_OPT_EXCLUDE_REMOTE, "exclude-remote", 0,
		"ADDR[/LEN]", CLI_IN(CLI_CMD_WAIT), CLI_GROUP_WAIT,
		"connections to/from this peer prefix do not count\n"
		"(repeatable; e.g. a load balancer's health checks)"},
	[CLI_OPT_TIMEOUT] = {CLI_OPT_TIMEOUT, "timeout", 0, "S",
		CLI_IN(CLI_CMD_WAIT) | CLI_IN(CLI_CMD_DIAGNOSE), CLI_GROUP_WAIT,
		"give up after S seconds (default 300; 0: check\n"
		"once): exit 1, the sockets still in the way on\n"
		"stdout, one line each, the reason on stderr;\n"
		"diagnose: how long the probe waits (default 3)"},
	[CLI_OPT_INTERVAL] = {CLI_OPT_INTERVAL, "interval", 0, "S",
		CLI_IN(CLI_CMD_WAIT) | CLI_IN(CLI_CMD_WATCH) | CLI_IN(CLI_CMD_TRACE) |
		CLI_IN(CLI_CMD_DIAGNOSE), CLI_GROUP_WATCH,
		"seconds between checks (wait: default 1),\n"
		"refreshes (watch: default 2), listings (trace\n"
		"with the poll source: default 1) or diagnose's\n"
		"two looks at the TCP counters (default 1; 0: one\n"
		"look, totals since boot); decimals allowed"},
	[CLI_OPT_WATCH] = {CLI_OPT_WATCH, "watch", 0, "S", CLI_IN(CLI_CMD_WATCH),
		CLI_GROUP_GENERAL, "same as watch [--interval S]"},
	[CLI_OPT_SOURCE] = {CLI_OPT_SOURCE, "source", 0, "SRC", CLI_IN(CLI_CMD_TRACE),
		CLI_GROUP_TRACE,
		"where events come from: auto (default: the best\n"
		"allowed here), bpf (Linux, privileged: every\n"
		"transition with its cause), sock-diag-destroy\n"
		"(Linux: each socket's end) or poll (every OS:\n"
		"listings diffed); one named that cannot run is\n"
		"exit 3 (docs/TRACE.md)"},
	[CLI_OPT_DURATION] = {CLI_OPT_DURATION, "duration", 0, "S", CLI_IN(CLI_CMD_TRACE),
		CLI_GROUP_TRACE, "stop after S seconds (default: at Ctrl-C)"},
	[CLI_OPT_MAX_EVENTS] = {CLI_OPT_MAX_EVENTS, "count", 0, "N", CLI_IN(CLI_CMD_TRACE),
		CLI_GROUP_TRACE,
		"stop after N events (a line saying how many were\n"
		"lost does not count)"},
	[CLI_OPT_TO] = {CLI_OPT_TO, "to", 0, "ADDR:PORT", CLI_IN(CLI_CMD_DIAGNOSE),
		CLI_GROUP_DIAGNOSE,
		"a destination this host connects to (an address,\n"
		"not a name; [v6]:PORT for IPv6): its SYN_SENT,\n"
		"its ephemeral ports; on loopback, its service too"},
	[CLI_OPT_PROBE] = {CLI_OPT_PROBE, "probe", 0, NULL, CLI_IN(CLI_CMD_DIAGNOSE),
		CLI_GROUP_DIAGNOSE,
		"with --to: one connection to it, given up after\n"
		"--timeout; a refusal, a timeout, no route or no\n"
		"free local port becomes a finding"},
};

int cli_option_value_optional(enum cli_option_id id)
{
	return id == CLI_OPT_WATCH;
}

const char *const cli_help_states =
	"CLOSED LISTEN SYN_SENT SYN_RECEIVED ESTABLISHED FIN_WAIT_1 FIN_WAIT_2\n"
	"CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT DELETE_TCB BOUND UNKNOWN\n"
	"Input accepts every common spelling (case, '-', '_' and ' ' alike);\n"
	"output shows these names as `state` and the OS's own as `native_state`.";

const struct cli_text_row cli_exit_rows[] = {
	{"0", "done", 0},
	{"1", "a condition was not met (wait timed out;\n"
	      "diagnose found a warning or worse)", 0},
	{"2", "bad usage or bad input; one line on stderr says what", 0},
	{"3", "the OS refused or failed (permission, no backend,\n"
	      "an enumeration or write error); one line on stderr", 0},
	{"4", "partial result: some network namespaces could not\n"
	      "be entered (a line each on stderr); the rest was\n"
	      "written", 0},
};
const size_t cli_exit_row_count = sizeof cli_exit_rows / sizeof cli_exit_rows[0];

const struct cli_text_row cli_environment_rows[] = {
	{"LC_ALL, LC_MESSAGES, LANG",
	 "the language of explain and diagnose when --lang\n"
	 "is not given (first set wins; es..., else en)", 0},
};
const size_t cli_environment_row_count =
	sizeof cli_environment_rows / sizeof cli_environment_rows[0];

const struct cli_text_row cli_example_rows[] = {
	{"", "every TCP socket, like ss -tan", 0},
	{"--state listen -p", "listening sockets and their owners", 0},
	{"--port 443 --state ESTAB,SYN-RECV", "connections on port 443", 0},
	{"-4 --addr 10.0.0.0/8 --sort remote", "IPv4 peers in 10/8, sorted", 0},
	{"--state time-wait --timers", "TIME_WAIT sockets and the time each has left", 0},
	{"--json -p -o snap.json", "a sockstate/1 document, atomically", CLI_PROG_TOOL},
	{"snapshot -p -o snap.json", "a sockstate/1 document, atomically",
	 CLI_PROG_PYTHON},
	{"summary", "how many sockets in each state", 0},
	{"summary --format prometheus --port 80,443", "gauges for scraping", 0},
	{"summary --by port --by process --top 10",
	 "the ten busiest port/process pairs, per state", 0},
	{"summary --by pid,process", "per process, not per name (5 python3 are 5 rows)", 0},
	{"wait --drained 8080 --timeout 60",
	 "until port 8080 has no connection left (deploys)", 0},
	{"wait --listen 5432 --timeout 30", "until something listens on 5432", 0},
	{"--all-netns -p", "every namespace's sockets, tagged with it", 0},
	{"watch --interval 1", "a live view; Ctrl-C ends it", 0},
	{"trace --port 443", "state transitions on port 443 as they happen", 0},
	{"trace --summary --format json --duration 60",
	 "a minute of ended connections, one JSON line each", 0},
	{"explain TIME_WAIT --lang es", "the state explained in Spanish", 0},
	{"explain", "every state, a line each", 0},
	{"counters --format prometheus", "the TCP counters, for scraping", 0},
	{"diagnose", "every host-wide problem found, with its evidence", 0},
	{"diagnose --port 8080 --lang es",
	 "why clients cannot use port 8080, in Spanish", 0},
	{"diagnose --to 10.0.0.5:5432 --probe",
	 "why this host cannot reach 10.0.0.5:5432", 0},
	{"help summary", "summary's usage, options and examples (summary -h)", 0},
};
const size_t cli_example_row_count =
	sizeof cli_example_rows / sizeof cli_example_rows[0];

const struct cli_program cli_program_tool = {
	CLI_PROG_TOOL, "sockstate", SOCKSTATE_CLI_VERSION};
const struct cli_program cli_program_python = {
	CLI_PROG_PYTHON, "python -m sockstate", SOCKSTATE_CLI_VERSION};

const char *cli_command_name(enum cli_command cmd)
{
	for (size_t i = 0; i < cli_subcommand_count; i++)
		if (cli_subcommands[i].cmd == cmd)
			return cli_subcommands[i].name;
	return "sockstate";
}

const struct cli_subcommand_spec *cli_subcommand_find(const struct cli_program *prog,
                                                      const char *name)
{
	for (size_t i = 0; i < cli_subcommand_count; i++)
		if ((cli_subcommands[i].programs & prog->id) != 0 &&
		    strcmp(cli_subcommands[i].name, name) == 0)
			return &cli_subcommands[i];
	return NULL;
}

const char *cli_subcommand_label(const struct cli_subcommand_spec *c)
{
	return c->label != NULL ? c->label : c->name;
}
