"""One version number: project(VERSION) in the top CMakeLists.txt. Everything
that carries a version must carry that one: the header's macros, the
library's file name and SONAME, the tool, the Python package (built here
and as setup.py reads it), pkg-config, the CMake package, CPack, the
Ansible collection's galaxy.yml, the man pages, the Debian changelog, and
CHANGELOG.md's newest entry.

Environment (ctest sets it): SOCKSTATE_VERSION (CMake's), SOCKSTATE_SOURCE_DIR,
SOCKSTATE_BUILD_DIR, SOCKSTATE_CLI (optional), SOCKSTATE_PYTHON (optional),
SOCKSTATE_SANITIZE (ON in a sanitizer build).
"""

import os
import pathlib
import re
import subprocess
import sys

import pytest

VERSION = os.environ.get("SOCKSTATE_VERSION")
SOURCE = pathlib.Path(os.environ.get("SOCKSTATE_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
BUILD = pathlib.Path(os.environ.get("SOCKSTATE_BUILD_DIR", "."))
CLI = os.environ.get("SOCKSTATE_CLI")
GALAXY = SOURCE / "examples" / "ansible" / "ansible_collections" / "sockstate" / "tcp" / "galaxy.yml"

pytestmark = pytest.mark.skipif(
    not VERSION or "SOCKSTATE_BUILD_DIR" not in os.environ,
    reason="run through ctest: SOCKSTATE_VERSION and SOCKSTATE_BUILD_DIR unset")


def test_cmake_project_version_is_the_one_configured():
    text = (SOURCE / "CMakeLists.txt").read_text()
    found = re.findall(r"project\s*\(\s*libsockstate\s+VERSION\s+([0-9.]+)", text)
    assert found == [VERSION]


def test_header_macros():
    text = (SOURCE / "libsockstate" / "include" / "sockstate.h").read_text()
    parts = [re.search(rf"#define SOCKSTATE_VERSION_{p}\s+(\d+)", text).group(1)
             for p in ("MAJOR", "MINOR", "PATCH")]
    assert ".".join(parts) == VERSION


def test_changelog_newest_entry_is_this_version():
    text = (SOURCE / "CHANGELOG.md").read_text()
    entries = re.findall(r"^## \[([^\]]+)\] - (\d{4}-\d\d-\d\d)$", text, re.M)
    assert entries, "CHANGELOG.md has no release entry"
    assert entries[0][0] == VERSION
    assert len({v for v, _d in entries}) == len(entries), "a version listed twice"


def test_galaxy_yml_of_the_collection():
    assert GALAXY.exists(), f"{GALAXY} is missing"
    versions = re.findall(r"^version:\s*['\"]?([^'\"\s]+)", GALAXY.read_text(), re.M)
    assert versions == [VERSION], (
        f"{GALAXY.relative_to(SOURCE)} says {versions}; CMake says {VERSION}")


def test_setup_py_reads_cmake():
    r = subprocess.run([sys.executable, "setup.py", "--version"], cwd=SOURCE,
                       capture_output=True, text=True, check=True,
                       env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert r.stdout.strip().splitlines()[-1] == VERSION


def test_library_file_and_soname():
    major = VERSION.split(".")[0]
    lib = BUILD / f"libsockstate.so.{VERSION}"
    assert lib.exists(), lib
    r = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True,
                       check=True)
    assert re.findall(r"\(SONAME\)\s+Library soname: \[(.*)\]", r.stdout) == [
        f"libsockstate.so.{major}"]


def test_tool_and_library_report_it():
    if not CLI:
        pytest.skip("the CLI is not built")
    out = subprocess.run([CLI, "--version"], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith(f"sockstate {VERSION} (libsockstate {VERSION};"), out


def test_python_package_reports_it():
    pkg = BUILD / "python"
    if not (pkg / "sockstate").is_dir():
        pytest.skip("the Python package is not built")
    if os.environ.get("SOCKSTATE_SANITIZE") == "ON":
        pytest.skip("a sanitizer build's extension loads only with its runtime "
                    "preloaded (the python tests do that)")
    python = os.environ.get("SOCKSTATE_PYTHON", sys.executable)
    r = subprocess.run([python, "-c", "import sockstate; print(sockstate.__version__)"],
                       capture_output=True, text=True, check=True,
                       env=dict(os.environ, PYTHONPATH=str(pkg),
                                PYTHONDONTWRITEBYTECODE="1"))
    assert r.stdout.strip() == VERSION


def test_pkg_config_cmake_package_and_cpack():
    pc = (BUILD / "sockstate.pc").read_text()
    assert re.findall(r"^Version: (.*)$", pc, re.M) == [VERSION]
    cfg = (BUILD / "sockstateConfigVersion.cmake").read_text()
    assert re.findall(r'set\(PACKAGE_VERSION "([0-9.]*)"\)', cfg) == [VERSION]
    cpack = (BUILD / "CPackConfig.cmake").read_text()
    assert re.findall(r'set\(CPACK_PACKAGE_VERSION "([^"]*)"\)', cpack) == [VERSION]


def test_man_pages_and_debian_changelog():
    text = (SOURCE / "CHANGELOG.md").read_text()
    date = re.search(rf"^## \[{re.escape(VERSION)}\] - (\S+)$", text, re.M).group(1)
    man = BUILD / "man"
    if not man.is_dir():
        pytest.skip("man pages are not built here (cross build)")
    for page, product in (("sockstate.1", "sockstate"), ("libsockstate.3", "libsockstate")):
        path = man / page
        if not path.exists():
            continue
        th = re.search(r"^\.TH .*$", path.read_text(), re.M).group(0)
        assert f'"{date}" "{product} {VERSION}"' in th, th
    deb = BUILD / "debian-doc" / "changelog.Debian"
    if deb.exists():
        assert deb.read_text().startswith(f"libsockstate ({VERSION}-1) ")
