"""Bad input, table-driven: every bad invocation of `sockstate` and of
`python -m sockstate` is exactly one line on stderr naming the problem and
exit status 2 - never a crash, a traceback, or output on stdout.

    test_bad_input.py --tool cli|python     (as ctest runs it)

The table is the CLI tests' own (tests/cli/test_cli.py, BAD: imported,
not copied) plus the cases below (EXTRA): numbers and addresses with
junk, empty values, and, for the Python tool, snapshot files that are
missing, unreadable, or not JSON at all. For the C tool each message is
checked word for word; the Python tool must give the same exit status and
a single line "sockstate: " naming the same option first (its hints say
"python -m sockstate", its subcommand list is longer).

Environment: SOCKSTATE_CLI (the C tool, for both: test_cli needs it),
SOCKSTATE_PYTHONPATH (where `import sockstate` finds the built package).
`--tool python` exits 77 (skip) with the reason when the package does not
import.
"""

import json
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "cli"))
sys.dont_write_bytecode = True

import pytest  # noqa: E402

from test_cli import BAD  # noqa: E402  (the CLI engineer's table)

TOOL = os.environ.get("REL_BADINPUT_TOOL", "cli")
CLI = os.environ.get("SOCKSTATE_CLI")
PYPATH = os.environ.get("SOCKSTATE_PYTHONPATH", "")
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")

# (args, the C tool's exact message or None)
EXTRA = [
    # A number followed by junk is not a number, whatever its size.
    (["--port", "70000x"], "--port: '70000x' is not a port number (0-65535)"),
    (["--sport", "99999999999999999999x"],
     "--sport: '99999999999999999999x' is not a port number (0-65535)"),
    (["--pid", "99999999999x"], "--pid: '99999999999x' is not a process id"),
    (["--port", "+80"], "--port: '+80' is not a port number (0-65535)"),
    (["--port", " 80"], "--port: ' 80' is not a port number (0-65535)"),
    (["--port", "0x50"], "--port: '0x50' is not a port number (0-65535)"),
    (["--sport="], "--sport: '' is not a port number (0-65535)"),
    (["--pid", "-1"], "--pid: '-1' is not a process id"),
    (["--pid", "2147483648"], "--pid: 2147483648 is out of range (1-2147483647)"),
    (["--uid", "-1"], "--uid: '-1' is not a numeric user id"),
    (["--uid="], "--uid: '' is not a numeric user id"),
    (["--addr="], "--addr: '' is not an IP address or prefix"),
    (["--addr", "1.2.3.4/"], "--addr: '1.2.3.4/' is not an IP address or prefix"),
    (["--addr", "[::1"], "--addr: '[::1' is not an IP address or prefix"),
    (["--addr", "01.2.3.4"], "--addr: '01.2.3.4' is not an IP address or prefix"),
    (["--addr", "256.0.0.1"], "--addr: '256.0.0.1' is not an IP address or prefix"),
    (["--addr", "1.2.3.4/-1"], "--addr: '1.2.3.4/-1' is not an IP address or prefix"),
    (["--saddr", "::1/129"],
     "--saddr: '::1/129': prefix length out of range (0-32 for IPv4, 0-128 for IPv6)"),
    (["--addr", "fe80::1%lo"], "--addr: 'fe80::1%lo' is not an IP address or prefix"),
    (["--daddr", "1.2.3.4/1/2"], "--daddr: '1.2.3.4/1/2' is not an IP address or prefix"),
    (["--daddr", "1:2:3:4:5:6:7:8:9"],
     "--daddr: '1:2:3:4:5:6:7:8:9' is not an IP address or prefix"),
    (["--state", "ESTAB,"], "--state: empty state name in 'ESTAB,'"),
    (["--state", ",ESTAB"], "--state: empty state name in ',ESTAB'"),
    (["--state", "0x0G"], "--state: unknown state name '0x0G'"),
    (["--state=all,NONE"], "--state: unknown state name 'NONE'"),
    (["--format="], "--format: unknown format '' (table, json, csv, prometheus)"),
    (["--sort="],
     "--sort: unknown sort key '' (state, local, remote, pid, process, none)"),
    (["--pid-source="], "--pid-source: unknown pid source '' (auto, procfs, bpf)"),
    (["--output"], "--output: missing value FILE"),
    (["--explain"], "--explain: missing value STATE"),
    (["list", "list"], "'list': unexpected argument"),
    (["--state", b"\xff\xfe"], None),
    (["--addr", "1.2.3.4\n"], None),
]

TABLE = BAD + EXTRA
IDS = [" ".join(x if isinstance(x, str) else repr(x) for x in a)[:40] for a, _ in TABLE]


def clean_env():
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    if PYPATH:
        env["PYTHONPATH"] = PYPATH + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def tool_argv():
    if TOOL == "python":
        return [sys.executable, "-m", "sockstate"]
    return [CLI]


def prog():
    """Both tools call themselves "sockstate" in messages (the Python one
    says "python -m sockstate" only in its hints: "see python -m
    sockstate --help")."""
    return "sockstate"


def run(args, **kw):
    argv = [a if isinstance(a, bytes) else str(a) for a in args]
    return subprocess.run(tool_argv() + argv, capture_output=True,
                          env=clean_env(), timeout=60, check=False, **kw)


def option_of(message):
    """The part of a message that names what was wrong: the option or the
    quoted argument before the first ': '."""
    return message.split(": ", 1)[0]


def test_the_table_is_large_enough():
    assert len(TABLE) >= 50, len(TABLE)
    assert len({tuple(a) for a, _ in TABLE}) == len(TABLE), "a case is listed twice"


@pytest.mark.parametrize("args,message", TABLE, ids=IDS)
def test_bad_invocation_is_one_line_and_exit_2(args, message):
    proc = run(args)
    err = proc.stderr.decode("utf-8", errors="replace")
    assert proc.returncode == 2, (args, proc.returncode, err)
    assert proc.stdout == b"", (args, proc.stdout[:200])
    assert err.endswith("\n") and err.count("\n") == 1, (args, err)
    assert err.startswith(prog() + ": "), (args, err)
    assert "Traceback" not in err
    if message is None:
        return
    if TOOL == "cli":
        assert err == f"sockstate: {message}\n", args
    else:
        # The same problem named first; the hint and the list of
        # subcommands may differ (python -m sockstate has snapshot).
        assert option_of(err[len(prog()) + 2:]) == option_of(message), (args, err)


# ---- files: python -m sockstate report / snapshot inputs ----

def python_report_available():
    if TOOL != "python":
        return "report and snapshot files exist only in python -m sockstate"
    proc = run(["report", "--help"])
    if proc.returncode != 0:
        return ("python -m sockstate report is not available: "
                + proc.stderr.decode(errors="replace").strip()[:200])
    return None


def bad_files(tmp):
    files = {}

    def put(name, data):
        p = tmp / name
        p.write_bytes(data)
        files[name] = p

    put("empty.json", b"")
    put("truncated.json", b'{"schema": "sockstate/1", "sockets": [')
    put("not-json.json", b"\x00\x01\x02garbage")
    put("bad-utf8.json", b'{"schema": "sockstate/1", "host": "\xff\xfe"}')
    put("utf16.json", '{"schema": "sockstate/1"}'.encode("utf-16"))
    put("array.json", b"[]")
    put("other-schema.json", json.dumps({"schema": "other/1"}).encode())
    put("no-schema.json", json.dumps({"sockets": []}).encode())
    put("sockets-not-a-list.json",
        json.dumps({"schema": "sockstate/1", "sockets": "x"}).encode())
    put("socket-bad-state.json", json.dumps(
        {"schema": "sockstate/1", "host": "h", "sockets": [{"state": "NOPE"}]}).encode())
    put("nan.json", b'{"schema": "sockstate/1", "total": NaN}')
    put("deep.json", b"[" * 100000 + b"]" * 100000)
    put("huge-number.json", b'{"schema": "sockstate/1", "total": 1' + b"0" * 5000 + b"}")
    files["missing.json"] = tmp / "missing.json"
    files["a-directory"] = tmp
    if os.geteuid() != 0:  # root reads anything: mode 000 proves nothing
        put("unreadable.json", b"{}")
        os.chmod(files["unreadable.json"], 0)
    return files


def test_bad_snapshot_files_for_report(tmp_path):
    why = python_report_available()
    if why:
        pytest.skip(why)
    for name, path in bad_files(tmp_path).items():
        proc = run(["report", str(path)])
        err = proc.stderr.decode("utf-8", errors="replace")
        assert proc.returncode == 2, (name, proc.returncode, err)
        # "sockstate report: FILE: what is wrong"
        assert err.count("\n") == 1 and err.startswith(prog()), (name, err)
        assert str(path) in err or name in err, (name, err)
        assert "Traceback" not in err, (name, err)


def python_skip_reason():
    """None if `python -m sockstate` can run here, else why not."""
    probe = ("import sockstate, sys\n"
             "sys.exit(0 if sockstate.Connection is not None else 3)\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True,
                          env=clean_env(), timeout=60, check=False)
    if proc.returncode == 0:
        return None
    last = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
    if proc.returncode == 3:
        return "the sockstate package imports but its C extension (sockstate._core) is missing"
    return (f"the Python package sockstate does not import "
            f"(SOCKSTATE_PYTHONPATH={PYPATH or 'unset'}): {last[0]}")


if __name__ == "__main__":
    tool = "cli"
    if sys.argv[1:2] == ["--tool"] and len(sys.argv) > 2:
        tool = sys.argv[2]
    if tool not in ("cli", "python"):
        print("usage: test_bad_input.py --tool cli|python", file=sys.stderr)
        sys.exit(2)
    os.environ["REL_BADINPUT_TOOL"] = TOOL = tool
    if not CLI:
        print("SKIP: SOCKSTATE_CLI is not set (run through ctest)")
        sys.exit(77)
    if tool == "python":
        reason = python_skip_reason()
        if reason:
            print("SKIP: " + reason)
            sys.exit(77)
    sys.exit(pytest.main([__file__, "-q", "-rs", "-p", "no:cacheprovider"]))
