"""The trust store: which issuers this verifier recognises, and where that knowledge came from.

Issuers are added by hand (registry ``"local"``) or imported from a Digital Credentials
Consortium registry, each with the date it was added.  A store is a JSON file written
atomically; presets: :meth:`TrustStore.empty`, :meth:`TrustStore.from_file` and, for tests
and conformance runs only, :meth:`TrustStore.accept_any_issuer_insecure`.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from verifier.errors import TrustListError
from verifier.files import atomic_write
from verifier.records import Record

FILE_VERSION = 1
LOCAL = "local"


class TrustedIssuer(Record, kw_only=True):
    """One recognised issuer: its DID or URL, its name, the registry that lists it, pinned keys."""

    id: str
    name: str
    registry: str
    added_at: datetime
    keys: tuple[dict[str, Any], ...] = ()
    url: str | None = None
    location: str | None = None

    def __post_init__(self) -> None:
        if not all(isinstance(v, str) and v for v in (self.id, self.name, self.registry)):
            raise ValueError("a trusted issuer needs a text id, name and registry")
        if self.added_at.tzinfo is None:
            raise ValueError("added_at must be timezone-aware")
        keys = tuple(self.keys)
        for key in keys:
            if not isinstance(key, dict) or "kty" not in key:
                raise ValueError("pinned keys must be JWK objects")
            if "d" in key:
                raise ValueError("a pinned key must be public: this JWK holds a private key")
        object.__setattr__(self, "keys", keys)

    def __hash__(self) -> int:  # the pinned JWKs are dicts, so hash what identifies the entry
        return hash((self.id, self.registry, self.added_at))

    def to_json(self) -> dict[str, Any]:
        """The entry as stored in the trust file."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "registry": self.registry,
                               "added_at": self.added_at.isoformat()}
        if self.keys:
            out["keys"] = [dict(k) for k in self.keys]
        for name in ("url", "location"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        return out

    @classmethod
    def from_json(cls, data: Any) -> TrustedIssuer:
        """An entry from the trust file; ``TrustListError`` when it is malformed."""
        try:
            return cls(id=data["id"], name=data["name"], registry=data["registry"],
                       added_at=datetime.fromisoformat(data["added_at"]),
                       keys=tuple(data.get("keys", ())), url=data.get("url"),
                       location=data.get("location"))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise TrustListError("The trust store file has a malformed issuer entry.",
                                 detail=repr(exc)) from exc


class TrustStore:
    """Trusted issuers by id.  Build one with a preset rather than the constructor."""

    def __init__(self, issuers: Iterable[TrustedIssuer] = (), *, path: Path | None = None,
                 accept_any: bool = False) -> None:
        self._issuers = {i.id: i for i in issuers}
        self.path = path
        self._any = accept_any

    def __repr__(self) -> str:
        mode = "accept-any-issuer INSECURE" if self._any else f"{len(self._issuers)} issuers"
        return f"<TrustStore {mode} path={self.path}>"

    # -- presets ---------------------------------------------------------------------------
    @classmethod
    def empty(cls) -> TrustStore:
        """A store that trusts nobody and lives in memory."""
        return cls()

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> TrustStore:
        """The store saved at ``path``; an empty store bound to ``path`` if there is no file yet."""
        target = Path(path)
        if not target.exists():
            return cls(path=target)
        try:
            data = json.loads(target.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise TrustListError(f"The trust store {target} cannot be read.",
                                 detail=str(exc)) from exc
        if not isinstance(data, dict) or not isinstance(data.get("issuers"), list):
            raise TrustListError(f"The trust store {target} is not a trust store file.")
        issuers = [TrustedIssuer.from_json(item) for item in data["issuers"]]
        return cls(issuers, path=target)

    @classmethod
    def accept_any_issuer_insecure(cls) -> TrustStore:
        """DANGER: every issuer counts as trusted.  For tests and conformance runs only."""
        return cls(accept_any=True)

    # -- reading ---------------------------------------------------------------------------
    @property
    def trusts_anyone(self) -> bool:
        """True for the insecure accept-any preset: every issuer counts as trusted."""
        return self._any

    def is_trusted(self, issuer_id: str) -> bool:
        """Whether the issuer counts as trusted (always, in the accept-any preset)."""
        return self._any or issuer_id in self._issuers

    def lookup(self, issuer_id: str) -> TrustedIssuer | None:
        """What the store records about an issuer, or ``None`` (even in accept-any mode)."""
        return self._issuers.get(issuer_id)

    def pinned_keys(self, issuer_id: str) -> tuple[dict[str, Any], ...]:
        """Copies of the public JWKs pinned for this issuer (empty when none are)."""
        entry = self._issuers.get(issuer_id)
        return copy.deepcopy(entry.keys) if entry else ()

    def issuers(self) -> tuple[TrustedIssuer, ...]:
        """Every recorded issuer, sorted by registry then name."""
        return tuple(sorted(self._issuers.values(), key=lambda i: (i.registry, i.name, i.id)))

    # -- changing --------------------------------------------------------------------------
    def add(self, issuer: TrustedIssuer) -> None:
        """Record an issuer, replacing any entry with the same id."""
        if not isinstance(issuer, TrustedIssuer):
            raise TypeError("add() takes a TrustedIssuer")
        self._issuers[issuer.id] = issuer

    def remove(self, issuer_id: str) -> None:
        """Forget an issuer (``KeyError`` if it is not recorded)."""
        del self._issuers[issuer_id]

    def save(self) -> None:
        """Write the store to its file atomically (a crash leaves the old file intact)."""
        if self.path is None:
            raise ValueError("this trust store has no file: open it with TrustStore.from_file")
        if self._any:
            raise ValueError("refusing to save an accept-any-issuer store")
        data = {"version": FILE_VERSION, "issuers": [i.to_json() for i in self.issuers()]}
        atomic_write(self.path, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))

    def import_dcc_registry(self, data: dict[str, Any], *, registry_name: str | None = None,
                            now: datetime) -> int:
        """Import a DCC issuer registry: the legacy known-DID map or an OpenID Federation
        subordinate statement (decoded), returning how many issuers it lists.

        A re-import replaces that registry's earlier entries (an issuer it dropped is dropped
        here too); an issuer already recorded from another source keeps its entry.  A
        malformed registry raises ``TrustListError`` and leaves the store unchanged.
        """
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if not isinstance(data, Mapping):
            raise TrustListError("The registry is not a JSON object.")
        if "registry" in data:
            name, entries = _legacy_registry(data, registry_name, now)
        elif "sub" in data and "iss" in data:
            name, entries = _federation_statement(data, registry_name, now)
        else:
            raise TrustListError("This is not a DCC issuer registry: expected a \"registry\" map "
                                 "of DIDs or an OpenID Federation statement (iss, sub, metadata).")
        kept = {k: v for k, v in self._issuers.items() if v.registry != name}
        for entry in entries:
            kept.setdefault(entry.id, entry)
        self._issuers = kept
        return len(entries)


# -- registry formats ----------------------------------------------------------------------------
def _legacy_registry(data: Mapping[str, Any], registry_name: str | None,
                     now: datetime) -> tuple[str, list[TrustedIssuer]]:
    # {"meta": {"created", "updated"}, "registry": {"did:...": {"name", "location", "url"}}}
    # as read by digitalcredentials/issuer-registry-client (DidMapRegistry, spec 0.1.0).
    registry, meta = data["registry"], data.get("meta", {})
    if not isinstance(registry, Mapping) or not isinstance(meta, Mapping):
        raise TrustListError("The registry's \"registry\" member is not a map of DIDs.")
    name = registry_name or _text(meta.get("name"), "meta.name") or "DCC issuer registry"
    entries = []
    for issuer_id, info in registry.items():
        if info is None:  # verifier-core reads a null entry as "not listed"
            continue
        _check_id(issuer_id)
        if not isinstance(info, Mapping):
            raise TrustListError(f"The registry entry for {issuer_id} is not an object.")
        entries.append(TrustedIssuer(
            id=issuer_id, name=_text(info.get("name"), f"{issuer_id} name") or issuer_id,
            registry=name, added_at=now, url=_text(info.get("url"), f"{issuer_id} url"),
            location=_text(info.get("location"), f"{issuer_id} location")))
    return name, entries


def _federation_statement(data: Mapping[str, Any], registry_name: str | None,
                          now: datetime) -> tuple[str, list[TrustedIssuer]]:
    # OpenID Federation 1.0 §3 subordinate statement, the payload the DCC registry's
    # /fetch?sub=<did> endpoint signs: {iss: anchor, sub: issuer DID, exp, metadata: {
    # federation_entity: {organization_name, homepage_uri, logo_uri}, ...}}.  Its JWS is not
    # checked here: importing the decoded file is the operator's decision, as for the legacy
    # registry, which is not signed at all.
    iss, sub = data["iss"], data["sub"]
    if not isinstance(iss, str) or not isinstance(sub, str) or not iss or not sub:
        raise TrustListError("The federation statement's iss and sub must be text.")
    if iss == sub:
        raise TrustListError("This is the registry's own entity configuration, which lists no "
                             "issuers; import the statement its fetch endpoint returns for each "
                             "issuer.")
    _check_id(sub)
    exp = data.get("exp")
    if isinstance(exp, str) and exp.isdigit():  # some registries sign exp as a digit string
        exp = int(exp)
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise TrustListError("The federation statement has no expiry (exp).")
    try:
        expires = datetime.fromtimestamp(exp, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise TrustListError("The federation statement's expiry is out of range.") from exc
    if expires <= now:
        raise TrustListError(f"The federation statement for {sub} expired on "
                             f"{expires:%Y-%m-%d}.")
    metadata = data.get("metadata")
    if not isinstance(metadata, Mapping):
        raise TrustListError("The federation statement has no metadata object.")
    entity = metadata.get("federation_entity", {})
    extra = metadata.get("institution_additional_information", {})
    if not isinstance(entity, Mapping) or not isinstance(extra, Mapping):
        raise TrustListError("The federation statement's metadata is malformed.")
    label = (_text(entity.get("organization_name"), "organization_name")
             or _text(extra.get("legal_name"), "legal_name") or sub)
    name = registry_name or iss
    return name, [TrustedIssuer(id=sub, name=label, registry=name, added_at=now,
                                url=_text(entity.get("homepage_uri"), "homepage_uri"))]


def _check_id(issuer_id: Any) -> None:
    if not isinstance(issuer_id, str) or not issuer_id.startswith(("did:", "https://")):
        raise TrustListError(f"The registry lists {issuer_id!r}, which is not a DID or an "
                             "https URL.")


def _text(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    raise TrustListError(f"The registry's {what} is not text.")
