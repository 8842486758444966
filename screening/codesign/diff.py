"""What changed between two versions of an instrument, item by item, in plain words.

Pure: it compares the plain data of two valid instrument files (as the loader reads
them) and knows nothing of files, catalogs or the web, so the command line and the
studio show the same list. Stale translations are asked of an injected lookup
(:func:`stale_translations`), which the caller builds from the catalogs.

Kinds (``Change.kind``):

- ``added`` / ``removed``: an item or a section (or a score, flag, need, strength or
  derived value: then ``item`` and ``section`` are both null);
- ``moved``: an item now in another section, or out of its old order among the items
  both versions have; a section out of its old order;
- ``reworded``: a text the person or the worker reads (text, why, help, a warning, a
  title, a result's words), with the words removed marked ``[-...-]`` and the words
  added ``{+...+}``;
- ``options``: an answer option added, removed or relabelled, or the form of the
  answer (type, range, unit) changed;
- ``condition``: when and where an item or section is shown, skipped, printed or kept
  (show_if, audiences, skippable, sensitive, print, export);
- ``scoring``: what the answers count for: option scores, scores and their bands,
  flags, needs, strengths, derived values, codes, concepts, ask-once maps, parameters;
- ``translation``: a text that changed while a catalog still translates its old
  words (:func:`stale_translations`, given the catalogs' texts by the caller).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal[
    "added", "removed", "moved", "reworded", "options", "condition", "scoring", "translation"
]
KINDS: tuple[Kind, ...] = (
    "added",
    "removed",
    "moved",
    "reworded",
    "options",
    "condition",
    "scoring",
    "translation",
)

#: Fields whose words people read (the schema's translatable fields).
TEXT_FIELDS = frozenset(
    {
        "title",
        "description",
        "intro",
        "text",
        "why",
        "help",
        "content_warning",
        "unskippable_because",
        "min_label",
        "max_label",
        "unit",
        "label",
        "message",
        "person",
        "person_message",
        "worker",
        "next",
    }
)
#: An item's answer form: a change here is an ``options`` change.
FORM_FIELDS = frozenset(
    {"type", "display", "min", "max", "step", "integer", "unsure", "max_length"}
)
#: Where and when an item is shown and kept: a ``condition`` change.
CONDITION_FIELDS = frozenset({"show_if", "audiences", "skippable", "sensitive", "print", "export"})
#: Conditions of results: shown in words.
RULE_FIELDS = frozenset({"when", "urgent_if", "some_if"})
#: Top-level result lists, compared entry by entry (a change there is ``scoring``).
RESULTS = ("scores", "flags", "needs", "strengths", "derived")
#: What a version change never counts as: who made it, when, and under what licence.
METADATA = frozenset(
    {"id", "version", "language", "codesign", "licence", "source", "changelog", "option_sets"}
)

Data = Mapping[str, Any]
#: (context, old text, new text) -> languages whose translation is now of the old text.
StaleLookup = Callable[[str, str, str], list[str]]


@dataclass(frozen=True, slots=True)
class Change:
    item: str | None
    section: str | None
    kind: Kind
    detail: str

    def to_json(self) -> dict[str, object]:
        return {
            "item": self.item,
            "section": self.section,
            "kind": self.kind,
            "detail": self.detail,
        }

    def __str__(self) -> str:
        where = (
            f"item {self.item}"
            if self.item
            else f"section {self.section}"
            if self.section
            else "instrument"
        )
        return f"{where}: {self.kind}: {self.detail}"


def diff(old: Data, new: Data) -> list[Change]:
    """Every change from ``old`` to ``new`` (plain instrument data): instrument texts,
    then sections, items and results, each in the new file's order, removed ones last."""
    out: list[Change] = []
    out.extend(_instrument_fields(old, new))
    out.extend(_sections(old, new))
    out.extend(_items(old, new))
    for key in RESULTS:
        out.extend(_results(key, old.get(key) or [], new.get(key) or []))
    return out


def as_json(changes: Iterable[Change]) -> dict[str, object]:
    return {"changes": [c.to_json() for c in changes]}


# --- words ---------------------------------------------------------------------------

_TOKEN = re.compile(r"\S+")


def marked_words(old: str, new: str) -> str:
    """``new`` with the words taken out of ``old`` as ``[-...-]`` and those put in as
    ``{+...+}`` (the marks of ``git diff --word-diff``)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(" ".join(a[i1:i2]))
            continue
        if op in ("delete", "replace"):
            parts.append("[-" + " ".join(a[i1:i2]) + "-]")
        if op in ("insert", "replace"):
            parts.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(parts)


def _show(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


_TESTS = {
    "equals": "is",
    "in": "is one of",
    "includes": "includes",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
}


def plain_condition(cond: object) -> str:
    """A show-if or rule condition in words: ``y_safe is "no" and not (flag urgent)``;
    anything not recognised is shown as JSON."""
    if not isinstance(cond, Mapping):
        return _show(cond)
    if "all" in cond or "any" in cond:
        joiner = " and " if "all" in cond else " or "
        parts = [plain_condition(c) for c in cond.get("all", cond.get("any")) or []]
        return "(" + joiner.join(parts) + ")" if len(parts) > 1 else "".join(parts)
    if "not" in cond:
        return f"not {plain_condition(cond['not'])}"
    if "flag" in cond and len(cond) == 1:
        return f"flag {cond['flag']} is raised"
    subject = (
        str(cond["item"])
        if "item" in cond
        else f"score {cond['score']}"
        if "score" in cond
        else None
    )
    tests = [k for k in cond if k not in ("item", "score")]
    if subject is None or len(tests) != 1:
        return _show(cond)
    test, value = tests[0], cond[tests[0]]
    if test in ("answered", "skipped", "declined"):
        word = {"answered": "answered", "skipped": "skipped", "declined": "declined"}[test]
        return f"{subject} is {word}" if value else f"{subject} is not {word}"
    if test not in _TESTS:
        return _show(cond)
    shown = ", ".join(_show(v) for v in value) if isinstance(value, list) else _show(value)
    return f"{subject} {_TESTS[test]} {shown}"


# --- fields of one entry ---------------------------------------------------------------


def _fields(
    old: Data, new: Data, *, item: str | None, section: str | None, prefix: str, rest: Kind
) -> Iterator[Change]:
    """One change per field that differs. Text fields are ``reworded``; the kinds of the
    others come from the field sets above, ``rest`` for any other."""
    skip = {"id", "items", "options"}
    for key in _keys(old, new):
        if key in skip or old.get(key) == new.get(key):
            continue
        before, after = old.get(key), new.get(key)
        name = f"{prefix}{key}"
        if key in TEXT_FIELDS and (isinstance(before, str) or isinstance(after, str)):
            if isinstance(before, str) and isinstance(after, str):
                words = marked_words(before, after)
            elif after is None:
                words = f"taken out (was {_show(before)})"
            else:
                words = f"added: {_show(after)}"
            yield Change(item, section, "reworded", f"{name}: {words}")
            continue
        if key == "show_if":
            kind: Kind = "condition"
            if after is None:
                detail = f"now always shown (was shown when {plain_condition(before)})"
            elif before is None:
                detail = f"now shown only when {plain_condition(after)} (was always shown)"
            else:
                detail = (
                    f"now shown when {plain_condition(after)} (was when {plain_condition(before)})"
                )
            yield Change(item, section, kind, f"{name}: {detail}")
            continue
        kind = "options" if key in FORM_FIELDS else "condition" if key in CONDITION_FIELDS else rest
        if key in RULE_FIELDS:
            words = f"when {plain_condition(after)} (was when {plain_condition(before)})"
        else:
            words = f"{_show(after)} (was {_show(before)})"
        yield Change(item, section, kind, f"{name}: {words}")


def _keys(old: Data, new: Data) -> list[str]:
    return list(new) + [k for k in old if k not in new]


def _instrument_fields(old: Data, new: Data) -> Iterator[Change]:
    skip = METADATA | {"sections", "parameters", "codes", *RESULTS}
    keep_old = {k: v for k, v in old.items() if k not in skip}
    keep_new = {k: v for k, v in new.items() if k not in skip}
    yield from _fields(keep_old, keep_new, item=None, section=None, prefix="", rest="scoring")
    for key in ("parameters", "codes"):
        if old.get(key) != new.get(key):
            detail = f"{key}: {_show(new.get(key))} (was {_show(old.get(key))})"
            yield Change(None, None, "scoring", detail)


# --- sections and items ------------------------------------------------------------------


def _by_id(entries: Iterable[Any]) -> dict[str, Mapping[str, Any]]:
    return {str(e["id"]): e for e in entries if isinstance(e, Mapping) and "id" in e}


def _order_changed(old_ids: list[str], new_ids: list[str]) -> set[str]:
    """The ids (in both lists) that are out of their old order: those outside the
    longest run of common ids kept in order."""
    common = set(old_ids) & set(new_ids)
    a = [i for i in old_ids if i in common]
    b = [i for i in new_ids if i in common]
    kept: set[str] = set()
    for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        kept.update(a[block.a : block.a + block.size])
    return common - kept


def _sections(old: Data, new: Data) -> Iterator[Change]:
    before, after = _by_id(old.get("sections") or []), _by_id(new.get("sections") or [])
    moved = _order_changed(list(before), list(after))
    for sid, section in after.items():
        if sid not in before:
            yield Change(None, sid, "added", f"section added: {_show(section.get('title'))}")
            continue
        if sid in moved:
            yield Change(None, sid, "moved", "the section comes at another place in the order")
        yield from _fields(
            before[sid], section, item=None, section=sid, prefix="", rest="condition"
        )
    for sid, section in before.items():
        if sid not in after:
            yield Change(None, sid, "removed", f"section removed: {_show(section.get('title'))}")


def _item_places(data: Data) -> dict[str, tuple[str, Mapping[str, Any]]]:
    out: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for section in data.get("sections") or []:
        for item in section.get("items") or []:
            out[str(item["id"])] = (str(section["id"]), item)
    return out


def _items(old: Data, new: Data) -> Iterator[Change]:
    before, after = _item_places(old), _item_places(new)
    moved = _order_changed(list(before), list(after))
    for iid, (sid, item) in after.items():
        if iid not in before:
            yield Change(iid, sid, "added", f"question added: {_show(item.get('text'))}")
            continue
        old_sid, old_item = before[iid]
        if old_sid != sid:
            yield Change(iid, sid, "moved", f"moved from section {old_sid} to section {sid}")
        elif iid in moved:
            yield Change(iid, sid, "moved", "asked at another place in its section")
        yield from _fields(old_item, item, item=iid, section=sid, prefix="", rest="scoring")
        yield from _options(
            _options_of(old, old_item), _options_of(new, item), item=iid, section=sid
        )
    for iid, (sid, item) in before.items():
        if iid not in after:
            yield Change(iid, sid, "removed", f"question removed: {_show(item.get('text'))}")


def _options_of(data: Data, item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = item.get("options")
    if isinstance(options, str):  # the name of an option set
        options = (data.get("option_sets") or {}).get(options)
    return [o for o in options or [] if isinstance(o, Mapping)]


def _options(
    old: list[Mapping[str, Any]], new: list[Mapping[str, Any]], *, item: str, section: str
) -> Iterator[Change]:
    before = {_show(o.get("value")): o for o in old}
    after = {_show(o.get("value")): o for o in new}
    for value, option in after.items():
        label = _show(option.get("label"))
        if value not in before:
            yield Change(item, section, "options", f"option added: {value} ({label})")
            continue
        was = before[value]
        if was.get("label") != option.get("label"):
            words = marked_words(str(was.get("label", "")), str(option.get("label", "")))
            yield Change(item, section, "options", f"option {value} relabelled: {words}")
        for key in _keys(was, option):
            if key in ("value", "label") or was.get(key) == option.get(key):
                continue
            kind: Kind = "scoring" if key in ("score", "codes") else "options"
            detail = f"option {value} {key}: {_show(option.get(key))} (was {_show(was.get(key))})"
            yield Change(item, section, kind, detail)
    for value, option in before.items():
        if value not in after:
            label = _show(option.get("label"))
            yield Change(item, section, "options", f"option removed: {value} ({label})")
    if [k for k in before if k in after] != [k for k in after if k in before]:
        yield Change(item, section, "options", "the options come in another order")


# --- results -----------------------------------------------------------------------------

_SINGULAR = {
    "scores": "score",
    "flags": "flag",
    "needs": "need",
    "strengths": "strength",
    "derived": "derived value",
}


def _results(key: str, old: list[Any], new: list[Any]) -> Iterator[Change]:
    name = _SINGULAR[key]
    before, after = _by_id(old), _by_id(new)
    for rid, entry in after.items():
        if rid not in before:
            yield Change(None, None, "scoring", f"{name} {rid} added")
            continue
        for change in _fields(
            before[rid], entry, item=None, section=None, prefix=f"{name} {rid}: ", rest="scoring"
        ):
            kind: Kind = "reworded" if change.kind == "reworded" else "scoring"
            yield Change(None, None, kind, change.detail)
    for rid in before:
        if rid not in after:
            yield Change(None, None, "scoring", f"{name} {rid} removed")


# --- translations ------------------------------------------------------------------------


def stale_translations(
    new: Data, old_texts: Mapping[str, str], new_texts: Mapping[str, str], lookup: StaleLookup
) -> Iterator[Change]:
    """For each translatable text that changed (same catalog context, other words), the
    languages whose catalog still translates the old words. ``old_texts``/``new_texts``
    map each catalog context (``<id>:<path>``, as the extractor names it) to its text;
    ``lookup(context, old, new)`` returns language codes."""
    places = _item_places(new)
    for context, text in new_texts.items():
        was = old_texts.get(context)
        if was is None or was == text:
            continue
        langs = lookup(context, was, text)
        if not langs:
            continue
        path = context.split(":", 1)[-1]
        parts = path.split(".")
        item = parts[1] if len(parts) > 1 and parts[0] == "items" and parts[1] in places else None
        section = (
            places[item][0]
            if item
            else parts[1]
            if len(parts) > 1 and parts[0] == "sections"
            else None
        )
        detail = f"{path}: the translation into {', '.join(sorted(langs))} is of the old words"
        yield Change(item, section, "translation", detail)
