"""When the database stops taking writes (issue 16, point 7): what is stored still
reads, a write is a 503 page or error that says nothing was lost, ``/healthz`` says so,
and ``serve`` will not start on such a database.

Tests run as root here, and root ignores ``chmod``: the database is opened read-only
the way SQLite itself enforces it (``mode=ro``), which really fails every write."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import update

from screening.services import accounts
from screening.services import interviews as service
from screening.store import db as storage
from tests.support.api import signed_in, start
from tests.support.apps import PG_URL, web_app
from tests.support.html import h1
from tests.support.paths import ROOT


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def _read_only(app: Flask, tmp_path: Path) -> None:
    """From now on the app's database refuses every write (the file itself is intact)."""
    state = app.extensions["screening"]
    state.engine.dispose()
    state.engine = storage.make_engine(f"sqlite:///file:{tmp_path / 'test.db'}?mode=ro&uri=true")


def _done_interview(app: Flask) -> tuple[object, str]:
    client = signed_in(app, "ana")
    flow, _ = start(client, "gad7")
    state = app.extensions["screening"]
    consent = service.consent_entry(store=True, share=False, service=None, statistics=False)
    service.record(state.engine, state.master, flow.id, consent, "consent-key-1", None)
    for n in range(1, 8):
        flow.answer(f"gad7_{n}", 1)
    return client, flow.id


def test_a_stored_interview_still_opens_when_writes_fail(
    app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client, iid = _done_interview(app)
    before = client.get(f"/interviews/{iid}")  # type: ignore[attr-defined]
    assert before.status_code == 200 and h1(before.text) == "Summary"
    assert client.get("/healthz").json == {"database": "ok"}  # type: ignore[attr-defined]
    with storage.transaction(app.extensions["screening"].engine) as conn:  # a touch is due:
        stale = storage.now() - 2 * accounts.TOUCH_EVERY  # it is written at most this often
        conn.execute(update(storage.sessions).values(last_seen=stale))
    _read_only(app, tmp_path)
    caplog.set_level(logging.WARNING)
    summary = client.get(f"/interviews/{iid}")  # type: ignore[attr-defined]
    assert summary.status_code == 200 and h1(summary.text) == "Summary"  # read, not a 500
    result = client.get(f"/api/v1/interviews/{iid}/result")  # type: ignore[attr-defined]
    assert result.status_code == 200 and result.json
    assert client.get("/").status_code == 200  # type: ignore[attr-defined]
    health = app.test_client().get("/healthz")
    assert health.status_code == 503 and health.json == {"database": "read-only"}
    skipped = [r.getMessage() for r in caplog.records if "refused a write" in r.getMessage()]
    assert any("session touch" in m for m in skipped) and any("audit" in m for m in skipped)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback


def test_a_write_when_writes_fail_is_a_503_that_says_nothing_was_lost(
    app: Flask, tmp_path: Path
) -> None:
    client, _ = _done_interview(app)
    _read_only(app, tmp_path)
    made = client.post(  # type: ignore[attr-defined]
        "/api/v1/interviews", json={"instrument": "gad7", "mode": "worker"}
    )
    assert made.status_code == 503 and made.json["error"]["code"] == "unavailable"
    assert "nothing stored was lost" in made.json["error"]["message"]
    page = app.test_client().post("/checkin/start", data={"instrument": "gad7"})
    assert page.status_code == 503 and "Nothing saved before was lost" in page.text
    assert "Exit this page" in page.text  # the check-in's error page keeps the quick exit


def test_healthz_says_down_when_the_database_does_not_answer(app: Flask, tmp_path: Path) -> None:
    state = app.extensions["screening"]
    state.engine.dispose()
    state.engine = storage.make_engine(f"sqlite:///{tmp_path / 'no such folder' / 'x.db'}")
    health = app.test_client().get("/healthz")
    assert health.status_code == 503 and health.json == {"database": "down"}
    assert health.headers["Cache-Control"] == "no-store"


def _serve(tmp_path: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    env.update(SCREENING_INSTANCE=str(tmp_path / "instance"), DATABASE_URL=url)
    return subprocess.run(
        [sys.executable, "-m", "screening", "serve", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _one_clear_line(done: subprocess.CompletedProcess[str], says: str) -> None:
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], lines
    assert "Traceback" not in done.stderr and "running" not in done.stdout


def test_serve_refuses_a_read_only_database(app: Flask, tmp_path: Path) -> None:
    done = _serve(tmp_path, f"sqlite:///file:{tmp_path / 'test.db'}?mode=ro&uri=true")
    _one_clear_line(done, "does not take writes")


def test_serve_refuses_a_database_it_cannot_open(tmp_path: Path) -> None:
    done = _serve(tmp_path, f"sqlite:///{tmp_path / 'no such folder' / 'x.db'}")
    _one_clear_line(done, "cannot open the database")


@pytest.mark.skipif(not PG_URL, reason="SCREENING_TEST_DATABASE_URL is not set")
def test_serve_refuses_a_postgresql_database_that_is_missing(tmp_path: Path) -> None:
    assert PG_URL is not None
    missing = PG_URL.rsplit("/", 1)[0] + "/no_such_database_here"
    _one_clear_line(_serve(tmp_path, missing), "cannot open the database")


@pytest.mark.skipif(not PG_URL, reason="SCREENING_TEST_DATABASE_URL is not set")
def test_serve_refuses_a_postgresql_database_in_read_only_mode(tmp_path: Path) -> None:
    assert PG_URL is not None
    read_only = PG_URL + "?options=-c%20default_transaction_read_only%3Don"
    _one_clear_line(_serve(tmp_path, read_only), "does not take writes")
