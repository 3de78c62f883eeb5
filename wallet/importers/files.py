"""Uploading files: several at once, each imported on its own with its own result."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from wallet.auth import current_user, login_required
from wallet.db import utcnow
from wallet.importers import bp, mistake, read_upload, show_results, upload_name
from wallet.importers.service import import_bytes


@bp.route("/files", methods=("POST",))
@login_required
def files() -> tuple[str, int] | str:
    """Import every uploaded file, each on its own, and show one result per file."""
    uploads = [u for u in request.files.getlist("files") if u.filename]
    if not uploads:
        return mistake(_("Choose at least one file to import."), field="files")
    user, now = current_user(), utcnow()
    outcomes = [
        import_bytes(user, read_upload(u), filename=upload_name(u), channel="file", now=now)
        for u in uploads
    ]
    return show_results(outcomes)
