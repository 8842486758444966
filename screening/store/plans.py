"""The directory and service plans over storage (no Flask here).

The directory is public information and stored in clear; a fresh database gets the
bundled demo directory. Plans are personal: each saved version is a new row, sealed
with its interview's data key like the answers, and never overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection, Engine

from screening.core.plan import Plan, from_json, problems, to_json
from screening.core.text import readable
from screening.crypto.seal import MasterKey, seal, unseal
from screening.directory import hsds as directory
from screening.directory.hsds import Tables
from screening.store import db as storage


class PlanRefused(Exception):
    """A plan that cannot be saved; ``problems`` says why (codes and fields)."""

    def __init__(self, found: list[object]) -> None:
        self.problems = found
        super().__init__("; ".join(getattr(p, "message", str(p)) for p in found))


# ---------------------------------------------------------------- directory


def ensure_directory(engine: Engine) -> None:
    """Give a database that never had a directory the bundled demo one."""
    with storage.transaction(engine) as conn:
        if conn.execute(select(storage.directory_info.c.id)).first() is None:
            replace_directory(conn, directory.demo(), "bundled demo directory")


def replace_directory(conn: Connection, tables: Tables, source: str) -> int:
    """Replace the whole directory in one transaction; returns the number of services."""
    conn.execute(delete(storage.directory_records))
    rows = [
        {
            "entity": entity,
            "id": record["id"],
            "data": json.dumps(record, ensure_ascii=False, sort_keys=True).encode(),
        }
        for entity, records in tables.items()
        for record in records
    ]
    if rows:
        conn.execute(insert(storage.directory_records), rows)
    conn.execute(delete(storage.directory_info))
    conn.execute(
        insert(storage.directory_info).values(id=1, source=source[:300], imported_at=storage.now())
    )
    return len(tables.get("service", []))


def load_directory(conn: Connection) -> Tables:
    """The stored directory; the bundled demo when none was ever stored."""
    if conn.execute(select(storage.directory_info.c.id)).first() is None:
        return directory.demo()
    tables: Tables = {entity: [] for entity in directory.ENTITIES}
    for row in conn.execute(
        select(storage.directory_records.c.entity, storage.directory_records.c.data).order_by(
            storage.directory_records.c.entity, storage.directory_records.c.id
        )
    ):
        tables.setdefault(row.entity, []).append(json.loads(bytes(row.data)))
    return tables


# ---------------------------------------------------------------- plans


@dataclass(frozen=True)
class Version:
    number: int
    created_at: dt.datetime
    author_role: str
    plan: Plan


def _context(interview_id: str, version: int) -> bytes:
    return f"screening/plan/{interview_id}/{version}".encode()


def _key(conn: Connection, master: MasterKey, interview_id: str) -> bytes:
    row = storage.interview_row(conn, interview_id, lock=True)
    if row is None or row.wrapped_key is None:
        raise LookupError("no such worker-led interview")
    return master.unwrap(bytes(row.wrapped_key), row.id)


def save_plan(
    engine: Engine,
    master: MasterKey,
    interview_id: str,
    plan: Plan,
    *,
    author_role: str,
    user_id: int | None,
) -> int:
    """Keep ``plan`` as the interview's next version; PlanRefused if it cannot be kept
    (a referral sharing information without consent, above all)."""
    found = problems(plan)
    if found:
        raise PlanRefused(list(found))
    if author_role not in ("worker", "client"):
        raise ValueError("author_role is worker or client")
    body = json.dumps(to_json(plan), ensure_ascii=False, sort_keys=True).encode()
    with storage.transaction(engine) as conn:
        key = _key(conn, master, interview_id)
        latest = conn.execute(
            select(func.max(storage.plan_versions.c.version)).where(
                storage.plan_versions.c.interview_id == interview_id
            )
        ).scalar()
        number = int(latest or 0) + 1
        conn.execute(
            insert(storage.plan_versions).values(
                interview_id=interview_id,
                version=number,
                payload=seal(key, body, _context(interview_id, number)),
                author_role=author_role,
                created_by=user_id,
                created_at=storage.now(),
            )
        )
    return number


def versions(conn: Connection, master: MasterKey, interview_id: str) -> list[Version]:
    """Every saved version, oldest first."""
    rows = list(
        conn.execute(
            select(storage.plan_versions)
            .where(storage.plan_versions.c.interview_id == interview_id)
            .order_by(storage.plan_versions.c.version)
        )
    )
    if not rows:
        return []
    row = storage.interview_row(conn, interview_id)
    key = master.unwrap(bytes(row.wrapped_key), row.id)
    out = []
    for r in rows:
        data = readable(
            json.loads(unseal(key, bytes(r.payload), _context(interview_id, r.version)))
        )
        out.append(Version(r.version, r.created_at, r.author_role, from_json(data)))
    return out
