"""The filters of /services (screening.directory.search) on the demo directory, each
checked against the directory's own HSDS records, read here without our reader."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from screening.directory import hsds as directory
from screening.directory import search
from screening.errors import Code, DomainError

RAW = json.loads(directory.bundled_path().read_text(encoding="utf-8"))["contents"]
NOON = dt.datetime(2026, 12, 2, 19, 0, tzinfo=dt.UTC)  # a Wednesday, noon in Alberta


def _codes(service: dict[str, Any], taxonomy: str) -> set[str]:
    return {
        a["taxonomy_term"]["code"]
        for a in service.get("attributes", [])
        if a["taxonomy_term"].get("taxonomy") == taxonomy
    }


def _always(service: dict[str, Any]) -> bool:
    return any(
        s.get("opens_at") == "00:00"
        and s.get("closes_at") == "23:59"
        and len(str(s.get("byday", "MO,TU,WE,TH,FR,SA,SU")).split(",")) == 7
        for s in service.get("schedules", [])
    )


def _speaks(service: dict[str, Any], code: str) -> bool:
    return any(x.get("code") == code for x in service.get("languages", []))


def _free(service: dict[str, Any]) -> bool:
    costs = service.get("cost_options", [])
    return bool(costs) and all(c.get("amount", 0) == 0 for c in costs)


def _accessible(service: dict[str, Any]) -> bool:
    return any(
        a.get("description")
        for x in service.get("service_at_locations", [])
        for a in x.get("location", {}).get("accessibility", [])
    )


ORACLE = {  # each filter, as the raw HSDS records say it
    "accessible": _accessible,
    "no_id": lambda s: "no-id-required" in _codes(s, directory.FACTS_TAXONOMY),
    "open_24_7": _always,
    "free": _free,
    "youth": lambda s: "youth-only" in _codes(s, directory.FACTS_TAXONOMY),
    "women": lambda s: "women-only" in _codes(s, directory.FACTS_TAXONOMY),
    "newcomers": lambda s: "newcomers" in _codes(s, directory.FACTS_TAXONOMY),
}


def run(**params: str) -> list[str]:
    tables = directory.demo()
    pairs = {"per_page": "200", **params}.items()  # every match on one page
    query = search.parse(pairs, needs=directory.need_ids(tables), areas=search.areas(tables))
    found = search.search(directory.services(tables), tables, query, NOON)
    return sorted(s.name for s in found.services)


def test_no_id_open_24_7_and_arabic_are_all_three() -> None:
    expected = sorted(
        s["name"] for s in RAW if ORACLE["no_id"](s) and _always(s) and _speaks(s, "ar")
    )
    assert expected and len(expected) < len(RAW)  # a real filter, not everything
    assert run(no_id="1", open_24_7="1", language="ar") == expected


@pytest.mark.parametrize("flag", sorted(ORACLE))
def test_each_filter_keeps_exactly_the_services_that_have_it(flag: str) -> None:
    expected = sorted(s["name"] for s in RAW if ORACLE[flag](s))
    assert 0 < len(expected) < len(RAW), flag
    assert run(**{flag: "1"}) == expected


def test_need_language_and_area() -> None:
    food = sorted(s["name"] for s in RAW if "food" in _codes(s, directory.NEEDS_TAXONOMY))
    assert run(need="food") == food
    assert run(language="zh-Hans") == sorted(s["name"] for s in RAW if _speaks(s, "zh"))
    areas = search.areas(directory.demo())
    assert "T0X 0X0" in areas  # the directory's own postal codes and service areas
    assert run(area="T0X 0X0") and set(run(area="T0X 0X0")) <= set(run())


def test_open_now_uses_the_hours() -> None:
    at_noon = set(run(open_now="1"))
    assert set(run(open_24_7="1")) <= at_noon < set(run())


@pytest.mark.parametrize(
    "params",
    [
        {"bogus": "1"},
        {"no_id": "2"},
        {"need": "unicorns"},
        {"area": "Atlantis"},
        {"language": "ar;drop"},
        {"page": "0"},
        {"per_page": "100000"},
    ],
)
def test_anything_else_is_a_bad_query(params: dict[str, str]) -> None:
    with pytest.raises(DomainError) as caught:
        run(**params)
    assert caught.value.code == Code.BAD_QUERY


def test_a_repeated_parameter_is_a_bad_query() -> None:
    with pytest.raises(DomainError):
        search.parse([("free", "1"), ("free", "0")], needs=[], areas=[])


def test_paging() -> None:
    tables = directory.demo()
    query = search.parse([("per_page", "5"), ("page", "4")], needs=[], areas=[])
    found = search.search(directory.services(tables), tables, query, NOON)
    page = search.page(found, [{}] * len(found.services))
    assert (page["total_items"], page["total_pages"], page["size"]) == (17, 4, 2)
    assert page["last_page"] and not page["first_page"]


def test_hours_without_a_zone_are_the_deployments_local_time() -> None:
    from screening.core.matching import DAYS

    tables = directory.read_json(
        [
            {
                "id": "s1",
                "name": "Nine to five",
                "status": "active",
                "organization": {"id": "o1", "name": "An org", "description": "Made up"},
                "schedules": [
                    {"id": "h1", "freq": "WEEKLY", "opens_at": "09:00", "closes_at": "17:00"}
                ],
            }
        ],
        "inline",
    )
    half_past_ten = dt.datetime(2026, 12, 2, 17, 30, tzinfo=dt.UTC)  # in Edmonton (-7)
    (utc,) = directory.services(tables)
    (edmonton,) = directory.services(tables, local_offset=-7 * 60)
    assert not utc.open_at(half_past_ten) and edmonton.open_at(half_past_ten)
    assert edmonton.hours[0].days == frozenset(DAYS) and edmonton.hours[0].opens == 9 * 60
