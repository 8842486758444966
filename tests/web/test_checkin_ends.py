"""What a private check-in leaves behind once it has ended (issue 16, point 4).

Its data key is derived from a half in the person's ``pk`` cookie and a half the server
keeps with the live session. After quick exit, or once the idle limit has passed, the
cookies a browser kept (copied here onto a fresh client) open nothing: the start page,
a 404 from the API, and the cookie's half alone does not unseal what is stored. Quick
exit also cancels the share codes it made. A worker signed in in the same browser stays
signed in when a check-in starts there."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from screening.errors import Code, DomainError
from screening.services import interviews as service
from screening.services import sharing
from screening.store import db as storage
from tests.support import checkin
from tests.support.apps import BACKENDS, web_app
from tests.support.checkin import begin
from tests.support.html import form, h1, sign_in, submit

COOKIES = ("cid", "pk")


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    yield from web_app(request.param, tmp_path, [("ana", "Org A"), ("ben", "Org B")])


def _the_interview(app: Flask) -> str:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        (row,) = conn.execute(storage.interviews.select()).all()
    return str(row.id)


def _answer_first(client: FlaskClient) -> None:
    """Answer screens until one entry is stored (consent, help and section screens
    come first in some check-ins)."""
    for _ in range(10):
        page = client.get("/checkin").text
        for action in ("/checkin/answer", "/checkin/section", "/checkin/continue"):
            if action in page:
                break
        found = form(page, action)
        if action == "/checkin/answer":
            values = found.options.get("value")
            extra = {"value": values[0]} if values else {}
            submit(client, found, ("action", "next" if values else "skip"), **extra)
            return
        submit(client, found, ("choice", "enter")) if action.endswith("section") else submit(
            client, found
        )
    raise AssertionError("no question reached")


def _copied(app: Flask, client: FlaskClient) -> dict[str, str]:
    kept = {}
    for name in COOKIES:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        kept[name] = cookie.value
    return kept


def _replay(app: Flask, kept: dict[str, str], interview_id: str) -> FlaskClient:
    """A fresh browser holding the copied cookies: it opens nothing."""
    thief = app.test_client()
    for name, value in kept.items():
        thief.set_cookie(name, value)
    page = thief.get("/checkin")
    assert page.status_code == 200 and h1(page.text) == "Check-in"
    assert "/checkin/start" in page.text and "/checkin/answer" not in page.text  # start page
    assert thief.get(f"/api/v1/interviews/{interview_id}").status_code == 404
    assert thief.get(f"/api/v1/interviews/{interview_id}/result").status_code == 404
    return thief


def _half_alone_opens_nothing(app: Flask, kept: dict[str, str], interview_id: str) -> None:
    """Whatever is still stored does not unseal with the cookie's half as the key."""
    ext = app.extensions["screening"]
    person = base64.urlsafe_b64decode(kept["pk"])
    with storage.transaction(ext.engine) as conn:
        if storage.interview_row(conn, interview_id) is None:
            return
        assert storage.count(conn, storage.entries) >= 1
        with pytest.raises(DomainError) as refused:
            service.load(conn, ext.master, interview_id, person)
    assert refused.value.code is Code.NOT_FOUND


def _server_halves(app: Flask) -> int:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        return storage.count(conn, storage.checkin_keys)


def test_the_cookie_holds_only_half_of_the_key(app: Flask) -> None:
    client = app.test_client()
    begin(client, "gad7")
    _answer_first(client)
    iid = _the_interview(app)
    kept = _copied(app, client)
    assert _server_halves(app) == 1
    key = checkin.data_key(app, client)
    assert key is not None and key != base64.urlsafe_b64decode(kept["pk"])
    ext = app.extensions["screening"]
    with storage.transaction(ext.engine) as conn:
        assert service.load(conn, ext.master, iid, key).state is not None  # both halves open it
    _half_alone_opens_nothing(app, kept, iid)
    # during the live window the copied pair does open it (README: "what holds when")
    live = app.test_client()
    for name, value in kept.items():
        live.set_cookie(name, value)
    assert live.get(f"/api/v1/interviews/{iid}").status_code == 200


def test_after_quick_exit_the_kept_cookies_open_nothing(app: Flask) -> None:
    client = app.test_client()
    begin(client, "gad7")
    _answer_first(client)
    iid = _the_interview(app)
    kept = _copied(app, client)
    left = submit(client, form(client.get("/checkin").text, "/checkin/leave"))
    assert left.status_code == 303
    assert _server_halves(app) == 0
    _replay(app, kept, iid)
    _half_alone_opens_nothing(app, kept, iid)


def test_after_the_idle_limit_the_kept_cookies_open_nothing(app: Flask) -> None:
    client = app.test_client()
    begin(client, "gad7")
    _answer_first(client)
    iid = _the_interview(app)
    kept = _copied(app, client)
    ext = app.extensions["screening"]
    past = storage.now() - ext.private_idle - dt.timedelta(minutes=1)
    with storage.transaction(ext.engine) as conn:  # the clock moves on past the idle limit
        conn.execute(update(storage.sessions).values(last_seen=past))
    # before any sweep has run: the first request after the limit ends the session ...
    _replay(app, kept, iid)
    assert _server_halves(app) == 0
    _half_alone_opens_nothing(app, kept, iid)  # ... and what the sweep has yet to delete
    with storage.transaction(ext.engine) as conn:  # is unreadable meanwhile
        conn.execute(update(storage.interviews).values(updated_at=past))
    assert service.sweep_private(ext.engine, ext.private_idle) == 1


def test_the_sweep_alone_ends_an_idle_check_in_and_its_half(app: Flask) -> None:
    client = app.test_client()
    begin(client, "gad7")
    iid = _the_interview(app)
    kept = _copied(app, client)
    ext = app.extensions["screening"]
    past = storage.now() - ext.private_idle - dt.timedelta(minutes=1)
    with storage.transaction(ext.engine) as conn:
        conn.execute(update(storage.sessions).values(last_seen=past))
        conn.execute(update(storage.interviews).values(updated_at=past))
    assert service.sweep_private(ext.engine, ext.private_idle) == 1
    assert _server_halves(app) == 0
    _replay(app, kept, iid)


def _finish_and_share(client: FlaskClient) -> str:
    page = client.get("/checkin").text
    for _ in range(80):
        if "/checkin/share" in page:
            break
        _answer_first(client)
        page = client.get("/checkin").text
    shown = submit(client, form(page, "/checkin/share"))
    code = re.search(r'<p class="code" lang="en">([A-Z0-9-]+)</p>', shown.text)
    assert shown.status_code == 200 and code is not None
    assert "Exit this page cancels this code too" in shown.text  # the person is told
    return code.group(1)


def test_quick_exit_cancels_the_share_codes_it_made(app: Flask) -> None:
    person = app.test_client()
    begin(person, "gad7")
    code = _finish_and_share(person)
    other = app.test_client()  # someone else's check-in and its code are not touched
    begin(other, "gad7")
    kept_code = _finish_and_share(other)
    submit(person, form(person.get("/checkin").text, "/checkin/leave"))
    worker = sign_in(app, "ben")
    home = worker.get("/").text
    refused = submit(worker, form(home, "/interviews/shared"), code=code)
    assert refused.status_code == 400 and "not right" in refused.text
    ext = app.extensions["screening"]
    with pytest.raises(DomainError) as gone:
        sharing.redeem(ext.engine, ext.master, code, org_id=2, user_id=2)
    assert gone.value.code is Code.NO_SHARE
    opened = submit(worker, form(worker.get("/").text, "/interviews/shared"), code=kept_code)
    assert opened.status_code == 303


def test_a_check_in_in_a_browser_with_a_worker_signed_in_leaves_the_worker_signed_in(
    app: Flask,
) -> None:
    browser = sign_in(app, "ana")
    worker_sid = browser.get_cookie("sid")
    assert worker_sid is not None and browser.get("/").status_code == 200
    assert browser.get("/checkin").status_code == 200  # opening the check-in
    begin(browser, "gad7")  # and starting one
    _answer_first(browser)
    assert browser.get_cookie("sid") is not None
    assert browser.get_cookie("sid").value == worker_sid.value  # type: ignore[union-attr]
    home = browser.get("/")
    assert home.status_code == 200 and home.location is None  # still the worker's home
    started = browser.post("/api/v1/interviews", json={"instrument": "gad7", "mode": "private"})
    assert started.status_code == 201
    assert browser.get("/").status_code == 200  # the API's private start leaves it too
    assert browser.get_cookie("sid").value == worker_sid.value  # type: ignore[union-attr]
