"""What a credential says, in one model for every format: the :class:`Summary`.

Mappers fill it from each data model and return ``Summary(...).to_json()`` with an
``"eu_standard"`` key (the Annex I report of :mod:`verifier.annex1`):

- :func:`summarize` for parsed W3C credentials (Open Badges 3.0, CLR 2.0, EDC JSON-LD, plain
  VCs, SD-JWT VC claims) — the pipeline puts its result in ``Report.summary``;
- :func:`verifier.elm_summary.summarize_elm` for the payload of a European Digital Credential;
- :func:`verifier.ob_summary.summarize_ob2` for an Open Badges 2.0 assertion with its
  BadgeClass and issuer.

Text the issuer wrote is kept in every language it was given, as a :class:`LangText`
(language tag → text, ``""`` when no language is stated), so a view can show the reader's
language with ``pick``. In JSON a LangText is that plain map: ``{"en": "…", "pl": "…"}``, and
``LangText.of(that_map).pick(["pl", "en"])`` gives the text to show. Text is kept as text
(HTML in a title stays HTML): escaping is the view's job. ``paths`` maps each filled field to
the property path it came from (``credentialSubject.hasClaim.specifiedBy.creditPoint``).

Mappers read untrusted JSON: every reader here tolerates any JSON value, caps lists at
``MAX_ITEMS`` and text at ``MAX_TEXT``, and never recurses into the document, so odd but
parseable input gives a thinner summary, never an exception.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from verifier.credential import Credential
from verifier.records import Record, factory

MAX_ITEMS = 200
MAX_TEXT = 20_000
MAX_IMAGE = 2 * 1024 * 1024
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DURATION = re.compile(
    r"^P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?"
    r"(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?"
    r"(?:(\d+(?:[.,]\d+)?)S)?)?$"
)


class LangText(Mapping[str, str]):
    """Immutable text in several languages: lower-case BCP 47 tag → text, ``""`` = unstated."""

    __slots__ = ("_texts",)

    def __init__(self, texts: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = texts.items() if isinstance(texts, Mapping) else texts
        clean: dict[str, str] = {}
        for lang, text in pairs:
            if isinstance(lang, str) and isinstance(text, str) and text.strip():
                clean.setdefault(lang.lower(), _clip(text.strip()))
        object.__setattr__(self, "_texts", clean)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("LangText is immutable")

    def __getitem__(self, lang: str) -> str:
        return self._texts[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __hash__(self) -> int:
        return hash(frozenset(self._texts.items()))

    def __repr__(self) -> str:
        return f"LangText({self._texts!r})"

    @classmethod
    def plain(cls, text: str | None) -> LangText:
        """Text whose language is not stated (``{"": text}``)."""
        return cls({"": text} if isinstance(text, str) else {})

    @classmethod
    def of(cls, value: Any) -> LangText:
        """Read a string, a language map, a JSON-LD ``@value`` object or a list of these."""
        pairs: list[tuple[str, str]] = []
        for item in _capped(value):
            if isinstance(item, Mapping):
                if "@value" in item:
                    lang = item.get("@language")
                    pairs.extend(_texts(lang if isinstance(lang, str) else "", item["@value"]))
                elif "type" not in item and "@type" not in item:  # an object, not a map
                    for lang, text in list(item.items())[:MAX_ITEMS]:
                        if lang in ("@none", ""):
                            pairs.extend(_texts("", text))
                        elif isinstance(lang, str) and _LANG.match(lang):
                            pairs.extend(_texts(lang, text))
            else:
                pairs.extend(_texts("", item))
        return cls(pairs)

    def pick(self, preferred_langs: Sequence[str] = ()) -> str:
        """The text in the first preferred language held, else English, else unstated, else any.

        ``"pl"`` matches ``"pl-PL"`` and the reverse; an empty LangText gives ``""``.
        """
        if isinstance(preferred_langs, str):
            preferred_langs = [preferred_langs]
        for lang in [*preferred_langs, "en", ""]:
            lang = lang.lower() if isinstance(lang, str) else ""
            if lang in self._texts:
                return self._texts[lang]
            primary = lang.split("-")[0]
            for tag, text in self._texts.items():
                if primary and tag.split("-")[0] == primary:
                    return text
        return next(iter(self._texts.values()), "")

    def to_json(self) -> dict[str, str]:
        """The plain language map."""
        return dict(self._texts)


EMPTY = LangText()


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _texts(lang: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, bool):
        return []
    if isinstance(value, str):
        return [(lang, value)]
    if isinstance(value, int | float):
        return [(lang, str(value))]
    if isinstance(value, list):  # a language map may hold several texts per language
        return [(lang, v) for v in value[:MAX_ITEMS] if isinstance(v, str)][:1]
    return []


def _capped(value: Any) -> list[Any]:
    if value is None:
        return []
    return value[:MAX_ITEMS] if isinstance(value, list) else [value]


# -- reading untrusted JSON ------------------------------------------------------------------


def children(obj: Any, key: str, path: str) -> list[tuple[Mapping[str, Any], str]]:
    """The objects under ``obj[key]`` with their property paths (``a.b`` or ``a.b[2]``)."""
    if not isinstance(obj, Mapping):
        return []
    value = obj.get(key)
    where = f"{path}.{key}" if path else key
    if isinstance(value, Mapping):
        return [(value, where)]
    if isinstance(value, list):
        pairs = enumerate(value[:MAX_ITEMS])
        return [(v, f"{where}[{i}]") for i, v in pairs if isinstance(v, Mapping)]
    return []


def child(obj: Any, key: str, path: str) -> tuple[Mapping[str, Any], str] | tuple[None, str]:
    """The first object under ``obj[key]`` and its path (``None`` when there is none)."""
    found = children(obj, key, path)
    return found[0] if found else (None, f"{path}.{key}" if path else key)


def string(value: Any) -> str | None:
    """A non-empty string, stripped, else ``None``."""
    return _clip(value.strip()) if isinstance(value, str) and value.strip() else None


def strings(value: Any) -> list[str]:
    """The non-empty strings in a value or list."""
    return [s for s in (string(v) for v in _capped(value)) if s]


def types_of(obj: Any) -> tuple[str, ...]:
    """An object's ``type`` (or ``@type``) names."""
    if not isinstance(obj, Mapping):
        return ()
    return tuple(strings(obj.get("type", obj.get("@type"))))


def url_of(value: Any) -> str | None:
    """A URL from a string or from an object's ``id`` / ``contentURL``."""
    if isinstance(value, Mapping):
        return string(value.get("contentURL")) or string(value.get("id"))
    return string(value)


def image_of(value: Any) -> str | None:
    """An image as an http(s) URL or a ``data:image/`` URI; other schemes are dropped."""
    url = url_of(value.get("id") if isinstance(value, Mapping) else value)
    if url is None or len(url) > MAX_IMAGE:
        return None
    lowered = url.lower()
    return url if lowered.startswith(("https://", "http://", "data:image/")) else None


def number(value: Any) -> int | float | None:
    """A number from a JSON number or numeric text (``"2"``, ``"2,5"``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


# -- the model -------------------------------------------------------------------------------


class Concept(Record):
    """A controlled-vocabulary term, skill, level or alignment: label, URI, code, framework."""

    label: LangText = EMPTY
    uri: str | None = None
    code: str | None = None
    framework: str | None = None

    @classmethod
    def of(cls, value: Any, *, framework: str | None = None) -> Concept | None:
        """Read a SKOS concept object (``id``, ``prefLabel``, ``notation``) or a URI/label."""
        if isinstance(value, Mapping):
            label = LangText.of(value.get("prefLabel")) or LangText.of(value.get("title"))
            uri, code = string(value.get("id")), string(value.get("notation"))
            return cls(label, uri, code, framework) if label or uri else None
        text = string(value)
        if text is None:
            return None
        if ":" in text and " " not in text:
            return cls(EMPTY, text, None, framework)
        return cls(LangText.plain(text), None, None, framework)


class Identifier(Record):
    """An identifier with the scheme it belongs to."""

    scheme: str | None
    value: str


class Party(Record):
    """An issuer, awarding body or creator."""

    name: LangText = EMPTY
    id: str | None = None
    countries: tuple[Concept, ...] = ()
    homepage: str | None = None
    email: str | None = None


class Learner(Record):
    """The learner: a name where given, an identifier, and other identifiers."""

    name: LangText = EMPTY
    id: str | None = None
    identifiers: tuple[Identifier, ...] = ()


class Outcome(Record):
    """A learning outcome and the skills (ESCO or other) it is linked to."""

    text: LangText
    skills: tuple[Concept, ...] = ()


class Credits(Record):
    """Credit points; ``framework`` is ``"ECTS"`` only where the credential says so."""

    text: str
    value: int | float | None = None
    framework: str | None = None
    framework_label: LangText = EMPTY
    framework_uri: str | None = None


class Duration(Record):
    """An ISO 8601 duration, with hours where it is stated in hours, minutes or seconds."""

    iso: str
    hours: float | None = None

    @classmethod
    def of(cls, value: Any) -> Duration | None:
        """Read an ISO 8601 duration string (``PT60H``); months, weeks or days give no hours."""
        text = string(value)
        match = _DURATION.match(text.upper()) if text else None
        if text is None or match is None or text.upper() in ("P", "PT"):
            return None
        years, months, weeks, days, hours, minutes, seconds = (
            float(g.replace(",", ".")) if g else 0.0 for g in match.groups()
        )
        if years or months or weeks or days:
            return cls(text, None)
        total = hours + minutes / 60 + seconds / 3600
        return cls(text, int(total) if total.is_integer() else round(total, 2))


class Result(Record):
    """A grade or result: what was assessed and the value achieved."""

    name: LangText = EMPTY
    value: LangText = EMPTY


class Evidence(Record):
    """Evidence of the learner's work."""

    name: LangText = EMPTY
    description: LangText = EMPTY
    url: str | None = None


class Endorsement(Record):
    """A third party's endorsement: who endorses, and what they say."""

    issuer: LangText = EMPTY
    issuer_id: str | None = None
    comment: LangText = EMPTY


class Ref(Record):
    """A reference to another learning specification or credential."""

    id: str | None = None
    title: LangText = EMPTY


class Stackability(Record):
    """Integration and stackability: partial qualification, part of, has parts."""

    partial_qualification: bool | None = None
    part_of: tuple[Ref, ...] = ()
    has_part: tuple[Ref, ...] = ()

    def __bool__(self) -> bool:
        return self.partial_qualification is not None or bool(self.part_of or self.has_part)


class Summary(Record):
    """What a credential says, in every format; ``paths`` names the property behind each field."""

    data_model: str = "vc"  # "elm", "ob3", "clr", "ob2", "vc", "sd_jwt_vc"
    kind: str = "credential"  # "achievement", "activity", "assessment", "entitlement", "record"
    types: tuple[str, ...] = ()
    claim_types: tuple[str, ...] = ()
    title: LangText = EMPTY
    description: LangText = EMPTY
    achievement_type: Concept | None = None
    issuer: Party | None = None
    awarding_bodies: tuple[Party, ...] = ()
    creator: Party | None = None
    issued: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    learner: Learner | None = None
    outcomes: tuple[Outcome, ...] = ()
    skills: tuple[Concept, ...] = ()
    credits: tuple[Credits, ...] = ()
    volume_of_learning: Duration | None = None
    eqf: Concept | None = None
    eqf_level: int | None = None
    nqf: tuple[Concept, ...] = ()
    assessment: tuple[Concept, ...] = ()
    participation: tuple[Concept, ...] = ()
    learning_setting: Concept | None = None
    quality_assurance: tuple[Concept, ...] = ()
    grades: tuple[Result, ...] = ()
    prerequisites: tuple[LangText, ...] = ()
    supervision: tuple[Concept, ...] = ()
    stackability: Stackability = Stackability()
    parts: tuple[Summary, ...] = ()
    part_count: int = 0
    image: str | None = None
    evidence: tuple[Evidence, ...] = ()
    endorsements: tuple[Endorsement, ...] = ()
    languages: tuple[Concept, ...] = ()
    criteria: LangText = EMPTY
    criteria_url: str | None = None
    tags: tuple[str, ...] = ()
    specialization: LangText = EMPTY
    field_of_study: LangText = EMPTY
    identifiers: tuple[Identifier, ...] = ()
    further_information: tuple[LangText, ...] = ()
    paths: Mapping[str, str] = factory(dict)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for templates and reports; every LangText becomes its language map."""
        return _jsonable(self)


def _jsonable(value: Any) -> Any:
    cls = value.__class__
    if cls is str or cls is int or cls is float or cls is bool or value is None:
        return value
    if cls is tuple or cls is list:  # most fields: often empty
        return [_jsonable(v) for v in value] if value else []
    if cls is LangText:
        return dict(value._texts)
    if cls is dict:
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, Record):
        values = value.__dict__
        return {name: _jsonable(values[name]) for name in cls._fields}
    if isinstance(value, LangText):
        return value.to_json()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


class Draft:
    """A summary being filled by a mapper: the first value found for a field wins."""

    def __init__(self, **fixed: Any) -> None:
        self.fields: dict[str, Any] = dict(fixed)
        self.paths: dict[str, str] = {}

    def put(self, name: str, value: Any, path: str) -> bool:
        """Set ``name`` unless it is already set or ``value`` is empty; say whether it was set."""
        if self.fields.get(name) or value is None or (not value and value is not False):
            return False
        self.fields[name] = value
        self.paths[name] = path
        return True

    def add(self, name: str, values: Iterable[Any], path: str) -> None:
        """Append the non-empty, not yet held values to the list field ``name``."""
        held = self.fields.setdefault(name, [])
        for value in values:
            if value and value not in held and len(held) < MAX_ITEMS:
                held.append(value)
                self.paths.setdefault(name, path)

    def each(self, name: str, obj: Any, key: str, path: str, read: Any = None) -> None:
        """Add ``read(v)`` (default: ``v``) for every value under ``obj[key]`` to ``name``."""
        value = obj.get(key) if isinstance(obj, Mapping) else None
        read = read or (lambda v: v)
        self.add(name, [read(v) for v in _capped(value)], f"{path}.{key}" if path else key)

    def build(self) -> Summary:
        """The frozen summary."""
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in self.fields.items()}
        return Summary(**fields, paths=dict(self.paths))


def summarize(cred: Credential) -> dict[str, Any]:
    """Summarize a parsed credential of any W3C format, with its Annex I report."""
    # The format mappers build on this module's model, so they are imported when used.
    if "EuropeanDigitalCredential" in cred.types:
        from verifier.elm_summary import summarize_elm

        return summarize_elm(cred.document)
    from verifier.ob_summary import summarize_w3c

    nested = [n.document for n in cred.nested if isinstance(n, Credential)]
    return summarize_w3c(cred.document, fmt=cred.format, nested=nested, total=len(cred.nested))
