"""The verifier's pages rendered from templates compiled once per language, with each literal
``_("...")`` already translated.

A results page asks its templates for about eighty fixed strings (headings, labels, verdicts);
through Jinja each call costs more than the rest of the cell it fills. Where the app's templates
use the verifier's own ``_`` (:func:`verifier.web.i18n.install_gettext`), :func:`render` uses an
overlay of the app's Jinja environment for the reader's catalogue, whose templates hold each
``_("literal")`` (no variables) as the text that call returns: the translation, as safe markup
where autoescaping is on, with ``%%`` read as ``%``. Strings with variables, ``ngettext`` and
everything else are still called when the page is made. Elsewhere (inside the wallet, whose
``_`` is Flask-Babel's) :func:`render` is Flask's ``render_template``.

Example::

    from verifier.web.templating import render
    return render("verifier/results.html", view=view)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from babel.support import NullTranslations
from flask import current_app, render_template
from jinja2 import Environment, pass_eval_context
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.nodes import EvalContext
from markupsafe import Markup

from verifier.web.i18n import _template_gettext, reader

#: The filter a translated literal goes through: safe markup where autoescaping is on, as
#: ``_`` returns it (the template compiler applies it then, so the page holds the result).
FILTER = "verifier_translated"
#: The template names of the verifier's ``_``.
GETTEXT = ("_", "gettext")


@pass_eval_context
def _translated(eval_ctx: EvalContext, text: str) -> str:
    return Markup(text) if eval_ctx.autoescape else text


def _literal(translations: NullTranslations, message: str) -> str | None:
    """What ``_(message)`` returns in ``translations``, or ``None`` if it raises (left to run)."""
    try:
        return str(Markup(translations.ugettext(message)) % {})
    except (TypeError, ValueError, KeyError):
        return None


class TranslatedLiterals(Extension):
    """Replace ``_("literal")`` with its translation in the environment's catalogue."""

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        """The template's tokens with each ``_("literal")`` made a translated constant."""
        translations: NullTranslations | None = getattr(
            self.environment, "verifier_translations", None
        )
        tokens = list(stream)
        if translations is None:
            return tokens
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            text = None
            if (
                token.type == "name"
                and token.value in GETTEXT
                and [t.type for t in tokens[i + 1 : i + 4]] == ["lparen", "string", "rparen"]
                and (i == 0 or tokens[i - 1].type != "dot")
            ):
                text = _literal(translations, tokens[i + 2].value)
            if text is None:
                out.append(token)
                i += 1
                continue
            line = token.lineno
            out += [
                Token(line, "lparen", "("),
                Token(line, "string", text),
                Token(line, "pipe", "|"),
                Token(line, "name", FILTER),
                Token(line, "rparen", ")"),
            ]
            i += 4
        return out


def environment() -> Environment:
    """The app's Jinja environment for the reader's catalogue (see the module's docstring)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    base = app.jinja_env
    if base.globals.get("_") is not _template_gettext:
        return base
    translations = reader().translations
    overlays: dict[NullTranslations, Environment] = app.extensions.setdefault(__name__, {})
    found = overlays.get(translations)
    if found is None:
        if len(overlays) > 16:  # catalogues are few and kept: this only bounds a surprise
            overlays.clear()
        found = base.overlay(extensions=[TranslatedLiterals])
        found.filters = {**base.filters, FILTER: _translated}
        found.verifier_translations = translations  # type: ignore[attr-defined]
        overlays[translations] = found
    return found


def render(name: str, **context: Any) -> str:
    """Flask's ``render_template(name, **context)``, from the templates of the reader's
    language."""
    return render_template(environment().get_template(name), **context)
