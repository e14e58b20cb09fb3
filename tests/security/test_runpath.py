"""Every ELF file the build makes (the CLI, the library, the Python
extension, the test programs) carries no empty and no relative RUNPATH
or RPATH entry: the loader reads those relative to the current directory,
where root may run build/sockstate next to someone's libc.so.6."""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

from conftest import BUILD

pytestmark = pytest.mark.skipif(not BUILD or shutil.which("readelf") is None,
                                reason="needs SOCKSTATE_BUILD_DIR (ctest sets it) and "
                                "readelf (binutils)")


def elf_files(top):
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            path = pathlib.Path(dirpath, name)
            if path.is_symlink() or not path.is_file():
                continue
            with open(path, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    yield path


def search_paths(path):
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return [entry for m in re.finditer(r"\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: "
                                       r"\[(.*)\]", out)
            for entry in m.group(1).split(":")]


def test_no_elf_of_the_build_searches_the_current_directory():
    files = list(elf_files(BUILD))
    names = {p.name for p in files}
    # Not vacuous: the programs that matter are among them.
    assert "sockstate" in names, sorted(names)[:20]
    assert any(n.startswith("libsockstate.so") for n in names)
    bad = {}
    for path in files:
        for entry in search_paths(path):
            if not (entry.startswith("/") or entry.startswith("$ORIGIN")):
                bad.setdefault(str(path.relative_to(BUILD)), []).append(entry)
    assert bad == {}, bad


def test_the_cli_finds_the_library_of_its_build():
    entries = search_paths(pathlib.Path(BUILD, "sockstate"))
    assert entries == [str(pathlib.Path(BUILD).resolve())], entries
