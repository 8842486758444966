"""Issue 14's combined form: notes between questions, a ``calculate`` sum used in a
``relevant``, the choices sheet's ``value`` header, negative codes, curly quotes and
``default_language: English`` — it imports fully, and its steps follow the form's logic
(what ODK Collect would ask)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from screening.cli.main import main
from screening.load.loader import load_file
from tests.support.xlsforms import workbook

SURVEY = [
    ["type", "name", "label", "hint", "calculation", "relevant"],
    ["note", "hello", "The next questions are about where you live. Take your time.", "", "", ""],
    ["integer", "adults", "How many adults live with you?", "To plan space.", "", ""],
    ["integer", "children", "How many children live with you?", "To plan space.", "", ""],
    ["calculate", "household", "", "", "${adults} + ${children}", ""],
    ["select_one crowd", "crowded", "Does home feel crowded?", "To plan space.", "",
     "${household} > 4"],
    ["note", "thanks", "Thank you. A few more.", "", "", ""],
    ["select_one crowd", "safe", "Do you feel safe at home?", "To find help.", "",
     "${crowded} = \u201c1\u201d or ${crowded} = \u2018-99\u2019"],
]  # fmt: skip
CHOICES = [
    ["list_name", "value", "label"],
    ["crowd", "1", "Yes"],
    ["crowd", "0", "No"],
    ["crowd", "-99", "Prefer not to say"],
    ["crowd", "-88", "Not sure"],
]
SETTINGS = [["form_title", "form_id", "default_language"], ["Home", "home", "English"]]


def _run(*args: object) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mustshow")
    form = workbook(folder / "home.xlsx", survey=SURVEY, choices=CHOICES, settings=SETTINGS)
    output = folder / "instruments" / "home.yaml"
    done = _run("import", "xlsform", form, "-o", output, "--json")
    assert done.exit_code == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["complete"] is True, report["gaps"]
    return output


def test_it_imports_fully_with_its_texts_language_notes_and_codes(imported: Path) -> None:
    assert _run("validate", imported).exit_code == 0
    ins = load_file(imported)
    assert ins.language == "en"  # "English" resolved through CLDR, plain label column
    assert [n.id for n in ins.iter_notes()] == ["hello", "thanks"]
    crowded = ins.item("crowded")
    assert crowded is not None
    assert crowded.text == "Does home feel crowded?"  # never its name
    assert [o.value for o in crowded.options] == [1, 0, -99, -88]  # numbers, as scored
    assert [d.id for d in ins.derived] == ["household"]


@pytest.mark.parametrize(
    ("answers", "asked"),
    [
        ({"adults": 2, "children": 3}, {"crowded"}),  # 5 > 4
        ({"adults": 2, "children": 3, "crowded": 1}, {"crowded", "safe"}),
        ({"adults": 2, "children": 3, "crowded": -99}, {"crowded", "safe"}),
        ({"adults": 2, "children": 3, "crowded": 0}, {"crowded"}),
        ({"adults": 1, "children": 1}, set()),
        ({"adults": 4}, set()),  # a missing term: the sum is empty, as in ODK
    ],
)
def test_its_steps_follow_the_forms_logic(
    imported: Path, tmp_path: Path, answers: dict[str, Any], asked: set[str]
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    done = _run("steps", imported, path, "--json")
    assert done.exit_code == 0, done.stderr
    shown = json.loads(done.stdout)
    assert set(shown["steps"]) & {"crowded", "safe"} == asked
    assert {"adults", "children"} <= set(shown["steps"])
    assert "hello" not in shown["steps"]  # a note is never a question
    assert [n["id"] for n in shown.get("notes", [])][:1] == ["hello"]
