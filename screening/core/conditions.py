"""Structured conditions: parsed once from YAML mappings, evaluated many times.

A condition is a small tree (``all`` / ``any`` / ``not`` over tests of items, scores and
flags). There is no ``eval`` and no string expression language. Every test against an
item that has no value (skipped, declined, unanswered or not shown) is false, except the
explicit state tests ``answered``, ``skipped`` and ``declined``.

Besides true or false, :meth:`Condition.holds` tells a third case: "cannot tell" (None),
when the answer would depend on something missing: an item skipped, declined, not yet
answered or not asked because an earlier answer it hangs on is missing, an incomplete
score, or a flag that itself cannot be told (Kleene's three-valued logic). A need whose
rules cannot be told is ``unknown``, never ``none``.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from screening.core.answers import DECLINED, SKIPPED, Answer, Missing


class Facts(Protocol):
    """What a condition may look at. Supplied by the interview or the scorer."""

    def answer(self, item_id: str) -> Answer | None:
        """The effective answer of a shown item; None when unanswered or not shown."""

    def numeric(self, item_id: str) -> float | None:
        """The number an item's answer stands for, if it has one."""

    def score(self, score_id: str) -> tuple[float, str | None] | None:
        """(value, band id) of a complete score, or None when it is incomplete."""

    def flag(self, flag_id: str) -> bool:
        """Whether a flag is raised."""

    def derived(self, name: str) -> object | None:
        """A derived value (see :mod:`screening.core.derived`); None when unknown."""


class Uncertain(Facts, Protocol):
    """Facts that also know what they cannot tell. Supplied by the scorer."""

    def unknown(self, ref: str) -> bool:
        """Whether the item ("item:ID"), score or flag behind ``ref`` cannot be told from
        these answers, so that a test of it is neither true nor false."""


Ref = str  # "item:ID", "score:ID", "flag:ID" or "derived:ID"

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "equals": operator.eq,
}
ITEM_OPS = ("equals", "in", "includes", "gt", "gte", "lt", "lte", "answered", "skipped", "declined")
SCORE_OPS = ("equals", "gt", "gte", "lt", "lte", "band")
DERIVED_OPS = ("equals", "in", "gt", "gte", "lt", "lte", "known")


def _same(a: object, b: object) -> bool:
    """Equality that keeps JSON types apart: 1 is not "1", True is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


class Condition:
    """Base of the condition tree."""

    __slots__ = ()

    def evaluate(self, facts: Facts) -> bool:
        raise NotImplementedError

    def explain(self, facts: Facts) -> list[Ref]:
        """The references that make this (true) condition true, in order."""
        raise NotImplementedError

    def holds(self, facts: Uncertain) -> bool | None:
        """True, False, or None when the answers cannot tell (three-valued)."""
        raise NotImplementedError

    def unknowns(self, facts: Uncertain) -> list[Ref]:
        """The references that leave this condition untold (empty when it is told)."""
        if self.holds(facts) is not None:
            return []
        return _unique(ref for c in self.children() for ref in c.unknowns(facts))

    def children(self) -> Sequence[Condition]:
        return ()

    def walk(self) -> Iterator[Condition]:
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class All(Condition):
    conditions: tuple[Condition, ...]

    def evaluate(self, facts: Facts) -> bool:
        return all(c.evaluate(facts) for c in self.conditions)

    def holds(self, facts: Uncertain) -> bool | None:
        told = [c.holds(facts) for c in self.conditions]
        return False if False in told else None if None in told else True

    def explain(self, facts: Facts) -> list[Ref]:
        return _unique(ref for c in self.conditions for ref in c.explain(facts))

    def children(self) -> Sequence[Condition]:
        return self.conditions


@dataclass(frozen=True, slots=True)
class Any(Condition):
    conditions: tuple[Condition, ...]

    def evaluate(self, facts: Facts) -> bool:
        return any(c.evaluate(facts) for c in self.conditions)

    def holds(self, facts: Uncertain) -> bool | None:
        told = [c.holds(facts) for c in self.conditions]
        return True if True in told else None if None in told else False

    def explain(self, facts: Facts) -> list[Ref]:
        return _unique(
            ref for c in self.conditions if c.evaluate(facts) for ref in c.explain(facts)
        )

    def children(self) -> Sequence[Condition]:
        return self.conditions


@dataclass(frozen=True, slots=True)
class Not(Condition):
    condition: Condition

    def evaluate(self, facts: Facts) -> bool:
        return not self.condition.evaluate(facts)

    def holds(self, facts: Uncertain) -> bool | None:
        told = self.condition.holds(facts)
        return None if told is None else not told

    def explain(self, facts: Facts) -> list[Ref]:
        return _unique(_refs(self.condition))

    def children(self) -> Sequence[Condition]:
        return (self.condition,)


class _Leaf(Condition):
    """A test of one thing (an item, score, flag or derived value), named by its
    reference: untold exactly when that thing cannot be told."""

    __slots__ = ()

    def ref(self) -> Ref:
        raise NotImplementedError

    def explain(self, facts: Facts) -> list[Ref]:
        return [self.ref()]

    def holds(self, facts: Uncertain) -> bool | None:
        return None if facts.unknown(self.ref()) else self.evaluate(facts)

    def unknowns(self, facts: Uncertain) -> list[Ref]:
        return [self.ref()] if self.holds(facts) is None else []


@dataclass(frozen=True, slots=True)
class ItemTest(_Leaf):
    item: str
    op: str
    value: object

    def evaluate(self, facts: Facts) -> bool:
        answer = facts.answer(self.item)
        if self.op == "answered":
            return (answer is not None and not isinstance(answer, Missing)) is self.value
        if self.op == "skipped":
            return (answer is SKIPPED or answer is DECLINED) is self.value
        if self.op == "declined":
            return (answer is DECLINED) is self.value
        if answer is None or isinstance(answer, Missing):
            return False
        if self.op == "equals":
            return _same(answer, self.value)
        if self.op == "in":
            assert isinstance(self.value, tuple)
            return any(_same(answer, v) for v in self.value)
        if self.op == "includes":
            return isinstance(answer, tuple) and any(_same(a, self.value) for a in answer)
        number = facts.numeric(self.item)
        if number is None or not isinstance(self.value, int | float):
            return False
        return _COMPARE[self.op](number, self.value)

    def ref(self) -> Ref:
        return f"item:{self.item}"


@dataclass(frozen=True, slots=True)
class ScoreTest(_Leaf):
    score: str
    op: str
    value: object

    def evaluate(self, facts: Facts) -> bool:
        result = facts.score(self.score)
        if result is None:
            return False
        number, band = result
        if self.op == "band":
            assert isinstance(self.value, tuple)
            return band in self.value
        assert isinstance(self.value, int | float)
        return _COMPARE[self.op](number, self.value)

    def ref(self) -> Ref:
        return f"score:{self.score}"


@dataclass(frozen=True, slots=True)
class FlagTest(_Leaf):
    flag: str

    def evaluate(self, facts: Facts) -> bool:
        return facts.flag(self.flag)

    def ref(self) -> Ref:
        return f"flag:{self.flag}"


@dataclass(frozen=True, slots=True)
class DerivedTest(_Leaf):
    """A test of a derived value: false when the value is unknown, except ``known``.
    A date value compares with text written YYYY-MM-DD."""

    name: str
    op: str
    value: object

    def evaluate(self, facts: Facts) -> bool:
        found = facts.derived(self.name)
        if self.op == "known":
            return (found is not None) is self.value
        if found is None:
            return False
        if isinstance(found, dt.date):
            found = found.isoformat()
        if self.op == "equals":
            return _same(found, self.value)
        if self.op == "in":
            assert isinstance(self.value, tuple)
            return any(_same(found, v) for v in self.value)
        if isinstance(found, bool) or not isinstance(found, int | float):
            return False
        if not isinstance(self.value, int | float):
            return False
        return _COMPARE[self.op](found, self.value)

    def ref(self) -> Ref:
        return f"derived:{self.name}"

    def holds(self, facts: Uncertain) -> bool | None:
        if self.op == "known":  # whether it is known is always told
            return self.evaluate(facts)
        return _Leaf.holds(self, facts)  # (no zero-argument super in a slots dataclass)


def _unique(refs: Iterator[Ref] | list[Ref]) -> list[Ref]:
    return list(dict.fromkeys(refs))


def _refs(condition: Condition) -> Iterator[Ref]:
    return (node.ref() for node in condition.walk() if isinstance(node, _Leaf))


def references(condition: Condition) -> list[Ref]:
    """Every item, score, flag and derived value a condition looks at, in order, once each."""
    return _unique(_refs(condition))


def parse(raw: Mapping[str, object]) -> Condition:
    """Build a condition from its (schema-valid) mapping form."""
    if "all" in raw:
        return All(tuple(parse(_mapping(c)) for c in _sequence(raw["all"])))
    if "any" in raw:
        return Any(tuple(parse(_mapping(c)) for c in _sequence(raw["any"])))
    if "not" in raw:
        return Not(parse(_mapping(raw["not"])))
    if "flag" in raw:
        return FlagTest(str(raw["flag"]))
    if "derived" in raw:
        op = next(k for k in raw if k != "derived")
        value = raw[op]
        if op == "in":
            value = tuple(_sequence(value))
        return DerivedTest(str(raw["derived"]), op, value)
    if "score" in raw:
        op = next(k for k in raw if k != "score")
        value = raw[op]
        if op == "band":
            value = tuple(value) if isinstance(value, list) else (value,)
        return ScoreTest(str(raw["score"]), op, value)
    op = next(k for k in raw if k != "item")
    value = raw[op]
    if op == "in":
        value = tuple(_sequence(value))
    return ItemTest(str(raw["item"]), op, value)


def _mapping(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise TypeError("a condition must be a mapping")
    return value


def _sequence(value: object) -> Sequence[object]:
    if not isinstance(value, list | tuple):
        raise TypeError("expected a list")
    return value
