"""Properties of the comparison, on every shipped instrument and random edits of it:
nothing changed is no change; one edit is exactly one change, of its kind, on its item;
what is added one way is removed the other way; marked words give back both texts."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from screening.codesign.diff import KINDS, diff, marked_words
from screening.load import yamlmarks
from tests.support.paths import INSTRUMENTS

SHIPPED = {p.stem: yamlmarks.load(p.read_bytes()).data for p in sorted(INSTRUMENTS.glob("*.yaml"))}
names = st.sampled_from(sorted(SHIPPED))
words = st.text(alphabet=st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=8)


def items(d: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for s in d["sections"] for i in s["items"]]


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_an_instrument_against_itself_is_no_change(name: str) -> None:
    data = SHIPPED[name]
    assert diff(data, copy.deepcopy(data)) == []


@given(names, st.data())
def test_one_edit_is_one_change_on_its_item(name: str, draw: st.DataObject) -> None:
    old = SHIPPED[name]
    new = copy.deepcopy(old)
    item = draw.draw(st.sampled_from(items(new)))
    edit = draw.draw(st.sampled_from(["reword", "why", "condition", "remove", "option"]))
    note(f"{name} {item['id']} {edit}")
    expected = {
        "reword": "reworded",
        "why": "reworded",
        "condition": "condition",
        "remove": "removed",
        "option": "options",
    }[edit]
    if edit == "reword":
        item["text"] = item["text"] + " " + draw.draw(words)
    elif edit == "why":
        item["why"] = draw.draw(words)
    elif edit == "condition":
        item["show_if"] = {"not": item["show_if"]} if "show_if" in item else {"flag": "x"}
    elif edit == "remove":
        for section in new["sections"]:
            section["items"] = [i for i in section["items"] if i["id"] != item["id"]]
    elif isinstance(item.get("options"), list) and item["options"]:
        item["options"].pop(draw.draw(st.integers(0, len(item["options"]) - 1)))
    else:
        item["options"] = [*(item.get("options") or []), {"value": "zz", "label": "Zz"}]
        if isinstance(old_opts := _item(old, item["id"]).get("options"), str):
            item["options"] = [*(old.get("option_sets", {}).get(old_opts, [])), item["options"][-1]]
    if edit == "why" and item["why"] == _item(old, item["id"]).get("why"):
        return
    changes = diff(old, new)
    assert [(c.item, c.kind) for c in changes] == [(item["id"], expected)]
    assert changes[0].section == _section(old, item["id"])


def _item(d: dict[str, Any], iid: str) -> dict[str, Any]:
    return next(i for i in items(d) if i["id"] == iid)


def _section(d: dict[str, Any], iid: str) -> str:
    return next(s["id"] for s in d["sections"] for i in s["items"] if i["id"] == iid)


@given(names, names)
def test_added_one_way_is_removed_the_other(a: str, b: str) -> None:
    forward, backward = diff(SHIPPED[a], SHIPPED[b]), diff(SHIPPED[b], SHIPPED[a])
    for one, other in (("added", "removed"), ("removed", "added")):
        there = {(c.item, c.section) for c in forward if c.kind == one and c.item}
        back = {(c.item, c.section) for c in backward if c.kind == other and c.item}
        assert there == back
    assert all(c.kind in KINDS for c in forward)
    assert (forward == []) == (backward == []) == (a == b)


_MARK = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}")
phrase = st.lists(st.sampled_from(["a", "b", "safe", "okay", "now", "you"]), max_size=8)


@given(phrase, phrase)
def test_marked_words_give_back_both_texts(a: list[str], b: list[str]) -> None:
    marked = marked_words(" ".join(a), " ".join(b))
    old = _MARK.sub(lambda m: m.group(1) or "", marked).split()
    new = _MARK.sub(lambda m: m.group(2) or "", marked).split()
    assert (old, new) == (a, b)
