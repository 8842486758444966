"""Extraction finds every translatable field: checked against the schema itself.

The oracle is independent of the extractor: jsonschema is extended with a keyword
``x-translatable`` that reports every instance it meets, so validating a file lists the
JSON path of every translatable string. The extractor must find exactly those. And a
fixture that fills every field the schema marks translatable must make the extractor
hit every such schema property: a field added to the schema fails here until both the
fixture and the extraction cover it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from babel.messages.extract import extract
from jsonschema.exceptions import ValidationError

from screening.i18n.extract import messages
from screening.load import yamlmarks
from screening.load.loader import load_bytes, schema
from tests.support.paths import ROOT

SHIPPED = sorted((ROOT / "instruments").glob("*.yaml"))

# Every translatable field of the schema, filled once (plus an inline option list).
EVERY_FIELD = """\
id: every
version: 0.1.0
title: T title
description: T description
intro: T intro
language: en
audiences: [worker]
licence: CC-BY-4.0
codesign: {status: draft}
changelog: [{version: 0.1.0, date: "2026-11-29", changes: Test.}]
option_sets:
  often:
    - {value: 0, label: T never}
    - {value: 1, label: T often}
sections:
  - id: s1
    title: T section
    intro: T section intro
    content_warning: T section warning
    items:
      - id: q1
        type: single
        text: T q1 text
        why: T q1 why
        help: T q1 help
        content_warning: T q1 warning
        skippable: false
        unskippable_because: T q1 unskippable
        options:
          - {value: "yes", label: T yes}
          - {value: "no", label: T no}
      - id: q2
        type: scale
        text: T q2 text
        why: T q2 why
        min: 0
        max: 4
        min_label: T q2 min
        max_label: T q2 max
      - id: q3
        type: number
        text: T q3 text
        why: T q3 why
        unit: T q3 unit
      - id: q4
        type: single
        text: T q4 text
        why: T q4 why
        options: often
derived:
  - id: dv
    label: T derived
    value: {sum: [q4, 1]}
scores:
  - id: total
    label: T score
    description: T score description
    sum: [q4]
    bands:
      - {id: low, worker: T low, description: T low description, max: 0}
      - {id: high, label: T high, min: 1, person: T high person}
flags:
  - id: f1
    severity: urgent
    label: T flag
    person: T flag person
    message: T flag message
    person_message: T flag person message
    help: {need: n1, next: T flag help next}
    when: {item: q1, equals: "no"}
  - {id: f2, severity: low, worker: T flag worker, when: {item: q1, equals: "yes"}}
education: {id: e1, title: T education title, text: T education text, need: n1}
needs:
  - {id: n1, label: T need, description: T need description, some_if: {flag: f1}}
  - {id: n2, worker: T need worker, person: T need person, some_if: {flag: f1}}
strengths:
  - {id: st1, label: T strength, when: {item: q1, equals: "yes"}}
  - {id: st2, worker: T strength worker, person: T strength person, when: {flag: f2}}
"""


def _oracle_paths(data: Any) -> set[tuple[str | int, ...]]:
    def report(validator: Any, value: Any, instance: Any, node: Any) -> Iterator[ValidationError]:
        if value and isinstance(instance, str):
            yield ValidationError("translatable", validator="x-translatable")

    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"x-translatable": report})
    found: set[tuple[str | int, ...]] = set()

    def collect(errors: Any) -> None:
        for error in errors:
            if error.validator == "x-translatable":
                found.add(tuple(error.absolute_path))
            collect(error.context or ())

    collect(cls(schema()).iter_errors(data))
    return found


def _schema_pointers() -> set[str]:
    """Every schema property whose value is (a reference to) translatable text."""
    root = schema()
    texts = {f"#/$defs/{name}" for name, d in root["$defs"].items() if d.get("x-translatable")}
    out: set[str] = set()

    def walk(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            for key, value in node.get("properties", {}).items():
                if isinstance(value, dict) and (
                    value.get("$ref") in texts or value.get("x-translatable")
                ):
                    out.add(f"{pointer}/properties/{key}")
            for key, value in node.items():
                walk(value, f"{pointer}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{pointer}/{i}")

    walk(root, "#")
    # `then` branches only forbid or narrow properties: they add no text field.
    return {p for p in out if "/allOf/" not in p}


@pytest.mark.parametrize("path", [*SHIPPED, "every-field"], ids=lambda p: getattr(p, "stem", p))
def test_extraction_finds_every_translatable_string(path: Path | str) -> None:
    raw = EVERY_FIELD.encode() if path == "every-field" else Path(path).read_bytes()
    doc = yamlmarks.load(raw)
    found = messages(doc)
    assert found, "no messages"
    assert {m.path for m in found} == _oracle_paths(doc.data)
    assert len({m.context for m in found}) == len(found), "contexts must be unique"


def test_every_translatable_schema_field_is_covered() -> None:
    load_bytes(EVERY_FIELD.encode(), "every.yaml")  # the fixture is a valid instrument
    hit = {m.pointer for m in messages(yamlmarks.load(EVERY_FIELD.encode()))}
    missing = _schema_pointers() - hit
    assert not missing, (
        f"translatable schema fields not extracted (or not in the fixture): {missing}"
    )


def test_contexts_follow_the_shared_convention() -> None:
    contexts = {m.context: m.text for m in messages(yamlmarks.load(EVERY_FIELD.encode()))}
    assert contexts["every:title"] == "T title"
    assert contexts["every:items.q1.text"] == "T q1 text"
    assert contexts["every:items.q1.why"] == "T q1 why"
    assert contexts["every:items.q1.options.yes.label"] == "T yes"
    assert contexts["every:option_sets.often.1.label"] == "T often"
    assert contexts["every:sections.s1.content_warning"] == "T section warning"
    assert contexts["every:scores.total.bands.high.label"] == "T high"
    assert contexts["every:flags.f1.message"] == "T flag message"
    assert contexts["every:needs.n1.description"] == "T need description"
    assert contexts["every:strengths.st1.label"] == "T strength"
    phq9 = {
        m.context for m in messages(yamlmarks.load((ROOT / "instruments/phq9.yaml").read_bytes()))
    }
    assert {"phq9:items.phq9_1.text", "phq9:option_sets.frequency.2.label"} <= phq9


def test_why_is_a_translator_comment() -> None:
    by_context = {m.context: m for m in messages(yamlmarks.load(EVERY_FIELD.encode()))}
    assert any("T q1 why" in c for c in by_context["every:items.q1.text"].comments)
    assert any("T q1 why" in c for c in by_context["every:items.q1.options.no.label"].comments)
    assert not any("T q1 why" in c for c in by_context["every:items.q1.why"].comments)


def test_registered_as_a_babel_extractor() -> None:
    names = {ep.name for ep in entry_points(group="babel.extractors")}
    assert "screening-instrument" in names
    got = list(extract("screening-instrument", io.BytesIO(EVERY_FIELD.encode())))
    entry = next(m for m in got if m[3] == "every:items.q1.text")
    assert entry[1:] == (
        "T q1 text",
        ["Why we ask (shown with the question): T q1 why"],
        "every:items.q1.text",
    )
    assert entry[0] == EVERY_FIELD.splitlines().index("        text: T q1 text") + 1
