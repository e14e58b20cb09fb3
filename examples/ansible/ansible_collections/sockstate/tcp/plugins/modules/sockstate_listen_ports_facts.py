#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 The libsockstate developers
# MIT License (see LICENSE at the top of the libsockstate source tree)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: sockstate_listen_ports_facts
short_description: Gather facts on processes listening on TCP ports (a drop-in for listen_ports_facts)
version_added: "0.1.0"
description:
  - A drop-in for M(community.general.listen_ports_facts) that asks the
    kernel through libsockstate instead of parsing C(ss) or C(netstat)
    text, so it gives the same answer on every OS the library supports
    and whatever tool is installed.
  - Sets the same fact C(tcp_listen), a list with the same keys per entry
    (C(address), C(port), C(protocol), C(pid), C(name), C(user),
    C(stime); C(pid) 0 and C(name), C(user), C(stime) empty when the owner
    is unknown) and, with O(include_non_listening), C(state) and
    C(foreign_address). Beside them three keys of its own,
    C(state_native) (the state as the OS's usual tool spells it),
    C(family) (C(ipv4) or C(ipv6)) and C(v6only).
  - As the original, a socket owned by several processes (a pre-forking
    server) gives one entry per owning process.
  - IPv6 sockets are reported with the bare address (C(::1), not
    C([::1])) and their own port. A dual-stack wildcard listener (on
    C(::) without C(IPV6_V6ONLY), so it answers IPv4 too) has the address
    C(*) and the foreign address C(*:*), as the original's C(ss) path
    reports it; an IPv6-only one keeps C(::) and C([::]:*). C(v6only)
    says which (C(null) where the OS does not tell, as for IPv4 sockets,
    the C(linux-proc) backend and Windows).
  - UDP is out of scope; C(udp_listen) is set to an empty list and the
    module warns so.
author:
  - The libsockstate developers
requirements:
  - the Python package C(sockstate) with its C extension, on the target
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
  facts:
    support: full
options:
  command:
    description:
      - Accepted for compatibility with M(community.general.listen_ports_facts)
        and ignored; no command is run to list sockets.
    type: str
    choices: [netstat, ss]
  include_non_listening:
    description:
      - Show every TCP socket (every state but C(BOUND)), not only those in
        C(LISTEN), and add C(state) and C(foreign_address) to each entry.
    type: bool
    default: false
  backend:
    description: The libsockstate backend to use; default the best one available.
    type: str
notes:
  - Owners of other users' sockets are only visible to root (C(become));
    without it their entries have C(pid) 0, and the module warns how
    many sockets that is.
  - C(state) is the normalized state (C(ESTABLISHED), C(SYN_RECEIVED)),
    the same on every OS; the original gave the spelling of the tool it
    ran (C(ESTAB) from C(ss), C(ESTABLISHED) from C(netstat)), which is
    now in C(state_native).
  - C(user) is the name of the process's effective user (its number when
    it has no name); C(stime) is when the process started, as C(ps -o
    lstart) prints it.
seealso:
  - module: community.general.listen_ports_facts
  - module: sockstate.tcp.sockstate_facts
"""

EXAMPLES = r"""
- name: Gather facts on listening ports
  sockstate.tcp.sockstate_listen_ports_facts:

- name: TCP whitelist violation
  ansible.builtin.debug:
    msg: TCP port {{ item.port }} by pid {{ item.pid }} violates the whitelist
  vars:
    tcp_listen_violations: "{{ ansible_facts.tcp_listen | rejectattr('port', 'in', tcp_whitelist) | list }}"
    tcp_whitelist:
      - 22
      - 25
  loop: "{{ tcp_listen_violations }}"

- name: List TCP ports
  ansible.builtin.debug:
    msg: "{{ ansible_facts.tcp_listen | map(attribute='port') | sort | list }}"

- name: Every TCP socket, with its state in the OS's own spelling too
  sockstate.tcp.sockstate_listen_ports_facts:
    include_non_listening: true
"""

RETURN = r"""
ansible_facts:
  description: Dictionary containing details of TCP ports with listening servers.
  returned: always
  type: complex
  contains:
    tcp_listen:
      description: One entry per listening socket and owning process.
      returned: always
      type: list
      elements: dict
      contains:
        address:
          description:
            - The local address (IPv6 without brackets).
            - C(*) for a dual-stack wildcard listener (C(::) answering IPv4 too), as the original's C(ss) path gives it.
          returned: always
          type: str
          sample: "0.0.0.0"
        port:
          description: The local port.
          returned: always
          type: int
          sample: 3306
        protocol:
          description: Always C(tcp) (IPv6 too, as the original).
          returned: always
          type: str
          sample: tcp
        pid:
          description: The owning process, 0 when unknown.
          returned: always
          type: int
          sample: 1223
        name:
          description: The owning process's name, empty when unknown.
          returned: always
          type: str
          sample: mysqld
        user:
          description: The owning process's effective user, empty when unknown.
          returned: always
          type: str
          sample: mysql
        stime:
          description: When the owning process started, empty when unknown.
          returned: always
          type: str
          sample: "Thu Feb  2 13:29:45 2017"
        state:
          description: The normalized state.
          returned: if O(include_non_listening=true)
          type: str
          sample: ESTABLISHED
        foreign_address:
          description:
            - The remote end as C(address:port) (IPv6 in brackets; C(*) for a listener's port).
            - C(*:*) for a dual-stack wildcard listener, as C(ss) prints it.
          returned: if O(include_non_listening=true)
          type: str
          sample: "10.80.0.1:443"
        state_native:
          description: The state as the OS's usual tool spells it (C(ss) on Linux, C(netstat) elsewhere).
          returned: always
          type: str
          sample: ESTAB
        family:
          description: C(ipv4) or C(ipv6).
          returned: always
          type: str
          sample: ipv6
        v6only:
          description:
            - For an IPv6 socket, C(true) when it is IPv6-only (C(IPV6_V6ONLY)), C(false) when dual-stack.
            - C(null) when the OS does not say (IPv4 sockets, the C(linux-proc) backend, Windows).
          returned: always
          type: bool
          sample: false
    udp_listen:
      description: Always empty; UDP is out of scope.
      returned: always
      type: list
      elements: dict
      sample: []
"""

import os
import pwd
import socket
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.sockstate.tcp.plugins.module_utils.sockstate_common import (
    dual_stack, endpoint_text, library_call, require_sockstate, sockstate)


class Processes:
    """Name, user and start time of processes, each looked up once: from
    /proc where there is one, else from ps."""

    def __init__(self, module):
        self.module = module
        self.cache = {}
        self.boot_time = None
        self.ps = None
        if os.path.isfile("/proc/stat"):
            with open("/proc/stat") as f:
                for line in f:
                    if line.startswith("btime "):
                        self.boot_time = int(line.split()[1])
        if self.boot_time is None:
            self.ps = module.get_bin_path("ps")

    def info(self, pid, known_name):
        if pid not in self.cache:
            if self.boot_time is not None:
                self.cache[pid] = self._from_proc(pid)
            else:
                self.cache[pid] = self._from_ps(pid)
            if not self.cache[pid][0] and known_name:
                self.cache[pid] = (known_name,) + self.cache[pid][1:]
        return self.cache[pid]

    def _from_proc(self, pid):
        base = "/proc/%d/" % pid
        try:
            with open(base + "comm", "rb") as f:
                name = f.read().rstrip(b"\n").decode("utf-8", "replace")
            with open(base + "status") as f:
                uid = next(int(line.split()[2]) for line in f if line.startswith("Uid:"))
            with open(base + "stat", "rb") as f:
                # Fields after the ") " that ends comm; starttime is field 22.
                rest = f.read().rsplit(b") ", 1)[1].split()
            ticks = int(rest[19])
        except (OSError, IndexError, ValueError, StopIteration):
            return ("", "", "")
        started = self.boot_time + ticks // os.sysconf("SC_CLK_TCK")
        return (name, user_name(uid), time.asctime(time.localtime(started)))

    def _from_ps(self, pid):
        if not self.ps:
            return ("", "", "")
        values = []
        for column in ("comm", "user", "lstart"):
            rc, out, _err = self.module.run_command(
                [self.ps, "-o", column + "=", "-p", str(pid)],
                environ_update={"LC_ALL": "C"})
            values.append(out.strip() if rc == 0 else "")
        return (os.path.basename(values[0]), values[1], values[2])


def user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def entries(conns, processes, include_non_listening):
    out = []
    for c in conns:
        owners = list(c.pids) if c.pids else ([c.pid] if c.pid is not None else [0])
        for pid in owners:
            if pid:
                name, user, stime = processes.info(pid, c.process if pid == c.pid else None)
            else:
                name, user, stime = "", "", ""
            # As ss (the original's usual source) prints a dual-stack
            # wildcard listener: *, peer *:*.
            both = dual_stack(c)
            entry = {
                "address": "*" if both else c.laddr.ip,
                "port": c.laddr.port,
                "protocol": "tcp",
                "pid": pid,
                "name": name,
                "user": user,
                "stime": stime,
                "state_native": c.native_state.name,
                "family": "ipv6" if c.family == socket.AF_INET6 else "ipv4",
                "v6only": c.v6only,
            }
            if include_non_listening:
                entry["state"] = c.state.value
                if both and c.raddr.port == 0:
                    entry["foreign_address"] = "*:*"
                elif c.raddr.port == 0:
                    entry["foreign_address"] = endpoint_text(c.raddr.ip, 0)[:-1] + "*"
                else:
                    entry["foreign_address"] = endpoint_text(c.raddr.ip, c.raddr.port)
            out.append(entry)
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            command=dict(type="str", choices=["netstat", "ss"]),
            include_non_listening=dict(type="bool", default=False),
            backend=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    require_sockstate(module)
    include = module.params["include_non_listening"]
    conns = library_call(module, "sockstate", sockstate.connections,
                         None if include else "LISTEN", processes=True,
                         backend=module.params["backend"])
    module.warn("sockstate_listen_ports_facts lists TCP only: UDP is out of "
                "scope of libsockstate, so udp_listen is always empty")
    module.exit_json(changed=False, ansible_facts=dict(
        tcp_listen=entries(conns, Processes(module), include),
        udp_listen=[]))


if __name__ == "__main__":
    main()
