"""Collecting what the learner consented to: one credential request per offered credential,
the ones issued kept (:mod:`wallet.oid4vc.receive`), the deferred ones remembered; and the
pages that say what happened."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _

from verifier import KeyPair
from wallet.auth import current_user
from wallet.db import db, utcnow
from wallet.importers import credential_url
from wallet.importers.service import ImportOutcome
from wallet.oid4vc import flow
from wallet.oid4vc.http import IssuanceError, IssuerSession
from wallet.oid4vc.metadata import IssuerMetadata
from wallet.oid4vc.models import DEFERRED, PendingIssuance
from wallet.oid4vc.offers import CredentialOffer
from wallet.oid4vc.receive import store_received

REFUSED = "refused"


def collect(
    session: IssuerSession,
    received: CredentialOffer,
    metadata: IssuerMetadata,
    *,
    access: str,
    holder: KeyPair,
    client_id: str | None,
) -> tuple[str, int]:
    """Ask for each offered credential; keep those issued, remember those deferred."""
    user, outcomes, deferred = current_user(), [], []
    for config in metadata.offered(received):
        try:
            answer = flow.request_credential(
                session,
                metadata,
                config.id,
                access_token=access,
                holder=holder,
                client_id=client_id,
                now=utcnow(),
            )
        except IssuanceError as exc:
            outcomes.append(
                ImportOutcome(
                    filename=None,
                    ok=False,
                    message=exc.message,
                    title=config.name,
                    reason=REFUSED,
                )
            )
            continue
        if answer.credentials:
            outcomes += store_received(
                user, answer.credentials, issuer_name=metadata.name, now=utcnow()
            )
        elif answer.transaction_id and metadata.deferred_endpoint:
            row = new_pending(received, metadata, DEFERRED, title=config.name)
            row.access_token, row.configuration_id = access, config.id
            row.transaction_id, row.interval = answer.transaction_id, answer.interval
            db.session.add(row)
            db.session.commit()
            deferred.append(row)
        else:
            message = _("The issuer will issue this later but gave no way to collect it.")
            outcomes.append(
                ImportOutcome(
                    filename=None, ok=False, message=message, title=config.name, reason=REFUSED
                )
            )
    status = 200 if any(o.ok or o.duplicate for o in outcomes) or deferred else 400
    return received_page(outcomes, deferred, metadata.name), status


def received_page(
    outcomes: list[ImportOutcome], deferred: list[PendingIssuance], issuer: str
) -> str:
    rows = [
        {
            "title": o.title,
            "ok": o.ok,
            "duplicate": o.duplicate,
            "outcome": o.outcome,
            "message": o.message,
            "url": credential_url(o.credential_id),
        }
        for o in outcomes
    ]
    return render_template("oid4vc/received.html", rows=rows, deferred=deferred, issuer=issuer)


def new_pending(
    received: CredentialOffer, metadata: IssuerMetadata, status: str, **fields: Any
) -> PendingIssuance:
    """A new row for an issuance in progress for the current learner (not yet added)."""
    titles = ", ".join(c.name for c in metadata.offered(received))
    fields.setdefault("title", titles)
    return PendingIssuance(
        user_id=current_user().id,
        status=status,
        issuer=metadata.issuer,
        issuer_name=metadata.name,
        offer=received.data,
        metadata_={"deferred_endpoint": metadata.deferred_endpoint},
        **fields,
    )


def pending_rows(rows: list[PendingIssuance]) -> list[dict[str, Any]]:
    """The Offers page's list of issuances in progress, as plain values."""
    return [
        {
            "id": row.id,
            "title": row.title,
            "issuer_name": row.issuer_name,
            "deferred": row.status == DEFERRED,
            "checked": format_datetime(row.checked_at, "medium") if row.checked_at else None,
            "wait": ngettext(
                "The issuer suggests waiting %(num)d second between checks.",
                "The issuer suggests waiting %(num)d seconds between checks.",
                row.interval,
            ),
        }
        for row in rows
    ]
