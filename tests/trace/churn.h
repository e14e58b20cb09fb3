/* churn.h - a bounded churn of short TCP connections on 127.0.0.1, for
 * the trace's lossless check and its benchmark: `threads` client threads
 * each connect, then close with a reset (SO_LINGER 0: no TIME_WAIT, so
 * ephemeral ports never run out), while one thread accepts and closes. */
#ifndef SOCKSTATE_TEST_CHURN_H
#define SOCKSTATE_TEST_CHURN_H

#include <stdint.h>

struct churn_result {
	uint64_t made;      /* connections established (connect returned 0) */
	uint64_t failed;    /* connects that failed */
	double seconds;     /* wall time of the clients */
};

/* Listen on 127.0.0.1:port and make `connections` connections from
 * `threads` threads. Returns 0, or -1 with errno (the listener or a
 * thread could not be made). */
int churn_run(uint16_t port, uint64_t connections, int threads, struct churn_result *out);

#endif /* SOCKSTATE_TEST_CHURN_H */
