"""psutil, with its two listings of sockets answered by sockstate.

What test_connections.py imports as `psutil` (its one changed line): the
module psutil itself for everything (constants, exceptions, children(),
conn_tmap...) but

    psutil.net_connections      -> sockstate.net_connections
    psutil.Process.connections  -> sockstate.process_connections
                                   (Process.net_connections too, the
                                   name psutil 6 gave it)

so the file's TCP tests run against sockstate's functions, as a user who
wrote `from sockstate import net_connections` runs them. Part of
libsockstate's tests (MIT), not of psutil.
"""

import psutil as _psutil

from sockstate import net_connections, process_connections

__all__ = ["Process", "net_connections"]


class Process(_psutil.Process):
    """psutil.Process whose connection listing is sockstate's."""

    def connections(self, kind="inet"):
        return process_connections(self.pid, kind)

    net_connections = connections


def __getattr__(name):
    # Everything else is psutil's own.
    return getattr(_psutil, name)
