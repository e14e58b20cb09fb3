/* outbuf.h - the buffered output the writers share, and the field
 * formats they have in common; never installed. A leaf: it knows no
 * format (writer_internal.h does).
 *
 * Every writer appends into one sockstate__out: a 64 KiB buffer that is
 * handed to the caller's sockstate_write_fn when full and at the end. The
 * first error the sink returns is kept in `err`; from then on every append
 * is a no-op, so a writer appends freely and checks `err` once per record
 * (to stop early) and once at the end (sockstate__out_finish).
 *
 * Speed matters (51k table lines in about 30 ms): numbers are formatted by
 * hand, nothing is allocated, and the hot helpers are inline.
 */
#ifndef SOCKSTATE_OUTBUF_H
#define SOCKSTATE_OUTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sockstate.h"

/* The sink never gets more than this in one call (sockstate.h promises
 * chunks of up to 64 KiB). */
#define SOCKSTATE__OUT_CAP 65536u
/* The most any one helper reserves at once; cap may not be below it. */
#define SOCKSTATE__OUT_RESERVE 64u

typedef struct sockstate__out {
	sockstate_write_fn fn;
	void *ctx;
	int err;        /* first error from fn; sticky */
	size_t len;     /* bytes waiting in buf */
	size_t cap;     /* flush threshold: SOCKSTATE__OUT_CAP, or less in tests
	                   (never below SOCKSTATE__OUT_RESERVE) */
	char buf[SOCKSTATE__OUT_CAP];
} sockstate__out;

/* Start an empty buffer that flushes to fn(ctx, ...). */
void sockstate__out_init(sockstate__out *out, sockstate_write_fn fn, void *ctx);

/* Hand what is buffered to the sink (nothing if empty or failed already).
 * Returns out->err. */
int sockstate__out_flush(sockstate__out *out);

/* Flush and return 0 or the sink's first error. */
int sockstate__out_finish(sockstate__out *out);

/* Room for n (<= SOCKSTATE__OUT_RESERVE) bytes at the end of the buffer,
 * flushing first if needed; NULL once the sink has failed. The caller
 * writes at most n bytes there and adds what it wrote to out->len. */
static inline char *sockstate__out_reserve(sockstate__out *out, size_t n)
{
	if (out->len + n > out->cap && sockstate__out_flush(out) != 0)
		return NULL;
	if (out->err != 0)
		return NULL;
	return out->buf + out->len;
}

static inline void sockstate__out_char(sockstate__out *out, char c)
{
	char *p = sockstate__out_reserve(out, 1);
	if (p != NULL) {
		*p = c;
		out->len++;
	}
}

/* Any number of bytes (split across flushes as needed). */
void sockstate__out_bytes(sockstate__out *out, const char *p, size_t n);

static inline void sockstate__out_str(sockstate__out *out, const char *s)
{
	sockstate__out_bytes(out, s, strlen(s));
}

/* n spaces. */
void sockstate__out_spaces(sockstate__out *out, size_t n);

/* Pad a column: after a field of `used` bytes, spaces up to width, and at
 * least one space so columns never run together. */
static inline void sockstate__out_pad(sockstate__out *out, size_t used, size_t width)
{
	sockstate__out_spaces(out, used < width ? width - used : 1);
}

/* Decimal into buf (at least 20 bytes for u64, 21 for i64), no NUL.
 * Returns the length. */
size_t sockstate__fmt_u64(char *buf, uint64_t v);
size_t sockstate__fmt_i64(char *buf, int64_t v);

/* Decimal numbers, without printf. */
void sockstate__out_u64(sockstate__out *out, uint64_t v);
void sockstate__out_i64(sockstate__out *out, int64_t v);

/* The length of the well-formed UTF-8 sequence at p (1-4), or, if none
 * starts there, minus the length of its maximal ill-formed subpart (the
 * bytes one U+FFFD replaces, as Unicode recommends and Python's
 * decode(errors="replace") does). n > 0. */
int sockstate__utf8_seq(const unsigned char *p, size_t n);

/* s as a JSON string with its quotes, or `null` for NULL. Escapes '"',
 * '\\', every control character (U+0000-U+001F as \b \f \n \r \t or
 * \u00XX, and U+007F as \u007f); each ill-formed UTF-8 subpart becomes
 * \ufffd. Well-formed UTF-8 passes through, so the output is valid UTF-8
 * whatever bytes s holds. */
void sockstate__out_json_str(sockstate__out *out, const char *s);

/* s as one RFC 4180 field: quoted (with '"' doubled) when it holds ',',
 * '"', CR or LF; ill-formed UTF-8 subparts become U+FFFD (EF BF BD). NULL
 * writes nothing (the empty field). */
void sockstate__out_csv_str(sockstate__out *out, const char *s);

/* s for a terminal table cell: well-formed UTF-8 passes through; control
 * characters (C0, DEL, C1) and ill-formed subparts become '?', so one
 * record stays one line and no escape sequence reaches the terminal.
 * Returns the number of columns written (code points). */
size_t sockstate__out_text_str(sockstate__out *out, const char *s);

/* "[addr]:port" (IPv6) or "addr:port" (IPv4) into buf (>= 80 bytes),
 * NUL-ended. Returns the length, or a negative code (bad family). */
int sockstate__fmt_endpoint_port(char *buf, size_t buflen, uint8_t family,
                                 const sockstate_endpoint *ep);

/* Normalized states in the order every writer lists them: CLOSED ...
 * BOUND (the enum order), then UNKNOWN last. */
extern const sockstate_state sockstate__state_order[SOCKSTATE_STATE_COUNT];

/* "ipv4" / "ipv6", or NULL for a bad family. */
const char *sockstate__family_name(uint8_t family);

/* sys->taken_at as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes, NUL
 * written). Returns 20, or 0 when the time is unknown (<= 0) or beyond
 * year 9999. */
size_t sockstate__fmt_iso8601(char *buf, int64_t t);

/* Does any record of snap carry a netns label? (Then the table and CSV
 * gain a netns column and JSON sockets a "netns" key.) */
int sockstate__snapshot_has_netns(const sockstate_snapshot *snap);

#endif /* SOCKSTATE_OUTBUF_H */
