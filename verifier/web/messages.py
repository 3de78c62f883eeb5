"""Plain-language names and sentences for the checks, in the reader's language.

The verifier writes each check's message in English, often with names and dates in it. For
another language the page shows a translated sentence chosen by the check's id, status and
reason (``CheckResult.reason``), and keeps the English message beside it as detail; a check
with no translated sentence shows its English message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from verifier.report import (
    CHALLENGE,
    CREDENTIALS,
    DOMAIN,
    FORMAT,
    HOLDER_BINDING,
    HOLDER_PROOF,
    ISSUER_BINDING,
    ISSUER_TRUST,
    NESTED,
    PROOF,
    SCHEMA,
    STATUS,
    VALIDITY,
)
from verifier.web.i18n import table

CHECK_NAMES: dict[str, LazyString] = {
    FORMAT: _l("Format"),
    PROOF: _l("Issuer's signature"),
    ISSUER_BINDING: _l("Signing key belongs to the issuer"),
    ISSUER_TRUST: _l("Issuer is trusted"),
    VALIDITY: _l("Validity period"),
    STATUS: _l("Not revoked or suspended"),
    SCHEMA: _l("Schema"),
    NESTED: _l("Credentials inside it"),
    HOLDER_PROOF: _l("Holder's signature"),
    CHALLENGE: _l("Challenge"),
    DOMAIN: _l("Domain"),
    HOLDER_BINDING: _l("Holder is the subject"),
    CREDENTIALS: _l("Credentials presented"),
}

STATUS_NAMES: dict[str, LazyString] = {
    "passed": _l("Passed"),
    "failed": _l("Failed"),
    "unknown": _l("Could not check"),
    "not_applicable": _l("Not applicable"),
}

# (check id, status, reason or None) -> sentence; looked up with the reason, then without it.
SENTENCES: dict[tuple[str, str, str | None], LazyString] = {
    (FORMAT, "passed", None): _l("The document is well formed and every term in it is defined."),
    (FORMAT, "failed", None): _l("The document cannot be read as a credential or a presentation."),
    (FORMAT, "unknown", None): _l("The format could not be checked."),
    (PROOF, "passed", None): _l(
        "The issuer's signature matches the contents: nothing was changed."
    ),
    (PROOF, "failed", None): _l(
        "The signature does not match the contents: the document was changed or was not signed "
        "by its issuer."
    ),
    (PROOF, "unknown", None): _l(
        "The signature could not be checked offline: the issuer's key is not held here."
    ),
    (ISSUER_BINDING, "passed", None): _l("The signing key belongs to the issuer."),
    (ISSUER_BINDING, "failed", None): _l("The signing key does not belong to the issuer named."),
    (ISSUER_BINDING, "unknown", None): _l(
        "Whether the signing key belongs to the issuer could not be checked."
    ),
    (ISSUER_TRUST, "passed", None): _l("The issuer is in a registry this verifier trusts."),
    (ISSUER_TRUST, "failed", None): _l("This verifier does not trust the issuer."),
    (ISSUER_TRUST, "unknown", None): _l(
        "The issuer is not in any registry this verifier trusts, so who they are cannot be "
        "confirmed."
    ),
    (VALIDITY, "passed", None): _l("It is within its validity period."),
    (VALIDITY, "failed", "expired"): _l("It has expired."),
    (VALIDITY, "failed", "not_yet_valid"): _l("It is not valid yet."),
    (VALIDITY, "failed", None): _l("It is outside its validity period."),
    (VALIDITY, "unknown", None): _l("The validity period could not be checked."),
    (STATUS, "passed", None): _l("The issuer has not revoked or suspended it."),
    (STATUS, "failed", "revoked"): _l("The issuer has revoked it."),
    (STATUS, "failed", "suspended"): _l("The issuer has suspended it."),
    (STATUS, "failed", None): _l("The issuer has withdrawn it."),
    (STATUS, "unknown", None): _l(
        "Whether it was revoked could not be checked: the issuer's status list is not held here."
    ),
    (STATUS, "unknown", "other_issuer"): _l(
        "Whether it was revoked could not be checked: its status list was published by someone "
        "other than its issuer."
    ),
    (STATUS, "not_applicable", None): _l(
        "The issuer gave it no status list, so it cannot be revoked or suspended."
    ),
    (SCHEMA, "passed", None): _l("It matches the schema it declares."),
    (SCHEMA, "failed", None): _l("It does not match the schema it declares."),
    (SCHEMA, "unknown", None): _l("Its schema is not held here, so it was not checked."),
    (SCHEMA, "not_applicable", None): _l("It declares no schema."),
    (NESTED, "passed", None): _l("Every credential inside it passed its checks."),
    (NESTED, "failed", None): _l("A credential inside it did not pass its checks."),
    (NESTED, "unknown", None): _l("Some credentials inside it could not be fully checked."),
    (NESTED, "not_applicable", None): _l("It contains no other credentials."),
    (HOLDER_PROOF, "passed", None): _l("The holder signed this presentation with their own key."),
    (HOLDER_PROOF, "failed", None): _l(
        "The holder's signature does not match: the presentation was changed or was not signed "
        "by its holder."
    ),
    (HOLDER_PROOF, "unknown", None): _l("The holder's signature could not be checked."),
    (HOLDER_PROOF, "not_applicable", None): _l("It is not signed by a holder."),
    (CHALLENGE, "passed", None): _l("The holder signed for the challenge that was asked for."),
    (CHALLENGE, "failed", None): _l(
        "The holder did not sign for the challenge that was asked for: this may be a replay."
    ),
    (CHALLENGE, "not_applicable", None): _l(
        "No challenge was asked for, so this presentation may have been made earlier."
    ),
    (DOMAIN, "passed", None): _l("The holder signed for this verifier's domain."),
    (DOMAIN, "failed", None): _l(
        "The holder signed for another domain: it was made for someone else."
    ),
    (DOMAIN, "not_applicable", None): _l("No domain was asked for."),
    (HOLDER_BINDING, "passed", None): _l("The holder is the subject of every credential."),
    (HOLDER_BINDING, "failed", None): _l(
        "The holder is not the subject of every credential presented."
    ),
    (HOLDER_BINDING, "unknown", None): _l(
        "Whether the holder is the subject of the credentials could not be checked."
    ),
    (HOLDER_BINDING, "not_applicable", None): _l("There is no holder to compare."),
    (CREDENTIALS, "passed", None): _l("Every credential presented passed its checks."),
    (CREDENTIALS, "failed", None): _l("At least one credential presented did not pass its checks."),
    (CREDENTIALS, "unknown", None): _l("Some credentials presented could not be fully checked."),
}


@dataclass(frozen=True)
class Wording:
    """The check names, status words and sentences in one language."""

    names: Mapping[str, str]
    statuses: Mapping[str, str]
    sentences: Mapping[tuple[str, str, str | None], str]

    def check_name(self, check_id: str) -> str:
        """The check's name (its id when it has none)."""
        return self.names.get(check_id) or check_id.replace("_", " ")

    def status_name(self, status: str) -> str:
        """A check status in words."""
        return self.statuses.get(status) or status

    def sentence(self, check_id: str, status: str, reason: str | None) -> str | None:
        """The sentence for this result, or ``None`` when there is none."""
        found = self.sentences.get((check_id, status, reason))
        return found or self.sentences.get((check_id, status, None))


def wording() -> Wording:
    """The check names, status words and sentences in the reader's language."""
    return Wording(table(CHECK_NAMES), table(STATUS_NAMES), table(SENTENCES))


def check_name(check_id: str) -> str:
    """The check's name in the reader's language (its id when it has none)."""
    return wording().check_name(check_id)


def status_name(status: str) -> str:
    """A check status in words, in the reader's language."""
    return wording().status_name(status)


def sentence(check_id: str, status: str, reason: str | None) -> str | None:
    """The translated sentence for this result, or ``None`` when there is none."""
    return wording().sentence(check_id, status, reason)
