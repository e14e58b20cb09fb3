"""snapshot(), render(), metrics(): the "sockstate/1" document and the
writers' text, checked against the schema and against connections()."""

import json
import re
import socket

import pytest

import sockstate

from conftest import MY_COMM, MY_PID, Population, by_key, check_document


def test_snapshot_validates_and_matches_connections(population, schema):
    pop = population
    doc = sockstate.snapshot(port=pop.port, processes=True, tcp_info=True)
    check_document(schema, doc)
    assert doc["schema"] == "sockstate/1"
    assert doc["backend"] == sockstate.backend()
    assert doc["library_version"] == sockstate.__version__
    assert doc["pid_source"] in ("procfs", "bpf-iter")
    assert doc["total"] == 7
    assert doc["counts"] == {"LISTEN": 1, "ESTABLISHED": 4, "FIN_WAIT_2": 1,
                             "CLOSE_WAIT": 1}
    conns = by_key(sockstate.connections(port=pop.port, processes=True,
                                         tcp_info=True))
    fam = "ipv4" if pop.family == socket.AF_INET else "ipv6"
    for s in doc["sockets"]:
        key = ((s["local"]["address"], s["local"]["port"]),
               (s["remote"]["address"], s["remote"]["port"]), s["state"])
        c = conns.pop(key)
        assert s["family"] == fam
        assert s["native_state"] == {"code": c.native_state.code,
                                     "name": c.native_state.name}
        assert s["pid"] == c.pid and s["process"] == c.process
        assert s["pids"] == list(c.pids)
        assert (s["uid"], s["inode"]) == (c.uid, c.inode)
        assert (s["rx_queue"], s["tx_queue"]) == (c.rx_queue, c.tx_queue)
        assert s["tcp_info"]["snd_cwnd"] == c.tcp_info.snd_cwnd
        if s["pid"] is not None:
            assert (s["pid"], s["process"]) == (MY_PID, MY_COMM)
    assert conns == {}


def test_snapshot_without_processes(pop4, schema):
    doc = sockstate.snapshot(port=pop4.port)
    check_document(schema, doc)
    assert doc["pid_source"] is None
    # pids is written only when owners were asked for.
    assert all(s["pid"] is None and "pids" not in s for s in doc["sockets"])


def test_snapshot_of_everything_validates(schema):
    for backend in sockstate.backends():
        check_document(schema, sockstate.snapshot(processes=True, backend=backend))
        check_document(schema, sockstate.snapshot("all", backend=backend))


def test_summary_json_validates(pop4, schema):
    doc = json.loads(sockstate.render_summary("json", port=pop4.port))
    check_document(schema, doc)
    assert doc["total"] == 7 and "sockets" not in doc
    assert doc["counts"]["ESTABLISHED"] == 4 and doc["counts"]["TIME_WAIT"] == 0
    # every state counted; BOUND (not counted by default) is left out
    assert len(doc["counts"]) == 13 and "BOUND" not in doc["counts"]


def test_render_formats(pop4):
    p = pop4.port
    table = sockstate.render("table", port=p, processes=True)
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["State", "Native"]
    assert len(lines) == 8 and lines[0].rstrip().endswith("Process")
    assert sum(" ESTAB " in line for line in lines) == 4
    assert len(sockstate.render("table", port=p, header=False).splitlines()) == 7
    csv_text = sockstate.render("csv", port=p)
    assert len(csv_text.splitlines()) == 8
    assert csv_text.splitlines()[0].startswith("family,state,native_state")
    doc = json.loads(sockstate.render("json", port=p))
    assert doc["total"] == 7


def test_metrics(pop4):
    # The host-wide series count the whole host (every state, both
    # families; tests/ops compares them with an unfiltered count in a
    # namespace of their own); each port named adds its own series, ports
    # given as a list.
    pop6 = Population(socket.AF_INET6, "::1")
    try:
        check_metrics(pop4, pop6)
    finally:
        pop6.close()


def check_metrics(pop4, pop6):
    text = sockstate.metrics(port=[pop4.port, str(pop6.port)])
    assert "# TYPE sockstate_tcp_sockets gauge" in text
    series = dict(line.rsplit(" ", 1) for line in text.splitlines()
                  if not line.startswith("#"))
    assert len([k for k in series if k.startswith("sockstate_tcp_sockets{")]) == 28
    for fam in ("ipv4", "ipv6"):
        assert int(series[f'sockstate_tcp_sockets{{family="{fam}",state="ESTABLISHED"}}']) >= 4
        assert int(series[f'sockstate_tcp_sockets{{family="{fam}",state="LISTEN"}}']) >= 1
    for pop in (pop4, pop6):
        port = {k: int(v) for k, v in series.items()
                if k.startswith(f'sockstate_tcp_port_sockets{{port="{pop.port}",')}
        assert len(port) == 28
        assert {k: v for k, v in port.items() if v} == {
            f'sockstate_tcp_port_sockets{{port="{pop.port}",side="local",state="LISTEN"}}': 1,
            f'sockstate_tcp_port_sockets{{port="{pop.port}",side="local",state="ESTABLISHED"}}': 2,
            f'sockstate_tcp_port_sockets{{port="{pop.port}",side="local",state="CLOSE_WAIT"}}': 1,
            f'sockstate_tcp_port_sockets{{port="{pop.port}",side="remote",state="ESTABLISHED"}}': 2,
            f'sockstate_tcp_port_sockets{{port="{pop.port}",side="remote",state="FIN_WAIT_2"}}': 1,
        }
    same = sockstate.render_summary("prometheus", port=f"{pop4.port},{pop6.port}")
    assert [ln.rsplit(" ", 1)[0] for ln in same.splitlines()] == \
        [ln.rsplit(" ", 1)[0] for ln in text.splitlines()]
    assert "port=" not in sockstate.metrics()
    assert text.endswith("\n")
    for bad, message in (({"states": "listen"}, "states: not with format prometheus"),
                         ({"family": 4}, "family: not with format prometheus"),
                         ({"port": "80,x"}, "port: '80,x' is not a port number (0-65535)"),
                         ({"port": []}, "port: an empty list of ports")):
        with pytest.raises(sockstate.InvalidArgument) as e:
            sockstate.metrics(**bad)
        assert str(e.value).startswith(message)
    with pytest.raises(sockstate.InvalidArgument):
        sockstate.render("prometheus", "listen")
