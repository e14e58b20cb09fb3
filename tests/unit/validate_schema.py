#!/usr/bin/env python3
"""Validate "sockstate/1" and "sockstate-diagnosis/1" documents against
their schemas (docs/schema/sockstate-1.json, sockstate-diagnosis-1.json),
chosen by each document's "schema" key.

usage: validate_schema.py FILE... ("-" reads standard input)

Beyond the schema, each document must be strict JSON in UTF-8 with no
duplicate keys, and a document with sockets must agree with itself: "total"
is the number of sockets and "counts" holds exactly the nonzero per-state
tallies of their states. Prints one line per problem and exits 1 if there
was any, 2 on bad usage; 0 when every file passed.

Needs the jsonschema package (Debian: python3-jsonschema, 4.10 or later).
"""
import collections
import json
import os
import sys

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "..", "..", "docs", "schema")
SCHEMA = os.path.join(SCHEMA_DIR, "sockstate-1.json")
SCHEMAS = {"sockstate/1": "sockstate-1.json",
           "sockstate-diagnosis/1": "sockstate-diagnosis-1.json"}


def validators():
    """{schema name: validator}, each schema able to refer to the others
    by their $id (jsonschema's referencing registry where it has one,
    else its RefResolver store: Debian 12 has 4.10)."""
    import jsonschema
    loaded = {}
    for name, file in SCHEMAS.items():
        with open(os.path.join(SCHEMA_DIR, file), encoding="utf-8") as f:
            loaded[name] = json.load(f)
    cls = jsonschema.Draft202012Validator
    for schema in loaded.values():
        cls.check_schema(schema)
    try:
        from referencing import Registry, Resource
        registry = Registry().with_resources(
            (schema["$id"], Resource.from_contents(schema)) for schema in loaded.values())
        return {name: cls(schema, registry=registry) for name, schema in loaded.items()}
    except ImportError:
        store = {schema["$id"]: schema for schema in loaded.values()}
        return {name: cls(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=store))
                for name, schema in loaded.items()}


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError("duplicate key(s): " + ", ".join(dup))
    return dict(pairs)


def _no_constants(name):
    raise ValueError("not JSON: " + name)


def load(path):
    """Parse one file strictly; raises ValueError (or OSError)."""
    if path == "-":
        raw = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as f:
            raw = f.read()
    text = raw.decode("utf-8")  # strict: bad bytes raise
    return json.loads(text, object_pairs_hook=_no_duplicates,
                      parse_constant=_no_constants)


def self_consistency(doc):
    """Problems the schema cannot express, as strings."""
    problems = []
    sockets = doc.get("sockets")
    if not isinstance(sockets, list):
        return problems
    if "total" in doc and doc["total"] != len(sockets):
        problems.append("total is %r but there are %d sockets"
                        % (doc["total"], len(sockets)))
    tally = collections.Counter(s.get("state") for s in sockets)
    if doc.get("counts") != dict(tally):
        problems.append("counts %r do not match the sockets' states %r"
                        % (doc.get("counts"), dict(tally)))
    for i, s in enumerate(sockets):
        pids = s.get("pids")
        if pids is not None:
            if pids != sorted(pids):
                problems.append("sockets[%d].pids not ascending" % i)
            if pids and s.get("pid") != pids[0]:
                problems.append("sockets[%d].pid is not the lowest of pids" % i)
            if not pids and s.get("pid") is not None:
                problems.append("sockets[%d] has a pid but empty pids" % i)
        if "pids" in s and doc.get("pid_source") is None:
            problems.append("sockets[%d].pids present but pid_source is null" % i)
    return problems


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    try:
        import jsonschema
    except ImportError:
        sys.stderr.write("validate_schema.py: the jsonschema package is missing\n")
        return 2
    by_name = validators()
    failed = False
    for path in argv[1:]:
        try:
            doc = load(path)
        except (OSError, ValueError) as e:  # UnicodeDecodeError is a ValueError
            print("%s: %s" % (path, e))
            failed = True
            continue
        name = doc.get("schema") if isinstance(doc, dict) else None
        validator = by_name.get(name, by_name["sockstate/1"])
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors:
            where = "/".join(str(p) for p in e.path) or "(top)"
            print("%s: %s: %s" % (path, where, e.message))
        problems = self_consistency(doc) if not errors and name != "sockstate-diagnosis/1" else []
        for p in problems:
            print("%s: %s" % (path, p))
        failed = failed or bool(errors) or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
