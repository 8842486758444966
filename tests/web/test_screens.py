"""Screens are marked for machines and assistive tech alike (issue 12, point 5): every
interview page's ``<main>`` carries ``data-screen``, the same word as the step JSON's
``screen``; a youth's "yes" to being made to do things is answered at once by a help
screen (who can help now, what happens next); every youth check-in shows the
universal-education screen. Driven through the plain forms, as without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.core.interview import SCREENS
from tests.support.api import start as api_start
from tests.support.apps import web_app
from tests.support.checkin import begin
from tests.support.html import data_screen, form, forms, h1, screen, sign_in, submit

YES_TO_PRESSURED = {
    "y_safe_right_now": "yes",
    "y_safe_place_tonight": "yes",
    "y_pressured": "yes",
}
HELPERS = re.compile(r'<ul class="list helpers">(.*?)</ul>', re.S)
EDUCATION_TITLE = "Something we tell every young person"
# Restricted by gender or to adults: never offered on these screens.
RESTRICTED = ("Women's Safety Advocates (fictional)", "Safe Harbour Shelter (fictional)")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def start_worker(client: FlaskClient, instrument: str) -> str:
    response = submit(client, form(client.get("/").text, "/interviews"), instrument=[instrument])
    assert response.status_code == 303, response.text
    url = response.location
    page = client.get(url)
    assert h1(page.text) == "Before we start"
    consent = form(page.text, "/consent")
    done = submit(client, consent, store="yes", share="no", service="", statistics="no")
    assert done.status_code == 303
    return str(url)


def act(client: FlaskClient, html: str, answers: dict[str, str], go_on: str) -> None:
    """Do what the screen asks, as a person would: go on, enter, answer or skip."""
    kind = screen(html)
    if kind in ("education", "help"):
        response = submit(client, form(html, go_on))
    elif kind == "section":
        response = submit(
            client,
            next(f for f in forms(html) if f.action.endswith("section")),
            ("choice", "enter"),
        )
    else:
        f = next(f for f in forms(html) if f.action.endswith("answer"))
        item = f.hidden("item")
        if item in answers:
            response = submit(client, f, ("action", "next"), value=answers[item])
        else:
            response = submit(client, f, ("action", "skip"))
    assert response.status_code == 303, response.text


def walk_worker(client: FlaskClient, url: str, answers: dict[str, str]) -> list[tuple[str, str]]:
    """Every screen of a worker-led interview to its summary: (data-screen, page)."""
    seen = []
    for _ in range(80):
        page = client.get(url)
        assert page.status_code == 200, page.text
        marked = data_screen(page.text)
        step = (client.get("/api/v1" + url).json or {})["step"]
        assert marked == step["screen"], (marked, step)
        seen.append((str(marked), page.text))
        if marked == "summary":
            return seen
        act(client, page.text, answers, "/help")
    raise AssertionError("the interview did not end")


def test_every_worker_page_is_marked_with_the_step_jsons_screen(app: Flask) -> None:
    client = sign_in(app)
    for instrument, answers in (
        ("youth-check-in", YES_TO_PRESSURED),
        ("youth-check-in", {}),
        ("needs-assessment", {"safe_right_now": "no"}),
    ):
        seen = walk_worker(client, start_worker(client, instrument), answers)
        kinds = [k for k, _ in seen]
        assert set(kinds) <= set(SCREENS)
        assert {"question", "warning", "summary"} <= set(kinds)
        if instrument == "youth-check-in":
            assert kinds[0] == "education" and kinds.count("education") == 1
        if answers:
            assert "help" in kinds
        else:
            assert "help" not in kinds


def test_a_yes_to_being_made_to_do_things_is_answered_by_a_help_screen(app: Flask) -> None:
    client = sign_in(app)
    seen = walk_worker(client, start_worker(client, "youth-check-in"), YES_TO_PRESSURED)
    kinds = [k for k, _ in seen]
    at = kinds.index("help")
    question = seen[at - 1][1]
    assert 'name="item" value="y_pressured"' in question  # the very next screen
    page = seen[at][1]
    assert "What happens next:" in page and "Alberta" in page and "child services" in page
    listed = HELPERS.search(page)
    assert listed is not None
    names = re.findall(r"<strong>([^<]+)</strong>", listed.group(1))
    assert names and all("(fictional)" in n for n in names)
    assert "Youth Text Line (fictional)" in names
    assert not set(RESTRICTED) & set(names)
    always = ["Open day and night, every day" in li for li in listed.group(1).split("<li>")[1:]]
    assert always == sorted(always, reverse=True)  # 24/7 lines first


def test_the_youth_trading_question_raises_the_help_screen_too(app: Flask) -> None:
    client = sign_in(app)
    answers = {**YES_TO_PRESSURED, "y_pressured": "no", "y_trade_for_needs": "yes"}
    seen = walk_worker(client, start_worker(client, "youth-check-in"), answers)
    at = [k for k, _ in seen].index("help")
    assert 'name="item" value="y_trade_for_needs"' in seen[at - 1][1]


def walk_private(client: FlaskClient, answers: dict[str, str]) -> list[tuple[str, str]]:
    seen = []
    for _ in range(80):
        page = client.get("/checkin")
        assert page.status_code == 200, page.text
        marked = data_screen(page.text)
        assert marked in SCREENS, page.text
        seen.append((str(marked), page.text))
        if marked == "summary":
            return seen
        act(client, page.text, answers, "/checkin/continue")
    raise AssertionError("the check-in did not end")


def test_private_pages_are_marked_and_help_and_education_keep_the_quick_exit(
    app: Flask,
) -> None:
    client = app.test_client()
    begin(client, past_education=False)
    seen = walk_private(client, YES_TO_PRESSURED)
    expected = {
        "education": "education",
        "help": "help",
        "section": "warning",
        "answer": "question",
    }
    for marked, page in seen:
        assert marked == expected.get(screen(page), "summary")
    kinds = [k for k, _ in seen]
    assert kinds[0] == "education" and "help" in kinds
    for marked, page in seen:
        if marked in ("education", "help"):
            assert 'action="/checkin/leave"' in page and "Exit this page" in page
            assert "<button" in page  # a plain form: works without JavaScript
    education = seen[0][1]
    assert EDUCATION_TITLE in education and "never your fault" in education
    assert "Who helps, for free" in education
    # escaped once, not twice: the screenshot showed "don&#39;t" as words
    assert "don&#39;t have to tell us" in education
    for _, page in seen:
        assert "&amp;#" not in page and "&amp;amp;" not in page


def test_every_private_path_shows_the_education_screen_even_all_skipped(app: Flask) -> None:
    client = app.test_client()
    begin(client, past_education=False)
    kinds = [k for k, _ in walk_private(client, {})]
    assert kinds.count("education") == 1 and "help" not in kinds


def test_the_education_and_help_screens_in_arabic_are_right_to_left(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/checkin")
    went = submit(client, form(page.text, "/checkin/start"), instrument="youth-check-in", lang="ar")
    assert went.status_code == 303
    seen = walk_private(client, YES_TO_PRESSURED)
    for marked, html in seen:
        if marked in ("education", "help"):
            assert '<html lang="ar" dir="rtl">' in html
            assert EDUCATION_TITLE not in html and "What happens next:" not in html
    assert "شيء نقوله لكل شاب وشابة" in seen[0][1]
    help_page = next(html for marked, html in seen if marked == "help")
    assert "ألبرتا" in help_page  # what happens next, in Arabic


def test_the_api_marks_each_step_and_teaches_before_asking(app: Flask) -> None:
    person = app.test_client()
    flow, step = api_start(person, "youth-check-in", mode="private")
    assert step["screen"] == "education"
    assert (
        step["education"]["title"] == EDUCATION_TITLE and step["item"]["id"] == "y_safe_right_now"
    )
    section = person.post(
        f"/api/v1/interviews/{flow.id}/sections",
        json={"section": step["section"], "choice": "enter", "key": "section-0001"},
    )
    assert section.status_code == 200
    assert (section.json or {})["step"]["screen"] == "question"  # entering passed it
    assert flow.answer("y_safe_right_now", "yes")["step"]["screen"] == "question"
    assert flow.answer("y_safe_place_tonight", "yes")["step"]["screen"] == "question"
    helped = flow.answer("y_pressured", "yes")["step"]
    assert helped["screen"] == "help" and "y_being_pressured" in helped["urgent"]
    again = (person.get(f"/api/v1/interviews/{flow.id}").json or {})["step"]
    assert again["screen"] == "question"  # the API's help was shown with that answer


def test_the_api_gives_the_education_screen_in_the_interviews_language(app: Flask) -> None:
    person = app.test_client()
    response = person.post(
        "/api/v1/interviews",
        json={"instrument": "youth-check-in", "mode": "private", "locale": "ar"},
    )
    assert response.status_code == 201, response.json
    step = (response.json or {})["step"]
    assert step["screen"] == "education" and step["education"]["title"] == "شيء نقوله لكل شاب وشابة"
