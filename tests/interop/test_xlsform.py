"""XLSForm import: every supported question type and language columns import to a valid
instrument with its catalogs; what does not translate exactly is listed by sheet, row
and column, and nothing is written unless --partial; real-world forms (pyxform's own
fixtures) give a valid instrument or the exact list of gaps."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.cli.main import main
from screening.interop.xlsform.xpath import Question, Untranslatable, translate
from screening.load.loader import load_file
from tests.support.paths import ROOT
from tests.support.xlsforms import workbook

CLI = Callable[..., CompletedProcess[str]]
REAL = ROOT / "tests" / "fixtures" / "xlsform" / "pyxform"


@pytest.fixture
def cli() -> CLI:
    """The real `screening` command, run in this process (a subprocess costs ~2 s here)."""

    def run(*args: object) -> CompletedProcess[str]:
        result = CliRunner().invoke(main, [str(a) for a in args])
        return CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)

    return run


SURVEY = [
    ["type", "name", "label::English (en)", "label::French (fr)", "label::Tigrinya (ti)",
     "hint::English (en)", "hint::French (fr)", "relevant", "required", "constraint",
     "parameters", "appearance"],
    ["start", "start", "", "", "", "", "", "", "", "", "", ""],
    ["note", "hello", "Thank you for talking with us.", "Merci de nous parler.", "", "", "", "",
     "", "", "", ""],
    ["begin group", "housing", "Housing", "Logement", "ገዛ", "", "", "", "", "", "", "field-list"],
    ["note", "housing_note", "A few questions about where you stay.", "Quelques questions.", "",
     "", "", "", "", "", "", ""],
    ["select_one yes_no_unsure", "safe_tonight", "Do you have a safe place tonight?",
     "Avez-vous un endroit sûr ce soir ?", "", "So we can look for one with you.",
     "Pour en chercher un avec vous.", "", "yes", "", "", "minimal"],
    ["select_multiple needs", "needs", "What would help?", "Qu'est-ce qui aiderait ?", "",
     "We only offer what you choose.", "", "${safe_tonight} != 'yes'", "", "", "", ""],
    ["integer", "nights", "How many nights do you need?", "Combien de nuits ?", "", "", "",
     "selected(${needs}, 'bed') and ${safe_tonight} = 'no'", "", ". >= 1 and . <= 30", "", ""],
    ["end group", "", "", "", "", "", "", "", "", "", "", ""],
    ["begin group", "money", "Money", "Argent", "", "", "", "${nights} > 2 or ${needs} = ''", "",
     "", "", ""],
    ["decimal", "income", "About how much do you earn a week?", "Combien gagnez-vous ?", "",
     "", "", "", "", ". >= 0", "", ""],
    ["date", "next_pay", "When is your next pay day?", "Prochain jour de paie ?", "", "", "",
     "not(${income} = '')", "", "", "", ""],
    ["text", "notes", "Anything else?", "Autre chose ?", "", "", "", "", "", "", "", ""],
    ["range", "stress", "How stressed do you feel?", "Stress ?", "", "", "", "", "", "",
     "start=0 end=10 step=2", ""],
    ["end group", "", "", "", "", "", "", "", "", "", "", ""],
]  # fmt: skip
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::French (fr)", "label::Tigrinya (ti)"],
    ["yes_no_unsure", "yes", "Yes", "Oui", "እወ"],
    ["yes_no_unsure", "no", "No", "Non", "ኣይፋል"],
    ["yes_no_unsure", "unsure", "Not sure", "Pas sûr", ""],
    ["needs", "bed", "A bed", "Un lit", ""],
    ["needs", "food", "Food", "Nourriture", ""],
]
SETTINGS = [["form_title", "form_id", "default_language", "version"],
            ["Housing check", "housing", "English (en)", "2026112901"]]  # fmt: skip


def test_every_supported_type_and_language_imports_and_validates(tmp_path: Path, cli: CLI) -> None:
    form = workbook(tmp_path / "housing.xlsx", survey=SURVEY, choices=CHOICES, settings=SETTINGS)
    output = tmp_path / "instruments" / "housing-check.yaml"
    done = cli("import", "xlsform", form, "-o", output)
    assert done.returncode == 0, done.stderr
    assert "housing.xlsx:survey:2:type: note: 'start' is recorded by the device" in done.stderr
    assert "housing.xlsx:survey:6:appearance: note: appearance changes only" in done.stderr
    checked = cli("validate", output)
    assert checked.returncode == 0, checked.stderr
    assert "no why yet for 'nights'" in checked.stderr  # warned, not failed
    ins = load_file(output)
    assert ins.codesign.status.value == "imported" and ins.language == "en"
    assert ins.intro is None  # note rows are notes, shown where the form puts them
    assert [(s.id, s.title, s.intro) for s in ins.sections] == [
        ("housing", "Housing", None),
        ("money", "Money", None),
    ]
    # The note before the first group opens it as its own screen; the one inside the
    # field-list group (one screen in ODK) is shown above the group's first question.
    assert [(n.id, n.display, n.before) for n in ins.sections[0].notes] == [
        ("hello", "screen", "safe_tonight"),
        ("housing_note", "above", "safe_tonight"),
    ]
    kinds = {i.id: (i.type, i.integer) for i in ins.items}
    assert kinds == {
        "safe_tonight": ("single", False), "needs": ("multiple", False),
        "nights": ("number", True), "income": ("number", False), "next_pay": ("date", False),
        "notes": ("text", False), "stress": ("scale", False),
    }  # fmt: skip
    safe = ins.item("safe_tonight")
    assert (
        safe is not None and not safe.skippable and safe.why == "So we can look for one with you."
    )
    nights = ins.item("nights")
    assert nights is not None and (nights.min, nights.max) == (1, 30)
    stress = ins.item("stress")
    assert stress is not None and (stress.min, stress.max, stress.step) == (0, 10, 2)
    text = output.read_text()
    assert (
        "show_if:\n          not:\n            item: safe_tonight\n            equals: 'yes'"
        in text
    )
    assert ins.sections[1].show_if is not None
    catalog_file = tmp_path / "locales" / "fr" / "LC_MESSAGES" / "instrument-housing-check.po"
    with catalog_file.open("rb") as handle:
        catalog = read_po(handle)
    found = {m.context: (m.id, m.string) for m in catalog if m.id}
    assert found["housing-check:items.safe_tonight.text"] == (
        "Do you have a safe place tonight?",
        "Avez-vous un endroit sûr ce soir ?",
    )
    assert found["housing-check:items.safe_tonight.why"][1] == "Pour en chercher un avec vous."
    assert found["housing-check:items.needs.options.bed.label"] == ("A bed", "Un lit")
    assert found["housing-check:items.housing_note.text"][1] == "Quelques questions."
    tigrinya = tmp_path / "locales" / "ti" / "LC_MESSAGES" / "instrument-housing-check.po"
    with tigrinya.open("rb") as handle:
        ti = {m.context: m.string for m in read_po(handle) if m.id}
    assert ti == {
        "housing-check:sections.housing.title": "ገዛ",
        "housing-check:items.safe_tonight.options.yes.label": "እወ",
        "housing-check:items.safe_tonight.options.no.label": "ኣይፋል",
    }


UNSUPPORTED = [
    ["type", "name", "label::English (en)", "label::Klingon", "relevant", "required", "default",
     "media::image", "calculation"],
    ["select_one yn", "q1", "One?", "Un ?", "", "", "", "", ""],
    ["geopoint", "where", "Where are you?", "", "", "", "", "", ""],
    ["calculate", "total", "", "", "", "", "", "", "round(1.5)"],
    ["integer", "q2", "Two?", "", "count-selected(${q1}) > 0", "", "", "", ""],
    ["text", "q3", "Three?", "", "${q1} = ${q2}", "${q1} = 'yes'", "", "", ""],
    ["begin repeat", "people", "People", "", "", "", "", "", ""],
    ["text", "person", "Name?", "", "", "", "", "", ""],
    ["end repeat", "", "", "", "", "", "", "", ""],
    ["select_one yn or_other", "q4", "Four?", "", "", "", "", "", ""],
    ["text", "q5", "Five?", "", "", "", "hello", "a.png", ""],
    ["note", "late", "A note between questions.", "", "", "", "", "", ""],
    ["text", "q6", "Six?", "", "${q1} = 'no' and ${q4} = 'x'", "", "", "", ""],
]  # fmt: skip


def test_what_does_not_translate_is_listed_by_row_and_nothing_is_written(
    tmp_path: Path, cli: CLI
) -> None:
    choices = [["list_name", "name", "label::English (en)"], ["yn", "yes", "Yes"],
               ["yn", "no", "No"], ["yn", "no way", "Never"]]  # fmt: skip
    form = workbook(tmp_path / "odd.xlsx", survey=UNSUPPORTED, choices=choices,
                    settings=[["default_language"], ["English (en)"]])  # fmt: skip
    output = tmp_path / "instruments" / "odd.yaml"
    done = cli("import", "xlsform", form, "-o", output)
    assert done.returncode == 1
    assert not output.exists() and not (tmp_path / "locales").exists()
    gaps = [line for line in done.stderr.splitlines() if line.startswith("odd.xlsx:")]
    assert gaps == [
        "odd.xlsx:survey:1:label::Klingon: the language 'Klingon' is neither a BCP 47 code nor "
        "a language name CLDR knows: write it as 'Name (code)', e.g. 'French (fr)' (or pass "
        "--language when the form has one language)",
        "odd.xlsx:choices:4:name: the choice name 'no way' is not a value we can keep: a whole "
        "number, or letters, digits, _ - . (at most 64 characters, not starting with - or .)",
        "odd.xlsx:survey:3:type: the question type 'geopoint' has no equivalent here",
        "odd.xlsx:survey:4:calculation: 'round(1.5)' is not translated: the function round() "
        "is not translated",
        "odd.xlsx:survey:5:relevant: 'count-selected(${q1}) > 0' is not translated: a question "
        "alone (without a comparison) is not translated",
        "odd.xlsx:survey:6:required: required only when \"${q1} = 'yes'\": conditional "
        "requirement is not supported",
        "odd.xlsx:survey:6:relevant: '${q1} = ${q2}' is not translated: only a question "
        "compared with a fixed value is translated",
        "odd.xlsx:survey:7:type: repeats and loops (questions asked again and again) are not "
        "supported",
        "odd.xlsx:survey:11:default: the column 'default' is not translated",
        "odd.xlsx:survey:11:media::image: the column 'media::image' is not translated",
        "odd.xlsx:survey:13:relevant: \"${q1} = 'no' and ${q4} = 'x'\" is not translated: "
        "'x' is not a choice of 'q4'",
    ]
    assert "nothing was written" in done.stderr
    reported = cli("import", "xlsform", form, "-o", output, "--json")
    assert reported.returncode == 1 and not output.exists()
    report = json.loads(reported.stdout)
    assert report["complete"] is False and report["written"] is False
    listed = [g for g in report["gaps"] if not g["note"]]
    assert [f"{g['where']}: {g['message']}" for g in listed] == gaps  # the same gaps
    assert [(g["where"].split(":", 3)[3], g["code"]) for g in listed] == [
        ("label::Klingon", "language"),
        ("name", "option"),
        ("type", "unsupported-type"),
        ("calculation", "calculation"),
        ("relevant", "condition"),
        ("required", "required"),
        ("relevant", "condition"),
        ("type", "repeat"),
        ("default", "untranslated"),
        ("media::image", "untranslated"),
        ("relevant", "condition"),
    ]
    assert {g["code"] for g in report["gaps"] if g["note"]} <= {"left-out"}

    partial = cli("import", "xlsform", form, "-o", output, "--partial")
    assert partial.returncode == 0, partial.stderr
    text = output.read_text()
    assert text.count("# GAP: ") == len(gaps)
    assert "      # GAP: odd.xlsx:survey:13:relevant:" in text  # marked at its item
    assert cli("validate", output).returncode == 0


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        # pyxform's aliases: 'phone number' is a text question, 'or specify other' is
        # 'or_other', 'label:english' a language CLDR names
        ("group.md", [], []),
        ("specify_other.md", [], []),
        ("loop.md", [], [("loop.md:survey:3:type", "repeat")]),
        ("case_insensitivity.md", [],
         [("case_insensitivity.md:survey:3:type", "unsupported-type"),
          ("case_insensitivity.md:survey:4:type", "unsupported-type")]),
        ("text_and_integer.md", [], []),
        ("text_and_integer.md", ["--language", "en"], []),
        ("yes_or_no_question.md", ["--language", "en"], []),
    ],
)  # fmt: skip
def test_real_world_forms(
    tmp_path: Path, cli: CLI, name: str, args: list[str], expected: list[tuple[str, str]]
) -> None:
    output = tmp_path / "instruments" / "real.yaml"
    done = cli("import", "xlsform", REAL / name, "-o", output, *args, "--json")
    report = json.loads(done.stdout)
    gaps = [(g["where"], g["code"]) for g in report["gaps"] if not g["note"]]
    assert gaps == expected
    assert report["written"] is not bool(expected)
    assert done.returncode == (1 if expected else 0), done.stderr
    assert output.exists() is not bool(expected)
    if not expected:
        assert cli("validate", output).returncode == 0


def test_pyxform_errors_keep_their_row(tmp_path: Path, cli: CLI) -> None:
    survey = [["type", "name", "label", "relevant"], ["text", "a", "A?", ""],
              ["text", "b", "B?", "${nope} = 'x'"]]  # fmt: skip
    form = workbook(tmp_path / "ref.xlsx", survey=survey)
    done = cli("import", "xlsform", form, "-o", tmp_path / "x.yaml", "--language", "en")
    assert done.returncode == 1
    assert done.stderr.startswith(
        "ref.xlsx:survey:3:relevant: pyxform cannot read this form: [row : 3]"
    ), done.stderr


def test_bad_input_is_a_message_not_a_traceback(tmp_path: Path, cli: CLI) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    done = cli("import", "xlsform", broken, "-o", tmp_path / "x.yaml")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "pyxform cannot read this form" in done.stderr
    form = workbook(tmp_path / "f.xlsx", survey=SURVEY, choices=CHOICES, settings=SETTINGS)
    bad_name = cli("import", "xlsform", form, "-o", tmp_path / "Bad Name.yaml")
    assert bad_name.returncode == 1 and "cannot be an instrument id" in bad_name.stderr
    bad_language = cli("import", "xlsform", form, "-o", tmp_path / "x.yaml", "--language", "xx-??")
    assert bad_language.returncode == 1 and "not a known BCP 47" in bad_language.stderr


QUESTIONS = {
    "a": Question("a", "single", frozenset({"yes", "no", "1"})),
    "m": Question("m", "multiple", frozenset({"x", "y"})),
    "n": Question("n", "integer"),
    "t": Question("t", "text"),
}


@pytest.mark.parametrize(
    ("expression", "condition"),
    [
        ("${a} = 'yes'", {"item": "a", "equals": "yes"}),
        ("'yes' = ${a}", {"item": "a", "equals": "yes"}),
        ("${a} = 1", {"item": "a", "equals": "1"}),
        ("${a} != 'no'", {"not": {"item": "a", "equals": "no"}}),
        ("${a} != ''", {"item": "a", "answered": True}),
        ("${m} = ''", {"item": "m", "answered": False}),
        ("selected(${m}, 'x')", {"item": "m", "includes": "x"}),
        ("selected(${a}, 'no')", {"item": "a", "equals": "no"}),
        ("${n} >= 18", {"item": "n", "gte": 18}),
        ("3 < ${n}", {"item": "n", "gt": 3}),
        ("${n} = '4'", {"item": "n", "equals": 4}),
        ("${t} = \"hi\"", {"item": "t", "equals": "hi"}),
        (
            "${a} = 'yes' and (${n} > 1 or ${n} < 0) and ${t} != ''",
            {"all": [{"item": "a", "equals": "yes"},
                     {"any": [{"item": "n", "gt": 1}, {"item": "n", "lt": 0}]},
                     {"item": "t", "answered": True}]},
        ),
        ("not(selected(${m}, 'y'))", {"not": {"item": "m", "includes": "y"}}),
    ],
)  # fmt: skip
def test_relevant_expressions_that_translate(expression: str, condition: dict[str, Any]) -> None:
    assert translate(expression, QUESTIONS) == condition


@pytest.mark.parametrize(
    "expression",
    [
        "${a} = 'maybe'", "${m} = 'x'", "${n} + 1 > 2", "${a}", "${t} > 'a'",
        "string-length(${t}) > 2", "${a} = ${n}", "${zz} = 'x'", "selected(${n}, 'x')",
        "${a} = 'yes' and", "(${a} = 'yes'", "${n} > 'many'", "${a} >= ''",
    ],
)  # fmt: skip
def test_relevant_expressions_that_do_not(expression: str) -> None:
    with pytest.raises(Untranslatable):
        translate(expression, QUESTIONS)


# A SurveyCTO-style form: the choices sheet's `value` header, negative codes for
# "don't know" / "refused", typographic quotes in relevant, default_language as a
# language name, a plain label column, `list name` with a space, nested groups and
# `or_other`. (Its notes and calculations are issue 14's other parts.)
REAL_STYLE_SURVEY = [
    ["type", "name", "label", "label::Français (fr)", "relevant"],
    ["begin group", "hh", "Household", "Ménage", ""],
    ["select_one yn", "has_job", "Do you have a job?", "Avez-vous un emploi ?", ""],
    ["begin group", "work", "Work", "Travail", "${has_job} = \u20181\u2019"],
    ["integer", "hours", "Hours a week?", "Heures par semaine ?", ""],
    ["end group", "", "", "", ""],
    ["select_one yn", "renting", "Do you rent?", "Louez-vous ?", "${has_job} != \u2018-99\u2019"],
    ["end group", "", "", "", ""],
    ["select_one help or_other", "help", "What would help?", "Qu'est-ce qui aiderait ?", ""],
]  # fmt: skip
REAL_STYLE_CHOICES = [
    ["list name", "value", "label", "label::Français (fr)"],
    ["yn", "1", "Yes", "Oui"],
    ["yn", "0", "No", "Non"],
    ["yn", "-99", "Don\u2019t know", "Je ne sais pas"],
    ["yn", "-88", "Refused", "Refus"],
    ["help", "_food", "Food", "Nourriture"],
]  # fmt: skip


def _steps(cli: CLI, instrument: Path, answers: dict[str, Any], tmp_path: Path) -> list[str]:
    given = tmp_path / "answers.json"
    given.write_text(json.dumps(answers))
    done = cli("steps", instrument, given, "--json")
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout)["steps"])


def test_a_real_style_form_imports_fully_and_its_steps_follow_its_logic(
    tmp_path: Path, cli: CLI
) -> None:
    settings = [["form_title", "default_language"], ["Household", "English"]]
    form = workbook(
        tmp_path / "hh.xlsx",
        survey=REAL_STYLE_SURVEY,
        choices=REAL_STYLE_CHOICES,
        settings=settings,
    )
    output = tmp_path / "instruments" / "hh.yaml"
    done = cli("import", "xlsform", form, "-o", output, "--json")
    report = json.loads(done.stdout)
    assert [g for g in report["gaps"] if not g["note"]] == [], report["gaps"]
    assert done.returncode == 0 and "Warning" not in done.stderr and "openpyxl" not in done.stderr
    assert cli("validate", output).returncode == 0
    ins = load_file(output)
    assert ins.language == "en"
    assert [(s.id, s.title) for s in ins.sections] == [
        ("hh", "Household"), ("work", "Household: Work"), ("hh_2", "Household"),
        ("part_4", "Household"),
    ]  # fmt: skip
    has_job = ins.item("has_job")
    assert has_job is not None
    assert [(o.value, o.label) for o in has_job.options] == [
        (1, "Yes"),
        (0, "No"),
        (-99, "Don't know"),
        (-88, "Refused"),
    ]  # numbers, so they can be scored; the quote made plain as pyxform makes it
    helped = ins.item("help")
    assert helped is not None and [o.value for o in helped.options] == ["_food", "other"]
    assert _steps(cli, output, {"has_job": 1}, tmp_path)[:3] == ["has_job", "hours", "renting"]
    assert _steps(cli, output, {"has_job": 0}, tmp_path)[:2] == ["has_job", "renting"]
    assert _steps(cli, output, {"has_job": -99, "help": "other"}, tmp_path) == [
        "has_job", "help", "help_other"
    ]  # fmt: skip
    with (tmp_path / "locales" / "fr" / "LC_MESSAGES" / "instrument-hh.po").open("rb") as handle:
        fr = {m.context: m.string for m in read_po(handle) if m.id}
    assert fr["hh:items.has_job.options.-99.label"] == "Je ne sais pas"


def test_the_plain_label_column_is_the_default_language(tmp_path: Path, cli: CLI) -> None:
    survey = [["type", "name", "label", "label::French (fr)"], ["text", "a", "Name?", "Nom ?"]]
    form = workbook(tmp_path / "kobo.xlsx", survey=survey)
    output = tmp_path / "instruments" / "kobo.yaml"
    undeclared = json.loads(cli("import", "xlsform", form, "-o", output, "--json").stdout)
    assert undeclared["complete"] is True  # no default_language: 'und', with a note
    assert any("und" in g["message"] for g in undeclared["gaps"] if g["note"])
    assert load_file(output).language == "und"
    # --language names the plain column, whatever else the form has (the Kobo layout)
    assert cli("import", "xlsform", form, "-o", output, "--language", "en").returncode == 0
    assert load_file(output).language == "en"
    assert load_file(output).item("a").text == "Name?"  # type: ignore[union-attr]


def test_a_missing_label_is_a_gap_never_the_name(tmp_path: Path, cli: CLI) -> None:
    survey = [["type", "name", "label::English (en)", "label::French (fr)"],
              ["text", "a", "Name?", "Nom ?"], ["text", "b", "", "Âge ?"]]  # fmt: skip
    form = workbook(tmp_path / "gap.xlsx", survey=survey,
                    settings=[["default_language"], ["English (en)"]])  # fmt: skip
    output = tmp_path / "instruments" / "gap.yaml"
    done = cli("import", "xlsform", form, "-o", output, "--partial", "--json")
    report = json.loads(done.stdout)
    assert [(g["where"], g["code"]) for g in report["gaps"] if not g["note"]] == [
        ("gap.xlsx:survey:3:label", "no-text")
    ]
    ins = load_file(output)
    assert [i.id for i in ins.items] == ["a"]
    assert "text: b" not in output.read_text()  # never the name in place of the label


def test_pyxform_errors_name_file_sheet_row_and_column(tmp_path: Path, cli: CLI) -> None:
    survey = [["type", "name", "label"], ["text", "meta", "Reserved?"]]
    form = workbook(tmp_path / "meta.xlsx", survey=survey)
    done = cli("import", "xlsform", form, "-o", tmp_path / "x.yaml", "--json")
    where = json.loads(done.stdout)["gaps"][0]["where"]
    assert where == "meta.xlsx:survey:2:name", where


_NAMES = st.one_of(
    st.integers(min_value=-999, max_value=999).map(str),
    st.from_regex(r"[_a-z0-9][a-z0-9_]{0,8}", fullmatch=True),  # 007 too: text
)


def _number(name: str) -> bool:
    return name.lstrip("-").isdigit() and str(int(name)) == name


@settings(max_examples=15)
@given(
    st.lists(
        _NAMES,
        min_size=1,
        max_size=6,
        unique_by=lambda n: str(int(n)) if n.lstrip("-").isdigit() else n,
    )
)
def test_any_choice_name_pyxform_takes_is_kept_whole_numbers_as_numbers(names: list[str]) -> None:
    """Whole numbers (-99 too) become numbers, so a scale scores; other names stay text;
    every value survives into an instrument that validates."""
    from screening.interop.writer import render
    from screening.interop.xlsform.importer import convert
    from screening.load.loader import load_bytes

    rows = "\n".join(f"| | c | {name} | Choice {n} |" for n, name in enumerate(names))
    form = (
        "| survey |\n| | type | name | label |\n| | select_one c | q | Which? |\n"
        f"| choices |\n| | list_name | name | label |\n{rows}\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.md"
        path.write_text(form, encoding="utf-8")
        result = convert(path, "choices", language="en")
    assert [g for g in result.gaps if not g.note] == []
    ins = load_bytes(render(result).encode(), "choices.yaml")
    item = ins.item("q")
    assert item is not None
    assert [o.value for o in item.options] == [int(n) if _number(n) else n for n in names]
