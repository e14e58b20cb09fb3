/* test_macos_layout.c - on macOS: the layout the backend declares for the
 * PRIVATE pcblist_n records is the facts the portable decoder tests use
 * (pcblist_facts.h), and a reply captured from this kernel decodes, with
 * a listener of ours in it and our pid on it. Built on macOS only. */
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
	const sockstate__macos_layout *L = &sockstate__macos_pcblist_layout;
	const sockstate__macos_layout *F = &fact_macos;

	(void)unused;
	assert_string_equal(L->sysctl, F->sysctl);
	SAME(L, F, gen.size);
	SAME(L, F, gen.len_size);
	SAME(L, F, gen.gen_off);
	SAME(L, F, kind_inpcb);
	SAME(L, F, kind_socket);
	SAME(L, F, kind_rcvbuf);
	SAME(L, F, kind_sndbuf);
	SAME(L, F, kind_tcpcb);
	SAME(L, F, xinpcb_size);
	SAME(L, F, inp.vflag_off);
	SAME(L, F, inp.lport_off);
	SAME(L, F, inp.fport_off);
	SAME(L, F, inp.laddr_off);
	SAME(L, F, inp.faddr_off);
	SAME(L, F, inp.flags_off);
	SAME(L, F, inp.v6only_flag);
	SAME(L, F, inp.ipv4_flag);
	SAME(L, F, inp.ipv6_flag);
	SAME(L, F, xsocket_size);
	SAME(L, F, so_off);
	SAME(L, F, qlen_off);
	SAME(L, F, qlimit_off);
	SAME(L, F, uid_off);
	SAME(L, F, last_pid_off);
	SAME(L, F, xsockbuf_size);
	SAME(L, F, sb_cc_off);
	SAME(L, F, xtcpcb_size);
	SAME(L, F, state_off);
}

static void test_proc_layout_is_the_facts(void **unused)
{
	const sockstate__kproc_layout *P = &sockstate__bsd_proc_layout;

	(void)unused;
	assert_string_equal(P->sysctl, fact_macos_proc.sysctl);
	SAME(P, &fact_macos_proc, size);
	SAME(P, &fact_macos_proc, size_field_size);
	SAME(P, &fact_macos_proc, pid_off);
	SAME(P, &fact_macos_proc, comm_off);
	SAME(P, &fact_macos_proc, comm_len);
}

static int find_listener(void *ctx, sockstate_socket *s, uint64_t key)
{
	uint16_t *port = ctx;

	(void)key;
	if (s->state != SOCKSTATE_LISTEN || s->local.port != *port)
		return 0;
	assert_int_equal(s->pid, (int32_t)getpid());
	return 1;
}

/* The capture option saves the reply; the decoder reads it back. */
/* Both struct tcpstat layouts this build knows are the facts' (the
 * compile-check asserts the SDK's struct is one of them). */
static void test_tcpstat_layouts_are_the_facts(void **unused)
{
	const fact_tcpstat *facts[] = {&fact_macos13_tcpstat, &fact_macos15_tcpstat};

	(void)unused;
	assert_int_equal(sockstate__bsd_tcpstat_layout_count, 2);
	for (size_t i = 0; i < 2; i++) {
		const sockstate__tcpstat_layout *L = sockstate__bsd_tcpstat_layouts[i];
		sockstate__tcpstat_layout F;

		assert_int_equal(fact_tcpstat_layout(facts[i], &F), 0);
		assert_string_equal(L->name, F.name);
		assert_int_equal(L->size, F.size);
		assert_true(fact_tcpstat_same_fields(L, &F));
	}
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
	assert_string_equal(sockstate_backend(h), "macos-sysctl");
	assert_int_equal(sockstate_count(h, NULL, &counts), 0);
	assert_true(counts.by_state[SOCKSTATE_LISTEN] >= 1);
	snprintf(path, sizeof path, "%s/net.inet.tcp.pcblist_n.bin", dir);
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
	sink.with_pids = 1;
	sink.emit = find_listener;
	sink.emit_ctx = &port;
	assert_int_equal(sockstate__macos_pcblist_decode(buf, (size_t)st.st_size,
	                                                 &sockstate__macos_pcblist_layout,
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
		cmocka_unit_test(test_proc_layout_is_the_facts),
		cmocka_unit_test(test_tcpstat_layouts_are_the_facts),
		cmocka_unit_test(test_captured_reply_decodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
