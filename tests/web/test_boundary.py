"""The one input boundary (issue 16): hostile text is a 400 before any view or database
sees it, on every route, on SQLite and PostgreSQL; nothing is written; the
organisation's CSV export still works afterwards. And what older code stored that no
encoder takes (a lone surrogate) is read safely everywhere: pages, CSV, FHIR, the
private check-in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, TestResponse, run_wsgi_app

from screening.services import interviews as service
from screening.store import db as storage
from screening.web import boundary, csrf
from tests.support.api import signed_in, start
from tests.support.apps import BACKENDS, web_app
from tests.support.checkin import data_key

SAME = {"Sec-Fetch-Site": "same-origin"}
SURROGATE = '"surr\\ud800gate"'  # JSON text: a lone surrogate written as an escape
TABLES = (
    storage.interviews,
    storage.entries,
    storage.plan_versions,
    storage.shares,
    storage.interview_languages,
    storage.users,
    storage.organisations,
)


@pytest.fixture(scope="module", params=BACKENDS)
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from web_app(request.param, tmp_path_factory.mktemp("boundary"), [("ana", "Org A")])


@pytest.fixture(scope="module")
def owner(app: Flask) -> tuple[FlaskClient, str, str]:
    """A signed-in worker, a consented interview with one answer, and a CSRF token."""
    client = signed_in(app)
    flow, _ = start(client, "gad7")
    ext = app.extensions["screening"]
    consent = service.consent_entry(store=True, share=False, service=None, statistics=False)
    service.record(ext.engine, ext.master, flow.id, consent, "boundary-consent")
    flow.answer("gad7_1", 1)
    sid = client.get_cookie("sid")
    assert sid is not None
    with app.test_request_context():
        token = csrf.issue(sid.value)
    return client, flow.id, token


def written(app: Flask) -> dict[str, int]:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        return {t.name: storage.count(conn, t) for t in TABLES}


def export_works(client: FlaskClient, interview_id: str) -> None:
    for form in ("wide", "long"):
        response = client.get(f"/api/v1/export/interviews.csv?format={form}")
        assert response.status_code == 200, response.data[:300]
        assert interview_id in response.get_data(as_text=True)


def refused(response: Any, api: bool) -> None:
    assert response.status_code == 400, (response.status_code, response.data[:300])
    if api:
        assert response.json["error"]["code"] == "bad-input"
    else:
        assert response.mimetype == "text/html"
        assert "Nothing was saved" in response.get_data(as_text=True)


# ---------------------------------------------------------------- the cases of the issue


def _json(client: FlaskClient, path: str, text: str) -> Any:
    return client.post(path, data=text, content_type="application/json", headers=SAME)


@pytest.mark.parametrize(
    "body",
    [
        '{"username": ' + SURROGATE + ', "password": "a long enough password"}',
        '{"username": "ana", "password": ' + SURROGATE + "}",
        '{"username": "a\\u0000na", "password": "a long enough password"}',
        '{"username": "ana\\r\\nX-Forged: 1", "password": "x"}',
        "[" * 1000,
        '{"a": ' * 1000 + "1" + "}" * 1000,
        '{"username": 1' + "0" * 5000 + ', "password": "x"}',
        '{"username": NaN, "password": "x"}',
        '{"username": 1e999, "password": "x"}',
        b'{"username": "\xed\xa0\x80", "password": "x"}'.decode("latin-1"),
    ],
    ids=[
        "surrogate-user",
        "surrogate-pw",
        "nul",
        "crlf",
        "deep-list",
        "deep-object",
        "huge",
        "nan",
        "infinity",
        "utf8-surrogate",
    ],
)
def test_hostile_login_bodies_are_a_400_and_sign_in_nothing(app: Flask, body: str) -> None:
    client = app.test_client()
    before = written(app)
    data = body.encode("latin-1") if "\xed" in body else body.encode()
    response = client.post(
        "/api/v1/login", data=data, content_type="application/json", headers=SAME
    )
    refused(response, api=True)
    assert client.get_cookie("sid") is None
    assert written(app) == before


def test_hostile_keys_and_answers_are_a_400(
    app: Flask, owner: tuple[FlaskClient, str, str]
) -> None:
    client, interview_id, _ = owner
    before = written(app)
    for body in [
        '{"item": "gad7_2", "value": 1, "key": ' + SURROGATE + "}",
        '{"item": "gad7_2", "value": 1, "key": "key\\u0000-0001"}',
        '{"item": "gad7\\u0000_2", "value": 1, "key": "key-0001-a"}',
        '{"item": "gad7_2", "value": ' + SURROGATE + ', "key": "key-0001-b"}',
        '{"item": "gad7_2", "value": "a\\u0000b", "key": "key-0001-c"}',
    ]:
        refused(_json(client, f"/api/v1/interviews/{interview_id}/answers", body), api=True)
    assert written(app) == before
    export_works(client, interview_id)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/interviews/abc%00def", "/api/v1/interviews/abc%0d%0adef/fhir", "/interviews/a%00b",
     "/interviews/%ED%A0%80", "/api/v1/interviews/%ED%A0%80", "/api/v1/interviews/" + "a" * 3000],
)  # fmt: skip
def test_hostile_paths_are_a_400(
    app: Flask, owner: tuple[FlaskClient, str, str], path: str
) -> None:
    client, interview_id, _ = owner
    # As a server hands it over: PATH_INFO holds the path's bytes, decoded as latin-1
    # (the test client would put U+FFFD in place of bytes that are not UTF-8).
    # Run straight through the WSGI app: the test client's URL parsing drops CR/LF.
    environ = EnvironBuilder(path="/", headers=SAME).get_environ()
    environ["PATH_INFO"] = unquote_to_bytes(path).decode("latin-1")
    cookie = client.get_cookie("sid")
    assert cookie is not None
    environ["HTTP_COOKIE"] = f"sid={cookie.value}"
    body, status, headers = run_wsgi_app(app, environ, buffered=True)
    refused(TestResponse(body, status, headers, request=None), api=path.startswith("/api/"))
    export_works(client, interview_id)


def test_a_line_break_in_the_language_forms_back_field_is_a_400(
    app: Flask, owner: tuple[FlaskClient, str, str]
) -> None:
    client, interview_id, token = owner
    before = written(app)
    for back in (f"/interviews/{interview_id}\r\nSet-Cookie: x=1", f"/interviews/{interview_id}\n"):
        response = client.post(
            f"/interviews/{interview_id}/language",
            data={"csrf": token, "lang": "fr", "back": back},
            headers=SAME,
        )
        refused(response, api=False)
    assert written(app) == before


def test_free_text_keeps_its_line_breaks_but_never_a_nul(
    app: Flask, owner: tuple[FlaskClient, str, str]
) -> None:
    client, interview_id, token = owner
    form = {
        "csrf": token,
        "author": "worker",
        "goals": "one\r\ntwo\tthree",
        "action_what_0": "ring\nback",
    }
    ok = client.post(f"/interviews/{interview_id}/plan", data=form, headers=SAME)
    assert ok.status_code < 400, ok.data[:300]
    before = written(app)
    bad = client.post(
        f"/interviews/{interview_id}/plan", data={**form, "goals": "a\x00b"}, headers=SAME
    )
    refused(bad, api=False)
    assert written(app) == before


@pytest.mark.parametrize("api", [True, False])
def test_ten_megabytes_are_refused_without_a_5xx(
    app: Flask, owner: tuple[FlaskClient, str, str], api: bool
) -> None:
    client, interview_id, token = owner
    before = written(app)
    big = "x" * (10 * 1024 * 1024)
    if api:
        response = _json(client, f"/api/v1/interviews/{interview_id}/answers", big)
    else:
        response = client.post(
            f"/interviews/{interview_id}/answer",
            data={"csrf": token, "item": "gad7_2", "value": big},
            headers=SAME,
        )
    refused(response, api=api)
    assert written(app) == before


def test_hostile_cookies_query_strings_and_headers_are_a_400(
    app: Flask, owner: tuple[FlaskClient, str, str]
) -> None:
    client, interview_id, _ = owner
    fresh = app.test_client()
    fresh.set_cookie("sid", "abc\x01def")
    refused(fresh.get(f"/api/v1/interviews/{interview_id}"), api=True)
    refused(client.get("/api/v1/export/interviews.csv?format=wi%00de"), api=True)
    refused(client.get("/?q=%ED%A0%80"), api=False)
    refused(client.get("/checkin", headers={"X-Checkin-Session": "a\x00b"}), api=False)
    export_works(client, interview_id)


def test_the_depth_scan_ignores_brackets_inside_strings() -> None:
    assert boundary.json_depth('{"a": "[[[[[[[[[[\\"[[[[["}') == 1
    assert boundary.json_depth("[[[]]]") == 3
    assert boundary.parse_json(('{"a": "' + "[" * 100 + '"}').encode()) == {"a": "[" * 100}


# ---------------------------------------------------------------- every route, generated


HOSTILE = st.one_of(
    st.sampled_from(
        ["surr\ud800gate", "a\x00b", "\r\nX: y", "\u202eevil\u202c", "\u2066x\u2069", "\x1b[31m",
         "9" * 400, "1e999", "\ufeff=1+1", "\udfff", "..%2f..", "\x7f\x85", "a" * 5000]
    ),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Cs", "Zl", "Zp"]), min_size=1,
            max_size=8),
    st.text(max_size=30),
)  # fmt: skip
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**40), 10**40), st.floats(), HOSTILE),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["key", "item", "value", "username", "section"]), inner,
                        max_size=4),
    ),
    max_leaves=8,
)  # fmt: skip


def _routes(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return sorted(found)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _raw_json(value: Any) -> bytes:
    """JSON text as a client may send it: lone surrogates as escapes, ints in full."""
    import json

    return json.dumps(value, allow_nan=True).encode()


LEAVES = ("/logout", "/signout", "/signout/everywhere", "/checkin/leave", "/discard")  # end things


def test_every_route_takes_hostile_text_without_a_5xx_or_a_write(
    app: Flask, owner: tuple[FlaskClient, str, str]
) -> None:
    client, interview_id, token = owner
    routes = [r for r in _routes(app) if not r[1].endswith(LEAVES)]
    cookie = client.get_cookie("sid")
    assert cookie is not None
    sid = cookie.value
    assert len(routes) > 30  # the whole app, not a sample of it

    @settings(
        max_examples=max(60, 3 * len(routes)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        route=st.sampled_from(routes),
        where=st.sampled_from(["path", "query", "body", "form", "header", "cookie"]),
        text=HOSTILE,
        value=JSON_VALUE,
    )
    def run(route: tuple[str, str], where: str, text: str, value: Any) -> None:
        method, rule = route

        def fill(match: re.Match[str]) -> str:
            if where == "path":
                return _quote(text)
            return interview_id if match.group(1) == "interview_id" else "gad7"

        url = re.sub(r"<(?:\w+:)?(\w+)>", fill, rule)
        headers = dict(SAME)
        kwargs: dict[str, Any] = {}
        if where == "query":
            url += "?format=" + _quote(text) + "&lang=" + _quote(text) + "&q=" + _quote(text)
        elif where == "header":
            latin = text.encode("utf-8", "surrogatepass").decode("latin-1")
            headers["Accept-Language"] = latin.replace("\r", "").replace("\n", "")
        elif where == "body":
            kwargs = {"data": _raw_json(value), "content_type": "application/json"}
        elif where == "form":
            form = {"csrf": token, "key": text, "item": text, "value": text, "back": text,
                    "lang": text, "username": text, "password": text, "section": text}  # fmt: skip
            kwargs = {"data": "&".join(f"{k}={_quote(v)}" for k, v in form.items()),
                      "content_type": "application/x-www-form-urlencoded"}  # fmt: skip
        before = written(app)
        if where == "cookie":
            other = app.test_client()  # the header as sent: no cookie jar in between
            raw = text.encode("utf-8", "surrogatepass").decode("latin-1")
            headers["Cookie"] = "sid=" + re.sub("[;\r\n]", "", raw)
            response = other.open(url, method=method, headers=headers)
        else:
            # A fresh client with the owner's session: a route that drops the browser's
            # cookie (/checkin does, for now) leaves the other examples signed in.
            one = app.test_client()
            one.set_cookie("sid", sid)
            response = one.open(url, method=method, headers=headers, **kwargs)
        assert response.status_code < 500, (route, where, text, value, response.data[:300])
        if response.status_code >= 400:
            assert written(app) == before, (route, where, text, value)
        response.close()

    run()
    export_works(client, interview_id)


# ---------------------------------------------------------------- stored by older code


def test_a_stored_lone_surrogate_is_exported_and_shown_safely(app: Flask) -> None:
    client = signed_in(app)
    flow, _ = start(client, "needs-assessment")
    ext = app.extensions["screening"]
    consent = service.consent_entry(store=True, share=False, service=None, statistics=False)
    service.record(ext.engine, ext.master, flow.id, consent, "old-consent")
    # As older code stored it: the service layer takes it (the boundary is the web's).
    answer = {"kind": "answer", "item": "what_helps", "value": "surr\ud800gate"}
    service.record(ext.engine, ext.master, flow.id, answer, "old-surrogate")
    for url in (
        "/api/v1/export/interviews.csv?format=wide",
        "/api/v1/export/interviews.csv?format=long",
        f"/api/v1/interviews/{flow.id}/fhir",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "surr\ufffdgate" in response.get_data(as_text=True), url
    shown = client.get(f"/api/v1/interviews/{flow.id}")
    assert shown.status_code == 200 and shown.json["answers"]["what_helps"] == "surr\ufffdgate"
    pages = [client.get(f"/interviews/{flow.id}?q={n}") for n in range(1, 80)]
    assert all(p.status_code < 500 for p in pages)
    assert any("surr\ufffdgate" in p.get_data(as_text=True) for p in pages)
    for url in (f"/interviews/{flow.id}", f"/interviews/{flow.id}/plan"):
        assert client.get(url).status_code == 200, url


def test_a_stored_lone_surrogate_does_not_break_the_private_check_in(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/api/v1/interviews",
        json={"instrument": "youth-check-in", "mode": "private", "locale": "en"},
        headers=SAME,
    )
    assert response.status_code == 201, response.json
    interview_id = response.json["id"]
    personal = data_key(app, client)  # the cookie's half and the server's, as derived
    assert personal is not None
    ext = app.extensions["screening"]
    answer = {"kind": "answer", "item": "y_good_at", "value": "surr\ud800gate"}
    service.record(ext.engine, ext.master, interview_id, answer, "old-surrogate", personal)
    page = client.get("/checkin")
    assert page.status_code == 200
    pages = [client.get(f"/checkin?q={n}") for n in range(1, 80)]
    assert all(p.status_code < 500 for p in pages)
    assert any("surr\ufffdgate" in p.get_data(as_text=True) for p in pages)
    api = client.get(f"/api/v1/interviews/{interview_id}")
    assert api.status_code == 200 and api.json["answers"]["y_good_at"] == "surr\ufffdgate"


# ---------------------------------------------------------------- sections and HSTS


def test_an_unknown_section_is_a_400_and_writes_nothing(
    app: Flask, owner: tuple[FlaskClient, str, str]
) -> None:
    client, interview_id, _ = owner
    before = written(app)
    for section in ("nope/nothing", "gad7/nothing", "nope"):
        response = client.post(
            f"/api/v1/interviews/{interview_id}/sections",
            json={"section": section, "choice": "skip", "key": f"section-{section}"},
            headers=SAME,
        )
        assert response.status_code == 400, response.json
        assert response.json["error"]["code"] == "unknown-section"
    assert written(app) == before


def test_a_known_section_is_still_taken(app: Flask) -> None:
    client = signed_in(app)
    flow, _ = start(client, "phq9")
    response = client.post(
        f"/api/v1/interviews/{flow.id}/sections",
        json={"section": service.section_keys(_session(app, flow.id)).__iter__().__next__(),
              "choice": "enter", "key": "section-known"},
        headers=SAME,
    )  # fmt: skip
    assert response.status_code == 200, response.json


def _session(app: Flask, interview_id: str) -> Any:
    ext = app.extensions["screening"]
    with storage.transaction(ext.engine) as conn:
        return service.load(conn, ext.master, interview_id).session


def test_production_sends_hsts_and_development_does_not(tmp_path: Path) -> None:
    from screening.config import Settings
    from screening.web import create_app

    for production in (True, False):
        settings = Settings(
            instance=tmp_path / f"i{production}",
            database_url=f"sqlite:///{tmp_path}/hsts{production}.db",
            production=production,
            secret_key="hsts-test-secret-" + "x" * 32,
            data_key=None,
        )
        made = create_app(settings, {"TESTING": True})
        response = made.test_client().get("/signin")
        assert response.status_code == 200
        header = response.headers.get("Strict-Transport-Security")
        if production:
            assert header is not None and "max-age=31536000" in header
        else:
            assert header is None
        made.extensions["screening"].engine.dispose()
