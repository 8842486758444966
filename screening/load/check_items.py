"""Semantic checks of sections, items and options; builds their model objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from screening.core.answers import iso_date
from screening.core.model import (
    Derivation,
    Item,
    Note,
    Option,
    OptionValue,
    Section,
    Status,
)
from screening.errors import Path
from screening.load.check_conditions import check_condition_ref
from screening.load.check_context import Ctx, Raw, codes


def sections_and_items(ctx: Ctx, data: Raw) -> tuple[dict[str, Item], list[Section]]:
    option_sets: Raw = data.get("option_sets", {})
    items: dict[str, Item] = {}
    sections: list[Section] = []
    concepts: dict[str, str] = {}
    for s, raw_section in enumerate(data["sections"]):
        spath: Path = ("sections", s)
        ctx.claim(raw_section["id"], (*spath, "id"), "section")
        section_if = check_condition_ref(
            ctx, raw_section.get("show_if"), (*spath, "show_if"), items, items_only=True
        )
        built: list[Item] = []
        notes: list[Note] = []
        waiting: list[Note] = []  # notes written since the last question
        for i, raw in enumerate(raw_section["items"]):
            path: Path = (*spath, "items", i)
            ctx.claim(raw["id"], path, "item")
            if raw["type"] == "note":
                waiting.append(_note(ctx, data["id"], raw_section["id"], raw, path, items))
                continue
            notes.extend(replace(n, before=raw["id"]) for n in waiting)
            waiting.clear()
            item = _item(ctx, data["id"], raw_section["id"], raw, path, option_sets, items)
            if item.derive is not None and data["codesign"]["status"] == Status.VALIDATED.value:
                ctx.error(
                    (*path, "derive"),
                    "derive-validated",
                    "a validated scale's items are always asked, never derived from another "
                    "answer: remove derive here and put it on the other instrument's item",
                )
            item = replace(item, print_as=_print_level(ctx, raw_section, raw, path))
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
        notes.extend(waiting)
        sections.append(
            Section(
                id=raw_section["id"],
                title=raw_section["title"],
                items=tuple(built),
                intro=raw_section.get("intro"),
                content_warning=raw_section.get("content_warning"),
                show_if=section_if,
                print_as=raw_section.get("print"),
                notes=tuple(notes),
            )
        )
    _check_above(ctx, sections)
    return items, sections


def _note(
    ctx: Ctx, instrument_id: str, section_id: str, raw: Raw, path: Path, earlier: Mapping[str, Item]
) -> Note:
    """A note: text between questions, no answer; its show_if reads earlier items only."""
    return Note(
        id=raw["id"],
        text=raw["text"],
        section_id=section_id,
        instrument_id=instrument_id,
        why=raw.get("why"),
        show_if=check_condition_ref(
            ctx, raw.get("show_if"), (*path, "show_if"), earlier, items_only=True
        ),
        display=raw.get("display", "screen"),
    )


def _check_above(ctx: Ctx, sections: list[Section]) -> None:
    """A note shown above the next question needs a question after it."""
    last = next((s for s in reversed(sections) if s.items), None)
    for note in () if last is None else last.notes_before(None):
        if note.display == "above":
            ctx.error(
                ctx.ids.get(f"result:{note.id}", ()),
                "note-above",
                f"the note {note.id!r} is shown above the next question, but no question "
                "follows it: use display: screen, or move it before a question",
            )


def _print_level(ctx: Ctx, raw_section: Raw, raw: Raw, path: Path) -> str:
    """What of this item may leave the screen: its own ``print``; else ``never`` when it
    is sensitive or never exported; else its section's ``print``; else ``never`` under
    a content warning (the section's or its own); else ``summary``."""
    sensitive = bool(raw.get("sensitive"))
    own = raw.get("print")
    if own == "verbatim" and sensitive:
        ctx.error(
            (*path, "print"),
            "sensitive-verbatim",
            "a sensitive item is never printed word for word: use print: summary or never, "
            "or remove sensitive: true",
        )
    if own is not None:
        return str(own)
    if sensitive or raw.get("export") == "never":
        return "never"
    if raw_section.get("print") is not None:
        return str(raw_section["print"])
    if raw_section.get("content_warning") or raw.get("content_warning"):
        return "never"
    return "summary"


def _options(ctx: Ctx, raw: Raw, path: Path, option_sets: Raw) -> tuple[list[Raw], Path]:
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
    ctx: Ctx,
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
                codes(ctx, opt.get("codes", []), (*opath, o, "codes")),
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
        why=raw.get("why", ""),  # only an imported instrument may lack it (a warning)
        section_id=section_id,
        instrument_id=instrument_id,
        options=tuple(options),
        skippable=raw.get("skippable", True),
        unskippable_because=raw.get("unskippable_because"),
        show_if=check_condition_ref(
            ctx, raw.get("show_if"), (*path, "show_if"), earlier, items_only=True
        ),
        concept=raw.get("concept"),
        derive=_derive(ctx, raw, path, kind, options),
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
        codes=codes(ctx, raw.get("codes", []), (*path, "codes")),
        sensitive=bool(raw.get("sensitive")),
        audiences=tuple(raw.get("audiences", ())),
        exported=raw.get("export", "allowed") != "never",
    )


def _derive(ctx: Ctx, raw: Raw, path: Path, kind: str, options: list[Option]) -> Derivation | None:
    """The item's value map (ask once); its source is checked across instruments later
    (check_derive), since it lives in another file."""
    spec = raw.get("derive")
    if spec is None:
        return None
    dpath: Path = (*path, "derive")
    if kind not in ("single", "yes_no", "scale") or not options:
        ctx.error(
            dpath,
            "derive-type",
            f"a {kind} item cannot be derived: a map gives one option value, so only a "
            "single, yes_no or scale item with options can take derive",
        )
        return None
    values = {(type(o.value), o.value) for o in options}
    pairs: list[tuple[OptionValue, OptionValue]] = []
    seen: set[tuple[type, OptionValue]] = set()
    for r, row in enumerate(spec["map"]):
        target = row["to"]
        if (type(target), target) not in values:
            valid = ", ".join(repr(o.value) for o in options)
            ctx.error(
                (*dpath, "map", r, "to"),
                "derive-value",
                f"{target!r} is not an option of {raw['id']!r}; valid: {valid}",
            )
        sources = row["from"] if isinstance(row["from"], list) else [row["from"]]
        for value in sources:
            if (type(value), value) in seen:
                ctx.error(
                    (*dpath, "map", r, "from"),
                    "derive-duplicate",
                    f"the source value {value!r} has a row already: one row per source value",
                )
            seen.add((type(value), value))
            pairs.append((value, target))
    return Derivation(spec["from_concept"], tuple(pairs))


def _check_scale(ctx: Ctx, raw: Raw, path: Path, options: list[Option], opath: Path) -> None:
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


def _check_bounds(ctx: Ctx, raw: Raw, path: Path, kind: str) -> None:
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
