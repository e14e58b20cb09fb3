"""``python -m sockstate report``: several machines' TCP sockets side by side.

    python -m sockstate report web-1.json web-2.json win-1.json -o report.html
    python -m sockstate report *.json --format md --lang es -o informe.md

Reads "sockstate/1" documents (``sockstate --json``, ``python -m sockstate
snapshot``, ``sockstate.snapshot()``, the Ansible facts) from any OS and
writes one page: per host its OS, backend and sockets per normalized state
with the names that host's OS uses; a state x host matrix with bar charts
(inline SVG: the page needs no network); listening ports present on some
hosts and missing on others; and warnings for troubleshooting patterns
(CLOSE_WAIT piling up under one process, SYN_RECEIVED floods, SYN_SENT
piling up toward one destination, a listener whose accept queue is at its
backlog, TIME_WAIT near the size of the ephemeral port range), each
explained in English or Spanish.

Pure Python: it works without the C extension. Input is validated against
the JSON Schema "sockstate/1" when the jsonschema package is importable,
else by a structural check. A file that cannot be read, is not JSON, is
truncated or is not a sockstate/1 document gives one line on stderr naming
the file and the problem, and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from . import _report_data
from ._atomic import OutputError, printable, write_atomic

from ._exit import EXIT_OK, EXIT_OS, EXIT_USAGE
PROG = "python -m sockstate report"
SCHEMA_NAME = "sockstate/1"

#: The normalized states, in the schema's order.
STATES = ("CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
          "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
          "TIME_WAIT", "DELETE_TCB", "BOUND", "UNKNOWN")
BACKENDS = ("linux-netlink", "linux-proc", "linux-replay", "freebsd-sysctl",
            "macos-sysctl", "windows-iphlpapi")

#: Default ephemeral (dynamic) port ranges, by the "os.name" of a snapshot.
#: A snapshot does not say the host's configured range; these are each
#: OS's defaults (Linux net.ipv4.ip_local_port_range; FreeBSD
#: net.inet.ip.portrange.first/last; macOS and Windows: IANA's 49152-65535).
EPHEMERAL_RANGES = {
    "Linux": (32768, 60999),
    "FreeBSD": (10000, 65535),
    "Darwin": (49152, 65535),
    "Windows": (49152, 65535),
}
DEFAULT_EPHEMERAL = (49152, 65535)

#: Thresholds of the warnings (options of the command).
CLOSE_WAIT_MIN = 10
SYN_RECEIVED_MIN = 50
SYN_SENT_MIN = 10
TIME_WAIT_FRACTION = 0.5

STATE_COLORS = {
    "CLOSED": "#8c8c8c", "LISTEN": "#1f6fb4", "SYN_SENT": "#b59400",
    "SYN_RECEIVED": "#c0392b", "ESTABLISHED": "#2e8b57", "FIN_WAIT_1": "#7d5ba6",
    "FIN_WAIT_2": "#9b7fc4", "CLOSE_WAIT": "#d35400", "CLOSING": "#a0522d",
    "LAST_ACK": "#b5651d", "TIME_WAIT": "#5f6b73", "DELETE_TCB": "#6d4c41",
    "BOUND": "#4a90a4", "UNKNOWN": "#444444",
}
HOST_COLORS = ("#1f6fb4", "#d35400", "#2e8b57", "#7d5ba6", "#c0392b", "#b59400",
               "#4a90a4", "#6d4c41", "#5f6b73", "#a0522d")

# ---------------------------------------------------------------- texts

TEXTS: Dict[str, Dict[str, str]] = {
    "en": {
        "title": "TCP sockets across {hosts}",
        # Counted nouns: "<key>_one" for 1, "<key>_many" otherwise (_count).
        "count_hosts_one": "1 host",
        "count_hosts_many": "{n} hosts",
        "count_sockets_one": "1 socket",
        "count_sockets_many": "{n} sockets",
        "count_half_open_one": "1 half-open connection",
        "count_half_open_many": "{n} half-open connections",
        "count_tw_hold_one": "1 socket in TIME_WAIT holds",
        "count_tw_hold_many": "{n} sockets in TIME_WAIT hold",
        "count_attempts_one": "1 connection attempt",
        "count_attempts_many": "{n} connection attempts",
        "count_waiting_one": "1 connection",
        "count_waiting_many": "{n} connections",
        "count_processes_one": "1 process",
        "count_processes_many": "{n} processes",
        "subtitle": "{n} snapshots taken between {first} and {last} (UTC).",
        "subtitle_one": "1 snapshot taken at {first} (UTC).",
        "unknown_time": "an unknown time",
        "nav": "Contents",
        "hosts": "Hosts",
        "host": "Host",
        "file": "File",
        "os": "Operating system",
        "backend": "Backend",
        "taken_at": "Taken at (UTC)",
        "owners": "Owners",
        "owners_none": "not collected",
        "sockets": "Sockets",
        "counts_only": "counts only",
        "warnings": "Warnings",
        "no_warnings": "No troubleshooting pattern was found in these snapshots.",
        "matrix": "States \u00d7 hosts",
        "matrix_note": ("Sockets per normalized state on each host; below each count, the "
                        "name that host's operating system gives the state. Bars compare "
                        "the hosts within a state."),
        "chart": "Sockets per state and host",
        "state": "State",
        "native": "Native name",
        "count": "Count",
        "total": "Total",
        "per_host": "Per host",
        "listening": "Listening ports",
        "listening_note": ("Ports in LISTEN on each host, with the addresses and processes "
                           "listening; ports missing on some hosts come first."),
        "port": "Port",
        "status": "Status",
        "everywhere": "on every host",
        "missing_on": "missing on {hosts}",
        "scope_differs": "listens on different addresses",
        "not_listed": "\u2014",
        "unknown_listeners": "unknown (a counts-only document)",
        "no_listeners": "No host has a socket in LISTEN.",
        "states": "What the states mean",
        "seen_by": "Seen by",
        "pile_means": "When many pile up",
        "explained": "Why it matters",
        "findings": "Findings",
        "findings_note": ("What the library's diagnose found on each host whose snapshot "
                          "carries it (python -m sockstate snapshot), its TCP counters read "
                          "once, since boot: a finding that rests on a change of the "
                          "counters needs sockstate diagnose on the host. The report's own "
                          "warnings leave such a host to these."),
        "findings_none": "no problem found",
        "findings_absent": "not in this snapshot",
        "advice": "What to do",
        "severity_info": "INFO",
        "severity_warning": "WARNING",
        "severity_critical": "CRITICAL",
        "counters": "TCP counters",
        "counters_note": ("The kernel's TCP counters since each host (Linux: its network "
                          "namespace) started, with the name its OS gives each; \u2014 where "
                          "the OS does not keep one (docs/COUNTERS.md)."),
        "counter": "Counter",
        "scope_any": "every address",
        "scope_loopback": "loopback only",
        "generated": ("Made by {prog} from {files}. Library version of each snapshot: "
                      "{versions}."),
        "native_none": "no socket listed",
        "w_close_wait": "CLOSE_WAIT piling up under one process",
        "w_close_wait_detail": ("{host}: {sockets} in CLOSE_WAIT owned by {owner} "
                                "(local ports {ports}; {peers})."),
        "peers_one": "1 peer address",
        "peers_many": "{n} peer addresses",
        "w_close_wait_noowner": ("{host}: {sockets} in CLOSE_WAIT on local ports {ports} "
                                 "(owners were not collected: take the snapshot with -p "
                                 "to see which process)."),
        "w_close_wait_counts": ("{host}: {sockets} in CLOSE_WAIT (a counts-only document: "
                                "take a full snapshot with -p to see which process)."),
        "w_close_wait_why": ("The peers have closed these connections but the process has "
                             "not closed its end: its code misses a close() on some path, "
                             "or it is stuck. They stay until the process closes them or "
                             "exits; restarting it frees them, fixing the missing close "
                             "keeps them away."),
        "w_syn": "SYN_RECEIVED flood",
        "w_syn_detail": ("{host}: {conns} in SYN_RECEIVED on local ports "
                         "{ports}, from {sources}."),
        "sources_one": "1 address",
        "sources_many": "{n} different addresses",
        "w_syn_counts": "{host}: {conns} in SYN_RECEIVED.",
        "w_syn_why": ("Handshakes are started but not finished. Many different sources "
                      "point to a SYN flood (often spoofed); few sources to a firewall or "
                      "asymmetric route losing the final ACK; a full accept queue to an "
                      "application that accepts too slowly. Check that SYN cookies are on "
                      "and the listen backlog is large enough."),
        "w_syn_sent": "SYN_SENT piling up toward one destination",
        "w_syn_sent_detail": ("{host}: {attempts} in SYN_SENT to {dest}, none answered "
                              "yet{owner}."),
        "w_syn_sent_by": " (by {owner})",
        "w_syn_sent_counts": ("{host}: {attempts} in SYN_SENT (a counts-only document "
                              "does not say to which destination)."),
        "w_syn_sent_why": ("This host's connection requests get no answer: the "
                           "destination is down or unreachable, a firewall drops the "
                           "SYNs silently (a closed port or a rejecting firewall fails at "
                           "once instead), or the server's accept queue is full because "
                           "its application accepts too slowly, and its kernel drops new "
                           "SYNs (on that server, look for a listener whose queue is at "
                           "its backlog). Many destinations at once, rather than one, "
                           "can be a port scan or malware on this host."),
        "w_backlog": "A listener's accept queue is at its backlog",
        "w_backlog_detail": ("{host}: the listener on {endpoint}{owner} has {waiting} "
                             "waiting to be accepted, its backlog's limit ({limit})."),
        "w_backlog_why": ("The application does not accept connections as fast as they "
                          "arrive: it is busy, blocked, or has too few workers. While the "
                          "queue is full the kernel drops new handshakes, so clients wait "
                          "in SYN_SENT, retry and time out. Make it accept faster (more "
                          "workers), or raise its listen backlog (on Linux within "
                          "net.core.somaxconn)."),
        "w_tw": "TIME_WAIT close to the ephemeral port range",
        "w_tw_detail": ("{host}: {sockets_hold} local ports of the "
                        "ephemeral range {lo}-{hi} ({size} ports, the default of {os}); "
                        "{share} of the range. The busiest destination is {dest} with "
                        "{dest_n}."),
        "w_tw_counts": ("{host}: {sockets} in TIME_WAIT, {share} of the ephemeral range "
                        "{lo}-{hi} ({size} ports, the default of {os}); a counts-only "
                        "document does not say which ports they hold."),
        "w_tw_why": ("Each connection this host closes first keeps its local port in "
                     "TIME_WAIT for a while (60 s on Linux, up to 4 minutes elsewhere). "
                     "When they approach the number of ephemeral ports, new outgoing "
                     "connections to the same destination fail (\"Cannot assign requested "
                     "address\"). Reuse connections (keep-alive, pooling), or widen the "
                     "range."),
        "state_says": "What {state} means when many pile up",
    },
    "es": {
        "title": "Sockets TCP en {hosts}",
        "count_hosts_one": "1 equipo",
        "count_hosts_many": "{n} equipos",
        "count_sockets_one": "1 socket",
        "count_sockets_many": "{n} sockets",
        "count_half_open_one": "1 conexión a medio abrir",
        "count_half_open_many": "{n} conexiones a medio abrir",
        "count_tw_hold_one": "1 socket en TIME_WAIT ocupa",
        "count_tw_hold_many": "{n} sockets en TIME_WAIT ocupan",
        "count_attempts_one": "1 intento de conexión",
        "count_attempts_many": "{n} intentos de conexión",
        "count_waiting_one": "1 conexión",
        "count_waiting_many": "{n} conexiones",
        "count_processes_one": "1 proceso",
        "count_processes_many": "{n} procesos",
        "subtitle": "{n} capturas tomadas entre {first} y {last} (UTC).",
        "subtitle_one": "1 captura tomada el {first} (UTC).",
        "unknown_time": "un momento desconocido",
        "nav": "Contenido",
        "hosts": "Equipos",
        "host": "Equipo",
        "file": "Archivo",
        "os": "Sistema operativo",
        "backend": "Backend",
        "taken_at": "Tomada (UTC)",
        "owners": "Propietarios",
        "owners_none": "no recogidos",
        "sockets": "Sockets",
        "counts_only": "solo recuentos",
        "warnings": "Avisos",
        "no_warnings": "No se encontró ningún patrón problemático en estas capturas.",
        "matrix": "Estados \u00d7 equipos",
        "matrix_note": ("Sockets por estado normalizado en cada equipo; bajo cada número, el "
                        "nombre que da al estado el sistema operativo de ese equipo. Las "
                        "barras comparan los equipos dentro de un mismo estado."),
        "chart": "Sockets por estado y equipo",
        "state": "Estado",
        "native": "Nombre nativo",
        "count": "Número",
        "total": "Total",
        "per_host": "Por equipo",
        "listening": "Puertos en escucha",
        "listening_note": ("Puertos en LISTEN en cada equipo, con las direcciones y los "
                           "procesos que escuchan; primero los puertos que faltan en algún "
                           "equipo."),
        "port": "Puerto",
        "status": "Situación",
        "everywhere": "en todos los equipos",
        "missing_on": "falta en {hosts}",
        "scope_differs": "escucha en direcciones distintas",
        "not_listed": "\u2014",
        "unknown_listeners": "desconocido (un documento solo de recuentos)",
        "no_listeners": "Ningún equipo tiene sockets en LISTEN.",
        "states": "Qué significan los estados",
        "seen_by": "Lo ve",
        "pile_means": "Cuando se acumulan",
        "explained": "Por qué importa",
        "findings": "Hallazgos",
        "findings_note": ("Lo que encontró el diagnose de la biblioteca en cada equipo cuya "
                          "captura lo incluye (python -m sockstate snapshot), con sus "
                          "contadores TCP leídos una vez, desde el arranque: un hallazgo que "
                          "depende de un cambio de los contadores necesita sockstate diagnose "
                          "en el equipo. Los avisos propios del informe dejan esos equipos a "
                          "estos hallazgos."),
        "findings_none": "no se encontró ningún problema",
        "findings_absent": "no incluidos en esta captura",
        "advice": "Qué hacer",
        "severity_info": "INFO",
        "severity_warning": "AVISO",
        "severity_critical": "CRÍTICO",
        "counters": "Contadores TCP",
        "counters_note": ("Los contadores TCP del núcleo desde que arrancó cada equipo (Linux: "
                          "su espacio de nombres de red), con el nombre que les da su sistema; "
                          "\u2014 donde el sistema no lleva uno (docs/COUNTERS.md)."),
        "counter": "Contador",
        "scope_any": "todas las direcciones",
        "scope_loopback": "solo loopback",
        "generated": ("Generado por {prog} a partir de {files}. Versión de la biblioteca "
                      "de cada captura: {versions}."),
        "native_none": "ningún socket listado",
        "w_close_wait": "CLOSE_WAIT acumulándose en un proceso",
        "w_close_wait_detail": ("{host}: {sockets} en CLOSE_WAIT del proceso {owner} "
                                "(puertos locales {ports}; {peers})."),
        "peers_one": "1 dirección remota",
        "peers_many": "{n} direcciones remotas",
        "w_close_wait_noowner": ("{host}: {sockets} en CLOSE_WAIT en los puertos locales "
                                 "{ports} (no se recogieron los propietarios: tome la "
                                 "captura con -p para saber qué proceso es)."),
        "w_close_wait_counts": ("{host}: {sockets} en CLOSE_WAIT (un documento solo de "
                                "recuentos: tome una captura completa con -p para saber "
                                "qué proceso es)."),
        "w_close_wait_why": ("El otro extremo ya cerró estas conexiones pero el proceso no "
                             "ha cerrado la suya: a su código le falta un close() en algún "
                             "camino, o está bloqueado. Siguen ahí hasta que el proceso las "
                             "cierre o termine; reiniciarlo las libera, corregir el cierre "
                             "que falta evita que vuelvan."),
        "w_syn": "Inundación de SYN_RECEIVED",
        "w_syn_detail": ("{host}: {conns} en SYN_RECEIVED en los "
                         "puertos locales {ports}, desde {sources}."),
        "sources_one": "1 dirección",
        "sources_many": "{n} direcciones distintas",
        "w_syn_counts": "{host}: {conns} en SYN_RECEIVED.",
        "w_syn_why": ("Se empiezan negociaciones que no terminan. Muchos orígenes distintos "
                      "apuntan a una inundación de SYN (a menudo con direcciones "
                      "falsificadas); pocos orígenes, a un cortafuegos o una ruta asimétrica "
                      "que pierde el ACK final; una cola de aceptación llena, a una "
                      "aplicación que acepta demasiado despacio. Compruebe que las SYN "
                      "cookies están activas y que la cola de escucha es suficiente."),
        "w_syn_sent": "SYN_SENT acumulándose hacia un mismo destino",
        "w_syn_sent_detail": ("{host}: {attempts} en SYN_SENT hacia {dest}, aún sin "
                              "respuesta{owner}."),
        "w_syn_sent_by": " (de {owner})",
        "w_syn_sent_counts": ("{host}: {attempts} en SYN_SENT (un documento solo de "
                              "recuentos no dice hacia qué destino)."),
        "w_syn_sent_why": ("Las solicitudes de conexión de este equipo no reciben "
                           "respuesta: el destino está apagado o es inalcanzable, un "
                           "cortafuegos descarta los SYN sin avisar (un puerto cerrado o "
                           "un cortafuegos que rechaza dan error de inmediato), o la cola "
                           "de aceptación del servidor está llena porque su aplicación "
                           "acepta demasiado despacio, y su núcleo descarta los SYN nuevos "
                           "(en ese servidor, busque un socket en escucha cuya cola esté "
                           "en su backlog). Muchos destinos a la vez, en lugar de uno, "
                           "pueden ser un escaneo de puertos o software malicioso en este "
                           "equipo."),
        "w_backlog": "La cola de aceptación de un socket en escucha está en su backlog",
        "w_backlog_detail": ("{host}: el socket en escucha en {endpoint}{owner} tiene "
                             "{waiting} en cola por aceptar, el límite de su backlog "
                             "({limit})."),
        "w_backlog_why": ("La aplicación no acepta las conexiones tan deprisa como llegan: "
                          "está ocupada, bloqueada o tiene pocos procesos de trabajo. "
                          "Mientras la cola está llena el núcleo descarta las nuevas "
                          "negociaciones, así que los clientes esperan en SYN_SENT, "
                          "reintentan y agotan el tiempo. Haga que acepte más deprisa "
                          "(más procesos de trabajo) o aumente su cola de escucha (en "
                          "Linux, dentro de net.core.somaxconn)."),
        "w_tw": "TIME_WAIT cerca del tamaño del rango de puertos efímeros",
        "w_tw_detail": ("{host}: {sockets_hold} puertos locales del rango "
                        "efímero {lo}-{hi} ({size} puertos, el predeterminado de {os}); "
                        "{share} del rango. El destino más frecuente es {dest} con "
                        "{dest_n}."),
        "w_tw_counts": ("{host}: {sockets} en TIME_WAIT, {share} del rango efímero "
                        "{lo}-{hi} ({size} puertos, el predeterminado de {os}); un documento "
                        "solo de recuentos no dice qué puertos ocupan."),
        "w_tw_why": ("Cada conexión que este equipo cierra primero deja su puerto local en "
                     "TIME_WAIT un tiempo (60 s en Linux, hasta 4 minutos en otros "
                     "sistemas). Cuando se acercan al número de puertos efímeros, las "
                     "nuevas conexiones salientes hacia el mismo destino fallan (\"Cannot "
                     "assign requested address\"). Reutilice las conexiones (keep-alive, "
                     "pools) o amplíe el rango."),
        "state_says": "Qué significa {state} cuando se acumulan",
    },
}
LANGS = tuple(TEXTS)


class InputError(Exception):
    """A file that is not a usable sockstate/1 document (exit 2)."""


class UsageError(Exception):
    """Bad command-line usage (exit 2)."""


# ---------------------------------------------------------------- states

def explain(state: str, lang: str) -> Tuple[str, str, str, str]:
    """(side, meaning, seen_by, pile_means) of a state in lang: from the C
    library when the extension is there, else from the copy of its texts
    (_report_data, checked against the C sources by tests/report)."""
    from ._native import available
    if available():
        from ._state import State
        info = State(state).describe(lang)
        return info.side, info.meaning, info.seen_by, info.pile_means
    side, texts = _report_data.STATE_TEXTS[state]
    return (side,) + tuple(texts[lang])  # type: ignore[return-value]


# ---------------------------------------------------------------- input

def _no_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise ValueError("duplicate key %r" % k)
        seen.add(k)
    return dict(pairs)


def _no_constants(name: str) -> Any:
    raise ValueError("%s is not JSON" % name)


def _where(path: Iterable[Any]) -> str:
    out = ""
    for p in path:
        out += "[%d]" % p if isinstance(p, int) else ("." if out else "") + str(p)
    return out or "the top level"


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def parse_json(data: bytes) -> Any:
    """The JSON value of data; InputError saying what is wrong."""
    if not data.strip():
        raise InputError("empty file, not a %s document" % SCHEMA_NAME)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError("not UTF-8 text (byte 0x%02x at offset %d)" % (data[e.start], e.start))
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates,
                          parse_constant=_no_constants)
    except json.JSONDecodeError as e:
        # Ran out of text: an error at its very end, or a string never closed.
        if e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string"):
            end = text.rstrip()
            line = end.count("\n") + 1
            column = len(end) - (end.rfind("\n") + 1)
            raise InputError("truncated JSON: the text ends at line %d column %d before "
                             "the document is complete" % (line, column))
        raise InputError("not valid JSON: %s at line %d column %d" % (e.msg, e.lineno, e.colno))
    except (ValueError, RecursionError) as e:
        raise InputError("not valid JSON: %s" % _short(e))


def _schema() -> Dict[str, Any]:
    return json.loads(_report_data.SCHEMA_JSON)


def _validator() -> Any:
    """A jsonschema validator for sockstate/1, or None without jsonschema."""
    try:
        import jsonschema  # type: ignore[import-not-found]
        import jsonschema.validators  # type: ignore[import-not-found]
    except ImportError:
        return None
    schema = _schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _schema_problem(validator: Any, doc: Any) -> Optional[str]:
    import jsonschema.exceptions  # type: ignore[import-not-found]
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is None:
        return None
    # best_match may pick a oneOf/anyOf node: its deepest cause names the field.
    while error.context:
        error = sorted(error.context, key=lambda e: -len(e.absolute_path))[0]
    return "at %s: %s" % (_where(error.absolute_path), _short(error.message))


def _structural_problem(doc: Dict[str, Any]) -> Optional[str]:
    """What jsonschema would catch first, for Pythons without it: the
    fields the report reads, with their types."""
    for key in ("host", "os", "backend", "library_version", "taken_at", "pid_source",
                "counts"):
        if key not in doc:
            return "at the top level: %r is a required property" % key
    if doc["host"] is not None and not isinstance(doc["host"], str):
        return "at host: %r is not a string or null" % (doc["host"],)
    if doc["os"] is not None:
        if not isinstance(doc["os"], dict):
            return "at os: not an object or null"
        for key in ("name", "release", "version", "machine"):
            if key not in doc["os"]:
                return "at os: %r is a required property" % key
            if doc["os"][key] is not None and not isinstance(doc["os"][key], str):
                return "at os.%s: not a string or null" % key
    if doc["backend"] is not None and doc["backend"] not in BACKENDS:
        return "at backend: %r is not one of %s" % (doc["backend"], list(BACKENDS))
    if not isinstance(doc["library_version"], str):
        return "at library_version: not a string"
    if doc["taken_at"] is not None and not isinstance(doc["taken_at"], str):
        return "at taken_at: not a string or null"
    if doc["pid_source"] is not None and not isinstance(doc["pid_source"], str):
        return "at pid_source: not a string or null"
    total = doc.get("total")
    if "total" in doc and (not isinstance(total, int) or isinstance(total, bool) or total < 0):
        return "at total: %r is not a count" % (total,)
    counts = doc["counts"]
    if not isinstance(counts, dict):
        return "at counts: not an object"
    for k, v in counts.items():
        if k not in STATES:
            return "at counts: %r is not a state" % k
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            return "at counts.%s: %r is not a count" % (k, v)
    if "findings" in doc:
        if not isinstance(doc["findings"], list):
            return "at findings: not an array"
        for i, f in enumerate(doc["findings"]):
            text = f.get("text") if isinstance(f, dict) else None
            if not isinstance(text, dict) or not all(k in f for k in ("code", "severity")):
                return "at findings[%d]: not a finding {code, severity, text}" % i
            if f["severity"] not in ("info", "warning", "critical"):
                return "at findings[%d].severity: %r is not one of info, warning, critical" % (
                    i, f["severity"])
            for lang in ("en", "es"):
                one = text.get(lang)
                if not isinstance(one, dict) or not all(
                        isinstance(one.get(k), str) for k in ("headline", "advice")):
                    return "at findings[%d].text.%s: not {headline, advice, ...}" % (i, lang)
    counters = (doc.get("tcp_counters") or {}).get("counters") if isinstance(
        doc.get("tcp_counters"), dict) else None
    if "tcp_counters" in doc and not isinstance(counters, dict):
        return "at tcp_counters: not an object with counters"
    for name, c in (counters or {}).items():
        if not isinstance(c, dict) or "value" not in c or "native" not in c:
            return "at tcp_counters.counters.%s: not {value, native}" % name
        if c["value"] is not None and (not isinstance(c["value"], int) or
                                       isinstance(c["value"], bool) or c["value"] < 0):
            return "at tcp_counters.counters.%s.value: not a count or null" % name
    sockets = doc.get("sockets")
    if "sockets" in doc and not isinstance(sockets, list):
        return "at sockets: not an array"
    for i, s in enumerate(sockets or []):
        where = "sockets[%d]" % i
        if not isinstance(s, dict):
            return "at %s: not an object" % where
        for key in ("family", "local", "remote", "state", "native_state", "pid", "process"):
            if key not in s:
                return "at %s: %r is a required property" % (where, key)
        if s["family"] not in ("ipv4", "ipv6"):
            return "at %s.family: %r is not one of ['ipv4', 'ipv6']" % (where, s["family"])
        if s["state"] not in STATES:
            return "at %s.state: %r is not a state" % (where, s["state"])
        for end in ("local", "remote"):
            e = s[end]
            if not isinstance(e, dict) or "address" not in e or "port" not in e:
                return "at %s.%s: not an endpoint {address, port}" % (where, end)
            if e["address"] is not None and not isinstance(e["address"], str):
                return "at %s.%s.address: not a string or null" % (where, end)
            p = e["port"]
            if not isinstance(p, int) or isinstance(p, bool) or not 0 <= p <= 65535:
                return "at %s.%s.port: %r is not a port (0-65535)" % (where, end, p)
        n = s["native_state"]
        if not isinstance(n, dict) or "code" not in n or "name" not in n:
            return "at %s.native_state: not an object {code, name}" % where
        if not isinstance(n["code"], int) or isinstance(n["code"], bool):
            return "at %s.native_state.code: not an integer" % where
        if n["name"] is not None and not isinstance(n["name"], str):
            return "at %s.native_state.name: not a string or null" % where
        if s["pid"] is not None and (not isinstance(s["pid"], int) or isinstance(s["pid"], bool)):
            return "at %s.pid: not an integer or null" % where
        if s["process"] is not None and not isinstance(s["process"], str):
            return "at %s.process: not a string or null" % where
    return None


#: The largest number a document may hold: sockstate/1 counts, queues,
#: inodes and cookies are unsigned 64-bit integers.
NUMBER_MAX = 2 ** 64 - 1


def _value_problem(value: Any, path: Tuple[Any, ...] = ()) -> Optional[str]:
    """What the schema cannot say: no number beyond 64 bits (10**400 would
    overflow every float the report computes), no lone UTF-16 surrogate
    ("\\ud800" is valid JSON but not text: it cannot be written out)."""
    if isinstance(value, dict):
        items: Iterable[Tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int):
        if not -NUMBER_MAX <= value <= NUMBER_MAX:
            return "at %s: a %d-digit number is too large (at most %d)" % (
                _where(path), len(str(abs(value))), NUMBER_MAX)
        return None
    elif isinstance(value, str):
        if value.isascii():
            return None
        bad = next((c for c in value if "\ud800" <= c <= "\udfff"), None)
        if bad is not None:
            return "at %s: \\u%04x, a lone UTF-16 surrogate, is not text" % (
                _where(path), ord(bad))
        return None
    else:
        return None
    for k, v in items:
        if isinstance(k, str):
            problem = _value_problem(k, path)
            if problem:
                return problem
        problem = _value_problem(v, path + (k,))
        if problem:
            return problem
    return None


def check_document(doc: Any, validator: Any = None) -> Dict[str, Any]:
    """doc itself when it is a sockstate/1 document the report can read;
    InputError naming the first problem otherwise."""
    if not isinstance(doc, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
            type(doc), "a number")
        raise InputError("not a %s document: the JSON is %s, not an object"
                         % (SCHEMA_NAME, kind))
    if "schema" not in doc:
        hint = ""
        if "sockets" in doc or "counts" in doc:
            hint = " (it has sockets or counts, but says no schema)"
        raise InputError('not a %s document: no "schema" key%s' % (SCHEMA_NAME, hint))
    if doc["schema"] != SCHEMA_NAME:
        raise InputError('not a %s document: its "schema" is %s'
                         % (SCHEMA_NAME, _short(json.dumps(doc["schema"]), 60)))
    problem = _value_problem(doc) or (_schema_problem(validator, doc) if validator is not None
                                      else _structural_problem(doc))
    if problem:
        raise InputError("does not match the %s schema %s" % (SCHEMA_NAME, problem))
    return doc


def load(path: str, validator: Any = None) -> Dict[str, Any]:
    """Read and check one file ("-": standard input)."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as f:
                data = f.read()
    except OSError as e:
        raise InputError("cannot read: %s" % (e.strerror or e))
    return check_document(parse_json(data), validator)


# ---------------------------------------------------------------- model

class Host:
    """One snapshot, as the report shows it."""

    def __init__(self, path: str, doc: Dict[str, Any]) -> None:
        self.path = path
        self.file = "stdin" if path == "-" else os.path.basename(path)
        self.doc = doc
        self.name = doc.get("host") or os.path.splitext(self.file)[0]
        self.label = self.name
        os_ = doc.get("os") or {}
        self.os_name = os_.get("name") or ""
        self.os_text = " ".join(x for x in (os_.get("name"), os_.get("release"),
                                            os_.get("machine")) if x) or "?"
        self.backend = doc.get("backend") or "?"
        self.taken_at = doc.get("taken_at")
        self.pid_source = doc.get("pid_source")
        self.version = doc.get("library_version") or "?"
        self.counts = {s: int(doc.get("counts", {}).get(s, 0)) for s in STATES}
        #: the library's findings (python -m sockstate snapshot), None when
        #: the snapshot carries none; its TCP counters {name: {value, native}}
        self.findings: Optional[List[Dict[str, Any]]] = doc.get("findings")
        self.counters: Optional[Dict[str, Dict[str, Any]]] = (
            (doc.get("tcp_counters") or {}).get("counters"))
        self.sockets: Optional[List[Dict[str, Any]]] = doc.get("sockets")
        total = doc.get("total")
        self.total = total if isinstance(total, int) else sum(self.counts.values())
        self.natives: Dict[str, List[str]] = {}
        for s in self.sockets or []:
            name = (s.get("native_state") or {}).get("name")
            if name:
                seen = self.natives.setdefault(s["state"], [])
                if name not in seen:
                    seen.append(name)

    def native(self, state: str) -> str:
        return " / ".join(self.natives.get(state, []))

    def listeners(self) -> Optional[List[Dict[str, Any]]]:
        if self.sockets is None:
            return None
        return [s for s in self.sockets if s.get("state") == "LISTEN"]


def label_hosts(hosts: List[Host]) -> None:
    """Labels unique across the report: the host name, and the file when
    two snapshots name the same host."""
    by_name: Dict[str, int] = {}
    for h in hosts:
        by_name[h.name] = by_name.get(h.name, 0) + 1
    for h in hosts:
        if by_name[h.name] > 1:
            h.label = "%s (%s)" % (h.name, h.file)


def present_states(hosts: Sequence[Host]) -> List[str]:
    return [s for s in STATES if any(h.counts[s] for h in hosts)]


# ---------------------------------------------------------------- warnings

class Finding:
    def __init__(self, kind: str, host: Host, title: str, detail: str, why: str,
                 state: str, state_says: str, pile_means: str) -> None:
        self.kind = kind
        self.host = host
        self.title = title
        self.detail = detail
        self.why = why
        self.state = state
        self.state_says = state_says
        self.pile_means = pile_means


def _endpoint(address: Optional[str], port: int) -> str:
    address = address or "?"
    return "[%s]:%d" % (address, port) if ":" in address else "%s:%d" % (address, port)


def _count(t: Dict[str, str], noun: str, n: int) -> str:
    """n with its noun, singular or plural: "1 host", "3 hosts"."""
    return t["count_%s_%s" % (noun, "one" if n == 1 else "many")].format(n=n)


def _owner(s: Dict[str, Any]) -> Optional[str]:
    """A socket's owner as a finding names it: "java (pid 4242)"."""
    if s.get("pid") is None:
        return None
    return "%s (pid %d)" % (s["process"], s["pid"]) if s.get("process") else "pid %d" % s["pid"]


def _owners(t: Dict[str, str], socks: Sequence[Dict[str, Any]]) -> Optional[str]:
    """The one owner of socks, "N processes" when several, None unknown."""
    owners = sorted({o for o in (_owner(s) for s in socks) if o is not None})
    if not owners:
        return None
    return owners[0] if len(owners) == 1 else _count(t, "processes", len(owners))


def _ports(values: Iterable[int], limit: int = 4) -> str:
    tally: Dict[int, int] = {}
    for v in values:
        tally[v] = tally.get(v, 0) + 1
    ports = sorted(tally, key=lambda p: (-tally[p], p))
    text = ", ".join(str(p) for p in ports[:limit])
    return text + (", ..." if len(ports) > limit else "")


def find_warnings(hosts: Sequence[Host], lang: str, close_wait_min: int = CLOSE_WAIT_MIN,
                  syn_received_min: int = SYN_RECEIVED_MIN,
                  time_wait_fraction: float = TIME_WAIT_FRACTION,
                  syn_sent_min: int = SYN_SENT_MIN) -> List[Finding]:
    t = TEXTS[lang]
    out: List[Finding] = []

    def add(kind: str, host: Host, title: str, detail: str, why: str, state: str) -> None:
        out.append(Finding(kind, host, title, detail, why, state,
                            t["state_says"].format(state=state), explain(state, lang)[3]))

    for h in hosts:
        # A host whose snapshot carries the library's findings is left to
        # them (the Findings section): one word per problem, not two.
        if h.findings is not None:
            continue
        # CLOSE_WAIT under one process.
        if h.sockets is None:
            if h.counts["CLOSE_WAIT"] >= close_wait_min:
                add("close_wait", h, t["w_close_wait"], t["w_close_wait_counts"].format(
                    host=h.label, sockets=_count(t, "sockets", h.counts["CLOSE_WAIT"])),
                    t["w_close_wait_why"], "CLOSE_WAIT")
        else:
            groups: Dict[Any, List[Dict[str, Any]]] = {}
            for s in h.sockets:
                if s.get("state") == "CLOSE_WAIT":
                    key = (s.get("pid"), s.get("process")) if s.get("pid") is not None else None
                    groups.setdefault(key, []).append(s)
            for key in sorted(groups, key=lambda k: (-len(groups[k]), str(k))):
                socks = groups[key]
                if len(socks) < close_wait_min:
                    continue
                ports = _ports(s["local"]["port"] for s in socks)
                sockets = _count(t, "sockets", len(socks))
                if key is None:
                    detail = t["w_close_wait_noowner"].format(host=h.label, sockets=sockets,
                                                              ports=ports)
                else:
                    n_peers = len({s["remote"]["address"] for s in socks})
                    peers = (t["peers_one"] if n_peers == 1
                             else t["peers_many"].format(n=n_peers))
                    detail = t["w_close_wait_detail"].format(host=h.label, sockets=sockets,
                                                             owner=_owner(socks[0]),
                                                             ports=ports, peers=peers)
                add("close_wait", h, t["w_close_wait"], detail, t["w_close_wait_why"],
                    "CLOSE_WAIT")

        # SYN_RECEIVED floods.
        n = h.counts["SYN_RECEIVED"]
        if n >= syn_received_min:
            if h.sockets is None:
                detail = t["w_syn_counts"].format(host=h.label,
                                                  conns=_count(t, "half_open", n))
            else:
                syn = [s for s in h.sockets if s.get("state") == "SYN_RECEIVED"]
                n_sources = len({s["remote"]["address"] for s in syn})
                detail = t["w_syn_detail"].format(
                    host=h.label, conns=_count(t, "half_open", n),
                    ports=_ports(s["local"]["port"] for s in syn),
                    sources=(t["sources_one"] if n_sources == 1
                             else t["sources_many"].format(n=n_sources)))
            add("syn_received", h, t["w_syn"], detail, t["w_syn_why"], "SYN_RECEIVED")

        # SYN_SENT piling up toward one destination (address and port).
        if h.sockets is None:
            n = h.counts["SYN_SENT"]
            if n >= syn_sent_min:
                add("syn_sent", h, t["w_syn_sent"], t["w_syn_sent_counts"].format(
                    host=h.label, attempts=_count(t, "attempts", n)),
                    t["w_syn_sent_why"], "SYN_SENT")
        else:
            by_dest: Dict[str, List[Dict[str, Any]]] = {}
            for s in h.sockets:
                if s.get("state") == "SYN_SENT":
                    by_dest.setdefault(_endpoint(s["remote"]["address"], s["remote"]["port"]),
                                     []).append(s)
            for dest in sorted(by_dest, key=lambda d: (-len(by_dest[d]), d)):
                socks = by_dest[dest]
                if len(socks) < syn_sent_min:
                    continue
                owner = _owners(t, socks)
                add("syn_sent", h, t["w_syn_sent"], t["w_syn_sent_detail"].format(
                    host=h.label, attempts=_count(t, "attempts", len(socks)), dest=dest,
                    owner=t["w_syn_sent_by"].format(owner=owner) if owner else ""),
                    t["w_syn_sent_why"], "SYN_SENT")

        # A listener whose accept queue is at its backlog: for LISTEN,
        # rx_queue is the queue and tx_queue its limit (linux-proc does
        # not know the limit: 0).
        for s in h.listeners() or []:
            waiting, limit = s.get("rx_queue"), s.get("tx_queue")
            if (h.backend == "linux-proc" or not isinstance(waiting, int) or
                    not isinstance(limit, int) or waiting == 0 or waiting < limit):
                continue
            owner = _owner(s)
            add("listen_backlog", h, t["w_backlog"], t["w_backlog_detail"].format(
                host=h.label, endpoint=_endpoint(s["local"]["address"], s["local"]["port"]),
                owner=" (%s)" % owner if owner else "",
                waiting=_count(t, "waiting", waiting), limit=limit),
                t["w_backlog_why"], "SYN_SENT")

        # TIME_WAIT near the size of the ephemeral port range.
        lo, hi = EPHEMERAL_RANGES.get(h.os_name, DEFAULT_EPHEMERAL)
        size = hi - lo + 1
        os_label = h.os_name or "?"
        if h.sockets is None:
            n = h.counts["TIME_WAIT"]
            if n >= time_wait_fraction * size:
                add("time_wait", h, t["w_tw"], t["w_tw_counts"].format(
                    host=h.label, sockets=_count(t, "sockets", n), share="%d%%" % round(100 * n / size), lo=lo, hi=hi,
                    size=size, os=os_label), t["w_tw_why"], "TIME_WAIT")
        else:
            tw = [s for s in h.sockets if s.get("state") == "TIME_WAIT"
                  and lo <= s["local"]["port"] <= hi]
            if tw and len(tw) >= time_wait_fraction * size:
                dests: Dict[str, int] = {}
                for s in tw:
                    d = _endpoint(s["remote"]["address"], s["remote"]["port"])
                    dests[d] = dests.get(d, 0) + 1
                dest = sorted(dests, key=lambda d: (-dests[d], d))[0]
                add("time_wait", h, t["w_tw"], t["w_tw_detail"].format(
                    host=h.label, sockets_hold=_count(t, "tw_hold", len(tw)), share="%d%%" % round(100 * len(tw) / size),
                    lo=lo, hi=hi, size=size, os=os_label, dest=dest, dest_n=dests[dest]),
                    t["w_tw_why"], "TIME_WAIT")
    return out


# ---------------------------------------------------------------- listening

def _scope(address: str) -> str:
    a = (address or "").split("%", 1)[0]
    if a in ("0.0.0.0", "::", "*"):
        return "any"
    if a.startswith("127.") or a == "::1" or a.startswith("::ffff:127."):
        return "loopback"
    return "specific"


class ListenRow:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cells: Dict[int, Optional[List[str]]] = {}
        self.scopes: Dict[int, frozenset] = {}
        self.missing: List[Host] = []
        self.status = ""


def listening_rows(hosts: Sequence[Host], lang: str) -> List[ListenRow]:
    t = TEXTS[lang]
    per_host: Dict[int, Optional[Dict[int, List[Dict[str, Any]]]]] = {}
    ports: set = set()
    for i, h in enumerate(hosts):
        ls = h.listeners()
        if ls is None:
            per_host[i] = None
            continue
        by_port: Dict[int, List[Dict[str, Any]]] = {}
        for s in ls:
            by_port.setdefault(s["local"]["port"], []).append(s)
        per_host[i] = by_port
        ports.update(by_port)
    rows = []
    for port in sorted(ports):
        row = ListenRow(port)
        for i, h in enumerate(hosts):
            by_port = per_host[i]
            if by_port is None:
                row.cells[i] = None
                continue
            socks = by_port.get(port)
            if not socks:
                row.cells[i] = []
                row.missing.append(h)
                continue
            words = []
            for s in socks:
                word = _endpoint(s["local"]["address"], port).rsplit(":", 1)[0]
                if s.get("process"):
                    word += " %s" % s["process"]
                if word not in words:
                    words.append(word)
            row.cells[i] = words
            row.scopes[i] = frozenset(_scope(s["local"]["address"]) for s in socks)
        if row.missing:
            row.status = t["missing_on"].format(hosts=", ".join(h.label for h in row.missing))
        elif len(set(row.scopes.values())) > 1:
            row.status = t["scope_differs"]
        else:
            row.status = t["everywhere"]
        rows.append(row)
    rows.sort(key=lambda r: (not r.missing, r.status == t["everywhere"], r.port))
    return rows


# ---------------------------------------------------------------- HTML

CSS = """
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;margin:0;color:#1d2327;background:#f6f7f8;font-size:14px;line-height:1.45}
header{background:#1f3b57;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:24px}
header p{margin:0;color:#d7e3ee}
nav{padding:8px 28px;background:#e8edf1;border-bottom:1px solid #cfd8df}
nav a{margin-right:16px;color:#1f3b57;text-decoration:none;font-weight:bold}
main{padding:4px 28px 24px}
section{margin-top:22px}
h2{font-size:19px;border-bottom:2px solid #1f3b57;padding-bottom:3px;margin-bottom:10px}
h3{font-size:16px;margin:14px 0 6px}
table{border-collapse:collapse;background:#fff;margin:6px 0 10px}
th,td{border:1px solid #cfd8df;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#e8edf1}
td.n{text-align:right;font-variant-numeric:tabular-nums}
td.zero{color:#a0a8ae}
.native{display:block;font-size:11px;color:#5f6b73;font-family:"DejaVu Sans Mono",monospace}
.state{font-family:"DejaVu Sans Mono",monospace;font-weight:bold}
.swatch{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px;vertical-align:middle}
svg.bar{display:block;margin-top:2px}
.note{color:#4a555c;margin:4px 0 8px}
.warning{background:#fff4e5;border-left:5px solid #d35400;padding:8px 12px;margin:8px 0}
.warning h3{margin:0 0 4px;color:#a04000}
.warning p{margin:4px 0}
.finding{border-left:5px solid #5f6b73;padding:8px 12px;margin:8px 0;background:#f4f6f7}
.finding.warning{border-color:#d35400;background:#fff4e5}
.finding.critical{border-color:#c0392b;background:#fdecea}
.finding h4{margin:0 0 4px}
.finding p{margin:4px 0}
.ok{background:#eaf6ee;border-left:5px solid #2e8b57;padding:8px 12px}
tr.missing td.status{color:#a04000;font-weight:bold}
tr.differs td.status{color:#7d5ba6;font-weight:bold}
td.absent{color:#a04000;text-align:center}
.hosts-grid{display:flex;flex-wrap:wrap;gap:16px}
article.host{background:#fff;border:1px solid #cfd8df;padding:6px 12px;min-width:300px}
article.host table{margin:4px 0}
dl dt{margin-top:10px}
dl dd{margin:2px 0 0 18px}
dd p{margin:2px 0}
footer{padding:10px 28px 20px;color:#5f6b73;font-size:12px}
""".strip()


def _text(value: Any) -> str:
    """A value from a snapshot, or a file name, as page text: no control
    character (C0, DEL, C1: ESC, BEL, CSI...) is left to reach a terminal
    or a browser; each is shown as \\xNN, as in the tool's messages."""
    return printable(str(value))


def _e(text: Any) -> str:
    return html.escape(_text(text), quote=True)


def _bar(value: int, maximum: int, color: str, width: int = 120) -> str:
    w = 0 if maximum <= 0 else round(width * value / maximum)
    if value and w < 2:
        w = 2
    return ('<svg class="bar" width="%d" height="10" viewBox="0 0 %d 10" role="img" '
            'aria-label="%d"><rect x="0" y="0" width="%d" height="10" fill="#eef1f3"/>'
            '<rect x="0" y="0" width="%d" height="10" fill="%s"/></svg>'
            % (width, width, value, width, w, color))


def _chart(hosts: Sequence[Host], states: Sequence[str], title: str) -> str:
    """A grouped horizontal bar chart: one group per state, a bar per host."""
    if not states:
        return ""
    label_w, bar_w, bar_h, gap = 130, 560, 12, 10
    group_h = bar_h * len(hosts) + gap
    legend_h = 22
    height = legend_h + group_h * len(states) + 10
    width = label_w + bar_w + 60
    top = max(max(h.counts[s] for h in hosts) for s in states) or 1
    parts = ['<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" role="img" aria-label="%s" '
             'font-family="DejaVu Sans,Verdana,sans-serif" font-size="11">'
             % (width, height, width, height, _e(title))]
    x = label_w
    for i, h in enumerate(hosts):
        color = HOST_COLORS[i % len(HOST_COLORS)]
        parts.append('<rect x="%d" y="4" width="10" height="10" fill="%s"/>' % (x, color))
        parts.append('<text x="%d" y="13">%s</text>' % (x + 14, _e(h.label)))
        x += 24 + 7 * len(h.label)
    for si, s in enumerate(states):
        y0 = legend_h + si * group_h
        parts.append('<text x="%d" y="%d" text-anchor="end" font-weight="bold">%s</text>'
                     % (label_w - 8, y0 + (bar_h * len(hosts)) // 2 + 4, s))
        for i, h in enumerate(hosts):
            n = h.counts[s]
            w = round(bar_w * n / top)
            if n and w < 2:
                w = 2
            y = y0 + i * bar_h
            parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s %s: %d'
                         '</title></rect>' % (label_w, y, w, bar_h - 2,
                                              HOST_COLORS[i % len(HOST_COLORS)],
                                              _e(h.label), s, n))
            parts.append('<text x="%d" y="%d" fill="#1d2327">%d</text>'
                         % (label_w + w + 4, y + bar_h - 3, n))
    parts.append("</svg>")
    return "".join(parts)


def _time_range(hosts: Sequence[Host], t: Dict[str, str], esc: Any = str) -> str:
    """The subtitle; esc escapes the times, which come from the files."""
    times = sorted(h.taken_at for h in hosts if h.taken_at)
    if not times:
        first = last = t["unknown_time"]
    else:
        first = esc(times[0].replace("T", " ").rstrip("Z"))
        last = esc(times[-1].replace("T", " ").rstrip("Z"))
    if len(hosts) == 1:
        return t["subtitle_one"].format(first=first)
    return t["subtitle"].format(n=len(hosts), first=first, last=last)


def finding_rows(h: Host, lang: str) -> List[Tuple[str, str, str, str, str]]:
    """A host's findings as the report shows them: (severity, severity
    word, code, headline, advice) in lang, from the texts the library wrote
    into the snapshot (the report decides nothing)."""
    t = TEXTS[lang]
    rows = []
    for f in h.findings or []:
        text = f["text"].get(lang) or f["text"]["en"]
        rows.append((f["severity"], t["severity_" + f["severity"]], f["code"],
                     text["headline"], text["advice"]))
    return rows


def counter_names(hosts: Sequence[Host]) -> List[str]:
    """Every counter any host carries, in the first carrier's order."""
    names: List[str] = []
    for h in hosts:
        for name in h.counters or {}:
            if name not in names:
                names.append(name)
    return names


def counter_cell(h: Host, name: str) -> Tuple[Optional[int], Optional[str]]:
    c = (h.counters or {}).get(name) or {}
    return c.get("value"), c.get("native")


def _host_table(w: Any, hosts: Sequence[Host], anchor: str, title: str, note: str,
                first: str) -> None:
    """A section's title and note, and the head of its table: a first
    column, then a column per host (the anchor names the section and the
    table's class)."""
    w('<section id="%s"><h2>%s</h2><p class="note">%s</p>\n' % (anchor, _e(title), _e(note)))
    w('<table class="%s"><thead><tr><th>%s</th>' % (anchor, _e(first)))
    for h in hosts:
        w("<th>%s</th>" % _e(h.label))
    w("</tr></thead><tbody>\n")


def render_html(hosts: Sequence[Host], lang: str, warnings: Sequence[Finding],
                rows: Sequence[ListenRow], title: Optional[str] = None) -> str:
    t = TEXTS[lang]
    states = present_states(hosts)
    title = title or t["title"].format(hosts=_count(t, "hosts", len(hosts)))
    o: List[str] = []
    w = o.append
    w('<!DOCTYPE html>\n<html lang="%s">\n<head>\n<meta charset="utf-8">\n' % lang)
    w('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
    w("<title>%s</title>\n<style>\n%s\n</style>\n</head>\n<body>\n" % (_e(title), CSS))
    w('<header><h1 id="title">%s</h1><p id="subtitle">%s</p></header>\n'
      % (_e(title), _e(_time_range(hosts, t))))
    w('<nav aria-label="%s">' % _e(t["nav"]))
    with_findings = any(h.findings is not None for h in hosts)
    with_counters = any(h.counters for h in hosts)
    for anchor, key in (("hosts", "hosts"), ("warnings", "warnings"),
                        ("findings", "findings"), ("matrix", "matrix"),
                        ("listening", "listening"), ("counters", "counters"),
                        ("per-host", "per_host"), ("states", "states")):
        if (anchor == "findings" and not with_findings) or \
                (anchor == "counters" and not with_counters):
            continue
        w('<a href="#%s">%s</a>' % (anchor, _e(t[key])))
    w("</nav>\n<main>\n")

    # Hosts.
    w('<section id="hosts"><h2>%s</h2>\n<table class="hosts"><thead><tr>' % _e(t["hosts"]))
    for key in ("host", "os", "backend", "taken_at", "owners", "sockets", "file"):
        w("<th>%s</th>" % _e(t[key]))
    w("</tr></thead><tbody>\n")
    for i, h in enumerate(hosts):
        w('<tr id="host-row-%d"><td><span class="swatch" style="background:%s"></span>'
          '<a href="#host-%d">%s</a></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>'
          '<td class="n">%d%s</td><td>%s</td></tr>\n'
          % (i, HOST_COLORS[i % len(HOST_COLORS)], i, _e(h.label), _e(h.os_text),
             _e(h.backend), _e((h.taken_at or "?").replace("T", " ").rstrip("Z")),
             _e(h.pid_source or t["owners_none"]), h.total,
             "" if h.sockets is not None else " (%s)" % _e(t["counts_only"]), _e(h.file)))
    w("</tbody></table></section>\n")

    # Warnings.
    w('<section id="warnings"><h2>%s</h2>\n' % _e(t["warnings"]))
    if not warnings:
        w('<p class="ok">%s</p>\n' % _e(t["no_warnings"]))
    for x in warnings:
        w('<div class="warning" data-kind="%s" data-host="%s"><h3>%s</h3><p>%s</p>'
          '<p><b>%s:</b> %s</p><p><b>%s:</b> %s</p></div>\n'
          % (_e(x.kind), _e(x.host.label), _e(x.title), _e(x.detail), _e(t["explained"]),
             _e(x.why), _e(x.state_says), _e(x.pile_means)))
    w("</section>\n")

    # The library's findings.
    if with_findings:
        w('<section id="findings"><h2>%s</h2><p class="note">%s</p>\n'
          % (_e(t["findings"]), _e(t["findings_note"])))
        for h in hosts:
            found = finding_rows(h, lang)
            w('<h3>%s</h3>\n' % _e(h.label))
            if h.findings is None:
                w('<p class="note">%s</p>\n' % _e(t["findings_absent"]))
            elif not found:
                w('<p class="ok">%s</p>\n' % _e(t["findings_none"]))
            for sev, word, code, headline, advice in found:
                w('<div class="finding %s" data-code="%s" data-host="%s"><h4>%s '
                  '<code>%s</code></h4><p>%s</p><p><b>%s:</b> %s</p></div>\n'
                  % (sev, _e(code), _e(h.label), _e(word), _e(code), _e(headline),
                     _e(t["advice"]), _e(advice)))
        w("</section>\n")

    # State x host matrix.
    _host_table(w, hosts, "matrix", t["matrix"], t["matrix_note"], t["state"])
    for s in states:
        top = max(h.counts[s] for h in hosts)
        w('<tr data-state="%s"><th><a class="state" href="#state-%s">%s</a></th>' % (s, s, s))
        for h in hosts:
            n = h.counts[s]
            native = h.native(s)
            w('<td class="n%s">%d%s%s</td>'
              % ("" if n else " zero", n,
                 '<span class="native">%s</span>' % _e(native) if native else "",
                 _bar(n, top, STATE_COLORS[s]) if n else ""))
        w("</tr>\n")
    w('<tr class="total"><th>%s</th>' % _e(t["total"]))
    for h in hosts:
        w('<td class="n"><b>%d</b></td>' % h.total)
    w("</tr>\n</tbody></table>\n")
    w('<figure><figcaption class="note">%s</figcaption>%s</figure>\n'
      % (_e(t["chart"]), _chart(hosts, states, t["chart"])))
    w("</section>\n")

    # Listening ports.
    w('<section id="listening"><h2>%s</h2><p class="note">%s</p>\n'
      % (_e(t["listening"]), _e(t["listening_note"])))
    if not rows:
        w("<p>%s</p>\n" % _e(t["no_listeners"]))
    else:
        w('<table class="listening"><thead><tr><th>%s</th>' % _e(t["port"]))
        for h in hosts:
            w("<th>%s</th>" % _e(h.label))
        w("<th>%s</th></tr></thead><tbody>\n" % _e(t["status"]))
        for r in rows:
            cls = "missing" if r.missing else ("differs" if r.status == t["scope_differs"]
                                               else "common")
            w('<tr class="%s" data-port="%d"><td class="n">%d</td>' % (cls, r.port, r.port))
            for i in range(len(hosts)):
                cell = r.cells[i]
                if cell is None:
                    w('<td class="zero">%s</td>' % _e(t["unknown_listeners"]))
                elif not cell:
                    w('<td class="absent">%s</td>' % _e(t["not_listed"]))
                else:
                    w("<td>%s</td>" % "<br>".join(_e(c) for c in cell))
            w('<td class="status">%s</td></tr>\n' % _e(r.status))
        w("</tbody></table>\n")
    w("</section>\n")

    # TCP counters.
    if with_counters:
        _host_table(w, hosts, "counters", t["counters"], t["counters_note"],
                    t["counter"])
        for name in counter_names(hosts):
            w('<tr data-counter="%s"><th><code>%s</code></th>' % (_e(name), _e(name)))
            for h in hosts:
                value, native = counter_cell(h, name)
                if value is None:
                    w('<td class="zero">\u2014</td>')
                else:
                    w('<td class="n">%d<span class="native">%s</span></td>'
                      % (value, _e(native or "")))
            w("</tr>\n")
        w("</tbody></table></section>\n")

    # Per host.
    w('<section id="per-host"><h2>%s</h2><div class="hosts-grid">\n' % _e(t["per_host"]))
    for i, h in enumerate(hosts):
        w('<article class="host" id="host-%d"><h3><span class="swatch" style="background:%s">'
          '</span>%s</h3><p class="note">%s &middot; %s</p>\n'
          % (i, HOST_COLORS[i % len(HOST_COLORS)], _e(h.label), _e(h.os_text), _e(h.backend)))
        w("<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th></th></tr></thead><tbody>\n"
          % (_e(t["state"]), _e(t["native"]), _e(t["count"])))
        top = max(h.counts.values()) if h.counts else 0
        for s in STATES:
            n = h.counts[s]
            if not n:
                continue
            w('<tr><td class="state">%s</td><td class="native-cell">%s</td><td class="n">%d</td>'
              "<td>%s</td></tr>\n" % (s, _e(h.native(s) or t["native_none"]), n,
                                      _bar(n, top, STATE_COLORS[s], 160)))
        w('<tr><td colspan="2"><b>%s</b></td><td class="n"><b>%d</b></td><td></td></tr>\n'
          % (_e(t["total"]), h.total))
        w("</tbody></table></article>\n")
    w("</div></section>\n")

    # The states.
    w('<section id="states"><h2>%s</h2><dl>\n' % _e(t["states"]))
    for s in states:
        _side, meaning, seen_by, pile = explain(s, lang)
        w('<dt id="state-%s"><span class="swatch" style="background:%s"></span>'
          '<span class="state">%s</span></dt><dd><p>%s</p><p><b>%s:</b> %s</p>'
          "<p><b>%s:</b> %s</p></dd>\n"
          % (s, STATE_COLORS[s], s, _e(meaning), _e(t["seen_by"]), _e(seen_by),
             _e(t["pile_means"]), _e(pile)))
    w("</dl></section>\n</main>\n")
    versions = ", ".join("%s %s" % (h.label, h.version) for h in hosts)
    w('<footer id="generated">%s</footer>\n</body>\n</html>\n'
      % _e(t["generated"].format(prog=PROG, files=", ".join(h.file for h in hosts),
                                 versions=versions)))
    return "".join(o)


# ---------------------------------------------------------------- Markdown

# What Markdown (CommonMark, GitHub's tables) would read as markup in a
# value: HTML and autolinks (< > &), links and images ([ ] !), code (`),
# emphasis (* _ ~), headings (#), table cells (|), and the escape itself.
# A backslash makes each of them plain text. (Parentheses are text once
# no bracket opens a link.)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#!|<>~&])")


def _md(text: Any) -> str:
    return _MD_SPECIAL.sub(r"\\\1", _text(text))


def _fence(lines: Sequence[str]) -> str:
    """A code fence no line of the block can close: longer than any run of
    backticks in it."""
    longest = max([len(run) for line in lines for run in re.findall("`+", line)] + [2])
    return "`" * (longest + 1)


def _text_bar(value: int, maximum: int, width: int = 20) -> str:
    if maximum <= 0 or value <= 0:
        return ""
    return "\u2588" * max(1, round(width * value / maximum))


def render_md(hosts: Sequence[Host], lang: str, warnings: Sequence[Finding],
              rows: Sequence[ListenRow], title: Optional[str] = None) -> str:
    t = TEXTS[lang]
    states = present_states(hosts)
    title = title or t["title"].format(hosts=_count(t, "hosts", len(hosts)))
    o: List[str] = ["# %s" % _md(title), "", _time_range(hosts, t, _md), ""]

    o += ["## %s" % t["hosts"], ""]
    keys = ("host", "os", "backend", "taken_at", "owners", "sockets", "file")
    o.append("| " + " | ".join(t[k] for k in keys) + " |")
    o.append("|" + "---|" * len(keys))
    for h in hosts:
        o.append("| %s | %s | %s | %s | %s | %d%s | %s |" % (
            _md(h.label), _md(h.os_text), _md(h.backend),
            _md((h.taken_at or "?").replace("T", " ").rstrip("Z")),
            _md(h.pid_source or t["owners_none"]), h.total,
            "" if h.sockets is not None else " (%s)" % t["counts_only"], _md(h.file)))
    o.append("")

    o += ["## %s" % t["warnings"], ""]
    if not warnings:
        o += [t["no_warnings"], ""]
    for x in warnings:
        o += ["### %s" % x.title, "", _md(x.detail), "",
              "**%s:** %s" % (t["explained"], x.why), "",
              "**%s:** %s" % (x.state_says, x.pile_means), ""]

    if any(h.findings is not None for h in hosts):
        o += ["## %s" % t["findings"], "", t["findings_note"], ""]
        for h in hosts:
            found = finding_rows(h, lang)
            o += ["### %s" % h.label, ""]
            if h.findings is None:
                o += [t["findings_absent"], ""]
            elif not found:
                o += [t["findings_none"], ""]
            for _sev, word, code, headline, advice in found:
                o += ["- **%s** `%s`: %s" % (word, code, _md(headline)),
                      "  **%s:** %s" % (t["advice"], _md(advice))]
            o.append("")

    o += ["## %s" % t["matrix"], "", t["matrix_note"], ""]
    o.append("| %s | " % t["state"] + " | ".join(_md(h.label) for h in hosts) + " |")
    o.append("|---|" + "---:|" * len(hosts))
    for s in states:
        cells = []
        for h in hosts:
            n, native = h.counts[s], h.native(s)
            cells.append("%d (%s)" % (n, _md(native)) if native else str(n))
        o.append("| %s | %s |" % (s, " | ".join(cells)))
    o.append("| **%s** | %s |" % (t["total"], " | ".join("**%d**" % h.total for h in hosts)))
    o.append("")
    top = max([h.counts[s] for s in states for h in hosts] or [0])
    labels = [_text(h.label) for h in hosts]
    width = max([len(label) for label in labels] + [1])
    chart: List[str] = []
    for s in states:
        chart.append(s)
        for h, label in zip(hosts, labels):
            chart.append("  %-*s %s %d" % (width, label, _text_bar(h.counts[s], top, 40),
                                           h.counts[s]))
    fence = _fence(chart)
    o += ["### %s" % t["chart"], "", fence] + chart + [fence, ""]

    o += ["## %s" % t["listening"], "", t["listening_note"], ""]
    if not rows:
        o += [t["no_listeners"], ""]
    else:
        o.append("| %s | " % t["port"] + " | ".join(_md(h.label) for h in hosts)
                 + " | %s |" % t["status"])
        o.append("|---:|" + "---|" * (len(hosts) + 1))
        for r in rows:
            cells = []
            for i in range(len(hosts)):
                cell = r.cells[i]
                cells.append(t["unknown_listeners"] if cell is None else
                             (t["not_listed"] if not cell else "<br>".join(_md(c) for c in cell)))
            status = "**%s**" % _md(r.status) if r.missing else _md(r.status)
            o.append("| %d | %s | %s |" % (r.port, " | ".join(cells), status))
        o.append("")

    if any(h.counters for h in hosts):
        o += ["## %s" % t["counters"], "", t["counters_note"], ""]
        o.append("| %s | " % t["counter"] + " | ".join(_md(h.label) for h in hosts) + " |")
        o.append("|---|" + "---:|" * len(hosts))
        for name in counter_names(hosts):
            cells = []
            for h in hosts:
                value, native = counter_cell(h, name)
                cells.append("\u2014" if value is None else "%d (%s)" % (value, _md(native)))
            o.append("| `%s` | %s |" % (name, " | ".join(cells)))
        o.append("")

    o += ["## %s" % t["per_host"], ""]
    for h in hosts:
        o += ["### %s" % _md(h.label), "", "%s \u00b7 %s" % (_md(h.os_text), _md(h.backend)), "",
              "| %s | %s | %s | |" % (t["state"], t["native"], t["count"]),
              "|---|---|---:|---|"]
        top = max(h.counts.values()) if h.counts else 0
        for s in STATES:
            if h.counts[s]:
                o.append("| %s | %s | %d | %s |" % (s, _md(h.native(s) or t["native_none"]),
                                                    h.counts[s], _text_bar(h.counts[s], top)))
        o += ["| **%s** | | **%d** | |" % (t["total"], h.total), ""]

    o += ["## %s" % t["states"], ""]
    for s in states:
        _side, meaning, seen_by, pile = explain(s, lang)
        o += ["### %s" % s, "", meaning, "", "**%s:** %s" % (t["seen_by"], seen_by), "",
              "**%s:** %s" % (t["pile_means"], pile), ""]
    versions = ", ".join("%s %s" % (_md(h.label), _md(h.version)) for h in hosts)
    o.append("---")
    o.append("")
    o.append(t["generated"].format(prog=PROG, files=", ".join(_md(h.file) for h in hosts),
                                   versions=versions))
    return "\n".join(o) + "\n"


# ---------------------------------------------------------------- command line

class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, no usage block
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description=(
        "Compare sockstate/1 snapshots of several hosts: per host its OS, backend and "
        "sockets per state (with the OS's own state names), a state x host matrix with "
        "bar charts, listening ports missing on some hosts, and troubleshooting "
        "warnings."))
    p.add_argument("files", nargs="+", metavar="FILE.json",
                   help='sockstate/1 documents ("-" reads standard input)')
    p.add_argument("-o", "--output", metavar="OUT",
                   help="write to OUT atomically (default: standard output)")
    p.add_argument("--format", choices=("html", "md"),
                   help="html (default; md when OUT ends in .md) or md (Markdown)")
    p.add_argument("--lang", default="en", type=str.lower, choices=LANGS,
                   help="language of the report: en (default) or es")
    p.add_argument("--title", help="the report's title")
    p.add_argument("--close-wait-min", type=int, default=CLOSE_WAIT_MIN, metavar="N",
                   help="warn when one process owns N or more CLOSE_WAIT sockets "
                        "(default %d)" % CLOSE_WAIT_MIN)
    p.add_argument("--syn-received-min", type=int, default=SYN_RECEIVED_MIN, metavar="N",
                   help="warn when a host has N or more SYN_RECEIVED sockets "
                        "(default %d)" % SYN_RECEIVED_MIN)
    p.add_argument("--syn-sent-min", type=int, default=SYN_SENT_MIN, metavar="N",
                   help="warn when a host has N or more SYN_SENT sockets toward one "
                        "destination (default %d)" % SYN_SENT_MIN)
    p.add_argument("--time-wait-fraction", type=float, default=TIME_WAIT_FRACTION,
                   metavar="F", help="warn when TIME_WAIT sockets hold this fraction of the "
                                     "ephemeral port range (default %g)" % TIME_WAIT_FRACTION)
    return p


def build(paths: Sequence[str], fmt: str = "html", lang: str = "en",
          title: Optional[str] = None, close_wait_min: int = CLOSE_WAIT_MIN,
          syn_received_min: int = SYN_RECEIVED_MIN,
          time_wait_fraction: float = TIME_WAIT_FRACTION,
          syn_sent_min: int = SYN_SENT_MIN) -> str:
    """The report over the files at paths, as text. Raises InputError
    ("FILE: problem") for the first file that is not a usable document."""
    validator = _validator()
    hosts = []
    for path in paths:
        try:
            hosts.append(Host(path, load(path, validator)))
        except InputError as e:
            raise InputError("%s: %s" % (path, e))
    label_hosts(hosts)
    warnings = find_warnings(hosts, lang, close_wait_min, syn_received_min,
                             time_wait_fraction, syn_sent_min)
    rows = listening_rows(hosts, lang)
    render = render_md if fmt == "md" else render_html
    return render(hosts, lang, warnings, rows, title)


def _write(path: Optional[str], text: str) -> None:
    """The page on standard output, or into path by the C tool's rules for
    -o (sockstate/_atomic.py). Raises OSError with a one-line str()."""
    data = text.encode("utf-8")
    if path is None or path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomic(path, data)


def _say(line: str) -> None:
    try:
        sys.stderr.write("sockstate report: %s\n" % printable(line))
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``report`` with argv (without the word "report"); returns the
    exit status: 0 done, 2 bad usage or input, 3 the output could not be
    written. Never raises."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    try:
        try:
            a = _parser().parse_args(args_in)
        except SystemExit as e:  # --help
            return int(e.code or 0)
        if a.close_wait_min < 1 or a.syn_received_min < 1:
            raise UsageError("--close-wait-min and --syn-received-min must be 1 or more")
        if a.syn_sent_min < 1:
            raise UsageError("--syn-sent-min must be 1 or more")
        if not 0 < a.time_wait_fraction <= 1:
            raise UsageError("--time-wait-fraction must be more than 0 and at most 1")
        fmt = a.format or ("md" if (a.output or "").lower().endswith(".md") else "html")
        text = build(a.files, fmt, a.lang, a.title, a.close_wait_min, a.syn_received_min,
                     a.time_wait_fraction, a.syn_sent_min)
    except UsageError as e:
        _say(str(e))
        return EXIT_USAGE
    except InputError as e:
        _say(str(e))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a bug: still one line, never a traceback
        _say("internal error: %s: %s" % (type(e).__name__, _short(e)))
        return EXIT_OS
    try:
        _write(a.output, text)
    except OutputError as e:
        _say(str(e))
        return EXIT_OS
    except OSError as e:
        _say("%s: write: %s" % (a.output or "standard output", e.strerror or e))
        return EXIT_OS
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
