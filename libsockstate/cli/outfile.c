/* outfile.c - where the output goes: standard output; or FILE, replaced
 * atomically (a temporary file in the same directory, written, flushed
 * to disk, then renamed over the name), so a reader never sees half a
 * file and a failure leaves the old file as it was; or, when FILE is a
 * character device or a FIFO, written straight through, as a shell
 * redirection would (renaming over /dev/null would replace the device).
 *
 * The tool often runs as root, and FILE may lie in a directory other
 * users can write to (/tmp), so (docs/SECURITY.md):
 *   - a symbolic link is followed only where fs.protected_symlinks would
 *     follow it, whatever that sysctl says: not one another user owns in
 *     a sticky world-writable directory, unless that user also owns the
 *     directory; a link to a regular file replaces the file it points to
 *     and keeps the link;
 *   - anything but a regular file, a character device or a FIFO
 *     (a directory, a socket, a block device) is refused;
 *   - a replaced file keeps its owner and group when root replaces it,
 *     and its permission bits (never setuid, setgid or sticky) only when
 *     the caller owns it; otherwise, and for a new file, 0666 less the
 *     umask;
 *   - the temporary file is removed when a signal that would end the
 *     process arrives, and SIGXFSZ is ignored meanwhile so that a file
 *     too large fails the write (EFBIG) and is cleaned up. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* Standard output was closed when the tool started (cli_std_streams_check):
 * what would be written there is refused instead. */
static int stdout_was_closed;

/* What -o FILE names, once links are resolved. */
enum target_kind {
	TARGET_NEW,         /* nothing there yet: create it */
	TARGET_REGULAR,     /* a regular file: replace it */
	TARGET_THROUGH      /* a character device or FIFO: write into it */
};

struct target {
	enum target_kind kind;
	char *path;         /* where to write: links resolved (malloc'ed) */
	struct stat st;     /* TARGET_REGULAR, TARGET_THROUGH: what is there */
};

#ifdef _WIN32

static int target_find(const char *path, struct target *t, struct cli_error *e)
{
	(void)e;
	t->path = _strdup(path);
	if (t->path == NULL)
		return -1;
	t->kind = stat(path, &t->st) == 0 ? TARGET_REGULAR : TARGET_NEW;
	return 0;
}

static int tmp_create(char *tmpl)
{
	if (_mktemp_s(tmpl, strlen(tmpl) + 1) != 0)
		return -1;
	return _open(tmpl, _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY,
	             _S_IREAD | _S_IWRITE);
}

static void tmp_set_owner_mode(int fd, const struct target *t)
{
	(void)fd;
	(void)t;
}

static int through_open(const struct target *t)
{
	return _open(t->path, _O_WRONLY | _O_BINARY);
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

void cli_std_streams_check(void)
{
	stdout_was_closed = _get_osfhandle(1) == -1;
}

#else /* POSIX */

/* How many links one path may go through (the kernel's MAXSYMLINKS). */
#define LINKS_MAX 40

/* Would fs.protected_symlinks follow the link (already lstat'ed as
 * link) in the directory dir? Not when the directory is sticky and
 * world-writable, and the link is neither ours nor the directory
 * owner's. */
static int link_may_be_followed(const char *dir, const struct stat *link)
{
	struct stat d;

	if (stat(dir[0] != '\0' ? dir : "/", &d) != 0)
		return 0;
	if (!(d.st_mode & S_ISVTX) || !(d.st_mode & S_IWOTH))
		return 1;
	return link->st_uid == geteuid() || link->st_uid == d.st_uid;
}

/* Resolve path into out (PATH_MAX bytes) as the kernel walks it, link
 * by link, each checked by link_may_be_followed. The last component may
 * be missing (a file to create). Returns 0, or an errno value (EPERM: a
 * link we refuse; *refused then names it). */
static int resolve(const char *path, char *out, const char **refused)
{
	static char refused_buf[PATH_MAX];
	char rest[PATH_MAX], next[PATH_MAX], target[PATH_MAX];
	size_t len;
	int links = 0;

	if (path[0] == '/') {
		out[0] = '\0';
	} else if (getcwd(out, PATH_MAX) == NULL) {
		return errno;
	} else if (strcmp(out, "/") == 0) {
		out[0] = '\0';
	}
	if ((size_t)snprintf(rest, sizeof rest, "%s", path) >= sizeof rest)
		return ENAMETOOLONG;
	while (rest[0] != '\0') {
		char *comp = rest + strspn(rest, "/");
		size_t clen = strcspn(comp, "/");
		char *after = comp + clen + strspn(comp + clen, "/");
		struct stat st;
		ssize_t n;

		if (clen == 0)
			break;
		comp[clen] = '\0';
		if (strcmp(comp, ".") == 0) {
			memmove(rest, after, strlen(after) + 1);
			continue;
		}
		if (strcmp(comp, "..") == 0) {
			char *slash = strrchr(out, '/');
			if (slash != NULL)
				*slash = '\0';
			memmove(rest, after, strlen(after) + 1);
			continue;
		}
		len = strlen(out);
		if (len + 1 + clen >= PATH_MAX)
			return ENAMETOOLONG;
		out[len] = '/';
		memcpy(out + len + 1, comp, clen + 1);
		if (lstat(out, &st) != 0) {
			int err = errno;
			/* A missing last component is the file to create. */
			if (err == ENOENT && *after == '\0')
				return 0;
			return err;
		}
		if (!S_ISLNK(st.st_mode)) {
			memmove(rest, after, strlen(after) + 1);
			continue;
		}
		out[len] = '\0';
		if (!link_may_be_followed(out, &st)) {
			snprintf(refused_buf, sizeof refused_buf, "%s/%s", out, comp);
			*refused = refused_buf;
			return EPERM;
		}
		out[len] = '/';
		if (++links > LINKS_MAX)
			return ELOOP;
		n = readlink(out, target, sizeof target - 1);
		if (n < 0)
			return errno;
		target[n] = '\0';
		out[len] = '\0';
		if (target[0] == '/')
			out[0] = '\0';
		if ((size_t)snprintf(next, sizeof next, "%s/%s", target, after) >= sizeof next)
			return ENAMETOOLONG;
		memcpy(rest, next, strlen(next) + 1);
	}
	if (out[0] == '\0')
		strcpy(out, "/");
	return 0;
}

static const char *kind_name(mode_t mode)
{
	return S_ISDIR(mode) ? "a directory" : S_ISSOCK(mode) ? "a socket"
	       : S_ISBLK(mode) ? "a block device" : "not a regular file";
}

static int target_find(const char *path, struct target *t, struct cli_error *e)
{
	char show_buf[160], link_buf[160], real[PATH_MAX];
	const char *refused = NULL;
	const char *shown = cli_printable(path, 120, show_buf, sizeof show_buf);
	struct stat here;
	int err = resolve(path, real, &refused);

	if (err == EPERM && refused != NULL) {
		cli_error_set(e, "%s: refusing to follow the symbolic link %s: another user "
		              "owns it in a sticky world-writable directory", shown,
		              cli_printable(refused, 120, link_buf, sizeof link_buf));
		return -1;
	}
	if (stat(path, &t->st) != 0) {
		/* Nothing there (or no such directory: creating the temporary
		 * file says so). */
		t->kind = TARGET_NEW;
		if (err != 0)
			snprintf(real, sizeof real, "%s", path);
	} else if (S_ISCHR(t->st.st_mode) || S_ISFIFO(t->st.st_mode)) {
		/* Opened by the name given: /dev/stdout leads through /proc's
		 * links, whose text ("pipe:[123]") is no path. */
		t->kind = TARGET_THROUGH;
		snprintf(real, sizeof real, "%s", path);
	} else if (!S_ISREG(t->st.st_mode)) {
		cli_error_set(e, "%s: not replaced: %s (only a regular file is replaced; a "
		              "character device or a FIFO is written into)", shown,
		              kind_name(t->st.st_mode));
		return -1;
	} else if (err != 0 || lstat(real, &here) != 0 || here.st_ino != t->st.st_ino ||
	           here.st_dev != t->st.st_dev) {
		/* A regular file with no name of its own (a /proc link to a
		 * deleted file): renaming over a name would miss it. */
		cli_error_set(e, "%s: not replaced: the file it leads to has no name to "
		              "rename over", shown);
		return -1;
	} else {
		t->kind = TARGET_REGULAR;
	}
	t->path = strdup(real);
	if (t->path == NULL) {
		cli_error_set(e, "%s: out of memory", shown);
		return -1;
	}
	return 0;
}

static int tmp_create(char *tmpl)
{
	return mkstemp(tmpl);
}

/* mkstemp makes the file 0600 and the caller's: make it look like a file
 * the user creates, or like the file it replaces, by the rules above. */
static void tmp_set_owner_mode(int fd, const struct target *t)
{
	mode_t mask = umask(0);
	mode_t mode = 0666 & ~mask;
	uid_t me = geteuid();

	umask(mask);
	if (t->kind == TARGET_REGULAR) {
		/* Best effort: where the old owner cannot be kept (a file
		 * system without owners), the new file stays root's, which is
		 * no worse than failing the write. */
		if (me == 0 && fchown(fd, t->st.st_uid, t->st.st_gid) != 0) {
			/* kept as root's */
		}
		if (t->st.st_uid == me)
			mode = t->st.st_mode & 0777;
	}
	(void)fchmod(fd, mode);
}

/* The device or FIFO stat saw there, and nothing else put there since:
 * never created, never truncated. */
static int through_open(const struct target *t)
{
	struct stat now;
	int fd = open(t->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0 && (fstat(fd, &now) != 0 || now.st_dev != t->st.st_dev ||
	                now.st_ino != t->st.st_ino ||
	                !(S_ISCHR(now.st_mode) || S_ISFIFO(now.st_mode)))) {
		close(fd);
		errno = EAGAIN;
		return -1;
	}
	return fd;
}

static int file_sync(int fd)
{
	int rc;

	do
		rc = fsync(fd);
	while (rc != 0 && errno == EINTR);
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

/* Every signal whose default action ends the process and that someone
 * may send us (or a limit may raise) while the temporary file exists. */
static const int cleanup_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGUSR1, SIGUSR2, SIGVTALRM, SIGPROF,
};
#define CLEANUP_SIGNAL_COUNT (sizeof cleanup_signals / sizeof cleanup_signals[0])
static struct sigaction saved_actions[CLEANUP_SIGNAL_COUNT];
static struct sigaction saved_xfsz;

static void cleanup_on_signals(int on)
{
	struct sigaction ignore;

	for (size_t i = 0; i < CLEANUP_SIGNAL_COUNT; i++) {
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
	/* Past RLIMIT_FSIZE, write fails with EFBIG instead: an error we
	 * clean up after, as any other. */
	memset(&ignore, 0, sizeof ignore);
	ignore.sa_handler = SIG_IGN;
	sigemptyset(&ignore.sa_mask);
	if (on)
		sigaction(SIGXFSZ, &ignore, &saved_xfsz);
	else
		sigaction(SIGXFSZ, &saved_xfsz, NULL);
}

static void stdout_binary(void)
{
}

void cli_std_streams_check(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int null;

		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (fd == 1)
			stdout_was_closed = 1;
		/* open returns the lowest free descriptor: this one. */
		null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (null >= 0 && null != fd)
			close(null);
	}
}

#endif

int cli_stdout_check(struct cli_error *e)
{
	if (!stdout_was_closed)
		return CLI_EXIT_OK;
	cli_error_set(e, "standard output: %s", strerror(EBADF));
	return CLI_EXIT_OS;
}

int cli_output_open(struct cli_output *o, const char *path, struct cli_error *e)
{
	char show_buf[160];
	struct target t;
	size_t len;

	memset(o, 0, sizeof *o);
	o->fd = 1;
	if (path == NULL || strcmp(path, "-") == 0) {
		if (cli_stdout_check(e) != CLI_EXIT_OK) {
			o->fd = -1;
			return CLI_EXIT_OS;
		}
		stdout_binary();
		return CLI_EXIT_OK;
	}
	memset(&t, 0, sizeof t);
	if (target_find(path, &t, e) != 0) {
		o->fd = -1;
		return CLI_EXIT_OS;
	}
	/* Messages name FILE as given; the writes go where it leads. */
	o->shown = strdup(path);
	o->path = t.path;
	if (o->shown == NULL) {
		cli_output_abort(o);
		cli_error_set(e, "%s: out of memory",
		              cli_printable(path, 120, show_buf, sizeof show_buf));
		return CLI_EXIT_OS;
	}
	if (t.kind == TARGET_THROUGH) {
		o->fd = through_open(&t);
		if (o->fd < 0) {
			int err = errno;
			cli_output_abort(o);
			cli_error_set(e, "%s: open: %s",
			              cli_printable(path, 120, show_buf, sizeof show_buf),
			              err == EAGAIN ? "it changed while being opened"
			                            : strerror(err));
			return CLI_EXIT_OS;
		}
		o->through = 1;
		return CLI_EXIT_OK;
	}
	len = strlen(o->path);
	o->tmp_path = malloc(len + sizeof TMP_SUFFIX);
	if (o->tmp_path == NULL) {
		cli_output_abort(o);
		cli_error_set(e, "%s: out of memory",
		              cli_printable(path, 120, show_buf, sizeof show_buf));
		return CLI_EXIT_OS;
	}
	memcpy(o->tmp_path, o->path, len);
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
	tmp_set_owner_mode(o->fd, &t);
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
	if (o->shown == NULL)
		return "standard output";
	return cli_printable(o->shown, 120, buf, n);
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
	free(o->shown);
	o->path = NULL;
	o->tmp_path = NULL;
	o->shown = NULL;
	o->is_file = 0;
	o->through = 0;
	o->fd = -1;
}

int cli_output_commit(struct cli_output *o, struct cli_error *e)
{
	char show_buf[160];
	const char *step;
	int err;

	if (o->through) {
		step = "close";
		err = file_close(o->fd);
		o->fd = -1;
		if (err != 0)
			goto fail;
	}
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
	if ((o->is_file || o->through) && o->fd >= 0)
		file_close(o->fd);
	if (o->is_file && o->tmp_path != NULL)
		remove(o->tmp_path);
	release(o);
}
