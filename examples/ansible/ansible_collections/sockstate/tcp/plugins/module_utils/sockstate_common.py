# -*- coding: utf-8 -*-
# Copyright (c) 2026 The libsockstate developers
# MIT License (see LICENSE at the top of the libsockstate source tree)
"""What the sockstate.tcp modules share: the import guard for the Python
package ``sockstate`` on the target, state and host parsing, and the words
used to describe a socket in results and failure messages."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import socket
import traceback
import warnings

from ansible.module_utils.basic import missing_required_lib

SOCKSTATE_IMPORT_ERROR = None
try:
    import sockstate
    # The package imports without its C extension (for the report); the
    # modules need the extension, which backends() loads.
    sockstate.backends()
except ImportError:
    sockstate = None
    SOCKSTATE_IMPORT_ERROR = traceback.format_exc()

# The filter options sockstate_facts shares with the library (one parser:
# the same text is accepted and refused as by the sockstate command line).
FILTER_ARGS = dict(
    states=dict(type="list", elements="str"),
    port=dict(type="int"),
    sport=dict(type="int"),
    dport=dict(type="int"),
    laddr=dict(type="str"),
    raddr=dict(type="str"),
    addr=dict(type="str"),
    pid=dict(type="int"),
    uid=dict(type="int"),
    family=dict(type="str", choices=["ipv4", "ipv6"]),
)

HANDLE_ARGS = dict(
    backend=dict(type="str"),
    netns=dict(type="str"),
)


def require_sockstate(module):
    """Fail the task, as Ansible modules do, when the target lacks the
    package (or its C extension)."""
    if sockstate is None:
        module.fail_json(msg=missing_required_lib("sockstate"),
                         exception=SOCKSTATE_IMPORT_ERROR)


def library_call(module, what, fn, *args, **kwargs):
    """fn(*args, **kwargs); a library error fails the task with the
    library's one-line message, and the library's warning that some
    owners could not be read (another user's processes, without become)
    becomes the module's warning."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", sockstate.OwnersUnreadable)
            result = fn(*args, **kwargs)
    except sockstate.Error as e:
        module.fail_json(msg="%s: %s" % (what, e), error=getattr(e, "name", None))
    except ValueError as e:
        module.fail_json(msg="%s: %s" % (what, e))
    for w in caught:
        if issubclass(w.category, sockstate.OwnersUnreadable):
            module.warn("%s: %s" % (what, w.message))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result


def parse_state(module, option, text):
    """The normalized State for any OS's spelling, or fail naming option."""
    try:
        return sockstate.State.parse(text)
    except ValueError:
        module.fail_json(msg="%s: unknown TCP state name %r (any OS's spelling is "
                             "accepted: ESTAB, SYN_RCVD, LISTENING, TimeWait...)"
                             % (option, text))


def parse_states(module, option, texts):
    """A list of States, duplicates dropped, in the order given."""
    out = []
    for text in texts or []:
        s = parse_state(module, option, text)
        if s not in out:
            out.append(s)
    return out


def resolve_host(module, option, host):
    """The IP addresses host names (itself if it is one), or fail."""
    try:
        return [ipaddress.ip_address(host.split("%", 1)[0])]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, 0, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as e:
        module.fail_json(msg="%s: cannot resolve %r: %s" % (option, host, e))
    out = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if ip not in out:
            out.append(ip)
    return out


def networks(module, option, hosts):
    """IP networks for a list of addresses, prefixes (10.0.0.0/8) or host
    names (resolved)."""
    out = []
    for host in hosts or []:
        try:
            out.append(ipaddress.ip_network(host.split("%", 1)[0], strict=False))
            continue
        except ValueError:
            pass
        for ip in resolve_host(module, option, host):
            out.append(ipaddress.ip_network(ip))
    return out


def plain_ip(text):
    """An ipaddress object for an address as the library prints it
    (zone dropped; IPv4-mapped IPv6 turned into its IPv4 address)."""
    ip = ipaddress.ip_address(text.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def in_networks(text, nets):
    ip = plain_ip(text)
    return any(ip.version == n.version and ip in n for n in nets)


def is_wildcard(text):
    return plain_ip(text).is_unspecified


def dual_stack(c):
    """Is c an IPv6 wildcard listener known to answer IPv4 too (not
    IPV6_V6ONLY)? None of its v6only means the OS did not say."""
    return c.family == socket.AF_INET6 and c.v6only is False and is_wildcard(c.laddr.ip)


def listener_serves(c, ips):
    """Does the listener c accept connections to one of ips?

    The same address, or a wildcard of its family; a listener on :: also
    serves IPv4 addresses when it is known to be dual-stack (its v6only
    False): an IPV6_V6ONLY one does not, and one whose v6only the OS did
    not say (None) is not counted for IPv4."""
    lip = ipaddress.ip_address(c.laddr.ip.split("%", 1)[0])
    for ip in ips:
        ip = plain_ip(str(ip))
        if lip.is_unspecified and lip.version == ip.version:
            return True
        if ip.version == 4 and dual_stack(c):
            return True
        if plain_ip(c.laddr.ip) == ip:
            return True
    return False


def endpoint_text(address, port):
    """address:port, IPv6 in brackets, as ss prints it."""
    if ":" in address:
        return "[%s]:%d" % (address, port)
    return "%s:%d" % (address, port)


def local_text(c):
    """c's local end as ss prints it: a dual-stack wildcard listener is
    *:PORT, an IPv6-only one [::]:PORT."""
    if dual_stack(c):
        return "*:%d" % c.laddr.port
    return endpoint_text(c.laddr.ip, c.laddr.port)


def owner_text(c):
    if c.pid is None:
        return "no process"
    if c.process:
        return "pid %d %s" % (c.pid, c.process)
    return "pid %d" % c.pid


def describe(c):
    """One socket in words: local -> remote STATE (owner); a listener
    (or a bound socket) without a peer is just local STATE (owner)."""
    local = local_text(c)
    if c.raddr.port == 0 and is_wildcard(c.raddr.ip):
        return "%s %s (%s)" % (local, c.state.value, owner_text(c))
    return "%s -> %s %s (%s)" % (local, endpoint_text(c.raddr.ip, c.raddr.port),
                                 c.state.value, owner_text(c))


def describe_some(conns, limit=10):
    """Up to limit sockets described, '; '-separated, with how many more."""
    words = [describe(c) for c in conns[:limit]]
    if len(conns) > limit:
        words.append("and %d more" % (len(conns) - limit))
    return "; ".join(words)


def conn_dict(c):
    """One Connection as a sockstate/1 socket (the keys a result shows)."""
    family = "ipv6" if c.family == socket.AF_INET6 else "ipv4"
    return {
        "family": family,
        "local": {"address": c.laddr.ip, "port": c.laddr.port},
        "remote": {"address": c.raddr.ip, "port": c.raddr.port},
        "state": c.state.value,
        "native_state": {"code": c.native_state.code, "name": c.native_state.name},
        "pid": c.pid,
        "pids": list(c.pids) if c.pids is not None else None,
        "process": c.process,
        "uid": c.uid,
        "v6only": c.v6only,
    }


def state_tally(conns):
    """'2 CLOSE_WAIT, 1 SYN_RECEIVED': the states of conns, most first."""
    tally = {}
    for c in conns:
        tally[c.state.value] = tally.get(c.state.value, 0) + 1
    return ", ".join("%d %s" % (n, s) for s, n in
                     sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])))
