"""Two voices in the views (issue 12, point 1): the person's view ("My plan", private
screens) holds only person texts; the worker's holds the worker's text first and the
person's beside it; an old instrument without person texts never falls back to the
worker's words for the person."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from screening.core import interview as iv
from screening.core.model import Instrument
from screening.core.plan import Plan, need_labels
from screening.core.route import Interview
from screening.i18n.translate import translate
from screening.load.catalog import instruments_dir
from screening.load.loader import load_file
from screening.render.pdf import LOCALES, plan_context, render_html
from screening.render.summary import PERSON, PERSON_FALLBACK, WORKER, summary_view
from tests.support.voices import leaks

NEEDS = {
    "safe_right_now": "no",
    "id_kept_by_other": "yes",
    "own_money": "no",
    "enough_food": "no",
    "trusted_person": "yes",
}


def load(name: str) -> Instrument:
    return load_file(instruments_dir() / f"{name}.yaml")


def answered(ins: Instrument, answers: dict[str, object]) -> tuple[Interview, iv.State]:
    session = Interview([ins])
    state = iv.State()
    for section in ins.sections:
        state = iv.choose_section(state, f"{ins.id}/{section.id}", enter=True)
    for item in ins.items:
        if item.id in answers:
            state = iv.answer(session, state, item.id, answers[item.id])
    return session, state


def test_the_person_reads_person_texts_and_the_worker_both() -> None:
    ins = load("phq9")
    session, state = answered(ins, {f"phq9_{n}": 2 for n in range(1, 10)})
    flag = ins.flags[0]
    mine = summary_view(session, state, voice=PERSON)
    (urgent,) = mine["urgent"]
    assert (urgent.label, urgent.message, urgent.person) == (
        flag.person,
        flag.person_message,
        None,
    )
    assert flag.message is not None and flag.message.startswith("Check in about safety now")
    assert mine["needs"][0].label == ins.needs[0].person
    band = next(b for b in ins.scores[0].bands if b.id == "moderately_severe")
    assert mine["scores"][0].band == band.person and mine["scores"][0].band_person is None
    theirs = summary_view(session, state, voice=WORKER)
    (urgent,) = theirs["urgent"]
    assert (urgent.label, urgent.message, urgent.person) == (flag.label, flag.message, flag.person)
    assert (theirs["scores"][0].band, theirs["scores"][0].band_person) == (band.label, band.person)
    with pytest.raises(ValueError, match="voice"):
        summary_view(session, state, voice="robot")


def test_an_old_instrument_without_person_texts_never_shows_the_worker_words() -> None:
    ins = load("youth-check-in")
    old = replace(
        ins,
        flags=tuple(replace(f, person=None) for f in ins.flags),
        needs=tuple(replace(n, person=None) for n in ins.needs),
        strengths=tuple(replace(s, person=None) for s in ins.strengths),
        _items={},
    )
    session, state = answered(old, {"y_safe_right_now": "no", "y_trusted_person": "yes"})
    mine = summary_view(session, state, voice=PERSON)
    assert [f.label for f in mine["urgent"]] == [PERSON_FALLBACK["flag"]]
    assert [s.label for s in mine["strengths"]] == [PERSON_FALLBACK["strength"]]
    assert {n.label for n in mine["needs"]} == {PERSON_FALLBACK["need"]}
    assert "safety" in need_labels(session, person=True)
    assert need_labels(session, person=True)["safety"] != old.needs[0].label


def voices(ins: Instrument, code: str) -> tuple[set[str], set[str]]:
    """(worker texts that are not also person texts, person texts) in one language."""
    local = translate(ins, code)
    worker = {str(t) for f in local.flags for t in (f.label, f.message) if t}
    worker |= {str(r.label) for r in (*local.needs, *local.strengths)}
    person = {str(t) for f in local.flags for t in (f.person, f.person_message) if t}
    person |= {str(r.person) for r in (*local.needs, *local.strengths)}
    return worker - person, person


def worker_only(ins: Instrument, code: str) -> set[str]:
    return voices(ins, code)[0]


@pytest.mark.parametrize("code", LOCALES)
def test_my_plan_holds_person_texts_only(code: str) -> None:
    ins = load("needs-assessment")
    session, state = answered(ins, NEEDS)
    context = plan_context(
        session, state, Plan(goals=("a safe room",)), {}, {}, locale=code, today=dt.date(2026, 1, 2)
    )
    worker, person = voices(ins, code)
    assert leaks(render_html(context), worker, person) == []
    local = translate(ins, code)
    shown = {n["label"] for n in context["needs"]}
    assert shown and shown <= {str(n.person) for n in local.needs}
    assert "Someone else is keeping their ID or papers" in worker_only(ins, "en")
