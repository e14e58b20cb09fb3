#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 The libsockstate developers
# MIT License (see LICENSE at the top of the libsockstate source tree)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: sockstate_check
short_description: Assert facts about the host's TCP sockets, failing with what was found
version_added: "0.1.0"
description:
  - Checks one condition on the target's TCP sockets and fails the task
    with a message that names what it found when the condition does not
    hold. Nothing is changed on the target.
  - C(check=listening) - something is in C(LISTEN) on O(port) (on
    O(address), when given).
  - C(check=at_most) - at most O(max_count) sockets are in O(state)
    (optionally only those on O(port), of process O(process) or of O(pid)).
  - C(check=established) - a connection to O(host):O(port) is
    C(ESTABLISHED).
  - C(check=only_states) - every socket on O(port) is in one of
    O(allowed_states).
  - C(check=diagnose) - the library's diagnose (C(sockstate diagnose),
    docs/DIAGNOSE.md) finds nothing at O(fail_on) or worse, host-wide, or
    about the service on O(port) (clients using O(address)), or about the
    destination O(to) (with O(probe), one connection to it). The task fails
    with the findings' headlines; every finding is returned in RV(findings).
  - State names are accepted in any operating system's or tool's spelling
    (C(CLOSE-WAIT), C(SYN_RCVD), C(LISTENING), C(TimeWait)...).
author:
  - The libsockstate developers
requirements:
  - the Python package C(sockstate) with its C extension, on the target
attributes:
  check_mode:
    support: full
    description: Read-only; checks the same in check mode.
  diff_mode:
    support: none
options:
  check:
    description: Which condition to check.
    type: str
    required: true
    choices: [listening, at_most, established, only_states, diagnose]
  port:
    description:
      - C(listening) - the local port that must be in C(LISTEN) (required).
      - C(established) - the remote port of the connection (required).
      - C(only_states) - the port whose sockets are checked, local or remote (required).
      - C(at_most) - only count sockets with this port on either end.
      - C(diagnose) - the local port of the service to look at (optional).
    type: int
  address:
    description:
      - C(listening). The local address (or a host name, resolved on
        the target) the listener must accept connections on. A listener
        on the wildcard of the address's family (C(0.0.0.0) or C(::))
        counts, and one on C(::) also counts for an IPv4 address when it
        is dual-stack (not C(IPV6_V6ONLY), as the kernel reports it; a
        listener whose C(v6only) the OS does not report, as with the
        C(linux-proc) backend, is not counted for IPv4).
      - C(diagnose), with O(port). The address clients connect to (an IP
        address), which the service must listen on.
    type: str
  to:
    description:
      - C(diagnose) only. A destination the target connects to, as
        C(ADDR:PORT) (an IP address; C([v6]:PORT) for IPv6), whose
        connections in SYN_SENT and ephemeral ports are looked at.
    type: str
  probe:
    description: C(diagnose) only, with O(to). Make one connection to it; a refusal, a timeout, no route or no free local port is a finding.
    type: bool
  interval:
    description: C(diagnose) only. Seconds between the two looks at the TCP counters (default 1; 0 one look, totals since boot).
    type: float
  timeout:
    description: C(diagnose) only. Seconds the probe waits (default 3).
    type: float
  fail_on:
    description: C(diagnose) only. The lowest severity that fails the task.
    type: str
    choices: [warning, critical]
    default: warning
  lang:
    description: C(diagnose) only. The language of the findings' texts (default en).
    type: str
    choices: [en, es]
  state:
    description: C(at_most) only. The state to count (required).
    type: str
  max_count:
    description: C(at_most) only. The most sockets allowed in O(state) (required).
    type: int
  process:
    description: C(at_most) only. Count only sockets of processes with this name.
    type: str
  pid:
    description: C(at_most) only. Count only sockets of this process.
    type: int
  host:
    description:
      - C(established) only. The remote host, a name (resolved on the
        target) or an address (required).
    type: str
  allowed_states:
    description:
      - C(only_states) only. The states the sockets on O(port) may be in
        (required). Sockets in C(BOUND) are not looked at.
    type: list
    elements: str
  family:
    description: Look only at IPv4 or only at IPv6 sockets.
    type: str
    choices: [ipv4, ipv6]
  backend:
    description: The libsockstate backend to use; default the best one available.
    type: str
  netns:
    description: A Linux network namespace to check instead of the module's own (a name under C(/run/netns), a path, or C(pid:PID)).
    type: str
notes:
  - Owners (C(process), C(pid)) of other users' sockets are only visible
    to root (C(become)); without it the module warns how many sockets have
    an owner it could not read.
seealso:
  - module: sockstate.tcp.sockstate_wait
  - module: sockstate.tcp.sockstate_facts
"""

EXAMPLES = r"""
- name: nginx listens on 443 on every address
  sockstate.tcp.sockstate_check:
    check: listening
    port: 443
    address: 0.0.0.0

- name: Fewer than 50 connections wait for the application to close them
  become: true
  sockstate.tcp.sockstate_check:
    check: at_most
    state: CLOSE_WAIT
    max_count: 50
    process: java

- name: No SYN flood on the web port
  sockstate.tcp.sockstate_check:
    check: at_most
    state: SYN-RECV
    port: 443
    max_count: 100

- name: The application is connected to the database
  sockstate.tcp.sockstate_check:
    check: established
    host: db.example.com
    port: 5432

- name: Nothing wrong with the web service, or the task fails saying what and what to do
  sockstate.tcp.sockstate_check:
    check: diagnose
    port: 443

- name: The database is reachable from the app servers (critical problems only)
  sockstate.tcp.sockstate_check:
    check: diagnose
    to: 10.0.0.5:5432
    probe: true
    fail_on: critical
    lang: es

- name: Port 8080 has only listeners and open connections
  sockstate.tcp.sockstate_check:
    check: only_states
    port: 8080
    allowed_states: [LISTEN, ESTABLISHED, TIME_WAIT]
"""

RETURN = r"""
msg:
  description: What was found, in one sentence; the failure message when the check failed.
  returned: always
  type: str
  sample: "2 sockets in CLOSE_WAIT on port 8080, more than the 1 allowed: 2 of python3 (pid 4242); 127.0.0.1:8080 -> 127.0.0.1:40112 CLOSE_WAIT (pid 4242 python3); ..."
count:
  description: How many sockets the check counted (listeners, sockets in the state, connections, sockets outside the allowed states).
  returned: always
  type: int
  sample: 2
findings:
  description:
    - C(diagnose) only. Every finding, most severe first, as the
      "sockstate-diagnosis/1" document has it (code, severity, headline,
      title, meaning, whose, advice, and the evidence local, remote, pid,
      process, count, limit, counters, sockets).
  returned: when check is diagnose
  type: list
  elements: dict
  sample:
    - code: close-wait-leak
      severity: warning
      headline: "python3 (pid 4242) holds 12 connections in CLOSE_WAIT on local port 8080: it does not close them"
      advice: "Restarting the process releases them for now; the fix is in the application: ..."
      pid: 4242
      process: python3
      count: 12
found:
  description:
    - The sockets the message is about, in the "sockstate/1" socket shape
      (family, local, remote, state, native_state, pid, pids, process, uid).
  returned: always
  type: list
  elements: dict
  sample:
    - family: ipv4
      local: {"address": "127.0.0.1", "port": 8080}
      remote: {"address": "127.0.0.1", "port": 40112}
      state: CLOSE_WAIT
      native_state: {"code": 8, "name": "CLOSE-WAIT"}
      pid: 4242
      pids: [4242]
      process: python3
      uid: 1000
"""

import socket

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.sockstate.tcp.plugins.module_utils.sockstate_common import (
    conn_dict, describe_some, endpoint_text, library_call, listener_serves, local_text,
    parse_state, parse_states, plain_ip, require_sockstate, resolve_host, sockstate,
    state_tally)

# The options each check reads (the first ones it requires).
OPTIONS = {
    "listening": (["port"], ["address"]),
    "at_most": (["state", "max_count"], ["port", "process", "pid"]),
    "established": (["host", "port"], []),
    "only_states": (["port", "allowed_states"], []),
    "diagnose": ([], ["port", "address", "to", "probe", "interval", "timeout", "lang"]),
}
COMMON = ["check", "family", "backend", "netns", "fail_on"]
SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


class Checker:
    def __init__(self, module):
        self.module = module
        self.p = module.params

    def query(self, states=None, **filters):
        return library_call(self.module, "sockstate", sockstate.connections, states,
                            family=self.p["family"], processes=True,
                            backend=self.p["backend"], netns=self.p["netns"], **filters)

    def listening(self):
        port, address = self.p["port"], self.p["address"]
        listeners = self.query("LISTEN", sport=port)
        if address is None:
            found = listeners
            where = ""
        else:
            ips = resolve_host(self.module, "address", address)
            found = [c for c in listeners if listener_serves(c, ips)]
            where = " on %s" % address
        if found:
            return True, found, "port %d is in LISTEN%s: %s" % (
                port, where, describe_some(found))
        if listeners:
            return False, [], "port %d is not in LISTEN%s: it listens only on %s" % (
                port, where, "; ".join("%s (%s%s)" % (local_text(c), owner(c), v6only_note(c))
                                       for c in listeners))
        others = self.query("all", sport=port)
        tail = ("; on that local port: %s: %s" % (state_tally(others), describe_some(others))
                if others else "; no socket has that local port")
        return False, [], "port %d is not in LISTEN%s: nothing listens on it%s" % (
            port, where, tail)

    def at_most(self):
        state = parse_state(self.module, "state", self.p["state"])
        limit = self.p["max_count"]
        if limit < 0:
            self.module.fail_json(msg="max_count: must be 0 or more, not %d" % limit)
        conns = self.query(state, port=self.p["port"], pid=self.p["pid"])
        scope = ""
        if self.p["port"] is not None:
            scope += " on port %d" % self.p["port"]
        if self.p["pid"] is not None:
            scope += " of pid %d" % self.p["pid"]
        if self.p["process"] is not None:
            conns = [c for c in conns if c.process == self.p["process"]]
            scope += " of process %s" % self.p["process"]
        n = len(conns)
        what = "%d socket%s in %s%s" % (n, "" if n == 1 else "s", state.value, scope)
        if n <= limit:
            return True, conns, "%s (at most %d allowed)" % (what, limit)
        return False, conns, "%s, more than the %d allowed: %s; %s" % (
            what, limit, owner_tally(conns), describe_some(conns))

    def established(self):
        host, port = self.p["host"], self.p["port"]
        ips = resolve_host(self.module, "host", host)
        plain = [plain_ip(str(ip)) for ip in ips]
        to_it = [c for c in self.query(dport=port) if plain_ip(c.raddr.ip) in plain]
        est = [c for c in to_it if c.state == sockstate.State.ESTABLISHED]
        target = endpoint_text(host, port)
        if str(ips[0]) != host or len(ips) > 1:
            target += " (%s)" % ", ".join(str(ip) for ip in ips)
        if est:
            return True, est, "%d ESTABLISHED connection%s to %s: %s" % (
                len(est), "" if len(est) == 1 else "s", target, describe_some(est))
        if to_it:
            return False, to_it, "no ESTABLISHED connection to %s; to that address and port: %s: %s" % (
                target, state_tally(to_it), describe_some(to_it))
        return False, [], "no ESTABLISHED connection to %s; no socket has that remote address and port" % target

    def only_states(self):
        port = self.p["port"]
        allowed = parse_states(self.module, "allowed_states", self.p["allowed_states"])
        if not allowed:
            self.module.fail_json(msg="allowed_states: give at least one state")
        conns = self.query(port=port)
        bad = [c for c in conns if c.state not in allowed]
        names = ", ".join(s.value for s in allowed)
        if not bad:
            return True, [], "port %d: %d socket%s, all in %s" % (
                port, len(conns), "" if len(conns) == 1 else "s", names)
        return False, bad, "port %d has %d socket%s in states outside %s: %s; %s" % (
            port, len(bad), "" if len(bad) == 1 else "s", names, state_tally(bad),
            describe_some(bad))


    def diagnose(self):
        """The library's findings; fails at fail_on or worse. Returns the
        findings in place of sockets (see main)."""
        p = self.p
        kwargs = {k: p[k] for k in ("port", "to", "probe", "interval", "timeout", "lang")
                  if p[k] is not None}
        if p["address"] is not None:
            kwargs["addr"] = p["address"]
        d = library_call(self.module, "sockstate", sockstate.diagnose,
                         backend=p["backend"], netns=p["netns"], **kwargs)
        failing = [f for f in d if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[p["fail_on"]]]
        self.findings = d.document["findings"]
        if not d:
            return True, [], "no problem found (%s)" % _window(d)
        said = "; ".join("%s %s: %s" % (f.severity, f.code, f.headline) for f in d)
        if failing:
            return False, [], "%d finding%s at %s or worse: %s" % (
                len(failing), "" if len(failing) == 1 else "s", p["fail_on"], said)
        return True, [], "nothing at %s or worse: %s" % (p["fail_on"], said)


def v6only_note(c):
    """Why an IPv6 wildcard listener does not count for an IPv4 address."""
    if c.family != socket.AF_INET6 or c.laddr.ip != "::":
        return ""
    if c.v6only:
        return ", IPv6 only"
    if c.v6only is None:
        return ", IPv6; whether it also answers IPv4 is not known here"
    return ""


def _window(d):
    w = d.window
    if w["counters"] == "delta":
        return "TCP counters compared over %.1f s" % (w["ms"] / 1000.0)
    return "TCP counters %s" % ("since boot only" if w["counters"] == "since-boot"
                                else "unavailable")


def owner(c):
    if c.pid is None:
        return "no process"
    return "%s (pid %d)" % (c.process, c.pid) if c.process else "pid %d" % c.pid


def owner_tally(conns):
    """'12 of java (pid 4242), 3 of no process', most first."""
    tally = {}
    for c in conns:
        key = owner(c)
        tally[key] = tally.get(key, 0) + 1
    return ", ".join("%d of %s" % (n, k) for k, n in
                     sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            check=dict(type="str", required=True, choices=sorted(OPTIONS)),
            port=dict(type="int"),
            address=dict(type="str"),
            state=dict(type="str"),
            max_count=dict(type="int"),
            process=dict(type="str"),
            pid=dict(type="int"),
            host=dict(type="str"),
            allowed_states=dict(type="list", elements="str"),
            to=dict(type="str"),
            probe=dict(type="bool"),
            interval=dict(type="float"),
            timeout=dict(type="float"),
            fail_on=dict(type="str", choices=["warning", "critical"], default="warning"),
            lang=dict(type="str", choices=["en", "es"]),
            family=dict(type="str", choices=["ipv4", "ipv6"]),
            backend=dict(type="str"),
            netns=dict(type="str"),
        ),
        required_if=[("check", name, opts[0]) for name, opts in OPTIONS.items()],
        supports_check_mode=True,
    )
    check = module.params["check"]
    required, optional = OPTIONS[check]
    stray = sorted(k for k, v in module.params.items()
                   if v is not None and k not in required + optional + COMMON)
    # fail_on has a default: only a value other than it is a stray option
    if check != "diagnose" and module.params["fail_on"] != "warning":
        stray.append("fail_on")
    if stray:
        module.fail_json(msg="%s: not an option of check=%s (it takes %s)"
                             % (", ".join(stray), check, ", ".join(required + optional)))
    port = module.params["port"]
    if port is not None and not 0 <= port <= 65535:
        module.fail_json(msg="port: %d is out of range (0-65535)" % port)
    require_sockstate(module)

    if check == "diagnose" and module.params["family"] is not None:
        module.fail_json(msg="family: not an option of check=diagnose")
    checker = Checker(module)
    ok, found, msg = getattr(checker, check)()
    result = dict(changed=False, msg=msg, count=len(found), found=[conn_dict(c) for c in found])
    if check == "diagnose":
        result["findings"] = checker.findings
        result["count"] = len(checker.findings)
    if ok:
        module.exit_json(**result)
    module.fail_json(**result)


if __name__ == "__main__":
    main()
