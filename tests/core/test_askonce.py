"""Ask once: an item's ``derive`` map reads another instrument's answer.

Rules (docs/instrument-format.md, "Ask once"): the source item is asked, the derived item
is not (DERIVED on the route) and its answer is the map's value for the source's answer;
declined stays declined, skipped stays skipped, unanswered stays unanswered. A source in a
validated instrument is read whatever the order; another source only when it comes
earlier. Stored answers are never changed; an answer to a derived item never counts.
"""

from __future__ import annotations

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from screening.core import interview as iv
from screening.core.answers import DECLINED, SKIPPED, Answer
from screening.core.model import (
    Codesign,
    Derivation,
    Instrument,
    Item,
    Option,
    OptionValue,
    Section,
    Status,
)
from screening.core.route import Interview, InterviewError, Kind
from tests.support.builders import instrument_yaml

SCALE = """\
sections:
  - id: mood
    title: Mood
    items:
      - id: s_gate
        type: yes_no
        text: May we ask about mood?
        why: W.
      - id: s_9
        type: single
        concept: death_or_harm
        text: Thoughts of death or of harming yourself
        why: W.
        options:
          - {value: 0, label: Not at all}
          - {value: 1, label: Some days}
          - {value: 2, label: Over half the days}
          - {value: 3, label: Almost every day}
scores:
  - id: s_total
    sum: [s_9]
flags:
  - {id: s_flag, severity: urgent, label: Item 9, when: {item: s_9, gt: 0}}
"""

NEEDS = """\
sections:
  - id: feelings
    title: Feelings
    items:
      - id: n_end
        type: yes_no
        unsure: true
        text: Have you had thoughts of ending your life?
        why: W.
        derive:
          from_concept: death_or_harm
          map:
            - {from: 0, to: "no"}
            - {from: [1, 2, 3], to: "yes"}
      - id: n_talk
        type: yes_no
        show_if: {item: n_end, equals: "yes"}
        text: Would you like someone to talk to today?
        why: W.
flags:
  - {id: n_flag, severity: urgent, label: Ending life, when: {item: n_end, equals: "yes"}}
needs:
  - {id: mental, label: Feelings, urgent_if: {flag: n_flag}, some_if: {item: n_end, equals: unsure}}
"""


def _load(ident: str, body: str, status: str = "draft") -> Instrument:
    from screening.load.loader import load_bytes

    text = instrument_yaml(body).replace("id: test\n", f"id: {ident}\n", 1)
    text = text.replace("{status: draft}", f"{{status: {status}}}")
    return load_bytes(text.encode(), f"{ident}.yaml")


@pytest.fixture(scope="module")
def scale() -> Instrument:
    return _load("scale", SCALE, "validated")


@pytest.fixture(scope="module")
def needs() -> Instrument:
    return _load("needs", NEEDS)


def _kinds(session: Interview, answers: dict[str, Answer]) -> dict[str, Kind]:
    return {v.item.id: v.kind for v in iv.route(session, iv.State(answers=answers)).visits}


@pytest.mark.parametrize("scale_first", [True, False])
def test_the_scale_item_is_asked_and_the_other_derived_in_either_order(
    scale: Instrument, needs: Instrument, scale_first: bool
) -> None:
    session = Interview([scale, needs] if scale_first else [needs, scale])
    answers: dict[str, Answer] = {"s_gate": "yes"}
    assert "n_end" not in iv.steps(session, iv.State(answers=answers))
    assert _kinds(session, answers)["n_end"] is Kind.DERIVED
    walked = iv.route(session, iv.State(answers={**answers, "s_9": 2}))
    assert walked.answers["n_end"] == "yes"
    visit = next(v for v in walked.visits if v.item.id == "n_end")
    assert visit.reused_from == "s_9"
    # the derived value feeds its own instrument's conditions, flags and needs
    state = iv.State(answers={**answers, "s_9": 2})
    assert "n_talk" in iv.steps(session, state)
    result = iv.result(session, state).to_json()
    assert set(result["flags"]) == {"s_flag", "n_flag"}
    assert result["needs"]["mental"] == {
        "level": "urgent",
        "because": ["flag:n_flag"],
        "missing": {},
    }
    state = iv.State(answers={**answers, "s_9": 0})
    assert iv.route(session, state).answers["n_end"] == "no"
    assert "n_talk" not in iv.steps(session, state)
    assert iv.result(session, state).to_json()["flags"] == []


@pytest.mark.parametrize(
    ("given", "derived"), [(SKIPPED, SKIPPED), (DECLINED, DECLINED), (None, None)]
)
def test_declined_stays_declined_and_skipped_stays_skipped(
    scale: Instrument, needs: Instrument, given: Answer | None, derived: Answer | None
) -> None:
    session = Interview([needs, scale])
    answers: dict[str, Answer] = {"s_gate": "yes"}
    if given is not None:
        answers["s_9"] = given
    assert iv.route(session, iv.State(answers=answers)).answers.get("n_end") == derived


def test_an_answer_to_the_derived_item_never_counts_and_is_never_changed(
    scale: Instrument, needs: Instrument
) -> None:
    session = Interview([needs, scale])
    state = iv.State(answers={"s_gate": "yes", "s_9": 0, "n_end": "yes"})
    assert iv.route(session, state).answers["n_end"] == "no"
    assert state.answers["n_end"] == "yes"  # the stored answer is left as it was
    with pytest.raises(InterviewError) as caught:
        iv.answer(session, state, "n_end", "yes")
    assert caught.value.code == "not-on-path"
    changed = iv.answer(session, state, "s_9", 3)  # changing the source changes the meaning
    assert iv.route(session, changed).answers["n_end"] == "yes"


def test_without_the_source_in_the_interview_the_item_is_asked(needs: Instrument) -> None:
    assert iv.steps(Interview([needs]), iv.State()) == ["n_end"]
    assert _kinds(Interview([needs]), {})["n_end"] is Kind.ASKED


@pytest.mark.parametrize("where", ["item", "section"])
def test_a_source_behind_a_show_if_cannot_be_read(needs: Instrument, where: str) -> None:
    """Else the derived item would be asked while the gate is open, then set aside once it
    opens, and the person asked twice."""
    if where == "item":
        gated = SCALE.replace(
            "        concept: death_or_harm\n",
            '        concept: death_or_harm\n        show_if: {item: s_gate, equals: "yes"}\n',
        )
    else:
        gated = SCALE.replace(
            "  - id: mood\n    title: Mood\n    items:\n      - id: s_gate\n"
            "        type: yes_no\n        text: May we ask about mood?\n        why: W.\n",
            "  - id: gate\n    title: Gate\n    items:\n      - id: s_gate\n"
            "        type: yes_no\n        text: May we ask about mood?\n        why: W.\n"
            '  - id: mood\n    title: Mood\n    show_if: {item: s_gate, equals: "yes"}\n'
            "    items:\n",
        )
    assert gated != SCALE
    with pytest.raises(InterviewError) as caught:
        Interview([needs, _load("scale", gated, "validated")])
    assert caught.value.code == "derive-map" and "show_if" in caught.value.message


def test_a_skipped_source_section_leaves_the_derived_item_skipped(
    scale: Instrument, needs: Instrument
) -> None:
    session = Interview([needs, scale])
    state = iv.State(answers={"s_gate": "yes"}, sections={"scale/mood": "skip"})
    walked = iv.route(session, state)
    assert walked.answers["n_end"] is SKIPPED
    assert iv.next_step(session, state).done


def test_the_step_names_what_is_not_asked(scale: Instrument, needs: Instrument) -> None:
    step = iv.next_step(Interview([needs, scale]), iv.State())
    assert step.item is not None and step.item.id == "s_gate"  # n_end is not asked
    assert [(v.item.id, v.kind, v.reused_from) for v in step.answered_elsewhere] == [
        ("n_end", Kind.DERIVED, "s_9")
    ]


def test_a_map_that_misses_an_option_of_the_source_cannot_run(needs: Instrument) -> None:
    wider = SCALE.replace(
        "          - {value: 3, label: Almost every day}\n",
        "          - {value: 3, label: Almost every day}\n          - {value: 4, label: More}\n",
    )
    with pytest.raises(InterviewError) as caught:
        Interview([needs, _load("scale", wider, "validated")])
    assert caught.value.code == "derive-map" and "4" in caught.value.message


def test_between_two_drafts_the_source_must_come_first(needs: Instrument) -> None:
    draft = _load("scale", SCALE)
    assert "n_end" not in iv.steps(Interview([draft, needs]), iv.State(answers={"s_gate": "yes"}))
    later = iv.steps(Interview([needs, draft]), iv.State(answers={"s_gate": "yes"}))
    assert later == ["n_end", "s_gate", "s_9"]


# --- properties over random maps ----------------------------------------------------------

TARGET_VALUES = ("a", "b", "c", "d")


def _instrument(ident: str, item: Item, status: Status) -> Instrument:
    section = Section(id=f"{ident}_s", title="S", items=(item,))
    return Instrument(
        id=ident,
        version="0.1.0",
        title=ident,
        language="en",
        audiences=("worker",),
        codesign=Codesign(status),
        licence="CC-BY-4.0",
        sections=(section,),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Interview, dict[str, Answer], dict[OptionValue, str], bool]:
    ints = draw(st.booleans())
    values: list[OptionValue] = (
        draw(st.lists(st.integers(-3, 9), min_size=1, max_size=5, unique=True))
        if ints
        else draw(st.lists(st.sampled_from(["x", "y", "z", "w", "0"]), min_size=1, unique=True))
    )
    targets = draw(st.lists(st.sampled_from(TARGET_VALUES), min_size=1, unique=True))
    mapping = {v: draw(st.sampled_from(targets)) for v in values}
    source_kind = "single" if len(values) > 1 or draw(st.booleans()) else "scale"
    source = Item(
        id="src",
        type=source_kind,
        text="Q",
        why="W",
        section_id="src_s",
        instrument_id="source",
        options=tuple(Option(v, str(v)) for v in values),
        concept="shared",
    )
    target = Item(
        id="dst",
        type="single",
        text="Q",
        why="W",
        section_id="target_s",
        instrument_id="target",
        options=tuple(Option(v, v) for v in targets),
        derive=Derivation("shared", tuple(mapping.items())),
    )
    validated = draw(st.booleans())
    first = draw(st.booleans())
    src = _instrument("source", source, Status.VALIDATED if validated else Status.DRAFT)
    dst = _instrument("target", target, Status.DRAFT)
    session = Interview([src, dst] if first else [dst, src])
    answers: dict[str, Answer] = {}
    given = draw(st.sampled_from(["value", "skipped", "declined", "absent"]))
    if given == "value":
        answers["src"] = draw(st.sampled_from(values))
    elif given != "absent":
        answers["src"] = SKIPPED if given == "skipped" else DECLINED
    if draw(st.booleans()):  # a stored answer to the derived item must never count
        answers["dst"] = draw(st.sampled_from(targets))
    return session, answers, mapping, validated or first


@given(cases())
def test_property_never_asks_both_and_the_value_is_the_maps(
    case: tuple[Interview, dict[str, Answer], dict[OptionValue, str], bool],
) -> None:
    session, answers, mapping, applies = case
    note(f"answers={answers} map={mapping} applies={applies}")
    walked = iv.route(session, iv.State(answers=answers))
    asked = [v.item.id for v in walked.asked()]
    if not applies:  # a draft source after the map: the map does not apply, both are asked
        assert asked == ["dst", "src"]
        return
    assert asked == ["src"]
    kinds = {v.item.id: v.kind for v in walked.visits}
    assert kinds["dst"] is Kind.DERIVED
    source = answers.get("src")
    if source is None:
        assert "dst" not in walked.answers
    elif source in (SKIPPED, DECLINED):
        assert walked.answers["dst"] is source
    else:
        assert walked.answers["dst"] == mapping[source]
    assert iv.steps(session, iv.State(answers=answers)) == ["src"]
    # walked as an interview, step by step: the derived item is never put to the person
    state, presented = iv.State(), []
    for _ in range(4):
        step = iv.next_step(session, state)
        if step.done or step.item is None:
            break
        presented.append(step.item.id)
        state = iv.answer(session, state, step.item.id, step.item.options[-1].value)
    assert presented == ["src"]
    assert iv.route(session, state).answers["dst"] == mapping[state.answers["src"]]
