"""Checks a schema cannot express, then the frozen model.

Runs on a schema-valid document. Collects every problem (unique ids, references that
resolve, conditions that look only backwards, reachable items, unique option values,
bands that cover their score's range) before reporting, like a compiler. The checks
live in check_items, check_conditions and check_results; this module runs them in order
and builds the Instrument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from screening.core.answers import iso_date
from screening.core.conditions import references
from screening.core.model import (
    Codesign,
    Flag,
    Instrument,
    Item,
    Need,
    Parameter,
    Score,
    Section,
    Status,
    Strength,
)
from screening.errors import Path, Problem
from screening.load.check_context import Ctx, Raw, codes
from screening.load.check_derived import derived_of
from screening.load.check_items import sections_and_items
from screening.load.check_results import (
    education_of,
    flags_of,
    needs_of,
    scores_of,
    strengths_of,
)
from screening.load.reach import unreachable_items
from screening.load.yamlmarks import Document


def check_and_build(
    doc: Document, name: str, relaxed: frozenset[str] = frozenset()
) -> tuple[Instrument | None, list[Problem]]:
    data: Raw = doc.data  # type: ignore[assignment]
    ctx = Ctx(doc, name, private="private" in data["audiences"], relaxed=relaxed)
    ctx.declared = {
        "item": {i["id"] for s in data["sections"] for i in s["items"] if i["type"] != "note"},
        "flag": {f["id"] for f in data.get("flags", [])},
        "score": {s["id"] for s in data.get("scores", [])},
        "derived": {d["id"] for d in data.get("derived", [])},
    }
    parameters = _parameters(ctx, data)
    items, sections = sections_and_items(ctx, data)
    derived = derived_of(ctx, data, items)
    scores = scores_of(ctx, data, items, parameters)
    flags = flags_of(ctx, data, items, scores)
    needs = needs_of(ctx, data, items, scores, flags)
    strengths = strengths_of(ctx, data, items, scores, flags)
    education = education_of(ctx, data, needs)
    _changelog(ctx, data)
    _imported(ctx, data)
    if any(not p.warning for p in ctx.problems):
        return None, ctx.problems
    for item_id in unreachable_items(sections):
        ctx.error(
            _item_path(ctx, item_id),
            "unreachable",
            f"the item {item_id!r} can never be shown: its show_if (or its section's) "
            "cannot be true for any answers to the items it names",
        )
    _item_audiences(ctx, data, items, sections, scores, flags, needs, strengths)
    if any(not p.warning for p in ctx.problems):
        return None, ctx.problems
    codesign = data["codesign"]
    source = data.get("source", {})
    instrument = Instrument(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        language=data["language"],
        audiences=tuple(data["audiences"]),
        codesign=Codesign(
            status=Status(codesign["status"]),
            involved=tuple(
                (p["role"], p.get("organisation")) for p in codesign.get("involved", [])
            ),
            method=codesign.get("method"),
            reviewed=codesign.get("reviewed"),
            notes=codesign.get("notes"),
        ),
        licence=data.get("licence", ""),  # only an imported instrument may lack it
        sections=tuple(sections),
        scores=tuple(scores.values()),
        flags=tuple(flags.values()),
        needs=tuple(needs),
        strengths=tuple(strengths),
        parameters=tuple(parameters.values()),
        parameter_values={p.id: p.default for p in parameters.values()},
        description=data.get("description"),
        intro=data.get("intro"),
        source_citation=source.get("citation"),
        source_official_text=source.get("official_text"),
        changelog=tuple((c["version"], c["date"], c["changes"]) for c in data["changelog"]),
        codes=codes(ctx, data.get("codes", []), ("codes",)),
        education=education,
        derived=tuple(derived.values()),
    )
    return instrument, ctx.problems


def _item_audiences(
    ctx: Ctx,
    data: Raw,
    items: Mapping[str, Item],
    sections: Sequence[Section],
    scores: Mapping[str, Score],
    flags: Mapping[str, Flag],
    needs: Sequence[Need],
    strengths: Sequence[Strength],
) -> None:
    """An item's own ``audiences`` are some of its instrument's; and an item asked only in
    some audiences, or never exported, is named by no condition or score: in the other
    audiences it is never answered (a rule reading it could not be told), and what a
    result says leaves the screen (results, CSV, FHIR), so it would carry the answer."""
    allowed = set(data["audiences"])
    for item in items.values():
        extra = [a for a in item.audiences if a not in allowed]
        if extra:
            ctx.error(
                (*_item_path(ctx, item.id), "audiences"),
                "item-audience",
                f"the item is asked in {', '.join(extra)}, which the instrument is not for "
                f"(its audiences: {', '.join(data['audiences'])})",
            )
    kept = {i.id for i in items.values() if i.audiences or not i.exported}
    if not kept:
        return
    named: list[tuple[str, str]] = []
    for section in sections:
        rules = [section.show_if, *(i.show_if for i in section.items)]
        named += [(f"section {section.id}", r) for c in rules if c for r in references(c)]
    for score in scores.values():
        refs = [f"item:{t.item}" for t in score.terms if t.item] + [
            f"item:{i}" for i in score.requires
        ]
        named += [(f"score {score.id}", r) for r in refs]
    named += [(f"flag {f.id}", r) for f in flags.values() for r in references(f.when)]
    for need in needs:
        for rule in (need.urgent_if, need.some_if):
            if rule is not None:
                named += [(f"need {need.id}", r) for r in references(rule)]
    named += [(f"strength {s.id}", r) for s in strengths for r in references(s.when)]
    for where, ref in named:
        kind, _, ident = ref.partition(":")
        if kind == "item" and ident in kept:
            ctx.error(
                (*_item_path(ctx, ident), "id"),
                "audience-ref",
                f"{where} names this item, which is asked only in some audiences or never "
                "exported: no condition, score or result may read it",
            )


def _imported(ctx: Ctx, data: Raw) -> None:
    """An imported instrument may arrive without a licence or a why for each item (the
    schema requires them of every other status): say what is missing, as warnings."""
    if data["codesign"]["status"] != Status.IMPORTED.value:
        return
    if "licence" not in data:
        ctx.error(
            ("licence",),
            "imported-missing",
            "no licence yet: find the form's licence before sharing it",
            warning=True,
        )
    for s, section in enumerate(data["sections"]):
        for i, item in enumerate(section["items"]):
            if "why" not in item and item["type"] != "note":
                ctx.error(
                    ("sections", s, "items", i, "why"),
                    "imported-missing",
                    f"no why yet for {item['id']!r}: every item tells the person why we ask it",
                    warning=True,
                )


def _item_path(ctx: Ctx, item_id: str) -> Path:
    return ctx.ids.get(f"result:{item_id}", ())


def _parameters(ctx: Ctx, data: Raw) -> dict[str, Parameter]:
    out: dict[str, Parameter] = {}
    for i, raw in enumerate(data.get("parameters", [])):
        path: Path = ("parameters", i)
        ctx.claim(raw["id"], (*path, "id"), "parameter")
        param = Parameter(
            raw["id"], raw["default"], raw.get("min"), raw.get("max"), raw.get("label")
        )
        if not _in_range(param, param.default):
            ctx.error(
                (*path, "default"),
                "parameter-range",
                f"the default {param.default} is outside min {param.min} .. max {param.max}",
            )
        out[param.id] = param
    return out


def _in_range(param: Parameter, value: int) -> bool:
    return (param.min is None or value >= param.min) and (param.max is None or value <= param.max)


def _changelog(ctx: Ctx, data: Raw) -> None:
    dated: list[tuple[Path, str]] = [
        (("changelog", i, "date"), e["date"]) for i, e in enumerate(data["changelog"])
    ]
    if "reviewed" in data["codesign"]:
        dated.append((("codesign", "reviewed"), data["codesign"]["reviewed"]))
    for path, text in dated:
        if iso_date(text) is None:
            ctx.error(path, "date", f"{text!r} is not a calendar date")
    if not any(entry["version"] == data["version"] for entry in data["changelog"]):
        ctx.error(
            ("changelog",),
            "changelog",
            f"no changelog entry for this version ({data['version']}); add one that says "
            "what changed",
        )
