"""Data problems found while verifying: one small hierarchy, turned into check results
in exactly one place (:mod:`verifier.pipeline`).

Programming mistakes raise ``TypeError`` / ``ValueError`` instead and are never caught.
"""

from __future__ import annotations


class VerificationError(Exception):
    """Base of every data problem; ``str(error)`` is a sentence a person can read."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class MalformedDocument(VerificationError):
    """The input is not a document of a format we verify, or breaks that format's rules."""


class SafeModeViolation(MalformedDocument):
    """JSON-LD processing would silently drop or rebase a term, type or IRI."""


class UnknownContext(MalformedDocument):
    """A JSON-LD context URL that is not pinned in ``verifier/contexts``."""


class ProofInvalid(VerificationError):
    """A signature or seal does not verify: the document was changed or signed by another key."""


class UnsupportedProof(VerificationError):
    """A proof type or algorithm this verifier does not implement (it cannot say either way)."""


class KeyNotFound(VerificationError):
    """The signing key cannot be established offline (not derivable, not cached, not pinned)."""


class InvalidKeyReference(VerificationError):
    """The proof names its key in a way no verifier could ever resolve (not a URL, an unknown
    URI scheme, an example-only or unsupported DID method that is not cached)."""


class KeyNotBound(VerificationError):
    """The signing key is known, but it does not belong to the party that claims to have signed."""


class DocumentNotCached(VerificationError):
    """A document the check needs (status list, DID document, schema) is not in the local cache."""

    def __init__(self, url: str, *, message: str | None = None) -> None:
        super().__init__(message or f"{url} is not in the local cache.")
        self.url = url


class StatusListError(VerificationError):
    """A status list credential is unusable: unsigned, expired, malformed or for another purpose."""


class TrustListError(VerificationError):
    """A trusted list or registry cannot be imported (bad signature, malformed)."""
