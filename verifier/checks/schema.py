"""The schema check: ``credentialSchema`` (VCDM 2.0 §4.11; Open Badges 3.0 §8.1.1
1EdTechJsonSchemaValidator2019) validated against schemas held in the local cache."""

from __future__ import annotations

from verifier.checks import Options, failed, not_applicable, passed, unknown
from verifier.credential import Credential
from verifier.report import SCHEMA, CheckResult


def check_schema(cred: Credential, opts: Options) -> CheckResult:
    """Validate the credential against each declared schema that is cached."""
    if not cred.schemas:
        return not_applicable(SCHEMA, "It declares no schema.")
    ids = [s.get("id") for s in cred.schemas]
    if not any(isinstance(i, str) and i in opts.cache for i in ids):
        return unknown(SCHEMA, _not_cached(len(ids)))
    from verifier import schema  # jsonschema is slow to import; only load it when needed

    result = schema.check_schemas(
        dict(cred.document), [dict(s) for s in cred.schemas], cache=opts.cache
    )
    if result.failed:
        return failed(SCHEMA, f"It does not follow its declared schema: {result.failed[0]}",
                      data_date=result.data_date)
    if result.not_cached:
        return unknown(SCHEMA, _not_cached(len(result.not_cached)), data_date=result.data_date)
    plural = "s" if len(result.passed) > 1 else ""
    return passed(SCHEMA, f"It follows its declared schema{plural}.", data_date=result.data_date)


def _not_cached(count: int) -> str:
    noun = "schema is" if count == 1 else f"{count} schemas are"
    return (f"Its declared {noun} not available offline, so its structure was not checked "
            "against them.")
