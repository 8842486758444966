"""The trauma-informed checks that no schema can make (``screening lint``).

Pure: a parsed instrument (:class:`~screening.load.yamlmarks.Document`, already valid
against the schema) in, findings out; no files of ours, no network (textstat reads its
own bundled syllable data, once, when the first text is graded). Each finding is a
:class:`~screening.errors.Problem` whose code is one of the lint codes of
:class:`~screening.errors.Code`, placed on the text it is about. The reading level is
measured by ``grade`` (English Flesch-Kincaid from textstat unless another is given),
so tests and other languages can bring their own.

Checks, as a table of small functions (``CHECKS``): ``person-voice``, ``reading-level``,
``warning-missing``, ``print-rule``, ``audience-promise``, ``judgmental-word``,
``diagnosis-word``. The word lists live in ``screening.load.lint_words``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from screening.errors import Code, Path, Problem
from screening.load.lint_words import (
    DIAGNOSIS,
    JUDGMENTAL,
    PROMISES,
    SECOND_PERSON,
    THIRD_PERSON,
)
from screening.load.yamlmarks import Document

GRADE = 8  # the most for any text a person reads
YOUTH_GRADE = 6  # the most for every text of a youth instrument (its id starts "youth")
# A reading formula counts words per sentence and syllables per word: on a phrase of a
# few words ("Legal and immigration help", a need's name) it measures nothing but the
# length of one word, so shorter paragraphs are not graded.
MIN_WORDS = 6

Grade = Callable[[str], float]

# What a text is, for whom: titles and labels are read by the person too, but are too
# short for a reading formula (one phrase is one "sentence"), so only the texts in
# MEASURED are graded. Worker texts (``label``/``worker`` of results, ``message``, the
# description) are checked for judgmental words only.
PERSON_ROLES = frozenset({"title", "label", "item", "why", "intro", "warning", "person"})
MEASURED = frozenset({"item", "why", "intro", "warning", "person"})
PROMISE_ROLES = frozenset({"item", "why", "intro", "warning", "person"})


@dataclass(frozen=True, slots=True)
class Text:
    path: Path
    text: str
    role: str


@dataclass(frozen=True)
class Lint:
    doc: Document
    name: str
    data: dict[str, Any]
    grade: Grade

    @property
    def youth(self) -> bool:
        return str(self.data.get("id", "")).startswith("youth")

    @property
    def language(self) -> str:
        return str(self.data.get("language", "en")).split("-")[0].lower()

    def at(self, path: Path, code: Code, *, key: bool = False, **params: object) -> Problem:
        line, column = self.doc.where(path, key=key)
        return Problem(self.name, line, column, path, code.value, code.message(**params))


def lint(doc: Document, name: str, grade: Grade | None = None) -> list[Problem]:
    """Every finding of one instrument, in file order."""
    if not isinstance(doc.data, dict):
        return []
    ctx = Lint(doc, name, doc.data, grade or english_grade)
    found = [p for check in CHECKS.values() for p in check(ctx)]
    return sorted(found, key=lambda p: (p.line, p.column, p.code))


def english_grade(text: str) -> float:
    """Flesch-Kincaid grade of English text (textstat, with its own syllable data)."""
    import textstat  # heavy: loaded only when a text is graded

    return float(textstat.flesch_kincaid_grade(text))


# ---------------------------------------------------------------- the texts


def texts(data: dict[str, Any]) -> Iterator[Text]:
    """Every text of an instrument with what it is (see ``PERSON_ROLES``)."""
    yield from _fields(data, (), {"title": "title", "intro": "intro", "description": "worker"})
    education = data.get("education")
    if isinstance(education, dict):
        yield from _fields(education, ("education",), {"title": "title", "text": "intro"})
    for s, section in _each(data.get("sections")):
        spath: Path = ("sections", s)
        yield from _fields(
            section, spath, {"title": "title", "intro": "intro", "content_warning": "warning"}
        )
        for i, item in _each(section.get("items")):
            yield from _item_texts(item, (*spath, "items", i))
    sets = data.get("option_sets")
    if isinstance(sets, dict):
        for set_name, options in sets.items():
            yield from _options(options, ("option_sets", set_name))
    for kind in ("flags", "needs", "strengths"):
        for r, result in _each(data.get(kind)):
            yield from _result_texts(result, (kind, r))
    for s, score in _each(data.get("scores")):
        yield from _fields(score, ("scores", s), {"label": "worker"})
        for b, band in _each(score.get("bands")):
            yield from _result_texts(band, ("scores", s, "bands", b))


_ITEM = {
    "text": "item",
    "help": "item",
    "unskippable_because": "item",
    "why": "why",
    "content_warning": "warning",
    "min_label": "label",
    "max_label": "label",
    "unit": "label",
}
_RESULT = {
    "label": "worker",
    "worker": "worker",
    "message": "worker",
    "person": "person",
    "person_message": "person",
}


def _item_texts(item: dict[str, Any], path: Path) -> Iterator[Text]:
    yield from _fields(item, path, _ITEM)
    yield from _options(item.get("options"), (*path, "options"))


def _result_texts(result: dict[str, Any], path: Path) -> Iterator[Text]:
    yield from _fields(result, path, _RESULT)
    help_block = result.get("help")
    if isinstance(help_block, dict):
        yield from _fields(help_block, (*path, "help"), {"next": "person"})


def _options(options: object, path: Path) -> Iterator[Text]:
    for o, option in _each(options):
        yield from _fields(option, (*path, o), {"label": "label"})


def _fields(raw: dict[str, Any], path: Path, roles: dict[str, str]) -> Iterator[Text]:
    for key, role in roles.items():
        value = raw.get(key)
        if isinstance(value, str) and value.strip():
            yield Text((*path, key), value, role)


def _each(value: object) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        yield from ((n, v) for n, v in enumerate(value) if isinstance(v, dict))


def paragraphs(text: str) -> list[str]:
    """A text's paragraphs as the pages show them: its lines (YAML folds a blank line
    between paragraphs into one line break)."""
    return [" ".join(p.split()) for p in text.split("\n") if p.strip()]


def _items(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any], Path]]:
    for s, section in _each(data.get("sections")):
        for i, item in _each(section.get("items")):
            yield section, item, ("sections", s, "items", i)


# ---------------------------------------------------------------- the checks


def person_voice(ctx: Lint) -> Iterator[Problem]:
    """A person reading alone reads only person texts: each result has one when the
    instrument is for private use, and each speaks to the person, not about them."""
    audiences = ctx.data.get("audiences")
    if isinstance(audiences, list) and "private" in audiences:
        for path, result in _results(ctx.data):
            if not result.get("person"):
                yield ctx.at(
                    path,
                    Code.PERSON_VOICE,
                    detail="no person: text, and this instrument is for private use: a "
                    "person on their own reads only person texts; write one, with “you”",
                )
    for text in texts(ctx.data):
        if text.role != "person":
            continue
        # "You said someone says you owe them money": a text that speaks to the person
        # may name others; one with no "you" at all speaks about the person.
        match = THIRD_PERSON.search(text.text)
        if match and not SECOND_PERSON.search(text.text):
            yield ctx.at(
                text.path,
                Code.PERSON_VOICE,
                detail=f"{match.group(0)!r} speaks about the person; a person text speaks "
                "to them, as “you” (the worker's text is label: or worker:)",
            )


def _results(data: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    for kind in ("flags", "needs", "strengths"):
        for r, result in _each(data.get(kind)):
            yield (kind, r), result
    for s, score in _each(data.get("scores")):
        for b, band in _each(score.get("bands")):
            yield ("scores", s, "bands", b), band


def reading_level(ctx: Lint) -> Iterator[Problem]:
    if ctx.language != "en":  # the formula and its syllable counts are English only
        return
    limit = YOUTH_GRADE if ctx.youth else GRADE
    for text in texts(ctx.data):
        if text.role not in MEASURED:
            continue
        parts = paragraphs(text.text)
        for n, part in enumerate(parts, start=1):
            if len(part.split()) < MIN_WORDS:
                continue
            grade = round(ctx.grade(part), 1)
            if grade > limit:
                what = f"paragraph {n}" if len(parts) > 1 else "this text"
                yield ctx.at(text.path, Code.READING_LEVEL, what=what, grade=grade, limit=limit)


def warning_missing(ctx: Lint) -> Iterator[Problem]:
    """A sensitive item needs a warning before it is asked: its section's (a screen that
    lets the person skip the section) or its own (shown above the question)."""
    for section, item, path in _items(ctx.data):
        warned = section.get("content_warning") or item.get("content_warning")
        if item.get("sensitive") is True and not warned:
            yield ctx.at((*path, "sensitive"), Code.WARNING_MISSING, key=True)


def print_rule(ctx: Lint) -> Iterator[Problem]:
    """A print rule is the item's ``print``, its section's, or one the format fixes:
    ``sensitive: true`` and a content warning make an item ``never`` (the loader refuses
    anything more open for a sensitive item), so the author has decided."""
    for section, item, path in _items(ctx.data):
        decided = (
            "print" in item
            or "print" in section
            or item.get("sensitive") is True
            or bool(item.get("content_warning") or section.get("content_warning"))
        )
        if not decided:
            yield ctx.at((*path, "id"), Code.PRINT_RULE)


def audience_promise(ctx: Lint) -> Iterator[Problem]:
    for text in texts(ctx.data):
        if text.role not in PROMISE_ROLES:
            continue
        flat = " ".join(text.text.split())
        for pattern in PROMISES:
            match = pattern.search(flat)
            if match:
                yield ctx.at(text.path, Code.AUDIENCE_PROMISE, quote=_sentence(flat, match))
                break


def _sentence(text: str, match: re.Match[str]) -> str:
    start = max(text.rfind(".", 0, match.start()), text.rfind("?", 0, match.start())) + 1
    end = text.find(".", match.end())
    return text[start : end + 1 if end >= 0 else len(text)].strip()


def judgmental_word(ctx: Lint) -> Iterator[Problem]:
    words = JUDGMENTAL.get(ctx.language)
    if words is None:
        return
    for text in texts(ctx.data):  # worker texts too: a worker's words shape the meeting
        for pattern, instead in words:
            match = pattern.search(text.text)
            if match:
                yield ctx.at(
                    text.path,
                    Code.JUDGMENTAL_WORD,
                    word=match.group(0),
                    language=ctx.language,
                    instead=instead,
                )


def diagnosis_word(ctx: Lint) -> Iterator[Problem]:
    patterns = DIAGNOSIS.get(ctx.language, DIAGNOSIS["en"])  # scale names are English
    for text in texts(ctx.data):
        if text.role not in PERSON_ROLES:
            continue
        for pattern in patterns:
            match = pattern.search(text.text)
            if match:
                yield ctx.at(text.path, Code.DIAGNOSIS_WORD, word=match.group(0))
                break


CHECKS: dict[str, Callable[[Lint], Iterator[Problem]]] = {
    Code.PERSON_VOICE.value: person_voice,
    Code.READING_LEVEL.value: reading_level,
    Code.WARNING_MISSING.value: warning_missing,
    Code.PRINT_RULE.value: print_rule,
    Code.AUDIENCE_PROMISE.value: audience_promise,
    Code.JUDGMENTAL_WORD.value: judgmental_word,
    Code.DIAGNOSIS_WORD.value: diagnosis_word,
}
