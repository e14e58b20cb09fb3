#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 The libsockstate developers
# MIT License (see LICENSE at the top of the libsockstate source tree)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: sockstate_facts
short_description: Gather the host's TCP sockets as a "sockstate/1" snapshot
version_added: "0.1.0"
description:
  - Lists the TCP sockets of the target (IPv4 and IPv6) with libsockstate
    and sets C(ansible_facts.sockstate) to the "sockstate/1" document the
    C(sockstate --json) command and the Python function
    C(sockstate.snapshot) produce; the cross-OS report
    (C(python -m sockstate report)) reads the same document.
  - Every socket has its normalized state (RFC 9293 names such as
    C(ESTABLISHED), C(TIME_WAIT)) beside the operating system's own
    spelling (C(ESTAB) on Linux, C(LISTENING) on Windows).
  - The filters are the library's own (pushed into the kernel where it can)
    and accept the same text as the C(sockstate) command line.
  - UDP and UNIX sockets are out of scope.
author:
  - The libsockstate developers
requirements:
  - the Python package C(sockstate) with its C extension, on the target
    (C(pip install .) from the libsockstate source tree)
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
  facts:
    support: full
options:
  states:
    description:
      - Only sockets in these states. Any operating system's or tool's
        spelling is accepted (C(ESTAB), C(SYN_RCVD), C(LISTENING),
        C(TimeWait), C(0A)...); C(all) adds C(BOUND).
      - Default is every state but C(BOUND), as C(ss -tan) lists them.
    type: list
    elements: str
  port:
    description: Only sockets with this port on either end.
    type: int
  sport:
    description: Only sockets with this local port.
    type: int
  dport:
    description: Only sockets with this remote port.
    type: int
  laddr:
    description: Only sockets whose local address is in this address or prefix (C(10.0.0.0/8), C(::1)).
    type: str
  raddr:
    description: Only sockets whose remote address is in this address or prefix.
    type: str
  addr:
    description:
      - Only sockets with either address in this address or prefix. An IPv4
        prefix also matches IPv4-mapped IPv6 sockets.
    type: str
  pid:
    description: Only sockets owned by this process.
    type: int
  uid:
    description: Only sockets of this user id.
    type: int
  family:
    description: Only IPv4 or only IPv6 sockets.
    type: str
    choices: [ipv4, ipv6]
  processes:
    description:
      - Map owners (C(pid), C(pids), C(process)). Seeing other users'
        processes needs root (C(become)).
    type: bool
    default: true
  tcp_info:
    description: Add TCP internals (rtt, retransmits, cwnd) where the backend has them (Linux netlink).
    type: bool
    default: false
  findings:
    description:
      - Add what C(python -m sockstate snapshot) adds for the cross-OS
        report, the kernel's TCP counters (C(tcp_counters)) and the
        host-wide findings of the library's diagnose (C(findings), texts in
        every language; docs/DIAGNOSE.md), so the report lists each host's
        findings.
    type: bool
    default: false
  sort:
    description: Sort the sockets; default is the order the operating system returned them.
    type: str
    choices: [state, local, remote, pid, process]
  backend:
    description:
      - The backend to use (C(linux-netlink), C(linux-proc), C(freebsd-sysctl),
        C(macos-sysctl), C(windows-iphlpapi)); default the best one available.
    type: str
  pid_source:
    description: How owners are mapped on Linux (C(bpf) needs root and a BPF-capable kernel).
    type: str
    choices: [auto, bpf, procfs]
    default: auto
  netns:
    description:
      - A Linux network namespace to list instead of the module's own, as
        a name under C(/run/netns), a path, or C(pid:PID). Needs root.
    type: str
notes:
  - The target needs the Python package C(sockstate); without it the task
    fails saying so.
  - With O(processes), owners of other users' sockets are only readable by
    root (C(become)); without it the module warns how many sockets have an
    owner it could not read, and the document says so in
    C(owners_unreadable).
  - Windows targets run PowerShell modules, not Python ones; use the
    C(sockstate.exe --json) command there (M(ansible.windows.win_command))
    and read its output with C(from_json).
seealso:
  - module: sockstate.tcp.sockstate_listen_ports_facts
  - module: sockstate.tcp.sockstate_check
  - module: sockstate.tcp.sockstate_wait
"""

EXAMPLES = r"""
- name: Gather every TCP socket with its owner
  become: true
  sockstate.tcp.sockstate_facts:

- name: How many connections wait for the application to close them
  ansible.builtin.debug:
    msg: "{{ ansible_facts.sockstate.counts.CLOSE_WAIT | default(0) }}"

- name: Only the sockets of port 443 in SYN-RECV (any OS's spelling)
  sockstate.tcp.sockstate_facts:
    port: 443
    states: [SYN-RECV]

- name: Save the snapshot for the cross-OS report
  ansible.builtin.copy:
    content: "{{ ansible_facts.sockstate | to_json }}"
    dest: "reports/{{ inventory_hostname }}.json"
  delegate_to: localhost
"""

RETURN = r"""
ansible_facts:
  description: Facts to add to C(ansible_facts).
  returned: always
  type: complex
  contains:
    sockstate:
      description:
        - The "sockstate/1" document (its JSON Schema is
          C(docs/schema/sockstate-1.json) in the libsockstate sources).
          Unknown values are null.
      returned: always
      type: complex
      contains:
        schema:
          description: Always C(sockstate/1).
          type: str
          returned: always
          sample: sockstate/1
        host:
          description: The host name.
          type: str
          returned: always
          sample: web-1
        os:
          description: name, release, version and machine of the operating system.
          type: dict
          returned: always
          sample: {"name": "Linux", "release": "6.1.0", "version": "#1 SMP", "machine": "x86_64"}
        backend:
          description: How the sockets were read.
          type: str
          returned: always
          sample: linux-netlink
        library_version:
          description: The version of libsockstate.
          type: str
          returned: always
          sample: 0.1.0
        taken_at:
          description: When, in UTC.
          type: str
          returned: always
          sample: "2026-11-24T15:00:00Z"
        pid_source:
          description: How owners were mapped, null without O(processes).
          type: str
          returned: always
          sample: procfs
        total:
          description: The number of sockets.
          type: int
          returned: always
          sample: 2
        counts:
          description: Sockets per normalized state (only states that have some).
          type: dict
          returned: always
          sample: {"LISTEN": 1, "ESTABLISHED": 1}
        sockets:
          description: One entry per socket.
          type: list
          elements: dict
          returned: always
          sample:
            - family: ipv4
              local: {"address": "127.0.0.1", "port": 22}
              remote: {"address": "0.0.0.0", "port": 0}
              state: LISTEN
              native_state: {"code": 10, "name": "LISTEN"}
              pid: 1234
              pids: [1234]
              process: sshd
              uid: 0
              inode: 12345
              rx_queue: 0
              tx_queue: 128
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.sockstate.tcp.plugins.module_utils.sockstate_common import (
    FILTER_ARGS, HANDLE_ARGS, library_call, require_sockstate, sockstate)


def main():
    argument_spec = dict(FILTER_ARGS)
    argument_spec.update(HANDLE_ARGS)
    argument_spec.update(
        processes=dict(type="bool", default=True),
        tcp_info=dict(type="bool", default=False),
        findings=dict(type="bool", default=False),
        sort=dict(type="str", choices=["state", "local", "remote", "pid", "process"]),
        pid_source=dict(type="str", choices=["auto", "bpf", "procfs"], default="auto"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    require_sockstate(module)
    p = module.params

    pid_source = None if p["pid_source"] == "auto" else p["pid_source"]
    doc = library_call(
        module, "sockstate", sockstate.snapshot,
        ",".join(p["states"]) if p["states"] else None,
        port=p["port"], sport=p["sport"], dport=p["dport"], laddr=p["laddr"],
        raddr=p["raddr"], addr=p["addr"], pid=p["pid"], uid=p["uid"],
        family=p["family"], processes=p["processes"], tcp_info=p["tcp_info"],
        sort=p["sort"], findings=p["findings"], backend=p["backend"],
        pid_source=pid_source, netns=p["netns"])
    module.exit_json(changed=False, ansible_facts=dict(sockstate=doc))


if __name__ == "__main__":
    main()
