#!/usr/bin/env python3
"""Files that call each other in a circle: none allowed.

Usage: check_cycles.py NAME:OBJ[,OBJ...] [NAME:OBJ...]

Each argument is one set of object files (the core, a platform folder,
the command-line tool). Within a set, file A depends on file B when A
uses a symbol B defines (read with `nm`). A cycle means two files that
each need the other (a buffer helper beside the dispatcher that calls the
formats which call the helper): the tree should read as a pipeline, leaf
modules first. The sets may depend on each other (the core and its
platform meet at a seam both sides implement); within one, no cycle.
Exit 0, or 1 with every cycle named."""

import os
import subprocess
import sys


def symbols(obj):
    out = subprocess.run(["nm", "--defined-only", "-g", obj], check=True,
                         capture_output=True, text=True).stdout
    defined = {line.split()[-1] for line in out.splitlines() if line.strip()}
    out = subprocess.run(["nm", "-u", obj], check=True,
                         capture_output=True, text=True).stdout
    used = {line.split()[-1] for line in out.splitlines() if line.strip()}
    return defined, used


def source_name(obj):
    name = os.path.basename(obj)
    return name[:-2] if name.endswith(".o") else name


def cycles(objs):
    defined_by = {}
    uses = {}
    for obj in objs:
        defined, used = symbols(obj)
        for sym in defined:
            defined_by[sym] = source_name(obj)
        uses[source_name(obj)] = used
    graph = {f: sorted({defined_by[s] for s in used if s in defined_by} - {f})
             for f, used in uses.items()}
    # Tarjan's strongly connected components.
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found, graph


def main(argv):
    failed = False
    for arg in argv:
        name, _, objs = arg.partition(":")
        objs = [o for o in objs.split(",") if o]
        if not objs:
            print(f"{name}: no object files given")
            failed = True
            continue
        found, graph = cycles(objs)
        for component in found:
            failed = True
            print(f"{name}: these files call each other in a circle: "
                  + ", ".join(component))
            for f in component:
                print(f"  {f} -> " + ", ".join(g for g in graph[f] if g in component))
        if not found:
            print(f"{name}: {len(objs)} files, no cycle")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
