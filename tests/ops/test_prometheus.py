"""Prometheus: the output passes `promtool check metrics`; its metric names
and labels are the documented, stable set; and end to end, Debian's
prometheus-node-exporter serves our file from its textfile collector with
the right values for sockets this test opened."""

import os
import re
import shutil
import socket
import subprocess
import urllib.request

import pytest

from conftest import ROOT, needs_cli, needs_private, run, run_ok, wait_until

pytestmark = [needs_cli]

STATES = ["CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
          "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT", "DELETE_TCB",
          "BOUND", "UNKNOWN"]
SAMPLE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (\d+)$')


def parse(text):
    """{(name, frozenset(labels)): value}, checking HELP/TYPE come first."""
    series, typed = {}, set()
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if parts[1] == "TYPE":
                # the TCP counters are counters (..._total), the rest gauges
                assert parts[3] == ("counter" if parts[2].endswith("_total") else "gauge"), line
                typed.add(parts[2])
            continue
        m = SAMPLE.match(line)
        assert m, line
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        k = (m.group(1), labels)
        assert k not in series, f"duplicate series {line}"
        assert m.group(1) in typed, f"{m.group(1)} has no TYPE line before it"
        series[k] = int(m.group(3))
    return series


def value(series, name, **labels):
    return series[(name, frozenset(labels.items()))]


@pytest.mark.skipif(shutil.which("promtool") is None,
                    reason="promtool is not installed (Debian: apt-get install prometheus)")
@pytest.mark.parametrize("args", [["summary"], ["summary", "--port", "22"], ["list"],
                                  ["list", "--port", "443,80", "--port", "22"],
                                  ["counters"]])
def test_promtool_accepts_the_output(args):
    text = run_ok(*args, "--format", "prometheus")
    proc = subprocess.run(["promtool", "check", "metrics"], input=text.encode(),
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # promtool's linter has nothing to say either (names, units, HELP).
    assert proc.stdout == b"" and proc.stderr == b"", proc.stdout + proc.stderr


# The kernel's TCP counters the summary carries beside the gauges (Linux
# keeps every one of them; docs/COUNTERS.md): one file for the textfile
# collector, so sockstate_info is written once.
COUNTERS = ["active_opens", "passive_opens", "attempt_fails", "established_resets",
            "resets_sent", "segments_received", "segments_sent", "segments_retransmitted",
            "bad_segments_received", "timeouts", "syn_retransmits", "listen_overflows",
            "listen_drops", "request_queue_full_drops", "syncookies_sent",
            "syncookies_received", "syncookies_failed", "aborts_on_timeout",
            "aborts_on_data", "aborts_on_close", "aborts_on_memory", "time_wait_overflows"]
COUNTER_METRICS = {f"sockstate_tcp_{c}_total" for c in COUNTERS}


def test_the_metric_set_is_stable():
    series = parse(run_ok("summary", "--format", "prometheus", "--port", "8080"))
    names = {name for name, _ in series}
    assert names == {"sockstate_tcp_sockets", "sockstate_tcp_receive_queue_bytes",
                     "sockstate_tcp_send_queue_bytes", "sockstate_tcp_port_sockets",
                     "sockstate_info"} | COUNTER_METRICS
    expected = {("sockstate_tcp_sockets", frozenset({("family", f), ("state", s)}))
                for f in ("ipv4", "ipv6") for s in STATES}
    expected |= {("sockstate_tcp_port_sockets",
                  frozenset({("port", "8080"), ("side", side), ("state", s)}))
                 for side in ("local", "remote") for s in STATES}
    expected |= {("sockstate_tcp_receive_queue_bytes", frozenset()),
                 ("sockstate_tcp_send_queue_bytes", frozenset())}
    expected |= {(name, frozenset()) for name in COUNTER_METRICS}
    info = [k for k in series if k[0] == "sockstate_info"]
    assert len(info) == 1 and dict(info[0][1]).keys() == {"backend", "version"}
    assert set(series) - set(info) == expected
    assert series[info[0]] == 1
    # Without --port: no per-port series at all.
    names = {name for name, _ in parse(run_ok("summary", "--format", "prometheus"))}
    assert "sockstate_tcp_port_sockets" not in names


@needs_private
def test_values_are_the_sockets_opened(service):
    svc = service(3)
    series = parse(run_ok("summary", "--format", "prometheus", "--port", str(svc.port)))
    assert value(series, "sockstate_tcp_sockets", family="ipv4", state="ESTABLISHED") == 6
    assert value(series, "sockstate_tcp_sockets", family="ipv4", state="LISTEN") == 1
    assert value(series, "sockstate_tcp_sockets", family="ipv6", state="ESTABLISHED") == 0
    assert value(series, "sockstate_tcp_port_sockets", port=str(svc.port), side="local",
                 state="ESTABLISHED") == 3
    assert value(series, "sockstate_tcp_port_sockets", port=str(svc.port), side="local",
                 state="LISTEN") == 1
    assert value(series, "sockstate_tcp_port_sockets", port=str(svc.port), side="remote",
                 state="ESTABLISHED") == 3


@needs_private
def test_the_counters_count_the_connections_made(service):
    """In a namespace of its own the test's 3 accepted connections are all
    the TCP counters saw: summary carries them as counters, and `counters
    --format prometheus` writes the same values."""
    service(3)
    series = parse(run_ok("summary", "--format", "prometheus"))
    assert value(series, "sockstate_tcp_active_opens_total") == 3
    assert value(series, "sockstate_tcp_passive_opens_total") == 3
    assert value(series, "sockstate_tcp_attempt_fails_total") == 0
    alone = parse(run_ok("counters", "--format", "prometheus"))
    assert {k: v for k, v in alone.items() if k[0] != "sockstate_info"} == \
        {k: v for k, v in series.items() if k[0] in COUNTER_METRICS}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


EXPORTER = shutil.which("prometheus-node-exporter")


@needs_private
@pytest.mark.skipif(EXPORTER is None, reason="prometheus-node-exporter is not installed "
                    "(Debian: apt-get install prometheus-node-exporter)")
def test_node_exporter_serves_our_series(service, tmp_path):
    svc = service(2)
    textdir = tmp_path / "textfile"
    textdir.mkdir()
    prom = textdir / "sockstate.prom"
    proc = run("summary", "--format", "prometheus", "--port", svc.port, "-o", prom)
    assert proc.returncode == 0 and proc.stdout == b"", proc.stderr
    # Only the atomic rename's result is there: no temporary file left.
    assert [p.name for p in textdir.iterdir()] == ["sockstate.prom"]
    port = free_port()
    exporter = subprocess.Popen(
        [EXPORTER, f"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults",
         "--collector.textfile", f"--collector.textfile.directory={textdir}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        def scrape():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                            timeout=2) as r:
                    return r.read().decode()
            except OSError:
                return None
        text = wait_until(scrape, timeout=20, step=0.1)
        assert text, exporter.stderr.read1().decode() if exporter.poll() is not None else ""
        lines = text.splitlines()
        ours = [ln for ln in lines if ln.startswith("sockstate_")]
        assert 'sockstate_tcp_sockets{family="ipv4",state="ESTABLISHED"} 4' in ours
        assert 'sockstate_tcp_sockets{family="ipv4",state="LISTEN"} 1' in ours
        assert (f'sockstate_tcp_port_sockets{{port="{svc.port}",side="local",'
                f'state="ESTABLISHED"}} 2') in ours
        assert (f'sockstate_tcp_port_sockets{{port="{svc.port}",side="remote",'
                f'state="ESTABLISHED"}} 2') in ours
        assert len([ln for ln in ours if ln.startswith("sockstate_tcp_sockets{")]) == 28
        # the counters, from the same file: sockstate_info once
        assert "sockstate_tcp_passive_opens_total 2" in ours
        assert len([ln for ln in ours if ln.startswith("sockstate_info{")]) == 1
        assert "node_textfile_scrape_error 0" in lines
        # The exporter reads the file at each scrape: a new file, new values.
        svc.connect()
        assert run("summary", "--format", "prometheus", "--port", svc.port,
                   "-o", prom).returncode == 0
        text = scrape()
        assert (f'sockstate_tcp_port_sockets{{port="{svc.port}",side="local",'
                f'state="ESTABLISHED"}} 3') in text.splitlines()
    finally:
        exporter.terminate()
        exporter.wait(timeout=10)


def test_examples_write_where_node_exporter_reads():
    d = ROOT / "examples" / "prometheus"
    service_unit = (d / "sockstate-textfile.service").read_text()
    timer = (d / "sockstate-textfile.timer").read_text()
    cron = (d / "sockstate.cron").read_text()
    target = "/var/lib/prometheus/node-exporter/sockstate.prom"
    assert f"-o {target}" in service_unit
    assert "--format prometheus" in service_unit
    assert "OnUnitActiveSec=" in timer and "Unit=sockstate-textfile.service" in timer
    cron_lines = [ln for ln in cron.splitlines() if ln and not ln.startswith("#")]
    assert len(cron_lines) == 1 and f"-o {target}" in cron_lines[0]
    assert cron_lines[0].split()[:5] == ["*", "*", "*", "*", "*"]
    analyze = shutil.which("systemd-analyze")
    if analyze and os.path.exists("/run/systemd/system"):
        proc = subprocess.run([analyze, "verify", str(d / "sockstate-textfile.service"),
                               str(d / "sockstate-textfile.timer")],
                              capture_output=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
