/* test_run.c - the run engine (libsockstate/src/run.c) driven through a
 * fake backend (fake_platform.c): what the core filters itself, the owner
 * map beside the walk (held chunks, join, order), stops and errors at
 * every stage, and the consumers (snapshot, counts) on top. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_platform.h"

/* Sockets 10000+i -> 20000+i, key i+1; keys divisible by 3 have no
 * owner, the others belong to pid 100 + key % 7 ("p<pid>"), and key 2
 * is shared by pids 102 and 105 (a fork). */
static void world(size_t n)
{
	static char names[7][8];

	fake_reset();
	for (int p = 0; p < 7; p++)
		snprintf(names[p], sizeof names[p], "p%d", 100 + p);
	for (size_t i = 0; i < n; i++) {
		uint64_t key = i + 1;
		sockstate_state st = i % 4 == 0 ? SOCKSTATE_LISTEN : SOCKSTATE_ESTABLISHED;

		fake_add_socket(st, (uint16_t)(10000 + i), (uint16_t)(20000 + i), key);
		if (key % 3 != 0)
			fake_add_owner(key, (int32_t)(100 + key % 7), names[key % 7]);
	}
	fake_add_owner(2, 105, names[5]);
}

static int32_t lowest_owner(uint64_t key)
{
	return key % 3 ? (int32_t)(100 + key % 7) : -1;
}

struct seen {
	size_t calls;
	size_t stop_at;              /* return 5 at this call (0: never) */
	uint16_t port[4096];
	int32_t pid[4096];
	uint32_t pid_count[4096];
	char process[4096][8];
};

static int collect(const sockstate_socket *s, void *ctx)
{
	struct seen *v = ctx;
	size_t i = v->calls++;

	if (i < 4096) {
		v->port[i] = s->local.port;
		v->pid[i] = (s->valid & SOCKSTATE_HAS_PID) ? s->pid : -1;
		v->pid_count[i] = s->pid_count;
		snprintf(v->process[i], sizeof v->process[i], "%s",
		         (s->valid & SOCKSTATE_HAS_PROCESS) ? s->process : "-");
	}
	return v->stop_at && v->calls == v->stop_at ? 5 : 0;
}

static sockstate_handle *open_fake_threads(sockstate_threads threads)
{
	sockstate_options o = {.size = sizeof o, .threads = threads};
	sockstate_handle *h = NULL;

	assert_int_equal(sockstate_open(&h, &o), 0);
	assert_string_equal(sockstate_backend(h), "fake");
	return h;
}

static sockstate_handle *open_fake(void)
{
	return open_fake_threads(SOCKSTATE_THREADS_AUTO);
}

static void assert_joined(const struct seen *v, size_t n)
{
	assert_int_equal(v->calls, n);
	for (size_t i = 0; i < n; i++) {
		uint64_t key = i + 1;
		char name[8];

		assert_int_equal(v->port[i], 10000 + i);
		assert_int_equal(v->pid[i], lowest_owner(key));
		assert_int_equal(v->pid_count[i], key == 2 ? 2 : key % 3 ? 1 : 0);
		snprintf(name, sizeof name, "p%d", lowest_owner(key));
		assert_string_equal(v->process[i], key % 3 ? name : "-");
	}
}

static struct seen seen;

static void test_streams_in_order_without_owners(void **state)
{
	sockstate_handle *h;

	(void)state;
	world(5);
	h = open_fake();
	memset(&seen, 0, sizeof seen);
	assert_int_equal(sockstate_foreach(h, NULL, collect, &seen), 0);
	assert_int_equal(seen.calls, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(seen.port[i], 10000 + i);
		assert_int_equal(seen.pid[i], -1);
	}
	assert_int_equal(fake.owners_built, 0);
	assert_int_equal(fake.tasks_started, 0);
	assert_null(sockstate_pid_source(h));
	sockstate_close(h);
}

/* What the backend did not push, the core filters; what it pushed, the
 * core leaves alone (a kernel filter's bug is not masked). */
static void test_core_filters_what_was_not_pushed(void **state)
{
	sockstate_query q;
	sockstate_handle *h;

	(void)state;
	world(8);
	h = open_fake();
	sockstate_query_init(&q);
	assert_int_equal(sockstate_query_set(&q, "sport", "10005"), 0);
	memset(&seen, 0, sizeof seen);
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), 0);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.port[0], 10005);

	/* The walk claims the ports filter but ignores it: every socket. */
	fake.pushed = SOCKSTATE__F_PORTS;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), 0);
	assert_int_equal(seen.calls, 8);

	/* States: pushed by the fake walk itself, listeners only. */
	fake.pushed = SOCKSTATE__F_STATES;
	sockstate_query_init(&q);
	assert_int_equal(sockstate_query_set(&q, "state", "listen"), 0);
	memset(&seen, 0, sizeof seen);
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), 0);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.port[0], 10000);
	assert_int_equal(seen.port[1], 10004);
	sockstate_close(h);
}

/* 2,500 records: three held chunks (1,024 each), every one joined after
 * the map is built, in the walk's order. */
static void test_owner_map_beside_the_walk(void **state)
{
	sockstate_query q;
	sockstate_handle *h;

	(void)state;
	world(2500);
	h = open_fake();
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), 0);
	assert_int_equal(fake.tasks_started, 1);
	assert_int_equal(fake.owners_ready_at_walk, 0);
	assert_int_equal(fake.last_cpus_busy, 1);
	assert_joined(&seen, 2500);
	assert_string_equal(sockstate_pid_source(h), "fake");
	sockstate_close(h);
}

/* The hold is bounded (run.c: 64 chunks of 1,024 records): with more
 * records than that, the walk waits for the map when the hold is full,
 * the held records are handed over, and the rest streams, every one
 * joined, in the walk's order. (Before, every record of the table was
 * held until the walk ended: ~170 bytes each, 170 MB at a million.) */
enum { HOLD_MAX = 65536 };

struct order_check {
	size_t calls;
	size_t emitted_at_first;      /* fake.emitted at the first call */
	size_t wrong;                 /* records not joined as the world says */
};

static int check_order(const sockstate_socket *s, void *ctx)
{
	struct order_check *v = ctx;
	uint64_t key = ++v->calls;

	if (v->calls == 1)
		v->emitted_at_first = fake.emitted;
	if (((s->valid & SOCKSTATE_HAS_PID) ? s->pid : -1) != lowest_owner(key))
		v->wrong++;
	return 0;
}

static void test_hold_is_bounded(void **state)
{
	struct order_check v = {0};
	sockstate_query q;
	sockstate_handle *h;

	(void)state;
	world(HOLD_MAX + 5000);
	h = open_fake();
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	assert_int_equal(sockstate_foreach(h, &q, check_order, &v), 0);
	assert_int_equal(fake.tasks_started, 1);
	assert_int_equal(fake.owners_built, 1);
	assert_int_equal(v.emitted_at_first, HOLD_MAX + 1);
	assert_int_equal(v.calls, HOLD_MAX + 5000);
	assert_int_equal(v.wrong, 0);
	/* A stop while streaming after the hold, and the handle goes on. */
	memset(&seen, 0, sizeof seen);
	seen.stop_at = 1;
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), 5);
	memset(&v, 0, sizeof v);
	assert_int_equal(sockstate_foreach(h, &q, check_order, &v), 0);
	assert_int_equal(v.calls, HOLD_MAX + 5000);
	assert_int_equal(v.wrong, 0);
	sockstate_close(h);
}

/* A table the backend expects to outgrow the hold gets its map first
 * (its walk may then use every CPU); a snapshot, which keeps every
 * record anyway, still builds it beside the walk. */
static void test_big_table_builds_the_map_first(void **state)
{
	sockstate_snapshot *snap = NULL;
	sockstate_query q;
	sockstate_handle *h;

	(void)state;
	world(2500);
	fake.population = HOLD_MAX + 1;
	h = open_fake();
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), 0);
	assert_int_equal(fake.tasks_started, 0);
	assert_int_equal(fake.owners_ready_at_walk, 1);
	assert_int_equal(fake.last_cpus_busy, 0);
	assert_joined(&seen, 2500);
	assert_int_equal(sockstate_snapshot_take(h, &q, &snap), 0);
	assert_int_equal(fake.tasks_started, 1);
	assert_int_equal(snap->count, 2500);
	sockstate_snapshot_free(snap);
	fake.population = HOLD_MAX;
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), 0);
	assert_int_equal(fake.tasks_started, 2);
	sockstate_close(h);
}

/* The streaming writer filled by a run (sockstate_writer_fill): the
 * backend and pid source of the handle in the JSON head, "pids" on every
 * socket of a query with owners, and the counts after the sockets, the
 * hold's records and the streamed ones alike. */
struct text {
	char *data;
	size_t len;
};

static int text_write(void *ctx, const char *buf, size_t len)
{
	struct text *t = ctx;
	char *p = realloc(t->data, t->len + len + 1);

	if (!p)
		return SOCKSTATE_ENOMEM;
	memcpy(p + t->len, buf, len);
	t->data = p;
	t->len += len;
	p[t->len] = '\0';
	return 0;
}

static void test_writer_filled_by_a_run(void **state)
{
	sockstate_write_opts o;
	sockstate_writer *w = NULL;
	struct text t = {NULL, 0};
	sockstate_query q;
	sockstate_handle *h;
	char want[96];

	(void)state;
	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.format = SOCKSTATE_FORMAT_JSON;
	o.port = -1;
	world(HOLD_MAX + 10);
	h = open_fake();
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	assert_int_equal(sockstate_writer_new(&o, NULL, text_write, &t, &w), 0);
	assert_int_equal(sockstate_writer_fill(w, h, &q), 0);
	assert_int_equal(sockstate_writer_count(w), HOLD_MAX + 10);
	assert_int_equal(sockstate_writer_end(w), 0);
	sockstate_writer_free(w);
	assert_non_null(strstr(t.data, " \"backend\":\"fake\",\n"));
	assert_non_null(strstr(t.data, " \"pid_source\":\"fake\",\n \"sockets\":[\n"));
	/* key 2 (the second record): two owners; key 3: none */
	assert_non_null(strstr(t.data, "\"pid\":102,\"pids\":[102,105],\"process\":\"p102\""));
	assert_non_null(strstr(t.data, "\"pid\":null,\"pids\":[],\"process\":null"));
	snprintf(want, sizeof want, "\n ],\n \"owners_unreadable\":0,\n \"total\":%d,\n",
	         HOLD_MAX + 10);
	assert_non_null(strstr(t.data, want));
	free(t.data);
	/* A bad query is the handle's error, nothing written. */
	t = (struct text){NULL, 0};
	q.size = 0;
	assert_int_equal(sockstate_writer_new(&o, NULL, text_write, &t, &w), 0);
	assert_int_equal(sockstate_writer_fill(w, h, &q), SOCKSTATE_EINVAL);
	assert_null(t.data);
	sockstate_writer_free(w);
	sockstate_close(h);
}

/* A stop in the second chunk: cb's value comes back, nothing more is
 * handed over, the rest is freed (ASan), and the handle works after. */
static void test_stop_in_the_second_chunk(void **state)
{
	sockstate_query q;
	sockstate_handle *h;

	(void)state;
	world(2500);
	h = open_fake();
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	memset(&seen, 0, sizeof seen);
	seen.stop_at = 1500;
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), 5);
	assert_int_equal(seen.calls, 1500);
	memset(&seen, 0, sizeof seen);
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), 0);
	assert_joined(&seen, 2500);
	sockstate_close(h);
}

static void test_walk_error_drops_what_was_held(void **state)
{
	sockstate_query q;
	sockstate_handle *h;

	(void)state;
	world(2500);
	fake.fail_at_socket = 1200;
	h = open_fake();
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), SOCKSTATE_EIO);
	assert_int_equal(seen.calls, 0);
	assert_string_equal(sockstate_errdetail(h), "fake: recv: walk broke at 1200");
	sockstate_close(h);
}

/* The map's failure is the query's, with the map's own detail, as when
 * the map was built before the walk. */
static void test_owner_map_error_is_the_query_error(void **state)
{
	sockstate_snapshot *snap = (sockstate_snapshot *)1;
	sockstate_query q;
	sockstate_handle *h;

	(void)state;
	world(2500);
	fake.owners_error = SOCKSTATE_EPERM;
	h = open_fake();
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), SOCKSTATE_EPERM);
	assert_int_equal(seen.calls, 0);
	assert_string_equal(sockstate_errdetail(h), "fake: owners: no rights to the fds");
	assert_int_equal(sockstate_snapshot_take(h, &q, &snap), SOCKSTATE_EPERM);
	assert_null(snap);
	assert_string_equal(sockstate_errdetail(h), "fake: owners: no rights to the fds");
	sockstate_close(h);
}

/* Owners of world(2500) on h with no task: the map first, then the walk
 * streams. Closes h. */
static void assert_map_first(sockstate_handle *h)
{
	sockstate_query q;

	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), 0);
	assert_int_equal(fake.tasks_started, 0);
	assert_int_equal(fake.owners_ready_at_walk, 1);
	assert_int_equal(fake.last_cpus_busy, 0);
	assert_joined(&seen, 2500);
	sockstate_close(h);
}

/* No thread to be had: the map first, then the walk streams. */
static void test_without_a_thread_the_map_comes_first(void **state)
{
	(void)state;
	world(2500);
	fake.threads_available = 0;
	assert_map_first(open_fake());
}

/* No thread may be started (threads never; threads always in a forked
 * child of a threaded process): the map first, then the walk streams. */
static void test_threads_never_or_the_fork_rule_build_the_map_first(void **state)
{
	(void)state;
	world(2500);
	assert_map_first(open_fake_threads(SOCKSTATE_THREADS_NEVER));
	world(2500);
	fake.forked_from_threads = 1;
	assert_map_first(open_fake_threads(SOCKSTATE_THREADS_ALWAYS));
}

/* A pid filter keeps few records: the map is built first, and a socket
 * whose owners include the pid passes even when it is not the lowest. */
static void test_pid_filter_builds_the_map_first(void **state)
{
	sockstate_query q;
	sockstate_handle *h;
	size_t expected = 0;

	(void)state;
	world(2500);
	h = open_fake();
	sockstate_query_init(&q);
	assert_int_equal(sockstate_query_set(&q, "pid", "105"), 0);
	memset(&seen, 0, sizeof seen);
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), 0);
	assert_int_equal(fake.tasks_started, 0);
	assert_int_equal(fake.owners_ready_at_walk, 1);
	for (uint64_t key = 1; key <= 2500; key++)
		expected += key == 2 || (key % 3 && key % 7 == 5);
	assert_int_equal(seen.calls, expected);
	assert_int_equal(seen.port[0], 10001); /* key 2: pids 102 and 105 */
	assert_int_equal(seen.pid[0], 102);
	assert_int_equal(seen.pid_count[0], 2);
	for (size_t i = 1; i < seen.calls; i++)
		assert_int_equal(seen.pid[i], 105);
	sockstate_close(h);
}

/* A snapshot keeps its records unjoined while the map is built, then
 * joins them in place; its pids and names outlive the handle. */
static void test_snapshot_joins_in_place(void **state)
{
	sockstate_snapshot *snap = NULL;
	sockstate_query q;
	sockstate_handle *h;

	(void)state;
	world(2500);
	h = open_fake();
	sockstate_query_init(&q);
	q.flags = SOCKSTATE_Q_PIDS;
	assert_int_equal(sockstate_snapshot_take(h, &q, &snap), 0);
	assert_int_equal(fake.tasks_started, 1);
	sockstate_close(h);
	memset(&seen, 0, sizeof seen);
	for (size_t i = 0; i < snap->count; i++)
		collect(&snap->sockets[i], &seen);
	assert_joined(&seen, 2500);
	assert_int_equal(snap->sockets[1].pids[0], 102);
	assert_int_equal(snap->sockets[1].pids[1], 105);
	assert_string_equal(snap->pid_source, "fake");
	sockstate_snapshot_free(snap);
}

static void test_counts_are_a_consumer_of_the_run(void **state)
{
	sockstate_counts c;
	sockstate_handle *h;

	(void)state;
	world(10);
	h = open_fake();
	assert_int_equal(sockstate_count(h, NULL, &c), 0);
	assert_int_equal(c.total, 10);
	assert_int_equal(c.by_state[SOCKSTATE_LISTEN], 3);
	assert_int_equal(c.by_state[SOCKSTATE_ESTABLISHED], 7);
	assert_int_equal(c.by_family_state[0][SOCKSTATE_ESTABLISHED], 7);
	fake.fail_at_socket = 4;
	assert_int_equal(sockstate_count(h, NULL, &c), SOCKSTATE_EIO);
	assert_int_equal(c.total, 0);
	sockstate_close(h);
}

static void test_bad_arguments(void **state)
{
	sockstate_query q;
	sockstate_handle *h;

	(void)state;
	world(1);
	h = open_fake();
	assert_int_equal(sockstate_foreach(h, NULL, NULL, NULL), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_foreach(NULL, NULL, collect, &seen), SOCKSTATE_EINVAL);
	sockstate_query_init(&q);
	q.size = 8;
	assert_int_equal(sockstate_foreach(h, &q, collect, &seen), SOCKSTATE_EINVAL);
	assert_non_null(strstr(sockstate_errdetail(h), "query.size is too small"));
	assert_int_equal(fake.enumerations, 0);
	sockstate_close(h);
}

/* sockstate_diagnose asks the backend and the platform in order: the
 * counters (none on the fake backend: noted, not an error), the SYN_SENT
 * sockets, the port range, the probe, a sleep to the end of the window
 * on the platform's clock, every socket with owners; the findings come
 * from what was asked. */
static void test_diagnose_asks_then_decides(void **state)
{
	sockstate_diagnose_options o;
	sockstate_diagnosis *d = NULL;
	sockstate_handle *h;

	(void)state;
	fake_reset();
	for (int i = 0; i < 10; i++) {
		fake_add_socket(SOCKSTATE_CLOSE_WAIT, 8080, (uint16_t)(40000 + i), 7);
		fake.sockets[fake.count - 1].valid &= ~(uint32_t)SOCKSTATE_HAS_PID;
	}
	fake_add_owner(7, 4242, "leaky");
	fake.port_first = 40000;
	fake.port_last = 40009;
	fake.probe.result = SOCKSTATE_PROBE_REFUSED;
	fake.probe.os_error_name = "ECONNREFUSED";
	fake.probe.syn_retransmits = -1;
	fake.probe_message = "Connection refused";
	h = open_fake();
	sockstate_diagnose_options_init(&o);
	o.to_family = SOCKSTATE_FAMILY_IPV4;
	o.to.addr[0] = 192;
	o.to.addr[3] = 9;
	o.to.port = 5432;
	o.flags = SOCKSTATE_DIAG_PROBE;
	o.interval_ms = 250;
	o.lang = "es_ES.UTF-8";
	assert_int_equal(sockstate_diagnose(h, &o, &d), 0);
	assert_int_equal(fake.probes, 1);
	assert_int_equal(fake.enumerations, 2);            /* SYN_SENT, then all */
	assert_true(fake.clock_ns >= 250 * 1000000LL);      /* slept the window */
	assert_string_equal(d->lang, "es");
	assert_int_equal(d->counters_error, SOCKSTATE_ENOTSUP);
	assert_int_equal(d->flags, SOCKSTATE_DIAGNOSIS_PORT_RANGE);
	assert_int_equal(d->port_first, 40000);
	assert_string_equal(d->probe.os_message, "Connection refused");
	assert_int_equal(d->sockets_seen, 10);
	assert_int_equal(d->count, 1);
	assert_int_equal(d->findings[0].code, SOCKSTATE_FINDING_CONNECTION_REFUSED);
	assert_string_equal(d->findings[0].headline,
	                    "192.0.0.9:5432 rechazó la conexión (ECONNREFUSED, tras 0 ms)");
	assert_int_equal(d->checks[SOCKSTATE_FINDING_RETRANSMISSIONS_HIGH],
	                 SOCKSTATE_CHECK_NOT_CHECKED);
	assert_int_equal(d->checks_notes[SOCKSTATE_FINDING_RETRANSMISSIONS_HIGH],
	                 SOCKSTATE_NOTE_NO_COUNTERS);
	sockstate_diagnosis_free(d);

	/* host-wide, one look: the owners joined, the leak named */
	sockstate_diagnose_options_init(&o);
	o.interval_ms = 0;
	assert_int_equal(sockstate_diagnose(h, &o, &d), 0);
	assert_int_equal(d->count, 1);
	assert_int_equal(d->findings[0].code, SOCKSTATE_FINDING_CLOSE_WAIT_LEAK);
	assert_int_equal(d->findings[0].pid, 4242);
	assert_string_equal(d->findings[0].process, "leaky");
	assert_string_equal(d->findings[0].sockets[0].process, "leaky");
	sockstate_diagnosis_free(d);

	/* bad options: nothing asked of the OS */
	fake.probes = 0;
	o.flags = SOCKSTATE_DIAG_PROBE;           /* without a destination */
	assert_int_equal(sockstate_diagnose(h, &o, &d), SOCKSTATE_EINVAL);
	assert_null(d);
	o.flags = 0;
	o.lang = "fr";
	assert_int_equal(sockstate_diagnose(h, &o, &d), SOCKSTATE_EINVAL);
	o.lang = NULL;
	o.addr_family = SOCKSTATE_FAMILY_IPV4;    /* an address without a port */
	assert_int_equal(sockstate_diagnose(h, &o, &d), SOCKSTATE_EINVAL);
	o.addr_family = 0;
	o.size = 8;
	assert_int_equal(sockstate_diagnose(h, &o, &d), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_diagnose(NULL, NULL, &d), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_diagnose(h, NULL, NULL), SOCKSTATE_EINVAL);
	assert_int_equal(fake.probes, 0);
	/* a listing that fails is the diagnosis' error */
	fake.fail_at_socket = 0;
	assert_int_equal(sockstate_diagnose(h, NULL, &d), SOCKSTATE_EIO);
	assert_null(d);
	sockstate_close(h);
}

static int teardown(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_streams_in_order_without_owners, teardown),
		cmocka_unit_test_teardown(test_core_filters_what_was_not_pushed, teardown),
		cmocka_unit_test_teardown(test_owner_map_beside_the_walk, teardown),
		cmocka_unit_test_teardown(test_hold_is_bounded, teardown),
		cmocka_unit_test_teardown(test_big_table_builds_the_map_first, teardown),
		cmocka_unit_test_teardown(test_writer_filled_by_a_run, teardown),
		cmocka_unit_test_teardown(test_stop_in_the_second_chunk, teardown),
		cmocka_unit_test_teardown(test_walk_error_drops_what_was_held, teardown),
		cmocka_unit_test_teardown(test_owner_map_error_is_the_query_error, teardown),
		cmocka_unit_test_teardown(test_without_a_thread_the_map_comes_first, teardown),
		cmocka_unit_test_teardown(test_pid_filter_builds_the_map_first, teardown),
		cmocka_unit_test_teardown(test_threads_never_or_the_fork_rule_build_the_map_first,
		                          teardown),
		cmocka_unit_test_teardown(test_snapshot_joins_in_place, teardown),
		cmocka_unit_test_teardown(test_counts_are_a_consumer_of_the_run, teardown),
		cmocka_unit_test_teardown(test_bad_arguments, teardown),
		cmocka_unit_test_teardown(test_diagnose_asks_then_decides, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
