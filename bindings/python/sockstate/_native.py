"""Access to the C extension, sockstate._core, loaded once.

The package imports without it (the report and the state names' docs are
pure Python); anything that needs the library calls ``core()``, which
raises the original ImportError, explained, when the extension is missing.
"""

from __future__ import annotations

from typing import Any

_core: Any
_import_error: ImportError | None

try:
    from . import _core
    _import_error = None
except ImportError as exc:  # pragma: no cover - depends on the build
    _core = None
    _import_error = exc


def core() -> Any:
    """The C extension module, or ImportError saying why it is missing."""
    if _core is None:
        raise ImportError(
            "sockstate's C extension (sockstate._core) is not available: "
            f"{_import_error}; build it with `pip install .` or CMake"
        ) from _import_error
    return _core


def available() -> bool:
    """True when the C extension loaded."""
    return _core is not None
