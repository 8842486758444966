"""The private check-in as a person starts it, by its plain forms."""

from __future__ import annotations

import base64

from flask import Flask
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


def data_key(app: Flask, client: FlaskClient) -> bytes | None:
    """The data key of the private check-in whose cookies ``client`` holds, derived as
    the server does (the person's half in ``pk``, the server's with the live session);
    None when either half is gone."""
    from screening.crypto import halves
    from screening.services import accounts
    from screening.store import db as storage
    from screening.web.guards import CHECKIN_COOKIE, KEY_COOKIE

    token, person = client.get_cookie(CHECKIN_COOKIE), client.get_cookie(KEY_COOKIE)
    if token is None or person is None:
        return None
    ext = app.extensions["screening"]
    with storage.transaction(ext.engine) as conn:
        session = accounts.find_session(conn, token.value, ext.idle, ext.private_idle)
    if session is None or session.key_half is None:
        return None
    return halves.derive(base64.urlsafe_b64decode(person.value), session.key_half)
