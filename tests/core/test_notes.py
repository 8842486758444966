"""Notes (``type: note``): text between questions with no answer. The loader places them,
the route shows a note screen until it is seen and a note above its question with it;
progress, scores and answers never hold a note, whatever the answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.core import interview as iv
from screening.core.route import Interview, InterviewError
from screening.errors import InstrumentError
from tests.support.builders import NOTED_SECTION, make

BODY = (
    NOTED_SECTION
    + """\
      - {id: bye, type: note, text: Nearly done.}
scores:
  - {id: total, sum: [b]}
"""
)


def walk_all(session: Interview, answers: dict[str, object]) -> list[tuple[str, str | None]]:
    """Every screen to the end: (screen, item or note id), passing notes and answering."""
    state, seen = iv.State(), []
    for _ in range(20):
        step = iv.next_step(session, state)
        seen.append(
            (step.screen, step.note.id if step.note else step.item.id if step.item else None)
        )
        if step.note is not None:
            state = iv.see_note(session, state, step.note.id)
        elif step.item is not None:
            state = iv.answer(session, state, step.item.id, answers.get(step.item.id))
        else:
            return seen
    raise AssertionError("no end")


def test_the_loader_places_notes_apart_from_questions() -> None:
    ins = make(BODY)
    assert [i.id for i in ins.items] == ["a", "b"]  # a note is never an item
    notes = [(n.id, n.display, n.before, n.why) for n in ins.iter_notes()]
    assert notes == [
        ("hello", "screen", "a", "So you know what comes."),
        ("above_b", "above", "b", None),
        ("bye", "screen", None, None),
    ]


def test_note_screens_pass_by_seen_and_notes_above_come_with_their_question() -> None:
    session = Interview([make(BODY)])
    assert walk_all(session, {"a": "yes", "b": 2}) == [
        ("note", "hello"),
        ("question", "a"),
        ("question", "b"),
        ("note", "bye"),
        ("summary", None),
    ]
    state = iv.see_note(session, iv.State(answers={"a": "yes"}), "hello")
    step = iv.next_step(session, state)
    assert step.item is not None and step.item.id == "b"
    assert [n.text for n in step.notes] == ["About b."]
    hidden = iv.next_step(session, iv.see_note(session, iv.State(answers={"a": "no"}), "hello"))
    assert hidden.notes == ()  # its show_if is false


def test_progress_counts_questions_only_and_a_note_takes_no_answer() -> None:
    session = Interview([make(BODY)])
    first = iv.next_step(session, iv.State())
    assert first.screen == "note" and not first.done
    assert (first.progress.answered, first.progress.remaining) == (0, 2)
    with pytest.raises(InterviewError) as error:
        iv.answer(session, iv.State(), "hello", "yes")
    assert error.value.code == "bad-answer"
    with pytest.raises(InterviewError) as unknown:
        iv.see_note(session, iv.State(), "a")  # a question is no note
    assert unknown.value.code == "unknown-screen"
    state = iv.see_note(session, iv.State(answers={"a": "yes", "b": 3}), "hello")
    assert "hello" not in state.answers and iv.steps(session, state) == ["a", "b"]
    result = iv.result(session, state).to_json()
    assert "hello" not in str(result) and result["scores"]["total"]["value"] == 3


def test_a_seen_note_survives_a_pause() -> None:
    session = Interview([make(BODY)])
    state = iv.see_note(session, iv.State(), "hello")
    back = iv.state_from_json(session, iv.state_to_json(state))
    step = iv.next_step(session, back)
    assert step.screen == "question" and step.item is not None and step.item.id == "a"


def test_a_note_in_a_skipped_section_is_not_shown_and_waits_for_its_warning() -> None:
    body = """\
    sections:
      - id: hard
        title: Hard
        content_warning: The next questions are hard. You can skip them.
        items:
          - {id: calm, type: note, text: Take your time.}
          - {id: q, type: yes_no, text: Q?, why: Because.}
    """
    session = Interview([make(body)])
    step = iv.next_step(session, iv.State())
    assert step.screen == "warning"  # the section's warning comes before its note
    assert step.section_key is not None
    entered = iv.choose_section(iv.State(), step.section_key, enter=True)
    assert iv.next_step(session, entered).screen == "note"
    skipped = iv.choose_section(iv.State(), step.section_key, enter=False)
    assert iv.next_step(session, skipped).done


@pytest.mark.parametrize(
    ("item", "code"),
    [
        ("{id: n, type: note, text: Hi., options: [{value: 1, label: x}]}", "unknown-field"),
        ("{id: n, type: note, text: Hi., skippable: false}", "unknown-field"),
        ("{id: n, type: yes_no, text: Q?, why: W., display: above}", "unknown-field"),
        ("{id: n, type: note, text: Hi., display: sideways}", "enum"),
        ("{id: q, type: note, text: Hi.}", "duplicate-id"),
        ("{id: n, type: note, text: Hi., display: above}", "note-above"),
        ("{id: n, type: note, text: Hi., show_if: {item: later, equals: 1}}", "forward-ref"),
    ],
)
def test_the_loader_refuses_a_note_that_does_not_fit(item: str, code: str) -> None:
    body = f"""\
    sections:
      - id: one
        title: One
        items:
          - {{id: q, type: yes_no, text: Q?, why: W.}}
          - {item}
      - id: two
        title: Two
        items:
          - {{id: later, type: number, text: L?, why: W.}}
    """
    if code == "note-above":  # the last thing of the instrument, with nothing below it
        body = body.replace("          - {id: later, type: number, text: L?, why: W.}\n", "")
        body = body.replace("      - id: two\n        title: Two\n        items:\n", "")
    with pytest.raises(InstrumentError) as error:
        make(body)
    assert code in {p.code for p in error.value.problems}, error.value.problems


def test_a_show_if_cannot_name_a_note() -> None:
    body = """\
    sections:
      - id: one
        title: One
        items:
          - {id: n, type: note, text: Hi.}
          - {id: q, type: yes_no, text: Q?, why: W., show_if: {item: n, answered: true}}
    """
    with pytest.raises(InstrumentError):
        make(body)


_ABSENT = object()


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(st.just(_ABSENT), st.none(), st.sampled_from(["yes", "no"])),
    st.one_of(st.just(_ABSENT), st.none(), st.integers(0, 9)),
    st.sets(st.sampled_from(["hello", "bye"])),
)
def test_notes_never_reach_answers_progress_or_scores(a: object, b: object, seen: set[str]) -> None:
    session = Interview([make(BODY)])
    answers = {k: v for k, v in (("a", a), ("b", b)) if v is not _ABSENT}
    state = iv.State(answers=answers)  # type: ignore[arg-type]
    for note in seen:
        state = iv.see_note(session, state, note)
    step = iv.next_step(session, state)
    walked = iv.route(session, state)
    assert {v.item.id for v in walked.visits} == {"a", "b"}
    assert step.progress.total == 2 and step.progress.answered == len(answers)
    if "hello" not in seen:
        assert step.note is not None and step.note.id == "hello"
    elif len(answers) < 2:
        assert step.note is None and step.item is not None
    else:
        assert (step.note is None) is ("bye" in seen)
    assert step.done is (len(answers) == 2 and seen == {"hello", "bye"})
    result = iv.result(session, state).to_json()
    assert not {"hello", "above_b", "bye"} & set(str(result).split("'"))


def test_the_education_screen_comes_first_and_going_on_from_a_note_passes_it() -> None:
    body = BODY.replace(
        "sections:\n",
        "education: {id: know, title: Good to know, text: Help is free.}\nsections:\n",
        1,
    )
    session = Interview([make(body)])
    first = iv.next_step(session, iv.State())
    assert first.screen == "education" and first.note is not None
    after = iv.see_note(session, iv.State(), first.note.id)
    step = iv.next_step(session, after)
    assert step.education is None and step.screen == "question"
