"""An instrument as an XLSForm (survey, choices and settings sheets), in its source
language.

Sections are groups (their intro the group's hint); items are typed as ODK types them
(single and yes/no as ``select_one``, multiple as ``select_multiple``, a scale with
options as ``select_one``, without as ``range``); a note is a ``note`` row (its why the
hint; a note shown above its question sits in a ``field-list`` group in ODK's terms,
which is not written: the row keeps its place). Why is the hint, help the guidance hint.
Show-if conditions become ``relevant`` where XPath says exactly the same (the forms our
import reads back); others, and what an XLSForm has no column for (scores, flags, needs),
are listed in ``notes``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from screening.core.conditions import All, Condition, ItemTest, Not
from screening.core.conditions import Any as AnyOf
from screening.core.model import Instrument, Item, Note
from screening.interop.fhir.items import YES_NO_LABELS

SURVEY = (
    "type", "name", "label", "hint", "guidance_hint", "relevant", "required",
    "required_message", "constraint", "parameters",
)  # fmt: skip
_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


class NotExact(ValueError):
    """A condition that XPath cannot say exactly."""


@dataclass
class Sheets:
    survey: list[dict[str, str]] = field(default_factory=list)
    choices: list[dict[str, str]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def workbook(self) -> bytes:
        """The three sheets as an .xlsx file."""
        import openpyxl  # type: ignore[import-untyped]  # no stubs

        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, header, rows in (
            ("survey", SURVEY, self.survey),
            ("choices", ("list_name", "name", "label"), self.choices),
            ("settings", tuple(self.settings), [self.settings]),
        ):
            sheet = book.create_sheet(name)
            sheet.append(list(header))
            for row in rows:
                sheet.append([row.get(column, "") for column in header])
        out = BytesIO()
        book.save(out)
        return out.getvalue()


def xlsform(instrument: Instrument) -> Sheets:
    sheets = Sheets()
    items = {i.id: i for i in instrument.iter_items()}
    language = instrument.language
    sheets.settings = {
        "form_title": instrument.title,
        "form_id": instrument.id,
        "version": instrument.version,
        "default_language": language,
    }
    for section in instrument.sections:
        group = {"type": "begin group", "name": section.id, "label": section.title}
        if section.intro:
            group["hint"] = section.intro
        _relevant(sheets, group, section.show_if, items, section.id)
        sheets.survey.append(group)
        for item in section.items:
            for note in section.notes_before(item.id):
                sheets.survey.append(_note(sheets, note, items))
            sheets.survey.append(_item(sheets, item, items))
        for note in section.notes_before(None):
            sheets.survey.append(_note(sheets, note, items))
        sheets.survey.append({"type": "end group", "name": ""})
    left = [
        f"{len(things)} {kind}"
        for kind, things in (
            ("score(s)", instrument.scores),
            ("flag(s)", instrument.flags),
            ("need(s)", instrument.needs),
            ("strength(s)", instrument.strengths),
        )
        if things
    ]
    if left:
        sheets.notes.append(
            f"{instrument.id}: {', '.join(left)} not exported: an XLSForm has no column that "
            "keeps their meaning"
        )
    return sheets


def _note(sheets: Sheets, note: Note, items: Mapping[str, Item]) -> dict[str, str]:
    row = {"type": "note", "name": note.id, "label": note.text}
    if note.why:
        row["hint"] = note.why
    _relevant(sheets, row, note.show_if, items, note.id)
    return row


def _item(sheets: Sheets, item: Item, items: Mapping[str, Item]) -> dict[str, str]:
    row: dict[str, str] = {"name": item.id, "label": item.text}
    if item.type in ("single", "yes_no") or (item.type == "scale" and item.options):
        row["type"] = f"select_one {item.id}"
    elif item.type == "multiple":
        row["type"] = f"select_multiple {item.id}"
    elif item.type == "scale":
        row["type"] = "range"
        row["parameters"] = f"start={item.min} end={item.max} step={item.step or 1}"
    elif item.type == "number":
        row["type"] = "integer" if item.integer else "decimal"
        row["constraint"] = _bounds(item)
    else:
        row["type"] = item.type  # date, text
    if row["type"].startswith("select"):
        for option in item.options:
            label = option.label or YES_NO_LABELS.get(str(option.value), str(option.value))
            sheets.choices.append({"list_name": item.id, "name": str(option.value), "label": label})
    if item.why:
        row["hint"] = item.why
    if item.help:
        row["guidance_hint"] = item.help
    if not item.skippable:
        row["required"] = "yes"
        if item.unskippable_because:
            row["required_message"] = item.unskippable_because
    _relevant(sheets, row, item.show_if, items, item.id)
    return {k: v for k, v in row.items() if v}


def _bounds(item: Item) -> str:
    pairs = ((">=", item.min), ("<=", item.max))
    parts = [f". {op} {bound}" for op, bound in pairs if bound is not None]
    return " and ".join(parts)


def _relevant(
    sheets: Sheets,
    row: dict[str, str],
    condition: Condition | None,
    items: Mapping[str, Item],
    owner: str,
) -> None:
    if condition is None:
        return
    try:
        row["relevant"] = xpath(condition, items)
    except NotExact as exc:
        sheets.notes.append(f"{owner}: its show-if is not written as relevant: {exc}")


def xpath(condition: Condition, items: Mapping[str, Item]) -> str:
    """The ``relevant`` expression that means exactly ``condition``; NotExact when none."""
    if isinstance(condition, All | AnyOf):
        joint = " and " if isinstance(condition, All) else " or "
        return joint.join(f"({xpath(c, items)})" for c in condition.conditions)
    if isinstance(condition, Not):
        return f"not({xpath(condition.condition, items)})"
    if isinstance(condition, ItemTest):
        return " or ".join(_test(condition, items))
    raise NotExact("scores and flags are not answers an XLSForm can read")


def _test(test: ItemTest, items: Mapping[str, Item]) -> Iterator[str]:
    ref = f"${{{test.item}}}"
    item = items[test.item]
    if test.op == "answered":
        yield f"{ref} != ''" if test.value else f"{ref} = ''"
    elif test.op in _OPS:
        yield f"{ref} {_OPS[test.op]} {_literal(test.value)}"
    elif test.op == "includes":
        yield f"selected({ref}, {_literal(test.value)})"
    elif test.op in ("equals", "in"):
        values: list[Any] = list(test.value) if test.op == "in" else [test.value]  # type: ignore[call-overload]
        for value in values:
            if item.type == "multiple":
                raise NotExact("equals on a multiple choice has no exact XPath")
            yield f"{ref} = {_literal(value)}"
    else:
        raise NotExact(f"a test of {test.op} (a skip or a decline) has no XPath form")


def _literal(value: object) -> str:
    if isinstance(value, bool):
        raise NotExact("a true/false value has no XPath literal here")
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if "'" in text:
        raise NotExact(f"{text!r} holds a quote")
    return f"'{text}'"
