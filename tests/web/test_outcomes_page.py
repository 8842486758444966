"""The outcome counts page (issue 22): for an organisation's admins only, each table as
a server-drawn SVG chart with a text table beside it, groups in the admin's language,
no script; "publish this period" (POST with CSRF, an ended period only) keeps it as sent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from screening.services import accounts
from screening.services import interviews as service
from screening.store import db as storage
from tests.support.api import signed_in
from tests.support.apps import PASSWORD, web_app

PERIOD = "2024-05"  # long ended, whatever today is: the check-ins are made in it
MADE_AT = dt.datetime(2024, 5, 14, 10, 0, tzinfo=dt.UTC)
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    for application in web_app("sqlite", tmp_path, [("ana", "Org A")]):
        ext = application.extensions["screening"]
        with storage.transaction(ext.engine) as conn:
            accounts.create_user(conn, "ada", "Org A", "admin", PASSWORD)
            org_id = conn.execute(
                storage.select(storage.users.c.org_id).where(storage.users.c.username == "ana")
            ).scalar_one()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(storage, "now", lambda: MADE_AT)
            _make(application, org_id)
        yield application


def _make(application: Flask, org_id: int) -> None:
    ext = application.extensions["screening"]
    for n in range(14):
        iid, _, _ = service.start(
            ext.engine,
            ext.master,
            instrument_ids=["gad7"],
            mode="worker",
            locale="en",
            org_id=org_id,
            user_id=None,
        )
        entry = service.consent_entry(store=True, share=False, service=None, statistics=n < 12)
        service.record(ext.engine, ext.master, iid, entry, f"consent-{n:04d}")


def test_admins_see_charts_with_tables_beside(app: Flask) -> None:
    admin = signed_in(app, "ada")
    assert 'href="/admin/outcomes"' in admin.get("/").text  # linked from the admin's home
    page = admin.get(f"/admin/outcomes?period={PERIOD}")
    assert page.status_code == 200
    assert page.text.count('<svg role="img"') == page.text.count("<table>") >= 2
    assert "<script" not in page.text.split("<main", 1)[-1]
    assert "<td>12</td>" in page.text  # the 12 with consent to statistics, not 14
    assert "<td>Someone to talk to, not asked</td>" in page.text  # words, not codes
    assert "Counted as check-ins: none of this period's check-ins is linked" in page.text
    assert "mental_health" not in page.text and "not-asked" not in page.text
    french = admin.get(f"/admin/outcomes?period={PERIOD}", headers={"Accept-Language": "fr"})
    assert "Publier cette période" in french.text and "Someone to talk to" not in french.text
    with app.app_context():
        ext = app.extensions["screening"]
        with storage.transaction(ext.engine) as conn:
            assert storage.count(conn, storage.published_outcomes) == 0


def test_a_bad_period_is_a_400_and_workers_are_refused(app: Flask) -> None:
    admin = signed_in(app, "ada")
    bad = admin.get("/admin/outcomes?period=2026-09-03")
    assert bad.status_code == 400 and "a quarter, like 2026-Q3" in bad.text
    assert signed_in(app, "ana").get("/admin/outcomes").status_code == 403


def test_publishing_a_period_keeps_it_as_sent(app: Flask) -> None:
    admin = signed_in(app, "ada")
    page = admin.get(f"/admin/outcomes?period={PERIOD}")
    assert "kept exactly as sent" in page.text and "Publish this period" in page.text
    forged = admin.post("/admin/outcomes/publish", data={"period": PERIOD}, headers=SAME_SITE)
    assert forged.status_code == 400  # no CSRF token: nothing published
    data = {"csrf": _csrf(page.text), "period": PERIOD}
    done = admin.post("/admin/outcomes/publish", data=data, headers=SAME_SITE)
    assert done.status_code == 303
    after = admin.get(done.location)
    assert "This period is published" in after.text and "Publish this period" not in after.text
    ext = app.extensions["screening"]
    with storage.transaction(ext.engine) as conn:
        assert storage.count(conn, storage.published_outcomes) == 1
    # a period not ended yet, or not a period, cannot be published; workers cannot
    for period in ("2999-Q4", "2024-05-01"):
        data["period"] = period
        assert (
            admin.post("/admin/outcomes/publish", data=data, headers=SAME_SITE).status_code == 400
        )
    assert "once it has ended" in admin.get("/admin/outcomes?period=2999-Q4").text
    worker = signed_in(app, "ana")
    page = worker.get("/")
    assert "/admin/outcomes" not in page.text
    data = {"csrf": _csrf(page.text), "period": "2024-06"}
    assert worker.post("/admin/outcomes/publish", data=data, headers=SAME_SITE).status_code == 403
