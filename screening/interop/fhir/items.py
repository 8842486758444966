"""How one of our items is typed in FHIR R4, and how a value of it is written there."""

from __future__ import annotations

from typing import Any

from screening.core.model import Code, Item, OptionValue
from screening.interop.common import CANONICAL

BOOLEAN_VALUES = {"yes": True, "no": False}
YES_NO_LABELS = {"yes": "Yes", "no": "No", "unsure": "Not sure"}
LONG_TEXT = 250  # longer allowed answers are FHIR `text` (multi-line), shorter `string`


def fhir_type(item: Item) -> str:
    if item.type == "yes_no":
        return "boolean" if item.values == ("yes", "no") else "choice"
    if item.type == "scale":
        return "choice" if item.options else "integer"
    if item.type == "number":
        return "integer" if item.integer else "decimal"
    if item.type == "date":
        return "date"
    if item.type == "text":
        return "text" if item.max_length > LONG_TEXT else "string"
    return "choice"  # single, multiple


def option_system(instrument_id: str, item_id: str) -> str:
    """The code system of one item's option values: values are unique per item only."""
    return f"{CANONICAL}/CodeSystem/{instrument_id}/{item_id}"


def option_label(item: Item, value: OptionValue) -> str:
    option = item.option(value)
    if option is not None and option.label:
        return option.label
    return YES_NO_LABELS.get(str(value), str(value))


def answer_codes(item: Item) -> dict[tuple[type, OptionValue], Code] | None:
    """The standard answer code of each option (LOINC ``LA…`` codes, say) when the
    instrument declares one for every option of the item: the first code each option
    lists. None when any option has none: then every option is coded in our own
    (``.invalid``) system, so one answer list never mixes systems."""
    if not item.options or any(not o.codes for o in item.options):
        return None
    return {(type(o.value), o.value): o.codes[0] for o in item.options}


def coding(item: Item, value: OptionValue) -> dict[str, Any]:
    declared = answer_codes(item)
    code = None if declared is None else declared.get((type(value), value))
    if code is not None:
        return {"system": code.system, "code": code.code, "display": option_label(item, value)}
    return {
        "system": option_system(item.instrument_id, item.id),
        "code": str(value),
        "display": option_label(item, value),
    }


def answer_value(item: Item, value: object) -> tuple[str, Any] | None:
    """(``value[x]`` name, value) of one value of ``item`` in FHIR terms; None when the
    value does not fit the item's FHIR type (never guessed)."""
    kind = fhir_type(item)
    if kind == "boolean":
        if isinstance(value, str) and value in BOOLEAN_VALUES:
            return "valueBoolean", BOOLEAN_VALUES[value]
        return None
    if kind == "choice":
        if isinstance(value, bool) or not isinstance(value, str | int):
            return None
        if item.option(value) is None:
            return None
        return "valueCoding", coding(item, value)
    if isinstance(value, bool):
        return None
    if kind == "integer":
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return "valueInteger", int(value)
        return None
    if kind == "decimal":
        return ("valueDecimal", value) if isinstance(value, int | float) else None
    if kind == "date":
        return ("valueDate", value) if isinstance(value, str) else None
    return ("valueString", value) if isinstance(value, str) else None
