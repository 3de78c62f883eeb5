"""Encrypted backup, restore into an empty wallet, and exports for other wallets and for the
learner's data-protection rights (the ``backup`` blueprint and ``wallet backup`` commands)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("backup", __name__, url_prefix="/backup")

from wallet.backup import cli, views  # noqa: E402, F401  (they register on bp)
