#!/usr/bin/env python3
"""bench_trace_readers - what reading a trace costs the readers users run:
`sockstate trace` writing NDJSON into a file (batched writes) and into a
pipe (a write per event), the table into a pipe, and Python's
sockstate.trace() generator, each reading the bpf events of the same
connection churn (tests/trace/churn.c: every connection reset by its
client, 6 transitions each, plus the listener's 2), rounds side by side.

    tests/private_netns.py python3 tests/bench/bench_trace_readers.py BUILD [CONNECTIONS [ROUNDS]]

BUILD is a build tree (its sockstate, python/ and tests/trace/churn). Run
as root (bpf) in a private namespace. Prints per reader the median of the
rounds: events read, events lost, the reader's CPU (user + system) per
event in microseconds, and its ratio to the CLI's NDJSON into a file. A
benchmark: nothing is asserted.
"""

import os
import signal
import statistics
import subprocess
import sys
import threading
import time

PORT = 7310
THREADS = 4


def python_reader(count):
    return [sys.executable, "-c",
            "import sys, sockstate\n"
            "n = lost = 0\n"
            "events = sockstate.trace(port=%d, source='bpf', count=%d)\n"
            "print('sockstate: trace source bpf', file=sys.stderr, flush=True)\n"
            "try:\n"
            "    for ev in events:\n"
            "        if ev.kind == 'lost':\n"
            "            lost += ev.lost or 0\n"
            "        else:\n"
            "            n += 1\n"
            "except KeyboardInterrupt:\n"
            "    pass\n"
            "print('sockstate: trace: %%d events, %%d lost' %% (n, lost), file=sys.stderr)\n"
            % (PORT, count)]


def one_round(build, name, connections, tmp):
    cli = os.path.join(build, "sockstate")
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"))
    # Each connection's 6 transitions and the listener's 2: a reader that
    # misses nothing ends by itself.
    count = 6 * connections + 2
    base = [cli, "trace", "--source", "bpf", "--port", str(PORT), "--verbose",
            "--count", str(count)]
    out_path = os.path.join(tmp, "trace.out")
    if name == "cli json > file":
        argv, stdout = base + ["--json"], open(out_path, "wb")
    elif name == "cli json | pipe":
        argv, stdout = base + ["--json"], subprocess.PIPE
    elif name == "cli table | pipe":
        argv, stdout = base + ["-n"], subprocess.PIPE
    else:
        argv, stdout = python_reader(count), subprocess.PIPE
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=env)
    if stdout is not subprocess.PIPE:
        stdout.close()
    ready = proc.stderr.readline().decode()
    assert ready.startswith("sockstate: trace source bpf"), ready
    if stdout is subprocess.PIPE:
        drain = threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True)
        drain.start()
    churn = subprocess.run([os.path.join(build, "tests", "trace", "churn"), str(PORT),
                            str(connections), str(THREADS)], capture_output=True, check=True)
    made = int(churn.stdout.split()[1])
    deadline = time.monotonic() + 60
    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    while pid == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    if pid == 0:
        proc.send_signal(signal.SIGINT)  # some were lost: it says how many
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    last = proc.stderr.read().decode().strip().splitlines()[-1]
    events, lost = (int(w) for w in last.replace(",", "").split()[2:5:2])
    cpu = usage.ru_utime + usage.ru_stime
    return {"made": made, "events": events, "lost": lost,
            "us_per_event": cpu / max(events, 1) * 1e6}


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    build = argv[1]
    connections = int(argv[2]) if len(argv) > 2 else 20000
    rounds = int(argv[3]) if len(argv) > 3 else 5
    names = ["cli json > file", "cli json | pipe", "cli table | pipe", "python trace()"]
    results = {n: [] for n in names}
    tmp = os.environ.get("TMPDIR", "/tmp")
    for _ in range(rounds):
        for name in names:
            results[name].append(one_round(build, name, connections, tmp))
    base = statistics.median(r["us_per_event"] for r in results[names[0]])
    print(f"{connections} connections x {rounds} rounds, medians")
    print(f"{'reader':18} {'events':>8} {'lost':>6} {'cpu us/event':>13} {'ratio':>6}")
    for name in names:
        rs = results[name]
        us = statistics.median(r["us_per_event"] for r in rs)
        print(f"{name:18} {statistics.median(r['events'] for r in rs):>8.0f} "
              f"{statistics.median(r['lost'] for r in rs):>6.0f} {us:>13.2f} "
              f"{us / base:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
