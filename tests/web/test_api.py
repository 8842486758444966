"""The JSON API contract, on SQLite and (when SCREENING_TEST_DATABASE_URL names one) on
PostgreSQL: sign-in, the interview flow, idempotency, errors and access."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from screening.store import db as storage
from tests.support.api import signed_in, start
from tests.support.apps import BACKENDS, PASSWORD, web_app
from tests.support.paths import ROOT


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    yield from web_app(request.param, tmp_path, [("ana", "Org A"), ("ben", "Org B")])


def test_login_and_logout(app: Flask) -> None:
    client = app.test_client()
    bad = client.post("/api/v1/login", json={"username": "ana", "password": "wrong password"})
    assert bad.status_code == 401
    nobody = client.post("/api/v1/login", json={"username": "zed", "password": PASSWORD})
    assert nobody.status_code == 401 and nobody.json == bad.json  # no account enumeration
    assert bad.json["error"]["code"] == "bad-login"
    for body in ({"username": "ana"}, {"password": PASSWORD}, {"username": 1, "password": 2}):
        incomplete = client.post("/api/v1/login", json=body)  # a malformed body: 400
        assert incomplete.status_code == 400 and incomplete.json["error"]["code"] == "bad-login"
    client = signed_in(app)
    assert client.post("/api/v1/interviews", json={"instrument": "phq9"}).status_code == 201
    assert client.post("/api/v1/logout").status_code == 204
    after = client.post("/api/v1/interviews", json={"instrument": "phq9"})
    assert after.status_code == 401


def test_a_copied_cookie_stops_working_at_logout(app: Flask) -> None:
    client = signed_in(app)
    cookie = client.get_cookie("sid")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("sid", cookie.value)
    assert thief.post("/api/v1/interviews", json={"instrument": "gad7"}).status_code == 201
    client.post("/api/v1/logout")
    assert thief.post("/api/v1/interviews", json={"instrument": "gad7"}).status_code == 401


def test_needs_assessment_end_to_end_matches_the_cli(app: Flask, tmp_path: Path) -> None:
    client = signed_in(app)
    flow, step = start(client, "needs-assessment")
    answers: dict[str, Any] = {}
    for _ in range(200):
        if step["done"]:
            break
        item = step["item"]
        if item["options"]:
            value: Any = item["options"][-1]["value"]
            value = [value] if item["type"] == "multiple" else value
        elif item["type"] == "number":
            value = 1
        elif item["type"] == "date":
            value = "2026-12-01"
        else:
            value = "words"
        if len(answers) % 7 == 3:
            value = None
        if len(answers) % 11 == 5:
            step = flow.answer(item["id"], declined=True)["step"]
            answers[item["id"]] = {"declined": True}
            continue
        step = flow.answer(item["id"], value)["step"]
        answers[item["id"]] = value
    assert step["done"] is True
    shown = client.get(f"/api/v1/interviews/{flow.id}").json or {}
    assert shown["status"] == "done"
    assert shown["answers"] == answers
    api_result = client.get(f"/api/v1/interviews/{flow.id}/result").json
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    cli = subprocess.run(
        [sys.executable, "-m", "screening", "score", "needs-assessment", str(path), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert api_result == json.loads(cli.stdout)


def test_retry_with_the_same_key_changes_nothing(app: Flask) -> None:
    client = signed_in(app)
    flow, _ = start(client, "pc-ptsd-5")
    body = {"item": "pcptsd5_gate", "value": 1, "key": "same-key-1"}
    first = client.post(f"/api/v1/interviews/{flow.id}/answers", json=body)
    again = client.post(f"/api/v1/interviews/{flow.id}/answers", json=body)
    assert first.status_code == again.status_code == 200
    assert first.json == again.json
    conflict = client.post(f"/api/v1/interviews/{flow.id}/answers", json={**body, "value": 0})
    assert conflict.status_code == 409
    with storage.transaction(app.extensions["screening"].engine) as conn:
        assert storage.count(conn, storage.entries) == 1


def test_change_an_answer_is_appended_and_the_path_follows(app: Flask) -> None:
    client = signed_in(app)
    flow, _ = start(client, "pc-ptsd-5")
    assert flow.answer("pcptsd5_gate", 1)["step"]["item"]["id"] == "pcptsd5_1"
    assert flow.answer("pcptsd5_gate", 0)["step"] == {"done": True, "screen": "summary"}
    flow.answer("pcptsd5_1", 1, status=400)  # off the path now
    shown = client.get(f"/api/v1/interviews/{flow.id}").json or {}
    assert shown["answers"] == {"pcptsd5_gate": 0}
    with storage.transaction(app.extensions["screening"].engine) as conn:
        assert storage.count(conn, storage.entries) == 2  # both kept, none overwritten


def test_skipped_and_declined_are_distinct(app: Flask) -> None:
    client = signed_in(app)
    flow, _ = start(client, "gad7")
    flow.answer("gad7_1", None)
    flow.answer("gad7_2", declined=True)
    shown = client.get(f"/api/v1/interviews/{flow.id}").json or {}
    assert shown["answers"] == {"gad7_1": None, "gad7_2": {"declined": True}}


def test_urgent_flag_is_reported_once_with_the_next_step(app: Flask) -> None:
    client = signed_in(app)
    flow, _ = start(client, "phq9")
    for n in range(1, 9):
        flow.answer(f"phq9_{n}", 0)
    step = flow.answer("phq9_9", 1)["step"]
    assert step == {"done": True, "screen": "help", "urgent": ["phq9_item9"]}
    again = (client.get(f"/api/v1/interviews/{flow.id}").json or {})["step"]
    assert again == {"done": True, "screen": "summary"}


def test_section_can_be_skipped_after_its_warning(app: Flask) -> None:
    client = signed_in(app)
    flow, step = start(client, "pc-ptsd-5")
    assert step["content_warning"]
    response = client.post(
        f"/api/v1/interviews/{flow.id}/sections",
        json={"section": step["section"], "choice": "skip", "key": "sec-0001"},
    )
    done = {"done": True, "screen": "summary"}
    assert response.status_code == 200 and (response.json or {})["step"] == done
    result = client.get(f"/api/v1/interviews/{flow.id}/result").json or {}
    assert result["scores"]["pcptsd5_total"]["complete"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"item": "gad7_1", "value": 9, "key": "bad-00001"},
        {"item": "gad7_1", "value": "1", "key": "bad-00002"},
        {"item": "nope", "value": 1, "key": "bad-00003"},
        {"item": "gad7_1", "value": 1},
        {"item": "gad7_1", "value": 1, "key": "short"},
        {"item": "gad7_1", "value": 1, "key": ["list"]},
        {"item": "gad7_1", "key": "bad-00004"},
        {"item": "gad7_1", "value": 1, "declined": True, "key": "bad-00005"},
        {"value": 1, "key": "bad-00006"},
        {"item": "gad7_1", "value": "x" * 300_000, "key": "bad-00007"},
    ],
)
def test_forged_answers_are_4xx_and_store_nothing(app: Flask, body: dict[str, Any]) -> None:
    client = signed_in(app)
    flow, _ = start(client, "gad7")
    response = client.post(f"/api/v1/interviews/{flow.id}/answers", json=body)
    assert 400 <= response.status_code < 500
    assert set((response.json or {})["error"]) == {"code", "message"}
    with storage.transaction(app.extensions["screening"].engine) as conn:
        assert storage.count(conn, storage.entries) == 0


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": "item=gad7_1", "content_type": "application/x-www-form-urlencoded"}, 415),
        ({"data": "{not json", "content_type": "application/json"}, 400),
        ({"json": [1, 2]}, 400),
        (
            {
                "json": {"item": "gad7_1", "value": 1, "key": "xsite-0001"},
                "headers": {"Sec-Fetch-Site": "cross-site"},
            },
            403,
        ),
        (
            {
                "json": {"item": "gad7_1", "value": 1, "key": "xsite-0002"},
                "headers": {"Origin": "https://evil.example"},
            },
            403,
        ),
    ],
)
def test_cross_site_and_malformed_posts(app: Flask, kwargs: dict[str, Any], status: int) -> None:
    client = signed_in(app)
    flow, _ = start(client, "gad7")
    response = client.post(f"/api/v1/interviews/{flow.id}/answers", **kwargs)
    assert response.status_code == status
    assert "error" in (response.json or {})


def test_other_organisation_sees_nothing(app: Flask) -> None:
    flow, _ = start(signed_in(app, "ana"), "gad7")
    other = signed_in(app, "ben")
    anonymous = app.test_client()
    for client, status in ((other, 404), (anonymous, 401)):
        assert client.get(f"/api/v1/interviews/{flow.id}").status_code == status
        assert client.get(f"/api/v1/interviews/{flow.id}/result").status_code == status
        posted = client.post(
            f"/api/v1/interviews/{flow.id}/answers",
            json={"item": "gad7_1", "value": 1, "key": "other-0001"},
        )
        assert posted.status_code == status


def test_private_interview_needs_no_account_and_only_its_session_sees_it(app: Flask) -> None:
    person = app.test_client()
    flow, step = start(person, "youth-check-in", mode="private")
    assert step["done"] is False
    first = step["item"]["id"]
    value = step["item"]["options"][0]["value"]
    flow.answer(first, value)
    assert (person.get(f"/api/v1/interviews/{flow.id}").json or {})["answers"] == {first: value}
    stranger = app.test_client()
    assert stranger.get(f"/api/v1/interviews/{flow.id}").status_code == 404
    worker = signed_in(app)
    assert worker.get(f"/api/v1/interviews/{flow.id}").status_code == 404
    with storage.transaction(app.extensions["screening"].engine) as conn:
        row = storage.interview_row(conn, flow.id)
        assert row.wrapped_key is None  # the key is nowhere on the server
    person.post("/api/v1/logout")
    assert person.get(f"/api/v1/interviews/{flow.id}").status_code == 404


def test_worker_instrument_cannot_run_privately(app: Flask) -> None:
    response = app.test_client().post(
        "/api/v1/interviews", json={"instrument": "needs-assessment", "mode": "private"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"instrument": "nope"},
        {"instrument": ["phq9", "phq9"]},
        {"instrument": 3},
        {"instrument": "../secret"},
        {"instrument": "phq9", "mode": "spy"},
        {"instrument": "phq9", "locale": "xx"},
        {"instrument": []},
    ],
)
def test_bad_new_interviews(app: Flask, body: dict[str, Any]) -> None:
    response = signed_in(app).post("/api/v1/interviews", json=body)
    assert response.status_code == 400, response.json


def test_answers_are_not_readable_in_the_database(app: Flask, tmp_path: Path) -> None:
    client = signed_in(app)
    flow, _ = start(client, "needs-assessment")
    step = client.get(f"/api/v1/interviews/{flow.id}").json or {}
    marker = "Zebra-Marker-4711"
    # Walk to the first free-text item, answering the rest with their first option.
    current = step["step"]
    while not current["done"] and current["item"]["type"] != "text":
        item = current["item"]
        value: Any = item["options"][0]["value"] if item["options"] else 1
        value = [value] if item["type"] == "multiple" else value
        current = flow.answer(item["id"], value)["step"]
    assert not current["done"]
    flow.answer(current["item"]["id"], marker)
    url = app.extensions["screening"].settings.database_url
    if url.startswith("sqlite"):
        app.extensions["screening"].engine.dispose()
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("test.db*"))
    else:
        dump = subprocess.run(
            ["pg_dump", "--data-only", url.replace("+psycopg", "")], capture_output=True, check=True
        )
        raw = dump.stdout
    assert marker.encode() not in raw
    assert marker.encode("utf-16-le") not in raw


def test_every_api_route_declares_who_may_use_it(app: Flask) -> None:
    from screening.web.api import ACCESS

    routes = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
    }
    assert routes and routes == set(ACCESS)


def test_idle_sessions_end(app: Flask) -> None:
    import datetime as dt

    from sqlalchemy import update

    worker = signed_in(app)
    person = app.test_client()
    flow, _ = start(person, "youth-check-in", mode="private")
    engine = app.extensions["screening"].engine
    with storage.transaction(engine) as conn:  # 20 minutes pass without a request
        conn.execute(
            update(storage.sessions).values(last_seen=storage.now() - dt.timedelta(minutes=20))
        )
    assert person.get(f"/api/v1/interviews/{flow.id}").status_code == 404  # private: 15 min
    assert worker.post("/api/v1/interviews", json={"instrument": "gad7"}).status_code == 201


def test_long_keys_sharing_a_prefix_and_reserved_keys(app: Flask) -> None:
    client = signed_in(app)
    flow, _ = start(client, "phq9")
    prefix = "k" * 95
    for n in range(1, 9):
        body = {"item": f"phq9_{n}", "value": 1, "key": f"{prefix}{n:05d}"}
        response = client.post(f"/api/v1/interviews/{flow.id}/answers", json=body)
        assert response.status_code == 200, response.json
    reserved = client.post(
        f"/api/v1/interviews/{flow.id}/answers",
        json={"item": "phq9_9", "value": 1, "key": "help:12345678"},
    )
    assert reserved.status_code == 400


def test_ask_once_the_api_never_asks_a_derived_item(app: Flask) -> None:
    client = signed_in(app)
    flow, step = start(client, ["needs-assessment", "phq9"])
    derived = {"item": "thoughts_ending_life", "status": "derived", "from": "phq9_9"}
    assert derived in step["not_asked"]
    presented = []
    for _ in range(200):
        if step["done"]:
            break
        item = step["item"]
        presented.append(item["id"])
        value: Any = item["options"][-1]["value"] if item["options"] else "words"
        value = [value] if item["type"] == "multiple" else value
        if item["type"] in ("number", "date"):
            value = None
        step = flow.answer(item["id"], value)["step"]
    assert step["done"] and derived in step["not_asked"]
    assert "thoughts_ending_life" not in presented and presented.count("phq9_9") == 1
    error = flow.answer("thoughts_ending_life", "no", status=400)  # not asked: no answer
    assert error["error"]["code"] == "not-on-path"
    result = client.get(f"/api/v1/interviews/{flow.id}/result").json or {}
    assert {"thoughts_of_ending_life", "phq9_item9"} <= set(result["flags"])  # phq9_9 = 3
    answers = (client.get(f"/api/v1/interviews/{flow.id}").json or {})["answers"]
    assert "thoughts_ending_life" not in answers  # a derived meaning is never stored


def test_a_map_that_does_not_fit_its_source_is_a_400(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "instruments"
    shutil.copytree(ROOT / "instruments", folder)
    needs = folder / "needs-assessment.yaml"
    text = needs.read_text()
    assert text.count("from: [1, 2, 3]") == 1
    needs.write_text(text.replace("from: [1, 2, 3]", "from: [1, 2]"))  # misses phq9_9 = 3
    monkeypatch.setenv("SCREENING_INSTRUMENTS", str(folder))
    client = signed_in(app)
    response = client.post(
        "/api/v1/interviews", json={"instrument": ["needs-assessment", "phq9"], "mode": "worker"}
    )
    assert response.status_code == 400
    assert (response.json or {})["error"]["code"] == "derive-map"
    alone = client.post("/api/v1/interviews", json={"instrument": "needs-assessment"})
    assert alone.status_code == 201  # alone, the map reads nothing and the item is asked
