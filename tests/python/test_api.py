"""The public API without real sockets: states, errors, versions, types."""

import pathlib
import re
import socket

import pytest

import sockstate
from sockstate import Error, InvalidArgument, PermissionDenied, State, Unavailable

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_version_is_the_projects():
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    want = re.search(r"project\(libsockstate VERSION ([0-9.]+)", text).group(1)
    assert sockstate.__version__ == want


def test_backends():
    assert sockstate.backends() == ("linux-netlink", "linux-proc")
    assert sockstate.backend() == "linux-netlink"
    assert sockstate.backend("linux-proc") == "linux-proc"


def test_public_names():
    for name in sockstate.__all__:
        assert getattr(sockstate, name) is not None, name
    assert sockstate.Connection.__module__ == "sockstate"
    assert sockstate.Address.n_fields == 2
    assert sockstate.Connection.n_sequence_fields == 13
    assert sockstate.Connection.n_fields == 17  # + fd, type, status, netns
    assert (ROOT / "bindings/python/sockstate/py.typed").exists()


def test_dir_shows_only_the_api():
    """Issue 22: dir(sockstate) listed Any, Dict, check_numbering..."""
    assert dir(sockstate) == sorted(sockstate.__all__)
    for name in ("Any", "Dict", "check_numbering", "TYPE_CHECKING", "annotations"):
        assert name not in dir(sockstate)


def test_counts_is_typed_by_its_by_argument():
    """A dict without by, a list of Group with it: two overloads, so a
    type checker knows which one a call returns."""
    import typing
    if not hasattr(typing, "get_overloads"):
        pytest.skip("typing.get_overloads needs Python 3.11")
    for f in (sockstate.counts, sockstate.Handle.counts):
        overloads = typing.get_overloads(f)
        assert len(overloads) == 2, f
        hints = [typing.get_type_hints(o, vars(sockstate._handle)) for o in overloads]
        assert [h["return"] for h in hints] == [typing.Dict[State, int],
                                                typing.List[sockstate.Group]]
        assert hints[0]["by"] is type(None)


# ---- states ----

@pytest.mark.parametrize("text,state", [
    ("ESTAB", "ESTABLISHED"),          # ss
    ("SYN-RECV", "SYN_RECEIVED"),      # ss
    ("syn_rcvd", "SYN_RECEIVED"),      # BSD netstat, lower case
    ("MIB_TCP_STATE_SYN_RCVD", "SYN_RECEIVED"),
    ("SynReceived", "SYN_RECEIVED"),   # PowerShell
    ("0A", "LISTEN"),                  # /proc/net/tcp
    ("LISTENING", "LISTEN"),           # Windows netstat
    ("FIN_WAIT1", "FIN_WAIT_1"),       # net-tools
    ("fin wait 2", "FIN_WAIT_2"),      # spaces alike
    ("UNCONN", "BOUND"),               # ss -B
    ("CONN_ESTABLISHED", "ESTABLISHED"),  # psutil
    ("TIME_WAIT", "TIME_WAIT"),
])
def test_state_parse_any_spelling(text, state):
    assert State.parse(text) is State[state]
    assert State(text) is State[state]


@pytest.mark.parametrize("text", ["NONE", "IDLE", "bogus", "", "LISTEN,ESTAB",
                                  "ESTABLISHEDX"])
def test_state_parse_refuses(text):
    with pytest.raises(InvalidArgument) as ei:
        State.parse(text)
    hint = " (did you mean ESTABLISHED?)" if text == "ESTABLISHEDX" else ""
    assert str(ei.value) == f"unknown state name '{text}'{hint}"
    assert ei.value.code == -1 and ei.value.name == "SOCKSTATE_EINVAL"
    with pytest.raises(ValueError):
        State(text)


def test_state_is_a_string():
    assert State.LISTEN == "LISTEN"
    assert str(State.TIME_WAIT) == "TIME_WAIT"
    assert f"{State.CLOSE_WAIT}" == "CLOSE_WAIT"
    assert {State.LISTEN: 1}["LISTEN"] == 1
    assert State.parse(State.BOUND) is State.BOUND
    assert [s.code for s in State] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0]


def test_states_sort_in_lifecycle_order():
    """Issue 22: States sorted alphabetically (CLOSE_WAIT before LISTEN);
    they sort as --sort state does, by the library's number."""
    assert sorted(State, key=lambda s: s.code) == sorted(State)
    assert sorted([State.TIME_WAIT, State.LISTEN, State.ESTABLISHED, State.SYN_SENT,
                   State.CLOSE_WAIT]) == [State.LISTEN, State.SYN_SENT, State.ESTABLISHED,
                                          State.CLOSE_WAIT, State.TIME_WAIT]
    assert State.LISTEN < State.ESTABLISHED < State.TIME_WAIT
    assert State.BOUND > State.TIME_WAIT >= State.TIME_WAIT
    assert max(State) is State.BOUND and min(State) is State.UNKNOWN
    # Against a plain string a State is the string it is.
    assert State.LISTEN > "ESTABLISHED" and State.LISTEN == "LISTEN"


def test_state_parse_suggests_the_nearest():
    with pytest.raises(InvalidArgument) as ei:
        State.parse("CLOSED_WAIT")
    assert str(ei.value) == "unknown state name 'CLOSED_WAIT' (did you mean CLOSE_WAIT?)"
    with pytest.raises(InvalidArgument) as ei:
        sockstate.counts(["ESTAB", "fin_wait"])
    assert str(ei.value) == ("states: unknown state name 'fin_wait' (did you mean "
                             "FIN_WAIT_1 or FIN_WAIT_2?)")


@pytest.mark.parametrize("state,side", [
    ("LISTEN", "server"), ("SYN_SENT", "client"), ("SYN_RECEIVED", "server"),
    ("ESTABLISHED", "both"), ("FIN_WAIT_1", "closer"), ("TIME_WAIT", "closer"),
    ("CLOSE_WAIT", "peer"), ("LAST_ACK", "peer"), ("CLOSED", "none"),
    ("BOUND", "none"), ("UNKNOWN", "none"),
])
def test_describe_sides(state, side):
    info = State[state].describe()
    assert info.state is State[state] and info.side == side
    assert info.meaning and info.seen_by and info.pile_means


def test_describe_languages():
    en = State.TIME_WAIT.describe("en")
    es = State.TIME_WAIT.describe("es")
    assert es.meaning != en.meaning and es.side == en.side
    assert State.TIME_WAIT.describe("es_ES.UTF-8") == es
    assert State.TIME_WAIT.describe(None) == en
    with pytest.raises(InvalidArgument) as ei:
        State.TIME_WAIT.describe("fr")
    assert str(ei.value) == "lang: unsupported language 'fr' (en, es)"


# ---- errors ----

def test_error_hierarchy():
    assert issubclass(InvalidArgument, Error) and issubclass(InvalidArgument, ValueError)
    assert issubclass(PermissionDenied, Error) and issubclass(PermissionDenied, PermissionError)
    assert issubclass(Unavailable, Error)
    e = PermissionDenied("listing sockets: denied")
    assert str(e) == "listing sockets: denied" and e.errno == 1


@pytest.mark.parametrize("kwargs,message,code", [
    ({"states": "bogus"}, "states: unknown state name 'bogus'", -1),
    ({"states": ["LISTEN", "NONE"]}, "states: unknown state name 'NONE'", -1),
    ({"states": "listen,,estab"}, "states: empty state name in 'listen,,estab'", -1),
    ({"states": []}, "states: empty list of states", -1),
    ({"port": 70000}, "port: 70000 is out of range (0-65535)", -9),
    ({"port": -1}, "port: '-1' is not a port number (0-65535)", -1),
    ({"port": "http"}, "port: 'http' is not a port number (0-65535)", -1),
    ({"sport": 65536}, "sport: 65536 is out of range (0-65535)", -9),
    ({"dport": True}, "dport: 'True' is not a port number (0-65535)", -1),
    ({"laddr": "10.0.0.0/33"}, "laddr: '10.0.0.0/33': prefix length out of "
     "range (0-32 for IPv4, 0-128 for IPv6)", -9),
    ({"raddr": ("nope", 80)}, "raddr: 'nope' is not an IP address or prefix", -1),
    ({"laddr": ("127.0.0.1", 99999)}, "laddr: 99999 is out of range (0-65535)", -9),
    ({"addr": "1.2.3"}, "addr: '1.2.3' is not an IP address or prefix", -1),
    ({"pid": 0}, "pid: 0 is out of range (1-2147483647)", -9),
    ({"uid": -5}, "uid: '-5' is not a numeric user id", -1),
    ({"family": 5}, "family: '5' is not 4, 6, ipv4, ipv6 or all", -1),
    ({"sort": "size"}, "sort: unknown sort key 'size' (state, local, remote, "
     "pid, process, none)", -1),
    ({"port": "8\x1b[0m"}, "port: '8\\x1b[0m' is not a port number (0-65535)", -1),
    ({"port": "1\x00"}, "port: contains a NUL character", -1),
])
def test_bad_filters(kwargs, message, code):
    with pytest.raises(InvalidArgument) as ei:
        sockstate.connections(**kwargs)
    assert str(ei.value) == message
    assert ei.value.code == code
    assert ei.value.detail == ""
    # The same refusal from every entry point.
    kw = {k: v for k, v in kwargs.items() if k != "sort"}
    if kw:
        with pytest.raises(InvalidArgument):
            sockstate.counts(**kw)


def test_bad_backend():
    with pytest.raises(InvalidArgument) as ei:
        sockstate.connections(backend="nope")
    e = ei.value
    assert str(e) == ("backend nope: invalid argument: unknown backend 'nope' "
                      "for this build")
    assert e.detail == "unknown backend 'nope' for this build"
    assert e.name == "SOCKSTATE_EINVAL"
    with pytest.raises(InvalidArgument):
        sockstate.Handle(backend="")


def test_bad_pid_source():
    with pytest.raises(InvalidArgument) as ei:
        sockstate.Handle(pid_source="magic")
    assert "unknown pid source 'magic' (auto, procfs, bpf)" in str(ei.value)


def test_bad_format():
    with pytest.raises(InvalidArgument) as ei:
        sockstate.render("xml")
    assert str(ei.value) == ("format: unknown format 'xml' "
                             "(table, json, csv, prometheus)")


def test_type_errors_stay_type_errors():
    with pytest.raises(TypeError):
        sockstate.connections(laddr=("127.0.0.1", 1, 2))
    with pytest.raises(TypeError):
        sockstate.connections(bogus=1)


def test_family_constants():
    c = sockstate.connections(family=socket.AF_INET6)
    assert all(x.family == socket.AF_INET6 for x in c)


def test_package_imports_without_the_extension(tmp_path):
    """The pure-Python parts (the report) work without sockstate._core; what
    needs the library says so in one line."""
    import shutil
    import subprocess
    import sys
    src = pathlib.Path(sockstate.__file__).parent
    dst = tmp_path / "sockstate"
    dst.mkdir()
    for f in src.iterdir():
        if f.suffix == ".py":
            shutil.copy(f, dst / f.name)
    code = ("import sockstate\n"
            "assert sockstate.State.LISTEN == 'LISTEN'\n"
            "assert sockstate.Connection is None\n"
            "try:\n"
            "    sockstate.connections()\n"
            "except ImportError as e:\n"
            "    print(e)\n")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True,
                       text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("sockstate's C extension (sockstate._core) is "
                               "not available")
    r = subprocess.run([sys.executable, "-m", "sockstate", "--help"],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 3 and r.stdout == ""
    assert r.stderr.startswith("sockstate: sockstate's C extension")
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
