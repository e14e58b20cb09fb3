/* args.c - the command line into struct cli_args, driven by cli_options.
 *
 * A hand-written parser rather than getopt_long: getopt prints its own
 * messages, accepts abbreviations and differs between libcs, while every
 * error here must be one stable line and the grammar must be the same on
 * every OS. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define SPELLING_MAX 40

struct parser {
	const struct cli_program *prog;
	struct cli_args *a;
	struct cli_error *e;
	/* The option as the user spelled it ("--port", "-o"), per id, for
	 * messages after the whole line is read. */
	char spelled[CLI_OPT_COUNT][SPELLING_MAX];
	enum cli_option_id used[CLI_OPT_COUNT]; /* in command-line order */
	size_t used_count;
	uint64_t group_given;                   /* --or's keys in this group */
	int ports_several;                      /* a group named more than one
	                                           port: only Prometheus may */
	char command_by[SPELLING_MAX];          /* what chose the command */
	char format_by[SPELLING_MAX];           /* what chose the format */
	const char *interval_text;              /* --interval's value */
	int explain_state_given;
	const char *explain_text;
	char explain_by[SPELLING_MAX];
	int summary_by_option;                  /* --summary chose the command */
};

/* A user's value, quoted for a message. */
#define SHOW(text) cli_printable((text), 64, show_buf, sizeof show_buf)

/* The first len bytes of src, printable, into dst (dstlen bytes). */
static void copy_spelling(char *dst, size_t dstlen, const char *src, size_t len)
{
	char tmp[SPELLING_MAX];

	if (len >= sizeof tmp)
		len = sizeof tmp - 1;
	memcpy(tmp, src, len);
	tmp[len] = '\0';
	cli_printable(tmp, dstlen / 2, dst, dstlen);
}

static int fail_usage(struct parser *p, const char *fmt, ...) CLI_PRINTF(2, 3);

static int fail_usage(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->e->msg, sizeof p->e->msg, fmt, ap);
	va_end(ap);
	return CLI_EXIT_USAGE;
}

static int set_command(struct parser *p, enum cli_command cmd, const char *by)
{
	if (p->a->cmd != CLI_CMD_NONE && p->a->cmd != cmd)
		return fail_usage(p, "%s: conflicts with %s", by, p->command_by);
	if (p->a->cmd == CLI_CMD_NONE)
		snprintf(p->command_by, sizeof p->command_by, "%s", by);
	p->a->cmd = cmd;
	return CLI_EXIT_OK;
}

static int set_format(struct parser *p, sockstate_format f, const char *by)
{
	if (p->format_by[0] != '\0' && p->a->format != f)
		return fail_usage(p, "%s: conflicts with %s", by, p->format_by);
	if (p->format_by[0] == '\0')
		snprintf(p->format_by, sizeof p->format_by, "%s", by);
	p->a->format = f;
	return CLI_EXIT_OK;
}

static int set_explain_state(struct parser *p, const char *text, const char *by)
{
	char show_buf[96];

	if (p->explain_state_given)
		return fail_usage(p, "'%s': unexpected argument (explain takes one STATE)",
		                  SHOW(text));
	p->explain_state_given = 1;
	p->explain_text = text;
	snprintf(p->explain_by, sizeof p->explain_by, "%s", by);
	return CLI_EXIT_OK;
}

static int query_value(struct parser *p, const char *opt, const char *key,
                       const char *value, const char *what, const char *range)
{
	char show_buf[96];
	int rc = sockstate_query_set(&p->a->query, key, value);

	if (rc == SOCKSTATE_OK)
		return CLI_EXIT_OK;
	if (rc == SOCKSTATE_ERANGE && range != NULL)
		return fail_usage(p, "%s: %s is out of range (%s)", opt,
		                  SHOW(value), range);
	if (rc == SOCKSTATE_ERANGE)
		return fail_usage(p, "%s: '%s': prefix length out of range "
		                  "(0-32 for IPv4, 0-128 for IPv6)", opt,
		                  SHOW(value));
	return fail_usage(p, "%s: '%s' is not %s", opt, SHOW(value), what);
}

int cli_ports_add(const char *label, const char *text, uint16_t *ports, size_t *n,
                  struct cli_error *e)
{
	char show_buf[96];
	char item[64];
	const char *at = text;

	for (;;) {
		size_t len = strcspn(at, ",");
		uint16_t port;
		int rc = SOCKSTATE_EINVAL;
		size_t i;

		if (len < sizeof item) {
			memcpy(item, at, len);
			item[len] = '\0';
			rc = sockstate_port_parse(item, &port);
		}
		if (rc == SOCKSTATE_ERANGE) {
			cli_error_set(e, "%s: %s is out of range (0-65535)", label, SHOW(item));
			return CLI_EXIT_USAGE;
		}
		if (rc != SOCKSTATE_OK) {
			cli_error_set(e, "%s: '%s' is not a port number (0-65535)", label,
			              SHOW(text));
			return CLI_EXIT_USAGE;
		}
		for (i = 0; i < *n && ports[i] != port; i++)
			;
		if (i == *n) {
			if (*n == SOCKSTATE_PORTS_MAX) {
				cli_error_set(e, "%s: more than %d ports (each adds 28 "
				              "Prometheus series)", label, SOCKSTATE_PORTS_MAX);
				return CLI_EXIT_USAGE;
			}
			ports[(*n)++] = port;
		}
		if (at[len] == '\0')
			return CLI_EXIT_OK;
		at += len + 1;
	}
}

/* --port P[,P...], repeatable. One port (per --or group) filters a
 * listing or a count, and is set as the filter at once so that --or finds
 * it in its group; several are only for the per-port series of --format
 * prometheus, which the format (known at the end: check_ports) decides. */
static int apply_ports(struct parser *p, const char *opt, const char *value)
{
	int rc = cli_ports_add(opt, value, p->a->ports, &p->a->nports, p->e);

	if (rc != CLI_EXIT_OK)
		return rc;
	if (strchr(value, ',') != NULL || (p->group_given & (UINT64_C(1) << CLI_OPT_PORT))) {
		p->ports_several = 1;
		return CLI_EXIT_OK;
	}
	p->group_given |= UINT64_C(1) << CLI_OPT_PORT;
	return query_value(p, opt, "port", value, "a port number (0-65535)", "0-65535");
}

static int apply_states(struct parser *p, const char *opt, const char *value)
{
	char show_buf[96], hint[CLI_STATE_HINT_MAX];
	char item[96];
	const char *bad = NULL;
	uint32_t mask = 0;
	size_t len;

	if (sockstate_states_parse(value, &mask, &bad) != SOCKSTATE_OK) {
		if (value[0] == '\0')
			return fail_usage(p, "%s: empty list of states", opt);
		if (bad == NULL || bad < value || bad > value + strlen(value))
			return fail_usage(p, "%s: '%s' is not a list of state names",
			                  opt, SHOW(value));
		len = strcspn(bad, ",");
		if (len == 0)
			return fail_usage(p, "%s: empty state name in '%s'", opt,
			                  SHOW(value));
		if (len >= sizeof item)
			len = sizeof item - 1;
		memcpy(item, bad, len);
		item[len] = '\0';
		return fail_usage(p, "%s: unknown state name '%s'%s", opt, SHOW(item),
		                  cli_state_hint(item, hint, sizeof hint));
	}
	return query_value(p, opt, "state", value, "a list of state names", NULL);
}

static int apply_backend(struct parser *p, const char *opt, const char *value)
{
	char show_buf[96];
	char names[256] = "";
	const char *const *b = sockstate_backends();
	size_t used = 0;

	if (strcmp(value, "auto") == 0) {
		p->a->backend = NULL;
		return CLI_EXIT_OK;
	}
	for (; b != NULL && *b != NULL; b++) {
		if (strcmp(*b, value) == 0) {
			p->a->backend = value;
			return CLI_EXIT_OK;
		}
		int n = snprintf(names + used, sizeof names - used, "%s%s",
		                 used ? ", " : "", *b);
		if (n > 0 && (size_t)n < sizeof names - used)
			used += (size_t)n;
	}
	return fail_usage(p, "%s: unknown backend '%s' (auto%s%s)", opt,
	                  SHOW(value), used ? ", " : "", names);
}

static int apply_pid_source(struct parser *p, const char *opt, const char *value)
{
	char show_buf[96];

	if (strcmp(value, "auto") == 0) {
		p->a->pid_source = NULL;
		return CLI_EXIT_OK;
	}
	if (strcmp(value, "procfs") == 0 || strcmp(value, "bpf") == 0) {
		p->a->pid_source = value;
		return CLI_EXIT_OK;
	}
	return fail_usage(p, "%s: unknown pid source '%s' (auto, procfs, bpf)",
	                  opt, SHOW(value));
}

static int apply_lang(struct parser *p, const char *opt, const char *value)
{
	char show_buf[96];
	sockstate_state_info info;

	/* The library decides which languages exist; "" would mean "default"
	 * there, but an explicit empty --lang is a mistake. */
	if (value[0] == '\0' ||
	    sockstate_state_describe(SOCKSTATE_LISTEN, value, &info) != SOCKSTATE_OK)
		return fail_usage(p, "%s: unsupported language '%s' (en, es)", opt,
		                  SHOW(value));
	p->a->lang = value;
	return CLI_EXIT_OK;
}

/* A --states list into a wait condition, with apply_states' messages. */
static int apply_wait_states(struct parser *p, const char *opt, const char *value)
{
	uint32_t saved = p->a->query.states;
	int rc = apply_states(p, opt, value);

	p->a->wait.states = p->a->query.states;
	p->a->query.states = saved;
	return rc;
}

static int apply_group_keys(struct parser *p, const char *opt, const char *value)
{
	char show_buf[96];
	char item[96];
	const char *bad = NULL;
	size_t len;

	if (sockstate_group_keys_parse(value, &p->a->group_keys, &bad) == SOCKSTATE_OK)
		return CLI_EXIT_OK;
	if (bad == NULL)
		bad = value;
	len = strcspn(bad, ",");
	if (len == 0)
		return fail_usage(p, "%s: empty key in '%s'", opt, SHOW(value));
	if (len >= sizeof item)
		len = sizeof item - 1;
	memcpy(item, bad, len);
	item[len] = '\0';
	return fail_usage(p, "%s: unknown key '%s' (" CLI_GROUP_KEY_NAMES ")", opt,
	                  SHOW(item));
}

static int apply_wait_port(struct parser *p, const char *opt, const char *value,
                           sockstate_wait_kind kind)
{
	char show_buf[96];
	uint16_t port;
	int rc;

	if (p->a->wait.kind != 0 && p->a->wait.kind != (uint32_t)kind)
		return fail_usage(p, "%s: conflicts with %s", opt,
		                  p->spelled[kind == SOCKSTATE_WAIT_LISTEN ? CLI_OPT_DRAINED
		                                                           : CLI_OPT_LISTEN]);
	rc = sockstate_port_parse(value, &port);
	if (rc == SOCKSTATE_ERANGE)
		return fail_usage(p, "%s: %s is out of range (0-65535)", opt, SHOW(value));
	if (rc != SOCKSTATE_OK)
		return fail_usage(p, "%s: '%s' is not a port number (0-65535)", opt,
		                  SHOW(value));
	p->a->wait.kind = kind;
	p->a->wait.port = port;
	return CLI_EXIT_OK;
}

static int apply_exclude(struct parser *p, const char *opt, const char *value)
{
	char show_buf[96];
	struct cli_args *a = p->a;
	int rc;

	if (a->wait.exclude_count == CLI_EXCLUDE_MAX)
		return fail_usage(p, "%s: more than %d prefixes", opt, CLI_EXCLUDE_MAX);
	rc = sockstate_prefix_parse(value, &a->exclude[a->wait.exclude_count]);
	if (rc == SOCKSTATE_ERANGE)
		return fail_usage(p, "%s: '%s': prefix length out of range (0-32 for "
		                  "IPv4, 0-128 for IPv6)", opt, SHOW(value));
	if (rc != SOCKSTATE_OK)
		return fail_usage(p, "%s: '%s' is not an IP address or prefix", opt,
		                  SHOW(value));
	a->wait.exclude_count++;
	a->wait.exclude_remote = a->exclude;
	return CLI_EXIT_OK;
}

static int apply_seconds(struct parser *p, const char *opt, const char *value,
                         double *out, int zero_ok)
{
	char show_buf[96];

	if (cli_parse_seconds(value, out) != 0 || (!zero_ok && *out <= 0))
		return fail_usage(p, "%s: '%s' is not a number of seconds (%s, "
		                  "decimals allowed)", opt, SHOW(value),
		                  zero_ok ? "0-1000000" : "above 0, at most 1000000");
	return CLI_EXIT_OK;
}

static int apply_to(struct parser *p, const char *opt, const char *value)
{
	char show_buf[96];
	sockstate_family family;
	int rc = sockstate_endpoint_parse(value, &family, &p->a->to);

	if (rc == SOCKSTATE_ERANGE)
		return fail_usage(p, "%s: '%s': port out of range (0-65535)", opt, SHOW(value));
	if (rc != SOCKSTATE_OK)
		return fail_usage(p, "%s: '%s' is not ADDR:PORT (an IP address, not a name; "
		                  "[v6]:PORT for IPv6)", opt, SHOW(value));
	p->a->to_family = (uint8_t)family;
	return CLI_EXIT_OK;
}

/* A count of 1-9999999 (--top, --count) into *out. */
static int apply_count(struct parser *p, const char *opt, const char *value, size_t *out)
{
	char show_buf[96];
	unsigned long n = 0;
	size_t i;

	for (i = 0; value[i] >= '0' && value[i] <= '9' && i < 8; i++)
		n = n * 10 + (unsigned long)(value[i] - '0');
	if (i == 0 || value[i] != '\0' || n == 0)
		return fail_usage(p, "%s: '%s' is not a count (1-9999999)", opt, SHOW(value));
	*out = n;
	return CLI_EXIT_OK;
}

static int apply_source(struct parser *p, const char *opt, const char *value)
{
	char show_buf[96];

	if (sockstate_event_source_parse(value, &p->a->trace_source) != SOCKSTATE_OK)
		return fail_usage(p, "%s: unknown source '%s' (auto, bpf, "
		                  "sock-diag-destroy, poll)", opt, SHOW(value));
	return CLI_EXIT_OK;
}

/* --summary is the summary subcommand, but with trace its summaries: it
 * may come before the word trace too. */
static int apply_summary(struct parser *p, const char *opt)
{
	if (p->a->cmd == CLI_CMD_TRACE) {
		p->a->trace_summaries = 1;
		return CLI_EXIT_OK;
	}
	if (p->a->cmd == CLI_CMD_NONE)
		p->summary_by_option = 1;
	return set_command(p, CLI_CMD_SUMMARY, opt);
}

/* The filters --or groups (the library's alternatives): each may be
 * given once per group. */
static int in_or_group(enum cli_option_id id)
{
	return id == CLI_OPT_PORT || id == CLI_OPT_SPORT || id == CLI_OPT_DPORT ||
	       id == CLI_OPT_ADDR || id == CLI_OPT_SADDR || id == CLI_OPT_DADDR;
}

#define OR_GROUP_KEYS "--port, --sport, --dport, --addr, --saddr or --daddr"

static int apply_or(struct parser *p, const char *opt)
{
	int rc = sockstate_query_or(&p->a->query);

	if (rc == SOCKSTATE_ERANGE)
		return fail_usage(p, "%s: at most %d groups", opt, SOCKSTATE_QUERY_ALT_MAX + 1);
	if (rc != SOCKSTATE_OK)
		return fail_usage(p, "%s: no " OR_GROUP_KEYS " before it", opt);
	p->group_given = 0;
	return CLI_EXIT_OK;
}

static int apply_option(struct parser *p, const struct cli_option_spec *spec,
                        const char *opt, const char *value)
{
	char show_buf[96];
	struct cli_args *a = p->a;

	switch (spec->id) {
	case CLI_OPT_STATE:
		return apply_states(p, opt, value);
	case CLI_OPT_PORT:
		return apply_ports(p, opt, value);
	case CLI_OPT_SPORT:
		return query_value(p, opt, "sport", value, "a port number (0-65535)",
		                   "0-65535");
	case CLI_OPT_DPORT:
		return query_value(p, opt, "dport", value, "a port number (0-65535)",
		                   "0-65535");
	case CLI_OPT_ADDR:
		return query_value(p, opt, "addr", value,
		                   "an IP address or prefix", NULL);
	case CLI_OPT_SADDR:
		return query_value(p, opt, "saddr", value,
		                   "an IP address or prefix", NULL);
	case CLI_OPT_DADDR:
		return query_value(p, opt, "daddr", value,
		                   "an IP address or prefix", NULL);
	case CLI_OPT_OR:
		return apply_or(p, opt);
	case CLI_OPT_PID:
		return query_value(p, opt, "pid", value, "a process id",
		                   "1-2147483647");
	case CLI_OPT_UID:
		return query_value(p, opt, "uid", value, "a numeric user id",
		                   "0-4294967294");
	case CLI_OPT_IPV4:
		a->query.families |= 1u << SOCKSTATE_FAMILY_IPV4;
		return CLI_EXIT_OK;
	case CLI_OPT_IPV6:
		a->query.families |= 1u << SOCKSTATE_FAMILY_IPV6;
		return CLI_EXIT_OK;
	case CLI_OPT_BACKEND:
		return apply_backend(p, opt, value);
	case CLI_OPT_REPLAY:
		if (value[0] == '\0')
			return fail_usage(p, "%s: empty file name", opt);
		a->replay = value;
		return CLI_EXIT_OK;
	case CLI_OPT_PID_SOURCE:
		return apply_pid_source(p, opt, value);
	case CLI_OPT_FORMAT: {
		sockstate_format f;
		if (sockstate_format_parse(value, &f) != SOCKSTATE_OK)
			return fail_usage(p, "%s: unknown format '%s' (table, json, "
			                  "csv, prometheus)", opt, SHOW(value));
		return set_format(p, f, opt);
	}
	case CLI_OPT_JSON:
		return set_format(p, SOCKSTATE_FORMAT_JSON, opt);
	case CLI_OPT_CSV:
		return set_format(p, SOCKSTATE_FORMAT_CSV, opt);
	case CLI_OPT_OUTPUT:
		if (value[0] == '\0')
			return fail_usage(p, "%s: empty file name", opt);
		a->output = value;
		return CLI_EXIT_OK;
	case CLI_OPT_PROCESSES:
		a->query.flags |= SOCKSTATE_Q_PIDS;
		a->write_flags |= SOCKSTATE_W_PIDS;
		return CLI_EXIT_OK;
	case CLI_OPT_SORT:
		if (sockstate_sort_key_parse(value, &a->sort) != SOCKSTATE_OK)
			return fail_usage(p, "%s: unknown sort key '%s' (state, local, "
			                  "remote, pid, process, none)", opt,
			                  SHOW(value));
		/* Sorting by owner without owners would sort nothing. */
		if (a->sort == SOCKSTATE_SORT_PID || a->sort == SOCKSTATE_SORT_PROCESS) {
			a->query.flags |= SOCKSTATE_Q_PIDS;
			a->write_flags |= SOCKSTATE_W_PIDS;
		}
		return CLI_EXIT_OK;
	case CLI_OPT_TCP_INFO:
		a->query.flags |= SOCKSTATE_Q_TCP_INFO;
		a->write_flags |= SOCKSTATE_W_TIMERS;
		return CLI_EXIT_OK;
	case CLI_OPT_TIMERS:
		a->write_flags |= SOCKSTATE_W_TIMERS;
		return CLI_EXIT_OK;
	case CLI_OPT_NO_HEADER:
		a->write_flags |= SOCKSTATE_W_NO_HEADER;
		return CLI_EXIT_OK;
	case CLI_OPT_CSV_FORMULA_SAFE:
		a->write_flags |= SOCKSTATE_W_CSV_FORMULA_SAFE;
		return CLI_EXIT_OK;
	case CLI_OPT_VERBOSE:
		a->verbose = 1;
		return CLI_EXIT_OK;
	case CLI_OPT_SUMMARY:
		return apply_summary(p, opt);
	case CLI_OPT_EXPLAIN:
		if (set_command(p, CLI_CMD_EXPLAIN, opt) != CLI_EXIT_OK)
			return CLI_EXIT_USAGE;
		return set_explain_state(p, value, opt);
	case CLI_OPT_LANG:
		return apply_lang(p, opt, value);
	case CLI_OPT_HELP:
		a->action = CLI_ACTION_HELP;
		return CLI_EXIT_OK;
	case CLI_OPT_VERSION:
		a->action = CLI_ACTION_VERSION;
		return CLI_EXIT_OK;
	case CLI_OPT_NETNS:
		if (value[0] == '\0')
			return fail_usage(p, "%s: empty namespace name", opt);
		a->netns = value;
		return CLI_EXIT_OK;
	case CLI_OPT_ALL_NETNS:
		a->all_netns = 1;
		return CLI_EXIT_OK;
	case CLI_OPT_BY:
		return apply_group_keys(p, opt, value);
	case CLI_OPT_TOP:
		return apply_count(p, opt, value, &a->top);
	case CLI_OPT_LISTEN:
		return apply_wait_port(p, opt, value, SOCKSTATE_WAIT_LISTEN);
	case CLI_OPT_DRAINED:
		return apply_wait_port(p, opt, value, SOCKSTATE_WAIT_DRAINED);
	case CLI_OPT_STATES:
		return apply_wait_states(p, opt, value);
	case CLI_OPT_EXCLUDE_REMOTE:
		return apply_exclude(p, opt, value);
	case CLI_OPT_TIMEOUT:
		return apply_seconds(p, opt, value, &a->timeout, 1);
	case CLI_OPT_INTERVAL:
		/* 0 is diagnose's "one look"; wait and watch refuse it once the
		 * subcommand is known (check_combinations). */
		p->interval_text = value;
		return apply_seconds(p, opt, value, &a->interval, 1);
	case CLI_OPT_WATCH:
		if (set_command(p, CLI_CMD_WATCH, opt) != CLI_EXIT_OK)
			return CLI_EXIT_USAGE;
		return value == NULL ? CLI_EXIT_OK
		       : apply_seconds(p, opt, value, &a->interval, 0);
	case CLI_OPT_SOURCE:
		return apply_source(p, opt, value);
	case CLI_OPT_DURATION:
		return apply_seconds(p, opt, value, &a->duration, 0);
	case CLI_OPT_MAX_EVENTS:
		return apply_count(p, opt, value, &a->max_events);
	case CLI_OPT_TO:
		return apply_to(p, opt, value);
	case CLI_OPT_PROBE:
		a->probe = 1;
		return CLI_EXIT_OK;
	case CLI_OPT_COUNT:
		break;
	}
	return fail_usage(p, "%s: unknown option", opt);
}

/* Record the option, refuse a second value for a one-value option, then
 * apply it. */
static int use_option(struct parser *p, const struct cli_option_spec *spec,
                      const char *spelled, const char *value)
{
	int first = p->spelled[spec->id][0] == '\0';

	int repeatable = spec->id == CLI_OPT_EXPLAIN || spec->id == CLI_OPT_BY ||
	                 spec->id == CLI_OPT_EXCLUDE_REMOTE || spec->id == CLI_OPT_PORT;

	if (in_or_group(spec->id) && spec->id != CLI_OPT_PORT) {
		/* Once per group of --or (--port: see apply_ports). */
		if (p->group_given & (UINT64_C(1) << spec->id))
			return fail_usage(p, "%s: given twice%s", spelled,
			                  p->a->query.alt_count ? " in one group of --or" : "");
		p->group_given |= UINT64_C(1) << spec->id;
	} else if (!first && spec->value_name != NULL && !repeatable) {
		return fail_usage(p, "%s: given twice", spelled);
	}
	if (first) {
		snprintf(p->spelled[spec->id], SPELLING_MAX, "%s", spelled);
		p->used[p->used_count++] = spec->id;
	}
	return apply_option(p, spec, spelled, value);
}

static const struct cli_option_spec *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < CLI_OPT_COUNT; i++)
		if (strlen(cli_options[i].long_name) == len &&
		    memcmp(cli_options[i].long_name, name, len) == 0)
			return &cli_options[i];
	return NULL;
}

static const struct cli_option_spec *find_short(char c)
{
	for (size_t i = 0; i < CLI_OPT_COUNT; i++)
		if (cli_options[i].short_name != 0 && cli_options[i].short_name == c)
			return &cli_options[i];
	return NULL;
}

/* "--opt" followed by an argument that is itself a long option means the
 * value was forgotten; a lone "-" or "-4" may be a value. */
static int looks_like_long_option(const char *arg)
{
	return arg[0] == '-' && arg[1] == '-' && arg[2] != '\0';
}

static int parse_long(struct parser *p, int argc, char **argv, int *i)
{
	const char *body = argv[*i] + 2;
	const char *eq = strchr(body, '=');
	size_t len = eq ? (size_t)(eq - body) : strlen(body);
	char spelled[SPELLING_MAX];
	const char *value = NULL;
	const struct cli_option_spec *spec;

	memcpy(spelled, "--", 2);
	copy_spelling(spelled + 2, sizeof spelled - 2, body, len);
	spec = find_long(body, len);
	if (spec == NULL)
		return fail_usage(p, "%s: unknown option (see %s --help)",
		                  spelled, p->prog->name);
	if (spec->value_name == NULL) {
		if (eq != NULL)
			return fail_usage(p, "%s: takes no value", spelled);
	} else if (cli_option_value_optional(spec->id)) {
		/* --watch[=S]: a separate word is never its value. */
		value = eq != NULL ? eq + 1 : NULL;
	} else if (eq != NULL) {
		value = eq + 1;
	} else if (*i + 1 < argc && !looks_like_long_option(argv[*i + 1])) {
		value = argv[++*i];
	} else {
		return fail_usage(p, "%s: missing value %s", spelled, spec->value_name);
	}
	return use_option(p, spec, spelled, value);
}

/* A bundle of short options: "-4p", "-o FILE", "-oFILE". */
static int parse_short(struct parser *p, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];

	for (size_t j = 1; arg[j] != '\0'; j++) {
		char spelled[8] = {'-', arg[j], '\0'};
		const struct cli_option_spec *spec = find_short(arg[j]);
		const char *value = NULL;
		int rc;

		if (spec == NULL) {
			char show_buf[96];
			return fail_usage(p, "-%s: unknown option (see %s --help)",
			                  cli_printable(spelled + 1, 1, show_buf,
			                                sizeof show_buf), p->prog->name);
		}
		if (spec->value_name != NULL) {
			if (arg[j + 1] != '\0')
				value = &arg[j + 1];
			else if (*i + 1 < argc && !looks_like_long_option(argv[*i + 1]))
				value = argv[++*i];
			else
				return fail_usage(p, "%s: missing value %s", spelled,
				                  spec->value_name);
			return use_option(p, spec, spelled, value);
		}
		rc = use_option(p, spec, spelled, NULL);
		if (rc != CLI_EXIT_OK || p->a->action != CLI_ACTION_RUN)
			return rc;
	}
	return CLI_EXIT_OK;
}

static int unknown_subcommand(struct parser *p, const char *arg)
{
	char show_buf[96];
	char names[128] = "";
	size_t used = 0;

	for (size_t k = 0; k < cli_subcommand_count; k++) {
		int n;

		if ((cli_subcommands[k].programs & p->prog->id) == 0)
			continue;
		n = snprintf(names + used, sizeof names - used, "%s%s",
		             used ? ", " : "", cli_subcommands[k].name);
		if (n > 0 && (size_t)n < sizeof names - used)
			used += (size_t)n;
	}
	return fail_usage(p, "'%s': unknown subcommand (%s; see %s --help)",
	                  SHOW(arg), names, p->prog->name);
}

/* help SUBCOMMAND: the one word after help. */
static int set_help_topic(struct parser *p, const char *arg)
{
	char show_buf[96];
	const struct cli_subcommand_spec *topic;

	if (p->a->help_topic != CLI_CMD_NONE)
		return fail_usage(p, "'%s': unexpected argument (help takes one "
		                  "SUBCOMMAND)", SHOW(arg));
	topic = cli_subcommand_find(p->prog, arg);
	if (topic == NULL)
		return unknown_subcommand(p, arg);
	p->a->help_topic = topic->cmd;
	return CLI_EXIT_OK;
}

static int parse_positional(struct parser *p, const char *arg)
{
	char show_buf[96];

	if (p->a->cmd == CLI_CMD_NONE) {
		const struct cli_subcommand_spec *c = cli_subcommand_find(p->prog, arg);
		if (c == NULL)
			return unknown_subcommand(p, arg);
		return set_command(p, c->cmd, arg);
	}
	/* "--summary trace": the option was trace's. */
	if (p->summary_by_option && strcmp(arg, cli_command_name(CLI_CMD_TRACE)) == 0) {
		p->summary_by_option = 0;
		p->a->cmd = CLI_CMD_TRACE;
		p->a->trace_summaries = 1;
		snprintf(p->command_by, sizeof p->command_by, "%s", arg);
		return CLI_EXIT_OK;
	}
	if (p->a->cmd == CLI_CMD_EXPLAIN)
		return set_explain_state(p, arg, "explain");
	if (p->a->cmd == CLI_CMD_HELP)
		return set_help_topic(p, arg);
	return fail_usage(p, "'%s': unexpected argument", SHOW(arg));
}

/* Options valid only with some subcommands are checked once the
 * subcommand is known, since it may come last. */
static int check_applicable(struct parser *p)
{
	unsigned here = CLI_IN(p->a->cmd);

	for (size_t k = 0; k < p->used_count; k++) {
		const struct cli_option_spec *spec = &cli_options[p->used[k]];
		if ((spec->commands & here) != 0)
			continue;
		/* An option of explain or diagnose alone says where it
		 * belongs: given without a subcommand, "not valid with list"
		 * would puzzle. */
		if ((spec->commands & ~(CLI_IN(CLI_CMD_EXPLAIN) | CLI_IN(CLI_CMD_DIAGNOSE))) == 0)
			return fail_usage(p, "%s: only valid with %s", p->spelled[spec->id],
			                  spec->commands == CLI_IN(CLI_CMD_EXPLAIN) ? "explain"
			                  : spec->commands == CLI_IN(CLI_CMD_DIAGNOSE) ? "diagnose"
			                  : "explain or diagnose");
		return fail_usage(p, "%s: not valid with %s", p->spelled[spec->id],
		                  cli_command_name(p->a->cmd));
	}
	return CLI_EXIT_OK;
}

static int finish_explain(struct parser *p)
{
	char show_buf[96], hint[CLI_STATE_HINT_MAX];
	sockstate_state s;

	if (!p->explain_state_given) {
		p->a->explain_list = 1;
		return CLI_EXIT_OK;
	}
	if (sockstate_state_parse(p->explain_text, &s) != SOCKSTATE_OK)
		return fail_usage(p, "%s: unknown state name '%s'%s", p->explain_by,
		                  SHOW(p->explain_text),
		                  cli_state_hint(p->explain_text, hint, sizeof hint));
	p->a->explain_state = s;
	return CLI_EXIT_OK;
}

static void args_init(struct cli_args *a)
{
	memset(a, 0, sizeof *a);
	a->action = CLI_ACTION_RUN;
	a->cmd = CLI_CMD_NONE;
	sockstate_query_init(&a->query);
	a->format = SOCKSTATE_FORMAT_TABLE;
	a->sort = SOCKSTATE_SORT_NONE;
	a->explain_state = SOCKSTATE_UNKNOWN;
	a->help_topic = CLI_CMD_NONE;
	sockstate_wait_cond_init(&a->wait, (sockstate_wait_kind)0, 0);
	a->timeout = -1;
	a->interval = -1;
	a->trace_source = SOCKSTATE_TRACE_AUTO;
	a->duration = -1;
}

/* The filters a Prometheus output refuses: its sockstate_tcp_sockets
 * series keep their host-wide names whatever is asked, so a filter would
 * publish part of the host as the whole (--port instead adds each port's
 * own series). */
static const enum cli_option_id host_wide_refuses[] = {
	CLI_OPT_STATE, CLI_OPT_SPORT, CLI_OPT_DPORT, CLI_OPT_ADDR, CLI_OPT_SADDR,
	CLI_OPT_DADDR, CLI_OPT_PID, CLI_OPT_UID, CLI_OPT_IPV4, CLI_OPT_IPV6, CLI_OPT_OR,
};

/* --port: the filter of a listing or a count (one port), or the ports of
 * the Prometheus per-port series (several, and no other filter). */
static int check_ports(struct parser *p)
{
	struct cli_args *a = p->a;

	if (a->format == SOCKSTATE_FORMAT_PROMETHEUS &&
	    (a->cmd == CLI_CMD_LIST || a->cmd == CLI_CMD_SUMMARY)) {
		for (size_t i = 0; i < sizeof host_wide_refuses / sizeof host_wide_refuses[0]; i++)
			if (p->spelled[host_wide_refuses[i]][0])
				return fail_usage(p, "%s: not with --format prometheus: its "
				                  "series count the whole host (--port adds a "
				                  "port's own series)",
				                  p->spelled[host_wide_refuses[i]]);
		/* The ports name series; the count is the whole host's. */
		a->query.port = -1;
		return CLI_EXIT_OK;
	}
	if (p->ports_several)
		return fail_usage(p, "%s: one port only%s (several name the per-port "
		                  "series of --format prometheus)", p->spelled[CLI_OPT_PORT],
		                  a->query.alt_count ? " in one group of --or" : "");
	return CLI_EXIT_OK;
}

static int check_diagnose(struct parser *p)
{
	struct cli_args *a = p->a;
	const sockstate_prefix *addr = &a->query.addr;

	if (a->format != SOCKSTATE_FORMAT_TABLE && a->format != SOCKSTATE_FORMAT_JSON)
		return fail_usage(p, "%s: diagnose writes table or json", p->format_by);
	if (addr->family && a->query.port < 0)
		return fail_usage(p, "%s: only with --port (the address of that port's "
		                  "service)", p->spelled[CLI_OPT_ADDR]);
	if (addr->family && addr->bits != (addr->family == SOCKSTATE_FAMILY_IPV4 ? 32 : 128))
		return fail_usage(p, "%s: diagnose takes one address, not a prefix",
		                  p->spelled[CLI_OPT_ADDR]);
	if (a->probe && !a->to_family)
		return fail_usage(p, "%s: only with --to ADDR:PORT", p->spelled[CLI_OPT_PROBE]);
	if (p->spelled[CLI_OPT_TIMEOUT][0] && !a->probe)
		return fail_usage(p, "%s: only with --probe (how long it waits)",
		                  p->spelled[CLI_OPT_TIMEOUT]);
	if (a->timeout == 0)
		return fail_usage(p, "%s: the probe needs more than 0 seconds",
		                  p->spelled[CLI_OPT_TIMEOUT]);
	if (a->timeout > 3600 || a->interval > 3600)
		return fail_usage(p, "%s: at most 3600 seconds",
		                  p->spelled[a->timeout > 3600 ? CLI_OPT_TIMEOUT : CLI_OPT_INTERVAL]);
	if (a->timeout < 0)
		a->timeout = 3;
	if (a->interval < 0)
		a->interval = 1;
	return CLI_EXIT_OK;
}

/* What only the whole line can tell: pairs that conflict, defaults that
 * depend on the subcommand. */
static int check_combinations(struct parser *p)
{
	struct cli_args *a = p->a;
	int rc = check_ports(p);

	if (rc != CLI_EXIT_OK)
		return rc;

	if (a->netns != NULL && a->all_netns)
		return fail_usage(p, "%s: conflicts with %s", p->spelled[CLI_OPT_ALL_NETNS],
		                  p->spelled[CLI_OPT_NETNS]);
	if (a->query.alt_count && p->group_given == 0)
		return fail_usage(p, "%s: no " OR_GROUP_KEYS " after it",
		                  p->spelled[CLI_OPT_OR]);
	if (a->replay != NULL) {
		static const enum cli_option_id os_only[] = {
			CLI_OPT_BACKEND, CLI_OPT_NETNS, CLI_OPT_ALL_NETNS};
		static const enum cli_option_id owners[] = {
			CLI_OPT_PROCESSES, CLI_OPT_PID, CLI_OPT_PID_SOURCE};

		for (size_t i = 0; i < sizeof os_only / sizeof os_only[0]; i++)
			if (p->spelled[os_only[i]][0])
				return fail_usage(p, "%s: conflicts with %s", p->spelled[os_only[i]],
				                  p->spelled[CLI_OPT_REPLAY]);
		for (size_t i = 0; i < sizeof owners / sizeof owners[0]; i++)
			if (p->spelled[owners[i]][0])
				return fail_usage(p, "%s: conflicts with %s (a capture holds no "
				                  "processes)", p->spelled[owners[i]],
				                  p->spelled[CLI_OPT_REPLAY]);
		if (a->sort == SOCKSTATE_SORT_PID || a->sort == SOCKSTATE_SORT_PROCESS)
			return fail_usage(p, "%s: conflicts with %s (a capture holds no "
			                  "processes)", p->spelled[CLI_OPT_SORT],
			                  p->spelled[CLI_OPT_REPLAY]);
	}
	if (a->cmd == CLI_CMD_SUMMARY && a->group_keys != 0 &&
	    a->format == SOCKSTATE_FORMAT_PROMETHEUS)
		return fail_usage(p, "%s: not available with --format prometheus (use "
		                  "--port for per-port series)", p->spelled[CLI_OPT_BY]);
	if (a->cmd == CLI_CMD_SUMMARY && a->top != 0 && a->group_keys == 0)
		return fail_usage(p, "%s: only with --by", p->spelled[CLI_OPT_TOP]);
	if (a->cmd == CLI_CMD_WAIT) {
		if (a->wait.kind == 0)
			return fail_usage(p, "wait: missing --listen PORT or --drained PORT");
		if (a->wait.kind == SOCKSTATE_WAIT_LISTEN && p->spelled[CLI_OPT_STATES][0])
			return fail_usage(p, "%s: only with --drained", p->spelled[CLI_OPT_STATES]);
		if (a->wait.kind == SOCKSTATE_WAIT_LISTEN && a->wait.exclude_count)
			return fail_usage(p, "%s: only with --drained",
			                  p->spelled[CLI_OPT_EXCLUDE_REMOTE]);
		if (a->timeout < 0)
			a->timeout = 300;
		if (a->interval < 0)
			a->interval = 1;
	}
	if (a->cmd == CLI_CMD_WATCH) {
		if (a->interval < 0)
			a->interval = 2;
		if (a->top == 0)
			a->top = 10;
	}
	if (a->cmd == CLI_CMD_DIAGNOSE)
		return check_diagnose(p);
	if (a->interval == 0) {
		double ignored;
		return apply_seconds(p, p->spelled[CLI_OPT_INTERVAL], p->interval_text, &ignored, 0);
	}
	if (a->cmd == CLI_CMD_TRACE) {
		if (a->format == SOCKSTATE_FORMAT_PROMETHEUS)
			return fail_usage(p, "%s: prometheus is not offered by trace (table, "
			                  "json, csv)", p->format_by);
		if (a->interval >= 0 && a->trace_source != SOCKSTATE_TRACE_AUTO &&
		    a->trace_source != SOCKSTATE_TRACE_POLL)
			return fail_usage(p, "%s: only with --source poll (or auto)",
			                  p->spelled[CLI_OPT_INTERVAL]);
	}
	return CLI_EXIT_OK;
}

int cli_parse(int argc, char **argv, const struct cli_program *prog,
              struct cli_args *a, struct cli_error *e)
{
	static struct parser zero;
	struct parser p = zero;
	int only_positional = 0;
	int rc = CLI_EXIT_OK;

	args_init(a);
	e->msg[0] = '\0';
	p.prog = prog;
	p.a = a;
	p.e = e;
	for (int i = 1; i < argc && rc == CLI_EXIT_OK; i++) {
		const char *arg = argv[i];

		if (only_positional || arg[0] != '-' || arg[1] == '\0')
			rc = parse_positional(&p, arg);
		else if (strcmp(arg, "--") == 0)
			only_positional = 1;
		else if (arg[1] == '-')
			rc = parse_long(&p, argc, argv, &i);
		else
			rc = parse_short(&p, argc, argv, &i);
		/* --help and --version answer at once, whatever follows:
		 * the help of the subcommand named so far, else all of it. */
		if (rc == CLI_EXIT_OK && a->action != CLI_ACTION_RUN) {
			if (a->cmd != CLI_CMD_HELP || a->help_topic == CLI_CMD_NONE)
				a->help_topic = a->cmd;
			return CLI_EXIT_OK;
		}
	}
	if (rc != CLI_EXIT_OK)
		return rc;
	if (a->cmd == CLI_CMD_NONE)
		a->cmd = CLI_CMD_LIST;
	if (a->cmd == CLI_CMD_SNAPSHOT)
		a->format = SOCKSTATE_FORMAT_JSON;
	rc = check_applicable(&p);
	if (rc == CLI_EXIT_OK && a->cmd == CLI_CMD_EXPLAIN)
		rc = finish_explain(&p);
	if (rc == CLI_EXIT_OK)
		rc = check_combinations(&p);
	return rc;
}

/* Whether the option at argv[i] takes the next word as its value, as
 * parse_long and parse_short decide it. */
static int takes_next_word(int argc, char **argv, int i)
{
	const char *arg = argv[i];

	if (i + 1 >= argc || looks_like_long_option(argv[i + 1]))
		return 0;
	if (arg[1] == '-') {
		const char *body = arg + 2;
		const struct cli_option_spec *spec =
			find_long(body, strcspn(body, "="));
		return spec != NULL && spec->value_name != NULL &&
		       !cli_option_value_optional(spec->id) &&
		       strchr(body, '=') == NULL;
	}
	for (size_t j = 1; arg[j] != '\0'; j++) {
		const struct cli_option_spec *spec = find_short(arg[j]);
		if (spec == NULL)
			return 0;
		if (spec->value_name != NULL)
			return arg[j + 1] == '\0';
	}
	return 0;
}

int cli_subcommand_at(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--") == 0)
			return i + 1 < argc ? i + 1 : -1;
		if (arg[0] != '-' || arg[1] == '\0')
			return i;
		if (takes_next_word(argc, argv, i))
			i++;
	}
	return -1;
}
