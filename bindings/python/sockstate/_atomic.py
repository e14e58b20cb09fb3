"""Atomic output files for what stays in Python (``snapshot -o``,
``report -o``), by the rules of the C tool's ``-o`` (libsockstate/cli/
outfile.c; docs/SECURITY.md). Pure Python, standard library only: the
report runs without the C extension.

- A regular file is replaced atomically: a temporary file beside it
  (``FILE.XXXXXXXX``), written, flushed to disk, renamed over it. A reader
  sees the old file or the new one; on any failure the temporary file is
  removed and FILE is left as it was.
- A character device or a FIFO (``/dev/null``, ``/dev/stdout``) is
  written into, as a shell redirection would; anything else (a directory,
  a socket, a block device) is refused.
- A symbolic link is followed only where fs.protected_symlinks would
  follow it, whatever that sysctl says: not one another user owns in a
  sticky world-writable directory, unless that user also owns the
  directory. A link to a regular file replaces the file and keeps the link.
- A new file gets 0666 less the umask. A replaced one keeps its
  permission bits (never setuid, setgid or sticky) only when the caller
  owns it, and its owner and group when root replaces it.
- SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGUSR1, SIGUSR2 (and Ctrl-C) remove
  the temporary file before the process ends; SIGXFSZ is ignored, so a
  file too large fails with EFBIG and is cleaned up.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import tempfile
import threading
from typing import Any, Dict, Optional, Tuple

__all__ = ["OutputError", "printable", "write_atomic"]

# The kernel's MAXSYMLINKS.
_LINKS_MAX = 40

# Signals whose default action ends the process while the temporary file
# exists (SIGINT is KeyboardInterrupt, which the cleanup already meets).
_CLEANUP_SIGNALS = tuple(getattr(signal, name) for name in
                         ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGALRM", "SIGUSR1",
                          "SIGUSR2", "SIGVTALRM", "SIGPROF")
                         if hasattr(signal, name))


class OutputError(OSError):
    """The output could not be written; str() is one line naming the
    file and why, as the C tool says it (without "sockstate: ")."""

    def __init__(self, err: int, line: str) -> None:
        super().__init__(err, line)
        self.line = line

    def __str__(self) -> str:
        return self.line


def printable(text: str, limit: Optional[int] = None) -> str:
    """text for a one-line message, as the C tool quotes values: control
    characters (C0, DEL, C1) and undecodable bytes of a file name
    (surrogateescape) as \\xNN, any other lone surrogate as U+FFFD; cut
    with "..." after limit characters."""
    out = []
    for ch in text if limit is None else text[:limit]:
        o = ord(ch)
        if o < 0x20 or 0x7F <= o < 0xA0:
            out.append("\\x%02x" % o)
        elif 0xDC80 <= o <= 0xDCFF:
            out.append("\\x%02x" % (o - 0xDC00))
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out) + ("..." if limit is not None and len(text) > limit else "")


def _may_follow(directory: str, link: os.stat_result) -> bool:
    """Would fs.protected_symlinks follow link, which lies in directory?"""
    try:
        d = os.stat(directory or "/")
    except OSError:
        return False
    if not (d.st_mode & stat.S_ISVTX) or not (d.st_mode & stat.S_IWOTH):
        return True
    return link.st_uid in (os.geteuid(), d.st_uid)


def _resolve(path: str) -> Tuple[Optional[str], Optional[str], int]:
    """(real path, refused link, errno): path resolved link by link as the
    kernel walks it, each link checked by _may_follow. The last component
    may be missing (a file to create)."""
    out = "" if path.startswith("/") else os.getcwd().rstrip("/")
    rest = path
    links = 0
    while True:
        rest = rest.lstrip("/")
        if not rest:
            return out or "/", None, 0
        comp, _, rest = rest.partition("/")
        if comp == ".":
            continue
        if comp == "..":
            out = out.rpartition("/")[0]
            continue
        candidate = out + "/" + comp
        try:
            st = os.lstat(candidate)
        except OSError as e:
            if e.errno == errno.ENOENT and not rest.strip("/"):
                return candidate, None, 0
            return None, None, e.errno or errno.EIO
        if not stat.S_ISLNK(st.st_mode):
            out = candidate
            continue
        if not _may_follow(out, st):
            return None, candidate, errno.EPERM
        links += 1
        if links > _LINKS_MAX:
            return None, None, errno.ELOOP
        target = os.readlink(candidate)
        if target.startswith("/"):
            out = ""
        rest = target + "/" + rest


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class _Cleanup:
    """Signal handlers that remove the temporary file, then die of the
    signal as its default action would; installed only from the main
    thread, over default actions only."""

    def __init__(self, tmp: str) -> None:
        self.tmp = tmp
        self.saved: Dict[int, Any] = {}

    def __enter__(self) -> "_Cleanup":
        if threading.current_thread() is not threading.main_thread():
            return self
        for sig in _CLEANUP_SIGNALS:
            if signal.getsignal(sig) == signal.SIG_DFL:
                self.saved[sig] = signal.signal(sig, self._die)
        if hasattr(signal, "SIGXFSZ"):
            self.saved[signal.SIGXFSZ] = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        return self

    def _die(self, sig: int, _frame: Any) -> None:
        _unlink(self.tmp)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _write_through(shown: str, path: str, st: os.stat_result, data: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as e:
        raise OutputError(e.errno, "%s: open: %s" % (shown, e.strerror))
    try:
        now = os.fstat(fd)
        if ((now.st_dev, now.st_ino) != (st.st_dev, st.st_ino)
                or not (stat.S_ISCHR(now.st_mode) or stat.S_ISFIFO(now.st_mode))):
            raise OutputError(errno.EAGAIN, "%s: open: it changed while being opened"
                              % shown)
        try:
            _write_all(fd, data)
        except OSError as e:
            raise OutputError(e.errno, "%s: write: %s" % (shown, e.strerror))
    finally:
        os.close(fd)


def _replace(shown: str, real: str, old: Optional[os.stat_result], data: bytes) -> None:
    directory, name = os.path.split(real)
    try:
        fd, tmp = tempfile.mkstemp(prefix=name + ".", dir=directory or ".")
    except OSError as e:
        raise OutputError(e.errno, "%s: cannot create a temporary file beside it: %s"
                          % (shown, e.strerror))
    step = "write"
    try:
        with _Cleanup(tmp):
            try:
                me = os.geteuid()
                mode = 0o666 & ~_umask()
                if old is not None:
                    if me == 0:
                        os.fchown(fd, old.st_uid, old.st_gid)
                    if old.st_uid == me:
                        mode = stat.S_IMODE(old.st_mode) & 0o777
                os.fchmod(fd, mode)
                _write_all(fd, data)
                step = "fsync"
                os.fsync(fd)
                step = "close"
                os.close(fd)
                fd = -1
                step = "rename"
                os.rename(tmp, real)
            except OSError as e:
                raise OutputError(e.errno, "%s: %s: %s" % (shown, step, e.strerror))
    except BaseException:
        if fd >= 0:
            os.close(fd)
        _unlink(tmp)
        raise
    # Make the rename itself durable; best effort.
    try:
        dfd = os.open(directory or ".", os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def write_atomic(path: str, data: bytes) -> None:
    """Write data to path by the rules above.

    Raises OutputError (an OSError) whose str() is one line such as
    "out.json: not replaced: a directory (...)" or
    "out.json: write: No space left on device".
    """
    shown = printable(path, 120)
    real, refused, err = _resolve(path)
    if refused is not None:
        raise OutputError(err, "%s: refusing to follow the symbolic link %s: another "
                          "user owns it in a sticky world-writable directory"
                          % (shown, printable(refused, 120)))
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is None:
        # Nothing there (or no such directory: the temporary file says so).
        _replace(shown, real if err == 0 and real else path, None, data)
    elif stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        # By the name given: /dev/stdout leads through /proc's links.
        _write_through(shown, path, st, data)
    elif not stat.S_ISREG(st.st_mode):
        raise OutputError(errno.EINVAL, "%s: not replaced: %s (only a regular file is "
                          "replaced; a character device or a FIFO is written into)"
                          % (shown, _kind(st.st_mode)))
    else:
        try:
            here = os.lstat(real) if err == 0 and real else None
        except OSError:
            here = None
        if here is None or (here.st_dev, here.st_ino) != (st.st_dev, st.st_ino):
            raise OutputError(errno.EINVAL, "%s: not replaced: the file it leads to "
                              "has no name to rename over" % shown)
        _replace(shown, real, st, data)
