"""A service's facts in the reader's language (issue 15): what the matcher found (open
24/7, no ID needed, free, for women...) said with our catalogs, opening hours with
CLDR's day names and time formats, languages by their Babel display names, and every
list joined the way the language joins lists (Babel's ``format_list``).

The core's :class:`~screening.core.matching.Match` keeps its English ``reasons`` for the
API and the logs; pages and papers show these instead. Text the directory holds in
English only (accessibility notes) comes back as :class:`Source`, for the template to
mark as the source language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from babel import Locale
from babel.dates import format_time, get_day_names
from babel.lists import format_list
from babel.numbers import format_decimal

from screening.core.matching import DAYS, Hours, Match, Service
from screening.i18n import N_
from screening.i18n.locales import UnknownLanguage, autonym, babel_id
from screening.render.summary import ENGLISH, Wording

OPEN_ALWAYS = N_("Open 24 hours, 7 days a week")
OPEN_NOW = N_("Open now")
HELPS_WITH = N_("Helps with: %(need)s")
SPEAKS = N_("Speaks %(language)s")
NO_ID = N_("No ID needed")
FREE = N_("Free")
YOUTH = N_("For young people")
WOMEN = N_("For women")
NEWCOMERS = N_("Welcomes newcomers")
ACCESSIBILITY = N_("Accessibility: %(notes)s")
DISTANCE = N_("About %(km)s km away")
ALL_DAY = N_("%(days)s: open all day")
HOURS = N_("%(days)s: %(opens)s to %(closes)s")


class Source(str):
    """Directory text in its source language (English), to be marked as such."""


def locale_of(code: str) -> Locale:
    return Locale.parse(babel_id(code))


def join(items: Sequence[str], code: str) -> str:
    """``a, b and c`` as ``code`` writes it (CLDR)."""
    if not items:
        return ""
    return str(format_list(list(items), locale=locale_of(code)))


def join_units(items: Sequence[str], code: str) -> str:
    """A list of short facts: CLDR's standard list. (Its ``unit`` lists are missing for
    Tigrinya, and Babel 2.x repeats the last item of a two-item Arabic one.)"""
    return join(items, code)


def language_name(language: str, code: str) -> str:
    """A language's name in ``code`` (Babel's display names)."""
    try:
        name = Locale.parse(babel_id(language)).get_display_name(locale_of(code))
    except (ValueError, LookupError):
        return language
    return str(name) if name else language


def own_name(language: str) -> str:
    """A language's name in itself, as the language pickers show it: ``العربية``."""
    try:
        return autonym(language)
    except UnknownLanguage:
        return language_name(language, language)


def _day_runs(days: frozenset[str], code: str) -> str:
    names = get_day_names("abbreviated", locale=locale_of(code))
    order = [i for i, d in enumerate(DAYS) if d in days]
    runs: list[list[int]] = []
    for i in order:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts = [
        f"{names[r[0]]}–{names[r[-1]]}" if len(r) > 2 else join_units([names[d] for d in r], code)
        for r in runs
    ]
    return join_units(parts, code)


def _clock(minutes: int, code: str) -> str:
    at = dt.time((minutes // 60) % 24, minutes % 60)
    return str(format_time(at, "short", locale=locale_of(code)))


def hours_text(hours: Sequence[Hours], code: str, words: Wording = ENGLISH) -> str:
    """Opening hours in ``code``: CLDR day names and times, our words around them."""
    lines = []
    for h in hours:
        days = _day_runs(h.days, code)
        if h.all_day:
            lines.append(words(ALL_DAY, days=days))
        else:
            opens, closes = _clock(h.opens, code), _clock(h.closes, code)
            lines.append(words(HOURS, days=days, opens=opens, closes=closes))
    return join(lines, code)


def service_hours(service: Service, code: str, words: Wording = ENGLISH) -> str:
    """What a reader needs to know about when to go: 24/7, or the hours in ``code``;
    the directory's own English text only when it has no structured hours."""
    if service.always_open:
        return words(OPEN_ALWAYS)
    if service.hours:
        return hours_text(service.hours, code, words)
    return Source(service.hours_text) if service.hours_text else ""


def service_facts(
    m: Match, code: str, words: Wording = ENGLISH, need_label: str | None = None
) -> list[str]:
    """What the matcher knows about ``m``, in ``code``: each a short phrase."""
    s = m.service
    out: list[str] = []
    if need_label:
        out.append(words(HELPS_WITH, need=need_label))
    if s.always_open:
        out.append(words(OPEN_ALWAYS))
    elif m.open_now:
        out.append(words(OPEN_NOW))
    if code.split("-")[0] in s.languages:
        out.append(words(SPEAKS, language=language_name(code, code)))
    for flag, message in (
        (s.no_id, NO_ID),
        (s.free, FREE),
        (s.youth_only, YOUTH),
        (s.women_only, WOMEN),
        (s.newcomers, NEWCOMERS),
    ):
        if flag:
            out.append(words(message))
    if s.accessibility:
        out.append(words(ACCESSIBILITY, notes=Source(join(list(s.accessibility), "en"))))
    if m.distance_km is not None:
        km = str(format_decimal(round(m.distance_km, 1), locale=locale_of(code)))
        out.append(words(DISTANCE, km=km))
    return out
