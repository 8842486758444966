"""The OpenAPI 3.1 document matches what the API does.

1. schemathesis generates requests for every operation (valid and invalid bodies,
   parameters and cookies), sends them to the Flask app in-process, and checks: never a
   500, every status is declared, every body matches its schema, content types match.
   Bounded: a few examples per operation (the whole test takes seconds).
2. A real flow (sign in, start, answer, decline, skip a section, result, FHIR, CSV)
   checks each response against the document's schema for that operation and status,
   so the success paths random ids cannot reach are covered too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from schemathesis import GenerationMode

from tests.support.apps import PASSWORD, web_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def _token(app: Flask) -> str:
    client = app.test_client()
    response = client.post("/api/v1/login", json={"username": "ana", "password": PASSWORD})
    assert response.status_code == 200
    cookie = client.get_cookie("sid")
    assert cookie is not None
    return cookie.value


def test_the_document_is_served_and_names_every_api_route(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").json
    assert document is not None and document["openapi"] == "3.1.0"
    documented = {
        (method.upper(), "/api/v1" + path.replace("{", "<").replace("}", ">"))
        for path, ops in document["paths"].items()
        for method in ops
    }
    served = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert documented == served


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_conform(app: Flask, mode: GenerationMode) -> None:
    token = _token(app)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 19
    for operation in operations:
        if operation.path == "/logout":
            continue  # it would end the session the other operations use

        @settings(
            max_examples=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            # Valid data goes in signed in; invalid data with the cookies schemathesis makes
            # up (so it also checks that made-up sessions are refused).
            signed_in = mode is GenerationMode.POSITIVE
            # identity: an answer large enough to be compressed (a page of services) would
            # come back as zstd, which the WSGI transport does not decode
            response = case.call(
                cookies={"sid": token} if signed_in else None,
                headers={"Accept-Encoding": "identity"},
            )
            assert response.status_code < 500, response.text
            case.validate_response(response, excluded_checks=_lenient(signed_in))

        run()


def _lenient(signed_in: bool) -> list[Any]:
    """A schema cannot say everything the API refuses (an instrument id that does not
    exist, an answer that does not fit its item) nor that a random "invalid" body is
    invalid to the API too: whether a request was accepted is left to the flow test
    below; status codes, bodies and content types are checked on every response."""
    from schemathesis.checks import load_all_checks
    from schemathesis.specs.openapi import checks

    load_all_checks()
    skipped = [checks.negative_data_rejection, checks.positive_data_acceptance]
    if signed_in:  # it re-sends without auth, but our cookie would go along
        skipped.append(checks.ignored_auth)
    return skipped


# --- a real flow, checked against the document ------------------------------------------


def _validator(document: dict[str, Any], path: str, method: str, status: int) -> Any:
    responses = document["paths"][path][method]["responses"]
    declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    assert declared is not None, f"{method} {path} {status} is not declared"
    if "$ref" in declared:
        declared = document["components"]["responses"][declared["$ref"].rsplit("/", 1)[1]]
    content = declared.get("content")
    if content is None:
        return None
    media, spec = next(iter(content.items()))
    registry = Registry().with_resource("urn:api", DRAFT202012.create_resource(document))
    text = json.dumps(spec["schema"]).replace('"#/components/', '"urn:api#/components/')
    return media, jsonschema.Draft202012Validator(json.loads(text), registry=registry)


class Checked:
    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()
        self.document = self.client.get("/api/v1/openapi.json").json
        self.seen: set[tuple[str, str]] = set()

    def __call__(self, method: str, path: str, template: str, **kwargs: Any) -> Any:
        response = self.client.open(f"/api/v1{path}", method=method.upper(), **kwargs)
        found = _validator(self.document, template, method, response.status_code)
        self.seen.add((method, template))
        if found is not None:
            media, validator = found
            assert response.mimetype == media, (path, response.mimetype)
            if media.endswith("json"):
                validator.validate(json.loads(response.data))
        return response


def test_a_real_flow_matches_the_document(app: Flask) -> None:
    from screening.services import interviews as service

    call = Checked(app)
    assert (
        call("post", "/login", "/login", json={"username": "ana", "password": "no"}).status_code
        == 401
    )
    call("post", "/login", "/login", json={"username": "ana", "password": PASSWORD})
    started = call("post", "/interviews", "/interviews", json={"instrument": "needs-assessment"})
    interview_id = started.json["id"]
    ext = app.extensions["screening"]
    service.record(
        ext.engine, ext.master, interview_id,
        service.consent_entry(store=True, share=False, service=None, statistics=False), "consent-1",
    )  # fmt: skip
    step = started.json["step"]
    n = 0
    answers = f"/interviews/{interview_id}/answers"
    while not step["done"] and n < 60:
        n += 1
        if step.get("content_warning") and n % 3 == 0:
            body = {"section": step["section"], "choice": "skip", "key": f"key-{n:05d}"}
            step = call(
                "post",
                f"/interviews/{interview_id}/sections",
                "/interviews/{interview_id}/sections",
                json=body,
            ).json["step"]
            continue
        item = step["item"]
        body: dict[str, Any] = {"item": item["id"], "key": f"key-{n:05d}"}
        if n % 4 == 0:
            body["declined"] = True
        else:
            body["value"] = item["options"][0]["value"] if item["options"] else None
            if item["type"] == "multiple":
                body["value"] = [body["value"]]
        step = call("post", answers, "/interviews/{interview_id}/answers", json=body).json["step"]
    assert step["done"]
    wrong = call("post", answers, "/interviews/{interview_id}/answers", json={"item": "x"})
    assert wrong.status_code == 400
    call("get", f"/interviews/{interview_id}", "/interviews/{interview_id}")
    changed = call(
        "patch", f"/interviews/{interview_id}", "/interviews/{interview_id}", json={"locale": "ar"}
    )
    assert (
        changed.json["answers"]
        == call(  # a change of language keeps every answer
            "get", f"/interviews/{interview_id}", "/interviews/{interview_id}"
        ).json["answers"]
    )
    call("get", f"/interviews/{interview_id}/result", "/interviews/{interview_id}/result")
    fhir = call("get", f"/interviews/{interview_id}/fhir", "/interviews/{interview_id}/fhir")
    assert fhir.json["status"] == "completed"
    call("get", "/instruments/phq9/fhir", "/instruments/{instrument_id}/fhir")
    assert (
        call("get", "/instruments/nope/fhir", "/instruments/{instrument_id}/fhir").status_code
        == 404
    )
    feedback = "/instruments/{instrument_id}/feedback"  # issue 18: the team's only
    assert call("get", "/instruments/phq9/feedback", feedback).status_code == 403
    csv_text = call("get", "/export/interviews.csv", "/export/interviews.csv").data.decode()
    assert interview_id in csv_text
    call("get", "/export/dictionary.csv?format=long", "/export/dictionary.csv")
    assert (
        call("get", "/export/interviews.csv?format=x", "/export/interviews.csv").status_code == 400
    )
    _referrals(call, app, interview_id)
    call("post", "/logout", "/logout")
    assert call("get", "/export/interviews.csv", "/export/interviews.csv").status_code == 401
    call("get", "/openapi.json", "/openapi.json")
    found = call("get", "/services?no_id=1&language=ar", "/services")  # issue 20: public
    assert found.json["contents"] and found.json["total_items"] == len(found.json["contents"])
    every = {(m, p) for p, ops in call.document["paths"].items() for m in ops}
    assert call.seen == every


def _referrals(call: Checked, app: Flask, interview_id: str) -> None:
    """A plan with one referral; the referral routes, read, moved on and refused."""
    from screening.core.plan import Plan, Referral
    from screening.store import plans as planstore

    ext = app.extensions["screening"]
    plan = Plan(referrals=(Referral("svc-1", "A fictional service", need="housing"),))
    planstore.save_plan(
        ext.engine, ext.master, interview_id, plan, author_role="worker", user_id=None
    )
    listed = f"/interviews/{interview_id}/referrals"
    rid = call("get", listed, "/interviews/{interview_id}/referrals").json["referrals"][0]["id"]
    one, template = f"{listed}/{rid}", "/interviews/{interview_id}/referrals/{referral_id}"
    assert call("get", one, template).json["status"] is None
    assert call("patch", one, template, json={"status": "connected"}).status_code == 400
    assert call("patch", one, template, json={"status": "offered"}).json["status"] == "offered"
    call("get", "/export/referrals.csv", "/export/referrals.csv")
    call("get", "/export/referrals-dictionary.csv", "/export/referrals-dictionary.csv")


def test_the_documented_need_levels_are_the_engines() -> None:
    """The OpenAPI enum names every need level and every reason a need is unknown."""
    from screening.core.scoring import LEVELS, MISSING_REASONS
    from screening.resources import package

    document = json.loads((package() / "web" / "openapi.json").read_text(encoding="utf-8"))
    need = document["components"]["schemas"]["Result"]["properties"]["needs"]
    shape = need["additionalProperties"]["properties"]
    assert sorted(shape["level"]["enum"]) == sorted(LEVELS)
    assert "unknown" in shape["level"]["enum"]
    assert sorted(shape["missing"]["additionalProperties"]["enum"]) == sorted(MISSING_REASONS)
