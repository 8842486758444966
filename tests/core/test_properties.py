"""Property tests: random valid instruments, random answers, random interviews.

A hypothesis strategy writes RANDOM VALID instruments as YAML text (so the loader is
exercised too): 1-4 sections of 1-10 items of every type, ``show_if`` conditions that name
only earlier items with values valid for them, scores with random integer weights and
reverse flags whose bands exactly cover a range computed here, independently of the
engine, and flags, needs and strengths with conditions over items, scores and flags.

Next to the strategy lives a small reference implementation of the documented rules
(docs/instrument-format.md), written from the document and not from the engine: its own
condition evaluator, route walk, scoring, flags, needs and strengths. Most properties
compare the engine with it.

Reachability: every generated ``show_if`` is checked here by brute force over the states
each named item can be in; a condition that no answers satisfy is widened with
``{any: [..., {item: EARLIER, answered: false}]}`` (or dropped), so the loader must accept
every generated instrument.

Engine bugs found by these properties have their own minimal tests at the end of this
file, kept as regression tests now that they are fixed. A new open one is marked
``xfail(strict=True, reason="bug: ...")`` and left out of the generator until fixed.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from screening.core import interview, scoring
from screening.core.answers import SKIPPED, AnswerError, answer_to_json, parse_answer
from screening.core.route import Interview
from screening.errors import InstrumentError
from screening.load.loader import check_bytes
from tests.support.builders import make
from tests.support.reference import (
    NONE,
    Case,
    Spec,
    bands_containing,
    cases,
    engine_json,
    has_value,
    instruments,
    raw_answers,
    ref_result,
    refs,
    section_key,
)

ITEM_REASONS = ("skipped", "declined", "section_skipped", "unanswered")

# --- answers in the reference model ----------------------------------------------------


# --- the generated instrument ----------------------------------------------------------


# --- the reference: conditions, route, scores, flags -----------------------------------


# --- reachability, checked here by brute force -----------------------------------------


# --- strategies: items ------------------------------------------------------------------


# --- strategies: scores, flags, needs, strengths ----------------------------------------


# --- strategies: the instrument -----------------------------------------------------------


# --- strategies: answers ------------------------------------------------------------------


# --- properties -----------------------------------------------------------------------
# Loading a generated instrument costs tens of milliseconds (mostly JSON Schema), so the
# properties that share a generated case are checked in one test each, one helper per
# property, to keep the "full" profile within minutes.


@given(instruments(), st.data())
def test_every_generated_instrument_loads(spec: Spec, data: st.DataObject) -> None:
    note(spec.text)
    instrument, problems = check_bytes(spec.text.encode("utf-8"), "prop.yaml")
    errors = [str(p) for p in problems if not p.warning]
    assert instrument is not None, "a valid instrument was rejected:\n" + "\n".join(errors)
    # The one warning: bands written to start below the lowest possible score.
    warned = {spec.scores[p.path[1]]["id"] for p in problems if p.code == "band-beyond-range"}
    assert [p.code for p in problems if p.code != "band-beyond-range"] == []
    assert warned == spec.beyond
    assert [i.id for i in instrument.iter_items()] == spec.order
    assert [s.id for s in instrument.scores] == [s["id"] for s in spec.scores]
    assert [f.id for f in instrument.flags] == [f["id"] for f in spec.flags]
    assert dict(instrument.parameter_values) == spec.params
    for item_id in spec.order:
        item = instrument.item(item_id)
        assert item is not None
        assert [(type(v), v) for v in item.values] == [(type(v), v) for v in spec.values(item_id)]
        # Every generated answer fits its item, and its JSON form survives the round trip.
        raw = data.draw(raw_answers(spec, item_id), label=item_id)
        assert answer_to_json(parse_answer(item, raw)) == raw


def check_deterministic(case: Case, order: list[str]) -> dict[str, Any]:
    """Same answers twice give the same result; the order of the answers does not matter;
    the result is strict JSON (no NaN or Infinity)."""
    first = interview.result(case.interview, case.state()).to_json(explain=True)
    json.dumps(first, allow_nan=False)
    again = interview.result(case.interview, case.state()).to_json(explain=True)
    shuffled = case.state({k: case.raw[k] for k in order})
    assert first == again
    assert interview.result(case.interview, shuffled).to_json(explain=True) == first
    return first


def check_documented_rules(case: Case, got: dict[str, Any]) -> None:
    """Scores (values, completeness, bands), flags in order, need levels and strengths
    equal the reference implementation's."""
    assert engine_json(got) == ref_result(case.spec, case.route())


def check_because(case: Case, got: dict[str, Any]) -> None:
    """Every flag, need and strength says why, naming only what its condition looks at."""
    whens = {f["id"]: f["when"] for f in case.spec.flags}
    for flag_id, explained in got["explain"]["flags"].items():
        assert explained["because"], flag_id
        assert set(explained["because"]) <= refs(whens[flag_id])
    for need in case.spec.needs:
        level = got["needs"][need["id"]]["level"]
        because = got["needs"][need["id"]]["because"]
        missing = got["needs"][need["id"]]["missing"]
        rule = {"urgent": need.get("urgent_if"), "some": need.get("some_if")}.get(level)
        if level == "unknown":
            # What could not be told, traced back to answers and incomplete scores.
            assert because and list(missing) == because
            for ref, why in missing.items():
                kind, _, ident = ref.partition(":")
                assert kind == "score" or (kind == "item" and ident in case.spec.items)
                assert why == "incomplete" if kind == "score" else why in ITEM_REASONS, ref
                if kind == "score":
                    assert got["scores"][ident]["complete"] is False
        elif rule is None:
            assert because == [] and missing == {}
        else:
            assert because
            assert set(because) <= refs(rule)
    whens = {s["id"]: s["when"] for s in case.spec.strengths}
    for strength_id, because in got["explain"]["strengths"].items():
        assert because
        assert set(because) <= refs(whens[strength_id])


def check_bands(case: Case, got: dict[str, Any]) -> None:
    """A complete score with bands has exactly one band, the one that holds its value by
    the bands as written; an incomplete score, or one without bands, has none."""
    for score in case.spec.scores:
        result = got["scores"][score["id"]]
        if result["complete"] and score.get("bands"):
            assert bands_containing(score, result["value"], case.spec.params) == [result["band"]]
        else:
            assert result["band"] is None


def check_completeness(case: Case, got: dict[str, Any]) -> None:
    """A score is complete iff every item it adds is shown and has a value (hidden ones
    are fine with not_shown: zero), its sub-scores are complete and its required items
    have values."""
    route = case.route()
    done: dict[str, bool] = {}
    for score in case.spec.scores:
        complete = True
        for term in score["sum"]:
            term = term if isinstance(term, dict) else {"item": term}
            if "score" in term:
                complete = complete and done[term["score"]]
            elif term["item"] not in route.visited:
                complete = complete and score.get("not_shown") == "zero"
            else:
                complete = complete and has_value(route.values.get(term["item"], NONE))
        for required in score.get("requires", []):
            complete = complete and has_value(route.values.get(required, NONE))
        done[score["id"]] = complete
        assert got["scores"][score["id"]]["complete"] is complete, score["id"]


@given(cases(), st.randoms())
def test_results_follow_the_documented_rules(case: Case, rnd: Any) -> None:
    order = list(case.raw)
    rnd.shuffle(order)
    got = check_deterministic(case, order)
    check_documented_rules(case, got)
    check_because(case, got)
    check_bands(case, got)
    check_completeness(case, got)


@given(cases())
def test_route_and_next_step_follow_the_documented_walk(case: Case) -> None:
    """steps() is the documented show_if walk; next_step() leaves the state as it was and
    points at the first unanswered step, with progress that adds up; the state survives
    a trip through JSON."""
    state = case.state()
    snapshot = copy.deepcopy(state)
    route = case.route()
    assert interview.steps(case.interview, state) == route.asked
    step = interview.next_step(case.interview, state)
    assert state == snapshot
    pending = [i for i in route.asked if i not in route.values]
    if pending:
        assert step.item is not None
        assert step.item.id == pending[0]
    else:
        assert step.done
    assert step.progress.answered + step.progress.remaining == len(route.asked)
    assert step.progress.remaining == len(pending)
    # A paused interview resumes as it was.
    saved = json.loads(json.dumps(interview.state_to_json(state)))
    assert interview.state_from_json(case.interview, saved) == state


@given(cases())
def test_a_step_scores_the_urgent_flags_as_the_full_result_has_them(case: Case) -> None:
    """A step scores only the urgent flags (issue 11): the same flags, in the same
    order, as scoring the whole result."""
    walked = interview.route(case.interview, case.state())
    assert (
        scoring.urgent_flags(case.interview, walked) == scoring.score(case.interview, walked).urgent
    )


@given(cases())
def test_a_route_handed_on_gives_what_walking_it_again_gives(case: Case) -> None:
    """A step walks the route once and hands it on (issue 11): set_aside and next_step
    with the state's route give what they give walking it themselves."""
    state = case.state()
    walked = interview.route(case.interview, state)
    assert interview.set_aside(case.interview, state, walked) == interview.set_aside(
        case.interview, state
    )
    assert interview.next_step(case.interview, state, walked) == interview.next_step(
        case.interview, state
    )


def _outcome(do: Any) -> Any:
    try:
        return do()
    except (interview.InterviewError, AnswerError) as exc:
        return type(exc), getattr(exc, "code", None), str(exc)


@given(cases(), st.data())
def test_an_answer_walked_once_is_the_answer_walked_twice(case: Case, data: st.DataObject) -> None:
    """answer_walked (a step's one walk, issue 11) takes and refuses the same answers as
    answer, with the same error, and gives the route of the state it returns; an item
    off the route, in a skipped section or hidden, included, and a bad value too."""
    state = case.state()
    item_id = data.draw(st.sampled_from(case.spec.order), label="item")
    raw = data.draw(
        st.one_of(raw_answers(case.spec, item_id), st.just("no such option"), st.just([3])),
        label="raw",
    )
    got = _outcome(lambda: interview.answer_walked(case.interview, state, item_id, raw))
    want = _outcome(lambda: interview.answer(case.interview, state, item_id, raw))
    if isinstance(want, interview.State):
        assert isinstance(got, tuple)
        assert got[0] == want
        assert got[1] == interview.route(case.interview, want)
    else:
        assert got == want


@given(cases(), st.data())
def test_answers_to_hidden_items_never_count(case: Case, data: st.DataObject) -> None:
    """Answers (values, skipped or declined) to items whose show_if, or their section's,
    is false change neither the route nor the result."""
    state = case.state()
    before = interview.result(case.interview, state).to_json(explain=True)
    visited = case.route().visited
    hidden = [i for i in case.spec.order if i not in visited]
    extra = {i: data.draw(raw_answers(case.spec, i), label=i) for i in hidden}
    more = case.state({**case.raw, **extra})
    assert case.route({**case.raw, **extra}).visited == visited
    assert interview.steps(case.interview, more) == interview.steps(case.interview, state)
    assert interview.result(case.interview, more).to_json(explain=True) == before


@given(cases())
def test_set_aside_keeps_every_answer_and_changes_no_result(case: Case) -> None:
    state = case.state()
    # An answer set aside earlier (say, to an item of an older version) must stay too.
    state = interview.State(state.answers, state.sections, set_aside={"item_gone": SKIPPED})
    before = {**state.set_aside, **state.answers}
    after = interview.set_aside(case.interview, state)
    assert {**after.set_aside, **after.answers} == before
    assert not set(after.answers) & (set(after.set_aside) - set(state.set_aside))
    assert set(after.answers) <= set(interview.steps(case.interview, after))
    assert interview.steps(case.interview, after) == interview.steps(case.interview, state)
    assert interview.result(case.interview, after).to_json(explain=True) == interview.result(
        case.interview, state
    ).to_json(explain=True)
    assert interview.set_aside(case.interview, after) == after


@given(instruments(), st.data())
def test_the_interview_always_ends(spec: Spec, data: st.DataObject) -> None:
    """Take next_step until done, as a person would: acknowledge urgent flags, choose at
    content warnings, answer each item (value, skip or decline). It ends within
    items + sections + flags + 1 steps, and progress adds up along the way."""
    note(spec.text)
    session = Interview([spec.load()])
    state = interview.State()
    bound = len(spec.order) + len(spec.sections) + len(spec.flags) + 1
    warned: set[str] = set()
    for _ in range(bound):
        snapshot = copy.deepcopy(state)
        step = interview.next_step(session, state)
        assert state == snapshot
        route = interview.steps(session, state)
        assert step.progress.answered + step.progress.remaining == len(route)
        assert step.progress.answered == sum(1 for i in route if i in state.answers)
        if step.urgent:
            assert not set(step.urgent) & state.acknowledged
            state = interview.acknowledge(state, step.urgent)
            continue
        if step.done:
            assert all(i in state.answers for i in route)
            saved = json.loads(json.dumps(interview.state_to_json(state)))
            assert interview.state_from_json(session, saved) == state
            return
        assert step.item is not None
        assert step.item.id == next(i for i in route if i not in state.answers)
        if step.content_warning is not None:
            assert step.section_key is not None
            assert step.section_key not in warned, "a content warning was shown twice"
            warned.add(step.section_key)
            enter = data.draw(st.booleans(), label=f"enter {step.section_key}")
            state = interview.choose_section(state, step.section_key, enter=enter)
            if not enter:
                gone = {
                    i["id"]
                    for s in spec.sections
                    if section_key(s) == step.section_key
                    for i in s["items"]
                    if i["id"] not in state.answers
                }
                assert not set(interview.steps(session, state)) & gone
            continue
        raw = data.draw(raw_answers(spec, step.item.id), label=step.item.id)
        kept = {**state.set_aside, **state.answers}
        state = interview.answer(session, state, step.item.id, raw)
        state = interview.set_aside(session, state)
        assert set(kept) | {step.item.id} <= set(state.answers) | set(state.set_aside)
        after = interview.next_step(session, state)
        if interview.steps(session, state) == route:
            assert after.progress.remaining == step.progress.remaining - 1
        else:
            assert after.progress.remaining < step.progress.remaining or (
                set(interview.steps(session, state)) - set(route)
            )
    pytest.fail(f"the interview did not end within {bound} steps")


# --- engine bugs: minimal reproducers ---------------------------------------------------
# Found by the properties above; all fixed in the engine, kept as regression tests. A new
# open one is marked xfail(strict=True, reason="bug: ...").


def _route_after(body: str, item_id: str, raw: object) -> list[str]:
    session = Interview([make(body)])
    return interview.steps(session, interview.answer(session, interview.State(), item_id, raw))


def test_reach_accepts_a_condition_needing_two_of_three_options() -> None:
    """Was: reach.py tried each option alone and all of them together, never {a, b}."""
    body = """
    sections:
      - id: s
        title: S
        items:
          - id: m
            type: multiple
            text: Which?
            why: To help.
            options: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}]
          - id: x
            type: text
            text: Tell us more.
            why: To help.
            show_if:
              all:
                - {item: m, includes: a}
                - {item: m, includes: b}
                - not: {item: m, includes: c}
    """
    assert _route_after(body, "m", ["a", "b"]) == ["m", "x"]
    assert _route_after(body, "m", ["a", "b", "c"]) == ["m"]


def test_reach_knows_an_empty_choice_is_an_answer() -> None:
    """Was: reach.py never tried the empty answer [] that parse_answer accepts."""
    body = """
    sections:
      - id: s
        title: S
        items:
          - {id: m, type: multiple, text: Which?, why: W, options: [{value: a, label: A}]}
          - id: x
            type: text
            text: More?
            why: W
            show_if: {all: [{item: m, answered: true}, {not: {item: m, includes: a}}]}
    """
    assert _route_after(body, "m", []) == ["m", "x"]
    assert _route_after(body, "m", ["a"]) == ["m"]


def test_reach_accepts_a_narrow_number_interval() -> None:
    """Was: reach.py tried numbers 0.5 apart, none strictly between 5 and 5.5."""
    body = """
    sections:
      - id: s
        title: S
        items:
          - {id: n, type: number, text: How many?, why: W}
          - id: x
            type: text
            text: More?
            why: W
            show_if: {all: [{item: n, gt: 5}, {item: n, lt: 5.5}]}
    """
    assert _route_after(body, "n", 5.25) == ["n", "x"]
    assert _route_after(body, "n", 5.5) == ["n"]


WHOLE_NUMBER_GTE_2_5 = """
sections:
  - id: s
    title: S
    items:
      - {id: n, type: number, integer: true, text: How many?, why: W}
      - {id: x, type: text, text: More?, why: W, show_if: {item: n, gte: 2.5}}
"""


def test_reach_accepts_a_fractional_bound_on_a_whole_number_item() -> None:
    assert _route_after(WHOLE_NUMBER_GTE_2_5, "n", 3) == ["n", "x"]


def test_an_unreachable_item_is_still_refused() -> None:
    """The counterpart of the tests above: a truly impossible show_if is refused."""
    body = """
    sections:
      - id: s
        title: S
        items:
          - {id: n, type: number, integer: true, text: How many?, why: W}
          - {id: x, type: text, text: More?, why: W,
             show_if: {all: [{item: n, gt: 2}, {item: n, lt: 3}]}}
    """
    with pytest.raises(InstrumentError) as caught:
        make(body)
    assert [p.code for p in caught.value.problems] == ["unreachable"]


SKIPPABLE_SECTION = """
sections:
  - id: hard
    title: Hard questions
    content_warning: These are hard. You can skip them.
    items:
      - {id: q1, type: scale, min: 0, max: 3, text: One?, why: W}
      - {id: q2, type: scale, min: 0, max: 3, text: Two?, why: W}
scores:
  - {id: total, sum: [q1, q2]}
"""


def test_skipping_a_section_keeps_what_was_already_answered() -> None:
    """Docs: the unanswered items of a skipped section count as skipped; an answer the
    person already gave in it stays and still counts."""
    session = Interview([make(SKIPPABLE_SECTION)])
    state = interview.choose_section(interview.State(), "test/hard", enter=True)
    state = interview.answer(session, state, "q1", 2)
    state = interview.choose_section(state, "test/hard", enter=False)
    assert interview.steps(session, state) == ["q1"]
    assert interview.next_step(session, state).done
    total = interview.result(session, state).scores["total"]
    assert (total.value, total.complete, total.missing) == (2, False, ("q2",))
    entered = interview.choose_section(state, "test/hard", enter=True)
    assert interview.steps(session, entered) == ["q1", "q2"]


NUMBER_AND_DATE = """
sections:
  - id: s
    title: S
    items:
      - {id: n, type: number, min: 0, max: 10, text: How many?, why: W}
      - {id: d, type: date, text: When?, why: W}
"""


@pytest.mark.parametrize(
    ("item_id", "raw"),
    [
        ("n", 10**400),  # was: OverflowError
        ("n", -(10**400)),
        ("n", 11),
        ("n", "3"),
        ("n", True),
        ("n", float("nan")),
        ("n", float("inf")),
        ("d", "2021-W01-1"),  # was: accepted (an ISO week date, 10 characters)
        ("d", "20210101"),
        ("d", "2021-02-30"),
        ("d", " 2021-01-01"),
        ("d", {"declined": False}),
    ],
)
def test_wrong_answers_are_refused_with_answer_error(item_id: str, raw: object) -> None:
    item = make(NUMBER_AND_DATE).item(item_id)
    assert item is not None
    with pytest.raises(AnswerError):
        parse_answer(item, raw)


def test_an_impossible_date_bound_is_refused_by_the_loader() -> None:
    """Was: min "2021-02-30" (the schema pattern allows it) loaded, and every answer to
    the item then raised ValueError."""
    body = """
    sections:
      - id: s
        title: S
        items:
          - {id: d, type: date, min: "2021-02-30", text: When?, why: W}
    """
    with pytest.raises(InstrumentError) as caught:
        make(body)
    assert [p.path[-1] for p in caught.value.problems] == ["min"]
