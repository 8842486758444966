"""Notes and answer codes across standards (issue 14, points 1 and 5): a note is a FHIR
``display`` item and an XLSForm ``note`` row, both ways; a display item from elsewhere
imports as a note; the QuestionnaireResponse and the scores hold none; the PHQ-9, GAD-7
and PC-PTSD-5 answer lists export with their LOINC answer codes, nothing else does."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest
from click.testing import CliRunner

from screening.cli.main import main
from screening.core import interview as iv
from screening.core.model import Instrument
from screening.core.route import Interview
from screening.interop.fhir.check import check_questionnaire, check_response
from screening.interop.fhir.export import questionnaire
from screening.interop.fhir.response import responses
from screening.interop.xlsform.export import NotExact, xlsform, xpath
from screening.load.loader import load_file
from tests.support.builders import NOTED_SECTION, instrument_yaml, make
from tests.support.paths import ROOT

CLI = Callable[..., CompletedProcess[str]]
LOINC = "http://loinc.org"
FREQUENCY = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]

BODY = (
    NOTED_SECTION
    + """\
  - id: two
    title: Two
    items:
      - {id: c, type: text, text: C?, why: Because.}
      - {id: bye, type: note, text: Nearly done., show_if: {item: b, gt: 2}}
"""
)


@pytest.fixture
def cli() -> CLI:
    def run(*args: object) -> CompletedProcess[str]:
        result = CliRunner().invoke(main, [str(a) for a in args])
        return CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)

    return run


def notes_of(ins: Instrument) -> list[tuple[Any, ...]]:
    return [
        (n.id, n.text, n.why, n.display, n.before, n.show_if, n.section_id)
        for n in ins.iter_notes()
    ]


def written(tmp_path: Path, name: str = "noted") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(instrument_yaml(BODY).replace("id: test", f"id: {name}"))
    return path


def test_a_note_is_a_display_item_and_comes_back_as_the_same_note(tmp_path: Path, cli: CLI) -> None:
    source = load_file(written(tmp_path))
    resource = questionnaire(source).resource
    assert check_questionnaire(resource) == []
    first = resource["item"][0]["item"]
    assert [(i["linkId"], i["type"]) for i in first] == [
        ("hello", "display"), ("a", "boolean"), ("above_b", "display"), ("b", "decimal"),
    ]  # fmt: skip
    assert first[2]["enableWhen"] == [{"question": "a", "operator": "=", "answerBoolean": True}]
    exported = tmp_path / "q.json"
    exported.write_text(json.dumps(resource))
    output = tmp_path / "back" / "noted.yaml"
    done = cli("import", "fhir", exported, "-o", output)
    assert done.returncode == 0, done.stderr
    back = load_file(output)
    assert notes_of(back) == notes_of(source)
    assert [i.id for i in back.items] == ["a", "b", "c"]


def test_a_display_between_questions_from_elsewhere_imports_as_a_note(
    tmp_path: Path, cli: CLI
) -> None:
    foreign = {
        "resourceType": "Questionnaire",
        "status": "draft",
        "language": "en",
        "title": "Foreign",
        "item": [
            {"linkId": "q1", "text": "First?", "type": "string"},
            {"linkId": "between", "text": "Some words between.", "type": "display"},
            {"linkId": "q2", "text": "Second?", "type": "string"},
        ],
    }
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(foreign))
    output = tmp_path / "instruments" / "foreign.yaml"
    done = cli("import", "fhir", path, "-o", output, "--json")
    report = json.loads(done.stdout)
    assert [g["code"] for g in report["gaps"] if not g["note"]] == []
    ins = load_file(output)
    assert [(n.id, n.text, n.display, n.before) for n in ins.iter_notes()] == [
        ("between", "Some words between.", "screen", "q2")
    ]


def test_the_response_and_the_scores_never_hold_a_note(tmp_path: Path) -> None:
    ins = make(BODY + "scores:\n  - {id: total, label: Total, sum: [b]}\n")
    session = Interview([ins])
    state = iv.State(answers={"a": "yes", "b": 3, "c": "words"})
    for note in ("hello", "bye"):
        state = iv.see_note(session, state, note)
    out = responses(session, state, interview_id="x" * 12, authored=None)
    assert check_response(out, questionnaire(ins).resource) == []
    links = [i["linkId"] for g in out["item"] for i in g["item"]]
    assert links == ["a", "b", "c"] and out["status"] == "completed"
    assert set(iv.result(session, state).to_json()["scores"]) == {"total"}


def test_note_rows_export_and_import_back_as_notes(tmp_path: Path, cli: CLI) -> None:
    source = load_file(written(tmp_path))
    sheets = xlsform(source)
    rows = [(r["type"], r["name"], r.get("relevant", "")) for r in sheets.survey]
    assert rows == [
        ("begin group", "one", ""),
        ("note", "hello", ""),
        ("select_one a", "a", ""),
        ("note", "above_b", "${a} = 'yes'"),
        ("decimal", "b", ""),
        ("end group", "", ""),
        ("begin group", "two", ""),
        ("text", "c", ""),
        ("note", "bye", "${b} > 2"),
        ("end group", "", ""),
    ]
    form = tmp_path / "noted.xlsx"
    done = cli("export", "xlsform", written(tmp_path), "-o", form)
    assert done.returncode == 0, done.stderr
    output = tmp_path / "back" / "noted.yaml"
    back = cli("import", "xlsform", form, "-o", output)
    assert back.returncode == 0, back.stderr
    ins = load_file(output)
    # An XLSForm has no column for "above": the note comes back shown as its own screen.
    expected = [(n[0], n[1], n[2], "screen", n[4], n[5], n[6]) for n in notes_of(source)]
    assert notes_of(ins) == expected
    assert [i.id for i in ins.items] == ["a", "b", "c"]


def test_a_show_if_xpath_cannot_say_is_not_written_but_named() -> None:
    ins = make("""\
    sections:
      - id: one
        title: One
        items:
          - {id: a, type: yes_no, text: A?, why: W.}
          - {id: n, type: note, text: Hi., show_if: {item: a, declined: true}}
          - {id: b, type: yes_no, text: B?, why: W.}
    """)
    sheets = xlsform(ins)
    assert "relevant" not in sheets.survey[2]
    assert any(note.startswith("n: its show-if") for note in sheets.notes)
    with pytest.raises(NotExact):
        xpath(ins.sections[0].notes[0].show_if, {i.id: i for i in ins.items})  # type: ignore[arg-type]


def answer_codes(instrument: str) -> dict[str, list[tuple[str, str]]]:
    resource = questionnaire(load_file(ROOT / "instruments" / f"{instrument}.yaml")).resource
    assert check_questionnaire(resource) == []
    found: dict[str, list[tuple[str, str]]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if "answerOption" in item:
                found[item["linkId"]] = [
                    (o["valueCoding"]["system"], o["valueCoding"]["code"])
                    for o in item["answerOption"]
                ]
            walk(item.get("item", []))

    walk(resource["item"])
    return found


def test_the_validated_scales_export_their_loinc_answer_codes() -> None:
    phq9 = answer_codes("phq9")
    for n in range(1, 10):
        assert phq9[f"phq9_{n}"] == [(LOINC, c) for c in FREQUENCY]
    gad7 = answer_codes("gad7")
    for n in (1, 3, 4, 5, 6, 7):
        assert gad7[f"gad7_{n}"] == [(LOINC, c) for c in FREQUENCY]
    assert gad7["gad7_2"] == [(LOINC, c) for c in ["LA6568-5", "LA6569-3", "LA18938-3", "LA6571-9"]]
    pcptsd5 = answer_codes("pc-ptsd-5")
    assert pcptsd5 and all(
        codes == [(LOINC, "LA33-6"), (LOINC, "LA32-8")] for codes in pcptsd5.values()
    )
    needs = answer_codes("needs-assessment")  # no declared codes: our own system
    assert needs and all(
        s.startswith("https://screening.invalid/") for c in needs.values() for s, _ in c
    )


def test_a_response_codes_answers_as_the_questionnaire_does() -> None:
    ins = load_file(ROOT / "instruments" / "gad7.yaml")
    session = Interview([ins])
    state = iv.State(answers={f"gad7_{n}": 2 for n in range(1, 8)})
    out = responses(session, state, interview_id="y" * 12, authored=None)
    assert check_response(out, questionnaire(ins).resource) == []
    codings = {i["linkId"]: i["answer"][0]["valueCoding"] for g in out["item"] for i in g["item"]}
    assert codings["gad7_1"]["code"] == "LA6570-1" and codings["gad7_2"]["code"] == "LA18938-3"
    assert codings["gad7_2"]["system"] == LOINC


def test_loinc_coded_options_import_back_with_their_own_values(tmp_path: Path, cli: CLI) -> None:
    path = tmp_path / "gad7.json"
    path.write_text(
        json.dumps(questionnaire(load_file(ROOT / "instruments" / "gad7.yaml")).resource)
    )
    output = tmp_path / "back" / "gad7.yaml"
    assert cli("import", "fhir", path, "-o", output).returncode == 0
    item = load_file(output).item("gad7_2")
    assert item is not None and item.values == (0, 1, 2, 3)
    assert [o.codes[0].code for o in item.options] == [
        "LA6568-5",
        "LA6569-3",
        "LA18938-3",
        "LA6571-9",
    ]
