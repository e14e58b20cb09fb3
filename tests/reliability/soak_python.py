#!/usr/bin/env python3
"""soak_python.py - the soak through the Python package: many enumerations
in one interpreter, nothing leaks, nothing is lost.

    soak_python.py [--rounds N]          (default 10,000)

In a private network namespace when it can make one (root), holds
listeners and ESTABLISHED pairs on 127.0.0.1 and ::1 (the host's
namespace otherwise), then runs N rounds of sockstate.connections()
(streaming into Connection objects), sockstate.snapshot() (the JSON
document as a dict) and sockstate.counts(), owners mapped on odd rounds,
and checks every time that each held socket is there once, in its state,
owned by this process when owners are asked. After a warm-up it records
the open descriptors and resident memory: at the end the descriptors
must be the same and memory may have grown by less than 256 KiB.

Exit 0, 1 (with the first problem), 77 (skip: the package does not
import; the reason is printed). Environment: SOCKSTATE_PYTHONPATH, where
the built package is.
"""

import ctypes
import fcntl
import gc
import os
import socket
import struct
import sys
import time

RSS_GROWTH_MAX_KIB = 256
CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def fail(why):
    print("FAIL: " + why, file=sys.stderr)
    sys.exit(1)


def import_sockstate():
    path = os.environ.get("SOCKSTATE_PYTHONPATH")
    if path:
        sys.path.insert(0, path)
    try:
        import sockstate
    except Exception as exc:  # any import failure is a reason to skip
        skip(f"the Python package sockstate does not import "
             f"(SOCKSTATE_PYTHONPATH={path or 'unset'}): {type(exc).__name__}: {exc}")
    if getattr(sockstate, "Connection", None) is None:
        skip("the sockstate package imports but its C extension (sockstate._core) "
             "is missing")
    return sockstate


def private_netns():
    """unshare(CLONE_NEWNET) and bring lo up; False if refused."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        return False
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifr = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s, SIOCGIFFLAGS, ifr))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))
    return True


def hold_sockets():
    """{(family, laddr, lport, raddr, rport): state} and the sockets."""
    held, keep = {}, []
    for af, host, fam in ((socket.AF_INET, "127.0.0.1", 4), (socket.AF_INET6, "::1", 6)):
        try:
            lst = socket.socket(af, socket.SOCK_STREAM)
            lst.bind((host, 0))
        except OSError:
            continue
        lst.listen(8)
        keep.append(lst)
        lport = lst.getsockname()[1]
        any_addr = "0.0.0.0" if af == socket.AF_INET else "::"
        held[(fam, host, lport, any_addr, 0)] = "LISTEN"
        for _ in range(3):
            c = socket.create_connection((host, lport))
            s, _ = lst.accept()
            keep += [c, s]
            cport = c.getsockname()[1]
            held[(fam, host, cport, host, lport)] = "ESTABLISHED"
            held[(fam, host, lport, host, cport)] = "ESTABLISHED"
    return held, keep


def fd_count():
    return len(os.listdir("/proc/self/fd")) - 1


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def check(what, rnd, seen, held, mypid, procs):
    """seen: list of (key, state, pid) for the held sockets."""
    counts = {}
    for key, state, pid in seen:
        counts[key] = counts.get(key, 0) + 1
        if held[key] != state:
            fail(f"round {rnd}, {what}: {key} is {state}, held as {held[key]}")
        if procs and pid != mypid:
            fail(f"round {rnd}, {what}: {key} owned by {pid}, not {mypid}")
    for key in held:
        if counts.get(key, 0) != 1:
            fail(f"round {rnd}, {what}: {key} listed {counts.get(key, 0)} times")


def main():
    rounds = 10000
    if sys.argv[1:2] == ["--rounds"] and len(sys.argv) > 2:
        rounds = int(sys.argv[2])
    elif sys.argv[1:]:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    sockstate = import_sockstate()
    private = os.geteuid() == 0 and private_netns()
    held, keep = hold_sockets()
    mypid = os.getpid()
    fam_of = {4: 4, 6: 6, "ipv4": 4, "ipv6": 6, socket.AF_INET: 4, socket.AF_INET6: 6}
    warmup = min(50, rounds // 10)
    fd0 = rss0 = 0
    t0 = time.monotonic()
    for rnd in range(rounds + warmup):
        if rnd == warmup:
            gc.collect()
            fd0, rss0, t0 = fd_count(), rss_kib(), time.monotonic()
        procs = bool(rnd & 1)
        conns = sockstate.connections("all", processes=procs)
        seen = []
        for c in conns:
            key = (fam_of[c.family], c.laddr.ip, c.laddr.port, c.raddr.ip, c.raddr.port)
            if key in held:
                seen.append((key, getattr(c.state, "value", c.state), c.pid))
        check("connections", rnd, seen, held, mypid, procs)
        if private and len(conns) != len(held):
            fail(f"round {rnd}: {len(conns)} connections, {len(held)} held")
        del conns, seen

        doc = sockstate.snapshot("all", processes=procs)
        seen = []
        for s in doc["sockets"]:
            key = (4 if s["family"] == "ipv4" else 6, s["local"]["address"],
                   s["local"]["port"], s["remote"]["address"], s["remote"]["port"])
            if key in held:
                seen.append((key, s["state"], s["pid"]))
        check("snapshot", rnd, seen, held, mypid, procs)
        del doc, seen

        counts = sockstate.counts("all")
        for state in ("LISTEN", "ESTABLISHED"):
            want = sum(1 for v in held.values() if v == state)
            got = counts[state]
            if (private and got != want) or got < want:
                fail(f"round {rnd}, counts: {got} {state}, {want} held")
    gc.collect()
    secs = time.monotonic() - t0
    fd1, rss1 = fd_count(), rss_kib()
    print(f"soak (python): {rounds} rounds (connections, snapshot, counts; owners on "
          f"half), {len(held)} sockets each, backend {sockstate.backend()}, "
          f"{'a private' if private else 'the host'} network namespace, {secs:.1f} s "
          f"({3 * rounds / secs:.0f} calls/s)")
    print(f"soak (python): descriptors {fd0} -> {fd1}; resident memory {rss0} KiB -> "
          f"{rss1} KiB ({rss1 - rss0:+d} KiB)")
    if fd1 != fd0:
        fail(f"descriptors: {fd0} after the warm-up, {fd1} at the end")
    if rss1 - rss0 >= RSS_GROWTH_MAX_KIB:
        fail(f"resident memory grew by {rss1 - rss0} KiB (limit {RSS_GROWTH_MAX_KIB})")
    for s in keep:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
