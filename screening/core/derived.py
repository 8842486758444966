"""Derived values: numbers, text and dates computed from answers (pure, declarative).

A derived value is a small tree of operations written as YAML mappings (``{sum: [a, b]}``,
``{if: {cond: ..., then: ..., else: ...}}``), built once by the loader and evaluated
many times. There is no ``eval`` and no string expression language.

It is the same mechanism as ask once (an item's ``derive`` map): a value read from other
answers, never asked. The item's map gives an item's answer from another instrument's
item (:func:`screening.core.route.derived_answer`); the ``derived`` block gives named
values inside an instrument, and its ``lookup`` reads through the very same kind of map
(:func:`map_value`). Both are computed from the answers on every call, in the route.

Missing answers: a value is *unknown* (None) when an answer it needs is skipped,
declined, unanswered or not shown, or a score it needs is incomplete. Every operation
on an unknown is unknown (a sum of a skipped answer is unknown: nothing is imputed),
except ``coalesce`` (the first known value) and ``if``, whose condition is a show-if
condition: a test of a missing answer is false there, as in show_if.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from screening.core.answers import iso_date
from screening.core.conditions import Condition, Facts, references

DValue = int | float | str | dt.date  # what a derived value can be; None is unknown
TYPES = ("number", "text", "date")


class Env(Facts, Protocol):
    """What an expression may look at: the facts of conditions and the day of the
    interview (None when not given: a difference from today is then unknown)."""

    def today(self) -> dt.date | None: ...


def map_value(pairs: Sequence[tuple[object, object]], value: object) -> object | None:
    """The value a map gives ``value``; None without a row (1 and "1" differ, True is
    none). Shared by ask once's ``derive`` maps and the ``lookup`` operation."""
    for key, target in pairs:
        if type(key) is type(value) and key == value:
            return target
    return None


def tidy(value: float) -> int | float:
    """A whole float as an int (2.0 -> 2), so sums of integer answers stay integers."""
    if isinstance(value, int) or not math.isfinite(value):
        return value
    return int(value) if value.is_integer() else value


class Expr:
    """Base of the expression tree. ``type`` is one of :data:`TYPES`."""

    __slots__ = ()
    type: str = "number"

    def value(self, env: Env) -> DValue | None:
        raise NotImplementedError

    def children(self) -> Sequence[Expr]:
        return ()

    def refs(self) -> Iterator[str]:
        """Every item, score and derived value this expression reads ("item:ID", ...)."""
        for child in self.children():
            yield from child.refs()


@dataclass(frozen=True, slots=True)
class Const(Expr):
    literal: DValue
    type: str = "number"

    def value(self, env: Env) -> DValue | None:
        return self.literal


@dataclass(frozen=True, slots=True)
class ItemRef(Expr):
    """An item's answer: its number (an option's score or integer value, the number
    typed, the sum of the options chosen), or for a text, date or a choice item whose
    options carry no numbers, the text or date itself."""

    item: str
    type: str = "number"

    def value(self, env: Env) -> DValue | None:
        if self.type == "number":
            number = env.numeric(self.item)
            return None if number is None else tidy(number)
        answer = env.answer(self.item)
        if not isinstance(answer, str):
            return None
        return iso_date(answer) if self.type == "date" else answer

    def refs(self) -> Iterator[str]:
        yield f"item:{self.item}"


@dataclass(frozen=True, slots=True)
class ScoreRef(Expr):
    score: str

    def value(self, env: Env) -> DValue | None:
        found = env.score(self.score)
        return None if found is None else tidy(found[0])

    def refs(self) -> Iterator[str]:
        yield f"score:{self.score}"


@dataclass(frozen=True, slots=True)
class DerivedRef(Expr):
    name: str
    type: str = "number"

    def value(self, env: Env) -> DValue | None:
        found = env.derived(self.name)
        return found if isinstance(found, int | float | str | dt.date) else None

    def refs(self) -> Iterator[str]:
        yield f"derived:{self.name}"


@dataclass(frozen=True, slots=True)
class Today(Expr):
    type: str = "date"

    def value(self, env: Env) -> DValue | None:
        return env.today()


def _numbers(args: Sequence[Expr], env: Env) -> list[float] | None:
    out: list[float] = []
    for arg in args:
        found = arg.value(env)
        if isinstance(found, bool) or not isinstance(found, int | float):
            return None
        out.append(found)
    return out


def _divide(numbers: list[float]) -> float | None:
    return None if numbers[1] == 0 else numbers[0] / numbers[1]


ARITHMETIC: dict[str, Callable[[list[float]], float | None]] = {
    "sum": lambda n: math.fsum(n) if any(isinstance(x, float) for x in n) else sum(n),
    "subtract": lambda n: n[0] - n[1],
    "multiply": math.prod,
    "divide": _divide,
    "min": min,
    "max": max,
}
BINARY = frozenset({"subtract", "divide"})


@dataclass(frozen=True, slots=True)
class Arithmetic(Expr):
    op: str
    args: tuple[Expr, ...]

    def value(self, env: Env) -> DValue | None:
        numbers = _numbers(self.args, env)
        if numbers is None:
            return None
        found = ARITHMETIC[self.op](numbers)
        if found is None or not math.isfinite(found):
            return None
        return tidy(found)

    def children(self) -> Sequence[Expr]:
        return self.args


@dataclass(frozen=True, slots=True)
class CountSelected(Expr):
    """How many options of a multiple-choice item are chosen (unknown when it has no
    answer: skipped, declined, unanswered or not shown)."""

    item: str

    def value(self, env: Env) -> DValue | None:
        answer = env.answer(self.item)
        return len(answer) if isinstance(answer, tuple | list) else None

    def refs(self) -> Iterator[str]:
        yield f"item:{self.item}"


@dataclass(frozen=True, slots=True)
class If(Expr):
    cond: Condition
    then: Expr
    otherwise: Expr
    type: str = "number"

    def value(self, env: Env) -> DValue | None:
        return (self.then if self.cond.evaluate(env) else self.otherwise).value(env)

    def children(self) -> Sequence[Expr]:
        return (self.then, self.otherwise)

    def refs(self) -> Iterator[str]:
        yield from references(self.cond)
        yield from self.then.refs()
        yield from self.otherwise.refs()


@dataclass(frozen=True, slots=True)
class Coalesce(Expr):
    args: tuple[Expr, ...]
    type: str = "number"

    def value(self, env: Env) -> DValue | None:
        for arg in self.args:
            found = arg.value(env)
            if found is not None:
                return found
        return None

    def children(self) -> Sequence[Expr]:
        return self.args


@dataclass(frozen=True, slots=True)
class Lookup(Expr):
    """The value a map gives another value (the rows of ask once's ``derive`` map);
    unknown when the map has no row for it."""

    of: Expr
    pairs: tuple[tuple[DValue, DValue], ...]
    type: str = "number"

    def value(self, env: Env) -> DValue | None:
        found = self.of.value(env)
        if found is None:
            return None
        target = map_value(self.pairs, found)
        return target if isinstance(target, int | float | str) else None

    def children(self) -> Sequence[Expr]:
        return (self.of,)


def whole_years(start: dt.date, end: dt.date) -> int:
    """Completed years from ``start`` to ``end`` (an age); negative when ``end`` is earlier."""
    if end < start:
        return -whole_years(end, start)
    return whole_months(start, end) // 12


def whole_months(start: dt.date, end: dt.date) -> int:
    """Completed calendar months from ``start`` to ``end``: 31 January to 28 February
    is 0 (the 31st is not reached), to 1 March is 1."""
    if end < start:
        return -whole_months(end, start)
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


UNITS: dict[str, Callable[[dt.date, dt.date], int]] = {
    "years_between": whole_years,
    "months_between": whole_months,
    "days_between": lambda start, end: (end - start).days,
}


@dataclass(frozen=True, slots=True)
class Between(Expr):
    """Whole years, months or days from one date to another."""

    unit: str
    start: Expr
    end: Expr

    def value(self, env: Env) -> DValue | None:
        start, end = self.start.value(env), self.end.value(env)
        if not isinstance(start, dt.date) or not isinstance(end, dt.date):
            return None
        return UNITS[self.unit](start, end)

    def children(self) -> Sequence[Expr]:
        return (self.start, self.end)


@dataclass(frozen=True, slots=True)
class DerivedValue:
    """A named derived value of an instrument."""

    id: str
    expr: Expr
    instrument_id: str = ""
    label: str | None = None

    @property
    def type(self) -> str:
        return self.expr.type

    def refs(self) -> list[str]:
        return list(dict.fromkeys(self.expr.refs()))


def to_json(value: DValue | None) -> object:
    """A derived value in JSON: numbers and text as they are, a date as YYYY-MM-DD."""
    return value.isoformat() if isinstance(value, dt.date) else value
