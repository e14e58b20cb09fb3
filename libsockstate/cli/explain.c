/* explain.c - `sockstate explain STATE`: the library's explanation of a
 * state, labelled in the same language. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct labels {
	const char *lang;
	const char *side;
	const char *meaning;
	const char *seen_by;
	const char *pile_means;
	const char *sides[SOCKSTATE_SIDE_NONE + 1];
};

/* Labels are padded to one width per language so the texts line up. */
static const struct labels label_sets[] = {
	{"en", "side:        ", "meaning:     ", "seen by:     ", "a pile means:",
	 {[SOCKSTATE_SIDE_BOTH] = "both ends",
	  [SOCKSTATE_SIDE_SERVER] = "server (the passive opener)",
	  [SOCKSTATE_SIDE_CLIENT] = "client (the active opener)",
	  [SOCKSTATE_SIDE_CLOSER] = "the end that closes first",
	  [SOCKSTATE_SIDE_PEER] = "the end that closes second",
	  [SOCKSTATE_SIDE_NONE] = "no connection"}},
	{"es", "lado:            ", "significado:     ", "quién lo ve:     ",
	 "si se acumulan:  ",
	 {[SOCKSTATE_SIDE_BOTH] = "ambos extremos",
	  [SOCKSTATE_SIDE_SERVER] = "servidor (apertura pasiva)",
	  [SOCKSTATE_SIDE_CLIENT] = "cliente (apertura activa)",
	  [SOCKSTATE_SIDE_CLOSER] = "el extremo que cierra primero",
	  [SOCKSTATE_SIDE_PEER] = "el extremo que cierra después",
	  [SOCKSTATE_SIDE_NONE] = "sin conexión"}},
};

/* The first two letters of a locale name, when it is one we speak. */
static const char *supported(const char *locale)
{
	if (locale == NULL || locale[0] == '\0')
		return NULL;
	for (size_t i = 0; i < sizeof label_sets / sizeof label_sets[0]; i++)
		if (tolower((unsigned char)locale[0]) == label_sets[i].lang[0] &&
		    tolower((unsigned char)locale[1]) == label_sets[i].lang[1] &&
		    (locale[2] == '\0' || locale[2] == '_' || locale[2] == '.' ||
		     locale[2] == '@' || locale[2] == '-'))
			return label_sets[i].lang;
	return NULL;
}

const char *cli_pick_language(const char *lang_option)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	const char *lang;

	if (lang_option != NULL && (lang = supported(lang_option)) != NULL)
		return lang;
	/* POSIX precedence: the first variable that is set and not empty
	 * decides; a language we lack falls back to English silently. */
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		if (v != NULL && v[0] != '\0') {
			lang = supported(v);
			return lang != NULL ? lang : "en";
		}
	}
	return "en";
}

static const struct labels *labels_for(const char *lang)
{
	for (size_t i = 0; i < sizeof label_sets / sizeof label_sets[0]; i++)
		if (strcmp(label_sets[i].lang, lang) == 0)
			return &label_sets[i];
	return &label_sets[0];
}

static void append(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= cap)
		n = cap - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

static void append_line(char *buf, size_t cap, size_t *len, const char *label,
                        const char *text)
{
	append(buf, cap, len, label);
	append(buf, cap, len, " ");
	append(buf, cap, len, text != NULL ? text : "");
	append(buf, cap, len, "\n");
}

/* Columns of UTF-8 text: every byte but continuation bytes. */
static size_t columns(const char *s, size_t n)
{
	size_t cols = 0;

	for (size_t i = 0; i < n; i++)
		cols += ((unsigned char)s[i] & 0xC0) != 0x80;
	return cols;
}

#define LIST_INDENT 14
#define LIST_WIDTH 79

/* "NAME          first sentence of its meaning", wrapped at word
 * boundaries under the sentence. */
static void append_summary_line(char *buf, size_t cap, size_t *len, const char *name,
                                const char *meaning)
{
	const char *end = strstr(meaning, ". ");
	size_t sentence = end != NULL ? (size_t)(end - meaning) + 1 : strlen(meaning);
	size_t col = LIST_INDENT;

	append(buf, cap, len, name);
	for (size_t c = strlen(name); c < LIST_INDENT; c++)
		append(buf, cap, len, " ");
	for (size_t i = 0; i < sentence;) {
		size_t word = strcspn(meaning + i, " ");
		size_t w;
		char piece[128];

		if (word > sentence - i)
			word = sentence - i;
		w = columns(meaning + i, word);
		if (col > LIST_INDENT && col + 1 + w > LIST_WIDTH) {
			append(buf, cap, len, "\n              ");
			col = LIST_INDENT;
		} else if (col > LIST_INDENT) {
			append(buf, cap, len, " ");
			col++;
		}
		if (word >= sizeof piece)
			word = sizeof piece - 1;
		memcpy(piece, meaning + i, word);
		piece[word] = '\0';
		append(buf, cap, len, piece);
		col += w;
		i += strcspn(meaning + i, " ");
		i += strspn(meaning + i, " ");
	}
	append(buf, cap, len, "\n");
}

static int write_text(const char *text, size_t len, struct cli_error *e)
{
	struct cli_output out;
	int rc;

	cli_output_open(&out, NULL, e);
	rc = cli_output_write(&out, text, len);
	if (rc != SOCKSTATE_OK) {
		cli_output_write_error(&out, rc, e);
		cli_output_abort(&out);
		return CLI_EXIT_OS;
	}
	return cli_output_commit(&out, e);
}

/* explain without STATE: every state and the first sentence of its
 * meaning, in the writers' order (UNKNOWN last). */
static int explain_every_state(const char *lang, struct cli_error *e)
{
	char text[8192];
	size_t len = 0;

	text[0] = '\0';
	for (int i = 1; i <= SOCKSTATE_STATE_COUNT; i++) {
		sockstate_state st = (sockstate_state)(i % SOCKSTATE_STATE_COUNT);
		sockstate_state_info info;
		int rc = sockstate_state_describe(st, lang, &info);

		if (rc != SOCKSTATE_OK) {
			cli_error_set(e, "explain: %s", sockstate_strerror(rc));
			return cli_exit_code(rc);
		}
		append_summary_line(text, sizeof text, &len, info.name, info.meaning);
	}
	return write_text(text, len, e);
}

int cli_explain(const struct cli_args *a, struct cli_error *e)
{
	const char *lang = cli_pick_language(a->lang);
	const struct labels *l = labels_for(lang);
	sockstate_state_info info;
	char text[4096];
	size_t len = 0;
	int rc;

	if (a->explain_list)
		return explain_every_state(lang, e);
	rc = sockstate_state_describe(a->explain_state, lang, &info);
	if (rc != SOCKSTATE_OK) {
		cli_error_set(e, "explain: %s", sockstate_strerror(rc));
		return cli_exit_code(rc);
	}
	text[0] = '\0';
	append(text, sizeof text, &len, info.name != NULL ? info.name :
	       sockstate_state_name(a->explain_state));
	append(text, sizeof text, &len, "\n");
	append_line(text, sizeof text, &len, l->side,
	            (unsigned)info.side <= SOCKSTATE_SIDE_NONE ? l->sides[info.side] : "?");
	append_line(text, sizeof text, &len, l->meaning, info.meaning);
	append_line(text, sizeof text, &len, l->seen_by, info.seen_by);
	append_line(text, sizeof text, &len, l->pile_means, info.pile_means);
	return write_text(text, len, e);
}
