"""The adviser's side (``/advisers/learners``): the learners who granted access, the review of
one portfolio, one credential, comments, the "discussed on" mark, and accepting invitations.

Every page under a grant looks it up with :func:`~wallet.advisers.access.adviser_grant`, so a
revoked or expired grant, or another adviser's, is a 404 at once.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select, update
from werkzeug.wrappers import Response as BaseResponse

from wallet.advisers import forms, pathways
from wallet.advisers.access import (
    active_grants,
    adviser_grant,
    adviser_required,
    log_access,
    scoped_credential,
    scoped_credentials,
    scoped_pathways,
    token_hash,
)
from wallet.advisers.blueprint import bp
from wallet.advisers.comments import add_comment, threads
from wallet.advisers.models import Grant
from wallet.advisers.review import (
    eu_gaps,
    pathway_views,
    review_credential,
    skill_groups,
    total_ects,
)
from wallet.auth import current_user
from wallet.db import db, utcnow
from wallet.portfolio.present import ects_text, reader_langs, when


@bp.route("/learners")
@adviser_required
def learners() -> str:
    """The learners whose grants are in force, the soonest to end first."""
    now = utcnow()
    rows = [
        {
            "grant_id": g.id,
            "name": g.learner.display_name,
            "email": g.learner.email,
            "scope_all": g.scope_all,
            "may_comment": g.may_comment,
            "expires": when(g.expires_at - timedelta(seconds=1)),
            "discussed_on": when(g.discussed_on),
        }
        for g in active_grants(current_user(), now)
    ]
    return render_template("advisers/learners.html", rows=rows)


@bp.route("/learners/<int:grant_id>")
@adviser_required
def review(grant_id: int) -> str:
    """The portfolio review: every credential in the grant verified now, with its checks,
    ECTS per pathway and pathway gaps, the skills overview and the EU standard elements gaps."""
    grant = adviser_grant(grant_id)
    now, langs = utcnow(), reader_langs()
    reviewed = [review_credential(c, langs, now) for c in scoped_credentials(grant)]
    log_access(grant, "portfolio", label=grant.learner.display_name)
    db.session.commit()
    return render_template(
        "advisers/review.html",
        grant=grant,
        learner=grant.learner,
        checked_at=when(now, time=True),
        reviewed=reviewed,
        total_ects=ects_text(total_ects(reviewed)),
        skills=skill_groups(reviewed, langs),
        eu_gaps=eu_gaps(reviewed),
        pathways_available=pathways.available(),
        pathways=pathway_views(scoped_pathways(grant)),
        threads=threads(grant),
        discussed_on=when(grant.discussed_on),
        expires=when(grant.expires_at - timedelta(seconds=1)),
        today=now.date().isoformat(),
    )


@bp.route("/learners/<int:grant_id>/credentials/<int:credential_id>")
@adviser_required
def credential(grant_id: int, credential_id: int) -> str:
    """One credential of the grant, verified now, with every check and the EU elements."""
    grant = adviser_grant(grant_id)
    found = scoped_credential(grant, credential_id)
    reviewed = review_credential(found, reader_langs(), utcnow())
    log_access(grant, "credential", item_id=found.id, label=reviewed.title.text)
    db.session.commit()
    return render_template(
        "advisers/credential.html",
        grant=grant,
        learner=grant.learner,
        item=reviewed,
        threads=threads(grant, target="credential", target_id=found.id),
    )


@bp.route("/learners/<int:grant_id>/comments", methods=("POST",))
@adviser_required
def comment(grant_id: int) -> BaseResponse:
    """Leave a comment or recommendation on the portfolio, a credential or a pathway."""
    grant = adviser_grant(grant_id)
    if not grant.may_comment:
        abort(404)
    target = request.form.get("target", "portfolio")
    target_id, label = None, ""
    back = url_for("advisers.review", grant_id=grant.id, _anchor="comments")
    if target == "credential":
        found = scoped_credential(grant, request.form.get("target_id", type=int) or 0)
        target_id, label = found.id, found.title
        back = url_for("advisers.credential", grant_id=grant.id, credential_id=found.id)
    elif target == "pathway":
        chosen = request.form.get("target_id", type=int)
        pathway = next((p for p in scoped_pathways(grant) if p.id == chosen), None)
        if pathway is None:
            abort(404)
        target_id, label = pathway.id, pathway.name
    elif target != "portfolio":
        abort(404)
    kind, body, error = forms.read_comment(request.form)
    if error:
        flash(error, "error")
        return redirect(back)
    add_comment(
        grant,
        current_user(),
        kind=kind,
        body=body,
        target=target,
        target_id=target_id,
        target_label=label,
    )
    db.session.commit()
    flash(_("Your comment has been added. The learner can read it and reply."), "success")
    return redirect(back)


@bp.route("/learners/<int:grant_id>/discussed", methods=("POST",))
@adviser_required
def discussed(grant_id: int) -> BaseResponse:
    """Mark the review as discussed with the learner on a date (or clear the mark)."""
    grant = adviser_grant(grant_id)
    if request.form.get("clear") == "yes":
        grant.discussed_on = None
        db.session.commit()
        flash(_("The “discussed” mark has been removed."), "success")
        return redirect(url_for("advisers.review", grant_id=grant.id))
    day, error = forms.read_day(request.form.get("discussed_on", ""), utcnow().date())
    if error:
        flash(error, "error")
    else:
        grant.discussed_on = day
        db.session.commit()
        flash(_("Marked as discussed on %(day)s.", day=when(day)), "success")
    return redirect(url_for("advisers.review", grant_id=grant.id))


def _invitation(token: str) -> Grant | None:
    """The unused, unexpired, unrevoked grant this invitation token opens, if any."""
    now = utcnow()
    grant = db.session.scalar(select(Grant).where(Grant.invitation_hash == token_hash(token)))
    if grant is None or grant.state(now) != "pending":
        return None
    return grant


@bp.route("/invitations/<token>", methods=("GET", "POST"))
@adviser_required
def invitation(token: str) -> BaseResponse | tuple[str, int] | str:
    """Accept a learner's invitation link (it works once)."""
    grant = _invitation(token) if len(token) <= 100 else None
    if grant is None:
        return render_template("advisers/invitation_invalid.html"), 404
    if request.method == "GET":
        return render_template(
            "advisers/invitation.html",
            learner=grant.learner,
            grant=grant,
            expires=when(grant.expires_at - timedelta(seconds=1)),
        )
    # One UPDATE that only matches an unused link: of two advisers accepting at once, one wins.
    accepted = db.session.execute(
        update(Grant)
        .where(
            Grant.id == grant.id,
            Grant.invitation_hash == token_hash(token),
            Grant.adviser_id.is_(None),
            Grant.revoked_at.is_(None),
        )
        .values(adviser_id=current_user().id, accepted_at=utcnow(), invitation_hash=None)
    )
    if accepted.rowcount != 1:
        db.session.rollback()
        return render_template("advisers/invitation_invalid.html"), 404
    db.session.commit()
    flash(
        _("%(name)s’s portfolio is now in your list.", name=grant.learner.display_name), "success"
    )
    return redirect(url_for("advisers.review", grant_id=grant.id))
