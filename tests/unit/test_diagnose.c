/* test_diagnose.c - diagnose's decision (diagnose_decide.c) on facts built
 * by hand: each rule gives exactly the findings it should, with both
 * sides of every threshold (docs/DIAGNOSE.md), the checks' statuses and
 * notes, the headlines in both languages; the writers' bytes and
 * arguments; the names and their parsers.
 *
 * Set SOCKSTATE_TEST_JSON_DIR to a directory to also save the documents
 * written here (sockstate-diagnosis/1, and sockstate/1 with findings); the
 * test unit.diagnose_json_schema checks them with validate_schema.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend_internal.h"
#include "diagnose_internal.h"
#include "write_sink.h"
#include "writer_internal.h"

/* ---- facts ---- */

#define MAX_SOCKETS 256

struct world {
	sockstate_socket s[MAX_SOCKETS];
	size_t n;
	sockstate_socket before[16];
	size_t nbefore;
	sockstate_tcp_counters c0, c1;
	int counters;               /* 0 none, 1 one sample, 2 two */
	sockstate_diagnose_options o;
	sockstate_probe probe;
	struct sockstate__diag_facts f;
};

static struct world w;

static void reset(void)
{
	memset(&w, 0, sizeof w);
	sockstate_diagnose_options_init(&w.o);
	w.o.lang = "en";
	w.probe.syn_retransmits = -1;
	w.c0.size = w.c1.size = sizeof w.c0;
	sockstate__tcp_counters_clear(&w.c0, "test");
	sockstate__tcp_counters_clear(&w.c1, "test");
	for (unsigned k = 0; k < SOCKSTATE_COUNTER_COUNT; k++) {
		sockstate__tcp_counter_set(&w.c0, (sockstate_counter)k, 1000,
		                           SOCKSTATE__COUNTERS_LINUX);
		sockstate__tcp_counter_set(&w.c1, (sockstate_counter)k, 1000,
		                           SOCKSTATE__COUNTERS_LINUX);
	}
	w.counters = 2;
}

/* counter k grows by d during the window */
static void grow(sockstate_counter k, uint64_t d)
{
	w.c1.value[k] = w.c0.value[k] + d;
}

static void ip(sockstate_endpoint *ep, uint8_t family, const char *text, uint16_t port)
{
	sockstate_prefix p;

	memset(ep, 0, sizeof *ep);
	assert_int_equal(sockstate_prefix_parse(text, &p), 0);
	assert_int_equal(p.family, family);
	memcpy(ep->addr, p.addr, 16);
	ep->port = port;
}

/* A socket; the address family from the text ("::" has a colon). */
static sockstate_socket *add(sockstate_state state, const char *laddr, uint16_t lport,
                             const char *raddr, uint16_t rport)
{
	sockstate_socket *s;
	uint8_t family = strchr(laddr, ':') ? SOCKSTATE_FAMILY_IPV6 : SOCKSTATE_FAMILY_IPV4;

	assert_true(w.n < MAX_SOCKETS);
	s = &w.s[w.n++];
	memset(s, 0, sizeof *s);
	s->size = sizeof *s;
	s->family = family;
	s->state = (uint8_t)state;
	s->native_name = sockstate_state_name(state);
	ip(&s->local, family, laddr, lport);
	ip(&s->remote, family, raddr, rport);
	s->valid = SOCKSTATE_HAS_QUEUES | SOCKSTATE_HAS_TIMER;
	s->pid = -1;
	s->uid = -1;
	return s;
}

static sockstate_socket *listener(const char *addr, uint16_t port, uint32_t queued,
                                  uint32_t backlog)
{
	sockstate_socket *s = add(SOCKSTATE_LISTEN, addr, port,
	                          strchr(addr, ':') ? "::" : "0.0.0.0", 0);

	s->rx_queue = queued;
	s->tx_queue = backlog;
	if (s->family == SOCKSTATE_FAMILY_IPV6)
		s->valid |= SOCKSTATE_HAS_V6ONLY;
	return s;
}

static void owned(sockstate_socket *s, int32_t pid, const char *name)
{
	s->pid = pid;
	s->pid_count = 1;
	s->process = name;
	s->valid |= SOCKSTATE_HAS_PID | SOCKSTATE_HAS_PROCESS;
}

static sockstate_diagnosis *decide(void)
{
	sockstate_diagnosis *d = NULL;

	w.f.o = &w.o;
	w.f.sockets = w.s;
	w.f.count = w.n;
	w.f.syn_sent_before = w.before;
	w.f.syn_sent_before_count = w.nbefore;
	w.f.two_looks = w.counters == 2;
	w.f.before = w.counters ? &w.c0 : NULL;
	w.f.after = w.counters == 2 ? &w.c1 : NULL;
	w.f.counters_error = w.counters ? 0 : SOCKSTATE_ENOTSUP;
	w.f.window_ms = w.counters == 2 ? 1000 : 0;
	w.f.probe = &w.probe;
	w.f.backend = "linux-netlink";
	if (w.f.port_last == 0 && w.f.port_range_source == NULL) {
		w.f.port_first = 32768;
		w.f.port_last = 60999;
		w.f.port_range_source = "test";
	}
	assert_int_equal(sockstate__diagnose_decide(&w.f, &d), 0);
	assert_non_null(d);
	return d;
}

/* The codes found, in order, as "code/severity code/severity ...". */
static const char *found(const sockstate_diagnosis *d)
{
	static char buf[1024];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < d->count; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s/%s", i ? " " : "",
		                      sockstate_finding_name((sockstate_finding_code)d->findings[i].code),
		                      sockstate_severity_name((sockstate_severity)
		                                              d->findings[i].severity));
	return buf;
}

static void expect(const char *codes)
{
	sockstate_diagnosis *d = decide();

	assert_string_equal(found(d), codes);
	sockstate_diagnosis_free(d);
}

/* ---- the listener rules ---- */

static void test_no_listener(void **unused)
{
	sockstate_diagnosis *d;

	(void)unused;
	reset();
	w.o.port = 8080;
	add(SOCKSTATE_TIME_WAIT, "127.0.0.1", 8080, "127.0.0.1", 40000);
	listener("0.0.0.0", 8081, 0, 128);
	d = decide();
	assert_string_equal(found(d), "no-listener/critical");
	assert_string_equal(d->findings[0].headline, "Nothing listens on port 8080");
	assert_int_equal(d->findings[0].sockets_total, 1);
	assert_int_equal(d->findings[0].sockets[0].state, SOCKSTATE_TIME_WAIT);
	assert_string_equal(sockstate__finding_headline(d, &d->findings[0], 1),
	                    "Nada escucha en el puerto 8080");
	assert_int_equal(d->checks[SOCKSTATE_FINDING_NO_LISTENER], SOCKSTATE_CHECK_FOUND);
	assert_int_equal(d->checks[SOCKSTATE_FINDING_CONNECTION_REFUSED],
	                 SOCKSTATE_CHECK_NOT_ASKED);
	assert_int_equal(d->checks_notes[SOCKSTATE_FINDING_CONNECTION_REFUSED],
	                 SOCKSTATE_NOTE_NEEDS_TO);
	sockstate_diagnosis_free(d);

	/* Listening on every address: nothing to say. */
	listener("0.0.0.0", 8080, 0, 128);
	expect("");
	/* Host-wide, the port rules are not asked. */
	w.o.port = -1;
	d = decide();
	assert_int_equal(d->checks[SOCKSTATE_FINDING_NO_LISTENER], SOCKSTATE_CHECK_NOT_ASKED);
	assert_int_equal(d->checks_notes[SOCKSTATE_FINDING_NO_LISTENER],
	                 SOCKSTATE_NOTE_NEEDS_PORT);
	sockstate_diagnosis_free(d);
}

static void test_listener_not_on_address(void **unused)
{
	sockstate_diagnosis *d;

	(void)unused;
	/* loopback only, no address asked: a warning */
	reset();
	w.o.port = 8080;
	listener("127.0.0.1", 8080, 0, 128);
	d = decide();
	assert_string_equal(found(d), "listener-not-on-address/warning");
	assert_string_equal(d->findings[0].headline,
	                    "Port 8080 listens only on loopback (127.0.0.1:8080): other "
	                    "hosts cannot connect");
	sockstate_diagnosis_free(d);

	/* 127.0.0.2 asked, 127.0.0.1 listening: critical, both named */
	w.o.addr_family = SOCKSTATE_FAMILY_IPV4;
	ip(&w.o.addr, SOCKSTATE_FAMILY_IPV4, "127.0.0.2", 0);
	d = decide();
	assert_string_equal(found(d), "listener-not-on-address/critical");
	assert_string_equal(d->findings[0].headline,
	                    "Port 8080 listens on 127.0.0.1:8080, not on 127.0.0.2");
	assert_string_equal(sockstate__finding_headline(d, &d->findings[0], 1),
	                    "El puerto 8080 escucha en 127.0.0.1:8080, no en 127.0.0.2");
	sockstate_diagnosis_free(d);

	/* The address asked itself, the IPv4 wildcard, a mapped address:
	 * each serves it. */
	listener("127.0.0.2", 8080, 0, 128);
	expect("");
	reset();
	w.o.port = 8080;
	w.o.addr_family = SOCKSTATE_FAMILY_IPV4;
	ip(&w.o.addr, SOCKSTATE_FAMILY_IPV4, "192.0.2.7", 0);
	listener("0.0.0.0", 8080, 0, 128);
	expect("");
	reset();
	w.o.port = 8080;
	w.o.addr_family = SOCKSTATE_FAMILY_IPV4;
	ip(&w.o.addr, SOCKSTATE_FAMILY_IPV4, "192.0.2.7", 0);
	listener("::ffff:192.0.2.7", 8080, 0, 128);
	expect("");
}

static void test_ipv6_only(void **unused)
{
	sockstate_diagnosis *d;
	sockstate_socket *l;

	(void)unused;
	/* [::] dual-stack serves an IPv4 client */
	reset();
	w.o.port = 8080;
	w.o.addr_family = SOCKSTATE_FAMILY_IPV4;
	ip(&w.o.addr, SOCKSTATE_FAMILY_IPV4, "127.0.0.1", 0);
	l = listener("::", 8080, 0, 128);
	expect("");
	/* IPV6_V6ONLY: the one reason; critical when IPv4 was asked */
	l->local.flags |= SOCKSTATE_ENDPOINT_V6ONLY;
	d = decide();
	assert_string_equal(found(d), "ipv6-only-listener/critical");
	assert_string_equal(d->findings[0].headline,
	                    "[::]:8080 is IPv6-only (IPV6_V6ONLY) and nothing on port 8080 "
	                    "takes IPv4: IPv4 clients are refused");
	assert_int_equal(d->checks[SOCKSTATE_FINDING_LISTENER_NOT_ON_ADDRESS],
	                 SOCKSTATE_CHECK_CLEAR);
	sockstate_diagnosis_free(d);
	/* without an address asked: a warning */
	w.o.addr_family = 0;
	expect("ipv6-only-listener/warning");
	/* an IPv4 listener beside it takes IPv4: nothing */
	listener("0.0.0.0", 8080, 0, 128);
	expect("");
	/* host-wide: a port with an IPv6-only listener alone is worth
	 * knowing, no more */
	w.n--;
	w.o.port = -1;
	expect("ipv6-only-listener/info");
	/* IPV6_V6ONLY unknown (linux-proc, Windows): not checked, said so */
	l->valid &= ~(uint32_t)SOCKSTATE_HAS_V6ONLY;
	l->local.flags = 0;
	w.o.port = 8080;
	w.o.addr_family = SOCKSTATE_FAMILY_IPV4;
	d = decide();
	assert_string_equal(found(d), "");
	assert_int_equal(d->checks[SOCKSTATE_FINDING_IPV6_ONLY_LISTENER],
	                 SOCKSTATE_CHECK_NOT_CHECKED);
	assert_int_equal(d->checks_notes[SOCKSTATE_FINDING_IPV6_ONLY_LISTENER],
	                 SOCKSTATE_NOTE_NO_V6ONLY);
	sockstate_diagnosis_free(d);
}

/* ---- accept queue, half-open connections ---- */

static void test_accept_queue(void **unused)
{
	sockstate_diagnosis *d;
	sockstate_socket *l;

	(void)unused;
	reset();
	w.o.port = 8080;
	l = listener("0.0.0.0", 8080, 4, 5);
	owned(l, 42, "server");
	expect("");                             /* one below the backlog */
	l->rx_queue = 5;                        /* at it */
	d = decide();
	assert_string_equal(found(d), "accept-queue-overflow/critical");
	assert_string_equal(d->findings[0].headline,
	                    "The accept queue of 0.0.0.0:8080 is full: 5 connections wait to "
	                    "be accepted, backlog 5");
	assert_int_equal(d->findings[0].count, 5);
	assert_int_equal(d->findings[0].limit, 5);
	assert_int_equal(d->findings[0].pid, 42);
	assert_string_equal(d->findings[0].process, "server");
	sockstate_diagnosis_free(d);

	/* No queue full now, but the kernel dropped connections during the
	 * window: a warning; none dropped: nothing. */
	l->rx_queue = 0;
	grow(SOCKSTATE_COUNTER_LISTEN_DROPS, 0);
	expect("");
	grow(SOCKSTATE_COUNTER_LISTEN_DROPS, 1);
	d = decide();
	assert_string_equal(found(d), "accept-queue-overflow/warning");
	assert_string_equal(d->findings[0].headline,
	                    "Listeners dropped 1 connection in 1.0 s: an accept queue "
	                    "overflowed");
	sockstate_diagnosis_free(d);

	/* Where the backlog is unknown (linux-proc) and only one sample was
	 * taken: not judged. With no counters at all: not checked. */
	l->valid &= ~(uint32_t)SOCKSTATE_HAS_QUEUES;
	w.counters = 1;
	d = decide();
	assert_int_equal(d->checks[SOCKSTATE_FINDING_ACCEPT_QUEUE_OVERFLOW],
	                 SOCKSTATE_CHECK_NOT_JUDGED);
	assert_int_equal(d->checks_notes[SOCKSTATE_FINDING_ACCEPT_QUEUE_OVERFLOW],
	                 SOCKSTATE_NOTE_NO_BACKLOG | SOCKSTATE_NOTE_SINCE_BOOT);
	sockstate_diagnosis_free(d);
	w.counters = 0;
	d = decide();
	assert_int_equal(d->checks[SOCKSTATE_FINDING_ACCEPT_QUEUE_OVERFLOW],
	                 SOCKSTATE_CHECK_NOT_CHECKED);
	sockstate_diagnosis_free(d);
}

static void test_syn_received_pile(void **unused)
{
	sockstate_diagnosis *d;

	(void)unused;
	reset();
	w.o.port = 443;
	listener("0.0.0.0", 443, 0, 128);
	for (int i = 0; i < 9; i++)
		add(SOCKSTATE_SYN_RECEIVED, "10.0.0.1", 443, "192.0.2.1",
		    (uint16_t)(50000 + i))->retransmits = 1;
	/* one that just arrived (its SYN-ACK not sent again) does not count */
	add(SOCKSTATE_SYN_RECEIVED, "10.0.0.1", 443, "192.0.2.1", 50100);
	expect("");
	w.s[w.n - 1].retransmits = 2;           /* ten stuck */
	d = decide();
	assert_string_equal(found(d), "syn-received-pile/warning");
	assert_string_equal(d->findings[0].headline,
	                    "10 half-open connections (SYN_RECEIVED) on 0.0.0.0:443 wait for "
	                    "the clients' final ACK");
	assert_int_equal(d->findings[0].sockets_total, 10);
	assert_int_equal(d->findings[0].socket_count, SOCKSTATE_FINDING_SOCKETS_MAX);
	sockstate_diagnosis_free(d);
	/* with SYN cookies sent in the window: a flood, critical */
	grow(SOCKSTATE_COUNTER_SYNCOOKIES_SENT, 3);
	d = decide();
	assert_string_equal(found(d), "syn-received-pile/critical");
	assert_int_equal(d->findings[0].variant, 1);
	sockstate_diagnosis_free(d);
	/* cookies without a pile: the queue overflowed at some moment */
	w.n = 1;
	d = decide();
	assert_string_equal(found(d), "syn-received-pile/warning");
	assert_string_equal(d->findings[0].headline,
	                    "3 SYN cookies sent in 1.0 s: a listener's queue of half-open "
	                    "connections overflowed");
	sockstate_diagnosis_free(d);
}

/* ---- a process that does not close ---- */

static void test_close_wait_leak(void **unused)
{
	sockstate_diagnosis *d;

	(void)unused;
	reset();
	for (int i = 0; i < 9; i++)
		owned(add(SOCKSTATE_CLOSE_WAIT, "127.0.0.1", 8080, "127.0.0.1",
		          (uint16_t)(40000 + i)), 4242, "leaky");
	expect("");
	owned(add(SOCKSTATE_CLOSE_WAIT, "127.0.0.1", 8081, "127.0.0.1", 40100), 4242, "leaky");
	/* another process's nine do not add to its ten */
	for (int i = 0; i < 9; i++)
		owned(add(SOCKSTATE_CLOSE_WAIT, "127.0.0.1", 9000, "127.0.0.1",
		          (uint16_t)(41000 + i)), 7, "other");
	d = decide();
	assert_string_equal(found(d), "close-wait-leak/warning");
	assert_string_equal(d->findings[0].headline,
	                    "leaky (pid 4242) holds 10 connections in CLOSE_WAIT on local ports "
	                    "8080, 8081: it does not close them");
	assert_string_equal(sockstate__finding_headline(d, &d->findings[0], 1),
	                    "leaky (pid 4242) retiene 10 conexiones en CLOSE_WAIT en los "
	                    "puertos locales 8080, 8081: no las cierra");
	assert_int_equal(d->findings[0].pid, 4242);
	sockstate_diagnosis_free(d);
	/* 100: critical */
	w.n = 0;
	for (int i = 0; i < 100; i++)
		owned(add(SOCKSTATE_CLOSE_WAIT, "127.0.0.1", 8080, "127.0.0.1",
		          (uint16_t)(40000 + i)), 4242, "leaky");
	expect("close-wait-leak/critical");
	/* owners unknown: named as such */
	w.n = 0;
	for (int i = 0; i < 10; i++)
		add(SOCKSTATE_CLOSE_WAIT, "127.0.0.1", 8080, "127.0.0.1", (uint16_t)(40000 + i));
	d = decide();
	assert_string_equal(found(d), "close-wait-leak/warning");
	assert_int_equal(d->findings[0].variant, 1);
	assert_int_equal(d->findings[0].pid, -1);
	assert_int_equal(d->checks_notes[SOCKSTATE_FINDING_CLOSE_WAIT_LEAK],
	                 SOCKSTATE_NOTE_OWNERS_UNKNOWN);
	assert_int_equal(d->owners_unknown, 10);
	sockstate_diagnosis_free(d);
	/* with --port, the leak of another port is not looked at */
	w.o.port = 9999;
	listener("0.0.0.0", 9999, 0, 128);
	expect("");
}

/* ---- the client side ---- */

static void test_syn_sent_unanswered(void **unused)
{
	sockstate_diagnosis *d;
	sockstate_socket *s;

	(void)unused;
	reset();
	s = add(SOCKSTATE_SYN_SENT, "10.0.0.1", 40000, "192.0.2.9", 5432);
	expect("");                            /* a connect in flight */
	s->retransmits = 1;                    /* its SYN sent again: no answer */
	d = decide();
	assert_string_equal(found(d), "syn-sent-unanswered/warning");
	assert_string_equal(d->findings[0].headline,
	                    "1 connection to 192.0.2.9:5432 stays in SYN_SENT: the SYNs get no "
	                    "answer");
	sockstate_diagnosis_free(d);
	/* asked about that destination: critical */
	w.o.to_family = SOCKSTATE_FAMILY_IPV4;
	ip(&w.o.to, SOCKSTATE_FAMILY_IPV4, "192.0.2.9", 5432);
	expect("syn-sent-unanswered/critical");
	/* another destination: not in scope */
	w.o.to.port = 5433;
	expect("");
	/* no timer (Windows, BSD): seen at both looks is unanswered */
	w.o.to_family = 0;
	s->valid &= ~(uint32_t)SOCKSTATE_HAS_TIMER;
	s->retransmits = 0;
	expect("");
	w.before[w.nbefore++] = *s;
	d = decide();
	assert_string_equal(found(d), "syn-sent-unanswered/warning");
	assert_int_equal(d->checks_notes[SOCKSTATE_FINDING_SYN_SENT_UNANSWERED],
	                 SOCKSTATE_NOTE_NO_RETRANSMITS);
	sockstate_diagnosis_free(d);
	/* with one look only: not judged */
	w.counters = 1;
	d = decide();
	assert_int_equal(d->checks[SOCKSTATE_FINDING_SYN_SENT_UNANSWERED],
	                 SOCKSTATE_CHECK_NOT_JUDGED);
	sockstate_diagnosis_free(d);
}

static void ports_to(const char *dest, uint16_t dport, int n, uint16_t first)
{
	for (int i = 0; i < n; i++)
		add(i % 2 ? SOCKSTATE_TIME_WAIT : SOCKSTATE_ESTABLISHED, "10.0.0.1",
		    (uint16_t)(first + i), dest, dport);
}

static void test_ephemeral_ports_low(void **unused)
{
	sockstate_diagnosis *d;

	(void)unused;
	reset();
	w.f.port_first = 40000;
	w.f.port_last = 40009;                 /* 10 ports */
	w.f.port_range_source = "test";
	ports_to("192.0.2.9", 80, 7, 40000);
	expect("");                            /* 70 % */
	ports_to("192.0.2.9", 80, 1, 40007);
	d = decide();                          /* 80 %: a warning */
	assert_string_equal(found(d), "ephemeral-ports-low/warning");
	assert_string_equal(d->findings[0].headline,
	                    "8 of the 10 ephemeral ports (80 %) are in use from 10.0.0.1 "
	                    "towards 192.0.2.9:80");
	assert_int_equal(d->findings[0].count, 8);
	assert_int_equal(d->findings[0].limit, 10);
	sockstate_diagnosis_free(d);
	ports_to("192.0.2.9", 80, 1, 40008);   /* 90 %: still a warning */
	expect("ephemeral-ports-low/warning");
	ports_to("192.0.2.9", 80, 1, 40009);   /* 100 % (>= 95): critical */
	expect("ephemeral-ports-low/critical");
	/* the same ports towards two destinations: no destination is short */
	w.n = 0;
	ports_to("192.0.2.9", 80, 4, 40000);
	ports_to("192.0.2.10", 80, 4, 40004);
	add(SOCKSTATE_ESTABLISHED, "10.0.0.1", 40000, "192.0.2.10", 80);
	expect("");
	/* a server's connections (its port outside the range) are no one's
	 * ephemeral ports */
	w.n = 0;
	for (int i = 0; i < 10; i++)
		add(SOCKSTATE_ESTABLISHED, "10.0.0.1", 443, "192.0.2.9", (uint16_t)(40000 + i));
	expect("");
	/* range unknown: not checked */
	w.f.port_first = w.f.port_last = 0;
	w.f.port_range_source = "none";
	d = decide();
	assert_int_equal(d->checks[SOCKSTATE_FINDING_EPHEMERAL_PORTS_LOW],
	                 SOCKSTATE_CHECK_NOT_CHECKED);
	assert_int_equal(d->checks_notes[SOCKSTATE_FINDING_EPHEMERAL_PORTS_LOW],
	                 SOCKSTATE_NOTE_NO_PORT_RANGE);
	sockstate_diagnosis_free(d);
}

static void test_time_wait_pile(void **unused)
{
	sockstate_diagnosis *d;

	(void)unused;
	reset();
	w.f.port_first = 40000;
	w.f.port_last = 40009;
	w.f.port_range_source = "test";
	/* four outgoing TIME_WAIT, each to its own destination: 40 % */
	for (int i = 0; i < 4; i++)
		add(SOCKSTATE_TIME_WAIT, "10.0.0.1", (uint16_t)(40000 + i), "192.0.2.9",
		    (uint16_t)(80 + i));
	/* the server side's TIME_WAIT hold no ephemeral port */
	for (int i = 0; i < 20; i++)
		add(SOCKSTATE_TIME_WAIT, "10.0.0.1", 443, "192.0.2.7", (uint16_t)(50000 + i));
	expect("");
	add(SOCKSTATE_TIME_WAIT, "10.0.0.1", 40004, "192.0.2.9", 90);
	d = decide();                          /* 50 % */
	assert_string_equal(found(d), "time-wait-pile/warning");
	assert_string_equal(d->findings[0].headline,
	                    "5 outgoing connections wait in TIME_WAIT: 50 % of the 10 "
	                    "ephemeral ports");
	sockstate_diagnosis_free(d);
	/* the table overflowed during the window */
	w.n = 0;
	grow(SOCKSTATE_COUNTER_TIME_WAIT_OVERFLOWS, 2);
	d = decide();
	assert_string_equal(found(d), "time-wait-pile/warning");
	assert_int_equal(d->findings[0].variant, 1);
	assert_int_equal(d->findings[0].count, 2);
	sockstate_diagnosis_free(d);
}

static void test_retransmissions(void **unused)
{
	sockstate_diagnosis *d;

	(void)unused;
	reset();
	grow(SOCKSTATE_COUNTER_SEGMENTS_SENT, 999);
	grow(SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED, 500);
	expect("");                            /* too few segments to judge */
	grow(SOCKSTATE_COUNTER_SEGMENTS_SENT, 1000);
	grow(SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED, 9);
	expect("");                            /* 0.9 % */
	grow(SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED, 10);
	d = decide();                          /* 1 % */
	assert_string_equal(found(d), "retransmissions-high/warning");
	assert_string_equal(d->findings[0].headline,
	                    "1 % of the segments sent were sent again: 10 of 1000 in 1.0 s");
	sockstate_diagnosis_free(d);
	grow(SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED, 99);
	expect("retransmissions-high/warning");
	grow(SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED, 100);
	expect("retransmissions-high/critical");
	/* one sample: not judged; a counter this OS does not keep: not
	 * checked */
	w.counters = 1;
	d = decide();
	assert_int_equal(d->checks[SOCKSTATE_FINDING_RETRANSMISSIONS_HIGH],
	                 SOCKSTATE_CHECK_NOT_JUDGED);
	sockstate_diagnosis_free(d);
	w.counters = 2;
	w.c0.valid &= ~SOCKSTATE_COUNTER_BIT(SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED);
	d = decide();
	assert_int_equal(d->checks[SOCKSTATE_FINDING_RETRANSMISSIONS_HIGH],
	                 SOCKSTATE_CHECK_NOT_CHECKED);
	assert_int_equal(d->checks_notes[SOCKSTATE_FINDING_RETRANSMISSIONS_HIGH],
	                 SOCKSTATE_NOTE_COUNTER_UNKNOWN);
	sockstate_diagnosis_free(d);
}

/* ---- the probe ---- */

static void probe(sockstate_probe_result r, const char *errname, int32_t syns)
{
	w.o.flags |= SOCKSTATE_DIAG_PROBE;
	w.o.to_family = SOCKSTATE_FAMILY_IPV4;
	ip(&w.o.to, SOCKSTATE_FAMILY_IPV4, "192.0.2.9", 5432);
	w.probe.result = r;
	w.probe.os_error_name = errname;
	w.probe.syn_retransmits = syns;
	w.probe.elapsed_ms = 12;
	w.probe.timeout_ms = 3000;
	w.probe.family = SOCKSTATE_FAMILY_IPV4;
	w.probe.to = w.o.to;
}

static void test_probe(void **unused)
{
	sockstate_diagnosis *d;

	(void)unused;
	reset();
	probe(SOCKSTATE_PROBE_CONNECTED, NULL, 0);
	d = decide();
	assert_string_equal(found(d), "");
	assert_int_equal(d->checks[SOCKSTATE_FINDING_CONNECTION_TIMEOUT], SOCKSTATE_CHECK_CLEAR);
	sockstate_diagnosis_free(d);
	probe(SOCKSTATE_PROBE_REFUSED, "ECONNREFUSED", 0);
	d = decide();
	assert_string_equal(found(d), "connection-refused/critical");
	assert_string_equal(d->findings[0].headline,
	                    "192.0.2.9:5432 refused the connection (ECONNREFUSED, after 12 ms)");
	sockstate_diagnosis_free(d);
	probe(SOCKSTATE_PROBE_TIMEOUT, "ETIMEDOUT", 2);
	d = decide();
	assert_string_equal(found(d), "connection-timeout/critical");
	assert_string_equal(d->findings[0].headline,
	                    "192.0.2.9:5432 did not answer in 3.0 s: 3 SYNs sent, no answer");
	assert_string_equal(sockstate__finding_headline(d, &d->findings[0], 1),
	                    "192.0.2.9:5432 no respondió en 3.0 s: 3 SYN enviados, sin "
	                    "respuesta");
	sockstate_diagnosis_free(d);
	probe(SOCKSTATE_PROBE_TIMEOUT, "WSAETIMEDOUT", -1);
	d = decide();
	assert_string_equal(d->findings[0].headline, "192.0.2.9:5432 did not answer in 3.0 s");
	sockstate_diagnosis_free(d);
	probe(SOCKSTATE_PROBE_NO_ROUTE, "EHOSTUNREACH", 0);
	d = decide();
	assert_string_equal(found(d), "no-route/critical");
	assert_string_equal(d->findings[0].headline, "No route to 192.0.2.9:5432 (EHOSTUNREACH)");
	sockstate_diagnosis_free(d);
	/* no free local port: with the ports it holds towards there */
	w.f.port_first = 40000;
	w.f.port_last = 40002;
	w.f.port_range_source = "test";
	ports_to("192.0.2.9", 5432, 3, 40000);
	probe(SOCKSTATE_PROBE_NO_PORT, "EADDRNOTAVAIL", 0);
	d = decide();
	assert_string_equal(found(d), "ephemeral-ports-low/critical no-ephemeral-port/critical");
	assert_int_equal(d->findings[1].count, 3);
	assert_int_equal(d->findings[1].limit, 3);
	assert_string_equal(d->findings[1].headline,
	                    "No free local port to connect to 192.0.2.9:5432 (EADDRNOTAVAIL)");
	sockstate_diagnosis_free(d);
}

/* A destination on this host brings its service in: the probe refused
 * and nothing listens there. */
static void test_loopback_destination(void **unused)
{
	sockstate_diagnosis *d;

	(void)unused;
	reset();
	w.o.flags |= SOCKSTATE_DIAG_PROBE;
	w.o.to_family = SOCKSTATE_FAMILY_IPV4;
	ip(&w.o.to, SOCKSTATE_FAMILY_IPV4, "127.0.0.1", 9);
	w.probe.result = SOCKSTATE_PROBE_REFUSED;
	w.probe.os_error_name = "ECONNREFUSED";
	d = decide();
	assert_string_equal(found(d), "no-listener/critical connection-refused/critical");
	assert_string_equal(d->findings[0].headline, "Nothing listens on port 9");
	sockstate_diagnosis_free(d);
}

/* A host with healthy traffic: nothing at all, every rule checked. */
static void test_quiet_host(void **unused)
{
	sockstate_diagnosis *d;

	(void)unused;
	reset();
	owned(listener("0.0.0.0", 80, 0, 511), 1, "nginx");
	owned(listener("::", 80, 0, 511), 1, "nginx");
	for (int i = 0; i < 40; i++) {
		owned(add(SOCKSTATE_ESTABLISHED, "10.0.0.1", 80, "192.0.2.1",
		          (uint16_t)(50000 + i)), 2, "nginx");
		add(SOCKSTATE_TIME_WAIT, "10.0.0.1", 80, "192.0.2.2", (uint16_t)(50000 + i));
		owned(add(SOCKSTATE_ESTABLISHED, "10.0.0.1", (uint16_t)(33000 + i), "10.0.0.5",
		          5432), 2, "nginx");
	}
	owned(add(SOCKSTATE_CLOSE_WAIT, "10.0.0.1", 80, "192.0.2.3", 60000), 2, "nginx");
	add(SOCKSTATE_SYN_RECEIVED, "10.0.0.1", 80, "192.0.2.4", 60001);
	add(SOCKSTATE_SYN_SENT, "10.0.0.1", 33100, "10.0.0.5", 5432);
	grow(SOCKSTATE_COUNTER_SEGMENTS_SENT, 50000);
	grow(SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED, 20);
	grow(SOCKSTATE_COUNTER_PASSIVE_OPENS, 400);
	d = decide();
	assert_string_equal(found(d), "");
	for (unsigned c = 0; c < SOCKSTATE_FINDING_COUNT; c++)
		assert_true(d->checks[c] == SOCKSTATE_CHECK_CLEAR ||
		            d->checks[c] == SOCKSTATE_CHECK_NOT_ASKED);
	sockstate_diagnosis_free(d);
}

/* Most severe first, then by code. */
static void test_order(void **unused)
{
	sockstate_diagnosis *d;

	(void)unused;
	reset();
	for (int i = 0; i < 10; i++)
		owned(add(SOCKSTATE_CLOSE_WAIT, "127.0.0.1", 8080, "127.0.0.1",
		          (uint16_t)(40000 + i)), 9, "app");
	owned(listener("127.0.0.1", 8080, 3, 2), 9, "app");
	w.o.port = 8080;
	grow(SOCKSTATE_COUNTER_SEGMENTS_SENT, 2000);
	grow(SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED, 400);
	d = decide();
	assert_string_equal(found(d), "accept-queue-overflow/critical "
	                              "retransmissions-high/critical "
	                              "listener-not-on-address/warning close-wait-leak/warning");
	assert_int_equal(sockstate_diagnosis_worst(d), SOCKSTATE_SEVERITY_CRITICAL);
	sockstate_diagnosis_free(d);
	assert_int_equal(sockstate_diagnosis_worst(NULL), 0);
}

/* ---- the writers ---- */

static char *write_diagnosis(const sockstate_diagnosis *d, sockstate_format f)
{
	struct sink k = {0};
	sockstate_write_opts o = {.size = sizeof o, .format = f, .port = -1};

	assert_int_equal(sockstate_diagnosis_write(d, &o, sink_write, &k), 0);
	assert_non_null(k.data);
	return k.data;
}

/* The closing lines and one block, word for word; the meaning and the
 * advice from the table, wrapped within 78 columns. */
static void test_table(void **unused)
{
	sockstate_diagnosis *d;
	char *text;

	(void)unused;
	reset();
	w.o.port = 8080;
	owned(listener("0.0.0.0", 8080, 2, 1), 4242, "python3");
	grow(SOCKSTATE_COUNTER_LISTEN_OVERFLOWS, 14);
	grow(SOCKSTATE_COUNTER_LISTEN_DROPS, 14);
	d = decide();
	text = write_diagnosis(d, SOCKSTATE_FORMAT_TABLE);
	assert_non_null(strstr(text,
		"CRITICAL accept-queue-overflow: The accept queue of 0.0.0.0:8080 is full: 2\n"
		"  connections wait to be accepted, backlog 1\n"
		"  sockets:      LISTEN 0.0.0.0:8080, queue 2 of 1, pid 4242 (python3)\n"
		"  counters:     listen_overflows +14 (TcpExtListenOverflows),\n"
		"                listen_drops +14 (TcpExtListenDrops) in 1.0 s\n"
		"  meaning:      Connections that completed the handshake wait in the\n"));
	assert_non_null(strstr(text,
		"  window:       TCP counters compared over 1.0 s; 1 socket looked at\n"
		"                (linux-netlink)\n"));
	for (char *line = text; *line;) {
		size_t n = strcspn(line, "\n"), cols = 0;

		for (size_t i = 0; i < n; i++)
			cols += ((unsigned char)line[i] & 0xC0) != 0x80;
		assert_true(cols <= 78);
		line += n + (line[n] == '\n');
	}
	free(text);
	sockstate_diagnosis_free(d);

	/* nothing found, in Spanish */
	reset();
	w.o.lang = "es";
	d = decide();
	text = write_diagnosis(d, SOCKSTATE_FORMAT_TABLE);
	assert_string_equal(text,
		"No se encontró ningún problema.\n\n"
		"  ventana:      contadores TCP comparados durante 1.0 s; 0 sockets examinados\n"
		"                (linux-netlink)\n");
	free(text);
	sockstate_diagnosis_free(d);
}

static void test_json(void **unused)
{
	sockstate_diagnosis *d;
	sockstate_snapshot snap;
	sockstate_sysinfo sys;
	char *text;

	(void)unused;
	reset();
	memset(&sys, 0, sizeof sys);
	strcpy(sys.host, "web-1");
	strcpy(sys.os_name, "Linux");
	sys.taken_at = 1764864000;
	w.f.sys = &sys;
	w.o.port = 8080;
	owned(listener("0.0.0.0", 8080, 2, 1), 4242, "python3");
	for (int i = 0; i < 12; i++)
		owned(add(SOCKSTATE_CLOSE_WAIT, "127.0.0.1", 8080, "127.0.0.1",
		          (uint16_t)(40000 + i)), 4242, "python3");
	grow(SOCKSTATE_COUNTER_LISTEN_DROPS, 3);
	probe(SOCKSTATE_PROBE_REFUSED, "ECONNREFUSED", 0);
	w.f.probe_message = "Connection refused";
	d = decide();
	text = write_diagnosis(d, SOCKSTATE_FORMAT_JSON);
	save_json("diagnosis", text);
	assert_true(strncmp(text, "{\"schema\":\"sockstate-diagnosis/1\",\n \"host\":\"web-1\",\n",
	                    47) == 0);
	assert_non_null(strstr(text, "\n \"lang\":\"en\",\n \"asked\":{\"port\":8080,"
	                             "\"address\":null,\"to\":{\"address\":\"192.0.2.9\","
	                             "\"port\":5432},\"probe\":true,\"interval_ms\":1000,"
	                             "\"probe_timeout_ms\":3000},\n"));
	assert_non_null(strstr(text, "\n \"window\":{\"counters\":\"delta\",\"ms\":1000,"
	                             "\"error\":null},\n"));
	assert_non_null(strstr(text, "\n \"summary\":{\"critical\":2,\"warning\":1,\"info\":0},\n"));
	assert_non_null(strstr(text, "\"counters\":{\"listen_overflows\":{\"delta\":0,"
	                             "\"native\":\"TcpExtListenOverflows\"},\"listen_drops\":"
	                             "{\"delta\":3,\"native\":\"TcpExtListenDrops\"}}"));
	assert_non_null(strstr(text, "\n  {\"code\":\"no-listener\",\"status\":\"clear\","
	                             "\"notes\":[]},\n"));
	assert_non_null(strstr(text, "\"result\":\"refused\",\"os_error\":0,"
	                             "\"os_error_name\":\"ECONNREFUSED\",\"os_message\":"
	                             "\"Connection refused\""));
	free(text);

	/* the snapshot document carries the findings in both languages */
	memset(&snap, 0, sizeof snap);
	snap.size = sizeof snap;
	snap.backend = "linux-netlink";
	snap.sys = sys;
	{
		struct sink k = {0};
		sockstate_write_opts o = {.size = sizeof o, .format = SOCKSTATE_FORMAT_JSON,
		                          .port = -1, .tcp_counters = &w.c1, .diagnosis = d};

		assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), 0);
		save_json("snapshot-with-findings", k.data);
		assert_non_null(strstr(k.data, "\n \"tcp_counters\":{\"source\":\"test\",\n"));
		assert_non_null(strstr(k.data, "\"text\":{\"en\":{\"headline\":\"The accept queue "
		                               "of 0.0.0.0:8080 is full: 2 connections wait to be "
		                               "accepted, backlog 1\""));
		assert_non_null(strstr(k.data, ",\"es\":{\"headline\":\"La cola de aceptación de "
		                               "0.0.0.0:8080 está llena: 2 conexiones esperan a ser "
		                               "aceptadas, backlog 1\""));
		assert_true(k.len > 2 && strcmp(k.data + k.len - 3, "]}\n") == 0);
		sink_reset(&k);
		/* an older caller's options: neither is written */
		o.size = SOCKSTATE_WRITE_OPTS_FIRST_SIZE;
		assert_int_equal(sockstate_snapshot_write(&snap, &o, sink_write, &k), 0);
		assert_null(strstr(k.data, "findings"));
		assert_null(strstr(k.data, "tcp_counters"));
		sink_reset(&k);
	}
	sockstate_diagnosis_free(d);
}

static void test_writer_arguments(void **unused)
{
	sockstate_diagnosis *d;
	struct sink k = {0};
	sockstate_write_opts o = {.size = sizeof o, .format = SOCKSTATE_FORMAT_CSV, .port = -1};

	(void)unused;
	reset();
	d = decide();
	assert_int_equal(sockstate_diagnosis_write(d, &o, sink_write, &k), SOCKSTATE_EINVAL);
	o.format = SOCKSTATE_FORMAT_PROMETHEUS;
	assert_int_equal(sockstate_diagnosis_write(d, &o, sink_write, &k), SOCKSTATE_EINVAL);
	o.format = SOCKSTATE_FORMAT_JSON;
	assert_int_equal(sockstate_diagnosis_write(NULL, &o, sink_write, &k), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_diagnosis_write(d, NULL, sink_write, &k), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_diagnosis_write(d, &o, NULL, &k), SOCKSTATE_EINVAL);
	assert_int_equal(k.calls, 0);
	k.fail_at = 1;
	k.fail_code = SOCKSTATE_ENOMEM;
	assert_int_equal(sockstate_diagnosis_write(d, &o, sink_write, &k), SOCKSTATE_ENOMEM);
	sink_reset(&k);
	sockstate_diagnosis_free(d);
	sockstate_diagnosis_free(NULL);
}

/* ---- names, parsers, explanations ---- */

static void test_names(void **unused)
{
	sockstate_finding_code c;
	sockstate_severity s;
	sockstate_finding_info info;

	(void)unused;
	for (unsigned i = 0; i < SOCKSTATE_FINDING_COUNT; i++) {
		const char *name = sockstate_finding_name((sockstate_finding_code)i);

		assert_non_null(name);
		assert_int_equal(sockstate_finding_parse(name, &c), 0);
		assert_int_equal(c, i);
		for (int l = 0; l < SOCKSTATE__LANG_COUNT; l++) {
			assert_int_equal(sockstate_finding_describe((sockstate_finding_code)i,
			                                            sockstate__lang_code(l), &info), 0);
			assert_string_equal(info.name, name);
			assert_non_null(info.title);
			assert_non_null(info.meaning);
			assert_non_null(info.whose);
			assert_non_null(info.advice);
			assert_non_null(sockstate__headline((sockstate_finding_code)i, 0, l));
		}
	}
	assert_null(sockstate_finding_name(SOCKSTATE_FINDING_COUNT));
	assert_int_equal(sockstate_finding_parse("Close_Wait Leak", &c), 0);
	assert_int_equal(c, SOCKSTATE_FINDING_CLOSE_WAIT_LEAK);
	assert_int_equal(sockstate_finding_parse("close-wait", &c), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_finding_parse(NULL, &c), SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_finding_describe(SOCKSTATE_FINDING_COUNT, "en", &info),
	                 SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_finding_describe(SOCKSTATE_FINDING_NO_ROUTE, "fr", &info),
	                 SOCKSTATE_EINVAL);
	assert_int_equal(sockstate_finding_describe(SOCKSTATE_FINDING_NO_ROUTE, "es_ES.UTF-8",
	                                            &info), 0);
	assert_string_equal(info.title, "No hay ruta hasta el destino");
	assert_int_equal(sockstate_severity_parse("CRITICAL", &s), 0);
	assert_int_equal(s, SOCKSTATE_SEVERITY_CRITICAL);
	assert_int_equal(sockstate_severity_parse("error", &s), SOCKSTATE_EINVAL);
	assert_string_equal(sockstate_severity_name(SOCKSTATE_SEVERITY_INFO), "info");
	assert_null(sockstate_severity_name((sockstate_severity)0));
	assert_string_equal(sockstate_check_status_name(SOCKSTATE_CHECK_NOT_JUDGED), "not-judged");
	assert_string_equal(sockstate_check_note_name(SOCKSTATE_NOTE_SINCE_BOOT), "since-boot");
	assert_null(sockstate_check_note_name(3));
	assert_string_equal(sockstate_probe_result_name(SOCKSTATE_PROBE_NO_PORT), "no-port");
	assert_null(sockstate_probe_result_name((sockstate_probe_result)7));
	/* every note has its words in both languages */
	for (unsigned n = 0; n < SOCKSTATE_NOTE_COUNT; n++)
		for (int l = 0; l < SOCKSTATE__LANG_COUNT; l++)
			assert_true(strlen(sockstate__word((enum sockstate__word)
			                                   (SOCKSTATE__W_NOTE_FIRST + n), l)) > 0);
}

static void test_endpoint_parse(void **unused)
{
	sockstate_family f = 0;
	sockstate_endpoint ep;
	char text[64];

	(void)unused;
	assert_int_equal(sockstate_endpoint_parse("192.0.2.1:443", &f, &ep), 0);
	assert_int_equal(f, SOCKSTATE_FAMILY_IPV4);
	assert_int_equal(ep.port, 443);
	assert_int_equal(sockstate_endpoint_parse("[::1]:80", &f, &ep), 0);
	assert_int_equal(f, SOCKSTATE_FAMILY_IPV6);
	assert_int_equal(ep.port, 80);
	assert_int_equal(sockstate_endpoint_parse("[fe80::1%2]:22", &f, &ep), 0);
	assert_int_equal(ep.scope_id, 2);
	assert_int_equal(sockstate_endpoint_format(f, &ep, text, sizeof text) > 0, 1);
	assert_int_equal(sockstate_endpoint_parse("192.0.2.1:65536", &f, &ep), SOCKSTATE_ERANGE);
	f = 0;
	for (const char *bad = "db.example.com:5432\0" "192.0.2.1\0" "::1:80\0" "[::1]80\0"
	                       "192.0.2.1:\0" "192.0.2.1:8x\0" "[::1:80\0";
	     *bad; bad += strlen(bad) + 1)
		assert_int_equal(sockstate_endpoint_parse(bad, &f, &ep), SOCKSTATE_EINVAL);
	assert_int_equal(f, 0);
	assert_int_equal(sockstate_endpoint_parse(NULL, &f, &ep), SOCKSTATE_EINVAL);
}

static void test_expand(void **unused)
{
	struct sockstate__text_args a;
	char buf[64];

	(void)unused;
	memset(&a, 0, sizeof a);
	a.count = 1;
	a.remote = "x";
	sockstate__expand("{count} {s:one|many} to {remote} {nope}", &a, buf, sizeof buf);
	assert_string_equal(buf, "1 one to x ?");
	a.count = 2;
	sockstate__expand("{count} {s:one|many}", &a, buf, sizeof buf);
	assert_string_equal(buf, "2 many");
	/* cut, never past the buffer */
	assert_int_equal(sockstate__expand("abcdefghij", &a, buf, 5), 4);
	assert_string_equal(buf, "abcd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_listener),
		cmocka_unit_test(test_listener_not_on_address),
		cmocka_unit_test(test_ipv6_only),
		cmocka_unit_test(test_accept_queue),
		cmocka_unit_test(test_syn_received_pile),
		cmocka_unit_test(test_close_wait_leak),
		cmocka_unit_test(test_syn_sent_unanswered),
		cmocka_unit_test(test_ephemeral_ports_low),
		cmocka_unit_test(test_time_wait_pile),
		cmocka_unit_test(test_retransmissions),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_loopback_destination),
		cmocka_unit_test(test_quiet_host),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_writer_arguments),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_endpoint_parse),
		cmocka_unit_test(test_expand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
