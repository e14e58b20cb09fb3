"""The bash and zsh completions of `sockstate`, generated at build time from
the CLI's spec table (libsockstate/cli/completions/gen_completions.c).

bash: the script is sourced in a real bash and its completion function is
called the way bash calls it, with COMP_WORDS/COMP_CWORD set; COMPREPLY is
asserted exactly. zsh: the function runs in a real zsh with the completion
system's primitives (compadd, compset, _describe, _files) replaced by
recorders, so what the function offers is asserted exactly; the file is
also loaded by compinit. Every value offered is then given to the real
tool, which must accept it: the completion cannot offer what the tool
refuses, and the option lists must equal what `sockstate --help` lists.

Environment (ctest sets it): SOCKSTATE_CLI, SOCKSTATE_COMPLETIONS_DIR.
"""

import os
import pathlib
import re
import shlex
import shutil
import subprocess

import pytest

CLI = os.environ.get("SOCKSTATE_CLI")
COMPLETIONS = os.environ.get("SOCKSTATE_COMPLETIONS_DIR")

pytestmark = pytest.mark.skipif(
    not CLI or not COMPLETIONS,
    reason="run through ctest: SOCKSTATE_CLI and SOCKSTATE_COMPLETIONS_DIR unset")

BASH_FILE = pathlib.Path(COMPLETIONS or ".") / "sockstate"
ZSH_FILE = pathlib.Path(COMPLETIONS or ".") / "_sockstate"

STATES = ["UNKNOWN", "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED",
          "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",
          "LAST_ACK", "TIME_WAIT", "DELETE_TCB", "BOUND"]
SUBCOMMANDS = ["list", "summary", "explain", "wait", "watch", "trace", "counters", "diagnose", "help"]


def help_text():
    return subprocess.run([CLI, "--help"], check=True, capture_output=True,
                          text=True).stdout


def help_options():
    """Every option word --help lists in its option rows ("-p, --processes",
    "    --state S[,S...]")."""
    words = set()
    for line in help_text().splitlines():
        m = re.match(r"^  (?:(-\w), |    )(--[a-z0-9-]+)", line)
        if m:
            words.add(m.group(2))
            if m.group(1):
                words.add(m.group(1))
    return words


# ------------------------------------------------------------------ bash

def bash_complete(line):
    """Complete `line` (the cursor at its end) as bash would: words split
    on blanks, '=' a word of its own (bash's default COMP_WORDBREAKS)."""
    words = re.findall(r"[^\s=]+|=", line)
    if line.endswith(" ") or not words:
        words.append("")
    script = (
        f"source {shlex.quote(str(BASH_FILE))}\n"
        f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        f"COMP_LINE={shlex.quote(line)}\n"
        f"COMP_POINT={len(line)}\n"
        "_sockstate sockstate \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n"
        "complete -p sockstate >&2\n")
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script],
                       capture_output=True, text=True, check=True)
    assert r.stderr.strip() == "complete -F _sockstate sockstate"
    return [w for w in r.stdout.split("\n") if w != ""]


def test_bash_subcommands():
    assert bash_complete("sockstate ") == SUBCOMMANDS
    assert bash_complete("sockstate w") == ["wait", "watch"]
    assert bash_complete("sockstate su") == ["summary"]


def test_bash_every_option_before_a_subcommand_is_what_help_lists():
    offered = bash_complete("sockstate -")
    assert len(offered) == len(set(offered))
    assert set(offered) == help_options()


def test_bash_options_of_a_subcommand():
    assert bash_complete("sockstate explain -") == [
        "--explain", "--lang", "--help", "-h", "--version", "-V"]
    assert sorted(bash_complete("sockstate wait --")) == sorted([
        "--backend", "--processes", "--help", "--version", "--netns",
        "--listen", "--drained", "--states", "--exclude-remote", "--timeout",
        "--interval"])
    assert bash_complete("sockstate summary --b") == ["--backend", "--by"]
    # The subcommand may come after options; an option's value is not one.
    assert bash_complete("sockstate --port 80 summary --b") == ["--backend", "--by"]
    assert bash_complete("sockstate --state LISTEN explain --l") == ["--lang"]
    assert sorted(bash_complete("sockstate trace --")) == sorted([
        "--state", "--port", "--sport", "--dport", "--addr", "--saddr", "--daddr",
        "--pid", "--ipv4", "--ipv6", "--or", "--backend", "--pid-source", "--format",
        "--json", "--csv", "--processes", "--no-header", "--csv-formula-safe", "--verbose",
        "--summary", "--help", "--version", "--netns", "--interval", "--source",
        "--duration", "--count"])


def test_bash_states_every_normalized_one():
    assert bash_complete("sockstate --state ") == STATES + ["all"]
    assert bash_complete("sockstate explain ") == STATES
    assert bash_complete("sockstate explain TIME_WAIT ") == []
    assert bash_complete("sockstate --explain C") == ["CLOSED", "CLOSE_WAIT", "CLOSING"]
    # Any case, as the parser takes any case.
    assert bash_complete("sockstate explain fin") == ["FIN_WAIT_1", "FIN_WAIT_2"]
    # help SUBCOMMAND: the subcommands, then nothing more.
    assert bash_complete("sockstate help ") == SUBCOMMANDS
    assert bash_complete("sockstate help su") == ["summary"]
    assert bash_complete("sockstate help summary ") == []
    assert bash_complete("sockstate wait --drained 80 --states TIME") == ["TIME_WAIT"]


def test_bash_state_lists_complete_after_the_last_comma():
    assert bash_complete("sockstate --state LISTEN,EST") == ["LISTEN,ESTABLISHED"]
    assert bash_complete("sockstate --state listen,syn_") == [
        "listen,SYN_SENT", "listen,SYN_RECEIVED"]
    assert bash_complete("sockstate summary --by port,pro") == ["port,process"]


def test_bash_values_after_equals():
    assert bash_complete("sockstate --format=") == ["table", "json", "csv", "prometheus"]
    assert bash_complete("sockstate --format=js") == ["json"]
    assert bash_complete("sockstate --state=LISTEN,CLOS") == [
        "LISTEN,CLOSED", "LISTEN,CLOSE_WAIT", "LISTEN,CLOSING"]


def test_bash_backends_formats_and_keys():
    assert bash_complete("sockstate --backend ") == ["auto", "linux-netlink", "linux-proc"]
    assert bash_complete("sockstate --format ") == ["table", "json", "csv", "prometheus"]
    assert bash_complete("sockstate --sort p") == ["pid", "process"]
    assert bash_complete("sockstate summary --by ") == [
        "port", "local", "remote", "process", "uid", "netns", "pid"]
    assert bash_complete("sockstate --pid-source ") == ["auto", "procfs", "bpf"]
    assert bash_complete("sockstate explain LISTEN --lang ") == ["en", "es"]
    assert bash_complete("sockstate trace --source ") == [
        "auto", "bpf", "sock-diag-destroy", "poll"]


def test_bash_free_values_offer_nothing():
    for line in ("sockstate --port ", "sockstate --addr 10.", "sockstate --pid ",
                 "sockstate wait --timeout ", "sockstate summary --top "):
        assert bash_complete(line) == [], line


def test_bash_output_completes_file_names(tmp_path):
    (tmp_path / "snap-a.json").write_text("")
    (tmp_path / "snap-b.json").write_text("")
    prefix = str(tmp_path / "snap-")
    assert bash_complete(f"sockstate -o {prefix}") == [prefix + "a.json", prefix + "b.json"]
    assert bash_complete(f"sockstate --output={prefix}a") == [prefix + "a.json"]


# ------------------------------------------------------------------- zsh

ZSH_STUBS = r"""
emulate -L zsh
typeset -ga offered
compadd() {
  local -a words; local arr='' skip=0 a
  for a in "$@"; do
    if (( skip )); then skip=0; [[ $prev == -a ]] && arr=$a; continue; fi
    case $a in
      (-a) prev=-a; skip=1 ;;
      (-S|-M|-P|-J|-X|-V) prev=$a; skip=1 ;;
      (-*) ;;
      (*) words+=($a) ;;
    esac
  done
  [[ -n $arr ]] && words+=(${(P)arr})
  offered+=("${IPREFIX}"${^words})
}
compset() {
  # -P PATTERN: move the longest leading match of PREFIX into IPREFIX.
  [[ $1 == -P ]] || return 1
  local head=${(M)PREFIX##${~2}}
  [[ -n $head ]] || return 1
  IPREFIX+=$head; PREFIX=${PREFIX#$head}
}
_describe() {
  local -a specs; specs=(${(P)4})
  offered+=(${specs%%:*})
}
_files() { offered+=('<files>') }
"""


def zsh_complete(line):
    """What _sockstate offers for `line` (the cursor at its end), with the
    completion system's primitives recorded instead of run."""
    words = line.split()
    if line.endswith(" "):
        words.append("")
    # Sourced as compinit's autoload would run it: the file defines
    # _sockstate and calls it once, on the words set here.
    script = (
        ZSH_STUBS
        + f"words=({' '.join(shlex.quote(w) for w in words)})\n"
        + f"CURRENT={len(words)}\n"
        + f"PREFIX={shlex.quote(words[-1])}\nIPREFIX=''\n"
        + f"source {shlex.quote(str(ZSH_FILE))}\n"
        + "print -rl -- $offered\n")
    r = subprocess.run(["zsh", "-f", "-c", script], capture_output=True,
                       text=True, check=True)
    assert r.stderr == ""
    return [w for w in r.stdout.split("\n") if w != ""]


needs_zsh = pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")


@needs_zsh
def test_zsh_loads_with_compinit():
    script = (f"fpath=({shlex.quote(str(ZSH_FILE.parent))} $fpath)\n"
              "autoload -Uz compinit && compinit -u -D\n"
              "print -r -- $_comps[sockstate]\n")
    r = subprocess.run(["zsh", "-f", "-c", script], capture_output=True, text=True,
                       check=True)
    assert r.stdout.strip() == "_sockstate"


@needs_zsh
def test_zsh_subcommands_options_and_values():
    assert zsh_complete("sockstate ") == SUBCOMMANDS
    assert set(zsh_complete("sockstate -")) == help_options()
    assert zsh_complete("sockstate explain -") == [
        "--explain", "--lang", "--help", "-h", "--version", "-V"]
    assert zsh_complete("sockstate explain ") == STATES
    assert zsh_complete("sockstate help ") == SUBCOMMANDS
    assert zsh_complete("sockstate --state ") == STATES + ["all"]
    assert zsh_complete("sockstate --backend ") == ["auto", "linux-netlink", "linux-proc"]
    assert zsh_complete("sockstate summary --by port,") == [
        "port," + k for k in ("port", "local", "remote", "process", "uid", "netns", "pid")]
    assert zsh_complete("sockstate --format=") == [
        "--format=" + f for f in ("table", "json", "csv", "prometheus")]
    assert zsh_complete("sockstate -o ") == ["<files>"]
    assert zsh_complete("sockstate --port ") == []


# ------------------------------------------- the tool takes what is offered

def accepted(args):
    r = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60)
    # 0 done, 1 a wait not met, 3 the OS refused (a backend not here):
    # anything but 2, bad usage.
    return r.returncode != 2, r


# How to try a value of each option: a command line around it.
TRY_VALUE = {
    "--state": lambda v: ["summary", "--state", v],
    "--states": lambda v: ["wait", "--drained", "1", "--timeout", "0", "--states", v],
    "--explain": lambda v: ["--explain", v],
    "--backend": lambda v: ["summary", "--backend", v],
    "--pid-source": lambda v: ["summary", "--pid-source", v],
    "--format": lambda v: ["summary", "--format", v],
    "--sort": lambda v: ["--state", "listen", "-n", "--sort", v],
    "--by": lambda v: ["summary", "--by", v],
    "--lang": lambda v: ["explain", "LISTEN", "--lang", v],
    "--source": lambda v: ["trace", "--duration", "0.01", "--source", v],
}


def test_every_offered_value_is_accepted_by_the_tool():
    checked = 0
    for option, command in TRY_VALUE.items():
        values = bash_complete(f"sockstate {option} ")
        assert values, option
        for value in values:
            ok, r = accepted(command(value))
            assert ok, f"{option} {value}: {r.stderr.strip()}"
            checked += 1
    for state in bash_complete("sockstate explain "):
        ok, r = accepted(["explain", state])
        assert ok and r.returncode == 0, r.stderr
    assert checked >= 40


def test_every_option_with_a_value_list_is_tried():
    """An option whose values the completion lists must be in TRY_VALUE, so
    a new one cannot go unchecked."""
    listed = set(re.findall(r"^        (--[a-z0-9-]+)(?:\|-\w)?\) _sockstate_(?:words|list) ",
                            BASH_FILE.read_text(), re.M))
    assert listed == set(TRY_VALUE)
