/* pcblist_macos_decode.c - macOS's net.inet.tcp.pcblist_n: per socket a
 * run of kind-tagged records (xinpcb_n, xsocket_n, xsockbuf_n x2,
 * xsockstat_n, xtcpcb_n), each 8-byte padded, to records. Pure: the
 * struct layouts come in as offsets. */
#include <stdio.h>
#include <string.h>

#include "pcblist_internal.h"

/* The kinds we read, as bits of what one socket has shown so far. */
enum {
	HAVE_INPCB = 1u << 0,
	HAVE_SOCKET = 1u << 1,
	HAVE_RCVBUF = 1u << 2,
	HAVE_SNDBUF = 1u << 3,
	HAVE_TCPCB = 1u << 4
};

/* One socket's records, by kind, as pointers into the reply. */
struct parts {
	unsigned have;
	size_t start;           /* offset of its xinpcb_n, for messages */
	const unsigned char *inpcb, *socket, *rcvbuf, *sndbuf, *tcpcb;
};

struct kind_info {
	unsigned bit;
	uint32_t size;
	const char *name;
};

static int kind_lookup(const sockstate__macos_layout *L, uint32_t kind,
                       struct kind_info *k)
{
	if (kind == L->kind_inpcb)
		*k = (struct kind_info){HAVE_INPCB, L->xinpcb_size, "xinpcb_n"};
	else if (kind == L->kind_socket)
		*k = (struct kind_info){HAVE_SOCKET, L->xsocket_size, "xsocket_n"};
	else if (kind == L->kind_rcvbuf)
		*k = (struct kind_info){HAVE_RCVBUF, L->xsockbuf_size, "xsockbuf_n (receive)"};
	else if (kind == L->kind_sndbuf)
		*k = (struct kind_info){HAVE_SNDBUF, L->xsockbuf_size, "xsockbuf_n (send)"};
	else if (kind == L->kind_tcpcb)
		*k = (struct kind_info){HAVE_TCPCB, L->xtcpcb_size, "xtcpcb_n"};
	else
		return 0;
	return 1;
}

static void parts_put(struct parts *s, unsigned bit, const unsigned char *rec)
{
	s->have |= bit;
	if (bit == HAVE_INPCB)
		s->inpcb = rec;
	else if (bit == HAVE_SOCKET)
		s->socket = rec;
	else if (bit == HAVE_RCVBUF)
		s->rcvbuf = rec;
	else if (bit == HAVE_SNDBUF)
		s->sndbuf = rec;
	else
		s->tcpcb = rec;
}

static uint32_t u16_of(const unsigned char *p)
{
	return sockstate__pcb_u16(p);
}

/* A complete socket to a record and the sink. */
static int one_socket(const struct parts *pt, const sockstate__macos_layout *L,
                      sockstate__pcb_sink *sink)
{
	sockstate_socket s;
	sockstate_state state;
	uint64_t so;
	int32_t code, pid;

	if (!(pt->have & HAVE_SOCKET) || !(pt->have & HAVE_TCPCB)) {
		snprintf(sink->detail, sizeof sink->detail, "%s: socket at offset %zu has "
		         "no %s record", L->sysctl, pt->start,
		         (pt->have & HAVE_SOCKET) ? "xtcpcb_n" : "xsocket_n");
		return SOCKSTATE_EPARSE;
	}
	sink->records++;
	sockstate__socket_init(&s);
	if (sockstate__pcb_endpoints(pt->inpcb, &L->inp, &s) < 0)
		return 0;
	memcpy(&code, pt->tcpcb + L->state_off, sizeof code);
	sockstate__native_state(SOCKSTATE__ORIGIN_BSD, code, &state, &s.native_name);
	s.state = (uint8_t)state;
	s.native_code = code;
	/* No kernel socket: a flow of the user-space stack (Skywalk) or a
	 * PCB whose socket is gone; its xsocket_n holds no uid or queues. */
	so = sockstate__pcb_u64(pt->socket + L->so_off);
	if (so != 0) {
		s.uid = sockstate__pcb_u32(pt->socket + L->uid_off);
		s.valid |= SOCKSTATE_HAS_UID;
		if (state == SOCKSTATE_LISTEN) {
			s.rx_queue = u16_of(pt->socket + L->qlen_off);
			s.tx_queue = u16_of(pt->socket + L->qlimit_off);
			s.valid |= SOCKSTATE_HAS_QUEUES;
		} else if ((pt->have & HAVE_RCVBUF) && (pt->have & HAVE_SNDBUF)) {
			s.rx_queue = sockstate__pcb_u32(pt->rcvbuf + L->sb_cc_off);
			s.tx_queue = sockstate__pcb_u32(pt->sndbuf + L->sb_cc_off);
			s.valid |= SOCKSTATE_HAS_QUEUES;
		}
	}
	memcpy(&pid, pt->socket + L->last_pid_off, sizeof pid);
	if (sink->with_pids && pid > 0) {
		s.pid = pid;
		s.pid_count = 1;
		s.valid |= SOCKSTATE_HAS_PID;
	}
	if (!(sink->states & SOCKSTATE_STATE_BIT(s.state)) ||
	    !(sink->families & (1u << s.family)))
		return 0;
	return sink->emit(sink->emit_ctx, &s, 0);
}

static size_t round8(uint64_t n)
{
	return (size_t)((n + 7u) & ~(uint64_t)7u);
}

int sockstate__macos_pcblist_decode(const void *buf, size_t len,
                                    const sockstate__macos_layout *L,
                                    sockstate__pcb_sink *sink)
{
	const unsigned char *p = buf;
	struct parts cur = {0};
	sockstate__pcb_frame f;
	size_t off;
	int rc;

	sink->records = 0;
	sink->detail[0] = '\0';
	rc = sockstate__pcb_frame_find(buf, len, &L->gen, L->sysctl, &f, sink->detail,
	                               sizeof sink->detail);
	if (rc < 0)
		return rc;
	for (off = round8(f.first); off < f.end;) {
		const unsigned char *rec = p + off;
		struct kind_info k;
		uint32_t rlen, kind;
		size_t step;

		if (f.end - off < 8) {
			snprintf(sink->detail, sizeof sink->detail, "%s: %zu stray bytes at "
			         "offset %zu before the trailing xinpgen", L->sysctl,
			         f.end - off, off);
			return SOCKSTATE_EPARSE;
		}
		rlen = sockstate__pcb_u32(rec);
		kind = sockstate__pcb_u32(rec + 4);
		if (rlen < 8) {
			snprintf(sink->detail, sizeof sink->detail, "%s: record at offset %zu "
			         "declares %u bytes, less than its own header", L->sysctl, off,
			         rlen);
			return SOCKSTATE_EPARSE;
		}
		step = round8(rlen);
		if (step > f.end - off) {
			snprintf(sink->detail, sizeof sink->detail, "%s: record at offset %zu "
			         "(kind 0x%x, %u bytes) is truncated: it runs past the "
			         "trailing xinpgen", L->sysctl, off, kind, rlen);
			return SOCKSTATE_EPARSE;
		}
		if (kind_lookup(L, kind, &k)) {
			if (rlen != k.size) {
				snprintf(sink->detail, sizeof sink->detail, "%s: %s record at "
				         "offset %zu declares %u bytes; this build knows %u "
				         "(macOS 13 and later)", L->sysctl, k.name, off, rlen,
				         k.size);
				return SOCKSTATE_EABI;
			}
			if (k.bit == HAVE_INPCB) {
				if (cur.have && (rc = one_socket(&cur, L, sink)) != 0)
					return rc;
				cur = (struct parts){.start = off};
			} else if (!cur.have) {
				snprintf(sink->detail, sizeof sink->detail, "%s: %s record at "
				         "offset %zu comes before any xinpcb_n", L->sysctl,
				         k.name, off);
				return SOCKSTATE_EPARSE;
			} else if (cur.have & k.bit) {
				snprintf(sink->detail, sizeof sink->detail, "%s: second %s record "
				         "at offset %zu in the socket at offset %zu", L->sysctl,
				         k.name, off, cur.start);
				return SOCKSTATE_EPARSE;
			}
			parts_put(&cur, k.bit, rec);
		}
		off += step;
	}
	if (cur.have)
		return one_socket(&cur, L, sink);
	return 0;
}
