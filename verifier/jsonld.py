"""JSON-LD expansion with safe mode, and RDFC-1.0 with a chosen hash, on top of pyld.

:mod:`verifier.documents` is the public face; this module holds the two things pyld lacks.

Safe mode mirrors Digital Bazaar's jsonld.js ``safe: true`` (``lib/events.js``): any event that
would silently drop or rebase data is an error. pyld has no event system, so the checks sit in
a :class:`~pyld.jsonld.JsonLdProcessor` subclass, at the points where jsonld.js emits them:

- ``invalid property``: a key that expands to no absolute IRI (pyld's ``on_property_dropped``);
- ``relative @type reference``, ``relative @id reference``, ``relative object reference``,
  ``reserved @id value``, ``invalid @language value``: checked on each expanded node and value;
- ``empty object``, ``object with only @id/@value/@list/@language``, ``null @value value``,
  ``free-floating scalar``: an element that expansion turned into nothing;
- ``reserved term``, ``reserved @id value``, ``reserved @reverse value``,
  ``relative @vocab reference``, ``invalid @language value`` inside a local context;
- when producing RDF: ``blank node predicate`` and ``rdfDirection not set``. Relative subject,
  object and graph references cannot reach RDF: the expansion checks refuse them first.

Expansion runs with no base IRI (VC Data Integrity, "set the base URL to null"), so a relative
IRI stays relative (and is refused in safe mode) instead of being rebased onto pyld's
``http://example.org/base/``.

Speed: pyld re-processes every type-scoped context for every typed node (its per-context cache
is keyed by a fresh UUID each time). :class:`ContextCache` memoises ``_process_context`` by the
identity of the active context and the content of the local context, and gives pyld a shared
cache of resolved remote contexts, so documents that use the same contexts reuse the same
processed active contexts. Context processing is a pure function of those inputs (the loader
is closed-world and the options are fixed), so no canonical byte changes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver
from pyld.jsonld import INITIAL_CONTEXTS, KEYWORD_PATTERN, KEYWORDS, REGEX_BCP47, JsonLdProcessor

from verifier.errors import MalformedDocument, SafeModeViolation

absolute_iri = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$").match  # pyld's own test
bcp47 = re.compile(REGEX_BCP47).match
_keyword_like = re.compile(KEYWORD_PATTERN).match
_KEYWORDS = frozenset(KEYWORDS)
_ABSENT = object()
_MAX_ENTRIES = 4096  # bounds memory against documents with ever-new inline contexts


class ContextCache:
    """Processed active contexts and resolved remote contexts, shared across operations."""

    def __init__(self, loader: Callable[[str, Any], dict]) -> None:
        self.loader = loader
        self.resolved = _BoundedDict()  # pyld's "shared cache" of resolved contexts
        self._processed = _BoundedDict()
        self._content_keys = _BoundedDict()
        self.vetted = _BoundedDict()  # local contexts known to hold no @import
        self.checked = _BoundedDict()  # local contexts that passed the safe-mode checks

    def options(self) -> dict[str, Any]:
        """Return pyld options for one operation with this cache and no base IRI."""
        return {
            "base": None,
            "documentLoader": self.loader,
            "contextResolver": ContextResolver(self.resolved, self.loader),
            "processingMode": "json-ld-1.1",
            "extractAllScripts": False,
            "produceGeneralizedRdf": False,
        }

    def content_key(self, local_ctx: Any) -> str | None:
        """Return a stable key for a local context's content, or None if it has no JSON form."""
        if isinstance(local_ctx, str):
            return local_ctx
        hit = self._content_keys.get(id(local_ctx))
        if hit is not None and hit[0] is local_ctx:
            return hit[1]
        try:
            key = json.dumps(local_ctx, sort_keys=True, separators=(",", ":"))
        except TypeError:
            return None
        # Keeping a reference pins the object, so its id cannot be reused by another one.
        self._content_keys[id(local_ctx)] = (local_ctx, key)
        return key

    def get(self, active_ctx: Any, key: tuple) -> Any:
        """Return the memoised result of processing ``key`` against ``active_ctx``, or None."""
        hit = self._processed.get((id(active_ctx), *key))
        if hit is not None and hit[0] is active_ctx:
            return hit[1]
        return None

    def put(self, active_ctx: Any, key: tuple, result: Any) -> None:
        """Remember the result of processing ``key`` against ``active_ctx``."""
        self._processed[(id(active_ctx), *key)] = (active_ctx, result)

    def snapshot(self) -> tuple[dict, list[tuple[Any, tuple, Any]]]:
        """pyld's initial contexts and every memoised result, as one object graph (pickled
        whole, the contexts keep the identities the memo is keyed by)."""
        return dict(INITIAL_CONTEXTS), [(active, key[1:], result)
                                        for key, (active, result) in self._processed.items()]

    def restore(self, state: tuple[dict, list[tuple[Any, tuple, Any]]]) -> bool:
        """Take the results of a :meth:`snapshot` made by an earlier process, if nothing has
        been processed here yet; say whether they were taken."""
        initial, entries = state
        if self._processed or INITIAL_CONTEXTS:
            return False
        INITIAL_CONTEXTS.update(initial)
        for active, key, result in entries:
            self.put(active, key, result)
        return True

    @property
    def size(self) -> int:
        """How many processing results are memoised."""
        return len(self._processed)


class _BoundedDict(dict):
    """A dict that forgets everything when it grows past ``_MAX_ENTRIES`` entries."""

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self) >= _MAX_ENTRIES:
            self.clear()
        super().__setitem__(key, value)


class _NoCopy(dict):
    """The input document: pyld deep-copies it, but expansion only reads it."""

    def __deepcopy__(self, memo: dict) -> _NoCopy:
        return self


class _Frame:
    __slots__ = ("segment", "is_array", "index", "element", "ctx")

    def __init__(self, segment: str | int | None, is_array: bool) -> None:
        self.segment = segment
        self.is_array = is_array
        self.index = -1
        self.element: Any = None
        self.ctx: Any = None


class Processor(JsonLdProcessor):
    """A pyld processor with memoised context processing and, optionally, safe mode."""

    def __init__(self, cache: ContextCache, *, safe: bool, rdf: bool = False) -> None:
        super().__init__(on_property_dropped=self._property_dropped)
        self.cache = cache
        self.safe = safe
        self.rdf = rdf  # True while producing RDF: also refuse what only toRDF would drop
        self._frames: list[_Frame] = []

    def expand(self, input_: Any, options: dict | None) -> list:
        """Expand ``input_`` without pyld's defensive deep copy (expansion never mutates it)."""
        return super().expand(_NoCopy(input_) if isinstance(input_, dict) else input_, options)

    def _expand_iri(self, active_ctx: Any, value: Any, base: str | None = None,
                    vocab: bool = False, local_ctx: Any = None, defined: Any = None) -> Any:
        # Fast paths for the commonest calls, a defined term and a prefixed or absolute IRI,
        # with the same results as pyld's: a value not starting with "@" is neither a keyword
        # nor keyword-like, and outside context processing (no local_ctx) nothing gets defined.
        if local_ctx is None and value.__class__ is str and value[:1] != "@":
            mappings = active_ctx["mappings"]
            if vocab:
                mapping = mappings.get(value, _ABSENT)
                if mapping is not _ABSENT:
                    return None if mapping is None else mapping["@id"]
            colon = value.find(":")
            if colon > 0:
                prefix = value[:colon]
                if prefix == "_" or value.startswith("//", colon + 1):
                    return value
                mapping = mappings.get(prefix)
                if mapping and mapping["_prefix"]:
                    return mapping["@id"] + value[colon + 1:]
                if absolute_iri(value):
                    return value
        return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)

    # -- context processing, memoised ------------------------------------------------------

    def _process_context(self, active_ctx: Any, local_ctx: Any, options: dict,
                         override_protected: bool = False, propagate: bool = True,
                         validate_scoped: bool = True, cycles: set | None = None) -> Any:
        content = self.cache.content_key(local_ctx)
        if content is None or content not in self.cache.vetted:
            _refuse_import(local_ctx)
            if content is not None:
                self.cache.vetted[content] = True
        if self.safe and content is not None and content not in self.cache.checked:
            _check_local_context(local_ctx, self._path())
            self.cache.checked[content] = True
        if cycles is not None or content is None:  # a nested validation call: not memoised
            return super()._process_context(active_ctx, local_ctx, options, override_protected,
                                            propagate, validate_scoped, cycles)
        key = (content, override_protected, propagate, validate_scoped)
        result = self.cache.get(active_ctx, key)
        if result is None:
            result = super()._process_context(active_ctx, local_ctx, options, override_protected,
                                              propagate, validate_scoped)
            self.cache.put(active_ctx, key, result)
        return result

    # -- safe mode ---------------------------------------------------------------------------

    def _expand(self, active_ctx: Any, active_property: str | None, element: Any,
                options: dict, inside_list: bool = False, inside_index: bool = False,
                type_scoped_ctx: Any = None) -> Any:
        if not self.safe:
            return super()._expand(active_ctx, active_property, element, options, inside_list,
                                   inside_index, type_scoped_ctx)
        frames = self._frames
        if frames and frames[-1].is_array:
            parent = frames[-1]
            parent.index += 1
            segment: str | int | None = parent.index
        else:
            segment = active_property
        frames.append(_Frame(segment, isinstance(element, list)))
        try:
            result = super()._expand(active_ctx, active_property, element, options, inside_list,
                                     inside_index, type_scoped_ctx)
            if result is None and element is not None:
                self._refuse_dropped(element)
            elif not inside_list and active_property is not None:
                self._check_graph_container(active_ctx, active_property, result)
        finally:
            frames.pop()
        return result

    def _expand_object(self, active_ctx: Any, active_property: str | None,
                       expanded_active_property: str | None, element: dict,
                       expanded_parent: dict, options: dict, inside_list: bool = False,
                       type_key: str | None = None, type_scoped_ctx: Any = None) -> None:
        frame = self._frames[-1] if self._frames else None
        if frame is not None:  # what the safe-mode messages need to name a dropped key
            frame.element, frame.ctx = element, active_ctx
        super()._expand_object(active_ctx, active_property, expanded_active_property, element,
                               expanded_parent, options, inside_list, type_key, type_scoped_ctx)
        if self.safe:
            self._check_node(expanded_parent)

    def _expand_value(self, active_ctx: Any, active_property: str | None, value: Any,
                      options: dict) -> Any:
        result = super()._expand_value(active_ctx, active_property, value, options)
        if self.safe and self.rdf and isinstance(result, dict):
            iri = result.get("@id")
            if iri is not None and not absolute_iri(iri):
                self._refuse("relative object reference", f"the IRI {iri!r}",
                             "is relative: there is no base IRI to resolve it against")
            if "@direction" in result:
                self._refuse("rdfDirection not set", f"the value {value!r}",
                             "has a base direction that RDF canonicalization drops")
        return result

    def _expand_language_map(self, active_ctx: Any, language_map: dict,
                             direction: str | None) -> list:
        result = super()._expand_language_map(active_ctx, language_map, direction)
        if self.safe:
            for value in result:
                self._check_node(value)
        return result

    def _property_dropped(self, expanded_property: str | None) -> None:
        if not self.safe:
            return
        frame = self._frames[-1] if self._frames else None
        term = expanded_property
        if frame is not None and isinstance(frame.element, dict):
            for key in sorted(frame.element):
                if key != "@context" and self._expand_iri(
                        frame.ctx, key, vocab=True) == expanded_property:
                    term = key
                    break
        self._refuse("invalid property", f"the term {term!r}",
                     "is not defined by the document's contexts")

    def _check_node(self, node: dict) -> None:
        iri = node.get("@id", _ABSENT)
        for value in () if iri is _ABSENT else iri if isinstance(iri, list) else (iri,):
            if value is None:
                self._refuse("reserved @id value", "an @id", "is a reserved keyword")
            if not absolute_iri(value):
                self._refuse("relative @id reference", f"the @id {value!r}",
                             "is relative: there is no base IRI to resolve it against")
        types = node.get("@type", _ABSENT)
        for value in () if types is _ABSENT else types if isinstance(types, list) else (types,):
            if value != "@json" and not (isinstance(value, str) and absolute_iri(value)):
                self._refuse("relative @type reference", f"the type {value!r}",
                             "is not defined by the document's contexts")
            if value == "@json" and self.rdf and "@value" not in node:
                self._refuse("relative object reference", "the type '@json'",
                             "is not an IRI, so a node cannot have it in RDF")
        language = node.get("@language")
        if isinstance(language, str) and not bcp47(language):
            self._refuse("invalid @language value", f"the language tag {language!r}",
                         "is not valid BCP 47")
        if self.rdf:
            if "@direction" in node:
                self._refuse("rdfDirection not set", "a value with @direction",
                             "has a base direction that RDF canonicalization drops")
            for key in node:
                if key.startswith("_:"):
                    self._refuse("blank node predicate", f"the property {key!r}",
                                 "is a blank node, which RDF cannot use as a predicate")

    def _check_graph_container(self, active_ctx: Any, active_property: str, result: Any) -> None:
        # jsonld.js drops these values of a @graph container where pyld keeps them.
        mapping = active_ctx["mappings"].get(active_property)
        container = mapping.get("@container", ()) if mapping else ()
        if "@graph" not in container or "@id" in container or "@index" in container:
            return
        for value in result if isinstance(result, list) else (result,):
            if not isinstance(value, dict):
                continue
            if not value:
                code = "empty object"
            elif "@value" in value or "@list" in value:
                code = "object with only @value" if "@value" in value else "object with only @list"
            elif len(value) == 1 and "@id" in value:
                code = "object with only @id"
            else:
                continue
            self._refuse(code, "a value", "is not a node, so the graph container would drop it")

    def _refuse_dropped(self, element: Any) -> None:
        if not isinstance(element, dict):
            self._refuse("free-floating scalar", f"the value {element!r}",
                         "is not attached to any node")
        ctx = self._frames[-1].ctx
        expanded = {self._expand_iri(ctx, key, vocab=True): value
                    for key, value in element.items() if key not in ("@context", "@index")}
        if expanded.get("@value", "") is None:
            code = "null @value value"
        elif len(expanded) == 1:
            code = f"object with only {next(iter(expanded))}"
        else:
            code = "empty object"
        self._refuse(code, "an object", "expands to nothing and would be dropped")

    def _path(self) -> str:
        path = "$"
        for frame in self._frames:
            segment = frame.segment
            if isinstance(segment, int):
                path += f"[{segment}]"
            elif segment is not None:
                path += f".{segment}" if _plain_key(segment) else f"[{json.dumps(segment)}]"
        return path

    def _refuse(self, code: str, what: str, why: str) -> None:
        raise SafeModeViolation(f"JSON-LD safe mode: {what} at {self._path()} {why}.",
                                detail=code)


def _plain_key(key: str) -> bool:
    return key.isidentifier()


def _check_local_context(local_ctx: Any, where: str) -> None:
    """Refuse what jsonld.js safe mode refuses while processing a local context."""
    for ctx in local_ctx if isinstance(local_ctx, list) else (local_ctx,):
        if not isinstance(ctx, dict):
            continue
        if isinstance(ctx.get("@context"), (dict, list)):
            _check_local_context(ctx["@context"], where)
            continue
        for term, definition in ctx.items():
            problem = _local_context_problem(term, definition)
            if problem is not None:
                code, why = problem
                raise SafeModeViolation(
                    f"JSON-LD safe mode: the context term {term!r} used at {where} {why}.",
                    detail=code)
            if isinstance(definition, dict) and isinstance(definition.get("@context"),
                                                           (dict, list)):
                _check_local_context(definition["@context"], where)


def _refuse_import(local_ctx: Any) -> None:
    """Refuse ``@import``: pyld merges the importing context into the imported document."""
    for ctx in local_ctx if isinstance(local_ctx, list) else (local_ctx,):
        if not isinstance(ctx, dict):
            continue
        if "@import" in ctx:
            raise MalformedDocument("The document's JSON-LD context uses @import, which this "
                                    "verifier does not support.", detail="@import")
        for definition in ctx.values():
            if isinstance(definition, dict) and "@context" in definition:
                _refuse_import(definition["@context"])


def _local_context_problem(term: str, definition: Any) -> tuple[str, str] | None:
    if _reserved(term):
        return "reserved term", "is reserved for future JSON-LD keywords and would be dropped"
    if term == "@vocab" and isinstance(definition, str) and not absolute_iri(definition):
        return "relative @vocab reference", f"maps to the relative IRI {definition!r}"
    if term == "@language" and isinstance(definition, str) and not bcp47(definition):
        return "invalid @language value", f"sets the invalid language tag {definition!r}"
    iri = definition.get("@id") if isinstance(definition, dict) else definition
    if isinstance(iri, str) and _reserved(iri):
        return "reserved @id value", f"maps to the reserved value {iri!r}"
    reverse = definition.get("@reverse") if isinstance(definition, dict) else None
    if isinstance(reverse, str) and _keyword_like(reverse):
        return "reserved @reverse value", f"has the reserved @reverse value {reverse!r}"
    return None


def _reserved(value: str) -> bool:
    """Whether ``value`` looks like a keyword without being one (JSON-LD 1.1 §9.2)."""
    return value not in _KEYWORDS and _keyword_like(value) is not None


class _Canonicalizer(URDNA2015):
    """RDFC-1.0 (URDNA2015) whose hash function is a parameter, as RDFC-1.0 allows."""

    def __init__(self, hash_name: str) -> None:
        super().__init__()
        self._hash_name = hash_name

    def create_hash(self) -> Any:
        return hashlib.new(self._hash_name)


def canonical_nquads(dataset: dict, hash_name: str) -> str:
    """Return RDFC-1.0 canonical N-Quads of a pyld RDF dataset, hashing with ``hash_name``."""
    return _Canonicalizer(hash_name).main(dataset, {"format": "application/n-quads"})
