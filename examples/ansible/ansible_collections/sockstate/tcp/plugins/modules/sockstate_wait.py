#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 The libsockstate developers
# MIT License (see LICENSE at the top of the libsockstate source tree)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: sockstate_wait
short_description: Wait until a port listens, or until its connections drain
version_added: "0.1.0"
description:
  - The port waits of M(ansible.builtin.wait_for), with the same option
    names, answered by the kernel's socket table through libsockstate,
    the same way on every OS it supports.
  - C(state=started) waits until a socket is in C(LISTEN) on O(port) (on
    O(host)'s address when given). Unlike M(ansible.builtin.wait_for) it
    makes no connection to the port, so the service sees no probe.
  - C(state=drained) waits until no connection on local O(port) is in one
    of O(active_connection_states), ignoring peers in O(exclude_hosts) -
    for taking a node out of a load balancer pool.
  - On timeout the task fails and lists the sockets still open (drained)
    or what is on the port instead of a listener (started).
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
        sockets count. C(0.0.0.0), C(::) or C(*) mean every address of both
        families.
      - Default is every address. M(ansible.builtin.wait_for) defaults to
        C(127.0.0.1), which for C(drained) leaves out every connection
        that did not come in over loopback; give C(127.0.0.1) to get
        that behaviour.
      - For C(started), a listener on the wildcard of the address's family
        counts, and one on C(::) counts for IPv4 addresses too when it is
        dual-stack (not C(IPV6_V6ONLY), as the kernel reports it).
      - For C(drained), a connection counts when its local address is one
        of the host's addresses (an IPv4 address matches its IPv4-mapped
        IPv6 form too).
    type: str
  state:
    description:
      - C(started) waits for a listener; C(drained) waits for the active
        connections to close.
    type: str
    choices: [started, drained]
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
    default: [ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, SYN_RECEIVED, SYN_SENT, TIME_WAIT]
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
  msg:
    description: The failure message on timeout instead of the default one (the sockets still open are returned in RV(remaining) anyway).
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
seealso:
  - module: ansible.builtin.wait_for
  - module: sockstate.tcp.sockstate_check
"""

EXAMPLES = r"""
- name: Wait for the application to listen on 8080
  sockstate.tcp.sockstate_wait:
    port: 8080
    timeout: 60

- name: Take the node out of the pool, then wait for its connections to finish
  sockstate.tcp.sockstate_wait:
    port: 443
    state: drained
    exclude_hosts: [10.0.0.5, 10.0.0.6]   # the load balancer's health checks
    timeout: 600
    sleep: 2

- name: Drain without waiting for TIME_WAIT (as `sockstate wait --drained`)
  sockstate.tcp.sockstate_wait:
    port: 443
    state: drained
    active_connection_states: [ESTAB, SYN-RECV, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, LAST-ACK, CLOSING]
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
remaining:
  description:
    - C(drained) - the active connections still open (empty when drained).
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
msg:
  description: What happened, in one sentence.
  returned: always
  type: str
  sample: "Timeout when waiting for *:8080 to drain: 1 connection still open: 127.0.0.1:8080 -> 127.0.0.1:40000 ESTABLISHED (pid 42 app)"
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.sockstate.tcp.plugins.module_utils.sockstate_common import (
    conn_dict, describe_some, in_networks, library_call, listener_serves, networks,
    parse_states, plain_ip, require_sockstate, resolve_host, sockstate)

WAIT_FOR_ACTIVE_STATES = ["ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "SYN_RECEIVED",
                          "SYN_SENT", "TIME_WAIT"]
ANY_HOST = ("0.0.0.0", "::", "*", "")


class Watch:
    def __init__(self, module):
        self.module = module
        p = module.params
        self.p = p
        self.port = p["port"]
        self.any_host = p["host"] is None or p["host"] in ANY_HOST
        self.host_label = "*" if self.any_host else p["host"]
        self.ips = [] if self.any_host else resolve_host(module, "host", p["host"])
        self.plain_ips = [plain_ip(str(ip)) for ip in self.ips]
        self.states = parse_states(module, "active_connection_states",
                                   p["active_connection_states"])
        if not self.states:
            module.fail_json(msg="active_connection_states: give at least one state", elapsed=0)
        self.exclude = networks(module, "exclude_hosts", p["exclude_hosts"])

    def query(self, states, **filters):
        return library_call(self.module, "sockstate", sockstate.connections, states,
                            processes=True, backend=self.p["backend"],
                            netns=self.p["netns"], **filters)

    def listeners(self):
        found = self.query("LISTEN", sport=self.port)
        if self.any_host:
            return found
        return [c for c in found if listener_serves(c, self.ips)]

    def active(self):
        found = self.query(self.states, sport=self.port)
        return [c for c in found
                if (self.any_host or plain_ip(c.laddr.ip) in self.plain_ips)
                and not in_networks(c.raddr.ip, self.exclude)]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            port=dict(type="int", required=True),
            host=dict(type="str"),
            state=dict(type="str", default="started", choices=["started", "drained"]),
            active_connection_states=dict(type="list", elements="str",
                                          default=WAIT_FOR_ACTIVE_STATES),
            exclude_hosts=dict(type="list", elements="str"),
            timeout=dict(type="int", default=300),
            delay=dict(type="int", default=0),
            sleep=dict(type="float", default=1),
            connect_timeout=dict(type="int"),
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
    where = "%s:%d" % (watch.host_label, p["port"])

    start = time.monotonic()
    deadline = start + p["timeout"]
    if p["delay"]:
        time.sleep(p["delay"])

    def elapsed():
        return int(time.monotonic() - start)

    result = dict(changed=False, state=p["state"], port=p["port"])
    while True:
        if p["state"] == "started":
            found = watch.listeners()
            if found:
                module.exit_json(msg="%s is in LISTEN: %s" % (where, describe_some(found)),
                                 listeners=[conn_dict(c) for c in found], remaining=[],
                                 elapsed=elapsed(), **result)
        else:
            found = watch.active()
            if not found:
                module.exit_json(msg="%s is drained" % where, remaining=[],
                                 elapsed=elapsed(), **result)
        now = time.monotonic()
        if now >= deadline:
            break
        time.sleep(min(p["sleep"], deadline - now))

    if p["state"] == "started":
        others = watch.query("all", sport=p["port"])
        default = "Timeout when waiting for %s: nothing listens on it" % where
        if others:
            default += "; on the port: %s" % describe_some(others)
        remaining = others
    else:
        remaining = found
        default = "Timeout when waiting for %s to drain: %d connection%s still open: %s" % (
            where, len(found), "" if len(found) == 1 else "s", describe_some(found))
    module.fail_json(msg=p["msg"] or default, remaining=[conn_dict(c) for c in remaining],
                     elapsed=elapsed(), **result)


if __name__ == "__main__":
    main()
