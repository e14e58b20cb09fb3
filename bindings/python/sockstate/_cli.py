"""``python -m sockstate``: the C ``sockstate`` tool's command line, run
in-process. Its parser, messages, writers and exit codes are the C tool's
own code (libsockstate/cli, linked into the extension and entered through
``cli_main``), with ``snapshot`` offered and ``report`` named in --help.
What is this package's own: ``report`` (pure Python, so it also works
without the C extension; ``help report`` is its ``--help``), and making the interpreter's state fit a C
program's for the length of the call (buffers flushed, SIGINT and SIGPIPE
as a C program has them).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Iterator, List, Optional

from ._exit import EXIT_OS, EXIT_USAGE


def _say(line: str) -> None:
    data = f"sockstate: {line}\n".encode("utf-8", "surrogateescape")
    try:
        sys.stderr.flush()
        os.write(2, data)
    except (OSError, ValueError):
        pass


def _run_report(argv: List[str]) -> int:
    try:
        from . import report  # type: ignore[attr-defined]
    except ImportError:
        _say("report: not available in this installation")
        return EXIT_USAGE
    return int(report.main(argv))


def _without_extension(argv: List[str]) -> int:
    """Only report runs without the C extension: it is the first word that
    is not an option (the C parser, which knows which options take a
    value, is not there to ask)."""
    words = [i for i, a in enumerate(argv) if not a.startswith("-") or a == "-"]
    if words and argv[words[0]] == "report":
        return _run_report(argv[:words[0]] + argv[words[0] + 1:])
    from ._native import core
    try:
        core()
    except ImportError as e:
        _say(str(e))
    return EXIT_OS


@contextlib.contextmanager
def _as_a_c_program() -> Iterator[None]:
    """SIGINT and SIGPIPE at their default actions, as the C tool runs:
    Ctrl-C ends a wait at once (Python's handler would only set a flag
    that nothing reads while the C code runs), and a closed pipe ends the
    writer quietly. watch catches SIGINT itself and gives it back."""
    saved = {}
    for name in ("SIGINT", "SIGPIPE"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            saved[sig] = signal.signal(sig, signal.SIG_DFL)
        except (ValueError, OSError):  # not the main thread: leave them
            pass
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit code (never raises)."""
    if argv is None:
        argv = sys.argv[1:]
    try:
        from ._native import available, core
        if not available():
            return _without_extension(argv)
        c = core()
        args = [os.fsencode(a) for a in argv]
        at = c.cli_subcommand_at(args)
        if at >= 0 and args[at] == b"report":
            return _run_report(argv[:at] + argv[at + 1:])
        if at >= 0 and args[at] == b"help":
            # help report: report's own help (argparse's), as report --help.
            topic = c.cli_subcommand_at(args[at + 1:])
            if topic >= 0 and args[at + 1 + topic] == b"report" and len(args) == at + 2:
                return _run_report(["--help"])
        # The C code writes to file descriptors 1 and 2 directly.
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                with contextlib.suppress(OSError, ValueError):
                    stream.flush()
        with _as_a_c_program():
            return int(c.cli_main(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 128 + 13
    except MemoryError:
        _say("out of memory")
        return EXIT_OS
    except ValueError as e:  # an argument no C string can carry (a NUL)
        _say(str(e))
        return EXIT_USAGE
    except Exception as e:  # a bug: still one line, never a traceback
        _say(f"internal error: {type(e).__name__}: {e}")
        return EXIT_OS
