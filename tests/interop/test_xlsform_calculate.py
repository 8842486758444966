"""XLSForm ``calculate`` rows: the ones that translate exactly become derived values
that later ``relevant`` columns use, and the interview's steps follow the form's logic;
the others are reported by row with the code ``calculation``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from screening.cli.main import main
from screening.interop.xlsform.calculate import translate_calculation
from screening.interop.xlsform.xpath import Question, Untranslatable
from screening.load.loader import load_file
from tests.support.xlsforms import workbook

SURVEY = [
    ["type", "name", "label", "hint", "calculation", "relevant"],
    ["integer", "adults", "How many adults live with you?", "To plan space.", "", ""],
    ["integer", "children", "How many children live with you?", "To plan space.", "", ""],
    ["calculate", "household", "", "", "${adults} + ${children}", ""],
    ["select_one yn", "crowded", "Does home feel crowded?", "To plan space.", "",
     "${household} > 4"],
    ["select_multiple needs", "needs", "What would help?", "To find help.", "", ""],
    ["calculate", "n_needs", "", "", "count-selected(${needs})", ""],
    ["calculate", "big", "", "", "if(${household} >= 6, 'big', 'small')", ""],
    ["text", "first", "Which first?", "To start there.", "", "${n_needs} >= 2"],
    ["text", "space", "Tell us about the space.", "To plan space.", "", "${big} = 'big'"],
]  # fmt: skip
CHOICES = [
    ["list_name", "name", "label"],
    ["yn", "yes", "Yes"],
    ["yn", "no", "No"],
    ["needs", "food", "Food"],
    ["needs", "bed", "A bed"],
    ["needs", "phone", "A phone"],
]
SETTINGS = [["form_title", "form_id", "default_language"], ["Home", "home", "English (en)"]]


def _workbook(path: Path, survey: list[list[str]]) -> Path:
    return workbook(path, survey=survey, choices=CHOICES, settings=SETTINGS)


def _run(*args: object) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("calc")
    form = _workbook(folder / "home.xlsx", SURVEY)
    output = folder / "instruments" / "home.yaml"
    done = _run("import", "xlsform", form, "-o", output, "--json")
    assert done.exit_code == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["complete"] is True
    return output


def test_a_calculate_sum_imports_as_a_derived_value(imported: Path) -> None:
    ins = load_file(imported)
    assert [d.id for d in ins.derived] == ["household", "n_needs", "big"]
    crowded = ins.item("crowded")
    assert crowded is not None and crowded.show_if is not None
    assert _run("validate", imported).exit_code == 0


@pytest.mark.parametrize(
    ("answers", "asked"),
    [
        # ODK: 2 + 3 = 5 > 4, so "crowded" is relevant
        ({"adults": 2, "children": 3}, {"crowded"}),
        ({"adults": 1, "children": 1}, set()),
        # a skipped number makes the sum NaN in ODK (no value here): not relevant
        ({"adults": 4, "children": None}, set()),
        ({"adults": 3, "children": 3}, {"crowded", "space"}),
        # count-selected: two needs ask which first; none chosen counts 0 in ODK too
        ({"adults": 1, "children": 0, "needs": ["food", "bed"]}, {"first"}),
        ({"adults": 1, "children": 0, "needs": ["food"]}, set()),
        ({"adults": 1, "children": 0, "needs": None}, set()),
    ],
)
def test_steps_follow_the_forms_logic(
    imported: Path, tmp_path: Path, answers: dict[str, Any], asked: set[str]
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    done = _run("steps", imported, path, "--json")
    assert done.exit_code == 0, done.stderr
    steps = set(json.loads(done.stdout)["steps"])
    assert steps & {"crowded", "first", "space"} == asked
    assert {"adults", "children", "needs"} <= steps


def test_a_calculation_that_does_not_translate_is_reported_by_row(tmp_path: Path) -> None:
    survey = [*SURVEY[:3], ["calculate", "ratio", "", "", "round(${adults} div 2, 1)", ""]]
    form = _workbook(tmp_path / "round.xlsx", survey)
    done = _run("import", "xlsform", form, "-o", tmp_path / "round.yaml", "--json")
    assert done.exit_code == 1
    gaps = json.loads(done.stdout)["gaps"]
    assert [(g["where"], g["code"]) for g in gaps if not g["note"]] == [
        ("round.xlsx:survey:4:calculation", "calculation")
    ]


QUESTIONS = {
    "a": Question("a", "integer"),
    "b": Question("b", "number"),
    "s": Question("s", "single", frozenset({"1", "2"}), numeric=True),
    "t": Question("t", "single", frozenset({"x", "y"})),
    "m": Question("m", "multiple", frozenset({"x", "y"})),
    "d": Question("d", "date"),
    "e": Question("e", "date"),
    "total": Question("total", "derived", numeric=True),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${a} + ${b}", {"sum": ["a", "b"]}),
        ("${a} + ${b} + ${s}", {"sum": ["a", "b", "s"]}),
        ("${a} - 2 * ${b}", {"subtract": ["a", {"multiply": [2, "b"]}]}),
        ("(${a} + 1) div ${b}", {"divide": [{"sum": ["a", 1]}, "b"]}),
        ("-1 + ${a}", {"sum": [-1, "a"]}),
        ("${total} * 2", {"multiply": ["total", 2]}),
        ("coalesce(${a}, 0)", {"coalesce": ["a", 0]}),
        ("count-selected(${m})", {"coalesce": [{"count_selected": "m"}, 0]}),
        (
            "selected(${m}, 'x')",
            {"if": {"cond": {"item": "m", "includes": "x"}, "then": 1, "else": 0}},
        ),
        (
            "if(${t} = 'x', 10, ${a})",
            {"if": {"cond": {"item": "t", "equals": "x"}, "then": 10, "else": "a"}},
        ),
        (
            "if(${a} > 2, 'many', 'few')",
            {
                "if": {
                    "cond": {"item": "a", "gt": 2},
                    "then": {"text": "many"},
                    "else": {"text": "few"},
                }
            },
        ),
        ("today() - ${d}", {"days_between": ["d", {"today": True}]}),
        ("${e} - ${d}", {"days_between": ["d", "e"]}),
    ],
)
def test_calculations_that_translate(text: str, expected: object) -> None:
    assert translate_calculation(text, QUESTIONS)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "int((today() - ${d}) div 365.25)",  # not a count of completed years
        "round(${a}, 1)",
        "concat(${t}, 'x')",
        "${t} + 1",  # choices that are not numbers
        "${a} + 'x'",
        "${later} + 1",  # not an earlier question
        "${m} + 1",
        "if(${a} > 1, 1, 'x')",
        "${a} mod 2",
    ],
)
def test_calculations_that_do_not(text: str) -> None:
    with pytest.raises(Untranslatable):
        translate_calculation(text, QUESTIONS)
