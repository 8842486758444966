"""The private check-in as a person starts it, by its plain forms."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.html import form, h1, submit


def begin(
    client: FlaskClient, instrument: str = "youth-check-in", *, past_education: bool = True
) -> TestResponse:
    """Start a check-in; with ``past_education``, go on from its universal-education
    screen (the youth check-in's first screen) as a person would."""
    page = client.get("/checkin")
    assert page.status_code == 200 and h1(page.text) == "Check-in"
    response = submit(client, form(page.text, "/checkin/start"), instrument=instrument)
    assert response.status_code == 303 and response.location == "/checkin", response.text
    if past_education:
        first = client.get("/checkin").text
        if 'name="education"' in first:
            went = submit(client, form(first, "/checkin/continue"))
            assert went.status_code == 303 and went.location == "/checkin", went.text
    return response
