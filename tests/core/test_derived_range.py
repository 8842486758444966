"""A score that adds a derived value has a range (interval arithmetic on what the value
reads), so its bands are checked like any score's, and every value it takes on random
answers lies in that range."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from screening.core.answers import DECLINED, SKIPPED
from screening.core.route import Interview
from screening.core.scorerange import score_range
from screening.core.scoring import score
from screening.load.loader import check_bytes
from tests.support.builders import instrument_yaml, make

BODY = """\
sections:
  - id: s
    title: S
    items:
      - {id: a, type: number, text: A?, why: W, min: -5, max: 20, integer: true}
      - {id: c, type: scale, text: C?, why: W, min: 1, max: 4}
      - id: m
        type: multiple
        text: M?
        why: W
        options: [{value: x, label: X}, {value: y, label: Y}, {value: z, label: Z}]
      - id: level
        type: single
        text: L?
        why: W
        options: [{value: lo, label: Lo, score: 0}, {value: hi, label: Hi, score: 3}]
derived:
  - {id: chosen, value: {count_selected: m}}
  - {id: spread, value: {subtract: [{max: [a, c]}, {min: [c, level]}]}}
  - {id: product, value: {multiply: [a, c, -1]}}
  - {id: share, value: {divide: [a, c]}}
  - id: pick
    value: {if: {cond: {item: c, gte: 3}, then: {sum: [chosen, level]}, else: {coalesce: [a, 0]}}}
  - {id: mapped, value: {lookup: {of: c, map: [{from: 1, to: 10}, {from: [2, 3, 4], to: 40}]}}}
scores:
  - {id: count, sum: [{derived: chosen}, level]}
  - {id: mixed, sum: [{derived: spread}, {derived: product, weight: 2}, {derived: pick}]}
  - {id: shared, sum: [{derived: share}]}
  - {id: mapped_score, sum: [{derived: mapped}]}
"""
INSTRUMENT = make(BODY)
SESSION = Interview([INSTRUMENT])
ITEMS = {i.id: i for i in INSTRUMENT.iter_items()}
SCORES = {s.id: s for s in INSTRUMENT.scores}
DERIVED = {d.id: d for d in INSTRUMENT.derived}


def _range(score_id: str) -> tuple[float, float, bool]:
    span = score_range(SCORES[score_id], ITEMS, SCORES, DERIVED)
    return span.low, span.high, span.whole


def test_the_ranges_worked_out() -> None:
    assert _range("count") == (0, 6, True)  # 0..3 chosen, plus 0 or 3
    # spread: max(a, c) in [1, 20] minus min(c, level) in [0, 3]; product: -a*c in
    # [-80, 20], twice; pick: chosen + level in [0, 6] or a or 0 in [-5, 20]
    assert _range("mixed") == (1 - 3 - 160 - 5, 20 - 0 + 40 + 20, True)
    low, high, whole = _range("shared")
    assert (low, high, whole) == (-5, 20, False)
    assert _range("mapped_score") == (10, 40, True)
    without = score_range(SCORES["count"], ITEMS, SCORES)  # no derived values given
    assert (without.low, without.high) == (-math.inf, math.inf)


answer = st.one_of(st.just(SKIPPED), st.just(DECLINED), st.none())


@given(
    st.one_of(st.integers(-5, 20), answer),
    st.one_of(st.integers(1, 4), answer),
    st.one_of(st.lists(st.sampled_from(["x", "y", "z"]), unique=True).map(tuple), answer),
    st.one_of(st.sampled_from(["lo", "hi"]), answer),
)
def test_every_value_lies_in_the_range(a: object, c: object, m: object, level: object) -> None:
    answers = {k: v for k, v in {"a": a, "c": c, "m": m, "level": level}.items() if v is not None}
    result = score(SESSION, SESSION.walk(answers))  # type: ignore[arg-type]
    for score_id in SCORES:
        found = result.scores[score_id]
        low, high, whole = _range(score_id)
        if found.complete:
            assert low - 1e-9 <= found.value <= high + 1e-9, (score_id, found.value)
            if whole:
                assert float(found.value).is_integer()


def test_bands_of_a_score_with_a_derived_count_are_checked() -> None:
    """Before, a derived term made the range unbounded and not whole: no bands at all."""
    banded = BODY.replace(
        "  - {id: count, sum: [{derived: chosen}, level]}",
        "  - id: count\n    sum: [{derived: chosen}, level]\n    bands:\n"
        "      - {id: low, label: Low, min: 0, max: 2}\n"
        "      - {id: high, label: High, min: 3, max: BANDMAX}",
    )
    _, problems = check_bytes(instrument_yaml(banded.replace("BANDMAX", "6")).encode(), "t.yaml")
    assert [p for p in problems if not p.warning and p.code == "bands"] == []
    _, problems = check_bytes(instrument_yaml(banded.replace("BANDMAX", "5")).encode(), "t.yaml")
    assert any(p.code == "bands" and "highest possible score is 6" in p.message for p in problems)
