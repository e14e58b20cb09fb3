"""The exceptions of the sockstate package.

Every library error is a :class:`Error` carrying the library's code, its
symbolic name and, for OS failures, the failing call (``detail``). The
subclasses let callers catch what they can act on, and are also the
built-in exceptions Python code already expects (``ValueError``,
``PermissionError``).
"""

from __future__ import annotations

import errno as _errno


class Error(Exception):
    """A libsockstate error.

    Attributes:
        code: the library's negative error code (e.g. -3).
        name: its symbolic name (e.g. ``"SOCKSTATE_EPERM"``).
        detail: the failing OS call and the OS's message
            (``"socket(NETLINK_SOCK_DIAG): Operation not permitted"``), or
            ``""`` when there is none.

    ``str(error)`` is one line, worded as the command-line tool words it:
    ``"listing sockets: permission denied by the operating system: ..."``.
    """

    code: int
    name: str
    detail: str

    def __init__(self, message: str, code: int = -1, name: str = "SOCKSTATE_EINVAL",
                 detail: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.name = name
        self.detail = detail

    def __str__(self) -> str:
        # The message alone, also for the OSError subclass (no "[Errno n]").
        return str(self.args[0]) if self.args else ""


class InvalidArgument(Error, ValueError):
    """Bad input: an unknown state name, a port out of range, a malformed
    address, an unknown backend (codes EINVAL, ERANGE, ENOENT)."""


class PermissionDenied(Error, PermissionError):
    """The operating system refused (code EPERM)."""

    def __init__(self, message: str, code: int = -3, name: str = "SOCKSTATE_EPERM",
                 detail: str = "") -> None:
        super().__init__(message, code, name, detail)
        self.errno = _errno.EPERM
        self.strerror = message


class Unavailable(Error):
    """No backend works here, or the asked one (or feature) is not
    available on this system or build (codes EUNAVAIL, ENOTSUP)."""


class OwnersUnreadable(UserWarning):
    """Owners were asked for and some could not be read (another user's
    processes, without root): those sockets are all there, with pid,
    pids and process None although a process holds them. The message
    says how many, why, and what to do; ``Handle.owners_unreadable``
    gives the count of the last query."""


for _cls in (Error, InvalidArgument, PermissionDenied, Unavailable, OwnersUnreadable):
    _cls.__module__ = "sockstate"  # as users import them


# Library code -> class (filled by the package with the library's numbers).
def error_classes(core: object) -> dict[int, type[Error]]:
    """The class for each library error code."""
    c = core
    return {
        c.EINVAL: InvalidArgument,  # type: ignore[attr-defined]
        c.ERANGE: InvalidArgument,  # type: ignore[attr-defined]
        c.ENOENT: InvalidArgument,  # type: ignore[attr-defined]
        c.EPERM: PermissionDenied,  # type: ignore[attr-defined]
        c.EUNAVAIL: Unavailable,  # type: ignore[attr-defined]
        c.ENOTSUP: Unavailable,  # type: ignore[attr-defined]
    }
