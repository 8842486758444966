"""FHIR and CSV exports of stored interviews, over the web and the command line: who may
see what (own organisation only, never private interviews, only with consent to store),
what is left out (skips, declines), and cells safe from formula injection."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from screening.cli.main import main
from screening.interop.csv_export import safe
from screening.interop.fhir.check import check_questionnaire, check_response
from screening.interop.fhir.export import questionnaire
from screening.load.loader import load_file
from screening.services import interviews as service
from tests.support.apps import BACKENDS, PASSWORD, web_app
from tests.support.builders import instrument_yaml
from tests.support.paths import INSTRUMENTS

CSVTEST = (
    instrument_yaml(
        """
    sections:
      - id: s
        title: Test
        items:
          - {id: words, type: text, text: Words?, why: Test.}
          - {id: mood, type: single, text: Mood?, why: Test., options: [{value: ok, label: OK},
             {value: low, label: Low}]}
          - {id: picks, type: multiple, text: Picks?, why: Test., options: [{value: a, label: A},
             {value: b, label: B}]}
          - {id: count, type: number, integer: true, text: How many?, why: Test.}
          - {id: when, type: date, text: When?, why: Test.}
          - {id: worried, type: yes_no, text: Worried?, why: Test.}
    flags:
      - {id: low_mood, severity: moderate, label: Low mood, person: Your mood has been low,
         when: {item: mood, equals: low}}
    """
    )
    .replace("id: test", "id: csvtest")
    .replace("audiences: [worker]", "audiences: [worker, private]")
)


@pytest.fixture(params=BACKENDS)
def app(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "csvtest.yaml").write_text(CSVTEST)
    (folder / "phq9.yaml").write_bytes((INSTRUMENTS / "phq9.yaml").read_bytes())
    monkeypatch.setenv("SCREENING_INSTRUMENTS", str(folder))
    yield from web_app(request.param, tmp_path, [("ana", "Org A"), ("ben", "Org B")])


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    answer = client.post("/api/v1/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200
    return client


def interview(
    app: Flask, client: FlaskClient, answers: dict[str, Any], *, consent: bool = True,
    mode: str = "worker",
) -> str:  # fmt: skip
    started = client.post("/api/v1/interviews", json={"instrument": "csvtest", "mode": mode})
    assert started.status_code == 201, started.json
    interview_id = started.json["id"]
    ext = app.extensions["screening"]
    if consent:
        entry = service.consent_entry(store=True, share=False, service=None, statistics=False)
        personal = client.get_cookie("pk") if mode == "private" else None
        key = base64.urlsafe_b64decode(personal.value) if personal is not None else None
        service.record(ext.engine, ext.master, interview_id, entry, "consent-key", key)
    for n, (item, value) in enumerate(answers.items()):
        body = {"item": item, "key": f"key-{n:04d}", **value}
        assert (
            client.post(f"/api/v1/interviews/{interview_id}/answers", json=body).status_code == 200
        )
    return str(interview_id)


FORMULAS = '=HYPERLINK("http://x","y")'


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_download_keeps_to_the_rules(app: Flask) -> None:
    ana, ben = signed_in(app, "ana"), signed_in(app, "ben")
    full = interview(app, ana, {
        "words": {"value": FORMULAS}, "mood": {"value": "low"}, "picks": {"value": ["a", "b"]},
        "count": {"value": -3}, "when": {"value": "2026-01-02"}, "worried": {"declined": True},
    })  # fmt: skip
    skipped = interview(app, ana, {"words": {"value": "@SUM(A1)"}, "mood": {"value": None}})
    no_consent = interview(app, ana, {"words": {"value": "kept out"}}, consent=False)
    other_org = interview(app, ben, {"words": {"value": "Org B only"}})
    private = app.test_client()
    interview(app, private, {"words": {"value": "private words"}}, mode="private")

    data = ana.get("/api/v1/export/interviews.csv")
    assert data.status_code == 200 and data.mimetype == "text/csv"
    assert data.headers["Cache-Control"] == "no-store"
    text = data.data.decode()
    table = {r["interview_id"]: r for r in rows(text)}
    full, skipped = safe(full), safe(skipped)  # an id may start with "-": it is escaped too
    assert set(table) == {full, skipped}
    assert no_consent not in text and other_org not in text
    assert "private words" not in text and "kept out" not in text
    one = table[full]
    assert one["words"] == "'" + FORMULAS  # a formula is never a formula in a spreadsheet
    assert (one["mood"], one["picks"], one["count"], one["when"]) == (
        "low",
        "a b",
        "-3",
        "2026-01-02",
    )
    assert one["worried"] == ""  # "prefer not to say" is left out, like a skip
    assert one["flag.low_mood"] == "1" and one["status"] == "completed"
    two = table[skipped]
    assert two["words"] == "'@SUM(A1)" and two["mood"] == "" and two["flag.low_mood"] == "0"
    assert two["status"] == "in-progress"

    long = rows(ana.get("/api/v1/export/interviews.csv?format=long").data.decode())
    mine = [(r["kind"], r["id"], r["value"]) for r in long if r["interview_id"] == full]
    assert ("answer", "picks", "a") in mine and ("answer", "picks", "b") in mine
    assert ("flag", "low_mood", "1") in mine
    assert not any(i == "worried" for _, i, _ in mine)
    assert {r["interview_id"] for r in long} == {full, skipped}
    assert other_org not in {r["interview_id"] for r in long}

    dictionary = rows(ana.get("/api/v1/export/dictionary.csv").data.decode())
    described = {r["column"]: r for r in dictionary}
    assert described["mood"]["values"] == "ok=OK; low=Low"
    assert "prefer not to say" in described["words"]["description"]
    assert described["flag.low_mood"]["type"] == "boolean"

    assert app.test_client().get("/api/v1/export/interviews.csv").status_code == 401
    other = other_org_csv(ben)
    assert safe(other_org) in other and full not in other


def other_org_csv(client: FlaskClient) -> str:
    return client.get("/api/v1/export/interviews.csv").data.decode()


def test_fhir_over_the_web(app: Flask) -> None:
    ana, ben = signed_in(app, "ana"), signed_in(app, "ben")
    mine = interview(app, ana, {"words": {"value": "hello"}, "mood": {"value": "ok"},
                                "worried": {"value": "no"}})  # fmt: skip
    got = ana.get(f"/api/v1/interviews/{mine}/fhir")
    assert got.status_code == 200 and got.mimetype == "application/fhir+json"
    resource = json.loads(got.data)
    instrument = ana.get("/api/v1/instruments/csvtest/fhir")
    assert instrument.status_code == 200
    assert check_questionnaire(json.loads(instrument.data)) == []
    assert check_response(resource, json.loads(instrument.data)) == []
    answers = {i["linkId"]: i["answer"] for g in resource["item"] for i in g["item"]}
    assert answers["worried"] == [{"valueBoolean": False}]
    assert answers["words"] == [{"valueString": "hello"}]
    assert ben.get(f"/api/v1/interviews/{mine}/fhir").status_code == 404
    assert app.test_client().get(f"/api/v1/interviews/{mine}/fhir").status_code == 401
    assert app.test_client().get("/api/v1/instruments/phq9/fhir").status_code == 401
    person = app.test_client()
    private = interview(app, person, {"words": {"value": "mine"}}, mode="private")
    assert ana.get(f"/api/v1/interviews/{private}/fhir").status_code == 404
    assert person.get(f"/api/v1/interviews/{private}/fhir").status_code == 401
    refused = ana.get(f"/api/v1/interviews/{mine}/fhir", headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403


def test_every_route_declares_who_may_use_it(app: Flask) -> None:
    from screening.web.standards import ACCESS

    routes = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("standards.")}
    assert routes and routes == set(ACCESS)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+2", "'=1+2"), ("+1", "'+1"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), (-3, "-3"), (2.5, "2.5"),
        (True, "1"), (None, ""), ("a=b", "a=b"),
    ],
)  # fmt: skip
def test_formula_injection(cell: object, written: str) -> None:
    assert safe(cell) == written


# --- the command line ---------------------------------------------------------------


def run(*args: object, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def test_export_fhir_instrument(tmp_path: Path) -> None:
    shown = run("export", "fhir", "gad7")
    assert shown.exit_code == 0, shown.stderr
    locales = INSTRUMENTS.parent / "locales"  # the shipped catalogs: item texts translated
    exported = json.loads(shown.stdout)
    assert exported == questionnaire(load_file(INSTRUMENTS / "gad7.yaml"), locales).resource
    languages = {
        part["valueCode"]
        for ext in exported["item"][0]["_text"]["extension"]
        for part in ext["extension"]
        if part["url"] == "lang"
    }
    assert {"fr", "ar", "ti", "zh-Hans"} <= languages, languages
    assert "not exported" in shown.stderr  # the score and need are named
    target = tmp_path / "out" / "q.json"
    by_path = run("export", "fhir", INSTRUMENTS / "pc-ptsd-5.yaml", "-o", target)
    assert by_path.exit_code == 0 and check_questionnaire(json.loads(target.read_text())) == []
    missing = run("export", "fhir", "no-such-thing")
    assert missing.exit_code == 1 and "Traceback" not in missing.output


def test_export_from_the_database(app: Flask, tmp_path: Path) -> None:
    ana = signed_in(app, "ana")
    mine = interview(app, ana, {"words": {"value": "=cmd"}, "mood": {"value": "ok"}})
    private = interview(app, app.test_client(), {"words": {"value": "x"}}, mode="private")
    settings = app.extensions["screening"].settings
    env = {"DATABASE_URL": settings.database_url, "SCREENING_INSTANCE": str(settings.instance)}
    done = run("export", "fhir-response", "--", mine, env=env)  # an id may start with "-"
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["resourceType"] == "QuestionnaireResponse"
    refused = run("export", "fhir-response", "--", private, env=env)
    assert refused.exit_code == 1 and "never exported" in refused.stderr
    output = tmp_path / "export" / "interviews.csv"
    written = run("export", "csv", "-o", output, env=env)
    assert written.exit_code == 0, written.output
    assert [r["interview_id"] for r in rows(output.read_text())] == [safe(mine)]
    assert "'=cmd" in output.read_text()
    assert (tmp_path / "export" / "interviews.dictionary.csv").exists()
    long = run("export", "csv", "--long", "-o", tmp_path / "long.csv", env=env)
    assert long.exit_code == 0 and "answer,words,'=cmd" in (tmp_path / "long.csv").read_text()
    nokey = run(
        "export", "csv", "-o", output, env={**env, "SCREENING_INSTANCE": str(tmp_path / "none")}
    )
    assert nokey.exit_code == 1 and "no master key" in nokey.stderr
