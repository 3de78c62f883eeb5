"""The advisers' blueprint: ``/advisers`` for learners' grants and advisers' reviews, and the
``wallet adviser`` command group."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("advisers", __name__, url_prefix="/advisers", cli_group="adviser")
