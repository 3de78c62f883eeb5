"""Access to the shared conformance corpus (``../shared/corpus``), read in place, never copied."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from verifier.cache import DocumentCache

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("CORPUS_DIR", ROOT.parent / "shared" / "corpus"))
EVALUATED_AT = datetime(2026, 11, 25, tzinfo=UTC)
FETCHED_AT = datetime(2026, 11, 25, tzinfo=UTC)

URL_MAPS = (
    "dcc-vc-test-fixtures/url-map.json",
    "1edtech-validator/ob20/url-map.json",
    "1edtech-validator/ob30/url-map.json",
)


def available() -> bool:
    """Whether the corpus folder is present on this machine."""
    return (CORPUS / "MANIFEST.json").exists()


def manifest() -> list[dict]:
    """The corpus index (empty when the corpus is absent)."""
    if not available():
        return []
    return json.loads((CORPUS / "MANIFEST.json").read_text("utf-8"))


# Key documents the manifest publishes for an identifier (kind "did-document"), cached
# under the identifier they describe.
KEY_DOCUMENTS = (
    "1edtech-ob30-impl-test-vectors/controller-document.json",
    "transmute-vectors/microsoft-interop/did-resolution.json",
)


def shared_cache() -> DocumentCache:
    """Every URL map of the corpus, and its published key documents, as one cache of
    documents fetched on 2026-11-25."""
    cache = DocumentCache.in_memory()
    for rel in URL_MAPS:
        if (CORPUS / rel).exists():
            cache = cache.merged(
                DocumentCache.from_url_map(CORPUS / rel, root=CORPUS, fetched_at=FETCHED_AT)
            )
    for rel in KEY_DOCUMENTS:
        if (CORPUS / rel).exists():
            doc = json.loads((CORPUS / rel).read_text("utf-8"))
            cache.put_json(doc.get("didDocument", doc)["id"], doc, fetched_at=FETCHED_AT)
    return cache
