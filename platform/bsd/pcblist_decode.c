/* pcblist_decode.c - what the FreeBSD and macOS decoders share: the
 * xinpgen head/tail framing, endpoints from an inpcb export, and process
 * names from a kinfo_proc array. Pure: no syscalls, no OS headers. */
#include <stdio.h>
#include <string.h>

#include "pcblist_internal.h"

uint64_t sockstate__pcb_u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

uint32_t sockstate__pcb_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

uint16_t sockstate__pcb_u16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

uint64_t sockstate__pcb_len(const unsigned char *p, uint32_t width)
{
	return width == 8 ? sockstate__pcb_u64(p) : sockstate__pcb_u32(p);
}

int sockstate__pcb_frame_find(const void *buf, size_t len,
                              const sockstate__xinpgen_layout *g, const char *what,
                              sockstate__pcb_frame *f, char *detail, size_t dlen)
{
	const unsigned char *p = buf;
	uint64_t head_len, tail_len;

	memset(f, 0, sizeof *f);
	if (len < g->size) {
		snprintf(detail, dlen, "%s: reply of %zu bytes is shorter than its "
		         "xinpgen header (%u bytes)", what, len, g->size);
		return SOCKSTATE_EPARSE;
	}
	head_len = sockstate__pcb_len(p, g->len_size);
	if (head_len != g->size) {
		snprintf(detail, dlen, "%s: xinpgen header declares %llu bytes; this "
		         "build knows %u", what, (unsigned long long)head_len, g->size);
		return SOCKSTATE_EABI;
	}
	f->first = g->size;
	f->head_gen = sockstate__pcb_u64(p + g->gen_off);
	f->tail_gen = f->head_gen;
	if (len == g->size) {
		f->end = len;
		return 0;
	}
	if (len < 2u * (size_t)g->size) {
		snprintf(detail, dlen, "%s: reply of %zu bytes is truncated: no room "
		         "for the trailing xinpgen", what, len);
		return SOCKSTATE_EPARSE;
	}
	f->end = len - g->size;
	tail_len = sockstate__pcb_len(p + f->end, g->len_size);
	if (tail_len != g->size) {
		snprintf(detail, dlen, "%s: trailing xinpgen at offset %zu declares %llu "
		         "bytes, not %u: the reply is truncated or of a layout this "
		         "build does not know", what, f->end, (unsigned long long)tail_len,
		         g->size);
		return SOCKSTATE_EPARSE;
	}
	f->tail_gen = sockstate__pcb_u64(p + f->end + g->gen_off);
	f->has_tail = 1;
	return 0;
}

static int is_link_local(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* KAME keeps a link-local address's zone in bytes 2-3 (network order)
 * inside the kernel; user space sees it there. */
static void take_embedded_scope(sockstate_endpoint *ep)
{
	if (!is_link_local(ep->addr))
		return;
	ep->scope_id = (uint32_t)ep->addr[2] << 8 | ep->addr[3];
	ep->addr[2] = 0;
	ep->addr[3] = 0;
}

static void endpoint_from(sockstate_endpoint *ep, const unsigned char *addr,
                          const unsigned char *port, int ipv6)
{
	if (ipv6) {
		memcpy(ep->addr, addr, 16);
		take_embedded_scope(ep);
	} else {
		memcpy(ep->addr, addr + 12, 4);
	}
	ep->port = (uint16_t)(port[0] << 8 | port[1]);
}

int sockstate__pcb_endpoints(const unsigned char *rec, const sockstate__inpcb_layout *L,
                             sockstate_socket *s)
{
	uint8_t vflag = rec[L->vflag_off];
	int ipv6;

	if (vflag & L->ipv6_flag)
		ipv6 = 1;
	else if (vflag & L->ipv4_flag)
		ipv6 = 0;
	else
		return -1;
	s->family = ipv6 ? SOCKSTATE_FAMILY_IPV6 : SOCKSTATE_FAMILY_IPV4;
	endpoint_from(&s->local, rec + L->laddr_off, rec + L->lport_off, ipv6);
	endpoint_from(&s->remote, rec + L->faddr_off, rec + L->fport_off, ipv6);
	if (ipv6) {
		s->valid |= SOCKSTATE_HAS_V6ONLY;
		if (sockstate__pcb_u32(rec + L->flags_off) & L->v6only_flag)
			s->local.flags |= SOCKSTATE_ENDPOINT_V6ONLY;
	}
	return 0;
}

int sockstate__kproc_names(const void *buf, size_t len, const sockstate__kproc_layout *L,
                           sockstate__owners *map, char *detail, size_t dlen)
{
	const unsigned char *p = buf;

	if (len % L->size != 0) {
		snprintf(detail, dlen, "%s: reply of %zu bytes is not a whole number of "
		         "%u-byte kinfo_proc records", L->sysctl, len, L->size);
		return SOCKSTATE_EABI;
	}
	for (size_t off = 0; off < len; off += L->size) {
		const unsigned char *rec = p + off;
		char name[256];
		size_t n = L->comm_len < sizeof name - 1 ? L->comm_len : sizeof name - 1;
		int32_t pid;
		int rc;

		if (L->size_field_size == 4 && sockstate__pcb_u32(rec) != L->size) {
			snprintf(detail, dlen, "%s: record at offset %zu declares %u bytes; "
			         "this build knows kinfo_proc of %u", L->sysctl, off,
			         sockstate__pcb_u32(rec), L->size);
			return SOCKSTATE_EABI;
		}
		memcpy(&pid, rec + L->pid_off, sizeof pid);
		memcpy(name, rec + L->comm_off, n);
		name[n] = '\0';
		if (pid < 0 || name[0] == '\0')
			continue;
		rc = sockstate__owners_name(map, pid, name);
		if (rc < 0)
			return rc;
	}
	return 0;
}
