"""The worker observation checklist (issue 13): worker only, never offered to a private
check-in, honest about where it comes from (a draft in the style of the CSE-IT and the
TVIT, our own words, not validated), and scored only to "consider a fuller assessment",
never to a label. An area the worker could not tell (skipped) leaves the total
incomplete, so the result is "could not tell", never "nothing to consider"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from screening.core import interview as iv
from screening.core.model import Status
from screening.core.route import Interview
from screening.errors import Code, DomainError
from screening.load.loader import check_file, load_file
from screening.services import interviews as service
from tests.support.apps import web_app
from tests.support.paths import INSTRUMENTS

PATH = INSTRUMENTS / "observation-checklist.yaml"
AREAS = ("obs_recruitment", "obs_debt", "obs_isolation", "obs_threats", "obs_control", "obs_work")
POINTS = {"nothing_seen": 0, "some_signs": 1, "clear_signs": 2}
FLAG = "obs_consider_fuller_assessment"
LABELS = ("trafficked", "victim", "exploited person", "diagnos", "disorder")


def test_it_loads_and_validates() -> None:
    checked, problems = check_file(PATH)
    assert checked is not None and problems == [], problems
    instrument = load_file(PATH)
    assert instrument.audiences == ("worker",)
    assert {i.id for i in instrument.items} == set(AREAS)
    assert all(i.print_as == "never" for i in instrument.items)  # worker notes stay here


def test_its_provenance_is_honest() -> None:
    instrument = load_file(PATH)
    assert instrument.codesign.status is Status.DRAFT
    notes = f"{instrument.codesign.method} {instrument.codesign.notes}"
    assert "not validated" in notes.lower() and "lived experience" in notes
    assert "CSE-IT" in (instrument.source_citation or "")
    assert "TVIT" in (instrument.source_citation or "")
    official = instrument.source_official_text or ""
    assert "WestCoast Children's Clinic" in official and "Vera Institute of Justice" in official


def test_it_names_no_label_only_a_fuller_assessment() -> None:
    instrument = load_file(PATH)
    results = [f.label for f in instrument.flags] + [
        b.label for s in instrument.scores for b in s.bands
    ]
    assert "Consider a fuller assessment" in results
    for text in results:
        for word in LABELS:
            assert word not in text.lower(), text
    assert instrument.needs == () and instrument.strengths == ()  # nothing for the plan


def _result(answers: dict[str, str | None]) -> tuple[dict[str, object], bool]:
    session = Interview([load_file(PATH)])
    state = iv.State()
    for item_id, value in answers.items():
        state = iv.answer(session, state, item_id, value)
    result = iv.result(session, state)
    total = result.scores["obs_total"]
    return {"value": total.value, "band": total.band, "complete": total.complete}, any(
        f.id == FLAG for f in result.flags
    )


@given(st.lists(st.sampled_from([*POINTS, None]), min_size=6, max_size=6))
def test_it_scores_as_specified(chosen: list[str | None]) -> None:
    answers = dict(zip(AREAS, chosen, strict=True))
    total, flagged = _result(answers)
    points = sum(POINTS[v] for v in chosen if v is not None)
    complete = None not in chosen
    assert total["complete"] is complete
    assert total["value"] == points  # the partial sum is reported, never a band
    if complete:
        assert total["band"] == ("consider" if points >= 3 else "fewer_signs")
    else:
        assert total["band"] is None
    assert flagged is ("clear_signs" in chosen or (complete and points >= 3))


def test_two_areas_with_some_signs_are_not_enough_three_are() -> None:
    base = dict.fromkeys(AREAS, "nothing_seen")
    assert _result({**base, "obs_debt": "some_signs", "obs_threats": "some_signs"})[1] is False
    three = {**base, "obs_debt": "some_signs", "obs_threats": "some_signs"}
    assert _result({**three, "obs_work": "some_signs"})[1] is True
    assert _result({**base, "obs_control": "clear_signs"})[1] is True


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def test_it_is_not_offered_to_a_private_check_in(app: Flask) -> None:
    assert "observation-checklist" not in {i.id for i in service.instruments_for("private")}
    assert "observation-checklist" in {i.id for i in service.instruments_for("worker")}
    ext = app.extensions["screening"]
    with pytest.raises(DomainError) as refused:
        service.start(
            ext.engine,
            ext.master,
            instrument_ids=["observation-checklist"],
            mode="private",
            locale="en",
            org_id=None,
            user_id=None,
        )
    assert refused.value.code is Code.NOT_PRIVATE
    page = app.test_client().get("/checkin")
    assert page.status_code == 200
    assert "observation-checklist" not in page.text and "observation checklist" not in page.text
