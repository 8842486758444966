"""Interpreter mode keeps a free-text answer as said and its interpretation in the
worker's language, both (issue 4); the worker is told when a language is a draft."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from screening.services import interviews as service
from screening.store import db as storage
from tests.support.api import signed_in
from tests.support.apps import BACKENDS, web_app
from tests.support.html import form, submit


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    yield from web_app(request.param, tmp_path, [("ana", "Org A")])


def test_words_as_said_and_their_interpretation_are_both_kept(app: Flask) -> None:
    client = signed_in(app)
    made = client.post(
        "/api/v1/interviews",
        json={"instrument": "needs-assessment", "locale": "ti", "second_locale": "en"},
    )
    assert made.status_code == 201
    interview_id, step = made.json["id"], made.json["step"]  # type: ignore[index]
    ext = app.extensions["screening"]
    consent = service.consent_entry(store=True, share=False, service=None, statistics=False)
    service.record(ext.engine, ext.master, interview_id, consent, "consent-0001")
    n = 0
    while step["item"]["type"] != "text":  # skip along to the first free-text question
        n += 1
        if step.get("content_warning"):
            body = {"section": step["section"], "choice": "enter", "key": f"k-{n:06d}"}
            step = client.post(f"/api/v1/interviews/{interview_id}/sections", json=body).json[
                "step"
            ]  # type: ignore[index]
            continue
        body = {"item": step["item"]["id"], "value": None, "key": f"k-{n:06d}"}
        step = client.post(f"/api/v1/interviews/{interview_id}/answers", json=body).json["step"]  # type: ignore[index]
    page = client.get(f"/interviews/{interview_id}").text
    assert 'id="interpretation"' in page
    note = re.search(r'<p class="meta note">(.*?)</p>', page)  # for the worker: drafts
    assert note is not None and "ትግርኛ" in note.group(1)
    said, meant = "ሓገዝ ንስራሕ", "Help to find work"
    sent = submit(
        client, form(page, "/answer"), ("action", "next"), value=said, interpretation=meant
    )
    assert sent.status_code == 303, sent.text
    with storage.transaction(ext.engine) as conn:
        loaded = service.load(conn, ext.master, interview_id)
    item = step["item"]["id"]
    assert loaded.state.answers[item] == said  # the words as said are the answer
    assert loaded.interpretations == {item: meant}  # the interpretation beside it
    again = client.get(f"/interviews/{interview_id}?q={len(loaded.state.answers)}").text
    assert meant in again  # shown again when the question is revisited
