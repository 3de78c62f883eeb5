"""A direct JSON-LD → RDF path for the plain documents credentials are, with the same result as
pyld's expansion, node map and ``toRdf`` put together, several times faster.

pyld produces RDF in three passes (expand into a new tree, build a node map with deep copies,
then walk the map), each generic over every JSON-LD feature. Credentials use a small part of
JSON-LD: node objects with ``@id`` and ``@type``, terms from pinned contexts (with property- and
type-scoped contexts), ``@set``, ``@list`` and ``@graph`` containers, typed and language-tagged
literals. :func:`to_dataset` walks such a document once and emits the quads straight away, using
the processor's memoised context processing and pyld's own term lookups, so every term means
what it means to pyld. Blank-node labels differ from pyld's, which RDFC-1.0 makes irrelevant.

Anything outside that part (``@reverse``, ``@nest``, ``@included``, index, id, type and language
maps, ``@json``, ``@direction``, nested lists, a value that would be dropped, a relative IRI, an
undefined term...) makes :func:`to_dataset` return None, and the caller runs pyld with its full
safe-mode checks, which then accepts the document or names its problem exactly as before. The
fast path never decides that a document is wrong; it only produces the same dataset sooner.
``tests/test_fastld.py`` compares both paths on every credential the tests and the corpus hold.
"""

from __future__ import annotations

import hashlib
from itertools import permutations
from typing import Any

from pyld.jsonld import (
    RDF_FIRST,
    RDF_LANGSTRING,
    RDF_NIL,
    RDF_REST,
    RDF_TYPE,
    XSD_BOOLEAN,
    XSD_DOUBLE,
    XSD_INTEGER,
    XSD_STRING,
)
from pyld.nquads import escape

from verifier.jsonld import absolute_iri, bcp47

# A quad: subject, predicate, object, graph name (None for the default graph). A subject, node
# object or graph name is a string, an IRI or a "_:" blank-node label; a literal object is a
# tuple (lexical form, datatype IRI, language tag or None).
Quad = tuple[str, str, "str | tuple[str, str, str | None]", "str | None"]

_ABSENT = object()
_PLAIN_CONTAINERS = frozenset({(), ("@set",), ("@list",), ("@graph",), ("@graph", "@set"),
                               ("@set", "@graph")})
_VALUE_KEYS = frozenset({"@value", "@type", "@language"})
_IRI_TYPES = ("@id", "@vocab")


class _Unsupported(Exception):
    """The document uses something the direct path leaves to pyld."""


def to_quads(document: dict, processor: Any, options: dict) -> list[Quad] | None:
    """Return the RDF quads of ``document``, or None to let pyld produce its dataset.

    ``processor`` is a :class:`verifier.jsonld.Processor` (its context processing is memoised and
    applies the safe-mode context checks); ``options`` are the options it would be given.
    """
    walker = _Walker(processor, options)
    try:
        walker.top(document)
    except (_Unsupported, RecursionError):
        return None
    return walker.quads


def _absolute(iri: Any) -> bool:
    """An absolute IRI by safe mode's own test; blank-node labels are handled by the caller."""
    return iri.__class__ is str and iri[:2] != "_:" and absolute_iri(iri) is not None


class _Property:
    """How one key of a node object expands under one active context."""

    __slots__ = ("key", "iri", "ctx", "is_list", "is_graph", "iri_mode", "datatype",
                 "language")

    def __init__(self, key: str, iri: str, ctx: Any, is_list: bool, is_graph: bool,
                 iri_mode: str | None, datatype: str | None, language: str | None) -> None:
        self.key, self.iri, self.ctx = key, iri, ctx
        self.is_list, self.is_graph = is_list, is_graph
        self.iri_mode = iri_mode  # "@id" or "@vocab": a string value is a node reference
        self.datatype = datatype  # the term's datatype coercion
        self.language = language  # the language of a plain string value


class _Plan:
    """What the expansion algorithm does with a node object of a given shape: the contexts it
    ends up in, which key is @id, its types as IRIs, and each property. A plan depends only on
    the active context, the active property, the object's keys and its type names, never on
    the document's values, so plans are shared between documents."""

    __slots__ = ("ctx", "id_key", "type_key", "types", "properties")

    def __init__(self, ctx: Any, id_key: str | None, type_key: str | None,
                 types: tuple[str, ...], properties: tuple[_Property, ...]) -> None:
        self.ctx, self.id_key, self.type_key = ctx, id_key, type_key
        self.types, self.properties = types, properties


# shape -> (active context, the key read as @type, {that key's values: plan})
_PLANS: dict[tuple, tuple[Any, str | None, dict[tuple, _Plan]]] = {}
_MAX_PLANS = 4096


def _type_names(element: dict, type_key: str | None) -> tuple:
    """The raw values of ``element``'s @type entry, as a cache key (a plan holds its types)."""
    if type_key is None:
        return ()
    value = element[type_key]
    names = tuple(value) if isinstance(value, list) else (value,)
    if not all(name.__class__ is str for name in names):
        raise _Unsupported  # pyld's to judge; it is no cache key either
    return names


class _Walker:
    __slots__ = ("processor", "options", "base", "quads", "_seen", "_labels", "_count",
                 "_expand_iri", "_process", "_object_to_rdf")

    def __init__(self, processor: Any, options: dict) -> None:
        self.processor = processor
        self.options = options
        self.base = options.get("base", "")
        self.quads: list[Quad] = []
        self._seen: set[Quad] = set()
        self._labels: dict[str, str] = {}
        self._count = 0
        self._expand_iri = processor._expand_iri
        self._process = processor._process_context
        self._object_to_rdf = processor._object_to_rdf

    # -- output ------------------------------------------------------------------------------

    def _fresh(self) -> str:
        self._count += 1
        return f"_:f{self._count}"

    def _emit(self, graph: str | None, subject: str, predicate: str, obj: Any) -> None:
        quad = (subject, predicate, obj, graph)
        if quad not in self._seen:
            self._seen.add(quad)
            self.quads.append(quad)

    # -- expansion ---------------------------------------------------------------------------

    def top(self, document: Any) -> None:
        if not isinstance(document, dict) or "@context" not in document:
            raise _Unsupported
        active_ctx = self.processor._get_initial_context(self.options)
        if self._node(active_ctx, None, document, None) == 0:
            raise _Unsupported  # a free-floating top-level node: pyld drops it (safe mode: error)

    def _iri_value(self, active_ctx: Any, value: Any, vocab: bool) -> str:
        """An @id-like value as an absolute IRI or a relabelled blank node."""
        if value.__class__ is not str:
            raise _Unsupported
        iri = self._expand_iri(active_ctx, value, base=self.base, vocab=vocab)
        if iri.__class__ is not str:
            raise _Unsupported
        if iri[:2] == "_:":
            mapped = self._labels.get(iri)
            if mapped is None:
                mapped = self._labels[iri] = self._fresh()
            return mapped
        if not _absolute(iri):
            raise _Unsupported
        return iri

    def _plan(self, active_ctx: Any, active_property: str | None, element: dict) -> _Plan:
        """The plan for ``element``: cached by its shape (context, property, keys, local context
        URLs), then by the values of the key that shape reads as @type, whatever its name."""
        keys = tuple(sorted(element))
        local = element.get("@context")
        if local is not None and not (local.__class__ is str or (
                isinstance(local, list) and all(c.__class__ is str for c in local))):
            return self._make_plan(active_ctx, active_property, element, keys)
        shape = (id(active_ctx), active_property, keys,
                 tuple(local) if isinstance(local, list) else local)
        hit = _PLANS.get(shape)
        if hit is not None and hit[0] is active_ctx:
            by_types = hit[2]
            names = _type_names(element, hit[1])
            plan = by_types.get(names)
            if plan is None:
                plan = self._make_plan(active_ctx, active_property, element, keys)
                if len(by_types) >= _MAX_PLANS:
                    by_types.clear()
                by_types[names] = plan
            return plan
        plan = self._make_plan(active_ctx, active_property, element, keys)
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        # Holding the context keeps its id unique while the entry lives.
        _PLANS[shape] = (active_ctx, plan.type_key,
                         {_type_names(element, plan.type_key): plan})
        return plan

    def _make_plan(self, active_ctx: Any, active_property: str | None, element: dict,
                   keys: tuple[str, ...]) -> _Plan:
        """Steps 7–13 of the expansion algorithm (JSON-LD 1.1 §5.1.2) for one shape of node."""
        expand_iri, process, options = self._expand_iri, self._process, self.options
        property_scoped = None
        if active_property is not None:
            mapping = active_ctx["mappings"].get(active_property)
            if mapping:
                property_scoped = mapping.get("@context")
        previous = active_ctx.get("previousContext")
        if previous is not None:
            must_revert = True
            if len(element) <= 2 and "@context" not in element:
                for key in keys:
                    expanded = expand_iri(active_ctx, key, vocab=True)
                    if expanded == "@value":
                        raise _Unsupported  # a value object under a type-scoped context
                    if expanded == "@id" and len(element) == 1:
                        must_revert = False
                        break
            if must_revert:
                active_ctx = previous
        if property_scoped is not None:
            active_ctx = process(active_ctx, property_scoped, options, override_protected=True)
        if "@context" in element:
            local = element["@context"]
            if isinstance(local, dict) and len(local) == 1 and "@context" in local:
                raise _Unsupported
            active_ctx = process(active_ctx, local, options)
        type_scoped_ctx = active_ctx
        type_key = None
        for key in keys:
            if key == "@context" or expand_iri(active_ctx, key, vocab=True) != "@type":
                continue
            if type_key is not None:
                raise _Unsupported  # two keys for @type
            type_key = key
            value = element[key]
            for name in sorted(t for t in (value if isinstance(value, list) else [value])
                               if t.__class__ is str):
                mapping = type_scoped_ctx["mappings"].get(name)
                scoped = mapping.get("@context") if mapping else None
                if scoped is not None and scoped is not False:
                    active_ctx = process(active_ctx, scoped, options, propagate=False)
        id_key = None
        types: list[str] = []
        properties = []
        for key in keys:
            if key == "@context":
                continue
            expanded = expand_iri(active_ctx, key, vocab=True)
            if expanded == "@id":
                if id_key is not None:
                    raise _Unsupported  # colliding keywords
                id_key = key
            elif expanded == "@type":
                value = element[key]
                for name in value if isinstance(value, list) else [value]:
                    if name.__class__ is not str:
                        raise _Unsupported
                    iri = expand_iri(type_scoped_ctx, name, base=self.base, vocab=True)
                    if not _absolute(iri):
                        raise _Unsupported  # relative or blank-node types: pyld's to judge
                    types.append(iri)
            elif expanded.__class__ is not str or expanded[:1] == "@" or not _absolute(expanded):
                raise _Unsupported  # other keywords, undefined or relative terms
            else:
                properties.append(self._property(active_ctx, key, expanded))
        if id_key is None and type_key is None and not properties:
            raise _Unsupported  # an empty node object
        return _Plan(active_ctx, id_key, type_key, tuple(types), tuple(properties))

    def _property(self, active_ctx: Any, key: str, expanded: str) -> _Property:
        mapping = active_ctx["mappings"].get(key)
        term_ctx = active_ctx
        container: tuple = ()
        coercion = None
        if mapping:
            if mapping.get("reverse"):
                raise _Unsupported
            scoped = mapping.get("@context")
            if scoped is not None:
                term_ctx = self._process(active_ctx, scoped, self.options, propagate=True,
                                         override_protected=True)
                # pyld reads the key again in its own scoped context (e.g. "@context": null
                # leaves it undefined there, which changes nothing); a keyword would matter.
                again = self._expand_iri(term_ctx, key, vocab=True)
                if again.__class__ is str and again[:1] == "@":
                    raise _Unsupported
            container = tuple(mapping.get("@container") or ())
            coercion = mapping.get("@type")
        if container not in _PLAIN_CONTAINERS or coercion == "@json":
            raise _Unsupported
        # Value expansion (JSON-LD 1.1 §5.3.2) reads the term in the term's own context.
        term = term_ctx["mappings"].get(key)
        coercion = term.get("@type") if term else None
        iri_mode = coercion if coercion in _IRI_TYPES else None
        datatype = coercion if coercion not in (None, "@id", "@vocab", "@none") else None
        language = None
        if datatype is None:
            language = term.get("@language", _ABSENT) if term else _ABSENT
            if language is _ABSENT:
                language = term_ctx.get("@language")
            direction = term.get("@direction", _ABSENT) if term else _ABSENT
            if direction is _ABSENT:
                direction = term_ctx.get("@direction")
            if direction is not None:
                raise _Unsupported  # safe mode refuses a base direction in RDF
        if datatype is not None and (datatype.__class__ is not str or datatype[:2] == "_:"):
            raise _Unsupported
        return _Property(key, expanded, term_ctx, "@list" in container, "@graph" in container,
                         iri_mode, datatype, language)

    def _node(self, active_ctx: Any, active_property: str | None, element: dict,
              graph: str | None, subject_out: list | None = None) -> int:
        """Emit a node object's quads into ``graph``; return how many entries it has besides
        @id, and put its subject in ``subject_out``."""
        plan = self._plan(active_ctx, active_property, element)
        subject = (self._iri_value(plan.ctx, element[plan.id_key], vocab=False)
                   if plan.id_key is not None else self._fresh())
        if subject_out is not None:
            subject_out.append(subject)
        for iri in plan.types:
            self._emit(graph, subject, RDF_TYPE, iri)
        for prop in plan.properties:
            value = element[prop.key]
            if value is None:
                raise _Unsupported
            values = value if isinstance(value, list) else (value,)
            if prop.is_list:
                self._emit(graph, subject, prop.iri, self._list(prop, values, graph))
                continue
            emitted = False
            for item in values:
                if item is None:
                    continue
                if prop.is_graph:
                    if not isinstance(item, dict):
                        raise _Unsupported
                    name = self._fresh()
                    if self._node(prop.ctx, prop.key, item, name) == 0:
                        raise _Unsupported  # pyld's graph container would drop it
                    self._emit(graph, subject, prop.iri, name)
                else:
                    self._emit(graph, subject, prop.iri, self._object(prop, item, graph))
                emitted = True
            if not emitted:
                raise _Unsupported  # a property whose values all expand to nothing
        return len(plan.properties) + (plan.type_key is not None)

    def _object(self, prop: _Property, item: Any, graph: str | None) -> Any:
        """The RDF object for one value of ``prop``, emitting a nested node's quads."""
        cls = item.__class__
        if cls is str:
            if prop.iri_mode is not None:
                return self._iri_value(prop.ctx, item, vocab=prop.iri_mode == "@vocab")
            if prop.datatype is None:
                if prop.language is not None:
                    return (item, RDF_LANGSTRING, prop.language)
                return (item, XSD_STRING, None)
            if prop.datatype != XSD_DOUBLE:
                return (item, prop.datatype, None)
        elif cls is bool:
            return ("true" if item else "false", prop.datatype or XSD_BOOLEAN, None)
        elif cls is int:
            if prop.datatype != XSD_DOUBLE and -10**21 < item < 10**21:
                return (str(item), prop.datatype or XSD_INTEGER, None)
        elif cls is dict:
            if "@value" in item:  # an alias of @value makes the node's plan step aside
                return self._value_object(prop, item)
            subject: list[str] = []
            self._node(prop.ctx, prop.key, item, graph, subject)
            return subject[0]
        elif cls is list:
            raise _Unsupported  # nested arrays are flattened by pyld: leave it to pyld
        # Doubles and other rare values: pyld's own conversion, to the byte.
        literal = {"@value": item}
        if prop.datatype is not None:
            literal["@type"] = prop.datatype
        return self._literal(literal)

    def _value_object(self, prop: _Property, item: dict) -> Any:
        ctx = prop.ctx
        mapping = ctx["mappings"].get(prop.key)
        if (mapping and mapping.get("@context") is not None) or "@context" in item \
                or ctx.get("previousContext") is not None:
            raise _Unsupported
        expanded: dict[str, Any] = {}
        for name, value in item.items():
            keyword = self._expand_iri(ctx, name, vocab=True)
            if keyword not in _VALUE_KEYS or keyword in expanded:
                raise _Unsupported
            expanded[keyword] = value
        value = expanded["@value"]
        if value is None or isinstance(value, (dict, list)):
            raise _Unsupported
        literal: dict[str, Any] = {"@value": value}
        if "@type" in expanded:
            name = expanded["@type"]
            if "@language" in expanded or name.__class__ is not str:
                raise _Unsupported
            type_mapping = ctx["mappings"].get(name)
            if type_mapping and type_mapping.get("@context") is not None:
                raise _Unsupported  # a type-scoped context on a datatype
            datatype = self._expand_iri(ctx, name, base=self.base, vocab=True)
            if not _absolute(datatype):
                raise _Unsupported
            literal["@type"] = datatype
        if "@language" in expanded:
            language = expanded["@language"]
            if language.__class__ is not str or value.__class__ is not str \
                    or not bcp47(language):
                raise _Unsupported
            literal["@language"] = language.lower()
        return self._literal(literal)

    def _literal(self, literal: dict) -> tuple[str, str, str | None]:
        obj = self._object_to_rdf(literal, None, [], self.options)
        lexical = obj["value"]
        if lexical.__class__ is not str:
            raise _Unsupported  # pyld keeps e.g. 1.0 as a float: leave such values to pyld
        return (lexical, obj["datatype"], obj.get("language"))

    def _list(self, prop: _Property, items: tuple | list, graph: str | None) -> str:
        objects = []
        for item in items:
            if item is None:
                continue
            if isinstance(item, dict) and any(
                    self._expand_iri(prop.ctx, name, vocab=True) in ("@list", "@set")
                    for name in item):
                raise _Unsupported
            objects.append(self._object(prop, item, graph))
        if not objects:
            return RDF_NIL
        head = node = self._fresh()
        for index, obj in enumerate(objects):
            self._emit(graph, node, RDF_FIRST, obj)
            following = self._fresh() if index + 1 < len(objects) else None
            self._emit(graph, node, RDF_REST, following or RDF_NIL)
            if following:
                node = following
        return head


# -- RDFC-1.0 ----------------------------------------------------------------------------------


def canonical_nquads(quads: list[Quad], hash_name: str) -> str:
    """RDFC-1.0 canonical N-Quads of ``quads`` (each quad once), hashing with ``hash_name``.

    Follows RDFC-1.0 §4.4 as pyld's URDNA2015 does, to the byte (a quad naming a blank node
    twice counts twice for it, as in pyld). The N-degree steps (§4.8), needed when blank nodes
    look alike (three similar credentials in one presentation), stop after
    ``N_DEGREE_LIMIT`` calls: a dataset built to make them explode is refused, not computed.
    """
    return _Canonicalizer(quads, hash_name).run()


N_DEGREE_LIMIT = 10_000


class _Issuer:
    """An identifier issuer (RDFC-1.0 §4.5)."""

    __slots__ = ("prefix", "counter", "existing", "order")

    def __init__(self, prefix: str) -> None:
        self.prefix, self.counter = prefix, 0
        self.existing: dict[str, str] = {}
        self.order: list[str] = []

    def issue(self, old: str) -> str:
        new = self.existing.get(old)
        if new is None:
            new = self.existing[old] = f"{self.prefix}{self.counter}"
            self.counter += 1
            self.order.append(old)
        return new

    def copy(self) -> _Issuer:
        twin = _Issuer(self.prefix)
        twin.counter, twin.existing, twin.order = self.counter, dict(self.existing), [*self.order]
        return twin


class _Canonicalizer:
    def __init__(self, quads: list[Quad], hash_name: str) -> None:
        self.quads, self.hash_name = quads, hash_name
        # Each quad's N-Quads text is made once, with holes where its blank nodes go: the
        # first-degree hashes and the final output fill them with different labels.
        self.templates = templates = [_template(quad) for quad in quads]
        # The quads (as templates) that mention each blank node, once per mention.
        self.by_node: dict[str, list[_Template]] = {}
        add = self.by_node.setdefault
        for t in templates:
            if t[1] is None:
                add(t[0], []).append(t)
            if t[4] is None:
                add(t[3], []).append(t)
            if t[6] is None:
                add(t[5], []).append(t)
        self.first: dict[str, str] = {}
        self.canonical = _Issuer("_:c14n")
        self.calls = 0

    def _hash(self, text: str) -> str:
        return hashlib.new(self.hash_name, text.encode("utf-8")).hexdigest()

    def first_degree(self, node: str) -> str:
        """Hash First Degree Quads (§4.6)."""
        found = self.first.get(node)
        if found is None:
            lines = sorted([_first_degree_line(t, node) for t in self.by_node[node]])
            found = self.first[node] = self._hash("".join(lines))
        return found

    def run(self) -> str:
        by_hash: dict[str, list[str]] = {}
        for node in self.by_node:
            by_hash.setdefault(self.first_degree(node), []).append(node)
        shared = []
        for digest in sorted(by_hash):
            nodes = by_hash[digest]
            if len(nodes) == 1:
                self.canonical.issue(nodes[0])
            else:
                shared.append(nodes)
        for nodes in shared:
            results = []
            for node in nodes:
                if node in self.canonical.existing:
                    continue
                issuer = _Issuer("_:b")
                issuer.issue(node)
                results.append(self.n_degree(node, issuer))
            for _digest, issuer in sorted(results, key=lambda result: result[0]):
                for existing in issuer.order:
                    self.canonical.issue(existing)
        labels = self.canonical.existing
        return "".join(sorted([_line(t, labels) for t in self.templates]))

    def _related(self, related: str, predicate: str, issuer: _Issuer, position: str) -> str:
        """Hash Related Blank Node (§4.7); ``predicate`` is written ``<iri>``."""
        label = self.canonical.existing.get(related) or issuer.existing.get(related) \
            or self.first_degree(related)
        return self._hash(position + (predicate if position != "g" else "") + label)

    def n_degree(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """Hash N-Degree Quads (§4.8)."""
        self.calls += 1
        if self.calls > N_DEGREE_LIMIT:
            from verifier.errors import MalformedDocument

            raise MalformedDocument("The document's blank nodes are too alike to canonicalize "
                                    "within RDFC-1.0's work limit.", detail="poison dataset")
        related_by_hash: dict[str, list[str]] = {}
        for subject, _s, spaced, obj, _o, graph, _g in self.by_node[node]:
            predicate = spaced[1:-1]  # " <iri> " -> "<iri>"
            for position, component in (("s", subject), ("o", obj), ("g", graph)):
                if component.__class__ is str and component[:2] == "_:" and component != node:
                    digest = self._related(component, predicate, issuer, position)
                    related_by_hash.setdefault(digest, []).append(component)
        data = ""
        canonical = self.canonical.existing
        for digest in sorted(related_by_hash):
            data += digest
            chosen_path, chosen_issuer = "", None
            for permutation in permutations(related_by_hash[digest]):
                issuer_copy = issuer.copy()
                path, recursion = "", []
                for related in permutation:
                    if related in canonical:
                        path += canonical[related]
                    else:
                        if related not in issuer_copy.existing:
                            recursion.append(related)
                        path += issuer_copy.issue(related)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        break
                else:
                    for related in recursion:
                        result_hash, issuer_copy = self.n_degree(related, issuer_copy)
                        path += issuer_copy.issue(related) + f"<{result_hash}>"
                        if chosen_path and len(path) >= len(chosen_path) \
                                and path > chosen_path:
                            break
                    else:
                        if not chosen_path or path < chosen_path:
                            chosen_path, chosen_issuer = path, issuer_copy
            data += chosen_path
            assert chosen_issuer is not None
            issuer = chosen_issuer
        return self._hash(data), issuer


# A quad's text with holes: (subject, its text or None for a blank node, " <predicate> ",
# object, its text or None, graph, " <graph> .\n" / " .\n" or None for a blank graph name).
_Template = tuple[str, str | None, str, Any, str | None, str | None, str | None]


def _template(quad: Quad) -> _Template:
    subject, predicate, obj, graph = quad
    s = None if subject[:2] == "_:" else f"<{subject}>"
    if obj.__class__ is str:
        o = None if obj[:2] == "_:" else f"<{obj}>"
    else:
        lexical, datatype, language = obj
        o = f'"{escape(lexical)}"'
        if datatype == RDF_LANGSTRING:
            if language:
                o += "@" + language
        elif datatype != XSD_STRING:
            o += f"^^<{datatype}>"
    if graph is None:
        g: str | None = " .\n"
    else:
        g = None if graph[:2] == "_:" else f" <{graph}> .\n"
    return subject, s, f" <{predicate}> ", obj, o, graph, g


def _first_degree_line(t: _Template, node: str) -> str:
    """The quad with ``node`` as ``_:a`` and every other blank node as ``_:z`` (§4.6)."""
    subject, s, p, obj, o, graph, g = t
    return ((s if s is not None else "_:a" if subject == node else "_:z") + p
            + (o if o is not None else "_:a" if obj == node else "_:z")
            + (g if g is not None else " _:a .\n" if graph == node else " _:z .\n"))


def _line(t: _Template, labels: dict[str, str]) -> str:
    """The quad with its blank nodes' canonical labels."""
    subject, s, p, obj, o, graph, g = t
    return ((s if s is not None else labels[subject]) + p
            + (o if o is not None else labels[obj])
            + (g if g is not None else f" {labels[graph]} .\n"))
