/* fuzz_state_parse.c - the state-name parser (libsockstate/src/
 * state_names.c): sockstate_state_parse, sockstate_states_parse, and the
 * lookups beside them.
 *
 * Input: a state name or a comma-separated list, as a user types it
 * after --state (seeds: every spelling the table knows, lists, and
 * near misses, from make_seeds.py).
 *
 * Checked:
 *   - a name that parses gives a state inside the enum whose own
 *     normalized name parses back to it;
 *   - the promised equivalences hold: upper/lower case, and '-', '_', ' '
 *     are alike (the input with every separator turned into '_' and
 *     upper-cased has the same verdict and state);
 *   - sockstate_states_parse agrees with parsing each comma-separated
 *     item alone ("all" = every state), and on failure points *bad at the
 *     offending item inside the text; on success *bad is NULL and the
 *     mask is not empty;
 *   - sockstate_state_describe, sockstate__native_state,
 *     sockstate_sort_key_parse and sockstate_format_parse never fail
 *     outside their contracts. */
#include <strings.h>

#include "fuzz_common.h"
#include "state_internal.h"

static int parse_one(const char *text, size_t len, sockstate_state *out)
{
	char *copy = fuzz_strndup((const uint8_t *)text, len);
	int rc = sockstate_state_parse(copy, out);

	free(copy);
	return rc;
}

static void check_name(const char *text)
{
	sockstate_state s = SOCKSTATE_STATE_COUNT, again = SOCKSTATE_STATE_COUNT;
	int rc = sockstate_state_parse(text, &s);
	size_t len = strlen(text);
	char *folded = fuzz_strndup((const uint8_t *)text, len);

	FUZZ_CHECK(rc == 0 || rc == SOCKSTATE_EINVAL);
	if (rc == 0) {
		const char *name = sockstate_state_name(s);
		FUZZ_CHECK((unsigned)s < SOCKSTATE_STATE_COUNT && name != NULL);
		FUZZ_CHECK(sockstate_state_parse(name, &again) == 0 && again == s);
	} else {
		FUZZ_CHECK(s == SOCKSTATE_STATE_COUNT); /* untouched on error */
	}

	for (size_t i = 0; i < len; i++) {
		char c = folded[i];
		if (c == '-' || c == ' ')
			folded[i] = '_';
		else if (c >= 'a' && c <= 'z')
			folded[i] = (char)(c - 'a' + 'A');
	}
	again = SOCKSTATE_STATE_COUNT;
	FUZZ_CHECK(sockstate_state_parse(folded, &again) == rc);
	if (rc == 0)
		FUZZ_CHECK(again == s);
	free(folded);
}

/* The list parser against a model: each item parsed alone. */
static void check_list(const char *text)
{
	uint32_t mask = 0xdeadbeef, want = 0;
	const char *bad = text, *item = text, *want_bad = NULL;
	int rc = sockstate_states_parse(text, &mask, &bad);

	for (;;) {
		const char *comma = strchr(item, ',');
		size_t len = comma ? (size_t)(comma - item) : strlen(item);
		sockstate_state s;

		if (len == 3 && strncasecmp(item, "all", 3) == 0) {
			want |= SOCKSTATE_STATES_ALL;
		} else if (len == 0 || parse_one(item, len, &s) != 0) {
			want_bad = item;
			break;
		} else {
			want |= SOCKSTATE_STATE_BIT(s);
		}
		if (!comma)
			break;
		item = comma + 1;
	}
	if (want_bad) {
		FUZZ_CHECK(rc == SOCKSTATE_EINVAL);
		FUZZ_CHECK(bad == want_bad);
		FUZZ_CHECK(mask == 0xdeadbeef); /* untouched on error */
	} else {
		FUZZ_CHECK(rc == 0 && bad == NULL && mask == want && mask != 0);
		FUZZ_CHECK((mask & ~SOCKSTATE_STATES_ALL) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	sockstate_state_info info;
	sockstate_sort_key key;
	sockstate_format format;
	sockstate_state st;
	const char *name;
	int32_t code = 0;

	check_name(text);
	check_list(text);

	/* Descriptions: any state number, the text as the language. */
	for (int s = -1; s <= SOCKSTATE_STATE_COUNT; s++) {
		int rc = sockstate_state_describe((sockstate_state)s, text, &info);
		FUZZ_CHECK(rc == 0 || rc == SOCKSTATE_EINVAL);
		if (rc == 0)
			FUZZ_CHECK(info.name && info.meaning && info.seen_by && info.pile_means &&
			           info.state == (sockstate_state)s);
		else
			FUZZ_CHECK(s < 0 || s >= SOCKSTATE_STATE_COUNT ||
			           sockstate_state_describe((sockstate_state)s, "en", &info) == 0);
	}

	/* An OS's number, from the first bytes, under every origin. */
	memcpy(&code, data, size < sizeof code ? size : sizeof code);
	for (int o = 0; o <= SOCKSTATE__ORIGIN_COUNT; o++) {
		st = SOCKSTATE_STATE_COUNT;
		name = NULL;
		sockstate__native_state((sockstate__origin)o, code, &st, &name);
		FUZZ_CHECK((unsigned)st < SOCKSTATE_STATE_COUNT && name != NULL && name[0]);
	}

	FUZZ_CHECK(sockstate_sort_key_parse(text, &key) == 0 ||
	           sockstate_sort_key_parse(text, &key) == SOCKSTATE_EINVAL);
	FUZZ_CHECK(sockstate_format_parse(text, &format) == 0 ||
	           sockstate_format_parse(text, &format) == SOCKSTATE_EINVAL);
	free(text);
	return 0;
}
