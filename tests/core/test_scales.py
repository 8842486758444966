"""The shipped validated scales score exactly as their publications say.

PHQ-9 (Kroenke, Spitzer & Williams 2001), GAD-7 (Spitzer et al. 2006) and PC-PTSD-5
(Prins et al. 2016) are checked through the command-line contract:

    python -m screening score INSTRUMENT ANSWERS.json --json

ANSWERS.json maps item id -> integer value, null (skipped) or {"declined": true}. The
output is {"scores": {id: {"value", "band", "complete"}}, "flags": [...],
"needs": {domain: {"level", "because", "missing"}}, "strengths": [...]}. An incomplete
score has band null and its partial sum as value, and a need it decides is "unknown".

The expected results come from a reference implementation written here from the
published rules, with the bands as literal tables copied from the publications, not read
from the YAML. A second group of tests reads the YAML only: published band tables, LOINC
codes, and that the official item wording owned by others is not copied.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.paths import ROOT

REPO = ROOT
INSTRUMENTS = REPO / "instruments"

SKIP: None = None
DECLINE: dict[str, bool] = {"declined": True}
MISSING_IDS = ["skipped", "declined", "absent"]

PHQ9_ITEMS = [f"phq9_{i}" for i in range(1, 10)]
GAD7_ITEMS = [f"gad7_{i}" for i in range(1, 8)]
PCPTSD5_GATE = "pcptsd5_gate"
PCPTSD5_ITEMS = [f"pcptsd5_{i}" for i in range(1, 6)]

# --- Published scoring, written out by hand --------------------------------------------

# Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16(9):606-613.
PHQ9_BANDS = (
    (0, 4, "minimal"),
    (5, 9, "mild"),
    (10, 14, "moderate"),
    (15, 19, "moderately_severe"),
    (20, 27, "severe"),
)
# Spitzer RL, Kroenke K, Williams JBW, Löwe B. Arch Intern Med 2006;166(10):1092-1097.
GAD7_BANDS = (
    (0, 4, "minimal"),
    (5, 9, "mild"),
    (10, 14, "moderate"),
    (15, 21, "severe"),
)
# Prins A, et al. J Gen Intern Med 2016;31(10):1206-1211: positive at 3 or more (default).
PCPTSD5_CUTOFF = 3
PCPTSD5_BANDS = ((0, PCPTSD5_CUTOFF - 1, "negative"), (PCPTSD5_CUTOFF, 5, "positive"))
# Both PHQ-9 and GAD-7: 10 or more suggests further assessment.
FURTHER_ASSESSMENT_FROM = 10


def band_of(total: int, table: tuple[tuple[int, int, str], ...]) -> str:
    matches = [band for low, high, band in table if low <= total <= high]
    assert len(matches) == 1, f"{total} is in {len(matches)} bands of {table}"
    return matches[0]


def _ints(answers: Mapping[str, Any], items: list[str]) -> list[int]:
    return [v for i in items if isinstance(v := answers.get(i), int) and not isinstance(v, bool)]


def reference_phq9(answers: Mapping[str, Any]) -> dict[str, Any]:
    values = _ints(answers, PHQ9_ITEMS)
    complete = len(values) == len(PHQ9_ITEMS)
    total = sum(values)
    item9 = answers.get("phq9_9")
    flagged = isinstance(item9, int) and item9 > 0
    if flagged:
        level = "urgent"
    elif complete and total >= FURTHER_ASSESSMENT_FROM:
        level = "some"
    elif not complete:  # item 9 or the total cannot be told: never "none"
        level = "unknown"
    else:
        level = "none"
    return {
        "score": {
            "value": total,
            "band": band_of(total, PHQ9_BANDS) if complete else None,
            "complete": complete,
        },
        "flagged": flagged,
        "level": level,
    }


def reference_gad7(answers: Mapping[str, Any]) -> dict[str, Any]:
    values = _ints(answers, GAD7_ITEMS)
    complete = len(values) == len(GAD7_ITEMS)
    total = sum(values)
    some = complete and total >= FURTHER_ASSESSMENT_FROM
    return {
        "score": {
            "value": total,
            "band": band_of(total, GAD7_BANDS) if complete else None,
            "complete": complete,
        },
        "level": "some" if some else "none" if complete else "unknown",
    }


def reference_pcptsd5(answers: Mapping[str, Any]) -> dict[str, Any]:
    gate = answers.get(PCPTSD5_GATE)
    if gate == 1:
        # Exposure reported: the total counts the "yes" answers to the five items.
        values = _ints(answers, PCPTSD5_ITEMS)
        complete = len(values) == len(PCPTSD5_ITEMS)
        total = sum(values)
    else:
        # "No" ends the screen with a total of 0. A skipped, declined or missing first
        # question leaves the screen incomplete. Either way the five items are not asked,
        # and answers given to them never count.
        complete = gate == 0
        total = 0
    band = band_of(total, PCPTSD5_BANDS) if complete else None
    return {
        "score": {"value": total, "band": band, "complete": complete},
        "level": "some" if band == "positive" else "none" if complete else "unknown",
    }


# --- The command-line contract ----------------------------------------------------------


def score(instrument: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Run `python -m screening score INSTRUMENT FILE --json` and return its JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.json"
        path.write_text(json.dumps(answers), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "screening", "score", instrument, str(path), "--json"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, (
        f"screening score {instrument} exited {done.returncode}\n"
        f"answers: {json.dumps(answers)}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    )
    result = json.loads(done.stdout)
    assert isinstance(result, dict)
    return result


def _id(entry: Any) -> Any:
    """A band or flag is reported by id, or as an object carrying its id."""
    return entry["id"] if isinstance(entry, Mapping) else entry


def score_of(result: Mapping[str, Any], score_id: str) -> dict[str, Any]:
    raw = result["scores"][score_id]
    return {"value": raw["value"], "band": _id(raw["band"]), "complete": raw["complete"]}


def flag_ids(result: Mapping[str, Any]) -> set[str]:
    return {_id(f) for f in result["flags"]}


def need_level(result: Mapping[str, Any], domain: str) -> str:
    level = result["needs"][domain]["level"]
    assert level in {"none", "unknown", "some", "urgent"}
    return str(level)


def check_phq9(answers: Mapping[str, Any]) -> dict[str, Any]:
    result = score("phq9", answers)
    expected = reference_phq9(answers)
    assert score_of(result, "phq9_total") == expected["score"], answers
    assert ("phq9_item9" in flag_ids(result)) is expected["flagged"], answers
    assert need_level(result, "mental_health") == expected["level"], answers
    return result


def check_gad7(answers: Mapping[str, Any]) -> dict[str, Any]:
    result = score("gad7", answers)
    expected = reference_gad7(answers)
    assert score_of(result, "gad7_total") == expected["score"], answers
    assert need_level(result, "mental_health") == expected["level"], answers
    return result


def check_pcptsd5(answers: Mapping[str, Any]) -> dict[str, Any]:
    result = score("pc-ptsd-5", answers)
    expected = reference_pcptsd5(answers)
    assert score_of(result, "pcptsd5_total") == expected["score"], answers
    assert need_level(result, "mental_health") == expected["level"], answers
    return result


def with_total(items: list[str], total: int, top: int, *, from_end: bool) -> dict[str, int]:
    """A full answer set with the given total, filling items from one end."""
    assert 0 <= total <= top * len(items)
    order = list(reversed(items)) if from_end else list(items)
    answers = dict.fromkeys(items, 0)
    left = total
    for item in order:
        answers[item] = min(top, left)
        left -= answers[item]
    assert sum(answers.values()) == total
    return answers


# --- Reference self-checks (fast; no CLI) -----------------------------------------------


def test_reference_band_tables_cover_each_range_once() -> None:
    for table, top in ((PHQ9_BANDS, 27), (GAD7_BANDS, 21), (PCPTSD5_BANDS, 5)):
        for total in range(top + 1):
            band_of(total, table)
        assert table[0][0] == 0
        assert table[-1][1] == top


# --- PHQ-9 -------------------------------------------------------------------------------


@pytest.mark.parametrize("total", range(28))
def test_phq9_every_total_gets_its_published_band(total: int) -> None:
    # Alternate which end carries the points, so item 9 is sometimes 0 and sometimes not.
    answers = with_total(PHQ9_ITEMS, total, 3, from_end=bool(total % 2))
    result = check_phq9(answers)
    assert score_of(result, "phq9_total") == {
        "value": total,
        "band": band_of(total, PHQ9_BANDS),
        "complete": True,
    }


@pytest.mark.parametrize("item9", [0, 1, 2, 3])
def test_phq9_item9_flag_iff_above_zero(item9: int) -> None:
    answers = dict.fromkeys(PHQ9_ITEMS, 0)
    answers["phq9_9"] = item9
    result = check_phq9(answers)
    assert ("phq9_item9" in flag_ids(result)) is (item9 > 0)
    assert need_level(result, "mental_health") == ("urgent" if item9 > 0 else "none")
    if item9 > 0:
        # The need says what led to it.
        assert "phq9_item9" in json.dumps(result["needs"]["mental_health"]["because"])


def test_phq9_item9_flag_does_not_wait_for_a_complete_score() -> None:
    answers: dict[str, Any] = dict.fromkeys(PHQ9_ITEMS, 0)
    answers["phq9_3"] = SKIP
    answers["phq9_5"] = DECLINE
    answers["phq9_9"] = 2
    result = check_phq9(answers)
    assert score_of(result, "phq9_total") == {"value": 2, "band": None, "complete": False}
    assert "phq9_item9" in flag_ids(result)
    assert need_level(result, "mental_health") == "urgent"


@pytest.mark.parametrize("missing", [SKIP, DECLINE], ids=["skipped", "declined"])
def test_phq9_item9_not_answered_raises_no_flag(missing: Any) -> None:
    answers: dict[str, Any] = dict.fromkeys(PHQ9_ITEMS, 1)
    answers["phq9_9"] = missing
    result = check_phq9(answers)
    assert "phq9_item9" not in flag_ids(result)


@pytest.mark.parametrize("missing", [SKIP, DECLINE, "absent"], ids=MISSING_IDS)
@pytest.mark.parametrize("item", PHQ9_ITEMS)
def test_phq9_any_missing_item_makes_the_total_incomplete(item: str, missing: Any) -> None:
    answers: dict[str, Any] = dict.fromkeys(PHQ9_ITEMS, 3)
    if missing == "absent":
        del answers[item]
    else:
        answers[item] = missing
    result = check_phq9(answers)
    # 8 x 3 = 24 is "severe" as a full total, but nothing is imputed and no band is given.
    assert score_of(result, "phq9_total") == {"value": 24, "band": None, "complete": False}


def test_phq9_nothing_answered_is_incomplete_zero() -> None:
    result = check_phq9({})
    assert score_of(result, "phq9_total") == {"value": 0, "band": None, "complete": False}
    assert need_level(result, "mental_health") == "unknown"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_phq9_random_full_answers_match_the_reference(values: list[int]) -> None:
    check_phq9(dict(zip(PHQ9_ITEMS, values, strict=True)))


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 3), st.just(SKIP), st.just(DECLINE)), min_size=9, max_size=9)
)
def test_phq9_random_answers_with_gaps_match_the_reference(values: list[Any]) -> None:
    check_phq9(dict(zip(PHQ9_ITEMS, values, strict=True)))


# --- GAD-7 -------------------------------------------------------------------------------


@pytest.mark.parametrize("total", range(22))
def test_gad7_every_total_gets_its_published_band(total: int) -> None:
    answers = with_total(GAD7_ITEMS, total, 3, from_end=bool(total % 2))
    result = check_gad7(answers)
    assert score_of(result, "gad7_total") == {
        "value": total,
        "band": band_of(total, GAD7_BANDS),
        "complete": True,
    }


@pytest.mark.parametrize("missing", [SKIP, DECLINE], ids=["skipped", "declined"])
@pytest.mark.parametrize("item", GAD7_ITEMS)
def test_gad7_any_missing_item_makes_the_total_incomplete(item: str, missing: Any) -> None:
    answers: dict[str, Any] = dict.fromkeys(GAD7_ITEMS, 2)
    answers[item] = missing
    result = check_gad7(answers)
    # 6 x 2 = 12 would be "moderate" and a need, but an incomplete score compares as nothing.
    assert score_of(result, "gad7_total") == {"value": 12, "band": None, "complete": False}
    assert need_level(result, "mental_health") == "unknown"  # never "none"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=7, max_size=7))
def test_gad7_random_full_answers_match_the_reference(values: list[int]) -> None:
    check_gad7(dict(zip(GAD7_ITEMS, values, strict=True)))


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 3), st.just(SKIP), st.just(DECLINE)), min_size=7, max_size=7)
)
def test_gad7_random_answers_with_gaps_match_the_reference(values: list[Any]) -> None:
    check_gad7(dict(zip(GAD7_ITEMS, values, strict=True)))


# --- PC-PTSD-5 ---------------------------------------------------------------------------


def test_pcptsd5_no_at_the_first_question_is_a_complete_zero() -> None:
    result = check_pcptsd5({PCPTSD5_GATE: 0})
    assert score_of(result, "pcptsd5_total") == {
        "value": 0,
        "band": "negative",
        "complete": True,
    }
    assert need_level(result, "mental_health") == "none"


def test_pcptsd5_answers_to_hidden_items_never_count() -> None:
    answers = {PCPTSD5_GATE: 0, **dict.fromkeys(PCPTSD5_ITEMS, 1)}
    result = check_pcptsd5(answers)
    assert score_of(result, "pcptsd5_total") == {
        "value": 0,
        "band": "negative",
        "complete": True,
    }


@pytest.mark.parametrize("yeses", range(6))
def test_pcptsd5_total_counts_yes_answers_positive_from_three(yeses: int) -> None:
    answers = {PCPTSD5_GATE: 1}
    answers.update({item: int(n < yeses) for n, item in enumerate(PCPTSD5_ITEMS)})
    result = check_pcptsd5(answers)
    positive = yeses >= 3
    assert score_of(result, "pcptsd5_total") == {
        "value": yeses,
        "band": "positive" if positive else "negative",
        "complete": True,
    }
    assert need_level(result, "mental_health") == ("some" if positive else "none")


@pytest.mark.parametrize("gate", [SKIP, DECLINE, "absent"], ids=MISSING_IDS)
def test_pcptsd5_first_question_not_answered_is_incomplete(gate: Any) -> None:
    answers: dict[str, Any] = {} if gate == "absent" else {PCPTSD5_GATE: gate}
    result = check_pcptsd5(answers)
    scored = score_of(result, "pcptsd5_total")
    assert scored["complete"] is False
    assert scored["band"] is None
    assert need_level(result, "mental_health") == "unknown"


@pytest.mark.parametrize("missing", [SKIP, DECLINE, "absent"], ids=MISSING_IDS)
@pytest.mark.parametrize("item", PCPTSD5_ITEMS)
def test_pcptsd5_missing_item_after_yes_is_incomplete(item: str, missing: Any) -> None:
    answers: dict[str, Any] = {PCPTSD5_GATE: 1, **dict.fromkeys(PCPTSD5_ITEMS, 1)}
    if missing == "absent":
        del answers[item]
    else:
        answers[item] = missing
    result = check_pcptsd5(answers)
    # Four "yes" answers would be positive, but an incomplete score has no band.
    assert score_of(result, "pcptsd5_total") == {"value": 4, "band": None, "complete": False}
    assert need_level(result, "mental_health") == "unknown"


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([0, 1]), st.lists(st.sampled_from([0, 1]), min_size=5, max_size=5))
def test_pcptsd5_random_full_answers_match_the_reference(gate: int, values: list[int]) -> None:
    check_pcptsd5({PCPTSD5_GATE: gate, **dict(zip(PCPTSD5_ITEMS, values, strict=True))})


@settings(max_examples=20, deadline=None)
@given(
    st.one_of(st.sampled_from([0, 1]), st.just(SKIP), st.just(DECLINE)),
    st.lists(
        st.one_of(st.sampled_from([0, 1]), st.just(SKIP), st.just(DECLINE)),
        min_size=5,
        max_size=5,
    ),
)
def test_pcptsd5_random_answers_with_gaps_match_the_reference(gate: Any, values: list[Any]) -> None:
    check_pcptsd5({PCPTSD5_GATE: gate, **dict(zip(PCPTSD5_ITEMS, values, strict=True))})


# --- The YAML itself (no CLI) ----------------------------------------------------------


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((INSTRUMENTS / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def items_of(instrument: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for s in instrument["sections"] for item in s["items"]}


def options_of(instrument: Mapping[str, Any], item: Mapping[str, Any]) -> list[dict[str, Any]]:
    options = item["options"]
    return instrument["option_sets"][options] if isinstance(options, str) else options


def loinc(codes: list[dict[str, str]] | None) -> list[str]:
    return [c["code"] for c in codes or [] if c["system"] == "http://loinc.org"]


@pytest.mark.parametrize(
    ("name", "score_id", "table"),
    [("phq9", "phq9_total", PHQ9_BANDS), ("gad7", "gad7_total", GAD7_BANDS)],
)
def test_yaml_bands_are_the_published_ones(name: str, score_id: str, table: Any) -> None:
    instrument = load(name)
    (total,) = [s for s in instrument["scores"] if s["id"] == score_id]
    assert [(b["min"], b["max"], b["id"]) for b in total["bands"]] == list(table)


def test_yaml_pcptsd5_cut_point_is_a_parameter_defaulting_to_three() -> None:
    instrument = load("pc-ptsd-5")
    (param,) = instrument["parameters"]
    assert param == {**param, "id": "pcptsd5_cutoff", "default": 3, "min": 1, "max": 5}
    (total,) = instrument["scores"]
    assert total["sum"] == PCPTSD5_ITEMS
    assert total["requires"] == [PCPTSD5_GATE]
    assert total["not_shown"] == "zero"
    assert [(b["id"], b["min"], b["max"]) for b in total["bands"]] == [
        ("negative", 0, {"param": "pcptsd5_cutoff", "add": -1}),
        ("positive", {"param": "pcptsd5_cutoff"}, 5),
    ]


@pytest.mark.parametrize(
    ("name", "item_ids", "values"),
    [
        ("phq9", PHQ9_ITEMS, [0, 1, 2, 3]),
        ("gad7", GAD7_ITEMS, [0, 1, 2, 3]),
        ("pc-ptsd-5", [PCPTSD5_GATE, *PCPTSD5_ITEMS], [0, 1]),
    ],
)
def test_yaml_items_and_published_item_values(
    name: str, item_ids: list[str], values: list[int]
) -> None:
    instrument = load(name)
    items = items_of(instrument)
    assert list(items) == item_ids
    for item in items.values():
        assert item["type"] == "single"
        assert item["why"].strip()
        options = options_of(instrument, item)
        assert sorted(o["value"] for o in options) == values
        assert all("score" not in o for o in options), "the integer value is the item score"


def test_yaml_validated_status_and_honest_provenance() -> None:
    for name in ("phq9", "gad7", "pc-ptsd-5"):
        instrument = load(name)
        assert instrument["codesign"]["status"] == "validated"
        notes = instrument["codesign"]["notes"].lower()
        assert "our own short labels" in notes
        assert "official wording" in notes
        assert instrument["source"]["citation"].strip()
        assert instrument["source"]["official_text"].strip()


@pytest.mark.parametrize("name", ["phq9", "gad7", "pc-ptsd-5"])
def test_yaml_band_labels_describe_a_screen_not_a_diagnosis(name: str) -> None:
    for total in load(name)["scores"]:
        for band in total["bands"]:
            label = band["label"].lower()
            for word in ("depress", "anxiety", "ptsd", "disorder", "diagnos"):
                assert word not in label, f"{name} {band['id']}: {band['label']!r}"
            positive = band["id"] in {"moderate", "moderately_severe", "severe", "positive"}
            assert ("screen positive" in label) is positive, band


# LOINC codes confirmed item by item against public sources (see each YAML file's header).
EXPECTED_LOINC = {
    "phq9": {
        "": ["44249-1"],
        "phq9_total": ["44261-6"],
        **dict(
            zip(
                PHQ9_ITEMS,
                [
                    ["44250-9"],
                    ["44255-8"],
                    ["44259-0"],
                    ["44254-1"],
                    ["44251-7"],
                    ["44258-2"],
                    ["44252-5"],
                    ["44253-3"],
                    ["44260-8"],
                ],
                strict=True,
            )
        ),
    },
    "gad7": {
        "": ["69737-5"],
        "gad7_total": ["70274-6"],
        **dict(
            zip(
                GAD7_ITEMS,
                [
                    ["69725-0"],
                    ["68509-9"],
                    ["69733-4"],
                    ["69734-2"],
                    ["69735-9"],
                    ["69689-8"],
                    ["69736-7"],
                ],
                strict=True,
            )
        ),
    },
    "pc-ptsd-5": {
        "": ["102010-6"],
        "pcptsd5_total": ["102017-1"],
        PCPTSD5_GATE: ["102011-4"],
        **dict(
            zip(
                PCPTSD5_ITEMS,
                [["102012-2"], ["102013-0"], ["102014-8"], ["102015-5"], ["102016-3"]],
                strict=True,
            )
        ),
    },
}


def loinc_check_digit(number: str) -> int:
    """LOINC's mod-10 check digit (LOINC Users' Guide)."""
    rev = number[::-1]
    odd = str(int(rev[0::2][::-1]) * 2)
    even = rev[1::2][::-1]
    total = sum(int(d) for d in even + odd)
    return (10 - total % 10) % 10


@pytest.mark.parametrize("name", list(EXPECTED_LOINC))
def test_yaml_loinc_codes_are_the_confirmed_ones(name: str) -> None:
    instrument = load(name)
    found = {"": loinc(instrument.get("codes"))}
    found.update({s["id"]: loinc(s.get("codes")) for s in instrument["scores"]})
    found.update({i: loinc(item.get("codes")) for i, item in items_of(instrument).items()})
    assert found == EXPECTED_LOINC[name]
    for codes in found.values():
        for code in codes:
            number, digit = code.split("-")
            assert loinc_check_digit(number) == int(digit), code


# Distinctive fragments of the official wording (owned by others). They appear here only
# as what must NOT be in our files.
OFFICIAL_FRAGMENTS = {
    "phq9": [
        "little interest or pleasure",
        "down, depressed",
        "depressed, or hopeless",
        "falling or staying asleep",
        "tired or having little energy",
        "poor appetite or overeating",
        "feeling bad about yourself",
        "you are a failure",
        "let yourself or your family down",
        "trouble concentrating",
        "reading the newspaper",
        "moving or speaking so slowly",
        "so fidgety or restless",
        "better off dead",
        "hurting yourself in some way",
        "bothered by any of the following",
        "several days",
        "more than half the days",
        "nearly every day",
    ],
    "gad7": [
        "nervous, anxious",
        "anxious, or on edge",
        "anxious or on edge",
        "stop or control worrying",
        "worrying too much about different things",
        "trouble relaxing",
        "hard to sit still",
        "easily annoyed or irritable",
        "something awful might happen",
        "bothered by the following",
        "several days",
        "more than half the days",
        "nearly every day",
    ],
    "pc-ptsd-5": [
        "unusually or especially frightening",
        "horrible, or traumatic",
        "experienced this kind of event",
        "serious accident or fire",
        "nightmares about the event",
        "thought about the event",
        "tried hard not to think",
        "out of your way to avoid",
        "constantly on guard",
        "watchful, or easily startled",
        "numb or detached",
        "unable to stop blaming",
    ],
}


@pytest.mark.parametrize("name", list(OFFICIAL_FRAGMENTS))
def test_yaml_does_not_copy_the_official_wording(name: str) -> None:
    text = (INSTRUMENTS / f"{name}.yaml").read_text(encoding="utf-8")
    flat = re.sub(r"\s+", " ", text.replace("—", " ").replace("-", " ")).lower()
    for fragment in OFFICIAL_FRAGMENTS[name]:
        needle = re.sub(r"\s+", " ", fragment.replace("-", " ")).lower()
        assert needle not in flat, f"{name}.yaml contains official wording: {fragment!r}"
