/* write_sink.h - for cmocka tests of the writers: a sockstate_write_fn
 * that keeps everything written (or fails on a chosen call), and the
 * saving of JSON documents for tests/unit/validate_schema.py. Include
 * after <cmocka.h>. */
#ifndef SOCKSTATE_TEST_WRITE_SINK_H
#define SOCKSTATE_TEST_WRITE_SINK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sink {
	char *data;         /* NUL-terminated */
	size_t len, cap;
	size_t calls, max_chunk;
	size_t fail_at;     /* 1-based call that fails; 0 never */
	int fail_code;
};

static inline int sink_write(void *ctx, const char *buf, size_t len)
{
	struct sink *k = ctx;
	k->calls++;
	if (k->fail_at != 0 && k->calls >= k->fail_at)
		return k->fail_code;
	if (len > k->max_chunk)
		k->max_chunk = len;
	if (k->len + len + 1 > k->cap) {
		size_t ncap = (k->len + len + 1) * 2;
		char *p = realloc(k->data, ncap);
		assert_non_null(p);
		k->data = p;
		k->cap = ncap;
	}
	memcpy(k->data + k->len, buf, len);
	k->len += len;
	k->data[k->len] = '\0';
	return 0;
}

static inline void sink_reset(struct sink *k)
{
	free(k->data);
	memset(k, 0, sizeof *k);
}

/* With SOCKSTATE_TEST_JSON_DIR set, save text as <dir>/<name>.json. */
static inline void save_json(const char *name, const char *text)
{
	const char *dir = getenv("SOCKSTATE_TEST_JSON_DIR");
	if (dir == NULL || dir[0] == '\0')
		return;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.json", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

#endif /* SOCKSTATE_TEST_WRITE_SINK_H */
