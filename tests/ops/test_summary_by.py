"""`sockstate summary --by ...`: grouped counts on real sockets, in every
format, checked socket for socket (the session runs in a private network
namespace, so these are the only sockets there)."""

import csv
import io
import os

import pytest

from conftest import needs_cli, needs_private, run, run_json, run_ok

pytestmark = [needs_cli, needs_private]

with open("/proc/self/comm", encoding="utf-8") as _comm:
    MY_COMM = _comm.read().strip()
MY_UID = os.getuid()


def test_by_port_counts_each_local_port(service):
    big = service(3)
    small = service(1)
    doc = run_json("summary", "--by", "port", "--json")
    assert doc["group_by"] == ["port"]
    assert doc["total"] == 4 + 3 + 2 + 1
    assert doc["counts"]["LISTEN"] == 2 and doc["counts"]["ESTABLISHED"] == 8
    assert "sockets" not in doc
    groups = doc["groups"]
    assert doc["groups_total"] == len(groups) == 2 + 4
    # Largest first: the busy listener's port (LISTEN + 3 accepted).
    assert groups[0] == {"port": big.port, "total": 4,
                         "counts": {"LISTEN": 1, "ESTABLISHED": 3}}
    assert groups[1] == {"port": small.port, "total": 2,
                         "counts": {"LISTEN": 1, "ESTABLISHED": 1}}
    # Then each client socket alone on its ephemeral port, ports ascending.
    clients = sorted(big.client_ports() + small.client_ports())
    assert groups[2:] == [{"port": p, "total": 1, "counts": {"ESTABLISHED": 1}}
                          for p in clients]


def test_several_keys_and_top(service):
    svc = service(2)
    out = run_ok("summary", "--by", "port", "--by", "process", "--top", "1")
    lines = out.splitlines()
    name = MY_COMM
    width_port = max(len("Port"), len(str(svc.port)), len("(2 more)"), len("TOTAL"))
    width_proc = max(len("Process"), len(name))

    def row(port, proc, total, listen, estab):
        return (f"{port:<{width_port}}  {proc:<{width_proc}}  {total:<5}  "
                f"{listen:<6}  {estab}")
    assert lines == [
        row("Port", "Process", "Total", "LISTEN", "ESTABLISHED"),
        row(svc.port, name, 3, 1, 2),
        row("(2 more)", "", 2, 0, 2),
        row("TOTAL", "", 5, 1, 4),
    ]
    # A comma list is the same as repeating --by.
    assert run_ok("summary", "--by", "port,process", "--top", "1") == out


def test_by_remote_uid_local_csv(service):
    svc = service(1)
    text = run_ok("summary", "--by", "local,remote,uid", "--csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:6] == ["local_address", "local_port", "remote_address", "uid", "total",
                           "CLOSED"]
    body = {tuple(r[:5]): r for r in rows[1:]}
    cport = svc.client_ports()[0]
    uid = str(MY_UID)
    assert set(body) == {
        ("127.0.0.1", str(svc.port), "0.0.0.0", uid, "1"),
        ("127.0.0.1", str(svc.port), "127.0.0.1", uid, "1"),
        ("127.0.0.1", str(cport), "127.0.0.1", uid, "1"),
    }
    listen_col = rows[0].index("LISTEN")
    assert body[("127.0.0.1", str(svc.port), "0.0.0.0", uid, "1")][listen_col] == "1"


def test_filters_apply_before_grouping(service):
    svc = service(2)
    other = service(1)
    doc = run_json("summary", "--by", "remote", "--json", "--sport", str(svc.port),
                   "--state", "ESTAB")
    assert doc["total"] == 2
    assert doc["groups"] == [{"remote": {"address": "127.0.0.1"}, "total": 2,
                              "counts": {"ESTABLISHED": 2}}]
    assert other.port != svc.port


def test_process_key_maps_owners(service):
    svc = service(1)
    doc = run_json("summary", "--by", "process", "--json", "--port", str(svc.port))
    assert doc["pid_source"] in ("procfs", "bpf-iter")
    assert doc["groups"] == [{"process": MY_COMM, "total": 3,
                              "counts": {"LISTEN": 1, "ESTABLISHED": 2}}]


def test_ipv6_groups(service):
    svc = service(1, family=__import__("socket").AF_INET6, host="::1")
    doc = run_json("summary", "--by", "local", "--json", "-6")
    assert doc["groups"][0] == {"local": {"address": "::1", "port": svc.port}, "total": 2,
                                "counts": {"LISTEN": 1, "ESTABLISHED": 1}}


@pytest.mark.parametrize("backend", ["linux-netlink", "linux-proc"])
def test_both_backends_group_alike(service, backend):
    service(2)
    service(1)
    doc = run_json("summary", "--by", "port", "--json", "--backend", backend)
    assert doc["backend"] == backend
    ref = run_json("summary", "--by", "port", "--json")
    assert doc["groups"] == ref["groups"]


def test_empty_namespace_still_writes_everything():
    doc = run_json("summary", "--by", "port", "--json", "--port", "1")
    assert doc["total"] == 0 and doc["groups"] == [] and doc["groups_total"] == 0
    assert run_ok("summary", "--by", "port", "--port", "1") == "Port   Total\nTOTAL  0\n"


def test_output_file_is_the_same(service, tmp_path):
    service(1)
    target = tmp_path / "groups.json"
    proc = run("summary", "--by", "port", "--json", "-o", target)
    assert proc.returncode == 0 and proc.stdout == b""
    stdout = run_ok("summary", "--by", "port", "--json")
    strip = lambda t: "\n".join(l for l in t.splitlines() if "taken_at" not in l)  # noqa: E731
    assert strip(target.read_text()) == strip(stdout)
