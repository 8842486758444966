"""Counting people where interviews are linked (issue 22): a person's linked interviews
of the period count once, by the latest; their referrals all count; counts_of says
"people" as soon as any counted interview is linked."""

from __future__ import annotations

from screening.core import outcomes as oc

PERIOD = oc.parse_period("2026-09")


def test_a_person_seen_twice_counts_once_by_the_latest() -> None:
    facts = [
        oc.Fact({"safety": "urgent"}, [oc.Made("safety", 2.0)], person="p1"),
        oc.Fact({"safety": "none"}, person="p2"),
        oc.Fact({"safety": "some"}, [oc.Made("housing", None)], person="p1"),
        oc.Fact({"safety": "none"}),
    ]
    counted, counts_of = oc.by_person(facts)
    assert counts_of == "people"
    assert [f.needs for f in counted if f.counted] == [
        {"safety": "none"},
        {"safety": "some"},
        {"safety": "none"},
    ]
    assert sum(len(f.referrals) for f in counted) == 2  # referrals are all kept
    tables = oc.tables(PERIOD, 2, facts)
    assert tables["counts_of"] == "people"
    assert tables["tables"]["interviews"] == [{"group": {}, "count": 3}]  # type: ignore[index]


def test_without_links_it_counts_interviews() -> None:
    facts = [oc.Fact({"safety": "none"}), oc.Fact({"safety": "none"})]
    assert oc.by_person(facts) == (facts, "interviews")
    # a fact only here for a referral (begun before) does not make it people
    late = oc.Fact(referrals=[oc.Made("safety", None)], counted=False, person="p1")
    assert oc.tables(PERIOD, 2, [*facts, late])["counts_of"] == "interviews"
