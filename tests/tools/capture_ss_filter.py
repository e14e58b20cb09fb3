#!/usr/bin/env python3
"""Capture tests/fixtures/linux/diag_ss_filter.bin: the four sockets of
iproute2's ss filter test (testsuite/tests/ss/ssfilter.t), made for real
and saved by the library's capture mode.

A developer tool, not run by the suite (the fixture is committed). As
root, with iproute2's `ip` and the Python package built:

    PYTHONPATH=build/python python3 tests/tools/capture_ss_filter.py OUT_DIR

Two network namespaces joined by a veth pair: A (10.0.0.1/24) and B
(10.0.0.2/24). In A: a listener on 0.0.0.0:22 (backlog 128), a
connection to it from 10.0.0.1:36266; from B, one from 10.0.0.2:50312.
Both connections are accepted. Then, in A, one dump of both families in
every default state is captured into OUT_DIR (diag-<pid>-<seq>-both.bin),
and the decoded sockets are printed, one a line, for the .expect. ss
lists the same four in its test's dump:

    LISTEN  0    128    0.0.0.0:22       0.0.0.0:*
    ESTAB   0    0     10.0.0.1:22      10.0.0.1:36266
    ESTAB   0    0     10.0.0.1:36266   10.0.0.1:22
    ESTAB   0    0     10.0.0.1:22      10.0.0.2:50312
"""

import ctypes
import os
import socket
import subprocess
import sys

A, B = "sockstate-ssfilter-a", "sockstate-ssfilter-b"
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    """This thread into the network namespace of fd (os.setns is 3.12+)."""
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")


def ip(*args):
    subprocess.run(["ip", *args], check=True)


def enter(name):
    """This thread into namespace `name`."""
    with open("/run/netns/" + name) as f:
        setns(f.fileno())


def main(out_dir):
    import sockstate

    own = open("/proc/self/ns/net")
    for ns in (A, B):
        ip("netns", "add", ns)
    try:
        ip("link", "add", "veth-a", "netns", A, "type", "veth", "peer", "name", "veth-b",
           "netns", B)
        for ns, dev, addr in ((A, "veth-a", "10.0.0.1/24"), (B, "veth-b", "10.0.0.2/24")):
            ip("-n", ns, "link", "set", "lo", "up")
            ip("-n", ns, "addr", "add", addr, "dev", dev)
            ip("-n", ns, "link", "set", dev, "up")
        enter(A)
        listener = socket.socket()
        listener.bind(("0.0.0.0", 22))
        listener.listen(128)
        local = socket.socket()
        local.bind(("10.0.0.1", 36266))
        local.connect(("10.0.0.1", 22))
        enter(B)
        remote = socket.socket()
        remote.bind(("10.0.0.2", 50312))
        remote.connect(("10.0.0.1", 22))
        enter(A)
        accepted = [listener.accept()[0] for _ in range(2)]
        with sockstate.Handle("linux-netlink", capture_dir=out_dir) as h:
            for c in h.connections():
                print(c.state.value, c.native_state.name, c.laddr, c.raddr, c.rx_queue,
                      c.tx_queue)
        for s in (listener, local, remote, *accepted):
            s.close()
    finally:
        setns(own.fileno())
        for ns in (A, B):
            ip("netns", "del", ns)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: capture_ss_filter.py OUT_DIR")
    main(sys.argv[1])
