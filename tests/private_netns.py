#!/usr/bin/env python3
"""Run a test command in a network namespace of its own, when it may.

    private_netns.py CMD [ARG...]

Tests that make sockets on loopback and then list them by port must not
meet other tests' sockets: with ctest -j2 two suites run at once, and a
suite's TIME_WAIT sockets outlive it by 60 s. Any of those can carry the
same port number on another address (listeners and clients draw from the
same ephemeral range), so a port filter finds it too. As root, CMD runs
in a fresh network namespace with lo up, where every socket is the
test's own; otherwise (no root, no namespaces) it runs as it is, on the
host's loopback, as before. stdlib only (no iproute2): unshare(2) through
ctypes, lo brought up with SIOCSIFFLAGS. In the namespace made, CMD finds
its inode in SOCKSTATE_PRIVATE_NETNS: a test that changes the namespace's
sysctls or firewall checks it is still there (tests/tracerun.py).
"""

import ctypes
import fcntl
import os
import socket
import struct
import sys

CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
ENV = "SOCKSTATE_PRIVATE_NETNS"


def enter_private_netns():
    """None when entered, else why not."""
    if os.geteuid() != 0:
        return "not root"
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        return "unshare(CLONE_NEWNET): " + os.strerror(ctypes.get_errno())
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(s, SIOCGIFFLAGS, req))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))
    return None


def main(argv):
    if not argv:
        print("usage: private_netns.py CMD [ARG...]", file=sys.stderr)
        return 2
    why = enter_private_netns()
    if why:
        print(f"private_netns: running on the host's loopback ({why})",
              file=sys.stderr)
        os.environ.pop(ENV, None)
    else:
        os.environ[ENV] = str(os.stat("/proc/self/ns/net").st_ino)
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        print(f"private_netns: {argv[0]}: {e.strerror}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
