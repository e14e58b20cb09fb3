"""--netns and --all-netns: two named network namespaces (ip netns add,
unique names, removed afterwards), each holding known sockets in a process
of its own; each socket is found in the right namespace and only there,
tagged with it. Then the partial case: as `nobody`, the namespaces cannot
be entered, which is an error line each and exit 4, with the caller's own
namespace still listed."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import (IS_ROOT, copy_cli_for_nobody, needs_cli, run, run_json,
                      run_ok, validate)

pytestmark = [needs_cli, pytest.mark.skipif(
    not IS_ROOT or shutil.which("ip") is None,
    reason="named network namespaces need root and iproute2's ip")]

# Held inside a namespace: a listener and one connection to it, then
# "ready <pid> <client port>" on stdout; stays until stdin closes.
HOLDER = r"""
import os, socket, sys
family, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
af = socket.AF_INET6 if family == "6" else socket.AF_INET
os.system("ip link set lo up")
l = socket.socket(af); l.bind((host, port)); l.listen(4)
c = socket.create_connection((host, port)); s, _ = l.accept()
print("ready", os.getpid(), c.getsockname()[1], flush=True)
sys.stdin.read()
"""


class Namespace:
    def __init__(self, name, family, host, port):
        self.name, self.host, self.port = name, host, port
        subprocess.run(["ip", "netns", "add", name], check=True)
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", name, sys.executable, "-c", HOLDER, family, host,
             str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        words = self.proc.stdout.readline().split()
        assert words[0] == "ready", words
        self.pid, self.client_port = int(words[1]), int(words[2])

    def expected(self, fam, any_addr):
        h, p, c = self.host, self.port, self.client_port
        return {(fam, "LISTEN", h, p, any_addr, 0),
                (fam, "ESTABLISHED", h, p, h, c),
                (fam, "ESTABLISHED", h, c, h, p)}

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        subprocess.run(["ip", "netns", "del", self.name], check=False)


@pytest.fixture(scope="module")
def spaces():
    tag = f"sockstate-ops-{os.getpid()}"
    made = []
    try:
        made.append(Namespace(f"{tag}-a", "4", "127.0.0.1", 7001))
        made.append(Namespace(f"{tag}-b", "6", "::1", 7002))
        yield made
    finally:
        for ns in made:
            ns.close()


def key(sock):
    return (sock["family"], sock["state"], sock["local"]["address"], sock["local"]["port"],
            sock["remote"]["address"], sock["remote"]["port"])


def test_each_namespace_holds_its_own_sockets(spaces):
    a, b = spaces
    for ns, fam, any_addr in ((a, "ipv4", "0.0.0.0"), (b, "ipv6", "::")):
        for backend in ("linux-netlink", "linux-proc"):
            doc = run_json("--netns", ns.name, "--json", "--backend", backend)
            assert {key(s) for s in doc["sockets"]} == ns.expected(fam, any_addr), backend
            assert len(doc["sockets"]) == 3
            assert {s["netns"] for s in doc["sockets"]} == {ns.name}


def test_pid_and_path_specs_name_the_same_namespace(spaces):
    a, _ = spaces
    by_name = run_json("--netns", a.name, "--json")
    for spec in (f"pid:{a.pid}", f"/run/netns/{a.name}", f"/proc/{a.pid}/ns/net"):
        doc = run_json("--netns", spec, "--json")
        assert sorted(map(key, doc["sockets"])) == sorted(map(key, by_name["sockets"]))
        assert {s["netns"] for s in doc["sockets"]} == {spec}


def test_table_has_a_netns_column(spaces):
    _, b = spaces
    lines = run_ok("--netns", b.name, "-p", "--state", "listen").splitlines()
    assert lines[0].split()[-1] == "Netns"
    assert len(lines) == 2
    fields = lines[1].split()
    assert fields[0] == "LISTEN" and fields[4] == f"[::1]:{b.port}"
    assert fields[-1] == b.name and fields[-3] == str(b.pid)


def test_all_netns_tags_every_socket_with_its_namespace(spaces):
    a, b = spaces
    doc = run_json("--all-netns", "--json", "-p")
    found = {}
    for s in doc["sockets"]:
        if s["pid"] in (a.pid, b.pid):
            found.setdefault(s["netns"], set()).add(key(s))
    assert found[a.name] == {k for k in a.expected("ipv4", "0.0.0.0")}
    assert found[b.name] == {k for k in b.expected("ipv6", "::")}
    assert set(found) == {a.name, b.name}
    assert all(s["netns"] for s in doc["sockets"])


def test_own_namespace_is_named_after_a_process_that_stays(spaces):
    # The fixture's per-test namespace holds this pytest process and the
    # CLI while it runs: the tag is ours, never the CLI's own pid, even
    # where pid numbers have wrapped below ours.
    import socket
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        tags = set()
        for back in (60, 40, 20):
            # Where we may, make pid numbers wrap below ours: the CLI is
            # then the lowest pid in the namespace.
            try:
                with open("/proc/sys/kernel/ns_last_pid", "w") as f:
                    f.write(str(max(os.getpid() - back, 300)))
            except OSError:
                pass
            doc = run_json("--all-netns", "--json", "--port", port)
            tags |= {s["netns"] for s in doc["sockets"]}
    assert tags == {f"pid:{os.getpid()}"}


def test_all_netns_summary_by_namespace(spaces):
    a, b = spaces
    doc = run_json("summary", "--all-netns", "--by", "netns", "--json")
    groups = {g["netns"]: g for g in doc["groups"]}
    for ns in (a, b):
        assert groups[ns.name]["total"] == 3
        assert groups[ns.name]["counts"] == {"LISTEN": 1, "ESTABLISHED": 2}
    assert doc["total"] == sum(g["total"] for g in doc["groups"])
    csv_text = run_ok("summary", "--all-netns", "--by", "netns,port", "--csv",
                      "--port", str(a.port))
    assert f"\r\n{a.port},{a.name},2,0,1,0,0,1," in csv_text
    assert b.name not in csv_text


def test_wait_inside_a_namespace(spaces):
    a, _ = spaces
    proc = run("wait", "--netns", a.name, "--listen", a.port, "--timeout", 0)
    assert (proc.returncode, proc.stderr) == (0, b"")
    proc = run("wait", "--netns", a.name, "--drained", a.port, "--timeout", 0)
    assert proc.returncode == 1
    assert "1 socket (ESTABLISHED 1)" in proc.stderr.decode()
    assert proc.stdout.decode().splitlines()[1].split()[-1] == a.name


def test_unknown_or_wrong_namespace_is_exit_2():
    name = f"sockstate-ops-missing-{os.getpid()}"
    proc = run("--netns", name)
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode() == (
        f"sockstate: --netns: no such file, namespace or object: network namespace "
        f"'{name}': open(/run/netns/{name}): No such file or directory\n")
    proc = run("--netns", "/etc/hostname")
    assert proc.returncode == 2
    assert "is not a network namespace" in proc.stderr.decode()
    proc = run("--netns", "pid:0")
    assert proc.returncode == 2
    assert "not a name, a path or pid:PID" in proc.stderr.decode()


def test_without_privilege_the_rest_is_listed_and_exit_4(spaces, service):
    a, b = spaces
    svc = service(1)
    tmp, env = copy_cli_for_nobody()
    try:
        nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                  os.path.join(tmp, "sockstate")]
        proc = subprocess.run(nobody + ["--all-netns", "--json"], env=env,
                              capture_output=True, timeout=60)
        assert proc.returncode == 4, proc.stderr
        err = proc.stderr.decode().splitlines()
        for ns in (a, b):
            assert (f"sockstate: --all-netns: permission denied by the operating system: "
                    f"network namespace '{ns.name}': setns: Operation not permitted "
                    f"(entering one needs CAP_SYS_ADMIN)") in err
        assert err[-1].startswith("sockstate: partial result: ")
        assert err[-1].endswith(" network namespaces could not be entered; the rest is shown")
        doc = validate(json.loads(proc.stdout))
        mine = {(s["local"]["port"], s["state"]) for s in doc["sockets"]}
        assert (svc.port, "LISTEN") in mine
        assert not any(s["netns"] in (a.name, b.name) for s in doc["sockets"])
        proc = subprocess.run(nobody + ["--netns", a.name], env=env, capture_output=True,
                              timeout=60)
        assert proc.returncode == 3 and proc.stdout == b""
        assert proc.stderr.decode().startswith("sockstate: --netns: permission denied")
    finally:
        shutil.rmtree(tmp)
