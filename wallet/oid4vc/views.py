"""The Offers pages: open an offer, consent, collect, and ask again for deferred credentials.

Every page that touches an issuance in progress finds it by (id, current learner), so another
learner gets 404. Nothing is stored before the learner consents with their password, and a
credential is stored only once it is verified (:mod:`wallet.oid4vc.receive`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from verifier import KeyPair
from wallet.account import password_checked
from wallet.auth import current_user, login_required
from wallet.db import db, utcnow
from wallet.keys import WrongPassword, unlock_holder_key
from wallet.oid4vc import bp, flow
from wallet.oid4vc.collect import collect, new_pending, pending_rows, received_page
from wallet.oid4vc.http import IssuanceError, IssuerSession
from wallet.oid4vc.metadata import (
    IssuerMetadata,
    fetch_authorization_server,
    fetch_issuer_metadata,
)
from wallet.oid4vc.models import AUTHORIZED, AUTHORIZING, DEFERRED, PendingIssuance
from wallet.oid4vc.offers import CredentialOffer, offer_parameters, resolve_offer
from wallet.oid4vc.receive import store_received

DEFAULT_CLIENT_ID = "learner-wallet"
#: How long a learner may take to sign in at an issuer and come back.
SIGN_IN_LIFETIME = timedelta(hours=1)
OFFER_PARAMETERS = ("credential_offer", "credential_offer_uri")


def _client_id() -> str:
    return str(current_app.config.get("OID4VCI_CLIENT_ID", DEFAULT_CLIENT_ID))


def _session(**kwargs: Any) -> IssuerSession:
    return IssuerSession(client_id=_client_id(), **kwargs)


@bp.get("/")
@login_required
def index() -> str:
    """Paste an offer; the issuances waiting for the learner or for the issuer."""
    return _index()[0]


def _index(*, status: int = 200, text: str = "") -> tuple[str, int]:
    pending = db.session.scalars(
        select(PendingIssuance)
        .where(PendingIssuance.user_id == current_user().id, PendingIssuance.status != AUTHORIZING)
        .order_by(PendingIssuance.created_at.desc())
    ).all()
    return render_template(
        "oid4vc/index.html", pending=pending_rows(list(pending)), text=text
    ), status


@bp.route("/offer", methods=("GET", "POST"))
@login_required
def offer() -> tuple[str, int] | str | BaseResponse:
    """Show who offers what: from a link's query, or from the text the learner pasted."""
    text = ""
    try:
        if request.method == "POST":
            text = request.form.get("offer", "").strip()
            if not text:
                raise IssuanceError(_("Paste a credential offer into the box first."))
            params = offer_parameters(text)
        else:
            params = {k: request.args[k] for k in OFFER_PARAMETERS if k in request.args}
            if not params:
                return redirect(url_for("oid4vc.index"))
        session = _session()
        received = resolve_offer(params, session)
        metadata = fetch_issuer_metadata(session, received)
    except IssuanceError as exc:
        flash(exc.message, "error")
        return _index(status=400, text=text)
    return _consent(received, metadata)


def _consent(
    received: CredentialOffer, metadata: IssuerMetadata, *, status: int = 200
) -> tuple[str, int]:
    page = render_template(
        "oid4vc/consent.html",
        offer=received,
        metadata=metadata,
        offered=metadata.offered(received),
    )
    return page, status


@bp.post("/accept")
@login_required
@password_checked
def accept() -> tuple[str, int] | str | BaseResponse:
    """Collect the offered credentials (pre-authorized), or send the learner to sign in."""
    try:
        received = CredentialOffer.from_json(_json_field("offer"))
    except IssuanceError as exc:
        flash(exc.message, "error")
        return _index(status=400)
    if request.form.get("decision") == "decline":
        flash(_("You declined the offer. Nothing was stored."), "info")
        return redirect(url_for("oid4vc.index"))
    user = current_user()
    try:
        session = _session(
            redirect_uri=url_for("oid4vc.callback", _external=True), code_challenge_method="S256"
        )
        metadata = fetch_issuer_metadata(session, received)
        server = fetch_authorization_server(session, metadata)
    except IssuanceError as exc:
        flash(exc.message, "error")
        return _index(status=400)
    if received.authorization_code:
        try:
            url, state, verifier = flow.authorization_url(session, server, received)
        except IssuanceError as exc:
            flash(exc.message, "error")
            return _index(status=400)
        _forget_old_sign_ins(user)
        row = new_pending(received, metadata, AUTHORIZING, state=state, code_verifier=verifier)
        db.session.add(row)
        db.session.commit()
        return render_template("oid4vc/continue.html", url=url, metadata=metadata)
    tx_code = request.form.get("tx_code", "").strip()
    if received.tx_code is not None and not tx_code:
        flash(_("Enter the transaction code the issuer gave you."), "error")
        return _consent(received, metadata, status=400)
    holder = _unlock(user)
    if holder is None:
        return _consent(received, metadata, status=400)
    try:
        access = flow.pre_authorized_token(session, server, received, tx_code)
    except IssuanceError as exc:
        flash(exc.message, "error")
        return _consent(received, metadata, status=400)
    return collect(session, received, metadata, access=access, holder=holder, client_id=None)


@bp.get("/callback")
@login_required
def callback() -> BaseResponse:
    """The learner comes back from signing in at the issuer (RFC 6749 §4.1.2)."""
    user = current_user()
    row = db.session.scalar(
        select(PendingIssuance).where(
            PendingIssuance.user_id == user.id,
            PendingIssuance.status == AUTHORIZING,
            PendingIssuance.state == request.args.get("state", ""),
        )
    )
    if row is None or not request.args.get("state"):
        abort(404)
    code, verifier = request.args.get("code"), row.code_verifier or ""
    if row.created_at < utcnow() - SIGN_IN_LIFETIME:
        db.session.delete(row)
        db.session.commit()
        flash(_("Signing in at the issuer took too long. Please open the offer again."), "error")
        return redirect(url_for("oid4vc.index"))
    if not code:
        db.session.delete(row)
        db.session.commit()
        flash(
            _(
                "The issuer did not authorize the wallet to collect the credential. Nothing "
                "was stored."
            ),
            "error",
        )
        return redirect(url_for("oid4vc.index"))
    try:
        received = CredentialOffer.from_json(row.offer)
        session = _session(redirect_uri=url_for("oid4vc.callback", _external=True))
        metadata = fetch_issuer_metadata(session, received)
        server = fetch_authorization_server(session, metadata)
        # RFC 9207: the answer must come from the server the learner was sent to.
        if request.args.get("iss", server.issuer) != server.issuer:
            raise IssuanceError(
                _(
                    "The sign-in answer came from another server than the issuer's. Nothing was "
                    "stored."
                )
            )
        access = flow.code_token(session, server, code=code, verifier=verifier)
    except IssuanceError as exc:
        db.session.delete(row)
        db.session.commit()
        flash(exc.message, "error")
        return redirect(url_for("oid4vc.index"))
    row.status, row.access_token = AUTHORIZED, access
    row.state, row.code_verifier = None, None
    db.session.commit()
    return redirect(url_for("oid4vc.pending", pending_id=row.id))


@bp.get("/pending/<int:pending_id>")
@login_required
def pending(pending_id: int) -> str:
    """An issuance in progress: enter the password to finish, or check a deferred one."""
    return render_template("oid4vc/pending.html", row=_own(pending_id))


@bp.post("/pending/<int:pending_id>/finish")
@login_required
@password_checked
def finish(pending_id: int) -> tuple[str, int] | str | BaseResponse:
    """Sign the proof with the holder key and collect the authorized credentials."""
    row = _own(pending_id)
    if row.status != AUTHORIZED or not row.access_token:
        abort(404)
    holder = _unlock(current_user())
    if holder is None:
        return render_template("oid4vc/pending.html", row=row), 400
    try:
        received = CredentialOffer.from_json(row.offer)
        session = _session()
        metadata = fetch_issuer_metadata(session, received)
    except IssuanceError as exc:
        flash(exc.message, "error")
        return render_template("oid4vc/pending.html", row=row), 400
    access = row.access_token
    db.session.delete(row)  # the token is spent whatever happens next
    db.session.commit()
    return collect(
        session, received, metadata, access=access, holder=holder, client_id=_client_id()
    )


@bp.post("/pending/<int:pending_id>/check")
@login_required
def check(pending_id: int) -> tuple[str, int] | str | BaseResponse:
    """Ask the issuer again for a deferred credential (OID4VCI 1.0 §9)."""
    row = _own(pending_id)
    endpoint = row.metadata_.get("deferred_endpoint")
    if row.status != DEFERRED or not row.transaction_id or not row.access_token or not endpoint:
        abort(404)
    try:
        answer = flow.request_deferred(
            _session(), endpoint, access_token=row.access_token, transaction_id=row.transaction_id
        )
    except IssuanceError as exc:
        flash(exc.message, "error")
        return _index(status=400)
    if answer.transaction_id and not answer.credentials:
        row.checked_at, row.interval = utcnow(), answer.interval
        db.session.commit()
        flash(
            _("%(title)s is not ready yet. Check again in a little while.", title=row.title), "info"
        )
        return redirect(url_for("oid4vc.index"))
    issuer_name = row.issuer_name
    db.session.delete(row)
    db.session.commit()
    outcomes = store_received(
        current_user(), answer.credentials, issuer_name=issuer_name, now=utcnow()
    )
    return received_page(outcomes, [], issuer_name)


@bp.post("/pending/<int:pending_id>/delete")
@login_required
def delete(pending_id: int) -> BaseResponse:
    """Stop waiting for an issuance in progress."""
    row = _own(pending_id)
    db.session.delete(row)
    db.session.commit()
    flash(_("The wallet no longer waits for %(title)s.", title=row.title), "info")
    return redirect(url_for("oid4vc.index"))


def _forget_old_sign_ins(user: Any) -> None:
    """Drop the learner's sign-ins at issuers that were started and never came back."""
    stale = db.session.scalars(
        select(PendingIssuance).where(
            PendingIssuance.user_id == user.id,
            PendingIssuance.status == AUTHORIZING,
            PendingIssuance.created_at < utcnow() - SIGN_IN_LIFETIME,
        )
    )
    for row in stale:
        db.session.delete(row)


def _own(pending_id: int) -> PendingIssuance:
    """The learner's own issuance in progress, else 404."""
    row = db.session.get(PendingIssuance, pending_id)
    if row is None or row.user_id != current_user().id:
        abort(404)
    return row


def _unlock(user: Any) -> KeyPair | None:
    """The holder key opened with the form's password; flashes and gives ``None`` if wrong."""
    password = request.form.get("password", "")
    if not password:
        flash(
            _("Enter your password: it unlocks the key that proves the credential is yours."),
            "error",
        )
        return None
    try:
        return unlock_holder_key(user, password)
    except WrongPassword:
        flash(_("That is not your password. Nothing was received."), "error")
        return None


def _json_field(name: str) -> Mapping[str, Any] | None:
    try:
        value = json.loads(request.form.get(name, ""))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
