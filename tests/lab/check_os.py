#!/usr/bin/env python3
"""check_os - the lab's expectations against the OS's own tools alone.

Run inside the lab: statelab.py run -- python3 check_os.py

Asserts, socket by socket (endpoints, state, native spelling and code,
owner pids and process name), that each view of the namespace holds exactly
the expected sockets:
  - `ss -tanp` (-4 and -6): every socket but BOUND;
  - the bound-inactive sockets: `ss -tnp -B` (or `state bound-inactive`)
    where this ss knows them, else a sock_diag dump with request bit 13
    only (iproute2 6.1 cannot show them);
  - /proc/net/tcp and /proc/net/tcp6: every socket but BOUND;
  - one sock_diag dump with request bits 1-13: every socket.
Exit 0 when all agree, 1 with a report of each mismatch, 2 when the lab's
file cannot be read.
"""

import os
import sys

sys.dont_write_bytecode = True  # never write into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labexpect  # noqa: E402
import labos  # noqa: E402


def views():
    """(title, records, the states that view can show)."""
    not_bound = [s for s in labexpect.STATES if s != "BOUND"]
    yield ("ss -tanp", labos.ss_sockets(), not_bound)
    bound_query = labos.ss_bound_query()
    if bound_query:
        yield ("ss -tnp " + " ".join(bound_query),
               labos.ss_sockets(bound_query), ["BOUND"])
    else:
        print("check_os: this ss cannot list bound-inactive sockets; "
              "BOUND is checked with a sock_diag dump asking bit 13 only")
        yield ("sock_diag bit 13 (bound-inactive)",
               labos.attach_owners(labos.diag_dump(labos.DIAG_STATES_BOUND)),
               ["BOUND"])
    yield ("/proc/net/tcp{,6}", labos.attach_owners(labos.proc_sockets()),
           not_bound)
    yield ("sock_diag bits 1-13", labos.attach_owners(labos.diag_dump()),
           list(labexpect.STATES))


def main():
    try:
        expected = labexpect.load()
    except labexpect.LabError as e:
        print("check_os: %s" % e)
        return 2
    failed = 0
    try:
        for title, actual, states in views():
            want = labexpect.select(expected, states=states)
            result = labexpect.compare(want, actual, native=True, pids=True)
            if result.ok:
                print("check_os: %s: ok (%d sockets)" % (title, len(want)))
            else:
                failed += 1
                print("check_os: " + result.report(title))
    except labos.LabOSError as e:
        print("check_os: cannot read the OS: %s" % e)
        return 1
    shown = {e["state"] for e in expected}
    absent = [s for s in labexpect.STATES if s not in shown]
    if absent == ["BOUND"] and not labos.diag_dump(labos.DIAG_STATES_BOUND):
        absent = []  # an older kernel: statelab warned already
    if absent:
        failed += 1
        print("check_os: the lab holds no socket in %s" % ", ".join(absent))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
