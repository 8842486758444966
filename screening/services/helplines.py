"""Who can help now: services of the stored directory for a help or education screen.

A help screen (an urgent flag whose ``help.need`` names a need domain) and a universal
education screen (``education.need``) list the directory's services for that need that
anyone may use: none restricted by gender, none only for adults, since the person's
gender and age are not known there. Always-open lines come first (the matching
ranking), then those open now.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from screening.core.matching import Match, Preferences, Service, match
from screening.directory import hsds as directory
from screening.store import db as storage
from screening.store import plans as planstore

if TYPE_CHECKING:  # a type only: the store alone speaks SQL
    from sqlalchemy.engine import Engine

ADULT = 18


def open_to_anyone(service: Service) -> bool:
    """No gender restriction and open to someone under 18."""
    young_enough = service.minimum_age is None or service.minimum_age < ADULT
    return not service.women_only and young_enough


def who_helps(
    services: list[Service],
    need: str,
    *,
    now: dt.datetime,
    language: str | None = None,
    free_only: bool = False,
    limit: int = 4,
) -> list[Match]:
    """The best ``limit`` services for ``need`` that anyone may use, 24/7 lines first."""
    prefs = Preferences(free=free_only, now=now, prefer_language=language)
    found = [m for m in match(services, need, prefs, {}) if open_to_anyone(m.service)]
    return found[:limit]


def directory_services(engine: Engine) -> list[Service]:
    """Every active service of the stored directory, flattened for matching."""
    with storage.transaction(engine) as conn:
        return directory.services(planstore.load_directory(conn))
