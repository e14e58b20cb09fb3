#!/usr/bin/env python3
"""bench_py - the Python package against psutil, timed inside one process
(psutil.net_connections beside sockstate.connections, counts, and
sockstate.net_connections, psutil's shape answered by sockstate).

  bench_py.py [--reps R] [--port P] [--only NAME] [--skip NAME,...] [--list]

Each case is called once untimed (the first call opens the module's
default handle, loads a BPF program where one is used, and warms psutil's
caches as a long-running caller would have them), then R times, the cases
in a rotating order so that a drift of the machine spreads over all of
them. Prints one JSON line: per case the median and minimum wall seconds,
the median CPU seconds (time.process_time), every sample, and how many
sockets it returned; the process's peak RSS; the
versions. --only NAME runs one case (for its peak memory alone, with
--reps 1); --only none imports everything and runs nothing (the baseline
RSS). Cases that cannot run here (no sockstate package, no psutil, no BPF
pid source) are reported with "error" instead of timings.

Run it inside the benchmark's network namespace (tests/bench/run.py does),
with the package importable (PYTHONPATH=<build>/python or installed).
"""

import argparse
import json
import statistics
import sys
import time

sys.dont_write_bytecode = True


def cases(port):
    """name -> (callable, how to count its result)."""
    out = {}
    try:
        import psutil
        out["psutil.net_connections('tcp')"] = (
            lambda: psutil.net_connections("tcp"), len)
    except ImportError as e:
        out["psutil.net_connections('tcp')"] = e
    try:
        import sockstate
    except ImportError as e:
        sockstate = None
        err = e
    if sockstate is None:
        for name in ("sockstate.connections()", "sockstate.counts()"):
            out[name] = err
        return out

    def total(c):
        return sum(c.values())

    out["sockstate.connections()"] = (lambda: sockstate.connections(), len)
    # psutil's shape (sconn tuples, owners mapped) beside the same listing
    # as Connection objects, on the same default handle (pid source auto).
    out["sockstate.net_connections('tcp')"] = (
        lambda: sockstate.net_connections("tcp"), len)
    out["sockstate.connections(processes=True)"] = (
        lambda: sockstate.connections(processes=True), len)
    out["sockstate.connections(processes=True, pid_source='procfs')"] = (
        lambda: sockstate.connections(processes=True, pid_source="procfs"), len)
    out["sockstate.connections(processes=True, pid_source='bpf')"] = (
        lambda: sockstate.connections(processes=True, pid_source="bpf"), len)
    out["sockstate.counts()"] = (lambda: sockstate.counts(), total)
    out["sockstate.snapshot()"] = (lambda: sockstate.snapshot(),
                                   lambda doc: len(doc["sockets"]))
    if port is not None:
        out["sockstate.connections(port=P)"] = (
            lambda: sockstate.connections(port=port), len)
        out["sockstate.counts(port=P)"] = (
            lambda: sockstate.counts(port=port), total)
    return out


def peak_rss_kib():
    """VmHWM: this address space's own peak. (getrusage's ru_maxrss starts
    at the peak of the one exec replaced: the parent's, after vfork.)"""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def versions():
    v = {"python": sys.version.split()[0]}
    try:
        import psutil
        v["psutil"] = psutil.__version__
    except ImportError:
        v["psutil"] = None
    try:
        import sockstate
        v["sockstate"] = sockstate.__version__
        v["sockstate_path"] = sockstate.__file__
    except ImportError:
        v["sockstate"] = None
    return v


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--only", default=None)
    p.add_argument("--skip", default="")
    p.add_argument("--list", action="store_true")
    args = p.parse_args(argv)

    table = cases(args.port)
    if args.list:
        print(json.dumps(list(table)))
        return 0
    skip = set(filter(None, args.skip.split(",")))
    if args.only is not None:
        table = {k: v for k, v in table.items() if k == args.only}
    table = {k: v for k, v in table.items() if k not in skip}
    result = {"cases": {}, "versions": versions(), "reps": args.reps}

    runnable = []
    for name, case in table.items():
        if isinstance(case, Exception):
            result["cases"][name] = {"error": "%s: %s" % (type(case).__name__, case)}
            continue
        fn, count = case
        try:
            got = fn()                       # untimed: opens, loads, warms
            result["cases"][name] = {"sockets": count(got), "seconds": [],
                                     "cpu_seconds": []}
            del got
            runnable.append(name)
        except Exception as e:  # noqa: BLE001 - reported, not raised
            result["cases"][name] = {"error": "%s: %s" % (type(e).__name__, e)}

    for rep in range(args.reps):
        shift = rep % len(runnable) if runnable else 0
        for name in runnable[shift:] + runnable[:shift]:
            fn, count = table[name]
            t0, c0 = time.perf_counter(), time.process_time()
            got = fn()
            dt, dc = time.perf_counter() - t0, time.process_time() - c0
            r = result["cases"][name]
            r["seconds"].append(dt)
            r["cpu_seconds"].append(dc)
            r["sockets"] = count(got)
            del got

    for name in runnable:
        r = result["cases"][name]
        if r["seconds"]:
            r["median_s"] = statistics.median(r["seconds"])
            r["min_s"] = min(r["seconds"])
            r["cpu_median_s"] = statistics.median(r["cpu_seconds"])
    result["maxrss_kib"] = peak_rss_kib()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
