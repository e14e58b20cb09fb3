/* posix_internal.h - what the POSIX platforms (Linux, FreeBSD, macOS)
 * share beyond the seam (backend_internal.h): the probe's connect. */
#ifndef SOCKSTATE_POSIX_INTERNAL_H
#define SOCKSTATE_POSIX_INTERNAL_H

#include "backend_internal.h"

/* diagnose's probe on fd, a new TCP socket of family the platform made
 * (closed here): see sockstate__platform_probe. syn_retransmits, when
 * not NULL, tells how many SYNs the socket sent again (-1 unknown); it
 * is asked once the outcome is known, before the socket is closed.
 * Returns 0 (the outcome is in *out). */
int sockstate__posix_probe(int fd, uint8_t family, const sockstate_endpoint *to,
                           uint32_t timeout_ms, int (*syn_retransmits)(int fd),
                           sockstate_probe *out, char *msg, size_t msglen);

#endif /* SOCKSTATE_POSIX_INTERNAL_H */
