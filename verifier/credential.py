"""Parse, then verify: every input format becomes a frozen :class:`Credential` or
:class:`Presentation` whose typed fields the checks read.

Parsing validates structure once (VC Data Model 1.1 §4, 2.0 §4) and raises
:class:`~verifier.errors.MalformedDocument` with a sentence naming the problem.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from verifier.dates import from_numeric_date, parse_datetime
from verifier.errors import MalformedDocument, VerificationError
from verifier.records import Record, factory

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 100

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"


def load_json(data: bytes | str) -> Any:
    """Decode JSON text safely: size cap, nesting cap, clear messages."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise MalformedDocument(
                f"The document is {len(data) // 1024 // 1024} MB; the limit "
                f"is {MAX_BYTES // 1024 // 1024} MB."
            )
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MalformedDocument("The document is not UTF-8 text.") from exc
    if len(data) > MAX_BYTES:
        raise MalformedDocument(f"The document is larger than {MAX_BYTES // 1024 // 1024} MB.")
    _check_depth(data)
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise MalformedDocument(
            f"The document is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})."
        ) from exc


def _check_depth(text: str) -> None:
    if too_deep_at(text, MAX_DEPTH) is not None:
        raise MalformedDocument(f"The document nests more than {MAX_DEPTH} levels deep.")


def too_deep_at(text: str, limit: int) -> tuple[int, int] | None:
    """The line and column (from 1) of the first ``[`` or ``{`` nested deeper than ``limit`` in
    JSON ``text``, or None. A scan, not a parse: it never recurses, whatever the nesting."""
    if text.count("[") + text.count("{") <= limit:
        return None  # it cannot nest deeper than it has brackets (a quick exact answer)
    depth = 0
    in_string = escaped = False
    for index, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                line_start = text.rfind("\n", 0, index) + 1
                return text.count("\n", 0, index) + 1, index - line_start + 1
        elif ch in "]}":
            depth -= 1
    return None


def as_list(value: Any) -> list[Any]:
    """A JSON(-LD) value that may be one item or many, as a new list (``None`` → empty)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _types(doc: Mapping[str, Any]) -> tuple[str, ...]:
    raw = as_list(doc.get("type", doc.get("@type")))
    if not all(isinstance(t, str) for t in raw):
        raise MalformedDocument("The type property must hold text values.")
    return tuple(raw)


def _id_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return value["id"]
    return None


class Credential(Record):
    """A credential in any format, with the fields the checks read."""

    format: str  # "ldp_vc", "jwt_vc", "sd_jwt_vc"
    document: Mapping[str, Any]
    version: str  # "1.1", "2.0" or "sd-jwt-vc"
    types: tuple[str, ...]
    id: str | None
    issuer_id: str | None
    issuer: Mapping[str, Any]
    valid_from: datetime | None
    valid_until: datetime | None
    subject_ids: tuple[str, ...]
    status_entries: tuple[Mapping[str, Any], ...]
    schemas: tuple[Mapping[str, Any], ...]
    raw: str | None = None  # original text of a JWT / SD-JWT
    jws: Any = None  # verifier.suites.jose.CompactJws for JWT formats
    sd_jwt: Any = None  # verifier.suites.sd_jwt.SdJwt
    nested: tuple[Credential | VerificationError, ...] = ()
    jwt_claims: Mapping[str, Any] = factory(dict)

    @property
    def has_proof(self) -> bool:
        """Whether the document carries an embedded proof or is a signed token."""
        return self.jws is not None or self.sd_jwt is not None or "proof" in self.document

    @classmethod
    def from_json(cls, data: bytes | str | Mapping[str, Any]) -> Credential:
        """Parse a credential from JSON-LD, a JWT, an SD-JWT or an enveloped credential."""
        parsed = parse(data)
        if not isinstance(parsed, Credential):
            raise MalformedDocument("This is a presentation, not a credential.")
        return parsed

    @classmethod
    def from_document(
        cls,
        doc: Mapping[str, Any],
        *,
        fmt: str = "ldp_vc",
        raw: str | None = None,
        jws: Any = None,
        sd_jwt: Any = None,
        jwt_claims: Mapping[str, Any] | None = None,
    ) -> Credential:
        """Validate a credential's JSON structure (VCDM 1.1 §4 / 2.0 §4) and build the object."""
        if not isinstance(doc, Mapping):
            raise MalformedDocument("The credential is not a JSON object.")
        contexts = as_list(doc.get("@context"))
        if not contexts:
            raise MalformedDocument("The credential has no @context.")
        first = contexts[0]
        if first == VC_V2:
            version = "2.0"
        elif first == VC_V1:
            version = "1.1"
        else:
            raise MalformedDocument(
                f"The first @context is {first!r}, not the W3C Verifiable Credentials context."
            )
        types = _types(doc)
        if "VerifiableCredential" not in types:
            raise MalformedDocument("The type does not include VerifiableCredential.")
        issuer = doc.get("issuer")
        issuer_id = _id_of(issuer)
        if issuer_id is None:
            raise MalformedDocument(
                "The credential names no issuer (issuer must be a URL or an object with an id)."
            )
        subjects = as_list(doc.get("credentialSubject"))
        if not subjects or not all(isinstance(s, Mapping) for s in subjects):
            raise MalformedDocument("The credential has no credentialSubject object.")
        if version == "1.1" and "issuanceDate" not in doc and jwt_claims and "iat" in jwt_claims:
            # A VC-JWT without nbf: its iat is when it was issued (VCDM 1.1 §6.3.1, RFC 7519).
            doc = {
                **doc,
                "issuanceDate": from_numeric_date(jwt_claims["iat"], field="iat")
                .isoformat()
                .replace("+00:00", "Z"),
            }
        if version == "1.1":
            if "issuanceDate" not in doc:
                raise MalformedDocument("A VC 1.1 credential must have an issuanceDate.")
            valid_from = parse_datetime(doc["issuanceDate"], field="issuanceDate")
            valid_until = (
                parse_datetime(doc["expirationDate"], field="expirationDate")
                if "expirationDate" in doc
                else None
            )
        else:
            valid_from = (
                parse_datetime(doc["validFrom"], field="validFrom") if "validFrom" in doc else None
            )
            valid_until = (
                parse_datetime(doc["validUntil"], field="validUntil")
                if "validUntil" in doc
                else None
            )
        statuses = as_list(doc.get("credentialStatus"))
        schemas = as_list(doc.get("credentialSchema"))
        for name, items in (("credentialStatus", statuses), ("credentialSchema", schemas)):
            if not all(isinstance(s, Mapping) for s in items):
                raise MalformedDocument(f"Each {name} entry must be an object.")
        nested = _parse_credentials(
            [i for s in subjects for i in as_list(s.get("verifiableCredential"))],
            "A nested entry is a presentation.",
        )
        return cls(
            format=fmt,
            document=doc,
            version=version,
            types=types,
            id=doc.get("id") if isinstance(doc.get("id"), str) else None,
            issuer_id=issuer_id,
            issuer=issuer if isinstance(issuer, Mapping) else {"id": issuer_id},
            valid_from=valid_from,
            valid_until=valid_until,
            subject_ids=tuple(s["id"] for s in subjects if isinstance(s.get("id"), str)),
            status_entries=tuple(statuses),
            schemas=tuple(schemas),
            raw=raw,
            jws=jws,
            sd_jwt=sd_jwt,
            nested=nested,
            jwt_claims=dict(jwt_claims or {}),
        )


#: Media types of a credential that travels under its own seal inside a presentation: an
#: e-sealed European Digital Credential, a JAdES JWS JSON serialization (VCDM 2.0 §4.13).
SEALED_MEDIA_TYPES = ("application/jose+json", "application/jades+json")


class SealedCredential(Record):
    """An e-sealed credential (JAdES JSON) enveloped in a presentation, kept as its exact bytes
    for the pipeline to verify as the European Digital Credential it is."""

    raw: bytes
    subject_ids: tuple[str, ...] = ()
    format: str = "edc_jades"
    jwt_claims: Mapping[str, Any] = factory(dict)
    sd_jwt: Any = None


class Presentation(Record):
    """A verifiable presentation: the holder, its proof, and the credentials it carries."""

    format: str  # "ldp_vp", "jwt_vp", "sd_jwt_vp"
    document: Mapping[str, Any]
    holder: str | None
    credentials: tuple[Credential | SealedCredential | VerificationError, ...]
    raw: str | None = None
    jws: Any = None
    jwt_claims: Mapping[str, Any] = factory(dict)

    @classmethod
    def from_json(cls, data: bytes | str | Mapping[str, Any]) -> Presentation:
        """Parse a presentation from JSON-LD, a JWT or an SD-JWT with key binding."""
        parsed = parse(data)
        if not isinstance(parsed, Presentation):
            raise MalformedDocument("This is a credential, not a presentation.")
        return parsed

    @classmethod
    def from_document(
        cls,
        doc: Mapping[str, Any],
        *,
        fmt: str = "ldp_vp",
        raw: str | None = None,
        jws: Any = None,
        jwt_claims: Mapping[str, Any] | None = None,
    ) -> Presentation:
        """Validate a presentation's structure (VCDM 2.0 §4.13) and parse what it carries."""
        contexts = as_list(doc.get("@context"))
        if not contexts or contexts[0] not in (VC_V1, VC_V2):
            raise MalformedDocument(
                "The presentation's first @context is not the W3C Verifiable Credentials context."
            )
        if "VerifiablePresentation" not in _types(doc):
            raise MalformedDocument("The type does not include VerifiablePresentation.")
        holder = _id_of(doc.get("holder"))
        items = as_list(doc.get("verifiableCredential"))
        if len(items) > 1000:
            raise MalformedDocument(
                f"The presentation carries {len(items)} credentials; the limit is 1000."
            )
        creds = _parse_credentials(items, "A presentation cannot contain another presentation.")
        return cls(
            format=fmt,
            document=doc,
            holder=holder,
            credentials=creds,
            raw=raw,
            jws=jws,
            jwt_claims=dict(jwt_claims or {}),
        )


def _parse_credentials(
    items: list[Any], not_a_credential: str
) -> tuple[Credential | SealedCredential | VerificationError, ...]:
    """Parse each embedded credential; one that cannot be read is kept as its error."""
    out: list[Credential | SealedCredential | VerificationError] = []
    for item in items:
        try:
            sealed = _sealed(item)
            if sealed is not None:
                out.append(sealed)
                continue
            inner = parse(item)
            if not isinstance(inner, Credential):
                raise MalformedDocument(not_a_credential)
            out.append(inner)
        except VerificationError as exc:
            out.append(exc)
    return tuple(out)


def parse(data: bytes | str | Mapping[str, Any]) -> Credential | Presentation:
    """Recognise the format of ``data`` and parse it (JSON-LD, JWT, SD-JWT, enveloped)."""
    if isinstance(data, bytes | str):
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        if len(text) > MAX_BYTES:
            raise MalformedDocument(f"The document is larger than {MAX_BYTES // 1024 // 1024} MB.")
        stripped = text.strip()
        if stripped.startswith("ey") and "." in stripped and " " not in stripped:
            return _parse_token(stripped)
        value = load_json(data)
    else:
        value = data
    if isinstance(value, str):
        return _parse_token(value.strip())
    if not isinstance(value, Mapping):
        raise MalformedDocument("The document is JSON but not an object.")
    types = _types(value)
    if "EnvelopedVerifiableCredential" in types or "EnvelopedVerifiablePresentation" in types:
        return _parse_enveloped(value)
    if "VerifiablePresentation" in types:
        return Presentation.from_document(value)
    return Credential.from_document(value)


def _parse_enveloped(value: Mapping[str, Any]) -> Credential | Presentation:
    data_url = value.get("id")
    if not isinstance(data_url, str) or not data_url.startswith("data:") or "," not in data_url:
        raise MalformedDocument("An enveloped credential's id must be a data: URL.")
    media, payload = data_url[5:].split(",", 1)
    if media.split(";")[0] not in (
        "application/vc+jwt",
        "application/vp+jwt",
        "application/vc+sd-jwt",
        "application/dc+sd-jwt",
        "application/jwt",
    ):
        raise MalformedDocument(f"Enveloped media type {media!r} is not supported.")
    return _parse_token(payload)


def _sealed(item: Any) -> SealedCredential | None:
    """The e-sealed credential enveloped in ``item``, or ``None`` when ``item`` is another kind.

    Only the payload's ``credentialSubject`` ids are read here (for the holder binding); the
    seal itself is checked by the European Digital Credential pipeline.
    """
    if not isinstance(item, Mapping) or "EnvelopedVerifiableCredential" not in _types(item):
        return None
    data_url = item.get("id")
    if not isinstance(data_url, str) or not data_url.startswith("data:") or "," not in data_url:
        return None
    media, payload = data_url[5:].split(",", 1)
    params = media.split(";")
    if params[0] not in SEALED_MEDIA_TYPES:
        return None
    import base64
    from urllib.parse import unquote_to_bytes

    try:
        raw = (
            base64.b64decode(payload, validate=True)
            if "base64" in params[1:]
            else (unquote_to_bytes(payload))
        )
        seal = json.loads(raw)
        body = seal["payload"]
        # JAdES allows an unencoded payload (``"b64": false``): the JSON text itself.
        document = (
            json.loads(body)
            if body.lstrip().startswith("{")
            else json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise MalformedDocument(
            "An enveloped sealed credential cannot be read.", detail=str(exc)
        ) from None
    subjects = document.get("credentialSubject") if isinstance(document, Mapping) else None
    # An EDC names its subject by a URN, not a key: only a DID can bind it to the holder.
    ids = tuple(i for i in (_id_of(s) for s in as_list(subjects)) if i and i.startswith("did:"))
    return SealedCredential(raw=raw, subject_ids=ids)


def _parse_token(token: str) -> Credential | Presentation:
    from verifier.suites import jose

    if "~" in token:
        from verifier.suites import sd_jwt

        sd = sd_jwt.SdJwt.parse(token)
        return _from_sd_jwt(sd, token)
    jws = jose.CompactJws.parse(token)
    claims = jose.jwt_claims(jws)
    typ = str(jws.header.get("typ", "")).lower()
    if (
        "vp" in claims
        or typ in ("vp+jwt", "application/vp+jwt")
        or "VerifiablePresentation" in as_list(claims.get("type"))
    ):
        doc, registered = jose.presentation_from_jwt(claims)
        return Presentation.from_document(
            doc, fmt="jwt_vp", raw=token, jws=jws, jwt_claims=registered
        )
    doc, registered = jose.credential_from_jwt(claims)
    if "@context" not in doc and "vc" not in claims:
        raise MalformedDocument("This JWT carries no verifiable credential.")
    return Credential.from_document(doc, fmt="jwt_vc", raw=token, jws=jws, jwt_claims=registered)


def _from_sd_jwt(sd: Any, token: str) -> Credential:
    claims: Mapping[str, Any] = sd.claims
    iss = claims.get("iss")
    if not isinstance(iss, str):
        raise MalformedDocument("The SD-JWT names no issuer (iss).")
    if not isinstance(claims.get("vct"), str):
        raise MalformedDocument("The SD-JWT VC has no vct (credential type).")
    nbf = claims.get("nbf", claims.get("iat"))
    valid_from = from_numeric_date(nbf, field="nbf") if nbf is not None else None
    valid_until = from_numeric_date(claims["exp"], field="exp") if "exp" in claims else None
    status = claims.get("status")
    statuses = [status] if isinstance(status, Mapping) else []
    return Credential(
        format="sd_jwt_vc",
        document=claims,
        version="sd-jwt-vc",
        types=(str(claims["vct"]),),
        id=claims.get("jti") if isinstance(claims.get("jti"), str) else None,
        issuer_id=iss,
        issuer={"id": iss},
        valid_from=valid_from,
        valid_until=valid_until,
        subject_ids=(claims["sub"],) if isinstance(claims.get("sub"), str) else (),
        status_entries=tuple(statuses),
        schemas=(),
        raw=token,
        jws=sd.issuer_jws,
        sd_jwt=sd,
        jwt_claims={
            k: v
            for k, v in claims.items()
            if k in ("iss", "sub", "iat", "nbf", "exp", "cnf", "vct", "jti")
        },
    )
