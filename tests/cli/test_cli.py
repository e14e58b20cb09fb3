"""Tests of the `sockstate` command-line tool, run as a whole process.

The binary comes from the environment variable SOCKSTATE_CLI (ctest sets
it). Real-socket tests open their own listener and connection on loopback
and assert exactly those sockets: states, native names, endpoints, owner.
Every JSON document the tool prints is validated against
docs/schema/sockstate-1.json.
"""

import collections
import csv
import io
import json
import os
import pathlib
import random
import re
import shutil
import socket
import stat
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "docs" / "schema" / "sockstate-1.json"
CLI_DOC = ROOT / "docs" / "CLI.md"
CLI = os.environ.get("SOCKSTATE_CLI")

pytestmark = pytest.mark.skipif(
    not CLI,
    reason="SOCKSTATE_CLI is not set: run through ctest (-L cli) or set it "
    "to the built sockstate binary",
)

LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")
MY_PID = os.getpid()
MY_UID = os.getuid()
with open("/proc/self/comm", encoding="utf-8") as _comm:
    MY_COMM = _comm.read().strip()

NORMALIZED_STATES = [
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
    "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
    "TIME_WAIT", "DELETE_TCB", "BOUND", "UNKNOWN",
]


# ---------------------------------------------------------------- helpers

def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    env.update(extra)
    return env


def run(*args, env=None, **kwargs):
    return subprocess.run(
        [CLI, *[str(a) for a in args]],
        capture_output=True,
        env=clean_env() if env is None else env,
        timeout=120,
        check=False,
        **kwargs,
    )


def run_ok(*args, env=None):
    proc = run(*args, env=env)
    assert proc.returncode == 0, (args, proc.stderr.decode(errors="replace"))
    assert proc.stderr == b"", (args, proc.stderr)
    return proc.stdout.decode("utf-8")


_validator = None


def validate(doc):
    """Validate one document against the sockstate/1 schema."""
    global _validator
    if _validator is None:
        import jsonschema

        assert SCHEMA_PATH.exists(), f"{SCHEMA_PATH} is missing"
        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    _validator.validate(doc)
    return doc


def run_json(*args, env=None):
    doc = json.loads(run_ok(*args, env=env))
    return validate(doc)


def endpoint_key(sock):
    return (
        sock["family"], sock["state"], sock["native_state"]["name"],
        sock["local"]["address"], sock["local"]["port"],
        sock["remote"]["address"], sock["remote"]["port"],
    )


class Pair:
    """A loopback listener and one accepted connection to it."""

    def __init__(self, family, host):
        self.family = family
        self.host = host
        self.listener = socket.socket(family, socket.SOCK_STREAM)
        self.listener.bind((host, 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.client = socket.create_connection((host, self.port),
                                               source_address=(host, 0))
        self.server, _ = self.listener.accept()
        self.cport = self.client.getsockname()[1]

    @property
    def fam(self):
        return "ipv4" if self.family == socket.AF_INET else "ipv6"

    @property
    def any_addr(self):
        return "0.0.0.0" if self.family == socket.AF_INET else "::"

    def expected(self):
        """The (family, state, native, laddr, lport, raddr, rport) set."""
        h, p, c = self.host, self.port, self.cport
        return {
            (self.fam, "LISTEN", "LISTEN", h, p, self.any_addr, 0),
            (self.fam, "ESTABLISHED", "ESTAB", h, p, h, c),
            (self.fam, "ESTABLISHED", "ESTAB", h, c, h, p),
        }

    def close(self):
        # RST instead of FIN: no TIME_WAIT left behind for other tests.
        for s in (self.client, self.server):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
        self.listener.close()


def private_loopback():
    """A random 127/8 address: other programs connecting to 127.0.0.1 on
    this machine cannot land on our listener and add sockets to a test."""
    rng = random.SystemRandom()
    return f"127.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


@pytest.fixture
def pair4():
    p = Pair(socket.AF_INET, private_loopback())
    yield p
    p.close()


@pytest.fixture
def pair6():
    try:
        p = Pair(socket.AF_INET6, "::1")
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here ({exc})")
    yield p
    p.close()


def backends():
    out = run_ok("--version")
    m = re.search(r"backends: ([^)]*)\)", out)
    assert m, out
    return [b.strip() for b in m.group(1).split(",") if b.strip()]


# ------------------------------------------------------------ basics

def test_version_names_tool_library_and_backends():
    out = run_ok("--version")
    project = re.search(r"project\(libsockstate VERSION (\d+\.\d+\.\d+)",
                        (ROOT / "CMakeLists.txt").read_text())
    version = project.group(1)
    assert out.startswith(f"sockstate {version} (libsockstate {version}; backends: ")
    assert out.endswith(")\n") and out.count("\n") == 1
    assert "linux-proc" in backends()
    assert run_ok("-V") == out


def test_help_exits_0_and_covers_everything():
    out = run_ok("--help")
    assert run_ok("-h") == out
    assert run_ok("help") == out
    # --help answers wherever it stands, whatever else is on the line;
    # before any subcommand it is the whole text
    assert run_ok("--help", "summary", "--bogus") == out
    assert run_ok("--port", "1", "-h", "summary") == out
    for needle in ["sockstate [list]", "sockstate summary", "sockstate explain [STATE]",
                   "sockstate help [SUBCOMMAND]",
                   "sockstate wait (--listen PORT | --drained PORT)", "sockstate watch",
                   "sockstate trace [FILTERS] [--summary]",
                   "Exit status:", "Examples:", "Environment:", "States:"]:
        assert needle in out
    for opt in ["--state", "--port", "--sport", "--dport", "--addr", "--saddr",
                "--daddr", "--pid", "--uid", "-4, --ipv4", "-6, --ipv6",
                "--backend", "--pid-source", "--format", "--json", "--csv",
                "-o, --output", "-p, --processes", "--sort", "--tcp-info", "--timers",
                "-n, --no-header", "--verbose", "--summary", "--explain",
                "--lang", "-h, --help", "-V, --version", "--netns NS", "--all-netns",
                "--by KEY", "--top N", "--listen PORT", "--drained PORT", "--states",
                "--exclude-remote", "--timeout S", "--interval S", "--watch[=S]",
                "--source SRC", "--duration S", "--count N"]:
        assert opt in out, opt
    for code in range(5):
        assert re.search(rf"^  {code}   \S", out, re.M), code
    assert max(len(line) for line in out.splitlines()) <= 79


SUBCOMMANDS = ["list", "summary", "explain", "wait", "watch", "trace", "help"]


@pytest.mark.parametrize("cmd", SUBCOMMANDS)
def test_each_subcommand_has_its_own_help(cmd):
    """help CMD, CMD --help and CMD -h are one text: the subcommand's usage,
    only the options valid with it (from the same table as --help), its
    examples; issue 22: summary --help printed all 150 lines."""
    text = run_ok("help", cmd)
    assert run_ok(cmd, "--help") == text
    assert run_ok(cmd, "-h", "--bogus") == text
    assert text.startswith(f"Usage:\n  sockstate {'[list]' if cmd == 'list' else cmd}")
    assert text.endswith("Every subcommand, exit status, states: sockstate --help\n")
    full = run_ok("--help")
    assert len(text.splitlines()) < len(full.splitlines()) / 2
    assert max(len(line) for line in text.splitlines()) <= 79
    # Every option row is one of --help's rows, word for word.
    for row in re.findall(r"^  (?:-\w, |    )--[a-z-]+.*$", text, re.M):
        assert f"\n{row}\n" in full, row
    options = set(re.findall(r"^  (?:-\w, |    )(--[a-z-]+)", text, re.M))
    assert {"--help", "--version"} <= options
    only = {"summary": {"--by", "--top", "--format", "--port"},
            "list": {"--sort", "--timers", "-p" and "--processes", "--port"},
            "wait": {"--listen", "--drained", "--exclude-remote", "--timeout"},
            "watch": {"--interval", "--top", "--port"},
            "explain": {"--lang"}, "help": set(),
            "trace": {"--source", "--duration", "--count", "--interval", "--summary",
                      "--format", "--port"}}[cmd]
    assert only <= options, options
    # and not another subcommand's
    owners = {"--listen": "wait", "--by": "summary", "--sort": "list", "--lang": "explain",
              "--source": "trace"}
    assert not {o for o, c in owners.items() if c != cmd} & options


def test_help_summary_is_short_and_names_its_examples():
    text = run_ok("summary", "--help")
    assert "  sockstate summary --by port --by process --top 10\n" in text
    assert "--listen" not in text and "--sort" not in text
    assert "--by KEY[,KEY...]" in text


def test_help_of_a_subcommand_that_is_not_there():
    for args, message in [
            (["help", "bogus"], "'bogus': unknown subcommand (list, summary, explain, wait, "
                                "watch, trace, counters, diagnose, help; see sockstate --help)"),
            (["help", "snapshot"], "'snapshot': unknown subcommand (list, summary, explain, "
                                   "wait, watch, trace, counters, diagnose, help; see sockstate --help)"),
            (["help", "list", "wait"], "'wait': unexpected argument (help takes one "
                                       "SUBCOMMAND)"),
            (["help", "--port", "1"], "--port: not valid with help")]:
        proc = run(*args)
        assert (proc.returncode, proc.stdout) == (2, b""), args
        assert proc.stderr.decode() == f"sockstate: {message}\n"


def test_help_text_is_in_the_cli_reference():
    doc = CLI_DOC.read_text(encoding="utf-8")
    assert run_ok("--help") in doc, "docs/CLI.md must carry the --help text verbatim"


# ------------------------------------------------------------ explain

def explain(*args, **env):
    return run_ok("explain", *args, env=clean_env(**env))


def test_explain_english():
    out = explain("TIME_WAIT", "--lang", "en")
    lines = out.splitlines()
    assert lines[0] == "TIME_WAIT"
    assert lines[1] == "side:         the end that closes first"
    assert lines[2].startswith("meaning:      ") and len(lines[2]) > 30
    assert lines[3].startswith("seen by:      ") and len(lines[3]) > 20
    assert lines[4].startswith("a pile means: ") and len(lines[4]) > 30
    assert len(lines) == 5


def test_explain_spanish():
    out = explain("SYN-RECV", "--lang", "es")
    lines = out.splitlines()
    assert lines[0] == "SYN_RECEIVED"
    assert lines[1] == "lado:             servidor (apertura pasiva)"
    assert lines[2].startswith("significado:      ")
    assert lines[3].startswith("quién lo ve:      ")
    assert lines[4].startswith("si se acumulan:   ")
    assert len(lines) == 5
    english = explain("SYN-RECV", "--lang", "en").splitlines()
    assert english[1] == "side:         server (the passive opener)"
    assert english[2][14:] != lines[2][18:]


def test_explain_language_from_locale():
    es = explain("LISTEN", "--lang", "es")
    en = explain("LISTEN", "--lang", "en")
    assert es != en
    assert explain("LISTEN", LANG="es_ES.UTF-8") == es
    assert explain("LISTEN", LC_MESSAGES="es_AR.UTF-8", LANG="en_US.UTF-8") == es
    assert explain("LISTEN", LC_ALL="en_US.UTF-8", LANG="es_ES.UTF-8") == en
    assert explain("LISTEN", LC_ALL="es_MX", LANG="en_US.UTF-8") == es
    # --lang beats every variable
    assert explain("LISTEN", "--lang", "en", LC_ALL="es_ES.UTF-8") == en
    assert explain("LISTEN", "--lang=es", LC_ALL="en_US.UTF-8") == es
    # a language we do not have falls back to English silently
    assert explain("LISTEN", LANG="fr_FR.UTF-8") == en
    assert explain("LISTEN", LC_ALL="C", LANG="es_ES.UTF-8") == en
    assert explain("LISTEN") == en


@pytest.mark.parametrize("state", NORMALIZED_STATES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_explain_every_state(state, lang):
    lines = explain(state, "--lang", lang).splitlines()
    assert lines[0] == state
    assert len(lines) == 5
    assert all(len(line) > 14 for line in lines[1:])


@pytest.mark.parametrize("lang", ["en", "es"])
def test_explain_without_a_state_lists_them(lang):
    lines = explain("--lang", lang).splitlines()
    firsts = [ln.split()[0] for ln in lines if not ln.startswith(" ")]
    assert firsts == NORMALIZED_STATES
    assert max(len(ln) for ln in lines) <= 79
    listen = next(ln for ln in lines if ln.startswith("LISTEN "))
    assert listen.startswith("LISTEN        ")
    meaning = explain("LISTEN", "--lang", lang).splitlines()[2].split(None, 1)[1]
    assert meaning.startswith(listen[14:].split(".")[0])


def test_explain_suggests_the_nearest_state():
    for args, message in [
            (["explain", "CLOSED_WAIT"],
             "explain: unknown state name 'CLOSED_WAIT' (did you mean CLOSE_WAIT?)"),
            (["--explain", "ESTABLISHD"],
             "--explain: unknown state name 'ESTABLISHD' (did you mean ESTABLISHED?)"),
            (["--state", "LISTEN,fin_wait"],
             "--state: unknown state name 'fin_wait' (did you mean FIN_WAIT_1 or "
             "FIN_WAIT_2?)"),
            (["wait", "--drained", "80", "--states", "time-wiat"],
             "--states: unknown state name 'time-wiat' (did you mean TIME_WAIT?)"),
            (["explain", "frobnicate"], "explain: unknown state name 'frobnicate'")]:
        proc = run(*args)
        assert proc.returncode == 2 and proc.stdout == b"", args
        assert proc.stderr.decode() == f"sockstate: {message}\n"


def test_explain_syn_sent_names_a_full_accept_queue():
    en = explain("SYN_SENT", "--lang", "en").splitlines()[4]
    assert "accept queue is full" in en and "backlog" in en
    es = explain("SYN_SENT", "--lang", "es").splitlines()[4]
    assert "cola de aceptación del servidor está llena" in es


@pytest.mark.parametrize("spelling", [
    "SYN_RECEIVED", "syn-recv", "SYN_RCVD", "MIB_TCP_STATE_SYN_RCVD",
    "SynReceived", "03", "syn received",
])
def test_explain_accepts_every_spelling(spelling):
    assert explain(spelling).splitlines()[0] == "SYN_RECEIVED"
    assert run_ok("--explain", spelling) == explain("SYN_RECEIVED")


# ------------------------------------------------------------ bad usage

BAD = [
    (["--state", "FOO"], "--state: unknown state name 'FOO'"),
    (["--state=ESTAB,BOGUS"], "--state: unknown state name 'BOGUS'"),
    (["--state", "ESTAB,,LISTEN"], "--state: empty state name in 'ESTAB,,LISTEN'"),
    (["--state", ""], "--state: empty list of states"),
    (["--state", "NONE"], "--state: unknown state name 'NONE'"),
    (["--state", "IDLE"], "--state: unknown state name 'IDLE'"),
    (["--state"], "--state: missing value S[,S...]"),
    (["--port", "70000"], "--port: 70000 is out of range (0-65535)"),
    (["--port", "http"], "--port: 'http' is not a port number (0-65535)"),
    (["--port", "-1"], "--port: '-1' is not a port number (0-65535)"),
    (["--port"], "--port: missing value PORT"),
    (["--port", "--json"], "--port: missing value PORT"),
    (["--sport=65536"], "--sport: 65536 is out of range (0-65535)"),
    (["--dport", "1x"], "--dport: '1x' is not a port number (0-65535)"),
    (["--port", "1", "--port", "2"],
     "--port: one port only (several name the per-port series of --format prometheus)"),
    (["summary", "--port", "1,2"],
     "--port: one port only (several name the per-port series of --format prometheus)"),
    (["--port", "80,x"], "--port: '80,x' is not a port number (0-65535)"),
    (["--port", "80,70000"], "--port: 70000 is out of range (0-65535)"),
    (["summary", "--format", "prometheus", "--state", "listen"],
     "--state: not with --format prometheus: its series count the whole host "
     "(--port adds a port's own series)"),
    (["--format", "prometheus", "-6", "--port", "443"],
     "-6: not with --format prometheus: its series count the whole host "
     "(--port adds a port's own series)"),
    (["summary", "--format", "prometheus", "--sport", "22"],
     "--sport: not with --format prometheus: its series count the whole host "
     "(--port adds a port's own series)"),
    (["summary", "--format", "prometheus", "--port", ",".join(str(p) for p in range(1, 34))],
     "--port: more than 32 ports (each adds 28 Prometheus series)"),
    (["--addr", "1.2.3"], "--addr: '1.2.3' is not an IP address or prefix"),
    (["--addr", "10.0.0.0/33"],
     "--addr: '10.0.0.0/33': prefix length out of range (0-32 for IPv4, 0-128 for IPv6)"),
    (["--saddr", "::1::2"], "--saddr: '::1::2' is not an IP address or prefix"),
    (["--daddr", "host.example"],
     "--daddr: 'host.example' is not an IP address or prefix"),
    (["--pid", "0"], "--pid: 0 is out of range (1-2147483647)"),
    (["--pid", "abc"], "--pid: 'abc' is not a process id"),
    (["--uid", "4294967295"], "--uid: 4294967295 is out of range (0-4294967294)"),
    (["--uid", "root"], "--uid: 'root' is not a numeric user id"),
    (["--backend", "nope"], None),
    (["--pid-source", "magic"], "--pid-source: unknown pid source 'magic' (auto, procfs, bpf)"),
    (["--format", "xml"], "--format: unknown format 'xml' (table, json, csv, prometheus)"),
    (["--json", "--csv"], "--csv: conflicts with --json"),
    (["--format=csv", "--json"], "--json: conflicts with --format"),
    (["--sort", "size"],
     "--sort: unknown sort key 'size' (state, local, remote, pid, process, none)"),
    (["-o"], "-o: missing value FILE"),
    (["--output="], "--output: empty file name"),
    (["--bogus"], "--bogus: unknown option (see sockstate --help)"),
    (["--bogus=1"], "--bogus: unknown option (see sockstate --help)"),
    (["-x"], "-x: unknown option (see sockstate --help)"),
    (["-4x"], "-x: unknown option (see sockstate --help)"),
    (["--jso"], "--jso: unknown option (see sockstate --help)"),
    (["--json=yes"], "--json: takes no value"),
    (["--help=me"], "--help: takes no value"),
    (["frobnicate"], "'frobnicate': unknown subcommand "
     "(list, summary, explain, wait, watch, trace, counters, diagnose, help; see sockstate --help)"),
    (["wait"], "wait: missing --listen PORT or --drained PORT"),
    (["wait", "--listen", "80", "--drained", "81"], "--drained: conflicts with --listen"),
    (["wait", "--listen", "80", "--states", "ESTAB"], "--states: only with --drained"),
    (["wait", "--drained", "80", "--states", "FOO"], "--states: unknown state name 'FOO'"),
    (["wait", "--drained", "80", "--timeout", "x"],
     "--timeout: 'x' is not a number of seconds (0-1000000, decimals allowed)"),
    (["wait", "--drained", "80", "--port", "80"], "--port: not valid with wait"),
    (["watch", "--json"], "--json: not valid with watch"),
    (["summary", "--by", "pids"],
     "--by: unknown key 'pids' (port, local, remote, pid, process, uid, netns)"),
    (["summary", "--timers"], "--timers: not valid with summary"),
    (["summary", "--top", "5"], "--top: only with --by"),
    (["summary", "--by", "port", "--format", "prometheus"],
     "--by: not available with --format prometheus (use --port for per-port series)"),
    (["--netns", "a", "--all-netns"], "--all-netns: conflicts with --netns"),
    (["list", "extra"], "'extra': unexpected argument"),
    (["summary", "list"], "'list': unexpected argument"),
    (["list", "--summary"], "--summary: conflicts with list"),
    (["summary", "--explain", "LISTEN"], "--explain: conflicts with summary"),
    (["summary", "--sort", "state"], "--sort: not valid with summary"),
    (["summary", "-p"], "-p: not valid with summary"),
    (["--summary", "--tcp-info"], "--tcp-info: not valid with summary"),
    (["explain", "FOO"], "explain: unknown state name 'FOO'"),
    (["explain", "NONE"], "explain: unknown state name 'NONE'"),
    (["--explain", "bogus"], "--explain: unknown state name 'bogus'"),
    (["explain", "LISTEN", "ESTAB"], "'ESTAB': unexpected argument (explain takes one STATE)"),
    (["explain", "LISTEN", "--json"], "--json: not valid with explain"),
    (["explain", "LISTEN", "--port", "80"], "--port: not valid with explain"),
    (["explain", "LISTEN", "--lang", "fr"], "--lang: unsupported language 'fr' (en, es)"),
    (["explain", "LISTEN", "--lang="], "--lang: unsupported language '' (en, es)"),
    (["--lang", "es"], "--lang: only valid with explain or diagnose"),
    (["--state", "A\nB"], "--state: unknown state name 'A\\x0aB'"),
    (["trace", "--format", "prometheus"],
     "--format: prometheus is not offered by trace (table, json, csv)"),
    (["--format=prometheus", "trace"],
     "--format: prometheus is not offered by trace (table, json, csv)"),
    (["trace", "--source", "ebpf"],
     "--source: unknown source 'ebpf' (auto, bpf, sock-diag-destroy, poll)"),
    (["trace", "--source", "bpf", "--interval", "1"],
     "--interval: only with --source poll (or auto)"),
    (["trace", "--count", "0"], "--count: '0' is not a count (1-9999999)"),
    (["trace", "--duration", "0"], "--duration: '0' is not a number of seconds "
     "(above 0, at most 1000000, decimals allowed)"),
    (["trace", "--uid", "0"], "--uid: not valid with trace"),
    (["trace", "--all-netns"], "--all-netns: not valid with trace"),
    (["trace", "-o", "x"], "-o: not valid with trace"),
    (["trace", "--tcp-info"], "--tcp-info: not valid with trace"),
    (["trace", "--timeout", "3"], "--timeout: not valid with trace"),
    (["--summary", "--by", "port", "trace"], "--by: not valid with trace"),
    (["trace", "summary"], "'summary': unexpected argument"),
    # --summary is trace's only with trace: elsewhere the alias, as before.
    (["--summary", "--explain", "LISTEN"], "--explain: conflicts with --summary"),
    (["--summary", "watch"], "'watch': unexpected argument"),
    (["--summary", "--summary", "list"], "'list': unexpected argument"),
    (["summary", "trace"], "'trace': unexpected argument"),
    (["--source", "poll"], "--source: not valid with list"),
    (["--count", "3"], "--count: not valid with list"),
    (["--port", "1" * 200], None),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a)[:40] for a, _ in BAD])
def test_bad_usage_is_one_line_and_exit_2(args, message):
    proc = run(*args)
    assert proc.returncode == 2, (args, proc.stderr)
    assert proc.stdout == b""
    err = proc.stderr.decode("utf-8")
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("sockstate: ")
    if message is not None:
        assert err == f"sockstate: {message}\n"


def test_bad_backend_lists_the_available_ones():
    err = run("--backend", "nope").stderr.decode()
    assert err.startswith("sockstate: --backend: unknown backend 'nope' (auto, ")
    for name in backends():
        assert name in err


def test_bad_usage_table_is_large_enough():
    assert len(BAD) >= 30


def test_random_command_lines_never_crash(tmp_path):
    """Random mixes of real options, values and junk: every run ends with a
    known exit code, and a failure is exactly one stderr line."""
    rng = random.Random(20261124)
    out_file = str(tmp_path / "out")
    tokens = [
        "list", "summary", "explain", "LISTEN", "ESTAB", "--state", "all",
        "--port", "0", "65535", "--sport", "--dport", "--addr", "::1",
        "127.0.0.0/8", "--pid", "1", "--uid", "0", "-4", "-6", "-46",
        "--backend", "auto", "--pid-source", "procfs", "--format", "json",
        "csv", "prometheus", "table", "--json", "--csv", "-o", out_file,
        "-p", "--sort", "state", "pid", "--tcp-info", "-n", "--verbose",
        "--summary", "--explain", "--lang", "es", "--", "-", "=", "",
        "--port=", "-o" + out_file, "\x01", "é", "%s%n", "-pn4",
    ]
    for _ in range(150):
        args = [rng.choice(tokens) for _ in range(rng.randint(0, 6))]
        proc = run(*args)
        assert proc.returncode in (0, 2, 3), (args, proc.returncode, proc.stderr)
        if proc.returncode != 0:
            assert proc.stderr.count(b"\n") == 1, (args, proc.stderr)
            assert proc.stderr.startswith(b"sockstate: "), (args, proc.stderr)
    assert [p.name for p in tmp_path.iterdir()] in ([], ["out"])


def test_closed_stdout_is_exit_3_with_one_line():
    proc = subprocess.run([CLI, "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=clean_env(), timeout=60, check=False,
                          preexec_fn=lambda: os.close(1))
    assert proc.returncode == 3
    assert proc.stderr == b"sockstate: standard output: Bad file descriptor\n"


# ------------------------------------------------------------ real sockets

def my_sockets(doc):
    return {endpoint_key(s) for s in doc["sockets"]}


@pytest.mark.parametrize("pairname", ["pair4", "pair6"])
def test_json_lists_exactly_my_sockets_with_owner(pairname, request):
    pair = request.getfixturevalue(pairname)
    doc = run_json("--json", "--port", pair.port, "-p")
    assert doc["schema"] == "sockstate/1"
    assert my_sockets(doc) == pair.expected()
    assert len(doc["sockets"]) == 3
    for s in doc["sockets"]:
        assert s["pid"] == MY_PID
        assert s["pids"] == [MY_PID]
        assert s["process"] == MY_COMM
        assert s["uid"] == MY_UID
        assert s["native_state"]["code"] == (10 if s["state"] == "LISTEN" else 1)
    assert doc["counts"] == {"LISTEN": 1, "ESTABLISHED": 2}
    assert doc["pid_source"] is not None


def test_json_without_p_has_no_owners(pair4):
    doc = run_json("--json", "--port", pair4.port)
    assert my_sockets(doc) == pair4.expected()
    assert all(s["pid"] is None and s["process"] is None for s in doc["sockets"])
    assert doc["pid_source"] is None


def test_summary_counts_my_sockets(pair4):
    doc = run_json("--summary", "--port", pair4.port, "--json")
    # BOUND is not counted by default: left out, not a 0 that looks measured.
    expected = {name: 0 for name in NORMALIZED_STATES if name != "BOUND"}
    expected.update(LISTEN=1, ESTABLISHED=2)
    assert doc["counts"] == expected
    assert run_json("--summary", "--port", pair4.port, "--json",
                    "--state", "all")["counts"] == dict(expected, BOUND=0)
    assert doc["total"] == 3
    assert "sockets" not in doc
    assert run_json("summary", "--json", f"--port={pair4.port}")["counts"] == expected
    table = run_ok("summary", "--port", pair4.port)
    assert re.search(r"^LISTEN +1$", table, re.M)
    assert re.search(r"^ESTABLISHED +2$", table, re.M)


def test_summary_prometheus_has_the_port_series(pair4):
    # The host's series count the whole host (other sockets come and go
    # here: tests/ops checks them exactly in a namespace of their own);
    # the port's series are exactly ours.
    out = run_ok("summary", "--format", "prometheus", "--port", pair4.port)
    host = dict(line.rsplit(" ", 1) for line in out.splitlines()
                if line.startswith("sockstate_tcp_sockets{"))
    assert len(host) == 28
    assert int(host['sockstate_tcp_sockets{family="ipv4",state="ESTABLISHED"}']) >= 2
    assert int(host['sockstate_tcp_sockets{family="ipv4",state="LISTEN"}']) >= 1
    port = {line.rsplit(" ", 1)[0]: int(line.rsplit(" ", 1)[1]) for line in out.splitlines()
            if line.startswith("sockstate_tcp_port_sockets{")}
    assert len(port) == 28
    assert {k: v for k, v in port.items() if v} == {
        f'sockstate_tcp_port_sockets{{port="{pair4.port}",side="local",state="LISTEN"}}': 1,
        f'sockstate_tcp_port_sockets{{port="{pair4.port}",side="local",state="ESTABLISHED"}}': 1,
        f'sockstate_tcp_port_sockets{{port="{pair4.port}",side="remote",state="ESTABLISHED"}}': 1}
    # without --port there is no per-port series
    assert "sockstate_tcp_port_sockets" not in run_ok("summary", "--format", "prometheus")


def test_csv_parses_and_matches_json(pair4):
    rows = list(csv.DictReader(io.StringIO(run_ok("--csv", "--port", pair4.port, "-p"))))
    doc = run_json("--json", "--port", pair4.port, "-p")
    assert len(rows) == 3
    got = {(r["family"], r["state"], r["native_state"], r["local_address"],
            int(r["local_port"]), r["remote_address"], int(r["remote_port"]))
           for r in rows}
    assert got == my_sockets(doc) == pair4.expected()
    for r in rows:
        assert int(r["pid"]) == MY_PID
        assert r["process"] == MY_COMM
    no_header = run_ok("--csv", "-n", "--port", pair4.port)
    assert no_header.splitlines()[0].startswith("ipv4,")
    assert len(no_header.splitlines()) == 3


def test_table_lists_my_sockets(pair4):
    out = run_ok("--port", pair4.port, "-p")
    lines = out.splitlines()
    assert lines[0].startswith("State")
    assert len(lines) == 4
    for line in lines[1:]:
        assert str(MY_PID) in line.split() and MY_COMM in line.split()
    assert sorted(line.split()[0] for line in lines[1:]) == \
        ["ESTABLISHED", "ESTABLISHED", "LISTEN"]
    headless = run_ok("--port", pair4.port, "-n").splitlines()
    assert len(headless) == 3 and not headless[0].startswith("State")


OWNER_SCRIPT = r"""
import ctypes, socket, sys
ctypes.CDLL(None).prctl(15, b"my srv \xc3\xbc", 0, 0, 0)  # PR_SET_NAME
listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
listener.bind(("::1", 0))
listener.listen(8)
port = listener.getsockname()[1]
client = socket.create_connection(("::1", port))
server, _ = listener.accept()
print(port, client.getsockname()[1], flush=True)
sys.stdin.read()
"""


def terminal_columns(text):
    """The columns a terminal shows for text (wide characters two,
    combining marks none)."""
    import unicodedata

    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_table_fits_80_columns_with_ipv6_and_a_non_ascii_owner():
    """Issue #22: the table's columns fit their content (they were 48
    wide for an address, 152 characters a line with -p), counted in
    terminal columns: an IPv6 listing of a process named "my srv ü" fits
    an 80-column terminal, every column aligned."""
    try:
        owner = subprocess.Popen(["python3", "-c", OWNER_SCRIPT], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
    except OSError as exc:
        pytest.skip(f"no python3 to own the sockets ({exc})")
    try:
        line = owner.stdout.readline()
        if not line:
            pytest.skip("no IPv6 loopback here")
        port, cport = (int(x) for x in line.split())
        out = run_ok("-p", "--pid", owner.pid)
    finally:
        owner.stdin.close()
        owner.wait()
    pid = str(owner.pid)
    rows = [
        ["State", "Native", "Recv-Q", "Send-Q", "Local Address", "Peer Address", "Pid",
         "Process"],
        ["LISTEN", "LISTEN", "0", "8", f"[::1]:{port}", "[::]:0", pid, "my srv ü"],
        ["ESTABLISHED", "ESTAB", "0", "0", f"[::1]:{port}", f"[::1]:{cport}", pid,
         "my srv ü"],
        ["ESTABLISHED", "ESTAB", "0", "0", f"[::1]:{cport}", f"[::1]:{port}", pid,
         "my srv ü"],
    ]
    widths = [max(terminal_columns(r[c]) for r in rows) for c in range(len(rows[0]))]

    def golden(row):
        return " ".join(cell + " " * (w - terminal_columns(cell))
                        for cell, w in zip(row[:-1], widths)) + " " + row[-1]

    lines = out.splitlines()
    assert lines[0] == golden(rows[0])
    assert sorted(lines[1:]) == sorted(golden(r) for r in rows[1:])
    assert max(terminal_columns(line) for line in lines) <= 80


@pytest.mark.parametrize("spelling", ["ESTAB", "Established", "MIB_TCP_STATE_ESTAB",
                                      "01", "established", "CONN_ESTABLISHED"])
def test_state_filter_takes_any_spelling(pair4, spelling):
    doc = run_json("--json", "--port", pair4.port, "--state", spelling)
    assert my_sockets(doc) == {k for k in pair4.expected() if k[1] == "ESTABLISHED"}


def test_state_filter_lists(pair4):
    assert my_sockets(run_json("--json", "--port", pair4.port,
                               "--state", "listen,ESTAB")) == pair4.expected()
    assert run_json("--json", "--port", pair4.port,
                    "--state", "SYN-SENT,TIME_WAIT")["sockets"] == []
    assert my_sockets(run_json("--json", "--port", pair4.port,
                               "--state", "all")) == pair4.expected()


def test_port_and_address_filters(pair4):
    p = pair4

    def keys(*args):
        return my_sockets(run_json("--json", *args))

    listen, served, client = (
        (p.fam, "LISTEN", "LISTEN", p.host, p.port, "0.0.0.0", 0),
        (p.fam, "ESTABLISHED", "ESTAB", p.host, p.port, p.host, p.cport),
        (p.fam, "ESTABLISHED", "ESTAB", p.host, p.cport, p.host, p.port),
    )
    assert keys("--sport", p.port) == {listen, served}
    assert keys("--dport", p.port) == {client}
    assert keys("--sport", p.cport, "--dport", p.port) == {client}
    assert keys("--port", p.port, "--addr", p.host) == p.expected()
    assert keys("--port", p.port, "--addr", "127.0.0.0/8") == p.expected()
    assert keys("--port", p.port, "--addr", f"[::ffff:{p.host}]") == set()
    assert keys("--port", p.port, "--saddr", p.host, "--daddr", p.host) == {served, client}
    assert keys("--port", p.port, "--saddr", "127.0.0.0/8", "--daddr", "10.0.0.1") == set()
    assert keys("--port", p.port, "--addr", "10.0.0.0/8") == set()
    assert keys("--port", p.port, "--daddr", "::1") == set()


def test_family_filters(pair4, pair6):
    def keys(*args):
        return my_sockets(run_json("--json", *args))

    assert keys("--port", pair4.port, "-4") == pair4.expected()
    assert keys("--port", pair4.port, "-6") == set()
    assert keys("--port", pair4.port, "-4", "-6") == pair4.expected()
    assert keys("--port", pair4.port, "-46") == pair4.expected()
    assert keys("--port", pair6.port, "--ipv6") == pair6.expected()
    assert keys("--port", pair6.port, "--ipv4") == set()


def test_owner_filters(pair4):
    other = subprocess.Popen(["sleep", "30"])
    try:
        assert my_sockets(run_json("--json", "--port", pair4.port,
                                   "--pid", MY_PID)) == pair4.expected()
        assert run_json("--json", "--port", pair4.port,
                        "--pid", other.pid)["sockets"] == []
    finally:
        other.kill()
        other.wait()
    counts = run_json("summary", "--json", "--port", pair4.port, "--pid", MY_PID)["counts"]
    assert (counts["LISTEN"], counts["ESTABLISHED"]) == (1, 2)
    assert my_sockets(run_json("--json", "--port", pair4.port,
                               "--uid", MY_UID)) == pair4.expected()
    assert run_json("--json", "--port", pair4.port,
                    "--uid", 4242424)["sockets"] == []


def test_sort_keys(pair4):
    rows = list(csv.DictReader(io.StringIO(
        run_ok("--csv", "--port", pair4.port, "--sort", "local"))))
    ports = [int(r["local_port"]) for r in rows]
    assert ports == sorted(ports) and len(ports) == 3
    rows = list(csv.DictReader(io.StringIO(
        run_ok("--csv", "--port", pair4.port, "--sort", "state"))))
    assert [r["state"] for r in rows] == ["LISTEN", "ESTABLISHED", "ESTABLISHED"]
    # sorting by owner implies owners
    rows = list(csv.DictReader(io.StringIO(
        run_ok("--csv", "--port", pair4.port, "--sort", "pid"))))
    assert [int(r["pid"]) for r in rows] == [MY_PID] * 3


def test_options_before_or_after_the_subcommand(pair4):
    a = run_ok("list", "--port", pair4.port, "--csv", "-n")
    assert run_ok("--csv", "list", "-n", "--port", str(pair4.port)) == a
    assert run_ok("--csv", "-n", f"--port={pair4.port}", "list") == a
    assert run_ok("-n", "--format", "csv", "--port", pair4.port) == a


def test_verbose_says_backend_and_pid_source(pair4):
    proc = run("--verbose", "--port", pair4.port, "-p", "-n")
    assert proc.returncode == 0
    err = proc.stderr.decode()
    lines = err.splitlines(keepends=True)
    assert re.fullmatch(r"sockstate: backend [a-z-]+, pid source ([a-z-]+), "
                        r"3 sockets, \d+\.\d ms\n", lines[0]), err
    source = re.match(r".*pid source ([a-z-]+),", lines[0]).group(1)
    # A second line says why that source was used (reasons may hold any text).
    assert len(lines) <= 2, err
    if len(lines) == 2:
        assert lines[1].startswith(f"sockstate: pid source {source}: "), err
        assert len(lines[1].strip()) > len(f"sockstate: pid source {source}: "), err
    assert len(proc.stdout.decode().splitlines()) == 3


def test_tcp_info_is_accepted(pair4):
    doc = run_json("--json", "--port", pair4.port, "--tcp-info")
    assert my_sockets(doc) == pair4.expected()
    # It brings the timers with it, as Python's TcpInfo has them.
    assert all("timer" in s for s in doc["sockets"])


def test_timers_as_ss_shows_them(pair4):
    """--timers: the timer of each socket (kind, time left, retries) in the
    table, CSV and JSON; issue 22: TIME_WAIT's time left was nowhere."""
    # A TIME_WAIT on our side: connect and close first, then the peer.
    client = socket.create_connection((pair4.host, pair4.port), source_address=(pair4.host, 0))
    server, _ = pair4.listener.accept()
    tw_port = client.getsockname()[1]
    client.close()
    server.close()
    backend = backends()[0]
    table = run_ok("--timers", "--port", pair4.port, "--state", "all", "--sort", "local")
    lines = table.splitlines()
    assert lines[0].split()[-1] == "Timer"
    by_local = {ln.split()[4]: ln.split()[-1] for ln in lines[1:]}
    assert by_local[f"{pair4.host}:{pair4.port}"] == "off"
    if backend == "linux-netlink" or backend == "linux-proc":
        assert re.fullmatch(r"timewait,(\d+)sec,0", by_local[f"{pair4.host}:{tw_port}"])
        seconds = int(by_local[f"{pair4.host}:{tw_port}"].split(",")[1][:-3])
        assert 0 < seconds <= 60
    rows = list(csv.DictReader(io.StringIO(run_ok("--timers", "--csv", "--port", pair4.port,
                                                  "--state", "time-wait"))))
    assert [(r["local_port"], r["timer"], r["timer_retransmits"]) for r in rows] == [
        (str(tw_port), "time_wait", "0")]
    assert 0 < int(rows[0]["timer_expires_ms"]) <= 60000
    doc = run_json("--timers", "--json", "--port", pair4.port, "--state", "time-wait")
    timer = doc["sockets"][0]["timer"]
    assert (timer["kind"], timer["retransmits"]) == ("time_wait", 0)
    assert 0 < timer["expires_ms"] <= 60000
    # Without the option, neither the column nor the key.
    assert "Timer" not in run_ok("--port", pair4.port)
    assert "timer" not in run_json("--json", "--port", pair4.port)["sockets"][0]


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "prometheus"])
def test_output_file_is_atomic_and_equal_to_stdout(pair4, tmp_path, fmt):
    target = tmp_path / "out"
    args = ["--format", fmt, "--port", pair4.port, "-p"]
    old = os.umask(0o022)
    try:
        proc = run(*args, "-o", target)
    finally:
        os.umask(old)
    assert proc.returncode == 0 and proc.stdout == b"" and proc.stderr == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    written = target.read_bytes()
    printed = run(*args).stdout
    if fmt == "json":
        a, b = json.loads(written), json.loads(printed)
        validate(a)
        a.pop("taken_at"), b.pop("taken_at")
        assert a == b
    elif fmt == "prometheus":
        # Host-wide counts move between two runs here; the series do not.
        def series(text):
            return [ln.rsplit(" ", 1)[0] for ln in text.decode().splitlines()]
        assert series(written) == series(printed)
        assert written == printed
    # "-" is standard output
    assert run(*args, "-o", "-").stdout.count(b"\n") == printed.count(b"\n")


def test_output_file_replaces_and_keeps_mode(pair4, tmp_path):
    target = tmp_path / "snap.csv"
    target.write_text("old\n")
    target.chmod(0o600)
    run_ok("--csv", "--port", pair4.port, f"--output={target}")
    assert target.read_text().startswith("family,")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.csv"]


def test_output_file_failures_leave_nothing(tmp_path):
    proc = run("--port", "1", "-o", tmp_path / "no" / "such" / "dir" / "f")
    assert proc.returncode == 3 and proc.stdout == b""
    assert proc.stderr.count(b"\n") == 1
    assert proc.stderr.startswith(b"sockstate: ")
    assert b"No such file or directory" in proc.stderr
    # a directory is refused before anything is written
    (tmp_path / "adir").mkdir()
    proc = run("--port", "1", "-o", tmp_path / "adir")
    assert proc.returncode == 3 and proc.stdout == b""
    assert proc.stderr.count(b"\n") == 1
    assert b": not replaced: a directory " in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir"]
    assert list((tmp_path / "adir").iterdir()) == []


def test_output_file_interrupted_leaves_the_old_file(tmp_path):
    """SIGTERM while the temporary file exists: it is removed, FILE keeps
    its old content. strace holds the process inside fsync meanwhile."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed (used to pause the write)")
    target = tmp_path / "snap.json"
    target.write_text("old\n")
    tracer = subprocess.Popen(
        ["strace", "-f", "-o", "/dev/null", "-e", "inject=fsync:delay_enter=2000000",
         CLI, "--json", "-o", str(target)],
        env=clean_env(), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        child = None
        while time.monotonic() < deadline and child is None:
            temps = [p for p in tmp_path.iterdir() if p.name.startswith("snap.json.")]
            children = pathlib.Path(f"/proc/{tracer.pid}/task/{tracer.pid}/children")
            kids = children.read_text().split() if children.exists() else []
            if temps and kids:
                child = int(kids[0])
            elif tracer.poll() is not None:
                break
            time.sleep(0.02)
        if child is None:
            err = tracer.stderr.read().decode(errors="replace") if tracer.poll() is not None else ""
            pytest.skip(f"could not pause sockstate under strace: {err.strip()[:200]}")
        os.kill(child, 15)
        tracer.wait(timeout=30)
    finally:
        if tracer.poll() is None:
            tracer.kill()
            tracer.wait()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.json"]
    assert target.read_text() == "old\n"


def test_os_failure_is_exit_3_with_the_failing_call(tmp_path):
    """With /proc hidden (a private mount namespace), the /proc backend
    cannot read its table: exit 3, one line naming the OS call."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare(1) to hide /proc in a mount namespace")
    if b"__asan_init" in pathlib.Path(CLI).read_bytes():
        # The sanitizer runtime reads its options and checks leaks through
        # /proc: without /proc it fails before and after the program.
        pytest.skip("AddressSanitizer build: its runtime needs /proc")
    target = tmp_path / "keep.csv"
    target.write_text("old\n")
    for args in (["--backend", "linux-proc"], ["--backend=linux-proc", "summary"],
                 ["--backend", "linux-proc", "--csv", "-o", str(target)]):
        script = 'mount -t tmpfs none /proc && exec "$0" "$@"'
        proc = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", script,
             CLI, *args], capture_output=True, env=clean_env(), timeout=60,
            check=False)
        if proc.returncode != 3 and b"sockstate: " not in proc.stderr:
            pytest.skip(f"cannot hide /proc here: {proc.stderr[:200]!r}")
        assert proc.returncode == 3, proc.stderr
        assert proc.stdout == b""
        err = proc.stderr.decode()
        assert err.count("\n") == 1
        assert err.startswith("sockstate: backend linux-proc: ")
        assert "/proc/net/tcp" in err and "No such file or directory" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.csv"]
    assert target.read_text() == "old\n"


def test_every_backend_sees_the_same_sockets(pair4, pair6):
    names = backends()
    if "linux-netlink" not in names or "linux-proc" not in names:
        pytest.skip(f"needs linux-netlink and linux-proc; this build has {names}")
    for pair in (pair4, pair6):
        seen = {}
        for name in names:
            proc = run("--json", "--port", pair.port, "-p", "--backend", name)
            if proc.returncode == 3:
                pytest.skip(f"backend {name} unavailable here: {proc.stderr!r}")
            assert proc.returncode == 0, proc.stderr
            doc = validate(json.loads(proc.stdout))
            assert doc["backend"] == name
            seen[name] = {endpoint_key(s) + (s["pid"],) for s in doc["sockets"]}
        assert seen["linux-netlink"] == seen["linux-proc"]
        assert {k[:7] for k in seen["linux-proc"]} == pair.expected()


# ------------------------------------------------------------ vs ss

SS_TO_OURS = {
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECEIVED",
    "FIN-WAIT-1": "FIN_WAIT_1", "FIN-WAIT-2": "FIN_WAIT_2",
    "TIME-WAIT": "TIME_WAIT", "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK",
    "LISTEN": "LISTEN", "CLOSING": "CLOSING",
    # ss -a does not ask for bound-inactive sockets (request bit 13), so an
    # UNCONN line here is a socket in state CLOSE.
    "UNCONN": "CLOSED",
}


def ss_counts():
    out = subprocess.run(["ss", "-tan"], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    counts = collections.Counter()
    for line in out.splitlines()[1:]:
        name = line.split()[0]
        counts[SS_TO_OURS.get(name, f"unmapped ss state {name}")] += 1
    return counts


def test_summary_matches_ss_state_by_state(pair4, pair6):
    if shutil.which("ss") is None:
        pytest.skip("ss (iproute2) is not installed")
    # Sockets come and go between the commands (other tests may run at the
    # same time): retry until ss before, ours, and ss after all agree.
    for attempt in range(15):
        before = ss_counts()
        doc = run_json("--summary", "--json")
        after = ss_counts()
        ours = collections.Counter({k: v for k, v in doc["counts"].items() if v})
        if before == after == ours:
            break
        time.sleep(min(0.1 * (attempt + 1), 1.0))
    assert ours == before == after
    assert ours["LISTEN"] >= 2 and ours["ESTABLISHED"] >= 4
    assert doc["total"] == sum(ours.values())
