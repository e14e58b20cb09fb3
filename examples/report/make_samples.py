#!/usr/bin/env python3
"""make_samples - the sample snapshots of examples/report, from real backends.

  sudo python3 examples/report/make_samples.py --build BUILD [--out DIR]

BUILD is a CMake build of this tree with the Python package
(BUILD/python) and the MinGW cross build (BUILD/windows-cross, made by
`ctest --test-dir BUILD -R windows.build`). Root, Linux, Wine and nftables
are needed (the state lab's requirements).

Inside one state lab (tests/lab/statelab.py: every TCP state held for real
in a private network namespace) it takes three snapshots, each under a
host name of its own (a private UTS namespace):

  lab-win      sockstate.exe --json --state all -p under Wine
               (backend windows-iphlpapi; Wine gives no owners)
  lab-linux-2  python -m sockstate snapshot --backend linux-proc
               --pid-source procfs --state all -p (the /proc backend)
  lab-linux-1  python -m sockstate snapshot --state all -p (netlink),
               after a demo load was added: a process "demo-app" that
               never closes 25 connections its clients closed (CLOSE_WAIT
               piling up), and 60 half-open connections from 60 addresses
               on port 28443 whose final ACKs an nft rule drops (a
               SYN_RECEIVED flood)

then builds report.html, report.md and report.es.html from them with
`python -m sockstate report`. Everything is written to DIR (default: the
folder of this script).
"""

import argparse
import csv
import ctypes
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
STATELAB = os.path.join(TOP, "tests", "lab", "statelab.py")
CLONE_NEWUTS = 0x04000000
PR_SET_NAME = 15
PR_SET_PDEATHSIG = 1
CLOSE_WAIT_PILE = 25
SYN_FLOOD = 60
APP_PORT, FLOOD_PORT = 28080, 28443

libc = ctypes.CDLL(None, use_errno=True)


def say(text):
    print("make_samples: %s" % text, flush=True)


def set_hostname(name):
    data = name.encode()
    if libc.sethostname(data, len(data)) != 0:
        raise OSError(ctypes.get_errno(), "sethostname(%s)" % name)


def name_process(name):
    libc.prctl(PR_SET_NAME, name.encode(), 0, 0, 0)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Wine:
    def __init__(self, build, prefix):
        self.build = build
        self.env = dict(os.environ, WINEPREFIX=prefix, WINEDEBUG="-all", WINEARCH="win64",
                        WINEDLLOVERRIDES="mscoree,mshtml=")
        self.env.pop("DISPLAY", None)
        self.env.pop("WAYLAND_DISPLAY", None)

    def run(self, args, timeout=240):
        # Files, not pipes: Wine's services inherit descriptors and outlive us.
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            rc = subprocess.run(["wine", os.path.join(self.build, "sockstate.exe")] + args,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                env=self.env, timeout=timeout).returncode
            out.seek(0)
            err.seek(0)
            if rc != 0:
                raise RuntimeError("sockstate.exe %s: exit %d: %s"
                                   % (" ".join(args), rc, err.read().decode(errors="replace")))
            return out.read()

    def server(self, *args):
        subprocess.run(["wineserver"] + list(args), env=self.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)


def python_env(build):
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"),
               PYTHONDONTWRITEBYTECODE="1")
    return env


def snapshot(build, out, args):
    subprocess.run([sys.executable, "-m", "sockstate", "snapshot", "-o", out] + args,
                   env=python_env(build), check=True, timeout=60)


# ---------------------------------------------------------------- demo load

def demo_app(ready_w):
    """A server that never closes what its clients closed."""
    name_process("demo-app")
    app = socket.socket()
    app.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    app.bind(("127.0.0.1", APP_PORT))
    app.listen(128)
    flood = socket.socket()
    flood.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    flood.bind(("0.0.0.0", FLOOD_PORT))
    flood.listen(128)
    os.write(ready_w, b"L")
    held = [app.accept()[0] for _ in range(CLOSE_WAIT_PILE)]
    os.write(ready_w, b"A")
    while True:
        time.sleep(3600)
        held.append(None)


def demo_client(ready_w):
    name_process("demo-client")
    for _ in range(CLOSE_WAIT_PILE):
        socket.create_connection(("127.0.0.1", APP_PORT)).close()
    half_open = []
    for i in range(SYN_FLOOD):
        s = socket.socket()
        s.bind(("127.0.1.%d" % (i + 1), 0))
        s.connect(("127.0.0.1", FLOOD_PORT))  # the client side completes
        half_open.append(s)
    os.write(ready_w, b"C")
    while True:
        time.sleep(3600)


def fork(fn, ready_w):
    pid = os.fork()
    if pid == 0:
        try:
            fn(ready_w)
        finally:
            os._exit(1)
    return pid


def wait_for(ready_r, want):
    got = b""
    deadline = time.time() + 20
    while not all(c in got for c in want):
        if time.time() > deadline:
            raise RuntimeError("the demo load did not start (got %r)" % got)
        got += os.read(ready_r, 16)


def count_states(build, port, state, resent=False):
    """Sockets in state on local port; resent: only those whose timer has
    sent again (a SYN-ACK with no answer for a second), as diagnose
    counts a half-open connection that stays."""
    out = subprocess.run([sys.executable, "-m", "sockstate", "--state", state, "--sport",
                          str(port), "--format", "csv", "--timers"], env=python_env(build),
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    rows = list(csv.DictReader(io.StringIO(out)))
    return sum(1 for r in rows if not resent or int(r["timer_retransmits"] or 0) >= 1)


def inside(opts):
    """In the lab: the three snapshots."""
    wine = Wine(os.path.join(opts.build, "windows-cross"), opts.prefix)
    out = opts.out
    children = []
    try:
        set_hostname("lab-win")
        wine.server("-p")
        with open(os.path.join(out, "lab-win.json"), "wb") as f:
            f.write(wine.run(["--json", "--state", "all", "-p"]))
        say("lab-win.json: Windows build under Wine")

        set_hostname("lab-linux-2")
        snapshot(opts.build, os.path.join(out, "lab-linux-2.json"),
                 ["--backend", "linux-proc", "--pid-source", "procfs", "--state", "all", "-p"])
        say("lab-linux-2.json: the /proc backend")

        subprocess.run(["nft", "add", "rule", "inet", "statelab", "input", "tcp", "dport",
                        str(FLOOD_PORT), "tcp", "flags", "!=", "syn", "drop"], check=True)
        ready_r, ready_w = os.pipe()
        children.append(fork(demo_app, ready_w))
        wait_for(ready_r, b"L")
        children.append(fork(demo_client, ready_w))
        wait_for(ready_r, b"AC")
        deadline = time.time() + 20
        while (count_states(opts.build, FLOOD_PORT, "syn-recv", resent=True) < SYN_FLOOD
               or count_states(opts.build, APP_PORT, "close-wait") < CLOSE_WAIT_PILE):
            # polling the sockets for the states the snapshot must show
            if time.time() > deadline:
                raise RuntimeError("the demo load did not reach its states")
            time.sleep(0.05)
        set_hostname("lab-linux-1")
        snapshot(opts.build, os.path.join(out, "lab-linux-1.json"), ["--state", "all", "-p"])
        say("lab-linux-1.json: the netlink backend, with the demo load")
    finally:
        for pid in children:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        wine.server("-k")
        wine.server("-w")
    return 0


def report(opts):
    env = python_env(opts.build)
    files = [os.path.join(opts.out, f) for f in ("lab-linux-1.json", "lab-linux-2.json",
                                                  "lab-win.json")]
    for out, extra in (("report.html", []), ("report.md", []),
                       ("report.es.html", ["--lang", "es"])):
        subprocess.run([sys.executable, "-m", "sockstate", "report", "-o",
                        os.path.join(opts.out, out)] + extra + files, env=env, check=True)
        say("%s written" % out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True, help="CMake build with python/ and windows-cross/")
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--prefix", help=argparse.SUPPRESS)
    opts = ap.parse_args()
    opts.build = os.path.abspath(opts.build)
    opts.out = os.path.abspath(opts.out)
    if opts.inside:
        return inside(opts)
    if os.geteuid() != 0:
        say("needs root (the state lab makes a network namespace)")
        return 77
    for tool in ("wine", "wineserver", "nft"):
        if not shutil.which(tool):
            say("%s is not installed" % tool)
            return 77
    if libc.unshare(CLONE_NEWUTS) != 0:
        say("unshare(CLONE_NEWUTS): %s" % os.strerror(ctypes.get_errno()))
        return 77
    prefix = tempfile.mkdtemp(prefix="sockstate-samples-wine-")
    try:
        # Make the prefix first (a minute on a slow machine), outside the lab,
        # so the lab's 60-second TIME_WAIT sockets are still there when its
        # wineserver starts inside the lab.
        set_hostname("lab-win")
        wine = Wine(os.path.join(opts.build, "windows-cross"), prefix)
        wine.run(["--version"])
        wine.server("-k")
        wine.server("-w")
        say("Wine prefix ready")
        rc = subprocess.run([sys.executable, STATELAB, "run", "--", sys.executable,
                             os.path.abspath(__file__), "--inside", "--build", opts.build,
                             "--out", opts.out, "--prefix", prefix]).returncode
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
    if rc != 0:
        return rc
    report(opts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
