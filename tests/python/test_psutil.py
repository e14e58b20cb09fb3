"""psutil users feel at home: the same sockets, field for field, as
psutil.net_connections('tcp') on the same population."""

import pytest

import sockstate
from sockstate import State

psutil = pytest.importorskip("psutil")


def test_same_answer_as_psutil(population):
    p = population.port
    theirs = set()
    for c in psutil.net_connections("tcp"):
        if (c.laddr and c.laddr.port == p) or (c.raddr and c.raddr.port == p):
            raddr = tuple(c.raddr) if c.raddr else (population.any, 0)
            theirs.add((c.family, c.type, tuple(c.laddr), raddr,
                        State.parse(c.status), c.pid))
    mine = {(c.family, c.type, tuple(c.laddr), tuple(c.raddr), c.status, c.pid)
            for c in sockstate.connections(port=p, processes=True)}
    assert mine == theirs and len(mine) == 7


PSUTIL_TO_STATE = {
    "CLOSE": "CLOSED", "CLOSE_WAIT": "CLOSE_WAIT", "CLOSING": "CLOSING",
    "ESTABLISHED": "ESTABLISHED", "FIN_WAIT1": "FIN_WAIT_1",
    "FIN_WAIT2": "FIN_WAIT_2", "LAST_ACK": "LAST_ACK", "LISTEN": "LISTEN",
    "SYN_RECV": "SYN_RECEIVED", "SYN_SENT": "SYN_SENT",
    "TIME_WAIT": "TIME_WAIT",
}


@pytest.mark.parametrize("name", sorted(n for n in dir(psutil)
                                        if n.startswith("CONN_") and n != "CONN_NONE"))
def test_psutil_status_constants_parse(name):
    value = getattr(psutil, name)
    state = State.parse(value)
    assert state is State[PSUTIL_TO_STATE[value]]
    # Where the names agree, a State compares equal to psutil's constant.
    assert (state == value) == (value == PSUTIL_TO_STATE[value])


def test_psutil_none_is_not_a_state():
    with pytest.raises(sockstate.InvalidArgument):
        State.parse(psutil.CONN_NONE)
