"""Searching the directory the way a person looks for help (issue 20): the filters of
``/services`` and ``/api/v1/services``, read from plain GET parameters, applied to the
services, and one page of the result.

The directory's own areas (its service areas, and the cities and postal codes of its
addresses) are the only places one can choose: nothing is geocoded or sent anywhere.
Distance is measured from the middle of an area's own locations, when it has any.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from screening.core.matching import Service, haversine_km, primary
from screening.directory.hsds import Record, Tables
from screening.errors import Code, DomainError

FLAGS = (
    "open_now",
    "open_24_7",
    "no_id",
    "free",
    "youth",
    "women",
    "newcomers",
    "accessible",
)
CHOICES = ("need", "language", "area")
PAGING = ("page", "per_page")
PARAMETERS = (*CHOICES, *FLAGS, *PAGING)
TRUE, FALSE = ("1", "true", "on", "yes"), ("0", "false", "off", "no", "")
PER_PAGE = 10
MOST_PER_PAGE = 200
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True, slots=True)
class Query:
    """What a person asked for; every set field is a filter they all must pass."""

    need: str | None = None
    language: str | None = None  # a primary language subtag: ar, zh, ti
    area: str | None = None
    open_now: bool = False
    open_24_7: bool = False
    no_id: bool = False
    free: bool = False
    youth: bool = False
    women: bool = False
    newcomers: bool = False
    accessible: bool = False  # its locations describe their accessibility
    page: int = 1
    per_page: int = PER_PAGE

    def filters(self) -> dict[str, str]:
        """The query's filters as GET parameters (a shareable address), paging left out."""
        out = {k: str(getattr(self, k)) for k in CHOICES if getattr(self, k)}
        out.update({k: "1" for k in FLAGS if getattr(self, k)})
        return out


@dataclass(frozen=True, slots=True)
class Found:
    services: list[Service]  # this page's
    total: int
    query: Query

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))


def bad(parameter: str, allowed: str) -> DomainError:
    return DomainError(Code.BAD_QUERY, parameter=parameter, allowed=allowed)


def parse(
    args: Iterable[tuple[str, str]],
    *,
    needs: Iterable[str],
    areas: Iterable[str],
    also: Iterable[str] = (),
) -> Query:
    """A :class:`Query` from GET parameters; a parameter we do not know (other than
    ``also``), a repeated one or a value outside its choices is a ``bad-query``."""
    seen: dict[str, str] = {}
    allowed = (*PARAMETERS, *also)
    for name, value in args:
        if name not in allowed:
            raise bad(name[:40], ", ".join(allowed))
        if name in seen:
            raise bad(name, "one value")
        seen[name] = value.strip()
    values: dict[str, object] = {}
    for name in FLAGS:
        text = seen.get(name, "").lower()
        if text not in TRUE + FALSE:
            raise bad(name, "1 or 0")
        values[name] = text in TRUE
    values["need"] = _choice(seen, "need", set(needs))
    values["area"] = _choice(seen, "area", set(areas))
    language = seen.get("language") or None
    if language is not None:
        if not LANGUAGE.fullmatch(language):
            raise bad("language", "a language code such as ar, fr or zh")
        values["language"] = primary(language)
    values["page"] = _whole(seen, "page", 1, 10_000)
    values["per_page"] = _whole(seen, "per_page", PER_PAGE, MOST_PER_PAGE)
    return Query(**values)  # type: ignore[arg-type]


def _choice(seen: Mapping[str, str], name: str, choices: set[str]) -> str | None:
    value = seen.get(name) or None
    if value is not None and value not in choices:
        raise bad(name, ", ".join(sorted(choices)[:40]) or "none")
    return value


def _whole(seen: Mapping[str, str], name: str, default: int, most: int) -> int:
    text = seen.get(name) or ""
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text[:6]) <= most:
        raise bad(name, f"a whole number from 1 to {most}")
    return int(text)


# ---------------------------------------------------------------- the directory's areas


def service_areas(tables: Tables) -> dict[str, set[str]]:
    """Each service's areas: its HSDS service areas' names, and the city and postal
    code of every address where it is offered."""
    out: dict[str, set[str]] = {}
    for area in tables["service_area"]:
        if area.get("service_id") and area.get("name"):
            out.setdefault(area["service_id"], set()).add(str(area["name"]))
    for service_id, address in _addresses(tables):
        for key in ("city", "postal_code"):
            if address.get(key):
                out.setdefault(service_id, set()).add(str(address[key]))
    return out


def _addresses(tables: Tables) -> Iterable[tuple[str, Record]]:
    by_location: dict[str, list[Record]] = {}
    for address in tables["address"]:
        by_location.setdefault(str(address.get("location_id")), []).append(address)
    for sal in tables["service_at_location"]:
        for address in by_location.get(str(sal.get("location_id")), []):
            yield str(sal["service_id"]), address


def areas(tables: Tables) -> list[str]:
    """Every area one may choose, in alphabetical order."""
    return sorted({a for found in service_areas(tables).values() for a in found}, key=str.casefold)


def centre(
    area: str, services: Iterable[Service], where: Mapping[str, set[str]]
) -> tuple[float, float] | None:
    """The middle of the area's own located services (None: none has coordinates)."""
    points = [s.coordinates for s in services if s.coordinates and area in where.get(s.id, ())]
    if not points:
        return None
    return (
        sum(p[0] for p in points if p) / len(points),
        sum(p[1] for p in points if p) / len(points),
    )


# ---------------------------------------------------------------- filtering


def keeps(service: Service, query: Query, now: dt.datetime, where: set[str]) -> bool:
    checks = (
        query.need is None or query.need in service.needs,
        not query.open_now or service.always_open or service.open_at(now),
        not query.open_24_7 or service.always_open,
        not query.no_id or service.no_id,
        not query.free or service.free,
        query.language is None or service.speaks(query.language),
        not query.youth or service.youth_only,
        not query.women or service.women_only,
        not query.newcomers or service.newcomers,
        not query.accessible or bool(service.accessibility),
        query.area is None or query.area in where,
    )
    return all(checks)


def search(services: Iterable[Service], tables: Tables, query: Query, now: dt.datetime) -> Found:
    """The services passing every filter, open ones first, then nearest the chosen
    area, then by name; one page of them."""
    pool = list(services)
    where = service_areas(tables)
    kept = [s for s in pool if keeps(s, query, now, where.get(s.id, set()))]
    middle = centre(query.area, pool, where) if query.area else None

    def rank(s: Service) -> tuple[object, ...]:
        far = haversine_km(middle, s.coordinates) if middle and s.coordinates else math.inf
        return (not (s.always_open or s.open_at(now)), far, s.name.casefold(), s.id)

    kept.sort(key=rank)
    start = (query.page - 1) * query.per_page
    return Found(kept[start : start + query.per_page], len(kept), query)


def page(found: Found, contents: list[Record]) -> dict[str, object]:
    """The HSDS 3.0 API's ``Page`` envelope around ``contents``."""
    number = found.query.page
    return {
        "total_items": found.total,
        "total_pages": found.pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= found.pages,
        "empty": not contents,
        "contents": contents,
    }
