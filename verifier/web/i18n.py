"""Languages of the standalone verifier: English and Polish from the project's one catalogue
(``wallet/translations``), chosen by the ``lang`` cookie (the wallet's too) or the browser."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, redirect, request, url_for
from flask_babel import get_locale, refresh
from werkzeug.wrappers import Response as BaseResponse

from verifier.web import bp

log = logging.getLogger(__name__)

#: The one catalogue of the project (the wallet and the verifier share their strings).
TRANSLATIONS = Path(__file__).resolve().parent.parent.parent / "wallet" / "translations"
LOCALES = ("en", "pl")
LANGUAGE_NAMES = {"en": "English", "pl": "Polski"}
COOKIE = "lang"


def select_locale() -> str:
    """The ``lang`` cookie's language, else the browser's preference, else English."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LOCALES:
        return str(chosen)
    return request.accept_languages.best_match(LOCALES) or LOCALES[0]


def language_context() -> dict[str, object]:
    """What the standalone layout needs: the current language and the languages offered."""
    return {"current_locale": str(get_locale() or LOCALES[0]), "languages": LANGUAGE_NAMES}


def compile_catalogs(folder: Path = TRANSLATIONS) -> None:
    """Compile each ``.po`` whose ``.mo`` is missing or older (a read-only install is skipped)."""
    for po_path in sorted(folder.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as source:
                catalog = read_po(source, locale=po_path.parent.parent.name)
            handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
            with os.fdopen(handle, "wb") as target:
                write_mo(target, catalog)
            os.replace(temporary, mo_path)
        except PermissionError:
            log.warning("cannot write %s; that language will show in English", mo_path)


@bp.route("/lang/<code>", methods=("POST",))
def language(code: str) -> BaseResponse:
    """Switch the standalone verifier's language and go back to the form."""
    response = redirect(url_for("verify.index"))
    if code in LOCALES:
        response.set_cookie(
            COOKIE,
            code,
            max_age=current_app.config.get("LANGUAGE_COOKIE_MAX_AGE", 365 * 24 * 3600),
            secure=bool(current_app.config.get("HTTPS")),
            httponly=True,
            samesite="Lax",
        )
        refresh()
    return response
