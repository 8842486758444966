"""Notes over the web (issue 14, point 1): a note shown as its own screen is a step with
``item.type: "note"`` passed with ``{"item", "seen": true, "key"}``; a note above a
question comes in its step as ``"notes"``; progress counts questions only; the CSV, the
FHIR response and the scores never hold a note; a resumed interview does not show a
seen note again; the pages show the note screen and move on from it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.core import interview as iv
from screening.core.route import Interview
from screening.load.loader import load_file
from screening.services import interviews as service
from tests.support.api import signed_in
from tests.support.apps import BACKENDS, web_app
from tests.support.builders import NOTED_SECTION, instrument_yaml
from tests.support.checkin import begin as begin_checkin
from tests.support.html import data_screen, form, h1, sign_in, submit
from tests.support.paths import ROOT

NOTED = (
    instrument_yaml(
        NOTED_SECTION
        + """\
      - {id: bye, type: note, text: Nearly done.}
scores:
  - {id: total, label: Total, sum: [b]}
"""
    )
    .replace("id: test", "id: noted")
    .replace("audiences: [worker]", "audiences: [worker, private]")
)


@pytest.fixture(params=BACKENDS)
def app(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "noted.yaml").write_text(NOTED)
    na = ROOT / "instruments" / "needs-assessment.yaml"
    (folder / "needs-assessment.yaml").write_bytes(na.read_bytes())
    monkeypatch.setenv("SCREENING_INSTRUMENTS", str(folder))
    yield from web_app(request.param, tmp_path, [("ana", "Org A")])


class Client:
    def __init__(self, client: FlaskClient, interview_id: str) -> None:
        self.client, self.id, self.n = client, interview_id, 0

    def post(self, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        self.n += 1
        body = {"key": f"note-key-{self.n:04d}", **body}
        response = self.client.post(f"/api/v1/interviews/{self.id}/answers", json=body)
        assert response.status_code == status, response.json
        return dict(response.json or {})


def begin(app: Flask, consent: bool = True) -> tuple[Client, dict[str, Any]]:
    client = signed_in(app)
    started = client.post("/api/v1/interviews", json={"instrument": "noted"})
    assert started.status_code == 201, started.json
    flow = Client(client, started.json["id"])
    if consent:
        ext = app.extensions["screening"]
        entry = service.consent_entry(store=True, share=False, service=None, statistics=False)
        service.record(ext.engine, ext.master, flow.id, entry, "consent-key")
    return flow, started.json["step"]


def test_a_note_step_is_passed_with_seen_and_never_counted(app: Flask) -> None:
    flow, step = begin(app)
    assert step["screen"] == "note" and step["done"] is False
    assert step["item"] == {
        "id": "hello",
        "type": "note",
        "text": "Hello. Take your time.",
        "why": "So you know what comes.",
    }
    assert step["progress"] == {"answered": 0, "remaining": 2}  # questions only
    refused = flow.post({"item": "hello", "value": "yes"}, status=400)
    assert refused["error"]["code"] == "bad-answer"
    both = flow.post({"item": "hello", "seen": True, "value": 1}, status=400)
    assert both["error"]["code"] == "bad-answer"
    assert flow.post({"item": "a", "seen": True}, status=400)["error"]["code"] == "unknown-screen"
    assert flow.post({"item": "hello", "seen": False}, status=400)["error"]["code"] == "bad-answer"

    body = {"item": "hello", "seen": True, "key": "the-same-key"}
    first = flow.client.post(f"/api/v1/interviews/{flow.id}/answers", json=body)
    again = flow.client.post(f"/api/v1/interviews/{flow.id}/answers", json=body)
    assert first.status_code == again.status_code == 200 and first.json == again.json
    step = (first.json or {})["step"]
    assert step["screen"] == "question" and step["item"]["id"] == "a"
    assert step["notes"] == [] and step["progress"] == {"answered": 0, "remaining": 2}

    step = flow.post({"item": "a", "value": "yes"})["step"]
    assert step["item"]["id"] == "b" and step["notes"] == ["About b."]
    assert step["progress"] == {"answered": 1, "remaining": 1}
    step = flow.post({"item": "b", "value": 4})["step"]
    assert step["screen"] == "note" and step["item"]["id"] == "bye" and step["item"]["why"] is None
    assert step["progress"] == {"answered": 2, "remaining": 0}
    assert flow.post({"item": "bye", "seen": True})["step"]["done"] is True

    shown = flow.client.get(f"/api/v1/interviews/{flow.id}").json or {}
    assert shown["status"] == "done" and shown["answers"] == {"a": "yes", "b": 4}
    result = flow.client.get(f"/api/v1/interviews/{flow.id}/result").json or {}
    assert result["scores"]["total"]["value"] == 4
    assert not {"hello", "above_b", "bye"} & set(str(result).split("'"))


def test_a_seen_note_stays_seen_when_the_interview_is_opened_again(app: Flask) -> None:
    flow, _ = begin(app)
    flow.post({"item": "hello", "seen": True})
    again = flow.client.get(f"/api/v1/interviews/{flow.id}").json or {}
    assert again["status"] == "in_progress" and again["step"]["item"]["id"] == "a"
    assert again["answers"] == {}  # a seen note is no answer


def test_csv_and_fhir_response_never_hold_a_note(app: Flask) -> None:
    flow, _ = begin(app)
    for body in (
        {"item": "hello", "seen": True},
        {"item": "a", "value": "yes"},
        {"item": "b", "value": 2},
        {"item": "bye", "seen": True},
    ):
        flow.post(body)
    wide = flow.client.get("/api/v1/export/interviews.csv")
    assert wide.status_code == 200
    header = next(csv.reader(io.StringIO(wide.data.decode())))
    assert "a" in header and "b" in header
    assert not {"hello", "above_b", "bye"} & set(header)
    long = flow.client.get("/api/v1/export/interviews.csv?format=long").data.decode()
    dictionary = flow.client.get("/api/v1/export/dictionary.csv").data.decode()
    for text in (long, dictionary):
        assert "hello" not in text and "Nearly done" not in text and "About b" not in text
    fhir = flow.client.get(f"/api/v1/interviews/{flow.id}/fhir")
    assert fhir.status_code == 200
    links = [i["linkId"] for g in fhir.json["item"] for i in g["item"]]
    assert links == ["a", "b"]


def test_the_needs_check_in_shows_its_money_note_above_the_money_question() -> None:
    session = Interview([load_file(ROOT / "instruments" / "needs-assessment.yaml")])
    state = iv.State(answers={"enough_food": "yes"})
    step = iv.step_at(session, state, "own_money")
    assert [n.text for n in step.notes] == ["The next questions are about money. Take your time."]
    assert iv.step_at(session, state, "enough_food").notes == ()
    assert "money_note" not in iv.steps(session, state)


def test_the_pages_show_a_calm_note_screen_and_move_on(app: Flask) -> None:
    client = sign_in(app)
    started = submit(client, form(client.get("/").text, "/interviews"), instrument=["noted"])
    url = started.location
    consent = form(client.get(url).text, "/consent")
    submit(client, consent, store="yes", share="no", service="", statistics="no")
    page = client.get(url)
    assert data_screen(page.text) == "note" and h1(page.text) == "Hello. Take your time."
    assert "So you know what comes." in page.text and 'name="note" value="hello"' in page.text
    moved = submit(client, form(page.text, "/help"))
    assert moved.status_code == 303
    question = client.get(url)
    assert data_screen(question.text) == "question" and "A?" in question.text
    stale = submit(client, form(page.text, "/help"))  # the same note page sent again
    assert stale.status_code in (303, 409)
    question = client.get(url)
    assert data_screen(question.text) == "question"
    answered = submit(client, form(question.text, "/answer"), ("action", "next"), value="yes")
    assert answered.status_code == 303
    b_page = client.get(url).text
    assert "B?" in b_page and '<p class="note-text">About b.</p>' in b_page


def test_interpreter_mode_gives_a_note_in_both_languages(app: Flask) -> None:
    client = signed_in(app)
    started = client.post(
        "/api/v1/interviews",
        json={"instrument": "noted", "locale": "fr", "second_locale": "en"},
    )
    assert started.status_code == 201, started.json
    step = started.json["step"]
    assert step["screen"] == "note" and step["item"]["type"] == "note"
    texts = step["item"]["texts"]
    assert set(texts) == {"fr", "en"} and texts["en"]["text"] == "Hello. Take your time."
    assert step["item"]["untranslated"] == ["text", "why"]  # no catalog for this test form
    flow = Client(client, started.json["id"])
    flow.post({"item": "hello", "seen": True})
    step = flow.post({"item": "a", "value": "yes"})["step"]
    assert step["notes"] == ["About b."] and step["item"]["texts"]["en"]["notes"] == ["About b."]


def test_the_private_check_in_shows_the_note_screen_and_moves_on(app: Flask) -> None:
    person = app.test_client()
    begin_checkin(person, "noted")
    page = person.get("/checkin").text
    assert data_screen(page) == "note" and h1(page) == "Hello. Take your time."
    went = submit(person, form(page, "/checkin/continue"))
    assert went.status_code == 303 and went.location == "/checkin"
    assert data_screen(person.get("/checkin").text) == "question"
