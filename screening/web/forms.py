"""Form answers to engine answers, and what a question screen shows for each option.

No routes here: :mod:`screening.web.pages` renders and records; this module turns a
posted form into an answer (or a :class:`Slip` the person can fix, or a
:class:`BadPost` no form of ours can send)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from screening.core.answers import DECLINED, SKIPPED, Answer, iso_date
from screening.core.model import Item, Option
from screening.errors import Code, DomainError
from screening.render import summary
from screening.web.i18n import WORDS, _, _p


class BadPost(DomainError):
    """A forged or malformed post: a 400 page (or the code's page) with a plain
    message in the page's language, nothing stored."""

    def __init__(self, message: str, code: Code = Code.BAD_POST) -> None:
        super().__init__(code, detail=message)
        self.plain = message


@dataclass(frozen=True)
class Choice:
    value: str  # the option value as the form sends it
    label: str
    checked: bool


def option_label(option: Option) -> str:
    """An option's label in the page's language."""
    return summary.option_label(option, WORDS)


def choices_for(item: Item, chosen: Iterable[str]) -> list[Choice]:
    marked = set(chosen)
    if item.options:
        return [Choice(str(o.value), option_label(o), str(o.value) in marked) for o in item.options]
    if item.type == "scale":
        low, high, stride = int(item.min or 0), int(item.max or 0), item.step or 1
        out = []
        for n in range(low, high + 1, stride):
            label = str(n)
            if n == low and item.min_label:
                label = f"{n}: {item.min_label}"
            elif n == high and item.max_label:
                label = f"{n}: {item.max_label}"
            out.append(Choice(str(n), label, str(n) in marked))
        return out
    return []


def form_of(answer: Answer | None) -> tuple[list[str], str]:
    """An answer as the form shows it: chosen option values, typed text."""
    if answer is None or answer in (SKIPPED, DECLINED):
        return [], ""
    if isinstance(answer, tuple):
        return [str(v) for v in answer], ""
    return [str(answer)], str(answer)


class Slip(Exception):
    """The person's answer does not fit yet (nothing chosen, a number out of range)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_NUMBER = re.compile(r"-?[0-9]{1,16}([.,][0-9]{1,10})?")


def _option_value(item: Item, sent: str) -> str | int:
    matches = [o.value for o in item.options if str(o.value) == sent]
    if len(matches) != 1:
        raise BadPost(
            _("That answer is not one of the choices for this question. Nothing was saved.")
        )
    return matches[0]


def parse_form(item: Item, form: MultiDict[str, str]) -> object:
    """The JSON-shaped answer a question form sends; Slip for the person's slips,
    BadPost for what no form of ours can send."""
    values = form.getlist("value")
    if any(len(v) > 20_000 for v in values) or len(values) > max(len(item.options), 1):
        raise BadPost(_("That answer is too long to keep. Nothing was saved."))
    if item.type == "multiple":
        chosen = [_option_value(item, v) for v in values]
        if len(set(chosen)) != len(chosen):
            raise BadPost(_("An answer was sent twice. Nothing was saved."))
        if not chosen:
            raise Slip(_p("Choose at least one answer, or press “Skip this question”."))
        alone = [o for o in item.options if o.exclusive and o.value in chosen]
        if alone and len(chosen) > 1:
            raise Slip(
                _(
                    "“%(answer)s” cannot be chosen together with other answers.",
                    answer=option_label(alone[0]),
                )
            )
        return chosen
    if len(values) > 1:
        raise BadPost(_("This question takes one answer. Nothing was saved."))
    sent = values[0] if values else ""
    if item.options:
        if not sent:
            raise Slip(_p("Choose an answer, or press “Skip this question”."))
        return _option_value(item, sent)
    if item.type == "scale":
        if not sent:
            raise Slip(_p("Choose an answer, or press “Skip this question”."))
        if sent not in {c.value for c in choices_for(item, [])}:
            raise BadPost(_("That answer is not one of the choices. Nothing was saved."))
        return int(sent)
    if item.type == "text":
        text = sent.replace("\r\n", "\n").strip()
        if len(text) > item.max_length:
            raise BadPost(_("That answer is too long to keep. Nothing was saved."))
        if not text:
            raise Slip(_p("Write an answer, or press “Skip this question”."))
        return text
    if item.type == "number":
        return _number(item, sent.strip())
    if item.type == "date":
        return _date(item, sent.strip())
    raise BadPost(_("This question cannot be answered here."))


def _number(item: Item, sent: str) -> int | float:
    if not sent:
        raise Slip(_p("Write a number, or press “Skip this question”."))
    if not _NUMBER.fullmatch(sent):
        raise Slip(_p("Write a number using digits, like 3."))
    value: int | float = float(sent.replace(",", ".")) if re.search("[.,]", sent) else int(sent)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if item.integer and isinstance(value, float):
        raise Slip(_p("Write a whole number, like 3."))
    low = float(item.min) if item.min is not None else None
    high = float(item.max) if item.max is not None else None
    if (low is not None and value < low) or (high is not None and value > high):
        raise Slip(
            _p(
                "Write a number from %(low)s to %(high)s.",
                low=_plain(item.min),
                high=_plain(item.max),
            )
        )
    return value


def _plain(bound: float | str | None) -> str:
    if bound is None:
        return "any"
    if isinstance(bound, float) and bound.is_integer():
        return str(int(bound))
    return str(bound)


def _date(item: Item, sent: str) -> str:
    if not sent:
        raise Slip(_p("Write a date, or press “Skip this question”."))
    day = iso_date(sent)
    if day is None:
        raise Slip(_p("Write the date as year-month-day, like 2026-12-01."))
    low = iso_date(item.min) if isinstance(item.min, str) else None
    high = iso_date(item.max) if isinstance(item.max, str) else None
    if (low is not None and day < low) or (high is not None and day > high):
        raise Slip(
            _p(
                "Write a date from %(first)s to %(last)s.",
                first=item.min or _("any day"),
                last=item.max or _("any day"),
            )
        )
    return sent
