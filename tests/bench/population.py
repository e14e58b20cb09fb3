#!/usr/bin/env python3
"""population - hold N loopback TCP sockets in a private network namespace.

  population.py hold N [--workers W]          control on stdin/stdout (run.py)
  population.py run N [--workers W] -- CMD ARGS...
  population.py plan N                        print the plan, touch nothing

Makes a network namespace of its own (unshare(CLONE_NEWNET), so root),
brings lo up, and has W worker processes (at least 4; more when the file
descriptors need it: RLIMIT_NOFILE is capped at 20000 per process) hold
exactly N TCP sockets on 127.0.x.y and ::1, about:

  LISTEN        9 per worker (6 IPv4 on 127.0.W.1-6, 3 IPv6 on ::1)
  ESTABLISHED   50% of the rest (both ends of each connection held)
  CLOSE_WAIT    10%  } one connection whose client shut its side down:
  FIN_WAIT_2    10%  } both ends held, so neither state times out
  TIME_WAIT     30%  (both ends closed; the client end lingers, no fd)

A third of the connections are IPv6. Each worker has its own listener
ports (2000 + 20*W + i), and connections are spread over them, so no
destination needs more than a fraction of the ephemeral ports (whose range
is widened to 10000-65535 inside the namespace; TIME_WAIT reuse is off
there, so the kernel never recycles one of ours).

Readiness is a handshake, never a sleep: each worker answers once its
sockets exist, then the holder counts the namespace's sockets per state
with `ss -tan` until they are exactly the plan (transitions on loopback
finish within microseconds; a count that never matches is an error).

`hold` prints one line `ready {json}` (the counts, the namespace path
/proc/PID/ns/net, the filter port and how many sockets it matches) and
then reads commands on stdin, one per line:
  renew    TIME_WAIT lasts 60 s (fixed in the kernel): destroy ours
           (`ss -K`, SOCK_DESTROY) and make them anew, then `ready {json}`
  quit     (or end of input) tear everything down and exit 0.
`run` holds the population, runs CMD inside the namespace with
POPULATION_NETNS, POPULATION_PORT and POPULATION_JSON set, tears down and
exits with CMD's status.

Exit status: 0, CMD's status; 1 the population could not be made; 2 bad
usage; 77 no namespace can be made here (not root). Python 3 standard
library only; Linux; needs `ss` (iproute2).
"""

import argparse
import fcntl
import json
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_SKIP = 77

MIN_WORKERS = 4
# Per worker, under RLIMIT_NOFILE (20000 here) with room for the
# interpreter's own descriptors and the two ends of a TIME_WAIT in the
# making.
FD_BUDGET = 18000
V4_LISTENERS = 6
V6_LISTENERS = 3
PORT_BASE = 2000
PORT_STRIDE = 20
EPHEMERAL_RANGE = "10000 65535"
SETTLE_TIMEOUT = 30.0

NETNS_SYSCTLS = {
    "net/ipv4/ip_local_port_range": EPHEMERAL_RANGE,
    # 2 (the default) lets a new loopback connection take over one of our
    # TIME_WAIT 4-tuples, which would silently shrink the population.
    "net/ipv4/tcp_tw_reuse": "0",
}

# ss -tan spellings of the states the plan holds.
SS_STATE = {
    "LISTEN": "LISTEN",
    "ESTAB": "ESTABLISHED",
    "CLOSE-WAIT": "CLOSE_WAIT",
    "FIN-WAIT-2": "FIN_WAIT_2",
    "TIME-WAIT": "TIME_WAIT",
}


class Failed(Exception):
    """The population could not be made or kept."""


class Skip(Exception):
    """No private network namespace here."""


def say(text):
    sys.stderr.write("population: %s\n" % text)
    sys.stderr.flush()


# ------------------------------------------------------------------ plan

def split(total, parts):
    """total as `parts` integers that differ by at most one."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def make_plan(n, workers=None):
    """How many sockets of each kind, and which worker holds which."""
    per_worker_listeners = V4_LISTENERS + V6_LISTENERS
    if workers is None:
        workers = MIN_WORKERS
        while True:
            listeners = workers * per_worker_listeners
            rest = max(0, n - listeners)
            fds = listeners + 2 * round(rest * 0.25) + 2 * round(rest * 0.10)
            if fds <= workers * FD_BUDGET:
                break
            workers += 1
    listeners = workers * per_worker_listeners
    if n < listeners:
        raise Failed("%d sockets are fewer than the %d listeners of %d workers"
                     % (n, listeners, workers))
    rest = n - listeners
    established = round(rest * 0.25)   # connections: two sockets each
    half_closed = round(rest * 0.10)   # connections: CLOSE_WAIT + FIN_WAIT_2
    time_wait = rest - 2 * established - 2 * half_closed
    plan = {
        "sockets": n,
        "workers": workers,
        "listeners": listeners,
        "established": established,
        "half_closed": half_closed,
        "time_wait": time_wait,
        "expect": {
            "LISTEN": listeners,
            "ESTABLISHED": 2 * established,
            "CLOSE_WAIT": half_closed,
            "FIN_WAIT_2": half_closed,
            "TIME_WAIT": time_wait,
        },
        # The first IPv4 listener of worker 0: what port filters ask for.
        "filter_port": PORT_BASE,
        "per_worker": [],
    }
    e, h, t = (split(x, workers) for x in (established, half_closed, time_wait))
    for w in range(workers):
        plan["per_worker"].append({
            "established": e[w], "half_closed": h[w], "time_wait": t[w],
            "fds": per_worker_listeners + 2 * e[w] + 2 * h[w],
        })
    for w in plan["per_worker"]:
        if w["fds"] > FD_BUDGET:
            raise Failed("a worker would hold %d descriptors (budget %d): use more "
                         "workers" % (w["fds"], FD_BUDGET))
    return plan


def listener_addresses(w):
    """(family, address, port) of worker w's listeners."""
    base = PORT_BASE + PORT_STRIDE * w
    out = [(socket.AF_INET, "127.0.%d.%d" % (w, i + 1), base + i)
           for i in range(V4_LISTENERS)]
    out += [(socket.AF_INET6, "::1", base + 10 + i) for i in range(V6_LISTENERS)]
    return out


# ------------------------------------------------------------- namespace

def libc():
    import ctypes
    return ctypes, ctypes.CDLL(None, use_errno=True)


def enter_private_netns():
    try:
        ctypes, c = libc()
    except (ImportError, OSError) as e:
        raise Skip("no ctypes for unshare(2): %s" % e)
    if c.unshare(CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise Skip("unshare(CLONE_NEWNET): %s%s" % (
            os.strerror(err), "" if os.geteuid() == 0 else " (not root)"))


def loopback_up():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s.fileno(), SIOCGIFFLAGS, req))[1]
        fcntl.ioctl(s.fileno(), SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


def set_sysctls():
    for key, value in NETNS_SYSCTLS.items():
        with open("/proc/sys/" + key, "w") as f:
            f.write(value)


def set_name(name):
    try:
        _, c = libc()
        c.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)
    except (ImportError, OSError):
        pass


# ---------------------------------------------------------------- worker

class Worker:
    """Runs in a forked child: holds its share of the sockets."""

    def __init__(self, index, share):
        self.index = index
        self.share = share
        self.listeners = []      # (family, sock)
        self.held = []           # every socket kept open
        self.counter = 0         # spreads connections over listeners

    def listen(self):
        for family, address, port in listener_addresses(self.index):
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((address, port))
            s.listen(4096)
            self.listeners.append((family, address, port, s))
            self.held.append(s)

    def connect(self):
        """One connection to the next listener (every third IPv6):
        (client, server) sockets."""
        i = self.counter
        self.counter += 1
        v4 = [x for x in self.listeners if x[0] == socket.AF_INET]
        v6 = [x for x in self.listeners if x[0] == socket.AF_INET6]
        family, address, port, lsock = (v6[(i // 3) % len(v6)] if i % 3 == 2
                                        else v4[i % len(v4)])
        c = socket.socket(family, socket.SOCK_STREAM)
        c.connect((address, port))
        s, _ = lsock.accept()
        return c, s

    def build(self):
        self.listen()
        for _ in range(self.share["established"]):
            self.held.extend(self.connect())
        for _ in range(self.share["half_closed"]):
            c, s = self.connect()
            # The client's FIN is acked at once: FIN_WAIT_2 here,
            # CLOSE_WAIT at the server; neither times out while held.
            c.shutdown(socket.SHUT_WR)
            self.held.extend((c, s))
        self.time_wait(self.share["time_wait"])

    def time_wait(self, count):
        for _ in range(count):
            c, s = self.connect()
            # Client first: it ends in TIME_WAIT, the server end goes
            # through LAST_ACK to nothing.
            c.close()
            s.close()

    def serve(self, rfd, wfd):
        cmds = os.fdopen(rfd, "r")
        out = os.fdopen(wfd, "w")
        for line in cmds:
            word = line.split()
            try:
                if word == ["build"]:
                    self.build()
                elif len(word) == 2 and word[0] == "tw":
                    self.time_wait(int(word[1]))
                elif word == ["quit"]:
                    break
                else:
                    raise ValueError("unknown command %r" % line)
                out.write("ok\n")
            except (OSError, ValueError) as e:
                out.write("error worker %d: %s\n" % (self.index, e))
            out.flush()
        for s in self.held:
            s.close()


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def start_worker(index, share, siblings):
    cmd_r, cmd_w = os.pipe()
    ans_r, ans_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            os.close(cmd_w)
            os.close(ans_r)
            for other in siblings:
                other["cmd"].close()
                other["ans"].close()
            _, c = libc()
            c.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() == 1:
                os._exit(1)
            set_name("bench-holder-%d" % index)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            raise_nofile()
            Worker(index, share).serve(cmd_r, ans_w)
        except BaseException as e:  # noqa: B902 - the child must not return
            say("worker %d: %s" % (index, e))
            status = 1
        os._exit(status)
    os.close(cmd_r)
    os.close(ans_w)
    return {"pid": pid, "cmd": os.fdopen(cmd_w, "w"), "ans": os.fdopen(ans_r, "r")}


# ---------------------------------------------------------------- holder

def ss_census(filter_port):
    """Sockets per state (our names; others under their ss name) and how
    many have filter_port on either side, from `ss -tan`."""
    out = subprocess.run(["ss", "-tanH"], check=True, capture_output=True,
                         text=True).stdout
    counts = {}
    port_matches = 0
    suffix = ":%d" % filter_port
    for line in out.splitlines():
        f = line.split()
        if len(f) < 5:
            continue
        state = SS_STATE.get(f[0], f[0])
        counts[state] = counts.get(state, 0) + 1
        if f[3].endswith(suffix) or f[4].endswith(suffix):
            port_matches += 1
    return counts, port_matches


class Holder:
    def __init__(self, plan):
        self.plan = plan
        self.workers = []
        self.time_wait_made = None
        self.census = None

    def ask_all(self, commands):
        for w, cmd in zip(self.workers, commands):
            w["cmd"].write(cmd + "\n")
            w["cmd"].flush()
        errors = []
        for w in self.workers:
            answer = w["ans"].readline()
            if answer != "ok\n":
                errors.append(answer.strip() or "worker %d ended" % w["pid"])
        if errors:
            raise Failed("; ".join(errors))

    def settle(self):
        """Wait until the namespace holds exactly the plan's sockets."""
        expect = self.plan["expect"]
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while True:
            counts, matches = ss_census(self.plan["filter_port"])
            if counts == expect:
                self.census = {"by_state": counts, "port_matches": matches}
                return
            if time.monotonic() > deadline:
                raise Failed("the namespace holds %s, not %s" % (counts, expect))
            time.sleep(0.01)  # polling a condition, not waiting blindly

    def build(self):
        enter_private_netns()
        loopback_up()
        set_sysctls()
        for w, share in enumerate(self.plan["per_worker"]):
            self.workers.append(start_worker(w, share, self.workers))
        self.ask_all(["build"] * len(self.workers))
        self.time_wait_made = time.monotonic()
        self.settle()

    def renew(self):
        """Replace every TIME_WAIT socket with a fresh one."""
        subprocess.run(["ss", "-K", "-tan", "state", "time-wait"], check=True,
                       stdout=subprocess.DEVNULL)
        counts, _ = ss_census(self.plan["filter_port"])
        if counts.get("TIME_WAIT", 0):
            raise Failed("ss -K left %d TIME_WAIT sockets (no SOCK_DESTROY in this "
                         "kernel?)" % counts["TIME_WAIT"])
        self.ask_all(["tw %d" % w["time_wait"] for w in self.plan["per_worker"]])
        self.time_wait_made = time.monotonic()
        self.settle()

    def facts(self):
        return {
            "sockets": self.plan["sockets"],
            "by_state": self.census["by_state"],
            "workers": [w["pid"] for w in self.workers],
            "holder": os.getpid(),
            "netns": "/proc/%d/ns/net" % os.getpid(),
            "filter_port": self.plan["filter_port"],
            "port_matches": self.census["port_matches"],
        }

    def teardown(self):
        for w in self.workers:
            try:
                w["cmd"].write("quit\n")
                w["cmd"].close()
            except OSError:
                pass
        for w in self.workers:
            try:
                os.waitpid(w["pid"], 0)
            except ChildProcessError:
                pass
        self.workers = []


def cmd_hold(args):
    plan = make_plan(args.sockets, args.workers)
    holder = Holder(plan)
    try:
        holder.build()
        print("ready " + json.dumps(holder.facts()), flush=True)
        for line in sys.stdin:
            word = line.strip()
            if word == "renew":
                holder.renew()
                print("ready " + json.dumps(holder.facts()), flush=True)
            elif word == "quit":
                break
            elif word:
                print("error unknown command %r" % word, flush=True)
    finally:
        holder.teardown()
    return 0


def cmd_run(args):
    if not args.command:
        say("run: no command given")
        return EXIT_USAGE
    plan = make_plan(args.sockets, args.workers)
    holder = Holder(plan)
    try:
        holder.build()
        facts = holder.facts()
        env = dict(os.environ, POPULATION_NETNS=facts["netns"],
                   POPULATION_PORT=str(facts["filter_port"]),
                   POPULATION_JSON=json.dumps(facts))
        say("holding %s; running %s" % (json.dumps(facts["by_state"]),
                                       " ".join(args.command)))
        rc = subprocess.run(args.command, env=env).returncode
    finally:
        holder.teardown()
    return 128 - rc if rc < 0 else rc


def main(argv):
    p = argparse.ArgumentParser(description="Hold N loopback TCP sockets in a "
                                "private network namespace (benchmarks).")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("hold", "run", "plan"):
        s = sub.add_parser(name)
        s.add_argument("sockets", type=int)
        s.add_argument("--workers", type=int, default=None)
        if name == "run":
            s.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    if args.cmd == "run" and args.command[:1] == ["--"]:
        args.command = args.command[1:]
    try:
        if args.cmd == "plan":
            print(json.dumps(make_plan(args.sockets, args.workers), indent=1))
            return 0
        if args.cmd == "hold":
            return cmd_hold(args)
        return cmd_run(args)
    except Skip as e:
        say("cannot make a network namespace here: %s" % e)
        return EXIT_SKIP
    except (Failed, OSError, subprocess.CalledProcessError) as e:
        say(str(e))
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
