"""snapshot(), render(), metrics(): the "sockstate/1" document and the
writers' text, checked against the schema and against connections()."""

import json
import re
import socket

import sockstate

from conftest import MY_COMM, MY_PID, by_key, check_document


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
    assert len(doc["counts"]) == 14


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
    text = sockstate.metrics(port=pop4.port)
    assert "# TYPE sockstate_tcp_sockets gauge" in text
    assert re.search(r'^sockstate_tcp_sockets\{[^}]*state="ESTABLISHED"[^}]*\} 4$',
                     text, re.M), text
    assert f'port="{pop4.port}"' in text   # the per-port series
    plain = sockstate.metrics("listen")
    assert "port=" not in plain
    assert text.endswith("\n")
