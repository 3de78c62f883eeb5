"""European Digital Credentials sealed with JAdES (ETSI TS 119 182-1), verified offline.

    from verifier.checks import Options
    from verifier.edc import looks_like_edc, verify_edc

    if looks_like_edc(data):
        report = verify_edc(data, opts)  # a Report(kind="credential", format="edc_jades")
        report.check("proof").message    # "The seal is intact: ... (JAdES B-LTA, ...)"

Modules: :mod:`~verifier.edc.jades` (the seal), :mod:`~verifier.edc.tsp` (RFC 3161 timestamps),
:mod:`~verifier.edc.certs` (certificate path, QC statements, embedded revocation data),
:mod:`~verifier.edc.elm` (the ELM v3 payload and issuer binding), and
:mod:`~verifier.edc.pipeline` (the numbered steps and Europass verification checks).
"""

from verifier.edc.certs import LegalIdentifier, SealCertificate, build_path
from verifier.edc.elm import EdcCredential
from verifier.edc.jades import JadesSignature
from verifier.edc.pipeline import (
    EUROPASS_CHECK_TYPES,
    looks_like_edc,
    verification_checks,
    verify_edc,
)
from verifier.edc.tsp import TimeStampToken

__all__ = [
    "EUROPASS_CHECK_TYPES",
    "EdcCredential",
    "JadesSignature",
    "LegalIdentifier",
    "SealCertificate",
    "TimeStampToken",
    "build_path",
    "looks_like_edc",
    "verification_checks",
    "verify_edc",
]
