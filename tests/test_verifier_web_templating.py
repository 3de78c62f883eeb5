"""The verifier's pages rendered from templates translated when compiled say exactly what the
templates say when each ``_`` is called; report tokens made faster read back the same."""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import pytest
from flask import Flask, render_template, render_template_string
from itsdangerous import URLSafeSerializer

from tests.verifier_web_support import presentation, verifier_app
from verifier import KeyPair
from verifier.web import export, templating, views


@pytest.fixture
def issuer() -> KeyPair:
    return KeyPair.generate("Ed25519")


@pytest.fixture
def app(tmp_path: Path, issuer: KeyPair) -> Flask:
    return verifier_app(tmp_path / "verifier", issuer)


SOURCE = (
    '{{ _("Verified") }}|{{ _("100%% offline") }}|{{ x or _("Check") }}|'
    '{{ _("Checked %(when)s, from %(source)s.", when="<b>", source="s") }}|'
    "{% set n = _('none used') %}{{ n }}|{{ gettext('Issuer') }}|{{ _(y) }}"
)


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_literal_strings_translated_when_compiled_read_as_when_called(app, lang):
    with app.test_request_context("/", headers={"Cookie": f"lang={lang}"}):
        called = render_template_string(SOURCE, x="", y="Issuer")
        compiled = templating.environment().from_string(SOURCE)
        assert render_template(compiled, x="", y="Issuer") == called
        assert "context.call" not in templating.environment().compile(
            '{{ _("Verified") }}', raw=True
        )
    assert ("Zweryfikowane|" in called) == (lang == "pl")
    assert "100% offline" in called and "&lt;b&gt;" in called


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_results_page_is_the_same_from_either_environment(app, issuer, lang, monkeypatch):
    moment = datetime.now(UTC)

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:
            return moment.astimezone(tz)

    monkeypatch.setattr(views, "datetime", Frozen)
    holder = KeyPair.generate("Ed25519")
    client = app.test_client()
    data = {"text": json.dumps(presentation(issuer, holder, 2))}
    headers = {"Accept-Language": lang}
    translated = client.post("/verify/paste", data=data, headers=headers).get_data(as_text=True)
    monkeypatch.setattr(templating, "environment", lambda: app.jinja_env)
    called = client.post("/verify/paste", data=data, headers=headers).get_data(as_text=True)

    def without_tokens(page: str) -> list[str]:
        """The page without its report and CSRF tokens, signed anew for every page."""
        signed = ('name="report"', 'name="csrf_token"')
        return [line for line in page.splitlines() if not any(s in line for s in signed)]

    assert 'data-verdict="verified"' in translated and f'<html lang="{lang}">' in translated
    assert without_tokens(translated) == without_tokens(called)


def test_each_catalogue_has_its_own_compiled_templates(app):
    with app.test_request_context("/", headers={"Cookie": "lang=pl"}):
        polish = templating.environment()
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        english = templating.environment()
        assert english is templating.environment()
    assert polish is not english and polish is not app.jinja_env


def test_report_tokens_are_read_whichever_compression_made_them(app, issuer):
    with app.test_request_context("/"):
        kept = {"source": "paste", "checks": [{"id": "proof", "message": "ż" * 500}]}
        token = export.sign(kept, locale="pl")
        older = URLSafeSerializer(app.config["SECRET_KEY"], salt=export.SALT).dumps(
            {"report": kept, "locale": "pl"}
        )
        for made in (token, older):
            found = export.unsign(made)
            assert found is not None and found.data == kept and found.locale == "pl"
        assert export.unsign(token[:-2] + "xx") is None
