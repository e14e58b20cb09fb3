#!/usr/bin/env python3
"""selftest - check_os.py must see what is wrong, not only pass.

Run inside the lab: statelab.py run -- python3 selftest.py

Hands check_os.py expectations that differ from the lab in one known way
each (a socket left out, one invented, a state, a pid and a BOUND socket
changed) and asserts it exits 1 naming exactly that socket and fault in
every view that shows the state. Exit 0 when it does, 1 otherwise.
"""

import copy
import json
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # never write into the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import labexpect  # noqa: E402

# How many of check_os's views show a state: ss, /proc and the full
# sock_diag dump show all but BOUND; BOUND has its own view and the dump.
VIEWS_SHOWING = {state: 3 if state != "BOUND" else 2 for state in labexpect.STATES}


def pick(expected, scenario, family, state):
    for i, e in enumerate(expected):
        if (e["scenario"], e["family"], e["state"]) == (scenario, family, state):
            return i
    raise SystemExit("selftest: the lab has no %s %s %s" % (scenario, family, state))


def mutations(expected):
    """(what, mutated expectations, [(line fragment, times)])."""
    m = copy.deepcopy(expected)
    gone = m.pop(pick(m, "established", "ipv4", "ESTABLISHED"))
    yield ("a socket left out", m,
           [("unexpected  " + labexpect.describe(gone), 3)])

    m = copy.deepcopy(expected)
    fake = copy.deepcopy(m[pick(m, "listen", "ipv6", "LISTEN")])
    fake["local"]["port"] = 22999
    m.append(fake)
    yield ("an invented socket", m,
           [("missing     %s (scenario listen)" % labexpect.describe(fake), 3)])

    m = copy.deepcopy(expected)
    e = m[pick(m, "closing", "ipv4", "CLOSING")]
    e.update(state="LAST_ACK", native_linux="LAST-ACK", native_code=9)
    yield ("a state", m,
           [("wrong       %s (scenario closing): state CLOSING, expected LAST_ACK; "
             "native_state 11/CLOSING, expected 9/LAST-ACK" % labexpect.describe(e), 3)])

    m = copy.deepcopy(expected)
    e = m[pick(m, "syn_sent", "ipv6", "SYN_SENT")]
    real = e["pid"]
    e.update(pid=1, pids=[1])
    yield ("an owner", m,
           [("wrong       %s (scenario syn_sent): pid %d pids [%d], expected pid 1 pids [1]"
             % (labexpect.describe(e), real, real), 3)])

    m = copy.deepcopy(expected)
    if any(x["state"] == "BOUND" for x in m):
        gone = m.pop(pick(m, "bound_refused", "ipv4", "BOUND"))
        yield ("a BOUND socket left out", m,
               [("unexpected  " + labexpect.describe(gone), 2)])


def main():
    expected = labexpect.load()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="statelab-selftest-") as tmp:
        path = os.path.join(tmp, "mutated.json")
        for what, mutated, wants in mutations(expected):
            with open(path, "w") as f:
                json.dump(mutated, f)
            out = subprocess.run(
                [sys.executable, os.path.join(HERE, "check_os.py")],
                env=dict(os.environ, STATELAB_JSON=path),
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                universal_newlines=True)
            problems = [line.strip() for line in out.stdout.splitlines()
                        if line.startswith("  ")]
            bad = []
            if out.returncode != 1:
                bad.append("exit %d, expected 1" % out.returncode)
            for fragment, times in wants:
                seen = sum(1 for p in problems if p == fragment)
                if seen != times:
                    bad.append("%r reported %d times, expected %d"
                               % (fragment, seen, times))
            extra = [p for p in problems if p not in {f for f, _t in wants}]
            if extra:
                bad.append("other problems reported: %s" % extra)
            if bad:
                failed += 1
                print("selftest: %s: check_os got it wrong:\n  %s\n--- its output:\n%s"
                      % (what, "\n  ".join(bad), out.stdout))
            else:
                print("selftest: %s: check_os reports it" % what)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
