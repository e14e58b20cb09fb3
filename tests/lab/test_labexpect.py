#!/usr/bin/env python3
"""Unit tests of labexpect (no namespace, no root): python3 test_labexpect.py"""

import copy
import json
import os
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # never write into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labexpect  # noqa: E402


def entry(family, laddr, lport, raddr, rport, state, native, code, pid,
          scenario, expires_at=None, process="lab-server"):
    return {"family": family,
            "local": {"address": laddr, "port": lport},
            "remote": {"address": raddr, "port": rport},
            "state": state, "native_linux": native, "native_code": code,
            "pid": pid, "pids": [] if pid is None else [pid],
            "process": process if pid is not None else None,
            "scenario": scenario, "expires_at": expires_at}


EXPECTED = [
    entry("ipv4", "127.0.0.1", 21000, "0.0.0.0", 0, "LISTEN", "LISTEN", 10, 100, "listen"),
    entry("ipv6", "::1", 22050, "::1", 22051, "SYN_RECEIVED", "SYN-RECV", 3, None, "syn_recv"),
    entry("ipv4", "127.0.0.2", 21101, "127.0.0.1", 21100, "TIME_WAIT", "TIME-WAIT", 6,
          None, "time_wait", expires_at=1.0),
    entry("ipv6", "::1", 22030, "::", 0, "BOUND", "UNCONN", 7, 100, "bound"),
]


def as_record(exp):
    """What a correct tool reports for exp."""
    rec = {k: copy.deepcopy(exp[k]) for k in ("family", "local", "remote", "state",
                                             "pid", "pids", "process")}
    rec["native_state"] = {"code": exp["native_code"], "name": exp["native_linux"]}
    return rec


class CompareTest(unittest.TestCase):
    def setUp(self):
        self.actual = [as_record(e) for e in EXPECTED]

    def test_exact_listing_is_ok(self):
        result = labexpect.compare(EXPECTED, self.actual, native=True, pids=True)
        self.assertTrue(result.ok)
        self.assertEqual(result.problems(), [])
        self.assertEqual(result.report("t"), "t: ok")

    def test_order_does_not_matter(self):
        result = labexpect.compare(EXPECTED, list(reversed(self.actual)), pids=True)
        self.assertTrue(result.ok)

    def test_missing(self):
        result = labexpect.compare(EXPECTED, self.actual[1:])
        self.assertEqual(result.missing, [EXPECTED[0]])
        self.assertEqual(result.problems(), [
            "missing     ipv4 127.0.0.1:21000 -> 0.0.0.0:0 LISTEN (scenario listen)"])

    def test_missing_time_wait_says_it_ran_out(self):
        result = labexpect.compare(EXPECTED, self.actual[:2] + self.actual[3:])
        self.assertEqual(result.problems(), [
            "missing     ipv4 127.0.0.2:21101 -> 127.0.0.1:21100 TIME_WAIT "
            "(scenario time_wait) -- its 60 s TIME_WAIT had run out: the check ran too late"])

    def test_unexpected(self):
        extra = as_record(EXPECTED[0])
        extra["local"]["port"] = 1
        result = labexpect.compare(EXPECTED, self.actual + [extra])
        self.assertEqual(result.unexpected, [extra])
        self.assertEqual(result.problems(), [
            "unexpected  ipv4 127.0.0.1:1 -> 0.0.0.0:0 LISTEN"])

    def test_duplicate(self):
        result = labexpect.compare(EXPECTED, self.actual + [as_record(EXPECTED[1])])
        self.assertEqual(result.problems(), [
            "duplicate   ipv6 [::1]:22050 -> [::1]:22051 SYN_RECEIVED"])

    def test_family_is_part_of_the_key(self):
        self.actual[0]["family"] = "ipv6"
        result = labexpect.compare(EXPECTED, self.actual)
        self.assertEqual(len(result.missing), 1)
        self.assertEqual(len(result.unexpected), 1)

    def test_wrong_state_and_native(self):
        self.actual[1]["state"] = "ESTABLISHED"
        self.actual[1]["native_state"] = {"code": 1, "name": "ESTAB"}
        result = labexpect.compare(EXPECTED, self.actual)
        self.assertEqual(result.problems(), [
            "wrong       ipv6 [::1]:22050 -> [::1]:22051 SYN_RECEIVED (scenario syn_recv): "
            "state ESTABLISHED, expected SYN_RECEIVED; native_state 1/ESTAB, expected 3/SYN-RECV"])

    def test_native_code_alone(self):
        self.actual[3]["native_state"]["code"] = 13
        result = labexpect.compare(EXPECTED, self.actual)
        self.assertEqual(result.problems(), [
            "wrong       ipv6 [::1]:22030 -> [::]:0 BOUND (scenario bound): "
            "native_state 13/UNCONN, expected 7/UNCONN"])
        self.assertTrue(labexpect.compare(EXPECTED, self.actual, native=False).ok)

    def test_pids_only_when_asked(self):
        self.actual[0]["pid"] = 7
        self.actual[0]["pids"] = [7, 100]
        self.actual[0]["process"] = "sh"
        self.assertTrue(labexpect.compare(EXPECTED, self.actual).ok)
        result = labexpect.compare(EXPECTED, self.actual, pids=True)
        self.assertEqual(result.problems(), [
            "wrong       ipv4 127.0.0.1:21000 -> 0.0.0.0:0 LISTEN (scenario listen): "
            "pid 7 pids [7, 100], expected pid 100 pids [100]; "
            "process 'sh', expected 'lab-server'"])

    def test_no_owner_means_null_and_empty(self):
        self.actual[1]["pids"] = None  # as null in JSON: no owners
        self.assertTrue(labexpect.compare(EXPECTED, self.actual, pids=True).ok)
        self.actual[1]["pid"] = 5
        self.actual[1]["pids"] = [5]
        self.assertFalse(labexpect.compare(EXPECTED, self.actual, pids=True).ok)

    def test_report_counts_problems(self):
        result = labexpect.compare(EXPECTED, self.actual[1:3])
        self.assertEqual(result.report("tool").splitlines()[0], "tool: 2 problem(s)")


class SelectTest(unittest.TestCase):
    def test_filters(self):
        sel = labexpect.select
        self.assertEqual(sel(EXPECTED, states=["BOUND"]), [EXPECTED[3]])
        self.assertEqual(sel(EXPECTED, families=["ipv6"]), [EXPECTED[1], EXPECTED[3]])
        self.assertEqual(sel(EXPECTED, port=21100), [EXPECTED[2]])
        self.assertEqual(sel(EXPECTED, port=22051, states=["SYN_RECEIVED"]), [EXPECTED[1]])
        self.assertEqual(sel(EXPECTED, port=9), [])
        self.assertEqual(sel(EXPECTED), EXPECTED)


class LoadTest(unittest.TestCase):
    def write(self, content):
        fd, path = tempfile.mkstemp(suffix=".json")
        with os.fdopen(fd, "w") as f:
            f.write(content)
        self.addCleanup(os.unlink, path)
        return path

    def test_round_trip(self):
        path = self.write(json.dumps(EXPECTED))
        self.assertEqual(labexpect.load(path), EXPECTED)

    def test_from_environment(self):
        path = self.write(json.dumps(EXPECTED))
        old = os.environ.get("STATELAB_JSON")
        os.environ["STATELAB_JSON"] = path
        try:
            self.assertEqual(labexpect.load(), EXPECTED)
            del os.environ["STATELAB_JSON"]
            with self.assertRaisesRegex(labexpect.LabError, "STATELAB_JSON is not set"):
                labexpect.load()
        finally:
            if old is not None:
                os.environ["STATELAB_JSON"] = old

    def test_rejects(self):
        bad_state = copy.deepcopy(EXPECTED)
        bad_state[0]["state"] = "ESTAB"
        no_pid = copy.deepcopy(EXPECTED)
        del no_pid[2]["pid"]
        for content, message in (("[]", "not a non-empty list"),
                                 ("{", "Expecting"),
                                 (json.dumps(bad_state), "entry 0: bad state"),
                                 (json.dumps(no_pid), "entry 2 lacks pid")):
            with self.assertRaisesRegex(labexpect.LabError, message):
                labexpect.load(self.write(content))
        with self.assertRaisesRegex(labexpect.LabError, "No such file"):
            labexpect.load("/nonexistent/expect.json")


class DescribeTest(unittest.TestCase):
    def test_text(self):
        self.assertEqual(labexpect.describe(EXPECTED[1]),
                         "ipv6 [::1]:22050 -> [::1]:22051 SYN_RECEIVED")
        self.assertEqual(labexpect.key(EXPECTED[0]),
                         ("ipv4", "127.0.0.1", 21000, "0.0.0.0", 0))

    def test_time_wait_not_yet_expired(self):
        live = copy.deepcopy(EXPECTED)
        live[2]["expires_at"] = time.time() + 60
        result = labexpect.compare(live, [as_record(e) for e in live[:2]])
        self.assertEqual(result.problems(), [
            "missing     ipv4 127.0.0.2:21101 -> 127.0.0.1:21100 TIME_WAIT (scenario time_wait)",
            "missing     ipv6 [::1]:22030 -> [::]:0 BOUND (scenario bound)"])


if __name__ == "__main__":
    unittest.main()
