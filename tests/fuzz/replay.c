/* replay.c - feed files to a fuzz target without libFuzzer.
 *
 *   fuzz_replay_<target> PATH...
 *
 * Each PATH is a file or a directory (its regular files, in name order,
 * not recursing). Every file is handed to LLVMFuzzerTestOneInput once, in
 * an exactly-sized heap buffer so AddressSanitizer builds catch any read
 * past its end. A target that finds a broken invariant aborts; otherwise
 * this prints how many inputs ran and exits 0. A PATH that does not exist
 * is an error (a missing corpus must not pass quietly); an empty
 * directory is fine (no regressions yet).
 *
 * ctest runs this in every build over tests/fuzz/corpus/<target> and
 * tests/fuzz/regressions/<target>. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"

/* Targets that need no set-up leave this weak default in place. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int run_file(const char *path)
{
	struct stat st;
	uint8_t *data;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* malloc(0) may return NULL: keep one byte, hand over size 0. */
	data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!data) {
		close(fd);
		fprintf(stderr, "replay: %s: out of memory\n", path);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "replay: %s: short read\n", path);
			free(data);
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	LLVMFuzzerTestOneInput(data, got);
	free(data);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns the number of files run, or -1. */
static long run_path(const char *path)
{
	struct stat st;
	DIR *dir;
	struct dirent *d;
	char **names = NULL;
	size_t n = 0, cap = 0;
	long ran = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path) == 0 ? 1 : -1;
	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue; /* ".", "..", and hidden files such as .gitkeep */
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof *names);
			if (!names)
				abort();
		}
		if (asprintf(&names[n], "%s/%s", path, d->d_name) < 0)
			abort();
		n++;
	}
	closedir(dir);
	if (n > 1)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(names[i]) < 0)
				ran = -1;
			else if (ran >= 0)
				ran++;
		}
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	long total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		long ran = run_path(argv[i]);
		if (ran < 0)
			return 1;
		printf("replay: %s: %ld inputs\n", argv[i], ran);
		total += ran;
	}
	printf("replay: %ld inputs, no finding\n", total);
	return 0;
}
