"""Capture here, look later: Handle(capture_dir=...) saves the kernel's
dumps, Handle(replay=FILE), `sockstate --replay FILE` and
`python -m sockstate --replay FILE` list the same sockets from the file,
with the same filters; a bad file is the documented exception (Python)
or one line and exit 2 (both command lines), never a traceback."""

import json
import os
import subprocess
import sys

import pytest

import sockstate

from conftest import by_key, check_document


def capture(tmp_path, pop):
    """The population's sockets as this machine's kernel dumps them, saved
    by capture mode; the file and the live listing."""
    cap = tmp_path / "cap"
    cap.mkdir()
    with sockstate.Handle("linux-netlink", capture_dir=str(cap)) as h:
        live = h.connections(port=pop.port, family=pop.family)
    (path,) = cap.iterdir()
    assert path.name.startswith("diag-") and path.name.endswith(".bin")
    return path, live


def test_capture_then_replay(tmp_path, population):
    path, live = capture(tmp_path, population)
    assert len(live) == 7
    with sockstate.Handle(replay=path) as h:
        assert h.backend == "linux-replay"
        again = h.connections(port=population.port, family=population.family)
        assert by_key(again).keys() == by_key(live).keys()
        for key, c in by_key(again).items():
            old = by_key(live)[key]
            assert (c.native_state, c.uid, c.inode, c.rx_queue, c.tx_queue) == \
                (old.native_state, old.uid, old.inode, old.rx_queue, old.tx_queue)
            assert c.pid is None and c.pids is None
        # The same filters as on live sockets, applied to the file.
        assert [c.state.value for c in h.connections("listen", port=population.port)] == \
            ["LISTEN"]
        assert h.counts(port=population.port)[sockstate.State.ESTABLISHED] == 4
        assert len(h.connections(sport=population.port)) == 4
        assert h.snapshot(port=population.port)["backend"] == "linux-replay"
        with pytest.raises(sockstate.Unavailable, match="cannot map sockets to processes"):
            h.connections(processes=True)


def test_replay_from_the_command_lines(tmp_path, pop4, cli, schema):
    path, _ = capture(tmp_path, pop4)
    args = ["--replay", path, "--port", pop4.port, "--json"]
    c_out = subprocess.run([cli, *map(str, args)], capture_output=True, timeout=60)
    py_out = subprocess.run([sys.executable, "-m", "sockstate", *map(str, args)],
                            capture_output=True, timeout=60)
    assert c_out.returncode == py_out.returncode == 0, (c_out.stderr, py_out.stderr)
    a, b = json.loads(c_out.stdout), json.loads(py_out.stdout)
    check_document(schema, a)
    assert len(a["sockets"]) == 7 and a["sockets"] == b["sockets"]
    assert a["backend"] == b["backend"] == "linux-replay"


def test_bad_replay_files(tmp_path, cli):
    truncated = tmp_path / "cut.bin"
    path, _ = capture(tmp_path, _Listener())
    truncated.write_bytes(path.read_bytes()[:-5])
    with sockstate.Handle(replay=str(truncated)) as h:
        with pytest.raises(sockstate.Error) as e:
            h.connections()
    assert e.value.name == "SOCKSTATE_EPARSE"
    assert "the file ends inside a netlink header" in e.value.detail
    with pytest.raises(sockstate.InvalidArgument, match="No such file"):
        sockstate.Handle(replay=str(tmp_path / "missing.bin"))
    with pytest.raises(sockstate.InvalidArgument, match="not a regular file"):
        sockstate.Handle(replay=str(tmp_path))
    with pytest.raises(sockstate.InvalidArgument, match="excludes the netns"):
        sockstate.Handle(replay=str(path), netns="pid:1")
    for tool in ([cli], [sys.executable, "-m", "sockstate"]):
        p = subprocess.run([*tool, "--replay", str(truncated)], capture_output=True,
                           timeout=60)
        assert p.returncode == 2 and p.stdout == b""
        assert p.stderr.count(b"\n") == 1 and b"Traceback" not in p.stderr
        assert b"the file ends inside a netlink header" in p.stderr


class _Listener:
    """A single listener, for a capture that is only cut short."""

    def __init__(self):
        import socket
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.family = socket.AF_INET
