/* port_range.h - /proc/sys/net/ipv4/ip_local_port_range's text, decoded
 * (port_range_decode.c; the reading is diagnose_linux.c's). */
#ifndef SOCKSTATE_PORT_RANGE_H
#define SOCKSTATE_PORT_RANGE_H

#include <stddef.h>
#include <stdint.h>

/* "FIRST<whitespace>LAST\n": two decimal ports 1-65535, first <= last,
 * nothing else but blanks and one final newline. Returns 0 with *first
 * and *last, or -1 (then they are untouched). */
int sockstate__port_range_decode(const char *buf, size_t len, uint32_t *first, uint32_t *last);

#endif /* SOCKSTATE_PORT_RANGE_H */
