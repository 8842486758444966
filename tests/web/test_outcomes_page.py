"""The outcome counts page (issue 22): for an organisation's admins only, each table as
a server-drawn SVG chart with a text table beside it, no script, nothing published."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from screening.services import accounts
from screening.services import interviews as service
from screening.store import db as storage
from tests.support.api import signed_in
from tests.support.apps import PASSWORD, web_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    for application in web_app("sqlite", tmp_path, [("ana", "Org A")]):
        ext = application.extensions["screening"]
        with storage.transaction(ext.engine) as conn:
            accounts.create_user(conn, "ada", "Org A", "admin", PASSWORD)
            org_id = conn.execute(
                storage.select(storage.users.c.org_id).where(storage.users.c.username == "ana")
            ).scalar_one()
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
        yield application


def test_admins_see_charts_with_tables_beside(app: Flask) -> None:
    page = signed_in(app, "ada").get("/admin/outcomes")
    assert page.status_code == 200
    assert page.text.count('<svg role="img"') == page.text.count("<table>") >= 2
    assert "<script" not in page.text.split("<main", 1)[-1]
    assert "<td>12</td>" in page.text  # the 12 with consent to statistics, not 14
    with app.app_context():
        ext = app.extensions["screening"]
        with storage.transaction(ext.engine) as conn:
            assert storage.count(conn, storage.published_outcomes) == 0


def test_a_bad_period_is_a_400_and_workers_are_refused(app: Flask) -> None:
    admin = signed_in(app, "ada")
    bad = admin.get("/admin/outcomes?period=2026-09-03")
    assert bad.status_code == 400 and "a quarter, like 2026-Q3" in bad.text
    assert signed_in(app, "ana").get("/admin/outcomes").status_code == 403
