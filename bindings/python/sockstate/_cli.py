"""``python -m sockstate``: the grammar, options, formats, messages and exit
codes of the C ``sockstate`` tool (libsockstate/cli), plus ``snapshot``.

Output bytes come from the library's writers, so they are the C tool's.
Bad input is one line on stderr and exit 2; an OS failure one line and
exit 3; never a traceback.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import tempfile
import time
from typing import Dict, List, NamedTuple, Optional, Tuple

EXIT_OK = 0
EXIT_NOT_MET = 1
EXIT_USAGE = 2
EXIT_OS = 3
EXIT_PARTIAL = 4

PROG = "python -m sockstate"
SPELLING_MAX = 40
HELP_COLUMN = 28

LIST, SUMMARY, EXPLAIN, WAIT, WATCH, SNAPSHOT = (
    "list", "summary", "explain", "wait", "watch", "snapshot")
SUBCOMMANDS = (LIST, SUMMARY, EXPLAIN, WAIT, WATCH, SNAPSHOT)
QUERY = frozenset((LIST, SUMMARY, SNAPSHOT))          # C: CLI_IN_QUERY
FILTER = QUERY | {WATCH}                               # C: CLI_IN_FILTER
ANY = frozenset(SUBCOMMANDS)
EXCLUDE_MAX = 64
SECONDS_MAX = 1000000.0


class Usage(Exception):
    """Bad usage: exit 2 with this one line."""


class OsFailure(Exception):
    """The OS refused or failed: exit 3 with this one line."""


class Opt(NamedTuple):
    id: str
    long: str
    short: str
    value_name: Optional[str]
    commands: frozenset
    group: int
    help: str
    optional_value: bool = False


G_FILTER, G_OUTPUT, G_SUMMARY, G_WAIT, G_WATCH, G_EXPLAIN, G_GENERAL = range(7)
GROUP_TITLES = (
    "Filters (list, summary, watch, snapshot; a socket must pass every one given):",
    "Output (list, summary; snapshot takes -o, -p, --sort, --tcp-info, --verbose):",
    "summary:",
    "wait:",
    "wait, watch:",
    "explain:",
    "General:",
)


def _in(*cmds: str) -> frozenset:
    return frozenset(cmds)


# The C tool's option table (libsockstate/cli/cli_spec.c), in its order;
# snapshot takes what list takes but the format options.
OPTIONS: Tuple[Opt, ...] = (
    Opt("state", "state", "", "S[,S...]", FILTER, G_FILTER,
        "only these states, in any OS's spelling: ESTAB,\n"
        "Established, SYN_RCVD, MIB_TCP_STATE_LISTEN, 0A...\n"
        "(default: all but BOUND; \"all\" includes BOUND)"),
    Opt("port", "port", "", "PORT", FILTER, G_FILTER,
        "local or remote port is PORT (0-65535); with\n"
        "--format prometheus, also the series of PORT"),
    Opt("sport", "sport", "", "PORT", FILTER, G_FILTER, "local port is PORT"),
    Opt("dport", "dport", "", "PORT", FILTER, G_FILTER, "remote port is PORT"),
    Opt("addr", "addr", "", "ADDR[/LEN]", FILTER, G_FILTER,
        "local or remote address in the prefix (IPv4 or\n"
        "IPv6, [v6] brackets allowed; an IPv4 prefix also\n"
        "matches IPv4-mapped IPv6 sockets)"),
    Opt("saddr", "saddr", "", "ADDR[/LEN]", FILTER, G_FILTER,
        "local address in the prefix"),
    Opt("daddr", "daddr", "", "ADDR[/LEN]", FILTER, G_FILTER,
        "remote address in the prefix"),
    Opt("pid", "pid", "", "PID", FILTER, G_FILTER,
        "owned by process PID (maps owners, as -p does)"),
    Opt("uid", "uid", "", "UID", FILTER, G_FILTER, "owned by numeric user id UID"),
    Opt("ipv4", "ipv4", "4", None, FILTER, G_FILTER,
        "IPv4 sockets (with -6: both families)"),
    Opt("ipv6", "ipv6", "6", None, FILTER, G_FILTER, "IPv6 sockets"),
    Opt("backend", "backend", "", "NAME", FILTER | {WAIT}, G_FILTER,
        "read sockets through NAME (auto, or one --version\n"
        "lists, e.g. linux-netlink, linux-proc)"),
    Opt("pid_source", "pid-source", "", "SRC", FILTER, G_FILTER,
        "how owners are found: auto, procfs or bpf"),
    Opt("format", "format", "", "F", _in(LIST, SUMMARY), G_OUTPUT,
        "table (default), json (the \"sockstate/1\" document),\n"
        "csv (RFC 4180) or prometheus (text exposition)"),
    Opt("json", "json", "", None, _in(LIST, SUMMARY), G_OUTPUT,
        "same as --format json"),
    Opt("csv", "csv", "", None, _in(LIST, SUMMARY), G_OUTPUT, "same as --format csv"),
    Opt("output", "output", "o", "FILE", QUERY, G_OUTPUT,
        "write to FILE atomically (a temporary file beside\n"
        "it, then rename: FILE is untouched on failure);\n"
        "- means standard output"),
    Opt("processes", "processes", "p", None, _in(LIST, WAIT, SNAPSHOT), G_OUTPUT,
        "map owners: pid and process columns (json: pid,\n"
        "process, pids are always present, null unless -p)"),
    Opt("sort", "sort", "", "KEY", _in(LIST, SNAPSHOT), G_OUTPUT,
        "state, local, remote, pid, process or none (the\n"
        "OS's order, the default); pid and process imply -p"),
    Opt("tcp_info", "tcp-info", "", None, _in(LIST, SNAPSHOT), G_OUTPUT,
        "also fetch TCP internals (rtt, cwnd, retransmits)\n"
        "where the backend has them"),
    Opt("no_header", "no-header", "n", None, _in(LIST, SUMMARY), G_OUTPUT,
        "table, csv: no header line"),
    Opt("verbose", "verbose", "", None, QUERY, G_OUTPUT,
        "one line on stderr: backend, pid source, count,\n"
        "time taken"),
    Opt("summary", "summary", "", None, _in(LIST, SUMMARY), G_GENERAL,
        "same as the summary subcommand"),
    Opt("explain", "explain", "", "STATE", _in(EXPLAIN), G_GENERAL,
        "same as explain STATE"),
    Opt("lang", "lang", "", "en|es", _in(EXPLAIN), G_EXPLAIN,
        "language of the explanation; default from LC_ALL,\n"
        "LC_MESSAGES or LANG, else en"),
    Opt("help", "help", "h", None, ANY, G_GENERAL, "this text, then exit 0"),
    Opt("version", "version", "V", None, ANY, G_GENERAL,
        "versions of the tool and library, and the backends"),
    Opt("netns", "netns", "", "NS", FILTER | {WAIT}, G_FILTER,
        "inside network namespace NS (Linux): a name under\n"
        "/run/netns, a path, or pid:PID; sockets are tagged\n"
        "with NS (a table column, JSON \"netns\"); wait too"),
    Opt("all_netns", "all-netns", "", None, FILTER, G_FILTER,
        "every network namespace (/run/netns, then those of\n"
        "processes), each tagged; one that cannot be entered\n"
        "is a line on stderr and exit 4, the rest is shown"),
    Opt("by", "by", "", "KEY[,KEY...]", _in(SUMMARY), G_SUMMARY,
        "counts per group: port (local port), local\n"
        "(address:port), remote (address), process, uid,\n"
        "netns; repeatable; largest groups first (table,\n"
        "json, csv)"),
    Opt("top", "top", "", "N", _in(SUMMARY, WATCH), G_SUMMARY,
        "only the N largest groups (watch: the N busiest\n"
        "ports, default 10)"),
    Opt("listen", "listen", "", "PORT", _in(WAIT), G_WAIT,
        "until a socket listens on local port PORT"),
    Opt("drained", "drained", "", "PORT", _in(WAIT), G_WAIT,
        "until no socket on local port PORT is in --states"),
    Opt("states", "states", "", "S[,S...]", _in(WAIT), G_WAIT,
        "the states that keep PORT from being drained, in\n"
        "any OS's spelling (default: all but LISTEN,\n"
        "TIME_WAIT and BOUND)"),
    Opt("exclude_remote", "exclude-remote", "", "ADDR[/LEN]", _in(WAIT), G_WAIT,
        "connections to/from this peer prefix do not count\n"
        "(repeatable; e.g. a load balancer's health checks)"),
    Opt("timeout", "timeout", "", "S", _in(WAIT), G_WAIT,
        "give up after S seconds (default 300; 0: check\n"
        "once): exit 1, the sockets still in the way on\n"
        "stdout, one line each, the reason on stderr"),
    Opt("interval", "interval", "", "S", _in(WAIT, WATCH), G_WATCH,
        "seconds between checks (wait: default 1) or\n"
        "refreshes (watch: default 2); decimals allowed"),
    Opt("watch", "watch", "", "S", _in(WATCH), G_GENERAL,
        "same as watch [--interval S]", True),
)
_BY_LONG = {o.long.encode(): o for o in OPTIONS}
_BY_SHORT = {o.short.encode(): o for o in OPTIONS if o.short}
REPEATABLE = ("explain", "by", "exclude_remote")

USAGES = (
    (LIST, "[list] [FILTERS] [--format F] [-o FILE] [-p] [--sort KEY] [-n]",
     "one line per socket (the default subcommand)"),
    (SUMMARY, "summary [FILTERS] [--by KEY,...] [--top N] [--format F] [-o FILE]",
     "count sockets per state (with --by: per group);\n"
     "keeps no per-socket record"),
    (EXPLAIN, "explain STATE [--lang en|es]",
     "what a state means, which side sees it, what a pile\n"
     "of them usually means"),
    (WAIT, "wait (--listen PORT | --drained PORT) [--states S,...] [-p]\n"
           "                           [--exclude-remote PREFIX]... [--timeout S]"
           " [--interval S]",
     "poll until something listens on PORT, or until no\n"
     "connection is left on it; exit 1 at the timeout"),
    (WATCH, "watch [FILTERS] [--interval S] [--top N]",
     "redraw the counts per state, their change, and the\n"
     "busiest ports until Ctrl-C"),
    (SNAPSHOT, "snapshot [FILTERS] [-o FILE.json] [-p] [--sort KEY] [--tcp-info]",
     "the \"sockstate/1\" JSON document (as list --format\n"
     "json); this package's addition"),
)

HELP_INTRO = (
    "List the TCP sockets of this machine: endpoints, owners, and the state\n"
    "in one vocabulary on every OS (RFC 9293 names: LISTEN, ESTABLISHED,\n"
    "TIME_WAIT...) beside the OS's own spelling (Linux ss: ESTAB, SYN-RECV).\n"
    "Options may come before or after the subcommand; --opt=VALUE and\n"
    "--opt VALUE are alike. The grammar, output and exit codes are those of\n"
    "the sockstate command.")

HELP_STATES = (
    "CLOSED LISTEN SYN_SENT SYN_RECEIVED ESTABLISHED FIN_WAIT_1 FIN_WAIT_2\n"
    "CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT DELETE_TCB BOUND UNKNOWN\n"
    "Input accepts every common spelling (case, '-', '_' and ' ' alike);\n"
    "output shows these names as `state` and the OS's own as `native_state`.")

EXIT_ROWS = (
    ("0", "done"),
    ("1", "a condition was not met (wait timed out)"),
    ("2", "bad usage or bad input; one line on stderr says what"),
    ("3", "the OS refused or failed (permission, no backend,\n"
          "an enumeration or write error); one line on stderr"),
    ("4", "partial result: some network namespaces could not\n"
          "be entered (a line each on stderr); the rest was\n"
          "written"),
)

ENVIRONMENT_ROWS = (
    ("LC_ALL, LC_MESSAGES, LANG",
     "the language of explain when --lang is not given\n"
     "(first set wins; es..., else en)"),
)

EXAMPLE_ROWS = (
    ("", "every TCP socket, like ss -tan"),
    ("--state listen -p", "listening sockets and their owners"),
    ("--port 443 --state ESTAB,SYN-RECV", "connections on port 443"),
    ("-4 --addr 10.0.0.0/8 --sort remote", "IPv4 peers in 10/8, sorted"),
    ("snapshot -p -o snap.json", "a sockstate/1 document, atomically"),
    ("summary", "how many sockets in each state"),
    ("summary --format prometheus --port 80", "gauges for scraping"),
    ("summary --by port --by process --top 10",
     "the ten busiest port/process pairs, per state"),
    ("wait --drained 8080 --timeout 60",
     "until port 8080 has no connection left (deploys)"),
    ("wait --listen 5432 --timeout 30", "until something listens on 5432"),
    ("--all-netns -p", "every namespace's sockets, tagged with it"),
    ("watch --interval 1", "a live view; Ctrl-C ends it"),
    ("explain TIME_WAIT --lang es", "the state explained in Spanish"),
)

# explain's labels, padded per language so the texts line up (as the C tool).
EXPLAIN_LABELS = {
    "en": ("side:        ", "meaning:     ", "seen by:     ", "a pile means:",
           {"both": "both ends",
            "server": "server (the passive opener)",
            "client": "client (the active opener)",
            "closer": "the end that closes first",
            "peer": "the end that closes second",
            "none": "no connection"}),
    "es": ("lado:            ", "significado:     ", "quién lo ve:     ",
           "si se acumulan:  ",
           {"both": "ambos extremos",
            "server": "servidor (apertura pasiva)",
            "client": "cliente (apertura activa)",
            "closer": "el extremo que cierra primero",
            "peer": "el extremo que cierra después",
            "none": "sin conexión"}),
}


# ---------------------------------------------------------------- text

def _b(text: str) -> bytes:
    """argv text back to the bytes the user typed."""
    return os.fsencode(text)


def _s(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def printable(text: bytes, max_bytes: int, buflen: int = 96) -> str:
    """The C tool's cli_printable: control bytes as \\xNN, "..." past
    max_bytes."""
    out = bytearray()
    for i, c in enumerate(text):
        if i >= max_bytes or len(out) + 5 >= buflen:
            if len(out) + 4 <= buflen:
                out += b"..."
            break
        if c < 0x20 or c == 0x7F:
            out += b"\\x%02x" % c
        else:
            out.append(c)
    return _s(bytes(out))


def show(text: bytes) -> str:
    return printable(text, 64)


def spelling(body: bytes) -> str:
    """An option's name as the C tool echoes it (copy_spelling)."""
    return printable(body[:SPELLING_MAX - 1], (SPELLING_MAX - 2) // 2,
                     SPELLING_MAX - 2)


# ---------------------------------------------------------------- parsing

class Args:
    def __init__(self) -> None:
        self.action = "run"
        self.cmd: Optional[str] = None
        self.filters: List[Tuple[str, bytes, str]] = []
        self.families: set = set()
        self.flags = 0
        self.format = 0
        self.sort = 0
        self.write_flags = 0
        self.prometheus_port = -1
        self.verbose = False
        self.output: Optional[str] = None
        self.backend: Optional[str] = None
        self.pid_source: Optional[str] = None
        self.explain_state = None
        self.lang: Optional[str] = None
        self.netns: Optional[str] = None
        self.all_netns = False
        self.group_keys = 0
        self.top = 0
        self.wait_kind = 0
        self.wait_port = 0
        self.wait_states = 0
        self.excludes: List[bytes] = []
        self.timeout = -1.0
        self.interval = -1.0


def parse_seconds(text: bytes) -> Optional[float]:
    """The C tool's seconds: digits with at most one '.', no sign, no
    exponent, at most 12 digits and 1000000."""
    v, scale, digits, dot = 0.0, 1.0, 0, False
    for ch in text:
        if ch == 0x2E and not dot:
            dot = True
            continue
        if not 0x30 <= ch <= 0x39 or digits > 12:
            return None
        digits += 1
        if dot:
            scale /= 10
            v += (ch - 0x30) * scale
        else:
            v = v * 10 + (ch - 0x30)
    if digits == 0 or v > SECONDS_MAX:
        return None
    return v


class Parser:
    def __init__(self, c) -> None:
        self.c = c
        self.a = Args()
        self.spelled: Dict[str, str] = {}
        self.used: List[Opt] = []
        self.command_by = ""
        self.format_by = ""
        self.explain_given = False
        self.explain_text = b""
        self.explain_by = ""

    # -- helpers that mirror args.c --

    def set_command(self, cmd: str, by: str) -> None:
        if self.a.cmd is not None and self.a.cmd != cmd:
            raise Usage(f"{by}: conflicts with {self.command_by}")
        if self.a.cmd is None:
            self.command_by = by
        self.a.cmd = cmd

    def set_format(self, fmt: int, by: str) -> None:
        if self.format_by and self.a.format != fmt:
            raise Usage(f"{by}: conflicts with {self.format_by}")
        if not self.format_by:
            self.format_by = by
        self.a.format = fmt

    def set_explain_state(self, text: bytes, by: str) -> None:
        if self.explain_given:
            raise Usage(f"'{show(text)}': unexpected argument "
                        "(explain takes one STATE)")
        self.explain_given = True
        self.explain_text = text
        self.explain_by = by

    def filter(self, key: str, value: bytes, label: str) -> None:
        """Check one filter now (as the C tool does), keep it for the query."""
        self.c.query([(key, value, label)], 0)
        self.a.filters.append((key, value, label))

    def wait_port(self, opt: str, value: bytes, kind: int) -> None:
        a, c = self.a, self.c
        if a.wait_kind and a.wait_kind != kind:
            other = "drained" if kind == c.WAIT_LISTEN else "listen"
            raise Usage(f"{opt}: conflicts with {self.spelled[other]}")
        q = c.query([("sport", value, opt)], 0)
        a.wait_kind = kind
        a.wait_port = c.query_info(q)["sport"]

    def seconds(self, opt: str, value: bytes, zero_ok: bool) -> float:
        v = parse_seconds(value)
        if v is None or (not zero_ok and v <= 0):
            raise Usage(f"{opt}: '{show(value)}' is not a number of seconds ("
                        f"{'0-1000000' if zero_ok else 'above 0, at most 1000000'}"
                        ", decimals allowed)")
        return v

    def apply(self, o: Opt, opt: str, value: Optional[bytes]) -> None:
        a, c = self.a, self.c
        i = o.id
        if i in ("state", "sport", "dport", "addr", "saddr", "daddr", "pid", "uid"):
            assert value is not None
            self.filter(i, value, opt)
        elif i == "port":
            assert value is not None
            self.filter("port", value, opt)
            a.prometheus_port = c.query_info(c.query([("port", value, opt)], 0))["port"]
        elif i == "ipv4":
            a.families.add(4)
        elif i == "ipv6":
            a.families.add(6)
        elif i == "backend":
            assert value is not None
            if value == b"auto":
                a.backend = None
                return
            names = c.backends()
            if _s(value) in names:
                a.backend = _s(value)
                return
            listed = ", ".join(names)
            raise Usage(f"{opt}: unknown backend '{show(value)}' "
                        f"(auto{', ' if listed else ''}{listed})")
        elif i == "pid_source":
            assert value is not None
            if value == b"auto":
                a.pid_source = None
            elif value in (b"procfs", b"bpf"):
                a.pid_source = _s(value)
            else:
                raise Usage(f"{opt}: unknown pid source '{show(value)}' "
                            "(auto, procfs, bpf)")
        elif i == "format":
            assert value is not None
            self.set_format(c.format_parse(value, opt), opt)
        elif i == "json":
            self.set_format(c.FORMAT_JSON, opt)
        elif i == "csv":
            self.set_format(c.FORMAT_CSV, opt)
        elif i == "output":
            assert value is not None
            if not value:
                raise Usage(f"{opt}: empty file name")
            a.output = _s(value)
        elif i == "processes":
            a.flags |= c.Q_PIDS
            a.write_flags |= c.W_PIDS
        elif i == "sort":
            assert value is not None
            a.sort = c.sort_key(value, opt)
            if a.sort in (c.SORT_PID, c.SORT_PROCESS):
                a.flags |= c.Q_PIDS
                a.write_flags |= c.W_PIDS
        elif i == "tcp_info":
            a.flags |= c.Q_TCP_INFO
        elif i == "no_header":
            a.write_flags |= c.W_NO_HEADER
        elif i == "verbose":
            a.verbose = True
        elif i == "summary":
            self.set_command(SUMMARY, opt)
        elif i == "explain":
            assert value is not None
            self.set_command(EXPLAIN, opt)
            self.set_explain_state(value, opt)
        elif i == "lang":
            assert value is not None
            ok = bool(value)
            if ok:
                try:
                    c.state_describe(2, value)
                except Exception:
                    ok = False
            if not ok:
                raise Usage(f"{opt}: unsupported language '{show(value)}' (en, es)")
            a.lang = _s(value)
        elif i == "help":
            a.action = "help"
        elif i == "version":
            a.action = "version"
        elif i == "netns":
            assert value is not None
            if not value:
                raise Usage(f"{opt}: empty namespace name")
            a.netns = _s(value)
        elif i == "all_netns":
            a.all_netns = True
        elif i == "by":
            assert value is not None
            a.group_keys |= c.group_keys_parse(value, opt)
        elif i == "top":
            assert value is not None
            digits = 0
            while digits < len(value) and digits < 8 and 0x30 <= value[digits] <= 0x39:
                digits += 1
            n = int(value[:digits]) if digits else 0
            if digits == 0 or digits != len(value) or n == 0:
                raise Usage(f"{opt}: '{show(value)}' is not a count (1-9999999)")
            a.top = n
        elif i == "listen":
            assert value is not None
            self.wait_port(opt, value, c.WAIT_LISTEN)
        elif i == "drained":
            assert value is not None
            self.wait_port(opt, value, c.WAIT_DRAINED)
        elif i == "states":
            assert value is not None
            a.wait_states = c.states_parse(value, opt)
        elif i == "exclude_remote":
            assert value is not None
            if len(a.excludes) == EXCLUDE_MAX:
                raise Usage(f"{opt}: more than {EXCLUDE_MAX} prefixes")
            a.excludes.append(c.prefix_parse(value, opt))
        elif i == "timeout":
            assert value is not None
            a.timeout = self.seconds(opt, value, True)
        elif i == "interval":
            assert value is not None
            a.interval = self.seconds(opt, value, False)
        elif i == "watch":
            self.set_command(WATCH, opt)
            if value is not None:
                a.interval = self.seconds(opt, value, False)

    def use(self, o: Opt, spelled: str, value: Optional[bytes]) -> None:
        first = o.id not in self.spelled
        if not first and o.value_name is not None and o.id not in REPEATABLE:
            raise Usage(f"{spelled}: given twice")
        if first:
            self.spelled[o.id] = spelled
            self.used.append(o)
        self.apply(o, spelled, value)

    @staticmethod
    def looks_like_long_option(arg: bytes) -> bool:
        return arg.startswith(b"--") and len(arg) > 2

    def parse_long(self, argv: List[bytes], i: int) -> int:
        body = argv[i][2:]
        name, eq, rest = body.partition(b"=")
        spelled = "--" + spelling(name)
        o = _BY_LONG.get(name)
        if o is None:
            raise Usage(f"{spelled}: unknown option (see {PROG} --help)")
        value = None
        if o.value_name is None:
            if eq:
                raise Usage(f"{spelled}: takes no value")
        elif o.optional_value:
            # --watch[=S]: a separate word is never its value.
            value = rest if eq else None
        elif eq:
            value = rest
        elif i + 1 < len(argv) and not self.looks_like_long_option(argv[i + 1]):
            i += 1
            value = argv[i]
        else:
            raise Usage(f"{spelled}: missing value {o.value_name}")
        self.use(o, spelled, value)
        return i

    def parse_short(self, argv: List[bytes], i: int) -> int:
        arg = argv[i]
        j = 1
        while j < len(arg):
            ch = arg[j:j + 1]
            spelled = "-" + _s(ch)
            o = _BY_SHORT.get(ch)
            if o is None:
                raise Usage(f"-{printable(ch, 1)}: unknown option "
                            f"(see {PROG} --help)")
            if o.value_name is not None:
                if j + 1 < len(arg):
                    value = arg[j + 1:]
                elif i + 1 < len(argv) and not self.looks_like_long_option(argv[i + 1]):
                    i += 1
                    value = argv[i]
                else:
                    raise Usage(f"{spelled}: missing value {o.value_name}")
                self.use(o, spelled, value)
                return i
            self.use(o, spelled, None)
            if self.a.action != "run":
                return i
            j += 1
        return i

    def parse_positional(self, arg: bytes) -> None:
        if self.a.cmd is None:
            for name in SUBCOMMANDS:
                if arg == name.encode():
                    self.set_command(name, name)
                    return
            raise Usage(f"'{show(arg)}': unknown subcommand (list, summary, "
                        f"explain, wait, watch, snapshot; see {PROG} --help)")
        if self.a.cmd == EXPLAIN:
            self.set_explain_state(arg, "explain")
            return
        raise Usage(f"'{show(arg)}': unexpected argument")

    def check_applicable(self) -> None:
        cmd = self.a.cmd
        for o in self.used:
            if cmd in o.commands:
                continue
            if o.commands == frozenset((EXPLAIN,)):
                raise Usage(f"{self.spelled[o.id]}: only valid with explain")
            raise Usage(f"{self.spelled[o.id]}: not valid with {cmd}")

    def finish_explain(self) -> None:
        if not self.explain_given:
            raise Usage("explain: missing STATE (e.g. "
                        f"{PROG} explain TIME_WAIT)")
        try:
            self.a.explain_state = self.c.state_parse(self.explain_text)
        except Exception:
            raise Usage(f"{self.explain_by}: unknown state name "
                        f"'{show(self.explain_text)}'") from None

    def check_combinations(self) -> None:
        a, c = self.a, self.c
        sp = self.spelled
        if a.netns is not None and a.all_netns:
            raise Usage(f"{sp['all_netns']}: conflicts with {sp['netns']}")
        if a.cmd == SUMMARY and a.group_keys and a.format == c.FORMAT_PROMETHEUS:
            raise Usage(f"{sp['by']}: not available with --format prometheus "
                        "(use --port for per-port series)")
        if a.cmd == SUMMARY and a.top and not a.group_keys:
            raise Usage(f"{sp['top']}: only with --by")
        if a.cmd == WAIT:
            if not a.wait_kind:
                raise Usage("wait: missing --listen PORT or --drained PORT")
            if a.wait_kind == c.WAIT_LISTEN and "states" in sp:
                raise Usage(f"{sp['states']}: only with --drained")
            if a.wait_kind == c.WAIT_LISTEN and a.excludes:
                raise Usage(f"{sp['exclude_remote']}: only with --drained")
            if a.timeout < 0:
                a.timeout = 300.0
            if a.interval < 0:
                a.interval = 1.0
        if a.cmd == WATCH:
            if a.interval < 0:
                a.interval = 2.0
            if not a.top:
                a.top = 10

    def parse(self, argv: List[bytes]) -> Args:
        only_positional = False
        i = 0
        while i < len(argv):
            arg = argv[i]
            if only_positional or not arg.startswith(b"-") or arg == b"-":
                self.parse_positional(arg)
            elif arg == b"--":
                only_positional = True
            elif arg.startswith(b"--"):
                i = self.parse_long(argv, i)
            else:
                i = self.parse_short(argv, i)
            if self.a.action != "run":
                return self.a
            i += 1
        if self.a.cmd is None:
            self.a.cmd = LIST
        self.check_applicable()
        if self.a.cmd == EXPLAIN:
            self.finish_explain()
        self.check_combinations()
        return self.a


# ---------------------------------------------------------------- help

def _row(left: str, right: str, column: int) -> str:
    width = 2 + len(left)
    first, *more = right.split("\n")
    out = "  " + left
    if width + 1 >= column:
        out += "\n" + " " * column
    else:
        out += " " * (column - width)
    out += first + "\n"
    for line in more:
        out += " " * column + line + "\n"
    return out


def _indented(text: str, indent: int) -> str:
    return "".join(" " * indent + line + "\n" for line in text.split("\n"))


def help_text() -> str:
    out = "Usage:\n"
    for _cmd, usage, _help in USAGES:
        out += f"  {PROG} {usage}\n"
    out += f"  {PROG} --help | --version\n\n"
    out += HELP_INTRO + "\n\nSubcommands:\n"
    for cmd, _usage, text in USAGES:
        out += _row("explain STATE" if cmd == EXPLAIN else cmd, text, HELP_COLUMN)
    for g, title in enumerate(GROUP_TITLES):
        out += "\n" + title + "\n"
        for o in OPTIONS:
            if o.group != g:
                continue
            left = (f"-{o.short}, " if o.short else "    ") + "--" + o.long
            if o.value_name and o.optional_value:
                left += f"[={o.value_name}]"
            elif o.value_name:
                left += " " + o.value_name
            out += _row(left, o.help, HELP_COLUMN)
    out += "\nStates:\n" + _indented(HELP_STATES, 2)
    out += "\nExit status:\n"
    for left, right in EXIT_ROWS:
        out += _row(left, right, 6)
    out += "\nEnvironment:\n"
    for left, right in ENVIRONMENT_ROWS:
        out += _row(left, right, HELP_COLUMN)
    out += "\nExamples:\n"
    for left, right in EXAMPLE_ROWS:
        out += f"  {PROG}{' ' + left if left else ''}\n" + _indented(right, 6)
    return out


# ---------------------------------------------------------------- output

class Output:
    """Standard output, or FILE replaced atomically (a temporary file beside
    it, written, flushed to disk, renamed over the name), as the C tool."""

    def __init__(self, path: Optional[str]) -> None:
        self.path = None if path in (None, "-") else path
        self.tmp: Optional[str] = None
        self.fd = 1
        if self.path is None:
            return
        directory, base = os.path.split(self.path)
        try:
            self.fd, self.tmp = tempfile.mkstemp(prefix=base + ".",
                                                 dir=directory or ".")
        except OSError as e:
            raise OsFailure(f"{self.name()}: cannot create a temporary file "
                            f"beside it: {e.strerror}") from None
        try:
            st = os.stat(self.path)
            mode = stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else None
        except OSError:
            mode = None
        if mode is None:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        try:
            os.fchmod(self.fd, mode)
        except OSError:
            pass

    def name(self) -> str:
        if self.path is None:
            return "standard output"
        return printable(_b(self.path), 120, 160)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            if self.path is None:
                # Through sys.stdout's buffer so Python's own buffering
                # stays in order; the bytes are the writer's.
                sys.stdout.flush()
                while view:
                    n = os.write(1, view)
                    view = view[n:]
            else:
                while view:
                    n = os.write(self.fd, view)
                    view = view[n:]
        except BrokenPipeError:
            raise
        except OSError as e:
            self.abort()
            raise OsFailure(f"{self.name()}: write: {e.strerror}") from None

    def commit(self) -> None:
        if self.path is None or self.tmp is None:
            return
        step = "fsync"
        try:
            try:
                os.fsync(self.fd)
            except OSError as e:
                if e.errno not in (22, 30):  # EINVAL, EROFS: cannot sync
                    raise
            step = "close"
            fd, self.fd = self.fd, -1
            os.close(fd)
            step = "rename"
            os.replace(self.tmp, self.path)
        except OSError as e:
            self.abort()
            raise OsFailure(f"{self.name()}: {step}: {e.strerror}") from None
        self.tmp = None
        try:
            dfd = os.open(os.path.dirname(self.path) or ".", os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:
            pass

    def abort(self) -> None:
        if self.path is None:
            return
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None


# ---------------------------------------------------------------- running

def exit_code_for(code: int, c) -> int:
    """Library error -> exit code, as the C tool: bad input 2, else 3."""
    if code in (c.EINVAL, c.ERANGE, c.ENOENT):
        return EXIT_USAGE
    return EXIT_OS


def pick_language(option: Optional[str]) -> str:
    def supported(locale: Optional[str]) -> Optional[str]:
        if not locale:
            return None
        for lang in EXPLAIN_LABELS:
            if (locale[:2].lower() == lang and
                    (len(locale) == 2 or locale[2] in "_.@-")):
                return lang
        return None

    lang = supported(option)
    if lang:
        return lang
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        v = os.environ.get(var)
        if v:
            return supported(v) or "en"
    return "en"


def run_explain(a: Args, c) -> int:
    from ._state import _BY_CODE
    lang = pick_language(a.lang)
    side_l, meaning_l, seen_l, pile_l, sides = EXPLAIN_LABELS[lang]
    name, side, meaning, seen_by, pile = c.state_describe(a.explain_state, lang)
    text = (f"{name or _BY_CODE[a.explain_state].value}\n"
            f"{side_l} {sides.get(side, '?')}\n"
            f"{meaning_l} {meaning}\n"
            f"{seen_l} {seen_by}\n"
            f"{pile_l} {pile}\n")
    out = Output(None)
    out.write(text.encode("utf-8"))
    return EXIT_OK


def say_verbose(a: Args, backend: str, pid_source: Optional[str], count: int,
                started: float, reason: str = "") -> None:
    if a.verbose:
        ms = (time.time() - started) * 1e3
        line = (f"sockstate: backend {backend}, pid source "
                f"{pid_source or 'none'}, {count} sockets, {ms:.1f} ms\n")
        # Why that pid source (e.g. why not the BPF iterator), as the C tool.
        if pid_source and reason:
            line += f"sockstate: pid source {pid_source}: {reason}\n"
        sys.stderr.flush()
        os.write(2, line.encode("utf-8", "surrogateescape"))


def build_query(a: Args, c) -> bytes:
    filters = list(a.filters)
    if a.families == {4}:
        filters.append(("family", b"4", "-4"))
    elif a.families == {6}:
        filters.append(("family", b"6", "-6"))
    return c.query(filters, a.flags)


class OsFailureCode(Exception):
    """A failure with its exit code (a library error's, or 4)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code


def library_failure(e, c) -> OsFailureCode:
    return OsFailureCode(str(e), exit_code_for(e.code, c))


def library_message(what: str, e) -> str:
    """The C tool's cli_library_error: "<what>: <library message>[: <detail>]"."""
    from ._native import core
    message = core().strerror(e.code)
    if e.detail:
        return f"{what}: {message}: {printable(_b(e.detail), 300, 320)}"
    return f"{what}: {message}"


class HandleSet:
    """The handles one command runs on: the caller's network namespace, the
    one --netns names, or every one (--all-netns), and the namespaces that
    could not be entered (as the C tool's handles.c)."""

    def __init__(self, a: Args, c) -> None:
        from ._errors import Error
        self.c = c
        self.handles: list = []
        self.failed: List[str] = []
        if not a.all_netns:
            try:
                self.handles.append(c.open(a.backend, a.pid_source, None, a.netns))
            except Error as e:
                if a.netns is None:
                    raise library_failure(e, c) from None
                raise OsFailureCode(library_message("--netns", e),
                                    exit_code_for(e.code, c)) from None
            return
        try:
            base = c.open(a.backend, a.pid_source)
        except Error as e:
            raise library_failure(e, c) from None
        try:
            spaces = c.netns_list(base)
        except Error as e:
            raise OsFailureCode(f"--all-netns: {e}", exit_code_for(e.code, c)) from None
        finally:
            c.close(base)
        first_err = 0
        for spec, _pid, _inode, _current in spaces:
            try:
                self.handles.append(c.open(a.backend, a.pid_source, None, spec))
            except Error as e:
                first_err = first_err or e.code
                self.failed.append(library_message("--all-netns", e))
        if not self.handles:
            for msg in self.failed[:-1]:
                _say(msg)
            if self.failed:
                raise OsFailureCode(self.failed[-1], exit_code_for(first_err, c))
            raise OsFailure("--all-netns: no network namespace found")

    @property
    def arg(self):
        """What _core takes: one handle, or the list of them."""
        return self.handles[0] if len(self.handles) == 1 else self.handles

    def close(self) -> None:
        for h in self.handles:
            self.c.close(h)
        self.handles = []

    def finish(self, code: int) -> int:
        if code != EXIT_OK or not self.failed:
            return code
        for msg in self.failed:
            _say(msg)
        n = len(self.failed)
        raise OsFailureCode(f"partial result: {n} of {n + len(self.handles)} network "
                            "namespaces could not be read; the others were",
                            EXIT_PARTIAL)


def write_output(a: Args, data: bytes) -> None:
    out = Output(a.output)
    try:
        out.write(data)
        out.commit()
    except BaseException:
        out.abort()
        raise


def run_list(a: Args, c) -> int:
    from ._errors import Error
    started = time.time()
    q = build_query(a, c)
    hs = HandleSet(a, c)
    try:
        h0 = hs.handles[0]
        try:
            data, count, src = c.render(hs.arg, q, a.sort, a.format,
                                        a.write_flags, a.prometheus_port)
        except Error as e:
            say_verbose(a, c.backend(h0), c.pid_source(h0), 0, started)
            raise library_failure(e, c) from None
        say_verbose(a, c.backend(h0), src, count, started, c.pid_source_reason(h0))
        write_output(a, data)
        return hs.finish(EXIT_OK)
    finally:
        hs.close()


def run_summary(a: Args, c) -> int:
    from ._errors import Error
    started = time.time()
    q = build_query(a, c)
    hs = HandleSet(a, c)
    try:
        h0 = hs.handles[0]
        try:
            if a.group_keys:
                _g, _st, total, data, src, _b = c.count_groups(
                    hs.arg, q, a.group_keys, a.top, a.format, a.write_flags)
            else:
                data, total, src = c.render_counts(hs.arg, q, a.format,
                                                   a.write_flags, -1)
        except Error as e:
            say_verbose(a, c.backend(h0), c.pid_source(h0), 0, started)
            raise library_failure(e, c) from None
        say_verbose(a, c.backend(h0), src, total, started, c.pid_source_reason(h0))
        write_output(a, data)
        return hs.finish(EXIT_OK)
    finally:
        hs.close()


def describe_blockers(conns) -> str:
    """"2 sockets (ESTABLISHED 1, CLOSE_WAIT 1)", states in the library's
    numbering order, as the C tool."""
    by_code: Dict[int, int] = {}
    for conn in conns:
        by_code[conn.state.code] = by_code.get(conn.state.code, 0) + 1
    parts = ", ".join(f"{_state_name(code)} {n}" for code, n in sorted(by_code.items()))
    n = len(conns)
    return f"{n} socket{'' if n == 1 else 's'} ({parts})"


def _state_name(code: int) -> str:
    from ._state import _BY_CODE
    return _BY_CODE[code].value


def run_wait(a: Args, c) -> int:
    from ._errors import Error
    families = sum(1 << (1 if f == 4 else 2) for f in a.families)
    hs = HandleSet(a, c)
    h = hs.handles[0]

    def check(flags: int):
        try:
            return c.wait_check(h, a.wait_kind, a.wait_port, a.wait_states,
                                families, a.excludes, flags, a.write_flags)
        except Error as e:
            raise library_failure(e, c) from None

    try:
        deadline = time.monotonic() + a.timeout
        while True:
            if check(-1)[0]:
                return hs.finish(EXIT_OK)
            now = time.monotonic()
            if now >= deadline:
                break
            time.sleep(min(deadline - now, a.interval))
        # The last look lists what blocks; it may find the way clear.
        held, conns, table = check(a.flags & c.Q_PIDS)
        if held:
            return hs.finish(EXIT_OK)
        if a.wait_kind == c.WAIT_LISTEN:
            raise OsFailureCode(f"wait: timed out after {a.timeout:g}s: nothing "
                                f"listens on port {a.wait_port}", EXIT_NOT_MET)
        Output(None).write(table)
        raise OsFailureCode(f"wait: timed out after {a.timeout:g}s: port "
                            f"{a.wait_port} is not drained: "
                            f"{describe_blockers(conns)} still there", EXIT_NOT_MET)
    finally:
        hs.close()


class Watch:
    """`watch`, as the C tool's watch.c: every interval one count grouped by
    local port; on a terminal the screen redrawn in place, else one line
    per refresh. SIGINT or SIGTERM ends it between refreshes, exit 0."""

    def __init__(self, a: Args, c, hs: HandleSet) -> None:
        self.a, self.c, self.hs = a, c, hs
        self.tty = os.isatty(1)
        self.refreshes = 0
        self.prev = [0] * c.STATE_COUNT
        self.prev_total = 0
        self.seen = 0
        self.stop = False

    @staticmethod
    def change(first: bool, now: int, before: int) -> str:
        if first:
            return ""
        return f"+{now - before}" if now >= before else f"-{before - now}"

    def frame(self, groups, by_state, total, table: bytes) -> bytes:
        a, c = self.a, self.c
        first = self.refreshes == 0
        names = [_state_name(i) for i in range(c.STATE_COUNT)]
        shown = [i for i in range(c.STATE_COUNT) if self.seen & (1 << i)]
        if self.tty:
            when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
            out = (f"sockstate watch  every {a.interval:g}s  {when}  backend "
                   f"{c.backend(self.hs.handles[0])}  (Ctrl-C quits)\n\n")
            out += f"{'State':<13} {'Count':>10} {'Change':>8}\n"
            for i in shown:
                out += (f"{names[i]:<13} {by_state[i]:>10} "
                        f"{self.change(first, by_state[i], self.prev[i]):>8}\n")
            out += (f"{'TOTAL':<13} {total:>10} "
                    f"{self.change(first, total, self.prev_total):>8}\n\n"
                    "Busiest local ports:\n")
            return out.encode("utf-8") + table
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

        def counted(now: int, before: int) -> str:
            return f"{now}" if first else f"{now}({self.change(first, now, before)})"

        out = f"{when} total={counted(total, self.prev_total)}"
        for i in shown:
            out += f" {names[i]}={counted(by_state[i], self.prev[i])}"
        out += " ports=" + ",".join(f"{g[0]}:{g[6]}" for g in groups[:a.top]) + "\n"
        return out.encode("utf-8")

    def show(self, data: bytes) -> None:
        if self.tty:
            lines = data.split(b"\n")
            body = b"".join(line + b"\x1b[K\n" for line in lines[:-1]) + lines[-1]
            data = (b"\x1b[H\x1b[2J" if self.refreshes == 0 else b"\x1b[H") + \
                body + b"\x1b[J"
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(1, view):]
        except BrokenPipeError:
            raise
        except OSError:
            raise OsFailure("watch: cannot write the output") from None

    def refresh(self, q: bytes) -> None:
        from ._errors import Error
        c = self.c
        try:
            groups, by_state, total, table, _src, _b = c.count_groups(
                self.hs.arg, q, c.GROUP_PORT, self.a.top if self.tty else 0,
                -2 if self.tty else -1, 0)
        except Error as e:
            raise library_failure(e, c) from None
        for i, n in enumerate(by_state):
            if n:
                self.seen |= 1 << i
        self.show(self.frame(groups, by_state, total, table or b""))
        self.prev = list(by_state)
        self.prev_total = total
        self.refreshes += 1

    def run(self) -> int:
        import select
        q = build_query(self.a, self.c)
        r, w = os.pipe()
        os.set_blocking(w, False)
        old_fd = signal.set_wakeup_fd(w)

        def on_stop(_sig, _frame):
            self.stop = True

        old = {sig: signal.signal(sig, on_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not self.stop:
                self.refresh(q)
                if not self.stop:
                    # A signal writes to the wakeup pipe: the wait ends at once.
                    select.select([r], [], [], self.a.interval)
            return EXIT_OK
        finally:
            for sig, handler in old.items():
                signal.signal(sig, handler)
            signal.set_wakeup_fd(old_fd)
            os.close(r)
            os.close(w)


def run_watch(a: Args, c) -> int:
    hs = HandleSet(a, c)
    try:
        code = Watch(a, c, hs).run()
        return hs.finish(code)
    finally:
        hs.close()


def run(argv: List[str]) -> int:
    from ._native import core
    from ._errors import Error

    c = core()
    args = [_b(x) for x in argv]
    try:
        a = Parser(c).parse(args)
    except Error as e:  # the library's parsers refused a value
        raise Usage(str(e)) from None
    if a.action == "help":
        Output(None).write(help_text().encode("utf-8"))
        return EXIT_OK
    if a.action == "version":
        line = (f"sockstate {c.version()} (libsockstate {c.version()}; "
                f"backends: {', '.join(c.backends())})\n")
        Output(None).write(line.encode("utf-8"))
        return EXIT_OK
    if a.cmd == EXPLAIN:
        return run_explain(a, c)
    if a.cmd == WAIT:
        return run_wait(a, c)
    if a.cmd == WATCH:
        return run_watch(a, c)
    if a.cmd == SNAPSHOT:
        a.format = c.FORMAT_JSON
        return run_list(a, c)
    if a.cmd == SUMMARY:
        # The per-port series needs the records of that port (as the C tool).
        if a.format == c.FORMAT_PROMETHEUS and a.prometheus_port >= 0:
            return run_list(a, c)
        return run_summary(a, c)
    return run_list(a, c)


def _say(line: str) -> None:
    data = f"sockstate: {line}\n".encode("utf-8", "surrogateescape")
    try:
        sys.stderr.flush()
        os.write(2, data)
    except OSError:
        pass


def _report_args(argv: List[str]) -> Optional[List[str]]:
    """argv without the word "report" when report is the subcommand (the
    first word that is neither an option nor an option's value), else
    None."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return argv[:i] + argv[i + 2:] if argv[i + 1:i + 2] == ["report"] else None
        if arg.startswith("--") and len(arg) > 2:
            o = _BY_LONG.get(_b(arg[2:].partition("=")[0]))
            if o is not None and o.value_name and "=" not in arg:
                i += 1
        elif arg.startswith("-") and arg != "-":
            for j in range(1, len(arg)):
                o = _BY_SHORT.get(_b(arg[j]))
                if o is not None and o.value_name:
                    if j == len(arg) - 1:
                        i += 1
                    break
        else:
            return argv[:i] + argv[i + 1:] if arg == "report" else None
        i += 1
    return None


def _run_report(argv: List[str]) -> int:
    try:
        from . import report  # type: ignore[attr-defined]
    except ImportError:
        _say("report: not available in this installation")
        return EXIT_USAGE
    return int(report.main(argv))


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit code (never raises)."""
    if argv is None:
        argv = sys.argv[1:]
    # Die of SIGPIPE as the C tool does when the reader goes away.
    if hasattr(signal, "SIGPIPE"):
        try:
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        except (ValueError, OSError):  # not the main thread
            pass
    try:
        report_argv = _report_args(argv)
        if report_argv is not None:
            return _run_report(report_argv)
        return run(argv)
    except Usage as e:
        _say(str(e))
        return EXIT_USAGE
    except OsFailure as e:
        _say(str(e))
        return EXIT_OS
    except OsFailureCode as e:
        _say(str(e))
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 128 + 13
    except MemoryError:
        _say("out of memory")
        return EXIT_OS
    except ImportError as e:
        _say(str(e))
        return EXIT_OS
    except Exception as e:  # a bug: still one line, never a traceback
        _say(f"internal error: {type(e).__name__}: {e}")
        return EXIT_OS
