"""Finding a service without an interview (issue 20): the use case behind the public
``/services`` page and ``GET /api/v1/services``.

No account, no session, nothing written: it reads the stored directory, applies the
person's filters (:mod:`screening.directory.search`) and answers one page of services,
as our flattened :class:`~screening.core.matching.Service` for pages and as HSDS 3.0
``service`` objects for the API. Times without a zone are the deployment's
(``SCREENING_TIMEZONE``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from screening.core.matching import Service
from screening.directory import hsds as directory
from screening.directory import search
from screening.directory.hsds import Tables
from screening.store import db as storage
from screening.store import plans as planstore

if TYPE_CHECKING:  # a type only: the store alone speaks SQL
    from sqlalchemy.engine import Engine

# The need domains of the directory, in the order the page offers them.
NEEDS = (
    "safety",
    "housing",
    "food",
    "physical_health",
    "mental_health",
    "substance_use",
    "legal",
    "documents",
    "money",
    "work_education",
    "language",
    "family_care",
    "social_support",
    "culture",
)


@dataclass(frozen=True)
class Result:
    found: search.Found
    needs: list[str]  # every need the directory meets, NEEDS order first
    areas: list[str]  # every area one may choose
    tables: Tables
    now: dt.datetime

    @property
    def services(self) -> list[Service]:
        return self.found.services

    def hsds_page(self) -> dict[str, object]:
        """This page of services as HSDS's ``/services`` answers it."""
        contents = directory.nested_services(self.tables, [s.id for s in self.services])
        return search.page(self.found, contents)


def ordered_needs(present: Iterable[str]) -> list[str]:
    have = set(present)
    return [n for n in NEEDS if n in have] + sorted(have - set(NEEDS))


def find(
    engine: Engine,
    args: Iterable[tuple[str, str]],
    *,
    timezone: str,
    also: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> Result:
    """The services the GET parameters ``args`` ask for (``bad-query`` when one is not
    understood); ``also`` names parameters the caller reads itself (the page's ``lang``)."""
    now = now or dt.datetime.now(dt.UTC)
    offset = ZoneInfo(timezone).utcoffset(now.replace(tzinfo=None))
    with storage.transaction(engine) as conn:
        tables = planstore.load_directory(conn)
    local = int(offset.total_seconds() // 60) if offset is not None else 0
    services = directory.services(tables, local_offset=local)
    needs = ordered_needs(n for s in services for n in s.needs)
    areas = search.areas(tables)
    query = search.parse(args, needs=needs, areas=areas, also=also)
    found = search.search(services, tables, query, now)
    return Result(found, needs, areas, tables, now)
