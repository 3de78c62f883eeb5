"""No verification path opens a socket: every format, verified directly and imported into the
wallet, with issuers, keys, status lists and contexts that are not in the cache."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.conftest import NOW, ob3_credential
from tests.security import samples
from tests.security.conftest import VICTIM_EMAIL
from tests.wallet import factories as f
from verifier import KeyPair, Report, TrustStore, verify
from verifier.issuing import issue_jwt, issue_ldp, status_entry

SAMPLES = {
    "json_ld": samples.ldp_json,
    "presentation": samples.presentation_json,
    "jwt": samples.jwt_text,
    "sd_jwt": samples.sd_jwt_text,
    "jades_edc": samples.jades_text,
    "xml_edc": samples.xml_edc,
    "baked_png": samples.baked_png_bytes,
    "baked_svg": samples.baked_svg_bytes,
    "qr_vp1": samples.vp1_text,
}


def remote_everything() -> dict[str, bytes]:
    """Credentials whose key, status list, schema and context all live on the web."""
    web = KeyPair.generate("Ed25519", controller="did:web:issuer.example")
    remote = ob3_credential(
        web.controller,
        credentialStatus=status_entry("https://issuer.example/status/1", 5),
        credentialSchema=[{"id": "https://issuer.example/schema.json", "type": "JsonSchema"}],
    )
    unknown_context = ob3_credential(web.controller)
    unknown_context["@context"].append("https://issuer.example/context.jsonld")
    created = NOW - timedelta(days=1)
    return {
        "did_web_status_schema": json.dumps(issue_ldp(remote, web, created=created)).encode(),
        "unknown_context": json.dumps(unknown_context).encode(),
        "jwt_did_web": issue_jwt(remote, web).encode(),
    }


@pytest.mark.parametrize("name", [*SAMPLES, *remote_everything()])
def test_verifying_opens_no_socket(no_network, name):
    data = SAMPLES[name]() if name in SAMPLES else remote_everything()[name]
    if name in ("baked_png", "baked_svg"):
        from verifier.baking import unbake

        data = unbake(data).text.encode()
    if name == "qr_vp1":
        from wallet.importers.qr import decode_presentation

        data = decode_presentation(data.decode())
    report = verify(data, now=NOW, trust=TrustStore.empty())
    assert isinstance(report, Report)
    # A context the verifier does not hold is refused, not fetched (a closed world).
    expected = "failed" if name == "unknown_context" else "passed"
    assert report.check("format").status.value == expected, report.to_json()


def test_importing_every_format_opens_no_socket(world, no_network):
    files = [(f"{n}.bin", SAMPLES[n]()) for n in SAMPLES]
    files += [(f"{n}.bin", d) for n, d in remote_everything().items()]
    files.append(("qr.png", f.qr_png(samples.vp1_text().decode())))
    values = MultiDict([("files", FileStorage(io.BytesIO(c), filename=n)) for n, c in files])
    boundary, body = encode_multipart(values)
    client = world.client(VICTIM_EMAIL)
    response = client.post(
        "/import/files", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 200
