"""A service's facts, opening hours and lists in the reader's language (issue 15): CLDR
day names, times and list patterns through Babel, our catalogs for the words."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.core.matching import DAYS, Hours, Match, Service
from screening.core.model import Item, Option
from screening.render import facts
from screening.render.pdf import LOCALES, wording
from screening.render.summary import answer_label

WEEKDAYS = Hours(frozenset(DAYS[:5]), 9 * 60, 17 * 60)
SERVICE = Service(
    id="s1",
    name="Demo",
    organization="Demo org",
    hours=(Hours(frozenset(DAYS), 0, 24 * 60 - 1),),
    languages=frozenset({"fr"}),
    free=True,
    no_id=True,
    women_only=True,
    accessibility=("Step-free entrance",),
)


def test_lists_are_joined_as_each_language_joins_them() -> None:
    assert facts.join(["a", "b", "c"], "en") == "a, b, and c"
    assert facts.join(["a", "b", "c"], "fr") == "a, b et c"
    assert ", " not in facts.join(["أ", "ب", "ج"], "ar")
    assert facts.join(["a", "b"], "ar").count("b") == 1  # (Babel's unit list repeats it)


def test_opening_hours_come_from_cldr() -> None:
    fr = facts.hours_text((WEEKDAYS,), "fr", wording("fr"))
    assert "lun." in fr and "17:00" in fr and "PM" not in fr
    assert "Mon" in facts.hours_text((WEEKDAYS,), "en")
    zh = facts.hours_text((WEEKDAYS,), "zh-Hans", wording("zh-Hans"))
    assert "周一" in zh


@pytest.mark.parametrize("code", [c for c in LOCALES if c != "en"])
def test_facts_have_no_english_left(code: str) -> None:
    match = Match(SERVICE, "housing", ("Open 24 hours, 7 days a week",), 1.25, True)
    said = facts.service_facts(match, code, wording(code))
    english = set(facts.service_facts(match, "en"))
    assert len(said) >= 6
    assert not english & set(said), code
    assert not any(s.startswith("Accessibility:") for s in said)
    assert facts.service_hours(SERVICE, code, wording(code)) == said[0]


def test_languages_are_named_in_the_reader_s_language() -> None:
    assert facts.language_name("ar", "fr") == "arabe"
    assert facts.own_name("ar") == "العربية"
    assert facts.language_name("xx-no-such", "fr") == "xx-no-such"


def test_several_answers_are_one_list_in_the_page_s_language() -> None:
    item = Item(
        id="q",
        section_id="s",
        instrument_id="i",
        type="multiple",
        text="Which?",
        why="Because.",
        options=(Option("a", "Alpha"), Option("b", "Beta"), Option("c", "Gamma")),
    )
    assert answer_label(item, ("a", "b", "c")) == "Alpha, Beta, and Gamma"
    assert answer_label(item, ("a", "b", "c"), wording("fr")) == "Alpha, Beta et Gamma"


@given(st.sets(st.sampled_from(DAYS), min_size=1), st.integers(0, 1438), st.integers(1, 1439))
def test_any_hours_read_in_every_language(days: set[str], opens: int, closes: int) -> None:
    hours = (Hours(frozenset(days), opens, closes),)
    for code in LOCALES:
        text = facts.hours_text(hours, code, wording(code))
        assert text and "%(" not in text
    at = dt.time(opens // 60, opens % 60)
    assert at.strftime("%-I:%M") in facts.hours_text(hours, "en") or opens == 0


def test_the_persons_own_words_take_the_direction_they_were_written_in() -> None:
    """A goal in English on an Arabic plan reads left to right (its full stop at its
    end), one in Arabic right to left, whatever the plan's language (dir=auto, which
    WeasyPrint lacks)."""
    from screening.render.pdf import Text

    assert Text("Have my own place.", "ar", own=True).dir == "ltr"
    assert Text("«أريد» مكاناً خاصاً بي.", "en", own=True).dir == "rtl"
    assert Text("2027: مكان", "en", own=True).dir == "rtl"  # digits are not strong
    assert Text("...", "ar", own=True).dir == "rtl"  # nothing strong: the plan's own
    assert Text("Have my own place.", "ar").dir == "rtl"  # our texts: their language
