"""What may leave the screen: ``print`` on items and sections, ``sensitive`` on items,
the defaults an old instrument text (without them) loads with, and the bundled
instruments' sensitive items."""

from __future__ import annotations

import pytest

from screening.errors import InstrumentError
from screening.load import catalog
from tests.support.builders import make

BODY = """\
sections:
  - id: plain
    title: Plain
    items:
      - {id: a, type: yes_no, text: A?, why: W.}
      - {id: b, type: yes_no, text: B?, why: W., print: verbatim}
      - {id: c, type: yes_no, text: C?, why: W., sensitive: true}
      - {id: d, type: yes_no, text: D?, why: W., content_warning: Hard one.}
  - id: warned
    title: Warned
    content_warning: The next questions are hard.
    items:
      - {id: e, type: yes_no, text: E?, why: W.}
      - {id: f, type: yes_no, text: F?, why: W., print: summary}
  - id: open
    title: Open
    print: verbatim
    items:
      - {id: g, type: yes_no, text: G?, why: W.}
      - {id: h, type: yes_no, text: H?, why: W., sensitive: true}
      - {id: i, type: yes_no, text: I?, why: W., print: never}
"""


def test_levels_resolve_item_then_sensitive_then_section_then_warning() -> None:
    ins = make(BODY)
    levels = {item.id: item.print_as for item in ins.items}
    assert levels == {
        "a": "summary",  # the default
        "b": "verbatim",  # its own
        "c": "never",  # sensitive
        "d": "never",  # its own content warning
        "e": "never",  # its section's content warning
        "f": "summary",  # its own beats the section's warning
        "g": "verbatim",  # inherited from the section
        "h": "never",  # sensitive beats the section's print
        "i": "never",
    }
    assert [i.id for i in ins.items if i.sensitive] == ["c", "h"]
    assert ins.section("open") is not None and ins.section("open").print_as == "verbatim"  # type: ignore[union-attr]


def test_an_old_text_without_the_fields_loads_with_the_defaults() -> None:
    old = BODY.replace(", print: verbatim", "").replace(", sensitive: true", "")
    old = old.replace(", print: summary", "").replace(", print: never", "")
    old = old.replace("    print: verbatim\n", "")
    ins = make(old)
    assert {i.id: i.print_as for i in ins.items} == {
        "a": "summary",
        "b": "summary",
        "c": "summary",
        "d": "never",
        "e": "never",
        "f": "never",
        "g": "summary",
        "h": "summary",
        "i": "summary",
    }
    assert not any(i.sensitive for i in ins.items)


def test_a_sensitive_item_cannot_be_printed_word_for_word() -> None:
    body = BODY.replace(
        "{id: c, type: yes_no, text: C?, why: W., sensitive: true}",
        "{id: c, type: yes_no, text: C?, why: W., sensitive: true, print: verbatim}",
    )
    with pytest.raises(InstrumentError) as caught:
        make(body)
    [problem] = caught.value.problems
    assert problem.code == "sensitive-verbatim"
    assert problem.path == ("sections", 0, "items", 2, "print")


def test_an_unknown_level_lists_the_valid_ones() -> None:
    with pytest.raises(InstrumentError) as caught:
        make(BODY.replace("print: verbatim}", "print: word_for_word}"))
    [problem] = caught.value.problems
    assert problem.code == "enum" and "verbatim, summary, never" in problem.message


# Items (by id prefix, so a split item keeps its mark) that say something dangerous on
# paper: control indicators, being made to do things, ending life, danger and violence,
# sexual health, drugs, legal and immigration matters, child protection, safe contact.
CONTROL = {
    "needs-assessment": [
        "id_kept_by_other",
        "own_money",
        "money_help",
        "housing_now",
        "thoughts_ending_life",
        "harm_",
        "safe_right_now",
        "uses_substances",
        "substance_help",
        "withdrawal_worry",
        "health_help",
        "place_needs",
        "legal_help",
        "stay_in_canada",
        "children_safe",
        "contact_how",
        "safe_to_leave",
    ],
    "youth-check-in": [
        "y_made_",
        "y_thoughts_ending_life",
        "y_safe_right_now",
        "y_help_most",
        "y_contact_how",
    ],
    "phq9": ["phq9_9"],
    "pc-ptsd-5": ["pcptsd5_"],
}
# A word in an item's id that always means it is sensitive, whoever adds the item.
ALWAYS = (
    "sex",
    "exploit",
    "trade",
    "made_to",
    "harm",
    "drug",
    "substance",
    "violen",
    "ending_life",
    "kept_by",
    "money",
)


@pytest.mark.parametrize("instrument", list(CONTROL))
def test_the_bundled_instruments_mark_what_is_dangerous_on_paper(instrument: str) -> None:
    [ins] = catalog.resolve(instrument)
    for prefix in CONTROL[instrument]:
        found = [i for i in ins.items if i.id.startswith(prefix)]
        assert found, prefix
        for item in found:
            assert item.sensitive and item.print_as == "never", item.id
    for item in ins.items:
        if any(word in item.id for word in ALWAYS):
            assert item.sensitive and item.print_as == "never", item.id
    for section in ins.sections:
        if section.content_warning:
            assert all(i.print_as == "never" for i in section.items), section.id
