"""Two IPv6 wildcard listeners side by side, for the tests of IPV6_V6ONLY
(tests/ops, tests/python, tests/ansible): one dual-stack (it answers IPv4
too; ss shows it as *:PORT), one IPv6-only ([::]:PORT)."""

import socket


def wildcard_listeners():
    """[dual, v6only]: listening sockets on [::], ports chosen by the
    kernel. The caller closes them."""
    made = []
    for v6only in (0, 1):
        s = socket.socket(socket.AF_INET6)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
        s.bind(("::", 0))
        s.listen(4)
        made.append(s)
    return made
