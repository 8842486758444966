"""FHIR R4: every shipped instrument exports to a Questionnaire that validates (R4B
models plus R4's code sets and invariants) and comes back the same through our import;
conditions FHIR can say in enableWhen mean the same after a trip through enableWhen
alone; a finished interview's QuestionnaireResponse validates."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from hypothesis import given, note

from screening.core import interview as iv
from screening.core.answers import DECLINED, SKIPPED, Answer
from screening.core.conditions import Condition
from screening.core.model import Instrument, Item
from screening.core.route import Interview, ItemFacts
from screening.interop.common import GapCode
from screening.interop.fhir import importer as fhir_import
from screening.interop.fhir.check import check_questionnaire, check_response
from screening.interop.fhir.conditions import enable_when
from screening.interop.fhir.export import (
    ENABLE_WHEN_EXPRESSION,
    OUR_SHOW_IF,
    TRANSLATION,
    questionnaire,
)
from screening.interop.fhir.response import responses
from screening.interop.writer import render
from screening.load.loader import load_bytes, load_file
from tests.support.builders import make
from tests.support.paths import INSTRUMENTS
from tests.support.reference import instruments as generated

SHIPPED = sorted(INSTRUMENTS.glob("*.yaml"))
TODAY = dt.date(2026, 11, 29)


def roundtrip(resource: dict[str, Any], instrument_id: str) -> tuple[Instrument, list[str]]:
    result = fhir_import.from_resource(resource, "q.json", instrument_id, today=TODAY)
    gaps = [str(g) for g in result.gaps if not g.note]
    return load_bytes(render(result).encode(), f"{instrument_id}.yaml"), gaps


def item_facts(item: Item) -> tuple[object, ...]:
    options = tuple(
        (type(o.value), o.value, o.label, o.numeric, o.exclusive, o.codes) for o in item.options
    )
    return (
        item.id, item.type, item.text, item.why, item.help, item.skippable,
        item.unskippable_because, options, item.show_if, item.min, item.max, item.step,
        item.min_label, item.max_label, item.integer, item.unit, item.max_length,
        item.codes, item.content_warning, item.concept, item.derive,
    )  # fmt: skip


def same_questions(a: Instrument, b: Instrument) -> None:
    assert [(s.id, s.title, s.intro, s.content_warning, s.show_if) for s in a.sections] == [
        (s.id, s.title, s.intro, s.content_warning, s.show_if) for s in b.sections
    ]
    for left, right in zip(a.items, b.items, strict=True):
        assert item_facts(left) == item_facts(right)
    assert (a.title, a.language, a.description, a.intro, a.codes) == (
        b.title, b.language, b.description, b.intro, b.codes,
    )  # fmt: skip


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_instruments_export_valid_r4_and_round_trip(path: Path) -> None:
    original = load_file(path)
    exported = questionnaire(original)
    assert check_questionnaire(exported.resource) == []
    back, gaps = roundtrip(json.loads(json.dumps(exported.resource)), original.id)
    assert gaps == []
    assert back.codesign.status.value == "imported"
    assert back.licence == original.licence
    same_questions(original, back)


def states(item: Item) -> list[Answer | None]:
    """Every state an item can be in, for brute force: each option (or a few numbers,
    dates, texts), skipped, declined and unanswered."""
    if item.type == "multiple":
        values: list[Answer | None] = [
            tuple(c) for n in range(len(item.values) + 1)
            for c in itertools.combinations(item.values, n) if c
        ][:12]  # fmt: skip
    elif item.options:
        values = list(item.values)
    elif item.type in ("number", "scale"):
        values = [-1, 0, 1, 2, 3, 4, 5, 9, 10, 17, 18, 100, 2.5]
    elif item.type == "date":
        values = ["2000-01-01", "2026-11-29"]
    else:
        values = ["", "yes", "x"]
    return [*values, SKIPPED, DECLINED, None]


def equivalent(a: Condition, b: Condition, items: dict[str, Item]) -> None:
    from screening.core.conditions import references

    refs = [r.split(":", 1)[1] for r in references(a) if r.startswith("item:")]
    for combo in itertools.product(*(states(items[r]) for r in refs)):
        answers = {r: v for r, v in zip(refs, combo, strict=True) if v is not None}
        facts = ItemFacts(answers, items)
        assert a.evaluate(facts) == b.evaluate(facts), answers


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_enable_when_alone_means_the_same(path: Path) -> None:
    """Strip our exact show-if extension: what FHIR's enableWhen says must mean what we
    meant, for every state of the items it names; the rest is reported, not guessed."""
    original = load_file(path)
    resource = questionnaire(original).resource

    def strip(node: dict[str, Any]) -> None:
        node["extension"] = [e for e in node.get("extension", []) if e["url"] != OUR_SHOW_IF]
        for child in node.get("item", []):
            strip(child)

    for group in resource["item"]:
        strip(group)
    result = fhir_import.from_resource(resource, "q.json", original.id, today=TODAY)
    items = {i.id: i for i in original.items}
    expressed = [i for i in original.items if i.show_if and enable_when(i.show_if, items) is None]
    owners = {g.item for g in result.gaps if not g.note}
    assert owners == {i.id for i in expressed}
    for gap in result.gaps:
        assert gap.code is GapCode.CONDITION and "enableWhenExpression" in gap.message
    if not result.complete:
        return
    back = load_bytes(render(result).encode(), "x.yaml")
    compared = 0
    for item in original.items:
        if item.show_if is not None:
            other = back.item(item.id)
            assert other is not None and other.show_if is not None
            equivalent(item.show_if, other.show_if, items)
            compared += 1
    assert compared == sum(1 for i in original.items if i.show_if)


def test_conditions_fhir_cannot_say_get_a_fhirpath_expression() -> None:
    ins = load_file(INSTRUMENTS / "needs-assessment.yaml")
    text = json.dumps(questionnaire(ins).resource)
    assert ENABLE_WHEN_EXPRESSION in text
    assert "where(code = 'no_fixed_place').exists()).not()" in text


def test_comparisons_of_scored_choices_become_a_list_of_options() -> None:
    ins = make(
        """
        sections:
          - id: s
            title: S
            items:
              - {id: a, type: scale, text: A, why: W, options: [{value: 0, label: N},
                 {value: 1, label: S}, {value: 2, label: M}, {value: 3, label: E}]}
              - {id: b, type: text, text: B, why: W, show_if: {item: a, gte: 2}}
              - {id: c, type: text, text: C, why: W, show_if: {item: a, skipped: true}}
        """
    )
    exported = questionnaire(ins)
    b = exported.resource["item"][0]["item"][1]
    assert b["enableBehavior"] == "any"
    assert [w["answerCoding"]["code"] for w in b["enableWhen"]] == ["2", "3"]
    c = exported.resource["item"][0]["item"][2]
    assert "enableWhen" not in c and ENABLE_WHEN_EXPRESSION not in json.dumps(c)
    assert any("c: its show-if tests a skip" in n for n in exported.notes)
    assert check_questionnaire(exported.resource) == []


def test_translations_come_from_the_catalogs(tmp_path: Path) -> None:
    catalog = Catalog(locale="fr")
    catalog.add("Feeling tense or keyed up", "Se sentir nerveux", context="gad7:items.gad7_1.text")
    catalog.add(
        "Worry you cannot switch off",
        "Inquiétude",
        context="gad7:items.gad7_2.text",
        flags=["fuzzy"],
    )
    catalog.add("An older wording", "Ancien texte", context="gad7:items.gad7_3.text")
    folder = tmp_path / "locales" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "instrument-gad7.po").open("wb") as handle:
        write_po(handle, catalog)
    ins = load_file(INSTRUMENTS / "gad7.yaml")
    resource = questionnaire(ins, tmp_path / "locales").resource
    first, second, third = resource["item"][0]["item"][1:4]
    assert first["_text"] == {
        "extension": [
            {
                "url": TRANSLATION,
                "extension": [
                    {"url": "lang", "valueCode": "fr"},
                    {"url": "content", "valueString": "Se sentir nerveux"},
                ],
            }
        ]
    }
    assert "_text" not in second  # a fuzzy entry is not a translation
    assert "_text" not in third  # nor a translation of another wording
    assert check_questionnaire(resource) == []
    back = fhir_import.from_resource(resource, "gad7.json", "gad7", today=TODAY)
    assert back.catalogs == {
        "fr": [("gad7:items.gad7_1.text", "Feeling tense or keyed up", "Se sentir nerveux")]
    }


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda q: q.update(status="published"), "status"),
        (lambda q: q["item"][0].update(type="question"), "not an R4 item type"),
        (lambda q: q["item"][0]["item"][0]["item"][0].update(type="group"), "a group has nested"),
        (lambda q: q["item"][0]["item"][1].pop("enableBehavior"), "que-12"),
        (lambda q: q["item"][0]["item"][1]["enableWhen"][0].update(operator="exists"), "que-7"),
        (lambda q: q["item"][0]["item"][1]["enableWhen"][0].update(operator="~"), "operator"),
        (lambda q: q.update(name="pc ptsd"), "que-0"),
        (lambda q: q["item"][0]["item"][0].pop("linkId"), "linkId"),
    ],
)
def test_the_check_finds_what_r4_forbids(change: Any, expected: str) -> None:
    resource = questionnaire(load_file(INSTRUMENTS / "needs-assessment.yaml")).resource
    change(resource)
    problems = check_questionnaire(resource)
    assert any(expected in p for p in problems), problems


def _walk_answers(session: Interview, choose: Any) -> iv.State:
    state = iv.State()
    while True:
        step = iv.next_step(session, state)
        if step.done or step.item is None:
            return state
        if step.content_warning and step.section_key not in state.sections:
            state = iv.choose_section(state, step.section_key or "", enter=True)
            continue
        if step.urgent:
            state = iv.acknowledge(state, step.urgent)
            continue
        state = iv.answer(session, state, step.item.id, choose(step.item))
        state = iv.set_aside(session, state)


def test_a_finished_interview_is_a_valid_response_without_skips_or_declines() -> None:
    ins = load_file(INSTRUMENTS / "needs-assessment.yaml")
    session = Interview([ins])
    seen: list[str] = []

    def choose(item: Item) -> object:
        seen.append(item.id)
        if len(seen) % 7 == 3:
            return None
        if len(seen) % 7 == 5:
            return {"declined": True}
        if item.type == "multiple":
            return [item.values[0]]
        if item.options:
            return item.values[-1]
        return {"number": 2, "date": "2026-01-02", "scale": item.min}.get(item.type, "words")

    state = _walk_answers(session, choose)
    resource = responses(session, state, interview_id="abc_DEF-1", authored=None)
    assert resource["status"] == "completed"
    assert check_response(resource, questionnaire(ins).resource) == []
    sent = {i["linkId"] for g in resource["item"] for i in g["item"]}
    missing = {k for k, v in state.answers.items() if v is SKIPPED or v is DECLINED}
    assert missing and not (missing & sent)
    given = {k for k, v in state.answers.items() if v not in (SKIPPED, DECLINED)}
    kept = {k for k in given if not session.items[k].exported}  # export: never (issue 13)
    assert sent == given - kept and not (kept & sent)
    kinds = {
        ins.item(i["linkId"]).type: next(iter(i["answer"][0]))  # type: ignore[union-attr]
        for g in resource["item"] for i in g["item"]
    }  # fmt: skip
    assert kinds["yes_no"] in ("valueBoolean", "valueCoding")
    assert kinds.get("multiple", "valueCoding") == "valueCoding"


def test_an_unfinished_interview_is_in_progress_and_a_wrong_answer_type_is_caught() -> None:
    ins = load_file(INSTRUMENTS / "phq9.yaml")
    session = Interview([ins])
    state = iv.answer(session, iv.State(), ins.items[0].id, ins.items[0].values[0])
    resource = responses(session, state, interview_id="x", authored=dt.datetime(2026, 1, 2))
    assert resource["status"] == "in-progress"
    assert resource["authored"] == "2026-01-02T00:00:00+00:00"
    q = questionnaire(ins).resource
    assert check_response(resource, q) == []
    broken = copy.deepcopy(resource)
    broken["item"][0]["item"][0]["answer"] = [{"valueString": "0"}]
    assert any("is not one of its options" in p for p in check_response(broken, q))
    broken["item"][0]["item"][0]["answer"] = [{"valueBoolean": True}]
    assert any("does not fit a choice" in p for p in check_response(broken, q))
    broken["status"] = "done"
    assert any("status" in p for p in check_response(broken, q))


def test_several_instruments_are_a_bundle() -> None:
    session = Interview(
        [load_file(INSTRUMENTS / "phq9.yaml"), load_file(INSTRUMENTS / "gad7.yaml")]
    )
    bundle = responses(session, iv.State(), interview_id="x", authored=None)
    assert bundle["resourceType"] == "Bundle"
    assert [e["resource"]["questionnaire"].split("/")[-1] for e in bundle["entry"]] == [
        "phq9|0.1.0",
        "gad7|0.2.0",
    ]


def test_foreign_questionnaire_gaps_are_listed(tmp_path: Path) -> None:
    resource = {
        "resourceType": "Questionnaire",
        "status": "active",
        "language": "en",
        "title": "Foreign",
        "item": [
            {"linkId": "1", "text": "Smoke?", "type": "boolean"},
            {"linkId": "2", "text": "How many?", "type": "integer",
             "enableWhen": [{"question": "1", "operator": "=", "answerBoolean": True}]},
            {"linkId": "3", "text": "Photo", "type": "attachment"},
            {"linkId": "4", "text": "Other", "type": "string",
             "enableWhen": [{"question": "1", "operator": "!=", "answerBoolean": True}]},
            {"linkId": "5", "text": "Colour", "type": "choice",
             "answerValueSet": "http://example.org/ValueSet/colours"},
        ],
    }  # fmt: skip
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(resource))
    result = fhir_import.convert(path, "foreign", today=TODAY)
    assert [(g.where, g.code) for g in result.gaps if not g.note] == [
        ("foreign.json:item[2].type", GapCode.UNSUPPORTED_TYPE),
        ("foreign.json:item[3].enableWhen[0].operator", GapCode.CONDITION),
        ("foreign.json:item[4].answerValueSet", GapCode.CHOICE_LIST),
    ]
    gaps = [str(g) for g in result.gaps if not g.note]  # and each says it to a person
    assert gaps == [
        "foreign.json:item[2].type: the item type 'attachment' has no equivalent here",
        "foreign.json:item[3].enableWhen[0].operator: != is not translated: FHIR readers "
        "disagree on whether it holds for an unanswered question",
        "foreign.json:item[4].answerValueSet: the value set "
        "'http://example.org/ValueSet/colours' is neither contained in the Questionnaire nor "
        "listed inline: its options are not fetched",
    ]
    result.gaps.clear()
    ins = load_bytes(render(result).encode(), "foreign.yaml")
    assert [i.id for i in ins.items] == ["q_1", "q_2", "q_4"]
    assert ins.item("q_2").show_if is not None  # type: ignore[union-attr]


@given(generated())
def test_generated_instruments_export_valid_and_round_trip(spec: Any) -> None:
    original = load_bytes(spec.text.encode(), "gen.yaml")
    exported = questionnaire(original)
    note(json.dumps(exported.resource)[:2000])
    assert check_questionnaire(exported.resource) == []
    back, gaps = roundtrip(json.loads(json.dumps(exported.resource)), original.id)
    assert gaps == []
    same_questions(original, back)


def test_every_gap_code_is_documented() -> None:
    readme = (INSTRUMENTS.parent / "README.md").read_text()
    listed = readme[readme.index("`code` is one of") + 16 :].split("Codes are for")[0]
    assert sorted(c.value for c in GapCode) == sorted(set(re.findall(r"`([a-z-]+)`", listed)))


def _foreign(items: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    return {"resourceType": "Questionnaire", "status": "active", "language": "en",
            "title": "Foreign", **top, "item": items}  # fmt: skip


def test_r4_warnings_are_notes_and_que5_is_read_as_r4_states_it() -> None:
    resource = _foreign(
        [
            {"linkId": "colour", "text": "Colour?", "type": "string",
             "answerOption": [{"valueString": "Red",
                               "_valueString": {"extension": [{
                                   "url": "http://hl7.org/fhir/StructureDefinition/translation",
                                   "extension": [{"url": "lang", "valueCode": "fr"},
                                                 {"url": "content", "valueString": "Rouge"}]}]}},
                              {"valueString": "Blue"}]},
            {"linkId": "count", "text": "How many?", "type": "integer",
             "answerOption": [{"valueInteger": -99}, {"valueInteger": 1}]},
            {"linkId": "when", "text": "Which day?", "type": "date",
             "answerOption": [{"valueDate": "2026-01-02"}]},
        ],
        name="not a CamelCase name",
    )  # fmt: skip
    assert check_questionnaire(resource) != []  # strict, as for our own export
    advice: list[str] = []
    assert check_questionnaire(resource, warnings=advice) == [] and "(que-0)" in advice[0]
    result = fhir_import.from_resource(resource, "f.json", "foreign", today=TODAY)
    assert [g for g in result.gaps if not g.note] == []
    assert any("que-0" in g.message for g in result.gaps if g.note)
    ins = load_bytes(render(result).encode(), "foreign.yaml")
    assert [(i.id, i.type, [o.value for o in i.options]) for i in ins.items] == [
        ("colour", "single", ["red", "blue"]),
        ("count", "single", [-99, 1]),
        ("when", "single", ["2026-01-02"]),
    ]
    assert result.catalogs["fr"] == [("foreign:items.colour.options.red.label", "Red", "Rouge")]


def test_nested_groups_value_sets_codes_and_read_only_items() -> None:
    resource = _foreign(
        [
            {"linkId": "outer", "text": "Outer", "type": "group",
             "code": [{"code": "no-system"}],
             "item": [
                 {"linkId": "q1", "text": "One?", "type": "choice",
                  "answerValueSet": "#yn"},
                 {"linkId": "inner", "text": "Inner", "type": "group",
                  "enableWhen": [{"question": "q1", "operator": "=",
                                  "answerCoding": {"code": "y"}}],
                  "item": [{"linkId": "q2", "text": "Two?", "type": "string",
                            "code": [{"code": "no-system"}]}]},
                 {"linkId": "q3", "text": "Three?", "type": "string", "readOnly": True},
                 {"linkId": "q4", "text": "Four?", "type": "open-choice",
                  "answerOption": [{"valueCoding": {"code": "a", "display": "A"}}]},
             ]},
        ],
        contained=[{"resourceType": "ValueSet", "id": "yn", "status": "active",
                    "compose": {"include": [{"system": "http://example.org/yn",
                                             "concept": [{"code": "y", "display": "Yes"},
                                                         {"code": "n", "display": "No"}]}]}}],
    )  # fmt: skip
    result = fhir_import.from_resource(resource, "f.json", "foreign", today=TODAY)
    assert [str(g) for g in result.gaps if not g.note] == []
    ins = load_bytes(render(result).encode(), "foreign.yaml")
    assert [(s.id, s.title, [i.id for i in s.items]) for s in ins.sections] == [
        ("outer", "Outer", ["q1"]),
        ("inner", "Outer: Inner", ["q2"]),
        ("outer_2", "Outer", ["q4", "q4_other"]),
    ]
    q1 = ins.item("q1")
    assert q1 is not None and [o.value for o in q1.options] == ["y", "n"]
    assert ins.sections[1].show_if is not None  # the inner group's condition is kept
    q4 = ins.item("q4")
    assert q4 is not None and [o.value for o in q4.options] == ["a", "other"]
    noted = " ".join(g.message for g in result.gaps if g.note)
    assert "read-only" in noted and "no system" in noted


def test_a_question_without_text_is_left_out_never_named_by_its_link_id() -> None:
    resource = _foreign([{"linkId": "q1", "type": "string"},
                         {"linkId": "q2", "text": "Two?", "type": "string"}])  # fmt: skip
    result = fhir_import.from_resource(resource, "f.json", "foreign", today=TODAY)
    assert [(g.where, g.code) for g in result.gaps if not g.note] == [
        ("f.json:item[0].text", GapCode.NO_TEXT)
    ]
    ins = load_bytes(render(result).encode(), "foreign.yaml")
    assert [i.text for i in ins.items] == ["Two?"]
