"""Handles on the library, the query builder, and the default handles."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import threading
import time
import warnings
from typing import (Any, Dict, Iterable, List, NamedTuple, Optional, Tuple, Union,
                    overload)

from ._diagnose import Counters, Diagnosis
from ._errors import InvalidArgument, OwnersUnreadable
from ._native import core
from ._psutil import kind_family
from ._state import State

StatesArg = Union[str, State, Iterable[Union[str, State]], None]
AddrArg = Union[str, ipaddress.IPv4Address, ipaddress.IPv6Address,
                ipaddress.IPv4Network, ipaddress.IPv6Network,
                Tuple[Optional[str], Optional[int]], None]
PortArg = Union[int, str, None]
#: Group keys: "port", "port,process", or a list of names.
KeysArg = Union[str, Iterable[str]]
#: Address prefixes: one ("10.0.0.0/8", an ipaddress object) or a list.
PrefixesArg = Union[str, ipaddress.IPv4Address, ipaddress.IPv6Address,
                    ipaddress.IPv4Network, ipaddress.IPv6Network, Iterable[Any]]

# What a list-like argument takes alone as its one item (a str is
# iterable, and so is a network: neither is a list of items).
_ONE_ITEM = (str, bytes, State, ipaddress.IPv4Address, ipaddress.IPv6Address,
             ipaddress.IPv4Network, ipaddress.IPv6Network)

PortsArg = Union[int, str, Iterable[Union[int, str]], None]

# The calls that may map owners: after one, owners that could not be
# read are a warning (the command line says it on stderr).
_OWNER_CALLS = ("connections", "render", "count_groups", "wait_check")

_SORT_OWNERS = ("pid", "process")

# What a document carries besides its sockets or counts (core's render
# and render_counts): the TCP counters; those and diagnose's findings.
_COUNTERS, _FINDINGS = 1, 2

# The writers' order of states: CLOSED ... BOUND, then UNKNOWN.
_WRITER_ORDER = tuple(State)


class Group(NamedTuple):
    """One group of Handle.groups(): the keys grouped on (the others None)
    and the group's counts.

    One per group of Handle.groups(by=...): by="pid" tells apart the
    processes that by="process" joins under one name.

    port: local port; local: local Address; remote: remote address (text);
    process: owner's name (None: no owner found, e.g. TIME_WAIT); uid;
    netns: the namespace label (None: the caller's own); total: sockets in
    the group; counts: {State: n} for the states it has, in the usual
    order; pid: the lowest owning pid (by="pid"; None: no owner found),
    last so that code unpacking the first eight fields keeps working.
    """

    port: Optional[int]
    local: Any
    remote: Optional[str]
    process: Optional[str]
    uid: Optional[int]
    netns: Optional[str]
    total: int
    counts: Dict[State, int]
    pid: Optional[int] = None


class NetNs(NamedTuple):
    """A network namespace (sockstate.netns_list()): spec is what
    Handle(netns=...) takes ("NAME" or "pid:PID"); pid the lowest pid seen
    in it (None: none); inode its identity; current: the caller's own."""

    spec: str
    pid: Optional[int]
    inode: int
    current: bool


def _group(t: tuple) -> Group:
    by_state = t[7]
    from ._state import _CODES
    counts = {s: by_state[_CODES[s]] for s in _WRITER_ORDER if by_state[_CODES[s]]}
    return Group(t[0], t[1], t[2], t[3], t[4], t[5], t[6], counts, t[8])


def _items(value: Any) -> List[Any]:
    """A list-like argument as a list: a string, a State, an address or a
    network alone (or anything not iterable) is a list of one, so
    ``exclude_remote="10.0.0.0/8"`` is not read one character at a time."""
    if isinstance(value, _ONE_ITEM):
        return [value]
    try:
        return list(value)
    except TypeError:
        return [value]


def _keys_text(by: Any) -> Union[str, bytes]:
    if isinstance(by, (str, bytes)):
        return by
    return ",".join(str(k) for k in _items(by))


def _text(value: Any) -> Union[str, bytes]:
    """A filter value as the library's parser reads it."""
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, bool):
        return str(value)  # refused by the parser, with the value shown
    if isinstance(value, State):
        return value.value
    return str(value)


def _states_text(states: StatesArg) -> Union[str, bytes]:
    if isinstance(states, (str, bytes, State)):
        return _text(states)
    items = _items(states)
    # Bytes stay bytes (b"\xff" is no UTF-8): the parser names them as given.
    if any(isinstance(s, bytes) for s in items):
        return b",".join(s if isinstance(s, bytes) else str(_text(s)).encode("utf-8",
                                                                            "surrogateescape")
                         for s in items)
    return ",".join(str(_text(s)) for s in items)


# The command line's limits (libsockstate/cli/args.c), so that Python
# accepts and refuses what `sockstate` does.
_SECONDS_MAX = 1e6
_TOP_MAX = 9999999


def _seconds(label: str, value: Any, zero_ok: bool) -> float:
    """A timeout or an interval: a finite number of seconds, 0 (or above
    0) to 1e6, as --timeout and --interval take them."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        ok = (0 <= value if zero_ok else 0 < value) and value <= _SECONDS_MAX
    if not ok:
        limits = "0-1000000" if zero_ok else "above 0, at most 1000000"
        raise InvalidArgument(f"{label}: {value!r} is not a number of seconds "
                              f"({limits}, decimals allowed)")
    return float(value)


def _top(value: Any) -> int:
    """How many groups to keep: 0 (all) to 9999999, as --top (which
    starts at 1: 0 is its default, all)."""
    if (not isinstance(value, int) or isinstance(value, bool)
            or not 0 <= value <= _TOP_MAX):
        raise InvalidArgument(f"top: {value!r} is not a count (0-{_TOP_MAX}; 0: all)")
    return value


def _family_text(family: Any) -> Union[str, bytes]:
    if isinstance(family, socket.AddressFamily):
        if family == socket.AF_INET:
            return "4"
        if family == socket.AF_INET6:
            return "6"
    return _text(family)


def _endpoint(pairs: list, key_addr: str, key_port: str, label: str,
              value: AddrArg) -> None:
    """laddr/raddr: an address or prefix, or psutil's (ip, port) tuple."""
    if isinstance(value, tuple):
        if len(value) != 2:
            raise TypeError(f"{label}: expected (ip, port), got {value!r}")
        ip, port = value
        if ip not in (None, ""):
            pairs.append((key_addr, _text(ip), label))
        if port is not None:
            pairs.append((key_port, _text(port), label))
    else:
        pairs.append((key_addr, _text(value), label))


def build_query(states: StatesArg = None, port: PortArg = None,
                sport: PortArg = None, dport: PortArg = None,
                laddr: AddrArg = None, raddr: AddrArg = None,
                addr: AddrArg = None, pid: Optional[int] = None,
                uid: Optional[int] = None, family: Any = None,
                processes: bool = False, tcp_info: bool = False,
                sort: Optional[str] = None, pushdown: bool = True,
                ) -> Tuple[bytes, int]:
    """The library query (bytes) and sort key for these filters.

    Every value goes through the library's own parsers
    (sockstate_query_set and friends); nothing is parsed here.
    """
    c = core()
    pairs: List[Tuple[str, Union[str, bytes], str]] = []
    if states is not None:
        pairs.append(("state", _states_text(states), "states"))
    if port is not None:
        pairs.append(("port", _text(port), "port"))
    if sport is not None:
        pairs.append(("sport", _text(sport), "sport"))
    if dport is not None:
        pairs.append(("dport", _text(dport), "dport"))
    if laddr is not None:
        _endpoint(pairs, "saddr", "sport", "laddr", laddr)
    if raddr is not None:
        _endpoint(pairs, "daddr", "dport", "raddr", raddr)
    if addr is not None:
        pairs.append(("addr", _text(addr), "addr"))
    if pid is not None:
        pairs.append(("pid", _text(pid), "pid"))
    if uid is not None:
        pairs.append(("uid", _text(uid), "uid"))
    if family is not None:
        pairs.append(("family", _family_text(family), "family"))
    flags = 0
    if processes:
        flags |= c.Q_PIDS
    if tcp_info:
        flags |= c.Q_TCP_INFO
    if not pushdown:
        flags |= c.Q_NO_PUSHDOWN
    sort_key = c.SORT_NONE
    if sort is not None:
        sort_key = c.sort_key(sort, "sort")
        # Sorting by owner without owners would sort nothing (as the CLI).
        if sort_key in (c.SORT_PID, c.SORT_PROCESS):
            flags |= c.Q_PIDS
    return c.query(pairs, flags), sort_key


# Handles record the pid they were opened in; a child after fork reopens
# its own (a netlink socket shared with the parent would mix replies).
_fork_lock = threading.Lock()


class Handle:
    """An open libsockstate handle: a backend chosen once, buffers kept warm.

    The module functions (sockstate.connections() ...) share a default
    handle; make your own when you want a particular backend or pid source,
    or one per thread::

        with sockstate.Handle(backend="linux-proc") as h:
            for c in h.connections(states="LISTEN"):
                print(c.laddr.port, c.state)

    A handle is safe to share between threads (calls on one handle take
    turns; separate handles run in parallel) and survives fork (the child
    reopens its own on first use, and there the library runs each call on
    one thread if the parent had run a second one). The GIL is released
    while the OS is asked.

    Args:
        backend: None or "auto" for the first that works, else a name from
            sockstate.backends() ("linux-netlink", "linux-proc", ...).
        pid_source: None/"auto", "procfs" or "bpf": how owners are found.
        netns: None for this process's network namespace, else another
            one: "NAME" (/run/netns/NAME), a path to a namespace file, or
            "pid:PID" (Linux; entering one needs CAP_SYS_ADMIN). Its
            sockets then carry this string as Connection.netns.
        capture_dir: save every sock_diag dump the handle reads as a file
            in this directory (diag-PID-SEQ-both.bin), for replay later.
        replay: None to ask the OS, else a file of captured sock_diag dumps
            (capture_dir's, or ``ss -D FILE``'s): the handle lists the
            sockets in it (backend "linux-replay"; every filter applies,
            in user space; no owners). A file that is not a whole capture
            raises Error (code EPARSE) on the query.

    Raises:
        InvalidArgument: unknown backend or pid source name.
        Unavailable: no backend (or not the one asked) works here.
    """

    __slots__ = ("_options", "_cap", "_lock", "_pid", "__weakref__")

    def __init__(self, backend: Optional[str] = None,
                 pid_source: Optional[str] = None, *,
                 netns: Optional[str] = None,
                 capture_dir: Optional[str] = None,
                 replay: Optional[str] = None) -> None:
        self._options = (backend, pid_source, capture_dir, netns,
                         None if replay is None else os.fspath(replay))
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._cap: Any = core().open(*self._options)

    # ---- life cycle ----

    def close(self) -> None:
        """Release the handle (idempotent). Later calls raise ValueError."""
        self._check_fork()
        with self._lock:
            if self._cap:
                core().close(self._cap)
            self._cap = False  # closed on purpose: never reopened

    def __enter__(self) -> "Handle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._cap is False:
            return "<sockstate.Handle closed>"
        try:
            return f"<sockstate.Handle backend={self.backend!r}>"
        except Exception:
            return "<sockstate.Handle>"

    def _check_fork(self) -> None:
        if self._pid == os.getpid():
            return
        with _fork_lock:
            if self._pid == os.getpid():
                return
            cap, self._cap = self._cap, None
            # The parent may have been inside a call at the fork; then the
            # handle's memory may be half-updated: leave it alone.
            if self._lock.acquire(blocking=False):
                if cap:
                    core().close(cap)
            elif cap:
                core().abandon(cap)
            if cap is False:
                self._cap = False
            self._lock = threading.Lock()
            self._pid = os.getpid()

    def _call(self, name: str, *args: Any) -> Any:
        self._check_fork()
        with self._lock:
            if self._cap is None:
                self._cap = core().open(*self._options)
            elif self._cap is False:
                raise ValueError("the sockstate handle is closed")
            result = getattr(core(), name)(self._cap, *args)
            unread = core().owners_unreadable(self._cap) if name in _OWNER_CALLS else (0, "")
        if unread[0]:
            n, why = unread
            warnings.warn(OwnersUnreadable(
                f"the owners of {n} socket{'' if n == 1 else 's'} could not be read: "
                f"{why}; run as root to see every owner"), stacklevel=4)
        return result

    # ---- facts ----

    @property
    def backend(self) -> str:
        """The backend's JSON name: "linux-netlink", "linux-proc", ..."""
        return self._call("backend")

    @property
    def pid_source(self) -> Optional[str]:
        """How the last query that asked for processes found them
        ("procfs", "bpf-iter", ...), or None."""
        return self._call("pid_source")

    @property
    def pid_source_reason(self) -> str:
        """Why the last query with processes mapped owners as pid_source
        says (e.g. why not with BPF), or ""."""
        return self._call("pid_source_reason")

    @property
    def owners_unreadable(self) -> int:
        """How many sockets of the last query that mapped owners have an
        owner that could not be read (their pid is None although a process
        holds them; the call warned OwnersUnreadable); 0 when none."""
        return self._call("owners_unreadable")[0]

    # ---- queries ----

    def connections(self, states: StatesArg = None, *, port: PortArg = None,
                    sport: PortArg = None, dport: PortArg = None,
                    laddr: AddrArg = None, raddr: AddrArg = None,
                    addr: AddrArg = None, pid: Optional[int] = None,
                    uid: Optional[int] = None, family: Any = None,
                    processes: bool = False, tcp_info: bool = False,
                    sort: Optional[str] = None, pushdown: bool = True,
                    ) -> List[Any]:
        """The TCP sockets that pass every filter given, as Connection
        objects, in the OS's order (or sorted by ``sort``).

        See sockstate.connections for the filters.
        """
        q, sort_key = build_query(states, port, sport, dport, laddr, raddr,
                                  addr, pid, uid, family, processes, tcp_info,
                                  sort, pushdown)
        return self._call("connections", q, sort_key)

    @overload
    def counts(self, states: StatesArg = None, *, port: PortArg = None,
               sport: PortArg = None, dport: PortArg = None,
               laddr: AddrArg = None, raddr: AddrArg = None,
               addr: AddrArg = None, pid: Optional[int] = None,
               uid: Optional[int] = None, family: Any = None,
               pushdown: bool = True, by: None = None,
               top: int = 0) -> Dict[State, int]: ...

    @overload
    def counts(self, states: StatesArg = None, *, port: PortArg = None,
               sport: PortArg = None, dport: PortArg = None,
               laddr: AddrArg = None, raddr: AddrArg = None,
               addr: AddrArg = None, pid: Optional[int] = None,
               uid: Optional[int] = None, family: Any = None,
               pushdown: bool = True, by: KeysArg,
               top: int = 0) -> List[Group]: ...

    def counts(self, states: StatesArg = None, *, port: PortArg = None,
               sport: PortArg = None, dport: PortArg = None,
               laddr: AddrArg = None, raddr: AddrArg = None,
               addr: AddrArg = None, pid: Optional[int] = None,
               uid: Optional[int] = None, family: Any = None,
               pushdown: bool = True, by: Optional[KeysArg] = None,
               top: int = 0) -> Union[Dict[State, int], List[Group]]:
        """How many sockets per State (a dict: every state counted, zeros
        included; one not counted, such as BOUND by default, is left out),
        counted in C: no per-socket object is made. With ``by`` (and
        ``top``): a list, the groups as :meth:`groups` returns them."""
        if by is not None:
            return self.groups(by, states, top=top, port=port, sport=sport,
                               dport=dport, laddr=laddr, raddr=raddr,
                               addr=addr, pid=pid, uid=uid, family=family)
        q, _ = build_query(states, port, sport, dport, laddr, raddr, addr,
                           pid, uid, family, pushdown=pushdown)
        return self._call("counts", q)

    def render(self, format: str = "table", states: StatesArg = None, *,
               port: PortArg = None, sport: PortArg = None,
               dport: PortArg = None, laddr: AddrArg = None,
               raddr: AddrArg = None, addr: AddrArg = None,
               pid: Optional[int] = None, uid: Optional[int] = None,
               family: Any = None, processes: bool = False,
               tcp_info: bool = False, sort: Optional[str] = None,
               header: bool = True, timers: bool = False) -> str:
        """The sockets as ``sockstate list --format FORMAT`` prints them
        (table, json, csv or prometheus), byte for byte: the library's
        writers produce both. Prometheus is :meth:`metrics` (the whole
        host; ``port`` names per-port series, other filters are refused).
        timers=True is ``--timers`` (which tcp_info=True implies, as
        ``--tcp-info`` does). Written as the sockets come (unless sorted),
        so nothing per socket is kept but the text."""
        c = core()
        fmt = c.format_parse(format, "format")
        if fmt == c.FORMAT_PROMETHEUS:
            _host_wide(states=states, sport=sport, dport=dport, laddr=laddr,
                       raddr=raddr, addr=addr, pid=pid, uid=uid, family=family)
            return self.metrics(port=port)
        q, sort_key = build_query(states, port, sport, dport, laddr, raddr,
                                  addr, pid, uid, family, processes, tcp_info,
                                  sort)
        return self._render(format, q, sort_key, header, timers).decode(
            "utf-8", "surrogateescape")

    def _render(self, format: str, q: bytes, sort_key: int, header: bool,
                timers: bool = False, extras: int = 0) -> bytes:
        """render's bytes, and what the document carries besides (extras:
        _COUNTERS, _FINDINGS)."""
        c = core()
        fmt = c.format_parse(format, "format")
        wflags = _write_flags(c, q, header)
        if self._options[3] is not None:
            # As the C tool with --netns: the column from the first row.
            wflags |= c.W_NETNS
        if timers:
            wflags |= c.W_TIMERS
        data, _count, _src = self._call("render", q, sort_key, fmt, wflags, -1,
                                        extras)
        return data

    def render_summary(self, format: str = "table", states: StatesArg = None,
                       *, port: PortArg = None, sport: PortArg = None,
                       dport: PortArg = None, laddr: AddrArg = None,
                       raddr: AddrArg = None, addr: AddrArg = None,
                       pid: Optional[int] = None, uid: Optional[int] = None,
                       family: Any = None, header: bool = True,
                       by: Optional[KeysArg] = None, top: int = 0) -> str:
        """The per-state counts as ``sockstate summary --format FORMAT``
        prints them, byte for byte; with ``by`` (and ``top``), the groups
        as ``summary --by KEY --top N`` prints them (table, json, csv)."""
        c = core()
        fmt = c.format_parse(format, "format")
        if fmt == c.FORMAT_PROMETHEUS and by is None:
            _host_wide(states=states, sport=sport, dport=dport, laddr=laddr,
                       raddr=raddr, addr=addr, pid=pid, uid=uid, family=family)
            return self.metrics(port=port)
        q, _ = build_query(states, port, sport, dport, laddr, raddr, addr,
                           pid, uid, family)
        wflags = 0 if header else c.W_NO_HEADER
        if by is not None:
            keys = c.group_keys_parse(_keys_text(by), "by")
            if fmt == c.FORMAT_PROMETHEUS:
                raise InvalidArgument("by: not available with format "
                                      "prometheus (use port for per-port series)")
            _g, _s, _t, data, _src, _b = self._call("count_groups", q, keys,
                                                    _top(top), fmt, wflags)
            return data.decode("utf-8", "surrogateescape")
        data, _n, _src = self._call("render_counts", q, fmt, wflags, -1, 0)
        return data.decode("utf-8", "surrogateescape")

    def snapshot(self, states: StatesArg = None, *, port: PortArg = None,
                 sport: PortArg = None, dport: PortArg = None,
                 laddr: AddrArg = None, raddr: AddrArg = None,
                 addr: AddrArg = None, pid: Optional[int] = None,
                 uid: Optional[int] = None, family: Any = None,
                 processes: bool = False, tcp_info: bool = False,
                 sort: Optional[str] = None, timers: bool = False,
                 findings: bool = False) -> Dict[str, Any]:
        """The "sockstate/1" document (a dict), parsed from the same JSON
        the CLI's ``--json`` prints (streamed into bytes: the library
        keeps nothing per socket but the text). findings=True adds what
        ``python -m sockstate snapshot`` adds for the report: the kernel's
        TCP counters and the host-wide findings of diagnose (the counters
        read once)."""
        q, sort_key = build_query(states, port, sport, dport, laddr, raddr,
                                  addr, pid, uid, family, processes, tcp_info,
                                  sort)
        return json.loads(self._render("json", q, sort_key, True, timers,
                                       _FINDINGS if findings else 0))

    def groups(self, by: KeysArg, states: StatesArg = None, *, top: int = 0,
               port: PortArg = None, sport: PortArg = None,
               dport: PortArg = None, laddr: AddrArg = None,
               raddr: AddrArg = None, addr: AddrArg = None,
               pid: Optional[int] = None, uid: Optional[int] = None,
               family: Any = None) -> List[Group]:
        """Per-state counts in groups of sockets sharing a key, largest
        first (ties by key), counted in one pass without a per-socket
        object: ``by`` is "port" (local port), "local" (address:port),
        "remote" (address), "pid" (one group per process), "process" (per
        name), "uid", "netns", or several ("pid,process" or a list).
        ``top`` keeps the N largest groups.

            >>> h.groups("port", "estab", top=3)[0]
            Group(port=443, local=None, ..., total=120, counts={<State.ESTABLISHED...>: 120})
        """
        c = core()
        keys = c.group_keys_parse(_keys_text(by), "by")
        q, _ = build_query(states, port, sport, dport, laddr, raddr, addr,
                           pid, uid, family)
        groups, _st, _total, _text, _src, _b = self._call(
            "count_groups", q, keys, _top(top), -1, 0)
        return [_group(t) for t in groups]

    def listening(self, port: int, *, family: Any = None) -> bool:
        """Does a socket listen on local ``port``? One kernel-filtered
        query (what ``sockstate wait --listen`` checks)."""
        c = core()
        held, _b, _t = self._call("wait_check", c.WAIT_LISTEN, _wait_port(c, port),
                                  0, _families(family), [], -1, 0)
        return held

    def blockers(self, port: int, states: StatesArg = None, *,
                 exclude_remote: PrefixesArg = (), processes: bool = False,
                 family: Any = None) -> List[Any]:
        """The connections that keep local ``port`` from being drained
        (what ``sockstate wait --drained`` waits for): those in ``states``
        (default: every state but LISTEN, TIME_WAIT and BOUND), except
        those whose remote address is in one of ``exclude_remote``'s
        prefixes (one prefix alone, or a list). An empty list means
        drained."""
        c = core()
        mask = 0 if states is None else c.states_parse(_states_text(states), "states")
        excl = [c.prefix_parse(_text(x), "exclude_remote") for x in _items(exclude_remote)]
        held, conns, _t = self._call("wait_check", c.WAIT_DRAINED, _wait_port(c, port),
                                     mask, _families(family), excl,
                                     c.Q_PIDS if processes else 0, 0)
        return [] if held else list(conns)

    def wait_listen(self, port: int, timeout: float = 300.0,
                    interval: float = 1.0, *, family: Any = None) -> bool:
        """Poll until something listens on ``port``: True, or False when
        ``timeout`` seconds passed first (0: check once)."""
        return _poll(lambda: self.listening(port, family=family), timeout, interval)

    def wait_drained(self, port: int, timeout: float = 300.0,
                     interval: float = 1.0, *, states: StatesArg = None,
                     exclude_remote: PrefixesArg = (), family: Any = None) -> bool:
        """Poll until ``blockers(port, ...)`` is empty: True, or False when
        ``timeout`` seconds passed first (0: check once)."""
        excl = _items(exclude_remote)
        return _poll(lambda: not self.blockers(port, states, exclude_remote=excl,
                                               family=family), timeout, interval)

    def wait(self, *, listen: Optional[int] = None, drained: Optional[int] = None,
             timeout: float = 300.0, interval: float = 1.0,
             states: StatesArg = None, exclude_remote: PrefixesArg = (),
             family: Any = None) -> bool:
        """Poll as ``sockstate wait`` does, one kernel-filtered check per
        ``interval`` seconds: ``listen=PORT`` until something listens on
        it, or ``drained=PORT`` until no socket on it is in ``states``
        (default every state but LISTEN, TIME_WAIT and BOUND; any
        spelling), peers in ``exclude_remote`` aside. True when it holds,
        False when ``timeout`` seconds passed first (0: check once; then
        :meth:`blockers` says what is still in the way)."""
        excl = _items(exclude_remote)
        if (listen is None) == (drained is None):
            raise InvalidArgument("wait: give listen=PORT or drained=PORT, one of them")
        if listen is not None:
            if states is not None or excl:
                raise InvalidArgument("wait: states and exclude_remote go with drained=PORT")
            return self.wait_listen(listen, timeout, interval, family=family)
        return self.wait_drained(drained, timeout, interval, states=states,
                                 exclude_remote=excl, family=family)

    def net_connections(self, kind: str = "tcp") -> List[Any]:
        """``psutil.net_connections(kind)``, answered by libsockstate: a
        list of ``sconn(fd, family, type, laddr, raddr, status, pid)``, as
        psutil's (see sockstate.net_connections)."""
        return self._psutil(kind, None, "net_connections")

    def process_connections(self, pid: Optional[int] = None,
                            kind: str = "tcp") -> List[Any]:
        """``psutil.Process(pid).connections(kind)``, answered by
        libsockstate: a list of ``pconn(fd, family, type, laddr, raddr,
        status)`` (see sockstate.process_connections)."""
        return self._psutil(kind, os.getpid() if pid is None else pid,
                            "process_connections")

    def _psutil(self, kind: Any, pid: Optional[int], caller: str) -> List[Any]:
        # stacklevel 4: kind_family, this, the public function, its caller.
        tcp, family = kind_family(kind, caller, 4)
        if not tcp:
            return []
        q, _ = build_query(pid=pid, family=family, processes=True)
        return self._call("psutil_connections", q, pid is None)

    def netns_list(self) -> List[NetNs]:
        """Every network namespace this process can see (Linux): those
        named under /run/netns, then those of processes, each once."""
        return [NetNs(*t) for t in self._call("netns_list")]

    def counters(self) -> Counters:
        """The kernel's TCP counters of this handle's network namespace (or
        system): name -> value, None where this OS does not keep one;
        ``.native`` the OS's own names (docs/COUNTERS.md)."""
        source, rows = self._call("tcp_counters")
        return Counters(source, rows)

    def diagnose(self, *, port: Optional[int] = None, addr: Optional[str] = None,
                 to: Optional[str] = None, probe: bool = False, interval: float = 1.0,
                 timeout: float = 3.0, lang: Optional[str] = None) -> Diagnosis:
        """What is wrong, as ``sockstate diagnose`` says it (the library
        decides; docs/DIAGNOSE.md): a Diagnosis, a sequence of Finding.
        Takes ``interval`` seconds (0: one look at the counters, totals
        since boot), or the probe's time when longer; the GIL is released
        meanwhile. See sockstate.diagnose."""
        if isinstance(probe, bool) is False:
            raise TypeError(f"probe must be True or False, not {probe!r}")
        for name, value in (("interval", interval), ("timeout", timeout)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{name} must be a number of seconds, not {value!r}")
        if port is not None and (isinstance(port, bool) or not isinstance(port, int)):
            raise TypeError(f"port must be an int, not {port!r}")
        document, text, _worst = self._call("diagnose", port, addr, to, probe,
                                            float(interval), float(timeout), lang)
        return Diagnosis(document, text)

    def metrics(self, states: StatesArg = None, *, port: PortsArg = None,
                sport: PortArg = None, dport: PortArg = None,
                laddr: AddrArg = None, raddr: AddrArg = None,
                addr: AddrArg = None, pid: Optional[int] = None,
                uid: Optional[int] = None, family: Any = None) -> str:
        """Prometheus text exposition, as ``sockstate summary --format
        prometheus`` prints it: sockstate_tcp_sockets{family,state} for
        the whole host (every state, both families, zeros included), and
        for each port of ``port`` (an int, "80,443", or a list; at most
        32) its own series sockstate_tcp_port_sockets{port,side,state}.
        Any other filter would publish part of the host under host-wide
        names: it raises InvalidArgument."""
        _host_wide(states=states, sport=sport, dport=dport, laddr=laddr,
                   raddr=raddr, addr=addr, pid=pid, uid=uid, family=family)
        return self._call("render_metrics", _ports_text(port)).decode("utf-8",
                                                                      "surrogateescape")


def _wait_port(c: Any, port: Any) -> int:
    """A local port through the library's parser (its messages)."""
    return c.query_info(c.query([("sport", _text(port), "port")], 0))["sport"]


def _families(family: Any) -> int:
    if family is None:
        return 0
    c = core()
    return c.query_info(c.query([("family", _family_text(family), "family")], 0))["families"]


def _poll(check: Any, timeout: float, interval: float) -> bool:
    timeout = _seconds("timeout", timeout, zero_ok=True)
    interval = _seconds("interval", interval, zero_ok=False)
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        now = time.monotonic()
        if now >= deadline:
            return False
        time.sleep(min(deadline - now, interval))


def _write_flags(c: Any, q: bytes, header: bool) -> int:
    """As the CLI's options set them: -p the owners' columns, --tcp-info
    the timers (Python's TcpInfo has them too)."""
    flags = 0 if header else c.W_NO_HEADER
    query_flags = c.query_info(q)["flags"]
    if query_flags & c.Q_PIDS:
        flags |= c.W_PIDS
    if query_flags & c.Q_TCP_INFO:
        flags |= c.W_TIMERS
    return flags


def _host_wide(**filters: Any) -> None:
    """Refuse, as the CLI does, a filter on the Prometheus output: its
    host-wide series would count part of the host under the host's name."""
    for name, value in filters.items():
        if value is not None:
            raise InvalidArgument(f"{name}: not with format prometheus: its series "
                                  f"count the whole host (port adds a port's own series)")


def _ports_text(port: PortsArg) -> Union[str, bytes]:
    """The ports of the per-port series as --port takes them: "80,443"."""
    if port is None:
        return ""
    if isinstance(port, (str, bytes, int)) and not isinstance(port, bool):
        return port if isinstance(port, (str, bytes)) else str(port)
    try:
        items = list(port)  # type: ignore[arg-type]
    except TypeError:
        return _text(port)
    if not items:
        raise InvalidArgument("port: an empty list of ports")
    return ",".join(str(_text(p)) if not isinstance(p, bytes) else p.decode(errors="replace")
                    for p in items)


# ---- the default handles: one per (backend, pid_source), opened lazily ----

_default_lock = threading.Lock()
_defaults: Dict[Tuple[Optional[str], Optional[str], Optional[str]], Handle] = {}


def default_handle(backend: Optional[str] = None,
                   pid_source: Optional[str] = None,
                   netns: Optional[str] = None) -> Handle:
    """The shared handle for these options, opened on first use."""
    key = (None if backend in (None, "auto") else backend,
           None if pid_source in (None, "auto") else pid_source, netns)
    h = _defaults.get(key)
    if h is not None:
        return h
    with _default_lock:
        h = _defaults.get(key)
        if h is None:
            h = Handle(key[0], key[1], netns=netns)
            _defaults[key] = h
        return h


def _after_fork_in_child() -> None:
    # Locks another thread held at the fork stay locked in the child: make
    # new ones. The handles reopen themselves on first use (_check_fork).
    global _default_lock, _fork_lock
    _default_lock = threading.Lock()
    _fork_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
