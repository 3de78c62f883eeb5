"""The identities a learner has confirmed in the wallet (e-mail addresses, by a one-time code),
used for the recipient check of Open Badges 2.0 badges (the ``identities`` blueprint)."""

from __future__ import annotations

from flask import Blueprint

from wallet.identities import models  # noqa: F401  (the table is on the metadata)

bp = Blueprint("identities", __name__, url_prefix="/identities")

from wallet.identities import views  # noqa: E402, F401  (they register on bp)
