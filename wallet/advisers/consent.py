"""The learner's side (``/advisers/``): grant an adviser access by email or invitation link,
see every grant, revoke one at once, read the access log, and reply to comments."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from wallet.advisers import forms, pathways
from wallet.advisers.access import learner_grant, learner_required, pathway_ids, token_hash
from wallet.advisers.blueprint import bp
from wallet.advisers.comments import add_comment, threads
from wallet.advisers.models import Access, Comment, Grant
from wallet.auth import current_user
from wallet.db import db, utcnow
from wallet.models import Credential
from wallet.portfolio.present import when


def _grant_row(grant: Grant, now: Any) -> dict[str, Any]:
    adviser = grant.adviser
    name = adviser.display_name if adviser else None
    if adviser is None and grant.accepted_at is not None:
        name = _("An adviser whose account was removed")
    return {
        "id": grant.id,
        "adviser": name,
        "adviser_email": adviser.email if adviser else None,
        "state": grant.state(now),
        "scope_all": grant.scope_all,
        "may_comment": grant.may_comment,
        "created": when(grant.created_at),
        "expires": when(grant.expires_at - timedelta(seconds=1)),
        "discussed_on": when(grant.discussed_on),
    }


def _form_context(form: forms.GrantForm | None = None, errors: dict | None = None) -> dict:
    """The grant form with the learner's credentials and pathways to choose from."""
    user = current_user()
    now = utcnow()
    grants = db.session.scalars(
        select(Grant).where(Grant.learner_id == user.id).order_by(Grant.created_at.desc())
    ).all()
    credentials = db.session.execute(
        select(Credential.id, Credential.title)
        .where(Credential.user_id == user.id)
        .order_by(Credential.title, Credential.id)
    ).all()
    return {
        "grants": [_grant_row(g, now) for g in grants],
        "credentials": credentials,
        "pathways": pathways.progress(user),
        "form": form or forms.GrantForm(expires_on=forms.default_expiry(now.date())),
        "errors": errors or {},
    }


@bp.route("/")
@learner_required
def grants() -> str:
    """Every grant the learner has made, and the form to make a new one."""
    return render_template("advisers/grants.html", **_form_context())


@bp.route("/", methods=("POST",))
@learner_required
def create_grant() -> BaseResponse | tuple[str, int] | str:
    """Grant an adviser access: at once by email, or by an invitation link shown once."""
    user = current_user()
    now = utcnow()
    form, errors = forms.read_grant(request.form, user, now.date())
    if errors:
        for message in errors.values():
            flash(message, "error")
        return render_template("advisers/grants.html", **_form_context(form, errors)), 400
    grant = Grant(
        learner_id=user.id,
        scope_all=form.scope == "all",
        pathway_ids=form.pathway_ids,
        may_comment=form.may_comment,
        expires_at=form.expires_at(),
    )
    if form.scope == "chosen":
        grant.credentials = list(
            db.session.scalars(
                select(Credential).where(
                    Credential.user_id == user.id, Credential.id.in_(form.credential_ids or [-1])
                )
            )
        )
    token = None
    if form.adviser is not None:
        grant.adviser_id, grant.accepted_at = form.adviser.id, now
    else:
        token = secrets.token_urlsafe(32)  # 256 bits
        grant.invitation_hash = token_hash(token)
        grant.invitation_expires_at = min(
            grant.expires_at, now + timedelta(days=forms.INVITATION_DAYS)
        )
    db.session.add(grant)
    db.session.commit()
    if token is None:
        flash(_("%(name)s can now see your portfolio.", name=form.adviser.display_name), "success")
        return redirect(url_for("advisers.grant", grant_id=grant.id))
    link = url_for("advisers.invitation", token=token, _external=True)
    return render_template(
        "advisers/invitation_link.html",
        link=link,
        grant=_grant_row(grant, now),
        link_expires=when(grant.invitation_expires_at, time=True),
    )


@bp.route("/grants/<int:grant_id>")
@learner_required
def grant(grant_id: int) -> str:
    """One grant: what it covers, the access log, and the adviser's comments with replies."""
    found = learner_grant(grant_id)
    now = utcnow()
    log = db.session.scalars(
        select(Access).where(Access.grant_id == found.id).order_by(Access.at.desc()).limit(500)
    ).all()
    chosen_pathways = set(pathway_ids(found))
    return render_template(
        "advisers/grant.html",
        grant=_grant_row(found, now),
        credentials=[c.title for c in found.credentials],
        pathways=[p.name for p in pathways.progress(found.learner) if p.id in chosen_pathways],
        log=[{"at": when(a.at, time=True), "page": a.page, "label": a.label} for a in log],
        threads=threads(found),
    )


@bp.route("/grants/<int:grant_id>/revoke", methods=("POST",))
@learner_required
def revoke(grant_id: int) -> BaseResponse:
    """End the grant now: the adviser's next page is a 404; an unused link stops working."""
    found = learner_grant(grant_id)
    if found.revoked_at is None:
        found.revoked_at = utcnow()
        found.invitation_hash = None
        db.session.commit()
    flash(_("Access has been revoked. The adviser can no longer see your portfolio."), "success")
    return redirect(url_for("advisers.grant", grant_id=found.id))


@bp.route("/grants/<int:grant_id>/comments/<int:comment_id>/reply", methods=("POST",))
@learner_required
def reply(grant_id: int, comment_id: int) -> BaseResponse:
    """Reply to one of the adviser's comments."""
    found = learner_grant(grant_id)
    parent = db.session.scalar(
        select(Comment).where(
            Comment.id == comment_id, Comment.grant_id == found.id, Comment.parent_id.is_(None)
        )
    )
    if parent is None:
        abort(404)
    kind, body, error = forms.read_comment(request.form, reply=True)
    if error:
        flash(error, "error")
    else:
        add_comment(found, current_user(), kind=kind, body=body, parent=parent)
        db.session.commit()
        flash(_("Your reply has been sent."), "success")
    return redirect(url_for("advisers.grant", grant_id=found.id, _anchor=f"comment-{parent.id}"))
