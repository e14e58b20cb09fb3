"""psutil users feel at home: the same sockets, field for field, as
psutil.net_connections('tcp') on the same population."""

import os
import socket
import warnings

import pytest

import sockstate
from sockstate import State

psutil = pytest.importorskip("psutil")


def test_same_answer_as_psutil(population):
    p = population.port
    theirs = set()
    for c in psutil.net_connections("tcp"):
        if (c.laddr and c.laddr.port == p) or (c.raddr and c.raddr.port == p):
            raddr = tuple(c.raddr) if c.raddr else (population.any, 0)
            theirs.add((c.family, c.type, tuple(c.laddr), raddr,
                        State.parse(c.status), c.pid))
    mine = {(c.family, c.type, tuple(c.laddr), tuple(c.raddr), c.status, c.pid)
            for c in sockstate.connections(port=p, processes=True)}
    assert mine == theirs and len(mine) == 7


PSUTIL_TO_STATE = {
    "CLOSE": "CLOSED", "CLOSE_WAIT": "CLOSE_WAIT", "CLOSING": "CLOSING",
    "ESTABLISHED": "ESTABLISHED", "FIN_WAIT1": "FIN_WAIT_1",
    "FIN_WAIT2": "FIN_WAIT_2", "LAST_ACK": "LAST_ACK", "LISTEN": "LISTEN",
    "SYN_RECV": "SYN_RECEIVED", "SYN_SENT": "SYN_SENT",
    "TIME_WAIT": "TIME_WAIT",
}


@pytest.mark.parametrize("name", sorted(n for n in dir(psutil)
                                        if n.startswith("CONN_") and n != "CONN_NONE"))
def test_psutil_status_constants_parse(name):
    value = getattr(psutil, name)
    state = State.parse(value)
    assert state is State[PSUTIL_TO_STATE[value]]
    # Where the names agree, a State compares equal to psutil's constant.
    assert (state == value) == (value == PSUTIL_TO_STATE[value])


def test_psutil_none_is_not_a_state():
    with pytest.raises(sockstate.InvalidArgument):
        State.parse(psutil.CONN_NONE)


# ---- net_connections / process_connections: psutil's shape, ours ----

KINDS_TCP4 = ("all", "inet", "inet4", "tcp", "tcp4")


def psutil_shape(conns):
    """psutil's sconn/pconn as plain comparable tuples, fd left out."""
    return sorted((c.family, c.type, tuple(c.laddr), tuple(c.raddr), c.status) + tuple(c[6:])
                  for c in conns)


def test_net_connections_is_psutils_answer(population):
    """Field for field what psutil.net_connections('tcp') says about the
    same seven sockets: status strings, raddr (), pid; fd is -1 here."""
    p = population.port
    mine = [c for c in sockstate.net_connections("tcp")
            if (c.laddr and c.laddr.port == p) or (c.raddr and c.raddr.port == p)]
    theirs = [c for c in psutil.net_connections("tcp")
              if (c.laddr and c.laddr.port == p) or (c.raddr and c.raddr.port == p)]
    assert len(mine) == 7
    assert psutil_shape(mine) == psutil_shape(theirs)
    assert {c.fd for c in mine} == {-1}
    listener = next(c for c in mine if c.status == psutil.CONN_LISTEN)
    assert listener.raddr == () and not listener.raddr
    assert type(listener).__name__ == "sconn" and listener._fields == (
        "fd", "family", "type", "laddr", "raddr", "status", "pid")
    assert listener.laddr._fields == ("ip", "port") and listener.pid == os.getpid()
    assert {c.status for c in mine} == {"LISTEN", "ESTABLISHED", "FIN_WAIT2", "CLOSE_WAIT"}
    # The waiting connection has no owner yet, in both.
    assert sum(c.pid is None for c in mine) == 1


def test_process_connections_is_psutils_process_answer(population):
    p = population.port
    mine = sockstate.process_connections()
    theirs = psutil.Process().connections("tcp")
    assert psutil_shape(c for c in mine if p in (c.laddr.port, *c.raddr[1:])) == \
        psutil_shape(c for c in theirs if p in (c.laddr.port, *c.raddr[1:]))
    assert len([c for c in mine if p in (c.laddr.port, *c.raddr[1:])]) == 6
    assert all(type(c).__name__ == "pconn" and len(c) == 6 for c in mine)
    # psutil's own rule between the two listings (compare_procsys_connections).
    assert sorted(mine) == sorted(c[:-1] for c in sockstate.net_connections("tcp")
                                  if c.pid == os.getpid())
    assert sockstate.process_connections(os.getpid(), "tcp6" if population.family ==
                                         socket.AF_INET else "tcp4") == []


def test_kinds_as_psutil_names_them(pop4):
    own = [c for c in sockstate.net_connections("tcp4") if c.laddr.port == pop4.port]
    assert len(own) == 4 and all(c.family == socket.AF_INET for c in own)
    assert not [c for c in sockstate.net_connections("tcp6") if c.laddr.port == pop4.port]
    for kind, others in (("inet", "UDP"), ("inet4", "UDP"), ("all", "UDP and UNIX")):
        with pytest.warns(sockstate.ScopeWarning, match="the %s sockets of this kind are "
                          "not listed" % others) as caught:
            got = sockstate.net_connections(kind)
        assert caught[0].filename == __file__  # at the caller's line
        assert len([c for c in got if c.laddr.port == pop4.port]) == 4
    for kind in ("udp", "udp4", "udp6", "unix"):
        with pytest.warns(sockstate.ScopeWarning):
            assert sockstate.net_connections(kind) == []
            assert sockstate.process_connections(kind=kind) == []
    for bad in ("???", "TCP", "", None, 4):
        with pytest.raises(ValueError, match="kind .* is not one of psutil's"):
            sockstate.net_connections(bad)
        with pytest.raises(sockstate.InvalidArgument):
            sockstate.process_connections(kind=bad)
    with pytest.raises(sockstate.InvalidArgument, match="pid: 0 is out of range"):
        sockstate.process_connections(0)
    with pytest.raises(TypeError):
        sockstate.net_connections("tcp", 1)


def test_status_strings_are_psutils_constants():
    """Every state maps to one of psutil's CONN_* strings, as psutil's own
    check_connection_ntuple requires of a TCP socket (never CONN_NONE)."""
    from sockstate._psutil import STATUS
    constants = {getattr(psutil, n) for n in dir(psutil) if n.startswith("CONN_")}
    for state, status in STATUS.items():
        if state in (State.DELETE_TCB, State.BOUND, State.UNKNOWN):
            continue  # not on Linux; psutil spells them so on Windows, SunOS, anywhere
        assert status in constants and status != psutil.CONN_NONE
        assert State.parse(status) is state


# The TCP part of psutil's own tests that also count UDP and UNIX sockets
# (test_connections.py: TestFilters.test_count, test_combos,
# TestSystemWideConnections.test_multi_sockets_procs), which
# tests/python/psutil_upstream leaves out.

def tcp_listeners():
    """A listener on 127.0.0.1 and one on ::1 (create_sockets()'s TCP)."""
    socks = []
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        s = socket.socket(family)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, 0))
        s.listen(5)
        socks.append(s)
    return socks


def test_count_tcp():
    """Mirrors test_count's TCP kinds (tcp 2, tcp4 1, tcp6 1), and inet's
    TCP half."""
    socks = tcp_listeners()
    try:
        assert len(sockstate.process_connections(kind="tcp")) == 2
        (c4,) = sockstate.process_connections(kind="tcp4")
        (c6,) = sockstate.process_connections(kind="tcp6")
        assert (c4.family, c4.type, c6.family, c6.type) == (
            socket.AF_INET, socket.SOCK_STREAM, socket.AF_INET6, socket.SOCK_STREAM)
        assert [tuple(c.laddr) for c in (c4, c6)] == [s.getsockname()[:2] for s in socks]
        with pytest.warns(sockstate.ScopeWarning):
            assert sorted(sockstate.process_connections(kind="inet")) == sorted([c4, c6])
    finally:
        for s in socks:
            s.close()


# A process listening on each HOST given (IPv6 when it has a ':'): it
# prints the first listener's (ip, port) when ready, and lives until its
# stdin closes.
CHILD = r"""
import socket, sys
socks = []
for host in sys.argv[1:]:
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.bind((host, 0))
    s.listen(5)
    socks.append(s)
print(repr(socks[0].getsockname()[:2]), flush=True)
sys.stdin.read()
"""


def spawn_listener(*hosts):
    import subprocess
    import sys
    return subprocess.Popen([sys.executable, "-c", CHILD, *hosts], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def test_combos_tcp_children():
    """Mirrors test_combos for its TCP children: a child listening on
    127.0.0.1 and one on ::1, each seen with its one connection, in the
    kinds that include it and in no other, and the same as in the
    system-wide listing (compare_procsys_connections)."""
    kinds = ("all", "inet", "inet4", "inet6", "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6")
    cases = ((socket.AF_INET, "127.0.0.1", ("all", "inet", "inet4", "tcp", "tcp4")),
             (socket.AF_INET6, "::1", ("all", "inet", "inet6", "tcp", "tcp6")))
    for family, host, present in cases:
        child = spawn_listener(host)
        try:
            laddr = eval(child.stdout.readline())  # the child's readiness signal
            (conn,) = sockstate.process_connections(child.pid, "tcp")
            assert (conn.fd, conn.family, conn.type, tuple(conn.laddr), conn.raddr,
                    conn.status) == (-1, family, socket.SOCK_STREAM, laddr, (), "LISTEN")
            for kind in kinds:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", sockstate.ScopeWarning)
                    got = sockstate.process_connections(child.pid, kind)
                assert got == ([conn] if kind in present else []), kind
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", sockstate.ScopeWarning)
                system = [c[:-1] for c in sockstate.net_connections("all")
                          if c.pid == child.pid]
            assert system == [conn]
        finally:
            child.stdin.close()
            child.wait()


def test_multi_sockets_procs_tcp():
    """Mirrors test_multi_sockets_procs for TCP: ten processes with two
    listeners each; each pid holds its two in the system-wide listing and
    in its own (the pid mapping psutil's issue 1013 was about)."""
    children = [spawn_listener("127.0.0.1", "::1") for _ in range(10)]
    try:
        for child in children:
            child.stdout.readline()
        pids = {child.pid for child in children}
        system = [c for c in sockstate.net_connections("tcp") if c.pid in pids]
        for pid in pids:
            assert len([c for c in system if c.pid == pid]) == 2
            assert len(sockstate.process_connections(pid, "tcp")) == 2
    finally:
        for child in children:
            child.stdin.close()
            child.wait()
