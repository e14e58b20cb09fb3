/* errors.c - the one way a failure reaches the user: library codes to
 * exit codes, one-line messages, control bytes made visible. A leaf: it
 * calls nothing else of the tool. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Bad input is the user's to fix (2); everything else is the OS refusing
 * or failing (3). */
int cli_exit_code(int err)
{
	switch (err) {
	case SOCKSTATE_OK:
		return CLI_EXIT_OK;
	case SOCKSTATE_EINVAL:
	case SOCKSTATE_ERANGE:
	case SOCKSTATE_ENOENT:
		return CLI_EXIT_USAGE;
	case SOCKSTATE_ENOMEM:
	case SOCKSTATE_EPERM:
	case SOCKSTATE_EUNAVAIL:
	case SOCKSTATE_EPARSE:
	case SOCKSTATE_EIO:
	case SOCKSTATE_EAGAIN:
	case SOCKSTATE_ENOTSUP:
	case SOCKSTATE_EABI:
	default:
		return CLI_EXIT_OS;
	}
}

void cli_error_set(struct cli_error *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

void cli_say(const char *line)
{
	fprintf(stderr, "sockstate: %s\n", line);
}

const char *cli_printable(const char *text, size_t max_bytes, char *buf,
                          size_t buflen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	size_t i;

	if (buflen == 0)
		return buf;
	for (i = 0; text[i] != '\0'; i++) {
		unsigned char c = (unsigned char)text[i];
		if (i >= max_bytes || n + 5 >= buflen) {
			if (n + 4 <= buflen) {
				memcpy(buf + n, "...", 3);
				n += 3;
			}
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			buf[n++] = '\\';
			buf[n++] = 'x';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		} else {
			buf[n++] = (char)c;
		}
	}
	buf[n] = '\0';
	return buf;
}

/* "<what>: <library message>[: <failing OS call and its message>]". */
void cli_library_error(struct cli_error *e, const char *what, int err,
                       const char *detail)
{
	char show_buf[320];

	if (detail != NULL && detail[0] != '\0')
		cli_error_set(e, "%s: %s: %s", what, sockstate_strerror(err),
		              cli_printable(detail, 300, show_buf, sizeof show_buf));
	else
		cli_error_set(e, "%s: %s", what, sockstate_strerror(err));
}

const char *cli_state_hint(const char *name, char *buf, size_t buflen)
{
	uint32_t near = sockstate_state_suggest(name);
	size_t used = 0;
	int shown = 0, count = 0;

	for (int s = 0; s < SOCKSTATE_STATE_COUNT; s++)
		count += (near & SOCKSTATE_STATE_BIT(s)) != 0;
	buf[0] = '\0';
	if (count == 0)
		return buf;
	for (int s = 0; s < SOCKSTATE_STATE_COUNT; s++) {
		if (!(near & SOCKSTATE_STATE_BIT(s)))
			continue;
		int n = snprintf(buf + used, buflen - used, "%s%s",
		                 shown == 0 ? " (did you mean "
		                 : shown + 1 == count ? " or " : ", ",
		                 sockstate_state_name((sockstate_state)s));
		if (n < 0 || (size_t)n >= buflen - used) {
			buf[0] = '\0';
			return buf;
		}
		used += (size_t)n;
		shown++;
	}
	if (used + 3 > buflen) {
		buf[0] = '\0';
		return buf;
	}
	memcpy(buf + used, "?)", 3);
	return buf;
}
