"""Sharing: signed presentations, share links with their access log, QR codes.

``presentations`` builds and signs a presentation; ``models`` holds shares and their access
log; ``links`` makes, finds and withdraws shares; ``qr`` draws their codes; ``forms`` checks
the new-share form; ``views`` holds the learner's pages (``/shares``) and ``public`` the pages
an employer opens without an account (``/s/<token>``), whose results come from ``results``;
``demo`` seeds the demo wallet.
"""

from flask import Blueprint

bp = Blueprint("sharing", __name__)

# The views register themselves on ``bp``; the models join the metadata on import.
from wallet.sharing import models, public, views  # noqa: E402, F401  # isort: skip

__all__ = ["bp"]
