/* fixture_text.h - for cmocka unit tests that read text fixtures
 * (tests/fixtures/<os>/): a whole file, and a .expect file's lines
 * without its '#' comments. Include after <cmocka.h>. */
#ifndef SOCKSTATE_TEST_FIXTURE_TEXT_H
#define SOCKSTATE_TEST_FIXTURE_TEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file at path, NUL-terminated (malloc'd); its length in *len. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The .expect file without its '#' comment lines (malloc'd). */
static char *expected_records(const char *path)
{
	size_t len;
	char *text = slurp(path, &len), *out = malloc(len + 1), *o = out;

	assert_non_null(out);
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);
		if (line[0] != '#') {
			memcpy(o, line, n);
			o += n;
		}
		line += n;
	}
	*o = '\0';
	free(text);
	return out;
}

#endif /* SOCKSTATE_TEST_FIXTURE_TEXT_H */
