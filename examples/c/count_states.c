/* count_states.c - sockets per normalized state, with the explanation of
 * any state that has a pile (here: more than 100 sockets). */
#include <stdio.h>

#include <sockstate.h>

int main(void)
{
	sockstate_handle *h;
	sockstate_counts c;
	int rc = sockstate_open(&h, NULL);

	if (rc < 0) {
		fprintf(stderr, "count_states: %s\n", sockstate_errdetail(NULL));
		return 3;
	}
	rc = sockstate_count(h, NULL, &c);
	if (rc < 0) {
		fprintf(stderr, "count_states: %s\n", sockstate_errdetail(h));
		sockstate_close(h);
		return 3;
	}
	printf("backend %s, %llu sockets\n", sockstate_backend(h), (unsigned long long)c.total);
	for (int s = 0; s < SOCKSTATE_STATE_COUNT; s++) {
		sockstate_state_info info;

		if (!c.by_state[s])
			continue;
		printf("%-12s %llu\n", sockstate_state_name((sockstate_state)s),
		       (unsigned long long)c.by_state[s]);
		if (c.by_state[s] > 100 &&
		    sockstate_state_describe((sockstate_state)s, "en", &info) == 0)
			printf("  %s\n", info.pile_means);
	}
	sockstate_close(h);
	return 0;
}
