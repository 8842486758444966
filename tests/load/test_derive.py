"""Ask-once maps (``derive``) in the loader: each broken map gives its code at its line.

In one file: targets are options of the item, one row per source value, only one-value
choice items take a map, never on a validated scale. Across files (check_derive): every
option of every source has a row, every row names a real option of a source, a concept
nobody carries is a warning.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.errors import InstrumentError, Problem
from screening.load.check_derive import derivation_problems
from tests.support.builders import HEADER, instrument_yaml, make
from tests.support.paths import INSTRUMENTS

HEADER_LINES = HEADER.count("\n")

TARGET = """\
sections:
  - id: s
    title: S
    items:
      - id: ending
        type: yes_no
        unsure: true
        text: Have you had thoughts of ending your life?
        why: W.
        derive:
          from_concept: death_or_harm
          map:
            - {from: 0, to: "no"}
            - {from: [1, 2, 3], to: "yes"}
"""

SOURCE = """\
id: scale
version: 0.1.0
title: Scale
language: en
audiences: [worker]
licence: CC-BY-4.0
codesign: {status: validated}
changelog: [{version: 0.1.0, date: "2026-11-29", changes: Test.}]
sections:
  - id: mood
    title: Mood
    items:
      - id: s_9
        type: single
        concept: death_or_harm
        text: Thoughts of death or of harming yourself
        why: W.
        options:
          - {value: 0, label: Not at all}
          - {value: 1, label: Some days}
          - {value: 2, label: Over half the days}
          - {value: 3, label: Almost every day}
"""


def problems(body: str) -> list[Problem]:
    with pytest.raises(InstrumentError) as caught:
        make(body)
    return caught.value.problems


def test_a_good_map_loads_as_a_derivation() -> None:
    item = make(TARGET).item("ending")
    assert item is not None and item.derive is not None
    assert item.derive.from_concept == "death_or_harm"
    assert item.derive.pairs == ((0, "no"), (1, "yes"), (2, "yes"), (3, "yes"))
    assert item.derive.value_for(2) == "yes" and item.derive.value_for("2") is None


def test_a_target_that_is_no_option_of_the_item() -> None:
    [problem] = problems(TARGET.replace('to: "no"', "to: nope"))
    assert problem.code == "derive-value"
    assert problem.line == HEADER_LINES + 13
    assert problem.path[-4:] == ("derive", "map", 0, "to") and "'unsure'" in problem.message


def test_a_source_value_with_two_rows() -> None:
    [problem] = problems(TARGET.replace("from: [1, 2, 3]", "from: [1, 0, 3]"))
    assert problem.code == "derive-duplicate" and problem.line == HEADER_LINES + 14


def test_an_unquoted_no_is_explained() -> None:
    found = problems(TARGET.replace('to: "no"', "to: no"))
    assert found and "in quotes" in found[0].message


def test_only_one_value_choice_items_take_a_map() -> None:
    body = TARGET.replace(
        "        type: yes_no\n        unsure: true\n",
        "        type: multiple\n        options:\n          - {value: a, label: A}\n",
    )
    assert [p.code for p in problems(body)] == ["derive-type"]


def test_a_validated_scale_is_never_derived() -> None:
    text = instrument_yaml(TARGET).replace("{status: draft}", "{status: validated}")
    from screening.load.loader import load_bytes

    with pytest.raises(InstrumentError) as caught:
        load_bytes(text.encode(), "scale.yaml")
    assert [p.code for p in caught.value.problems] == ["derive-validated"]


def _folder(tmp_path: Path, target: str, source: str) -> tuple[Path, Path]:
    (tmp_path / "scale.yaml").write_text(source)
    path = tmp_path / "needs.yaml"
    path.write_text(instrument_yaml(target))
    return path, tmp_path / "scale.yaml"


def test_across_files_a_full_map_has_no_problem(tmp_path: Path) -> None:
    target, source = _folder(tmp_path, TARGET, SOURCE)
    assert derivation_problems([target]) == []
    assert derivation_problems([target, source]) == []


def test_across_files_a_map_must_cover_every_option(tmp_path: Path) -> None:
    wider = SOURCE + "          - {value: 4, label: More}\n"
    target, _ = _folder(tmp_path, TARGET, wider)
    [problem] = derivation_problems([target])  # the folder's other files are the sources
    assert problem.code == "derive-map" and not problem.warning
    assert problem.file == str(target) and problem.line == HEADER_LINES + 12
    assert "4" in problem.message and "scale.yaml" in problem.message


def test_across_files_a_row_must_name_a_real_option(tmp_path: Path) -> None:
    target, _ = _folder(tmp_path, TARGET.replace("[1, 2, 3]", "[1, 2, 3, 7]"), SOURCE)
    [problem] = derivation_problems([target])
    assert problem.code == "derive-value" and problem.path[-2:] == (1, "from")
    assert problem.line == HEADER_LINES + 14 and "s_9" in problem.message


def test_across_files_a_source_behind_a_show_if_is_refused(tmp_path: Path) -> None:
    gated = SOURCE.replace(
        "      - id: s_9\n",
        "      - id: s_gate\n        type: yes_no\n        text: Go on?\n        why: W.\n"
        '      - id: s_9\n        show_if: {item: s_gate, equals: "yes"}\n',
    )
    target, _ = _folder(tmp_path, TARGET, gated)
    assert [p.code for p in derivation_problems([target])] == ["derive-map"]


def test_across_files_nobody_carries_the_concept(tmp_path: Path) -> None:
    target, _ = _folder(tmp_path, TARGET, SOURCE.replace("death_or_harm", "other"))
    [problem] = derivation_problems([target])
    assert problem.code == "derive-source" and problem.warning
    assert problem.path[-1] == "from_concept"


def test_the_shipped_maps_cover_their_sources() -> None:
    paths = sorted(INSTRUMENTS.glob("*.yaml"))
    assert derivation_problems(paths) == []
    texts = {p.stem: p.read_text() for p in paths}
    assert "derive:" in texts["needs-assessment"] and "derive:" in texts["youth-check-in"]
