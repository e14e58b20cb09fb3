/* help.c - render --help from the tables in cli_spec.c. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define HELP_COLUMN 28

struct text {
	char *buf;
	size_t len;
	size_t cap;
	int failed;
};

static void put_n(struct text *t, const char *s, size_t n)
{
	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *nb = realloc(t->buf, cap);
		if (nb == NULL) {
			t->failed = 1;
			return;
		}
		t->buf = nb;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void put(struct text *t, const char *s)
{
	put_n(t, s, strlen(s));
}

static void put_spaces(struct text *t, size_t n)
{
	while (n-- > 0)
		put_n(t, " ", 1);
}

/* Every line of s, each prefixed by indent spaces. */
static void put_indented(struct text *t, const char *s, size_t indent)
{
	while (*s != '\0') {
		size_t n = strcspn(s, "\n");
		put_spaces(t, indent);
		put_n(t, s, n);
		put(t, "\n");
		s += n;
		if (*s == '\n')
			s++;
	}
}

/* "  left      right" with right's continuation lines under its first. */
static void put_row(struct text *t, const char *left, const char *right,
                    size_t column)
{
	size_t width = 2 + strlen(left);
	size_t n = strcspn(right, "\n");

	put(t, "  ");
	put(t, left);
	if (width + 1 >= column) {
		put(t, "\n");
		put_spaces(t, column);
	} else {
		put_spaces(t, column - width);
	}
	put_n(t, right, n);
	put(t, "\n");
	if (right[n] == '\n')
		put_indented(t, right + n + 1, column);
}

static void put_option(struct text *t, const struct cli_option_spec *o)
{
	char left[64] = "";
	size_t n = 0;

	if (o->short_name != 0) {
		left[n++] = '-';
		left[n++] = o->short_name;
		left[n++] = ',';
		left[n++] = ' ';
	} else {
		memcpy(left, "    ", 4);
		n = 4;
	}
	left[n] = '\0';
	strncat(left, "--", sizeof left - strlen(left) - 1);
	strncat(left, o->long_name, sizeof left - strlen(left) - 1);
	if (o->value_name != NULL) {
		int optional = cli_option_value_optional(o->id);

		strncat(left, optional ? "[=" : " ", sizeof left - strlen(left) - 1);
		strncat(left, o->value_name, sizeof left - strlen(left) - 1);
		if (optional)
			strncat(left, "]", sizeof left - strlen(left) - 1);
	}
	put_row(t, left, o->help, HELP_COLUMN);
}

/* A usage line: "  PROG USAGE", continuation lines under the first
 * word after the subcommand's name. */
static void put_usage(struct text *t, const struct cli_program *prog,
                      const struct cli_subcommand_spec *c)
{
	size_t first = strcspn(c->usage, "\n");

	put(t, "  ");
	put(t, prog->name);
	put(t, " ");
	put_n(t, c->usage, first);
	put(t, "\n");
	if (c->usage[first] == '\n')
		put_indented(t, c->usage + first + 1,
		             2 + strlen(prog->name) + 1 + strlen(c->name) + 1);
}

static int shown(unsigned programs, const struct cli_program *prog)
{
	return programs == 0 || (programs & prog->id) != 0;
}

static void put_example(struct text *t, const struct cli_program *prog,
                        const struct cli_text_row *row)
{
	put(t, "  ");
	put(t, prog->name);
	if (row->left[0] != '\0') {
		put(t, " ");
		put(t, row->left);
	}
	put(t, "\n");
	put_indented(t, row->right, 6);
}

/* The text, or NULL (freed) when memory ran out on the way. */
static char *finish(struct text *t)
{
	if (t->failed) {
		free(t->buf);
		return NULL;
	}
	return t->buf;
}

char *cli_help_render(const struct cli_program *prog)
{
	const int python = prog->id == CLI_PROG_PYTHON;
	struct text t = {0};

	put(&t, "Usage:\n");
	for (size_t i = 0; i < cli_subcommand_count; i++)
		if (shown(cli_subcommands[i].programs, prog))
			put_usage(&t, prog, &cli_subcommands[i]);
	put(&t, "  ");
	put(&t, prog->name);
	put(&t, " --help | --version\n\n");
	put(&t, python ? cli_help_intro_python : cli_help_intro);
	put(&t, "\n\nSubcommands:\n");
	for (size_t i = 0; i < cli_subcommand_count; i++)
		if (shown(cli_subcommands[i].programs, prog))
			put_row(&t, cli_subcommand_label(&cli_subcommands[i]),
			        cli_subcommands[i].help, HELP_COLUMN);
	for (int g = 0; g < CLI_GROUP_COUNT; g++) {
		put(&t, "\n");
		put(&t, python && cli_group_titles_python[g] ? cli_group_titles_python[g]
		                                             : cli_group_titles[g]);
		put(&t, "\n");
		for (size_t i = 0; i < CLI_OPT_COUNT; i++)
			if (cli_options[i].group == (enum cli_group)g)
				put_option(&t, &cli_options[i]);
	}
	put(&t, "\nStates:\n");
	put_indented(&t, cli_help_states, 2);
	put(&t, "\nExit status:\n");
	for (size_t i = 0; i < cli_exit_row_count; i++)
		put_row(&t, cli_exit_rows[i].left, cli_exit_rows[i].right, 6);
	put(&t, "\nEnvironment:\n");
	for (size_t i = 0; i < cli_environment_row_count; i++)
		put_row(&t, cli_environment_rows[i].left,
		        cli_environment_rows[i].right, HELP_COLUMN);
	put(&t, "\nExamples:\n");
	for (size_t i = 0; i < cli_example_row_count; i++)
		if (shown(cli_example_rows[i].programs, prog))
			put_example(&t, prog, &cli_example_rows[i]);
	return finish(&t);
}

/* The subcommand an example runs: its first word when that names one of
 * prog's subcommands, else list (the default). */
static enum cli_command example_command(const struct cli_program *prog,
                                        const struct cli_text_row *row)
{
	char word[32];
	size_t n = strcspn(row->left, " ");
	const struct cli_subcommand_spec *c;

	if (n >= sizeof word)
		return CLI_CMD_LIST;
	memcpy(word, row->left, n);
	word[n] = '\0';
	c = cli_subcommand_find(prog, word);
	return c != NULL ? c->cmd : CLI_CMD_LIST;
}

char *cli_help_render_command(const struct cli_program *prog, enum cli_command cmd)
{
	const struct cli_subcommand_spec *c = NULL;
	const char *section = NULL;
	struct text t = {0};
	int examples = 0;

	for (size_t i = 0; i < cli_subcommand_count; i++)
		if (cli_subcommands[i].cmd == cmd && shown(cli_subcommands[i].programs, prog))
			c = &cli_subcommands[i];
	if (c == NULL)
		return cli_help_render(prog);
	put(&t, "Usage:\n");
	put_usage(&t, prog, c);
	put(&t, "\n");
	put_indented(&t, c->help, 2);
	for (int g = 0; g < CLI_GROUP_COUNT; g++) {
		for (size_t i = 0; i < CLI_OPT_COUNT; i++) {
			if (cli_options[i].group != (enum cli_group)g ||
			    (cli_options[i].commands & CLI_IN(cmd)) == 0)
				continue;
			const char *title = g == CLI_GROUP_FILTER && (CLI_IN(cmd) & CLI_IN_HANDLE)
			                    ? cli_group_title_where : cli_group_titles_command[g];

			if (section == NULL || strcmp(section, title) != 0) {
				section = title;
				put(&t, "\n");
				put(&t, section);
				put(&t, "\n");
			}
			put_option(&t, &cli_options[i]);
		}
	}
	for (size_t i = 0; i < cli_example_row_count; i++) {
		if (!shown(cli_example_rows[i].programs, prog) ||
		    example_command(prog, &cli_example_rows[i]) != cmd)
			continue;
		if (examples++ == 0)
			put(&t, "\nExamples:\n");
		put_example(&t, prog, &cli_example_rows[i]);
	}
	put(&t, "\nEvery subcommand, exit status, states: ");
	put(&t, prog->name);
	put(&t, " --help\n");
	return finish(&t);
}
