/* gen_sockstate_man.c - write sockstate(1) in man(7) roff to stdout, from
 * the CLI's own tables (libsockstate/cli/cli_spec.c: subcommands, options,
 * exit codes, environment, examples) and the library's state table (names
 * and English explanations), so the page says what --help says and cannot
 * drift from it. A build-time tool, never installed.
 *
 * Usage: gen_sockstate_man VERSION DATE OUTPUT
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Text for a roff text line: backslashes escaped, a '-' that starts an
 * option-like word ("-p", "--format") as the minus sign \- (so it can be
 * copied and typed), other hyphens kept as hyphens. */
static void put_escaped_n(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t run = i;

		while (run > 0 && s[run - 1] == '-')
			run--;
		if (s[i] == '\\')
			fputs("\\e", stdout);
		else if (s[i] == '-' && (run == 0 || strchr(" \t([|,\"'=`/", s[run - 1]) != NULL))
			fputs("\\-", stdout);
		else
			putchar(s[i]);
	}
}

static void put_escaped(const char *s)
{
	put_escaped_n(s, strlen(s));
}

/* One physical line of text; roff fills lines into paragraphs. A line
 * that would start with a control character is protected with \&. */
static void put_text_line(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n == 0)
		return;
	if (*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	put_escaped_n(s, n);
	putchar('\n');
}

/* Every line of a '\n'-separated text as roff text lines. */
static void put_text(const char *s)
{
	while (*s != '\0') {
		size_t n = strcspn(s, "\n");
		put_text_line(s, n);
		s += n;
		if (*s == '\n')
			s++;
	}
}

/* A synopsis fragment ("summary [FILTERS] [--by KEY,...]"): literal words
 * and options bold, metavariables (upper case) italic, brackets and
 * punctuation roman. Runs of white space (the continuation line of a
 * long usage) become one space. */
static void put_synopsis(const char *s)
{
	int pending_space = 0;

	while (*s != '\0') {
		if (isspace((unsigned char)*s)) {
			pending_space = 1;
			s++;
			continue;
		}
		if (pending_space) {
			putchar(' ');
			pending_space = 0;
		}
		if (*s == '-' || islower((unsigned char)*s)) {
			size_t n = strspn(s, "-abcdefghijklmnopqrstuvwxyz0123456789_");
			fputs("\\fB", stdout);
			put_escaped_n(s, n);
			fputs("\\fR", stdout);
			s += n;
		} else if (isupper((unsigned char)*s)) {
			size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
			fputs("\\fI", stdout);
			put_escaped_n(s, n);
			fputs("\\fR", stdout);
			s += n;
		} else {
			put_escaped_n(s, 1);
			s++;
		}
	}
}

static void put_option_tag(const struct cli_option_spec *o)
{
	fputs(".TP\n", stdout);
	if (o->short_name != 0)
		printf("\\fB\\-%c\\fR, ", o->short_name);
	fputs("\\fB\\-\\-", stdout);
	put_escaped(o->long_name);
	fputs("\\fR", stdout);
	if (o->value_name != NULL) {
		int optional = cli_option_value_optional(o->id);
		fputs(optional ? "[=" : " ", stdout);
		put_synopsis(o->value_name);
		if (optional)
			putchar(']');
	}
	putchar('\n');
}

/* Is every word of the line a normalized state name? (The list at the
 * top of cli_help_states, which the STATES section gives one by one.) */
static int is_state_list_line(const char *s, size_t n)
{
	int words = 0;

	while (n > 0) {
		char word[32];
		size_t w;
		int known = 0;

		while (n > 0 && *s == ' ') {
			s++;
			n--;
		}
		w = 0;
		while (w < n && s[w] != ' ')
			w++;
		if (w == 0)
			break;
		if (w >= sizeof word)
			return 0;
		memcpy(word, s, w);
		word[w] = '\0';
		for (int st = 0; st < SOCKSTATE_STATE_COUNT; st++) {
			const char *name = sockstate_state_name((sockstate_state)st);
			if (name != NULL && strcmp(name, word) == 0)
				known = 1;
		}
		if (!known)
			return 0;
		words++;
		s += w;
		n -= w;
	}
	return words > 0;
}

static void put_states(void)
{
	const char *s = cli_help_states;

	fputs(".SH STATES\n", stdout);
	fputs("Every socket is reported in one of these states, whatever the OS;\n"
	      "the OS's own name is kept beside it as the native state.\n", stdout);
	while (*s != '\0') {
		size_t n = strcspn(s, "\n");
		if (!is_state_list_line(s, n))
			put_text_line(s, n);
		s += n;
		if (*s == '\n')
			s++;
	}
	/* In the library's order, UNKNOWN (0) last. */
	for (int i = 1; i <= SOCKSTATE_STATE_COUNT; i++) {
		sockstate_state st = (sockstate_state)(i % SOCKSTATE_STATE_COUNT);
		sockstate_state_info info;
		const char *name = sockstate_state_name(st);

		if (name == NULL)
			continue;
		printf(".TP\n\\fB%s\\fR\n", name);
		if (sockstate_state_describe(st, "en", &info) == SOCKSTATE_OK &&
		    info.meaning != NULL)
			put_text(info.meaning);
	}
	fputs(".PP\n\\fBsockstate explain\\fR \\fISTATE\\fR gives the whole explanation:\n"
	      "which side sees the state and what many sockets in it usually mean.\n",
	      stdout);
}

/* Rows of the tool's --help; command_prefix before each left column
 * (the examples' "sockstate"), or NULL. */
static void put_rows(const struct cli_text_row *rows, size_t count,
                     const char *command_prefix)
{
	for (size_t i = 0; i < count; i++) {
		if (rows[i].programs != 0 && (rows[i].programs & CLI_PROG_TOOL) == 0)
			continue;
		fputs(".TP\n\\fB", stdout);
		if (command_prefix != NULL) {
			put_escaped(command_prefix);
			if (rows[i].left[0] != '\0')
				put_escaped(" ");
		}
		put_escaped(rows[i].left);
		fputs("\\fR\n", stdout);
		put_text(rows[i].right);
	}
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gen_sockstate_man VERSION DATE OUTPUT\n");
		return 2;
	}
	if (freopen(argv[3], "w", stdout) == NULL) {
		perror(argv[3]);
		return 1;
	}
	printf(".\\\" sockstate(1). Generated by docs/man/gen_sockstate_man.c from\n"
	       ".\\\" libsockstate/cli/cli_spec.c: edit those, not this file.\n");
	printf(".TH SOCKSTATE 1 \"%s\" \"sockstate %s\" \"User Commands\"\n",
	       argv[2], argv[1]);
	fputs(".SH NAME\nsockstate \\- list TCP sockets with their state in one "
	      "vocabulary on every OS\n", stdout);

	/* .SY/.YS (groff's man extensions, also in mandoc): the command in
	 * bold, its continuation lines indented under the first word. */
	fputs(".SH SYNOPSIS\n", stdout);
	for (size_t i = 0; i < cli_subcommand_count; i++) {
		if ((cli_subcommands[i].programs & CLI_PROG_TOOL) == 0)
			continue;
		fputs(".SY sockstate\n", stdout);
		put_synopsis(cli_subcommands[i].usage);
		fputs("\n.YS\n", stdout);
	}
	fputs(".SY sockstate\n\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR\n.YS\n",
	      stdout);

	fputs(".SH DESCRIPTION\n", stdout);
	put_text(cli_help_intro);

	fputs(".SH SUBCOMMANDS\n", stdout);
	for (size_t i = 0; i < cli_subcommand_count; i++) {
		if ((cli_subcommands[i].programs & CLI_PROG_TOOL) == 0)
			continue;
		fputs(".TP\n", stdout);
		put_synopsis(cli_subcommand_label(&cli_subcommands[i]));
		putchar('\n');
		put_text(cli_subcommands[i].help);
	}

	fputs(".SH OPTIONS\n", stdout);
	for (int g = 0; g < CLI_GROUP_COUNT; g++) {
		const char *title = cli_group_titles[g];
		size_t n = strlen(title);

		/* "Filters (list, summary, watch; ...):" without the colon. */
		if (n > 0 && title[n - 1] == ':')
			n--;
		fputs(".SS \"", stdout);
		put_escaped_n(title, n);
		fputs("\"\n", stdout);
		for (size_t i = 0; i < CLI_OPT_COUNT; i++)
			if (cli_options[i].group == (enum cli_group)g) {
				put_option_tag(&cli_options[i]);
				put_text(cli_options[i].help);
			}
	}

	put_states();

	fputs(".SH \"EXIT STATUS\"\n", stdout);
	put_rows(cli_exit_rows, cli_exit_row_count, NULL);

	fputs(".SH ENVIRONMENT\n", stdout);
	put_rows(cli_environment_rows, cli_environment_row_count, NULL);

	fputs(".SH EXAMPLES\n", stdout);
	put_rows(cli_example_rows, cli_example_row_count, "sockstate");

	fputs(".SH \"SEE ALSO\"\n"
	      ".BR libsockstate (3),\n"
	      ".BR ss (8),\n"
	      ".BR netstat (8).\n"
	      ".PP\n"
	      "Python: python3 \\-m sockstate (the same subcommands and options).\n",
	      stdout);
	if (ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "gen_sockstate_man: writing %s failed\n", argv[3]);
		remove(argv[3]);
		return 1;
	}
	return 0;
}
