"""sockstate.trace() on real sockets, and python -m sockstate trace beside
the C tool. The suite runs in a network namespace of its own as root
(tests/private_netns.py): bpf and poll are forced in turn; the tests that
change nft rules check they are in that namespace."""

import datetime
import errno
import json
import os
import pathlib
import select
import socket
import subprocess
import sys

import pytest

import sockstate
from conftest import MY_COMM, MY_PID, private_loopback

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tracerun import (SynsDropped, TraceRun, close_in_order, free_port,  # noqa: E402
                      in_private_netns, validate_events)

State = sockstate.State
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="bpf needs root")
needs_own_netns = pytest.mark.skipif(
    os.geteuid() != 0 or not in_private_netns(),
    reason="changes nft rules: only in a network namespace of its own "
           "(ctest runs the suite in one as root)")


def open_fds():
    return len(os.listdir("/proc/self/fd"))


# ---------------------------------------------------------------- bpf

@needs_root
def test_refused_connect_bpf():
    host = private_loopback()
    port = free_port(host)
    events = sockstate.trace(port=port, source="bpf", count=2, timeout=30)
    with socket.socket() as s:
        assert s.connect_ex((host, port)) == errno.ECONNREFUSED
        cport = s.getsockname()[1]
    first, last = list(events)
    assert (first.old_state, first.new_state) == (State.CLOSED, State.SYN_SENT)
    assert (last.old_state, last.new_state) == (State.SYN_SENT, State.CLOSED)
    assert isinstance(last, sockstate.Event) and last.kind == "transition"
    assert last.source == "bpf" and last.family == socket.AF_INET
    assert last.laddr.port == cport and tuple(last.raddr) == (host, port)
    assert last.old_native_state == (2, "SYN-SENT")
    assert last.new_native_state == sockstate.NativeState((7, "CLOSE"))
    assert (last.cause, last.syn_retransmits, last.inferred) == ("rst-received", 0, False)
    assert (last.pid, last.process) == (MY_PID, MY_COMM)
    assert isinstance(last.in_old_state, float) and last.in_old_state > 0
    assert last.cookie == first.cookie and first.in_old_state is None
    assert last.time.tzinfo == datetime.timezone.utc
    assert last.time == datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + \
        datetime.timedelta(microseconds=last.time_ns // 1000)
    assert last.path is None and last.duration is None and last.lost is None


@needs_root
def test_normal_close_summaries_bpf():
    host = private_loopback()
    with socket.socket() as listener:
        listener.bind((host, 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        events = sockstate.trace(port=port, source="bpf", summaries=True,
                                 transitions=False, count=2, timeout=30)
        client, cport = close_in_order(listener, host, port)
        got = list(events)
        client.close()
    assert [e.kind for e in got] == ["summary", "summary"]
    by_side = {e.laddr.port: e for e in got}
    mine, theirs = by_side[cport], by_side[port]
    assert [p.state for p in mine.path] == [State.SYN_SENT, State.ESTABLISHED,
                                            State.FIN_WAIT_1, State.FIN_WAIT_2,
                                            State.TIME_WAIT]
    assert [p.state for p in theirs.path] == [State.SYN_RECEIVED, State.ESTABLISHED,
                                              State.CLOSE_WAIT, State.LAST_ACK,
                                              State.CLOSED]
    assert isinstance(mine.path[0], sockstate.PathStep)
    assert mine.path[-1].seconds is None and all(p.seconds >= 0 for p in mine.path[:-1])
    assert mine.duration == pytest.approx(sum(p.seconds for p in mine.path[:-1]), abs=1e-6)
    assert (mine.old_state, mine.new_state) == (State.SYN_SENT, State.TIME_WAIT)
    assert (mine.bytes_acked, mine.bytes_received) == (7, 3)
    assert (theirs.bytes_acked, theirs.bytes_received) == (3, 6)
    assert (mine.cause, mine.path_cut, mine.pid) == ("normal", False, MY_PID)


# ---------------------------------------------------------------- poll

@needs_own_netns
def test_refused_connect_poll():
    """Held in SYN_SENT (its SYN dropped) until a listing saw it; the SYN
    sent again a second later meets the reset."""
    host = private_loopback()
    port = free_port(host)
    with SynsDropped(port, retries=3) as syns:
        events = sockstate.trace(port=port, source="poll", interval=0.02, timeout=30)
        with socket.socket() as s:
            s.setblocking(False)
            assert s.connect_ex((host, port)) == errno.EINPROGRESS
            cport = s.getsockname()[1]
            opened = next(events)
            syns.drop(False)
            assert select.select([], [s], [], 30)[1] == [s]
            assert s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == errno.ECONNREFUSED
            closed = next(events)
        events.close()
    assert [(e.laddr.port, e.old_state, e.new_state, e.inferred) for e in (opened, closed)] == [
        (cport, State.CLOSED, State.SYN_SENT, False),
        (cport, State.SYN_SENT, State.CLOSED, False)]
    assert closed.source == "poll" and closed.cause == "unknown"
    assert closed.in_old_state > 0 and closed.pid is None


# ------------------------------------------------- the trace's own life

@needs_root
@pytest.mark.parametrize("leave", ["break", "exception", "never started"])
def test_leaving_closes_the_trace(leave):
    host = private_loopback()
    port = free_port(host)
    before = open_fds()
    events = sockstate.trace(port=port, source="bpf", timeout=30)
    assert open_fds() > before  # its own handle, the ring
    if leave == "never started":
        del events
    else:
        with socket.socket() as s:
            assert s.connect_ex((host, port)) == errno.ECONNREFUSED
        try:
            for ev in events:
                assert ev.raddr.port == port
                if leave == "exception":
                    raise KeyError("out")
                break
        except KeyError:
            pass
        del events
    assert open_fds() == before


@pytest.mark.parametrize("kwargs,message", [
    ({"source": "ebpf"}, "source: unknown source 'ebpf' (auto, bpf, sock-diag-destroy, poll)"),
    ({"source": "bpf", "interval": 1}, "interval: only with source 'poll' (or 'auto')"),
    ({"interval": 0}, "interval: 0 is not a number of seconds (above 0, at most 1000000)"),
    ({"timeout": -1}, "timeout: -1 is not a number of seconds (above 0, at most 1000000)"),
    ({"count": 0}, "count: 0 is not a count (1 or more)"),
    ({"transitions": False},
     "transitions=False: give summaries=True too, or nothing but lost events would come"),
    ({"states": "BOGUS"}, "states: unknown state name 'BOGUS'"),
    ({"port": 70000}, "port: 70000 is out of range (0-65535)"),
])
def test_bad_arguments_raise_invalid_argument(kwargs, message):
    with pytest.raises(sockstate.InvalidArgument) as e:
        sockstate.trace(**kwargs)
    assert str(e.value) == message


def test_events_carry_no_uid_filter():
    with pytest.raises(TypeError):
        sockstate.trace(uid=0)  # pylint: disable=unexpected-keyword-arg


@needs_root
def test_bpf_as_nobody_is_permission_denied():
    code = ("import sockstate\n"
            "try:\n"
            "    sockstate.trace(source='bpf')\n"
            "except sockstate.PermissionDenied as e:\n"
            "    print(e)\n")
    r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                        sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("trace: permission denied by the operating system: trace source "
                        "bpf: the caller lacks CAP_BPF and CAP_PERFMON (or "
                        "CAP_SYS_ADMIN)\n")


# ------------------------------------------- python -m sockstate trace

@needs_root
def test_python_m_sockstate_trace_writes_what_the_tool_writes(cli):
    """The same C code in both: the same lines on the same events, but
    for what each trace measures itself (its own BPF program times each
    transition)."""
    host = private_loopback()
    port = free_port(host)
    args = ["trace", "--source", "bpf", "--json", "--port", port, "--count", 2]
    runs = [TraceRun([sys.executable, "-m", "sockstate"] + args),
            TraceRun([cli] + args)]
    with socket.socket() as s:
        assert s.connect_ex((host, port)) == errno.ECONNREFUSED
    for run in runs:
        assert run.finish() == 0
        assert run.stderr_lines()[-1] == "sockstate: trace: 2 events, 0 lost"
        validate_events(run.stdout_lines(), 2)

    def steady(run):
        return [{k: v for k, v in json.loads(line).items()
                 if k not in ("time", "in_old_state_ns")} for line in run.stdout_lines()]
    assert steady(runs[0]) == steady(runs[1])
    assert [e["cause"] for e in steady(runs[0])] == ["normal", "rst-received"]


def test_python_m_sockstate_trace_ends_at_ctrl_c():
    """SIGINT, at its default action while the C code runs, is the trace's
    to catch: exit 0 once what was read is written."""
    host = private_loopback()
    port = free_port(host)
    run = TraceRun([sys.executable, "-m", "sockstate", "trace", "--source", "poll",
                    "--interval", "0.02", "--port", port, "-n"])
    with socket.socket() as listener:
        listener.bind((host, port))
        listener.listen(1)
        run.until(lambda lines: lines, "the listener's line")
    assert run.finish(interrupt=True) == 0
    assert "CLOSED -> LISTEN" in run.stdout_lines()[0]
    assert run.stderr_lines()[-1].startswith("sockstate: trace: ")
