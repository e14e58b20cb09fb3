"""`sockstate --replay FILE` and `--or`, as a whole process.

Mirrors iproute2's ss filter test (testsuite/tests/ss/ssfilter.t, which
replays its capture ss1.dump through TCPDIAG_FILE; GPL-2.0, not copied
here): the same four sockets, captured by us for real
(tests/fixtures/linux/diag_ss_filter.bin, see its .expect), and ss's twelve
filter expressions, each spelled in sockstate's grammar, must select what
ss selects. Then: a replay works with every format, summary, sort and
filter; a malformed, truncated or missing file is one line on stderr and
exit 2, never a crash; --or gives the same sockets with the filter in the
kernel (linux-netlink) and in user space (linux-proc, and the replay).
"""

import csv
import io
import json
import os
import pathlib
import socket
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "linux"
SS_FILE = FIXTURES / "diag_ss_filter.bin"
CLI = os.environ.get("SOCKSTATE_CLI")

pytestmark = pytest.mark.skipif(not CLI, reason="SOCKSTATE_CLI is not set (ctest sets it)")

LISTENER = ("LISTEN", "0.0.0.0", 22, "0.0.0.0", 0)
LOCAL_CLIENT = ("ESTABLISHED", "10.0.0.1", 36266, "10.0.0.1", 22)
LOCAL_SERVER = ("ESTABLISHED", "10.0.0.1", 22, "10.0.0.1", 36266)
REMOTE_SERVER = ("ESTABLISHED", "10.0.0.1", 22, "10.0.0.2", 50312)

# ssfilter.t's expressions (-Htna: every state but bound-only, as our
# default), in our grammar, and the one socket ss prints for each.
SS_EXPRESSIONS = [
    ("dport = 22", ["--dport", "22"], LOCAL_CLIENT),
    ("dport 22", ["--dport", "22"], LOCAL_CLIENT),
    ("( dport = 22 )", ["--dport", "22"], LOCAL_CLIENT),
    ("src = 0.0.0.0", ["--saddr", "0.0.0.0"], LISTENER),
    ("src 0.0.0.0", ["--saddr", "0.0.0.0"], LISTENER),
    ("src 0.0.0.0 sport = 22", ["--saddr", "0.0.0.0", "--sport", "22"], LISTENER),
    ("src 0.0.0.0 and sport = 22", ["--saddr", "0.0.0.0", "--sport", "22"], LISTENER),
    ("src 10.0.0.1 and sport = 22 and dport = 50312",
     ["--saddr", "10.0.0.1", "--sport", "22", "--dport", "50312"], REMOTE_SERVER),
    ("src 10.0.0.1 and sport = 22 and ( dport = 50312 )",
     ["--saddr", "10.0.0.1", "--sport", "22", "--dport", "50312"], REMOTE_SERVER),
    ("src 10.0.0.1 and ( sport = 22 and dport = 50312 )",
     ["--saddr", "10.0.0.1", "--sport", "22", "--dport", "50312"], REMOTE_SERVER),
    ("( src 10.0.0.1 and sport = 22 ) and dport = 50312",
     ["--saddr", "10.0.0.1", "--sport", "22", "--dport", "50312"], REMOTE_SERVER),
    # The one OR: ( A or B ) and C is the two groups (A and C) or (B and C).
    ("( src 0.0.0.0 or src 10.0.0.1 ) and dst 10.0.0.2",
     ["--saddr", "0.0.0.0", "--daddr", "10.0.0.2", "--or",
      "--saddr", "10.0.0.1", "--daddr", "10.0.0.2"], REMOTE_SERVER),
]


def run(*args):
    return subprocess.run([CLI, *[str(a) for a in args]], capture_output=True, timeout=60,
                          check=False, env=dict(os.environ, LC_ALL="C"))


def run_ok(*args):
    p = run(*args)
    assert p.returncode == 0 and p.stderr == b"", (args, p.stderr)
    return p.stdout.decode()


def sockets_of(doc):
    return {(s["state"], s["local"]["address"], s["local"]["port"], s["remote"]["address"],
             s["remote"]["port"]) for s in doc["sockets"]}


_validator = None


def validate(doc):
    """Every document against the sockstate/1 schema."""
    global _validator
    if _validator is None:
        import jsonschema

        schema = json.loads((ROOT / "docs" / "schema" / "sockstate-1.json").read_text())
        _validator = jsonschema.validators.validator_for(schema)(schema)
    _validator.validate(doc)
    return doc


def replay_json(*args, path=SS_FILE):
    return validate(json.loads(run_ok("--replay", path, "--json", *args)))


def fail_line(*args):
    """A refusal: exit 2, exactly one line on stderr, nothing on stdout."""
    p = run(*args)
    err = p.stderr.decode()
    assert p.returncode == 2 and p.stdout == b"", (args, p.returncode, err)
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err.strip()


@pytest.mark.parametrize("expression,ours,want", SS_EXPRESSIONS,
                         ids=[e[0] for e in SS_EXPRESSIONS])
def test_ss_filter_expressions(expression, ours, want):
    doc = replay_json(*ours)
    assert sockets_of(doc) == {want}, expression
    assert doc["backend"] == "linux-replay"


def test_replay_lists_the_capture_in_every_format():
    doc = replay_json()
    assert sockets_of(doc) == {LISTENER, LOCAL_CLIENT, LOCAL_SERVER, REMOTE_SERVER}
    assert [s["native_state"]["name"] for s in doc["sockets"]] == ["LISTEN"] + ["ESTAB"] * 3
    assert doc["pid_source"] is None and all(s["pid"] is None for s in doc["sockets"])
    listener = next(s for s in doc["sockets"] if s["state"] == "LISTEN")
    assert (listener["uid"], listener["inode"], listener["tx_queue"]) == (0, 19071775, 128)

    table = run_ok("--replay", SS_FILE, "-n", "--sort", "local").splitlines()
    assert [line.split()[:2] for line in table] == [["LISTEN", "LISTEN"]] + \
        [["ESTABLISHED", "ESTAB"]] * 3
    assert "0.0.0.0:22" in table[0] and "10.0.0.1:36266" in table[3]
    assert "10.0.0.2:50312" in table[1] + table[2]

    rows = list(csv.DictReader(io.StringIO(run_ok("--replay", SS_FILE, "--csv"))))
    assert len(rows) == 4 and {r["state"] for r in rows} == {"LISTEN", "ESTABLISHED"}

    counts = validate(json.loads(run_ok("summary", "--replay", SS_FILE, "--json")))
    assert counts["counts"]["LISTEN"] == 1 and counts["counts"]["ESTABLISHED"] == 3
    assert counts["backend"] == "linux-replay"
    by_port = run_ok("summary", "--replay", SS_FILE, "--by", "port", "-n")
    assert by_port.split()[:2] == ["22", "3"]
    prom = run_ok("summary", "--replay", SS_FILE, "--format", "prometheus", "--port", "22")
    assert 'sockstate_tcp_sockets{family="ipv4",state="ESTABLISHED"} 3' in prom

    assert sockets_of(replay_json("--state", "listen")) == {LISTENER}
    assert sockets_of(replay_json("-6")) == set()
    assert sockets_of(replay_json("--port", "50312", "--or", "--port", "36266")) == \
        {LOCAL_CLIENT, LOCAL_SERVER, REMOTE_SERVER}


def test_replay_of_several_dumps_and_of_the_bound_state(tmp_path):
    """Dumps one after the other (a capture of -4 then -6) replay as one;
    the other fixtures hold BOUND sockets, which only --state lists."""
    v4 = (FIXTURES / "diag_lo_ipv4.bin").read_bytes()
    v6 = (FIXTURES / "diag_lo_ipv6.bin").read_bytes()
    both = tmp_path / "both.bin"
    both.write_bytes(v4 + v6)
    doc = replay_json(path=both)
    assert len(doc["sockets"]) == 14 + 7
    assert {s["family"] for s in doc["sockets"]} == {"ipv4", "ipv6"}
    bound = replay_json("--state", "bound", path=both)
    assert sockets_of(bound) == {("BOUND", "127.0.0.1", 7005, "0.0.0.0", 0),
                                 ("BOUND", "::1", 7008, "::", 0)}


def test_bad_capture_files_are_one_line_and_exit_2(tmp_path):
    data = SS_FILE.read_bytes()
    cases = {
        "truncated": (data[:-7], "byte 496: the file ends inside a netlink header"),
        "no-end": (data[:-20], "the file ends before its dump's end (no NLMSG_DONE)"),
        "cut-message": (data[:150], "the file ends inside a netlink message"),
        "empty": (b"", "the file holds no dump"),
        "garbage": (b"\x08\0\0\0" * 8, "byte 0: netlink message shorter than its header"),
        "text": (b"this is not a capture, it is a text file\n",
                 "byte 0: the file ends inside a netlink message"),
        "other-type": (b"\x14\0\0\0\x10\0" + b"\0" * 14, "byte 0: unexpected netlink message type"),
    }
    for name, (content, why) in cases.items():
        path = tmp_path / (name + ".bin")
        path.write_bytes(content)
        for args in (["--replay", path], ["summary", "--replay", path, "--json"]):
            line = fail_line(*args)
            assert line.startswith("sockstate: ") and why in line, (name, line)
            assert "malformed data from the operating system or a capture file" in line
    assert "No such file" in fail_line("--replay", tmp_path / "missing.bin")
    assert "not a regular file" in fail_line("--replay", tmp_path)
    assert fail_line("--replay", "") == "sockstate: --replay: empty file name"
    for args, line in (
            (["-p"], "-p: conflicts with --replay (a capture holds no processes)"),
            (["--pid", "1"], "--pid: conflicts with --replay (a capture holds no processes)"),
            (["--sort", "pid"], "--sort: conflicts with --replay (a capture holds no "
                                "processes)"),
            (["--backend", "linux-netlink"], "--backend: conflicts with --replay"),
            (["--netns", "pid:1"], "--netns: conflicts with --replay")):
        assert fail_line("--replay", SS_FILE, *args) == "sockstate: " + line
    assert fail_line("wait", "--listen", "22", "--replay", SS_FILE) == \
        "sockstate: --replay: not valid with wait"


def test_or_grammar_refusals():
    keys = "--port, --sport, --dport, --addr, --saddr or --daddr"
    assert fail_line("--or", "--sport", "1") == "sockstate: --or: no %s before it" % keys
    assert fail_line("--sport", "1", "--or") == "sockstate: --or: no %s after it" % keys
    assert fail_line("--sport", "1", "--or", "--state", "listen") == \
        "sockstate: --or: no %s after it" % keys
    assert fail_line("--sport", "1", "--or", "--or", "--dport", "2") == \
        "sockstate: --or: no %s before it" % keys
    assert fail_line("--sport", "1", "--sport", "2") == "sockstate: --sport: given twice"
    assert fail_line("--sport", "1", "--or", "--dport", "2", "--dport", "3") == \
        "sockstate: --dport: given twice in one group of --or"
    many = []
    for port in range(9):
        many += ["--sport", str(port), "--or"]
    assert fail_line(*many[:-1]) == "sockstate: --or: at most 8 groups"


class Lab:
    """Listeners on 127.0.0.1 and ::1 with connections to them: the
    sockets an OR must select, and others it must not."""

    def __init__(self):
        self.socks = []
        self.ports = []
        for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"),
                             (socket.AF_INET, "127.0.0.1")):
            listener = socket.socket(family)
            listener.bind((host, 0))
            listener.listen(8)
            port = listener.getsockname()[1]
            client = socket.create_connection((host, port))
            server, _ = listener.accept()
            self.socks += [listener, client, server]
            self.ports.append((port, client.getsockname()[1]))

    def close(self):
        for s in self.socks:
            s.close()


def test_or_is_the_same_in_the_kernel_and_in_user_space():
    lab = Lab()
    try:
        (p4, c4), (p6, c6), (other, _) = lab.ports
        queries = [
            (["--sport", p4, "--or", "--dport", p4], 3),
            (["--sport", p4, "--or", "--sport", p6, "--state", "listen"], 2),
            (["--saddr", "::1", "--dport", p6, "--or", "--addr", "127.0.0.1", "--sport", c4],
             2),
            (["--port", c4, "--or", "--port", c6, "--or", "--dport", other], 5),
        ]
        for args, count in queries:
            kernel = sockets_of(json.loads(run_ok("--json", "--backend", "linux-netlink",
                                                  *args)))
            user = sockets_of(json.loads(run_ok("--json", "--backend", "linux-proc", *args)))
            assert kernel == user and len(kernel) == count, (args, kernel, user)
        # The same as --port, which the kernel has always had as one filter.
        assert sockets_of(json.loads(run_ok("--json", "--sport", p4, "--or", "--dport",
                                            p4))) == \
            sockets_of(json.loads(run_ok("--json", "--port", p4)))
    finally:
        lab.close()
