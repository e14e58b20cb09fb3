"""Strings other users control reach no terminal raw: an interface named
with ESC and BEL (anyone can make one in a user namespace) in the table,
`summary --by local`, the `wait` blocker list, CSV and JSON; a process
name with the OSC 52 clipboard sequence in CSV; spreadsheet formulas on
request. Interface names are looked up in the namespace the sockets live
in. `--netns` on a FIFO does not hang, and a closed standard output is
an error, not the netlink socket."""

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from conftest import (LinkLocal, add_veth, ip, needs_cli,
                      needs_private_netns, one_line, run, tool_argv)

pytestmark = needs_cli

HOSTILE = b"e\x1b]0;x\x07"          # ESC ] 0 ; x BEL: sets the window title
SHOWN = "e?]0;x?"                   # as the table and CSV show it
CONTROLS = set(range(0x20)) - {0x0A, 0x0D} | {0x7F}


def assert_no_controls(data):
    bad = sorted({b for b in data if b in CONTROLS})
    assert bad == [], (bad, data[:400])
    assert b"\xc2\x9b" not in data and b"\x1b" not in data


@pytest.fixture
def hostile():
    link = LinkLocal(HOSTILE)
    yield link
    link.close()


@needs_private_netns
def test_a_hostile_interface_name_is_escaped_in_the_table(hostile):
    proc = run([os.environ["SOCKSTATE_CLI"], "--sport", hostile.port, "-n", "--sort",
                "state"])
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert_no_controls(proc.stdout)
    local = f"[fe80::1%{SHOWN}]:{hostile.port}"
    assert proc.stdout.decode().splitlines() == [
        # The columns fit their content (no header with -n).
        f"LISTEN      LISTEN 0 4 {local} [::]:0",
        f"ESTABLISHED ESTAB  0 0 {local} "
        f"[fe80::2%{SHOWN}]:{hostile.client.getsockname()[1]}",
    ]


@needs_private_netns
def test_a_hostile_interface_name_is_escaped_in_summary_by_local(hostile):
    proc = run([os.environ["SOCKSTATE_CLI"], "summary", "--by", "local", "--sport",
                hostile.port])
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert_no_controls(proc.stdout)
    local = f"[fe80::1%{SHOWN}]:{hostile.port}"
    width = len(local)
    assert proc.stdout.decode().splitlines() == [
        f"{'Local Address:Port':<{width}}  Total  LISTEN  ESTABLISHED",
        f"{local}  2      1       1",
        f"{'TOTAL':<{width}}  2      1       1",
    ]


@needs_private_netns
def test_a_hostile_interface_name_is_escaped_in_the_wait_blockers(hostile):
    proc = run([os.environ["SOCKSTATE_CLI"], "wait", "--drained", hostile.port,
                "--timeout", "0"])
    assert proc.returncode == 1
    assert_no_controls(proc.stdout + proc.stderr)
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 2 and f"[fe80::1%{SHOWN}]:{hostile.port}" in lines[1]


@needs_private_netns
def test_a_hostile_interface_name_in_csv_and_json(hostile):
    cli = os.environ["SOCKSTATE_CLI"]
    proc = run([cli, "--csv", "-n", "--sport", hostile.port, "--state", "listen"])
    assert (proc.returncode, proc.stderr) == (0, b"")
    # ... rx, tx, uid, then the inode (whatever the kernel gave) and v6only
    # (a socket bound to a link-local address is IPv6-only).
    inode = proc.stdout.split(b",")[-2]
    assert proc.stdout == (f"ipv6,LISTEN,LISTEN,10,fe80::1%{SHOWN},{hostile.port},::,0,"
                           f"0,4,0,").encode() + inode + b",true\r\n"
    assert_no_controls(proc.stdout)
    doc = json.loads(run([cli, "--json", "--sport", hostile.port, "--state",
                          "listen"]).stdout)
    assert doc["sockets"][0]["local"]["address"] == "fe80::1%" + HOSTILE.decode()


@needs_private_netns
def test_python_render_is_the_same_escaped_table(hostile):
    proc = run([sys.executable, "-c",
                "import sys, sockstate; sys.stdout.write(sockstate.render("
                f"'table', sport={hostile.port}, header=False, sort='state'))"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == run([os.environ["SOCKSTATE_CLI"], "--sport", hostile.port,
                               "-n", "--sort", "state"]).stdout


# ---- a process name that sets the terminal's clipboard (OSC 52) ----

OSC52 = b"\x1b]52;c;aGk=\x07"


@pytest.fixture
def osc52_process():
    """A listener owned by a process named ESC ] 52 ; c ; aGk= BEL."""
    script = ("import ctypes, socket, sys\n"
              "ctypes.CDLL(None).prctl(15, sys.argv[1].encode('latin-1'))\n"
              "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)\n"
              "print(s.getsockname()[1], flush=True)\n"
              "sys.stdin.read()\n")
    proc = subprocess.Popen([sys.executable, "-c", script, OSC52.decode("latin-1")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = int(proc.stdout.readline())
    yield proc, port
    proc.stdin.close()
    proc.wait(timeout=30)


def test_csv_never_carries_a_control_sequence(osc52_process):
    proc, port = osc52_process
    out = run([os.environ["SOCKSTATE_CLI"], "--csv", "-n", "-p", "--sport", port])
    assert (out.returncode, out.stderr) == (0, b"")
    assert_no_controls(out.stdout)
    assert out.stdout.endswith(f",{proc.pid},?]52;c;aGk=?,{proc.pid},\r\n".encode())


def test_csv_formula_safe_mode(tmp_path):
    """A name a spreadsheet would run: =, +, -, @ first."""
    script = ("import ctypes, socket, sys\n"
              "ctypes.CDLL(None).prctl(15, b'=cmd|calc')\n"
              "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)\n"
              "print(s.getsockname()[1], flush=True)\n"
              "sys.stdin.read()\n")
    holder = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE)
    try:
        port = int(holder.stdout.readline())
        cli = os.environ["SOCKSTATE_CLI"]
        plain = run([cli, "--csv", "-n", "-p", "--sport", port])
        safe = run([cli, "--csv", "-n", "-p", "--sport", port, "--csv-formula-safe"])
        assert (plain.returncode, safe.returncode, safe.stderr) == (0, 0, b"")
        pid = holder.pid
        assert plain.stdout.endswith(f",{pid},=cmd|calc,{pid},\r\n".encode())
        assert safe.stdout.endswith(f",{pid},\"'=cmd|calc\",{pid},\r\n".encode())
        # Only text cells change: the rows are otherwise the same.
        assert safe.stdout.replace(b"\"'=cmd|calc\"", b"=cmd|calc") == plain.stdout
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


# ---- interface names in the namespace the sockets live in ----

HOLDER = r"""
import os, socket, subprocess, sys
name, index = sys.argv[1], sys.argv[2]
def ip(*a): subprocess.run(["ip", *a], check=True)
ip("link", "set", "lo", "up")
ip("link", "add", "name", name, "index", index, "type", "veth", "peer", "name", "p" + name)
ip("link", "set", "dev", name, "up")
ip("link", "set", "dev", "p" + name, "up")
ip("-6", "addr", "add", "fe80::1/64", "dev", name, "nodad")
i = int(index)
l = socket.socket(socket.AF_INET6); l.bind(("fe80::1", 0, 0, i)); l.listen(1)
print(os.getpid(), l.getsockname()[1], flush=True)
sys.stdin.read()
"""


@pytest.fixture
def two_namespaces():
    """Index 77 is "inner0" in a namespace of a process of its own, and
    "outer0" in ours: a name looked up in the wrong one is wrong."""
    add_veth("outer0", 77)
    holder = subprocess.Popen(["unshare", "-n", sys.executable, "-c", HOLDER, "inner0",
                               "77"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        pid, port = map(int, holder.stdout.readline().split())
        yield pid, port
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        ip("link", "del", "dev", "outer0")


@needs_private_netns
def test_netns_names_the_interface_of_its_own_namespace(two_namespaces):
    pid, port = two_namespaces
    cli = os.environ["SOCKSTATE_CLI"]
    proc = run([cli, "--netns", f"pid:{pid}", "--sport", port, "-n"])
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert f"[fe80::1%inner0]:{port} " in proc.stdout.decode()
    doc = json.loads(run([cli, "--all-netns", "--json", "--sport", port]).stdout)
    assert [s["local"]["address"] for s in doc["sockets"]] == ["fe80::1%inner0"]
    groups = run([cli, "summary", "--netns", f"pid:{pid}", "--by", "local", "--sport",
                  port]).stdout.decode()
    assert f"[fe80::1%inner0]:{port}" in groups


@needs_private_netns
@pytest.mark.parametrize("expression", [
    "sockstate.snapshot(netns=NS, sport=PORT)['sockets'][0]['local']['address']",
    "sockstate.connections(netns=NS, sport=PORT)[0].laddr.ip",
    "sockstate.groups('local', netns=NS, sport=PORT)[0].local.ip",
], ids=["snapshot", "connections", "groups"])
def test_python_netns_names_the_interface_of_its_namespace(two_namespaces, expression):
    pid, port = two_namespaces
    proc = run([sys.executable, "-c", f"import sockstate; NS, PORT = 'pid:{pid}', {port}; "
                f"print({expression})"])
    assert (proc.returncode, proc.stdout) == (0, b"fe80::1%inner0\n"), proc.stderr


# ---- --netns on a FIFO ----

def test_netns_on_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "ns"
    os.mkfifo(fifo)
    proc = run([os.environ["SOCKSTATE_CLI"], "--netns", fifo], timeout=30)
    assert (proc.returncode, proc.stdout) == (2, b"")
    assert one_line(proc.stderr) == (f"--netns: invalid argument: network namespace "
                                     f"'{fifo}': {fifo} is not a network namespace")


def test_python_netns_on_a_fifo_is_invalid_argument(tmp_path):
    fifo = tmp_path / "ns"
    os.mkfifo(fifo)
    proc = run([sys.executable, "-c",
                "import sockstate\n"
                "try:\n"
                f"    sockstate.Handle(netns={str(fifo)!r})\n"
                "except sockstate.InvalidArgument as e:\n"
                "    print(e)\n"], timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == (f"netns: invalid argument: network namespace "
                                    f"'{fifo}': {fifo} is not a network namespace\n")


# ---- standard streams ----

@pytest.mark.parametrize("tool", ["cli", "python"])
@pytest.mark.parametrize("args", [["--port", "1"], ["summary"], ["--json", "--port", "1"]])
def test_a_closed_standard_output_is_exit_3(tool, args):
    """Closed, fd 1 would be the next descriptor opened: the netlink
    socket, which then got the table."""
    proc = run(tool_argv(tool) + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
               preexec_fn=lambda: os.close(1))
    assert proc.returncode == 3
    assert one_line(proc.stderr) == "standard output: Bad file descriptor"


def test_a_closed_standard_input_and_error_are_harmless():
    proc = run([os.environ["SOCKSTATE_CLI"], "--port", "1"],
               preexec_fn=lambda: (os.close(0), os.close(2)))
    assert proc.returncode == 0
    assert proc.stdout.startswith(b"State ")
