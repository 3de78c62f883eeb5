"""Configuration sources and secure defaults: headers, cookies, size cap, errors, catalogues."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from click.testing import CliRunner
from flask import abort

from tests.wallet.conftest import FAST_ARGON2
from wallet import create_app
from wallet.cli import cli
from wallet.config import ConfigError, database_url
from wallet.errors import json_error
from wallet.i18n import KEYWORDS, PACKAGE, PROJECT, compile_catalogs


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No WALLET_* variables from the machine; an empty instance folder."""
    for name in list(os.environ):
        if name.startswith("WALLET_") or name == "FLASK_DEBUG":
            monkeypatch.delenv(name)
    monkeypatch.setenv("WALLET_INSTANCE_PATH", str(tmp_path / "instance"))
    return monkeypatch


def build(**config):
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", **FAST_ARGON2, **config})


# --- where configuration comes from -------------------------------------------------------


def test_refuses_to_start_without_secret_key_in_production(clean_env):
    with pytest.raises(ConfigError, match="WALLET_SECRET_KEY is not set"):
        build()


@pytest.mark.parametrize("mode", [{"TESTING": True}, {"DEBUG": True}, {"DEMO": True}])
def test_development_modes_get_a_random_throwaway_key(clean_env, mode):
    first, second = build(**mode), build(**mode)
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]


def test_demo_mode_from_environment(clean_env):
    clean_env.setenv("WALLET_DEMO", "true")
    assert build().config["DEMO"] is True


def test_defaults(clean_env, tmp_path):
    app = create_app({"SECRET_KEY": "s"})
    instance = tmp_path / "instance"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'wallet.sqlite3'}"
    assert app.config["VERIFIER_HOME"] == str(instance / "verifier")
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["MAX_CONTENT_LENGTH"] == 30 * 1024 * 1024
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert not app.testing and not app.debug


def test_environment_variables(clean_env, tmp_path):
    clean_env.setenv("WALLET_SECRET_KEY", "from the environment")
    clean_env.setenv("WALLET_DATABASE_URL", "postgres://wallet@db.example/wallet")
    clean_env.setenv("WALLET_RATELIMIT_STORAGE_URI", "memory://?from=env")
    clean_env.setenv("WALLET_VERIFIER_HOME", str(tmp_path / "verifier-home"))
    clean_env.setenv("WALLET_MAX_CONTENT_LENGTH", "1048576")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from the environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://wallet@db.example/wallet"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://?from=env"
    assert app.config["VERIFIER_HOME"] == str(tmp_path / "verifier-home")
    assert app.config["MAX_CONTENT_LENGTH"] == 1048576


def test_sources_in_order(clean_env, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        'SECRET_KEY = "from instance"\nPASSWORD_MIN_LENGTH = 12\nLOGIN_RATE_LIMIT = "3/minute"\n'
    )
    assert create_app().config["PASSWORD_MIN_LENGTH"] == 12  # instance over defaults
    clean_env.setenv("WALLET_PASSWORD_MIN_LENGTH", "14")
    app = create_app()
    assert app.config["PASSWORD_MIN_LENGTH"] == 14  # environment over instance
    assert app.config["LOGIN_RATE_LIMIT"] == "3/minute"
    assert app.config["SECRET_KEY"] == "from instance"
    assert create_app({"PASSWORD_MIN_LENGTH": 16}).config["PASSWORD_MIN_LENGTH"] == 16


def test_nothing_is_read_at_import_time(clean_env):
    clean_env.setenv("WALLET_SECRET_KEY", "set after import")
    assert create_app().config["SECRET_KEY"] == "set after import"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///w.db", "sqlite:///w.db"),
    ],
)
def test_database_url_uses_psycopg3(given, expected):
    assert database_url(given) == expected


# --- https: secure cookies and HSTS -------------------------------------------------------


@pytest.mark.parametrize("setting", [{"HTTPS": True}, {"PREFERRED_URL_SCHEME": "https"}])
def test_https_deployment(clean_env, setting):
    app = build(SECRET_KEY="s", **setting)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-wallet"
    response = app.test_client().get("/auth/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_hsts_on_a_secure_request(client):
    response = client.get("/auth/login", base_url="https://wallet.example")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_https_from_environment(clean_env):
    clean_env.setenv("WALLET_HTTPS", "true")
    assert build(SECRET_KEY="s").config["SESSION_COOKIE_SECURE"] is True


# --- headers, size cap and error pages ----------------------------------------------------


def test_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http


def test_pages_have_no_inline_scripts_or_styles(client):
    page = client.get("/auth/register").text
    assert "<script>" not in page and "<style" not in page and "style=" not in page
    assert '<script src="/static/js/app.js" defer></script>' in page


def test_static_files_are_served(client):
    for path in ("/static/css/app.css", "/static/js/app.js"):
        response = client.get(path)
        assert response.status_code == 200
        response.close()


def test_oversized_body_gets_a_friendly_413(client):
    body = b"x" * (31 * 1024 * 1024)
    response = client.post("/auth/login", data=body, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "Too large" in response.text
    assert "(30 MB)" in response.text


def test_413_page_in_polish(client):
    response = client.post(
        "/auth/register",
        data=b"x" * (31 * 1024 * 1024),
        content_type="application/octet-stream",
        headers={"Accept-Language": "pl"},
    )
    assert response.status_code == 413
    assert "Przesłane dane przekraczają limit portfela (30 MB)." in response.text


def test_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert client.get("/no/such/page", headers={"Accept-Language": "pl"}).text.count(
        "Nie znaleziono strony"
    )


def test_errors_as_json_when_asked(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["status"] == 404
    assert response.json["error"] == "not_found"
    assert "no page at this address" in response.json["message"]


def test_500_page(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("a bug")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "a bug" not in response.text


@pytest.mark.parametrize(
    ("status", "english", "polish"),
    [
        (400, "Bad request", "Nieprawidłowe żądanie"),
        (403, "You do not have permission to see this page.", "Nie masz uprawnień do tej strony."),
        (404, "Page not found", "Nie znaleziono strony"),
        (405, "This page cannot be used that way.", "Z tej strony nie można korzystać"),
        (413, "Too large", "Za dużo danych"),
        (429, "Too many attempts", "Zbyt wiele prób"),
        (500, "Something went wrong", "Coś poszło nie tak"),
    ],
)
def test_error_pages_in_both_languages(app, status, english, polish):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/fail")
    def fail():
        abort(status)

    client = app.test_client()
    response = client.get("/fail", headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert english in response.text
    assert f"Error {status}" in response.text
    response = client.get("/fail", headers={"Accept-Language": "pl"})
    assert response.status_code == status
    assert polish in response.text
    assert f"Błąd {status}" in response.text


def test_json_error_helper(app):
    with app.test_request_context():
        response = json_error(409, "Already in your wallet.", credential_id=7)
    assert response.status_code == 409
    assert response.json == {
        "status": 409,
        "error": "conflict",
        "message": "Already in your wallet.",
        "credential_id": 7,
    }


def test_trailing_slash_redirect_is_not_an_error(client):
    response = client.get("/account")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/account/")


# --- catalogues and the command line ------------------------------------------------------


def test_catalogues_compile_when_missing_or_stale(app, tmp_path):
    mo = PACKAGE / "translations" / "pl" / "LC_MESSAGES" / "messages.mo"
    assert mo.exists()  # create_app compiled it
    assert compile_catalogs(app) == []  # up to date
    os.utime(mo, (0, 0))  # older than the .po
    assert compile_catalogs(app) == [mo]


def test_every_string_has_a_polish_translation():
    with (PACKAGE / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {
        message if isinstance(message, str) else message[0]: f"{filename}:{lineno}"
        for filename, lineno, message, _, _ in extract_from_dir(
            str(PROJECT), method_map, options_map, keywords=KEYWORDS
        )
    }
    with (PACKAGE / "translations/pl/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po, locale="pl")
    missing = [
        f"{where}: {msgid!r}"
        for msgid, where in found.items()
        if not catalog.get(msgid) or not catalog.get(msgid).string or catalog.get(msgid).fuzzy
    ]
    assert not missing, (
        "Untranslated strings (run `wallet i18n extract && wallet i18n update`, then "
        "translate them in wallet/translations/pl/LC_MESSAGES/messages.po):\n" + "\n".join(missing)
    )


def test_cli_lists_its_commands(clean_env):
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("db", "i18n", "run", "routes"):
        assert command in result.output


def test_cli_explains_a_missing_secret_in_one_line(clean_env):
    result = CliRunner().invoke(cli, ["routes"])
    assert result.exit_code == 2
    assert "Error: WALLET_SECRET_KEY is not set." in result.output
    assert "Traceback" not in result.output


def test_cli_compiles_catalogues_without_an_app(clean_env):
    result = CliRunner().invoke(cli, ["i18n", "compile"])
    assert result.exit_code == 0, result.output


def test_cli_routes_with_the_app(runner):
    result = runner.invoke(cli, ["routes"])
    assert result.exit_code == 0
    for url in ("/auth/login", "/auth/register", "/auth/logout", "/account/", "/lang/<code>"):
        assert url in result.output


def test_project_layout_is_where_create_app_looks():
    assert (PROJECT / "templates" / "base.html").exists()
    assert Path(PACKAGE / "migrations" / "env.py").exists()
