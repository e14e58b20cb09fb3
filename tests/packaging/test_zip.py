"""The Windows zip: the MinGW-w64 cross build packed by CPack
(tests/packaging/build_packages.cmake -DKIND=zip). Asserts its exact file
list, that the binaries are stripped and need only system DLLs beside
sockstate.dll, that its .pc file works wherever the zip is unpacked, and,
where Wine is installed, runs sockstate.exe from the
unpacked zip (the DLL found beside it).

Environment (ctest sets it): SOCKSTATE_SOURCE_DIR, SOCKSTATE_ZIP_BUILD
(the build directory to make), SOCKSTATE_VERSION.
"""

import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import zipfile

import pytest

SOURCE = pathlib.Path(os.environ.get("SOCKSTATE_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
BUILD = os.environ.get("SOCKSTATE_ZIP_BUILD")
VERSION = os.environ.get("SOCKSTATE_VERSION")
OBJDUMP = shutil.which("x86_64-w64-mingw32-objdump")

pytestmark = [
    pytest.mark.skipif(not BUILD or not VERSION,
                       reason="run through ctest: SOCKSTATE_ZIP_BUILD unset"),
    pytest.mark.skipif(shutil.which("x86_64-w64-mingw32-gcc") is None,
                       reason="needs MinGW-w64 (Debian: gcc-mingw-w64-x86-64)"),
]

TOP = f"sockstate-{VERSION}-win64"
SYSTEM_DLLS = {"KERNEL32.dll", "msvcrt.dll", "IPHLPAPI.DLL", "WS2_32.dll"}


@pytest.fixture(scope="module")
def zip_path():
    subprocess.run(["cmake", "-DKIND=zip", f"-DSOURCE_DIR={SOURCE}",
                    f"-DBINARY_DIR={BUILD}", "-P",
                    str(SOURCE / "tests" / "packaging" / "build_packages.cmake")],
                   check=True, timeout=900)
    made = list(pathlib.Path(BUILD, "packages").glob("*.zip"))
    assert [p.name for p in made] == [f"{TOP}.zip"]
    return made[0]


@pytest.fixture(scope="module")
def unpacked(zip_path):
    with tempfile.TemporaryDirectory(prefix="sockstate-zip-") as d:
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(d)
        yield pathlib.Path(d) / TOP


def test_file_list(zip_path):
    with zipfile.ZipFile(zip_path) as z:
        names = {n for n in z.namelist() if not n.endswith("/")}
    assert names == {f"{TOP}/{n}" for n in (
        "README.md", "LICENSE",
        "bin/sockstate.exe", "bin/sockstate.dll",
        "lib/libsockstate.dll.a",
        "include/sockstate.h",
        "lib/pkgconfig/sockstate.pc",
        "lib/cmake/sockstate/sockstateConfig.cmake",
        "lib/cmake/sockstate/sockstateConfigVersion.cmake",
        "lib/cmake/sockstate/sockstateTargets.cmake",
        "lib/cmake/sockstate/sockstateTargets-release.cmake",
    )}


def test_contents_are_the_sources(unpacked):
    for name, source in (("README.md", "README.md"), ("LICENSE", "LICENSE"),
                         ("include/sockstate.h", "libsockstate/include/sockstate.h")):
        assert (unpacked / name).read_bytes() == (SOURCE / source).read_bytes(), name


@pytest.mark.skipif(shutil.which("pkg-config") is None, reason="pkg-config not found")
def test_pc_file_finds_its_prefix_wherever_unpacked(unpacked):
    pc = (unpacked / "lib" / "pkgconfig" / "sockstate.pc").read_text()
    assert pc.startswith("prefix=${pcfiledir}/../..\n"), pc
    env = dict(os.environ, PKG_CONFIG_PATH=str(unpacked / "lib" / "pkgconfig"),
               PKG_CONFIG_LIBDIR="")
    out = subprocess.run(["pkg-config", "--cflags", "--libs", "sockstate"], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    pcdir = unpacked / "lib" / "pkgconfig"
    include = [pathlib.Path(f[2:]) for f in out if f.startswith("-I")]
    libdir = [pathlib.Path(f[2:]) for f in out if f.startswith("-L")]
    assert [p.resolve() for p in include] == [(unpacked / "include").resolve()], out
    assert [p.resolve() for p in libdir] == [(unpacked / "lib").resolve()], out
    assert str(pcdir) in " ".join(out)  # found from the file, not a build path


@pytest.mark.skipif(OBJDUMP is None, reason="x86_64-w64-mingw32-objdump not found")
@pytest.mark.parametrize("binary", ["sockstate.exe", "sockstate.dll"])
def test_binaries_stripped_and_need_only_system_dlls(unpacked, binary):
    out = subprocess.run([OBJDUMP, "-p", "-h", str(unpacked / "bin" / binary)],
                         capture_output=True, text=True, check=True).stdout
    dlls = set(re.findall(r"DLL Name: (\S+)", out))
    allowed = SYSTEM_DLLS | ({"sockstate.dll"} if binary.endswith(".exe") else set())
    assert dlls <= allowed, dlls
    if binary.endswith(".exe"):
        assert "sockstate.dll" in dlls
    assert ".debug_info" not in out


@pytest.mark.skipif(shutil.which("wine") is None, reason="Wine is not installed")
def test_runs_from_the_unpacked_zip_under_wine(unpacked, tmp_path):
    env = dict(os.environ, WINEPREFIX=str(tmp_path / "wineprefix"), WINEDEBUG="-all",
               WINEDLLOVERRIDES="mscoree,mshtml=")
    try:
        r = subprocess.run(["wine", str(unpacked / "bin" / "sockstate.exe"), "--version"],
                           capture_output=True, text=True, env=env, timeout=300,
                           check=False)
    finally:
        subprocess.run(["wineserver", "-k"], env=env, check=False, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == (
        f"sockstate {VERSION} (libsockstate {VERSION}; backends: windows-iphlpapi)")
