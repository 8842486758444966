"""Hypothesis-driven fuzzing of every endpoint that takes a body (issue 6): every POST
and PATCH route of the app, found from its URL map, is sent generated forms or JSON as
the owner of a real interview (with a valid CSRF token half the time, so the checks
behind it are reached too). Never a 500; and a refused request (4xx) writes nothing.

CI runs a bounded sample per route (the ``ci`` profile); ``HYPOTHESIS_PROFILE=full``
runs 2,000 examples per route by hand."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.store import db as storage
from screening.web import csrf
from tests.support.api import start
from tests.support.apps import PASSWORD, web_app

EXAMPLES = 2000 if os.environ.get("HYPOTHESIS_PROFILE") == "full" else 25

KEYS = [
    "csrf", "key", "item", "action", "value", "choice", "section", "flag", "store", "share",
    "statistics", "service", "instrument", "lang", "second", "who", "back", "username",
    "password", "mode", "locale", "declined", "goal", "referral", "consent", "paper",
]  # fmt: skip
TEXT = st.one_of(
    st.sampled_from(["", "yes", "no", "next", "skip", "decline", "enter", "gad7", "phq9",
                     "gad7_1", "gad7_3", "0", "1", "3", "-1", "1e309", "ar", "xx", "youth-check-in",
                     "a" * 300, "\x00", "../../etc", "gad7/worry", "True"]),
    st.text(max_size=40),
)  # fmt: skip
FORMS = st.dictionaries(
    st.one_of(st.sampled_from(KEYS), st.text(max_size=10)),
    st.one_of(TEXT, st.lists(TEXT, max_size=3)),
    max_size=8,
)
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(), TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path_factory.mktemp("fuzz"), [("ana", "Org A")])


def _written(app: Flask) -> dict[str, int]:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        return {
            t.name: storage.count(conn, t)
            for t in (storage.entries, storage.plan_versions, storage.interviews)
        }


def _routes(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & {"POST", "PATCH"}):
            found.append((method, rule.rule))
    return sorted(found)


def _client(app: Flask) -> tuple[FlaskClient, str, str]:
    """A signed-in worker with a consented interview, and the session's CSRF token."""
    from screening.store import coordination

    with storage.transaction(app.extensions["screening"].engine) as conn:
        # one sign-in per route: more routes than the per-address limit allows in 5 minutes
        conn.execute(coordination.rate_limits.delete())
    client = app.test_client()
    assert (
        client.post("/api/v1/login", json={"username": "ana", "password": PASSWORD}).status_code
        == 200
    )
    flow, _ = start(client, "gad7")
    from screening.services import interviews as service

    ext = app.extensions["screening"]
    service.record(
        ext.engine, ext.master, flow.id,
        service.consent_entry(store=True, share=False, service=None, statistics=False),
        "fuzz-consent",
    )  # fmt: skip
    sid = client.get_cookie("sid")
    assert sid is not None
    with app.test_request_context():
        token = csrf.issue(sid.value)
    return client, flow.id, token


@pytest.fixture
def owner(app: Flask) -> tuple[FlaskClient, str, str]:
    return _client(app)


def _route_ids() -> list[str]:
    import tempfile

    from screening.config import Settings
    from screening.web import create_app

    with tempfile.TemporaryDirectory() as folder:
        made = create_app(
            Settings(
                instance=Path(folder) / "i",
                database_url=f"sqlite:///{folder}/r.db",
                production=False,
                secret_key="routes",
                data_key=None,
            )
        )
        routes = [f"{m} {r}" for m, r in _routes(made)]
        made.extensions["screening"].engine.dispose()
    return routes


@pytest.mark.slow
@pytest.mark.parametrize("route", _route_ids())
def test_no_endpoint_answers_500_or_writes_on_refusal(
    app: Flask, owner: tuple[FlaskClient, str, str], route: str
) -> None:
    client, interview_id, token = owner
    method, rule = route.split(" ", 1)
    if rule.endswith(("/logout", "/signout", "/signout/everywhere", "/checkin/leave")):
        pytest.skip("ends the session the other examples use; tested in test_admin/private")
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: interview_id if m.group(1) == "interview_id"
                 else "gad7", rule)  # fmt: skip

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(form=FORMS, body=JSON, with_token=st.booleans(), as_json=st.booleans())
    def run(form: dict[str, Any], body: Any, with_token: bool, as_json: bool) -> None:
        before = _written(app)
        headers = {"Sec-Fetch-Site": "same-origin"}
        if as_json or url.startswith("/api/"):
            response = client.open(url, method=method, json=body, headers=headers)
        else:
            if with_token:
                form = {**form, "csrf": token}
            response = client.open(url, method=method, data=form, headers=headers)
        assert response.status_code < 500, (route, form, body, response.data[:300])
        if response.status_code >= 400:
            assert _written(app) == before, (route, form, body, response.status_code)

    run()
