"""A database written by the first wave's code (tests/fixtures/wave1, made once by its
make.py) still opens: every stored interview loads with the answers it was given, its
summary and plan pages show, its plan prints (HTML and PDF) and it exports (FHIR, CSV).

This is the guard for "stored interviews pin their instrument text": a change to the
instrument format, the result model or the store that breaks an old interview fails
here, with a database no test of today's code wrote.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.html import screen
from tests.support.paths import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "wave1"
EXPECTED: dict[str, dict[str, Any]] = json.loads((FIXTURE / "expected.json").read_text())
DATA_KEY = "d2F2ZS1vbmUtZml4dHVyZS1rZXktMzItYnl0ZXMhISE="  # as make.py: fictional data
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from screening.config import Settings
    from screening.web import create_app

    folder = tmp_path_factory.mktemp("wave1")
    shutil.copy(FIXTURE / "screening.db", folder / "screening.db")  # never the original
    settings = Settings(
        instance=folder / "instance",
        database_url=f"sqlite:///{folder / 'screening.db'}",
        production=False,
        secret_key="wave1-test",
        data_key=DATA_KEY,
    )
    application = create_app(settings, {"TESTING": True})
    yield application
    application.extensions["screening"].engine.dispose()


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    signed = app.test_client()
    login = signed.post("/api/v1/login", json={"username": "ana", "password": PASSWORD})
    assert login.status_code == 200, login.json
    return signed


def test_the_fixture_holds_what_make_wrote() -> None:
    assert len(EXPECTED) == 10
    kinds = {tuple(case["instruments"]) for case in EXPECTED.values()}
    assert ("needs-assessment", "phq9") in kinds and ("youth-check-in",) in kinds
    assert {case["status"] for case in EXPECTED.values()} == {"done", "in_progress"}


@pytest.mark.parametrize("interview_id", sorted(EXPECTED))
def test_every_stored_interview_loads_summarises_and_prints(
    client: FlaskClient, interview_id: str
) -> None:
    case = EXPECTED[interview_id]
    shown = client.get(f"/api/v1/interviews/{interview_id}")
    assert shown.status_code == 200, shown.json
    assert shown.json["answers"] == case["answers"]  # not one answer changed or lost
    assert shown.json["status"] == case["status"]
    result = client.get(f"/api/v1/interviews/{interview_id}/result")
    assert result.status_code == 200, result.json
    assert set(result.json) >= {"needs", "flags"}, result.json
    page = client.get(f"/interviews/{interview_id}")
    assert page.status_code == 200, page.text
    if not case["consent"]:  # asked for first, on a page, before any question
        assert screen(page.text) == "consent", page.text
    elif case["status"] == "done":  # the summary, after the help screen of an urgent flag
        assert 'id="strengths-' in page.text or screen(page.text) == "help", page.text
    else:
        assert screen(page.text) in ("answer", "section"), page.text
    plan = client.get(f"/interviews/{interview_id}/plan")
    assert plan.status_code == 200, plan.text
    printed = client.get(f"/interviews/{interview_id}/plan/print")
    assert printed.status_code == 200, printed.text
    if case["plan"]:
        assert "Fictional goal: a quiet place to sleep" in printed.text
    fhir = client.get(f"/api/v1/interviews/{interview_id}/fhir")
    assert fhir.status_code == 200, fhir.text
    assert json.loads(fhir.data)["resourceType"] in ("QuestionnaireResponse", "Bundle")


@pytest.mark.parametrize(
    "interview_id", sorted(i for i, case in EXPECTED.items() if case["plan"])[:3]
)
def test_stored_plans_print_as_pdf(client: FlaskClient, interview_id: str, tmp_path: Path) -> None:
    pdf = client.get(f"/interviews/{interview_id}/plan/print?format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")
    (tmp_path / "plan.pdf").write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "plan.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Fictional goal" in text


def test_stored_interviews_export_as_csv(client: FlaskClient) -> None:
    export = client.get("/api/v1/export/interviews.csv")
    assert export.status_code == 200, export.text
    rows = list(csv.DictReader(io.StringIO(export.data.decode("utf-8-sig"))))
    consented = {i for i, case in EXPECTED.items() if case["consent"]}
    # an id starting with "-" is written "'-..." so that no spreadsheet reads a formula
    found = {v.removeprefix("'") for row in rows for v in row.values()} & set(EXPECTED)
    assert found == consented, rows[:1]
    dictionary = client.get("/api/v1/export/dictionary.csv")
    assert dictionary.status_code == 200 and dictionary.data.strip()


def test_plans_made_before_referral_statuses_list_and_follow_their_referrals(
    client: FlaskClient,
) -> None:
    """Issue 21: a plan of the first wave shows its referrals as not offered yet, one can
    be moved on, and the plan still prints as before; the home page opens."""
    planned = sorted(i for i, case in EXPECTED.items() if case["plan"])
    assert planned
    interview_id = planned[0]
    before = client.get(f"/interviews/{interview_id}/plan/print").text
    listed = client.get(f"/api/v1/interviews/{interview_id}/referrals")
    assert listed.status_code == 200, listed.json
    referrals = listed.json["referrals"]  # type: ignore[index]
    assert referrals and all(r["status"] is None and r["history"] == [] for r in referrals)
    page = client.get(f"/interviews/{interview_id}/referrals")
    assert page.status_code == 200  # (in the language the worker chose last)
    assert page.text.count('name="status" value="offered"') == len(referrals)
    url = f"/api/v1/interviews/{interview_id}/referrals/{referrals[0]['id']}"
    moved = client.patch(url, json={"status": "offered"})
    assert moved.status_code == 200 and moved.json["status"] == "offered"  # type: ignore[index]
    assert client.get(f"/interviews/{interview_id}/plan/print").text == before
    assert client.get("/").status_code == 200
    export = client.get("/api/v1/export/referrals.csv")
    assert export.status_code == 200 and referrals[0]["id"] in export.text
