/* errors.c - the names and messages of the error codes, from the one
 * list in sockstate.h (SOCKSTATE_ERRORS) that also makes the enum. */
#include "sockstate.h"

struct error_row {
	int code;
	const char *name;
	const char *message;
};

#define SOCKSTATE_ERROR_ROW(code, number, message) {code, #code, message},
static const struct error_row error_rows[] = {SOCKSTATE_ERRORS(SOCKSTATE_ERROR_ROW)};

static const struct error_row *error_find(int err)
{
	for (size_t i = 0; i < sizeof error_rows / sizeof error_rows[0]; i++)
		if (error_rows[i].code == err)
			return &error_rows[i];
	return NULL;
}

SOCKSTATE_API const char *sockstate_strerror(int err)
{
	const struct error_row *row = error_find(err);
	return row ? row->message : "unknown error";
}

SOCKSTATE_API const char *sockstate_errname(int err)
{
	const struct error_row *row = error_find(err);
	return row ? row->name : "SOCKSTATE_UNKNOWN";
}
