"""The state lab's expectations, and the one comparison every checker uses.

A checker runs inside the lab (`statelab.py run -- CHECKER`), reads the
expectations with load(), gathers what its tool or API reports as records in
the sockstate/1 socket shape (family, local{address,port},
remote{address,port}, state, native_state{code,name}; optionally pid, pids,
process), and calls compare(). The lab holds every TCP socket of its
namespace, so a record not expected is as wrong as one missing.

Python 3 standard library only.
"""

import json
import os
import time

STATES = ("LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
          "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
          "BOUND")
FAMILIES = ("ipv4", "ipv6")
_REQUIRED = ("family", "local", "remote", "state", "native_linux",
             "native_code", "pid", "pids", "process", "scenario")


class LabError(Exception):
    """The expectations file is missing or malformed."""


def load(path=None):
    """The expectations: a list of dicts (see docs/LAB.md). path defaults to
    $STATELAB_JSON, which `statelab.py run` sets for its command."""
    if path is None:
        path = os.environ.get("STATELAB_JSON")
        if not path:
            raise LabError("STATELAB_JSON is not set: run this under "
                           "tests/lab/statelab.py run -- ...")
    try:
        with open(path) as f:
            expected = json.load(f)
    except (OSError, ValueError) as e:
        raise LabError("%s: %s" % (path, e))
    if not isinstance(expected, list) or not expected:
        raise LabError("%s: not a non-empty list" % path)
    for i, exp in enumerate(expected):
        missing = [k for k in _REQUIRED if k not in exp]
        if missing:
            raise LabError("%s: entry %d lacks %s" % (path, i, ", ".join(missing)))
        if exp["state"] not in STATES or exp["family"] not in FAMILIES:
            raise LabError("%s: entry %d: bad state or family" % (path, i))
    return expected


def key(rec):
    """What identifies a socket: family and both endpoints."""
    return (rec["family"], rec["local"]["address"], rec["local"]["port"],
            rec["remote"]["address"], rec["remote"]["port"])


def endpoint_text(address, port):
    return "[%s]:%d" % (address, port) if ":" in address else "%s:%d" % (address, port)


def describe(rec):
    """One line: 'ipv4 127.0.0.1:21060 -> 127.0.0.2:21061 ESTABLISHED'."""
    return "%s %s -> %s %s" % (
        rec["family"], endpoint_text(rec["local"]["address"], rec["local"]["port"]),
        endpoint_text(rec["remote"]["address"], rec["remote"]["port"]),
        rec.get("state"))


def select(expected, states=None, families=None, port=None):
    """The expected sockets a filtered listing must return: state in states,
    family in families, local or remote port equal to port (None: any)."""
    out = []
    for exp in expected:
        if states is not None and exp["state"] not in states:
            continue
        if families is not None and exp["family"] not in families:
            continue
        if port is not None and port not in (exp["local"]["port"],
                                             exp["remote"]["port"]):
            continue
        out.append(exp)
    return out


class Comparison:
    """The result of compare(): empty lists mean the listing was exact."""

    def __init__(self):
        self.missing = []      # expected records nobody reported
        self.unexpected = []   # reported records the lab does not hold
        self.duplicates = []   # reported more than once
        self.wrong = []        # (expected, actual, what differs)

    @property
    def ok(self):
        return not (self.missing or self.unexpected or self.duplicates or self.wrong)

    def problems(self):
        """One line per problem, stable order."""
        lines = []
        now = time.time()
        for exp in self.missing:
            line = "missing     %s (scenario %s)" % (describe(exp), exp["scenario"])
            if exp.get("expires_at") and now >= exp["expires_at"]:
                line += " -- its 60 s TIME_WAIT had run out: the check ran too late"
            lines.append(line)
        for act in self.unexpected:
            lines.append("unexpected  %s" % describe(act))
        for act in self.duplicates:
            lines.append("duplicate   %s" % describe(act))
        for exp, _act, what in self.wrong:
            lines.append("wrong       %s (scenario %s): %s"
                         % (describe(exp), exp["scenario"], what))
        return lines

    def report(self, title):
        """A readable block: title, verdict, problems."""
        if self.ok:
            return "%s: ok" % title
        lines = self.problems()
        return "\n".join(["%s: %d problem(s)" % (title, len(lines))]
                         + ["  " + line for line in lines])


def compare(expected, actual, native=True, pids=False):
    """Compare the lab's expectations with reported records.

    Records match by key() (family and both endpoints). For a matched pair
    the normalized state must agree; with native=True native_state must be
    {code: native_code, name: native_linux}; with pids=True pid, the set of
    pids and process must agree (pid null and no pids for TIME_WAIT and
    request sockets). Returns a Comparison.
    """
    result = Comparison()
    by_key = {}
    for act in actual:
        k = key(act)
        if k in by_key:
            result.duplicates.append(act)
        else:
            by_key[k] = act
    seen = set()
    for exp in expected:
        k = key(exp)
        seen.add(k)
        act = by_key.get(k)
        if act is None:
            result.missing.append(exp)
            continue
        what = []
        if act.get("state") != exp["state"]:
            what.append("state %s, expected %s" % (act.get("state"), exp["state"]))
        if native:
            ns = act.get("native_state") or {}
            if ns.get("name") != exp["native_linux"] or ns.get("code") != exp["native_code"]:
                what.append("native_state %s/%s, expected %s/%s" % (
                    ns.get("code"), ns.get("name"), exp["native_code"],
                    exp["native_linux"]))
        if pids:
            got_pids = sorted(act.get("pids") or [])
            if act.get("pid") != exp["pid"] or got_pids != sorted(exp["pids"]):
                what.append("pid %s pids %s, expected pid %s pids %s" % (
                    act.get("pid"), got_pids, exp["pid"], sorted(exp["pids"])))
            if act.get("process") != exp["process"]:
                what.append("process %r, expected %r" % (act.get("process"),
                                                         exp["process"]))
        if what:
            result.wrong.append((exp, act, "; ".join(what)))
    result.unexpected = [a for k, a in by_key.items() if k not in seen]
    return result
