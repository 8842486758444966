"""Import an XLSForm (ODK, KoboToolbox) as an instrument, exactly or with every gap named.

pyxform reads the workbook (``.xlsx``, ``.xls``, ``.csv`` or ``.md``) and checks it as
an XForm would be built; we then map row by row. Every cell that does not translate
exactly is a gap reported as ``FILE:SHEET:ROW:COLUMN: message``; nothing is guessed.
Device metadata (start, end, deviceid, ...) and looks-only columns (appearance) are left
out on purpose and reported as notes.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel import Locale
from pyxform import aliases  # type: ignore[import-untyped]
from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
from pyxform.question_type_dictionary import (  # type: ignore[import-untyped]
    QUESTION_TYPE_DICT,
)
from pyxform.xls2json_backends import get_xlsform  # type: ignore[import-untyped]
from pyxform.xls2xform import convert as pyxform_convert  # type: ignore[import-untyped]

from screening.interop.common import GapCode, to_id
from screening.interop.forms import ID_PATTERN, VALUE_PATTERN, Imported, bcp47, header
from screening.interop.xlsform.calculate import translate_calculation
from screening.interop.xlsform.xpath import Question, Untranslatable, translate

Row = dict[str, str]

METADATA = frozenset(
    {
        "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
        "username", "email", "audit", "start-geopoint", "imei",
        # pyxform's uri: spellings of the same device properties
        "uri:deviceid", "uri:subscriberid", "uri:simserial", "uri:phonenumber",
        "uri:username", "uri:email",
    }
)  # fmt: skip
SIMPLE = {"integer": "number", "decimal": "number", "date": "date", "text": "text"}
TRUE = frozenset({"yes", "true", "true()", "1"})
FALSE = frozenset({"no", "false", "false()", "0"})
TRANSLATABLE = ("label", "hint", "guidance_hint")
IGNORED_LOOKS = frozenset({"appearance", "autoplay", "rows"})
HANDLED = frozenset(
    {"type", "name", "label", "hint", "guidance_hint", "required", "relevant", "constraint",
     "constraint_message", "required_message", "parameters", "readonly"}
)  # fmt: skip
MEDIA = ("image", "big-image", "audio", "video")
_LANGUAGE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[^()]+)\)\s*$")
# pyxform's header aliases (aliases.survey_header, aliases.list_header) that name a
# column we read, by the name we read it under.
_HEADER_ALIASES = {
    "list name": "list_name", "list_name": "list_name", "value": "name", "tag": "name",
    "caption": "label", "relevance": "relevant", "command": "type",
    "constraining_message": "constraint_message", "bind::jr:constraintmsg": "constraint_message",
    "bind:jr:constraintmsg": "constraint_message", "jr:constraintmsg": "constraint_message",
    "requiredmsg": "required_message", "bind::jr:requiredmsg": "required_message",
    "jr:requiredmsg": "required_message", "read_only": "readonly", "calculation": "calculate",
    "repeat_count": "count", "jr:count": "count", "no_app_error_string": "noapperrorstring",
    "bind::relevant": "relevant", "bind:relevant": "relevant", "bind::required": "required",
    "bind:required": "required", "bind::constraint": "constraint",
    "bind:constraint": "constraint",
}  # fmt: skip
# pyxform's aliases of the types we have (QUESTION_TYPE_DICT: an input whose data type
# is text, a whole number, a decimal or a date), e.g. ``string``, ``int``, ``q date``.
_TYPE_OF_BIND = {"string": "text", "int": "integer", "decimal": "decimal", "date": "date"}
_NOT_ASKED = frozenset({"note", "q note", "add note prompt", "select one external"})
TYPE_ALIASES = {
    name: _TYPE_OF_BIND[spec["bind"]["type"]]
    for name, spec in QUESTION_TYPE_DICT.items()
    if spec.get("control", {}).get("tag") == "input"
    and spec.get("bind", {}).get("type") in _TYPE_OF_BIND
    and name not in _NOT_ASKED
}
# pyxform replaces typographic quotes in expressions with plain ones.
_SMART_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_NUMBER = re.compile(r"^(0|-?[1-9][0-9]*)$")  # as written by str(int): 007 stays text
_BOUND = re.compile(r"^\s*\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
_REPEATS = ("begin repeat", "begin_repeat", "begin loop", "begin_loop")
_REPEAT_ENDS = ("end repeat", "end_repeat", "end loop", "end_loop")
REQUIRED_BECAUSE = "The imported form marks this question as required; review whether it must be."


def _column(key: str) -> tuple[str, str | None]:
    """``label::French (fr)`` -> (label, French (fr)); ``label:English`` (older forms,
    one colon) too. Names of columns are not case-sensitive; languages keep their case."""
    key = key.strip()
    if " ".join(key.lower().split()) in _HEADER_ALIASES:  # bind::relevant, list name
        return _HEADER_ALIASES[" ".join(key.lower().split())], None
    if "::" in key:
        base, _, language = key.partition("::")
    elif ":" in key and key.split(":", 1)[0].lower() in (*TRANSLATABLE, *MEDIA):
        base, _, language = key.partition(":")
    else:
        base, language = key, None
    base = base.strip().lower()
    base = _HEADER_ALIASES.get(base, base)
    return base, language.strip() if language is not None else None


def _norm(row: Row, *, clean: bool | None = None) -> Row:
    """Columns by the names we read them under. With ``clean`` set, each value as
    pyxform reads it: typographic quotes made plain, and (``clean``) runs of whitespace
    made one space, unless the form's clean_text_values setting says no."""
    out = {}
    for key, value in row.items():
        base, language = _column(key)
        if clean is not None and isinstance(value, str):
            value = value.translate(_SMART_QUOTES)
            value = " ".join(value.split()) if clean else value
        out[base if language is None else f"{base}::{language}"] = value
    return out


class _Form:
    def __init__(self, path: Path, result: Imported, language: str | None, today: dt.date):
        self.path = path
        self.result = result
        self.language_option = language
        self.today = today
        self.questions: dict[str, Question] = {}
        self.ids: dict[str, int] = {}
        self.section_ids: dict[str, int] = {}  # sections have ids of their own (the loader's)
        self.languages: dict[str, str] = {}  # column language -> BCP 47
        self.source: str | None = None  # the column language of the labels
        self.sources: dict[tuple[str, str], str | None] = {}  # (sheet, label) -> its column
        self.sections: list[dict[str, Any]] = []
        self.section: dict[str, Any] | None = None
        self.in_group = False
        self.depth = 0
        self.groups: list[dict[str, Any]] = []  # the groups we are in, outermost first
        self.clean = True  # pyxform's clean_text_values: whitespace runs become one space
        self.skip_until_end: int | None = None
        self.intro: list[str] = []
        self.title = ""
        self.waiting: list[dict[str, Any]] = []  # notes before the first section opens
        self.field_list = False  # in a group ODK shows on one screen (appearance field-list)
        self.derived: list[dict[str, Any]] = []  # the calculate rows that translated

    @property
    def code(self) -> str | None:
        return self.languages.get(self.source) if self.source is not None else None

    def where(self, sheet: str, row: int, column: str) -> str:
        return f"{self.path.name}:{sheet}:{row}:{column}"

    # --- languages ------------------------------------------------------------------

    def read_languages(self, data: Any, settings: Row) -> None:
        """Which column holds the form's own text, and the BCP 47 code of every column
        language. The plain column (``label``) is pyxform's default language: the one
        ``--language`` names, else ``default_language``'s (a code, ``Name (code)`` or a
        language name CLDR knows), else undetermined (``und``, with a note)."""
        seen: dict[str, str] = {}  # column language ("" for plain columns) -> where
        bases: dict[tuple[str, str], list[str]] = {}  # (sheet, base) -> column languages
        for sheet in ("survey", "choices"):
            for key in (getattr(data, f"{sheet}_header") or [{}])[0]:
                base, language = _column(key)
                if base in TRANSLATABLE:
                    seen.setdefault(language or "", self.where(sheet, 1, key))
                    found = bases.setdefault((sheet, base), [])
                    if (language or "") not in found:
                        found.append(language or "")
        default = (settings.get("default_language") or "").strip()
        if default.casefold() == "default":
            default = ""
        codes: dict[str, str | None] = {}
        for name in seen:
            if name:
                codes[name] = _code(name)
            elif self.language_option:
                codes[name] = self.language_option  # always the plain column's
            elif default and default not in seen:
                codes[name] = _code(default)
            else:
                codes[name] = "und"
                self.result.note(
                    seen[name],
                    "the form does not say which language its plain columns are in (no "
                    "default_language): written as 'und' (undetermined); set language in "
                    "the instrument, or pass --language",
                )
        named = [n for n in seen if n]
        if not codes.get("", "x") and "" in seen:
            self.result.gap(seen[""], GapCode.LANGUAGE, _language_problem("", default))
        if len(named) == 1 and "" not in seen and codes[named[0]] is None:
            codes[named[0]] = self.language_option  # the person said which it is
        for name in named:
            if codes[name] is None:
                self.result.gap(seen[name], GapCode.LANGUAGE, _language_problem(name, default))
        self.languages = {name: code for name, code in codes.items() if code}
        self.sources = {
            key: self._source_column(names, default, report=key == ("survey", "label"))
            for key, names in bases.items()
        }
        self.source = self.sources.get(("survey", "label"), self.sources.get(("choices", "label")))

    def _source_column(self, names: list[str], default: str, *, report: bool) -> str | None:
        """The column holding the form's own language: the plain one, default_language's,
        --language's, the only language there is, or else the first (the one ODK Collect
        shows when the form names no default)."""
        if "" in names:
            return ""
        known = [n for n in names if n in self.languages]
        if default and default in names:
            return default if default in self.languages else None
        wanted = self.language_option or (_code(default) if default else None)
        for column in known:
            if wanted and self.languages[column] == wanted:
                return column
        if len(names) == 1 and known:
            return known[0]
        if len(known) > 1 and not wanted and len(known) == len(names):
            if report:
                self.result.note(
                    self.where("settings", 2, "default_language"),
                    f"the form has several languages and names none as its own: its first, "
                    f"{known[0]!r}, is taken (as ODK Collect shows it); set default_language "
                    "or pass --language for another",
                )
            return known[0]
        if len(known) > 1 and report:
            self.result.gap(
                self.where("settings", 2, "default_language"),
                GapCode.LANGUAGE,
                "the form has several languages and does not say which is its own: set "
                "default_language or pass --language",
            )
        return None

    def text(self, row: Row, base: str, sheet: str = "survey") -> str | None:
        source = self.sources.get((sheet, base), self.source)
        if source is None:
            return None
        for column, value in row.items():
            if _column(column) == (base, source or None) and value.strip():
                return value.strip()
        return None

    def translations(self, row: Row, base: str, sheet: str = "survey") -> dict[str, str]:
        out = {}
        for column, value in row.items():
            b, language = _column(column)
            language = language or ""
            own = self.sources.get((sheet, base), self.source)
            wanted = b == base and language != own and language in self.languages
            if wanted and self.languages[language] == self.code:
                continue  # the form's own language in another column
            if wanted and value.strip():
                out[self.languages[language]] = value.strip()
        return out

    def translate(
        self, context: str, row: Row, base: str, source: str | None, sheet: str = "survey"
    ) -> None:
        if source is None:
            return
        for code, text in self.translations(row, base, sheet).items():
            self.result.catalogs.setdefault(code, []).append(
                (f"{self.result.instrument_id}:{context}", source, text)
            )

    # --- choices --------------------------------------------------------------------

    def read_choices(self, rows: list[Row]) -> dict[str, list[tuple[int, dict[str, Any], Row]]]:
        lists: dict[str, list[tuple[int, dict[str, Any], Row]]] = {}
        for n, raw in enumerate(rows, start=2):
            row = _norm(raw, clean=self.clean)
            if not row:
                continue
            list_name, name = row.get("list_name", "").strip(), row.get("name", "").strip()
            if not list_name:
                continue
            # a whole number (-99, 0, 3) is kept as a number, so imported scales score
            value: str | int = int(name) if _NUMBER.match(name) else name
            option: dict[str, Any] = {"value": value}
            if isinstance(value, str) and (not VALUE_PATTERN.match(name) or len(name) > 64):
                self.result.gap(
                    self.where("choices", n, "name"),
                    GapCode.OPTION,
                    f"the choice name {name!r} is not a value we can keep: a whole number, "
                    "or letters, digits, _ - . (at most 64 characters, not starting with - "
                    "or .)",
                )
                continue
            label = self.text(row, "label", "choices")
            if label is None:
                self.result.gap(
                    self.where("choices", n, "label"),
                    GapCode.NO_TEXT,
                    "a choice without a label in the form's own language: left out",
                )
                continue
            option["label"] = label
            for column, value in row.items():
                base, _ = _column(column)
                if base in MEDIA and value.strip():
                    self.result.gap(
                        self.where("choices", n, column),
                        GapCode.OPTION,
                        "media in choices is not supported",
                    )
            if any(str(o["value"]) == name for _, o, _ in lists.get(list_name, [])):
                self.result.gap(
                    self.where("choices", n, "name"), GapCode.DUPLICATE, f"{name!r} is listed twice"
                )
                continue
            lists.setdefault(list_name, []).append((n, option, row))
        return lists

    # --- the survey -----------------------------------------------------------------

    def walk(
        self, rows: list[Row], lists: Mapping[str, list[tuple[int, dict[str, Any], Row]]]
    ) -> None:
        for n, raw in enumerate(rows, start=2):
            row = _norm(raw, clean=self.clean)
            if not row:
                continue
            kind = re.sub(r"\s+", " ", row.get("type", "").strip())
            if self.skip_until_end is not None:
                self._inside_repeat(kind, n)
                continue
            self.row(n, kind, row, lists)

    def _inside_repeat(self, kind: str, n: int) -> None:
        if kind.startswith(_REPEATS):
            self.skip_until_end = (self.skip_until_end or 0) + 1
        elif kind.startswith(_REPEAT_ENDS):
            self.skip_until_end = (self.skip_until_end or 1) - 1 or None

    def row(
        self,
        n: int,
        kind: str,
        row: Row,
        lists: Mapping[str, list[tuple[int, dict[str, Any], Row]]],
    ) -> None:
        where = self.where("survey", n, "type")
        if kind in ("begin group", "begin_group"):
            self.begin_group(n, row)
        elif kind in ("end group", "end_group"):
            self.depth -= 1
            if self.groups:
                self.groups.pop()
            self.section = None  # what follows starts a section of its own
            self.in_group = bool(self.groups)
            self.field_list = bool(self.groups) and bool(self.groups[-1]["field_list"])
        elif kind.startswith(_REPEATS):
            self.result.gap(
                where,
                GapCode.REPEAT,
                "repeats and loops (questions asked again and again) are not supported",
            )
            self.skip_until_end = 1
        elif kind in METADATA:
            self.result.note(where, f"{kind!r} is recorded by the device, not asked: left out")
        elif kind == "note":
            self.note_row(n, row)
        elif kind == "calculate":
            self.calculate_row(n, row)
        else:
            self.question(n, kind, row, lists)

    def begin_group(self, n: int, row: Row) -> None:
        """A group is a section; a group inside a group is a section of its own too
        (ours do not nest), titled with both titles and shown when both groups are."""
        self.depth += 1
        name = row.get("name", "").strip()
        section_id = self._claim(name, n, self.section_ids) or f"group_{n}"
        title = self.text(row, "label")
        if title is None:
            self.result.note(
                self.where("survey", n, "label"),
                "a group without a label: its section takes the form's title",
                section_id,
            )
        condition = None
        relevant = row.get("relevant", "").strip()
        if relevant:
            condition = self._condition(relevant, n, section_id)
        outer = self.groups[-1] if self.groups else None
        group: dict[str, Any] = {
            "id": section_id,
            "title": _joined(outer["title"] if outer else None, title) or self.title,
            "conditions": [
                *(outer["conditions"] if outer else []),
                *([condition] if condition else []),
            ],
            "row": row,
            "parts": 0,
            "field_list": "field-list" in row.get("appearance", "")
            or bool(outer and outer["field_list"]),
        }
        self.groups.append(group)
        self._open_section(group)
        self.field_list = bool(group["field_list"])
        if title is not None:
            self.translate(f"sections.{self.section_id}.title", row, "label", title)
        intro = self.text(row, "hint")
        if intro and self.section is not None:
            self.section["intro"] = intro
            self.translate(f"sections.{self.section_id}.intro", row, "hint", intro)
        self._other_columns(n, row, section_id, {"type", "name", "label", "hint", "relevant"})
        self.in_group = True

    @property
    def section_id(self) -> str:
        return str(self.section["id"]) if self.section is not None else ""

    def _open_section(self, group: dict[str, Any]) -> None:
        group["parts"] += 1
        ident = group["id"] if group["parts"] == 1 else f"{group['id']}_{group['parts']}"
        while ident in self.section_ids and group["parts"] > 1:
            group["parts"] += 1
            ident = f"{group['id']}_{group['parts']}"
        if group["parts"] > 1:
            self.section_ids[ident] = 0
        self.section = {"id": ident, "title": group["title"]}
        conditions = group["conditions"]
        if len(conditions) == 1:
            self.section["show_if"] = conditions[0]
        elif conditions:
            self.section["show_if"] = {"all": list(conditions)}
        self.section["items"] = self.waiting  # notes before it open it
        self.waiting = []
        self.sections.append(self.section)

    def note_row(self, n: int, row: Row) -> None:
        """A ``note`` row is a note: text between questions, shown as its own screen as
        ODK shows it, with its ``hint`` as its why and its ``relevant`` as its show-if."""
        text = self.text(row, "label")
        if text is None:
            if self.source is not None:
                self.result.gap(
                    self.where("survey", n, "label"), GapCode.NO_TEXT, "a note without a label"
                )
            return
        name = row.get("name", "").strip()
        if not name and f"note_{n}" not in self.ids:  # no ${} can name it: any id will do
            name = f"note_{n}"
            self.result.note(
                self.where("survey", n, "name"), f"a note without a name: its id is {name!r}"
            )
        ident = self._claim(name, n)
        if ident is None:
            return
        note: dict[str, Any] = {"id": ident, "type": "note", "text": text}
        self.translate(f"items.{ident}.text", row, "label", text)
        why = self.text(row, "hint")
        if why:
            note["why"] = why
            self.translate(f"items.{ident}.why", row, "hint", why)
        relevant = row.get("relevant", "").strip()
        if relevant:
            condition = self._condition(relevant, n, ident)
            if condition is not None:
                note["show_if"] = condition
        if self.field_list:  # ODK shows the group on one screen: the note above its question
            note["display"] = "above"
        self._other_columns(n, row, ident, HANDLED)
        if self.section is None:
            self.waiting.append(note)  # it opens the part that comes next
        else:
            self.section["items"].append(note)

    def close_notes(self) -> None:
        """Notes after the last question: into the last section, shown as screens (no
        question follows them to show them above)."""
        if self.waiting:
            if not self.sections:
                self.sections.append({"id": "part_1", "title": self.title, "items": []})
            self.sections[-1]["items"].extend(self.waiting)
            self.waiting = []
        for section in reversed(self.sections):
            for entry in reversed(section["items"]):
                if entry.get("type") != "note":
                    return
                entry.pop("display", None)

    def calculate_row(self, n: int, row: Row) -> None:
        """A ``calculate`` row as a derived value, when its calculation translates
        exactly; later ``relevant`` and calculations may then use it."""
        text = row.get("calculate", "").strip()  # the column pyxform calls "calculation"
        where = self.where("survey", n, "calculation")
        if row.get("relevant", "").strip():
            self.result.gap(
                self.where("survey", n, "relevant"),
                GapCode.CALCULATION,
                "a calculation with its own relevant (empty when not relevant) is not translated",
            )
            return
        try:
            expr, kind = translate_calculation(text, self.questions)
        except Untranslatable as exc:
            self.result.gap(where, GapCode.CALCULATION, f"{text!r} is not translated: {exc}")
            return
        name = row.get("name", "").strip()
        ident = self._claim(name, n)
        if ident is None:
            return
        if kind == "date":
            self.result.gap(
                where,
                GapCode.CALCULATION,
                f"{text!r} is a date: only numbers and text are translated as calculations",
            )
            return
        value: dict[str, Any] = {"id": ident, "value": expr}
        self.derived.append(value)
        self.questions[name] = Question(ident, "derived", numeric=kind == "number")
        self._other_columns(n, row, None, {"type", "name", "calculate", "label", "hint"})

    def _claim(self, name: str, n: int, ids: dict[str, int] | None = None) -> str | None:
        """The id of row ``n`` from its name. Groups (``ids=self.section_ids``) and
        questions have ids apart, as pyxform lets a group and a question share a name."""
        ids = self.ids if ids is None else ids
        ident = to_id(name) if name else None
        if ident is None:
            self.result.gap(
                self.where("survey", n, "name"), GapCode.BAD_ID, f"{name!r} cannot be an id"
            )
            return None
        if ident in ids:
            self.result.gap(
                self.where("survey", n, "name"),
                GapCode.BAD_ID,
                f"{name!r} becomes the id {ident!r}, already used on row {ids[ident]}",
            )
            return None
        ids[ident] = n
        return ident

    def _condition(self, text: str, n: int, owner: str | None) -> dict[str, Any] | None:
        text = text.translate(_SMART_QUOTES)
        try:
            return translate(text, self.questions)
        except Untranslatable as exc:
            self.result.gap(
                self.where("survey", n, "relevant"),
                GapCode.CONDITION,
                f"{text!r} is not translated: {exc}",
                owner,
            )
            return None

    def question(
        self,
        n: int,
        kind: str,
        row: Row,
        lists: Mapping[str, list[tuple[int, dict[str, Any], Row]]],
    ) -> None:
        where = self.where("survey", n, "type")
        item: dict[str, Any] = {}
        options: list[dict[str, Any]] | None = None
        select = _select(kind)
        list_name = ""
        other = False
        if select is not None:
            multiple, list_name = select
            for suffix in (" or_other", " or specify other"):  # the older spelling
                if list_name.endswith(suffix):
                    list_name, other = list_name[: -len(suffix)].strip(), True
            if list_name not in lists:
                self.result.gap(
                    where, GapCode.CHOICE_LIST, f"no choice list {list_name!r} in the choices sheet"
                )
                return
            item["type"] = "multiple" if multiple else "single"
            options = [dict(o) for _, o, _ in lists[list_name]]
            if other and any(o["value"] == "other" for o in options):
                self.result.gap(
                    where, GapCode.DUPLICATE, "'or_other' adds 'other', already a choice"
                )
                return
            if other:  # what pyxform adds: the choice 'Other' and a text to say which
                options.append({"value": "other", "label": "Other"})
        elif kind in SIMPLE or kind in TYPE_ALIASES:
            kind = kind if kind in SIMPLE else TYPE_ALIASES[kind]
            item["type"] = SIMPLE[kind]
            if kind == "integer":
                item["integer"] = True
        elif kind == "range":
            item["type"] = "scale"
            if not self._range(item, row, n):
                return
        else:
            self.result.gap(
                where,
                GapCode.UNSUPPORTED_TYPE,
                f"the question type {kind!r} has no equivalent here",
            )
            return
        if row.get("readonly", "").strip().lower() in TRUE:
            self.result.note(where, "a read-only question is shown, not asked: left out")
            return
        ident = self._claim(row.get("name", "").strip(), n)
        if ident is None:
            return
        item = {"id": ident, **item}
        text = self.text(row, "label")
        if text is None:  # never its name instead: a missing text is a gap
            self.result.gap(
                self.where("survey", n, "label"),
                GapCode.NO_TEXT,
                "a question without a label in the form's own language: left out",
            )
            return
        item["text"] = text
        if "${" in text:
            self.result.gap(
                self.where("survey", n, "label"),
                GapCode.UNTRANSLATED,
                "the label shows an earlier answer (${...}): our texts do not, so it would "
                "show the name in braces",
                ident,
            )
        self.translate(f"items.{ident}.text", row, "label", text)
        why = self.text(row, "hint")
        if why:
            item["why"] = why
            self.translate(f"items.{ident}.why", row, "hint", why)
        help_text = self.text(row, "guidance_hint")
        if help_text:
            item["help"] = help_text
            self.translate(f"items.{ident}.help", row, "guidance_hint", help_text)
        if options is not None:
            item["options"] = options
            assert select is not None
            for _, option, choice_row in lists[list_name]:
                self.translate(
                    f"items.{ident}.options.{option['value']}.label",
                    choice_row,
                    "label",
                    option["label"],
                    "choices",
                )
        self._required(item, row, n)
        self._constraint(item, row, n)
        relevant = row.get("relevant", "").strip()
        if relevant:
            condition = self._condition(relevant, n, ident)
            if condition is not None:
                item["show_if"] = condition
        self._other_columns(n, row, ident, HANDLED)
        name = row.get("name", "").strip()
        values = frozenset(str(o["value"]) for o in options or [])
        kind_of = "integer" if item.get("integer") else item["type"]
        actual = tuple((str(o["value"]), o["value"]) for o in options or [])
        numeric = bool(options) and all(
            isinstance(o["value"], int | float) and not isinstance(o["value"], bool)
            for o in options or []
        )
        self.questions[name] = Question(ident, kind_of, values, actual, numeric)
        self._place(item)
        if select is not None and other:
            self._other_text(n, item)

    def _other_text(self, n: int, item: dict[str, Any]) -> None:
        """pyxform's follow-up of an ``or_other`` select: ``<name>_other``, asked when
        'other' is chosen."""
        ident = self._claim(f"{item['id']}_other", n)
        if ident is None:
            return
        chosen = "includes" if item["type"] == "multiple" else "equals"
        follow: dict[str, Any] = {
            "id": ident,
            "type": "text",
            "text": "Specify other.",
            "show_if": {"item": item["id"], chosen: "other"},
        }
        self.questions[ident] = Question(ident, "text")
        self._place(follow)

    def _place(self, item: dict[str, Any]) -> None:
        if self.section is None and self.groups:
            self._open_section(self.groups[-1])  # the outer group goes on after an inner
        if self.section is None:
            number = len(self.sections) + 1
            self.section = {"id": f"part_{number}", "title": self.title, "items": self.waiting}
            self.waiting = []
            self.sections.append(self.section)
        self.section["items"].append(item)  # top-level questions share one implicit section

    def _required(self, item: dict[str, Any], row: Row, n: int) -> None:
        value = row.get("required", "").strip().lower()
        if not value or value in FALSE:
            return
        if value in TRUE:
            item["skippable"] = False
            item["unskippable_because"] = REQUIRED_BECAUSE
            return
        self.result.gap(
            self.where("survey", n, "required"),
            GapCode.REQUIRED,
            f"required only when {value!r}: conditional requirement is not supported",
            item["id"],
        )

    def _constraint(self, item: dict[str, Any], row: Row, n: int) -> None:
        text = row.get("constraint", "").strip().translate(_SMART_QUOTES)
        if not text:
            return
        where = self.where("survey", n, "constraint")
        parts = [p for p in re.split(r"\s+and\s+", text)]
        bounds = [_BOUND.match(p) for p in parts]
        if item["type"] != "number" or any(b is None for b in bounds):
            self.result.gap(
                where, GapCode.CONSTRAINT, f"the constraint {text!r} is not translated", item["id"]
            )
            return
        for match in bounds:
            assert match is not None
            op, number = match.group(1), float(match.group(2))
            if op in (">", "<"):
                if not item.get("integer") or not number.is_integer():
                    self.result.gap(
                        where,
                        GapCode.CONSTRAINT,
                        f"{op} on a decimal has no exact bound",
                        item["id"],
                    )
                    return
                number += 1 if op == ">" else -1
            key = "min" if op.startswith(">") else "max"
            item[key] = int(number) if number.is_integer() else number

    def _range(self, item: dict[str, Any], row: Row, n: int) -> bool:
        found = {"start": 1.0, "end": 10.0, "step": 1.0}  # the ODK defaults
        for part in row.get("parameters", "").split():
            key, _, value = part.partition("=")
            try:
                found[key.strip()] = float(value)
            except ValueError:
                found[key.strip()] = float("nan")
        if set(found) != {"start", "end", "step"} or not all(
            v.is_integer() for v in found.values()
        ):
            self.result.gap(
                self.where("survey", n, "parameters"),
                GapCode.UNSUPPORTED_TYPE,
                "only a range of whole numbers (start, end, step) becomes a scale",
            )
            return False
        item["min"], item["max"], item["step"] = (int(found[k]) for k in ("start", "end", "step"))
        return True

    def _other_columns(
        self, n: int, row: Row, owner: str | None, handled: frozenset[str] | set[str]
    ) -> None:
        for column, value in row.items():
            if not value.strip():
                continue
            base, language = _column(column)
            if base in handled or (language is not None and base in TRANSLATABLE):
                continue
            where = self.where("survey", n, column)
            if base in IGNORED_LOOKS:
                self.result.note(where, f"{base} changes only how ODK shows it: left out", owner)
            elif base == "parameters" and row.get("type", "").strip() == "text":
                self.result.note(where, "text box size: left out", owner)
            else:
                self.result.gap(
                    where, GapCode.UNTRANSLATED, f"the column {column!r} is not translated", owner
                )


def _joined(outer: str | None, inner: str | None) -> str | None:
    if outer and inner:
        return f"{outer}: {inner}"
    return inner or outer


def _code(name: str) -> str | None:
    """The BCP 47 code of ``French (fr)``, of a bare code such as ``fr``, or of a
    language name CLDR knows (``English``, ``français``), as pyxform's default_language
    and Kobo's ``label::English`` columns write it."""
    match = _LANGUAGE.match(name)
    if match is not None:
        return bcp47(match["code"])
    if re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]+)*", name) and bcp47(name):
        return bcp47(name)
    key = name.strip().casefold()
    return _english_names().get(key) or _own_names().get(key)


@functools.cache
def _english_names() -> dict[str, str]:
    """CLDR's language names in English -> BCP 47."""
    out: dict[str, str] = {}
    for code, name in Locale("en").languages.items():
        tag = bcp47(code)
        if tag is not None:
            out.setdefault(name.casefold(), tag)
    return out


@functools.cache
def _own_names() -> dict[str, str]:
    """CLDR's name of each language in that language (``français``) -> BCP 47."""
    out: dict[str, str] = {}
    for code in list(Locale("en").languages):
        tag = bcp47(code)
        if tag is None:
            continue
        try:
            own = Locale.parse(code).get_language_name(code)
        except (ValueError, LookupError):
            continue
        if own:
            out.setdefault(own.casefold(), tag)
    return out


def _language_problem(name: str, default: str) -> str:
    if not name and not default:
        return (
            "the form does not say which language this column is in: add default_language "
            "to its settings (e.g. 'English (en)') or pass --language"
        )
    name = name or default
    match = _LANGUAGE.match(name)
    if match is not None:
        return f"{match['code']!r} is not a known BCP 47 language code"
    return (
        f"the language {name!r} is neither a BCP 47 code nor a language name CLDR knows: "
        "write it as 'Name (code)', e.g. 'French (fr)' (or pass --language when the form "
        "has one language)"
    )


_PYXFORM_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_PYXFORM_SHEET = re.compile(r"(?:On|in) the '(\w+)' sheet", re.IGNORECASE)
_PYXFORM_COLUMN = re.compile(r"the '([^']+)' (?:value|column)")


def _pyxform_where(name: str, message: str) -> str:
    """pyxform says ``[row : 13] On the 'survey' sheet, the 'relevant' value ...``: the
    place as FILE:SHEET:ROW:COLUMN, as much of it as the message holds."""
    row = _PYXFORM_ROW.search(message)
    if row is None:
        return name
    sheet = _PYXFORM_SHEET.search(message)
    column = _PYXFORM_COLUMN.search(message)
    where = f"{name}:{sheet[1] if sheet else 'survey'}:{row[1]}"
    return f"{where}:{column[1]}" if column else where


def _select(kind: str) -> tuple[bool, str] | None:
    for prefix in sorted(aliases.select, key=len, reverse=True):
        if kind.startswith(prefix + " "):
            if prefix in aliases.select_from_file or prefix == "select_one_external":
                return None
            multiple = aliases.select[prefix] != aliases.select["select_one"]
            return multiple, kind[len(prefix) + 1 :].strip()
    return None


def convert(
    path: Path, instrument_id: str, *, language: str | None = None, today: dt.date | None = None
) -> Imported:
    """Read the form at ``path`` as instrument ``instrument_id``; never raises for what
    the file holds."""
    result = Imported(instrument_id, path.name, "xlsform")
    if not ID_PATTERN.match(instrument_id):
        result.gap(
            str(path),
            GapCode.BAD_ID,
            f"{instrument_id!r} cannot be an instrument id: name the output file "
            "with lowercase letters, digits, - and _",
        )
        return result
    if language is not None and bcp47(language) is None:
        result.gap(
            "--language", GapCode.LANGUAGE, f"{language!r} is not a known BCP 47 language code"
        )
        return result
    try:
        with warnings.catch_warnings():  # openpyxl's and xlrd's, about the workbook
            warnings.simplefilter("ignore")
            pyxform_convert(xlsform=str(path), validate=False, warnings=[])
            data = get_xlsform(str(path))
    except (PyXFormError, OSError, ValueError, KeyError, TypeError) as exc:
        result.gap(
            _pyxform_where(path.name, str(exc)),
            GapCode.UNREADABLE,
            f"pyxform cannot read this form: {exc}",
        )
        return result
    settings = {
        aliases.settings_header.get(k, k): v for k, v in _norm((data.settings or [{}])[0]).items()
    }
    settings = {re.sub(r"[\s-]+", "_", k): v for k, v in settings.items()}
    form = _Form(path, result, bcp47(language) if language else None, today or dt.date.today())
    form.clean = aliases.yes_no.get(settings.get("clean_text_values", "yes"), True)
    form.read_languages(data, settings)
    form.title = (settings.get("title") or settings.get("form_title") or "").strip() or (
        settings.get("id_string") or settings.get("form_id") or instrument_id
    )
    lists = form.read_choices(list(data.choices or []))
    form.walk(list(data.survey or []), lists)
    code = form.code
    doc = header(
        result,
        title=form.title,
        language=code or "und",
        version=(settings.get("version") or "").strip() or None,
        today=form.today,
    )
    if form.intro:
        doc["intro"] = "\n\n".join(form.intro)
    form.close_notes()
    doc["sections"] = [s for s in form.sections if s["items"]]
    if form.derived:
        doc["derived"] = form.derived
    result.doc = doc
    return result
