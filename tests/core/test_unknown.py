"""Unknown is not none: a need the answers cannot tell is ``unknown``, never ``none``.

Properties over random valid instruments and answers (tests/support/reference.py):

- ``none`` is never a guess: whatever values the skipped, declined and unanswered
  questions are given, a need the engine called ``none`` stays ``none``; and once every
  question has a value (and every score is complete), no need is ``unknown``.
- a need whose rule reads a question that was asked and not answered (skipped, declined,
  left open) or an incomplete score, and whose rules do not hold, is ``unknown``.
- merging instruments ranks urgent > some > unknown > none.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from screening.core import interview as iv
from screening.core.answers import DECLINED, SKIPPED
from screening.core.route import Interview
from screening.core.scoring import LEVELS, NeedResult, merge_needs
from screening.load.catalog import resolve
from screening.load.loader import load_bytes
from tests.support.builders import instrument_yaml, make
from tests.support.reference import NONE, Case, cases, has_value, ref_answer, valid_answers

RANK = ["none", "unknown", "some", "urgent"]


def _level(case: Case, raw: dict[str, object]) -> dict[str, str]:
    result = iv.result(case.interview, case.state(raw)).to_json()
    return {k: v["level"] for k, v in result["needs"].items()}


@given(cases(), st.data())
def test_none_is_never_a_guess(case: Case, data: st.DataObject) -> None:
    before = _level(case, case.raw)
    completed = dict(case.raw)
    for item_id in case.spec.order:
        if not has_value(ref_answer(completed.get(item_id))):
            completed[item_id] = data.draw(valid_answers(case.spec, item_id), label=item_id)
    after = _level(case, completed)
    scored = iv.result(case.interview, case.state(completed)).scores.values()
    if all(s.complete for s in scored):  # a required item may be hidden: still incomplete
        assert "unknown" not in after.values(), after
    for need_id, level in before.items():
        if level == "none":
            assert after[need_id] == "none", need_id


def _leaves(rule: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The tests of a rule that is one test or an ``any`` of tests; None otherwise."""
    if "any" in rule:
        parts = rule["any"]
        return parts if all(not {"all", "any", "not"} & set(p) for p in parts) else None
    return None if {"all", "not"} & set(rule) else [rule]


@given(cases())
def test_a_missing_answer_a_rule_reads_makes_the_need_unknown(case: Case) -> None:
    route = case.route()
    result = iv.result(case.interview, case.state()).to_json()
    for need in case.spec.needs:
        got = result["needs"][need["id"]]
        if got["level"] in ("some", "urgent"):
            continue
        rules = [need[k] for k in ("urgent_if", "some_if") if k in need]
        tests = [_leaves(r) for r in rules]
        if any(t is None for t in tests):
            continue
        missing = False
        for test in (t for ts in tests if ts for t in ts):
            if "item" in test:
                shown = test["item"] in route.visited
                missing |= shown and not has_value(route.values.get(test["item"], NONE))
            elif "score" in test:
                missing |= not result["scores"][test["score"]]["complete"]
        if missing:
            assert got["level"] == "unknown", need["id"]
            assert got["missing"], need["id"]


# --- merging ----------------------------------------------------------------------------

# One instrument per letter, each with the need "shared"; its one answer sets the level.
ANSWER_FOR = {"urgent": "yes", "some": "no", "unknown": {"declined": True}, "none": "unsure"}


def _instrument(letter: str) -> Any:
    text = instrument_yaml(
        f"""\
        sections:
          - id: s
            title: S
            items:
              - {{id: {letter}_q, type: yes_no, unsure: true, text: Q?, why: W.}}
        needs:
          - id: shared
            label: Shared
            urgent_if: {{item: {letter}_q, equals: "yes"}}
            some_if: {{item: {letter}_q, equals: "no"}}
        """
    ).replace("id: test", f"id: {letter}", 1)
    return load_bytes(text.encode(), f"{letter}.yaml")


INSTRUMENTS = {letter: _instrument(letter) for letter in "abc"}


@given(st.lists(st.sampled_from(RANK), min_size=1, max_size=3))
def test_merging_ranks_urgent_some_unknown_none(levels: list[str]) -> None:
    chosen = [INSTRUMENTS[letter] for letter in "abc"[: len(levels)]]
    session = Interview(chosen)
    raw = {f"{ins.id}_q": ANSWER_FOR[level] for ins, level in zip(chosen, levels, strict=True)}
    answers = {
        k: DECLINED if v == {"declined": True} else v for k, v in raw.items() if v is not None
    }
    need = iv.result(session, iv.State(answers=answers)).needs["shared"]
    assert need.level == max(levels, key=RANK.index)
    if need.level == "unknown":
        declined = [f"item:{k}" for k, v in answers.items() if v is DECLINED]
        assert dict(need.missing) == dict.fromkeys(declined, "declined")


@given(st.sampled_from(RANK), st.sampled_from(RANK))
def test_merge_needs_keeps_the_higher_level(a: str, b: str) -> None:
    first = NeedResult("n", a, ("item:x",) if a != "none" else ())
    second = NeedResult("n", b, ("item:y",) if b != "none" else ())
    merged = merge_needs(first, second)
    assert merged.level == merge_needs(second, first).level == max(a, b, key=RANK.index)
    assert tuple(RANK) == LEVELS


# --- the validated scale of the issue ------------------------------------------------


def test_phq9_with_item_9_declined_is_unknown_not_none() -> None:
    session = Interview(resolve("phq9"))
    answers: dict[str, Any] = {f"phq9_{n}": 3 for n in range(1, 9)}
    answers["phq9_9"] = DECLINED
    result = iv.result(session, iv.State(answers=answers))
    need = result.needs["mental_health"]
    assert result.scores["phq9_total"].complete is False
    assert need.level == "unknown"
    assert dict(need.missing) == {"item:phq9_9": "declined", "score:phq9_total": "incomplete"}
    # Skipped instead of declined: the same, with its own reason.
    answers["phq9_9"] = SKIPPED
    need = iv.result(session, iv.State(answers=answers)).needs["mental_health"]
    assert need.level == "unknown" and dict(need.missing)["item:phq9_9"] == "skipped"
    # Answered "not at all": the score is complete and the need is told (some: 24 >= 10).
    answers["phq9_9"] = 0
    need = iv.result(session, iv.State(answers=answers)).needs["mental_health"]
    assert need.level == "some" and need.missing == ()


def test_a_follow_up_not_asked_because_its_gate_was_skipped_traces_to_the_gate() -> None:
    ins = make(
        """\
        sections:
          - id: s
            title: S
            items:
              - id: safe
                type: single
                text: Safe tonight?
                why: W.
                options: [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]
              - id: want
                type: yes_no
                text: Want a place?
                why: W.
                show_if: {item: safe, equals: "no"}
        needs:
          - id: housing
            label: Housing
            some_if: {item: want, equals: "yes"}
        """
    )
    session = Interview([ins])
    need = iv.result(session, iv.State(answers={"safe": SKIPPED})).needs["housing"]
    assert need.level == "unknown"
    assert dict(need.missing) == {"item:safe": "skipped"}
    # Told "yes": the follow-up is rightly not asked, and the need is none.
    assert iv.result(session, iv.State(answers={"safe": "yes"})).needs["housing"].level == "none"
