/* pidmap_bpf.c - socket owners from the kernel: bpf/pidmap.bpf.c, loaded
 * once per handle, its task_file iterator read once per query.
 *
 * The program comes as a light skeleton (`bpftool gen skeleton -L`, made
 * at build time into pidmap.lskel.h): a small loader program does the
 * loading inside the kernel, and the kernel applies the CO-RE relocations
 * against its own BTF. That loads in about a millisecond (a libbpf
 * skeleton spends about 8 ms parsing the kernel's BTF in user space) and
 * needs neither libbpf nor libelf at run time, only the bpf() system call;
 * it needs a kernel that relocates for its loaders (5.17 or later).
 * There is no libbpf here to log anything: what a failed load leaves is
 * the errno and the verifier's log, and both go into the reason (or the
 * error detail), never to stderr.
 *
 * The iterator sees every process of the caller's pid namespace without
 * the permission checks /proc makes, so it is used only by a caller that
 * could read every process's descriptors anyway (CAP_SYS_PTRACE), checked
 * on every query: a process may drop privileges after the first load. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/types.h>

#include "pidmap_bpf.h"
#include "bpf/owner_record.h"

/* The generated skeleton does arithmetic on void pointers (a GNU C
 * extension bpftool relies on). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpointer-arith"
#include "pidmap.lskel.h"
#pragma GCC diagnostic pop

/* The inode number of the initial pid namespace (include/linux/proc_ns.h). */
#define INIT_PID_NS_INODE 0xEFFFFFFCu

/* Reads come back at most one seq_file buffer (32 KiB) at a time; a
 * multiple of the record size, so records rarely straddle two reads. */
#define READ_BUF_SIZE (64u * 1024u)
/* Enough of the verifier's log for its last lines, where it says why. */
#define VERIFIER_LOG_SIZE (16u * 1024u)

typedef struct sockstate_bpf_owner owner_record;

/* What a handle keeps between queries, in its platform slot. */
struct bpf_state {
	struct pidmap_bpf *skel;    /* loaded and attached, or NULL */
	int load_failed;            /* not retried on this handle */
	char why_not[200];          /* why the load failed */
	unsigned char *buf;         /* READ_BUF_SIZE */
};

int sockstate__bpf_built(void)
{
	return 1;
}

static void state_release(void *p)
{
	struct bpf_state *s = p;

	if (!s)
		return;
	if (s->skel)
		pidmap_bpf__destroy(s->skel);
	free(s->buf);
	free(s);
}

static struct bpf_state *state_of(sockstate_handle *h)
{
	sockstate__platform_slot *slot = sockstate__handle_platform_slot(h);
	struct bpf_state *s;

	if (slot->state)
		return slot->state;
	s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->buf = malloc(READ_BUF_SIZE);
	if (!s->buf) {
		free(s);
		return NULL;
	}
	slot->state = s;
	slot->release = state_release;
	return s;
}

/* Whether the caller lives in the initial pid namespace, where a task's
 * tgid is already the pid it knows (else the program reads the pid at
 * the caller's level, a little slower). Unknown counts as no. */
static int in_initial_pid_ns(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == INIT_PID_NS_INODE;
}

/* The line of the verifier's log that says why, into out. */
static void verifier_verdict(const char *log, char *out, size_t len)
{
	const char *end = log + strlen(log), *line;

	out[0] = '\0';
	while (end > log) {
		while (end > log && (end[-1] == '\n' || end[-1] == ' '))
			end--;
		for (line = end; line > log && line[-1] != '\n'; line--)
			;
		/* The statistics lines come after the verdict. */
		if (strncmp(line, "processed ", 10) && strncmp(line, "verification time", 17)) {
			snprintf(out, len, "%.*s", (int)(end - line), line);
			return;
		}
		end = line;
	}
}

/* Load once more, with the verifier's log on, to say why it failed. */
static void load_failure_detail(char *out, size_t len)
{
	struct pidmap_bpf *skel = pidmap_bpf__open();
	char *log = calloc(1, VERIFIER_LOG_SIZE);

	out[0] = '\0';
	if (skel && log) {
		skel->rodata->reader_in_initial_pid_ns = in_initial_pid_ns();
		skel->ctx.log_level = 1;
		skel->ctx.log_size = VERIFIER_LOG_SIZE;
		skel->ctx.log_buf = (__u64)(uintptr_t)log;
		if (pidmap_bpf__load(skel) < 0) {
			log[VERIFIER_LOG_SIZE - 1] = '\0';
			verifier_verdict(log, out, len);
		}
	}
	free(log);
	if (skel)
		pidmap_bpf__destroy(skel);
}

static int load(struct bpf_state *s)
{
	struct pidmap_bpf *skel;
	char verdict[128];
	int e;

	skel = pidmap_bpf__open();
	if (!skel || !skel->rodata) {
		if (skel)
			pidmap_bpf__destroy(skel);
		snprintf(s->why_not, sizeof s->why_not, "out of memory");
		return SOCKSTATE_ENOMEM;
	}
	skel->rodata->reader_in_initial_pid_ns = in_initial_pid_ns();
	if (pidmap_bpf__load(skel) == 0 && pidmap_bpf__attach(skel) == 0) {
		s->skel = skel;
		return 0;
	}
	e = errno;
	pidmap_bpf__destroy(skel);
	verdict[0] = '\0';
	if (e != EPERM && e != ENOMEM)
		load_failure_detail(verdict, sizeof verdict);
	snprintf(s->why_not, sizeof s->why_not, "the kernel refused the BPF program: %s%s%s%s",
	         strerror(e), verdict[0] ? " (verifier: " : "", verdict, verdict[0] ? ")" : "");
	s->load_failed = 1;
	return SOCKSTATE_EUNAVAIL;
}

static int add_records(sockstate__owners *map, const unsigned char *buf, size_t len,
                       int32_t *last_named)
{
	for (size_t off = 0; off < len; off += sizeof(owner_record)) {
		owner_record r;

		memcpy(&r, buf + off, sizeof r);
		if (sockstate__owners_add(map, r.inode, r.pid) < 0)
			return SOCKSTATE_ENOMEM;
		/* A process's files come one after another: name it once. */
		if (r.pid != *last_named) {
			char comm[SOCKSTATE_BPF_COMM_LEN + 1];

			memcpy(comm, r.comm, SOCKSTATE_BPF_COMM_LEN);
			comm[SOCKSTATE_BPF_COMM_LEN] = '\0';
			if (sockstate__owners_name(map, r.pid, comm) < 0)
				return SOCKSTATE_ENOMEM;
			*last_named = r.pid;
		}
	}
	return 0;
}

/* One pass of the iterator into map. Returns 0 or a code with a message
 * in why. */
static int iterate(struct bpf_state *s, sockstate__owners *map, char *why, size_t len)
{
	union bpf_attr attr;
	size_t have = 0;
	int32_t last_named = -1;
	int fd, rc = 0;

	memset(&attr, 0, sizeof attr);
	attr.iter_create.link_fd = (__u32)s->skel->links.sockstate_owners_fd;
	fd = (int)syscall(__NR_bpf, BPF_ITER_CREATE, &attr, sizeof attr);
	if (fd < 0) {
		snprintf(why, len, "bpf(BPF_ITER_CREATE): %s", strerror(errno));
		return SOCKSTATE_EIO;
	}
	for (;;) {
		ssize_t n = read(fd, s->buf + have, READ_BUF_SIZE - have);
		size_t whole;

		if (n == 0)
			break;
		if (n < 0) {
			/* EAGAIN: the kernel visited its maximum of objects
			 * in one read without output; the next read goes on. */
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(why, len, "read(BPF iterator): %s", strerror(errno));
			rc = SOCKSTATE_EIO;
			break;
		}
		have += (size_t)n;
		whole = have - have % sizeof(owner_record);
		rc = add_records(map, s->buf, whole, &last_named);
		if (rc < 0) {
			snprintf(why, len, "owner map: out of memory");
			break;
		}
		memmove(s->buf, s->buf + whole, have - whole);
		have -= whole;
	}
	close(fd);
	if (rc == 0 && have != 0) {
		snprintf(why, len, "the BPF iterator ended inside a record");
		rc = SOCKSTATE_EIO;
	}
	if (rc == 0 && sockstate__owners_finish(map) < 0) {
		snprintf(why, len, "owner map: out of memory");
		rc = SOCKSTATE_ENOMEM;
	}
	return rc;
}

/* Not this time: an error when the option insists on bpf, else only the
 * reason, so the caller walks /proc. */
static int unavailable(sockstate_handle *h, int forced, int code, const char *why)
{
	if (forced)
		return sockstate__fail(h, code, "pid source bpf: %s", why);
	sockstate__set_pid_source_reason(h, "%s", why);
	return SOCKSTATE_EUNAVAIL;
}

int sockstate__bpf_owners(sockstate_handle *h, sockstate__owners *map,
                          const char **source)
{
	int forced = !strcmp(sockstate__handle_pid_source_option(h), "bpf");
	const char *missing = sockstate__bpf_missing_rights(1);
	struct bpf_state *s;
	char why[200];
	int rc;

	if (missing)
		return unavailable(h, forced, SOCKSTATE_EPERM, missing);
	s = state_of(h);
	if (!s)
		return unavailable(h, forced, SOCKSTATE_ENOMEM, "out of memory");
	if (!s->skel && !s->load_failed && (rc = load(s)) < 0)
		return unavailable(h, forced, rc, s->why_not);
	if (!s->skel)
		return unavailable(h, forced, SOCKSTATE_EUNAVAIL, s->why_not);
	rc = iterate(s, map, why, sizeof why);
	if (rc < 0)
		return unavailable(h, forced, rc, why);
	sockstate__set_pid_source_reason(h, "%s", forced ? "the pid_source option asks for bpf"
	                                 : "the caller may use BPF and read every process's fds");
	*source = "bpf-iter";
	return 0;
}
