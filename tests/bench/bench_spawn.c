/* bench_spawn.c - run one command and say how long it took and how much
 * memory it peaked at, measured from a parent small enough not to skew it.
 *
 *   bench_spawn CMD [ARGS...]
 *
 * The command's standard input, output and error are /dev/null. Prints
 * one JSON line: the wall seconds from just before the spawn to the
 * child's exit, its CPU seconds (user + system), its peak RSS (wait4's
 * ru_maxrss) and its exit
 * status (128 + N for signal N); exits 0 if the command ran, 1 if it
 * could not be started, 2 on bad usage.
 *
 * Why a program of its own: the kernel starts a process's peak RSS at
 * the peak of the address space it replaces at exec, which for a child of
 * a Python process is the interpreter's (tens of MiB), so wait4 from the
 * runner would report that for every small command. Here it is this
 * program's own (about a MiB), the same for every command measured. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	double t0, wall;
	pid_t pid;
	int status = 0, rc, code;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_spawn CMD [ARGS...]\n");
		return 2;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = now_s();
	rc = posix_spawnp(&pid, argv[1], &fa, NULL, argv + 1, environ);
	if (rc != 0) {
		fprintf(stderr, "bench_spawn: %s: %s\n", argv[1], strerror(rc));
		return 1;
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "bench_spawn: wait4: %s\n", strerror(errno));
			return 1;
		}
	}
	wall = now_s() - t0;
	posix_spawn_file_actions_destroy(&fa);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("{\"wall_s\": %.6f, \"cpu_s\": %.6f, \"maxrss_kib\": %ld, \"status\": %d}\n",
	       wall, (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
	       ru.ru_maxrss, code);
	return 0;
}
