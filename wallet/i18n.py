"""Languages: English (the source) and Polish, chosen per request; the catalogues' build steps."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask import Blueprint, Flask, current_app, g, has_request_context, redirect, request, url_for
from flask_babel import Babel, get_locale, refresh
from werkzeug.wrappers import Response as BaseResponse

from wallet.db import db
from wallet.models import LOCALES
from wallet.security import safe_next

babel = Babel()
log = logging.getLogger(__name__)
bp = Blueprint("i18n", __name__, url_prefix="/lang")

COOKIE = "lang"
#: Each language named in itself, for the switch in the header.
LANGUAGE_NAMES = {"en": "English", "pl": "Polski"}
PACKAGE = Path(__file__).parent
TRANSLATIONS = PACKAGE / "translations"
PROJECT = PACKAGE.parent
# lazy_gettext is imported as _l where strings are translated at request time.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def select_locale() -> str:
    """The learner's saved language, else the ``lang`` cookie, else the browser's preference."""
    user = g.get("user")
    if user is not None and user.locale in LOCALES:
        return str(user.locale)
    if not has_request_context():  # a command or background job: the source language
        return LOCALES[0]
    chosen = request.cookies.get(COOKIE)
    if chosen in LOCALES:
        return str(chosen)
    return request.accept_languages.best_match(LOCALES) or LOCALES[0]


def init_app(app: Flask) -> None:
    """Bind Flask-Babel, build missing catalogues, and give templates the current language."""
    compile_catalogs(app)
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {"current_locale": str(get_locale() or LOCALES[0]), "languages": LANGUAGE_NAMES}


def compile_catalogs(app: Flask) -> list[Path]:
    """Compile each ``.po`` under the app's translations to ``.mo`` when missing or older."""
    return compile_folder(Path(app.root_path) / "translations")


def compile_folder(folder: Path = TRANSLATIONS) -> list[Path]:
    """Compile each ``folder/<lang>/LC_MESSAGES/*.po`` whose ``.mo`` is missing or older."""
    written = []
    for po_path in sorted(folder.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            _compile(po_path, mo_path)
        except PermissionError:  # a read-only install: the build should have compiled them
            log.warning("cannot write %s; that language will show in English", mo_path)
            continue
        written.append(mo_path)
    return written


def _compile(po_path: Path, mo_path: Path) -> None:
    """Write ``mo_path`` from ``po_path`` atomically (two processes may start at once)."""
    locale = po_path.parent.parent.name
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=locale)
    handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(handle, "wb") as target:
            write_mo(target, catalog)
        os.replace(temporary, mo_path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def extract_messages(output: Path = TRANSLATIONS / "messages.pot") -> int:
    """Extract every marked string of ``wallet/`` and ``templates/`` to a template catalogue."""
    with (PACKAGE / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(project="learner-wallet", msgid_bugs_address=None)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PROJECT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    with output.open("wb") as target:
        write_po(target, catalog, width=100, sort_by_file=True)
    return len(catalog)


def update_catalogs(template: Path = TRANSLATIONS / "messages.pot") -> list[Path]:
    """Merge the template catalogue into each language's ``.po`` (new strings, fuzzy matches)."""
    with template.open("rb") as source:
        pot = read_po(source)
    updated = []
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=po_path.parent.parent.name)
        catalog.update(pot)
        with po_path.open("wb") as target:
            write_po(target, catalog, width=100, sort_by_file=True, ignore_obsolete=True)
        updated.append(po_path)
    return updated


@bp.route("/<code>", methods=("POST",))
def switch(code: str) -> BaseResponse:
    """Switch the interface language, remember it, and go back to the page the learner was on."""
    target = safe_next(request.form.get("next")) or url_for("index")
    response = redirect(target)
    if code not in LOCALES:
        return response
    if g.user is not None:
        g.user.locale = code
        db.session.commit()
    response.set_cookie(
        COOKIE,
        code,
        max_age=current_app.config["LANGUAGE_COOKIE_MAX_AGE"],
        secure=current_app.config["HTTPS"],
        httponly=True,
        samesite="Lax",
    )
    refresh()
    return response
