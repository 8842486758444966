"""A plain terminal interview: the same engine the web app uses, for demos and for
workers without a browser. Reads from stdin, writes to stdout; keeps nothing."""

from __future__ import annotations

import click

from screening.core import interview
from screening.core.answers import AnswerError
from screening.core.model import Item
from screening.core.route import Interview, InterviewError
from screening.core.scoring import Result
from screening.render.summary import option_label

_HELP = "s = skip, p = prefer not to say, w = why we ask, b = back, q = stop"


def _show(item: Item) -> None:
    click.echo(f"\n{item.text}")
    if item.help:
        click.echo(f"  {item.help}")
    if item.type in ("single", "multiple", "yes_no") or (item.type == "scale" and item.options):
        for n, option in enumerate(item.options, 1):
            click.echo(f"  [{n}] {option_label(option)}")
        if item.type == "multiple":
            click.echo("  (type one or more of the numbers in brackets, separated by spaces)")
        else:
            click.echo("  (type the number in brackets)")
    elif item.type == "scale":
        click.echo(
            f"  a number from {item.min} ({item.min_label or ''}) "
            f"to {item.max} ({item.max_label or ''})"
        )
    elif item.type == "date":
        click.echo("  a date, written YYYY-MM-DD")


def _position(
    session: Interview, state: interview.State, item_id: str, progress: interview.Progress
) -> tuple[int, int]:
    """Where the item stands on the route: after ``b`` the question gone back to, not
    the count of answers so far plus one."""
    asked = [v.item.id for v in interview.route(session, state).asked()]
    number = asked.index(item_id) + 1 if item_id in asked else progress.answered + 1
    return number, max(progress.total, number)


def _value(item: Item, typed: str) -> object:
    if item.options:
        picks = [
            item.options[int(n) - 1].value
            for n in typed.split()
            if n.isdigit() and 0 < int(n) <= len(item.options)
        ]
        if not picks:
            raise ValueError("choose by number")
        return picks if item.type == "multiple" else picks[0]
    if item.type in ("number", "scale"):
        number = float(typed)
        return int(number) if number.is_integer() else number
    return typed


def run(session: Interview) -> interview.State:
    state = interview.State()
    going_back: str | None = None
    intro = session.instruments[0].intro
    if intro:
        click.echo(intro)
    click.echo(f"\n({_HELP})")
    while True:
        step = (
            interview.step_at(session, state, going_back)
            if going_back
            else interview.next_step(session, state)
        )
        going_back = None
        if step.urgent:
            click.echo(
                "\n!! Something you said means help may be needed now. A worker can "
                "connect you with crisis or shelter services. You can go on after."
            )
            for flag in (f for ins in session.instruments for f in ins.flags):
                if flag.id in step.urgent and flag.help is not None and flag.help.next:
                    click.echo(f"What happens next: {flag.help.next}")
            state = interview.acknowledge(state, step.urgent)
            continue
        if step.education is not None and step.education_key is not None:
            click.echo(f"\n{step.education.title}\n\n{step.education.text}")
            state = interview.see(session, state, step.education_key)
            continue
        if step.note is not None:  # a calm screen of its own: read, then go on
            click.echo(f"\n{step.note.text}")
            if step.note.why:
                click.echo(f"  {step.note.why}")
            typed = click.prompt("(Enter: go on, q: stop)", default="", show_default=False)
            if typed.strip() == "q":
                break
            state = interview.see_note(session, state, step.note.id)
            continue
        if step.done or step.item is None:
            break
        if step.content_warning and step.section_key:
            click.echo(f"\n{step.content_warning}")
            enter = click.confirm("Go on with this part?", default=True)
            state = interview.choose_section(state, step.section_key, enter=enter)
            continue
        item = step.item
        for note in step.notes:  # notes written to show above this question
            click.echo(f"\n{note.text}")
        number, total = _position(session, state, item.id, step.progress)
        click.echo(f"\nquestion {number} of about {total}")
        if item.content_warning:
            click.echo(item.content_warning)
        _show(item)
        typed = click.prompt(">", default="", show_default=False).strip()
        if typed == "q":
            break
        if typed == "w":
            click.echo(f"  Why we ask: {item.why}")
            going_back = item.id if item.id in state.answers else None
            continue
        if typed == "b":
            going_back = interview.previous_item(session, state, item.id)
            continue
        raw: object = {"s": None, "p": {"declined": True}}.get(typed, typed)
        try:
            if isinstance(raw, str):
                raw = _value(item, raw)
            state = interview.answer(session, state, item.id, raw)
            state = interview.set_aside(session, state)
        except (ValueError, AnswerError, InterviewError) as exc:
            click.echo(f"  Sorry, that did not work: {exc}. ({_HELP})")
            going_back = item.id if item.id in state.answers else None
    click.echo("\nThank you. Here is what your answers suggest:")
    result = interview.result(session, state)
    print_result(session, result)
    return state


_WHY = {
    "skipped": "skipped",
    "declined": "prefer not to say",
    "section_skipped": "its section was skipped",
    "unanswered": "not answered yet",
    "incomplete": "incomplete: not all of its questions were answered",
}


def _untold(session: Interview, labels: dict[str, str], ref: str, why: str) -> str:
    """One thing that could not be told, and why: "question phq9_9 (text): declined"."""
    kind, _, ident = ref.partition(":")
    if kind == "item" and ident in session.items:
        what = f"question {ident} ({session.items[ident].text})"
    else:
        what = labels.get(ident, ident)
    return f"{what}: {_WHY.get(why, why)}"


def print_result(session: Interview, result: Result) -> None:
    """The result in words: what to act on first, strengths, needs, scores."""
    labels: dict[str, str] = {}
    for ins in session.instruments:
        labels.update({f.id: f.label for f in ins.flags})
        labels.update({n.id: n.label for n in ins.needs})
        labels.update({s.id: s.label for s in ins.strengths})
        for s in ins.scores:
            labels[s.id] = s.label or s.id
            labels.update({f"{s.id}/{b.id}": b.label for b in s.bands})
    if result.flags:
        click.echo("Act on first:")
        for flag in result.flags:
            click.echo(f"  [{flag.severity.label}] {labels[flag.id]}")
    if result.strengths:
        click.echo("Strengths:")
        for strength in result.strengths:
            click.echo(f"  {labels[strength.id]}")
    needs = [n for n in result.needs.values() if n.level != "none"]
    if needs:
        click.echo("Needs, to work on together:")
        for need in sorted(needs, key=lambda n: n.level != "urgent"):
            if need.level != "unknown":
                click.echo(f"  {labels[need.id]}: {need.level}")
                continue
            click.echo(f"  {labels[need.id]}: unknown (we could not tell from these answers)")
            for ref, why in need.missing:
                click.echo(f"    {_untold(session, labels, ref, why)}")
            click.echo("    Something to talk about together.")
    for done in result.scores.values():
        band = (
            labels.get(f"{done.id}/{done.band}", "")
            if done.complete
            else "incomplete: not every item was answered, so no band is given"
        )
        click.echo(f"{labels[done.id]}: {done.value} {band}".rstrip())
