/* churn.c - see churn.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "churn.h"

#define THREADS_MAX 64

struct churn {
	struct sockaddr_in to;
	int listener;
	uint64_t per_thread;
	atomic_uint_fast64_t made, failed;
	atomic_int clients_left;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *client(void *arg)
{
	struct churn *c = arg;
	struct linger hard = {.l_onoff = 1, .l_linger = 0};

	for (uint64_t i = 0; i < c->per_thread; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd >= 0 && connect(fd, (struct sockaddr *)&c->to, sizeof c->to) == 0) {
			atomic_fetch_add(&c->made, 1);
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
		} else {
			atomic_fetch_add(&c->failed, 1);
		}
		if (fd >= 0)
			close(fd);
	}
	/* The last client wakes the acceptor up with a shutdown. */
	if (atomic_fetch_sub(&c->clients_left, 1) == 1)
		shutdown(c->listener, SHUT_RDWR);
	return NULL;
}

static void *acceptor(void *arg)
{
	struct churn *c = arg;

	for (;;) {
		int fd = accept(c->listener, NULL, NULL);

		if (fd >= 0) {
			close(fd);
			continue;
		}
		if (errno != EINTR && errno != ECONNABORTED)
			return NULL;
	}
}

int churn_run(uint16_t port, uint64_t connections, int threads, struct churn_result *out)
{
	static struct churn c;
	pthread_t tid[THREADS_MAX], acc;
	int one = 1, made_threads = 0;
	double start;

	memset(out, 0, sizeof *out);
	if (threads < 1 || threads > THREADS_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(&c, 0, sizeof c);
	c.to.sin_family = AF_INET;
	c.to.sin_port = htons(port);
	c.to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c.per_thread = connections / (uint64_t)threads;
	atomic_store(&c.clients_left, threads);
	c.listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.listener < 0)
		return -1;
	setsockopt(c.listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(c.listener, (struct sockaddr *)&c.to, sizeof c.to) != 0 ||
	    listen(c.listener, 4096) != 0 || pthread_create(&acc, NULL, acceptor, &c) != 0) {
		close(c.listener);
		return -1;
	}
	start = now_s();
	for (; made_threads < threads; made_threads++)
		if (pthread_create(&tid[made_threads], NULL, client, &c) != 0)
			break;
	/* Threads not made count as clients gone. */
	for (int i = made_threads; i < threads; i++)
		if (atomic_fetch_sub(&c.clients_left, 1) == 1)
			shutdown(c.listener, SHUT_RDWR);
	for (int i = 0; i < made_threads; i++)
		pthread_join(tid[i], NULL);
	out->seconds = now_s() - start;
	pthread_join(acc, NULL);
	close(c.listener);
	out->made = atomic_load(&c.made);
	out->failed = atomic_load(&c.failed);
	if (made_threads < threads) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}
