/* test_groups.c - grouped counts (keys, one-pass accumulation, ranking,
 * top N, the three writers byte for byte), merging counts and snapshots,
 * the netns column of the socket writers, and the argument checks of the
 * wait condition. Records are built by hand: exact values, no OS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sockstate.h"
#include "write_sink.h"

/* ---- helpers ---- */

static sockstate_write_opts wopts(sockstate_format f, uint32_t flags)
{
	sockstate_write_opts o;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.format = f;
	o.flags = flags;
	o.port = -1;
	return o;
}

/* An IPv4 record 10.0.0.<l>:lport -> 10.0.0.<r>:rport in state st. */
static sockstate_socket rec4(uint8_t l, uint16_t lport, uint8_t r, uint16_t rport,
                             sockstate_state st)
{
	sockstate_socket s;

	memset(&s, 0, sizeof s);
	s.size = sizeof s;
	s.family = SOCKSTATE_FAMILY_IPV4;
	s.state = (uint8_t)st;
	s.native_name = "X";
	s.local.addr[0] = 10;
	s.local.addr[3] = l;
	s.local.port = lport;
	s.remote.addr[0] = 10;
	s.remote.addr[3] = r;
	s.remote.port = rport;
	s.pid = -1;
	s.uid = -1;
	return s;
}

static sockstate_socket with_owner(sockstate_socket s, const char *process, int64_t uid)
{
	if (process) {
		s.process = process;
		s.valid |= SOCKSTATE_HAS_PROCESS | SOCKSTATE_HAS_PID;
		s.pid = 100;
	}
	if (uid >= 0) {
		s.uid = uid;
		s.valid |= SOCKSTATE_HAS_UID;
	}
	return s;
}

static char *write_groups(sockstate_groups *g, size_t top, sockstate_format f)
{
	sockstate_write_opts o = wopts(f, 0);
	struct sink k = {0};

	assert_int_equal(sockstate_groups_write(g, top, NULL, "linux-netlink", &o, sink_write, &k), 0);
	return k.data;
}

/* Three groups by port: 80 (LISTEN 1, ESTABLISHED 2), 443 (TIME_WAIT 3),
 * 22 (ESTABLISHED 1). */
static sockstate_groups *three_ports(void)
{
	sockstate_groups *g = NULL;
	sockstate_socket recs[] = {
		rec4(1, 443, 2, 5000, SOCKSTATE_TIME_WAIT),
		rec4(1, 80, 0, 0, SOCKSTATE_LISTEN),
		rec4(1, 22, 3, 6000, SOCKSTATE_ESTABLISHED),
		rec4(1, 80, 2, 5001, SOCKSTATE_ESTABLISHED),
		rec4(1, 443, 2, 5002, SOCKSTATE_TIME_WAIT),
		rec4(1, 80, 4, 5003, SOCKSTATE_ESTABLISHED),
		rec4(1, 443, 5, 5004, SOCKSTATE_TIME_WAIT),
	};

	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_PORT, &g), 0);
	for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++)
		assert_int_equal(sockstate_groups_add(g, &recs[i]), 0);
	return g;
}

/* ---- keys ---- */

static void test_keys_parse(void **unused)
{
	uint32_t keys = 0;
	const char *bad = NULL;
	const char *text;

	(void)unused;
	assert_int_equal(sockstate_group_keys_parse("port,process", &keys, &bad), 0);
	assert_int_equal(keys, SOCKSTATE_GROUP_PORT | SOCKSTATE_GROUP_PROCESS);
	/* Several lists add up; a repeated name is fine. */
	assert_int_equal(sockstate_group_keys_parse("uid,port", &keys, &bad), 0);
	assert_int_equal(keys, SOCKSTATE_GROUP_PORT | SOCKSTATE_GROUP_PROCESS |
	                       SOCKSTATE_GROUP_UID);
	keys = 0;
	assert_int_equal(sockstate_group_keys_parse("local,remote,netns", &keys, NULL), 0);
	assert_int_equal(keys, SOCKSTATE_GROUP_LOCAL | SOCKSTATE_GROUP_REMOTE |
	                       SOCKSTATE_GROUP_NETNS);

	keys = 0;
	text = "port,,uid";
	assert_int_equal(sockstate_group_keys_parse(text, &keys, &bad), SOCKSTATE_EINVAL);
	assert_ptr_equal(bad, text + 5);
	assert_int_equal(keys, 0);
	text = "port,pids";
	assert_int_equal(sockstate_group_keys_parse(text, &keys, &bad), SOCKSTATE_EINVAL);
	assert_ptr_equal(bad, text + 5);
	keys = 0;
	assert_int_equal(sockstate_group_keys_parse("pid", &keys, NULL), 0);
	assert_int_equal(keys, SOCKSTATE_GROUP_PID);
	assert_string_equal(sockstate_group_key_name(SOCKSTATE_GROUP_PID), "pid");
	text = "";
	assert_int_equal(sockstate_group_keys_parse(text, &keys, &bad), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_group_keys_parse("Port", &keys, NULL), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_group_keys_parse(NULL, &keys, NULL), SOCKSTATE_EINVAL);

	assert_string_equal(sockstate_group_key_name(SOCKSTATE_GROUP_PORT), "port");
	assert_string_equal(sockstate_group_key_name(SOCKSTATE_GROUP_NETNS), "netns");
	assert_null(sockstate_group_key_name(SOCKSTATE_GROUP_PORT | SOCKSTATE_GROUP_UID));
	assert_null(sockstate_group_key_name(0));
}

static void test_groups_new_checks_keys(void **unused)
{
	sockstate_groups *g = (sockstate_groups *)1;

	(void)unused;
	assert_int_equal(sockstate_groups_new(0, &g), SOCKSTATE_EINVAL);
	assert_null(g);
	assert_int_equal(sockstate_groups_new(1u << 7, &g), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_PORT, NULL), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_KEYS_ALL, &g), 0);
	assert_int_equal(sockstate_groups_keys(g), SOCKSTATE_GROUP_KEYS_ALL);
	assert_int_equal(sockstate_groups_size(g), 0);
	assert_null(sockstate_groups_get(g, 0));
	assert_int_equal(sockstate_groups_totals(g)->total, 0);
	sockstate_groups_free(g);
	sockstate_groups_free(NULL);
}

/* ---- accumulation and ranking ---- */

static void test_rank_by_total_then_key(void **unused)
{
	sockstate_groups *g = three_ports();
	const sockstate_group *grp;
	const sockstate_counts *all;

	(void)unused;
	assert_int_equal(sockstate_groups_size(g), 3);
	/* 80 and 443 tie at 3: the lower port first; then 22. */
	grp = sockstate_groups_get(g, 0);
	assert_int_equal(grp->size, sizeof *grp);
	assert_int_equal(grp->keys, SOCKSTATE_GROUP_PORT);
	assert_int_equal(grp->port, 80);
	assert_int_equal(grp->total, 3);
	assert_int_equal(grp->by_state[SOCKSTATE_LISTEN], 1);
	assert_int_equal(grp->by_state[SOCKSTATE_ESTABLISHED], 2);
	assert_int_equal(grp->family, 0);
	assert_int_equal(grp->uid, -1);
	assert_null(grp->process);
	grp = sockstate_groups_get(g, 1);
	assert_int_equal(grp->port, 443);
	assert_int_equal(grp->total, 3);
	assert_int_equal(grp->by_state[SOCKSTATE_TIME_WAIT], 3);
	grp = sockstate_groups_get(g, 2);
	assert_int_equal(grp->port, 22);
	assert_int_equal(grp->total, 1);
	assert_null(sockstate_groups_get(g, 3));
	all = sockstate_groups_totals(g);
	assert_int_equal(all->total, 7);
	assert_int_equal(all->by_state[SOCKSTATE_ESTABLISHED], 3);
	assert_int_equal(all->by_state[SOCKSTATE_TIME_WAIT], 3);
	assert_int_equal(all->by_family_state[0][SOCKSTATE_LISTEN], 1);

	/* Adding after a ranking ranks again: 22 climbs to the top. */
	for (int i = 0; i < 3; i++) {
		sockstate_socket s = rec4(1, 22, 9, (uint16_t)(7000 + i), SOCKSTATE_CLOSE_WAIT);
		assert_int_equal(sockstate_groups_add(g, &s), 0);
	}
	grp = sockstate_groups_get(g, 0);
	assert_int_equal(grp->port, 22);
	assert_int_equal(grp->total, 4);
	assert_int_equal(grp->by_state[SOCKSTATE_CLOSE_WAIT], 3);
	assert_int_equal(sockstate_groups_get(g, 1)->port, 80);
	assert_int_equal(sockstate_groups_get(g, 2)->port, 443);
	sockstate_groups_free(g);
}

static void test_combined_keys_and_unknowns(void **unused)
{
	sockstate_groups *g = NULL;
	sockstate_socket recs[] = {
		with_owner(rec4(1, 80, 2, 1, SOCKSTATE_ESTABLISHED), "nginx", 33),
		with_owner(rec4(1, 80, 3, 2, SOCKSTATE_ESTABLISHED), "nginx", 33),
		with_owner(rec4(1, 80, 4, 3, SOCKSTATE_TIME_WAIT), NULL, -1),
		with_owner(rec4(1, 80, 0, 0, SOCKSTATE_LISTEN), "nginx", 0),
		with_owner(rec4(1, 80, 5, 4, SOCKSTATE_TIME_WAIT), NULL, -1),
		with_owner(rec4(1, 22, 6, 5, SOCKSTATE_ESTABLISHED), "sshd", 0),
	};
	const sockstate_group *grp;

	(void)unused;
	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_PORT | SOCKSTATE_GROUP_PROCESS |
	                                      SOCKSTATE_GROUP_UID, &g), 0);
	for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++)
		assert_int_equal(sockstate_groups_add(g, &recs[i]), 0);
	assert_int_equal(sockstate_groups_size(g), 4);
	/* Ties at 2: port 80 both; nginx before unknown (unknown last). */
	grp = sockstate_groups_get(g, 0);
	assert_int_equal(grp->port, 80);
	assert_string_equal(grp->process, "nginx");
	assert_int_equal(grp->uid, 33);
	assert_int_equal(grp->total, 2);
	grp = sockstate_groups_get(g, 1);
	assert_int_equal(grp->port, 80);
	assert_null(grp->process);
	assert_int_equal(grp->uid, -1);
	assert_int_equal(grp->by_state[SOCKSTATE_TIME_WAIT], 2);
	/* Ties at 1: port 22 before 80. */
	grp = sockstate_groups_get(g, 2);
	assert_int_equal(grp->port, 22);
	assert_string_equal(grp->process, "sshd");
	grp = sockstate_groups_get(g, 3);
	assert_int_equal(grp->port, 80);
	assert_string_equal(grp->process, "nginx");
	assert_int_equal(grp->uid, 0);
	sockstate_groups_free(g);
}

/* Five processes of one name (python3, issue 22): --by process joins
 * them, --by pid tells them apart; a socket with no owner is last. */
static void test_pid_key_tells_processes_of_one_name_apart(void **unused)
{
	sockstate_groups *by_pid = NULL, *by_name = NULL;
	const sockstate_group *grp;
	sockstate_write_opts o = wopts(SOCKSTATE_FORMAT_CSV, 0);
	struct sink k = {0};
	char *t;

	(void)unused;
	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_PID | SOCKSTATE_GROUP_PROCESS,
	                                      &by_pid), 0);
	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_PROCESS, &by_name), 0);
	for (int i = 0; i < 5; i++) {
		for (int j = 0; j <= i; j++) {
			sockstate_socket s = with_owner(rec4(1, (uint16_t)(8000 + i), 2,
			                                     (uint16_t)(40000 + j),
			                                     SOCKSTATE_ESTABLISHED), "python3", 0);
			s.pid = 500 - i;
			assert_int_equal(sockstate_groups_add(by_pid, &s), 0);
			assert_int_equal(sockstate_groups_add(by_name, &s), 0);
		}
	}
	sockstate_socket orphan = rec4(1, 9000, 3, 1, SOCKSTATE_TIME_WAIT);
	assert_int_equal(sockstate_groups_add(by_pid, &orphan), 0);
	assert_int_equal(sockstate_groups_add(by_name, &orphan), 0);

	assert_int_equal(sockstate_groups_size(by_name), 2);
	assert_int_equal(sockstate_groups_get(by_name, 0)->total, 15);
	assert_int_equal(sockstate_groups_size(by_pid), 6);
	grp = sockstate_groups_get(by_pid, 0);
	assert_int_equal(grp->pid, 496);
	assert_string_equal(grp->process, "python3");
	assert_int_equal(grp->total, 5);
	/* Ties at one socket: pid 500 before the socket with no owner. */
	assert_int_equal(sockstate_groups_get(by_pid, 4)->pid, 500);
	grp = sockstate_groups_get(by_pid, 5);
	assert_int_equal(grp->pid, -1);
	assert_null(grp->process);

	t = write_groups(by_pid, 2, SOCKSTATE_FORMAT_TABLE);
	assert_string_equal(t,
		"Pid       Process  Total  ESTABLISHED  TIME_WAIT\n"
		"496       python3  5      5            0\n"
		"497       python3  4      4            0\n"
		"(4 more)           7      6            1\n"
		"TOTAL              16     15           1\n");
	free(t);
	t = write_groups(by_pid, 1, SOCKSTATE_FORMAT_JSON);
	assert_non_null(strstr(t, " \"group_by\":[\"pid\",\"process\"],\n"));
	assert_non_null(strstr(t, "{\"pid\":496,\"process\":\"python3\",\"total\":5,"));
	free(t);
	assert_int_equal(sockstate_groups_write(by_pid, 0, NULL, NULL, &o, sink_write, &k), 0);
	assert_non_null(strstr(k.data, "pid,process,total,CLOSED,"));
	assert_non_null(strstr(k.data, "\r\n496,python3,5,0,0,0,0,5,"));
	assert_non_null(strstr(k.data, "\r\n,,1,0,0,0,0,0,"));
	free(k.data);
	sockstate_groups_free(by_pid);
	sockstate_groups_free(by_name);
}

static void test_local_remote_keys_keep_family(void **unused)
{
	sockstate_groups *g = NULL;
	sockstate_socket a = rec4(1, 80, 2, 1000, SOCKSTATE_ESTABLISHED);
	sockstate_socket b = rec4(1, 80, 2, 1001, SOCKSTATE_ESTABLISHED);
	sockstate_socket c = rec4(1, 81, 2, 1002, SOCKSTATE_ESTABLISHED);
	sockstate_socket v6 = rec4(1, 80, 2, 1003, SOCKSTATE_ESTABLISHED);
	const sockstate_group *grp;

	(void)unused;
	/* The same 16 bytes as another family are another group. */
	v6.family = SOCKSTATE_FAMILY_IPV6;
	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_LOCAL | SOCKSTATE_GROUP_REMOTE, &g), 0);
	assert_int_equal(sockstate_groups_add(g, &a), 0);
	assert_int_equal(sockstate_groups_add(g, &b), 0);
	assert_int_equal(sockstate_groups_add(g, &c), 0);
	assert_int_equal(sockstate_groups_add(g, &v6), 0);
	assert_int_equal(sockstate_groups_size(g), 3);
	grp = sockstate_groups_get(g, 0);
	assert_int_equal(grp->total, 2);
	assert_int_equal(grp->family, SOCKSTATE_FAMILY_IPV4);
	assert_int_equal(grp->local.port, 80);
	assert_int_equal(grp->local.addr[3], 1);
	assert_int_equal(grp->remote.addr[3], 2);
	assert_int_equal(grp->remote.port, 0);
	grp = sockstate_groups_get(g, 1);
	assert_int_equal(grp->family, SOCKSTATE_FAMILY_IPV4);
	assert_int_equal(grp->local.port, 81);
	grp = sockstate_groups_get(g, 2);
	assert_int_equal(grp->family, SOCKSTATE_FAMILY_IPV6);
	sockstate_groups_free(g);
}

/* Memory follows groups, not sockets: 200,000 records in 1,000 groups. */
static void test_many_records_few_groups(void **unused)
{
	sockstate_groups *g = NULL;

	(void)unused;
	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_PORT, &g), 0);
	for (unsigned i = 0; i < 200000; i++) {
		sockstate_socket s = rec4(1, (uint16_t)(1000 + i % 1000), 2,
		                          (uint16_t)(i % 60000), SOCKSTATE_ESTABLISHED);
		if (i % 1000 == 7)
			s.local.port = 7; /* port 7 gets one extra socket per thousand */
		assert_int_equal(sockstate_groups_add(g, &s), 0);
	}
	assert_int_equal(sockstate_groups_size(g), 1000);
	/* 1007 lost all 200 of its sockets to port 7: 7 has 200, every other
	 * port 200 too, so port order decides. */
	assert_int_equal(sockstate_groups_get(g, 0)->port, 7);
	assert_int_equal(sockstate_groups_get(g, 0)->total, 200);
	assert_int_equal(sockstate_groups_get(g, 1)->port, 1000);
	assert_int_equal(sockstate_groups_get(g, 999)->port, 1999);
	assert_int_equal(sockstate_groups_totals(g)->total, 200000);
	sockstate_groups_free(g);
}

/* ---- writers ---- */

static void test_table_top_more_and_total(void **unused)
{
	sockstate_groups *g = three_ports();
	char *out;

	(void)unused;
	out = write_groups(g, 2, SOCKSTATE_FORMAT_TABLE);
	assert_string_equal(out,
		"Port      Total  LISTEN  ESTABLISHED  TIME_WAIT\n"
		"80        3      1       2            0\n"
		"443       3      0       0            3\n"
		"(1 more)  1      0       1            0\n"
		"TOTAL     7      1       3            3\n");
	free(out);
	out = write_groups(g, 0, SOCKSTATE_FORMAT_TABLE);
	assert_string_equal(out,
		"Port   Total  LISTEN  ESTABLISHED  TIME_WAIT\n"
		"80     3      1       2            0\n"
		"443    3      0       0            3\n"
		"22     1      0       1            0\n"
		"TOTAL  7      1       3            3\n");
	free(out);
	sockstate_groups_free(g);
}

static void test_table_every_key_column(void **unused)
{
	sockstate_groups *g = NULL;
	sockstate_socket s = with_owner(rec4(1, 8080, 2, 40000, SOCKSTATE_CLOSE_WAIT),
	                                "web\tserver", 1000);
	sockstate_write_opts o = wopts(SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_NO_HEADER);
	struct sink k = {0};

	(void)unused;
	s.netns = "blue";
	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_KEYS_ALL, &g), 0);
	assert_int_equal(sockstate_groups_add(g, &s), 0);
	free(write_groups(g, 0, SOCKSTATE_FORMAT_TABLE)); /* ranks */
	assert_int_equal(sockstate_groups_write(g, 0, NULL, NULL, &o, sink_write, &k), 0);
	/* A control character in a name shows as '?', as in the socket table. */
	assert_string_equal(k.data,
		"8080   10.0.0.1:8080       10.0.0.2      100  web?server  1000  blue   1      1\n"
		"TOTAL                                                                  1      1\n");
	free(k.data);
	k = (struct sink){0};
	o.flags = 0;
	assert_int_equal(sockstate_groups_write(g, 0, NULL, NULL, &o, sink_write, &k), 0);
	assert_string_equal(k.data,
		"Port   Local Address:Port  Peer Address  Pid  Process     Uid   Netns  Total  CLOSE_WAIT\n"
		"8080   10.0.0.1:8080       10.0.0.2      100  web?server  1000  blue   1      1\n"
		"TOTAL                                                                  1      1\n");
	free(k.data);
	sockstate_groups_free(g);
}

static void test_table_of_nothing(void **unused)
{
	sockstate_groups *g = NULL;
	char *out;

	(void)unused;
	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_PORT, &g), 0);
	out = write_groups(g, 5, SOCKSTATE_FORMAT_TABLE);
	assert_string_equal(out, "Port   Total\nTOTAL  0\n");
	free(out);
	out = write_groups(g, 5, SOCKSTATE_FORMAT_CSV);
	assert_string_equal(out, "port,total,CLOSED,LISTEN,SYN_SENT,SYN_RECEIVED,ESTABLISHED,"
	                         "FIN_WAIT_1,FIN_WAIT_2,CLOSE_WAIT,CLOSING,LAST_ACK,TIME_WAIT,"
	                         "DELETE_TCB,BOUND,UNKNOWN\r\n");
	free(out);
	sockstate_groups_free(g);
}

static void test_json_document(void **unused)
{
	sockstate_groups *g = NULL;
	sockstate_socket recs[] = {
		with_owner(rec4(1, 80, 2, 1, SOCKSTATE_ESTABLISHED), "nginx", 33),
		with_owner(rec4(1, 80, 0, 0, SOCKSTATE_LISTEN), "nginx", 33),
		with_owner(rec4(1, 22, 6, 5, SOCKSTATE_TIME_WAIT), NULL, -1),
	};
	sockstate_sysinfo sys;
	sockstate_write_opts o = wopts(SOCKSTATE_FORMAT_JSON, 0);
	struct sink k = {0};
	char expect[2048];

	(void)unused;
	memset(&sys, 0, sizeof sys);
	strcpy(sys.host, "web-1");
	strcpy(sys.os_name, "Linux");
	sys.taken_at = 1795532400; /* 2026-11-24T15:00:00Z */
	recs[2].family = SOCKSTATE_FAMILY_IPV6;
	memset(recs[2].local.addr, 0, 16);
	recs[2].local.addr[15] = 1;
	memset(recs[2].remote.addr, 0, 16);
	recs[2].remote.addr[15] = 2;
	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_LOCAL | SOCKSTATE_GROUP_REMOTE |
	                                      SOCKSTATE_GROUP_PROCESS | SOCKSTATE_GROUP_UID, &g), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(sockstate_groups_add(g, &recs[i]), 0);
	assert_int_equal(sockstate_groups_write(g, 2, &sys, "linux-netlink", &o, sink_write, &k), 0);
	snprintf(expect, sizeof expect,
		"{\"schema\":\"sockstate/1\",\n"
		" \"host\":\"web-1\",\n"
		" \"os\":{\"name\":\"Linux\",\"release\":null,\"version\":null,\"machine\":null},\n"
		" \"backend\":\"linux-netlink\",\n"
		" \"library_version\":\"%s\",\n"
		" \"taken_at\":\"2026-11-24T15:00:00Z\",\n"
		" \"pid_source\":null,\n"
		" \"total\":3,\n"
		" \"counts\":{\"CLOSED\":0,\"LISTEN\":1,\"SYN_SENT\":0,\"SYN_RECEIVED\":0,"
		"\"ESTABLISHED\":1,\"FIN_WAIT_1\":0,\"FIN_WAIT_2\":0,\"CLOSE_WAIT\":0,\"CLOSING\":0,"
		"\"LAST_ACK\":0,\"TIME_WAIT\":1,\"DELETE_TCB\":0,\"BOUND\":0,\"UNKNOWN\":0},\n"
		" \"group_by\":[\"local\",\"remote\",\"process\",\"uid\"],\n"
		" \"groups_total\":3,\n"
		" \"groups\":[\n"
		"  {\"local\":{\"address\":\"10.0.0.1\",\"port\":80},\"remote\":{\"address\":\"10.0.0.0\"},"
		"\"process\":\"nginx\",\"uid\":33,\"total\":1,\"counts\":{\"LISTEN\":1}},\n"
		"  {\"local\":{\"address\":\"10.0.0.1\",\"port\":80},\"remote\":{\"address\":\"10.0.0.2\"},"
		"\"process\":\"nginx\",\"uid\":33,\"total\":1,\"counts\":{\"ESTABLISHED\":1}}\n"
		" ]}\n", sockstate_version());
	assert_string_equal(k.data, expect);
	free(k.data);
	k = (struct sink){0};
	assert_int_equal(sockstate_groups_write(g, 0, &sys, NULL, &o, sink_write, &k), 0);
	assert_non_null(strstr(k.data, "  {\"local\":{\"address\":\"::1\",\"port\":22},"
	                                "\"remote\":{\"address\":\"::2\"},\"process\":null,"
	                                "\"uid\":null,\"total\":1,\"counts\":{\"TIME_WAIT\":1}}\n ]}\n"));
	/* No backend given and none remembered (records added by hand): null. */
	assert_non_null(strstr(k.data, "\n \"backend\":null,\n"));
	free(k.data);
	sockstate_groups_free(g);
}

static void test_csv_rows(void **unused)
{
	sockstate_groups *g = NULL;
	sockstate_socket a = with_owner(rec4(1, 80, 2, 1, SOCKSTATE_ESTABLISHED), "a,b", 7);
	sockstate_socket b = with_owner(rec4(1, 81, 2, 1, SOCKSTATE_SYN_SENT), NULL, -1);
	char *out;

	(void)unused;
	assert_int_equal(sockstate_groups_new(SOCKSTATE_GROUP_LOCAL | SOCKSTATE_GROUP_PROCESS |
	                                      SOCKSTATE_GROUP_UID, &g), 0);
	assert_int_equal(sockstate_groups_add(g, &a), 0);
	assert_int_equal(sockstate_groups_add(g, &b), 0);
	out = write_groups(g, 0, SOCKSTATE_FORMAT_CSV);
	assert_string_equal(out,
		"local_address,local_port,process,uid,total,CLOSED,LISTEN,SYN_SENT,SYN_RECEIVED,"
		"ESTABLISHED,FIN_WAIT_1,FIN_WAIT_2,CLOSE_WAIT,CLOSING,LAST_ACK,TIME_WAIT,"
		"DELETE_TCB,BOUND,UNKNOWN\r\n"
		"10.0.0.1,80,\"a,b\",7,1,0,0,0,0,1,0,0,0,0,0,0,0,0,0\r\n"
		"10.0.0.1,81,,,1,0,0,1,0,0,0,0,0,0,0,0,0,0,0\r\n");
	free(out);
	sockstate_groups_free(g);
}

static void test_write_checks(void **unused)
{
	sockstate_groups *g = three_ports();
	sockstate_write_opts o = wopts(SOCKSTATE_FORMAT_PROMETHEUS, 0);
	struct sink k = {0};

	(void)unused;
	/* Unbounded cardinality: no Prometheus form. */
	assert_int_equal(sockstate_groups_write(g, 0, NULL, NULL, &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	o = wopts(SOCKSTATE_FORMAT_TABLE, 0);
	o.size = 4;
	assert_int_equal(sockstate_groups_write(g, 0, NULL, NULL, &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	o = wopts(SOCKSTATE_FORMAT_TABLE, 0);
	assert_int_equal(sockstate_groups_write(NULL, 0, NULL, NULL, &o, sink_write, &k),
	                 SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_groups_write(g, 0, NULL, NULL, &o, NULL, &k), SOCKSTATE_EINVAL);
	assert_null(k.data);
	sockstate_groups_free(g);
}

/* ---- merging ---- */

static void test_counts_merge(void **unused)
{
	sockstate_counts a, b;
	sockstate_socket s = rec4(1, 1, 2, 2, SOCKSTATE_ESTABLISHED);

	(void)unused;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.size = b.size = sizeof a;
	s.valid |= SOCKSTATE_HAS_QUEUES;
	s.rx_queue = 10;
	s.tx_queue = 20;
	sockstate_counts_add(&a, &s);
	sockstate_counts_add(&b, &s);
	s.family = SOCKSTATE_FAMILY_IPV6;
	s.state = SOCKSTATE_LISTEN;
	sockstate_counts_add(&b, &s);
	sockstate_counts_merge(&a, &b);
	assert_int_equal(a.total, 3);
	assert_int_equal(a.by_state[SOCKSTATE_ESTABLISHED], 2);
	assert_int_equal(a.by_state[SOCKSTATE_LISTEN], 1);
	assert_int_equal(a.by_family_state[1][SOCKSTATE_LISTEN], 1);
	assert_int_equal(a.by_family_state[0][SOCKSTATE_ESTABLISHED], 2);
	/* A listener's queues are not bytes: left out. */
	assert_int_equal(a.rx_queue_total, 20);
	assert_int_equal(a.tx_queue_total, 40);
	sockstate_counts_merge(&a, NULL);
	assert_int_equal(a.total, 3);
}

static void test_snapshot_merge_copies_everything(void **unused)
{
	static const int32_t pids_a[] = {10, 11};
	sockstate_socket ra[2] = {rec4(1, 80, 2, 1, SOCKSTATE_ESTABLISHED),
	                          rec4(1, 81, 2, 1, SOCKSTATE_LISTEN)};
	sockstate_socket rb[1] = {rec4(3, 90, 4, 1, SOCKSTATE_TIME_WAIT)};
	sockstate_snapshot a, b;
	const sockstate_snapshot *parts[2] = {&a, &b};
	sockstate_snapshot *m = NULL;
	char name_a[] = "nginx", ns_a[] = "blue", ns_b[] = "red";

	(void)unused;
	ra[0].pids = pids_a;
	ra[0].pid_count = 2;
	ra[0].pid = 10;
	ra[0].valid |= SOCKSTATE_HAS_PID | SOCKSTATE_HAS_PROCESS;
	ra[0].process = name_a;
	ra[0].netns = ns_a;
	ra[1].netns = ns_a;
	rb[0].netns = ns_b;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.size = b.size = sizeof a;
	a.count = 2;
	a.sockets = ra;
	a.backend = "linux-netlink";
	strcpy(a.sys.host, "h1");
	b.count = 1;
	b.sockets = rb;
	b.pid_source = "procfs";
	b.query_flags = SOCKSTATE_Q_PIDS;
	assert_int_equal(sockstate_snapshot_merge(parts, 2, &m), 0);
	/* The parts' storage changes: the merge must not point into it. */
	strcpy(name_a, "XXXXX");
	strcpy(ns_a, "XXXX");
	strcpy(ns_b, "XXX");
	assert_int_equal(m->size, sizeof *m);
	assert_int_equal(m->count, 3);
	assert_string_equal(m->backend, "linux-netlink");
	assert_string_equal(m->pid_source, "procfs");
	assert_int_equal(m->query_flags, SOCKSTATE_Q_PIDS);
	assert_string_equal(m->sys.host, "h1");
	assert_int_equal(m->sockets[0].local.port, 80);
	assert_int_equal(m->sockets[0].pid_count, 2);
	assert_ptr_not_equal(m->sockets[0].pids, pids_a);
	assert_int_equal(m->sockets[0].pids[0], 10);
	assert_int_equal(m->sockets[0].pids[1], 11);
	assert_string_equal(m->sockets[0].process, "nginx");
	assert_string_equal(m->sockets[0].netns, "blue");
	assert_string_equal(m->sockets[1].netns, "blue");
	assert_null(m->sockets[1].process);
	assert_null(m->sockets[1].pids);
	assert_int_equal(m->sockets[2].local.port, 90);
	assert_string_equal(m->sockets[2].netns, "red");
	sockstate_snapshot_free(m);

	assert_int_equal(sockstate_snapshot_merge(NULL, 0, &m), 0);
	assert_int_equal(m->count, 0);
	assert_true(m->sys.taken_at > 0);
	sockstate_snapshot_free(m);
	parts[1] = NULL;
	m = (sockstate_snapshot *)1;
	assert_int_equal(sockstate_snapshot_merge(parts, 2, &m), SOCKSTATE_EINVAL);
	assert_null(m);
	assert_int_equal(sockstate_snapshot_merge(parts, 1, NULL), SOCKSTATE_EINVAL);
}

/* ---- the netns column of the socket writers ---- */

static void test_socket_writers_show_netns(void **unused)
{
	sockstate_socket recs[2] = {rec4(1, 80, 2, 1, SOCKSTATE_ESTABLISHED),
	                            rec4(1, 81, 0, 0, SOCKSTATE_LISTEN)};
	sockstate_snapshot snap;
	sockstate_write_opts o = wopts(SOCKSTATE_FORMAT_CSV, SOCKSTATE_W_NO_HEADER);
	struct sink k = {0};

	(void)unused;
	recs[0].netns = "blue";
	memset(&snap, 0, sizeof snap);
	snap.size = sizeof snap;
	snap.count = 2;
	snap.sockets = recs;
	assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), 0);
	assert_string_equal(k.data,
		"ipv4,ESTABLISHED,X,0,10.0.0.1,80,10.0.0.2,1,,,,,blue\r\n"
		"ipv4,LISTEN,X,0,10.0.0.1,81,10.0.0.0,0,,,,,\r\n");
	free(k.data);
	k = (struct sink){0};
	o = wopts(SOCKSTATE_FORMAT_TABLE, SOCKSTATE_W_PIDS);
	assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), 0);
	assert_string_equal(k.data,
		"State        Native       Recv-Q Send-Q Local Address:Port                              "
		"Peer Address:Port                               Pid      Process          Netns\n"
		"ESTABLISHED  X            -      -      10.0.0.1:80                                     "
		"10.0.0.2:1                                      -        -                blue\n"
		"LISTEN       X            -      -      10.0.0.1:81                                     "
		"10.0.0.0:0                                      -        -                -\n");
	free(k.data);
	k = (struct sink){0};
	o = wopts(SOCKSTATE_FORMAT_JSON, 0);
	assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), 0);
	assert_non_null(strstr(k.data, "\"tx_queue\":null,\"netns\":\"blue\"}"));
	assert_non_null(strstr(k.data, "\"tx_queue\":null,\"netns\":null}"));
	free(k.data);
	/* Without any label, no column and no key. */
	recs[0].netns = NULL;
	k = (struct sink){0};
	assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), 0);
	assert_null(strstr(k.data, "netns"));
	free(k.data);
}

/* ---- wait conditions: argument checks (the live ones are in test_wait.py) ---- */

static void test_wait_condition_checks(void **unused)
{
	sockstate_handle *h = NULL;
	sockstate_wait_cond c;
	sockstate_prefix p;
	sockstate_snapshot *snap = (sockstate_snapshot *)1;

	(void)unused;
	sockstate_wait_cond_init(&c, SOCKSTATE_WAIT_DRAINED, 8080);
	assert_int_equal(c.size, sizeof c);
	assert_int_equal(c.kind, SOCKSTATE_WAIT_DRAINED);
	assert_int_equal(c.port, 8080);
	assert_int_equal(c.states, 0);
	assert_int_equal(c.exclude_count, 0);
	assert_int_equal(SOCKSTATE_WAIT_DRAIN_DEFAULT,
	                 SOCKSTATE_STATES_ALL & ~(SOCKSTATE_STATE_BIT(SOCKSTATE_LISTEN) |
	                                          SOCKSTATE_STATE_BIT(SOCKSTATE_TIME_WAIT) |
	                                          SOCKSTATE_STATE_BIT(SOCKSTATE_BOUND)));
	if (sockstate_open(&h, NULL) != 0)
		skip();
	assert_int_equal(sockstate_wait_check(NULL, &c, 0, NULL), SOCKSTATE_EINVAL);
	c.kind = 7;
	assert_int_equal(sockstate_wait_check(h, &c, 0, &snap), SOCKSTATE_EINVAL);
	assert_null(snap);
	c.kind = SOCKSTATE_WAIT_LISTEN;
	c.port = 65536;
	assert_int_equal(sockstate_wait_check(h, &c, 0, NULL), SOCKSTATE_EINVAL);
	c.port = 1;
	c.size = 8;
	assert_int_equal(sockstate_wait_check(h, &c, 0, NULL), SOCKSTATE_EINVAL);
	sockstate_wait_cond_init(&c, SOCKSTATE_WAIT_DRAINED, 1);
	c.exclude_count = 1;
	assert_int_equal(sockstate_wait_check(h, &c, 0, NULL), SOCKSTATE_EINVAL);
	/* A family-0 prefix would exclude every socket: refused. */
	memset(&p, 0, sizeof p);
	c.exclude_remote = &p;
	assert_int_equal(sockstate_wait_check(h, &c, 0, NULL), SOCKSTATE_EINVAL);
	p.family = SOCKSTATE_FAMILY_IPV4;
	p.bits = 33;
	assert_int_equal(sockstate_wait_check(h, &c, 0, NULL), SOCKSTATE_EINVAL);
	c.states = 1u << 20;
	p.bits = 8;
	assert_int_equal(sockstate_wait_check(h, &c, 0, NULL), SOCKSTATE_EINVAL);
	sockstate_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_parse),
		cmocka_unit_test(test_groups_new_checks_keys),
		cmocka_unit_test(test_rank_by_total_then_key),
		cmocka_unit_test(test_combined_keys_and_unknowns),
		cmocka_unit_test(test_pid_key_tells_processes_of_one_name_apart),
		cmocka_unit_test(test_local_remote_keys_keep_family),
		cmocka_unit_test(test_many_records_few_groups),
		cmocka_unit_test(test_table_top_more_and_total),
		cmocka_unit_test(test_table_every_key_column),
		cmocka_unit_test(test_table_of_nothing),
		cmocka_unit_test(test_json_document),
		cmocka_unit_test(test_csv_rows),
		cmocka_unit_test(test_write_checks),
		cmocka_unit_test(test_counts_merge),
		cmocka_unit_test(test_snapshot_merge_copies_everything),
		cmocka_unit_test(test_socket_writers_show_netns),
		cmocka_unit_test(test_wait_condition_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
