"""What the tests of `sockstate trace` share (tests/cli, tests/python): a
trace run as a process and read line by line, the network namespace
checks, SYNs dropped by nft, and the event schema's validator.

stdlib only; the schema check runs tests/unit/validate_events.py.
"""

import atexit
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
VALIDATE_EVENTS = ROOT / "tests" / "unit" / "validate_events.py"
READY = "sockstate: trace source "
WAIT = 30.0

# Traces still running when the test process ends (a test that failed
# half-way) are killed then: none outlives its suite.
_started = []


@atexit.register
def _kill_leftovers():
    for proc in _started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class TraceRun:
    """`... trace ... --verbose` running, its standard output read line by
    line as it comes. Started, it waits for the line --verbose writes once
    the trace watches (after poll's first listing), so what the test does
    next is seen."""

    def __init__(self, argv, env=None, ready=True):
        self.argv = [str(a) for a in argv] + ["--verbose"]
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env)
        _started.append(self.proc)
        self.lines = []
        self.errors = []
        self.changed = threading.Condition()
        self.readers = [threading.Thread(target=self._read, args=(s, l), daemon=True)
                        for s, l in ((self.proc.stdout, self.lines),
                                     (self.proc.stderr, self.errors))]
        for t in self.readers:
            t.start()
        if ready:
            self.until(lambda errs: any(e.startswith(READY) for e in errs),
                       "the trace to start", errors=True)

    def _read(self, stream, into):
        for raw in stream:
            with self.changed:
                into.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            into.append(None)  # the end
            self.changed.notify_all()

    def until(self, predicate, what, errors=False, timeout=WAIT):
        """Wait until predicate(lines) holds (errors: on stderr's lines);
        returns its value. Fails naming what it waited for and what came."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                seen = [x for x in (self.errors if errors else self.lines) if x is not None]
                value = predicate(seen)
                if value:
                    return value
                ended = None in (self.errors if errors else self.lines)
                left = deadline - time.monotonic()
                if ended or left <= 0:
                    break
                self.changed.wait(left)
        self.proc.kill()
        raise AssertionError(f"{' '.join(self.argv)}: no {what} "
                             f"({'ended' if ended else 'timed out'}):\n"
                             + "\n".join(self.stdout_lines() + self.stderr_lines()))

    def stdout_lines(self):
        with self.changed:
            return [x for x in self.lines if x is not None]

    def stderr_lines(self):
        with self.changed:
            return [x for x in self.errors if x is not None]

    def events(self):
        """The NDJSON lines so far, parsed."""
        return [json.loads(x) for x in self.stdout_lines()]

    def until_events(self, predicate, what, timeout=WAIT):
        return self.until(lambda lines: predicate([json.loads(x) for x in lines]), what,
                          timeout=timeout)

    def finish(self, interrupt=False, timeout=WAIT):
        """Its exit code, after SIGINT when interrupt, once every line is read."""
        if interrupt:
            self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"{' '.join(self.argv)}: still running after {timeout} s:\n"
                                 + "\n".join(self.stdout_lines() + self.stderr_lines()))
        for t in self.readers:
            t.join(timeout)
        return rc


def in_private_netns():
    """Is this process in the network namespace tests/private_netns.py
    made for its suite, where changing sysctls and nft rules touches
    nothing else?"""
    try:
        here = str(os.stat("/proc/self/ns/net").st_ino)
    except OSError:
        return False
    return os.environ.get("SOCKSTATE_PRIVATE_NETNS") == here


class SynsDropped:
    """SYNs to port dropped on the way in and counted on the way out (nft,
    in this namespace), tcp_syn_retries lowered to retries: a connect to
    port gives up after retries SYNs sent again. Both undone on exit."""

    SYSCTL = "/proc/sys/net/ipv4/tcp_syn_retries"

    def __init__(self, port, retries=1):
        self.port = port
        self.retries = retries
        self.table = f"sockstate_trace_{port}"
        self.saved = None

    def __enter__(self):
        self.saved = pathlib.Path(self.SYSCTL).read_text()
        pathlib.Path(self.SYSCTL).write_text(f"{self.retries}\n")
        rules = (f"table inet {self.table} {{\n"
                 f"  counter syns {{}}\n"
                 f"  chain input {{ type filter hook input priority 0; "
                 f"tcp dport {self.port} drop; }}\n"
                 f"  chain output {{ type filter hook output priority 0; "
                 f"tcp dport {self.port} counter name syns; }}\n"
                 f"}}\n")
        subprocess.run(["nft", "-f", "-"], input=rules.encode(), check=True, timeout=WAIT)
        return self

    def sent(self):
        """The SYNs counted leaving so far."""
        out = subprocess.run(["nft", "--json", "list", "counter", "inet", self.table,
                              "syns"], capture_output=True, check=True, timeout=WAIT)
        for item in json.loads(out.stdout)["nftables"]:
            if "counter" in item:
                return item["counter"]["packets"]
        raise AssertionError(f"no counter in {out.stdout!r}")

    def drop(self, on):
        """Drop the SYNs (on) or let them through (off): the rule stays,
        its verdict changes."""
        verdict = "drop" if on else "accept"
        subprocess.run(["nft", "flush", "chain", "inet", self.table, "input"], check=True,
                       timeout=WAIT)
        subprocess.run(["nft", "add", "rule", "inet", self.table, "input", "tcp", "dport",
                        str(self.port), verdict], check=True, timeout=WAIT)

    def __exit__(self, *exc):
        subprocess.run(["nft", "delete", "table", "inet", self.table], check=False,
                       timeout=WAIT)
        pathlib.Path(self.SYSCTL).write_text(self.saved)


def validate_events(lines, minimum=1):
    """Every line valid against docs/schema/sockstate-event-1.json (and at
    least minimum of them)."""
    data = "".join(line + "\n" for line in lines).encode()
    r = subprocess.run([sys.executable, str(VALIDATE_EVENTS), "--min", str(minimum), "-"],
                       input=data, capture_output=True, timeout=WAIT,
                       env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()


def close_in_order(listener, host, port):
    """A connection to listener, "hello" one way and "hi" the other, closed
    in order: the client shuts its side (FIN_WAIT_1, FIN_WAIT_2), the
    server reads the end and closes (CLOSE_WAIT, LAST_ACK, CLOSED), the
    client takes TIME_WAIT. Returns the client (open: close it) and its
    port. In sequence space the client sends 7 (SYN, 5 bytes, FIN) and
    receives 3, the server the reverse."""
    client = socket.create_connection((host, port))
    server, _ = listener.accept()
    client.sendall(b"hello")
    assert server.recv(16) == b"hello"
    server.sendall(b"hi")
    assert client.recv(16) == b"hi"
    client.shutdown(socket.SHUT_WR)
    assert server.recv(16) == b""
    server.close()
    return client, client.getsockname()[1]


def free_port(host="127.0.0.1"):
    """A port nothing uses now (bound and let go)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def transitions(events, local_port=None, remote_port=None):
    """(old_state, new_state) of the transitions of one socket, in order."""
    return [(e["old_state"], e["new_state"]) for e in events
            if e["kind"] == "transition"
            and (local_port is None or e["local"]["port"] == local_port)
            and (remote_port is None or e["remote"]["port"] == remote_port)]


def in_order(have, want):
    """Is want a subsequence of have?"""
    it = iter(have)
    return all(any(h == w for h in it) for w in want)
