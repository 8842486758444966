"""The name and pronouns to use (issue 13): asked only in worker-led (and interpreter)
interviews, sealed like every answer, shown on the worker's pages, and never in a CSV
export (wide or long, data or dictionary), a FHIR QuestionnaireResponse, a result
(outcomes: flags, needs, strengths, scores), a log, or a private check-in."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.services import interviews as service
from screening.store import db as storage
from tests.support.api import Flow, signed_in, start
from tests.support.apps import web_app
from tests.support.checkin import begin

NAME, PRONOUNS = "Mark-Name-8Q7", "mark-pronoun-4T2"
MARKS = (NAME, PRONOUNS)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def _finish(client: FlaskClient, flow: Flow, step: dict[str, Any]) -> None:
    """Skip every remaining section and question, so the summary is reached."""
    for n in range(200):
        if step["done"]:
            return
        if step.get("content_warning"):
            response = client.post(
                f"/api/v1/interviews/{flow.id}/sections",
                json={"section": step["section"], "choice": "skip", "key": f"sec-{n:04d}"},
            )
            assert response.status_code == 200, response.json
            step = (response.json or {})["step"]
        else:
            step = flow.answer(step["item"]["id"], None)["step"]
    raise AssertionError("the interview did not end")


def _named(app: Flask, client: FlaskClient, instrument: str = "needs-assessment") -> Flow:
    flow, step = start(client, instrument)
    ext = app.extensions["screening"]
    consent = service.consent_entry(store=True, share=False, service=None, statistics=True)
    service.record(ext.engine, ext.master, flow.id, consent, "consent-key")
    name_id = "preferred_name" if instrument == "needs-assessment" else "y_preferred_name"
    pronouns_id = "pronouns" if instrument == "needs-assessment" else "y_pronouns"
    flow.answer(name_id, NAME)
    step = flow.answer(pronouns_id, PRONOUNS)["step"]
    _finish(client, flow, step)
    return flow


def _nowhere(text: str, where: str) -> None:
    for mark in MARKS:
        assert mark not in text, (where, mark)


@pytest.mark.parametrize("instrument", ["needs-assessment", "youth-check-in"])
def test_shown_to_the_worker_and_never_exported(
    app: Flask, instrument: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = signed_in(app)
    flow = _named(app, client, instrument)

    # the worker's own pages: the interview's answers and the summary screen
    shown = client.get(f"/api/v1/interviews/{flow.id}").json or {}
    assert NAME in json.dumps(shown["answers"]) and PRONOUNS in json.dumps(shown["answers"])
    summary = client.get(f"/interviews/{flow.id}")
    assert summary.status_code == 200
    assert NAME in summary.text and PRONOUNS in summary.text
    assert "For this conversation only" in summary.text

    # sealed like every answer: nothing of it in the database in the clear
    ext = app.extensions["screening"]
    with storage.transaction(ext.engine) as conn:
        rows = conn.execute(select(storage.entries.c.payload)).all()
    assert rows and all(NAME.encode() not in bytes(r.payload) for r in rows)

    # never in a result, CSV (both forms, data and dictionary) or FHIR
    result = client.get(f"/api/v1/interviews/{flow.id}/result")
    assert result.status_code == 200
    _nowhere(result.get_data(as_text=True), "result")
    for form in ("wide", "long"):
        for what in ("interviews", "dictionary"):
            csv = client.get(f"/api/v1/export/{what}.csv?format={form}")
            assert csv.status_code == 200
            text = csv.get_data(as_text=True)
            _nowhere(text, f"{what} {form}")
            assert "preferred_name" not in text and "pronouns" not in text
    fhir = client.get(f"/api/v1/interviews/{flow.id}/fhir")
    assert fhir.status_code == 200
    _nowhere(fhir.get_data(as_text=True), "fhir")
    assert '"linkId": "preferred_name"' not in fhir.get_data(as_text=True)
    # the export still holds the other answers: the check is not vacuous
    assert flow.id in client.get("/api/v1/export/interviews.csv").get_data(as_text=True)

    # never in a log
    logged = caplog.text + "".join(str(r.exc_text or "") for r in caplog.records)
    _nowhere(logged, "log")


def test_never_asked_in_a_private_check_in(app: Flask) -> None:
    person = app.test_client()
    begin(person)
    seen = []
    for _ in range(60):
        page = person.get("/checkin")
        assert page.status_code == 200
        seen.append(page.text)
        if 'data-screen="summary"' in page.text:
            break
        from tests.support.html import forms, submit

        f = next(
            f
            for f in forms(page.text)
            if f.action.endswith("answer") or f.action.endswith("section")
        )
        button = ("action", "skip") if f.action.endswith("answer") else ("choice", "enter")
        assert submit(person, f, button).status_code == 303
    assert 'data-screen="summary"' in seen[-1]
    for page in seen:
        assert "What name do you want us to call you?" not in page
        assert "y_preferred_name" not in page and "y_pronouns" not in page


def test_a_private_check_in_cannot_be_given_the_name(app: Flask) -> None:
    person = app.test_client()
    response = person.post(
        "/api/v1/interviews",
        json={"instrument": "youth-check-in", "mode": "private", "locale": "en"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 201, response.json
    interview_id = (response.json or {})["id"]
    answer = person.post(
        f"/api/v1/interviews/{interview_id}/answers",
        json={"item": "y_preferred_name", "value": NAME, "key": "key-000001"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert 400 <= answer.status_code < 500, answer.json
    _nowhere(answer.get_data(as_text=True), "refusal")
