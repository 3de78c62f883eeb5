"""The checks of an Open Badges 2.0 badge (OB 2.0 §Verification), one function per report
check; each returns a :class:`~verifier.report.CheckResult` or raises a
:mod:`verifier.errors` data error, which :mod:`verifier.ob2.verify` turns into a result.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from verifier import keys
from verifier.checks import Options, failed, not_applicable, passed, unknown
from verifier.checks.issuer import check_issuer_trust
from verifier.checks.validity import CLOCK_SKEW
from verifier.credential import as_list
from verifier.dates import human
from verifier.errors import (
    DocumentNotCached,
    KeyNotBound,
    KeyNotFound,
    ProofInvalid,
    UnsupportedProof,
)
from verifier.ob2.assertion import (
    Assertion,
    Linked,
    check_badge_class,
    check_issuer,
    fetched_note,
    host_of,
    is_web_url,
    linked,
    revoked_entries,
)
from verifier.report import (
    FORMAT,
    ISSUER_BINDING,
    ISSUER_TRUST,
    PROOF,
    STATUS,
    VALIDITY,
    CheckResult,
)
from verifier.suites.jose import check_algorithm, verify_jws

#: OB 2.0 signed badges are JWS with RS256; ES256 is accepted as well.
SIGNED_ALGORITHMS = frozenset({"RS256", "ES256"})
#: What makes a hosted assertion the award it is.  A badge must agree with the copy its issuer
#: hosts on these; other properties (evidence, image, extensions) may have changed since the
#: image was baked, and then the report shows the issuer's copy (OB 2.0 §HostedBadge).
AWARD_PROPERTIES = frozenset({"id", "type", "recipient", "badge", "issuedOn", "expires",
                              "verification", "verify", "uid"})


def check_format(badge: Assertion, badge_class: Linked, issuer: Linked) -> CheckResult:
    """OB 2.0 §Assertion, §BadgeClass, §Profile: required properties and the 2.0 context."""
    for part, check in ((badge_class, check_badge_class), (issuer, check_issuer)):
        if part.document is not None:
            check(part)
    used = [d for d in (badge.hosted_copy, badge_class, issuer) if d is not None]
    missing = next((d for d in (badge_class, issuer) if d.document is None), None)
    if missing is not None:
        where = f" {missing.url}" if missing.url else ""
        return unknown(FORMAT, f"The assertion is well formed, but its {missing.what}{where} is "
                       f"not in the local cache ({fetched_note(None)}), so it could not be "
                       "checked.", data_date=_oldest(used))
    return passed(FORMAT, "It is a well-formed Open Badges 2.0 assertion with its BadgeClass "
                  f"and issuer profile{_note(used)}.", data_date=_oldest(used))


def check_proof(badge: Assertion, issuer: Linked, opts: Options) -> CheckResult:
    """OB 2.0 §Verification: the hosted copy equals the badge, or the JWS signature verifies."""
    if badge.method == "signed":
        if badge.jws is None:
            return failed(PROOF, "The badge says it is signed but carries no signature, so "
                          "nothing shows that its issuer made it.")
        key = signing_key(badge, issuer, opts)
        return passed(PROOF, f"The issuer's signature is valid (key {key.id}, "
                      f"{fetched_note(key.fetched_at)}).", data_date=key.fetched_at)
    copy = badge.hosted_copy
    if copy is not None:
        if copy.url != badge.id:
            return failed(PROOF, f"The assertion at {copy.url} says its id is {badge.id}: it is "
                          "not the badge hosted there.")
        return passed(PROOF, f"The badge was read from the copy its issuer hosts at {copy.url} "
                      f"({fetched_note(copy.fetched_at)}).", data_date=copy.fetched_at)
    if not is_web_url(badge.id):
        return failed(PROOF, f"A hosted badge lives at its id, but its id {badge.id} is not a "
                      "web address.")
    copy = hosted_copy(badge, opts)
    if copy.document is None:
        raise DocumentNotCached(badge.id, message=f"The copy its issuer hosts at {badge.id} has "
                                f"not been fetched ({fetched_note(None)}), so the badge has "
                                "never been compared with it.")
    note, when = fetched_note(copy.fetched_at), copy.fetched_at
    changed = differences(badge.document, copy.document)
    if not changed:
        return passed(PROOF, f"The badge is the same as the copy its issuer hosts at {badge.id} "
                      f"({note}).", data_date=when)
    award = [k for k in changed if k in AWARD_PROPERTIES]
    if award and copy.document.get("revoked") is True:
        return unknown(PROOF, "The issuer has revoked this badge and no longer publishes its "
                       f"contents at {badge.id}, so they cannot be compared ({note}).",
                       data_date=when)
    if award:
        return failed(PROOF, f"The copy the issuer hosts at {badge.id} differs from the badge "
                      f"({', '.join(award)}): the badge was altered, or the issuer has changed "
                      f"it since ({note}).", data_date=when)
    return passed(PROOF, f"The issuer hosts this badge at {badge.id} ({note}); the copy given "
                  f"here differs only in {', '.join(changed)}, so the issuer's copy is what is "
                  "shown.", data_date=when)


def hosted_copy(badge: Assertion, opts: Options) -> Linked:
    """The copy of a hosted badge its issuer publishes at its id, as cached (OB 2.0
    §HostedBadge: the assertion is retrieved from its id)."""
    return badge.hosted_copy or linked(badge.id, opts.cache, "hosted assertion")


def differences(badge: Mapping[str, Any], copy: Mapping[str, Any]) -> list[str]:
    """The properties in which a badge and its hosted copy differ (revocation flags aside)."""
    names = (set(badge) | set(copy)) - {"revoked", "revocationReason"}
    return sorted(n for n in names if badge.get(n) != copy.get(n))


def signing_key(badge: Assertion, issuer: Linked, opts: Options) -> keys.VerificationMethod:
    """The key whose signature on the JWS verifies: ``verification.creator`` or, without one,
    the first key the issuer lists that verifies it (OB 2.0 §SignedBadge)."""
    assert badge.jws is not None
    alg = check_algorithm(badge.jws)
    if alg not in SIGNED_ALGORITHMS:
        raise UnsupportedProof(f"Open Badges 2.0 signed badges use RS256 (or ES256); this one "
                               f"uses {alg}.")
    if badge.creator:
        key = named_key(badge.creator, opts)
        verify_jws(badge.jws, key.public_key)
        return key
    found = []
    for ref in _key_refs(issuer.require()):
        try:
            found.append(named_key(ref, opts))
        except KeyNotFound:
            continue
    for key in found:
        try:
            verify_jws(badge.jws, key.public_key)
            return key
        except ProofInvalid:
            continue
    if found:
        raise ProofInvalid("The signature does not verify with any key its issuer lists.")
    raise KeyNotFound("The badge names no signing key, and none of the keys its issuer lists "
                      f"is in the local cache ({fetched_note(None)}).")


def named_key(ref: str, opts: Options) -> keys.VerificationMethod:
    """A CryptographicKey (``publicKeyPem``, ``owner``) read from the cache by its id."""
    linked(ref, opts.cache, "signing key")  # refuse a cached key that is not JSON
    return keys.resolve(ref, cache=opts.cache)


def check_binding(badge: Assertion, issuer: Linked, opts: Options) -> CheckResult:
    """OB 2.0 §VerificationObject (hosted scope) and §CryptographicKey (``owner`` and
    ``publicKey`` link key and issuer both ways)."""
    profile = issuer.require()
    issuer_id, name = str(profile.get("id")), _name(profile)
    if badge.method == "signed":
        if badge.jws is None:
            return unknown(ISSUER_BINDING, "The badge carries no signature to bind to an issuer.")
        # The key the badge names belongs to the issuer or not, whether or not it signed this.
        key = (named_key(badge.creator, opts) if badge.creator
               else signing_key(badge, issuer, opts))
        if key.id not in _key_refs(profile):
            raise KeyNotBound(f"The key that signed this badge ({key.id}) is not one its issuer "
                              f"{name} lists in its profile.")
        if key.controller != issuer_id:
            raise KeyNotBound(f"The key {key.id} names {key.controller} as its owner, not the "
                              f"issuer {issuer_id}.")
        when = _oldest([key, issuer])
        return passed(ISSUER_BINDING, f"The signing key belongs to {name}: its profile lists the "
                      f"key and the key names it as owner ({fetched_note(when)}).", data_date=when)
    if not is_web_url(badge.id):
        return failed(ISSUER_BINDING, f"A hosted badge's id must be a web address; {badge.id} "
                      "is not.")
    policy = profile.get("verification")
    policy = policy if isinstance(policy, Mapping) else {}
    starts = [s for s in as_list(policy.get("startsWith")) if isinstance(s, str)]
    if starts and not any(badge.id.startswith(s) for s in starts):
        return failed(ISSUER_BINDING, f"The badge's address {badge.id} is outside the addresses "
                      f"its issuer {name} publishes badges at ({', '.join(starts)}).")
    origins = [o for o in as_list(policy.get("allowedOrigins")) if isinstance(o, str)] or [
        h for u in (issuer_id, profile.get("url")) if is_web_url(u) and (h := host_of(u))]
    if not origins:
        return unknown(ISSUER_BINDING, f"The issuer {name} has no web address to compare the "
                       "badge's address with.")
    host = host_of(badge.id) or badge.id
    note = fetched_note(issuer.fetched_at)
    if host not in {o.lower() for o in origins}:
        return failed(ISSUER_BINDING, f"The badge is hosted at {host}, which is not where its "
                      f"issuer {name} publishes badges ({', '.join(origins)}; {note}).",
                      data_date=issuer.fetched_at)
    return passed(ISSUER_BINDING, f"The badge is hosted at {host}, where its issuer {name} "
                  f"publishes badges ({note}).", data_date=issuer.fetched_at)


def check_trust(issuer: Linked, opts: Options) -> CheckResult:
    """Look the issuer up in the trust store (as for every credential)."""
    if issuer.document is None or not isinstance(issuer.document.get("id"), str):
        return unknown(ISSUER_TRUST, "The issuer could not be read from the local cache, so it "
                       "could not be looked up.")
    return check_issuer_trust(issuer.document["id"], _name(issuer.document), opts)


def check_validity(badge: Assertion, opts: Options) -> CheckResult:
    """OB 2.0 §Assertion ``issuedOn`` and ``expires``, against ``opts.now``."""
    issued, expires = badge.issued_on, badge.expires
    if expires is not None and expires < issued:
        return failed(VALIDITY, f"Its dates are impossible: it expires ({human(expires)}) before "
                      f"it was issued ({human(issued)}).")
    if issued > opts.now + CLOCK_SKEW:
        return failed(VALIDITY, f"It says it was issued on {human(issued)}, which is still in the "
                      "future.", reason="not_yet_valid")
    if expires is not None and expires < opts.now:
        return failed(VALIDITY, f"It expired on {human(expires)}.", reason="expired")
    until = f"valid until {human(expires)}" if expires else "it does not expire"
    return passed(VALIDITY, f"Issued on {human(issued)}; {until}.")


def check_status(badge: Assertion, issuer: Linked, opts: Options) -> CheckResult:
    """OB 2.0 §Assertion ``revoked`` (the hosted copy) and §RevocationList."""
    used: list[Linked] = []
    if badge.document.get("revoked") is True:
        return _revoked("The badge itself says it has been revoked", badge.document, [])
    if badge.method == "hosted" and is_web_url(badge.id):
        copy = hosted_copy(badge, opts)
        if copy.document is None:
            raise DocumentNotCached(badge.id, message=f"The copy its issuer hosts at {badge.id} "
                                    f"has not been fetched ({fetched_note(None)}), so whether "
                                    "it was revoked is not known.")
        used.append(copy)
        if copy.document.get("revoked") is True:
            return _revoked("The issuer has revoked this badge", copy.document, used)
    ref = issuer.require().get("revocationList")
    if ref is None and used:
        return passed(STATUS, "Not revoked: the copy its issuer hosts is not marked revoked "
                      f"({fetched_note(used[0].fetched_at)}).", data_date=_oldest(used))
    if ref is None:
        return not_applicable(STATUS, "The issuer publishes no revocation list, so its signed "
                              "badges cannot be revoked.")
    revocations = linked(ref, opts.cache, "revocation list")
    if revocations.document is None:
        raise DocumentNotCached(str(ref), message=f"The issuer's revocation list {ref} has not "
                                f"been fetched ({fetched_note(None)}), so whether the badge was "
                                "revoked is not known.")
    used.append(revocations)
    revoked = revoked_entries(revocations.document)
    for key in (badge.id, badge.document.get("uid")):
        if isinstance(key, str) and key in revoked:
            entry = {"revocationReason": revoked[key]}
            return _revoked("The issuer has revoked this badge", entry, used)
    return passed(STATUS, "Not revoked: it is not on its issuer's revocation list"
                  f"{_note(used)}.", data_date=_oldest(used))


def _revoked(what: str, entry: Mapping[str, Any], used: list[Linked]) -> CheckResult:
    reason = entry.get("revocationReason")
    why = f" ({reason})" if isinstance(reason, str) and reason else ""
    return failed(STATUS, f"{what}{why}{_note(used)}.", reason="revoked", data_date=_oldest(used))


def _key_refs(profile: Mapping[str, Any]) -> list[str]:
    refs = [k.get("id") if isinstance(k, Mapping) else k for k in as_list(profile.get("publicKey"))]
    return [r for r in refs if isinstance(r, str)]


def _name(profile: Mapping[str, Any]) -> str:
    name = profile.get("name")
    return name if isinstance(name, str) and name else str(profile.get("id", "the issuer"))


def _oldest(used: list[Any]) -> datetime | None:
    """The oldest fetch date among the cached documents (and keys) a check relied on."""
    return min((u.fetched_at for u in used if u.fetched_at is not None), default=None)


def _note(used: list[Any]) -> str:
    when = _oldest(used)
    return f" ({fetched_note(when)})" if when else ""

