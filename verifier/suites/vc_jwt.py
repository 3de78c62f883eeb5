"""Read the credential or presentation out of a verified JWT's claims, in both forms:

* VC-JOSE-COSE (``typ`` ``vc+jwt`` / ``vp+jwt``): the claims set *is* the credential
  (VC-JOSE-COSE §3.1, "Securing JSON-LD Verifiable Credentials with JOSE"); JWT registered
  claims beside it are separated out, and ``vc``/``vp`` claims are forbidden.
* VC-JWT of VC Data Model 1.1 §6.3: the credential sits in the ``vc`` (or ``vp``) claim, and the
  registered claims ``iss``, ``nbf``, ``exp``, ``jti``, ``sub`` stand for some of its properties.

Where a registered claim and a property both exist and disagree, the document says two
different things; that is reported as ``MalformedDocument``, never settled by picking one.
"""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime
from typing import Any

from verifier.dates import from_numeric_date
from verifier.errors import MalformedDocument

#: JWT registered claims (RFC 7519 §4.1) and the confirmation claim (RFC 7800).
REGISTERED_CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti", "cnf", "nonce")
_DATE_CLAIMS = ("exp", "nbf", "iat")
_STRING_CLAIMS = ("iss", "sub", "jti", "nonce")
_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
# Media types of VC-JOSE-COSE (and of its drafts, "+ld+jwt"); "application/" may prefix them.
_JOSE_TYP = {"vc": ("vc+jwt", "vc+ld+jwt"), "vp": ("vp+jwt", "vp+ld+jwt")}


_NAMES = {"vc": "credential", "vp": "presentation"}


def _check_typ(typ: str | None, kind: str, wrapped: bool) -> None:
    """Refuse a ``typ`` that names the other kind, or VC-JOSE-COSE for a ``vc``/``vp`` claim."""
    typ = (typ or "").lower().removeprefix("application/")
    other = "vp" if kind == "vc" else "vc"
    if typ in _JOSE_TYP[other]:
        raise MalformedDocument(f"The JWT's typ {typ} does not fit a {_NAMES[kind]}.")
    if wrapped and typ in _JOSE_TYP[kind]:
        raise MalformedDocument(f"The JWT is typed {typ} but uses the VC-JWT {kind} claim, which "
                                "VC-JOSE-COSE forbids (its payload is the document itself).")


def registered_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """The registered claims present in ``claims``, each checked for its JSON type."""
    found = {name: claims[name] for name in REGISTERED_CLAIMS if name in claims}
    for name in _DATE_CLAIMS:
        if name in found:
            from_numeric_date(found[name], field=name)
    for name in _STRING_CLAIMS:
        if name in found and not isinstance(found[name], str):
            raise MalformedDocument(f"The JWT claim {name} is not a string.")
    aud = found.get("aud")
    if aud is not None and not (isinstance(aud, str) or (
            isinstance(aud, list) and all(isinstance(a, str) for a in aud))):
        raise MalformedDocument("The JWT claim aud is neither a string nor a list of strings.")
    return found


def _xsd(value: Any, claim: str) -> str:
    return from_numeric_date(value, field=claim).strftime("%Y-%m-%dT%H:%M:%SZ")


def _same_instant(text: Any, value: Any, claim: str, prop: str) -> bool:
    if not isinstance(text, str):
        raise MalformedDocument(f"The credential's {prop} is not a date-time string.")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedDocument(f"The credential's {prop} {text!r} is not a date-time.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # NumericDate counts whole seconds in practice; a fraction in the property is not a conflict.
    claimed = from_numeric_date(value, field=claim)
    return math.floor(moment.timestamp()) == math.floor(claimed.timestamp())


def _conflict(claim: str, prop: str) -> MalformedDocument:
    return MalformedDocument(
        f"The JWT claim {claim} and the {prop} it stands for have different values, so it is "
        "not clear what the issuer said.")


def _node_id(node: Any) -> Any:
    return node.get("id") if isinstance(node, dict) else node


def _merge_id(doc: dict[str, Any], prop: str, claim: str, value: str, *, fill: bool) -> None:
    """Put ``value`` in ``doc[prop]`` (a string or an object's ``id``), or check it is there."""
    if prop not in doc:
        if fill:
            doc[prop] = value
        return
    current = doc[prop]
    if isinstance(current, dict) and "id" not in current:
        if fill:
            current["id"] = value
        return
    if _node_id(current) != value:
        raise _conflict(claim, prop)


def _merge_subject(doc: dict[str, Any], sub: str, *, fill: bool) -> None:
    subject = doc.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if isinstance(subject, dict):
        _merge_id(subject, "id", "sub", sub, fill=fill)
    elif isinstance(subject, list):
        if sub not in [_node_id(s) for s in subject]:
            raise MalformedDocument(
                "The JWT claim sub names none of the credential's several subjects.")
    elif subject is not None:
        raise MalformedDocument("The credential's credentialSubject is not an object.")


def _merge_date(doc: dict[str, Any], prop: str, claim: str, value: Any, *, fill: bool) -> None:
    if prop in doc:
        if not _same_instant(doc[prop], value, claim, prop):
            raise _conflict(claim, prop)
    elif fill:
        doc[prop] = _xsd(value, claim)


def _payload_form(claims: dict[str, Any]) -> dict[str, Any]:
    """VC-JOSE-COSE: the claims set minus the registered claims, which must agree with it."""
    document = {k: copy.deepcopy(v) for k, v in claims.items() if k not in REGISTERED_CLAIMS}
    if "@context" not in document:
        raise MalformedDocument("The JWT carries no credential: it has neither a vc claim nor "
                                "a credential (@context) as its payload.")
    return document


def credential_from_jwt(claims: dict[str, Any], *, typ: str | None = None,
                        ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (credential JSON, registered claims) from a JWT claims set of either form."""
    return _from_jwt(claims, "vc", typ)


def presentation_from_jwt(claims: dict[str, Any], *, typ: str | None = None,
                          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (presentation JSON, registered claims) from a JWT claims set of either form."""
    return _from_jwt(claims, "vp", typ)


def _from_jwt(claims: dict[str, Any], kind: str, typ: str | None,
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The document of ``kind`` ("vc" or "vp") a JWT carries, and its registered claims."""
    other, name = ("vp", "credential") if kind == "vc" else ("vc", "presentation")
    registered = registered_claims(claims)
    holder = kind == "vp"
    if other in claims and kind not in claims:
        raise MalformedDocument(f"The JWT carries a {_NAMES[other]} ({other} claim), not a "
                                f"{name}.")
    _check_typ(typ, kind, kind in claims)
    if kind not in claims:
        # VC-JOSE-COSE asks issuers to keep iss/jti/sub consistent with issuer/id/subject
        # ("JOSE Header Parameters and JWT Claims"); a conflict is refused, not resolved.
        document = _payload_form(claims)
        _apply(document, registered, fill=False, holder=holder)
        return document, registered
    if "@context" in claims:
        raise MalformedDocument(f"The JWT is both a {name} (@context) and carries one in its "
                                f"{kind} claim, so it is not clear which is meant.")
    wrapped = claims[kind]
    if not isinstance(wrapped, dict):
        raise MalformedDocument(f"The JWT's {kind} claim is not a JSON object.")
    document = copy.deepcopy(wrapped)
    _apply(document, registered, fill=True, holder=holder)  # VC Data Model 1.1 §6.3.1
    return document, registered


def _apply(doc: dict[str, Any], registered: dict[str, Any], *, fill: bool, holder: bool) -> None:
    """Map registered claims onto ``doc`` (``fill``) or only check they agree with it."""
    if "iss" in registered:
        _merge_id(doc, "holder" if holder else "issuer", "iss", registered["iss"], fill=fill)
    if "jti" in registered:
        _merge_id(doc, "id", "jti", registered["jti"], fill=fill)
    if holder:
        return
    if "sub" in registered:
        _merge_subject(doc, registered["sub"], fill=fill)
    if not fill:
        return  # VC-JOSE-COSE: validFrom/validUntil and nbf/exp are separate statements
    # A VCDM 2.0 credential inside a vc claim gets the 2.0 names for the same two dates.
    v2 = _V2_CONTEXT in (doc.get("@context") if isinstance(doc.get("@context"), list)
                         else [doc.get("@context")])
    if "nbf" in registered:
        _merge_date(doc, "validFrom" if v2 else "issuanceDate", "nbf", registered["nbf"],
                    fill=True)
    if "exp" in registered:
        _merge_date(doc, "validUntil" if v2 else "expirationDate", "exp", registered["exp"],
                    fill=True)
