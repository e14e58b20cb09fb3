"""examples/ansible/playbooks/deploy_debs.yml against localhost (-c local):
the Debian packages of this build are copied and installed by apt, the
tool answers, and sockstate.tcp.sockstate_facts gathers the sockets with
the packaged Python module; a second run changes nothing; a run without
packages fails with a message that says what to do. The packages are
purged at the end. Changes the system: runs only with
SOCKSTATE_SYSTEM_TESTS=1, as root (else main() exits 77: skipped).

Environment: SOCKSTATE_DEB_DIR, SOCKSTATE_VERSION, SOCKSTATE_SOURCE_DIR,
SOCKSTATE_SYSTEM_TESTS.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

DEB_DIR = pathlib.Path(os.environ.get("SOCKSTATE_DEB_DIR", "."))
VERSION = os.environ.get("SOCKSTATE_VERSION")
SOURCE = pathlib.Path(os.environ.get("SOCKSTATE_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
ANSIBLE_DIR = SOURCE / "examples" / "ansible"
PLAYBOOK = ANSIBLE_DIR / "playbooks" / "deploy_debs.yml"
PACKAGES = ["libsockstate0", "libsockstate-dev", "sockstate", "python3-sockstate"]

pytestmark = [
    pytest.mark.skipif(os.environ.get("SOCKSTATE_SYSTEM_TESTS") != "1",
                       reason="changes the system: set SOCKSTATE_SYSTEM_TESTS=1 to run"),
    pytest.mark.skipif(os.geteuid() != 0, reason="installing packages needs root"),
    pytest.mark.skipif("SOCKSTATE_DEB_DIR" not in os.environ or not VERSION,
                       reason="run through ctest: SOCKSTATE_DEB_DIR unset"),
    pytest.mark.skipif(shutil.which("ansible-playbook") is None,
                       reason="needs ansible-core (Debian: ansible-core)"),
]


def playbook(tmp_path, *extra):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ANSIBLE_DIR / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"),
               ANSIBLE_REMOTE_TEMP=str(tmp_path / "ansible-remote"),
               PYTHONDONTWRITEBYTECODE="1", PATH="/usr/sbin:/usr/bin:/sbin:/bin")
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        ["ansible-playbook", str(PLAYBOOK), "-c", "local", "-e", "target=localhost",
         "-e", "deploy_become=false", "-e", f"stage_dir={tmp_path / 'stage'}", *extra],
        cwd=ANSIBLE_DIR, env=env, capture_output=True, text=True, timeout=600,
        check=False)


def recap(out):
    m = re.search(r"localhost\s*: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+"
                  r"failed=(\d+)", out)
    assert m, out
    return {k: int(v) for k, v in zip(("ok", "changed", "unreachable", "failed"),
                                      m.groups())}


def installed(package):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                       capture_output=True, text=True, check=False)
    return r.returncode == 0 and r.stdout == "install ok installed"


def purge():
    present = [p for p in PACKAGES if subprocess.run(
        ["dpkg-query", "-W", p], capture_output=True, check=False).returncode == 0]
    if present:
        subprocess.run(["apt-get", "remove", "--purge", "-y", *present], check=True,
                       capture_output=True, env=dict(os.environ,
                                                     DEBIAN_FRONTEND="noninteractive"))


def test_without_packages_it_fails_and_says_why(tmp_path):
    r = playbook(tmp_path, "-e", f"deb_dir={tmp_path / 'empty'}")
    assert r.returncode != 0
    assert recap(r.stdout)["failed"] == 1
    assert "libsockstate0: 0 files in deb_dir=" in r.stdout
    assert "make deb builds them" in r.stdout
    assert not installed("libsockstate0")


def test_deploys_gathers_and_is_idempotent(tmp_path):
    for p in PACKAGES:
        assert not installed(p), f"{p} is already installed: remove it first"
    try:
        first = playbook(tmp_path, "-e", f"deb_dir={DEB_DIR}", "-e", "with_dev=true")
        assert first.returncode == 0, first.stdout + first.stderr
        counts = recap(first.stdout)
        # Changed: the staging folder, the copies, the installs.
        assert counts["failed"] == 0 and counts["changed"] == 3
        for p in PACKAGES:
            assert installed(p), p
        assert re.search(rf"sockstate {re.escape(VERSION)} \(libsockstate {re.escape(VERSION)};"
                         rf".*; \d+ sockets \(linux-(netlink|proc), library "
                         rf"{re.escape(VERSION)}\)", first.stdout), first.stdout

        second = playbook(tmp_path, "-e", f"deb_dir={DEB_DIR}", "-e", "with_dev=true")
        assert second.returncode == 0, second.stdout + second.stderr
        assert recap(second.stdout)["changed"] == 0, second.stdout
    finally:
        purge()
    for p in PACKAGES:
        assert not installed(p), p


def main():
    r = pytest.main(["-q", "-p", "no:cacheprovider", "-rs", __file__])
    skipped_all = (os.environ.get("SOCKSTATE_SYSTEM_TESTS") != "1" or os.geteuid() != 0
                   or shutil.which("ansible-playbook") is None)
    if r == 0 and skipped_all:
        return 77
    return int(r)


if __name__ == "__main__":
    sys.exit(main())
