"""The kernel's TCP counters and diagnose's findings as Python objects.

Both come from the library (sockstate_tcp_counters_get, sockstate_diagnose):
the findings are read from the "sockstate-diagnosis/1" document the
library writes (docs/schema/sockstate-diagnosis-1.json), so Python, the
CLI and the Ansible module see the same findings, word for word.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Dict, Iterator, List, Optional, Tuple


class Counters(Mapping):
    """The TCP counters of one moment: normalized name -> value, None for a
    counter this OS does not keep (unknown, never 0), in the library's
    order (docs/COUNTERS.md).

        >>> c = sockstate.counters()
        >>> c["listen_overflows"], c.native["listen_overflows"]
        (0, 'TcpExtListenOverflows')
    """

    __slots__ = ("_values", "native", "source")

    def __init__(self, source: Optional[str], rows: Tuple[Tuple[str, Optional[int],
                                                              Optional[str]], ...]) -> None:
        self._values: Dict[str, Optional[int]] = {name: value for name, value, _ in rows}
        #: normalized name -> the OS's own name ("TcpExtListenOverflows",
        #: "tcps_listendrop", ...), None where unknown.
        self.native: Dict[str, Optional[str]] = {name: native for name, _, native in rows}
        #: where they were read ("/proc/net/snmp /proc/net/netstat", ...).
        self.source = source

    def __getitem__(self, name: str) -> Optional[int]:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        known = ", ".join(f"{k}={v}" for k, v in self._values.items() if v is not None)
        return f"<sockstate.Counters {known}>"


class Finding:
    """One finding of diagnose: a stable ``code`` ("close-wait-leak"...), a
    ``severity`` ("info", "warning", "critical"), the ``headline`` with its
    numbers, the ``title``, what it means (``meaning``), whose problem it is
    (``whose``) and what to do (``advice``), in the diagnosis' language;
    and the evidence: ``local`` and ``remote`` (``(ip, port)`` or None),
    ``pid``, ``process``, ``count`` measured against ``limit``, the TCP
    ``counters`` it rests on (name -> change over the window, or total
    since boot), and ``sockets`` (some of them, as "sockstate/1" socket
    dicts; ``sockets_total`` in all)."""

    __slots__ = ("code", "severity", "variant", "headline", "title", "meaning", "whose",
                 "advice", "local", "remote", "pid", "process", "count", "limit",
                 "counters", "sockets_total", "sockets")

    def __init__(self, d: Dict[str, Any]) -> None:
        self.code: str = d["code"]
        self.severity: str = d["severity"]
        self.variant: int = d["variant"]
        self.headline: str = d["headline"]
        self.title: str = d["title"]
        self.meaning: str = d["meaning"]
        self.whose: str = d["whose"]
        self.advice: str = d["advice"]
        self.local = _endpoint(d["local"])
        self.remote = _endpoint(d["remote"])
        self.pid: Optional[int] = d["pid"]
        self.process: Optional[str] = d["process"]
        self.count: int = d["count"]
        self.limit: Optional[int] = d["limit"]
        self.counters: Dict[str, Optional[int]] = {
            name: c.get("delta", c.get("total")) for name, c in d["counters"].items()}
        self.sockets_total: int = d["sockets_total"]
        self.sockets: List[Dict[str, Any]] = d["sockets"]

    def __repr__(self) -> str:
        return f"<sockstate.Finding {self.severity} {self.code}: {self.headline}>"


def _endpoint(e: Optional[Dict[str, Any]]) -> Optional[Tuple[Optional[str], int]]:
    return None if e is None else (e["address"], e["port"])


SEVERITIES = ("info", "warning", "critical")


class Diagnosis:
    """What diagnose found: a sequence of Finding, most severe first (empty
    and false when nothing was found), with

      checks    code -> (status, notes): how far each check could look
                ("clear", "found", "not-asked", "not-checked", "not-judged")
      probe     the probe's outcome (a dict), or None
      window    the TCP counters' window: {"counters": "delta" |
                "since-boot" | "none", "ms": ..., "error": ...}
      document  the whole "sockstate-diagnosis/1" document (a dict)
      text      the table, as ``sockstate diagnose`` prints it
      worst     the highest severity found, or None
      exit_code 1 when something is at warning or worse, else 0 (as
                ``sockstate diagnose``)
    """

    __slots__ = ("findings", "checks", "probe", "window", "document", "text", "worst")

    def __init__(self, document: bytes, text: bytes) -> None:
        doc = json.loads(document)
        self.document: Dict[str, Any] = doc
        self.findings: Tuple[Finding, ...] = tuple(Finding(f) for f in doc["findings"])
        self.checks: Dict[str, Tuple[str, Tuple[str, ...]]] = {
            c["code"]: (c["status"], tuple(c["notes"])) for c in doc["checks"]}
        self.probe: Optional[Dict[str, Any]] = doc["probe"]
        self.window: Dict[str, Any] = doc["window"]
        self.text: str = text.decode("utf-8", "surrogateescape")
        self.worst: Optional[str] = max((f.severity for f in self.findings),
                                        key=SEVERITIES.index, default=None)

    @property
    def exit_code(self) -> int:
        return 1 if self.worst in ("warning", "critical") else 0

    def codes(self) -> List[str]:
        """The codes found, in order."""
        return [f.code for f in self.findings]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __getitem__(self, i: int) -> Finding:
        return self.findings[i]

    def __bool__(self) -> bool:
        return bool(self.findings)

    def __repr__(self) -> str:
        return f"<sockstate.Diagnosis {self.codes()}>"
