"""Exports for other wallets and for the learner: every credential as its original file in a
zip, the portfolio as JSON and as a printable, self-contained HTML page with the verification
results, and the data-protection export (:func:`wallet.backup.payload.export_payload`)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from werkzeug.utils import secure_filename

from wallet.db import db
from wallet.models import Credential, User
from wallet.portfolio.views import EXTENSIONS

#: Extensions by the verifier's format, for credentials stored with a generic media type.
FORMAT_EXTENSIONS = {
    "ldp_vc": ".json",
    "jwt_vc": ".jwt",
    "sd_jwt_vc": ".sd-jwt",
    "edc_jades": ".json",
    "edc_xml": ".xml",
    "ob2_hosted": ".json",
    "ob2_signed": ".jws",
}


def credentials_of(user: User) -> Iterator[Credential]:
    """The learner's credentials, oldest import first."""
    query = (
        sa.select(Credential)
        .where(Credential.user_id == user.id)
        .order_by(Credential.imported_at, Credential.id)
    )
    yield from db.session.scalars(query)


def extension(credential: Credential) -> str:
    """The file extension that says what the original is (a baked image keeps .png / .svg)."""
    head = credential.original[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if credential.media_type.lower() == "image/svg+xml":
        return ".svg"
    known = EXTENSIONS.get(credential.media_type.lower())
    if known and known not in (".txt", ".json"):
        return known
    return FORMAT_EXTENSIONS.get(credential.format) or known or ".bin"


def archive_name(credential: Credential, number: int, taken: set[str]) -> str:
    """``NN-title.ext``, unique in the zip, with no folders or odd characters."""
    stem = secure_filename(credential.title)[:60].strip("._") or "credential"
    name = f"{number:03d}-{stem}{extension(credential)}"
    while name in taken:
        name = f"{number:03d}-{stem}-{len(taken)}{extension(credential)}"
    taken.add(name)
    return name


def credentials_zip(user: User) -> bytes:
    """A zip of every credential's original bytes, unchanged."""
    out = io.BytesIO()
    taken: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for number, credential in enumerate(credentials_of(user), start=1):
            info = zipfile.ZipInfo(archive_name(credential, number, taken))
            moment = credential.imported_at  # the issuance date may lie outside 1980-2107
            info.date_time = (min(max(moment.year, 1980), 2107), *moment.timetuple()[1:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, credential.original)
    return out.getvalue()


def portfolio(user: User, *, now: datetime) -> dict[str, Any]:
    """The portfolio as JSON: each credential's details and its latest verification report."""
    items = []
    for credential in credentials_of(user):
        items.append(
            {
                "title": credential.title,
                "issuer": {"name": credential.issuer_name, "id": credential.issuer_id},
                "format": credential.format,
                "types": credential.types,
                "issued_at": _iso(credential.issued_at),
                "valid_until": _iso(credential.valid_until),
                "ects": str(credential.ects) if credential.ects is not None else None,
                "outcome": credential.outcome,
                "checked_at": _iso(credential.checked_at),
                "imported_at": _iso(credential.imported_at),
                "sha256": credential.sha256,
                "note": credential.note,
                "summary": credential.summary,
                "verification": credential.report,
            }
        )
    return {
        "format": "learner-wallet-portfolio",
        "generated_at": now.isoformat(),
        "holder": {"name": user.display_name, "did": user.holder_did},
        "credentials": items,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
