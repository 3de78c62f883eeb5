"""The ``verifier`` command: plain-language output, JSON shape, exit codes, trust commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests import corpus
from tests.conftest import NOW
from verifier.cli import main


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VERIFIER_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_verify_prints_each_check_and_exits_zero(
    tmp_path, home, issue_credential, issuer_key, capsys
):
    path = write(tmp_path, "badge.json", issue_credential())
    assert main(["trust", "add", issuer_key.controller, "--name", "Demo University"]) == 0
    code = main(["verify", str(path), "--now", NOW.isoformat()])
    out = capsys.readouterr().out
    assert code == 0
    assert "Verified: every check passed." in out
    assert "[ok  ] proof: The signature (eddsa-rdfc-2022) matches the contents." in out


def test_verify_json_shape(tmp_path, home, issue_credential, capsys):
    path = write(tmp_path, "badge.json", issue_credential())
    code = main(["verify", str(path), "--json", "--now", "2026-06-01T12:00:00Z"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1  # issuer not in the (empty) trust store: cannot say verified
    assert report["outcome"] == "cannot_check"
    assert [c["id"] for c in report["checks"]] == [
        "format",
        "proof",
        "issuer_binding",
        "issuer_trust",
        "validity",
        "status",
        "schema",
        "nested_credentials",
    ]
    assert all({"id", "status", "message"} <= set(c) for c in report["checks"])


def test_tampered_file_exits_non_zero(tmp_path, home, issue_credential, capsys):
    cred = issue_credential()
    cred["name"] = "Changed"
    path = write(tmp_path, "bad.json", cred)
    assert main(["verify", str(path), "--trust-any-issuer-insecure"]) == 1
    assert "Not genuine" in capsys.readouterr().out


def test_not_json_is_a_clear_failure(tmp_path, home, capsys):
    path = write(tmp_path, "junk.json", "{{{ nope")
    assert main(["verify", str(path)]) == 1
    assert "not valid JSON" in capsys.readouterr().out


def test_missing_file(tmp_path, home, capsys):
    assert main(["verify", str(tmp_path / "absent.json")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_bad_now_is_refused(tmp_path, home, issue_credential):
    path = write(tmp_path, "badge.json", issue_credential())
    with pytest.raises(SystemExit):
        main(["verify", str(path), "--now", "yesterday"])


def test_trust_list_and_import_registry(tmp_path, home, capsys):
    registry = write(
        tmp_path,
        "registry.json",
        {
            "meta": {"created": "2024-01-01"},
            "registry": {
                "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi": {
                    "name": "Example University",
                    "url": "https://example.edu",
                }
            },
        },
    )
    assert main(["trust", "import-registry", str(registry), "--name", "Test registry"]) == 0
    assert main(["trust", "list"]) == 0
    assert "Example University\tTest registry" in capsys.readouterr().out


def test_bad_registry_changes_nothing(tmp_path, home, capsys):
    bad = write(tmp_path, "bad.json", {"registry": "not a map"})
    assert main(["trust", "import-registry", str(bad)]) == 1
    assert "not imported" in capsys.readouterr().err
    main(["trust", "list"])
    assert capsys.readouterr().out == ""


def test_demo_runs(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    for expected in ("Verified", "expired", "revoked", "Not genuine", "Could not be fully"):
        assert expected in out


LISTS = corpus.CORPUS / "edc" / "trusted-lists"
needs_lists = pytest.mark.skipif(not (LISTS / "MANIFEST.json").exists(),
                                 reason="the shared corpus is not on this machine")


@needs_lists
def test_import_trusted_lists_then_verify_a_sealed_edc(tmp_path, home, capsys):
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives.serialization import Encoding

    from verifier.xades import verify_xades

    lotl = LISTS / "eu-lotl-seq370-2025-08-08.xml"
    # The operator pins the LOTL signer as published in the Official Journal; the test takes
    # it from the list's own signature.
    signer = verify_xades(lotl.read_bytes(), now=datetime(2025, 9, 1, tzinfo=UTC))
    pem = tmp_path / "lotl-signer.pem"
    pem.write_bytes(signer.signing_certificate.public_bytes(Encoding.PEM))
    tampered = LISTS / "eu-lotl-seq248-tampered-broken-sig.xml"
    assert main(["trust", "import-tl", str(tampered), "--lotl-signer", str(pem)]) == 1
    assert "not imported" in capsys.readouterr().err
    assert not (home / "trusted-lists.json").exists()
    code = main(["trust", "import-tl", str(lotl), str(LISTS / "ES-tl-seq174-2025-08-06.xml"),
                 "--lotl-signer", str(pem)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "seq 370" in out and "ES" in out
    edc = corpus.CORPUS / "edc" / "elm3-mc-annex1-signed.jsonld"
    assert main(["verify", str(edc), "--json", "--now", "2026-11-25T00:00:00Z"]) in (0, 1)
    report = json.loads(capsys.readouterr().out)
    trust = next(c for c in report["checks"] if c["id"] == "issuer_trust")
    assert trust["status"] == "passed", trust
    assert "qualified certificate for e-seal" in trust["message"]


# Run in a fresh interpreter: which modules a ``verifier verify`` loads. The command line must
# not pay for formats the document is not in (XML seals, JOSE, Open Badges 2.0, status lists,
# schemas), for pyld's HTML parser, or for the web apps.
_LOADED = """
import contextlib, io, json, sys
from verifier.cli import main
light = sorted(sys.modules)
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "light": light, "loaded": sorted(sys.modules)}))
"""
_NOT_FOR_AN_LDP_CREDENTIAL = (
    "asn1crypto", "flask", "jsonschema", "lxml.etree", "requests", "rfc8785", "signxml",
    "verifier.edc", "verifier.ob2.verify", "verifier.statuslist", "verifier.suites.jose",
    "verifier.web", "wallet",
)


def _loaded(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", _LOADED, *args], capture_output=True,
                          text=True, cwd=Path(__file__).parents[1], check=True)
    return json.loads(done.stdout)


def _among(names: list[str], packages: tuple[str, ...]) -> list[str]:
    return [n for n in names if any(n == p or n.startswith(p + ".") for p in packages)]


def test_verify_imports_only_what_the_document_needs(tmp_path, issue_credential):
    path = write(tmp_path, "badge.json", issue_credential())
    run = _loaded(["--home", str(tmp_path / "home"), "verify", str(path), "--now",
                   NOW.isoformat(), "--trust-any-issuer-insecure"])
    assert run["code"] == 0
    assert _among(run["loaded"], _NOT_FOR_AN_LDP_CREDENTIAL) == []
    # The command line itself (``verifier --help``) loads no engine and no JSON-LD.
    assert _among(run["light"], ("pyld.jsonld", "verifier.pipeline", "cryptography")) == []


@pytest.mark.parametrize("argv, command", [
    (["verify", "a.json", "--json"], "verify"),
    (["--home", "h", "trust", "add", "did:key:z", "--name", "N"], "trust"),
    (["--home=h", "refresh", "--url", "https://x.example/"], "refresh"),
])
def test_parser_built_for_the_named_command_parses_like_the_full_one(argv, command):
    from verifier.cli import build_parser

    full = build_parser([]).parse_args(argv)
    assert vars(build_parser(argv).parse_args(argv)) == vars(full)
    assert full.command == command


def test_a_bad_option_is_named_whatever_the_command(capsys):
    with pytest.raises(SystemExit):
        main(["verify", "a.json", "--no-such-option"])
    assert "--no-such-option" in capsys.readouterr().err


def _run_verify(home: Path, path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "verifier.cli", "--home", str(home), "verify", str(path),
         *extra, "--now", NOW.isoformat(), "--trust-any-issuer-insecure"],
        capture_output=True, text=True, cwd=Path(__file__).parents[1])


def _verify_json(home: Path, path: Path) -> dict:
    done = _run_verify(home, path, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_processed_contexts_kept_between_runs_change_nothing(tmp_path, issue_credential):
    from verifier.cli import PROCESSED_CONTEXTS_FILE

    path = write(tmp_path, "badge.json", issue_credential())
    home = tmp_path / "home"
    first = _verify_json(home, path)
    kept = home / PROCESSED_CONTEXTS_FILE
    assert kept.stat().st_size > 0
    again = _verify_json(home, path)  # from the kept contexts
    assert again == first
    tampered = json.loads(path.read_text())
    tampered["credentialSubject"]["achievement"]["name"] = "Something else"
    path.write_text(json.dumps(tampered))
    assert _run_verify(home, path).returncode == 1


class _Planted:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("content", ["garbage", "planted", "other-code"])
def test_a_foreign_processed_contexts_file_is_ignored(tmp_path, issue_credential, content):
    import pickle

    from verifier.cli import PROCESSED_CONTEXTS_FILE

    path = write(tmp_path, "badge.json", issue_credential())
    home = tmp_path / "home"
    expected = _verify_json(home, path)
    kept = home / PROCESSED_CONTEXTS_FILE
    marker = tmp_path / "ran"
    if content == "garbage":
        kept.write_bytes(b"\x80\x05not a pickle")
    elif content == "planted":  # a pickle that would run code when loaded by plain pickle
        kept.write_bytes(pickle.dumps({"key": "x", "state": _Planted(marker)}))
    else:  # made by other code or from other contexts: its key differs
        state = pickle.loads(kept.read_bytes())
        kept.write_bytes(pickle.dumps({**state, "key": "0" * 64}))
    assert _verify_json(home, path) == expected
    assert not marker.exists()
