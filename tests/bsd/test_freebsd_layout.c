/* test_freebsd_layout.c - on FreeBSD: the layouts the backend derives
 * from the system headers are the facts the portable decoder tests use
 * (pcblist_facts.h), and a reply captured from this kernel decodes, with
 * a listener of ours in it. Built on FreeBSD only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcblist_facts.h"

#define SAME(a, b, field) assert_int_equal((a)->field, (b)->field)

static void test_pcblist_layout_is_the_facts(void **unused)
{
	const sockstate__freebsd_layout *L = &sockstate__freebsd_pcblist_layout;
	const sockstate__freebsd_layout *F = &fact_freebsd;

	(void)unused;
	if (sizeof(void *) != 8)
		skip(); /* the facts are LP64's; i386 places inp_vflag elsewhere */
	assert_string_equal(L->sysctl, F->sysctl);
	SAME(L, F, gen.size);
	SAME(L, F, gen.len_size);
	SAME(L, F, gen.gen_off);
	SAME(L, F, xtcpcb_size);
	SAME(L, F, inp.vflag_off);
	SAME(L, F, inp.lport_off);
	SAME(L, F, inp.fport_off);
	SAME(L, F, inp.laddr_off);
	SAME(L, F, inp.faddr_off);
	SAME(L, F, inp.flags_off);
	SAME(L, F, inp.v6only_flag);
	SAME(L, F, inp.ipv4_flag);
	SAME(L, F, inp.ipv6_flag);
	SAME(L, F, state_off);
	SAME(L, F, so_off);
	SAME(L, F, uid_off);
	SAME(L, F, qlen_off);
	SAME(L, F, qlimit_off);
	SAME(L, F, rcv_cc_off);
	SAME(L, F, snd_cc_off);
}

static void test_file_and_proc_layouts_are_the_facts(void **unused)
{
	const sockstate__xfile_layout *X = &sockstate__freebsd_file_layout;
	const sockstate__kproc_layout *P = &sockstate__bsd_proc_layout;

	(void)unused;
	assert_string_equal(X->sysctl, fact_xfile.sysctl);
	SAME(X, &fact_xfile, size);
	SAME(X, &fact_xfile, pid_off);
	SAME(X, &fact_xfile, type_off);
	SAME(X, &fact_xfile, data_off);
	SAME(X, &fact_xfile, dtype_socket);
	assert_string_equal(P->sysctl, fact_freebsd_proc.sysctl);
	if (sizeof(void *) != 8)
		skip(); /* kinfo_proc differs per architecture */
	SAME(P, &fact_freebsd_proc, size);
	SAME(P, &fact_freebsd_proc, size_field_size);
	SAME(P, &fact_freebsd_proc, pid_off);
	SAME(P, &fact_freebsd_proc, comm_off);
	SAME(P, &fact_freebsd_proc, comm_len);
}

static int find_listener(void *ctx, sockstate_socket *s, uint64_t key)
{
	uint16_t *port = ctx;

	(void)key;
	return s->state == SOCKSTATE_LISTEN && s->local.port == *port ? 1 : 0;
}

/* The capture option saves the reply; the decoder reads it back. */
/* The struct tcpstat fields the counters read, as this system's headers
 * place them, are where the facts say (FreeBSD 12 and later only append
 * fields, so the offsets hold from release to release). */
static void test_tcpstat_layout_is_the_facts(void **unused)
{
	sockstate__tcpstat_layout F;

	(void)unused;
	assert_int_equal(sockstate__bsd_tcpstat_layout_count, 1);
	assert_int_equal(fact_tcpstat_layout(&fact_freebsd_tcpstat, &F), 0);
	assert_true(fact_tcpstat_same_fields(sockstate__bsd_tcpstat_layouts[0], &F));
	print_message("struct tcpstat: %u bytes here, %u in FreeBSD 14.2\n",
	              sockstate__bsd_tcpstat_layouts[0]->size, F.size);
}

static void test_captured_reply_decodes(void **unused)
{
	char dir[] = "/tmp/sockstate-capture-XXXXXX";
	char path[128];
	sockstate_options o = {.size = sizeof o, .capture_dir = dir};
	sockstate_handle *h = NULL;
	sockstate_counts counts;
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof sin;
	sockstate__pcb_sink sink;
	unsigned char *buf;
	struct stat st;
	uint16_t port;
	FILE *fp;
	int fd;

	(void)unused;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, len), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);

	assert_non_null(mkdtemp(dir));
	assert_int_equal(sockstate_open(&h, &o), 0);
	assert_string_equal(sockstate_backend(h), "freebsd-sysctl");
	assert_int_equal(sockstate_count(h, NULL, &counts), 0);
	assert_true(counts.by_state[SOCKSTATE_LISTEN] >= 1);
	snprintf(path, sizeof path, "%s/net.inet.tcp.pcblist.bin", dir);
	assert_int_equal(stat(path, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, fp), (size_t)st.st_size);
	fclose(fp);

	memset(&sink, 0, sizeof sink);
	sink.states = SOCKSTATE_STATES_ALL;
	sink.families = 1u << SOCKSTATE_FAMILY_IPV4 | 1u << SOCKSTATE_FAMILY_IPV6;
	sink.emit = find_listener;
	sink.emit_ctx = &port;
	assert_int_equal(sockstate__freebsd_pcblist_decode(buf, (size_t)st.st_size,
	                                                   &sockstate__freebsd_pcblist_layout,
	                                                   &sink), 1);
	free(buf);
	unlink(path);
	rmdir(dir);
	sockstate_close(h);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcblist_layout_is_the_facts),
		cmocka_unit_test(test_file_and_proc_layouts_are_the_facts),
		cmocka_unit_test(test_tcpstat_layout_is_the_facts),
		cmocka_unit_test(test_captured_reply_decodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
