"""Loader rules: each broken instrument gives the right code at the right line and
column, with a message that says what would be valid. Tests assert on codes and places,
and on the few words a person needs (the valid choices), not on whole sentences."""

from __future__ import annotations

import re

import pytest

from screening.errors import InstrumentError, Problem
from screening.load.loader import load_bytes
from tests.support.builders import HEADER, instrument_yaml, make
from tests.support.paths import ROOT

HEADER_LINES = HEADER.count("\n")


def problems(body: str) -> list[Problem]:
    with pytest.raises(InstrumentError) as caught:
        make(body)
    return caught.value.problems


def only(body: str) -> Problem:
    found = problems(body)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def line(n: int) -> int:
    """Line ``n`` (from 1) of a body, as a line of the whole file."""
    return HEADER_LINES + n


ONE_ITEM = """\
sections:
  - id: s
    title: S
    items:
      - id: q1
        type: single
        text: Question?
        why: Because.
        options:
          - {value: "yes", label: "Yes"}
          - {value: "no", label: "No"}
"""


def test_a_minimal_instrument_loads() -> None:
    instrument = make(ONE_ITEM)
    assert instrument.id == "test"
    assert [i.id for i in instrument.items] == ["q1"]
    assert instrument.items[0].skippable is True


def test_every_message_has_file_line_column_and_field() -> None:
    broken = ONE_ITEM.replace("        why: Because.\n", "").replace('"no", label', "no, label")
    found = problems(broken)
    assert len(found) == 2
    for problem in found:
        assert re.match(r"^test\.yaml:\d+:\d+: [\w\[\].]+: .+", str(problem)), str(problem)


def test_unquoted_yes_as_option_value_is_explained() -> None:
    problem = only(ONE_ITEM.replace('{value: "yes"', "{value: yes"))
    assert problem.code == "type"
    assert problem.path == ("sections", 0, "items", 0, "options", 0, "value")
    assert (problem.line, problem.column) == (line(10), 21)
    assert '"yes"' in problem.message  # tells the author to quote it


def test_missing_why_points_at_the_item() -> None:
    problem = only(ONE_ITEM.replace("        why: Because.\n", ""))
    assert problem.code == "missing-field"
    assert problem.path[-1] == "why"
    assert problem.line == line(5)


def test_unknown_field_suggests_the_close_one() -> None:
    problem = only(ONE_ITEM.replace("text: Question?", "txt: Question?\n        text: Q?"))
    assert problem.code == "unknown-field"
    assert problem.line == line(7)
    assert "'text'" in problem.message


def test_wrong_enum_lists_choices_and_guesses() -> None:
    problem = only(ONE_ITEM.replace("type: single", "type: singel"))
    assert problem.code == "enum"
    assert "did you mean 'single'" in problem.message
    assert "yes_no" in problem.message


def test_a_field_the_type_does_not_take() -> None:
    problem = only(ONE_ITEM.replace("type: single", "type: number"))
    assert problem.code == "unknown-field"
    assert problem.path[-1] == "options"


def test_unskippable_must_say_why() -> None:
    problem = only(ONE_ITEM.replace("why: Because.", "why: Because.\n        skippable: false"))
    assert problem.code == "missing-field"
    assert problem.path[-1] == "unskippable_because"


def test_unskippable_with_reason_loads() -> None:
    body = ONE_ITEM.replace(
        "why: Because.",
        "why: Because.\n        skippable: false\n"
        "        unskippable_because: We need this to continue.",
    )
    assert make(body).items[0].skippable is False


def test_duplicate_ids_and_option_values_are_all_reported() -> None:
    body = (
        ONE_ITEM.replace('{value: "no", label: "No"}', '{value: "yes", label: "Again"}')
        + """\
      - id: q1
        type: text
        text: Again?
        why: Because.
"""
    )
    codes = sorted(p.code for p in problems(body))
    assert codes == ["duplicate-id", "duplicate-option"]


def test_show_if_must_look_backwards() -> None:
    body = (
        ONE_ITEM.replace(
            "why: Because.", "why: Because.\n        show_if: {item: q2, answered: true}"
        )
        + """\
      - id: q2
        type: text
        text: Later?
        why: Because.
"""
    )
    problem = only(body)
    assert problem.code == "forward-ref"
    assert problem.path[-1] == "item"


@pytest.mark.parametrize(
    ("condition", "code", "words"),
    [
        ("{item: q1, equals: maybe}", "condition-value", "'yes', 'no'"),
        ("{item: nope, equals: x}", "unknown-ref", "nope"),
        ("{item: q1, includes: x}", "condition-value", "equals"),
        ("{item: q1, gt: 2}", "condition-value", "no numbers"),
        ("{item: q1}", "empty", ""),
        ("{item: q1, equals: yes}", "type", '"yes"'),
        ("{item: q1, equals: 'yes', in: ['no']}", "condition", ""),
        ("{score: s1, gt: 1}", "show-if-kind", "items"),
        ("{every: [{item: q1, answered: true}]}", "unknown-field", ""),
    ],
)
def test_condition_errors(condition: str, code: str, words: str) -> None:
    body = (
        ONE_ITEM
        + f"""\
      - id: q2
        type: text
        text: Later?
        why: Because.
        show_if: {condition}
"""
    )
    found = problems(body)
    assert code in {p.code for p in found}, "\n".join(map(str, found))
    assert all(p.line >= line(16) for p in found)
    assert any(words in p.message for p in found)


NUMERIC = """\
sections:
  - id: s
    title: S
    items:
      - id: a
        type: scale
        text: A?
        why: W.
        min: 0
        max: 3
      - id: b
        type: scale
        text: B?
        why: W.
        min: 0
        max: 3
scores:
  - id: total
    sum: [a, b]
    bands:
"""


@pytest.mark.parametrize(
    ("bands", "ok", "words"),
    [
        ("[[0, 2], [3, 6]]", True, ""),
        ("[[0, 2], [4, 6]]", False, "gap"),
        ("[[0, 3], [3, 6]]", False, "overlap"),
        ("[[1, 2], [3, 6]]", False, "lowest possible score is 0"),
        ("[[0, 2], [3, 5]]", False, "highest possible score is 6"),
        ("[[0, 2], [3, null]]", True, ""),
        ("[[0, 4], [3, 2]]", False, "starts above"),
    ],
)
def test_bands_cover_the_range_exactly(bands: str, ok: bool, words: str) -> None:
    import json

    rows = "".join(
        f"      - {{id: b{i}, label: B{i}"
        + (f", min: {lo}" if lo is not None else "")
        + (f", max: {hi}" if hi is not None else "")
        + "}\n"
        for i, (lo, hi) in enumerate(json.loads(bands))
    )
    if ok:
        score = make(NUMERIC + rows).scores[0]
        assert [b.id for b in score.bands] == ["b0", "b1"]
        return
    found = problems(NUMERIC + rows)
    assert {p.code for p in found} == {"bands"}
    assert any(words in p.message for p in found), "\n".join(map(str, found))


def test_reverse_and_weights_change_the_range() -> None:
    body = NUMERIC.replace("sum: [a, b]", "sum: [{item: a, weight: 2}, {item: b, reverse: true}]")
    found = problems(body + "      - {id: x, label: X, min: 0, max: 6}\n")
    assert any("highest possible score is 9" in p.message for p in found)


def test_parameterised_bands_are_checked_for_every_setting() -> None:
    body = (
        NUMERIC.replace("scores:", "scores:")
        + """\
      - {id: low, label: L, min: 0, max: {param: cut, add: -1}}
      - {id: high, label: H, min: {param: cut}, max: 6}
parameters:
  - {id: cut, default: 3, min: 1, max: 6}
"""
    )
    instrument = make(body)
    assert instrument.parameter_values == {"cut": 3}
    broken = body.replace("max: {param: cut, add: -1}", "max: {param: cut, add: -2}")
    found = problems(broken)
    assert {p.code for p in found} == {"bands"}


def test_unreachable_item_is_an_error() -> None:
    body = (
        ONE_ITEM
        + """\
      - id: q2
        type: text
        text: Never?
        why: Because.
        show_if: {all: [{item: q1, equals: "yes"}, {item: q1, equals: "no"}]}
"""
    )
    problem = only(body)
    assert problem.code == "unreachable"
    assert problem.line == line(12)


def test_chain_of_unreachable_items() -> None:
    body = (
        ONE_ITEM
        + """\
      - id: q2
        type: text
        text: Never?
        why: Because.
        show_if: {all: [{item: q1, equals: "yes"}, {not: {item: q1, answered: true}}]}
      - id: q3
        type: text
        text: Never either?
        why: Because.
        show_if: {item: q2, answered: true}
"""
    )
    assert sorted(p.path[-1] for p in problems(body)) == [1, 2]


def test_reachable_through_a_number_threshold() -> None:
    body = """\
sections:
  - id: s
    title: S
    items:
      - id: n
        type: number
        text: How many?
        why: W.
        min: 0
        max: 10
        integer: true
      - id: q
        type: text
        text: Many?
        why: W.
        show_if: {all: [{item: n, gt: 4}, {item: n, lt: 6}]}
"""
    assert [i.id for i in make(body).items] == ["n", "q"]


def test_loinc_check_digit() -> None:
    good = ONE_ITEM.replace(
        "why: Because.",
        "why: Because.\n        codes: [{system: 'http://loinc.org', code: 44250-9}]",
    )
    assert make(good).items[0].codes[0].code == "44250-9"
    problem = only(good.replace("44250-9", "44250-8"))
    assert problem.code == "loinc"


def test_changelog_must_cover_the_version() -> None:
    text = instrument_yaml(ONE_ITEM).replace("version: 0.1.0\n", "version: 0.2.0\n", 1)
    with pytest.raises(InstrumentError) as caught:
        load_bytes(text.encode(), "t.yaml")
    assert [p.code for p in caught.value.problems] == ["changelog"]


def test_option_sets_are_shared_and_checked() -> None:
    body = (
        ONE_ITEM.replace(
            '        options:\n          - {value: "yes", label: "Yes"}\n'
            '          - {value: "no", label: "No"}\n',
            "        options: freq\n",
        )
        + "option_sets:\n  freq: [{value: 0, label: Never}, {value: 1, label: Often}]\n"
    )
    assert make(body).items[0].values == (0, 1)
    assert only(body.replace("options: freq", "options: frequency")).code == "unknown-option-set"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "empty"),
        (b"# only a comment\n", "empty"),
        (b"\x00\x01\x02binary", "encoding"),
        (b"id: x\n\xff\xfe bad utf-8", "encoding"),
        (b"- a\n- b\n", "not-a-mapping"),
        (b"just text", "not-a-mapping"),
        (b"id: [unclosed\n", "yaml-syntax"),
        (b"a: 1\n---\nb: 2\n", "yaml-syntax"),
        (b'!!python/object/apply:os.system ["echo hacked"]\n', "yaml-tag"),
        (b"a: !custom x\n", "yaml-tag"),
        (b"a: 1\na: 2\n", "duplicate-key"),
        (b"yes: 1\n", "yaml-key"),
        (b"base: &b {x: 1}\nother:\n  <<: *b\n", "yaml-tag"),
        (b"[" * 200 + b"]" * 200, "too-deep"),
        (b"[" * 5000 + b"]" * 5000, "yaml-syntax|too-deep"),  # libyaml has its own limit
    ],
)
def test_hostile_bytes_give_one_clear_problem(raw: bytes, code: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        load_bytes(raw, "evil.yaml")
    (problem,) = caught.value.problems
    assert problem.code in code.split("|")
    assert problem.line >= 1 and problem.column >= 1
    assert str(problem).startswith(f"evil.yaml:{problem.line}:{problem.column}: ")


def test_yaml_bomb_is_refused() -> None:
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 10):
        bomb.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    with pytest.raises(InstrumentError) as caught:
        load_bytes("\n".join(bomb).encode(), "bomb.yaml")
    assert caught.value.problems[0].code == "too-large"


def test_ten_megabytes_is_refused_cleanly() -> None:
    with pytest.raises(InstrumentError) as caught:
        load_bytes(b"x" * (10 * 1024 * 1024), "big.yaml")
    assert caught.value.problems[0].code == "too-large"


def test_error_position_counts_from_one() -> None:
    with pytest.raises(InstrumentError) as caught:
        load_bytes(b"id: [\n", "t.yaml")
    problem = caught.value.problems[0]
    assert problem.line >= 1 and problem.column >= 1


def test_bands_past_the_range_warn_and_strict_fails(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from screening.load.loader import check_bytes

    text = instrument_yaml(
        NUMERIC + "      - {id: lo, label: L, min: -5, max: 2}\n"
        "      - {id: hi, label: H, min: 3, max: 6}\n"
    )
    instrument, found = check_bytes(text.encode(), "w.yaml")
    assert instrument is not None
    assert [(p.code, p.warning) for p in found] == [("band-beyond-range", True)]
    path = tmp_path / "w.yaml"
    path.write_text(text)
    run = [sys.executable, "-m", "screening", "validate", str(path)]
    lenient = subprocess.run(run, capture_output=True, text=True, cwd=ROOT, check=False)
    strict = subprocess.run(
        [*run, "--strict"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert lenient.returncode == 0 and "warning:" in lenient.stderr
    assert strict.returncode == 1
