"""Build the Python package `sockstate` with the C library compiled in.

    python3 -m pip install --no-build-isolation .

works offline with the setuptools already installed: SWIG turns
bindings/python/sockstate.i (declarations only) into the wrapper of the
extension sockstate._core, whose C is bindings/python/core/*.c, and the
library's own sources are compiled into it as a static archive whose
symbols stay private to the extension. Both lists of C files are the ones
CMake builds from, read from the CMakeLists.txt files, so each is kept in
one place. No separate libsockstate.so is needed. Needs swig and, on
Linux, libmnl (pkg-config).

The version is the one in CMakeLists.txt's project(VERSION).

When the `wheel` package is missing (a bare pyenv Python), a small
bdist_wheel below builds the wheel itself, so pip still works offline.
"""

import base64
import csv
import hashlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile

from setuptools import Command, setup
from setuptools.command.build_clib import build_clib
from setuptools.command.build_ext import build_ext
from setuptools.extension import Extension

ROOT = os.path.dirname(os.path.abspath(__file__))
BINDINGS = os.path.join("bindings", "python")


def _read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def project_version():
    m = re.search(r"project\s*\(\s*libsockstate\s+VERSION\s+([0-9][0-9.]*)",
                  _read("CMakeLists.txt"))
    if not m:
        sys.exit("setup.py: no project(libsockstate VERSION x.y.z) in CMakeLists.txt")
    return m.group(1)


def cmake_list(text, variable):
    """The words of set(VARIABLE ...) in a CMakeLists.txt."""
    m = re.search(r"set\s*\(\s*" + variable + r"\b(.*?)\)", text, re.S)
    if not m:
        return []
    return [w for w in m.group(1).split() if w != "PARENT_SCOPE"]


def platform_dir():
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform.startswith(("freebsd", "darwin")):
        return "bsd"
    if sys.platform == "win32":
        return "windows"
    sys.exit(f"setup.py: libsockstate has no backend for {sys.platform}")


BPF_DIR = os.path.join("platform", "linux", "bpf")
BPF_OFF = os.path.join(BPF_DIR, "pidmap_bpf_off.c")
BPF_ON = os.path.join("platform", "linux", "pidmap_bpf.c")


def library_sources():
    """The core and platform sources, as CMake lists them. The BPF owner
    map starts as its "unavailable" stub; BuildClib swaps in the real one
    when it can build the BPF program (platform/linux/bpf/bpf.cmake)."""
    core = cmake_list(_read("CMakeLists.txt"), "SOCKSTATE_CORE_SOURCES")
    plat = platform_dir()
    plat_cmake = os.path.join("platform", plat, "CMakeLists.txt")
    known = {"${dir}": os.path.join("platform", plat),
             "${CMAKE_CURRENT_SOURCE_DIR}": os.path.join("platform", plat)}
    plat_sources = []
    for word in cmake_list(_read(plat_cmake), "SOCKSTATE_PLATFORM_SOURCES"):
        if word == "${SOCKSTATE_BPF_SOURCES}":
            plat_sources.append(BPF_OFF)
            continue
        for var, value in known.items():
            word = word.replace(var, value)
        if "${" in word:
            sys.exit(f"setup.py: cannot resolve {word} in {plat_cmake}; "
                     "teach library_sources() about it")
        plat_sources.append(word)
    sources = core + plat_sources
    missing = [s for s in sources if not os.path.exists(os.path.join(ROOT, s))]
    if not sources or missing:
        sys.exit(f"setup.py: library sources not found: {missing or 'none listed'}")
    return sources, os.path.join("platform", plat)


def cli_sources():
    """The command-line tool but its main(), as libsockstate/cli/CMakeLists.txt
    lists it: python -m sockstate runs it in-process (cli_main)."""
    cli_dir = os.path.join("libsockstate", "cli")
    cli = [os.path.join(cli_dir, w) for w in
           cmake_list(_read(os.path.join(cli_dir, "CMakeLists.txt")),
                      "SOCKSTATE_CLI_SOURCES")]
    missing = [s for s in cli if not os.path.exists(os.path.join(ROOT, s))]
    if not cli or missing:
        sys.exit(f"setup.py: command-line sources not found: {missing or 'none listed'}")
    return cli


def extension_sources():
    """sockstate.i and the extension's C (core/*.c), as
    bindings/python/CMakeLists.txt lists it."""
    core = [os.path.join(BINDINGS, w) for w in
            cmake_list(_read(os.path.join(BINDINGS, "CMakeLists.txt")),
                       "SOCKSTATE_PYTHON_CORE_SOURCES")]
    missing = [s for s in core if not os.path.exists(os.path.join(ROOT, s))]
    if not core or missing:
        sys.exit(f"setup.py: extension sources not found: {missing or 'none listed'}")
    return [os.path.join(BINDINGS, "sockstate.i")] + core


def pkg_config(package, option, default):
    try:
        out = subprocess.run(["pkg-config", option, package], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return default
    return out.split()


VERSION = project_version()
SOURCES, PLATFORM_DIR = library_sources()
INCLUDES = [os.path.join("libsockstate", "include"),
            os.path.join("libsockstate", "src"), PLATFORM_DIR]
# What the POSIX platforms share (platform/posix/posix_internal.h).
if not PLATFORM_DIR.endswith("windows"):
    INCLUDES.append(os.path.join("platform", "posix"))
DEFINES = [("SOCKSTATE_VERSION_STRING", f'"{VERSION}"'), ("_GNU_SOURCE", None),
           ("SOCKSTATE_STATIC", None), ("SOCKSTATE_CLI_VERSION", f'"{VERSION}"')]

LIBS, LIB_DIRS, EXTRA_CFLAGS = [], [], []
if PLATFORM_DIR.endswith("linux"):
    for flag in pkg_config("libmnl", "--libs", ["-lmnl"]):
        if flag.startswith("-l"):
            LIBS.append(flag[2:])
        elif flag.startswith("-L"):
            LIB_DIRS.append(flag[2:])
    for flag in pkg_config("libmnl", "--cflags", []):
        if flag.startswith("-I"):
            INCLUDES.append(flag[2:])
        else:
            EXTRA_CFLAGS.append(flag)
elif PLATFORM_DIR.endswith("windows"):
    LIBS += ["iphlpapi", "ws2_32"]


def _which(*names, extra=()):
    for n in names:
        path = shutil.which(n) or next(
            (os.path.join(d, n) for d in extra
             if os.access(os.path.join(d, n), os.X_OK)), None)
        if path:
            return path
    return None


def build_bpf_skeleton(out_dir, announce):
    """Compile platform/linux/bpf/pidmap.bpf.c and generate its light
    skeleton in out_dir, with the commands bpf.cmake uses. Returns None on
    success, else why not. SOCKSTATE_BPF=0 turns it off, =1 makes a
    failure fatal."""
    want = os.environ.get("SOCKSTATE_BPF", "auto").lower()
    if want in ("0", "off", "no", "false"):
        return "SOCKSTATE_BPF=0"
    clang = _which(os.environ.get("SOCKSTATE_BPF_CLANG", "clang"), "clang-19",
                   "clang-18", "clang-17", "clang-16", "clang-15", "clang-14")
    bpftool = _which("bpftool", extra=("/usr/sbin", "/sbin"))
    libbpf = next((d for d in ("/usr/include", "/usr/local/include")
                   if os.path.exists(os.path.join(d, "bpf", "skel_internal.h"))
                   and os.path.exists(os.path.join(d, "bpf", "bpf_helpers.h"))),
                  None)
    missing = [n for n, v in (("clang", clang), ("bpftool", bpftool),
                              ("libbpf headers", libbpf)) if not v]
    if missing:
        why = "not found: " + ", ".join(missing)
        if want in ("1", "on", "yes", "true"):
            sys.exit(f"setup.py: SOCKSTATE_BPF=1 but {why} "
                     "(Debian: apt-get install clang bpftool libbpf-dev)")
        return why
    os.makedirs(out_dir, exist_ok=True)
    unstripped = os.path.join(out_dir, "pidmap.unstripped.o")
    obj = os.path.join(out_dir, "pidmap.bpf.o")
    skel = os.path.join(out_dir, "pidmap.lskel.h")
    steps = [
        [clang, "-target", "bpf", "-O2", "-g", "-Wall", "-Wextra", "-Werror",
         "-idirafter", libbpf, "-c", os.path.join(BPF_DIR, "pidmap.bpf.c"),
         "-o", unstripped],
        [bpftool, "gen", "object", obj, unstripped],
    ]
    try:
        for cmd in steps:
            announce(" ".join(cmd), level=2)
            subprocess.run(cmd, check=True)
        announce(f"{bpftool} gen skeleton -L {obj} name pidmap_bpf", level=2)
        text = subprocess.run([bpftool, "gen", "skeleton", "-L", obj, "name",
                               "pidmap_bpf"], check=True, capture_output=True,
                              text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        if want in ("1", "on", "yes", "true"):
            sys.exit(f"setup.py: building the BPF program failed: {e}")
        return f"build failed: {e}"
    with open(skel + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(skel + ".tmp", skel)
    return None


class BuildClib(build_clib):
    """The library archive; with the BPF owner map when it can be built."""

    def run(self):
        if sys.platform.startswith("linux") and self.libraries:
            out_dir = os.path.join(self.build_temp, "bpf")
            why_not = build_bpf_skeleton(out_dir, self.announce)
            _name, info = self.libraries[0]
            if why_not is None:
                info["sources"] = [BPF_ON if s == BPF_OFF else s
                                   for s in info["sources"]]
                info["include_dirs"] = list(info["include_dirs"]) + [out_dir]
                self.announce("sockstate: BPF owner map (bpf-iter) built in", level=2)
            else:
                self.announce(f"sockstate: BPF owner map off ({why_not}); "
                              "owners come from /proc", level=2)
        super().run()


class BuildExt(build_ext):
    """SWIG first (into the build directory), then the archive, then the
    extension linked against it with the archive's symbols kept private."""

    def run(self):
        self.run_command("build_clib")
        super().run()

    def swig_sources(self, sources, extension):
        out_dir = os.path.join(self.build_temp, "swig")
        os.makedirs(out_dir, exist_ok=True)
        result = []
        for src in sources:
            if not src.endswith(".i"):
                result.append(src)
                continue
            target = os.path.join(out_dir, "sockstate_wrap.c")
            swig = os.environ.get("SWIG", shutil.which("swig") or "swig")
            cmd = [swig, "-python", "-interface", "_core", "-I" + INCLUDES[0],
                   "-outdir", out_dir, "-o", target, src]
            self.announce(" ".join(cmd), level=2)
            try:
                subprocess.run(cmd, check=True)
            except (OSError, subprocess.CalledProcessError) as e:
                sys.exit(f"setup.py: swig failed ({e}); install SWIG 4")
            result.append(target)
        return result

    def build_extension(self, ext):
        clib = self.get_finalized_command("build_clib")
        ext.library_dirs = [clib.build_clib] + list(ext.library_dirs)
        if sys.platform.startswith("linux"):
            ext.extra_link_args = ["-Wl,--exclude-libs,ALL"] + list(ext.extra_link_args)
        super().build_extension(ext)


# ---- a bdist_wheel for Pythons without the `wheel` package ----

def _b64_digest(data):
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


class MiniBdistWheel(Command):
    """Just enough of wheel's bdist_wheel for pip (PEP 517 via setuptools):
    build, then zip the build directory with its .dist-info."""

    description = "build a wheel (without the wheel package)"
    user_options = [("dist-dir=", "d", "directory for the wheel")]

    def initialize_options(self):
        self.dist_dir = None

    def finalize_options(self):
        if self.dist_dir is None:
            self.dist_dir = "dist"

    @staticmethod
    def tag():
        impl = "cp" if sys.implementation.name == "cpython" else sys.implementation.name[:2]
        py = f"{impl}{sys.version_info[0]}{sys.version_info[1]}"
        abi = py + getattr(sys, "abiflags", "")
        plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
        return f"{py}-{abi}-{plat}"

    def egg2dist(self, egg_info_dir, dist_info_dir):
        """What setuptools' dist_info asks of bdist_wheel."""
        os.makedirs(dist_info_dir, exist_ok=True)
        shutil.copyfile(os.path.join(egg_info_dir, "PKG-INFO"),
                        os.path.join(dist_info_dir, "METADATA"))
        top = os.path.join(egg_info_dir, "top_level.txt")
        if os.path.exists(top):
            shutil.copyfile(top, os.path.join(dist_info_dir, "top_level.txt"))

    def run(self):
        self.run_command("build")
        build_lib = self.get_finalized_command("build").build_platlib
        egg_info = self.get_finalized_command("egg_info")
        self.run_command("egg_info")
        name = self.distribution.get_name()
        version = self.distribution.get_version()
        dist_info = f"{name}-{version}.dist-info"
        tag = self.tag()
        files = {}
        for base, _dirs, names in os.walk(build_lib):
            for n in names:
                path = os.path.join(base, n)
                arc = os.path.relpath(path, build_lib).replace(os.sep, "/")
                with open(path, "rb") as f:
                    files[arc] = f.read()
        with open(os.path.join(egg_info.egg_info, "PKG-INFO"), "rb") as f:
            files[f"{dist_info}/METADATA"] = f.read()
        files[f"{dist_info}/WHEEL"] = (
            "Wheel-Version: 1.0\nGenerator: sockstate setup.py\n"
            f"Root-Is-Purelib: false\nTag: {tag}\n").encode()
        files[f"{dist_info}/top_level.txt"] = b"sockstate\n"
        record = io.StringIO()
        writer = csv.writer(record, lineterminator="\n")
        for arc, data in files.items():
            writer.writerow([arc, "sha256=" + _b64_digest(data), str(len(data))])
        writer.writerow([f"{dist_info}/RECORD", "", ""])
        files[f"{dist_info}/RECORD"] = record.getvalue().encode()
        os.makedirs(self.dist_dir, exist_ok=True)
        path = os.path.join(self.dist_dir, f"{name}-{version}-{tag}.whl")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for arc, data in files.items():
                z.writestr(arc, data)
        self.announce(f"wrote {path}", level=2)


CMDCLASS = {"build_ext": BuildExt, "build_clib": BuildClib}
if importlib.util.find_spec("wheel") is None:
    CMDCLASS["bdist_wheel"] = MiniBdistWheel


setup(
    version=VERSION,
    cmdclass=CMDCLASS,
    # Not build/: that is the CMake build of `make build`. /build*/ is
    # ignored by git.
    options={"build": {"build_base": "build-setuptools"}},
    libraries=[("sockstate_c", {
        "sources": SOURCES + cli_sources(),
        "include_dirs": INCLUDES,
        "macros": DEFINES,
        "cflags": ["-std=c11", "-fvisibility=hidden"] + EXTRA_CFLAGS,
    })],
    ext_modules=[Extension(
        "sockstate._core",
        sources=extension_sources(),
        include_dirs=INCLUDES + [os.path.join(BINDINGS, "core"),
                                 os.path.join("libsockstate", "cli")],
        define_macros=[("SOCKSTATE_STATIC", None)],
        # core/*.c share names across files: keep them out of the
        # extension's exports (PyInit__core is exported all the same).
        extra_compile_args=[] if sys.platform == "win32" else ["-fvisibility=hidden"],
        libraries=["sockstate_c"] + LIBS,
        library_dirs=LIB_DIRS,
    )],
)
