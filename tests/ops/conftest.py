"""Shared set-up of the operator-feature tests (tests/ops).

The binary comes from SOCKSTATE_CLI (ctest sets it). As root every test
runs in a fresh network namespace of its own (unshare on the main thread
before each test; threads and processes it starts inherit it), so every
socket a test counts is one it opened (no TIME_WAIT left by the test
before) and counts can be asserted exactly. Without root the tests that need exact
totals or namespaces skip and say why.
"""

import json
import os
import pathlib
import shutil
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from private_netns import enter_private_netns  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "docs" / "schema" / "sockstate-1.json"
CLI = os.environ.get("SOCKSTATE_CLI")
IS_ROOT = os.geteuid() == 0
PRIVATE_NETNS_PROBLEM = enter_private_netns() if CLI else "SOCKSTATE_CLI is not set"
PRIVATE = PRIVATE_NETNS_PROBLEM is None


@pytest.fixture(autouse=True)
def fresh_netns():
    if PRIVATE:
        problem = enter_private_netns()
        assert problem is None, problem
    yield

needs_cli = pytest.mark.skipif(
    not CLI, reason="SOCKSTATE_CLI is not set: run through ctest (-L ops)")
needs_private = pytest.mark.skipif(
    not PRIVATE, reason=f"exact counts need a private network namespace: "
    f"{PRIVATE_NETNS_PROBLEM}")


def run(*args, timeout=60, env=None, **kwargs):
    env = dict(os.environ if env is None else env)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        env.pop(var, None)
    return subprocess.run([CLI, *[str(a) for a in args]], capture_output=True,
                          timeout=timeout, check=False, env=env, **kwargs)


def run_ok(*args, **kwargs):
    proc = run(*args, **kwargs)
    assert proc.returncode == 0, (args, proc.returncode, proc.stderr.decode(errors="replace"))
    assert proc.stderr == b"", (args, proc.stderr)
    return proc.stdout.decode("utf-8")


_validator = None


def validate(doc):
    """Validate one document against the sockstate/1 schema."""
    global _validator
    if _validator is None:
        import jsonschema
        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    _validator.validate(doc)
    return doc


def run_json(*args, **kwargs):
    return validate(json.loads(run_ok(*args, **kwargs)))


def rst_close(sock):
    """Close with RST: no TIME_WAIT left behind."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class Service:
    """A loopback listener and `clients` accepted connections to it."""

    def __init__(self, clients=0, family=socket.AF_INET, host="127.0.0.1"):
        self.family = family
        self.host = host
        self.listener = socket.socket(family, socket.SOCK_STREAM)
        self.listener.bind((host, 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.pairs = []
        for _ in range(clients):
            self.connect()

    def connect(self):
        client = socket.create_connection((self.host, self.port))
        server, _ = self.listener.accept()
        self.pairs.append((client, server))
        return client, server

    def client_ports(self):
        return sorted(c.getsockname()[1] for c, _ in self.pairs)

    def close(self):
        for client, server in self.pairs:
            rst_close(client)
            rst_close(server)
        self.pairs = []
        rst_close(self.listener)


@pytest.fixture
def service():
    made = []

    def make(clients=0, **kwargs):
        s = Service(clients, **kwargs)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()


def copy_cli_for_nobody():
    """The CLI and its library in a directory `nobody` may read (the build
    tree may live under /root, mode 700). Returns (dir, env)."""
    d = tempfile.mkdtemp(prefix="sockstate-ops-")
    os.chmod(d, 0o755)
    shutil.copy2(CLI, os.path.join(d, "sockstate"))
    libdir = pathlib.Path(CLI).resolve().parent
    for lib in libdir.glob("libsockstate.so*"):
        shutil.copy2(lib, os.path.join(d, lib.name), follow_symlinks=True)
    for p in pathlib.Path(d).iterdir():
        p.chmod(p.stat().st_mode | stat.S_IROTH | stat.S_IXOTH)
    env = dict(os.environ, LD_LIBRARY_PATH=d)
    return d, env


def wait_until(predicate, timeout=10.0, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()
