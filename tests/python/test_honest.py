"""Honest results from Python (issue 24): IPV6_V6ONLY on Connection and
in the documents, counts() without the states it did not count, and a
warning (and a count) when owners could not be read, run as nobody."""

import csv
import io
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import warnings

import pytest

import sockstate
from sockstate import State

from conftest import private_loopback

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from dual_stack import wildcard_listeners  # noqa: E402


@pytest.fixture
def listeners():
    """A dual-stack [::] listener, an IPv6-only one and an IPv4 one."""
    made = wildcard_listeners()
    four = socket.socket()
    four.bind(("127.0.0.1", 0))
    four.listen(4)
    made.append(four)
    yield [s.getsockname()[1] for s in made]
    for s in made:
        s.close()


def test_v6only_says_which_listener_answers_ipv4(listeners):
    dual, only, four = listeners
    got = {}
    for port in listeners:
        (c,) = sockstate.connections("listen", sport=port)
        got[port] = c.v6only
    assert got == {dual: False, only: True, four: None}
    # not part of the tuple: unpacking stays as it was
    assert len(tuple(sockstate.connections("listen", sport=dual)[0])) == 13
    doc = sockstate.snapshot("listen")
    assert {s["local"]["port"]: s["v6only"] for s in doc["sockets"]
            if s["local"]["port"] in listeners} == got
    rows = csv.DictReader(io.StringIO(sockstate.render("csv", "listen")))
    assert {int(r["local_port"]): r["v6only"] for r in rows
            if int(r["local_port"]) in listeners} == {dual: "false", only: "true", four: ""}
    table = sockstate.render("table", "listen", header=False)
    assert f"*:{dual} " in table and f"[::]:{only} " in table
    # /proc cannot tell
    (c,) = sockstate.connections("listen", sport=dual, backend="linux-proc")
    assert c.v6only is None


def test_counts_leave_out_what_was_not_counted():
    s = socket.socket()
    s.bind((private_loopback(), 0))
    try:
        port = s.getsockname()[1]
        assert State.BOUND not in sockstate.counts(port=port)
        assert sockstate.counts(port=port)[State.LISTEN] == 0
        assert sockstate.counts("all", port=port)[State.BOUND] == 1
        assert sockstate.counts("bound", port=port) == {State.BOUND: 1}
    finally:
        s.close()


NOBODY_SCRIPT = r"""
import json, sys, warnings
import sockstate
port = int(sys.argv[1])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    h = sockstate.Handle()
    conns = h.connections("listen", sport=port, processes=True)
    unread = h.owners_unreadable
    doc = h.snapshot("listen", sport=port, processes=True)
    plain = h.connections("listen", sport=port)
print(json.dumps({
    "warnings": [(w.category.__name__, str(w.message)) for w in caught],
    "pids": [c.pid for c in conns], "unread": unread,
    "doc_unread": doc["owners_unreadable"], "plain": len(plain),
}))
"""


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="running as nobody needs root and setpriv")
def test_owners_that_cannot_be_read_warn(tmp_path):
    if not os.access(sys.executable, os.X_OK) or str(sys.executable).startswith("/root"):
        pytest.skip(f"{sys.executable} is not one nobody may run")
    # The package, where nobody may read it (the build tree may be under
    # /root, mode 700).
    pkg = pathlib.Path(sockstate.__file__).parent
    d = tempfile.mkdtemp(prefix="sockstate-py-")
    try:
        shutil.copytree(pkg, os.path.join(d, "sockstate"))
        for root, dirs, files in os.walk(d):
            for name in dirs + files + ["."]:
                os.chmod(os.path.join(root, name), 0o755)
        listener = socket.socket()
        listener.bind((private_loopback(), 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        try:
            proc = subprocess.run(
                ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                 sys.executable, "-c", NOBODY_SCRIPT, str(port)],
                env={"PYTHONPATH": d, "PATH": os.environ.get("PATH", "/usr/bin"),
                     # the sanitizer build's runtimes, preloaded (none otherwise)
                     **{k: v for k, v in os.environ.items()
                        if k in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}},
                capture_output=True, timeout=120, cwd=d)
        finally:
            listener.close()
        assert proc.returncode == 0, proc.stderr
        r = json.loads(proc.stdout)
        assert r["pids"] == [None]
        assert r["unread"] == 1 and r["doc_unread"] == 1 and r["plain"] == 1
        # once per call that asked for owners: connections and snapshot
        assert [w[0] for w in r["warnings"]] == ["OwnersUnreadable", "OwnersUnreadable"]
        assert r["warnings"][0][1].startswith(
            "the owners of 1 socket could not be read: the descriptors of ")
        assert r["warnings"][0][1].endswith(
            "(permission denied); run as root to see every owner")
    finally:
        shutil.rmtree(d)
    # As root every owner is read: no warning.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sockstate.connections("listen", processes=True)
    assert not [w for w in caught if issubclass(w.category, sockstate.OwnersUnreadable)]
