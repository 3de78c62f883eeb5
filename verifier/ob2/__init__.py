"""Open Badges 2.0: hosted and signed badges verified offline from the local document cache.

Example::

    from verifier.ob2 import looks_like_ob2, recipient_matches, verify_ob2

    if looks_like_ob2(text):
        report = verify_ob2(text, opts)          # opts: verifier.checks.Options
        recipient_matches(report, "learner@example.org")   # True / False / None
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verifier.ob2.assertion import Assertion, looks_like_ob2
    from verifier.ob2.recipient import matches, recipient_matches
    from verifier.ob2.verify import verify_ob2

__all__ = ["Assertion", "looks_like_ob2", "matches", "recipient_matches", "verify_ob2"]


def __getattr__(name: str) -> Any:
    """Import a public name from its module when it is first used (PEP 562): the pipeline
    asks ``looks_like_ob2`` of documents, and only an Open Badges 2.0 badge needs the rest."""
    if name in ("Assertion", "looks_like_ob2"):
        from verifier.ob2 import assertion

        value = getattr(assertion, name)
    elif name in ("matches", "recipient_matches"):
        from verifier.ob2 import recipient

        value = getattr(recipient, name)
    elif name == "verify_ob2":
        from verifier.ob2 import verify

        value = verify.verify_ob2
    else:
        raise AttributeError(f"module 'verifier.ob2' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
