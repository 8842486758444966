"""Ask once in the summary: a need raised through a derived item tells the question the
person really answered (PHQ-9 item 9), never the needs assessment's question with an
answer the person did not give to it."""

from __future__ import annotations

import pytest

from screening.core import interview as iv
from screening.core.route import Interview
from screening.load import catalog
from screening.render.summary import summary_view


@pytest.mark.parametrize("spec", ["needs-assessment,phq9", "phq9,youth-check-in"])
def test_the_summary_tells_the_source_question_once(spec: str) -> None:
    session = Interview(catalog.resolve(spec))
    state = iv.State(answers={"phq9_9": 2})
    view = summary_view(session, state)
    [mental] = [n for n in view["needs"] if n.id == "mental_health"]
    assert mental.level == "urgent"
    questions = [t.question for t in mental.told]
    assert questions == [session.items["phq9_9"].text]
    derived = "y_thoughts_ending_life" if "youth" in spec else "thoughts_ending_life"
    assert session.items[derived].text not in questions


@pytest.mark.parametrize("spec", ["needs-assessment,phq9", "phq9,youth-check-in"])
def test_what_could_not_be_told_names_the_asked_question_once(spec: str) -> None:
    """PHQ-9 item 9 declined: the need is unknown, and the lines saying why name item 9
    once, never the derived question the person was not asked."""
    from screening.core.answers import DECLINED

    session = Interview(catalog.resolve(spec))
    answers: dict[str, object] = {f"phq9_{n}": 0 for n in range(1, 9)}
    answers["phq9_9"] = DECLINED
    view = summary_view(session, iv.State(answers=answers))  # type: ignore[arg-type]
    [mental] = [n for n in view["needs"] if n.id == "mental_health"]
    assert mental.level == "unknown"
    asked = session.items["phq9_9"].text
    assert [line for line in mental.untold if line.startswith(asked)] == [
        f"{asked}: prefer not to say"
    ]
    derived = "y_thoughts_ending_life" if "youth" in spec else "thoughts_ending_life"
    assert not any(line.startswith(session.items[derived].text) for line in mental.untold)
