"""Real sockets made by the test, read back through the package: exact
sockets, states, native names, endpoints, queues, owners; filters; counts;
every backend this build offers."""

import os
import socket
import time

import pytest

import sockstate
from sockstate import State

from conftest import (BACKLOG, LINUX_NATIVE, MY_COMM, MY_PID, MY_UID, PAYLOAD,
                      by_key)

BACKENDS = sockstate.backends()


def key_of(e):
    return (e.laddr, e.raddr, e.state)


@pytest.mark.parametrize("backend", BACKENDS)
def test_exact_sockets_with_owners(population, backend):
    pop = population
    got = by_key(sockstate.connections(port=pop.port, processes=True,
                                       backend=backend))
    assert sorted(got) == sorted(key_of(e) for e in pop.expected)
    for e in pop.expected:
        c = got[key_of(e)]
        assert type(c) is sockstate.Connection
        assert c.family == pop.family and c.family is socket.AddressFamily(pop.family)
        assert c.state is State(e.state)
        assert c.status is c.state                 # psutil's name
        assert c.fd == -1 and c.type == socket.SOCK_STREAM
        code, name = LINUX_NATIVE[e.state]
        assert c.native_state == (code, name)
        assert (c.native_state.code, c.native_state.name) == (code, name)
        assert c.laddr == e.laddr and c.laddr.ip == e.laddr[0]
        assert c.laddr.port == e.laddr[1]
        assert c.raddr == e.raddr
        assert c.uid == MY_UID
        assert c.rx_queue == e.rx_queue
        assert c.tcp_info is None
        if e.owned:
            assert c.pid == MY_PID
            assert c.pids == (MY_PID,)
            assert c.process == MY_COMM
            assert c.inode == e.inode
        else:
            # Waiting in the accept queue: no process holds it yet.
            assert c.pid is None and c.process is None
            assert c.pids == ()
    listener = got[key_of(pop.expected[0])]
    # /proc/net/tcp has no max backlog for a listener; netlink has.
    assert listener.tx_queue == (BACKLOG if backend == "linux-netlink" else 0)
    assert got[key_of(pop.expected[2])].rx_queue == PAYLOAD


def test_without_processes_owner_fields_are_none(pop4):
    conns = sockstate.connections(port=pop4.port)
    assert len(conns) == 7
    for c in conns:
        assert c.pid is None and c.pids is None and c.process is None


def test_pid_filter_keeps_owned_sockets(population):
    conns = sockstate.connections(port=population.port, pid=MY_PID)
    want = sorted(key_of(e) for e in population.expected if e.owned)
    assert sorted(by_key(conns)) == want
    # A pid filter maps owners even without processes=True.
    assert {c.pid for c in conns} == {MY_PID}


def test_state_filters(population):
    p = population.port
    assert [c.state for c in sockstate.connections("LISTEN", port=p)] == [State.LISTEN]
    got = sockstate.connections(["estab", State.CLOSE_WAIT], port=p)
    assert sorted(c.state.value for c in got) == ["CLOSE_WAIT"] + ["ESTABLISHED"] * 4
    got = sockstate.connections("fin-wait-2,CloseWait", port=p)
    assert sorted(c.state.value for c in got) == ["CLOSE_WAIT", "FIN_WAIT_2"]
    assert sockstate.connections("TIME_WAIT", port=p) == []


def test_port_and_address_filters(population):
    pop = population
    p = pop.port
    local_p = sorted(key_of(e) for e in pop.expected if e.laddr[1] == p)
    remote_p = sorted(key_of(e) for e in pop.expected if e.raddr[1] == p)
    assert sorted(by_key(sockstate.connections(sport=p))) == local_p
    assert sorted(by_key(sockstate.connections(dport=p))) == remote_p
    assert sorted(by_key(sockstate.connections(laddr=(pop.host, p)))) == local_p
    assert sorted(by_key(sockstate.connections(raddr=(None, p)))) == remote_p
    prefix = "127.0.0.0/8" if pop.family == socket.AF_INET else "::1/128"
    assert len(sockstate.connections(port=p, addr=prefix)) == 7
    assert len(sockstate.connections(port=p, laddr=prefix)) == 7
    other = "10.0.0.0/8" if pop.family == socket.AF_INET else "fe80::/10"
    assert sockstate.connections(port=p, addr=other) == []


def test_family_filters(population):
    pop = population
    mine = 6 if pop.family == socket.AF_INET6 else 4
    theirs = 4 if mine == 6 else 6
    for spelled in (mine, str(mine), f"ipv{mine}", pop.family):
        got = sockstate.connections(port=pop.port, family=spelled)
        assert len(got) == 7 and {c.family for c in got} == {pop.family}
    assert sockstate.connections(port=pop.port, family=theirs) == []
    assert len(sockstate.connections(port=pop.port, family="all")) == 7


def test_uid_filter(pop4):
    assert len(sockstate.connections(port=pop4.port, uid=MY_UID)) == 7
    assert sockstate.connections(port=pop4.port, uid=MY_UID + 4242) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_pushdown_and_user_space_filtering_agree(population, backend):
    """The kernel's filter and the library's own give the same sockets."""
    h = sockstate.Handle(backend)
    p = population.port
    for kw in ({"port": p}, {"sport": p}, {"dport": p},
               {"port": p, "states": "estab,listen"},
               {"port": p, "addr": population.host}):
        pushed = h.connections(**kw)
        user = h.connections(pushdown=False, **kw)
        assert sorted(by_key(pushed)) == sorted(by_key(user)), kw
        assert pushed, kw
    h.close()


def test_counts_exact(population):
    counts = sockstate.counts(port=population.port)
    assert list(counts) == [
        State.CLOSED, State.LISTEN, State.SYN_SENT, State.SYN_RECEIVED,
        State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2,
        State.CLOSE_WAIT, State.CLOSING, State.LAST_ACK, State.TIME_WAIT,
        State.DELETE_TCB, State.BOUND, State.UNKNOWN]
    want = dict.fromkeys(State, 0)
    want.update({State.LISTEN: 1, State.ESTABLISHED: 4, State.FIN_WAIT_2: 1,
                 State.CLOSE_WAIT: 1})
    assert counts == want
    assert counts["ESTABLISHED"] == 4            # States are strings
    assert sockstate.counts("estab", port=population.port)[State.ESTABLISHED] == 4
    assert sum(sockstate.counts("estab", port=population.port).values()) == 4


def test_tcp_info(pop4):
    if sockstate.backend() != "linux-netlink":
        pytest.skip("TCP internals come from netlink")
    conns = sockstate.connections(port=pop4.port, tcp_info=True)
    assert len(conns) == 7
    for c in conns:
        t = c.tcp_info
        assert type(t) is sockstate.TcpInfo
        assert t.snd_cwnd >= 1
        assert t.rtt_us is not None and t.total_retrans == 0
    h = sockstate.Handle("linux-proc")
    assert all(c.tcp_info is None
               for c in h.connections(port=pop4.port, tcp_info=True))


def test_sort(pop4, ):
    conns = sockstate.connections(port=pop4.port, sort="local")
    keys = [(c.laddr.ip, c.laddr.port) for c in conns]
    assert keys == sorted(keys)
    conns = sockstate.connections(port=pop4.port, sort="state")
    codes = [c.state.code for c in conns]
    assert codes == sorted(codes)
    # Sorting by owner maps owners, unknown last.
    conns = sockstate.connections(port=pop4.port, sort="pid")
    assert [c.pid for c in conns] == [MY_PID] * 6 + [None]


def test_connection_fields_asdict_and_to_dict(population, schema):
    """psutil's namedtuple habits (_fields, _asdict) and a JSON-friendly
    form: to_dict() is the socket object of snapshot() for the same
    socket, and valid against the sockstate/1 schema."""
    import json
    defs = schema.schema["$defs"]
    socket_schema = type(schema)(dict(defs["socket"], **{"$defs": defs}))
    p = population.port
    for kwargs in ({}, {"processes": True}, {"tcp_info": True}):
        conns = sockstate.connections(port=p, sort="local", **kwargs)
        doc = sockstate.snapshot(port=p, sort="local", **kwargs)
        assert len(conns) == len(doc["sockets"]) == 7
        for c, s in zip(conns, doc["sockets"]):
            d = c.to_dict()
            json.dumps(d)                         # plain values only
            if c.tcp_info is None:
                s.pop("timer", None)              # not carried without TcpInfo
            assert d == s
            socket_schema.validate(d)
    c = sockstate.connections("LISTEN", port=p)[0]
    assert c._fields == sockstate.Connection._fields == (
        "family", "laddr", "raddr", "state", "native_state", "pid", "pids",
        "process", "uid", "inode", "rx_queue", "tx_queue", "tcp_info")
    assert dict(zip(c._fields, c)) == {k: v for k, v in c._asdict().items()
                                       if k in c._fields}
    d = c._asdict()
    # psutil's names are there too: status, fd, type.
    assert (d["status"], d["fd"], d["type"]) == (State.LISTEN, -1, socket.SOCK_STREAM)
    assert list(d)[13:] == ["fd", "type", "status", "netns"]
    assert c.laddr._fields == ("ip", "port")
    assert c.laddr._asdict() == {"ip": population.host, "port": p}
    assert c.native_state._asdict() == {"code": 10, "name": "LISTEN"}


def test_connection_is_immutable_and_tuple_like(pop4):
    c = sockstate.connections("LISTEN", port=pop4.port)[0]
    with pytest.raises(AttributeError):
        c.pid = 1
    family, laddr, raddr, state, *rest = c
    assert (family, laddr, raddr, state) == (c.family, c.laddr, c.raddr, c.state)
    assert len(c) == 13 and len(rest) == 9
    ip, port = c.laddr
    assert (ip, port) == (pop4.host, pop4.port)
    assert "Connection(" in repr(c) and "laddr=" in repr(c)
    import pickle
    assert pickle.loads(pickle.dumps(c)) == c


def test_ipv4_mapped_sockets_match_ipv4_prefix():
    """An IPv6 socket connected over IPv4 (::ffff:127.0.0.1) is found by
    an IPv4 prefix, as the kernel's own filter finds it."""
    listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    listener.bind(("::", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    server, _ = listener.accept()
    try:
        for h in map(sockstate.Handle, BACKENDS):
            got = h.connections("estab", port=port, addr="127.0.0.1")
            keys = sorted((c.family, tuple(c.laddr), tuple(c.raddr)) for c in got)
            cport = client.getsockname()[1]
            assert keys == sorted([
                (socket.AF_INET, ("127.0.0.1", cport), ("127.0.0.1", port)),
                (socket.AF_INET6, ("::ffff:127.0.0.1", port),
                 ("::ffff:127.0.0.1", cport)),
            ])
    finally:
        for s in (client, server, listener):
            s.close()


def test_handle_properties(pop4):
    with sockstate.Handle() as h:
        assert h.backend == BACKENDS[0]
        h.connections(port=pop4.port, processes=True)
        assert h.pid_source == "procfs" or h.pid_source == "bpf-iter"
        h.connections(port=pop4.port)
        assert h.pid_source is None
    with pytest.raises(ValueError):
        h.connections()
    assert "closed" in repr(h)
    h.close()  # idempotent


def test_netns_handle():
    """A handle on another network namespace sees its sockets, labelled."""
    import subprocess
    import sys
    if os.geteuid() != 0:
        pytest.skip("entering a network namespace needs root")
    code = ("import socket, sys; s = socket.socket(); s.bind(('', 0)); "
            "s.listen(); print(s.getsockname()[1], flush=True); sys.stdin.read()")
    try:
        child = subprocess.Popen(["unshare", "-n", sys.executable, "-c", code],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 text=True)
    except OSError as e:
        pytest.skip(f"unshare: {e}")
    try:
        line = child.stdout.readline()
        if not line:
            pytest.skip("unshare -n failed here")
        port = int(line)
        spec = f"pid:{child.pid}"
        try:
            h = sockstate.Handle(netns=spec)
        except sockstate.Unavailable as e:
            pytest.skip(f"this build cannot enter a namespace: {e}")
        with h:
            got = h.connections(port=port, processes=True)
            assert [(c.state, c.laddr, c.netns, c.pid) for c in got] == [
                (State.LISTEN, ("0.0.0.0", port), spec, child.pid)]
            assert h.counts()[State.LISTEN] == 1
        mine = sockstate.connections("listen", port=port)
        assert all(c.netns is None for c in mine)
        assert ("0.0.0.0", port) not in [tuple(c.laddr) for c in mine]
        with pytest.raises(sockstate.InvalidArgument):
            sockstate.Handle(netns="pid:999999999")
    finally:
        child.stdin.close()
        child.wait()


def test_groups_exact(population):
    pop = population
    p = pop.port
    got = sockstate.groups("port", port=p)
    want = {p: (4, {State.LISTEN: 1, State.ESTABLISHED: 2, State.CLOSE_WAIT: 1})}
    for name in ("c1", "c2", "c3"):
        e = next(x for x in pop.expected if x.name == name)
        want[e.laddr[1]] = (1, {State(e.state): 1})
    assert {g.port: (g.total, g.counts) for g in got} == want
    assert got[0].port == p                      # largest first
    assert all(g.local is None and g.process is None for g in got)
    top = sockstate.groups(["local", "uid"], port=p, top=1)
    assert [(tuple(g.local), g.uid, g.total) for g in top] == \
        [((pop.host, p), MY_UID, 4)]
    by_proc = sockstate.groups("process", port=p)
    assert {g.process: g.total for g in by_proc} == {MY_COMM: 6, None: 1}
    assert sockstate.groups("remote", port=p, states="listen")[0].remote == pop.any
    with pytest.raises(sockstate.InvalidArgument) as ei:
        sockstate.groups("port,colour")
    assert str(ei.value) == ("by: unknown key 'colour' (port, local, remote, "
                             "pid, process, uid, netns)")


def test_counts_by_pid_tells_processes_of_one_name_apart(pop4):
    """Issue 22: one python3 row stood for every python3 process. Two
    processes of this test's name hold sockets on the port: by="process"
    is one group, by="pid" two."""
    import subprocess
    import sys
    child = subprocess.Popen([sys.executable, "-c",
                              "import socket, sys; s = socket.create_connection("
                              f"({pop4.host!r}, {pop4.port})); sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        by_pid = None
        for _ in range(500):
            by_pid = sockstate.counts(by="pid", port=pop4.port)
            if child.pid in {g.pid for g in by_pid}:
                break
            time.sleep(0.01)
        assert {g.pid: g.total for g in by_pid} == {MY_PID: 6, child.pid: 1, None: 2}
        assert all(g.process is None for g in by_pid)          # not grouped on
        both = sockstate.counts(by=["pid", "process"], port=pop4.port)
        assert {(g.pid, g.process) for g in both} == {
            (MY_PID, MY_COMM), (child.pid, MY_COMM), (None, None)}
        names = sockstate.counts(by="process", port=pop4.port)
        assert {g.process: g.total for g in names} == {MY_COMM: 7, None: 2}
        text = sockstate.render_summary(by="pid", port=pop4.port)
        assert text.splitlines()[0].split()[:2] == ["Pid", "Total"]
        assert f"\n{MY_PID} " in text and f"\n{child.pid} " in text
    finally:
        child.stdin.close()
        child.wait()


def test_list_arguments_take_one_item_alone(population):
    """Issue 22: exclude_remote="10.0.0.0/8" was read a character at a
    time ("'1' is not an IP address")."""
    import ipaddress
    p = population.port
    peer = population.local(population.c1)[0]
    assert len(sockstate.blockers(p)) == 3
    assert sockstate.blockers(p, exclude_remote=peer) == []
    assert sockstate.blockers(p, exclude_remote=f"{peer}/8") == []
    assert sockstate.blockers(p, exclude_remote=ipaddress.ip_network(peer)) == []
    assert len(sockstate.blockers(p, exclude_remote="192.0.2.0/24")) == 3
    assert sockstate.wait(drained=p, timeout=0, exclude_remote=peer) is True
    assert sockstate.wait_drained(p, 0, exclude_remote=peer) is True
    assert sockstate.Handle().wait(drained=p, timeout=0, exclude_remote=peer) is True
    with pytest.raises(sockstate.InvalidArgument) as ei:
        sockstate.blockers(p, exclude_remote="nope")
    assert str(ei.value) == "exclude_remote: 'nope' is not an IP address or prefix"
    # by and states: one name or a list of them, alike.
    assert sockstate.counts(by="port", port=p) == sockstate.counts(by=["port"], port=p)
    assert sockstate.counts(sockstate.State.LISTEN, port=p)[sockstate.State.LISTEN] == 1


def test_listen_and_drain_checks(population):
    pop = population
    p = pop.port
    assert sockstate.listening(p) is True
    assert sockstate.wait_listen(p, timeout=0) is True
    free = socket.socket(pop.family)
    free.bind((pop.host, 0))
    unused = free.getsockname()[1]              # bound, never listening
    assert sockstate.listening(unused) is False
    assert sockstate.wait_listen(unused, timeout=0.2, interval=0.05) is False
    free.close()
    server_side = sorted((e.raddr, e.state) for e in pop.expected
                         if e.laddr[1] == p and e.state != "LISTEN")
    got = sockstate.blockers(p, processes=True)
    assert sorted((tuple(c.raddr), c.state.value) for c in got) == server_side
    assert {c.pid for c in got} == {MY_PID, None}
    assert [c.state for c in sockstate.blockers(p, "close-wait")] == [State.CLOSE_WAIT]
    # The peers' address (a client on 127.x.y.z talks from 127.0.0.1).
    peer = pop.local(pop.c1)[0]
    assert sockstate.blockers(p, exclude_remote=[peer]) == []
    assert len(sockstate.blockers(p, exclude_remote=["192.0.2.0/24"])) == 3
    assert sockstate.wait_drained(p, timeout=0) is False
    assert sockstate.wait_drained(p, 0, exclude_remote=[peer]) is True
    with pytest.raises(sockstate.InvalidArgument) as ei:
        sockstate.blockers(p, exclude_remote=["nope"])
    assert str(ei.value) == "exclude_remote: 'nope' is not an IP address or prefix"


def test_netns_list():
    if os.geteuid() != 0:
        pytest.skip("other processes' namespaces need root")
    try:
        spaces = sockstate.netns_list()
    except sockstate.Unavailable as e:
        pytest.skip(f"this build cannot list namespaces: {e}")
    mine = os.stat("/proc/self/ns/net").st_ino
    assert [ns.inode for ns in spaces if ns.current] == [mine]
    assert len({ns.inode for ns in spaces}) == len(spaces)
    assert all(ns.spec.startswith("pid:") or "/" not in ns.spec for ns in spaces)
