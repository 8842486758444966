"""`screening diff`: a shipped instrument against a copy with one reworded item, one
removed option and one changed condition names exactly those three changes; each kind
of change is named, in words, with the item and section it belongs to."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from screening.cli.main import main
from screening.codesign.diff import diff, marked_words, plain_condition
from screening.load import yamlmarks
from tests.support.paths import INSTRUMENTS

Run = Callable[..., subprocess.CompletedProcess[str]]
SHIPPED = INSTRUMENTS / "youth-check-in.yaml"


def three_changes(tmp_path: Path) -> Path:
    """A copy of the youth check-in: one question reworded, one option taken out of
    another, the show-if of a third narrowed."""
    text = SHIPPED.read_text(encoding="utf-8")
    edits = [
        ("text: Do you feel safe right now?", "text: Do you feel okay right now?"),
        ("          - {value: pets, label: Pets}\n", ""),
        (
            'show_if: {item: y_safe_place_tonight, in: ["no", unsure]}',
            'show_if: {item: y_safe_place_tonight, equals: "no"}',
        ),
    ]
    for old, new in edits:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    copy_path = tmp_path / "youth-check-in.yaml"
    copy_path.write_text(text, encoding="utf-8")
    return copy_path


def test_three_edits_are_exactly_three_changes(cli: Run, tmp_path: Path) -> None:
    edited = three_changes(tmp_path)
    result = cli("diff", "youth-check-in", edited, "--json")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)["changes"]
    assert [(c["item"], c["section"], c["kind"]) for c in changes] == [
        ("y_safe_right_now", "being_safe", "reworded"),
        ("y_want_place_tonight", "being_safe", "condition"),
        ("y_strength_from", "people", "options"),
    ]
    assert set(json.loads(result.stdout)) == {"changes"}
    assert all(set(c) == {"item", "section", "kind", "detail"} for c in changes)
    reworded, condition, option = (c["detail"] for c in changes)
    assert reworded == "text: Do you feel [-safe-] {+okay+} right now?"
    assert 'y_safe_place_tonight is "no"' in condition
    assert '"pets"' in option and "removed" in option

    text = CliRunner().invoke(main, ["diff", str(SHIPPED), str(edited)])
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert len(lines) == 3 and lines[0].startswith("item y_safe_right_now: reworded: ")


def test_translations_of_old_words_are_named(tmp_path: Path) -> None:
    args = ["diff", str(SHIPPED), str(three_changes(tmp_path)), "--json", "--translations"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    stale = [c for c in json.loads(result.output)["changes"] if c["kind"] == "translation"]
    assert [(c["item"], c["section"]) for c in stale] == [("y_safe_right_now", "being_safe")]
    assert stale[0]["detail"].startswith("items.y_safe_right_now.text: ")
    for code in ("ar", "fr", "es"):
        assert code in stale[0]["detail"]


def test_an_invalid_file_is_refused_with_its_problems(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(SHIPPED.read_text(encoding="utf-8").replace("version: 0.3.0", "version: x"))
    result = CliRunner().invoke(main, ["diff", str(SHIPPED), str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:" in result.output and "version" in result.output
    missing = CliRunner().invoke(main, ["diff", str(SHIPPED), str(tmp_path / "nothing.yaml")])
    assert missing.exit_code == 1 and "no instrument file" in missing.output


def data() -> dict[str, Any]:
    loaded = yamlmarks.load(SHIPPED.read_bytes()).data
    assert isinstance(loaded, dict)
    return loaded


def first_items(d: dict[str, Any]) -> list[dict[str, Any]]:
    return d["sections"][0]["items"]  # type: ignore[no-any-return]


def test_added_removed_and_moved() -> None:
    old = data()
    new = copy.deepcopy(old)
    items = first_items(new)
    moved = items.pop(0)
    new["sections"][1]["items"].append(moved)
    items.insert(0, {"id": "y_new", "type": "yes_no", "text": "New?", "why": "Because."})
    gone = new["sections"][-1]["items"].pop()
    new["sections"].append({"id": "extra", "title": "Extra", "items": []})
    changes = {(c.item, c.section, c.kind) for c in diff(old, new)}
    assert changes == {
        ("y_new", old["sections"][0]["id"], "added"),
        (moved["id"], old["sections"][1]["id"], "moved"),
        (gone["id"], old["sections"][-1]["id"], "removed"),
        (None, "extra", "added"),
    }


def test_order_within_a_section_is_a_move_of_the_one_that_moved() -> None:
    old = data()
    new = copy.deepcopy(old)
    items = first_items(new)
    items.append(items.pop(0))
    changes = [(c.item, c.kind) for c in diff(old, new)]
    assert changes == [(first_items(old)[0]["id"], "moved")]


def test_relabelled_option_scoring_flag_and_section_texts() -> None:
    old = data()
    new = copy.deepcopy(old)
    new_item = next(
        i for s in new["sections"] for i in s["items"] if isinstance(i.get("options"), list)
    )
    new_item["options"][0]["label"] = new_item["options"][0]["label"] + " now"
    new["flags"][0]["when"] = {"not": new["flags"][0]["when"]}
    new["sections"][0]["title"] = "Staying safe"
    kinds = [(c.item, c.section, c.kind) for c in diff(old, new)]
    assert (None, new["sections"][0]["id"], "reworded") in kinds
    assert (new_item["id"], _section_of(new, new_item["id"]), "options") in kinds
    flag = [c for c in diff(old, new) if c.kind == "scoring"]
    assert len(flag) == 1 and flag[0].detail.startswith(f"flag {new['flags'][0]['id']}: when")
    assert len(kinds) == 3


def _section_of(d: dict[str, Any], item_id: str) -> str:
    return next(s["id"] for s in d["sections"] for i in s["items"] if i["id"] == item_id)


@pytest.mark.parametrize(
    ("old", "new", "marked"),
    [
        ("Do you feel safe?", "Do you feel okay?", "Do you feel [-safe?-] {+okay?+}"),
        ("A B", "A B C", "A B {+C+}"),
        ("A B C", "A C", "A [-B-] C"),
        ("same", "same", "same"),
    ],
)
def test_marked_words(old: str, new: str, marked: str) -> None:
    assert marked_words(old, new) == marked


def test_conditions_in_words() -> None:
    cond = {"all": [{"item": "a", "in": ["no", "unsure"]}, {"not": {"flag": "f"}}]}
    assert plain_condition(cond) == '(a is one of "no", "unsure" and not flag f is raised)'
    assert plain_condition({"score": "s", "gte": 10}) == "score s >= 10"
    assert plain_condition({"item": "a", "skipped": True}) == "a is skipped"
