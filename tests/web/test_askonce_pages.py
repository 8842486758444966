"""Ask once in the worker's pages: with the PHQ-9 in the same interview, the needs
assessment's question about ending life is never put on a page, and a forged answer to
it is refused with a 400 (nothing saved)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from screening.core.route import Interview
from screening.load import catalog
from tests.support.apps import web_app
from tests.support.html import form, forms, screen, sign_in, submit, value_for


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def test_the_pages_ask_about_ending_life_once(app: Flask) -> None:
    session = Interview(catalog.resolve("needs-assessment,phq9"))
    derived = session.items["thoughts_ending_life"].text
    client = sign_in(app)
    home = client.get("/")
    started = submit(
        client, form(home.text, "/interviews"), instrument=["needs-assessment", "phq9"]
    )
    assert started.status_code == 303
    url = started.location
    asked: list[str] = []
    for n in range(200):
        page = client.get(url)
        assert page.status_code == 200 and derived not in page.text
        kind = screen(page.text)
        if kind == "summary":
            break
        if kind == "consent":
            fields = {"store": "yes", "share": "no", "statistics": "no"}
            submit(client, form(page.text, "/consent"), **fields)
        elif kind == "help":
            submit(client, form(page.text, "/help"))
        elif kind == "section":
            submit(client, form(page.text, "/section"), choice="enter")
        else:
            answer_form = form(page.text, "/answer")
            item_id = dict(answer_form.fields)["item"]
            asked.append(item_id)
            values, _ = value_for(session.items[item_id], n)
            response = submit(client, answer_form, ("action", "next"), **values)
            assert response.status_code == 303, response.text
    assert screen(client.get(url).text) == "summary"
    assert "phq9_9" in asked and "thoughts_ending_life" not in asked
    assert len(asked) == len(set(asked))
    forged = forms(client.get(url + "?q=1").text)
    answer_form = next(f for f in forged if f.action.endswith("/answer"))
    response = submit(
        client, answer_form, ("action", "next"), item="thoughts_ending_life", value="no"
    )
    assert response.status_code == 400
