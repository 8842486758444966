"""The summary screen's view: urgent safety first, then strengths, then every need
together, each with what the person told us. No routes here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from babel.lists import format_list
from babel.numbers import format_decimal

from screening.core import interview as iv
from screening.core.answers import DECLINED, SKIPPED, Answer, has_value
from screening.core.model import Band, Flag, Item, Need, Option, Severity, Strength
from screening.core.printing import Printing
from screening.core.route import Interview
from screening.i18n import N_, NP_

YES_NO_LABELS = {"yes": N_("Yes"), "no": N_("No"), "unsure": N_("Not sure")}


def _as_is(message: str) -> str:
    return message


def _english_number(number: float) -> str:
    return str(format_decimal(number, locale="en"))


def _english_list(items: Sequence[str]) -> str:
    return str(format_list(list(items), locale="en")) if items else ""


@dataclass(frozen=True)
class Wording:
    """The UI words of a view, injected: ``gettext`` translates one message (before its
    ``%(name)s`` variables are filled in), ``number`` writes a number. The web passes the
    request's language (Flask-Babel), the printed plan its catalog; the default is
    English, so rendering needs neither Flask nor a request."""

    gettext: Callable[[str], str] = _as_is
    number: Callable[[float], str] = _english_number
    join: Callable[[Sequence[str]], str] = _english_list  # "a, b and c" (CLDR)

    def __call__(self, message: str, **variables: Any) -> str:
        text = self.gettext(message)
        return text % variables if variables else text


ENGLISH = Wording()


def option_label(option: Option, words: Wording = ENGLISH) -> str:
    """An option's label; yes/no values without one get ours, others their value."""
    if option.label:
        return option.label
    text = str(option.value)
    known = YES_NO_LABELS.get(text)
    return words(known) if known else text.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Told:
    question: str
    answer: str


# Who reads a view: the person (private screens, "My plan", downloads) reads only the
# texts written for them ("you", plain words); the worker reads the worker's text first
# and may see beside it what the person reads.
PERSON = "person"
WORKER = "worker"
VOICES = (PERSON, WORKER)

# Shown to the person for a result whose instrument text has no person text (only an
# instrument stored before person texts were required can lack one): never the worker's.
# Marked NP_: the web's words look them up in the register of the page's audience.
PERSON_FALLBACK = {
    "flag": NP_("Something you told us may need help soon."),
    "need": NP_("Something to talk about together"),
    "strength": NP_("Something that helps you"),
}


@dataclass(frozen=True)
class Said:
    """A flag or strength in the voice of the screen's reader: ``label`` and ``message``
    are theirs; on a worker's screen ``person`` is what the person reads."""

    label: str
    message: str | None = None
    person: str | None = None
    id: str = ""

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class NeedView:
    label: str
    level: str
    told: list[Told]
    scores: list[str]
    id: str = ""
    person: str | None = None  # a worker's view: what the person reads
    # For a need the answers could not tell (level "unknown"): one line for each
    # question or score that was missing, saying why. Empty when shared_only: a print
    # or download never names a question the person did not answer.
    untold: list[str] = field(default_factory=list)


# Why a question or score could not tell, as the engine names it (NeedResult.missing).
MISSING_WORDS = {
    "skipped": N_("%(what)s: skipped"),
    "declined": N_("%(what)s: prefer not to say"),
    "section_skipped": N_("%(what)s: its part of the check-in was skipped"),
    "unanswered": N_("%(what)s: not answered yet"),
    "incomplete": N_("%(what)s: not all of its questions were answered, so it is incomplete"),
}


@dataclass(frozen=True)
class ScoreView:
    label: str
    value: int | float
    band: str | None
    complete: bool
    band_person: str | None = None  # a worker's view: the band as the person reads it


def voiced(
    result: Flag | Need | Strength | Band, voice: str, kind: str, words: Wording = ENGLISH
) -> tuple[str, str | None]:
    """(text, the person's text beside it): the person's own text alone in the person's
    voice (a neutral fallback when an old instrument has none, a band none at all); the
    worker's text and, when it says something else, the person's in the worker's."""
    if voice == WORKER:
        return result.label, result.person if result.person != result.label else None
    if result.person:
        return result.person, None
    return (words(PERSON_FALLBACK[kind]) if kind in PERSON_FALLBACK else ""), None


def said(flag: Flag, voice: str, words: Wording = ENGLISH) -> Said:
    """A flag as its reader sees it: the person never reads the worker's message."""
    text, person = voiced(flag, voice, "flag", words)
    message = flag.message if voice == WORKER else flag.person_message
    return Said(text, message, person, flag.id)


def answer_label(item: Item, answer: Answer | None, words: Wording = ENGLISH) -> str:
    if answer is None:
        return words(N_("Not answered"))
    if answer is SKIPPED:
        return words(N_("Skipped"))
    if answer is DECLINED:
        return words(N_("Prefer not to say"))
    if isinstance(answer, tuple):
        return words.join([_label_of(item, v, words) for v in answer])
    return _label_of(item, answer, words)


def _label_of(item: Item, value: object, words: Wording) -> str:
    option = item.option(value)
    return option_label(option, words) if option is not None else str(value)


def summary_view(
    session: Interview,
    state: iv.State,
    *,
    shared_only: bool = False,
    words: Wording = ENGLISH,
    voice: str = WORKER,
) -> dict[str, Any]:
    """What the summary shows, built from the scoring engine's result (no judgment here).

    ``shared_only`` (for anything printed or downloaded) leaves out every answer the
    person declined, skipped or did not give: only what they chose to tell us; and what
    may not leave the screen (:mod:`screening.core.printing`): a question and its answer
    only for a ``verbatim`` item, no flag raised by anything less, no need or strength
    raised only by ``never`` items. ``voice``: who reads it (``PERSON`` or ``WORKER``):
    see :func:`voiced`."""
    if voice not in VOICES:
        raise ValueError(f"voice is one of {', '.join(VOICES)}, not {voice!r}")
    result = iv.result(session, state)
    paper = Printing(session, result) if shared_only else None
    walked = iv.route(session, state)
    flags = flag_defs(session)
    needs = {n.id: n for ins in reversed(session.instruments) for n in ins.needs}
    strengths = {s.id: s for ins in session.instruments for s in ins.strengths}
    scores = {s.id: s for ins in session.instruments for s in ins.scores}
    raised = {f.id: f for f in result.flags}
    # a derived item (ask once) is told as the question the person really answered
    answered_as = {v.item.id: v.reused_from for v in walked.answered_elsewhere()}

    def items_of(refs: Iterable[str], seen: set[str]) -> list[str]:
        out: list[str] = []
        for ref in refs:
            kind, _, ident = ref.partition(":")
            if kind == "item":
                ident = answered_as.get(ident) or ident
            if kind == "item" and ident not in seen:
                seen.add(ident)
                out.append(ident)
            elif kind == "flag" and ident in raised:
                out.extend(items_of(raised[ident].because, seen))
        return out

    def score_line(score_id: str) -> str:
        found = result.scores[score_id]
        definition = scores[score_id]
        label = definition.label or score_id
        band = next((b for b in definition.bands if b.id == found.band), None)
        if not found.complete:
            return words(N_("%(score)s: not all questions were answered"), score=label)
        value = words.number(found.value)
        band_text = voiced(band, voice, "band", words)[0] if band else ""
        if band_text:
            return words(
                N_("%(score)s: %(value)s (%(band)s)"), score=label, value=value, band=band_text
            )
        return words(N_("%(score)s: %(value)s"), score=label, value=value)

    def untold_line(ref: str, why: str) -> str | None:
        kind, _, ident = ref.partition(":")
        if kind == "item" and ident in session.items:
            what = session.items[ident].text
        elif kind == "score" and ident in scores:
            what = scores[ident].label or ident
        else:
            return None
        return words(MISSING_WORDS.get(why, MISSING_WORDS["unanswered"]), what=what)

    need_views = []
    for need in result.needs.values():
        if need.level == "none" or (paper and not paper.need_name(need.because)):
            continue
        untold: list[str] = []
        if need.level == "unknown" and not shared_only:
            # a derived item is named as the question really asked, and only once
            asked: dict[str, str] = {}
            for ref, why in need.missing:
                kind, _, ident = ref.partition(":")
                key = f"item:{answered_as.get(ident) or ident}" if kind == "item" else ref
                asked.setdefault(key, why)
            untold = [x for ref, why in asked.items() if (x := untold_line(ref, why))]
        told = (
            []
            if need.level == "unknown"
            else [
                Told(
                    session.items[i].text,
                    answer_label(session.items[i], walked.answers.get(i), words),
                )
                for i in items_of(need.because, set())
                if i in session.items
                and (paper is None or (paper.told(i) and _shared(walked.answers.get(i))))
            ]
        )
        lines = [
            score_line(ref.partition(":")[2])
            for ref in need.because
            if ref.startswith("score:") and ref.partition(":")[2] in result.scores
        ]
        if need.level == "unknown":
            lines = []  # the incomplete score is named in the untold lines
        label, person = voiced(needs[need.id], voice, "need", words)
        need_views.append(NeedView(label, need.level, told, lines, need.id, person, untold))
    score_views = []
    for found in result.scores.values():
        definition = scores[found.id]
        band = next((b for b in definition.bands if b.id == found.band), None)
        band_text, band_person = voiced(band, voice, "band", words) if band else ("", None)
        shown = band is not None and found.complete
        score_views.append(
            ScoreView(
                definition.label or found.id,
                found.value,
                (band_text or None) if shown else None,
                found.complete,
                band_person if shown else None,
            )
        )

    def strength(ident: str) -> Said:
        text, person = voiced(strengths[ident], voice, "strength", words)
        return Said(text, None, person, ident)

    shown_flags = [f for f in result.flags if paper is None or paper.flag_text(f.id)]
    return {
        "urgent": [
            said(flags[f.id], voice, words) for f in shown_flags if f.severity is Severity.URGENT
        ],
        "noted": [
            said(flags[f.id], voice, words)
            for f in shown_flags
            if f.severity is not Severity.URGENT
        ],
        "strengths": [
            strength(s.id) for s in result.strengths if paper is None or paper.strength(s.because)
        ],
        "needs": need_views,
        "scores": score_views,
        # ``export: never`` answers (the name and pronouns to use): on the worker's screen
        # only, never on paper, in a download or for the person reading alone
        "conversation": [
            Told(item.text, answer_label(item, walked.answers.get(item.id), words))
            for item in session.items.values()
            if not item.exported
            and item.id not in answered_as  # asked once: told once
            and voice == WORKER
            and not shared_only
            and has_value(walked.answers.get(item.id))
        ],
    }


def _shared(answer: Answer | None) -> bool:
    return answer is not None and answer is not SKIPPED and answer is not DECLINED


def flag_defs(session: Interview) -> dict[str, Any]:
    return {f.id: f for ins in session.instruments for f in ins.flags}
