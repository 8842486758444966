"""The referral status machine (screening.core.referrals) as properties: any sequence
of changes is taken exactly when each step is in the transitions table (with its
"by" or "reason"), nothing reaches a later status without being offered first, a
closed referral never changes again, and a refusal always names the field."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.core import referrals as machine
from screening.core.referrals import Change

STATUS = st.sampled_from([*machine.STATUSES, "lost", "", "CONNECTED"])


@st.composite
def changes(draw: st.DrawFn) -> Change:
    status = draw(STATUS)
    by = draw(st.sampled_from(["", *machine.CONTACT_BY, "neighbour"]))
    reason = draw(st.sampled_from(["", *machine.REASONS, "bored"]))
    return Change(status, by, reason)


def well_formed(change: Change) -> bool:
    """The reference rule for the extra fields, written from the docstring."""
    by_ok = change.by in machine.CONTACT_BY if change.status == "contacted" else not change.by
    reason_ok = (
        change.reason in machine.REASONS if change.status == "not-connected" else not change.reason
    )
    return by_ok and reason_ok


@given(st.lists(changes(), max_size=12))
def test_a_change_is_taken_exactly_when_the_table_allows_it(steps: list[Change]) -> None:
    current: str | None = None
    for change in steps:
        refused = machine.refusal(current, change)
        expected = change.status in machine.TRANSITIONS[current] and well_formed(change)
        assert (refused is None) == expected, (current, change, refused)
        if refused is not None:
            assert refused.field in ("status", "by", "reason", "note") and refused.message
            if change.status not in machine.TRANSITIONS[current]:
                assert refused.field == "status"
        else:
            current = change.status


@given(st.lists(changes(), max_size=12))
def test_every_taken_path_starts_offered_and_closed_is_final(steps: list[Change]) -> None:
    taken: list[str] = []
    current: str | None = None
    for change in steps:
        if machine.refusal(current, change) is None:
            taken.append(change.status)
            current = change.status
    if taken:
        assert taken[0] == "offered"
        assert "offered" not in taken[1:]  # never offered twice: no going back
    if "closed" in taken:
        assert taken[-1] == "closed" and taken.count("closed") == 1
    if "connected" in taken:
        assert "contacted" in taken[: taken.index("connected")]
    assert machine.replay([Change(s, *_extras(s)) for s in taken]) == current


def _extras(status: str) -> tuple[str, str]:
    return ("person" if status == "contacted" else "", "other" if status == "not-connected" else "")


def test_the_table_names_only_known_statuses_and_every_status_is_reachable() -> None:
    assert set(machine.TRANSITIONS) == {None, *machine.STATUSES}
    for after in machine.TRANSITIONS.values():
        assert after <= set(machine.STATUSES)
    reached: set[str | None] = {None}
    frontier: list[str | None] = [None]
    while frontier:
        for nxt in machine.TRANSITIONS[frontier.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == {None, *machine.STATUSES}
    assert machine.TRANSITIONS["closed"] == frozenset()
    assert frozenset(machine.STATUSES) - {"connected", "closed"} == machine.OPEN


@pytest.mark.parametrize("status", ["accepted", "contacted", "connected", "not-connected"])
def test_nothing_skips_offered(status: str) -> None:
    refused = machine.refusal(None, Change(status, *_extras(status)))
    assert refused is not None and refused.field == "status"


@given(st.dates(), st.integers(1, 365), st.dates())
def test_follow_up_dates(last: dt.date, days: int, today: dt.date) -> None:
    try:
        due = machine.due_on(last, days)
    except OverflowError:
        return
    assert (due - last).days == days
    if due <= today:  # past due is always listed
        assert machine.to_check(due, today)
    assert machine.to_check(due, today) == ((due - today).days <= 6)


def test_days_to_connection() -> None:
    t0 = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    history = [
        machine.Event(n + 1, t0 + dt.timedelta(days=d), 1, Change(s, *_extras(s)))
        for n, (s, d) in enumerate([("offered", 0), ("accepted", 1), ("contacted", 2)])
    ]
    assert machine.connected_after(history) is None
    history.append(machine.Event(4, t0 + dt.timedelta(days=9), 1, Change("connected")))
    assert machine.connected_after(history) == dt.timedelta(days=9)
