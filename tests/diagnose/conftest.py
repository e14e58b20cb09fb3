"""Set-up of diagnose's live tests (tests/diagnose): each test runs in a
network namespace of its own (unshare on the main thread before it; the
threads and processes it starts inherit it), where it provokes one
problem for real on loopback and diagnoses it through the CLI
(SOCKSTATE_CLI) and Python (the package on PYTHONPATH). Without root
there are no private namespaces, no nft and no sysctls to narrow: the
tests skip and say why."""

import json
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from private_netns import enter_private_netns  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "docs" / "schema"
CLI = os.environ.get("SOCKSTATE_CLI")
PROBLEM = enter_private_netns() if CLI else "SOCKSTATE_CLI is not set: run through ctest"

pytestmark = pytest.mark.skipif(PROBLEM is not None, reason=f"needs a private network "
                                f"namespace: {PROBLEM}")

with open("/proc/self/comm", encoding="utf-8") as _f:
    MY_COMM = _f.read().strip()


@pytest.fixture(autouse=True)
def fresh_netns():
    if PROBLEM is None:
        assert enter_private_netns() is None
    yield


def run(*args, timeout=60):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    return subprocess.run([CLI, *[str(a) for a in args]], capture_output=True,
                          timeout=timeout, env=env, check=False)


_validator = None


def validate(doc):
    """doc against sockstate-diagnosis/1, which refers to sockstate/1."""
    global _validator
    if _validator is None:
        sys.path.insert(0, str(ROOT / "tests" / "unit"))
        import validate_schema
        _validator = validate_schema.validators()["sockstate-diagnosis/1"]
    _validator.validate(doc)
    return doc


def cli_diagnose(*args, lang="en", expect_exit=1):
    """`sockstate diagnose ARGS --format json --lang LANG`: the document
    (validated), after checking the exit status and what stderr says."""
    proc = run("diagnose", *args, "--format", "json", "--lang", lang)
    assert proc.returncode == expect_exit, (proc.returncode, proc.stderr)
    if expect_exit == 1:
        assert proc.stderr.decode().startswith("sockstate: diagnose: "), proc.stderr
    else:
        assert proc.stderr == b"", proc.stderr
    doc = validate(json.loads(proc.stdout))
    assert doc["lang"] == lang
    return doc


def codes(doc):
    return [(f["code"], f["severity"]) for f in doc["findings"]]


def nft(script):
    """Load an nft ruleset into this namespace."""
    subprocess.run(["nft", "-f", "-"], input=script.encode(), check=True, timeout=30)


def sysctl(name, value):
    path = "/proc/sys/" + name.replace(".", "/")
    with open(path, "w", encoding="ascii") as f:
        f.write(value)


def listener(port, host="0.0.0.0", backlog=128, family=socket.AF_INET, v6only=None):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if v6only else 0)
    s.bind((host, port))
    s.listen(backlog)
    return s


def wait_for(predicate, what, timeout=10.0):
    """Poll predicate (a look at the sockets) until it holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Connector(threading.Thread):
    """Clients that keep connecting to (host, port), without blocking, every
    `every` seconds until stopped; their sockets are kept open."""

    def __init__(self, host, port, every=0.05):
        super().__init__(daemon=True)
        self.target, self.every = (host, port), every
        self.stop = threading.Event()
        self.socks = []

    def run(self):
        while not self.stop.is_set():
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect(self.target)
            except BlockingIOError:
                pass
            except OSError:
                c.close()
                continue
            self.socks.append(c)
            self.stop.wait(self.every)

    def close(self):
        self.stop.set()
        self.join(timeout=10)
        for c in self.socks:
            c.close()
