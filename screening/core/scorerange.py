"""The range a score can take, and whether its bands cover it exactly (pure)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from screening.core import derived as dv
from screening.core.model import Item, Score

_ANY = (-math.inf, math.inf, False)


@dataclass(frozen=True, slots=True)
class Span:
    low: float
    high: float
    whole: bool  # only whole numbers are possible

    def show(self, value: float) -> str:
        if math.isinf(value):
            return "no limit"
        return str(int(value)) if float(value).is_integer() else str(value)


def _item_span(item: Item) -> tuple[float, float, bool]:
    if item.type == "number":
        low = float(item.min) if item.min is not None else -math.inf
        high = float(item.max) if item.max is not None else math.inf
        return low, high, item.integer
    if item.type == "scale" and not item.options:
        return float(item.min or 0), float(item.max or 0), True
    found = item.numeric_range()
    low, high = found if found else (0.0, 0.0)
    whole = all(o.numeric is None or float(o.numeric).is_integer() for o in item.options)
    return low, high, whole


def _times(a: float, b: float) -> float:
    return 0.0 if a == 0 or b == 0 else a * b  # 0 times no limit is 0 here


def derived_span(
    expr: dv.Expr,
    items: Mapping[str, Item],
    scores: Mapping[str, Score],
    derived: Mapping[str, dv.DerivedValue],
    seen: frozenset[str] = frozenset(),
) -> tuple[float, float, bool]:
    """(lowest, highest, only whole numbers) a number-valued derived expression can be,
    by interval arithmetic on its operands' ranges: never narrower than the truth
    (an unknown value adds nothing to a score, and is not counted here either)."""

    def span(e: dv.Expr) -> tuple[float, float, bool]:
        return derived_span(e, items, scores, derived, seen)

    if isinstance(expr, dv.Const):
        value = expr.literal
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _ANY
        return float(value), float(value), float(value).is_integer()
    if isinstance(expr, dv.ItemRef) and expr.item in items and expr.type == "number":
        return _item_span(items[expr.item])
    if isinstance(expr, dv.CountSelected) and expr.item in items:
        return 0.0, float(len(items[expr.item].options)), True
    if isinstance(expr, dv.ScoreRef) and expr.score in scores:
        sub = score_range(scores[expr.score], items, scores, derived)
        return sub.low, sub.high, sub.whole
    if isinstance(expr, dv.DerivedRef) and expr.name in derived and expr.name not in seen:
        inner = derived[expr.name].expr
        return derived_span(inner, items, scores, derived, seen | {expr.name})
    if isinstance(expr, dv.If):
        parts = [span(expr.then), span(expr.otherwise)]
    elif isinstance(expr, dv.Coalesce):
        parts = [span(a) for a in expr.args]
    elif isinstance(expr, dv.Lookup):
        targets = [t for _, t in expr.pairs]
        numbers = [
            float(t) for t in targets if isinstance(t, int | float) and not isinstance(t, bool)
        ]
        if not numbers or len(numbers) != len(targets):
            return _ANY
        return min(numbers), max(numbers), all(n.is_integer() for n in numbers)
    elif isinstance(expr, dv.Between):
        return -math.inf, math.inf, True  # whole years, months or days
    elif isinstance(expr, dv.Arithmetic):
        return _arithmetic(expr.op, [span(a) for a in expr.args])
    else:
        return _ANY
    return min(p[0] for p in parts), max(p[1] for p in parts), all(p[2] for p in parts)


def _arithmetic(op: str, parts: list[tuple[float, float, bool]]) -> tuple[float, float, bool]:
    whole = all(p[2] for p in parts)
    if op == "sum":
        return sum(p[0] for p in parts), sum(p[1] for p in parts), whole
    if op == "subtract":
        (a, b, _), (c, d, _) = parts
        return a - d, b - c, whole
    if op in ("min", "max"):
        pick = min if op == "min" else max
        return pick(p[0] for p in parts), pick(p[1] for p in parts), whole
    if op == "multiply":
        low, high = 1.0, 1.0
        for a, b, _ in parts:
            ends = [_times(x, y) for x in (low, high) for y in (a, b)]
            low, high = min(ends), max(ends)
        return low, high, whole
    if op == "divide":
        (a, b, _), (c, d, _) = parts
        if c <= 0 <= d:  # a divisor near 0: no limit (by 0 itself it is unknown)
            return _ANY
        ends = [x / y for x in (a, b) for y in (c, d) if not (math.isinf(x) and math.isinf(y))]
        if len(ends) < 4:
            return _ANY
        return min(ends), max(ends), False
    return _ANY


def score_range(
    score: Score,
    items: Mapping[str, Item],
    scores: Mapping[str, Score],
    derived: Mapping[str, dv.DerivedValue] | None = None,
) -> Span:
    """The lowest and highest value the score can take; a derived term's range is
    worked out from what it reads (:func:`derived_span`) when ``derived`` is given."""
    low = high = 0.0
    whole = True
    for term in score.terms:
        if term.item is not None:
            t_low, t_high, t_whole = _item_span(items[term.item])
        elif term.derived is not None:
            found = (derived or {}).get(term.derived)
            if found is None or found.type != "number":
                t_low, t_high, t_whole = _ANY
            else:
                t_low, t_high, t_whole = derived_span(found.expr, items, scores, derived or {})
        else:
            sub = score_range(scores[term.score or ""], items, scores, derived)
            t_low, t_high, t_whole = sub.low, sub.high, sub.whole
        if score.not_shown_zero:
            t_low, t_high = min(t_low, 0.0), max(t_high, 0.0)
        a, b = t_low * term.weight, t_high * term.weight
        a = 0.0 if math.isnan(a) else a
        b = 0.0 if math.isnan(b) else b
        low += min(a, b)
        high += max(a, b)
        whole = whole and t_whole and float(term.weight).is_integer()
    return Span(low, high, whole)


@dataclass(frozen=True, slots=True)
class _B:
    id: str
    min: float | None
    max: float | None


def band_problems(
    resolved: list[tuple[str, float | None, float | None]], span: Span
) -> list[tuple[int, str]]:
    """(band index, message) for every gap, overlap or uncovered end; ``resolved`` holds
    each band's id and bounds (None: open-ended)."""
    bands = [_B(*b) for b in resolved]
    problems: list[tuple[int, str]] = []
    if not span.whole:
        return [
            (
                0,
                "bands need a score that can only be a whole number (integer weights and "
                "option scores, number items with integer: true)",
            )
        ]
    for i, band in enumerate(bands):
        if band.min is not None and band.max is not None and band.min > band.max:
            problems.append(
                (
                    i,
                    f"band {band.id!r} starts above where it ends "
                    f"({span.show(band.min)} > {span.show(band.max)})",
                )
            )
    if problems:
        return problems
    first, last = bands[0], bands[-1]
    first_low = -math.inf if first.min is None else first.min
    last_high = math.inf if last.max is None else last.max
    if first_low > span.low:
        problems.append(
            (
                0,
                f"the lowest possible score is {span.show(span.low)}, but the first "
                f"band {first.id!r} starts at {span.show(first_low)}: add a band "
                f"or start it at {span.show(span.low)}",
            )
        )
    if last_high < span.high:
        problems.append(
            (
                len(bands) - 1,
                f"the highest possible score is {span.show(span.high)}, but the last "
                f"band {last.id!r} ends at {span.show(last_high)}: extend it to "
                f"{span.show(span.high)} or leave out its max",
            )
        )
    for i in range(1, len(bands)):
        before, band = bands[i - 1], bands[i]
        end = math.inf if before.max is None else before.max
        start = -math.inf if band.min is None else band.min
        if start > end + 1:
            problems.append(
                (
                    i,
                    f"gap: no band holds {span.show(end + 1)} to "
                    f"{span.show(start - 1)} (between {before.id!r} and "
                    f"{band.id!r}); start {band.id!r} at {span.show(end + 1)}",
                )
            )
        elif start < end + 1:
            problems.append(
                (
                    i,
                    f"overlap: {before.id!r} ends at {span.show(end)} and "
                    f"{band.id!r} starts at {span.show(start)}; bands are listed "
                    f"from low to high and start at {span.show(end + 1)}",
                )
            )
    return problems
