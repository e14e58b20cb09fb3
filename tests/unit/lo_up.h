/* lo_up.h - bring up the loopback of a network namespace a test just
 * made (it starts down). For cmocka tests (netns_child.h) and plain test
 * programs alike. */
#ifndef SOCKSTATE_TEST_LO_UP_H
#define SOCKSTATE_TEST_LO_UP_H

#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Bring lo up in the current network namespace. 0, or -1 (errno set). */
static int lo_up(void)
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

#endif /* SOCKSTATE_TEST_LO_UP_H */
