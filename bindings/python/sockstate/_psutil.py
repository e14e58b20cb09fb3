"""psutil's connection listings, answered by libsockstate.

``sockstate.net_connections(kind)`` is ``psutil.net_connections(kind)``
and ``sockstate.process_connections(pid, kind)`` is
``psutil.Process(pid).connections(kind)`` (``net_connections`` since
psutil 6): the same arguments, the same named tuples field for field
(``sconn``, ``pconn``, ``addr`` below are psutil's shapes), the same
status strings (``psutil.CONN_*``), ``raddr == ()`` for a socket with no
peer. So ``from sockstate import net_connections`` replaces psutil's
for TCP. What differs, on purpose (docs/PYTHON.md):

- TCP only: a ``kind`` psutil accepts that includes UDP or UNIX sockets
  lists its TCP sockets ("inet", "inet4", "inet6", "all") or none ("udp",
  "udp4", "udp6", "unix"), and says so with a :class:`ScopeWarning`; the
  default kind is "tcp" (psutil's "inet" would add UDP).
- ``fd`` is always -1 (no descriptor of another process is opened; psutil
  gives -1 on some systems too), ``pid`` the lowest owner of a socket
  several processes hold.
- A link-local address carries its zone (``fe80::1%eth0``), as Python's
  ``socket.getsockname()`` prints it.

Built in C (core/psutil.c) like ``Connection``: at the speed of
:func:`sockstate.connections` with ``processes=True``.
"""

from __future__ import annotations

import warnings
from collections import namedtuple
from typing import Any, Dict, Optional, Tuple

from ._errors import InvalidArgument
from ._native import available, core
from ._state import _BY_CODE, State


class ScopeWarning(UserWarning):
    """A psutil ``kind`` asked for sockets sockstate does not list (UDP,
    UNIX): the result holds its TCP sockets only."""


#: psutil.net_connections()'s tuple (psutil._common.sconn).
sconn = namedtuple("sconn", ["fd", "family", "type", "laddr", "raddr", "status", "pid"])
#: psutil.Process.connections()'s tuple (psutil._common.pconn).
pconn = namedtuple("pconn", ["fd", "family", "type", "laddr", "raddr", "status"])
#: psutil's (ip, port) (psutil._common.addr).
addr = namedtuple("addr", ["ip", "port"])

#: psutil's status strings (psutil.CONN_*) for our states; UNKNOWN is
#: psutil's CONN_NONE, which no TCP socket of psutil's has either.
STATUS: Dict[State, str] = {
    State.CLOSED: "CLOSE", State.LISTEN: "LISTEN", State.SYN_SENT: "SYN_SENT",
    State.SYN_RECEIVED: "SYN_RECV", State.ESTABLISHED: "ESTABLISHED",
    State.FIN_WAIT_1: "FIN_WAIT1", State.FIN_WAIT_2: "FIN_WAIT2",
    State.CLOSE_WAIT: "CLOSE_WAIT", State.CLOSING: "CLOSING",
    State.LAST_ACK: "LAST_ACK", State.TIME_WAIT: "TIME_WAIT",
    State.DELETE_TCB: "DELETE_TCB", State.BOUND: "BOUND", State.UNKNOWN: "NONE",
}

# psutil's kinds: the family filter (None: both), and what else psutil
# would list that sockstate does not (None: nothing).
_KINDS: Dict[str, Tuple[Optional[str], bool, Optional[str]]] = {
    "all": (None, True, "UDP and UNIX"),
    "inet": (None, True, "UDP"),
    "inet4": ("4", True, "UDP"),
    "inet6": ("6", True, "UDP"),
    "tcp": (None, True, None),
    "tcp4": ("4", True, None),
    "tcp6": ("6", True, None),
    "udp": (None, False, "UDP"),
    "udp4": ("4", False, "UDP"),
    "udp6": ("6", False, "UDP"),
    "unix": (None, False, "UNIX"),
}


def kind_family(kind: Any, caller: str, stacklevel: int) -> Tuple[bool, Optional[str]]:
    """(lists TCP sockets, family filter) for psutil's kind; warns about
    what it leaves out (stacklevel: warnings.warn's, from here to the
    user's call); InvalidArgument (a ValueError, as psutil raises) for a
    kind psutil does not have."""
    try:
        family, tcp, others = _KINDS[kind]
    except (KeyError, TypeError):
        raise InvalidArgument("%s: kind %r is not one of psutil's (%s)"
                              % (caller, kind, ", ".join(_KINDS))) from None
    if others:
        warnings.warn("%s(kind=%r): sockstate lists TCP sockets only; the %s sockets "
                      "of this kind are not listed" % (caller, kind, others),
                      ScopeWarning, stacklevel=stacklevel)
    return tcp, family


if available():
    core()._setup_psutil(sconn, pconn, addr, tuple(STATUS[s] for s in _BY_CODE))
