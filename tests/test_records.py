"""verifier.records.Record behaves as the frozen dataclasses it replaced."""

from __future__ import annotations

import pickle
from typing import ClassVar

import pytest

from verifier.records import FrozenError, Record, factory, replace


class Point(Record):
    x: int
    y: int = 0
    tags: dict = factory(dict)
    kind: ClassVar[str] = "point"


class Entry(Record, kw_only=True):
    id: str
    names: tuple = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(self.names))


def test_construction_defaults_and_factories():
    p = Point(1)
    assert (p.x, p.y, p.tags) == (1, 0, {})
    assert Point(1).tags is not Point(1).tags
    assert Point(x=1, y=2) == Point(1, 2)
    assert Point._fields == ("x", "y", "tags")
    assert Point.__match_args__ == ("x", "y", "tags")


def test_wrong_arguments_are_refused():
    with pytest.raises(TypeError):
        Point()
    with pytest.raises(TypeError):
        Point(1, 2, {}, 4)
    with pytest.raises(TypeError):
        Point(1, z=3)
    with pytest.raises(TypeError):
        Entry("a")


def test_frozen():
    p = Point(1)
    with pytest.raises(FrozenError):
        p.x = 2
    with pytest.raises(AttributeError):
        del p.x
    assert p.x == 1


def test_equality_hash_and_repr():
    assert Point(1) == Point(1) and Point(1) != Point(2)
    assert Point(1, 2) != (1, 2, {})
    assert Entry(id="a") == Entry(id="a", names=[])
    assert hash(Entry(id="a")) == hash(Entry(id="a"))
    with pytest.raises(TypeError):
        hash(Point(1))  # a dict field is unhashable, as with a frozen dataclass
    assert repr(Point(1)) == "Point(x=1, y=0, tags={})"


def test_post_init_and_replace():
    e = Entry(id="a", names=["x"])
    assert e.names == ("x",)
    changed = replace(e, names=["y"])
    assert changed.names == ("y",) and e.names == ("x",)
    with pytest.raises(TypeError):
        replace(e, other=1)


def test_field_order_is_checked():
    with pytest.raises(TypeError, match="without a default"):
        class Bad(Record):
            a: int = 1
            b: int


def test_pickles():
    p = Point(1, 2, {"a": 1})
    assert pickle.loads(pickle.dumps(p)) == p
