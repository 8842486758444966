"""Our scores and derived values as SDC ``calculatedExpression`` (FHIRPath), so a form
filler (LHC-Forms) shows a PHQ-9 total as the person answers.

Each expression reads the QuestionnaireResponse (``%resource``) and says exactly what
``screening score`` says, where FHIR can: FHIRPath arithmetic on an empty operand is
empty, so a total is empty, not a partial sum, until every item it adds is answered
(ours is then ``complete: false``, its value a partial sum that is no total). What
FHIR data cannot tell (a skip from a decline, an item not shown from one unanswered,
a multiple-choice sum) gives no expression, and the export says so in its notes.
"""

from __future__ import annotations

from collections.abc import Mapping

from screening.core import derived as dv
from screening.core.model import Item, Score
from screening.interop.fhir.conditions import fhirpath
from screening.interop.fhir.items import answer_codes, coding, fhir_type

_OPS = {"sum": " + ", "multiply": " * "}


def _string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _value(item_id: str) -> str:
    return f"%resource.repeat(item).where(linkId = {_string(item_id)}).answer.value"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def item_number(item: Item) -> str | None:
    """The number an item's answer stands for, as FHIRPath; None when FHIR cannot say it."""
    kind = fhir_type(item)
    if kind in ("integer", "decimal"):
        return _value(item.id)
    if item.type == "multiple" or kind not in ("choice", "boolean"):
        return None
    numbers = [(o.value, o.numeric) for o in item.options]
    if any(n is None for _, n in numbers):
        return None
    if kind == "boolean":
        yes = next(n for v, n in numbers if v == "yes")
        no = next(n for v, n in numbers if v == "no")
        return f"iif({_value(item.id)} = true, {_number(yes or 0)}, {_number(no or 0)})"
    standard = answer_codes(item) is not None  # LOINC codes, say: not our values
    if not standard and all(isinstance(v, int) and n == v for v, n in numbers):
        return f"{_value(item.id)}.code.toInteger()"
    code = f"{_value(item.id)}.code"
    out = "{}"
    for value, number in reversed(numbers):
        sent = str(coding(item, value)["code"])  # the code the response carries
        out = f"iif({code} = {_string(sent)}, {_number(number or 0)}, {out})"
    return out


def score_expression(
    score: Score, items: Mapping[str, Item], scores: Mapping[str, Score]
) -> str | None:
    """The score's value as FHIRPath: empty until every term is known."""
    if score.not_shown_zero:
        return None  # FHIR cannot tell an item not shown from one unanswered
    parts: list[str] = []
    for term in score.terms:
        if term.score is not None:
            sub = scores.get(term.score)
            part = score_expression(sub, items, scores) if sub is not None else None
        elif term.item is not None and term.item in items:
            item = items[term.item]
            part = item_number(item)
            if part is not None and term.reverse:
                span = item.numeric_range()
                if span is None:
                    return None
                part = f"({_number(span[0] + span[1])} - {part})"
        else:
            return None  # a derived term: exported on its own, not inlined here
        if part is None:
            return None
        parts.append(part if term.weight == 1 else f"({part}) * {_number(term.weight)}")
    total = " + ".join(f"({p})" for p in parts)
    for item_id in score.requires:
        if item_id not in items:
            return None
        total = f"iif({_value(item_id)}.exists(), {total}, {{}})"
    return total


def derived_expression(
    value: dv.DerivedValue, items: Mapping[str, Item], known: Mapping[str, dv.DerivedValue]
) -> str | None:
    """A derived value as FHIRPath where the two mean the same (sums, products,
    differences, quotients, min and max of up to 4 values, ``if``, ``coalesce``); None
    otherwise (a multiple-choice count among them: FHIR sends no empty answer, we count
    it 0)."""
    return _expr(value.expr, items, known)


def _expr(
    expr: dv.Expr, items: Mapping[str, Item], known: Mapping[str, dv.DerivedValue]
) -> str | None:
    if isinstance(expr, dv.Const):
        if isinstance(expr.literal, str):
            return _string(expr.literal)
        if isinstance(expr.literal, int | float):
            return _number(expr.literal)
        return f"@{expr.literal.isoformat()}"
    if isinstance(expr, dv.ItemRef):
        item = items.get(expr.item)
        if item is None:
            return None
        if expr.type == "number":
            return item_number(item)
        if fhir_type(item) in ("string", "text", "date"):
            return _value(item.id)
        return None
    if isinstance(expr, dv.Arithmetic) and expr.op in ("sum", "multiply", "subtract"):
        parts = [_expr(a, items, known) for a in expr.args]
        if any(p is None for p in parts):
            return None
        joiner = _OPS.get(expr.op, " - ")
        return "(" + joiner.join(f"({p})" for p in parts) + ")"
    if isinstance(expr, dv.Arithmetic) and expr.op == "divide":
        parts = [_expr(a, items, known) for a in expr.args]
        if any(p is None for p in parts):
            return None
        return f"(({parts[0]}) / ({parts[1]}))"  # by 0 is empty in FHIRPath, unknown here
    if isinstance(expr, dv.Arithmetic) and expr.op in ("min", "max") and len(expr.args) <= 4:
        operands = [_expr(a, items, known) for a in expr.args]
        if any(p is None for p in operands):
            return None
        parts = [str(p) for p in operands]
        keep = "<=" if expr.op == "min" else ">="
        out = parts[0]
        for part in parts[1:]:  # each operand is known (below): no empty comparison
            out = f"iif(({out}) {keep} ({part}), {out}, {part})"
        known_all = " and ".join(f"({p}).exists()" for p in parts)
        return f"iif({known_all}, {out}, {{}})"
    if isinstance(expr, dv.DerivedRef):
        found = known.get(expr.name)
        return None if found is None else _expr(found.expr, items, known)
    if isinstance(expr, dv.If):
        cond = fhirpath(expr.cond, items)
        then, otherwise = _expr(expr.then, items, known), _expr(expr.otherwise, items, known)
        if cond is None or then is None or otherwise is None:
            return None
        return f"iif({cond}, {then}, {otherwise})"
    if isinstance(expr, dv.Coalesce):
        parts = [_expr(a, items, known) for a in expr.args]
        if any(p is None for p in parts):
            return None
        out = "{}"
        for part in reversed(parts):
            out = f"iif(({part}).exists(), {part}, {out})"
        return out
    # counts (an answer with nothing chosen is 0 here, and no answer in FHIR), lookups,
    # date differences (R4's FHIRPath has no whole-years difference), min or max of more
    # than 4 values (the expression doubles with each): not exported
    return None
