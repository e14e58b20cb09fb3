"""`sockstate trace` on real sockets: each source forced in turn, reading
the tool's lines as it writes them.

The suite runs in a network namespace of its own as root
(tests/private_netns.py); the tests that change sysctls or nft rules
check that they are in one, the others only need root for bpf and for
becoming nobody. Every NDJSON line is validated against
docs/schema/sockstate-event-1.json.
"""

import csv
import errno
import io
import json
import os
import pathlib
import re
import select
import shutil
import socket
import stat
import sys
import tempfile

import pytest

from test_cli import CLI, MY_COMM, MY_PID, clean_env, private_loopback

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from tracerun import (SynsDropped, TraceRun, close_in_order, free_port,  # noqa: E402
                      in_order, in_private_netns, transitions, validate_events)

pytestmark = pytest.mark.skipif(not CLI, reason="SOCKSTATE_CLI is not set")

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="bpf and nobody need root")
needs_own_netns = pytest.mark.skipif(
    os.geteuid() != 0 or not in_private_netns(),
    reason="changes sysctls and nft rules: only in a network namespace of its own "
           "(ctest runs the suite in one as root)")

CLOSER = [("ESTABLISHED", "FIN_WAIT_1"), ("FIN_WAIT_1", "FIN_WAIT_2"),
          ("FIN_WAIT_2", "TIME_WAIT")]
OTHER_SIDE = [("ESTABLISHED", "CLOSE_WAIT"), ("CLOSE_WAIT", "LAST_ACK"),
              ("LAST_ACK", "CLOSED")]


def trace(*args):
    """`sockstate trace ARGS --verbose`, once it watches."""
    return TraceRun([CLI, "trace", *args], env=clean_env())


def refused_connect(host, port, sock=None):
    """A connect nobody answers but with a reset; the client's port."""
    s = sock or socket.socket()
    assert s.connect_ex((host, port)) == errno.ECONNREFUSED
    cport = s.getsockname()[1]
    s.close()
    return cport


def ended(run, events):
    """Exit 0, and --verbose's last line counts what was written."""
    assert run.finish() == 0, run.stderr_lines()
    assert run.stderr_lines()[-1] == f"sockstate: trace: {events} events, 0 lost"


# ---------------------------------------------------------------- bpf

@needs_root
def test_refused_connect_bpf_json_table_and_csv():
    host = private_loopback()
    port = free_port(host)
    runs = {fmt: trace("--source", "bpf", "--format", fmt, "--port", port, "--count", 2)
            for fmt in ("json", "table", "csv")}
    cport = refused_connect(host, port)
    for run in runs.values():
        ended(run, 2)

    lines = runs["json"].stdout_lines()
    validate_events(lines, 2)
    first, last = [json.loads(x) for x in lines]
    assert (first["old_state"], first["new_state"]) == ("CLOSED", "SYN_SENT")
    # The kernel picks the connect's port after its first event.
    # An unbound client's address is the route's (its own is cleared when
    # the connect fails).
    caddr = first["local"]["address"]
    assert caddr.startswith("127.") and first["local"]["port"] == 0
    assert (last["old_state"], last["new_state"]) == ("SYN_SENT", "CLOSED")
    assert last["local"] == {"address": caddr, "port": cport}
    assert last["remote"] == {"address": host, "port": port}
    assert last["old_native_state"] == {"code": 2, "name": "SYN-SENT"}
    assert last["new_native_state"] == {"code": 7, "name": "CLOSE"}
    assert (last["cause"], last["syn_retransmits"]) == ("rst-received", 0)
    assert last["source"] == "bpf" and last["inferred"] is False
    assert (last["pid"], last["process"]) == (MY_PID, MY_COMM)
    assert last["in_old_state_ns"] > 0 and last["cookie"] == first["cookie"]

    table = runs["table"].stdout_lines()
    assert len(table) == 3
    assert table[0].split() == ["Time", "Source", "Local", "Address:Port", "Peer",
                                "Address:Port", "Old", "->", "New", "Cause", "Ms", "Pid",
                                "Process"]
    c, h, p = re.escape(caddr), re.escape(host), port
    assert re.fullmatch(rf"\S+Z +bpf +{c}:0 +{h}:{p} +CLOSED -> SYN_SENT +normal +- +"
                        rf"{MY_PID} +{re.escape(MY_COMM)}", table[1]), table[1]
    assert re.fullmatch(rf"\S+Z +bpf +{c}:{cport} +{h}:{p} +SYN_SENT -> CLOSED +"
                        rf"rst-received +\d+\.\d{{3}} +{MY_PID} +{re.escape(MY_COMM)}",
                        table[2]), table[2]

    rows = list(csv.DictReader(io.StringIO("\r\n".join(runs["csv"].stdout_lines()) + "\r\n")))
    assert [(r["old_state"], r["new_state"], r["cause"]) for r in rows] == [
        ("CLOSED", "SYN_SENT", "normal"), ("SYN_SENT", "CLOSED", "rst-received")]
    assert rows[1]["local_port"] == str(cport) and rows[1]["pid"] == str(MY_PID)


@needs_own_netns
def test_syn_timeout_bpf_counts_the_syns_sent_again():
    host = private_loopback()
    port = free_port(host)
    with SynsDropped(port, retries=1) as syns:
        events = trace("--source", "bpf", "--json", "--port", port, "--count", 2)
        # --summary before the subcommand is trace's too.
        summary = TraceRun([CLI, "--summary", "trace", "--source", "bpf", "--port", port,
                            "--count", 1, "-n"], env=clean_env())
        with socket.socket() as s:
            assert s.connect_ex((host, port)) == errno.ETIMEDOUT
            cport = s.getsockname()[1]
        ended(events, 2)
        ended(summary, 1)
        sent = syns.sent()
    # tcp_syn_retries 1: the first SYN and the kernel's retries (one or two:
    # it counts time, not SYNs).
    assert sent >= 2
    lines = events.stdout_lines()
    validate_events(lines, 2)
    last = json.loads(lines[1])
    assert (last["old_state"], last["new_state"]) == ("SYN_SENT", "CLOSED")
    # The count is the library's (trace.live holds it to nft's exactly);
    # here: shown, and no more than were sent again.
    resent = last["syn_retransmits"]
    assert last["cause"] == "syn-timeout" and 1 <= resent <= sent - 1
    assert last["local"]["port"] == cport and last["remote"]["port"] == port
    caddr = last["local"]["address"]
    line, = summary.stdout_lines()
    assert re.fullmatch(rf"\S+Z +bpf +{re.escape(caddr)}:{cport} +{re.escape(host)}:{port} +"
                        rf"SUMMARY SYN_SENT\(\d+\.\d{{3}}ms\) > CLOSED "
                        rf"cause=syn-timeout\([1-{sent - 1}]\) ms=\d+\.\d{{3}} tx=0 rx=0 "
                        rf"{MY_PID} +{re.escape(MY_COMM)}", line), line


@needs_root
def test_normal_close_bpf_both_sides_and_their_summaries():
    host = private_loopback()
    with socket.socket() as listener:
        listener.bind((host, 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        events = trace("--source", "bpf", "--json", "--port", port)
        summaries = trace("--summary", "--source", "bpf", "--json", "--port", port)
        client, cport = close_in_order(listener, host, port)
        events.until_events(
            lambda ev: in_order(transitions(ev, cport, port), CLOSER)
            and in_order(transitions(ev, port, cport), OTHER_SIDE),
            "both sides' closing transitions")
        summaries.until_events(lambda ev: len(ev) >= 2, "two summaries")
        client.close()
    assert events.finish(interrupt=True) == 0
    assert summaries.finish(interrupt=True) == 0

    ev = events.events()
    validate_events(events.stdout_lines(), 6)
    assert transitions(ev, cport, port) == [("SYN_SENT", "ESTABLISHED")] + CLOSER
    assert in_order(transitions(ev, port, cport), [("SYN_RECEIVED", "ESTABLISHED")] + OTHER_SIDE)
    assert all(e["cause"] == "normal" and e["source"] == "bpf" for e in ev)
    assert events.stderr_lines()[-1] == f"sockstate: trace: {len(ev)} events, 0 lost"

    sums = summaries.events()
    validate_events(summaries.stdout_lines(), 2)
    assert all(e["kind"] == "summary" for e in sums)
    by_side = {e["local"]["port"]: e for e in sums}
    mine, theirs = by_side[cport], by_side[port]
    assert [s["state"] for s in mine["path"]] == [
        "SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"]
    assert [s["state"] for s in theirs["path"]] == [
        "SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"]
    assert (mine["bytes_acked"], mine["bytes_received"]) == (7, 3)
    assert (theirs["bytes_acked"], theirs["bytes_received"]) == (3, 6)
    assert mine["duration_ns"] == sum(s["ns"] for s in mine["path"][:-1])
    assert (mine["pid"], theirs["pid"]) == (MY_PID, MY_PID)


# ---------------------------------------------------------------- poll

@needs_root
def test_normal_close_poll_step_by_step():
    """Each step waits for the trace to report the state it left, so
    every listing in between sees it."""
    host = private_loopback()
    port = free_port(host)
    run = trace("--source", "poll", "--interval", "0.02", "--json", "--port", port)
    with socket.socket() as listener:
        listener.bind((host, port))
        listener.listen(4)
        run.until_events(lambda ev: ("CLOSED", "LISTEN") in transitions(ev, port, 0),
                         "the listener")
        client = socket.create_connection((host, port))
        server, _ = listener.accept()
        cport = client.getsockname()[1]
        run.until_events(lambda ev: transitions(ev, cport, port) and
                         transitions(ev, port, cport), "the connection")
        client.shutdown(socket.SHUT_WR)
        run.until_events(lambda ev: transitions(ev, cport, port)[-1:] ==
                         [("FIN_WAIT_1", "FIN_WAIT_2")] and
                         transitions(ev, port, cport)[-1:] == [("ESTABLISHED", "CLOSE_WAIT")],
                         "FIN_WAIT_2 and CLOSE_WAIT")
        assert server.recv(16) == b""
        server.close()
        run.until_events(lambda ev: transitions(ev, cport, port)[-1:] ==
                         [("FIN_WAIT_2", "TIME_WAIT")] and
                         transitions(ev, port, cport)[-1:] == [("LAST_ACK", "CLOSED")],
                         "TIME_WAIT and the server's end")
        client.close()
    assert run.finish(interrupt=True) == 0
    ev = run.events()
    validate_events(run.stdout_lines(), 9)
    assert all(e["source"] == "poll" and e["cause"] == "unknown" for e in ev)
    # A listing cannot tell a passive from an active open: one inferred step.
    assert transitions(ev, cport, port) == [("CLOSED", "ESTABLISHED")] + CLOSER
    assert transitions(ev, port, cport) == [("CLOSED", "ESTABLISHED")] + OTHER_SIDE
    listen = next(e for e in ev if e["new_state"] == "LISTEN")
    assert listen["inferred"] is False and listen["pid"] is None


@needs_root
def test_poll_maps_owners_with_p():
    host = private_loopback()
    port = free_port(host)
    run = trace("--source", "poll", "--interval", "0.02", "--json", "--port", port, "-p",
                "--count", 1)
    with socket.socket() as listener:
        listener.bind((host, port))
        listener.listen(1)
        ended(run, 1)
    ev, = run.events()
    assert (ev["old_state"], ev["new_state"]) == ("CLOSED", "LISTEN")
    assert (ev["pid"], ev["process"]) == (MY_PID, MY_COMM)


@needs_own_netns
def test_refused_connect_poll():
    """The SYN is dropped until the trace has seen SYN_SENT; the one sent
    again a second later meets the reset."""
    host = private_loopback()
    port = free_port(host)
    with SynsDropped(port, retries=3) as syns:
        run = trace("--source", "poll", "--interval", "0.02", "--json", "--port", port)
        with socket.socket() as s:
            s.setblocking(False)
            assert s.connect_ex((host, port)) == errno.EINPROGRESS
            cport = s.getsockname()[1]
            run.until_events(lambda ev: transitions(ev, cport, port), "SYN_SENT")
            syns.drop(False)
            assert select.select([], [s], [], 30)[1] == [s]
            assert s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == errno.ECONNREFUSED
            run.until_events(lambda ev: len(transitions(ev, cport, port)) == 2, "its end")
    assert run.finish(interrupt=True) == 0
    ev = run.events()
    validate_events(run.stdout_lines(), 2)
    assert [(e["old_state"], e["new_state"], e["inferred"]) for e in ev] == [
        ("CLOSED", "SYN_SENT", False), ("SYN_SENT", "CLOSED", False)]


@needs_root
def test_duration_ends_the_trace():
    host = private_loopback()
    port = free_port(host)
    run = trace("--source", "poll", "--interval", "0.02", "--duration", "3", "--port", port,
                "-n")
    with socket.socket() as listener:
        listener.bind((host, port))
        listener.listen(1)
        assert run.finish() == 0
    line, = run.stdout_lines()
    assert re.fullmatch(rf"\S+Z +poll +{re.escape(host)}:{port} +0\.0\.0\.0:0 +"
                        r"CLOSED -> LISTEN +unknown +- +- +-", line), line


# ---------------------------------------------- sock-diag-destroy as nobody

@pytest.fixture
def as_nobody():
    """(argv prefix, env) running the CLI as nobody from a directory nobody
    may read (the build tree may be under /root, mode 700)."""
    d = tempfile.mkdtemp(prefix="sockstate-trace-")
    os.chmod(d, 0o755)
    shutil.copy2(CLI, os.path.join(d, "sockstate"))
    for lib in pathlib.Path(CLI).resolve().parent.glob("libsockstate.so*"):
        shutil.copy2(lib, os.path.join(d, lib.name), follow_symlinks=True)
    for p in pathlib.Path(d).iterdir():
        p.chmod(p.stat().st_mode | stat.S_IROTH | stat.S_IXOTH)
    prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
              os.path.join(d, "sockstate")]
    yield prefix, clean_env(LD_LIBRARY_PATH=d)
    shutil.rmtree(d, ignore_errors=True)


@needs_root
def test_sock_diag_destroy_as_nobody(as_nobody):
    prefix, env = as_nobody
    host = private_loopback()
    port = free_port(host)
    client = socket.socket()
    client.bind((host, 0))
    cport = client.getsockname()[1]
    run = TraceRun(prefix + ["trace", "--json", "--sport", cport, "--count", 1], env=env)
    # auto picks it, and says why not bpf.
    assert re.fullmatch(r"sockstate: trace source sock-diag-destroy: .*; not bpf: the "
                        r"caller lacks CAP_BPF.*", run.stderr_lines()[0]), run.stderr_lines()
    refused_connect(host, port, client)
    assert run.finish() == 0
    lines = run.stdout_lines()
    validate_events(lines, 1)
    ev, = [json.loads(x) for x in lines]
    # Only the end, where it came from unknown; a failed connect cleared
    # the peer's port.
    assert (ev["old_state"], ev["new_state"], ev["cause"]) == ("UNKNOWN", "CLOSED", "unknown")
    assert ev["local"] == {"address": host, "port": cport}
    assert ev["remote"]["port"] == 0
    assert ev["source"] == "sock-diag-destroy" and ev["old_native_state"] is None
    assert ev["pid"] is None and isinstance(ev["cookie"], int)


@needs_root
def test_bpf_asked_as_nobody_is_exit_3_with_the_reason(as_nobody):
    prefix, env = as_nobody
    run = TraceRun(prefix + ["trace", "--source", "bpf"], env=env, ready=False)
    assert run.finish() == 3
    assert run.stdout_lines() == []
    assert run.stderr_lines() == [
        "sockstate: trace: permission denied by the operating system: trace source bpf: "
        "the caller lacks CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)"]
