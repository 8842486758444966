"""Find items that no answers can ever show (pure).

Each condition is tried against every combination of the states the items it names can
be in: each option, a few numbers around each constant the instrument compares with,
skipped, declined and unanswered. An item whose own condition names an unreachable item
sees that item only as unanswered. Combinations are capped; past the cap an item is
taken as reachable, so this check never rejects a valid instrument.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping

from screening.core.answers import DECLINED, SKIPPED, Answer
from screening.core.conditions import All, Condition, ItemTest
from screening.core.model import Item, Section
from screening.core.route import ItemFacts

MAX_COMBINATIONS = 20_000


def _constants(conditions: Iterable[Condition]) -> dict[str, set[object]]:
    found: dict[str, set[object]] = {}
    for condition in conditions:
        for node in condition.walk():
            if isinstance(node, ItemTest):
                values = node.value if isinstance(node.value, tuple) else (node.value,)
                found.setdefault(node.item, set()).update(
                    v for v in values if not isinstance(v, bool)
                )
    return found


def _states(item: Item, constants: set[object]) -> list[Answer | None]:
    states: list[Answer | None] = [None, SKIPPED, DECLINED]
    if item.type == "multiple":
        states += _choices(item)
    elif item.options:
        states += [o.value for o in item.options]
    elif item.type == "scale":
        states += list(range(int(item.min or 0), int(item.max or 0) + 1, item.step or 1))
    elif item.type == "number":
        states += _numbers(item, constants)
    else:  # text, date
        states += [*sorted({c for c in constants if isinstance(c, str)}), "\x00other"]
    return states


def _choices(item: Item) -> list[Answer | None]:
    """Every answer a multiple-choice item can have: each exclusive option alone, and
    every subset of the others (the empty one too), capped for long option lists."""
    free = [o.value for o in item.options if not o.exclusive]
    alone: list[Answer | None] = [(o.value,) for o in item.options if o.exclusive]
    if len(free) > 10:  # past 1,024 subsets: singles, pairs, none and all
        subsets = [(), *((v,) for v in free), *itertools.combinations(free, 2), tuple(free)]
    else:
        subsets = [c for n in range(len(free) + 1) for c in itertools.combinations(free, n)]
    return [*alone, *subsets]


def _numbers(item: Item, constants: set[object]) -> list[Answer | None]:
    """Numbers on both sides of, at, and between every constant compared with."""
    marks = sorted({float(c) for c in constants if isinstance(c, int | float)})
    candidates = {0.0, *(float(b) for b in (item.min, item.max) if b is not None)}
    for value in marks:
        candidates |= {value - 1, value, value + 1}
    for low, high in itertools.pairwise(marks):
        middle = (low + high) / 2
        candidates |= {middle, float(math.floor(middle)), float(math.ceil(middle))}
    if item.integer:
        candidates = {float(f(c)) for c in candidates for f in (math.floor, math.ceil)}
    return [int(c) if c.is_integer() else c for c in sorted(candidates) if _in_bounds(item, c)]


def _in_bounds(item: Item, number: float) -> bool:
    return (item.min is None or number >= float(item.min)) and (
        item.max is None or number <= float(item.max)
    )


def unreachable_items(sections: Iterable[Section]) -> list[str]:
    sections = list(sections)
    items = {item.id: item for section in sections for item in section.items}
    conditions = [c for s in sections for c in (s.show_if, *(i.show_if for i in s.items)) if c]
    constants = _constants(conditions)
    reachable: dict[str, bool] = {}
    for section in sections:
        for item in section.items:
            parts = [c for c in (section.show_if, item.show_if) if c is not None]
            reachable[item.id] = (
                _satisfiable(All(tuple(parts)), items, reachable, constants) if parts else True
            )
    return [item_id for item_id, ok in reachable.items() if not ok]


def _satisfiable(
    condition: Condition,
    items: Mapping[str, Item],
    reachable: Mapping[str, bool],
    constants: Mapping[str, set[object]],
) -> bool:
    named = sorted({n.item for n in condition.walk() if isinstance(n, ItemTest)})
    domains = [
        _states(items[n], constants.get(n, set())) if reachable.get(n, False) else [None]
        for n in named
    ]
    total = 1
    for domain in domains:
        total *= len(domain)
        if total > MAX_COMBINATIONS:
            return True
    for combination in itertools.product(*domains):
        answers = dict(zip(named, combination, strict=True))
        if condition.evaluate(ItemFacts(answers, items)):
            return True
    return False
