"""Small immutable value classes, declared like frozen dataclasses but made without generated code.

``@dataclass(frozen=True)`` writes the source of ``__init__``, ``__eq__``, ``__hash__``,
``__repr__``, ``__setattr__`` and ``__delattr__`` for every class and compiles it with
``exec`` when the module is imported: about a millisecond per class on Python 3.11.  A
one-shot ``verifier verify`` imports some thirty of them, so that alone cost a fifth of its
run.  :class:`Record` gives the same behaviour from methods written once here, and compiles
only a class's ``__init__`` (as fast as a dataclass's), when its first instance is made::

    class Concept(Record):
        label: LangText = EMPTY
        uri: str | None = None
        paths: Mapping[str, str] = factory(dict)

- fields are the class's annotated names, in order (``ClassVar`` ones excepted), with the
  class attribute as default and :func:`factory` for a default made fresh for each instance;
- positional or keyword construction, ``kw_only=True`` as a class keyword for keyword only;
  ``__post_init__`` runs after the fields are set (it may use ``object.__setattr__``);
- equality by type and field values, hashing by field values (a class may define its own
  ``__hash__``), a dataclass-like ``repr``; setting or deleting an attribute raises
  :class:`FrozenError`;
- :func:`replace` makes a changed copy and ``cls._fields`` names the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

_MISSING: Any = object()
R = TypeVar("R", bound="Record")


class FrozenError(AttributeError):
    """An attempt to change a field of a :class:`Record`."""


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def factory(make: Callable[[], Any]) -> Any:
    """A field default made by calling ``make()`` for each new instance (``dict``, ``list``)."""
    return _Factory(make)


def _is_class_var(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return annotation.startswith(("ClassVar", "typing.ClassVar"))
    return getattr(annotation, "__origin__", None) is ClassVar


class Record:
    """Base class of immutable value objects; see the module's description."""

    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _factories: ClassVar[dict[str, Callable[[], Any]]] = {}
    _kw_only: ClassVar[bool] = False
    _post_init: ClassVar[bool] = False

    def __init_subclass__(cls, *, kw_only: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = list(cls._fields)
        defaults = dict(cls._defaults)
        factories = dict(cls._factories)
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if _is_class_var(annotation):
                continue
            if name not in fields:
                fields.append(name)
            value = cls.__dict__.get(name, _MISSING)
            if isinstance(value, _Factory):
                factories[name] = value.make
                defaults.pop(name, None)
                delattr(cls, name)
            elif value is not _MISSING:
                defaults[name] = value
                factories.pop(name, None)
        cls._fields = tuple(fields)
        cls._defaults = defaults
        cls._factories = factories
        cls._kw_only = kw_only or cls._kw_only
        cls._post_init = hasattr(cls, "__post_init__")
        cls.__match_args__ = () if cls._kw_only else cls._fields
        if not cls._kw_only:
            required = [n for n in fields if n not in defaults and n not in factories]
            if required and fields.index(required[-1]) > min(
                    (fields.index(n) for n in fields if n not in required), default=len(fields)):
                raise TypeError(f"{cls.__name__}: field {required[-1]!r} without a default "
                                f"follows one with a default")
        if "__init__" not in cls.__dict__:
            cls.__init__ = Record.__init__  # type: ignore[method-assign]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The first instance of a class compiles that class's own ``__init__`` (one small
        # ``exec``, only for the classes a run actually makes), which then replaces this one.
        cls = self.__class__
        cls.__init__ = _compile_init(cls)  # type: ignore[method-assign]
        cls.__init__(self, *args, **kwargs)

    def _values(self) -> tuple[Any, ...]:
        values = self.__dict__
        return tuple([values[name] for name in self._fields])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={self.__dict__[name]!r}" for name in self._fields)
        return f"{self.__class__.__qualname__}({inner})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenError(f"cannot delete field {name!r}")


def _compile_init(cls: type[Record]) -> Callable[..., None]:
    """``__init__`` for ``cls``: its fields as parameters, stored straight in the instance."""
    params, body = [], []
    scope: dict[str, Any] = {"_MISSING": _MISSING}
    for i, name in enumerate(cls._fields):
        if name in cls._defaults:
            scope[f"_d{i}"] = cls._defaults[name]
            params.append(f"{name}=_d{i}")
        elif name in cls._factories:
            scope[f"_f{i}"] = cls._factories[name]
            params.append(f"{name}=_MISSING")
            body.append(f"  if {name} is _MISSING: {name} = _f{i}()")
        else:
            params.append(name)
        body.append(f"  d[{name!r}] = {name}")
    if cls._post_init:
        body.append("  self.__post_init__()")
    star = "*, " if cls._kw_only and params else ""
    source = (f"def __init__(self, {star}{', '.join(params)}):\n  d = self.__dict__\n"
              + "\n".join(body) + "\n")
    exec(source, scope)  # the source is made from the class's own field names
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def replace(record: R, /, **changes: Any) -> R:
    """A copy of ``record`` with the named fields changed (like :func:`dataclasses.replace`)."""
    cls = record.__class__
    for name in changes:
        if name not in cls._fields:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
    values = {name: changes[name] if name in changes else record.__dict__[name]
              for name in cls._fields}
    return cls(**values)
