"""The document cache: what is put is read back with its fetch date, across processes, and
opening a cache reads only its index."""

from __future__ import annotations

from datetime import UTC, datetime

from verifier.cache import DocumentCache

WHEN = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)


def test_round_trip_through_the_folder(tmp_path):
    cache = DocumentCache.open(tmp_path / "cache")
    cache.put("https://a.example/list", b'{"a": 1}', fetched_at=WHEN)
    cache.put_json("did:web:b.example", {"id": "did:web:b.example"}, fetched_at=WHEN)
    again = DocumentCache.open(tmp_path / "cache")
    assert len(again) == 2
    doc = again.get("https://a.example/list#frag")
    assert doc is not None and doc.body == b'{"a": 1}' and doc.fetched_at == WHEN
    assert "did:web:b.example" in again
    assert again.get("https://missing.example") is None


def test_opening_reads_only_the_index(tmp_path):
    cache = DocumentCache.open(tmp_path)
    cache.put("https://a.example/1", b"one", fetched_at=WHEN)
    cache.put("https://a.example/2", b"two", fetched_at=WHEN)
    for path in tmp_path.iterdir():
        if path.name != "index.json" and path.read_bytes() == b"two":
            path.unlink()  # a body nobody asks for is never read
    again = DocumentCache.open(tmp_path)
    assert again.get("https://a.example/1").body == b"one"


def test_replacing_a_document_keeps_one_entry(tmp_path):
    cache = DocumentCache.open(tmp_path)
    cache.put("https://a.example/1", b"old", fetched_at=WHEN)
    cache.put("https://a.example/1", b"new", fetched_at=WHEN)
    again = DocumentCache.open(tmp_path)
    assert len(again) == 1 and again.get("https://a.example/1").body == b"new"
