"""Scores, bands, flags, need domains and strengths from a route's answers (pure).

Deterministic, and it explains itself: every score lists the items it used and the ones
it missed, and every flag, need and strength lists the answers, scores and flags that
produced it. A skipped, declined or unanswered scored item makes a score incomplete;
nothing is ever imputed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from screening.core.answers import Answer, has_value, numeric_value
from screening.core.conditions import Condition
from screening.core.model import Instrument, Item, Score, Severity
from screening.core.route import Interview, Walk

LEVELS = ("none", "some", "urgent")


@dataclass(frozen=True, slots=True)
class ScoreResult:
    id: str
    value: int | float
    band: str | None
    complete: bool
    used: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FlagResult:
    id: str
    severity: Severity
    because: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NeedResult:
    id: str
    level: str
    because: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StrengthResult:
    id: str
    because: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    scores: dict[str, ScoreResult] = field(default_factory=dict)
    flags: tuple[FlagResult, ...] = ()
    needs: dict[str, NeedResult] = field(default_factory=dict)
    strengths: tuple[StrengthResult, ...] = ()

    @property
    def urgent(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.flags if f.severity is Severity.URGENT)

    def to_json(self, *, explain: bool = False) -> dict[str, object]:
        """The documented JSON shape; ``explain`` adds what produced each part."""
        out: dict[str, object] = {
            "scores": {
                s.id: {"value": s.value, "band": s.band, "complete": s.complete}
                for s in self.scores.values()
            },
            "flags": [f.id for f in self.flags],
            "needs": {
                n.id: {"level": n.level, "because": list(n.because)} for n in self.needs.values()
            },
            "strengths": [s.id for s in self.strengths],
        }
        if explain:
            out["explain"] = {
                "scores": {
                    s.id: {"used": list(s.used), "missing": list(s.missing)}
                    for s in self.scores.values()
                },
                "flags": {
                    f.id: {"severity": f.severity.label, "because": list(f.because)}
                    for f in self.flags
                },
                "strengths": {s.id: list(s.because) for s in self.strengths},
            }
        return out


class _Facts:
    """Conditions' view of one instrument's results, filled in as they are computed."""

    def __init__(self, route: Walk) -> None:
        self.route = route
        self.scores: dict[str, ScoreResult] = {}
        self.raised: set[str] = set()

    def answer(self, item_id: str) -> Answer | None:
        return self.route.answers.get(item_id)

    def numeric(self, item_id: str) -> float | None:
        return self.route.numeric(item_id)

    def score(self, score_id: str) -> tuple[float, str | None] | None:
        result = self.scores.get(score_id)
        if result is None or not result.complete:
            return None
        return result.value, result.band

    def flag(self, flag_id: str) -> bool:
        return flag_id in self.raised


def _tidy(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 6)


def _term_value(item: Item, answer: Answer, reverse: bool) -> float | None:
    number = numeric_value(item, answer)
    if number is None or not reverse:
        return number
    span = item.numeric_range()
    if span is None:
        return None
    return span[0] + span[1] - number


def score_one(
    score: Score, route: Walk, done: Mapping[str, ScoreResult], params: Mapping[str, int]
) -> ScoreResult:
    total = 0.0
    complete = True
    used: list[str] = []
    missing: list[str] = []
    shown = route.shown
    for term in score.terms:
        if term.score is not None:
            sub = done[term.score]
            total += sub.value * term.weight
            complete = complete and sub.complete
            used.append(f"score:{sub.id}")
            continue
        item_id = term.item or ""
        answer = route.answers.get(item_id)
        if item_id not in shown:
            if score.not_shown_zero:
                continue
            complete = False
            missing.append(item_id)
            continue
        number = None if answer is None else _term_value(route.items[item_id], answer, term.reverse)
        if number is None:
            complete = False
            missing.append(item_id)
        else:
            total += number * term.weight
            used.append(item_id)
    for item_id in score.requires:
        if not has_value(route.answers.get(item_id)):
            complete = False
            missing.append(item_id)
    value = _tidy(total)
    band = score.band_for(value, params) if complete else None
    return ScoreResult(
        score.id,
        value,
        band.id if band else None,
        complete,
        tuple(used),
        tuple(dict.fromkeys(missing)),
    )


def _explain(condition: Condition | None, facts: _Facts) -> tuple[str, ...] | None:
    if condition is None or not condition.evaluate(facts):
        return None
    return tuple(condition.explain(facts))


def score_instrument(instrument: Instrument, route: Walk) -> Result:
    facts = _Facts(route)
    for score in instrument.scores:
        facts.scores[score.id] = score_one(score, route, facts.scores, instrument.parameter_values)
    flags = []
    for flag in instrument.flags:
        because = _explain(flag.when, facts)
        if because is not None:
            facts.raised.add(flag.id)
            flags.append(FlagResult(flag.id, flag.severity, because))
    needs = {}
    for need in instrument.needs:
        urgent = _explain(need.urgent_if, facts)
        some = None if urgent is not None else _explain(need.some_if, facts)
        level = "urgent" if urgent is not None else "some" if some is not None else "none"
        needs[need.id] = NeedResult(need.id, level, urgent or some or ())
    strengths = []
    for strength in instrument.strengths:
        because = _explain(strength.when, facts)
        if because is not None:
            strengths.append(StrengthResult(strength.id, because))
    return Result(facts.scores, tuple(flags), needs, tuple(strengths))


def score(interview: Interview, route: Walk) -> Result:
    """Score every instrument of an interview and merge the results.

    Flags come urgent first (then in the order the instruments define them); a need
    domain that several instruments share takes the highest level any of them gives.
    """
    scores: dict[str, ScoreResult] = {}
    flags: list[FlagResult] = []
    needs: dict[str, NeedResult] = {}
    strengths: dict[str, StrengthResult] = {}
    for instrument in interview.instruments:
        part = score_instrument(instrument, route)
        scores.update(part.scores)
        flags.extend(part.flags)
        for need in part.needs.values():
            before = needs.get(need.id)
            if before is None or LEVELS.index(need.level) > LEVELS.index(before.level):
                needs[need.id] = need
            elif LEVELS.index(need.level) == LEVELS.index(before.level) and need.because:
                merged = tuple(dict.fromkeys(before.because + need.because))
                needs[need.id] = NeedResult(need.id, need.level, merged)
        for strength in part.strengths:
            strengths.setdefault(strength.id, strength)
    flags.sort(key=lambda f: f.severity)  # stable: definition order within a severity
    return Result(scores, tuple(flags), needs, tuple(strengths.values()))
