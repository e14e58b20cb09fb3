/* posix.c - what Linux, FreeBSD and macOS offer the core alike (as
 * libuv's unix/ folder does for its platforms): machine facts from
 * uname(2), interface names, a thread for a task run beside the caller,
 * and the fork watch behind the fork rule. Each of those platform folders
 * builds this file too. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "backend_internal.h"

/* glibc's flag (2.32 on) says whether a second thread ever ran. */
#if defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define HAVE_LIBC_SINGLE_THREADED 1
#endif
#endif

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

/* ---- the fork watch (the fork rule of sockstate.h) ----
 *
 * A thread that was inside malloc or pthread_create when another one
 * forked leaves their locks and caches half-updated in the child, where
 * nothing will finish the update: a thread started there can wait forever
 * on a lock no one holds any more, or take a thread stack whose TLS the
 * parent's thread had begun to free, and free it again. Both were seen
 * (docs/RELIABILITY.md, F7). So in the child of a threaded process no
 * handle starts a thread until exec (sockstate__handle_threads).
 *
 * Whether the parent is threaded is asked in the prepare handler, in the
 * forking thread before the fork: if it is the only thread then, no other
 * can appear before the fork. Counting live threads (/proc/self/task)
 * would cost I/O in every fork of the host program and is Linux's alone;
 * glibc's flag costs a load, and errs only the safe way (it stays false
 * once a thread has run, even after every other thread has ended). */

static atomic_int forking_threaded;  /* the prepare handler's answer */
static atomic_int forked_from_threads;

static int process_has_run_threads(void)
{
#ifdef HAVE_LIBC_SINGLE_THREADED
	return !__libc_single_threaded;
#else
	return 1; /* cannot tell: every fork() child is taken for one */
#endif
}

static void fork_prepare(void)
{
	atomic_store_explicit(&forking_threaded, process_has_run_threads(),
	                      memory_order_relaxed);
}

/* Never cleared: the child's own children stay under the rule too. */
static void fork_child(void)
{
	if (atomic_load_explicit(&forking_threaded, memory_order_relaxed))
		atomic_store_explicit(&forked_from_threads, 1, memory_order_relaxed);
}

/* At load, not at the first sockstate_open: a threaded program may fork
 * before it opens a handle, and its child must still know. */
__attribute__((constructor)) static void fork_watch(void)
{
	(void)pthread_atfork(fork_prepare, NULL, fork_child);
}

int sockstate__platform_forked_from_threads(void)
{
	return atomic_load_explicit(&forked_from_threads, memory_order_relaxed);
}
