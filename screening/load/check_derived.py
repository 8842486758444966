"""Semantic checks of the ``derived`` block; builds its expression trees.

A derived value reads items, scores and derived values written above it (so there is
no loop), and each operation gets values of the type it needs: numbers to add, dates to
count between, a multiple-choice item to count. Every problem names its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from screening.core import derived as dv
from screening.core.answers import iso_date
from screening.core.model import CHOICE_TYPES, Item
from screening.errors import Path
from screening.load.check_conditions import check_condition_ref, check_derived_test
from screening.load.check_context import Ctx, Raw, unknown

_LISTS = ("sum", "multiply", "min", "max")
_UNITS = tuple(dv.UNITS)


def derived_of(ctx: Ctx, data: Raw, items: Mapping[str, Item]) -> dict[str, dv.DerivedValue]:
    """The instrument's derived values, in order; then the tests of them that waited."""
    built: dict[str, dv.DerivedValue] = {}
    waiting, ctx.deferred = ctx.deferred, []  # the show_if tests, checked at the end
    ctx.derived = built  # grows: a test inside a derived value sees only those above
    for d, raw in enumerate(data.get("derived", [])):
        path: Path = ("derived", d)
        ctx.claim(raw["id"], (*path, "id"), "derived")
        expr = _Builder(ctx, items, built).expr(raw["value"], (*path, "value"))
        if expr is not None:
            built[raw["id"]] = dv.DerivedValue(raw["id"], expr, data["id"], raw.get("label"))
    for path, test, earlier, items_only in waiting:
        check_derived_test(ctx, test, path, earlier, items_only)
    return built


def item_type(item: Item) -> str | None:
    """The type of an item's answer in a derived value; None when it has none (a
    multiple-choice item without numbers: count it with count_selected)."""
    if item.type == "date":
        return "date"
    if item.type == "text":
        return "text"
    if item.type == "number" or (item.type == "scale" and not item.options):
        return "number"
    if item.type in CHOICE_TYPES and all(o.numeric is not None for o in item.options):
        return "number"
    if item.type != "multiple" and all(isinstance(o.value, str) for o in item.options):
        return "text"
    return None


class _Builder:
    def __init__(
        self, ctx: Ctx, items: Mapping[str, Item], built: Mapping[str, dv.DerivedValue]
    ) -> None:
        self.ctx = ctx
        self.items = items
        self.built = built

    def error(self, path: Path, code: str, message: str) -> None:
        self.ctx.error(path, code, message)

    def expr(self, raw: Any, path: Path) -> dv.Expr | None:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return dv.Const(raw)
        if isinstance(raw, str):
            return self.ref(raw, path)
        if not isinstance(raw, dict) or len(raw) != 1:  # the schema said so already
            return None
        ((op, arg),) = raw.items()
        at: Path = (*path, op)
        if op == "text":
            return dv.Const(str(arg), "text")
        if op == "date":
            day = iso_date(str(arg))
            if day is None:
                self.error(at, "date", f"{arg!r} is not a calendar date")
                return None
            return dv.Const(day, "date")
        if op == "today":
            return dv.Today()
        if op == "count_selected":
            return self.count(str(arg), at)
        if op == "if":
            return self.branch(arg, at)
        if op == "lookup":
            return self.lookup(arg, at)
        parts = [self.expr(a, (*at, n)) for n, a in enumerate(arg)]
        if any(p is None for p in parts):
            return None
        args = tuple(p for p in parts if p is not None)
        if op == "coalesce":
            return dv.Coalesce(args, self.same_type(args, at, "coalesce"))
        wanted = "date" if op in _UNITS else "number"
        for n, part in enumerate(args):
            if part.type != wanted:
                self.error(
                    (*at, n),
                    "derived-type",
                    f"{op} needs {'dates' if wanted == 'date' else 'numbers'}; this is "
                    f"{_a(part.type)}",
                )
                return None
        if op in _UNITS:
            return dv.Between(op, args[0], args[1])
        return dv.Arithmetic(op, args)

    def ref(self, name: str, path: Path) -> dv.Expr | None:
        item = self.items.get(name)
        if item is not None:
            kind = item_type(item)
            if kind is None:
                self.error(
                    path,
                    "derived-type",
                    f"{name!r} ({item.type}) has no single value: give its options numbers, "
                    "or count its answers with {count_selected: " + name + "}",
                )
                return None
            return dv.ItemRef(name, kind)
        if name in self.built:
            return dv.DerivedRef(name, self.built[name].type)
        if name in self.ctx.declared.get("score", set()):
            return dv.ScoreRef(name)
        later = name in self.ctx.declared.get("derived", set())
        self.error(
            path,
            "forward-ref" if later else "unknown-ref",
            f"the derived value {name!r} is defined below; a derived value reads only "
            "those above it"
            if later
            else unknown("item, score or derived value", name, {**self.items, **self.built}),
        )
        return None

    def count(self, name: str, path: Path) -> dv.Expr | None:
        item = self.items.get(name)
        if item is None or item.type != "multiple":
            what = unknown("item", name, self.items) if item is None else f"{name!r} is {item.type}"
            self.error(
                path, "derived-type", f"count_selected counts a multiple-choice item; {what}"
            )
            return None
        return dv.CountSelected(name)

    def branch(self, raw: Raw, path: Path) -> dv.Expr | None:
        cond = check_condition_ref(
            self.ctx, raw["cond"], (*path, "cond"), self.items, items_only=True
        )
        then = self.expr(raw["then"], (*path, "then"))
        otherwise = self.expr(raw["else"], (*path, "else"))
        if cond is None or then is None or otherwise is None:
            return None
        kind = self.same_type((then, otherwise), path, "if")
        return dv.If(cond, then, otherwise, kind)

    def lookup(self, raw: Raw, path: Path) -> dv.Expr | None:
        of = self.expr(raw["of"], (*path, "of"))
        pairs: list[tuple[dv.DValue, dv.DValue]] = []
        seen: set[tuple[type, object]] = set()
        targets: set[type] = set()
        for r, row in enumerate(raw["map"]):
            sources = row["from"] if isinstance(row["from"], list) else [row["from"]]
            for value in sources:
                if (type(value), value) in seen:
                    self.error(
                        (*path, "map", r, "from"),
                        "derive-duplicate",
                        f"the value {value!r} has a row already: one row per value",
                    )
                seen.add((type(value), value))
                pairs.append((value, row["to"]))
            targets.add(str if isinstance(row["to"], str) else float)
        if len(targets) > 1:
            self.error((*path, "map"), "derived-type", "a map gives all numbers or all text")
            return None
        if of is None:
            return None
        return dv.Lookup(of, tuple(pairs), "text" if targets == {str} else "number")

    def same_type(self, args: tuple[dv.Expr, ...], path: Path, op: str) -> str:
        kinds = {a.type for a in args}
        if len(kinds) > 1:
            self.error(
                path,
                "derived-type",
                f"the values of {op} are of different types ({', '.join(sorted(kinds))}): "
                "give them one type",
            )
        return args[0].type


def _a(kind: str) -> str:
    return {"number": "a number", "text": "text", "date": "a date"}.get(kind, kind)
