/* netns_child.h - for cmocka unit tests that make real sockets in a
 * private network namespace: a child process unshares one (so the test's
 * own process keeps the caller's), whose loopback starts down. Include
 * after <cmocka.h>. */
#ifndef SOCKSTATE_TEST_NETNS_CHILD_H
#define SOCKSTATE_TEST_NETNS_CHILD_H

#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Bring lo up in the current network namespace. 0, or -1 (errno set). */
static inline int lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

/* Run child() in a forked process and check its exit status: 0 passes,
 * 77 skips (it could not unshare a network namespace: not root). */
static inline void run_child(int (*child)(void))
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		print_message("skipped: no private network namespace here (needs root)\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

#endif /* SOCKSTATE_TEST_NETNS_CHILD_H */
