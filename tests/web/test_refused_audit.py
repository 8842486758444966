"""Refused access is audited (issue 16): every 401/403/404 on an interview, a plan or an
export, whether the id exists or not, and every failed sign-in, with the organisation
it concerns, on that organisation's audit page; written after the response has gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.services import accounts
from screening.store import db as storage
from tests.support.api import signed_in, start
from tests.support.apps import BACKENDS, PASSWORD, web_app

SAME = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    for made in web_app(request.param, tmp_path, [("ana", "Org A"), ("bob", "Org B")]):
        with storage.transaction(made.extensions["screening"].engine) as conn:
            accounts.create_user(conn, "ada", "Org A", "admin", PASSWORD)
        yield made


def audit(app: Flask) -> list[Any]:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        return list(conn.execute(storage.audit.select().order_by(storage.audit.c.id)))


def org(app: Flask, name: str) -> int:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        return int(
            conn.execute(storage.organisations.select().where(storage.organisations.c.name == name))
            .one()
            .id
        )


def refused(app: Flask, client: FlaskClient, url: str, status: int, method: str = "GET") -> list:
    """Request ``url``; the audit rows it wrote, which appear only once it is closed."""
    before = len(audit(app))
    response = client.open(url, method=method, headers=SAME)
    assert response.status_code == status, (url, response.status_code)
    assert len(audit(app)) == before  # nothing on the response path
    response.close()
    return audit(app)[before:]


@pytest.fixture
def anas(app: Flask) -> str:
    flow, _ = start(signed_in(app, "ana"), "gad7")
    return flow.id


@pytest.mark.parametrize(
    "path",
    ["/api/v1/interviews/{id}", "/api/v1/interviews/{id}/result", "/api/v1/interviews/{id}/fhir",
     "/interviews/{id}", "/interviews/{id}/plan", "/interviews/{id}/plan/print"],
)  # fmt: skip
def test_a_cross_organisation_404_is_audited_for_the_owner(
    app: Flask, anas: str, path: str
) -> None:
    rows = refused(app, signed_in(app, "bob"), path.format(id=anas), 404)
    by_org = {r.org_id: r for r in rows}
    a, b = org(app, "Org A"), org(app, "Org B")
    assert set(by_org) == {a, b}
    assert by_org[a].action == "refused-404" and by_org[a].interview_ref == anas
    assert by_org[a].actor is None  # another organisation's usernames are not shown to it
    assert by_org[b].actor == "bob" and by_org[b].interview_ref == anas


def test_it_shows_on_the_owning_organisations_audit_page(app: Flask, anas: str) -> None:
    for _ in range(3):
        refused(app, signed_in(app, "bob"), f"/api/v1/interviews/{anas}", 404)
    admin = signed_in(app, "ada")
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert page.count("refused-404") == 3 and anas in page
    other = signed_in(app, "bob")  # Org B's page is for Org B's admins: bob is no admin
    assert other.get("/admin/audit").status_code == 403


def test_an_id_that_does_not_exist_is_audited_the_same_way(app: Flask) -> None:
    rows = refused(app, signed_in(app, "bob"), "/api/v1/interviews/no-such-id-000000", 404)
    assert [(r.org_id, r.actor, r.action, r.interview_ref) for r in rows] == [
        (org(app, "Org B"), "bob", "refused-404", "no-such-id-000000")
    ]


def test_without_sign_in_the_owner_still_sees_it(app: Flask, anas: str) -> None:
    nobody = app.test_client()
    api = refused(app, nobody, f"/api/v1/interviews/{anas}", 401)
    page = refused(app, nobody, f"/interviews/{anas}", 303)  # to the sign-in page
    plan = refused(app, nobody, f"/interviews/{anas}/plan", 303)
    for rows in (api, page, plan):
        assert [(r.org_id, r.actor, r.action) for r in rows] == [
            (org(app, "Org A"), None, "refused-401")
        ]


def test_a_refused_export_and_a_cross_site_request_are_audited(app: Flask, anas: str) -> None:
    rows = refused(app, app.test_client(), "/api/v1/export/interviews.csv", 401)
    assert [(r.org_id, r.action) for r in rows] == [(None, "refused-401")]
    bob = signed_in(app, "bob")
    before = len(audit(app))
    response = bob.get(f"/api/v1/interviews/{anas}", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    response.close()
    rows = audit(app)[before:]  # refused before any session is read: no actor known
    assert [(r.org_id, r.actor, r.action) for r in rows] == [
        (org(app, "Org A"), None, "refused-403")
    ]


def test_an_allowed_read_is_no_refusal(app: Flask, anas: str) -> None:
    response = signed_in(app, "ana").get(f"/api/v1/interviews/{anas}")
    assert response.status_code == 200
    response.close()
    assert not [r for r in audit(app) if r.action.startswith("refused")]


def test_a_failed_sign_in_is_audited_for_the_accounts_organisation(app: Flask) -> None:
    client = app.test_client()
    for username in ("ana", "nobody-at-all"):
        response = client.post(
            "/api/v1/login", json={"username": username, "password": "wrong password!"}
        )
        assert response.status_code == 401
    failed = [r for r in audit(app) if r.action == "login-failed"]
    assert [(r.org_id, r.actor) for r in failed] == [(org(app, "Org A"), None), (None, None)]
    page = signed_in(app, "ada").get("/admin/audit").get_data(as_text=True)
    assert page.count("login-failed") == 1


def test_one_address_cannot_grow_the_audit_without_bound(app: Flask) -> None:
    """Anonymous 404s on ids that do not exist: audited up to the per-address limit,
    then counted but not written (the audit table is not a disk an attacker can fill)."""
    from screening.web import REFUSALS_AUDITED

    client = app.test_client()
    before = len(audit(app))
    for n in range(REFUSALS_AUDITED + 5):
        response = client.get(f"/api/v1/interviews/nope{n:04d}", headers=SAME)
        assert response.status_code in (401, 404)
        response.close()
    written = [r for r in audit(app)[before:] if r.action.startswith("refused-")]
    assert len(written) == REFUSALS_AUDITED
    other = client.get(
        "/api/v1/interviews/nope", headers=SAME, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    other.close()
    assert (
        len([r for r in audit(app)[before:] if r.action.startswith("refused-")])
        == REFUSALS_AUDITED + 1
    )
