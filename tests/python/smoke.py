#!/usr/bin/env python3
"""Import smoke test for any Python (no pytest needed): the package loads,
its C extension answers, and a socket made here is found.

    python3 tests/python/smoke.py      # exit 0 when all is well
"""

import os
import socket
import sys


def main():
    import sockstate
    from sockstate import State

    assert sockstate.__version__.count(".") == 2, sockstate.__version__
    assert State.parse("SYN-RECV") is State.SYN_RECEIVED
    assert sockstate.backend() in sockstate.backends()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    found = sockstate.connections("LISTEN", port=port, processes=True)
    assert [(c.laddr.port, c.state, c.pid) for c in found] == \
        [(port, State.LISTEN, os.getpid())], found
    assert sockstate.counts(port=port)[State.LISTEN] == 1
    assert sockstate.snapshot(port=port)["total"] == 1
    listener.close()
    print(f"sockstate {sockstate.__version__} on Python "
          f"{sys.version.split()[0]} ({sys.executable}): ok, backend "
          f"{sockstate.backend()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
