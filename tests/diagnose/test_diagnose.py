"""Every finding of `sockstate diagnose`, provoked for real in a network
namespace of the test's own, on loopback, and diagnosed through the CLI
(--format json, validated against sockstate-diagnosis/1; the table) and
Python (sockstate.Handle.diagnose), in English and Spanish; and a quiet
namespace with healthy traffic that must give no warning.

Each test asserts exactly the findings it provoked (codes, severities, the
sockets, the numbers), never just "something was found"."""

import os
import select
import socket
import subprocess
import sys
import threading

import pytest

from conftest import (MY_COMM, Connector, cli_diagnose, codes, listener, nft, run, sysctl,
                      wait_for)

import sockstate

PORT = 5000


def handle():
    """A handle on the test's namespace (the module's default handle
    would stay on the namespace of the first test)."""
    return sockstate.Handle()


def states_on(h, state, port):
    return h.connections(state, sport=port)


# ------------------------------------------------------------ accept queue

def test_accept_queue_full_and_dropping():
    """A listener with backlog 1 that never accepts, and clients that keep
    connecting: its queue is at its backlog and the kernel drops the
    connections that come while the window is open."""
    lst = listener(PORT, backlog=1)
    clients = Connector("127.0.0.1", PORT)
    clients.start()
    try:
        with handle() as h:
            wait_for(lambda: states_on(h, "LISTEN", PORT)[0].rx_queue >= 2,
                     "two connections in the accept queue")
            doc = cli_diagnose("--port", PORT, lang="es")
            assert codes(doc) == [("accept-queue-overflow", "critical")]
            f = doc["findings"][0]
            assert f["local"] == {"address": "0.0.0.0", "port": PORT}
            assert f["limit"] == 1 and f["count"] >= 2
            assert f["pid"] == os.getpid() and f["process"] == MY_COMM
            assert f["counters"]["listen_overflows"]["delta"] > 0
            assert f["counters"]["listen_drops"]["delta"] > 0
            assert f["headline"].startswith(f"La cola de aceptación de 0.0.0.0:{PORT} está "
                                            "llena: ")
            assert f["headline"].endswith(" a ser aceptadas, backlog 1")
            d = h.diagnose(port=PORT, lang="en")
            assert [(x.code, x.severity) for x in d] == [("accept-queue-overflow", "critical")]
            assert d[0].local == ("0.0.0.0", PORT) and d[0].limit == 1
            assert d[0].counters["listen_overflows"] > 0
            assert d.exit_code == 1 and d.worst == "critical"
            assert d.text.startswith(f"CRITICAL accept-queue-overflow: The accept queue of "
                                     f"0.0.0.0:{PORT} is full: ")
    finally:
        clients.close()
        lst.close()


# ------------------------------------------------------------ listeners

def test_nothing_listens():
    with handle() as h:
        doc = cli_diagnose("--port", PORT, "--interval", "0.2")
        assert codes(doc) == [("no-listener", "critical")]
        assert doc["findings"][0]["headline"] == f"Nothing listens on port {PORT}"
        d = h.diagnose(port=PORT, interval=0.2, lang="es")
        assert d.codes() == ["no-listener"]
        assert d[0].headline == f"Nada escucha en el puerto {PORT}"


def test_listening_on_another_address():
    """A listener on 127.0.0.1 only, asked about 127.0.0.2; and without an
    address, loopback only."""
    lst = listener(PORT, host="127.0.0.1")
    try:
        with handle() as h:
            doc = cli_diagnose("--port", PORT, "--addr", "127.0.0.2", lang="es")
            assert codes(doc) == [("listener-not-on-address", "critical")]
            f = doc["findings"][0]
            assert f["headline"] == (f"El puerto {PORT} escucha en 127.0.0.1:{PORT}, "
                                     "no en 127.0.0.2")
            assert [s["local"] for s in f["sockets"]] == [{"address": "127.0.0.1",
                                                           "port": PORT}]
            d = h.diagnose(port=PORT, interval=0.2)
            assert [(x.code, x.severity, x.variant) for x in d] == \
                [("listener-not-on-address", "warning", 1)]
            assert d[0].headline == (f"Port {PORT} listens only on loopback "
                                     f"(127.0.0.1:{PORT}): other hosts cannot connect")
            # the address it listens on: nothing to say
            assert not h.diagnose(port=PORT, addr="127.0.0.1", interval=0.2)
    finally:
        lst.close()


def test_ipv6_only_listener():
    """[::]:P with IPV6_V6ONLY and no IPv4 listener: IPv4 clients refused."""
    lst = listener(PORT, host="::", family=socket.AF_INET6, v6only=True)
    try:
        with handle() as h:
            doc = cli_diagnose("--port", PORT, "--addr", "127.0.0.1")
            assert codes(doc) == [("ipv6-only-listener", "critical")]
            assert doc["findings"][0]["headline"] == (
                f"[::]:{PORT} is IPv6-only (IPV6_V6ONLY) and nothing on port {PORT} takes "
                "IPv4: IPv4 clients are refused")
            d = h.diagnose(port=PORT, interval=0.2, lang="es")
            assert [(x.code, x.severity) for x in d] == [("ipv6-only-listener", "warning")]
            assert d[0].headline.startswith(f"[::]:{PORT} es solo IPv6 (IPV6_V6ONLY)")
        # a dual-stack one serves IPv4
        lst.close()
        lst = listener(PORT, host="::", family=socket.AF_INET6, v6only=False)
        cli_diagnose("--port", PORT, "--addr", "127.0.0.1", "--interval", "0.2",
                     expect_exit=0)
    finally:
        lst.close()


# ------------------------------------------------------------ CLOSE_WAIT

def test_close_wait_leak():
    """A server that never closes: its peers closed, its 12 sockets stay in
    CLOSE_WAIT, named with this process."""
    lst = listener(PORT)
    served = []
    try:
        for _ in range(12):
            c = socket.create_connection(("127.0.0.1", PORT))
            s, _ = lst.accept()
            served.append(s)
            c.close()
        for s in served:  # end of file read: the peer's FIN is here
            assert select.select([s], [], [], 10)[0] and s.recv(1) == b""
        with handle() as h:
            assert len(states_on(h, "CLOSE_WAIT", PORT)) == 12
            doc = cli_diagnose()
            assert codes(doc) == [("close-wait-leak", "warning")]
            f = doc["findings"][0]
            assert (f["pid"], f["process"], f["count"]) == (os.getpid(), MY_COMM, 12)
            assert f["sockets_total"] == 12 and len(f["sockets"]) == 8
            assert all(s["state"] == "CLOSE_WAIT" for s in f["sockets"])
            assert f["headline"] == (f"{MY_COMM} (pid {os.getpid()}) holds 12 connections "
                                     f"in CLOSE_WAIT on local port {PORT}: it does not "
                                     "close them")
            d = h.diagnose(lang="es")
            assert d.codes() == ["close-wait-leak"]
            assert d[0].headline == (f"{MY_COMM} (pid {os.getpid()}) retiene 12 conexiones "
                                     f"en CLOSE_WAIT en el puerto local {PORT}: no las cierra")
            assert d.text.startswith("AVISO close-wait-leak: ")
    finally:
        for s in served:
            s.close()
        lst.close()


# ------------------------------------------------------------ dropped packets

def test_syns_dropped_probe_times_out():
    """A firewall drops the SYNs to P: a client stays in SYN_SENT, and the
    probe gets no answer (2 SYNs in 2 s: the first, and its retransmission
    after 1 s)."""
    lst = listener(PORT, host="127.0.0.1")
    nft(f"""table inet t {{
  chain in {{ type filter hook input priority 0;
    tcp dport {PORT} tcp flags & (syn | ack) == syn drop
  }}
}}""")
    client = socket.socket()
    client.setblocking(False)
    try:
        assert client.connect_ex(("127.0.0.1", PORT)) == 115  # EINPROGRESS
        with handle() as h:
            doc = cli_diagnose("--to", f"127.0.0.1:{PORT}", "--probe", "--timeout", "2",
                               lang="es")
            assert codes(doc) == [("syn-sent-unanswered", "critical"),
                                  ("connection-timeout", "critical")]
            syn, timeout = doc["findings"]
            assert syn["remote"] == {"address": "127.0.0.1", "port": PORT}
            assert syn["count"] == 1  # the client; the probe's socket is closed by then
            assert syn["sockets"][0]["local"]["port"] == client.getsockname()[1]
            assert doc["probe"]["result"] == "timeout"
            assert doc["probe"]["syn_retransmits"] == 1
            assert timeout["headline"] == (f"127.0.0.1:{PORT} no respondió en 2.0 s: 2 SYN "
                                           "enviados, sin respuesta")
            d = h.diagnose(to=f"127.0.0.1:{PORT}", probe=True, timeout=1.5)
            assert d.codes() == ["syn-sent-unanswered", "connection-timeout"]
            assert d[1].headline == (f"127.0.0.1:{PORT} did not answer in 1.5 s: 2 SYNs "
                                     "sent, no answer")
    finally:
        client.close()
        lst.close()


def test_final_acks_dropped():
    """A firewall drops the clients' final ACKs: the server's half-open
    connections stay in SYN_RECEIVED, their SYN-ACKs sent again."""
    lst = listener(PORT)
    nft(f"""table inet t {{
  chain in {{ type filter hook input priority 0;
    tcp dport {PORT} tcp flags & (syn | ack | fin | rst) == ack drop
  }}
}}""")
    clients = [socket.create_connection(("127.0.0.1", PORT), timeout=5) for _ in range(12)]
    try:
        with handle() as h:
            wait_for(lambda: len(states_on(h, "SYN_RECEIVED", PORT)) == 12,
                     "12 half-open connections")
            doc = cli_diagnose("--port", PORT, "--interval", "1.2")
            assert codes(doc) == [("syn-received-pile", "warning")]
            f = doc["findings"][0]
            assert f["count"] == 12 and f["sockets_total"] == 12 and f["limit"] == 128
            assert f["local"] == {"address": "0.0.0.0", "port": PORT}
            assert f["headline"] == (f"12 half-open connections (SYN_RECEIVED) on "
                                     f"0.0.0.0:{PORT} wait for the clients' final ACK")
            assert all(s["timer"]["retransmits"] >= 1 for s in f["sockets"])
            assert f["counters"]["syncookies_sent"] == {"delta": 0,
                                                        "native": "TcpExtSyncookiesSent"}
            d = h.diagnose(port=PORT, lang="es")
            assert [(x.code, x.severity) for x in d] == [("syn-received-pile", "warning")]
            assert d[0].headline.startswith("12 conexiones a medio abrir (SYN_RECEIVED) en ")
    finally:
        for c in clients:
            c.close()
        lst.close()


def test_retransmissions():
    """One in ten packets towards P lost on arrival while data flows (the
    input hook: a packet dropped on the way out is no loss to TCP, which
    sends it again as new): more than 1 % of the segments sent are sent
    again."""
    subprocess.run(["ip", "link", "set", "lo", "mtu", "1500"], check=True)
    lst = listener(PORT)
    nft(f"""table inet t {{
  chain in {{ type filter hook input priority 0;
    tcp dport {PORT} numgen random mod 10 == 0 drop
  }}
}}""")
    sender = socket.create_connection(("127.0.0.1", PORT))
    receiver, _ = lst.accept()
    stop = threading.Event()

    def send():
        chunk = b"x" * 65536
        while not stop.is_set():
            try:
                sender.send(chunk)
            except OSError:
                return

    def receive():
        while not stop.is_set():
            if not receiver.recv(1 << 20):
                return

    threads = [threading.Thread(target=send, daemon=True),
               threading.Thread(target=receive, daemon=True)]
    for t in threads:
        t.start()
    try:
        doc = cli_diagnose("--interval", "1.5")
        assert [c for c, _ in codes(doc)] == ["retransmissions-high"]
        f = doc["findings"][0]
        sent = f["counters"]["segments_sent"]["delta"]
        again = f["counters"]["segments_retransmitted"]["delta"]
        assert (f["count"], f["limit"]) == (again, sent)
        assert sent >= 1000 and again * 100 >= sent
        assert f["severity"] == ("critical" if again * 10 >= sent else "warning")
        with handle() as h:
            d = h.diagnose(lang="es")
            assert d.codes() == ["retransmissions-high"]
            assert d[0].headline.startswith("Se reenvió el ")
    finally:
        stop.set()
        sender.close()
        receiver.close()
        lst.close()
        for t in threads:
            t.join(timeout=10)


# ------------------------------------------------------------ ephemeral ports

def connected_pairs(lst, n):
    pairs = []
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", PORT))
        s, _ = lst.accept()
        pairs.append((c, s))
    return pairs


def test_ephemeral_ports_nearly_used_up():
    """ip_local_port_range narrowed to 10 ports: 8 connections to one
    destination hold 80 % of them (a warning), 10 all of them (critical),
    and the probe finds no free port (EADDRNOTAVAIL)."""
    sysctl("net.ipv4.ip_local_port_range", "40000 40009")
    lst = listener(PORT, host="127.0.0.1")
    pairs = connected_pairs(lst, 8)
    to = f"127.0.0.1:{PORT}"
    try:
        with handle() as h:
            doc = cli_diagnose("--to", to, "--interval", "0.2", lang="es")
            assert codes(doc) == [("ephemeral-ports-low", "warning")]
            f = doc["findings"][0]
            assert (f["count"], f["limit"]) == (8, 10)
            assert f["headline"] == ("8 de los 10 puertos efímeros (80 %) están en uso "
                                     f"desde 127.0.0.1 hacia {to}")
            assert doc["ephemeral_ports"] == {"first": 40000, "last": 40009,
                                              "source": "/proc/sys/net/ipv4/"
                                                        "ip_local_port_range"}
            pairs += connected_pairs(lst, 2)
            d = h.diagnose(to=to, probe=True, interval=0.2)
            assert [(x.code, x.severity) for x in d] == [
                ("ephemeral-ports-low", "critical"), ("no-ephemeral-port", "critical")]
            assert d.probe["result"] == "no-port" and d.probe["os_error_name"] == "EADDRNOTAVAIL"
            assert d[1].headline == f"No free local port to connect to {to} (EADDRNOTAVAIL)"
            assert (d[1].count, d[1].limit) == (10, 10)
    finally:
        for c, s in pairs:
            c.close()
            s.close()
        lst.close()


def test_time_wait_pile():
    """With 10 ephemeral ports, 5 connections this host closed first wait
    in TIME_WAIT: half the range."""
    sysctl("net.ipv4.ip_local_port_range", "40000 40009")
    lst = listener(PORT, host="127.0.0.1")
    pairs = connected_pairs(lst, 5)
    for c, s in pairs:
        c.close()
        assert select.select([s], [], [], 10)[0] and s.recv(1) == b""
        s.close()
    try:
        with handle() as h:
            wait_for(lambda: len(h.connections("TIME_WAIT", dport=PORT)) == 5,
                     "5 TIME_WAIT sockets")
            doc = cli_diagnose("--interval", "0.2")
            assert codes(doc) == [("time-wait-pile", "warning")]
            f = doc["findings"][0]
            assert (f["count"], f["limit"]) == (5, 10)
            assert f["headline"] == ("5 outgoing connections wait in TIME_WAIT: 50 % of "
                                     "the 10 ephemeral ports")
            d = h.diagnose(interval=0.2, lang="es")
            assert d.codes() == ["time-wait-pile"]
            assert d[0].headline == ("5 conexiones salientes esperan en TIME_WAIT: el 50 % "
                                     "de los 10 puertos efímeros")
    finally:
        lst.close()


# ------------------------------------------------------------ the probe

def test_probe_refused():
    """Nothing on the port: the probe is refused at once, and, the
    destination being this host, nothing listens there."""
    to = f"127.0.0.1:{PORT}"
    with handle() as h:
        doc = cli_diagnose("--to", to, "--probe", "--interval", "0.2")
        assert codes(doc) == [("no-listener", "critical"), ("connection-refused", "critical")]
        refused = doc["findings"][1]
        assert refused["headline"].startswith(f"{to} refused the connection (ECONNREFUSED, "
                                              "after ")
        assert refused["counters"]["attempt_fails"]["delta"] == 1
        assert doc["probe"]["result"] == "refused"
        d = h.diagnose(to=to, probe=True, interval=0.2, lang="es")
        assert d.codes() == ["no-listener", "connection-refused"]
        assert d[1].headline.startswith(f"{to} rechazó la conexión (ECONNREFUSED, tras ")


def test_probe_no_route():
    """A namespace with loopback only has no route to 192.0.2.1."""
    with handle() as h:
        doc = cli_diagnose("--to", "192.0.2.1:80", "--probe", "--interval", "0", lang="es")
        assert codes(doc) == [("no-route", "critical")]
        assert doc["findings"][0]["headline"] == ("No hay ruta hasta 192.0.2.1:80 "
                                                  "(ENETUNREACH)")
        d = h.diagnose(to="192.0.2.1:80", probe=True, interval=0)
        assert d.codes() == ["no-route"]
        assert d.window["counters"] == "since-boot"
        assert d.checks["retransmissions-high"] == ("not-judged", ("since-boot",))


def test_probe_connects():
    lst = listener(PORT, host="127.0.0.1")
    try:
        doc = cli_diagnose("--to", f"127.0.0.1:{PORT}", "--probe", "--interval", "0.2",
                           expect_exit=0)
        assert codes(doc) == [] and doc["probe"]["result"] == "connected"
    finally:
        lst.close()


# ------------------------------------------------------------ no false alarm

def test_quiet_namespace_gives_no_warning():
    """Healthy traffic: a server answering clients, some connections kept,
    some closed by the clients (TIME_WAIT on their side), data both ways:
    nothing to report, in either language, through either."""
    lst = listener(PORT)
    stop = threading.Event()
    served = []

    def serve():
        while not stop.is_set():
            r, _, _ = select.select([lst] + served, [], [], 0.05)
            for s in r:
                if s is lst:
                    served.append(lst.accept()[0])
                    continue
                data = s.recv(65536)
                if data:
                    s.sendall(data)
                else:
                    served.remove(s)
                    s.close()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    kept = []
    try:
        for i in range(20):
            c = socket.create_connection(("127.0.0.1", PORT))
            c.sendall(b"hello")
            assert c.recv(5) == b"hello"
            if i % 2:
                c.close()
            else:
                kept.append(c)
        for lang, exit_code in (("en", 0), ("es", 0)):
            doc = cli_diagnose("--interval", "0.5", lang=lang, expect_exit=exit_code)
            assert codes(doc) == []
            assert all(c["status"] in ("clear", "not-asked") for c in doc["checks"]), \
                doc["checks"]
        proc = run("diagnose", "--interval", "0.3", "--lang", "es")
        assert proc.returncode == 0 and proc.stdout.decode().startswith(
            "No se encontró ningún problema.\n")
        with handle() as h:
            d = h.diagnose(interval=0.5)
            assert not d and d.exit_code == 0 and d.worst is None
            d = h.diagnose(port=PORT, interval=0.3, lang="es")
            assert d.codes() == []
    finally:
        stop.set()
        server.join(timeout=10)
        for c in kept:
            c.close()
        lst.close()


def test_module_function_and_counters():
    """sockstate.diagnose() and sockstate.counters() on the module's default
    handle (a process of its own: the default handle is opened once)."""
    code = f"""
import json, socket, sockstate
c = sockstate.counters()
assert c.native["attempt_fails"] == "TcpAttemptFails" and c["attempt_fails"] == 0, c
d = sockstate.diagnose(to="127.0.0.1:{PORT}", probe=True, interval=0)
print(json.dumps(d.codes()))
assert sockstate.counters()["attempt_fails"] == 1
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b'["no-listener", "connection-refused"]\n'
