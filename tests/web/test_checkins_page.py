"""The summary of a later check-in linked with the person's consent shows what changed
per need domain; taking the consent back removes the link (issue 22). Plain forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.services import interviews as service
from screening.store import db as storage
from tests.support.api import signed_in
from tests.support.apps import web_app

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def _done(app: Flask, value: int, n: int) -> str:
    ext = app.extensions["screening"]
    with storage.transaction(ext.engine) as conn:
        user = conn.execute(
            storage.select(storage.users).where(storage.users.c.username == "ana")
        ).one()
    iid, _, _ = service.start(
        ext.engine,
        ext.master,
        instrument_ids=["gad7"],
        mode="worker",
        locale="en",
        org_id=user.org_id,
        user_id=user.id,
    )
    entry = service.consent_entry(store=True, share=False, service=None, statistics=True)
    service.record(ext.engine, ext.master, iid, entry, f"consent-{n:04d}")
    for item in range(1, 8):
        answer = service.answer_entry({"item": f"gad7_{item}", "value": value})
        service.record(ext.engine, ext.master, iid, answer, f"answer-{n:04d}-{item}")
    return iid


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _link(client: FlaskClient, iid: str, **form: str) -> int:
    page = client.get(f"/interviews/{iid}")
    assert page.status_code == 200 and 'id="since"' in page.text
    data = {"csrf": _csrf(page.text), "case_reference": "File 88", **form}
    return client.post(f"/interviews/{iid}/link", data=data, headers=SAME_SITE).status_code


def test_linked_with_consent_shows_the_change_and_revoking_unlinks(app: Flask) -> None:
    first, later = _done(app, 3, 1), _done(app, 0, 2)
    client = signed_in(app)
    assert _link(client, later) == 400  # no consent to link: nothing saved
    assert "Better than last time" not in client.get(f"/interviews/{later}").text
    assert _link(client, first, consent_to_link="yes") == 303
    assert "There is no earlier one yet" in client.get(f"/interviews/{first}").text
    assert _link(client, later, consent_to_link="yes") == 303
    page = client.get(f"/interviews/{later}").text
    assert "Feelings, stress and mental health: <strong>Better than last time</strong>" in page
    assert "File 88" not in page  # the reference is never shown back or kept in clear
    gone = client.post(f"/interviews/{later}/unlink", data={"csrf": _csrf(page)}, headers=SAME_SITE)
    assert gone.status_code == 303
    page = client.get(f"/interviews/{later}").text
    assert "Better than last time" not in page and "Link check-ins" in page
