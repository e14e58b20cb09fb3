/* loopback_addr.h - for tests that make sockets on loopback: the address
 * of 127.0.0.1 or ::1 and a port. */
#ifndef SOCKSTATE_TEST_LOOPBACK_ADDR_H
#define SOCKSTATE_TEST_LOOPBACK_ADDR_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* 127.0.0.1:port (AF_INET) or [::1]:port (AF_INET6) into *ss; returns
 * the length to pass with it. */
static inline socklen_t loopback_addr(int af, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (af == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof *a;
	}
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	a6->sin6_family = AF_INET6;
	a6->sin6_port = htons(port);
	a6->sin6_addr = in6addr_loopback;
	return sizeof *a6;
}

#endif /* SOCKSTATE_TEST_LOOPBACK_ADDR_H */
