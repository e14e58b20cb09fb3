/* test_pcblist_io.c - the BSD sysctl reader against a scripted sysctl:
 * sizing with headroom, growing while the table outgrows the buffer,
 * reading again while the xinpgen generations differ, giving up with
 * SOCKSTATE_EAGAIN, errno mapping, and the capture option. Runs on any
 * OS: the OS call is injected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcblist_facts.h"

#define PCBLIST "net.inet.tcp.pcblist"

/* What the scripted kernel answers. */
struct fake {
	const sockstate__xinpgen_layout *g;
	int size_err;           /* errno of the size query */
	size_t size;            /* its answer */
	size_t reply_len;       /* head, zeros, tail */
	int enomem_reads;       /* this many reads answer ENOMEM first */
	int read_err;           /* then every read answers this errno */
	int changing;           /* this many replies' generations differ */
	uint32_t head_len;      /* 0: g->size */
	int size_calls, read_calls;
	size_t last_cap;        /* the buffer size of the last read */
};

static void put_len(unsigned char *p, const sockstate__xinpgen_layout *g, uint64_t v)
{
	if (g->len_size == 8) {
		memcpy(p, &v, 8);
	} else {
		uint32_t v32 = (uint32_t)v;
		memcpy(p, &v32, 4);
	}
}

static int fake_sysctl(void *ctx, const char *name, void *buf, size_t *len)
{
	struct fake *f = ctx;
	uint64_t gen;
	unsigned char *p = buf;

	assert_string_equal(name, PCBLIST);
	if (!buf) {
		f->size_calls++;
		*len = f->size;
		return f->size_err;
	}
	f->read_calls++;
	f->last_cap = *len;
	if (f->read_calls <= f->enomem_reads)
		return ENOMEM;
	if (f->read_err)
		return f->read_err;
	assert_true(*len >= f->reply_len);
	memset(p, 0xa5, f->reply_len);
	gen = 100 + (uint64_t)f->read_calls;
	put_len(p, f->g, f->head_len ? f->head_len : f->g->size);
	memcpy(p + f->g->gen_off, &gen, 8);
	if (f->reply_len > f->g->size) {
		unsigned char *tail = p + f->reply_len - f->g->size;

		gen += f->read_calls <= f->changing;
		put_len(tail, f->g, f->g->size);
		memcpy(tail + f->g->gen_off, &gen, 8);
	}
	*len = f->reply_len;
	return 0;
}

static struct fake fake_freebsd(void)
{
	return (struct fake){.g = &fact_freebsd.gen, .size = 10000, .reply_len = 8000};
}

static void test_read_sizes_with_headroom(void **unused)
{
	struct fake f = fake_freebsd();
	sockstate__sysctl_src src = {fake_sysctl, &f};
	sockstate__sysctl_buf b = {0};
	unsigned char *first;

	(void)unused;
	assert_int_equal(sockstate__sysctl_read(NULL, &src, PCBLIST, &b), 0);
	assert_int_equal(f.size_calls, 1);
	assert_int_equal(f.read_calls, 1);
	/* the kernel's size, a quarter more and a page */
	assert_int_equal(b.cap, 10000 + 2500 + 4096);
	assert_int_equal(f.last_cap, b.cap);
	assert_int_equal(b.len, 8000);
	assert_int_equal(b.data[100], 0xa5);

	/* A smaller table next time reuses the buffer as it is. */
	first = b.data;
	f.size = 1000;
	f.reply_len = 900;
	assert_int_equal(sockstate__sysctl_read(NULL, &src, PCBLIST, &b), 0);
	assert_ptr_equal(b.data, first);
	assert_int_equal(b.cap, 16596);
	assert_int_equal(b.len, 900);
	sockstate__sysctl_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.cap, 0);
}

static void test_read_grows_while_table_outgrows(void **unused)
{
	struct fake f = fake_freebsd();
	sockstate__sysctl_src src = {fake_sysctl, &f};
	sockstate__sysctl_buf b = {0};

	(void)unused;
	f.enomem_reads = 2;
	assert_int_equal(sockstate__sysctl_read(NULL, &src, PCBLIST, &b), 0);
	assert_int_equal(f.read_calls, 3);
	assert_int_equal(b.cap, 16596 * 4);
	assert_int_equal(f.last_cap, 16596 * 4);
	assert_int_equal(b.len, 8000);
	sockstate__sysctl_buf_free(&b);

	/* Outgrown on every try: give up, saying so. */
	f = fake_freebsd();
	f.enomem_reads = 1000;
	assert_int_equal(sockstate__sysctl_read(NULL, &src, PCBLIST, &b), SOCKSTATE_EAGAIN);
	assert_int_equal(f.read_calls, SOCKSTATE__SYSCTL_GROW_TRIES);
	assert_int_equal(b.len, 0);
	assert_string_equal(sockstate_errdetail(NULL), "sysctlbyname(net.inet.tcp.pcblist): "
	                    "the table outgrew a 2124288-byte buffer 8 times in a row");
	sockstate__sysctl_buf_free(&b);
}

static void expect_errno(int size_err, int read_err, int code)
{
	struct fake f = fake_freebsd();
	sockstate__sysctl_src src = {fake_sysctl, &f};
	sockstate__sysctl_buf b = {0};
	char want[200];

	f.size_err = size_err;
	f.read_err = read_err;
	assert_int_equal(sockstate__sysctl_read(NULL, &src, PCBLIST, &b), code);
	snprintf(want, sizeof want, "sysctlbyname(net.inet.tcp.pcblist): %s",
	         strerror(size_err ? size_err : read_err));
	assert_string_equal(sockstate_errdetail(NULL), want);
	assert_int_equal(b.len, 0);
	sockstate__sysctl_buf_free(&b);
}

static void test_read_errno_mapping(void **unused)
{
	(void)unused;
	expect_errno(ENOENT, 0, SOCKSTATE_EUNAVAIL);
	expect_errno(EPERM, 0, SOCKSTATE_EPERM);
	expect_errno(EACCES, 0, SOCKSTATE_EPERM);
	expect_errno(EIO, 0, SOCKSTATE_EIO);
	expect_errno(0, EPERM, SOCKSTATE_EPERM);
	expect_errno(0, EINVAL, SOCKSTATE_EIO);
}

static void test_pcblist_retries_while_generation_changes(void **unused)
{
	struct fake f = fake_freebsd();
	sockstate__sysctl_src src = {fake_sysctl, &f};
	sockstate__sysctl_buf b = {0};
	uint64_t head, tail;

	(void)unused;
	f.changing = 2;
	assert_int_equal(sockstate__pcblist_read(NULL, &src, PCBLIST, &fact_freebsd.gen, &b),
	                 0);
	assert_int_equal(f.read_calls, 3);
	assert_int_equal(f.size_calls, 3);
	memcpy(&head, b.data + 16, 8);
	memcpy(&tail, b.data + b.len - 64 + 16, 8);
	assert_true(head == 103 && tail == 103);
	sockstate__sysctl_buf_free(&b);

	/* Never still: SOCKSTATE_EAGAIN after the bounded tries. */
	f = fake_freebsd();
	f.changing = 1000;
	assert_int_equal(sockstate__pcblist_read(NULL, &src, PCBLIST, &fact_freebsd.gen, &b),
	                 SOCKSTATE_EAGAIN);
	assert_int_equal(f.read_calls, SOCKSTATE__PCBLIST_TRIES);
	assert_string_equal(sockstate_errdetail(NULL), "net.inet.tcp.pcblist: the socket table "
	                    "changed during each of 5 reads (last generations 105 and 106)");
	sockstate__sysctl_buf_free(&b);
}

static void test_pcblist_refuses_bad_frames_at_once(void **unused)
{
	struct fake f = fake_freebsd();
	sockstate__sysctl_src src = {fake_sysctl, &f};
	sockstate__sysctl_buf b = {0};

	(void)unused;
	f.head_len = 72;
	assert_int_equal(sockstate__pcblist_read(NULL, &src, PCBLIST, &fact_freebsd.gen, &b),
	                 SOCKSTATE_EABI);
	assert_int_equal(f.read_calls, 1);
	assert_string_equal(sockstate_errdetail(NULL), "net.inet.tcp.pcblist: xinpgen header "
	                    "declares 72 bytes; this build knows 64");
	sockstate__sysctl_buf_free(&b);

	f = fake_freebsd();
	f.reply_len = 40;
	assert_int_equal(sockstate__pcblist_read(NULL, &src, PCBLIST, &fact_freebsd.gen, &b),
	                 SOCKSTATE_EPARSE);
	assert_int_equal(f.read_calls, 1);
	sockstate__sysctl_buf_free(&b);

	/* A read error is returned as it is, not retried. */
	f = fake_freebsd();
	f.read_err = EIO;
	assert_int_equal(sockstate__pcblist_read(NULL, &src, PCBLIST, &fact_freebsd.gen, &b),
	                 SOCKSTATE_EIO);
	assert_int_equal(f.read_calls, 1);
	sockstate__sysctl_buf_free(&b);
}

/* macOS with no PCB writes the head alone: nothing to compare, done. */
static void test_pcblist_head_only(void **unused)
{
	struct fake f = {.g = &fact_macos.gen, .size = 24, .reply_len = 24};
	sockstate__sysctl_src src = {fake_sysctl, &f};
	sockstate__sysctl_buf b = {0};

	(void)unused;
	assert_int_equal(sockstate__pcblist_read(NULL, &src, PCBLIST, &fact_macos.gen, &b), 0);
	assert_int_equal(f.read_calls, 1);
	assert_int_equal(b.len, 24);
	sockstate__sysctl_buf_free(&b);
}

static void test_capture(void **unused)
{
	char dir[] = "/tmp/sockstate-capture-XXXXXX";
	char path[128];
	sockstate_options o = {.size = sizeof o, .capture_dir = dir};
	sockstate_handle *h = NULL, *plain = NULL;
	sockstate__sysctl_buf b = {0};
	unsigned char data[300], back[400];
	FILE *fp;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 7);
	b.data = data;
	b.len = sizeof data;

	/* Without a capture directory nothing is written. */
	assert_int_equal(sockstate_open(&plain, NULL), 0);
	assert_int_equal(sockstate__sysctl_capture(plain, PCBLIST, &b), 0);
	snprintf(path, sizeof path, "%s/%s.bin", dir, PCBLIST);
	assert_int_equal(access(path, F_OK), -1);

	assert_int_equal(sockstate_open(&h, &o), 0);
	assert_int_equal(sockstate__sysctl_capture(h, PCBLIST, &b), 0);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(back, 1, sizeof back, fp), sizeof data);
	fclose(fp);
	assert_memory_equal(back, data, sizeof data);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);

	/* A directory that is gone: the failing call is named. */
	assert_int_equal(sockstate__sysctl_capture(h, PCBLIST, &b), SOCKSTATE_EIO);
	snprintf(path, sizeof path, "capture directory %s: %s", dir, strerror(ENOENT));
	assert_string_equal(sockstate_errdetail(h), path);
	sockstate_close(h);
	sockstate_close(plain);
}

/* The caller may be root and the directory shared: a capture never
 * writes through a link, never over a file, and never into a directory
 * others may write to (links planted there would redirect it). */
static void test_capture_is_never_redirected(void **unused)
{
	char dir[] = "/tmp/sockstate-capture-XXXXXX";
	char path[160], victim[160], want[400];
	sockstate_options o = {.size = sizeof o, .capture_dir = dir};
	sockstate_handle *h = NULL;
	sockstate__sysctl_buf b = {0};
	unsigned char data[16] = "captured bytes!";
	char back[64] = {0};
	FILE *fp;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	b.data = data;
	b.len = sizeof data;
	snprintf(path, sizeof path, "%s/%s.bin", dir, PCBLIST);
	snprintf(victim, sizeof victim, "%s/victim", dir);
	fp = fopen(victim, "w");
	assert_non_null(fp);
	fputs("precious", fp);
	fclose(fp);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(sockstate_open(&h, &o), 0);

	/* A link where the file goes: not followed, not replaced. */
	assert_int_equal(sockstate__sysctl_capture(h, PCBLIST, &b), SOCKSTATE_EIO);
	snprintf(want, sizeof want, "capture file %s/%s.bin: %s", dir, PCBLIST, strerror(EEXIST));
	assert_string_equal(sockstate_errdetail(h), want);
	fp = fopen(victim, "r");
	assert_non_null(fp);
	assert_non_null(fgets(back, sizeof back, fp));
	fclose(fp);
	assert_string_equal(back, "precious");

	/* A directory anyone may write to (sticky or not) is refused. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(sockstate__sysctl_capture(h, PCBLIST, &b), SOCKSTATE_EPERM);
	snprintf(want, sizeof want, "capture directory %s: other users may write to it "
	         "(mode 1777, owner uid %lu); use a directory only you can write to", dir,
	         (unsigned long)geteuid());
	assert_string_equal(sockstate_errdetail(h), want);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(chmod(dir, 0770), 0);
	assert_int_equal(sockstate__sysctl_capture(h, PCBLIST, &b), SOCKSTATE_EPERM);

	/* Only the owner may write: the file is made, once. */
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(sockstate__sysctl_capture(h, PCBLIST, &b), 0);
	assert_int_equal(sockstate__sysctl_capture(h, PCBLIST, &b), SOCKSTATE_EIO);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(unlink(victim), 0);
	assert_int_equal(rmdir(dir), 0);
	sockstate_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_sizes_with_headroom),
		cmocka_unit_test(test_read_grows_while_table_outgrows),
		cmocka_unit_test(test_read_errno_mapping),
		cmocka_unit_test(test_pcblist_retries_while_generation_changes),
		cmocka_unit_test(test_pcblist_refuses_bad_frames_at_once),
		cmocka_unit_test(test_pcblist_head_only),
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_capture_is_never_redirected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
