"""The backup page: download an encrypted backup, restore one into an empty wallet, and the
exports (credentials zip, portfolio HTML and JSON, data-protection JSON)."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from werkzeug.wrappers import Response as BaseResponse

from wallet.account import password_checked
from wallet.auth import current_user, form_fields, login_required
from wallet.backup import archive, bp, export, restore
from wallet.backup.archive import BackupError
from wallet.backup.payload import export_payload, left_out_columns, make_backup
from wallet.backup.tables import owned_tables
from wallet.db import db, utcnow
from wallet.keys import WrongPassword, unlock_holder_key
from wallet.portfolio.present import STATUS_LABELS, headline
from wallet.portfolio.report import checks_of

BACKUP_MEDIA_TYPE = "application/octet-stream"
MESSAGES = {
    archive.NOT_A_BACKUP: _l("This file is not a wallet backup, so nothing was restored."),
    archive.WRONG_VERSION: _l(
        "This backup was made by another version of the wallet and cannot be read here, so "
        "nothing was restored."
    ),
    archive.DAMAGED: _l("This backup file is damaged, so nothing was restored."),
    archive.WRONG_PASSPHRASE: _l(
        "The passphrase does not open this backup (or the file was changed after it was "
        "made), so nothing was restored. Check the passphrase and try again."
    ),
    archive.TOO_LARGE: _l(
        "This backup is larger than the wallet accepts, so nothing was restored."
    ),
    restore.NOT_EMPTY: _l(
        "A backup can only be restored into an empty wallet, and this one already holds data. "
        "Register a new account and restore it there."
    ),
    restore.UNKNOWN_TABLES: _l(
        "This backup holds kinds of data this wallet does not know (it was probably made by "
        "a newer version), so nothing was restored. Update the wallet first."
    ),
    restore.WRONG_PASSWORD: _l("Your account password is not right, so nothing was restored."),
    restore.CONFLICT: _l(
        "Some data in this backup already exists in this wallet (for example the same holder "
        "key, still in use by another account), so nothing was restored."
    ),
}


def _page(errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    """The backup page, with the mistakes of a form that came back."""
    for message in (errors or {}).values():
        flash(message, "error")
    user = current_user()
    context: dict[str, Any] = {
        "errors": errors or {},
        "empty": restore.is_empty(user),
        "left_out": left_out_columns(),
        "not_restored": [
            f"{t.name}.*" for t in owned_tables(db.metadata) if not restore.restorable(t)
        ],
        "min_length": current_app.config["PASSWORD_MIN_LENGTH"],
    }
    return render_template("backup/index.html", **context), status


@bp.route("/")
@login_required
def index() -> tuple[str, int]:
    """Download a backup, restore one, or export the wallet."""
    return _page()


@bp.route("/download", methods=("POST",))
@login_required
@password_checked
def download() -> Response | tuple[str, int]:
    """The encrypted backup file, sealed with the passphrase chosen in the form."""
    user = current_user()
    form = form_fields("password", "passphrase", "passphrase_confirm")
    errors: dict[str, str] = {}
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(form["passphrase"]) < minimum:
        errors["passphrase"] = _(
            "The passphrase must be at least %(n)d characters long.", n=minimum
        )
    elif form["passphrase"] != form["passphrase_confirm"]:
        errors["passphrase_confirm"] = _("The two passphrases are not the same.")
    try:
        pair = unlock_holder_key(user, form["password"])
    except WrongPassword:
        errors = {"password": _("Your account password is not right.")} | errors
    if errors:
        return _page(errors, 400)
    now = utcnow()
    data = make_backup(user, pair, form["passphrase"], now=now)
    db.session.rollback()  # the read transaction; nothing was changed
    return _attachment(data, BACKUP_MEDIA_TYPE, f"wallet-backup-{now:%Y-%m-%d}.lwbackup")


@bp.route("/restore", methods=("POST",))
@login_required
@password_checked
def restore_view() -> BaseResponse | tuple[str, int]:
    """Restore an uploaded backup into this (empty) wallet."""
    user = current_user()
    upload = request.files.get("backup_file")
    form = form_fields("restore_passphrase", "restore_password")
    if upload is None or not upload.filename:
        return _page({"backup_file": _("Choose the backup file to restore.")}, 400)
    data = upload.read(restore.max_bytes() + 1)
    try:
        result = restore.restore_backup(
            user, data, form["restore_passphrase"], form["restore_password"], now=utcnow()
        )
    except BackupError as error:
        current_app.logger.info("backup of user %s not restored: %s", user.id, error)
        message = MESSAGES.get(error.reason, MESSAGES[archive.DAMAGED])
        return _page({"backup_file": str(message)}, 400)
    count = result.credentials
    flash(
        ngettext(
            "The backup has been restored: %(num)d credential and everything else it held.",
            "The backup has been restored: %(num)d credentials and everything else they held.",
            count,
        ),
        "success",
    )
    left = sum(result.left_out.values())
    if left:
        flash(
            ngettext(
                "%(num)d item was not restored: it named another person's account or a login "
                "from outside the wallet (such as an adviser's access), which only make sense "
                "in the old wallet.",
                "%(num)d items were not restored: they named other people's accounts or logins "
                "from outside the wallet (such as advisers' access), which only make sense in "
                "the old wallet.",
                left,
            ),
            "warning",
        )
    return redirect(url_for("backup.index"))


@bp.route("/export/credentials.zip")
@login_required
def credentials_zip() -> Response:
    """Every credential as its original file, in one zip."""
    data = export.credentials_zip(current_user())
    return _attachment(data, "application/zip", f"credentials-{utcnow():%Y-%m-%d}.zip")


@bp.route("/export/portfolio.json")
@login_required
def portfolio_json() -> Response:
    """The portfolio with its verification results, as JSON."""
    document = export.portfolio(current_user(), now=utcnow())
    return _json_attachment(document, f"portfolio-{utcnow():%Y-%m-%d}.json")


@bp.route("/export/portfolio.html")
@login_required
def portfolio_html() -> Response:
    """The portfolio as one printable HTML file with no outside resources."""
    document = export.portfolio(current_user(), now=utcnow())
    items = [
        {
            **item,
            "headline": headline(item["outcome"]),
            "status": str(STATUS_LABELS.get(item["outcome"], item["outcome"])),
            "checks": checks_of(item["verification"] or {}),
        }
        for item in document["credentials"]
    ]
    page = render_template(
        "backup/portfolio_export.html", document=document, items=items, generated=utcnow()
    )
    return _attachment(page.encode(), "text/html", f"portfolio-{utcnow():%Y-%m-%d}.html")


@bp.route("/export/my-data.json")
@login_required
def personal_data() -> Response:
    """Everything the wallet stores about the learner (GDPR Art. 15 and 20), without secrets."""
    document = export_payload(current_user(), now=utcnow())
    return _json_attachment(document, f"my-data-{utcnow():%Y-%m-%d}.json")


def _json_attachment(document: dict[str, Any], name: str) -> Response:
    data = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    return _attachment(data, "application/json", name)


def _attachment(data: bytes, mimetype: str, name: str) -> Response:
    """``data`` as a download that no cache keeps."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
