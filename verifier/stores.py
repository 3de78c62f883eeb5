"""Trust data kept in a home folder, read once per process and again when one of its files
changes: the verifier view and the wallet verify many documents against the same
``trust.json``, cache index and EU trusted lists, and parsing them is no work for every request.

Example::

    stores = held(Path("/srv/verifier"), load)  # ``load(folder)`` runs only after a change
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

TRUST_FILE = "trust.json"
CACHE_FOLDER = "cache"
#: The trusted-lists file names: the ``verifier`` command's first, then the wallet's.
TRUSTED_LISTS_FILES = ("trusted-lists.json", "trusted_lists.json")

_lock = threading.Lock()
_held: dict[tuple[Path, Any], tuple[tuple[tuple[int, int], ...], Any]] = {}


def stamp(home: Path) -> tuple[tuple[int, int], ...]:
    """The modification time and size of each file the stores are read from ((0, 0) when
    missing); the size catches a rewrite within the file system's timestamp granularity."""
    paths = [home / TRUST_FILE, home / CACHE_FOLDER / "index.json"]
    paths += [home / name for name in TRUSTED_LISTS_FILES]
    out = []
    for path in paths:
        try:
            found = path.stat()
        except FileNotFoundError:
            out.append((0, 0))
        else:
            out.append((found.st_mtime_ns, found.st_size))
    return tuple(out)


def held(home: Path, load: Callable[[Path], T]) -> T:
    """What ``load(home)`` returns, kept for this process until one of the files changes."""
    key = (home, load)
    current = stamp(home)
    with _lock:
        kept = _held.get(key)
        if kept is not None and kept[0] == current:
            return kept[1]  # type: ignore[no-any-return]
    loaded = load(home)
    with _lock:
        _held[key] = (stamp(home), loaded)  # after loading: it may have created the files
    return loaded
