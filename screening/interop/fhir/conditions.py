"""Our show-if conditions in FHIR: ``enableWhen`` where it says exactly the same thing,
an SDC ``enableWhenExpression`` (FHIRPath) for the rest, and back again.

Both sides agree that a test of an item with no answer is false (FHIR: a disabled or
unanswered question has no answer; ours: skipped, declined, unanswered or not shown).
FHIR cannot see a skip or a "prefer not to say" (neither is sent in a
QuestionnaireResponse), so ``skipped`` and ``declined`` tests have no FHIR form at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from screening.core.conditions import All, Condition, FlagTest, ItemTest, Not, ScoreTest
from screening.core.conditions import Any as AnyOf
from screening.core.model import Item
from screening.interop.fhir.items import answer_value, fhir_type

_OPERATORS = {"equals": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_COMPARE = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "equals": lambda a, b: a == b,
}

Atoms = tuple[str, list[dict[str, Any]]]  # ("all" | "any", enableWhen entries)


def enable_when(condition: Condition, items: Mapping[str, Item]) -> Atoms | None:
    """The ``enableWhen`` list and ``enableBehavior`` that mean exactly ``condition``,
    or None when FHIR's flat list cannot say it."""
    if isinstance(condition, ItemTest):
        return _test(condition, items)
    if isinstance(condition, All | AnyOf):
        want = "all" if isinstance(condition, All) else "any"
        out: list[dict[str, Any]] = []
        for child in condition.conditions:
            found = enable_when(child, items)
            if found is None or (len(found[1]) > 1 and found[0] != want):
                return None
            out.extend(found[1])
        return want, out
    if isinstance(condition, Not):
        inner = condition.condition
        if isinstance(inner, ItemTest) and inner.op == "answered" and inner.item in items:
            return "all", [_exists(inner.item, not inner.value)]
    return None


def _exists(item_id: str, value: object) -> dict[str, Any]:
    return {"question": item_id, "operator": "exists", "answerBoolean": bool(value)}


def _atom(item: Item, operator: str, value: object) -> dict[str, Any] | None:
    typed = answer_value(item, value)
    if typed is None:
        return None
    name, written = typed
    return {"question": item.id, "operator": operator, name.replace("value", "answer"): written}


def _test(test: ItemTest, items: Mapping[str, Item]) -> Atoms | None:
    item = items.get(test.item)
    if item is None:
        return None
    op, value = test.op, test.value
    if op == "answered":
        return "all", [_exists(item.id, value)]
    if op in ("skipped", "declined"):
        return None
    if item.type == "multiple":
        if op != "includes":
            return None
        atom = _atom(item, "=", value)
        return ("all", [atom]) if atom else None
    if op == "includes":
        return None
    if op == "in":
        assert isinstance(value, tuple)
        atoms = [_atom(item, "=", v) for v in value]
        if not atoms or any(a is None for a in atoms):
            return None
        return "any", [a for a in atoms if a is not None]
    if fhir_type(item) == "choice" or fhir_type(item) == "boolean":
        if op == "equals":
            atom = _atom(item, "=", value)
            return ("all", [atom]) if atom else None
        return _choice_comparison(item, op, value)
    if item.type == "date" and op != "equals":
        return None  # dates have no number: our comparisons of them are never true
    atom = _atom(item, _OPERATORS[op], value)
    return ("all", [atom]) if atom else None


def _choice_comparison(item: Item, op: str, value: object) -> Atoms | None:
    """A comparison of a choice item compares the number its options stand for: the
    same as "the answer is one of these options"."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    chosen = [
        o.value
        for o in item.options
        if o.numeric is not None and _COMPARE[op](float(o.numeric), float(value))
    ]
    atoms = [_atom(item, "=", v) for v in chosen]
    if not atoms or any(a is None for a in atoms):
        return None
    return "any", [a for a in atoms if a is not None]


# --- FHIRPath -------------------------------------------------------------------------


def _string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _answers(item_id: str) -> str:
    return f"%resource.repeat(item).where(linkId = {_string(item_id)}).answer"


def _literal(item: Item, value: object) -> str | None:
    typed = answer_value(item, value)
    if typed is None:
        return None
    name, written = typed
    if name == "valueCoding":
        return None
    if name == "valueBoolean":
        return "true" if written else "false"
    if name == "valueDate":
        return f"@{written}"
    if name == "valueString":
        return _string(str(written))
    return repr(written)


def fhirpath(condition: Condition, items: Mapping[str, Item]) -> str | None:
    """A FHIRPath expression over the QuestionnaireResponse that is true exactly when
    ``condition`` is; None when FHIR data cannot tell (skips, declines, scores, flags)."""
    if isinstance(condition, All | AnyOf):
        parts = [fhirpath(c, items) for c in condition.conditions]
        if any(p is None for p in parts):
            return None
        joiner = " and " if isinstance(condition, All) else " or "
        return "(" + joiner.join(f"({p})" for p in parts if p is not None) + ")"
    if isinstance(condition, Not):
        inner = fhirpath(condition.condition, items)
        return None if inner is None else f"({inner}).not()"
    if isinstance(condition, ScoreTest | FlagTest) or not isinstance(condition, ItemTest):
        return None
    item = items.get(condition.item)
    if item is None:
        return None
    return _item_path(condition, item)


def _item_path(test: ItemTest, item: Item) -> str | None:
    answers = _answers(item.id)
    if test.op == "answered":
        return f"{answers}.exists()" + ("" if test.value else ".not()")
    found = enable_when(test, {item.id: item})
    if found is None:
        return None
    behaviour, atoms = found
    parts = [_atom_path(item, atom) for atom in atoms]
    if any(p is None for p in parts):
        return None
    joiner = " and " if behaviour == "all" else " or "
    text = joiner.join(p for p in parts if p is not None)
    return text if len(parts) == 1 else f"({text})"


def _atom_path(item: Item, atom: Mapping[str, Any]) -> str | None:
    answers = _answers(item.id)
    if "answerCoding" in atom:
        code = atom["answerCoding"]["code"]
        return f"{answers}.value.where(code = {_string(code)}).exists()"
    name = next(k for k in atom if k.startswith("answer"))
    literal = _literal(item, atom[name] if name != "answerBoolean" else _yes_no(atom[name]))
    if literal is None:
        return None
    return f"{answers}.where(value {atom['operator']} {literal}).exists()"


def _yes_no(value: object) -> str:
    return "yes" if value else "no"


# --- back to our YAML form ------------------------------------------------------------


def to_raw(condition: Condition) -> dict[str, Any]:
    """The YAML mapping form of a condition (the inverse of conditions.parse)."""
    if isinstance(condition, All):
        return {"all": [to_raw(c) for c in condition.conditions]}
    if isinstance(condition, AnyOf):
        return {"any": [to_raw(c) for c in condition.conditions]}
    if isinstance(condition, Not):
        return {"not": to_raw(condition.condition)}
    if isinstance(condition, FlagTest):
        return {"flag": condition.flag}
    if isinstance(condition, ScoreTest):
        value = list(condition.value) if isinstance(condition.value, tuple) else condition.value
        return {"score": condition.score, condition.op: value}
    assert isinstance(condition, ItemTest)
    value = list(condition.value) if isinstance(condition.value, tuple) else condition.value
    return {"item": condition.item, condition.op: value}


def to_json(condition: Condition) -> str:
    return json.dumps(to_raw(condition), sort_keys=True, separators=(",", ":"))
