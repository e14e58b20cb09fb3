"""What the Linux kernel itself says about TCP sockets, read three ways.

The lab's own readers, independent of libsockstate (a test must not trust
the code it tests): a sock_diag dump over NETLINK_SOCK_DIAG, the
/proc/net/tcp{,6} tables, and the `ss` tool's text. Each returns records in
the sockstate/1 socket shape (family, local, remote, state, native_state,
plus pid/pids/process from a /proc/*/fd walk and inode).

Python 3 standard library only; Linux only.
"""

import os
import re
import socket
import struct
import subprocess

# Linux kernel state codes (include/net/tcp_states.h) -> normalized name
# and the spelling `ss` prints. 7 (CLOSE) is what the kernel answers for a
# bound-but-inactive socket asked for with request bit 13.
LINUX_STATES = {
    1: ("ESTABLISHED", "ESTAB"),
    2: ("SYN_SENT", "SYN-SENT"),
    3: ("SYN_RECEIVED", "SYN-RECV"),
    4: ("FIN_WAIT_1", "FIN-WAIT-1"),
    5: ("FIN_WAIT_2", "FIN-WAIT-2"),
    6: ("TIME_WAIT", "TIME-WAIT"),
    7: ("BOUND", "UNCONN"),
    8: ("CLOSE_WAIT", "CLOSE-WAIT"),
    9: ("LAST_ACK", "LAST-ACK"),
    10: ("LISTEN", "LISTEN"),
    11: ("CLOSING", "CLOSING"),
}
SS_NAMES = {ss: (code, norm) for code, (norm, ss) in LINUX_STATES.items()}
NORMALIZED_TO_CODE = {norm: code for code, (norm, _ss) in LINUX_STATES.items()}

TCP_BOUND_INACTIVE_BIT = 13
# Request bits 1..12, as `ss -a` asks (12 is NEW_SYN_RECV, answered as 3).
DIAG_STATES_DEFAULT = sum(1 << s for s in range(1, 13))
DIAG_STATES_BOUND = 1 << TCP_BOUND_INACTIVE_BIT

_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST = 0x1
_NLM_F_DUMP = 0x300
_NLMSG_ERROR = 2
_NLMSG_DONE = 3
_NLMSG_HDR = struct.Struct("=IHHII")
# inet_diag_req_v2: family, protocol, ext, pad, states, then inet_diag_sockid
# (sport, dport big endian; src[16], dst[16]; if; cookie[2]).
_DIAG_REQ = struct.Struct("=BBBBI")
_DIAG_SOCKID_LEN = 48
# inet_diag_msg: family, state, timer, retrans, sockid, expires, rqueue,
# wqueue, uid, inode.
_DIAG_MSG_HEAD = struct.Struct("=BBBB")
_DIAG_MSG_TAIL = struct.Struct("=IIIII")
_DIAG_MSG_LEN = _DIAG_MSG_HEAD.size + _DIAG_SOCKID_LEN + _DIAG_MSG_TAIL.size

FAMILY_NAMES = {socket.AF_INET: "ipv4", socket.AF_INET6: "ipv6"}


class LabOSError(Exception):
    """The OS could not be read (netlink refused, ss missing...)."""


def format_address(family, raw):
    """Text form of an address: dotted quad, or IPv6 as glibc's inet_ntop
    writes it (RFC 5952, ::ffff:a.b.c.d for IPv4-mapped)."""
    if family == "ipv4":
        return socket.inet_ntop(socket.AF_INET, raw[:4])
    return socket.inet_ntop(socket.AF_INET6, raw[:16])


def make_record(family, laddr, lport, raddr, rport, code, inode=None):
    norm, ss_name = LINUX_STATES.get(code, ("UNKNOWN", str(code)))
    return {
        "family": family,
        "local": {"address": laddr, "port": lport},
        "remote": {"address": raddr, "port": rport},
        "state": norm,
        "native_state": {"code": code, "name": ss_name},
        "inode": inode,
        "pid": None,
        "pids": [],
        "process": None,
    }


# ---------------------------------------------------------------- owners

def socket_owners(only=None):
    """inode -> sorted list of pids holding it, from one /proc/*/fd walk
    (of the pids in `only`, when given)."""
    owners = {}
    entries = os.listdir("/proc") if only is None else [str(p) for p in only]
    for entry in entries:
        if not entry.isdigit():
            continue
        fd_dir = "/proc/%s/fd" % entry
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink("%s/%s" % (fd_dir, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                inode = int(target[8:-1])
                pids = owners.setdefault(inode, [])
                if int(entry) not in pids:
                    pids.append(int(entry))
    for pids in owners.values():
        pids.sort()
    return owners


def process_name(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().rstrip("\n")
    except OSError:
        return None


def attach_owners(records, only=None):
    """Fill pid, pids and process from inodes (inode 0: no owner); only:
    look at these pids alone (default: every process)."""
    owners = socket_owners(only)
    for rec in records:
        pids = owners.get(rec.get("inode") or 0, [])
        rec["pids"] = list(pids)
        rec["pid"] = pids[0] if pids else None
        rec["process"] = process_name(pids[0]) if pids else None
    return records


# ------------------------------------------------------------- sock_diag

def _diag_request(family, states, seq):
    body = _DIAG_REQ.pack(family, socket.IPPROTO_TCP, 0, 0, states)
    body += b"\0" * _DIAG_SOCKID_LEN
    head = _NLMSG_HDR.pack(_NLMSG_HDR.size + len(body), _SOCK_DIAG_BY_FAMILY,
                           _NLM_F_REQUEST | _NLM_F_DUMP, seq, 0)
    return head + body


def _diag_decode_msg(payload):
    fam, state, _timer, _retrans = _DIAG_MSG_HEAD.unpack_from(payload, 0)
    off = _DIAG_MSG_HEAD.size
    sport, dport = struct.unpack_from("!HH", payload, off)
    src = payload[off + 4:off + 20]
    dst = payload[off + 20:off + 36]
    inode = _DIAG_MSG_TAIL.unpack_from(payload, off + _DIAG_SOCKID_LEN)[4]
    family = FAMILY_NAMES.get(fam)
    if family is None:
        raise LabOSError("sock_diag: reply with family %d" % fam)
    return make_record(family, format_address(family, src), sport,
                       format_address(family, dst), dport, state, inode)


def diag_dump(states=DIAG_STATES_DEFAULT | DIAG_STATES_BOUND,
              families=(socket.AF_INET, socket.AF_INET6)):
    """Every TCP socket of this network namespace in the request bits
    `states`, as the kernel's inet_diag answers (one dump per family)."""
    records = []
    try:
        nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                           _NETLINK_SOCK_DIAG)
    except OSError as e:
        raise LabOSError("socket(AF_NETLINK, NETLINK_SOCK_DIAG): %s" % e)
    with nl:
        nl.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        for seq, fam in enumerate(families, 1):
            nl.sendto(_diag_request(fam, states, seq), (0, 0))
            done = False
            while not done:
                data = nl.recv(1 << 17)
                off = 0
                while off + _NLMSG_HDR.size <= len(data):
                    length, mtype, _flags, mseq, _pid = \
                        _NLMSG_HDR.unpack_from(data, off)
                    if length < _NLMSG_HDR.size or off + length > len(data):
                        raise LabOSError("sock_diag: truncated message")
                    payload = data[off + _NLMSG_HDR.size:off + length]
                    off += (length + 3) & ~3
                    if mseq != seq:
                        continue
                    if mtype == _NLMSG_DONE:
                        done = True
                        break
                    if mtype == _NLMSG_ERROR:
                        err = struct.unpack_from("=i", payload, 0)[0]
                        raise LabOSError("sock_diag dump: %s"
                                         % os.strerror(-err))
                    if mtype != _SOCK_DIAG_BY_FAMILY:
                        continue
                    if len(payload) < _DIAG_MSG_LEN:
                        raise LabOSError("sock_diag: short inet_diag_msg")
                    records.append(_diag_decode_msg(payload))
    return records


# ---------------------------------------------------------------- /proc

def _proc_address(family, text):
    hex_addr, hex_port = text.split(":")
    words = [int(hex_addr[i:i + 8], 16) for i in range(0, len(hex_addr), 8)]
    raw = b"".join(struct.pack("=I", w) for w in words)
    return format_address(family, raw), int(hex_port, 16)


def proc_sockets():
    """Rows of /proc/net/tcp and /proc/net/tcp6 (no BOUND ever shows)."""
    records = []
    for path, family in (("/proc/net/tcp", "ipv4"), ("/proc/net/tcp6", "ipv6")):
        with open(path) as f:
            lines = f.read().splitlines()[1:]
        for number, line in enumerate(lines, 2):
            fields = line.split()
            if len(fields) < 10:
                raise LabOSError("%s:%d: short line %r" % (path, number, line))
            laddr, lport = _proc_address(family, fields[1])
            raddr, rport = _proc_address(family, fields[2])
            records.append(make_record(family, laddr, lport, raddr, rport,
                                       int(fields[3], 16), int(fields[9])))
    return records


# ------------------------------------------------------------------- ss

_SS_USERS = re.compile(r'\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=\d+\)')


def _ss_endpoint(text, family):
    address, port = text.rsplit(":", 1)
    if address == "*":
        # ss prints a dual-stack (not v6only) wildcard as *.
        address = "0.0.0.0" if family == "ipv4" else "::"
    if address.startswith("[") and address.endswith("]"):
        address = address[1:-1]
    elif address.startswith("[") and "]%" in address:
        inner, zone = address[1:].split("]%", 1)
        address = "%s%%%s" % (inner, zone)
    return address, 0 if port == "*" else int(port)


def ss_bound_query():
    """The ss arguments that list bound-inactive TCP sockets, or None when
    this ss cannot (iproute2 6.1 knows neither -B nor the state name)."""
    for args in (["-B"], ["state", "bound-inactive"]):
        try:
            probe = subprocess.run(["ss", "-tnH"] + args, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        except OSError as e:
            raise LabOSError("ss: %s" % e)
        if probe.returncode == 0:
            return args
    return None


def ss_sockets(extra=None):
    """`ss -tanpH [-4|-6]` parsed, or `ss -tnpH [-4|-6] EXTRA` (EXTRA picks
    the states, as -B does); pids and names from its users:."""
    records = []
    for flag, family in (("-4", "ipv4"), ("-6", "ipv6")):
        if extra is None:
            argv = ["ss", "-tanpH", flag]
        else:
            argv = ["ss", "-tnpH", flag] + list(extra)
        try:
            out = subprocess.run(argv, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE,
                                 universal_newlines=True)
        except OSError as e:
            raise LabOSError("%s: %s" % (" ".join(argv), e))
        if out.returncode != 0:
            raise LabOSError("%s: exit %d: %s" % (" ".join(argv),
                             out.returncode, out.stderr.strip()))
        for line in out.stdout.splitlines():
            fields = line.split(None, 5)
            if len(fields) < 5:
                raise LabOSError("ss: short line %r" % line)
            name = fields[0]
            if name not in SS_NAMES:
                raise LabOSError("ss: unknown state %r in %r" % (name, line))
            code = SS_NAMES[name][0]
            laddr, lport = _ss_endpoint(fields[3], family)
            raddr, rport = _ss_endpoint(fields[4], family)
            rec = make_record(family, laddr, lport, raddr, rport, code)
            users = _SS_USERS.findall(fields[5] if len(fields) > 5 else "")
            pids = sorted({int(pid) for _name, pid in users})
            rec["pids"] = pids
            rec["pid"] = pids[0] if pids else None
            names = {int(pid): n for n, pid in users}
            rec["process"] = names[pids[0]] if pids else None
            records.append(rec)
    return records
