"""An item asked only in some audiences (issue 13): ``audiences`` and ``export: never``
on an item. The loader reads them, keeps them inside the instrument's audiences, and
refuses any condition, score or result that names such an item; an interview of a mode
asks exactly the items meant for it (a property over random audiences)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.core import interview as iv
from screening.core.route import Interview
from screening.errors import InstrumentError
from screening.load.loader import load_bytes, load_file
from screening.services.interviews import MODE_AUDIENCES, for_mode
from tests.support.builders import instrument_yaml
from tests.support.paths import INSTRUMENTS

AUDIENCES = ("worker", "interpreter", "private")
PERSON = 'person: "You said so."'


def _yaml(
    items: list[str], extra: str = "", audiences: str = "[worker, interpreter, private]"
) -> str:
    body = "sections:\n  - id: s\n    title: S\n    items:\n" + "".join(
        f"      - {item}\n" for item in items
    )
    text = instrument_yaml(body + extra)
    return text.replace("audiences: [worker]", f"audiences: {audiences}", 1)


def _load(text: str):  # type: ignore[no-untyped-def]
    return load_bytes(text.encode(), "test.yaml")


def _problems(text: str) -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        _load(text)
    return [p.code for p in caught.value.problems]


NAME = (
    "{id: name, type: text, text: Name?, why: So., audiences: [worker, interpreter], export: never}"
)
PLAIN = "{id: other, type: yes_no, text: Other?, why: So.}"


def test_the_fields_are_read_and_the_print_level_defaults_to_never() -> None:
    instrument = _load(_yaml([NAME, PLAIN]))
    name, other = instrument.item("name"), instrument.item("other")
    assert name is not None and other is not None
    assert name.audiences == ("worker", "interpreter") and not name.exported
    assert name.print_as == "never"
    assert other.audiences == () and other.exported and other.print_as == "summary"


def test_an_item_cannot_be_for_an_audience_its_instrument_is_not_for() -> None:
    text = _yaml([NAME, PLAIN], audiences="[worker, private]")
    assert "item-audience" in _problems(text)


def test_the_schema_refuses_an_unknown_audience_or_export() -> None:
    bad = NAME.replace("[worker, interpreter]", "[everyone]")
    assert _problems(_yaml([bad]))
    assert _problems(_yaml([NAME.replace("export: never", "export: sometimes")]))


@pytest.mark.parametrize(
    "extra",
    [
        "flags:\n  - {id: f, severity: low, label: F, "
        + PERSON
        + ", when: {item: name, answered: true}}\n",
        "needs:\n  - {id: n, label: N, person: N, some_if: {item: name, answered: true}}\n",
        "strengths:\n  - {id: g, label: G, person: G, when: {item: name, answered: true}}\n",
    ],
)
def test_no_result_may_read_an_item_kept_to_some_audiences(extra: str) -> None:
    assert "audience-ref" in _problems(_yaml([NAME, PLAIN], extra))


def test_no_show_if_may_read_it_either() -> None:
    later = "{id: later, type: yes_no, text: L?, why: So., show_if: {item: name, answered: true}}"
    assert "audience-ref" in _problems(_yaml([NAME, later]))


def test_export_never_alone_is_kept_out_of_results_too() -> None:
    kept = "{id: name, type: text, text: Name?, why: So., export: never}"
    extra = "strengths:\n  - {id: g, label: G, person: G, when: {item: name, answered: true}}\n"
    assert "audience-ref" in _problems(_yaml([kept, PLAIN], extra))


@given(
    st.lists(
        st.one_of(st.none(), st.sets(st.sampled_from(AUDIENCES), min_size=1)),
        min_size=1,
        max_size=6,
    )
)
def test_each_mode_asks_exactly_the_items_meant_for_it(plan: list[set[str] | None]) -> None:
    items = []
    for n, audiences in enumerate(plan):
        own = f", audiences: [{', '.join(sorted(audiences))}]" if audiences else ""
        items.append(f"{{id: q{n}, type: yes_no, text: Q{n}?, why: So.{own}}}")
    instrument = _load(_yaml(items))
    for mode, wanted in MODE_AUDIENCES.items():
        expected = [f"q{n}" for n, a in enumerate(plan) if a is None or a & wanted]
        shaped = for_mode([instrument], mode)
        if not expected:  # nothing left to ask: the instrument has no section
            assert shaped[0].sections == ()
            continue
        session = Interview(shaped)
        state = iv.State()
        asked = []
        for _ in range(len(plan) + 1):
            step = iv.next_step(session, state)
            if step.item is None:
                break
            asked.append(step.item.id)
            state = iv.answer(session, state, step.item.id, None)
        assert asked == expected, (mode, plan)


def test_the_shipped_name_and_pronouns_are_never_in_a_private_check_in() -> None:
    youth = load_file(INSTRUMENTS / "youth-check-in.yaml")
    needs = load_file(INSTRUMENTS / "needs-assessment.yaml")
    for instrument, ids in (
        (youth, ("y_preferred_name", "y_pronouns")),
        (needs, ("preferred_name", "pronouns")),
    ):
        for item_id in ids:
            item = instrument.item(item_id)
            assert item is not None and not item.exported and item.print_as == "never"
            assert "private" not in item.audiences and item.skippable
    private = for_mode([youth], "private")[0]
    assert private.item("y_preferred_name") is None and private.item("y_pronouns") is None
    worker = for_mode([youth], "worker")[0]
    assert worker.item("y_preferred_name") is not None
