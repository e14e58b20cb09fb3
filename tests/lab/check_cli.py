#!/usr/bin/env python3
"""check_cli - the sockstate command line against the lab's expectations.

Run inside the lab, with SOCKSTATE_CLI naming the built tool:
  SOCKSTATE_CLI=build/sockstate statelab.py run -- python3 check_cli.py

Each case runs the CLI with --json and asserts the sockstate/1 document
lists exactly the expected sockets (endpoints, state, native_state code and
name; with -p also pid, pids and process), that pid and process are null
without -p, that the document's schema, backend and counts are consistent,
and that the CLI exits 0. Exit 0 when every case passes, 1 otherwise, 2
when the tool or the lab's file is missing.
"""

import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # never write into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labexpect  # noqa: E402

BACKENDS = ("linux-netlink", "linux-proc")
NOT_BOUND = [s for s in labexpect.STATES if s != "BOUND"]


def cases(expected):
    """(arguments after --json, expected subset, pids asked)."""
    sel = labexpect.select
    yield ["--state", "all"], sel(expected), False
    yield [], sel(expected, states=NOT_BOUND), False
    yield ["--state", "all", "-p"], sel(expected), True
    yield ["-p", "--pid-source", "procfs"], sel(expected, states=NOT_BOUND), True
    yield ["--backend", "linux-netlink", "--state", "all"], sel(expected), False
    yield ["--backend", "linux-proc"], sel(expected, states=NOT_BOUND), False
    yield ["--state", "all", "-4"], sel(expected, families=["ipv4"]), False
    yield ["--state", "all", "-6"], sel(expected, families=["ipv6"]), False
    for state in labexpect.STATES:
        yield ["--state", state], sel(expected, states=[state]), False
    # Other OSes' and tools' spellings name the same states.
    yield (["--state", "SYN-RECV,fin_wait1,Closing,UNCONN"],
           sel(expected, states=["SYN_RECEIVED", "FIN_WAIT_1", "CLOSING", "BOUND"]),
           False)
    # A listening port (its request socket too), and a client's port.
    for family, scenario, role in (("ipv4", "syn_recv", 0), ("ipv6", "fin_wait_1", 1)):
        port = next(e["local"]["port"] for e in expected if e["family"] == family
                    and e["scenario"] == scenario and e["local"]["port"] % 10 == role)
        yield (["--state", "all", "--port", str(port)],
               sel(expected, port=port), False)


def document_problems(doc, pids):
    problems = []
    if doc.get("schema") != "sockstate/1":
        problems.append("schema %r, expected 'sockstate/1'" % doc.get("schema"))
    if doc.get("backend") not in BACKENDS:
        problems.append("backend %r, expected one of %s"
                        % (doc.get("backend"), ", ".join(BACKENDS)))
    sockets = doc.get("sockets")
    if not isinstance(sockets, list):
        return problems + ["no 'sockets' list"]
    tally = {}
    for s in sockets:
        tally[s.get("state")] = tally.get(s.get("state"), 0) + 1
    counts = doc.get("counts")
    if not isinstance(counts, dict):
        problems.append("no 'counts' object")
    else:
        for state in sorted(set(counts) | set(tally)):
            if counts.get(state, 0) != tally.get(state, 0):
                problems.append("counts[%s] = %s, but %d such sockets listed"
                                % (state, counts.get(state), tally.get(state, 0)))
    if not pids:
        owned = [s for s in sockets if s.get("pid") is not None
                 or s.get("process") is not None]
        if owned:
            problems.append("%d sockets carry pid/process without -p (first: %s)"
                            % (len(owned), labexpect.describe(owned[0])))
    return problems


def run_case(cli, args, want, pids):
    argv = [cli, "--json"] + args
    title = " ".join(["sockstate", "--json"] + args)
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "%s: %s" % (title, e)
    if out.returncode != 0:
        return "%s: exit %d: %s" % (title, out.returncode, out.stderr.strip())
    try:
        doc = json.loads(out.stdout)
    except ValueError as e:
        return "%s: not JSON (%s): %r" % (title, e, out.stdout[:200])
    if not isinstance(doc, dict):
        return "%s: the document is not an object" % title
    problems = document_problems(doc, pids)
    result = labexpect.compare(want, doc.get("sockets") or [], native=True, pids=pids)
    if problems or not result.ok:
        lines = problems + result.problems()
        return "\n".join(["%s: %d problem(s)" % (title, len(lines))]
                         + ["  " + line for line in lines])
    return None


def main():
    cli = os.environ.get("SOCKSTATE_CLI")
    if not cli or not os.access(cli, os.X_OK):
        print("check_cli: SOCKSTATE_CLI must name the sockstate tool (got %r)" % cli)
        return 2
    try:
        expected = labexpect.load()
    except labexpect.LabError as e:
        print("check_cli: %s" % e)
        return 2
    failed = 0
    total = 0
    for args, want, pids in cases(expected):
        total += 1
        if not want:
            print("check_cli: internal: case %s expects nothing" % " ".join(args))
            failed += 1
            continue
        problem = run_case(cli, args, want, pids)
        if problem:
            failed += 1
            print("check_cli: " + problem)
        else:
            print("check_cli: %s: ok (%d sockets)"
                  % (" ".join(["sockstate", "--json"] + args), len(want)))
    print("check_cli: %d of %d cases passed" % (total - failed, total))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
