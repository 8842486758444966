"""Interview engine rules, each on a small inline instrument."""

from __future__ import annotations

import pytest

from screening.core import interview as iv
from screening.core.answers import DECLINED, SKIPPED, AnswerError
from screening.core.model import Instrument
from screening.core.route import Interview, InterviewError, Kind
from tests.support.builders import instrument_yaml, make

SAFETY = """\
sections:
  - id: safety
    title: Feeling safe
    items:
      - id: safe_tonight
        type: single
        text: Do you have a safe place to stay tonight?
        why: So we can look for a bed tonight, if you want one.
        concept: safe_place_tonight
        options:
          - {value: "yes", label: "Yes"}
          - {value: "no", label: "No"}
          - {value: unsure, label: Not sure}
      - id: want_shelter
        type: yes_no
        text: Would you like help finding a place tonight?
        why: We only look if you want us to.
        show_if: {item: safe_tonight, in: ["no", unsure]}
  - id: health
    title: Health
    content_warning: The next questions are about your health. You can skip them.
    items:
      - id: hurt
        type: yes_no
        text: Are you hurt or in pain right now?
        why: So a nurse can see you first if you want.
      - id: see_nurse
        type: yes_no
        text: Would you like to see a nurse today?
        why: Only if you want to.
        show_if: {item: hurt, equals: "yes"}
flags:
  - {id: no_safe_place, severity: urgent, label: No safe place tonight,
     when: {item: safe_tonight, equals: "no"}}
  - {id: hurt_now, severity: high, label: Hurt now, when: {item: hurt, equals: "yes"}}
needs:
  - {id: housing, label: Housing, urgent_if: {flag: no_safe_place},
     some_if: {item: want_shelter, equals: "yes"}}
  - {id: health, label: Health, some_if: {flag: hurt_now}}
strengths:
  - {id: has_place, label: Has a safe place, when: {item: safe_tonight, equals: "yes"}}
"""


@pytest.fixture
def session() -> Interview:
    return Interview([make(SAFETY)])


def test_first_step_is_the_first_item(session: Interview) -> None:
    step = iv.next_step(session, iv.State())
    assert not step.done
    assert step.item is not None and step.item.id == "safe_tonight"
    # want_shelter and see_nurse are not on the path as things stand.
    assert step.progress == iv.Progress(answered=0, remaining=2)
    assert step.previous is None
    assert step.urgent == ()


def test_branching_changes_the_path_and_progress(session: Interview) -> None:
    state = iv.answer(session, iv.State(), "safe_tonight", "yes")
    assert iv.steps(session, state) == ["safe_tonight", "hurt"]
    state = iv.answer(session, state, "safe_tonight", "unsure")
    assert iv.steps(session, state) == ["safe_tonight", "want_shelter", "hurt"]
    assert iv.next_step(session, state).progress == iv.Progress(1, 2)


def test_urgent_flag_interrupts_until_acknowledged(session: Interview) -> None:
    state = iv.answer(session, iv.State(), "safe_tonight", "no")
    step = iv.next_step(session, state)
    assert step.urgent == ("no_safe_place",)
    assert step.interrupt
    assert step.item is not None and step.item.id == "want_shelter"  # the interview can go on
    state = iv.acknowledge(state, step.urgent)
    assert iv.next_step(session, state).urgent == ()


def test_high_severity_does_not_interrupt(session: Interview) -> None:
    state = iv.State(answers={"safe_tonight": "yes", "hurt": "yes"})
    assert iv.next_step(session, state).urgent == ()


def test_content_warning_comes_before_a_section_and_can_skip_it(session: Interview) -> None:
    state = iv.answer(session, iv.State(), "safe_tonight", "yes")
    step = iv.next_step(session, state)
    assert step.item is not None and step.item.id == "hurt"
    assert step.content_warning is not None and "health" in step.content_warning
    skipped = iv.choose_section(state, step.section_key or "", enter=False)
    done = iv.next_step(session, skipped)
    assert done.done
    walked = iv.route(session, skipped)
    assert walked.answers["hurt"] is SKIPPED
    assert [v.kind for v in walked.visits][-1] is Kind.SECTION_SKIPPED
    entered = iv.choose_section(state, step.section_key or "", enter=True)
    again = iv.next_step(session, entered)
    assert again.item is not None and again.item.id == "hurt"
    assert again.content_warning is None


def test_skipped_and_declined_are_kept_apart(session: Interview) -> None:
    state = iv.answer(session, iv.State(), "safe_tonight", None)
    assert state.answers["safe_tonight"] is SKIPPED
    state = iv.answer(session, state, "safe_tonight", {"declined": True})
    assert state.answers["safe_tonight"] is DECLINED
    # Neither is a value: conditions comparing against them are false.
    assert iv.steps(session, state) == ["safe_tonight", "hurt"]


def test_back_goes_to_the_previous_item_on_the_current_path(session: Interview) -> None:
    state = iv.State(answers={"safe_tonight": "no", "want_shelter": "yes"})
    assert iv.previous_item(session, state, "hurt") == "want_shelter"
    state = iv.answer(session, state, "safe_tonight", "yes")
    assert iv.previous_item(session, state, "hurt") == "safe_tonight"
    assert iv.previous_item(session, state, None) == "hurt"
    step = iv.step_at(session, state, "safe_tonight")
    assert step.item is not None and step.item.id == "safe_tonight"


def test_changing_an_answer_sets_aside_what_no_longer_applies(session: Interview) -> None:
    state = iv.State(answers={"safe_tonight": "no", "want_shelter": "yes"})
    changed = iv.answer(session, state, "safe_tonight", "yes")
    # next_step does not touch answers; the old answer simply does not count.
    assert iv.next_step(session, changed).item is not None
    assert "want_shelter" in changed.answers
    assert iv.result(session, changed).needs["housing"].level == "none"
    tidy = iv.set_aside(session, changed)
    assert "want_shelter" not in tidy.answers
    assert tidy.set_aside == {"want_shelter": "yes"}
    back = iv.restore(session, iv.answer(session, tidy, "safe_tonight", "unsure"))
    assert back.answers["want_shelter"] == "yes"
    assert back.set_aside == {}


def test_answering_an_item_off_the_path_is_refused(session: Interview) -> None:
    with pytest.raises(InterviewError) as caught:
        iv.answer(session, iv.State(answers={"safe_tonight": "yes"}), "want_shelter", "yes")
    assert caught.value.code == "not-on-path"
    with pytest.raises(InterviewError):
        iv.answer(session, iv.State(), "nope", "yes")


@pytest.mark.parametrize(
    ("item", "raw"),
    [
        ("safe_tonight", "maybe"),
        ("safe_tonight", True),
        ("safe_tonight", 1),
        ("safe_tonight", ["yes"]),
        ("safe_tonight", {"declined": False}),
    ],
)
def test_wrong_answers_are_refused(session: Interview, item: str, raw: object) -> None:
    with pytest.raises(AnswerError):
        iv.answer(session, iv.State(), item, raw)


def test_result_urgent_first_with_reasons(session: Interview) -> None:
    state = iv.State(answers={"safe_tonight": "no", "want_shelter": "yes", "hurt": "yes"})
    data = iv.result(session, state).to_json()
    assert data["flags"] == ["no_safe_place", "hurt_now"]
    assert data["needs"] == {
        "housing": {"level": "urgent", "because": ["flag:no_safe_place"], "missing": {}},
        "health": {"level": "some", "because": ["flag:hurt_now"], "missing": {}},
    }
    assert data["strengths"] == []


def test_flags_sorted_by_severity_not_definition_order() -> None:
    body = SAFETY.replace(
        "flags:\n",
        "flags:\n  - {id: low_one, severity: low, label: L, "
        "when: {item: safe_tonight, answered: true}}\n",
        1,
    )
    session = Interview([make(body)])
    data = iv.result(session, iv.State(answers={"safe_tonight": "no"})).to_json()
    assert data["flags"] == ["no_safe_place", "low_one"]


def _instrument(ident: str, body: str, status: str = "draft") -> Instrument:
    from screening.load.loader import load_bytes

    text = instrument_yaml(body).replace("id: test\n", f"id: {ident}\n", 1)
    text = text.replace("{status: draft}", f"{{status: {status}}}")
    return load_bytes(text.encode(), f"{ident}.yaml")


YOUTH = """\
sections:
  - id: now
    title: Now
    items:
      - id: y_safe_tonight
        type: single
        text: Do you have a safe place to sleep tonight?
        why: So we can help you find one.
        concept: safe_place_tonight
        options:
          - {value: "yes", label: "Yes"}
          - {value: "no", label: "No"}
          - {value: unsure, label: Not sure}
      - id: y_food
        type: yes_no
        text: Did you eat today?
        why: So we can help with food.
flags:
  - {id: y_no_place, severity: urgent, label: No place, when: {item: y_safe_tonight, equals: "no"}}
"""


def test_same_concept_is_asked_once_across_instruments() -> None:
    session = Interview([make(SAFETY), _instrument("youth", YOUTH)])
    state = iv.State(answers={"safe_tonight": "no"})
    assert "y_safe_tonight" not in iv.steps(session, state)
    walked = iv.route(session, state)
    assert walked.answers["y_safe_tonight"] == "no"
    assert iv.result(session, state).to_json()["flags"][:2] == ["no_safe_place", "y_no_place"]


def test_a_validated_scale_item_is_never_answered_by_another_item() -> None:
    session = Interview([make(SAFETY), _instrument("scale", YOUTH, status="validated")])
    state = iv.State(answers={"safe_tonight": "no"})
    assert "y_safe_tonight" in iv.steps(session, state)
    assert "y_safe_tonight" not in iv.route(session, state).answers


def test_concept_with_different_options_is_asked_again() -> None:
    other = YOUTH.replace("{value: unsure, label: Not sure}", "{value: maybe, label: Maybe}")
    session = Interview([make(SAFETY), _instrument("youth", other)])
    assert "y_safe_tonight" in iv.steps(session, iv.State(answers={"safe_tonight": "no"}))


def test_instruments_with_clashing_ids_cannot_share_an_interview() -> None:
    with pytest.raises(InterviewError) as caught:
        Interview([make(SAFETY), _instrument("again", SAFETY)])
    assert caught.value.code == "id-clash"
    with pytest.raises(InterviewError):
        Interview([make(SAFETY), make(SAFETY)])


def test_interview_runs_instruments_in_order() -> None:
    session = Interview([_instrument("youth", YOUTH), make(SAFETY)])
    # safe_tonight reuses y_safe_tonight: the youth check-in came first.
    assert iv.steps(session, iv.State()) == ["y_safe_tonight", "y_food", "hurt"]
    state = iv.State(answers={"y_safe_tonight": "unsure", "y_food": "yes"})
    assert iv.steps(session, state) == ["y_safe_tonight", "y_food", "want_shelter", "hurt"]


def test_unskippable_item_cannot_be_skipped() -> None:
    body = SAFETY.replace(
        "        concept: safe_place_tonight\n",
        "        concept: safe_place_tonight\n        skippable: false\n"
        "        unskippable_because: We need to know to keep you safe tonight.\n",
    )
    session = Interview([make(body)])
    with pytest.raises(AnswerError):
        iv.answer(session, iv.State(), "safe_tonight", None)
    with pytest.raises(AnswerError):
        iv.answer(session, iv.State(), "safe_tonight", {"declined": True})


NUMBERS = """\
sections:
  - id: s
    title: S
    items:
      - id: count
        type: number
        text: How many?
        why: W.
        min: 0
        max: 20
        integer: true
      - id: many
        type: text
        text: Tell us more?
        why: W.
        show_if: {item: count, gte: 5}
      - id: pick
        type: multiple
        text: Which?
        why: W.
        options:
          - {value: a, label: A, score: 1}
          - {value: b, label: B, score: 2}
          - {value: none, label: None of these, exclusive: true, score: 0}
      - id: when
        type: date
        text: When?
        why: W.
        show_if: {item: pick, includes: b}
scores:
  - id: total
    sum: [count, {item: pick, weight: 2}]
"""


def test_numbers_multiple_choice_and_dates() -> None:
    session = Interview([make(NUMBERS)])
    assert iv.steps(session, iv.State(answers={"count": 4})) == ["count", "pick"]
    state = iv.State(answers={"count": 5, "pick": ("a", "b"), "when": "2026-01-31"})
    assert iv.steps(session, state) == ["count", "many", "pick", "when"]
    state = iv.answer(session, state, "many", "some words")
    data = iv.result(session, state).to_json()
    assert data["scores"]["total"] == {"value": 11, "band": None, "complete": True}
    with pytest.raises(AnswerError):
        iv.answer(session, state, "pick", ["none", "a"])  # exclusive
    with pytest.raises(AnswerError):
        iv.answer(session, state, "count", 2.5)  # whole numbers only
    with pytest.raises(AnswerError):
        iv.answer(session, state, "count", 21)
    with pytest.raises(AnswerError):
        iv.answer(session, state, "when", "31/01/2026")
    with pytest.raises(AnswerError):
        iv.answer(session, state, "pick", ["a", "a"])


def test_pause_and_resume_round_trip(session: Interview) -> None:
    state = iv.State(answers={"safe_tonight": "no"})
    state = iv.acknowledge(state, ("no_safe_place",))
    state = iv.answer(session, state, "want_shelter", {"declined": True})
    state = iv.choose_section(state, "test/health", enter=False)
    data = iv.state_to_json(state)
    import json

    again = iv.state_from_json(session, json.loads(json.dumps(data)))
    assert again == state
    assert iv.next_step(session, again) == iv.next_step(session, state)


@pytest.mark.parametrize(
    "data",
    [
        {"answers": {"nope": 1}},
        {"answers": {"safe_tonight": "maybe"}},
        {"answers": []},
        {"sections": {"test/health": "sideways"}},
        {"acknowledged": "no_safe_place"},
    ],
)
def test_a_forged_state_is_refused(session: Interview, data: dict[str, object]) -> None:
    with pytest.raises((InterviewError, AnswerError)):
        iv.state_from_json(session, data)
