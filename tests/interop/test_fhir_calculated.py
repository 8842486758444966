"""Our scores and derived values as SDC calculatedExpression: the FHIRPath, run by an
independent engine (fhirpathpy) on the QuestionnaireResponse we export, says what
``screening score`` says."""

from __future__ import annotations

from typing import Any

import fhirpathpy
from fhirpathpy.models import models
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.core import interview as iv
from screening.core.answers import DECLINED, SKIPPED
from screening.core.route import Interview
from screening.core.scoring import score
from screening.interop.fhir.export import CALCULATED, OUR_RESULT, questionnaire
from screening.interop.fhir.importer import from_resource
from screening.interop.fhir.response import responses
from screening.load import catalog
from tests.support.builders import make

PHQ9 = catalog.resolve("phq9")[0]
PHQ9_SESSION = Interview([PHQ9])


def _calculated(resource: dict[str, Any]) -> dict[str, str]:
    out = {}
    for group in resource["item"]:
        for item in group.get("item", []):
            for ext in item.get("extension", []):
                if ext["url"] == CALCULATED:
                    out[item["linkId"]] = ext["valueExpression"]["expression"]
    return out


def _evaluate(expression: str, response: dict[str, Any]) -> list[Any]:
    """As a form filler runs it: the R4 model resolves ``answer.value`` to valueCoding."""
    return list(fhirpathpy.evaluate(response, expression, {"resource": response}, models["r4"]))


def test_phq9_export_has_a_calculated_total() -> None:
    resource = questionnaire(PHQ9).resource
    results = resource["item"][-1]
    assert results["extension"] == [{"url": OUR_RESULT, "valueCode": "group"}]
    total = next(i for i in results["item"] if i["linkId"] == "phq9_total")
    assert total["readOnly"] is True and total["type"] == "integer"
    assert "phq9_total" in _calculated(resource)


item_answer = st.one_of(st.sampled_from([0, 1, 2, 3]), st.just(SKIPPED), st.just(DECLINED))


@given(st.lists(item_answer, min_size=9, max_size=9), st.integers(0, 9))
def test_phq9_total_evaluates_to_the_score(values: list[object], answered: int) -> None:
    """Random answer sets, some left unanswered: a complete total is our value; an
    incomplete one (skipped, declined, unanswered) is empty in FHIR, never a partial sum."""
    answers = {f"phq9_{n + 1}": v for n, v in enumerate(values) if n < answered or n == 8}
    state = iv.State(answers=answers)  # type: ignore[arg-type]
    expected = score(PHQ9_SESSION, iv.route(PHQ9_SESSION, state)).scores["phq9_total"]
    response = responses(PHQ9_SESSION, state, interview_id="t", authored=None)
    expression = _calculated(questionnaire(PHQ9).resource)["phq9_total"]
    found = _evaluate(expression, response)
    assert found == ([expected.value] if expected.complete else [])


def test_a_complete_phq9_by_hand() -> None:
    answers = {f"phq9_{n}": 2 for n in range(1, 10)}
    response = responses(PHQ9_SESSION, iv.State(answers=answers), interview_id="t", authored=None)
    expression = _calculated(questionnaire(PHQ9).resource)["phq9_total"]
    assert _evaluate(expression, response) == [18]


WEIGHTED = make(
    """\
sections:
  - id: s
    title: S
    items:
      - {id: a, type: number, text: A?, why: W, min: 0, max: 100, integer: true}
      - id: b
        type: single
        text: B?
        why: W
        options: [{value: lo, label: Low, score: 1}, {value: hi, label: High, score: 4}]
      - {id: c, type: scale, text: C?, why: W, min: 0, max: 4}
derived:
  - {id: total, value: {sum: [a, b]}}
  - id: size
    value: {if: {cond: {item: c, gte: 3}, then: {multiply: [c, 2]}, else: {coalesce: [a, 0]}}}
scores:
  - {id: weighted, sum: [{item: a, weight: 2}, b, {item: c, reverse: true}]}
"""
)
WEIGHTED_SESSION = Interview([WEIGHTED])


@given(
    st.one_of(st.integers(0, 100), st.just(SKIPPED), st.none()),
    st.one_of(st.sampled_from(["lo", "hi"]), st.just(DECLINED), st.none()),
    st.one_of(st.integers(0, 4), st.none()),
)
def test_weights_scores_reverse_and_derived_values_evaluate_the_same(
    a: object, b: object, c: object
) -> None:
    answers = {k: v for k, v in {"a": a, "b": b, "c": c}.items() if v is not None}
    state = iv.State(answers=answers)  # type: ignore[arg-type]
    result = score(WEIGHTED_SESSION, iv.route(WEIGHTED_SESSION, state))
    response = responses(WEIGHTED_SESSION, state, interview_id="t", authored=None)
    expressions = _calculated(questionnaire(WEIGHTED).resource)
    weighted = result.scores["weighted"]
    assert _evaluate(expressions["weighted"], response) == (
        [weighted.value] if weighted.complete else []
    )
    for name in ("total", "size"):
        value = result.derived[name]
        assert _evaluate(expressions[name], response) == ([] if value is None else [value])


def test_our_import_does_not_read_the_results_as_questions() -> None:
    back = from_resource(questionnaire(PHQ9).resource, "phq9.json", "phq9")
    assert back.complete, back.gaps
    ids = {i["id"] for s in back.doc["sections"] for i in s["items"]}
    assert "phq9_1" in ids and "phq9_total" not in ids


def _questionnaire(expression: str, **extra: Any) -> dict[str, Any]:
    calc: dict[str, Any] = {
        "linkId": "total",
        "text": "Total",
        "type": "integer",
        "readOnly": True,
        "extension": [
            {
                "url": CALCULATED,
                "valueExpression": {"language": "text/fhirpath", "expression": expression},
            }
        ],
    }
    return {
        "resourceType": "Questionnaire",
        "status": "draft",
        "language": "en",
        "title": "Counts",
        "item": [
            {"linkId": "adults", "text": "Adults?", "type": "integer"},
            {"linkId": "children", "text": "Children?", "type": "integer"},
            calc,
        ],
        **extra,
    }


A = "%resource.repeat(item).where(linkId = 'adults').answer.value"
C = "%resource.item.where(linkId='children').answer.value"


def test_a_calculated_expression_imports_as_a_derived_value() -> None:
    variable = {
        "url": "http://hl7.org/fhir/StructureDefinition/variable",
        "valueExpression": {"name": "kids", "language": "text/fhirpath", "expression": C},
    }
    resource = _questionnaire(f"iif({A} > 2, {A} + %kids, 0)", extension=[variable])
    back = from_resource(resource, "counts.json", "counts")
    assert back.complete, back.gaps
    assert back.doc["derived"] == [
        {
            "id": "total",
            "label": "Total",
            "value": {
                "if": {
                    "cond": {"item": "adults", "gt": 2},
                    "then": {"sum": ["adults", "children"]},
                    "else": 0,
                }
            },
        }
    ]
    items = [i["id"] for s in back.doc["sections"] for i in s["items"]]
    assert items == ["adults", "children"]


def test_a_calculated_expression_that_does_not_translate_is_reported() -> None:
    back = from_resource(_questionnaire(f"({A} + {C}).round(1)"), "counts.json", "counts")
    assert [(g.where, g.code.value) for g in back.gaps if not g.note] == [
        ("counts.json:item[2].extension(calculatedExpression)", "calculation")
    ]


QUOTIENTS = make(
    """\
sections:
  - id: s
    title: S
    items:
      - {id: a, type: number, text: A?, why: W, min: 0, max: 100, integer: true}
      - {id: c, type: scale, text: C?, why: W, min: 0, max: 4}
derived:
  - {id: ratio, value: {divide: [a, c]}}
  - {id: low, value: {min: [a, c, 3]}}
  - {id: high, value: {max: [{multiply: [c, 10]}, a]}}
"""
)
QUOTIENTS_SESSION = Interview([QUOTIENTS])


@settings(max_examples=40)  # fhirpathpy parses each expression again: slow
@given(
    st.one_of(st.integers(0, 100), st.just(SKIPPED), st.none()),
    st.one_of(st.integers(0, 4), st.just(DECLINED), st.none()),
)
def test_quotients_min_and_max_evaluate_the_same(a: object, c: object) -> None:
    """Division by 0 is unknown here and empty in FHIRPath; min and max of values one
    of which is unknown are unknown here and empty there (never the smallest known)."""
    answers = {k: v for k, v in {"a": a, "c": c}.items() if v is not None}
    state = iv.State(answers=answers)  # type: ignore[arg-type]
    result = score(QUOTIENTS_SESSION, iv.route(QUOTIENTS_SESSION, state))
    response = responses(QUOTIENTS_SESSION, state, interview_id="t", authored=None)
    expressions = _calculated(questionnaire(QUOTIENTS).resource)
    assert sorted(expressions) == ["high", "low", "ratio"]
    for name in ("ratio", "low", "high"):
        value = result.derived[name]
        found = _evaluate(expressions[name], response)
        if value is None:
            assert found == [], name
        else:
            assert len(found) == 1 and abs(float(found[0]) - value) < 1e-9, (name, found, value)
