"""The local cache of fetched documents (status lists, DID documents, issuer profiles,
schemas, hosted badges), each kept with the date it was fetched.

Verification reads only from here; :mod:`verifier.refresh` is the only code that fills it
from the network.  A cache on disk is a folder with ``index.json`` and one file per document.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CachedDocument:
    """A document as it was fetched, with the moment it was fetched."""

    url: str
    body: bytes
    fetched_at: datetime
    content_type: str = "application/json"

    def json(self) -> Any:
        """Parse the body as JSON (``ValueError`` if it is not JSON)."""
        return json.loads(self.body)


class DocumentCache:
    """URL (or DID) → cached document; see :meth:`open`, :meth:`in_memory`, :meth:`from_url_map`."""

    def __init__(
        self, documents: Mapping[str, CachedDocument] | None = None, *, path: Path | None = None
    ) -> None:
        self._docs: dict[str, CachedDocument] = dict(documents or {})
        self._path = path

    # -- presets ---------------------------------------------------------------------------
    @classmethod
    def in_memory(cls) -> DocumentCache:
        """An empty cache that lives only in memory."""
        return cls()

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> DocumentCache:
        """Open (or create) a cache folder."""
        folder = Path(path)
        docs: dict[str, CachedDocument] = {}
        index_file = folder / "index.json"
        if index_file.exists():
            index = json.loads(index_file.read_text("utf-8"))
            for url, entry in index.items():
                body = (folder / entry["file"]).read_bytes()
                docs[url] = CachedDocument(
                    url=url,
                    body=body,
                    fetched_at=datetime.fromisoformat(entry["fetched_at"]),
                    content_type=entry.get("content_type", "application/json"),
                )
        return cls(docs, path=folder)

    @classmethod
    def from_url_map(
        cls, url_map: str | os.PathLike[str], *, root: str | os.PathLike[str], fetched_at: datetime
    ) -> DocumentCache:
        """A read-only cache from a JSON map of URL → file (relative to ``root``)."""
        mapping = json.loads(Path(url_map).read_text("utf-8"))
        base = Path(root)
        docs = {
            url: CachedDocument(url=url, body=(base / rel).read_bytes(), fetched_at=fetched_at)
            for url, rel in mapping.items()
        }
        return cls(docs)

    # -- reading ---------------------------------------------------------------------------
    def get(self, url: str) -> CachedDocument | None:
        """The cached document for ``url``, or ``None``; a fragment is ignored."""
        doc = self._docs.get(url)
        if doc is None and "#" in url:
            doc = self._docs.get(url.split("#", 1)[0])
        return doc

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self.get(url) is not None

    def __iter__(self) -> Iterator[CachedDocument]:
        return iter(self._docs.values())

    def __len__(self) -> int:
        return len(self._docs)

    # -- writing ---------------------------------------------------------------------------
    def put(
        self,
        url: str,
        body: bytes,
        *,
        fetched_at: datetime | None = None,
        content_type: str = "application/json",
    ) -> CachedDocument:
        """Store a document (and write it to disk when the cache has a folder)."""
        if not isinstance(body, bytes):
            raise TypeError("body must be bytes")
        when = fetched_at or datetime.now(UTC)
        if when.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware")
        doc = CachedDocument(url=url, body=body, fetched_at=when, content_type=content_type)
        self._docs[url] = doc
        if self._path is not None:
            self._save()
        return doc

    def put_json(
        self, url: str, value: Any, *, fetched_at: datetime | None = None
    ) -> CachedDocument:
        """Store a JSON value."""
        return self.put(url, json.dumps(value).encode(), fetched_at=fetched_at)

    def merged(self, other: DocumentCache) -> DocumentCache:
        """A new in-memory cache holding both (``other`` wins on the same URL)."""
        return DocumentCache({**self._docs, **other._docs})

    def _save(self) -> None:
        assert self._path is not None
        self._path.mkdir(parents=True, exist_ok=True)
        index: dict[str, dict[str, str]] = {}
        for url, doc in self._docs.items():
            name = hashlib.sha256(url.encode()).hexdigest()[:32]
            target = self._path / name
            if not target.exists() or target.read_bytes() != doc.body:
                _atomic_write(target, doc.body)
            index[url] = {
                "file": name,
                "fetched_at": doc.fetched_at.isoformat(),
                "content_type": doc.content_type,
                "sha256": hashlib.sha256(doc.body).hexdigest(),
            }
        _atomic_write(
            self._path / "index.json", json.dumps(index, indent=1, sort_keys=True).encode()
        )


def _atomic_write(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
