"""counts(by=...) and wait(...): the operator features under the names the
issue gives them, on real sockets (filtered on their own ports, so other
sockets of the machine never enter an assertion)."""

import socket
import struct
import threading
import time

import pytest

import sockstate
from sockstate import State


def rst_close(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


@pytest.fixture
def service():
    """A loopback listener with `n` accepted connections."""
    made = []

    def make(n):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        pairs = []
        for _ in range(n):
            c = socket.create_connection(listener.getsockname())
            s, _ = listener.accept()
            pairs.append((c, s))
        made.append((listener, pairs))
        return listener.getsockname()[1], pairs
    yield make
    for listener, pairs in made:
        for c, s in pairs:
            rst_close(c)
            rst_close(s)
        listener.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_counts_by_is_groups(service):
    port, pairs = service(2)
    groups = sockstate.counts(by="port", port=port)
    assert groups == sockstate.groups("port", port=port)
    assert groups[0].port == port
    assert (groups[0].total, groups[0].counts) == (3, {State.LISTEN: 1, State.ESTABLISHED: 2})
    assert sorted(g.port for g in groups[1:]) == sorted(c.getsockname()[1] for c, _ in pairs)
    assert all(g.counts == {State.ESTABLISHED: 1} for g in groups[1:])
    top = sockstate.counts(by=["port", "process"], top=1, port=port)
    assert len(top) == 1 and top[0].port == port and top[0].process is not None
    # Without by: the per-state dict, as before.
    assert sockstate.counts(port=port)[State.ESTABLISHED] == 4


def test_counts_by_refuses_unknown_keys():
    with pytest.raises(sockstate.InvalidArgument):
        sockstate.counts(by="pids")


def test_wait_listen(service):
    port, _ = service(0)
    assert sockstate.wait(listen=port, timeout=0) is True
    started = time.monotonic()
    assert sockstate.wait(listen=free_port(), timeout=0.3, interval=0.1) is False
    assert 0.3 <= time.monotonic() - started < 3


def test_wait_drained_returns_when_closed_elsewhere(service):
    port, pairs = service(2)
    assert sockstate.wait(drained=port, timeout=0) is False
    assert len(sockstate.blockers(port)) == 2

    def close_all():
        time.sleep(0.3)
        for c, s in pairs:
            rst_close(c)
            rst_close(s)
        pairs.clear()
        closed.append(time.monotonic())
    closed = []
    t = threading.Thread(target=close_all)
    t.start()
    assert sockstate.wait(drained=port, timeout=20, interval=0.1) is True
    returned = time.monotonic()
    t.join()
    assert returned - closed[0] < 0.6


def test_wait_drained_states_and_exclusions(service):
    port, _ = service(1)
    assert sockstate.wait(drained=port, timeout=0, exclude_remote=["127.0.0.0/8"]) is True
    assert sockstate.wait(drained=port, timeout=0, exclude_remote=["10.0.0.0/8"]) is False
    # The listener blocks only when LISTEN is named (any spelling).
    assert sockstate.wait(drained=port, timeout=0, states="SynRecv,FIN_WAIT1") is True
    assert sockstate.wait(drained=port, timeout=0, states="listening",
                          exclude_remote=["127.0.0.1"]) is False


@pytest.mark.parametrize("kwargs", [
    {}, {"listen": 1, "drained": 1}, {"listen": 1, "states": "ESTAB"},
    {"listen": 1, "exclude_remote": ["10.0.0.0/8"]}, {"drained": 70000},
    {"drained": 1, "states": "bogus"}, {"drained": 1, "exclude_remote": ["10.0.0.0/40"]},
])
def test_wait_bad_arguments(kwargs):
    with pytest.raises(sockstate.InvalidArgument):
        sockstate.wait(timeout=0, **kwargs)
