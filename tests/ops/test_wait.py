"""`sockstate wait`: real listeners and connections opened, held and closed
while wait polls; every outcome and message checked. A test that changes
sockets while wait runs does it from another thread and checks that wait
returns within about one interval of the change."""

import os
import socket
import subprocess
import threading
import time

import pytest

from conftest import CLI, needs_cli, needs_private, rst_close, run

pytestmark = [needs_cli]

INTERVAL = 0.1


def start_wait(*args):
    return subprocess.Popen([CLI, "wait", *[str(a) for a in args]],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(proc, timeout=20):
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out.decode(), err.decode()


def later(seconds, action):
    """Run action on another thread after `seconds`; returns the thread and
    a list that gets the monotonic time the action finished."""
    done = []

    def body():
        time.sleep(seconds)
        action()
        done.append(time.monotonic())
    t = threading.Thread(target=body)
    t.start()
    return t, done


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- --listen

def test_listen_returns_once_something_listens():
    port = free_port()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

    def open_listener():
        listener.bind(("127.0.0.1", port))
        listener.listen(4)
    proc = start_wait("--listen", port, "--timeout", 20, "--interval", INTERVAL)
    thread, done = later(0.5, open_listener)
    code, out, err = finish(proc)
    returned = time.monotonic()
    thread.join()
    listener.close()
    assert (code, out, err) == (0, "", "")
    assert returned - done[0] < INTERVAL + 0.5, "wait did not notice the listener promptly"


def test_listen_already_there_is_immediate(service):
    svc = service()
    started = time.monotonic()
    proc = run("wait", "--listen", svc.port, "--timeout", 30)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    assert time.monotonic() - started < 2


def test_listen_timeout_says_nothing_listens():
    port = free_port()
    started = time.monotonic()
    proc = run("wait", "--listen", port, "--timeout", "0.4", "--interval", INTERVAL)
    took = time.monotonic() - started
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert proc.stderr.decode() == (f"sockstate: wait: timed out after 0.4s: nothing "
                                    f"listens on port {port}\n")
    assert 0.4 <= took < 3


def test_listen_ignores_a_connection_from_the_port(service):
    # A socket whose *local* port is P but which is not listening does not
    # count: bind a client to P and connect elsewhere.
    svc = service()
    port = free_port()
    client = socket.socket()
    client.bind(("127.0.0.1", port))
    client.connect(("127.0.0.1", svc.port))
    server, _ = svc.listener.accept()
    try:
        proc = run("wait", "--listen", port, "--timeout", 0)
        assert proc.returncode == 1
    finally:
        rst_close(client)
        rst_close(server)


# ---------------------------------------------------------------- --drained

def test_drained_returns_when_the_connections_close(service):
    svc = service(2)
    proc = start_wait("--drained", svc.port, "--timeout", 20, "--interval", INTERVAL)

    def close_all():
        for client, server in svc.pairs:
            rst_close(client)
            rst_close(server)
        svc.pairs = []
    time.sleep(0.3)
    assert proc.poll() is None, "wait returned while connections were open"
    thread, done = later(0.2, close_all)
    code, out, err = finish(proc)
    returned = time.monotonic()
    thread.join()
    assert (code, out, err) == (0, "", "")
    assert returned - done[0] < INTERVAL + 0.5


def test_drained_ignores_listen_and_time_wait_by_default(service):
    svc = service(1)
    client, server = svc.pairs.pop()
    server.close()          # the server closes first: it keeps TIME_WAIT
    client.close()
    time.sleep(0.1)
    proc = run("--state", "TIME-WAIT", "--sport", svc.port)
    assert b"TIME_WAIT" in proc.stdout, proc.stdout
    proc = run("wait", "--drained", svc.port, "--timeout", 0)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    # Named explicitly, in another OS's spelling, TIME_WAIT does block.
    proc = run("wait", "--drained", svc.port, "--timeout", 0, "--states", "TimeWait")
    assert proc.returncode == 1
    assert "1 socket (TIME_WAIT 1)" in proc.stderr.decode()


def test_drained_timeout_lists_the_blockers(service):
    svc = service(2)
    proc = run("wait", "--drained", svc.port, "--timeout", "0.3", "--interval", INTERVAL)
    assert proc.returncode == 1
    assert proc.stderr.decode() == (
        f"sockstate: wait: timed out after 0.3s: port {svc.port} is not drained: "
        f"2 sockets (ESTABLISHED 2) still there\n")
    lines = proc.stdout.decode().splitlines()
    assert lines[0].split()[:4] == ["State", "Native", "Recv-Q", "Send-Q"]
    rows = sorted((ln.split()[0], ln.split()[4], ln.split()[5]) for ln in lines[1:])
    assert rows == sorted(("ESTABLISHED", f"127.0.0.1:{svc.port}", f"127.0.0.1:{c}")
                          for c in svc.client_ports())


def test_close_wait_blocks_until_the_application_closes(service):
    svc = service(1)
    client, server = svc.pairs.pop()
    client.close()          # the peer leaves: our side sits in CLOSE_WAIT
    time.sleep(0.1)
    proc = run("wait", "--drained", svc.port, "--timeout", 0, "-p")
    assert proc.returncode == 1
    assert "1 socket (CLOSE_WAIT 1)" in proc.stderr.decode()
    header, row = proc.stdout.decode().splitlines()
    assert header.split()[-2:] == ["Pid", "Process"]
    assert row.split()[0] == "CLOSE_WAIT" and row.split()[1] == "CLOSE-WAIT"
    assert int(row.split()[6]) == __import__("os").getpid()
    proc = start_wait("--drained", svc.port, "--timeout", 20, "--interval", INTERVAL)
    thread, done = later(0.3, server.close)
    code, out, err = finish(proc)
    thread.join()
    assert (code, out, err) == (0, "", "")


def test_states_option_takes_any_spelling(service):
    svc = service(1)
    for spelling in ("LISTEN", "Listen", "MIB_TCP_STATE_LISTEN", "0A", "listening"):
        proc = run("wait", "--drained", svc.port, "--timeout", 0, "--states", spelling)
        assert proc.returncode == 1, spelling
        assert "1 socket (LISTEN 1)" in proc.stderr.decode(), spelling
    proc = run("wait", "--drained", svc.port, "--timeout", 0, "--states", "SYN-RECV,FIN_WAIT1")
    assert proc.returncode == 0


def test_exclude_remote_prefixes(service):
    svc = service(1)
    svc6 = service(1, family=socket.AF_INET6, host="::1")
    assert run("wait", "--drained", svc.port, "--timeout", 0).returncode == 1
    proc = run("wait", "--drained", svc.port, "--timeout", 0,
               "--exclude-remote", "127.0.0.0/8")
    assert (proc.returncode, proc.stderr) == (0, b"")
    proc = run("wait", "--drained", svc.port, "--timeout", 0,
               "--exclude-remote", "10.0.0.0/8")
    assert proc.returncode == 1
    proc = run("wait", "--drained", svc6.port, "--timeout", 0,
               "--exclude-remote", "127.0.0.1", "--exclude-remote", "[::1]")
    assert proc.returncode == 0
    proc = run("wait", "--drained", svc6.port, "--timeout", 0,
               "--exclude-remote", "127.0.0.1")
    assert proc.returncode == 1


@pytest.mark.parametrize("backend", ["linux-netlink", "linux-proc"])
def test_both_backends(service, backend):
    svc = service(1)
    proc = run("wait", "--drained", svc.port, "--timeout", 0, "--backend", backend)
    assert proc.returncode == 1
    assert "1 socket (ESTABLISHED 1)" in proc.stderr.decode()
    proc = run("wait", "--listen", svc.port, "--timeout", 0, "--backend", backend)
    assert proc.returncode == 0


@needs_private
def test_a_kernel_filtered_check_sees_only_the_port(service):
    # 200 other connections on another port: the check's answer and its
    # listing concern the one port only.
    noise = service(200)
    svc = service(1)
    proc = run("wait", "--drained", svc.port, "--timeout", 0)
    assert proc.returncode == 1
    assert "1 socket (ESTABLISHED 1)" in proc.stderr.decode()
    assert len(proc.stdout.decode().splitlines()) == 2
    assert noise.port != svc.port


def test_bad_usage_is_exit_2():
    proc = run("wait", "--drained", "80", "--listen", "81")
    assert proc.returncode == 2
    assert proc.stderr == b"sockstate: --listen: conflicts with --drained\n"


def test_waiting_sleeps_instead_of_spinning():
    # 1.5 s of waiting at a 0.25 s interval: a handful of checks, so the
    # process uses a small fraction of a CPU second, not 1.5 s of it.
    port = free_port()
    proc = subprocess.Popen([CLI, "wait", "--listen", str(port), "--timeout", "1.5",
                             "--interval", "0.25"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 1
    assert usage.ru_utime + usage.ru_stime < 0.3, usage
