"""The results page: what every way in (paste, upload, QR, share link, camera, and the wallet's
and OpenID4VP's own flows) ends with.

Example (in a view of any blueprint)::

    from verifier.web.results import render_results
    report = verify_presentation(data, now=now, trust=..., cache=..., challenge=nonce)
    return render_results(report, source="oid4vp", document=data)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifier.report import Report
from verifier.web import export, present
from verifier.web.templating import render

#: How each way in is named on the page.
SOURCES = ("paste", "upload", "qr", "camera", "link", "oid4vp", "share")


def render_results(
    report: Report, *, source: str, document: bytes | None = None, **context: Any
) -> str:
    """Render the results page for ``report`` and return its HTML.

    ``source`` says how the document came in: one of :data:`SOURCES` (``"paste"``,
    ``"upload"``, ``"qr"``, ``"camera"``, ``"link"``, ``"oid4vp"``, ``"share"``); another word
    is shown as it is. ``document`` is the bytes that were verified: the kept report records
    their SHA-256. Extra keyword arguments reach the template; it reads ``heading`` (the page's
    heading instead of "Verification result"), ``notice`` (a sentence shown above the
    verdict, e.g. "Shared by Anna through her wallet") and ``back_url`` (where "Check another"
    leads; default: the verifier's form). The page needs no login and works in the wallet and
    in the standalone verifier.
    """
    return render_data(export.kept_report(report, source=source, document=document), **context)


def render_data(
    data: Mapping[str, Any], *, recipient: Mapping[str, Any] | None = None, **context: Any
) -> str:
    """Render the results page from a kept report's JSON (see :func:`export.kept_report`);
    ``recipient`` is the answer of the hashed e-mail form, ``{"index", "email", "matches"}``."""
    view = present.report_view(data)
    credentials = view.credentials if data.get("kind") == "presentation" else [view]
    hashed = _hashed_recipients(data)
    return render(
        "verifier/results.html",
        view=view,
        credentials=credentials,
        trust_dates=present.trust_dates(view),
        source=data.get("source"),
        token=export.sign(data),
        hashed=hashed,
        recipient=recipient,
        **context,
    )


def credential_reports(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The credential reports of a kept report: its own when it is a credential."""
    if data.get("kind") == "presentation":
        return [c for c in data.get("credentials") or () if isinstance(c, Mapping)]
    return [data]


def _hashed_recipients(data: Mapping[str, Any]) -> set[int]:
    """Positions of the Open Badges 2.0 credentials whose recipient is a hashed identity."""
    out = set()
    for i, cred in enumerate(credential_reports(data)):
        summary = cred.get("summary") if isinstance(cred.get("summary"), Mapping) else {}
        recipient = summary.get("recipient")
        if isinstance(recipient, Mapping) and recipient.get("hashed") is True:
            out.add(i)
    return out
