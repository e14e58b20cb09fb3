"""Fixtures for the Python package tests: real sockets made by the test.

Run with Debian's pytest against the build tree (ctest -L python sets
PYTHONPATH), or against an installed package. SOCKSTATE_CLI, when set,
points at the C tool for the agreement tests.

Every socket test filters on the ports of its own sockets, so other
processes' sockets on the machine never enter an assertion.
"""

import collections
import json
import os
import pathlib
import random
import select
import socket
import time

import pytest

import sockstate

# psutil's vendored tests run in a process of their own (ctest
# python.psutil_upstream): they swap psutil's functions for sockstate's.
collect_ignore = ["psutil_upstream"]

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "docs" / "schema" / "sockstate-1.json"
MY_PID = os.getpid()
MY_UID = os.getuid()
with open("/proc/self/comm", encoding="utf-8") as _f:
    MY_COMM = _f.read().strip()

BACKLOG = 7
PAYLOAD = 100


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "nosan: left to builds without a sanitizer (ctest runs it "
        "as python.nosan; bindings/python/CMakeLists.txt says why)")

Expected = collections.namedtuple(
    "Expected", "name state native laddr raddr owned rx_queue inode")

# ss's spelling and the kernel's number, per state (Linux).
LINUX_NATIVE = {
    "LISTEN": (10, "LISTEN"),
    "ESTABLISHED": (1, "ESTAB"),
    "FIN_WAIT_2": (5, "FIN-WAIT-2"),
    "CLOSE_WAIT": (8, "CLOSE-WAIT"),
}


def _wait(predicate, what, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class Population:
    """One listener and its connections on host:port, in four states.

    listener  LISTEN        owned, 1 connection waiting in its queue
    c1 / s1   ESTABLISHED   both owned; s1 holds PAYLOAD unread bytes
    c2 / s2   ESTABLISHED   c2 owned; s2 waits in the accept queue (no owner)
    c3 / s3   FIN_WAIT_2 /  c3 shut its sending side; s3 has not closed
              CLOSE_WAIT
    """

    def __init__(self, family, host):
        self.family = family
        self.host = host
        self.any = "0.0.0.0" if family == socket.AF_INET else "::"
        self.socks = []
        self.listener = self._clean_listener()
        self.port = self.listener.getsockname()[1]

        self.c1 = self._connect()
        self.s1 = self._accept()
        self.c1.sendall(b"x" * PAYLOAD)
        _wait(lambda: select.select([self.s1], [], [], 0)[0], "data on s1")

        self.c3 = self._connect()
        self.s3 = self._accept()
        self.c3.shutdown(socket.SHUT_WR)

        self.c2 = self._connect()  # stays in the accept queue
        self.expected = self._expected()
        try:
            _wait(self.settled, "the sockets to settle")
        except AssertionError:
            got = sockstate.connections(port=self.port, family=self.family)
            raise AssertionError(
                f"port {self.port}: expected {sorted(self._want())}, got "
                f"{sorted((tuple(c.laddr), tuple(c.raddr), c.state.value) for c in got)}")

    def _clean_listener(self):
        """A listener on a port no other socket uses (a closed test's
        TIME_WAIT sockets may still hold the number on either side)."""
        for _ in range(50):
            s = socket.socket(self.family, socket.SOCK_STREAM)
            s.bind((self.host, 0))
            s.listen(BACKLOG)
            port = s.getsockname()[1]
            if len(sockstate.connections("all", port=port)) == 1:
                self.socks.append(s)
                return s
            s.close()
        raise AssertionError("no free port without other sockets on it")

    def _sock(self):
        s = socket.socket(self.family, socket.SOCK_STREAM)
        self.socks.append(s)
        return s

    def _connect(self):
        s = self._sock()
        s.connect((self.host, self.port))
        return s

    def _accept(self):
        s, _ = self.listener.accept()
        self.socks.append(s)
        return s

    def local(self, s):
        return s.getsockname()[:2]

    def _expected(self):
        ino = lambda s: os.fstat(s.fileno()).st_ino  # noqa: E731
        lp = (self.host, self.port)
        e = [
            Expected("listener", "LISTEN", "LISTEN", lp, (self.any, 0), True,
                     1, ino(self.listener)),
            Expected("c1", "ESTABLISHED", "ESTAB", self.local(self.c1), lp,
                     True, 0, ino(self.c1)),
            Expected("s1", "ESTABLISHED", "ESTAB", lp, self.local(self.c1),
                     True, PAYLOAD, ino(self.s1)),
            Expected("c2", "ESTABLISHED", "ESTAB", self.local(self.c2), lp,
                     True, 0, ino(self.c2)),
            Expected("s2", "ESTABLISHED", "ESTAB", lp, self.local(self.c2),
                     False, 0, None),
            Expected("c3", "FIN_WAIT_2", "FIN-WAIT-2", self.local(self.c3), lp,
                     True, 0, ino(self.c3)),
            Expected("s3", "CLOSE_WAIT", "CLOSE-WAIT", lp, self.local(self.c3),
                     True, 1, ino(self.s3)),
        ]
        return e

    def _want(self):
        return [(e.laddr, e.raddr, e.state) for e in self.expected]

    def settled(self):
        got = sockstate.connections(port=self.port, family=self.family)
        return sorted(by_key(got)) == sorted(self._want())

    def close(self):
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass


def by_key(conns):
    """Connections keyed by (laddr, raddr, state) as plain tuples."""
    out = {}
    for c in conns:
        key = (tuple(c.laddr), tuple(c.raddr), c.state.value)
        assert key not in out, f"duplicate socket {key}"
        out[key] = c
    return out


def private_loopback():
    """A loopback address of our own (all of 127/8 is local on Linux), so
    other programs' sockets on 127.0.0.1 never share our endpoints."""
    return "127.%d.%d.%d" % tuple(random.randint(2, 254) for _ in range(3))


@pytest.fixture(params=[socket.AF_INET, socket.AF_INET6], ids=["ipv4", "ipv6"])
def population(request):
    host = private_loopback() if request.param == socket.AF_INET else "::1"
    pop = Population(request.param, host)
    yield pop
    pop.close()


@pytest.fixture
def pop4():
    pop = Population(socket.AF_INET, private_loopback())
    yield pop
    pop.close()


@pytest.fixture(scope="session")
def schema():
    import jsonschema
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        doc = json.load(f)
    cls = jsonschema.validators.validator_for(doc)
    cls.check_schema(doc)
    return cls(doc)


def check_document(validator, doc):
    """Schema-valid, and a document with sockets agrees with itself."""
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)
    if "sockets" in doc:
        tally = collections.Counter(s["state"] for s in doc["sockets"])
        assert doc["counts"] == dict(tally)
        assert doc["total"] == len(doc["sockets"])


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("SOCKSTATE_CLI")
    if not path:
        pytest.skip("SOCKSTATE_CLI is not set (ctest sets it to the C tool)")
    return path
