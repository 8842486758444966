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
