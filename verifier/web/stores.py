"""The verifier app's own trust data, read from ``VERIFIER_HOME`` and kept between requests.

The folder is laid out as the ``verifier`` command lays it out, so
``verifier --home DIR trust add ...`` and ``verifier --home DIR refresh ...`` manage it:
``trust.json`` (trusted issuers), ``cache/`` (fetched documents with their fetch dates) and
the EU trusted lists (``trusted-lists.json``; the wallet's ``trusted_lists.json`` is read
when that is the one present). Nothing here uses the network.

The stores are read once per process and read again when one of their files changes
(:func:`verifier.stores.held`), so a busy verifier does not parse them for every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

from verifier.cache import DocumentCache
from verifier.stores import CACHE_FOLDER, TRUST_FILE, TRUSTED_LISTS_FILES, held
from verifier.trust import TrustStore


@dataclass(frozen=True)
class Stores:
    """The trust data one verification uses: issuers, cached documents, EU trusted lists."""

    home: Path
    trust: TrustStore
    cache: DocumentCache
    trusted_lists: Any  # verifier.trustlists.TrustedListStore, or None when there are none


def open_stores(home: str | Path) -> Stores:
    """The stores kept in ``home`` (created when missing), re-read only when a file changed."""
    return held(Path(home), _load)


def _load(folder: Path) -> Stores:
    (folder / CACHE_FOLDER).mkdir(parents=True, exist_ok=True)
    lists = None
    for name in TRUSTED_LISTS_FILES:
        if (folder / name).exists():
            from verifier.trustlists import TrustedListStore  # XML/X.509 stack: only when used

            lists = TrustedListStore.from_file(folder / name)
            break
    return Stores(
        home=folder,
        trust=TrustStore.from_file(folder / TRUST_FILE),
        cache=DocumentCache.open(folder / CACHE_FOLDER),
        trusted_lists=lists,
    )


def stores() -> Stores:
    """The stores of the current app's ``VERIFIER_HOME``."""
    return open_stores(current_app.config["VERIFIER_HOME"])
