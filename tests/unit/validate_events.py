#!/usr/bin/env python3
"""Validate NDJSON trace events against docs/schema/sockstate-event-1.json.

usage: validate_events.py [--min N] FILE... ("-" reads standard input)

Each line must be one strict JSON object in UTF-8 (no duplicate keys)
that the schema accepts; the schema's references into sockstate-1.json
(endpoints, states, pids) resolve to that file beside it. Beyond the
schema: a summary's path ends in its new_state and starts with its
old_state. --min N fails a file with fewer than N events (a test that
checks nothing is no test). Prints one line per problem; exits 1 if
there was any, 2 on bad usage, 0 otherwise.

Needs the jsonschema package (Debian: python3-jsonschema, 4.10 or later).
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # never write into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import validate_schema  # noqa: E402  (the strict loader)

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "..", "..", "docs", "schema")
SCHEMA = os.path.join(SCHEMA_DIR, "sockstate-event-1.json")


def consistency(ev):
    if ev.get("kind") != "summary" or not ev.get("path"):
        return []
    problems = []
    if ev["path"][-1]["state"] != ev["new_state"]:
        problems.append("summary path ends in %s, new_state is %s"
                        % (ev["path"][-1]["state"], ev["new_state"]))
    if ev["path"][0]["state"] != ev["old_state"]:
        problems.append("summary path starts with %s, old_state is %s"
                        % (ev["path"][0]["state"], ev["old_state"]))
    return problems


def main(argv):
    args = argv[1:]
    minimum = 0
    if len(args) >= 2 and args[0] == "--min":
        minimum = int(args[1])
        args = args[2:]
    if not args or args[0] in ("-h", "--help"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    try:
        import jsonschema
    except ImportError:
        sys.stderr.write("validate_events.py: the jsonschema package is missing\n")
        return 2
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    base = "file://" + os.path.abspath(SCHEMA)
    resolver = jsonschema.RefResolver(base_uri=base, referrer=schema)
    validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
    failed = False
    for path in args:
        raw = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
        lines = raw.decode("utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            try:
                ev = json.loads(line, object_pairs_hook=validate_schema._no_duplicates,
                                parse_constant=validate_schema._no_constants)
            except ValueError as e:
                print("%s:%d: %s" % (path, number, e))
                failed = True
                continue
            errors = sorted(validator.iter_errors(ev), key=lambda e: list(e.path))
            for e in errors:
                where = "/".join(str(p) for p in e.path) or "(top)"
                print("%s:%d: %s: %s" % (path, number, where, e.message))
            problems = consistency(ev) if not errors else []
            for p in problems:
                print("%s:%d: %s" % (path, number, p))
            failed = failed or bool(errors) or bool(problems)
        if len(lines) < minimum:
            print("%s: %d events, expected at least %d" % (path, len(lines), minimum))
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
