/* tcptable_fetch.c - the grow-and-retry loop around GetExtendedTcpTable,
 * portable: the call itself is a function pointer, so the loop runs in
 * the Linux unit tests against a table that grows between calls.
 *
 * Windows copies the whole table at once into the caller's buffer, so
 * there is no partial read: either it fits, or the call says how much is
 * needed now. The table can grow between that answer and the next call,
 * so the buffer grows with headroom and the call is retried a bounded
 * number of times. The buffer is kept for the next query. */
#include <stdlib.h>

#include "windows_internal.h"

/* Room for sockets that appear between calls. */
#define INITIAL_CAP (64u * 1024u)
#define HEADROOM(need) ((need) / 4 + 4096u)
/* GetExtendedTcpTable takes its size as a DWORD. */
#define DWORD_MAX UINT32_MAX

static int grow(sockstate_handle *h, sockstate__tcptable_buf *b, size_t need)
{
	void *p;

	if (need <= b->cap)
		return 0;
	if (need > (size_t)DWORD_MAX)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "TCP table of %zu bytes: too large",
		                       need);
	p = realloc(b->data, need);
	if (!p)
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "realloc(%zu): out of memory", need);
	b->data = p;
	b->cap = need;
	return 0;
}

int sockstate__tcptable_fill(sockstate_handle *h, unsigned win_family,
                             sockstate__tcptable_buf *b, sockstate__tcptable_get_fn get,
                             void *get_ctx, size_t *len, uint32_t *os_error)
{
	int rc = b->cap ? 0 : grow(h, b, INITIAL_CAP);

	*len = 0;
	*os_error = SOCKSTATE__WIN_NO_ERROR;
	if (rc < 0)
		return rc;
	for (int tries = 0; tries < SOCKSTATE__TCPTABLE_TRIES; tries++) {
		uint32_t size = (uint32_t)b->cap;
		uint32_t err = get(get_ctx, b->data, &size, win_family);

		switch (err) {
		case SOCKSTATE__WIN_NO_ERROR:
			*len = b->cap;
			return 0;
		case SOCKSTATE__WIN_ERROR_INSUFFICIENT_BUFFER:
			rc = grow(h, b, (size_t)size + HEADROOM((size_t)size));
			if (rc < 0)
				return rc;
			continue;
		default:
			*os_error = err;
			return SOCKSTATE_EIO;
		}
	}
	return sockstate__fail(h, SOCKSTATE_EAGAIN,
	                       "GetExtendedTcpTable(%s): the table outgrew the buffer %d times "
	                       "(last %zu bytes)",
	                       win_family == SOCKSTATE__WIN_AF_INET6 ? "AF_INET6" : "AF_INET",
	                       SOCKSTATE__TCPTABLE_TRIES, b->cap);
}
