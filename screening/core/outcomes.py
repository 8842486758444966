"""De-identified outcome counts for funders (pure): the period, the tables, and small-cell
suppression that holds (issue 22).

A period is a calendar month (``2026-09``) or a quarter (``2026-Q3``): fixed and never
overlapping, so no two published tables differ by a few days. The tables are counted
from :class:`Fact` (one per interview whose person consented to anonymous statistics):

- ``interviews``: how many began in the period (the grand total, ``T``), as people where
  interviews are linked: a person's linked interviews of the period count once, by the
  latest (:func:`by_person`);
- ``needs``: by need domain and level (``urgent``, ``some``, ``none``, ``unknown``, and
  ``not-asked`` when none of the interview's instruments asks about that domain), so each
  domain's row adds up to ``T``;
- ``referrals``: offered in the period, by need domain, ``made`` and ``connected`` (by
  the period's end), with an ``all`` row;
- ``days_to_connection``: the median days from offer to connection, by domain, withheld
  (null) when fewer than ``k`` referrals connected;
- ``changes``: for check-ins of the period linked (with the person's consent) to an
  earlier one, the change per need domain (new, better, same, worse, now-unknown).

Suppression (:func:`suppress`): every count is a variable in a set of linear equations
the tables publish together (each needs row adds up to ``T``; ``made`` is ``connected``
plus the unpublished not-connected; ``all`` is the sum of the domains). A count between 1
and k-1 is withheld, and so is any count, published or not, that the published ones
would let anyone work out by adding and subtracting across the whole system (exact
linear algebra, not only one row at a time): further cells are withheld, the smallest
first, until no withheld or small count is determined.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

LEVELS = ("urgent", "some", "none", "unknown", "not-asked")
NO_DOMAIN = "unspecified"  # a referral recorded without a need domain (older data)
ALL = "all"
MADE, CONNECTED, NOT_CONNECTED = "made", "connected", "not-connected"
TABLES = ("interviews", "needs", "referrals", "days_to_connection", "changes")
CHANGES = ("new", "better", "same", "worse", "now-unknown")

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    start: dt.date  # first day
    end: dt.date  # the day after the last

    def holds(self, when: dt.datetime | dt.date) -> bool:
        day = when.date() if isinstance(when, dt.datetime) else when
        return self.start <= day < self.end


def parse_period(text: str) -> Period:
    """``2026-09`` (a month) or ``2026-Q3`` (a quarter); PeriodError otherwise."""
    text = text.strip()
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        start = dt.date(year, month, 1)
        end = dt.date(year + (month == 12), month % 12 + 1, 1)
        return Period(text, start, end)
    if m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        return Period(text, start, end)
    raise PeriodError(
        "a period is a calendar month (2026-09) or a quarter (2026-Q3), "
        f"not {text[:20]!r}: fixed periods only, so no two tables differ by a few days"
    )


@dataclass(frozen=True, slots=True)
class Made:
    """One referral offered in the period: its need domain and, if it connected by the
    period's end, after how many days."""

    domain: str
    days: float | None


@dataclass(frozen=True)
class Fact:
    """What one consenting interview adds: its need levels by domain (the domains its
    instruments ask about) and the referrals offered from it in the period."""

    needs: Mapping[str, str] = field(default_factory=dict)
    referrals: Sequence[Made] = ()
    # False: begun before the period, here only for a referral offered in it (its needs
    # were counted in its own period)
    counted: bool = True
    # A later check-in linked (with consent) to an earlier one: the change per need
    # domain (new, better, same, worse, now-unknown; see core/checkins.py)
    changes: Mapping[str, str] = field(default_factory=dict)
    # The person, where the interview is linked (with consent) to their other check-ins:
    # an opaque key shared by every linked interview of theirs; None: not linked
    person: str | None = None


def by_person(facts: Sequence[Fact]) -> tuple[list[Fact], str]:
    """Count people where interviews are linked, interviews otherwise: of the counted
    facts (given oldest first) that share a ``person``, only the latest stays counted;
    the earlier ones keep only their referrals. ``counts_of`` is ``"people"`` when any
    counted fact is linked to a person, else ``"interviews"``."""
    latest: dict[str, int] = {}
    for n, f in enumerate(facts):
        if f.counted and f.person is not None:
            latest[f.person] = n
    out = [
        f
        if not f.counted or f.person is None or latest[f.person] == n
        else Fact(referrals=f.referrals, counted=False, person=f.person)
        for n, f in enumerate(facts)
    ]
    return out, ("people" if latest else "interviews")


# ------------------------------------------------------------------- the equations

Key = tuple[str, tuple[tuple[str, str], ...]]  # (table, group as sorted pairs)


def key(table: str, **group: str) -> Key:
    return (table, tuple(sorted(group.items())))


@dataclass
class System:
    """Counts and the equations between them: each equation says ``total`` is the sum
    of ``parts``. ``hidden`` counts are never published (but must not be worked out
    when small)."""

    values: dict[Key, int] = field(default_factory=dict)
    hidden: set[Key] = field(default_factory=set)
    totals: set[Key] = field(default_factory=set)  # margins: withheld last
    equations: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)


def determined(
    unknown: Iterable[Key], equations: Sequence[tuple[Key, tuple[Key, ...]]]
) -> set[Key]:
    """The unknown counts whose value the equations fix once every other count is
    known: exact Gaussian elimination over the unknowns only."""
    columns = sorted(set(unknown))
    index = {k: n for n, k in enumerate(columns)}
    rows: list[list[Fraction]] = []
    for total, parts in equations:
        row = [Fraction(0)] * len(columns)
        for k, sign in ((total, 1), *((p, -1) for p in parts)):
            if k in index:
                row[index[k]] += sign
        if any(row):
            rows.append(row)
    pivots: list[int] = []
    r = 0
    for c in range(len(columns)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][c]
        rows[r] = [v / lead for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                factor = rows[i][c]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == len(rows):
            break
    out = set()
    for i, c in enumerate(pivots):
        if sum(1 for v in rows[i] if v != 0) == 1:
            out.add(columns[c])
    return out


def suppress(system: System, k: int) -> set[Key]:
    """The published counts to withhold: every one from 1 to k-1, and more until no
    withheld count, nor any hidden count from 1 to k-1, can be worked out."""
    small = {c for c, v in system.values.items() if 1 <= v < k}
    published = set(system.values) - system.hidden
    withheld = small & published
    touching: dict[Key, list[tuple[Key, ...]]] = {}
    for total, parts in system.equations:
        for c in (total, *parts):
            touching.setdefault(c, []).append((total, *parts))

    def cost(c: Key) -> tuple[bool, bool, int, Key]:
        value = system.values[c]
        return (c in system.totals, value == 0, value, c)

    while True:
        found = determined(system.hidden | withheld, system.equations)
        exposed = sorted(c for c in found if c in withheld or c in small)
        if not exposed:
            return withheld
        c = exposed[0]
        near = {p for eq in touching.get(c, ()) for p in eq if p in published - withheld}
        if not near:  # nothing beside it left to withhold: withhold everything
            near = published - withheld
        if not near:
            return withheld
        withheld.add(min(near, key=cost))


# ------------------------------------------------------------------------ counting


def system_of(facts: Sequence[Fact]) -> System:
    """The counts and equations of one period's tables."""
    s = System()
    people = [f for f in facts if f.counted]
    domains = sorted({d for f in people for d in f.needs})
    ref_domains = sorted({m.domain or NO_DOMAIN for f in facts for m in f.referrals})
    total = key("interviews")
    s.values[total] = len(people)
    s.totals.add(total)
    for d in domains:
        cells = []
        for level in LEVELS:
            c = key("needs", domain=d, level=level)
            s.values[c] = sum(1 for f in people if f.needs.get(d, "not-asked") == level)
            cells.append(c)
        s.equations.append((total, tuple(cells)))
    made_all = key("referrals", domain=ALL, status=MADE)
    conn_all = key("referrals", domain=ALL, status=CONNECTED)
    other_all = key("referrals", domain=ALL, status=NOT_CONNECTED)
    made = [m for f in facts for m in f.referrals]
    for c, value in (
        (made_all, len(made)),
        (conn_all, sum(1 for m in made if m.days is not None)),
        (other_all, sum(1 for m in made if m.days is None)),
    ):
        s.values[c] = value
        s.totals.add(c)
    s.hidden.add(other_all)
    s.equations.append((made_all, (conn_all, other_all)))
    columns: dict[str, list[Key]] = {MADE: [], CONNECTED: [], NOT_CONNECTED: []}
    for d in ref_domains:
        mine = [m for m in made if (m.domain or NO_DOMAIN) == d]
        cm = key("referrals", domain=d, status=MADE)
        cc = key("referrals", domain=d, status=CONNECTED)
        co = key("referrals", domain=d, status=NOT_CONNECTED)
        s.values[cm] = len(mine)
        s.values[cc] = sum(1 for m in mine if m.days is not None)
        s.values[co] = sum(1 for m in mine if m.days is None)
        s.hidden.add(co)
        s.equations.append((cm, (cc, co)))
        columns[MADE].append(cm)
        columns[CONNECTED].append(cc)
        columns[NOT_CONNECTED].append(co)
    # Changes between linked check-ins, by domain: each domain's row adds up to the
    # linked check-ins that asked about it (never published, so a hidden total).
    for d in sorted({d for f in people for d in f.changes}):
        row = []
        for change in CHANGES:
            c = key("changes", domain=d, change=change)
            s.values[c] = sum(1 for f in people if f.changes.get(d) == change)
            row.append(c)
        linked = key("changes", domain=d, change="any")
        s.values[linked] = sum(1 for f in people if d in f.changes)
        s.hidden.add(linked)
        s.equations.append((linked, tuple(row)))
    if ref_domains:
        s.equations.append((made_all, tuple(columns[MADE])))
        s.equations.append((conn_all, tuple(columns[CONNECTED])))
        s.equations.append((other_all, tuple(columns[NOT_CONNECTED])))
    return s


def medians(facts: Sequence[Fact], k: int) -> list[dict[str, object]]:
    """Median whole days from offer to connection, by domain and for all; null when
    fewer than ``k`` connected."""
    made = [m for f in facts for m in f.referrals if m.days is not None]
    groups = [ALL, *sorted({m.domain or NO_DOMAIN for m in made})]
    out: list[dict[str, object]] = []
    for d in groups:
        days = [m.days or 0.0 for m in made if d == ALL or (m.domain or NO_DOMAIN) == d]
        value = round(statistics.median(days)) if len(days) >= k and days else None
        out.append({"group": {"domain": d, "statistic": "median-days"}, "count": value})
    return out


def tables(period: Period, k: int, facts: Sequence[Fact]) -> dict[str, object]:
    """The period's tables as published: ``{"period", "k", "counts_of", "tables"}``,
    a withheld count as null. Counted as people where interviews are linked (see
    :func:`by_person`)."""
    facts, counts_of = by_person(facts)
    s = system_of(facts)
    withheld = suppress(s, k)
    out: dict[str, list[dict[str, object]]] = {name: [] for name in TABLES}
    for c, value in s.values.items():
        if c in s.hidden:
            continue
        table, group = c
        out[table].append({"group": dict(group), "count": None if c in withheld else value})
    out["days_to_connection"] = medians(facts, k)
    return {"period": period.label, "k": k, "counts_of": counts_of, "tables": out}
