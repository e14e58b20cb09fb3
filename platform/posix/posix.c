/* posix.c - what Linux, FreeBSD and macOS offer the core alike (as
 * libuv's unix/ folder does for its platforms): machine facts from
 * uname(2), interface names, and a thread for a task run beside the
 * caller. Each of those platform folders builds this file too. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "backend_internal.h"

/* Copy, truncating: utsname fields may be longer than ours. */
static void copy_field(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

#define COPY_FIELD(dst, src) copy_field((dst), sizeof(dst), (src))

int sockstate__platform_sysinfo(sockstate_sysinfo *out)
{
	struct utsname u;

	if (gethostname(out->host, sizeof out->host - 1) != 0)
		out->host[0] = '\0';
	if (uname(&u) == 0) {
		COPY_FIELD(out->os_name, u.sysname);
		COPY_FIELD(out->os_release, u.release);
		COPY_FIELD(out->os_version, u.version);
		COPY_FIELD(out->machine, u.machine);
	}
	return 0;
}

int sockstate__platform_ifname(uint32_t index, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	if (!if_indextoname(index, name))
		return -1;
	snprintf(buf, len, "%s", name);
	return 0;
}

int sockstate__platform_capture_open(sockstate_handle *h, const char *name, int *fd)
{
	const char *dir = sockstate__handle_capture_dir(h);
	struct stat st;
	int dfd, err;

	*fd = -1;
	if (!dir)
		return 0;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &st) != 0) {
		err = errno;
		if (dfd >= 0)
			close(dfd);
		return sockstate__fail(h, SOCKSTATE_EIO, "capture directory %s: %s", dir,
		                       strerror(err));
	}
	/* Whoever else may write there can plant a link or a file under the
	 * next name before we open it. */
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) || (st.st_uid != geteuid() && st.st_uid != 0)) {
		close(dfd);
		return sockstate__fail(h, SOCKSTATE_EPERM, "capture directory %s: other users "
		                       "may write to it (mode %04o, owner uid %lu); use a "
		                       "directory only you can write to", dir,
		                       (unsigned)(st.st_mode & 07777), (unsigned long)st.st_uid);
	}
	*fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	err = errno;
	close(dfd);
	if (*fd < 0)
		return sockstate__fail(h, SOCKSTATE_EIO, "capture file %s/%s: %s", dir, name,
		                       strerror(err));
	return 0;
}

struct sockstate__task {
	pthread_t thread;
	void (*fn)(void *arg);
	void *arg;
	int cancel_state;            /* the caller's, restored at the join */
};

static void *task_main(void *p)
{
	struct sockstate__task *t = p;

	t->fn(t->arg);
	return NULL;
}

int sockstate__platform_task_start(sockstate__task **task, void (*fn)(void *arg),
                                   void *arg)
{
	struct sockstate__task *t = malloc(sizeof *t);
	sigset_t all, saved;
	int rc;

	*task = NULL;
	if (!t)
		return SOCKSTATE_ENOTSUP;
	t->fn = fn;
	t->arg = arg;
	/* The thread is born with every signal blocked (it inherits the mask
	 * in force at pthread_create), so the application's signals keep
	 * going to the application's own threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	rc = pthread_create(&t->thread, NULL, task_main, t);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	/* No thread to be had (EAGAIN at a thread limit): the caller runs
	 * fn itself, which is slower but gives the same answer. */
	if (rc != 0) {
		free(t);
		return SOCKSTATE_ENOTSUP;
	}
	/* The task works on the caller's stack: the caller must not be
	 * cancelled (at a pthread_join, a recvmsg) before it has joined. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &t->cancel_state);
	*task = t;
	return 0;
}

void sockstate__platform_task_join(sockstate__task *task)
{
	if (!task)
		return;
	pthread_join(task->thread, NULL);
	pthread_setcancelstate(task->cancel_state, NULL);
	free(task);
}
