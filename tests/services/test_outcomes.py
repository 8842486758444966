"""Outcome tables for funders (issue 22), from a generated set of a few hundred fictional
interviews made through the services: no count from 1 to k-1, nothing withheld that the
rest gives away, interviews without consent to statistics not counted, a published
period kept as sent whatever is deleted since, and the command's contract."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from screening.cli.main import main
from screening.core import referrals as machine
from screening.core.plan import Plan, Referral
from screening.services import checkins, referrals
from screening.services import interviews as service
from screening.store import db as storage
from screening.store import plans as planstore
from tests.support import disclosure
from tests.support.apps import BACKENDS, web_app
from tests.support.interviews import consented

SERVICES = [("svc-h", "housing"), ("svc-s", "safety"), ("svc-m", "mental_health")]
TO_CONNECTED = [
    machine.Change(machine.ACCEPTED),
    machine.Change(machine.CONTACTED, by="person"),
    machine.Change(machine.CONNECTED),
]


PERIOD = "2026-09"  # the generated interviews' month, whatever today is
MID_PERIOD = dt.datetime(2026, 9, 10, 9, 0, tzinfo=dt.UTC)


class Clock:
    """storage.now() frozen in PERIOD, a second later at each call (so "the latest"
    of a person's check-ins is always one)."""

    def __init__(self, start: dt.datetime) -> None:
        self.at = start

    def __call__(self) -> dt.datetime:
        self.at += dt.timedelta(seconds=1)
        return self.at


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, dict[str, Any]]]:
    """260 fictional interviews, made in PERIOD: about two in three consent to statistics;
    answers and referrals drawn at random (a fixed seed)."""
    tmp_path = tmp_path_factory.mktemp("outcomes")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage, "now", Clock(MID_PERIOD))
        yield from _generate(tmp_path)


def _generate(tmp_path: Path) -> Iterator[tuple[Flask, dict[str, Any]]]:
    for app in web_app("sqlite", tmp_path, [("ana", "Org A")]):
        ext = app.extensions["screening"]
        rng = random.Random(22)
        made: dict[str, Any] = {"consenting": [], "other": [], "people": set()}
        for n in range(260):
            statistics = rng.random() < 0.65
            iid, _, _ = service.start(
                ext.engine,
                ext.master,
                instrument_ids=["needs-assessment"],
                mode="worker",
                locale="en",
                org_id=None,
                user_id=None,
            )
            entry = service.consent_entry(
                store=True, share=False, service=None, statistics=statistics
            )
            service.record(ext.engine, ext.master, iid, entry, f"consent-{n:04d}")
            value = rng.choice(["yes", "yes", "no", "unsure"])
            answer = service.answer_entry({"item": "safe_right_now", "value": value})
            service.record(ext.engine, ext.master, iid, answer, f"answer-{n:04d}")
            made["consenting" if statistics else "other"].append(iid)
            if statistics:  # the first 120 are 60 people seen twice
                made["people"].add(f"case-{n // 2}" if n < 120 else iid)
            if n < 120:  # 60 people seen twice, each time consenting to link
                with storage.transaction(ext.engine) as conn:
                    loaded = service.load(conn, ext.master, iid)
                checkins.link(
                    ext.engine,
                    ext.master,
                    loaded,
                    f"case-{n // 2}",
                    consent_to_link=True,
                    actor=None,
                )
            if rng.random() < 0.5:
                sid, need = rng.choice(SERVICES)
                plan = Plan(referrals=(Referral(sid, f"Service {sid} (fictional)", need),))
                planstore.save_plan(
                    ext.engine, ext.master, iid, plan, author_role="worker", user_id=None
                )
                with storage.transaction(ext.engine) as conn:
                    loaded = service.load(conn, ext.master, iid)
                    (tracked,) = referrals.tracked(conn, ext.master, loaded)
                steps = [machine.Change(machine.OFFERED)]
                if rng.random() < 0.6:
                    steps += TO_CONNECTED
                for step in steps:
                    referrals.change(
                        ext.engine, ext.master, loaded, tracked.id, step, user_id=None, actor=None
                    )
        yield app, made


def _run(app: Flask, *args: str, k: str = "10") -> Result:
    settings = app.extensions["screening"].settings
    env = {
        "DATABASE_URL": settings.database_url,
        "SCREENING_INSTANCE": str(settings.instance),
        "SCREENING_OUTCOMES_K": k,
    }
    return CliRunner().invoke(main, list(args), env=env)


def test_generated_period_is_safe_and_counts_only_consent(
    generated: tuple[Flask, dict[str, Any]],
) -> None:
    app, made = generated
    for k in ("10", "25", "40"):
        out = _run(app, "outcomes", "--period", PERIOD, "--json", "--dry-run", k=k)
        assert out.exit_code == 0, out.output
        published = json.loads(out.stdout)
        assert set(published) == {"period", "k", "counts_of", "tables"}
        assert published["counts_of"] == "people" and published["k"] == int(k)
        assert set(published["tables"]) == {
            "interviews",
            "needs",
            "referrals",
            "days_to_connection",
            "changes",
        }
        for cells in published["tables"].values():
            for cell in cells:
                assert set(cell) == {"group", "count"}
        disclosure.assert_safe(published)
        # only the interviews with consent to statistics are counted, each person once
        assert published["tables"]["interviews"] == [{"group": {}, "count": len(made["people"])}]
        assert len(made["people"]) < len(made["consenting"])
    assert len(made["consenting"]) + len(made["other"]) == 260
    assert "Methods note" in out.stderr and "anonymous statistics" in out.stderr
    assert 'counted as people (counts_of "people"' in out.stderr
    assert "k = 40" in out.stderr and "nothing kept" in out.stderr
    changes = published["tables"]["changes"]  # safe_right_now: the safety domain
    assert {c["group"]["change"] for c in changes} == {
        "new",
        "better",
        "same",
        "worse",
        "now-unknown",
    }
    needs = published["tables"]["needs"]
    assert {c["group"]["level"] for c in needs} >= {"urgent", "some", "none", "unknown"}
    with storage.transaction(app.extensions["screening"].engine) as conn:
        assert storage.count(conn, storage.published_outcomes) == 0  # a dry run keeps nothing


@pytest.mark.parametrize("backend", BACKENDS)
def test_without_consent_to_statistics_nothing_is_counted(
    tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "now", Clock(MID_PERIOD))
    for app in web_app(backend, tmp_path, []):
        for n in range(12):
            consented(app, n, statistics=False)
        out = _run(app, "outcomes", "--period", PERIOD, "--json")
        assert out.exit_code == 0, out.output
        published = json.loads(out.stdout)
        assert published["counts_of"] == "interviews"  # nothing linked
        tables = published["tables"]
        assert tables["interviews"] == [{"group": {}, "count": 0}]
        assert tables["needs"] == [] and tables["days_to_connection"][0]["count"] is None


def _interview(app: Flask, n: int, answer: str) -> service.Loaded:
    return consented(app, n, statistics=True, safe=answer)


def test_linked_interviews_of_one_person_count_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two linked check-ins of one person in the period count once, by the latest (its
    needs, not the first's); an unlinked one counts as a person; counts_of says so."""
    monkeypatch.setattr(storage, "now", Clock(MID_PERIOD))
    for app in web_app("sqlite", tmp_path, []):
        ext = app.extensions["screening"]
        first, later = _interview(app, 0, "no"), _interview(app, 1, "yes")
        alone = _interview(app, 2, "yes")
        for loaded in (first, later):
            checkins.link(ext.engine, ext.master, loaded, "F-17", consent_to_link=True, actor=None)
        out = _run(app, "outcomes", "--period", PERIOD, "--json", "--dry-run", k="2")
        assert out.exit_code == 0, out.output
        published = json.loads(out.stdout)
        assert set(published) == {"period", "k", "counts_of", "tables"}
        assert published["counts_of"] == "people"
        assert published["tables"]["interviews"] == [{"group": {}, "count": 2}]
        safety = {
            c["group"]["level"]: c["count"]
            for c in published["tables"]["needs"]
            if c["group"]["domain"] == "safety"
        }
        assert safety["urgent"] == 0  # the first check-in's "no" is not counted again
        assert 'counted as people (counts_of "people"' in out.stderr
        checkins.revoke(ext.engine, later, actor=None)  # unlinked: no linking applies
        checkins.revoke(ext.engine, first, actor=None)
        again = json.loads(_run(app, "outcomes", "--period", PERIOD, "--json", k="2").stdout)
        assert again["counts_of"] == "interviews"
        assert again["tables"]["interviews"] == [{"group": {}, "count": 3}]
        assert alone.id not in out.stdout


def test_a_published_period_is_kept_as_sent(generated: tuple[Flask, dict[str, Any]]) -> None:
    app, made = generated
    first = _run(app, "outcomes", "--period", PERIOD, "--json", "--publish")
    assert first.exit_code == 0, first.output
    assert "published; asking again gives this same copy" in first.stderr
    ext = app.extensions["screening"]
    for iid in made["consenting"][:30]:  # deleted since: the published period stays
        service.discard(ext.engine, iid)
    again = _run(app, "outcomes", "--period", PERIOD, "--json")
    assert again.stdout == first.stdout
    assert "published before" in again.stderr
    as_csv = _run(app, "outcomes", "--period", PERIOD, "--csv", "--dry-run")
    lines = as_csv.stdout.splitlines()
    assert lines[0] == "period,k,counts_of,table,group,count"
    assert f"{PERIOD},10,people,interviews,,{len(made['people'])}" in lines


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "2026-09-01", "last-week"])
def test_a_period_that_is_not_a_month_or_quarter_is_refused(
    generated: tuple[Flask, dict[str, Any]], period: str
) -> None:
    out = _run(generated[0], "outcomes", "--period", period)
    assert out.exit_code == 2
    assert "calendar month (2026-09) or a quarter (2026-Q3)" in out.output


def test_k_is_checked(generated: tuple[Flask, dict[str, Any]]) -> None:
    out = _run(generated[0], "outcomes", "--period", PERIOD, k="1")
    assert out.exit_code == 1 and "SCREENING_OUTCOMES_K must be at least 2" in out.output
