"""`sockstate watch`: on a terminal (tmux: send-keys, capture-pane) the
screen is redrawn in place with each state's change since the last
refresh and the busiest ports, fitted to the window (80 x 24, and again
at once after a resize), the filters in its title, coloured unless
NO_COLOR; through a pipe one plain line per refresh. The test changes
sockets between refreshes and reads the change; Ctrl-C (SIGINT) ends it
with exit 0."""

import os
import re
import shutil
import signal
import socket
import struct
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


needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not "
                                "installed (Debian: apt-get install tmux)")


class Tmux:
    """A private tmux server (its own socket directory, removed after)
    running one command in a window of a given size."""

    def __init__(self, command, cols, rows, env=None):
        # A socket path is limited to 108 bytes: a short directory.
        self.dir = tempfile.mkdtemp(prefix="sst-tmux-")
        self.env = dict(os.environ if env is None else env, TMUX_TMPDIR=self.dir)
        self.env.pop("TMUX", None)
        assert self.run("new-session", "-d", "-s", "watch", "-x", str(cols), "-y",
                        str(rows), command).returncode == 0

    def run(self, *args):
        return subprocess.run(["tmux", "-L", "watch", "-f", "/dev/null", *args],
                              capture_output=True, text=True, check=False, timeout=10,
                              env=self.env)

    def screen(self, escapes=False):
        return self.run("capture-pane", "-p", *(["-e"] if escapes else []),
                        "-t", "watch").stdout

    def history(self):
        """Lines pushed off the top of the window into the scrollback."""
        return int(self.run("display", "-p", "-t", "watch", "#{history_size}").stdout)

    def resize(self, cols, rows):
        assert self.run("resize-window", "-t", "watch", "-x", str(cols),
                        "-y", str(rows)).returncode == 0

    def close(self):
        self.run("kill-server")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def tmux():
    made = []

    def start(command, cols, rows, env=None):
        t = Tmux(command, cols, rows, env)
        made.append(t)
        return t
    yield start
    for t in made:
        t.close()


def state_rows(text):
    """{STATE or TOTAL: [count, change...]} of the first table."""
    rows = {}
    for ln in text.splitlines():
        parts = ln.split()
        if parts and re.fullmatch(r"[A-Z_0-9]+", parts[0]) and parts[0] not in rows:
            rows[parts[0]] = parts[1:]
        if parts and parts[0] == "TOTAL":
            break
    return rows


@needs_tmux
def test_redraws_in_place_on_a_terminal(service, tmp_path, tmux):
    svc = service(1)
    status = tmp_path / "status"
    command = (f"{CLI} watch --interval 0.3 --port {svc.port}; "
               f"echo $? > {status}; sleep 30")
    t = tmux(command, 120, 40)
    first = wait_until(lambda: "ESTABLISHED" in t.screen() and t.screen(), timeout=10)
    assert first, t.screen()
    lines = first.splitlines()
    # The active filter is in the title; there is room for all the rest.
    assert lines[0].startswith(f"sockstate watch  --port {svc.port}  every 0.3s  ")
    assert lines[0].endswith("(Ctrl-C quits)")
    assert "State" in lines[2] and "Count" in lines[2] and "Change" in lines[2]
    rows = state_rows(first)
    assert rows["LISTEN"][0] == "1" and rows["ESTABLISHED"][0] == "2"
    svc.connect()
    svc.connect()

    def changed():
        text = t.screen()
        return text if state_rows(text).get("ESTABLISHED") == ["6", "+4"] else None
    text = wait_until(changed, timeout=10)
    assert text, t.screen()
    rows = state_rows(text)
    assert rows["LISTEN"] == ["1", "+0"]
    assert rows["ESTABLISHED"] == ["6", "+4"]
    assert rows["TOTAL"] == ["7", "+4"]
    # In place: one title on the screen, not a scroll of them.
    assert text.count("sockstate watch") == 1
    assert t.history() == 0
    ports = text[text.index("Busiest local ports:"):].splitlines()
    assert ports[1].split()[:4] == ["Port", "Total", "LISTEN", "ESTABLISHED"]
    assert ports[2].split() == [str(svc.port), "4", "1", "3"]
    t.run("send-keys", "-t", "watch", "C-c")
    assert wait_until(lambda: status.exists() and status.read_text().strip(),
                      timeout=10) == "0"


class Crowd:
    """12 listeners, each with one connection, and on three of them the
    connection closed by the client alone (FIN_WAIT_2 / CLOSE_WAIT) or by
    both (TIME_WAIT): five states and 24 local ports, enough to need more
    than 24 lines at 80 x 24 the old way (issue 22)."""

    def __init__(self):
        self.socks = []
        self.listeners = []
        for i in range(12):
            lst = socket.socket()
            lst.bind(("127.0.0.1", 0))
            lst.listen(8)
            self.listeners.append(lst)
            client = socket.create_connection(lst.getsockname())
            server, _ = lst.accept()
            if i in (0, 1):         # FIN_WAIT_2 here, CLOSE_WAIT there
                client.close()
                self.socks.append(server)
            elif i == 2:            # TIME_WAIT on the client's side
                client.close()
                server.close()
            else:
                self.socks += [client, server]

    def close(self):
        for s in self.socks + self.listeners:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()


@pytest.fixture
def crowd():
    c = Crowd()
    yield c
    c.close()


def fits(text, cols, rows):
    lines = text.rstrip("\n").split("\n")
    return len(lines) <= rows and max(len(ln) for ln in lines) <= cols


@needs_tmux
def test_fits_80_by_24_with_its_title(crowd, tmux):
    t = tmux(f"{CLI} watch --interval 0.3; sleep 30", 80, 24)
    text = wait_until(lambda: "TIME_WAIT" in t.screen() and t.screen(), timeout=10)
    assert text, t.screen()
    lines = text.splitlines()
    assert lines[0].startswith("sockstate watch  every 0.3s  "), lines[0]
    assert fits(text, 80, 24)
    rows = state_rows(text)
    assert {k: v[0] for k, v in rows.items()} == {
        "LISTEN": "12", "ESTABLISHED": "18", "FIN_WAIT_2": "2", "CLOSE_WAIT": "2",
        "TIME_WAIT": "1", "TOTAL": "35"}
    table = text[text.index("Busiest local ports:"):].rstrip("\n").splitlines()
    # As many ports as fit, then the rest in one row, then the total.
    assert table[-1].split()[:2] == ["TOTAL", "35"]
    assert re.fullmatch(r"\(\d+ more\)", " ".join(table[-2].split()[:2]))
    assert len(lines) == 24 and lines[-1] == table[-1]
    # Refreshes (the change column appears) push nothing into the
    # scrollback.
    assert wait_until(lambda: "+0" in t.screen(), timeout=10)
    assert t.history() == 0


@needs_tmux
def test_a_resize_redraws_at_once_to_the_new_size(crowd, tmux):
    # A refresh every 1000 s: only the resize (SIGWINCH) can redraw. At
    # 120 x 40 every port fits.
    t = tmux(f"{CLI} watch --interval 1000 --top 30; sleep 30", 120, 40)
    text = wait_until(lambda: "TIME_WAIT" in t.screen() and t.screen(), timeout=10)
    assert text, t.screen()
    assert text.splitlines()[0].endswith("(Ctrl-C quits)")
    assert "more)" not in text
    t.resize(50, 16)
    text = wait_until(lambda: "more)" in t.screen() and t.screen(), timeout=10)
    assert text, t.screen()
    assert fits(text, 50, 16)
    lines = text.rstrip("\n").splitlines()
    assert lines[0].startswith("sockstate watch  every 1000s  ")
    assert state_rows(text)["TOTAL"][0] == "35"
    assert lines[-1].split()[:2] == ["TOTAL", "35"]


@needs_tmux
def test_colour_and_no_color(service, tmux):
    svc = service(1)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm-256color"
    coloured = tmux(f"{CLI} watch --interval 0.3 --port {svc.port}; sleep 30", 80, 24,
                    env=env)
    plain = tmux(f"NO_COLOR=1 {CLI} watch --interval 0.3 --port {svc.port}; sleep 30",
                 80, 24, env=env)
    for t in (coloured, plain):
        assert wait_until(lambda: "ESTABLISHED" in t.screen(), timeout=10), t.screen()
    # The title is a reverse-video bar; with NO_COLOR no attribute at all.
    assert "\x1b[7m" in coloured.screen(escapes=True).splitlines()[0]
    assert "\x1b[" not in plain.screen(escapes=True)
    assert plain.screen().splitlines()[0].startswith(
        f"sockstate watch  --port {svc.port}  every 0.3s")


@needs_tmux
def test_filters_in_the_title_are_the_options_again(service, tmux):
    svc = service(1)
    t = tmux(f"{CLI} watch --interval 0.3 --state estab,listen -4 --port {svc.port} "
             "--daddr 127.0.0.0/8 --uid 0; sleep 30", 120, 24)
    text = wait_until(lambda: "ESTABLISHED" in t.screen() and t.screen(), timeout=10)
    assert text, t.screen()
    assert text.splitlines()[0].startswith(
        f"sockstate watch  --state LISTEN,ESTABLISHED -4 --port {svc.port} "
        "--daddr 127.0.0.0/8 --uid 0  every 0.3s  ")
