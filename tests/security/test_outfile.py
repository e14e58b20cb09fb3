"""-o FILE as root in shared places (libsockstate/cli/outfile.c; for
`report -o`, sockstate/_atomic.py): a device or FIFO is written into,
never renamed over; what is not a regular file is refused; a link another
user planted in a sticky world-writable directory is not followed; a
replaced file keeps its owner but never setuid, setgid or another user's
world-write bit; no temporary file survives a signal or a file-size
limit. Every device node, FIFO and link is made in the test's own
temporary directory, never the machine's /dev."""

import os
import pathlib
import resource
import shutil
import signal
import socket
import stat
import subprocess
import threading

import pytest

from conftest import (NOBODY, clean_env, needs_cli, needs_root,
                      one_line, run, tool_argv)

pytestmark = needs_cli

# python -m sockstate runs the C tool in-process: the same writer.
TOOLS = ["cli", "python"]
ARGS = ["--csv", "--port", "1"]
HEADER = (b"family,state,native_state,native_code,local_address,local_port,"
          b"remote_address,remote_port,rx_queue,tx_queue,uid,inode\r\n")


def leftovers(directory, name):
    return sorted(p.name for p in pathlib.Path(directory).iterdir()
                  if p.name.startswith(name + "."))


@needs_root
@pytest.mark.parametrize("tool", TOOLS)
def test_a_character_device_is_written_into_not_replaced(tool, tmp_path):
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    proc = run(tool_argv(tool) + ARGS + ["-o", null])
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert null.lstat().st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


@pytest.mark.parametrize("tool", TOOLS)
def test_a_fifo_is_written_into(tool, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = run(tool_argv(tool) + ARGS + ["-o", fifo])
    reader.join(timeout=60)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert got == [HEADER]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


@pytest.mark.parametrize("tool", TOOLS)
def test_a_link_to_standard_output_writes_there(tool, tmp_path):
    """/dev/stdout is a link to /proc/self/fd/1: here is one of our own."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    proc = run(tool_argv(tool) + ARGS + ["-o", link])
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, HEADER, b"")
    assert os.readlink(link) == "/proc/self/fd/1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stdout"]


@pytest.mark.parametrize("tool", TOOLS)
def test_a_socket_or_a_directory_is_refused_before_writing(tool, tmp_path):
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock"))
    (tmp_path / "dir").mkdir()
    try:
        for name, kind in (("sock", "a socket"), ("dir", "a directory")):
            proc = run(tool_argv(tool) + ARGS + ["-o", tmp_path / name])
            assert (proc.returncode, proc.stdout) == (3, b"")
            assert one_line(proc.stderr) == (
                f"{tmp_path / name}: not replaced: {kind} (only a regular file is "
                "replaced; a character device or a FIFO is written into)")
        assert stat.S_ISSOCK((tmp_path / "sock").lstat().st_mode)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "sock"]
        assert list((tmp_path / "dir").iterdir()) == []
    finally:
        sock.close()


def sticky_dir(tmp_path):
    d = tmp_path / "shared"
    d.mkdir()
    d.chmod(0o1777)
    return d


def planted_link(tmp_path, name):
    """A link `name` that `nobody` planted in a sticky world-writable
    directory, to a file only root may write. Returns (link, victim)."""
    victim = tmp_path / "victim"
    victim.write_bytes(b"root only\n")
    victim.chmod(0o600)
    link = sticky_dir(tmp_path) / name
    link.symlink_to(victim)
    os.lchown(link, NOBODY.pw_uid, NOBODY.pw_gid)
    return link, victim


@needs_root
@pytest.mark.parametrize("tool", TOOLS)
def test_a_link_another_user_planted_in_a_sticky_directory_is_not_followed(tool,
                                                                           tmp_path):
    """fs.protected_symlinks' rule, whatever the sysctl says."""
    link, victim = planted_link(tmp_path, "out.csv")
    shared = link.parent
    proc = run(tool_argv(tool) + ARGS + ["-o", link])
    assert (proc.returncode, proc.stdout) == (3, b"")
    assert one_line(proc.stderr) == (
        f"{link}: refusing to follow the symbolic link {link}: another user owns it "
        "in a sticky world-writable directory")
    assert victim.read_bytes() == b"root only\n"
    assert os.readlink(link) == str(victim)
    assert sorted(p.name for p in shared.iterdir()) == ["out.csv"]


@pytest.mark.parametrize("tool", TOOLS)
def test_a_link_of_ones_own_replaces_the_file_it_points_to(tool, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    target = data / "snap.csv"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    proc = run(tool_argv(tool) + ARGS + ["-o", link])
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    assert os.readlink(link) == str(target)
    assert target.read_bytes() == HEADER
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in data.iterdir()) == ["snap.csv"]


@needs_root
@pytest.mark.parametrize("tool", TOOLS)
def test_a_file_of_another_user_keeps_its_owner_not_its_mode(tool, tmp_path):
    shared = sticky_dir(tmp_path)
    theirs = shared / "theirs.csv"
    theirs.write_bytes(b"old\n")
    os.chown(theirs, NOBODY.pw_uid, NOBODY.pw_gid)
    theirs.chmod(0o6777)
    old = os.umask(0o022)
    try:
        proc = run(tool_argv(tool) + ARGS + ["-o", theirs])
    finally:
        os.umask(old)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    st = theirs.stat()
    assert (st.st_uid, st.st_gid) == (NOBODY.pw_uid, NOBODY.pw_gid)
    assert stat.S_IMODE(st.st_mode) == 0o644
    assert theirs.read_bytes() == HEADER


@pytest.mark.parametrize("tool", TOOLS)
def test_a_file_of_ones_own_keeps_its_permission_bits_only(tool, tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_bytes(b"old\n")
    mine.chmod(0o6751)
    proc = run(tool_argv(tool) + ARGS + ["-o", mine])
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    assert stat.S_IMODE(mine.stat().st_mode) == 0o751
    assert mine.stat().st_uid == os.geteuid()


@pytest.mark.parametrize("tool", TOOLS)
def test_a_file_size_limit_fails_the_write_and_leaves_no_temporary_file(tool, tmp_path):
    """SIGXFSZ would kill the tool with its temporary file left behind:
    it is ignored, the write fails with EFBIG, and the file is removed."""
    target = tmp_path / "snap.json"
    target.write_bytes(b"old\n")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))

    proc = run(tool_argv(tool) + ["--json", "-o", target], preexec_fn=limit)
    assert (proc.returncode, proc.stdout) == (3, b"")
    assert one_line(proc.stderr) == f"{target}: write: File too large"
    assert target.read_bytes() == b"old\n"
    assert leftovers(tmp_path, "snap.json") == []


def signal_while_writing(argv, target, sig):
    """argv + [target], sent sig by strace as it enters fsync (the
    temporary file written, not yet renamed): target keeps its old
    content, and no temporary file is left."""
    target.write_bytes(b"old\n")
    proc = run(["strace", "-f", "-qq", "-o", os.devnull, "-e", "trace=fsync",
                "-e", f"inject=fsync:signal={signal.Signals(sig).name}:when=1",
                *argv, target])
    assert proc.returncode != 0, proc.stderr
    assert target.read_bytes() == b"old\n"
    assert leftovers(target.parent, target.name) == []


needs_strace = pytest.mark.skipif(shutil.which("strace") is None,
                                  reason="strace (Makefile DEBIAN_PACKAGES) pauses the write")


@needs_strace
@pytest.mark.parametrize("sig", [signal.SIGALRM, signal.SIGUSR1, signal.SIGUSR2,
                                 signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("tool", TOOLS)
def test_a_signal_leaves_no_temporary_file(tool, sig, tmp_path):
    signal_while_writing(tool_argv(tool) + ["--json", "-o"], tmp_path / "snap.json", sig)


# ---- python -m sockstate snapshot -o: the C tool's writer too ----

SNAPSHOT_ARGV = tool_argv("python") + ["snapshot", "--port", "1"]


@needs_root
def test_python_snapshot_writes_into_a_device(tmp_path):
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    proc = run(SNAPSHOT_ARGV + ["-o", null])
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    assert stat.S_ISCHR(null.lstat().st_mode)


@needs_root
def test_python_snapshot_refuses_a_planted_link_and_keeps_owners(tmp_path):
    link, victim = planted_link(tmp_path, "snap.json")
    shared = link.parent
    proc = run(SNAPSHOT_ARGV + ["-o", link])
    assert proc.returncode == 3
    assert victim.read_bytes() == b"root only\n"
    theirs = shared / "theirs.json"
    theirs.write_bytes(b"old\n")
    os.chown(theirs, NOBODY.pw_uid, NOBODY.pw_gid)
    theirs.chmod(0o6777)
    proc = run(SNAPSHOT_ARGV + ["-o", theirs], preexec_fn=lambda: os.umask(0o022))
    assert (proc.returncode, proc.stderr) == (0, b"")
    st = theirs.stat()
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (NOBODY.pw_uid, 0o644)


# ---- report -o: the Python atomic writer (sockstate/_atomic.py) ----

SNAPSHOT = (b'{"schema":"sockstate/1","host":"h","os":null,"backend":"linux-netlink",'
            b'"library_version":"0.1.0","taken_at":null,"pid_source":null,"total":0,'
            b'"counts":{},"sockets":[]}\n')


def report(tmp_path, *args, **kw):
    snap = tmp_path / "h.json"
    if not snap.exists():
        snap.write_bytes(SNAPSHOT)
    return run(tool_argv("python") + ["report", snap, "--format", "md", *args], **kw)


@needs_root
def test_report_writes_into_a_device_and_a_fifo(tmp_path):
    expected = report(tmp_path).stdout
    assert expected.startswith(b"# TCP sockets across 1 host\n")
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    proc = report(tmp_path, "-o", null)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert stat.S_ISCHR(null.lstat().st_mode)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = report(tmp_path, "-o", fifo)
    reader.join(timeout=60)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert got == [expected]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "h.json", "null"]


@needs_root
def test_report_refuses_a_planted_link_and_what_is_not_a_file(tmp_path):
    link, victim = planted_link(tmp_path, "report.md")
    proc = report(tmp_path, "-o", link)
    assert proc.returncode == 3
    assert one_line(proc.stderr, "sockstate report") == (
        f"{link}: refusing to follow the symbolic link {link}: another user owns it "
        "in a sticky world-writable directory")
    assert victim.read_bytes() == b"root only\n"
    proc = report(tmp_path, "-o", tmp_path)
    assert proc.returncode == 3
    assert one_line(proc.stderr, "sockstate report") == (
        f"{tmp_path}: not replaced: a directory (only a regular file is replaced; a "
        "character device or a FIFO is written into)")


def test_report_honours_the_umask_and_the_old_mode(tmp_path):
    new = tmp_path / "new.md"
    proc = report(tmp_path, "-o", new, preexec_fn=lambda: os.umask(0o077))
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    new.chmod(0o4640)
    proc = report(tmp_path, "-o", new)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert stat.S_IMODE(new.stat().st_mode) == 0o640


@needs_root
def test_report_keeps_the_owner_of_a_file_it_replaces(tmp_path):
    shared = sticky_dir(tmp_path)
    theirs = shared / "report.md"
    theirs.write_bytes(b"old\n")
    os.chown(theirs, NOBODY.pw_uid, NOBODY.pw_gid)
    theirs.chmod(0o6777)
    proc = report(tmp_path, "-o", theirs, preexec_fn=lambda: os.umask(0o022))
    assert (proc.returncode, proc.stderr) == (0, b"")
    st = theirs.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (NOBODY.pw_uid,
                                                                NOBODY.pw_gid, 0o644)


@needs_strace
def test_report_flushes_the_file_to_disk_before_the_rename(tmp_path):
    log = tmp_path / "trace"
    out = tmp_path / "r.md"
    report(tmp_path)  # the snapshot file
    proc = run(["strace", "-f", "-qq", "-o", log, "-e", "trace=fsync,rename,renameat,"
                "renameat2", *tool_argv("python"), "report", tmp_path / "h.json",
                "-o", out])
    assert proc.returncode == 0, proc.stderr
    calls = [line.split(None, 1)[1].split("(")[0] for line in log.read_text().splitlines()
             if "(" in line and "resumed" not in line]
    assert calls[:1] == ["fsync"] and calls[1].startswith("rename"), calls


@needs_strace
@pytest.mark.parametrize("sig", [signal.SIGALRM, signal.SIGUSR1, signal.SIGTERM])
def test_report_leaves_no_temporary_file_on_a_signal(sig, tmp_path):
    report(tmp_path)
    signal_while_writing(tool_argv("python") + ["report", tmp_path / "h.json", "-o"],
                         tmp_path / "r.md", sig)


def test_report_file_size_limit_is_one_line_and_no_temporary_file(tmp_path):
    report(tmp_path)
    target = tmp_path / "r.md"
    target.write_bytes(b"old\n")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))

    proc = run(tool_argv("python") + ["report", tmp_path / "h.json", "-o", target],
               preexec_fn=limit)
    assert proc.returncode == 3
    assert one_line(proc.stderr, "sockstate report") == f"{target}: write: File too large"
    assert target.read_bytes() == b"old\n"
    assert leftovers(tmp_path, "r.md") == []
