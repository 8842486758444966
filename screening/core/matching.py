"""Matching services to needs (pure): filters, a deterministic ranking, and the reasons.

No files, no clock, no network: the caller passes the time (for "open now") and the
person's coordinates if they gave them. Distance is a haversine over the coordinates
in the directory; nothing is ever geocoded or sent anywhere.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
EARTH_KM = 6371.0088
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "ar": "Arabic",
    "zh": "Chinese",
    "pa": "Punjabi",
    "tl": "Tagalog",
    "ti": "Tigrinya",
}


@dataclass(frozen=True, slots=True)
class Hours:
    """Open on ``days`` from ``opens`` to ``closes`` (minutes after midnight, local to a
    fixed UTC offset in minutes); ``closes`` <= ``opens`` runs past midnight."""

    days: frozenset[str]
    opens: int
    closes: int
    utc_offset: int = 0

    @property
    def all_day(self) -> bool:
        return self.opens == 0 and self.closes >= 23 * 60 + 59

    def open_at(self, when: dt.datetime) -> bool:
        local = when.astimezone(dt.timezone(dt.timedelta(minutes=self.utc_offset)))
        minute = local.hour * 60 + local.minute
        today = DAYS[local.weekday()]
        yesterday = DAYS[(local.weekday() - 1) % 7]
        if self.all_day:
            return today in self.days
        if self.opens < self.closes:
            return today in self.days and self.opens <= minute < self.closes
        return (today in self.days and minute >= self.opens) or (
            yesterday in self.days and minute < self.closes
        )


@dataclass(frozen=True, slots=True)
class Contact:
    phone: str | None = None
    email: str | None = None
    url: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Service:
    """One service as matching sees it, flattened from the HSDS entities."""

    id: str
    name: str
    organization: str
    description: str = ""
    needs: frozenset[str] = frozenset()
    hours: tuple[Hours, ...] = ()
    hours_text: str = ""
    languages: frozenset[str] = frozenset()  # primary language subtags: en, fr, zh
    free: bool = False
    fees: str = ""
    documents: tuple[str, ...] = ()
    no_id: bool = False
    youth_only: bool = False
    women_only: bool = False
    newcomers: bool = False
    minimum_age: float | None = None
    maximum_age: float | None = None
    eligibility: str = ""
    accessibility: tuple[str, ...] = ()
    coordinates: tuple[float, float] | None = None
    contact: Contact = field(default_factory=Contact)
    application: str = ""
    fictional: bool = False
    names: Mapping[str, str] = field(default_factory=dict)  # BCP 47 code -> name
    descriptions: Mapping[str, str] = field(default_factory=dict)

    @property
    def always_open(self) -> bool:
        return any(h.all_day and len(h.days) == 7 for h in self.hours)

    def open_at(self, when: dt.datetime) -> bool:
        return any(h.open_at(when) for h in self.hours)

    def speaks(self, language: str) -> bool:
        return primary(language) in self.languages

    def name_in(self, language: str) -> str | None:
        return _localized(self.names, language)

    def description_in(self, language: str) -> str | None:
        return _localized(self.descriptions, language)


def _localized(texts: Mapping[str, str], language: str) -> str | None:
    if language in texts:
        return texts[language]
    return texts.get(primary(language))


def primary(language: str) -> str:
    return language.split("-", 1)[0].lower()


@dataclass(frozen=True, slots=True)
class Preferences:
    """What matters to this person. A set field is a filter; ranking always prefers
    services open now (or 24/7), in their language, without ID, free, and near."""

    open_now: bool = False
    no_id: bool = False
    free: bool = False
    language: str | None = None  # filter: the service speaks it
    youth_only: bool | None = None  # True: youth-only services; False: none of them
    age: int | None = None  # leave out services whose age limits exclude this age
    near: tuple[float, float] | None = None
    within_km: float | None = None  # with ``near``: leave out services farther away
    now: dt.datetime | None = None  # needed for ``open_now`` and "open now" ranking
    prefer_language: str | None = None  # ranking only


@dataclass(frozen=True, slots=True)
class Match:
    service: Service
    need: str
    reasons: tuple[str, ...]
    distance_km: float | None
    open_now: bool


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def keeps(service: Service, prefs: Preferences) -> bool:
    """Whether ``service`` passes every filter ``prefs`` sets."""
    checks = (
        not prefs.open_now or service.always_open or _open(service, prefs),
        not prefs.no_id or service.no_id,
        not prefs.free or service.free,
        prefs.language is None or service.speaks(prefs.language),
        prefs.youth_only is None or service.youth_only == prefs.youth_only,
        prefs.age is None or _age_fits(service, prefs.age),
        prefs.within_km is None or _within(service, prefs),
    )
    return all(checks)


def _open(service: Service, prefs: Preferences) -> bool:
    return prefs.now is not None and service.open_at(prefs.now)


def _age_fits(service: Service, age: int) -> bool:
    low, high = service.minimum_age, service.maximum_age
    return (low is None or age >= low) and (high is None or age <= high)


def _within(service: Service, prefs: Preferences) -> bool:
    if prefs.near is None or prefs.within_km is None:
        return True
    if service.coordinates is None:
        return False
    return haversine_km(prefs.near, service.coordinates) <= prefs.within_km


def match(
    services: Iterable[Service], need: str, prefs: Preferences, labels: Mapping[str, str]
) -> list[Match]:
    """The services meeting ``need`` that pass the filters, best first, each with why.

    ``labels`` names need domains in plain words (for the reasons). The order is total
    and deterministic: ties are broken by name, then id."""
    found = []
    for service in services:
        if need not in service.needs or not keeps(service, prefs):
            continue
        distance = (
            haversine_km(prefs.near, service.coordinates)
            if prefs.near is not None and service.coordinates is not None
            else None
        )
        is_open = _open(service, prefs)
        found.append(
            Match(
                service, need, _reasons(service, need, prefs, labels, distance), distance, is_open
            )
        )
    found.sort(key=lambda m: _rank(m, prefs))
    return found


def _rank(m: Match, prefs: Preferences) -> tuple[object, ...]:
    s = m.service
    language = prefs.language or prefs.prefer_language
    return (
        not (s.always_open or m.open_now),
        not (language is not None and s.speaks(language)),
        not s.no_id,
        not s.free,
        m.distance_km if m.distance_km is not None else math.inf,
        s.name.casefold(),
        s.id,
    )


def _reasons(
    s: Service,
    need: str,
    prefs: Preferences,
    labels: Mapping[str, str],
    distance: float | None,
) -> tuple[str, ...]:
    out = [f"Helps with: {labels.get(need, need.replace('_', ' '))}"]
    if s.always_open:
        out.append("Open 24 hours, 7 days a week")
    elif prefs.now is not None and s.open_at(prefs.now):
        out.append("Open now")
    language = prefs.language or prefs.prefer_language
    if language is not None and s.speaks(language):
        out.append(f"Speaks {LANGUAGE_NAMES.get(primary(language), language)}")
    if s.no_id:
        out.append("No ID needed")
    if s.free:
        out.append("Free")
    if s.youth_only:
        out.append("For young people")
    if s.women_only:
        out.append("For women")
    if s.newcomers:
        out.append("Welcomes newcomers")
    if s.accessibility:
        out.append("Accessibility: " + "; ".join(s.accessibility))
    if distance is not None:
        out.append(f"About {distance:.1f} km away")
    return tuple(out)


def match_all(
    services: Iterable[Service],
    needs: Iterable[str],
    prefs: Preferences,
    labels: Mapping[str, str],
    limit: int = 3,
) -> dict[str, list[Match]]:
    """For each need, its best ``limit`` matches (all of them when ``limit`` is 0)."""
    pool = list(services)
    out = {}
    for need in needs:
        found = match(pool, need, prefs, labels)
        out[need] = found[:limit] if limit else found
    return out


YOUTH_AGES = (12, 17)  # the ages a youth check-in's "anyone of their age" covers


def open_to_all(service: Service, ages: tuple[int, int] = YOUTH_AGES) -> bool:
    """Whether anyone of these ages may use ``service``, whoever they are: no gender
    restriction (the person chose none) and age limits that admit every age in range."""
    youngest, oldest = ages
    low, high = service.minimum_age, service.maximum_age
    return (
        not service.women_only
        and (low is None or low <= youngest)
        and (high is None or high >= oldest)
    )
