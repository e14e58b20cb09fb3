"""The Ansible collection sockstate.tcp (examples/ansible) with Debian's
ansible-core, against localhost (-c local), on real sockets this test
opens on 127.0.0.1 and ::1.

Run by ctest (label ansible) with PYTHONPATH at the built package
(<build>/python): the modules run with this interpreter and import
sockstate from there. `ansible-test sanity` needs downloads; instead every
module goes through ansible-doc, compile() and the playbooks' YAML through
yamllint.
"""

import ctypes
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from dual_stack import wildcard_listeners  # noqa: E402
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
ANSIBLE_DIR = os.path.join(TOP, "examples", "ansible")
COLLECTION = os.path.join(ANSIBLE_DIR, "ansible_collections", "sockstate", "tcp")
PLAYBOOKS = os.path.join(HERE, "playbooks")
MODULES = ("sockstate_facts", "sockstate_listen_ports_facts", "sockstate_check",
           "sockstate_wait")
YAMLLINT_CONFIG = "{extends: default, rules: {line-length: {max: 120}}}"

ANSIBLE_PLAYBOOK = shutil.which("ansible-playbook")
pytestmark = pytest.mark.skipif(not ANSIBLE_PLAYBOOK,
                                reason="ansible-core is not installed (Debian: ansible-core)")

ME = os.getpid()
with open("/proc/self/comm") as _f:
    MY_NAME = _f.read().strip()
MY_USER = pwd.getpwuid(os.geteuid()).pw_name


def stime(pid):
    """When pid started, as `ps -o lstart` prints it (what listen_ports_facts gives)."""
    out = subprocess.run(["ps", "-o", "lstart=", "-p", str(pid)], stdout=subprocess.PIPE,
                         env=dict(os.environ, LC_ALL="C"), check=True).stdout.decode()
    return out.strip()


def ep(address, port):
    return "[%s]:%d" % (address, port) if ":" in address else "%s:%d" % (address, port)


# ---------------------------------------------------------------- sockets

class Held:
    """A listener on 127.0.0.1:P and [::1]:P (this process), one connection
    to it from 127.0.0.1, a listener on 127.0.0.1:Q owned by this process
    and a child (as after fork), and a bound, not listening, socket."""

    def __init__(self):
        self.v4 = socket.socket(socket.AF_INET)
        self.v4.bind(("127.0.0.1", 0))
        self.v4.listen(16)
        self.port = self.v4.getsockname()[1]
        self.v6 = socket.socket(socket.AF_INET6)
        self.v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        self.v6.bind(("::1", self.port))
        self.v6.listen(16)
        self.client = socket.create_connection(("127.0.0.1", self.port))
        self.client_port = self.client.getsockname()[1]
        self.server, _ = self.v4.accept()
        self.shared = socket.socket(socket.AF_INET)
        self.shared.bind(("127.0.0.1", 0))
        self.shared.listen(16)
        self.shared_port = self.shared.getsockname()[1]
        self.bound = socket.socket(socket.AF_INET)
        self.bound.bind(("127.0.0.1", 0))
        self.closed_port = self.bound.getsockname()[1]
        r, w = os.pipe()
        self.child = os.fork()
        if self.child == 0:  # holds a copy of every descriptor until the pipe closes
            os.close(w)
            ctypes.CDLL(None).prctl(15, b"held-child", 0, 0, 0)  # PR_SET_NAME
            os.read(r, 1)
            os._exit(0)
        os.close(r)
        self.child_pipe = w
        # Both own every socket here; the lower pid is a record's `pid` and
        # `process`: the child's where pid numbers have wrapped.
        self.owners = sorted([ME, self.child])
        self.first_name = MY_NAME if self.owners[0] == ME else "held-child"
        self.first = "pid %d %s" % (self.owners[0], self.first_name)
        # The child holds copies: closing the connection must close them too.
        deadline = time.time() + 5
        while not os.path.exists("/proc/%d/comm" % self.child) or \
                open("/proc/%d/comm" % self.child).read().strip() != "held-child":
            assert time.time() < deadline
            time.sleep(0.01)

    def close_connection(self):
        """Close the connection as a client leaving: the client first, the
        server once it has read the end of the stream (so TIME_WAIT stays
        on the client's port, not on P)."""
        os.close(self.child_pipe)  # the child exits, dropping its copies
        os.waitpid(self.child, 0)
        self.child = None
        self.client.close()
        self.server.settimeout(5)
        assert self.server.recv(1) == b""
        self.server.close()

    def close(self):
        if self.child:
            os.close(self.child_pipe)
            os.waitpid(self.child, 0)
        for s in (self.v4, self.v6, self.client, self.server, self.shared, self.bound):
            s.close()


@pytest.fixture
def held():
    h = Held()
    yield h
    h.close()


# ---------------------------------------------------------------- running ansible

@pytest.fixture(scope="module")
def env(tmp_path_factory):
    home = tmp_path_factory.mktemp("ansible-home")
    inventory = home / "hosts"
    inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n"
                         % sys.executable)
    e = dict(os.environ)
    e.update({
        "ANSIBLE_COLLECTIONS_PATH": ANSIBLE_DIR,
        "ANSIBLE_COLLECTIONS_PATHS": ANSIBLE_DIR,
        "ANSIBLE_HOME": str(home),
        "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
        "ANSIBLE_REMOTE_TEMP": str(home / "remote-tmp"),
        "ANSIBLE_INVENTORY": str(inventory),
        "ANSIBLE_CONFIG": str(home / "none.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    e["_cwd"] = str(home)
    return e


def _popen(env, args):
    e = {k: v for k, v in env.items() if k != "_cwd"}
    return subprocess.Popen(args, env=e, cwd=env["_cwd"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def play(env, playbook, out, extra, background=False):
    """Run a playbook with extra vars (out: where it saves its results)."""
    extra = dict(extra, out=str(out))
    os.makedirs(out, exist_ok=True)
    path = playbook if os.path.isabs(playbook) else os.path.join(PLAYBOOKS, playbook)
    p = _popen(env, [ANSIBLE_PLAYBOOK, path, "-e", json.dumps(extra)])
    if background:
        return p
    return finish(p, out)


def finish(p, out):
    stdout, _ = p.communicate(timeout=300)
    text = stdout.decode("utf-8", "replace")
    results = None
    if os.path.exists(os.path.join(out, "results.json")):
        with open(os.path.join(out, "results.json")) as f:
            results = json.load(f)
    return p.returncode, text, results


# ---------------------------------------------------------------- lint, docs, compile

@pytest.mark.parametrize("module", MODULES)
def test_ansible_doc_renders(env, module):
    e = {k: v for k, v in env.items() if k != "_cwd"}
    p = subprocess.run(["ansible-doc", "-t", "module", "sockstate.tcp." + module], env=e,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert p.returncode == 0 and p.stderr == b"", p.stderr.decode()
    text = p.stdout.decode()
    for heading in ("OPTIONS (= is mandatory):", "EXAMPLES:", "RETURN VALUES:",
                    "ATTRIBUTES:", "REQUIREMENTS:"):
        assert heading in text, heading
    p = subprocess.run(["ansible-doc", "--json", "-t", "module", "sockstate.tcp." + module],
                       env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    doc = json.loads(p.stdout)["sockstate.tcp." + module]
    assert doc["doc"]["module"] == module and doc["examples"] and doc["return"]
    for name, option in doc["doc"]["options"].items():
        assert option.get("description") and option.get("type"), name
    assert doc["doc"]["attributes"]["check_mode"]["support"] == "full"


def test_modules_compile():
    for root in ("plugins/modules", "plugins/module_utils"):
        folder = os.path.join(COLLECTION, root)
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    compile(f.read(), path, "exec")  # in memory: no __pycache__


@pytest.mark.skipif(not shutil.which("yamllint"), reason="yamllint is not installed")
def test_yaml_lints():
    files = []
    for base in (ANSIBLE_DIR, PLAYBOOKS):
        for root, _dirs, names in os.walk(base):
            files += [os.path.join(root, n) for n in names if n.endswith((".yml", ".yaml"))]
    assert len(files) >= 10
    p = subprocess.run(["yamllint", "-s", "-f", "parsable", "-d", YAMLLINT_CONFIG] + files,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert p.returncode == 0, p.stdout.decode()


def test_missing_package_is_reported(env):
    bare = {k: v for k, v in env.items() if k not in ("PYTHONPATH",)}
    probe = subprocess.run([sys.executable, "-c", "import sockstate; sockstate.backends()"],
                           env={k: v for k, v in bare.items() if k != "_cwd"},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode == 0:
        pytest.skip("sockstate is importable without PYTHONPATH here")
    p = _popen(bare, ["ansible", "localhost", "-m", "sockstate.tcp.sockstate_check",
                      "-a", "check=listening port=22"])
    out = p.communicate(timeout=120)[0].decode()
    assert p.returncode == 2
    assert "localhost | FAILED!" in out
    assert "Failed to import the required Python library (sockstate) on" in out


# ---------------------------------------------------------------- facts

def test_facts_and_listen_ports_facts(env, held, tmp_path):
    rc, text, r = play(env, "facts.yml", tmp_path, {"held_port": held.port})
    assert rc == 0, text
    P, Q, C = held.port, held.shared_port, held.client_port

    # sockstate_facts: the sockstate/1 document of the filtered sockets.
    doc = r["facts"]["ansible_facts"]["sockstate"]
    assert doc["schema"] == "sockstate/1" and doc["pid_source"] in ("bpf-iter", "procfs")
    assert doc["counts"] == {"LISTEN": 2, "ESTABLISHED": 1}
    got = sorted((s["family"], s["local"]["address"], s["local"]["port"],
                  s["remote"]["address"], s["remote"]["port"], s["state"],
                  s["native_state"]["name"], s["pids"], s["process"]) for s in doc["sockets"])
    assert got == sorted([
        ("ipv4", "127.0.0.1", P, "0.0.0.0", 0, "LISTEN", "LISTEN", held.owners,
         held.first_name),
        ("ipv6", "::1", P, "::", 0, "LISTEN", "LISTEN", held.owners, held.first_name),
        ("ipv4", "127.0.0.1", P, "127.0.0.1", C, "ESTABLISHED", "ESTAB", held.owners,
         held.first_name),
    ])
    try:
        import jsonschema
        with open(os.path.join(TOP, "docs", "schema", "sockstate-1.json")) as f:
            jsonschema.validate(doc, json.load(f))
    except ImportError:
        pass
    assert r["bad_filter"]["failed"] is True
    assert r["bad_filter"]["msg"] == "sockstate: states: unknown state name 'NONE'"

    # sockstate_listen_ports_facts: key by key, one entry per owning process.
    child_stime = stime(held.child)
    mine = {"protocol": "tcp", "user": MY_USER, "stime": stime(ME), "pid": ME, "name": MY_NAME}
    child = {"protocol": "tcp", "user": MY_USER, "stime": child_stime, "pid": held.child,
             "name": "held-child"}

    def entry(owner, address, port, family, **more):
        # The ::1 listener is IPV6_V6ONLY (Held); of IPv4 it is never said.
        e = dict(owner, address=address, port=port, family=family, state_native="LISTEN",
                 v6only=True if family == "ipv6" else None)
        e.update(more)
        return e

    def key(e):
        return (e["port"], e["family"], e["address"], e.get("foreign_address", ""), e["pid"])

    listen = r["listen"]["ansible_facts"]
    assert listen["udp_listen"] == []
    assert r["listen"]["warnings"] == [
        "sockstate_listen_ports_facts lists TCP only: UDP is out of scope of libsockstate, "
        "so udp_listen is always empty"]
    ours = sorted((e for e in listen["tcp_listen"] if e["port"] in (P, Q)), key=key)
    assert ours == sorted([
        entry(mine, "127.0.0.1", P, "ipv4"), entry(child, "127.0.0.1", P, "ipv4"),
        entry(mine, "::1", P, "ipv6"), entry(child, "::1", P, "ipv6"),
        entry(mine, "127.0.0.1", Q, "ipv4"), entry(child, "127.0.0.1", Q, "ipv4"),
    ], key=key)
    assert all("state" not in e and "foreign_address" not in e for e in listen["tcp_listen"])

    everything = r["all"]["ansible_facts"]["tcp_listen"]
    ours = sorted((e for e in everything if e["port"] in (P, C)), key=key)
    lst = dict(state="LISTEN", foreign_address="0.0.0.0:*")
    lst6 = dict(state="LISTEN", foreign_address="[::]:*")
    est_s = dict(state="ESTABLISHED", state_native="ESTAB", foreign_address=ep("127.0.0.1", C))
    est_c = dict(state="ESTABLISHED", state_native="ESTAB", foreign_address=ep("127.0.0.1", P))
    assert ours == sorted([
        entry(mine, "127.0.0.1", P, "ipv4", **lst), entry(child, "127.0.0.1", P, "ipv4", **lst),
        entry(mine, "::1", P, "ipv6", **lst6), entry(child, "::1", P, "ipv6", **lst6),
        entry(mine, "127.0.0.1", P, "ipv4", **est_s),
        entry(child, "127.0.0.1", P, "ipv4", **est_s),
        entry(mine, "127.0.0.1", C, "ipv4", **est_c),
        entry(child, "127.0.0.1", C, "ipv4", **est_c),
    ], key=key)


def test_dual_stack_and_ipv6_only_listeners(env, tmp_path):
    # Side by side on [::]: one answers IPv4 too (ss shows *:P), one does
    # not ([::]:Q): the drop-in gives the original's ss spelling and says
    # v6only; the listening check counts only the dual-stack one for an
    # IPv4 address.
    dual, only = wildcard_listeners()
    D, Q = dual.getsockname()[1], only.getsockname()[1]
    try:
        rc, text, r = play(env, "dual_stack.yml", tmp_path, {"dual_port": D, "v6only_port": Q})
    finally:
        dual.close()
        only.close()
    assert rc == 0, text
    mine = {"protocol": "tcp", "user": MY_USER, "stime": stime(ME), "pid": ME, "name": MY_NAME,
            "family": "ipv6", "state_native": "LISTEN"}
    got = sorted((e for e in r["listen"]["ansible_facts"]["tcp_listen"] if e["port"] in (D, Q)),
                 key=lambda e: e["port"])
    assert got == sorted([dict(mine, address="*", port=D, v6only=False),
                          dict(mine, address="::", port=Q, v6only=True)],
                         key=lambda e: e["port"])
    got = {e["port"]: (e["address"], e["foreign_address"], e["state"], e["v6only"])
           for e in r["all"]["ansible_facts"]["tcp_listen"] if e["port"] in (D, Q)}
    assert got == {D: ("*", "*:*", "LISTEN", False), Q: ("::", "[::]:*", "LISTEN", True)}
    assert r["dual_v4"]["msg"] == "port %d is in LISTEN on 127.0.0.1: *:%d LISTEN (pid %d %s)" % (
        D, D, ME, MY_NAME)
    assert r["dual_v4"]["found"][0]["v6only"] is False
    assert r["v6only_v4"]["failed"] is True
    assert r["v6only_v4"]["msg"] == (
        "port %d is not in LISTEN on 127.0.0.1: it listens only on [::]:%d (%s (pid %d), "
        "IPv6 only)" % (Q, Q, MY_NAME, ME))
    assert not r["v6only_v6"].get("failed") and r["v6only_v6"]["count"] == 1


# ---------------------------------------------------------------- checks

def test_checks_pass_and_fail_with_what_they_found(env, held, tmp_path):
    # Messages name the lowest owner (this process, or the child where pid
    # numbers have wrapped).
    P, X, C = held.port, held.closed_port, held.client_port
    rc, text, r = play(env, "check.yml", tmp_path, {"held_port": P, "closed_port": X})
    assert rc == 0, text
    me = held.first
    server = "127.0.0.1:%d -> 127.0.0.1:%d ESTABLISHED (%s)" % (P, C, me)
    client = "127.0.0.1:%d -> 127.0.0.1:%d ESTABLISHED (%s)" % (C, P, me)

    def ok(name, msg, count):
        res = r[name]
        assert not res.get("failed") and res["changed"] is False, (name, res)
        assert (res["msg"], res["count"], len(res["found"])) == (msg, count, count), name

    ok("listen_v4", "port %d is in LISTEN on 127.0.0.1: 127.0.0.1:%d LISTEN (%s)" % (P, P, me), 1)
    ok("listen_v6", "port %d is in LISTEN on ::1: [::1]:%d LISTEN (%s)" % (P, P, me), 1)
    ok("at_most_ok", "2 sockets in ESTABLISHED on port %d (at most 2 allowed)" % P, 2)
    ok("established_ok", "1 ESTABLISHED connection to 127.0.0.1:%d: %s" % (P, client), 1)
    ok("only_ok", "port %d: 4 sockets, all in LISTEN, ESTABLISHED" % P, 0)
    assert r["listen_v6"]["found"][0]["family"] == "ipv6"
    assert r["established_ok"]["found"][0]["local"] == {"address": "127.0.0.1", "port": C}

    def failed(name):
        res = r[name]
        assert res["failed"] is True and res["changed"] is False, (name, res)
        return res["msg"]

    msg = failed("listen_fail")
    assert msg in ("port %d is not in LISTEN: nothing listens on it; on that local port: "
                   "1 BOUND: 127.0.0.1:%d BOUND (%s)" % (X, X, me),
                   "port %d is not in LISTEN: nothing listens on it; no socket has that "
                   "local port" % X), msg
    head = "port %d is not in LISTEN on 192.0.2.1: it listens only on " % P
    v4 = "127.0.0.1:%d (%s (pid %d))" % (P, MY_NAME, ME)
    v6 = "[::1]:%d (%s (pid %d))" % (P, MY_NAME, ME)
    assert failed("address_fail") in (head + v4 + "; " + v6, head + v6 + "; " + v4)
    for name in ("at_most_fail", "check_mode_fail"):
        msg = failed(name)
        head = ("2 sockets in ESTABLISHED on port %d, more than the 1 allowed: 2 of %s (pid %d); "
                % (P, MY_NAME, ME))
        assert msg in (head + server + "; " + client, head + client + "; " + server), msg
        assert r[name]["count"] == 2
    assert failed("established_fail") == (
        "no ESTABLISHED connection to [::1]:%d; no socket has that remote address and port" % P)
    msg = failed("only_fail")
    head = "port %d has 2 sockets in states outside LISTEN: 2 ESTABLISHED; " % P
    assert msg in (head + server + "; " + client, head + client + "; " + server), msg
    assert sorted(s["local"]["port"] for s in r["only_fail"]["found"]) == sorted([P, C])


def test_diagnose_fails_on_findings(env, held, tmp_path):
    """check=diagnose: the library's findings, the task failing at fail_on
    or worse with their headlines (docs/ANSIBLE.md)."""
    P, X = held.port, held.closed_port
    rc, text, r = play(env, "diagnose.yml", tmp_path, {"held_port": P, "closed_port": X})
    assert rc == 0, text
    ok = r["service_ok"]
    assert not ok.get("failed") and ok["findings"] == [] and ok["count"] == 0, ok
    assert re.fullmatch(r"no problem found \(TCP counters compared over \d+\.\d s\)",
                        ok["msg"]), ok["msg"]
    warn = r["warning_ok"]
    assert not warn.get("failed"), warn
    assert [f["code"] for f in warn["findings"]] == ["listener-not-on-address"]
    assert warn["msg"].startswith("nothing at critical or worse: warning "
                                  "listener-not-on-address: Port %d listens only on "
                                  "loopback (" % P), warn["msg"]
    closed = r["closed_fail"]
    assert closed["failed"] is True
    assert closed["msg"] == ("1 finding at warning or worse: critical no-listener: "
                             "Nothing listens on port %d" % X), closed["msg"]
    f = closed["findings"][0]
    assert (f["code"], f["severity"], f["local"]["port"]) == ("no-listener", "critical", X)
    assert f["advice"].startswith("Start the service")
    probe = r["probe_fail"]
    assert probe["failed"] is True
    assert [f["code"] for f in probe["findings"]] == ["no-listener", "connection-refused"]
    assert probe["findings"][1]["headline"].startswith(
        "127.0.0.1:%d rechazó la conexión (ECONNREFUSED, tras " % X)
    assert r["stray_fail"]["failed"] is True
    assert r["stray_fail"]["msg"].startswith("fail_on: not an option of check=listening")


def test_argument_validation(env, tmp_path):
    rc, text, r = play(env, "validation.yml", tmp_path, {})
    assert rc == 0, text
    want = {
        "missing_option": "check is at_most but all of the following are missing: max_count",
        "unknown_state": "state: unknown TCP state name 'NONE' (any OS's spelling is "
                         "accepted: ESTAB, SYN_RCVD, LISTENING, TimeWait...)",
        "stray_option": "allowed_states: not an option of check=listening (it takes port, "
                        "address)",
        "bad_port": "port: 70000 is out of range (0-65535)",
        "exclude_started": "exclude_hosts should only be with state=drained",
        # wait_for's own words (ansible-core's wait_for module).
        "bad_active": "unknown active_connection_state (BOGUS) defined",
        "bad_wait_state": "value of state must be one of: started, present, stopped, absent, "
                          "drained, got: paused",
    }
    for name, msg in want.items():
        assert r[name]["failed"] is True and r[name]["msg"] == msg, (name, r[name])
    assert r["bad_active"]["detail"].startswith("any OS's or tool's spelling is accepted")
    assert r["bad_active"]["elapsed"] == 0


# ---------------------------------------------------------------- waits

def test_drain_completes_when_the_connections_close(env, held, tmp_path):
    p = play(env, "wait.yml", tmp_path, {"held_port": held.port, "wait_state": "drained",
                                         "wait_timeout": 60, "sleep": 0.2, "host": "127.0.0.1"},
             background=True)
    deadline = time.time() + 120
    while not os.path.exists(tmp_path / "started"):
        assert p.poll() is None and time.time() < deadline, p.stdout.read().decode()
        time.sleep(0.05)
    time.sleep(2.5)  # the module is polling by now; the connection is still open
    assert p.poll() is None
    held.close_connection()
    rc, text, r = finish(p, tmp_path)
    assert rc == 0, text
    assert not r.get("failed"), r
    assert r["detail"] == "127.0.0.1:%d is drained" % held.port and "msg" not in r
    assert r["remaining"] == [] and r["state"] == "drained" and r["port"] == held.port
    assert 1 <= r["elapsed"] < 60


def test_drain_times_out_listing_what_is_still_open(env, held, tmp_path):
    rc, text, r = play(env, "wait.yml", tmp_path, {"held_port": held.port, "wait_state": "drained",
                                                   "wait_timeout": 2, "sleep": 0.5})
    assert rc == 0, text
    P, C = held.port, held.client_port
    assert r["failed"] is True
    assert r["msg"] == "Timeout when waiting for 127.0.0.1:%d to drain" % P
    assert r["detail"] == ("1 connection still open: 127.0.0.1:%d -> 127.0.0.1:%d "
                           "ESTABLISHED (%s)" % (P, C, held.first))
    assert r["elapsed"] >= 2  # it waited the whole timeout (never a timing bound)
    assert [(s["local"]["port"], s["remote"]["port"], s["state"], s["pids"])
            for s in r["remaining"]] == [(P, C, "ESTABLISHED", held.owners)]


def test_drain_ignores_excluded_hosts_and_other_states(env, held, tmp_path):
    rc, text, r = play(env, "wait.yml", tmp_path / "a", {
        "held_port": held.port, "wait_state": "drained", "wait_timeout": 5,
        "exclude_hosts": ["127.0.0.0/8"]})
    assert rc == 0 and not r.get("failed"), (text, r)
    rc, text, r = play(env, "wait.yml", tmp_path / "b", {
        "held_port": held.port, "wait_state": "drained", "wait_timeout": 5,
        "active_states": ["SYN-RECV", "fin_wait1", "LastAck"]})
    assert rc == 0 and not r.get("failed"), (text, r)


def test_wait_started(env, held, tmp_path):
    rc, text, r = play(env, "wait.yml", tmp_path / "a", {
        "held_port": held.port, "wait_state": "started", "wait_timeout": 5, "host": "::1"})
    assert rc == 0 and not r.get("failed"), (text, r)
    assert [(s["family"], s["local"]["address"]) for s in r["listeners"]] == [("ipv6", "::1")]
    rc, text, r = play(env, "wait.yml", tmp_path / "b", {
        "held_port": held.closed_port, "wait_state": "started", "wait_timeout": 1, "sleep": 0.2})
    assert rc == 0, text
    assert r["failed"] is True and r["elapsed"] >= 1
    assert r["msg"] == "Timeout when waiting for 127.0.0.1:%d" % held.closed_port
    assert r["detail"].startswith("nothing listens on 127.0.0.1:%d" % held.closed_port)


def test_wait_for_target_port_tasks(env, tmp_path):
    """The port tasks of ansible-core's wait_for target
    (test/integration/targets/wait_for/tasks/main.yml), with sockstate_wait
    in wait_for's place: the same defaults (host 127.0.0.1), messages, keys
    and outcomes (playbooks/wait_for.yml). The target's listener starts 3 s
    late; here it starts once the wait has begun (the playbook says so),
    and the drain runs with a zombie process about, as the target's does."""
    free = socket.socket()
    free.bind(("127.0.0.1", 0))                  # reserved: nothing listens there
    free_port = free.getsockname()[1]
    late = socket.socket()
    late.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    late.bind(("127.0.0.1", 0))                  # listens when told
    port = late.getsockname()[1]
    zombie = subprocess.Popen(["true"])          # not waited for until the end
    p = play(env, "wait_for.yml", tmp_path, {"free_port": free_port, "port": port},
             background=True)
    try:
        for marker, act in (("started", lambda: late.listen(8)), ("stop", late.close)):
            deadline = time.time() + 120
            while not os.path.exists(tmp_path / marker):
                assert p.poll() is None and time.time() < deadline, p.stdout.read().decode()
                time.sleep(0.05)
            act()
        rc, text, r = finish(p, tmp_path)
    finally:
        free.close()
        late.close()
        zombie.wait()
    assert rc == 0, text
    failed = r["port_timeout"]
    assert failed["failed"] is True and failed["changed"] is False
    # wait_for's target asserts elapsed == timeout; the fact that holds
    # whatever the machine's load: the whole timeout was waited.
    assert failed["elapsed"] >= 2
    assert failed["msg"] == "Timeout when waiting for 127.0.0.1:%d" % free_port
    assert failed["detail"].startswith("nothing listens on 127.0.0.1:%d" % free_port)
    custom = r["custom_msg"]
    assert custom["failed"] is True and custom["elapsed"] >= 2
    assert custom["msg"] == "fail with custom message"
    for name in ("with_sleep", "drained", "stopped"):
        ok = r[name]
        assert not ok.get("failed") and ok["changed"] is False and ok["port"] == port, ok
        # wait_for's keys of a success.
        assert (ok["path"], ok["search_regex"], ok["match_groups"],
                ok["match_groupdict"]) == (None, None, [], {}), ok
    assert [s["local"]["port"] for s in r["with_sleep"]["listeners"]] == [port]
    assert r["drained"]["remaining"] == []
    stop = r["stop_timeout"]
    assert stop["failed"] is True and stop["elapsed"] >= 1
    assert stop["msg"] == "Timeout when waiting for 127.0.0.1:%d to stop." % port
    assert [s["state"] for s in stop["remaining"]] == ["LISTEN"]
    assert r["stopped"]["state"] == "absent" and r["stopped"]["remaining"] == []


# ---------------------------------------------------------------- the example playbooks

def test_example_check_localhost(env, held, tmp_path):
    book = os.path.join(ANSIBLE_DIR, "playbooks", "check_localhost.yml")
    rc, text, _ = play(env, book, tmp_path, {"must_listen": [held.port, held.shared_port]})
    assert rc == 0, text
    assert "failed=0" in text
    rc, text, _ = play(env, book, tmp_path, {"must_listen": [held.closed_port]})
    assert rc == 2, text
    assert ("port %d is not in LISTEN: nothing listens on it" % held.closed_port) in text


def test_example_collect_snapshots_builds_the_report(env, held, tmp_path):
    book = os.path.join(ANSIBLE_DIR, "playbooks", "collect_snapshots.yml")
    folder = tmp_path / "fleet"
    rc, text, _ = play(env, book, tmp_path, {"report_dir": str(folder), "report_lang": "es"})
    assert rc == 0, text
    with open(folder / "localhost.json") as f:
        doc = json.load(f)
    assert doc["schema"] == "sockstate/1" and doc["counts"]["LISTEN"] >= 3
    assert any(s["local"]["port"] == held.port for s in doc["sockets"])
    # findings: true: the TCP counters and the library's findings, for the report
    assert doc["tcp_counters"]["source"] == "/proc/net/snmp /proc/net/netstat"
    assert isinstance(doc["findings"], list)
    with open(folder / "report.html", encoding="utf-8") as f:
        page = f.read()
    assert '<section id="findings"><h2>Hallazgos</h2>' in page
    assert '<section id="counters"><h2>Contadores TCP</h2>' in page
    assert '<html lang="es">' in page and '<h1 id="title">Sockets TCP en 1 equipo</h1>' in page
