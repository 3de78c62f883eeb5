"""The local cache of fetched documents (status lists, DID documents, issuer profiles,
schemas, hosted badges), each kept with the date it was fetched.

Verification reads only from here; :mod:`verifier.refresh` is the only code that fills it
from the network.  A cache on disk is a folder with ``index.json`` and one file per document.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from verifier.files import atomic_write
from verifier.records import Record


class CachedDocument(Record):
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
        # The folder's index: url -> {file, fetched_at, content_type, sha256}.  Bodies are
        # read on first use, so opening a large cache costs one small file, not all of them.
        self._index: dict[str, dict[str, str]] = {}

    # -- presets ---------------------------------------------------------------------------
    @classmethod
    def in_memory(cls) -> DocumentCache:
        """An empty cache that lives only in memory."""
        return cls()

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> DocumentCache:
        """Open (or create) a cache folder."""
        cache = cls(path=Path(path))
        index_file = cache._folder / "index.json"
        if index_file.exists():
            cache._index = json.loads(index_file.read_text("utf-8"))
        return cache

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
        doc = self._load(url)
        if doc is None and "#" in url:
            doc = self._load(url.split("#", 1)[0])
        return doc

    def _load(self, url: str) -> CachedDocument | None:
        doc = self._docs.get(url)
        entry = self._index.get(url) if doc is None else None
        if entry is not None:
            doc = CachedDocument(
                url=url,
                body=(self._folder / entry["file"]).read_bytes(),
                fetched_at=datetime.fromisoformat(entry["fetched_at"]),
                content_type=entry.get("content_type", "application/json"),
            )
            self._docs[url] = doc
        return doc

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and (
            url in self._docs or url in self._index or self.get(url) is not None
        )

    def __iter__(self) -> Iterator[CachedDocument]:
        for url in self._urls():
            doc = self._load(url)
            assert doc is not None
            yield doc

    def __len__(self) -> int:
        return len(self._urls())

    def _urls(self) -> list[str]:
        return list(dict.fromkeys([*self._index, *self._docs]))

    @property
    def _folder(self) -> Path:
        assert self._path is not None
        return self._path

    # -- writing ---------------------------------------------------------------------------
    def put(
        self,
        url: str,
        body: bytes,
        *,
        fetched_at: datetime | None = None,
        content_type: str = "application/json",
    ) -> CachedDocument:
        """Store a document (and write it and the index to disk when the cache has a folder)."""
        if not isinstance(body, bytes):
            raise TypeError("body must be bytes")
        when = fetched_at or datetime.now(UTC)
        if when.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware")
        doc = CachedDocument(url=url, body=body, fetched_at=when, content_type=content_type)
        self._docs[url] = doc
        if self._path is not None:
            name = hashlib.sha256(url.encode()).hexdigest()[:32]
            atomic_write(self._folder / name, body)
            self._index[url] = {
                "file": name,
                "fetched_at": when.isoformat(),
                "content_type": content_type,
                "sha256": hashlib.sha256(body).hexdigest(),
            }
            atomic_write(
                self._folder / "index.json",
                json.dumps(self._index, indent=1, sort_keys=True).encode(),
            )
        return doc

    def put_json(
        self, url: str, value: Any, *, fetched_at: datetime | None = None
    ) -> CachedDocument:
        """Store a JSON value."""
        return self.put(url, json.dumps(value).encode(), fetched_at=fetched_at)

    def merged(self, other: DocumentCache) -> DocumentCache:
        """A new in-memory cache holding both (``other`` wins on the same URL)."""
        return DocumentCache({**{d.url: d for d in self}, **{d.url: d for d in other}})
