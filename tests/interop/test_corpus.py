"""Real public forms (tests/fixtures/corpus, README there): each imports with exactly the
result recorded in expected.json, none writes a question whose text is its variable
name, and the shares the issue asks for hold (issue 14, points 3, 4 and 6)."""

from __future__ import annotations

import importlib.util
import json
import sys
from types import ModuleType
from typing import Any

import pytest

from tests.support.paths import ROOT

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
EXPECTED = CORPUS / "expected.json"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "import_corpus", ROOT / "bench" / "import_corpus.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("import_corpus", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    return _bench().measure(["tune", "heldout"])  # type: ignore[no-any-return]


def test_every_form_has_its_exact_expected_result(measured: dict[str, Any]) -> None:
    expected = json.loads(EXPECTED.read_text())
    got = {
        f"{r['tool']}/{r['set']}/{r['form']}": {
            k: r.get(k) for k in ("accepted", "status", "questions", "kept", "gaps")
        }
        for r in measured["forms"]
    }
    assert got == expected


def test_no_import_writes_a_question_whose_text_is_its_name(measured: dict[str, Any]) -> None:
    """Full or partial, every form: each question's text is a label the form has (the
    bench compares with pyxform's and fhir.resources' reading), never its variable name
    put in place of a label that was lost."""
    imported = [r for r in measured["forms"] if r["accepted"] and r["status"] != "refused"]
    assert len(imported) > 50
    assert {r["form"]: r["foreign_text"] for r in imported if r["foreign_text"]} == {}


def test_the_shares_the_issue_asks_for(measured: dict[str, Any]) -> None:
    """Of the forms pyxform or fhir.resources accepts, at least 60% import fully or as a
    valid partial, held-out forms too (forms the importers were not fixed against)."""
    summary = measured["summary"]
    for name in ("all", "heldout"):
        assert summary[name]["full"] + summary[name]["partial"] >= 0.6, summary[name]
    # held out: the forms the importers were not fixed against keep 85% of their
    # questions pooled (XLSForm and FHIR together), the XLSForms alone too
    for name in ("heldout", "xlsform/heldout"):
        assert summary[name]["kept_of_imported"] >= 0.85, summary[name]
