"""sockstate: which TCP sockets exist, in which state, owned by whom.

The same answer on every OS, in one vocabulary of states (RFC 9293 names:
LISTEN, ESTABLISHED, TIME_WAIT...), beside the OS's own spelling. A thin
layer over the C library libsockstate: enumeration, filtering, owner
mapping and output formats all happen in C.

    >>> import sockstate
    >>> for c in sockstate.connections(states="LISTEN", processes=True):
    ...     print(c.laddr.ip, c.laddr.port, c.pid, c.process)
    >>> sockstate.counts()[sockstate.State.ESTABLISHED]
    12
    >>> sockstate.State.parse("SYN-RECV")
    <State.SYN_RECEIVED: 'SYN_RECEIVED'>

Filters (keyword arguments of connections, counts, snapshot, metrics...)
use the same parser as the ``sockstate`` command line, so the same text is
accepted and refused in both:

    states    "LISTEN", "estab,syn-recv", a State, or a list of either;
              default: every state but BOUND ("all" adds BOUND)
    port      local or remote port;  sport / dport: local / remote port
    laddr     local address or prefix ("10.0.0.0/8", "::1"), or psutil's
              (ip, port) tuple;  raddr: the same for the remote end
    addr      local or remote address in the prefix
    pid, uid  owned by that process / user id
    family    4, 6, "ipv4", "ipv6", socket.AF_INET or socket.AF_INET6
    backend, pid_source, netns: which default handle to use (see Handle)

A list-like argument (states, by, exclude_remote) also takes one item
alone: ``exclude_remote="10.0.0.0/8"`` is ``exclude_remote=["10.0.0.0/8"]``.

Bad input raises InvalidArgument (a ValueError) with the message the CLI
prints; OS failures raise PermissionDenied (a PermissionError),
Unavailable or Error. When owners were asked for and some could not be
read (another user's processes, without root), the call warns
OwnersUnreadable (a UserWarning): those sockets are listed with pid None.
"""

from __future__ import annotations

import os as _os
import socket as _socket
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union, overload

from . import _records
from ._diagnose import Counters, Diagnosis, Finding
from ._errors import Error, InvalidArgument, OwnersUnreadable, PermissionDenied, Unavailable
from ._errors import error_classes as _error_classes
from ._handle import (AddrArg, Group, Handle, KeysArg, NetNs, PortArg, PortsArg,
                      PrefixesArg, StatesArg)
from ._handle import default_handle as _default_handle
from ._native import available as _available
from ._native import core as _core
from ._psutil import ScopeWarning
from ._state import _BY_CODE, State, StateInfo
from ._state import check_numbering as _check_numbering
from ._trace import trace

__all__ = [
    "Address", "Connection", "Counters", "Diagnosis", "Error", "Event", "Finding",
    "Group", "Handle", "InvalidArgument", "NativeState", "NetNs", "OwnersUnreadable",
    "PathStep", "PermissionDenied", "ScopeWarning", "State", "StateInfo", "TcpInfo",
    "Unavailable", "backend", "backends", "blockers", "connections", "counters",
    "counts", "diagnose", "groups", "listening", "metrics", "net_connections",
    "netns_list", "process_connections", "render", "render_summary", "snapshot",
    "trace", "wait", "wait_drained", "wait_listen", "__version__",
]

if TYPE_CHECKING:
    from ._core import Address, Connection, Event, NativeState, PathStep, TcpInfo
    __version__: str
elif _available():
    _c = _core()
    _check_numbering(_c)
    _c._setup(_BY_CODE, _socket.AF_INET, _socket.AF_INET6, _socket.SOCK_STREAM,
              Error, _error_classes(_c))
    #: One TCP socket (a struct sequence built in C; see docs/PYTHON.md).
    Connection = _c.Connection
    #: One end of a connection: (ip, port), as psutil's ``addr``.
    Address = _c.Address
    #: The state in the OS's own terms: (code, name), e.g. (1, "ESTAB").
    NativeState = _c.NativeState
    #: TCP internals of a socket (connections(tcp_info=True)).
    TcpInfo = _c.TcpInfo
    #: One connection lifecycle event (trace()).
    Event = _c.Event
    #: One state of a summary Event's path: (state, native_state, seconds).
    PathStep = _c.PathStep
    #: The library's version ("MAJOR.MINOR.PATCH"); the package's too.
    __version__ = _c.version()
    _records.install(Connection, Address, NativeState, TcpInfo, Event, PathStep)
    Connection.to_dict = _records.to_dict
else:  # pragma: no cover - only without the extension
    Connection = Address = NativeState = TcpInfo = None  # type: ignore[misc,assignment]
    Event = PathStep = None  # type: ignore[misc,assignment]
    __version__ = "0+unknown"


def connections(states: StatesArg = None, *, port: PortArg = None,
                sport: PortArg = None, dport: PortArg = None,
                laddr: AddrArg = None, raddr: AddrArg = None,
                addr: AddrArg = None, pid: Optional[int] = None,
                uid: Optional[int] = None, family: Any = None,
                processes: bool = False, tcp_info: bool = False,
                sort: Optional[str] = None, backend: Optional[str] = None,
                pid_source: Optional[str] = None,
                netns: Optional[str] = None) -> List[Connection]:
    """Every TCP socket that passes the filters, as a list of Connection.

    processes=True maps owners (pid, pids, process), as ``sockstate -p``
    and psutil do; tcp_info=True adds TCP internals where the backend has
    them; sort is "state", "local", "remote", "pid" or "process" (the OS's
    order by default; pid and process imply processes=True).

        >>> import os, sockstate
        >>> mine = sockstate.connections("LISTEN", processes=True, pid=os.getpid())
        >>> [(c.laddr.port, c.state) for c in mine]
        [(8080, <State.LISTEN: 'LISTEN'>)]

    Raises InvalidArgument for bad filters, PermissionDenied, Unavailable
    or Error when the OS refuses or fails.
    """
    return _default_handle(backend, pid_source, netns).connections(
        states, port=port, sport=sport, dport=dport, laddr=laddr,
        raddr=raddr, addr=addr, pid=pid, uid=uid, family=family,
        processes=processes, tcp_info=tcp_info, sort=sort)


def net_connections(kind: str = "tcp") -> List[Any]:
    """``psutil.net_connections(kind)``, answered by libsockstate, so that
    ``from sockstate import net_connections`` replaces psutil's for TCP.

    A list of ``sconn(fd, family, type, laddr, raddr, status, pid)`` named
    tuples, field for field psutil's: ``laddr``/``raddr`` are ``addr(ip,
    port)`` or ``()`` with no peer (a listener's ``raddr``), ``status`` is
    psutil's string (``"LISTEN"``, ``"ESTABLISHED"``, ``"SYN_RECV"``,
    ``"FIN_WAIT1"``... psutil.CONN_*), ``pid`` the owner or None (TIME_WAIT,
    or another user's process when not root), ``fd`` always -1.

    ``kind`` is psutil's: "tcp" (the default here), "tcp4", "tcp6" list
    those; "inet", "inet4", "inet6", "all" list their TCP sockets and
    "udp", "udp4", "udp6", "unix" none, each with a ScopeWarning (sockstate
    lists TCP only); anything else raises InvalidArgument (a ValueError,
    as psutil raises).

        >>> from sockstate import net_connections
        >>> [c.laddr.port for c in net_connections("tcp4") if c.status == "LISTEN"]
        [22, 8080]
    """
    return _default_handle()._psutil(kind, None, "net_connections")


def process_connections(pid: Optional[int] = None, kind: str = "tcp") -> List[Any]:
    """``psutil.Process(pid).connections(kind)`` (``net_connections`` since
    psutil 6), answered by libsockstate: the TCP sockets process ``pid``
    (default: this one) holds, as ``pconn(fd, family, type, laddr, raddr,
    status)`` named tuples, with ``kind`` as :func:`net_connections` takes
    it. A pid no process has gives ``[]`` (psutil raises NoSuchProcess).

        >>> import socket, sockstate
        >>> s = socket.create_server(("127.0.0.1", 0))
        >>> sockstate.process_connections()
        [pconn(fd=-1, family=<AddressFamily.AF_INET: 2>, type=<SocketKind.SOCK_STREAM: 1>, laddr=addr(ip='127.0.0.1', port=40119), raddr=(), status='LISTEN')]
    """
    return _default_handle()._psutil(kind, _os.getpid() if pid is None else pid,
                                     "process_connections")


def __dir__() -> List[str]:
    """The API only: what __all__ names (not the typing helpers)."""
    return sorted(__all__)


@overload
def counts(states: StatesArg = None, *, port: PortArg = None,
           sport: PortArg = None, dport: PortArg = None,
           laddr: AddrArg = None, raddr: AddrArg = None,
           addr: AddrArg = None, pid: Optional[int] = None,
           uid: Optional[int] = None, family: Any = None,
           by: None = None, top: int = 0,
           backend: Optional[str] = None,
           pid_source: Optional[str] = None,
           netns: Optional[str] = None) -> Dict[State, int]: ...


@overload
def counts(states: StatesArg = None, *, port: PortArg = None,
           sport: PortArg = None, dport: PortArg = None,
           laddr: AddrArg = None, raddr: AddrArg = None,
           addr: AddrArg = None, pid: Optional[int] = None,
           uid: Optional[int] = None, family: Any = None,
           by: KeysArg, top: int = 0,
           backend: Optional[str] = None,
           pid_source: Optional[str] = None,
           netns: Optional[str] = None) -> List[Group]: ...


def counts(states: StatesArg = None, *, port: PortArg = None,
           sport: PortArg = None, dport: PortArg = None,
           laddr: AddrArg = None, raddr: AddrArg = None,
           addr: AddrArg = None, pid: Optional[int] = None,
           uid: Optional[int] = None, family: Any = None,
           by: Optional[KeysArg] = None, top: int = 0,
           backend: Optional[str] = None,
           pid_source: Optional[str] = None,
           netns: Optional[str] = None) -> Union[Dict[State, int], List[Group]]:
    """Sockets per State, counted in C without a per-socket object.

    Without ``by``: a dict with every State that was counted as a key
    (zeros included), in the order CLOSED ... BOUND, UNKNOWN; a state not
    counted (BOUND, unless asked for) is left out rather than shown as 0.
    States are strings, so ``counts()["LISTEN"]`` works too. With ``by``
    ("port", "local", "remote", "pid", "process", "uid", "netns", or
    several): a list of Group, the counts per group, largest first,
    ``top`` of them (0: all), as ``sockstate summary --by`` counts them:
    see groups(). The two forms are typed apart (typing.overload), so a
    checker knows which one a call returns.

        >>> sockstate.counts(port=443)[sockstate.State.ESTABLISHED]
        120
        >>> [(g.port, g.total) for g in sockstate.counts(by="port", top=2)]
        [(443, 120), (22, 3)]
    """
    return _default_handle(backend, pid_source, netns).counts(
        states, port=port, sport=sport, dport=dport, laddr=laddr,
        raddr=raddr, addr=addr, pid=pid, uid=uid, family=family, by=by,
        top=top)


def snapshot(states: StatesArg = None, *, port: PortArg = None,
             sport: PortArg = None, dport: PortArg = None,
             laddr: AddrArg = None, raddr: AddrArg = None,
             addr: AddrArg = None, pid: Optional[int] = None,
             uid: Optional[int] = None, family: Any = None,
             processes: bool = False, tcp_info: bool = False,
             sort: Optional[str] = None, timers: bool = False,
             findings: bool = False, backend: Optional[str] = None,
             pid_source: Optional[str] = None,
             netns: Optional[str] = None) -> Dict[str, Any]:
    """The "sockstate/1" document as a dict: the same JSON the CLI's
    ``--json`` prints (docs/schema/sockstate-1.json), host facts included.
    timers=True (implied by tcp_info=True) adds each socket's "timer".
    findings=True adds, as ``python -m sockstate snapshot`` does, the
    kernel's TCP counters ("tcp_counters") and what diagnose finds on the
    host with them read once ("findings", texts in every language): what
    the cross-OS report shows.

        >>> doc = sockstate.snapshot(processes=True)
        >>> doc["schema"], doc["backend"], len(doc["sockets"])
        ('sockstate/1', 'linux-netlink', 42)
    """
    return _default_handle(backend, pid_source, netns).snapshot(
        states, port=port, sport=sport, dport=dport, laddr=laddr,
        raddr=raddr, addr=addr, pid=pid, uid=uid, family=family,
        processes=processes, tcp_info=tcp_info, sort=sort, timers=timers,
        findings=findings)


def render(format: str = "table", states: StatesArg = None, *,
           port: PortArg = None, sport: PortArg = None,
           dport: PortArg = None, laddr: AddrArg = None,
           raddr: AddrArg = None, addr: AddrArg = None,
           pid: Optional[int] = None, uid: Optional[int] = None,
           family: Any = None, processes: bool = False,
           tcp_info: bool = False, sort: Optional[str] = None,
           header: bool = True, timers: bool = False,
           backend: Optional[str] = None,
           pid_source: Optional[str] = None,
           netns: Optional[str] = None) -> str:
    """The sockets as text, exactly as ``sockstate list --format FORMAT``
    prints them: "table", "json", "csv" or "prometheus". timers=True is
    ``--timers`` (implied by tcp_info=True): each socket's timer as
    ``ss -o`` shows it (a Timer column, CSV columns, a JSON object).

        >>> print(sockstate.render("csv", "LISTEN"), end="")
    """
    return _default_handle(backend, pid_source, netns).render(
        format, states, port=port, sport=sport, dport=dport, laddr=laddr,
        raddr=raddr, addr=addr, pid=pid, uid=uid, family=family,
        processes=processes, tcp_info=tcp_info, sort=sort, header=header,
        timers=timers)


def render_summary(format: str = "table", states: StatesArg = None, *,
                   port: PortArg = None, sport: PortArg = None,
                   dport: PortArg = None, laddr: AddrArg = None,
                   raddr: AddrArg = None, addr: AddrArg = None,
                   pid: Optional[int] = None, uid: Optional[int] = None,
                   family: Any = None, header: bool = True,
                   by: Optional[KeysArg] = None,
                   top: int = 0, backend: Optional[str] = None,
                   pid_source: Optional[str] = None,
                   netns: Optional[str] = None) -> str:
    """The per-state counts as text, exactly as ``sockstate summary
    --format FORMAT`` prints them; with ``by`` (and ``top``) the groups,
    as ``summary --by KEY --top N``."""
    return _default_handle(backend, pid_source, netns).render_summary(
        format, states, port=port, sport=sport, dport=dport, laddr=laddr,
        raddr=raddr, addr=addr, pid=pid, uid=uid, family=family,
        header=header, by=by, top=top)


def groups(by: KeysArg, states: StatesArg = None, *, top: int = 0,
           port: PortArg = None, sport: PortArg = None, dport: PortArg = None,
           laddr: AddrArg = None, raddr: AddrArg = None, addr: AddrArg = None,
           pid: Optional[int] = None, uid: Optional[int] = None,
           family: Any = None, backend: Optional[str] = None,
           pid_source: Optional[str] = None,
           netns: Optional[str] = None) -> List[Group]:
    """Per-state counts per group of sockets sharing a key ("port",
    "local", "remote", "pid", "process", "uid", "netns", or several),
    largest first, counted in C in one pass. "pid" tells apart the
    processes "process" joins under one name.

        >>> [(g.port, g.total) for g in sockstate.groups("port", top=3)]
        [(443, 120), (22, 3), (5432, 2)]
    """
    return _default_handle(backend, pid_source, netns).groups(
        by, states, top=top, port=port, sport=sport, dport=dport, laddr=laddr,
        raddr=raddr, addr=addr, pid=pid, uid=uid, family=family)


def listening(port: int, *, family: Any = None, backend: Optional[str] = None,
netns: Optional[str] = None) -> bool:
    """Does a socket listen on local ``port``? One kernel-filtered query."""
    return _default_handle(backend, None, netns).listening(port, family=family)


def blockers(port: int, states: StatesArg = None, *,
             exclude_remote: PrefixesArg = (), processes: bool = False,
             family: Any = None, backend: Optional[str] = None,
             netns: Optional[str] = None) -> List[Connection]:
    """The connections that keep local ``port`` from being drained (every
    state but LISTEN, TIME_WAIT and BOUND unless ``states`` says), minus
    those whose peer is in ``exclude_remote``; [] means drained.

        >>> sockstate.blockers(8080, exclude_remote=["10.0.0.5"])
        []
    """
    return _default_handle(backend, None, netns).blockers(
        port, states, exclude_remote=exclude_remote, processes=processes,
        family=family)


def wait_listen(port: int, timeout: float = 300.0, interval: float = 1.0, *,
                family: Any = None, backend: Optional[str] = None,
                netns: Optional[str] = None) -> bool:
    """Poll until something listens on ``port`` (True), or ``timeout``
    seconds pass (False), as ``sockstate wait --listen``."""
    return _default_handle(backend, None, netns).wait_listen(
        port, timeout, interval, family=family)


def wait_drained(port: int, timeout: float = 300.0, interval: float = 1.0, *,
                 states: StatesArg = None, exclude_remote: PrefixesArg = (),
                 family: Any = None, backend: Optional[str] = None,
                 netns: Optional[str] = None) -> bool:
    """Poll until no connection blocks ``port`` (True), or ``timeout``
    seconds pass (False), as ``sockstate wait --drained``."""
    return _default_handle(backend, None, netns).wait_drained(
        port, timeout, interval, states=states, exclude_remote=exclude_remote,
        family=family)


def wait(*, listen: Optional[int] = None, drained: Optional[int] = None,
         timeout: float = 300.0, interval: float = 1.0,
         states: StatesArg = None, exclude_remote: PrefixesArg = (),
         family: Any = None, backend: Optional[str] = None,
         netns: Optional[str] = None) -> bool:
    """``sockstate wait`` from Python: ``listen=PORT`` polls until
    something listens on it, ``drained=PORT`` until no socket on it is in
    ``states`` (default every state but LISTEN, TIME_WAIT and BOUND), peers
    in ``exclude_remote`` aside. One kernel-filtered check per ``interval``
    seconds, sleeping in between. True when it holds, False when
    ``timeout`` seconds passed first (0: check once).

        >>> sockstate.wait(drained=8080, timeout=60, exclude_remote=["10.0.0.0/24"])
        True
    """
    return _default_handle(backend, None, netns).wait(
        listen=listen, drained=drained, timeout=timeout, interval=interval,
        states=states, exclude_remote=exclude_remote, family=family)


def netns_list() -> List[NetNs]:
    """Every network namespace this process can see (Linux), each once:
    those under /run/netns by name, then those of processes ("pid:PID")."""
    return _default_handle().netns_list()


def metrics(states: StatesArg = None, *, port: PortsArg = None,
            sport: PortArg = None, dport: PortArg = None,
            laddr: AddrArg = None, raddr: AddrArg = None,
            addr: AddrArg = None, pid: Optional[int] = None,
            uid: Optional[int] = None, family: Any = None,
            backend: Optional[str] = None,
            pid_source: Optional[str] = None,
            netns: Optional[str] = None) -> str:
    """Prometheus text exposition, as ``sockstate summary --format
    prometheus`` prints it: the gauge sockstate_tcp_sockets{family,state}
    always counts the whole host (every state, both families); ``port``
    (an int, "80,443" or a list, at most 32) adds each port's own series
    sockstate_tcp_port_sockets{port,side,state}. Any other filter raises
    InvalidArgument (it would publish part of the host as the whole).

        >>> print(sockstate.metrics(port=[80, 443]), end="")
    """
    return _default_handle(backend, pid_source, netns).metrics(
        states, port=port, sport=sport, dport=dport, laddr=laddr,
        raddr=raddr, addr=addr, pid=pid, uid=uid, family=family)


def counters(*, backend: Optional[str] = None,
             netns: Optional[str] = None) -> Counters:
    """The kernel's TCP counters (refused connections, accept queue
    overflows, retransmissions...): a mapping of normalized name -> value,
    None where this OS does not keep that counter (unknown, never 0), with
    the OS's own names in ``.native`` and where they were read in
    ``.source``; as ``sockstate counters`` prints them (docs/COUNTERS.md).

        >>> c = sockstate.counters()
        >>> c["attempt_fails"], c.native["attempt_fails"]
        (12, 'TcpAttemptFails')
    """
    return _default_handle(backend, None, netns).counters()


def diagnose(*, port: Optional[int] = None, addr: Optional[str] = None,
             to: Optional[str] = None, probe: bool = False, interval: float = 1.0,
             timeout: float = 3.0, lang: Optional[str] = None,
             backend: Optional[str] = None, pid_source: Optional[str] = None,
             netns: Optional[str] = None) -> Diagnosis:
    """What is wrong, from the socket states, the TCP counters over
    ``interval`` seconds and, with ``probe=True``, one connection to
    ``to``: the findings of ``sockstate diagnose`` (docs/DIAGNOSE.md), as a
    Diagnosis, a sequence of Finding (empty: nothing found).

    port: a local port whose service to look at (with ``addr``: the address
    clients use); to: "ADDR:PORT" this host connects to ("[v6]:PORT");
    interval 0: one look, totals since boot; timeout: the probe's, in
    seconds; lang: "en" or "es" (default from LC_ALL, LC_MESSAGES, LANG).

        >>> d = sockstate.diagnose(port=8080)
        >>> [(f.severity, f.code) for f in d]
        [('critical', 'accept-queue-overflow')]
        >>> print(d[0].headline)
        The accept queue of 0.0.0.0:8080 is full: 129 connections wait to be accepted, backlog 128

    Raises InvalidArgument for bad arguments (the CLI's messages),
    PermissionDenied, Unavailable or Error when the OS refuses or fails.
    """
    return _default_handle(backend, pid_source, netns).diagnose(
        port=port, addr=addr, to=to, probe=probe, interval=interval, timeout=timeout,
        lang=lang)


def backend(backend: Optional[str] = None,
            pid_source: Optional[str] = None,
            netns: Optional[str] = None) -> str:
    """The backend the default handle uses here ("linux-netlink", ...)."""
    return _default_handle(backend, pid_source, netns).backend


def backends() -> Tuple[str, ...]:
    """The backends this build offers, in preference order."""
    return tuple(_core().backends())
