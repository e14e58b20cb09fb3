/* check_capi.c - the state lab through the C API: every held socket with
 * its state, native name, endpoints and owners, and nothing else; each
 * state filter pushed into the kernel equals the same filter in user
 * space; the /proc backend reports the same population (BOUND sockets
 * excepted: /proc does not list them).
 *
 * Runs inside the lab: statelab.py run -- check_capi. Reads the lab's
 * expectations from $STATELAB_TSV. Prints "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockstate.h"

enum { MAX_SOCKETS = 256, KEY_LEN = 200 };

struct lab_socket {
	char key[KEY_LEN];   /* family local:port remote:port */
	char state[16];
	char native[16];
	char pids[64];       /* "-" or ascending, comma-separated */
	int seen;
};

static struct lab_socket lab[MAX_SOCKETS];
static size_t nlab;
static int passed, failed;

static void check(int ok, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL: %s\n", what);
	}
}

static int load_tsv(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f) && nlab < MAX_SOCKETS) {
		char *field[12];
		int n = 0;

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (char *tok = strtok(line, "\t"); tok && n < 12; tok = strtok(NULL, "\t"))
			field[n++] = tok;
		if (n < 12)
			continue;
		struct lab_socket *s = &lab[nlab++];
		snprintf(s->key, sizeof s->key, "%s %s:%s %s:%s", field[0], field[1], field[2],
		         field[3], field[4]);
		snprintf(s->state, sizeof s->state, "%s", field[5]);
		snprintf(s->native, sizeof s->native, "%s", field[6]);
		snprintf(s->pids, sizeof s->pids, "%s", field[9]);
	}
	fclose(f);
	return nlab ? 0 : -1;
}

static void socket_key(const sockstate_socket *s, char *key, size_t len)
{
	char l[64], r[64];

	sockstate_endpoint_format(s->family, &s->local, l, sizeof l);
	sockstate_endpoint_format(s->family, &s->remote, r, sizeof r);
	snprintf(key, len, "%s %s:%u %s:%u", s->family == SOCKSTATE_FAMILY_IPV4 ? "ipv4" : "ipv6",
	         l, s->local.port, r, s->remote.port);
}

static void pids_text(const sockstate_socket *s, char *out, size_t len)
{
	size_t used = 0;

	if (!(s->valid & SOCKSTATE_HAS_PID)) {
		snprintf(out, len, "-");
		return;
	}
	out[0] = '\0';
	for (uint32_t i = 0; i < s->pid_count && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%d", i ? "," : "",
		                         s->pids ? s->pids[i] : s->pid);
}

struct run {
	uint32_t want_states;  /* lab sockets whose state is in here are expected */
	int pids;
	const char *label;
	size_t count;
};

static int state_bit(const char *name)
{
	sockstate_state st;

	return sockstate_state_parse(name, &st) == 0 ? (int)SOCKSTATE_STATE_BIT(st) : 0;
}

static int on_socket(const sockstate_socket *s, void *ctx)
{
	struct run *run = ctx;
	char key[KEY_LEN], what[400], pids[64];

	socket_key(s, key, sizeof key);
	run->count++;
	for (size_t i = 0; i < nlab; i++) {
		if (strcmp(lab[i].key, key) || strcmp(lab[i].state, sockstate_state_name(s->state)))
			continue;
		lab[i].seen++;
		snprintf(what, sizeof what, "%s: %s native name %s, want %s", run->label, key,
		         s->native_name, lab[i].native);
		check(!strcmp(s->native_name, lab[i].native), what);
		if (run->pids) {
			pids_text(s, pids, sizeof pids);
			snprintf(what, sizeof what, "%s: %s owners %s, want %s", run->label, key, pids,
			         lab[i].pids);
			check(!strcmp(pids, lab[i].pids), what);
		}
		return 0;
	}
	snprintf(what, sizeof what, "%s: unexpected socket %s %s", run->label, key,
	         sockstate_state_name(s->state));
	check(0, what);
	return 0;
}

static void run_query(const char *backend, const sockstate_query *q, struct run *run)
{
	sockstate_options o = {.size = sizeof o, .backend = backend};
	sockstate_handle *h;
	char what[300];
	int rc = sockstate_open(&h, &o);

	snprintf(what, sizeof what, "%s: open: %s", run->label, sockstate_errdetail(NULL));
	check(rc == 0, what);
	if (rc)
		return;
	for (size_t i = 0; i < nlab; i++)
		lab[i].seen = 0;
	rc = sockstate_foreach(h, q, on_socket, run);
	snprintf(what, sizeof what, "%s: foreach: %s", run->label, sockstate_errdetail(h));
	check(rc == 0, what);
	for (size_t i = 0; i < nlab; i++) {
		int want = (run->want_states & (uint32_t)state_bit(lab[i].state)) ? 1 : 0;
		snprintf(what, sizeof what, "%s: %s %s seen %d times, want %d", run->label,
		         lab[i].key, lab[i].state, lab[i].seen, want);
		check(lab[i].seen == want, what);
	}
	sockstate_close(h);
}

static void every_socket(const char *backend, uint32_t states, int pids)
{
	sockstate_query q;
	char label[64];
	struct run run = {.want_states = states, .pids = pids, .label = label};

	snprintf(label, sizeof label, "%s%s", backend, pids ? " -p" : "");
	sockstate_query_init(&q);
	q.states = states;
	if (pids)
		q.flags |= SOCKSTATE_Q_PIDS;
	run_query(backend, &q, &run);
}

/* One state at a time, pushed down and not: both equal the lab's sockets
 * in that state. */
static void each_state_both_ways(void)
{
	for (int st = SOCKSTATE_CLOSED; st < SOCKSTATE_STATE_COUNT; st++) {
		for (int push = 0; push < 2; push++) {
			sockstate_query q;
			char label[80];
			struct run run = {.want_states = SOCKSTATE_STATE_BIT(st), .label = label};

			snprintf(label, sizeof label, "--state %s (%s)", sockstate_state_name(st),
			         push ? "kernel filter" : "user-space filter");
			sockstate_query_init(&q);
			q.states = SOCKSTATE_STATE_BIT(st);
			if (!push)
				q.flags |= SOCKSTATE_Q_NO_PUSHDOWN;
			run_query("linux-netlink", &q, &run);
		}
	}
}

int main(void)
{
	const char *tsv = getenv("STATELAB_TSV");
	uint32_t all = SOCKSTATE_STATES_ALL;
	uint32_t no_bound = all & ~SOCKSTATE_STATE_BIT(SOCKSTATE_BOUND);

	if (!tsv || load_tsv(tsv) < 0) {
		printf("check_capi: no lab expectations (run inside statelab.py run --)\n");
		return 2;
	}
	every_socket("linux-netlink", all, 0);
	every_socket("linux-netlink", all, 1);
	every_socket("linux-netlink", SOCKSTATE_STATES_DEFAULT, 1);
	every_socket("linux-proc", no_bound, 0);
	every_socket("linux-proc", no_bound, 1);
	each_state_both_ways();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
