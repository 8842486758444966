"""A disclosure gets a response, and every youth gets the same information (issue 12,
point 5): a youth "yes" to being made to do things, or to trading to get by, raises an
urgent flag and the next step is a help screen; every youth check-in shows the
universal-education screen, whatever the answers; the double-barrelled items are split."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from screening.core import interview as iv
from screening.core.model import Severity
from screening.core.route import Interview
from screening.load.loader import check_bytes
from screening.services.interviews import bundled_source, step_json

YOUTH = "youth-check-in"


def session(*ids: str) -> Interview:
    return Interview([bundled_source(i)[0] for i in ids])


def walk_to(interview: Interview, answers: dict[str, object]) -> iv.State:
    """Through education and content warnings (entered), answering from ``answers``
    (skipping the rest), until an urgent flag's help or the end."""
    state = iv.State()
    for _ in range(200):
        step = iv.next_step(interview, state)
        if step.screen in ("help", "summary"):
            return state
        if step.screen == "education":
            assert step.education_key is not None
            state = iv.see(interview, state, step.education_key)
        elif step.screen == "warning":
            assert step.section_key is not None
            state = iv.choose_section(state, step.section_key, enter=True)
        else:
            assert step.item is not None
            state = iv.answer(interview, state, step.item.id, answers.get(step.item.id))
    raise AssertionError("the walk did not end")


def test_the_made_to_do_things_question_is_split_in_two() -> None:
    youth = bundled_source(YOUTH)[0]
    ids = [i.id for i in youth.iter_items()]
    assert "y_made_to_do_things" not in ids
    assert {"y_pressured", "y_trade_for_needs"} <= set(ids)
    trade = youth.item("y_trade_for_needs")
    assert trade is not None
    for word in ("food", "place to stay", "money", "drugs"):
        assert word in trade.text
    for label in ("prostitut", "victim", "sex work"):  # no labels
        assert label not in trade.text.lower()
    assert trade.help is not None and "never your fault" in trade.help


def test_harm_nearby_is_split_into_its_two_questions() -> None:
    needs = bundled_source("needs-assessment")[0]
    ids = [i.id for i in needs.iter_items()]
    assert "harm_nearby" not in ids
    assert ids.index("hurt_nearby") + 1 == ids.index("overheard")
    for item in ("hurt_nearby", "overheard"):
        state = walk_to(session("needs-assessment"), {"safe_right_now": "unsure", item: "yes"})
        result = iv.result(session("needs-assessment"), state)
        raised = {f.id for f in result.flags}
        assert "immediate_danger" in raised and "safety_unsure" not in raised, item
    state = walk_to(
        session("needs-assessment"),
        {"safe_right_now": "unsure", "hurt_nearby": "no", "overheard": "no"},
    )
    assert "safety_unsure" in {f.id for f in iv.result(session("needs-assessment"), state).flags}


def test_a_yes_to_being_made_to_do_things_makes_the_next_step_help() -> None:
    interview = session(YOUTH)
    before = {"y_safe_right_now": "yes", "y_safe_place_tonight": "yes"}
    for item, flag in (
        ("y_pressured", "y_being_pressured"),
        ("y_trade_for_needs", "y_trading_for_needs"),
    ):
        state = walk_to(interview, {**before, item: "yes"})
        step = iv.next_step(interview, state)
        assert step.screen == "help" and flag in step.urgent
        assert step_json(interview, state)["screen"] == "help"
        defined = {f.id: f for f in interview.instruments[0].flags}[flag]
        assert defined.severity is Severity.URGENT
        assert defined.help is not None and defined.help.need == "safety"
        assert defined.help.next is not None and "Alberta" in defined.help.next
        assert "child services" in defined.help.next
        assert defined.help.next.count(". ") <= 2  # a few short sentences (grade 6, lint)
        assert iv.result(interview, state).needs["safety"].level == "urgent"
        # Going on from the help screen, the interview goes on with the next question.
        after = iv.next_step(interview, iv.acknowledge(state, step.urgent))
        assert after.screen == "question"
    # A "no" to both: no help screen, the questions go on.
    state = walk_to(interview, {**before, "y_pressured": "no", "y_trade_for_needs": "no"})
    assert iv.next_step(interview, state).screen != "help"


def test_the_education_screen_comes_before_the_first_youth_question() -> None:
    interview = session(YOUTH)
    step = iv.next_step(interview, iv.State())
    assert step.screen == "education" and step.education is not None
    assert step.item is not None and step.item.id == "y_safe_right_now"  # still what follows
    text = step.education.text
    for word in ("pressured or tricked", "food", "place to stay", "money", "drugs", "free"):
        assert word in text
    assert "never your fault" in text
    as_json = step_json(interview, iv.State())
    assert as_json["screen"] == "education"
    assert as_json["education"] == {
        "screen": step.education_key,
        "title": step.education.title,
        "text": text,
    }
    seen = iv.see(interview, iv.State(), str(step.education_key))
    assert iv.next_step(interview, seen).screen == "warning"  # then the content warning
    # An answer in the instrument (an API client that went straight on) passes it too.
    answered = iv.answer(interview, iv.State(), "y_safe_right_now", None)
    assert iv.next_step(interview, answered).education is None


def test_instruments_without_education_never_show_one_and_old_states_load() -> None:
    for ids in (("phq9",), ("needs-assessment", "gad7")):
        interview = session(*ids)
        state = walk_to(interview, {})
        assert iv.next_step(interview, iv.State()).screen in ("question", "warning")
        assert iv.next_step(interview, state).screen in ("summary", "help")
    interview = session(YOUTH)
    saved = iv.state_to_json(
        iv.see(interview, iv.State(), "education/youth-check-in/everyone_should_know")
    )
    assert saved["seen"] == ["education/youth-check-in/everyone_should_know"]
    del saved["seen"]  # a state saved before education screens existed
    assert iv.state_from_json(interview, saved).seen == frozenset()


def test_an_unknown_education_screen_is_refused() -> None:
    with pytest.raises(iv.InterviewError) as refused:
        iv.see(session(YOUTH), iv.State(), "education/youth-check-in/nope")
    assert refused.value.code == "unknown-screen"


def test_the_validator_checks_the_needs_help_and_education_name() -> None:
    text = bundled_source(YOUTH)[1].decode()
    broken = text.replace("  need: safety\n  title:", "  need: nowhere\n  title:", 1)
    broken = broken.replace("      need: safety\n", "      need: elsewhere\n", 1)
    instrument, problems = check_bytes(broken.encode(), "youth.yaml")
    assert instrument is None
    found = {(p.code, ".".join(map(str, p.path))) for p in problems}
    assert ("unknown-ref", "education.need") in found
    assert any(code == "unknown-ref" and path.endswith("help.need") for code, path in found)


# ------------------------------------------------------------------ every path


COMBOS = [(YOUTH,), ("needs-assessment", YOUTH), (YOUTH, "phq9")]


def _random_answer(item: object, rnd: random.Random) -> object:
    roll = rnd.random()
    if roll < 0.25:
        return None
    if roll < 0.35:
        return {"declined": True}
    options = getattr(item, "options", ())
    kind = getattr(item, "type", "")
    if options:
        value = rnd.choice(options).value
        return [value] if kind == "multiple" else value
    if kind == "number":
        return getattr(item, "min", None) or 1
    return None if kind == "date" else "some words"


def _walk(ids: tuple[str, ...], seed: int, all_skipped: bool) -> list[str]:
    """Every screen a person meets, choosing at random (or skipping everything)."""
    interview = session(*ids)
    rnd = random.Random(seed)
    state = iv.State()
    screens: list[str] = []
    for _ in range(400):
        step = iv.next_step(interview, state)
        screens.append(step.screen)
        assert step_json(interview, state)["screen"] == step.screen
        if step.screen == "summary":
            return screens
        if step.screen == "help":
            state = iv.acknowledge(state, step.urgent)
        elif step.screen == "education":
            assert step.education_key is not None
            if rnd.random() < 0.8 or step.item is None:
                state = iv.see(interview, state, step.education_key)
            else:  # an API client answering at once passes it
                assert step.item is not None
                state = iv.answer(interview, state, step.item.id, None)
        elif step.screen == "warning":
            assert step.section_key is not None
            enter = not all_skipped and rnd.random() < 0.7
            state = iv.choose_section(state, step.section_key, enter=enter)
        else:
            assert step.item is not None
            raw = None if all_skipped else _random_answer(step.item, rnd)
            state = iv.set_aside(interview, iv.answer(interview, state, step.item.id, raw))
    raise AssertionError("the interview did not end")


@settings(max_examples=40, deadline=None)
@given(
    ids=st.sampled_from(COMBOS),
    seed=st.integers(0, 2**32 - 1),
    all_skipped=st.booleans(),
)
@example(ids=(YOUTH,), seed=0, all_skipped=True)
@example(ids=("needs-assessment", YOUTH), seed=1, all_skipped=True)
def test_every_youth_check_in_shows_the_education_screen(
    ids: tuple[str, ...], seed: int, all_skipped: bool
) -> None:
    screens = _walk(ids, seed, all_skipped)
    assert screens.count("education") == 1  # shown, and once passed never again
    if ids[0] == YOUTH:  # before anything else of the youth check-in
        assert screens[0] == "education"


def test_a_negative_control_an_instrument_without_education_never_shows_one() -> None:
    assert "education" not in _walk(("needs-assessment", "phq9"), 7, False)
    youth = bundled_source(YOUTH)[0]
    plain = Interview([replace(youth, education=None)])
    assert iv.next_step(plain, iv.State()).screen == "warning"
