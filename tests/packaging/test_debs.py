"""The four Debian packages (built by the fixture packaging.deb_build with
tests/packaging/build_packages.cmake): their fields, dependencies, exact
file lists, stripped binaries without RPATH, copyright, and lintian, whose
remaining reports must be exactly the ones docs/PACKAGING.md lists with
their reasons.

Environment (ctest sets it): SOCKSTATE_DEB_DIR, SOCKSTATE_VERSION,
SOCKSTATE_SOURCE_DIR.
"""

import gzip
import os
import pathlib
import re
import shutil
import subprocess

import pytest

DEB_DIR = pathlib.Path(os.environ.get("SOCKSTATE_DEB_DIR", "."))
VERSION = os.environ.get("SOCKSTATE_VERSION")
SOURCE = pathlib.Path(os.environ.get("SOCKSTATE_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))

pytestmark = pytest.mark.skipif(
    "SOCKSTATE_DEB_DIR" not in os.environ or not VERSION,
    reason="run through ctest: SOCKSTATE_DEB_DIR and SOCKSTATE_VERSION unset")

PACKAGES = ["libsockstate0", "libsockstate-dev", "sockstate", "python3-sockstate"]


def arch():
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                          text=True, check=True).stdout.strip()


def multiarch():
    return subprocess.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"],
                          capture_output=True, text=True, check=True).stdout.strip()


def deb(package):
    path = DEB_DIR / f"{package}_{VERSION}-1_{arch()}.deb"
    assert path.exists(), f"{path} was not built"
    return path


def fields(package):
    out = subprocess.run(["dpkg-deb", "-f", str(deb(package))], capture_output=True,
                         text=True, check=True).stdout
    result = {}
    for m in re.finditer(r"^([A-Za-z-]+): (.*(?:\n .*)*)", out, re.M):
        result[m.group(1)] = m.group(2)
    return result


def depends(package):
    """Depends as {name: [constraint, ...]}."""
    result = {}
    for item in fields(package).get("Depends", "").split(","):
        item = item.strip()
        if not item:
            continue
        m = re.match(r"^([a-z0-9.+-]+)(?: \((.*)\))?$", item)
        assert m, item
        result.setdefault(m.group(1), []).append(m.group(2))
    return result


def contents(package):
    """{path: (mode, link target or None)} of the files (not directories)."""
    out = subprocess.run(["dpkg-deb", "-c", str(deb(package))], capture_output=True,
                         text=True, check=True).stdout
    files = {}
    for line in out.splitlines():
        parts = line.split(None, 5)
        mode, name = parts[0], parts[5]
        if mode.startswith("d"):
            continue
        target = None
        if " -> " in name:
            name, target = name.split(" -> ", 1)
        files[name.lstrip(".")] = (mode, target)
    return files


def doc_files(package):
    return {f"/usr/share/doc/{package}/{n}" for n in
            ("copyright", "changelog.Debian.gz", "changelog.gz")}


def extract(package, tmp_path):
    root = tmp_path / package
    subprocess.run(["dpkg-deb", "-x", str(deb(package)), str(root)], check=True)
    return root


def test_every_package_is_there_and_nothing_else():
    built = sorted(p.name for p in DEB_DIR.glob("*.deb"))
    assert built == sorted(f"{p}_{VERSION}-1_{arch()}.deb" for p in PACKAGES)


@pytest.mark.parametrize("package,section", [
    ("libsockstate0", "libs"), ("libsockstate-dev", "libdevel"),
    ("sockstate", "net"), ("python3-sockstate", "python")])
def test_fields(package, section):
    f = fields(package)
    assert f["Package"] == package
    assert f["Version"] == f"{VERSION}-1"
    assert f["Section"] == section
    assert f["Source"] == "libsockstate"
    assert f["Architecture"] == arch()
    assert re.match(r"^.+ <.+@.+>$", f["Maintainer"])
    summary, _, extended = f["Description"].partition("\n")
    assert 10 < len(summary) <= 80 and not summary.endswith(".")
    assert len(extended.splitlines()) >= 3


def test_dependencies():
    v = f"{VERSION}-1"
    lib = depends("libsockstate0")
    # The light BPF skeleton needs no libbpf: only libc and libmnl.
    assert sorted(lib) == ["libc6", "libmnl0"]
    assert depends("libsockstate-dev") == {"libsockstate0": [f"= {v}"]}
    cli = depends("sockstate")
    assert sorted(cli) == ["libc6", "libsockstate0"]
    assert cli["libsockstate0"] == [f"= {v}"]
    py = depends("python3-sockstate")
    # The library is compiled into the extension: no libsockstate0.
    assert sorted(py) == ["libc6", "libmnl0", "python3"]
    m = re.match(r"^>= (3)\.(\d+)~$", py["python3"][0])
    assert m and py["python3"][1] == f"<< 3.{int(m.group(2)) + 1}"


def test_libsockstate0_files_and_shlibs(tmp_path):
    ma = multiarch()
    major = VERSION.split(".")[0]
    assert contents("libsockstate0") == {
        f"/usr/lib/{ma}/libsockstate.so.{VERSION}": ("-rw-r--r--", None),
        f"/usr/lib/{ma}/libsockstate.so.{major}": ("lrwxrwxrwx", f"libsockstate.so.{VERSION}"),
        **{p: ("-rw-r--r--", None) for p in doc_files("libsockstate0")},
    }
    ctl = tmp_path / "control"
    subprocess.run(["dpkg-deb", "-e", str(deb("libsockstate0")), str(ctl)], check=True)
    assert (ctl / "shlibs").read_text() == \
        f"libsockstate {major} libsockstate0 (>= {VERSION})\n"
    assert (ctl / "triggers").read_text() == "activate-noawait ldconfig\n"


def test_dev_files(tmp_path):
    ma = multiarch()
    major = VERSION.split(".")[0]
    files = contents("libsockstate-dev")
    cmake_dir = f"/usr/lib/{ma}/cmake/sockstate"
    assert set(files) == {
        "/usr/include/sockstate.h",
        f"/usr/lib/{ma}/libsockstate.so",
        f"/usr/lib/{ma}/pkgconfig/sockstate.pc",
        f"{cmake_dir}/sockstateConfig.cmake",
        f"{cmake_dir}/sockstateConfigVersion.cmake",
        f"{cmake_dir}/sockstateTargets.cmake",
        f"{cmake_dir}/sockstateTargets-none.cmake",
        "/usr/share/man/man3/libsockstate.3.gz",
    } | doc_files("libsockstate-dev")
    assert files[f"/usr/lib/{ma}/libsockstate.so"] == ("lrwxrwxrwx", f"libsockstate.so.{major}")
    root = extract("libsockstate-dev", tmp_path)
    pc = (root / f"usr/lib/{ma}/pkgconfig/sockstate.pc").read_text()
    assert "prefix=/usr\n" in pc and "libdir=${prefix}/lib/" + ma + "\n" in pc
    assert (root / "usr/include/sockstate.h").read_bytes() == \
        (SOURCE / "libsockstate/include/sockstate.h").read_bytes()


def test_cli_files_no_rpath_stripped(tmp_path):
    assert set(contents("sockstate")) == {
        "/usr/bin/sockstate",
        "/usr/share/man/man1/sockstate.1.gz",
        "/usr/share/bash-completion/completions/sockstate",
        "/usr/share/zsh/vendor-completions/_sockstate",
    } | doc_files("sockstate")
    root = extract("sockstate", tmp_path)
    binary = root / "usr/bin/sockstate"
    dyn = subprocess.run(["readelf", "-d", str(binary)], capture_output=True,
                         text=True, check=True).stdout
    assert "RPATH" not in dyn and "RUNPATH" not in dyn
    assert "(NEEDED)             Shared library: [libsockstate.so.0]" in dyn
    assert "not stripped" not in subprocess.run(
        ["file", str(binary)], capture_output=True, text=True, check=True).stdout


def test_python_files(tmp_path):
    pkg_src = SOURCE / "bindings" / "python" / "sockstate"
    expected = {f"/usr/lib/python3/dist-packages/sockstate/{p.name}"
                for p in pkg_src.iterdir()
                if p.suffix in (".py", ".pyi") or p.name == "py.typed"}
    files = set(contents("python3-sockstate"))
    ext = {f for f in files if f.endswith(".so")}
    assert len(ext) == 1 and re.match(
        r"^/usr/lib/python3/dist-packages/sockstate/_core\.cpython-3\d+-.*\.so$", ext.pop())
    assert files - {f for f in files if f.endswith(".so")} == \
        expected | doc_files("python3-sockstate")
    root = extract("python3-sockstate", tmp_path)
    so = next(root.rglob("_core*.so"))
    dyn = subprocess.run(["readelf", "-d", str(so)], capture_output=True, text=True,
                         check=True).stdout
    assert "libsockstate" not in dyn


def test_copyright_is_dep5_with_the_mit_license(tmp_path):
    root = extract("sockstate", tmp_path)
    text = (root / "usr/share/doc/sockstate/copyright").read_text()
    assert text.startswith(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")
    assert "\nFiles: *\nCopyright: 2026 The libsockstate developers\nLicense: Expat\n" in text
    license_text = text.split("\nLicense: Expat\n ", 1)[1]
    unfolded = "\n".join("" if line == " ." else line[1:]
                         for line in (" " + license_text).rstrip("\n").split("\n"))
    original = (SOURCE / "LICENSE").read_text()
    assert unfolded.strip() in original
    assert unfolded.startswith("Permission is hereby granted")
    assert unfolded.rstrip().endswith("SOFTWARE.")
    changelog = gzip.decompress(
        (root / "usr/share/doc/sockstate/changelog.Debian.gz").read_bytes()).decode()
    assert changelog.startswith(f"libsockstate ({VERSION}-1) unstable; urgency=medium\n")


def documented_lintian():
    """(severity, package, tag) rows of the table in docs/PACKAGING.md."""
    text = (SOURCE / "docs" / "PACKAGING.md").read_text()
    section = text.split("## What lintian still reports", 1)[1].split("\n## ", 1)[0]
    rows = set()
    for m in re.finditer(r"^\| ([EWI]) \| ([a-z0-9, .+-]+?) \| `([a-z0-9-]+)` \|",
                         section, re.M):
        for package in m.group(2).split(","):
            rows.add((m.group(1), package.strip(), m.group(3)))
    return rows


@pytest.mark.skipif(shutil.which("lintian") is None, reason="lintian is not installed")
def test_lintian_reports_only_what_docs_packaging_lists():
    r = subprocess.run(["lintian", "--display-info", "--no-tag-display-limit",
                        *[str(deb(p)) for p in PACKAGES]],
                       capture_output=True, text=True, check=False)
    reported = set()
    for m in re.finditer(r"^([EWIXP]): ([a-z0-9.+-]+)(?: [a-z]+)?: ([a-z0-9-]+)",
                         r.stdout, re.M):
        reported.add((m.group(1), m.group(2), m.group(3)))
    errors = {t for t in reported if t[0] == "E"}
    assert not errors, f"lintian errors: {sorted(errors)}\n{r.stdout}"
    documented = documented_lintian()
    assert reported - documented == set(), (
        "lintian reports what docs/PACKAGING.md does not list:\n" + r.stdout)
    assert documented - reported == set(), (
        "docs/PACKAGING.md lists what lintian no longer reports: "
        f"{sorted(documented - reported)}")
