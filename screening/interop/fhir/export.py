"""An instrument as an HL7 FHIR R4 ``Questionnaire`` (JSON).

Sections are ``group`` items; "why we ask" and help are ``display`` children with an
SDC item control (``help``, ``flyover``); show-if conditions are ``enableWhen`` where
FHIR says exactly the same, else an SDC ``enableWhenExpression``. What FHIR has no
element for (our item type where FHIR's is coarser, the exact condition, content
warnings, intro) travels in extensions under our canonical base, so our own import
reads it back; scores, flags and needs have no place in a Questionnaire and are listed
in ``notes``. Translations from the instrument's catalogs go in the standard
``translation`` extension of each text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.core.conditions import Condition
from screening.core.model import (
    Code,
    Derivation,
    Instrument,
    Item,
    Note,
    Option,
    Score,
    Section,
    Status,
)
from screening.interop.common import CANONICAL, EXT, fhir_id, read_translations
from screening.interop.fhir.calculated import derived_expression, score_expression
from screening.interop.fhir.conditions import enable_when, fhirpath, to_json
from screening.interop.fhir.items import answer_codes, coding, fhir_type

FHIR_EXT = "http://hl7.org/fhir/StructureDefinition"
SDC_EXT = "http://hl7.org/fhir/uv/sdc/StructureDefinition"
TRANSLATION = f"{FHIR_EXT}/translation"
ITEM_CONTROL = f"{FHIR_EXT}/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
ENABLE_WHEN_EXPRESSION = f"{SDC_EXT}/sdc-questionnaire-enableWhenExpression"
OPTION_EXCLUSIVE = f"{FHIR_EXT}/questionnaire-optionExclusive"
ORDINAL_VALUE = f"{FHIR_EXT}/ordinalValue"
MIN_VALUE = f"{FHIR_EXT}/minValue"
MAX_VALUE = f"{FHIR_EXT}/maxValue"
SLIDER_STEP = f"{FHIR_EXT}/questionnaire-sliderStepValue"
UNIT = f"{FHIR_EXT}/questionnaire-unit"
OUR_TYPE = f"{EXT}/item-type"
OUR_SHOW_IF = f"{EXT}/show-if"
OUR_CONTENT_WARNING = f"{EXT}/content-warning"
OUR_UNSKIPPABLE = f"{EXT}/unskippable-because"
OUR_INTRO = f"{EXT}/intro"
OUR_CONCEPT = f"{EXT}/concept"
OUR_DERIVE = f"{EXT}/derive"  # ask once: the item's value map, as JSON
OUR_OPTION_CODE = f"{EXT}/option-code"
OUR_STRING_VALUE = f"{EXT}/option-value-is-text"
OUR_SCALE_LABEL = f"{EXT}/scale-label"
OUR_NOTE_WHY = f"{EXT}/note-why"  # a note's why: a display item has no children
OUR_NOTE_DISPLAY = f"{EXT}/note-display"  # "above": shown above the next question
OUR_OPTION_VALUE = f"{EXT}/option-value"  # our value of an option coded in a standard system
OUR_RESULT = f"{EXT}/result"  # a calculated item that is our score or derived value
CALCULATED = f"{SDC_EXT}/sdc-questionnaire-calculatedExpression"

_STATUS = {Status.VALIDATED: "active"}  # everything else is a draft in FHIR's terms


@dataclass
class Export:
    resource: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def questionnaire(instrument: Instrument, locales: Path | None = None) -> Export:
    """The Questionnaire for ``instrument``; translations from ``locales`` when given."""
    builder = _Builder(instrument, read_translations(locales, instrument.id))
    return builder.build()


class _Builder:
    def __init__(
        self, instrument: Instrument, translations: Mapping[str, Mapping[str, tuple[str, str]]]
    ):
        self.ins = instrument
        self.translations = translations
        self.items = {i.id: i for i in instrument.iter_items()}
        self.notes: list[str] = []

    # --- texts and their translations --------------------------------------------------

    def _ctx(self, path: str) -> str:
        return f"{self.ins.id}:{path}"

    def text(self, out: dict[str, Any], key: str, value: str, *paths: str) -> None:
        """Set ``out[key] = value`` with a translation extension per catalog that has it
        for this very text (a translation of an older wording is not used)."""
        out[key] = value
        found = []
        for language in sorted(self.translations):
            table = self.translations[language]
            for path in paths:
                source, translated = table.get(self._ctx(path), ("", ""))
                if translated and source == value:
                    found.append(_translation(language, translated))
                    break
        if found:
            out[f"_{key}"] = {"extension": found}

    def _option_paths(self, item: Item, option: Option) -> list[str]:
        """Option labels come from the item's own options or from a named option set;
        the model keeps no set name, so a set's entry is found by its English msgid."""
        paths = [f"items.{item.id}.options.{option.value}.label"]
        suffix = f".{option.value}.label"
        for table in self.translations.values():
            paths.extend(
                ctx.removeprefix(f"{self.ins.id}:")
                for ctx in table
                if ctx.startswith(f"{self.ins.id}:option_sets.") and ctx.endswith(suffix)
            )
        return list(dict.fromkeys(paths))

    # --- the resource ------------------------------------------------------------------

    def build(self) -> Export:
        ins = self.ins
        resource: dict[str, Any] = {
            "resourceType": "Questionnaire",
            "id": fhir_id(ins.id),
            "url": f"{CANONICAL}/Questionnaire/{ins.id}",
            "version": ins.version,
            "name": _computable_name(ins.id),
            "language": ins.language,
        }
        self.text(resource, "title", ins.title, "title")
        resource["status"] = _STATUS.get(ins.codesign.status, "draft")
        resource["subjectType"] = ["Patient"]
        if ins.changelog:
            resource["date"] = max(date for _, date, _ in ins.changelog)
        if ins.description:
            self.text(resource, "description", ins.description, "description")
        resource["copyright"] = ins.licence or "Licence not stated"
        if ins.codes:
            resource["code"] = [_code(c) for c in ins.codes]
        extensions = []
        if ins.intro:
            extensions.append({"url": OUR_INTRO, "valueString": ins.intro})
        if extensions:
            resource["extension"] = extensions
        resource["item"] = [self.section(s) for s in ins.sections]
        calculated = self.calculated()
        if calculated:
            resource["item"].append(calculated)
        self._note_results()
        return Export(resource, self.notes)

    def calculated(self) -> dict[str, Any] | None:
        """Scores and derived values as read-only items with an SDC calculatedExpression,
        in one group after the sections; each marked with our extension, so our own
        import knows them for what they are and does not read them as questions."""
        ins = self.ins
        scores = {s.id: s for s in ins.scores}
        known = {d.id: d for d in ins.derived}
        children = []
        for score in ins.scores:
            expression = score_expression(score, self.items, scores)
            if expression is None:
                self.notes.append(
                    f"{ins.id}: {score.id}: this score has no FHIRPath form (a multiple-choice "
                    "or derived term, or items not shown counted as zero): not calculated"
                )
                continue
            label = score.label or score.id
            children.append(
                self._calculated(score.id, label, f"scores.{score.id}.label", expression, "score")
            )
        for value in ins.derived:
            expression = derived_expression(value, self.items, known)
            if expression is None:
                self.notes.append(
                    f"{ins.id}: {value.id}: this derived value has no exact FHIRPath form: "
                    "not calculated"
                )
                continue
            label = value.label or value.id
            children.append(
                self._calculated(
                    value.id, label, f"derived.{value.id}.label", expression, "derived", value.type
                )
            )
        if not children:
            return None
        group: dict[str, Any] = {"linkId": f"{ins.id}.results", "type": "group"}
        group["extension"] = [{"url": OUR_RESULT, "valueCode": "group"}]
        group["item"] = children
        return group

    def _calculated(
        self, link: str, label: str, path: str, expression: str, kind: str, value_type: str = ""
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"linkId": link}
        self.text(out, "text", label, path)
        whole = kind == "score" and _whole(self.ins.score(link), self.ins)
        types = {"text": "string", "date": "date"}
        out["type"] = "integer" if whole else types.get(value_type, "decimal")
        out["readOnly"] = True
        out["extension"] = [
            {"url": OUR_RESULT, "valueCode": kind},
            {
                "url": CALCULATED,
                "valueExpression": {"language": "text/fhirpath", "expression": expression},
            },
        ]
        return out

    def _note_results(self) -> None:
        ins = self.ins
        left = [
            f"{len(things)} {kind}"
            for kind, things in (
                ("flag(s)", ins.flags),
                ("need(s)", ins.needs),
                ("strength(s)", ins.strengths),
                ("education screen(s)", (ins.education,) if ins.education else ()),
            )
            if things
        ]
        if left:
            self.notes.append(
                f"{ins.id}: {', '.join(left)} not exported: a Questionnaire has no element "
                "that keeps their meaning (use `screening score` on the answers); scores "
                "and derived values go as calculated items where FHIRPath says the same"
            )

    def section(self, section: Section) -> dict[str, Any]:
        group: dict[str, Any] = {"linkId": section.id}
        self.text(group, "text", section.title, f"sections.{section.id}.title")
        group["type"] = "group"
        extensions = []
        if section.content_warning:
            extensions.append({"url": OUR_CONTENT_WARNING, "valueString": section.content_warning})
        if section.show_if is not None:
            extensions.extend(self._conditions(group, section.show_if, section.id))
        if extensions:
            group["extension"] = extensions
        children = []
        if section.intro:
            intro: dict[str, Any] = {"linkId": f"{section.id}.intro"}
            self.text(intro, "text", section.intro, f"sections.{section.id}.intro")
            intro["type"] = "display"
            children.append(intro)
        for item in section.items:
            children.extend(self.note(n) for n in section.notes_before(item.id))
            children.append(self.item(item))
        children.extend(self.note(n) for n in section.notes_before(None))
        group["item"] = children
        return group

    def note(self, note: Note) -> dict[str, Any]:
        """A note is a FHIR ``display`` item: text, no answer (a display has no children,
        so its why and how it is shown travel in our extensions)."""
        out: dict[str, Any] = {"linkId": note.id}
        self.text(out, "text", note.text, f"items.{note.id}.text")
        out["type"] = "display"
        extensions: list[dict[str, Any]] = [{"url": OUR_TYPE, "valueCode": "note"}]
        if note.why:
            extensions.append({"url": OUR_NOTE_WHY, "valueString": note.why})
        if note.display != "screen":
            extensions.append({"url": OUR_NOTE_DISPLAY, "valueCode": note.display})
        if note.show_if is not None:
            extensions.extend(self._conditions(out, note.show_if, note.id))
        out["extension"] = extensions
        return out

    def item(self, item: Item) -> dict[str, Any]:
        kind = fhir_type(item)
        out: dict[str, Any] = {"linkId": item.id}
        if item.codes:
            out["code"] = [_code(c) for c in item.codes]
        self.text(out, "text", item.text, f"items.{item.id}.text")
        out["type"] = kind
        extensions: list[dict[str, Any]] = [{"url": OUR_TYPE, "valueCode": item.type}]
        if item.show_if is not None:
            extensions.extend(self._conditions(out, item.show_if, item.id))
        if not item.skippable:
            out["required"] = True
            if item.unskippable_because:
                extensions.append({"url": OUR_UNSKIPPABLE, "valueString": item.unskippable_because})
        if item.type == "multiple":
            out["repeats"] = True
        if kind in ("string", "text"):
            out["maxLength"] = item.max_length
        extensions.extend(self._bounds(item, kind))
        if item.content_warning:
            extensions.append({"url": OUR_CONTENT_WARNING, "valueString": item.content_warning})
        if item.concept:
            extensions.append({"url": OUR_CONCEPT, "valueCode": item.concept})
        if item.derive is not None:
            extensions.append({"url": OUR_DERIVE, "valueString": derive_json(item.derive)})
        out["extension"] = extensions
        if kind == "choice":
            out["answerOption"] = [self.option(item, o) for o in item.options]
        children = [self._display(item, "why", item.why, "help")]
        if item.help:
            children.append(self._display(item, "help", item.help, "flyover"))
        for side, label in (("lower", item.min_label), ("upper", item.max_label)):
            if label:
                children.append(self._display(item, f"{side}", label, side))
        out["item"] = [c for c in children if c]
        if not out["item"]:
            del out["item"]
        return out

    def _display(self, item: Item, field_name: str, text: str, control: str) -> dict[str, Any]:
        if not text:
            return {}
        path = {"lower": "min_label", "upper": "max_label"}.get(field_name, field_name)
        child: dict[str, Any] = {
            "extension": [
                {
                    "url": ITEM_CONTROL,
                    "valueCodeableConcept": {
                        "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": control}]
                    },
                }
            ],
            "linkId": f"{item.id}.{field_name}",
        }
        self.text(child, "text", text, f"items.{item.id}.{path}")
        child["type"] = "display"
        return child

    def option(self, item: Item, option: Option) -> dict[str, Any]:
        value = coding(item, option.value)
        if item.type != "yes_no":
            labels: dict[str, Any] = {}
            self.text(labels, "display", value["display"], *self._option_paths(item, option))
            value.update(labels)
        extensions = []
        if option.numeric is not None:
            extensions.append({"url": ORDINAL_VALUE, "valueDecimal": option.numeric})
        standard = answer_codes(item) is not None
        if standard:  # coded in a standard system: our own value travels beside it
            kind = "valueInteger" if isinstance(option.value, int) else "valueString"
            extensions.append({"url": OUR_OPTION_VALUE, kind: option.value})
        elif isinstance(option.value, str) and option.value.lstrip("-").isdigit():
            extensions.append({"url": OUR_STRING_VALUE, "valueBoolean": True})
        more = option.codes[1:] if standard else option.codes  # the first is the coding
        extensions.extend({"url": OUR_OPTION_CODE, "valueCoding": _code(c)} for c in more)
        if extensions:
            value["extension"] = extensions
        out: dict[str, Any] = {"valueCoding": value}
        if option.exclusive:
            out["extension"] = [{"url": OPTION_EXCLUSIVE, "valueBoolean": True}]
        return out

    def _bounds(self, item: Item, kind: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if kind == "choice":
            return out
        name = {"integer": "valueInteger", "decimal": "valueDecimal", "date": "valueDate"}
        for url, bound in ((MIN_VALUE, item.min), (MAX_VALUE, item.max)):
            if bound is not None and kind in name:
                value = int(bound) if kind == "integer" and not isinstance(bound, str) else bound
                out.append({"url": url, name[kind]: value})
        if item.type == "scale":
            if item.step is not None:
                out.append({"url": SLIDER_STEP, "valueInteger": item.step})
            out.append(
                {
                    "url": ITEM_CONTROL,
                    "valueCodeableConcept": {
                        "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "slider"}]
                    },
                }
            )
        if item.unit:
            out.append({"url": UNIT, "valueCoding": {"display": item.unit}})
        return out

    def _conditions(
        self, out: dict[str, Any], condition: Condition, owner: str
    ) -> list[dict[str, Any]]:
        """Set enableWhen on ``out`` when exact; return the extensions to add."""
        extensions: list[dict[str, Any]] = [{"url": OUR_SHOW_IF, "valueString": to_json(condition)}]
        found = enable_when(condition, self.items)
        if found is not None:
            behaviour, atoms = found
            out["enableWhen"] = atoms
            if len(atoms) > 1:
                out["enableBehavior"] = behaviour
            return extensions
        expression = fhirpath(condition, self.items)
        if expression is None:
            self.notes.append(
                f"{self.ins.id}: {owner}: its show-if tests a skip or a 'prefer not to say', "
                "which a QuestionnaireResponse never holds: FHIR cannot express it (kept in "
                f"the {OUR_SHOW_IF} extension for our own import)"
            )
            return extensions
        extensions.append(
            {
                "url": ENABLE_WHEN_EXPRESSION,
                "valueExpression": {"language": "text/fhirpath", "expression": expression},
            }
        )
        return extensions


def _whole(score: Score | None, ins: Instrument) -> bool:
    """Whether a score can only be a whole number (then an integer item)."""
    if score is None:
        return False
    return all(
        float(t.weight).is_integer()
        and (
            (t.item is not None and _whole_item(ins.item(t.item)))
            or (t.score is not None and _whole(ins.score(t.score), ins))
        )
        for t in score.terms
    )


def _whole_item(item: Item | None) -> bool:
    if item is None:
        return False
    if item.type == "number":
        return item.integer
    return all(o.numeric is not None and float(o.numeric).is_integer() for o in item.options)


def _translation(language: str, text: str) -> dict[str, Any]:
    return {
        "url": TRANSLATION,
        "extension": [
            {"url": "lang", "valueCode": language},
            {"url": "content", "valueString": text},
        ],
    }


def _code(code: Code) -> dict[str, Any]:
    out = {"system": code.system, "code": code.code}
    if code.display:
        out["display"] = code.display
    return out


def _computable_name(instrument_id: str) -> str:
    """Questionnaire.name is a computable name (FHIR invariant que-0): ``pc-ptsd-5`` ->
    ``PcPtsd5``."""
    parts = re.split(r"[-_]", instrument_id)
    name = "".join(p[:1].upper() + p[1:] for p in parts if p)
    return name if name[:1].isalpha() else f"Q{name}"


def derive_json(derive: Derivation) -> str:
    """An item's ``derive`` map as the JSON our import reads back (one row per value)."""
    rows = [{"from": key, "to": target} for key, target in derive.pairs]
    return json.dumps({"from_concept": derive.from_concept, "map": rows})
