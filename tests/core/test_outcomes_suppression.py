"""Small-cell suppression attacked (issue 22): for random periods, no published count is
between 1 and k-1, and no withheld count (nor a small unpublished one) can be worked
out from the published ones, by subtraction along a row, column or total, nor across
the period's tables. The attacker here is written apart from the code it attacks: it
knows every sum the tables imply and solves them by repeated substitution, and a second
attack by exact linear algebra (integer row reduction) over all of them at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.core import outcomes as oc
from tests.support import disclosure

DOMAINS = ("housing", "safety", "health", "legal", "money")


@st.composite
def facts(draw: Any) -> list[oc.Fact]:
    n = draw(st.integers(0, 60))
    domains = draw(st.lists(st.sampled_from(DOMAINS), min_size=1, max_size=5, unique=True))
    out = []
    for _ in range(n):
        asked = draw(st.lists(st.sampled_from(domains), unique=True))
        needs = {d: draw(st.sampled_from(oc.LEVELS[:4])) for d in asked}
        refs = draw(
            st.lists(
                st.builds(
                    oc.Made,
                    st.sampled_from((*domains, "")),
                    st.one_of(st.none(), st.integers(0, 90).map(float)),
                ),
                max_size=3,
            )
        )
        linked = draw(st.lists(st.sampled_from(domains), unique=True, max_size=3))
        changes = {d: draw(st.sampled_from(oc.CHANGES)) for d in linked}
        out.append(oc.Fact(needs, refs, counted=draw(st.booleans()), changes=changes))
    return out


def _truth(fs: list[oc.Fact]) -> dict[tuple, int]:
    people = [f for f in fs if f.counted]
    out: dict[tuple, int] = {("interviews",): len(people)}
    domains = {d for f in people for d in f.needs}
    for d in domains:
        for lv in oc.LEVELS:
            out[("needs", d, lv)] = sum(1 for f in people if f.needs.get(d, "not-asked") == lv)
    for d in {d for f in people for d in f.changes}:
        for ch in oc.CHANGES:
            out[("changes", d, ch)] = sum(1 for f in people if f.changes.get(d) == ch)
        out[("linked", d)] = sum(1 for f in people if d in f.changes)
    made = [m for f in fs for m in f.referrals]
    for d in [*{m.domain or oc.NO_DOMAIN for m in made}, "all"]:
        mine = [m for m in made if d == "all" or (m.domain or oc.NO_DOMAIN) == d]
        out[("referrals", d, "made")] = len(mine)
        out[("referrals", d, "connected")] = sum(1 for m in mine if m.days is not None)
        out[("hidden", d)] = sum(1 for m in mine if m.days is None)
    return out


def _attack(fs: list[oc.Fact], k: int) -> None:
    published = oc.tables(oc.parse_period("2026-Q3"), k, fs)
    known = disclosure.known(published)
    truth = _truth(fs)
    for cell, count in known.items():  # no small count, and what is shown is true
        assert count is None or count == 0 or count >= k, (cell, count)
        assert count is None or count == truth[cell], cell
    sums = disclosure.sums(published)
    for total, parts in sums:  # the attacker's sums hold on the truth
        assert truth[total] == sum(truth[p] for p in parts)
    withheld = {c for c, v in known.items() if v is None}
    small_hidden = {c for c, v in truth.items() if c[0] in ("hidden", "linked") and 1 <= v < k}
    worked_out = disclosure.substitution(known, sums)
    assert not (withheld | small_hidden) & set(worked_out), "recovered by subtraction"
    assert not (withheld | small_hidden) & disclosure.algebra(known, sums), "recovered by algebra"
    for cell in published["tables"]["days_to_connection"]:
        d = cell["group"]["domain"]
        if cell["count"] is not None:
            assert truth[("referrals", d, "connected")] >= k


@settings(max_examples=100, deadline=None)
@given(facts(), st.integers(2, 12))
def test_no_small_count_and_nothing_withheld_can_be_worked_out(fs: list[oc.Fact], k: int) -> None:
    _attack(fs, k)


def test_a_lone_small_cell_takes_a_second_one_with_it() -> None:
    fs = [oc.Fact({"housing": "urgent"}) for _ in range(3)]
    fs += [oc.Fact({"housing": "none"}) for _ in range(20)]
    fs += [oc.Fact({"housing": "some"}) for _ in range(15)]
    out = oc.tables(oc.parse_period("2026-09"), 10, fs)
    counts = {c["group"]["level"]: c["count"] for c in out["tables"]["needs"]}
    assert counts["urgent"] is None
    assert counts["not-asked"] == 0 and counts["unknown"] == 0  # zero is not small
    assert [counts["none"], counts["some"]].count(None) == 1  # the complement: the smaller
    assert counts["some"] is None
    assert out["tables"]["interviews"] == [{"group": {}, "count": 38}]
    _attack(fs, 10)


def test_a_small_unpublished_not_connected_is_protected() -> None:
    made = [oc.Made("housing", 3.0)] * 20 + [oc.Made("housing", None)] * 2
    out = oc.tables(oc.parse_period("2026-09"), 10, [oc.Fact({}, made)])
    cells = {
        (c["group"]["domain"], c["group"]["status"]): c["count"] for c in out["tables"]["referrals"]
    }
    assert None in (cells[("housing", "made")], cells[("housing", "connected")])
    _attack([oc.Fact({}, made)], 10)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-09", dt.date(2026, 9, 1), dt.date(2026, 10, 1)),
        ("2026-12", dt.date(2026, 12, 1), dt.date(2027, 1, 1)),
        ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 10, 1)),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
        ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
    ],
)
def test_periods(text: str, start: dt.date, end: dt.date) -> None:
    p = oc.parse_period(text)
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "2026-09-01", "last week", "", "26-09"])
def test_other_periods_are_refused(text: str) -> None:
    with pytest.raises(oc.PeriodError, match="calendar month"):
        oc.parse_period(text)
