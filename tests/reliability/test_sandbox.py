"""The sockstate tool as an ordinary user, with netlink forbidden, and with
/proc mounted hidepid=2 - run as whole processes.

Environment (ctest sets it): SOCKSTATE_CLI (the tool), SOCKSTATE_LIB (the
shared library it loads) and REL_NONETLINK (tests/reliability/
nonetlink.c). The tool and the library are copied to a fresh directory
under /tmp first: a build under /root (mode 700) is not reachable by
`nobody`. Needs root (to become nobody, to mount /proc); skips with the
reason otherwise.

What must hold (issue 10, docs/RELIABILITY.md):
  - as nobody every command works: exit 0, other users' sockets listed
    with pid and process null, nobody's own with its pid, and, where
    owners were asked for, one line on stderr saying how many could not
    be read (issue 24);
  - with socket(AF_NETLINK) refused by seccomp the tool falls back to
    linux-proc by itself and says so (JSON "backend", --verbose);
  - with /proc mounted hidepid=2, owners degrade to the visible
    processes, never to an error.
"""

import json
import os
import pathlib
import pwd
import random
import shutil
import socket
import subprocess
import sys
import tempfile

import pytest

CLI = os.environ.get("SOCKSTATE_CLI")
LIB = os.environ.get("SOCKSTATE_LIB")
NONETLINK = os.environ.get("REL_NONETLINK")
ENV = {k: v for k, v in os.environ.items()
       if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE", "LD_LIBRARY_PATH")}

pytestmark = pytest.mark.skipif(
    not CLI or not LIB,
    reason="SOCKSTATE_CLI and SOCKSTATE_LIB are not set: run through ctest "
    "(-L reliability)")


def need_root():
    if os.geteuid() != 0:
        pytest.skip("needs root: to run as nobody and to mount /proc")


def as_nobody():
    """The argv prefix that runs a command as nobody."""
    need_root()
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user 'nobody' here")
    if shutil.which("runuser"):
        return ["runuser", "-u", "nobody", "--"]
    if shutil.which("setpriv"):
        return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    pytest.skip("neither runuser nor setpriv is installed")


@pytest.fixture(scope="module")
def tool():
    """The tool and its library in a directory anyone may read."""
    d = tempfile.mkdtemp(prefix="sockstate-rel-")
    os.chmod(d, 0o755)
    cli = os.path.join(d, "sockstate")
    shutil.copy(CLI, cli)
    lib = pathlib.Path(LIB)
    # Under every name the loader may ask for (the SONAME is a prefix of
    # the real file's name: libsockstate.so.0.1.0 -> .so.0, .so).
    name = lib.name
    while True:
        shutil.copy(lib, os.path.join(d, name))
        stem, dot, last = name.rpartition(".")
        if not dot or not last.isdigit():
            break
        name = stem
    for f in os.listdir(d):
        os.chmod(os.path.join(d, f), 0o755)
    env = dict(ENV, LD_LIBRARY_PATH=d)
    yield cli, env
    shutil.rmtree(d, ignore_errors=True)


def run(argv, env, timeout=60):
    return subprocess.run(argv, capture_output=True, env=env, timeout=timeout, check=False)


def ok(proc):
    assert proc.returncode == 0, (proc.args, proc.returncode, proc.stderr)
    return proc.stdout.decode()


def private_loopback():
    rng = random.SystemRandom()
    return f"127.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


@pytest.fixture
def root_listener():
    """A listener owned by root (this process) on a private address."""
    need_root()
    addr = private_loopback()
    s = socket.socket()
    s.bind((addr, 0))
    s.listen(4)
    yield addr, s.getsockname()[1]
    s.close()


@pytest.fixture
def nobody_listener(root_listener):
    """A listener owned by a process of nobody, on the same address."""
    addr, _ = root_listener
    code = ("import os, socket, sys\n"
            "s = socket.socket(); s.bind((sys.argv[1], 0)); s.listen(4)\n"
            "print(os.getpid(), s.getsockname()[1], flush=True)\n"
            "sys.stdin.read()\n")
    proc = subprocess.Popen(as_nobody() + [sys.executable, "-c", code, addr],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=ENV)
    line = proc.stdout.readline().split()
    assert len(line) == 2, "the nobody listener did not start"
    # runuser may fork: the listener is then its child; it ends when its
    # standard input closes, and is killed by its own pid if it does not.
    pid, port = int(line[0]), int(line[1])
    yield port, pid
    proc.stdin.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(pid, 9)
        proc.wait()


def sockets_on(doc, addr):
    return {s["local"]["port"]: s for s in doc["sockets"] if s["local"]["address"] == addr}


# ------------------------------------------------------------ as nobody

def test_nobody_sees_everyone_and_owns_only_its_own(tool, root_listener, nobody_listener):
    cli, env = tool
    addr, root_port = root_listener
    nobody_port, nobody_pid = nobody_listener
    proc = run(as_nobody() + [cli, "--json", "-p", "--addr", addr], env)
    doc = json.loads(ok(proc))
    assert doc["owners_unreadable"] == 1  # root's listener; nobody's is read
    assert proc.stderr.decode() == (
        "sockstate: the owners of 1 socket could not be read: the descriptors of "
        f"{proc.stderr.decode().split('the descriptors of ')[1].split(' ')[0]} processes "
        "could not be read (permission denied); run as root to see every owner\n")
    mine = sockets_on(doc, addr)
    assert set(mine) == {root_port, nobody_port}, doc["sockets"]
    assert mine[root_port]["state"] == "LISTEN"
    assert mine[root_port]["pid"] is None and mine[root_port]["process"] is None
    assert mine[root_port]["uid"] == 0
    assert mine[nobody_port]["uid"] == pwd.getpwnam("nobody").pw_uid
    assert mine[nobody_port]["pid"] == nobody_pid
    assert mine[nobody_port]["process"] == os.path.basename(sys.executable)[:15]


def test_nobody_every_command_exits_0(tool, root_listener):
    cli, env = tool
    addr, port = root_listener
    prefix = as_nobody()
    for args in (
            [], ["-p"], ["list", "--state", "all", "-p"], ["--json", "-p"],
            ["--csv", "-p"], ["--format", "prometheus", "--port", str(port)],
            ["summary"], ["summary", "--json"], ["--sort", "pid"], ["--tcp-info"],
            ["--backend", "linux-netlink", "-p"], ["--backend", "linux-proc", "-p"],
            ["--pid-source", "procfs", "-p"], ["explain", "TIME_WAIT"],
            ["explain", "SYN_RCVD", "--lang", "es"], ["--version"], ["--help"]):
        proc = run(prefix + [cli] + args, env)
        assert proc.returncode == 0, (args, proc.stderr)
        if "-p" in args or "pid" in args:
            # root's sockets have owners nobody cannot read: said once.
            assert proc.stderr.startswith(b"sockstate: the owners of "), (args, proc.stderr)
            assert proc.stderr.count(b"\n") == 1, (args, proc.stderr)
        else:
            assert proc.stderr == b"", (args, proc.stderr)
        if args[:1] in ([], ["-p"]):
            assert f"{addr}:{port}" in proc.stdout.decode(), args


# ------------------------------------------------------------ no netlink

def nonetlink():
    if not NONETLINK:
        pytest.skip("REL_NONETLINK is not set")
    return [NONETLINK, "--"]


def skip_if_unfiltered(proc):
    if proc.returncode == 77:
        pytest.skip(proc.stdout.decode().strip())


def test_netlink_forbidden_falls_back_to_proc(tool, root_listener):
    cli, env = tool
    addr, port = root_listener
    proc = run(nonetlink() + [cli, "--json", "-p", "--verbose", "--addr", addr], env)
    skip_if_unfiltered(proc)
    doc = json.loads(ok(proc))
    assert doc["backend"] == "linux-proc"
    assert set(sockets_on(doc, addr)) == {port}
    assert proc.stderr.decode().startswith("sockstate: backend linux-proc, ")
    summary = ok(run(nonetlink() + [cli, "summary", "--json"], env))
    assert json.loads(summary)["backend"] == "linux-proc"


def test_netlink_forbidden_as_nobody(tool, root_listener):
    cli, env = tool
    addr, port = root_listener
    proc = run(as_nobody() + nonetlink() + [cli, "--json", "-p", "--addr", addr], env)
    skip_if_unfiltered(proc)
    doc = json.loads(ok(proc))
    assert doc["backend"] == "linux-proc"
    assert sockets_on(doc, addr)[port]["pid"] is None


def test_netlink_by_name_when_forbidden_is_exit_3(tool):
    cli, env = tool
    proc = run(nonetlink() + [cli, "--backend", "linux-netlink"], env)
    skip_if_unfiltered(proc)
    assert proc.returncode == 3, proc.stderr
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and err.startswith("sockstate: ")
    assert "Operation not permitted" in err, err


# ------------------------------------------------------------ hidepid=2

def hidepid(argv):
    """argv run in a private mount namespace whose /proc has hidepid=2."""
    need_root()
    if not shutil.which("unshare"):
        pytest.skip("unshare(1) is not installed")
    script = 'mount -t proc -o hidepid=2 proc /proc || exit 77; exec "$@"'
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh"] + argv


def test_hidepid_nobody_sees_only_its_own_owners(tool, root_listener, nobody_listener):
    cli, env = tool
    addr, root_port = root_listener
    nobody_port, nobody_pid = nobody_listener
    for backend in ("linux-netlink", "linux-proc"):
        proc = run(hidepid(as_nobody() + [cli, "--json", "-p", "--backend", backend,
                                          "--addr", addr]), env)
        if proc.returncode == 77:
            pytest.skip("cannot mount /proc with hidepid=2 here")
        doc = json.loads(ok(proc))
        # The processes hidden from nobody are not counted as unreadable
        # (it cannot see them), but their sockets are: said once.
        assert proc.stderr.decode().endswith(
            "other users' processes are hidden from this user (/proc hidepid); run as "
            "root to see every owner\n"), proc.stderr
        assert doc["owners_unreadable"] >= 1
        mine = sockets_on(doc, addr)
        assert set(mine) == {root_port, nobody_port}, (backend, doc["sockets"])
        assert mine[root_port]["pid"] is None, backend
        assert mine[nobody_port]["pid"] == nobody_pid, backend
        # summary and plain listing too
        ok(run(hidepid(as_nobody() + [cli, "summary", "--backend", backend]), env))


def test_hidepid_root_still_sees_every_owner(tool, root_listener, nobody_listener):
    cli, env = tool
    addr, root_port = root_listener
    nobody_port, nobody_pid = nobody_listener
    proc = run(hidepid([cli, "--json", "-p", "--pid-source", "procfs", "--addr", addr]), env)
    if proc.returncode == 77:
        pytest.skip("cannot mount /proc with hidepid=2 here")
    mine = sockets_on(json.loads(ok(proc)), addr)
    assert mine[root_port]["pid"] == os.getpid()
    assert mine[nobody_port]["pid"] == nobody_pid
