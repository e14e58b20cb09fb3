"""`sockstate watch`: on a terminal (tmux: send-keys, capture-pane) the
screen is redrawn in place with each state's change since the last
refresh and the busiest ports; through a pipe one plain line per refresh.
The test changes sockets between refreshes and reads the change; Ctrl-C
(SIGINT) ends it with exit 0."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import CLI, needs_cli, needs_private, wait_until

pytestmark = [needs_cli, needs_private]

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ total=(\d+)(\([+-]\d+\))?(.*) "
                  r"ports=(\S*)$")


def parse_line(line):
    m = LINE.match(line)
    assert m, line
    states = dict(re.findall(r" (\w+)=(\d+(?:\([+-]\d+\))?)", m.group(3)))
    return int(m.group(1)), m.group(2), states, m.group(4)


def test_plain_lines_when_not_a_terminal(service):
    svc = service(1)
    proc = subprocess.Popen([CLI, "watch", "--interval", "0.3", "--port", str(svc.port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        total, change, states, ports = parse_line(proc.stdout.readline().rstrip("\n"))
        assert (total, change) == (3, None)
        assert states == {"LISTEN": "1", "ESTABLISHED": "2"}
        cport = svc.client_ports()[0]
        assert ports == f"{svc.port}:2,{cport}:1"
        svc.connect()
        svc.connect()
        # The next line that sees them (one may have been taken before).
        for _ in range(5):
            total, change, states, ports = parse_line(proc.stdout.readline().rstrip("\n"))
            if total == 7:
                break
        assert (total, change) == (7, "(+4)")
        assert states == {"LISTEN": "1(+0)", "ESTABLISHED": "6(+4)"}
        assert ports.startswith(f"{svc.port}:4,")
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert err == ""


def test_sigterm_also_ends_it_cleanly():
    proc = subprocess.Popen([CLI, "--watch=5", "--port", "1"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    # The 5-second sleep is cut short by the signal.
    assert time.monotonic() - started < 2
    assert proc.returncode == 0 and err == ""
    assert parse_line(first.rstrip("\n"))[0] == 0


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed "
                    "(Debian: apt-get install tmux)")
def test_redraws_in_place_on_a_terminal(service, tmp_path):
    svc = service(1)
    # A private server in a short directory of its own (a socket path is
    # limited to 108 bytes), removed afterwards with its socket.
    tmux_dir = tempfile.mkdtemp(prefix="sst-tmux-")
    env = dict(os.environ, TMUX_TMPDIR=tmux_dir)
    env.pop("TMUX", None)
    status = tmp_path / "status"

    def tmux(*args):
        return subprocess.run(["tmux", "-L", "watch", "-f", "/dev/null", *args],
                              capture_output=True, text=True, check=False, timeout=10,
                              env=env)

    def screen():
        return tmux("capture-pane", "-p", "-t", "watch").stdout

    command = (f"{CLI} watch --interval 0.3 --port {svc.port}; "
               f"echo $? > {status}; sleep 30")
    assert tmux("new-session", "-d", "-s", "watch", "-x", "120", "-y", "40",
                command).returncode == 0
    try:
        first = wait_until(lambda: "ESTABLISHED" in screen() and screen(), timeout=10)
        assert first, screen()
        lines = first.splitlines()
        assert lines[0].startswith("sockstate watch  every 0.3s  ")
        assert lines[0].endswith("(Ctrl-C quits)")
        assert "State" in lines[2] and "Count" in lines[2] and "Change" in lines[2]
        rows = {ln.split()[0]: ln.split()[1:] for ln in lines[3:] if ln.strip()}
        assert rows["LISTEN"][0] == "1" and rows["ESTABLISHED"][0] == "2"
        svc.connect()
        svc.connect()

        def changed():
            text = screen()
            for ln in text.splitlines():
                if ln.startswith("ESTABLISHED") and ln.split()[1:3] == ["6", "+4"]:
                    return text
            return None
        text = wait_until(changed, timeout=10)
        assert text, screen()
        rows = {}
        for ln in text.splitlines():
            parts = ln.split()
            if parts and parts[0] in ("LISTEN", "ESTABLISHED", "TOTAL") and parts[0] not in rows:
                rows[parts[0]] = parts[1:]
        assert rows["LISTEN"] == ["1", "+0"]
        assert rows["ESTABLISHED"] == ["6", "+4"]
        assert rows["TOTAL"] == ["7", "+4"]
        # In place: one title on the screen, not a scroll of them.
        assert text.count("sockstate watch") == 1
        ports = text[text.index("Busiest local ports:"):].splitlines()
        assert ports[1].split()[:4] == ["Port", "Total", "LISTEN", "ESTABLISHED"]
        assert ports[2].split() == [str(svc.port), "4", "1", "3"]
        tmux("send-keys", "-t", "watch", "C-c")
        assert wait_until(lambda: status.exists() and status.read_text().strip(),
                          timeout=10) == "0"
    finally:
        tmux("kill-server")
        shutil.rmtree(tmux_dir, ignore_errors=True)
