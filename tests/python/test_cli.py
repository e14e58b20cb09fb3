"""python -m sockstate: exit codes, one-line errors, no tracebacks, and the
same bytes and messages as the C tool (SOCKSTATE_CLI) on the same sockets."""

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time

import pytest

import sockstate

from conftest import check_document

LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def env(**extra):
    e = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    e.update(extra)
    return e


def py(*args, **kw):
    return subprocess.run([sys.executable, "-m", "sockstate", *map(str, args)],
                          capture_output=True, env=kw.pop("env", env()),
                          timeout=60, **kw)


def c_tool(cli, *args, **kw):
    return subprocess.run([cli, *map(str, args)], capture_output=True,
                          env=kw.pop("env", env()), timeout=60, **kw)


def one_line(stderr):
    text = stderr.decode("utf-8", "surrogateescape")
    assert "Traceback" not in text
    assert text.count("\n") == 1 and text.endswith("\n"), repr(text)
    assert text.startswith("sockstate: ")
    return text[len("sockstate: "):-1]


BAD_USAGE = [
    (["--state", "bogus"], "--state: unknown state name 'bogus'"),
    (["--state", "NONE"], "--state: unknown state name 'NONE'"),
    (["--state="], "--state: empty list of states"),
    (["--port", "70000"], "--port: 70000 is out of range (0-65535)"),
    (["--port", "x"], "--port: 'x' is not a port number (0-65535)"),
    (["--port"], "--port: missing value PORT"),
    (["--port", "--json"], "--port: missing value PORT"),
    (["--port", "1", "--port", "2"],
     "--port: one port only (several name the per-port series of --format prometheus)"),
    (["--addr", "10.0.0.0/40"], "--addr: '10.0.0.0/40': prefix length out of "
     "range (0-32 for IPv4, 0-128 for IPv6)"),
    (["--pid", "0"], "--pid: 0 is out of range (1-2147483647)"),
    (["--backend", "nope"], "--backend: unknown backend 'nope' "
     "(auto, linux-netlink, linux-proc)"),
    (["--pid-source", "x"], "--pid-source: unknown pid source 'x' (auto, procfs, bpf)"),
    (["--format", "xml"], "--format: unknown format 'xml' (table, json, csv, prometheus)"),
    (["--json", "--csv"], "--csv: conflicts with --json"),
    (["--sort", "size"], "--sort: unknown sort key 'size' (state, local, remote, "
     "pid, process, none)"),
    (["--json=yes"], "--json: takes no value"),
    (["-o", ""], "-o: empty file name"),
    (["-p", "summary"], "-p: not valid with summary"),
    (["--lang", "es"], "--lang: only valid with explain or diagnose"),
    (["explain", "CLOSED_WAIT"], "explain: unknown state name 'CLOSED_WAIT' (did you "
     "mean CLOSE_WAIT?)"),
    (["help", "bogus"], "'bogus': unknown subcommand (list, summary, explain, wait, "
     "watch, trace, counters, diagnose, snapshot, report, help; see python -m sockstate --help)"),
    (["explain", "NONE"], "explain: unknown state name 'NONE'"),
    (["explain", "LISTEN", "ESTAB"], "'ESTAB': unexpected argument (explain takes one STATE)"),
    (["explain", "LISTEN", "--lang", "fr"], "--lang: unsupported language 'fr' (en, es)"),
    (["list", "extra"], "'extra': unexpected argument"),
    (["summary", "list"], "'list': unexpected argument"),
    (["summary", "--explain", "X"], "--explain: conflicts with summary"),
    (["snapshot", "--csv"], "--csv: not valid with snapshot"),
    (["--bogus"], "--bogus: unknown option (see python -m sockstate --help)"),
    (["-4pZ"], "-Z: unknown option (see python -m sockstate --help)"),
    (["frobnicate"], "'frobnicate': unknown subcommand (list, summary, explain, "
     "wait, watch, trace, counters, diagnose, snapshot, report, help; see python -m sockstate --help)"),
    (["summary", "--by", "bogus"], "--by: unknown key 'bogus' (port, local, "
     "remote, pid, process, uid, netns)"),
    (["summary", "--by", "port,,uid"], "--by: empty key in 'port,,uid'"),
    (["summary", "--top", "3"], "--top: only with --by"),
    (["summary", "--by", "port", "--top", "0"], "--top: '0' is not a count (1-9999999)"),
    (["summary", "--by", "port", "--format", "prometheus"], "--by: not available "
     "with --format prometheus (use --port for per-port series)"),
    (["wait"], "wait: missing --listen PORT or --drained PORT"),
    (["wait", "--listen", "1", "--drained", "2"], "--drained: conflicts with --listen"),
    (["wait", "--listen", "70000"], "--listen: 70000 is out of range (0-65535)"),
    (["wait", "--listen", "1", "--states", "estab"], "--states: only with --drained"),
    (["wait", "--listen", "1", "--exclude-remote", "10.0.0.1"],
     "--exclude-remote: only with --drained"),
    (["wait", "--drained", "1", "--exclude-remote", "x"],
     "--exclude-remote: 'x' is not an IP address or prefix"),
    (["wait", "--drained", "1", "--states", "bogus"], "--states: unknown state name 'bogus'"),
    (["wait", "--listen", "1", "--timeout", "-1"], "--timeout: '-1' is not a number of "
     "seconds (0-1000000, decimals allowed)"),
    (["wait", "--listen", "1", "--interval", "0"], "--interval: '0' is not a number "
     "of seconds (above 0, at most 1000000, decimals allowed)"),
    (["wait", "-4", "--listen", "1"], "-4: not valid with wait"),
    (["wait", "--listen", "1", "--pid-source", "procfs"], "--pid-source: not valid with wait"),
    (["--netns", "a", "--all-netns"], "--all-netns: conflicts with --netns"),
    (["--netns="], "--netns: empty namespace name"),
    (["--watch=abc"], "--watch: 'abc' is not a number of seconds (above 0, at most "
     "1000000, decimals allowed)"),
    (["watch", "3"], "'3': unexpected argument"),
    (["watch", "--by", "port"], "--by: not valid with watch"),
    (["snapshot", "--top", "3"], "--top: not valid with snapshot"),
    (["--state", "\x1b[31m"], "--state: unknown state name '\\x1b[31m'"),
]


@pytest.mark.parametrize("args,message", BAD_USAGE,
                         ids=[" ".join(a) for a, _ in BAD_USAGE])
def test_bad_usage_is_one_line_exit_2(args, message):
    r = py(*args)
    assert r.returncode == 2
    assert r.stdout == b""
    assert one_line(r.stderr) == message


def test_undecodable_argument_is_echoed_as_given():
    r = subprocess.run([sys.executable, "-m", "sockstate", b"--state", b"\xff\xfe"],
                       capture_output=True, env=env())
    assert r.returncode == 2
    assert r.stderr == b"sockstate: --state: unknown state name '\xff\xfe'\n"


def test_os_failure_is_exit_3():
    r = py("-o", "/nonexistent-dir/x.json")
    assert r.returncode == 3
    assert one_line(r.stderr) == ("/nonexistent-dir/x.json: cannot create a "
                                  "temporary file beside it: No such file or directory")


def test_help_version_explain():
    r = py("--help")
    assert r.returncode == 0 and r.stderr == b""
    text = r.stdout.decode()
    assert text.startswith("Usage:\n  python -m sockstate [list] [FILTERS]")
    for option in ("--state S[,S...]", "--pid-source SRC", "-o, --output FILE",
                   "-p, --processes", "--lang en|es", "snapshot"):
        assert option in text
    # After a subcommand, --help is that subcommand's; help CMD alike.
    summary = py("summary", "-h").stdout.decode()
    assert summary.startswith("Usage:\n  python -m sockstate summary [FILTERS]")
    assert py("help", "summary").stdout.decode() == summary
    assert "--listen" not in summary and "--by KEY[,KEY...]" in summary
    assert py("help").stdout == r.stdout
    r = py("--version")
    assert r.stdout.decode() == (f"sockstate {sockstate.__version__} (libsockstate "
                                 f"{sockstate.__version__}; backends: "
                                 "linux-netlink, linux-proc)\n")
    r = py("explain", "syn-rcvd", "--lang", "es")
    lines = r.stdout.decode().splitlines()
    assert r.returncode == 0 and lines[0] == "SYN_RECEIVED"
    assert lines[1] == "lado:             servidor (apertura pasiva)"
    r = py("--explain", "TIME-WAIT", env=env(LANG="es_ES.UTF-8"))
    assert r.stdout.decode().splitlines()[1].startswith("lado:")
    r = py("explain", "TIME-WAIT", env=env(LC_ALL="C", LANG="es_ES.UTF-8"))
    assert r.stdout.decode().splitlines()[1] == "side:         the end that closes first"


@pytest.mark.parametrize("cmd", ["snapshot", "list", "summary", "wait", "watch",
                                 "explain", "help"])
def test_help_of_each_subcommand(cli, cmd):
    """help CMD is CMD --help; the shared subcommands' text is the C
    tool's but for the program's name (and list's examples: the tool's
    --json -o example is snapshot's here)."""
    text = py("help", cmd).stdout.decode()
    assert py(cmd, "--help").stdout.decode() == text
    name = "[list]" if cmd == "list" else cmd
    assert text.startswith(f"Usage:\n  python -m sockstate {name}")
    if cmd not in ("snapshot", "list"):
        c_text = c_tool(cli, "help", cmd).stdout.decode()
        words = lambda t: t.replace("python -m sockstate", "sockstate").split()  # noqa: E731
        assert words(text) == words(c_text)


def test_help_report_is_the_reports_own():
    """report is the package's (argparse): help report reaches it."""
    r = py("help", "report")
    assert r.returncode == 0 and r.stderr == b""
    assert r.stdout == py("report", "--help").stdout
    assert r.stdout.decode().startswith("usage: python -m sockstate report")


def test_list_summary_snapshot(pop4, schema, tmp_path):
    p = pop4.port
    r = py("--port", p, "-n", "--state", "estab")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 4
    r = py("summary", "--port", p, "--json")
    doc = json.loads(r.stdout)
    check_document(schema, doc)
    assert doc["counts"]["ESTABLISHED"] == 4 and doc["total"] == 7
    out = tmp_path / "snap.json"
    out.write_text("old")
    os.chmod(out, 0o640)
    r = py("snapshot", "--port", p, "-p", "-o", out)
    assert r.returncode == 0 and r.stdout == b"" and r.stderr == b""
    doc = json.loads(out.read_text())
    check_document(schema, doc)
    assert doc["total"] == 7 and doc["pid_source"] in ("procfs", "bpf-iter")
    assert stat.S_IMODE(out.stat().st_mode) == 0o640     # kept, as the C tool
    assert sorted(os.listdir(tmp_path)) == ["snap.json"]  # no temporary left
    r = py("--port", p, "--verbose", "-o", tmp_path / "t.txt")
    assert re.fullmatch(r"sockstate: backend linux-netlink, pid source none, "
                        r"7 sockets, [0-9.]+ ms\n", r.stderr.decode())


def test_broken_pipe_is_quiet():
    r = subprocess.run(f"'{sys.executable}' -m sockstate --state all | head -c0",
                       shell=True, capture_output=True, env=env())
    assert r.stderr == b""


# ---- agreement with the C tool ----

def strip_time(data):
    return re.sub(rb'"taken_at":"[^"]*"', b'"taken_at":null', data)


@pytest.mark.parametrize("args", [
    [], ["-p"], ["-n", "--sort", "remote"], ["--format", "csv", "-p"],
    ["--json", "-p", "--tcp-info"], ["--json"], ["--state", "estab,close-wait"],
    ["--format", "prometheus"], ["summary"], ["summary", "--json"],
    ["summary", "--csv", "-n"], ["summary", "--format", "prometheus"],
    ["--backend", "linux-proc", "--json", "-p"], ["--sort", "pid"],
    ["--summary", "--backend", "linux-proc"],
    ["summary", "--by", "port"], ["summary", "--by", "local,process", "--json"],
    ["summary", "--by", "remote", "--by", "uid", "--csv", "--top", "1"],
], ids=lambda a: " ".join(a) or "list")
def test_same_bytes_as_the_c_tool(cli, population, args):
    full = ["--port", population.port, *args]
    a = c_tool(cli, *full)
    b = py(*full)
    assert a.returncode == b.returncode == 0, (a.stderr, b.stderr)
    if "prometheus" in args:
        # Host-wide counts may move between the two runs (other tests'
        # sockets); the series, and this population's port's values, not.
        assert host_series_names(a.stdout) == host_series_names(b.stdout)
        port = f'port="{population.port}"'.encode()
        assert [ln for ln in a.stdout.splitlines() if port in ln] == \
            [ln for ln in b.stdout.splitlines() if port in ln]
    else:
        assert strip_time(a.stdout) == strip_time(b.stdout)
    assert a.stderr == b.stderr == b""


def host_series_names(text):
    return [ln.rsplit(b" ", 1)[0] for ln in text.splitlines()]


def test_same_bytes_as_the_c_tool_for_explain(cli):
    for args in (["explain", "TIME_WAIT"], ["explain", "0A", "--lang", "es"],
                 ["--explain", "SynReceived"]):
        assert c_tool(cli, *args).stdout == py(*args).stdout


def test_python_objects_agree_with_the_c_tool(cli, population):
    doc = json.loads(c_tool(cli, "--port", population.port, "--json", "-p").stdout)
    conns = sockstate.connections(port=population.port, processes=True)
    mine = sorted((c.state.value, c.native_state.name, c.laddr.ip, c.laddr.port,
                   c.raddr.ip, c.raddr.port, c.pid, c.process, c.uid, c.inode,
                   c.rx_queue, c.tx_queue) for c in conns)
    theirs = sorted((s["state"], s["native_state"]["name"], s["local"]["address"],
                     s["local"]["port"], s["remote"]["address"], s["remote"]["port"],
                     s["pid"], s["process"], s["uid"], s["inode"], s["rx_queue"],
                     s["tx_queue"]) for s in doc["sockets"])
    assert mine == theirs and len(mine) == 7


SHARED_BAD = [a for a, m in BAD_USAGE
              if "python -m" not in m and "snapshot" not in " ".join(a)]


@pytest.mark.parametrize("args", SHARED_BAD, ids=[" ".join(a) for a in SHARED_BAD])
def test_same_messages_as_the_c_tool(cli, args):
    a = c_tool(cli, *args)
    b = py(*args)
    assert (a.returncode, a.stderr) == (b.returncode, b.stderr)


def test_same_failure_when_the_os_refuses(cli):
    args = ["--pid-source", "bpf"]
    a, b = c_tool(cli, *args), py(*args)
    assert (a.returncode, a.stderr, a.stdout) == (b.returncode, b.stderr, b.stdout)


def test_report_subcommand_when_not_installed():
    import importlib.util
    if importlib.util.find_spec("sockstate.report") is not None:
        pytest.skip("sockstate.report is installed: its own tests cover it")
    r = py("--lang", "es", "report", "a.json")
    assert r.returncode == 2
    assert one_line(r.stderr) == "report: not available in this installation"


# ---- wait and watch ----

def test_wait(population):
    pop = population
    p = pop.port
    r = py("wait", "--listen", p, "--timeout", "0")
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")
    free = socket.socket(pop.family)
    free.bind((pop.host, 0))
    unused = free.getsockname()[1]
    r = py("wait", "--listen", unused, "--timeout", "0")
    assert r.returncode == 1 and r.stdout == b""
    assert one_line(r.stderr) == (f"wait: timed out after 0s: nothing listens "
                                  f"on port {unused}")
    r = py("wait", "--drained", p, "--timeout", "0.1", "--interval", "0.05")
    assert r.returncode == 1
    assert one_line(r.stderr) == (f"wait: timed out after 0.1s: port {p} is not "
                                  "drained: 3 sockets (ESTABLISHED 2, CLOSE_WAIT 1) "
                                  "still there")
    lines = r.stdout.decode().splitlines()
    assert lines[0].startswith("State") and len(lines) == 4
    peer = pop.local(pop.c1)[0]
    r = py("wait", "--drained", p, "--timeout", "0", "--exclude-remote", peer)
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")
    # Something that starts listening while we wait ends the wait.
    waiter = subprocess.Popen([sys.executable, "-m", "sockstate", "wait", "--listen",
                               str(unused), "--timeout", "20", "--interval", "0.1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env())
    time.sleep(0.3)
    free.listen()
    try:
        out, err = waiter.communicate(timeout=20)
    finally:
        free.close()
    assert (waiter.returncode, out, err) == (0, b"", b"")


def test_watch_lines_and_signal():
    w = subprocess.Popen([sys.executable, "-m", "sockstate", "watch", "--interval",
                          "0.2", "--state", "listen"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env())
    time.sleep(1.2)
    w.send_signal(signal.SIGINT)
    out, err = w.communicate(timeout=10)
    assert w.returncode == 0 and err == b""
    lines = out.decode().splitlines()
    assert len(lines) >= 2
    stamp = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"
    assert re.fullmatch(stamp + r" total=[0-9]+( [A-Z_0-9]+=[0-9]+)* ports=[0-9:,]*",
                        lines[0]), lines[0]
    assert re.fullmatch(stamp + r" total=[0-9]+\([+-][0-9]+\)"
                        r"( [A-Z_0-9]+=[0-9]+\([+-][0-9]+\))* ports=[0-9:,]*",
                        lines[1]), lines[1]


def test_all_netns_same_as_the_c_tool(cli, pop4):
    if os.geteuid() != 0:
        pytest.skip("entering other namespaces needs root")
    args = ["--all-netns", "--port", pop4.port, "-p"]
    a, b = c_tool(cli, *args), py(*args)
    # Other programs' namespaces may come and go between the two runs (then
    # exit 4 and a line on stderr for one that vanished): compare what is
    # ours, which lives in our own namespace.
    assert a.returncode in (0, 4) and b.returncode in (0, 4)
    assert a.stdout == b.stdout
    lines = b.stdout.decode().splitlines()
    assert lines[0].rstrip().endswith("Netns") and len(lines) == 8


def test_same_options_and_subcommands_as_the_c_tool(cli):
    """Every option and subcommand of the C tool, spelled the same, with the
    same help text (python -m sockstate adds only snapshot and report)."""
    def rows(text):
        opts = re.findall(r"^  (?:-\w, |    )(--\S+(?: \S+)?)", text, re.M)
        subs = re.findall(r"^  (\w+)(?: \[?[A-Z]+\]?)? {2,}", text.split("Subcommands:")[1]
                          .split("\n\n")[0], re.M)
        return set(opts), subs

    c_help = c_tool(cli, "--help").stdout.decode()
    p_help = py("--help").stdout.decode()
    (c_opts, c_subs), (p_opts, p_subs) = rows(c_help), rows(p_help)
    assert c_opts == p_opts
    assert c_subs == ["list", "summary", "explain", "wait", "watch", "trace", "counters", "diagnose",
                      "help"]
    assert p_subs == c_subs[:-1] + ["snapshot", "report", "help"]
    # The option help texts too (the group titles may differ: snapshot).
    c_body = c_help.split("Filters")[1].split("States:")[0]
    p_body = p_help.split("Filters")[1].split("States:")[0]
    strip = lambda t: [line for line in t.splitlines() if line.startswith("  ")]  # noqa: E731
    assert strip(c_body) == strip(p_body)
