"""The interview engine: what to show next, progress, back, change, skip (pure).

State holds only what the person did (answers, section choices, the urgent flags for
which help was already offered, the education screens shown, answers set aside).
Everything else, the route, the next step, progress, is derived from it on every call.
:func:`next_step` never changes state; :func:`set_aside` is the one explicit function
that moves answers which no longer apply out of the way (kept, never deleted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from screening.core.answers import Answer, answer_to_json, has_value, parse_answer
from screening.core.model import Education, Instrument, Item, Note, Section
from screening.core.route import (
    Interview,
    InterviewError,
    Kind,
    NoteVisit,
    Visit,
    Walk,
    note_key,
    section_key,
)
from screening.core.scoring import Result, score, urgent_flags


@dataclass(frozen=True)
class State:
    answers: Mapping[str, Answer] = field(default_factory=dict)
    sections: Mapping[str, str] = field(default_factory=dict)  # section key -> enter | skip
    acknowledged: frozenset[str] = frozenset()  # urgent flags whose help screen was shown
    set_aside: Mapping[str, Answer] = field(default_factory=dict)
    # education screens shown (their education_key) and note screens seen (note_key)
    seen: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Progress:
    answered: int
    remaining: int

    @property
    def total(self) -> int:
        return self.answered + self.remaining


@dataclass(frozen=True, slots=True)
class Step:
    """What to show now. ``urgent`` lists urgent flags not yet acknowledged: show help
    first. ``education`` is an instrument's universal-education screen, due before its
    first question (``item``, still the next question). ``content_warning`` is the
    section's warning, to show (with the choice to skip the section) before the item."""

    done: bool
    progress: Progress
    urgent: tuple[str, ...] = ()
    item: Item | None = None
    section: Section | None = None
    instrument: Instrument | None = None
    content_warning: str | None = None
    section_key: str | None = None
    previous: str | None = None
    # items on the route not asked, answered by another item (reused or derived)
    answered_elsewhere: tuple[Visit, ...] = ()
    education: Education | None = None
    education_key: str | None = None
    # A note shown as its own screen, due before ``item`` (still the next question, or
    # None when the note comes after the last one); passed with :func:`see_note`.
    note: Note | None = None
    # Notes shown above ``item`` (``display: above``), in order.
    notes: tuple[Note, ...] = ()

    @property
    def interrupt(self) -> bool:
        return bool(self.urgent)

    @property
    def screen(self) -> str:
        """The kind of screen this step is, one of :data:`SCREENS`: the word the step
        JSON and every page's ``<main data-screen>`` carry."""
        if self.urgent:
            return "help"
        if self.education is not None:
            return "education"
        if self.note is not None:
            return "note"
        if self.done:
            return "summary"
        return "warning" if self.content_warning else "question"


SCREENS = ("question", "warning", "help", "education", "note", "summary")


def education_key(instrument: Instrument) -> str | None:
    """The key under which ``State.seen`` records the instrument's education screen."""
    education = instrument.education
    return None if education is None else f"education/{instrument.id}/{education.id}"


def _entered(instrument: Instrument, state: State) -> bool:
    """Whether the person has done anything in this instrument yet: an answer (skips
    and declines too), a note seen or a section choice. Its education screen comes before that."""
    mine = {i.id for i in instrument.iter_items()}
    if any(k in mine for k in (*state.answers, *state.set_aside)):
        return True
    if any(note_key(n) in state.seen for n in instrument.iter_notes()):
        return True  # going on from one of its notes is going on past its education
    return any(section_key(instrument, s) in state.sections for s in instrument.sections)


def _education_due(
    interview: Interview, state: State, upto: Instrument | None
) -> Instrument | None:
    """The first instrument up to ``upto`` (all when None) whose education screen the
    person has not seen and whose questions they have not begun."""
    for instrument in interview.instruments:
        key = education_key(instrument)
        if key is not None and key not in state.seen and not _entered(instrument, state):
            return instrument
        if instrument is upto:
            break
    return None


def route(interview: Interview, state: State) -> Walk:
    return interview.walk(state.answers, state.sections)


def steps(interview: Interview, state: State) -> list[str]:
    """Ids of every item the interview asks, in order, as things stand."""
    return [v.item.id for v in route(interview, state).asked()]


def note_screens(walked: Walk) -> list[tuple[Note, str | None]]:
    """Each note on the route shown as its own screen, with the id of the question it
    comes before (None: no question follows)."""
    out = []
    for visit in walked.notes:
        if visit.note.display != "screen":
            continue
        after = [v for v in walked.visits[visit.at :] if v.kind is Kind.ASKED]
        out.append((visit.note, after[0].item.id if after else None))
    return out


def progress(walked: Walk) -> Progress:
    asked = walked.asked()
    answered = sum(1 for v in asked if v.item.id in walked.answers)
    return Progress(answered, len(asked) - answered)


def result(interview: Interview, state: State) -> Result:
    return score(interview, route(interview, state))


def next_step(interview: Interview, state: State, walked: Walk | None = None) -> Step:
    """What the interview asks next. ``walked``: the route of this very state
    (``route(interview, state)``), when the caller has it already: not walked again."""
    walked = route(interview, state) if walked is None else walked
    urgent = tuple(f for f in urgent_flags(interview, walked) if f not in state.acknowledged)
    counts = progress(walked)
    asked = walked.asked()
    pending = next((v for v in asked if v.item.id not in walked.answers), None)
    elsewhere = tuple(walked.answered_elsewhere())
    due = _education_due(interview, state, pending.instrument if pending else None)
    education = None if due is None else due.education
    key = None if due is None else education_key(due)
    note = _note_due(walked, state, pending)
    if pending is None:
        last = asked[-1].item.id if asked else None
        return Step(
            done=note is None,
            progress=counts,
            urgent=urgent,
            instrument=None if note is None else note.instrument,
            section=None if note is None else note.section,
            previous=last,
            answered_elsewhere=elsewhere,
            education=education,
            education_key=key,
            note=None if note is None else note.note,
        )
    step = _item_step(pending, walked, counts, urgent, state)
    if note is not None and not (step.content_warning and note.section is pending.section):
        step = replace(step, content_warning=None, note=note.note, notes=())
    return replace(step, answered_elsewhere=elsewhere, education=education, education_key=key)


def _note_due(walked: Walk, state: State, pending: Visit | None) -> NoteVisit | None:
    """The first note screen on the route, not yet seen, before the next question (any,
    when every question is answered). A section's content warning comes before its
    notes: a note in a section still behind its warning waits for the choice."""
    limit = len(walked.visits) if pending is None else _index(walked, pending)
    for visit in walked.notes:
        if visit.at > limit:
            return None
        if visit.note.display == "screen" and note_key(visit.note) not in state.seen:
            return visit
    return None


def _index(walked: Walk, visit: Visit) -> int:
    return next(n for n, v in enumerate(walked.visits) if v is visit)


def _notes_above(walked: Walk, visit: Visit) -> tuple[Note, ...]:
    """Notes written to show above this question: those after the question asked before
    it (and any item not asked in between) and up to it."""
    at = _index(walked, visit)
    low = at
    while low > 0 and walked.visits[low - 1].kind is not Kind.ASKED:
        low -= 1
    return tuple(n.note for n in walked.notes if n.note.display == "above" and low <= n.at <= at)


def _item_step(
    visit: Visit, walked: Walk, counts: Progress, urgent: tuple[str, ...], state: State
) -> Step:
    key = section_key(visit.instrument, visit.section)
    warning = None
    if visit.section.content_warning and key not in state.sections:
        entered = any(
            v.section is visit.section
            and v.instrument is visit.instrument
            and v.item.id in walked.answers
            for v in walked.visits
        )
        warning = None if entered else visit.section.content_warning
    return Step(
        done=False,
        progress=counts,
        urgent=urgent,
        item=visit.item,
        section=visit.section,
        instrument=visit.instrument,
        content_warning=warning,
        section_key=key,
        previous=_before(walked, visit.item.id),
        notes=_notes_above(walked, visit),
    )


def _before(walked: Walk, item_id: str) -> str | None:
    previous = None
    for visit in walked.asked():
        if visit.item.id == item_id:
            return previous
        previous = visit.item.id
    return previous


def step_at(interview: Interview, state: State, item_id: str) -> Step:
    """The step for an item already on the route (to go back to it or change it)."""
    walked = route(interview, state)
    visit = next((v for v in walked.asked() if v.item.id == item_id), None)
    if visit is None:
        raise InterviewError("not-on-path", f"{item_id!r} is not asked with the answers given")
    urgent = tuple(f for f in urgent_flags(interview, walked) if f not in state.acknowledged)
    step = _item_step(visit, walked, progress(walked), urgent, state)
    return replace(step, content_warning=None) if item_id in walked.answers else step


def previous_item(interview: Interview, state: State, item_id: str | None) -> str | None:
    """The item before ``item_id`` on the route; with None, the last item asked."""
    walked = route(interview, state)
    if item_id is None:
        asked = walked.asked()
        return asked[-1].item.id if asked else None
    return _before(walked, item_id)


def answer(interview: Interview, state: State, item_id: str, raw: object) -> State:
    """Record (or change) an answer to an item on the route. ``raw`` is JSON-shaped:
    a value, ``None`` for skipped or ``{"declined": True}``."""
    item = interview.item(item_id)
    walked = route(interview, state)
    if not any(v.item.id == item_id for v in walked.asked()):
        raise InterviewError(
            "not-on-path", f"{item_id!r} is not asked with the answers given so far"
        )
    value = parse_answer(item, raw)
    answers = {**state.answers, item_id: value}
    aside = {k: v for k, v in state.set_aside.items() if k != item_id}
    return replace(state, answers=answers, set_aside=aside)


def answer_walked(
    interview: Interview, state: State, item_id: str, raw: object
) -> tuple[State, Walk]:
    """:func:`answer`, and the route of the state it gives, walking the route once.

    Whether an item is asked is settled by the route before it, which its own answer
    never reaches (conditions and derived values read only what was walked before), so
    the route after the answer tells whether it was asked before: except for an item of
    a skipped section that had no answer (the answer alone would make it asked again).
    A value that is not valid is checked against the route first, as :func:`answer`
    does, so both refuse the same entries with the same error."""
    item = interview.item(item_id)
    try:
        value = parse_answer(item, raw)
    except (ValueError, TypeError, KeyError, AttributeError):  # AnswerError is a ValueError
        answer(interview, state, item_id, raw)  # not on the route: that error first
        raise
    answers = {**state.answers, item_id: value}
    aside = {k: v for k, v in state.set_aside.items() if k != item_id}
    after = replace(state, answers=answers, set_aside=aside)
    walked = route(interview, after)
    visit = next((v for v in walked.asked() if v.item.id == item_id), None)
    skipped = (
        visit is not None
        and item_id not in state.answers
        and state.sections.get(section_key(visit.instrument, visit.section)) == "skip"
    )
    if visit is None or skipped:
        raise InterviewError(
            "not-on-path", f"{item_id!r} is not asked with the answers given so far"
        )
    return after, walked


def choose_section(state: State, key: str, *, enter: bool) -> State:
    """The person's choice at a content warning: go on, or skip the whole section."""
    return replace(state, sections={**state.sections, key: "enter" if enter else "skip"})


def see(interview: Interview, state: State, key: str) -> State:
    """The person was shown this education screen (its :func:`education_key`)."""
    if key not in {education_key(i) for i in interview.instruments}:
        raise InterviewError("unknown-screen", f"{key!r} is no education screen of this interview")
    return replace(state, seen=state.seen | {key})


def see_note(interview: Interview, state: State, note_id: str) -> State:
    """The person was shown this note's screen and went on. A note is no answer: only
    that it was seen is kept, so the route moves past it (and a resumed interview does
    not show it again)."""
    note = interview.note(note_id)
    return replace(state, seen=state.seen | {note_key(note)})


def acknowledge(state: State, flags: tuple[str, ...]) -> State:
    """Help was offered for these urgent flags; the interview may go on."""
    return replace(state, acknowledged=state.acknowledged | frozenset(flags))


def set_aside(interview: Interview, state: State, walked: Walk | None = None) -> State:
    """Move answers to items no longer asked (after a change) out of the live answers.

    They are kept in ``state.set_aside``, never deleted, so a worker can see them and an
    answer can be restored if the route comes back to its item. ``walked``: the route of
    ``state``, when the caller has it already. When nothing moves, ``state`` itself comes
    back (so its route is still the route of the result).
    """
    walked = route(interview, state) if walked is None else walked
    asked = {v.item.id for v in walked.asked() if v.kind is Kind.ASKED}
    live = {k: v for k, v in state.answers.items() if k in asked}
    moved = {k: v for k, v in state.answers.items() if k not in asked}
    if not moved:
        return state
    return replace(state, answers=live, set_aside={**state.set_aside, **moved})


def restore(interview: Interview, state: State) -> State:
    """Bring back set-aside answers whose items are asked again (an explicit choice)."""
    walked = route(interview, state)
    asked = {v.item.id for v in walked.asked()}
    back = {k: v for k, v in state.set_aside.items() if k in asked and k not in state.answers}
    if not back:
        return state
    return replace(
        state,
        answers={**state.answers, **back},
        set_aside={k: v for k, v in state.set_aside.items() if k not in back},
    )


def answered(state: State, item_id: str) -> bool:
    return has_value(state.answers.get(item_id))


def state_to_json(state: State) -> dict[str, object]:
    """A JSON form of the state, to pause an interview and resume it later."""
    return {
        "answers": {k: answer_to_json(v) for k, v in state.answers.items()},
        "sections": dict(state.sections),
        "acknowledged": sorted(state.acknowledged),
        "set_aside": {k: answer_to_json(v) for k, v in state.set_aside.items()},
        "seen": sorted(state.seen),
    }


def state_from_json(interview: Interview, data: Mapping[str, object]) -> State:
    """Rebuild a paused state, checking every answer against its item again."""

    def answers(key: str) -> dict[str, Answer]:
        raw = data.get(key, {})
        if not isinstance(raw, Mapping):
            raise InterviewError("bad-state", f"{key} must be a mapping")
        return {str(k): parse_answer(interview.item(str(k)), v) for k, v in raw.items()}

    sections = data.get("sections", {})
    acknowledged = data.get("acknowledged", [])
    if not isinstance(sections, Mapping) or not all(
        v in ("enter", "skip") for v in sections.values()
    ):
        raise InterviewError("bad-state", "sections map a section to 'enter' or 'skip'")
    if not isinstance(acknowledged, list):
        raise InterviewError("bad-state", "acknowledged is a list of flag ids")
    seen = data.get("seen", [])  # absent in states saved before education screens
    if not isinstance(seen, list):
        raise InterviewError("bad-state", "seen is a list of education screen keys")
    return State(
        answers=answers("answers"),
        sections={str(k): str(v) for k, v in sections.items()},
        acknowledged=frozenset(str(f) for f in acknowledged),
        set_aside=answers("set_aside"),
        seen=frozenset(str(k) for k in seen),
    )
