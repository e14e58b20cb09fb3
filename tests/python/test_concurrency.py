"""Fork and threads: the default handle works in a forked child (even when
another thread was inside a call at the fork); threads with their own
handles, or sharing one, all get exact answers."""

import os
import sys
import threading
import time

import pytest

import sockstate
from sockstate import State

from conftest import MY_PID


def wait_child(pid, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise AssertionError("the child hung (a lock held across fork?)")
        time.sleep(0.01)


def child_checks(port):
    """0 when the child sees the population as its parent does."""
    try:
        conns = sockstate.connections(port=port, processes=True)
        # The child holds copies of its parent's fds: both own every
        # socket. Which one is `pid` (the lower) depends on where pid
        # numbers have wrapped, so compare the whole set of owners.
        owners = sorted({p for c in conns for p in c.pids})
        counts = sockstate.counts(port=port)
        seen = (len(conns), owners, counts[State.ESTABLISHED], sockstate.backend())
        want = (7, sorted({os.getppid(), os.getpid()}), 4, sockstate.backends()[0])
        if seen == want:
            return 0
        print(f"child {os.getpid()}: saw {seen}, want {want}: {conns}", file=sys.stderr)
        return 1
    except BaseException as e:
        print(f"child {os.getpid()}: {e!r}", file=sys.stderr)
        return 2


def test_default_handle_in_forked_child(pop4):
    assert len(sockstate.connections(port=pop4.port)) == 7  # parent opens it
    pid = os.fork()
    if pid == 0:
        os._exit(child_checks(pop4.port))
    assert wait_child(pid) == 0
    # The parent's handle is untouched by the child's.
    assert len(sockstate.connections(port=pop4.port)) == 7


# The child's library calls run on its one thread (the fork rule); under
# GCC 12's AddressSanitizer the child can still block in the sanitizer's
# own allocator, whose lock the busy thread held at the fork.
@pytest.mark.nosan
def test_fork_while_another_thread_is_inside_a_call(pop4):
    stop = threading.Event()
    errors = []

    def busy():
        while not stop.is_set():
            try:
                sockstate.connections(port=pop4.port, processes=True)
                sockstate.counts()
            except Exception as e:  # pragma: no cover
                errors.append(e)

    t = threading.Thread(target=busy)
    t.start()
    try:
        for _ in range(5):
            pid = os.fork()
            if pid == 0:
                os._exit(child_checks(pop4.port))
            assert wait_child(pid) == 0
    finally:
        stop.set()
        t.join()
    assert errors == []


def test_own_handle_in_forked_child(pop4):
    h = sockstate.Handle()
    assert len(h.connections(port=pop4.port)) == 7
    pid = os.fork()
    if pid == 0:
        try:
            ok = len(h.connections(port=pop4.port)) == 7 and h.backend
            os._exit(0 if ok else 1)
        except BaseException:
            os._exit(2)
    assert wait_child(pid) == 0
    assert len(h.connections(port=pop4.port)) == 7
    h.close()


def test_threads_with_own_handles(pop4):
    results, errors = [], []
    s2 = pop4.expected[4]               # waits in the accept queue: no owner
    pending = (s2.laddr, s2.raddr)

    def work():
        try:
            with sockstate.Handle() as h:
                for i in range(10):
                    # Owners once per thread: a /proc walk is the slow part.
                    conns = h.connections(port=pop4.port, pid=MY_PID) if i == 0 \
                        else [c for c in h.connections(port=pop4.port)
                              if (c.laddr, c.raddr) != pending]
                    results.append(sorted((tuple(c.laddr), tuple(c.raddr))
                                          for c in conns))
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 40
    assert all(r == results[0] for r in results) and len(results[0]) == 6


def test_threads_sharing_the_default_handle(pop4):
    totals, errors = [], []

    def work():
        try:
            for _ in range(10):
                totals.append(sum(sockstate.counts(port=pop4.port).values()))
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and totals == [7] * 40
