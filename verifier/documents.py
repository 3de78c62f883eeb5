"""Pinned JSON-LD contexts, a closed-world document loader, and safe JSON-LD processing.

Every context the verifier can use is a file in ``verifier/contexts/``, taken from a published
npm or PyPI package by ``tools/pin_contexts.py`` and listed in ``contexts/index.json`` with its
SHA-256 (digitalbazaar/vc ``lib/documentLoader.js`` works the same way). A URL that is not
pinned is an :class:`~verifier.errors.UnknownContext`: nothing is ever fetched, so JSON-LD
processing cannot open a socket.

Usage::

    from verifier.documents import canonize, expand

    nquads = canonize(credential_without_proof)            # RDFC-1.0, SHA-256
    nquads = canonize(document, hash_name="sha384")          # e.g. ecdsa-rdfc-2019 with P-384
    expanded = expand(credential)                            # refuses undefined terms

Both run in JSON-LD safe mode unless told otherwise (see :mod:`verifier.jsonld`). In safe mode,
RDF comes from :mod:`verifier.fastld`'s direct path when the document is plain enough for it
(credentials are), with pyld's bytes; pyld itself does the rest and names any problem.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from pyld.jsonld import JsonLdError

from verifier import fastld
from verifier.errors import MalformedDocument, UnknownContext, VerificationError
from verifier.jsonld import ContextCache, Processor, canonical_nquads

CONTEXTS_DIR = Path(__file__).with_name("contexts")
HASH_NAMES = frozenset({"sha256", "sha384"})


class PinnedContextCorrupted(RuntimeError):
    """A pinned context file no longer matches the SHA-256 recorded in ``contexts/index.json``."""


@cache
def _index() -> dict[str, dict[str, str]]:
    entries = json.loads((CONTEXTS_DIR / "index.json").read_text(encoding="utf-8"))
    return {entry["url"]: entry for entry in entries}


_verified: dict[str, bytes] = {}
_verified_lock = threading.Lock()


def pinned_context_urls() -> frozenset[str]:
    """Return every context URL the verifier can resolve."""
    return frozenset(_index())


def _pinned_bytes(url: str) -> bytes:
    data = _verified.get(url)
    if data is not None:
        return data
    entry = _index().get(url) if isinstance(url, str) else None
    if entry is None:
        raise UnknownContext(
            f"The document uses the JSON-LD context {url}, which this verifier does not know.",
            detail="Only pinned contexts are used (verifier/contexts/index.json); "
                   "nothing is fetched from the network.")
    with _verified_lock:
        data = (CONTEXTS_DIR / entry["file"]).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != entry["sha256"]:
            raise PinnedContextCorrupted(
                f"verifier/contexts/{entry['file']} has SHA-256 {digest}, "
                f"index.json pins {entry['sha256']}; re-run tools/pin_contexts.py")
        _verified[url] = data
    return data


def load_context(url: str) -> dict:
    """Return a fresh copy of the pinned context for ``url``; ``UnknownContext`` if none."""
    return json.loads(_pinned_bytes(url))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Resolve ``url`` for pyld from the pinned contexts only, never from the network."""
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url)}


def _static_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    # "static" lets pyld keep the resolved context in our shared cache for later operations.
    return {**document_loader(url, options), "tag": "static"}


_CACHE = ContextCache(_static_loader)


# -- processed contexts kept between processes ------------------------------------------------
# A long-lived process (the web apps) processes the pinned contexts once. A one-shot
# ``verifier verify`` would do it on every run, a sixth of its time, so the command line keeps
# the processed contexts in its cache folder. The file is only taken when it was made from the
# same pinned contexts by the same pyld and the same processing code, and it is read by an
# unpickler that can make nothing but plain data (dicts, lists, text) and pyld's frozen dicts.

_PROCESSED_FORMAT = 1


@cache
def _processing_key() -> str:
    import sys

    from pyld.__about__ import __version__ as pyld_version

    digest = hashlib.sha256(f"{_PROCESSED_FORMAT} {sys.version} {pyld_version}".encode())
    for source in (CONTEXTS_DIR / "index.json", Path(__file__).with_name("jsonld.py"),
                   Path(__file__)):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def load_processed_contexts(path: Path) -> bool:
    """Take the processed contexts kept in ``path`` by :func:`save_processed_contexts` if they
    were made by this very code from these very contexts; say whether they were taken."""
    import pickle

    class _PlainData(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) in (("frozendict", "frozendict"),
                                  ("frozendict.core", "frozendict")):
                return super().find_class(module, name)
            raise pickle.UnpicklingError(f"{module}.{name} is not plain data")

    try:
        with open(path, "rb") as fh:
            kept = _PlainData(fh).load()
        if not (isinstance(kept, dict) and kept.get("key") == _processing_key()):
            return False
        return _CACHE.restore(kept["state"])
    except Exception:  # missing, unreadable, from other code: process the contexts afresh
        return False


def save_processed_contexts(path: Path) -> None:
    """Keep the contexts processed so far in ``path`` (replaced in one step); where that
    fails (a folder that cannot be written), nothing is kept and nothing else changes."""
    import pickle

    from verifier.files import atomic_write

    try:
        data = pickle.dumps({"key": _processing_key(), "state": _CACHE.snapshot()},
                            protocol=pickle.HIGHEST_PROTOCOL)
        atomic_write(path, data)
    except Exception:  # a speed-up only: failing to keep it must never fail a verification
        pass


def processed_context_count() -> int:
    """How many context-processing results this process holds."""
    return _CACHE.size


def expand(document: dict, *, safe: bool = True) -> list:
    """Return the JSON-LD expansion of ``document``; if ``safe``, refuse dropped or rebased data."""
    _require_object(document)
    processor = Processor(_CACHE, safe=safe)
    try:
        return processor.expand(document, _CACHE.options())
    except JsonLdError as error:
        _raise_data_error(error)
    except ValueError as error:  # pyld's IRI resolver raises a bare ValueError on bad data
        raise MalformedDocument("The document is not valid JSON-LD.", detail=str(error)) from None


def check_safe(document: dict) -> None:
    """Raise what JSON-LD safe mode refuses in ``document``; return quietly if nothing.

    A document the direct RDF path reads in full passes safe mode (that path steps aside at
    anything safe mode could refuse), so pyld's expansion runs only for the others.
    """
    _require_object(document)
    if _direct_quads(document) is None:
        expand(document, safe=True)


def canonize(document: dict, *, hash_name: str = "sha256", safe: bool = True) -> str:
    """Return the RDFC-1.0 canonical N-Quads of ``document``, hashing with ``hash_name``."""
    _require_object(document)
    if hash_name not in HASH_NAMES:
        raise ValueError(f"hash_name must be one of {sorted(HASH_NAMES)}, not {hash_name!r}")
    # Within one verification (see ``one_verification``) the format check and the proof check
    # canonicalize the same unsigned document: do it once.  Nothing is kept across
    # verifications, so verifying twice does the work twice.
    memo = _MEMO.get()
    key = None
    if memo is not None:
        # repr tells apart everything JSON can hold (true from 1, 1 from 1.0, key order
        # too), so equal keys mean the same document; it is cheaper than a sorted dump.
        key = (repr(document), hash_name, safe)
        if key in memo:
            return memo[key]
    nquads = _canonical_nquads(document, hash_name, safe)
    if memo is not None and key is not None:
        memo[key] = nquads
    return nquads


def _canonical_nquads(document: dict, hash_name: str, safe: bool) -> str:
    """RDFC-1.0 by the direct path where it reads the whole document, else by pyld."""
    quads = _direct_quads(document) if safe else None
    if quads is not None:
        return fastld.canonical_nquads(quads, hash_name)
    processor = Processor(_CACHE, safe=safe, rdf=True)
    try:
        dataset = processor.to_rdf(document, _CACHE.options())
    except JsonLdError as error:
        _raise_data_error(error)
    except ValueError as error:  # ... and so does its number formatting (``1e999`` is inf)
        raise MalformedDocument("The document is not valid JSON-LD.", detail=str(error)) from None
    return canonical_nquads(dataset, hash_name)


def _direct_quads(document: dict) -> list[fastld.Quad] | None:
    """The RDF quads by :mod:`verifier.fastld`'s direct path, or None where it steps aside.

    Any problem at all sends the document down pyld's path, which names it: the direct path
    never makes a verdict of its own.
    """
    try:
        return fastld.to_quads(document, Processor(_CACHE, safe=True, rdf=True),
                                 _CACHE.options())
    except Exception:
        return None


_MEMO: ContextVar[dict[tuple[str, str, bool], str] | None] = ContextVar("canon_memo",
                                                                        default=None)


@contextmanager
def one_verification() -> Iterator[None]:
    """Share canonical forms between the checks of one verification, then forget them."""
    token = _MEMO.set({} if _MEMO.get() is None else _MEMO.get())
    try:
        yield
    finally:
        _MEMO.reset(token)


def copy_json(value: Any) -> Any:
    """A deep copy of parsed JSON (dicts, lists and scalars), several times faster than
    :func:`copy.deepcopy`; anything else inside is deep-copied the slow way."""
    cls = value.__class__
    if cls is dict:
        return {key: copy_json(item) for key, item in value.items()}
    if cls is list:
        return [copy_json(item) for item in value]
    if cls is str or cls is int or cls is float or cls is bool or value is None:
        return value
    return copy.deepcopy(value)


def _require_object(document: Any) -> None:
    if not isinstance(document, dict):
        raise TypeError(f"expected a JSON object (dict), not {type(document).__name__}")


def _raise_data_error(error: JsonLdError) -> NoReturn:
    """Raise the data problem behind a pyld error: ours if pyld wrapped one, else the deepest."""
    cause: BaseException | None = error
    deepest = error
    while cause is not None:
        if isinstance(cause, VerificationError):
            raise cause from None  # its own traceback still shows where pyld met it
        if isinstance(cause, JsonLdError):
            deepest = cause
        cause = cause.__cause__
    raise MalformedDocument("The document is not valid JSON-LD.",
                            detail=f"{deepest.code or deepest.type}: {deepest.args[0]}") from error
