"""A client of the JSON API: sign in, start an interview, answer with fresh keys."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.support import mfa
from tests.support.apps import PASSWORD


def signed_in(app: Flask, username: str = "ana") -> FlaskClient:
    """A client signed in as ``username``; an account that needs a second factor is
    enrolled first when it has none (tests/support/mfa.py), and gives its code."""
    client = app.test_client()
    body = {"username": username, "password": PASSWORD}
    response = client.post("/api/v1/login", json=body)
    code = (response.json or {}).get("error", {}).get("code")
    if response.status_code == 401 and code in ("totp-enrol", "totp-required"):
        if code == "totp-enrol":
            mfa.enrol(app, username)
        response = client.post("/api/v1/login", json={**body, "totp": mfa.code(app, username)})
    assert response.status_code == 200, response.json
    return client


class Flow:
    """A small helper that answers with fresh idempotency keys."""

    def __init__(self, client: FlaskClient, interview_id: str) -> None:
        self.client = client
        self.id = interview_id
        self.n = 0

    def answer(
        self, item: str, value: Any = None, *, declined: bool = False, status: int = 200
    ) -> dict[str, Any]:
        self.n += 1
        body: dict[str, Any] = {"item": item, "key": f"key-{self.n:06d}"}
        body.update({"declined": True} if declined else {"value": value})
        response = self.client.post(f"/api/v1/interviews/{self.id}/answers", json=body)
        assert response.status_code == status, response.json
        return dict(response.json or {})


def start(client: FlaskClient, instrument: object, mode: str = "worker") -> tuple[Flow, dict]:
    response = client.post(
        "/api/v1/interviews", json={"instrument": instrument, "mode": mode, "locale": "en"}
    )
    assert response.status_code == 201, response.json
    data = response.json or {}
    return Flow(client, data["id"]), data["step"]
