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
    OUR_NOTE_DISPLAY,
    OUR_NOTE_WHY,
    OUR_OPTION_CODE,
    OUR_OPTION_VALUE,
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
from screening.load.check_context import loinc_ok

Raw = dict[str, Any]
LOINC = "http://loinc.org"
_INT = re.compile(r"-?\d+")
_SIMPLE = {
    "decimal": "number",
    "integer": "number",
    "date": "date",
    "string": "text",
    "text": "text",
}
_OPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
_LOOKS = (
    ITEM_CONTROL,
    TRANSLATION,
    "http://hl7.org/fhir/StructureDefinition/rendering-",
    "http://hl7.org/fhir/StructureDefinition/questionnaire-choiceOrientation",
    "http://hl7.org/fhir/StructureDefinition/questionnaire-displayCategory",
    "http://hl7.org/fhir/StructureDefinition/entryFormat",
    "http://hl7.org/fhir/StructureDefinition/questionnaire-supportLink",
)
HIDDEN = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden"
MIN_OCCURS = "http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs"
MAX_OCCURS = "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs"
_SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-"
# Extensions about filling a form in from records or writing records from it, and where
# to look value sets up: nothing a person is asked changes without them.
_NOTED = {
    f"{_SDC}observationLinkPeriod": "filled in from earlier observations: left out",
    f"{_SDC}observationExtract": "written to a FHIR server as an observation: left out",
    f"{_SDC}initialExpression": "an initial answer computed from records: the question is asked "
    "without one",
    "http://hl7.org/fhir/StructureDefinition/questionnaire-initialExpression": "an initial "
    "answer computed from records: the question is asked without one",
    f"{_SDC}preferredTerminologyServer": "where to look value sets up: left out",
    "http://hl7.org/fhir/StructureDefinition/terminology-server": "where to look value sets "
    "up: left out",
}
# Options on these item types (que-5 allows them) make a choice of those values.
_OPTION_KINDS = frozenset({"integer", "date", "string", "decimal", "time", "dateTime"})
# Value sets that FHIR R4 itself publishes, with the codes its expansion lists (so a form
# that names one imports its options exactly, without fetching anything).
_V2_0136 = "http://terminology.hl7.org/CodeSystem/v2-0136"
PUBLISHED_VALUESETS: dict[str, list[Raw]] = {
    "http://hl7.org/fhir/ValueSet/yesnodontknow": [
        {"system": _V2_0136, "code": "Y", "display": "Yes"},
        {"system": _V2_0136, "code": "N", "display": "No"},
        {
            "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
            "code": "asked-unknown",
            "display": "Don't know",
        },
    ],
}
_KNOWN = {
    OUR_TYPE, OUR_SHOW_IF, OUR_CONTENT_WARNING, OUR_UNSKIPPABLE, OUR_CONCEPT, MIN_VALUE,
    MAX_VALUE, SLIDER_STEP, UNIT, ENABLE_WHEN_EXPRESSION, OUR_DERIVE,
    "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden",
    "http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs",
    "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs",
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
        self.coded: dict[str, dict[str, object]] = {}  # our id -> standard code -> value
        self.title = ""
        self.valuesets: dict[str, list[Raw]] = {}  # "#id" or url -> its codings
        self.follow_ups: dict[str, list[Raw]] = {}  # item id -> items asked after it
        self.unsystematic: set[str] = set()  # items whose codings have no system (noted)
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
        """Top-level groups are sections; a group inside a group is a section of its own
        (ours do not nest), titled with both titles and shown when both groups are; the
        outer group's later items go on in one more section."""
        out: list[Raw] = []
        self.place(items, "item", None, out)
        return [s for s in out if s["items"]]

    def place(self, items: list[Raw], prefix: str, group: Raw | None, out: list[Raw]) -> None:
        current: Raw | None = None
        parts = 0
        for n, raw in enumerate(items):
            path = f"{prefix}[{n}]"
            if _ext(raw, OUR_RESULT) is not None:
                continue  # our own export's scores and derived values: not questions
            if raw.get("type") == "group":
                current = None
                inner = self.section(raw, path, group)
                if inner is not None:
                    self.place(raw.get("item", []), f"{path}.item", inner, out)
                continue
            if current is None:
                parts += 1
                current = self.open_section(group, parts, len(out))
                out.append(current)
            if raw.get("type") == "display":
                self.display(current, raw, path)
                continue
            item = self.item(raw, path)
            if item is not None:
                current["items"].append(item)
                current["items"].extend(self.follow_ups.pop(item["id"], []))

    def open_section(self, group: Raw | None, part: int, count: int) -> Raw:
        if group is None:
            return {"id": f"part_{count + 1}", "title": self.title, "items": []}
        ident = group["id"] if part == 1 else f"{group['id']}_{part}"
        while part > 1 and ident in self.ids.values():
            part += 1
            ident = f"{group['id']}_{part}"
        if part > 1:
            self.ids[f"#section:{ident}"] = ident
        section: Raw = {"id": ident, "title": group["title"]}
        for key in ("intro", "content_warning"):
            if key in group and part == 1:
                section[key] = group[key]
        conditions = group["conditions"]
        if len(conditions) == 1:
            section["show_if"] = conditions[0]
        elif conditions:
            section["show_if"] = {"all": list(conditions)}
        section["items"] = []
        return section

    def section(self, raw: Raw, path: str, outer: Raw | None) -> Raw | None:
        """What a group gives its sections: id, title, conditions (the outer ones too)."""
        if _value(_ext(raw, HIDDEN)) is True:
            self.result.note(self.where(path), "a hidden group: left out")
            return None
        ident = self.claim(str(raw.get("linkId", "")), path)
        if ident is None:
            return None
        text = raw.get("text") or ""
        if text:
            self.translated(raw, "text", f"sections.{ident}.title")
        else:
            self.result.note(
                self.where(f"{path}.text"),
                "a group without text: its section takes the form's title",
                ident,
            )
        title = (
            f"{outer['title']}: {text}"
            if outer and text
            else text or (outer["title"] if outer else self.title)
        )
        group: Raw = {"id": ident, "title": title}
        warning = _value(_ext(raw, OUR_CONTENT_WARNING))
        if warning:
            group["content_warning"] = warning
        condition = self.condition(raw, path, ident)
        group["conditions"] = [
            *(outer["conditions"] if outer else []),
            *([condition] if condition is not None else []),
        ]
        if raw.get("repeats"):
            self.gap(
                f"{path}.repeats",
                GapCode.REPEAT,
                "a repeating group is asked once here: its questions are left out",
                ident,
            )
            return None
        self.occurs(raw, path, ident)
        if raw.get("code"):
            self.result.note(
                self.where(f"{path}.code"), "a group's codes: our sections hold none", ident
            )
        if raw.get("required"):
            self.result.note(
                self.where(f"{path}.required"),
                "a required group: each of its questions says whether it is required",
                ident,
            )
        self.other(
            raw,
            path,
            ident,
            {
                "linkId", "text", "type", "item", "extension", "enableWhen", "enableBehavior",
                "_text", "required", "repeats", "prefix", "_prefix", "code",
            },
        )  # fmt: skip
        return group

    def occurs(self, raw: Raw, path: str, owner: str) -> None:
        for url, name in ((MIN_OCCURS, "minOccurs"), (MAX_OCCURS, "maxOccurs")):
            if _ext(raw, url) is not None:
                self.result.note(
                    self.where(f"{path}.extension"),
                    f"{name} counts repeats, and nothing repeats here: left out",
                    owner,
                )

    def display(self, section: Raw, raw: Raw, path: str) -> None:
        """A ``display`` item: the section's intro when it opens a section (and is not
        one of our notes), else a note between questions, shown as its own screen."""
        text = raw.get("text")
        ours = _value(_ext(raw, OUR_TYPE)) == "note"
        if text and not ours and not section["items"] and "intro" not in section:
            section["intro"] = text
            self.translated(raw, "text", f"sections.{section['id']}.intro")
            return
        if not text:
            self.gap(f"{path}.text", GapCode.NO_TEXT, "a display item without text")
            return
        ident = self.claim(str(raw.get("linkId", "")), path)
        if ident is None:
            return
        note: Raw = {"id": ident, "type": "note", "text": text}
        self.translated(raw, "text", f"items.{ident}.text")
        why = _value(_ext(raw, OUR_NOTE_WHY))
        if isinstance(why, str) and why:
            note["why"] = why
        if _value(_ext(raw, OUR_NOTE_DISPLAY)) == "above":
            note["display"] = "above"
        condition = self.condition(raw, path, ident)
        if condition is not None:
            note["show_if"] = condition
        section["items"].append(note)

    # --- one question ---------------------------------------------------------------

    def item(self, raw: Raw, path: str) -> Raw | None:
        if _ext(raw, CALCULATED) is not None:
            calculated(self, raw, path)
            return None
        kind = raw.get("type")
        if raw.get("readOnly") or _value(_ext(raw, HIDDEN)) is True:
            what = "read-only item (shown, not asked)" if raw.get("readOnly") else "hidden item"
            self.result.note(self.where(path), f"a {what}: left out")
            return None
        ours = _value(_ext(raw, OUR_TYPE))
        found = self.kind(raw, kind, ours, path)
        if found is None:
            return None
        text = raw.get("text")
        if not text:  # never its linkId instead: a missing text is a gap
            self.gap(f"{path}.text", GapCode.NO_TEXT, "a question without text: left out")
            return None
        ident = self.claim(str(raw.get("linkId", "")), path)
        if ident is None:
            return None
        item: Raw = {"id": ident, "type": found}
        if found == "number" and kind == "integer":
            item["integer"] = True
        item["text"] = text
        self.translated(raw, "text", f"items.{ident}.text")
        nested = self.children(item, raw, path)
        codes = self.codes(raw.get("code", []), f"{path}.code", ident)
        if codes:
            item["codes"] = codes
        if "initial" in raw:
            self.result.note(
                self.where(f"{path}.initial"),
                "an initial answer is not kept: the question is asked without one",
                ident,
            )
        self.occurs(raw, path, ident)
        if raw.get("required"):
            item["skippable"] = False
            item["unskippable_because"] = _value(_ext(raw, OUR_UNSKIPPABLE)) or REQUIRED_BECAUSE
        self.bounds(item, raw, kind)
        listed = "answerOption" in raw or "answerValueSet" in raw
        if found in ("single", "multiple", "scale", "yes_no") and (
            kind in ("choice", "open-choice") or (kind in _OPTION_KINDS and listed)
        ):
            self.options(item, raw, path)
            if not item["options"] and found in ("single", "multiple"):
                self.gap(
                    f"{path}.answerOption",
                    GapCode.CHOICE_LIST,
                    "a choice question without options we can read (an external list?): left out",
                )
                return None
        if kind == "open-choice" and item.get("options"):
            self.open_choice(item, path)
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
            "required", "repeats", "answerOption", "code", "maxLength", "_text", "initial",
            "answerValueSet", "prefix", "_prefix",
        })  # fmt: skip
        self.items[ident] = item
        if nested:
            self.result.note(
                self.where(f"{path}.item"),
                "items nested under this question: asked right after it, once it is answered",
                ident,
            )
            shown: Raw = {"item": ident, "answered": True}
            self.follow_ups.setdefault(ident, []).extend(self.nested(item, nested, shown))
        return item

    def kind(self, raw: Raw, kind: object, ours: object, path: str) -> str | None:
        if kind == "boolean":
            return "yes_no"
        listed = "answerOption" in raw or "answerValueSet" in raw
        if kind in ("choice", "open-choice") or (kind in _OPTION_KINDS and listed):
            if (
                "answerValueSet" in raw
                and not raw.get("answerOption")
                and str(raw["answerValueSet"]) not in self.valuesets
            ):
                self.gap(
                    f"{path}.answerValueSet",
                    GapCode.CHOICE_LIST,
                    f"the value set {raw['answerValueSet']!r} is neither contained in the "
                    "Questionnaire nor listed inline: its options are not fetched",
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

    def children(self, item: Raw, raw: Raw, path: str) -> list[tuple[Raw, str]]:
        """Help texts under a question go on the item; what else is nested under it is
        returned (item, path), to be asked after it (:meth:`nested`)."""
        fields = {"help": "why", "flyover": "help", "lower": "min_label", "upper": "max_label"}
        rest: list[tuple[Raw, str]] = []
        for n, child in enumerate(raw.get("item", [])):
            control = _control(child)
            name = fields.get(control or "")
            if child.get("type") == "display" and name and child.get("text") and name not in item:
                item[name] = child["text"]
                self.translated(child, "text", f"items.{item['id']}.{name}")
            elif raw.get("repeats"):
                self.gap(
                    f"{path}.item[{n}]",
                    GapCode.NESTED_GROUP,
                    "items nested under a repeating question are asked once for each of "
                    "its answers: not supported",
                    item["id"],
                )
            else:
                rest.append((child, f"{path}.item[{n}]"))
        return rest

    def nested(self, parent: Raw, children: list[tuple[Raw, str]], shown: Raw) -> list[Raw]:
        """Items nested under a question that does not repeat: asked right after it, and
        only once it is answered (``shown``), as a QuestionnaireResponse holds them only
        under an answer of it. A group there gives its questions the same way, its text
        shown above them as a note."""
        out: list[Raw] = []
        for child, path in children:
            kind = child.get("type")
            if kind not in ("group", "display"):
                item = self.item(child, path)
                if item is None:
                    continue
                own = item.pop("show_if", None)
                item["show_if"] = shown if own is None else {"all": [shown, own]}
                out.append(item)
                out.extend(self.follow_ups.pop(item["id"], []))
                continue
            if kind == "group" and child.get("repeats"):
                self.gap(
                    f"{path}.repeats",
                    GapCode.REPEAT,
                    "a repeating group is asked once here: its questions are left out",
                    parent["id"],
                )
                continue
            own = self.condition(child, path, parent["id"])
            condition = shown if own is None else {"all": [shown, own]}
            text = child.get("text")
            if kind == "group":
                grouped = [(c, f"{path}.item[{n}]") for n, c in enumerate(child.get("item", []))]
                inner = self.nested(parent, grouped, condition)
                if text and any(i.get("type") != "note" for i in inner):
                    ident = self.claim(str(child.get("linkId", "")), path)
                    if ident is not None:
                        self.translated(child, "text", f"items.{ident}.text")
                        title = {"id": ident, "type": "note", "text": text}
                        out.append({**title, "display": "above", "show_if": condition})
                out.extend(inner)
                continue
            if not text:
                self.gap(f"{path}.text", GapCode.NO_TEXT, "a display item without text")
                continue
            ident = self.claim(str(child.get("linkId", "")), path)
            if ident is not None:
                self.translated(child, "text", f"items.{ident}.text")
                out.append({"id": ident, "type": "note", "text": text, "show_if": condition})
        return out

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
        answers = raw.get("answerOption")
        where = "answerOption"
        if not answers and "answerValueSet" in raw:
            answers = [{"valueCoding": c} for c in self.valuesets[str(raw["answerValueSet"])]]
            where = "answerValueSet"
        for n, answer in enumerate(answers or []):
            opath = f"{path}.{where}" + (f"[{n}]" if where == "answerOption" else "")
            option = self.option(answer, opath, item["id"])
            if option is not None and item["type"] != "yes_no":
                context = f"items.{item['id']}.options.{option['value']}.label"
                self.translated(answer.get("valueCoding", {}), "display", context)
                self.translated(answer, "valueString", context)  # its _valueString
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
            ours = _value(_ext(coding, OUR_OPTION_VALUE))  # a standard code: our value
            if isinstance(ours, str | int) and not isinstance(ours, bool):
                value = ours
                self.coded.setdefault(owner, {})[code] = ours
            label = coding.get("display")
            ordinal = _value(_ext(coding, ORDINAL_VALUE))
        elif "valueString" in answer:
            label = answer["valueString"]
            value, ordinal = to_id(label) or "", None
        elif "valueInteger" in answer:
            value, label, ordinal = answer["valueInteger"], str(answer["valueInteger"]), None
        elif "valueDate" in answer:
            value, label, ordinal = str(answer["valueDate"]), str(answer["valueDate"]), None
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
            if _ext(coding, OUR_OPTION_VALUE) is not None:  # ours: its display is our label
                coding = {k: coding[k] for k in ("system", "code") if k in coding}
            codes.insert(0, coding)
        elif coding and not coding.get("system") and owner not in self.unsystematic:
            self.unsystematic.add(owner)  # one note an item is enough
            self.result.note(
                self.where(path),
                "codings without a system: each kept as its option's value only",
                owner,
            )
        if codes:
            option["codes"] = [
                {k: c[k] for k in ("system", "code", "display") if k in c} for c in codes
            ]
        return option

    def open_choice(self, item: Raw, path: str) -> None:
        """An open choice: its options, 'Other', and a text asked when 'Other' is chosen
        (what XLSForm's ``or_other`` writes)."""
        if any(o["value"] == "other" for o in item["options"]):
            self.gap(path, GapCode.DUPLICATE, "an open choice with an option 'other' already")
            return
        ident = to_id(f"{item['id']}_other")
        if ident is None or ident in self.ids.values():
            self.gap(path, GapCode.BAD_ID, f"the id {ident!r} for its free text is taken")
            return
        self.ids[f"#other:{ident}"] = ident
        item["options"].append({"value": "other", "label": "Other"})
        chosen = "includes" if item["type"] == "multiple" else "equals"
        self.follow_ups.setdefault(item["id"], []).insert(
            0,
            {
                "id": ident,
                "type": "text",
                "text": "Specify other.",
                "show_if": {"item": item["id"], chosen: "other"},
            },
        )
        self.result.note(
            self.where(path),
            "an open choice: its options, 'Other', and a text asked when 'Other' is chosen",
            item["id"],
        )

    def codes(self, codings: list[Raw], path: str, owner: str | None) -> list[Raw]:
        """Codings with a system; one without is no code anyone can look up (noted)."""
        out: list[Raw] = []
        for n, coding in enumerate(codings):
            if coding.get("system") == LOINC and not loinc_ok(str(coding.get("code", ""))):
                self.result.note(
                    self.where(f"{path}[{n}]"),
                    f"{coding.get('code')!r} is no LOINC code (its check digit is wrong): left out",
                    owner,
                )
            elif coding.get("system") and coding.get("code"):
                out.append({k: coding[k] for k in ("system", "code", "display") if k in coding})
            else:
                self.result.note(
                    self.where(f"{path}[{n}]"),
                    f"the code {coding.get('code')!r} has no system: left out",
                    owner,
                )
        return out

    def read_valuesets(self, resource: Raw) -> None:
        """Value sets the Questionnaire holds itself (``contained``, ``#id``) with their
        codes listed (compose.include.concept or expansion.contains), and those R4
        publishes (:data:`PUBLISHED_VALUESETS`) unless the Questionnaire holds its own."""
        self.valuesets.update({url: list(codes) for url, codes in PUBLISHED_VALUESETS.items()})
        for contained in resource.get("contained", []):
            if not isinstance(contained, dict) or contained.get("resourceType") != "ValueSet":
                continue
            codings: list[Raw] = []
            for include in contained.get("compose", {}).get("include", []):
                if include.get("filter") or include.get("valueSet"):
                    codings = []
                    break
                for concept in include.get("concept", []):
                    coding = {"code": concept.get("code"), "display": concept.get("display")}
                    if include.get("system"):
                        coding["system"] = include["system"]
                    codings.append({k: v for k, v in coding.items() if v})
            if not codings:
                codings = [
                    {k: c[k] for k in ("system", "code", "display") if c.get(k)}
                    for c in contained.get("expansion", {}).get("contains", [])
                ]
            if codings:
                if contained.get("id"):
                    self.valuesets[f"#{contained['id']}"] = codings
                if contained.get("url"):
                    self.valuesets[str(contained["url"])] = codings

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
            match = self.coded.get(target["id"], {}).get(code)
            if match is None:
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
            if url in _NOTED:
                self.result.note(self.where(f"{path}.extension[{n}]"), _NOTED[url], owner)
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
    advice: list[str] = []
    problems = check_questionnaire(resource, warnings=advice)
    for problem in advice:  # what R4 marks as a warning refuses nothing
        result.note(f"{name}:{problem.split(': ', 1)[0]}", problem.split(": ", 1)[-1])
    for problem in problems:
        result.gap(
            f"{name}:{problem.split(': ', 1)[0]}",
            GapCode.INVALID_SOURCE,
            problem.split(": ", 1)[-1],
        )
    if problems:
        return result
    reader = _Reader(name, result)
    given = resource.get("language") or language
    code = bcp47(str(given)) if given else "und"
    if code is None:
        result.gap(
            f"{name}:language",
            GapCode.LANGUAGE,
            f"{given!r} is not a known BCP 47 language code: pass --language",
        )
    elif not given:
        result.note(
            f"{name}:language",
            "the Questionnaire does not say its language: written as 'und' (undetermined); "
            "set language in the instrument, or pass --language",
        )
    reader.read_valuesets(resource)
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
    codes = reader.codes(resource.get("code", []), "code", None)
    if codes:
        doc["codes"] = codes
    reader.variables = variables(resource)
    reader.top = {str(i.get("linkId")) for i in resource.get("item", []) if isinstance(i, dict)}
    doc["sections"] = reader.sections(resource.get("item", []))
    if reader.derived:
        doc["derived"] = reader.derived
    result.doc = doc
    return result
