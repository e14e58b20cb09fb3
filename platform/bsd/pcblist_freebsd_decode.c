/* pcblist_freebsd_decode.c - FreeBSD's net.inet.tcp.pcblist (one struct
 * xtcpcb per socket) and kern.file (struct xfile per descriptor) to
 * records and owners. Pure: the struct layouts come in as offsets. */
#include <stdio.h>
#include <string.h>

#include "pcblist_internal.h"

/* One xtcpcb to a record; returns what emit returns, or 0 if filtered. */
static int one_xtcpcb(const unsigned char *rec, const sockstate__freebsd_layout *L,
                      sockstate__pcb_sink *sink)
{
	sockstate_socket s;
	sockstate_state state;
	uint64_t so = sockstate__pcb_u64(rec + L->so_off);
	int32_t code;

	sockstate__socket_init(&s);
	if (sockstate__pcb_endpoints(rec, &L->inp, &s) < 0)
		return 0;
	memcpy(&code, rec + L->state_off, sizeof code);
	sockstate__native_state(SOCKSTATE__ORIGIN_BSD, code, &state, &s.native_name);
	s.state = (uint8_t)state;
	s.native_code = code;
	/* Without a socket (a syncache entry, or a connection its process
	 * closed) the xsocket part is zeros, not facts. */
	if (so != 0) {
		s.uid = sockstate__pcb_u32(rec + L->uid_off);
		if (state == SOCKSTATE_LISTEN) {
			s.rx_queue = sockstate__pcb_u32(rec + L->qlen_off);
			s.tx_queue = sockstate__pcb_u32(rec + L->qlimit_off);
		} else {
			s.rx_queue = sockstate__pcb_u32(rec + L->rcv_cc_off);
			s.tx_queue = sockstate__pcb_u32(rec + L->snd_cc_off);
		}
		s.valid |= SOCKSTATE_HAS_UID | SOCKSTATE_HAS_QUEUES;
	}
	if (!(sink->states & SOCKSTATE_STATE_BIT(s.state)) ||
	    !(sink->families & (1u << s.family)))
		return 0;
	return sink->emit(sink->emit_ctx, &s, so);
}

int sockstate__freebsd_pcblist_decode(const void *buf, size_t len,
                                      const sockstate__freebsd_layout *L,
                                      sockstate__pcb_sink *sink)
{
	const unsigned char *p = buf;
	sockstate__pcb_frame f;
	size_t off;
	int rc;

	sink->records = 0;
	sink->detail[0] = '\0';
	rc = sockstate__pcb_frame_find(buf, len, &L->gen, L->sysctl, &f, sink->detail,
	                               sizeof sink->detail);
	if (rc < 0)
		return rc;
	for (off = f.first; off < f.end; off += L->xtcpcb_size) {
		uint64_t xt_len;

		if (f.end - off < 8) {
			snprintf(sink->detail, sizeof sink->detail, "%s: %zu stray bytes at "
			         "offset %zu before the trailing xinpgen", L->sysctl,
			         f.end - off, off);
			return SOCKSTATE_EPARSE;
		}
		xt_len = sockstate__pcb_u64(p + off);
		if (xt_len != L->xtcpcb_size) {
			snprintf(sink->detail, sizeof sink->detail, "%s: record at offset %zu "
			         "declares %llu bytes; this build knows struct xtcpcb of %u "
			         "bytes (FreeBSD 12 and later)", L->sysctl, off,
			         (unsigned long long)xt_len, L->xtcpcb_size);
			return SOCKSTATE_EABI;
		}
		if (f.end - off < L->xtcpcb_size) {
			snprintf(sink->detail, sizeof sink->detail, "%s: record at offset %zu "
			         "is truncated: %zu of %u bytes before the trailing xinpgen",
			         L->sysctl, off, f.end - off, L->xtcpcb_size);
			return SOCKSTATE_EPARSE;
		}
		sink->records++;
		rc = one_xtcpcb(p + off, L, sink);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int sockstate__freebsd_files_decode(const void *buf, size_t len,
                                    const sockstate__xfile_layout *L,
                                    sockstate__owners *map, char *detail, size_t dlen)
{
	const unsigned char *p = buf;

	if (len % L->size != 0) {
		snprintf(detail, dlen, "%s: reply of %zu bytes is not a whole number of "
		         "%u-byte xfile records", L->sysctl, len, L->size);
		return SOCKSTATE_EABI;
	}
	for (size_t off = 0; off < len; off += L->size) {
		const unsigned char *rec = p + off;
		uint64_t size = sockstate__pcb_u64(rec);
		uint64_t data;
		int16_t type;
		int32_t pid;
		int rc;

		if (size != L->size) {
			snprintf(detail, dlen, "%s: record at offset %zu declares %llu bytes; "
			         "this build knows struct xfile of %u", L->sysctl, off,
			         (unsigned long long)size, L->size);
			return SOCKSTATE_EABI;
		}
		memcpy(&type, rec + L->type_off, sizeof type);
		data = sockstate__pcb_u64(rec + L->data_off);
		memcpy(&pid, rec + L->pid_off, sizeof pid);
		if (type != L->dtype_socket || data == 0 || pid < 0)
			continue;
		rc = sockstate__owners_add(map, data, pid);
		if (rc < 0)
			return rc;
	}
	return 0;
}
