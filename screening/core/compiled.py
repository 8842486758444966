"""The compiled form of an instrument: plain JSON for the browser engine (issue 19).

The loader stays the one source of truth: an instrument is written in YAML, checked and
built into :class:`~screening.core.model.Instrument` by :mod:`screening.load`, and this
module writes that model out as JSON, holding exactly what the engine needs to walk and
score an interview with no server (``screening/web/static/engine/engine.js``): items,
their types, options and the numbers they stand for, show-if conditions, derived values,
sections and their content warnings, notes, ask-once concepts and maps, flags and their
severity, scores and bands, needs, strengths, and the words that name nothing (a
strength is not shown for "nothing"). Texts the screens show are kept too (in the
language of the instrument given: translate it first for another); what only the server
or files need (codes, print levels, codesign, changelog) is not.

:func:`step_json` is the compact step both engines are compared by (ids, not texts).
Pure: stdlib only. The format is versioned by :data:`VERSION`; a reader refuses a
version it does not know.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from screening.core import conditions as cd
from screening.core import derived as dv
from screening.core.emptytext import NOTHING_WORDS, normalise
from screening.core.interview import Step
from screening.core.model import (
    Band,
    Flag,
    Instrument,
    Item,
    Need,
    Note,
    Option,
    ParamRef,
    Score,
    Section,
    Strength,
)

FORMAT = "screening/compiled-instrument"
VERSION = 1


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Without the keys whose value is None (the engine reads a missing key as None)."""
    return {k: v for k, v in data.items() if v is not None}


def _value(value: object) -> object:
    """A literal in JSON: a date as {"$date": "YYYY-MM-DD"}, a tuple as a list."""
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    return value


def condition(cond: cd.Condition | None) -> dict[str, Any] | None:
    """A condition as JSON: ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": ...}``,
    ``{"flag": ID}`` or a test ``{"item"|"score"|"derived": ID, "op": OP, "value": V}``."""
    if cond is None:
        return None
    if isinstance(cond, cd.All):
        return {"all": [condition(c) for c in cond.conditions]}
    if isinstance(cond, cd.Any):
        return {"any": [condition(c) for c in cond.conditions]}
    if isinstance(cond, cd.Not):
        return {"not": condition(cond.condition)}
    if isinstance(cond, cd.FlagTest):
        return {"flag": cond.flag}
    if isinstance(cond, cd.ItemTest):
        return {"item": cond.item, "op": cond.op, "value": _value(cond.value)}
    if isinstance(cond, cd.ScoreTest):
        return {"score": cond.score, "op": cond.op, "value": _value(cond.value)}
    if isinstance(cond, cd.DerivedTest):
        return {"derived": cond.name, "op": cond.op, "value": _value(cond.value)}
    raise TypeError(f"no compiled form for {type(cond).__name__}")


def expression(expr: dv.Expr) -> dict[str, Any]:
    """A derived value's expression as JSON, one ``op`` per node."""
    if isinstance(expr, dv.Const):
        return {"op": "const", "type": expr.type, "value": _value(expr.literal)}
    if isinstance(expr, dv.ItemRef):
        return {"op": "item", "item": expr.item, "type": expr.type}
    if isinstance(expr, dv.ScoreRef):
        return {"op": "score", "score": expr.score}
    if isinstance(expr, dv.DerivedRef):
        return {"op": "derived", "name": expr.name, "type": expr.type}
    if isinstance(expr, dv.Today):
        return {"op": "today"}
    if isinstance(expr, dv.Arithmetic):
        return {"op": expr.op, "args": [expression(a) for a in expr.args]}
    if isinstance(expr, dv.CountSelected):
        return {"op": "count_selected", "item": expr.item}
    if isinstance(expr, dv.If):
        return {
            "op": "if",
            "type": expr.type,
            "cond": condition(expr.cond),
            "then": expression(expr.then),
            "else": expression(expr.otherwise),
        }
    if isinstance(expr, dv.Coalesce):
        return {"op": "coalesce", "type": expr.type, "args": [expression(a) for a in expr.args]}
    if isinstance(expr, dv.Lookup):
        return {
            "op": "lookup",
            "type": expr.type,
            "of": expression(expr.of),
            "pairs": [[_value(k), _value(v)] for k, v in expr.pairs],
        }
    if isinstance(expr, dv.Between):
        return {"op": expr.unit, "start": expression(expr.start), "end": expression(expr.end)}
    raise TypeError(f"no compiled form for {type(expr).__name__}")


def _option(option: Option) -> dict[str, Any]:
    return _clean(
        {
            "value": option.value,
            "label": option.label,
            "numeric": option.numeric,  # the number it stands for (score, else int value)
            "exclusive": True if option.exclusive else None,
        }
    )


def _item(item: Item) -> dict[str, Any]:
    span = item.numeric_range()
    return _clean(
        {
            "id": item.id,
            "type": item.type,
            "text": item.text,
            "why": item.why,
            "help": item.help,
            "options": [_option(o) for o in item.options] or None,
            "skippable": None if item.skippable else False,
            "unskippable_because": item.unskippable_because,
            "show_if": condition(item.show_if),
            "concept": item.concept,
            "derive": None
            if item.derive is None
            else {
                "from_concept": item.derive.from_concept,
                "pairs": [[k, v] for k, v in item.derive.pairs],
            },
            "min": item.min,
            "max": item.max,
            "step": item.step,
            "min_label": item.min_label,
            "max_label": item.max_label,
            "integer": True if item.integer else None,
            "unit": item.unit,
            "max_length": item.max_length if item.type == "text" else None,
            "range": None if span is None else [span[0], span[1]],  # for reverse terms
        }
    )


def _note(note: Note) -> dict[str, Any]:
    return _clean(
        {
            "id": note.id,
            "text": note.text,
            "why": note.why,
            "show_if": condition(note.show_if),
            "display": note.display,
            "before": note.before,
        }
    )


def _section(section: Section) -> dict[str, Any]:
    return _clean(
        {
            "id": section.id,
            "title": section.title,
            "intro": section.intro,
            "content_warning": section.content_warning,
            "show_if": condition(section.show_if),
            "items": [_item(i) for i in section.items],
            "notes": [_note(n) for n in section.notes] or None,
        }
    )


def _bound(bound: float | ParamRef | None) -> object:
    if isinstance(bound, ParamRef):
        return {"param": bound.name, "add": bound.add}
    return bound


def _band(band: Band) -> dict[str, Any]:
    return _clean(
        {
            "id": band.id,
            "label": band.label,
            "min": _bound(band.min),
            "max": _bound(band.max),
            "description": band.description,
            "person": band.person,
        }
    )


def _score(score: Score) -> dict[str, Any]:
    terms = [
        _clean(
            {
                "item": t.item,
                "score": t.score,
                "derived": t.derived,
                "weight": t.weight,
                "reverse": True if t.reverse else None,
            }
        )
        for t in score.terms
    ]
    return _clean(
        {
            "id": score.id,
            "label": score.label,
            "description": score.description,
            "terms": terms,
            "requires": list(score.requires) or None,
            "not_shown_zero": True if score.not_shown_zero else None,
            "bands": [_band(b) for b in score.bands] or None,
        }
    )


def _flag(flag: Flag) -> dict[str, Any]:
    return _clean(
        {
            "id": flag.id,
            "severity": flag.severity.label,
            "rank": int(flag.severity),  # urgent 0 first; flags are listed by it
            "label": flag.label,
            "message": flag.message,
            "person": flag.person,
            "person_message": flag.person_message,
            "when": condition(flag.when),
            "help": None
            if flag.help is None
            else _clean({"next": flag.help.next, "need": flag.help.need}),
        }
    )


def _need(need: Need) -> dict[str, Any]:
    return _clean(
        {
            "id": need.id,
            "label": need.label,
            "description": need.description,
            "person": need.person,
            "urgent_if": condition(need.urgent_if),
            "some_if": condition(need.some_if),
        }
    )


def _strength(strength: Strength) -> dict[str, Any]:
    return _clean(
        {
            "id": strength.id,
            "label": strength.label,
            "person": strength.person,
            "when": condition(strength.when),
        }
    )


def nothing_words() -> list[str]:
    """Every word that names nothing, normalised (and without spaces), as
    :func:`screening.core.emptytext.says_nothing` compares them."""
    words = {normalise(w) for ws in NOTHING_WORDS.values() for w in ws}
    return sorted(words | {w.replace(" ", "") for w in words})


def compile_instrument(instrument: Instrument) -> dict[str, Any]:
    """The compiled JSON form of one instrument, as it will be asked: give it the
    instrument already narrowed to the interview's audiences (``for_audiences``), with
    its parameters set and translated, as the server would ask it."""
    education = instrument.education
    return _clean(
        {
            "format": FORMAT,
            "version": VERSION,
            "id": instrument.id,
            "instrument_version": instrument.version,
            "title": instrument.title,
            "language": instrument.language,
            "validated": instrument.validated,
            "intro": instrument.intro,
            "parameters": dict(instrument.parameter_values),
            "education": None
            if education is None
            else _clean(
                {
                    "id": education.id,
                    "title": education.title,
                    "text": education.text,
                    "need": education.need,
                }
            ),
            "sections": [_section(s) for s in instrument.sections],
            "derived": [
                _clean({"id": d.id, "type": d.type, "label": d.label, "expr": expression(d.expr)})
                for d in instrument.derived
            ]
            or None,
            "scores": [_score(s) for s in instrument.scores] or None,
            "flags": [_flag(f) for f in instrument.flags] or None,
            "needs": [_need(n) for n in instrument.needs] or None,
            "strengths": [_strength(s) for s in instrument.strengths] or None,
            "nothing_words": nothing_words() if instrument.strengths else None,
        }
    )


def step_json(step: Step) -> dict[str, Any]:
    """The compact form of a :class:`~screening.core.interview.Step` (ids only), the
    one ``engine.js`` gives for the same state: what the two engines are compared by."""
    return {
        "screen": step.screen,
        "done": step.done,
        "item": None if step.item is None else step.item.id,
        "section": step.section_key,
        "content_warning": step.content_warning is not None,
        "urgent": list(step.urgent),
        "progress": [step.progress.answered, step.progress.remaining],
        "note": None if step.note is None else step.note.id,
        "notes": [n.id for n in step.notes],
        "education": step.education_key,
        "previous": step.previous,
        "elsewhere": [[v.item.id, v.kind.value, v.reused_from] for v in step.answered_elsewhere],
    }
