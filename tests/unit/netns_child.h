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

#include "lo_up.h"

/* Run child() in a forked process and check its exit status: 0 passes,
 * 77 skips (it could not unshare a network namespace: not root). */
static void run_child(int (*child)(void))
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
