"""Honest results (issue 24): no number that looks like something it is
not, nothing left out without saying so. Each test sets up its sockets in
a network namespace of its own (conftest), so counts are exact.

  - Prometheus: the host-wide series equal an unfiltered count of every
    state while two ports (repeated --port, and a comma list) have their
    own series; other filters are refused.
  - A state that was not counted is not shown as 0 (table, CSV, JSON).
  - As nobody: owners that could not be read are said once on stderr and
    in the JSON (exit 0); TIME_WAIT sockets, which have no owner, are not
    among them; namespaces that cannot be entered are exit 4, one line
    each.
  - A dual-stack [::] listener and an IPV6_V6ONLY one, side by side, in
    the table, JSON and CSV.
"""

import csv
import io
import json
import os
import shutil
import socket
import subprocess

import pytest

from conftest import (IS_ROOT, ROOT, copy_cli_for_nobody, needs_cli, needs_private, run,
                      run_json, run_ok, validate)
from dual_stack import wildcard_listeners

pytestmark = [needs_cli, needs_private]


def parse_prometheus(text):
    out = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        name, value = line.rsplit(" ", 1)
        assert name not in out, f"duplicate series {name}"
        out[name] = int(value)
    return out


def unfiltered_counts():
    """{(family, state): n} of every state, from the summary's CSV."""
    rows = csv.DictReader(io.StringIO(run_ok("summary", "--state", "all", "--csv")))
    counts = {}
    for row in rows:
        counts[("ipv4", row["state"])] = int(row["ipv4"])
        counts[("ipv6", row["state"])] = int(row["ipv6"])
    return counts


@pytest.fixture
def bound_socket():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    yield s.getsockname()[1]
    s.close()


@pytest.mark.parametrize("ports_args", ["repeated", "comma list"])
def test_prometheus_host_wide_with_two_ports(service, bound_socket, ports_args):
    a = service(3)
    b = service(1, family=socket.AF_INET6, host="::1")
    args = (["--port", a.port, "--port", b.port] if ports_args == "repeated"
            else ["--port", f"{a.port},{b.port}"])
    series = parse_prometheus(run_ok("summary", "--format", "prometheus", *args))
    want = unfiltered_counts()
    # Every state of both families, each the whole namespace's count:
    # BOUND included (counted, not a placeholder 0).
    host = {k: v for k, v in series.items() if k.startswith("sockstate_tcp_sockets{")}
    assert len(host) == 28
    for (family, state), n in want.items():
        assert host[f'sockstate_tcp_sockets{{family="{family}",state="{state}"}}'] == n
    assert want[("ipv4", "LISTEN")] == 1 and want[("ipv4", "ESTABLISHED")] == 6
    assert want[("ipv6", "LISTEN")] == 1 and want[("ipv6", "ESTABLISHED")] == 2
    assert want[("ipv4", "BOUND")] == 1
    # Each port's own series, exactly its sockets.
    for svc, clients in ((a, 3), (b, 1)):
        mine = {k: v for k, v in series.items()
                if k.startswith(f'sockstate_tcp_port_sockets{{port="{svc.port}",')}
        assert len(mine) == 28
        assert {k: v for k, v in mine.items() if v} == {
            f'sockstate_tcp_port_sockets{{port="{svc.port}",side="local",state="LISTEN"}}': 1,
            f'sockstate_tcp_port_sockets{{port="{svc.port}",side="local",'
            f'state="ESTABLISHED"}}': clients,
            f'sockstate_tcp_port_sockets{{port="{svc.port}",side="remote",'
            f'state="ESTABLISHED"}}': clients,
        }
    # `list --format prometheus` is the same output.
    assert parse_prometheus(run_ok("--format", "prometheus", *args)) == series


def test_prometheus_refuses_a_filter_that_would_lie(service):
    svc = service(1)
    for args in (["--state", "established"], ["-4"], ["--sport", svc.port],
                 ["--addr", "127.0.0.1"]):
        proc = run("summary", "--format", "prometheus", "--port", svc.port, *args)
        assert proc.returncode == 2 and proc.stdout == b"", args
        assert proc.stderr.decode().endswith(
            ": not with --format prometheus: its series count the whole host "
            "(--port adds a port's own series)\n"), proc.stderr


def test_shipped_prometheus_examples_run(service):
    # The systemd unit's and the cron line's command, as shipped, with the
    # file written here instead.
    svc = service(1)
    d = ROOT / "examples" / "prometheus"
    for text in ((d / "sockstate-textfile.service").read_text(),
                 (d / "sockstate.cron").read_text()):
        line = [ln for ln in text.splitlines() if "sockstate summary" in ln
                and not ln.startswith("#")][0]
        words = line.split("/usr/local/bin/sockstate ", 1)[1].split()
        assert words[:3] == ["summary", "--format", "prometheus"]
        out = words.index("-o")
        args = words[3:out] + words[out + 2:]
        series = parse_prometheus(run_ok("summary", "--format", "prometheus", *args))
        assert series['sockstate_tcp_sockets{family="ipv4",state="ESTABLISHED"}'] == 2
        assert series['sockstate_tcp_sockets{family="ipv4",state="LISTEN"}'] == 1


def test_a_state_not_counted_is_not_shown_as_zero(bound_socket):
    table = run_ok("summary")
    assert "BOUND" not in table
    assert "\nTOTAL        0\n" in table
    table = run_ok("summary", "--state", "all")
    assert "\nBOUND        1\n" in table
    csv_text = run_ok("summary", "--csv")
    assert "BOUND" not in csv_text and "LISTEN,0,0,0" in csv_text
    assert "BOUND,1,0,1\r\n" in run_ok("summary", "--csv", "--state", "all")
    doc = run_json("summary", "--json")
    assert "BOUND" not in doc["counts"] and doc["counts"]["LISTEN"] == 0
    assert run_json("summary", "--json", "--state", "all")["counts"]["BOUND"] == 1
    doc = run_json("summary", "--json", "--by", "port", "--state", "all")
    assert doc["counts"]["BOUND"] == 1 and doc["groups"][0]["port"] == bound_socket
    by_port = run_ok("summary", "--by", "port", "--csv")
    assert "BOUND" not in by_port.splitlines()[0]


# ------------------------------------------------------------ as nobody

needs_root = pytest.mark.skipif(not IS_ROOT or shutil.which("setpriv") is None,
                                reason="running as nobody needs root and setpriv")


def as_nobody(tmp, env, *args):
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                           os.path.join(tmp, "sockstate"), *[str(a) for a in args]],
                          env=env, capture_output=True, timeout=60)


@pytest.fixture
def nobody_cli():
    tmp, env = copy_cli_for_nobody()
    yield tmp, env
    shutil.rmtree(tmp)


def time_wait_pair():
    """A connection closed client first: the client's end stays in
    TIME_WAIT, which has no owner by nature."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    port = client.getsockname()[1]
    client.close()
    server.settimeout(5)
    assert server.recv(1) == b""
    server.close()
    listener.close()
    return port


@needs_root
def test_unreadable_owners_are_said_once_and_counted(service, nobody_cli):
    tmp, env = nobody_cli
    svc = service(1)              # 3 sockets of root: a listener, both ends
    tw_port = time_wait_pair()    # TIME_WAIT: no owner to read, not counted
    proc = as_nobody(tmp, env, "-p", "--state", "listen")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 2 and lines[1].split()[-2:] == ["-", "-"]
    err = proc.stderr.decode().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("sockstate: the owners of 1 socket could not be read: "
                             "the descriptors of ")
    assert err[0].endswith(" could not be read (permission denied); run as root to see "
                           "every owner")
    proc = as_nobody(tmp, env, "--json", "-p", "--state", "all")
    assert proc.returncode == 0
    doc = validate(json.loads(proc.stdout))
    ports = sorted((s["local"]["port"], s["state"]) for s in doc["sockets"])
    assert (tw_port, "TIME_WAIT") in ports and len(ports) == 4
    assert doc["owners_unreadable"] == 3
    assert all(s["pid"] is None for s in doc["sockets"])
    assert proc.stderr.decode().startswith("sockstate: the owners of 3 sockets could not ")
    proc = as_nobody(tmp, env, "summary", "--by", "process", "--json")
    assert proc.returncode == 0
    doc = validate(json.loads(proc.stdout))
    assert doc["owners_unreadable"] == 3
    assert [(g["process"], g["total"]) for g in doc["groups"]] == [(None, 4)]
    assert proc.stderr.count(b"\n") == 1
    # Without owners asked for there is nothing to say; as root every
    # owner is read: no line, owners_unreadable 0.
    proc = as_nobody(tmp, env, "--json", "--port", svc.port)
    assert proc.returncode == 0 and proc.stderr == b""
    assert "owners_unreadable" not in json.loads(proc.stdout)
    doc = run_json("--json", "-p", "--state", "all")
    assert doc["owners_unreadable"] == 0
    assert {s["pid"] for s in doc["sockets"] if s["state"] != "TIME_WAIT"} == {os.getpid()}


@needs_root
def test_all_netns_names_what_nobody_cannot_enter(service, nobody_cli):
    # A namespace no name points at, held by a root process: as nobody
    # it cannot be entered, which is one line naming it and exit 4, the
    # caller's own namespace still listed.
    tmp, env = nobody_cli
    svc = service(0)
    # unshare execs the shell in the new namespace: "ready" says it is there.
    other = subprocess.Popen(["unshare", "-n", "sh", "-c", "echo ready; exec sleep 60"],
                             stdout=subprocess.PIPE)
    try:
        assert other.stdout.readline() == b"ready\n"
        proc = as_nobody(tmp, env, "--all-netns", "--json", "--port", svc.port)
        assert proc.returncode == 4, proc.stderr
        err = proc.stderr.decode().splitlines()
        assert (f"sockstate: --all-netns: permission denied by the operating system: "
                f"network namespace 'pid:{other.pid}': open(/proc/{other.pid}/ns/net): "
                f"Permission denied") in err
        assert err[-1].startswith("sockstate: partial result: ")
        doc = validate(json.loads(proc.stdout))
        assert [(s["local"]["port"], s["state"]) for s in doc["sockets"]] == \
            [(svc.port, "LISTEN")]
    finally:
        other.kill()
        other.wait()


# ------------------------------------------------------------ dual-stack

def test_dual_stack_and_ipv6_only_listeners_side_by_side():
    dual, only = wildcard_listeners()
    d, q = dual.getsockname()[1], only.getsockname()[1]
    try:
        table = run_ok("-n").splitlines()
        assert sorted(line.split()[4] for line in table) == sorted([f"*:{d}", f"[::]:{q}"])
        doc = run_json("--json")
        assert {s["local"]["port"]: s["v6only"] for s in doc["sockets"]} == {d: False, q: True}
        rows = list(csv.DictReader(io.StringIO(run_ok("--csv"))))
        assert {int(r["local_port"]): r["v6only"] for r in rows} == {d: "false", q: "true"}
        # /proc cannot tell: unknown, never a guess.
        doc = run_json("--json", "--backend", "linux-proc")
        assert {s["local"]["port"]: s["v6only"] for s in doc["sockets"]} == {d: None, q: None}
        assert all(line.split()[4].startswith("[::]:")
                   for line in run_ok("--backend", "linux-proc", "-n").splitlines())
    finally:
        dual.close()
        only.close()
