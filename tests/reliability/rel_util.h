/* rel_util.h - what the reliability tests share: a private network
 * namespace, a population of real sockets held in known states, a check
 * that an enumeration reports each of them exactly once in its state, and
 * the process's descriptor count and resident memory.
 *
 * Tests print one line per fact they establish and exit 0 (pass), 1
 * (fail, with the reason on stderr), 2 (usage) or 77 (cannot run here:
 * ctest's SKIP_RETURN_CODE, with the reason on stdout). */
#ifndef SOCKSTATE_REL_UTIL_H
#define SOCKSTATE_REL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "sockstate.h"

#define REL_SKIP 77

/* Print "FAIL: ..." on stderr and exit 1. */
void rel_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Print "SKIP: ..." on stdout and exit 77. */
void rel_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Enter a new network namespace with its loopback up. Returns 1, or 0
 * with *why set when the OS refuses (not root, no namespaces). */
int rel_enter_netns(const char **why);

/* Enter new network, mount and pid namespaces, with a /proc of the new
 * pid namespace mounted: then the owner walk (/proc/<pid>/fd, or the BPF
 * task iterator, which sees the caller's pid namespace) sees this test's
 * processes only, so nothing the rest of the machine does changes what
 * it finds or how much memory it takes. The calling process forks twice:
 * the parent and the new namespace's init wait and exit with the test's
 * status; the test (pid 2 of the new namespace) returns 2. Returns 1 when only a network namespace
 * could be made, 0 (with *why) when none. */
int rel_enter_private_world(const char **why);

/* Set a sysctl of the current network namespace, e.g.
 * ("net/ipv4/tcp_max_tw_buckets", "20000"). Returns 0 or -1. */
int rel_sysctl(const char *name, const char *value);

/* Raise RLIMIT_NOFILE's soft limit to the hard one. */
void rel_raise_nofile(void);

/* Open descriptors of this process, and its resident memory in KiB. */
int rel_fd_count(void);
long rel_rss_kib(void);

/* Monotonic seconds. */
double rel_now(void);

/* One socket the test holds and expects to see. */
typedef struct rel_sock {
	int fd;                    /* -1: not ours to close (e.g. TIME_WAIT) */
	uint8_t family;            /* sockstate_family */
	uint8_t state;             /* the normalized state to expect */
	int owned;                 /* has a descriptor in this process */
	sockstate_endpoint local, remote;
	uint32_t seen;             /* filled by rel_check_* */
} rel_sock;

/* A set of sockets to find in each enumeration. */
typedef struct rel_population {
	rel_sock *v;
	size_t n, cap;
	int32_t pid;               /* getpid() of the holder */
	char comm[64];             /* its /proc/self/comm */
} rel_population;

/* Hold `pairs` ESTABLISHED pairs, `listeners` listeners and `half_closed`
 * FIN_WAIT_2/CLOSE_WAIT pairs, on 127.0.0.1 and, when IPv6 works, ::1
 * (each count per family). Waits until every socket is in its state.
 * Returns 0 or exits through rel_fail. */
void rel_population_make(rel_population *p, unsigned listeners, unsigned pairs,
                         unsigned half_closed);
void rel_population_free(rel_population *p);
/* A copy whose `seen` counts are its own (one per thread); its free
 * closes nothing. */
void rel_population_clone(const rel_population *src, rel_population *dst);

/* What one enumeration saw of the population. */
typedef struct rel_verdict {
	size_t records;            /* records seen in total */
	size_t missing;            /* population sockets not seen */
	size_t repeated;           /* seen more than once */
	size_t wrong_state;        /* seen in another state */
	size_t wrong_owner;        /* with pids: an owned socket whose pid or
	                              process is not ours */
	char first_problem[256];
} rel_verdict;

/* Start counting an enumeration; feed it records; conclude. */
void rel_check_begin(rel_population *p);
void rel_check_record(rel_population *p, const sockstate_socket *s, int with_pids,
                      rel_verdict *v);
void rel_check_end(rel_population *p, rel_verdict *v);

/* A sockstate_foreach callback: ctx is a struct rel_check_ctx. */
struct rel_check_ctx {
	rel_population *p;
	rel_verdict *v;
	int with_pids;
};
int rel_check_cb(const sockstate_socket *s, void *ctx);

/* Whether the verdict is "every socket exactly once, in its state". */
int rel_verdict_ok(const rel_verdict *v);

/* A socket's endpoint from getsockname/getpeername. */
void rel_endpoint_of(int fd, int peer, uint8_t *family, sockstate_endpoint *ep);

#endif /* SOCKSTATE_REL_UTIL_H */
