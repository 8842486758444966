"""Semantic checks of conditions: references resolve, look backwards, fit the item."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from screening.core import conditions as cond
from screening.core.derived import DerivedValue
from screening.core.model import (
    Flag,
    Item,
    Score,
)
from screening.errors import Path
from screening.load.check_context import Ctx, Raw, unknown


def check_condition_ref(
    ctx: Ctx,
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
    _check_tree(ctx, raw, path, items, items_only, scores or {}, flags or {})
    return condition


def _check_tree(
    ctx: Ctx,
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
                _check_tree(ctx, child, (*path, key, i), items, items_only, scores, flags)
            return
    if "not" in raw:
        _check_tree(ctx, raw["not"], (*path, "not"), items, items_only, scores, flags)
        return
    if "derived" in raw:
        if ctx.derived is None:  # checked once the derived values are built
            ctx.deferred.append((path, raw, frozenset(items), items_only))
        else:
            check_derived_test(ctx, raw, path, frozenset(items), items_only)
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
            ctx.error((*path, "flag"), "unknown-ref", unknown("flag", raw["flag"], flags))
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
            else unknown("item", raw["item"], items)
        )
        ctx.error((*path, "item"), "forward-ref" if later else "unknown-ref", message)
        return
    op = next(k for k in raw if k != "item")
    for problem in _item_test_problems(item, op, raw[op]):
        ctx.error((*path, op), "condition-value", problem)


def check_derived_test(
    ctx: Ctx, raw: Raw, path: Path, earlier: frozenset[str], items_only: bool
) -> None:
    """A test of a derived value: it exists; in a show_if it reads only items asked
    before (through every value it reads) and no score; the test fits its type."""
    known = ctx.derived or {}
    found = known.get(raw["derived"])
    if found is None:
        ctx.error(
            (*path, "derived"), "unknown-ref", unknown("derived value", raw["derived"], known)
        )
        return
    if items_only:
        reads = derived_reads(found.id, known)
        if any(r.startswith(("score:", "flag:")) for r in reads):
            ctx.error(
                (*path, "derived"),
                "show-if-kind",
                f"the derived value {found.id!r} reads a score; show_if can only use values "
                "read from items that come earlier (scores are known only at the end)",
            )
            return
        later = [r[5:] for r in reads if r.startswith("item:") and r[5:] not in earlier]
        if later:
            ctx.error(
                (*path, "derived"),
                "forward-ref",
                f"the derived value {found.id!r} reads {later[0]!r}, which comes later; a "
                "show_if can only use values of items asked before it",
            )
            return
    op = next(k for k in raw if k != "derived")
    value = raw[op]
    numbers = op in ("gt", "gte", "lt", "lte")
    values = value if isinstance(value, list) else [value]
    if op == "known":
        return
    if numbers and found.type != "number":
        ctx.error(
            (*path, op),
            "condition-value",
            f"{found.id!r} is {found.type}, not a number: compare it with equals or in",
        )
    elif not numbers and found.type == "number" and any(isinstance(v, str) for v in values):
        ctx.error((*path, op), "condition-value", f"{found.id!r} is a number: compare it with one")
    elif not numbers and found.type != "number" and any(not isinstance(v, str) for v in values):
        ctx.error(
            (*path, op), "condition-value", f"{found.id!r} is {found.type}: compare it with text"
        )


def derived_reads(name: str, known: Mapping[str, DerivedValue]) -> list[str]:
    """Everything a derived value reads, through the derived values it reads."""
    out: list[str] = []
    todo, seen = [name], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        found = known.get(current)
        for ref in found.refs() if found is not None else []:
            if ref.startswith("derived:"):
                todo.append(ref[8:])
            else:
                out.append(ref)
    return list(dict.fromkeys(out))


def _check_score_test(ctx: Ctx, raw: Raw, path: Path, scores: Mapping[str, Score]) -> None:
    score = scores.get(raw["score"])
    if score is None:
        ctx.error((*path, "score"), "unknown-ref", unknown("score", raw["score"], scores))
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
