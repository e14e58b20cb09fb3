/* outfile.c - where the output goes: standard output, or a file replaced
 * atomically (a temporary file in the same directory, written, flushed to
 * disk, then renamed over the name), so a reader never sees half a file
 * and a failure leaves the old file as it was. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef _WIN32
#include <io.h>
#include <windows.h>
#else
#include <unistd.h>
#endif

#include "cli.h"

#define TMP_SUFFIX ".XXXXXX"

/* The temporary file a signal handler must remove; set only while one
 * exists. */
static char *volatile pending_tmp;

#ifdef _WIN32

static int tmp_create(char *tmpl)
{
	if (_mktemp_s(tmpl, strlen(tmpl) + 1) != 0)
		return -1;
	return _open(tmpl, _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY,
	             _S_IREAD | _S_IWRITE);
}

static void tmp_set_mode(int fd, const char *path)
{
	(void)fd;
	(void)path;
}

static int file_sync(int fd)
{
	return _commit(fd);
}

static int file_close(int fd)
{
	return _close(fd);
}

static int file_replace(const char *tmp, const char *path)
{
	if (MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING |
	                MOVEFILE_WRITE_THROUGH))
		return 0;
	errno = EACCES;
	return -1;
}

static void dir_sync(const char *path)
{
	(void)path;
}

static void cleanup_on_signals(int on)
{
	(void)on;
}

static void stdout_binary(void)
{
	_setmode(1, _O_BINARY);
}

#else /* POSIX */

static int tmp_create(char *tmpl)
{
	return mkstemp(tmpl);
}

/* mkstemp makes the file 0600; the result should look like any file the
 * user creates (or keep the mode of the file it replaces). */
static void tmp_set_mode(int fd, const char *path)
{
	struct stat st;
	mode_t mode;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		mode = st.st_mode & 07777;
	} else {
		mode_t mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	(void)fchmod(fd, mode);
}

static int file_sync(int fd)
{
	int rc;

	do
		rc = fsync(fd);
	while (rc != 0 && errno == EINTR);
	/* Pipes and character devices cannot be synced; that is no error. */
	if (rc != 0 && (errno == EINVAL || errno == EROFS))
		rc = 0;
	return rc;
}

static int file_close(int fd)
{
	return close(fd);
}

static int file_replace(const char *tmp, const char *path)
{
	return rename(tmp, path);
}

/* Make the rename itself durable; best effort. */
static void dir_sync(const char *path)
{
	char *dir = strdup(path);
	char *slash;
	int fd;

	if (dir == NULL)
		return;
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

static void remove_pending(int sig)
{
	char *tmp = pending_tmp;

	if (tmp != NULL)
		unlink(tmp);
	/* SA_RESETHAND restored the default action: die of the signal. */
	raise(sig);
}

static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static struct sigaction saved_actions[sizeof cleanup_signals /
                                      sizeof cleanup_signals[0]];

static void cleanup_on_signals(int on)
{
	size_t n = sizeof cleanup_signals / sizeof cleanup_signals[0];

	for (size_t i = 0; i < n; i++) {
		if (on) {
			struct sigaction sa;
			memset(&sa, 0, sizeof sa);
			sa.sa_handler = remove_pending;
			sa.sa_flags = SA_RESETHAND;
			sigemptyset(&sa.sa_mask);
			sigaction(cleanup_signals[i], &sa, &saved_actions[i]);
		} else {
			sigaction(cleanup_signals[i], &saved_actions[i], NULL);
		}
	}
}

static void stdout_binary(void)
{
}

#endif

int cli_output_open(struct cli_output *o, const char *path, struct cli_error *e)
{
	char show_buf[160];
	size_t len;

	memset(o, 0, sizeof *o);
	o->fd = 1;
	if (path == NULL || strcmp(path, "-") == 0) {
		stdout_binary();
		return CLI_EXIT_OK;
	}
	len = strlen(path);
	o->path = malloc(len + 1);
	o->tmp_path = malloc(len + sizeof TMP_SUFFIX);
	if (o->path == NULL || o->tmp_path == NULL) {
		cli_output_abort(o);
		cli_error_set(e, "%s: out of memory",
		              cli_printable(path, 120, show_buf, sizeof show_buf));
		return CLI_EXIT_OS;
	}
	memcpy(o->path, path, len + 1);
	memcpy(o->tmp_path, path, len);
	memcpy(o->tmp_path + len, TMP_SUFFIX, sizeof TMP_SUFFIX);
	o->fd = tmp_create(o->tmp_path);
	if (o->fd < 0) {
		int err = errno;
		cli_error_set(e, "%s: cannot create a temporary file beside it: %s",
		              cli_printable(path, 120, show_buf, sizeof show_buf),
		              strerror(err));
		free(o->tmp_path);
		o->tmp_path = NULL;
		cli_output_abort(o);
		return CLI_EXIT_OS;
	}
	o->is_file = 1;
	pending_tmp = o->tmp_path;
	cleanup_on_signals(1);
	tmp_set_mode(o->fd, path);
	return CLI_EXIT_OK;
}

int cli_output_write(void *ctx, const char *buf, size_t len)
{
	struct cli_output *o = ctx;
	int rc;

	errno = 0;
	rc = sockstate_write_fd(&o->fd, buf, len);
	if (rc != SOCKSTATE_OK && o->saved_errno == 0)
		o->saved_errno = errno != 0 ? errno : EIO;
	return rc;
}

static const char *output_name(const struct cli_output *o, char *buf, size_t n)
{
	if (!o->is_file)
		return "standard output";
	return cli_printable(o->path, 120, buf, n);
}

void cli_output_write_error(const struct cli_output *o, int err,
                            struct cli_error *e)
{
	char show_buf[160];

	if (o->saved_errno != 0)
		cli_error_set(e, "%s: write: %s", output_name(o, show_buf,
		              sizeof show_buf), strerror(o->saved_errno));
	else
		cli_error_set(e, "%s: write: %s", output_name(o, show_buf,
		              sizeof show_buf), sockstate_strerror(err));
}

static void release(struct cli_output *o)
{
	if (o->is_file) {
		pending_tmp = NULL;
		cleanup_on_signals(0);
	}
	free(o->path);
	free(o->tmp_path);
	o->path = NULL;
	o->tmp_path = NULL;
	o->is_file = 0;
	o->fd = -1;
}

int cli_output_commit(struct cli_output *o, struct cli_error *e)
{
	char show_buf[160];
	const char *step;
	int err;

	if (!o->is_file) {
		release(o);
		return CLI_EXIT_OK;
	}
	step = "fsync";
	if (file_sync(o->fd) != 0)
		goto fail;
	step = "close";
	err = file_close(o->fd);
	o->fd = -1;
	if (err != 0)
		goto fail;
	step = "rename";
	if (file_replace(o->tmp_path, o->path) != 0)
		goto fail;
	dir_sync(o->path);
	/* The name now belongs to the result: nothing left to remove. */
	release(o);
	return CLI_EXIT_OK;
fail:
	err = errno;
	cli_error_set(e, "%s: %s: %s", output_name(o, show_buf, sizeof show_buf),
	              step, strerror(err));
	cli_output_abort(o);
	return CLI_EXIT_OS;
}

void cli_output_abort(struct cli_output *o)
{
	if (o->is_file) {
		if (o->fd >= 0)
			file_close(o->fd);
		o->fd = -1;
		if (o->tmp_path != NULL)
			remove(o->tmp_path);
	}
	release(o);
}
