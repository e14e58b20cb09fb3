/* listening.c - print every listening TCP socket with its owner.
 * Build: cc listening.c $(pkg-config --cflags --libs sockstate) */
#include <stdio.h>

#include <sockstate.h>

static int print_listener(const sockstate_socket *s, void *ctx)
{
	char addr[64];

	(void)ctx;
	sockstate_endpoint_format(s->family, &s->local, addr, sizeof addr);
	printf("%s%s%s:%u pid=%d process=%s\n",
	       s->family == SOCKSTATE_FAMILY_IPV6 ? "[" : "", addr,
	       s->family == SOCKSTATE_FAMILY_IPV6 ? "]" : "", s->local.port,
	       (s->valid & SOCKSTATE_HAS_PID) ? s->pid : -1,
	       (s->valid & SOCKSTATE_HAS_PROCESS) ? s->process : "?");
	return 0;
}

int main(void)
{
	sockstate_handle *h;
	sockstate_query q;
	int rc = sockstate_open(&h, NULL);

	if (rc < 0) {
		fprintf(stderr, "listening: %s: %s\n", sockstate_strerror(rc),
		        sockstate_errdetail(NULL));
		return 3;
	}
	sockstate_query_init(&q);
	sockstate_query_set(&q, "state", "LISTEN");
	q.flags |= SOCKSTATE_Q_PIDS;
	rc = sockstate_foreach(h, &q, print_listener, NULL);
	if (rc < 0)
		fprintf(stderr, "listening: %s: %s\n", sockstate_strerror(rc),
		        sockstate_errdetail(h));
	sockstate_close(h);
	return rc < 0 ? 3 : 0;
}
