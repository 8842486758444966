"""Semantic checks of conditions: references resolve, look backwards, fit the item."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from screening.core import conditions as cond
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
