"""Keeping data well over time: master-key rotation, retention and purge, deleting one
interview on a person's request, and reading the audit log. SQL and files, no Flask.

Every deletion goes through :func:`screening.store.db.delete_interview`, which removes
the interview's rows in every table that names it, including its wrapped data key:
after that no copy of its ciphertext (WAL, dead rows, backups) can be read. The audit
log keeps only the opaque interview id, so it can outlive the purge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine

from screening.crypto import keyfiles
from screening.crypto.keyfiles import read_or_create
from screening.crypto.seal import NEXT_KEY_FILE, MasterKey, decode_key, encode_key, new_key
from screening.services import mfa
from screening.store import db as storage
from screening.store import studio as studiostore

DEFAULT_RETENTION_DAYS = 365


class AdminError(ValueError):
    pass


# ---------------------------------------------------------------- key rotation


@dataclass(frozen=True)
class Rotation:
    rewrapped: int
    key_id: str
    new_key: str | None  # shown once when the key lives in the environment, not a file


def rotate_master_key(
    engine: Engine, current: MasterKey, instance: Path, *, from_env: bool, new: str | None = None
) -> Rotation:
    """Re-wrap every interview's data key under a new master key, losing nothing.

    With the key in the instance file: the new key is first written durably to
    ``data.key.next`` (which :func:`screening.crypto.seal.load_master_key` also loads), then
    every wrapped key is re-wrapped in one transaction, then the new key replaces
    ``data.key`` atomically and the ``.next`` file goes. A crash at any point leaves
    every key readable, and running the command again finishes the job. With the key in
    ``SCREENING_DATA_KEY``, the operator gives the new key (or gets one printed) and sets
    it, with the old one as ``SCREENING_PREVIOUS_DATA_KEY`` until every server restarts.
    Stop the servers first, or restart them after: a running server keeps the old key."""
    pending = instance / NEXT_KEY_FILE
    if from_env:
        text = new or encode_key(new_key())
    else:
        text = read_or_create(pending, new or encode_key(new_key()))
    fresh = decode_key(text)
    target = MasterKey(fresh, (current.key, *current.previous))
    count = 0
    with storage.transaction(engine) as conn:
        rows = conn.execute(
            select(storage.interviews.c.id, storage.interviews.c.wrapped_key).where(
                storage.interviews.c.wrapped_key.is_not(None)
            )
        ).all()
        for row in rows:
            wrapped = bytes(row.wrapped_key)
            if target.wrapped_by_current(wrapped):
                continue
            data_key = target.unwrap(wrapped, row.id)
            conn.execute(
                update(storage.interviews)
                .where(storage.interviews.c.id == row.id)
                .values(wrapped_key=target.wrap(data_key, row.id))
            )
            count += 1
        mfa.rewrap(conn, target)  # issue 17: the second factors' secrets too
        studiostore.rewrap_keys(conn, target)  # issue 18: the studio's sealed feedback too
        storage.write_audit(conn, "key-rotate", actor="cli")
    if not from_env:
        keyfiles.replace(instance / "data.key", text)
        pending.unlink()
        keyfiles.sync_folder(instance)
    return Rotation(count, target.key_id, text if from_env else None)


def key_status(conn: Connection, current: MasterKey) -> dict[str, int]:
    """How many interviews each master key id wraps (the current one named first)."""
    counts: dict[str, int] = {current.key_id: 0}
    for (wrapped,) in conn.execute(
        select(storage.interviews.c.wrapped_key).where(
            storage.interviews.c.wrapped_key.is_not(None)
        )
    ):
        name = bytes(wrapped).partition(b":")[0].decode(errors="replace")
        counts[name] = counts.get(name, 0) + 1
    return counts


# ---------------------------------------------------------------- retention and purge


def _org_id(conn: Connection, org: str) -> int:
    found = conn.execute(
        select(storage.organisations.c.id).where(storage.organisations.c.name == org)
    ).scalar()
    if found is None:
        raise AdminError(f"no organisation {org!r}")
    return int(found)


def set_retention(conn: Connection, org: str, days: int) -> None:
    if not 1 <= days <= 36500:
        raise AdminError("a retention period is 1 to 36500 days")
    org_id = _org_id(conn, org)
    conn.execute(delete(storage.retention).where(storage.retention.c.org_id == org_id))
    conn.execute(insert(storage.retention).values(org_id=org_id, days=days))


def retention_days(conn: Connection) -> dict[int, int]:
    """Each organisation's retention period in days (the default where none is set)."""
    chosen = {int(r.org_id): int(r.days) for r in conn.execute(select(storage.retention))}
    orgs = [int(r.id) for r in conn.execute(select(storage.organisations.c.id))]
    return {org: chosen.get(org, DEFAULT_RETENTION_DAYS) for org in orgs}


@dataclass(frozen=True)
class Expired:
    interview_id: str
    org_id: int | None
    last_change: dt.datetime


def expired(conn: Connection, at: dt.datetime) -> list[Expired]:
    """Worker-led interviews whose last change is older than their organisation's
    retention period at ``at``."""
    periods = retention_days(conn)
    found = []
    for row in conn.execute(
        select(
            storage.interviews.c.id, storage.interviews.c.org_id, storage.interviews.c.updated_at
        ).where(storage.interviews.c.mode == "worker")
    ):
        days = periods.get(int(row.org_id), DEFAULT_RETENTION_DAYS) if row.org_id else 0
        stamp = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=dt.UTC)
        if at - stamp > dt.timedelta(days=days):
            found.append(Expired(str(row.id), row.org_id, stamp))
    return sorted(found, key=lambda e: (e.last_change, e.interview_id))


PRIVATE_IDLE = dt.timedelta(minutes=15)  # the default of Settings.private_idle_minutes


def purge(
    engine: Engine,
    at: dt.datetime,
    *,
    dry_run: bool,
    actor: str = "cli",
    private_idle: dt.timedelta = PRIVATE_IDLE,
) -> list[Expired]:
    """Delete expired interviews completely (and private check-ins left idle longer than
    ``private_idle``); with ``dry_run``, only say which would go."""
    with storage.transaction(engine) as conn:
        found = expired(conn, at)
        if dry_run:
            return found
        for gone in found:
            storage.delete_interview(conn, gone.interview_id)
            storage.write_audit(
                conn, "purge", actor=actor, org_id=gone.org_id, interview_ref=gone.interview_id
            )
        storage.sweep_private(conn, at - private_idle)
    return found


def delete_one(engine: Engine, interview_id: str, *, actor: str = "cli") -> bool:
    """Delete one interview on the person's request; False when there is none."""
    with storage.transaction(engine) as conn:
        row = storage.interview_row(conn, interview_id)
        if row is None:
            return False
        storage.delete_interview(conn, interview_id)
        storage.write_audit(
            conn, "delete", actor=actor, org_id=row.org_id, interview_ref=interview_id
        )
    return True


def audit_rows(conn: Connection, org_id: int | None = None, limit: int = 200) -> list[Any]:
    """The latest audit entries, newest first (one organisation's, or all)."""
    query = select(storage.audit).order_by(storage.audit.c.id.desc()).limit(limit)
    if org_id is not None:
        query = query.where(storage.audit.c.org_id == org_id)
    return list(conn.execute(query))
