"""The app as the step benchmarks measure it: a fresh instance on SQLite (or the
database URL given), one worker signed in through the JSON API. Shared by
bench_step.py and bench_web.py, which are run from the checkout (``ROOT`` on the path)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from screening.config import Settings
from screening.services import accounts
from screening.store import db as storage
from screening.web import create_app
from tests.support.liveserver import PASSWORD


@contextmanager
def signed_in_app(database_url: str | None) -> Iterator[tuple[Flask, Engine, FlaskClient]]:
    with TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(
            instance=Path(tmp) / "instance",
            database_url=url,
            production=False,
            secret_key="bench",
            data_key=None,
        )
        app = create_app(settings, {"TESTING": True})
        engine = app.extensions["screening"].engine
        username = f"bench-{os.getpid()}-{time.time_ns()}"
        with storage.transaction(engine) as conn:
            accounts.create_user(conn, username, f"Bench org {username}", "worker", PASSWORD)
        client = app.test_client()
        login = {"username": username, "password": PASSWORD}
        assert client.post("/api/v1/login", json=login).status_code == 200
        yield app, engine, client
