"""Interpreter mode on every screen, not only the questions (issue 15): consent, the
content warning with its section title, the urgent help screen (the flag that fired,
what happens next, the people to call) and the summary hold the person's language and
the worker's side by side, each in its own lang/dir; the worker's own controls (sign out,
pause, back) stay in the worker's language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.services import interviews as service
from tests.support.api import signed_in
from tests.support.apps import web_app
from tests.support.html import data_screen, form, submit

SCRIPTS = {"ar": re.compile("[\u0600-\u06ff]"), "ti": re.compile("[\u1200-\u137f]")}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def main_text(page: str) -> str:
    found = re.search(r"<main[^>]*>(.*)</main>", page, re.S)
    assert found is not None
    return re.sub(r"<[^>]+>", " ", found.group(1))


def holds_both(page: str, code: str, english: list[str], where: str) -> None:
    text = main_text(page)
    assert SCRIPTS[code].search(text), f"{where}: nothing in the {code} script"
    for words in english:
        assert words in text, f"{where}: {words!r} is not shown in English"
    assert 'lang="en" dir="ltr"' in page, f"{where}: the English side has no lang/dir"


def worker_controls_in_english(page: str, where: str) -> None:
    signout = re.search(r'action="/signout"[^>]*>.*?<button[^>]*>(.*?)</button>', page, re.S)
    assert signout is not None
    assert re.sub(r"<[^>]+>", "", signout.group(1)) == "Sign out", where
    control = {"consent": "Not now", "summary": "Start page", "plan": "Back to the summary"}.get(
        where, "Pause"
    )
    assert f'<span lang="en" dir="ltr">{control}</span></a>' in page, f"{where}: {control}"


def walk(client: FlaskClient, app: Flask, code: str) -> dict[str, str]:
    """Pages of one interpreter-mode interview (person's language ``code``, worker's
    English): consent, content warning, help now, summary."""
    made = client.post(
        "/api/v1/interviews",
        json={"instrument": "needs-assessment", "locale": code, "second_locale": "en"},
    )
    assert made.status_code == 201, made.json
    interview_id, step = made.json["id"], made.json["step"]  # type: ignore[index]
    url = f"/interviews/{interview_id}"
    pages = {"consent": client.get(url).text}
    ext = app.extensions["screening"]
    consent = service.consent_entry(store=True, share=False, service=None, statistics=False)
    service.record(ext.engine, ext.master, interview_id, consent, "consent-0001")
    pages["warning"] = client.get(url).text
    n = 0
    while not step.get("done"):
        n += 1
        key = f"k-{n:06d}"
        if step.get("content_warning"):
            body = {"section": step["section"], "choice": "enter", "key": key}
            posted = client.post(f"/api/v1/interviews/{interview_id}/sections", json=body)
        else:
            item = step["item"]["id"]
            value = "no" if item == "safe_place_tonight" else None
            posted = client.post(
                f"/api/v1/interviews/{interview_id}/answers",
                json={"item": item, "value": value, "key": key},
            )
        assert posted.status_code == 200, posted.json
        step = posted.json["step"]  # type: ignore[index]
        page = client.get(url).text
        if data_screen(page) == "help" and "help" not in pages:
            pages["help"] = page
    page = client.get(url).text
    while data_screen(page) == "help":  # the help screen waits for its "go on"
        assert submit(client, form(page, "/help")).status_code == 303
        page = client.get(url).text
    pages["summary"] = page
    pages["plan"] = client.get(f"{url}/plan").text
    return pages


@pytest.mark.parametrize("code", ["ar", "ti"])
def test_every_screen_holds_both_languages(app: Flask, code: str) -> None:
    client = signed_in(app)
    pages = walk(client, app, code)
    assert data_screen(pages["warning"]) == "warning"
    assert set(pages) == {"consent", "warning", "help", "summary", "plan"}
    holds_both(pages["consent"], code, ["Before we start", "May we store your answers?"], "consent")
    holds_both(pages["warning"], code, ["Safety right now", "Before this part"], "warning")
    holds_both(
        pages["help"],
        code,
        ["No safe place to stay tonight", "People to call", "Crisis line (demo)"],
        "help",
    )
    holds_both(pages["summary"], code, ["Summary", "Safety first"], "summary")
    holds_both(pages["plan"], code, ["Service plan", "Steps", "Who is making this change?"], "plan")
    for name, page in pages.items():
        assert f'<html lang="{code}" dir="{"rtl" if code == "ar" else "ltr"}">' in page
        worker_controls_in_english(page, name)


def test_one_language_pages_have_no_second_column(app: Flask) -> None:
    client = signed_in(app)
    made = client.post(
        "/api/v1/interviews", json={"instrument": "needs-assessment", "locale": "ar"}
    )
    page = client.get(f"/interviews/{made.json['id']}").text  # type: ignore[index]
    assert 'class="bi"' not in page
    assert "Before we start" not in main_text(page)
    signout = re.search(r'action="/signout"[^>]*>.*?<button[^>]*>(.*?)</button>', page, re.S)
    assert signout is not None and SCRIPTS["ar"].search(signout.group(1))


def test_an_error_page_in_interpreter_mode_holds_both_languages(app: Flask) -> None:
    client = signed_in(app)
    made = client.post(
        "/api/v1/interviews",
        json={"instrument": "needs-assessment", "locale": "ar", "second_locale": "en"},
    )
    interview_id = made.json["id"]  # type: ignore[index]
    ext = app.extensions["screening"]
    consent = service.consent_entry(store=True, share=False, service=None, statistics=False)
    service.record(ext.engine, ext.master, interview_id, consent, "consent-0001")
    page = client.get(f"/interviews/{interview_id}?q=x")
    assert page.status_code == 400
    heading = re.search(r"<h1>(.*?)</h1>", page.text, re.S)
    assert heading is not None and "That did not work" in heading.group(1)
    assert SCRIPTS["ar"].search(heading.group(1))
    said = re.search(r"</h1>\s*<p>(.*?)</p>", page.text, re.S)  # the message, both ways
    assert said is not None and SCRIPTS["ar"].search(said.group(1)), page.text[:2000]
    assert re.search(r"[A-Za-z]{4,} [A-Za-z]{3,}", re.sub(r"<[^>]+>", " ", said.group(1)))
    assert '<span lang="en" dir="ltr">Start page</span></a>' in page.text  # the worker's link
    assert client.get("/no-such-page").status_code == 404
