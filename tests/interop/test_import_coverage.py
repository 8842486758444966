"""What real forms hold and the importers now bring in exactly (issue 14, point 6: the
corpus' per-form losses): FHIR items nested under a question, R4's own value sets,
codes that are no LOINC code; XLSForm groups named like a question, notes without a
name, pyxform's ``uri:`` device properties; and how the corpus bench counts questions."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from screening.core.conditions import parse
from screening.interop.fhir import importer as fhir_import
from screening.interop.writer import render
from screening.interop.xlsform import importer as xls_import
from screening.load.loader import load_bytes
from tests.support.paths import ROOT
from tests.support.xlsforms import workbook

TODAY = dt.date(2026, 12, 4)
YES_NO_DONT_KNOW = "http://hl7.org/fhir/ValueSet/yesnodontknow"


def _questionnaire(items: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    return {"resourceType": "Questionnaire", "status": "active", "language": "en",
            "title": "Nested", **top, "item": items}  # fmt: skip


def _fhir(resource: dict[str, Any]) -> tuple[Any, list[str], list[str]]:
    result = fhir_import.from_resource(resource, "q.json", "nested", today=TODAY)
    gaps = [f"{g.where}: {g.message}" for g in result.gaps if not g.note]
    notes = [f"{g.where}: {g.message}" for g in result.gaps if g.note]
    doc = load_bytes(render(result).encode(), "nested.yaml") if not gaps else result.doc
    return doc, gaps, notes


def test_questions_nested_under_a_question_are_asked_after_it_once_it_is_answered() -> None:
    """A QuestionnaireResponse holds them only under an answer of their parent: asked
    right after it, when it is answered; a group there gives its text as a note above."""
    ins, gaps, notes = _fhir(
        _questionnaire([
            {"linkId": "job", "text": "Do you have work?", "type": "string",
             "item": [
                 {"linkId": "hours", "text": "How many hours a week?", "type": "integer"},
                 {"linkId": "pay", "text": "About the pay", "type": "group",
                  "item": [{"linkId": "paid", "text": "Are you paid?", "type": "boolean",
                            "enableWhen": [{"question": "hours", "operator": ">",
                                            "answerInteger": 0}]}]},
             ]},
            {"linkId": "after", "text": "Anything else?", "type": "string"},
        ])
    )  # fmt: skip
    assert gaps == []
    assert any("nested under this question" in n for n in notes)
    section = ins.sections[0]
    assert [(i.id, i.type) for i in section.items] == [
        ("job", "text"), ("hours", "number"), ("paid", "yes_no"), ("after", "text"),
    ]  # fmt: skip
    answered = parse({"item": "job", "answered": True})
    assert ins.item("hours").show_if == answered
    assert ins.item("paid").show_if == parse(
        {"all": [{"item": "job", "answered": True}, {"item": "hours", "gt": 0}]}
    )
    assert ins.item("after").show_if is None
    assert [(n.id, n.text, n.display) for n in section.notes_before("paid")] == [
        ("pay", "About the pay", "above")
    ]


def test_items_under_a_repeating_question_are_still_left_out_by_row() -> None:
    """Under a question with several answers they are asked once per answer: nothing
    here says that, so they are a gap, and the question itself still comes in."""
    result = fhir_import.from_resource(
        _questionnaire([
            {"linkId": "langs", "text": "Which languages?", "type": "choice", "repeats": True,
             "answerOption": [{"valueCoding": {"code": "a", "display": "A"}}],
             "item": [{"linkId": "level", "text": "How well?", "type": "string"}]},
        ]),
        "q.json", "nested", today=TODAY,
    )  # fmt: skip
    assert [(g.where, g.code.value) for g in result.gaps if not g.note] == [
        ("q.json:item[0].item[0]", "nested-group")
    ]
    ins = load_bytes(render(result).encode(), "nested.yaml")
    assert [i.id for i in ins.items] == ["langs"]
    result = fhir_import.from_resource(
        _questionnaire([
            {"linkId": "kids", "text": "Do you have children?", "type": "boolean",
             "item": [{"linkId": "each", "text": "Each child", "type": "group",
                       "repeats": True,
                       "item": [{"linkId": "age", "text": "Age?", "type": "integer"}]}]},
        ]),
        "q.json", "nested", today=TODAY,
    )  # fmt: skip
    assert [(g.where, g.code.value) for g in result.gaps if not g.note] == [
        ("q.json:item[0].item[0].repeats", "repeat")
    ]
    assert [i.id for i in load_bytes(render(result).encode(), "n.yaml").items] == ["kids"]


def test_r4s_own_value_sets_come_with_their_codes_a_contained_one_wins() -> None:
    asked = {"linkId": "q1", "text": "Did it happen?", "type": "choice",
             "answerValueSet": YES_NO_DONT_KNOW}  # fmt: skip
    ins, gaps, _ = _fhir(_questionnaire([asked]))
    assert gaps == []
    options = ins.item("q1").options
    assert [(o.value, o.label) for o in options] == [
        ("Y", "Yes"),
        ("N", "No"),
        ("asked-unknown", "Don't know"),
    ]
    assert options[2].codes[0].system == "http://terminology.hl7.org/CodeSystem/data-absent-reason"
    own = {"resourceType": "ValueSet", "url": YES_NO_DONT_KNOW, "status": "active",
           "compose": {"include": [{"system": "http://example.org/yn",
                                    "concept": [{"code": "y", "display": "Yes"}]}]}}  # fmt: skip
    ins, gaps, _ = _fhir(_questionnaire([asked], contained=[own]))
    assert gaps == [] and [o.value for o in ins.item("q1").options] == ["y"]


def test_a_loinc_code_with_a_wrong_check_digit_is_noted_and_left_out() -> None:
    """It would make the instrument fail ``validate`` (and the form be refused)."""
    ins, gaps, notes = _fhir(
        _questionnaire(
            [{"linkId": "q1", "text": "Name?", "type": "string",
              "code": [{"system": "http://loinc.org", "code": "44249-1"},
                       {"system": "http://loinc.org", "code": "44249-2"}]}],
            code=[{"system": "http://loinc.org", "code": "display-controls"}],
        )
    )  # fmt: skip
    assert gaps == []
    assert [c.code for c in ins.item("q1").codes] == ["44249-1"]
    assert ins.codes == ()
    assert sum("check digit" in n for n in notes) == 2


def test_a_group_may_share_a_name_with_a_question_and_a_note_needs_no_name(
    tmp_path: Path,
) -> None:
    """pyxform takes both (sections have ids of their own); a note nobody names gets an
    id from its row. ``uri:deviceid`` is the device's id, recorded, not asked."""
    survey = [
        ["type", "name", "label"],
        ["uri:deviceid", "device", ""],
        ["begin_group", "Litter", "Litter"],
        ["note", "", "The next questions are about litter. Take your time."],
        ["select_one yn", "litter", "Do you litter?"],
        ["text", "why", "Why?"],
        ["end_group", "", ""],
    ]
    form = workbook(tmp_path / "litter.xlsx", survey=survey,
                    choices=[["list_name", "name", "label"], ["yn", "yes", "Yes"],
                             ["yn", "no", "No"]])  # fmt: skip
    result = xls_import.convert(form, "litter", language="en", today=TODAY)
    assert [str(g) for g in result.gaps if not g.note] == []
    notes = " ".join(g.message for g in result.gaps if g.note)
    assert "'uri:deviceid' is recorded by the device" in notes
    assert "its id is 'note_4'" in notes
    ins = load_bytes(render(result).encode(), "litter.yaml")
    assert [(s.id, [i.id for i in s.items]) for s in ins.sections] == [
        ("litter", ["litter", "why"])
    ]
    assert [n.id for n in ins.sections[0].notes_before("litter")] == ["note_4"]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_corpus", ROOT / "bench/import_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("import_corpus", module)
    spec.loader.exec_module(module)
    return module


def test_the_bench_counts_what_a_person_answers(tmp_path: Path) -> None:
    """A calculated FHIR item is no question (its value is computed); pyxform's
    spellings ``string``/``int``/``phone number`` are text and integer questions."""
    bench = _bench()
    calculated = {
        "url": bench.CALCULATED_EXPRESSION,
        "valueExpression": {"language": "text/fhirpath", "expression": "1 + 1"},
    }
    path = tmp_path / "q.json"
    path.write_text(json.dumps(_questionnaire([
        {"linkId": "a", "text": "Age?", "type": "integer"},
        {"linkId": "b", "text": "Total", "type": "integer", "extension": [calculated]},
    ])))  # fmt: skip
    assert bench.fhir_questions(path) == [("Age?", {"number", "scale"})]
    survey = [["type", "name", "label"], ["string", "s", "Name?"], ["int", "i", "Age?"],
              ["phone number", "p", "Phone?"], ["uri:deviceid", "d", ""]]  # fmt: skip
    form = workbook(tmp_path / "aliases.xlsx", survey=survey)
    assert bench.xlsform_questions(form) == [
        ("Name?", {"text"}),
        ("Age?", {"number", "scale"}),
        ("Phone?", {"text"}),
    ]
