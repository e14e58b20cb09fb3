"""Shared set-up of the security tests (tests/security; docs/SECURITY.md).

Environment (ctest sets it): SOCKSTATE_CLI, the C tool; SOCKSTATE_BUILD_DIR,
the build tree, whose every ELF file is read; SOCKSTATE_PYTHONPATH, where
`import sockstate` finds the built package (the report needs only the pure
Python modules).

Nothing here touches the machine's own /dev or /tmp entries: device nodes,
FIFOs, sticky directories and links are made in a temporary directory of
each test. Interfaces are made only in a network namespace of the test's
own (tests/private_netns.py runs the suite in one, as root).
"""

import os
import pathlib
import pwd
import shutil
import socket
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("SOCKSTATE_CLI")
BUILD = os.environ.get("SOCKSTATE_BUILD_DIR")
PYPATH = os.environ.get("SOCKSTATE_PYTHONPATH", "")
IS_ROOT = os.geteuid() == 0
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")
NOBODY = pwd.getpwnam("nobody")

if PYPATH:
    sys.path.insert(0, PYPATH)

needs_cli = pytest.mark.skipif(not CLI, reason="SOCKSTATE_CLI is not set: run through "
                               "ctest (-L security)")
needs_root = pytest.mark.skipif(not IS_ROOT, reason="needs root (device nodes, other "
                                "users' files, namespaces)")


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    if PYPATH:
        env["PYTHONPATH"] = PYPATH + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def tool_argv(tool):
    """The two command lines: `sockstate`, and `python -m sockstate`,
    which runs the same C code in-process."""
    if tool == "python":
        return [sys.executable, "-m", "sockstate"]
    return [CLI]


def run(argv, timeout=60, env=None, **kw):
    kw.setdefault("capture_output", "stdout" not in kw and "stderr" not in kw)
    return subprocess.run([a if isinstance(a, bytes) else str(a) for a in argv],
                          env=clean_env() if env is None else env, timeout=timeout,
                          check=False, **kw)


def one_line(stderr, prog="sockstate"):
    """The message of a one-line failure, without "prog: "."""
    text = stderr.decode("utf-8", "surrogateescape")
    assert "Traceback" not in text, text
    assert text.count("\n") == 1 and text.endswith("\n"), repr(text)
    assert text.startswith(prog + ": "), repr(text)
    return text[len(prog) + 2:-1]


sys.path.insert(0, str(ROOT / "tests"))
from private_netns import enter_private_netns  # noqa: E402


def private_netns_problem():
    """None once this process has a network namespace of its own, where
    interfaces may be added; else why not."""
    if shutil.which("ip") is None:
        return "iproute2's ip is not installed"
    return enter_private_netns()


PRIVATE_NETNS_PROBLEM = private_netns_problem()

needs_private_netns = pytest.mark.skipif(PRIVATE_NETNS_PROBLEM is not None,
                                         reason=f"interfaces are made in a network "
                                         f"namespace of our own: {PRIVATE_NETNS_PROBLEM}")


def ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


def add_veth(name, index=None):
    """An interface named name (any bytes but '/', ':' and spaces), at
    index if given, up: one end of a veth pair (the kernel here may have
    no dummy driver); the other end is name's peer, up too."""
    peer = "peer%d" % (os.getpid() % 100000)
    extra = ["index", str(index)] if index else []
    ip("link", "add", "name", name, *extra, "type", "veth", "peer", "name", peer)
    ip("link", "set", "dev", name, "up")
    ip("link", "set", "dev", peer, "up")


class LinkLocal:
    """An interface named `name` (bytes: any but '/', ':', spaces)
    with fe80::1 and fe80::2, a listener on [fe80::1%name] and one
    connection to it from [fe80::2%name]."""

    def __init__(self, name, index=None):
        self.name = name
        add_veth(name, index)
        ip("-6", "addr", "add", "fe80::1/64", "dev", name, "nodad")
        ip("-6", "addr", "add", "fe80::2/64", "dev", name, "nodad")
        self.index = socket.if_nametoindex(os.fsdecode(name))
        self.listener = socket.socket(socket.AF_INET6)
        self.listener.bind(("fe80::1", 0, 0, self.index))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.client = socket.socket(socket.AF_INET6)
        self.client.bind(("fe80::2", 0, 0, self.index))
        self.client.connect(("fe80::1", self.port, 0, self.index))
        self.server, _ = self.listener.accept()

    def close(self):
        for s in (self.client, self.server, self.listener):
            s.close()
        subprocess.run(["ip", "link", "del", "dev", self.name], check=False,
                       capture_output=True, timeout=30)
