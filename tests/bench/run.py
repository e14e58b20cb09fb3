#!/usr/bin/env python3
"""run - libsockstate against ss, netstat, psutil and the kernel floor.

  tests/bench/run.py [--build DIR] [--sizes 1000,10000,50000,100000]
                     [--reps N] [--output FILE] [--json FILE] [--quick]

For each size N, population.py holds N loopback TCP sockets in a private
network namespace; this process joins that namespace (setns) and measures,
side by side in the same run:

  whole processes  wall time, CPU time and peak RSS (bench_spawn) of
                   bench_floor, ss -tan, ss -tanp, netstat -tan and the
                   sockstate CLI (table, --json, summary, -p per pid
                   source, --port P), round robin, the order rotated each
                   round, medians;
  in-process (C)   bench_floor and bench_lib (foreach, snapshot, count,
                   --port P, -p per pid source): one handle or socket,
                   repeated queries, medians of the per-query times;
  in-process (Py)  bench_py.py: sockstate.connections() / counts() against
                   psutil.net_connections('tcp'), medians.

It writes the tables (ratios, machine facts, date) between the markers of
docs/BENCHMARKS.md, keeping the hand-written text around them, and with
--json the raw numbers. Timings are never assertions: nothing here fails
on a slow result. Root only (namespaces); exit 77 when it cannot make one,
2 on bad usage, 1 when a measured program fails.
Python 3 standard library only.
"""

import argparse
import ctypes
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLONE_NEWNET = 0x40000000

BEGIN = "<!-- BEGIN GENERATED: tests/bench/run.py writes from here -->"
END = "<!-- END GENERATED -->"

# TIME_WAIT lasts 60 s; renew it before a unit of work when older than
# this (no unit takes longer than the rest of the minute).
TIME_WAIT_MAX_AGE = 25.0

# Targets at 50k sockets (issue 8, DESIGN.md).
TARGETS = {
    "streaming": 1.2, "table": 0.8, "pids_procfs": 0.7, "pids_bpf": 0.15,
    "port": 0.3, "counts_growth_kib": 1024, "snapshot_bytes": 168,
    "py_connections": 10.0, "py_counts": 30.0, "py_counts_honest": 20.0,
    # issue 25: psutil's shape at our speed
    "py_psutil_shape": 1.1,
}


class Usage(Exception):
    pass


class Skip(Exception):
    pass


class Broken(Exception):
    """A measured program failed."""


def say(text):
    sys.stderr.write("bench: %s\n" % text)
    sys.stderr.flush()


# ------------------------------------------------------------------ tools

def tool_paths(args):
    build = os.path.abspath(args.build)
    bench_dir = os.path.abspath(args.bench_dir or os.path.join(build, "tests", "bench"))
    t = {
        "build": build,
        "cli": os.path.abspath(args.cli or os.path.join(build, "sockstate")),
        "floor": os.path.join(bench_dir, "bench_floor"),
        "lib": os.path.join(bench_dir, "bench_lib"),
        "spawn": os.path.join(bench_dir, "bench_spawn"),
        "pairs": os.path.join(bench_dir, "bench_pairs"),
        "ss": shutil.which("ss"),
        "netstat": shutil.which("netstat"),
        "python": args.python,
        "python_path": args.python_path,
    }
    for key in ("cli", "floor", "lib", "spawn", "pairs"):
        if not os.access(t[key], os.X_OK):
            raise Usage("%s not found: build first (cmake --build %s; the bench "
                        "programs come from tests/bench/CMakeLists.txt)" % (t[key], build))
    if not t["ss"]:
        raise Usage("ss not found (Debian: iproute2)")
    if t["python_path"] is None:
        candidate = os.path.join(build, "python")
        t["python_path"] = candidate if os.path.isdir(candidate) else ""
    return t


def run_text(argv, **kw):
    try:
        return subprocess.run(argv, capture_output=True, text=True, **kw).stdout.strip()
    except OSError:
        return ""


def machine_facts(t):
    def first_line(path, key=None):
        try:
            with open(path) as f:
                for line in f:
                    if key is None or line.startswith(key):
                        return line.split(":", 1)[-1].strip() if key else line.strip()
        except OSError:
            pass
        return ""

    os_name = ""
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    mem_kib = first_line("/proc/meminfo", "MemTotal").split()[0:1]
    cache = {}
    try:
        with open(os.path.join(t["build"], "CMakeCache.txt")) as f:
            for line in f:
                for key in ("CMAKE_BUILD_TYPE:", "CMAKE_C_COMPILER:"):
                    if line.startswith(key):
                        cache[key[:-1]] = line.split("=", 1)[1].strip()
    except OSError:
        pass
    compiler = cache.get("CMAKE_C_COMPILER", "cc")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": first_line("/proc/cpuinfo", "model name") or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem_kib[0]) / 1048576, 1) if mem_kib else None,
        "kernel": platform.release(),
        "os": os_name,
        "build_type": cache.get("CMAKE_BUILD_TYPE", "?"),
        "compiler": run_text([compiler, "--version"]).splitlines()[0:1],
        "sockstate": run_text([t["cli"], "--version"]),
        "ss": run_text([t["ss"], "-V"]),
        "netstat": (run_text([t["netstat"], "-V"]).splitlines() or [""])[0]
        if t["netstat"] else None,
        "load_start": os.getloadavg(),
    }


# -------------------------------------------------------------- namespace

class Namespace:
    """setns(2) into the population's network namespace and back."""

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)

    def _setns(self, fd):
        if self.libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise Skip("setns(CLONE_NEWNET): %s" % os.strerror(err))

    def enter(self, path):
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            self._setns(fd)
        finally:
            os.close(fd)

    def leave(self):
        self._setns(self.home)


class Population:
    """population.py hold N (the mixed population), or bench_pairs hold N
    (established pairs: the million), as a child we talk to over a pipe."""

    def __init__(self, n, ns, pairs_tool=None):
        self.n = n
        self.ns = ns
        argv = ([pairs_tool, "hold", str(n)] if pairs_tool else
                [sys.executable, os.path.join(HERE, "population.py"), "hold", str(n)])
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.facts = self._ready()
        self.fresh_at = time.monotonic()
        self.renewals = 0
        ns.enter(self.facts["netns"])

    def _ready(self):
        line = self.proc.stdout.readline()
        if not line.startswith("ready "):
            code = self.proc.wait()
            if code == 77:
                raise Skip("cannot make a network namespace for the population")
            raise Broken("the population of %d failed (exit %d)" % (self.n, code))
        return json.loads(line[len("ready "):])

    def ensure_fresh(self):
        if time.monotonic() - self.fresh_at < TIME_WAIT_MAX_AGE:
            return
        self.proc.stdin.write("renew\n")
        self.proc.stdin.flush()
        self.facts = self._ready()
        self.fresh_at = time.monotonic()
        self.renewals += 1

    def close(self):
        self.ns.leave()
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait()


# ------------------------------------------------------------ measuring

def spawn_timed(t, argv, env=None):
    """Wall seconds, CPU seconds, peak RSS (KiB) and exit status of one
    run of argv, measured by bench_spawn (stdin, stdout, stderr
    /dev/null)."""
    r = run_json([t["spawn"]] + argv, env=env)
    return r["wall_s"], r["cpu_s"], r["maxrss_kib"], r["status"]


def check_runs(argv, env=None):
    """Run once with output captured: (ok, lines of stdout, stderr)."""
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    return p.returncode == 0, p.stdout.count("\n"), p.stderr.strip()


def whole_process_commands(t, port, bpf):
    cli, ss = t["cli"], t["ss"]
    cmds = [
        ("floor", "bench_floor (one dump, counts only)", [t["floor"]]),
        ("ss", "ss -tan", [ss, "-tan"]),
        ("table", "sockstate", [cli]),
        ("json", "sockstate --json", [cli, "--json"]),
        ("summary", "sockstate summary", [cli, "summary"]),
        ("port", "sockstate --port P", [cli, "--port", str(port)]),
        ("ss_port", "ss -tan '( sport = :P or dport = :P )'",
         [ss, "-tan", "( sport = :%d or dport = :%d )" % (port, port)]),
        ("ssp", "ss -tanp", [ss, "-tanp"]),
        ("pids_procfs", "sockstate -p --pid-source procfs",
         [cli, "-p", "--pid-source", "procfs"]),
    ]
    if bpf:
        cmds.append(("pids_bpf", "sockstate -p --pid-source bpf",
                     [cli, "-p", "--pid-source", "bpf"]))
    if t["netstat"]:
        cmds.insert(4, ("netstat", "netstat -tan", [t["netstat"], "-tan"]))
    return cmds


def measure_whole(pop, t, reps, bpf, cmds=None, env=None):
    if cmds is None:
        cmds = whole_process_commands(t, pop.facts["filter_port"], bpf)
    out = {}
    for key, label, argv in cmds:
        ok, lines, err = check_runs(argv, env=env)  # also the warm-up
        if not ok:
            raise Broken("%s failed: %s" % (" ".join(argv), err))
        out[key] = {"label": label, "argv": argv, "lines": lines,
                    "seconds": [], "cpu_seconds": [], "maxrss_kib": []}
    for rep in range(reps):
        pop.ensure_fresh()
        shift = rep % len(cmds)
        for key, _, argv in cmds[shift:] + cmds[:shift]:
            wall, cpu, rss, code = spawn_timed(t, argv, env)
            if code != 0:
                raise Broken("%s exited %d" % (" ".join(argv), code))
            out[key]["seconds"].append(wall)
            out[key]["cpu_seconds"].append(cpu)
            out[key]["maxrss_kib"].append(rss)
    for r in out.values():
        r["median_s"] = statistics.median(r["seconds"])
        r["min_s"] = min(r["seconds"])
        r["cpu_median_s"] = statistics.median(r["cpu_seconds"])
        r["maxrss_kib"] = max(r["maxrss_kib"])
    return out


def in_process_programs(t, port, bpf):
    floor, lib = t["floor"], t["lib"]
    progs = [
        ("floor", "floor: sock_diag dump, counts messages", [floor]),
        ("floor_one_walk", "floor, both families in one dump (TCPDIAG_GETSOCK)",
         [floor, "--one-walk"]),
        ("floor_walk", "floor, filter rejecting every socket (the walk alone)",
         [floor, "--reject-all"]),
        ("floor_port", "floor, --port P filter in the kernel", [floor, "--port", str(port)]),
        ("floor_port_one_walk", "floor, --port P, one dump",
         [floor, "--port", str(port), "--one-walk"]),
        ("foreach", "sockstate_foreach, empty callback", [lib, "foreach"]),
        ("snapshot", "sockstate_snapshot_take + free", [lib, "snapshot"]),
        ("count", "sockstate_count", [lib, "count"]),
        ("foreach_port", "sockstate_foreach, --port P", [lib, "foreach", "--port", str(port)]),
        ("count_port", "sockstate_count, --port P", [lib, "count", "--port", str(port)]),
        ("foreach_pids_procfs", "sockstate_foreach -p, procfs",
         [lib, "foreach", "-p", "--pid-source", "procfs"]),
    ]
    if bpf:
        progs.append(("foreach_pids_bpf", "sockstate_foreach -p, bpf",
                      [lib, "foreach", "-p", "--pid-source", "bpf"]))
    return progs


def run_json(argv, env=None):
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise Broken("%s exited %d: %s" % (" ".join(argv), p.returncode, p.stderr.strip()))
    return json.loads(p.stdout.strip().splitlines()[-1])


def measure_in_process(pop, t, passes, reps, bpf):
    progs = in_process_programs(t, pop.facts["filter_port"], bpf)
    return measure_in_process_programs(pop, t, progs, passes, reps)


def measure_in_process_programs(pop, t, progs, passes, reps):
    out = {}
    for p in range(passes):
        for key, label, argv in (progs if p % 2 == 0 else progs[::-1]):
            pop.ensure_fresh()
            r = run_json(argv + ["--repeat", str(reps)])
            acc = out.setdefault(key, {"label": label, "seconds": [], "cpu_seconds": [],
                                       "maxrss_kib": 0, "sockets": set()})
            acc["seconds"] += r["seconds"]
            acc["cpu_seconds"] += r["cpu_seconds"]
            acc["maxrss_kib"] = max(acc["maxrss_kib"], r["maxrss_kib"])
            acc["sockets"].add(r["sockets"])
            for extra in ("retained_bytes", "pid_source", "open_s"):
                if extra in r:
                    acc[extra] = r[extra]
    for acc in out.values():
        acc["median_s"] = statistics.median(acc["seconds"])
        acc["min_s"] = min(acc["seconds"])
        acc["cpu_median_s"] = statistics.median(acc["cpu_seconds"])
        acc["sockets"] = sorted(acc["sockets"])
    return out


def python_env(t):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if t["python_path"]:
        env["PYTHONPATH"] = t["python_path"] + (
            ":" + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def measure_python(pop, t, passes, reps, skip=()):
    env = python_env(t)
    script = os.path.join(HERE, "bench_py.py")
    base = [t["python"], script, "--port", str(pop.facts["filter_port"])]
    if skip:
        base += ["--skip", ",".join(skip)]
    out = {"cases": {}}
    for _ in range(passes):
        pop.ensure_fresh()
        r = run_json(base + ["--reps", str(reps)], env=env)
        out["versions"] = r["versions"]
        for name, c in r["cases"].items():
            acc = out["cases"].setdefault(name, {"seconds": [], "cpu_seconds": []})
            if "error" in c:
                acc["error"] = c["error"]
                continue
            acc["seconds"] += c["seconds"]
            acc["cpu_seconds"] += c["cpu_seconds"]
            acc["sockets"] = c["sockets"]
    pop.ensure_fresh()
    baseline = run_json(base + ["--only", "none", "--reps", "1"], env=env)["maxrss_kib"]
    out["baseline_maxrss_kib"] = baseline
    for name, acc in out["cases"].items():
        if acc.get("error") or not acc["seconds"]:
            continue
        acc["median_s"] = statistics.median(acc["seconds"])
        acc["min_s"] = min(acc["seconds"])
        acc["cpu_median_s"] = statistics.median(acc["cpu_seconds"])
        pop.ensure_fresh()
        r = run_json(base + ["--only", name, "--reps", "1"], env=env)
        acc["maxrss_kib"] = r["maxrss_kib"]
        acc["rss_over_baseline_kib"] = r["maxrss_kib"] - baseline
    return out


# ------------------------------------------------------------ a million

# Targets at a million sockets (issue 23, DESIGN.md), and the cost per
# socket there against 50,000 of the same kind.
MILLION_TARGETS = {
    "listing_rss_mib": 16, "listing_vs_ss": 0.5, "owner_map_bytes": 48,
    "pids_rss_mib": 64, "pids_vs_ss": 1.0, "py_vs_psutil": 10.0,
    "snapshot_bytes": 160, "growth": 1.25,
    # A C snapshot holds one sockstate_socket a socket: 168 bytes since the
    # safe-outputs issue gave the record its interface name (`zone`).
    # The 160 is Python's snapshot()/--json, which streams.
    "record_bytes": 168,
}


def million_commands(t, n):
    """(key, label, argv) of the whole-process commands at n pairs."""
    cli, ss = t["cli"], t["ss"]
    cmds = [("ss", "ss -tan", [ss, "-tan"])]
    if t["netstat"]:
        cmds.append(("netstat", "netstat -tan", [t["netstat"], "-tan"]))
    if n <= 100000:  # at a million it does not finish in minutes
        cmds.append(("ssp", "ss -tanp", [ss, "-tanp"]))
    cmds += [
        ("table", "sockstate", [cli]),
        ("json", "sockstate --json", [cli, "--json"]),
        ("csv", "sockstate --csv", [cli, "--csv"]),
        ("pids", "sockstate -p", [cli, "-p"]),
        ("summary", "sockstate summary", [cli, "summary"]),
        ("by_process", "sockstate summary --by process", [cli, "summary", "--by", "process"]),
        ("listen", "sockstate --state listen", [cli, "--state", "listen"]),
        ("listen_p", "sockstate --state listen -p", [cli, "--state", "listen", "-p"]),
        ("py_json", "python3 -m sockstate --json", [t["python"], "-m", "sockstate", "--json"]),
    ]
    return cmds


def measure_million(t, ns, sizes, reps, bpf, no_python):
    """Established pairs (bench_pairs) at each size, side by side: whole
    processes with their peak memory, a snapshot's bytes, Python."""
    out = {"load_start": os.getloadavg(), "sizes": {}}
    for n in sizes:
        say("%d sockets in pairs: building" % n)
        pop = Population(n, ns, t["pairs"])
        try:
            r = {"n": pop.facts["sockets"], "by_state": pop.facts["by_state"],
                 "workers": pop.facts["workers"]}
            say("%d sockets in pairs: whole processes" % n)
            r["whole"] = measure_whole(pop, t, reps, bpf, million_commands(t, n),
                                       python_env(t))
            say("%d sockets in pairs: a snapshot's memory" % n)
            r["inproc"] = measure_in_process_programs(
                pop, t, [("snapshot", "sockstate_snapshot_take + free",
                          [t["lib"], "snapshot"]),
                         ("foreach", "sockstate_foreach, empty callback",
                          [t["lib"], "foreach"])], 1, 3)
            if not no_python:
                say("%d sockets in pairs: Python" % n)
                skip = ["sockstate.connections(port=P)", "sockstate.counts(port=P)"]
                if n > 100000:
                    skip += ["sockstate.connections(processes=True, pid_source='procfs')",
                             "sockstate.snapshot()"]
                r["python"] = measure_python(pop, t, 1, 3, skip)
            out["sizes"][str(n)] = r
        finally:
            pop.close()
    out["load_end"] = os.getloadavg()
    return out


def bpf_available(t):
    ok, _, err = check_runs([t["cli"], "-p", "--pid-source", "bpf", "--state", "listen"])
    return ok, err


# ------------------------------------------------------------- the report

def fmt_ms(s):
    if s is None:
        return "-"
    ms = s * 1e3
    return "%.1f" % ms if ms >= 10 else "%.2f" % ms


def fmt_ratio(x):
    return "-" if x is None else "%.2fx" % x


def fmt_mib(kib):
    return "-" if kib is None else "%.1f" % (kib / 1024)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def med(block, key):
    r = block.get(key) if block else None
    return r.get("median_s") if r else None


def best(block, key):
    r = block.get(key) if block else None
    return r.get("min_s") if r else None


def cpu(block, key):
    r = block.get(key) if block else None
    return r.get("cpu_median_s") if r else None


def verdict(value, goal, at_most=True, best_value=None):
    if value is None:
        return "not measured"

    def ok(v):
        return v <= goal if at_most else v >= goal

    if ok(value):
        return "met"
    if best_value is not None and ok(best_value):
        return "**missed** (the best runs meet it)"
    return "**missed**"


def target_rows(res, n):
    """(what, median ratio, best ratio, CPU ratio, goal, verdict) at n."""
    r = res["sizes"].get(str(n))
    if not r:
        return []
    w, c, py = r["whole"], r["inproc"], r.get("python", {}).get("cases", {})
    rows = []

    def time_row(what, block_a, key_a, block_b, key_b, goal, text, at_most=True):
        x = ratio(med(block_a, key_a), med(block_b, key_b))
        y = ratio(best(block_a, key_a), best(block_b, key_b))
        z = ratio(cpu(block_a, key_a), cpu(block_b, key_b))
        rows.append((what, fmt_ratio(x), fmt_ratio(y), fmt_ratio(z), text,
                     verdict(x, goal, at_most, y)))

    time_row("streaming enumeration (sockstate_foreach) / the floor, in-process",
             c, "foreach", c, "floor", TARGETS["streaming"],
             "<= %.1fx" % TARGETS["streaming"])
    time_row("`sockstate` table / `ss -tan`, whole process", w, "table", w, "ss",
             TARGETS["table"], "<= %.1fx" % TARGETS["table"])
    time_row("`sockstate -p` (procfs) / `ss -tanp`, whole process", w, "pids_procfs",
             w, "ssp", TARGETS["pids_procfs"], "<= %.1fx" % TARGETS["pids_procfs"])
    time_row("`sockstate -p` (bpf) / `ss -tanp`, whole process", w, "pids_bpf", w, "ssp",
             TARGETS["pids_bpf"], "<= %.2fx" % TARGETS["pids_bpf"])
    time_row("port-filtered / unfiltered sockstate_foreach, in-process "
             "(%d of %d sockets match)" % (r["port_matches"], n),
             c, "foreach_port", c, "foreach", TARGETS["port"], "<= %.1fx" % TARGETS["port"])
    time_row("`sockstate --port P` / `sockstate`, whole process", w, "port", w, "table",
             TARGETS["port"], "<= %.1fx" % TARGETS["port"])
    small = res["sizes"].get(str(min(int(k) for k in res["sizes"])))
    if small and small is not r:
        g = c["count"]["maxrss_kib"] - small["inproc"]["count"]["maxrss_kib"]
        rows.append(("sockstate_count peak RSS growth from %d to %d sockets"
                     % (small["n"], n), "%d KiB" % g, "", "",
                     "< %d KiB" % TARGETS["counts_growth_kib"],
                     verdict(g, TARGETS["counts_growth_kib"] - 1)))
        g = w["summary"]["maxrss_kib"] - small["whole"]["summary"]["maxrss_kib"]
        rows.append(("`sockstate summary` peak RSS growth, same sizes", "%d KiB" % g, "", "",
                     "< %d KiB" % TARGETS["counts_growth_kib"],
                     verdict(g, TARGETS["counts_growth_kib"] - 1)))
    b = c["snapshot"].get("retained_bytes")
    if b:
        per = b / n
        rows.append(("snapshot kept in memory, bytes per socket", "%.1f" % per, "", "",
                     "<= %d" % TARGETS["snapshot_bytes"],
                     verdict(round(per), TARGETS["snapshot_bytes"])))
    ps = "psutil.net_connections('tcp')"
    for name, goal_key, goal_text in (
            ("sockstate.net_connections('tcp')", "py_connections", None),
            ("sockstate.connections(processes=True, pid_source='bpf')", "py_connections", None),
            ("sockstate.connections(processes=True, pid_source='procfs')", "py_connections", None),
            ("sockstate.connections()", "py_connections", None),
            ("sockstate.counts()", "py_counts",
             ">= %.0fx (DESIGN.md: %.0fx)" % (TARGETS["py_counts"],
                                               TARGETS["py_counts_honest"]))):
        if (py.get(name) or {}).get("error"):
            rows.append(("psutil.net_connections('tcp') / `%s`" % name, "error", "", "",
                         goal_text or ">= %.0fx" % TARGETS[goal_key], "not measured"))
            continue
        time_row("psutil.net_connections('tcp') / `%s`, in-process" % name,
                 py, ps, py, name, TARGETS[goal_key],
                 goal_text or ">= %.0fx" % TARGETS[goal_key], at_most=False)
    a, b = "sockstate.net_connections('tcp')", "sockstate.connections(processes=True)"
    if not (py.get(a) or {}).get("error") and not (py.get(b) or {}).get("error") and py.get(a):
        time_row("`%s` / `%s`, in-process (psutil's tuples cost no more)" % (a, b),
                 py, a, py, b, TARGETS["py_psutil_shape"],
                 "<= %.2fx" % TARGETS["py_psutil_shape"])
    return rows


def render_million(m):
    """The million-socket section: the issue's table (time and peak memory
    side by side, per size), Python, and the targets."""
    sizes = sorted(int(k) for k in m["sizes"])
    big, small = str(sizes[-1]), str(sizes[0])
    L = []
    L.append("### A million sockets")
    L.append("")
    b = m["sizes"][big]
    L.append("Established pairs held by %d processes (`bench_pairs`, 9,990 pairs "
             "each; %s), against %s of the same kind, side by side in one run. "
             "Load average (1 min) at the start of this section %.2f, at its end "
             "%.2f (two CPUs). Whole processes: median wall seconds of %d runs, "
             "peak RSS the largest of them, \"per socket\" the median wall over "
             "the sockets, and its growth from %s to %s sockets." % (
                 len(b["workers"]), ", ".join("%s %d" % kv for kv in
                                              sorted(b["by_state"].items())),
                 small, m["load_start"][0], m["load_end"][0],
                 len(next(iter(b["whole"].values()))["seconds"]), small, big))
    L.append("")
    L.append("Wall times ride on the load of the machine (other jobs share its two "
             "CPUs, and the load grew during the section), so each ratio is also "
             "given in CPU time (user + system, medians), which waiting for a busy "
             "CPU does not inflate: wall / CPU.")
    L.append("")
    head = ("| command | %s: wall s | peak RSS MiB | per socket us | %s: wall s | "
            "CPU s | peak RSS MiB | per socket us | vs `ss -tan`, wall / CPU | "
            "per socket, %s / %s, wall / CPU |" % (small, big, big, small))
    L.append(head)
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    ws, wb = m["sizes"][small]["whole"], m["sizes"][big]["whole"]
    ns, nb = m["sizes"][small]["n"], m["sizes"][big]["n"]
    for key in ws:
        a, c = ws[key], wb.get(key)
        cells = ["%.3f" % a["median_s"], fmt_mib(a["maxrss_kib"]),
                 "%.2f" % (a["median_s"] / ns * 1e6)]
        if c:
            per_b = c["median_s"] / nb
            cells += ["%.3f" % c["median_s"], "%.3f" % c["cpu_median_s"],
                      fmt_mib(c["maxrss_kib"]), "%.2f" % (per_b * 1e6),
                      "%s / %s" % (fmt_ratio(ratio(c["median_s"], med(wb, "ss"))),
                                   fmt_ratio(ratio(c["cpu_median_s"], cpu(wb, "ss"))))
                      if key != "ss" else "",
                      "%s / %s" % (fmt_ratio(ratio(per_b, a["median_s"] / ns)),
                                   fmt_ratio(ratio(c["cpu_median_s"] / nb,
                                                   a["cpu_median_s"] / ns)))]
        else:
            cells += ["not run (does not finish)", "", "", "", "", ""]
        L.append("| `%s` | %s |" % (a["label"], " | ".join(cells)))
    L.append("")

    pys, pyb = (m["sizes"][x].get("python", {}).get("cases", {}) for x in (small, big))
    if pyb:
        ps = "psutil.net_connections('tcp')"
        L.append("Python, in-process: median seconds per call (psutil's time / this, "
                 "wall / CPU) and the peak RSS of one call in a fresh process above "
                 "the interpreter with both packages imported:")
        L.append("")
        L.append("| call | %s: s | MiB | %s: s | MiB | bytes per socket | per socket, %s / %s, "
                 "wall / CPU |" % (small, big, big, small))
        L.append("|---|---|---|---|---|---|---|")
        for name in pys:
            a, c = pys.get(name, {}), pyb.get(name, {})

            def cell(case, cases):
                if not case.get("median_s"):
                    return "not run"
                rr = ratio(cases.get(ps, {}).get("median_s"), case["median_s"])
                rc = ratio(cases.get(ps, {}).get("cpu_median_s"), case["cpu_median_s"])
                return "%.3f%s" % (case["median_s"], "" if name == ps or rr is None
                                   else " (%s / %s)" % (fmt_ratio(rr), fmt_ratio(rc)))
            over = c.get("rss_over_baseline_kib")
            growth = ("%s / %s" % (fmt_ratio(ratio(c["median_s"] / nb, a["median_s"] / ns)),
                                   fmt_ratio(ratio(c["cpu_median_s"] / nb,
                                                   a["cpu_median_s"] / ns)))
                      if c.get("median_s") and a.get("median_s") else "-")
            L.append("| `%s` | %s | %s | %s | %s | %s | %s |" % (
                name, cell(a, pys), fmt_mib(a.get("rss_over_baseline_kib")),
                cell(c, pyb), fmt_mib(over),
                "%.0f" % (over * 1024 / nb) if over is not None else "-",
                growth))
        L.append("")

    T = MILLION_TARGETS
    rows = []

    def row(what, got, goal, ok):
        rows.append("| %s | %s | %s | %s |" % (what, got, goal,
                                               "met" if ok else "**missed**"))

    def time_row(what, wall, cpu_time, goal, at_most=True):
        """A ratio of times: the verdict on wall time, and whether CPU time
        (which other jobs on the machine do not inflate) meets it."""
        def ok(v):
            return v is not None and (v <= goal if at_most else v >= goal)
        v = "met" if ok(wall) else ("**missed** (met in CPU time)" if ok(cpu_time)
                                    else "**missed**")
        rows.append("| %s | %s / %s | %s%.2fx | %s |" % (
            what, fmt_ratio(wall), fmt_ratio(cpu_time), "<= " if at_most else ">= ",
            goal, v))

    ss = med(wb, "ss")
    for key in ("table", "json", "csv"):
        row("`%s` peak RSS" % wb[key]["label"], "%s MiB" % fmt_mib(wb[key]["maxrss_kib"]),
            "<= %d MiB" % T["listing_rss_mib"], wb[key]["maxrss_kib"] <= T["listing_rss_mib"] * 1024)
        time_row("`%s` / `ss -tan`, wall / CPU" % wb[key]["label"],
                 ratio(wb[key]["median_s"], ss), ratio(cpu(wb, key), cpu(wb, "ss")),
                 T["listing_vs_ss"])
    fds = b["by_state"].get("ESTABLISHED", 0) + b["by_state"].get("LISTEN", 0)
    map_bytes = (wb["listen_p"]["maxrss_kib"] - wb["listen"]["maxrss_kib"]) * 1024 / fds
    row("owner map, bytes per socket descriptor (peak RSS of `--state listen -p` "
        "over `--state listen`, %d descriptors)" % fds, "%.1f" % map_bytes,
        "<= %d" % T["owner_map_bytes"], map_bytes <= T["owner_map_bytes"])
    for key in ("pids", "by_process"):
        row("`%s` peak RSS" % wb[key]["label"], "%s MiB" % fmt_mib(wb[key]["maxrss_kib"]),
            "<= %d MiB" % T["pids_rss_mib"], wb[key]["maxrss_kib"] <= T["pids_rss_mib"] * 1024)
    time_row("`sockstate -p` / `ss -tan`, wall / CPU", ratio(wb["pids"]["median_s"], ss),
             ratio(cpu(wb, "pids"), cpu(wb, "ss")), T["pids_vs_ss"])
    for name in ("sockstate.connections()",
                 "sockstate.connections(processes=True, pid_source='bpf')"):
        c = pyb.get(name, {})
        p0 = pyb.get("psutil.net_connections('tcp')", {})
        time_row("psutil / `%s`, wall / CPU" % name, ratio(p0.get("median_s"), c.get("median_s")),
                 ratio(p0.get("cpu_median_s"), c.get("cpu_median_s")), T["py_vs_psutil"],
                 at_most=False)
    kept = m["sizes"][big]["inproc"]["snapshot"].get("retained_bytes")
    if kept:
        row("a snapshot kept, bytes per socket (sockstate_snapshot_take)",
            "%.1f" % (kept / nb), "<= %d" % T["record_bytes"],
            kept / nb <= T["record_bytes"] + 0.5)
    py_json = wb["py_json"]["maxrss_kib"] - ws["py_json"]["maxrss_kib"]
    row("`python3 -m sockstate --json`: peak RSS growth from %s to %s sockets, bytes per "
        "socket added" % (small, big), "%.1f" % (py_json * 1024 / (nb - ns)),
        "<= %d" % T["snapshot_bytes"], py_json * 1024 / (nb - ns) <= T["snapshot_bytes"])
    for key in ws:
        if key in ("ss", "netstat", "ssp") or key not in wb:
            continue
        time_row("`%s`: cost per socket, %s / %s, wall / CPU" % (ws[key]["label"], big, small),
                 ratio(wb[key]["median_s"] / nb, ws[key]["median_s"] / ns),
                 ratio(wb[key]["cpu_median_s"] / nb, ws[key]["cpu_median_s"] / ns),
                 T["growth"])
    for name, c in pyb.items():
        a = pys.get(name, {})
        if name.startswith("psutil") or not c.get("median_s") or not a.get("median_s"):
            continue
        time_row("`%s`: cost per socket, %s / %s, wall / CPU" % (name, big, small),
                 ratio(c["median_s"] / nb, a["median_s"] / ns),
                 ratio(c["cpu_median_s"] / nb, a["cpu_median_s"] / ns), T["growth"])
    L.append("Targets at %s sockets (issue #23):" % big)
    L.append("")
    L.append("| what | measured | target | |")
    L.append("|---|---|---|---|")
    L += rows
    L.append("")
    return L


def render(res, args):
    sizes = sorted(int(k) for k in res["sizes"])
    f = res["facts"]
    L = []
    L.append("Measured %s by `%s`." % (f["date"], res["command"]))
    L.append("")
    L.append("| machine | |")
    L.append("|---|---|")
    for label, value in (
            ("CPU", "%s, %s cores" % (f["cpu"], f["cores"])),
            ("memory", "%s GiB" % f["memory_gib"]),
            ("OS, kernel", "%s, Linux %s" % (f["os"], f["kernel"])),
            ("build", "%s, %s" % (f["build_type"], " ".join(f["compiler"]))),
            ("sockstate", f["sockstate"]),
            ("ss", f["ss"]),
            ("netstat", f["netstat"] or "not installed"),
            ("Python, psutil", "%s, psutil %s" % (
                res.get("py_versions", {}).get("python", "?"),
                res.get("py_versions", {}).get("psutil", "?"))),
            ("Python package", res.get("py_status", "?")),
            ("BPF pid source", res.get("bpf_status", "?")),
            ("load average (1 min) at start, end", "%.2f, %.2f" % (
                f["load_start"][0], res["load_end"][0]))):
        L.append("| %s | %s |" % (label, str(value).replace("|", "/")))
    L.append("")
    L.append("Whole-process times are medians of %d runs of each command, round "
             "robin; in-process times are medians of %d queries (one handle, "
             "one socket). The population: %s." % (
                 res["reps"]["whole"], res["reps"]["inproc_total"],
                 "; ".join("%d sockets held by %d processes (%s)" % (
                     res["sizes"][str(n)]["n"], len(res["sizes"][str(n)]["workers"]),
                     ", ".join("%s %d" % (k, v) for k, v in sorted(
                         res["sizes"][str(n)]["by_state"].items())))
                     for n in sizes[-1:])))
    L.append("")

    goal_n = 50000 if str(50000) in res["sizes"] else sizes[-1]
    L.append("### Targets at %d sockets" % goal_n)
    L.append("")
    L.append("Ratios of wall times: \"median\" of the medians (the verdict), "
             "\"best\" of the fastest runs (what a quiet machine gives); \"CPU\" "
             "of the median CPU times (user + system), which other jobs on the "
             "machine do not inflate.")
    L.append("")
    L.append("| what | median | best | CPU | target | |")
    L.append("|---|---|---|---|---|---|")
    for what, got, got_best, got_cpu, goal, v in target_rows(res, goal_n):
        L.append("| %s | %s | %s | %s | %s | %s |" % (what, got, got_best, got_cpu,
                                                     goal, v))
    L.append("")

    head = "| command | " + " | ".join("%d" % n for n in sizes) + " |"
    sep = "|---|" + "---|" * len(sizes)

    def size(n):
        return res["sizes"][str(n)]

    L.append("### Whole processes: median wall ms (ratio)")
    L.append("")
    L.append("Ratios against `ss -tan`, except `-p` rows (against `ss -tanp`) and "
             "port-filtered rows (against the same tool unfiltered).")
    L.append("")
    L.append(head)
    L.append(sep)
    first = size(sizes[0])["whole"]
    for key in first:
        ref = {"pids_procfs": "ssp", "pids_bpf": "ssp", "port": "table",
               "ss_port": "ss"}.get(key, "ss")
        cells = []
        for n in sizes:
            w = size(n)["whole"]
            if key not in w:
                cells.append("-")
                continue
            m = w[key]["median_s"]
            rr = None if key in ("ss", "ssp") else ratio(m, med(w, ref))
            cells.append(fmt_ms(m) + ("" if rr is None else " (%s)" % fmt_ratio(rr)))
        L.append("| `%s` | %s |" % (first[key]["label"], " | ".join(cells)))
    L.append("")
    L.append("### Whole processes: peak RSS, MiB")
    L.append("")
    L.append(head)
    L.append(sep)
    for key in first:
        cells = [fmt_mib(size(n)["whole"][key]["maxrss_kib"]) if key in size(n)["whole"]
                 else "-" for n in sizes]
        L.append("| `%s` | %s |" % (first[key]["label"], " | ".join(cells)))
    L.append("")

    L.append("### In-process (C): median ms per query (vs the floor)")
    L.append("")
    L.append("`-p` rows include the owner map, built once per query. Filtered rows "
             "are compared with their unfiltered counterpart.")
    L.append("")
    L.append(head)
    L.append(sep)
    firstc = size(sizes[0])["inproc"]
    for key in firstc:
        ref = {"floor": None, "floor_port": "floor", "floor_port_one_walk": "floor",
               "floor_one_walk": "floor", "floor_walk": "floor",
               "foreach_port": "foreach", "count_port": "count"}.get(key, "floor")
        cells = []
        for n in sizes:
            c = size(n)["inproc"]
            if key not in c:
                cells.append("-")
                continue
            m = c[key]["median_s"]
            rr = ratio(m, med(c, ref)) if ref else None
            cells.append(fmt_ms(m) + ("" if rr is None else " (%s)" % fmt_ratio(rr)))
        L.append("| %s | %s |" % (firstc[key]["label"], " | ".join(cells)))
    L.append("")
    L.append("### In-process (C): memory")
    L.append("")
    L.append(head)
    L.append(sep)
    for key in ("floor", "foreach", "count", "snapshot", "foreach_pids_procfs",
                "foreach_pids_bpf"):
        if key not in firstc:
            continue
        cells = [fmt_mib(size(n)["inproc"][key]["maxrss_kib"]) for n in sizes]
        L.append("| %s, peak RSS MiB | %s |" % (firstc[key]["label"], " | ".join(cells)))
    cells = ["%.1f" % (size(n)["inproc"]["snapshot"]["retained_bytes"] / size(n)["n"])
             for n in sizes]
    L.append("| snapshot kept, bytes per socket | %s |" % " | ".join(cells))
    L.append("")

    pyc = size(sizes[0]).get("python", {}).get("cases", {})
    if pyc:
        L.append("### Python, in-process: median ms per call (psutil's time / this)")
        L.append("")
        L.append(head)
        L.append(sep)
        for name in pyc:
            cells = []
            for n in sizes:
                cases = size(n).get("python", {}).get("cases", {})
                case = cases.get(name, {})
                if case.get("error"):
                    cells.append("error")
                    continue
                ps = (cases.get("psutil.net_connections('tcp')") or {}).get("median_s")
                m = case.get("median_s")
                rr = ratio(ps, m) if not name.startswith("psutil") else None
                cells.append(fmt_ms(m) + ("" if rr is None else " (%s)" % fmt_ratio(rr)))
            L.append("| `%s` | %s |" % (name, " | ".join(cells)))
        L.append("")
        L.append("Peak RSS above the interpreter with both packages imported (%s MiB), "
                 "one call in a fresh process, MiB:" % fmt_mib(
                     size(sizes[-1])["python"]["baseline_maxrss_kib"]))
        L.append("")
        L.append(head)
        L.append(sep)
        for name in pyc:
            cells = []
            for n in sizes:
                case = size(n).get("python", {}).get("cases", {}).get(name, {})
                cells.append(fmt_mib(case.get("rss_over_baseline_kib")))
            L.append("| `%s` | %s |" % (name, " | ".join(cells)))
        L.append("")
        errors = {name: c["error"] for name, c in pyc.items() if c.get("error")}
        for name, e in errors.items():
            L.append("- `%s`: %s" % (name, e.replace("|", "/")))
        if errors:
            L.append("")

    if res.get("million"):
        L += render_million(res["million"])

    L.append("Check: every run saw the population it was given "
             "(bench_floor's count per size: %s); TIME_WAIT sockets renewed %s "
             "times (they live 60 s)." % (
                 ", ".join("%d: %s" % (n, "/".join(str(x) for x in
                                                   size(n)["inproc"]["floor"]["sockets"]))
                           for n in sizes),
                 ", ".join(str(size(n)["renewals"]) for n in sizes)))
    return "\n".join(L) + "\n"


SKELETON = """# Benchmarks

How libsockstate compares with `ss`, `netstat`, psutil and the kernel's own
floor, on loopback sockets held in a private network namespace. Reproduce
with `make bench` (root; it builds first) or `tests/bench/run.py --build
DIR`; the tables below are rewritten by each run.

%s
%s
""" % (BEGIN, END)


def write_markdown(path, text):
    try:
        with open(path) as f:
            old = f.read()
    except FileNotFoundError:
        old = SKELETON
    if BEGIN not in old or END not in old:
        raise Usage("%s has no generated-section markers; add\n%s\n%s" % (path, BEGIN, END))
    head, rest = old.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(head + BEGIN + "\n" + text + END + tail)
    os.replace(tmp, path)


# ------------------------------------------------------------------ main

def parse_args(argv):
    p = argparse.ArgumentParser(description="libsockstate benchmarks (root).")
    p.add_argument("--build", default=os.path.join(ROOT, "build"),
                   help="CMake build directory (default: build/)")
    p.add_argument("--bench-dir", default=None,
                   help="where bench_floor and bench_lib are (default: BUILD/tests/bench)")
    p.add_argument("--cli", default=None, help="the sockstate CLI (default: BUILD/sockstate)")
    p.add_argument("--python", default="/usr/bin/python3" if os.path.exists(
        "/usr/bin/python3") else sys.executable,
                   help="interpreter for the Python rows (needs psutil)")
    p.add_argument("--python-path", default=None,
                   help="PYTHONPATH holding the sockstate package (default: "
                        "BUILD/python if it exists, else what is installed)")
    p.add_argument("--sizes", default="1000,10000,50000,100000")
    p.add_argument("--reps", type=int, default=7,
                   help="whole-process runs per command (default 7)")
    p.add_argument("--output", default=None,
                   help="default: docs/BENCHMARKS.md (with --quick: a file in /tmp)")
    p.add_argument("--json", default=None, help="also write the raw numbers here")
    p.add_argument("--no-python", action="store_true")
    p.add_argument("--million-sizes", default="50000,1000000",
                   help="the established-pairs series (bench_pairs), compared "
                        "side by side; the last is the million point")
    p.add_argument("--million-reps", type=int, default=5,
                   help="whole-process runs per command in that series (default 5)")
    p.add_argument("--no-million", action="store_true",
                   help="skip the established-pairs series")
    p.add_argument("--from-json", default=None, metavar="FILE",
                   help="measure nothing: write the tables again from the raw "
                        "numbers a run saved with --json")
    p.add_argument("--quick", action="store_true",
                   help="1k and 10k sockets, 3 runs: a smoke test")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.reps = "1000,10000", 3
    if args.output is None:
        args.output = ("/tmp/sockstate-bench-quick.md" if args.quick
                       else os.path.join(ROOT, "docs", "BENCHMARKS.md"))
    try:
        args.sizes = [int(x) for x in args.sizes.split(",") if x]
        args.million_sizes = [int(x) for x in args.million_sizes.split(",") if x]
    except ValueError:
        raise Usage("--sizes, --million-sizes: comma-separated numbers")
    if args.quick:
        args.no_million = True
    return args


def main(argv):
    started = time.monotonic()
    args = parse_args(argv)
    if args.from_json:
        with open(args.from_json) as f:
            res = json.load(f)
        write_markdown(args.output, render(res, args))
        say("wrote %s from %s" % (args.output, args.from_json))
        return 0
    if os.geteuid() != 0:
        raise Skip("needs root (a private network namespace per size)")
    t = tool_paths(args)
    res = {"command": "tests/bench/run.py " + " ".join(argv) if argv else "tests/bench/run.py",
           "facts": machine_facts(t), "sizes": {},
           "reps": {"whole": args.reps, "inproc_passes": 5, "inproc_reps": 3,
                    "inproc_total": 5 * 3, "py_passes": 3, "py_reps": max(2, args.reps)}}
    ns = Namespace()
    bpf = None
    for n in args.sizes:
        say("%d sockets: building" % n)
        pop = Population(n, ns)
        try:
            if bpf is None:
                bpf, why = bpf_available(t)
                res["bpf_status"] = "available" if bpf else "not available: " + why
            r = {"n": n, "by_state": pop.facts["by_state"], "workers": pop.facts["workers"],
                 "port": pop.facts["filter_port"], "port_matches": pop.facts["port_matches"]}
            say("%d sockets: whole processes" % n)
            r["whole"] = measure_whole(pop, t, args.reps, bpf)
            say("%d sockets: in-process (C)" % n)
            r["inproc"] = measure_in_process(pop, t, res["reps"]["inproc_passes"],
                                             res["reps"]["inproc_reps"], bpf)
            if not args.no_python:
                say("%d sockets: Python" % n)
                r["python"] = measure_python(pop, t, res["reps"]["py_passes"],
                                             res["reps"]["py_reps"])
                res["py_versions"] = r["python"].get("versions", {})
            r["renewals"] = pop.renewals
            res["sizes"][str(n)] = r
        finally:
            pop.close()
    if not args.no_million and args.million_sizes:
        if bpf is None:
            bpf, why = bpf_available(t)
            res["bpf_status"] = "available" if bpf else "not available: " + why
        res["million"] = measure_million(t, ns, args.million_sizes, args.million_reps,
                                         bpf, args.no_python)
        if not args.no_python:
            for r in res["million"]["sizes"].values():
                res.setdefault("py_versions", r.get("python", {}).get("versions", {}))
    if args.no_python:
        res["py_status"] = "not measured (--no-python)"
    else:
        v = res.get("py_versions", {})
        res["py_status"] = ("sockstate %s from %s" % (v["sockstate"], v.get("sockstate_path"))
                            if v.get("sockstate") else
                            "not importable (build it: see docs/PYTHON.md)")
    res["load_end"] = os.getloadavg()
    text = render(res, args)
    write_markdown(args.output, text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1, default=list)
    say("wrote %s in %.0f s" % (args.output, time.monotonic() - started))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Usage as e:
        say(str(e))
        sys.exit(2)
    except Skip as e:
        say("skipped: %s" % e)
        sys.exit(77)
    except Broken as e:
        say(str(e))
        sys.exit(1)
