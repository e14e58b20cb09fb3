#!/usr/bin/env python3
"""check_wine - the Windows build under Wine, inside the state lab.

Run by ctest (label windows) as
  statelab.py run -- python3 check_wine.py --windows-build DIR --linux-cli PATH

DIR is a MinGW cross build (cmake/mingw-w64-x86_64.cmake) holding
sockstate.exe, sockstate.dll and tests/windows/test_windows.exe; PATH is
the Linux build's sockstate. Wine answers GetExtendedTcpTable from
/proc/net/tcp{,6} of the network namespace its wineserver starts in, so
this starts a fresh prefix inside the lab, and:

  1. sockstate.exe --json --state all lists exactly the lab's sockets but
     the BOUND ones (Wine reads /proc, which has none) with the right
     state, and Windows' native codes and netstat.exe names; the document
     is valid sockstate/1 (tests/unit/validate_schema.py);
  2. it matches the Linux build's sockstate --json --state all on the
     same namespace socket by socket (BOUND left out);
  3. sockstate.exe --summary prints what the Linux build's --summary
     prints, byte for byte;
  4. filters and -p: other OSes' state spellings, -6, --port, and -p
     (pid_source "windows"; Wine gives pid 0 on every row, which we
     report as unknown);
  5. sockstate.exe trace --source poll --count 3 (the poll source, the
     only one Windows has): a listener and a connection made here
     appear, and the server's side is seen to take CLOSE_WAIT, with
     Windows' native names; the lines are valid NDJSON events
     (tests/unit/validate_events.py);
  6. test_windows.exe (the framework-free Windows test program) passes;
  7. the TCP counters: Wine answers GetTcpStatisticsEx from the same
     namespace's /proc/net/snmp, so each family's MIB_TCPSTATS (printed
     by "test_windows.exe counters") lies between the Tcp line read just
     before and just after, and the library's counters (its JSON
     document, valid sockstate/1) are the sum of the two families with
     their native names, the counters Windows lacks null. Wine answers
     both families with Linux's one merged Tcp line, so here that sum is
     twice Linux's value (on Windows the families are counted apart);
  7. the counters and diagnose subcommands: sockstate.exe counters
     --format json is the same document's counters; sockstate.exe
     diagnose --format json is a valid sockstate-diagnosis/1 document of
     the backend windows-iphlpapi, with Windows' documented ephemeral
     range (not read: noted as such), the checks Windows cannot make
     marked not-checked (no backlog, no IPV6_V6ONLY, no listen counters),
     the retransmission check judged on its counters; and a probe to a
     port nothing listens on gives the Linux build's findings
     (no-listener, connection-refused), word for word.

Then wineserver -k and the prefix is removed. Exit 0 when everything
passed, 1 when something failed, 2 on bad usage or a missing build, 77
(skip) when Wine is not installed.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # never write into the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lab"))
import labexpect  # noqa: E402

VALIDATE = os.path.join(HERE, "..", "unit", "validate_schema.py")
VALIDATE_EVENTS = os.path.join(HERE, "..", "unit", "validate_events.py")
NOT_BOUND = [s for s in labexpect.STATES if s != "BOUND"]
# MIB_TCP_STATE numbers and netstat.exe's names.
WINDOWS_NATIVE = {
    "CLOSED": (1, "CLOSED"), "LISTEN": (2, "LISTENING"),
    "SYN_SENT": (3, "SYN_SENT"), "SYN_RECEIVED": (4, "SYN_RECEIVED"),
    "ESTABLISHED": (5, "ESTABLISHED"), "FIN_WAIT_1": (6, "FIN_WAIT_1"),
    "FIN_WAIT_2": (7, "FIN_WAIT_2"), "CLOSE_WAIT": (8, "CLOSE_WAIT"),
    "CLOSING": (9, "CLOSING"), "LAST_ACK": (10, "LAST_ACK"),
    "TIME_WAIT": (11, "TIME_WAIT"), "DELETE_TCB": (12, "DELETE_TCB"),
}
# The first start of a prefix creates it (a minute on a slow machine).
FIRST_START_TIMEOUT = 240
RUN_TIMEOUT = 60
# test_windows.exe runs a dozen live tests (its own sockets, a trace's
# polls, the counters), each some Wine calls: 10-20 s here on a quiet
# machine, over a minute on a loaded one.
PROGRAM_TIMEOUT = 240


class Wine:
    """One fresh prefix, its wineserver started inside the lab."""

    def __init__(self, build):
        self.build = build
        self.prefix = tempfile.mkdtemp(prefix="sockstate-wine-")
        self.env = dict(os.environ)
        self.env.update({
            "WINEPREFIX": self.prefix,
            "WINEDEBUG": "-all",
            "WINEARCH": "win64",
            # No Mono or Gecko installer prompts while the prefix is made.
            "WINEDLLOVERRIDES": "mscoree,mshtml=",
        })
        self.env.pop("DISPLAY", None)
        self.env.pop("WAYLAND_DISPLAY", None)

    def start(self):
        """A persistent wineserver, started here (inside the lab): each
        program then starts in a fraction of a second instead of bringing
        Wine's services up again."""
        subprocess.run(["wineserver", "-p"], env=self.env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       timeout=60)

    def run(self, program, args, timeout=RUN_TIMEOUT):
        """(exit code, stdout, stderr) of program (in the build) under Wine.

        Output goes through files, not pipes: Wine's services, started by
        the first program, inherit its descriptors and outlive it, so a
        pipe would never see its end."""
        argv = ["wine", os.path.join(self.build, program)] + list(args)
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                  env=self.env, timeout=timeout, cwd=self.prefix)
            out.seek(0)
            err.seek(0)
            return (proc.returncode, out.read().decode("utf-8", "replace"),
                    err.read().decode("utf-8", "replace"))

    def spawn(self, program, args, name):
        """program under Wine in the background, its output going to the
        files name.out and name.err in the prefix (read while it runs)."""
        paths = [os.path.join(self.prefix, name + ext) for ext in (".out", ".err")]
        with open(paths[0], "wb") as out, open(paths[1], "wb") as err:
            proc = subprocess.Popen(["wine", os.path.join(self.build, program)] + list(args),
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    env=self.env, cwd=self.prefix)
        return proc, paths

    def close(self):
        subprocess.run(["wineserver", "-k"], env=self.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)
        # wineserver -k returns before the server has let go of the prefix.
        subprocess.run(["wineserver", "-w"], env=self.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(self.prefix, ignore_errors=True)


def linux(cli, args):
    out = subprocess.run([cli] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=RUN_TIMEOUT)
    return out.returncode, out.stdout.decode(), out.stderr.decode()


def parse_document(title, rc, out, err, problems):
    if rc != 0:
        problems.append("%s: exit %d: %s" % (title, rc, err.strip()))
        return None
    try:
        doc = json.loads(out)
    except ValueError as e:
        problems.append("%s: not JSON (%s): %r" % (title, e, out[:200]))
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("sockets"), list):
        problems.append("%s: not a sockstate/1 document" % title)
        return None
    return doc


def document_problems(title, doc, out, pids):
    """Schema, self-consistency and the Windows facts of one document."""
    problems = []
    v = subprocess.run([sys.executable, VALIDATE, "-"], input=out.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    if v.returncode != 0:
        problems += ["%s: schema: %s" % (title, line)
                     for line in v.stdout.decode().splitlines()]
    if doc.get("backend") != "windows-iphlpapi":
        problems.append("%s: backend %r" % (title, doc.get("backend")))
    if (doc.get("os") or {}).get("name") != "Windows":
        problems.append("%s: os %r" % (title, doc.get("os")))
    want_source = "windows" if pids else None
    if doc.get("pid_source") != want_source:
        problems.append("%s: pid_source %r, expected %r"
                        % (title, doc.get("pid_source"), want_source))
    for s in doc["sockets"]:
        native = s.get("native_state") or {}
        want = WINDOWS_NATIVE.get(s.get("state"))
        if want is None or (native.get("code"), native.get("name")) != want:
            problems.append("%s: native_state %s/%s for %s, expected %s"
                            % (title, native.get("code"), native.get("name"),
                               labexpect.describe(s), want))
        if s.get("uid") is not None or s.get("inode") is not None:
            problems.append("%s: uid/inode set on Windows: %s" % (title, labexpect.describe(s)))
        if not pids and (s.get("pid") is not None or s.get("process") is not None):
            problems.append("%s: pid/process without -p: %s" % (title, labexpect.describe(s)))
        if pids and s.get("pid") is not None and not isinstance(s.get("process"), str):
            problems.append("%s: pid %s without a process name: %s"
                            % (title, s.get("pid"), labexpect.describe(s)))
    return problems


def step(name, problems, started):
    took = time.time() - started
    if problems:
        print("check_wine: %s: %d problem(s) (%.1f s)" % (name, len(problems), took))
        for p in problems:
            print("  " + p)
    else:
        print("check_wine: %s: ok (%.1f s)" % (name, took))
    return 1 if problems else 0


def check_listing(wine, cli, expected):
    """Steps 1 and 2: the full listing against the lab and against Linux."""
    started = time.time()
    problems = []
    rc, out, err = wine.run("sockstate.exe", ["--json", "--state", "all"])
    lrc, lout, lerr = linux(cli, ["--json", "--state", "all"])
    title = "sockstate.exe --json --state all"
    doc = parse_document(title, rc, out, err, problems)
    ldoc = parse_document("sockstate --json --state all (Linux)", lrc, lout, lerr, problems)
    if doc is None or ldoc is None:
        return step("listing", problems, started)
    problems += document_problems(title, doc, out, pids=False)
    want = labexpect.select(expected, states=NOT_BOUND)
    result = labexpect.compare(want, doc["sockets"], native=False, pids=False)
    problems += ["vs the lab: " + line for line in result.problems()]

    # Socket by socket against the Linux build (Wine cannot see BOUND).
    mine = {labexpect.key(s): s for s in doc["sockets"]}
    theirs = {labexpect.key(s): s for s in ldoc["sockets"] if s.get("state") != "BOUND"}
    for k in sorted(set(theirs) - set(mine)):
        problems.append("vs Linux: only Linux lists %s" % labexpect.describe(theirs[k]))
    for k in sorted(set(mine) - set(theirs)):
        problems.append("vs Linux: only Wine lists %s" % labexpect.describe(mine[k]))
    for k in sorted(set(mine) & set(theirs)):
        if mine[k].get("state") != theirs[k].get("state"):
            problems.append("vs Linux: %s, Linux says %s"
                            % (labexpect.describe(mine[k]), theirs[k].get("state")))
    if not problems:
        print("check_wine: %d sockets, the same as the lab holds (but BOUND) and as "
              "the Linux build lists" % len(mine))
    return step("listing", problems, started)


def check_summary(wine, cli):
    """Step 3: --summary, byte for byte."""
    started = time.time()
    problems = []
    rc, out, err = wine.run("sockstate.exe", ["--summary"])
    lrc, lout, lerr = linux(cli, ["--summary"])
    if rc != 0 or lrc != 0:
        problems.append("--summary: exit %d (Wine: %s), %d (Linux: %s)"
                        % (rc, err.strip(), lrc, lerr.strip()))
    elif out != lout:
        problems.append("sockstate.exe --summary differs from Linux's:")
        problems += ["Wine:  " + line for line in out.splitlines()]
        problems += ["Linux: " + line for line in lout.splitlines()]
    elif "ESTABLISHED" not in out:
        problems.append("--summary names no ESTABLISHED line: %r" % out)
    return step("summary", problems, started)


def filter_cases(expected):
    sel = labexpect.select
    port = next(e["local"]["port"] for e in expected
                if e["family"] == "ipv4" and e["scenario"] == "syn_recv"
                and e["local"]["port"] % 10 == 0)
    yield ["--state", "SYN-RECV,fin_wait1,Closing"], \
        sel(expected, states=["SYN_RECEIVED", "FIN_WAIT_1", "CLOSING"]), False
    yield ["-6"], sel(expected, states=NOT_BOUND, families=["ipv6"]), False
    yield ["--state", "listen", "-4"], sel(expected, states=["LISTEN"], families=["ipv4"]), False
    yield ["--port", str(port)], sel(expected, states=NOT_BOUND, port=port), False
    yield ["-p"], sel(expected, states=NOT_BOUND), True


def check_filters(wine, expected):
    """Step 4: filters pushed to the backend or applied by the core, and -p."""
    started = time.time()
    problems = []
    for args, want, pids in filter_cases(expected):
        title = "sockstate.exe --json " + " ".join(args)
        rc, out, err = wine.run("sockstate.exe", ["--json"] + args)
        doc = parse_document(title, rc, out, err, problems)
        if doc is None:
            continue
        problems += document_problems(title, doc, out, pids=pids)
        result = labexpect.compare(want, doc["sockets"], native=False, pids=False)
        problems += ["%s: %s" % (title, line) for line in result.problems()]
    return step("filters", problems, started)


def read_lines(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace").splitlines()


def wait_for_lines(path, predicate, timeout=RUN_TIMEOUT):
    """The lines of path once predicate(lines) holds, or None at the
    timeout (the file is what the program has written so far)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        lines = read_lines(path)
        if predicate(lines):
            return lines
        time.sleep(0.05)
    return None


def check_trace(wine):
    """Step 5: trace with the poll source, on sockets made here."""
    started = time.time()
    problems = []
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc, (out, err) = wine.spawn("sockstate.exe", [
        "trace", "--source", "poll", "--interval", "0.05", "--sport", str(port),
        "--count", "3", "--json", "--verbose"], "trace")
    socks = []
    try:
        if not wait_for_lines(err, lambda ls: any("trace source poll" in x for x in ls)):
            problems.append("trace: not watching after %d s: %s" % (RUN_TIMEOUT, read_lines(err)))
            return step("trace", problems, started)
        listener = socket.socket()
        socks.append(listener)
        listener.bind(("127.0.0.1", port))
        listener.listen(4)
        client = socket.create_connection(("127.0.0.1", port))
        socks.append(client)
        server, _ = listener.accept()
        socks.append(server)
        if not wait_for_lines(out, lambda ls: len(ls) >= 2):
            problems.append("trace: the listener and the connection not seen: %s"
                            % read_lines(out))
            return step("trace", problems, started)
        client.shutdown(socket.SHUT_WR)
        rc = proc.wait(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        problems.append("trace: --count 3 not reached: %s" % read_lines(out))
        return step("trace", problems, started)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for s in socks:
            s.close()
    lines = read_lines(out)
    if rc != 0:
        problems.append("trace: exit %d: %s" % (rc, read_lines(err)))
    v = subprocess.run([sys.executable, VALIDATE_EVENTS, "--min", "3", out],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    problems += ["trace: schema: " + x for x in v.stdout.decode().splitlines()]
    try:
        events = [json.loads(x) for x in lines]
    except ValueError as e:
        problems.append("trace: not NDJSON (%s): %r" % (e, lines))
        return step("trace", problems, started)
    seen = sorted((e["old_state"], e["new_state"], e["inferred"],
                   (e["new_native_state"] or {}).get("name")) for e in events)
    want = sorted([("CLOSED", "LISTEN", False, "LISTENING"),
                   # A listing cannot tell how it opened: inferred.
                   ("CLOSED", "ESTABLISHED", True, "ESTABLISHED"),
                   ("ESTABLISHED", "CLOSE_WAIT", False, "CLOSE_WAIT")])
    if seen != want:
        problems.append("trace: events %s, expected %s" % (seen, want))
    if any(e["source"] != "poll" or e["local"]["port"] != port for e in events):
        problems.append("trace: not all poll events on local port %d: %s" % (port, lines))
    if events and events[-1]["new_state"] != "CLOSE_WAIT":
        problems.append("trace: CLOSE_WAIT is not the last event: %s" % lines)
    return step("trace", problems, started)


def check_program(wine):
    """Step 6: the Windows test program."""
    started = time.time()
    problems = []
    rc, out, err = wine.run(os.path.join("tests", "windows", "test_windows.exe"), [],
                            timeout=PROGRAM_TIMEOUT)
    for line in out.splitlines():
        print("  test_windows: " + line)
    last = out.strip().splitlines()[-1] if out.strip() else ""
    if rc != 0 or not last.endswith(" 0 failed"):
        problems.append("test_windows.exe: exit %d, last line %r %s" % (rc, last, err.strip()))
    return step("test_windows.exe", problems, started)


# Normalized counter -> the MIB_TCPSTATS field and the /proc/net/snmp Tcp
# column Wine fills it from (dlls/nsiproxy.sys/tcp.c).
COUNTER_COLUMNS = {
    "active_opens": "ActiveOpens", "passive_opens": "PassiveOpens",
    "attempt_fails": "AttemptFails", "established_resets": "EstabResets",
    "resets_sent": "OutRsts", "segments_received": "InSegs", "segments_sent": "OutSegs",
    "segments_retransmitted": "RetransSegs", "bad_segments_received": "InErrs",
}


def snmp_tcp():
    """The Tcp columns of this namespace's /proc/net/snmp, by name."""
    with open("/proc/net/snmp") as f:
        lines = [line.split() for line in f if line.startswith("Tcp:")]
    return {name: int(value) for name, value in zip(lines[0][1:], lines[1][1:])}


def counters_problems(out, before, after):
    """Step 7's checks of test_windows.exe counters' output."""
    problems = []
    families = {}
    for line in out.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "stats":
            families[words[1]] = dict(w.split("=", 1) for w in words[2:] if "=" in w)
    for family in ("AF_INET", "AF_INET6"):
        fields = families.get(family)
        if not fields:
            problems.append("no MIB_TCPSTATS for %s: %r" % (family, out[:200]))
            continue
        for column in COUNTER_COLUMNS.values():
            v = int(fields.get(column, -1))
            if not before[column] <= v <= after[column]:
                problems.append("%s dw%s is %d; /proc/net/snmp Tcp %s went %d -> %d"
                                % (family, column, v, column, before[column], after[column]))
    start = out.find("{")
    try:
        doc = json.loads(out[start:]) if start >= 0 else None
    except ValueError as e:
        return problems + ["the counters document is not JSON: %s" % e]
    if not isinstance(doc, dict) or not isinstance(doc.get("tcp_counters"), dict):
        return problems + ["no tcp_counters document: %r" % out[start:start + 200]]
    v = subprocess.run([sys.executable, VALIDATE, "-"], input=out[start:].encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    if v.returncode != 0:
        problems += ["counters schema: " + line for line in v.stdout.decode().splitlines()]
    tc = doc["tcp_counters"]
    if tc.get("source") != "GetTcpStatisticsEx" or doc.get("backend") != "windows-iphlpapi":
        problems.append("source %r, backend %r" % (tc.get("source"), doc.get("backend")))
    for name, entry in sorted((tc.get("counters") or {}).items()):
        column = COUNTER_COLUMNS.get(name)
        if column is None:
            if entry != {"value": None, "native": None}:
                problems.append("%s: %r, but Windows does not count it" % (name, entry))
            continue
        native = "dw%s (AF_INET + AF_INET6)" % column
        if entry.get("native") != native:
            problems.append("%s: native %r, expected %r" % (name, entry.get("native"), native))
        value = entry.get("value")
        if not isinstance(value, int) or not 2 * before[column] <= value <= 2 * after[column]:
            problems.append("%s is %r; twice /proc/net/snmp Tcp %s went %d -> %d"
                            % (name, value, column, 2 * before[column], 2 * after[column]))
    missing = set(COUNTER_COLUMNS) - set(tc.get("counters") or {})
    if missing:
        problems.append("counters missing: %s" % ", ".join(sorted(missing)))
    return problems


def check_counters(wine):
    """Step 7: GetTcpStatisticsEx and the library's counters against the
    namespace's own /proc/net/snmp."""
    started = time.time()
    before = snmp_tcp()
    rc, out, err = wine.run(os.path.join("tests", "windows", "test_windows.exe"),
                            ["counters"])
    after = snmp_tcp()
    if rc != 0:
        problems = ["test_windows.exe counters: exit %d: %s %s"
                    % (rc, out.strip()[:300], err.strip())]
    else:
        problems = counters_problems(out, before, after)
    if not problems:
        print("check_wine: counters: each family's MIB_TCPSTATS within /proc/net/snmp's "
              "Tcp line (ActiveOpens %d -> %d), the library's the two summed"
              % (before["ActiveOpens"], after["ActiveOpens"]))
    return step("counters", problems, started)


def diagnosis(title, rc, out, err, problems, expect_exit):
    """The sockstate-diagnosis/1 document of a run, validated, or None."""
    if rc != expect_exit:
        problems.append("%s: exit %d (expected %d): %s" % (title, rc, expect_exit, err.strip()))
    try:
        doc = json.loads(out)
    except ValueError as e:
        problems.append("%s: not JSON: %s" % (title, e))
        return None
    v = subprocess.run([sys.executable, VALIDATE, "-"], input=out.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    if v.returncode != 0:
        problems += ["%s: schema: %s" % (title, line) for line in v.stdout.decode().splitlines()]
    return doc


def check_diagnose(wine, cli):
    """Step 7: counters and diagnose through sockstate.exe."""
    started = time.time()
    problems = []
    rc, out, err = wine.run("sockstate.exe", ["counters", "--format", "json"])
    if rc != 0 or '"source":"GetTcpStatisticsEx"' not in out:
        problems.append("sockstate.exe counters: exit %d: %r %s" % (rc, out[:200], err.strip()))

    rc, out, err = wine.run("sockstate.exe", ["diagnose", "--format", "json",
                                              "--interval", "0.5"])
    doc = diagnosis("sockstate.exe diagnose", rc, out, err, problems, rc if rc in (0, 1) else 0)
    if doc is not None:
        checks = {c["code"]: (c["status"], c["notes"]) for c in doc["checks"]}
        if doc["backend"] != "windows-iphlpapi" or doc["window"]["counters"] != "delta":
            problems.append("diagnose: backend %r, window %r" % (doc["backend"], doc["window"]))
        if doc["ephemeral_ports"] != {"first": 49152, "last": 65535, "source": "default"}:
            problems.append("diagnose: ephemeral ports %r" % doc["ephemeral_ports"])
        if checks["ephemeral-ports-low"] != ("clear", ["port-range-assumed"]):
            problems.append("diagnose: ephemeral-ports-low %r" % (checks["ephemeral-ports-low"],))
        accept = checks["accept-queue-overflow"]
        if accept[0] != "not-checked" or not {"no-backlog", "counter-unknown"} <= set(accept[1]):
            problems.append("diagnose: accept-queue-overflow %r" % (accept,))
        if checks["retransmissions-high"][0] not in ("clear", "found"):
            problems.append("diagnose: retransmissions-high %r"
                            % (checks["retransmissions-high"],))

    # A port nothing listens on in the lab: the same findings as Linux's.
    args = ["diagnose", "--to", "127.0.0.1:9", "--probe", "--interval", "0", "--format",
            "json"]
    rc, out, err = wine.run("sockstate.exe", args)
    win = diagnosis("sockstate.exe " + " ".join(args), rc, out, err, problems, 1)
    rc, out, err = linux(cli, args)
    lin = diagnosis("sockstate " + " ".join(args), rc, out, err, problems, 1)
    if win is not None and lin is not None:
        def said(doc):
            return [(f["code"], f["severity"], f["headline"].split(" (")[0])
                    for f in doc["findings"]]
        if said(win) != said(lin) or win["probe"]["result"] != "refused":
            problems.append("probe: Windows said %r (probe %r), Linux %r"
                            % (said(win), win["probe"], said(lin)))
    if not problems:
        print("check_wine: counters and diagnose: valid documents, the checks Windows "
              "cannot make marked so, a refused probe said as Linux says it")
    return step("diagnose", problems, started)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows-build", required=True)
    ap.add_argument("--linux-cli", required=True)
    opts = ap.parse_args()

    for tool in ("wine", "wineserver"):
        if not shutil.which(tool):
            print("check_wine: skipped: %s is not installed (Debian: wine wine64)" % tool)
            return 77
    for f in ("sockstate.exe", "sockstate.dll", os.path.join("tests", "windows",
                                                            "test_windows.exe")):
        if not os.path.isfile(os.path.join(opts.windows_build, f)):
            print("check_wine: %s is not in %s: build it first" % (f, opts.windows_build))
            return 2
    if not os.access(opts.linux_cli, os.X_OK):
        print("check_wine: no Linux CLI at %s" % opts.linux_cli)
        return 2
    try:
        expected = labexpect.load()
    except labexpect.LabError as e:
        print("check_wine: %s" % e)
        return 2

    wine = Wine(opts.windows_build)
    steps = [lambda: check_listing(wine, opts.linux_cli, expected),
             lambda: check_summary(wine, opts.linux_cli),
             lambda: check_filters(wine, expected),
             lambda: check_trace(wine),
             lambda: check_program(wine),
             lambda: check_counters(wine),
             lambda: check_diagnose(wine, opts.linux_cli)]
    failed = 0
    try:
        started = time.time()
        wine.start()
        rc, out, err = wine.run("sockstate.exe", ["--version"], timeout=FIRST_START_TIMEOUT)
        if rc != 0:
            print("check_wine: the first Wine start failed: exit %d: %s %s"
                  % (rc, out.strip(), err.strip()))
            return 1
        print("check_wine: Wine prefix made and sockstate.exe started in %.1f s: %s"
              % (time.time() - started, out.strip()))
        # TIME_WAIT sockets last 60 s from the lab's start: listings first.
        for run_step in steps:
            failed += run_step()
    except subprocess.TimeoutExpired as e:
        print("check_wine: timed out: %s" % e)
        return 1
    finally:
        wine.close()
    print("check_wine: %d of %d steps passed" % (len(steps) - failed, len(steps)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
