"""Security headers on every page (CSP without inline script, no framing, nosniff, referrer
policy), HSTS exactly when served over TLS, and markup that needs no inline script."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.security.conftest import (
    ROUTES,
    VICTIM_EMAIL,
    body_of,
    build_world,
    is_public,
    security_config,
)
from wallet import create_app

GET_ROUTES = [(e, r) for e, m, r in ROUTES if m == "GET" and e != "static"]
GET_IDS = [r.rule for _, r in GET_ROUTES]
HSTS = "Strict-Transport-Security"


def policy(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: sources}."""
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    return directives


class InlineScript(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("<script> without src")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:...>")
        if tag == "style" or "style" in names:
            self.found.append(f"<{tag}> inline style")


def check_headers(response, url: str, endpoint: str = "") -> None:
    headers = response.headers
    csp = policy(headers.get("Content-Security-Policy", ""))
    assert csp, f"{url}: no Content-Security-Policy"
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None, f"{url}: the CSP does not restrict scripts"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, url
    assert "*" not in scripts and "data:" not in scripts, url
    framed = csp.get("frame-ancestors") in (["'none'"], ["'self'"])
    assert framed or headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), url
    assert headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), url  # old browsers
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    referrer = headers.get("Referrer-Policy")
    assert referrer in ("no-referrer", "same-origin", "strict-origin"), (url, referrer)
    if endpoint.startswith("sharing.") and is_public(endpoint):
        assert referrer == "no-referrer", url  # a share link's token must not leak via Referer


@pytest.mark.parametrize("who", ["visitor", "learner"])
@pytest.mark.parametrize(("endpoint", "rule"), GET_ROUTES, ids=GET_IDS)
def test_every_page_has_the_security_headers(world, who, endpoint, rule):
    client = world.client(VICTIM_EMAIL if who == "learner" else None)
    for url in world.urls(rule):
        response = client.get(url)
        check_headers(response, url, endpoint)
        attachment = response.headers.get("Content-Disposition", "").startswith("attachment")
        if response.mimetype == "text/html" and not attachment:  # a saved file may style itself
            parser = InlineScript()
            parser.feed(body_of(response))
            assert not parser.found, (url, parser.found)


def test_error_pages_have_the_headers_too(world):
    client = world.client()
    for url, status in (("/no/such/page", 404), ("/auth/logout", 405)):
        response = client.get(url)
        assert response.status_code == status
        check_headers(response, url)


def test_share_pages_send_no_referrer(world):
    """Every public page of the sharing area says ``no-referrer`` (the token is in the URL)."""
    shares = [(e, r) for e, r in GET_ROUTES if e.startswith("sharing.") and is_public(e)]
    if not shares:
        pytest.skip("the sharing area has no public page in this build")
    client = world.client()
    links = [p for p in world.seeded_paths if p.startswith("/s/")]
    for url in [*links, *(u for _, rule in shares for u in world.urls(rule))]:
        response = client.get(url)
        assert response.headers.get("Referrer-Policy") == "no-referrer", url
        check_headers(response, url)
    assert not shares or links, "the sharing area's seed_demo made no link to check"


# -- HSTS: only when the browser reached the wallet over TLS ----------------------------------
@pytest.mark.parametrize(
    ("config", "base_url", "headers", "expected"),
    [
        ({}, "http://localhost", {}, False),
        ({}, "https://localhost", {}, True),
        # Behind one trusted proxy that terminated TLS.
        ({"PROXIES": 1}, "http://localhost", {"X-Forwarded-Proto": "https"}, True),
        # A client's own X-Forwarded-Proto is not believed without a configured proxy.
        ({}, "http://localhost", {"X-Forwarded-Proto": "https"}, False),
        ({"HTTPS": True}, "http://localhost", {}, True),
        ({"PREFERRED_URL_SCHEME": "https"}, "http://localhost", {}, True),
    ],
    ids=["http", "tls", "proxy_tls", "untrusted_forwarded_proto", "https_config", "url_scheme"],
)
def test_hsts_when_served_over_tls(tmp_path: Path, config, base_url, headers, expected):
    app = create_app(security_config(tmp_path / "instance", **config))
    response = app.test_client().get("/auth/login", base_url=base_url, headers=headers)
    assert response.status_code == 200
    assert (HSTS in response.headers) is expected
    if expected:
        assert "max-age=31536000" in response.headers[HSTS]


# -- cookies ------------------------------------------------------------------------------------
def cookie_attributes(response, name_prefix: str) -> dict[str, str]:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name_prefix):
            parts = [p.strip() for p in header.split(";")]
            attrs = {p.split("=", 1)[0].lower(): (p.split("=", 1) + [""])[1] for p in parts[1:]}
            attrs["name"] = parts[0].split("=", 1)[0]
            return attrs
    raise AssertionError(f"no {name_prefix} cookie in {response.headers.getlist('Set-Cookie')}")


@pytest.mark.parametrize("https", [False, True], ids=["development", "production"])
def test_cookie_flags(tmp_path: Path, https: bool):
    world = build_world(tmp_path / "instance", HTTPS=https)
    client = world.app.test_client()
    base = "https://localhost" if https else "http://localhost"
    response = client.post(
        "/auth/login",
        data={"email": VICTIM_EMAIL, "password": "correct horse battery"},
        base_url=base,
    )
    assert response.status_code == 302
    session = cookie_attributes(response, "__Host-wallet=" if https else "wallet=")
    assert "httponly" in session and session["samesite"].lower() == "lax"
    assert session.get("path") == "/"
    assert ("secure" in session) is https
    if https:  # the __Host- prefix: Secure, no Domain, Path=/
        assert session["name"] == "__Host-wallet" and "domain" not in session
    language = client.post("/lang/pl", base_url=base)
    lang = cookie_attributes(language, "lang=")
    assert "httponly" in lang and lang["samesite"].lower() == "lax"
    assert ("secure" in lang) is https
