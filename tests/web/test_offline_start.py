"""An interview started on a tablet under an id it made (issue 19): ``POST
/api/v1/interviews {"id": UUID, ...}``. The same start again is the same interview
(201 first, 200 after, the same body); another body with that id is 409; an id that is
no UUID is 400 naming the field. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask

from screening.store import db as storage
from tests.support.api import Flow, signed_in
from tests.support.apps import BACKENDS, web_app


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    yield from web_app(request.param, tmp_path, [("ana", "Org A"), ("ben", "Org B")])


def _body(interview_id: str, **more: object) -> dict[str, object]:
    return {"id": interview_id, "instrument": ["phq9"], "mode": "worker", "locale": "en", **more}


def _count(app: Flask) -> int:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        return len(conn.execute(storage.interviews.select()).all())


def test_the_same_start_twice_is_one_interview(app: Flask) -> None:
    client = signed_in(app)
    made = str(uuid.uuid4())
    first = client.post("/api/v1/interviews", json=_body(made))
    assert first.status_code == 201, first.json
    assert first.json["id"] == made
    again = client.post("/api/v1/interviews", json=_body(made))
    assert again.status_code == 200 and again.json == first.json
    # the same request with its keys in another order and the id in capitals
    reordered = dict(reversed(list(_body(made.upper()).items())))
    assert client.post("/api/v1/interviews", json=reordered).status_code == 200
    assert _count(app) == 1
    # answers go to it as to any interview, and a repeat of the start changes nothing
    Flow(client, made).answer("phq9_1", 2)
    repeat = client.post("/api/v1/interviews", json=_body(made))
    assert repeat.status_code == 200 and repeat.json["step"] == first.json["step"]
    shown = client.get(f"/api/v1/interviews/{made}").json
    assert shown["answers"] == {"phq9_1": 2}


def test_another_start_with_the_id_is_a_conflict(app: Flask) -> None:
    client = signed_in(app)
    made = str(uuid.uuid4())
    assert client.post("/api/v1/interviews", json=_body(made)).status_code == 201
    for other in (_body(made, instrument=["gad7"]), _body(made, locale="fr")):
        refused = client.post("/api/v1/interviews", json=other)
        assert refused.status_code == 409, refused.json
        assert refused.json["error"]["code"] == "id-taken"
    # another organisation's worker with the very same body: not theirs either
    stranger = signed_in(app, "ben")
    assert stranger.post("/api/v1/interviews", json=_body(made)).status_code == 409
    assert _count(app) == 1
    # a start that fails claims no id: the same id starts afterwards
    fresh = str(uuid.uuid4())
    bad = client.post("/api/v1/interviews", json=_body(fresh, instrument=["nope"]))
    assert bad.status_code in (400, 404)
    assert client.post("/api/v1/interviews", json=_body(fresh)).status_code == 201


BAD_IDS = (
    "",
    "not-a-uuid",
    "6f1c2b3a9d4e4f5a8b7c6d5e4f3a2b1c",  # no hyphens
    "{6f1c2b3a-9d4e-4f5a-8b7c-6d5e4f3a2b1c}",
    "6f1c2b3a-9d4e-4f5a-8b7c-6d5e4f3a2b1",  # one digit short
    "6f1c2b3a-9d4e-4f5a-8b7c-6d5e4f3a2b1g",
    12,
    None,
    ["6f1c2b3a-9d4e-4f5a-8b7c-6d5e4f3a2b1c"],
)


def test_an_id_that_is_no_uuid_is_refused_naming_the_field(app: Flask) -> None:
    client = signed_in(app)
    for bad in BAD_IDS:
        refused = client.post("/api/v1/interviews", json=_body("x") | {"id": bad})
        assert refused.status_code == 400, (bad, refused.json)
        assert refused.json["error"]["code"] == "bad-id"
        assert refused.json["error"]["message"].startswith("id: ")
    # a device id is for worker-led interviews only; without a worker, 401 as ever
    anyone = app.test_client()  # a private check-in needs no account
    private = _body(str(uuid.uuid4()), mode="private", instrument=["phq9"])
    refused = anyone.post("/api/v1/interviews", json=private)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "bad-id"
    assert anyone.post("/api/v1/interviews", json=_body(str(uuid.uuid4()))).status_code == 401
    assert _count(app) == 0


def test_two_starts_at_the_same_moment_make_one_interview(app: Flask) -> None:
    made = str(uuid.uuid4())
    clients = [signed_in(app) for _ in range(4)]

    def post(n: int) -> int:
        return int(clients[n].post("/api/v1/interviews", json=_body(made)).status_code)

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(post, range(4)))
    assert statuses == [200, 200, 200, 201]
    assert _count(app) == 1
