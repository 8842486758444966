"""What happened to each referral, over storage (no Flask here).

Each status change of a referral is a row of ``referral_events``, never updated: sealed
with its interview's data key like the answers (the status, who made contact, why it
did not connect, the service and the need domain it answers), dated and attributed (the
account's id) in clear. A referral is named by :func:`referral_id`, a keyed hash of its
service id: the id says nothing without the interview's key, and a plan made before
referrals had statuses names its referrals the same way. An organisation's follow-up
interval is a row of ``follow_up`` (7 days when none).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from screening.core import referrals as machine
from screening.core.text import readable
from screening.crypto.seal import MasterKey, seal, unseal
from screening.store import db as storage


@dataclass(frozen=True)
class Recorded:
    """One stored change with what it is about (the service, its need domain)."""

    event: machine.Event
    service_id: str
    service_name: str
    need: str


@dataclass(frozen=True)
class Latest:
    """The last change of one referral, as its clear columns tell it (nothing opened)."""

    interview_id: str
    referral_id: str
    number: int
    at: dt.datetime
    open: bool


def referral_id(key: bytes, service_id: str) -> str:
    """The opaque id of the referral to ``service_id`` in the interview keyed ``key``."""
    digest = hmac.new(key, b"screening/referral\0" + service_id.encode(), hashlib.sha256)
    return digest.hexdigest()[:20]


def _context(interview_id: str, referral: str, number: int) -> bytes:
    return f"screening/referral/{interview_id}/{referral}/{number}".encode()


def data_key(conn: Connection, master: MasterKey, interview_id: str) -> bytes:
    row = storage.interview_row(conn, interview_id)
    if row is None or row.wrapped_key is None:
        raise LookupError("no such worker-led interview")
    return master.unwrap(bytes(row.wrapped_key), row.id)


def _stamp(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def history(conn: Connection, key: bytes, interview_id: str) -> dict[str, list[Recorded]]:
    """Every referral's changes in this interview, oldest first, by referral id."""
    table = storage.referral_events
    out: dict[str, list[Recorded]] = {}
    for row in conn.execute(
        select(table)
        .where(table.c.interview_id == interview_id)
        .order_by(table.c.referral_id, table.c.number)
    ):
        body = readable(
            json.loads(
                unseal(key, bytes(row.payload), _context(interview_id, row.referral_id, row.number))
            )
        )
        change = machine.Change(
            str(body["status"]),
            str(body.get("by", "")),
            str(body.get("reason", "")),
            str(body.get("note", "")),
        )
        event = machine.Event(row.number, _stamp(row.created_at), row.created_by, change)
        out.setdefault(row.referral_id, []).append(
            Recorded(
                event,
                str(body.get("service_id", "")),
                str(body.get("service_name", "")),
                str(body.get("need", "")),
            )
        )
    return out


def append(
    conn: Connection,
    key: bytes,
    interview_id: str,
    referral: str,
    change: machine.Change,
    *,
    service_id: str,
    service_name: str,
    need: str,
    user_id: int | None,
) -> machine.Event:
    """Record ``change`` as this referral's next event (the caller checked it may follow
    the last one, holding the interview row locked)."""
    table = storage.referral_events
    latest = conn.execute(
        select(func.max(table.c.number)).where(
            table.c.interview_id == interview_id, table.c.referral_id == referral
        )
    ).scalar()
    number = int(latest or 0) + 1
    body = {
        "status": change.status,
        "by": change.by,
        "reason": change.reason,
        "note": change.note,
        "service_id": service_id,
        "service_name": service_name,
        "need": need,
    }
    at = storage.now()
    conn.execute(
        insert(table).values(
            interview_id=interview_id,
            referral_id=referral,
            number=number,
            payload=seal(
                key,
                json.dumps(body, ensure_ascii=False, sort_keys=True).encode(),
                _context(interview_id, referral, number),
            ),
            open=machine.is_open(change.status),
            created_by=user_id,
            created_at=at,
        )
    )
    return machine.Event(number, at, user_id, change)


def latest_of_org(conn: Connection, org_id: int) -> list[Latest]:
    """The last change of every referral of this organisation's worker-led interviews
    (from the clear columns only: nothing is unsealed)."""
    table, interviews = storage.referral_events, storage.interviews
    rows = conn.execute(
        select(
            table.c.interview_id,
            table.c.referral_id,
            table.c.number,
            table.c.created_at,
            table.c.open,
        )
        .join(interviews, interviews.c.id == table.c.interview_id)
        .where(interviews.c.org_id == org_id, interviews.c.mode == "worker")
        .order_by(table.c.interview_id, table.c.referral_id, table.c.number)
    )
    last: dict[tuple[str, str], Latest] = {}
    for row in rows:
        last[(row.interview_id, row.referral_id)] = Latest(
            row.interview_id, row.referral_id, row.number, _stamp(row.created_at), bool(row.open)
        )
    return list(last.values())


def interval(conn: Connection, org_id: int) -> int:
    found = conn.execute(
        select(storage.follow_up.c.days).where(storage.follow_up.c.org_id == org_id)
    ).scalar()
    return int(found) if found is not None else machine.DEFAULT_INTERVAL


def set_interval(conn: Connection, org_id: int, days: int) -> None:
    conn.execute(delete(storage.follow_up).where(storage.follow_up.c.org_id == org_id))
    conn.execute(insert(storage.follow_up).values(org_id=org_id, days=days))


def org_id_named(conn: Connection, name: str) -> int | None:
    found = conn.execute(
        select(storage.organisations.c.id).where(storage.organisations.c.name == name)
    ).scalar()
    return int(found) if found is not None else None
