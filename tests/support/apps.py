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


def quick_workers(app: Flask, names: list[str], org: str) -> None:
    """Workers of a new ``org``, signing in with :data:`PASSWORD`, whose hash is
    argon2id at its lowest cost, made once for all of them. The app verifies it like
    any other (argon2 reads the cost from the hash itself), so a test about how many
    tries are answered, not about hashing, need not pay the full cost (about a second
    on a busy machine) for every account made and every wrong try."""
    from argon2 import PasswordHasher
    from sqlalchemy import insert

    from screening.store import db as storage

    hashed = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with storage.transaction(app.extensions["screening"].engine) as conn:
        org_id = conn.execute(
            insert(storage.organisations)
            .values(name=org, created_at=storage.now())
            .returning(storage.organisations.c.id)
        ).scalar_one()
        for name in names:
            conn.execute(
                insert(storage.users).values(
                    username=name,
                    org_id=org_id,
                    role="worker",
                    disabled=False,
                    password_hash=hashed,
                    created_at=storage.now(),
                )
            )
