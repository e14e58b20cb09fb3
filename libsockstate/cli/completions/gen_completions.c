/* gen_completions.c - write the bash or zsh completion of `sockstate` to
 * stdout, from the CLI's own table (cli_spec.c: subcommands, options and
 * where each is valid) and the library's names (states, backends, group
 * keys), so an option or a state added there is completed on the next
 * build. A build-time tool, never installed.
 *
 * Usage: gen_completions bash|zsh OUTPUT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* How an option's value is completed. */
enum value_kind {
	VALUE_NONE = 0,     /* free text (ports, addresses, numbers) */
	VALUE_WORDS,        /* one word of a list */
	VALUE_LIST,         /* a comma-separated list of words */
	VALUE_FILE,         /* a file name */
	VALUE_NETNS         /* a name under /run/netns, a path, or pid:PID */
};

struct value_completion {
	enum value_kind kind;
	char words[1024];   /* space-separated */
};

static void add_word(struct value_completion *v, const char *word)
{
	size_t len = strlen(v->words);

	if (len + strlen(word) + 2 > sizeof v->words) {
		fprintf(stderr, "gen_completions: word list too long at '%s'\n", word);
		exit(1);
	}
	if (len > 0)
		strcat(v->words, " ");
	strcat(v->words, word);
}

static void add_states(struct value_completion *v)
{
	for (int s = 0; s < SOCKSTATE_STATE_COUNT; s++) {
		const char *name = sockstate_state_name((sockstate_state)s);
		sockstate_state parsed;

		/* Offer only what the parser takes back. */
		if (name != NULL && sockstate_state_parse(name, &parsed) == SOCKSTATE_OK)
			add_word(v, name);
	}
}

/* Words the library has no list of: each is checked against the
 * library's parser here, so a word it stopped accepting fails the build. */
static void add_checked(struct value_completion *v, const char *const *words,
                        int (*accepts)(const char *))
{
	for (size_t i = 0; words[i] != NULL; i++) {
		if (!accepts(words[i])) {
			fprintf(stderr, "gen_completions: the library refuses '%s'\n", words[i]);
			exit(1);
		}
		add_word(v, words[i]);
	}
}

static int format_ok(const char *w)
{
	sockstate_format f;
	return sockstate_format_parse(w, &f) == SOCKSTATE_OK;
}

static int sort_key_ok(const char *w)
{
	sockstate_sort_key k;
	return sockstate_sort_key_parse(w, &k) == SOCKSTATE_OK;
}

static int states_ok(const char *w)
{
	uint32_t mask;
	return sockstate_states_parse(w, &mask, NULL) == SOCKSTATE_OK;
}

static int any_ok(const char *w)
{
	return w[0] != '\0';
}

/* The completion of one option's value. Options not named here get
 * words from a value name such as "en|es", else nothing. */
static struct value_completion value_of(const struct cli_option_spec *o)
{
	static const char *const formats[] = {"table", "json", "csv", "prometheus", NULL};
	static const char *const sort_keys[] = {"state", "local", "remote", "pid",
	                                        "process", "none", NULL};
	static const char *const all_states[] = {"all", NULL};
	/* What the CLI's --pid-source takes (args.c); "bpf" where built. */
	static const char *const pid_sources[] = {"auto", "procfs", "bpf", NULL};
	struct value_completion v;

	memset(&v, 0, sizeof v);
	if (o->value_name == NULL || cli_option_value_optional(o->id))
		return v;
	switch (o->id) {
	case CLI_OPT_STATE:
	case CLI_OPT_STATES:
		v.kind = VALUE_LIST;
		add_states(&v);
		add_checked(&v, all_states, states_ok);
		return v;
	case CLI_OPT_EXPLAIN:
		v.kind = VALUE_WORDS;
		add_states(&v);
		return v;
	case CLI_OPT_BACKEND: {
		const char *const *b = sockstate_backends();
		v.kind = VALUE_WORDS;
		add_word(&v, "auto");
		for (size_t i = 0; b != NULL && b[i] != NULL; i++)
			add_word(&v, b[i]);
		return v;
	}
	case CLI_OPT_PID_SOURCE:
		v.kind = VALUE_WORDS;
		add_checked(&v, pid_sources, any_ok);
		return v;
	case CLI_OPT_FORMAT:
		v.kind = VALUE_WORDS;
		add_checked(&v, formats, format_ok);
		return v;
	case CLI_OPT_SORT:
		v.kind = VALUE_WORDS;
		add_checked(&v, sort_keys, sort_key_ok);
		return v;
	case CLI_OPT_BY:
		v.kind = VALUE_LIST;
		for (uint32_t key = 1; key != 0 && key <= SOCKSTATE_GROUP_KEYS_ALL; key <<= 1)
			if (sockstate_group_key_name(key) != NULL)
				add_word(&v, sockstate_group_key_name(key));
		return v;
	case CLI_OPT_OUTPUT:
		v.kind = VALUE_FILE;
		return v;
	case CLI_OPT_NETNS:
		v.kind = VALUE_NETNS;
		return v;
	default:
		break;
	}
	/* "en|es": the choices are the value name itself. */
	if (strchr(o->value_name, '|') != NULL &&
	    strspn(o->value_name, "abcdefghijklmnopqrstuvwxyz0123456789-_|") ==
	    strlen(o->value_name)) {
		const char *w = o->value_name;

		v.kind = VALUE_WORDS;
		while (*w != '\0') {
			char word[64];
			size_t n = strcspn(w, "|");

			if (n > 0 && n < sizeof word) {
				memcpy(word, w, n);
				word[n] = '\0';
				add_word(&v, word);
			}
			w += n;
			if (*w == '|')
				w++;
		}
	}
	return v;
}

/* The subcommands of the sockstate tool (python -m sockstate has two
 * more, which no shell completes). */
static int for_the_tool(const struct cli_subcommand_spec *cmd)
{
	return (cmd->programs & CLI_PROG_TOOL) != 0;
}

static int valid_in(const struct cli_option_spec *o, const struct cli_subcommand_spec *cmd)
{
	return cmd == NULL || (o->commands & CLI_IN(cmd->cmd)) != 0;
}

/* The option words valid with cmd (NULL: no subcommand yet, every option,
 * since options may come before the subcommand). */
static void put_option_words(const struct cli_subcommand_spec *cmd)
{
	int first = 1;

	for (size_t i = 0; i < CLI_OPT_COUNT; i++) {
		const struct cli_option_spec *o = &cli_options[i];
		if (!valid_in(o, cmd))
			continue;
		printf("%s--%s", first ? "" : " ", o->long_name);
		first = 0;
		if (o->short_name != 0)
			printf(" -%c", o->short_name);
	}
}

/* A word for a single-quoted shell string. */
static void put_single_quoted(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
}

/* The first line of a help text, for zsh's descriptions. */
static void put_first_line_quoted(const char *s)
{
	char buf[256];
	size_t n = strcspn(s, "\n");

	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	put_single_quoted(buf);
}

static void put_state_words(void)
{
	struct value_completion v;

	memset(&v, 0, sizeof v);
	add_states(&v);
	fputs(v.words, stdout);
}

/* ---------------------------------------------------------------- bash */

static void put_bash_values(void)
{
	for (size_t i = 0; i < CLI_OPT_COUNT; i++) {
		const struct cli_option_spec *o = &cli_options[i];
		struct value_completion v = value_of(o);

		if (v.kind == VALUE_NONE)
			continue;
		printf("        --%s", o->long_name);
		if (o->short_name != 0)
			printf("|-%c", o->short_name);
		switch (v.kind) {
		case VALUE_WORDS:
			printf(") _sockstate_words '%s' ;;\n", v.words);
			break;
		case VALUE_LIST:
			printf(") _sockstate_list '%s' ;;\n", v.words);
			break;
		case VALUE_FILE:
			printf(") _sockstate_files ;;\n");
			break;
		case VALUE_NETNS:
			printf(") _sockstate_netns ;;\n");
			break;
		case VALUE_NONE:
			break;
		}
	}
}

static void put_bash(void)
{
	fputs("# bash completion for sockstate(1).\n"
	      "# Generated by libsockstate/cli/completions/gen_completions.c from the\n"
	      "# CLI's option table (libsockstate/cli/cli_spec.c) and the library's\n"
	      "# names: edit those, not this file.\n\n", stdout);

	fputs("_sockstate_subcommands='", stdout);
	for (size_t i = 0; i < cli_subcommand_count; i++)
		if (for_the_tool(&cli_subcommands[i]))
			printf("%s%s", i ? " " : "", cli_subcommands[i].name);
	fputs("'\n", stdout);

	/* Exact words only: "-oFILE" carries its value, "--opt=V" too. */
	fputs("# Options whose value is the next word.\n"
	      "_sockstate_takes_value=' ", stdout);
	for (size_t i = 0; i < CLI_OPT_COUNT; i++) {
		const struct cli_option_spec *o = &cli_options[i];
		if (o->value_name == NULL || cli_option_value_optional(o->id))
			continue;
		printf("--%s ", o->long_name);
		if (o->short_name != 0)
			printf("-%c ", o->short_name);
	}
	fputs("'\n\n", stdout);

	fputs("# The options valid with a subcommand; before one, every option.\n"
	      "_sockstate_options()\n{\n    case $1 in\n", stdout);
	for (size_t i = 0; i < cli_subcommand_count; i++) {
		if (!for_the_tool(&cli_subcommands[i]))
			continue;
		printf("        %s) echo '", cli_subcommands[i].name);
		put_option_words(&cli_subcommands[i]);
		fputs("' ;;\n", stdout);
	}
	fputs("        *) echo '", stdout);
	put_option_words(NULL);
	fputs("' ;;\n    esac\n}\n\n", stdout);

	fputs(
"# COMPREPLY: the words of $1 that start with $cur (states match in any\n"
"# case), each after $_sockstate_prefix.\n"
"_sockstate_words()\n"
"{\n"
"    local w\n"
"    if [[ \" $_sockstate_states \" == *\" ${1%% *} \"* ]]; then\n"
"        for w in $1; do\n"
"            [[ ${w^^} == \"${cur^^}\"* ]] && COMPREPLY+=(\"$_sockstate_prefix$w\")\n"
"        done\n"
"    else\n"
"        for w in $1; do\n"
"            [[ $w == \"$cur\"* ]] && COMPREPLY+=(\"$_sockstate_prefix$w\")\n"
"        done\n"
"    fi\n"
"}\n"
"\n"
"# A comma-separated list: complete the item after the last comma.\n"
"_sockstate_list()\n"
"{\n"
"    if [[ $cur == *,* ]]; then\n"
"        _sockstate_prefix+=${cur%,*},\n"
"        cur=${cur##*,}\n"
"    fi\n"
"    _sockstate_words \"$1\"\n"
"    compopt -o nospace 2>/dev/null\n"
"}\n"
"\n"
"_sockstate_files()\n"
"{\n"
"    local f\n"
"    compopt -o filenames 2>/dev/null\n"
"    while IFS= read -r f; do\n"
"        COMPREPLY+=(\"$_sockstate_prefix$f\")\n"
"    done < <(compgen -f -- \"$cur\")\n"
"}\n"
"\n"
"# A name under /run/netns, or pid:PID, or a path.\n"
"_sockstate_netns()\n"
"{\n"
"    local names=''\n"
"    [[ -d /run/netns ]] && names=$(command ls /run/netns 2>/dev/null)\n"
"    if [[ $cur == */* ]]; then\n"
"        _sockstate_files\n"
"    else\n"
"        _sockstate_words \"$names pid:\"\n"
"        [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *pid: ]] &&\n"
"            compopt -o nospace 2>/dev/null\n"
"    fi\n"
"}\n"
"\n", stdout);

	fputs("_sockstate_states='", stdout);
	put_state_words();
	fputs("'\n\n", stdout);

	fputs(
"_sockstate()\n"
"{\n"
"    local cur=${COMP_WORDS[COMP_CWORD]} cmd='' opt='' w i positional=0\n"
"    local _sockstate_prefix=''\n"
"    COMPREPLY=()\n"
"\n"
"    # The subcommand: the first word that is neither an option nor an\n"
"    # option's value (with '=' a word break, --opt=V is three words).\n"
"    for (( i = 1; i < COMP_CWORD; i++ )); do\n"
"        w=${COMP_WORDS[i]}\n"
"        if [[ $w == -* ]]; then\n"
"            if [[ $_sockstate_takes_value == *\" $w \"* ]]; then\n"
"                if [[ ${COMP_WORDS[i+1]} == = ]]; then (( i += 2 )); else (( i++ )); fi\n"
"            elif [[ ${COMP_WORDS[i+1]} == = ]]; then\n"
"                (( i += 2 ))\n"
"            fi\n"
"        elif [[ -z $cmd && \" $_sockstate_subcommands \" == *\" $w \"* ]]; then\n"
"            cmd=$w\n"
"        else\n"
"            (( positional++ ))\n"
"        fi\n"
"    done\n"
"\n"
"    # The option whose value is under the cursor, if any.\n"
"    if [[ $cur == = && ${COMP_WORDS[COMP_CWORD-1]} == -* ]]; then\n"
"        opt=${COMP_WORDS[COMP_CWORD-1]}\n"
"        cur=''\n"
"    elif [[ ${COMP_WORDS[COMP_CWORD-1]} == = && ${COMP_WORDS[COMP_CWORD-2]} == -* ]]; then\n"
"        opt=${COMP_WORDS[COMP_CWORD-2]}\n"
"    elif [[ $cur == --*=* ]]; then\n"
"        opt=${cur%%=*}\n"
"        _sockstate_prefix=$opt=\n"
"        cur=${cur#*=}\n"
"    elif (( COMP_CWORD > 1 )) &&\n"
"         [[ $_sockstate_takes_value == *\" ${COMP_WORDS[COMP_CWORD-1]} \"* ]]; then\n"
"        opt=${COMP_WORDS[COMP_CWORD-1]}\n"
"    fi\n"
"\n"
"    if [[ -n $opt ]]; then\n"
"        case $opt in\n", stdout);
	put_bash_values();
	fputs(
"        esac\n"
"        return 0\n"
"    fi\n"
"\n"
"    if [[ $cur == -* ]]; then\n"
"        _sockstate_words \"$(_sockstate_options \"$cmd\")\"\n"
"    elif [[ -z $cmd ]]; then\n"
"        _sockstate_words \"$_sockstate_subcommands\"\n"
"    elif [[ $cmd == explain ]] && (( positional == 0 )); then\n"
"        _sockstate_words \"$_sockstate_states\"\n"
"    elif [[ $cmd == help ]] && (( positional == 0 )); then\n"
"        _sockstate_words \"$_sockstate_subcommands\"\n"
"    fi\n"
"    return 0\n"
"}\n"
"\n"
"complete -F _sockstate sockstate\n", stdout);
}

/* ----------------------------------------------------------------- zsh */

static void put_zsh_values(void)
{
	for (size_t i = 0; i < CLI_OPT_COUNT; i++) {
		const struct cli_option_spec *o = &cli_options[i];
		struct value_completion v = value_of(o);

		if (v.kind == VALUE_NONE)
			continue;
		printf("    (--%s", o->long_name);
		if (o->short_name != 0)
			printf("|-%c", o->short_name);
		switch (v.kind) {
		case VALUE_WORDS:
			printf(") values=(%s) ;;\n", v.words);
			break;
		case VALUE_LIST:
			printf(") list=1; values=(%s) ;;\n", v.words);
			break;
		case VALUE_FILE:
			printf(") _files; return ;;\n");
			break;
		case VALUE_NETNS:
			printf(") [[ $PREFIX == */* ]] && { _files; return }\n"
			       "      values=(${(f)\"$(command ls /run/netns 2>/dev/null)\"} pid:) ;;\n");
			break;
		case VALUE_NONE:
			break;
		}
	}
}

static void put_zsh_option_specs(const struct cli_subcommand_spec *cmd)
{
	for (size_t i = 0; i < CLI_OPT_COUNT; i++) {
		const struct cli_option_spec *o = &cli_options[i];
		if (!valid_in(o, cmd))
			continue;
		printf("        '--%s:", o->long_name);
		put_first_line_quoted(o->help);
		fputs("'\n", stdout);
		if (o->short_name != 0) {
			printf("        '-%c:", o->short_name);
			put_first_line_quoted(o->help);
			fputs("'\n", stdout);
		}
	}
}

static void put_zsh(void)
{
	fputs("#compdef sockstate\n"
	      "# zsh completion for sockstate(1).\n"
	      "# Generated by libsockstate/cli/completions/gen_completions.c from the\n"
	      "# CLI's option table (libsockstate/cli/cli_spec.c) and the library's\n"
	      "# names: edit those, not this file.\n\n", stdout);

	fputs("_sockstate() {\n"
	      "  local -a subcommands options values takes_value\n"
	      "  local cmd= w i list=0 positional=0 opt=\n"
	      "  subcommands=(\n", stdout);
	for (size_t i = 0; i < cli_subcommand_count; i++) {
		if (!for_the_tool(&cli_subcommands[i]))
			continue;
		printf("    '%s:", cli_subcommands[i].name);
		put_first_line_quoted(cli_subcommands[i].help);
		fputs("'\n", stdout);
	}
	fputs("  )\n  takes_value=(", stdout);
	for (size_t i = 0; i < CLI_OPT_COUNT; i++) {
		const struct cli_option_spec *o = &cli_options[i];
		if (o->value_name == NULL || cli_option_value_optional(o->id))
			continue;
		printf(" --%s", o->long_name);
		if (o->short_name != 0)
			printf(" -%c", o->short_name);
	}
	fputs(" )\n\n", stdout);

	fputs(
"  # The subcommand: the first word that is neither an option nor an\n"
"  # option's value.\n"
"  for (( i = 2; i < CURRENT; i++ )); do\n"
"    w=$words[i]\n"
"    if [[ $w == -* ]]; then\n"
"      (( $takes_value[(Ie)$w] )) && (( i++ ))\n"
"    elif [[ -z $cmd && -n ${(M)subcommands:#$w:*} ]]; then\n"
"      cmd=$w\n"
"    else\n"
"      (( positional++ ))\n"
"    fi\n"
"  done\n"
"\n"
"  # The option whose value is under the cursor, if any.\n"
"  if [[ $PREFIX == --*=* ]]; then\n"
"    opt=${PREFIX%%=*}\n"
"    compset -P '*='\n"
"  elif (( CURRENT > 2 && $takes_value[(Ie)$words[CURRENT-1]] )); then\n"
"    opt=$words[CURRENT-1]\n"
"  fi\n"
"\n"
"  if [[ -n $opt ]]; then\n"
"    case $opt in\n", stdout);
	put_zsh_values();
	fputs(
"    (*) return 1 ;;\n"
"    esac\n"
"    if (( list )); then\n"
"      compset -P '*,'\n"
"      compadd -S '' -M 'm:{a-z}={A-Z}' -a values\n"
"    else\n"
"      compadd -M 'm:{a-z}={A-Z}' -a values\n"
"    fi\n"
"    return\n"
"  fi\n"
"\n"
"  if [[ $PREFIX == -* ]]; then\n"
"    case $cmd in\n", stdout);
	for (size_t i = 0; i < cli_subcommand_count; i++) {
		if (!for_the_tool(&cli_subcommands[i]))
			continue;
		printf("    (%s) options=(\n", cli_subcommands[i].name);
		put_zsh_option_specs(&cli_subcommands[i]);
		fputs("      ) ;;\n", stdout);
	}
	fputs("    (*) options=(\n", stdout);
	put_zsh_option_specs(NULL);
	fputs("      ) ;;\n"
	      "    esac\n"
	      "    _describe -t options 'option' options\n"
	      "  elif [[ -z $cmd ]]; then\n"
	      "    _describe -t subcommands 'subcommand' subcommands\n"
	      "  elif [[ $cmd == explain ]] && (( positional == 0 )); then\n"
	      "    values=(", stdout);
	put_state_words();
	fputs(")\n"
	      "    compadd -M 'm:{a-z}={A-Z}' -a values\n"
	      "  elif [[ $cmd == help ]] && (( positional == 0 )); then\n"
	      "    _describe -t subcommands 'subcommand' subcommands\n"
	      "  fi\n"
	      "}\n"
	      "\n"
	      "_sockstate \"$@\"\n", stdout);
}

int main(int argc, char **argv)
{
	int bash = argc == 3 && strcmp(argv[1], "bash") == 0;
	int zsh = argc == 3 && strcmp(argv[1], "zsh") == 0;

	if (!bash && !zsh) {
		fprintf(stderr, "usage: gen_completions bash|zsh OUTPUT\n");
		return 2;
	}
	/* Every word list checked (and a refusal reported) before OUTPUT
	 * exists, so a failed run leaves no half-written file. */
	for (size_t i = 0; i < CLI_OPT_COUNT; i++)
		(void)value_of(&cli_options[i]);
	if (freopen(argv[2], "w", stdout) == NULL) {
		perror(argv[2]);
		return 1;
	}
	if (bash)
		put_bash();
	else
		put_zsh();
	if (ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "gen_completions: writing %s failed\n", argv[2]);
		remove(argv[2]);
		return 1;
	}
	return 0;
}
