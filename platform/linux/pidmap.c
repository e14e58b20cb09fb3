/* pidmap.c - which processes own which sockets: one walk of /proc/<pid>/fd
 * (by two threads, each taking every other process, where two CPUs are
 * usable).
 *
 * For each process /proc lists (thread group leaders only: threads share
 * their leader's descriptor table, except a task cloned without
 * CLONE_FILES, which is rare and which `ss -p` does not see either), list
 * /proc/<pid>/fd with getdents64 into a reused buffer and stat each entry:
 * following the link lands on the open file itself, so a socket shows as
 * S_ISSOCK on sockfs with st_ino the inode /proc/net/tcp and sock_diag
 * print. Measured, this is faster than readlinkat() and parsing
 * "socket:[N]".
 *
 * The stat is statx(AT_STATX_DONT_SYNC) asking only for type and inode:
 * following the link also reaches regular files, and a network
 * filesystem (NFS, CIFS, FUSE) would otherwise revalidate attributes with
 * its server, which is slow and hangs on a dead server.
 *
 * Processes come and go during the walk and some refuse inspection:
 * those are skipped (their sockets get no owner), never an error; the
 * map notes how many refused (and whether /proc hides processes from
 * us altogether), so that their sockets are reported as having an owner
 * we could not read rather than none. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pidmap.h"
#include "pidmap_bpf.h"

/* Big enough that most processes' fd lists come in one getdents64. */
#define DENTS_BUF_SIZE (64u * 1024u)

struct walk {
	sockstate_handle *h;
	sockstate__owners *map;
	int proc_fd;
	int check_dev;           /* sockfs_dev known */
	dev_t sockfs_dev;
	char *dents;             /* DENTS_BUF_SIZE, for one pid's fd dir */
};

/* A process that ended or is not ours to inspect. */
static int process_gone_or_denied(int e)
{
	return e == ENOENT || e == ESRCH || e == EACCES || e == EPERM;
}

static int errno_code(int e)
{
	if (e == ENOMEM)
		return SOCKSTATE_ENOMEM;
	return SOCKSTATE_EIO;
}

/* The decimal name of a pid (at most 10 digits); -1 for anything else. */
static int32_t parse_pid(const char *name)
{
	int32_t v = 0;

	if (!*name || strnlen(name, 11) > 10)
		return -1;
	for (; *name; name++) {
		unsigned d = (unsigned)(*name - '0');
		if (d > 9 || v > (INT32_MAX - (int32_t)d) / 10)
			return -1;
		v = v * 10 + (int32_t)d;
	}
	return v;
}

/* Where sockets live, to tell a socket from an O_PATH descriptor of a
 * socket file on disk (also S_ISSOCK, with an unrelated inode number). */
static int sockfs_dev(dev_t *dev)
{
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ok;

	if (fd < 0)
		return 0;
	ok = fstat(fd, &st) == 0;
	close(fd);
	*dev = st.st_dev;
	return ok;
}

static int name_process(struct walk *w, const char *pid_name, int32_t pid)
{
	char path[32], comm[64];
	ssize_t n;
	int fd;

	strcpy(path, pid_name);
	strcat(path, "/comm");
	fd = openat(w->proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* gone: its sockets keep the pid, without a name */
	do
		n = read(fd, comm, sizeof comm - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return 0;
	if (comm[n - 1] == '\n')
		n--;
	comm[n] = '\0';
	if (sockstate__owners_name(w->map, pid, comm) < 0)
		return sockstate__fail(w->h, SOCKSTATE_ENOMEM, "owner map: out of memory");
	return 0;
}

/* Add every socket of one process. */
static int walk_process(struct walk *w, const char *pid_name, int32_t pid)
{
	char path[32];
	unsigned sockets = 0;
	int fd_dir, rc = 0;

	strcpy(path, pid_name);
	strcat(path, "/fd");
	fd_dir = openat(w->proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd_dir < 0) {
		if (errno == EACCES || errno == EPERM)
			sockstate__owners_note_unreadable(w->map, 1, 0);
		if (process_gone_or_denied(errno))
			return 0;
		return sockstate__fail(w->h, errno_code(errno), "openat(/proc/%s): %s",
		                       path, strerror(errno));
	}
	for (;;) {
		ssize_t n = getdents64(fd_dir, w->dents, DENTS_BUF_SIZE);

		if (n == 0)
			break;
		if (n < 0) {
			if (!process_gone_or_denied(errno))
				rc = sockstate__fail(w->h, errno_code(errno),
				                     "getdents64(/proc/%s): %s", path,
				                     strerror(errno));
			break;
		}
		for (ssize_t off = 0; off < n;) {
			const struct dirent64 *d = (const struct dirent64 *)(w->dents + off);
			struct statx stx;

			off += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue; /* "." and ".." */
			/* Any error leaves this fd out: it was closed meanwhile,
			 * or it is a file whose filesystem fails (a dead FUSE
			 * mount), never a socket we could see. */
			if (statx(fd_dir, d->d_name, AT_STATX_DONT_SYNC, STATX_TYPE | STATX_INO,
			          &stx) != 0 || !S_ISSOCK(stx.stx_mode))
				continue;
			if (w->check_dev &&
			    makedev(stx.stx_dev_major, stx.stx_dev_minor) != w->sockfs_dev)
				continue;
			if (sockstate__owners_add(w->map, stx.stx_ino, pid) < 0) {
				rc = sockstate__fail(w->h, SOCKSTATE_ENOMEM,
				                     "owner map: out of memory");
				break;
			}
			sockets++;
		}
		if (rc < 0)
			break;
	}
	close(fd_dir);
	if (rc == 0 && sockets > 0)
		rc = name_process(w, pid_name, pid);
	return rc;
}

/* Every pid /proc lists, into *pids (malloc'd, *n of them). */
static int list_pids(sockstate_handle *h, int proc_fd, char *dents, int32_t **pids,
                     size_t *n)
{
	size_t cap = 0;

	*pids = NULL;
	*n = 0;
	for (;;) {
		ssize_t got = getdents64(proc_fd, dents, DENTS_BUF_SIZE);

		if (got == 0)
			return 0;
		if (got < 0)
			return sockstate__fail(h, errno_code(errno), "getdents64(/proc): %s",
			                       strerror(errno));
		for (ssize_t off = 0; off < got;) {
			const struct dirent64 *d = (const struct dirent64 *)(dents + off);
			int32_t pid = parse_pid(d->d_name);

			off += d->d_reclen;
			if (pid <= 0)
				continue;
			if (*n == cap) {
				size_t ncap = cap ? cap * 2 : 512;
				int32_t *p = realloc(*pids, ncap * sizeof *p);

				if (!p)
					return sockstate__fail(h, SOCKSTATE_ENOMEM, "malloc: out of memory");
				*pids = p;
				cap = ncap;
			}
			(*pids)[(*n)++] = pid;
		}
	}
}

/* pids[first], pids[first + step], ...: every `step`-th process, so that
 * two walkers share the big processes as well as the small. */
static int walk_pids(struct walk *w, const int32_t *pids, size_t n, size_t first,
                     size_t step)
{
	int rc = 0;

	for (size_t i = first; i < n && rc == 0; i += step) {
		char name[16];

		snprintf(name, sizeof name, "%d", (int)pids[i]);
		rc = walk_process(w, name, pids[i]);
	}
	return rc;
}

/* The second walker: every other process, into a map of its own, its
 * errors kept apart (it runs beside the first, on the same handle). */
struct second_walk {
	struct walk w;
	const int32_t *pids;
	size_t n;
	int rc;
	char detail[512];
};

static void second_walk_run(void *arg)
{
	struct second_walk *sw = arg;

	sockstate__fail_redirect(sw->detail, sizeof sw->detail);
	sw->rc = walk_pids(&sw->w, sw->pids, sw->n, 1, 2);
	sockstate__fail_redirect(NULL, 0);
}

static int cpus_usable(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

/* Both halves of the walk at once: the first here, the second on a task.
 * Falls back to one walker when no task or memory is to be had. */
static int walk_two(struct walk *w, const int32_t *pids, size_t n)
{
	struct second_walk sw = {.w = *w, .pids = pids, .n = n};
	sockstate__task *task;
	int rc;

	sw.w.map = sockstate__owners_new();
	sw.w.dents = malloc(DENTS_BUF_SIZE);
	if (!sw.w.map || !sw.w.dents ||
	    sockstate__platform_task_start(&task, second_walk_run, &sw) != 0) {
		sockstate__owners_free(sw.w.map);
		free(sw.w.dents);
		return walk_pids(w, pids, n, 0, 1);
	}
	rc = walk_pids(w, pids, n, 0, 2);
	sockstate__platform_task_join(task);
	if (rc == 0 && sw.rc < 0)
		rc = sockstate__fail(w->h, sw.rc, "%s", sw.detail);
	if (rc == 0 && sockstate__owners_merge(w->map, sw.w.map) < 0)
		rc = sockstate__fail(w->h, SOCKSTATE_ENOMEM, "owner map: out of memory");
	sockstate__owners_free(sw.w.map);
	free(sw.w.dents);
	return rc;
}

int sockstate__linux_proc_owners_walkers(sockstate_handle *h, sockstate__owners *map,
                                         const char **source, int walkers)
{
	struct walk w = {.h = h, .map = map};
	int32_t *pids = NULL;
	size_t n = 0;
	char *proc_dents;
	int rc;

	w.proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.proc_fd < 0)
		return sockstate__fail(h, errno_code(errno), "open(/proc): %s", strerror(errno));
	w.check_dev = sockfs_dev(&w.sockfs_dev);
	proc_dents = malloc(2 * (size_t)DENTS_BUF_SIZE);
	if (!proc_dents) {
		close(w.proc_fd);
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "malloc: out of memory");
	}
	w.dents = proc_dents + DENTS_BUF_SIZE;
	rc = list_pids(h, w.proc_fd, proc_dents, &pids, &n);
	/* /proc mounted hidepid=invisible shows another user's processes not
	 * at all, init's first (pid 1 always exists in /proc's namespace). */
	if (rc == 0 && getpid() != 1 && faccessat(w.proc_fd, "1", F_OK, 0) != 0 &&
	    errno == ENOENT)
		sockstate__owners_note_unreadable(map, 0, 1);
	if (rc == 0 && walkers > 1)
		rc = walk_two(&w, pids, n);
	else if (rc == 0)
		rc = walk_pids(&w, pids, n, 0, 1);
	free(pids);
	free(proc_dents);
	close(w.proc_fd);
	if (rc == 0 && (rc = sockstate__owners_finish(map)) < 0)
		rc = sockstate__fail(h, rc, "owner map: out of memory");
	if (rc == 0)
		*source = "procfs";
	return rc;
}

/* Two walkers where two CPUs are usable: the walk is a getdents64 and a
 * statx per descriptor of every process, kernel time that splits well
 * (50,000 socket fds in 4 processes, with the dump beside it: a `-p`
 * listing 106 -> 81 ms, the same CPU time). */
int sockstate__linux_proc_owners(sockstate_handle *h, sockstate__owners *map,
                                 const char **source)
{
	return sockstate__linux_proc_owners_walkers(h, map, source, cpus_usable() > 1 ? 2 : 1);
}

/* ---- which walk: the BPF iterator where allowed, else /proc ---- */

int sockstate__platform_pid_source_check(const char *name)
{
	if (!strcmp(name, "procfs"))
		return 0;
	if (!strcmp(name, "bpf"))
		return sockstate__bpf_built() ? 0 : sockstate__fail(NULL, SOCKSTATE_EUNAVAIL,
		       "pid source 'bpf' is not built into this library");
	return sockstate__fail(NULL, SOCKSTATE_EINVAL,
	                       "unknown pid source '%s' (auto, procfs, bpf)", name);
}

int sockstate__linux_owners(sockstate_handle *h, sockstate__owners *map,
                            const char **source)
{
	const char *option = sockstate__handle_pid_source_option(h);
	int rc;

	if (!strcmp(option, "procfs")) {
		sockstate__set_pid_source_reason(h, "the pid_source option asks for procfs");
		return sockstate__linux_proc_owners(h, map, source);
	}
	rc = sockstate__bpf_owners(h, map, source);
	if (rc != SOCKSTATE_EUNAVAIL || !strcmp(option, "bpf"))
		return rc;
	sockstate__owners_reset(map);
	return sockstate__linux_proc_owners(h, map, source);
}
