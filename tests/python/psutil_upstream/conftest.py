"""Run psutil 5.9.4's test_connections.py (vendored here, BSD-3-Clause:
LICENSE) against sockstate.net_connections and
sockstate.process_connections (sockstate_as_psutil.py); README.md says
what was vendored, what changed and why some tests do not run.

ctest runs this folder as the test python.psutil_upstream (label python);
tests/python's own run leaves it out.
"""

import os
import sys

import pytest

pytest.importorskip("psutil", reason="psutil is not installed (Debian: python3-psutil)")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# The file imports its helpers from psutil.tests, which Debian's package
# does not ship: the trimmed copy beside it stands in.
import psutil_tests  # noqa: E402

sys.modules["psutil.tests"] = psutil_tests

# The tests that are not about TCP sockets, and why each does not run.
# tests/python/test_psutil.py checks the TCP part of the last three.
OUT_OF_SCOPE = {
    "TestUnconnectedSockets::test_udp_v4": "a UDP socket: sockstate lists TCP only",
    "TestUnconnectedSockets::test_udp_v6": "a UDP socket: sockstate lists TCP only",
    "TestUnconnectedSockets::test_unix_tcp": "a UNIX socket: sockstate lists TCP only",
    "TestUnconnectedSockets::test_unix_udp": "a UNIX socket: sockstate lists TCP only",
    "TestConnectedSocket::test_unix": "UNIX sockets: sockstate lists TCP only",
    "TestFilters::test_combos": "asserts one connection for each of its UDP children too; "
                                "its TCP children: test_psutil.py::test_combos_tcp_children",
    "TestFilters::test_count": "counts the UDP and UNIX sockets of create_sockets() too; "
                               "the TCP counts: test_psutil.py::test_count_tcp",
    "TestSystemWideConnections::test_multi_sockets_procs":
        "counts every socket create_sockets() makes, UDP and UNIX ones too; the TCP "
        "ones: test_psutil.py::test_multi_sockets_procs_tcp",
}


def pytest_configure(config):
    # kind="all" (every setUp) warns that UDP and UNIX sockets are not
    # listed, by design (tested in tests/python/test_psutil.py).
    config.addinivalue_line("filterwarnings", "ignore::sockstate.ScopeWarning")


def pytest_collection_modifyitems(items):
    for item in items:
        why = OUT_OF_SCOPE.get(item.nodeid.split("::", 1)[-1])
        if why:
            item.add_marker(pytest.mark.skip(reason=why))
