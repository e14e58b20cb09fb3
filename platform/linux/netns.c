/* netns.c - open, enter and list network namespaces (see netns.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/nsfs.h>

#include "netns.h"

#define NETNS_RUN_DIR "/run/netns"
#define SELF_NETNS "/proc/thread-self/ns/net"

static int errno_code(int e)
{
	switch (e) {
	case ENOENT:
	case ESRCH:
		return SOCKSTATE_ENOENT;
	case EACCES:
	case EPERM:
		return SOCKSTATE_EPERM;
	case ENOMEM:
		return SOCKSTATE_ENOMEM;
	default:
		return SOCKSTATE_EIO;
	}
}

/* "pid:1234" -> 1234; -1 for anything else. */
static long spec_pid(const char *spec)
{
	const char *p = spec + 4;
	long v = 0;

	if (strncmp(spec, "pid:", 4) || !*p || strlen(p) > 10)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v > 0 && v <= INT32_MAX ? v : -1;
}

/* The file a spec names, into path. Returns 0 or SOCKSTATE_EINVAL. */
static int spec_path(const char *spec, char *path, size_t len)
{
	long pid = spec_pid(spec);
	int n;

	if (pid > 0)
		n = snprintf(path, len, "/proc/%ld/ns/net", pid);
	else if (!strncmp(spec, "pid:", 4))
		return SOCKSTATE_EINVAL;
	else if (strchr(spec, '/'))
		n = snprintf(path, len, "%s", spec);
	else if (!*spec || !strcmp(spec, ".") || !strcmp(spec, ".."))
		return SOCKSTATE_EINVAL;
	else
		n = snprintf(path, len, "%s/%s", NETNS_RUN_DIR, spec);
	return n > 0 && (size_t)n < len ? 0 : SOCKSTATE_EINVAL;
}

/* Open a file that should be a namespace: without blocking (a FIFO or a
 * device in its place must not hang the open), and only if it is a
 * regular file, as nsfs's are. Returns the fd, or -1 with errno set
 * (ENOTTY: not a regular file). */
static int ns_file_open(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		errno = ENOTTY;
		return -1;
	}
	return fd;
}

int sockstate__netns_open(sockstate_handle *h, int *fd)
{
	const char *spec = sockstate__handle_netns(h);
	char path[4096];
	int type;

	*fd = -1;
	if (!spec)
		return 0;
	if (spec_path(spec, path, sizeof path) < 0)
		return sockstate__fail(h, SOCKSTATE_EINVAL, "network namespace '%s': not a name, "
		                       "a path or pid:PID", spec);
	*fd = ns_file_open(path);
	if (*fd < 0 && errno == ENOTTY)
		return sockstate__fail(h, SOCKSTATE_EINVAL, "network namespace '%s': %s is not "
		                       "a network namespace", spec, path);
	if (*fd < 0) {
		int err = errno;
		return sockstate__fail(h, errno_code(err), "network namespace '%s': open(%s): %s",
		                       spec, path, strerror(err));
	}
	type = ioctl(*fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		int err = errno;
		close(*fd);
		*fd = -1;
		if (type < 0 && err != ENOTTY && err != EINVAL)
			return sockstate__fail(h, SOCKSTATE_EIO, "network namespace '%s': "
			                       "ioctl(NS_GET_NSTYPE): %s", spec, strerror(err));
		return sockstate__fail(h, SOCKSTATE_EINVAL, "network namespace '%s': %s is not "
		                       "a network namespace", spec, path);
	}
	return 0;
}

static int same_file(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

int sockstate__netns_enter(sockstate_handle *h, int ns_fd, int *saved)
{
	const char *spec = sockstate__handle_netns(h);

	*saved = -1;
	if (ns_fd < 0 || same_file(ns_fd, SELF_NETNS))
		return 0;
	*saved = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
	if (*saved < 0) {
		int err = errno;
		return sockstate__fail(h, errno_code(err), "open(%s): %s", SELF_NETNS,
		                       strerror(err));
	}
	if (setns(ns_fd, CLONE_NEWNET) < 0) {
		int err = errno;
		close(*saved);
		*saved = -1;
		return sockstate__fail(h, errno_code(err), "network namespace '%s': setns: %s%s",
		                       spec ? spec : "?", strerror(err),
		                       err == EPERM ? " (entering one needs CAP_SYS_ADMIN)" : "");
	}
	return 0;
}

int sockstate__netns_leave(sockstate_handle *h, int saved)
{
	int rc = 0;

	if (saved < 0)
		return 0;
	if (setns(saved, CLONE_NEWNET) < 0) {
		int err = errno;
		rc = sockstate__fail(h, SOCKSTATE_EIO, "setns back to the caller's network "
		                     "namespace: %s", strerror(err));
	}
	close(saved);
	return rc;
}

int sockstate__netns_open_file(sockstate_handle *h, int ns_fd, const char *path)
{
	int saved, fd, err, rc;

	rc = sockstate__netns_enter(h, ns_fd, &saved);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	err = errno;
	rc = sockstate__netns_leave(h, saved);
	if (rc < 0) {
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (fd < 0)
		return err == ENOENT ? SOCKSTATE_ENOENT
		       : sockstate__fail(h, err == EACCES || err == EPERM ? SOCKSTATE_EPERM
		                         : SOCKSTATE_EIO, "open(%s): %s", path, strerror(err));
	return fd;
}

/* ---- the list ---- */

struct found_ns {
	char *spec;                 /* NULL until named */
	uint64_t inode;
	int32_t pid;
	uint64_t proc_id;           /* the inode of its /proc/PID/net/tcp (per
	                               namespace, and readable by anyone); 0
	                               until a process of it is seen */
};

struct ns_list {
	struct found_ns *items;
	size_t n, cap;
};

static struct found_ns *ns_find(struct ns_list *l, uint64_t inode)
{
	if (!inode)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].inode == inode)
			return &l->items[i];
	return NULL;
}

static int ns_add(struct ns_list *l, const char *spec, uint64_t inode, int32_t pid)
{
	struct found_ns *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct found_ns *items = realloc(l->items, cap * sizeof *items);

		if (!items)
			return SOCKSTATE_ENOMEM;
		l->items = items;
		l->cap = cap;
	}
	e = &l->items[l->n];
	e->spec = strdup(spec);
	if (!e->spec)
		return SOCKSTATE_ENOMEM;
	e->inode = inode;
	e->pid = pid;
	e->proc_id = 0;
	l->n++;
	return 0;
}

/* The namespace of process pid as anyone may tell it apart: the inode of
 * its /proc/PID/net/tcp, an entry each namespace has of its own (the
 * namespace's own link, /proc/PID/ns/net, needs the right to inspect
 * the process). 0 when unknown (gone). */
static uint64_t proc_net_id(int32_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof path, "/proc/%ld/net/tcp", (long)pid);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static struct found_ns *ns_find_proc_id(struct ns_list *l, uint64_t proc_id)
{
	for (size_t i = 0; proc_id && i < l->n; i++)
		if (l->items[i].proc_id == proc_id)
			return &l->items[i];
	return NULL;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names under /run/netns, sorted. A name that is not (or no longer) a
 * network namespace is left out; one we may not open is listed with
 * inode 0, so opening it later says why. */
static int add_named(struct ns_list *l)
{
	DIR *d = opendir(NETNS_RUN_DIR);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int rc = 0;

	if (!d)
		return 0; /* no namespace was ever named */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **p = realloc(names, ncap * sizeof *p);
			if (!p) {
				rc = SOCKSTATE_ENOMEM;
				break;
			}
			names = p;
			cap = ncap;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = SOCKSTATE_ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0 && n)
		qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[4096];
		struct stat st;
		uint64_t inode = 0;
		int fd;

		snprintf(path, sizeof path, "%s/%s", NETNS_RUN_DIR, names[i]);
		fd = ns_file_open(path);
		if (fd >= 0) {
			int type = ioctl(fd, NS_GET_NSTYPE);
			if (type != CLONE_NEWNET) {
				close(fd);
				continue;
			}
			if (fstat(fd, &st) == 0)
				inode = st.st_ino;
			close(fd);
		}
		if (!ns_find(l, inode))
			rc = ns_add(l, names[i], inode, -1);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int pid_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* The caller goes last: it is gone once it has answered, so a namespace
 * it shares with anyone is named after someone who stays (and two runs
 * name it alike, even where pid numbers have wrapped below the caller's
 * neighbours). */
static void self_last(int32_t *pids, size_t n)
{
	/* In /proc's own numbering, which getpid() may not share (a /proc
	 * mounted from another pid namespace). */
	char link[32];
	ssize_t len = readlink("/proc/self", link, sizeof link - 1);
	int32_t self;

	if (len <= 0)
		return;
	link[len] = '\0';
	self = (int32_t)strtol(link, NULL, 10);

	for (size_t i = 0; i < n; i++) {
		if (pids[i] == self) {
			memmove(&pids[i], &pids[i + 1], (n - i - 1) * sizeof *pids);
			pids[n - 1] = self;
			return;
		}
	}
}

/* Every process's namespace not seen yet, as "pid:PID" of its lowest pid
 * but the caller's own (unless it is alone there); the same pid of each
 * named one too. Then the namespaces of processes the caller may not
 * inspect (another user's, without privilege), told apart by their
 * /proc/PID/net: each one none of the others is, as "pid:PID" with
 * inode 0, so that the caller learns it exists (it cannot enter it
 * either) instead of never hearing of it. */
static int add_processes(sockstate_handle *h, struct ns_list *l)
{
	DIR *d = opendir("/proc");
	int32_t *pids = NULL;
	size_t n = 0, cap = 0, denied = 0;
	struct dirent *de;
	int rc = 0;

	if (!d) {
		int err = errno;
		return sockstate__fail(h, SOCKSTATE_EIO, "opendir(/proc): %s", strerror(err));
	}
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid > INT32_MAX)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			int32_t *p = realloc(pids, ncap * sizeof *p);
			if (!p) {
				rc = SOCKSTATE_ENOMEM;
				break;
			}
			pids = p;
			cap = ncap;
		}
		pids[n++] = (int32_t)pid;
	}
	closedir(d);
	if (rc == 0) {
		qsort(pids, n, sizeof *pids, pid_cmp);
		self_last(pids, n);
	}
	/* pids[0..denied) collects, in order, those we may not inspect. */
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[64], spec[32];
		struct found_ns *e;
		struct stat st;

		snprintf(path, sizeof path, "/proc/%ld/ns/net", (long)pids[i]);
		if (stat(path, &st) != 0) {
			/* A process gone, or a kernel without the link: nothing. */
			if (errno == EACCES || errno == EPERM)
				pids[denied++] = pids[i];
			continue;
		}
		e = ns_find(l, st.st_ino);
		if (!e) {
			snprintf(spec, sizeof spec, "pid:%ld", (long)pids[i]);
			rc = ns_add(l, spec, st.st_ino, pids[i]);
			if (rc < 0)
				break;
			e = &l->items[l->n - 1];
		} else if (e->pid < 0) {
			e->pid = pids[i];
		}
		if (!e->proc_id)
			e->proc_id = proc_net_id(pids[i]);
	}
	for (size_t i = 0; i < denied && rc == 0; i++) {
		uint64_t id = proc_net_id(pids[i]);
		char spec[32];

		if (!id || ns_find_proc_id(l, id))
			continue;
		snprintf(spec, sizeof spec, "pid:%ld", (long)pids[i]);
		rc = ns_add(l, spec, 0, pids[i]);
		if (rc == 0)
			l->items[l->n - 1].proc_id = id;
	}
	free(pids);
	return rc;
}

int sockstate__linux_netns_list(sockstate_handle *h,
                                int (*found)(void *ctx, const char *spec, uint64_t inode,
                                             int32_t pid, int current),
                                void *ctx)
{
	struct ns_list l = {0};
	struct stat self;
	uint64_t self_inode = stat(SELF_NETNS, &self) == 0 ? self.st_ino : 0;
	int rc = add_named(&l);

	if (rc == 0)
		rc = add_processes(h, &l);
	for (size_t i = 0; i < l.n && rc == 0; i++)
		rc = found(ctx, l.items[i].spec, l.items[i].inode, l.items[i].pid,
		           l.items[i].inode && l.items[i].inode == self_inode);
	for (size_t i = 0; i < l.n; i++)
		free(l.items[i].spec);
	free(l.items);
	if (rc == SOCKSTATE_ENOMEM)
		return sockstate__fail(h, rc, "out of memory listing network namespaces");
	return rc;
}
