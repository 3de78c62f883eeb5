"""``verifier refresh``: https only, caps, what a credential needs, and no network elsewhere.

Everything runs offline: an injected fetcher stands in for the network, and the real
fetcher is exercised against a throw-away HTTPS server on 127.0.0.1.
"""

from __future__ import annotations

import ast
import http.server
import ipaddress
import json
import ssl
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests import corpus
from verifier import refresh as refresh_module
from verifier.cache import DocumentCache
from verifier.refresh import FetchError, Response, https_get, refresh, urls_to_refresh

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
VERIFIER = Path(__file__).resolve().parents[1] / "verifier"
STATUS_URL = "https://uni.example/status/1"
DID_WEB = "did:web:uni.example"
DID_DOC_URL = "https://uni.example/.well-known/did.json"


class FakeNetwork:
    """An injected fetcher: URL -> body (or an exception); records every call."""

    def __init__(self, pages: dict[str, bytes | Exception]) -> None:
        self.pages = pages
        self.calls: list[str] = []

    def __call__(self, url: str, *, timeout: float, max_bytes: int) -> Response:
        self.calls.append(url)
        page = self.pages.get(url, FetchError("the server answered 404 Not Found"))
        if isinstance(page, Exception):
            raise page
        return Response(page, "application/json")


def clock():
    return NOW


def status_list_doc(issuer: str = DID_WEB) -> bytes:
    return json.dumps({"id": STATUS_URL, "type": ["VerifiableCredential",
                                                  "BitstringStatusListCredential"],
                       "issuer": issuer, "proof": {"verificationMethod": f"{issuer}#key-1"}},
                      ).encode()


# -- refusing what is not https ------------------------------------------------------------
@pytest.mark.parametrize(("ref", "words"), [
    ("http://uni.example/status/1", "only https URLs are fetched (a document fetched over "
                                    "plain http could be altered on the way)"),
    ("HTTP://uni.example/status/1", "plain http"),
    ("ftp://uni.example/list", "only https URLs"),
    ("file:///etc/passwd", "only https URLs"),
    ("data:application/json,{}", "only https URLs"),
    ("/status/1", "only https URLs"),
    ("https:///no-host", "not a usable https URL"),
    ("https://user:secret@uni.example/list", "not a usable https URL"),
    ("did:ion:EiClkZMDxPKqC9c-umQfTkR8", "only did:web DIDs"),
    ("did:web:", "not a valid did:web"),
])
def test_refresh_refuses_anything_but_https(ref, words):
    network = FakeNetwork({})
    result = refresh([ref], cache=DocumentCache.in_memory(), fetch=network)
    assert network.calls == []
    (outcome,) = result.failed
    assert outcome.url == ref and words in outcome.message and "refused" in outcome.message


@pytest.mark.parametrize("ref", ["did:key:z6MkpLDL3RoAoMRTwTgo3rs39ZwssfaPKtGdZw7AGRN7CK4W",
                                 "did:jwk:eyJrdHkiOiJPS1AifQ"])
def test_local_dids_need_no_fetching(ref):
    network = FakeNetwork({})
    result = refresh([ref], cache=DocumentCache.in_memory(), fetch=network)
    assert network.calls == [] and result.skipped[0].url == ref and not result.failed


def test_the_real_fetcher_refuses_http_before_any_connection(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr("socket.create_connection", no_network)
    with pytest.raises(FetchError, match="only https"):
        https_get("http://127.0.0.1:9/", timeout=1, max_bytes=10)
    result = refresh(["http://127.0.0.1:9/"], cache=DocumentCache.in_memory())
    assert "refused" in result.failed[0].message


# -- fetching into the cache ----------------------------------------------------------------------
def test_fetched_documents_go_into_the_cache_with_their_fetch_time(tmp_path):
    cache = DocumentCache.open(tmp_path / "cache")
    network = FakeNetwork({STATUS_URL: b'{"a": 1}', DID_DOC_URL: b'{"id": "did:web:uni.example"}'})
    result = refresh([STATUS_URL + "#list", DID_WEB], cache=cache, fetch=network, clock=clock)
    assert [o.status for o in result.outcomes] == ["fetched", "fetched"]
    assert network.calls == [STATUS_URL, DID_DOC_URL]  # fragment dropped, did:web -> https
    reopened = DocumentCache.open(tmp_path / "cache")
    assert reopened.get(STATUS_URL).body == b'{"a": 1}'
    assert reopened.get(DID_DOC_URL).fetched_at == NOW
    assert result.fetched[0].fetched_at == NOW
    assert "from https://uni.example/.well-known/did.json" in result.fetched[1].message


def test_failures_are_reported_and_the_rest_still_fetched():
    network = FakeNetwork({STATUS_URL: FetchError("no answer within 10 seconds"),
                           DID_DOC_URL: b"{}"})
    cache = DocumentCache.in_memory()
    result = refresh([STATUS_URL, DID_WEB, "http://x.example/"], cache=cache, fetch=network)
    assert [o.status for o in result.outcomes] == ["failed", "fetched", "failed"]
    assert result.failed[0].message == "not fetched: no answer within 10 seconds"
    assert STATUS_URL not in cache and DID_DOC_URL in cache
    text = result.describe()
    assert "[FAIL] https://uni.example/status/1: not fetched: no answer" in text
    assert text.endswith("1 fetched, 2 failed, 0 need no fetching.")


def test_size_cap_holds_even_for_an_injected_fetcher():
    network = FakeNetwork({STATUS_URL: b"x" * 101})
    cache = DocumentCache.in_memory()
    result = refresh([STATUS_URL], cache=cache, fetch=network, max_bytes=100)
    assert "larger than 100 bytes" in result.failed[0].message and STATUS_URL not in cache


def test_duplicates_are_fetched_once():
    network = FakeNetwork({DID_DOC_URL: b"{}"})
    refresh([DID_WEB, DID_DOC_URL, DID_WEB + "#key-1", DID_DOC_URL + "#x"],
            cache=DocumentCache.in_memory(), fetch=network)
    assert network.calls == [DID_DOC_URL]


@pytest.mark.parametrize(("follow", "calls"), [
    (True, [STATUS_URL, DID_DOC_URL]),
    (False, [STATUS_URL]),
])
def test_a_status_lists_issuer_document_is_followed(follow, calls):
    network = FakeNetwork({STATUS_URL: status_list_doc(), DID_DOC_URL: b"{}"})
    refresh([STATUS_URL], cache=DocumentCache.in_memory(), fetch=network, follow=follow)
    assert network.calls == calls


def test_following_an_ob2_hosted_badge_link_by_link():
    pages = {
        "https://uni.example/assertions/1": {"@context": "https://w3id.org/openbadges/v2",
                                             "type": "Assertion",
                                             "id": "https://uni.example/assertions/1",
                                             "badge": "https://uni.example/badges/robotics",
                                             "verification": {"type": "hosted"}},
        "https://uni.example/badges/robotics": {"@context": "https://w3id.org/openbadges/v2",
                                                "type": "BadgeClass",
                                                "issuer": "https://uni.example/issuer"},
        "https://uni.example/issuer": {"@context": "https://w3id.org/openbadges/v2",
                                       "type": "Issuer",
                                       "revocationList": "https://uni.example/revoked"},
        "https://uni.example/revoked": {"type": "RevocationList"},
    }
    network = FakeNetwork({u: json.dumps(d).encode() for u, d in pages.items()})
    refresh(["https://uni.example/assertions/1"], cache=DocumentCache.in_memory(), fetch=network)
    assert network.calls == list(pages)


def test_one_refresh_fetches_a_bounded_number_of_documents(monkeypatch):
    monkeypatch.setattr(refresh_module, "MAX_DOCUMENTS", 3)
    urls = [f"https://uni.example/doc/{i}" for i in range(5)]
    network = FakeNetwork({u: b"{}" for u in urls})
    result = refresh(urls, cache=DocumentCache.in_memory(), fetch=network)
    assert len(network.calls) == 3
    assert [o.status for o in result.outcomes] == ["fetched"] * 3 + ["failed"] * 2
    assert "at most 3 documents" in result.failed[0].message


def test_refresh_rejects_programming_mistakes():
    with pytest.raises(ValueError):
        refresh([], cache=DocumentCache.in_memory(), timeout=0)
    with pytest.raises(TypeError):
        refresh([42], cache=DocumentCache.in_memory(), fetch=FakeNetwork({}))


# -- what a credential needs -------------------------------------------------------------------
def credential(**fields) -> dict:
    return {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"], "issuer": "did:key:z6MkIssuer", **fields}


@pytest.mark.parametrize(("name", "document", "expected"), [
    ("nothing_to_fetch", credential(proof={"verificationMethod": "did:key:z6Mk#z6Mk"}), []),
    ("status_lists", credential(credentialStatus=[
        {"type": "BitstringStatusListEntry", "statusListCredential": STATUS_URL},
        {"type": "BitstringStatusListEntry", "statusListCredential": STATUS_URL},
        {"type": "StatusList2021Entry", "statusListCredential": "https://uni.example/s/2"}]),
     [STATUS_URL, "https://uni.example/s/2"]),
    ("1edtech_revocation_list", credential(credentialStatus={
        "type": "1EdTechRevocationList", "id": "https://uni.example/revocations"}),
     ["https://uni.example/revocations"]),
    ("did_web_issuer", credential(issuer={"id": DID_WEB, "name": "Uni"}), [DID_WEB]),
    ("verification_methods", credential(proof=[
        {"verificationMethod": "did:web:uni.example:keys#key-1"},
        {"verificationMethod": "https://uni.example/keys/1#key"},
        {"verificationMethod": "did:key:z6Mk#z6Mk"}]),
     ["did:web:uni.example:keys", "https://uni.example/keys/1"]),
    ("schemas", credential(credentialSchema=[
        {"id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential"
               "_schema.json", "type": "1EdTechJsonSchemaValidator2019"}]),
     ["https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential"
      "_schema.json"]),
    ("ob2_hosted_assertion", {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                              "id": "https://uni.example/a/1", "badge": "https://uni.example/b/1",
                              "verification": {"type": "HostedBadge"}},
     ["https://uni.example/a/1", "https://uni.example/b/1"]),
    ("ob2_signed_assertion", {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                              "id": "urn:uuid:1", "badge": "https://uni.example/b/1",
                              "verification": {"type": "signed",
                                               "creator": "https://uni.example/key"}},
     ["https://uni.example/key", "https://uni.example/b/1"]),
    ("clr_nested_credentials", credential(credentialSubject={"verifiableCredential": [
        credential(credentialStatus={"statusListCredential": STATUS_URL}), "eyJ.jwt.x"]}),
     [STATUS_URL]),
    ("presentation", {"type": "VerifiablePresentation", "verifiableCredential": [
        credential(issuer=DID_WEB)]}, [DID_WEB]),
    ("http_is_listed_so_refresh_can_say_no", credential(credentialStatus={
        "statusListCredential": "http://uni.example/s"}), ["http://uni.example/s"]),
])
def test_urls_to_refresh(name, document, expected):
    assert urls_to_refresh(document) == expected, name


@pytest.mark.skipif(not corpus.available(), reason="shared corpus not present")
def test_urls_to_refresh_for_a_dcc_fixture():
    path = (corpus.CORPUS / "dcc-vc-test-fixtures" / "verifiableCredentials" / "v1" / "ed25519"
            / "didWeb" / "legacy-validStatus-noExpiry.json")
    if not path.exists():
        pytest.skip("fixture missing")
    urls = urls_to_refresh(json.loads(path.read_text("utf-8")))
    assert urls == [
        "https://digitalcredentials.github.io/vc-test-fixtures/statusLists/"
        "didkey-ed25519Signature2020/e5WK8CbZ1GjycuPombrj",
        "did:web:digitalcredentials.github.io:vc-test-fixtures:dids:legacy",
    ]


# -- no other module touches the network ----------------------------------------------------------
NETWORK_MODULES = ("socket", "ssl", "http.client", "http.server", "urllib.request",
                   "urllib.error", "urllib3", "requests", "httpx", "aiohttp", "ftplib",
                   "smtplib", "websockets", "pycurl")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


#: Outside ``verifier refresh``, the only code that may reach the network: the employer's view
#: opening a learner's share link (it fetches the presentation, then verifies it offline), and
#: the view's app loading its optional OpenID4VP blueprint by name.
ALLOWED = {
    "web/links.py": ["http.client", "ssl"],
    "web/app.py": ["import_module"],
}


def test_only_refresh_imports_network_modules():
    offenders = {}
    for path in sorted(VERIFIER.rglob("*.py")):
        if path.name == "refresh.py" and path.parent == VERIFIER:
            continue
        text = path.read_text("utf-8")
        hits = {m for m in imported_modules(path)
                if any(m == n or m.startswith(n + ".") for n in NETWORK_MODULES)}
        hits |= {word for word in ("urlopen", "__import__", "import_module") if word in text}
        if hits:
            offenders[str(path.relative_to(VERIFIER))] = sorted(hits)
    assert offenders == ALLOWED
    assert "urllib.request" in imported_modules(VERIFIER / "refresh.py")  # the scan sees imports


# -- the real fetcher, against a local HTTPS server ---------------------------------------------
@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(datetime.now(UTC) - timedelta(days=1))
            .not_valid_after(datetime.now(UTC) + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def server(certificate, monkeypatch):
    """A local HTTPS server whose certificate the real fetcher is made to trust."""
    cert, key = certificate
    release = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            port = self.server.server_address[1]
            if self.path == "/ok":
                self.reply(200, b'{"ok": true}', "application/ld+json")
            elif self.path == "/big":
                self.reply(200, b"x" * 5000)
            elif self.path == "/big-undeclared":
                self.send_response(200)
                self.end_headers()  # no Content-Length: HTTP/1.0 reads to the end
                self.wfile.write(b"x" * 5000)
            elif self.path == "/to-http":
                self.redirect(f"http://127.0.0.1:{port}/ok")
            elif self.path == "/to-https":
                self.redirect("/ok")
            elif self.path == "/slow":
                release.wait(5)
                self.reply(200, b"{}")
            else:
                self.reply(404, b"")

        def reply(self, code, body, media="application/json"):
            self.send_response(code)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def redirect(self, where):
            self.send_response(302)
            self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    httpd.socket = server_context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda: real(cafile=str(cert)))
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}"
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.mark.parametrize(("path", "words"), [
    ("/missing", "the server answered 404"),
    ("/big", "larger than 1000 bytes"),
    ("/big-undeclared", "larger than 1000 bytes"),
    ("/to-http", "which is not https"),
])
def test_real_fetcher_refusals(server, path, words):
    with pytest.raises(FetchError, match=words):
        https_get(server + path, timeout=5, max_bytes=1000)


def test_real_fetcher_fetches_and_follows_https_redirects(server):
    answer = https_get(server + "/to-https", timeout=5, max_bytes=1000)
    assert answer == Response(b'{"ok": true}', "application/ld+json")


def test_real_fetcher_times_out(server):
    with pytest.raises(FetchError, match="no answer within 0.3 seconds|cannot connect"):
        https_get(server + "/slow", timeout=0.3, max_bytes=1000)


def test_real_fetcher_checks_certificates(server, monkeypatch):
    # A client context that trusts no certificate authority at all.
    monkeypatch.setattr(ssl, "create_default_context",
                        lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    with pytest.raises(FetchError, match="cannot connect"):
        https_get(server + "/ok", timeout=5, max_bytes=1000)


def test_refresh_end_to_end_over_local_https(server):
    cache = DocumentCache.in_memory()
    result = refresh([server + "/ok", server + "/to-http"], cache=cache, clock=clock)
    assert [o.status for o in result.outcomes] == ["fetched", "failed"]
    assert cache.get(server + "/ok").content_type == "application/ld+json"
