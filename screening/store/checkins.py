"""Check-ins linked by a pseudonymous case reference, over storage (issue 22)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from screening.store import db as storage


def case_hash_of(conn: Connection, interview_id: str) -> str | None:
    t = storage.case_links
    row = conn.execute(select(t.c.case_hash).where(t.c.interview_id == interview_id)).first()
    return None if row is None else str(row.case_hash)


def link(conn: Connection, interview_id: str, org_id: int | None, case_hash: str) -> None:
    unlink(conn, interview_id)
    conn.execute(
        insert(storage.case_links).values(
            interview_id=interview_id, org_id=org_id, case_hash=case_hash, created_at=storage.now()
        )
    )


def unlink(conn: Connection, interview_id: str) -> bool:
    t = storage.case_links
    return conn.execute(delete(t).where(t.c.interview_id == interview_id)).rowcount > 0


def linked_before(
    conn: Connection, org_id: int | None, case_hash: str, interview_id: str, before: dt.datetime
) -> list[str]:
    """Other interviews of the same case begun before ``before``, newest first."""
    t, i = storage.case_links, storage.interviews
    query = (
        select(t.c.interview_id)
        .join(i, i.c.id == t.c.interview_id)
        .where(
            t.c.case_hash == case_hash,
            t.c.interview_id != interview_id,
            i.c.created_at <= before,
            (t.c.org_id == org_id) if org_id is not None else t.c.org_id.is_(None),
        )
        .order_by(i.c.created_at.desc(), i.c.id.desc())
    )
    return [row.interview_id for row in conn.execute(query)]


def persons_of(conn: Connection, interview_ids: list[str]) -> dict[str, str]:
    """For each of these interviews that is linked, an opaque key of its person (its
    organisation and case hash): linked interviews of one person share it."""
    t = storage.case_links
    out: dict[str, str] = {}
    for start in range(0, len(interview_ids), 500):  # keep each IN list short
        chunk = interview_ids[start : start + 500]
        query = select(t.c.interview_id, t.c.org_id, t.c.case_hash).where(
            t.c.interview_id.in_(chunk)
        )
        for row in conn.execute(query):
            out[row.interview_id] = f"{row.org_id}:{row.case_hash}"
    return out
