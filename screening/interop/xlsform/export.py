"""An instrument as an XLSForm (survey, choices and settings sheets), in its source
language and in every language its catalogs translate it to.

With catalogs (``locales/<lang>/LC_MESSAGES/instrument-<id>.po``), each translatable
column is written once per language as pyxform names it (``label::French (fr)``), the
source language first and named in ``default_language``; a cell holds a translation only
when the catalog's entry is for the very text written (a translation of an older wording
is no translation of this one), else it is left empty, and the notes say how many. Yes
and no options take the app's own words (``messages.po``), as the pages show them.

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
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

from screening.core.conditions import All, Condition, ItemTest, Not
from screening.core.conditions import Any as AnyOf
from screening.core.model import Instrument, Item, Note
from screening.interop.common import read_translations
from screening.interop.fhir.items import YES_NO_LABELS
from screening.interop.forms import bcp47

SURVEY = (
    "type", "name", "label", "hint", "guidance_hint", "relevant", "required",
    "required_message", "constraint", "parameters",
)  # fmt: skip
_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
TRANSLATED = ("label", "hint", "guidance_hint", "required_message")  # per language


class NotExact(ValueError):
    """A condition that XPath cannot say exactly."""


@dataclass
class Sheets:
    """Rows by column name; a translated cell is ``column::<language column name>``
    (``label::French (fr)``), the source language's is the plain column."""

    survey: list[dict[str, str]] = field(default_factory=list)
    choices: list[dict[str, str]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # column names, source first

    def header(self, columns: tuple[str, ...], rows: list[dict[str, str]]) -> list[tuple[str, str]]:
        """(column heading, row key) for each column: one per language where translated
        (a language's column that no row fills is left out)."""
        out = []
        for column in columns:
            if column in TRANSLATED and self.languages:
                source, *others = self.languages
                out.append((f"{column}::{source}", column))
                out.extend(
                    (f"{column}::{name}", f"{column}::{name}")
                    for name in others
                    if any(f"{column}::{name}" in row for row in rows)
                )
            else:
                out.append((column, column))
        return out

    def workbook(self) -> bytes:
        """The three sheets as an .xlsx file."""
        import openpyxl  # type: ignore[import-untyped]  # no stubs

        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, header, rows in (
            ("survey", self.header(SURVEY, self.survey), self.survey),
            ("choices", self.header(("list_name", "name", "label"), self.choices), self.choices),
            ("settings", [(k, k) for k in self.settings], [self.settings]),
        ):
            sheet = book.create_sheet(name)
            sheet.append([heading for heading, _ in header])
            for row in rows:
                sheet.append([row.get(key, "") for _, key in header])
        out = BytesIO()
        book.save(out)
        return out.getvalue()


def language_column(code: str) -> str:
    """pyxform's name of a language column: ``French (fr)``."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_language_name("en") or code
    except (UnknownLocaleError, ValueError):
        name = code
    return f"{name} ({code})"


@dataclass
class _Texts:
    """The instrument's translations, to fill the language columns of each row."""

    instrument_id: str
    tables: dict[str, dict[str, tuple[str, str]]]  # column name -> msgctxt -> entry
    app: dict[str, dict[str, str]]  # column name -> the app's msgid -> msgstr
    missing: int = 0

    def put(self, row: dict[str, str], column: str, text: str, *paths: str) -> None:
        """``row[column] = text`` and its translation in each language that has it."""
        row[column] = text
        for name, table in self.tables.items():
            found = ""
            for path in self.paths(table, *paths):
                source, translated = table.get(f"{self.instrument_id}:{path}", ("", ""))
                if source == text and translated:
                    found = translated
                    break
            if not found:
                found = self.app.get(name, {}).get(text, "") if not paths else ""
            if found:
                row[f"{column}::{name}"] = found
            else:
                self.missing += 1

    def paths(self, table: Mapping[str, tuple[str, str]], *paths: str) -> list[str]:
        """An option's label may be its option set's entry (the model keeps no set
        name): any set's entry for that value, when it is for this very text."""
        out = list(paths)
        for path in paths:
            if path.startswith("items.") and path.endswith(".label") and ".options." in path:
                suffix = "." + path.split(".options.", 1)[1]
                prefix = f"{self.instrument_id}:option_sets."
                out.extend(
                    ctx.removeprefix(f"{self.instrument_id}:")
                    for ctx in table
                    if ctx.startswith(prefix) and ctx.endswith(suffix)
                )
        return out


def _app_words(locales: Path, language: str) -> dict[str, str]:
    """The app's own translations of the yes/no labels (what the pages show)."""
    path = locales / language / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle)
    words = set(YES_NO_LABELS.values())
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id in words and m.string and not m.fuzzy and not m.context
    }


def xlsform(instrument: Instrument, locales: Path | None = None) -> Sheets:
    """The XLSForm of ``instrument``; with ``locales``, in every language its catalogs
    there translate it to."""
    sheets = Sheets()
    items = {i.id: i for i in instrument.iter_items()}
    language = instrument.language
    found = read_translations(locales, instrument.id)
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    app: dict[str, dict[str, str]] = {}
    for directory in sorted(found):
        code = bcp47(directory) or directory
        if code != language:
            tables[language_column(code)] = found[directory]
            app[language_column(code)] = _app_words(locales or Path(), directory)
    texts = _Texts(instrument.id, tables, app)
    if tables:
        sheets.languages = [language_column(language), *tables]
    sheets.settings = {
        "form_title": instrument.title,
        "form_id": instrument.id,
        "version": instrument.version,
        "default_language": sheets.languages[0] if tables else language,
    }
    for section in instrument.sections:
        group = {"type": "begin group", "name": section.id}
        texts.put(group, "label", section.title, f"sections.{section.id}.title")
        if section.intro:
            texts.put(group, "hint", section.intro, f"sections.{section.id}.intro")
        _relevant(sheets, group, section.show_if, items, section.id)
        sheets.survey.append(group)
        for item in section.items:
            for note in section.notes_before(item.id):
                sheets.survey.append(_note(sheets, texts, note, items))
            sheets.survey.append(_item(sheets, texts, item, items))
        for note in section.notes_before(None):
            sheets.survey.append(_note(sheets, texts, note, items))
        sheets.survey.append({"type": "end group", "name": ""})
    if texts.missing:
        sheets.notes.append(
            f"{instrument.id}: {texts.missing} cell(s) of the language columns left empty: "
            "no translation of that very text in the catalogs"
        )
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


def _note(sheets: Sheets, texts: _Texts, note: Note, items: Mapping[str, Item]) -> dict[str, str]:
    row = {"type": "note", "name": note.id}
    texts.put(row, "label", note.text, f"items.{note.id}.text")
    if note.why:
        texts.put(row, "hint", note.why, f"items.{note.id}.why")
    _relevant(sheets, row, note.show_if, items, note.id)
    return row


def _item(sheets: Sheets, texts: _Texts, item: Item, items: Mapping[str, Item]) -> dict[str, str]:
    row: dict[str, str] = {"name": item.id}
    texts.put(row, "label", item.text, f"items.{item.id}.text")
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
            choice = {"list_name": item.id, "name": str(option.value)}
            if option.label:
                path = f"items.{item.id}.options.{option.value}.label"
                texts.put(choice, "label", option.label, path)
            else:  # yes/no: the app's words
                label = YES_NO_LABELS.get(str(option.value), str(option.value))
                texts.put(choice, "label", label)
            sheets.choices.append(choice)
    if item.why:
        texts.put(row, "hint", item.why, f"items.{item.id}.why")
    if item.help:
        texts.put(row, "guidance_hint", item.help, f"items.{item.id}.help")
    if not item.skippable:
        row["required"] = "yes"
        if item.unskippable_because:
            because = item.unskippable_because
            texts.put(row, "required_message", because, f"items.{item.id}.unskippable_because")
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
