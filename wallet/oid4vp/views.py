"""The learner's side of OpenID4VP (``/oid4vp``): open a verifier's request, see in plain words
who asks for what and why, pick the credentials, and share them signed, or decline.

Nothing leaves the wallet before the learner presses "Share" and gives their password (the
holder key is sealed with it); "Decline" tells the verifier ``access_denied`` (§8.5) and sends
no credential. The request is fetched again when the learner answers, and must be exactly the
one they saw (its SHA-256 travels in the consent form), so no state is kept between the two.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from verifier import VerificationError
from verifier.dcql import CredentialQuery
from wallet.auth import current_user, login_required
from wallet.importers.qr import UnreadableImage, read_qr_codes
from wallet.oid4vp import client, matching, presenting
from wallet.security import limiter
from wallet.sharing.presentations import NotPresentable, WrongPassword

bp = Blueprint("oid4vp", __name__, url_prefix="/oid4vp")
FETCH_LIMIT = "30/minute"
MAX_PICTURE = 15 * 1024 * 1024

#: What the learner reads for each reason the wallet will not answer a request.
PROBLEMS = {
    "not_a_request": _l(
        "This is not a presentation request link. It should start with openid4vp:// and "
        "contain a request_uri."
    ),
    "by_value": _l(
        "This request is written into the link itself. The wallet only opens requests it "
        "fetches from the verifier (with request_uri)."
    ),
    "insecure": _l("The verifier's address does not use https, so the wallet will not contact it."),
    "private_address": _l(
        "The verifier's address is on a private network, so the wallet will not contact it."
    ),
    "unreachable": _l("The wallet could not reach the verifier. Please try again in a moment."),
    "too_large": _l("The verifier sent more data than a request may hold."),
    "gone": _l(
        "This request is no longer open: it has expired or was already answered. "
        "Ask the verifier for a new one."
    ),
    "malformed": _l("The verifier's request is not a valid OpenID4VP request."),
    "signed": _l("The verifier signed its request in a way this wallet does not support yet."),
    "client_id": _l(
        "The request does not say consistently where the answer goes, so the wallet will not "
        "answer it."
    ),
    "query": _l("The verifier's query is not valid."),
}
#: Plain names of the claims verifiers ask for most; other paths are shown as written.
CLAIM_NAMES = {
    "credentialSubject.achievement.name": _l("the achievement's name"),
    "credentialSubject.achievement.creditsAvailable": _l("the credits (such as ECTS)"),
    "credentialSubject.achievement.description": _l("the achievement's description"),
    "credentialSubject.achievement.achievementType": _l("the kind of achievement"),
    "credentialSubject.name": _l("your name"),
    "credentialSubject.id": _l("your identifier"),
    "issuer.name": _l("the issuer's name"),
    "name": _l("the credential's title"),
    "given_name": _l("your given name"),
    "family_name": _l("your family name"),
}
FORMAT_NAMES = {
    "ldp_vc": _l("a credential (JSON-LD)"),
    "jwt_vc_json": _l("a credential (JWT)"),
    "dc+sd-jwt": _l("a credential (SD-JWT)"),
}


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> str | BaseResponse | tuple[str, int]:
    """Paste the link a verifier shows (``openid4vp://...``) to open its request."""
    if request.method == "GET":
        return render_template("oid4vp/index.html", link="", error=None, scan_error=None)
    return index_redirect(request.form.get("link", "").strip())


@bp.route("/scan", methods=["POST"])
@login_required
def scan() -> str | BaseResponse | tuple[str, int]:
    """Open the request whose QR code is in a photo or screenshot (a phone's camera)."""
    upload = request.files.get("image")
    data = upload.read(MAX_PICTURE + 1) if upload else b""
    if not data:
        return _scan_error(_("Choose a photo or screenshot of the verifier's QR code."))
    if len(data) > MAX_PICTURE:
        return _scan_error(
            _("The picture is larger than 15 MB. Send a smaller photo or screenshot.")
        )
    try:
        codes = read_qr_codes(data)
    except UnreadableImage:
        return _scan_error(_("This picture cannot be read. Take another photo or a screenshot."))
    requests_found = [code for code in codes if "request_uri=" in code]
    if not requests_found:
        return _scan_error(_("There is no request QR code in this picture."))
    return index_redirect(requests_found[0])


def _scan_error(message: str) -> tuple[str, int]:
    return render_template("oid4vp/index.html", link="", error=None, scan_error=message), 400


def index_redirect(text: str) -> BaseResponse | tuple[str, int]:
    """Send the learner to the request named by a link, or back to the form saying why not."""
    try:
        link = client.parse_link(text)
    except client.RequestProblem as problem:
        page = render_template(
            "oid4vp/index.html", link=text, error=PROBLEMS[problem.code], scan_error=None
        )
        return page, 400
    params = {"request_uri": link.request_uri}
    if link.client_id is not None:
        params["client_id"] = link.client_id
    return redirect(url_for("oid4vp.authorize") + "?" + urlencode(params), code=303)


@bp.route("/authorize")
@login_required
@limiter.limit(FETCH_LIMIT)
def authorize() -> str | tuple[str, int]:
    """Fetch the request named by the link and ask the learner (§5.2)."""
    request_uri = request.args.get("request_uri", "")
    if not request_uri:
        return _problem("not_a_request")
    link = client.Link(request.args.get("client_id"), request_uri)
    try:
        authorization = client.fetch_request(link)
    except client.RequestProblem as problem:
        return _problem(problem.code, problem.detail)
    return _consent(authorization)


def _problem(code: str, detail: str = "") -> tuple[str, int]:
    """The page saying why the wallet did not answer; nothing was sent."""
    status = 502 if code in ("unreachable", "too_large") else 400
    page = render_template(
        "oid4vp/problem.html",
        message=PROBLEMS.get(code, PROBLEMS["malformed"]),
        detail=detail if code in ("query", "gone") else "",
    )
    return page, status


def _consent(
    authorization: client.AuthorizationRequest, *, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    the_plan = matching.plan(authorization.query, matching.candidates(current_user()))
    page = render_template(
        "oid4vp/consent.html",
        ask=authorization,
        plan=the_plan,
        asks={c.query.id: describe(c.query) for c in the_plan.choices},
        purposes=[p for p in authorization.query.purposes() if isinstance(p, str)],
        error=error,
    )
    return page, status


def describe(query: CredentialQuery) -> str:
    """What one credential query asks for, in plain words."""
    kinds = [
        " + ".join(t.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for t in group)
        for group in query.meta.get("type_values") or [query.meta.get("vct_values") or []]
    ]
    text = str(FORMAT_NAMES[query.format])
    kinds = [k for k in kinds if k and k != "VerifiableCredential"]
    if kinds:
        text = _("%(what)s of type %(types)s", what=text, types=_(" or ").join(kinds))
    shown = []
    for claim, path in zip(query.claims, query.claim_paths(), strict=True):
        path = str(CLAIM_NAMES.get(path, path))
        if claim.values is None:
            shown.append(_("showing %(path)s", path=path))
        else:
            values = ", ".join(json.dumps(v, ensure_ascii=False) for v in claim.values)
            shown.append(_("with %(path)s equal to %(values)s", path=path, values=values))
    return text + ("; " + "; ".join(shown) if shown else "")


@bp.route("/answer", methods=["POST"])
@login_required
@limiter.limit(FETCH_LIMIT)
def answer() -> str | tuple[str, int]:
    """Share the chosen credentials, signed for this request, or decline it."""
    link = client.Link(request.form.get("client_id") or None, request.form.get("request_uri", ""))
    try:
        authorization = client.fetch_request(link)
    except client.RequestProblem as problem:
        return _problem(problem.code, problem.detail)
    if authorization.digest != request.form.get("digest"):
        return _problem("gone", _("The request changed since you opened it."))
    if request.form.get("action") == "decline":
        return _send(authorization, {"error": "access_denied"}, declined=True)
    the_plan = matching.plan(authorization.query, matching.candidates(current_user()))
    picks = {c.query.id: request.form.getlist(f"pick-{c.query.id}") for c in the_plan.choices}
    selection = matching.chosen(authorization.query, the_plan, picks)
    if selection is None:
        message = _("Choose credentials that answer the request. Nothing was sent.")
        return _consent(authorization, error=message, status=400)
    try:
        token = presenting.vp_token(
            current_user(),
            selection,
            request.form.get("password", ""),
            query=authorization.query,
            nonce=authorization.nonce,
            client_id=authorization.client_id,
            now=datetime.now(UTC),
        )
    except WrongPassword:
        message = _("That password is not right. Nothing was sent.")
        return _consent(authorization, error=message, status=400)
    except (NotPresentable, ValueError, VerificationError):  # e.g. an SD-JWT already bound
        message = _("One of those credentials cannot be presented. Nothing was sent.")
        return _consent(authorization, error=message, status=400)
    return _send(authorization, {"vp_token": json.dumps(token, separators=(",", ":"))})


def _send(
    authorization: client.AuthorizationRequest, form: dict[str, str], *, declined: bool = False
) -> str | tuple[str, int]:
    """Post to the verifier and say what happened."""
    if authorization.state is not None:
        form["state"] = authorization.state
    try:
        reply = client.post_answer(authorization, form)
    except client.RequestProblem as problem:
        return _problem(problem.code, problem.detail)
    return render_template("oid4vp/sent.html", ask=authorization, reply=reply, declined=declined)
