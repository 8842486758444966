"""Outcome counts over storage (issue 22): which interviews a period may count, and the
tables kept as they were published. No answer is read here: the caller opens each
interview with its key and keeps only those whose person consented to statistics."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from screening.store import db as storage


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def begun_between(
    conn: Connection, start: dt.date, end: dt.date, org_id: int | None = None
) -> list[str]:
    """Worker-led interviews begun from ``start`` to before ``end`` (UTC days), oldest
    first (a private check-in's key is the person's: it is never opened, never counted)."""
    t = storage.interviews
    query = (
        select(t.c.id)
        .where(t.c.mode == "worker", t.c.created_at >= _at(start), t.c.created_at < _at(end))
        .order_by(t.c.created_at, t.c.id)
    )
    if org_id is not None:  # one organisation's (its admin page); None: the instance's
        query = query.where(t.c.org_id == org_id)
    return [row.id for row in conn.execute(query)]


def with_changes_between(
    conn: Connection, start: dt.date, end: dt.date, org_id: int | None = None
) -> list[str]:
    """Interviews with a referral status change in the period (a referral offered in it
    may come from an interview begun before)."""
    t, i = storage.referral_events, storage.interviews
    query = (
        select(t.c.interview_id)
        .join(i, i.c.id == t.c.interview_id)
        .where(t.c.created_at >= _at(start), t.c.created_at < _at(end))
        .group_by(t.c.interview_id)
        .order_by(t.c.interview_id)
    )
    if org_id is not None:
        query = query.where(i.c.org_id == org_id)
    return [row.interview_id for row in conn.execute(query)]


def published(conn: Connection, period: str) -> bytes | None:
    t = storage.published_outcomes
    row = conn.execute(select(t.c.body).where(t.c.period == period)).first()
    return None if row is None else bytes(row.body)


def publish(conn: Connection, period: str, body: bytes, actor: str | None) -> bytes:
    """Keep ``body`` as the period's published tables; the first one kept stays."""
    kept = published(conn, period)
    if kept is not None:
        return kept
    t = storage.published_outcomes
    conn.execute(
        insert(t).values(period=period, body=body, published_at=storage.now(), actor=actor)
    )
    return body


def periods(conn: Connection) -> list[tuple[str, dt.datetime]]:
    t = storage.published_outcomes
    rows = conn.execute(select(t.c.period, t.c.published_at).order_by(t.c.period))
    return [(r.period, r.published_at) for r in rows]
