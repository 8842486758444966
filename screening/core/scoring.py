"""Scores, bands, flags, need domains and strengths from a route's answers (pure).

Deterministic, and it explains itself: every score lists the items it used and the ones
it missed, and every flag, need and strength lists the answers, scores and flags that
produced it. A skipped, declined or unanswered scored item makes a score incomplete;
nothing is ever imputed.

A need is ``urgent`` or ``some`` when its rule holds. When none holds but one could,
given answers that are missing (skipped, declined, not answered, not asked because an
answer before it is missing) or a score that is incomplete, the need is ``unknown``:
"we could not tell", never ``none``. Its ``missing`` says what could not be told and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from screening.core.answers import DECLINED, SKIPPED, Answer, has_value, numeric_value
from screening.core.conditions import Condition
from screening.core.derived import DValue
from screening.core.derived import to_json as derived_json
from screening.core.emptytext import says_nothing
from screening.core.model import Instrument, Item, Need, Score, Severity
from screening.core.route import Interview, Kind, Walk

LEVELS = ("none", "unknown", "some", "urgent")  # lowest first: merging keeps the highest
MISSING_REASONS = ("skipped", "declined", "section_skipped", "unanswered", "incomplete")


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
    # For an ``unknown`` need: what could not be told ("item:ID" or "score:ID") and why,
    # one of MISSING_REASONS; empty otherwise.
    missing: tuple[tuple[str, str], ...] = ()


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
    derived: dict[str, DValue | None] = field(default_factory=dict)  # None: unknown

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
                n.id: {"level": n.level, "because": list(n.because), "missing": dict(n.missing)}
                for n in self.needs.values()
            },
            "strengths": [s.id for s in self.strengths],
        }
        if self.derived:  # only instruments with derived values: older output unchanged
            out["derived"] = {k: derived_json(v) for k, v in self.derived.items()}
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

    def __init__(self, route: Walk, instrument: Instrument | None = None) -> None:
        self.route = route
        self.scores: dict[str, ScoreResult] = {}
        self.raised: set[str] = set()
        self.untold: set[str] = set()  # refs of scores and flags that cannot be told
        self.gates: dict[str, tuple[Condition, ...]] = {}
        self.kinds = {v.item.id: v for v in route.visits}
        self._shown: dict[str, bool | None] = {}
        self.flag_rules = {f.id: f.when for f in instrument.flags} if instrument else {}
        self.score_defs = {s.id: s for s in instrument.scores} if instrument else {}
        for section in instrument.sections if instrument else ():
            for item in section.items:
                self.gates[item.id] = tuple(
                    c for c in (section.show_if, item.show_if) if c is not None
                )

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

    def derived(self, name: str) -> DValue | None:
        """A derived value with the scores known so far (the loader orders them)."""
        found = self.route.values.get(name)
        return None if found is None else found.expr.value(self)

    def today(self) -> dt.date | None:
        return self.route.day

    def expand(self, refs: Iterable[str]) -> list[str]:
        """``refs`` with each derived value replaced by what it reads, so that what
        explains a result names answers, scores and flags only (printing rules and
        summaries know those)."""
        out: list[str] = []
        for ref in refs:
            kind, _, ident = ref.partition(":")
            found = self.route.values.get(ident) if kind == "derived" else None
            out.extend(self.expand(found.refs()) if found is not None else [ref])
        return list(dict.fromkeys(out))

    def shown(self, item_id: str) -> bool | None:
        """Whether the item is asked: None when that hangs on a missing answer."""
        if item_id not in self._shown:
            told = [c.holds(self) for c in self.gates.get(item_id, ())]
            self._shown[item_id] = False if False in told else None if None in told else True
        return self._shown[item_id]

    def unknown(self, ref: str) -> bool:
        kind, _, ident = ref.partition(":")
        if kind == "derived":
            return self.derived(ident) is None
        if kind != "item":
            return ref in self.untold
        if ident not in self.gates:  # another instrument's item: as the route has it
            return ident in self.route.shown and not has_value(self.answer(ident))
        shown = self.shown(ident)
        return shown is None or (shown and not has_value(self.answer(ident)))

    def reasons(self, refs: tuple[str, ...], out: dict[str, str]) -> dict[str, str]:
        """Trace what cannot be told back to the answers and scores that are missing."""
        for ref in refs:
            kind, _, ident = ref.partition(":")
            if ref in out:
                continue
            if kind == "flag":
                out[ref] = ""  # a mark against loops; dropped at the end
                self.reasons(tuple(self.flag_rules[ident].unknowns(self)), out)
            elif kind == "derived":
                out[ref] = ""
                found = self.route.values.get(ident)
                read = found.refs() if found is not None else []
                self.reasons(tuple(r for r in read if self.unknown(r)), out)
            elif kind == "score":
                out[ref] = "incomplete" if not self.scores[ident].complete else ""
                self.reasons(self.score_refs(ident), out)
            elif self.shown(ident) is None:
                out[ref] = ""
                self.reasons(tuple(r for c in self.gates[ident] for r in c.unknowns(self)), out)
            else:
                out[ref] = self.item_reason(ident, out)
        return out

    def item_reason(self, item_id: str, out: dict[str, str]) -> str:
        answer = self.answer(item_id)
        visit = self.kinds.get(item_id)
        if visit is not None and visit.kind is Kind.REUSED and visit.reused_from:
            self.reasons((f"item:{visit.reused_from}",), out)
            return ""
        if visit is not None and visit.kind is Kind.SECTION_SKIPPED:
            return "section_skipped"
        if answer is DECLINED:
            return "declined"
        if answer is SKIPPED:
            return "skipped"
        return "unanswered"

    def score_refs(self, score_id: str) -> tuple[str, ...]:
        score = self.score_defs[score_id]
        refs = [f"score:{t.score}" for t in score.terms if t.score is not None]
        refs += [f"item:{t.item}" for t in score.terms if t.item is not None]
        refs += [f"item:{i}" for i in score.requires]
        refs += [f"derived:{t.derived}" for t in score.terms if t.derived is not None]
        return tuple(r for r in refs if self.unknown(r))


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
    score: Score,
    route: Walk,
    done: Mapping[str, ScoreResult],
    params: Mapping[str, int],
    facts: _Facts | None = None,
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
        if term.derived is not None:
            found = (facts or _Facts(route)).derived(term.derived)
            if isinstance(found, int | float):
                total += found * term.weight
                used.append(f"derived:{term.derived}")
            else:  # unknown: the score is incomplete, as for a missing answer
                complete = False
                missing.append(f"derived:{term.derived}")
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


class _StrengthFacts(_Facts):
    """The facts a strength reads: a free-text answer that names nothing ("nothing",
    "n/a", "-", :func:`~screening.core.emptytext.says_nothing`) shows no strength, so
    here it is no value. Needs and flags read the answer as it was given."""

    def __init__(self, facts: _Facts) -> None:  # a view of the same results, not a copy
        self.__dict__.update(facts.__dict__)

    def answer(self, item_id: str) -> Answer | None:
        answer = self.route.answers.get(item_id)
        item = self.route.items.get(item_id)
        if item is not None and item.type == "text" and isinstance(answer, str):
            return None if says_nothing(answer) else answer
        return answer


def _explain(condition: Condition | None, facts: _Facts) -> tuple[str, ...] | None:
    if condition is None or not condition.evaluate(facts):
        return None
    return tuple(facts.expand(condition.explain(facts)))


def score_instrument(instrument: Instrument, route: Walk) -> Result:
    facts = _Facts(route, instrument)
    for score in instrument.scores:
        done = score_one(score, route, facts.scores, instrument.parameter_values, facts)
        facts.scores[score.id] = done
        if not done.complete or facts.score_refs(score.id):
            facts.untold.add(f"score:{score.id}")
    flags = []
    for flag in instrument.flags:
        because = _explain(flag.when, facts)
        if because is not None:
            facts.raised.add(flag.id)
            flags.append(FlagResult(flag.id, flag.severity, because))
        if flag.when.holds(facts) is None:
            facts.untold.add(f"flag:{flag.id}")
    needs = {need.id: _need(need, facts) for need in instrument.needs}
    strengths = []
    shown_some = _StrengthFacts(facts)
    for strength in instrument.strengths:
        because = _explain(strength.when, shown_some)
        if because is not None:
            strengths.append(StrengthResult(strength.id, because))
    derived = {d.id: facts.derived(d.id) for d in instrument.derived}
    return Result(facts.scores, tuple(flags), needs, tuple(strengths), derived)


def _need(need: Need, facts: _Facts) -> NeedResult:
    urgent = _explain(need.urgent_if, facts)
    if urgent is not None:
        return NeedResult(need.id, "urgent", urgent)
    some = _explain(need.some_if, facts)
    if some is not None:
        return NeedResult(need.id, "some", some)
    rules = [c for c in (need.urgent_if, need.some_if) if c is not None]
    untold = tuple(ref for c in rules for ref in c.unknowns(facts))
    if not untold:
        return NeedResult(need.id, "none", ())
    reasons = facts.reasons(untold, {})
    missing = tuple((ref, why) for ref, why in reasons.items() if why)
    return NeedResult(need.id, "unknown", tuple(ref for ref, _ in missing), missing)


def score(interview: Interview, route: Walk) -> Result:
    """Score every instrument of an interview and merge the results.

    Flags come urgent first (then in the order the instruments define them); a need
    domain that several instruments share takes the highest level any of them gives,
    ranked urgent > some > unknown > none (see :func:`merge_needs`).
    """
    scores: dict[str, ScoreResult] = {}
    flags: list[FlagResult] = []
    needs: dict[str, NeedResult] = {}
    strengths: dict[str, StrengthResult] = {}
    derived: dict[str, DValue | None] = {}
    for instrument in interview.instruments:
        part = score_instrument(instrument, route)
        scores.update(part.scores)
        derived.update(part.derived)
        flags.extend(part.flags)
        for need in part.needs.values():
            before = needs.get(need.id)
            needs[need.id] = need if before is None else merge_needs(before, need)
        for strength in part.strengths:
            strengths.setdefault(strength.id, strength)
    flags.sort(key=lambda f: f.severity)  # stable: definition order within a severity
    return Result(scores, tuple(flags), needs, tuple(strengths.values()), derived)


def urgent_flags(interview: Interview, route: Walk) -> tuple[str, ...]:
    """``score(interview, route).urgent`` without the rest of the result: the urgent
    flags raised, in the order :func:`score` gives them. A step needs only these, so it
    scores each instrument's scores and flags (a flag may read scores and earlier flags)
    and leaves out needs, strengths, explanations and instruments with no urgent flag."""
    out: list[str] = []
    for instrument in interview.instruments:
        if not any(f.severity is Severity.URGENT for f in instrument.flags):
            continue  # its flags are read by its own flags only: none of them is urgent
        facts = _Facts(route, instrument)
        for one in instrument.scores:
            facts.scores[one.id] = score_one(
                one, route, facts.scores, instrument.parameter_values, facts
            )
        for flag in instrument.flags:
            if flag.when.evaluate(facts):
                facts.raised.add(flag.id)
                if flag.severity is Severity.URGENT:
                    out.append(flag.id)
    return tuple(out)


def merge_needs(first: NeedResult, second: NeedResult) -> NeedResult:
    """One need domain from two instruments: the higher level (urgent > some > unknown >
    none); at the same level, what led to it from both, in order."""
    a, b = LEVELS.index(first.level), LEVELS.index(second.level)
    if a != b:
        return first if a > b else second
    because = tuple(dict.fromkeys(first.because + second.because))
    missing = tuple(dict(first.missing + second.missing).items())
    return NeedResult(first.id, first.level, because, missing)
