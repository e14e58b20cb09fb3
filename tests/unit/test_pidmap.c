/* test_pidmap.c - the /proc/<pid>/fd owner walk on real sockets: a socket
 * shared with a forked child has both owners, names come from comm, a
 * closed socket has none, an unprivileged caller sees only its own
 * processes, and processes dying mid-walk are no error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pidmap.h"

static sockstate_handle *open_proc(void)
{
	sockstate_options o = {.size = sizeof o, .backend = "linux-proc",
	                       .pid_source = "procfs"};
	sockstate_handle *h = NULL;

	assert_int_equal(sockstate_open(&h, &o), 0);
	return h;
}

static uint64_t inode_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	return st.st_ino;
}

/* A TCP listener on 127.0.0.1, port chosen by the kernel. */
static int listener(struct sockaddr_in *addr)
{
	socklen_t len = sizeof *addr;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(addr, 0, sizeof *addr);
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)addr, sizeof *addr), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)addr, &len), 0);
	return fd;
}

static int connected(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (const struct sockaddr *)addr, sizeof *addr), 0);
	return fd;
}

static void test_owners_shared_named_and_unowned(void **unused)
{
	sockstate_handle *h;
	sockstate__owners *map;
	struct sockaddr_in addr;
	char name[16], child_name[16], byte;
	int ready[2], done[2], lfd, cfd, gone_fd, dup_fd;
	uint64_t listen_ino, shared_ino, gone_ino;
	const int32_t *pids;
	const char *source = NULL;
	uint32_t n = 0;
	pid_t child;

	(void)unused;
	snprintf(name, sizeof name, "pm%d", (int)getpid());
	snprintf(child_name, sizeof child_name, "pmc%d", (int)getpid());
	assert_int_equal(prctl(PR_SET_NAME, name, 0, 0, 0), 0);

	lfd = listener(&addr);
	listen_ino = inode_of(lfd);
	cfd = connected(&addr);
	shared_ino = inode_of(cfd);
	dup_fd = dup(lfd); /* two fds on one socket: still one owner */
	assert_true(dup_fd >= 0);
	gone_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(gone_fd >= 0);
	gone_ino = inode_of(gone_fd);
	close(gone_fd);

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(done), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* Keep the inherited cfd; drop the listener, so it stays the
		 * parent's alone. */
		close(lfd);
		close(dup_fd);
		prctl(PR_SET_NAME, child_name, 0, 0, 0);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		(void)!read(done[0], &byte, 1);
		_exit(0);
	}
	assert_int_equal(read(ready[0], &byte, 1), 1);

	h = open_proc(); /* after the fork: the child has nothing to free */
	map = sockstate__owners_new();
	assert_non_null(map);
	assert_int_equal(sockstate__linux_owners(h, map, &source), 0);
	assert_string_equal(source, "procfs");

	pids = sockstate__owners_find(map, listen_ino, &n);
	assert_int_equal(n, 1);
	assert_non_null(pids);
	assert_int_equal(pids[0], getpid());
	assert_string_equal(sockstate__owners_pid_name(map, getpid()), name);

	pids = sockstate__owners_find(map, shared_ino, &n);
	assert_int_equal(n, 2);
	assert_non_null(pids);
	assert_int_equal(pids[0], getpid() < child ? getpid() : child);
	assert_int_equal(pids[1], getpid() < child ? child : getpid());
	assert_string_equal(sockstate__owners_pid_name(map, child), child_name);

	pids = sockstate__owners_find(map, gone_ino, &n);
	assert_null(pids);
	assert_int_equal(n, 0);

	/* A reset map filled again gives the same answers. */
	sockstate__owners_reset(map);
	assert_int_equal(sockstate__linux_owners(h, map, &source), 0);
	pids = sockstate__owners_find(map, shared_ino, &n);
	assert_int_equal(n, 2);

	/* One walker and two (every other process on a second thread, its
	 * map merged): the same owners and names, whichever walker met the
	 * parent and whichever the child. */
	for (int walkers = 1; walkers <= 2; walkers++) {
		sockstate__owners_reset(map);
		assert_int_equal(sockstate__linux_proc_owners_walkers(h, map, &source, walkers), 0);
		pids = sockstate__owners_find(map, listen_ino, &n);
		assert_int_equal(n, 1);
		assert_int_equal(pids[0], getpid());
		pids = sockstate__owners_find(map, shared_ino, &n);
		assert_int_equal(n, 2);
		assert_int_equal(pids[0], getpid() < child ? getpid() : child);
		assert_int_equal(pids[1], getpid() < child ? child : getpid());
		assert_string_equal(sockstate__owners_pid_name(map, getpid()), name);
		assert_string_equal(sockstate__owners_pid_name(map, child), child_name);
		assert_null(sockstate__owners_find(map, gone_ino, &n));
	}

	assert_int_equal(write(done[1], "d", 1), 1);
	assert_int_equal(waitpid(child, NULL, 0), child);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
	close(cfd);
	close(dup_fd);
	close(lfd);
	sockstate__owners_free(map);
	sockstate_close(h);
}

/* Run as another uid: only that uid's processes are visible. The child
 * reports through its exit code (cmocka's asserts live in the parent). */
static int unprivileged_walk(uint64_t root_ino)
{
	sockstate_handle *h = NULL;
	sockstate_options o = {.size = sizeof o, .backend = "linux-proc"};
	sockstate__owners *map;
	struct sockaddr_in addr;
	socklen_t len = sizeof addr;
	const int32_t *pids;
	const char *source = NULL;
	uint32_t n = 9;
	int fd;

	if (setgid(65534) != 0 || setuid(65534) != 0)
		return 10;
	/* A uid change makes the process non-dumpable, which hides even its
	 * own /proc/self/fd; a normal unprivileged program is dumpable. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
		return 11;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, len) != 0 || listen(fd, 1) != 0)
		return 12;
	if (sockstate_open(&h, &o) != 0 || !(map = sockstate__owners_new()))
		return 13;
	if (sockstate__linux_owners(h, map, &source) != 0 || strcmp(source, "procfs"))
		return 14;
	pids = sockstate__owners_find(map, inode_of(fd), &n);
	if (n != 1 || pids[0] != getpid())
		return 15;
	if (sockstate__owners_find(map, root_ino, &n) != NULL || n != 0)
		return 16;
	sockstate__owners_free(map);
	sockstate_close(h);
	return 0;
}

static void test_unprivileged_sees_own_processes(void **unused)
{
	struct sockaddr_in addr;
	int lfd, status = -1;
	uint64_t ino;
	pid_t child;

	(void)unused;
	if (geteuid() != 0)
		skip(); /* needs root to become another user */
	lfd = listener(&addr);
	ino = inode_of(lfd);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(lfd);
		_exit(unprivileged_walk(ino));
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(lfd);
}

/* Processes that start and end during the walk are skipped, not errors. */
static void test_churn_is_not_an_error(void **unused)
{
	sockstate_handle *h;
	sockstate__owners *map;
	struct sockaddr_in addr;
	const char *source = NULL;
	int lfd = listener(&addr);
	uint64_t ino = inode_of(lfd);
	int ready[2];
	char byte;
	pid_t spawner;

	(void)unused;
	assert_int_equal(pipe(ready), 0);
	spawner = fork();
	assert_true(spawner >= 0);
	if (spawner == 0) {
		close(lfd);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;) { /* short-lived processes, each holding sockets */
			pid_t p = fork();
			if (p == 0) {
				for (int i = 0; i < 20; i++)
					(void)!socket(AF_INET, SOCK_STREAM, 0);
				_exit(0);
			}
			if (p > 0)
				waitpid(p, NULL, 0);
		}
	}
	assert_int_equal(read(ready[0], &byte, 1), 1);
	h = open_proc();
	map = sockstate__owners_new();
	assert_non_null(map);
	for (int round = 0; round < 30; round++) {
		uint32_t n = 0;
		const int32_t *pids;

		sockstate__owners_reset(map);
		assert_int_equal(sockstate__linux_owners(h, map, &source), 0);
		pids = sockstate__owners_find(map, ino, &n);
		assert_int_equal(n, 1);
		assert_int_equal(pids[0], getpid());
	}
	kill(spawner, SIGKILL);
	assert_int_equal(waitpid(spawner, NULL, 0), spawner);
	close(ready[0]);
	close(ready[1]);
	close(lfd);
	sockstate__owners_free(map);
	sockstate_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owners_shared_named_and_unowned),
		cmocka_unit_test(test_unprivileged_sees_own_processes),
		cmocka_unit_test(test_churn_is_not_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
