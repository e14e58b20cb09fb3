"""The man pages sockstate(1) and libsockstate(3), generated at build time
(docs/man): rendered by man-db (`man -l`, 80 columns) and checked by groff
with every warning on, and compared with their sources: every option,
subcommand and exit code of `sockstate --help`, every state, and every
function of sockstate.h.

Environment (ctest sets it): SOCKSTATE_CLI, SOCKSTATE_MAN_DIR,
SOCKSTATE_SOURCE_DIR, SOCKSTATE_VERSION.
"""

import gzip
import os
import pathlib
import re
import shutil
import subprocess

import pytest

CLI = os.environ.get("SOCKSTATE_CLI")
MAN_DIR = pathlib.Path(os.environ.get("SOCKSTATE_MAN_DIR", "."))
SOURCE = pathlib.Path(os.environ.get("SOCKSTATE_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
VERSION = os.environ.get("SOCKSTATE_VERSION")

pytestmark = [
    pytest.mark.skipif(not CLI or "SOCKSTATE_MAN_DIR" not in os.environ or not VERSION,
                       reason="run through ctest: SOCKSTATE_CLI, SOCKSTATE_MAN_DIR, "
                              "SOCKSTATE_VERSION unset"),
    pytest.mark.skipif(shutil.which("man") is None or shutil.which("groff") is None,
                       reason="man-db and groff are needed (Debian: man-db groff)"),
]

PAGES = ["sockstate.1", "libsockstate.3"]
STATES = ["CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
          "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
          "TIME_WAIT", "DELETE_TCB", "BOUND", "UNKNOWN"]


def render(page):
    """The page as man-db shows it on an 80-column terminal, as plain text."""
    env = dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="0", LC_ALL="C.UTF-8",
               MANPAGER="cat", PAGER="cat")
    r = subprocess.run(["man", "-l", str(MAN_DIR / page)], capture_output=True,
                       text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", f"man -l {page} warned:\n{r.stderr}"
    # man writes bold/underline as overstrikes when piped: drop them.
    return re.sub(r".\x08", "", r.stdout)


@pytest.mark.parametrize("page", PAGES)
def test_groff_has_no_warning(page):
    r = subprocess.run(["groff", "-ww", "-z", "-man", str(MAN_DIR / page)],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0 and r.stderr == "", r.stderr


@pytest.mark.parametrize("page", PAGES)
def test_renders_in_80_columns_with_version(page):
    text = render(page)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    name = page.split(".")[0].upper()
    section = page.split(".")[1]
    assert lines[0].startswith(f"{name}({section})")
    product = "sockstate" if section == "1" else "libsockstate"
    assert re.match(rf"^{product} {re.escape(VERSION)}\s+\d{{4}}-\d\d-\d\d\s+{name}\({section}\)$",
                    lines[-1]), lines[-1]


@pytest.mark.parametrize("page", PAGES)
def test_installed_copy_is_the_same_page(page):
    """The .gz that is installed holds the page that was checked."""
    gz = MAN_DIR / (page + ".gz")
    if not gz.exists():
        pytest.skip("gzip not found at build time: the page is installed plain")
    assert gzip.decompress(gz.read_bytes()) == (MAN_DIR / page).read_bytes()
    # -n: no name or time stamp inside (reproducible, lintian).
    assert gz.read_bytes()[4:8] == b"\0\0\0\0"


def help_rows():
    text = subprocess.run([CLI, "--help"], check=True, capture_output=True,
                          text=True).stdout
    options = re.findall(r"^  (?:-\w, |    )(--[a-z0-9-]+)", text, re.M)
    shorts = re.findall(r"^  (-\w), --", text, re.M)
    section = text.split("\nExit status:\n", 1)[1].split("\n\n", 1)[0]
    exits = re.findall(r"^  (\d)\s", section, re.M)
    return text, options, shorts, exits


def test_sockstate_1_has_every_option_subcommand_and_exit_code():
    text = render("sockstate.1")
    help_text, options, shorts, exits = help_rows()
    assert len(options) >= 30
    options_section = text.split("\nOPTIONS\n", 1)[1].split("\nSTATES\n", 1)[0]
    tags = re.findall(r"^       (?:(-\w), )?(--[a-z0-9-]+)", options_section, re.M)
    assert [long for _short, long in tags] == [
        o for g in group_order(help_text) for o in g]
    assert sorted(s for s, _l in tags if s) == sorted(shorts)
    subcommands = text.split("\nSUBCOMMANDS\n", 1)[1].split("\nOPTIONS\n", 1)[0]
    assert re.findall(r"^       ([a-z]+)", subcommands, re.M) == [
        "list", "summary", "explain", "wait", "watch", "trace", "counters", "diagnose", "help"]
    exit_section = text.split("\nEXIT STATUS\n", 1)[1].split("\nENVIRONMENT\n", 1)[0]
    assert re.findall(r"^       (\d)\s", exit_section, re.M) == exits == [
        "0", "1", "2", "3", "4"]
    for usage in re.findall(r"^  (sockstate [a-z]+)", help_text, re.M):
        assert usage in text
    assert "sockstate --help | --version" in text


def group_order(help_text):
    """The long options of --help, group by group, in its order."""
    groups = []
    for block in help_text.split("\n\n"):
        found = re.findall(r"^  (?:-\w, |    )(--[a-z0-9-]+)", block, re.M)
        if found and not block.startswith("Usage:") and "Exit status" not in block:
            groups.append(found)
    return groups


def test_sockstate_1_explains_every_state():
    text = render("sockstate.1")
    states = text.split("\nSTATES\n", 1)[1].split("\nEXIT STATUS\n", 1)[0]
    listed = re.findall(r"^       ([A-Z_0-9]+)(?:\s|$)", states, re.M)
    assert sorted(listed) == sorted(STATES)
    assert listed[-1] == "UNKNOWN"


def test_sockstate_1_examples_are_the_help_examples():
    help_text = help_rows()[0]
    examples = help_text.split("\nExamples:\n", 1)[1]
    commands = re.findall(r"^  (sockstate.*)$", examples, re.M)
    text = render("sockstate.1")
    man_examples = text.split("\nEXAMPLES\n", 1)[1].split("\nSEE ALSO\n", 1)[0]
    assert re.findall(r"^       (sockstate.*?)\s*$", man_examples, re.M) == commands


def test_libsockstate_3_lists_every_function_of_the_header():
    header = (SOURCE / "libsockstate" / "include" / "sockstate.h").read_text()
    functions = re.findall(r"^SOCKSTATE_API[^(]*?\b(sockstate_\w+)\(", header, re.M)
    assert len(functions) >= 40
    text = render("libsockstate.3")
    section = text.split("\nFUNCTIONS\n", 1)[1].split("\nEXAMPLE\n", 1)[0]
    listed = re.findall(r"^       (sockstate_\w+)$", section, re.M)
    assert listed == functions
    # Each with its summary line under it, from its comment in the header.
    for name in functions:
        assert re.search(rf"^       {name}\n              \S", section, re.M), name
    assert "(undocumented in sockstate.h)" not in section, (
        "a function of sockstate.h lacks its /* name - what it does */ comment")


def test_libsockstate_3_example_is_the_example_file():
    text = render("libsockstate.3")
    example = text.split("\nEXAMPLE\n", 1)[1].split("\nFILES\n", 1)[0]
    source = (SOURCE / "examples" / "c" / "listening.c").read_text()
    for line in source.splitlines():
        # Tabs expand to roff's tab stops: compare the words.
        assert " ".join(line.split()) in " ".join(example.split()), line
