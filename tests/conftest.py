"""Shared fixtures: small inline instruments written as YAML text, so a test reads like
the case it covers, and a CLI runner that runs the real `screening` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, settings

from screening.core.model import Instrument
from screening.load.loader import load_bytes

ROOT = Path(__file__).resolve().parents[1]
INSTRUMENTS = ROOT / "instruments"

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "full", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

HEADER = """\
id: test
version: 0.1.0
title: Test instrument
language: en
audiences: [worker]
licence: CC-BY-4.0
codesign: {status: draft}
changelog: [{version: 0.1.0, date: "2026-11-29", changes: Test.}]
"""


def instrument_yaml(body: str) -> str:
    """A complete instrument: the fixed header above plus ``body`` (sections etc.)."""
    return HEADER + textwrap.dedent(body)


def make(body: str) -> Instrument:
    return load_bytes(instrument_yaml(body).encode(), "test.yaml")


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m screening ARGS``; dict/list arguments become JSON files."""

    def run(*args: object) -> subprocess.CompletedProcess[str]:
        argv = []
        for n, arg in enumerate(args):
            if isinstance(arg, dict | list):
                path = tmp_path / f"arg{n}.json"
                path.write_text(json.dumps(arg))
                argv.append(str(path))
            else:
                argv.append(str(arg))
        return subprocess.run(
            [sys.executable, "-m", "screening", *argv],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=False,
        )

    return run


# --- the web app on SQLite and, when SCREENING_TEST_DATABASE_URL is set, PostgreSQL ------

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
