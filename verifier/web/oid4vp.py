"""The employer's OpenID4VP pages at ``/verify/requests``: make a request, show it as a QR code
and a link, receive the wallet's answer (``direct_post``), and show the result.

Mounted by the standalone verifier (``verifier.web.create_app``) and by the wallet. The
request lives in :class:`verifier.web.oid4vp_store.RequestStore`, so any worker can serve any
step. The employer's page is reached through a secret ``view_token``; the wallet only ever
learns the public request id (in ``request_uri`` and ``response_uri``).
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import qrcode
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response as BaseResponse

from verifier.dcql import DcqlError, DcqlQuery
from verifier.web import oid4vp_answers as answers
from verifier.web import oid4vp_requests as flow
from verifier.web.oid4vp_store import ANSWERED, DECLINED, PENDING, RequestStore, StoredRequest
from verifier.web.stores import stores

bp = Blueprint("verify_requests", __name__, url_prefix="/verify/requests")

PRESETS = ("ects", "achievement", "any", "custom")
MAX_NAME, MAX_PURPOSE, MAX_TOPIC = 100, 300, 100


@bp.record_once
def _exempt_response_from_csrf(state: Any) -> None:
    """The wallet's answer is a cross-site form post by design (§8.2): no CSRF token."""
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(f"{__name__}.response")


def _store() -> RequestStore:
    return RequestStore.for_config(current_app.config)


def _now() -> datetime:
    return datetime.now(UTC)


def _ttl() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("OID4VP_REQUEST_TTL", 600)))


# -- the employer ---------------------------------------------------------------------------------
@bp.route("/", methods=["GET", "POST"])
def new() -> str | BaseResponse | tuple[str, int]:
    """The form: a preset or a DCQL query, the employer's name and why they ask."""
    values: dict[str, str] = {
        "preset": "ects",
        "min_ects": "5",
        "topic": _("data analysis"),
        "verifier_name": "",
        "purpose": "",
        "achievement": "",
        "dcql": "",
    }
    if request.method == "GET":
        return render_template("oid4vp/new.html", values=values, errors={})
    values.update({k: request.form.get(k, "").strip() for k in values})
    errors, query, post_check = _read_form(values)
    if errors:
        return render_template("oid4vp/new.html", values=values, errors=errors), 400
    stored = flow.new_request(
        response_uri_for=lambda rid: url_for(".response", request_id=rid, _external=True),
        verifier_name=values["verifier_name"],
        purpose=values["purpose"],
        query=flow.with_purpose(query, values["purpose"]),
        post_check=post_check,
        now=_now(),
        ttl=_ttl(),
    )
    _store().add(stored)
    return redirect(url_for(".show", token=stored.view_token), code=303)


def _read_form(values: dict[str, str]) -> tuple[dict[str, str], Any, dict[str, Any]]:
    """The form's mistakes, else the DCQL query and the verifier's own check."""
    errors: dict[str, str] = {}
    if not values["verifier_name"] or len(values["verifier_name"]) > MAX_NAME:
        errors["verifier_name"] = _(
            "Give your organisation's name (at most %(n)d characters).", n=MAX_NAME
        )
    if len(values["purpose"]) > MAX_PURPOSE:
        errors["purpose"] = _("Keep the reason under %(n)d characters.", n=MAX_PURPOSE)
    preset = values["preset"]
    post_check: dict[str, Any] = {}
    query = None
    if preset not in PRESETS:
        errors["preset"] = _("Choose what to ask for.")
    elif preset == "ects":
        try:
            minimum = float(values["min_ects"].replace(",", "."))
        except ValueError:
            minimum = -1
        if not 0 < minimum <= 1000:
            errors["min_ects"] = _("Give a number of ECTS credits between 0 and 1000.")
        if len(values["topic"]) > MAX_TOPIC:
            errors["topic"] = _("Keep the topic under %(n)d characters.", n=MAX_TOPIC)
        post_check = {
            "min_ects": minimum,
            "min_ects_text": f"{minimum:g}",
            "topic": values["topic"],
        }
        query = DcqlQuery.from_json(flow.preset_query("ects"))
    elif preset == "achievement":
        if not values["achievement"] or len(values["achievement"]) > MAX_TOPIC:
            errors["achievement"] = _("Give the achievement's exact name.")
        else:
            query = DcqlQuery.from_json(
                flow.preset_query("achievement", achievement=values["achievement"])
            )
    elif preset == "any":
        query = DcqlQuery.from_json(flow.preset_query("any"))
    else:
        try:
            query = flow.parse_free_query(values["dcql"])
        except DcqlError as exc:
            errors["dcql"] = _("This query cannot be used: %(reason)s", reason=str(exc))
    return errors, query, post_check


def _request_or_404(token: str) -> StoredRequest:
    stored = _store().by_view_token(token)
    if stored is None:
        abort(404)
    return stored


@bp.route("/<token>")
def show(token: str) -> str | Response:
    """The request: QR code and link while it waits, the verification once answered."""
    stored = _request_or_404(token)
    if stored.status == ANSWERED and stored.answer:
        return _results(stored)
    request_uri = url_for(".request_object", request_id=stored.id, _external=True)
    link = flow.wallet_link(stored, request_uri)
    same_device = flow.wallet_link(stored, request_uri, base=_wallet_base())
    return render_template(
        "oid4vp/show.html",
        stored=stored,
        link=link,
        same_device=same_device,
        qr=_qr_data_uri(link),
        expired=stored.expired(_now()),
        declined=stored.status == DECLINED,
        status_url=url_for(".status", token=token),
        query=DcqlQuery.from_json(stored.query),
    )


def _results(stored: StoredRequest) -> str:
    """The verifier's results page for the presentation, its notice saying whether the nonce
    and audience match and the query is satisfied."""
    from verifier.web.results import render_results

    answer = stored.answer or {}
    checked_at = datetime.fromisoformat(answer["checked_at"])
    evaluation = answers.evaluate(stored, answer["items"], now=checked_at, stores=stores())
    first = evaluation.items[0]
    return render_results(
        first.report,
        source="oid4vp",
        document=first.document.encode("utf-8"),
        heading=_("Answer to your request"),
        notice=binding_notice(stored, evaluation),
        back_url=url_for(".new"),
    )


def binding_notice(stored: StoredRequest, evaluation: answers.Evaluation) -> str:
    """One sentence: whether nonce, audience, query and the verifier's own condition hold."""
    parts = [
        _("nonce matches") if evaluation.nonce_matches else _("nonce does not match"),
        _("audience matches") if evaluation.audience_matches else _("audience does not match"),
        _("query satisfied") if evaluation.query_satisfied else _("query not satisfied"),
    ]
    if evaluation.post_check is not None:
        condition = {
            "n": stored.post_check.get("min_ects_text"),
            "topic": stored.post_check.get("topic"),
        }
        parts.append(
            _("at least %(n)s ECTS about “%(topic)s”: yes", **condition)
            if evaluation.post_check
            else _("at least %(n)s ECTS about “%(topic)s”: no", **condition)
        )
    if len(evaluation.items) > 1:
        parts.append(
            ngettext(
                "%(num)d presentation was sent; the first is shown",
                "%(num)d presentations were sent; the first is shown",
                len(evaluation.items),
            )
        )
    return _("The learner's wallet answered this request: %(checks)s.", checks="; ".join(parts))


@bp.route("/<token>/status")
def status(token: str) -> Response:
    """What the request page polls: pending, answered, declined or expired."""
    stored = _request_or_404(token)
    state = stored.status
    if state == PENDING and stored.expired(_now()):
        state = "expired"
    response = jsonify({"status": state})
    response.headers["Cache-Control"] = "no-store"
    return response


def _wallet_base() -> str:
    """Where "open in my wallet" leads: this app's own wallet when the verifier is mounted in
    the wallet, else ``OID4VP_WALLET_URL``, else the ``openid4vp://`` scheme (§5.2)."""
    if "oid4vp.authorize" in current_app.view_functions:
        return url_for("oid4vp.authorize")
    return str(current_app.config.get("OID4VP_WALLET_URL") or "openid4vp://")


def _qr_data_uri(text: str) -> str:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=4)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


# -- the wallet -----------------------------------------------------------------------------------
def _protocol_error(status_code: int, error: str, description: str) -> Response:
    """An OAuth-style JSON error (RFC 6749 §5.2 shape), as wallets expect."""
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status_code
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<request_id>")
def request_object(request_id: str) -> Response:
    """The request object behind ``request_uri`` (RFC 9101 §5.2), unsigned (§5.9.3)."""
    stored = _store().get(request_id)
    if stored is None:
        return _protocol_error(404, "invalid_request_uri", "There is no such request.")
    if stored.status != PENDING:
        return _protocol_error(410, "invalid_request_uri", "This request was already answered.")
    if stored.expired(_now()):
        return _protocol_error(410, "invalid_request_uri", "This request has expired.")
    response = Response(
        flow.unsigned_jwt(flow.request_object(stored)),
        mimetype="application/oauth-authz-req+jwt",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<request_id>/response", methods=["POST"])
def response(request_id: str) -> Response:
    """The wallet's answer (``direct_post``, §8.2): verified, checked, stored once."""
    store = _store()
    stored = store.get(request_id)
    now = _now()
    if stored is None:
        return _protocol_error(404, "invalid_request", "There is no such request.")
    if stored.status != PENDING:
        return _protocol_error(
            400, "invalid_request", "This request was already answered; it cannot be reused."
        )
    if stored.expired(now):
        return _protocol_error(400, "invalid_request", "This request has expired.")
    if request.form.get("error"):
        if request.form.get("state") != stored.state:
            return _protocol_error(400, "invalid_request", "The state does not match.")
        answer = {"error": request.form["error"][:64], "checked_at": now.isoformat()}
        store.finish(stored.id, DECLINED, answer, now=now)
        return jsonify({})
    try:
        items = answers.read_answer(stored, request.form)
    except answers.BadAnswer as exc:
        return _protocol_error(400, "invalid_request", str(exc))
    evaluation = answers.evaluate(stored, items, now=now, stores=stores())
    answer = {"items": items, "checked_at": now.isoformat()}
    if not store.finish(stored.id, ANSWERED, answer, now=now):
        return _protocol_error(
            400, "invalid_request", "This request was already answered; it cannot be reused."
        )
    if not evaluation.accepted:
        return _protocol_error(400, "invalid_request", _describe(evaluation))
    return jsonify({})


def _describe(evaluation: answers.Evaluation) -> str:
    """Why the verifier did not accept an answer, in one sentence for the wallet."""
    if not evaluation.nonce_matches:
        return "The presentation was not made for this request (the nonce does not match)."
    if not evaluation.audience_matches:
        return "The presentation was made for another verifier (the audience does not match)."
    if not evaluation.query_satisfied:
        return "The credentials sent do not answer the request."
    if evaluation.post_check is False:
        return "The credentials sent do not meet the request's conditions."
    return "The presentation or a credential in it did not pass verification."
