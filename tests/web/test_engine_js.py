"""The browser engine (screening/web/static/engine/engine.js) equals the Python engine.

Differential tests (issue 19): an interview is driven in Python (answers, skips,
"prefer not to say", content warnings entered or skipped, help acknowledged, notes and
education passed, earlier answers changed), and the same actions are replayed in the
JavaScript engine under Node; every step (screen, item, section, warning, urgent flags,
progress, notes, ask once) and every result (scores, bands, flags, needs with their
``unknown`` level and what is missing, strengths, derived values, and what explains
each) must be the same. Hypothesis writes the instruments (tests/support/reference.py);
every shipped instrument is driven too, alone and in the bundles the service runs.

The default profile runs a bounded sample; ``HYPOTHESIS_PROFILE=full`` runs thousands,
and ``ENGINE_DIFF_RUNS`` sets how many random interviews each shipped one gets.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from screening.core.compiled import FORMAT, VERSION, compile_instrument
from screening.core.route import InterviewError
from screening.load import catalog
from screening.services.interviews import for_mode
from tests.support.enginediff import NodeEngine, drive, mismatch, random_answer
from tests.support.reference import Case, answer_sets, cases

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node")

SHIPPED = (
    "needs-assessment",
    "youth-check-in",
    "phq9",
    "gad7",
    "pc-ptsd-5",
    "observation-checklist",
)
BUNDLES = (
    "needs-assessment,phq9,gad7,pc-ptsd-5",
    "youth-check-in,phq9",
    "phq9,needs-assessment",
    "gad7,phq9",
)
RUNS = int(os.environ.get("ENGINE_DIFF_RUNS", "5"))


@pytest.fixture(scope="module")
def node() -> Iterator[NodeEngine]:
    engine = NodeEngine()
    yield engine
    engine.close()


def _check(node: NodeEngine, drives: list) -> None:
    results = node.run([d.case() for d in drives])
    for d, got in zip(drives, results, strict=True):
        problem = mismatch(d.seen, got, d.actions)
        assert not problem, f"{[i.id for i in d.instruments]}: {problem}\nactions: {d.actions}"


@given(cases(), st.randoms(use_true_random=False), st.data())
def test_generated_instruments_walk_and_score_the_same(
    node: NodeEngine, case: Case, rnd: random.Random, data: st.DataObject
) -> None:
    changes = data.draw(answer_sets(case.spec), label="changes")
    driven = drive([case.instrument], case.raw, rnd, choices=case.choices, changes=changes)
    note(f"actions: {driven.actions}")
    _check(node, [driven])


@pytest.mark.parametrize("mode", ["worker", "private"])
@pytest.mark.parametrize("spec", SHIPPED + BUNDLES)
def test_shipped_instruments_walk_and_score_the_same(
    node: NodeEngine, spec: str, mode: str
) -> None:
    instruments = for_mode(catalog.resolve(spec), mode)
    if mode == "private" and any("private" not in i.audiences for i in catalog.resolve(spec)):
        pytest.skip(f"{spec} is not asked in a private check-in")
    try:
        drive(instruments, {}, random.Random(0))
    except InterviewError:
        pytest.skip(f"{spec} cannot run as one interview")
    rnd = random.Random(f"{spec}/{mode}")
    drives = []
    for _ in range(RUNS):
        plan = {i.id: random_answer(i, rnd) for ins in instruments for i in ins.iter_items()}
        changes = {i.id: random_answer(i, rnd) for ins in instruments for i in ins.iter_items()}
        drives.append(drive(instruments, plan, rnd, changes=changes))
    _check(node, drives)


def test_the_compiled_form_is_versioned_json() -> None:
    compiled = compile_instrument(catalog.resolve("phq9")[0])
    assert compiled["format"] == FORMAT and compiled["version"] == VERSION == 1
    assert compiled["id"] == "phq9" and compiled["validated"] is True
    item = compiled["sections"][0]["items"][0]
    assert {"id", "type", "text", "options"} <= set(item)
    assert "codes" not in item and "print_as" not in item  # what only the server needs


def test_the_engine_refuses_an_unknown_version(node: NodeEngine) -> None:
    compiled = compile_instrument(catalog.resolve("gad7")[0])
    [got] = node.run([{"instruments": [{**compiled, "version": 99}], "actions": []}])
    assert got[0]["error"].startswith("bad-compiled")
