"""Languages of the standalone verifier: English and Polish from the project's one catalogue
(``wallet/translations``), chosen by the ``lang`` cookie (the wallet's too) or the browser.

Flask-Babel finds the request's catalogue anew for every string, walking ``g`` about ten times,
which costs more than translating; a results page asks for a hundred strings. :func:`reader`
finds the language, catalogue and time zone once per request, :func:`table` translates a table
of lazy strings once per catalogue, and :func:`install_gettext` gives templates a ``_`` that
uses them (the same strings, escaping and ``%`` formatting as Jinja's own).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any, TypeVar

from babel.core import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations
from flask import Flask, current_app, g, redirect, request, url_for
from flask_babel import get_locale, get_timezone, get_translations, refresh
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
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
    return {"current_locale": reader().code, "languages": LANGUAGE_NAMES}


@dataclass(frozen=True, eq=False)
class Reader:
    """Who reads this request: the language (``code``, e.g. ``"pl"``), its catalogue and the
    time zone dates are shown in; Flask-Babel's own answers, looked up together."""

    locale: Locale | None
    code: str
    translations: NullTranslations
    timezone: tzinfo | None
    domain: Any

    def gettext(self, message: str, **variables: Any) -> str:
        """``message`` in the reader's language, formatted as Flask-Babel's ``gettext`` does."""
        text = self.translations.ugettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        """The singular or plural form for ``num``, formatted as Flask-Babel's ``ngettext``."""
        variables.setdefault("num", num)
        return self.translations.ungettext(singular, plural, num) % variables


#: The object behind ``flask.g`` in this context, found in one call (each attribute looked up
#: through the ``g`` proxy costs a microsecond or two, and a page asks for its reader often).
_current_g = g._get_current_object


def reader() -> Reader:
    """This request's reader, found once: Flask-Babel's locale, catalogue and time zone. It is
    found again when the locale changes (``refresh()``, ``force_locale``)."""
    try:
        state = _current_g().__dict__.get("_flask_babel")
    except RuntimeError:  # no application context: Flask-Babel's answer is English as written
        return _find_reader()
    if state is not None:
        known = getattr(state, "verifier_reader", None)
        if (
            known is not None
            and known.locale is getattr(state, "babel_locale", None)
            and known.domain is getattr(state, "babel_domain", None)
        ):
            return known
    found = _find_reader()
    state = _current_g().__dict__.get("_flask_babel")
    if state is not None:
        state.verifier_reader = found
    return found


def _find_reader() -> Reader:
    translations = get_translations()  # first: it settles the locale and the domain
    locale = get_locale()
    state = g.get("_flask_babel") if g else None
    return Reader(
        locale=locale,
        code=str(locale or LOCALES[0]),
        translations=translations,
        timezone=get_timezone() if g else None,
        domain=getattr(state, "babel_domain", None),
    )


K = TypeVar("K")
_TABLES: dict[tuple[int, NullTranslations], dict[Any, str]] = {}


def table(lazy: Mapping[K, Any]) -> Mapping[K, str]:
    """A module's table of lazy strings in the reader's language, translated once per catalogue
    (the table must live as long as the process: it is remembered by identity)."""
    key = (id(lazy), reader().translations)
    found = _TABLES.get(key)
    if found is None:
        found = _TABLES[key] = {k: str(v) for k, v in lazy.items()}
    return found


_MARKUP: dict[tuple[NullTranslations, str], Markup] = {}


@pass_context
def _template_gettext(context: Context, message: str, **variables: Any) -> str:
    translations = reader().translations
    if not variables and context.eval_ctx.autoescape:
        # Most template strings are plain text: each is made Markup once per catalogue.
        found = _MARKUP.get((translations, message))
        if found is None:
            if len(_MARKUP) > 4096:
                _MARKUP.clear()
            found = _MARKUP[translations, message] = Markup(translations.ugettext(message)) % {}
        return found
    text = translations.ugettext(message)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables  # Jinja's new-style gettext: always a format string


@pass_context
def _template_ngettext(
    context: Context, singular: str, plural: str, num: int, **variables: Any
) -> str:
    variables.setdefault("num", num)
    text = reader().translations.ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def install_gettext(app: Flask) -> None:
    """Give ``app``'s templates ``_``, ``gettext`` and ``ngettext`` over :func:`reader`; call
    after Flask-Babel's ``init_app``, which installs its own."""
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext
    )


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
