"""The screens of one interview, shared by the worker's pages and the private check-in.

A :class:`Place` says where an interview's screens live (the worker's
``/interviews/<id>``, or the private ``/checkin`` whose interview is named by the
person's session cookie alone) and holds a private interview's key. The views of
:mod:`screening.web.pages` and :mod:`screening.web.private` load the interview, then
call :func:`show` to render the screen it is at, or one of the ``post_*`` functions to
record what a form sent and redirect (POST/redirect/GET).

Screens, in the order they take precedence: help now (an urgent flag not yet seen on a
page), an instrument's universal-education screen (before its first question), the
question or the content warning before its section, and at the end the summary. Each
page's ``<main>`` carries ``data-screen`` with the step's :attr:`Step.screen` word.
``?q=N`` shows the N-th question of the route again, to go back and change an answer;
addresses never name an item or a topic.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Response, current_app, redirect, render_template, request, url_for

from screening.core import interview as iv
from screening.core.answers import DECLINED, SKIPPED, answer_to_json
from screening.core.matching import Match
from screening.core.route import InterviewError
from screening.i18n import N_
from screening.render.summary import PERSON, WORKER, flag_defs, said, summary_view
from screening.services import helplines
from screening.services import interviews as service
from screening.web import guards
from screening.web.extension import ext
from screening.web.forms import BadPost, Slip, choices_for, form_of, parse_form
from screening.web.i18n import WORDS, _
from screening.web.since import since

log = logging.getLogger(__name__)

DEMO_CONTACTS = (
    {"name": N_("Crisis line (demo)"), "phone": "555-0100", "hours": N_("Day and night")},
    {"name": N_("Shelter beds line (demo)"), "phone": "555-0142", "hours": N_("Day and night")},
    {"name": N_("Health nurse line (demo)"), "phone": "555-0177", "hours": N_("8 am to 10 pm")},
)


@dataclass(frozen=True)
class Place:
    """Where an interview's screens live: a blueprint whose endpoints ``interview``,
    ``answer``, ``section`` and ``help_seen`` take ``args``."""

    blueprint: str
    args: Mapping[str, str] = field(default_factory=dict)
    personal: bytes | None = None  # a private interview's key, from the person's cookie

    @property
    def private(self) -> bool:
        return self.blueprint == "private"

    def url(self, endpoint: str, **query: Any) -> str:
        values: dict[str, Any] = {**self.args, **query}
        return url_for(f"{self.blueprint}.{endpoint}", **values)

    def here(self, q: int | None = None) -> str:
        return self.url("interview") if q is None else self.url("interview", q=q)


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """Render a page; ``csrf`` (the masked token) and ``user`` come from the caller."""
    return render_template(template, **context), status


def see(url: str) -> Response:
    response: Response = current_app.make_response(redirect(url, 303))
    return response


def form_field(name: str, limit: int = 100) -> str:
    value = request.form.get(name)
    if value is None or len(value) > limit:
        raise BadPost(_("Part of this form is missing or too long. Nothing was saved."))
    return value


def form_key() -> str:
    key = form_field("key")
    if not 8 <= len(key) <= 100:
        raise BadPost(_("Part of this form is missing. Nothing was saved."))
    return key


def new_key() -> str:
    return secrets.token_urlsafe(18)


def record(loaded: service.Loaded, place: Place, entry: dict[str, Any], key: str) -> None:
    """Record an entry from a page: in the request's step transaction when it has one
    (the page views of an answer step), else in a transaction of its own."""
    conn = guards.step_connection()
    if conn is None:
        service.record(
            ext().engine, ext().master, loaded.id, entry, key, place.personal, help_shown=False
        )
        return
    service.record_in(conn, ext().master, loaded.id, entry, key, place.personal, help_shown=False)


def pending_help(loaded: service.Loaded) -> list[str]:
    """Urgent flags raised by the answers whose help screen no page has shown yet."""
    result = iv.result(loaded.session, loaded.state)
    return [f for f in result.urgent if f not in loaded.help_seen]


def asked(loaded: service.Loaded) -> list[str]:
    return iv.steps(loaded.session, loaded.state)


def position(loaded: service.Loaded, item_id: str | None) -> int | None:
    route = asked(loaded)
    return route.index(item_id) + 1 if item_id in route else None


def _back(loaded: service.Loaded, place: Place, previous: str | None) -> str | None:
    return place.here(position(loaded, previous)) if previous else None


# ---------------------------------------------------------------- showing a screen


def show(loaded: service.Loaded, place: Place, **context: Any) -> Response | tuple[str, int]:
    """The screen the interview is at, or the answered question ``?q=N`` asks for."""
    raw_q = request.args.get("q")
    if raw_q is not None:  # back to an answered question, chosen by the person
        if not raw_q.isdigit() or len(raw_q) > 4:
            raise BadPost(_("That address is not right."))
        route = asked(loaded)
        q = int(raw_q)
        if not 1 <= q <= len(route) or route[q - 1] not in loaded.state.answers:
            return see(place.here())  # moved on, or not reached yet: the current screen
        step = iv.step_at(loaded.session, loaded.state, route[q - 1])
        return question_page(loaded, place, step, q=q, **context)
    pending = pending_help(loaded)
    if pending:
        return help_page(loaded, place, pending, **context)
    step = iv.next_step(loaded.session, loaded.state)
    if step.education is not None:
        return education_page(loaded, place, step, **context)
    if step.note is not None:
        return note_page(loaded, place, step, **context)
    if step.done:
        return summary_page(loaded, place, **context)
    if step.content_warning:
        return warning_page(loaded, place, step, **context)
    return question_page(loaded, place, step, **context)


def help_contacts(instance: Path) -> tuple[list[dict[str, str]], bool]:
    """The deployment's crisis and shelter contacts from ``<instance>/help.json``, or the
    built-in demo list (``True`` as the second value) when there is none or it is bad."""
    path = instance / "help.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _demo_contacts(), True
    except (OSError, ValueError):
        log.error("%s cannot be read as JSON; showing the demo contacts", path)
        return _demo_contacts(), True
    contacts = []
    if isinstance(data, list):
        for entry in data:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                continue
            contacts.append(
                {k: str(entry[k]) for k in ("name", "phone", "hours", "note") if entry.get(k)}
            )
    if not contacts:
        log.error("%s lists no contact with a name; showing the demo contacts", path)
        return _demo_contacts(), True
    return contacts, False


def _demo_contacts() -> list[dict[str, str]]:
    """The demo contacts in the page's language; ``msg_*`` keep our message ids, for the
    second language in interpreter mode."""
    return [
        {k: v if k == "phone" else _(v) for k, v in c.items()}
        | {f"msg_{k}": v for k, v in c.items() if k != "phone"}
        for c in DEMO_CONTACTS
    ]


def voice(place: Place) -> str:
    """Who reads this place's results: the person alone (private) or the worker."""
    return PERSON if place.private else WORKER


def who_helps(loaded: service.Loaded, needs: list[str], *, free_only: bool = False) -> list[Match]:
    """The directory's services for these needs that anyone may use, 24/7 lines first,
    each once."""
    if not needs:
        return []
    services = helplines.directory_services(ext().engine)
    now = dt.datetime.now(dt.UTC)
    found: dict[str, Match] = {}
    for need in needs:
        for m in helplines.who_helps(
            services, need, now=now, language=loaded.locale, free_only=free_only
        ):
            found.setdefault(m.service.id, m)
    return sorted(found.values(), key=lambda m: not (m.service.always_open or m.open_now))


def help_page(
    loaded: service.Loaded, place: Place, pending: list[str], **context: Any
) -> tuple[str, int]:
    flags = flag_defs(loaded.session)
    shown = [flags[f] for f in pending]
    contacts, demo = help_contacts(ext().settings.instance)
    previous = iv.next_step(loaded.session, loaded.state).previous
    needs = [f.help.need for f in shown if f.help is not None and f.help.need]
    return page(
        "help.html",
        interview=loaded,
        place=place,
        screen="help",
        flags=[said(flags[f], voice(place), WORDS) for f in pending],
        flag_ids=pending,
        next_steps=list(dict.fromkeys(f.help.next for f in shown if f.help and f.help.next)),
        helpers=who_helps(loaded, list(dict.fromkeys(needs))),
        contacts=contacts,
        demo=demo,
        key=new_key(),
        back=_back(loaded, place, previous),
        **context,
    )


def education_page(
    loaded: service.Loaded, place: Place, step: iv.Step, **context: Any
) -> tuple[str, int]:
    """The universal-education screen: the same for everyone, whatever they answered."""
    assert step.education is not None
    need = step.education.need
    return page(
        "education.html",
        interview=loaded,
        place=place,
        screen="education",
        step=step,
        helpers=who_helps(loaded, [need] if need else [], free_only=True),
        key=new_key(),
        back=_back(loaded, place, step.previous),
        **context,
    )


def note_page(
    loaded: service.Loaded, place: Place, step: iv.Step, **context: Any
) -> tuple[str, int]:
    """A note shown as its own calm screen: text, no question, "Go on"."""
    return page(
        "note.html",
        interview=loaded,
        place=place,
        screen="note",
        step=step,
        key=new_key(),
        back=_back(loaded, place, step.previous),
        **context,
    )


def warning_page(
    loaded: service.Loaded, place: Place, step: iv.Step, **context: Any
) -> tuple[str, int]:
    assert step.section is not None
    before = loaded.session.items[step.previous] if step.previous else None
    first_in_instrument = step.instrument is not None and (
        before is None or before.instrument_id != step.instrument.id
    )
    return page(
        "warning.html",
        interview=loaded,
        place=place,
        screen="warning",
        step=step,
        first_in_instrument=first_in_instrument,
        key=new_key(),
        back=_back(loaded, place, step.previous),
        **context,
    )


def question_page(
    loaded: service.Loaded,
    place: Place,
    step: iv.Step,
    *,
    q: int | None = None,
    error: str | None = None,
    posted: tuple[list[str], str] | None = None,
    status: int = 200,
    **context: Any,
) -> tuple[str, int]:
    item = step.item
    assert item is not None
    saved = loaded.state.answers.get(item.id)
    chosen, typed = posted if posted is not None else form_of(saved)
    number = q if q is not None else step.progress.answered + 1
    total = max(step.progress.total, number)
    previous = step.previous
    before = loaded.session.items[previous] if previous else None
    first_in_instrument = before is None or before.instrument_id != item.instrument_id
    first_in_section = first_in_instrument or (
        before is not None and before.section_id != item.section_id
    )
    # Intros go on the instrument's first screen: its content warning when it has one.
    warned = step.section is not None and step.section.content_warning is not None
    return page(
        "question.html",
        status,
        interview=loaded,
        place=place,
        screen="question",
        step=step,
        item=item,
        choices=choices_for(item, chosen),
        typed=typed,
        interpretation=loaded.interpretations.get(item.id, ""),
        saved=saved,
        skipped=saved is SKIPPED,
        declined=saved is DECLINED,
        number=number,
        total=total,
        q=q,
        error=error,
        key=new_key(),
        first_in_section=first_in_section and not warned,
        first_in_instrument=first_in_instrument and not warned,
        back=_back(loaded, place, previous),
        multiple=item.type == "multiple",
        described=" ".join(n for n, on in (("error", error), ("help", item.help)) if on),
        choice_type=bool(item.options) or item.type == "scale",
        **context,
    )


def summary_page(loaded: service.Loaded, place: Place, **context: Any) -> tuple[str, int]:
    last = iv.previous_item(loaded.session, loaded.state, None)
    if place.private:  # nobody else will see this summary: it says who can help
        context.setdefault("contacts", help_contacts(ext().settings.instance)[0])
    else:  # issue 22: linked with the person's consent to an earlier check-in
        context.setdefault("since", since(loaded))
    return page(
        "summary.html",
        interview=loaded,
        place=place,
        screen="summary",
        back=_back(loaded, place, last),
        **summary_view(loaded.session, loaded.state, words=WORDS, voice=voice(place)),
        **context,
    )


# ---------------------------------------------------------------- recording a post


def post_help(loaded: service.Loaded, place: Place) -> Response:
    """The "go on" of a help screen (the flags it showed), of an education screen or
    of a note screen."""
    key = form_key()
    note = request.form.get("note")
    if note is not None:
        step = iv.next_step(loaded.session, loaded.state)
        if step.note is not None and note == step.note.id:  # else out of date: show now
            record(loaded, place, service.note_seen_entry(note), key)
        return see(place.here())
    education = request.form.get("education")
    if education is not None:
        step = iv.next_step(loaded.session, loaded.state)
        if step.education_key is not None and education == step.education_key:
            record(loaded, place, service.education_seen_entry(education), key)
        return see(place.here())
    shown = request.form.getlist("flag")
    flags = [f for f in pending_help(loaded) if f in shown]
    if flags:
        record(loaded, place, service.help_seen_entry(flags), key)
    return see(place.here())


def post_section(loaded: service.Loaded, place: Place) -> Response:
    key = form_key()
    choice = form_field("choice")
    section_key = form_field("section", 200)
    if choice not in ("enter", "skip"):
        raise BadPost(_("That choice is not one of the choices offered. Nothing was saved."))
    step = iv.next_step(loaded.session, loaded.state)
    current = step.section_key if step.content_warning else None
    if section_key != current and loaded.state.sections.get(section_key) != choice:
        raise BadPost(_("This page was out of date. Nothing was saved. Here is where we are now."))
    entry = {"kind": "section", "section": section_key, "choice": choice}
    record(loaded, place, entry, key)
    return see(place.here())


def post_answer(
    loaded: service.Loaded, place: Place, reload: Any, **context: Any
) -> Response | tuple[str, int]:
    """Record the answer a question screen sent; ``reload()`` loads the interview again
    after a change, to find the next question on the (possibly new) route."""
    key = form_key()
    item_id = form_field("item", 200)
    action = form_field("action", 20)
    try:
        item = loaded.session.item(item_id)
    except InterviewError:
        raise BadPost(_("That question is not part of this check-in. Nothing was saved.")) from None
    step = iv.next_step(loaded.session, loaded.state)
    current = step.item.id if step.item is not None else None
    route = asked(loaded)
    change = item_id in loaded.state.answers and item_id in route
    if item_id != current and not change:
        raise BadPost(_("This page was out of date. Nothing was saved. Here is where we are now."))
    if action in ("skip", "decline") and not item.skippable:
        raise BadPost(_("This question cannot be skipped. Nothing was saved."))
    q = route.index(item_id) + 1 if change else None
    if action == "skip":
        value: object = None
    elif action == "decline":
        value = {"declined": True}
    elif action == "next":
        try:
            value = parse_form(item, request.form)
        except Slip as slip:
            shown = iv.step_at(loaded.session, loaded.state, item_id)
            posted = (request.form.getlist("value"), request.form.get("value", ""))
            return question_page(
                loaded, place, shown, q=q, error=slip.message, posted=posted, status=400, **context
            )
    else:
        raise BadPost(_("That button is not one of ours. Nothing was saved."))
    saved = loaded.state.answers.get(item_id)
    unchanged = change and saved is not None and answer_to_json(saved) == value
    if not unchanged:
        body: dict[str, Any] = {"item": item_id}
        body.update({"declined": True} if action == "decline" else {"value": value})
        record(loaded, place, service.answer_entry(body), key)
    interpretation = request.form.get("interpretation", "").strip()
    if (
        action == "next"
        and item.type == "text"
        and interpretation
        and interpretation != loaded.interpretations.get(item_id)
    ):
        if len(interpretation) > service.MAX_INTERPRETATION:
            raise BadPost(_("Part of this form is missing or too long. Nothing was saved."))
        entry = {"kind": "interpretation", "item": item_id, "text": interpretation}
        record(loaded, place, entry, key[:96] + "-int")
    if not change:
        return see(place.here())
    # A change: go on to the next question on the (possibly new) route.
    after: service.Loaded = reload()
    new_route = asked(after)
    if item_id in new_route:
        at = new_route.index(item_id) + 1
        if at < len(new_route) and new_route[at] in after.state.answers:
            return see(place.here(at + 1))
    return see(place.here())
