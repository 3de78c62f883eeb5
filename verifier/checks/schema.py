"""The schema check: ``credentialSchema`` (VCDM 2.0 §4.11; Open Badges 3.0 §8.1.1
1EdTechJsonSchemaValidator2019) validated against schemas held in the local cache."""

from __future__ import annotations

from verifier import schema
from verifier.checks import Options, failed, not_applicable, passed, unknown
from verifier.credential import Credential
from verifier.report import SCHEMA, CheckResult


def check_schema(cred: Credential, opts: Options) -> CheckResult:
    """Validate the credential against each declared schema that is cached."""
    if not cred.schemas:
        return not_applicable(SCHEMA, "It declares no schema.")
    result = schema.check_schemas(
        dict(cred.document), [dict(s) for s in cred.schemas], cache=opts.cache
    )
    return result_to_check(result)


def result_to_check(result: object) -> CheckResult:
    """Turn a schema result into the check (adapted to verifier.schema's result)."""
    failures = getattr(result, "failed", ())
    missing = getattr(result, "not_cached", ())
    ok = getattr(result, "passed", ())
    if failures:
        first = failures[0]
        return failed(SCHEMA, f"It does not follow its declared schema: {first}")
    if missing:
        return unknown(
            SCHEMA,
            f"{len(missing)} declared schema(s) are not available offline, so "
            "the structure was not checked against them.",
        )
    return passed(SCHEMA, f"It follows its declared schema{'s' if len(ok) > 1 else ''}.")
