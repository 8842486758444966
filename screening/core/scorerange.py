"""The range a score can take, and whether its bands cover it exactly (pure)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from screening.core.model import Item, Score


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


def score_range(score: Score, items: Mapping[str, Item], scores: Mapping[str, Score]) -> Span:
    low = high = 0.0
    whole = True
    for term in score.terms:
        if term.item is not None:
            t_low, t_high, t_whole = _item_span(items[term.item])
        elif term.derived is not None:  # a derived value's range is not worked out
            t_low, t_high, t_whole = -math.inf, math.inf, False
        else:
            sub = score_range(scores[term.score or ""], items, scores)
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
