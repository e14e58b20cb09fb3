"""The Ansible collection tarball: `ansible-galaxy collection build` of
examples/ansible/ansible_collections/sockstate/tcp makes
sockstate-tcp-<version>.tar.gz with the CMake version, every file of the
collection and nothing of a build (bytecode); the tarball installs with
`ansible-galaxy collection install` and its modules' docs render from the
installed copy.

Environment (ctest sets it): SOCKSTATE_SOURCE_DIR, SOCKSTATE_VERSION.
"""

import json
import os
import pathlib
import shutil
import subprocess
import tarfile

import pytest

SOURCE = pathlib.Path(os.environ.get("SOCKSTATE_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
VERSION = os.environ.get("SOCKSTATE_VERSION")
COLLECTION = SOURCE / "examples" / "ansible" / "ansible_collections" / "sockstate" / "tcp"

pytestmark = [
    pytest.mark.skipif(not VERSION, reason="run through ctest: SOCKSTATE_VERSION unset"),
    pytest.mark.skipif(shutil.which("ansible-galaxy") is None,
                       reason="needs ansible-core (Debian: ansible-core)"),
    pytest.mark.skipif(not (COLLECTION / "galaxy.yml").exists(),
                       reason="the collection (galaxy.yml) is not there yet"),
]

ENV = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP="/tmp",
           PYTHONDONTWRITEBYTECODE="1")


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("galaxy")
    subprocess.run(["ansible-galaxy", "collection", "build", str(COLLECTION),
                    "--output-path", str(out)], check=True, env=ENV,
                   capture_output=True, text=True, timeout=300)
    made = list(out.glob("*.tar.gz"))
    assert [p.name for p in made] == [f"sockstate-tcp-{VERSION}.tar.gz"]
    return made[0]


def test_manifest_carries_the_cmake_version(tarball):
    with tarfile.open(tarball) as t:
        manifest = json.load(t.extractfile("MANIFEST.json"))
    info = manifest["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == ("sockstate", "tcp", VERSION)
    assert info["license"] == ["MIT"]


def test_every_collection_file_and_no_bytecode(tarball):
    with tarfile.open(tarball) as t:
        names = {m.name for m in t.getmembers() if m.isfile()}
    expected = {str(p.relative_to(COLLECTION)) for p in COLLECTION.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    # galaxy.yml becomes MANIFEST.json.
    assert names == (expected - {"galaxy.yml"}) | {"MANIFEST.json", "FILES.json"}
    assert any(n.startswith("plugins/modules/") for n in names)


def test_installs_and_modules_document_themselves(tarball, tmp_path):
    dest = tmp_path / "collections"
    subprocess.run(["ansible-galaxy", "collection", "install", str(tarball), "-p", str(dest)],
                   check=True, env=ENV, capture_output=True, text=True, timeout=300)
    modules = sorted(p.stem for p in (COLLECTION / "plugins" / "modules").glob("*.py"))
    assert modules
    env = dict(ENV, ANSIBLE_COLLECTIONS_PATH=str(dest))
    for module in modules:
        r = subprocess.run(["ansible-doc", "-t", "module", f"sockstate.tcp.{module}"],
                           capture_output=True, text=True, env=env, timeout=300,
                           check=False)
        assert r.returncode == 0 and str(dest) in r.stdout, r.stderr
