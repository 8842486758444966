"""Import a FHIR R4 ``Questionnaire`` (JSON) as an instrument, exactly or with every gap
named (``FILE:JSON-PATH: message``), never guessed.

Our own export's extensions (exact item type, exact show-if, content warnings) are read
back, so export -> import keeps items, options and conditions. From other sources:
``enableWhen`` translates where it means the same as ours (``!=`` does not: readers
disagree on unanswered questions), an ``enableWhenExpression`` does not (FHIRPath is
not parsed), nor do value sets, open choices, attachments, calculated or initial values.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from screening.interop.common import GapCode, to_id
from screening.interop.fhir.calculated_import import calculated, variables
from screening.interop.fhir.check import check_questionnaire
from screening.interop.fhir.export import (
    CALCULATED,
    ENABLE_WHEN_EXPRESSION,
    ITEM_CONTROL,
    MAX_VALUE,
    MIN_VALUE,
    OPTION_EXCLUSIVE,
    ORDINAL_VALUE,
    OUR_CONCEPT,
    OUR_CONTENT_WARNING,
    OUR_DERIVE,
    OUR_INTRO,
    OUR_OPTION_CODE,
    OUR_RESULT,
    OUR_SHOW_IF,
    OUR_STRING_VALUE,
    OUR_TYPE,
    OUR_UNSKIPPABLE,
    SLIDER_STEP,
    TRANSLATION,
    UNIT,
)
from screening.interop.forms import ID_PATTERN, VALUE_PATTERN, Imported, bcp47, header
from screening.interop.xlsform.importer import REQUIRED_BECAUSE

Raw = dict[str, Any]
_INT = re.compile(r"-?\d+")
_SIMPLE = {
    "decimal": "number",
    "integer": "number",
    "date": "date",
    "string": "text",
    "text": "text",
}
_OPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
_LOOKS = (ITEM_CONTROL, TRANSLATION, "http://hl7.org/fhir/StructureDefinition/rendering-")
_KNOWN = {
    OUR_TYPE, OUR_SHOW_IF, OUR_CONTENT_WARNING, OUR_UNSKIPPABLE, OUR_CONCEPT, MIN_VALUE,
    MAX_VALUE, SLIDER_STEP, UNIT, ENABLE_WHEN_EXPRESSION, OUR_DERIVE,
}  # fmt: skip


def _ext(element: Mapping[str, Any], url: str) -> Mapping[str, Any] | None:
    return next((e for e in element.get("extension", []) if e.get("url") == url), None)


def _control(element: Mapping[str, Any]) -> str | None:
    found = _ext(element, ITEM_CONTROL)
    if found is None:
        return None
    codes = found.get("valueCodeableConcept", {}).get("coding", [])
    return str(codes[0].get("code")) if codes else None


def _value(extension: Mapping[str, Any] | None) -> Any:
    if extension is None:
        return None
    return next((v for k, v in extension.items() if k.startswith("value")), None)


class _Reader:
    def __init__(self, name: str, result: Imported):
        self.name = name
        self.result = result
        self.ids: dict[str, str] = {}  # linkId -> our id
        self.items: dict[str, Raw] = {}  # our id -> the item built
        self.values: dict[str, list[object]] = {}  # our id -> its option values
        self.title = ""
        self.derived: list[Raw] = []  # calculated items that translated (SDC)
        self.variables: dict[str, str] = {}  # the Questionnaire's SDC variables
        self.top: set[str] = set()  # linkIds at the top level

    def translated(self, element: Mapping[str, Any], key: str, context: str) -> None:
        """Translations in the standard extension of ``element[key]`` go to the catalogs
        (msgctxt ``<instrument id>:<context>``, msgid the text itself)."""
        source = element.get(key)
        holder = element.get(f"_{key}")
        if not isinstance(source, str) or not isinstance(holder, Mapping):
            return
        for extension in holder.get("extension", []):
            if extension.get("url") != TRANSLATION:
                continue
            parts = {e.get("url"): e for e in extension.get("extension", [])}
            code = bcp47(str(parts.get("lang", {}).get("valueCode", "")))
            text = parts.get("content", {}).get("valueString")
            if code and isinstance(text, str) and text:
                self.result.catalogs.setdefault(code, []).append(
                    (f"{self.result.instrument_id}:{context}", source, text)
                )

    def where(self, path: str) -> str:
        return f"{self.name}:{path}"

    def gap(self, path: str, code: GapCode, message: str, owner: str | None = None) -> None:
        self.result.gap(self.where(path), code, message, owner)

    def claim(self, link: str, path: str) -> str | None:
        ident = link if ID_PATTERN.match(link) and "-" not in link else to_id(link)
        if ident is None or ident in self.ids.values():
            self.gap(
                f"{path}.linkId",
                GapCode.BAD_ID,
                f"{link!r} gives no usable id, or one already taken",
            )
            return None
        self.ids[link] = ident
        return ident

    # --- structure ------------------------------------------------------------------

    def sections(self, items: list[Raw]) -> list[Raw]:
        out: list[Raw] = []
        loose: Raw | None = None
        for n, raw in enumerate(items):
            path = f"item[{n}]"
            if _ext(raw, OUR_RESULT) is not None:
                continue  # our own export's scores and derived values: not questions
            if raw.get("type") == "group":
                loose = None
                section = self.section(raw, path)
                if section is not None:
                    out.append(section)
                continue
            if loose is None:
                loose = {"id": f"part_{len(out) + 1}", "title": self.title, "items": []}
                out.append(loose)
            if raw.get("type") == "display":
                self.display(loose, raw, path)
                continue
            item = self.item(raw, path)
            if item is not None:
                loose["items"].append(item)
        return [s for s in out if s["items"]]

    def section(self, raw: Raw, path: str) -> Raw | None:
        ident = self.claim(str(raw.get("linkId", "")), path)
        if ident is None:
            return None
        section: Raw = {"id": ident, "title": raw.get("text") or ""}
        self.translated(raw, "text", f"sections.{ident}.title")
        if not section["title"]:
            self.gap(
                f"{path}.text",
                GapCode.NO_TEXT,
                "a group without text (our sections have a title)",
                ident,
            )
            section["title"] = ident
        warning = _value(_ext(raw, OUR_CONTENT_WARNING))
        if warning:
            section["content_warning"] = warning
        condition = self.condition(raw, path, ident)
        if condition is not None:
            section["show_if"] = condition
        self.other(
            raw,
            path,
            ident,
            {
                "linkId",
                "text",
                "type",
                "item",
                "extension",
                "enableWhen",
                "enableBehavior",
                "_text",
            },
        )
        section["items"] = []
        for n, child in enumerate(raw.get("item", [])):
            cpath = f"{path}.item[{n}]"
            if child.get("type") == "group":
                self.gap(
                    cpath,
                    GapCode.NESTED_GROUP,
                    "a group inside a group: our sections do not nest",
                    ident,
                )
            elif child.get("type") == "display":
                self.display(section, child, cpath)
            else:
                item = self.item(child, cpath)
                if item is not None:
                    section["items"].append(item)
        return section

    def display(self, section: Raw, raw: Raw, path: str) -> None:
        text = raw.get("text")
        if text and not section["items"] and "intro" not in section:
            section["intro"] = text
            self.translated(raw, "text", f"sections.{section['id']}.intro")
        elif text:
            self.gap(
                path,
                GapCode.DISPLAY,
                "display text between questions has no place in our instruments",
            )

    # --- one question ---------------------------------------------------------------

    def item(self, raw: Raw, path: str) -> Raw | None:
        if _ext(raw, CALCULATED) is not None:
            calculated(self, raw, path)
            return None
        kind = raw.get("type")
        ours = _value(_ext(raw, OUR_TYPE))
        found = self.kind(raw, kind, ours, path)
        if found is None:
            return None
        ident = self.claim(str(raw.get("linkId", "")), path)
        if ident is None:
            return None
        item: Raw = {"id": ident, "type": found}
        if found == "number" and kind == "integer":
            item["integer"] = True
        text = raw.get("text")
        if not text:
            self.gap(f"{path}.text", GapCode.NO_TEXT, "a question without text", ident)
        item["text"] = text or ident
        self.translated(raw, "text", f"items.{ident}.text")
        self.children(item, raw, path)
        if raw.get("code"):
            item["codes"] = [
                {k: c[k] for k in ("system", "code", "display") if k in c} for c in raw["code"]
            ]
        if raw.get("required"):
            item["skippable"] = False
            item["unskippable_because"] = _value(_ext(raw, OUR_UNSKIPPABLE)) or REQUIRED_BECAUSE
        self.bounds(item, raw, kind)
        if found in ("single", "multiple", "scale", "yes_no") and kind == "choice":
            self.options(item, raw, path)
        self.values[ident] = [o["value"] for o in item.get("options", [])]
        if found == "yes_no":
            self.values[ident] = ["yes", "no"]
        if found == "yes_no" and kind == "choice":
            values = [o["value"] for o in item.pop("options", [])]
            self.values[ident] = values
            if values not in (["yes", "no"], ["yes", "no", "unsure"]):
                self.gap(
                    f"{path}.answerOption",
                    GapCode.OPTION,
                    "yes/no options other than yes, no, unsure",
                    ident,
                )
            elif len(values) == 3:
                item["unsure"] = True
        for key, url in (("content_warning", OUR_CONTENT_WARNING), ("concept", OUR_CONCEPT)):
            if _value(_ext(raw, url)):
                item[key] = _value(_ext(raw, url))
        derive = _value(_ext(raw, OUR_DERIVE))
        if isinstance(derive, str):  # our own export: the loader checks it like any YAML
            try:
                item["derive"] = json.loads(derive)
            except ValueError:
                self.gap(
                    f"{path}.extension",
                    GapCode.UNTRANSLATED,
                    "our derive extension does not hold a map",
                    ident,
                )
        condition = self.condition(raw, path, ident)
        if condition is not None:
            item["show_if"] = condition
        self.other(raw, path, ident, {
            "linkId", "text", "type", "item", "extension", "enableWhen", "enableBehavior",
            "required", "repeats", "answerOption", "code", "maxLength", "_text",
        })  # fmt: skip
        self.items[ident] = item
        return item

    def kind(self, raw: Raw, kind: object, ours: object, path: str) -> str | None:
        if kind == "boolean":
            return "yes_no"
        if kind == "choice":
            if "answerValueSet" in raw and not raw.get("answerOption"):
                self.gap(
                    f"{path}.answerValueSet",
                    GapCode.CHOICE_LIST,
                    "options from a value set are not fetched",
                )
                return None
            if ours in ("yes_no", "scale", "single", "multiple"):
                return str(ours)
            return "multiple" if raw.get("repeats") else "single"
        if raw.get("repeats"):
            self.gap(
                f"{path}.repeats",
                GapCode.REPEAT,
                f"a repeating {kind} question has no equivalent here",
            )
            return None
        if kind == "integer" and (ours == "scale" or _control(raw) == "slider"):
            return "scale"
        if isinstance(kind, str) and kind in _SIMPLE:
            return _SIMPLE[kind]
        self.gap(
            f"{path}.type",
            GapCode.UNSUPPORTED_TYPE,
            f"the item type {kind!r} has no equivalent here",
        )
        return None

    def children(self, item: Raw, raw: Raw, path: str) -> None:
        fields = {"help": "why", "flyover": "help", "lower": "min_label", "upper": "max_label"}
        for n, child in enumerate(raw.get("item", [])):
            control = _control(child)
            name = fields.get(control or "")
            if child.get("type") == "display" and name and child.get("text") and name not in item:
                item[name] = child["text"]
                self.translated(child, "text", f"items.{item['id']}.{name}")
            else:
                self.gap(
                    f"{path}.item[{n}]",
                    GapCode.NESTED_GROUP,
                    "items nested under a question are not supported",
                    item["id"],
                )

    def bounds(self, item: Raw, raw: Raw, kind: object) -> None:
        for key, url in (("min", MIN_VALUE), ("max", MAX_VALUE)):
            value = _value(_ext(raw, url))
            if value is not None:
                item[key] = value
        step = _value(_ext(raw, SLIDER_STEP))
        if item["type"] == "scale" and kind == "integer" and step is not None:
            item["step"] = step
        unit = _ext(raw, UNIT)
        if unit is not None and item["type"] == "number":
            item["unit"] = unit.get("valueCoding", {}).get("display") or unit.get(
                "valueCoding", {}
            ).get("code")
        if kind in ("string", "text") and "maxLength" in raw:
            item["max_length"] = raw["maxLength"]

    def options(self, item: Raw, raw: Raw, path: str) -> None:
        out: list[Raw] = []
        for n, answer in enumerate(raw.get("answerOption", [])):
            opath = f"{path}.answerOption[{n}]"
            option = self.option(answer, opath, item["id"])
            if option is not None and item["type"] != "yes_no":
                context = f"items.{item['id']}.options.{option['value']}.label"
                self.translated(answer.get("valueCoding", {}), "display", context)
            if option is not None:
                if any(
                    (type(o["value"]), o["value"]) == (type(option["value"]), option["value"])
                    for o in out
                ):
                    self.gap(
                        opath,
                        GapCode.DUPLICATE,
                        f"the value {option['value']!r} is listed twice",
                        item["id"],
                    )
                    continue
                out.append(option)
        item["options"] = out

    def option(self, answer: Raw, path: str, owner: str) -> Raw | None:
        if "valueCoding" in answer:
            coding = answer["valueCoding"]
            code = str(coding.get("code", ""))
            text_value = _value(_ext(coding, OUR_STRING_VALUE)) is True
            value: str | int = int(code) if _INT.fullmatch(code) and not text_value else code
            label = coding.get("display")
            ordinal = _value(_ext(coding, ORDINAL_VALUE))
        elif "valueString" in answer:
            label = answer["valueString"]
            value, ordinal = to_id(label) or "", None
        elif "valueInteger" in answer:
            value, label, ordinal = answer["valueInteger"], str(answer["valueInteger"]), None
        else:
            self.gap(
                path,
                GapCode.OPTION,
                "only coded, text and whole-number options are supported",
                owner,
            )
            return None
        if isinstance(value, str) and (not VALUE_PATTERN.match(value) or len(value) > 64):
            self.gap(path, GapCode.OPTION, f"the code {value!r} is not a value we can keep", owner)
            return None
        if not label:
            self.gap(path, GapCode.NO_TEXT, "an option without a display text", owner)
            return None
        option: Raw = {"value": value, "label": label}
        if ordinal is not None and not (isinstance(value, int) and ordinal == value):
            option["score"] = ordinal
        if _value(_ext(answer, OPTION_EXCLUSIVE)) is True:
            option["exclusive"] = True
        codes = [
            e["valueCoding"]
            for e in answer.get("valueCoding", {}).get("extension", [])
            if e.get("url") == OUR_OPTION_CODE
        ]
        coding = answer.get("valueCoding", {})
        if coding.get("system") and "screening.invalid" not in coding["system"]:
            codes.insert(0, coding)
        if codes:
            option["codes"] = [
                {k: c[k] for k in ("system", "code", "display") if k in c} for c in codes
            ]
        return option

    # --- conditions -----------------------------------------------------------------

    def condition(self, raw: Raw, path: str, owner: str) -> Raw | None:
        exact = _value(_ext(raw, OUR_SHOW_IF))
        if isinstance(exact, str):
            try:
                parsed = json.loads(exact)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                return parsed
            self.gap(
                f"{path}.extension",
                GapCode.CONDITION,
                "our show-if extension does not hold a condition",
                owner,
            )
            return None
        atoms = raw.get("enableWhen", [])
        if not atoms:
            if _ext(raw, ENABLE_WHEN_EXPRESSION) is not None:
                self.gap(
                    f"{path}.extension",
                    GapCode.CONDITION,
                    "an enableWhenExpression (FHIRPath) is not "
                    "translated: write the condition by hand",
                    owner,
                )
            return None
        tests = [self.atom(a, f"{path}.enableWhen[{n}]", owner) for n, a in enumerate(atoms)]
        if any(t is None for t in tests):
            return None
        if len(tests) == 1:
            return tests[0]
        return {"any" if raw.get("enableBehavior") == "any" else "all": tests}

    def atom(self, atom: Raw, path: str, owner: str) -> Raw | None:
        target = self.items.get(self.ids.get(str(atom.get("question")), ""))
        if target is None:
            self.gap(
                f"{path}.question",
                GapCode.CONDITION,
                f"{atom.get('question')!r} is not an earlier question that was imported",
                owner,
            )
            return None
        op = atom.get("operator")
        name = next((k for k in atom if k.startswith("answer")), "")
        value = atom.get(name)
        if op == "exists":
            return {"item": target["id"], "answered": bool(value)}
        if op == "!=":
            self.gap(
                f"{path}.operator",
                GapCode.CONDITION,
                "!= is not translated: FHIR readers disagree on "
                "whether it holds for an unanswered question",
                owner,
            )
            return None
        if name == "answerCoding" and isinstance(value, Mapping):
            code = str(value.get("code"))
            match = next((v for v in self.values[target["id"]] if str(v) == code), None)
            if match is None or op != "=":
                self.gap(
                    path, GapCode.CONDITION, f"{code!r} is not an option of {target['id']!r}", owner
                )
                return None
            return {
                "item": target["id"],
                "includes" if target["type"] == "multiple" else "equals": match,
            }
        if name == "answerBoolean" and op == "=" and target["type"] == "yes_no":
            return {"item": target["id"], "equals": "yes" if value else "no"}
        if name in ("answerInteger", "answerDecimal") and target["type"] in ("number", "scale"):
            return {"item": target["id"], _OPS.get(str(op), "equals"): value}
        if name in ("answerDate", "answerString") and op == "=":
            return {"item": target["id"], "equals": value}
        self.gap(
            path,
            GapCode.CONDITION,
            f"{op} with {name} on a {target['type']} question is not translated",
            owner,
        )
        return None

    def other(self, raw: Raw, path: str, owner: str, handled: set[str]) -> None:
        for key in raw:
            if key not in handled:
                self.gap(f"{path}.{key}", GapCode.UNTRANSLATED, f"{key} is not translated", owner)
        for n, extension in enumerate(raw.get("extension", [])):
            url = str(extension.get("url", ""))
            if url in _KNOWN or url.startswith(_LOOKS):
                continue
            self.gap(
                f"{path}.extension[{n}]",
                GapCode.UNTRANSLATED,
                f"the extension {url} is not translated",
                owner,
            )


def convert(
    path: Path, instrument_id: str, *, language: str | None = None, today: dt.date | None = None
) -> Imported:
    """Read the Questionnaire at ``path`` as instrument ``instrument_id``."""
    try:
        resource = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        result = Imported(instrument_id, path.name, "fhir")
        result.gap(path.name, GapCode.UNREADABLE, f"not a JSON file: {exc}")
        return result
    return from_resource(resource, path.name, instrument_id, language=language, today=today)


def from_resource(
    resource: object,
    name: str,
    instrument_id: str,
    *,
    language: str | None = None,
    today: dt.date | None = None,
) -> Imported:
    """The same as :func:`convert`, for a parsed JSON document named ``name``."""
    result = Imported(instrument_id, name, "fhir")
    if not ID_PATTERN.match(instrument_id):
        result.gap(name, GapCode.BAD_ID, f"{instrument_id!r} cannot be an instrument id")
        return result
    if not isinstance(resource, dict):
        result.gap(name, GapCode.UNREADABLE, "a Questionnaire is a JSON object")
        return result
    problems = check_questionnaire(resource)
    for problem in problems:
        result.gap(
            f"{name}:{problem.split(': ', 1)[0]}",
            GapCode.INVALID_SOURCE,
            problem.split(": ", 1)[-1],
        )
    if problems:
        return result
    reader = _Reader(name, result)
    code = bcp47(str(resource.get("language") or language or ""))
    if code is None:
        result.gap(
            f"{name}:language",
            GapCode.LANGUAGE,
            "the Questionnaire does not say its language (a BCP 47 code): pass --language",
        )
    reader.title = resource.get("title") or resource.get("name") or instrument_id
    doc = header(
        result,
        title=reader.title,
        language=code or "und",
        version=resource.get("version"),
        today=today or dt.date.today(),
    )
    licence = resource.get("copyright")
    if licence and licence != "Licence not stated":
        doc["licence"] = licence
    if resource.get("description"):
        doc["description"] = resource["description"]
    if _value(_ext(resource, OUR_INTRO)):
        doc["intro"] = _value(_ext(resource, OUR_INTRO))
    if resource.get("code"):
        doc["codes"] = [
            {k: c[k] for k in ("system", "code", "display") if k in c} for c in resource["code"]
        ]
    reader.variables = variables(resource)
    reader.top = {str(i.get("linkId")) for i in resource.get("item", []) if isinstance(i, dict)}
    doc["sections"] = reader.sections(resource.get("item", []))
    if reader.derived:
        doc["derived"] = reader.derived
    result.doc = doc
    return result
