"""The instrument model: frozen, typed, built once by the loader.

Pure Python: no YAML, no files, no Flask. Everything downstream (interview, scoring,
plans, exports) reads these objects, never raw dictionaries.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from screening.core.conditions import Condition
from screening.core.derived import DerivedValue, map_value

OptionValue = str | int
ITEM_TYPES: Final = ("single", "multiple", "scale", "yes_no", "number", "date", "text")
CHOICE_TYPES: Final = frozenset({"single", "multiple", "scale", "yes_no"})
# What may leave the screen (printed plans, downloads), most open first: ``verbatim``
# (question and answer may be printed), ``summary`` (only the need's name, in neutral
# words), ``never`` (nothing of it: not its question, its answer, nor what it raised).
PRINT_LEVELS: Final = ("verbatim", "summary", "never")
# How a note is shown: as a calm screen of its own, or above the question that follows it.
NOTE_DISPLAYS: Final = ("screen", "above")


class Severity(enum.IntEnum):
    """Flag severity; a lower value is shown first (urgent safety first of all)."""

    URGENT = 0
    HIGH = 1
    MODERATE = 2
    LOW = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class Status(enum.StrEnum):
    DRAFT = "draft"
    REVIEWED = "reviewed-by-lived-experience"
    VALIDATED = "validated"
    IMPORTED = "imported"


@dataclass(frozen=True, slots=True)
class Code:
    system: str
    code: str
    display: str | None = None


@dataclass(frozen=True, slots=True)
class Option:
    value: OptionValue
    label: str | None
    score: float | None = None
    exclusive: bool = False
    codes: tuple[Code, ...] = ()

    @property
    def numeric(self) -> float | None:
        """The number this option contributes to a score, if any."""
        if self.score is not None:
            return self.score
        if isinstance(self.value, int):
            return self.value
        return None


@dataclass(frozen=True, slots=True)
class Derivation:
    """How an item's meaning comes from another instrument's answer (ask once).

    ``from_concept`` names the concept the source item carries; ``pairs`` map each of
    the source's option values to one of this item's option values. Declined stays
    declined, skipped stays skipped, unanswered stays unanswered: only values are mapped.
    """

    from_concept: str
    pairs: tuple[tuple[OptionValue, OptionValue], ...]

    def value_for(self, source_value: object) -> OptionValue | None:
        """This item's value for a source value; None when the map has no row for it
        (1 and "1" are different values, True is none)."""
        found = map_value(self.pairs, source_value)
        return found if isinstance(found, str | int) else None

    @property
    def source_values(self) -> tuple[OptionValue, ...]:
        return tuple(key for key, _ in self.pairs)


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    type: str
    text: str
    why: str
    section_id: str
    instrument_id: str
    options: tuple[Option, ...] = ()
    skippable: bool = True
    unskippable_because: str | None = None
    show_if: Condition | None = None
    concept: str | None = None
    derive: Derivation | None = None
    help: str | None = None
    content_warning: str | None = None
    min: float | str | None = None
    max: float | str | None = None
    step: int | None = None
    min_label: str | None = None
    max_label: str | None = None
    integer: bool = False
    unit: str | None = None
    max_length: int = 500
    codes: tuple[Code, ...] = ()
    # Resolved by the loader (item, else section, else the default); an instrument
    # text stored before these fields existed loads with the same defaults.
    print_as: str = "summary"
    sensitive: bool = False
    # Issue 13: the audiences the item is asked in (empty: every one of its instrument's),
    # and whether its answer may leave the interview's own pages in files and data (CSV,
    # FHIR); ``export: never`` keeps it on the worker's screens only.
    audiences: tuple[str, ...] = ()
    exported: bool = True

    _by_value: dict[tuple[object, object], Option] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        self._by_value.update(((type(o.value), o.value), o) for o in self.options)

    def option(self, value: object) -> Option | None:
        """The option with this value; 1 and "1" are different values, True is none."""
        try:
            return self._by_value.get((type(value), value))
        except TypeError:  # an unhashable value (a list, a mapping) is no option
            return None

    @property
    def values(self) -> tuple[OptionValue, ...]:
        return tuple(option.value for option in self.options)

    def asked_in(self, audiences: frozenset[str]) -> bool:
        """Whether the item is asked in an interview for these audiences."""
        return not self.audiences or bool(audiences & set(self.audiences))

    def numeric_range(self) -> tuple[float, float] | None:
        """Lowest and highest number this item can contribute to a score."""
        if self.type == "number" or (self.type == "scale" and not self.options):
            if self.min is None or self.max is None:
                return None
            return float(self.min), float(self.max)
        if self.type == "multiple":
            if any(o.numeric is None for o in self.options):
                return None
            free = [float(o.numeric or 0) for o in self.options if not o.exclusive]
            alone = [float(o.numeric or 0) for o in self.options if o.exclusive]
            low = sum(s for s in free if s < 0)
            high = sum(s for s in free if s > 0)
            return min([low, *alone]), max([high, *alone])
        nums = [o.numeric for o in self.options]
        if not nums or any(n is None for n in nums):
            return None
        known = [n for n in nums if n is not None]
        return min(known), max(known)


@dataclass(frozen=True, slots=True)
class Note:
    """Text shown between questions (written ``type: note`` among a section's items).

    A note is not a question: it has no answer, is never scored and raises no flag or
    need, so it is kept apart from :attr:`Section.items` and nothing that reads answers
    sees it. ``display`` is ``screen`` (a calm screen of its own, passed with "go on")
    or ``above`` (shown above the question that follows it). ``before`` is the id of the
    section's next question, None when the note comes after the section's last one.
    """

    id: str
    text: str
    section_id: str
    instrument_id: str
    why: str | None = None
    show_if: Condition | None = None
    display: str = "screen"
    before: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    items: tuple[Item, ...]
    intro: str | None = None
    content_warning: str | None = None
    show_if: Condition | None = None
    print_as: str | None = None  # as written; each item holds the resolved level
    notes: tuple[Note, ...] = ()  # in the order written, each placed by ``before``

    def notes_before(self, item_id: str | None) -> tuple[Note, ...]:
        """The notes written just before this question (None: after the last one)."""
        return tuple(n for n in self.notes if n.before == item_id)


@dataclass(frozen=True, slots=True)
class Term:
    """One addend of a score: an item, another score or a derived value, weighted."""

    item: str | None = None
    score: str | None = None
    derived: str | None = None
    weight: float = 1
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class ParamRef:
    """A band bound set by an instrument parameter: its value plus ``add``."""

    name: str
    add: int = 0

    def resolve(self, values: Mapping[str, int]) -> float:
        return values[self.name] + self.add


Bound = float | ParamRef | None


def _resolve(bound: Bound, values: Mapping[str, int]) -> float | None:
    return bound.resolve(values) if isinstance(bound, ParamRef) else bound


@dataclass(frozen=True, slots=True)
class Band:
    """A score band. ``label`` is the worker's text (written ``worker:`` or ``label:``);
    ``person`` is what the person reads about themselves ("you", plain words)."""

    id: str
    label: str
    min: Bound
    max: Bound
    description: str | None = None
    person: str | None = None

    @property
    def worker(self) -> str:
        return self.label

    def bounds(self, values: Mapping[str, int]) -> tuple[float | None, float | None]:
        return _resolve(self.min, values), _resolve(self.max, values)

    def contains(self, value: float, values: Mapping[str, int]) -> bool:
        low, high = self.bounds(values)
        return (low is None or value >= low) and (high is None or value <= high)


@dataclass(frozen=True, slots=True)
class Score:
    id: str
    terms: tuple[Term, ...]
    label: str | None = None
    description: str | None = None
    requires: tuple[str, ...] = ()
    not_shown_zero: bool = False
    bands: tuple[Band, ...] = ()
    codes: tuple[Code, ...] = ()

    def band_for(self, value: float, values: Mapping[str, int]) -> Band | None:
        for band in self.bands:
            if band.contains(value, values):
                return band
        return None


@dataclass(frozen=True, slots=True)
class FlagHelp:
    """What the help screen of an urgent flag adds: ``next``, one plain sentence saying
    what happens next (a duty to report, say); ``need``, the need domain whose services
    are listed as who can help now (always-open lines first)."""

    next: str | None = None
    need: str | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    """``label`` and ``message`` are written for the worker; ``person`` and
    ``person_message`` for the person reading alone (never shown the worker's)."""

    id: str
    severity: Severity
    label: str
    when: Condition
    message: str | None = None
    person: str | None = None
    person_message: str | None = None
    help: FlagHelp | None = None

    @property
    def worker(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class Education:
    """A screen every person of the instrument sees, whatever they answer (universal
    education): shown once, before the instrument's first question. ``need`` names the
    need domain whose free services it lists as who helps."""

    id: str
    title: str
    text: str
    need: str | None = None


@dataclass(frozen=True, slots=True)
class Need:
    id: str
    label: str
    urgent_if: Condition | None = None
    some_if: Condition | None = None
    description: str | None = None
    person: str | None = None

    @property
    def worker(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class Strength:
    id: str
    label: str
    when: Condition
    person: str | None = None

    @property
    def worker(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class Parameter:
    id: str
    default: int
    min: int | None = None
    max: int | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Codesign:
    status: Status
    involved: tuple[tuple[str, str | None], ...] = ()
    method: str | None = None
    reviewed: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    version: str
    title: str
    language: str
    audiences: tuple[str, ...]
    codesign: Codesign
    licence: str
    sections: tuple[Section, ...]
    scores: tuple[Score, ...] = ()
    flags: tuple[Flag, ...] = ()
    needs: tuple[Need, ...] = ()
    strengths: tuple[Strength, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    parameter_values: Mapping[str, int] = field(default_factory=dict, compare=False)
    description: str | None = None
    intro: str | None = None
    source_citation: str | None = None
    source_official_text: str | None = None
    changelog: tuple[tuple[str, str, str], ...] = ()
    codes: tuple[Code, ...] = ()
    education: Education | None = None
    derived: tuple[DerivedValue, ...] = ()  # in their order: each reads only those above
    _items: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._items.clear()
        self._items.update((item.id, item) for item in self.iter_items())

    def iter_items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items

    def iter_notes(self) -> Iterator[Note]:
        for section in self.sections:
            yield from section.notes

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(self._items.values())

    def item(self, item_id: str) -> Item | None:
        return self._items.get(item_id)

    def section(self, section_id: str) -> Section | None:
        for section in self.sections:
            if section.id == section_id:
                return section
        return None

    def derived_value(self, name: str) -> DerivedValue | None:
        return next((d for d in self.derived if d.id == name), None)

    def score(self, score_id: str) -> Score | None:
        for score in self.scores:
            if score.id == score_id:
                return score
        return None

    @property
    def validated(self) -> bool:
        return self.codesign.status is Status.VALIDATED

    def for_audiences(self, audiences: frozenset[str]) -> Instrument:
        """A copy without the items not asked in these audiences (an item's own
        ``audiences``); a section left with no item is left out. The loader makes sure
        that no condition or score names such an item, so nothing else changes."""
        if all(item.asked_in(audiences) for item in self.iter_items()):
            return self
        sections = []
        for section in self.sections:
            kept = tuple(item for item in section.items if item.asked_in(audiences))
            if kept:
                sections.append(replace(section, items=kept))
        return replace(self, sections=tuple(sections), _items={})

    def with_parameters(self, values: Mapping[str, int]) -> Instrument:
        """A copy with some parameters set; ValueError names an unknown or out-of-range one."""
        known = {p.id: p for p in self.parameters}
        for name, value in values.items():
            param = known.get(name)
            if param is None:
                raise ValueError(
                    f"{self.id} has no parameter {name!r}; "
                    f"its parameters: {', '.join(known) or 'none'}"
                )
            low = param.min if param.min is not None else value
            high = param.max if param.max is not None else value
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name}={value!r} is outside the allowed range {low} .. {high}")
        merged = {**self.parameter_values, **values}
        return replace(self, parameter_values=merged, _items=dict(self._items))
