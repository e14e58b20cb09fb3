"""The cross-OS report: python -m sockstate report (sockstate/report.py).

Run by ctest (label report) with PYTHONPATH at the built package, or at
bindings/python when the extension is not built (the report is pure
Python). The HTML is opened in headless Chromium when it is installed.
"""

import copy
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import pytest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
SAMPLES = os.path.join(TOP, "examples", "report")
SAMPLE_FILES = [os.path.join(SAMPLES, f) for f in
                ("lab-linux-1.json", "lab-linux-2.json", "lab-win.json")]
sys.path.insert(0, HERE)
import regen  # noqa: E402

import sockstate  # noqa: E402
from sockstate import report, _native, _report_data  # noqa: E402

CHROMIUM = shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium")


def run_report(args, stdin=None, env=None):
    p = subprocess.run([sys.executable, "-m", "sockstate", "report"] + list(args),
                       input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=60)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def sock(state, local, lport, remote="0.0.0.0", rport=0, pid=None, process=None,
         native=None, family=None):
    return {"family": family or ("ipv6" if ":" in local else "ipv4"),
            "local": {"address": local, "port": lport},
            "remote": {"address": remote, "port": rport},
            "state": state, "native_state": {"code": 0, "name": native or state},
            "pid": pid, "pids": [pid] if pid is not None else [], "process": process,
            "uid": None, "inode": None, "rx_queue": None, "tx_queue": None}


def doc(host, sockets, os_name="Linux", backend="linux-netlink", counts_only=False):
    counts = {}
    for s in sockets:
        counts[s["state"]] = counts.get(s["state"], 0) + 1
    d = {"schema": "sockstate/1", "host": host,
         "os": {"name": os_name, "release": "1", "version": "1", "machine": "x86_64"},
         "backend": backend, "library_version": "0.1.0",
         "taken_at": "2026-11-24T15:00:00Z", "pid_source": "procfs",
         "total": len(sockets), "counts": counts}
    if not counts_only:
        d["sockets"] = sockets
    return d


@pytest.fixture
def tmp(tmp_path):
    def write(name, content):
        path = tmp_path / name
        if isinstance(content, (dict, list)):
            content = json.dumps(content)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return str(path)
    write.dir = tmp_path
    return write


# ---------------------------------------------------------------- the copy of the C texts

def test_generated_data_is_up_to_date():
    assert regen.main(["--check"]) == 0


def test_copy_of_texts_equals_the_c_sources():
    parsed = regen.c_texts()
    assert set(parsed) == set(report.STATES)
    for state, (side, langs) in parsed.items():
        assert _report_data.STATE_TEXTS[state] == (side, langs)
    assert json.loads(_report_data.SCHEMA_JSON) == json.load(
        open(os.path.join(TOP, "docs", "schema", "sockstate-1.json"), encoding="utf-8"))


@pytest.mark.skipif(not _native.available(), reason="the C extension is not built")
def test_copy_of_texts_equals_the_extension():
    for state in sockstate.State:
        for lang in ("en", "es"):
            info = state.describe(lang)
            side, texts = _report_data.STATE_TEXTS[state.value]
            assert (info.side, info.meaning, info.seen_by, info.pile_means) == \
                (side,) + texts[lang], (state, lang)


def test_explain_without_the_extension_uses_the_copy(monkeypatch):
    monkeypatch.setattr(_native, "available", lambda: False)
    side, meaning, seen_by, pile = report.explain("CLOSE_WAIT", "es")
    want_side, texts = _report_data.STATE_TEXTS["CLOSE_WAIT"]
    assert (side, meaning, seen_by, pile) == (want_side,) + texts["es"]
    assert meaning != _report_data.STATE_TEXTS["CLOSE_WAIT"][1]["en"][0]


# ---------------------------------------------------------------- bad input

def bad_inputs(tmp):
    good = doc("h", [sock("LISTEN", "127.0.0.1", 22)])
    wrong_port = copy.deepcopy(good)
    wrong_port["sockets"][0]["local"]["port"] = 70000
    no_host = copy.deepcopy(good)
    del no_host["host"]
    bad_state = copy.deepcopy(good)
    bad_state["sockets"][0]["state"] = "NONE"
    text = json.dumps(good, indent=1)
    return [
        (str(tmp.dir / "none.json"), "cannot read: No such file or directory"),
        (tmp("empty.json", b""), "empty file, not a sockstate/1 document"),
        (tmp("blank.json", b"  \n"), "empty file, not a sockstate/1 document"),
        (tmp("truncated.json", text[:len(text) // 2]),
         "truncated JSON: the text ends at line "),
        (tmp("garbage.json", "{\"schema\": \"sockstate/1\",, }"),
         "not valid JSON: Expecting property name enclosed in double quotes at line 1 column 26"),
        (tmp("latin1.json", b"{\"host\": \"caf\xe9\"}"), "not UTF-8 text (byte 0xe9 at offset 13)"),
        (tmp("array.json", [1, 2]), "not a sockstate/1 document: the JSON is an array, not an object"),
        (tmp("foreign.json", {"name": "package.json", "version": "1.0.0"}),
         'not a sockstate/1 document: no "schema" key'),
        (tmp("other-schema.json", {"schema": "sockstate/2"}),
         'not a sockstate/1 document: its "schema" is "sockstate/2"'),
        (tmp("nan.json", "{\"schema\": \"sockstate/1\", \"total\": NaN}"),
         "not valid JSON: NaN is not JSON"),
        (tmp("dup.json", "{\"schema\": \"sockstate/1\", \"schema\": \"sockstate/1\"}"),
         "not valid JSON: duplicate key 'schema'"),
        (tmp("port.json", wrong_port), "does not match the sockstate/1 schema at "
         "sockets[0].local.port: 70000 is greater than the maximum of 65535"),
        (tmp("nohost.json", no_host), "does not match the sockstate/1 schema at the top "
         "level: 'host' is a required property"),
        (tmp("state.json", bad_state), "does not match the sockstate/1 schema at "
         "sockets[0].state: 'NONE' is not one of"),
    ]


def test_bad_input_is_one_line_and_exit_2(tmp):
    good = tmp("good.json", doc("h", [sock("LISTEN", "127.0.0.1", 22)]))
    for path, problem in bad_inputs(tmp):
        rc, out, err = run_report([good, path, "-o", str(tmp.dir / "r.html")])
        assert rc == 2, (path, err)
        assert out == ""
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert err.startswith("sockstate report: %s: %s" % (path, problem)), (err, problem)
        assert not os.path.exists(tmp.dir / "r.html")


def test_structural_check_without_jsonschema(tmp):
    """The same files, with jsonschema hidden: the structural check names
    the same problems."""
    cases = {
        "port": (lambda d: d["sockets"][0]["local"].update(port=70000),
                 "at sockets[0].local.port: 70000 is not a port (0-65535)"),
        "host": (lambda d: d.pop("host"), "at the top level: 'host' is a required property"),
        "state": (lambda d: d["sockets"][0].update(state="NONE"),
                  "at sockets[0].state: 'NONE' is not a state"),
        "backend": (lambda d: d.update(backend="nope"), "at backend: 'nope' is not one of"),
        "counts": (lambda d: d["counts"].update(LISTEN=-1), "at counts.LISTEN: -1 is not a count"),
    }
    hide = ("import sys; sys.modules['jsonschema'] = None; "
            "from sockstate import report; sys.exit(report.main(sys.argv[1:]))")
    for name, (change, problem) in cases.items():
        d = doc("h", [sock("LISTEN", "127.0.0.1", 22)])
        change(d)
        path = tmp(name + ".json", d)
        p = subprocess.run([sys.executable, "-c", hide, path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        err = p.stderr.decode()
        assert p.returncode == 2 and err.count("\n") == 1, err
        assert err.startswith("sockstate report: %s: does not match the sockstate/1 schema %s"
                              % (path, problem)), err
    ok = tmp("ok.json", doc("h", [sock("LISTEN", "127.0.0.1", 22)]))
    p = subprocess.run([sys.executable, "-c", hide, ok, "--format", "md"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert p.returncode == 0 and p.stderr == b""
    assert p.stdout.startswith(b"# TCP sockets across 1 host\n")


def test_usage_errors(tmp):
    good = tmp("good.json", doc("h", [sock("LISTEN", "127.0.0.1", 22)]))
    for args, message in (
            ([], "the following arguments are required: FILE.json"),
            ([good, "--lang", "fr"], "argument --lang: invalid choice: 'fr' (choose from 'en', 'es')"),
            ([good, "--format", "pdf"], "argument --format: invalid choice: 'pdf'"),
            ([good, "--time-wait-fraction", "2"], "--time-wait-fraction must be more than 0"),
            ([good, "--close-wait-min", "0"], "--close-wait-min and --syn-received-min must be 1")):
        rc, out, err = run_report(args)
        assert rc == 2 and out == "" and err.count("\n") == 1, (args, err)
        assert err.startswith("sockstate report: " + message), err
    rc, out, err = run_report(["--help"])
    assert rc == 0 and "--lang" in out and err == ""


def test_unwritable_output(tmp):
    good = tmp("good.json", doc("h", [sock("LISTEN", "127.0.0.1", 22)]))
    rc, out, err = run_report([good, "-o", str(tmp.dir / "no" / "such" / "dir.html")])
    assert rc == 3 and err.count("\n") == 1
    assert err == ("sockstate report: %s: cannot create a temporary file beside it: No such "
                   "file or directory\n" % (tmp.dir / "no" / "such" / "dir.html"))


# ---------------------------------------------------------------- content

def pile(n, state, port, pid, process, remote="10.0.0.9", rport_base=40000):
    return [sock(state, "10.0.0.1", port, remote, rport_base + i, pid, process)
            for i in range(n)]


def test_close_wait_warning_names_the_process():
    h = report.Host("a.json", doc("web-1", pile(12, "CLOSE_WAIT", 8080, 4242, "java")
                                  + pile(3, "CLOSE_WAIT", 9090, 77, "nginx")))
    found = report.find_warnings([h], "en")
    assert [(w.kind, w.detail) for w in found] == [
        ("close_wait", "web-1: 12 sockets in CLOSE_WAIT owned by java (pid 4242) "
                       "(local ports 8080; 1 peer address).")]
    w = found[0]
    assert w.title == "CLOSE_WAIT piling up under one process"
    assert w.state_says == "What CLOSE_WAIT means when many pile up"
    assert w.pile_means == report.explain("CLOSE_WAIT", "en")[3]
    es = report.find_warnings([h], "es")[0]
    assert es.detail == ("web-1: 12 sockets en CLOSE_WAIT del proceso java (pid 4242) "
                         "(puertos locales 8080; 1 dirección remota).")
    assert es.pile_means == report.explain("CLOSE_WAIT", "es")[3]
    assert report.find_warnings([h], "en", close_wait_min=13) == []


def with_findings(d):
    """d as python -m sockstate snapshot writes it: its TCP counters and the
    library's findings, texts in both languages (made here by hand)."""
    d["tcp_counters"] = {"source": "/proc/net/snmp /proc/net/netstat", "counters": {
        "attempt_fails": {"value": 12, "native": "TcpAttemptFails"},
        "resets_sent": {"value": None, "native": None}}}
    text = {"en": {"headline": "java (pid 4242) holds 12 connections in CLOSE_WAIT on local "
                               "port 8080: it does not close them",
                   "title": "A process does not close its connections (CLOSE_WAIT)",
                   "meaning": "m", "whose": "w", "advice": "Restart it; fix the application."},
            "es": {"headline": "java (pid 4242) retiene 12 conexiones en CLOSE_WAIT en el "
                               "puerto local 8080: no las cierra",
                   "title": "t", "meaning": "m", "whose": "w",
                   "advice": "Reinícielo; corrija la aplicación."}}
    d["findings"] = [{"code": "close-wait-leak", "severity": "warning", "variant": 0,
                      "text": text, "local": None, "remote": None, "pid": 4242,
                      "process": "java", "count": 12, "limit": 10, "counters": {},
                      "sockets_total": 12, "sockets": d["sockets"][:1]}]
    return d


def test_findings_and_counters_of_the_library(tmp):
    """A snapshot that carries the library's findings: the report shows them
    in its language, leaves the host to them (no warning of its own for the
    same pile), and shows the TCP counters; a host without them says so."""
    a = tmp("a.json", with_findings(doc("web-1", pile(12, "CLOSE_WAIT", 8080, 4242,
                                                        "java"))))
    b = tmp("b.json", doc("web-2", pile(12, "CLOSE_WAIT", 8080, 77, "nginx")))
    html = report.build([a, b], "html", "es")
    assert ('<div class="finding warning" data-code="close-wait-leak" data-host="web-1">'
            '<h4>AVISO <code>close-wait-leak</code></h4><p>java (pid 4242) retiene 12 '
            'conexiones en CLOSE_WAIT en el puerto local 8080: no las cierra</p>'
            '<p><b>Qué hacer:</b> Reinícielo; corrija la aplicación.</p></div>') in html
    assert "no incluidos en esta captura" in html          # web-2 carries none
    assert html.count('class="warning" data-kind="close_wait"') == 1   # web-2's only
    assert 'data-host="web-2"' in html
    assert ('<tr data-counter="attempt_fails"><th><code>attempt_fails</code></th>'
            '<td class="n">12<span class="native">TcpAttemptFails</span></td>'
            '<td class="zero">\u2014</td></tr>') in html
    md = report.build([a, b], "md", "en")
    assert ("- **WARNING** `close-wait-leak`: java (pid 4242) holds 12 connections in "
            "CLOSE\\_WAIT on local port 8080: it does not close them") in md
    assert "| `attempt_fails` | 12 (TcpAttemptFails) | \u2014 |" in md
    # a host with findings but none found
    d = with_findings(doc("web-3", pile(1, "ESTABLISHED", 80, 1, "x")))
    d["findings"] = []
    assert "no problem found" in report.build([tmp("c.json", d)], "md", "en")


def test_findings_are_checked_without_jsonschema(tmp, monkeypatch):
    d = with_findings(doc("web-1", pile(12, "CLOSE_WAIT", 8080, 4242, "java")))
    d["findings"][0]["severity"] = "bad"
    bad = tmp("bad.json", d)
    monkeypatch.setattr(report, "_validator", lambda: None)
    with pytest.raises(report.InputError, match=r"findings\[0\]\.severity"):
        report.build([bad])


def test_close_wait_without_owners_and_counts_only():
    h = report.Host("a.json", doc("db", pile(11, "CLOSE_WAIT", 5432, None, None)))
    assert [w.detail for w in report.find_warnings([h], "en")] == [
        "db: 11 sockets in CLOSE_WAIT on local ports 5432 (owners were not collected: "
        "take the snapshot with -p to see which process)."]
    c = report.Host("c.json", doc("db", pile(11, "CLOSE_WAIT", 5432, 1, "x"), counts_only=True))
    assert [w.detail for w in report.find_warnings([c], "en")] == [
        "db: 11 sockets in CLOSE_WAIT (a counts-only document: take a full snapshot "
        "with -p to see which process)."]


def test_syn_received_flood():
    flood = [sock("SYN_RECEIVED", "10.0.0.1", 443, "198.51.100.%d" % i, 1000 + i)
             for i in range(60)]
    h = report.Host("a.json", doc("web-2", flood))
    assert [(w.kind, w.detail) for w in report.find_warnings([h], "en")] == [
        ("syn_received", "web-2: 60 half-open connections in SYN_RECEIVED on local ports "
                         "443, from 60 different addresses.")]
    assert report.find_warnings([report.Host("b.json", doc("x", flood[:49]))], "en") == []


def test_one_of_a_thing_is_singular():
    """Issue 22: "1 hosts", "1 equipos", "1 sockets"..."""
    h = report.Host("a.json", doc("db", pile(1, "CLOSE_WAIT", 5432, 7, "pg")
                                  + [sock("SYN_RECEIVED", "10.0.0.1", 443, "198.51.100.1", 1)]))
    for lang, title, details in (
            ("en", "# TCP sockets across 1 host\n", [
                "db: 1 socket in CLOSE_WAIT owned by pg (pid 7) (local ports 5432; "
                "1 peer address).",
                "db: 1 half-open connection in SYN_RECEIVED on local ports 443, from "
                "1 address."]),
            ("es", "# Sockets TCP en 1 equipo\n", [
                "db: 1 socket en CLOSE_WAIT del proceso pg (pid 7) (puertos locales 5432; "
                "1 dirección remota).",
                "db: 1 conexión a medio abrir en SYN_RECEIVED en los puertos locales 443, "
                "desde 1 dirección."])):
        assert report.render_md([h], lang, [], [], None).startswith(title)
        found = report.find_warnings([h], lang, close_wait_min=1, syn_received_min=1)
        assert [w.detail for w in found] == details
    two = [h, report.Host("b.json", doc("db2", []))]
    assert report.render_md(two, "es", [], [], None).startswith("# Sockets TCP en 2 equipos\n")
    c = report.Host("c.json", doc("db", pile(1, "CLOSE_WAIT", 5432, 1, "x"), counts_only=True))
    assert [w.detail for w in report.find_warnings([c], "en", close_wait_min=1)] == [
        "db: 1 socket in CLOSE_WAIT (a counts-only document: take a full snapshot "
        "with -p to see which process)."]


def test_syn_sent_piling_up_toward_one_destination():
    stuck = [sock("SYN_SENT", "10.0.0.1", 50000 + i, "192.0.2.20", 5432, pid=4242,
                  process="java") for i in range(12)]
    scattered = [sock("SYN_SENT", "10.0.0.1", 51000 + i, "192.0.2.%d" % (30 + i), 443)
                 for i in range(9)]
    h = report.Host("a.json", doc("app-1", stuck + scattered))
    found = report.find_warnings([h], "en")
    assert [(w.kind, w.title, w.detail) for w in found] == [
        ("syn_sent", "SYN_SENT piling up toward one destination",
         "app-1: 12 connection attempts in SYN_SENT to 192.0.2.20:5432, none answered yet "
         "(by java (pid 4242)).")]
    assert "accept queue is full" in found[0].why
    assert found[0].pile_means == report.explain("SYN_SENT", "en")[3]
    es = report.find_warnings([h], "es")[0]
    assert es.detail == ("app-1: 12 intentos de conexión en SYN_SENT hacia 192.0.2.20:5432, "
                         "aún sin respuesta (de java (pid 4242)).")
    # Several owners, IPv6, no owner known; under the threshold: nothing.
    v6 = [sock("SYN_SENT", "2001:db8::1", 40000 + i, "2001:db8::9", 80, pid=10 + i % 2,
               process="curl") for i in range(10)]
    h6 = report.Host("b.json", doc("app-2", v6 + [sock("SYN_SENT", "::1", 1, "::1", 2)]))
    assert [w.detail for w in report.find_warnings([h6], "en")] == [
        "app-2: 10 connection attempts in SYN_SENT to [2001:db8::9]:80, none answered yet "
        "(by 2 processes)."]
    assert report.find_warnings([h6], "en", syn_sent_min=11) == []
    counts = report.Host("c.json", doc("app-3", stuck, counts_only=True))
    assert [w.detail for w in report.find_warnings([counts], "en")] == [
        "app-3: 12 connection attempts in SYN_SENT (a counts-only document does not say "
        "to which destination)."]


def test_listener_at_its_backlog():
    def listener(port, waiting, limit, **kw):
        s = sock("LISTEN", "0.0.0.0", port, **kw)
        s.update(rx_queue=waiting, tx_queue=limit)
        return s
    socks = [listener(8080, 129, 128, pid=99, process="gunicorn"),   # full
             listener(8081, 5, 128, pid=99, process="gunicorn"),     # not
             listener(8082, 0, 0),                                   # listen(0), empty
             listener(8083, 1, 0)]                                   # listen(0), full
    h = report.Host("a.json", doc("web-3", socks))
    found = report.find_warnings([h], "en")
    assert [(w.kind, w.detail) for w in found] == [
        ("listen_backlog", "web-3: the listener on 0.0.0.0:8080 (gunicorn (pid 99)) has "
                           "129 connections waiting to be accepted, its backlog's limit "
                           "(128)."),
        ("listen_backlog", "web-3: the listener on 0.0.0.0:8083 has 1 connection waiting "
                           "to be accepted, its backlog's limit (0).")]
    assert found[0].title == "A listener's accept queue is at its backlog"
    assert "somaxconn" in found[0].why
    assert report.find_warnings([h], "es")[1].detail == (
        "web-3: el socket en escucha en 0.0.0.0:8083 tiene 1 conexión en cola por "
        "aceptar, el límite de su backlog (0).")
    # /proc does not say a listener's limit (Send-Q 0): no guess.
    proc = report.Host("b.json", doc("web-4", socks, backend="linux-proc"))
    assert report.find_warnings([proc], "en") == []
    # Unknown queues (Windows): nothing.
    assert report.find_warnings([report.Host("c.json", doc("win", [
        sock("LISTEN", "0.0.0.0", 80)], "Windows", "windows-iphlpapi"))], "en") == []


def test_time_wait_near_the_ephemeral_range():
    # Linux's default range is 32768-60999: 28232 ports; half is 14116.
    tw = [sock("TIME_WAIT", "10.0.0.1", 32768 + i, "10.0.0.50", 5432) for i in range(14116)]
    tw += [sock("TIME_WAIT", "10.0.0.1", 80, "10.0.0.%d" % i, 50000) for i in range(100)]
    h = report.Host("a.json", doc("app-1", tw))
    assert [(w.kind, w.detail) for w in report.find_warnings([h], "en")] == [
        ("time_wait", "app-1: 14116 sockets in TIME_WAIT hold local ports of the ephemeral "
                      "range 32768-60999 (28232 ports, the default of Linux); 50% of the "
                      "range. The busiest destination is 10.0.0.50:5432 with 14116.")]
    h = report.Host("b.json", doc("app-2", tw[:14115]))
    assert report.find_warnings([h], "en") == []
    # Windows' range is 49152-65535 (16384 ports): 9000 is 55% of it.
    win = [sock("TIME_WAIT", "10.0.0.2", 49152 + i, "10.0.0.50", 443, native="TIME_WAIT")
           for i in range(9000)]
    h = report.Host("w.json", doc("win-1", win, "Windows", "windows-iphlpapi"))
    assert [w.detail for w in report.find_warnings([h], "es")] == [
        "win-1: 9000 sockets en TIME_WAIT ocupan puertos locales del rango efímero "
        "49152-65535 (16384 puertos, el predeterminado de Windows); 55% del rango. El "
        "destino más frecuente es 10.0.0.50:443 con 9000."]


def test_listening_ports_missing_on_some_hosts():
    a = report.Host("a.json", doc("a", [sock("LISTEN", "0.0.0.0", 22, pid=1, process="sshd"),
                                        sock("LISTEN", "::", 22, pid=1, process="sshd"),
                                        sock("LISTEN", "0.0.0.0", 80, pid=2, process="nginx")]))
    b = report.Host("b.json", doc("b", [sock("LISTEN", "127.0.0.1", 22, pid=5, process="sshd")]))
    c = report.Host("c.json", doc("c", [sock("LISTEN", "0.0.0.0", 22)], counts_only=True))
    rows = report.listening_rows([a, b, c], "en")
    assert [(r.port, r.status, [r.cells[i] for i in range(3)]) for r in rows] == [
        (80, "missing on b", [["0.0.0.0 nginx"], [], None]),
        (22, "listens on different addresses",
         [["0.0.0.0 sshd", "[::] sshd"], ["127.0.0.1 sshd"], None]),
    ]


def test_same_host_twice_is_told_apart_by_file(tmp):
    one = tmp("one.json", doc("web", [sock("LISTEN", "127.0.0.1", 22)]))
    two = tmp("two.json", doc("web", [sock("LISTEN", "127.0.0.1", 22)]))
    rc, out, err = run_report([one, two, "--format", "md"])
    assert rc == 0, err
    assert "| web (one.json) | web (two.json) |" in out


def test_markdown_sections_and_native_names():
    text = report.build(SAMPLE_FILES, "md", "en")
    for heading in ("# TCP sockets across 3 hosts", "## Hosts", "## Warnings",
                    "## Findings", "### lab-linux-1", "## TCP counters",
                    "## States \u00d7 hosts", "## Listening ports", "## Per host",
                    "### lab-win", "## What the states mean", "### CLOSE_WAIT"):
        assert "\n%s\n" % heading in "\n" + text, heading
    # The demo load's problems, as the library found them on lab-linux-1.
    assert "- **WARNING** `close-wait-leak`: demo-app (pid " in text
    # (a file's text: its Markdown characters escaped, docs/SECURITY.md)
    assert ("- **WARNING** `syn-received-pile`: 60 half-open connections (SYN\\_RECEIVED) "
            "on 0.0.0.0:28443 wait for the clients' final ACK") in text
    # Each host's own spelling of the same state (a file's text: its
    # Markdown characters escaped, docs/SECURITY.md).
    assert "| SYN_RECEIVED | 62 (SYN-RECV) | 2 (SYN-RECV) | 2 (SYN\\_RECEIVED) |" in text
    assert "| LISTEN | 11 (LISTEN) | 9 (LISTEN) | 9 (LISTENING) |" in text
    assert "| BOUND | 4 (UNCONN) | 0 | 0 |" in text


def test_output_file_and_format_from_its_name(tmp):
    out = str(tmp.dir / "fleet.md")
    rc, stdout, err = run_report(SAMPLE_FILES + ["-o", out, "--lang", "es"])
    assert (rc, stdout, err) == (0, "", "")
    text = open(out, encoding="utf-8").read()
    assert text.startswith("# Sockets TCP en 3 equipos\n")
    assert "## Qué significan los estados" in text
    assert report.explain("TIME_WAIT", "es")[1] in text
    assert [f for f in os.listdir(tmp.dir) if f.startswith(".")] == []


def test_samples_are_valid_and_the_sample_reports_up_to_date():
    """examples/report holds snapshots from the real backends and the
    reports made from them (make_samples.py): the reports are what this
    report.py makes of those snapshots today."""
    validator = report._validator()
    kinds = {}
    for path in SAMPLE_FILES:
        d = report.load(path, validator)
        kinds[d["host"]] = (d["backend"], d["os"]["name"])
    assert kinds == {"lab-linux-1": ("linux-netlink", "Linux"),
                     "lab-linux-2": ("linux-proc", "Linux"),
                     "lab-win": ("windows-iphlpapi", "Windows")}
    for name, fmt, lang in (("report.html", "html", "en"), ("report.md", "md", "en"),
                            ("report.es.html", "html", "es")):
        with open(os.path.join(SAMPLES, name), encoding="utf-8") as f:
            assert f.read() == report.build(SAMPLE_FILES, fmt, lang), \
                "%s is stale: run examples/report/make_samples.py or the report" % name


# ---------------------------------------------------------------- in a browser

def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def chromium(args, profile):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--user-data-dir=" + profile] + args
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                          env=dict(os.environ, HOME=profile))


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed (Debian: chromium)")
@pytest.mark.parametrize("lang", ["en", "es"])
def test_html_in_headless_chromium(tmp, lang):
    page = str(tmp.dir / ("report-%s.html" % lang))
    rc, out, err = run_report(SAMPLE_FILES + ["-o", page, "--lang", lang])
    assert rc == 0, err
    profile = tempfile.mkdtemp(prefix="sockstate-chromium-")
    try:
        shot = str(tmp.dir / ("report-%s.png" % lang))
        p = chromium(["--screenshot=" + shot, "--window-size=1280,2000", "file://" + page],
                     profile)
        assert p.returncode == 0, p.stderr.decode()[-2000:]
        assert png_size(shot) == (1280, 2000)
        assert os.path.getsize(shot) > 50000  # a page with text and charts, not a blank one
        keep = os.environ.get("SOCKSTATE_REPORT_SCREENSHOT_DIR")
        if keep:
            shutil.copy(shot, keep)
        dom = chromium(["--dump-dom", "file://" + page], profile)
        assert dom.returncode == 0
        html = dom.stdout.decode("utf-8")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    t = report.TEXTS[lang]
    assert '<html lang="%s">' % lang in html
    hosts = t["count_hosts_many"].format(n=3)
    assert '<h1 id="title">%s</h1>' % t["title"].format(hosts=hosts) in html
    for section in ("hosts", "warnings", "findings", "matrix", "listening", "counters",
                    "per-host", "states"):
        assert '<section id="%s">' % section in html, section
    # Hosts, with their OS and backend.
    for i, (label, backend) in enumerate((("lab-linux-1", "linux-netlink"),
                                          ("lab-linux-2", "linux-proc"),
                                          ("lab-win", "windows-iphlpapi"))):
        assert '<tr id="host-row-%d">' % i in html and backend in html and label in html
    # The matrix: a row per state present, with each OS's native name.
    for state in ("LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
                  "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT", "BOUND"):
        assert '<tr data-state="%s">' % state in html, state
    assert '<span class="native">LISTENING</span>' in html
    assert '<span class="native">SYN-RECV</span>' in html
    # Charts are inline SVG (the page needs no network).
    assert html.count("<svg") > 30 and '<svg id="chart"' in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    # The demo load's problems: the library's findings on lab-linux-1, in
    # the report's language (the Linux snapshots carry findings, and the
    # report leaves their hosts to them; lab-win, from sockstate.exe
    # --json, has none and nothing piling up).
    assert html.count('<div class="warning"') == 0
    assert 'data-code="close-wait-leak" data-host="lab-linux-1"' in html
    assert 'data-code="syn-received-pile" data-host="lab-linux-1"' in html
    assert t["findings_absent"] in html   # lab-win
    # demo-app's ports exist only on lab-linux-1.
    assert '<tr class="missing" data-port="28080">' in html
    assert '<tr class="missing" data-port="28443">' in html
    assert t["missing_on"].format(hosts="lab-linux-2, lab-win") in html
    # The explanations, from the C library's texts.
    assert '<dt id="state-CLOSE_WAIT">' in html
    assert report.explain("CLOSE_WAIT", lang)[1] in html
