"""The employer's pages: the form with every way in (paste, upload, QR image, share link,
camera), the views that verify what comes in, and the kept report's downloads.

Nothing is stored: a result lives in its page, and the downloads and the hashed e-mail form
carry the report in a field signed by this verifier (see :mod:`verifier.web.export`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Response, current_app, json, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from verifier import qr
from verifier.baking import unbake
from verifier.errors import VerificationError
from verifier.ob2.recipient import matches
from verifier.pipeline import verify
from verifier.report import Report
from verifier.web import bp, export, intake, links, present
from verifier.web.results import credential_reports, render_data, render_results
from verifier.web.stores import stores
from verifier.web.templating import render

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
#: How long the e-mail address typed to compare with a hashed recipient may be.
MAX_EMAIL = 320


@bp.app_context_processor
def _endpoints() -> dict[str, Any]:
    """``has_endpoint(name)`` for templates: links to optional areas (OpenID4VP requests)."""
    return {"has_endpoint": lambda name: name in current_app.view_functions}


@bp.route("/")
def index() -> str:
    """The verifier's front page: paste, upload, a QR image, a share link, or the camera."""
    return render_template("verifier/index.html", errors={}, values={})


def form_again(field: str, message: Any, status: int = 400, **values: str) -> tuple[str, int]:
    """The form again with ``message`` by ``field`` and what the employer had typed."""
    page = render_template(
        "verifier/index.html", errors={field: str(message)}, values=values, focus=field
    )
    return page, status


def check(data: bytes, *, challenge: str | None = None, domain: str | None = None) -> Report:
    """Verify ``data`` offline with this verifier's own trust store and cache."""
    held = stores()
    return verify(
        data,
        now=datetime.now(UTC),
        trust=held.trust,
        cache=held.cache,
        trusted_lists=held.trusted_lists,
        challenge=challenge,
        domain=domain,
    )


def show(
    data: bytes,
    *,
    source: str,
    field: str,
    challenge: str | None = None,
    domain: str | None = None,
    **values: str,
) -> str | tuple[str, int]:
    """Verify ``data`` and show its results, or the form again when it is not a document the
    verifier can read at all (random text, a picture of something else)."""
    report = check(data, challenge=challenge, domain=domain)
    if report.format == "unknown":
        reason = report.checks[0].message
        message = _("This is not a credential or a presentation the verifier can read.")
        return form_again(field, f"{message} ({reason})", 422, **values)
    return render_results(report, source=source, document=data)


@bp.route("/paste", methods=("POST",))
def paste() -> str | tuple[str, int]:
    """Verify pasted text: a credential, a presentation, a JWT, a QR payload or a share link."""
    text = request.form.get("text", "")
    source = "camera" if request.form.get("source") == "camera" else "paste"
    if links.looks_like_link(text):
        return open_link(text.strip(), request.form.get("pin", ""), source=source)
    try:
        data = intake.from_text(text)
    except intake.Refused as refused:
        return form_again("text", refused.message, text=text[:10000])
    return show(data, source=source, field="text")


@bp.route("/upload", methods=("POST",))
def upload() -> str | tuple[str, int]:
    """Verify an uploaded file: JSON, a JWT, a baked badge image, an EDC (XML or JSON), or a
    picture of a QR code."""
    data = _read(request.files.get("document"), intake.MAX_DOCUMENT)
    if data is None:
        return form_again("document", _("Choose a file to check."))
    if len(data) > intake.MAX_DOCUMENT:
        return form_again(
            "document", _("The file is larger than 10 MB, more than the verifier reads.")
        )
    if qr.is_picture(data) and not _baked(data):
        return qr_text(data, field="document")
    try:
        data = intake.checked(data)
    except intake.Refused as refused:
        return form_again("document", refused.message)
    return show(data, source="upload", field="document")


@bp.route("/qr", methods=("POST",))
def qr_image() -> str | tuple[str, int]:
    """Verify what a photo or screenshot of a QR code holds."""
    data = _read(request.files.get("image"), intake.MAX_IMAGE)
    if data is None:
        return form_again("image", _("Choose a photo or a screenshot of a QR code."))
    return qr_text(data, field="image")


def qr_text(data: bytes, *, field: str) -> str | tuple[str, int]:
    """Read the QR code in a picture, then open its link or verify its presentation."""
    try:
        text = intake.from_image(data)
    except intake.Refused as refused:
        return form_again(field, refused.message)
    if links.looks_like_link(text):
        return open_link(text.strip(), "", source="qr")
    try:
        document = intake.from_text(text)
    except intake.Refused as refused:
        return form_again(field, refused.message)
    return show(document, source="qr", field=field)


@bp.route("/link", methods=("POST",))
def link() -> str | tuple[str, int]:
    """Open a learner's share link (with its PIN when it has one) and verify what it serves."""
    url = request.form.get("url", "").strip()
    if not url:
        return form_again("url", _("Paste the share link the learner gave you."))
    return open_link(url, request.form.get("pin", ""), source="link")


def open_link(url: str, pin: str, *, source: str) -> str | tuple[str, int]:
    """Fetch a share link's presentation and verify it for that link's challenge and origin."""
    pin = pin.strip()[:32]
    try:
        share = links.parse(url)
        data = intake.checked(links.fetch(share, pin=pin))
    except (links.LinkError, intake.Refused) as problem:
        return form_again("url", problem.message, url=url[:2000])
    return show(
        data, source=source, field="url", challenge=share.challenge, domain=share.origin, url=url
    )


@bp.route("/recipient", methods=("POST",))
def recipient() -> str | tuple[str, int]:
    """Compare an e-mail address with an Open Badges 2.0 badge's hashed recipient; the page
    says only whether it matches."""
    kept = export.unsign(request.form.get("report", ""))
    if kept is None:
        return form_again(
            "text", _("This result has expired or was not made here. Check the credential again.")
        )
    data = kept.data
    email = request.form.get("email", "").strip()[:MAX_EMAIL]
    try:
        index = int(request.form.get("index", ""))
        summary = credential_reports(data)[index].get("summary") or {}
    except (ValueError, IndexError):
        return form_again("text", _("Check the credential again."))
    answer = matches(summary.get("recipient") or {}, email) if "@" in email else None
    return render_data(data, recipient={"index": index, "email": email, "matches": answer})


@bp.route("/report", methods=("POST",))
def report() -> Response | tuple[str, int]:
    """Download the verification report as JSON or as a printable page."""
    kept = export.unsign(request.form.get("report", ""))
    if kept is None:
        return form_again(
            "text", _("This result has expired or was not made here. Check the credential again.")
        )
    data = kept.data
    stamp = str(data.get("checked_at", ""))[:19].replace(":", "").replace("-", "")
    if request.form.get("format") == "json":
        with force_locale(kept.locale):  # the checks described in the language of the page
            full = export.report_json(data, locale=kept.locale)
        body = json.dumps(full, indent=2, ensure_ascii=False)
        response = Response(body, mimetype="application/json")
        name = f"verification-report-{stamp}.json"
    else:
        view = present.report_view(data)
        credentials = view.credentials if data.get("kind") == "presentation" else [view]
        page = render(
            "verifier/report.html",
            view=view,
            credentials=credentials,
            data=data,
            trust_dates=present.trust_dates(view),
            source=data.get("source"),
            styles=(STATIC / "css" / "verifier-report.css").read_text("utf-8"),
        )
        response = Response(page, mimetype="text/html")
        name = f"verification-report-{stamp}.html"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _read(upload: FileStorage | None, limit: int) -> bytes | None:
    """Up to ``limit + 1`` bytes of an upload (so a larger one can be told), ``None`` if none."""
    if upload is None or not upload.filename:
        return None
    try:
        return upload.stream.read(limit + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file: let it go now


def _baked(data: bytes) -> bool:
    """Whether a picture is a baked badge (a credential inside), not a photo of a QR code."""
    try:
        unbake(data)
    except VerificationError:
        return False
    return True
