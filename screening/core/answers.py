"""Answers: what a person gave for one item, checked against the item.

An answer is a value (option value, list of option values, number, ISO date, text),
``SKIPPED`` (the person skipped it: ``null`` in JSON) or ``DECLINED`` ("prefer not to
say": ``{"declined": true}``). An item with no entry at all is unanswered. These three
are kept apart everywhere: none of them is ever turned into a value.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from screening.core.model import Item


class Missing(enum.Enum):
    SKIPPED = "skipped"
    DECLINED = "declined"


SKIPPED = Missing.SKIPPED
DECLINED = Missing.DECLINED

Value: TypeAlias = str | int | float | tuple[str | int, ...]
Answer: TypeAlias = Value | Missing


class AnswerError(ValueError):
    """An answer that does not fit its item; the message says what would."""

    def __init__(self, item_id: str, message: str) -> None:
        super().__init__(f"{item_id}: {message}")
        self.item_id = item_id
        self.message = message


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def _valid_values(item: Item) -> str:
    return ", ".join(repr(v) if isinstance(v, str) else str(v) for v in item.values)


def _choice(item: Item, raw: object) -> str | int:
    if isinstance(raw, bool) or not isinstance(raw, str | int) or item.option(raw) is None:
        hint = ""
        if isinstance(raw, str) and raw.lstrip("-").isdigit() and item.option(int(raw)):
            hint = " (the value is a number here: write it without quotes)"
        elif isinstance(raw, int) and not isinstance(raw, bool) and item.option(str(raw)):
            hint = " (the value is text here: write it in quotes)"
        elif isinstance(raw, bool):
            hint = " (YAML reads unquoted yes/no/true/false as booleans: quote it)"
        raise AnswerError(
            item.id, f"{_describe(raw)} is not an option; valid: {_valid_values(item)}{hint}"
        )
    return raw


def _multiple(item: Item, raw: object) -> tuple[str | int, ...]:
    if not isinstance(raw, list | tuple):
        raise AnswerError(item.id, f"expected a list of option values, got {_describe(raw)}")
    chosen = tuple(_choice(item, v) for v in raw)
    if len(set(chosen)) != len(chosen):
        raise AnswerError(item.id, "an option is chosen twice")
    exclusive = [v for v in chosen if (o := item.option(v)) is not None and o.exclusive]
    if exclusive and len(chosen) > 1:
        raise AnswerError(item.id, f"{exclusive[0]!r} cannot be chosen together with other options")
    return chosen


MAX_MAGNITUDE = 1e15  # past this a "number" answer is a typo or an attack, not a count


def _number(item: Item, raw: object) -> int | float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise AnswerError(item.id, f"expected a number, got {_describe(raw)}")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise AnswerError(item.id, "expected a finite number")
    if abs(raw) > MAX_MAGNITUDE:
        raise AnswerError(item.id, "the number is too large")
    if item.integer and isinstance(raw, float):
        if not raw.is_integer():
            raise AnswerError(item.id, f"expected a whole number, got {raw!r}")
        raw = int(raw)
    if item.min is not None and raw < float(item.min):
        raise AnswerError(item.id, f"{raw!r} is below the lowest allowed, {item.min}")
    if item.max is not None and raw > float(item.max):
        raise AnswerError(item.id, f"{raw!r} is above the highest allowed, {item.max}")
    return raw


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text: str) -> dt.date | None:
    """A calendar date written exactly YYYY-MM-DD, or None."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _date(item: Item, raw: object) -> str:
    if not isinstance(raw, str):
        raise AnswerError(item.id, f"expected a date YYYY-MM-DD, got {_describe(raw)}")
    day = iso_date(raw)
    if day is None:
        raise AnswerError(item.id, f"{raw[:40]!r} is not a date written YYYY-MM-DD")
    low = iso_date(item.min) if isinstance(item.min, str) else None
    high = iso_date(item.max) if isinstance(item.max, str) else None
    if low is not None and day < low:
        raise AnswerError(item.id, f"{raw} is before the earliest allowed, {item.min}")
    if high is not None and day > high:
        raise AnswerError(item.id, f"{raw} is after the latest allowed, {item.max}")
    return raw


def _text(item: Item, raw: object) -> str:
    if not isinstance(raw, str):
        raise AnswerError(item.id, f"expected text, got {_describe(raw)}")
    if len(raw) > item.max_length:
        raise AnswerError(item.id, f"text is longer than {item.max_length} characters")
    return raw


def _scale(item: Item, raw: object) -> str | int:
    if item.options:
        return _choice(item, raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise AnswerError(item.id, f"expected a whole number, got {_describe(raw)}")
    low, high, step = int(item.min or 0), int(item.max or 0), item.step or 1
    if not low <= raw <= high or (raw - low) % step:
        raise AnswerError(item.id, f"{raw} is not on the scale {low} to {high} in steps of {step}")
    return raw


_PARSERS = {
    "single": _choice,
    "yes_no": _choice,
    "multiple": _multiple,
    "scale": _scale,
    "number": _number,
    "date": _date,
    "text": _text,
}


def parse_answer(item: Item, raw: object) -> Answer:
    """Check a JSON-shaped answer against its item and return the core answer."""
    if raw is None or (isinstance(raw, Mapping) and raw == {"declined": True}):
        if not item.skippable:
            raise AnswerError(
                item.id, "this question cannot be skipped: " + (item.unskippable_because or "")
            )
        return SKIPPED if raw is None else DECLINED
    if isinstance(raw, Mapping):
        raise AnswerError(item.id, 'the only mapping allowed as an answer is {"declined": true}')
    return _PARSERS[item.type](item, raw)


def answer_to_json(answer: Answer) -> object:
    """The JSON form of an answer (the inverse of :func:`parse_answer`)."""
    if answer is SKIPPED:
        return None
    if answer is DECLINED:
        return {"declined": True}
    if isinstance(answer, tuple):
        return list(answer)
    return answer


def has_value(answer: Answer | None) -> bool:
    return answer is not None and not isinstance(answer, Missing)


def numeric_value(item: Item, answer: Answer | None) -> float | None:
    """The number an answer stands for: an option's score or integer value, a number
    typed, the sum over chosen options; None for text, dates and missing answers."""
    if answer is None or isinstance(answer, Missing):
        return None
    if isinstance(answer, tuple):
        total = 0.0
        for value in answer:
            option = item.option(value)
            if option is None or option.numeric is None:
                return None
            total += option.numeric
        return total
    if item.options:
        option = item.option(answer)
        return option.numeric if option is not None else None
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        return answer
    return None
