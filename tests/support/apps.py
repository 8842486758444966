"""The web app on SQLite and, when SCREENING_TEST_DATABASE_URL is set, PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

PG_URL = os.environ.get("SCREENING_TEST_DATABASE_URL")


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not PG_URL, reason="SCREENING_TEST_DATABASE_URL is not set: PostgreSQL tests skipped"
        ),
    ),
]


PASSWORD = "a long enough password"


def reset_postgres(url: str) -> None:
    from sqlalchemy import text

    from screening.store import db as storage

    engine = storage.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def web_app(backend: str, tmp_path: Path, users: list[tuple[str, str]]) -> Iterator[Flask]:
    """A fresh app on ``backend`` with workers ``(username, organisation)``."""
    from screening.config import Settings
    from screening.services import accounts
    from screening.store import db as storage
    from screening.web import create_app

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        assert PG_URL is not None
        reset_postgres(PG_URL)
        url = PG_URL
    settings = Settings(
        instance=tmp_path / "instance",
        database_url=url,
        production=False,
        secret_key="test-secret",
        data_key=None,
    )
    application = create_app(settings, {"TESTING": True})
    with storage.transaction(application.extensions["screening"].engine) as conn:
        for username, org in users:
            accounts.create_user(conn, username, org, "worker", PASSWORD)
    yield application
    application.extensions["screening"].engine.dispose()
