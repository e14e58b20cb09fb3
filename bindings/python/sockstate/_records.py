"""What scripts written for psutil's namedtuples call on a record, given to
the struct sequences the extension builds (Connection, Address,
NativeState, TcpInfo): ``_fields`` and ``_asdict()``; and
``Connection.to_dict()``, the record as the "sockstate/1" socket object.

Struct sequences are tuples with named fields, built in C without a
per-socket Python object beyond the tuple itself; these are methods on
their types, so nothing is added per record.
"""

from __future__ import annotations

import socket
import types
from typing import Any, Dict, Optional, Tuple

_FAMILIES = {socket.AF_INET: "ipv4", socket.AF_INET6: "ipv6"}


def _field_names(cls: type) -> Tuple[str, ...]:
    """Every named field of a struct sequence type, in its order: those of
    the tuple first, then the attributes only (Connection's fd, type,
    status, netns)."""
    return tuple(name for name, value in vars(cls).items()
                 if isinstance(value, types.MemberDescriptorType))


def _asdict(self: Any) -> Dict[str, Any]:
    """Every field by name, as psutil's namedtuples' ``_asdict()`` gives
    them: the tuple's fields (``_fields``), then the attributes outside the
    tuple (a Connection's fd, type, status and netns, so that
    ``c._asdict()["status"]`` works as it does with psutil). Values are the
    objects themselves (State, Address...); see Connection.to_dict() for
    plain JSON values."""
    return {name: getattr(self, name) for name in type(self)._all_fields}


def _endpoint(address: Any) -> Dict[str, Any]:
    return {"address": address.ip, "port": address.port}


def _timer(info: Any) -> Optional[Dict[str, Any]]:
    if info.timer is None:
        return None
    return {"kind": info.timer, "expires_ms": info.expires_ms,
            "retransmits": info.retransmits}


def to_dict(self: Any) -> Dict[str, Any]:
    """The connection as the socket object of the "sockstate/1" document
    (docs/schema/sockstate-1.json): plain str, int, None, list and dict
    values, ready for json.dumps. The keys are those snapshot() writes for
    the same socket and query: ``pids`` when processes were asked;
    ``tcp_info`` and ``timer`` where the connection has TcpInfo
    (tcp_info=True); ``netns`` for a Handle(netns=...). Not carried by a
    Connection, so never here: ``interface``, and (tcp_info=True) the
    ``timer`` of a socket the backend gave no TCP internals (TIME_WAIT).
    """
    d: Dict[str, Any] = {
        "family": _FAMILIES[self.family],
        "local": _endpoint(self.laddr),
        "remote": _endpoint(self.raddr),
        "state": self.state.value,
        "native_state": {"code": self.native_state.code, "name": self.native_state.name},
        "pid": self.pid,
    }
    if self.pids is not None:
        d["pids"] = list(self.pids)
    d.update(process=self.process, uid=self.uid, inode=self.inode,
             rx_queue=self.rx_queue, tx_queue=self.tx_queue)
    info = self.tcp_info
    if info is not None:
        d["tcp_info"] = {"rtt_us": info.rtt_us, "rttvar_us": info.rttvar_us,
                         "snd_cwnd": info.snd_cwnd, "total_retrans": info.total_retrans}
        d["timer"] = _timer(info)
    if self.netns is not None:
        d["netns"] = self.netns
    return d


def install(*classes: type) -> None:
    """Give each struct sequence type ``_fields`` and ``_asdict``."""
    for cls in classes:
        names = _field_names(cls)
        cls._all_fields = names  # type: ignore[attr-defined]
        cls._fields = names[:cls.n_sequence_fields]  # type: ignore[attr-defined]
        cls._asdict = _asdict  # type: ignore[attr-defined]
