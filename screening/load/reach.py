"""Find items that no answers can ever show (pure).

Each condition is tried against every combination of the states the items it names can
be in: each option, a few numbers around each constant the instrument compares with,
skipped, declined and unanswered. An item whose own condition names an unreachable item
sees that item only as unanswered. Combinations are capped; past the cap an item is
taken as reachable, so this check never rejects a valid instrument.

The search finds what trying every combination would find, but its cost grows with the
number of states of each item, not with their product, and what several items share (a
section's show_if) is worked out once: see :class:`_Search`. So the check grows with the
instrument, not faster.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping

from screening.core.answers import DECLINED, SKIPPED, Answer
from screening.core.conditions import (
    All,
    Condition,
    DerivedTest,
    FlagTest,
    ItemTest,
    Not,
    ScoreTest,
)
from screening.core.conditions import Any as AnyOf
from screening.core.model import Item, Section
from screening.core.route import ItemFacts

MAX_COMBINATIONS = 20_000


def item_constants(conditions: Iterable[Condition]) -> dict[str, set[object]]:
    """Every constant each item is compared with, in any of the conditions."""
    found: dict[str, set[object]] = {}
    for condition in conditions:
        for node in condition.walk():
            if isinstance(node, ItemTest):
                values = node.value if isinstance(node.value, tuple) else (node.value,)
                found.setdefault(node.item, set()).update(
                    v for v in values if not isinstance(v, bool)
                )
    return found


def item_states(item: Item, constants: set[object]) -> list[Answer | None]:
    """The states worth trying for an item compared with these constants (None is
    unanswered)."""
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
    search = _Search(items, item_constants(conditions))
    for section in sections:
        for item in section.items:
            parts = [c for c in (section.show_if, item.show_if) if c is not None]
            search.reachable[item.id] = search.satisfiable(parts) if parts else True
    return [item_id for item_id, ok in search.reachable.items() if not ok]


class _Search:
    """Whether some answers make a condition true, as a brute-force search over every
    combination of the named items' states would find, in time that grows with the
    states of each item rather than their product.

    The answer is the brute force's exactly (the tests compare the two): past
    MAX_COMBINATIONS combinations the condition is taken as satisfiable, as before. Under
    the cap, only what the condition's tests can tell apart matters: the states of one
    item that give all its tests the same truth values are one state (a long
    multiple-choice item tested with one ``includes`` has two, not 1,024), and the parts
    of an ``all`` that name no item in common are searched one at a time. Each item's
    states, each set of tests' distinct truth values and each part's answer are worked
    out once: a section's show_if is shared by all its items.
    """

    def __init__(self, items: Mapping[str, Item], constants: Mapping[str, set[object]]):
        self.items = items
        self.constants = constants
        self.reachable: dict[str, bool] = {}
        self._domains: dict[str, list[Answer | None]] = {}
        # Keyed by object ids (the conditions live as long as the search) and by whether
        # the items named are reachable yet: an item not (yet) known reachable has one
        # state, unanswered.
        self._truths: dict[tuple[int, bool], list[bool]] = {}  # a test's truth per state
        self._classes: dict[tuple[object, ...], list[tuple[bool, ...]]] = {}
        self._parts: dict[tuple[object, ...], bool] = {}
        self._empty = ItemFacts({}, items)

    def domain(self, item_id: str) -> list[Answer | None]:
        if not self.reachable.get(item_id, False):
            return [None]
        if item_id not in self._domains:
            states = item_states(self.items[item_id], self.constants.get(item_id, set()))
            self._domains[item_id] = states
        return self._domains[item_id]

    def satisfiable(self, parts: list[Condition]) -> bool:
        condition = All(tuple(parts))
        if any(isinstance(n, DerivedTest) for n in condition.walk()):
            return True  # a derived value's states are not enumerated: taken as reachable
        named = {n.item for n in condition.walk() if isinstance(n, ItemTest)}
        total = 1
        for item_id in sorted(named):
            total *= len(self.domain(item_id))
            if total > MAX_COMBINATIONS:
                return True
        if not all(type(n) in _KNOWN for n in condition.walk()):
            return _brute_force(condition, sorted(named), self)
        return all(self._part(group) for group in _independent(_conjuncts(condition)))

    def _part(self, group: list[Condition]) -> bool:
        named = sorted(set().union(*(_named(c) for c in group)))
        key = (*(id(c) for c in group), *(self.reachable.get(n, False) for n in named))
        if key not in self._parts:
            self._parts[key] = self._search(group)
        return self._parts[key]

    def _search(self, group: list[Condition]) -> bool:
        tests: dict[str, list[ItemTest]] = {}
        for condition in group:
            for node in condition.walk():
                if isinstance(node, ItemTest):  # by identity: {equals: 1} is not {equals: true}
                    known = tests.setdefault(node.item, [])
                    if all(node is not t for t in known):
                        known.append(node)
        named = sorted(tests)
        classes = [self._distinct(item_id, tests[item_id]) for item_id in named]
        for combination in itertools.product(*classes):
            truth = {
                id(test): value
                for item_id, values in zip(named, combination, strict=True)
                for test, value in zip(tests[item_id], values, strict=True)
            }
            if all(_holds(c, truth, self._empty) for c in group):
                return True
        return False

    def _distinct(self, item_id: str, tests: list[ItemTest]) -> list[tuple[bool, ...]]:
        """The different truth values that the item's states give its tests."""
        key = (self.reachable.get(item_id, False), *(id(t) for t in tests))
        if key not in self._classes:
            columns = [self._truth(item_id, test) for test in tests]
            self._classes[key] = list(dict.fromkeys(zip(*columns, strict=True)))
        return self._classes[key]

    def _truth(self, item_id: str, test: ItemTest) -> list[bool]:
        key = (id(test), self.reachable.get(item_id, False))
        if key not in self._truths:
            self._truths[key] = [
                test.evaluate(ItemFacts({item_id: state}, self.items))
                for state in self.domain(item_id)
            ]
        return self._truths[key]


_KNOWN = (All, AnyOf, Not, ItemTest, ScoreTest, FlagTest)


def _conjuncts(condition: Condition) -> list[Condition]:
    """The parts of nested ``all`` conditions, in order."""
    if type(condition) is All:
        return [part for child in condition.conditions for part in _conjuncts(child)]
    return [condition]


def _named(condition: Condition) -> set[str]:
    return {n.item for n in condition.walk() if isinstance(n, ItemTest)}


def _independent(parts: list[Condition]) -> list[list[Condition]]:
    """The parts grouped so that no two groups name the same item (each in order)."""
    groups: list[tuple[set[str], list[int]]] = []
    for index, part in enumerate(parts):
        names, members = _named(part), [index]
        keep = []
        for group in groups:
            if group[0] & names:
                names |= group[0]
                members += group[1]
            else:
                keep.append(group)
        groups = [*keep, (names, members)]
    return [[parts[i] for i in sorted(members)] for _, members in groups]


def _holds(condition: Condition, truth: Mapping[int, bool], empty: ItemFacts) -> bool:
    """The condition's value when each item test has the truth value given (by id)."""
    kind = type(condition)
    if kind is ItemTest:
        return truth[id(condition)]
    if kind is All:
        return all(_holds(c, truth, empty) for c in condition.children())
    if kind is AnyOf:
        return any(_holds(c, truth, empty) for c in condition.children())
    if kind is Not:
        return not _holds(condition.children()[0], truth, empty)
    return condition.evaluate(empty)  # a score or flag: none is known in a show_if


def _brute_force(condition: Condition, named: list[str], search: _Search) -> bool:
    """Every combination of the named items' states, tried in turn."""
    domains = [search.domain(n) for n in named]
    for combination in itertools.product(*domains):
        answers = dict(zip(named, combination, strict=True))
        if condition.evaluate(ItemFacts(answers, search.items)):
            return True
    return False
