"""Check our FHIR resources: the ``fhir.resources`` R4B models (the same elements as R4
for Questionnaire and QuestionnaireResponse), then R4's required code sets and the
invariants those models do not enforce (que-0 .. que-12, qrs-1/2, answer types).

Every function returns a list of problems as ``path: message``; empty means valid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import ValidationError

QUESTIONNAIRE_STATUS = frozenset({"draft", "active", "retired", "unknown"})
RESPONSE_STATUS = frozenset({"in-progress", "completed", "amended", "entered-in-error", "stopped"})
ITEM_TYPES = frozenset(
    {
        "group",
        "display",
        "boolean",
        "decimal",
        "integer",
        "date",
        "dateTime",
        "time",
        "string",
        "text",
        "url",
        "choice",
        "open-choice",
        "attachment",
        "reference",
        "quantity",
    }
)
OPERATORS = frozenset({"exists", "=", "!=", ">", "<", ">=", "<="})
BEHAVIOURS = frozenset({"all", "any"})
_MAX_LENGTH_TYPES = frozenset({"boolean", "decimal", "integer", "string", "text", "url"})
_ANSWER_OF = {
    "boolean": {"valueBoolean"},
    "decimal": {"valueDecimal"},
    "integer": {"valueInteger"},
    "date": {"valueDate"},
    "dateTime": {"valueDateTime"},
    "time": {"valueTime"},
    "string": {"valueString"},
    "text": {"valueString"},
    "url": {"valueUri"},
    "choice": {"valueCoding", "valueString", "valueInteger", "valueDate", "valueTime"},
    "open-choice": {"valueCoding", "valueString", "valueInteger", "valueDate", "valueTime"},
    "attachment": {"valueAttachment"},
    "reference": {"valueReference"},
    "quantity": {"valueQuantity"},
}
# que-5 as R4 states it: options (answerOption, answerValueSet) on these item types only.
_OPTION_TYPES = frozenset(
    {"choice", "open-choice", "decimal", "integer", "date", "dateTime", "time", "string",
     "quantity"}
)  # fmt: skip
_NAME = re.compile(r"[A-Z][A-Za-z0-9_]{0,254}")
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"


def _model_problems(resource: Mapping[str, Any], kind: str) -> list[str]:
    # The FHIR models (pydantic, hundreds of classes) load only when a resource is checked.
    from fhir.resources.R4B.questionnaire import Questionnaire
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    model = Questionnaire if kind == "Questionnaire" else QuestionnaireResponse
    if resource.get("resourceType") != kind:
        return [f"resourceType: expected {kind!r}, got {resource.get('resourceType')!r}"]
    try:
        model.model_validate(dict(resource))
    except ValidationError as exc:
        return [
            f"{'.'.join(str(p) for p in error['loc']) or '(resource)'}: {error['msg']}"
            for error in exc.errors()
        ]
    return []


def check_questionnaire(
    resource: Mapping[str, Any], *, warnings: list[str] | None = None
) -> list[str]:
    """Problems of a Questionnaire as R4 sees it. The invariants R4 marks as warnings
    (que-0: ``name`` is a computable name) go to ``warnings`` when it is given (an
    import notes them), else they are problems too (our own export has none)."""
    problems = _model_problems(resource, "Questionnaire")
    if problems:
        return problems
    out: list[str] = []
    advice = out if warnings is None else warnings
    if resource.get("status") not in QUESTIONNAIRE_STATUS:
        out.append(
            f"status: {resource.get('status')!r} is not one of {sorted(QUESTIONNAIRE_STATUS)}"
        )
    name = resource.get("name")
    if name is not None and not _NAME.fullmatch(name):
        advice.append(f"name: {name!r} is not a computable name (que-0)")
    out.extend(_translations(resource, "(resource)"))
    link_ids: dict[str, Mapping[str, Any]] = {}
    for path, item in _walk(resource.get("item", []), "item"):
        link = str(item.get("linkId"))
        if link in link_ids:
            out.append(f"{path}.linkId: {link!r} is used twice (que-2)")
        link_ids[link] = item
    for path, item in _walk(resource.get("item", []), "item"):
        out.extend(_item(path, item, link_ids))
    return out


def _walk(items: list[Mapping[str, Any]], prefix: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for n, item in enumerate(items):
        path = f"{prefix}[{n}]"
        yield path, item
        yield from _walk(item.get("item", []), f"{path}.item")
        for a, answer in enumerate(item.get("answer", [])):
            yield from _walk(answer.get("item", []), f"{path}.answer[{a}].item")


def _item(path: str, item: Mapping[str, Any], link_ids: Mapping[str, Any]) -> Iterator[str]:
    kind = item.get("type")
    if kind not in ITEM_TYPES:
        yield f"{path}.type: {kind!r} is not an R4 item type"
        return
    children = item.get("item", [])
    if kind == "group" and not children:
        yield f"{path}: a group has nested items (que-1)"
    if kind == "display" and children:
        yield f"{path}: a display item has no nested items (que-1)"
    if kind == "display" and (item.get("required") or item.get("repeats")):
        yield f"{path}: required and repeats are not for display items (que-6)"
    for key in ("answerOption", "answerValueSet"):
        if key in item and kind not in _OPTION_TYPES:
            yield f"{path}.{key}: {kind} items have no options (que-5)"
    if "answerOption" in item and "answerValueSet" in item:
        yield f"{path}: answerOption and answerValueSet together (que-4)"
    if "maxLength" in item and kind not in _MAX_LENGTH_TYPES:
        yield f"{path}.maxLength: not for {kind} items (que-10)"
    if "initial" in item and kind in ("group", "display"):
        yield f"{path}.initial: not for {kind} items (que-8)"
    yield from _translations(item, path)
    for o, option in enumerate(item.get("answerOption", [])):
        if "valueCoding" in option:
            yield from _translations(option["valueCoding"], f"{path}.answerOption[{o}]")
    enable = item.get("enableWhen", [])
    behaviour = item.get("enableBehavior")
    if len(enable) > 1 and behaviour is None:
        yield f"{path}.enableBehavior: required with more than one enableWhen (que-12)"
    if behaviour is not None and behaviour not in BEHAVIOURS:
        yield f"{path}.enableBehavior: {behaviour!r} is not all or any"
    for e, when in enumerate(enable):
        yield from _enable_when(f"{path}.enableWhen[{e}]", when, link_ids)


def _enable_when(path: str, when: Mapping[str, Any], link_ids: Mapping[str, Any]) -> Iterator[str]:
    operator = when.get("operator")
    if operator not in OPERATORS:
        yield f"{path}.operator: {operator!r} is not an R4 operator"
    answers = [k for k in when if k.startswith("answer")]
    if len(answers) != 1:
        yield f"{path}: exactly one answer[x] is needed"
    if operator == "exists" and answers != ["answerBoolean"]:
        yield f"{path}: an exists test takes answerBoolean (que-7)"
    target = link_ids.get(when.get("question", ""))
    if target is None:
        yield f"{path}.question: no item {when.get('question')!r}"
    elif operator != "exists" and answers:
        allowed = {n.replace("value", "answer") for n in _ANSWER_OF.get(target["type"], ())}
        if answers[0] not in allowed:
            yield f"{path}: {answers[0]} does not fit the {target['type']} item it tests"


def _translations(element: Mapping[str, Any], path: str) -> Iterator[str]:
    for key, value in element.items():
        if not key.startswith("_") or not isinstance(value, Mapping):
            continue
        for extension in value.get("extension", []):
            if extension.get("url") != TRANSLATION:
                continue
            parts = {e.get("url"): e for e in extension.get("extension", [])}
            lang = parts.get("lang", {}).get("valueCode")
            if not isinstance(lang, str) or not _LANG.fullmatch(lang):
                yield f"{path}.{key}: a translation needs lang (a BCP 47 code)"
            if not parts.get("content", {}).get("valueString"):
                yield f"{path}.{key}: a translation needs content"


def check_response(
    response: Mapping[str, Any], questionnaire: Mapping[str, Any] | None = None
) -> list[str]:
    """Problems of a QuestionnaireResponse; with its Questionnaire, also whether every
    answer has the type and option its question allows."""
    problems = _model_problems(response, "QuestionnaireResponse")
    if problems:
        return problems
    out: list[str] = []
    if response.get("status") not in RESPONSE_STATUS:
        out.append(f"status: {response.get('status')!r} is not one of {sorted(RESPONSE_STATUS)}")
    known: dict[str, Mapping[str, Any]] = {}
    if questionnaire is not None:
        known = {item["linkId"]: item for _, item in _walk(questionnaire.get("item", []), "item")}
        url = f"{questionnaire.get('url')}|{questionnaire.get('version')}"
        if response.get("questionnaire") != url:
            out.append(f"questionnaire: expected {url!r}")
    for path, item in _walk(response.get("item", []), "item"):
        if not item.get("answer") and not item.get("item"):
            out.append(f"{path}: an item has answers or nested items (qrs-1)")
        if questionnaire is None:
            continue
        question = known.get(item.get("linkId", ""))
        if question is None:
            out.append(f"{path}.linkId: no such item in the Questionnaire")
            continue
        out.extend(_answers(path, item, question))
    return out


def _answers(path: str, item: Mapping[str, Any], question: Mapping[str, Any]) -> Iterator[str]:
    answers = item.get("answer", [])
    kind = question["type"]
    if kind in ("group", "display") and answers:
        yield f"{path}: a {kind} item has no answer"
        return
    if len(answers) > 1 and not question.get("repeats"):
        yield f"{path}: several answers to a question that does not repeat"
    options = [_option_key(o) for o in question.get("answerOption", [])]
    for a, answer in enumerate(answers):
        names = [k for k in answer if k.startswith("value")]
        if len(names) != 1 or names[0] not in _ANSWER_OF.get(kind, ()):
            yield f"{path}.answer[{a}]: {names} does not fit a {kind} question"
            continue
        if kind == "choice" and options and _option_key(answer) not in options:
            yield f"{path}.answer[{a}]: {answer[names[0]]!r} is not one of its options"


def _option_key(element: Mapping[str, Any]) -> tuple[str, object]:
    name = next((k for k in element if k.startswith("value")), "")
    value = element.get(name)
    if name == "valueCoding" and isinstance(value, Mapping):
        return name, (value.get("system"), value.get("code"))
    return name, json.dumps(value, sort_keys=True)
