"""Benchmark the screening engine on a large generated instrument.

Run by hand (not part of the test suite)::

    uv run python bench/bench_engine.py            # full: 10,000 answer sets, 30 loads
    uv run python bench/bench_engine.py --quick    # 1,000 answer sets, 5 loads (< 1 minute)
    uv run python bench/bench_engine.py --json     # also print the figures as JSON
    uv run python bench/bench_engine.py --profile  # also cProfile the scoring loop
    uv run python bench/bench_engine.py --keep /tmp/bench-300.yaml   # keep the instrument

It generates (seeded, so every run sees the same file) a realistic 300-item instrument,
checks that it loads with no problems, then times loading, scoring and next_step, each
next to a plain-Python baseline. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import importlib.metadata
import io
import json
import platform
import pstats
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from screening.core.answers import numeric_value, parse_answer
from screening.core.interview import State, next_step, result
from screening.core.model import Instrument
from screening.core.route import Interview
from screening.load.loader import check_file, load_file

SEED = 2026
N_ITEMS = 300
N_SECTIONS = 15
SHOW_IF_SHARE = 0.30
ROUNDS = 3  # passes over the answer sets per measure
CHUNK = 250  # answer sets timed together; each chunk's fastest pass counts

# --- a deterministic, realistic instrument -------------------------------------------

_WORD_TEXT = (
    "safe home food sleep money work school family friends children health doctor "
    "medicine worry feel week month often help support trust place stay talk phone "
    "papers court police legal benefits rent debt partner body pain tired alone calm "
    "angry scared hopeful rest eat drink use need want someone about right now past "
    "last days usually people worker service care able keep find get have know"
)
_WORDS = tuple(_WORD_TEXT.split())

_TOPICS = (
    "safety_now",
    "housing",
    "food_money",
    "health",
    "sleep",
    "mood",
    "worry",
    "stress_reactions",
    "substance_use",
    "relationships",
    "children_family",
    "legal_papers",
    "work_learning",
    "support_network",
    "hopes_next_steps",
)


@dataclass
class _Info:
    """What the generator knows about one item (to write conditions, scores, answers)."""

    id: str
    type: str
    section: int
    conditional: bool
    skippable: bool = True
    values: list[Any] = field(default_factory=list)  # option values (choice items)
    exclusive: set[Any] = field(default_factory=set)
    scores: dict[Any, int] | None = None  # option score, when options carry one
    points: list[int] = field(default_factory=list)  # scale points
    low: float | None = None  # number / date bounds
    high: float | None = None
    integer: bool = False
    dates: tuple[str, str] | None = None
    max_length: int = 500

    @property
    def numeric(self) -> bool:
        """Comparable with gt/gte/... and usable in a score."""
        if self.type == "scale":
            return True
        if self.type == "single":
            return self.scores is not None or all(isinstance(v, int) for v in self.values)
        if self.type == "multiple":
            return self.scores is not None
        return self.type == "number" and self.integer and self.low is not None

    def span(self) -> tuple[int, int]:
        """Lowest and highest number the item can add to a score."""
        if self.type == "scale":
            return min(self.points), max(self.points)
        if self.type == "number":
            return int(self.low or 0), int(self.high or 0)
        if self.type == "multiple":
            assert self.scores is not None
            free = [s for v, s in self.scores.items() if v not in self.exclusive]
            alone = [s for v, s in self.scores.items() if v in self.exclusive]
            low = sum(s for s in free if s < 0)
            high = sum(s for s in free if s > 0)
            return min([low, *alone]), max([high, *alone])
        nums = list(self.scores.values()) if self.scores is not None else self.values
        return min(nums), max(nums)

    def numbers(self) -> list[int]:
        """Numbers worth comparing with (for gt/gte/lt/lte in conditions)."""
        if self.type == "scale":
            return self.points
        if self.type == "number":
            return list(range(int(self.low or 0), int(self.high or 0) + 1))
        if self.scores is not None:
            return sorted(set(self.scores.values()))
        return sorted(self.values)


def _topic(section: int) -> str:
    """Section names: the 15 topics, then the same again with a number (sports_2)."""
    topic = _TOPICS[section % len(_TOPICS)]
    return topic if section < len(_TOPICS) else f"{topic}_{section // len(_TOPICS) + 1}"


class InstrumentGenerator:
    """Builds the instrument as plain data, then YAML text. Same seed, same file."""

    def __init__(self, seed: int = SEED, n_items: int = N_ITEMS, n_sections: int | None = None):
        self.rng = random.Random(seed)
        self.n_items = n_items
        # Everything but the items grows with the file: sections, warnings, gated sections,
        # scores, flags, needs and strengths, N_ITEMS items' worth of each (at least one).
        self.scale = max(1, round(n_items / N_ITEMS))
        self.n_sections = n_sections or N_SECTIONS * self.scale
        self.section_scale = max(1, round(self.n_sections / N_SECTIONS))
        self.items: list[_Info] = []
        self.score_bands: dict[str, list[str]] = {}
        self.score_span: dict[str, tuple[int, int]] = {}
        self.param_default = 0

    # words ------------------------------------------------------------------------------
    def _text(self, low: int, high: int, end: str = ".") -> str:
        words = self.rng.choices(_WORDS, k=self.rng.randint(low, high))
        return " ".join(words).capitalize() + end

    def _label(self) -> str:
        return self._text(2, 6, "")

    # items ------------------------------------------------------------------------------
    def _item(self, section: int, index: int) -> tuple[dict[str, Any], _Info]:
        rng = self.rng
        kind = rng.choices(
            ("single", "multiple", "scale", "yes_no", "number", "date", "text"),
            weights=(22, 12, 28, 20, 8, 4, 6),
        )[0]
        item_id = f"{_topic(section)}_{index + 1:02d}"
        raw: dict[str, Any] = {
            "id": item_id,
            "type": kind,
            "text": self._text(6, 16, "?"),
            "why": self._text(8, 22),
        }
        info = _Info(item_id, kind, section, conditional=False)
        if rng.random() < 0.15:
            raw["help"] = self._text(10, 30)
        if kind == "single":
            n = rng.randint(3, 7)
            flavour = rng.random()
            if flavour < 0.45:  # ordered, integer values: each value is its own score
                info.values = list(range(n))
                raw["options"] = [{"value": v, "label": self._label()} for v in info.values]
            elif flavour < 0.75:  # text values with an explicit score
                info.values = [f"opt_{chr(97 + i)}" for i in range(n)]
                info.scores = {v: i for i, v in enumerate(info.values)}
                raw["options"] = [
                    {"value": v, "label": self._label(), "score": info.scores[v]}
                    for v in info.values
                ]
            else:  # nominal, not scored
                info.values = rng.sample(_WORDS, n)
                raw["options"] = [{"value": v, "label": self._label()} for v in info.values]
        elif kind == "multiple":
            n = rng.randint(4, 8)
            info.values = [f"{w}_{i}" for i, w in enumerate(rng.sample(_WORDS, n))]
            scored = rng.random() < 0.5
            options = []
            for v in info.values:
                option: dict[str, Any] = {"value": v, "label": self._label()}
                if scored:
                    option["score"] = rng.randint(1, 3)
                options.append(option)
            if rng.random() < 0.6:
                info.values.append("none")
                info.exclusive.add("none")
                none: dict[str, Any] = {"value": "none", "label": "None of these"}
                none["exclusive"] = True
                if scored:
                    none["score"] = 0
                options.append(none)
            if scored:
                info.scores = {o["value"]: o["score"] for o in options}
            raw["options"] = options
        elif kind == "scale":
            form = rng.random()
            if form < 0.45:
                raw["options"] = "frequency"
                info.points = info.values = [0, 1, 2, 3]
            elif form < 0.65:
                raw["options"] = "agreement"
                info.points = info.values = [1, 2, 3, 4, 5]
            else:
                low, high = rng.choice(((0, 10), (1, 7), (0, 4), (1, 10)))
                raw.update(min=low, max=high, min_label=self._label(), max_label=self._label())
                info.points = info.values = list(range(low, high + 1))
        elif kind == "yes_no":
            info.values = ["yes", "no"]
            if rng.random() < 0.4:
                raw["unsure"] = True
                info.values.append("unsure")
        elif kind == "number":
            if rng.random() < 0.75:
                low, high, unit = rng.choice(((0, 7, "days"), (0, 30, "days"), (0, 20, "people")))
                raw.update(integer=True, min=low, max=high, unit=unit)
                info.integer = True
            else:
                low, high = 0, 24
                raw.update(min=low, max=high, unit="hours")
            info.low, info.high = low, high
        elif kind == "date":
            if rng.random() < 0.5:
                info.dates = ("2000-01-01", "2030-12-31")
                raw.update(min=info.dates[0], max=info.dates[1])
        elif kind == "text" and rng.random() < 0.5:
            info.max_length = rng.choice((100, 200, 1000))
            raw["max_length"] = info.max_length
        return raw, info

    # conditions -------------------------------------------------------------------------
    def _leaf(self, it: _Info, *, state_tests: bool = True) -> dict[str, Any]:
        rng = self.rng
        ref: dict[str, Any] = {"item": it.id}
        if it.type in ("date", "text"):
            return {**ref, "answered": True}
        if state_tests and it.skippable and rng.random() < 0.04:
            return {**ref, rng.choice(("skipped", "declined")): True}
        if state_tests and rng.random() < 0.04:
            return {**ref, "answered": True}
        if it.type == "yes_no":
            if "unsure" in it.values and rng.random() < 0.4:
                return {**ref, "in": ["no", "unsure"]}
            return {**ref, "equals": rng.choice(("yes", "no"))}
        if it.type == "multiple":
            return {**ref, "includes": rng.choice([v for v in it.values if v not in it.exclusive])}
        if it.type == "number":
            numbers = it.numbers()
            if rng.random() < 0.7:
                return {**ref, "gt": rng.choice(numbers[:-1])}
            return {**ref, "lt": rng.choice(numbers[1:])}
        if it.numeric and rng.random() < 0.6:
            numbers = it.numbers()
            op = rng.choice(("gte", "gte", "gt", "lte"))
            pool = numbers[1:] if op == "gte" else numbers[:-1]
            return {**ref, op: rng.choice(pool)}
        if len(it.values) >= 3 and rng.random() < 0.3:
            return {**ref, "in": rng.sample(it.values, 2)}
        return {**ref, "equals": rng.choice(it.values)}

    def _pick(self, pool: Sequence[_Info], k: int) -> list[_Info]:
        """Up to k distinct items, mostly recent ones (conditions look a little way back)."""
        recent = list(pool[-25:])
        chosen: list[_Info] = []
        while len(chosen) < min(k, len(pool)):
            source = recent if self.rng.random() < 0.8 else pool
            candidate = self.rng.choice(source)
            if candidate not in chosen:
                chosen.append(candidate)
        return chosen

    def _condition(self, pool: Sequence[_Info]) -> dict[str, Any]:
        """A show_if over distinct earlier items, so it can always be satisfied."""
        shape = self.rng.random()
        picks = self._pick(pool, 4)
        leaf = self._leaf
        if shape < 0.55 or len(picks) < 3:
            return leaf(picks[0])
        if shape < 0.75:
            return {self.rng.choice(("all", "any")): [leaf(p) for p in picks[:3]]}
        if shape < 0.87:
            return {"all": [leaf(picks[0]), {"any": [leaf(picks[1]), leaf(picks[2])]}]}
        if shape < 0.94:
            return {"any": [leaf(picks[0]), {"not": leaf(picks[1], state_tests=False)}]}
        return {
            "not": {"any": [leaf(picks[0], state_tests=False), leaf(picks[1], state_tests=False)]}
        }

    # sections ---------------------------------------------------------------------------
    def _sections(self) -> list[dict[str, Any]]:
        rng = self.rng
        sizes = [self.n_items // self.n_sections] * self.n_sections
        for _ in range(40 * self.section_scale):  # uneven sizes, same total
            a, b = rng.sample(range(self.n_sections), 2)
            if sizes[a] > 8:
                sizes[a] -= 1
                sizes[b] += 1
        warned = set(rng.sample(range(1, self.n_sections), 3 * self.section_scale))
        gated = set(
            rng.sample(
                [s for s in range(2, self.n_sections) if s not in warned], 2 * self.section_scale
            )
        )
        sections = []
        for s, size in enumerate(sizes):
            section: dict[str, Any] = {"id": _topic(s), "title": self._label()}
            if rng.random() < 0.4:
                section["intro"] = self._text(10, 25)
            if s in warned:
                section["content_warning"] = (
                    f"The next questions are about {_TOPICS[s % len(_TOPICS)].replace('_', ' ')}. "
                    "You can skip them."
                )
            excluded: set[str] = set()
            if s in gated:
                gate = self._condition(self.items)
                section["show_if"] = gate
                excluded = set(_item_refs(gate))
            items = []
            for i in range(size):
                raw, info = self._item(s, i)
                if s == 0 and i == 0:  # the one question that cannot be skipped
                    raw = {
                        "id": info.id,
                        "type": "yes_no",
                        "text": "Is it all right to go on with these questions now?",
                        "why": "We only go on if you agree.",
                        "skippable": False,
                        "unskippable_because": "We need your yes before we ask anything else.",
                    }
                    info = _Info(info.id, "yes_no", s, False, False, ["yes", "no"])
                elif i in (2, 5) and rng.random() < 0.3:
                    raw["content_warning"] = "This question asks about something hard."
                pool = [p for p in self.items if p.id not in excluded]
                if len(pool) >= 3 and rng.random() < SHOW_IF_SHARE:
                    raw["show_if"] = self._condition(pool)
                    info.conditional = True
                if s in gated:
                    info.conditional = True
                if rng.random() < 0.05:
                    raw["concept"] = f"{info.id}_concept"
                items.append(raw)
                self.items.append(info)
            section["items"] = items
            sections.append(section)
        return sections

    # scores -----------------------------------------------------------------------------
    def _bands(
        self, score_id: str, low: int, high: int, param: str | None = None
    ) -> list[dict[str, Any]]:
        names = ("low", "some", "moderate", "high", "very_high")
        k = min(self.rng.randint(3, 5), high - low + 1)
        cuts = sorted(self.rng.sample(range(low + 1, high + 1), k - 1))
        starts = [low, *cuts]
        ends = [c - 1 for c in cuts] + [high]
        bands: list[dict[str, Any]] = []
        for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
            bands.append({"id": names[i], "min": a, "max": b, "label": self._label()})
        if param is not None and len(bands) >= 3:
            self.param_default = bands[1]["min"]
            bands[0]["max"] = {"param": param, "add": -1}
            bands[1]["min"] = {"param": param}
        self.score_bands[score_id] = [b["id"] for b in bands]
        return bands

    def _scores(self, parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng = self.rng
        eligible = [it for it in self.items if it.numeric]
        by_section: dict[int, list[_Info]] = {}
        for it in eligible:
            by_section.setdefault(it.section, []).append(it)
        homes = [s for s, its in by_section.items() if len(its) >= 4]
        scores = []
        position = {it.id: k for k, it in enumerate(self.items)}
        for n in range(10 * self.scale):
            score_id = f"score_{n + 1:02d}"
            home = rng.sample(homes, 2)
            pool = by_section[home[0]] + by_section[home[1]]
            chosen = rng.sample(pool, min(len(pool), rng.randint(5, 12)))
            chosen.sort(key=lambda it: position[it.id])
            terms: list[Any] = []
            low = high = 0
            zero = any(it.conditional for it in chosen) and rng.random() < 0.5
            for it in chosen:
                t_low, t_high = it.span()
                if zero:
                    t_low, t_high = min(t_low, 0), max(t_high, 0)
                weight = 2 if rng.random() < 0.1 else 1
                reverse = it.type in ("scale", "single") and rng.random() < 0.12
                if weight != 1 or reverse:
                    term: dict[str, Any] = {"item": it.id}
                    if weight != 1:
                        term["weight"] = weight
                    if reverse:
                        term["reverse"] = True
                    terms.append(term)
                else:
                    terms.append(it.id)
                low += t_low * weight
                high += t_high * weight
            if n % 10 >= 8:  # totals that add earlier subscales
                for sub in (f"score_{n - 7:02d}", f"score_{n - 6:02d}"):
                    terms.append({"score": sub})
                    t_low, t_high = self.score_span[sub]
                    if zero:
                        t_low, t_high = min(t_low, 0), max(t_high, 0)
                    low += t_low
                    high += t_high
            self.score_span[score_id] = (low, high)
            score: dict[str, Any] = {
                "id": score_id,
                "label": self._label(),
                "sum": terms,
            }
            if zero:
                score["not_shown"] = "zero"
            gates = [
                it
                for it in self.items
                if it.type == "yes_no" and it.section == home[0] and not it.conditional
            ]
            if gates and rng.random() < 0.3:
                score["requires"] = [gates[0].id]
            param = None
            if n == 2 and high - low >= 6:
                param = "cutoff"
            score["bands"] = self._bands(score_id, low, high, param)
            if param is not None:
                parameters.append(
                    {
                        "id": param,
                        "label": "Where 'some' starts on score 3",
                        "default": self.param_default,
                        "min": low + 1,
                        "max": score["bands"][1]["max"],
                    }
                )
            scores.append(score)
        return scores

    # flags, needs, strengths ------------------------------------------------------------
    def _any_leaf(self) -> dict[str, Any]:
        return self._leaf(self.rng.choice(self.items), state_tests=False)

    def _score_test(self) -> dict[str, Any]:
        score_id = self.rng.choice(list(self.score_bands))
        bands = self.score_bands[score_id]
        if self.rng.random() < 0.6:
            return {"score": score_id, "band": bands[-1] if len(bands) < 3 else bands[-2:]}
        low, high = self.score_span[score_id]
        return {"score": score_id, "gte": (low + high) // 2}

    def _flags(self) -> list[dict[str, Any]]:
        rng = self.rng
        severities = (["urgent"] * 3 + ["high"] * 5 + ["moderate"] * 7 + ["low"] * 5) * self.scale
        yes_no = [it for it in self.items if it.type == "yes_no"]
        flags: list[dict[str, Any]] = []
        for n, severity in enumerate(severities):
            if severity == "urgent":
                when: dict[str, Any] = {"item": rng.choice(yes_no).id, "equals": "no"}
                if n % 20 == 1:
                    when = {"any": [when, self._any_leaf()]}
            else:
                shape = rng.random()
                if shape < 0.35:
                    when = self._score_test()
                elif shape < 0.6:
                    when = {"all": [self._score_test(), {"not": self._any_leaf()}]}
                elif shape < 0.8 and flags:
                    when = {"all": [{"flag": rng.choice(flags)["id"]}, self._any_leaf()]}
                else:
                    when = {"any": [self._any_leaf(), self._any_leaf()]}
            flag: dict[str, Any] = {
                "id": f"flag_{n + 1:02d}",
                "severity": severity,
                "label": self._label(),
                "when": when,
            }
            if severity == "urgent":
                flag["message"] = self._text(8, 16)
            flags.append(flag)
        return flags

    def _needs(self, flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng = self.rng
        serious = [f["id"] for f in flags if f["severity"] in ("urgent", "high")]
        other = [f["id"] for f in flags if f["severity"] not in ("urgent", "high")]
        needs = []
        for n in range(15 * self.scale):
            need: dict[str, Any] = {"id": f"need_{n + 1:02d}", "label": self._label()}
            if n % 15 < 7:
                picked = rng.sample(serious, rng.randint(1, 2))
                need["urgent_if"] = (
                    {"flag": picked[0]}
                    if len(picked) == 1
                    else {"any": [{"flag": f} for f in picked]}
                )
            need["some_if"] = {
                "any": [{"flag": rng.choice(other)}, self._score_test(), self._any_leaf()]
            }
            needs.append(need)
        return needs

    def _strengths(self) -> list[dict[str, Any]]:
        yes_no = [it for it in self.items if it.type == "yes_no"]
        strengths = []
        for n in range(10 * self.scale):
            if n % 3 == 0:
                score_id = self.rng.choice(list(self.score_bands))
                when: dict[str, Any] = {"score": score_id, "band": self.score_bands[score_id][0]}
            elif n % 3 == 1:
                when = {"item": self.rng.choice(yes_no).id, "equals": "yes"}
            else:
                when = {"all": [self._any_leaf(), {"not": self._any_leaf()}]}
            strengths.append({"id": f"strength_{n + 1:02d}", "label": self._label(), "when": when})
        return strengths

    # the whole file ---------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
        sections = self._sections()
        parameters: list[dict[str, Any]] = []
        scores = self._scores(parameters)
        flags = self._flags()
        doc: dict[str, Any] = {
            "id": f"bench-{self.n_items}",
            "version": "1.2.0",
            "title": "Benchmark instrument (generated)",
            "description": "Generated by bench/bench_engine.py to time the engine. Not for use.",
            "intro": self._text(20, 40),
            "language": "en",
            "audiences": ["worker", "interpreter"],  # private would need person: texts
            "licence": "CC-BY-4.0",
            "codesign": {
                "status": "draft",
                "involved": [{"role": "benchmark generator"}],
                "method": "Generated from a fixed seed; no people were involved.",
                "notes": "A benchmark fixture only.",
            },
            "changelog": [
                {"version": "1.0.0", "date": "2026-01-10", "changes": "First generated version."},
                {"version": "1.1.0", "date": "2026-06-02", "changes": "More sections."},
                {"version": "1.2.0", "date": "2026-11-29", "changes": f"{self.n_items} items."},
            ],
            "parameters": parameters,
            "option_sets": {
                "frequency": [
                    {"value": 0, "label": "Not at all"},
                    {"value": 1, "label": "Several days"},
                    {"value": 2, "label": "More than half the days"},
                    {"value": 3, "label": "Nearly every day"},
                ],
                "agreement": [
                    {"value": v, "label": label}
                    for v, label in enumerate(
                        ("Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"),
                        start=1,
                    )
                ],
            },
            "sections": sections,
            "scores": scores,
            "flags": flags,
            "needs": self._needs(flags),
            "strengths": self._strengths(),
        }
        if not parameters:
            del doc["parameters"]
        return doc


def _item_refs(condition: Any) -> list[str]:
    if isinstance(condition, dict):
        found = [condition["item"]] if "item" in condition else []
        for key in ("all", "any"):
            for child in condition.get(key, []):
                found += _item_refs(child)
        if "not" in condition:
            found += _item_refs(condition["not"])
        return found
    return []


_PROSE = frozenset({"text", "why", "help", "intro", "message", "description", "notes", "method"})


class _Dumper(yaml.SafeDumper):
    """Lays the file out as people write instruments: items and sections as blocks,
    options, short conditions and lists of plain values on one line each."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = not (_PROSE & data.keys()) and all(
        not isinstance(v, dict | list)
        or (isinstance(v, list) and all(not isinstance(x, dict | list) for x in v))
        for v in data.values()
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(not isinstance(x, dict | list) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def instrument_yaml(
    seed: int = SEED, n_items: int = N_ITEMS, n_sections: int | None = None
) -> tuple[str, InstrumentGenerator]:
    """The generated instrument as YAML text. With n_items other than 300, everything
    else grows in step (see InstrumentGenerator); 300 gives the usual bench-300 file."""
    generator = InstrumentGenerator(seed, n_items, n_sections)
    doc = generator.build()
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True, indent=2)
    header = f"# Generated by bench/bench_engine.py (seed {seed}). A benchmark fixture only.\n"
    return header + body, generator


# --- answer sets (generated up front, never timed) -----------------------------------


def _raw_answer(rng: random.Random, it: _Info, skip_rate: float) -> Any:
    if it.skippable and rng.random() < skip_rate:
        return None if rng.random() < 0.6 else {"declined": True}
    if it.type in ("single", "yes_no"):
        return rng.choice(it.values)
    if it.type == "multiple":
        if it.exclusive and rng.random() < 0.15:
            return [next(iter(it.exclusive))]
        free = [v for v in it.values if v not in it.exclusive]
        return rng.sample(free, rng.randint(1, min(3, len(free))))
    if it.type == "scale":
        return rng.choice(it.points)
    if it.type == "number":
        if it.integer:
            return rng.randint(int(it.low or 0), int(it.high or 0))
        return round(rng.uniform(it.low or 0, it.high or 0), 1)
    if it.type == "date":
        day = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randint(0, 9000))
        return day.isoformat()
    return " ".join(rng.choices(_WORDS, k=rng.randint(1, 12)))[: it.max_length]


# kind -> (share, item skip rate, chance to skip a section at its content warning)
MIX = {
    "full": (0.40, 0.04, 0.10),
    "partial": (0.30, 0.04, 0.10),
    "skips": (0.15, 0.40, 0.35),
    "stale": (0.15, 0.04, 0.10),
}


def answer_sets(
    interview: Interview, generator: InstrumentGenerator, count: int, seed: int
) -> tuple[list[State], dict[str, int]]:
    """States as the engine sees them: the answers a person gave and section choices.

    full: every item on the route answered (a few skipped or declined); partial: stopped
    part way; skips: many items skipped or declined and more sections skipped; stale:
    full, plus answers to items that the route no longer shows (after changed answers).
    """
    rng = random.Random(seed + 1)
    instrument = interview.instruments[0]
    warned = [s for s in instrument.sections if s.content_warning]
    kinds = list(MIX)
    weights = [MIX[k][0] for k in kinds]
    states: list[State] = []
    counts = dict.fromkeys(kinds, 0)
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        counts[kind] += 1
        _, skip_rate, section_skip = MIX[kind]
        parsed = {
            it.id: parse_answer(interview.items[it.id], _raw_answer(rng, it, skip_rate))
            for it in generator.items
        }
        sections = {
            f"{instrument.id}/{s.id}": "skip" if rng.random() < section_skip else "enter"
            for s in warned
        }
        asked = [v.item.id for v in interview.walk(parsed, sections).asked()]
        if kind == "partial":
            asked = asked[: rng.randint(0, len(asked))]
        answers = parsed if kind == "stale" else {k: parsed[k] for k in asked}
        states.append(State(answers=answers, sections=sections))
    return states, counts


# --- the plain-Python baseline for scoring --------------------------------------------

ScoreDef = tuple[str, list[tuple[bool, str, float, float | None]], list[tuple[str, float, float]]]


def baseline_inputs(
    instrument: Instrument, states: Sequence[State]
) -> tuple[list[ScoreDef], list[dict[str, float]]]:
    """Score definitions as flat lists, and each set's numbers per scored item."""
    params = instrument.parameter_values
    defs: list[ScoreDef] = []
    scored: set[str] = set()
    for score in instrument.scores:
        terms = []
        for term in score.terms:
            if term.item is not None:
                item = instrument.item(term.item)
                assert item is not None
                span = item.numeric_range() if term.reverse else None
                terms.append((True, term.item, float(term.weight), sum(span) if span else None))
                scored.add(term.item)
            else:
                terms.append((False, term.score or "", float(term.weight), None))
        bands = []
        for band in score.bands:
            low, high = band.bounds(params)
            bands.append(
                (
                    band.id,
                    float("-inf") if low is None else low,
                    float("inf") if high is None else high,
                )
            )
        defs.append((score.id, terms, bands))
    numbers = []
    for state in states:
        row = {}
        for item_id in scored:
            item = instrument.item(item_id)
            assert item is not None
            value = numeric_value(item, state.answers.get(item_id))
            if value is not None:
                row[item_id] = float(value)
        numbers.append(row)
    return defs, numbers


def naive_scores(defs: list[ScoreDef], numbers: list[dict[str, float]]) -> int:
    """Sum, completeness and band per score, ignoring show_if entirely."""
    complete_count = 0
    for row in numbers:
        done: dict[str, tuple[float, bool, str | None]] = {}
        for score_id, terms, bands in defs:
            total = 0.0
            complete = True
            for is_item, ref, weight, reverse in terms:
                if is_item:
                    value = row.get(ref)
                    if value is None:
                        complete = False
                        continue
                    if reverse is not None:
                        value = reverse - value
                    total += value * weight
                else:
                    sub = done[ref]
                    total += sub[0] * weight
                    complete = complete and sub[1]
            band = None
            if complete:
                complete_count += 1
                for band_id, low, high in bands:
                    if low <= total <= high:
                        band = band_id
                        break
            done[score_id] = (total, complete, band)
    return complete_count


# --- timing --------------------------------------------------------------------------


def _interleaved(funcs: Sequence[Callable[[], object]], times: int) -> list[list[float]]:
    """Seconds of each call, per function. The functions take turns, so a busy machine
    slows them alike and their ratio stays fair."""
    out: list[list[float]] = [[] for _ in funcs]
    for _ in range(times):
        for func, seconds in zip(funcs, out, strict=True):
            start = time.perf_counter()
            func()
            seconds.append(time.perf_counter() - start)
    return out


def _chunked(
    funcs: Sequence[Callable[[int, int], object]], count: int, rounds: int
) -> tuple[list[float], list[list[float]]]:
    """Time each function over answer sets [a, b), chunk by chunk, the functions taking
    turns, ``rounds`` times. For each function: the sum over chunks of the fastest pass
    of that chunk (a burst of load elsewhere on the machine then costs one chunk's pass,
    not the figure), and the total of each pass."""
    chunks = [(a, min(a + CHUNK, count)) for a in range(0, count, CHUNK)]
    seconds = [[[0.0] * rounds for _ in chunks] for _ in funcs]
    for r in range(rounds):
        for c, (a, b) in enumerate(chunks):
            for f, func in enumerate(funcs):
                start = time.perf_counter()
                func(a, b)
                seconds[f][c][r] = time.perf_counter() - start
    best = [sum(min(passes) for passes in per_chunk) for per_chunk in seconds]
    totals = [
        [sum(passes[r] for passes in per_chunk) for r in range(rounds)] for per_chunk in seconds
    ]
    return best, totals


def _over(
    func: Callable[[Interview, State], object], interview: Interview, states: list[State]
) -> Callable[[int, int], None]:
    def loop(a: int, b: int) -> None:
        for state in states[a:b]:
            func(interview, state)

    return loop


def _walk(interview: Interview, state: State) -> object:
    return interview.walk(state.answers, state.sections)


def _peak(func: Callable[[], object]) -> tuple[float, float]:
    """(peak, still held at the end) in MB while func runs, the result kept alive."""
    gc.collect()
    tracemalloc.start()
    kept = func()
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return peak / 2**20, current / 2**20


def run(quick: bool, seed: int, keep: Path | None) -> tuple[dict[str, Any], Interview, list[State]]:
    n_sets = 1_000 if quick else 10_000
    n_loads = 5 if quick else 30
    text, generator = instrument_yaml(seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-300.yaml"
        path.write_text(text, encoding="utf-8")
        if keep is not None:
            keep.write_text(text, encoding="utf-8")

        start = time.perf_counter()
        instrument = load_file(path)  # raises InstrumentError if the file is not valid
        cold = time.perf_counter() - start
        warnings = check_file(path)[1]
        if warnings:
            raise SystemExit(
                "the generated instrument has warnings:\n" + "\n".join(map(str, warnings))
            )

        load_times, yaml_times = _interleaved(
            [lambda: load_file(path), lambda: yaml.load(text, Loader=yaml.CSafeLoader)], n_loads
        )
        load_peak, load_held = _peak(lambda: load_file(path))
        yaml_peak, _ = _peak(lambda: yaml.load(text, Loader=yaml.CSafeLoader))

    interview = Interview([instrument])
    start = time.perf_counter()
    states, mix = answer_sets(interview, generator, n_sets, seed)
    prepare = time.perf_counter() - start
    defs, numbers = baseline_inputs(instrument, states)

    for state in states[:50]:  # warm up
        result(interview, state)
        next_step(interview, state)
    best, passes = _chunked(
        [
            _over(result, interview, states),
            lambda a, b: naive_scores(defs, numbers[a:b]),
            _over(next_step, interview, states),
            _over(_walk, interview, states),
        ],
        n_sets,
        ROUNDS,
    )
    scoring, naive, stepping, walking = best
    scoring_rounds, naive_rounds, stepping_rounds, walking_rounds = passes

    items = list(instrument.iter_items())
    mean_load, median_load = statistics.fmean(load_times), statistics.median(load_times)
    mean_yaml, median_yaml = statistics.fmean(yaml_times), statistics.median(yaml_times)
    per_set = scoring / n_sets
    per_naive = naive / n_sets
    figures: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "seed": seed,
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "pyyaml": yaml.__version__,
            "libyaml": yaml.__with_libyaml__,
            "jsonschema": importlib.metadata.version("jsonschema"),
        },
        "instrument": {
            "items": len(items),
            "sections": len(instrument.sections),
            "with_show_if": sum(1 for i in items if i.show_if is not None),
            "sections_with_show_if": sum(1 for s in instrument.sections if s.show_if),
            "content_warnings": sum(1 for s in instrument.sections if s.content_warning)
            + sum(1 for i in items if i.content_warning),
            "types": {
                t: sum(1 for i in items if i.type == t) for t in sorted({i.type for i in items})
            },
            "scores": len(instrument.scores),
            "flags": len(instrument.flags),
            "needs": len(instrument.needs),
            "strengths": len(instrument.strengths),
            "yaml_bytes": len(text.encode("utf-8")),
        },
        "load": {
            "repeats": n_loads,
            "first_ms": cold * 1e3,
            "mean_ms": mean_load * 1e3,
            "median_ms": median_load * 1e3,
            "min_ms": min(load_times) * 1e3,
            "yaml_mean_ms": mean_yaml * 1e3,
            "yaml_median_ms": median_yaml * 1e3,
            "ratio_median": median_load / median_yaml,
            "peak_mb": load_peak,
            "held_mb": load_held,
            "yaml_peak_mb": yaml_peak,
        },
        "answer_sets": {
            "count": n_sets,
            "mix": mix,
            "mean_answers": statistics.fmean(len(s.answers) for s in states),
            "prepare_s": prepare,
        },
        "rounds": ROUNDS,
        "chunk": CHUNK,
        "scoring": {
            "passes_s": scoring_rounds,
            "total_s": scoring,
            "us_per_set": per_set * 1e6,
            "naive_passes_s": naive_rounds,
            "naive_total_s": naive,
            "naive_us_per_set": per_naive * 1e6,
            "ratio": per_set / per_naive,
        },
        "next_step": {
            "passes_s": stepping_rounds,
            "total_s": stepping,
            "us_per_call": stepping / n_sets * 1e6,
        },
        "walk": {
            "passes_s": walking_rounds,
            "total_s": walking,
            "us_per_call": walking / n_sets * 1e6,
        },
    }
    return figures, interview, states


def table(f: dict[str, Any]) -> str:
    ins, load, sc = f["instrument"], f["load"], f["scoring"]
    sets = f["answer_sets"]
    env = f["environment"]
    lines = [
        f"screening engine benchmark ({f['mode']}, seed {f['seed']})",
        f"python {env['python']}, PyYAML {env['pyyaml']} (libyaml {env['libyaml']}), "
        f"jsonschema {env['jsonschema']}, {env['platform']}",
        f"instrument: {ins['items']} items in {ins['sections']} sections, "
        f"{ins['with_show_if']} items and {ins['sections_with_show_if']} sections with show_if, "
        f"{ins['content_warnings']} content warnings, {ins['scores']} scores, "
        f"{ins['flags']} flags, {ins['needs']} needs, {ins['strengths']} strengths, "
        f"{ins['yaml_bytes'] / 1024:.0f} KiB of YAML",
        "item types: " + ", ".join(f"{k} {v}" for k, v in ins["types"].items()),
        f"answer sets: {sets['count']:,} ("
        + ", ".join(f"{k} {v}" for k, v in sets["mix"].items())
        + f"), {sets['mean_answers']:.0f} answers each on average, "
        f"prepared in {sets['prepare_s']:.1f} s (not timed)",
        "",
    ]
    rows = [
        ("measure", "engine", "baseline", "ratio"),
        ("first load in process (cold)", f"{load['first_ms']:.1f} ms", "", ""),
        (
            f"load+validate, mean of {load['repeats']}",
            f"{load['mean_ms']:.1f} ms",
            f"{load['yaml_mean_ms']:.1f} ms",
            f"{load['mean_ms'] / load['yaml_mean_ms']:.1f}x",
        ),
        (
            f"load+validate, median of {load['repeats']}",
            f"{load['median_ms']:.1f} ms",
            f"{load['yaml_median_ms']:.1f} ms",
            f"{load['ratio_median']:.1f}x",
        ),
        (
            "load peak memory (tracemalloc)",
            f"{load['peak_mb']:.1f} MB",
            f"{load['yaml_peak_mb']:.1f} MB",
            f"{load['peak_mb'] / load['yaml_peak_mb']:.1f}x",
        ),
        ("memory held by the instrument", f"{load['held_mb']:.1f} MB", "", ""),
        (
            f"result(): walk + score, {sets['count']:,} sets*",
            f"{sc['total_s']:.2f} s",
            f"{sc['naive_total_s']:.3f} s",
            "",
        ),
        (
            "result() per answer set",
            f"{sc['us_per_set']:.0f} µs",
            f"{sc['naive_us_per_set']:.1f} µs",
            f"{sc['ratio']:.0f}x",
        ),
        ("  of which walk (route only)", f"{f['walk']['us_per_call']:.0f} µs", "", ""),
        ("next_step() per call", f"{f['next_step']['us_per_call']:.0f} µs", "", ""),
        (
            "next_step() vs the same baseline",
            "",
            "",
            f"{f['next_step']['us_per_call'] / sc['naive_us_per_set']:.0f}x",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for n, row in enumerate(rows):
        lines.append(
            f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  "
            f"{row[3]:>{widths[3]}}".rstrip()
        )
        if n == 0:
            lines.append("-" * (sum(widths) + 6))
    lines += [
        "",
        f"* every answer set is run {f['rounds']} times, in chunks of {f['chunk']}, the "
        "measures taking turns; a figure is the sum of each chunk's fastest pass (the total "
        "of each pass is in --json).",
        "baselines: load = yaml.load(text, Loader=yaml.CSafeLoader) of the same file; "
        "result() = a plain loop summing each set's precomputed numbers for the same score "
        "definitions, with bands, without show_if, flags, needs or strengths.",
    ]
    return "\n".join(lines)


def profile(interview: Interview, states: list[State], top: int = 15) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for state in states:
        result(interview, state)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1,000 answer sets, 5 loads")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--profile", action="store_true", help="cProfile the scoring loop")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed ({SEED})")
    parser.add_argument("--keep", type=Path, help="also write the generated instrument here")
    args = parser.parse_args(argv)
    figures, interview, states = run(args.quick, args.seed, args.keep)
    print(table(figures))
    if args.profile:
        print("\ncProfile of result() over every answer set, by cumulative time:")
        print(profile(interview, states))
    if args.json:
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
