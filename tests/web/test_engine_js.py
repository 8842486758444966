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
from hypothesis import given, note, settings
from hypothesis import strategies as st

from screening.core.answers import AnswerError, parse_answer
from screening.core.compiled import FORMAT, VERSION, compile_instrument
from screening.core.model import Item
from screening.load import catalog
from screening.load.loader import load_bytes
from screening.services.interviews import for_mode
from tests.support import engine_features
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
RUNS = int(os.environ.get("ENGINE_DIFF_RUNS", "2"))
# A bounded sample by default (the whole file in about half a minute); the "full"
# profile runs its own number of examples.
FULL = os.environ.get("HYPOTHESIS_PROFILE") == "full"
SAMPLE = settings(max_examples=settings().max_examples if FULL else 15)


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


@SAMPLE
@given(cases(), st.integers(0, 2**32 - 1), st.data())
def test_generated_instruments_walk_and_score_the_same(
    node: NodeEngine, case: Case, seed: int, data: st.DataObject
) -> None:
    rnd = random.Random(seed)  # a seed, not st.randoms: the walk stays the same on replay
    changes = data.draw(answer_sets(case.spec), label="changes")
    driven = drive([case.instrument], case.raw, rnd, choices=case.choices, changes=changes)
    note(f"actions: {driven.actions}")
    _check(node, [driven])


FEATURED = {
    name: load_bytes(getattr(engine_features, name.upper()).encode(), f"{name}.yaml")
    for name in ("features", "other", "deriving")
}
COMBINATIONS = (("features",), ("features", "other", "deriving"), ("other", "features", "deriving"))


@SAMPLE
@given(st.sampled_from(COMBINATIONS), st.integers(0, 2**32 - 1))
def test_notes_derived_values_and_ask_once_walk_and_score_the_same(
    node: NodeEngine, names: tuple[str, ...], seed: int
) -> None:
    rnd = random.Random(seed)
    instruments = [FEATURED[n] for n in names]
    items = [i for ins in instruments for i in ins.iter_items()]
    plan = {i.id: random_answer(i, rnd) for i in items}
    changes = {i.id: random_answer(i, rnd) for i in items}
    driven = drive(instruments, plan, rnd, changes=changes)
    note(f"actions: {driven.actions}")
    _check(node, [driven])


def _private(spec: str) -> bool:
    return all("private" in i.audiences for i in catalog.resolve(spec))


# every shipped instrument and bundle in worker mode, and in private mode those that allow it
SHIPPED_MODES = [(spec, "worker") for spec in SHIPPED + BUNDLES] + [
    (spec, "private") for spec in SHIPPED + BUNDLES if _private(spec)
]


@pytest.mark.parametrize(("spec", "mode"), SHIPPED_MODES)
def test_shipped_instruments_walk_and_score_the_same(
    node: NodeEngine, spec: str, mode: str
) -> None:
    instruments = for_mode(catalog.resolve(spec), mode)
    rnd = random.Random(f"{spec}/{mode}")
    drives = []
    for _ in range(RUNS):
        plan = {i.id: random_answer(i, rnd) for ins in instruments for i in ins.iter_items()}
        changes = {i.id: random_answer(i, rnd) for ins in instruments for i in ins.iter_items()}
        drives.append(drive(instruments, plan, rnd, changes=changes))
    _check(node, drives)


def _candidates(item: Item, rnd: random.Random) -> list[object]:
    """Answers that fit the item and answers that do not (wrong type, out of range, a
    number written as text, a repeated or exclusive option, a bad date, too long). A
    whole float is left out: JSON cannot tell 2.0 from 2 in the browser."""
    values = [random_answer(item, rnd) for _ in range(6)]
    wrong: list[object] = [None, {"declined": True}, {"declined": False}, {}, True, "", 2.5]
    wrong += [-1e16, 1e16, 10**6, -(10**6), "2026-02-30", "2026-2-3", "0001-01-01", []]
    wrong += [str(v) for v in item.values] + [[v, v] for v in item.values]
    wrong += [[o.value for o in item.options], ["zz"], "ab" * 300, "é" * item.max_length]
    wrong += [int(v) for v in item.values if isinstance(v, str) and v.lstrip("-").isdigit()]
    if item.max is not None and not isinstance(item.max, str):
        wrong += [float(item.max) + 0.5, item.max]
    return values + wrong


def test_answers_are_taken_or_refused_alike(node: NodeEngine) -> None:
    asks: list[list[object]] = []
    expected = []
    compiled = {}
    rnd = random.Random(19)
    for spec in (*SHIPPED, "features", "other", "deriving"):
        instrument = FEATURED[spec] if spec in FEATURED else catalog.resolve(spec)[0]
        compiled[instrument.id] = compile_instrument(instrument)
        for item in instrument.iter_items():
            for raw in _candidates(item, rnd):
                try:
                    parse_answer(item, raw)
                    expected.append(True)
                except AnswerError:
                    expected.append(False)
                asks.append([instrument.id, item.id, raw])
    got = node.run_parse(compiled, asks)
    wrong = [(a[1], a[2], e) for a, e, g in zip(asks, expected, got, strict=True) if e != g]
    assert not wrong, wrong[:10]
    assert True in expected and False in expected


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
