"""Normalized TCP states: one vocabulary for every OS."""

from __future__ import annotations

import enum
from typing import NamedTuple

from ._native import core


class StateInfo(NamedTuple):
    """What a state means, for people troubleshooting (see State.describe).

    side is one of ``"server"``, ``"client"``, ``"both"``, ``"closer"``,
    ``"peer"``, ``"none"``.
    """

    state: State
    side: str
    meaning: str
    seen_by: str
    pile_means: str


class State(str, enum.Enum):
    """A normalized TCP state (RFC 9293 names plus a few OS extras).

    Members are strings too, so ``State.LISTEN == "LISTEN"`` and a State
    works as a dict key wherever its name does. Any spelling of any OS or
    tool converts through the library's own parser::

        >>> State.parse("SYN-RECV")          # Linux ss
        <State.SYN_RECEIVED: 'SYN_RECEIVED'>
        >>> State("MIB_TCP_STATE_LISTEN")    # Windows MIB, same as parse()
        <State.LISTEN: 'LISTEN'>
        >>> State.parse("Established").describe("es").side
        'both'

    An unknown name raises sockstate.InvalidArgument (a ValueError), whose
    message names the nearest state when one is spelled near it ("did you
    mean CLOSE_WAIT?"); psutil's ``NONE`` is not a TCP state and is
    refused.

    States sort in the order of a connection's life, as ``--sort state``
    sorts them (the library's numbering): UNKNOWN, CLOSED, LISTEN,
    SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1 ... TIME_WAIT, then
    DELETE_TCB and BOUND; not alphabetically, though they are strings::

        >>> sorted([State.TIME_WAIT, State.LISTEN, State.ESTABLISHED])
        [<State.LISTEN: 'LISTEN'>, <State.ESTABLISHED: 'ESTABLISHED'>, <State.TIME_WAIT: 'TIME_WAIT'>]

    Compared with a plain string, a State compares as the string it is.
    """

    CLOSED = "CLOSED"
    LISTEN = "LISTEN"
    SYN_SENT = "SYN_SENT"
    SYN_RECEIVED = "SYN_RECEIVED"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT_1 = "FIN_WAIT_1"
    FIN_WAIT_2 = "FIN_WAIT_2"
    CLOSE_WAIT = "CLOSE_WAIT"
    CLOSING = "CLOSING"
    LAST_ACK = "LAST_ACK"
    TIME_WAIT = "TIME_WAIT"
    DELETE_TCB = "DELETE_TCB"
    BOUND = "BOUND"
    UNKNOWN = "UNKNOWN"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    # Lifecycle order between States; a plain str compares as str does.
    def __lt__(self, other: object) -> bool:
        if isinstance(other, State):
            return _CODES[self] < _CODES[other]
        return str.__lt__(self, other)  # type: ignore[operator]

    def __le__(self, other: object) -> bool:
        if isinstance(other, State):
            return _CODES[self] <= _CODES[other]
        return str.__le__(self, other)  # type: ignore[operator]

    def __gt__(self, other: object) -> bool:
        if isinstance(other, State):
            return _CODES[self] > _CODES[other]
        return str.__gt__(self, other)  # type: ignore[operator]

    def __ge__(self, other: object) -> bool:
        if isinstance(other, State):
            return _CODES[self] >= _CODES[other]
        return str.__ge__(self, other)  # type: ignore[operator]

    @classmethod
    def parse(cls, text: str | State) -> State:
        """The state any OS or tool spells as text (case-insensitive;
        '-', '_' and ' ' alike): ``"ESTAB"``, ``"SYN_RCVD"``, ``"0A"``,
        ``"SynReceived"``, ``"CONN_LISTEN"``...

        Raises InvalidArgument for a name no OS uses.
        """
        if isinstance(text, State):
            return text
        return _BY_CODE[core().state_parse(text)]

    @classmethod
    def _missing_(cls, value: object) -> State | None:
        if isinstance(value, (str, bytes)):
            return cls.parse(value)  # type: ignore[arg-type]
        return None

    @property
    def code(self) -> int:
        """The library's number for this state (sockstate_state in C)."""
        return _CODES[self]

    def describe(self, lang: str | None = "en") -> StateInfo:
        """Explain the state in ``lang`` ("en" or "es"; a locale name such
        as "es_ES.UTF-8" is reduced to its language; None means English).

            >>> State.TIME_WAIT.describe().side
            'closer'
        """
        name, side, meaning, seen_by, pile_means = core().state_describe(
            _CODES[self], lang)
        return StateInfo(self, side, meaning, seen_by, pile_means)


# The library's numbering (sockstate.h: stable, ours, not any OS's).
_BY_CODE: tuple[State, ...] = (
    State.UNKNOWN, State.CLOSED, State.LISTEN, State.SYN_SENT,
    State.SYN_RECEIVED, State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2,
    State.CLOSE_WAIT, State.CLOSING, State.LAST_ACK, State.TIME_WAIT,
    State.DELETE_TCB, State.BOUND,
)
_CODES: dict[State, int] = {s: i for i, s in enumerate(_BY_CODE)}


def check_numbering(c: object) -> None:
    """Fail loudly if the extension numbers states differently."""
    names = tuple(c.state_name(i) for i in range(c.STATE_COUNT))  # type: ignore[attr-defined]
    if names != tuple(s.value for s in _BY_CODE):
        raise ImportError(f"sockstate: the C library's states {names} do not "
                          "match this package's; rebuild the package")
