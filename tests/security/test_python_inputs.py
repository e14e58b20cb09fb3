"""Bad input gets one line and exit 2, or the exception class documented
for it (InvalidArgument, a ValueError), never a traceback or "internal
error"; snapshot files from other machines reach neither a terminal nor a
Markdown or HTML page as markup or control sequences; a capture
directory cannot be turned against the root caller."""

import json
import os
import pathlib
import re
import sys

import pytest

from conftest import NOBODY, ROOT, clean_env, needs_root, one_line, run

sockstate = pytest.importorskip("sockstate")
report = pytest.importorskip("sockstate.report")


def invalid(call):
    """The message of the InvalidArgument call raises."""
    with pytest.raises(sockstate.InvalidArgument) as ei:
        call()
    assert isinstance(ei.value, ValueError)
    return str(ei.value)


# ---- the Python API ----

def test_wait_timeout_that_is_not_a_number_of_seconds():
    assert invalid(lambda: sockstate.wait(listen=80, timeout=float("nan"))) == (
        "timeout: nan is not a number of seconds (0-1000000, decimals allowed)")
    assert invalid(lambda: sockstate.wait(listen=80, timeout="abc")) == (
        "timeout: 'abc' is not a number of seconds (0-1000000, decimals allowed)")
    assert invalid(lambda: sockstate.wait(drained=80, timeout=0, interval=0)) == (
        "interval: 0 is not a number of seconds (above 0, at most 1000000, decimals "
        "allowed)")
    assert invalid(lambda: sockstate.wait_listen(80, timeout=True)) == (
        "timeout: True is not a number of seconds (0-1000000, decimals allowed)")


def test_states_as_undecodable_bytes():
    assert invalid(lambda: sockstate.connections(states=[b"\xff"])) == (
        "states: unknown state name '\udcff'")
    assert invalid(lambda: sockstate.counts(states=["listen", b"\xfe"])) == (
        "states: unknown state name '\udcfe'")


def test_top_out_of_range():
    assert invalid(lambda: sockstate.groups("port", top=2 ** 70)) == (
        "top: 1180591620717411303424 is not a count (0-9999999; 0: all)")
    assert invalid(lambda: sockstate.counts(by="port", top=-1)) == (
        "top: -1 is not a count (0-9999999; 0: all)")
    assert invalid(lambda: sockstate.render_summary(by="port", top=1.5)) == (
        "top: 1.5 is not a count (0-9999999; 0: all)")


# ---- capture_dir: a developer option a root caller may point anywhere ----

def plant_links(directory, victim):
    """Links under every name the netlink backend could write this
    process's capture to."""
    for seq in range(1, 9):
        for family in ("both", "ipv4", "ipv6"):
            link = directory / f"diag-{os.getpid()}-{seq}-{family}.bin"
            link.symlink_to(victim)
            os.lchown(link, NOBODY.pw_uid, NOBODY.pw_gid)


@needs_root
def test_capture_dir_of_another_user_is_refused(tmp_path):
    victim = tmp_path / "shadow"
    victim.write_bytes(b"root only\n")
    victim.chmod(0o600)
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    os.chown(theirs, NOBODY.pw_uid, NOBODY.pw_gid)
    plant_links(theirs, victim)
    with pytest.raises(sockstate.PermissionDenied) as ei:
        with sockstate.Handle(backend="linux-netlink", capture_dir=str(theirs)) as h:
            h.connections()
    assert "other users may write to it" in str(ei.value)
    assert victim.read_bytes() == b"root only\n"


@needs_root
def test_capture_dir_writable_by_others_is_refused(tmp_path):
    victim = tmp_path / "shadow"
    victim.write_bytes(b"root only\n")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    plant_links(shared, victim)
    with pytest.raises(sockstate.PermissionDenied):
        with sockstate.Handle(backend="linux-netlink", capture_dir=str(shared)) as h:
            h.connections()
    assert victim.read_bytes() == b"root only\n"


def test_capture_never_follows_a_link_nor_overwrites(tmp_path):
    own = tmp_path / "own"
    own.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep\n")
    for seq in range(1, 9):
        for family in ("both", "ipv4", "ipv6"):
            (own / f"diag-{os.getpid()}-{seq}-{family}.bin").symlink_to(victim)
    with pytest.raises(sockstate.Error) as ei:
        with sockstate.Handle(backend="linux-netlink", capture_dir=str(own)) as h:
            h.connections()
    assert "File exists" in str(ei.value)
    assert victim.read_bytes() == b"keep\n"


# ---- the report: files from other machines ----

HOSTILE_HOST = "x\n\n# Injected\n<img src=x onerror=alert(1)>\x1b]0;pwned\x07```"


def snapshot(host=HOSTILE_HOST, os_name="Linux", process="worker", **over):
    sockets = [{"family": "ipv4",
                "local": {"address": "10.0.0.1", "port": 8080},
                "remote": {"address": "10.0.0.%d" % (i + 2), "port": 40000 + i},
                "state": "CLOSE_WAIT", "native_state": {"code": 8, "name": "CLOSE-WAIT"},
                "pid": 4242, "process": process, "uid": 0, "inode": 1000 + i,
                "rx_queue": 0, "tx_queue": 0} for i in range(12)]
    sockets.append({"family": "ipv4", "local": {"address": "0.0.0.0", "port": 8080},
                    "remote": {"address": "0.0.0.0", "port": 0}, "state": "LISTEN",
                    "native_state": {"code": 10, "name": "LISTEN"}, "pid": 4242,
                    "process": process, "uid": 0, "inode": 999, "rx_queue": 0,
                    "tx_queue": 128})
    doc = {"schema": "sockstate/1", "host": host,
           "os": {"name": os_name, "release": "6.1\x1b[2J<b>", "version": "#1",
                  "machine": "x86_64"},
           "backend": "linux-netlink", "library_version": "0.1.0\x07",
           "taken_at": "2026-11-24T15:00:00Z", "pid_source": "procfs", "total": 13,
           "counts": {"LISTEN": 1, "CLOSE_WAIT": 12}, "sockets": sockets}
    doc.update(over)
    return doc


def write_doc(directory, name, doc):
    path = pathlib.Path(directory) / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def run_report(*args, env=None):
    return run([sys.executable, "-m", "sockstate", "report", *args], env=env)


CONTROLS = set(range(0x20)) - {0x0A} | {0x7F}


def assert_no_controls(data):
    assert sorted({b for b in data if b in CONTROLS}) == [], data[:300]
    assert b"\xc2\x9b" not in data


def test_markdown_escapes_every_value(tmp_path):
    path = write_doc(tmp_path, "we|b<1>`.json",
                     snapshot(process="evil`](http://x)<script>"))
    proc = run_report(path, "--format", "md")
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert_no_controls(proc.stdout)
    lines = proc.stdout.decode().splitlines()
    # The chart's code block is closed only by its own fence; inside it
    # the text is literal.
    fences = [i for i, line in enumerate(lines) if line.startswith("```")]
    assert len(fences) == 2 and lines[fences[0]] == lines[fences[1]]
    assert len(lines[fences[0]]) > 3
    text = "\n".join(lines[:fences[0]] + lines[fences[1] + 1:])
    # Nothing of the host's text became a heading, a tag or a link.
    injected = [line for line in text.splitlines() if "Injected" in line]
    assert len(injected) == 6
    assert all("\\\\x0a\\# Injected" in line for line in injected), injected
    assert not any(line.startswith("# Injected") for line in lines)
    assert re.search(r"(?<!\\)[<>\[\]`|]", text.replace("<br>", "")
                     .replace("|", "").replace("`", "")) is None
    assert "\\<img src=x onerror=alert(1)\\>" in text
    # The footer, the OS line, the warning: each value escaped.
    assert "we\\|b\\<1\\>\\`.json" in lines[-1]
    assert "6.1\\\\x1b\\[2J\\<b\\>" in text
    assert "evil\\`\\](http://x)\\<script\\>" in text


def test_html_carries_no_control_character(tmp_path):
    path = write_doc(tmp_path, "h.json", snapshot())
    proc = run_report(path)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert_no_controls(proc.stdout)
    assert b"<img" not in proc.stdout
    assert b"\\x1b]0;pwned\\x07" in proc.stdout


def test_terminal_output_and_error_lines_carry_no_control_character(tmp_path):
    path = write_doc(tmp_path, "h\x1b[31m.json", snapshot())
    proc = run_report(path, "--format", "md")
    assert proc.returncode == 0
    assert_no_controls(proc.stdout)
    bad = write_doc(tmp_path, "bad\x1b]52;c;aGk=\x07.json", {"schema": "sockstate/1"})
    proc = run_report(bad)
    assert proc.returncode == 2
    msg = one_line(proc.stderr, "sockstate report")
    assert msg.startswith(str(tmp_path / "bad\\x1b]52;c;aGk=\\x07.json") + ": ")
    assert_no_controls(proc.stderr)


def raw_doc(tmp_path, text):
    path = tmp_path / "in.json"
    path.write_bytes(text.encode("ascii"))
    return path


@pytest.mark.parametrize("old,new,problem", [
    ('"ok"', '"a\\ud800b"', "at host: \\ud800, a lone UTF-16 surrogate, is not text"),
    ('"LISTEN": 1', '"LISTEN": 1' + "0" * 400,
     "at counts.LISTEN: a 401-digit number is too large (at most 18446744073709551615)"),
], ids=["lone-surrogate", "huge-count"])
def test_report_text_and_numbers_it_cannot_use_are_bad_input(tmp_path, old, new, problem):
    doc = json.dumps(snapshot(host="ok")).replace(old, new)
    proc = run_report(raw_doc(tmp_path, doc))
    assert (proc.returncode, proc.stdout) == (2, b"")
    assert one_line(proc.stderr, "sockstate report") == (
        f"{tmp_path / 'in.json'}: does not match the sockstate/1 schema {problem}")


def test_report_wrong_native_name_without_jsonschema(tmp_path):
    doc = snapshot(host="ok")
    doc["sockets"][3]["native_state"]["name"] = 5
    path = write_doc(tmp_path, "in.json", doc)
    hide = ("import sys; sys.modules['jsonschema'] = None\n"
            "from sockstate.report import main; sys.exit(main(sys.argv[1:]))")
    proc = run([sys.executable, "-c", hide, path, "--format", "md"])
    assert (proc.returncode, proc.stdout) == (2, b"")
    assert one_line(proc.stderr, "sockstate report") == (
        f"{path}: does not match the sockstate/1 schema at sockets[3].native_state.name: "
        "not a string or null")


# ---- Ansible: sockstate_wait ----

MODULE = (ROOT / "examples" / "ansible" / "ansible_collections" / "sockstate" / "tcp" /
          "plugins" / "modules" / "sockstate_wait.py")


@pytest.mark.parametrize("sleep", ["nan", "inf", "0", "-1"])
def test_ansible_wait_sleep_that_is_not_a_duration(tmp_path, sleep):
    pytest.importorskip("ansible.module_utils.basic")
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {
        "port": 1, "sleep": sleep, "timeout": 1}}))
    env = clean_env()
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "examples" / "ansible"),
                                         env.get("PYTHONPATH", "")])
    proc = run([sys.executable, MODULE, args], env=env)
    assert b"Traceback" not in proc.stderr, proc.stderr
    result = json.loads(proc.stdout)
    assert result["failed"] is True
    assert result["msg"] == ("sleep: must be more than 0 and at most 1000000, not %s"
                             % float(sleep))
