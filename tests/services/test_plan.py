"""The service plan: consent before a referral that shares information, every saved
version kept and sealed, and the worker pages that edit it."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from screening.core.plan import Consent, Plan, Referral, from_json, problems, to_json
from screening.services import interviews as service
from screening.store import db as storage
from screening.store import plans as planstore
from tests.support.apps import BACKENDS, PASSWORD, web_app

SHARING = Referral("s1", "Safe Harbour Shelter (fictional)", shares_information=True)


def test_a_sharing_referral_needs_consent() -> None:
    assert [p.code for p in problems(Plan(referrals=(SHARING,)))] == ["consent-needed"]
    refused = Consent(False, dt.date(2026, 12, 1))
    assert problems(
        Plan(referrals=(Referral("s1", "x", shares_information=True, consent=refused),))
    )
    given = Consent(True, dt.date(2026, 12, 1), "ana", "name and phone")
    ok = Plan(referrals=(Referral("s1", "x", shares_information=True, consent=given),))
    assert problems(ok) == []
    assert problems(Plan(referrals=(Referral("s1", "x"),))) == []  # shares nothing


def test_stored_form_round_trips() -> None:
    given = Consent(True, dt.date(2026, 12, 1), "ana", "name")
    plan = Plan(
        goals=("Have my own place", "إنهاء الدراسة"),
        referrals=(Referral("s1", "x", bring=("ID",), shares_information=True, consent=given),),
        next_check_in=dt.date(2026, 12, 8),
        client_language="ar",
    )
    assert from_json(json.loads(json.dumps(to_json(plan)))) == plan
    with pytest.raises(ValueError, match="next_check_in"):
        from_json({"next_check_in": "soon"})


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    yield from web_app(request.param, tmp_path, [("ana", "Org A"), ("ben", "Org B")])


def _interview(app: Flask, org: str = "Org A") -> str:
    ext = app.extensions["screening"]
    with storage.transaction(ext.engine) as conn:
        org_id = conn.execute(
            storage.select(storage.organisations.c.id).where(storage.organisations.c.name == org)
        ).scalar_one()
    interview_id, _, _ = service.start(
        ext.engine,
        ext.master,
        instrument_ids=["needs-assessment"],
        mode="worker",
        locale="en",
        org_id=org_id,
        user_id=None,
    )
    entry = service.consent_entry(store=True, share=False, service=None, statistics=False)
    service.record(ext.engine, ext.master, interview_id, entry, "consent-key-1")
    answer = service.answer_entry({"item": "safe_right_now", "value": "no"})
    service.record(ext.engine, ext.master, interview_id, answer, "answer-key-1")
    return interview_id


def test_every_version_is_kept_and_sealed(app: Flask) -> None:
    ext = app.extensions["screening"]
    interview_id = _interview(app)
    first = Plan(goals=("A marker goal 7731",))
    second = Plan(goals=("A marker goal 7731", "Second goal"))
    assert (
        planstore.save_plan(
            ext.engine, ext.master, interview_id, first, author_role="worker", user_id=None
        )
        == 1
    )
    assert (
        planstore.save_plan(
            ext.engine, ext.master, interview_id, second, author_role="client", user_id=None
        )
        == 2
    )
    with pytest.raises(planstore.PlanRefused, match="consent"):
        planstore.save_plan(
            ext.engine,
            ext.master,
            interview_id,
            Plan(referrals=(SHARING,)),
            author_role="worker",
            user_id=None,
        )
    with storage.transaction(ext.engine) as conn:
        kept = planstore.versions(conn, ext.master, interview_id)
        raw = b"".join(
            bytes(r.payload) for r in conn.execute(storage.select(storage.plan_versions))
        )
    assert [(v.number, v.author_role, v.plan) for v in kept] == [
        (1, "worker", first),
        (2, "client", second),
    ]
    assert b"7731" not in raw  # sealed, never in clear


def test_a_fresh_database_has_the_demo_directory(app: Flask) -> None:
    from screening.directory import hsds as directory

    with storage.transaction(app.extensions["screening"].engine) as conn:
        stored = planstore.load_directory(conn)
        assert storage.count(conn, storage.directory_info) == 1
    assert directory.without_modified(stored) == directory.without_modified(directory.demo())


def _sign_in(app: Flask, username: str = "ana"):  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = client.get("/signin")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    done = client.post("/signin", data={"csrf": token, "username": username, "password": PASSWORD})
    assert done.status_code == 303
    return client


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def test_plan_pages_edit_refuse_and_print(app: Flask) -> None:
    interview_id = _interview(app)
    client = _sign_in(app)
    url = f"/interviews/{interview_id}/plan"
    page = client.get(url)
    assert page.status_code == 200 and "Service plan" in page.text
    assert "Day and Night Crisis Line (fictional)" in page.text  # suggested for safety
    crisis = re.search(r'name="add" value="([^"]+)"> Day and Night', page.text).group(1)  # type: ignore[union-attr]
    saved = client.post(
        url,
        data={
            "csrf": _csrf(page.text),
            "author": "worker",
            "goals": "Feel safe at night",
            "add": crisis,
            "action_what_0": "Call the line",
            "action_who_0": "Me",
            "action_by_0": "2026-12-02",
            "next_check_in": "2026-12-08",
        },
    )
    assert saved.status_code == 303, saved.text
    page = client.get(url)
    assert "Feel safe at night" in page.text and "Version 1" in page.text
    # Sharing without consent: refused, nothing saved.
    refused = client.post(
        url,
        data={
            "csrf": _csrf(page.text),
            "author": "client",
            "goals": "Feel safe at night",
            "ref_share_0": "yes",
        },
    )
    assert refused.status_code == 400 and "consent" in refused.text
    assert "Version 2" not in client.get(url).text
    agreed = client.post(
        url,
        data={
            "csrf": _csrf(page.text),
            "author": "client",
            "goals": "Feel safe at night",
            "ref_share_0": "yes",
            "ref_consent_0": "yes",
            "ref_consent_what_0": "first name",
        },
    )
    assert agreed.status_code == 303
    assert "Version 2" in client.get(url).text
    # Forged post: no CSRF token.
    assert client.post(url, data={"author": "worker"}).status_code == 400
    pdf = client.get(url + "/print?format=pdf&paper=letter")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    html = client.get(url + "/print?v=1")
    assert html.status_code == 200 and "Call the line" in html.text
    assert client.get(url + "/print?v=9").status_code == 404
    assert client.get(url + "/print?locale=xx").status_code == 400
    # Another organisation sees nothing.
    other = _sign_in(app, "ben")
    assert other.get(url).status_code == 404


def test_every_plan_route_declares_who_may_use_it(app: Flask) -> None:
    from screening.web.plans import ACCESS

    routes = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("plans.")}
    assert routes and routes == set(ACCESS)


def test_before_printing_the_worker_reads_what_the_paper_names_and_can_carry_it_safely(
    app: Flask,
) -> None:
    ext = app.extensions["screening"]
    interview_id = _interview(app)  # not safe right now: a sensitive answer
    for n, (item, value) in enumerate(
        [("id_kept_by_other", "yes"), ("id_help", "yes"), ("enough_food", "no")]
    ):
        entry = service.answer_entry({"item": item, "value": value})
        service.record(ext.engine, ext.master, interview_id, entry, f"print-key-{n}")
    client = _sign_in(app)
    url = f"/interviews/{interview_id}/plan"
    page = client.get(url).text
    warning = page.split('id="before-print"')[1].split("</div>")[0]
    assert "Before you print: this paper names" in warning
    assert "ID and papers" in warning and "Food" in warning  # neutral need names
    assert "Safety" not in warning  # raised only by answers that are never printed
    assert "keeping" not in warning and "Not safe right now" not in warning
    assert "safe=1" in page  # the safe-to-carry links
    full = client.get(url + "/print")
    assert full.status_code == 200 and "ID and papers" in full.text
    assert "Is someone else keeping your ID" not in full.text
    assert "Someone else is keeping their ID" not in full.text
    assert "Not safe right now" not in full.text and "Do you feel safe" not in full.text
    safe = client.get(url + "/print?safe=1")
    assert safe.status_code == 200 and "Contacts and steps" in safe.text
    assert "My plan" not in safe.text and "ID and papers" not in safe.text
    assert "Food" not in safe.text.replace("Food Bank", "")
    pdf = client.get(url + "/print?safe=1&format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    for bad in ("2", "yes", "1'"):
        assert client.get(url + f"/print?safe={bad}").status_code == 400


def test_a_referral_added_from_the_full_list_gets_a_need_domain(tmp_path: Path) -> None:
    """Added from the full directory list: the need it answers is one the person has
    if the service serves it, else the first (by id) the service serves, so it still
    counts under a need domain in the outcome tables (issue 22)."""
    from screening.directory import hsds as directory

    for app in web_app("sqlite", tmp_path, [("ana", "Org A")]):
        ext = app.extensions["screening"]
        with storage.transaction(ext.engine) as conn:
            org_id = conn.execute(
                storage.select(storage.users.c.org_id).where(storage.users.c.username == "ana")
            ).scalar_one()
        interview_id, _, _ = service.start(  # GAD-7 asks about mental health only
            ext.engine,
            ext.master,
            instrument_ids=["gad7"],
            mode="worker",
            locale="en",
            org_id=org_id,
            user_id=None,
        )
        entry = service.consent_entry(store=True, share=False, service=None, statistics=False)
        service.record(ext.engine, ext.master, interview_id, entry, "consent-key-1")
        by_name = {str(s.name): s for s in directory.services(directory.demo())}
        newcomer = by_name["Newcomer Welcome Centre (fictional)"]  # no mental health
        crisis = by_name["Day and Night Crisis Line (fictional)"]  # mental health, safety
        assert "mental_health" not in newcomer.needs and "mental_health" in crisis.needs
        client = _sign_in(app)
        url = f"/interviews/{interview_id}/plan"
        page = client.get(url)
        assert page.status_code == 200
        data = {"csrf": _csrf(page.text), "author": "worker", "add": [newcomer.id, crisis.id]}
        assert client.post(url, data=data).status_code == 303
        with storage.transaction(ext.engine) as conn:
            plan = planstore.versions(conn, ext.master, interview_id)[-1].plan
        assert {r.service_id: r.need for r in plan.referrals} == {
            newcomer.id: "documents",  # the fallback: the first need it serves
            crisis.id: "mental_health",  # the person's need
        }
