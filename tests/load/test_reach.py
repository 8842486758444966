"""The reachability check against a plain brute-force search.

``reach.unreachable_items`` groups states that its tests cannot tell apart, searches the
independent parts of an ``all`` one at a time and remembers what sections share, so that
it grows with the instrument (issue 11). Whatever it does, it must decide exactly as
trying every combination of the named items' states does (the check it replaced): the
reference below is that search, written plainly. Random instruments come from the
property strategies; random show_ifs, some never true, replace theirs.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence

from hypothesis import event, given, note
from hypothesis import strategies as st

from screening.core import conditions as cond
from screening.core.model import Item, Option, Section
from screening.core.route import ItemFacts
from screening.load.reach import MAX_COMBINATIONS, item_constants, item_states, unreachable_items
from tests.support.reference import Spec, instruments, show_ifs


def reference_unreachable(sections: Sequence[Section]) -> list[str]:
    """Each item in order: every combination of the states of the items its condition
    (and its section's) names, an unreachable item only unanswered; past the cap, taken
    as reachable."""
    items = {item.id: item for section in sections for item in section.items}
    conditions = [c for s in sections for c in (s.show_if, *(i.show_if for i in s.items)) if c]
    constants = item_constants(conditions)
    reachable: dict[str, bool] = {}
    for section in sections:
        for item in section.items:
            parts = [c for c in (section.show_if, item.show_if) if c is not None]
            reachable[item.id] = not parts or _tried(
                cond.All(tuple(parts)), items, reachable, constants
            )
    return [item_id for item_id, ok in reachable.items() if not ok]


def _tried(
    condition: cond.Condition,
    items: Mapping[str, Item],
    reachable: Mapping[str, bool],
    constants: Mapping[str, set[object]],
) -> bool:
    named = sorted({n.item for n in condition.walk() if isinstance(n, cond.ItemTest)})
    domains = [
        item_states(items[n], constants.get(n, set())) if reachable.get(n, False) else [None]
        for n in named
    ]
    if len(list(itertools.islice(itertools.product(*domains), MAX_COMBINATIONS + 1))) > (
        MAX_COMBINATIONS
    ):
        return True
    return any(
        condition.evaluate(ItemFacts(dict(zip(named, combination, strict=True)), items))
        for combination in itertools.product(*domains)
    )


@st.composite
def rewired(draw: st.DrawFn) -> tuple[Spec, list[Section]]:
    """A generated instrument whose sections and items get new random show_ifs over
    earlier items; some are contradictions, so that some items are unreachable and
    others name unreachable items."""
    spec = draw(instruments())
    instrument = spec.load()
    sections: list[Section] = []
    earlier: list[str] = []
    for section in instrument.sections:
        section_if = section.show_if
        if earlier and draw(st.integers(0, 3)) == 0:
            section_if = _condition(draw, spec, earlier)
        built = []
        for item in section.items:
            show_if = item.show_if
            if earlier and draw(st.booleans()):
                show_if = _condition(draw, spec, earlier)
            built.append(dataclasses.replace(item, show_if=show_if))
            earlier.append(item.id)
        sections.append(dataclasses.replace(section, items=tuple(built), show_if=section_if))
    return spec, sections


def _condition(draw: st.DrawFn, spec: Spec, earlier: list[str]) -> cond.Condition:
    raw = draw(show_ifs(spec, earlier))
    if draw(st.integers(0, 3)) == 0:  # a contradiction, or one that may be
        raw = {"all": [raw, {"not": draw(show_ifs(spec, earlier))}]}
    return cond.parse(raw)


@given(rewired())
def test_reachability_agrees_with_brute_force(case: tuple[Spec, list[Section]]) -> None:
    spec, sections = case
    note(spec.text)
    expected = reference_unreachable(sections)
    event(f"unreachable items: {min(len(expected), 3)}{'+' if len(expected) >= 3 else ''}")
    assert unreachable_items(sections) == expected


def _yes_no(item_id: str, show_if: cond.Condition | None = None) -> Item:
    options = (Option("yes", None), Option("no", None))
    return Item(item_id, "yes_no", "Q?", "W.", "s", "t", options, show_if=show_if)


def test_a_shared_section_condition_is_decided_for_each_item() -> None:
    """A section's show_if is worked out once and shared; an item's own condition that
    contradicts it still makes that item (and only it) unreachable."""
    gate = cond.parse({"item": "a", "equals": "yes"})
    never = cond.parse({"item": "a", "equals": "no"})
    first = Section("one", "One", (_yes_no("a"),))
    second = Section(
        "two",
        "Two",
        (
            _yes_no("b"),
            _yes_no("c", never),
            _yes_no("d", cond.parse({"item": "b", "equals": "no"})),
        ),
        show_if=gate,
    )
    assert unreachable_items([first, second]) == ["c"]
    assert reference_unreachable([first, second]) == ["c"]


def test_equal_looking_tests_are_told_apart() -> None:
    """{equals: 1} and {equals: true} compare equal as Python values but are different
    tests: true is never an answer of a number item, 1 can be."""
    number = Item("n", "number", "How many?", "W.", "s", "t", integer=True)
    both = cond.parse({"all": [{"item": "n", "equals": 1}, {"not": {"item": "n", "equals": True}}]})
    sections = [Section("s", "S", (number, _yes_no("q", both)))]
    assert unreachable_items(sections) == reference_unreachable(sections) == []
