#!/usr/bin/env python3
"""make_seeds.py - write the constructed seed inputs of tests/fuzz/corpus.

    tests/fuzz/make_seeds.py [--check]

The real captures (corpus/diag_decode/lab-*.bin and corpus/proc_decode/
lab-*.txt, fixture-*.txt) are kept as they were taken (see
docs/RELIABILITY.md, "Seeds"); this script writes everything else from
them and from the formats' definitions, deterministically: the same files
every run. With --check it only says whether the files on disk match
(exit 1 if not), so a stale corpus is noticed.

Python 3 standard library only. Netlink structures are written in this
machine's byte order (netlink is host-endian), network-order fields in
network order.
"""

import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")
DICT = os.path.join(HERE, "dict")

# ---- netlink and inet_diag, as the kernel's uapi headers define them ----
NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN = 1, 2, 3, 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_MULTI, NLM_F_DUMP_INTR = 0x2, 0x10
AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
INET_DIAG_MEMINFO, INET_DIAG_INFO, INET_DIAG_CONG = 1, 2, 4
INET_DIAG_SHUTDOWN = 8
INET_DIAG_NOCOOKIE = 0xFFFFFFFF
NLA_F_NESTED = 0x8000
EPERM, ENOENT, EINTR, ENOBUFS, EACCES = 1, 2, 4, 105, 13
TCP_INFO_NEEDED = 104  # through tcpi_total_retrans
SEQ, PORTID = 7, 0


def align4(b):
    return b + b"\0" * (-len(b) % 4)


def nlmsg(mtype, payload, flags=NLM_F_MULTI, seq=SEQ, pid=PORTID, length=None):
    n = 16 + len(payload) if length is None else length
    return struct.pack("=IHHII", n, mtype, flags, seq, pid) + payload


def nla(atype, payload, length=None):
    n = 4 + len(payload) if length is None else length
    return align4(struct.pack("=HH", n, atype) + payload)


def diag_msg(family=AF_INET, state=1, timer=0, retrans=0, sport=80, dport=40000,
             src=b"\x7f\0\0\x01", dst=b"\x7f\0\0\x02", ifindex=0,
             cookie=(1, 0), expires=0, rqueue=0, wqueue=0, uid=1000, inode=4242):
    src = src.ljust(16, b"\0")
    dst = dst.ljust(16, b"\0")
    return (struct.pack("=BBBB", family, state, timer, retrans)
            + struct.pack(">HH", sport, dport) + src + dst
            + struct.pack("=III", ifindex, cookie[0], cookie[1])
            + struct.pack("=IIIII", expires, rqueue, wqueue, uid, inode))


def tcp_info(length=232, rtt=1500, rttvar=750, cwnd=10, total_retrans=3):
    info = bytearray(max(length, TCP_INFO_NEEDED))
    info[0] = 1  # tcpi_state
    # u32 fields from offset 8: rto .. total_retrans (the 24th)
    for index, value in ((15, rtt), (16, rttvar), (18, cwnd), (23, total_retrans)):
        struct.pack_into("=I", info, 8 + 4 * index, value)
    return bytes(info[:length])


def sock(attrs=b"", flags=NLM_F_MULTI, **kw):
    return nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(**kw) + attrs, flags=flags)


def done(err=0, flags=NLM_F_MULTI):
    return nlmsg(NLMSG_DONE, struct.pack("=i", err), flags=flags)


def error(err, request=b""):
    return nlmsg(NLMSG_ERROR, struct.pack("=i", err) + request, flags=0)


SHUT = nla(INET_DIAG_SHUTDOWN, b"\0")
V6_LOOP = b"\0" * 15 + b"\1"
V6_LINK = b"\xfe\x80" + b"\0" * 13 + b"\1"
V6_MAPPED = b"\0" * 10 + b"\xff\xff" + b"\x7f\0\0\x01"

DIAG_DECODE = {
    "empty.bin": b"",
    "done-only.bin": done(),
    "done-no-payload.bin": nlmsg(NLMSG_DONE, b""),
    "done-eperm.bin": done(-EPERM),
    "done-positive-error.bin": done(5),
    "done-int-min.bin": done(-2**31),
    "ack.bin": error(0),
    "error-enoent.bin": error(-ENOENT),
    "error-eacces.bin": error(-EACCES),
    "error-ebusy-enobufs.bin": error(-ENOBUFS),
    "error-int-min.bin": error(-2**31),
    "error-short.bin": nlmsg(NLMSG_ERROR, b"\x01\x02", flags=0),
    "truncated-header.bin": done()[:10],
    "len-below-header.bin": nlmsg(NLMSG_DONE, b"\0" * 4, length=8),
    "len-past-end.bin": nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(), length=4096),
    "len-zero.bin": nlmsg(NLMSG_DONE, b"", length=0),
    "one-ipv4.bin": sock(SHUT) + done(),
    "one-ipv4-no-attrs.bin": sock() + done(),
    "one-ipv4-unpadded-last.bin": sock(SHUT)[:-3] + b"",
    "ipv6-loopback.bin": sock(SHUT, family=AF_INET6, src=V6_LOOP, dst=V6_LOOP) + done(),
    "ipv6-link-local.bin": sock(SHUT, family=AF_INET6, src=V6_LINK, dst=V6_LINK,
                                ifindex=1) + done(),
    "ipv6-mapped.bin": sock(SHUT, family=AF_INET6, src=V6_MAPPED, dst=V6_MAPPED) + done(),
    "family-unix.bin": sock(family=AF_UNIX) + done(),
    "family-zero.bin": sock(family=0) + done(),
    "short-diag-msg.bin": nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg()[:40]) + done(),
    "attr-truncated-header.bin": sock(b"\x08\x00") + done(),
    "attr-len-below-header.bin": sock(struct.pack("=HH", 2, INET_DIAG_SHUTDOWN)) + done(),
    "attr-past-end.bin": sock(struct.pack("=HH", 200, INET_DIAG_INFO) + b"\0" * 8) + done(),
    "shutdown-empty.bin": sock(nla(INET_DIAG_SHUTDOWN, b"")) + done(),
    "info-short-old-kernel.bin": sock(SHUT + nla(INET_DIAG_INFO, tcp_info(length=92))) + done(),
    "info-exact.bin": sock(SHUT + nla(INET_DIAG_INFO, tcp_info(length=TCP_INFO_NEEDED))) + done(),
    "info-full.bin": sock(SHUT + nla(INET_DIAG_INFO, tcp_info())) + done(),
    "info-huge.bin": sock(SHUT + nla(INET_DIAG_INFO, tcp_info(length=600))) + done(),
    "info-nested-flag.bin": sock(nla(INET_DIAG_INFO | NLA_F_NESTED, tcp_info())) + done(),
    "attrs-unknown-and-cong.bin": sock(SHUT + nla(INET_DIAG_CONG, b"cubic\0")
                                       + nla(99, b"xyz") + nla(INET_DIAG_MEMINFO, b"\0" * 16))
                                  + done(),
    "noop-overrun.bin": nlmsg(NLMSG_NOOP, b"") + nlmsg(NLMSG_OVERRUN, b"") + sock(SHUT) + done(),
    "unknown-type.bin": nlmsg(0x1234, b"abcd") + done(),
    "no-cookie.bin": sock(SHUT, cookie=(INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE)) + done(),
    "cookie-zero.bin": sock(SHUT, cookie=(0, 0)) + sock(SHUT, cookie=(0, 0)) + done(),
    "repeat-cookie.bin": sock(SHUT, cookie=(9, 9)) + sock(SHUT, cookie=(9, 9)) + done(),
    "timer-5.bin": sock(SHUT, timer=5, retrans=9, expires=123456) + done(),
    "timewait-no-shutdown.bin": sock(state=6, timer=3, uid=0, inode=0) + done(),
    "request-sock.bin": sock(state=3, timer=1, retrans=2, uid=0, inode=0) + done(),
    "bound-inactive.bin": sock(SHUT, state=7, dport=0, dst=b"") + done(),
    "state-0.bin": sock(SHUT, state=0) + done(),
    "state-12-new-syn-recv.bin": sock(state=12) + done(),
    "state-13.bin": sock(SHUT, state=13) + done(),
    "state-14.bin": sock(SHUT, state=14) + done(),
    "state-255.bin": sock(SHUT, state=255) + done(),
    "all-ones.bin": sock(SHUT, state=10, timer=4, retrans=255, sport=65535, dport=65535,
                         src=b"\xff" * 16, dst=b"\xff" * 16, family=AF_INET6,
                         ifindex=0xFFFFFFFF, cookie=(0xFFFFFFFE, 0xFFFFFFFF),
                         expires=0xFFFFFFFF, rqueue=0xFFFFFFFF, wqueue=0xFFFFFFFF,
                         uid=0xFFFFFFFF, inode=0xFFFFFFFF) + done(),
    "dump-intr.bin": sock(SHUT, flags=NLM_F_MULTI | NLM_F_DUMP_INTR) + done(),
    "other-seq.bin": sock(SHUT) + nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(), seq=99) + done(),
    "other-port.bin": sock(SHUT) + nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(), pid=77) + done(),
    "seq-zero.bin": nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg() + SHUT, seq=0) + done(),
    "after-done-garbage.bin": sock(SHUT) + done() + b"\xde\xad\xbe\xef" * 5,
    "two-dumps.bin": sock(SHUT) + done() + sock(SHUT, sport=81) + done(),
    "error-after-records.bin": sock(SHUT) + sock(SHUT, sport=81) + error(-EINTR),
}


def lab(name):
    with open(os.path.join(CORPUS, "diag_decode", name), "rb") as f:
        return f.read()


def messages(data):
    """Split a capture into its netlink messages (whole, aligned)."""
    out, off = [], 0
    while off + 16 <= len(data):
        n = struct.unpack_from("=I", data, off)[0]
        if n < 16 or off + n > len(data):
            break
        step = (n + 3) & ~3
        out.append(data[off:off + step])
        off += step
    return out


def datagrams(msgs, size):
    """Messages into datagrams of at most size bytes, as a kernel with a
    smaller buffer would send them."""
    out, cur = [], b""
    for m in msgs:
        if cur and len(cur) + len(m) > size:
            out.append(cur)
            cur = b""
        cur += m
    if cur:
        out.append(cur)
    return out


# fuzz_diag_dump script operations
OP_DGRAM, OP_STAMPED, OP_EINTR, OP_ENOBUFS, OP_ERRNO, OP_FOREIGN, OP_TOOBIG, OP_SENDFAIL = range(8)


def op_dgram(data, op=OP_STAMPED):
    return bytes([op]) + struct.pack("<H", len(data)) + data


def script(first, *ops):
    return bytes([first]) + b"".join(ops)


def diag_dump_seeds():
    msgs = messages(lab("lab-all-ipv4.bin"))
    msgs6 = messages(lab("lab-info-ipv6.bin"))
    grams = [op_dgram(g) for g in datagrams(msgs, 1024)]
    grams6 = [op_dgram(g) for g in datagrams(msgs6, 2048)]
    intr = bytearray(datagrams(msgs, 1024)[0])
    struct.pack_into("=H", intr, 6, struct.unpack_from("=H", intr, 6)[0] | NLM_F_DUMP_INTR)
    return {
        "lab-ipv4-1k-datagrams": script(0, *grams),
        "lab-ipv6-info-2k-datagrams": script(3, *grams6),
        "lab-ipv4-stop-after-5": script(5 << 2, *grams),
        "lab-ipv4-eintr-each": script(0, *[bytes([OP_EINTR]) + g for g in grams]),
        "enobufs-first-restarts": script(0, bytes([OP_ENOBUFS]), *grams),
        "enobufs-after-records": script(0, grams[0], bytes([OP_ENOBUFS]), *grams),
        "enobufs-always": script(0, *([bytes([OP_ENOBUFS])] * 6)),
        "dump-intr-first-restarts": script(0, op_dgram(bytes(intr)), *grams),
        "dump-intr-after-records": script(0, grams[0], op_dgram(bytes(intr)), *grams),
        "foreign-sender-ignored": script(0, op_dgram(sock(SHUT), OP_FOREIGN), *grams),
        "too-big": script(0, bytes([OP_TOOBIG]), *grams),
        "errno-eperm": script(0, bytes([OP_ERRNO, EPERM])),
        "send-eintr": script(0, bytes([OP_SENDFAIL, EINTR]), *grams),
        "send-eperm": script(0, bytes([OP_SENDFAIL, EPERM]), *grams),
        "repeat-across-datagrams": script(0, op_dgram(sock(SHUT, cookie=(5, 0))),
                                          op_dgram(sock(SHUT, cookie=(5, 0))),
                                          op_dgram(sock(SHUT, cookie=(6, 0))),
                                          op_dgram(sock(SHUT, cookie=(7, 0))),
                                          op_dgram(sock(SHUT, cookie=(5, 0)))),
        "unstamped-other-seq": script(0, op_dgram(sock(SHUT), OP_DGRAM)),
        "garbage-datagram": script(0, op_dgram(b"\x05\0\0\0garbage", OP_DGRAM)),
        "kernel-error": script(0, op_dgram(error(-ENOENT))),
        "done-error": script(0, grams[0], op_dgram(done(-EINTR))),
    }


# ---- /proc/net/tcp{,6} ----
H4 = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
      "retrnsmt   uid  timeout inode")
H6 = ("  sl  local_address                         remote_address                        "
      "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode")
L4 = ("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
      "     0        0 35089 1 000000000152840e 100 0 0 10 0")
L4TW = ("   1: 0100007F:9C40 0200007F:1F90 06 00000000:00000000 03:00001770 00000000"
        "     0        0 0 3 0000000000000000")
L6 = ("   0: 00000000000000000000000001000000:232E 00000000000000000000000000000000:0000"
      " 0A 00000000:00000000 00:00000000 00000000     0        0 35114 1 "
      "00000000d85e04e4 100 0 0 10 0")

PROC = {
    "empty.txt": "",
    "header-only-ipv4.txt": H4.ljust(149) + "\n",
    "header-only-ipv6.txt": H6 + "\n",
    "header-no-newline.txt": H4,
    "one-ipv4.txt": H4 + "\n" + L4 + "\n",
    "one-ipv6.txt": H6 + "\n" + L6 + "\n",
    "timewait-ipv4.txt": H4 + "\n" + L4TW + "\n",
    "no-final-newline.txt": H4 + "\n" + L4,
    "crlf.txt": H4 + "\r\n" + L4 + "\r\n",
    "tabs.txt": H4 + "\n" + L4.replace(" ", "\t") + "\n",
    "lowercase-hex.txt": H4 + "\n" + L4.replace("0100007F:1F90", "0100007f:1f90") + "\n",
    "short-address.txt": H4 + "\n" + L4.replace("0100007F:1F90", "100007F:1F90") + "\n",
    "ipv6-line-in-ipv4.txt": H4 + "\n" + L6 + "\n",
    "state-00.txt": H4 + "\n" + L4.replace(" 0A ", " 00 ") + "\n",
    "state-FF.txt": H4 + "\n" + L4.replace(" 0A ", " FF ") + "\n",
    "state-one-digit.txt": H4 + "\n" + L4.replace(" 0A ", " A ") + "\n",
    "timer-5.txt": H4 + "\n" + L4.replace(" 00:00000000 ", " 05:00000000 ") + "\n",
    "when-huge.txt": H4 + "\n" + L4.replace(" 00:00000000 ", " 01:FFFFFFFFFFFFFFFF ") + "\n",
    "when-33-bits.txt": H4 + "\n" + L4.replace(" 00:00000000 ", " 01:100000000 ") + "\n",
    "retrans-256.txt": H4 + "\n" + L4.replace(" 00000000     0 ", " 00000100     0 ") + "\n",
    "uid-2-32.txt": H4 + "\n" + L4.replace("     0        0 35089", " 4294967296        0 35089") + "\n",
    "timeout-negative.txt": H4 + "\n" + L4.replace("     0        0 35089", "     0       -1 35089") + "\n",
    "timeout-minus-only.txt": H4 + "\n" + L4.replace("     0        0 35089", "     0        - 35089") + "\n",
    "inode-2-64.txt": H4 + "\n" + L4.replace(" 35089 ", " 18446744073709551616 ") + "\n",
    "inode-max.txt": H4 + "\n" + L4.replace(" 35089 ", " 18446744073709551615 ") + "\n",
    "truncated-after-uid.txt": H4 + "\n" + L4[:L4.index(" 35089") - 9] + "\n",
    "missing-colon.txt": H4 + "\n" + L4.replace("   0: ", "   0  ") + "\n",
    "queue-9-digits.txt": H4 + "\n" + L4.replace("00000000:00000000", "100000000:00000000") + "\n",
    "blank-line.txt": H4 + "\n\n" + L4 + "\n",
    "nul-byte.txt": H4 + "\n" + L4.replace("0A", "0\0") + "\n",
    "long-line.txt": H4 + "\n" + L4 + " " * 400 + "\n",
    "many-lines.txt": H4 + "\n" + "".join(L4.replace("   0:", "%4d:" % i) + "\n"
                                          for i in range(40)),
    "wrong-header.txt": H6 + "\n" + L4 + "\n",
    "header-padded-tabs.txt": H4 + "\t\t\n" + L4 + "\n",
}

# ---- state names ----


def spellings():
    with open(os.path.join(ROOT, "libsockstate", "src", "state_names.c")) as f:
        return sorted(set(re.findall(r'ROW\("([^"]*)"', f.read())))


def state_seeds():
    names = spellings()
    seeds = {"name-%02d" % i: s for i, s in enumerate(names)}
    extra = [
        "", "all", "ALL", "All", "estab,listen", "ESTAB,,LISTEN", ",", "LISTEN,",
        ",LISTEN", "syn recv", "Syn-Recv", "syn__recv", "-LISTEN", "LISTEN-",
        "0x0a", "0X0A", "0a", "a", "0x0", "0-A", "NONE", "IDLE", "CONN_ESTABLISHED",
        "MIB_TCP_STATE_SYN_RCVD", "SynReceived", "FIN_WAIT1", "fin wait 1",
        "all,BOUND", "LISTEN,all,TIME-WAIT", "é", "LISTEN\x00ESTAB", "L" * 100,
        "es", "es_ES.UTF-8", "en", "", "pid", "json", "prometheus",
    ]
    for i, s in enumerate(extra):
        seeds["edge-%02d" % i] = s
    return {k: v.encode("utf-8") for k, v in seeds.items()}


KEYS = ["state", "port", "sport", "dport", "addr", "saddr", "daddr", "pid", "uid", "family"]
QUERY_VALUES = {
    "state": ["ESTAB", "all", "LISTEN,TIME-WAIT", "", "BOGUS"],
    "port": ["0", "80", "65535", "65536", "-1", "+1", " 80", "080", "1x", "",
             "99999999999999999999999"],
    "sport": ["22"], "dport": ["443"],
    "addr": ["127.0.0.1", "10.0.0.0/8", "0.0.0.0/0", "::1", "::", "[::1]", "[fe80::1]/64",
             "::ffff:192.0.2.1", "::ffff:192.0.2.1/104", "1:2:3:4:5:6:7:8", "1::8",
             "1:2:3:4:5:6:1.2.3.4", "1.2.3", "1.2.3.4.5", "010.0.0.1", "256.1.1.1",
             "1.2.3.4/", "1.2.3.4/33", "::/129", "::1::2", ":1", "1:", "[1.2.3.4]",
             "[::1", "fe80::1%eth0", "12345::", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3",
             "2001:db8::/32", "1.2.3.4/08", "/24", "[]", "1.2.3.4/1/2", "::1.2.3.4"],
    "saddr": ["192.0.2.1"], "daddr": ["2001:db8::1/128"],
    "pid": ["1", "0", "2147483647", "2147483648", "-5", "abc"],
    "uid": ["0", "4294967294", "4294967295", "root"],
    "family": ["4", "6", "ipv4", "ipv6", "inet", "inet6", "all", "any", "IPv4", "5", ""],
}


def query_seeds():
    seeds = {}
    for key, values in QUERY_VALUES.items():
        k = KEYS.index(key)
        for i, v in enumerate(values):
            seeds["%s-%02d" % (key, i)] = bytes([k]) + v.encode("utf-8")
            if i == 0:
                seeds["%s-prior" % key] = bytes([k | 0x80]) + v.encode("utf-8")
    # a key of its own: byte 0 % 11 == 10
    for i, kv in enumerate(["bogus=1", "port=80", "=x", "noequals", "state="]):
        seeds["own-key-%02d" % i] = bytes([10]) + kv.encode("utf-8")
    return seeds


# ---- writers: see fuzz_writers.c for the layout ----


def w_str(s):
    return bytes([len(s)]) + s


def w_record(kind=0x20, valid=0xffff, family=1, state=5, code=9, addr=b"\x7f\0\0\1",
             port=80, process=b"nginx", netns=b"", pids=(1234,), uid=0, inode=99, zone=b""):
    rec = bytes([kind]) + struct.pack(">H", valid) + bytes([family, state, code])
    for _ in range(2):
        rec += addr.ljust(16, b"\0") + struct.pack(">H", port)
        if kind & 0x80:
            rec += b"\1"
    rec += struct.pack(">i", pids[0] if pids else -1) + bytes([len(pids)])
    rec += b"".join(struct.pack(">i", p) for p in pids)
    rec += w_str(process) + w_str(netns) + w_str(zone)
    rec += struct.pack(">qQII", uid, inode, 1, 2)
    return rec


def w_input(opt=0x40, fail=0, port=-1, records=(), facts=(b"web-1", b"Linux", b"6.1", b"#1", b"x86_64"),
            taken_at=1764000000, flags=1, group_keys=0x02, top=0):
    data = bytes([opt, fail]) + struct.pack(">h", port) + bytes([len(records)])
    data += b"".join(records) + bytes([flags])
    data += b"".join(w_str(f) for f in facts) + struct.pack(">q", taken_at)
    data += bytes([group_keys, top])
    return data


def writer_seeds():
    nasty = b'a,b"c\nd\re\x01\x7f\xc2\x80\xff\xfe\xed\xa0\x80\xf0\x9f\x98\x80\\'
    return {
        "empty": b"",
        "no-records-json": w_input(opt=0x41),
        "one-record": w_input(records=[w_record()]),
        "one-record-pids": w_input(opt=0xC2, records=[w_record(kind=0x60, pids=(5, 6, 7))]),
        "nasty-process": w_input(opt=0x42, records=[w_record(kind=0x70, process=nasty, netns=nasty)]),
        "nasty-facts": w_input(facts=(nasty, nasty, nasty, nasty, nasty)),
        "ipv6-zone": w_input(records=[w_record(kind=0xA0, family=2, addr=b"\xfe\x80" + b"\0" * 13 + b"\1")]),
        "bad-family": w_input(records=[w_record(family=3)]),
        "bad-state": w_input(records=[w_record(state=15)]),
        "port-series": w_input(port=80, records=[w_record(), w_record(port=81)]),
        "port-out-of-range": w_input(port=-2, records=[w_record()]),
        "taken-at-min": w_input(taken_at=-2**63),
        "taken-at-max": w_input(taken_at=2**63 - 1),
        "taken-at-year-10000": w_input(taken_at=253402300800),
        "taken-at-minus-1": w_input(taken_at=-1),
        "failing-sink": w_input(fail=1, records=[w_record()] * 8),
        "eight-records": w_input(opt=0x43, records=[w_record(state=s % 14) for s in range(8)]),
        # An interface named with ESC and BEL, a process whose name sets
        # the clipboard (OSC 52) and starts as a formula, a C1 CSI.
        "hostile-zone": w_input(opt=0x62, group_keys=0x0f, records=[
            w_record(kind=0xA8, family=2, addr=b"\xfe\x80" + b"\0" * 13 + b"\1",
                     zone=b"e\x1b]0;x\x07", process=b"=\x1b]52;c;aGk=\x07\xc2\x9b")]),
        "groups-top": w_input(opt=0x41, group_keys=0x09, top=2,
                              records=[w_record(port=p, process=b"@p%d" % (p % 3))
                                       for p in range(80, 86)]),
    }


# ---- Windows GetExtendedTcpTable (fuzz_tcptable_decode.c) ----

MIB = {"CLOSED": 1, "LISTEN": 2, "SYN_SENT": 3, "SYN_RCVD": 4, "ESTAB": 5, "FIN_WAIT1": 6,
       "FIN_WAIT2": 7, "CLOSE_WAIT": 8, "CLOSING": 9, "LAST_ACK": 10, "TIME_WAIT": 11,
       "DELETE_TCB": 12}


def win_port(p, junk=0):
    return struct.pack(">H", p) + struct.pack("<H", junk)


def row4(state, laddr=b"\x7f\0\0\x01", lport=80, raddr=b"\x7f\0\0\x01", rport=50000,
         pid=4242, junk=0):
    return (struct.pack("<I", state) + laddr + win_port(lport, junk) + raddr
            + win_port(rport, junk) + struct.pack("<I", pid))


def row6(state, laddr=V6_LOOP, lscope=0, lport=80, raddr=V6_LOOP, rscope=0, rport=50000,
         pid=4242):
    return (laddr + struct.pack("<I", lscope) + win_port(lport) + raddr
            + struct.pack("<I", rscope) + win_port(rport) + struct.pack("<II", state, pid))


def table(rows, count=None):
    return struct.pack("<I", len(rows) if count is None else count) + b"".join(rows)


def tcptable_seeds():
    every4 = [row4(code, lport=1000 + code) for code in MIB.values()]
    every6 = [row6(code, lport=1000 + code) for code in MIB.values()]
    return {
        "empty-buffer": b"\x00",
        "zero-rows-v4": b"\x02" + table([]),
        "every-state-v4-pids": b"\x02" + table(every4),
        "every-state-v6-pids": b"\x03" + table(every6),
        "every-state-v4-default-filter": b"\x06" + table(every4),
        "listen-only-filter-v6": b"\x0b" + table(every6),
        "unknown-states": b"\x02" + table([row4(0), row4(13), row4(100), row4(0xFFFFFFFF)]),
        "port-junk-high-bits": b"\x02" + table([row4(5, junk=0xBEEF)]),
        "listener-with-peer-junk": b"\x02" + table([row4(2, raddr=b"\x01\x02\x03\x04", rport=7)]),
        "pid-0-and-huge": b"\x02" + table([row4(5, pid=0), row4(5, pid=0x80000000)]),
        "wine-v6-zones": b"\x03" + table([row6(5, lscope=0x1000, rscope=0xFFFFFFFF),
                                          row6(5, laddr=b"\xfe\x80" + b"\0" * 13 + b"\1",
                                               lscope=7)]),
        "count-too-big": b"\x02" + table([row4(5)], count=2),
        "count-huge": b"\x03" + table([row6(5)], count=0xFFFFFFFF),
        "trailing-bytes": b"\x02" + table([row4(5)]) + b"\xAA" * 23,
        "short-header": b"\x02\x01\x00",
    }


# ---- BSD pcblists (fuzz_pcblist_*.c), from tests/bsd/pcblist_facts.h ----

def put(buf, off, fmt, value):
    struct.pack_into("=" + fmt, buf, off, value)


def v4in16(addr):
    return b"\0" * 12 + addr


def fbsd_gen(gen):
    b = bytearray(64)
    put(b, 0, "Q", 64)
    put(b, 16, "Q", gen)
    return bytes(b)


def fbsd_rec(state=4, vflag=1, lport=80, fport=50000, laddr=v4in16(b"\x7f\0\0\x01"),
             faddr=v4in16(b"\x7f\0\0\x01"), so=0xfffff80001234000, uid=1001, size=744):
    b = bytearray(744)
    put(b, 0, "Q", size)
    b[400] = vflag
    struct.pack_into(">H", b, 262, lport)
    struct.pack_into(">H", b, 260, fport)
    b[280:296] = laddr
    b[264:280] = faddr
    put(b, 568, "i", state)
    put(b, 24, "Q", so)
    put(b, 136, "I", uid)
    put(b, 120, "I", 1)
    put(b, 128, "I", 128)
    put(b, 184, "I", 10)
    put(b, 220, "I", 20)
    return bytes(b)


def fbsd_xfile(pid=700, ftype=2, data=0xfffff80001234000, size=128):
    b = bytearray(128)
    put(b, 0, "Q", size)
    put(b, 8, "i", pid)
    put(b, 32, "h", ftype)
    put(b, 56, "Q", data)
    return bytes(b)


def kproc(size, size_field, pid_off, comm_off, pid, comm):
    b = bytearray(size)
    if size_field:
        put(b, 0, "i", size)
    put(b, pid_off, "i", pid)
    b[comm_off:comm_off + len(comm)] = comm
    return bytes(b)


def macos_gen(gen):
    b = bytearray(24)
    put(b, 0, "I", 24)
    put(b, 8, "Q", gen)
    return bytes(b)


def macos_rec(kind, size, fields=()):
    padded = (size + 7) & ~7
    b = bytearray(padded)
    put(b, 0, "I", size)
    put(b, 4, "I", kind)
    for off, fmt, value in fields:
        if fmt == "raw":
            b[off:off + len(value)] = value
        else:
            struct.pack_into(fmt, b, off, value)
    return bytes(b)


def macos_socket(state=4, vflag=1, lport=80, fport=50000, laddr=v4in16(b"\x7f\0\0\x01"),
                 faddr=v4in16(b"\x7f\0\0\x01"), last_pid=321, bufs=True, stats=True,
                 xsocket_size=104):
    recs = [macos_rec(0x10, 104, [(18, ">H", lport), (16, ">H", fport), (44, "=B", vflag),
                                  (64, "raw", laddr), (48, "raw", faddr)]),
            macos_rec(0x1, xsocket_size, [(8, "=Q", 0xffffff8001234000), (44, "=h", 1),
                                          (48, "=h", 128), (64, "=I", 501),
                                          (68, "=i", last_pid)][:5 if xsocket_size >= 72 else 3])]
    if bufs:
        recs += [macos_rec(0x2, 32, [(8, "=I", 10)]), macos_rec(0x4, 32, [(8, "=I", 20)])]
    if stats:
        recs.append(macos_rec(0x8, 136))
    recs.append(macos_rec(0x20, 204, [(36, "=i", state)]))
    return b"".join(recs)


V6_BSD_LINK = b"\xfe\x80\x00\x05" + b"\0" * 11 + b"\1"  # KAME: zone 5 in bytes 2-3


def pcblist_seeds():
    every = b"".join(fbsd_rec(state=st, lport=1000 + st) for st in range(11))
    mac_every = b"".join(macos_socket(state=st, lport=1000 + st) for st in range(11))
    procs_f = (kproc(1088, True, 72, 447, 700, b"nginx")
               + kproc(1088, True, 72, 447, 701, b"a" * 19))
    procs_m = kproc(648, False, 40, 243, 321, b"launchd") + kproc(648, False, 40, 243, 1, b"")
    return {
        ("pcblist_freebsd", "every-state"): b"\x00" + fbsd_gen(7) + every + fbsd_gen(7),
        ("pcblist_freebsd", "every-state-default-ipv4-stop"):
            b"\x55" + fbsd_gen(7) + every + fbsd_gen(7),
        ("pcblist_freebsd", "head-only"): b"\x00" + fbsd_gen(1),
        ("pcblist_freebsd", "generations-differ"): b"\x00" + fbsd_gen(1) + fbsd_rec() + fbsd_gen(2),
        ("pcblist_freebsd", "ipv6-link-local-dual-stack"):
            b"\x00" + fbsd_gen(3) + fbsd_rec(vflag=3, laddr=V6_BSD_LINK, faddr=V6_BSD_LINK)
            + fbsd_rec(vflag=0) + fbsd_gen(3),
        ("pcblist_freebsd", "syncache-no-socket"): b"\x00" + fbsd_gen(3) + fbsd_rec(state=3, so=0)
            + fbsd_gen(3),
        ("pcblist_freebsd", "unknown-state"): b"\x00" + fbsd_gen(3) + fbsd_rec(state=11)
            + fbsd_rec(state=-1) + fbsd_gen(3),
        ("pcblist_freebsd", "record-size-abi"): b"\x00" + fbsd_gen(3) + fbsd_rec(size=740)
            + fbsd_gen(3),
        ("pcblist_freebsd", "truncated-record"): b"\x00" + fbsd_gen(3) + fbsd_rec()[:500]
            + fbsd_gen(3),
        ("pcblist_freebsd", "head-abi"): b"\x00" + b"\x08" + b"\0" * 63,
        ("pcblist_freebsd", "kern-file"): b"\x00" + fbsd_xfile() + fbsd_xfile(ftype=1)
            + fbsd_xfile(pid=701),
        ("pcblist_freebsd", "kern-file-bad-size"): b"\x00" + fbsd_xfile(size=120),
        ("pcblist_freebsd", "kern-proc"): b"\x00" + procs_f,
        ("pcblist_macos", "every-state"): b"\x10" + macos_gen(9) + mac_every + macos_gen(9),
        ("pcblist_macos", "every-state-filtered-stop"): b"\x75" + macos_gen(9) + mac_every
            + macos_gen(9),
        ("pcblist_macos", "head-only"): b"\x00" + macos_gen(1),
        ("pcblist_macos", "no-buffers-no-stats"): b"\x10" + macos_gen(2)
            + macos_socket(bufs=False, stats=False) + macos_gen(2),
        ("pcblist_macos", "ipv6-link-local"): b"\x10" + macos_gen(2)
            + macos_socket(vflag=2, laddr=V6_BSD_LINK, faddr=V6_BSD_LINK) + macos_gen(2),
        ("pcblist_macos", "macos12-short-xsocket"): b"\x10" + macos_gen(2)
            + macos_socket(xsocket_size=76) + macos_gen(2),
        ("pcblist_macos", "unknown-kind"): b"\x10" + macos_gen(2) + macos_rec(0x40, 16)
            + macos_socket() + macos_gen(2),
        ("pcblist_macos", "record-past-tail"): b"\x10" + macos_gen(2)
            + macos_rec(0x10, 4000) + macos_gen(2),
        ("pcblist_macos", "header-short"): b"\x10" + macos_gen(2) + b"\x04\0\0\0\x10\0\0\0"
            + macos_gen(2),
        ("pcblist_macos", "kind-twice"): b"\x10" + macos_gen(2) + macos_socket()
            .replace(macos_rec(0x20, 204, [(36, "=i", 4)]), macos_rec(0x1, 104)
                     + macos_rec(0x20, 204, [(36, "=i", 4)])) + macos_gen(2),
        ("pcblist_macos", "no-tcpcb"): b"\x10" + macos_gen(2) + macos_socket()[:-208]
            + macos_gen(2),
        ("pcblist_macos", "kern-proc"): b"\x00" + procs_m,
    }


# ---- dictionaries for libFuzzer (-dict) ----


def dicts():
    out = {}
    out["state_parse"] = "".join('"%s"\n' % s for s in spellings() + ["all", ",", "-", "_", " ", "0x"])
    out["query_set"] = "".join('"%s"\n' % s for s in
                               [":", "::", "/", "[", "]", ".", "ffff", "::ffff:", "127.0.0.1",
                                "/128", "/32", "65535", "2147483647", "4294967294", "=",
                                "fe80::", "ipv6", "inet6"])
    out["counters_decode"] = "".join('"%s"\n' % s for s in
                                     ["Tcp:", "TcpExt:", " ", "\\x0a", "-1",
                                      "18446744073709551615"] + TCP_NAMES.split()[1:]
                                     + EXT.split("\n")[0].split()[1:])
    out["proc_decode"] = "".join('"%s"\n' % s for s in
                                 [H4, H6, "0100007F", "00000000", ":", " 0A ", " 06 ",
                                  " 03:", "\\x0a"])
    return out


# ---- TCP counters (fuzz_counters_decode.c): /proc/net text, struct
# tcpstat of the layout facts' sizes, a MIB_TCPSTATS pair ----

TCP_NAMES = ("Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails "
             "EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n")
TCP_VALUES = "Tcp: 1 200 120000 -1 11 12 13 14 15 16 17 18 19 20 21\n"
EXT = ("TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed ListenOverflows ListenDrops "
       "TCPTimeouts TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory TCPAbortOnTimeout "
       "TCPTimeWaitOverflow TCPReqQFullDrop TCPSynRetrans\n"
       "TcpExt: 1 2 3 4 5 6 7 8 9 10 11 12 13\n")


def counters_seeds():
    def words(n, width, base):
        fmt = "=Q" if width == 8 else "=I"
        return b"".join(struct.pack(fmt, base + i) for i in range(n))
    mib = b"".join(struct.pack("<I", 100 + i) for i in range(15))
    mib6 = b"".join(struct.pack("<I", 0xFFFFFF00 + i) for i in range(15))
    return {
        "snmp-tcp.txt": ("Ip: Forwarding DefaultTTL\nIp: 2 64\n" + TCP_NAMES + TCP_VALUES
                         + "Udp: InDatagrams\nUdp: 5\n").encode(),
        "netstat-ext.txt": (EXT + "IpExt: InNoRoutes\nIpExt: 0\n").encode(),
        "columns-reordered.txt": b"Tcp: OutRsts InSegs ActiveOpens\nTcp: 3 2 1\n",
        "unknown-prefix-and-column.txt": b"FutureExt: A B\nFutureExt: 1 2\nTcp: New ActiveOpens\nTcp: 9 8\n",
        "largest-value.txt": b"Tcp: InSegs\nTcp: 18446744073709551615\n",
        "empty.txt": b"",
        "names-only.txt": b"Tcp: ActiveOpens\n",
        "count-mismatch.txt": b"Tcp: ActiveOpens PassiveOpens\nTcp: 1\n",
        "not-a-number.txt": b"Tcp: ActiveOpens\nTcp: 1x\n",
        "negative-ours.txt": b"Tcp: ActiveOpens\nTcp: -1\n",
        "overflow.txt": b"Tcp: InSegs\nTcp: 18446744073709551616\n",
        "twice.txt": b"Tcp: ActiveOpens ActiveOpens\nTcp: 1 2\n",
        "other-prefix-values.txt": b"Tcp: ActiveOpens\nUdp: 1\n",
        "no-newline.txt": b"Tcp: ActiveOpens\nTcp: 1",
        "no-prefix.txt": b"ActiveOpens\n1\n",
        "long-line.txt": b"Tcp: " + b"A" * 17000 + b"\n",
        "control-bytes.txt": b"\x1b[2J: A\n\x1b[2J: 1\x07\n",
        "tcpstat-freebsd-984.bin": words(123, 8, 1),
        "tcpstat-macos13-976.bin": words(244, 4, 1),
        "tcpstat-macos15-992.bin": words(248, 4, 1),
        "tcpstat-unknown-980.bin": words(245, 4, 1),
        "mib-tcpstats-pair.bin": mib + mib6,
        "mib-tcpstats-v4-only.bin": mib,
    }


def expected_files():
    files = {}
    for name, data in DIAG_DECODE.items():
        files[os.path.join(CORPUS, "diag_decode", "edge-" + name)] = data
    for name, data in diag_dump_seeds().items():
        files[os.path.join(CORPUS, "diag_dump", name + ".bin")] = data
    for name, text in PROC.items():
        files[os.path.join(CORPUS, "proc_decode", "edge-" + name)] = text.encode("latin-1")
    for name, data in state_seeds().items():
        files[os.path.join(CORPUS, "state_parse", name)] = data
    for name, data in query_seeds().items():
        files[os.path.join(CORPUS, "query_set", name)] = data
    for name, data in writer_seeds().items():
        files[os.path.join(CORPUS, "writers", name + ".bin")] = data
    for name, data in tcptable_seeds().items():
        files[os.path.join(CORPUS, "tcptable_decode", name + ".bin")] = data
    for name, data in counters_seeds().items():
        files[os.path.join(CORPUS, "counters_decode", name)] = data
    for (target, name), data in pcblist_seeds().items():
        files[os.path.join(CORPUS, target, name + ".bin")] = data
    for name, text in dicts().items():
        files[os.path.join(DICT, name + ".dict")] = text.encode("utf-8")
    return files


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] and not check:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    stale = 0
    for path, data in sorted(expected_files().items()):
        try:
            with open(path, "rb") as f:
                same = f.read() == data
        except FileNotFoundError:
            same = False
        if same:
            continue
        stale += 1
        if check:
            print("stale: " + os.path.relpath(path, ROOT))
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
    if check:
        return 1 if stale else 0
    print("make_seeds: %d files written" % stale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
