"""The demo issuer's pages: make an offer for a learner, show it (link, QR code, transaction
code), hand it to a wallet (``/offers/<id>``), and the sign-in page of the authorization code
flow, which approves or refuses a wallet's request and sends the browser back to it."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import qrcode
from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from wallet.demo_issuer.credentials import CONFIGURATIONS, FORMAT_LABELS
from wallet.demo_issuer.state import AuthorizationCode, Offer, token
from wallet.demo_issuer.util import (
    base_url,
    clock,
    issuer_state,
    make_offer,
    offer_body,
    offer_links,
    setting,
)

bp = Blueprint("pages", __name__)

FLOWS = ("pre-authorized", "pre-authorized-tx", "authorization-code")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@bp.get("/")
def index() -> str:
    """The form that makes an offer: which formats, which flow, deferred or not."""
    return render_template("demo_issuer/index.html", formats=_formats(), flows=FLOWS)


@bp.post("/offers")
def create_offer() -> BaseResponse | tuple[str, int]:
    """Make an offer from the form and show it."""
    chosen = request.form.getlist("configuration")
    flow = request.form.get("flow", "pre-authorized")
    try:
        offer, _body = make_offer(chosen, flow=flow, deferred="deferred" in request.form)
    except ValueError:
        message = _("Choose at least one credential format and one of the offered flows.")
        page = render_template(
            "demo_issuer/index.html", formats=_formats(), flows=FLOWS, error=message
        )
        return page, 400
    return redirect(f"/offers/{offer.id}/show", code=303)


@bp.get("/offers/<offer_id>/show")
def show_offer(offer_id: str) -> str:
    """An offer as a learner sees it: a QR code, links, and the transaction code if any."""
    offer = issuer_state().offers.get(offer_id)
    if offer is None:
        abort(404)
    links = offer_links(offer, offer_body(offer))
    return render_template(
        "demo_issuer/offer.html",
        offer=offer,
        links=links,
        qr=_qr_data_uri(links["by_reference"]),
        titles=[_title(c) for c in offer.configuration_ids],
    )


@bp.get("/offers/<offer_id>")
def offer_json(offer_id: str) -> Response:
    """The offer a ``credential_offer_uri`` points to (OID4VCI 1.0 §4.1.3)."""
    offer = issuer_state().offers.get(offer_id)
    if offer is None or offer.expires_at <= clock() or offer.redeemed:
        response = jsonify({"error": "not_found", "error_description": "No such offer (any more)."})
        response.status_code = 404
        return response
    return jsonify(offer_body(offer))


@bp.post("/api/offers")
def api_offer() -> Response:
    """Make an offer from JSON ``{"configurations": [...], "flow": ..., "deferred": bool}``;
    answers the offer, its links and its transaction code (for scripts and tests)."""
    data = request.get_json(silent=True) or {}
    try:
        offer, body = make_offer(
            data.get("configurations") or list(CONFIGURATIONS),
            flow=str(data.get("flow", "pre-authorized")),
            deferred=bool(data.get("deferred")),
        )
    except (ValueError, TypeError) as exc:
        response = jsonify({"error": "invalid_request", "error_description": str(exc)})
        response.status_code = 400
        return response
    return jsonify({"offer": body, "links": offer_links(offer, body), "tx_code": offer.tx_code})


@bp.get("/authorize")
def authorize() -> tuple[str, int] | str:
    """The sign-in and consent page of the authorization code flow (RFC 6749 §4.1.1)."""
    args = request.args
    problem = _authorization_problem(args)
    if problem:
        return render_template("demo_issuer/error.html", message=problem), 400
    offer = _offer_for_state(args.get("issuer_state"))
    return render_template(
        "demo_issuer/authorize.html",
        params=dict(args),
        titles=[_title(c) for c in offer.configuration_ids] if offer else [],
        wallet_host=urlsplit(args["redirect_uri"]).netloc,
    )


@bp.post("/authorize")
def approve() -> BaseResponse | tuple[str, int]:
    """Approve (or refuse) the wallet's request and send the browser back to it with a code."""
    form = request.form
    problem = _authorization_problem(form)
    if problem:
        return render_template("demo_issuer/error.html", message=problem), 400
    answer = {"state": form["state"]} if form.get("state") else {}
    offer = _offer_for_state(form.get("issuer_state"))
    if form.get("decision") != "approve" or offer is None:
        answer["error"] = "access_denied"
    else:
        code = token()
        lifetime = timedelta(seconds=int(setting("CODE_LIFETIME")))
        state = issuer_state()
        with state.lock:
            state.codes[code] = AuthorizationCode(
                offer.id,
                form["client_id"],
                form["redirect_uri"],
                form["code_challenge"],
                clock() + lifetime,
            )
        answer = {"code": code, **answer, "iss": base_url()}
    separator = "&" if "?" in form["redirect_uri"] else "?"
    return redirect(form["redirect_uri"] + separator + urlencode(answer), code=303)


def _authorization_problem(params: Mapping[str, str]) -> str | None:
    """Why an authorization request cannot be served, in a sentence, or ``None``."""
    get = params.get
    if get("response_type") != "code":
        return _("Only the authorization code flow (response_type=code) is supported.")
    if not get("client_id"):
        return _("The request does not name the wallet (client_id).")
    if get("code_challenge_method") != "S256" or not get("code_challenge"):
        return _("The request must use PKCE with S256.")
    target = urlsplit(get("redirect_uri") or "")
    local = target.scheme == "http" and target.hostname in LOCAL_HOSTS
    if not (target.scheme == "https" or local) or not target.netloc:
        return _("The wallet's return address must use https (or http on this computer).")
    offer = _offer_for_state(get("issuer_state"))
    if offer is None:
        return _("This request does not belong to a current offer; ask for a new one.")
    return None


def _offer_for_state(issuer_state_value: str | None) -> Offer | None:
    """The current offer whose authorization code grant carries ``issuer_state_value``."""
    if not issuer_state_value:
        return None
    now = clock()
    return next(
        (
            o
            for o in issuer_state().offers.values()
            if o.issuer_state == issuer_state_value and o.expires_at > now
        ),
        None,
    )


def _formats() -> list[tuple[str, str]]:
    return [(config_id, FORMAT_LABELS[fmt]) for config_id, fmt in CONFIGURATIONS.items()]


def _title(config_id: str) -> str:
    return f"Data Analysis Basics ({FORMAT_LABELS[CONFIGURATIONS[config_id]]})"


def _qr_data_uri(text: str) -> str:
    """A PNG QR code of ``text`` as a ``data:`` URI for an ``<img>``."""
    image = qrcode.make(text, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
