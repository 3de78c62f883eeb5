"""``verifier refresh``: fetch the documents credentials depend on into the local cache.

This is the only module in ``verifier/`` that touches the network (a test scans the others).
It fetches over https only (never http, never a redirect away from https), with a timeout and
a size cap, using nothing but the standard library; tests inject ``fetch`` and stay offline.
Verification itself only ever reads the cache this fills.
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from verifier.cache import DocumentCache
from verifier.credential import as_list
from verifier.errors import KeyNotFound
from verifier.keys import did_web_url

MAX_DOCUMENTS = 200  # one refresh never fetches more, whatever the documents point to
FOLLOW_DEPTH = 3  # assertion -> badge class -> issuer profile -> revocation list
_LOCAL_DIDS = ("did:key:", "did:jwk:")
_ACCEPT = ("application/vc+ld+json, application/ld+json, application/json, application/vc, "
           "application/vc+jwt;q=0.9, */*;q=0.5")


class FetchError(Exception):
    """A document could not be fetched; ``str(error)`` says why in plain words."""


@dataclass(frozen=True)
class Response:
    """What a fetcher returns: the body and its media type."""

    body: bytes
    content_type: str = "application/json"


class Fetcher(Protocol):
    """Fetch one https URL or raise :class:`FetchError`."""

    def __call__(self, url: str, *, timeout: float, max_bytes: int) -> Response: ...


@dataclass(frozen=True)
class UrlOutcome:
    """What happened to one URL: ``fetched``, ``skipped`` (nothing to fetch) or ``failed``."""

    url: str
    status: str
    message: str
    fetched_at: datetime | None = None


@dataclass(frozen=True)
class RefreshResult:
    """Every URL's outcome, in the order they were tried."""

    outcomes: tuple[UrlOutcome, ...]

    @property
    def fetched(self) -> tuple[UrlOutcome, ...]:
        """The URLs now in the cache."""
        return tuple(o for o in self.outcomes if o.status == "fetched")

    @property
    def failed(self) -> tuple[UrlOutcome, ...]:
        """The URLs refused or not fetched."""
        return tuple(o for o in self.outcomes if o.status == "failed")

    @property
    def skipped(self) -> tuple[UrlOutcome, ...]:
        """The references that need no fetching (``did:key``, ``did:jwk``)."""
        return tuple(o for o in self.outcomes if o.status == "skipped")

    def describe(self) -> str:
        """One line per URL, then a count, for the command line."""
        marks = {"fetched": "ok  ", "skipped": " -  ", "failed": "FAIL"}
        lines = [f"[{marks[o.status]}] {o.url}: {o.message}" for o in self.outcomes]
        lines.append(f"{len(self.fetched)} fetched, {len(self.failed)} failed, "
                     f"{len(self.skipped)} need no fetching.")
        return "\n".join(lines)


def refresh(urls: Iterable[str], *, cache: DocumentCache, timeout: float = 10,
            max_bytes: int = 2_000_000, fetch: Fetcher | None = None,
            clock: Callable[[], datetime] | None = None, follow: bool = True) -> RefreshResult:
    """Fetch each URL (or ``did:web``) over https into ``cache`` with the time it was fetched.

    With ``follow``, documents that point to further documents (a status list's issuer, an
    Open Badges 2.0 badge class's issuer) are fetched too, up to 200 documents in all.
    """
    if timeout <= 0 or max_bytes <= 0:
        raise ValueError("timeout and max_bytes must be positive")
    get = fetch or https_get
    now = clock or (lambda: datetime.now(UTC))
    queue = deque((ref, 0) for ref in urls)
    seen: set[str] = set()
    targets: set[str] = set()
    outcomes: list[UrlOutcome] = []
    while queue and len(outcomes) < MAX_DOCUMENTS:
        ref, depth = queue.popleft()
        if not isinstance(ref, str):
            raise TypeError(f"not a URL: {ref!r}")
        if ref in seen:
            continue
        seen.add(ref)
        target, problem = https_target(ref)
        if target is None:
            status = "skipped" if ref.startswith(_LOCAL_DIDS) else "failed"
            outcomes.append(UrlOutcome(ref, status, problem))
            continue
        if target in targets:  # a did:web and its did.json URL, or two fragments of one document
            continue
        targets.add(target)
        try:
            response = get(target, timeout=timeout, max_bytes=max_bytes)
            if len(response.body) > max_bytes:
                raise FetchError(f"the document is larger than {max_bytes} bytes")
        except FetchError as exc:
            outcomes.append(UrlOutcome(ref, "failed", f"not fetched: {exc}"))
            continue
        stored = cache.put(target, response.body, fetched_at=now(),
                           content_type=response.content_type)
        shown = f" from {target}" if target != ref else ""
        outcomes.append(UrlOutcome(ref, "fetched", f"fetched {len(response.body)} bytes{shown}",
                                   fetched_at=stored.fetched_at))
        if follow and depth < FOLLOW_DEPTH:
            queue.extend((u, depth + 1) for u in _linked(response.body) if u not in seen)
    for ref, _ in queue:
        if ref not in seen:
            seen.add(ref)
            outcomes.append(UrlOutcome(ref, "failed", f"not fetched: one refresh fetches at "
                                                      f"most {MAX_DOCUMENTS} documents"))
    return RefreshResult(tuple(outcomes))


def https_target(ref: str) -> tuple[str | None, str]:
    """The https URL to fetch for a URL or DID, or ``None`` and the reason it is refused."""
    if ref.startswith(_LOCAL_DIDS):
        return None, "resolved locally from the DID itself; nothing to fetch"
    if ref.startswith("did:web:"):
        try:
            return did_web_url(ref), ""
        except KeyNotFound as exc:
            return None, f"refused: {exc.message}"
    if ref.startswith("did:"):
        return None, "refused: only did:web DIDs can be fetched; this DID method is not supported"
    parts = urlsplit(ref)
    if parts.scheme.lower() != "https":
        why = (" (a document fetched over plain http could be altered on the way)"
               if parts.scheme.lower() == "http" else "")
        return None, f"refused: only https URLs are fetched{why}"
    if not parts.hostname or parts.username or parts.password:
        return None, "refused: not a usable https URL"
    return ref.split("#", 1)[0], ""


def https_get(url: str, *, timeout: float, max_bytes: int) -> Response:
    """Fetch one https URL with the standard library: https redirects only, time and size caps."""
    if urlsplit(url).scheme != "https":
        raise FetchError("only https URLs are fetched")
    opener = urllib.request.build_opener(
        _HttpsOnlyRedirects(), urllib.request.HTTPSHandler(context=ssl.create_default_context()))
    request = urllib.request.Request(url, headers={"Accept": _ACCEPT,
                                                   "User-Agent": "learner-wallet-verifier"})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as answer:
            declared = answer.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"the document is larger than {max_bytes} bytes")
            body = bytearray()
            while chunk := answer.read(min(65536, max_bytes + 1 - len(body))):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(f"the document is larger than {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(f"the download took longer than {timeout:g} seconds")
            media = answer.headers.get_content_type() or "application/octet-stream"
            return Response(bytes(body), media)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise FetchError(f"the server answered {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise FetchError(f"cannot connect: {exc.reason}") from exc
    except TimeoutError as exc:
        raise FetchError(f"no answer within {timeout:g} seconds") from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise FetchError(f"the connection failed: {exc}") from exc


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme != "https":
            fp.close()
            raise FetchError(f"redirected to {newurl}, which is not https")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _linked(body: bytes) -> list[str]:
    try:
        document = json.loads(body)
    except ValueError:  # a JWT-secured status list, an image: nothing to follow
        return []
    return urls_to_refresh(document) if isinstance(document, Mapping) else []


# -- what a credential needs -------------------------------------------------------------------
def urls_to_refresh(document: Mapping[str, Any]) -> list[str]:
    """The URLs and ``did:web`` DIDs a credential needs cached to be verified offline."""
    found: list[str] = []
    _collect(document, found, depth=0)
    return list(dict.fromkeys(found))


def _collect(doc: Mapping[str, Any], found: list[str], *, depth: int) -> None:
    if depth > 3:
        return
    types = set(as_list(doc.get("type", doc.get("@type"))))
    for entry in as_list(doc.get("credentialStatus")):  # VCDM §4.10; Bitstring Status List §2.1
        if isinstance(entry, Mapping):
            found += _strs(entry.get("statusListCredential"))
            if entry.get("type") == "1EdTechRevocationList":
                found += _strs(entry.get("id"))
    issuer = doc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if isinstance(issuer_id, str) and issuer_id.startswith("did:web:"):
        found.append(issuer_id.split("#", 1)[0])
    for proof in as_list(doc.get("proof")):
        if isinstance(proof, Mapping):
            found += [_document_of(vm) for vm in _strs(proof.get("verificationMethod"))
                      if vm.startswith(("did:web:", "https://", "http://"))]
    for schema in as_list(doc.get("credentialSchema")):  # VCDM §4.11
        if isinstance(schema, Mapping):
            found += _strs(schema.get("id"))
    # Open Badges 2.0 hosted and signed badges (OB 2.0 §Verification), followed link by link.
    verification = doc.get("verification")
    if "Assertion" in types and isinstance(verification, Mapping):
        if str(verification.get("type", "")).lower() in ("hosted", "hostedbadge"):
            found += _strs(doc.get("id"))
        found += _strs(verification.get("creator"))
    if "Assertion" in types:
        found += _strs(doc.get("badge"))
    if "BadgeClass" in types and isinstance(issuer, str):
        found.append(issuer)
    if types & {"Issuer", "Profile"} and "@context" in doc:
        found += _strs(doc.get("revocationList")) + _strs(doc.get("publicKey"))
    nested = as_list(doc.get("verifiableCredential"))
    for subject in as_list(doc.get("credentialSubject")):
        if isinstance(subject, Mapping):
            nested += as_list(subject.get("verifiableCredential"))
    for inner in nested:
        if isinstance(inner, Mapping):
            _collect(inner, found, depth=depth + 1)


def _document_of(vm: str) -> str:
    return vm.split("#", 1)[0]


def _strs(value: Any) -> list[str]:
    return [v for v in as_list(value) if isinstance(v, str) and ":" in v]
