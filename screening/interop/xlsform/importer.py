"""Import an XLSForm (ODK, KoboToolbox) as an instrument, exactly or with every gap named.

pyxform reads the workbook (``.xlsx``, ``.xls``, ``.csv`` or ``.md``) and checks it as
an XForm would be built; we then map row by row. Every cell that does not translate
exactly is a gap reported as ``FILE:SHEET:ROW:COLUMN: message``; nothing is guessed.
Device metadata (start, end, deviceid, ...) and looks-only columns (appearance) are left
out on purpose and reported as notes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pyxform import aliases  # type: ignore[import-untyped]
from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
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
    }
)  # fmt: skip
SIMPLE = {"integer": "number", "decimal": "number", "date": "date", "text": "text"}
TRUE = frozenset({"yes", "true", "true()", "1"})
FALSE = frozenset({"no", "false", "false()", "0"})
TRANSLATABLE = ("label", "hint", "guidance_hint")
IGNORED_LOOKS = frozenset({"appearance", "autoplay", "rows"})
HANDLED = frozenset(
    {"type", "name", "label", "hint", "guidance_hint", "required", "relevant", "constraint",
     "constraint_message", "required_message", "parameters"}
)  # fmt: skip
MEDIA = ("image", "big-image", "audio", "video")
_LANGUAGE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[^()]+)\)\s*$")
_HEADER_ALIASES = {"list name": "list_name", "relevance": "relevant", "caption": "label"}
_BOUND = re.compile(r"^\s*\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
_REPEATS = ("begin repeat", "begin_repeat", "begin loop", "begin_loop")
_REPEAT_ENDS = ("end repeat", "end_repeat", "end loop", "end_loop")
REQUIRED_BECAUSE = "The imported form marks this question as required; review whether it must be."


def _column(key: str) -> tuple[str, str | None]:
    """``label::French (fr)`` -> (label, French (fr)); ``label:English`` (older forms,
    one colon) too. Names of columns are not case-sensitive; languages keep their case."""
    key = key.strip()
    if "::" in key:
        base, _, language = key.partition("::")
    elif ":" in key and key.split(":", 1)[0].lower() in (*TRANSLATABLE, *MEDIA):
        base, _, language = key.partition(":")
    else:
        base, language = key, None
    base = base.strip().lower()
    base = _HEADER_ALIASES.get(base, base)
    return base, language.strip() if language is not None else None


def _norm(row: Row) -> Row:
    out = {}
    for key, value in row.items():
        base, language = _column(key)
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
        self.languages: dict[str, str] = {}  # column language -> BCP 47
        self.source: str | None = None  # the column language of the source text
        self.sections: list[dict[str, Any]] = []
        self.section: dict[str, Any] | None = None
        self.in_group = False
        self.depth = 0
        self.skip_until_end: int | None = None
        self.intro: list[str] = []
        self.title = ""
        self.derived: list[dict[str, Any]] = []  # the calculate rows that translated

    def where(self, sheet: str, row: int, column: str) -> str:
        return f"{self.path.name}:{sheet}:{row}:{column}"

    # --- languages ------------------------------------------------------------------

    def read_languages(self, data: Any, settings: Row) -> None:
        seen: dict[str, str] = {}  # column language ("" for plain columns) -> where
        for sheet in ("survey", "choices"):
            for key in (getattr(data, f"{sheet}_header") or [{}])[0]:
                base, language = _column(key)
                if base in TRANSLATABLE:
                    seen.setdefault(language or "", self.where(sheet, 1, key))
        default = settings.get("default_language", "").strip()
        codes = {name: _code(name or default) for name in seen}
        unresolved = [name for name, code in codes.items() if code is None]
        if len(seen) == 1 and unresolved and self.language_option:
            codes[unresolved[0]] = self.language_option  # the person said which it is
            unresolved = []
        for name in unresolved:
            self.result.gap(seen[name], GapCode.LANGUAGE, _language_problem(name, default))
        self.languages = {name: code for name, code in codes.items() if code}
        self.source = self._source_column(default, guessable=not unresolved)

    def _source_column(self, default: str, *, guessable: bool) -> str | None:
        """The column holding the form's own language: the plain one, default_language's,
        --language's, or the only language there is (not when another could not be read)."""
        if "" in self.languages:
            return ""
        if default and default in self.languages:
            return default
        if self.language_option:
            for column, code in self.languages.items():
                if code == self.language_option:
                    return column
        if len(self.languages) == 1 and guessable:
            return next(iter(self.languages))
        if self.languages:
            self.result.gap(
                self.where("settings", 2, "default_language"),
                GapCode.LANGUAGE,
                "the form has several languages and does not say which is its own: set "
                "default_language or pass --language",
            )
        return None

    def text(self, row: Row, base: str) -> str | None:
        if self.source is None:
            return None
        for column, value in row.items():
            if _column(column) == (base, self.source or None) and value.strip():
                return value.strip()
        return None

    def translations(self, row: Row, base: str) -> dict[str, str]:
        out = {}
        for column, value in row.items():
            b, language = _column(column)
            language = language or ""
            wanted = b == base and language != self.source and language in self.languages
            if wanted and value.strip():
                out[self.languages[language]] = value.strip()
        return out

    def translate(self, context: str, row: Row, base: str, source: str | None) -> None:
        if source is None:
            return
        for code, text in self.translations(row, base).items():
            self.result.catalogs.setdefault(code, []).append(
                (f"{self.result.instrument_id}:{context}", source, text)
            )

    # --- choices --------------------------------------------------------------------

    def read_choices(self, rows: list[Row]) -> dict[str, list[tuple[int, dict[str, Any], Row]]]:
        lists: dict[str, list[tuple[int, dict[str, Any], Row]]] = {}
        for n, raw in enumerate(rows, start=2):
            row = _norm(raw)
            if not row:
                continue
            list_name, name = row.get("list_name", "").strip(), row.get("name", "").strip()
            if not list_name:
                continue
            option: dict[str, Any] = {"value": name}
            if not VALUE_PATTERN.match(name) or len(name) > 64:
                self.result.gap(
                    self.where("choices", n, "name"),
                    GapCode.OPTION,
                    f"the choice name {name!r} is not a value we can keep (letters, digits, "
                    "_ - . and at most 64 characters)",
                )
                continue
            label = self.text(row, "label")
            if label is None and self.source is not None:
                self.result.gap(
                    self.where("choices", n, "label"), GapCode.NO_TEXT, "a choice without a label"
                )
                continue
            option["label"] = label or name  # unknown language: reported once, above
            for column, value in row.items():
                base, _ = _column(column)
                if base in MEDIA and value.strip():
                    self.result.gap(
                        self.where("choices", n, column),
                        GapCode.OPTION,
                        "media in choices is not supported",
                    )
            if any(o["value"] == name for _, o, _ in lists.get(list_name, [])):
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
            row = _norm(raw)
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
            if self.depth == 0:
                self.in_group = False
                self.section = None
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
        self.depth += 1
        if self.depth > 1:
            self.result.gap(
                self.where("survey", n, "type"),
                GapCode.NESTED_GROUP,
                "a group inside a group: our sections do not nest (its questions join the "
                "outer section in a partial import)",
            )
            return
        name = row.get("name", "").strip()
        section_id = self._claim(name, n)
        title = self.text(row, "label")
        if title is None and self.source is not None:
            self.result.gap(
                self.where("survey", n, "label"),
                GapCode.NO_TEXT,
                "a group without a label",
                section_id,
            )
            title = section_id or "?"
        self.section = {"id": section_id or f"group_{n}", "title": title}
        self.translate(f"sections.{self.section['id']}.title", row, "label", title)
        intro = self.text(row, "hint")
        if intro:
            self.section["intro"] = intro
            self.translate(f"sections.{self.section['id']}.intro", row, "hint", intro)
        relevant = row.get("relevant", "").strip()
        if relevant:
            condition = self._condition(relevant, n, self.section["id"])
            if condition is not None:
                self.section["show_if"] = condition
        self._other_columns(
            n, row, self.section["id"], {"type", "name", "label", "hint", "relevant"}
        )
        self.section["items"] = []
        self.sections.append(self.section)
        self.in_group = True

    def note_row(self, n: int, row: Row) -> None:
        text = self.text(row, "label")
        if text is None:
            return
        target = self.section if self.in_group else None
        if target is not None and not target["items"] and "intro" not in target:
            target["intro"] = text
            self.translate(f"sections.{target['id']}.intro", row, "label", text)
        elif target is None and not self.sections:
            self.intro.append(text)
        else:
            self.result.gap(
                self.where("survey", n, "type"),
                GapCode.DISPLAY,
                "a note between questions has no place in our instruments (only a note "
                "opening a group becomes its introduction)",
            )

    def calculate_row(self, n: int, row: Row) -> None:
        """A ``calculate`` row as a derived value, when its calculation translates
        exactly; later ``relevant`` and calculations may then use it."""
        text = row.get("calculation", "").strip()
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
        self._other_columns(n, row, None, {"type", "name", "calculation", "label", "hint"})

    def _claim(self, name: str, n: int) -> str | None:
        ident = to_id(name) if name else None
        if ident is None:
            self.result.gap(
                self.where("survey", n, "name"), GapCode.BAD_ID, f"{name!r} cannot be an id"
            )
            return None
        if ident in self.ids:
            self.result.gap(
                self.where("survey", n, "name"),
                GapCode.BAD_ID,
                f"{name!r} becomes the id {ident!r}, already used on row {self.ids[ident]}",
            )
            return None
        self.ids[ident] = n
        return ident

    def _condition(self, text: str, n: int, owner: str | None) -> dict[str, Any] | None:
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
        if select is not None:
            multiple, list_name = select
            if list_name.endswith(" or_other") or "specify other" in list_name:
                self.result.gap(
                    where, GapCode.OPTION, "'or other' (a free-text choice) is not supported"
                )
                return
            if list_name not in lists:
                self.result.gap(
                    where, GapCode.CHOICE_LIST, f"no choice list {list_name!r} in the choices sheet"
                )
                return
            item["type"] = "multiple" if multiple else "single"
            options = [dict(o) for _, o, _ in lists[list_name]]
        elif kind in SIMPLE:
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
        ident = self._claim(row.get("name", "").strip(), n)
        if ident is None:
            return
        item = {"id": ident, **item}
        text = self.text(row, "label")
        if text is None and self.source is not None:
            self.result.gap(
                self.where("survey", n, "label"),
                GapCode.NO_TEXT,
                "a question without a label",
                ident,
            )
        item["text"] = text or ident  # unknown language: reported once, above
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
            for _, option, choice_row in lists[select[1]]:
                self.translate(
                    f"items.{ident}.options.{option['value']}.label",
                    choice_row,
                    "label",
                    option["label"],
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
        numeric = bool(options) and all(
            isinstance(o["value"], int | float) and not isinstance(o["value"], bool)
            for o in options or []
        )
        self.questions[name] = Question(ident, kind_of, values, numeric)
        self._place(item)

    def _place(self, item: dict[str, Any]) -> None:
        if self.section is None:
            number = len(self.sections) + 1
            self.section = {"id": f"part_{number}", "title": self.title, "items": []}
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
        text = row.get("constraint", "").strip()
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


def _code(name: str) -> str | None:
    """The BCP 47 code of ``French (fr)``, or of a bare code such as ``fr``."""
    match = _LANGUAGE.match(name)
    if match is not None:
        return bcp47(match["code"])
    return bcp47(name) if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]+)*", name) else None


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
        f"the language {name!r} has no code: write it as 'Name (code)', e.g. 'French (fr)' "
        "(or pass --language when the form has one language); a language is never guessed "
        "from its name"
    )


_PYXFORM_PLACE = re.compile(r"\[row : (\d+)\] On the '(\w+)' sheet, the '([^']+)' value")


def _pyxform_where(name: str, message: str) -> str:
    """pyxform says ``[row : 13] On the 'survey' sheet, the 'relevant' value ...``: keep
    our FILE:SHEET:ROW:COLUMN form when it does."""
    found = _PYXFORM_PLACE.search(message)
    return f"{name}:{found[2]}:{found[1]}:{found[3]}" if found else name


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
        pyxform_convert(xlsform=str(path), validate=False, warnings=[])
        data = get_xlsform(str(path))
    except (PyXFormError, OSError, ValueError, KeyError, TypeError) as exc:
        result.gap(
            _pyxform_where(path.name, str(exc)),
            GapCode.UNREADABLE,
            f"pyxform cannot read this form: {exc}",
        )
        return result
    settings = _norm((data.settings or [{}])[0])
    form = _Form(path, result, bcp47(language) if language else None, today or dt.date.today())
    form.read_languages(data, settings)
    form.title = (settings.get("form_title") or settings.get("title") or "").strip() or (
        settings.get("form_id") or instrument_id
    )
    lists = form.read_choices(list(data.choices or []))
    form.walk(list(data.survey or []), lists)
    code = form.languages.get(form.source) if form.source is not None else None
    doc = header(
        result,
        title=form.title,
        language=code or "und",
        version=(settings.get("version") or "").strip() or None,
        today=form.today,
    )
    if form.intro:
        doc["intro"] = "\n\n".join(form.intro)
    doc["sections"] = [s for s in form.sections if s["items"]]
    if form.derived:
        doc["derived"] = form.derived
    result.doc = doc
    return result
