/* errors.c - the one list of error codes, their names and messages. */
#include "sockstate.h"

#define SOCKSTATE_ERRORS(X)                                                   \
	X(SOCKSTATE_OK, "success")                                            \
	X(SOCKSTATE_EINVAL, "invalid argument")                               \
	X(SOCKSTATE_ENOMEM, "out of memory")                                  \
	X(SOCKSTATE_EPERM, "permission denied by the operating system")       \
	X(SOCKSTATE_EUNAVAIL, "no usable backend on this system")             \
	X(SOCKSTATE_EPARSE, "malformed data from the operating system")       \
	X(SOCKSTATE_EIO, "an operating system call failed")                   \
	X(SOCKSTATE_EAGAIN, "the socket table kept changing; retries ran out") \
	X(SOCKSTATE_ENOTSUP, "not supported on this backend")                 \
	X(SOCKSTATE_ERANGE, "value out of range")                             \
	X(SOCKSTATE_ENOENT, "no such file, namespace or object")              \
	X(SOCKSTATE_EABI, "unknown operating system record layout")

struct error_row {
	int code;
	const char *name;
	const char *message;
};

#define SOCKSTATE_ERROR_ROW(code, message) {code, #code, message},
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
