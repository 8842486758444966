"""The private check-in (/checkin) as a browser without JavaScript uses it: the start page,
a whole check-in by plain forms, quick exit, the idle sweep, and forged posts. On SQLite,
and on PostgreSQL when SCREENING_TEST_DATABASE_URL names one. What a real browser keeps
after quick exit (history, cookies, storage) is tested in tests/browser."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.test import TestResponse

from screening.config import DEFAULT_EXIT_URL
from screening.errors import Code, DomainError
from screening.services.interviews import bundled_source
from screening.store import coordination
from screening.store import db as storage
from screening.web.private import KEY_HEADER as KEY
from screening.web.private import MEMORY_HEADER as MEMORY
from screening.web.private import SESSION_HEADER as SESSION
from tests.support import checkin
from tests.support.apps import BACKENDS, web_app
from tests.support.checkin import begin
from tests.support.html import (
    BROWSER,
    BUDGET,
    Form,
    fonts_for,
    form,
    forms,
    h1,
    sign_in,
    submit,
)

EXIT = DEFAULT_EXIT_URL
# Words that would tell someone looking at the history list or a URL what this was.
SENSITIVE = re.compile(r"traffick|exploit|abuse|safe|youth|sex|violence|help|crisis|mood", re.I)


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    yield from web_app(request.param, tmp_path, [("ana", "Org A")])


def counts(app: Flask) -> dict[str, int]:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        return {
            t.name: storage.count(conn, t)
            for t in (storage.interviews, storage.entries, storage.sessions)
        }


def kind(html: str) -> str:
    actions = {f.action for f in forms(html)}
    for name in ("continue", "section", "answer", "start"):
        if f"/checkin/{name}" in actions:
            return name
    return "summary" if h1(html) == "Summary" else "other"


def step(client: FlaskClient, html: str, *, choose: int = 0) -> TestResponse:
    """Answer whatever screen this is the way a person would (first choices)."""
    screen = kind(html)
    if screen == "section":
        return submit(client, form(html, "/checkin/section"), ("choice", "enter"))
    if screen == "continue":
        return submit(client, form(html, "/checkin/continue"))
    f = form(html, "/checkin/answer")
    if f.options.get("value"):
        values = f.options["value"]
        return submit(client, f, ("action", "next"), value=values[min(choose, len(values) - 1)])
    return submit(client, f, ("action", "skip"))


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("input", "textarea") and a.get("type") != "hidden":
            self.inputs.append(a)
        for name in ("href", "action", "src"):
            if a.get(name):
                self.links.append(str(a[name]))


def check_page(html: str, interview_id: str | None) -> None:
    """Neutral title, no sensitive word in any address, no interview id anywhere, every
    input keeps the browser from remembering it, and the exit button is there."""
    assert "<title>Check-in</title>" in html
    parsed = _Inputs()
    parsed.feed(html)
    for link in parsed.links:
        if link.startswith(("/", "?")):
            assert not SENSITIVE.search(link), link
    for attrs in parsed.inputs:
        assert attrs.get("autocomplete") == "off" and attrs.get("spellcheck") == "false", attrs
    if interview_id:
        assert interview_id not in html
    leave = form(html, "/checkin/leave")
    assert leave.buttons and leave.buttons[0][2] == "Exit this page"


def interview_id(app: Flask) -> str:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        ids = [row.id for row in conn.execute(storage.interviews.select())]
    assert len(ids) == 1
    return str(ids[0])


# ------------------------------------------------------------------ start page


def test_start_page_says_what_happens_before_the_first_question(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/checkin")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    check_page(page.text, None)
    assert "Set-Cookie" not in page.headers  # nothing of ours on the device before a start
    text = re.sub(r"<[^>]+>", "", page.text)
    assert "must tell child services or the police" in text  # limits of confidentiality
    assert "private window" in text and "JavaScript is off" in text  # the no-JS advice
    assert "deleted when you press Exit" in text
    offered = form(page.text, "/checkin/start").options["instrument"]
    assert offered[0] == "youth-check-in"  # our own check-in first, scales after
    assert "needs-assessment" not in offered  # worker-only instruments are not offered
    assert counts(app)["interviews"] == 0  # looking stores nothing


def test_a_whole_check_in_without_javascript(app: Flask) -> None:
    client = app.test_client()
    started = begin(client)
    cookies = started.headers.getlist("Set-Cookie")
    for name in ("cid", "pk"):
        cookie = next(c for c in cookies if c.startswith(name + "="))
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "Expires" not in cookie and "Max-Age" not in cookie  # gone when the browser is
    iid = interview_id(app)
    seen: list[str] = []
    page = client.get("/checkin")
    for _ in range(60):
        assert page.status_code == 200, page.text
        check_page(page.text, iid)
        seen.append(kind(page.text))
        if seen[-1] == "summary":
            break
        response = step(client, page.text)
        assert response.status_code == 303 and response.location == "/checkin", response.text
        page = client.get("/checkin")
    assert seen[-1] == "summary" and "answer" in seen and "section" in seen
    assert "People who can help" in page.text and "Exit this page" in page.text
    assert counts(app)["entries"] >= seen.count("answer")
    # The same interview through the API (same cookies) agrees that it is done.
    assert client.get(f"/api/v1/interviews/{iid}").json["status"] == "done"  # type: ignore[index]


def test_back_and_change_stay_at_the_neutral_address(app: Flask) -> None:
    client = app.test_client()
    begin(client)
    page = client.get("/checkin")
    for _ in range(4):
        step(client, page.text)
        page = client.get("/checkin")
    back = re.search(r'<a href="([^"]+)">Back</a>', page.text)
    assert back is not None and re.fullmatch(r"/checkin\?q=\d+", back.group(1)), page.text
    earlier = client.get(back.group(1))
    assert earlier.status_code == 200 and kind(earlier.text) == "answer"
    before = counts(app)["entries"]
    changed = step(client, earlier.text, choose=1)
    assert changed.status_code == 303 and changed.location.startswith("/checkin")
    assert counts(app)["entries"] == before + 1  # a change is appended


def test_worker_and_private_pages_are_separate(app: Flask) -> None:
    person = app.test_client()
    begin(person)
    iid = interview_id(app)
    worker = sign_in(app)
    assert worker.get(f"/interviews/{iid}").status_code == 404  # not the worker's
    assert worker.get(f"/api/v1/interviews/{iid}").status_code == 404
    assert person.get("/").location == "/signin"  # a private session is no worker
    assert person.get(f"/interviews/{iid}").location == "/signin"
    stranger = app.test_client()
    assert stranger.get(f"/api/v1/interviews/{iid}").status_code == 404
    assert h1(stranger.get("/checkin").text) == "Check-in"  # a start page of their own


# ------------------------------------------------------------------ quick exit


def test_quick_exit_deletes_everything_and_clears_the_browser(app: Flask) -> None:
    client = app.test_client()
    begin(client)
    page = client.get("/checkin")
    step(client, client.get("/checkin").text)
    step(client, client.get("/checkin").text)
    assert counts(app)["entries"] >= 1
    old = {name: client.get_cookie(name) for name in ("cid", "pk")}
    page = client.get("/checkin")
    left = submit(client, form(page.text, "/checkin/leave"))
    assert left.status_code == 303 and left.location == EXIT
    assert left.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    expired = left.headers.getlist("Set-Cookie")
    for name in ("cid", "pk"):
        assert any(c.startswith(name + "=;") and "Max-Age=0" in c for c in expired), expired
    assert counts(app) == {"interviews": 0, "entries": 0, "sessions": 0}
    # A copy of the old cookies opens nothing and can add nothing.
    copy = app.test_client()
    for name, cookie in old.items():
        assert cookie is not None
        copy.set_cookie(name, cookie.value)
    again = copy.get("/checkin")
    assert h1(again.text) == "Check-in" and "has ended" in again.text
    posted = copy.post("/checkin/answer", data={"item": "y_safe_right_now", "value": "yes"})
    assert posted.status_code == 400 and counts(app)["entries"] == 0


def test_quick_exit_from_script_gets_no_redirect(app: Flask) -> None:
    client = app.test_client()
    begin(client)
    left = client.post("/checkin/leave", headers={"X-Leave": "fetch"})
    assert left.status_code == 204 and "Clear-Site-Data" in left.headers
    assert counts(app)["interviews"] == 0


def test_quick_exit_always_works(app: Flask) -> None:
    """Without a session, with a worker's session, twice: never an error page."""
    assert app.test_client().post("/checkin/leave").location == EXIT
    worker = sign_in(app)
    assert worker.post("/checkin/leave").location == EXIT
    assert worker.get("/").location == "/signin"  # it ended that session too
    client = app.test_client()
    begin(client)
    assert client.post("/checkin/leave").status_code == 303
    assert client.post("/checkin/leave").status_code == 303


def test_api_logout_ends_a_private_check_in(app: Flask) -> None:
    client = app.test_client()
    made = client.post("/api/v1/interviews", json={"instrument": "gad7", "mode": "private"})
    assert made.status_code == 201 and counts(app)["interviews"] == 1
    assert client.post("/api/v1/logout").status_code == 204
    assert counts(app)["interviews"] == 0


# ------------------------------------------------------------------ idle


def test_idle_check_ins_are_deleted(app: Flask) -> None:
    idle = app.test_client()
    begin(idle)
    step(idle, idle.get("/checkin").text)
    busy = app.test_client()
    begin(busy)
    engine = app.extensions["screening"].engine
    quarter = dt.timedelta(minutes=16)
    with storage.transaction(engine) as conn:  # the first one goes quiet for 16 minutes
        first = conn.execute(
            storage.sessions.select().order_by(storage.sessions.c.created_at)
        ).first()
        assert first is not None
        conn.execute(
            update(storage.sessions)
            .where(storage.sessions.c.token_hash == first.token_hash)
            .values(last_seen=storage.now() - quarter)
        )
        conn.execute(
            update(storage.interviews)
            .where(storage.interviews.c.id == first.interview_id)
            .values(updated_at=storage.now() - quarter)
        )
    app.extensions["screening"].last_sweep = 0.0  # a minute has passed since the last sweep
    with storage.transaction(engine) as conn:  # ... for the whole deployment too (its lease)
        conn.execute(update(coordination.leases).values(expires_at=storage.now()))
    assert busy.get("/checkin").status_code == 200  # any request sweeps
    left = counts(app)
    assert left["interviews"] == 1 and left["sessions"] == 1
    with storage.transaction(engine) as conn:
        assert storage.interview_row(conn, first.interview_id) is None
    assert "has ended" in idle.get("/checkin").text


def test_a_new_check_in_is_not_swept_before_its_session_exists(app: Flask) -> None:
    """service.start commits the interview before the session is written: a sweep in
    between must spare it, and take it once it has been quiet for the idle limit."""
    from screening.services import interviews as service

    ext = app.extensions["screening"]
    interview, _, _ = service.start(
        ext.engine,
        ext.master,
        instrument_ids=["gad7"],
        mode="private",
        locale="en",
        org_id=None,
        user_id=None,
    )
    limit = dt.timedelta(minutes=15)
    assert service.sweep_private(ext.engine, limit) == 0 and counts(app)["interviews"] == 1
    with storage.transaction(ext.engine) as conn:
        conn.execute(
            update(storage.interviews)
            .where(storage.interviews.c.id == interview)
            .values(updated_at=storage.now() - dt.timedelta(minutes=16))
        )
    assert service.sweep_private(ext.engine, limit) == 1 and counts(app)["interviews"] == 0


# ------------------------------------------------------------------ forged and odd posts


def test_forged_and_odd_posts_get_400_and_store_nothing(app: Flask) -> None:
    client = app.test_client()
    start_page = client.get("/checkin").text
    start_form = form(start_page, "/checkin/start")
    assert submit(client, start_form, instrument="needs-assessment").status_code == 400
    assert submit(client, start_form, instrument="../etc/passwd").status_code == 400
    forged = client.post(
        "/checkin/start", data={"instrument": "gad7"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    from_elsewhere = client.post(
        "/checkin/start", data={"instrument": "gad7"}, headers={"Origin": "https://evil.example"}
    )
    assert forged.status_code == from_elsewhere.status_code == 400
    assert counts(app)["interviews"] == 0
    nothing = client.post("/checkin/start", data={"lang": "en"})
    assert nothing.status_code == 400 and "Choose a check-in" in nothing.text
    bad_language = client.post("/checkin/start", data={"instrument": "gad7", "lang": "xx"})
    assert bad_language.status_code == 400 and counts(app)["interviews"] == 0
    begin(client)
    page = client.get("/checkin").text
    section = form(page, "/checkin/section")
    before = counts(app)["entries"]
    bad = [
        {**dict(section.fields), "choice": "enter", "csrf": "forged"},
        {**dict(section.fields), "choice": "maybe"},
        {**dict(section.fields), "choice": "enter", "key": "short"},
        {**dict(section.fields), "choice": "enter", "section": "youth-check-in/nope"},
    ]
    for data in bad:
        response = client.post("/checkin/section", data=data)
        assert response.status_code == 400, data
        assert "Exit this page" in response.text  # the quick exit stays on error pages
    cross = client.post(
        "/checkin/section",
        data={**dict(section.fields), "choice": "enter"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 400
    forged_exit = client.post("/checkin/leave", headers={"Sec-Fetch-Site": "cross-site"})
    assert forged_exit.status_code == 400
    assert counts(app)["entries"] == before and counts(app)["interviews"] == 1
    submit(client, section, ("choice", "enter"))
    question = form(client.get("/checkin").text, "/checkin/answer")
    for fields in (
        {"value": "perhaps"},
        {"item": "no_such_item", "value": "yes"},
        {"item": "y_later_item", "value": "yes"},
        {"action": "explode"},
    ):
        response = submit(client, question, ("action", "next"), **fields)
        assert response.status_code == 400, fields
    assert counts(app)["entries"] == before + 1
    assert client.get("/checkin?q=abc").status_code == 400
    assert client.get("/checkin?q=99").location == "/checkin"


def test_private_pages_fit_the_budget(app: Flask) -> None:
    client = app.test_client()
    home = client.get("/checkin").text
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', home)
    assert any("checkin.js" in a for a in assets) and any("app.css" in a for a in assets)
    extra = sum(len(client.get(a, headers={"Accept-Encoding": BROWSER}).data) for a in assets)
    names = fonts_for(client, home)  # the language picker's names
    extra += sum(names.values())
    begin(client)
    largest = 0
    for _ in range(60):
        sent = client.get("/checkin", headers={"Accept-Encoding": BROWSER})
        assert sent.headers.get("Content-Encoding")
        page = client.get("/checkin").text
        # fonts the start page already brought are cached: only new ones count
        fresh = {k: v for k, v in fonts_for(client, page).items() if k not in names}
        largest = max(largest, len(sent.data) + sum(fresh.values()))
        if kind(page) == "summary":
            break
        step(client, page)
    assert 0 < largest + extra <= BUDGET, (largest, extra)


def test_every_private_route_declares_who_may_use_it(app: Flask) -> None:
    from screening.web.private import ACCESS

    routes = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("private.")
    }
    assert routes and routes == set(ACCESS)


def test_every_offered_check_in_runs_privately(app: Flask) -> None:
    ids = form(app.test_client().get("/checkin").text, "/checkin/start").options["instrument"]
    for instrument in ids:
        assert "private" in bundled_source(instrument)[0].audiences
        client = app.test_client()
        begin(client, instrument)
        page = client.get("/checkin")
        assert page.status_code == 200 and kind(page.text) in ("answer", "section")
        assert isinstance(form(page.text, "/checkin/leave"), Form)


def test_a_private_summary_says_what_could_not_be_told(app: Flask) -> None:
    """PHQ-9 alone, items 1-8 at 3, item 9 "prefer not to say": the person is told the
    need could not be told and why, never that no needs came up."""
    client = app.test_client()
    begin(client, "phq9")
    page = client.get("/checkin").text
    answered = 0
    for _ in range(20):
        screen = kind(page)
        if screen == "summary":
            break
        if screen == "answer":
            f = form(page, "/checkin/answer")
            if answered < 8:
                submit(client, f, ("action", "next"), value="3")
            else:
                submit(client, f, ("action", "decline"))
            answered += 1
        else:
            step(client, page)
        page = client.get("/checkin").text
    assert kind(page) == "summary" and answered == 9
    assert "No needs came up" not in page
    assert "We could not tell from these answers" in page
    assert ": prefer not to say" in page and "it is incomplete" in page


def test_the_summary_is_downloaded_only_on_request_without_identifying_detail(
    app: Flask, tmp_path: Path
) -> None:
    import subprocess

    client = app.test_client()
    begin(client)
    page = client.get("/checkin").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    early = client.post("/checkin/copy", data={"csrf": token.group(1)})
    assert early.status_code == 400  # not before the end
    for _ in range(60):
        if kind(page) == "summary":
            break
        step(client, page)
        page = client.get("/checkin").text
    assert "saved on this device" in page and "Download the file" in page
    assert '<details class="copy">' in page  # closed until the person opens it
    sent = submit(client, form(page, "/checkin/copy"))
    assert sent.status_code == 200 and sent.mimetype == "application/pdf"
    assert sent.headers["Content-Disposition"] == 'attachment; filename="check-in.pdf"'
    assert sent.headers["Cache-Control"] == "no-store"
    path = tmp_path / "copy.pdf"
    path.write_bytes(sent.data)
    words = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "This file has no name or details about you." in words
    assert interview_id(app) not in words and "What you told us" not in words
    assert counts(app)["interviews"] == 1  # downloading changes nothing


def test_with_the_script_no_cookie_is_ever_set(app: Flask) -> None:
    """The script asks for the session in headers, keeps it in memory and sends it back:
    the browser never stores a cookie of ours."""
    client = app.test_client()
    started = client.post(
        "/checkin/start", data={"instrument": "youth-check-in"}, headers={MEMORY: "1"}
    )
    assert started.status_code == 204 and "Set-Cookie" not in started.headers
    creds = {SESSION: started.headers[SESSION], KEY: started.headers[KEY]}
    assert client.get("/checkin").text.count("Choose a check-in")  # no headers: a start page
    page = client.get("/checkin", headers=creds)
    assert 'data-screen="education"' in page.text and "Set-Cookie" not in page.headers
    went = client.post(
        "/checkin/continue", data=dict(form(page.text, "/checkin/continue").fields), headers=creds
    )
    assert went.status_code == 303 and "Set-Cookie" not in went.headers
    page = client.get("/checkin", headers=creds)
    assert kind(page.text) == "section" and "Set-Cookie" not in page.headers
    section = form(page.text, "/checkin/section")
    moved = client.post(
        "/checkin/section", data={**dict(section.fields), "choice": "enter"}, headers=creds
    )
    assert moved.status_code == 303 and counts(app)["entries"] == 2
    wrong_key = {**creds, KEY: creds[KEY][::-1]}
    assert "Choose a check-in" in client.get("/checkin", headers=wrong_key).text
    left = client.post("/checkin/leave", headers={**creds, "X-Leave": "fetch"})
    assert left.status_code == 204 and counts(app) == {"interviews": 0, "entries": 0, "sessions": 0}
    assert all(client.get_cookie(name) is None for name in ("sid", "cid", "pk"))


def test_a_check_in_shared_by_code_opens_once_for_a_worker(app: Flask) -> None:
    person = app.test_client()
    begin(person)
    page = person.get("/checkin").text
    for _ in range(60):
        if kind(page) == "summary":
            break
        step(person, page)
        page = person.get("/checkin").text
    iid = interview_id(app)
    mine = person.get(f"/api/v1/interviews/{iid}").json["answers"]  # type: ignore[index]
    assert "Make a code" in page and "Your code for a worker" not in page  # only on request
    shown = submit(person, form(page, "/checkin/share"))
    code = re.search(r'<p class="code" lang="en">([A-Z0-9-]+)</p>', shown.text)
    assert shown.status_code == 200 and code is not None, shown.text
    assert code.group(1) not in shown.headers.get("Location", "")
    worker = sign_in(app, "ana")
    home = worker.get("/").text
    wrong = submit(worker, form(home, "/interviews/shared"), code="ABCD-EFGH")
    assert wrong.status_code == 400 and "not right" in wrong.text
    typed = code.group(1).lower().replace("-", " ")  # as a worker might type it
    opened = submit(worker, form(home, "/interviews/shared"), code=typed)
    assert opened.status_code == 303 and opened.location.startswith("/interviews/")
    copy_id = opened.location.rsplit("/", 1)[1]
    theirs = worker.get(f"/api/v1/interviews/{copy_id}").json
    assert theirs["answers"] == mine and theirs["status"] == "done"  # type: ignore[index]
    assert h1(worker.get(opened.location).text) == "Summary"
    again = submit(worker, form(worker.get("/").text, "/interviews/shared"), code=code.group(1))
    assert again.status_code == 400  # once only
    assert person.get(f"/api/v1/interviews/{iid}").status_code == 200  # theirs is untouched


def test_an_unused_share_code_expires(app: Flask) -> None:
    from sqlalchemy import update as sql_update

    from screening.services import interviews as service
    from screening.services import sharing

    client = app.test_client()
    begin(client, "gad7")
    ext = app.extensions["screening"]
    iid = interview_id(app)
    key = checkin.data_key(app, client)
    assert key is not None
    with storage.transaction(ext.engine) as conn:
        loaded = service.load(conn, ext.master, iid, key)
    code = sharing.offer(ext.engine, ext.master, loaded)
    with storage.transaction(ext.engine) as conn:
        conn.execute(
            sql_update(storage.shares).values(expires_at=storage.now() - dt.timedelta(seconds=1))
        )
    with pytest.raises(DomainError) as refused:
        sharing.redeem(ext.engine, ext.master, code, org_id=1, user_id=1)
    assert refused.value.code is Code.NO_SHARE
    service.sweep_private(ext.engine, dt.timedelta(minutes=15))
    with storage.transaction(ext.engine) as conn:
        assert storage.count(conn, storage.shares) == 0


def test_a_key_that_is_not_the_check_ins_own_opens_nothing(app: Flask) -> None:
    """A well-formed but wrong key (a forged header or cookie) is a stranger: the start
    page or 404, never a 500."""
    client = app.test_client()
    started = client.post("/checkin/start", data={"instrument": "gad7"}, headers={MEMORY: "1"})
    creds = {SESSION: started.headers[SESSION], KEY: started.headers[KEY]}
    page = client.get("/checkin", headers=creds).text
    first = form(page, "/checkin/answer")
    answered = client.post(
        "/checkin/answer",
        data={**dict(first.fields), "action": "next", "value": "1"},
        headers=creds,
    )
    assert answered.status_code == 303 and counts(app)["entries"] == 1
    forged = {**creds, KEY: base64.urlsafe_b64encode(bytes(32)).decode()}
    shown = client.get("/checkin", headers=forged)
    assert shown.status_code == 200 and "Choose a check-in" in shown.text
    iid = interview_id(app)
    api = app.test_client()
    api.set_cookie("cid", creds[SESSION])
    api.set_cookie("pk", forged[KEY])
    assert api.get(f"/api/v1/interviews/{iid}").status_code == 404
