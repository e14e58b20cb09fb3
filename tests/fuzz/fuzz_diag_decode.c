/* fuzz_diag_decode.c - the sock_diag decoder (platform/linux/diag_decode.c)
 * on a whole multi-part dump.
 *
 * Input: the bytes of one dump as diag_io.c captures them (every datagram
 * of one request, concatenated: SOCK_DIAG_BY_FAMILY messages, then
 * NLMSG_DONE), or anything else. Seeds: real captures of the state lab
 * (corpus/diag_decode/lab-*) and constructed edge cases (make_seeds.py).
 *
 * Checked, beyond "no crash, no read outside the buffer":
 *   - every record holds the decoder's invariants (fuzz_common.h);
 *   - the result agrees with itself: records counted = records delivered,
 *     EPARSE comes with a reason and an offset inside the input, a kernel
 *     error with its errno mapped by sockstate__diag_errno_code;
 *   - sockstate__diag_scan, which diag_io.c runs first, accepts whatever
 *     the decoder walks to the end, and never counts fewer messages than
 *     the decoder delivered records;
 *   - the same bytes at an odd address decode to the same records;
 *   - a callback that says stop after k records gets exactly k calls and
 *     its own value back;
 *   - with the sequence number and port of the first message required,
 *     the decoder delivers at most what it delivers when accepting any,
 *     and exactly that when it refuses no message. */
#include <linux/netlink.h>

#include "diag_internal.h"
#include "fuzz_common.h"

/* A digest of the records, to compare two decodes of the same bytes. */
struct tally {
	uint32_t records;
	uint32_t stop_after;     /* 0: never stop */
	uint64_t digest;
};

static int on_record(void *ctx, sockstate_socket *s, uint64_t owner_key)
{
	struct tally *t = ctx;

	fuzz_check_record(s, FUZZ_DECODER_BITS);
	FUZZ_CHECK(owner_key == s->inode);
	t->records++;
	t->digest = fuzz_record_digest(t->digest, s);
	if (t->stop_after && t->records == t->stop_after)
		return 7;
	return 0;
}

static int is_code(int rc)
{
	return rc == SOCKSTATE_EPARSE || rc == SOCKSTATE_EPERM || rc == SOCKSTATE_ENOMEM ||
	       rc == SOCKSTATE_EUNAVAIL || rc == SOCKSTATE_EAGAIN || rc == SOCKSTATE_EIO;
}

static void check_result(int rc, const sockstate__diag_result *res, const struct tally *t,
                         size_t size)
{
	FUZZ_CHECK(res->records == t->records);
	FUZZ_CHECK(rc <= 0 || rc == 7);
	if (rc < 0) {
		FUZZ_CHECK(is_code(rc));
		FUZZ_CHECK(res->why != NULL && res->why[0] != '\0');
		FUZZ_CHECK(res->offset < size);
		if (rc != SOCKSTATE_EPARSE) {
			FUZZ_CHECK(res->os_errno > 0);
			FUZZ_CHECK(rc == sockstate__diag_errno_code(res->os_errno));
			FUZZ_CHECK(res->done);
		}
	}
	if (rc == 0 && !res->done)
		FUZZ_CHECK(res->offset == size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally all = {0}, odd = {0}, stopped = {0}, strict = {0};
	sockstate__diag_result res;
	uint32_t messages = 0;
	uint16_t flags = 0;
	const char *why = NULL;
	int scan_rc, rc, rc2;
	uint8_t *shifted;

	scan_rc = sockstate__diag_scan(data, size, &messages, &flags, &why);
	FUZZ_CHECK(scan_rc == 0 || (scan_rc == SOCKSTATE_EPARSE && why != NULL));

	rc = sockstate__diag_decode(data, size, 0, 0, on_record, &all, &res);
	check_result(rc, &res, &all, size);
	FUZZ_CHECK(rc != 7);
	if (scan_rc == 0)
		FUZZ_CHECK(all.records <= messages);
	/* Whatever the decoder walked to the end, the scan accepts. */
	if (rc == 0 && !res.done)
		FUZZ_CHECK(scan_rc == 0);

	/* The decoder copies every header out: alignment must not matter. */
	shifted = malloc(size + 1);
	if (!shifted)
		abort();
	if (size)
		memcpy(shifted + 1, data, size);
	rc2 = sockstate__diag_decode(shifted + 1, size, 0, 0, on_record, &odd, &res);
	FUZZ_CHECK(rc2 == rc && odd.records == all.records && odd.digest == all.digest);
	free(shifted);

	/* Stop part-way: exactly k records, then the callback's value. */
	if (all.records > 0) {
		stopped.stop_after = all.records > 1 ? 1 + (uint32_t)(size % all.records) : 1;
		rc2 = sockstate__diag_decode(data, size, 0, 0, on_record, &stopped, &res);
		FUZZ_CHECK(rc2 == 7 && stopped.records == stopped.stop_after);
		check_result(rc2, &res, &stopped, size);
	}

	/* Require the first message's seq and port: never more records. */
	if (size >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr nlh;

		memcpy(&nlh, data, sizeof nlh);
		rc2 = sockstate__diag_decode(data, size, nlh.nlmsg_seq, nlh.nlmsg_pid, on_record,
		                             &strict, &res);
		check_result(rc2, &res, &strict, size);
		FUZZ_CHECK(strict.records <= all.records);
		/* No message refused: the same walk as accepting any. */
		if (rc2 == 0)
			FUZZ_CHECK(rc == 0 && strict.records == all.records);
	}
	return 0;
}
