"""Strengths only from answers that show one (issue 13): a free-text answer such as
"nothing", "none", "no", "n/a" or "-" (in any case, spacing or punctuation, and in the
languages we have words for) raises no strength; any text that names something does.
The answer itself is kept: needs and flags still read it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from screening.core import interview as iv
from screening.core.emptytext import NOTHING_WORDS, says_nothing
from screening.core.route import Interview
from screening.load.loader import load_file
from tests.support.builders import make
from tests.support.paths import INSTRUMENTS

SAYS_NOTHING = make(
    """
    sections:
      - id: s
        title: S
        items:
          - {id: skills, type: text, text: What are you good at?, why: So we can plan.}
    needs:
      - {id: n, label: Asked about, some_if: {item: skills, answered: true}}
    strengths:
      - {id: named_skills, label: Named their skills, when: {item: skills, answered: true}}
    """
)
WORDS = sorted({w for words in NOTHING_WORDS.values() for w in words})
# Spaces and punctuation a person might type around a word; never a letter or digit.
DECOR = st.text(alphabet=" \t.,;:!?-–—_/()'\"*…。！？،", max_size=4)


def _strengths(text: str) -> list[str]:
    session = Interview([SAYS_NOTHING])
    state = iv.answer(session, iv.State(), "skills", text)
    result = iv.result(session, state)
    assert result.needs["n"].level == "some"  # the answer still counts as an answer
    return [s.id for s in result.strengths]


def _cased(word: str, upper: list[bool]) -> str:
    return "".join(
        c.upper() if u else c for c, u in zip(word, upper + [False] * len(word), strict=False)
    )


@given(st.sampled_from(WORDS), DECOR, DECOR, st.lists(st.booleans(), max_size=12))
def test_a_word_for_nothing_is_no_strength(
    word: str, before: str, after: str, upper: list[bool]
) -> None:
    text = f"{before}{_cased(word, upper)}{after}"
    assert says_nothing(text)
    assert _strengths(text) == []


@given(DECOR.filter(bool))
def test_punctuation_alone_is_no_strength(text: str) -> None:
    assert _strengths(text) == []


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéàñ", min_size=3, max_size=12).filter(
        lambda w: not says_nothing(w)
    ),
    DECOR,
)
def test_a_text_that_names_something_is_a_strength(word: str, after: str) -> None:
    assert _strengths(f"cooking and {word}{after}") == ["named_skills"]
    assert _strengths(f"{word}{after}") == ["named_skills"]


def test_known_answers() -> None:
    for nothing in (
        "Nothing",
        "none.",
        "NO",
        "n/a",
        "N/A",
        "-",
        "...",
        "rien",
        "Nada",
        "wala",
        "无",
    ):
        assert _strengths(nothing) == [], nothing
    for something in ("Drawing", "my kids", "no idea but I like music", "cooking", "画画"):
        assert _strengths(something) == ["named_skills"], something


def test_the_shipped_needs_assessment_lists_no_strength_for_nothing() -> None:
    needs = load_file(INSTRUMENTS / "needs-assessment.yaml")
    session = Interview([needs])
    state = iv.answer(session, iv.State(), "skills", "nothing")
    state = iv.answer(session, state, "goal", "N/A")
    assert not {"skills_interests", "own_goals"} & {
        s.id for s in iv.result(session, state).strengths
    }
    state = iv.answer(session, state, "skills", "Fixing bikes")
    assert "skills_interests" in {s.id for s in iv.result(session, state).strengths}
