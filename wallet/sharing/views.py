"""The learner's sharing pages (``/shares``): the list, a new share (or a presentation to
download), one share with its link, QR code, card and access log, and revoking it.

Every share is looked up together with its owner: another learner's id is a 404. The link's
token exists in the clear only in the learner's session, from the moment the share is made.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from wallet.auth import current_user, login_required
from wallet.db import db, utcnow
from wallet.keys import WrongPassword
from wallet.models import Credential
from wallet.sharing import bp, links, qr
from wallet.sharing.forms import form_errors, pathway_choices, preselected, presentable
from wallet.sharing.models import Share
from wallet.sharing.present import expiry_choices, share_view
from wallet.sharing.presentations import (
    PRESENTATION_MEDIA_TYPE,
    build_presentation,
    can_share,
    issued_to_someone_else,
)

#: How many share links the session remembers (the newest ones).
SESSION_LINKS = 20
SESSION_KEY = "share_links"


def owned(share_id: int) -> Share:
    """The logged-in learner's share with this id, else 404."""
    share = links.owned_share(share_id, current_user())
    if share is None:
        abort(404)
    return share


def remembered_link(share: Share) -> str | None:
    """The share's link when this session made it, else ``None``."""
    token = session.get(SESSION_KEY, {}).get(str(share.id))
    if not isinstance(token, str) or links.hash_token(token) != share.token_hash:
        return None
    return url_for("sharing.public", token=token, _external=True)


def remember(share: Share, token: str) -> None:
    """Keep the token of a share just made in the session, so its page can show the link."""
    kept = dict(session.get(SESSION_KEY, {}))
    kept[str(share.id)] = token
    session[SESSION_KEY] = dict(list(kept.items())[-SESSION_LINKS:])


def share_code(share: Share) -> qr.ShareCode:
    """The QR code for ``share``, chosen automatically."""
    limit = int(current_app.config.get("SHARE_QR_MAX_VERSION", qr.DEFAULT_MAX_VERSION))
    return qr.choose(share.presentation, remembered_link(share), max_version=limit)


@bp.route("/shares/")
@login_required
def index() -> str:
    """The learner's shares, newest first, each with its state and how often it was opened."""
    now = utcnow()
    shares = [share_view(share, now) for share in links.user_shares(current_user())]
    return render_template("sharing/index.html", shares=shares)


@bp.route("/shares/new", methods=("GET", "POST"))
@login_required
def new() -> BaseResponse | tuple[str, int] | str:
    """Pick credentials and make a share link, or download a signed presentation."""
    user = current_user()
    credentials = presentable(user)
    if request.method == "GET":
        chosen, title = preselected(user)
        form = {"title": title, "hours": links.DEFAULT_EXPIRY_HOURS, "pin": ""}
        return show_form(credentials, chosen, form, {})
    hours = request.form.get("hours", "")
    form = {
        "title": request.form.get("title", "").strip(),
        "hours": int(hours) if hours.isdigit() else 0,
        "pin": request.form.get("pin", "").strip(),
        "password": request.form.get("password", ""),
    }
    requested = {int(v) for v in request.form.getlist("credential") if v.isdigit()}
    picked = [c for c in credentials if c.id in requested]
    downloading = request.form.get("action") == "download"
    errors = form_errors(form, picked, requested, downloading)
    if not errors and downloading:
        try:
            document = build_presentation(
                user, picked, form["password"], challenge=None, domain=None
            )
        except WrongPassword:
            errors["password"] = _("That is not your password. Try again.")
        else:
            return presentation_file(document, "presentation.json")
    if not errors:
        now = utcnow()
        try:
            share, token = links.create_share(
                user,
                picked,
                form["password"],
                title=form["title"],
                expires_at=links.expiry(now, form["hours"]),
                pin=form["pin"] or None,
                origin=f"{request.scheme}://{request.host}",
                now=now,
            )
        except WrongPassword:
            errors["password"] = _("That is not your password. Try again.")
        else:
            db.session.commit()
            remember(share, token)
            flash(
                _(
                    "Your share is ready. Copy the link now: the wallet keeps only a "
                    "fingerprint of it."
                ),
                "success",
            )
            return redirect(url_for("sharing.detail", share_id=share.id))
    for message in errors.values():
        flash(message, "error")
    return show_form(credentials, requested, form, errors, status=400)


def show_form(
    credentials: list[Credential],
    chosen: set[int],
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> tuple[str, int]:
    """The new-share form."""
    holder = current_user().holder_did
    rows = [
        {
            "id": c.id,
            "title": c.title,
            "issuer": c.issuer_name,
            "presentable": can_share(c),
            "someone_else": can_share(c) and issued_to_someone_else(c, holder),
            "checked": c.id in chosen,
        }
        for c in credentials
    ]
    page = render_template(
        "sharing/new.html",
        credentials=rows,
        form=form,
        errors=errors,
        expiry_choices=expiry_choices(),
        pathways=pathway_choices(current_user()),
        pathway=request.args.get("pathway", ""),
    )
    return page, status


def presentation_file(document: bytes, name: str) -> Response:
    """A signed presentation as a download."""
    response = Response(document, mimetype=PRESENTATION_MEDIA_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/shares/<int:share_id>")
@login_required
def detail(share_id: int) -> str:
    """One share: its state, link, QR code and downloads, the revoke button and the access log."""
    return detail_page(owned(share_id))


def detail_page(share: Share, renew_error: str | None = None) -> str:
    """The page of ``share``."""
    return render_template(
        "sharing/detail.html",
        share=share_view(share, utcnow()),
        link=remembered_link(share),
        code=share_code(share),
        max_version=int(current_app.config.get("SHARE_QR_MAX_VERSION", qr.DEFAULT_MAX_VERSION)),
        renew_error=renew_error,
    )


@bp.route("/shares/<int:share_id>/qr.<any(png, svg):kind>")
@login_required
def qr_image(share_id: int, kind: str) -> Response:
    """The share's QR code as a PNG or an SVG (404 when the share no longer works, or when the
    code is a link the session forgot)."""
    share = owned(share_id)
    code = share_code(share)
    if code.text is None or share.state(utcnow()) != "active":
        abort(404)
    body, mimetype = (
        (qr.png(code), "image/png") if kind == "png" else (qr.svg(code), "image/svg+xml")
    )
    response = Response(body, mimetype=mimetype)
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="share-{share.id}.{kind}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/shares/<int:share_id>/card")
@login_required
def card(share_id: int) -> str:
    """A printable card: the share's title, the learner's name and the QR code."""
    share = owned(share_id)
    code = share_code(share)
    if code.text is None or share.state(utcnow()) != "active":
        abort(404)
    return render_template(
        "sharing/card.html", share=share_view(share, utcnow()), code=code, user=current_user()
    )


@bp.route("/shares/<int:share_id>/presentation")
@login_required
def download(share_id: int) -> Response:
    """The share's signed presentation as a file."""
    share = owned(share_id)
    return presentation_file(share.presentation, f"share-{share.id}-presentation.json")


@bp.route("/shares/<int:share_id>/revoke", methods=("POST",))
@login_required
def revoke(share_id: int) -> BaseResponse:
    """Withdraw the share: its link stops working at once."""
    share = owned(share_id)
    links.revoke(share, utcnow())
    db.session.commit()
    flash(_("The share is withdrawn: its link and QR code no longer show anything."), "success")
    return redirect(url_for("sharing.detail", share_id=share.id))


@bp.route("/shares/<int:share_id>/renew", methods=("POST",))
@login_required
def renew(share_id: int) -> BaseResponse | tuple[str, int]:
    """Make a new link for the share (the old one stops working), signed again."""
    share = owned(share_id)
    if share.state(utcnow()) != "active":
        abort(404)
    password = request.form.get("password", "")
    try:
        token = links.renew_link(
            share,
            current_user(),
            password,
            origin=f"{request.scheme}://{request.host}",
            now=utcnow(),
        )
    except WrongPassword:
        db.session.rollback()
        message = _("That is not your password, so the link was not changed.")
        flash(message, "error")
        return detail_page(share, renew_error=message), 400
    db.session.commit()
    remember(share, token)
    flash(_("The share has a new link. The old link no longer works."), "success")
    return redirect(url_for("sharing.detail", share_id=share.id))
