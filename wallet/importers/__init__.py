"""Import credentials: the page with its three ways in, and the results each import shows.

One module per channel: :mod:`~wallet.importers.files` (uploads, several at once),
:mod:`~wallet.importers.paste` (text) and :mod:`~wallet.importers.qr` (a photo or screenshot
of a QR code). Every channel hands bytes to :func:`wallet.importers.service.import_bytes`,
which recognises them by their content, never by a file name.

Results are rendered straight in the response to the POST (status 200) rather than stored in
the session for a redirect: the session is a signed cookie of about 4 KB, which the outcomes of
a dozen files with their names would overflow. Sending the form again is harmless, because a
credential already held is recognised and reported as "already in your wallet".
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, current_app, flash, render_template, url_for
from werkzeug.datastructures import FileStorage

from wallet.auth import current_user, login_required

if TYPE_CHECKING:
    from wallet.importers.service import ImportOutcome

bp = Blueprint("importers", __name__, url_prefix="/import")

MB = 1024 * 1024
#: The default of ``IMPORT_MAX_BYTES``: the most one file may hold.
DEFAULT_MAX_BYTES = 30 * MB
FILENAME_LENGTH = 255
#: The portfolio's page of one credential, where each result links.
DETAIL_ENDPOINT = "portfolio.detail"
#: A pathway's page, linked from each credential that counts towards it.
PATHWAYS_ENDPOINT = "pathways.detail"


def max_bytes() -> int:
    """The most one imported file may hold (``IMPORT_MAX_BYTES``, default 30 MB)."""
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


@bp.route("/")
@login_required
def index() -> str:
    """The import page: upload files, paste text, or upload or photograph a QR code."""
    return show_form(status=200)[0]


def show_form(
    *, status: int = 400, text: str = "", errors: dict[str, str] | None = None
) -> tuple[str, int]:
    """The import page again, with the pasted text kept and the fields in error marked."""
    page = render_template(
        "importers/index.html",
        text=text,
        errors=errors or {},
        max_mb=max_bytes() // MB,
    )
    return page, status


def mistake(message: str, *, text: str = "", field: str | None = None) -> tuple[str, int]:
    """Flash an input mistake and show the form again with status 400."""
    flash(message, "error")
    return show_form(text=text, errors={field: message} if field else None)


def read_upload(upload: FileStorage) -> bytes:
    """An uploaded file's bytes, reading at most one byte more than the import limit."""
    return upload.stream.read(max_bytes() + 1)


def upload_name(upload: FileStorage) -> str | None:
    """An uploaded file's name without folders or control characters, for showing and keeping."""
    name = os.path.basename((upload.filename or "").replace("\\", "/"))
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:FILENAME_LENGTH] or None


def show_results(outcomes: Iterable[ImportOutcome]) -> str:
    """The results page: one row per file, pasted text or QR code (one per credential of a
    presentation), each with its outcome, message and link."""
    rows = []
    for outcome in outcomes:
        for item in outcome.parts or (outcome,):
            rows.append(
                {
                    "name": outcome.filename,
                    "title": item.title,
                    "ok": item.ok,
                    "duplicate": item.duplicate,
                    "outcome": item.outcome,
                    "message": item.message,
                    "context": outcome.message if outcome.parts else None,
                    "url": credential_url(item.credential_id),
                    "credential_id": item.credential_id,
                    "pathways": [],
                }
            )
    added = sum(1 for row in rows if row["ok"] and not row["duplicate"])
    add_pathways(rows)
    return render_template("importers/results.html", rows=rows, added=added)


def add_pathways(rows: list[dict[str, Any]]) -> None:
    """Name, on each imported credential's row, the learner's pathways it counts towards."""
    if PATHWAYS_ENDPOINT not in current_app.view_functions:
        return
    # Imported here: the pathways area is optional and imports the importers' neighbours.
    from wallet.pathways.service import suggestions

    ids = [row["credential_id"] for row in rows if row["credential_id"] is not None]
    found = suggestions(current_user(), ids)
    for row in rows:
        row["pathways"] = [
            {"title": title, "fills": fills, "url": url_for(PATHWAYS_ENDPOINT, pathway_id=pid)}
            for pid, title, fills in found.get(row["credential_id"], [])
        ]


def credential_url(credential_id: int | None) -> str | None:
    """The address of a credential's page in the portfolio, while the portfolio is installed."""
    if credential_id is None or DETAIL_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(DETAIL_ENDPOINT, credential_id=credential_id)


# The channels register their routes on ``bp`` (imported last: they import it from here).
from wallet.importers import files, paste, qr  # noqa: E402, F401
