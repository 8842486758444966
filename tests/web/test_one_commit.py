"""One load and one commit per answer step (issue 11, point 4).

A counting hook on the app's engine (SQLAlchemy ``commit`` events, statements, and the
entries decrypted) checks, on SQLite and (with SCREENING_TEST_DATABASE_URL) PostgreSQL:

- every answer step, on the JSON API and through the worker's pages, commits exactly one
  transaction: the session's touch, the audit row, the entry and its snapshot together;
- a step decrypts a bounded number of entries and runs a bounded number of statements,
  the same at the last answer as at the first (the sealed snapshot, not the whole log);
- every snapshot rebuilt from its log is equal to the snapshot, and a snapshot that is
  missing, of another version, unreadable or behind the log gives the same interview;
- a database made before snapshots (tests/fixtures/wave1) still loads, and its first
  step writes a snapshot equal to its log.
"""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, event, update

from screening.services import interviews as service
from screening.store import db as storage
from tests.support.api import signed_in
from tests.support.apps import BACKENDS, web_app
from tests.support.html import form, screen, sign_in, submit
from tests.support.paths import ROOT


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    yield from web_app(request.param, tmp_path, [("ana", "Harbour House")])


class Counting:
    """Commits, SQL statements and entries decrypted, from the moment it is made."""

    def __init__(self, engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.commits = self.statements = self.unsealed = 0
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "before_cursor_execute", self._statement)
        unseal = service.unseal

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.unsealed += 1
            return unseal(*args, **kwargs)

        monkeypatch.setattr(service, "unseal", counted)

    def _commit(self, _conn: Any) -> None:
        self.commits += 1

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            self.statements += 1

    def take(self) -> tuple[int, int, int]:
        out = (self.commits, self.statements, self.unsealed)
        self.commits = self.statements = self.unsealed = 0
        return out


def engine_of(app: Flask) -> Any:
    return app.extensions["screening"].engine


def value_for(item: dict[str, Any], n: int) -> Any:
    if item["options"]:
        value = item["options"][n % len(item["options"])]["value"]
        return [value] if item["type"] == "multiple" else value
    return {"number": 3, "date": "2026-11-01"}.get(item["type"], "a few words")


def api_interview(client: FlaskClient, counting: Counting, instrument: str) -> list[tuple]:
    """Run an interview to its end through the API; each step's (commits, statements,
    entries decrypted, is an answer)."""
    started = client.post("/api/v1/interviews", json={"instrument": instrument})
    assert started.status_code == 201, started.json
    interview_id, step = started.json["id"], started.json["step"]
    counts, n = [], 0
    while not step["done"]:
        n += 1
        if step.get("content_warning"):
            path, body = "sections", {"section": step["section"], "choice": "enter"}
        else:
            path, body = "answers", {"item": step["item"]["id"]}
            body["value"] = value_for(step["item"], n)
        counting.take()
        response = client.post(
            f"/api/v1/interviews/{interview_id}/{path}", json={**body, "key": f"k-{n:08d}"}
        )
        assert response.status_code == 200, response.json
        counts.append((*counting.take(), path == "answers"))
        step = response.json["step"]
    return counts


def test_one_commit_per_api_step_and_o1_in_the_answers(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(app)
    counting = Counting(engine_of(app), monkeypatch)
    counts = api_interview(client, counting, "needs-assessment")
    assert len(counts) > 45
    assert {c[0] for c in counts} == {1}, counts  # one commit, every step
    answers = [c for c in counts if c[3]]
    # The log is not replayed: the snapshot, the new entry, the stored help (and,
    # at most, a help-shown entry the step itself wrote) whatever the position.
    assert max(c[2] for c in counts) <= 3, counts
    assert max(c[1] for c in answers) <= 16, answers
    early, late = answers[:10], answers[-10:]  # the same at the last answers as early on
    assert statistics.median(c[1] for c in late) <= statistics.median(c[1] for c in early)
    assert max(c[2] for c in late) <= max(c[2] for c in early)
    # The same key with another body is refused, in one commit too.
    interview_id = client_last_id(app)
    counting.take()
    retried = client.post(
        f"/api/v1/interviews/{interview_id}/answers",
        json={"item": "x", "value": 1, "key": "k-00000001"},
    )
    assert retried.status_code == 409  # the same key with another body
    assert counting.take()[0] == 1


def client_last_id(app: Flask) -> str:
    with storage.transaction(engine_of(app)) as conn:
        return storage.snapshot_ids(conn)[0]


def test_a_refused_step_keeps_its_audit_row_and_stores_nothing(app: Flask) -> None:
    """One transaction for the step, as each part had before: the audit row of a step
    the service refuses is kept; the entry is not stored."""
    client = signed_in(app)
    started = client.post("/api/v1/interviews", json={"instrument": "phq9"})
    interview_id = started.json["id"]
    with storage.transaction(engine_of(app)) as conn:
        audited = storage.count(conn, storage.audit)
    bad = client.post(
        f"/api/v1/interviews/{interview_id}/answers",
        json={"item": "nope", "value": 1, "key": "bad-key-0001"},
    )
    assert bad.status_code == 400 or bad.status_code == 404 or bad.status_code == 409
    with storage.transaction(engine_of(app)) as conn:
        assert storage.count(conn, storage.audit) == audited + 1
        assert storage.log_entries(conn, interview_id) == []


def test_one_commit_per_step_through_the_pages(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    client = sign_in(app)
    home = client.get("/")
    started = submit(client, form(home.text, "/interviews"), instrument=["needs-assessment"])
    assert started.status_code == 303, started.text
    url = started.location
    counting = Counting(engine_of(app), monkeypatch)
    posts: list[tuple[str, tuple[int, int, int]]] = []
    for n in range(24):  # consent, content warnings and answers (the rest is the same)
        shown = client.get(url)
        assert shown.status_code == 200
        kind = screen(shown.text)
        if kind == "summary":
            break
        f = form(shown.text, "/" + kind) if kind != "education" else form(shown.text, "/help")
        fields: dict[str, Any] = {}
        button: tuple[str, str] | None = None
        if kind == "consent":
            fields = {"store": "yes", "share": "no", "statistics": "no"}
        elif kind == "section":
            button = ("choice", "enter")
        elif kind == "answer":
            button = ("action", "skip") if n % 2 else ("action", "next")
            if n % 2 == 0:
                options = f.options.get("value")
                fields = {"value": options[0] if options else "3"}
        counting.take()
        response = submit(client, f, button, **fields)
        posts.append((kind, counting.take()))
        if response.status_code == 400:  # an answer the form did not take: skip it
            counting.take()
            response = submit(client, f, ("action", "skip"))
            posts[-1] = (kind, counting.take())
        assert response.status_code == 303, response.text
    assert {k for k, _ in posts} >= {"consent", "section", "answer"}
    assert all(c[0] == 1 for _, c in posts), posts  # one commit per posted step
    assert max(c[2] for _, c in posts) <= 4, posts  # no replay of the log
    assert snapshots_match(app)


def snapshots_match(app: Flask) -> bool:
    master = app.extensions["screening"].master
    with storage.transaction(engine_of(app)) as conn:
        ids = storage.snapshot_ids(conn)
        assert ids
        return all(service.snapshot_matches(conn, master, i) for i in ids)


def test_every_snapshot_rebuilds_from_its_log(app: Flask) -> None:
    """API interviews, a changed answer (answers set aside), help shown: rebuilding each
    snapshot from its log gives the same interview; so does a snapshot that is missing,
    of another version, unreadable or behind its log."""
    client = signed_in(app)
    for instrument in ("needs-assessment", ["phq9", "gad7"]):
        started = client.post("/api/v1/interviews", json={"instrument": instrument})
        interview_id, step = started.json["id"], started.json["step"]
        for n in range(12):
            if step["done"]:
                break
            if step.get("content_warning"):
                path, body = "sections", {"section": step["section"], "choice": "enter"}
            else:
                path, body = "answers", {"item": step["item"]["id"]}
                body["value"] = value_for(step["item"], n + 1)
            response = client.post(
                f"/api/v1/interviews/{interview_id}/{path}", json={**body, "key": f"s-{n:07d}"}
            )
            step = response.json["step"]
        first = client.get(f"/api/v1/interviews/{interview_id}").json["answers"]
        item = next(iter(first))
        changed = client.post(
            f"/api/v1/interviews/{interview_id}/answers",
            json={"item": item, "value": None, "key": "change-000001"},
        )
        assert changed.status_code in (200, 400), changed.json
    assert snapshots_match(app)
    master, engine = app.extensions["screening"].master, engine_of(app)
    with storage.transaction(engine) as conn:
        ids = storage.snapshot_ids(conn)
        expected = {i: service.replay(conn, master, i) for i in ids}
    table = storage.interview_snapshots
    spoilers = [
        update(table).values(version=service.SNAPSHOT_VERSION + 1),
        update(table).values(payload=b"not a sealed snapshot"),
        update(table).values(entry_id=table.c.entry_id - 2),  # behind: entries after it
        delete(table),
    ]
    for spoiler in spoilers:
        with storage.transaction(engine) as conn:
            conn.execute(spoiler)
        with storage.transaction(engine) as conn:
            for interview_id in ids:
                loaded = service.load(conn, master, interview_id)
                assert service.snapshot_matches(conn, master, interview_id)
                assert loaded.state == expected[interview_id].state


def test_a_private_check_in_snapshot_is_sealed_with_its_own_key(app: Flask) -> None:
    engine, master = engine_of(app), app.extensions["screening"].master
    key = bytes(range(32))
    interview_id, personal, step = service.start(
        engine,
        master,
        instrument_ids=["phq9"],
        mode="private",
        locale="en",
        org_id=None,
        user_id=None,
        data_key=key,
    )
    assert personal == key
    n = 0
    while not step["done"] and n < 5:
        n += 1
        step = service.record(
            engine,
            master,
            interview_id,
            {"kind": "answer", "item": step["item"]["id"], "value": 0},
            f"private-{n:04d}",
            key,
        )
    with storage.transaction(engine) as conn:
        assert service.snapshot_matches(conn, master, interview_id, key)
        with pytest.raises(service.DomainError):  # another key opens nothing
            service.load(conn, master, interview_id, bytes(32))


def test_a_database_from_before_snapshots_loads_and_gains_them(tmp_path: Path) -> None:
    from screening.config import Settings
    from screening.web import create_app

    fixture = ROOT / "tests" / "fixtures" / "wave1"
    shutil.copy(fixture / "screening.db", tmp_path / "screening.db")
    settings = Settings(
        instance=tmp_path / "instance",
        database_url=f"sqlite:///{tmp_path / 'screening.db'}",
        production=False,
        secret_key="wave1-test",
        data_key="d2F2ZS1vbmUtZml4dHVyZS1rZXktMzItYnl0ZXMhISE=",  # as its make.py
    )
    application = create_app(settings, {"TESTING": True})
    engine, master = engine_of(application), application.extensions["screening"].master
    try:
        with storage.transaction(engine) as conn:
            assert storage.snapshot_ids(conn) == []
            ids = [
                r.id for r in conn.execute(storage.interviews.select()) if r.wrapped_key is not None
            ]
            before = {i: service.load(conn, master, i) for i in ids}
        assert ids
        for interview_id, loaded in before.items():
            service.record(
                engine,
                master,
                interview_id,
                service.help_seen_entry([]),
                "wave1-gains-a-snapshot",
                help_shown=False,
            )
            with storage.transaction(engine) as conn:
                after = service.load(conn, master, interview_id)
                assert after.state == loaded.state and after.consent == loaded.consent
                assert service.snapshot_matches(conn, master, interview_id)
        with storage.transaction(engine) as conn:
            assert sorted(storage.snapshot_ids(conn)) == sorted(ids)
    finally:
        engine.dispose()


def test_a_snapshot_holds_what_the_log_reads_back(app: Flask) -> None:
    """Text that cannot be shown (a lone surrogate, as older code stored it) is read back
    from the log made readable; the snapshot written with it holds the same."""
    client = signed_in(app)
    started = client.post("/api/v1/interviews", json={"instrument": "needs-assessment"})
    interview_id = started.json["id"]
    engine, master = engine_of(app), app.extensions["screening"].master
    consent = service.consent_entry(store=True, share=False, service=None, statistics=False)
    service.record(engine, master, interview_id, consent, "old-consent")
    answer = {"kind": "answer", "item": "what_helps", "value": "surr\ud800gate"}
    service.record(engine, master, interview_id, answer, "old-surrogate")
    with storage.transaction(engine) as conn:
        assert service.snapshot_matches(conn, master, interview_id)
        loaded = service.load(conn, master, interview_id)
    assert loaded.state.answers["what_helps"] == "surr\ufffdgate"
