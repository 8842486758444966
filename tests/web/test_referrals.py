"""Referrals that are followed up (issue 21): a referral goes offered -> connected
through the pages with JavaScript off (plain form posts with the page's CSRF token);
while open and past its follow-up date it is listed on the worker's home; each change
is in ``screening audit`` (and never what it was); another organisation's worker gets a
404 reading or changing it; the API refuses an unknown status or a jump past "offered"
with a 400 naming the field; the CSV export has the dated history."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from screening.cli.main import main
from screening.directory import hsds
from screening.services import interviews as service
from screening.store import db as storage
from tests.support.apps import BACKENDS, web_app
from tests.support.html import form, forms, sign_in, submit


@pytest.fixture(scope="module", params=BACKENDS)
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from web_app(
        request.param, tmp_path_factory.mktemp("referrals"), [("ana", "Org A"), ("bo", "Org B")]
    )


def cli(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    settings = app.extensions["screening"].settings
    env = {"DATABASE_URL": settings.database_url, "SCREENING_INSTANCE": str(settings.instance)}
    return CliRunner().invoke(main, list(args), env=env)


SERVICES = [s.id for s in hsds.services(hsds.demo())]


def planned(app: Flask, client: FlaskClient, *service_ids: str) -> str:
    """A worker-led interview with consent to store and a plan referring to the
    services named, saved through the plan page's form."""
    made = client.post("/api/v1/interviews", json={"instrument": "gad7", "locale": "en"})
    assert made.status_code == 201, made.json
    interview_id = made.json["id"]  # type: ignore[index]
    ext = app.extensions["screening"]
    consent = service.consent_entry(store=True, share=False, service=None, statistics=False)
    service.record(ext.engine, ext.master, interview_id, consent, "consent-0001")
    edit = client.get(f"/interviews/{interview_id}/plan")
    saved = submit(client, form(edit.text, "/plan"), author="worker", add=list(service_ids))
    assert saved.status_code == 303, saved.text
    return interview_id


def record(client: FlaskClient, interview_id: str, **values: str) -> str:
    """Post the referral form of the referrals page (as a browser without scripts)."""
    page = client.get(f"/interviews/{interview_id}/referrals")
    assert page.status_code == 200, page.text
    found = [f for f in forms(page.text) if "/referrals/" in f.action]
    assert found, page.text
    posted = submit(client, found[0], **values)
    assert posted.status_code == 303, posted.text
    return client.get(posted.location).text


def test_a_referral_goes_from_offered_to_connected_with_plain_forms(app: Flask) -> None:
    client = sign_in(app, "ana")
    interview_id = planned(app, client, SERVICES[0])
    page = client.get(f"/interviews/{interview_id}/referrals").text
    assert "Not offered yet." in page
    shown = record(client, interview_id, status="offered")
    assert "Now: Offered to the person" in shown and "Saved." in shown
    record(client, interview_id, status="accepted")
    record(client, interview_id, status="contacted", by="person")
    shown = record(client, interview_id, status="connected")
    assert "Now: Connected" in shown
    listed = client.get(f"/api/v1/interviews/{interview_id}/referrals").json
    (one,) = listed["referrals"]  # type: ignore[index]
    assert one["status"] == "connected" and one["open"] is False
    assert [h["status"] for h in one["history"]] == [
        "offered",
        "accepted",
        "contacted",
        "connected",
    ]
    assert one["history"][2]["by"] == "person"
    assert one["service"]["id"] == SERVICES[0] and one["service"]["name"]  # HSDS reference
    # each change is in `screening audit`, and what it changed to is not
    audit = cli(app, "audit", "--limit", "50")
    assert audit.exit_code == 0, audit.output
    changes = [line for line in audit.output.splitlines() if "referral-change" in line]
    assert len(changes) == 4 and all(interview_id in line for line in changes)
    assert "connected" not in audit.output and "accepted" not in audit.output
    # sealed at rest: the status is nowhere in the stored row
    with storage.transaction(app.extensions["screening"].engine) as conn:
        payloads = [bytes(r.payload) for r in conn.execute(select(storage.referral_events))]
    assert payloads and not any(b"connected" in p or SERVICES[0].encode() in p for p in payloads)


def test_a_change_the_machine_does_not_allow_is_a_400_page(app: Flask) -> None:
    client = sign_in(app, "ana")
    interview_id = planned(app, client, SERVICES[1])
    page = client.get(f"/interviews/{interview_id}/referrals").text
    (referral,) = [f for f in forms(page) if "/referrals/" in f.action]
    jumped = submit(client, referral, status="connected")  # not offered yet
    assert jumped.status_code == 400 and "Nothing was saved" in jumped.text
    record(client, interview_id, status="offered")
    record(client, interview_id, status="accepted")
    page = client.get(f"/interviews/{interview_id}/referrals").text
    (referral,) = [f for f in forms(page) if "/referrals/" in f.action]
    no_consent = submit(client, referral, status="contacted", by="warm-hand-off")
    assert no_consent.status_code == 400 and "consent" in no_consent.text
    no_reason = submit(client, referral, status="not-connected")
    assert no_reason.status_code == 400 and "why it did not connect" in no_reason.text
    stale = submit(client, referral, status="offered", csrf="not-the-token")
    assert stale.status_code == 400


def test_an_open_referral_past_its_follow_up_date_is_on_the_home_page(app: Flask) -> None:
    client = sign_in(app, "ana")
    interview_id = planned(app, client, SERVICES[2])
    record(client, interview_id, status="offered")
    set_interval = cli(app, "orgs", "follow-up", "Org A", "10")
    assert set_interval.exit_code == 0, set_interval.output
    home = client.get("/").text
    assert "to check on this week" not in home or f"/interviews/{interview_id}/" not in home
    ext = app.extensions["screening"]
    with storage.transaction(ext.engine) as conn:  # as if offered three weeks ago
        conn.execute(
            update(storage.referral_events)
            .where(storage.referral_events.c.interview_id == interview_id)
            .values(created_at=storage.now() - dt.timedelta(days=21))
        )
    home = client.get("/").text
    heading = re.search(r'<h2 id="follow-ups">([^<]*)</h2>', home)
    assert heading and re.fullmatch(r"Referrals to check on this week: \d+", heading.group(1))
    assert f"/interviews/{interview_id}/referrals#r-" in home
    assert "Offered to the person" in home
    # once connected it is no longer listed
    record(client, interview_id, status="accepted")
    with storage.transaction(ext.engine) as conn:
        conn.execute(
            update(storage.referral_events)
            .where(storage.referral_events.c.interview_id == interview_id)
            .values(created_at=storage.now() - dt.timedelta(days=21))
        )
    assert f"/interviews/{interview_id}/referrals#r-" in client.get("/").text
    record(client, interview_id, status="contacted", by="person")
    record(client, interview_id, status="connected")
    assert f"/interviews/{interview_id}/referrals#r-" not in client.get("/").text
    bad = cli(app, "orgs", "follow-up", "Org A", "0")
    assert bad.exit_code == 1 and "1 to 365" in bad.output


def test_another_organisation_gets_404_reading_or_changing_it(app: Flask) -> None:
    ana = sign_in(app, "ana")
    interview_id = planned(app, ana, SERVICES[0])
    rid = ana.get(f"/api/v1/interviews/{interview_id}/referrals").json["referrals"][0]["id"]  # type: ignore[index]
    url = f"/api/v1/interviews/{interview_id}/referrals/{rid}"
    assert ana.get(url).status_code == 200
    bo = sign_in(app, "bo")
    assert bo.get(url).status_code == 404
    assert bo.patch(url, json={"status": "offered"}).status_code == 404
    assert bo.get(f"/api/v1/interviews/{interview_id}/referrals").status_code == 404
    assert bo.get(f"/interviews/{interview_id}/referrals").status_code == 404
    page = ana.get(f"/interviews/{interview_id}/referrals").text
    (referral,) = [f for f in forms(page) if "/referrals/" in f.action]
    bo_page = bo.get("/").text  # bo's own CSRF token, on ana's referral
    token = next(v for f in forms(bo_page) for n, v in f.fields if n == "csrf")
    posted = bo.post(referral.action, data={"csrf": token, "status": "offered"})
    assert posted.status_code == 404
    assert ana.get(url).json["status"] is None  # type: ignore[index]
    assert ana.get(f"/api/v1/interviews/{interview_id}/referrals/{'0' * 20}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"status": "connected"}, "status"),  # skips offered
        ({"status": "accepted"}, "status"),  # skips offered
        ({"status": 3}, "status"),
        ({"status": "offered", "by": "person"}, "by"),
    ],
)
def test_patch_refuses_unknown_statuses_and_jumps_naming_the_field(
    app: Flask, body: dict[str, object], field: str
) -> None:
    ana = sign_in(app, "ana")
    interview_id = planned(app, ana, SERVICES[1])
    rid = ana.get(f"/api/v1/interviews/{interview_id}/referrals").json["referrals"][0]["id"]  # type: ignore[index]
    url = f"/api/v1/interviews/{interview_id}/referrals/{rid}"
    refused = ana.patch(url, json=body)
    assert refused.status_code == 400, refused.json
    error = refused.json["error"]  # type: ignore[index]
    assert error["code"] == "bad-referral" and error["message"].startswith(f"{field}: ")
    assert ana.get(url).json["history"] == []  # type: ignore[index]


def test_patch_moves_it_on_and_the_csv_export_has_its_history(app: Flask) -> None:
    ana = sign_in(app, "ana")
    interview_id = planned(app, ana, SERVICES[3])
    rid = ana.get(f"/api/v1/interviews/{interview_id}/referrals").json["referrals"][0]["id"]  # type: ignore[index]
    url = f"/api/v1/interviews/{interview_id}/referrals/{rid}"
    for body in (
        {"status": "offered"},
        {"status": "offered"},  # a retry: recorded once
        {"status": "accepted"},
        {"status": "contacted", "by": "person"},
        {"status": "not-connected", "reason": "waitlist"},
    ):
        moved = ana.patch(url, json=body)
        assert moved.status_code == 200, moved.json
    assert moved.json["status"] == "not-connected" and moved.json["open"] is True  # type: ignore[index]
    assert len(moved.json["history"]) == 4  # type: ignore[index]
    assert ana.patch(url, json={"status": "offered"}).status_code == 400  # no going back
    assert (
        ana.patch(url, json={"status": "closed", "note": "x"}).status_code == 400
    )  # unknown field
    export = ana.get("/api/v1/export/referrals.csv")
    assert export.status_code == 200
    rows = [
        r for r in csv.DictReader(io.StringIO(export.text)) if r["referral_id"].lstrip("'") == rid
    ]
    assert [r["status"] for r in rows] == ["offered", "accepted", "contacted", "not-connected"]
    assert rows[-1]["reason"] == "waitlist" and rows[2]["by"] == "person"
    assert rows[0]["service_id"] == SERVICES[3] and all(r["at"] for r in rows)
    dictionary = ana.get("/api/v1/export/referrals-dictionary.csv").text
    assert "warm-hand-off" in dictionary and "HSDS" in dictionary
    bo = sign_in(app, "bo")
    assert rid not in bo.get("/api/v1/export/referrals.csv").text


def test_cli_export_writes_referrals(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "referrals.csv"
    done = cli(app, "export", "csv", "-o", str(out), "--referrals")
    assert done.exit_code == 0, done.output
    assert out.read_text().startswith("interview_id,referral_id,service_id,need,number,status")


def test_history_keeps_need_and_dates_and_goes_with_its_interview(app: Flask) -> None:
    """What an outcome count reads (need domain, dated changes) and what a deletion
    removes: the referral's rows go with the interview (its key too)."""
    from screening.core.plan import Plan, Referral
    from screening.services import admin
    from screening.store import plans as planstore

    ana = sign_in(app, "ana")
    interview_id = planned(app, ana, SERVICES[0])
    ext = app.extensions["screening"]
    plan = Plan(referrals=(Referral("svc-x", "A fictional service", need="housing"),))
    planstore.save_plan(
        ext.engine, ext.master, interview_id, plan, author_role="worker", user_id=None
    )
    listed = ana.get(f"/api/v1/interviews/{interview_id}/referrals").json["referrals"]  # type: ignore[index]
    url = f"/api/v1/interviews/{interview_id}/referrals/{listed[0]['id']}"
    for body in ({"status": "offered"}, {"status": "accepted"}, {"status": "closed"}):
        assert ana.patch(url, json=body).status_code == 200
    got = ana.get(url).json
    assert got["need"] == "housing" and got["open"] is False and got["next"] == []  # type: ignore[index]
    stamps = [dt.datetime.fromisoformat(h["at"]) for h in got["history"]]  # type: ignore[index]
    assert stamps == sorted(stamps) and all(s.tzinfo for s in stamps)
    assert ana.patch(url, json={"status": "offered"}).status_code == 400  # closed is final
    assert admin.delete_one(ext.engine, interview_id)
    with storage.transaction(ext.engine) as conn:
        left = conn.execute(
            select(storage.referral_events).where(
                storage.referral_events.c.interview_id == interview_id
            )
        ).all()
    assert left == []
