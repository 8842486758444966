"""An instrument in another language: a copy of the loaded Instrument with its texts
looked up in the instrument's catalog (message context ``<id>:<path>``).

A text with no translation stays English, as :class:`Untranslated` (a ``str``), so the
worker's pages can mark it. Option values, ids, scores and conditions are never
touched: answers given in one language stay valid in every other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import TypeVar

from babel.support import NullTranslations

from screening.core.model import (
    Band,
    Education,
    Flag,
    FlagHelp,
    Instrument,
    Item,
    Need,
    Note,
    Option,
    Score,
    Section,
    Strength,
)
from screening.core.route import Interview
from screening.i18n import catalogs
from screening.i18n.locales import SOURCE, parse_code

T = TypeVar("T", bound=str | None)


class Untranslated(str):
    """Source-language text shown because the translation is missing."""

    __slots__ = ()


class _Lookup:
    def __init__(self, instrument_id: str, translations: NullTranslations) -> None:
        self.prefix = f"{instrument_id}:"
        self.catalog: Mapping[object, str] = getattr(translations, "_catalog", {})
        self.sets: dict[tuple[str, str], str] = {}
        for key, text in self.catalog.items():
            if not isinstance(key, str) or "\x04" not in key:
                continue
            context, msgid = key.split("\x04", 1)
            parts = context.removeprefix(self.prefix).split(".")
            if context.startswith(self.prefix) and parts[0] == "option_sets" and len(parts) == 4:
                self.sets.setdefault((parts[2], msgid), text)

    def get(self, path: str, text: T) -> T | str:
        if text is None:
            return text
        found = self.catalog.get(f"{self.prefix}{path}\x04{text}")
        return found if found else Untranslated(text)

    def worker(self, prefix: str, text: str) -> str:
        """The worker's text, under its context ``…worker`` or its older name ``…label``."""
        found = self.catalog.get(f"{self.prefix}{prefix}worker\x04{text}")
        return found if found else self.get(prefix + "label", text)

    def option(self, item: Item, option: Option) -> Option:
        if option.label is None:
            return option
        path = f"items.{item.id}.options.{option.value}.label"
        found = self.catalog.get(f"{self.prefix}{path}\x04{option.label}")
        found = found or self.sets.get((str(option.value), option.label))
        return replace(option, label=found or Untranslated(option.label))


def translate(instrument: Instrument, code: str) -> Instrument:
    """``instrument`` with its texts in ``code`` (English where a text is missing)."""
    code = parse_code(code)
    if code == SOURCE:
        return instrument
    key = (
        instrument.id,
        instrument.version,
        code,
        tuple(sorted(instrument.parameter_values.items())),
    )
    return _translate(
        key, instrument, catalogs.translations(code, catalogs.instrument_domain(instrument.id))
    )


def translate_session(session: Interview, code: str) -> Interview:
    if parse_code(code) == SOURCE:
        return session
    return Interview([translate(ins, code) for ins in session.instruments])


@lru_cache(maxsize=256)
def _translate_cached(
    key: tuple[object, ...], instrument: Instrument, tr: NullTranslations
) -> Instrument:
    return _build(instrument, _Lookup(instrument.id, tr))


def _translate(key: tuple[object, ...], instrument: Instrument, tr: NullTranslations) -> Instrument:
    try:
        return _translate_cached(key, instrument, tr)
    except TypeError:  # unhashable: build without the cache
        return _build(instrument, _Lookup(instrument.id, tr))


def clear_cache() -> None:
    _translate_cached.cache_clear()


def _build(ins: Instrument, t: _Lookup) -> Instrument:
    return replace(
        ins,
        title=t.get("title", ins.title),
        description=t.get("description", ins.description),
        intro=t.get("intro", ins.intro),
        sections=tuple(_section(s, t) for s in ins.sections),
        scores=tuple(_score(s, t) for s in ins.scores),
        flags=tuple(_flag(f, t) for f in ins.flags),
        needs=tuple(_need(n, t) for n in ins.needs),
        strengths=tuple(_strength(s, t) for s in ins.strengths),
        education=_education(ins.education, t),
        _items={},
    )


def _education(education: Education | None, t: _Lookup) -> Education | None:
    if education is None:
        return None
    return replace(
        education,
        title=t.get("education.title", education.title),
        text=t.get("education.text", education.text),
    )


def _flag_help(flag: Flag, t: _Lookup) -> FlagHelp | None:
    if flag.help is None:
        return None
    return replace(flag.help, next=t.get(f"flags.{flag.id}.help.next", flag.help.next))


def _section(section: Section, t: _Lookup) -> Section:
    p = f"sections.{section.id}."
    return replace(
        section,
        title=t.get(p + "title", section.title),
        intro=t.get(p + "intro", section.intro),
        content_warning=t.get(p + "content_warning", section.content_warning),
        items=tuple(_item(i, t) for i in section.items),
        notes=tuple(_note(n, t) for n in section.notes),
    )


def _note(note: Note, t: _Lookup) -> Note:
    p = f"items.{note.id}."
    return replace(note, text=t.get(p + "text", note.text), why=t.get(p + "why", note.why))


def _item(item: Item, t: _Lookup) -> Item:
    p = f"items.{item.id}."
    fields = ("text", "why", "help", "content_warning", "unskippable_because")
    more = ("min_label", "max_label", "unit")
    changes = {name: t.get(p + name, getattr(item, name)) for name in (*fields, *more)}
    options = tuple(t.option(item, o) for o in item.options)
    return replace(item, options=options, _by_value={}, **changes)  # type: ignore[arg-type]


def _score(score: Score, t: _Lookup) -> Score:
    p = f"scores.{score.id}."
    bands = tuple(_band(b, t, p) for b in score.bands)
    return replace(
        score,
        label=t.get(p + "label", score.label),
        description=t.get(p + "description", score.description),
        bands=bands,
    )


def _band(band: Band, t: _Lookup, prefix: str) -> Band:
    p = f"{prefix}bands.{band.id}."
    return replace(
        band,
        label=t.worker(p, band.label),
        person=t.get(p + "person", band.person),
        description=t.get(p + "description", band.description),
    )


def _flag(flag: Flag, t: _Lookup) -> Flag:
    p = f"flags.{flag.id}."
    return replace(
        flag,
        label=t.worker(p, flag.label),
        message=t.get(p + "message", flag.message),
        person=t.get(p + "person", flag.person),
        person_message=t.get(p + "person_message", flag.person_message),
        help=_flag_help(flag, t),
    )


def _need(need: Need, t: _Lookup) -> Need:
    p = f"needs.{need.id}."
    return replace(
        need,
        label=t.worker(p, need.label),
        person=t.get(p + "person", need.person),
        description=t.get(p + "description", need.description),
    )


def _strength(strength: Strength, t: _Lookup) -> Strength:
    p = f"strengths.{strength.id}."
    return replace(
        strength, label=t.worker(p, strength.label), person=t.get(p + "person", strength.person)
    )


def missing(instrument: Instrument, code: str) -> int:
    """How many of the instrument's texts have no translation in ``code``."""
    translated = translate(instrument, code)
    texts: list[object] = [translated.title, translated.description, translated.intro]
    for section in translated.sections:
        texts += [section.title, section.intro, section.content_warning]
        texts += [t for n in section.notes for t in (n.text, n.why)]
        for item in section.items:
            texts += [item.text, item.why, item.help, item.content_warning, item.unit]
            texts += [item.min_label, item.max_label, item.unskippable_because]
            texts += [o.label for o in item.options]
    for score in translated.scores:
        texts += [score.label, score.description]
        texts += [t for b in score.bands for t in (b.label, b.description, b.person)]
    texts += [t for f in translated.flags for t in (f.label, f.message, f.person)]
    texts += [f.person_message for f in translated.flags]
    texts += [t for n in translated.needs for t in (n.label, n.description, n.person)]
    texts += [t for s in translated.strengths for t in (s.label, s.person)]
    texts += [f.help.next for f in translated.flags if f.help is not None]
    if translated.education is not None:
        texts += [translated.education.title, translated.education.text]
    return sum(isinstance(text, Untranslated) for text in texts)
