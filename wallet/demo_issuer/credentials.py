"""The demo issuer's credential: an Open Badges 3.0 badge, issued as ``ldp_vc`` (Data Integrity,
eddsa-rdfc-2022), ``jwt_vc_json`` (a VC JWT with a ``vc`` claim) or ``dc+sd-jwt`` (an SD-JWT VC
whose credential subject is selectively disclosable), always bound to the holder who proved
possession of their key; and the issuer metadata that describes the three (OID4VCI 1.0 §12.2).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from verifier.issuing import issue_jwt, issue_ldp
from verifier.keypairs import KeyPair
from verifier.suites.sd_jwt import issue_sd_jwt

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
SD_JWT_VCT = "https://purl.imsglobal.org/spec/ob/v3p0/OpenBadgeCredential"
ACHIEVEMENT = "Data Analysis Basics"
ECTS = 5
#: Configuration id -> credential format (OID4VCI 1.0 Appendix A).
CONFIGURATIONS = {
    "OpenBadgeCredential_ldp_vc": "ldp_vc",
    "OpenBadgeCredential_jwt_vc_json": "jwt_vc_json",
    "OpenBadgeCredential_sd_jwt": "dc+sd-jwt",
}
FORMAT_LABELS = {"ldp_vc": "JSON-LD", "jwt_vc_json": "JWT", "dc+sd-jwt": "SD-JWT"}
PROOF_ALGORITHMS = ["EdDSA", "ES256", "ES384"]


def issuer_metadata(base: str, *, name: str, deferred: bool = True) -> dict[str, Any]:
    """The Credential Issuer Metadata served at ``/.well-known/openid-credential-issuer``."""
    metadata: dict[str, Any] = {
        "credential_issuer": base,
        "credential_endpoint": f"{base}/credential",
        "nonce_endpoint": f"{base}/nonce",
        "display": [{"name": name, "locale": "en"}],
        "credential_configurations_supported": {
            config_id: _configuration(config_id, fmt) for config_id, fmt in CONFIGURATIONS.items()
        },
    }
    if deferred:
        metadata["deferred_credential_endpoint"] = f"{base}/deferred_credential"
    return metadata


def authorization_server_metadata(base: str) -> dict[str, Any]:
    """The OAuth 2.0 Authorization Server Metadata (RFC 8414) of the same origin."""
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "response_types_supported": ["code"],
        "grant_types_supported": [
            "authorization_code",
            "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        ],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


def _configuration(config_id: str, fmt: str) -> dict[str, Any]:
    config: dict[str, Any] = {
        "format": fmt,
        "scope": config_id,
        "cryptographic_binding_methods_supported": ["did:key", "did:jwk", "jwk"],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": PROOF_ALGORITHMS}},
        "credential_metadata": {
            "display": [
                {
                    "name": f"{ACHIEVEMENT} ({FORMAT_LABELS[fmt]})",
                    "locale": "en",
                    "description": f"An Open Badges 3.0 micro-credential worth {ECTS} ECTS.",
                }
            ]
        },
    }
    if fmt == "ldp_vc":
        config["credential_signing_alg_values_supported"] = ["eddsa-rdfc-2022"]
        config["credential_definition"] = {"@context": [VC_V2, OB3], "type": TYPES}
    elif fmt == "jwt_vc_json":
        config["credential_signing_alg_values_supported"] = ["EdDSA"]
        config["credential_definition"] = {"type": TYPES}
    else:
        config["credential_signing_alg_values_supported"] = ["EdDSA"]
        config["vct"] = SD_JWT_VCT
    return config


def badge(issuer: KeyPair, *, holder: str, name: str, site: str, issued: datetime) -> dict:
    """An unsigned Open Badges 3.0 credential for ``holder`` (a DID)."""
    return {
        "@context": [VC_V2, OB3],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": list(TYPES),
        "issuer": {"id": issuer.controller, "type": ["Profile"], "name": name, "url": site},
        "validFrom": _iso(issued),
        "name": ACHIEVEMENT,
        "credentialSubject": {
            "id": holder,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"{site}/achievements/data-analysis-basics",
                "type": ["Achievement"],
                "achievementType": "MicroCredential",
                "name": ACHIEVEMENT,
                "description": "Cleans, explores and visualises tabular data.",
                "criteria": {"narrative": "Passed the assessed final project."},
                "creditsAvailable": ECTS,
            },
        },
    }


def issue(
    config_id: str,
    issuer: KeyPair,
    *,
    holder: str,
    holder_jwk: dict[str, Any],
    name: str,
    site: str,
    now: datetime,
) -> dict[str, Any] | str:
    """The signed credential of configuration ``config_id`` for ``holder``."""
    fmt = CONFIGURATIONS[config_id]
    issued = now - timedelta(seconds=1)  # "valid from" a moment ago, never in the future
    document = badge(issuer, holder=holder, name=name, site=site, issued=issued)
    if fmt == "ldp_vc":
        return issue_ldp(document, issuer, created=issued)
    if fmt == "jwt_vc_json":
        return issue_jwt(document, issuer, legacy=True)
    claims = {
        "issuer": document["issuer"],
        "name": ACHIEVEMENT,
        "validFrom": document["validFrom"],
        "credentialSubject": document["credentialSubject"],
    }
    return issue_sd_jwt(
        claims,
        disclose=["credentialSubject"],
        issuer_key=issuer,
        vct=SD_JWT_VCT,
        iss=issuer.controller,
        iat=issued,
        holder_jwk=holder_jwk,
    )


def _iso(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")
