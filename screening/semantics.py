"""Checks a schema cannot express, then the frozen model.

Runs on a schema-valid document. Collects every problem (unique ids, references that
resolve, conditions that look only backwards, reachable items, unique option values,
bands that cover their score's range) before reporting, like a compiler.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from screening import conditions as cond
from screening.answers import iso_date
from screening.errors import Path, Problem
from screening.model import (
    Band,
    Bound,
    Code,
    Codesign,
    Flag,
    Instrument,
    Item,
    Need,
    Option,
    Parameter,
    ParamRef,
    Score,
    Section,
    Severity,
    Status,
    Strength,
    Term,
)
from screening.reach import unreachable_items
from screening.scorerange import band_problems, score_range
from screening.yamlmarks import Document

Raw = dict[str, Any]


@dataclass
class _Ctx:
    doc: Document
    name: str
    problems: list[Problem] = field(default_factory=list)
    ids: dict[str, Path] = field(default_factory=dict)
    declared: dict[str, set[str]] = field(default_factory=dict)  # kind -> every id written

    def error(
        self, path: Path, code: str, message: str, *, key: bool = False, warning: bool = False
    ) -> None:
        line, column = self.doc.where(path, key=key)
        problem = Problem(self.name, line, column, path, code, message, warning)
        if problem not in self.problems:  # a shared option set is checked once per item
            self.problems.append(problem)

    def claim(self, ident: str, path: Path, kind: str) -> None:
        """Items, scores and flags share one set of ids (conditions and results name
        them); sections, needs, strengths and parameters each have their own."""
        shared = kind in ("item", "score", "flag")
        key = f"{'result' if shared else kind}:{ident}"
        if key in self.ids:
            line, _ = self.doc.where(self.ids[key])
            among = "items, scores and flags" if shared else f"{kind}s"
            self.error(
                path,
                "duplicate-id",
                f"the id {ident!r} is already used on line {line}; ids are unique among {among}",
            )
        else:
            self.ids[key] = path


def check_and_build(doc: Document, name: str) -> tuple[Instrument | None, list[Problem]]:
    ctx = _Ctx(doc, name)
    data: Raw = doc.data  # type: ignore[assignment]
    ctx.declared = {
        "item": {i["id"] for s in data["sections"] for i in s["items"]},
        "flag": {f["id"] for f in data.get("flags", [])},
        "score": {s["id"] for s in data.get("scores", [])},
    }
    parameters = _parameters(ctx, data)
    items, sections = _sections(ctx, data)
    scores = _scores(ctx, data, items, parameters)
    flags = _flags(ctx, data, items, scores)
    needs = _needs(ctx, data, items, scores, flags)
    strengths = _strengths(ctx, data, items, scores, flags)
    _changelog(ctx, data)
    if any(not p.warning for p in ctx.problems):
        return None, ctx.problems
    for item_id in unreachable_items(sections):
        ctx.error(
            _item_path(ctx, item_id),
            "unreachable",
            f"the item {item_id!r} can never be shown: its show_if (or its section's) "
            "cannot be true for any answers to the items it names",
        )
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
        licence=data["licence"],
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
        codes=_codes(ctx, data.get("codes", []), ("codes",)),
    )
    return instrument, ctx.problems


def _item_path(ctx: _Ctx, item_id: str) -> Path:
    return ctx.ids.get(f"result:{item_id}", ())


# --- parameters -------------------------------------------------------------------------


def _parameters(ctx: _Ctx, data: Raw) -> dict[str, Parameter]:
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


# --- sections and items -----------------------------------------------------------------


def _sections(ctx: _Ctx, data: Raw) -> tuple[dict[str, Item], list[Section]]:
    option_sets: Raw = data.get("option_sets", {})
    items: dict[str, Item] = {}
    sections: list[Section] = []
    concepts: dict[str, str] = {}
    for s, raw_section in enumerate(data["sections"]):
        spath: Path = ("sections", s)
        ctx.claim(raw_section["id"], (*spath, "id"), "section")
        section_if = _condition(
            ctx, raw_section.get("show_if"), (*spath, "show_if"), items, items_only=True
        )
        built: list[Item] = []
        for i, raw in enumerate(raw_section["items"]):
            path: Path = (*spath, "items", i)
            ctx.claim(raw["id"], path, "item")
            item = _item(ctx, data["id"], raw_section["id"], raw, path, option_sets, items)
            if item.concept:
                if item.concept in concepts:
                    ctx.error(
                        (*path, "concept"),
                        "duplicate-concept",
                        f"the concept {item.concept!r} is already carried by item "
                        f"{concepts[item.concept]!r}: one item per concept in an instrument",
                    )
                concepts[item.concept] = item.id
            items.setdefault(item.id, item)
            built.append(item)
        sections.append(
            Section(
                id=raw_section["id"],
                title=raw_section["title"],
                items=tuple(built),
                intro=raw_section.get("intro"),
                content_warning=raw_section.get("content_warning"),
                show_if=section_if,
            )
        )
    return items, sections


def _options(ctx: _Ctx, raw: Raw, path: Path, option_sets: Raw) -> tuple[list[Raw], Path]:
    options = raw.get("options")
    if isinstance(options, str):
        if options not in option_sets:
            known = ", ".join(option_sets) or "none are defined"
            ctx.error(
                (*path, "options"),
                "unknown-option-set",
                f"no option set {options!r}; option sets: {known}",
            )
            return [], (*path, "options")
        return option_sets[options], ("option_sets", options)
    return options or [], (*path, "options")


def _item(
    ctx: _Ctx,
    instrument_id: str,
    section_id: str,
    raw: Raw,
    path: Path,
    option_sets: Raw,
    earlier: Mapping[str, Item],
) -> Item:
    kind = raw["type"]
    raw_options, opath = _options(ctx, raw, path, option_sets)
    options: list[Option] = []
    seen: dict[object, int] = {}
    for o, opt in enumerate(raw_options):
        value = opt["value"]
        marker = (type(value), value)
        if marker in seen:
            ctx.error(
                (*opath, o, "value"),
                "duplicate-option",
                f"the option value {value!r} is used twice in this item; values are unique",
            )
        seen[marker] = o
        if opt.get("exclusive") and kind != "multiple":
            ctx.error(
                (*opath, o, "exclusive"),
                "exclusive",
                "only options of a multiple-choice item can be exclusive",
            )
        options.append(
            Option(
                value,
                opt["label"],
                opt.get("score"),
                bool(opt.get("exclusive")),
                _codes(ctx, opt.get("codes", []), (*opath, o, "codes")),
            )
        )
    if kind == "yes_no":
        options = [Option("yes", None), Option("no", None)]
        if raw.get("unsure"):
            options.append(Option("unsure", None))
    if kind == "scale":
        _check_scale(ctx, raw, path, options, opath)
    _check_bounds(ctx, raw, path, kind)
    return Item(
        id=raw["id"],
        type=kind,
        text=raw["text"],
        why=raw["why"],
        section_id=section_id,
        instrument_id=instrument_id,
        options=tuple(options),
        skippable=raw.get("skippable", True),
        unskippable_because=raw.get("unskippable_because"),
        show_if=_condition(ctx, raw.get("show_if"), (*path, "show_if"), earlier, items_only=True),
        concept=raw.get("concept"),
        help=raw.get("help"),
        content_warning=raw.get("content_warning"),
        min=raw.get("min"),
        max=raw.get("max"),
        step=raw.get("step"),
        min_label=raw.get("min_label"),
        max_label=raw.get("max_label"),
        integer=bool(raw.get("integer")),
        unit=raw.get("unit"),
        max_length=raw.get("max_length", 500),
        codes=_codes(ctx, raw.get("codes", []), (*path, "codes")),
    )


def _check_scale(ctx: _Ctx, raw: Raw, path: Path, options: list[Option], opath: Path) -> None:
    if options:
        for o, option in enumerate(options):
            if not isinstance(option.value, int):
                ctx.error(
                    (*opath, o, "value"),
                    "scale-value",
                    f"a scale's option values are whole numbers, got {option.value!r}",
                )
        if "min" in raw or "max" in raw:
            ctx.error(path, "scale-form", "a scale has either options or min and max, not both")
        return
    if "min" not in raw or "max" not in raw:
        ctx.error(path, "scale-form", "a scale needs options, or min and max (whole numbers)")
        return
    low, high, step = raw["min"], raw["max"], raw.get("step", 1)
    if low >= high:
        ctx.error((*path, "max"), "range", f"max ({high}) must be greater than min ({low})")
    elif (high - low) % step:
        ctx.error((*path, "step"), "range", f"steps of {step} from {low} do not reach {high}")
    elif (high - low) // step > 100:
        ctx.error((*path, "step"), "range", "a scale has at most 101 points")


def _check_bounds(ctx: _Ctx, raw: Raw, path: Path, kind: str) -> None:
    if kind == "date":
        for bound in ("min", "max"):
            if bound in raw and iso_date(raw[bound]) is None:
                ctx.error((*path, bound), "date", f"{raw[bound]!r} is not a calendar date")
    if kind not in ("number", "date") or "min" not in raw or "max" not in raw:
        return
    if raw["min"] > raw["max"]:
        ctx.error((*path, "max"), "range", f"max ({raw['max']}) is below min ({raw['min']})")
    if kind == "number" and raw.get("integer"):
        for bound in ("min", "max"):
            if bound in raw and not float(raw[bound]).is_integer():
                ctx.error((*path, bound), "range", f"{bound} of a whole-number item is whole")


def _codes(ctx: _Ctx, raw: list[Raw], path: Path) -> tuple[Code, ...]:
    out = []
    for c, code in enumerate(raw):
        if code["system"] == "http://loinc.org" and not _loinc_ok(code["code"]):
            ctx.error(
                (*path, c, "code"),
                "loinc",
                f"{code['code']!r} is not a LOINC code with a correct check digit; "
                "never guess a code: leave it out until it is confirmed",
            )
        out.append(Code(code["system"], code["code"], code.get("display")))
    return tuple(out)


def _loinc_ok(code: str) -> bool:
    """A LOINC term code ends in its mod-10 (Luhn) check digit. Answer, part and list
    codes (LA, LP, LL, LG) use another rule, so only their form is checked."""
    if re.fullmatch(r"L[APLG]\d{1,7}-\d", code):
        return True
    body, _, check = code.rpartition("-")
    if not body.isdigit() or not check.isdigit() or len(check) != 1:
        return False
    total = 0
    for position, ch in enumerate(reversed(body)):
        n = int(ch) * (2 if position % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10 == int(check)


# --- conditions -------------------------------------------------------------------------


def _condition(
    ctx: _Ctx,
    raw: Raw | None,
    path: Path,
    items: Mapping[str, Item],
    *,
    items_only: bool = False,
    scores: Mapping[str, Score] | None = None,
    flags: Mapping[str, Flag] | None = None,
) -> cond.Condition | None:
    if raw is None:
        return None
    condition = cond.parse(raw)
    _check_condition(ctx, raw, path, items, items_only, scores or {}, flags or {})
    return condition


def _check_condition(
    ctx: _Ctx,
    raw: Raw,
    path: Path,
    items: Mapping[str, Item],
    items_only: bool,
    scores: Mapping[str, Score],
    flags: Mapping[str, Flag],
) -> None:
    for key in ("all", "any"):
        if key in raw:
            for i, child in enumerate(raw[key]):
                _check_condition(ctx, child, (*path, key, i), items, items_only, scores, flags)
            return
    if "not" in raw:
        _check_condition(ctx, raw["not"], (*path, "not"), items, items_only, scores, flags)
        return
    if items_only and ("score" in raw or "flag" in raw):
        ctx.error(
            path,
            "show-if-kind",
            "show_if can only test items that come earlier, "
            "not scores or flags (those are known only at the end)",
        )
        return
    if "flag" in raw:
        if raw["flag"] in ctx.declared["flag"] and raw["flag"] not in flags:
            ctx.error(
                (*path, "flag"),
                "forward-ref",
                f"the flag {raw['flag']!r} is defined below this one; a flag can only "
                "use flags defined above it",
            )
        elif raw["flag"] not in flags and raw["flag"] not in ctx.declared["flag"]:
            ctx.error((*path, "flag"), "unknown-ref", _unknown("flag", raw["flag"], flags))
        return
    if "score" in raw:
        _check_score_test(ctx, raw, path, scores)
        return
    item = items.get(raw["item"])
    if item is None:
        later = raw["item"] in ctx.declared["item"]
        message = (
            f"the item {raw['item']!r} comes later; a show_if can only name items asked before it"
            if later and items_only
            else _unknown("item", raw["item"], items)
        )
        ctx.error((*path, "item"), "forward-ref" if later else "unknown-ref", message)
        return
    op = next(k for k in raw if k != "item")
    for problem in _item_test_problems(item, op, raw[op]):
        ctx.error((*path, op), "condition-value", problem)


def _check_score_test(ctx: _Ctx, raw: Raw, path: Path, scores: Mapping[str, Score]) -> None:
    score = scores.get(raw["score"])
    if score is None:
        ctx.error((*path, "score"), "unknown-ref", _unknown("score", raw["score"], scores))
        return
    if "band" in raw:
        wanted = raw["band"] if isinstance(raw["band"], list) else [raw["band"]]
        bands = [b.id for b in score.bands]
        for band in wanted:
            if band not in bands:
                ctx.error(
                    (*path, "band"),
                    "unknown-ref",
                    f"the score {score.id!r} has no band {band!r}; its bands: "
                    f"{', '.join(bands) or 'none'}",
                )


def _unknown(kind: str, ident: str, known: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(ident, list(known), n=1)
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    return f"no {kind} {ident!r} is defined{guess}"


def _item_test_problems(item: Item, op: str, value: object) -> Iterator[str]:
    if op in ("answered", "skipped", "declined"):
        return
    if op == "includes" and item.type != "multiple":
        yield f"'includes' tests a multiple-choice item; {item.id!r} is {item.type}: use equals"
        return
    if op in ("equals", "in") and item.type == "multiple":
        yield f"{item.id!r} is multiple choice: test it with 'includes'"
        return
    if op in ("gt", "gte", "lt", "lte"):
        numeric = item.type == "number" or (
            item.type in ("single", "scale") and all(o.numeric is not None for o in item.options)
        )
        if not numeric:
            yield f"{item.id!r} ({item.type}) has no numbers to compare; use equals or in"
        return
    values = value if isinstance(value, list) else [value]
    for v in values:
        yield from _value_fits(item, v)


def _value_fits(item: Item, value: object) -> Iterator[str]:
    if item.options:
        if item.option(value) is None:
            valid = ", ".join(repr(v) for v in item.values)
            hint = ""
            if isinstance(value, str) and item.option(_int_or_none(value)) is not None:
                hint = " (the value is a number: write it without quotes)"
            elif isinstance(value, int) and item.option(str(value)) is not None:
                hint = " (the value is text: quote it)"
            yield f"{value!r} is not an option of {item.id!r}; valid: {valid}{hint}"
    elif item.type == "number" and not isinstance(value, int | float):
        yield f"{item.id!r} is a number item; compare it with a number"
    elif item.type in ("text", "date") and not isinstance(value, str):
        yield f"{item.id!r} holds text; compare it with quoted text"


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


# --- scores, flags, needs, strengths ----------------------------------------------------


def _scores(
    ctx: _Ctx, data: Raw, items: Mapping[str, Item], parameters: Mapping[str, Parameter]
) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    for s, raw in enumerate(data.get("scores", [])):
        path: Path = ("scores", s)
        ctx.claim(raw["id"], (*path, "id"), "score")
        terms = [_term(ctx, t, (*path, "sum", i), items, scores) for i, t in enumerate(raw["sum"])]
        for r, item_id in enumerate(raw.get("requires", [])):
            if item_id not in items:
                ctx.error((*path, "requires", r), "unknown-ref", _unknown("item", item_id, items))
        score = Score(
            id=raw["id"],
            terms=tuple(t for t in terms if t is not None),
            label=raw.get("label"),
            description=raw.get("description"),
            requires=tuple(raw.get("requires", [])),
            not_shown_zero=raw.get("not_shown") == "zero",
            codes=_codes(ctx, raw.get("codes", []), (*path, "codes")),
        )
        if None not in terms and "bands" in raw:
            score = _with_bands(ctx, score, raw, path, items, scores, parameters)
        scores[score.id] = score
    return scores


def _term(
    ctx: _Ctx, raw: str | Raw, path: Path, items: Mapping[str, Item], scores: Mapping[str, Score]
) -> Term | None:
    if isinstance(raw, str):
        raw = {"item": raw}
    if "score" in raw:
        if raw["score"] not in scores:
            ctx.error(
                path,
                "unknown-ref",
                _unknown("score", raw["score"], scores)
                + " before this one (a score can only add scores defined above it)",
            )
            return None
        return Term(score=raw["score"], weight=raw.get("weight", 1))
    item = items.get(raw["item"])
    if item is None:
        ctx.error(path, "unknown-ref", _unknown("item", raw["item"], items))
        return None
    if item.type not in ("number",) and item.numeric_range() is None:
        ctx.error(
            path,
            "not-scored",
            f"{item.id!r} ({item.type}) gives no number: give its options integer values "
            "or a score",
        )
        return None
    if raw.get("reverse") and item.numeric_range() is None:
        ctx.error(path, "reverse", f"{item.id!r} needs a known lowest and highest value to reverse")
        return None
    return Term(item=item.id, weight=raw.get("weight", 1), reverse=bool(raw.get("reverse")))


def _with_bands(
    ctx: _Ctx,
    score: Score,
    raw: Raw,
    path: Path,
    items: Mapping[str, Item],
    scores: Mapping[str, Score],
    parameters: Mapping[str, Parameter],
) -> Score:
    def bound(value: Any, bpath: Path) -> Bound:
        if value is None or isinstance(value, int | float):
            return value
        if value["param"] not in parameters:
            ctx.error(bpath, "unknown-ref", _unknown("parameter", value["param"], parameters))
            return None
        return ParamRef(value["param"], value.get("add", 0))

    bands = tuple(
        Band(
            b["id"],
            b["label"],
            bound(b.get("min"), (*path, "bands", i, "min")),
            bound(b.get("max"), (*path, "bands", i, "max")),
            b.get("description"),
        )
        for i, b in enumerate(raw["bands"])
    )
    for i, band in enumerate(bands):
        if band.id in {b.id for b in bands[:i]}:
            ctx.error(
                (*path, "bands", i, "id"),
                "duplicate-id",
                f"the band id {band.id!r} is used twice in this score",
            )
    span = score_range(score, items, scores)
    used = sorted(
        {
            b.name
            for band in bands
            for b in (band.min, band.max)
            if isinstance(b, ParamRef) and b.name in parameters
        }
    )
    defaults = {p.id: p.default for p in parameters.values()}
    for values in _settings(used, parameters, defaults):
        resolved = [(band.id, *band.bounds(values)) for band in bands]
        found = band_problems(resolved, span)
        for band_index, message in found:
            setting = (
                "" if values == defaults else " when " + ", ".join(f"{k}={values[k]}" for k in used)
            )
            ctx.error((*path, "bands", band_index), "bands", message + setting)
        if found:
            break
    return replace(score, bands=bands)


def _settings(
    used: list[str], parameters: Mapping[str, Parameter], defaults: Mapping[str, int]
) -> list[dict[str, int]]:
    """The defaults first, then every allowed setting of the parameters bands use (bounded)."""
    combos: list[dict[str, int]] = [dict(defaults)]
    for name in used:
        param = parameters[name]
        if param.min is not None and param.max is not None:
            combos = [{**c, name: v} for c in combos for v in range(param.min, param.max + 1)][
                :1000
            ]
    return [dict(defaults), *combos]


def _flags(
    ctx: _Ctx, data: Raw, items: Mapping[str, Item], scores: Mapping[str, Score]
) -> dict[str, Flag]:
    flags: dict[str, Flag] = {}
    for f, raw in enumerate(data.get("flags", [])):
        path: Path = ("flags", f)
        ctx.claim(raw["id"], (*path, "id"), "flag")
        when = _condition(ctx, raw["when"], (*path, "when"), items, scores=scores, flags=flags)
        if when is not None:
            flags[raw["id"]] = Flag(
                raw["id"], Severity[raw["severity"].upper()], raw["label"], when, raw.get("message")
            )
    return flags


def _needs(
    ctx: _Ctx,
    data: Raw,
    items: Mapping[str, Item],
    scores: Mapping[str, Score],
    flags: Mapping[str, Flag],
) -> list[Need]:
    needs = []
    for n, raw in enumerate(data.get("needs", [])):
        path: Path = ("needs", n)
        ctx.claim(raw["id"], (*path, "id"), "need")
        if "urgent_if" not in raw and "some_if" not in raw:
            ctx.error(path, "need-rule", "a need says when it applies: urgent_if, some_if or both")
        needs.append(
            Need(
                raw["id"],
                raw["label"],
                _condition(
                    ctx,
                    raw.get("urgent_if"),
                    (*path, "urgent_if"),
                    items,
                    scores=scores,
                    flags=flags,
                ),
                _condition(
                    ctx, raw.get("some_if"), (*path, "some_if"), items, scores=scores, flags=flags
                ),
                raw.get("description"),
            )
        )
    return needs


def _strengths(
    ctx: _Ctx,
    data: Raw,
    items: Mapping[str, Item],
    scores: Mapping[str, Score],
    flags: Mapping[str, Flag],
) -> list[Strength]:
    out = []
    for s, raw in enumerate(data.get("strengths", [])):
        path: Path = ("strengths", s)
        ctx.claim(raw["id"], (*path, "id"), "strength")
        when = _condition(ctx, raw["when"], (*path, "when"), items, scores=scores, flags=flags)
        if when is not None:
            out.append(Strength(raw["id"], raw["label"], when))
    return out


def _changelog(ctx: _Ctx, data: Raw) -> None:
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
