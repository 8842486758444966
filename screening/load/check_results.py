"""Semantic checks of scores (ranges, bands), flags, needs and strengths."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from screening.core.model import (
    Band,
    Bound,
    Education,
    Flag,
    FlagHelp,
    Item,
    Need,
    Parameter,
    ParamRef,
    Score,
    Severity,
    Strength,
    Term,
)
from screening.core.scorerange import band_problems, score_range
from screening.errors import Path
from screening.load.check_conditions import check_condition_ref, derived_reads
from screening.load.check_context import Ctx, Raw, codes, unknown


def scores_of(
    ctx: Ctx, data: Raw, items: Mapping[str, Item], parameters: Mapping[str, Parameter]
) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    for s, raw in enumerate(data.get("scores", [])):
        path: Path = ("scores", s)
        ctx.claim(raw["id"], (*path, "id"), "score")
        terms = [_term(ctx, t, (*path, "sum", i), items, scores) for i, t in enumerate(raw["sum"])]
        for r, item_id in enumerate(raw.get("requires", [])):
            if item_id not in items:
                ctx.error((*path, "requires", r), "unknown-ref", unknown("item", item_id, items))
        score = Score(
            id=raw["id"],
            terms=tuple(t for t in terms if t is not None),
            label=raw.get("label"),
            description=raw.get("description"),
            requires=tuple(raw.get("requires", [])),
            not_shown_zero=raw.get("not_shown") == "zero",
            codes=codes(ctx, raw.get("codes", []), (*path, "codes")),
        )
        if None not in terms and "bands" in raw:
            score = _with_bands(ctx, score, raw, path, items, scores, parameters)
        scores[score.id] = score
    return scores


def _term(
    ctx: Ctx, raw: str | Raw, path: Path, items: Mapping[str, Item], scores: Mapping[str, Score]
) -> Term | None:
    if isinstance(raw, str):
        raw = {"item": raw}
    if "score" in raw:
        if raw["score"] not in scores:
            ctx.error(
                path,
                "unknown-ref",
                unknown("score", raw["score"], scores)
                + " before this one (a score can only add scores defined above it)",
            )
            return None
        return Term(score=raw["score"], weight=raw.get("weight", 1))
    if "derived" in raw:
        return _derived_term(ctx, raw, path)
    item = items.get(raw["item"])
    if item is None:
        ctx.error(path, "unknown-ref", unknown("item", raw["item"], items))
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


def _derived_term(ctx: Ctx, raw: Raw, path: Path) -> Term | None:
    """A score adds a derived number that reads no score (so no score reads itself)."""
    known = ctx.derived or {}
    found = known.get(raw["derived"])
    if found is None:
        ctx.error(path, "unknown-ref", unknown("derived value", raw["derived"], known))
        return None
    if found.type != "number":
        ctx.error(path, "not-scored", f"{found.id!r} is {found.type}, not a number")
        return None
    if any(r.startswith("score:") for r in derived_reads(found.id, known)):
        ctx.error(
            path,
            "derived-score",
            f"{found.id!r} reads a score: a score can add a derived value only when that "
            "value reads answers alone",
        )
        return None
    return Term(derived=found.id, weight=raw.get("weight", 1))


def _with_bands(
    ctx: Ctx,
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
            ctx.error(bpath, "unknown-ref", unknown("parameter", value["param"], parameters))
            return None
        return ParamRef(value["param"], value.get("add", 0))

    bands = tuple(
        Band(
            b["id"],
            worker_text(ctx, b, (*path, "bands", i), "score band"),
            bound(b.get("min"), (*path, "bands", i, "min")),
            bound(b.get("max"), (*path, "bands", i, "max")),
            b.get("description"),
            person_text(ctx, b, (*path, "bands", i), "score band"),
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
    span = score_range(score, items, scores, ctx.derived or {})
    used = sorted(
        {
            b.name
            for band in bands
            for b in (band.min, band.max)
            if isinstance(b, ParamRef) and b.name in parameters
        }
    )
    defaults = {p.id: p.default for p in parameters.values()}
    first, last = bands[0].bounds(defaults)[0], bands[-1].bounds(defaults)[1]
    if (first is not None and first < span.low) or (last is not None and last > span.high):
        ctx.error(
            (*path, "bands"),
            "band-beyond-range",
            warning=True,
            message=f"the bands reach past the possible scores "
            f"({span.show(span.low)} to {span.show(span.high)}): check the bounds",
        )
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


def flags_of(
    ctx: Ctx, data: Raw, items: Mapping[str, Item], scores: Mapping[str, Score]
) -> dict[str, Flag]:
    flags: dict[str, Flag] = {}
    for f, raw in enumerate(data.get("flags", [])):
        path: Path = ("flags", f)
        ctx.claim(raw["id"], (*path, "id"), "flag")
        when = check_condition_ref(
            ctx, raw["when"], (*path, "when"), items, scores=scores, flags=flags
        )
        label = worker_text(ctx, raw, path, "flag")
        person = person_text(ctx, raw, path, "flag")
        if when is not None:
            flags[raw["id"]] = Flag(
                raw["id"],
                Severity[raw["severity"].upper()],
                label,
                when,
                raw.get("message"),
                person,
                raw.get("person_message"),
                help=_flag_help(raw.get("help")),
            )
    return flags


def _flag_help(raw: Raw | None) -> FlagHelp | None:
    return None if raw is None else FlagHelp(next=raw.get("next"), need=raw.get("need"))


def education_of(ctx: Ctx, data: Raw, needs: list[Need]) -> Education | None:
    """The universal-education screen, if any; every need it or a flag's help names is
    one of the instrument's need domains."""
    known = {n.id for n in needs}
    named: list[tuple[Path, str]] = [
        (("flags", f, "help", "need"), raw["help"]["need"])
        for f, raw in enumerate(data.get("flags", []))
        if isinstance(raw.get("help"), dict) and "need" in raw["help"]
    ]
    raw = data.get("education")
    if raw is not None and "need" in raw:
        named.append((("education", "need"), raw["need"]))
    for path, need in named:
        if need not in known:
            ctx.error(
                path,
                "unknown-ref",
                f"{need!r} is not a need of this instrument; "
                f"its needs: {', '.join(sorted(known)) or 'none'}",
            )
    if raw is None:
        return None
    return Education(raw["id"], raw["title"], raw["text"], raw.get("need"))


def needs_of(
    ctx: Ctx,
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
                worker_text(ctx, raw, path, "need"),
                check_condition_ref(
                    ctx,
                    raw.get("urgent_if"),
                    (*path, "urgent_if"),
                    items,
                    scores=scores,
                    flags=flags,
                ),
                check_condition_ref(
                    ctx, raw.get("some_if"), (*path, "some_if"), items, scores=scores, flags=flags
                ),
                raw.get("description"),
                person_text(ctx, raw, path, "need"),
            )
        )
    return needs


def strengths_of(
    ctx: Ctx,
    data: Raw,
    items: Mapping[str, Item],
    scores: Mapping[str, Score],
    flags: Mapping[str, Flag],
) -> list[Strength]:
    out = []
    for s, raw in enumerate(data.get("strengths", [])):
        path: Path = ("strengths", s)
        ctx.claim(raw["id"], (*path, "id"), "strength")
        when = check_condition_ref(
            ctx, raw["when"], (*path, "when"), items, scores=scores, flags=flags
        )
        label = worker_text(ctx, raw, path, "strength")
        person = person_text(ctx, raw, path, "strength")
        if when is not None:
            out.append(Strength(raw["id"], label, when, person))
    return out


# --- two voices: the worker's text and the person's ---------------------------------------


def worker_text(ctx: Ctx, raw: Raw, path: Path, kind: str) -> str:
    """The worker's text, written ``worker:`` or by its older name ``label:`` (one of them)."""
    if "worker" in raw and "label" in raw:
        ctx.error(
            (*path, "label"),
            "voice-twice",
            f"this {kind} gives both worker and label: label is the older name of worker; keep one",
            key=True,
        )
    text = raw.get("worker", raw.get("label"))
    if text is None:
        ctx.error(
            (*path, "worker"),
            "missing-field",
            f"required field is missing: a {kind} needs the worker's text, worker: "
            "(or its older name label:)",
        )
        return ""
    return str(text)


def person_text(ctx: Ctx, raw: Raw, path: Path, kind: str) -> str | None:
    """The person's text; required when the instrument's audiences include private."""
    text = raw.get("person")
    if text is None and ctx.private:
        ctx.error(
            (*path, "person"),
            "person-text",
            f"required field is missing: audiences include private, so this {kind} needs "
            "the text a person reading alone sees, in 'you' words and plain language",
        )
    return None if text is None else str(text)
