"""Read an ETSI TS 119 612 (v2.x, TSL version 5) trusted list into a :class:`TrustedList`.

The signature is not checked here (see :func:`verifier.xades.verify_xades`); this reads the
scheme information (§5.3), the pointers to other lists (§5.3.13), and each trust service
(§5.5) with its history (§5.6) and extensions (§5.5.9: additional service information and the
Qualifications extension of §5.5.9.2).  Data problems raise ``TrustListError``.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from datetime import datetime

from cryptography import x509
from lxml import etree

from verifier.dates import parse_datetime
from verifier.errors import MalformedDocument, TrustListError
from verifier.tsl.model import (
    Criteria,
    Pointer,
    Qualification,
    ServicePhase,
    TrustedList,
    TrustService,
)

TSL = "http://uri.etsi.org/02231/v2#"
ADDITIONAL = "http://uri.etsi.org/02231/v2/additionaltypes#"
ECRI = "http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
NS = {"t": TSL, "a": ADDITIONAL, "q": ECRI, "xades": XADES}


def parse_trusted_list(root: etree._Element) -> TrustedList:
    """Read a TrustServiceStatusList element (TS 119 612 §5) without checking its signature."""
    if root.tag != f"{{{TSL}}}TrustServiceStatusList":
        raise TrustListError("This is not an ETSI trusted list (TrustServiceStatusList).")
    info = root.find("t:SchemeInformation", NS)
    if info is None:
        raise TrustListError("The trusted list has no SchemeInformation.")
    tsl_type = _short(_text(info, "t:TSLType", "TSLType"), "/TSLType/")
    try:
        sequence = int(_text(info, "t:TSLSequenceNumber", "TSLSequenceNumber"))
    except ValueError as exc:
        raise TrustListError("The trusted list's TSLSequenceNumber is not a number.") from exc
    next_update = info.findtext("t:NextUpdate/t:dateTime", None, NS)
    return TrustedList(
        territory=_text(info, "t:SchemeTerritory", "SchemeTerritory"),
        tsl_type=tsl_type,
        sequence=sequence,
        issued=_when(_text(info, "t:ListIssueDateTime", "ListIssueDateTime"), "ListIssueDateTime"),
        next_update=_when(next_update, "NextUpdate") if next_update else None,
        operator=_name(info.find("t:SchemeOperatorName", NS)),
        pointers=tuple(_pointer(p) for p in info.iterfind(
            "t:PointersToOtherTSL/t:OtherTSLPointer", NS)),
        services=tuple(_service(s, _name(tsp.find("t:TSPInformation/t:TSPName", NS)))
                       for tsp in root.iterfind("t:TrustServiceProviderList/"
                                                "t:TrustServiceProvider", NS)
                       for s in tsp.iterfind("t:TSPServices/t:TSPService", NS)))


def _pointer(el: etree._Element) -> Pointer:
    # §5.3.13: ServiceDigitalIdentities, TSLLocation, AdditionalInformation/OtherInformation.
    other: dict[str, str] = {}
    for oi in el.iterfind("t:AdditionalInformation/t:OtherInformation", NS):
        for child in oi:
            if isinstance(child.tag, str) and (child.text or "").strip():
                other[etree.QName(child).localname] = child.text.strip()
    territory = other.get("SchemeTerritory")
    if not territory:
        raise TrustListError("A pointer to another trusted list names no territory.")
    return Pointer(
        territory=territory,
        location=(el.findtext("t:TSLLocation", "", NS)).strip(),
        tsl_type=_short(other["TSLType"], "/TSLType/") if "TSLType" in other else None,
        mime_type=other.get("MimeType"),
        certificates=_certs(el.iterfind("t:ServiceDigitalIdentities/t:ServiceDigitalIdentity/"
                                        "t:DigitalId/t:X509Certificate", NS)))


def _service(el: etree._Element, tsp: str) -> TrustService:
    info = el.find("t:ServiceInformation", NS)
    if info is None:
        raise TrustListError(f"A service of {tsp} has no ServiceInformation.")
    phases = [_phase(info)] + [_phase(h) for h in el.iterfind(
        "t:ServiceHistory/t:ServiceHistoryInstance", NS)]
    phases.sort(key=lambda p: p.start, reverse=True)
    return TrustService(
        tsp_name=tsp,
        certificates=_certs(info.iterfind("t:ServiceDigitalIdentity/t:DigitalId/"
                                          "t:X509Certificate", NS)),
        phases=tuple(phases))


def _phase(el: etree._Element) -> ServicePhase:
    # §5.5.1 ServiceTypeIdentifier, §5.5.2 ServiceName, §5.5.4 ServiceStatus,
    # §5.5.5 StatusStartingTime, §5.5.9 ServiceInformationExtensions.
    additional: list[str] = []
    qualifications: list[Qualification] = []
    for ext in el.iterfind("t:ServiceInformationExtensions/t:Extension", NS):
        for uri in ext.iterfind("t:AdditionalServiceInformation/t:URI", NS):
            additional.append(_short((uri.text or "").strip(), "/SvcInfoExt/"))
        for q in ext.iterfind("q:Qualifications/q:QualificationElement", NS):
            names = tuple(_short(x.get("uri", ""), "/SvcInfoExt/")
                          for x in q.iterfind("q:Qualifiers/q:Qualifier", NS))
            criteria = q.find("q:CriteriaList", NS)
            if criteria is None:
                raise TrustListError("A qualification has no CriteriaList.")
            qualifications.append(Qualification(names, _criteria(criteria)))
    return ServicePhase(
        service_type=_short(_text(el, "t:ServiceTypeIdentifier", "ServiceTypeIdentifier"),
                            "/Svctype/"),
        name=_name(el.find("t:ServiceName", NS)),
        status=_text(el, "t:ServiceStatus", "ServiceStatus").rstrip("/").rsplit("/", 1)[-1],
        start=_when(_text(el, "t:StatusStartingTime", "StatusStartingTime"),
                    "StatusStartingTime"),
        additional=tuple(additional), qualifications=tuple(qualifications))


def _criteria(el: etree._Element) -> Criteria:
    # §5.5.9.2.1: assert all / atLeastOne / none over KeyUsage, PolicySet, nested lists.
    mode = el.get("assert", "all")
    if mode not in ("all", "atLeastOne", "none"):
        raise TrustListError(f"A CriteriaList has an unknown assert value {mode!r}.")
    key_usage, policies, nested, unsupported = [], [], [], []
    for child in el:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local == "KeyUsage":
            key_usage.append(tuple((b.get("name", ""), (b.text or "").strip() == "true")
                                   for b in child.iterfind("q:KeyUsageBit", NS)))
        elif local == "PolicySet":
            policies.append(tuple(_oid(i.text) for i in child.iterfind(
                "q:PolicyIdentifier/xades:Identifier", NS)))
        elif local == "CriteriaList":
            nested.append(_criteria(child))
        elif local != "Description":
            unsupported.append(local)
    return Criteria(assert_=mode, key_usage=tuple(key_usage), policy_sets=tuple(policies),
                    nested=tuple(nested), unsupported=tuple(unsupported))


def _certs(elements: etree._Element) -> tuple[x509.Certificate, ...]:
    out = []
    for el in elements:
        try:
            out.append(x509.load_der_x509_certificate(b64decode("".join((el.text or "").split()),
                                                                validate=True)))
        except (ValueError, binascii.Error) as exc:
            raise TrustListError("A certificate in the trusted list cannot be read.",
                                 detail=str(exc)) from exc
    return tuple(out)


def _text(el: etree._Element, path: str, what: str) -> str:
    value = (el.findtext(path, "", NS) or "").strip()
    if not value:
        raise TrustListError(f"The trusted list has no {what}.")
    return value


def _name(el: etree._Element | None) -> str:
    # Multilingual names (§5.1.4): English when there is one.
    if el is None:
        return ""
    names = [(n.get("{http://www.w3.org/XML/1998/namespace}lang"), (n.text or "").strip())
             for n in el.iterfind("t:Name", NS)]
    return next((t for lang, t in names if lang == "en"), names[0][1] if names else "")


def _short(uri: str, marker: str) -> str:
    return uri.split(marker, 1)[1] if marker in uri else uri


def _oid(text: str | None) -> str:
    value = (text or "").strip()
    return value.removeprefix("urn:oid:")


def _when(text: str, what: str) -> datetime:
    try:
        return parse_datetime(text, field=what)
    except MalformedDocument as exc:
        raise TrustListError(f"The trusted list's {what} is not a date.") from exc
