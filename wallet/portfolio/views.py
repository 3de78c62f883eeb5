"""The portfolio pages: the list, one credential, its image and original file, checking it
again, the learner's note, and deleting it.

Every credential is looked up together with its owner: another learner's id is a 404, the same
as an id that does not exist, so the pages never tell whether a credential exists.
"""

from __future__ import annotations

import io
import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defer
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response as BaseResponse

from wallet import verification
from wallet.auth import current_user, login_required
from wallet.db import db
from wallet.models import Credential
from wallet.portfolio import query
from wallet.portfolio.present import (
    KIND_LABELS,
    Text,
    as_mapping,
    card,
    embedded_image,
    headline,
    image_url,
    listing_options,
    pagination,
    reader_langs,
    text_of,
    when,
)
from wallet.portfolio.report import checklist, checks_of, parts_of
from wallet.portfolio.summary import sections

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")

NOTE_MAX_LENGTH = 2000
MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*$")
EXTENSIONS = {
    "application/json": ".json",
    "application/ld+json": ".jsonld",
    "application/vc+ld+json": ".json",
    "application/vc+jwt": ".jwt",
    "application/vp+jwt": ".jwt",
    "application/jwt": ".jwt",
    "application/vc+sd-jwt": ".sd-jwt",
    "application/dc+sd-jwt": ".sd-jwt",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "image/png": ".png",
    "image/svg+xml": ".svg",
    "text/plain": ".txt",
}
# An embedded SVG opened on its own must not run scripts in the wallet's origin.
IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def owned(credential_id: int, *options: Any) -> Credential:
    """The logged-in learner's credential with this id, else 404 (never 403: that would say it
    exists)."""
    credential = db.session.scalar(
        select(Credential)
        .where(Credential.id == credential_id, Credential.user_id == current_user().id)
        .options(*options)
    )
    if credential is None:
        abort(404)
    return credential


@bp.route("/")
@login_required
def index() -> BaseResponse | str:
    """The learner's credentials as cards: sorted, filtered, searched, a page at a time."""
    user = current_user()
    filters = query.Filters.from_args(request.args)
    page = query.fetch(db.session, user.id, filters)
    if not page.rows and page.total:  # past the last page: go to the last one
        return redirect(url_for("portfolio.index", **filters.args(page=page.pages)))
    holds_any = bool(page.total) or (filters.active and query.has_any(db.session, user.id))
    options = None
    if holds_any:
        issuers = db.session.scalars(query.issuers_query(user.id)).all()
        years = db.session.execute(query.years_query(user.id)).one()
        options = listing_options(issuers, tuple(years))
    langs = reader_langs()
    import_url = (
        url_for("importers.index") if "importers.index" in current_app.view_functions else None
    )
    return render_template(
        "portfolio/index.html",
        cards=[card(row, langs) for row in page.rows],
        page=page,
        filters=filters,
        options=options,
        empty=not holds_any,
        pager=pagination(
            page.number,
            page.pages,
            lambda n: url_for("portfolio.index", **filters.args(page=n)),
        ),
        import_url=import_url,
    )


def detail_context(credential: Credential, **extra: Any) -> dict[str, Any]:
    """What the detail page shows of ``credential``, as plain objects."""
    langs = reader_langs()
    summary, report = as_mapping(credential.summary), as_mapping(credential.report)
    kind = str(KIND_LABELS[query.kind_of(credential.format, credential.types)])
    return {
        "credential": {
            "id": credential.id,
            "title": text_of(summary.get("title"), langs) or Text(credential.title),
            "description": text_of(summary.get("description"), langs),
            "image_url": image_url(credential.id, credential.image, whole=True),
            "outcome": credential.outcome,
            "headline": headline(credential.outcome),
            "checked_at": when(credential.checked_at, time=True),
            "imported_at": when(credential.imported_at, time=True),
            "filename": download_name(credential),
            "note": credential.note,
        },
        "sections": sections(summary, kind, langs),
        "checks": checks_of(report),
        "parts": parts_of(report, langs),
        "checklist": checklist(summary),
        "note_text": credential.note,
        "note_error": None,
        "note_max": NOTE_MAX_LENGTH,
        **extra,
    }


@bp.route("/<int:credential_id>")
@login_required
def detail(credential_id: int) -> str:
    """Everything a credential says, every check made of it, and what the learner can do."""
    credential = owned(credential_id, defer(Credential.original))
    return render_template("portfolio/detail.html", **detail_context(credential))


@bp.route("/<int:credential_id>/image")
@login_required
def image(credential_id: int) -> Response:
    """The credential's embedded picture, decoded (only images of a known type)."""
    credential = owned(credential_id, defer(Credential.original))
    found = embedded_image(credential.image or "")
    if found is None:
        abort(404)
    mime, data = found
    response = Response(data, mimetype=mime)
    response.headers["Content-Security-Policy"] = IMAGE_POLICY
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def download_name(credential: Credential) -> str:
    """A safe file name: the one it came with, without folders or odd characters, else one
    made from the title and the media type."""
    name = (credential.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '"<>:|?*;').strip(" .")
    if name:
        return name[-120:]
    stem = secure_filename(credential.title)[:60] or "credential"
    return stem + EXTENSIONS.get(credential.media_type.lower(), ".bin")


@bp.route("/<int:credential_id>/download")
@login_required
def download(credential_id: int) -> Response:
    """The original file exactly as it was received, as an attachment."""
    credential = owned(credential_id)
    mime = credential.media_type
    response = send_file(
        io.BytesIO(credential.original),
        mimetype=mime if MEDIA_TYPE.match(mime) else "application/octet-stream",
        as_attachment=True,
        download_name=download_name(credential),
        etag=False,
        max_age=None,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:credential_id>/reverify", methods=("POST",))
@login_required
def reverify(credential_id: int) -> BaseResponse:
    """Verify the credential again now, with today's trust data, and show the result."""
    credential = owned(credential_id)
    verification.reverify(credential)
    db.session.commit()
    flash(_("Checked again. %(headline)s", headline=headline(credential.outcome)), "success")
    return redirect(url_for("portfolio.detail", credential_id=credential.id))


@bp.route("/<int:credential_id>/note", methods=("POST",))
@login_required
def note(credential_id: int) -> BaseResponse | tuple[str, int]:
    """Save the learner's own note about the credential."""
    credential = owned(credential_id, defer(Credential.original))
    text = request.form.get("note", "").replace("\r\n", "\n").strip()
    if len(text) > NOTE_MAX_LENGTH:
        message = _("The note can be at most %(n)d characters long.", n=NOTE_MAX_LENGTH)
        flash(message, "error")
        context = detail_context(credential, note_text=text, note_error=message)
        return render_template("portfolio/detail.html", **context), 400
    credential.note = text
    db.session.commit()
    flash(_("Your note has been saved."), "success")
    return redirect(url_for("portfolio.detail", credential_id=credential.id, _anchor="note"))


@bp.route("/<int:credential_id>/delete", methods=("GET", "POST"))
@login_required
def delete(credential_id: int) -> BaseResponse | str:
    """Ask, then delete the credential from the wallet."""
    credential = owned(credential_id, defer(Credential.original))
    title = text_of(as_mapping(credential.summary).get("title"), reader_langs())
    title = title or Text(credential.title)
    if request.method == "GET":
        return render_template(
            "portfolio/delete.html", credential={"id": credential.id, "title": title}
        )
    db.session.delete(credential)
    db.session.commit()
    flash(_("“%(title)s” has been deleted from your wallet.", title=title.text), "success")
    return redirect(url_for("portfolio.index"))
