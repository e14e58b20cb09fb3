"""sockstate.trace(): connection lifecycle events as they happen."""

from __future__ import annotations

import time
from typing import Any, Iterator, Optional

from ._errors import InvalidArgument
from ._handle import AddrArg, PortArg, StatesArg, build_query
from ._native import core

# The longest one read waits without the GIL: Ctrl-C (KeyboardInterrupt)
# and the timeout are seen at least this often.
_SLICE_MS = 100


def _seconds(value: Any, label: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidArgument(f"{label}: {value!r} is not a number of seconds")
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{label}: {value!r} is not a number of seconds") from None
    if not 0 < seconds <= 1e6:
        raise InvalidArgument(f"{label}: {value!r} is not a number of seconds "
                              "(above 0, at most 1000000)")
    return seconds


def trace(states: StatesArg = None, *, port: PortArg = None,
          sport: PortArg = None, dport: PortArg = None,
          laddr: AddrArg = None, raddr: AddrArg = None,
          addr: AddrArg = None, pid: Optional[int] = None,
          family: Any = None, processes: bool = False,
          source: str = "auto", summaries: bool = False,
          transitions: bool = True, interval: Optional[float] = None,
          timeout: Optional[float] = None, count: Optional[int] = None,
          backend: Optional[str] = None, pid_source: Optional[str] = None,
          netns: Optional[str] = None) -> Iterator[Any]:
    """Connection lifecycle events as they happen, as ``sockstate trace``
    prints them: a generator of Event objects built in C.

        >>> for ev in sockstate.trace(port=8080, timeout=10):
        ...     print(ev.laddr, ev.raddr, ev.old_state, "->", ev.new_state, ev.cause)

    Filters as connections() takes them (a transition passes the state
    filter when its old or its new state is in it; there is no uid
    filter: events carry none). ``source`` is "auto" (the best allowed
    here), "bpf", "sock-diag-destroy" or "poll" (docs/TRACE.md says what
    each sees); ``interval`` the seconds between poll's listings;
    ``processes`` maps owners at each listing (poll; bpf names them
    anyway). ``summaries=True`` adds an Event of kind "summary" per
    connection that ends (its path, duration, bytes); with
    ``transitions=False`` only those (``sockstate trace --summary``).
    The generator ends ``timeout`` seconds after this call or after
    ``count`` events (a "lost" event does not count), else runs until
    closed: leaving the loop (break, an exception) or ``close()`` closes
    the trace.

    The trace is opened here, on a handle of its own (``backend``,
    ``pid_source``, ``netns`` as the module functions take them), and
    watches once this returns (poll has taken its first listing), so a
    bad argument or a source that cannot run raises at once:
    InvalidArgument, PermissionDenied (e.g. bpf without CAP_BPF),
    Unavailable or Error. Use the generator from one thread at a time.
    """
    c = core()
    src = "auto" if source is None else source
    every = _seconds(interval, "interval")
    wait = _seconds(timeout, "timeout")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)
                              or count < 1):
        raise InvalidArgument(f"count: {count!r} is not a count (1 or more)")
    if not transitions and not summaries:
        raise InvalidArgument("transitions=False: give summaries=True too, or nothing "
                              "but lost events would come")
    if every is not None and src not in ("auto", "poll"):
        raise InvalidArgument("interval: only with source 'poll' (or 'auto')")
    q, _ = build_query(states, port, sport, dport, laddr, raddr, addr, pid, None,
                       family, processes)
    flags = (c.TRACE_SUMMARIES if summaries else 0) | \
        (0 if transitions else c.TRACE_NO_TRANSITIONS)
    interval_ms = 0 if every is None else max(1, round(every * 1000))
    cap = c.trace_open(backend, pid_source, netns, q, src, interval_ms, flags)
    deadline = None if wait is None else time.monotonic() + wait
    try:
        # A read that does not wait: poll takes its first listing here, so
        # once trace() returns every source watches.
        first = c.trace_read(cap, 0)
    except BaseException:
        c.trace_close(cap)
        raise
    return _events(c, cap, first, deadline, count)


def _events(c: Any, cap: Any, ev: Any, deadline: Optional[float],
            count: Optional[int]) -> Iterator[Any]:
    """ev first (None: nothing yet), then what each read brings."""
    try:
        taken = 0
        while True:
            if ev is not None:
                yield ev
                if ev.kind != "lost":
                    taken += 1
                    if count is not None and taken >= count:
                        return
            wait_ms = _SLICE_MS
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                wait_ms = min(wait_ms, int(left * 1000) + 1)
            ev = c.trace_read(cap, wait_ms)
    finally:
        c.trace_close(cap)
