#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 The libsockstate developers
# MIT License (see LICENSE at the top of the libsockstate source tree)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: sockstate_wait
short_description: Wait until a port listens, stops listening, or its connections drain
version_added: "0.1.0"
description:
  - The port waits of M(ansible.builtin.wait_for), with its option names,
    defaults, return keys and messages, answered by the kernel's socket
    table through libsockstate, the same way on every OS it supports.
  - C(state=started) (or C(present)) waits until a socket is in C(LISTEN)
    on O(port) on O(host)'s address. Unlike M(ansible.builtin.wait_for) it
    makes no connection to the port, so the service sees no probe.
  - C(state=stopped) (or C(absent)) waits until nothing listens there any
    more.
  - C(state=drained) waits until no connection on local O(port) is in one
    of O(active_connection_states), ignoring peers in O(exclude_hosts) -
    for taking a node out of a load balancer pool.
  - On timeout the task fails with M(ansible.builtin.wait_for)'s message
    (C(Timeout when waiting for 127.0.0.1:8080 to drain)); what was still
    in the way is in RV(detail) (one sentence) and RV(remaining) (data).
author:
  - The libsockstate developers
requirements:
  - the Python package C(sockstate) with its C extension, on the target
attributes:
  check_mode:
    support: full
    description: Read-only; waits the same in check mode, as M(ansible.builtin.wait_for) does.
  diff_mode:
    support: none
options:
  port:
    description: The local port to watch.
    type: int
    required: true
  host:
    description:
      - The local address (or a host name, resolved on the target) whose
        sockets count, as in M(ansible.builtin.wait_for), whose default
        this is. For C(drained) that leaves out every connection that did
        not come in over loopback; give C(*) for all of them.
      - C(0.0.0.0), C(::) or C(*) mean every address of both families
        (M(ansible.builtin.wait_for) splits the first two by family).
      - For C(started) and C(stopped), a listener on the wildcard of the
        address's family counts, and one on C(::) counts for IPv4
        addresses too when it is dual-stack (not C(IPV6_V6ONLY), as the
        kernel reports it).
      - For C(drained), a connection counts when its local address is one
        of the host's addresses (an IPv4 address matches its IPv4-mapped
        IPv6 form too).
    type: str
    default: 127.0.0.1
  state:
    description:
      - C(started) (C(present) is the same) waits for a listener;
        C(stopped) (C(absent) is the same) for no listener; C(drained)
        for the active connections to close. M(ansible.builtin.wait_for)'s
        names, with their meaning for a port.
    type: str
    choices: [started, present, stopped, absent, drained]
    default: started
  active_connection_states:
    description:
      - C(drained) only. The states that count as an active connection, in
        any operating system's or tool's spelling (C(FIN_WAIT1),
        C(FIN-WAIT-1), C(FinWait1) and C(FIN_WAIT_1) are the same state).
      - The default is M(ansible.builtin.wait_for)'s list. It counts
        C(TIME_WAIT), which lasts 60 seconds on Linux after every close
        made on this side; the C(sockstate wait --drained) command counts
        every state but C(LISTEN) and C(TIME_WAIT) instead.
    type: list
    elements: str
    default: [ESTABLISHED, FIN_WAIT1, FIN_WAIT2, SYN_RECV, SYN_SENT, TIME_WAIT]
  exclude_hosts:
    description:
      - C(drained) only. Connections from these peers do not count. Each is
        a host name (resolved on the target), an address or a prefix
        (C(10.0.0.0/24)); an IPv4 address also matches its IPv4-mapped
        IPv6 form.
    type: list
    elements: str
  timeout:
    description: Seconds to wait at most (counted from the start, C(delay) included).
    type: int
    default: 300
  delay:
    description: Seconds to wait before the first check.
    type: int
    default: 0
  sleep:
    description: Seconds between checks (a fraction such as C(0.5) is allowed; more than 0, at most 1000000).
    type: float
    default: 1
  connect_timeout:
    description:
      - Accepted for compatibility with M(ansible.builtin.wait_for) and
        ignored; this module makes no connection.
    type: int
    default: 5
  msg:
    description: The failure message on timeout instead of the default one (RV(detail) and RV(remaining) still say what was in the way).
    type: str
  backend:
    description: The libsockstate backend to use; default the best one available.
    type: str
  netns:
    description: A Linux network namespace to watch instead of the module's own (a name under C(/run/netns), a path, or C(pid:PID)).
    type: str
notes:
  - Owners of other users' sockets are only visible to root (C(become));
    waiting works without them.
  - Unlike M(ansible.builtin.wait_for), O(port) is required (this module
    waits for sockets, not for files or time; C(path), C(search_regex)
    are not offered).
seealso:
  - module: ansible.builtin.wait_for
  - module: sockstate.tcp.sockstate_check
"""

EXAMPLES = r"""
- name: Wait for the application to listen on 8080 (on 127.0.0.1, as wait_for)
  sockstate.tcp.sockstate_wait:
    port: 8080
    timeout: 60

- name: Take the node out of the pool, then wait for its connections to finish
  sockstate.tcp.sockstate_wait:
    port: 443
    host: "*"                             # every local address, not only 127.0.0.1
    state: drained
    exclude_hosts: [10.0.0.5, 10.0.0.6]   # the load balancer's health checks
    timeout: 600
    sleep: 2

- name: Drain without waiting for TIME_WAIT (as `sockstate wait --drained`)
  sockstate.tcp.sockstate_wait:
    port: 443
    host: "*"
    state: drained
    active_connection_states: [ESTAB, SYN-RECV, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, LAST-ACK, CLOSING]

- name: Wait until the old instance has let go of the port
  sockstate.tcp.sockstate_wait:
    port: 8080
    state: stopped
"""

RETURN = r"""
elapsed:
  description: Seconds waited, as M(ansible.builtin.wait_for) counts them (whole seconds).
  returned: always
  type: int
  sample: 23
state:
  description: The O(state) waited for.
  returned: always
  type: str
  sample: drained
port:
  description: The O(port) watched.
  returned: always
  type: int
  sample: 443
path:
  description: Always null (M(ansible.builtin.wait_for)'s key; this module waits for ports only).
  returned: success
  type: str
search_regex:
  description: Always null (M(ansible.builtin.wait_for)'s key).
  returned: success
  type: str
match_groups:
  description: Always empty (M(ansible.builtin.wait_for)'s key).
  returned: success
  type: list
match_groupdict:
  description: Always empty (M(ansible.builtin.wait_for)'s key).
  returned: success
  type: dict
msg:
  description:
    - On failure, M(ansible.builtin.wait_for)'s message (or O(msg)), which
      is C(Timeout when waiting for HOST:PORT) for C(started),
      C(Timeout when waiting for HOST:PORT to stop.) for C(stopped) and
      C(Timeout when waiting for HOST:PORT to drain) for C(drained).
  returned: failure
  type: str
  sample: "Timeout when waiting for 127.0.0.1:8080 to drain"
detail:
  description: What happened, in one sentence, with the sockets that were in the way.
  returned: always
  type: str
  sample: "1 connection still open: 127.0.0.1:8080 -> 127.0.0.1:40000 ESTABLISHED (pid 42 app)"
remaining:
  description:
    - C(drained) - the active connections still open (empty when drained).
    - C(stopped) - the listeners still there (empty when stopped).
    - C(started) - on timeout, the sockets on the local port (none listens).
    - In the "sockstate/1" socket shape (family, local, remote, state,
      native_state, pid, pids, process, uid).
  returned: always
  type: list
  elements: dict
  sample:
    - family: ipv4
      local: {"address": "10.0.0.7", "port": 443}
      remote: {"address": "192.0.2.10", "port": 51234}
      state: ESTABLISHED
      native_state: {"code": 1, "name": "ESTAB"}
      pid: 812
      pids: [812]
      process: nginx
      uid: 33
listeners:
  description: C(started) - the listeners found.
  returned: when O(state=started) and the port listens
  type: list
  elements: dict
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.sockstate.tcp.plugins.module_utils.sockstate_common import (
    conn_dict, describe_some, in_networks, library_call, listener_serves, networks,
    plain_ip, require_sockstate, resolve_host, sockstate)

# ansible.builtin.wait_for's defaults, in its spelling.
WAIT_FOR_ACTIVE_STATES = ["ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "SYN_RECV", "SYN_SENT",
                          "TIME_WAIT"]
ANY_HOST = ("0.0.0.0", "::", "*", "")
# wait_for's state names for a port, and what each waits for here.
STATES = {"started": "started", "present": "started", "stopped": "stopped",
          "absent": "stopped", "drained": "drained"}


def active_states(module, texts):
    """The States of active_connection_states, refused as wait_for words it."""
    out = []
    for text in texts:
        try:
            state = sockstate.State.parse(text)
        except ValueError:
            module.fail_json(msg="unknown active_connection_state (%s) defined" % text,
                             elapsed=0, detail="any OS's or tool's spelling is accepted: "
                             "ESTAB, SYN_RCVD, FIN_WAIT1, LISTENING, TimeWait...")
        if state not in out:
            out.append(state)
    return out


class Watch:
    def __init__(self, module):
        self.module = module
        p = module.params
        self.p = p
        self.port = p["port"]
        self.any_host = p["host"] in ANY_HOST
        self.ips = [] if self.any_host else resolve_host(module, "host", p["host"])
        self.plain_ips = [plain_ip(str(ip)) for ip in self.ips]
        self.states = active_states(module, p["active_connection_states"])
        if not self.states:
            module.fail_json(msg="active_connection_states: give at least one state", elapsed=0)
        self.exclude = networks(module, "exclude_hosts", p["exclude_hosts"])

    def query(self, states, processes, **filters):
        return library_call(self.module, "sockstate", sockstate.connections, states,
                            processes=processes, backend=self.p["backend"],
                            netns=self.p["netns"], **filters)

    # Each check asks for no owners (a walk of every process), so that it
    # costs little and the timeout is kept to the second, as wait_for
    # keeps it; what is reported is asked again with them.

    def listeners(self, processes=False):
        found = self.query("LISTEN", processes, sport=self.port)
        if self.any_host:
            return found
        return [c for c in found if listener_serves(c, self.ips)]

    def active(self, processes=False):
        found = self.query(self.states, processes, sport=self.port)
        return [c for c in found
                if (self.any_host or plain_ip(c.laddr.ip) in self.plain_ips)
                and not in_networks(c.raddr.ip, self.exclude)]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            port=dict(type="int", required=True),
            host=dict(type="str", default="127.0.0.1"),
            state=dict(type="str", default="started", choices=list(STATES)),
            active_connection_states=dict(type="list", elements="str",
                                          default=WAIT_FOR_ACTIVE_STATES),
            exclude_hosts=dict(type="list", elements="str"),
            timeout=dict(type="int", default=300),
            delay=dict(type="int", default=0),
            sleep=dict(type="float", default=1),
            connect_timeout=dict(type="int", default=5),
            msg=dict(type="str"),
            backend=dict(type="str"),
            netns=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not 0 <= p["port"] <= 65535:
        module.fail_json(msg="port: %d is out of range (0-65535)" % p["port"], elapsed=0)
    if p["timeout"] < 0 or p["delay"] < 0:
        module.fail_json(msg="timeout and delay must be 0 or more", elapsed=0)
    # Written so that NaN fails too (every comparison with it is false);
    # an infinite sleep would never check again.
    if not (0 < p["sleep"] <= 1e6):
        module.fail_json(msg="sleep: must be more than 0 and at most 1000000, not %s"
                         % p["sleep"], elapsed=0)
    if p["exclude_hosts"] is not None and p["state"] != "drained":
        module.fail_json(msg="exclude_hosts should only be with state=drained", elapsed=0)
    require_sockstate(module)
    watch = Watch(module)
    wait = STATES[p["state"]]
    # As wait_for names the place: the host as given.
    where = "%s:%d" % (p["host"], p["port"])

    start = time.monotonic()
    deadline = start + p["timeout"]
    if p["delay"]:
        time.sleep(p["delay"])

    def elapsed():
        return int(time.monotonic() - start)

    result = dict(changed=False, state=p["state"], port=p["port"])
    # wait_for's keys of a success; those of a file wait are always empty.
    done = dict(result, path=None, search_regex=None, match_groups=[], match_groupdict={})
    while True:
        if wait == "started":
            if watch.listeners():
                waited = elapsed()
                found = watch.listeners(processes=True)
                module.exit_json(detail="%s is in LISTEN: %s" % (where, describe_some(found)),
                                 listeners=[conn_dict(c) for c in found], remaining=[],
                                 elapsed=waited, **done)
        elif wait == "stopped":
            if not watch.listeners():
                module.exit_json(detail="nothing listens on %s" % where, remaining=[],
                                 elapsed=elapsed(), **done)
        elif not watch.active():
            module.exit_json(detail="%s is drained" % where, remaining=[],
                             elapsed=elapsed(), **done)
        now = time.monotonic()
        if now >= deadline:
            break
        time.sleep(min(p["sleep"], deadline - now))

    waited = elapsed()
    if wait == "started":
        remaining = watch.query("all", True, sport=p["port"])
        default = "Timeout when waiting for %s" % where
        detail = "nothing listens on %s" % where
        if remaining:
            detail += "; on the port: %s" % describe_some(remaining)
    elif wait == "stopped":
        remaining = watch.listeners(processes=True)
        default = "Timeout when waiting for %s to stop." % where
        detail = "still in LISTEN: %s" % describe_some(remaining)
    else:
        remaining = watch.active(processes=True)
        default = "Timeout when waiting for %s to drain" % where
        detail = "%d connection%s still open: %s" % (
            len(remaining), "" if len(remaining) == 1 else "s", describe_some(remaining))
    module.fail_json(msg=p["msg"] or default, detail=detail,
                     remaining=[conn_dict(c) for c in remaining], elapsed=waited, **result)


if __name__ == "__main__":
    main()
