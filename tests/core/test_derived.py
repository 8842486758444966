"""Derived values: the evaluator against plain Python, missing answers, the route and
the scorer, and the loader's checks (codes and fields, not sentences)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.core.answers import DECLINED, SKIPPED
from screening.core.derived import whole_months, whole_years
from screening.core.route import Interview
from screening.core.scoring import score
from screening.load.loader import check_bytes
from tests.support.builders import instrument_yaml, make

N = 5
NUMBERS = "".join(
    f"      - {{id: n{i}, type: number, text: N{i}?, why: W, min: -1000, max: 1000}}\n"
    for i in range(N)
)
INSTRUMENT = make(
    """\
sections:
  - id: s
    title: S
    items:
"""
    + NUMBERS
    + """\
      - id: m
        type: multiple
        text: M?
        why: W
        options: [{value: x, label: X}, {value: y, label: Y}, {value: z, label: Z}]
      - {id: born, type: date, text: Born?, why: W}
      - id: more
        type: yes_no
        text: More?
        why: W
        show_if: {derived: total, gte: 10}
derived:
  - {id: total, value: {sum: [n0, n1, n2, n3, n4]}}
  - {id: total_or_zero, value: {coalesce: [total, 0]}}
  - {id: low, value: {min: [n0, n1, n2, n3, n4]}}
  - {id: high, value: {max: [n0, n1, n2, n3, n4]}}
  - {id: spread, value: {subtract: [high, low]}}
  - {id: chosen, value: {count_selected: m}}
  - {id: age, value: {years_between: [born, {today: true}]}}
  - id: size
    value: {if: {cond: {derived: total, gte: 10}, then: {text: big}, else: {text: small}}}
scores:
  - {id: doubled, sum: [{derived: total, weight: 2}]}
flags:
  - {id: minor, severity: high, label: Under 18, when: {derived: age, lt: 18}}
needs:
  - {id: help, label: Help, some_if: {derived: total, gte: 10}}
"""
)
TODAY = dt.date(2026, 12, 3)
SESSION = Interview([INSTRUMENT], today=TODAY)

answer = st.one_of(
    st.integers(-1000, 1000),
    st.just(SKIPPED),
    st.just(DECLINED),
    st.none(),  # unanswered: no entry at all
)


def _answers(values: list[object]) -> dict[str, object]:
    return {f"n{i}": v for i, v in enumerate(values) if v is not None}


@given(st.lists(answer, min_size=N, max_size=N))
def test_sum_min_max_match_python_and_a_missing_input_makes_them_unknown(
    values: list[object],
) -> None:
    route = SESSION.walk(_answers(values))  # type: ignore[arg-type]
    numbers = [v for v in values if isinstance(v, int)]
    complete = len(numbers) == N
    assert route.derived("total") == (sum(numbers) if complete else None)
    assert route.derived("low") == (min(numbers) if complete else None)
    assert route.derived("high") == (max(numbers) if complete else None)
    assert route.derived("spread") == (max(numbers) - min(numbers) if complete else None)
    # coalesce is the one way past a missing input
    assert route.derived("total_or_zero") == (sum(numbers) if complete else 0)
    # show_if reads the same value: shown exactly when the total is known and >= 10
    assert ("more" in route.shown) is (complete and sum(numbers) >= 10)
    assert route.derived("size") == ("big" if complete and sum(numbers) >= 10 else "small")


@given(st.lists(answer, min_size=N, max_size=N))
def test_scores_flags_and_needs_read_the_same_value(values: list[object]) -> None:
    route = SESSION.walk(_answers(values))  # type: ignore[arg-type]
    result = score(SESSION, route)
    total = route.derived("total")
    doubled = result.scores["doubled"]
    assert doubled.complete is (total is not None)
    if total is not None:
        assert doubled.value == 2 * total
        assert result.needs["help"].level == ("some" if total >= 10 else "none")
    else:  # a need that hangs on an unknown value is unknown, traced to the answers
        assert result.needs["help"].level == "unknown"
        missing = dict(result.needs["help"].missing)
        assert missing and all(ref.startswith("item:n") for ref in missing)
    assert result.to_json()["derived"]["total"] == total  # type: ignore[index]


@given(st.lists(st.sampled_from(["x", "y", "z"]), unique=True))
def test_count_selected_counts_the_options_chosen(chosen: list[str]) -> None:
    route = SESSION.walk({"m": tuple(chosen)})
    assert route.derived("chosen") == len(chosen)


def test_count_selected_of_a_skipped_item_is_unknown() -> None:
    assert SESSION.walk({"m": SKIPPED}).derived("chosen") is None


@given(
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
)
def test_whole_years_and_months_are_completed_ones(start: dt.date, end: dt.date) -> None:
    """A month is completed when the same day of a later month is reached (31 January
    to 28 February is none); counted here one month at a time."""
    low, high = sorted((start, end))
    done = 0
    while (low.year * 12 + low.month + done, low.day) <= (high.year * 12 + high.month, high.day):
        done += 1
    months = done - 1
    sign = 1 if end >= start else -1
    assert whole_months(start, end) == sign * months
    assert whole_years(start, end) == sign * (months // 12)


def test_age_from_a_date_and_the_interview_day() -> None:
    born = "2008-12-04"  # 18 tomorrow
    result = score(SESSION, SESSION.walk({"born": born}))
    assert result.derived["age"] == 17 and "minor" in [f.id for f in result.flags]
    assert whole_years(dt.date(2008, 12, 3), TODAY) == 18
    # without the day the core has no clock: the age is unknown, never guessed
    without = Interview([INSTRUMENT])
    assert without.walk({"born": born}).derived("age") is None


def _codes(body: str) -> list[tuple[str, str]]:
    ins, problems = check_bytes(instrument_yaml(body).encode(), "t.yaml")
    assert ins is None
    return [(p.code, ".".join(map(str, p.path))) for p in problems]


BASE = """
sections:
  - id: s
    title: S
    items:
      - {id: a, type: number, text: A?, why: W}
      - {id: c, type: yes_no, text: C?, why: W, show_if: SHOW}
      - {id: b, type: number, text: B?, why: W}
      - {id: t, type: text, text: T?, why: W}
      - {id: m, type: multiple, text: M?, why: W, options: [{value: x, label: X}]}
derived:
DERIVED
scores:
  - {id: sc, sum: [a]}
"""


@pytest.mark.parametrize(
    ("show", "derived", "expected"),
    [
        # a show_if uses a value of an item that comes later
        (
            "{derived: d, gt: 3}",
            "  - {id: d, value: {sum: [a, b]}}",
            ("forward-ref", "sections.0.items.1.show_if.derived"),
        ),
        # a show_if uses a value read from a score
        (
            "{derived: d, gt: 3}",
            "  - {id: d, value: {sum: [a, sc]}}",
            ("show-if-kind", "sections.0.items.1.show_if.derived"),
        ),
        # text where numbers are added
        (
            "{item: a, gt: 1}",
            "  - {id: d, value: {sum: [a, t]}}",
            ("derived-type", "derived.0.value.sum.1"),
        ),
        # a value read before it is defined
        (
            "{item: a, gt: 1}",
            "  - {id: d, value: {sum: [a, e]}}\n  - {id: e, value: 1}",
            ("forward-ref", "derived.0.value.sum.1"),
        ),
        # an unknown name and an unknown operation
        (
            "{item: a, gt: 1}",
            "  - {id: d, value: {sum: [a, nope]}}",
            ("unknown-ref", "derived.0.value.sum.1"),
        ),
        (
            "{item: a, gt: 1}",
            "  - {id: d, value: {summ: [a]}}",
            ("unknown-field", "derived.0.value.summ"),
        ),
        # a multiple-choice item without numbers has no value: count it
        (
            "{item: a, gt: 1}",
            "  - {id: d, value: {sum: [m]}}",
            ("derived-type", "derived.0.value.sum.0"),
        ),
        (
            "{item: a, gt: 1}",
            "  - {id: d, value: {count_selected: a}}",
            ("derived-type", "derived.0.value.count_selected"),
        ),
        # a number compared with text
        (
            "{derived: d, equals: x}",
            "  - {id: d, value: {sum: [a]}}",
            ("condition-value", "sections.0.items.1.show_if.equals"),
        ),
        # dates between numbers
        (
            "{item: a, gt: 1}",
            "  - {id: d, value: {years_between: [a, {today: true}]}}",
            ("derived-type", "derived.0.value.years_between.0"),
        ),
        # an id already used by an item
        ("{item: a, gt: 1}", "  - {id: a, value: 1}", ("duplicate-id", "derived.0.id")),
    ],
)
def test_loader_refuses_with_code_and_field(
    show: str, derived: str, expected: tuple[str, str]
) -> None:
    assert expected in _codes(BASE.replace("SHOW", show).replace("DERIVED", derived))


def test_a_score_cannot_add_a_value_that_reads_a_score() -> None:
    body = BASE.replace("SHOW", "{item: a, gt: 1}").replace(
        "DERIVED", "  - {id: d, value: {sum: [a, sc]}}"
    )
    body += "  - {id: sc2, sum: [{derived: d}]}\n"
    assert ("derived-score", "scores.1.sum.0") in _codes(body)
