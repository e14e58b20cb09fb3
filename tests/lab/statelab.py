#!/usr/bin/env python3
"""statelab - every TCP state held for real in a private network namespace.

  statelab.py run [--json OUT] [--timeout S] [-v] -- CMD ARGS...
  statelab.py hold [--json OUT] [--timeout S] [-v]

Makes a network namespace of its own, brings lo up, installs nftables rules
that lose chosen packets, and drives real socket pairs on 127.0.0.x and ::1
into LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2,
CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT and BOUND. Two holder processes
(lab-server, lab-client) own the sockets. The expectations - every TCP socket
of the namespace, with its state and owner - go to a JSON file.

`run` then runs CMD inside the namespace with STATELAB_JSON set to that file,
tears everything down and exits with CMD's status. `hold` keeps the lab up
for a person until Ctrl-C or SIGTERM. Exit 77 (ctest's skip) when no
namespace can be made; 1 when a state could not be reached; 2 bad usage.
See docs/LAB.md. Python 3 standard library only; Linux only; root.
"""

import argparse
import errno
import fcntl
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # never write into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labexpect  # noqa: E402
import labos  # noqa: E402

EXIT_SKIP = 77
EXIT_SETUP_FAILED = 1
EXIT_USAGE = 2

CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
PR_SET_CHILD_SUBREAPER = 36
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1

TIME_WAIT_SECONDS = 60  # TCP_TIMEWAIT_LEN, fixed in the kernel
POLL_INTERVAL = 0.002

SERVER, CLIENT, BOTH = "server", "client", "both"
HOLDER_NAMES = {SERVER: "lab-server", CLIENT: "lab-client"}

# Timers of the held states, raised inside the lab's namespace only so the
# lab outlasts a long check or a person looking: a SYN is retried up to 127
# times (hours, not 2 minutes), and so is a SYN-ACK; a FIN waiting for its
# ACK is retried 100 times instead of 15 (hours, not 15 minutes).
NETNS_SYSCTLS = {
    "net/ipv4/tcp_syn_retries": "127",
    "net/ipv4/tcp_synack_retries": "127",
    "net/ipv4/tcp_retries2": "100",
}


class Family:
    def __init__(self, name, af, server, client, any_address, block):
        self.name = name
        self.af = af
        self.server = server
        self.client = client
        self.any = any_address
        self.block = block

    def port(self, scenario, role):
        """21000 + 10*scenario + role for IPv4, 22000 + ... for IPv6;
        role 0 is the server end, 1 the client end."""
        return 20000 + 1000 * self.block + 10 * scenario + role


IPV4 = Family("ipv4", socket.AF_INET, "127.0.0.1", "127.0.0.2", "0.0.0.0", 1)
IPV6 = Family("ipv6", socket.AF_INET6, "::1", "::1", "::", 2)


class LabFailure(Exception):
    """A state did not appear, or the namespace holds what it should not."""


class Skip(Exception):
    """The lab cannot be made here (status 77)."""


def say(text):
    sys.stderr.write("statelab: %s\n" % text)
    sys.stderr.flush()


# ------------------------------------------------------------ namespace

def libc():
    import ctypes  # only here: the rest of the lab runs without it
    return ctypes, ctypes.CDLL(None, use_errno=True)


def enter_private_netns():
    """Move this process into a new, empty network namespace."""
    try:
        ctypes, c = libc()
    except (ImportError, OSError) as e:
        raise Skip("no ctypes to call unshare(2): %s" % e)
    if c.unshare(CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        hint = "" if os.geteuid() == 0 else " (not root: euid %d)" % os.geteuid()
        raise Skip("cannot make a network namespace: unshare(CLONE_NEWNET): "
                   "%s%s" % (os.strerror(err), hint))
    c.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def bring_lo_up():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifreq = struct.pack("16sh14x", b"lo", 0)
        flags = struct.unpack("16sh14x", fcntl.ioctl(s, SIOCGIFFLAGS, ifreq))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh14x", b"lo", flags | IFF_UP))


def raise_timers():
    for name, value in NETNS_SYSCTLS.items():
        try:
            with open("/proc/sys/" + name, "w") as f:
                f.write(value)
        except OSError as e:
            say("warning: cannot set %s=%s (%s): held states may time out "
                "sooner" % (name.replace("/", "."), value, e.strerror))


def install_nft(rules):
    """One inet table, one input chain: the packets the lab loses."""
    text = "table inet statelab {\n  chain input {\n" \
           "    type filter hook input priority 0; policy accept;\n"
    text += "".join("    %s\n" % r for r in rules)
    text += "  }\n}\n"
    try:
        out = subprocess.run(["nft", "-f", "-"], input=text,
                             universal_newlines=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        raise Skip("cannot run nft (%s): apt-get install nftables" % e.strerror)
    if out.returncode != 0:
        raise Skip("nft refused the lab's rules: %s"
                   % " ".join(out.stderr.split()))


# ------------------------------------------------------------- scenarios

def key(family, laddr, lport, raddr, rport):
    return (family, laddr, lport, raddr, rport)


class Lose:
    """What a scenario yields first, before it makes a socket, when it
    needs packets lost: nft rules, all installed at once."""

    def __init__(self, *rules):
        self.rules = list(rules)


def lose_all_to(dport):
    return "tcp dport %d drop" % dport


def lose_non_syn(sport, dport):
    """Every segment sport -> dport but the handshake's SYN or SYN-ACK: the
    connection opens, then that direction goes silent."""
    return "tcp sport %d tcp dport %d tcp flags ! syn drop" % (sport, dport)


class Lab:
    """Drives the scenarios and records what each must leave behind."""

    def __init__(self, deadline):
        self.deadline = deadline  # time.monotonic() by which all is set up
        self.sockets = []       # every socket the lab made, in order
        self.expected = []      # (entry dict, socket or None, owner)

    # -- sockets
    def new_socket(self, fam, v6only=True):
        s = socket.socket(fam.af, socket.SOCK_STREAM)
        self.sockets.append(s)
        if fam.af == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(v6only))
        return s

    def listener(self, fam, address, port, v6only=True):
        s = self.new_socket(fam, v6only)
        s.bind((address, port))
        s.listen(16)
        return s

    def client(self, fam, port):
        s = self.new_socket(fam)
        s.bind((fam.client, port))
        return s

    def blocking(self, what, call, sock, *args):
        """A blocking call that gives up at the setup's deadline."""
        sock.settimeout(max(0.01, self.deadline - time.monotonic()))
        try:
            return call(*args)
        except OSError as e:
            raise LabFailure("%s: %s" % (what, e))
        finally:
            sock.settimeout(None)

    def connect(self, sock, address):
        local = sock.getsockname()
        self.blocking("connect %s:%d -> %s:%d" % (local[0], local[1], address[0],
                                                  address[1]),
                      sock.connect, sock, address)

    def accept(self, lsn):
        local = lsn.getsockname()
        acc = self.blocking("accept on %s:%d" % (local[0], local[1]),
                            lsn.accept, lsn)[0]
        self.sockets.append(acc)
        return acc

    def connected_pair(self, fam, scenario):
        """client <-> accepted server socket; the listener is closed."""
        sport, cport = fam.port(scenario, 0), fam.port(scenario, 1)
        lsn = self.listener(fam, fam.server, sport)
        cli = self.client(fam, cport)
        self.connect(cli, (fam.server, sport))
        acc = self.accept(lsn)
        lsn.close()
        srv_key = key(fam.name, fam.server, sport, fam.client, cport)
        cli_key = key(fam.name, fam.client, cport, fam.server, sport)
        return cli, acc, cli_key, srv_key

    # -- expectations
    def expect(self, k, state, owner, sock=None, scenario="", expires_at=None):
        family, laddr, lport, raddr, rport = k
        entry = {
            "family": family,
            "local": {"address": laddr, "port": lport},
            "remote": {"address": raddr, "port": rport},
            "state": state,
            "native_linux": labos.LINUX_STATES[labos.NORMALIZED_TO_CODE[state]][1],
            "native_code": labos.NORMALIZED_TO_CODE[state],
            "pid": None,
            "pids": [],
            "process": None,
            "scenario": scenario,
            "expires_at": expires_at,
        }
        self.expected.append((entry, sock, owner))


# Each scenario is a generator: it makes sockets, states what must remain
# with lab.expect(), and yields {key: state} (None: the socket is gone) to
# wait until the kernel shows those states before its next step. Its
# index places its ports (Family.port). They all run side by side.

def sc_listen(lab, fam, n):
    """LISTEN on the server address."""
    s = lab.listener(fam, fam.server, fam.port(n, 0))
    lab.expect(key(fam.name, fam.server, fam.port(n, 0), fam.any, 0),
               "LISTEN", SERVER, s, "listen")
    yield {}


def sc_listen_any(lab, fam, n):
    """LISTEN on the wildcard address (IPv6: v6only)."""
    s = lab.listener(fam, fam.any, fam.port(n, 0))
    lab.expect(key(fam.name, fam.any, fam.port(n, 0), fam.any, 0),
               "LISTEN", SERVER, s, "listen_any")
    yield {}


def sc_listen_shared(lab, fam, n):
    """LISTEN owned by both holders (as after fork): pids lists two."""
    s = lab.listener(fam, fam.server, fam.port(n, 0))
    lab.expect(key(fam.name, fam.server, fam.port(n, 0), fam.any, 0),
               "LISTEN", BOTH, s, "listen_shared")
    yield {}


def sc_bound(lab, fam, n):
    """bind() and nothing else: BOUND (sock_diag request bit 13 only)."""
    s = lab.new_socket(fam)
    s.bind((fam.server, fam.port(n, 0)))
    lab.expect(key(fam.name, fam.server, fam.port(n, 0), fam.any, 0),
               "BOUND", SERVER, s, "bound")
    yield {}


def sc_syn_sent(lab, fam, n):
    """The SYN is lost: the client stays SYN_SENT (nobody listens)."""
    sport, cport = fam.port(n, 0), fam.port(n, 1)
    yield Lose(lose_all_to(sport))
    cli = lab.client(fam, cport)
    cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_SYNCNT, 127)
    cli.setblocking(False)
    err = cli.connect_ex((fam.server, sport))
    if err != errno.EINPROGRESS:
        raise LabFailure("syn_sent: connect gave %s, expected EINPROGRESS"
                         % errno.errorcode.get(err, err))
    k = key(fam.name, fam.client, cport, fam.server, sport)
    lab.expect(k, "SYN_SENT", CLIENT, cli, "syn_sent")
    yield {k: "SYN_SENT"}


def sc_syn_recv(lab, fam, n):
    """The client's handshake ACK is lost: the server's request socket is
    SYN_RECEIVED (no owner) while the client is already ESTABLISHED."""
    sport, cport = fam.port(n, 0), fam.port(n, 1)
    yield Lose(lose_non_syn(cport, sport))
    lsn = lab.listener(fam, fam.server, sport)
    cli = lab.client(fam, cport)
    lab.connect(cli, (fam.server, sport))
    req = key(fam.name, fam.server, sport, fam.client, cport)
    ck = key(fam.name, fam.client, cport, fam.server, sport)
    lab.expect(key(fam.name, fam.server, sport, fam.any, 0), "LISTEN",
               SERVER, lsn, "syn_recv")
    lab.expect(req, "SYN_RECEIVED", None, None, "syn_recv")
    lab.expect(ck, "ESTABLISHED", CLIENT, cli, "syn_recv")
    yield {req: "SYN_RECEIVED", ck: "ESTABLISHED"}


def sc_established(lab, fam, n):
    cli, acc, ck, sk = lab.connected_pair(fam, n)
    lab.expect(sk, "ESTABLISHED", SERVER, acc, "established")
    lab.expect(ck, "ESTABLISHED", CLIENT, cli, "established")
    yield {sk: "ESTABLISHED", ck: "ESTABLISHED"}


def sc_fin_wait_2(lab, fam, n):
    """Half close: the client's FIN is ACKed, the server never closes."""
    cli, acc, ck, sk = lab.connected_pair(fam, n)
    cli.shutdown(socket.SHUT_WR)  # not close(): an orphan would time out
    lab.expect(ck, "FIN_WAIT_2", CLIENT, cli, "fin_wait_2")
    lab.expect(sk, "CLOSE_WAIT", SERVER, acc, "fin_wait_2")
    yield {ck: "FIN_WAIT_2", sk: "CLOSE_WAIT"}


def sc_fin_wait_1(lab, fam, n):
    """Server -> client is lost: the client's FIN is never ACKed
    (FIN_WAIT_1); the server, having got it, closes too (LAST_ACK)."""
    sport, cport = fam.port(n, 0), fam.port(n, 1)
    yield Lose(lose_non_syn(sport, cport))
    cli, acc, ck, sk = lab.connected_pair(fam, n)
    cli.shutdown(socket.SHUT_WR)
    yield {ck: "FIN_WAIT_1", sk: "CLOSE_WAIT"}
    acc.shutdown(socket.SHUT_WR)
    lab.expect(ck, "FIN_WAIT_1", CLIENT, cli, "fin_wait_1")
    lab.expect(sk, "LAST_ACK", SERVER, acc, "fin_wait_1")
    yield {ck: "FIN_WAIT_1", sk: "LAST_ACK"}


def sc_closing(lab, fam, n):
    """Simultaneous close: the server's FIN is lost, the client's arrives
    while the server waits for its own FIN's ACK (CLOSING); the server's
    ACK is lost too, so the client stays FIN_WAIT_1."""
    sport, cport = fam.port(n, 0), fam.port(n, 1)
    yield Lose(lose_non_syn(sport, cport))
    cli, acc, ck, sk = lab.connected_pair(fam, n)
    acc.shutdown(socket.SHUT_WR)
    yield {sk: "FIN_WAIT_1", ck: "ESTABLISHED"}
    cli.shutdown(socket.SHUT_WR)
    lab.expect(sk, "CLOSING", SERVER, acc, "closing")
    lab.expect(ck, "FIN_WAIT_1", CLIENT, cli, "closing")
    yield {sk: "CLOSING", ck: "FIN_WAIT_1"}


def sc_time_wait(lab, fam, n):
    """A normal close, client first: the client end is TIME_WAIT. Both ends
    close() (an explicitly bound socket whose connection ends keeps its port
    while its fd is open: it would show as BOUND beside the TIME_WAIT)."""
    cli, acc, ck, sk = lab.connected_pair(fam, n)
    cli.close()
    yield {ck: "FIN_WAIT_2", sk: "CLOSE_WAIT"}
    expires = time.time() + TIME_WAIT_SECONDS
    acc.close()
    lab.expect(ck, "TIME_WAIT", None, None, "time_wait", expires)
    yield {ck: "TIME_WAIT", sk: None}


def sc_time_wait_server(lab, fam, n):
    """A normal close, server first: TIME_WAIT on the server's port."""
    cli, acc, ck, sk = lab.connected_pair(fam, n)
    acc.close()
    yield {sk: "FIN_WAIT_2", ck: "CLOSE_WAIT"}
    expires = time.time() + TIME_WAIT_SECONDS
    cli.close()
    lab.expect(sk, "TIME_WAIT", None, None, "time_wait_server", expires)
    yield {sk: "TIME_WAIT", ck: None}


def sc_bound_refused(lab, fam, n):
    """A bound client whose connect was refused (nobody listens: RST). The
    socket is closed but keeps its explicitly bound port while its fd is
    open, so the kernel reports it bound-inactive, with the peer's address
    and port 0."""
    sport, cport = fam.port(n, 0), fam.port(n, 1)
    cli = lab.client(fam, cport)
    err = cli.connect_ex((fam.server, sport))
    if err != errno.ECONNREFUSED:
        raise LabFailure("connect gave %s, expected ECONNREFUSED"
                         % errno.errorcode.get(err, err))
    k = key(fam.name, fam.client, cport, fam.server, 0)
    lab.expect(k, "BOUND", CLIENT, cli, "bound_refused")
    yield {k: "BOUND"}


def sc_mapped(lab, fam, n):
    """An IPv4 client to a dual-stack IPv6 listener: the accepted socket is
    IPv6 with IPv4-mapped addresses (::ffff:127.0.0.1)."""
    sport, cport = fam.port(n, 0), fam.port(n, 1)
    lsn = lab.listener(fam, "::", sport, v6only=False)
    cli = lab.client(IPV4, cport)
    lab.connect(cli, (IPV4.server, sport))
    acc = lab.accept(lsn)
    sk = key("ipv6", "::ffff:" + IPV4.server, sport, "::ffff:" + IPV4.client, cport)
    ck = key("ipv4", IPV4.client, cport, IPV4.server, sport)
    lab.expect(key("ipv6", "::", sport, "::", 0), "LISTEN", SERVER, lsn, "mapped")
    lab.expect(sk, "ESTABLISHED", SERVER, acc, "mapped")
    lab.expect(ck, "ESTABLISHED", CLIENT, cli, "mapped")
    yield {sk: "ESTABLISHED", ck: "ESTABLISHED"}


# (index, scenario, families). The index fixes the ports: never renumber.
SCENARIOS = [
    (0, sc_listen, (IPV4, IPV6)),
    (1, sc_listen_any, (IPV4, IPV6)),
    (2, sc_listen_shared, (IPV4, IPV6)),
    (3, sc_bound, (IPV4, IPV6)),
    (4, sc_syn_sent, (IPV4, IPV6)),
    (5, sc_syn_recv, (IPV4, IPV6)),
    (6, sc_established, (IPV4, IPV6)),
    (7, sc_fin_wait_2, (IPV4, IPV6)),
    (8, sc_fin_wait_1, (IPV4, IPV6)),
    (9, sc_closing, (IPV4, IPV6)),
    (10, sc_time_wait, (IPV4, IPV6)),
    (11, sc_time_wait_server, (IPV4, IPV6)),
    (12, sc_mapped, (IPV6,)),
    (13, sc_bound_refused, (IPV4, IPV6)),
]


# ------------------------------------------------------------- the kernel

def kernel_view():
    """key -> [normalized states] of every TCP socket in the namespace."""
    view = {}
    for rec in labos.diag_dump():
        view.setdefault(labexpect.key(rec), []).append(rec["state"])
    return view


def satisfied(view, wants):
    for k, state in wants.items():
        have = view.get(k, [])
        if state is None:
            if have:
                return False
        elif have != [state]:
            return False
    return True


def wait_text(view, wants):
    parts = []
    for k, state in wants.items():
        have = view.get(k, [])
        if (state is None and have) or (state is not None and have != [state]):
            parts.append("%s %s -> %s %s (now %s)" % (
                k[0], labexpect.endpoint_text(k[1], k[2]),
                labexpect.endpoint_text(k[3], k[4]),
                state or "gone", ",".join(have) or "absent"))
    return "; ".join(parts)


def advance(item, value=None):
    """Step a scenario to its next wait; False when it has finished."""
    name, gen, _wants = item
    try:
        item[2] = gen.send(value)
        return True
    except StopIteration:
        return False
    except (OSError, LabFailure) as e:
        raise LabFailure("%s: %s" % (name, e))


def start_scenarios(lab):
    """Run every scenario to its first wait; gather and install the
    packet-loss rules some of them ask for first."""
    running, rules = [], []
    for n, scenario, families in SCENARIOS:
        for fam in families:
            name = "%s (%s)" % (scenario.__name__[3:], fam.name)
            item = [name, scenario(lab, fam, n), None]
            if advance(item) and isinstance(item[2], Lose):
                rules.extend(item[2].rules)
                item[2] = None  # to be stepped once the rules are in
            running.append(item)
    install_nft(rules)
    return running


def run_scenarios(lab, deadline):
    running = start_scenarios(lab)
    while running:
        view = kernel_view()
        still, progressed = [], False
        for item in running:
            wants = item[2]
            if wants is not None and not satisfied(view, wants):
                still.append(item)
                continue
            progressed = True
            if advance(item):
                still.append(item)
        running = still
        if running and not progressed:
            if time.monotonic() > deadline:
                raise LabFailure("timed out: " + " | ".join(
                    "%s waits for %s" % (name, wait_text(view, wants))
                    for name, _gen, wants in running))
            time.sleep(POLL_INTERVAL)


SCENARIO_ORDER = {sc.__name__[3:]: n for n, sc, _families in SCENARIOS}


def expected_entries(lab):
    """The entries, IPv4 first, then by scenario and local port."""
    return sorted((entry for entry, _sock, _owner in lab.expected),
                  key=lambda e: (e["family"], SCENARIO_ORDER[e["scenario"]],
                                 e["local"]["port"], e["remote"]["port"]))


def check_exact(lab, deadline, owners=None):
    """Poll until the namespace holds exactly the expected sockets (and,
    with owners, a list of pids, owned exactly as expected among them)."""
    expected = expected_entries(lab)
    pids = owners is not None
    while True:
        actual = labos.diag_dump()
        if pids:
            labos.attach_owners(actual, owners)
        result = labexpect.compare(expected, actual, native=True, pids=pids)
        if result.ok:
            return
        if time.monotonic() > deadline:
            raise LabFailure(result.report("the namespace is not as expected"))
        time.sleep(POLL_INTERVAL)


# --------------------------------------------------------------- holders

def holder_main(role, keep, lab_fds, watch_r, ready_w, parent):
    """A holder: keep its sockets, drop the rest, live until the harness
    goes (its pipe closes) or kills it. Never returns."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the harness ends us
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            _ctypes, c = libc()
            c.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            c.prctl(PR_SET_NAME, HOLDER_NAMES[role].encode(), 0, 0, 0)
        except (ImportError, OSError):
            pass  # the watched pipe still ends us
        if os.getppid() != parent:
            os._exit(1)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        for fd in lab_fds - keep:
            os.close(fd)
        os.write(ready_w, b"R")
        os.close(ready_w)
        while os.read(watch_r, 1):
            pass
    finally:
        os._exit(0)


class Holders:
    def __init__(self):
        self.pids = {}
        self.watch_w = None

    def start(self, lab, deadline):
        lab_fds = {s.fileno() for s in lab.sockets if s.fileno() >= 0}
        keep = {SERVER: set(), CLIENT: set()}
        for _entry, sock, owner in lab.expected:
            if sock is None:
                continue
            for role in ((SERVER, CLIENT) if owner == BOTH else (owner,)):
                keep[role].add(sock.fileno())
        watch_r, self.watch_w = os.pipe()
        parent = os.getpid()
        for role in (SERVER, CLIENT):
            ready_r, ready_w = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(ready_r)
                os.close(self.watch_w)
                holder_main(role, keep[role], lab_fds, watch_r, ready_w, parent)
            self.pids[role] = pid
            os.close(ready_w)
            left = max(0.0, deadline - time.monotonic())
            ready = select.select([ready_r], [], [], left)[0]
            got = os.read(ready_r, 1) if ready else b""
            os.close(ready_r)
            if got != b"R":
                raise LabFailure("holder %s (pid %d) did not start" % (role, pid))
        os.close(watch_r)
        for s in lab.sockets:
            s.close()
        for entry, _sock, owner in lab.expected:
            if owner is None:
                continue
            roles = (SERVER, CLIENT) if owner == BOTH else (owner,)
            entry["pids"] = sorted(self.pids[r] for r in roles)
            entry["pid"] = entry["pids"][0]
            entry["process"] = HOLDER_NAMES[SERVER if self.pids[SERVER] == entry["pid"]
                                            else CLIENT]

    def dead(self):
        """The role of a holder that has exited, or None."""
        for role, pid in self.pids.items():
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return role
            except ChildProcessError:
                return role
        return None

    def stop(self):
        if self.watch_w is not None:
            os.close(self.watch_w)
            self.watch_w = None
        for pid in self.pids.values():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in self.pids.values():
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.pids = {}


def children_of(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


def reap_leftovers(spare):
    """Kill what CMD left running: as the subreaper, its orphans are our
    children. spare: pids that are ours for other reasons."""
    for _round in range(50):
        kids = [k for k in children_of(os.getpid()) if k not in spare]
        if not kids:
            return
        for k in kids:
            try:
                os.kill(k, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for k in kids:
            try:
                os.waitpid(k, 0)
            except ChildProcessError:
                pass


# ----------------------------------------------------------------- main

TSV_COLUMNS = ("family", "local_address", "local_port", "remote_address",
               "remote_port", "state", "native_linux", "native_code", "pid",
               "pids", "process", "scenario")


def tsv_line(e):
    """One socket as tab-separated text for readers without JSON (C, the
    Wine test program): null is '-', pids are comma-separated."""
    values = (e["family"], e["local"]["address"], e["local"]["port"],
              e["remote"]["address"], e["remote"]["port"], e["state"],
              e["native_linux"], e["native_code"],
              "-" if e["pid"] is None else e["pid"],
              ",".join(str(p) for p in e["pids"]) or "-",
              e["process"] or "-", e["scenario"])
    return "\t".join(str(v) for v in values)


def write_atomically(path, text):
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.rename(tmp, path)


def tsv_path(json_path):
    base = json_path[:-5] if json_path.endswith(".json") else json_path
    return base + ".tsv"


def write_expectations(path, expected):
    """The JSON (one socket a line: greppable, diffable) and the TSV beside."""
    write_atomically(path, "[\n%s\n]\n" % ",\n".join(json.dumps(e) for e in expected))
    write_atomically(tsv_path(path), "#%s\n%s\n" % (
        "\t".join(TSV_COLUMNS), "\n".join(tsv_line(e) for e in expected)))


def drop_bound_if_unseen(lab):
    """Older kernels have no request bit 13: their BOUND sockets are in no
    table at all, so the lab neither holds nor expects them there."""
    if labos.diag_dump(labos.DIAG_STATES_BOUND):
        return
    say("warning: this kernel does not report bound-inactive sockets "
        "(sock_diag request bit 13): no BOUND expectations")
    lab.expected = [x for x in lab.expected if x[0]["state"] != "BOUND"]


def build_lab(timeout):
    started = time.monotonic()
    deadline = started + timeout
    enter_private_netns()
    bring_lo_up()
    if not os.path.exists("/proc/net/tcp6"):
        raise Skip("this kernel has no IPv6: the lab needs ::1")
    raise_timers()
    lab = Lab(deadline)
    run_scenarios(lab, deadline)
    drop_bound_if_unseen(lab)
    check_exact(lab, deadline)
    holders = Holders()
    try:
        holders.start(lab, deadline)
        # The namespace is new: this process and the holders are all in it.
        check_exact(lab, deadline, [os.getpid()] + list(holders.pids.values()))
    except BaseException:
        holders.stop()
        raise
    return lab, holders, time.monotonic() - started


class Stop(Exception):
    pass


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="statelab.py",
        description="Hold every TCP state in a private network namespace.")
    sub = ap.add_subparsers(dest="mode")
    for mode, text in (("run", "set up, run CMD inside, tear down, exit with CMD's status"),
                       ("hold", "set up and keep it until Ctrl-C or SIGTERM")):
        p = sub.add_parser(mode, help=text)
        p.add_argument("--json", metavar="OUT",
                       help="write the expectations here (kept afterwards)")
        p.add_argument("--timeout", type=float, default=20.0, metavar="S",
                       help="give up setting up after S seconds (20)")
        p.add_argument("-v", "--verbose", action="store_true",
                       help="print the expectations")
        if mode == "run":
            p.add_argument("cmd", nargs=argparse.REMAINDER,
                           help="-- CMD ARGS...")
    args = ap.parse_args(argv)
    if args.mode is None:
        ap.print_usage(sys.stderr)
        return EXIT_USAGE
    if args.mode == "run":
        if args.cmd and args.cmd[0] == "--":
            args.cmd = args.cmd[1:]
        if not args.cmd:
            ap.error("run: no command after --")

    def stop(signum, _frame):
        raise Stop(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    if args.mode == "hold":
        signal.signal(signal.SIGINT, stop)

    holders = None
    tmpdir = None
    try:
        try:
            lab, holders, took = build_lab(args.timeout)
        except Skip as e:
            say("SKIP: %s" % e)
            return EXIT_SKIP
        except (LabFailure, OSError, labos.LabOSError) as e:
            say("setup failed: %s" % e)
            return EXIT_SETUP_FAILED
        expected = expected_entries(lab)
        if args.json:
            path = os.path.abspath(args.json)
        else:
            tmpdir = tempfile.mkdtemp(prefix="statelab-")
            os.chmod(tmpdir, 0o755)
            path = os.path.join(tmpdir, "expect.json")
        write_expectations(path, expected)
        states = sorted({e["state"] for e in expected})
        say("%d TCP sockets held in %.2f s (%d states, ipv4 and ipv6); "
            "namespace /proc/%d/ns/net" % (len(expected), took, len(states),
                                           os.getpid()))
        if args.verbose:
            for e in expected:
                say("  %-16s %s pid %s" % (e["scenario"], labexpect.describe(e),
                                           e["pid"]))
        if args.mode == "hold":
            return hold(path, holders, expected)
        return run_cmd(args.cmd, path, holders)
    except Stop:
        return 0 if args.mode == "hold" else 128 + signal.SIGTERM
    except KeyboardInterrupt:  # Ctrl-C while `run` was still setting up
        return 128 + signal.SIGINT
    finally:
        if holders is not None:
            holders.stop()
        if tmpdir is not None:
            for name in os.listdir(tmpdir):
                os.unlink(os.path.join(tmpdir, name))
            os.rmdir(tmpdir)


def hold(path, holders, expected):
    tw = [e["expires_at"] for e in expected if e["expires_at"]]
    print("statelab: holding %d TCP sockets; expectations in %s (and %s)"
          % (len(expected), path, os.path.basename(tsv_path(path))))
    print("  look:  nsenter --net=/proc/%d/ns/net ss -tanp" % os.getpid())
    print("  shell: nsenter --net=/proc/%d/ns/net bash" % os.getpid())
    print("  (BOUND sockets need sock_diag bit 13: a newer ss with -B, "
          "or sockstate --state all)")
    if tw:
        print("  TIME_WAIT sockets end at %s (60 s after they were made)."
              % time.strftime("%H:%M:%S", time.localtime(min(tw))))
    print("  Ctrl-C or SIGTERM ends it.")
    sys.stdout.flush()
    while True:  # until Stop: SIGINT, SIGTERM or SIGHUP
        dead = holders.dead()
        if dead:
            say("holder %s died; ending" % dead)
            return EXIT_SETUP_FAILED
        time.sleep(0.5)


def run_cmd(cmd, path, holders):
    env = dict(os.environ)
    env["STATELAB_JSON"] = path
    env["STATELAB_TSV"] = tsv_path(path)
    env["STATELAB_NETNS"] = "/proc/%d/ns/net" % os.getpid()
    # The terminal's Ctrl-C reaches CMD itself (same process group).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc = subprocess.Popen(cmd, env=env,
                                preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                                 signal.SIG_DFL))
    except OSError as e:
        say("cannot run %s: %s" % (cmd[0], e.strerror))
        return 127 if e.errno == errno.ENOENT else 126
    try:
        while True:
            try:
                status = proc.wait()
                break
            except Stop as s:
                proc.send_signal(s.args[0])
    finally:
        reap_leftovers(set(holders.pids.values()))
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main())
