"""The verifier app's own trust data, read from ``VERIFIER_HOME`` and kept between requests.

The folder is laid out as the ``verifier`` command lays it out, so
``verifier --home DIR trust add ...`` and ``verifier --home DIR refresh ...`` manage it:
``trust.json`` (trusted issuers), ``cache/`` (fetched documents with their fetch dates) and
the EU trusted lists (``trusted-lists.json``; the wallet's ``trusted_lists.json`` is read
when that is the one present). Nothing here uses the network.

The stores are read once per process and read again when one of their files changes, so a
busy verifier does not parse the trust store for every request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

from verifier.cache import DocumentCache
from verifier.trust import TrustStore

TRUST_FILE = "trust.json"
CACHE_FOLDER = "cache"
#: The trusted-lists file names: the ``verifier`` command's first, then the wallet's.
TRUSTED_LISTS_FILES = ("trusted-lists.json", "trusted_lists.json")


@dataclass(frozen=True)
class Stores:
    """The trust data one verification uses: issuers, cached documents, EU trusted lists."""

    home: Path
    trust: TrustStore
    cache: DocumentCache
    trusted_lists: Any  # verifier.trustlists.TrustedListStore, or None when there are none


_lock = threading.Lock()
_held: dict[Path, tuple[tuple[float, ...], Stores]] = {}


def _stamp(home: Path) -> tuple[float, ...]:
    """The modification times of the files the stores are read from (0 when missing)."""
    paths = [home / TRUST_FILE, home / CACHE_FOLDER / "index.json"]
    paths += [home / name for name in TRUSTED_LISTS_FILES]
    return tuple(p.stat().st_mtime if p.exists() else 0.0 for p in paths)


def open_stores(home: str | Path) -> Stores:
    """The stores kept in ``home`` (created when missing), re-read only when a file changed."""
    folder = Path(home)
    stamp = _stamp(folder)
    with _lock:
        held = _held.get(folder)
        if held is not None and held[0] == stamp:
            return held[1]
    (folder / CACHE_FOLDER).mkdir(parents=True, exist_ok=True)
    lists = None
    for name in TRUSTED_LISTS_FILES:
        if (folder / name).exists():
            from verifier.trustlists import TrustedListStore  # XML/X.509 stack: only when used

            lists = TrustedListStore.from_file(folder / name)
            break
    stores = Stores(
        home=folder,
        trust=TrustStore.from_file(folder / TRUST_FILE),
        cache=DocumentCache.open(folder / CACHE_FOLDER),
        trusted_lists=lists,
    )
    with _lock:
        _held[folder] = (stamp, stores)
    return stores


def stores() -> Stores:
    """The stores of the current app's ``VERIFIER_HOME``."""
    return open_stores(current_app.config["VERIFIER_HOME"])
