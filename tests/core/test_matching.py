"""Matching: a filter never lets through a service that breaks it; ranking is total and
deterministic; every suggestion says why."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given
from hypothesis import strategies as st

from screening.core.matching import DAYS, Hours, Preferences, Service, haversine_km, keeps, match
from screening.directory import hsds as directory

NEEDS = ("housing", "food", "safety")
LANGS = ("en", "fr", "ar", "zh", "ti")

hours = st.builds(
    Hours,
    st.frozensets(st.sampled_from(DAYS), min_size=1),
    st.integers(0, 1439),
    st.integers(1, 1440),
    st.sampled_from([-420, 0, 60]),
)
services = st.builds(
    Service,
    id=st.uuids().map(str),
    name=st.text("abcXYZ ", min_size=1, max_size=8),
    organization=st.just("Org (fictional)"),
    needs=st.frozensets(st.sampled_from(NEEDS), min_size=1),
    hours=st.lists(hours, max_size=2).map(tuple),
    languages=st.frozensets(st.sampled_from(LANGS)),
    free=st.booleans(),
    no_id=st.booleans(),
    youth_only=st.booleans(),
    minimum_age=st.none() | st.integers(0, 30).map(float),
    maximum_age=st.none() | st.integers(12, 99).map(float),
    coordinates=st.none() | st.tuples(st.floats(50, 56), st.floats(-118, -110)),
)
prefs = st.builds(
    Preferences,
    open_now=st.booleans(),
    no_id=st.booleans(),
    free=st.booleans(),
    language=st.none() | st.sampled_from(("en", "ar", "zh-Hans", "ti")),
    youth_only=st.none() | st.booleans(),
    age=st.none() | st.integers(10, 70),
    near=st.none() | st.tuples(st.floats(50, 56), st.floats(-118, -110)),
    within_km=st.none() | st.floats(1, 500),
    now=st.datetimes(
        min_value=dt.datetime(2026, 1, 1),
        max_value=dt.datetime(2027, 1, 1),
        timezones=st.just(dt.UTC),
    ),
)


@given(st.lists(services, max_size=25), prefs, st.sampled_from(NEEDS))
def test_a_filter_never_returns_a_service_that_breaks_it(pool, p, need) -> None:  # type: ignore[no-untyped-def]
    for m in match(pool, need, p, {}):
        s = m.service
        assert need in s.needs
        if p.open_now:
            assert s.always_open or s.open_at(p.now)
        if p.no_id:
            assert s.no_id
        if p.free:
            assert s.free
        if p.language:
            assert p.language.split("-")[0] in s.languages
        if p.youth_only is not None:
            assert s.youth_only == p.youth_only
        if p.age is not None:
            assert s.minimum_age is None or p.age >= s.minimum_age
            assert s.maximum_age is None or p.age <= s.maximum_age
        if p.within_km is not None and p.near is not None:
            assert s.coordinates is not None
            assert haversine_km(p.near, s.coordinates) <= p.within_km
    kept = {s.id for s in pool if need in s.needs and keeps(s, p)}
    assert {m.service.id for m in match(pool, need, p, {})} == kept


@given(st.lists(services, max_size=25), prefs, st.sampled_from(NEEDS), st.randoms())
def test_ranking_is_deterministic_whatever_the_input_order(pool, p, need, rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(pool)
    rnd.shuffle(shuffled)
    first = [m.service.id for m in match(pool, need, p, {})]
    assert first == [m.service.id for m in match(shuffled, need, p, {})]


def test_open_now_and_past_midnight() -> None:
    late = Hours(frozenset({"MO"}), 18 * 60, 2 * 60, 0)
    monday_night = dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.UTC)  # a Monday
    tuesday_1am = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
    tuesday_3am = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
    assert late.open_at(monday_night) and late.open_at(tuesday_1am)
    assert not late.open_at(tuesday_3am)


def test_demo_ranking_and_reasons() -> None:
    pool = directory.services(directory.demo())
    now = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)  # night in Alberta
    found = match(pool, "housing", Preferences(now=now, language="ar"), {"housing": "Housing"})
    assert found and found[0].service.always_open and found[0].service.speaks("ar")
    assert "Open 24 hours, 7 days a week" in found[0].reasons
    assert "Speaks Arabic" in found[0].reasons and "No ID needed" in found[0].reasons
    near = (53.5461, -113.4938)
    with_distance = match(pool, "food", Preferences(near=near, within_km=5), {})
    assert with_distance and all(m.distance_km is not None for m in with_distance)
    assert any(r.startswith("About ") for r in with_distance[0].reasons)
    random.shuffle(pool)
    assert [
        m.service.id for m in match(pool, "housing", Preferences(now=now, language="ar"), {})
    ] == [m.service.id for m in found]
