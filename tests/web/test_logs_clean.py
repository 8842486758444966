"""Logs hold no data (issue 16): every kind of error is provoked with marked inputs (the
boundary's 400s, failed sign-ins, a 500 from a planted fault, and on PostgreSQL a
database error from a NUL that got past a removed boundary) and the captured log holds
none of the typed usernames, passwords, answers or idempotency keys."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from screening.services import interviews as service
from screening.web import boundary, redact
from tests.support.api import signed_in, start
from tests.support.apps import BACKENDS, web_app

SAME = {"Sec-Fetch-Site": "same-origin"}
USER, SECRET, ANSWER, KEY = "mark-user-7Q2", "mark-pass-9Z4", "mark-answer-3K8", "mark-key-5M1kk"
MARKERS = (USER, SECRET, ANSWER, KEY)


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    yield from web_app(request.param, tmp_path, [("ana", "Org A")])


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "sqlalchemy.pool", "werkzeug", "screening"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield caplog
    for name in ("sqlalchemy.engine", "sqlalchemy.pool", "werkzeug", "screening"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def clean(log: pytest.LogCaptureFixture) -> str:
    text = log.text + "\n".join(str(r.exc_text or "") for r in log.records)
    for marker in MARKERS:
        assert marker not in text, (marker, text[-3000:])
    return text


def test_refused_inputs_leave_no_trace_in_the_log(
    app: Flask, log: pytest.LogCaptureFixture
) -> None:
    client = signed_in(app)
    flow, _ = start(client, "needs-assessment")
    bodies = [
        f'{{"username": "{USER}\\ud800", "password": "{SECRET}"}}',
        f'{{"username": "{USER}\\u0000", "password": "{SECRET}\\u0000"}}',
        f'[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["{USER}", "{SECRET}"' + "]" * 46,
        f'{{"username": "{USER}", "password": "{SECRET}", "n": 1e999}}',
    ]
    for body in bodies:
        response = client.post(
            "/api/v1/login", data=body, content_type="application/json", headers=SAME
        )
        assert response.status_code == 400
    answer = f'{{"item": "what_helps", "value": "{ANSWER}\\u0000", "key": "{KEY}\\ud800"}}'
    response = client.post(
        f"/api/v1/interviews/{flow.id}/answers",
        data=answer,
        content_type="application/json",
        headers=SAME,
    )
    assert response.status_code == 400
    assert client.get(f"/api/v1/interviews/{USER}%00{KEY}").status_code == 400
    big = client.post(
        f"/api/v1/interviews/{flow.id}/answers",
        json={"item": "what_helps", "value": ANSWER * 30000, "key": KEY},
        headers=SAME,
    )
    assert big.status_code == 400
    failed = client.post("/api/v1/login", json={"username": USER, "password": SECRET})
    assert failed.status_code == 401
    clean(log)


def test_a_planted_fault_logs_types_and_places_only(
    app: Flask, log: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(app)
    flow, _ = start(client, "needs-assessment")

    def fault(*args: object, **kwargs: object) -> None:
        try:
            raise KeyError(f"inner {args}")  # a chained cause quoting its input, too
        except KeyError as exc:
            raise ValueError(f"planted fault with {args} {kwargs}") from exc

    monkeypatch.setattr(service, "record_in", fault)  # what the answer step calls
    response = client.post(
        f"/api/v1/interviews/{flow.id}/answers",
        json={"item": "what_helps", "value": ANSWER, "key": KEY},
        headers=SAME,
    )
    assert response.status_code == 500
    assert ANSWER not in response.get_data(as_text=True)
    text = clean(log)
    assert "unexpected error on POST /api/v1/interviews/<interview_id>/answers" in text
    assert "builtins.ValueError" in text and "builtins.KeyError" in text  # still useful
    assert "in fault" in text  # where it was raised


def test_a_database_error_holds_no_bound_parameter(
    app: Flask, log: pytest.LogCaptureFixture
) -> None:
    """With the boundary taken away, a NUL reaches the database: PostgreSQL refuses it
    (a 500); neither SQLAlchemy's message nor the driver's reaches the log."""
    app.before_request_funcs[None].remove(boundary.check_request)
    client = signed_in(app)
    flow, _ = start(client, "needs-assessment")
    login = client.post("/api/v1/login", json={"username": USER + "\x00", "password": SECRET})
    entry = client.post(
        f"/api/v1/interviews/{flow.id}/answers",
        json={"item": "what_helps", "value": ANSWER, "key": KEY + "\x00"},
        headers=SAME,
    )
    postgres = app.extensions["screening"].engine.dialect.name == "postgresql"
    if postgres:  # SQLite stores a NUL; PostgreSQL's text cannot hold one
        assert login.status_code == 500 and entry.status_code == 500
        assert "DataError" in log.text or "ValueError" in log.text
    clean(log)


def test_an_engine_hides_its_parameters(app: Flask) -> None:
    assert app.extensions["screening"].engine.hide_parameters is True


def test_foreign_loggers_keep_their_words_but_not_their_arguments(
    app: Flask, log: pytest.LogCaptureFixture
) -> None:
    logging.getLogger("werkzeug").info('%s - - "%s" %s', "127.0.0.1", f"GET /?u={USER}", 200)
    logging.getLogger("screening.web.errors").info("ours: %s", "kept")
    text = clean(log)
    assert f"{redact.WITHHELD} - - " in text and "ours: kept" in text
