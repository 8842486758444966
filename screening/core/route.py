"""The route an interview takes through one or more instruments, derived from answers.

Pure and side-effect free: the route is recomputed from the answers on every call, and
computing it never changes or deletes an answer. An answer to an item that is not on
the route (its show_if is false) is invisible here, so it never counts anywhere.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from screening.core.answers import SKIPPED, Answer, Missing, numeric_value
from screening.core.derived import DerivedValue, DValue
from screening.core.model import CHOICE_TYPES, Derivation, Instrument, Item, Note, Section


class InterviewError(ValueError):
    """An interview that cannot be formed or an action that does not fit it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Kind(enum.Enum):
    ASKED = "asked"  # the person is asked this item
    REUSED = "reused"  # same concept answered earlier in the interview: not asked again
    DERIVED = "derived"  # meaning read from another instrument's answer by the item's map
    SECTION_SKIPPED = "section_skipped"  # the person chose to skip its section


@dataclass(frozen=True, slots=True)
class Visit:
    instrument: Instrument
    section: Section
    item: Item
    kind: Kind
    reused_from: str | None = None  # REUSED or DERIVED: the item whose answer it reads


@dataclass(frozen=True, slots=True)
class NoteVisit:
    """A note on the route. ``at`` is the index in :attr:`Walk.visits` of the first item
    after it (``len(visits)`` when nothing follows): a note is never a visit itself, so
    nothing that reads the visits (progress, scores, exports) ever counts it."""

    instrument: Instrument
    section: Section
    note: Note
    at: int


def section_key(instrument: Instrument, section: Section) -> str:
    return f"{instrument.id}/{section.id}"


def note_key(note: Note) -> str:
    """The key under which the state records that a note screen was seen."""
    return f"note/{note.instrument_id}/{note.id}"


class Interview:
    """One or several instruments asked in a row, as one interview."""

    def __init__(self, instruments: Sequence[Instrument], today: dt.date | None = None) -> None:
        """``today``: the day the interview is taken, for derived values that count
        from today (an age); without it those are unknown (the core has no clock)."""
        if not instruments:
            raise InterviewError("empty", "an interview needs at least one instrument")
        self.instruments = tuple(instruments)
        self.today = today
        self.items: dict[str, Item] = {}
        self.values: dict[str, DerivedValue] = {
            d.id: d for instrument in self.instruments for d in instrument.derived
        }
        self.instrument_of: dict[str, Instrument] = {}
        owners: dict[str, str] = {}
        ids = [i.id for i in self.instruments]
        if len(set(ids)) != len(ids):
            raise InterviewError("duplicate-instrument", "an instrument is listed twice")
        for instrument in self.instruments:
            for kind, ids in (
                ("item", [i.id for i in instrument.iter_items()]),
                ("note", [n.id for n in instrument.iter_notes()]),
                ("score", [s.id for s in instrument.scores]),
                ("flag", [f.id for f in instrument.flags]),
                ("derived", [d.id for d in instrument.derived]),
            ):
                for ident in ids:
                    key = f"{kind}:{ident}"
                    if key in owners:
                        raise InterviewError(
                            "id-clash",
                            f"the {kind} id {ident!r} is used by both "
                            f"{owners[key]!r} and {instrument.id!r}; they cannot run as one "
                            "interview",
                        )
                    owners[key] = instrument.id
            for item in instrument.iter_items():
                self.items[item.id] = item
                self.instrument_of[item.id] = instrument
        self.notes = {n.id: n for ins in self.instruments for n in ins.iter_notes()}
        self.sources = self._concept_sources()
        self.derived = self._derivation_sources()
        # Derivation sources are walked first: a validated instrument (never a target of
        # reuse or derivation) before the others, which keep their order. The route is
        # still listed in the interview's order.
        self.order = tuple(i for i in self.instruments if i.validated) + tuple(
            i for i in self.instruments if not i.validated
        )

    def _concept_sources(self) -> dict[str, tuple[str, ...]]:
        """For each item, the earlier items whose answer it reuses (same concept and options)."""
        seen: dict[str, list[Item]] = {}
        sources: dict[str, tuple[str, ...]] = {}
        for instrument in self.instruments:
            for item in instrument.iter_items():
                if item.concept is None:
                    continue
                earlier = [e for e in seen.get(item.concept, []) if _same_question(e, item)]
                if earlier and not instrument.validated:
                    sources[item.id] = tuple(e.id for e in earlier)
                seen.setdefault(item.concept, []).append(item)
        return sources

    def _derivation_sources(self) -> dict[str, tuple[str, ...]]:
        """For each item with a ``derive`` map, the items it may read, best first: those
        carrying its ``from_concept`` in a validated instrument (whatever the order) or in
        an earlier one. Never into a validated instrument."""
        carriers: list[tuple[int, Instrument, Section, Item]] = [
            (n, instrument, section, item)
            for n, instrument in enumerate(self.instruments)
            for section in instrument.sections
            for item in section.items
            if item.concept is not None
        ]
        out: dict[str, tuple[str, ...]] = {}
        for n, instrument in enumerate(self.instruments):
            if instrument.validated:
                continue
            for item in instrument.iter_items():
                if item.derive is None:
                    continue
                found = [
                    (section, source)
                    for m, other, section, source in carriers
                    if source.concept == item.derive.from_concept
                    and other is not instrument
                    and (other.validated or m < n)
                ]
                for section, source in found:
                    check_map(item, item.derive, source, section)
                if found:
                    out[item.id] = tuple(source.id for _, source in found)
        return out

    def item(self, item_id: str) -> Item:
        try:
            return self.items[item_id]
        except KeyError:
            if item_id in self.notes:
                raise InterviewError(
                    "bad-answer", f"{item_id!r} is a note: it takes no answer, only seen: true"
                ) from None
            raise InterviewError("unknown-item", f"no item {item_id!r} in this interview") from None

    def note(self, note_id: str) -> Note:
        try:
            return self.notes[note_id]
        except KeyError:
            raise InterviewError(
                "unknown-screen", f"{note_id!r} is no note of this interview"
            ) from None

    def walk(
        self, answers: Mapping[str, Answer], section_choices: Mapping[str, str] | None = None
    ) -> Walk:
        return walk(self, answers, section_choices or {})


def check_map(target: Item, derive: Derivation, source: Item, section: Section) -> None:
    """A map reads a one-value choice item that is always on the route (no show_if on it
    or its section: otherwise the derived item could be asked before anyone knows whether
    the source will be, and then both would be asked), and gives a value for each of its
    options."""
    if source.show_if is not None or section.show_if is not None:
        raise InterviewError(
            "derive-map",
            f"{target.id!r} derives from {source.id!r}, which has a show_if (on the item or "
            "its section): a map reads only an item that every interview asks",
        )
    if source.type not in CHOICE_TYPES or source.type == "multiple" or not source.options:
        raise InterviewError(
            "derive-map",
            f"{target.id!r} derives from {source.id!r}, a {source.type} item: a map reads "
            "only a single, yes_no or scale item with options",
        )
    missing = [v for v in source.values if derive.value_for(v) is None]
    if missing:
        raise InterviewError(
            "derive-map",
            f"the map of {target.id!r} has no row for {', '.join(map(repr, missing))} of "
            f"{source.id!r}: a map covers every option of its source",
        )


def derived_answer(derive: Derivation, source: Answer) -> Answer | None:
    """The derived item's answer: the mapped value; declined and skipped stay as they are."""
    if isinstance(source, Missing):
        return source
    return derive.value_for(source)


def _same_question(a: Item, b: Item) -> bool:
    return a.type == b.type and [(type(v), v) for v in a.values] == [(type(v), v) for v in b.values]


@dataclass
class ItemFacts:
    """Facts for conditions that test items only (show_if): scores and flags come later,
    so here no score is complete and no flag is raised."""

    answers: Mapping[str, Answer | None] = field(default_factory=dict)
    items: Mapping[str, Item] = field(default_factory=dict)
    values: Mapping[str, DerivedValue] = field(default_factory=dict)
    day: dt.date | None = None

    def answer(self, item_id: str) -> Answer | None:
        return self.answers.get(item_id)

    def derived(self, name: str) -> DValue | None:
        """A derived value from the answers so far (computed on every call: the route
        grows while it is walked). Scores are not known here, so one that reads a score
        is unknown; the loader keeps such values out of show_if."""
        found = self.values.get(name)
        return None if found is None else found.expr.value(self)

    def today(self) -> dt.date | None:
        return self.day

    def numeric(self, item_id: str) -> float | None:
        return numeric_value(self.items[item_id], self.answers.get(item_id))

    def score(self, score_id: str) -> tuple[float, str | None] | None:
        return None

    def flag(self, flag_id: str) -> bool:
        return False


@dataclass
class Walk(ItemFacts):
    """The route as things stand, with the answers that count (shown items only)."""

    answers: dict[str, Answer] = field(default_factory=dict)
    visits: list[Visit] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)  # ids of every visited item
    notes: list[NoteVisit] = field(default_factory=list)  # notes on the route, in order

    def visit(self, visit: Visit) -> None:
        self.visits.append(visit)
        self.shown.add(visit.item.id)

    def asked(self) -> list[Visit]:
        return [v for v in self.visits if v.kind is Kind.ASKED]

    def answered_elsewhere(self) -> list[Visit]:
        """Items on the route that are not asked: their answer is another item's
        (REUSED) or read from another item's through a map (DERIVED)."""
        return [v for v in self.visits if v.kind in (Kind.REUSED, Kind.DERIVED)]


def walk(
    interview: Interview, answers: Mapping[str, Answer], section_choices: Mapping[str, str]
) -> Walk:
    route = Walk(items=interview.items, values=interview.values, day=interview.today)
    for instrument in interview.order:
        _walk_instrument(interview, instrument, route, answers, section_choices)
    position = {instrument.id: n for n, instrument in enumerate(interview.instruments)}
    # Notes were placed by their index among their own instrument's visits; after the
    # visits are put in the interview's order, each gets its index in the whole route.
    local = {id(n): n.at for n in route.notes}
    route.visits.sort(key=lambda v: position[v.instrument.id])  # stable: item order kept
    offset: dict[str, int] = {}
    total = 0
    for instrument in interview.instruments:
        offset[instrument.id] = total
        total += sum(1 for v in route.visits if v.instrument is instrument)
    route.notes = sorted(
        (
            NoteVisit(n.instrument, n.section, n.note, offset[n.instrument.id] + local[id(n)])
            for n in route.notes
        ),
        key=lambda n: (n.at, position[n.instrument.id]),
    )
    return route


def _walk_instrument(
    interview: Interview,
    instrument: Instrument,
    route: Walk,
    answers: Mapping[str, Answer],
    section_choices: Mapping[str, str],
) -> None:
    first = len(route.visits)
    for section in instrument.sections:
        if section.show_if is not None and not section.show_if.evaluate(route):
            continue
        skipped = section_choices.get(section_key(instrument, section)) == "skip"
        for item in section.items:
            if not skipped:
                _walk_notes(instrument, section, section.notes_before(item.id), route, first)
            if item.show_if is not None and not item.show_if.evaluate(route):
                continue
            derived = _first_shown(interview.derived.get(item.id, ()), route)
            source = _first_shown(interview.sources.get(item.id, ()), route)
            if derived is not None and item.derive is not None:
                route.visit(Visit(instrument, section, item, Kind.DERIVED, derived))
                if derived in route.answers:  # unanswered stays unanswered
                    value = derived_answer(item.derive, route.answers[derived])
                    if value is not None:
                        route.answers[item.id] = value
            elif source is not None:
                route.visit(Visit(instrument, section, item, Kind.REUSED, source))
                if source in route.answers:
                    route.answers[item.id] = route.answers[source]
            elif skipped and item.id not in answers:
                route.visit(Visit(instrument, section, item, Kind.SECTION_SKIPPED))
                route.answers[item.id] = SKIPPED
            else:
                route.visit(Visit(instrument, section, item, Kind.ASKED))
                if item.id in answers:
                    route.answers[item.id] = answers[item.id]
        if not skipped:
            _walk_notes(instrument, section, section.notes_before(None), route, first)


def _walk_notes(
    instrument: Instrument,
    section: Section,
    notes: Sequence[Note],
    route: Walk,
    first: int,
) -> None:
    """Notes whose show_if holds join the route (never in a section the person skipped)."""
    for note in notes:
        if note.show_if is None or note.show_if.evaluate(route):
            route.notes.append(NoteVisit(instrument, section, note, len(route.visits) - first))


def _first_shown(candidates: Sequence[str], route: Walk) -> str | None:
    return next((s for s in candidates if s in route.shown), None)
