"""Open Badges 2.0: hosted and signed badges verified offline from the local document cache.

Example::

    from verifier.ob2 import looks_like_ob2, recipient_matches, verify_ob2

    if looks_like_ob2(text):
        report = verify_ob2(text, opts)          # opts: verifier.checks.Options
        recipient_matches(report, "learner@example.org")   # True / False / None
"""

from verifier.ob2.assertion import Assertion, looks_like_ob2
from verifier.ob2.recipient import matches, recipient_matches
from verifier.ob2.verify import verify_ob2

__all__ = ["Assertion", "looks_like_ob2", "matches", "recipient_matches", "verify_ob2"]
