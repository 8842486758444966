"""The worker's HTML pages, driven only through their forms as a browser without
JavaScript would: sign-in, consent, questions, back and change, skip and "prefer not to
say", content warnings, the help screen, pause and resume, the summary, and every way a
post can be forged. On SQLite, and on PostgreSQL when SCREENING_TEST_DATABASE_URL names
one."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from screening.core import interview as iv
from screening.core.answers import parse_answer
from screening.core.route import Interview
from screening.services.interviews import bundled_source
from screening.store import db as storage
from tests.support.apps import BACKENDS, PASSWORD, web_app
from tests.support.html import (
    BUDGET,
    Form,
    fonts_for,
    form,
    h1,
    screen,
    sent,
    sign_in,
    submit,
    value_for,
)
from tests.support.paths import INSTRUMENTS, ROOT

FORMS_TEST = """\
id: forms-test
version: 0.1.0
title: Forms test
language: en
audiences: [worker]
licence: CC-BY-4.0
codesign: {status: draft}
changelog: [{version: 0.1.0, date: "2026-11-29", changes: Test.}]
intro: A short test of every kind of question.
sections:
  - id: basics
    title: Basics
    items:
      - {id: age, type: number, text: How old are you?, why: To test numbers., min: 0,
         max: 120, integer: true, unit: years}
      - {id: since, type: date, text: When did you arrive?, why: To test dates.,
         min: "2000-01-01", max: "2030-12-31"}
      - {id: calm, type: scale, text: How calm do you feel?, why: To test scales., min: 0,
         max: 4, min_label: Not calm, max_label: Very calm}
      - {id: nickname, type: text, text: What should we call you?, why: To test text.,
         max_length: 40}
      - id: reach
        type: yes_no
        skippable: false
        unskippable_because: We need this to know how to reach you.
        text: May we call you?
        why: To test an item that cannot be skipped.
"""


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    users = [("ana", "Org A"), ("amy", "Org A"), ("ben", "Org B")]
    yield from web_app(request.param, tmp_path, users)


@pytest.fixture
def forms_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bundled folder with one more instrument: number, date, scale, text, unskippable."""
    folder = tmp_path / "instruments"
    shutil.copytree(INSTRUMENTS, folder)
    (folder / "forms-test.yaml").write_text(FORMS_TEST)
    monkeypatch.setenv("SCREENING_INSTRUMENTS", str(folder))
    return folder


# ------------------------------------------------------------------ a tiny browser


def start(client: FlaskClient, *instruments: str, consent: bool = True) -> str:
    """Start an interview from the home page; give consent; return its address."""
    home = client.get("/")
    response = submit(client, form(home.text, "/interviews"), instrument=list(instruments))
    assert response.status_code == 303, response.text
    url = response.location
    if consent:
        page = client.get(url)
        assert h1(page.text) == "Before we start"
        done = submit(
            client,
            form(page.text, "/consent"),
            store="yes",
            share="yes",
            service="Harbour House",
            statistics="no",
        )
        assert done.status_code == 303 and done.location == url
    return url


def entries(app: Flask) -> int:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        return storage.count(conn, storage.entries)


def api_answers(client: FlaskClient, url: str) -> dict[str, Any]:
    return dict((client.get("/api/v1" + url).json or {})["answers"])


def question(client: FlaskClient, url: str) -> tuple[str, Form]:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return page.text, form(page.text, "/answer")


def enter_warning(client: FlaskClient, url: str) -> None:
    """Go into the section when the interview opens on its content warning."""
    page = client.get(url).text
    if screen(page) == "section":
        submit(client, form(page, "/section"), ("choice", "enter"))


def answer(client: FlaskClient, url: str, *, action: str = "next", **values: Any) -> TestResponse:
    _, f = question(client, url)
    response = submit(client, f, ("action", action), **values)
    assert response.status_code == 303, response.text
    return response


# ------------------------------------------------------------------ sign-in, home


def test_anonymous_is_sent_to_sign_in(app: Flask) -> None:
    client = app.test_client()
    for path in ("/", "/interviews/whatever", "/interviews/whatever/consent"):
        response = client.get(path)
        assert response.status_code == 303 and response.location == "/signin"
    assert client.post("/interviews", data={"instrument": "phq9"}).location == "/signin"
    assert entries(app) == 0


def test_sign_in_and_out(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/signin")
    assert page.status_code == 200 and h1(page.text) == "Sign in"
    wrong = submit(client, form(page.text, "/signin"), username="ana", password="wrong password")
    nobody = submit(client, form(page.text, "/signin"), username="zed", password=PASSWORD)
    message = "That username and password do not match."
    assert message in wrong.text and message in nobody.text
    assert client.get_cookie("sid") is None
    signed = submit(client, form(page.text, "/signin"), username="ana", password=PASSWORD)
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith("sid=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/signin").location == "/"  # signed in already
    home = client.get("/")
    assert home.status_code == 200 and h1(home.text) == "Check-ins"
    out = client.post("/signout", data={"csrf": form(home.text, "/interviews").hidden("csrf")})
    assert out.status_code == 303 and out.location == "/signin"
    assert "cache" in out.headers["Clear-Site-Data"]
    assert client.get("/").location == "/signin"


def test_sign_in_needs_its_csrf_token(app: Flask) -> None:
    client = app.test_client()
    client.get("/signin")
    response = client.post("/signin", data={"username": "ana", "password": PASSWORD})
    assert response.status_code == 400 and client.get_cookie("sid") is None
    other = app.test_client()
    token = form(other.get("/signin").text, "/signin").hidden("csrf")
    stolen = client.post("/signin", data={"csrf": token, "username": "ana", "password": PASSWORD})
    assert stolen.status_code == 400  # a token is bound to its own browser's cookie


def test_a_forged_sign_out_is_refused(app: Flask) -> None:
    client = sign_in(app)
    assert client.post("/signout", data={"csrf": "nope"}).status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_home_lists_open_interviews_without_answers(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "phq9", "gad7")
    answer(client, url, value="2")  # nothing about this answer may show on the list
    home = client.get("/").text
    assert url in home
    # In the order listed (GAD-7 before PHQ-9), whatever order they were ticked in.
    assert "Worry and nerves over the past two weeks, Mood over the past two weeks (PHQ-9)" in home
    assert "Over half the days" not in home and "gad7_1" not in home
    # A colleague in the same organisation sees it; another organisation does not.
    assert url in sign_in(app, "amy").get("/").text
    assert url not in sign_in(app, "ben").get("/").text


def test_home_lists_a_finished_interview_with_a_link_to_its_summary(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Open and finished interviews, each with its instruments, language, last change in
    the deployment's time zone and a reference to say aloud; one left at consent
    ("Not now") is not listed, and the idle sweep deletes it once it is old."""
    from screening.services import schedule
    from screening.services.interviews import reference

    app.extensions["screening"].settings = replace(
        app.extensions["screening"].settings, timezone="America/Edmonton"
    )
    client = sign_in(app)
    url = start(client, "gad7")
    enter_warning(client, url)
    for _ in range(7):
        answer(client, url, value="1")
    assert screen(client.get(url).text) == "summary"
    left = start(client, "phq9", consent=False)  # "Not now" at consent
    home = client.get("/").text
    finished = home.split('id="finished"')[1]
    ref = reference(url.rsplit("/", 1)[1])
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{2}-[0-9A-HJKMNP-TV-Z]{3}", ref)
    link = re.search(rf'<a href="({re.escape(url)})">Summary of check-in {ref}</a>', finished)
    assert link is not None
    assert (
        "Worry and nerves over the past two weeks" in finished and 'lang="en">English<' in finished
    )
    assert re.search(r"last change [^<]*\d{1,2}:\d{2}[^<]* M[SD]T<", finished), finished
    assert left not in home and "not started yet" not in home
    assert screen(client.get(link.group(1)).text) == "summary"
    engine = app.extensions["screening"].engine
    assert schedule.sweep(engine) == 0  # just left: kept a while (a worker may come back)
    later = storage.now() + schedule.UNSTARTED + dt.timedelta(minutes=1)
    monkeypatch.setattr(storage, "now", lambda: later)
    assert schedule.sweep(engine) == 1
    assert client.get(left).status_code == 404
    assert client.get(url).status_code == 200


def test_a_pdf_our_fonts_cannot_print_is_an_error_page_not_a_traceback(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A character of our own text with no shipped glyph: the worker sees an error page
    (500, plain words), never a traceback or a PDF with boxes."""
    from screening.render import pdf

    client = sign_in(app)
    url = start(client, "gad7")
    real = pdf.render_pdf

    def ours_with_a_gap(html: str, *, strict: bool = False) -> tuple[bytes, list[str]]:
        return real(html.replace("</h1>", "\ue000</h1>", 1), strict=strict)

    monkeypatch.setattr("screening.web.plans.render_pdf", ours_with_a_gap)
    page = client.get(f"{url}/plan/print?format=pdf")
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "our fonts lack some of its text" in page.text
    assert "Traceback" not in page.text and "U+E000" not in page.text


def test_instruments_are_asked_in_the_order_listed(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "phq9", "gad7")  # the form lists gad7 first
    page = client.get(url).text
    assert form(page, "/answer").hidden("item") == "gad7_1" or screen(page) == "section"
    listed = [v for v in form(client.get("/").text, "/interviews").options["instrument"]]
    assert listed == sorted(listed) and "needs-assessment" in listed


def test_starting_needs_a_choice_and_a_known_instrument(app: Flask) -> None:
    client = sign_in(app)
    f = form(client.get("/").text, "/interviews")
    none = submit(client, f)
    assert none.status_code == 400 and "Choose at least one" in none.text
    for bad in (["nope"], ["../secret"], ["phq9", "phq9", "phq9", "phq9", "phq9", "phq9"]):
        assert submit(client, f, instrument=bad).status_code == 400
    with storage.transaction(app.extensions["screening"].engine) as conn:
        assert storage.count(conn, storage.interviews) == 0


# ------------------------------------------------------------------ consent


def test_consent_comes_first_and_is_recorded(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "gad7", consent=False)
    page = client.get(url).text
    assert screen(page) == "consent"
    assert "child" in page and "report" in page  # the limits of confidentiality
    f = form(page, "/consent")
    assert set(f.options) == {"store", "share", "statistics"}
    assert not f.checked  # nothing is chosen for the person
    missing = submit(client, f, store="yes", share="no")
    assert missing.status_code == 400 and "each of the three" in missing.text
    ok = submit(client, f, store="yes", share="yes", service="Harbour House", statistics="no")
    assert ok.status_code == 303 and entries(app) == 1
    assert screen(client.get(url).text) in ("section", "answer")
    # Revocable: the choices page shows them again and a change is appended.
    again = client.get(url + "/consent").text
    assert form(again, "/consent").checked == {
        "store": ["yes"],
        "share": ["yes"],
        "statistics": ["no"],
    }
    assert 'value="Harbour House"' in again
    submit(client, form(again, "/consent"), store="yes", share="no", statistics="yes")
    assert entries(app) == 2


def test_without_consent_to_store_nothing_is_kept(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "gad7", consent=False)
    f = form(client.get(url).text, "/consent")
    declined = submit(client, f, store="no", share="no", statistics="no")
    assert declined.status_code == 303 and declined.location == url + "/stopped"
    stopped = client.get(declined.location).text
    assert "Nothing more will be kept" in stopped and "No answers were saved" in stopped
    assert entries(app) == 0
    assert screen(client.get(url).text) == "consent"  # it does not start
    forged = client.post(
        url + "/answer",
        data={
            "csrf": f.hidden("csrf"),
            "key": "k" * 10,
            "item": "gad7_1",
            "action": "next",
            "value": "1",
        },
    )
    assert forged.status_code == 400 and entries(app) == 0
    ended = submit(client, form(stopped, "/discard"))
    assert ended.status_code == 303 and ended.location == "/"
    assert client.get(url).status_code == 404
    with storage.transaction(app.extensions["screening"].engine) as conn:
        assert storage.count(conn, storage.interviews) == 0


def test_taking_back_consent_can_delete_what_was_saved(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "gad7")
    answer(client, url, value="1")
    page = client.get(url + "/consent").text
    submit(client, form(page, "/consent"), store="no", share="no", statistics="no")
    stopped = client.get(url + "/stopped").text
    assert "still here until you delete them" in stopped
    submit(client, form(stopped, "/discard"))
    assert entries(app) == 0 and client.get(url).status_code == 404


# ------------------------------------------------------------------ one question a screen


def test_question_page_shape(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "needs-assessment")
    page = client.get(url).text
    assert screen(page) == "section"  # the first section has a content warning
    submit(client, form(page, "/section"), ("choice", "enter"))
    html, f = question(client, url)
    assert h1(html) == "Do you feel safe right now?"
    assert "Question 1 of about" in html and "<progress" in html
    assert "<details><summary>Why we ask this</summary>" in html
    assert "<fieldset" in html and "<legend><h1>" in html
    assert f.options["value"] == ["yes", "no", "unsure"]
    assert [b[1] for b in f.buttons] == ["next", "skip", "decline"]
    assert all(
        i.get("autocomplete") == "off" and i.get("spellcheck") == "false"
        for i in f.inputs
        if i.get("type") != "hidden"
    )
    assert "<title>Check-in</title>" in html and '<html lang="en"' in html
    assert "style=" not in html and html.count("<script") == html.count("<script src=")
    assert 'href="/"' in html  # pause


def test_every_kind_of_input(app: Flask, forms_test: Path) -> None:
    client = sign_in(app)
    url = start(client, "forms-test")
    html, f = question(client, url)
    assert "A short test of every kind of question." in html  # the instrument's intro
    assert '<label for="answer">How old are you?</label>' in html and "years" in html
    assert 'type="number"' in html and 'min="0"' in html and 'max="120"' in html
    slip = submit(client, f, ("action", "next"), value="200")
    assert slip.status_code == 400 and "from 0 to 120" in slip.text and entries(app) == 1
    assert 'value="200"' in slip.text  # what was typed is kept on the page
    for bad in ("", "abc", "2.5"):
        assert submit(client, f, ("action", "next"), value=bad).status_code == 400
    answer(client, url, value="34")
    html, f = question(client, url)
    assert 'type="date"' in html
    assert submit(client, f, ("action", "next"), value="2026-02-30").status_code == 400
    answer(client, url, value="2026-01-15")
    html, f = question(client, url)
    assert f.options["value"] == ["0", "1", "2", "3", "4"] and "4: Very calm" in html
    answer(client, url, value="3")
    html, f = question(client, url)
    assert "<textarea" in html and 'maxlength="40"' in html
    answer(client, url, value="  Sam  ")
    html, f = question(client, url)
    assert [b[1] for b in f.buttons] == ["next"]  # cannot be skipped ...
    assert "We need this to know how to reach you." in html  # ... and it says why
    refused = submit(client, f, ("action", "skip"))
    assert refused.status_code == 400
    answer(client, url, value="yes")
    assert screen(client.get(url).text) == "summary"
    assert api_answers(client, url) == {
        "age": 34,
        "since": "2026-01-15",
        "calm": 3,
        "nickname": "Sam",
        "reach": "yes",
    }


# ------------------------------------------------------------------ the whole interview


def test_whole_needs_assessment_through_the_forms(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "needs-assessment")
    instrument, _ = bundled_source("needs-assessment")
    expected: dict[str, Any] = {}
    helped: list[str] = []
    warnings = 0
    for n in range(300):
        page = client.get(url)
        assert page.status_code == 200
        kind = screen(page.text)
        if kind == "summary":
            break
        if kind == "section":
            warnings += 1
            response = submit(client, form(page.text, "/section"), ("choice", "enter"))
        elif kind == "help":
            f = form(page.text, "/help")
            helped.extend(v for name, v in f.fields if name == "flag")
            response = submit(client, f)
        else:
            assert kind == "answer", page.text
            f = form(page.text, "/answer")
            item = instrument.item(f.hidden("item"))
            assert item is not None and h1(page.text) == " ".join(item.text.split())
            if n % 7 == 3:
                response = submit(client, f, ("action", "skip"))
                expected[item.id] = None
            elif n % 11 == 5:
                response = submit(client, f, ("action", "decline"))
                expected[item.id] = {"declined": True}
            else:
                fields, value = value_for(item, n)
                response = submit(client, f, ("action", "next"), **fields)
                expected[item.id] = value
        assert response.status_code == 303, response.text
    else:
        pytest.fail("the interview did not end")
    assert warnings >= 3 and len(expected) > 20
    assert api_answers(client, url) == expected
    session = Interview([instrument])
    state = iv.State(answers={k: parse_answer(session.item(k), v) for k, v in expected.items()})
    result = iv.result(session, state)
    assert client.get(f"/api/v1{url}/result").json == result.to_json()
    assert helped == list(result.urgent)
    summary = page.text
    labels = {f.id: f.label for f in instrument.flags}
    for flag in result.flags:
        assert labels[flag.id] in summary
    for strength in instrument.strengths:
        shown = any(s.id == strength.id for s in result.strengths)
        assert (f"<li>{strength.label}<" in summary) is shown  # the worker's text first
    for need in instrument.needs:
        shown = result.needs[need.id].level != "none"
        assert (f"<h3>{need.label}" in summary) is shown
    unknown = any(n.level == "unknown" for n in result.needs.values())
    assert ("could not tell" in summary) is unknown
    assert "No needs came up" not in summary or all(
        n.level == "none" for n in result.needs.values()
    )
    if result.urgent:
        assert (
            summary.index("Safety first")
            < summary.index("Strengths")
            < summary.index("Things to work on")
        )
    assert "What you told us" in summary or not any(
        n.level in ("some", "urgent") for n in result.needs.values()
    )


def test_summary_says_what_was_told_and_when_a_score_is_incomplete(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "phq9")
    page = client.get(url).text
    submit(client, form(page, "/section"), ("choice", "enter"))
    for n in range(1, 10):
        if n == 4:
            answer(client, url, action="skip")
        else:
            answer(client, url, value="2" if n == 9 else "1")
    help_page = client.get(url).text
    assert screen(help_page) == "help"
    submit(client, form(help_page, "/help"))
    summary = client.get(url).text
    assert screen(summary) == "summary"
    assert "Thoughts of death or self-harm reported (PHQ-9 item 9)" in summary
    assert "Thoughts of death or of harming yourself <strong>Over half the days</strong>" in summary
    assert "PHQ-9 total: Not all of its questions were answered" in summary
    assert "PHQ-9 total: 9" not in summary  # an incomplete score's partial sum is not shown
    assert "no band is given" in summary and "Moderate" not in summary


def test_a_declined_item_9_makes_the_need_unknown_and_every_page_says_so(app: Flask) -> None:
    """Issue 12, point 3: PHQ-9 items 1-8 at 3 and item 9 declined. The score is
    incomplete, so the need cannot be told: the summary names what could not be told and
    why, the plan editor offers the need to talk about, the printed plan (PHQ-9 items are
    never printed) names none of it, and no page says "No needs came up"."""
    client = sign_in(app)
    url = start(client, "phq9")
    enter_warning(client, url)
    for _ in range(8):
        answer(client, url, value="3")
    answer(client, url, action="decline")
    summary = client.get(url).text
    assert screen(summary) == "summary"
    assert client.get(f"/api/v1{url}/result").json["needs"]["mental_health"] == {  # type: ignore[index]
        "level": "unknown",
        "because": ["item:phq9_9", "score:phq9_total"],
        "missing": {"item:phq9_9": "declined", "score:phq9_total": "incomplete"},
    }
    assert "No needs came up" not in summary
    assert "<h3>Feelings, stress and mental health" in summary
    assert "could not tell" in summary and "We could not tell from these answers" in summary
    assert "Thoughts of death or of harming yourself: prefer not to say" in summary
    assert "PHQ-9 total: not all of its questions were answered, so it is incomplete" in summary
    assert "PHQ-9 total: 24" not in summary  # a partial sum is never shown
    editor = client.get(f"{url}/plan").text  # offered to talk about, with services
    legend = re.search(r"<legend>Feelings, stress and mental health[^\n]*</legend>", editor)
    assert legend and "the answers could not tell: something to talk about" in legend.group(0)
    printed = client.get(f"{url}/plan/print?format=html").text
    assert "No needs came up" not in printed
    # Every PHQ-9 item is never printed (print levels): the paper does not name the need
    # at all, nor say that no needs came up (tests/render/test_plan_pdf.py prints an
    # unknown need whose questions may be summarised).
    assert "Feelings, stress and mental health" not in printed
    assert "Thoughts of death or of harming yourself" not in printed  # never a declined one


def test_every_need_told_none_still_says_no_needs_came_up(app: Flask) -> None:
    """The sentence is kept for the case it is true: every rule could be told."""
    client = sign_in(app)
    url = start(client, "phq9")
    enter_warning(client, url)
    for _ in range(9):
        answer(client, url, value="0")
    summary = client.get(url).text
    assert "No needs came up from these answers." in summary
    assert "could not tell" not in summary


def test_complete_score_shows_its_band(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "gad7")
    enter_warning(client, url)
    for _ in range(7):
        answer(client, url, value="2")
    summary = client.get(url).text
    gad7, _ = bundled_source("gad7")
    band = next(b for b in gad7.scores[0].bands if b.contains(14, {}))
    assert f"GAD-7 total: 14. {band.label}" in summary or f": 14. {band.label}" in summary


# ------------------------------------------------------------------ back, skip, decline


def test_back_shows_the_saved_answer_and_a_change_is_appended(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "gad7")
    enter_warning(client, url)
    answer(client, url, value="1")
    answer(client, url, value="2")
    html, _ = question(client, url)
    assert "Question 3 of about 7" in html
    back = re.search(r'<a href="([^"]+)">Back</a>', html)
    assert back and back.group(1).endswith("?q=2")
    html, f = question(client, back.group(1).replace("&amp;", "&"))
    assert f.hidden("item") == "gad7_2" and f.checked == {"value": ["2"]}
    assert "Question 2 of about 7" in html
    before = entries(app)
    again = submit(client, f, ("action", "next"), value="2")  # unchanged: nothing stored
    assert entries(app) == before and again.location == url
    changed = submit(client, f, ("action", "next"), value="0")
    assert changed.status_code == 303 and entries(app) == before + 1
    assert api_answers(client, url) == {"gad7_1": 1, "gad7_2": 0}
    # Back twice from the current question, change the first, and go on answered screens.
    first = submit(
        client, form(client.get(url + "?q=1").text, "/answer"), ("action", "next"), value="3"
    )
    assert first.location == url + "?q=2"
    assert api_answers(client, url) == {"gad7_1": 3, "gad7_2": 0}
    with storage.transaction(app.extensions["screening"].engine) as conn:
        assert storage.count(conn, storage.entries) == before + 2  # none overwritten


def test_a_change_that_moves_the_route(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "pc-ptsd-5")
    page = client.get(url).text
    submit(client, form(page, "/section"), ("choice", "enter"))
    answer(client, url, value="1")
    answer(client, url, value="1")
    assert question(client, url)[1].hidden("item") == "pcptsd5_2"
    f = form(client.get(url + "?q=1").text, "/answer")
    submit(client, f, ("action", "next"), value="0")
    assert screen(client.get(url).text) == "summary"
    assert client.get(url + "?q=2").location == url  # no longer on the route
    stale = submit(
        client, form(client.get(url + "?q=1").text, "/answer"), ("action", "next"), value="1"
    )
    assert stale.status_code == 303  # the first question is still on the route


def test_skip_and_prefer_not_to_say_are_distinct(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "gad7")
    enter_warning(client, url)
    answer(client, url, action="skip")
    answer(client, url, action="decline")
    assert api_answers(client, url) == {"gad7_1": None, "gad7_2": {"declined": True}}
    assert "Saved answer: skipped." in client.get(url + "?q=1").text
    assert "Saved answer: prefer not to say." in client.get(url + "?q=2").text


def test_next_without_an_answer_asks_again_and_stores_nothing(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "needs-assessment")
    page = client.get(url).text
    submit(client, form(page, "/section"), ("choice", "skip"))
    before = entries(app)
    html, f = question(client, url)
    nothing = submit(client, f, ("action", "next"))
    assert nothing.status_code == 400 and "Choose an answer" in nothing.text
    assert h1(nothing.text) == h1(html) and entries(app) == before
    # A multiple choice that combines "nothing" with something else.
    answer(client, url, value="no")  # safe_place_tonight
    help_page = client.get(url).text
    submit(client, form(help_page, "/help"))
    answer(client, url, value="yes")  # want_place_tonight
    html, f = question(client, url)
    assert f.hidden("item") == "place_needs"
    both = submit(client, f, ("action", "next"), value=["pet", "none"])
    assert both.status_code == 400 and "cannot be chosen together" in both.text
    assert form(both.text, "/answer").checked == {"value": ["pet", "none"]}
    none = submit(client, f, ("action", "next"))
    assert none.status_code == 400 and "Choose at least one" in none.text
    assert entries(app) == before + 3  # two answers, help seen (pages record no help-shown)


# ------------------------------------------------------------------ content warning, help


def test_content_warning_can_skip_the_part(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "pc-ptsd-5")
    page = client.get(url).text
    assert screen(page) == "section" and h1(page) == "Before this part"
    pcptsd5, _ = bundled_source("pc-ptsd-5")
    assert " ".join((pcptsd5.sections[0].content_warning or "").split())[:40] in page
    assert [b[1] for b in form(page, "/section").buttons] == ["enter", "skip"]
    response = submit(client, form(page, "/section"), ("choice", "skip"))
    assert response.status_code == 303
    summary = client.get(url).text
    assert screen(summary) == "summary" and "no band is given" in summary
    result = client.get(f"/api/v1{url}/result").json or {}
    assert result["scores"]["pcptsd5_total"]["complete"] is False


def test_urgent_answer_brings_the_help_screen_first(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "needs-assessment")
    submit(client, form(client.get(url).text, "/section"), ("choice", "enter"))
    answer(client, url, value="no")  # not safe right now
    page = client.get(url).text
    assert screen(page) == "help"
    assert "Not safe right now" in page
    assert "Demo contacts, not real: configure help.json." in page and "555-0100" in page
    # Pause and resume: the help screen is still first.
    assert screen(client.get(url).text) == "help"
    # Back from it reaches the answer, and the help screen stays until it is seen.
    back = re.search(r'<a href="([^"]+)">Back</a>', page)
    assert back is not None
    _, f = question(client, back.group(1))
    assert f.hidden("item") == "safe_right_now" and f.checked == {"value": ["no"]}
    assert screen(client.get(url).text) == "help"
    submit(client, form(page, "/help"))
    _, f = question(client, url)
    assert f.hidden("item") == "hurt_nearby"
    assert screen(client.get(url).text) == "answer"  # shown once


def test_changing_the_urgent_answer_takes_the_help_screen_away(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "needs-assessment")
    submit(client, form(client.get(url).text, "/section"), ("choice", "enter"))
    answer(client, url, value="no")
    assert screen(client.get(url).text) == "help"
    changed = submit(
        client, form(client.get(url + "?q=1").text, "/answer"), ("action", "next"), value="yes"
    )
    assert changed.location == url
    _, f = question(client, url)
    assert f.hidden("item") == "safe_place_tonight"


def test_help_contacts_come_from_the_instance(app: Flask) -> None:
    instance = app.extensions["screening"].settings.instance
    contacts = [{"name": "Harbour Crisis Line", "phone": "555-0199", "hours": "24 hours"}]
    (instance / "help.json").write_text(json.dumps(contacts))
    client = sign_in(app)
    url = start(client, "needs-assessment")
    submit(client, form(client.get(url).text, "/section"), ("choice", "skip"))
    answer(client, url, value="no")  # no safe place tonight
    page = client.get(url).text
    assert "Harbour Crisis Line" in page and 'href="tel:555-0199"' in page
    assert "Demo contacts" not in page
    assert "No safe place to stay tonight" in page
    (instance / "help.json").write_text("{not json")
    assert "Demo contacts" in client.get(url).text  # a broken file never hides help


def test_help_seen_is_recorded(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "phq9")
    submit(client, form(client.get(url).text, "/section"), ("choice", "enter"))
    for n in range(1, 10):
        answer(client, url, value="1" if n == 9 else "0")
    before = entries(app)  # consent, section, 9 answers (help is recorded when seen)
    assert before == 11
    page = client.get(url).text
    f = form(page, "/help")
    submit(client, f)
    submit(client, f)  # a double submit records nothing more
    assert entries(app) == before + 1
    assert screen(client.get(url).text) == "summary"


# ------------------------------------------------------------------ pause and resume


def test_pause_and_resume_from_the_home_list(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "gad7")
    enter_warning(client, url)
    answer(client, url, value="1")
    html, f = question(client, url)
    assert '<a href="/">Pause</a>' in html
    client.post("/signout", data={"csrf": f.hidden("csrf")})
    client = sign_in(app)
    home = client.get("/").text
    resume = re.search(rf'<a href="({re.escape(url)})">Resume', home)
    assert resume is not None
    _, f = question(client, resume.group(1))
    assert f.hidden("item") == "gad7_2"


# ------------------------------------------------------------------ forged posts


def _at_first_question(app: Flask) -> tuple[FlaskClient, str, Form]:
    client = sign_in(app)
    url = start(client, "gad7")
    enter_warning(client, url)
    _, f = question(client, url)
    return client, url, f


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"csrf": None}, "expired"),
        ({"csrf": "forged-token"}, "expired"),
        ({"csrf": "A" * 86}, "expired"),
        ({"key": None}, "missing"),
        ({"key": "short"}, "missing"),
        ({"item": "nope"}, "not part of this check-in"),
        ({"item": "gad7_5"}, "out of date"),  # a later question: a stale or forged page
        ({"value": "9"}, "not one of the choices"),
        ({"value": ["1", "2"]}, "one answer"),
        ({"value": "x" * 30_000}, "too long"),
        ({"action": "delete"}, "not one of ours"),
    ],
)
def test_forged_answer_posts_are_400_and_store_nothing(
    app: Flask, fields: dict[str, Any], message: str
) -> None:
    client, url, f = _at_first_question(app)
    before = entries(app)
    data: dict[str, Any] = {**dict(f.fields), "action": "next", "value": "1"}
    for name, value in fields.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    response = client.post(url + "/answer", data=data)
    assert response.status_code == 400, response.text
    assert message in response.text and "<h1>" in response.text
    assert response.mimetype == "text/html"
    assert entries(app) == before


def test_oversized_text_and_bodies_are_400(app: Flask, forms_test: Path) -> None:
    client = sign_in(app)
    url = start(client, "forms-test")
    for value in ("34", "2026-01-01", "1"):
        answer(client, url, value=value)
    _, f = question(client, url)
    before = entries(app)
    assert submit(client, f, ("action", "next"), value="x" * 41).status_code == 400
    huge = submit(client, f, ("action", "next"), value="x" * 300_000)
    assert huge.status_code == 400 and "too long" in huge.text
    assert entries(app) == before


def test_forged_section_and_help_posts(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "needs-assessment")
    page = client.get(url).text
    f = form(page, "/section")
    before = entries(app)
    for fields in (
        {"section": "needs-assessment/feelings", "choice": "skip"},
        {"choice": "maybe"},
        {"csrf": "x"},
        {"section": "x" * 300},
    ):
        response = submit(client, f, **fields)
        assert response.status_code == 400, fields
    assert entries(app) == before
    # A help post when no help is pending changes nothing.
    ok = client.post(
        url + "/help",
        data={"csrf": f.hidden("csrf"), "key": "help-key-1", "flag": "immediate_danger"},
    )
    assert ok.status_code == 303 and entries(app) == before


def test_forged_consent_posts(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "gad7", consent=False)
    f = form(client.get(url).text, "/consent")
    for fields in (
        {"store": "maybe", "share": "no", "statistics": "no"},
        {"store": "yes", "share": "yes", "statistics": "no", "service": "x" * 201},
        {"store": "yes", "share": "yes", "statistics": "no", "service": "a\x00b"},
        {"store": "yes", "share": "no", "statistics": "no", "csrf": "bad"},
    ):
        assert submit(client, f, **fields).status_code == 400, fields
    assert entries(app) == 0


def test_cross_site_form_posts_are_refused(app: Flask) -> None:
    client, url, f = _at_first_question(app)
    before = entries(app)
    data = {**dict(f.fields), "action": "next", "value": "1"}
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ):
        response = client.post(url + "/answer", headers=headers, data=data)
        assert response.status_code == 400 and "another site" in response.text
    assert entries(app) == before
    # Chromium's own same-origin form post from a page with Referrer-Policy: no-referrer.
    same = {"Sec-Fetch-Site": "same-origin", "Origin": "null"}
    assert client.post(url + "/answer", headers=same, data=data).status_code == 303
    assert entries(app) == before + 1


def test_double_submit_with_the_same_key_stores_one_entry(app: Flask) -> None:
    client, url, f = _at_first_question(app)
    before = entries(app)
    first = submit(client, f, ("action", "next"), value="2")
    second = submit(client, f, ("action", "next"), value="2")
    assert first.status_code == second.status_code == 303
    assert entries(app) == before + 1
    assert api_answers(client, url) == {"gad7_1": 2}
    conflict = submit(client, f, ("action", "next"), value="3")  # same key, other answer
    assert conflict.status_code == 409 and entries(app) == before + 1


def test_another_organisation_gets_404(app: Flask) -> None:
    client, url, f = _at_first_question(app)
    other = sign_in(app, "ben")
    token = form(other.get("/").text, "/interviews").hidden("csrf")
    before = entries(app)
    for path in ("", "?q=1", "/consent", "/stopped"):
        response = other.get(url + path)
        assert response.status_code == 404 and "Not found" in response.text
    for path in ("/answer", "/section", "/help", "/consent", "/discard"):
        response = other.post(
            url + path, data={**dict(f.fields), "csrf": token, "action": "next", "value": "1"}
        )
        assert response.status_code == 404
    assert entries(app) == before
    assert client.get(url).status_code == 200


def test_private_interviews_are_not_shown_as_pages(app: Flask) -> None:
    person = app.test_client()
    made = person.post("/api/v1/interviews", json={"instrument": "phq9", "mode": "private"})
    interview_id = (made.json or {})["id"]
    assert sign_in(app).get(f"/interviews/{interview_id}").status_code == 404


def test_bad_addresses(app: Flask) -> None:
    client, url, _ = _at_first_question(app)
    assert client.get(url + "?q=abc").status_code == 400
    assert client.get(url + "?q=99").location == url
    assert client.get("/interviews/nope").status_code == 404
    assert client.get("/nowhere").status_code == 404
    assert client.get(url + "/answer").status_code == 405


# ------------------------------------------------------------------ web safety and size


def test_headers_on_pages_and_static(app: Flask) -> None:
    client = sign_in(app)
    page = client.get("/")
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', page.text)
    assert css is not None
    static = client.get(css.group(1))
    assert static.status_code == 200 and "max-age=31536000" in static.headers["Cache-Control"]


def test_templates_have_no_inline_style_or_script() -> None:
    folder = ROOT / "templates"
    for path in folder.glob("**/*.html"):
        source = path.read_text()
        if path.name in (
            "plan.html",
            "carry.html",
        ):  # its <style> is only for the PDF: the web links the CSS
            source = re.sub(r"\{% else %\}<style>.*?</style>\{% endif %\}", "", source, flags=re.S)
        assert "style=" not in source and "<style" not in source
        for script in re.findall(r"<script\b[^>]*>.*?</script>", source, re.S):  # files only
            assert re.match(r'<script src="[^"]+"( defer)?></script>$', script), (path, script)
        assert source.count("<script") == len(re.findall(r"<script\b[^>]*>.*?</script>", source))
        assert not re.search(r"<[^>]+\son[a-z]+=", source), path


def test_every_page_route_declares_who_may_use_it(app: Flask) -> None:
    from screening.web.pages import ACCESS

    routes = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("pages.")
    }
    assert routes and routes == set(ACCESS)


def test_interview_pages_fit_the_budget(app: Flask) -> None:
    client = sign_in(app)
    url = start(client, "needs-assessment")
    css_url = re.search(r'href="(/static/app\.css[^"]*)"', client.get(url).text)
    assert css_url is not None
    css, _ = sent(client, css_url.group(1))
    largest = 0
    for n in range(300):
        page = client.get(url)
        kind = screen(page.text)
        size, gz = sent(client, url)
        font = sum(fonts_for(client, page.text).values())  # a Latin page: every byte counts
        size, gz = size + font, gz + font
        assert size + css <= BUDGET and gz + css <= BUDGET, (kind, size, gz, css)
        largest = max(largest, size)
        if kind == "summary":
            break
        if kind == "section":
            submit(client, form(page.text, "/section"), ("choice", "enter"))
        elif kind == "help":
            submit(client, form(page.text, "/help"))
        else:
            f = form(page.text, "/answer")
            item = bundled_source("needs-assessment")[0].item(f.hidden("item"))
            fields, _ = value_for(item, n)
            submit(client, f, ("action", "next"), **fields)
    assert 0 < largest + css <= BUDGET
